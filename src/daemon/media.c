/*
 * media.c - pinhole records: engine action -> fw call, counters kept.
 *
 * A record outlives its pinhole for CLOSED_GRACE_MS so that the call
 * record written at the end of the call (often in the same batch as the
 * close) still finds the last counters.
 *
 * The SNAT map is keyed by the inside endpoint, so two open pinholes for
 * the same inside address:port cannot both be installed: the kernel would
 * refuse the second with EEXIST and, since a commit is one transaction,
 * every other change of the batch with it.  The second is kept here as
 * "shadowed" (not installed, logged) and never reaches the firewall.
 *
 * A pinhole opened with outbound_later is installed inbound only (one
 * element, media_dnat); the record's fp.inbound_only says so until the
 * REFRESH that adds media_snat, so that a close knows which halves exist.
 */
#include "daemon/media.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"

/* Records live in one array (indices stay valid when it grows); two
 * open-addressing indexes (linear probing, key stored in the slot, so a
 * lookup reads one cache line, not a chain of records) find them: by
 * pinhole id (every record, open or closed) and by inside endpoint (the
 * installed ones).  Each index starts at 2^12 slots and doubles before it
 * is half full: a flood of new calls (tens of thousands of pinholes) costs
 * a few cache misses per pinhole.  At 2^MEDIA_BITS_MAX slots a new record
 * is refused (-ENOMEM). */
#define MEDIA_BITS_MIN 12u
#define MEDIA_BITS_MAX 23u
#define CLOSED_GRACE_MS (10u * 60u * 1000u)
#define NO_REC UINT32_MAX

struct media_rec {
	struct fw_pinhole fp;
	struct fw_counters cnt;
	uint64_t closed_ms; /* 0 while open */
	uint8_t used;       /* 0: on the free list */
	uint8_t open;
	uint8_t shadowed;   /* open, but another pinhole owns its inside endpoint */
	uint32_t next_free;
};

/* One index slot: rec is the record's index + 1 (0: empty). */
struct media_slot {
	uint64_t key;
	uint32_t rec;
};

struct media_index {
	struct media_slot *s;
	unsigned bits, n;
};

static struct fw *fw;
static struct media_rec *recs;
static uint32_t cap, free_head = NO_REC;
static struct media_index by_id, by_inside;
static unsigned nrec, nopen;
static int dirty; /* changes queued since the last commit */
static uint8_t port_used[65536];

static uint64_t inside_key(const struct fw_pinhole *fp)
{
	return (uint64_t)fp->inside_addr.s_addr << 16 | fp->inside_port;
}

/* Multiplicative hash, top bits: ids differ mostly in high bits, inside
 * keys in low ones. */
static uint32_t home(const struct media_index *x, uint64_t key)
{
	return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> (64 - x->bits));
}

/* The slot holding key, or the empty slot where it would go. */
static uint32_t ix_find(const struct media_index *x, uint64_t key)
{
	uint32_t mask = (1u << x->bits) - 1, i = home(x, key);

	while (x->s[i].rec && x->s[i].key != key)
		i = (i + 1) & mask;
	return i;
}

static int ix_alloc(struct media_index *x, unsigned bits)
{
	struct media_index old = *x;

	x->s = calloc((size_t)1 << bits, sizeof(*x->s));
	if (!x->s) {
		*x = old;
		return -ENOMEM;
	}
	x->bits = bits;
	for (size_t i = 0; old.s && i < (size_t)1 << old.bits; i++)
		if (old.s[i].rec)
			x->s[ix_find(x, old.s[i].key)] = old.s[i];
	free(old.s);
	return 0;
}

/* Room for one more key: under half full after the insert. */
static int ix_room(struct media_index *x)
{
	if (!x->s)
		return ix_alloc(x, MEDIA_BITS_MIN);
	if ((x->n + 1) * 2 <= 1u << x->bits)
		return 0;
	return x->bits < MEDIA_BITS_MAX ? ix_alloc(x, x->bits + 1) : -ENOMEM;
}

/* Empty slot i, moving later keys of its probe run back (no tombstones). */
static void ix_del_at(struct media_index *x, uint32_t i)
{
	uint32_t mask = (1u << x->bits) - 1, j = i, h;

	for (;;) {
		j = (j + 1) & mask;
		if (!x->s[j].rec)
			break;
		h = home(x, x->s[j].key);
		/* The key at j may fill i unless its home lies in (i, j]. */
		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			x->s[i] = x->s[j];
			i = j;
		}
	}
	x->s[i].rec = 0;
	x->n--;
}

static void ix_del(struct media_index *x, uint64_t key)
{
	uint32_t i = ix_find(x, key);

	if (x->s[i].rec)
		ix_del_at(x, i);
}

static struct media_rec *rec_by_id(uint32_t id)
{
	uint32_t i;

