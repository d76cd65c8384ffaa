/*
 * verify.c - rule 5 on the rendered output: it must re-parse, its
 * Content-Length must equal its body, and every value that carries an edit
 * must parse again; otherwise the original is forwarded.
 *
 * Why not sip_msg_validate() of the whole output: the input already passed
 * sip_msg_parse() + sip_msg_validate() (engine.c parse()), and sip_render()
 * copies every byte outside the edits unchanged except the Content-Length
 * digits (edit.h).  What an edit can break is therefore (a) the framing -
 * start line, header boundaries, the empty line, the body - which
 * sip_msg_parse() of the output re-checks, together with the same header
 * count and ids as the input (an edit that smuggled a line end in would
 * add or split a header); (b) Content-Length against the real body; and
 * (c) the grammar of the values the edits sit in.  Those values are
 * re-parsed with the parsers sip_msg_validate() uses for them: Via items
 * with sip_via_parse(), Contact / Route-like items with sip_addr_parse(),
 * the Request-URI with sip_uri_parse(), and the SDP with sdp_parse() when
 * an edit lies in the body.  The rules across headers that validate also
 * checks (mandatory headers, single-value headers, CSeq method) read only
 * headers no edit touches.  An edit anywhere else (no engine code makes
 * one today) gets the full sip_msg_validate(), so the shortcut never
 * weakens the check.  This is a third of what a full validate costs on a
 * rewritten INVITE (docs/rewrite-rules.md, "Cost per message").
 */
#include "engine_int.h"

#define R5_PARSE "rewritten message did not re-parse: original forwarded (R5)"

/* Every list item of a value parses as its header's grammar.  1 checked,
 * 0 not a header this file knows (caller validates fully), < 0 bad. */
static int value_ok(const char *b, const struct sip_hdr *h)
{
	struct sip_span rest = h->value, item;
	struct sip_via via;
	struct sip_addr a;
	int r, n = 0;

	switch (h->id) {
	case SIP_HDR_VIA:
		while ((r = sip_list_next(b, &rest, &item)) > 0) {
			if (sip_via_parse(&via, b, item) < 0)
				return SIP_EVIA;
			n++;
		}
		break;
	case SIP_HDR_CONTACT:
	case SIP_HDR_ROUTE:
	case SIP_HDR_RECORD_ROUTE:
		while ((r = sip_list_next(b, &rest, &item)) > 0) {
			if (sip_addr_parse(&a, b, item) < 0 ||
			    (a.star && (h->id != SIP_HDR_CONTACT || n > 0 || rest.len)) ||
			    (h->id != SIP_HDR_CONTACT && !a.bracketed))
				return SIP_EADDR;
			n++;
		}
		break;
	default:
		return 0;
	}
	return r < 0 || n == 0 ? SIP_EVALUE : 1;
}

/* Same start line kind, same headers in the same order. */
static int same_shape(const struct sip_msg *in, const struct sip_msg *out)
{
	if (in->is_request != out->is_request || in->method != out->method ||
	    in->status != out->status || in->nhdrs != out->nhdrs)
		return 0;
	for (unsigned k = 0; k < in->nhdrs; k++)
		if (in->hdrs[k].id != out->hdrs[k].id)
			return 0;
	return 1;
}

/* Index of the input header whose value holds [off, off+len), or -1. */
static int hdr_of(const struct sip_msg *m, uint32_t off, uint32_t len)
{
	for (unsigned k = 0; k < m->nhdrs; k++) {
		struct sip_span v = m->hdrs[k].value;
		if (off >= v.off && off + len <= v.off + v.len)
			return (int)k;
	}
	return -1;
}

static int within(struct sip_span s, uint32_t off, uint32_t len)
{
	return off >= s.off && off + len <= s.off + s.len;
}

/* The values the edits sit in.  0 ok, 1 an edit outside what this file
 * knows (caller validates fully), < 0 bad. */
static int edited_values_ok(struct alg_engine *e, const struct alg_ctx *c, const struct sip_msg *v)
{
	int last = -1, body = 0;

	for (unsigned i = 0; i < c->ed.n; i++) {
		const struct sip_edit *d = &c->ed.v[i];
		struct sip_uri u;
		int k, r;
		if (d->off >= c->m.body_off) {
			body = 1;
		} else if (c->m.is_request && within(c->m.ruri, d->off, d->len)) {
			if (sip_uri_parse(&u, v->buf, v->ruri) < 0 || sip_span_present(u.headers))
				return SIP_EURI;
		} else if ((k = hdr_of(&c->m, d->off, d->len)) < 0) {
			return 1;
		} else if (k != last) {
			last = k;
			if ((r = value_ok(v->buf, &v->hdrs[k])) <= 0)
				return r < 0 ? r : 1;
		}
	}
	if (body) {
		struct sip_span sdp;
		struct sdp s;
		if (sip_body_sdp(v, &sdp) != 1 ||
		    sdp_parse(&s, v->buf, sdp, e->media, SDP_MAX_MEDIA) < 0)
			return SIP_EBODY;
	}
	return 0;
}

/* NULL if the n rendered bytes in e->out may go out, else why not. */
const char *alg_verify(struct alg_engine *e, const struct alg_ctx *c, size_t n)
{
	struct sip_msg v;
	unsigned fl = c->pkt->transport == ALG_TCP ? SIP_PARSE_STREAM : 0;

	if (sip_msg_parse(&v, e->out, n, e->vhdrs, SIP_MAX_HEADERS, fl) < 0 ||
	    !same_shape(&c->m, &v))
		return R5_PARSE;
	if (v.content_length >= 0 && (uint64_t)v.content_length != v.body_len)
		return "Content-Length wrong after rewrite: original forwarded (R5)";
	if (n - v.body_off - v.body_len != c->m.len - c->m.body_off - c->m.body_len)
		return "body length inconsistent after rewrite: original forwarded (R5)";
	int r = edited_values_ok(e, c, &v);
	if (r < 0 || (r == 1 && sip_msg_validate(&v) < 0))
		return R5_PARSE;
	return NULL;
}
