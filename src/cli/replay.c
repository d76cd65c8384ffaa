/*
 * replay.c - `sipalg replay`: run a capture through the ALG engine and write
 * the capture the ALG would have produced (docs/replay.md has the model).
 *
 * Frames go into an output queue in capture order.  A frame leaves the
 * queue only when everything it depends on is decided: an IP fragment when
 * its datagram completed (or gave up), a TCP segment when the messages it
 * carries, and the peer bytes it acknowledges, went through the engine.
 * So the output keeps the capture's order, and unchanged frames are copied
 * byte for byte.
 */
#include "replay.h"
#include "cli.h"
#include "replay_opts.h"
#include "pcapio.h"
#include "pktbuild.h"
#include "ipreasm.h"
#include "tcpreasm.h"
#include "sip/frame.h"
#include "sip/error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Output queue bound: beyond this many held frames the oldest undecided
 * TCP direction gives up (passes through) so memory stays bounded. */
#define RP_QUEUE_MAX 20000
#define RP_WINDOW_WHY "message not complete within the replay's window"

enum q_state { Q_READY, Q_HELD, Q_DROP, Q_TCP };

struct q_entry {
	enum q_state state;
	struct pcapio_frame f;   /* data owned (malloc'd) */
	/* Q_TCP: what is needed to rewrite the segment once decided. */
	uint64_t frame_no;       /* the captured frame's number, 0 for built frames */
	uint64_t now_ms;         /* engine time when queued */
	struct tcpr_conn *conn;
	int dir;
	uint32_t rel;
	struct pkt_ip ip;
	struct pkt_l4 l4;
	size_t plen;
	int nat;                 /* replace the source with the binding */
	struct alg_addr nat_src;
};

struct replay {
	struct rp_opts o;
	struct rp_ctx c;         /* engine, bindings, report */
	struct pcapio_writer *w;
	int linktype;
	struct ipreasm *ipr;
	struct tcpr *tcp;
	struct q_entry *q;
	size_t qhead, qlen, qcap;
	uint64_t qbase;          /* id of q[qhead] */
	int nano;                /* timestamps in nanoseconds */
	struct pcapio_frame cur; /* current frame (timestamps of new frames) */
	int write_err;
};

/* ---- output queue ---- */

static struct q_entry *q_push(struct replay *r, const struct pcapio_frame *f, enum q_state st)
{
	struct q_entry *e;

	if (r->qhead + r->qlen == r->qcap) {
		if (r->qhead > r->qcap / 2) {
			memmove(r->q, r->q + r->qhead, r->qlen * sizeof(*r->q));
			r->qhead = 0;
		} else {
			size_t ncap = r->qcap ? r->qcap * 2 : 256;
			struct q_entry *nq = realloc(r->q, ncap * sizeof(*nq));

			if (!nq)
				return NULL;
			r->q = nq;
			r->qcap = ncap;
		}
	}
	e = &r->q[r->qhead + r->qlen];
	memset(e, 0, sizeof(*e));
	e->f = *f;
	e->f.data = malloc(f->caplen ? f->caplen : 1);
	if (!e->f.data)
		return NULL;
	memcpy((uint8_t *)e->f.data, f->data, f->caplen);
	e->state = st;
	e->frame_no = r->c.frame;
	e->now_ms = r->c.now_ms;
	r->qlen++;
	return e;
}

static struct q_entry *q_by_id(struct replay *r, uint64_t id)
{
	if (id < r->qbase || id - r->qbase >= r->qlen)
		return NULL;
	return &r->q[r->qhead + (id - r->qbase)];
}

static uint64_t q_next_id(const struct replay *r)
{
	return r->qbase + r->qlen;
}

static int write_frame(struct replay *r, const struct pcapio_frame *f)
{
	if (pcapio_write(r->w, f) < 0)
		r->write_err = 1;
	r->c.rep.frames_out++;
	return 0;
}

struct emit_ctx {
	struct replay *r;
	const struct pcapio_frame *like;
};

