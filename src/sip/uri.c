/*
 * uri.c - SIP/SIPS URIs (RFC 3261 §19.1.1, §25.1), tel URIs (RFC 3966),
 * other schemes as opaque absoluteURI, and hosts incl. IPv6 references
 * (RFC 5118).  Spans into the caller's buffer; no allocation, no writes.
 */
#include "uri.h"
#include "error.h"
#include "lex.h"
#include "param_step.h"

static int lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* escaped = "%" HEXDIG HEXDIG */
static int escaped_at(const char *b, uint32_t i, uint32_t e)
{
	return b[i] == '%' && i + 2 < e &&
	       lx_is((unsigned char)b[i + 1], LX_HEX) && lx_is((unsigned char)b[i + 2], LX_HEX);
}

/* 1*(class / escaped) over all of [i, e): 0 if every octet fits. */
static int run_ok(const char *b, uint32_t i, uint32_t e, unsigned cls, int allow_empty)
{
	if (i == e)
		return allow_empty ? 0 : SIP_EURI;
	while (i < e) {
		if (lx_is((unsigned char)b[i], cls))
			i++;
		else if (escaped_at(b, i, e))
			i += 3;
		else
			return SIP_EURI;
	}
	return 0;
}

/* dec-octet "." dec-octet "." dec-octet "." dec-octet over all of [i, e),
 * each 1 to 3 digits and at most 255. */
static int ipv4_ok(const char *b, uint32_t i, uint32_t e)
{
	return lx_ipv4(b, i, e);
}

/* First c in [i, e), or e (URIs are short: one SSE2 load, no call). */
static uint32_t find(const char *b, uint32_t i, uint32_t e, char c)
{
	return lx_find2(b, i, e, e, c, c);
}

/*
 * IPv6address as RFC 3261 §25.1 writes it: hexpart [ ":" IPv4address ],
 * hexpart = hexseq / hexseq "::" [hexseq] / "::" [hexseq].  That grammar
 * also admits "2001:db8:::192.0.2.1", which RFC 5118 §4.10 says to tolerate.
 */
static int ipv6_ok(const char *b, uint32_t i, uint32_t e)
{
	int groups = 0, dbl = 0;

	if (e - i >= 2 && b[i] == ':' && b[i + 1] == ':') {
		dbl = 1;
		i += 2;
	}
	while (i < e) {
		uint32_t seg = find(b, i, e, ':');
		if (seg == e && find(b, i, e, '.') < e) {
			if (!ipv4_ok(b, i, e))
				return 0;
			groups += 2;
			break;
		}
		uint32_t n = lx_span_cls(b, i, e, LX_HEX);
		if (n == 0 || n > 4 || i + n != seg)
			return 0;
		groups++;
		i = seg;
		if (i == e)
			break;
		if (++i == e)
			return 0; /* one trailing colon */
		if (b[i] == ':') {
			if (dbl)
				return 0;
			dbl = 1;
			i++;
			if (i < e && b[i] == ':' && find(b, i + 1, e, ':') == e)
				i++; /* the RFC 3261 three-colon form before an IPv4 tail */
		}
	}
	return dbl ? groups <= 7 : groups == 8;
}

/* hostname = *( domainlabel "." ) toplabel [ "." ]; labels are alphanum
 * with inner '-', the top label starts with a letter. */
static int hostname_ok(const char *b, uint32_t i, uint32_t e)
{
	uint32_t label = i;
	unsigned char top = 0;

	if (i < e && b[e - 1] == '.')
		e--;
	if (i == e)
		return 0;
	for (uint32_t k = i; k <= e; k++) {
		if (k == e || b[k] == '.') {
			if (k == label || b[label] == '-' || b[k - 1] == '-')
				return 0;
			top = (unsigned char)b[label];
			label = k + 1;
		} else if (!lx_is((unsigned char)b[k], LX_ALPHA | LX_DIGIT) && b[k] != '-') {
			return 0;
		}
	}
	return lx_is(top, LX_ALPHA);
}

