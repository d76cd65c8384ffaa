/*
 * sdp_scan.h - internal to sdp.c: the octet scans of the fast SDP path.
 *
 * Three questions, asked many times per body: where does this line end
 * (the first octet <= 13: LF, CR and NUL are among them), where are the
 * SP/HTAB separators, dots and digits of a short line (bit masks, one bit
 * per octet), and what is this attribute name, compared eight octets at a
 * time.
 *
 * Loads stay inside [lo, end), the SDP body the caller handed in, so a
 * guard page right after it (or right before it) is never touched: a last
 * short piece is one load that ends at end, shifted past the octets it
 * repeats.  Bodies shorter than one load go bytewise.  Every scan has a
 * plain C form (simd == 0) and an SSE2 form (simd == 1), picked by the
 * caller with a constant so each instance is inlined; both are tested
 * (sdp_simd_level in sdp_ref.h).  Nothing allocates or writes.
 */
#ifndef SIPALG_SIP_SDP_SCAN_H
#define SIPALG_SIP_SDP_SCAN_H

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define SCAN_INLINE static inline __attribute__((always_inline))

#ifdef __SSE2__
/* Bit k: octet k of the sixteen at p is <= 13 (unsigned). */
SCAN_INLINE unsigned scan_ctl16(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(13)), v));
}
#endif

/*
 * First i' in [i, end) with b[i'] <= 13, or end.  Lines are short (20-40
 * octets), so the first load usually answers.
 */
SCAN_INLINE uint32_t scan_ctl(const char *b, uint32_t i, uint32_t lo, uint32_t end, int simd)
{
#ifdef __SSE2__
	if (simd) {
		unsigned m;

		for (; i + 16 <= end; i += 16)
			if ((m = scan_ctl16(b + i)) != 0)
				return i + (uint32_t)__builtin_ctz(m);
		if (i < end && end - lo >= 16) {
			m = scan_ctl16(b + end - 16) >> (i - (end - 16));
			return m ? i + (uint32_t)__builtin_ctz(m) : end;
		}
	}
#else
	(void)lo, (void)simd;
#endif
	while (i < end && (unsigned char)b[i] > 13)
		i++;
	return i;
}

/* Bit masks over the octets of a short line value: SP/HTAB, '.', digit. */
struct scan_masks {
	uint64_t wsp, dot, dig;
};

#ifdef __SSE2__
SCAN_INLINE void scan_masks16(const char *p, unsigned sh, unsigned k, struct scan_masks *m)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	__m128i w = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
				 _mm_cmpeq_epi8(v, _mm_set1_epi8('\t')));

	m->wsp |= (uint64_t)((unsigned)_mm_movemask_epi8(w) >> sh) << k;
	m->dot |= (uint64_t)((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))) >> sh)
		  << k;
	m->dig |= (uint64_t)((unsigned)_mm_movemask_epi8(
				     _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)) >> sh)
		  << k;
}
#endif

/*
 * The masks of the n octets at b[i] (0 < n < 64), bit k for b[i + k]; no
 * bit at or above n.
 */
SCAN_INLINE struct scan_masks scan_line(const char *b, uint32_t i, uint32_t n, uint32_t lo,
					uint32_t end, int simd)
{
	struct scan_masks m = { 0, 0, 0 };
	uint64_t all = (1ull << n) - 1;

#ifdef __SSE2__
	if (simd && end - lo >= 16) {
		for (uint32_t k = 0; k < n; k += 16) {
			uint32_t p = i + k;
			if (p + 16 <= end)
				scan_masks16(b + p, 0, k, &m);
			else
				scan_masks16(b + end - 16, p - (end - 16), k, &m);
		}
		m.wsp &= all;
		m.dot &= all;
		m.dig &= all;
		return m;
	}
#else
	(void)lo, (void)end, (void)simd;
#endif
	for (uint32_t k = 0; k < n; k++) {
		char c = b[i + k];
		m.wsp |= (uint64_t)(c == ' ' || c == '\t') << k;
		m.dot |= (uint64_t)(c == '.') << k;
		m.dig |= (uint64_t)(c >= '0' && c <= '9') << k;
	}
	(void)all;
	return m;
}

/*
 * The next field of a line from its mask of non-separator octets (bit k set
 * for a field octet at base + k; fewer than 64 bits used): 1 with *off and
 * *len set and the field's bits cleared, 0 when none is left.  Adding the
 * lowest set bit carries through the run of ones that starts there.
 */
SCAN_INLINE int scan_field(uint64_t *f, uint32_t base, uint32_t *off, uint32_t *len)
{
	uint64_t x = *f, t;
	uint32_t s;

	if (x == 0)
		return 0;
	t = x + (x & (~x + 1));
	s = (uint32_t)__builtin_ctzll(x);
	*off = base + s;
	*len = (uint32_t)__builtin_ctzll(t) - s; /* t != 0: bit 63 is never set */
	*f = x & t;
	return 1;
}

/* Eight octets at p as a little-endian word (memcpy: any alignment). */
SCAN_INLINE uint64_t scan_load64(const char *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* ASCII A-Z to a-z in all eight octets of w at once, nothing else changed:
 * per octet, bit 7 of (low seven bits + 0x80 - 'A') says >= 'A', that of
 * (+ 0x80 - 'Z' - 1) says > 'Z'; octets with bit 7 set are not letters. */
SCAN_INLINE uint64_t scan_lower8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t h = w & (0x7f * ones);
	uint64_t up = (h + (0x80 - 'A') * ones) & ~(h + (0x80 - 'Z' - 1) * ones) & ~w & (0x80 * ones);

	return w | (up >> 2);
}

/* Index of the first ':' among the eight octets of w, or 8. */
SCAN_INLINE uint32_t scan_colon8(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t x = w ^ (':' * ones);
	uint64_t z = (x - ones) & ~x & (0x80 * ones); /* exact up to the first hit */

	return z ? (uint32_t)__builtin_ctzll(z) >> 3 : 8;
}

#endif
