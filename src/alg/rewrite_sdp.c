/*
 * rewrite_sdp.c - SDP from inside (rules 1, 7, 8): c= (session and media),
 * o= address, m= port and a=rtcp, through the SDP parser, never by search.
 *
 * Per media description: ICE present (a=ice-ufrag / a=candidate, RFC 8839)
 * leaves it alone (B8); port 0 is a rejected stream and gets no pinhole
 * (RFC 3264 §6); c=0.0.0.0 is hold and keeps its mapping unrewritten (B9);
 * an inside address of any inside host is mapped (B29); anything else
 * (outside address, FQDN, other family, TCP media, port > 65535) is left
 * alone.  No line is ever added or removed (B31); the edit list fixes
 * Content-Length, multipart included (B24).
 */
#include "engine_int.h"

struct sdp_run {
	struct alg_ctx *c;
	struct alg_call *call;
	struct sdp *s;
	const char *pub;            /* the public address as text (e->pub_text) */
	size_t publen;
	int sess_c_keep;
	int non_ice;
	/* The last address text looked up, its answer and whether it is
	 * inside: the session c= is read for every media description that
	 * inherits it, and o= usually says the same. */
	struct sip_span last_text;
	struct alg_addr last;
	int last_rc, last_in;
};

static void edit_addr(struct sdp_run *r, struct sip_span addr, struct alg_fname field)
{
	alg_edit(r->c, addr, r->pub, r->publen, field, "R1 SDP address (inside -> public)");
}

static void edit_port(struct sdp_run *r, struct sip_span port, uint16_t v,
		      struct alg_fname field, const char *rule)
{
	char num[8];

	alg_edit(r->c, port, num, alg_fmt_uint(num, v), field, rule);
}

/* An inside address this box NATs (the public address's family). */
static int addr_inside(const struct sdp_run *r, const struct alg_addr *a)
{
	const struct alg_config *cfg = &r->c->e->cfg;

	return a->family == cfg->public_addr.family && alg_is_inside(cfg, a);
}

/* alg_msg_addr() of an SDP address, and *in: whether it is an inside
 * address this box NATs (0 when it is no address). */
static int sdp_addr(struct sdp_run *r, struct sip_span s, struct alg_addr *a, int *in)
{
	const char *b = r->c->buf;
	struct sip_span t = r->last_text;
	int rc;

	if (!sip_span_present(s)) {
		*in = 0;
		return alg_msg_addr(r->c, s, a);
	}
	if (sip_span_present(t) && t.len == s.len &&
	    (t.off == s.off || !memcmp(b + t.off, b + s.off, s.len))) {
		*a = r->last;
		*in = r->last_in;
		return r->last_rc;
	}
	rc = alg_msg_addr(r->c, s, a);
	*in = rc < 0 ? 0 : addr_inside(r, a);
	r->last_text = s;
	r->last = *a;
	r->last_rc = rc;
	r->last_in = *in;
	return rc;
}

/* The inside address a conn names, if it is one this box NATs. */
static int conn_inside(struct sdp_run *r, const struct sdp_conn *cn, struct alg_addr *a)
{
	int in;

	if (sdp_addr(r, cn->addr, a, &in) < 0)
		return 0; /* FQDN or garbage: not ours (B23) */
	return in;
}

static void rtcp_edits(struct sdp_run *r, const struct sdp_media *md, const struct alg_stream *st,
		       unsigned i)
{
	struct alg_addr a;
	uint16_t port = st->pub_rtcp;

	/* rtcp-mux has no RTCP mapping; an a=rtcp beside it that names the
	 * RTP port (RFC 5761 §5.1.3) follows the RTP port's */
	if (!port && st->mux && md->rtcp_port_num == st->inside_rtp.port &&
	    (!sip_span_present(md->rtcp_addr.addr) || conn_inside(r, &md->rtcp_addr, &a)))
		port = st->pub_rtp;
	if (!md->has_rtcp || !port || !sip_span_present(md->rtcp_port) || !md->rtcp_port_num ||
	    md->rtcp_port_num > 65535)
		return; /* no a=rtcp, or its port is no port: left as sent */
	edit_port(r, md->rtcp_port, port, ALG_FNAME_AT("sdp.m", i, ".a=rtcp.port"),
		  "R1 a=rtcp port (RFC 3605)");
	if (sip_span_present(md->rtcp_addr.addr) && conn_inside(r, &md->rtcp_addr, &a))
		edit_addr(r, md->rtcp_addr.addr, ALG_FNAME_AT("sdp.m", i, ".a=rtcp.addr"));
}