int sip_host_parse(const char *base, struct sip_span s, int allow_bare_v6)
{
	uint32_t i = s.off, e = s.off + s.len;

	if (s.len == 0)
		return SIP_EURI;
	if (base[i] == '[')
		return (s.len > 2 && base[e - 1] == ']' && ipv6_ok(base, i + 1, e - 1))
			       ? SIP_HOST_IPV6 : SIP_EURI;
	if (ipv4_ok(base, i, e))
		return SIP_HOST_IPV4;
	if (hostname_ok(base, i, e))
		return SIP_HOST_NAME;
	if (allow_bare_v6 && ipv6_ok(base, i, e))
		return SIP_HOST_IPV6;
	return SIP_EURI;
}

/* hostport = host [ ":" port ], from i to the first ';' or '?' (or e). */
static int parse_hostport(struct sip_uri *u, const char *b, uint32_t i, uint32_t e)
{
	uint32_t h = i, stop = i;

	if (i < e && b[i] == '[') {
		stop = find(b, i, e, ']');
		if (stop == e)
			return SIP_EURI;
		stop++;
	}
	/* host characters are alphanumerics, '-' and '.' (or the bracketed
	 * reference skipped above) */
	stop += lx_span_cls(b, stop, e, LX_HOST);
	if (stop < e && b[stop] != ':' && b[stop] != ';' && b[stop] != '?')
		return SIP_EURI;
	int t = sip_host_parse(b, sip_span_make(h, stop - h), 0);
	if (t < 0)
		return t;
	u->host = sip_span_make(h, stop - h);
	u->host_type = (uint8_t)t;
	if (stop < e && b[stop] == ':') {
		uint32_t p = stop + 1, n = lx_span_cls(b, p, e, LX_DIGIT);
		int64_t v = sip_span_uint(b, sip_span_make(p, n), 65535);
		if (n == 0 || v < 0)
			return SIP_EURI;
		u->port = sip_span_make(p, n);
		u->port_num = (uint16_t)v;
		stop = p + n;
	}
	u->hostport = sip_span_make(h, stop - h);
	return (int)stop;
}

/* uri-parameters = *( ";" pname [ "=" pvalue ] ) with paramchars. */
static int params_ok(const char *b, uint32_t i, uint32_t e)
{
	const unsigned cls = LX_UNRES | LX_PARAM;

	if (i == e)
		return SIP_EURI; /* nothing after ';' */
	while (i < e) {
		uint32_t end = find(b, i, e, ';'), eq = find(b, i, end, '=');
		if (run_ok(b, i, eq, cls, 0) < 0)
			return SIP_EURI;
		if (eq < end && run_ok(b, eq + 1, end, cls, 0) < 0)
			return SIP_EURI;
		i = end + 1;
		if (end + 1 == e)
			return SIP_EURI; /* a trailing ';' */
	}
	return 0;
}

/* headers = "?" header *( "&" header ), header = hname "=" hvalue. */
static int headers_ok(const char *b, uint32_t i, uint32_t e)
{
	const unsigned cls = LX_UNRES | LX_HNV;

	while (i <= e) {
		uint32_t end = find(b, i, e, '&'), eq = find(b, i, end, '=');
		if (eq == end || run_ok(b, i, eq, cls, 0) < 0 || run_ok(b, eq + 1, end, cls, 1) < 0)
			return SIP_EURI;
		i = end + 1;
	}
	return 0;
}

/* userinfo = ( user / telephone-subscriber ) [ ":" password ] "@".  The
 * '#' of telephone-subscriber is admitted as is. */
