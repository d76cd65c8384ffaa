/*
 * engine.c - alg_new / alg_process / alg_expire (alg.h).
 *
 * alg_process: frame the message, decide scope (rule 10), validate (fail
 * open on anything that does not parse or validate), run the direction x
 * kind handler that records edits and actions, render once, re-check the
 * result (verify.c), and forward the original instead if the check fails
 * (rule 5).
 */
#include <stddef.h>
#include <stdlib.h>

#include "engine_int.h"

void alg_config_defaults(struct alg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->media_port_min = 40000;
	cfg->media_port_max = 49999;
	cfg->mode = ALG_MODE_ALG;
	cfg->strict_register = 1;
	cfg->register_margin_ms = 32000;
	cfg->default_expires_s = 3600;
	cfg->media_timeout_ms = 120000;
	cfg->max_call_ms = 12ull * 3600 * 1000;
	cfg->invite_timeout_ms = 180000;
	cfg->dialog_binding_ms = 300000;
}

/* The public address as text, formatted once per configuration. */
static void pub_format(struct alg_engine *e)
{
	struct alg_addr t;

	e->pub_len = alg_fmt_ip(&e->cfg.public_addr, e->pub_text, sizeof(e->pub_text));
	e->pub_v4 = alg_addr_parse(&t, e->pub_text, e->pub_len) == 0 && t.family == 4;
}

struct alg_engine *alg_new(const struct alg_config *cfg)
{
	struct alg_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cfg = *cfg;
	if (pool_init(&e->calls, sizeof(struct alg_call), 64) < 0 ||
	    pool_init(&e->regs, sizeof(struct alg_reg), 64) < 0 ||
	    pool_init(&e->txns, sizeof(struct alg_txn), 64) < 0 ||
	    ports_init(&e->ports, cfg->media_port_min, cfg->media_port_max) < 0) {
		alg_free(e);
		return NULL;
	}
	e->calls.zero_len = offsetof(struct alg_call, st);
	pub_format(e);
	return e;
}

void alg_free(struct alg_engine *e)
{
	if (!e)
		return;
	pool_fini(&e->calls);
	pool_fini(&e->regs);
	pool_fini(&e->txns);
	ports_fini(&e->ports);
	free(e->heap.v);
	free(e);
}

/* New config (SIGHUP): calls and bindings stay; ports in use stay reserved. */
int alg_reconfigure(struct alg_engine *e, const struct alg_config *cfg)
{
	struct alg_ports np;

	if (ports_init(&np, cfg->media_port_min, cfg->media_port_max) < 0)
		return -12; /* -ENOMEM */
	for (uint32_t i = 0; i < e->calls.cap; i++) {
		struct alg_call *call = pool_at(&e->calls, i);
		for (unsigned s = 0; call->o.used && s < ALG_CALL_STREAMS; s++) {
			if (call->st[s].pooled)
				ports_reserve(&np, call->st[s].pub_rtp);
			if (call->st[s].pair2)
				ports_reserve(&np, call->st[s].pair2);
		}
	}
	ports_fini(&e->ports);
	e->ports = np;
	e->cfg = *cfg;
	pub_format(e);
	return 0;
}

static void res_init(struct alg_result *res, const struct alg_packet *pkt)
{
	res->verdict = ALG_FORWARD;
	res->out = pkt ? pkt->data : NULL;
	res->out_len = pkt ? pkt->len : 0;
	res->changed = 0;
	res->reason = NULL;
	res->call_id[0] = 0;
	res->nactions = 0;
	res->nnotes = 0;
	memset(&res->deliver_to, 0, sizeof(res->deliver_to));
}

static void out_request(struct alg_ctx *c)
{
	rw_via_out(c);
	rw_uris_out(c, SIP_HDR_CONTACT, c->contact_orig, &c->contact_ep);
	rw_uris_out(c, SIP_HDR_RECORD_ROUTE, c->rr_orig, &(struct alg_addr){ 0 });
	uint32_t t = ALG_NONE;
	if (c->via_rewritten || c->m.method == SIP_METHOD_REGISTER ||
	    c->m.method == SIP_METHOD_INVITE)
		t = txn_new(c);
	if (c->m.method == SIP_METHOD_REGISTER && t != ALG_NONE)
		reg_request(c, pool_at(&c->e->txns, t));
	dialog_request(c);
}

