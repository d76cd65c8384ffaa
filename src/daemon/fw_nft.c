/*
 * fw_nft.c - sipalgd's nftables table, built with libnftnl and sent over
 * libmnl in netlink batches (libnftables is avoided: it exits the process
 * when memory runs out).  Owns fw_open()/fw_close() and the batch plumbing
 * that fw_pinhole.c uses.
 *
 * The whole ruleset (docs/dataplane.md shows it as `nft list` prints it):
 *
 *   table ip sipalg {
 *     map media_dnat { type ipv4_addr . inet_service : ipv4_addr . inet_service
 *                      flags timeout }
 *     map media_snat { (the same) }
 *     set media_cnt_in  { type ipv4_addr . inet_service; size 65536;
 *                         flags dynamic,timeout; counter; timeout 1h }
 *     set media_cnt_out { (the same) }
 *     chain divert   { type filter hook prerouting priority mangle; policy accept;
 *                      (tcp_transparent, tproxy, count_in and count_out rules) }
 *     chain pre_nat  { type nat hook prerouting priority dstnat - 1; policy accept;
 *                      (media_dnat rule) }
 *     chain post_nat { type nat hook postrouting priority srcnat - 1; policy accept;
 *                      (media_snat rule) }
 *   }
 *
 * There is no forward chain: an accept in our table cannot override a drop
 * in another table, so it would only cost every forwarded packet one more
 * hook.  A router whose forward policy drops must accept `ct status dnat`.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <netinet/in.h>

#include "daemon/fw_int.h"

#define FW_SET_ID_DNAT 1
#define FW_SET_ID_SNAT 2
#define FW_SET_ID_CNT_IN 3
#define FW_SET_ID_CNT_OUT 4
/* A counter element lives while packets keep coming, and is deleted with
 * its pinhole; an hour of silence means a pinhole long gone (media
 * timeouts are minutes), so a missed delete cannot leak for long. */
#define FW_CNT_TIMEOUT_MS 3600000ULL
#define FW_CNT_SIZE 65536
/* nft's concatenated type id for `ipv4_addr . inet_service` (7 << 6 | 13). */
#define FW_TYPE_ADDR_PORT ((7U << 6) | 13U)
#define FW_SOCK_BUF (8U << 20)
/* Hook priorities, as named by nft. */
#define FW_PRIO_MANGLE (-150)
#define FW_PRIO_DSTNAT (-100)
#define FW_PRIO_SRCNAT 100

void fw_log(const struct fw *fw, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!fw->cfg.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fw->cfg.log(fw->cfg.log_ctx, level, msg);
}

/* ---- batches ------------------------------------------------------------ */

int fw_buf_reserve(struct fw_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 1U << 16;
	char *p;

	if (b->len + more <= b->cap)
		return 0;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

/* Callers reserve room first (fw_buf_reserve); batch markers are tiny. */
void fw_batch_begin(struct fw *fw)
{
	fw->buf.len = 0;
	struct nlmsghdr *nlh = nftnl_batch_begin(fw->buf.p, fw->seq++);

	fw->buf.len = NLMSG_ALIGN(nlh->nlmsg_len);
}

void fw_batch_end(struct fw *fw)
{
	struct nlmsghdr *nlh = nftnl_batch_end(fw->buf.p + fw->buf.len, fw->seq++);

	fw->buf.len += NLMSG_ALIGN(nlh->nlmsg_len);
}

int fw_nl_talk(struct mnl_socket *nl, const struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[FW_NL_BUF];
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, cb, data);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

/*
 * Read the replies already queued for us.  nfnetlink handles a batch
 * synchronously inside sendmsg(), so by the time it returns every error
 * (and the ack of any message that asked for one) sits in our receive
 * queue; nothing else is awaited.  Returns the first error or 0.
 */
static int fw_drain(struct fw *fw, uint32_t *bad_seq)
{
	char buf[FW_NL_BUF];
	int first = 0;
	ssize_t n;

	while ((n = recv(mnl_socket_get_fd(fw->nl), buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR || e->error == 0 || first)
				continue;
			first = e->error;
			if (bad_seq)
				*bad_seq = nlh->nlmsg_seq;
		}
	}
	fw->nl_clean = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && !first)
		first = -errno; /* ENOBUFS: replies were lost, assume failure */
	return first;
}

