/*
 * fw_pinhole.c - media pinholes as elements of the maps media_dnat and
 * media_snat (fw_nft.c creates them), queued and sent as netlink batches,
 * and their counters (elements of media_cnt_in/out, made by the first packet).
 *
 * One pinhole is two elements with the same timeout, so the kernel expires
 * them even if the daemon dies:
 *   add element ip sipalg media_dnat { PUBLIC . PPORT timeout T expires T : INSIDE . IPORT }
 *   add element ip sipalg media_snat { INSIDE . IPORT timeout T expires T : PUBLIC . PPORT }
 * Re-adding an existing element with `expires` restarts its timer and keeps
 * its counters: that is fw_pinhole_refresh(), which also creates a missing
 * one.  A pinhole added inbound_only has only its media_dnat element (the
 * inside endpoint cannot send yet: alg_pinhole.outbound_later) until a
 * refresh without the flag adds media_snat; its delete leaves media_snat
 * and media_cnt_out alone (no outbound packet can have made a counter).  Deletion uses "destroy"
 * (kernels >= 6.3), which ignores an element that already expired, so one
 * stale pinhole cannot abort the batch; older kernels get "delete".
 *
 * A batch is one transaction: if the kernel refuses one message, nothing in
 * that batch is applied.  fw_commit() then resends the batch one pinhole at
 * a time, so only the faulty pinholes fail (logged with their id).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "daemon/fw_int.h"

/* Elements per netlink message: the element list is one attribute, whose
 * length is 16 bits; an added element takes 60 bytes. */
#define FW_ELEMS_PER_MSG 512
/* Operations per batch (one sendmsg, one transaction). */
#define FW_OPS_PER_BATCH 8192
#define FW_ELEM_ROOM 96

static struct fw_key key_of(struct in_addr a, uint16_t port)
{
	struct fw_key k = { a.s_addr, htons(port), 0 };

	return k;
}

static struct fw_key key_public(const struct fw *fw, const struct fw_pinhole *p)
{
	return key_of(fw->cfg.public_addr, p->public_port);
}

static struct fw_key key_inside(const struct fw_pinhole *p)
{
	return key_of(p->inside_addr, p->inside_port);
}

static int fw_queue(struct fw *fw, enum fw_op_kind kind, int fresh, const struct fw_pinhole *p)
{
	struct fw_op *ops;

	if (fw->nops == fw->opcap) {
		size_t cap = fw->opcap ? fw->opcap * 2 : 1024;

		ops = realloc(fw->ops, cap * sizeof(*ops));
		if (!ops)
			return -ENOMEM;
		fw->ops = ops;
		fw->opcap = cap;
	}
	fw->ops[fw->nops].kind = kind;
	fw->ops[fw->nops].fresh = fresh;
	fw->ops[fw->nops].p = *p;
	fw->nops++;
	return 0;
}

static int queue_add(struct fw *fw, int fresh, const struct fw_pinhole *p)
{
	if (!p->public_port || !p->inside_port || !p->timeout_ms)
		return -EINVAL;
	return fw_queue(fw, FW_OP_ADD, fresh, p);
}

/* A new pinhole also flushes the conntrack entries made before it existed
 * (fw_ct.c), once fw_commit() has put it in the maps. */
int fw_pinhole_add(struct fw *fw, const struct fw_pinhole *p)
{
	return queue_add(fw, !p->no_stale_flows, p);
}

/* The same message as an add: the element exists, so only its expiry moves.
 * No conntrack flush: its flows already go through the maps. */
int fw_pinhole_refresh(struct fw *fw, const struct fw_pinhole *p)
{
	return queue_add(fw, 0, p);
}

int fw_pinhole_del(struct fw *fw, const struct fw_pinhole *p)
{
	return fw_queue(fw, FW_OP_DEL, 0, p);
}

void fw_pinhole_free(struct fw *fw)
{
	free(fw->ops);
	fw->ops = NULL;
	fw->nops = fw->opcap = 0;
	free(fw->ctq);
	fw->ctq = NULL;
	fw->nctq = fw->ctqcap = 0;
}

