/*
 * addr.c - name-addr / addr-spec with header params, and top-level comma
 * splitting of header values (RFC 3261 §7.3.1, §20.10, §25.1).
 * Spans into the caller's buffer; no allocation, no writes.
 */
#include "addr.h"
#include "error.h"
#include "lex.h"
#include "param_step.h"

/* Strict quoted string; a bad octet inside is a bad address. */
static int quoted(const char *b, uint32_t i, uint32_t e)
{
	int r = lx_quoted(b, i, e);

	return r == SIP_ECHAR ? SIP_EADDR : r;
}

static int gen_value_ok(const char *b, struct sip_span v)
{
	return lx_gen_value_ok(b, v);
}

static int token_ok(const char *b, struct sip_span s)
{
	return s.len > 0 && lx_span_cls(b, s.off, s.off + s.len, LX_TOKEN) == s.len;
}

/* *( SEMI generic-param ) after the address; picks out tag and expires. */
static int addr_params(struct sip_addr *a, const char *b, uint32_t i, uint32_t e)
{
	struct sip_span rest, name, value;
	int r, tok;

	i = lx_skip_lws(b, i, e);
	if (i == e)
		return 0;
	if (b[i] != ';' || lx_skip_lws(b, i + 1, e) == e)
		return SIP_EADDR;
	a->params = rest = sip_span_make(i + 1, e - i - 1);
	while ((r = param_step(b, &rest, &name, &value, &tok)) > 0) {
		if (!tok &&
		    (!token_ok(b, name) || (sip_span_present(value) && !gen_value_ok(b, value))))
			return SIP_EADDR;
		if (LX_NAME_IS(b, name, "tag"))
			a->tag = value;
		else if (LX_NAME_IS(b, name, "expires"))
			a->expires = value;
	}
	return r == 0 ? 0 : (r == SIP_EQUOTE ? r : SIP_EADDR);
}

/* display-name = *(token LWS) / quoted-string; checked up to the '<'. */
static int display_ok(const char *b, uint32_t i, uint32_t e)
{
	for (; i < e; i++)
		if (!lx_is((unsigned char)b[i], LX_TOKEN | LX_WS) && b[i] != '\r' && b[i] != '\n')
			return 0;
	return 1;
}

/* name-addr = [ display-name ] LAQUOT addr-spec RAQUOT, the first '>'
 * after lt at gt (< e) */
static int name_addr_at(struct sip_addr *a, const char *b, uint32_t i, uint32_t lt, uint32_t gt,
			uint32_t e)
{
	int r;

	a->bracketed = 1;
	if (lt > i)
		a->display = lx_trim(b, sip_span_make(i, lt - i));
	/* No LWS inside <> (RFC 4475 badaspec); the URI grammar has none. */
	if (gt == lt + 1 || lx_is((unsigned char)b[lt + 1], LX_LWS) ||
	    lx_is((unsigned char)b[gt - 1], LX_LWS))
		return SIP_EADDR;
	if ((r = sip_uri_parse(&a->uri, b, sip_span_make(lt + 1, gt - lt - 1))) < 0)
		return r;
	/* nothing after the '>' (most Contacts): no parameters to look at */
	return gt + 1 == e ? 0 : addr_params(a, b, gt + 1, e);
}

static int name_addr(struct sip_addr *a, const char *b, uint32_t i, uint32_t lt, uint32_t e)
{
	uint32_t gt = lx_find2(b, lt + 1, e, e, '>', '>');

	return gt == e ? SIP_EADDR : name_addr_at(a, b, i, lt, gt, e);
}

/* addr-spec without <>: it ends at the first ';' or LWS, and may not carry
 * ',', '?' or ';' of its own (§20.10), so a URI with headers must be
 * bracketed (RFC 4475 regbadct). */
static int bare_addr(struct sip_addr *a, const char *b, uint32_t i, uint32_t e)
{
	uint32_t k = i;
	int r;

	while (k < e && b[k] != ';' && !lx_is((unsigned char)b[k], LX_WS) && b[k] != '\r' &&
	       b[k] != '\n')
		k++;
	if ((r = sip_uri_parse(&a->uri, b, sip_span_make(i, k - i))) < 0)
		return r;
	if (sip_span_present(a->uri.headers))
		return SIP_EADDR;
	return addr_params(a, b, k, e);
}

