/*
 * via.c - one via-parm (RFC 3261 §20.42, §25.1; RFC 3581 rport; RFC 5118
 * §4.5 received= with or without brackets).  Spans into the caller's
 * buffer; no allocation, no writes.
 */
#include "via.h"
#include "addr.h"
#include "error.h"
#include "lex.h"
#include "param_step.h"
#include "uri.h"

static uint32_t token_at(const char *b, uint32_t i, uint32_t e)
{
	return lx_span_cls(b, i, e, LX_TOKEN);
}

/* SLASH = SWS "/" SWS: index after it, or 0. */
static uint32_t slash(const char *b, uint32_t i, uint32_t e)
{
	i = lx_skip_lws(b, i, e);
	if (i >= e || b[i] != '/')
		return 0;
	return lx_skip_lws(b, i + 1, e);
}

/* sent-protocol = protocol-name SLASH protocol-version SLASH transport */
static int protocol(struct sip_via *v, const char *b, uint32_t i, uint32_t e)
{
	uint32_t n = token_at(b, i, e), start = i;

	if (n == 0 || (i = slash(b, i + n, e)) == 0)
		return SIP_EVIA;
	if ((n = token_at(b, i, e)) == 0 || (i = slash(b, i + n, e)) == 0)
		return SIP_EVIA;
	if ((n = token_at(b, i, e)) == 0)
		return SIP_EVIA;
	v->transport = sip_span_make(i, n);
	v->protocol = sip_span_make(start, i + n - start);
	return (int)(i + n);
}

/* sent-by = host [ COLON port ], COLON = SWS ":" SWS. */
static int sent_by(struct sip_via *v, const char *b, uint32_t i, uint32_t e)
{
	uint32_t h = i, k = i;
	int t;

	if (k < e && b[k] == '[') {
		while (k < e && b[k] != ']')
			k++;
		k += k < e;
	} else {
		k += lx_span_cls(b, k, e, LX_HOST);
	}
	if ((t = sip_host_parse(b, sip_span_make(h, k - h), 0)) < 0)
		return SIP_EVIA;
	v->host = sip_span_make(h, k - h);
	v->host_type = (uint8_t)t;
	v->sent_by = v->host;
	uint32_t c = lx_skip_lws(b, k, e);
	if (c < e && b[c] == ':') {
		uint32_t p = lx_skip_lws(b, c + 1, e), n = lx_span_cls(b, p, e, LX_DIGIT);
		int64_t port = sip_span_uint(b, sip_span_make(p, n), 65535);
		if (n == 0 || port < 0)
			return SIP_EVIA;
		v->port = sip_span_make(p, n);
		v->port_num = (uint16_t)port;
		v->sent_by = sip_span_make(h, p + n - h);
		k = p + n;
	}
	return (int)k;
}

static int is_token(const char *b, struct sip_span s)
{
	return s.len > 0 && token_at(b, s.off, s.off + s.len) == s.len;
}

/* LX_NAME_IS(b, n, "branch") as two loads: every octet of the name is a
 * letter, and a letter matches in either case with bit 0x20 forced on. */
static inline __attribute__((always_inline)) int is_branch(const char *b, struct sip_span n)
{
	uint32_t w;
	uint16_t h;

	if (n.len != 6)
		return 0;
	memcpy(&w, b + n.off, 4);
	memcpy(&h, b + n.off + 4, 2);
	/* "bran" and "ch" in memory order, whatever the host's byte order */
	return memcmp(&(uint32_t){ w | 0x20202020u }, "bran", 4) == 0 &&
	       memcmp(&(uint16_t){ (uint16_t)(h | 0x2020u) }, "ch", 2) == 0;
}

/* via-params: ttl, maddr, received, branch, rport (RFC 3581) or a
 * generic-param; each known one has its own grammar.  tok: the name and
 * the value (if any) are already known to be tokens (param_step.h). */
