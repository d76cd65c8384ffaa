/* test_ipreasm.c - IP fragment reassembly (src/cli/ipreasm.h). */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "cli/ipreasm.h"

static uint8_t data[4000];

static void fill(void)
{
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
}

static struct ipr_key key(uint32_t id)
{
	struct ipr_key k;

	memset(&k, 0, sizeof(k));
	k.family = 4;
	k.proto = 17;
	k.src[0] = 10;
	k.dst[0] = 198;
	k.id = id;
	return k;
}

static int add(struct ipreasm *r, uint32_t id, uint32_t off, size_t len, int more, uint64_t tag,
	       uint64_t now, struct ipr_done *d)
{
	struct ipr_key k = key(id);
	struct ipr_frag f;

	memset(&f, 0, sizeof(f));
	f.data = data + off;
	f.len = len;
	f.off = off;
	f.more = more;
	f.tag = tag;
	f.mtu = len + 20;
	return ipr_add(r, &k, &f, now, d);
}

static void t_in_order(void)
{
	struct ipreasm *r = ipr_new();
	struct ipr_done d;

	fill();
	CHECK_EQ_INT(add(r, 1, 0, 1480, 1, 10, 0, &d), 0);
	CHECK_EQ_INT(add(r, 1, 1480, 520, 0, 11, 1, &d), 1);
	CHECK_EQ_INT(d.len, 2000);
	CHECK(!memcmp(d.data, data, 2000));
	CHECK_EQ_INT(d.ntags, 2);
	CHECK_EQ_INT(d.tags[0], 10);
	CHECK_EQ_INT(d.tags[1], 11);
	CHECK_EQ_INT(d.mtu, 1500);
	ipr_free(r);
}

static void t_out_of_order(void)
{
	struct ipreasm *r = ipr_new();
	struct ipr_done d;

	fill();
	CHECK_EQ_INT(add(r, 2, 2000, 100, 0, 1, 0, &d), 0);
	CHECK_EQ_INT(add(r, 2, 0, 1000, 1, 2, 0, &d), 0);
	CHECK_EQ_INT(ipr_expire(r, 0, &d), 0);
	CHECK_EQ_INT(add(r, 2, 1000, 1000, 1, 3, 0, &d), 1);
	CHECK_EQ_INT(d.len, 2100);
	CHECK(!memcmp(d.data, data, 2100));
	/* The slot is free again: the same ID starts a new datagram. */
	CHECK_EQ_INT(add(r, 2, 0, 8, 1, 4, 0, &d), 0);
	ipr_free(r);
}

static void t_overlap(void)
{
	struct ipreasm *r = ipr_new();
	struct ipr_done d;

	CHECK_EQ_INT(add(r, 3, 0, 1480, 1, 1, 0, &d), 0);
	CHECK_EQ_INT(add(r, 3, 1472, 100, 0, 2, 0, &d), IPR_EOVERLAP);
	CHECK_EQ_INT(d.ntags, 1); /* the held one, for the caller to release */
	CHECK_EQ_INT(d.tags[0], 1);
	ipr_free(r);
}

static void t_inconsistent(void)
{
	struct ipreasm *r = ipr_new();
	struct ipr_done d;

	/* A middle fragment must be a multiple of 8 octets (RFC 791). */
	CHECK_EQ_INT(add(r, 4, 0, 1001, 1, 1, 0, &d), IPR_EOVERLAP);
	/* Two different ends. */
	CHECK_EQ_INT(add(r, 5, 1000, 100, 0, 1, 0, &d), 0);
	CHECK_EQ_INT(add(r, 5, 2000, 100, 0, 2, 0, &d), IPR_EOVERLAP);
	/* Beyond 64 KiB. */
	CHECK_EQ_INT(add(r, 6, 65000, 1000, 0, 1, 0, &d), IPR_ETOOBIG);
	ipr_free(r);
}

static void t_timeout(void)
{
	struct ipreasm *r = ipr_new();
	struct ipr_done d;

	fill();
	CHECK_EQ_INT(add(r, 7, 0, 1480, 1, 42, 1000, &d), 0);
	CHECK_EQ_INT(ipr_expire(r, 1000 + IPR_TIMEOUT_MS, &d), 0);
	CHECK_EQ_INT(ipr_expire(r, 1001 + IPR_TIMEOUT_MS, &d), 1);
	CHECK_EQ_INT(d.ntags, 1);
	CHECK_EQ_INT(d.tags[0], 42);
	CHECK_EQ_INT(d.len, 1480); /* what arrived, for the report */
	CHECK_EQ_INT(d.contiguous, 1480);
	CHECK(!memcmp(d.data, data, 1480));
	CHECK_EQ_INT(ipr_expire(r, UINT64_MAX, &d), 0);
	ipr_free(r);
}

static void t_table_full(void)
{
	struct ipreasm *r = ipr_new();
	struct ipr_done d;

	for (uint32_t i = 0; i < IPR_MAX_DATAGRAMS; i++)
		CHECK_EQ_INT(add(r, 100 + i, 0, 8, 1, i, i, &d), 0);
	/* One more: the oldest (tag 0) is evicted, then the new one fits. */
	CHECK_EQ_INT(add(r, 999, 0, 8, 1, 77, 500, &d), IPR_EFULL);
	CHECK_EQ_INT(d.tags[0], 0);
	CHECK_EQ_INT(add(r, 999, 0, 8, 1, 77, 500, &d), 0);
	CHECK_EQ_INT(add(r, 999, 8, 8, 0, 78, 500, &d), 1);
	ipr_free(r);
}

static void t_families_apart(void)
{
	struct ipreasm *r = ipr_new();
	struct ipr_done d;
	struct ipr_key k6 = key(8);
	struct ipr_frag f;

	memset(&f, 0, sizeof(f));
	fill();
	k6.family = 6;
	CHECK_EQ_INT(add(r, 8, 0, 16, 1, 1, 0, &d), 0);
	f.data = data + 16;
	f.len = 16;
	f.off = 16;
	f.tag = 2;
	/* Same ID and address bytes, other family: not the same datagram. */
	CHECK_EQ_INT(ipr_add(r, &k6, &f, 0, &d), 0);
	CHECK_EQ_INT(add(r, 8, 16, 16, 0, 3, 0, &d), 1);
	CHECK_EQ_INT(d.ntags, 2);
	ipr_free(r);
}

static void t_hole(void)
{
	struct ipreasm *r = ipr_new();
	struct ipr_done d;

	CHECK_EQ_INT(add(r, 9, 0, 1480, 1, 1, 0, &d), 0);
	CHECK_EQ_INT(add(r, 9, 2000, 100, 0, 2, 0, &d), 0);
	CHECK_EQ_INT(ipr_expire(r, UINT64_MAX, &d), 1);
	CHECK_EQ_INT(d.len, 2100);
	CHECK_EQ_INT(d.contiguous, 1480); /* the hole's bytes are not data */
	ipr_free(r);
}

static const struct check_case cases[] = {
	{ "a hole: only the prefix is data", t_hole },
	{ "in order", t_in_order },
	{ "out of order", t_out_of_order },
	{ "overlap discards", t_overlap },
	{ "inconsistent fragments", t_inconsistent },
	{ "timeout hands back the partial datagram", t_timeout },
	{ "table full evicts the oldest", t_table_full },
	{ "IPv4 and IPv6 keys apart", t_families_apart },
	{ 0 },
};

int main(void)
{
	return check_run("ipreasm", cases);
}