static void out_response(struct alg_ctx *c)
{
	rw_uris_out(c, SIP_HDR_CONTACT, c->contact_orig, &c->contact_ep);
	rw_uris_out(c, SIP_HDR_RECORD_ROUTE, c->rr_orig, &(struct alg_addr){ 0 });
	dialog_response(c, NULL);
}

static void in_request(struct alg_ctx *c)
{
	struct alg_engine *e = c->e;
	struct alg_reg *r = reg_by_public(e, &c->binding, c->pkt->transport);
	struct alg_call *call = c->call != ALG_NONE ? pool_at(&e->calls, c->call) : NULL;

	if (!c->inside.family)
		c->inside = r ? r->inside : call ? call->inside : c->inside;
	if (!call && !reg_strict_check(c, r)) {
		c->res->verdict = ALG_DROP;
		c->res->reason = "strict_register: new request to a registered binding "
				 "not from its registrar (R9)";
		return;
	}
	if (call && call->contact_orig[0])
		rw_ruri_in(c, call->contact_orig, &call->contact_ep);
	else if (r && r->contact_orig[0])
		rw_ruri_in(c, r->contact_orig, &r->contact_ep);
	else
		rw_ruri_in(c, NULL, &c->inside);
	if (!c->res->deliver_to.family)
		c->res->deliver_to = c->inside;
	if (call)
		rw_uris_restore(c, SIP_HDR_ROUTE, call->rr_orig);
	dialog_request(c);
}

static void in_response(struct alg_ctx *c)
{
	struct alg_txn *t = txn_get(c->e, txn_key(c));

	if (t)
		c->inside = t->inside;
	else if (!c->inside.family) {
		struct alg_reg *r = reg_by_public(c->e, &c->binding, c->pkt->transport);
		if (r)
			c->inside = r->inside;
	}
	rw_via_in(c, t);
	/* The response echoes the Record-Route of the request (RFC 3261
	 * §12.1.1): the inside UA builds its route set from it, so it gets
	 * the LAN proxy's own address back (B21). */
	if (c->call != ALG_NONE) {
		struct alg_call *call = pool_at(&c->e->calls, c->call);
		rw_uris_restore(c, SIP_HDR_RECORD_ROUTE, call->rr_orig);
	}
	if (c->cseq.method == SIP_METHOD_REGISTER)
		reg_response(c, t);
	if (!c->res->deliver_to.family)
		c->res->deliver_to = c->inside;
	dialog_response(c, t);
	if (t && c->cseq.method == SIP_METHOD_REGISTER && c->m.status >= 200)
		txn_done(c->e, t);
}

static void finish(struct alg_ctx *c)
{
	struct alg_engine *e = c->e;
	struct alg_result *res = c->res;

	if (res->verdict == ALG_DROP) {
		e->cnt.dropped++;
		return;
	}
	if (!c->ed.n) {
		e->cnt.unchanged++;
		if (!res->reason)
			res->reason = c->skip_reason ? c->skip_reason : "nothing to change";
		return;
	}
	int n = sip_render(&c->m, &c->ed, e->out, sizeof(e->out));
	size_t len = n < 0 ? 0 : (size_t)n;
	if (n >= 0 && e->test_mangle)
		e->test_mangle(e->out, &len);
	const char *why = n < 0 ? "rewritten message too large: original forwarded (R5)"
				: alg_verify(e, c, len);
	if (why) {
		e->cnt.failed_open++;
		e->cnt.unchanged++;
		res->reason = why;
		res->nnotes = 0;
		return;
	}
	res->out = e->out;
	res->out_len = len;
	res->changed = 1;
	res->reason = c->skip_reason;
	e->cnt.rewritten++;
}

/* Framing only: enough to know it is one SIP message and to name its
 * Call-ID.  The value grammar waits for check(): a message out of scope
 * goes out unchanged whatever its headers say, so it need not pay for it. */