/* The RTCP endpoint a=rtcp names (RFC 3605), else RTP+1.  An a=rtcp
 * address this box does not NAT (an outside host, another family, a
 * name) is not ours: family 0, no RTCP mapping, a=rtcp left as sent (a
 * pinhole to it would relay the public port to an outside host). */
static void rtcp_ep(struct sdp_run *r, const struct sdp_media *md, const struct alg_addr *rtp,
		    struct alg_addr *rtcp)
{
	*rtcp = *rtp;
	if (md->has_rtcp && md->rtcp_port_num && md->rtcp_port_num <= 65535) {
		if (sip_span_present(md->rtcp_addr.addr) && !conn_inside(r, &md->rtcp_addr, rtcp)) {
			rtcp->family = 0;
			return;
		}
		rtcp->port = (uint16_t)md->rtcp_port_num;
	} else {
		rtcp->port = rtp->port < 65535 ? (uint16_t)(rtp->port + 1) : 0;
	}
}

static int is_tcp_proto(const char *base, struct sip_span p)
{
	return p.len >= 3 && (base[p.off] == 'T' || base[p.off] == 't') &&
	       (base[p.off + 1] == 'C' || base[p.off + 1] == 'c');
}

/*
 * Must the session c= stay as sent?  Yes when a description that inherits
 * it is left alone on purpose: ICE (R8), a port we cannot map (> 65535, a
 * port count) or TCP media (its a=path goes with it).  Decided before any
 * description is mapped, since one that inherits a kept session c= is
 * left alone too, whatever the order of the m= lines: never half-translated.
 */
static int sess_c_kept(const struct sdp_run *r)
{
	const struct sdp *s = r->s;

	for (unsigned i = 0; i < s->nmedia; i++) {
		const struct sdp_media *md = &s->media[i];
		if (md->has_conn)
			continue;
		if (s->ice || md->ice)
			return 1;
		if (!s->has_conn || md->port_num == 0)
			continue;
		if (md->port_num > 65535 || md->count_num != 1 ||
		    is_tcp_proto(r->c->buf, md->proto))
			return 1;
	}
	return 0;
}

static void one_media(struct sdp_run *r, unsigned i)
{
	struct alg_ctx *c = r->c;
	const struct sdp_media *md = &r->s->media[i];
	const struct sdp_conn *cn = md->has_conn ? &md->conn : (r->s->has_conn ? &r->s->conn : NULL);
	struct alg_addr a, rtcp;
	struct alg_stream *st;

	if (r->s->ice || md->ice) {
		c->skip_reason = "ICE in the media description: left alone (R8)";
		return;
	}
	r->non_ice++;
	if (!cn || md->port_num == 0)
		return; /* no address, or a rejected stream (RFC 3264 §6) */
	if (md->port_num > 65535 || md->count_num != 1) {
		c->skip_reason = "m= port out of range or a port count: stream left alone";
		return;
	}
	if (is_tcp_proto(c->buf, md->proto)) {
		/* never half-translate: c= used by it and its a=path stay as sent */
		c->skip_reason = "TCP media (MSRP, TCP/BFCP): no UDP pinhole, left alone";
		return;
	}
	int in, rc = sdp_addr(r, cn->addr, &a, &in);
	if (rc == 0 && alg_addr_is_any(&a)) {
		st = media_find_hold(r->call, i, (uint16_t)md->port_num);
		if (st) { /* hold: keep the mapping, never rewrite 0.0.0.0 */
			edit_port(r, md->port, st->pub_rtp, ALG_FNAME_AT("sdp.m", i, ".port"),
				  "R6 stable mapping across hold");
			rtcp_edits(r, md, st, i);
		}
		return;
	}
	if (rc < 0 || !in) /* conn_inside(), the address at hand */
		return;
	if (!md->has_conn && r->sess_c_keep) {
		/* its address is the session c= that an ICE or TCP description
		 * keeps as sent: a public m= port behind it reaches no one */
		c->skip_reason = "shares the session c= with a description left alone: left alone";
		return;
	}
	a.port = (uint16_t)md->port_num;
	rtcp_ep(r, md, &a, &rtcp);
	st = media_map(c, r->call, i, md->media, &a, &rtcp, md->rtcp_mux);
	if (!st)
		return;
	if (md->has_conn)
		edit_addr(r, md->conn.addr, ALG_FNAME_AT("sdp.m", i, ".c"));
	edit_port(r, md->port, st->pub_rtp, ALG_FNAME_AT("sdp.m", i, ".port"),
		  "R1 m= port (public mapping)");
	rtcp_edits(r, md, st, i);
}