/* Keep the commit's fresh adds for fw_ct_flush_pending(). */
static int ct_queue(struct fw *fw)
{
	for (size_t i = 0; i < fw->nops; i++) {
		if (fw->ops[i].kind != FW_OP_ADD || !fw->ops[i].fresh)
			continue;
		if (fw->nctq == fw->ctqcap) {
			size_t cap = fw->ctqcap ? fw->ctqcap * 2 : 256;
			struct fw_op *q = realloc(fw->ctq, cap * sizeof(*q));
			if (!q)
				return -ENOMEM;
			fw->ctq = q;
			fw->ctqcap = cap;
		}
		fw->ctq[fw->nctq++] = fw->ops[i];
	}
	return 0;
}

size_t fw_ct_pending(const struct fw *fw)
{
	return fw->nctq;
}

int fw_ct_flush_pending(struct fw *fw)
{
	int err = fw->nctq ? fw_ct_flush(fw, fw->ctq, fw->nctq) : 0;

	if (err < 0)
		fw_log(fw, LOG_WARNING, "event=fw_ct_flush_error err=%s", strerror(-err));
	fw->nctq = 0;
	return err < 0 ? err : 0;
}

/* ---- building element messages ------------------------------------------ */

static void put_key(struct nlmsghdr *nlh, uint16_t type, const struct fw_key *k)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, sizeof(*k), k);
	mnl_attr_nest_end(nlh, n);
}

static void put_elem(struct fw *fw, struct nlmsghdr *nlh, const struct fw_op *op, int dnat)
{
	const struct fw_pinhole *p = &op->p;
	struct fw_key k = dnat ? key_public(fw, p) : key_inside(p);
	struct fw_key v = dnat ? key_inside(p) : key_public(fw, p);
	struct nlattr *e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);

	put_key(nlh, NFTA_SET_ELEM_KEY, &k);
	if (op->kind == FW_OP_ADD) {
		put_key(nlh, NFTA_SET_ELEM_DATA, &v);
		mnl_attr_put_u64(nlh, NFTA_SET_ELEM_TIMEOUT, htobe64(p->timeout_ms));
		mnl_attr_put_u64(nlh, NFTA_SET_ELEM_EXPIRATION, htobe64(p->timeout_ms));
	}
	mnl_attr_nest_end(nlh, e);
}

static uint16_t elem_msg_type(const struct fw *fw, enum fw_op_kind kind)
{
	if (kind == FW_OP_ADD)
		return NFT_MSG_NEWSETELEM;
	return fw->has_destroy ? FW_MSG_DESTROYSETELEM : NFT_MSG_DELSETELEM;
}

/* Whether ops[i] has an element in this map or set: the outbound ones
 * (dnat = 0) only when the pinhole has its outbound half. */
static int has_elem(const struct fw *fw, size_t i, int dnat)
{
	return dnat || !fw->ops[i].p.inbound_only;
}

/* One message: the elements of ops[from, to) (all of one kind, at most
 * FW_ELEMS_PER_MSG with has_elem) into one map, or into a counter set
 * (`set`: media_cnt_in keyed like media_dnat, dnat = 1). */
static int put_elem_msg(struct fw *fw, size_t from, size_t to, int dnat, const char *set)
{
	enum fw_op_kind kind = fw->ops[from].kind;
	struct nlmsghdr *nlh;
	struct nlattr *list;
	size_t i;
	int err;

	err = fw_buf_reserve(&fw->buf, 256 + (to - from) * FW_ELEM_ROOM);
	if (err)
		return err;
	nlh = nftnl_nlmsg_build_hdr(fw->buf.p + fw->buf.len, elem_msg_type(fw, kind),
				    NFPROTO_IPV4, kind == FW_OP_ADD ? NLM_F_CREATE : 0,
				    fw->seq++);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, FW_TABLE);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	for (i = from; i < to; i++)
		if (has_elem(fw, i, dnat))
			put_elem(fw, nlh, &fw->ops[i], dnat);
	mnl_attr_nest_end(nlh, list);
	fw->buf.len += NLMSG_ALIGN(nlh->nlmsg_len);
	return 0;
}

/* The elements of ops[from, to) in one map or set, in messages of at most
 * FW_ELEMS_PER_MSG elements; none at all sends no message (an empty
 * element list is an error to the kernel). */