/* No display name, params, tag or expires; the URI all zero (sip_uri_parse
 * sets it up when it runs).  Field by field: a whole-struct clear becomes
 * a `rep stos`. */
static void addr_reset_outer(struct sip_addr *a)
{
	const struct sip_span none = SIP_SPAN_NONE, zero = { 0, 0 };

	a->whole = zero;
	a->display = a->params = a->tag = a->expires = none;
	a->bracketed = a->star = 0;
}

static void addr_reset(struct sip_addr *a)
{
	const struct sip_span zero = { 0, 0 };
	struct sip_uri *u = &a->uri;

	addr_reset_outer(a);
	u->whole = u->scheme = u->user = u->password = u->host = u->port = zero;
	u->hostport = u->params = u->headers = zero;
	u->scheme_id = u->host_type = 0;
	u->port_num = 0;
}

int sip_addr_parse(struct sip_addr *a, const char *base, struct sip_span s)
{
	uint32_t i, e, lt;
	int r;

	addr_reset(a);
	s = lx_trim(base, s);
	a->whole = s;
	i = s.off;
	e = s.off + s.len;
	if (s.len == 0)
		return SIP_EADDR;
	if (s.len == 1 && base[i] == '*') {
		a->star = 1;
		return 0;
	}
	if (base[i] == '"') {
		if ((r = quoted(base, i, e)) < 0)
			return r;
		uint32_t qend = (uint32_t)r;
		lt = lx_skip_lws(base, qend, e);
		if (lt == e || base[lt] != '<')
			return SIP_EADDR;
		r = name_addr(a, base, i, lt, e);
		a->display = sip_span_make(i, qend - i);
		return r;
	}
	/* most values open with the '<' (no display name) */
	lt = base[i] == '<' ? i : lx_find2(base, i, e, e, '<', '<');
	if (lt == e)
		return bare_addr(a, base, i, e);
	if (!display_ok(base, i, lt))
		return SIP_EADDR; /* RFC 4475 baddn: "Bell, Alexander" unquoted */
	return name_addr(a, base, i, lt, e);
}

#ifdef __SSE2__
/* Bit k set: octet k of the sixteen at p is '"', ',', '<' or '>'.  '<' and
 * '>' differ only in bit 0x02, so one compare with it set finds both. */
static inline unsigned list_mask(const char *p)
{
	const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i x = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
				 _mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
	__m128i y = _mm_cmpeq_epi8(_mm_or_si128(v, _mm_set1_epi8(0x02)), _mm_set1_epi8('>'));

	return (unsigned)_mm_movemask_epi8(_mm_or_si128(x, y));
}
#endif

/* lx_find4(b, i, e, e, '"', '<', '>', ','): the first LX_LIST octet in
 * [i, e), or e.  Loads stay inside [0, e): the last piece is one load that
 * ends at e, the octets before i masked off. */
static inline uint32_t list_find(const char *b, uint32_t i, uint32_t e)
{
#ifdef __SSE2__
	unsigned hit;

	for (; i + 16 <= e; i += 16)
		if ((hit = list_mask(b + i)) != 0)
			return i + (uint32_t)__builtin_ctz(hit);
	if (e >= 16 && i < e) {
		uint32_t t = e - 16, seen = i - t;
		hit = list_mask(b + t) >> seen << seen;
		return hit ? t + (uint32_t)__builtin_ctz(hit) : e;
	}
#endif
	while (i < e && !lx_is((unsigned char)b[i], LX_LIST))
		i++;
	return i;
}

/* One step through a comma list: an item ends at a comma outside quotes
 * and outside <...>.  An empty item (",,", RFC 4475 badinv01) is an error
 * (SIP_EVALUE), as is an unclosed '<' (SIP_EADDR). */
