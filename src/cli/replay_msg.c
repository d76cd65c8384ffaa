/* replay_msg.c - the engine step of `sipalg replay`: direction, binding,
 * alg_process, and the report entries for one SIP message. */
#include "replay.h"
#include "replay_opts.h"
#include "sip/error.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_inside(const struct rp_opts *o, const struct alg_addr *a)
{
	for (unsigned i = 0; i < o->ninside; i++) {
		const struct alg_prefix *p = &o->inside[i];
		unsigned bits = p->len, full = bits / 8;

		if (p->addr.family != a->family || memcmp(p->addr.ip, a->ip, full))
			continue;
		if (bits % 8 && ((p->addr.ip[full] ^ a->ip[full]) & (0xff00 >> (bits % 8)) & 0xff))
			continue;
		return 1;
	}
	return 0;
}

int rp_direction(const struct rp_ctx *c, const struct alg_addr *src,
		 const struct alg_addr *dst, const char **why)
{
	int si = is_inside(c->o, src), di = is_inside(c->o, dst);
	int dir = si && !di ? ALG_OUT : !si && di ? ALG_IN : -1;

	if (dir < 0) {
		*why = si ? "both ends inside (hairpin): not NATed" :
			    "neither end inside: not NATed here";
		return -1;
	}
	if (src->family != c->o->public_addr.family) {
		*why = "no public address of this IP family";
		return -1;
	}
	return dir;
}

static struct rp_binding *binding_find(struct rp_ctx *c, const struct alg_addr *inside,
				       int transport)
{
	for (size_t i = 0; i < c->nbind; i++)
		if (c->bind[i].transport == transport &&
		    !memcmp(&c->bind[i].inside, inside, sizeof(*inside)))
			return &c->bind[i];
	return NULL;
}

static int port_taken(const struct rp_ctx *c, int transport, uint16_t port)
{
	for (size_t i = 0; i < c->nbind; i++)
		if (c->bind[i].transport == transport && c->bind[i].public_port == port)
			return 1;
	return 0;
}

/* Like a port-preserving NAT: the inside port when it is free on the
 * public address, else the next free one. */
int rp_binding(struct rp_ctx *c, const struct alg_addr *inside, int transport,
	       struct alg_addr *pub)
{
	struct rp_binding *b = binding_find(c, inside, transport);

	if (!b) {
		uint16_t want = inside->port ? inside->port : 1024;

		while (port_taken(c, transport, want))
			want = want >= 65535 ? 1024 : want + 1;
		if (c->nbind == c->bindcap) {
			size_t ncap = c->bindcap ? c->bindcap * 2 : 16;
			struct rp_binding *nb = realloc(c->bind, ncap * sizeof(*nb));

			if (!nb)
				return -ENOMEM;
			c->bind = nb;
			c->bindcap = ncap;
		}
		b = &c->bind[c->nbind++];
		b->inside = *inside;
		b->transport = transport;
		b->public_port = want;
	}
	*pub = c->o->public_addr;
	pub->port = b->public_port;
	return 0;
}

int rp_looks_like_sip(const uint8_t *p, size_t len)
{
	size_t i, eol;

	if (len >= 8 && !memcmp(p, "SIP/2.0 ", 8))
		return 1;
	for (i = 0; i < len && isupper(p[i]); i++)
		;
	if (!i || i >= len || p[i] != ' ')
		return 0;
	for (eol = i; eol < len && p[eol] != '\r' && p[eol] != '\n'; eol++)
		;
	return eol >= 8 && eol < len && !memcmp(p + eol - 8, " SIP/2.0", 8);
}

/* Call-ID (RFC 3261 §20.8, compact form "i") by a plain line scan, for
 * messages the engine did not parse. */
