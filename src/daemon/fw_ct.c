/*
 * fw_ct.c - flushing the conntrack entries that a new pinhole would
 * otherwise never see.
 *
 * NAT (our maps in pre_nat/post_nat, and the router's masquerade) is
 * decided on a flow's first packet only.  A phone often sends its first
 * RTCP/RTP packet a fraction of a millisecond before its 200 OK, so before
 * the daemon adds the pinhole: that flow is masqueraded (to a port other
 * than the pinhole's public port), and a packet from the far end to the
 * public port before the pinhole exists makes an un-NATed entry.  Both
 * entries then outlive the pinhole's creation and media goes the wrong way
 * until they time out.  So after the maps accept the new pinholes we
 * delete, for each fresh add, the UDP entries whose
 *   original source is INSIDE:IPORT, unless their reply already goes to
 *   PUBLIC:PPORT (NATed by this pinhole), or whose
 *   original destination is PUBLIC:PPORT, unless their reply already comes
 *   from INSIDE:IPORT (DNATed by this pinhole);
 * the next packet makes a new entry that goes through the maps.
 * Refreshes flush nothing: their flows already use the maps.
 *
 * Cost: the other end's address is unknown here, so no entry can be looked
 * up by its exact tuple.  A kernel-side filtered delete (CTA_FILTER on
 * IPCTNL_MSG_CT_DELETE) walks the whole conntrack hash (262,144 buckets
 * here) per message, two per pinhole; instead fw_commit() calls us once
 * per commit: one dump of the UDP entries (filtered in the kernel), matched
 * here against a hash of the commit's fresh adds, then one delete by exact
 * tuple and id per match, sent in chunks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "daemon/fw_int.h"

/* Deletes sent per sendmsg(); their error replies (ENOENT when an entry
 * expired meanwhile) must fit the socket's receive buffer. */
#define FW_CT_CHUNK 16384

/* The kernel's CTA_FILTER_F_CTA_PROTO_NUM (nf_conntrack_netlink.c; not in
 * the uapi headers): match the original tuple's protocol only. */
#define FW_CTA_FILTER_F_PROTO_NUM (1U << 3)

/* The fresh adds of one commit, by inside address:port and by public port
 * (open addressing; slots hold an index into ops, plus one). */
struct ct_index {
	const struct fw_op *ops;
	uint32_t *by_inside, *by_public;
	size_t mask;
	struct in_addr public_addr;
	struct fw_buf del; /* the delete messages */
	uint32_t seq;
	int err;
};

struct ct_tuple {
	uint32_t src, dst;     /* network order */
	uint16_t sport, dport; /* network order */
	uint8_t proto;
};

static size_t hash_key(uint32_t addr, uint16_t port, size_t mask)
{
	uint64_t h = ((uint64_t)addr << 16 | port) * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 32) & mask;
}

static void index_put(struct ct_index *ix, uint32_t *tab, uint32_t addr, uint16_t port, size_t i)
{
	size_t h = hash_key(addr, port, ix->mask);

	while (tab[h])
		h = (h + 1) & ix->mask;
	tab[h] = (uint32_t)i + 1;
}

static const struct fw_op *lookup(const struct ct_index *ix, const uint32_t *tab, uint32_t addr,
				  uint16_t port, int inside)
{
	size_t h = hash_key(addr, port, ix->mask);

	for (; tab[h]; h = (h + 1) & ix->mask) {
		const struct fw_op *op = &ix->ops[tab[h] - 1];

		if (inside && op->p.inside_addr.s_addr == addr && htons(op->p.inside_port) == port)
			return op;
		if (!inside && htons(op->p.public_port) == port)
			return op;
	}
	return NULL;
}

