/*
 * media.c - media streams and their pinholes (rule 6): one mapping per
 * dialog and per media stream, never per 5-tuple.
 *
 * A stream is keyed by its inside RTP endpoint within its call, so its
 * public port stays the same across 183/200, re-INVITE and hold (B9).  A
 * new endpoint for the same m= index makes a new stream; the old one is
 * only marked superseded and stays open until its dialog ends (a pinhole
 * closes on BYE, CANCEL, final error or its dialog's timeout only).
 * Public ports come from the pair allocator, so two phones using the same
 * inside port never share a public one (B17).  RTCP follows a=rtcp
 * (RFC 3605) when present, RTP+1 otherwise, and nothing with rtcp-mux
 * (RFC 5761) (B13).
 *
 * A pinhole id packs (generation, call slot, stream, rtcp) so
 * alg_media_seen() needs no lookup table and a stale id misses.
 */
#include "engine_int.h"

static uint32_t call_slot(const struct alg_engine *e, const struct alg_call *call)
{
	return (uint32_t)(((const char *)call - e->calls.v) / e->calls.elsz);
}

uint32_t media_pin_id(const struct alg_engine *e, const struct alg_call *call,
		      unsigned s, int rtcp)
{
	uint32_t g = (call->o.gen % 255) + 1;

	return g << 24 | (call_slot(e, call) & 0x7ffff) << 5 | (uint32_t)s << 1 | (rtcp ? 1u : 0u);
}

void media_pinhole(const struct alg_engine *e, const struct alg_call *call, unsigned s,
		   int rtcp, struct alg_pinhole *p)
{
	const struct alg_stream *st = &call->st[s];

	memset(p, 0, sizeof(*p));
	p->id = media_pin_id(e, call, s, rtcp);
	p->inside_ep = rtcp ? st->inside_rtcp : st->inside_rtp;
	p->public_ep = e->cfg.public_addr;
	p->public_ep.port = rtcp ? st->pub_rtcp : st->pub_rtp;
	if (!st->pooled)
		p->public_ep = p->inside_ep; /* pinhole mode, no NAT: the inside port itself */
	p->timeout_ms = e->cfg.media_timeout_ms;
	/* Before any response from outside (no To tag yet, not confirmed) on a
	 * call the phone placed, the phone has seen no remote SDP to send
	 * media to, so no conntrack entry can predate this pinhole. */
	p->no_stale_flows = !call->inbound && call->ntags == 0 &&
			    call->state != ALG_CALL_CONFIRMED;
}

static void pin_action_add(struct alg_engine *e, struct alg_result *res, struct alg_call *call,
			   unsigned s, int rtcp, enum alg_action_kind k)
{
	struct alg_action *a = alg_action_add(res, k, call);

	if (a) {
		media_pinhole(e, call, s, rtcp, &a->u.pin);
		if (k == ALG_ACT_PINHOLE_OPEN && a->u.pin.no_stale_flows) {
			a->u.pin.outbound_later = 1;
			call->st[s].outbound_later = 1;
		}
	}
	if (k == ALG_ACT_PINHOLE_OPEN) {
		e->cnt.pinholes_opened++;
		e->cnt.pinholes_open++;
	} else if (k == ALG_ACT_PINHOLE_CLOSE) {
		e->cnt.pinholes_closed++;
		e->cnt.pinholes_open--;
	}
}

static void pin_action(struct alg_engine *e, struct alg_result *res, struct alg_call *call,
		       unsigned s, int rtcp, enum alg_action_kind k)
{
	/* A refresh is advisory: never let it take the room a close needs. */
	if (k == ALG_ACT_PINHOLE_REFRESH && res->nactions + ALG_ACT_RESERVE >= ALG_MAX_ACTIONS)
		return;
	pin_action_add(e, res, call, s, rtcp, k);
}

static void rtcp_close(struct alg_engine *e, struct alg_result *res, struct alg_call *call,
		       unsigned s)
{
	struct alg_stream *st = &call->st[s];

	if (st->rtcp_open)
		pin_action(e, res, call, s, 1, ALG_ACT_PINHOLE_CLOSE);
	if (st->pair2)
		ports_free(&e->ports, st->pair2);
	st->rtcp_open = 0;
	st->pair2 = 0;
	st->pub_rtcp = 0;
	st->inside_rtcp.family = 0;
}

