/*
 * test_daemon_media.c - src/daemon/media.c without a firewall (fw NULL):
 * its record store and its two open-addressing indexes (by pinhole id, by
 * inside endpoint) against a plain model, through random opens, refreshes,
 * closes and call records, across several index growths.
 */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "daemon/media.h"

/* media.c calls these only with a firewall; none here. */
int fw_pinhole_add(struct fw *f, const struct fw_pinhole *p)
{
	(void)f, (void)p;
	return -ENOSYS;
}

int fw_pinhole_refresh(struct fw *f, const struct fw_pinhole *p)
{
	(void)f, (void)p;
	return -ENOSYS;
}

int fw_pinhole_del(struct fw *f, const struct fw_pinhole *p)
{
	(void)f, (void)p;
	return -ENOSYS;
}

int fw_commit(struct fw *f)
{
	(void)f;
	return -ENOSYS;
}

int fw_pinhole_counters(struct fw *f, const struct fw_pinhole *p, struct fw_counters *c)
{
	(void)f, (void)p, (void)c;
	return -ENOSYS;
}

int fw_counters_dump(struct fw *f,
		     void (*cb)(void *ctx, const struct fw_pinhole *p, const struct fw_counters *c),
		     void *ctx)
{
	(void)f, (void)cb, (void)ctx;
	return -ENOSYS;
}

static struct alg_pinhole pin(uint32_t id, uint16_t inside_port, uint16_t public_port)
{
	struct alg_pinhole p = { .id = id, .timeout_ms = 1000 };

	p.inside_ep.family = p.public_ep.family = 4;
	p.inside_ep.ip[0] = 192, p.inside_ep.ip[1] = 168, p.inside_ep.ip[3] = 10;
	p.inside_ep.port = inside_port;
	p.public_ep.port = public_port;
	return p;
}

static void t_shadow(void)
{
	struct alg_pinhole a = pin(1u << 24, 6000, 40000), b = pin(2u << 24, 6000, 40002);
	struct fw_counters c;

	CHECK_EQ_INT(media_init(NULL), 0);
	CHECK_EQ_INT(media_open(&a, "x", 1), 0);
	CHECK_EQ_INT(media_open(&b, "y", 1), -EEXIST); /* same inside endpoint */
	CHECK_EQ_INT(media_open_count(), 2);
	CHECK(media_port_used(40000) && media_port_used(40002));
	CHECK_EQ_INT(media_close(&a, 2), 0);
	CHECK(!media_port_used(40000));
	CHECK_EQ_INT(media_counters(a.id, &c), 0); /* kept for the call record */
	media_totals(&a.id, 1, NULL);
	CHECK_EQ_INT(media_counters(a.id, &c), -ENOENT);
	/* The endpoint is free again: a new pinhole for it is installed. */
	a.id = 3u << 24;
	CHECK_EQ_INT(media_open(&a, "z", 3), 0);
	CHECK_EQ_INT(media_refresh(&a), 0);
	CHECK_EQ_INT(media_refresh(&(struct alg_pinhole){ .id = 99 }), -ENOENT);
	media_fini();
	CHECK_EQ_INT(media_open_count(), 0);
}

#define N_IDS 20000
#define N_PORTS 3000 /* inside ports: many pinholes share one */

static struct {
	uint8_t exists, open, installed;
	uint16_t iport;
} model[N_IDS];
static uint32_t owner[N_PORTS]; /* inside port -> installed id + 1 */

static uint32_t id_of(uint32_t k)
{
	/* The engine's layout: generation in the top byte, slot below. */
	return (k % 251 + 1) << 24 | (k / 251) << 5;
}

static void model_close(uint32_t k)
{
	if (!model[k].open)
		return;
	if (model[k].installed)
		owner[model[k].iport] = 0;
	model[k].open = model[k].installed = 0;
}

static int step(uint32_t k, unsigned op, uint64_t now)
{
	struct alg_pinhole p = pin(id_of(k), (uint16_t)(10000 + model[k].iport),
				   (uint16_t)(20000 + k));
	struct fw_counters c;
	int rc;

	switch (op) {
	case 0: case 1: case 2: /* open (again) */
		model_close(k);
		model[k].iport = (uint16_t)(rand() % N_PORTS);
		p.inside_ep.port = (uint16_t)(10000 + model[k].iport);
		rc = media_open(&p, "c", now);
		model[k].exists = model[k].open = 1;
		model[k].installed = !owner[model[k].iport];
		if (model[k].installed)
			owner[model[k].iport] = k + 1;
		return rc == (model[k].installed ? 0 : -EEXIST);
	case 3: /* close */
		rc = media_close(&p, now);
		model_close(k);
		return rc == 0;
	case 4: /* refresh */
		rc = media_refresh(&p);
		return rc == (model[k].open ? 0 : -ENOENT);
	default: /* the call record: forgets a closed one */
		media_totals(&p.id, 1, NULL);
		if (!model[k].open)
			model[k].exists = 0;
		return media_counters(p.id, &c) == (model[k].exists ? 0 : -ENOENT);
	}
}

static void t_random_vs_model(void)
{
	unsigned open = 0, bad = 0;

	srand(7);
	CHECK_EQ_INT(media_init(NULL), 0);
	for (unsigned i = 0; i < 400000 && !bad; i++) {
		/* A growing live set first, then churn. */
		uint32_t k = (uint32_t)rand() % (i < 100000 ? i / 5 + 1 : N_IDS);
		if (!step(k, (unsigned)rand() % (i < 100000 ? 3 : 6), i + 1))
			bad = i + 1;
	}
	CHECK_EQ_INT(bad, 0);
	for (uint32_t k = 0; k < N_IDS; k++)
		open += model[k].open;
	CHECK_EQ_INT(media_open_count(), open);
	for (uint32_t k = 0; k < N_IDS; k++) {
		CHECK_EQ_INT(media_port_used((uint16_t)(20000 + k)), model[k].open);
		if (model[k].open) {
			struct alg_pinhole p = pin(id_of(k), (uint16_t)(10000 + model[k].iport),
						   (uint16_t)(20000 + k));
			CHECK_EQ_INT(media_close(&p, 1), 0);
		}
	}
	CHECK_EQ_INT(media_open_count(), 0);
	media_fini();
}

static const struct check_case cases[] = {
	{ "shadow_close_reuse", t_shadow },
	{ "random_vs_model", t_random_vs_model },
	{ 0 },
};

int main(void)
{
	return check_run("daemon_media", cases);
}
