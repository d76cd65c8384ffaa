/*
 * fw_dump.c - every pinhole's counters in two netlink dumps:
 *   list map ip sipalg media_dnat   (PUBLIC . PPORT : INSIDE . IPORT, inbound counter)
 *   list map ip sipalg media_snat   (INSIDE . IPORT : PUBLIC . PPORT, outbound counter)
 * joined on the public port (one public address: the port is the key).
 *
 * Memory: a 64 Ki-entry table (one slot per public port, ~1.5 MiB) lives
 * for the duration of one call.  Returns the number of pinholes or -errno.
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

/* What media_dnat says about one public port. */
struct fw_slot {
	struct fw_key inside;
	uint64_t pkts, bytes, timeout_ms;
	uint8_t seen;   /* 1: in media_dnat; 2: also matched in media_snat */
};

struct fw_elem {
	struct fw_key key, data;
	uint64_t pkts, bytes, timeout_ms;
	int has_key, has_data;
};

struct fw_dump {
	struct fw_slot *slot; /* [FW_PORTS], by public port (host order) */
	void (*cb)(void *ctx, const struct fw_pinhole *p, const struct fw_counters *c);
	void *ctx;
	int dnat;             /* which map this dump reads */
	int count;
};

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

/* media_dnat elements fill the slots; media_snat elements are emitted,
 * joined with their slot when the inside endpoint matches. */
static void take(struct fw_dump *d, const struct fw_elem *e)
{
	struct fw_counters c = { 0 };
	struct fw_slot *s;

	if (!e->has_key || !e->has_data)
		return;
	if (d->dnat) {
		s = &d->slot[ntohs(e->key.port)];
		s->inside = e->data;
		s->pkts = e->pkts;
		s->bytes = e->bytes;
		s->timeout_ms = e->timeout_ms;
		s->seen = 1;
		return;
	}
	s = &d->slot[ntohs(e->data.port)];
	if (s->seen && s->inside.addr == e->key.addr && s->inside.port == e->key.port) {
		c.pkts_in = s->pkts;
		c.bytes_in = s->bytes;
		s->seen = 2;
	}
	c.pkts_out = e->pkts;
	c.bytes_out = e->bytes;
	emit(d, &e->key, ntohs(e->data.port), &c, e->timeout_ms);
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

/* `list map ip sipalg MAP`, as a netlink dump. */
static int dump_map(struct fw *fw, struct fw_dump *d, const char *map)
{
	char buf[FW_NL_BUF];
	uint32_t seq = fw->seq++;
	struct nlmsghdr *nlh;
	ssize_t n;
	int ret;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_IPV4, NLM_F_DUMP, seq);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, FW_TABLE);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, map);
	if (mnl_socket_sendto(fw->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(fw->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, seq, fw->portid, elems_cb, d);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

int fw_counters_dump(struct fw *fw,
		     void (*cb)(void *ctx, const struct fw_pinhole *p, const struct fw_counters *c),
		     void *ctx)
{
	struct fw_dump d = { .cb = cb, .ctx = ctx, .dnat = 1 };
	struct fw_counters c;
	unsigned port;
	int err;

	if (fw->no_counters)
		return -EOPNOTSUPP;
	d.slot = calloc(FW_PORTS, sizeof(*d.slot));
	if (!d.slot)
		return -ENOMEM;
	err = dump_map(fw, &d, FW_MAP_DNAT);
	d.dnat = 0;
	if (!err)
		err = dump_map(fw, &d, FW_MAP_SNAT);
	/* Inbound-only leftovers: the media_snat element is already gone. */
	for (port = 0; port < FW_PORTS && !err; port++) {
		if (d.slot[port].seen != 1)
			continue;
		memset(&c, 0, sizeof(c));
		c.pkts_in = d.slot[port].pkts;
		c.bytes_in = d.slot[port].bytes;
		emit(&d, &d.slot[port].inside, (uint16_t)port, &c, d.slot[port].timeout_ms);
	}
	free(d.slot);
	return err ? err : d.count;
}
