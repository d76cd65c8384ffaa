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
 * the Request-URI or the SDP with printable non-space ASCII, no line,
 * header or start-line boundary can have moved.  quick_ok() first checks
 * the output byte by byte against the input and the replacements (edits,
 * and the Content-Length digits of the new body length, as sip_render()
 * writes them), so the rest reasons about known bytes; then each edit by
 * its field's grammar: a hostport that validation parsed (top Via
 * sent-by, a Contact / Route-like or Request-URI hostport) replaced by
 * IPv4[:port], an SDP port by a port, an SDP IPv4 address by one.  A value
 * with any other edit is re-parsed in place (the SDP whole).  It answers
 * only "certainly fine"; anything else goes through the full check below,
 * so verdicts and reasons are those of the full check.
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

/* A replacement the output carries: an edit, or sip_render()'s new
 * Content-Length digits.  Sorted by offset. */
struct repl {
	uint32_t off, len, new_len;
	const char *data;
};

struct shift {
	struct repl r[SIP_MAX_EDITS + 4];
	unsigned n;
	char digits[12];
};

/* Where input offset p lands in the output: p plus the growth of every
 * replacement that ends at or before it. */
static uint32_t out_pos(const struct shift *s, uint32_t p)
{
	int64_t q = p;

	for (unsigned i = 0; i < s->n && s->r[i].off < p; i++)
		if (s->r[i].off + s->r[i].len <= p)
			q += (int64_t)s->r[i].new_len - s->r[i].len;
	return (uint32_t)q;
}

static struct sip_span out_span(const struct shift *s, struct sip_span v)
{
	uint32_t a = out_pos(s, v.off);

	return sip_span_make(a, out_pos(s, v.off + v.len) - a);
}

static void repl_add(struct shift *s, uint32_t off, uint32_t len, uint32_t new_len,
		     const char *data)
{
	s->r[s->n++] = (struct repl){ off, len, new_len, data };
}

/* The edits and, as sip_render() writes them (edit.h), the Content-Length
 * digits of every Content-Length header when the body length changed,
 * merged in offset order.  0, or -1 when that is not the simple case. */
static int shift_build(struct shift *s, const struct alg_ctx *c, int64_t body_delta)
{
	const struct sip_msg *m = &c->m;
	const struct sip_edits *ed = &c->ed;
	unsigned i = 0, ncl = 0, nd = 0;

	s->n = 0;
	if (m->clen_hdr >= 0 && body_delta)
		nd = (unsigned)alg_fmt_uint(s->digits, (uint32_t)((int64_t)m->body_len + body_delta));
	for (unsigned k = m->clen_hdr >= 0 && nd ? (unsigned)m->clen_hdr : m->nhdrs; k < m->nhdrs;
	     k++) {
		struct sip_span v = m->hdrs[k].value;
		if (m->hdrs[k].id != SIP_HDR_CONTENT_LENGTH)
			continue;
		if (++ncl > 4)
			return -1;
		for (; i < ed->n && ed->v[i].off < v.off; i++)
			repl_add(s, ed->v[i].off, ed->v[i].len, ed->v[i].data_len,
				 ed->pool + ed->v[i].data_off);
		repl_add(s, v.off, v.len, nd, s->digits);
	}
	for (; i < ed->n; i++)
		repl_add(s, ed->v[i].off, ed->v[i].len, ed->v[i].data_len,
			 ed->pool + ed->v[i].data_off);
	return 0;
}

/* The output is the input with exactly these replacements: every byte
 * between them as it was, each replacement's bytes what was asked, the
 * length right.  sip_render() promises it; checking costs a memcmp and
 * makes every check after it a statement about known bytes. */
static uint64_t load8(const char *p)
{
	uint64_t w;

	memcpy(&w, p, 8);
	return w;
}

static int same_outside(const struct shift *s, const char *in, uint32_t in_len, const char *out,
			size_t n)
{
	uint32_t pi = 0;
	size_t po = 0;

	for (unsigned i = 0; i < s->n; i++) {
		const struct repl *r = &s->r[i];
		uint32_t gap = r->off - pi;
		if (r->off < pi || po + gap + r->new_len > n || memcmp(out + po, in + pi, gap) ||
		    memcmp(out + po + gap, r->data, r->new_len))
			return 0;
		po += gap + r->new_len;
		pi = r->off + r->len;
	}
	return n - po == in_len - pi && !memcmp(out + po, in + pi, in_len - pi);
}

/* Printable, no space: a replacement made of these cannot move a line,
 * header or start-line boundary. */
static int plain_word(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t del = w ^ (0x7f * ones);

	/* no octet <= 0x20, none >= 0x80, none 0x7f */
	return !((((w - 0x21 * ones) & ~w) | w | ((del - ones) & ~del)) & high);
}