/* Returns the number of fresh adds indexed, or -ENOMEM. */
static int index_build(struct ct_index *ix, const struct fw_op *ops, size_t n)
{
	size_t i, fresh = 0, size = 16;

	for (i = 0; i < n; i++)
		fresh += ops[i].kind == FW_OP_ADD && ops[i].fresh;
	if (!fresh)
		return 0;
	while (size < 2 * fresh)
		size *= 2;
	ix->mask = size - 1;
	ix->by_inside = calloc(size, sizeof(uint32_t));
	ix->by_public = calloc(size, sizeof(uint32_t));
	if (!ix->by_inside || !ix->by_public)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct fw_pinhole *p = &ops[i].p;

		if (ops[i].kind != FW_OP_ADD || !ops[i].fresh)
			continue;
		index_put(ix, ix->by_inside, p->inside_addr.s_addr, htons(p->inside_port), i);
		index_put(ix, ix->by_public, ix->public_addr.s_addr, htons(p->public_port), i);
	}
	return (int)fresh;
}

/* ---- parsing dumped entries --------------------------------------------- */

static void parse_tuple(const struct nlattr *t, struct ct_tuple *out)
{
	const struct nlattr *a, *b;

	mnl_attr_for_each_nested(a, t) {
		mnl_attr_for_each_nested(b, a) {
			uint16_t type = mnl_attr_get_type(b);

			if (mnl_attr_get_type(a) == CTA_TUPLE_IP && type == CTA_IP_V4_SRC)
				out->src = mnl_attr_get_u32(b);
			else if (mnl_attr_get_type(a) == CTA_TUPLE_IP && type == CTA_IP_V4_DST)
				out->dst = mnl_attr_get_u32(b);
			else if (mnl_attr_get_type(a) != CTA_TUPLE_PROTO)
				continue;
			else if (type == CTA_PROTO_NUM)
				out->proto = mnl_attr_get_u8(b);
			else if (type == CTA_PROTO_SRC_PORT)
				out->sport = mnl_attr_get_u16(b);
			else if (type == CTA_PROTO_DST_PORT)
				out->dport = mnl_attr_get_u16(b);
		}
	}
}

/*
 * Whether the entry (orig, reply) predates the pinhole it collides with.
 * For one pinhole INSIDE:IPORT <-> PUBLIC:PPORT this is
 *   conntrack -D -p udp -s INSIDE --sport IPORT
 *     unless its reply has --reply-dst PUBLIC --reply-port-dst PPORT
 *   conntrack -D -p udp -d PUBLIC --dport PPORT
 *     unless its reply has --reply-src INSIDE --reply-port-src IPORT
 * (the CLI has no "unless": we check the reply tuple here).
 */
static int stale(const struct ct_index *ix, const struct ct_tuple *o, const struct ct_tuple *r)
{
	const struct fw_op *op;

	if (o->proto != IPPROTO_UDP)
		return 0;
	op = lookup(ix, ix->by_inside, o->src, o->sport, 1);
	if (op && !(r->dst == ix->public_addr.s_addr && r->dport == htons(op->p.public_port)))
		return 1;
	if (o->dst != ix->public_addr.s_addr)
		return 0;
	op = lookup(ix, ix->by_public, o->dst, o->dport, 0);
	return op && !(r->src == op->p.inside_addr.s_addr && r->sport == htons(op->p.inside_port));
}

static struct nlmsghdr *ct_msg(char *buf, uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (uint16_t)(NFNL_SUBSYS_CTNETLINK << 8 | type);
	nlh->nlmsg_flags = (uint16_t)(NLM_F_REQUEST | flags);
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_INET;
	g->version = NFNETLINK_V0;
	g->res_id = 0;
	return nlh;
}

/* Appends `conntrack -D` of this exact entry: its original tuple, its
 * zone and its id (so a newer entry with the same tuple survives). */
