/*
 * registration.c - registrations and the signalling bindings they keep
 * (rule 9).
 *
 * A REGISTER from inside is remembered in its transaction; its 2xx creates
 * or refreshes the registration with the expiry the registrar *granted*
 * (the Contact's expires= in the 2xx, else Expires, else what was asked,
 * else 3600 s, RFC 3261 §10.2.1.1 / §10.3), plus a margin (B7).  Expires 0
 * or Contact: * removes it (B27a).  A registration is keyed by AoR + inside
 * IP + transport, so a re-REGISTER from a new source port replaces the old
 * binding instead of adding one (B7, B27d).  It is indexed by its public
 * binding for requests from outside, which by default are accepted only
 * from the registrar's address (strict_register).
 *
 * Bindings: the engine tells the caller how long it needs each one
 * (BINDING_KEEP: the latest registration expiry or call in progress) and
 * when it no longer needs it (BINDING_CLOSE).
 */
#include "engine_int.h"

static uint64_t reg_key(const char *aor, const struct alg_addr *inside, enum alg_transport tr)
{
	struct alg_addr ip = *inside;

	ip.port = 0;
	return alg_hash(aor, strlen(aor), tr) ^ alg_addr_hash(&ip, 11);
}

uint64_t alg_binding_key(const struct alg_addr *pub, enum alg_transport tr)
{
	return alg_addr_hash(pub, 13 + tr);
}

#define pub_key alg_binding_key

/* reg_by_public() with the binding's key already hashed. */
static struct alg_reg *reg_by_key(struct alg_engine *e, const struct alg_addr *pub,
				  enum alg_transport tr, uint64_t key)
{
	for (uint32_t i = pool_find2(&e->regs, key); i != ALG_NONE; i = pool_next2(&e->regs, i)) {
		struct alg_reg *r = pool_at(&e->regs, i);
		if (alg_addr_eq(&r->public_ep, pub) && r->transport == tr)
			return r;
	}
	return NULL;
}

struct alg_reg *reg_by_public(struct alg_engine *e, const struct alg_addr *pub,
			      enum alg_transport tr)
{
	return reg_by_key(e, pub, tr, pub_key(pub, tr));
}

/* How long the engine needs a binding: registrations on it, calls on it,
 * and dialog_binding_ms after the last dialog event.  0: not at all.
 * *reg: the binding's registration for transport tr, as reg_by_key()
 * finds it (the same walk of the same chain). */
static uint64_t binding_need(struct alg_engine *e, const struct alg_addr *pub,
			     enum alg_transport tr, uint64_t key, uint64_t now, int after_dialog,
			     struct alg_reg **reg)
{
	uint64_t need = after_dialog ? now + e->cfg.dialog_binding_ms : 0;

	*reg = NULL;
	for (uint32_t i = pool_find2(&e->regs, key); i != ALG_NONE;
	     i = pool_next2(&e->regs, i)) {
		struct alg_reg *r = pool_at(&e->regs, i);
		if (!alg_addr_eq(&r->public_ep, pub))
			continue;
		if (r->expires_ms > need)
			need = r->expires_ms;
		if (!*reg && r->transport == tr)
			*reg = r;
	}
	/* A call ends by start + max_call_ms at the latest, and no call starts
	 * after now, so while any call uses the binding, now + max_call_ms
	 * covers them all.  The bound keeps this O(1) however many calls share
	 * a trunk's binding (scanning them made a flood of new calls
	 * quadratic); binding_release() recomputes when a call goes away. */
	for (uint32_t i = pool_find2(&e->calls, key); i != ALG_NONE;
	     i = pool_next2(&e->calls, i)) {
		struct alg_call *call = pool_at(&e->calls, i);
		uint64_t end = now + e->cfg.max_call_ms + e->cfg.dialog_binding_ms;
		if (!alg_addr_eq(&call->binding, pub))
			continue;
		if (end > need)
			need = end;
		break;
	}
	return need;
}

