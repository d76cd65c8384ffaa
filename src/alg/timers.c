/*
 * timers.c - the engine's deadlines: one binary min-heap of
 * (when, kind, slot, generation) entries (engine_int.h).
 *
 * Entries are pruned lazily: an object whose deadline moved later keeps its
 * old entry, which on pop is recognised (generation or queued time differ)
 * and either dropped or re-queued at the real deadline.  So the heap top is
 * never later than the earliest real deadline, and a wake-up may be early,
 * never late.
 */
#include <stdlib.h>

#include "engine_int.h"

static void swap(struct alg_timer *a, struct alg_timer *b)
{
	struct alg_timer t = *a;
	*a = *b;
	*b = t;
}

int heap_push(struct alg_heap *h, struct alg_timer t)
{
	if (h->n == h->cap) {
		uint32_t cap = h->cap ? h->cap * 2 : 256;
		struct alg_timer *v = realloc(h->v, sizeof(*v) * cap);
		if (!v)
			return -1;
		h->v = v;
		h->cap = cap;
	}
	uint32_t i = h->n++;
	h->v[i] = t;
	while (i && h->v[(i - 1) / 2].when > h->v[i].when) {
		swap(&h->v[(i - 1) / 2], &h->v[i]);
		i = (i - 1) / 2;
	}
	return 0;
}

int heap_pop(struct alg_heap *h, struct alg_timer *t)
{
	if (!h->n)
		return 0;
	*t = h->v[0];
	h->v[0] = h->v[--h->n];
	for (uint32_t i = 0;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < h->n && h->v[l].when < h->v[m].when)
			m = l;
		if (r < h->n && h->v[r].when < h->v[m].when)
			m = r;
		if (m == i)
			break;
		swap(&h->v[m], &h->v[i]);
		i = m;
	}
	return 1;
}