static int parse_userinfo(struct sip_uri *u, const char *b, uint32_t i, uint32_t at)
{
	uint32_t colon = find(b, i, at, ':');

	if (colon == i)
		return SIP_EURI;
	for (uint32_t k = i; k < colon; k++) {
		if (b[k] != '#' && !lx_is((unsigned char)b[k], LX_UNRES | LX_USER) &&
		    !escaped_at(b, k, colon))
			return SIP_EURI;
	}
	u->user = sip_span_make(i, colon - i);
	if (colon < at) {
		if (run_ok(b, colon + 1, at, LX_UNRES | LX_PASS, 1) < 0)
			return SIP_EURI;
		u->password = sip_span_make(colon + 1, at - colon - 1);
	}
	return 0;
}

/* The rest of a sip:/sips: URI after the scheme's colon. */
static int parse_sip(struct sip_uri *u, const char *b, uint32_t i, uint32_t e)
{
	uint32_t at = find(b, i, e, '@');
	int r;

	if (at < e) {
		if ((r = parse_userinfo(u, b, i, at)) < 0)
			return r;
		i = at + 1;
	}
	if ((r = parse_hostport(u, b, i, e)) < 0)
		return r;
	i = (uint32_t)r;
	uint32_t q = find(b, i, e, '?');
	if (i < q) {
		if (b[i] != ';' || params_ok(b, i + 1, q) < 0)
			return SIP_EURI;
		u->params = sip_span_make(i + 1, q - i - 1);
	}
	if (q < e) {
		if (headers_ok(b, q + 1, e) < 0)
			return SIP_EURI;
		u->headers = sip_span_make(q + 1, e - q - 1);
	}
	return 0;
}

/* tel: telephone-subscriber (RFC 3966 §3): the number, then ;params. */
static int parse_tel(struct sip_uri *u, const char *b, uint32_t i, uint32_t e)
{
	uint32_t semi = find(b, i, e, ';');

	for (uint32_t k = i; k < semi; k++)
		if (!lx_is((unsigned char)b[k], LX_HEX | LX_DIGIT) && !strchr("+-.()*#", b[k]))
			return SIP_EURI;
	if (semi == i)
		return SIP_EURI;
	u->user = sip_span_make(i, semi - i);
	if (semi < e) {
		if (params_ok(b, semi + 1, e) < 0)
			return SIP_EURI;
		u->params = sip_span_make(semi + 1, e - semi - 1);
	}
	return 0;
}

/* absoluteURI of another scheme: opaque, printable, no LWS, no <>". */
static int parse_other(const char *b, uint32_t i, uint32_t e)
{
	if (i == e)
		return SIP_EURI;
	for (; i < e; i++) {
		unsigned char c = (unsigned char)b[i];
		if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"')
			return SIP_EURI;
	}
	return 0;
}

static int scheme_is(const char *b, uint32_t i, uint32_t n, const char *lit)
{
	if (strlen(lit) != n)
		return 0;
	for (uint32_t k = 0; k < n; k++)
		if (lower((unsigned char)b[i + k]) != lit[k])
			return 0;
	return 1;
}

/* A run of class cls or second-class octets (no escapes) from i: the
 * four-at-a-time scan of lx_span_cls() takes the alphanumerics, which
 * carry LX_UNRES, and the loop steps over the odd other octet.  (URI
 * parts are short: quick_run()'s sixteen-octet steps would cost more.) */
static uint32_t run_end(const char *b, uint32_t i, uint32_t e, unsigned more)
{
	for (;;) {
		i += lx_span_cls(b, i, e, LX_UNRES);
		if (i == e || !lx_is((unsigned char)b[i], more))
			return i;
		i++;
	}
}

/* 1 if [i, e) is pname [ "=" pvalue ] *( ";" pname [ "=" pvalue ] ) of
 * plain paramchars, every name and value non-empty (what params_ok()
 * accepts, minus escapes); 0 if not known to be. */