static void queue_delete(struct ct_index *ix, const struct nlattr *orig, const struct nlattr *zone,
			 const struct nlattr *id)
{
	struct nlmsghdr *nlh;

	if (fw_buf_reserve(&ix->del, 256 + mnl_attr_get_payload_len(orig))) {
		ix->err = -ENOMEM;
		return;
	}
	nlh = ct_msg(ix->del.p + ix->del.len, IPCTNL_MSG_CT_DELETE, 0, ix->seq++);
	mnl_attr_put(nlh, CTA_TUPLE_ORIG | NLA_F_NESTED, mnl_attr_get_payload_len(orig),
		     mnl_attr_get_payload(orig));
	if (zone)
		mnl_attr_put_u16(nlh, CTA_ZONE, mnl_attr_get_u16(zone));
	if (id)
		mnl_attr_put_u32(nlh, CTA_ID, mnl_attr_get_u32(id));
	ix->del.len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static int entry_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *orig = NULL, *reply = NULL, *zone = NULL, *id = NULL;
	struct ct_tuple o = { 0 }, r = { 0 };
	struct ct_index *ix = data;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		switch (mnl_attr_get_type(a)) {
		case CTA_TUPLE_ORIG:
			orig = a;
			break;
		case CTA_TUPLE_REPLY:
			reply = a;
			break;
		case CTA_ZONE:
			zone = a;
			break;
		case CTA_ID:
			id = a;
			break;
		}
	}
	if (!orig || !reply)
		return MNL_CB_OK;
	parse_tuple(orig, &o);
	parse_tuple(reply, &r);
	if (stale(ix, &o, &r))
		queue_delete(ix, orig, zone, id);
	return MNL_CB_OK;
}

/* ---- the dump and the deletes -------------------------------------------- */

/* `conntrack -L -p udp`, filtered in the kernel (CTA_FILTER, >= 5.8). */
static int dump_udp(struct fw *fw, struct ct_index *ix)
{
	char buf[FW_NL_BUF];
	uint32_t seq = fw->seq++;
	struct nlmsghdr *nlh = ct_msg(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, seq);
	struct nlattr *t, *p, *f;
	int ret;

	t = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	p = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_UDP);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, t);
	f = mnl_attr_nest_start(nlh, CTA_FILTER);
	mnl_attr_put_u32(nlh, CTA_FILTER_ORIG_FLAGS, FW_CTA_FILTER_F_PROTO_NUM);
	mnl_attr_put_u32(nlh, CTA_FILTER_REPLY_FLAGS, 0);
	mnl_attr_nest_end(nlh, f);
	fw->nl_clean = 0;
	ret = fw_nl_talk(fw->nl, nlh, entry_cb, ix);
	return ret < 0 ? ret : ix->err;
}

/* Empties our receive queue: ctnetlink handles each message inside
 * sendmsg(), so every error reply is already there.  ENOENT (the entry
 * expired or was replaced meanwhile) is what we wanted anyway. */
static void drain(struct fw *fw)
{
	char buf[FW_NL_BUF];

	while (recv(mnl_socket_get_fd(fw->nl), buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

/* Returns the number of delete messages sent, or -errno. */
static int send_deletes(struct fw *fw, struct ct_index *ix)
{
	size_t off = 0, end;
	int count = 0;

	while (off < ix->del.len) {
		end = off;
		while (end < ix->del.len && end - off < FW_CT_CHUNK) {
			uint32_t len; /* nlmsg_len, the header's first field */

			memcpy(&len, ix->del.p + end, sizeof(len));
			end += NLMSG_ALIGN(len);
			count++;
		}
		fw->nl_clean = 0;
		if (mnl_socket_sendto(fw->nl, ix->del.p + off, end - off) < 0)
			return -errno;
		drain(fw);
		off = end;
	}
	return count;
}

int fw_ct_flush(struct fw *fw, const struct fw_op *ops, size_t n)
{
	struct ct_index ix = {.ops = ops, .public_addr = fw->cfg.public_addr};
	int err;

	err = index_build(&ix, ops, n);
	if (err > 0) {
		ix.seq = fw->seq + 1; /* the dump takes fw->seq */
		drain(fw);
		err = dump_udp(fw, &ix);
		fw->seq = ix.seq;
	}
	if (err == 0 && ix.del.len)
		err = send_deletes(fw, &ix);
	if (err > 0)
		fw_log(fw, LOG_INFO, "event=fw_ct_flush deleted=%d", err);
	free(ix.by_inside);
	free(ix.by_public);
	free(ix.del.p);
	return err;
}