static int emit_built(void *ctx, const uint8_t *frame, size_t len)
{
	struct emit_ctx *c = ctx;
	struct pcapio_frame f = *c->like;

	f.data = frame;
	f.caplen = f.wirelen = (uint32_t)len;
	return write_frame(c->r, &f);
}

static void put_be16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

/* Re-emit a TCP segment with its sequence number, acknowledgement and
 * payload mapped into the rewritten streams. */
static void tcp_emit(struct replay *r, struct q_entry *e)
{
	const uint8_t *fr = e->f.data, *l4 = fr + e->ip.l4off;
	uint32_t seq = tcpr_seq_out(e->conn, e->dir, e->l4.seq);
	uint32_t ack = (e->l4.flags & PKT_TCP_ACK) ? tcpr_seq_out(e->conn, !e->dir, e->l4.ack)
						   : e->l4.ack;
	uint8_t *pay = NULL, *seg = NULL;
	long n = tcpr_payload(e->conn, e->dir, e->rel, l4 + e->l4.hdrlen, e->plen, &pay);
	struct emit_ctx c = { r, &e->f };

	if (n < 0)
		goto copy;
	if (seq == e->l4.seq && ack == e->l4.ack && (size_t)n == e->plen && !e->nat &&
	    !memcmp(pay, l4 + e->l4.hdrlen, e->plen))
		goto copy;
	seg = malloc(e->l4.hdrlen + (size_t)n);
	if (!seg)
		goto copy;
	memcpy(seg, l4, e->l4.hdrlen);
	memcpy(seg + e->l4.hdrlen, pay, (size_t)n);
	put_be32(seg + 4, seq);
	put_be32(seg + 8, ack);
	if (e->nat)
		put_be16(seg, e->nat_src.port);
	if (pkt_build(fr, &e->ip, e->nat ? e->nat_src.ip : NULL, NULL, seg,
		      e->l4.hdrlen + (size_t)n, 65535, 0, emit_built, &c) >= 0)
		goto out;
copy:
	write_frame(r, &e->f);
out:
	free(pay);
	free(seg);
}

static int tcp_ready(const struct q_entry *e)
{
	uint32_t end = e->l4.seq + (uint32_t)e->plen;

	if (!tcpr_resolved(e->conn, e->dir, end))
		return 0;
	return !(e->l4.flags & PKT_TCP_ACK) || tcpr_resolved(e->conn, !e->dir, e->l4.ack);
}

static void q_pop(struct replay *r)
{
	free((void *)r->q[r->qhead].f.data);
	r->qhead++;
	r->qlen--;
	r->qbase++;
}

static void expire_fragments(struct replay *r, uint64_t now);

/* Write out every frame at the head of the queue that is decided.  When the
 * queue is over its bound the head gives way: its datagram is given up on
 * as if timed out, or its TCP direction passes through. */
static void q_flush(struct replay *r)
{
	while (r->qlen) {
		struct q_entry *e = &r->q[r->qhead];

		if (e->state == Q_HELD) {
			if (r->qlen < RP_QUEUE_MAX)
				break;
			expire_fragments(r, e->now_ms + IPR_TIMEOUT_MS + 1);
			if (e->state == Q_HELD)
				break; /* cannot happen: held frames are fragments */
			continue;
		}
		if (e->state == Q_TCP && !tcp_ready(e)) {
			if (r->qlen < RP_QUEUE_MAX)
				break;
			tcpr_break(e->conn, e->dir, RP_WINDOW_WHY);
			tcpr_break(e->conn, !e->dir, RP_WINDOW_WHY);
		}
		if (e->state == Q_READY)
			write_frame(r, &e->f);
		else if (e->state == Q_TCP)
			tcp_emit(r, e);
		q_pop(r);
	}
}

static void mk_addr(struct alg_addr *a, int family, const uint8_t *ip, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = (uint8_t)family;
	memcpy(a->ip, ip, family == 4 ? 4 : 16);
	a->port = port;
}