static void stream_close(struct alg_engine *e, struct alg_result *res, struct alg_call *call,
			 unsigned s)
{
	struct alg_stream *st = &call->st[s];

	rtcp_close(e, res, call, s);
	if (st->rtp_open)
		pin_action(e, res, call, s, 0, ALG_ACT_PINHOLE_CLOSE);
	if (st->pooled)
		ports_free(&e->ports, st->pub_rtp);
	memset(st, 0, sizeof(*st));
}

void media_close_all(struct alg_engine *e, struct alg_call *call, struct alg_result *res)
{
	for (unsigned s = 0; s < ALG_CALL_STREAMS; s++)
		if (call->st[s].used)
			stream_close(e, res, call, s);
}

/* The RTCP half: same public port (RTCP on the RTP port), RTP+1 when the
 * inside uses RTP+1, else a port of its own.  0, or -1 if no port. */
static int rtcp_open(struct alg_ctx *c, struct alg_call *call, unsigned s,
		     const struct alg_addr *rtcp, int mux)
{
	struct alg_engine *e = c->e;
	struct alg_stream *st = &call->st[s];
	int pin = e->cfg.mode == ALG_MODE_PINHOLE;

	st->mux = (uint8_t)mux;
	if (mux || !rtcp || !rtcp->family || !rtcp->port)
		return 0;
	st->inside_rtcp = *rtcp;
	if (alg_addr_eq(rtcp, &st->inside_rtp)) {
		st->pub_rtcp = st->pub_rtp; /* RTCP shares the RTP port: one pinhole */
		return 0;
	}
	if (pin) {
		st->pub_rtcp = rtcp->port;
	} else if (alg_addr_ip_eq(rtcp, &st->inside_rtp) && rtcp->port == st->inside_rtp.port + 1) {
		st->pub_rtcp = (uint16_t)(st->pub_rtp + 1);
	} else {
		st->pair2 = ports_alloc(&e->ports, 0, e->cfg.port_busy, e->cfg.port_busy_ctx);
		if (!st->pair2) {
			st->inside_rtcp.family = 0;
			return -1;
		}
		st->pub_rtcp = (uint16_t)(st->pair2 + 1);
	}
	st->rtcp_open = 1;
	pin_action(e, c->res, call, s, 1, ALG_ACT_PINHOLE_OPEN);
	return 0;
}

static int same_rtcp(const struct alg_stream *st, const struct alg_addr *rtcp, int mux)
{
	if (mux || !rtcp || !rtcp->family)
		return st->mux == mux && !st->inside_rtcp.family;
	return !st->mux && alg_addr_eq(&st->inside_rtcp, rtcp);
}

static int stream_slot(struct alg_ctx *c, struct alg_call *call)
{
	for (unsigned s = 0; s < ALG_CALL_STREAMS; s++)
		if (!call->st[s].used)
			return (int)s;
	for (unsigned s = 0; s < ALG_CALL_STREAMS; s++)
		if (call->st[s].superseded) {
			stream_close(c->e, c->res, call, s);
			return (int)s;
		}
	return -1;
}

static struct alg_stream *stream_reuse(struct alg_ctx *c, struct alg_call *call, unsigned s,
				       unsigned mindex, const struct alg_addr *rtcp, int mux)
{
	struct alg_stream *st = &call->st[s];

	st->mindex = (uint8_t)mindex;
	st->superseded = 0;
	if (!same_rtcp(st, rtcp, mux)) {
		rtcp_close(c->e, c->res, call, s);
		rtcp_open(c, call, s, rtcp, mux);
	} else if (st->rtcp_open) {
		pin_action(c->e, c->res, call, s, 1, ALG_ACT_PINHOLE_REFRESH);
	}
	pin_action(c->e, c->res, call, s, 0, ALG_ACT_PINHOLE_REFRESH);
	return st;
}

