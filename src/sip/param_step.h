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
 * As sip_param_next().  *tok is set to 1 when the name, and the value if
 * there is one, are known to be tokens (§25.1), so that the caller need not
 * scan them again; 0 when the slow path ran and nothing is known.
 */
static inline int param_step(const char *b, struct sip_span *rest, struct sip_span *name,
			     struct sip_span *value, int *tok)
{
	uint32_t k = rest->off, e = rest->off + rest->len, n, m;

	*tok = 0;
	if (k == e)
		return 0;
	n = lx_span_cls(b, k, e, LX_TOKEN);
	if (n == 0)
		return sip_param_next(b, rest, name, value);
	m = k + n;
	*value = SIP_SPAN_NONE;
	if (m < e && b[m] == '=') {
		uint32_t v = lx_span_cls(b, m + 1, e, LX_TOKEN);
		if (v == 0)
			return sip_param_next(b, rest, name, value);
		*value = sip_span_make(m + 1, v);
		m += 1 + v;
	}
	if (m < e) {
		/* ';' then a non-LWS octet: anything else is the slow path's */
		if (b[m] != ';' || m + 1 == e || lx_is((unsigned char)b[m + 1], LX_LWS))
			return sip_param_next(b, rest, name, value);
		m++;
	}
	*name = sip_span_make(k, n);
	*rest = sip_span_make(m, e - m);
	*tok = 1;
	return 1;
}

/*
 * The end of an IPv4address (lx_ipv4()) that starts at i and is the whole
 * run of LX_HOST octets from i: that run is what the Via and URI parsers
 * hand to sip_host_parse(), which would call it SIP_HOST_IPV4.  0 if the
 * octets from i are not that (the caller takes the general path).
 */
static inline uint32_t quick_ipv4_end(const char *b, uint32_t i, uint32_t e)
{
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

#endif
