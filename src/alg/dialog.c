/*
 * dialog.c - calls (INVITE dialogs, RFC 3261 §12-§15) and client
 * transactions (§17.1), as far as an ALG needs them.
 *
 * A call is keyed by Call-ID: all its early dialogs (forking, distinct To
 * tags, B15) and its confirmed dialog share the media streams, so any
 * fork's media reaches the phone.  It ends on BYE, CANCEL, a final error
 * to the initial INVITE, or one of its own timers (Timer C, media
 * inactivity, maximum duration) - never because of another call on the
 * same flow (B16).
 *
 * A transaction remembers what we rewrote in a request (top Via sent-by,
 * REGISTER Contact) so its responses get exactly the original back
 * (rule 3).  Keyed by Call-ID, CSeq and branch.
 */
#include "engine_int.h"

void alg_schedule(struct alg_engine *e, enum alg_timer_kind k, uint32_t slot, uint64_t when)
{
	struct alg_pool *p = k == ALG_T_CALL ? &e->calls : k == ALG_T_REG ? &e->regs : &e->txns;
	struct alg_obj *o = pool_obj(p, slot);

	if (when >= o->queued)
		return; /* an earlier entry will wake us and re-check */
	struct alg_timer t = { .when = when, .slot = slot, .gen = o->gen, .kind = (uint8_t)k };
	if (heap_push(&e->heap, t) == 0)
		o->queued = when;
}

/*
 * The call a message belongs to: its Call-ID on its binding.  A hairpin
 * call (two phones behind this NAT calling each other through an outside
 * proxy, which keeps the Call-ID, RFC 3261 §16.6) crosses the ALG twice,
 * once on each phone's binding: each leg is a call of its own, or the
 * callee's INVITE would go to the caller.  A call with this Call-ID on
 * another binding of the same inside host is still this one (a phone that
 * opened a new TCP connection for its BYE).  `inside` may be unknown
 * (family 0): then any binding will do.
 */
uint32_t call_find(struct alg_engine *e, const char *base, struct sip_span callid, uint64_t h,
		   uint64_t bkey, const struct alg_addr *inside)
{
	size_t n = callid.len < 127 ? callid.len : 127;
	uint32_t other = ALG_NONE;

	for (uint32_t i = pool_find(&e->calls, h); i != ALG_NONE; i = pool_next(&e->calls, i)) {
		struct alg_call *call = pool_at(&e->calls, i);
		if (strlen(call->call_id) != n || memcmp(call->call_id, base + callid.off, n))
			continue;
		if (call->o.key2 == bkey)
			return i;
		if (other == ALG_NONE && (!inside->family || alg_addr_ip_eq(&call->inside, inside)))
			other = i;
	}
	return other;
}

static int has_streams(const struct alg_call *call)
{
	for (unsigned s = 0; s < ALG_CALL_STREAMS; s++)
		if (call->st[s].used)
			return 1;
	return 0;
}

static uint64_t max3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t m = a > b ? a : b;
	return m > c ? m : c;
}

/* The earliest of the call's timers, and which one it is. */
uint64_t call_deadline(const struct alg_engine *e, const struct alg_call *call,
		       enum alg_end_reason *why)
{
	uint64_t d = call->start_ms + e->cfg.max_call_ms, t;

	*why = ALG_END_MAX_DURATION;
	if (call->state != ALG_CALL_CONFIRMED) {
		t = call->last_prov_ms + e->cfg.invite_timeout_ms;
		if (t < d) {
			d = t;
			*why = ALG_END_INVITE_TIMEOUT;
		}
	} else if (has_streams(call)) {
		/* Media, or in-dialog signalling (re-INVITE, session refresh),
		 * shows the call is alive. */
		t = max3(call->answer_ms, call->last_media_ms, call->last_activity_ms) +
		    e->cfg.media_timeout_ms;
		if (t < d) {
			d = t;
			*why = ALG_END_MEDIA_TIMEOUT;
		}
	}
	return d;
}