static int plain_bytes(const char *p, uint32_t n)
{
	uint32_t i = 0;

	/* a word at a time, the last word overlapping the one before */
	for (; i + 8 <= n; i += 8)
		if (!plain_word(load8(p + i)))
			return 0;
	if (n >= 8)
		return i == n || plain_word(load8(p + n - 8));
	for (; i < n; i++)
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

/* Texts known to be IPv4 literals as alg_addr_parse() reads them: the
 * public address (parsed once per configuration, engine.c), the message's
 * addresses the engine parsed (alg_msg_addr()), and those this check
 * parsed.  A rewrite writes the same public address into several fields,
 * and the inside address it replaces is usually the one in Via, Contact,
 * c= and o=.  Lives for one quick_ok(). */
#define V4_SEEN (ALG_ADDR_MEMO + 3)
struct v4_seen {
	const char *p[V4_SEEN];
	uint32_t n[V4_SEEN];
	unsigned k;
};

static void v4_seen_init(struct v4_seen *seen, const struct alg_engine *e,
			 const struct alg_ctx *c)
{
	seen->k = 0;
	if (e->pub_v4) {
		seen->p[seen->k] = e->pub_text;
		seen->n[seen->k++] = (uint32_t)e->pub_len;
	}
	for (unsigned i = 0; i < c->nmemo; i++)
		if (e->memo_rc[i] == 0 && e->memo[i].family == 4 &&
		    c->buf[e->memo_text[i].off] != '[') {
			seen->p[seen->k] = c->buf + e->memo_text[i].off;
			seen->n[seen->k++] = e->memo_text[i].len;
		}
}

/* memcmp(a, b, n) == 0 for 4 <= n <= 16 (every text in v4_seen is an
 * IPv4 literal, 7 to 15 octets): two overlapping words each side. */
static int same_short(const char *a, const char *b, uint32_t n)
{
	uint32_t x, y, u, v;

	if (n >= 8)
		return load8(a) == load8(b) && load8(a + n - 8) == load8(b + n - 8);
	memcpy(&x, a, 4);
	memcpy(&y, b, 4);
	memcpy(&u, a + n - 4, 4);
	memcpy(&v, b + n - 4, 4);
	return x == y && u == v;
}

/* An IPv4 literal as the engine reads addresses (alg_addr_parse). */
static int is_ipv4(struct v4_seen *seen, const char *p, uint32_t n)
{
	struct alg_addr a;

	for (unsigned i = 0; i < seen->k; i++)
		if (seen->n[i] == n && same_short(seen->p[i], p, n))
			return 1;
	if (!n || p[0] == '[' || alg_addr_parse(&a, p, n) < 0 || a.family != 4)
		return 0;
	if (seen->k < V4_SEEN) {
		seen->p[seen->k] = p;
		seen->n[seen->k++] = n;
	}
	return 1;
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
 * sdp_parse() says of the output what it said of the input.  1 certain,
 * 0 not.
 */
static int sdp_field_ok(const struct alg_ctx *c, const struct sip_edit *d, struct sip_span sdp,
			const char *txt, struct v4_seen *seen)
{
	const char *in = c->buf + d->off;
	uint32_t end = d->off + d->len;
	char pre = d->off > sdp.off ? c->buf[d->off - 1] : 0;
	char post = end < sip_span_end(sdp) ? c->buf[end] : '\n';

	if ((pre != ' ' && pre != ':') ||
	    (post != ' ' && post != '/' && post != '\r' && post != '\n'))
		return 0; /* not a whole field */
	if (all_digits(in, d->len))
		return d->data_len <= 10 && /* 1-10 digits, at most UINT32_MAX */
		       sip_span_uint(txt, sip_span_make(0, d->data_len), UINT32_MAX) >= 0;
	return is_ipv4(seen, in, d->len) && is_ipv4(seen, txt, d->data_len);
}

static int span_is(struct sip_span s, const struct sip_edit *d)
{
	return s.off == d->off && s.len == d->len;
}

/* IPv4address [ ":" port ], port 1-65535 without a leading zero. */
static int ipv4_hostport(struct v4_seen *seen, const char *p, uint32_t n)
{
	const char *colon = memchr(p, ':', n);
	uint32_t h = colon ? (uint32_t)(colon - p) : n, pl = n - h - (colon ? 1 : 0);

	if (!is_ipv4(seen, p, h))
		return 0;
	/* sip_span_uint(): digits only, at least one */
	return !colon || (pl >= 1 && pl <= 5 && p[h + 1] != '0' &&
			  sip_span_uint(p, sip_span_make(h + 1, pl), 65535) > 0);
}

/*
 * A header or Request-URI edit that replaced exactly a hostport the input's
 * validation parsed (the top Via sent-by, the Request-URI's, a Contact /
 * Route-like URI's: c->v) by an IPv4 literal with an optional port: host
 * and port keep their grammar and every byte around them is the input's
 * (same_outside()), so the value parses as it did.  1 certain, 0 not.
 */
static int hostport_ok(const struct alg_ctx *c, const struct sip_edit *d, const char *txt,
		       struct v4_seen *seen)
{
	const struct sip_valid *v = c->v;
	int found = span_is(v->top_via.sent_by, d) || (c->m.is_request && span_is(v->ruri.hostport, d));

	for (unsigned i = 0; !found && i < v->naddrs; i++)
		found = span_is(v->addrs[i].a.uri.hostport, d);
	return found && ipv4_hostport(seen, txt, d->data_len);
}

/* One edited place re-parsed in the output.  1 fine, 0 not certain. */
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
/* hostport_ok() for a hostport in the top Via, the Request-URI or a
 * Contact / Route / Record-Route item: the places edit_place() knows, so
 * an edit this passes needs no place of its own looked up. */
static int hostport_known(const struct alg_ctx *c, const struct sip_edit *d, const char *txt,
			  struct v4_seen *seen)
{
	const struct sip_valid *v = c->v;
	int found = span_is(v->top_via.sent_by, d) || (c->m.is_request && span_is(v->ruri.hostport, d));

	for (unsigned i = 0; !found && i < v->naddrs; i++) {
		enum sip_hdr_id id = c->m.hdrs[v->addrs[i].hdr].id;
		found = span_is(v->addrs[i].a.uri.hostport, d) &&
			(id == SIP_HDR_CONTACT || id == SIP_HDR_ROUTE || id == SIP_HDR_RECORD_ROUTE);
	}
	return found && ipv4_hostport(seen, txt, d->data_len);
}

/* The usual case of the loop at the end of quick_ok(): every edit certain
 * by its field's grammar, so no place needs re-parsing and the places
 * themselves (a header lookup per edit) are not needed.  1 all certain
 * (quick_ok() would say 1), 0 look place by place. */
static int all_certain(const struct alg_ctx *c, struct sip_span sdp, struct v4_seen *seen)
{
	const struct sip_edits *ed = &c->ed;

	for (unsigned i = 0; i < ed->n; i++) {
		const struct sip_edit *d = &ed->v[i];
		const char *txt = ed->pool + d->data_off;
		if (d->off >= c->m.body_off ? !sdp_field_ok(c, d, sdp, txt, seen)
					    : !hostport_known(c, d, txt, seen))
			return 0;
	}
	return 1;
}

static int quick_ok(struct alg_engine *e, const struct alg_ctx *c, size_t n)
{
	const struct sip_edits *ed = &c->ed;
	struct shift s;
	struct sip_span sdp = SIP_SPAN_NONE;
	int64_t body_delta = 0;
	int place[SIP_MAX_EDITS], cur = 0, need = 0;
	struct v4_seen seen;

	if (ed->n > SIP_MAX_EDITS)
		return 0;
	if (!c->m.body_len ||
	    (c->sdp_rc == 2 ? sip_body_sdp(&c->m, &sdp) : (sdp = c->sdp, c->sdp_rc)) != 1)
		sdp = SIP_SPAN_NONE;
	/* a body edit's place now (it is 2 or nothing), a header's later */
	for (unsigned i = 0; i < ed->n; i++) {
		const struct sip_edit *d = &ed->v[i];
		int body = d->off >= c->m.body_off;
		if (!d->len || !d->data_len || (body && !edit_place(c, d, sdp)) ||
		    !plain_bytes(ed->pool + d->data_off, d->data_len))
			return 0;
		if (body)
			body_delta += (int64_t)d->data_len - d->len;
	}
	if (shift_build(&s, c, body_delta) < 0 || !same_outside(&s, c->buf, c->m.len, e->out, n))
		return 0;
	v4_seen_init(&seen, e, c);
	if (all_certain(c, sdp, &seen))
		return 1;
	for (unsigned i = 0; i < ed->n; i++)
		if (!(place[i] = edit_place(c, &ed->v[i], sdp)))
			return 0;
	/* Each edit by its field's grammar; a place where that is not enough
	 * is re-parsed whole.  A place's edits are adjacent (sorted). */
	for (unsigned i = 0; i < ed->n; i++) {
		const struct sip_edit *d = &ed->v[i];
		const char *txt = ed->pool + d->data_off;
		if (place[i] != cur) {
			if (need && !place_ok(e, c, &s, cur, sdp))
				return 0;
			cur = place[i];
			need = 0;
		}
		need |= place[i] == 2 ? !sdp_field_ok(c, d, sdp, txt, &seen)
				      : !hostport_ok(c, d, txt, &seen);
	}
	return !need || place_ok(e, c, &s, cur, sdp);
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
