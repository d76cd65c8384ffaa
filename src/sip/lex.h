/*
 * lex.h - internal to the wire library: octet classes of the RFC 3261
 * §25.1 grammar and small scanners shared by the value parsers.
 *
 * Not a public header (no module outside src/sip includes it).  Pure
 * functions on spans of the caller's buffer; nothing allocates or writes.
 */
#ifndef SIPALG_SIP_LEX_H
#define SIPALG_SIP_LEX_H

#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "span.h"

enum {
	LX_ALPHA = 1u << 0,
	LX_DIGIT = 1u << 1,
	LX_HEX = 1u << 2,
	LX_TOKEN = 1u << 3,     /* token (§25.1) */
	LX_WORD = 1u << 4,      /* word: token plus ()<>:\"/[]?{} */
	LX_UNRES = 1u << 5,     /* unreserved = alphanum / mark */
	LX_USER = 1u << 6,      /* user-unreserved  & = + $ , ; ? / */
	LX_PASS = 1u << 7,      /* password extras  & = + $ , */
	LX_PARAM = 1u << 8,     /* param-unreserved [ ] / : & + $ */
	LX_HNV = 1u << 9,       /* hnv-unreserved   [ ] / ? : + $ */
	LX_WS = 1u << 10,       /* SP / HTAB */
	LX_UTF8 = 1u << 11,     /* UTF8-NONASCII lead or continuation octet */
	LX_TEXT = 1u << 12,     /* qdtext / TEXT-UTF8char (printable, not CTL) */
	LX_LWS = 1u << 13,      /* SP / HTAB / CR / LF: what LWS trimming drops */
	LX_LIST = 1u << 14,     /* " < > , : what a comma-list split stops at */
	LX_HOST = 1u << 15,     /* alphanum - . : hostname and IPv4 octets */
};

extern const uint16_t sip_lex[256];

static inline int lx_is(unsigned char c, unsigned cls)
{
	return (sip_lex[c] & cls) != 0;
}

/* LWS-trim a span: drop SP/HT/CR/LF at both ends. */
static inline struct sip_span lx_trim(const char *b, struct sip_span s)
{
	uint32_t i = s.off, e = s.off + s.len;

	while (i < e && (sip_lex[(unsigned char)b[i]] & LX_LWS))
		i++;
	while (e > i && (sip_lex[(unsigned char)b[e - 1]] & LX_LWS))
		e--;
	return sip_span_make(i, e - i);
}

/*
 * First octet in [i, end) equal to one of c1..c4, or end.  The hot loops
 * look for a few delimiters in short runs (a header name's colon, an SDP
 * line's end, a list's commas and brackets); SSE2 compares sixteen octets
 * at once.  b is the start of the caller's buffer (offsets are spans into
 * it) and lim (>= end) the end of the data the caller handed in; loads
 * stay inside [0, lim), so a guard page after the data is never touched:
 * a last short piece is one load that ends at lim and overlaps octets
 * already seen (or before i), which are masked off.  A buffer shorter
 * than sixteen octets goes bytewise, as everything does without SSE2.
 */
#ifdef __SSE2__
/* Bit k set: octet k of the sixteen at p equals one of the four. */
static inline unsigned lx_eq4_mask(const char *p, __m128i v1, __m128i v2, __m128i v3, __m128i v4)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i x = _mm_or_si128(_mm_cmpeq_epi8(v, v1), _mm_cmpeq_epi8(v, v2));
	__m128i y = _mm_or_si128(_mm_cmpeq_epi8(v, v3), _mm_cmpeq_epi8(v, v4));

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(x, y));
}
#endif

static inline uint32_t lx_find4(const char *b, uint32_t i, uint32_t end, uint32_t lim,
				char c1, char c2, char c3, char c4)
{
#ifdef __SSE2__
	const __m128i v1 = _mm_set1_epi8(c1), v2 = _mm_set1_epi8(c2);
	const __m128i v3 = _mm_set1_epi8(c3), v4 = _mm_set1_epi8(c4);
	unsigned hit;

	while (i + 16 <= lim) {
		if ((hit = lx_eq4_mask(b + i, v1, v2, v3, v4)) != 0) {
			i += (uint32_t)__builtin_ctz(hit);
			return i < end ? i : end;
		}
		if ((i += 16) >= end)
			return end;
	}
	if (lim >= 16) {
		uint32_t t = lim - 16, seen = i - t; /* the load ends at lim */
		if (i >= end)
			return end; /* also keeps the shifts below 32 */
		hit = lx_eq4_mask(b + t, v1, v2, v3, v4) >> seen << seen;
		t += hit ? (uint32_t)__builtin_ctz(hit) : 16;
		return t < end ? t : end;
	}
#else
	(void)lim;
#endif
	while (i < end && b[i] != c1 && b[i] != c2 && b[i] != c3 && b[i] != c4)
		i++;
	return i;
}

