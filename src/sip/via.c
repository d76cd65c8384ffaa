/*
 * via.c - one via-parm (RFC 3261 §20.42, §25.1; RFC 3581 rport; RFC 5118
 * §4.5 received= with or without brackets).  Spans into the caller's
 * buffer; no allocation, no writes.
 */
#include "via.h"
#include "error.h"
#include "lex.h"
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

/* via-params: ttl, maddr, received, branch, rport (RFC 3581) or a
 * generic-param; each known one has its own grammar. */
static int via_param(struct sip_via *v, const char *b, struct sip_span n, struct sip_span val)
{
	int has = sip_span_present(val);

	if (!is_token(b, n))
		return SIP_EVIA;
	if (LX_NAME_IS(b, n, "branch")) {
		if (!has || !is_token(b, val))
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
	} else if (has && !lx_gen_value_ok(b, val)) {
		return SIP_EVIA; /* generic-param: token / host / quoted-string */
	}
	return 0;
}

int sip_via_parse(struct sip_via *v, const char *base, struct sip_span s)
{
	uint32_t i, e;
	int r;

	*v = (struct sip_via){ 0 };
	v->protocol = v->transport = v->sent_by = v->host = v->port = v->params = SIP_SPAN_NONE;
	v->branch = v->received = v->rport = v->maddr = v->ttl = SIP_SPAN_NONE;
	v->whole = s;
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
	struct sip_span rest = sip_span_make(i + 1, e - i - 1), n, val;
	v->params = rest;
	while ((r = sip_param_next(base, &rest, &n, &val)) > 0)
		if (via_param(v, base, n, val) < 0)
			return SIP_EVIA;
	return r == 0 ? 0 : SIP_EVIA;
}