	if (!by_id.s)
		return NULL;
	i = ix_find(&by_id, id);
	return by_id.s[i].rec ? &recs[by_id.s[i].rec - 1] : NULL;
}

/* A free record (fields zero but fp.id), indexed by id.  NULL: no memory. */
static struct media_rec *rec_new(uint32_t id)
{
	uint32_t r;

	if (free_head == NO_REC) {
		uint32_t ncap = cap ? cap * 2 : 1u << MEDIA_BITS_MIN;
		struct media_rec *n = realloc(recs, (size_t)ncap * sizeof(*n));
		if (!n)
			return NULL;
		recs = n;
		for (uint32_t i = ncap; i-- > cap;) {
			recs[i].used = 0;
			recs[i].next_free = free_head;
			free_head = i;
		}
		cap = ncap;
	}
	if (ix_room(&by_id) < 0)
		return NULL;
	r = free_head;
	free_head = recs[r].next_free;
	memset(&recs[r], 0, sizeof(recs[r]));
	recs[r].used = 1;
	recs[r].fp.id = id;
	by_id.s[ix_find(&by_id, id)] = (struct media_slot){ id, r + 1 };
	by_id.n++;
	nrec++;
	return &recs[r];
}

static void rec_free(struct media_rec *r)
{
	uint32_t i = (uint32_t)(r - recs);

	ix_del(&by_id, r->fp.id);
	r->used = 0;
	r->next_free = free_head;
	free_head = i;
	nrec--;
}

/* The installed record of this inside endpoint, or NULL. */
static struct media_rec *rec_by_inside(const struct fw_pinhole *fp)
{
	uint32_t i;

	if (!by_inside.s)
		return NULL;
	i = ix_find(&by_inside, inside_key(fp));
	return by_inside.s[i].rec ? &recs[by_inside.s[i].rec - 1] : NULL;
}

int media_init(struct fw *f)
{
	fw = f;
	if (by_id.s)
		return 0;
	return ix_room(&by_id) < 0 || ix_room(&by_inside) < 0 ? -ENOMEM : 0;
}

static void to_fw(const struct alg_pinhole *p, struct fw_pinhole *fp)
{
	memset(fp, 0, sizeof(*fp));
	fp->id = p->id;
	memcpy(&fp->inside_addr, p->inside_ep.ip, 4);
	fp->inside_port = p->inside_ep.port;
	fp->public_port = p->public_ep.port;
	fp->timeout_ms = p->timeout_ms;
	fp->no_stale_flows = p->no_stale_flows;
	/* OPEN: the outbound half waits for the engine's REFRESH (the first
	 * response from outside); that REFRESH (flag 0) adds it, and a CLOSE
	 * before it deletes only the inbound half. */
	fp->inbound_only = p->outbound_later;
}

/* Refresh r->cnt from the kernel.  On failure (the element already timed
 * out in the kernel) the last polled values stay. */
static void read_counters(struct media_rec *r)
{
	struct fw_counters c;

	if (r->open && !r->shadowed && fw && fw_pinhole_counters(fw, &r->fp, &c) == 0)
		r->cnt = c;
}

/* Index r as the installed pinhole of its inside endpoint; -EEXIST (r
 * becomes shadowed) if another record holds it. */
static int inside_claim(struct media_rec *r)
{
	uint32_t i;

	r->shadowed = 1;
	if (ix_room(&by_inside) < 0)
		return -ENOMEM;
	i = ix_find(&by_inside, inside_key(&r->fp));
	if (by_inside.s[i].rec)
		return -EEXIST;
	by_inside.s[i] = (struct media_slot){ inside_key(&r->fp), (uint32_t)(r - recs) + 1 };
	by_inside.n++;
	r->shadowed = 0;
	return 0;
}

static void inside_release(struct media_rec *r)
{
	uint32_t i = ix_find(&by_inside, inside_key(&r->fp));

	if (by_inside.s[i].rec == (uint32_t)(r - recs) + 1)
		ix_del_at(&by_inside, i);
}

static void mark_closed(struct media_rec *r, uint64_t now_ms)
{
	if (!r->open)
		return;
	if (!r->shadowed)
		inside_release(r);
	r->open = 0;
	r->closed_ms = now_ms ? now_ms : 1;
	port_used[r->fp.public_port] = 0;
	nopen--;
}

int media_open(const struct alg_pinhole *p, const char *call_id, uint64_t now_ms)
{
	struct media_rec *r = rec_by_id(p->id);
	int rc;

	(void)call_id;
	if (!r && !(r = rec_new(p->id)))
		return -ENOMEM;
	mark_closed(r, now_ms); /* an id reused after close: start afresh */
	memset(&r->cnt, 0, sizeof(r->cnt));
	to_fw(p, &r->fp);
	r->open = 1;
	r->closed_ms = 0;
	port_used[r->fp.public_port] = 1;
	nopen++;
	rc = inside_claim(r);
	if (rc < 0)
		return rc; /* the caller logs it; nothing queued */
	dirty = 1;
	return fw ? fw_pinhole_add(fw, &r->fp) : 0;
}

