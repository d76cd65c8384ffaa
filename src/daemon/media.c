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
 */
#include "daemon/media.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"

#define MEDIA_BUCKETS 4096u /* 2^12: bucket = top 12 bits of a 32-bit hash */
#define BUCKET(h) (((uint32_t)(h)) >> 20)
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
static struct media_rec *buckets[MEDIA_BUCKETS];
static unsigned nopen;
static int dirty; /* changes queued since the last commit */
static uint8_t port_used[65536];

static struct media_rec *by_inside[MEDIA_BUCKETS];

static struct media_rec **inside_slot(const struct fw_pinhole *fp)
{
	uint32_t h = (fp->inside_addr.s_addr ^ (uint32_t)fp->inside_port * 2654435761u) *
		     2246822519u;
	struct media_rec **pp = &by_inside[BUCKET(h)];

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

int media_init(struct fw *f)
{
	fw = f;
	return 0;
}

static struct media_rec **slot(uint32_t id)
{
	/* Multiplicative hash, top bits: engine ids differ mostly in high bits. */
	struct media_rec **pp = &buckets[BUCKET(id * 2654435761u)];

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
	struct media_rec **pp = slot(p->id), *r = *pp;

	(void)call_id;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return -ENOMEM;
		*pp = r;
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
	/* Last counters before the element disappears, for the call record. */
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

void media_poll(uint64_t now_ms, void (*seen)(uint32_t id, void *ctx), void *ctx)
{
	struct fw_counters c;

	for (unsigned i = 0; i < MEDIA_BUCKETS; i++) {
		struct media_rec **pp = &buckets[i];
		while (*pp) {
			struct media_rec *r = *pp;
			if (!r->open && now_ms - r->closed_ms > CLOSED_GRACE_MS) {
				*pp = r->next;
				free(r);
				continue;
			}
			if (r->open && !r->shadowed && fw && !fw_pinhole_counters(fw, &r->fp, &c)) {
				if (moved(&c, &r->cnt) && seen)
					seen(r->fp.id, ctx);
				r->cnt = c;
			}
			pp = &r->next;
		}
	}
}

void media_totals(const uint32_t *ids, unsigned n, struct fw_counters *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned i = 0; i < n; i++) {
		struct media_rec **pp = slot(ids[i]), *r = *pp;
		if (!r)
			continue;
		read_counters(r);
		sum->pkts_in += r->cnt.pkts_in;
		sum->bytes_in += r->cnt.bytes_in;
		sum->pkts_out += r->cnt.pkts_out;
		sum->bytes_out += r->cnt.bytes_out;
		if (!r->open) {
			*pp = r->next;
			free(r);
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
	for (unsigned i = 0; i < MEDIA_BUCKETS; i++)
		while (buckets[i]) {
			struct media_rec *r = buckets[i];
			buckets[i] = r->next;
			free(r);
		}
	nopen = 0;
	memset(port_used, 0, sizeof(port_used));
	memset(by_inside, 0, sizeof(by_inside));
}