int fw_batch_send(struct fw *fw, uint32_t *bad_seq)
{
	ssize_t n;

	/* Stale replies of an earlier failure, or of another request on nl:
	 * not when the last drain emptied the queue (one syscall per commit). */
	if (!fw->nl_clean)
		fw_drain(fw, NULL);
	n = mnl_socket_sendto(fw->nl, fw->buf.p, fw->buf.len);
	if (n < 0)
		return -errno;
	return fw_drain(fw, bad_seq);
}

/* ---- expressions -------------------------------------------------------- */

/* Builds one rule; the first failed allocation sticks in err. */
struct fw_rb {
	struct nftnl_rule *r;
	int err;
};

static struct nftnl_expr *rb_expr(struct fw_rb *rb, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (!e) {
		rb->err = -ENOMEM;
		return NULL;
	}
	nftnl_rule_add_expr(rb->r, e);
	return e;
}

static void rb_meta(struct fw_rb *rb, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = rb_expr(rb, "meta");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
}

static void rb_cmp_op(struct fw_rb *rb, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = rb_expr(rb, "cmp");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
}

static void rb_cmp(struct fw_rb *rb, const void *data, uint32_t len)
{
	rb_cmp_op(rb, NFT_CMP_EQ, data, len);
}

static void rb_payload(struct fw_rb *rb, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = rb_expr(rb, "payload");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
}

static void rb_imm(struct fw_rb *rb, const void *data, uint32_t len)
{
	struct nftnl_expr *e = rb_expr(rb, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
}

static void rb_accept(struct fw_rb *rb)
{
	struct nftnl_expr *e = rb_expr(rb, "immediate");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
}

/* `iifname "NAME"` / `oifname "NAME"` (or `!=` with op NFT_CMP_NEQ):
 * exact match on the zero-padded name. */
static void rb_ifname_op(struct fw_rb *rb, uint32_t key, uint32_t op, const char *name)
{
	char pad[IFNAMSIZ] = { 0 };
	size_t len = strnlen(name, IFNAMSIZ - 1);

	memcpy(pad, name, len);
	rb_meta(rb, key, NFT_REG_1);
	rb_cmp_op(rb, op, pad, sizeof(pad));
}

static void rb_ifname(struct fw_rb *rb, uint32_t key, const char *name)
{
	rb_ifname_op(rb, key, NFT_CMP_EQ, name);
}

/* `fib daddr oifname NAME`: the interface the routing table would send
 * the packet out of, looked up in prerouting before it is routed. */
static void rb_fib_oifname(struct fw_rb *rb, const char *name)
{
	char pad[IFNAMSIZ] = { 0 };
	struct nftnl_expr *e = rb_expr(rb, "fib");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_OIFNAME);
		nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	}
	memcpy(pad, name, strnlen(name, IFNAMSIZ - 1));
	rb_cmp(rb, pad, sizeof(pad));
}

/* `ct status dnat`: the flow's first packet was DNATed. */
static void rb_ct_dnat(struct fw_rb *rb)
{
	uint32_t mask = IPS_DST_NAT, zero = 0;
	struct nftnl_expr *e = rb_expr(rb, "ct");

	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATUS);
		nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	}
	e = rb_expr(rb, "bitwise");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof(mask));
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, sizeof(mask));
		nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof(zero));
	}
	rb_cmp_op(rb, NFT_CMP_NEQ, &zero, sizeof(zero));
}

/* `ip daddr ADDR` */
static void rb_daddr(struct fw_rb *rb, struct in_addr a)
{
	rb_payload(rb, NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1);
	rb_cmp(rb, &a.s_addr, sizeof(a.s_addr));
}

static void rb_l4proto(struct fw_rb *rb, uint8_t proto)
{
	rb_meta(rb, NFT_META_L4PROTO, NFT_REG_1);
	rb_cmp(rb, &proto, sizeof(proto));
}