static void binding_action(struct alg_result *res, enum alg_action_kind k,
			   const struct alg_addr *inside, const struct alg_addr *pub,
			   enum alg_transport tr, uint64_t until, const struct alg_reg *r)
{
	struct alg_action *a = alg_action_add(res, k, NULL);

	if (!a)
		return;
	memset(&a->u.binding, 0, sizeof(a->u.binding));
	a->u.binding.inside = *inside;
	a->u.binding.public_ep = *pub;
	a->u.binding.transport = tr;
	a->u.binding.expires_ms = until;
	if (r)
		a->u.binding.registrar = r->registrar;
}

void binding_keep_key(struct alg_engine *e, struct alg_result *res, const struct alg_addr *inside,
		      const struct alg_addr *pub, enum alg_transport tr, uint64_t now, uint64_t key)
{
	struct alg_reg *r;

	if (!pub->family)
		return;
	uint64_t need = binding_need(e, pub, tr, key, now, 0, &r);
	binding_action(res, ALG_ACT_BINDING_KEEP, inside, pub, tr, need, r);
}

void binding_keep(struct alg_engine *e, struct alg_result *res, const struct alg_addr *inside,
		  const struct alg_addr *pub, enum alg_transport tr, uint64_t now)
{
	/* regs and calls share the key (key2) */
	binding_keep_key(e, res, inside, pub, tr, now, pub_key(pub, tr));
}

/* A user of the binding went away.  linger: a dialog just ended, so its
 * last transaction (the 200 to a BYE, retransmissions) still needs the
 * binding for dialog_binding_ms. */
void binding_release(struct alg_engine *e, struct alg_result *res, const struct alg_addr *inside,
		     const struct alg_addr *pub, enum alg_transport tr, uint64_t now, int linger)
{
	if (!pub->family)
		return;
	struct alg_reg *r;
	uint64_t need = binding_need(e, pub, tr, pub_key(pub, tr), now, linger, &r);
	if (need > now)
		binding_action(res, ALG_ACT_BINDING_KEEP, inside, pub, tr, need, r);
	else
		binding_action(res, ALG_ACT_BINDING_CLOSE, inside, pub, tr, now, NULL);
}

/* What the REGISTER asks for: Contact expires=, else Expires (§10.2.1.1). */
void reg_request(struct alg_ctx *c, struct alg_txn *t)
{
	const struct sip_addr *to = alg_from_to(c, SIP_HDR_TO);
	int h;

	if (!t)
		return;
	t->aor[0] = 0;
	if (to)
		alg_copy(t->aor, sizeof(t->aor), c->buf + to->uri.whole.off, to->uri.whole.len);
	t->req_expires = c->contact_expires;
	h = c->v->first[SIP_HDR_EXPIRES];
	if (t->req_expires < 0 && h >= 0)
		t->req_expires = sip_value_uint(c->buf, c->m.hdrs[h].value, UINT32_MAX);
	t->dereg = (uint8_t)(c->contact_star || t->req_expires == 0);
	t->contact_rewritten = (uint8_t)(c->contact_orig[0] != 0);
	memcpy(t->contact_orig, c->contact_orig, sizeof(t->contact_orig));
	t->contact_ep = c->contact_ep;
}

static uint32_t reg_find(struct alg_engine *e, const char *aor, const struct alg_addr *inside,
			 enum alg_transport tr)
{
	uint64_t key = reg_key(aor, inside, tr);

	for (uint32_t i = pool_find(&e->regs, key); i != ALG_NONE; i = pool_next(&e->regs, i)) {
		struct alg_reg *r = pool_at(&e->regs, i);
		if (!strcmp(r->aor, aor) && alg_addr_ip_eq(&r->inside, inside) && r->transport == tr)
			return i;
	}
	return ALG_NONE;
}