static int frame(struct alg_ctx *c)
{
	const struct alg_packet *pkt = c->pkt;
	unsigned fl = pkt->transport == ALG_TCP ? SIP_PARSE_STREAM : 0;

	return sip_msg_parse(&c->m, pkt->data, pkt->len, c->e->hdrs, SIP_MAX_HEADERS, fl);
}

/* Everything the rewrite relies on: every value's grammar (rule 5), one
 * Call-ID, one CSeq.  Validation keeps what it parsed (e->valid): the
 * handlers read those values instead of parsing them again. */
static int check(struct alg_ctx *c)
{
	const struct sip_valid *v = &c->e->valid;
	int rc = sip_msg_validate_keep(&c->m, &c->e->valid);

	if (rc < 0)
		return rc;
	/* validation saw one Call-ID and one CSeq (mandatory, well formed) */
	if (v->first[SIP_HDR_CALL_ID] < 0)
		return SIP_EMISSING;
	if (v->first[SIP_HDR_CSEQ] < 0)
		return SIP_ECSEQ;
	c->v = v;
	c->callid = c->m.hdrs[v->first[SIP_HDR_CALL_ID]].value;
	c->cseq = v->cseq;
	return 0;
}

static int unparsed(struct alg_engine *e, struct alg_result *res, int rc)
{
	e->cnt.unparsed++;
	e->cnt.unchanged++;
	res->reason = sip_strerror(rc);
	return 0;
}

/* A keep-alive of CR and LF only (RFC 5626 §3.5.1 and §4.4.1; phones
 * send one every 30 s on UDP).  A message's first octet ends the loop. */
static int crlf_only(const struct alg_packet *pkt)
{
	for (size_t i = 0; i < pkt->len; i++)
		if (pkt->data[i] != '\r' && pkt->data[i] != '\n')
			return 0;
	return 1;
}

static void setup_binding(struct alg_ctx *c)
{
	const struct alg_packet *pkt = c->pkt;

	if (pkt->dir == ALG_OUT) {
		c->binding = pkt->binding;
		if (!c->binding.family)
			c->binding = c->e->cfg.public_addr;
		if (!c->binding.port)
			c->binding.port = pkt->src.port;
		c->inside = pkt->src;
	} else {
		c->binding = pkt->binding.family ? pkt->binding : pkt->dst;
		c->inside = pkt->inside;
	}
}

/* The message's call (call_find): from outside, the binding's owner is
 * the inside host, the registration's if the caller did not say. */
static uint32_t find_call(struct alg_ctx *c)
{
	struct alg_addr inside = c->inside;

	if (!inside.family && c->pkt->dir == ALG_IN) {
		struct alg_reg *r = reg_by_public(c->e, &c->binding, c->pkt->transport);
		if (r)
			inside = r->inside;
	}
	return call_find(c->e, c->buf, c->callid, c->callid_hash,
			 alg_binding_key(&c->binding, c->pkt->transport), &inside);
}

int alg_process(struct alg_engine *e, const struct alg_packet *pkt, struct alg_result *res)
{
	struct alg_ctx c;

	if (!e || !pkt || !res)
		return -22; /* -EINVAL */
	res_init(res, pkt);
	memset(&c, 0, offsetof(struct alg_ctx, m));
	c.bind_text[0] = c.via_orig[0] = c.contact_orig[0] = c.rr_orig[0] = 0;
	c.e = e;
	c.pkt = pkt;
	c.res = res;
	c.buf = pkt->data;
	c.now = pkt->now_ms > e->last_now ? pkt->now_ms : e->last_now;
	c.call = ALG_NONE;
	c.contact_expires = -1;
	c.bound_contact = -1;
	c.sdp_rc = 2;
	e->last_now = c.now;
	if (pkt->dir == ALG_OUT)
		e->cnt.msgs_out++;
	else
		e->cnt.msgs_in++;
	if (!pkt->data || !pkt->len) {
		e->cnt.unparsed++;
		e->cnt.unchanged++;
		res->reason = "empty message";
		return 0;
	}
	if (crlf_only(pkt)) { /* not a message, nothing failed to parse */
		e->cnt.unchanged++;
		res->reason = "CRLF keep-alive (RFC 5626 3.5.1): forwarded as is";
		return 0;
	}
	int rc = frame(&c);
	if (rc < 0)
		return unparsed(e, res, rc);
	const char *scope = alg_scope(e, pkt);
	if (scope) {
		if (sip_msg_callid(&c.m, &c.callid) == 1)
			alg_copy(res->call_id, sizeof(res->call_id), c.buf + c.callid.off,
				 c.callid.len);
		e->cnt.unchanged++;
		res->reason = scope;
		return 0;
	}
	if ((rc = check(&c)) < 0)
		return unparsed(e, res, rc);
	alg_copy(res->call_id, sizeof(res->call_id), c.buf + c.callid.off, c.callid.len);
	c.nat = e->cfg.mode == ALG_MODE_ALG;
	c.callid_hash = alg_hash(c.buf + c.callid.off, c.callid.len, 1);
	sip_edits_init(&c.ed, c.m.len, e->edits, SIP_MAX_EDITS, e->pool, sizeof(e->pool));
	setup_binding(&c);
	c.call = find_call(&c);
	if (pkt->dir == ALG_OUT)
		(c.m.is_request ? out_request : out_response)(&c);
	else
		(c.m.is_request ? in_request : in_response)(&c);
	finish(&c);
	return 0;
}

