/*
 * query.c - read-only views for the control socket (alg_query.h).
 */
#include "engine_int.h"

void alg_get_counters(const struct alg_engine *e, struct alg_counters *c)
{
	*c = e->cnt;
}

static void call_info(const struct alg_engine *e, const struct alg_call *call,
		      struct alg_call_info *ci)
{
	memset(ci, 0, sizeof(*ci));
	memcpy(ci->call_id, call->call_id, sizeof(ci->call_id));
	memcpy(ci->from, call->from, sizeof(ci->from));
	memcpy(ci->to, call->to, sizeof(ci->to));
	ci->state = (enum alg_call_state)call->state;
	ci->inbound = call->inbound;
	ci->inside = call->inside;
	ci->binding = call->binding;
	ci->start_ms = call->start_ms;
	ci->answer_ms = call->answer_ms;
	ci->last_media_ms = call->last_media_ms;
	ci->nearly = call->state == ALG_CALL_CONFIRMED ? 0 : call->ntags;
	for (unsigned s = 0; s < ALG_CALL_STREAMS; s++) {
		if (call->st[s].rtp_open)
			ci->pinholes[ci->npinholes++] = media_pin_id(e, call, s, 0);
		if (call->st[s].rtcp_open)
			ci->pinholes[ci->npinholes++] = media_pin_id(e, call, s, 1);
	}
}

int alg_calls_each(const struct alg_engine *e,
		   int (*fn)(void *ctx, const struct alg_call_info *c), void *ctx)
{
	struct alg_call_info ci;
	int n = 0;

	for (uint32_t i = 0; i < e->calls.cap; i++) {
		const struct alg_call *call = pool_at(&e->calls, i);
		if (!call->o.used)
			continue;
		call_info(e, call, &ci);
		n++;
		if (fn(ctx, &ci))
			break;
	}
	return n;
}

int alg_registrations_each(const struct alg_engine *e,
			   int (*fn)(void *ctx, const struct alg_registration_info *r),
			   void *ctx)
{
	struct alg_registration_info ri;
	int n = 0;

	for (uint32_t i = 0; i < e->regs.cap; i++) {
		const struct alg_reg *r = pool_at(&e->regs, i);
		if (!r->o.used)
			continue;
		memset(&ri, 0, sizeof(ri));
		memcpy(ri.aor, r->aor, sizeof(ri.aor));
		ri.binding.inside = r->inside;
		ri.binding.public_ep = r->public_ep;
		ri.binding.registrar = r->registrar;
		ri.binding.transport = r->transport;
		ri.binding.expires_ms = r->expires_ms;
		ri.granted_s = r->granted_s;
		n++;
		if (fn(ctx, &ri))
			break;
	}
	return n;
}

int alg_pinholes_each(const struct alg_engine *e,
		      int (*fn)(void *ctx, const struct alg_pinhole_info *p), void *ctx)
{
	struct alg_pinhole_info pi;
	int n = 0;

	for (uint32_t i = 0; i < e->calls.cap; i++) {
		const struct alg_call *call = pool_at(&e->calls, i);
		for (unsigned s = 0; call->o.used && s < ALG_CALL_STREAMS; s++) {
			const struct alg_stream *st = &call->st[s];
			for (int rtcp = 0; rtcp < 2; rtcp++) {
				if (!(rtcp ? st->rtcp_open : st->rtp_open))
					continue;
				memset(&pi, 0, sizeof(pi));
				media_pinhole(e, call, s, rtcp, &pi.pin);
				memcpy(pi.call_id, call->call_id, sizeof(pi.call_id));
				pi.last_media_ms = st->last_media_ms;
				memcpy(pi.media, st->media, sizeof(st->media));
				pi.rtcp = rtcp;
				n++;
				if (fn(ctx, &pi))
					return n;
			}
		}
	}
	return n;
}

int alg_clear_calls(struct alg_engine *e, const char *call_id, uint64_t now_ms,
		    struct alg_result *res)
{
	int n = 0;

	memset(res, 0, sizeof(*res));
	if (now_ms > e->last_now)
		e->last_now = now_ms;
	for (uint32_t i = 0; i < e->calls.cap; i++) {
		struct alg_call *call = pool_at(&e->calls, i);
		if (!call->o.used || (call_id && strcmp(call->call_id, call_id)))
			continue;
		if (res->nactions + ALG_ACT_RESERVE > ALG_MAX_ACTIONS)
			break;
		call_end(e, i, ALG_END_CLEARED, e->last_now, res);
		n++;
	}
	return n;
}
