/*
 * param_step.h - internal to the wire library: one step through a
 * ;name[=value] parameter list, with a fast path for the common shape.
 *
 * Not a public header.  Header parameters are nearly always token names
 * with token values, no LWS and no quotes (";branch=z9hG4bK..", ";tag=..",
 * ";rport").  param_step() takes such a parameter with one class scan per
 * part and hands anything else to sip_param_next() (uri.h), from the same
 * place; the results are the same spans and the same return as
 * sip_param_next() alone: for a token name and value, sip_param_next()'s
 * search for ';' or '=' stops where the token does, and there is no LWS to
 * trim.  Spans into the caller's buffer; nothing is allocated or written.
 */
#ifndef SIPALG_SIP_PARAM_STEP_H
#define SIPALG_SIP_PARAM_STEP_H

#include "lex.h"
#include "uri.h"

/*
 * lx_span_cls(b, i, e, cls) for a class that holds every alphanumeric,
 * '-' and '.' (LX_TOKEN, LX_HOST, LX_UNRES and unions with them), sixteen
 * octets per step with SSE2: letters (by range, after folding case),
 * digits, '-' and '.' (the range '-' to '9' without '/'; branch values
 * are full of '-') are found with a few compares, and only the other
 * octets, few in header values, are looked up in the class table.  The
 * ranges are unsigned (octets above 0x7f fall outside both; 0xc1-0xda
 * fold to 0xe1-0xfa, no letter).
 * Loads stay inside [0, e) of the caller's buffer, as lx_find4()'s do: the
 * last piece is one load that ends at e, its octets before k ignored.
 */
#ifdef __SSE2__
static inline unsigned quick_alnum_mask(const char *p)
{
	const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	/* unsigned ranges by subtract and min: x <= k iff min(x, k) == x */
	const __m128i l = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8('a'));
	const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('-'));
	__m128i al = _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(25)), l);
	__m128i dg = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8('9' - '-')), d);

	dg = _mm_andnot_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('/')), dg);
	return (unsigned)_mm_movemask_epi8(_mm_or_si128(al, dg));
}

/* The first octet not of class cls among the non-alphanumerics `other`
 * (bit j: octet base + j): its offset, or UINT32_MAX if all are. */
static inline uint32_t quick_other(const char *b, uint32_t base, unsigned other, unsigned cls)
{
	for (; other; other &= other - 1) {
		uint32_t j = base + (uint32_t)__builtin_ctz(other);
		if (!(sip_lex[(unsigned char)b[j]] & cls))
			return j;
	}
	return UINT32_MAX;
}
#endif

/* Out of line: inlined, it pulls param_step_x() out of its callers' loops
 * (the compiler's budget), which costs more than the call. */
static __attribute__((noinline, unused)) uint32_t quick_run(const char *b, uint32_t i, uint32_t e,
							   unsigned cls)
{
	uint32_t k = i;

#ifdef __SSE2__
	uint32_t stop;

	for (; k + 16 <= e; k += 16)
		if ((stop = quick_other(b, k, ~quick_alnum_mask(b + k) & 0xffffu, cls)) !=
		    UINT32_MAX)
			return stop - i;
	if (k < e && e >= 16) {
		uint32_t t = e - 16;
		unsigned other = (~quick_alnum_mask(b + t) & 0xffffu) >> (k - t) << (k - t);
		stop = quick_other(b, t, other, cls);
		return (stop != UINT32_MAX ? stop : e) - i;
	}
#endif
	return k - i + lx_span_cls(b, k, e, cls);
}

/* sip_uri_parse() (uri.h) by the grammar alone, without the one-pass
 * path for the common shape that sip_uri_parse() tries first: the same
 * contract and results (tests compare the two). */
int sip_uri_parse_ref(struct sip_uri *u, const char *base, struct sip_span s);

/* param_step_x() in list mode: the parameters are not the quick shape. */
#define PARAM_STEP_SLOW (-1000)

/*
 * As sip_param_next().  *tok is set to 1 when the name, and the value if
 * there is one, are known to be tokens (§25.1), so that the caller need not
 * scan them again; 0 when the slow path ran and nothing is known.
 *
 * list (a constant): the parameters of the first element of a comma list
 * whose end is not yet known.  A ',' right after a token parameter ends
 * the element: *rest is left at the ',' and the next step returns 0 there.
 * Tokens hold no '"', '<', '>' or ',', so that ',' is the one
 * sip_list_next() would stop at.  Anything the quick shape does not take
 * returns PARAM_STEP_SLOW instead of going to sip_param_next(), which knows
 * no element end; the caller starts over with the list split.
 */
static inline int param_step_x(const char *b, struct sip_span *rest, struct sip_span *name,
			       struct sip_span *value, int *tok, int list)
{
	uint32_t k = rest->off, e = rest->off + rest->len, n, m;

	*tok = 0;
	if (k == e || (list && b[k] == ','))
		return 0;
	/* names are short: four octets at a time; "branch=", the first
	 * parameter of nearly every Via, by one compare */
	if (e - k > 7 && memcmp(b + k, "branch=", 7) == 0)
		n = 6;
	else
		n = lx_span_cls(b, k, e, LX_TOKEN);
	if (n == 0)
		return list ? PARAM_STEP_SLOW : sip_param_next(b, rest, name, value);
	m = k + n;
	*value = SIP_SPAN_NONE;
	if (m < e && b[m] == '=') {
		uint32_t v = quick_run(b, m + 1, e, LX_TOKEN);
		if (v == 0)
			return list ? PARAM_STEP_SLOW : sip_param_next(b, rest, name, value);
		*value = sip_span_make(m + 1, v);
		m += 1 + v;
	}
	if (m < e && !(list && b[m] == ',')) {
		/* ';' then a non-LWS octet (in a list, not a ','): anything
		 * else is the slow path's */
		if (b[m] != ';' || m + 1 == e || lx_is((unsigned char)b[m + 1], LX_LWS) ||
		    (list && b[m + 1] == ','))
			return list ? PARAM_STEP_SLOW : sip_param_next(b, rest, name, value);
		m++;
	}
	*name = sip_span_make(k, n);
	*rest = sip_span_make(m, e - m);
	*tok = 1;
	return 1;
}