static int put_set_run(struct fw *fw, size_t from, size_t to, int dnat, const char *set)
{
	size_t i = from, end, n;
	int err;

	while (i < to) {
		while (i < to && !has_elem(fw, i, dnat))
			i++;
		for (end = i, n = 0; end < to && n < FW_ELEMS_PER_MSG; end++)
			n += (size_t)has_elem(fw, end, dnat);
		if (!n)
			break;
		err = put_elem_msg(fw, i, end, dnat, set);
		if (err)
			return err;
		i = end;
	}
	return 0;
}

/* A run of operations of one kind: both maps; a delete also destroys the
 * pinhole's counter elements, so that the next pinhole on the same port
 * starts from zero (`destroy` ignores a pinhole that never saw a packet;
 * without it, the counter set's timeout removes them). */
static int put_run(struct fw *fw, size_t from, size_t to)
{
	int err = put_set_run(fw, from, to, 1, FW_MAP_DNAT);

	if (!err)
		err = put_set_run(fw, from, to, 0, FW_MAP_SNAT);
	if (err || fw->ops[from].kind != FW_OP_DEL || !fw->has_destroy || fw->no_counters)
		return err;
	err = put_set_run(fw, from, to, 1, FW_SET_CNT_IN);
	return err ? err : put_set_run(fw, from, to, 0, FW_SET_CNT_OUT);
}

/* Sends ops[from, to) as one batch; runs of one kind keep their order. */
static int send_ops(struct fw *fw, size_t from, size_t to)
{
	size_t i = from, end;
	int err;

	err = fw_buf_reserve(&fw->buf, 1024);
	if (err)
		return err;
	fw_batch_begin(fw);
	while (i < to) {
		for (end = i + 1; end < to && fw->ops[end].kind == fw->ops[i].kind; end++)
			;
		err = put_run(fw, i, end);
		if (err)
			return err;
		i = end;
	}
	err = fw_buf_reserve(&fw->buf, 64);
	if (err)
		return err;
	fw_batch_end(fw);
	return fw_batch_send(fw, NULL);
}

static void log_op_error(const struct fw *fw, const struct fw_op *op, int err)
{
	char in[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &op->p.inside_addr, in, sizeof(in));
	fw_log(fw, LOG_ERR,
	       "event=fw_error op=%s pinhole=%u inside=%s:%u public_port=%u err=%s",
	       op->kind == FW_OP_ADD ? "pinhole_add" : "pinhole_del", op->p.id, in,
	       op->p.inside_port, op->p.public_port, strerror(-err));
}

/* The batch was refused as a whole: apply what can be applied. */
static int send_one_by_one(struct fw *fw, size_t from, size_t to)
{
	int err, first = 0;
	size_t i;

	for (i = from; i < to; i++) {
		err = send_ops(fw, i, i + 1);
		if (err) {
			log_op_error(fw, &fw->ops[i], err);
			if (!first)
				first = err;
		}
	}
	return first;
}

int fw_commit(struct fw *fw)
{
	int err, first = 0;
	size_t i, end;

	for (i = 0; i < fw->nops; i = end) {
		end = i + FW_OPS_PER_BATCH < fw->nops ? i + FW_OPS_PER_BATCH : fw->nops;
		err = send_ops(fw, i, end);
		if (err == -ENOMEM)
			return err; /* the queue stays; the caller may retry */
		if (err && end - i > 1)
			err = send_one_by_one(fw, i, end);
		else if (err)
			log_op_error(fw, &fw->ops[i], err);
		if (err && !first)
			first = err;
	}
	/* A pinhole that failed is flushed too: harmless, its flows keep
	 * going through masquerade as before. */
	err = ct_queue(fw);
	if (err < 0)
		fw_log(fw, LOG_WARNING, "event=fw_ct_flush_error err=%s", strerror(-err));
	fw->nops = 0;
	return first;
}

/* Whether `destroy element` works here: destroying an element that is not
 * there succeeds on kernels that know the message. */