static int params_plain(const char *b, uint32_t i, uint32_t e)
{
	const unsigned cls = LX_UNRES | LX_PARAM;
	int eq = 0;

	/* the parameter most Contact URIs carry, by one compare */
	if (e - i > 10 && memcmp(b + i, "transport=", 10) == 0) {
		/* and its usual values, udp/tcp/tls in any case, ending the
		 * parameters: three letters are plain paramchars (RFC 3261
		 * section 19.1.1), so the loop below would say 1 too */
		if (e - i == 13) {
			uint32_t w = ((uint32_t)(unsigned char)b[i + 10] |
				      (uint32_t)(unsigned char)b[i + 11] << 8 |
				      (uint32_t)(unsigned char)b[i + 12] << 16) |
				     0x202020u;
			if (w == ('u' | 'd' << 8 | 'p' << 16) || w == ('t' | 'c' << 8 | 'p' << 16) ||
			    w == ('t' | 'l' << 8 | 's' << 16))
				return 1;
		}
		eq = 1;
		i += 10;
	}
	for (;;) {
		uint32_t k = run_end(b, i, e, cls);
		if (k == i)
			return 0;
		if (k == e)
			return 1;
		if (b[k] == '=' && !eq)
			eq = 1;
		else if (b[k] == ';')
			eq = 0;
		else
			return 0;
		i = k + 1;
	}
}

/*
 * The first '@' in [i, e) when it is among the sixteen octets at i and
 * every octet before it is alphanumeric, '-' or '.' (user-unreserved
 * octets, the user part of most URIs): one load finds both.  e when there
 * is no '@' at all in [i, e) and the sixteen octets reach e.  0 when the
 * caller must look (a longer user part, other octets, fewer than sixteen
 * octets from i).  The octet at i is not an '@' when it answers (the
 * user part is not empty).
 */
static inline uint32_t quick_user_end(const char *b, uint32_t i, uint32_t e)
{
#ifdef __SSE2__
	if (e - i >= 16) {
		const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		unsigned at = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
		unsigned k;

		if (at == 0)
			return e - i == 16 ? e : 0;
		k = (unsigned)__builtin_ctz(at);
		if (k == 0 || (~quick_alnum_mask(b + i) & ((1u << k) - 1)) != 0)
			return 0;
		return i + k;
	}
#else
	(void)b, (void)i, (void)e;
#endif
	return 0;
}

/*
 * The common SIP URI, "sip:user@host:port;params", in one forward pass:
 * a lower-case "sip:", a user of plain user-unreserved octets, an
 * unbracketed host, at most five port digits, plain params, no password
 * and no headers.  Anything else returns 1 and sip_uri_parse() starts
 * over with the general grammar, so every result and error is that path's.
 */
static int uri_quick(struct sip_uri *u, const char *b, uint32_t i, uint32_t e)
{
	uint32_t at, stop, h;
	int t;

	if (e - i < 5 || memcmp(b + i, "sip:", 4) != 0)
		return 1;
	u->scheme = sip_span_make(i, 3);
	u->scheme_id = SIP_URI_SIP;
	i += 4;
	at = quick_user_end(b, i, e);
	if (at == 0) {
		at = find(b, i, e, '@');
		if (at < e && (at == i || run_end(b, i, at, LX_USER) != at))
			return 1;
	}
	if (at < e) {
		u->user = sip_span_make(i, at - i);
		i = at + 1;
	}
	if (i == e || b[i] == '[')
		return 1;
	h = i;
	if ((stop = quick_ipv4_end(b, h, e)) != 0) {
		t = SIP_HOST_IPV4;
	} else {
		stop = h + lx_span_cls(b, h, e, LX_HOST);
		if ((t = sip_host_parse(b, sip_span_make(h, stop - h), 0)) < 0)
			return 1;
	}
	u->host = sip_span_make(h, stop - h);
	u->host_type = (uint8_t)t;
	if (stop < e && b[stop] == ':') {
		uint32_t p = stop + 1, d;
		unsigned port;
		if ((d = quick_port(b, p, e, &port)) == 0)
			return 1;
		u->port = sip_span_make(p, d);
		u->port_num = (uint16_t)port;
		stop = p + d;
	}
	u->hostport = sip_span_make(h, stop - h);
	if (stop == e)
		return 0;
	if (b[stop] != ';' || !params_plain(b, stop + 1, e))
		return 1; /* '?' is not a paramchar: headers stop params_plain() */
	u->params = sip_span_make(stop + 1, e - stop - 1);
	return 0;
}

