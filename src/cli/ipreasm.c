/* ipreasm.c - IP fragment reassembly with bounded memory. */
#include "ipreasm.h"

#include <stdlib.h>
#include <string.h>

struct ipr_range {
	uint32_t off, end;
};

struct ipr_slot {
	int used;
	struct ipr_key key;
	uint8_t *buf;                /* IPR_MAX_SIZE bytes */
	struct ipr_range r[IPR_MAX_FRAGS];
	uint64_t tags[IPR_MAX_FRAGS];
	unsigned n;
	uint32_t total;              /* known once the last fragment came; 0 until then */
	size_t mtu;
	uint64_t first_ms;
};

struct ipreasm {
	struct ipr_slot s[IPR_MAX_DATAGRAMS];
	/* The last datagram handed out: its buffer stays valid until the next
	 * call, then goes back to being free. */
	struct ipr_slot *handed;
};

struct ipreasm *ipr_new(void)
{
	return calloc(1, sizeof(struct ipreasm));
}

void ipr_free(struct ipreasm *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < IPR_MAX_DATAGRAMS; i++)
		free(r->s[i].buf);
	free(r);
}

static int key_eq(const struct ipr_key *a, const struct ipr_key *b)
{
	return a->family == b->family && a->proto == b->proto && a->id == b->id &&
	       !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16);
}

static void release_handed(struct ipreasm *r)
{
	if (r->handed) {
		r->handed->used = 0;
		r->handed = NULL;
	}
}

/* Bytes covered from offset 0 on.  Ranges do not overlap (checked on
 * insert), so sweeping until no range extends the prefix finds it. */
static uint32_t prefix(const struct ipr_slot *s)
{
	uint32_t reach = 0;
	int progress = 1;

	while (progress) {
		progress = 0;
		for (unsigned i = 0; i < s->n; i++)
			if (s->r[i].off == reach && s->r[i].end > reach) {
				reach = s->r[i].end;
				progress = 1;
			}
	}
	return reach;
}

static int covered(const struct ipr_slot *s)
{
	return prefix(s) >= s->total;
}

/* Give the slot's datagram (complete or not) to the caller; the slot is
 * freed on the next call. */
static void hand_out(struct ipreasm *r, struct ipr_slot *s, struct ipr_done *d)
{
	uint32_t end = 0;

	for (unsigned i = 0; i < s->n; i++)
		if (s->r[i].end > end)
			end = s->r[i].end;
	d->key = s->key;
	d->data = s->buf;
	d->len = s->total ? s->total : end;
	d->contiguous = prefix(s);
	d->mtu = s->mtu;
	memcpy(d->tags, s->tags, sizeof(d->tags[0]) * s->n);
	d->ntags = s->n;
	d->first_ms = s->first_ms;
	r->handed = s;
}

static struct ipr_slot *find_or_alloc(struct ipreasm *r, const struct ipr_key *k, uint64_t now,
				      struct ipr_done *done, int *evicted)
{
	struct ipr_slot *free_slot = NULL, *oldest = NULL;

	*evicted = 0;
	for (unsigned i = 0; i < IPR_MAX_DATAGRAMS; i++) {
		struct ipr_slot *s = &r->s[i];

		if (!s->used) {
			if (!free_slot)
				free_slot = s;
		} else if (key_eq(&s->key, k)) {
			return s;
		} else if (!oldest || s->first_ms < oldest->first_ms) {
			oldest = s;
		}
	}
	if (!free_slot) {
		/* Table full: the oldest datagram gives way, reported as
		 * IPR_EFULL with its tags so its frames are not lost. */
		hand_out(r, oldest, done);
		*evicted = 1;
		return NULL;
	}
	if (!free_slot->buf && !(free_slot->buf = malloc(IPR_MAX_SIZE)))
		return NULL;
	free_slot->used = 1;
	free_slot->key = *k;
	free_slot->n = 0;
	free_slot->total = 0;
	free_slot->mtu = 0;
	free_slot->first_ms = now;
	return free_slot;
}

static int insert(struct ipr_slot *s, const struct ipr_frag *f)
{
	uint32_t end = f->off + (uint32_t)f->len;

	if (s->n >= IPR_MAX_FRAGS || end > IPR_MAX_SIZE)
		return IPR_ETOOBIG;
	if ((f->more && (f->len % 8)) || (s->total && end > s->total) ||
	    (!f->more && s->total && end != s->total))
		return IPR_EOVERLAP;
	for (unsigned i = 0; i < s->n; i++)
		if (f->off < s->r[i].end && s->r[i].off < end)
			return IPR_EOVERLAP;
	if (!f->more) {
		for (unsigned i = 0; i < s->n; i++)
			if (s->r[i].end > end)
				return IPR_EOVERLAP;
		s->total = end;
	}
	memcpy(s->buf + f->off, f->data, f->len);
	s->r[s->n].off = f->off;
	s->r[s->n].end = end;
	s->tags[s->n++] = f->tag;
	if (f->mtu > s->mtu)
		s->mtu = f->mtu;
	return 0;
}

int ipr_add(struct ipreasm *r, const struct ipr_key *k, const struct ipr_frag *f,
	    uint64_t now_ms, struct ipr_done *done)
{
	struct ipr_slot *s;
	int evicted, rc;

	release_handed(r);
	s = find_or_alloc(r, k, now_ms, done, &evicted);
	if (evicted)
		return IPR_EFULL;
	if (!s)
		return IPR_ENOMEM;
	rc = insert(s, f);
	if (rc < 0) {
		hand_out(r, s, done);
		return rc;
	}
	if (s->total && covered(s)) {
		hand_out(r, s, done);
		return 1;
	}
	return 0;
}

int ipr_expire(struct ipreasm *r, uint64_t now_ms, struct ipr_done *done)
{
	release_handed(r);
	for (unsigned i = 0; i < IPR_MAX_DATAGRAMS; i++) {
		struct ipr_slot *s = &r->s[i];

		if (s->used && (now_ms == UINT64_MAX || now_ms - s->first_ms > IPR_TIMEOUT_MS)) {
			hand_out(r, s, done);
			return 1;
		}
	}
	return 0;
}

const char *ipr_strerror(int err)
{
	switch (err) {
	case IPR_EOVERLAP:
		return "overlapping or inconsistent IP fragments";
	case IPR_ETOOBIG:
		return "IP datagram too large or too many fragments";
	case IPR_EFULL:
		return "too many datagrams in reassembly";
	case IPR_ETIMEOUT:
		return "incomplete IP datagram (missing fragments)";
	case IPR_ENOMEM:
		return "out of memory";
	default:
		return "reassembly error";
	}
}
