/* lex.c - octet classes and scanners of the §25.1 grammar (lex.h). */
#include <stdatomic.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "error.h"
#include "lex.h"

#define AL (LX_ALPHA | LX_TOKEN | LX_WORD | LX_UNRES | LX_TEXT | LX_HOST)
#define HX (AL | LX_HEX)
#define DG (LX_DIGIT | LX_HEX | LX_TOKEN | LX_WORD | LX_UNRES | LX_TEXT | LX_HOST)
#define T LX_TEXT

/* One row per class of octet; see lex.h for what each bit means. */
const uint16_t sip_lex[256] = {
	['\t'] = LX_WS | LX_LWS,
	['\n'] = LX_LWS,
	['\r'] = LX_LWS,
	[' '] = LX_WS | LX_LWS,
	['!'] = T | LX_TOKEN | LX_WORD | LX_UNRES,
	['"'] = T | LX_WORD | LX_LIST,
	['#'] = T,
	['$'] = T | LX_USER | LX_PASS | LX_PARAM | LX_HNV,
	['%'] = T | LX_TOKEN | LX_WORD,
	['&'] = T | LX_USER | LX_PASS | LX_PARAM,
	['\''] = T | LX_TOKEN | LX_WORD | LX_UNRES,
	['('] = T | LX_WORD | LX_UNRES,
	[')'] = T | LX_WORD | LX_UNRES,
	['*'] = T | LX_TOKEN | LX_WORD | LX_UNRES,
	['+'] = T | LX_TOKEN | LX_WORD | LX_USER | LX_PASS | LX_PARAM | LX_HNV,
	[','] = T | LX_USER | LX_PASS | LX_LIST,
	['-'] = T | LX_TOKEN | LX_WORD | LX_UNRES | LX_HOST,
	['.'] = T | LX_TOKEN | LX_WORD | LX_UNRES | LX_HOST,
	['/'] = T | LX_WORD | LX_USER | LX_PARAM | LX_HNV,
	['0' ... '9'] = DG,
	[':'] = T | LX_WORD | LX_PARAM | LX_HNV,
	[';'] = T | LX_USER,
	['<'] = T | LX_WORD | LX_LIST,
	['='] = T | LX_USER | LX_PASS,
	['>'] = T | LX_WORD | LX_LIST,
	['?'] = T | LX_WORD | LX_USER | LX_HNV,
	['@'] = T,
	['A' ... 'F'] = HX,
	['G' ... 'Z'] = AL,
	['['] = T | LX_WORD | LX_PARAM | LX_HNV,
	['\\'] = T | LX_WORD,
	[']'] = T | LX_WORD | LX_PARAM | LX_HNV,
	['^'] = T,
	['_'] = T | LX_TOKEN | LX_WORD | LX_UNRES,
	['`'] = T | LX_TOKEN | LX_WORD,
	['a' ... 'f'] = HX,
	['g' ... 'z'] = AL,
	['{'] = T | LX_WORD,
	['|'] = T,
	['}'] = T | LX_WORD,
	['~'] = T | LX_TOKEN | LX_WORD | LX_UNRES,
	[0x80 ... 0xff] = LX_UTF8 | T,
};

uint32_t lx_find_ctl(const char *b, uint32_t i, uint32_t end)
{
#ifdef __SSE2__
	/* unsigned c < 0x20  <=>  max(c, 0x1f) == 0x1f; DEL compared apart */
	const __m128i lim = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);

	while (i + 16 <= end) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		__m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(v, lim), lim);
		unsigned hit = (unsigned)_mm_movemask_epi8(_mm_or_si128(ctl, _mm_cmpeq_epi8(v, del)));
		if (hit)
			return i + (uint32_t)__builtin_ctz(hit);
		i += 16;
	}
#endif
	while (i < end && (unsigned char)b[i] >= 0x20 && b[i] != 0x7f)
		i++;
	return i;
}

uint32_t lx_skip_lws_slow(const char *b, uint32_t i, uint32_t end)
{
	for (;;) {
		while (i < end && lx_is((unsigned char)b[i], LX_WS))
			i++;
		uint32_t j = i;
		if (j < end && b[j] == '\r')
			j++;
		if (j < end && b[j] == '\n' && j + 1 < end &&
		    lx_is((unsigned char)b[j + 1], LX_WS)) {
			i = j + 1;
			continue;
		}
		return i;
	}
}

/* quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE (§25.1).  Any
 * octet but '"', '\\' and line ends passes here; sip_msg_validate() is
 * where the strict qdtext check lives. */
uint32_t lx_quoted_end(const char *b, uint32_t i, uint32_t end)
{
	for (i++; i < end; i++) {
		if (b[i] == '"')
			return i + 1;
		if (b[i] == '\\') {
			if (++i >= end)
				return 0;
		}
	}
	return 0;
}

/* qdtext = LWS / %x21 / %x23-5B / %x5D-7E / UTF8-NONASCII, quoted-pair =
 * "\" (%x00-09 / %x0B-0C / %x0E-7F): a pair may escape a NUL (RFC 4475
 * intmeth), never a line end. */
int lx_quoted(const char *b, uint32_t i, uint32_t end)
{
	for (i++; i < end; i++) {
		unsigned char c = (unsigned char)b[i];
		if (c == '"')
			return (int)(i + 1);
		if (c == '\\') {
			if (i + 1 >= end)
				return SIP_EQUOTE;
			c = (unsigned char)b[++i];
			if (c == '\n' || c == '\r' || c > 0x7f)
				return SIP_ECHAR;
		} else if (c == '\r' || c == '\n') {
			uint32_t k = lx_skip_lws(b, i, end);
			if (k == i)
				return SIP_ECHAR; /* a line end that is not a fold */
			i = k - 1;
		} else if (c < ' ' ? c != '\t' : c == 0x7f) {
			return SIP_ECHAR;
		}
	}
	return SIP_EQUOTE;
}

int lx_gen_value_ok(const char *b, struct sip_span v)
{
	uint32_t i = v.off, e = v.off + v.len;

	if (v.len == 0)
		return 0;
	if (b[i] == '"')
		return lx_quoted(b, i, e) == (int)e;
	for (; i < e; i++)
		if (!lx_is((unsigned char)b[i], LX_TOKEN) && b[i] != ':' && b[i] != '[' &&
		    b[i] != ']')
			return 0;
	return 1;
}

/* ---- block masks (lex.h): three implementations of one function ---- */

/* Bit k: octet k of the word (memory order) is c.  Exact, no carries
 * between octets: ((x & 0x7f..) + 0x7f..) | x has an octet's top bit set
 * iff the octet is not zero; the multiply gathers the eight top bits
 * (shifted to bit 0 of each octet) into the top octet, octet k at bit
 * 56 + k, and no two partial products land on the same bit. */
static inline unsigned eq8(uint64_t v, uint64_t c8)
{
	const uint64_t lo7 = 0x7f7f7f7f7f7f7f7full;
	uint64_t x = v ^ c8;
	uint64_t z = ~(((x & lo7) + lo7) | x | lo7);

	return (unsigned)(((z >> 7) * 0x0102040810204080ull) >> 56);
}

/* Two line-end octets two apart (CRLF CRLF, LF LF, ...): most likely the
 * empty line that ends a header section, after which the message parser
 * needs no more masks.  Only a hint for where to stop: the caller asks
 * again when it needs more. */
static inline int eol_stop(uint64_t eol)
{
	return (eol & (eol >> 2)) != 0;
}

static uint64_t masks_c1(const char *p)
{
	const uint64_t ones = 0x0101010101010101ull;
	uint64_t eol = 0;

	for (unsigned k = 0; k < 64; k += 8) {
		uint64_t v;
		memcpy(&v, p + k, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		v = __builtin_bswap64(v); /* octet 0 in the low bits */
#endif
		eol |= (uint64_t)(eq8(v, ones * '\r') | eq8(v, ones * '\n')) << k;
	}
	return eol;
}

uint64_t lx_masks_tail(const char *p, uint32_t n)
{
	uint64_t eol = 0;

	for (uint32_t k = 0; k < n && k < 64; k++)
		eol |= (uint64_t)(p[k] == '\r' || p[k] == '\n') << k;
	return eol;
}

#ifdef __SSE2__
static inline unsigned masks16(const char *p)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i e = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')),
				 _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')));

	return (unsigned)_mm_movemask_epi8(e);
}