/* ---- UDP: one datagram (whole or reassembled) ---- */

static int queue_built(void *ctx, const uint8_t *frame, size_t len)
{
	struct replay *r = ctx;
	struct pcapio_frame f = r->cur;

	f.data = frame;
	f.caplen = f.wirelen = (uint32_t)len;
	return q_push(r, &f, Q_READY) ? 0 : -ENOMEM;
}

static void set_state(struct replay *r, const uint64_t *tags, unsigned ntags, enum q_state st)
{
	for (unsigned i = 0; i < ntags; i++) {
		struct q_entry *e = q_by_id(r, tags[i]);

		if (e)
			e->state = st;
	}
}

/* A UDP datagram held in the queue as frames `tags` (one, or the
 * fragments), with `tmpl` the frame whose headers a rebuild copies. */
struct udp_dgram {
	/* Copies, not queue pointers: rebuilding pushes frames, which may
	 * move the queue (frame bytes are separate allocations and stay). */
	const uint8_t *frame;
	struct pkt_ip ip;
	const uint8_t *l4;
	size_t l4len;
	size_t mtu;
	uint32_t frag_id;
	const uint64_t *tags;
	unsigned ntags;
};

static int rebuild_udp(struct replay *r, const struct udp_dgram *d, const struct rp_verdict *v)
{
	uint8_t *seg = malloc(8 + v->len);
	int rc;

	if (!seg)
		return -ENOMEM;
	memcpy(seg, d->l4, 8);
	memcpy(seg + 8, v->out, v->len);
	if (v->nat)
		put_be16(seg, v->new_src.port);
	if (v->redirect)
		put_be16(seg + 2, v->new_dst.port);
	rc = pkt_build(d->frame, &d->ip, v->nat ? v->new_src.ip : NULL,
		       v->redirect ? v->new_dst.ip : NULL, seg, 8 + v->len, d->mtu, d->frag_id,
		       queue_built, r);
	free(seg);
	return rc;
}

static void udp_dgram(struct replay *r, const struct udp_dgram *d)
{
	const struct pkt_ip *ip = &d->ip;
	struct pkt_l4 h;
	struct rp_msg m;
	struct rp_verdict v;
	const uint8_t *pay;
	size_t plen;

	if (pkt_parse_l4(PKT_PROTO_UDP, d->l4, d->l4len, &h) < 0)
		goto unchanged;
	pay = d->l4 + 8;
	plen = ((size_t)d->l4[4] << 8 | d->l4[5]) - 8;
	if (!rp_port_match(&r->o, 0, h.sport, h.dport) ||
	    (r->o.any_port && !rp_looks_like_sip(pay, plen)))
		goto unchanged;
	m.data = (const char *)pay;
	m.len = plen;
	m.transport = ALG_UDP;
	mk_addr(&m.src, ip->family, ip->src, h.sport);
	mk_addr(&m.dst, ip->family, ip->dst, h.dport);
	rp_msg_process(&r->c, &m, &v);
	if (v.fate == RP_DROPPED || v.fate == RP_REPLIED) {
		set_state(r, d->tags, d->ntags, Q_DROP);
		return;
	}
	if (v.fate == RP_UNCHANGED && !v.nat && !v.redirect)
		goto unchanged;
	if (rebuild_udp(r, d, &v) >= 0) {
		set_state(r, d->tags, d->ntags, Q_DROP);
		return;
	}
unchanged:
	set_state(r, d->tags, d->ntags, Q_READY);
}

static void udp_frame(struct replay *r, const struct pcapio_frame *f, const struct pkt_ip *ip)
{
	struct q_entry *e = q_push(r, f, Q_HELD);
	uint64_t id = q_next_id(r) - 1;
	struct udp_dgram d;

	if (!e)
		return;
	e->ip = *ip;
	d.frame = e->f.data;
	d.ip = *ip;
	d.l4 = e->f.data + ip->l4off;
	d.l4len = ip->l4len;
	d.mtu = ip->iplen > 1500 ? ip->iplen : 1500;
	d.frag_id = (uint32_t)(r->c.frame * 2654435761u);
	d.tags = &id;
	d.ntags = 1;
	udp_dgram(r, &d);
}

