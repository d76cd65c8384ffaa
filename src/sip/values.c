/*
 * values.c - CSeq, numbers, Content-Type, Call-ID and From/To tags
 * (RFC 3261 §20, §25.1).  Spans into the caller's buffer; no allocation.
 */
#include "values.h"
#include "addr.h"
#include "lex.h"

/* CSeq = 1*DIGIT LWS Method (§20.16); the number is below 2**31 (§8.1.1.5). */
int sip_cseq_parse(struct sip_cseq *c, const char *base, struct sip_span s)
{
	uint32_t i, e, n, k;
	int64_t v;

	s = lx_trim(base, s);
	i = s.off;
	e = s.off + s.len;
	n = lx_span_cls(base, i, e, LX_DIGIT);
	v = sip_span_uint(base, sip_span_make(i, n), 0x7fffffffu);
	k = lx_skip_lws(base, i + n, e);
	if (n == 0 || v < 0 || k == i + n || k == e)
		return SIP_ECSEQ;
	uint32_t m = lx_span_cls(base, k, e, LX_TOKEN);
	if (k + m != e)
		return SIP_ECSEQ;
	c->num_s = sip_span_make(i, n);
	c->num = (uint32_t)v;
	c->method_s = sip_span_make(k, m);
	c->method = (uint8_t)sip_method_lookup(base + k, m);
	return 0;
}

int64_t sip_value_uint(const char *base, struct sip_span s, uint64_t max)
{
	int64_t v = sip_span_uint(base, lx_trim(base, s), max);

	return v < 0 ? SIP_EVALUE : v;
}

/* m-parameter = m-attribute EQUAL m-value, m-value = token / quoted-string */
static int mparams_ok(const char *b, struct sip_span params)
{
	struct sip_span rest = params, n, v;
	int r;

	while ((r = sip_param_next(b, &rest, &n, &v)) > 0) {
		if (!sip_span_present(v) || v.len == 0 ||
		    lx_span_cls(b, n.off, n.off + n.len, LX_TOKEN) != n.len)
			return SIP_EVALUE;
		if (b[v.off] != '"' && lx_span_cls(b, v.off, v.off + v.len, LX_TOKEN) != v.len)
			return SIP_EVALUE;
		if (b[v.off] == '"' && lx_quoted_end(b, v.off, v.off + v.len) != v.off + v.len)
			return SIP_EVALUE;
	}
	return r == 0 ? 0 : SIP_EVALUE;
}

/* Content-Type = media-type, m-type SLASH m-subtype *(SEMI m-parameter) */
int sip_ctype_parse(struct sip_ctype *ct, const char *base, struct sip_span s)
{
	uint32_t i, e, n, k;

	s = lx_trim(base, s);
	i = s.off;
	e = s.off + s.len;
	n = lx_span_cls(base, i, e, LX_TOKEN);
	k = lx_skip_lws(base, i + n, e);
	if (n == 0 || k == e || base[k] != '/')
		return SIP_EVALUE;
	ct->type = sip_span_make(i, n);
	k = lx_skip_lws(base, k + 1, e);
	n = lx_span_cls(base, k, e, LX_TOKEN);
	if (n == 0)
		return SIP_EVALUE;
	ct->subtype = sip_span_make(k, n);
	ct->params = SIP_SPAN_NONE;
	k = lx_skip_lws(base, k + n, e);
	if (k == e)
		return 0;
	if (base[k] != ';' || lx_skip_lws(base, k + 1, e) == e)
		return SIP_EVALUE;
	ct->params = sip_span_make(k + 1, e - k - 1);
	return mparams_ok(base, ct->params);
}

int sip_ctype_is(const char *base, const struct sip_ctype *ct, const char *type,
		 const char *subtype)
{
	return sip_span_caseeq(base, ct->type, type) && sip_span_caseeq(base, ct->subtype, subtype);
}

/* callid = word [ "@" word ] */
int sip_callid_check(const char *base, struct sip_span s)
{
	uint32_t i = s.off, e = s.off + s.len;
	uint32_t n = lx_span_cls(base, i, e, LX_WORD);

	if (n == 0)
		return SIP_EVALUE;
	i += n;
	if (i < e && base[i] == '@') {
		n = lx_span_cls(base, i + 1, e, LX_WORD);
		if (n == 0)
			return SIP_EVALUE;
		i += 1 + n;
	}
	return i == e ? 0 : SIP_EVALUE;
}

int sip_msg_cseq(const struct sip_msg *m, struct sip_cseq *c)
{
	int k = sip_msg_find(m, SIP_HDR_CSEQ, -1);
	int r;

	if (k < 0)
		return 0;
	r = sip_cseq_parse(c, m->buf, m->hdrs[k].value);
	return r < 0 ? r : 1;
}

int sip_msg_callid(const struct sip_msg *m, struct sip_span *callid)
{
	int k = sip_msg_find(m, SIP_HDR_CALL_ID, -1);

	if (k < 0)
		return 0;
	*callid = m->hdrs[k].value;
	return sip_callid_check(m->buf, *callid) < 0 ? SIP_EVALUE : 1;
}

int sip_msg_tag(const struct sip_msg *m, enum sip_hdr_id id, struct sip_span *tag)
{
	int k = sip_msg_find(m, id, -1);
	struct sip_addr a;
	int r;

	*tag = SIP_SPAN_NONE;
	if (k < 0)
		return 0;
	if ((r = sip_addr_parse(&a, m->buf, m->hdrs[k].value)) < 0)
		return r;
	*tag = a.tag;
	return sip_span_present(a.tag) ? 1 : 0;
}