void call_schedule(struct alg_engine *e, uint32_t slot)
{
	enum alg_end_reason why;
	struct alg_call *call = pool_at(&e->calls, slot);

	alg_schedule(e, ALG_T_CALL, slot, call_deadline(e, call, &why));
}

static void copy_uri(struct alg_ctx *c, enum sip_hdr_id id, char *dst, size_t cap)
{
	const struct sip_addr *a = alg_from_to(c, id);

	dst[0] = 0;
	if (a)
		alg_copy(dst, cap, c->buf + a->uri.whole.off, a->uri.whole.len);
}

/* The To tag: 1 with *tag, 0 none (RFC 3261 §8.2.6.2, §12.1). */
static int to_tag(const struct alg_ctx *c, struct sip_span *tag)
{
	const struct sip_addr *a = alg_from_to(c, SIP_HDR_TO);

	*tag = a ? a->tag : SIP_SPAN_NONE;
	return sip_span_present(*tag);
}

uint32_t call_new(struct alg_ctx *c, int inbound)
{
	struct alg_engine *e = c->e;
	uint32_t slot;

	/* Pinhole ids carry the call slot in 19 bits (media.c). */
	if (e->calls.live >= ALG_MAX_CALLS) {
		c->skip_reason = "too many calls: this one gets no pinholes";
		return ALG_NONE;
	}
	uint64_t bkey = alg_binding_key(&c->binding, c->pkt->transport);
	slot = pool_alloc(&e->calls, c->callid_hash, bkey);
	if (slot == ALG_NONE)
		return ALG_NONE;
	struct alg_call *call = pool_at(&e->calls, slot);
	alg_copy(call->call_id, sizeof(call->call_id), c->buf + c->callid.off, c->callid.len);
	copy_uri(c, SIP_HDR_FROM, call->from, sizeof(call->from));
	copy_uri(c, SIP_HDR_TO, call->to, sizeof(call->to));
	call->inbound = (uint8_t)inbound;
	call->inside = c->inside;
	call->binding = c->binding;
	call->peer = inbound ? c->pkt->src : c->pkt->dst;
	call->transport = c->pkt->transport;
	call->invite_cseq = c->cseq.num;
	call->start_ms = call->last_prov_ms = call->last_activity_ms = c->now;
	call->state = ALG_CALL_TRYING;
	e->cnt.calls++;
	call_schedule(e, slot);
	binding_keep_key(e, c->res, &call->inside, &call->binding, call->transport, c->now, bkey);
	return slot;
}

/* The ids of the call's open pinholes, for the record's counters. */
static unsigned call_pins(const struct alg_engine *e, const struct alg_call *call, uint32_t *pins)
{
	unsigned n = 0;

	for (unsigned s = 0; s < ALG_CALL_STREAMS; s++) {
		const struct alg_stream *st = &call->st[s];
		if (st->rtp_open && n < 8)
			pins[n++] = media_pin_id(e, call, s, 0);
		if (st->rtcp_open && n < 8)
			pins[n++] = media_pin_id(e, call, s, 1);
	}
	return n;
}

/* The call record, written in place in the action (no copy of it). */
static void call_record(const struct alg_call *call, enum alg_end_reason why, uint64_t now,
			const uint32_t *pins, unsigned npins, struct alg_call_record *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->call_id, call->call_id, sizeof(r->call_id));
	memcpy(r->from, call->from, sizeof(r->from));
	memcpy(r->to, call->to, sizeof(r->to));
	r->start_ms = call->start_ms;
	r->answer_ms = call->answer_ms;
	r->end_ms = now;
	r->reason = why;
	memcpy(r->pinholes, pins, npins * sizeof(pins[0]));
	r->npinholes = npins;
}

void call_end(struct alg_engine *e, uint32_t slot, enum alg_end_reason why, uint64_t now,
	      struct alg_result *res)
{
	struct alg_call *call = pool_at(&e->calls, slot);
	struct alg_addr inside = call->inside, binding = call->binding;
	enum alg_transport tr = call->transport;
	uint32_t pins[8];

