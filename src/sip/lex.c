/* lex.c - octet classes and scanners of the §25.1 grammar (lex.h). */
#ifdef __SSE2__
#include <emmintrin.h>
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
