/*
 * sdp_scan.h - internal to sdp.c: the octet scans of the fast SDP path.
 *
 * Three questions, asked many times per body: where does this line end
 * (the first octet <= 13: LF, CR and NUL are among them), where are the
 * SP/HTAB separators of a short line and the digits and dots of an
 * address (bit masks, one bit per octet), and what is this attribute
 * name, compared eight octets at a time.
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

/*
 * The line-end map of a whole body: bit k of bits[w] is set when octet
 * lo + 64 w + k is an LF.  nw = ceil(n / 64) words are written and
 * bits[nw] = 0 after them.  The same pass checks that every other octet
 * <= 13 (CR, NUL, HTAB, ...) stands right before an LF: when one does
 * not, the map is refused (-1) and the caller lets the reference parser
 * judge the body; the line loop checks the one before each LF.  One pass,
 * 64 octets a step; the last short step is one that ends at end, shifted
 * down.  The AVX2 form is a separate function (its own target), called
 * once per body.
 */
struct scan_cl {
	uint64_t c, l; /* octets <= 13, LFs */
};

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

/* The octets of [i, end) (fewer than eight) as scan_load64() would load
 * them, zero after them: the last line's first octets. */
SCAN_INLINE uint64_t scan_tail8(const char *b, uint32_t i, uint32_t end)
{
	uint64_t w = 0;

	for (uint32_t k = 0; i + k < end; k++)
		w |= (uint64_t)(unsigned char)b[i + k] << (8 * k);
	return w;
}

/* Bit 7 of each octet of hi-bit mask h to bit k of a byte (gather by one
 * multiply: every product bit lands in its own place, no carries). */
SCAN_INLINE uint64_t scan_gather8(uint64_t h)
{
	return ((h >> 7) * 0x0102040810204080ull) >> 56;
}

/* High bit of each octet of x that equals c (x ^ c is zero: its low seven
 * bits + 0x7f reach 0x80 unless all are zero). */
SCAN_INLINE uint64_t scan_eq8(uint64_t x, unsigned char c)
{
	const uint64_t ones = 0x0101010101010101ull, lo7 = 0x7f * ones;
	uint64_t y = x ^ (c * ones);

	return ~(((y & lo7) + lo7) | y) & (0x80 * ones);
}

/* High bit of each octet of x that is <= k (k < 0x80). */
SCAN_INLINE uint64_t scan_le8(uint64_t x, unsigned char k)
{
	const uint64_t ones = 0x0101010101010101ull, lo7 = 0x7f * ones;

	return ~(((x & lo7) + (uint64_t)(0x7f - k) * ones) | x) & (0x80 * ones);
}

/* The plain form, eight octets per word: octet <= 13 iff its top bit is
 * clear and its low seven bits + 0x72 stay below 0x80; LF iff x ^ LF is 0,
 * tested the same way.  Exact per octet (no carry leaves an octet). */
SCAN_INLINE struct scan_cl scan_cl64_plain(const char *p)
{
	struct scan_cl r = { 0, 0 };

	for (int i = 0; i < 8; i++) {
		uint64_t x = scan_load64(p + 8 * i);
		r.c |= scan_gather8(scan_le8(x, 13)) << (8 * i);
		r.l |= scan_gather8(scan_eq8(x, '\n')) << (8 * i);
	}
	return r;
}

/* A body shorter than one step, octet by octet. */
SCAN_INLINE int32_t scan_map_short(const char *b, uint32_t lo, uint32_t end, uint64_t *bits)
{
	uint32_t n = end - lo, nw = (n + 63) / 64;

	for (uint32_t w = 0; w <= nw; w++)
		bits[w] = 0;
	for (uint32_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[lo + i];
		if (c == '\n')
			bits[i / 64] |= 1ull << (i % 64);
		else if (c <= 13 && (i + 1 == n || b[lo + i + 1] != '\n'))
			return -1;
	}
	return (int32_t)nw;
}

/* The loop of the vector forms over blk(p), the struct scan_cl of the 64
 * octets at p; x is the previous word's "<= 13 but not LF" bits, whose
 * top one needs this word's first LF bit.  Needs n >= 64. */