/* `meta mark set MARK` */
static void rb_mark_set(struct fw_rb *rb, uint32_t mark)
{
	struct nftnl_expr *e;

	rb_imm(rb, &mark, sizeof(mark));
	e = rb_expr(rb, "meta");
	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_MARK);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
}

/* `ip {s,d}addr . udp {s,d}port` into reg 1 + reg 9, the maps' key. */
static void rb_addr_port(struct fw_rb *rb, int dst)
{
	rb_l4proto(rb, IPPROTO_UDP);
	rb_payload(rb, NFT_PAYLOAD_NETWORK_HEADER, dst ? 16 : 12, 4, NFT_REG_1);
	rb_payload(rb, NFT_PAYLOAD_TRANSPORT_HEADER, dst ? 2 : 0, 2, NFT_REG32_01);
}

static void rb_lookup(struct fw_rb *rb, const char *set, uint32_t set_id, int map)
{
	struct nftnl_expr *e = rb_expr(rb, "lookup");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	if (map)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_1);
}

/* `update @SET { <reg 1> }`: the element (and its counter) is created by
 * the first packet, its timeout restarted by each. */
static void rb_update(struct fw_rb *rb, const char *set, uint32_t set_id)
{
	struct nftnl_expr *e = rb_expr(rb, "dynset");

	if (!e)
		return;
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID, set_id);
}

/* ---- objects ------------------------------------------------------------ */

static int put_msg_room(struct fw *fw)
{
	return fw_buf_reserve(&fw->buf, 8192);
}

static struct nlmsghdr *put_hdr(struct fw *fw, uint16_t type, uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(fw->buf.p + fw->buf.len, type, NFPROTO_IPV4,
				     flags | NLM_F_ACK, fw->seq++);
}

static void put_done(struct fw *fw, struct nlmsghdr *nlh)
{
	fw->buf.len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* `add table ip sipalg` (or `delete table ip sipalg` with del). */
static int put_table(struct fw *fw, uint16_t type)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t || put_msg_room(fw) < 0) {
		nftnl_table_free(t);
		return -ENOMEM;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, FW_TABLE);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_IPV4);
	nlh = put_hdr(fw, type, type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	put_done(fw, nlh);
	nftnl_table_free(t);
	return 0;
}

/* A set keyed by `ipv4_addr . inet_service` in our table: what the media
 * maps and the counter sets share.  Sends s and frees it (and its exprs). */
static int put_addr_port_set(struct fw *fw, struct nftnl_set *s, const char *name, uint32_t id,
			     uint32_t flags)
{
	struct nlmsghdr *nlh;

	if (!s || put_msg_room(fw) < 0) {
		nftnl_set_free(s);
		return -ENOMEM;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, FW_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_IPV4);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, FW_TYPE_ADDR_PORT);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, 8);
	nlh = put_hdr(fw, NFT_MSG_NEWSET, NLM_F_CREATE | NLM_F_EXCL);
	nftnl_set_nlmsg_build_payload(nlh, s);
	put_done(fw, nlh);
	nftnl_set_free(s);
	return 0;
}

/* `add map ip sipalg NAME { type ipv4_addr . inet_service : ipv4_addr .
 * inet_service; flags timeout; }`.  No per-element counter: every new
 * pinhole would allocate two per-CPU counters in the kernel (a quarter of
 * sipalgd's CPU per new call), though most unanswered calls never carry a
 * packet.  The counters live in media_cnt_in/out (put_cntset). */
static int put_map(struct fw *fw, const char *name, uint32_t id)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (s) {
		nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, FW_TYPE_ADDR_PORT);
		nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, 8);
	}
	return put_addr_port_set(fw, s, name, id, NFT_SET_MAP | NFT_SET_TIMEOUT);
}

/* `add set ip sipalg NAME { type ipv4_addr . inet_service; size 65536;
 *  flags dynamic,timeout; counter; timeout 1h }`: the first packet of a
 * pinhole's flow creates its counter element (rule_count_in/out). */