/* sip_body_sdp() of the message, asked once per message. */
int alg_body_sdp(struct alg_ctx *c, struct sip_span *sdp)
{
	if (c->sdp_rc == 2)
		c->sdp_rc = sip_body_sdp(&c->m, &c->sdp);
	*sdp = c->sdp;
	return c->sdp_rc;
}

/* Does a multipart body hold more than one SDP part?  Only the first is
 * translated (the re-check knows one), and a private alternative next to
 * a public one is a half translation: the receiver may pick either
 * (RFC 2046 §5.1.4).  A body that is the SDP itself costs nothing. */
static int several_sdps(const struct alg_ctx *c, struct sip_span sdp)
{
	struct sip_span v[2];

	if (sdp.off == c->m.body_off && sdp.len == c->m.body_len)
		return 0;
	return sip_body_sdps(&c->m, v, 2) != 1;
}

/*
 * The Content-Lengths of the MIME parts around a multipart SDP
 * (sip_body_part_lengths): each must count its part as it stands, or
 * which octets a receiver takes is a guess and the SDP is left alone
 * (R5).  Returns how many there are, or -1.
 */
static int part_lengths(struct alg_ctx *c, struct sip_span sdp, struct sip_part_length *v)
{
	int n = sip_body_part_lengths(&c->m, sdp, v);

	for (int i = 0; i < n; i++)
		if (sip_value_uint(c->buf, v[i].value, UINT32_MAX) != v[i].content.len)
			return -1;
	return n;
}

/* After the SDP's edits, each part Content-Length around it counts the
 * part's new length, as the edit list does for the message's own. */
static void part_lengths_fix(struct alg_ctx *c, struct sip_span sdp,
			     const struct sip_part_length *v, int n)
{
	int64_t delta = 0;
	char num[12];

	for (unsigned k = 0; k < c->ed.n; k++) {
		const struct sip_edit *x = &c->ed.v[k];
		if (x->off >= sdp.off && x->off + x->len <= sip_span_end(sdp))
			delta += (int64_t)x->data_len - x->len;
	}
	for (int i = 0; delta && i < n; i++)
		alg_edit(c, v[i].value, num,
			 alg_fmt_uint(num, (uint32_t)((int64_t)v[i].content.len + delta)),
			 ALG_FNAME_AT("body.part", (unsigned)i, ".Content-Length"),
			 "R5 part Content-Length (its SDP changed length)");
}

_Static_assert(SDP_MAX_MEDIA == 16 && SIP_MAX_PARTS == 8, "the reasons below name the limits");