static int via_param(struct sip_via *v, const char *b, struct sip_span n, struct sip_span val,
		     int tok)
{
	int has = sip_span_present(val);

	if (!tok && !is_token(b, n))
		return SIP_EVIA;
	if (is_branch(b, n)) {
		if (!has || !(tok || is_token(b, val)))
			return SIP_EVIA;
		v->branch = val;
	} else if (LX_NAME_IS(b, n, "received")) {
		int t = has ? sip_host_parse(b, val, 1) : SIP_EVIA;
		if (t != SIP_HOST_IPV4 && t != SIP_HOST_IPV6)
			return SIP_EVIA;
		v->received = val;
	} else if (LX_NAME_IS(b, n, "rport")) {
		int64_t p = has ? sip_span_uint(b, val, 65535) : 0;
		if (p < 0)
			return SIP_EVIA;
		v->has_rport = 1;
		v->rport = has ? val : SIP_SPAN_NONE;
		v->rport_num = (uint16_t)p;
	} else if (LX_NAME_IS(b, n, "maddr")) {
		if (!has || sip_host_parse(b, val, 0) < 0)
			return SIP_EVIA;
		v->maddr = val;
	} else if (LX_NAME_IS(b, n, "ttl")) {
		if (!has || val.len > 3 || sip_span_uint(b, val, 255) < 0)
			return SIP_EVIA;
		v->ttl = val;
	} else if (has && !tok && !lx_gen_value_ok(b, val)) {
		return SIP_EVIA; /* generic-param: token / host / quoted-string (a token is one) */
	}
	return 0;
}

/* ;branch= with a token value (param_step() said tok), the first parameter
 * of nearly every Via: what via_param() would do, without its call.  1 if
 * taken. */
static inline int via_branch(struct sip_via *v, const char *b, struct sip_span n,
			     struct sip_span val)
{
	if (!sip_span_present(val) || !is_branch(b, n))
		return 0;
	v->branch = val;
	return 1;
}

/* 3 if "UDP ", "TCP " or "TLS " starts at i (a three-letter token and the
 * SP after it), else 0: the transports nearly every Via names. */
static uint32_t quick_transport(const char *b, uint32_t i, uint32_t e)
{
	if (e - i < 4)
		return 0;
	if (memcmp(b + i, "UDP ", 4) == 0 || memcmp(b + i, "TCP ", 4) == 0 ||
	    memcmp(b + i, "TLS ", 4) == 0)
		return 3;
	return 0;
}

/*
 * The common Via, "SIP/2.0/UDP 192.0.2.1:5060;branch=..", in one forward
 * pass: exactly "SIP/2.0/", one SP, an unbracketed host, ':' and at most
 * five digits with no LWS around them, then ';' straight away.  Where it
 * sees anything else it returns 0 and the caller starts over with the
 * general grammar, so that every result (and error) is the general path's.
 * Otherwise it returns where the sent-by part ends: e, or with list set
 * (the first element of a list whose end is not known) the ',' after it;
 * params runs to e when there are any.  Parameters go through
 * param_step_x() either way.
 */
static uint32_t via_quick(struct sip_via *v, const char *b, uint32_t i, uint32_t e, int list)
{
	uint32_t n, h, k;
	int t;

	if (e - i < 12 || memcmp(b + i, "SIP/2.0/", 8) != 0)
		return 0;
	n = quick_transport(b, i + 8, e);
	if (n == 0 && (n = token_at(b, i + 8, e)) == 0)
		return 0;
	if ((k = i + 8 + n) + 1 >= e || b[k] != ' ' || lx_is((unsigned char)b[k + 1], LX_LWS) ||
	    b[k + 1] == '[')
		return 0;
	v->transport = sip_span_make(i + 8, n);
	v->protocol = sip_span_make(i, 8 + n);
	h = k + 1;
	if ((k = quick_ipv4_end(b, h, e)) != 0) {
		t = SIP_HOST_IPV4;
	} else {
		k = h + lx_span_cls(b, h, e, LX_HOST);
		if ((t = sip_host_parse(b, sip_span_make(h, k - h), 0)) < 0)
			return 0;
	}
	v->host = sip_span_make(h, k - h);
	v->host_type = (uint8_t)t;
	if (k < e && b[k] == ':') {
		uint32_t p = k + 1, d;
		unsigned port;
		if ((d = quick_port(b, p, e, &port)) == 0)
			return 0;
		v->port = sip_span_make(p, d);
		v->port_num = (uint16_t)port;
		k = p + d;
	}
	v->sent_by = sip_span_make(h, k - h);
	if (k == e || (list && b[k] == ','))
		return k;
	if (b[k] != ';' || k + 1 == e || lx_is((unsigned char)b[k + 1], LX_LWS) ||
	    (list && b[k + 1] == ','))
		return 0;
	v->params = sip_span_make(k + 1, e - k - 1);
	return e;
}

