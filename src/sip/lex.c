/* lex.c - octet classes and scanners of the §25.1 grammar (lex.h). */
#include "lex.h"

#define AL (LX_ALPHA | LX_TOKEN | LX_WORD | LX_UNRES | LX_TEXT)
#define HX (AL | LX_HEX)
#define DG (LX_DIGIT | LX_HEX | LX_TOKEN | LX_WORD | LX_UNRES | LX_TEXT)
#define T LX_TEXT

/* One row per class of octet; see lex.h for what each bit means. */
const uint16_t sip_lex[256] = {
	['\t'] = LX_WS,
	[' '] = LX_WS,
	['!'] = T | LX_TOKEN | LX_WORD | LX_UNRES,
	['"'] = T | LX_WORD,
	['#'] = T,
	['$'] = T | LX_USER | LX_PASS | LX_PARAM | LX_HNV,
	['%'] = T | LX_TOKEN | LX_WORD,
	['&'] = T | LX_USER | LX_PASS | LX_PARAM,
	['\''] = T | LX_TOKEN | LX_WORD | LX_UNRES,
	['('] = T | LX_WORD | LX_UNRES,
	[')'] = T | LX_WORD | LX_UNRES,
	['*'] = T | LX_TOKEN | LX_WORD | LX_UNRES,
	['+'] = T | LX_TOKEN | LX_WORD | LX_USER | LX_PASS | LX_PARAM | LX_HNV,
	[','] = T | LX_USER | LX_PASS,
	['-'] = T | LX_TOKEN | LX_WORD | LX_UNRES,
	['.'] = T | LX_TOKEN | LX_WORD | LX_UNRES,
	['/'] = T | LX_WORD | LX_USER | LX_PARAM | LX_HNV,
	['0' ... '9'] = DG,
	[':'] = T | LX_WORD | LX_PARAM | LX_HNV,
	[';'] = T | LX_USER,
	['<'] = T | LX_WORD,
	['='] = T | LX_USER | LX_PASS,
	['>'] = T | LX_WORD,
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

struct sip_span lx_trim(const char *b, struct sip_span s)
{
	uint32_t i = s.off, e = s.off + s.len;

	while (i < e && (lx_is((unsigned char)b[i], LX_WS) || b[i] == '\r' || b[i] == '\n'))
		i++;
	while (e > i && (lx_is((unsigned char)b[e - 1], LX_WS) || b[e - 1] == '\r' ||
			 b[e - 1] == '\n'))
		e--;
	return sip_span_make(i, e - i);
}

uint32_t lx_skip_lws(const char *b, uint32_t i, uint32_t end)
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