struct alg_stream *media_map(struct alg_ctx *c, struct alg_call *call, unsigned mindex,
			     struct sip_span mtype, const struct alg_addr *rtp,
			     const struct alg_addr *rtcp, int mux)
{
	struct alg_engine *e = c->e;
	unsigned same_m = 0; /* streams of this m= index, superseded unless one is reused */

	_Static_assert(ALG_CALL_STREAMS <= 32, "same_m is a mask of streams");
	for (unsigned s = 0; s < ALG_CALL_STREAMS; s++) {
		const struct alg_stream *x = &call->st[s];
		if (!x->used)
			continue;
		if (alg_addr_eq(&x->inside_rtp, rtp))
			return stream_reuse(c, call, s, mindex, rtcp, mux);
		if (x->mindex == mindex)
			same_m |= 1u << s;
	}
	for (; same_m; same_m &= same_m - 1)
		call->st[__builtin_ctz(same_m)].superseded = 1;
	if (c->res->nactions + 4 + ALG_ACT_RESERVE > ALG_MAX_ACTIONS) {
		c->skip_reason = "too many pinhole actions in one message: stream left alone";
		return NULL;
	}
	int s = stream_slot(c, call);
	if (s < 0) {
		c->skip_reason = "too many media streams in one call: stream left alone";
		return NULL;
	}
	struct alg_stream *st = &call->st[s];
	memset(st, 0, sizeof(*st));
	st->pub_rtp = e->cfg.mode == ALG_MODE_PINHOLE
			      ? rtp->port
			      : ports_alloc(&e->ports, rtp->port, e->cfg.port_busy, e->cfg.port_busy_ctx);
	if (!st->pub_rtp) {
		c->skip_reason = "no free public media port: stream left alone";
		return NULL;
	}
	st->used = 1;
	st->pooled = e->cfg.mode != ALG_MODE_PINHOLE;
	st->mindex = (uint8_t)mindex;
	st->inside_rtp = *rtp;
	alg_copy(st->media, sizeof(st->media), c->buf + mtype.off, mtype.len);
	st->rtp_open = 1;
	pin_action(e, c->res, call, (unsigned)s, 0, ALG_ACT_PINHOLE_OPEN);
	if (rtcp_open(c, call, (unsigned)s, rtcp, mux) < 0)
		c->skip_reason = "no free public port for RTCP";
	return st;
}

/* Hold (c=0.0.0.0, RFC 3264 §8.4): the stream of this m= index with the same
 * inside port keeps its mapping. */
struct alg_stream *media_find_hold(struct alg_call *call, unsigned mindex, uint16_t port)
{
	for (unsigned s = 0; s < ALG_CALL_STREAMS; s++) {
		struct alg_stream *st = &call->st[s];
		if (st->used && !st->superseded && st->mindex == mindex &&
		    st->inside_rtp.port == port)
			return st;
	}
	return NULL;
}

/* The answer rejected m= line `mindex` (port 0, RFC 3264 §6): the streams
 * offered for it get no pinhole.  Returns the number closed. */
int media_reject(struct alg_ctx *c, struct alg_call *call, unsigned mindex)
{
	int n = 0;

	for (unsigned s = 0; s < ALG_CALL_STREAMS; s++)
		if (call->st[s].used && !call->st[s].superseded && call->st[s].mindex == mindex) {
			stream_close(c->e, c->res, call, s);
			n++;
		}
	return n;
}

/* The first response from outside to the phone's INVITE reaches it: from
 * now on the phone may know where to send media, so the pinholes opened
 * without their outbound half (alg_pinhole.outbound_later) get it, as a
 * REFRESH that the caller installs before this response leaves.  Not
 * advisory like other refreshes: with no room left, the stream keeps its
 * flag and the next response retries. */
void media_outbound_now(struct alg_ctx *c, struct alg_call *call)
{
	for (unsigned s = 0; s < ALG_CALL_STREAMS; s++) {
		struct alg_stream *st = &call->st[s];

		if (!st->used || !st->outbound_later ||
		    c->res->nactions + 2 > ALG_MAX_ACTIONS)
			continue;
		st->outbound_later = 0;
		if (st->rtp_open)
			pin_action_add(c->e, c->res, call, s, 0, ALG_ACT_PINHOLE_REFRESH);
		if (st->rtcp_open)
			pin_action_add(c->e, c->res, call, s, 1, ALG_ACT_PINHOLE_REFRESH);
	}
}