/* ---- IP fragments ---- */

static const struct q_entry *first_fragment(struct replay *r, const struct ipr_done *done)
{
	for (unsigned i = 0; i < done->ntags; i++) {
		const struct q_entry *e = q_by_id(r, done->tags[i]);

		if (e && e->ip.frag_off == 0)
			return e;
	}
	return NULL;
}

static uint64_t first_frame_no(struct replay *r, const struct ipr_done *done)
{
	uint64_t n = r->c.frame;

	for (unsigned i = 0; i < done->ntags; i++) {
		const struct q_entry *e = q_by_id(r, done->tags[i]);

		if (e && e->frame_no < n)
			n = e->frame_no;
	}
	return n;
}

/* A datagram that will not be rewritten: its frames go out as captured,
 * and if it was SIP the report says why it was left alone. */
static void dgram_give_up(struct replay *r, const struct ipr_done *done, int err)
{
	const struct q_entry *e0 = first_fragment(r, done);
	struct pkt_l4 h;
	struct alg_addr s, d;
	char why[160];

	set_state(r, done->tags, done->ntags, Q_READY);
	if (!e0 || (done->key.proto != PKT_PROTO_UDP && done->key.proto != PKT_PROTO_TCP) ||
	    done->contiguous < 8)
		return;
	h.sport = (uint16_t)(done->data[0] << 8 | done->data[1]);
	h.dport = (uint16_t)(done->data[2] << 8 | done->data[3]);
	if (!rp_port_match(&r->o, done->key.proto == PKT_PROTO_TCP, h.sport, h.dport))
		return;
	mk_addr(&s, done->key.family, done->key.src, h.sport);
	mk_addr(&d, done->key.family, done->key.dst, h.dport);
	snprintf(why, sizeof(why), "%s (%zu bytes, %u fragment%s): %s", ipr_strerror(err),
		 done->len, done->ntags, done->ntags == 1 ? "" : "s",
		 "forwarded unchanged, never rewritten");
	/* Only the bytes from offset 0 up to the first hole are real. */
	rp_problem(&r->c, first_frame_no(r, done), why, (const char *)done->data + 8,
		   done->contiguous - 8, &s, &d,
		   done->key.proto == PKT_PROTO_TCP ? ALG_TCP : ALG_UDP);
}

static void dgram_done(struct replay *r, const struct ipr_done *done)
{
	const struct q_entry *e0 = first_fragment(r, done);
	struct udp_dgram d;

	if (!e0 || done->key.proto != PKT_PROTO_UDP) {
		/* TCP in IP fragments is rare enough to pass through; the
		 * stream then has a gap and is passed through too. */
		set_state(r, done->tags, done->ntags, Q_READY);
		return;
	}
	d.frame = e0->f.data;
	d.ip = e0->ip;
	d.l4 = done->data;
	d.l4len = done->len;
	d.mtu = done->mtu;
	d.frag_id = done->key.id;
	d.tags = done->tags;
	d.ntags = done->ntags;
	udp_dgram(r, &d);
}