	_Static_assert(sizeof(pins) == sizeof(((struct alg_call_record *)0)->pinholes),
		       "the record holds every pinhole listed");
	/* before the close: it clears the streams' open flags */
	unsigned npins = call_pins(e, call, pins);
	media_close_all(e, call, res);
	struct alg_action *a = alg_action_add(res, ALG_ACT_CALL_END, call);
	if (a)
		call_record(call, why, now, pins, npins, &a->u.call);
	pool_free(&e->calls, slot);
	e->cnt.calls--;
	binding_release(e, res, &inside, &binding, tr, now, 1);
}

void call_touch(struct alg_ctx *c, struct alg_call *call)
{
	call->last_activity_ms = c->now;
}

static void early_tag(struct alg_ctx *c, struct alg_call *call)
{
	struct sip_span tag;

	if (to_tag(c, &tag) != 1 || tag.len >= sizeof(call->tags[0]))
		return;
	for (unsigned i = 0; i < call->ntags; i++)
		if (strlen(call->tags[i]) == tag.len &&
		    !memcmp(call->tags[i], c->buf + tag.off, tag.len))
			return;
	if (call->ntags < ALG_EARLY_TAGS)
		alg_copy(call->tags[call->ntags++], sizeof(call->tags[0]), c->buf + tag.off, tag.len);
}

/* 2xx: this To tag is the dialog; the other early dialogs are released
 * (RFC 3261 §13.2.2.4; B15). */
static void confirm(struct alg_ctx *c, struct alg_call *call)
{
	struct sip_span tag;

	call->ntags = 0;
	if (to_tag(c, &tag) == 1 && tag.len < sizeof(call->tags[0]))
		alg_copy(call->tags[call->ntags++], sizeof(call->tags[0]), c->buf + tag.off, tag.len);
	if (call->state != ALG_CALL_CONFIRMED) {
		call->state = ALG_CALL_CONFIRMED;
		call->answer_ms = c->now;
	}
}

static void remember_contact(struct alg_ctx *c, struct alg_call *call)
{
	if (c->contact_orig[0] && c->pkt->dir == ALG_OUT) {
		memcpy(call->contact_orig, c->contact_orig, sizeof(call->contact_orig));
		call->contact_ep = c->contact_ep;
	}
	if (c->rr_orig[0] && c->pkt->dir == ALG_OUT)
		memcpy(call->rr_orig, c->rr_orig, sizeof(call->rr_orig));
}

static int has_to_tag(struct alg_ctx *c)
{
	struct sip_span tag;

	return to_tag(c, &tag) == 1;
}

void dialog_request(struct alg_ctx *c)
{
	struct alg_engine *e = c->e;
	int method = c->m.method;

	if (c->call == ALG_NONE && method == SIP_METHOD_INVITE && !has_to_tag(c))
		c->call = call_new(c, c->pkt->dir == ALG_IN);
	if (c->call == ALG_NONE)
		return;
	struct alg_call *call = pool_at(&e->calls, c->call);
	remember_contact(c, call);
	call_touch(c, call);
	if (method == SIP_METHOD_BYE) {
		call_end(e, c->call, ALG_END_BYE, c->now, c->res);
		c->call = ALG_NONE;
		return;
	}
	if (method == SIP_METHOD_CANCEL && call->state != ALG_CALL_CONFIRMED) {
		call_end(e, c->call, ALG_END_CANCEL, c->now, c->res);
		c->call = ALG_NONE;
		return;
	}
	if (c->pkt->dir == ALG_OUT)
		sdp_out(c, call);
	else if (method == SIP_METHOD_ACK)
		sdp_answer_in(c, call); /* late offer: the answer comes in the ACK */
	call_schedule(e, c->call);
}

