/*
 * pool.c - growable slot pools with two chained hash indexes (engine_int.h).
 *
 * Objects are addressed by slot index so handles survive growth; a free
 * bumps the slot's generation so stale handles (timers, pinhole ids) miss.
 * Keys are 64-bit hashes; callers confirm the full key on a hit.  Both
 * chains are doubly linked, so a free or a rekey is O(1).
 */
#include <stdlib.h>

#include "engine_int.h"

/* Eight bytes per multiply (a byte-at-a-time FNV-1a cost a tenth of a
 * message's instructions: every message hashes its Call-ID, transaction
 * and binding keys).  Only bucket choice depends on it: hits are
 * confirmed on the full key. */
static inline uint64_t mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

uint64_t alg_hash(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ULL ^ seed ^ ((uint64_t)n << 48), w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = mix(h, w);
	}
	w = 0;
	memcpy(&w, s, n);
	h = mix(h, w ^ 0x80);
	return h ^ (h >> 29);
}

/* Put slot i at the head of its bucket in index `second` (0: key, 1: key2). */
static void link_head(struct alg_pool *p, uint32_t i, int second)
{
	struct alg_obj *o = pool_obj(p, i);
	uint32_t *head = second ? &p->bk2[o->key2 & (p->nbk - 1)] : &p->bk[o->key & (p->nbk - 1)];

	if (second) {
		o->hnext2 = *head;
		o->hprev2 = ALG_NONE;
		if (*head != ALG_NONE)
			pool_obj(p, *head)->hprev2 = i;
	} else {
		o->hnext = *head;
		o->hprev = ALG_NONE;
		if (*head != ALG_NONE)
			pool_obj(p, *head)->hprev = i;
	}
	*head = i;
}

static void unlink_one(struct alg_pool *p, uint32_t i, int second)
{
	struct alg_obj *o = pool_obj(p, i);
	uint32_t prev = second ? o->hprev2 : o->hprev, next = second ? o->hnext2 : o->hnext;

	if (prev == ALG_NONE) {
		if (second)
			p->bk2[o->key2 & (p->nbk - 1)] = next;
		else
			p->bk[o->key & (p->nbk - 1)] = next;
	} else if (second) {
		pool_obj(p, prev)->hnext2 = next;
	} else {
		pool_obj(p, prev)->hnext = next;
	}
	if (next != ALG_NONE) {
		if (second)
			pool_obj(p, next)->hprev2 = prev;
		else
			pool_obj(p, next)->hprev = prev;
	}
}

static int rehash(struct alg_pool *p, uint32_t nbk)
{
	uint32_t *bk = malloc(sizeof(*bk) * nbk), *bk2 = malloc(sizeof(*bk2) * nbk);

	if (!bk || !bk2) {
		free(bk);
		free(bk2);
		return -1;
	}
	for (uint32_t i = 0; i < nbk; i++)
		bk[i] = bk2[i] = ALG_NONE;
	free(p->bk);
	free(p->bk2);
	p->bk = bk;
	p->bk2 = bk2;
	p->nbk = nbk;
	for (uint32_t i = 0; i < p->cap; i++) {
		if (!pool_obj(p, i)->used)
			continue;
		link_head(p, i, 0);
		link_head(p, i, 1);
	}
	return 0;
}

static int grow(struct alg_pool *p, uint32_t cap)
{
	char *v = realloc(p->v, p->elsz * cap);

	if (!v)
		return -1;
	memset(v + p->elsz * p->cap, 0, p->elsz * (cap - p->cap));
	p->v = v;
	for (uint32_t i = cap; i-- > p->cap;) {
		pool_obj(p, i)->hnext = p->free_head;
		pool_obj(p, i)->gen = 1;
		p->free_head = i;
	}
	p->cap = cap;
	return 0;
}

int pool_init(struct alg_pool *p, size_t elsz, uint32_t cap)
{
	memset(p, 0, sizeof(*p));
	p->elsz = elsz;
	p->zero_len = elsz;
	p->free_head = ALG_NONE;
	if (grow(p, cap) < 0 || rehash(p, 64) < 0)
		return -1;
	return 0;
}

void pool_fini(struct alg_pool *p)
{
	free(p->v);
	free(p->bk);
	free(p->bk2);
	memset(p, 0, sizeof(*p));
}

uint32_t pool_alloc(struct alg_pool *p, uint64_t key, uint64_t key2)
{
	if (p->free_head == ALG_NONE && grow(p, p->cap * 2) < 0)
		return ALG_NONE;
	if (p->live + 1 > p->nbk && rehash(p, p->nbk * 2) < 0)
		return ALG_NONE;
	uint32_t i = p->free_head;
	struct alg_obj *o = pool_obj(p, i);
	uint32_t gen = o->gen;

	p->free_head = o->hnext;
	memset(o, 0, p->zero_len);
	o->gen = gen;
	o->used = 1;
	o->key = key;
	o->key2 = key2;
	o->queued = UINT64_MAX;
	link_head(p, i, 0);
	link_head(p, i, 1);
	p->live++;
	return i;
}

void pool_free(struct alg_pool *p, uint32_t i)
{
	struct alg_obj *o = pool_obj(p, i);

	if (!o->used)
		return;
	unlink_one(p, i, 0);
	unlink_one(p, i, 1);
	o->used = 0;
	o->gen++;
	if (!o->gen)
		o->gen = 1;
	o->hnext = p->free_head;
	p->free_head = i;
	p->live--;
}

void pool_rekey2(struct alg_pool *p, uint32_t i, uint64_t key2)
{
	unlink_one(p, i, 1);
	pool_obj(p, i)->key2 = key2;
	link_head(p, i, 1);
}

static uint32_t walk(const struct alg_pool *p, uint32_t i, uint64_t key, int second)
{
	while (i != ALG_NONE) {
		const struct alg_obj *o = pool_obj(p, i);
		if ((second ? o->key2 : o->key) == key)
			return i;
		i = second ? o->hnext2 : o->hnext;
	}
	return ALG_NONE;
}

uint32_t pool_find(const struct alg_pool *p, uint64_t key)
{
	return walk(p, p->bk[key & (p->nbk - 1)], key, 0);
}

uint32_t pool_next(const struct alg_pool *p, uint32_t i)
{
	return walk(p, pool_obj(p, i)->hnext, pool_obj(p, i)->key, 0);
}

uint32_t pool_find2(const struct alg_pool *p, uint64_t key2)
{
	return walk(p, p->bk2[key2 & (p->nbk - 1)], key2, 1);
}

uint32_t pool_next2(const struct alg_pool *p, uint32_t i)
{
	return walk(p, pool_obj(p, i)->hnext2, pool_obj(p, i)->key2, 1);
}