static void find_call_id(const char *m, size_t len, char out[128])
{
	size_t i = 0;

	out[0] = 0;
	while (m && i < len) {
		const char *line = m + i, *nl = memchr(line, '\n', len - i);
		size_t ll = nl ? (size_t)(nl - line) : len - i, n = 0, v;

		if (!ll || (ll == 1 && line[0] == '\r'))
			return; /* end of headers */
		if (ll > 8 && !strncasecmp(line, "call-id", 7))
			n = 7;
		else if (ll > 2 && (line[0] == 'i' || line[0] == 'I') &&
			 (line[1] == ':' || line[1] == ' '))
			n = 1;
		for (v = n; n && v < ll && (line[v] == ' ' || line[v] == '\t'); v++)
			;
		if (n && v < ll && line[v] == ':') {
			size_t k = 0;

			for (v++; v < ll && (line[v] == ' ' || line[v] == '\t'); v++)
				;
			while (v < ll && line[v] != '\r' && k < 127)
				out[k++] = line[v++];
			out[k] = 0;
			return;
		}
		i += ll + 1;
	}
}

static void summary_of(const char *m, size_t len, char *out, size_t cap)
{
	size_t k = 0, blank = 1;

	for (size_t i = 0; i < len && k + 1 < cap && m[i] != '\r' && m[i] != '\n'; i++) {
		out[k++] = isprint((unsigned char)m[i]) ? m[i] : '?';
		blank &= m[i] == ' ' || m[i] == '\t';
	}
	out[k] = 0;
	if (blank) /* e.g. the whitespace keep-alives some phones send */
		snprintf(out, cap, "(%zu bytes, no start line)", len);
}

static void report_actions(struct rp_ctx *c, const struct alg_result *res)
{
	for (unsigned i = 0; i < res->nactions; i++) {
		const struct alg_action *a = &res->actions[i];
		struct rp_event e;

		memset(&e, 0, sizeof(e));
		e.frame = c->frame;
		e.dir = -1;
		e.act = *a;
		if (a->kind == ALG_ACT_PINHOLE_OPEN || a->kind == ALG_ACT_PINHOLE_CLOSE ||
		    a->kind == ALG_ACT_PINHOLE_REFRESH)
			e.kind = RP_PINHOLE;
		else if (a->kind == ALG_ACT_CALL_END)
			e.kind = RP_CALL_END;
		else
			continue; /* bindings are implied by the report's addresses */
		c->rep.pin_open += a->kind == ALG_ACT_PINHOLE_OPEN;
		c->rep.pin_close += a->kind == ALG_ACT_PINHOLE_CLOSE;
		rp_add(&c->rep, &e, a->call_id);
	}
}

void rp_timers(struct rp_ctx *c)
{
	if (alg_next_deadline(c->eng) > c->now_ms)
		return;
	if (alg_expire(c->eng, c->now_ms, &c->res) >= 0)
		report_actions(c, &c->res);
}

static void event_init(struct rp_ctx *c, struct rp_event *e, const struct rp_msg *m)
{
	memset(e, 0, sizeof(*e));
	e->kind = RP_MSG;
	e->frame = c->frame;
	e->dir = -1;
	e->transport = m->transport;
	e->fate = RP_UNCHANGED;
	summary_of(m->data, m->len, e->summary, sizeof(e->summary));
	rp_fmt_addr(e->src, sizeof(e->src), &m->src);
	rp_fmt_addr(e->dst, sizeof(e->dst), &m->dst);
}

/* Fill the engine's packet; 0, or -1 with *why when the message is not
 * the engine's business. */
static int make_packet(struct rp_ctx *c, const struct rp_msg *m, struct alg_packet *p,
		       const char **why)
{
	int dir = rp_direction(c, &m->src, &m->dst, why);

	if (dir < 0)
		return -1;
	memset(p, 0, sizeof(*p));
	p->data = m->data;
	p->len = m->len;
	p->dir = (enum alg_dir)dir;
	p->transport = (enum alg_transport)m->transport;
	p->src = m->src;
	p->dst = m->dst;
	p->now_ms = c->now_ms;
	/* Inbound: the captured destination is the inside endpoint; the
	 * message arrived at its public binding. */
	if (rp_binding(c, dir == ALG_OUT ? &m->src : &m->dst, m->transport, &p->binding) < 0) {
		*why = "out of memory";
		return -1;
	}
	if (dir == ALG_IN) {
		p->dst = p->binding;
		p->inside = m->dst;
	}
	return 0;
}