void dialog_response(struct alg_ctx *c, struct alg_txn *t)
{
	struct alg_engine *e = c->e;
	(void)t;

	if (c->call == ALG_NONE)
		return;
	struct alg_call *call = pool_at(&e->calls, c->call);
	int st = c->m.status;
	remember_contact(c, call);
	call_touch(c, call);
	if (c->cseq.method == SIP_METHOD_INVITE) {
		if (st >= 300 && c->cseq.num == call->invite_cseq &&
		    call->state != ALG_CALL_CONFIRMED) {
			call_end(e, c->call, ALG_END_REJECTED, c->now, c->res);
			c->call = ALG_NONE;
			return;
		}
		if (st > 100 && st < 200) {
			early_tag(c, call);
			if (call->state == ALG_CALL_TRYING)
				call->state = ALG_CALL_EARLY;
			call->last_prov_ms = c->now;
		} else if (st >= 200 && st < 300) {
			confirm(c, call);
		}
		if (st > 100 && st < 300 && c->pkt->dir == ALG_IN)
			media_outbound_now(c, call);
	}
	if (c->pkt->dir == ALG_OUT)
		sdp_out(c, call);
	else if (st >= 200 && st < 300 &&
		 (c->cseq.method == SIP_METHOD_INVITE || c->cseq.method == SIP_METHOD_UPDATE))
		sdp_answer_in(c, call);
	call_schedule(e, c->call);
}

static uint64_t branch_hash(struct alg_ctx *c)
{
	const struct sip_via *v = rw_top_via(c);

	if (!sip_span_present(v->branch))
		return 0;
	return alg_hash(c->buf + v->branch.off, v->branch.len, 7);
}

uint64_t txn_key(struct alg_ctx *c)
{
	uint32_t k[2] = { c->cseq.num, c->cseq.method };

	return c->callid_hash ^ alg_hash(k, sizeof(k), 3) ^ branch_hash(c);
}

struct alg_txn *txn_get(struct alg_engine *e, uint64_t key)
{
	uint32_t i = pool_find(&e->txns, key);

	return i == ALG_NONE ? NULL : pool_at(&e->txns, i);
}

/* Remember an outgoing request (retransmissions update the same entry). */
/* A REGISTER transaction is over at its final response: a registrar sends
 * that response again only to a retransmitted request (RFC 3261 §17.2.2),
 * which passes through here and makes the transaction again.  Freeing it
 * now instead of after 64*T1 keeps a registration's memory to its own
 * record (10,000 phones re-registering would otherwise hold 10,000
 * transactions).  The timer entry goes stale by the slot's generation. */
void txn_done(struct alg_engine *e, struct alg_txn *t)
{
	uint32_t i = pool_index(&e->txns, t);

	pool_free(&e->txns, i);
	e->cnt.transactions--;
}

uint32_t txn_new(struct alg_ctx *c)
{
	struct alg_engine *e = c->e;
	uint64_t key = txn_key(c);
	uint32_t i = pool_find(&e->txns, key);

	if (i == ALG_NONE) {
		i = pool_alloc(&e->txns, key, key); /* key2 unused: spread it anyway */
		if (i == ALG_NONE)
			return ALG_NONE;
		e->cnt.transactions++;
	}
	struct alg_txn *t = pool_at(&e->txns, i);
	t->method = (uint8_t)c->m.method;
	t->via_rewritten = (uint8_t)c->via_rewritten;
	memcpy(t->via_orig, c->via_orig, sizeof(t->via_orig));
	t->via_ep = c->via_rport ? (struct alg_addr){ 0 } : c->via_ep;
	t->inside = c->pkt->src;
	t->binding = c->binding;
	t->transport = c->pkt->transport;
	t->req_expires = -1;
	t->expires_ms = c->now + ALG_TXN_MS +
			(c->m.method == SIP_METHOD_INVITE ? e->cfg.invite_timeout_ms : 0);
	alg_schedule(e, ALG_T_TXN, i, t->expires_ms);
	return i;
}