int fw_pinhole_probe(struct fw *fw)
{
	struct fw_pinhole none = { .inside_port = 0, .public_port = 0 };
	int err;

	fw->has_destroy = 1;
	err = fw_pinhole_del(fw, &none);
	if (err)
		return err;
	err = send_ops(fw, 0, 1);
	fw->nops = 0;
	if (err)
		fw->has_destroy = 0;
	return err == -ENOMEM ? err : 0;
}

/* ---- counters ----------------------------------------------------------- */

struct fw_cnt {
	uint64_t pkts, bytes;
	int found, has_counter;
};

/* NFTA_EXPR_NAME "counter", NFTA_EXPR_DATA { NFTA_COUNTER_BYTES, _PACKETS }. */
static void parse_expr(const struct nlattr *expr, struct fw_cnt *c)
{
	const struct nlattr *a, *d;
	const char *name = NULL;

	mnl_attr_for_each_nested(a, expr) {
		if (mnl_attr_get_type(a) == NFTA_EXPR_NAME)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == NFTA_EXPR_DATA && name &&
			 strcmp(name, "counter") == 0) {
			c->has_counter = 1;
			mnl_attr_for_each_nested(d, a) {
				if (mnl_attr_get_type(d) == NFTA_COUNTER_BYTES)
					c->bytes = be64toh(mnl_attr_get_u64(d));
				else if (mnl_attr_get_type(d) == NFTA_COUNTER_PACKETS)
					c->pkts = be64toh(mnl_attr_get_u64(d));
			}
		}
	}
}

/* The element: NFTA_SET_ELEM_EXPR (one expression) or
 * NFTA_SET_ELEM_EXPRESSIONS (a list of NFTA_LIST_ELEM). */
static void parse_elem(const struct nlattr *elem, struct fw_cnt *c)
{
	const struct nlattr *a, *x;

	mnl_attr_for_each_nested(a, elem) {
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_EXPR)
			parse_expr(a, c);
		else if (mnl_attr_get_type(a) == NFTA_SET_ELEM_EXPRESSIONS)
			mnl_attr_for_each_nested(x, a) parse_expr(x, c);
	}
}

int fw_elem_counter(const struct nlattr *elem, uint64_t *pkts, uint64_t *bytes)
{
	struct fw_cnt c = { 0 };

	parse_elem(elem, &c);
	*pkts = c.pkts;
	*bytes = c.bytes;
	return c.has_counter;
}

static int counter_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a, *e;
	struct fw_cnt *c = data;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(e, a) {
			c->found = 1;
			parse_elem(e, c);
		}
	}
	return MNL_CB_OK;
}

/* `get element ip sipalg MAP { KEY }` */
static int get_counter(struct fw *fw, const char *map, const struct fw_key *k,
		       struct fw_cnt *c)
{
	char buf[FW_NL_BUF];
	uint32_t seq = fw->seq++;
	struct nlmsghdr *nlh;
	struct nlattr *list, *e;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, NFPROTO_IPV4, NLM_F_ACK, seq);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, FW_TABLE);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, map);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	put_key(nlh, NFTA_SET_ELEM_KEY, k);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, list);
	fw->nl_clean = 0;
	return fw_nl_talk(fw->nl, nlh, counter_cb, c);
}

int fw_pinhole_counters(struct fw *fw, const struct fw_pinhole *p, struct fw_counters *c)
{
	struct fw_key kin = key_public(fw, p), kout = key_inside(p);
	struct fw_cnt in = { 0 }, out = { 0 };
	int err;

	memset(c, 0, sizeof(*c));
	if (fw->no_counters)
		return -EOPNOTSUPP;
	/* A counter element exists once a packet went that way. */
	err = get_counter(fw, FW_SET_CNT_IN, &kin, &in);
	if (err == -ENOENT)
		err = 0;
	if (!err)
		err = get_counter(fw, FW_SET_CNT_OUT, &kout, &out);
	if (err == -ENOENT)
		err = 0;
	if (!err && !in.found && !out.found)
		err = get_counter(fw, FW_MAP_DNAT, &kin, &in); /* -ENOENT: no pinhole */
	if (err)
		return err;
	c->pkts_in = in.pkts;
	c->bytes_in = in.bytes;
	c->pkts_out = out.pkts;
	c->bytes_out = out.bytes;
	return 0;
}