static void take_result(struct rp_ctx *c, const struct alg_packet *p, struct rp_event *e,
			struct rp_verdict *v)
{
	const struct alg_result *res = &c->res;

	e->dir = p->dir;
	if (res->verdict == ALG_DROP) {
		v->fate = RP_DROPPED;
	} else if (res->verdict == ALG_REPLY) {
		v->fate = RP_REPLIED;
	} else {
		v->out = res->out;
		v->len = res->out_len;
		v->fate = res->changed ? RP_REWRITTEN : RP_UNCHANGED;
	}
	if (res->reason)
		snprintf(e->reason, sizeof(e->reason), "%s", res->reason);
	if (res->nnotes && (e->notes = malloc(res->nnotes * sizeof(*e->notes)))) {
		memcpy(e->notes, res->notes, res->nnotes * sizeof(*e->notes));
		e->nnotes = res->nnotes;
	}
	if (p->dir == ALG_OUT && !c->o->keep_addresses) {
		v->nat = 1;
		v->new_src = p->binding;
	}
	if (p->dir == ALG_IN && !c->o->keep_addresses && res->deliver_to.family &&
	    memcmp(&res->deliver_to, &p->inside, sizeof(p->inside))) {
		v->redirect = 1;
		v->new_dst = res->deliver_to;
	}
}

static void count(struct rp_report *r, enum rp_fate f)
{
	r->msgs++;
	r->rewritten += f == RP_REWRITTEN;
	r->unchanged += f == RP_UNCHANGED;
	r->dropped += f == RP_DROPPED;
	r->replied += f == RP_REPLIED;
}

void rp_msg_process(struct rp_ctx *c, const struct rp_msg *m, struct rp_verdict *v)
{
	struct rp_event e;
	struct alg_packet p;
	const char *why = NULL, *cid;
	char own_id[128];
	int rc;

	memset(v, 0, sizeof(*v));
	v->out = m->data;
	v->len = m->len;
	v->fate = RP_UNCHANGED;
	event_init(c, &e, m);
	find_call_id(m->data, m->len, own_id);
	cid = own_id;
	if (make_packet(c, m, &p, &why) < 0) {
		snprintf(e.reason, sizeof(e.reason), "%s", why);
		goto out;
	}
	rc = alg_process(c->eng, &p, &c->res);
	if (rc < 0) {
		snprintf(e.reason, sizeof(e.reason), "engine error: %s", sip_strerror(rc));
		e.dir = p.dir;
		goto out;
	}
	take_result(c, &p, &e, v);
	if (c->res.call_id[0])
		cid = c->res.call_id;
	e.fate = v->fate;
	count(&c->rep, v->fate);
	rp_add(&c->rep, &e, cid);
	report_actions(c, &c->res);
	return;
out:
	count(&c->rep, v->fate);
	rp_add(&c->rep, &e, cid);
}

void rp_problem(struct rp_ctx *c, uint64_t frame, const char *reason, const char *data, size_t len,
		const struct alg_addr *src, const struct alg_addr *dst, int transport)
{
	struct rp_event e;
	char cid[128] = "";

	memset(&e, 0, sizeof(e));
	e.kind = RP_PROBLEM;
	e.frame = frame;
	e.dir = -1;
	e.transport = transport;
	e.fate = RP_UNCHANGED;
	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	if (data) {
		summary_of(data, len, e.summary, sizeof(e.summary));
		find_call_id(data, len, cid);
	}
	if (src)
		rp_fmt_addr(e.src, sizeof(e.src), src);
	if (dst)
		rp_fmt_addr(e.dst, sizeof(e.dst), dst);
	rp_add(&c->rep, &e, cid);
}