static int put_cntset(struct fw *fw, const char *name, uint32_t id)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_expr *cnt = nftnl_expr_alloc("counter");

	if (!s || !cnt) {
		nftnl_set_free(s);
		nftnl_expr_free(cnt);
		return -ENOMEM;
	}
	nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT, FW_CNT_TIMEOUT_MS);
	nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, FW_CNT_SIZE);
	nftnl_set_add_expr(s, cnt);
	return put_addr_port_set(fw, s, name, id, NFT_SET_TIMEOUT | NFT_SET_EVAL);
}

/* `add chain ip sipalg NAME { type TYPE hook HOOK priority PRIO; policy accept; }` */
static int put_chain(struct fw *fw, const char *name, const char *type, uint32_t hook, int prio)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c || put_msg_room(fw) < 0) {
		nftnl_chain_free(c);
		return -ENOMEM;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, FW_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, type);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hook);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, prio);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = put_hdr(fw, NFT_MSG_NEWCHAIN, NLM_F_CREATE | NLM_F_EXCL);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	put_done(fw, nlh);
	nftnl_chain_free(c);
	return 0;
}

static int rb_start(struct fw_rb *rb, const char *chain)
{
	rb->err = 0;
	rb->r = nftnl_rule_alloc();
	if (!rb->r)
		return -ENOMEM;
	nftnl_rule_set_str(rb->r, NFTNL_RULE_TABLE, FW_TABLE);
	nftnl_rule_set_str(rb->r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_set_u32(rb->r, NFTNL_RULE_FAMILY, NFPROTO_IPV4);
	return 0;
}

/* Appends the rule (`add rule ...`, at the end of its chain). */
static int rb_put(struct fw *fw, struct fw_rb *rb)
{
	struct nlmsghdr *nlh;
	int err = rb->err;

	if (!err)
		err = put_msg_room(fw);
	if (!err) {
		nlh = put_hdr(fw, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
		nftnl_rule_nlmsg_build_payload(nlh, rb->r);
		put_done(fw, nlh);
	}
	nftnl_rule_free(rb->r);
	rb->r = NULL;
	return err;
}

/* ---- rules -------------------------------------------------------------- */

/* Packets of TCP connections that already belong to one of our transparent
 * sockets (e.g. one the daemon opened towards a phone with the server's
 * address) must be routed locally as well:
 *   iifname "LAN" meta l4proto tcp fib daddr oifname "WAN" socket transparent 1
 *       meta mark set MARK accept
 * The socket lookup also finds the transparent listener, for any port it
 * listens on, so without the fib match a phone's TCP to a routed network
 * (rule_tproxy) would be pulled in here instead. */
static int rule_tcp_transparent(struct fw *fw, const char *lan)
{
	struct fw_rb rb;
	struct nftnl_expr *e;
	uint32_t one = 1;

	if (rb_start(&rb, "divert") < 0)
		return -ENOMEM;
	rb_ifname(&rb, NFT_META_IIFNAME, lan);
	rb_l4proto(&rb, IPPROTO_TCP);
	rb_fib_oifname(&rb, fw->cfg.outside_if);
	e = rb_expr(&rb, "socket");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_SOCKET_KEY, NFT_SOCKET_TRANSPARENT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_SOCKET_DREG, NFT_REG_1);
	}
	rb_cmp(&rb, &one, sizeof(one));
	rb_mark_set(&rb, fw->cfg.mark);
	rb_accept(&rb);
	return rb_put(fw, &rb);
}

/* SIP from the inside that the routing table sends out of the outside
 * interface goes to the daemon's transparent listener:
 *   iifname "LAN" meta l4proto udp udp dport PORT fib daddr oifname "WAN"
 *       tproxy to :TPROXY meta mark set MARK accept
 * and the same for tcp.  SIP routed anywhere else (another LAN, a VPN
 * tunnel) is not NATed here, so it is not diverted: the kernel forwards it
 * untouched, over UDP and TCP alike (catalogue B20). */
