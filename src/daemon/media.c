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

/* Both hash tables start at 2^12 buckets (bucket = top bits of a 32-bit
 * hash) and double whenever records outnumber buckets, so that a flood of
 * new calls (tens of thousands of pinholes) keeps chains short. */
#define MEDIA_BITS_MIN 12u
#define MEDIA_BITS_MAX 24u
#define CLOSED_GRACE_MS (10u * 60u * 1000u)

struct media_rec {
	struct media_rec *next;
	struct fw_pinhole fp;
	struct fw_counters cnt;
	uint64_t closed_ms; /* 0 while open */
	int open;
	int shadowed;       /* open, but another pinhole owns its inside endpoint */
	struct media_rec *next_in; /* chain of installed pinholes by inside endpoint */
};

static struct fw *fw;
static struct media_rec **buckets, **by_inside; /* by id; installed, by inside endpoint */
static unsigned bits, nrec;
static unsigned nopen;
static int dirty; /* changes queued since the last commit */
static uint8_t port_used[65536];

static uint32_t bucket_of(uint32_t h)
{
	return bits ? h >> (32 - bits) : 0;
}

static uint32_t inside_hash(const struct fw_pinhole *fp)
{
	return (fp->inside_addr.s_addr ^ (uint32_t)fp->inside_port * 2654435761u) * 2246822519u;
}

/* Multiplicative hash, top bits: engine ids differ mostly in high bits. */
static uint32_t id_hash(uint32_t id)
{
	return id * 2654435761u;
}

static struct media_rec **inside_slot(const struct fw_pinhole *fp)
{
	struct media_rec **pp = &by_inside[bucket_of(inside_hash(fp))];

	while (*pp && ((*pp)->fp.inside_addr.s_addr != fp->inside_addr.s_addr ||
		       (*pp)->fp.inside_port != fp->inside_port))
		pp = &(*pp)->next_in;
	return pp;
}

static void inside_unlink(struct media_rec *r)
{
	struct media_rec **pp = inside_slot(&r->fp);

	if (*pp == r)
		*pp = r->next_in;
}

/* Rehash every record into tables of 2^nbits buckets; on allocation
 * failure the old tables stay (longer chains, still correct). */
static int rehash(unsigned nbits)
{
	struct media_rec **nb = calloc(1u << nbits, sizeof(*nb));
	struct media_rec **ni = calloc(1u << nbits, sizeof(*ni));
	struct media_rec *list = NULL, *r, *n;
	unsigned old = buckets ? 1u << bits : 0;

	if (!nb || !ni) {
		free(nb);
		free(ni);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < old; i++)
		for (r = buckets[i]; r; r = n) {
			n = r->next;
			r->next = list;
			list = r;
		}
	free(buckets);
	free(by_inside);
	buckets = nb;
	by_inside = ni;
	bits = nbits;
	for (r = list; r; r = n) {
		struct media_rec **b = &buckets[bucket_of(id_hash(r->fp.id))];
		n = r->next;
		r->next = *b;
		*b = r;
		if (r->open && !r->shadowed) {
			struct media_rec **in = &by_inside[bucket_of(inside_hash(&r->fp))];
			r->next_in = *in;
			*in = r;
		}
	}
	return 0;
}

int media_init(struct fw *f)
{
	fw = f;
	return buckets ? 0 : rehash(MEDIA_BITS_MIN);
}

static struct media_rec **slot(uint32_t id)
{
	struct media_rec **pp = &buckets[bucket_of(id_hash(id))];

	while (*pp && (*pp)->fp.id != id)
		pp = &(*pp)->next;
	return pp;
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

static void mark_closed(struct media_rec *r, uint64_t now_ms)
{
	if (!r->open)
		return;
	if (!r->shadowed)
		inside_unlink(r);
	r->open = 0;
	r->closed_ms = now_ms ? now_ms : 1;
	port_used[r->fp.public_port] = 0;
	nopen--;
}

int media_open(const struct alg_pinhole *p, const char *call_id, uint64_t now_ms)
{
	struct media_rec **pp, *r;

	(void)call_id;
	if (nrec >= 1u << bits && bits < MEDIA_BITS_MAX)
		rehash(bits + 1);
	pp = slot(p->id);
	r = *pp;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		*pp = r;
		nrec++;
	}
	mark_closed(r, now_ms); /* an id reused after close: start afresh */
	memset(&r->cnt, 0, sizeof(r->cnt));
	to_fw(p, &r->fp);
	r->open = 1;
	r->closed_ms = 0;
	port_used[r->fp.public_port] = 1;
	nopen++;
	struct media_rec **in = inside_slot(&r->fp);
	r->shadowed = *in != NULL;
	if (r->shadowed)
		return -EEXIST; /* the caller logs it; nothing queued */
	r->next_in = NULL;
	*in = r;
	dirty = 1;
	return fw ? fw_pinhole_add(fw, &r->fp) : 0;
}

int media_refresh(const struct alg_pinhole *p)
{
	struct media_rec *r = *slot(p->id);

	if (!r || !r->open)
		return -ENOENT;
	to_fw(p, &r->fp);
	if (r->shadowed)
		return 0;
	dirty = 1;
	return fw ? fw_pinhole_refresh(fw, &r->fp) : 0;
}

int media_close(const struct alg_pinhole *p, uint64_t now_ms)
{
	struct media_rec *r = *slot(p->id);
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
	struct media_rec *r = *inside_slot(p);

	if (!r || r->fp.public_port != p->public_port)
		return;
	if (moved(c, &r->cnt) && pc->seen)
		pc->seen(r->fp.id, pc->ctx);
	r->cnt = *c;
}

/* Forget records closed longer ago than the grace period. */
static void sweep(uint64_t now_ms)
{
	for (unsigned i = 0; i < 1u << bits; i++) {
		struct media_rec **pp = &buckets[i];
		while (*pp) {
			struct media_rec *r = *pp;
			if (!r->open && now_ms - r->closed_ms > CLOSED_GRACE_MS) {
				*pp = r->next;
				free(r);
				nrec--;
				continue;
			}
			pp = &r->next;
		}
	}
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
		struct media_rec **pp = slot(ids[i]), *r = *pp;
		if (!r)
			continue;
		if (sum) {
			read_counters(r);
			sum->pkts_in += r->cnt.pkts_in;
			sum->bytes_in += r->cnt.bytes_in;
			sum->pkts_out += r->cnt.pkts_out;
			sum->bytes_out += r->cnt.bytes_out;
		}
		if (!r->open) {
			*pp = r->next;
			free(r);
			nrec--;
		}
	}
}

int media_port_used(uint16_t port)
{
	return port_used[port];
}

int media_counters(uint32_t id, struct fw_counters *c)
{
	struct media_rec *r = *slot(id);

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
	for (unsigned i = 0; buckets && i < 1u << bits; i++)
		while (buckets[i]) {
			struct media_rec *r = buckets[i];
			buckets[i] = r->next;
			free(r);
		}
	free(buckets);
	free(by_inside);
	buckets = by_inside = NULL;
	bits = nrec = nopen = 0;
	memset(port_used, 0, sizeof(port_used));
}
