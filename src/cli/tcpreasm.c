/* tcpreasm.c - per-direction TCP reassembly and captured->rewritten offset map. */
#include "tcpreasm.h"
#include "pktbuild.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One decided run of the captured stream: in_len captured bytes at in_off
 * became out_len bytes at out_off. */
struct tcpr_map {
	uint32_t in_off, in_len;
	uint32_t out_off, out_len;
};

struct tcpr_dir {
	int have_base;
	uint32_t base;          /* sequence number of stream offset 0 */
	uint32_t next;          /* offset after the last in-order byte */
	uint32_t consumed;      /* offset after the last decided byte */
	uint32_t out_total;     /* rewritten bytes decided so far */
	uint8_t *pend;          /* bytes [consumed, next) */
	size_t pend_cap;
	uint8_t *out;           /* rewritten stream [0, out_total) */
	size_t out_cap;
	struct tcpr_map *maps;
	size_t nmaps, maps_cap;
	const char *broken;
	int changed;
};

struct tcpr_conn {
	int family;
	uint8_t addr[2][16];
	uint16_t port[2];
	struct tcpr_dir d[2];
};

struct tcpr {
	struct tcpr_conn **c;
	size_t n, cap;
};

struct tcpr *tcpr_new(void)
{
	return calloc(1, sizeof(struct tcpr));
}

static void dir_free(struct tcpr_dir *d)
{
	free(d->pend);
	free(d->out);
	free(d->maps);
}

void tcpr_free(struct tcpr *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		dir_free(&t->c[i]->d[0]);
		dir_free(&t->c[i]->d[1]);
		free(t->c[i]);
	}
	free(t->c);
	free(t);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 16;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static int matches(const struct tcpr_conn *c, int family, const uint8_t *a, uint16_t ap,
		   const uint8_t *b, uint16_t bp)
{
	size_t alen = family == 4 ? 4 : 16;

	return c->family == family && c->port[0] == ap && c->port[1] == bp &&
	       !memcmp(c->addr[0], a, alen) && !memcmp(c->addr[1], b, alen);
}

struct tcpr_conn *tcpr_lookup(struct tcpr *t, int family, const uint8_t *src, uint16_t sport,
			      const uint8_t *dst, uint16_t dport, int *dir)
{
	struct tcpr_conn *c;

	for (size_t i = 0; i < t->n; i++) {
		c = t->c[i];
		if (matches(c, family, src, sport, dst, dport)) {
			*dir = 0;
			return c;
		}
		if (matches(c, family, dst, dport, src, sport)) {
			*dir = 1;
			return c;
		}
	}
	if (t->n >= TCPR_MAX_CONNS || grow((void **)&t->c, &t->cap, t->n + 1, sizeof(*t->c)))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->family = family;
	memcpy(c->addr[0], src, family == 4 ? 4 : 16);
	memcpy(c->addr[1], dst, family == 4 ? 4 : 16);
	c->port[0] = sport;
	c->port[1] = dport;
	t->c[t->n++] = c;
	*dir = 0;
	return c;
}

/* Offsets are 32-bit modulo arithmetic; an offset "before" the stream start
 * (a retransmitted SYN) shows up as a huge value and maps unchanged. */
static int before_start(uint32_t rel)
{
	return rel >= 0x80000000u;
}

/* Forget a direction's stream, keeping its buffers for reuse. */
static void dir_reset(struct tcpr_dir *d)
{
	d->have_base = 0;
	d->next = d->consumed = d->out_total = 0;
	d->nmaps = 0;
	d->broken = NULL;
	d->changed = 0;
}

int tcpr_segment(struct tcpr_conn *c, int dir, uint32_t seq, uint8_t flags, const uint8_t *data,
		 size_t len, uint32_t *rel)
{
	struct tcpr_dir *d = &c->d[dir];
	uint32_t r, skip;

	if ((flags & PKT_TCP_SYN) && d->have_base && seq + 1 != d->base)
		dir_reset(d); /* the 4-tuple was reused by a new connection */
	if ((flags & PKT_TCP_SYN) && !d->have_base) {
		d->have_base = 1;
		d->base = seq + 1;
		seq++; /* the SYN occupies one sequence number */
	} else if (!d->have_base) {
		d->have_base = 1;
		d->base = seq;
	}
	r = seq - d->base;
	*rel = r;
	if (!len || d->broken || before_start(r) || r + len <= d->next)
		return 0; /* nothing new: empty, retransmitted, or not followed */
	if (r > d->next) {
		tcpr_break(c, dir, "gap in the TCP stream (segment not captured)");
		return 0;
	}
	skip = d->next - r;
	if (d->next - d->consumed + (len - skip) > TCPR_MAX_PENDING) {
		tcpr_break(c, dir, "TCP message larger than the framing limit");
		return 0;
	}
	if (grow((void **)&d->pend, &d->pend_cap, d->next - d->consumed + len - skip, 1))
		return -ENOMEM;
	memcpy(d->pend + (d->next - d->consumed), data + skip, len - skip);
	d->next = r + (uint32_t)len;
	return 0;
}