int sip_list_next(const char *base, struct sip_span *rest, struct sip_span *item)
{
	uint32_t i = rest->off, e = rest->off + rest->len, k;
	int in_angle = 0;

	/* nothing but LWS left: the end (leading LWS is no delimiter, so the
	 * search below may start after it) */
	while (i < e && lx_is((unsigned char)base[i], LX_LWS))
		i++;
	if (i == e)
		return 0;
	for (k = i; k < e; k++) {
		/* the LX_LIST octets, sixteen at a time */
		k = list_find(base, k, e);
		if (k == e)
			break;
		char c = base[k];
		if (c == '"') {
			uint32_t q = lx_quoted_end(base, k, e);
			if (q == 0)
				return SIP_EQUOTE;
			k = q - 1;
		} else if (c == '<') {
			in_angle = 1;
		} else if (c == '>') {
			in_angle = 0;
		} else if (c == ',' && !in_angle) {
			break;
		}
	}
	if (in_angle)
		return SIP_EADDR;
	/* the item starts on a non-LWS octet: only its end needs trimming */
	*item = lx_trim(base, sip_span_make(i, k - i));
	if (item->len == 0)
		return SIP_EVALUE;
	if (k < e) {
		uint32_t j = ++k;
		while (j < e && lx_is((unsigned char)base[j], LX_LWS))
			j++;
		if (j == e)
			return SIP_EVALUE; /* a trailing comma */
	}
	*rest = sip_span_make(k, e - k);
	return 1;
}

/*
 * The first element of a list when it is "<uri>", perhaps with token
 * parameters, followed by the end of the value or a ',' (most Contacts):
 * the split stops at that ',' (a URI the parser takes holds no '"', so
 * nothing between the '<' and the first '>' hides it, and token
 * parameters hold no '"', '<', '>' or ','), and the item is what
 * sip_addr_parse() reads as the name-addr [i, gt] and its parameters.
 * 1 with *a and *rest set as those two calls leave them, 0 when they must
 * decide.
 */
static int addr_first(struct sip_addr *a, const char *b, struct sip_span *rest)
{
	uint32_t i = rest->off, e = i + rest->len, gt, end, j;
	struct sip_span pr, n, val;
	int r, tok;

	if (i == e || b[i] != '<')
		return 0;
	gt = lx_find2(b, i + 1, e, e, '>', '>');
	if (gt == e)
		return 0;
	end = gt + 1;
	if (end < e && b[end] == ';') {
		/* addr_params() through param_step_x() in list mode: a name
		 * right after the ';', tokens only */
		if (end + 1 == e || lx_is((unsigned char)b[end + 1], LX_LWS) || b[end + 1] == ',')
			return 0;
		pr = sip_span_make(end + 1, e - end - 1);
		while ((r = param_step_x(b, &pr, &n, &val, &tok, 1)) > 0) {
			if (LX_NAME_IS(b, n, "tag"))
				a->tag = val;
			else if (LX_NAME_IS(b, n, "expires"))
				a->expires = val;
		}
		if (r < 0)
			return 0;
		a->params = sip_span_make(end + 1, pr.off - end - 1);
		end = pr.off;
	}
	if (end < e) {
		if (b[end] != ',')
			return 0;
		for (j = end + 1; j < e && lx_is((unsigned char)b[j], LX_LWS); j++)
			;
		if (j == e)
			return 0; /* a trailing comma */
	}
	a->whole = sip_span_make(i, end - i);
	/* the parameters are in *a already: name_addr_at() with the item
	 * ending at the '>' reads none */
	if (name_addr_at(a, b, i, i, gt, gt + 1) != 0)
		return 0;
	end += end < e;
	*rest = sip_span_make(end, e - end);
	return 1;
}

int sip_addr_parse_next(struct sip_addr *a, const char *base, struct sip_span *rest)
{
	struct sip_span item;
	int r;

	/* the URI is set whole by sip_uri_parse() when addr_first() takes
	 * the element, so only the rest is cleared before it */
	addr_reset_outer(a);
	if (addr_first(a, base, rest))
		return 1;
	addr_reset(a);
	if ((r = sip_list_next(base, rest, &item)) <= 0)
		return r;
	r = sip_addr_parse(a, base, item);
	return r < 0 ? r : 1;
}