static int rule_tproxy(struct fw *fw, const char *lan, uint8_t proto, uint16_t port)
{
	uint16_t dport = htons(port), to = htons(fw->cfg.tproxy_port);
	struct nftnl_expr *e;
	struct fw_rb rb;

	if (rb_start(&rb, "divert") < 0)
		return -ENOMEM;
	rb_ifname(&rb, NFT_META_IIFNAME, lan);
	rb_l4proto(&rb, proto);
	rb_payload(&rb, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1);
	rb_cmp(&rb, &dport, sizeof(dport));
	rb_fib_oifname(&rb, fw->cfg.outside_if);
	rb_imm(&rb, &to, sizeof(to));
	e = rb_expr(&rb, "tproxy");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_TPROXY_FAMILY, NFPROTO_IPV4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_TPROXY_REG_PORT, NFT_REG_1);
	}
	rb_mark_set(&rb, fw->cfg.mark);
	rb_accept(&rb);
	return rb_put(fw, &rb);
}

/* Counts inbound media per pinhole (media_cnt_in), for every packet of the
 * flow, before the DNAT:
 *   iifname "WAN" ip daddr . udp dport @media_dnat
 *       update @media_cnt_in { ip daddr . udp dport } accept */
static int rule_count_in(struct fw *fw)
{
	struct fw_rb rb;

	if (rb_start(&rb, "divert") < 0)
		return -ENOMEM;
	rb_ifname(&rb, NFT_META_IIFNAME, fw->cfg.outside_if);
	rb_addr_port(&rb, 1);
	rb_lookup(&rb, FW_MAP_DNAT, FW_SET_ID_DNAT, 0);
	if (!fw->no_counters)
		rb_update(&rb, FW_SET_CNT_IN, FW_SET_ID_CNT_IN);
	rb_accept(&rb);
	return rb_put(fw, &rb);
}

/* Hairpinned media (two phones behind this NAT in one call, each sending
 * to the other's public mapping) is inbound for the pinhole it reaches:
 *   iifname != "WAN" ip daddr PUBLIC ip daddr . udp dport @media_dnat
 *       update @media_cnt_in { ip daddr . udp dport }
 * with no verdict, so that count_out counts it for its sender too. */
static int rule_count_hairpin(struct fw *fw)
{
	struct fw_rb rb;

	if (rb_start(&rb, "divert") < 0)
		return -ENOMEM;
	rb_ifname_op(&rb, NFT_META_IIFNAME, NFT_CMP_NEQ, fw->cfg.outside_if);
	rb_daddr(&rb, fw->cfg.public_addr);
	rb_addr_port(&rb, 1);
	rb_lookup(&rb, FW_MAP_DNAT, FW_SET_ID_DNAT, 0);
	if (!fw->no_counters)
		rb_update(&rb, FW_SET_CNT_IN, FW_SET_ID_CNT_IN);
	return rb_put(fw, &rb);
}

/* Counts outbound media per pinhole (media_cnt_out), before the SNAT; in
 * this chain too, so that media costs one extra hook, not two:
 *   iifname != "WAN" ip saddr . udp sport @media_snat
 *       update @media_cnt_out { ip saddr . udp sport } accept */
static int rule_count_out(struct fw *fw)
{
	struct fw_rb rb;

	if (rb_start(&rb, "divert") < 0)
		return -ENOMEM;
	rb_ifname_op(&rb, NFT_META_IIFNAME, NFT_CMP_NEQ, fw->cfg.outside_if);
	rb_addr_port(&rb, 0);
	rb_lookup(&rb, FW_MAP_SNAT, FW_SET_ID_SNAT, 0);
	if (!fw->no_counters)
		rb_update(&rb, FW_SET_CNT_OUT, FW_SET_ID_CNT_OUT);
	rb_accept(&rb);
	return rb_put(fw, &rb);
}

/* The pinholes themselves (the first packet of each flow; conntrack keeps
 * the translation for the rest):
 *   pre_nat:  dnat to ip daddr . udp dport map @media_dnat
 *   post_nat: oifname "WAN" snat to ip saddr . udp sport map @media_snat
 *   post_nat: oifname != "WAN" ct status dnat
 *                 snat to ip saddr . udp sport map @media_snat
 * The DNAT takes packets from any interface: a phone behind this NAT that
 * sends to another inside phone's public mapping (both in one call through
 * an outside proxy) is hairpinned to it.  Such a flow, DNATed and going
 * back out of an inside interface, also gets its sender's own public
 * mapping as source, the address the receiver's SDP named; inbound media
 * DNATed from outside misses the SNAT map and keeps its source. */