static void frag_frame(struct replay *r, const struct pcapio_frame *f, const struct pkt_ip *ip)
{
	struct q_entry *e = q_push(r, f, Q_HELD);
	struct ipr_key k;
	struct ipr_frag fr;
	struct ipr_done done;
	int rc;

	if (!e)
		return;
	e->ip = *ip;
	memset(&k, 0, sizeof(k));
	k.family = (uint8_t)ip->family;
	k.proto = ip->proto;
	memcpy(k.src, ip->src, 16);
	memcpy(k.dst, ip->dst, 16);
	k.id = ip->frag_id;
	memset(&fr, 0, sizeof(fr));
	fr.data = e->f.data + ip->l4off;
	fr.len = ip->l4len;
	fr.off = ip->frag_off;
	fr.more = ip->more;
	fr.tag = q_next_id(r) - 1;
	fr.mtu = ip->iplen;
	while ((rc = ipr_add(r->ipr, &k, &fr, r->c.now_ms, &done)) == IPR_EFULL)
		dgram_give_up(r, &done, rc);
	if (rc == 1)
		dgram_done(r, &done);
	else if (rc < 0) {
		dgram_give_up(r, &done, rc);
		e->state = Q_READY;
	}
}

static void expire_fragments(struct replay *r, uint64_t now)
{
	struct ipr_done done;

	while (ipr_expire(r->ipr, now, &done) == 1)
		dgram_give_up(r, &done, IPR_ETIMEOUT);
}

/* ---- TCP ---- */

/* Frame the in-order bytes of one direction (RFC 3261 §18.3) and run each
 * complete message through the engine. */
static void tcp_frame_dir(struct replay *r, struct tcpr_conn *c, int dir, const struct rp_msg *tmpl)
{
	const uint8_t *pend;
	size_t len, flen;
	int k;

	while ((pend = tcpr_pending(c, dir, &len))) {
		struct rp_msg m = *tmpl;
		struct rp_verdict v;
		char why[160];

		k = sip_frame((const char *)pend, len, &flen);
		if (k == SIP_ENEEDMORE)
			return;
		if (k == SIP_FRAME_MESSAGE && r->o.any_port && !rp_looks_like_sip(pend, len))
			k = -1000;
		if (k < 0) {
			snprintf(why, sizeof(why), "TCP stream passed through from here: %s",
				 k == -1000 ? "not SIP" : sip_strerror(k));
			if (k != -1000)
				rp_problem(&r->c, r->c.frame, why, (const char *)pend, len,
					   &m.src, &m.dst, ALG_TCP);
			tcpr_break(c, dir, why);
			return;
		}
		if (k != SIP_FRAME_MESSAGE) { /* RFC 5626 keep-alive: as it is */
			tcpr_consume(c, dir, flen, pend, flen);
			continue;
		}
		m.data = (const char *)pend;
		m.len = flen;
		rp_msg_process(&r->c, &m, &v);
		if (v.fate == RP_DROPPED || v.fate == RP_REPLIED)
			v.len = 0;
		if (tcpr_consume(c, dir, flen, (const uint8_t *)v.out, v.len) < 0)
			tcpr_break(c, dir, "out of memory");
	}
}

static void tcp_frame(struct replay *r, const struct pcapio_frame *f, const struct pkt_ip *ip)
{
	const uint8_t *l4 = f->data + ip->l4off;
	struct pkt_l4 h;
	struct q_entry *e;
	struct tcpr_conn *c;
	struct rp_msg m;
	const char *why, *was;
	int dir;

	if (pkt_parse_l4(PKT_PROTO_TCP, l4, ip->l4len, &h) < 0 ||
	    !rp_port_match(&r->o, 1, h.sport, h.dport) ||
	    !(c = tcpr_lookup(r->tcp, ip->family, ip->src, h.sport, ip->dst, h.dport, &dir))) {
		q_push(r, f, Q_READY);
		return;
	}
	e = q_push(r, f, Q_TCP);
	if (!e)
		return;
	e->conn = c;
	e->dir = dir;
	e->ip = *ip;
	e->l4 = h;
	e->plen = ip->l4len - h.hdrlen;
	memset(&m, 0, sizeof(m));
	m.transport = ALG_TCP;
	mk_addr(&m.src, ip->family, ip->src, h.sport);
	mk_addr(&m.dst, ip->family, ip->dst, h.dport);
	if (!r->o.keep_addresses && rp_direction(&r->c, &m.src, &m.dst, &why) == ALG_OUT &&
	    rp_binding(&r->c, &m.src, ALG_TCP, &e->nat_src) == 0)
		e->nat = 1;
	was = tcpr_broken(c, dir);
	if (tcpr_segment(c, dir, h.seq, h.flags, e->f.data + ip->l4off + h.hdrlen, e->plen,
			 &e->rel) < 0)
		tcpr_break(c, dir, "out of memory");
	if (!was && tcpr_broken(c, dir)) /* a gap: report it once */
		rp_problem(&r->c, r->c.frame, tcpr_broken(c, dir), NULL, 0, &m.src, &m.dst,
			   ALG_TCP);
	tcp_frame_dir(r, c, dir, &m);
}