static int fire(struct alg_engine *e, const struct alg_timer *t, uint64_t now,
		struct alg_result *res)
{
	struct alg_pool *p = t->kind == ALG_T_CALL ? &e->calls
			     : t->kind == ALG_T_REG ? &e->regs : &e->txns;
	if (t->slot >= p->cap)
		return 0;
	struct alg_obj *o = pool_obj(p, t->slot);
	if (!o->used || o->gen != t->gen || o->queued != t->when)
		return 0; /* stale entry */
	o->queued = UINT64_MAX;
	if (t->kind == ALG_T_CALL) {
		enum alg_end_reason why;
		uint64_t d = call_deadline(e, pool_at(p, t->slot), &why);
		if (d <= now) /* the record says when the timer ran out, not when we looked */
			call_end(e, t->slot, why, d, res);
		else
			alg_schedule(e, ALG_T_CALL, t->slot, d);
	} else if (t->kind == ALG_T_REG) {
		struct alg_reg *r = pool_at(p, t->slot);
		if (r->expires_ms <= now)
			reg_expire(e, t->slot, res);
		else
			alg_schedule(e, ALG_T_REG, t->slot, r->expires_ms);
	} else {
		struct alg_txn *x = pool_at(p, t->slot);
		if (x->expires_ms <= now) {
			pool_free(p, t->slot);
			e->cnt.transactions--;
		} else {
			alg_schedule(e, ALG_T_TXN, t->slot, x->expires_ms);
		}
	}
	return 1;
}

int alg_expire(struct alg_engine *e, uint64_t now_ms, struct alg_result *res)
{
	const struct alg_timer *top;
	struct alg_timer t;
	int n = 0;

	res_init(res, NULL);
	if (now_ms > e->last_now)
		e->last_now = now_ms;
	now_ms = e->last_now;
	while ((top = heap_top(&e->heap)) && top->when <= now_ms &&
	       res->nactions + ALG_ACT_RESERVE <= ALG_MAX_ACTIONS) {
		heap_pop(&e->heap, &t);
		n += fire(e, &t, now_ms, res);
	}
	return n;
}

uint64_t alg_next_deadline(const struct alg_engine *e)
{
	const struct alg_timer *top = heap_top(&e->heap);

	if (!top)
		return UINT64_MAX;
	return top->when > e->last_now ? top->when : e->last_now;
}

void alg_media_seen(struct alg_engine *e, uint32_t id, uint64_t now_ms)
{
	uint32_t slot = (id >> 5) & 0x7ffff, s = (id >> 1) & 0xf;

	if (slot >= e->calls.cap)
		return;
	struct alg_call *call = pool_at(&e->calls, slot);
	if (!call->o.used || media_pin_id(e, call, s, (int)(id & 1)) != id || !call->st[s].used)
		return;
	call->st[s].last_media_ms = now_ms;
	if (now_ms > call->last_media_ms)
		call->last_media_ms = now_ms;
}