static void reg_remove(struct alg_engine *e, uint32_t slot, struct alg_result *res, uint64_t now)
{
	struct alg_reg *r = pool_at(&e->regs, slot);
	struct alg_addr inside = r->inside, pub = r->public_ep;
	enum alg_transport tr = r->transport;

	pool_free(&e->regs, slot);
	e->cnt.registrations--;
	binding_release(e, res, &inside, &pub, tr, now, 0);
}

void reg_expire(struct alg_engine *e, uint32_t slot, struct alg_result *res)
{
	reg_remove(e, slot, res, e->last_now);
}

static int64_t granted_expiry(struct alg_ctx *c, const struct alg_txn *t)
{
	int64_t g = -1;
	int h;

	if (rw_contact_expires(c, &g) && g >= 0)
		return g;
	h = c->v->first[SIP_HDR_EXPIRES];
	if (h >= 0 && (g = sip_value_uint(c->buf, c->m.hdrs[h].value, UINT32_MAX)) >= 0)
		return g;
	if (t->req_expires >= 0)
		return t->req_expires;
	return c->e->cfg.default_expires_s;
}

static void reg_upsert(struct alg_ctx *c, const struct alg_txn *t, int64_t g)
{
	struct alg_engine *e = c->e;
	uint32_t i = reg_find(e, t->aor, &t->inside, t->transport);

	if (i == ALG_NONE) {
		i = pool_alloc(&e->regs, reg_key(t->aor, &t->inside, t->transport),
			       pub_key(&t->binding, t->transport));
		if (i == ALG_NONE)
			return;
		e->cnt.registrations++;
	}
	struct alg_reg *r = pool_at(&e->regs, i);
	struct alg_addr old_pub = r->public_ep, old_inside = r->inside;
	alg_copy(r->aor, sizeof(r->aor), t->aor, strlen(t->aor));
	r->inside = t->inside;
	r->public_ep = t->binding;
	r->transport = t->transport;
	r->registrar = c->pkt->src;
	r->registrar.port = 0; /* any source port (RFC 3261 §18.2.1 replies vary) */
	if (t->contact_rewritten) {
		memcpy(r->contact_orig, t->contact_orig, sizeof(r->contact_orig));
		r->contact_ep = t->contact_ep;
	}
	r->granted_s = (uint32_t)g;
	r->expires_ms = c->now + (uint64_t)g * 1000 + e->cfg.register_margin_ms;
	pool_rekey2(&e->regs, i, pub_key(&t->binding, t->transport));
	alg_schedule(e, ALG_T_REG, i, r->expires_ms);
	if (old_pub.family && !alg_addr_eq(&old_pub, &t->binding)) /* B7: new source port */
		binding_release(e, c->res, &old_inside, &old_pub, t->transport, c->now, 0);
	binding_keep(e, c->res, &t->inside, &t->binding, t->transport, c->now);
}

void reg_response(struct alg_ctx *c, struct alg_txn *t)
{
	if (!t)
		return;
	if (t->contact_rewritten)
		rw_uris_restore(c, SIP_HDR_CONTACT, t->contact_orig);
	if (c->m.status < 200 || c->m.status >= 300 || !t->aor[0])
		return;
	int64_t g = granted_expiry(c, t);
	if (t->dereg || g == 0) {
		uint32_t i = reg_find(c->e, t->aor, &t->inside, t->transport);
		if (i != ALG_NONE)
			reg_remove(c->e, i, c->res, c->now);
		return;
	}
	reg_upsert(c, t, g);
}

/* strict_register: a new request to a registered binding must come from
 * the registrar (like the kernel's sip_direct_signalling).  1 = accept. */
int reg_strict_check(struct alg_ctx *c, struct alg_reg *r)
{
	if (!c->e->cfg.strict_register || !r || !r->registrar.family)
		return 1;
	return alg_addr_ip_eq(&r->registrar, &c->pkt->src);
}