/* Every span absent, every number 0.  Field by field: a whole-struct
 * clear or copy becomes a `rep stos`, slower for 112 bytes. */
static void via_reset(struct sip_via *v, struct sip_span s)
{
	const struct sip_span none = SIP_SPAN_NONE;

	v->whole = s;
	v->protocol = v->transport = v->sent_by = v->host = v->port = v->params = none;
	v->branch = v->received = v->rport = v->maddr = v->ttl = none;
	v->port_num = v->rport_num = 0;
	v->host_type = v->has_rport = 0;
}

/* sent-protocol LWS sent-by [ SEMI via-params ], the general grammar. */
static int via_slow(struct sip_via *v, const char *base, struct sip_span s)
{
	uint32_t i, e;
	int r;

	via_reset(v, s);
	e = s.off + s.len;
	if ((r = protocol(v, base, s.off, e)) < 0)
		return r;
	i = lx_skip_lws(base, (uint32_t)r, e);
	if (i == (uint32_t)r || i == e)
		return SIP_EVIA; /* sent-protocol LWS sent-by */
	if ((r = sent_by(v, base, i, e)) < 0)
		return r;
	i = lx_skip_lws(base, (uint32_t)r, e);
	if (i == e)
		return 0;
	if (base[i] != ';' || lx_skip_lws(base, i + 1, e) == e)
		return SIP_EVIA;
	v->params = sip_span_make(i + 1, e - i - 1);
	return 0;
}

int sip_via_parse(struct sip_via *v, const char *base, struct sip_span s)
{
	struct sip_span rest, n, val;
	int r, tok;

	via_reset(v, s);
	if (via_quick(v, base, s.off, s.off + s.len, 0) == 0 && (r = via_slow(v, base, s)) < 0)
		return r;
	if (!sip_span_present(v->params))
		return 0;
	rest = v->params;
	while ((r = param_step(base, &rest, &n, &val, &tok)) > 0) {
		if (tok && via_branch(v, base, n, val))
			continue;
		if (via_param(v, base, n, val, tok) < 0)
			return SIP_EVIA;
	}
	return r == 0 ? 0 : SIP_EVIA;
}

/*
 * The quick path on the first element of a list: its end is where the
 * quick shape stops, at the end of the value or at a ',' (the one
 * sip_list_next() stops at: nothing before it was a '"', '<' or '>').
 * 1 with *v and *rest as the list split and sip_via_parse() leave them,
 * 0 when the general path must decide.
 */
static int via_first(struct sip_via *v, const char *b, struct sip_span *rest)
{
	uint32_t i = rest->off, e = i + rest->len, end, next, j;
	struct sip_span pr, n, val;
	int r, tok;

	if ((end = via_quick(v, b, i, e, 1)) == 0)
		return 0;
	if (sip_span_present(v->params)) {
		pr = v->params;
		while ((r = param_step_x(b, &pr, &n, &val, &tok, 1)) > 0) {
			if (via_branch(v, b, n, val))
				continue;
			if (via_param(v, b, n, val, tok) < 0)
				return 0;
		}
		if (r < 0)
			return 0;
		end = pr.off;
		v->params.len = end - v->params.off;
	}
	next = end;
	if (end < e) {
		/* past the ',', as the split checks: not only LWS after it */
		for (j = ++next; j < e && lx_is((unsigned char)b[j], LX_LWS); j++)
			;
		if (j == e)
			return 0;
	}
	v->whole = sip_span_make(i, end - i);
	*rest = sip_span_make(next, e - next);
	return 1;
}

int sip_via_parse_next(struct sip_via *v, const char *base, struct sip_span *rest)
{
	struct sip_span item;
	int r;

	via_reset(v, *rest);
	if (via_first(v, base, rest))
		return 1;
	via_reset(v, *rest);
	if ((r = sip_list_next(base, rest, &item)) <= 0)
		return r;
	r = sip_via_parse(v, base, item);
	return r < 0 ? r : 1;
}
