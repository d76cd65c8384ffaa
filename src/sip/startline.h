/*
 * startline.h - internal to the wire library: the start line of a SIP
 * message, Request-Line or Status-Line (RFC 3261 §7.1, §7.2), as
 * sip_msg_parse() (msg.c) reads it.  Not a public header.
 *
 * sip_start_line_parse() reads b[i, e), the start line without its line
 * terminator, into m: start_line, and method_s, method, ruri, version and
 * is_request, or version, status_s, status and reason.  lim is the end of
 * the caller's data (e <= lim): loads stay below it.  Nothing is
 * allocated and the buffer is never written.  Returns 0, or a negative
 * enum sip_err with m->err_off set.
 *
 * sip_request_line_fast() takes the usual request line only and stores
 * what sip_start_line_parse() would; it returns 1 when it did, 0 (nothing
 * stored) for the caller to call sip_start_line_parse().  It is inline,
 * with the helpers it shares with startline.c, so that sip_msg_parse()
 * pays no call for the usual line.
 */
#ifndef SIPALG_SIP_STARTLINE_H
#define SIPALG_SIP_STARTLINE_H

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdint.h>
#include <string.h>

#include "msg.h"

int sip_start_line_parse(struct sip_msg *m, const char *b, uint32_t i, uint32_t e, uint32_t lim);

/* Four octets a b c d as a 32-bit load reads them. */
static inline uint32_t sip_sl_le32(char a, char b, char c, char d)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (uint32_t)(unsigned char)a << 24 | (uint32_t)(unsigned char)b << 16 |
	       (uint32_t)(unsigned char)c << 8 | (unsigned char)d;
#else
	return (uint32_t)(unsigned char)d << 24 | (uint32_t)(unsigned char)c << 16 |
	       (uint32_t)(unsigned char)b << 8 | (unsigned char)a;
#endif
}

/* The eight octets at p are " SIP/2.0", "SIP" in any case: one load, the
 * case bit set under the three letters (only 'S' and 's' give 's'). */
static inline uint64_t sip_sl_le64(uint32_t first4, uint32_t last4)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (uint64_t)first4 << 32 | last4;
#else
	return first4 | (uint64_t)last4 << 32;
#endif
}

static inline int sip_sl_is_sp_sip20(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return (v | sip_sl_le64(sip_sl_le32(0, 32, 32, 32), 0)) ==
	       sip_sl_le64(sip_sl_le32(' ', 's', 'i', 'p'), sip_sl_le32('/', '2', '.', '0'));
}

#ifdef __SSE2__
/* The mask of the octets up to SP (the CTLs, HT among them, and SP)
 * among the sixteen at p. */
static inline uint64_t sip_sl_low16(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(' ')), v));
}
#endif

/* The usual request line, "METHOD SP Request-URI SP SIP/2.0" with a known
 * method, in one pass: up to the SP before "SIP/2.0", at most 64 octets
 * (lines of up to 71), three or four sixteen-octet loads from i (data
 * up to lim) give the mask of its octets up to SP (CTLs, HT, SP).  The
 * line is the usual one when that mask has exactly two octets, both SP,
 * the first after a known method and the second the one of " SIP/2.0",
 * with at least one octet between them.  That is what
 * sip_start_line_parse() finds on such a line, through the same tests
 * (method lookup, no SP or HT in the URI, the version), so this stores
 * the same; a line with any other CTL is left to it, as is every other
 * line. */
static inline int sip_request_line_fast(struct sip_msg *m, const char *b, uint32_t i, uint32_t e,
					uint32_t lim)
{
#ifdef __SSE2__
	uint64_t lws;
	uint32_t n, last = e - 7, len = last - i; /* last: after the SP of " SIP/2.0" */
	enum sip_method id;

	/* a Status-Line (SIP/...) goes straight to sip_start_line_parse() */
	if (e - i < 10 || len > 64 || i + 48 > lim || !memcmp(b + i, "SIP/", 4))
		return 0;
	lws = sip_sl_low16(b + i) | sip_sl_low16(b + i + 16) << 16 | sip_sl_low16(b + i + 32) << 32;
	if (len > 48) {
		if (i + 64 > lim)
			return 0;
		lws |= sip_sl_low16(b + i + 48) << 48;
	}
	lws &= ~0ull >> (64 - len);
	n = (uint32_t)__builtin_ctzll(lws | 1ull << 63);
	/* the URI [i + n + 1, last - 1) is not empty and does not start
	 * with '<', and the method is a known one */
	if (lws != (1ull << n | 1ull << (len - 1)) || n + 2 >= len || n == 0 || b[i + n] != ' ' ||
	    !sip_sl_is_sp_sip20(b + last - 1) || b[i + n + 1] == '<' ||
	    (id = sip_method_lookup(b + i, n)) == SIP_METHOD_OTHER)
		return 0;
	m->start_line = sip_span_make(i, e - i);
	m->is_request = 1;
	m->method_s = sip_span_make(i, n);
	m->method = (uint8_t)id;
	m->ruri = sip_span_make(i + n + 1, len - n - 2);
	m->version = sip_span_make(last, 7);
	return 1;
#else
	(void)m, (void)b, (void)i, (void)e, (void)lim;
	return 0;
#endif
}

#endif
