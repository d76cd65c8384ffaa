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
 *
 * The usual case does not re-parse the output's framing either (quick_ok):
 * when every edit replaces bytes inside a Via / Contact / Route-like value,
 * the Request-URI or the SDP, and the replacement as it stands in the
 * output is printable non-space ASCII, no line, header or start-line
 * boundary can have moved, so the output frames as the input did with
 * every position shifted by the edits before it (and by the Content-Length
 * digits, which sip_render() rewrites).  quick_ok() computes those shifted
 * positions, checks the Content-Length digits against the new body
 * length, the output length against the sum of the edits, that the edited
 * header values carry no line end the input did not, and re-parses the
 * edited values and the SDP in place.  It answers only "certainly fine";
 * anything else goes through the full check below, so verdicts and
 * reasons are those of the full check.
 */
#include "engine_int.h"

#define R5_PARSE "rewritten message did not re-parse: original forwarded (R5)"

static const char *verify_full(struct alg_engine *e, const struct alg_ctx *c, size_t n);

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

/* Replacements the output carries: the edits plus sip_render()'s
 * Content-Length digits. */
struct shift {
	const struct sip_edits *ed;
	struct sip_span cl[4];      /* Content-Length values that changed */
	int32_t cl_delta[4];
	unsigned ncl;
};

/* Where input offset p lands in the output: p plus the growth of every
 * replacement that ends at or before it. */
static uint32_t out_pos(const struct shift *s, uint32_t p)
{
	int64_t q = p;

	for (unsigned i = 0; i < s->ed->n && s->ed->v[i].off < p; i++) {
		const struct sip_edit *d = &s->ed->v[i];
		if (d->off + d->len <= p)
			q += (int64_t)d->data_len - d->len;
	}
	for (unsigned i = 0; i < s->ncl; i++)
		if (sip_span_end(s->cl[i]) <= p)
			q += s->cl_delta[i];
	return (uint32_t)q;
}

static struct sip_span out_span(const struct shift *s, struct sip_span v)
{
	uint32_t a = out_pos(s, v.off);

	return sip_span_make(a, out_pos(s, v.off + v.len) - a);
}