static inline uint32_t lx_find2(const char *b, uint32_t i, uint32_t end, uint32_t lim,
				char c1, char c2)
{
	return lx_find4(b, i, end, lim, c1, c2, c2, c2);
}

static inline uint32_t lx_find3(const char *b, uint32_t i, uint32_t end, uint32_t lim,
				char c1, char c2, char c3)
{
	return lx_find4(b, i, end, lim, c1, c2, c3, c3);
}

/* First octet in [i, end) that is a CTL (< 0x20, HT CR LF included) or
 * DEL, or end. */
uint32_t lx_find_ctl(const char *b, uint32_t i, uint32_t end);

/* Skip LWS (SP, HT, folded CRLF/LF + WSP) from i, not past end. */
uint32_t lx_skip_lws_slow(const char *b, uint32_t i, uint32_t end);

static inline uint32_t lx_skip_lws(const char *b, uint32_t i, uint32_t end)
{
	/* most calls start on a non-LWS octet */
	if (i >= end || !(sip_lex[(unsigned char)b[i]] & LX_LWS))
		return i;
	return lx_skip_lws_slow(b, i, end);
}

/* Case-insensitive equality of a span with a lower-case literal of n
 * octets; LX_NAME_IS takes the literal itself. */
static inline int lx_caseeq_lc(const char *b, struct sip_span s, const char *lit, size_t n)
{
	if (s.len != n || !sip_span_present(s))
		return 0;
	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)b[s.off + k], l = (unsigned char)lit[k];
		if (c != l && ((c | 0x20) != l || l < 'a' || l > 'z'))
			return 0;
	}
	return 1;
}

#define LX_NAME_IS(b, s, lit) lx_caseeq_lc(b, s, lit, sizeof(lit) - 1)

/* A quoted-string starting at b[i] == '"': index after the closing quote,
 * or 0 if unterminated (a quoted string cannot end at offset 0). */
uint32_t lx_quoted_end(const char *b, uint32_t i, uint32_t end);

/* Strict quoted-string from the '"' at b[i] (§25.1 qdtext / quoted-pair):
 * the index after the closing quote (> 0), SIP_EQUOTE if unterminated, or
 * SIP_ECHAR for an octet a quoted string may not hold. */
int lx_quoted(const char *b, uint32_t i, uint32_t end);

/* gen-value = token / host / quoted-string (§25.1 generic-param): 1 or 0. */
int lx_gen_value_ok(const char *b, struct sip_span v);

/* dec-octet at *i: 1 to 3 digits, at most 255; 1 with *i past it, or 0.
 * A fourth digit is left for the caller to refuse as a bad separator. */
static inline int lx_dec_octet(const char *b, uint32_t *i, uint32_t e)
{
	uint32_t k = *i;
	unsigned v, d;

	if (k >= e || (v = (unsigned)(unsigned char)b[k] - '0') > 9)
		return 0;
	if (++k < e && (d = (unsigned)(unsigned char)b[k] - '0') <= 9) {
		v = v * 10 + d;
		if (++k < e && (d = (unsigned)(unsigned char)b[k] - '0') <= 9) {
			v = v * 10 + d;
			k++;
		}
	}
	*i = k;
	return v <= 255;
}

/* IPv4address = dec-octet 3( "." dec-octet ) (RFC 3261 §25.1 as RFC 5954
 * reads it; RFC 8866 §9 the same): 1 if [i, e) is exactly one, else 0. */
static inline int lx_ipv4(const char *b, uint32_t i, uint32_t e)
{
	for (unsigned part = 0;; part++) {
		if (!lx_dec_octet(b, &i, e))
			return 0;
		if (part == 3)
			return i == e;
		if (i == e || b[i] != '.')
			return 0;
		i++;
	}
}