/* ---- one captured frame ---- */

static uint64_t frame_ms(const struct replay *r, const struct pcapio_frame *f)
{
	uint64_t frac = r->nano ? f->ts_frac / 1000000u : f->ts_frac / 1000u;

	return (uint64_t)(f->ts_sec < 0 ? 0 : f->ts_sec) * 1000u + frac;
}

/* A frame whose IP header is cut short: if it is visibly SIP, say so. */
static void bad_frame(struct replay *r, const struct pcapio_frame *f, int l3, int family, int err)
{
	const uint8_t *h = f->data + l3;
	size_t avail = f->caplen - (size_t)l3, ihl;
	uint16_t sp, dp;
	char why[160];

	r->c.rep.frames_bad++;
	if (family != 4 || avail < 20 || (h[9] != PKT_PROTO_UDP && h[9] != PKT_PROTO_TCP))
		return;
	ihl = (size_t)(h[0] & 15) * 4;
	if (avail < ihl + 4 || (h[6] & 0x1f) || h[7])
		return;
	sp = (uint16_t)(h[ihl] << 8 | h[ihl + 1]);
	dp = (uint16_t)(h[ihl + 2] << 8 | h[ihl + 3]);
	if (!rp_port_match(&r->o, h[9] == PKT_PROTO_TCP, sp, dp))
		return;
	snprintf(why, sizeof(why), "%s (%u of %u bytes captured): forwarded unchanged",
		 pkt_strerror(err), f->caplen, f->wirelen);
	rp_problem(&r->c, r->c.frame, why, NULL, 0, NULL, NULL,
		   h[9] == PKT_PROTO_TCP ? ALG_TCP : ALG_UDP);
}

static void one_frame(struct replay *r, const struct pcapio_frame *f)
{
	struct pkt_ip ip;
	uint64_t ms = frame_ms(r, f);
	int family, l3, rc;

	r->c.frame++;
	r->c.rep.frames_in++;
	r->cur = *f;
	if (ms > r->c.now_ms) /* engine time never goes back */
		r->c.now_ms = ms;
	expire_fragments(r, r->c.now_ms);
	rp_timers(&r->c);
	l3 = pcapio_l3(r->linktype, f->data, f->caplen, &family);
	if (l3 < 0)
		goto copy;
	rc = pkt_parse(f->data, f->caplen, (size_t)l3, family, &ip);
	if (rc < 0) {
		bad_frame(r, f, l3, family, rc);
		goto copy;
	}
	if (ip.is_frag)
		frag_frame(r, f, &ip);
	else if (ip.proto == PKT_PROTO_UDP)
		udp_frame(r, f, &ip);
	else if (ip.proto == PKT_PROTO_TCP)
		tcp_frame(r, f, &ip);
	else
		goto copy;
	return;
copy:
	q_push(r, f, Q_READY);
}

/* ---- the command ---- */

static const char *link_name(int lt)
{
	switch (lt) {
	case 1:
		return "Ethernet";
	case 113:
		return "Linux cooked (SLL)";
	case 276:
		return "Linux cooked v2 (SLL2)";
	case 0:
	case 108:
		return "BSD loopback";
	default:
		return "raw IP";
	}
}