void sdp_out(struct alg_ctx *c, struct alg_call *call)
{
	struct sip_part_length plen[SIP_MAX_PART_DEPTH];
	int nplen;
	struct sip_span body;
	struct sdp s;
	struct sdp_run r = { .c = c, .call = call, .s = &s, .last_text = SIP_SPAN_NONE };
	struct alg_addr a;

	int rc = alg_body_sdp(c, &body);
	if (rc <= 0) {
		if (rc < 0)
			c->skip_reason = rc == SIP_ETOOMANYPARTS
						 ? "multipart body with more than 8 parts: left alone"
						 : "body did not parse (multipart): left alone";
		return;
	}
	if (!call) {
		c->skip_reason = "SDP outside a call: left alone (no pinhole to open)";
		return;
	}
	if (several_sdps(c, body)) {
		c->skip_reason = "several SDP parts (multipart/alternative): left alone";
		return;
	}
	nplen = part_lengths(c, body, plen);
	if (nplen < 0) {
		c->skip_reason = "a part Content-Length does not count its part: SDP left alone (R5)";
		return;
	}
	rc = sdp_parse(&s, c->buf, body, c->e->media, SDP_MAX_MEDIA);
	if (rc < 0) {
		c->skip_reason = rc == SIP_ENOSPACE ? "SDP has more than 16 m= lines: left alone (R5)"
						    : "SDP did not parse: left alone (R5)";
		return;
	}
	r.publen = c->e->pub_len;
	r.pub = c->e->pub_text;
	r.sess_c_keep = sess_c_kept(&r);
	for (unsigned i = 0; i < s.nmedia; i++)
		one_media(&r, i);
	if (s.has_conn && !r.sess_c_keep && conn_inside(&r, &s.conn, &a))
		edit_addr(&r, s.conn.addr, ALG_FNAME("sdp.c"));
	/* o= names the session's origin; RFC 3264 §8 wants it identical
	 * across offers, which an address-only rewrite keeps (B9, K12). */
	if (s.has_origin && !s.ice && (r.non_ice || !s.nmedia) &&
	    conn_inside(&r, &s.origin.addr, &a))
		edit_addr(&r, s.origin.addr.addr, ALG_FNAME("sdp.o"));
	part_lengths_fix(c, body, plen, nplen);
}

static int sdp_wsp(char ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Could a media description of this SDP have port 0?  Every m= line
 * follows an LF (the first line is v=, RFC 8866 §5), and sdp_parse() reads
 * its port as the field after the media field, fields split by SP or HT
 * (sdp.h).  A port field that starts with 1-9 is not zero, or does not
 * parse (then nothing is rejected either).  0: certainly none, 1: maybe,
 * ask sdp_parse().  An answer that rejects nothing, the usual one, costs a
 * scan for line ends instead of a parse.
 */
static int maybe_port_zero(const char *b, struct sip_span body)
{
	const char *p = b + body.off, *e = p + body.len;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		if (e - p < 3 || p[1] != 'm' || p[2] != '=') {
			p++;
			continue;
		}
		p += 3;
		while (p < e && sdp_wsp(*p))
			p++;
		while (p < e && !sdp_wsp(*p) && *p != '\r' && *p != '\n' && *p)
			p++;
		while (p < e && sdp_wsp(*p))
			p++;
		if (p == e || *p < '1' || *p > '9')
			return 1;
	}
	return 0;
}

/* A final answer from outside (2xx to INVITE/UPDATE, or ACK): a stream it
 * rejects with port 0 closes the pinholes opened for our offer of it.
 * Early answers (18x) are not final: another fork may accept (B15). */
void sdp_answer_in(struct alg_ctx *c, struct alg_call *call)
{
	struct sip_span body;
	struct sdp s;

	if (!call || alg_body_sdp(c, &body) <= 0 || !maybe_port_zero(c->buf, body) ||
	    sdp_parse(&s, c->buf, body, c->e->media, SDP_MAX_MEDIA) < 0)
		return;
	for (unsigned i = 0; i < s.nmedia; i++)
		if (s.media[i].port_num == 0 && media_reject(c, call, i))
			c->skip_reason = "stream rejected by the answer: its pinholes closed (R7)";
}