int media_refresh(const struct alg_pinhole *p)
{
	struct media_rec *r = rec_by_id(p->id);
	struct fw_pinhole fp;

	if (!r || !r->open)
		return -ENOENT;
	to_fw(p, &fp);
	if (r->shadowed) {
		r->fp = fp;
		return 0;
	}
	if (inside_key(&fp) != inside_key(&r->fp)) {
		/* Not seen from the engine; keep the index true anyway. */
		inside_release(r);
		r->fp = fp;
		if (inside_claim(r) < 0)
			return -EEXIST;
	}
	r->fp = fp;
	dirty = 1;
	return fw ? fw_pinhole_refresh(fw, &r->fp) : 0;
}

int media_close(const struct alg_pinhole *p, uint64_t now_ms)
{
	struct media_rec *r = rec_by_id(p->id);
	struct fw_pinhole fp;

	if (!r || !r->open) {
		/* Not ours (e.g. opened before a restart): delete anyway. */
		to_fw(p, &fp);
		dirty = 1;
		return fw ? fw_pinhole_del(fw, &fp) : 0;
	}
	if (r->shadowed) {
		mark_closed(r, now_ms);
		return 0;
	}
	/* Last counters before the element disappears, for the call record
	 * (logged at notice, their only reader once closed): two netlink round
	 * trips, saved when that record is not written. */
	if (log_enabled(LOG_NOTICE))
		read_counters(r);
	mark_closed(r, now_ms);
	dirty = 1;
	return fw ? fw_pinhole_del(fw, &r->fp) : 0;
}

int media_commit(void)
{
	int rc;

	if (!dirty || !fw)
		return 0;
	dirty = 0;
	rc = fw_commit(fw);
	return rc < 0 ? rc : 1;
}

static int moved(const struct fw_counters *a, const struct fw_counters *b)
{
	return a->pkts_in != b->pkts_in || a->pkts_out != b->pkts_out;
}

struct poll_ctx {
	void (*seen)(uint32_t id, void *ctx);
	void *ctx;
};

/* One pinhole from the kernel's dump: the installed record that owns its
 * inside endpoint (and public port). */
static void poll_one(void *ctx, const struct fw_pinhole *p, const struct fw_counters *c)
{
	struct poll_ctx *pc = ctx;
	struct media_rec *r = rec_by_inside(p);

	if (!r || r->fp.public_port != p->public_port)
		return;
	if (moved(c, &r->cnt) && pc->seen)
		pc->seen(r->fp.id, pc->ctx);
	r->cnt = *c;
}

/* Forget records closed longer ago than the grace period. */
static void sweep(uint64_t now_ms)
{
	for (uint32_t i = 0; i < cap; i++)
		if (recs[i].used && !recs[i].open && now_ms - recs[i].closed_ms > CLOSED_GRACE_MS)
			rec_free(&recs[i]);
}

/* Two netlink dumps (fw_counters_dump) whatever the number of pinholes:
 * one get per pinhole would stall the loop for seconds with tens of
 * thousands open. */
void media_poll(uint64_t now_ms, void (*seen)(uint32_t id, void *ctx), void *ctx)
{
	struct poll_ctx pc = { seen, ctx };

	sweep(now_ms);
	if (fw && nopen)
		fw_counters_dump(fw, poll_one, &pc);
}

void media_totals(const uint32_t *ids, unsigned n, struct fw_counters *sum)
{
	if (sum)
		memset(sum, 0, sizeof(*sum));
	for (unsigned i = 0; i < n; i++) {
		struct media_rec *r = rec_by_id(ids[i]);
		if (!r)
			continue;
		if (sum) {
			read_counters(r);
			sum->pkts_in += r->cnt.pkts_in;
			sum->bytes_in += r->cnt.bytes_in;
			sum->pkts_out += r->cnt.pkts_out;
			sum->bytes_out += r->cnt.bytes_out;
		}
		if (!r->open)
			rec_free(r);
	}
}

int media_port_used(uint16_t port)
{
	return port_used[port];
}

int media_counters(uint32_t id, struct fw_counters *c)
{
	struct media_rec *r = rec_by_id(id);

	if (!r)
		return -ENOENT;
	read_counters(r); /* live, for `sipalg pinholes` */
	*c = r->cnt;
	return 0;
}

unsigned media_open_count(void)
{
	return nopen;
}

void media_fini(void)
{
	free(recs);
	free(by_id.s);
	free(by_inside.s);
	recs = NULL;
	memset(&by_id, 0, sizeof(by_id));
	memset(&by_inside, 0, sizeof(by_inside));
	cap = nrec = nopen = 0;
	free_head = NO_REC;
	memset(port_used, 0, sizeof(port_used));
}