static unsigned masks_sse2(const char *p, unsigned n, uint64_t *eol)
{
	for (unsigned k = 0; k < n; k++, p += 64) {
		eol[k] = masks16(p) | (uint64_t)masks16(p + 16) << 16 |
			 (uint64_t)masks16(p + 32) << 32 | (uint64_t)masks16(p + 48) << 48;
		if (eol_stop(eol[k]))
			return k + 1;
	}
	return n;
}
#endif

static unsigned masks_c(const char *p, unsigned n, uint64_t *eol)
{
	for (unsigned k = 0; k < n; k++) {
		eol[k] = masks_c1(p + 64 * k);
		if (eol_stop(eol[k]))
			return k + 1;
	}
	return n;
}

#if defined(__x86_64__) && defined(__GNUC__)
#define LX_HAVE_AVX2 1
/* The line-end mask of the 64 octets at p.  One shuffle classifies both
 * octets: the table t, indexed by an octet's low four bits, holds LF at
 * 0x0a, CR at 0x0d and 0xff elsewhere.  An octet below 0x80 equals its
 * entry only if it is LF or CR (0xff is no such octet); one from 0x80 up
 * shuffles to 0. */
__attribute__((target("avx2"))) static inline uint64_t mask64_avx2(const char *p, __m256i t)
{
	__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
	uint32_t ea = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(t, a), a));
	uint32_t eb = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(t, b), b));

	return ea | (uint64_t)eb << 32;
}

/* Two blocks a step, so the stop hint is tested once per two blocks: it
 * may stop one block after the one that holds the hint (lx_masks_fn
 * allows it). */
__attribute__((target("avx2"))) static unsigned masks_avx2(const char *p, unsigned n,
							     uint64_t *eol)
{
	const __m256i t = _mm256_setr_epi8(-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, '\n', -1, -1,
					   '\r', -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
					   '\n', -1, -1, '\r', -1, -1);
	uint64_t *o = eol, *const pairs_end = eol + (n & ~1u);

	for (; o != pairs_end; o += 2, p += 128) {
		uint64_t e0 = mask64_avx2(p, t), e1 = mask64_avx2(p + 64, t);

		o[0] = e0;
		o[1] = e1;
		if ((e0 & e0 >> 2) | (e1 & e1 >> 2)) /* eol_stop() of either */
			return (unsigned)(o - eol) + 2;
	}
	if (n & 1)
		*o++ = mask64_avx2(p, t);
	return (unsigned)(o - eol);
}
#endif

lx_masks_fn lx_masks_get(enum lx_simd level)
{
	switch (level) {
	case LX_SIMD_C:
		return masks_c;
#ifdef __SSE2__
	case LX_SIMD_SSE2:
		return masks_sse2;
#endif
#ifdef LX_HAVE_AVX2
	case LX_SIMD_AVX2:
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx2") ? masks_avx2 : NULL;
#endif
	default:
		return NULL;
	}
}

/* -1: not chosen yet.  Every thread that resolves it stores the same.
 * simd_fn is the level's mask function, stored before the level, so that
 * lx_masks_in_use() pays no CPU feature test per call. */
static atomic_int simd_level = -1;
static _Atomic(lx_masks_fn) simd_fn;

static void level_store(int l)
{
	atomic_store_explicit(&simd_fn, l > LX_SIMD_REF ? lx_masks_get((enum lx_simd)l) : NULL,
			      memory_order_relaxed);
	atomic_store_explicit(&simd_level, l, memory_order_release);
}

enum lx_simd lx_simd_level(void)
{
	int l = atomic_load_explicit(&simd_level, memory_order_acquire);

	if (l < 0) {
		l = LX_SIMD__COUNT - 1;
		while (l > LX_SIMD_C && !lx_masks_get((enum lx_simd)l))
			l--;
		level_store(l);
	}
	return (enum lx_simd)l;
}

lx_masks_fn lx_masks_in_use(void)
{
	if (atomic_load_explicit(&simd_level, memory_order_acquire) < 0)
		lx_simd_level();
	return atomic_load_explicit(&simd_fn, memory_order_relaxed);
}

int lx_simd_select(enum lx_simd level)
{
	if (level == LX_SIMD__COUNT) {
		atomic_store_explicit(&simd_level, -1, memory_order_relaxed);
		return 0;
	}
	if (level != LX_SIMD_REF && !lx_masks_get(level))
		return -1;
	level_store((int)level);
	return 0;
}