#define SCAN_MAP_STEP(k, w)                                                           \
	do {                                                                          \
		bad |= px & ~((pl >> 1) | ((k).l << 63));                             \
		px = (k).c & ~(k).l;                                                  \
		pl = (k).l;                                                           \
		bits[w] = (k).l;                                                      \
	} while (0)
#define SCAN_MAP_LOOP(blk)                                                            \
	do {                                                                          \
		uint64_t bad = 0, px = 0, pl = 0;                                     \
		const char *p = b + lo;                                               \
		uint32_t w = 0, full = n / 64;                                        \
		struct scan_cl k;                                                     \
		for (; w < full; w++, p += 64) {                                      \
			k = blk(p);                                                   \
			SCAN_MAP_STEP(k, w);                                          \
		}                                                                     \
		if (w < nw) {                                                         \
			uint32_t sh = nw * 64 - n;                                    \
			k = blk(b + end - 64);                                        \
			k.c >>= sh;                                                   \
			k.l >>= sh;                                                   \
			SCAN_MAP_STEP(k, w);                                          \
		}                                                                     \
		bad |= px & ~(pl >> 1);                                               \
		bits[nw] = 0;                                                         \
		return bad ? -1 : (int32_t)nw;                                        \
	} while (0)

SCAN_INLINE int32_t scan_map_plain(const char *b, uint32_t lo, uint32_t end, uint64_t *bits)
{
	uint32_t n = end - lo, nw = (n + 63) / 64;

	if (n < 64)
		return scan_map_short(b, lo, end, bits);
	SCAN_MAP_LOOP(scan_cl64_plain);
}

#ifdef __SSE2__
SCAN_INLINE struct scan_cl scan_cl64_sse2(const char *p)
{
	const __m128i k13 = _mm_set1_epi8(13), lf = _mm_set1_epi8('\n');
	struct scan_cl r = { 0, 0 };

	for (int i = 0; i < 4; i++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		r.c |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, k13), v))
		       << (16 * i);
		r.l |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)) << (16 * i);
	}
	return r;
}

SCAN_INLINE int32_t scan_map_sse2(const char *b, uint32_t lo, uint32_t end, uint64_t *bits)
{
	uint32_t n = end - lo, nw = (n + 63) / 64;

	if (n < 64)
		return scan_map_short(b, lo, end, bits);
	SCAN_MAP_LOOP(scan_cl64_sse2);
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SCAN_HAVE_AVX2 1
__attribute__((target("avx2,bmi"))) static inline struct scan_cl scan_cl64_avx2(const char *p)
{
	const __m256i k13 = _mm256_set1_epi8(13), lf = _mm256_set1_epi8('\n');
	__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i c = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
	uint32_t ca = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(a, k13), a));
	uint32_t cc = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(c, k13), c));
	uint32_t la = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(a, lf));
	uint32_t lc = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(c, lf));

	return (struct scan_cl){ (uint64_t)ca | (uint64_t)cc << 32, (uint64_t)la | (uint64_t)lc << 32 };
}

__attribute__((target("avx2,bmi"), noinline)) static int32_t scan_map_avx2(const char *b, uint32_t lo,
									uint32_t end, uint64_t *bits)
{
	uint32_t n = end - lo, nw = (n + 63) / 64;

	if (n < 64)
		return scan_map_short(b, lo, end, bits);
	SCAN_MAP_LOOP(scan_cl64_avx2);
}
#endif

#ifdef __SSE2__
/* Bit k: octet k of the sixteen at p is SP or HTAB. */
SCAN_INLINE unsigned scan_wsp16(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
							_mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
}
#endif

/*
 * SP/HTAB mask of the n octets at b[i] (0 <= n < 64), bit k for b[i + k];
 * no bit at or above n.
 */