static int rule_nat(struct fw *fw, int dnat, int hairpin)
{
	struct nftnl_expr *e;
	struct fw_rb rb;

	if (rb_start(&rb, dnat ? "pre_nat" : "post_nat") < 0)
		return -ENOMEM;
	if (!dnat)
		rb_ifname_op(&rb, NFT_META_OIFNAME, hairpin ? NFT_CMP_NEQ : NFT_CMP_EQ,
			     fw->cfg.outside_if);
	if (hairpin)
		rb_ct_dnat(&rb);
	rb_addr_port(&rb, dnat);
	rb_lookup(&rb, dnat ? FW_MAP_DNAT : FW_MAP_SNAT, dnat ? FW_SET_ID_DNAT : FW_SET_ID_SNAT, 1);
	e = rb_expr(&rb, "nat");
	if (e) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, dnat ? NFT_NAT_DNAT : NFT_NAT_SNAT);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, NFT_REG_1);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, NFT_REG32_01);
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FLAGS,
				   NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED);
	}
	return rb_put(fw, &rb);
}

static int put_divert_rules(struct fw *fw)
{
	const struct fw_config *c = &fw->cfg;
	unsigned i, j;
	int err = 0;

	for (i = 0; i < c->ninside_ifs && !err; i++) {
		err = rule_tcp_transparent(fw, c->inside_ifs[i]);
		for (j = 0; j < c->nsip_ports && !err; j++) {
			/* TLS is never intercepted, even if configured. */
			if (c->sip_ports[j] == 5061)
				continue;
			const char *lan = c->inside_ifs[i];

			err = rule_tproxy(fw, lan, IPPROTO_UDP, c->sip_ports[j]);
			if (!err)
				err = rule_tproxy(fw, lan, IPPROTO_TCP, c->sip_ports[j]);
		}
	}
	if (!err)
		err = rule_count_in(fw);
	if (!err)
		err = rule_count_hairpin(fw);
	return err ? err : rule_count_out(fw);
}

static int put_ruleset(struct fw *fw)
{
	int err = put_table(fw, NFT_MSG_NEWTABLE);

	if (!err)
		err = put_map(fw, FW_MAP_DNAT, FW_SET_ID_DNAT);
	if (!err)
		err = put_map(fw, FW_MAP_SNAT, FW_SET_ID_SNAT);
	if (!err && !fw->no_counters)
		err = put_cntset(fw, FW_SET_CNT_IN, FW_SET_ID_CNT_IN);
	if (!err && !fw->no_counters)
		err = put_cntset(fw, FW_SET_CNT_OUT, FW_SET_ID_CNT_OUT);
	if (!err)
		err = put_chain(fw, "divert", "filter", NF_INET_PRE_ROUTING, FW_PRIO_MANGLE);
	if (!err)
		err = put_chain(fw, "pre_nat", "nat", NF_INET_PRE_ROUTING, FW_PRIO_DSTNAT - 1);
	if (!err)
		err = put_chain(fw, "post_nat", "nat", NF_INET_POST_ROUTING, FW_PRIO_SRCNAT - 1);
	if (!err)
		err = put_divert_rules(fw);
	if (!err)
		err = rule_nat(fw, 1, 0);
	if (!err)
		err = rule_nat(fw, 0, 0);
	if (!err)
		err = rule_nat(fw, 0, 1);
	return err;
}

/* ---- open / close ------------------------------------------------------- */

/* `delete table ip sipalg`, alone in its batch; a missing table is fine. */
static int fw_table_delete(struct fw *fw)
{
	int err = fw_buf_reserve(&fw->buf, 1024);

	if (err)
		return err;
	fw_batch_begin(fw);
	err = put_table(fw, NFT_MSG_DELTABLE);
	fw_batch_end(fw);
	if (!err)
		err = fw_batch_send(fw, NULL);
	return err == -ENOENT ? 0 : err;
}

