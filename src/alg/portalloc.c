/*
 * portalloc.c - public media ports for pinholes (engine_int.h).
 *
 * Ports are handed out as RTP/RTCP pairs (P even, P+1), RFC 3550 §11.
 * The caller's preferred port is tried first (port preservation keeps
 * traces readable); otherwise a next-fit cursor walks the range, so a port
 * just freed is not reused at once (late packets of the old stream).  The
 * optional busy() veto skips ports bound on the host.
 */
#include <stdlib.h>

#include "engine_int.h"

int ports_init(struct alg_ports *a, uint16_t min, uint16_t max)
{
	uint32_t lo = (min + 1u) & ~1u;

	memset(a, 0, sizeof(*a));
	if (max > lo)
		a->npairs = ((uint32_t)max - lo + 1) / 2;
	a->base = (uint16_t)lo;
	a->used = calloc(a->npairs ? a->npairs : 1, 1);
	return a->used ? 0 : -1;
}

void ports_fini(struct alg_ports *a)
{
	free(a->used);
	memset(a, 0, sizeof(*a));
}

static int take(struct alg_ports *a, uint32_t i, int (*busy)(void *, uint16_t), void *ctx)
{
	uint16_t p = (uint16_t)(a->base + 2 * i);

	if (a->used[i] || (busy && (busy(ctx, p) || busy(ctx, (uint16_t)(p + 1)))))
		return 0;
	a->used[i] = 1;
	return 1;
}

uint16_t ports_alloc(struct alg_ports *a, uint16_t want,
		     int (*busy)(void *, uint16_t), void *ctx)
{
	if (!a->npairs)
		return 0;
	if (want >= a->base && !(want & 1)) {
		uint32_t i = (uint32_t)(want - a->base) / 2;
		if (i < a->npairs && take(a, i, busy, ctx))
			return want;
	}
	for (uint32_t k = 0; k < a->npairs; k++) {
		uint32_t i = (a->cursor + k) % a->npairs;
		if (take(a, i, busy, ctx)) {
			a->cursor = (i + 1) % a->npairs;
			return (uint16_t)(a->base + 2 * i);
		}
	}
	return 0;
}

void ports_free(struct alg_ports *a, uint16_t port)
{
	if (port < a->base)
		return;
	uint32_t i = (uint32_t)(port - a->base) / 2;
	if (i < a->npairs)
		a->used[i] = 0;
}

/* Mark a port pair in use if it lies in the range (reconfigure: ports of
 * calls that outlive a range change stay theirs). */
void ports_reserve(struct alg_ports *a, uint16_t port)
{
	if (port < a->base)
		return;
	uint32_t i = (uint32_t)(port - a->base) / 2;
	if (i < a->npairs)
		a->used[i] = 1;
}