static inline int param_step(const char *b, struct sip_span *rest, struct sip_span *name,
			     struct sip_span *value, int *tok)
{
	return param_step_x(b, rest, name, value, tok, 0);
}

/*
 * The end of an IPv4address (lx_ipv4()) that starts at i and is the whole
 * run of LX_HOST octets from i: that run is what the Via and URI parsers
 * hand to sip_host_parse(), which would call it SIP_HOST_IPV4.  0 if the
 * octets from i are not that (the caller takes the general path).
 */
#ifdef __SSE2__
/*
 * quick_ipv4_end() on the sixteen octets at p: bit masks of the digits and
 * dots, the address being the run of both from p.  Exactly three dots,
 * four groups of 1-3 digits each at most 255, and the octet after the run
 * not a letter or '-' (a hostname goes on): the same verdict as reading
 * the octets one by one.  The run's length, or 0.
 */
static inline uint32_t quick_ipv4_len16(const unsigned char *p)
{
	const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	const __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
	unsigned dig = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d));
	unsigned dot = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
	uint32_t n = (uint32_t)__builtin_ctz(~(dig | dot));

	/* n < 16: a run of sixteen is no address, and p[n] is one of the loaded */
	if (n < 7 || n > 15 || lx_is(p[n], LX_HOST))
		return 0;
	/* the dots of the run (more may follow it) */
	return lx_ipv4_dots((const char *)p, n, dot & ((1u << n) - 1)) ? n : 0;
}
#endif

static inline uint32_t quick_ipv4_end(const char *b, uint32_t i, uint32_t e)
{
#ifdef __SSE2__
	if (e - i >= 16) {
		uint32_t n = quick_ipv4_len16((const unsigned char *)b + i);
		return n ? i + n : 0;
	}
#endif
	/* With sixteen octets at hand (an address is at most fifteen, plus
	 * the one after it) no octet read needs a bound check. */
	if (e - i >= 16) {
		const unsigned char *p = (const unsigned char *)b + i;
		uint32_t k = 0;
		unsigned v, d;

		for (unsigned part = 0;; part++) {
			if ((v = p[k] - '0') > 9u)
				return 0;
			if ((d = p[++k] - '0') <= 9u) {
				v = v * 10 + d;
				if ((d = p[++k] - '0') <= 9u) {
					v = v * 10 + d;
					k++;
				}
			}
			if (v > 255)
				return 0;
			if (part == 3)
				break;
			if (p[k++] != '.')
				return 0;
		}
		return lx_is(p[k], LX_HOST) ? 0 : i + k;
	}
	for (unsigned part = 0;; part++) {
		if (!lx_dec_octet(b, &i, e))
			return 0;
		if (part == 3)
			break;
		if (i == e || b[i] != '.')
			return 0;
		i++;
	}
	return i < e && lx_is((unsigned char)b[i], LX_HOST) ? 0 : i;
}

/*
 * port = 1*DIGIT, taken as at most five digits worth at most 65535: the
 * number of digits (1 to 5) with *val set, or 0 when the octets from p are
 * not that (none, a sixth digit, or too large: the general path decides).
 */
static inline uint32_t quick_port(const char *b, uint32_t p, uint32_t e, unsigned *val)
{
	uint32_t lim, q = p;
	unsigned v = 0, d;

	/*
	 * Eight octets at hand (the common case: a port is followed by
	 * ';', '>' or a line end): the digit run's length from one word,
	 * octet k at bits 8k.  x = octet ^ '0' is a digit's value iff x <= 9:
	 * (x & 0x7f) + 0x76 reaches bit 7 iff it is >= 10, and bit 7 of x
	 * itself is no digit either.  The digits are then moved to the top
	 * of the word, '0's below them (leading zeros), and combined in
	 * pairs, quads and the eight by three multiplies (the first octet is
	 * the most significant digit).
	 */
	if (e - p >= 8) {
		const uint64_t ones = 0x0101010101010101ull;
		uint64_t w, x, nd;
		uint32_t n;

		memcpy(&w, b + p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		x = w ^ (0x30 * ones);
		nd = (((x & (0x7f * ones)) + 0x76 * ones) | x) & (0x80 * ones);
		n = nd ? (uint32_t)__builtin_ctzll(nd) >> 3 : 8;
		if (n - 1 > 4)
			return 0;
		x = (x << (8 * (8 - n))); /* the digits' values at the top, zeros below */
		x = (x * 10 + (x >> 8)) & 0x00ff00ff00ff00ffull;
		x = (x * 100 + (x >> 16)) & 0x0000ffff0000ffffull;
		x = (x * 10000 + (x >> 32)) & 0xffffffffull;
		if (x > 65535)
			return 0;
		*val = (unsigned)x;
		return n;
	}
	lim = e - p > 6 ? p + 6 : e;
	while (q < lim && (d = (unsigned)(unsigned char)b[q] - '0') <= 9) {
		v = v * 10 + d;
		q++;
	}
	if (q == p || q - p > 5 || v > 65535)
		return 0;
	*val = v;
	return q - p;
}

#endif