static int fw_socket_open(struct fw *fw)
{
	int bufsz = FW_SOCK_BUF, one = 1, fd;

	fw->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!fw->nl || mnl_socket_bind(fw->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -errno;
	fw->portid = mnl_socket_get_portid(fw->nl);
	fd = mnl_socket_get_fd(fw->nl);
	/* Big batches: the whole batch is one sendmsg(). FORCE needs
	 * CAP_NET_ADMIN, which we have; fall back to the capped option. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufsz, sizeof(bufsz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufsz, sizeof(bufsz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	/* Errors need not echo our (possibly 64 KiB) request back. */
	mnl_socket_setsockopt(fw->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

static int fw_config_check(const struct fw_config *c)
{
	if (c->ninside_ifs == 0 || c->ninside_ifs > FW_MAX_IFS || c->nsip_ports > FW_MAX_PORTS)
		return -EINVAL;
	if (!c->outside_if[0] || !c->tproxy_port || !c->mark || !c->route_table)
		return -EINVAL;
	if (c->public_addr.s_addr == INADDR_ANY) /* the media_dnat keys need it */
		return -EINVAL;
	return 0;
}

static int fw_create(struct fw *fw)
{
	uint32_t bad = 0;
	int err;

	fw_batch_begin(fw);
	err = put_ruleset(fw);
	if (err)
		return err;
	fw_batch_end(fw);
	err = fw_batch_send(fw, &bad);
	if (err)
		fw_log(fw, LOG_ERR, "event=fw_error op=create_table counters=%d seq=%u err=%s",
		       !fw->no_counters, bad, strerror(-err));
	return err;
}

/* A kernel without set element expressions (< 5.11) refuses the counter
 * sets' `counter`: then the table is built without, and the counter calls
 * return -EOPNOTSUPP (the daemon must not read "no media" from that). */
static int fw_build(struct fw *fw)
{
	int err;

	err = fw_table_delete(fw);
	if (err) {
		fw_log(fw, LOG_ERR, "event=fw_error op=delete_leftover_table err=%s",
		       strerror(-err));
		return err;
	}
	err = fw_create(fw);
	if (err == -EOPNOTSUPP || err == -EINVAL) {
		fw->no_counters = 1;
		err = fw_create(fw);
		if (!err)
			fw_log(fw, LOG_WARNING, "event=fw_no_element_counters "
			       "reason=\"kernel refused map counters\"");
	}
	return err;
}

int fw_open(struct fw **out, const struct fw_config *cfg)
{
	struct fw *fw;
	int err;

	*out = NULL;
	err = fw_config_check(cfg);
	if (err)
		return err;
	fw = calloc(1, sizeof(*fw));
	if (!fw)
		return -ENOMEM;
	fw->cfg = *cfg;
	fw->seq = (uint32_t)time(NULL);
	err = fw_socket_open(fw);
	if (!err)
		err = fw_buf_reserve(&fw->buf, 1U << 16);
	if (!err)
		err = fw_build(fw);
	if (!err)
		err = fw_pinhole_probe(fw);
	if (!err)
		err = fw_route_add(fw);
	if (err) {
		fw_close(fw);
		return err;
	}
	fw_log(fw, LOG_INFO, "event=fw_open table=ip/%s mark=0x%x route_table=%u destroy=%d",
	       FW_TABLE, cfg->mark, cfg->route_table, fw->has_destroy);
	*out = fw;
	return 0;
}

/* `delete table ip sipalg` and the policy routing.  Queued, uncommitted
 * pinhole changes are dropped with the table. */
void fw_close(struct fw *fw)
{
	int err;

	if (!fw)
		return;
	if (fw->nl) {
		err = fw_table_delete(fw);
		if (err)
			fw_log(fw, LOG_ERR, "event=fw_error op=delete_table err=%s",
			       strerror(-err));
		mnl_socket_close(fw->nl);
	}
	fw_route_del(fw);
	fw_pinhole_free(fw);
	free(fw->buf.p);
	free(fw);
}
