/*
 * fw_dump.c - every pinhole's counters in four netlink dumps:
 *   list map ip sipalg media_dnat    (PUBLIC . PPORT : INSIDE . IPORT)
 *   list map ip sipalg media_snat    (INSIDE . IPORT : PUBLIC . PPORT)
 *   list set ip sipalg media_cnt_in  (PUBLIC . PPORT, inbound counter)
 *   list set ip sipalg media_cnt_out (INSIDE . IPORT, outbound counter)
 * joined on the public port (one public address: the port is the key);
 * an inside endpoint finds its public port through media_snat.
 *
 * Memory: a 64 Ki-entry table (one slot per public port) and a 64 Ki-entry
 * index by inside endpoint live for the duration of one call (~2.5 MiB).
 * Returns the number of pinholes or -errno.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "daemon/fw_int.h"

#define FW_PORTS 65536

/* What the maps and counter sets say about one public port. */
struct fw_slot {
	struct fw_key inside;
	uint64_t timeout_ms;
	struct fw_counters c;
	uint8_t seen;   /* 1: in media_dnat; 2: in media_snat; 3: both */
};

/* Inside endpoint -> public port (open addressing, from media_snat). */
struct fw_idx {
	struct fw_key inside;
	uint16_t pport;
	uint8_t used;
};

struct fw_elem {
	struct fw_key key, data;
	uint64_t pkts, bytes, timeout_ms;
	int has_key, has_data;
};

enum fw_dump_what { FW_D_DNAT, FW_D_SNAT, FW_D_CNT_IN, FW_D_CNT_OUT };

struct fw_dump {
	struct fw_slot *slot; /* [FW_PORTS], by public port (host order) */
	struct fw_idx *idx;   /* [FW_PORTS] */
	void (*cb)(void *ctx, const struct fw_pinhole *p, const struct fw_counters *c);
	void *ctx;
	enum fw_dump_what what; /* which map or set this dump reads */
	int count;
};

static struct fw_idx *idx_slot(struct fw_idx *idx, const struct fw_key *k)
{
	uint32_t h = ((k->addr ^ (uint32_t)k->port * 2654435761u) * 2246822519u) >> 16;

	for (unsigned n = 0; n < FW_PORTS; n++, h = (h + 1) & (FW_PORTS - 1))
		if (!idx[h].used || (idx[h].inside.addr == k->addr && idx[h].inside.port == k->port))
			return &idx[h];
	return NULL;
}

static void get_value(const struct nlattr *nest, struct fw_key *k, int *ok)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == NFTA_DATA_VALUE &&
		    mnl_attr_get_payload_len(a) == sizeof(*k)) {
			memcpy(k, mnl_attr_get_payload(a), sizeof(*k));
			*ok = 1;
		}
	}
}

static void parse_elem(const struct nlattr *elem, struct fw_elem *e)
{
	const struct nlattr *a;

	memset(e, 0, sizeof(*e));
	mnl_attr_for_each_nested(a, elem) {
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_KEY)
			get_value(a, &e->key, &e->has_key);
		else if (mnl_attr_get_type(a) == NFTA_SET_ELEM_DATA)
			get_value(a, &e->data, &e->has_data);
		else if (mnl_attr_get_type(a) == NFTA_SET_ELEM_TIMEOUT)
			e->timeout_ms = be64toh(mnl_attr_get_u64(a));
	}
	fw_elem_counter(elem, &e->pkts, &e->bytes);
}

static void emit(struct fw_dump *d, const struct fw_key *inside, uint16_t pport,
		 const struct fw_counters *c, uint64_t timeout_ms)
{
	struct fw_pinhole p = { .id = 0 };

	p.inside_addr.s_addr = inside->addr;
	p.inside_port = ntohs(inside->port);
	p.public_port = pport;
	p.timeout_ms = timeout_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)timeout_ms;
	d->cb(d->ctx, &p, c);
	d->count++;
}

static void take_map(struct fw_dump *d, const struct fw_elem *e)
{
	const struct fw_key *in = d->what == FW_D_DNAT ? &e->data : &e->key;
	uint16_t pport = ntohs(d->what == FW_D_DNAT ? e->key.port : e->data.port);
	struct fw_slot *s = &d->slot[pport];
	struct fw_idx *x;

	if (!e->has_key || !e->has_data)
		return;
	if (d->what == FW_D_SNAT && s->seen &&
	    (s->inside.addr != in->addr || s->inside.port != in->port))
		return; /* another inside endpoint: not this pinhole */
	s->inside = *in;
	s->timeout_ms = e->timeout_ms;
	s->seen |= d->what == FW_D_DNAT ? 1 : 2;
	if (d->what == FW_D_SNAT && (x = idx_slot(d->idx, in))) {
		x->inside = *in;
		x->pport = pport;
		x->used = 1;
	}
}

/* media_dnat and media_snat fill the slots and the index; the counter
 * sets add their counts. */
static void take(struct fw_dump *d, const struct fw_elem *e)
{
	struct fw_idx *x;

	if (d->what == FW_D_DNAT || d->what == FW_D_SNAT) {
		take_map(d, e);
		return;
	}
	if (!e->has_key)
		return;
	if (d->what == FW_D_CNT_IN) {
		struct fw_slot *s = &d->slot[ntohs(e->key.port)];
		s->c.pkts_in = e->pkts;
		s->c.bytes_in = e->bytes;
		return;
	}
	x = idx_slot(d->idx, &e->key);
	if (x && x->used) {
		d->slot[x->pport].c.pkts_out = e->pkts;
		d->slot[x->pport].c.bytes_out = e->bytes;
	}
}

static int elems_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fw_dump *d = data;
	const struct nlattr *a, *el;
	struct fw_elem e;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(el, a) {
			parse_elem(el, &e);
			take(d, &e);
		}
	}
	return MNL_CB_OK;
}

/* `list map ip sipalg MAP` (or set), as a netlink dump. */
static int dump_map(struct fw *fw, struct fw_dump *d, const char *map)
{
	char buf[FW_NL_BUF];
	uint32_t seq = fw->seq++;
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_IPV4, NLM_F_DUMP, seq);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, FW_TABLE);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, map);
	fw->nl_clean = 0;
	return fw_nl_talk(fw->nl, nlh, elems_cb, d);
}

int fw_counters_dump(struct fw *fw,
		     void (*cb)(void *ctx, const struct fw_pinhole *p, const struct fw_counters *c),
		     void *ctx)
{
	static const char *const sets[] = { FW_MAP_DNAT, FW_MAP_SNAT, FW_SET_CNT_IN, FW_SET_CNT_OUT };
	struct fw_dump d = { .cb = cb, .ctx = ctx };
	unsigned port;
	int err = 0;

	if (fw->no_counters)
		return -EOPNOTSUPP;
	d.slot = calloc(FW_PORTS, sizeof(*d.slot));
	d.idx = calloc(FW_PORTS, sizeof(*d.idx));
	if (!d.slot || !d.idx) {
		err = -ENOMEM;
		goto out;
	}
	for (d.what = FW_D_DNAT; d.what <= FW_D_CNT_OUT && !err; d.what++)
		err = dump_map(fw, &d, sets[d.what]);
	for (port = 0; port < FW_PORTS && !err; port++)
		if (d.slot[port].seen)
			emit(&d, &d.slot[port].inside, (uint16_t)port, &d.slot[port].c,
			     d.slot[port].timeout_ms);
out:
	free(d.slot);
	free(d.idx);
	return err ? err : d.count;
}
