/*
 * hdr_index.h - internal to the wire library: the index of header names
 * that hdr_table.c builds from its rows, and the lookup over it, inline
 * so that the message parser (one lookup per header line, its largest
 * single cost) pays no call for it.
 *
 * Not a public header (msg.h has sip_hdr_lookup for everyone else).  The
 * index is built once, thread-safely, by sip_hdr_index_ensure() and is
 * read-only after that.  Every hit is confirmed on the whole name,
 * case-insensitively: a hash alone would let an unknown header pass for a
 * known one (STYLE.md §6).
 */
#ifndef SIPALG_SIP_HDR_INDEX_H
#define SIPALG_SIP_HDR_INDEX_H

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "msg.h"

#define SIP_HDR_NAME_MAX 24 /* longest name the index holds */

/* A row's code, what the message parser's fast path stores and tests:
 * the id in the low octet, the compact flag in the next (struct
 * sip_hdr's id and compact, in one 16-bit store), and SIP_HDR_CODE_MORE
 * on the headers that the parser does more for (Content-Length, Via). */
#define SIP_HDR_CODE_COMPACT (1u << 8)
#define SIP_HDR_CODE_MORE (1u << 16)

static inline uint32_t sip_hdr_code(enum sip_hdr_id id)
{
	return id | (id == SIP_HDR_CONTENT_LENGTH || id == SIP_HDR_VIA ? SIP_HDR_CODE_MORE : 0);
}

/* One row of hdr_table.c as the lookup reads it: 64 octets (an index is
 * a shift), 64-aligned, so that lc and letters are each one aligned
 * sixteen-octet load. */
struct sip_hdr_key {
	unsigned char lc[SIP_HDR_NAME_MAX]; /* the name in lower case */
	uint32_t code; /* sip_hdr_code(id) */
	uint8_t next;  /* next row with the same (length, first letter), 0: none */
	uint8_t id;    /* enum sip_hdr_id */
	uint8_t pad0[2];
	unsigned char letters[SIP_HDR_NAME_MAX]; /* 0x20 under each letter, else 0 */
	uint8_t pad1[64 - 2 * SIP_HDR_NAME_MAX - 8];
};

/* A long name's candidates: by_key[len][first octet] is the index in
 * sip_hdr_keys[] of the first (0: none), under both cases of a letter
 * (a whole octet, so that the lookup needs no mask).  Row 0 is no name: its
 * letters and lc are zero and its code 0 (SIP_HDR_OTHER), so that a
 * lookup may compare it instead of testing for it.  The last length,
 * SIP_HDR_NAME_MAX + 1, has no rows: sip_hdr_index_code_v() looks there
 * for a name with no colon in its sixteen octets.  A compact form:
 * by_compact[letter & 31]. */
extern _Alignas(64) struct sip_hdr_key sip_hdr_keys[];
extern uint8_t sip_hdr_by_key[SIP_HDR_NAME_MAX + 2][256];
extern uint8_t sip_hdr_by_compact[32];
extern atomic_int sip_hdr_index_ready;
void sip_hdr_index_build(void);

static inline void sip_hdr_index_ensure(void)
{
	if (!atomic_load_explicit(&sip_hdr_index_ready, memory_order_acquire))
		sip_hdr_index_build();
}

/* n (2, 4 or 8) octets at off equal the row's lower-case name, or differ
 * from one of its letters by the case bit only. */
static inline int sip_hdr_chunk_eq(const char *p, size_t off, const struct sip_hdr_key *k, size_t n)
{
	uint64_t a = 0, l = 0, m = 0;

	memcpy(&a, p + off, n);
	memcpy(&l, k->lc + off, n);
	memcpy(&m, k->letters + off, n);
	return ((a ^ l) & ~m) == 0;
}

/* Case-insensitive equality of p[0, len) (2 <= len <= SIP_HDR_NAME_MAX)
 * with a row's name of that length, in chunks that may overlap so that no
 * load passes the end of the name. */
static inline int sip_hdr_name_eq(const char *p, size_t len, const struct sip_hdr_key *k)
{
	if (len < 4)
		return sip_hdr_chunk_eq(p, 0, k, 2) && sip_hdr_chunk_eq(p, len - 2, k, 2);
	if (len < 8)
		return sip_hdr_chunk_eq(p, 0, k, 4) && sip_hdr_chunk_eq(p, len - 4, k, 4);
	for (size_t i = 0; i + 8 < len; i += 8)
		if (!sip_hdr_chunk_eq(p, i, k, 8))
			return 0;
	return sip_hdr_chunk_eq(p, len - 8, k, 8);
}