static int setup(struct replay *r, struct pcapio_reader *rd)
{
	struct alg_config cfg;
	char err[PCAPIO_ERRLEN];

	alg_config_defaults(&cfg);
	memcpy(cfg.inside, r->o.inside, sizeof(cfg.inside));
	cfg.ninside = r->o.ninside;
	cfg.public_addr = r->o.public_addr;
	r->c.o = &r->o;
	r->c.eng = alg_new(&cfg);
	r->ipr = ipr_new();
	r->tcp = tcpr_new();
	r->linktype = pcapio_linktype(rd);
	r->nano = pcapio_nano(rd);
	if (!r->c.eng || !r->ipr || !r->tcp) {
		fprintf(stderr, "sipalg replay: cannot start the engine\n");
		return -1;
	}
	r->w = pcapio_open_write(r->o.out, rd, err);
	if (!r->w) {
		fprintf(stderr, "sipalg replay: cannot write %s: %s\n", r->o.out, err);
		return -1;
	}
	return 0;
}

static void tcp_left(void *ctx, const uint8_t *pending, size_t len)
{
	struct replay *r = ctx;
	char why[96];

	snprintf(why, sizeof(why), "TCP stream ends inside a message (%zu bytes): passed through",
		 len);
	rp_problem(&r->c, r->c.frame, why, (const char *)pending, len, NULL, NULL, ALG_TCP);
}

static void run(struct replay *r, struct pcapio_reader *rd)
{
	struct pcapio_frame f;
	int rc;

	while ((rc = pcapio_next(rd, &f, r->c.rep.read_err)) == 1) {
		one_frame(r, &f);
		q_flush(r);
	}
	if (rc < 0)
		r->c.rep.read_error = 1;
	/* End of capture: fragments still missing will never come, TCP
	 * messages still open will never complete. */
	expire_fragments(r, UINT64_MAX);
	tcpr_finish(r->tcp, tcp_left, r);
	q_flush(r);
}

static void cleanup(struct replay *r)
{
	while (r->qlen)
		q_pop(r);
	free(r->q);
	if (r->c.eng)
		alg_free(r->c.eng);
	ipr_free(r->ipr);
	tcpr_free(r->tcp);
	free(r->c.bind);
	rp_report_free(&r->c.rep);
	free(r);
}

static void report(struct replay *r)
{
	struct rp_header h = {
		r->o.in, r->o.out, link_name(r->linktype), r->o.inside_text, r->o.public_text,
		r->o.any_port ? "any" : r->o.ports_text, r->o.explain,
	};

	if (r->o.json)
		rp_print_json(stdout, &h, &r->c.rep);
	else
		rp_print_text(stdout, &h, &r->c.rep);
}

int cmd_replay(int argc, char **argv)
{
	struct replay *r = calloc(1, sizeof(*r));
	struct pcapio_reader *rd = NULL;
	char err[PCAPIO_ERRLEN];
	int rc = CLI_USAGE;

	if (!r)
		return CLI_FAIL;
	rc = rp_opts_parse(argc, argv, &r->o);
	if (rc != 0) {
		rc = rc > 0 ? CLI_OK : CLI_USAGE;
		goto out;
	}
	rc = CLI_FAIL;
	rd = pcapio_open_read(r->o.in, err);
	if (!rd) {
		fprintf(stderr, "sipalg replay: cannot read %s: %s\n", r->o.in, err);
		goto out;
	}
	if (setup(r, rd) < 0)
		goto out;
	run(r, rd);
	if (pcapio_close_write(r->w) < 0 || r->write_err)
		fprintf(stderr, "sipalg replay: error writing %s\n", r->o.out);
	r->w = NULL;
	report(r);
	if (r->c.rep.read_error)
		fprintf(stderr, "sipalg replay: %s: capture cut short: %s\n", r->o.in,
			r->c.rep.read_err);
	rc = r->c.rep.read_error ? CLI_FAIL : CLI_OK;
out:
	if (r->w)
		pcapio_close_write(r->w);
	pcapio_close_read(rd);
	cleanup(r);
	return rc;
}