SCAN_INLINE uint64_t scan_line(const char *b, uint32_t i, uint32_t n, uint32_t lo, uint32_t end,
			       int simd)
{
	uint64_t m = 0;

#ifdef __SSE2__
	/* the o= and m= lines of a body: three loads, no tail to mind */
	if (simd && n <= 48 && end - i >= 48) {
		m = scan_wsp16(b + i) | (uint64_t)scan_wsp16(b + i + 16) << 16 |
		    (uint64_t)scan_wsp16(b + i + 32) << 32;
		return m & ((1ull << n) - 1);
	}
	if (simd && end - lo >= 16) {
		for (uint32_t k = 0; k < n; k += 16) {
			uint32_t p = i + k;
			if (p + 16 <= end)
				m |= (uint64_t)scan_wsp16(b + p) << k;
			else
				m |= (uint64_t)(scan_wsp16(b + end - 16) >> (p - (end - 16))) << k;
		}
		return m & ((1ull << n) - 1);
	}
#else
	(void)simd;
#endif
	if (end - lo >= 8) {
		for (uint32_t k = 0; k < n; k += 8) {
			uint32_t p = i + k, sh = 0;
			uint64_t x;
			if (p + 8 > end) {
				sh = p - (end - 8);
				p = end - 8;
			}
			x = scan_load64(b + p);
			m |= (scan_gather8(scan_eq8(x, ' ') | scan_eq8(x, '\t')) >> sh) << k;
		}
		return m & ((1ull << n) - 1);
	}
	for (uint32_t k = 0; k < n; k++)
		m |= (uint64_t)(b[i + k] == ' ' || b[i + k] == '\t') << k;
	return m;
}

/*
 * Digit and '.' masks of the sixteen octets at b[i] (those before end;
 * i < end): for an IPv4 literal of up to fifteen.
 */
SCAN_INLINE void scan_ip16(const char *b, uint32_t i, uint32_t lo, uint32_t end, int simd,
			   uint32_t *dig, uint32_t *dot)
{
#ifdef __SSE2__
	if (simd && end - lo >= 16) {
		uint32_t p = i + 16 <= end ? i : end - 16, sh = i - p;
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + p));
		__m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));

		*dig = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)) >> sh;
		*dot = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.'))) >> sh;
		return;
	}
#else
	(void)simd;
#endif
	if (end - lo >= 16) {
		uint32_t p = i + 16 <= end ? i : end - 16, sh = i - p;
		uint64_t x = scan_load64(b + p), y = scan_load64(b + p + 8);
		*dig = (uint32_t)(scan_gather8(scan_le8(x ^ 0x3030303030303030ull, 9)) |
				  scan_gather8(scan_le8(y ^ 0x3030303030303030ull, 9)) << 8) >> sh;
		*dot = (uint32_t)(scan_gather8(scan_eq8(x, '.')) | scan_gather8(scan_eq8(y, '.')) << 8) >> sh;
		return;
	}
	*dig = *dot = 0;
	for (uint32_t k = 0; k < 16 && i + k < end; k++) {
		*dig |= (uint32_t)(b[i + k] >= '0' && b[i + k] <= '9') << k;
		*dot |= (uint32_t)(b[i + k] == '.') << k;
	}
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

/*
 * The value of the n digits at p (1 <= n <= 8; eight octets loadable at
 * p): 1 with *v set when all n are digits, else 0.  The n octets are
 * moved to the top of a word and the low ones filled with '0' (leading
 * zeros); every octet is then 0x30-0x39 iff its high nibble is 3 before
 * and after adding 6 (no carry leaves an octet).  The first octet is the
 * most significant digit: pairs, then quads, then the eight are combined
 * by three multiplies.
 */
SCAN_INLINE int scan_digits8(const char *p, uint32_t n, uint32_t *v)
{
	const uint64_t zeros = 0x3030303030303030ull, hi = 0xf0f0f0f0f0f0f0f0ull;
	uint32_t sh = 8 * (8 - n);
	uint64_t w = scan_load64(p) << sh | (zeros & ~(~0ull << sh));

	if ((w & hi) != zeros || ((w + 0x0606060606060606ull) & hi) != zeros)
		return 0;
	w -= zeros;
	w = (w * 10 + (w >> 8)) & 0x00ff00ff00ff00ffull;
	w = (w * 100 + (w >> 16)) & 0x0000ffff0000ffffull;
	*v = (uint32_t)((w * 10000 + (w >> 32)) & 0xffffffffull);
	return 1;
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