/* For the mask-based IPv4 checks (Via/URI quick paths, SDP): the n octets
 * at p whose non-dot octets are known to be digits, dot being the mask of
 * their dots (bit k: p[k] is '.', no bit at n or above).  1 if they are an
 * IPv4address (exactly three dots, four dec-octets of 1-3 digits at most
 * 255): lx_ipv4's verdict without its walk. */
static inline __attribute__((always_inline)) int lx_dec_octet_at(const char *p, uint32_t n)
{
	if (n - 1 > 2)
		return 0;
	/* three digits: at most "255", compared as text */
	return n < 3 || p[0] < '2' || (p[0] == '2' && (p[1] < '5' || (p[1] == '5' && p[2] <= '5')));
}

static inline __attribute__((always_inline)) int lx_ipv4_dots(const char *p, uint32_t n,
							     uint32_t dot)
{
	uint32_t d1, d2, d3;

	if (dot == 0)
		return 0;
	d1 = (uint32_t)__builtin_ctz(dot);
	if ((dot &= dot - 1) == 0)
		return 0;
	d2 = (uint32_t)__builtin_ctz(dot);
	if ((dot &= dot - 1) == 0)
		return 0;
	d3 = (uint32_t)__builtin_ctz(dot);
	if ((dot & (dot - 1)) != 0)
		return 0;
	return lx_dec_octet_at(p, d1) && lx_dec_octet_at(p + d1 + 1, d2 - d1 - 1) &&
	       lx_dec_octet_at(p + d2 + 1, d3 - d2 - 1) && lx_dec_octet_at(p + d3 + 1, n - d3 - 1);
}

/* Count of octets of class cls from i, stopping at end.  For a class of
 * one bit (LX_TOKEN, LX_HOST, LX_DIGIT, ...) four octets are tested at
 * once: the AND of their rows keeps the bit only if all four have it. */
static inline uint32_t lx_span_cls(const char *b, uint32_t i, uint32_t end, unsigned cls)
{
	const unsigned char *u = (const unsigned char *)b;
	uint32_t n = 0;

	if ((cls & (cls - 1)) == 0)
		while (i + n + 4 <= end && (sip_lex[u[i + n]] & sip_lex[u[i + n + 1]] &
					    sip_lex[u[i + n + 2]] & sip_lex[u[i + n + 3]] & cls))
			n += 4;
	while (i + n < end && (sip_lex[(unsigned char)b[i + n]] & cls))
		n++;
	return n;
}

/*
 * Line-end masks of 64-octet blocks, for the message parser's pass over a
 * header section (msg.c): bit k of a block's mask is set when octet k is
 * CR or LF.  Three implementations compute the same masks: plain C (eight
 * octets per word), SSE2 (the x86-64 baseline) and AVX2 (chosen at run
 * time when the CPU has it).  LX_SIMD_REF is not a mask implementation: it
 * makes sip_msg_parse() take its reference path, line by line without the
 * block masks, which the fast path must agree with on every field (tests
 * and fuzz_sip_parse compare the two).
 */
enum lx_simd {
	LX_SIMD_REF = 0,
	LX_SIMD_C,
	LX_SIMD_SSE2,
	LX_SIMD_AVX2,
	LX_SIMD__COUNT
};

/* Masks of up to n consecutive 64-octet blocks at p into eol[]: it stops
 * after the first block that holds two line ends two octets apart (the
 * likely end of a header section, CRLF CRLF), or after the block that
 * follows it, and returns how many it computed, 1 to n (n >= 1); it reads
 * 64 octets per block computed. */
typedef unsigned (*lx_masks_fn)(const char *p, unsigned n, uint64_t *eol);

/* The implementation in use (the best the CPU has, unless one was chosen
 * with lx_simd_select()); one atomic load once resolved. */
enum lx_simd lx_simd_level(void);

/* The mask function of the level in use, NULL for LX_SIMD_REF. */
lx_masks_fn lx_masks_in_use(void);

/* Use this level from now on (tests, fuzzing, benchmarks; process-wide).
 * 0, or -1 when this build or CPU does not have it.  LX_SIMD__COUNT
 * restores the automatic choice. */
int lx_simd_select(enum lx_simd level);

/* The mask function of a level above LX_SIMD_REF, or NULL when this
 * build or CPU does not have it. */
lx_masks_fn lx_masks_get(enum lx_simd level);

/* The mask of the n (< 64) octets at p, bytewise; bits from n up are 0. */
uint64_t lx_masks_tail(const char *p, uint32_t n);

#endif