static uint32_t ndigits(uint64_t v)
{
	uint32_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* The Content-Length headers as sip_render() wrote them (edit.h): every
 * one's digits replaced by the new body length when it changed.  0 ok, -1
 * not the simple case. */
static int clen_shift(const struct sip_msg *m, int64_t body_delta, struct shift *s)
{
	s->ncl = 0;
	if (m->clen_hdr < 0 || !body_delta)
		return 0;
	uint64_t nb = (uint64_t)((int64_t)m->body_len + body_delta);
	for (unsigned k = (unsigned)m->clen_hdr; k < m->nhdrs; k++) {
		if (m->hdrs[k].id != SIP_HDR_CONTENT_LENGTH)
			continue;
		if (s->ncl == 4)
			return -1;
		s->cl[s->ncl] = m->hdrs[k].value;
		s->cl_delta[s->ncl++] = (int32_t)ndigits(nb) - (int32_t)m->hdrs[k].value.len;
	}
	return 0;
}

/* Printable, no space: a replacement made of these cannot move a line,
 * header or start-line boundary. */
static int plain_bytes(const char *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if ((unsigned char)p[i] <= ' ' || (unsigned char)p[i] >= 0x7f)
			return 0;
	return 1;
}

static int has_eol(const char *p, uint32_t n)
{
	return memchr(p, '\n', n) || memchr(p, '\r', n);
}

/* Where an edit sits: 1 Request-URI, 2 SDP body, 3 + header index for a
 * header value quick_ok can re-parse, 0 anywhere else. */
static int edit_place(const struct alg_ctx *c, const struct sip_edit *d, struct sip_span sdp)
{
	int k;

	if (d->off >= c->m.body_off)
		return sip_span_present(sdp) && within(sdp, d->off, d->len) ? 2 : 0;
	if (c->m.is_request && within(c->m.ruri, d->off, d->len))
		return 1;
	if ((k = hdr_of(&c->m, d->off, d->len)) < 0)
		return 0;
	switch (c->m.hdrs[k].id) {
	case SIP_HDR_VIA:
	case SIP_HDR_CONTACT:
	case SIP_HDR_ROUTE:
	case SIP_HDR_RECORD_ROUTE:
		return 3 + k;
	default:
		return 0;
	}
}

static int all_digits(const char *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return n > 0;
}

/*
 * An SDP edit that replaced one whole field by another of the same class:
 * a port (1-10 digits, at most 4294967295, sdp.h) by a port, an IPv4
 * literal by an IPv4 literal.  The line keeps its fields (the replacement
 * has no space or line end, plain_bytes()) and the field its grammar, so
 * sdp_parse() says of the output what it said of the input.  at: where
 * the replacement stands in the output.  1 certain, 0 not.
 */
static int sdp_field_ok(const struct alg_ctx *c, const struct sip_edit *d, struct sip_span sdp,
			const char *o, uint32_t at)
{
	const char *in = c->buf + d->off;
	uint32_t end = d->off + d->len;
	char pre = d->off > sdp.off ? c->buf[d->off - 1] : 0;
	char post = end < sip_span_end(sdp) ? c->buf[end] : '\n';
	struct alg_addr a;

	if ((pre != ' ' && pre != ':') ||
	    (post != ' ' && post != '/' && post != '\r' && post != '\n'))
		return 0; /* not a whole field */
	if (all_digits(in, d->len))
		return all_digits(o + at, d->data_len) && d->data_len <= 10 &&
		       sip_span_uint(o, sip_span_make(at, d->data_len), UINT32_MAX) >= 0;
	return alg_addr_parse(&a, in, d->len) == 0 && a.family == 4 &&
	       alg_addr_parse(&a, o + at, d->data_len) == 0 && a.family == 4;
}

/* One edited place, re-checked in the output.  1 fine, 0 not certain. */
static int place_ok(struct alg_engine *e, const struct alg_ctx *c, const struct shift *s,
		    int place, struct sip_span sdp)
{
	const char *o = e->out;

	if (place == 1) {
		struct sip_uri u;
		struct sip_span r = out_span(s, c->m.ruri);
		return !has_eol(o + r.off, r.len) && sip_uri_parse(&u, o, r) == 0 &&
		       !sip_span_present(u.headers);
	}
	if (place == 2) {
		struct sdp sd;
		return sdp_parse(&sd, o, out_span(s, sdp), e->media, SDP_MAX_MEDIA) >= 0;
	}
	struct sip_hdr h = c->m.hdrs[place - 3];
	if (has_eol(c->buf + h.value.off, h.value.len))
		return 0; /* folded: let the full parse judge */
	h.value = out_span(s, h.value);
	return !has_eol(o + h.value.off, h.value.len) && value_ok(o, &h) == 1;
}

/* 1 when the output is certainly what the full check would pass. */
static int quick_ok(struct alg_engine *e, const struct alg_ctx *c, size_t n)
{
	const struct sip_edits *ed = &c->ed;
	struct shift s = { .ed = ed };
	struct sip_span sdp = SIP_SPAN_NONE;
	int64_t body_delta = 0;
	int last = -1, sdp_whole = 0;

	if (c->m.body_len && sip_body_sdp(&c->m, &sdp) != 1)
		sdp = SIP_SPAN_NONE;
	for (unsigned i = 0; i < ed->n; i++) {
		const struct sip_edit *d = &ed->v[i];
		if (!d->len || !d->data_len || !edit_place(c, d, sdp))
			return 0;
		if (d->off >= c->m.body_off)
			body_delta += (int64_t)d->data_len - d->len;
	}
	if (clen_shift(&c->m, body_delta, &s) < 0 || out_pos(&s, c->m.len) != n)
		return 0;
	for (unsigned i = 0; i < s.ncl; i++) {
		struct sip_span v = out_span(&s, s.cl[i]);
		if (sip_span_uint(e->out, v, UINT32_MAX) != (int64_t)c->m.body_len + body_delta)
			return 0;
	}
	for (unsigned i = 0; i < ed->n; i++) {
		const struct sip_edit *d = &ed->v[i];
		int place = edit_place(c, d, sdp);
		uint32_t at = out_pos(&s, d->off);
		if (!plain_bytes(e->out + at, d->data_len))
			return 0;
		if (place == 2) /* SDP: field by field, else the whole SDP below */
			sdp_whole |= !sdp_field_ok(c, d, sdp, e->out, at);
		else if (place != last && !place_ok(e, c, &s, place, sdp))
			return 0;
		last = place;
	}
	return !sdp_whole || place_ok(e, c, &s, 2, sdp);
}

/* NULL if the n rendered bytes in e->out may go out, else why not. */
const char *alg_verify(struct alg_engine *e, const struct alg_ctx *c, size_t n)
{
	if (quick_ok(e, c, n))
		return NULL;
	return verify_full(e, c, n);
}

/* The full check: the output parsed again as a message. */
static const char *verify_full(struct alg_engine *e, const struct alg_ctx *c, size_t n)
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