const uint8_t *tcpr_pending(const struct tcpr_conn *c, int dir, size_t *len)
{
	const struct tcpr_dir *d = &c->d[dir];

	*len = d->broken ? 0 : d->next - d->consumed;
	return *len ? d->pend : NULL;
}

int tcpr_consume(struct tcpr_conn *c, int dir, size_t n, const uint8_t *out, size_t outlen)
{
	struct tcpr_dir *d = &c->d[dir];
	struct tcpr_map *m;

	if (n > d->next - d->consumed)
		return -EINVAL;
	if (d->out_total + outlen > TCPR_MAX_STREAM) {
		tcpr_break(c, dir, "TCP stream longer than the replay keeps");
		return 0;
	}
	if (grow((void **)&d->out, &d->out_cap, d->out_total + outlen, 1) ||
	    grow((void **)&d->maps, &d->maps_cap, d->nmaps + 1, sizeof(*d->maps)))
		return -ENOMEM;
	if (outlen != n || (n && memcmp(out, d->pend, n)))
		d->changed = 1;
	if (outlen)
		memcpy(d->out + d->out_total, out, outlen);
	m = &d->maps[d->nmaps++];
	m->in_off = d->consumed;
	m->in_len = (uint32_t)n;
	m->out_off = d->out_total;
	m->out_len = (uint32_t)outlen;
	d->consumed += (uint32_t)n;
	d->out_total += (uint32_t)outlen;
	memmove(d->pend, d->pend + n, d->next - d->consumed);
	return 0;
}

void tcpr_break(struct tcpr_conn *c, int dir, const char *reason)
{
	if (!c->d[dir].broken)
		c->d[dir].broken = reason;
}

const char *tcpr_broken(const struct tcpr_conn *c, int dir)
{
	return c->d[dir].broken;
}

void tcpr_finish(struct tcpr *t, tcpr_left_fn left, void *ctx)
{
	for (size_t i = 0; i < t->n; i++)
		for (int k = 0; k < 2; k++) {
			size_t len;
			const uint8_t *p = tcpr_pending(t->c[i], k, &len);

			if (p && left)
				left(ctx, p, len);
			tcpr_break(t->c[i], k, "end of capture inside a TCP message");
		}
}

int tcpr_resolved(const struct tcpr_conn *c, int dir, uint32_t seq_end)
{
	const struct tcpr_dir *d = &c->d[dir];
	uint32_t rel_end = seq_end - d->base;

	if (!d->have_base || d->broken || before_start(rel_end))
		return 1;
	/* Bytes past the in-order edge were never seen in order (an ACK for
	 * data the capture missed): they map with the current delta. */
	return rel_end <= d->consumed || rel_end > d->next;
}

/* Output offset of captured offset rel. */
static uint32_t map_off(const struct tcpr_dir *d, uint32_t rel)
{
	size_t lo = 0, hi = d->nmaps;

	if (before_start(rel))
		return rel;
	if (rel >= d->consumed)
		return rel - d->consumed + d->out_total;
	while (lo < hi) { /* the run with in_off <= rel < in_off + in_len */
		size_t mid = (lo + hi) / 2;
		const struct tcpr_map *m = &d->maps[mid];

		if (rel < m->in_off)
			hi = mid;
		else if (rel >= m->in_off + m->in_len)
			lo = mid + 1;
		else /* a shrunk run ends early: later offsets in it clamp */
			return m->out_off + (rel - m->in_off < m->out_len ? rel - m->in_off
								  : m->out_len);
	}
	return rel; /* not reached: runs cover [0, consumed) */
}

uint32_t tcpr_seq_out(const struct tcpr_conn *c, int dir, uint32_t seq)
{
	const struct tcpr_dir *d = &c->d[dir];

	if (!d->have_base)
		return seq;
	return d->base + map_off(d, seq - d->base);
}

long tcpr_payload(const struct tcpr_conn *c, int dir, uint32_t rel, const uint8_t *data,
		  size_t len, uint8_t **out)
{
	const struct tcpr_dir *d = &c->d[dir];
	uint32_t end = rel + (uint32_t)len, split, o1, o2;
	size_t n1, n2;

	*out = NULL;
	if (before_start(rel) || !len) {
		split = rel;
		o1 = o2 = 0;
	} else {
		split = end < d->consumed ? end : (rel > d->consumed ? rel : d->consumed);
		o1 = map_off(d, rel);
		o2 = map_off(d, split);
	}
	n1 = o2 - o1;                   /* decided part, from the rewritten stream */
	n2 = len - (split - rel);       /* undecided part, as captured */
	*out = malloc(n1 + n2 + 1);
	if (!*out)
		return -ENOMEM;
	if (n1)
		memcpy(*out, d->out + o1, n1);
	if (n2)
		memcpy(*out + n1, data + (split - rel), n2);
	return (long)(n1 + n2);
}

int tcpr_changed(const struct tcpr_conn *c, int dir)
{
	return c->d[dir].changed;
}