/* Every span absent, every number 0.  Field by field: a whole-struct
 * clear or copy becomes a `rep stos`. */
static void uri_reset(struct sip_uri *u, struct sip_span s)
{
	const struct sip_span none = SIP_SPAN_NONE;

	u->whole = s;
	u->scheme = u->user = u->password = u->host = u->port = u->hostport = none;
	u->params = u->headers = none;
	u->scheme_id = u->host_type = 0;
	u->port_num = 0;
}

int sip_uri_parse(struct sip_uri *u, const char *base, struct sip_span s)
{
	uri_reset(u, s);
	if (uri_quick(u, base, s.off, s.off + s.len) == 0)
		return 0;
	return sip_uri_parse_ref(u, base, s);
}

int sip_uri_parse_ref(struct sip_uri *u, const char *base, struct sip_span s)
{
	uint32_t i = s.off, e = s.off + s.len, n;

	uri_reset(u, s);
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	for (n = 0; i + n < e; n++) {
		unsigned char c = (unsigned char)base[i + n];
		if (!(lx_is(c, LX_ALPHA) ||
		      (n && (lx_is(c, LX_DIGIT) || c == '+' || c == '-' || c == '.'))))
			break;
	}
	if (n == 0 || i + n >= e || base[i + n] != ':')
		return SIP_EURI;
	u->scheme = sip_span_make(i, n);
	if (scheme_is(base, i, n, "sip"))
		u->scheme_id = SIP_URI_SIP;
	else if (scheme_is(base, i, n, "sips"))
		u->scheme_id = SIP_URI_SIPS;
	else if (scheme_is(base, i, n, "tel"))
		u->scheme_id = SIP_URI_TEL;
	i += n + 1;
	switch (u->scheme_id) {
	case SIP_URI_SIP:
	case SIP_URI_SIPS:
		return parse_sip(u, base, i, e);
	case SIP_URI_TEL:
		return parse_tel(u, base, i, e);
	default:
		return parse_other(base, i, e);
	}
}

/* One generic-param: token [ EQUAL gen-value ], LWS allowed around '='
 * and ';' (header params, §25.1); a quoted gen-value may hold ';'. */
int sip_param_next(const char *base, struct sip_span *rest, struct sip_span *name,
		   struct sip_span *value)
{
	uint32_t i = rest->off, e = rest->off + rest->len, k;

	i = lx_skip_lws(base, i, e);
	if (i == e)
		return 0;
	k = lx_find2(base, i, e, e, ';', '=');
	*name = lx_trim(base, sip_span_make(i, k - i));
	*value = SIP_SPAN_NONE;
	if (name->len == 0)
		return SIP_EVALUE;
	if (k < e && base[k] == '=') {
		uint32_t v = lx_skip_lws(base, k + 1, e);
		k = lx_find2(base, v, e, e, ';', '"');
		while (k < e && base[k] == '"') {
			k = lx_quoted_end(base, k, e);
			if (k == 0)
				return SIP_EQUOTE;
			k = lx_find2(base, k, e, e, ';', '"');
		}
		*value = lx_trim(base, sip_span_make(v, k - v));
	}
	if (k < e && lx_skip_lws(base, ++k, e) == e)
		return SIP_EVALUE; /* nothing after a ';' */
	*rest = sip_span_make(k, e - k);
	return 1;
}

int sip_param_find(const char *base, struct sip_span params, const char *name,
		   struct sip_span *value)
{
	struct sip_span rest = params, n, v;

	if (!sip_span_present(params))
		return 0;
	while (sip_param_next(base, &rest, &n, &v) > 0)
		if (sip_span_caseeq(base, n, name)) {
			if (value)
				*value = v;
			return 1;
		}
	return 0;
}