/* The header whose compact form is the octet c (any case), or
 * SIP_HDR_OTHER. */
static inline enum sip_hdr_id sip_hdr_index_compact(unsigned char c)
{
	unsigned r;

	c |= 0x20u;
	r = c >= 'a' && c <= 'z' ? sip_hdr_by_compact[c & 31] : 0;
	return r ? (enum sip_hdr_id)sip_hdr_keys[r].id : SIP_HDR_OTHER;
}

/* The header whose long name is p[0, len) (any case), or SIP_HDR_OTHER. */
static inline enum sip_hdr_id sip_hdr_index_long(const char *p, size_t len)
{
	if (len - 2 <= SIP_HDR_NAME_MAX - 2)
		for (unsigned r = sip_hdr_by_key[len][(unsigned char)p[0]]; r;
		     r = sip_hdr_keys[r].next)
			if (sip_hdr_name_eq(p, len, &sip_hdr_keys[r]))
				return (enum sip_hdr_id)sip_hdr_keys[r].id;
	return SIP_HDR_OTHER;
}

/* sip_hdr_lookup() on a built index (sip_hdr_index_ensure() first). */
static inline enum sip_hdr_id sip_hdr_index_lookup(const char *p, size_t len, uint8_t *compact)
{
	*compact = 0;
	if (len - 2 <= SIP_HDR_NAME_MAX - 2) {
		return sip_hdr_index_long(p, len);
	} else if (len == 1) {
		enum sip_hdr_id id = sip_hdr_index_compact((unsigned char)p[0]);
		*compact = id != SIP_HDR_OTHER;
		return id;
	}
	return SIP_HDR_OTHER;
}

#ifdef __SSE2__
/* The code of the row whose name is the first len octets of a (first:
 * its first octet), or 0 (SIP_HDR_OTHER): one sixteen-octet compare per
 * candidate row (equal where the octet matches the row's lower-case name,
 * or differs from one of its letters by the case bit only; the run of
 * equal octets from the start must cover the name).  len is 0 to
 * SIP_HDR_NAME_MAX + 1; lengths with no row (0, 1, over 16) compare row 0
 * and give 0.  A row's name is a token: a name that is found holds no CR,
 * LF, SP, HT or colon. */
static inline uint32_t sip_hdr_index_code_v(__m128i a, unsigned char first, unsigned len)
{
	unsigned r = sip_hdr_by_key[len][first];

	for (;;) {
		const struct sip_hdr_key *k = &sip_hdr_keys[r];
		__m128i l = _mm_load_si128((const __m128i *)(const void *)k->lc);
		__m128i m = _mm_load_si128((const __m128i *)(const void *)k->letters);
		/* lc has the case bit set under each letter, so setting it in
		 * a too leaves the octets that may differ by it alone */
		unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(a, m), l));
		if (__builtin_expect((unsigned)__builtin_ctz(~eq) >= len, 1))
			return k->code;
		if (!(r = k->next))
			return 0;
	}
}

/* The id of the row whose name is the first len (2 to 16) octets of a,
 * or SIP_HDR_OTHER. */
static inline enum sip_hdr_id sip_hdr_index_lookup_v(__m128i a, unsigned char first, unsigned len)
{
	return (enum sip_hdr_id)(uint8_t)sip_hdr_index_code_v(a, first, len);
}
#endif

/* sip_hdr_index_lookup() for a caller that may read sixteen octets at p
 * (the message parser, inside the caller's buffer): a name of 2 to 16
 * octets goes through sip_hdr_index_lookup_v().  Other lengths take
 * sip_hdr_index_lookup(). */
static inline enum sip_hdr_id sip_hdr_index_lookup16(const char *p, size_t len, uint8_t *compact)
{
#ifdef __SSE2__
	if (len - 2 <= 16 - 2) {
		*compact = 0; /* a compact name is one octet */
		return sip_hdr_index_lookup_v(_mm_loadu_si128((const __m128i *)(const void *)p),
					      (unsigned char)p[0], (unsigned)len);
	}
#endif
	return sip_hdr_index_lookup(p, len, compact);
}

#endif
