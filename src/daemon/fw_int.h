/*
 * fw_int.h - internals shared by the firewall backend's files (fw_nft.c:
 * netlink socket, batches, the ruleset; fw_pinhole.c: map elements and
 * counters; fw_route.c: policy routing).  Not part of the fw.h contract.
 *
 * Memory: struct fw owns its netlink socket, its batch buffer and the queue
 * of pending pinhole operations.  Returns: 0 / count or -errno.
 */
#ifndef SIPALG_DAEMON_FW_INT_H
#define SIPALG_DAEMON_FW_INT_H

#include <stddef.h>
#include <stdint.h>

#include "daemon/fw.h"

#define FW_TABLE "sipalg"
#define FW_MAP_DNAT "media_dnat"
#define FW_MAP_SNAT "media_snat"
/* Per-pinhole counters, created by a pinhole's first packet (fw_nft.c):
 * keyed like media_dnat (inbound) and media_snat (outbound). */
#define FW_SET_CNT_IN "media_cnt_in"
#define FW_SET_CNT_OUT "media_cnt_out"

/* Message types of kernels >= 6.3 that older uapi headers lack. */
#define FW_MSG_DESTROYTABLE 26
#define FW_MSG_DESTROYSETELEM 30

/* Receive buffer for netlink replies (MNL_SOCKET_BUFFER_SIZE is a VLA). */
#define FW_NL_BUF 32768

enum fw_op_kind {
	FW_OP_ADD,
	FW_OP_DEL,
};

struct fw_op {
	enum fw_op_kind kind;
	int fresh; /* fw_pinhole_add(), not a refresh: flush stale conntrack */
	struct fw_pinhole p;
};

/* A growable buffer that one netlink batch is written into. */
struct fw_buf {
	char *p;
	size_t len, cap;
};

struct fw {
	struct fw_config cfg;
	struct mnl_socket *nl; /* NETLINK_NETFILTER, nf_tables */
	uint32_t portid;
	uint32_t seq;
	int has_destroy;       /* kernel knows NFT_MSG_DESTROYSETELEM */
	int no_counters;       /* kernel refused element counters (< 5.11) */
	int route_up;          /* fw_route_add() succeeded */
	int nl_clean;          /* nl's receive queue known empty (fw_drain) */
	struct fw_buf buf;
	struct fw_op *ops;     /* queued until fw_commit() */
	size_t nops, opcap;
	struct fw_op *ctq;     /* committed adds awaiting the conntrack flush */
	size_t nctq, ctqcap;
};

void fw_log(const struct fw *fw, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* fw_nft.c: batches. */
int fw_buf_reserve(struct fw_buf *b, size_t more);
/* Sends one request (a get, or a dump) on nl and runs cb on every reply
 * until the kernel is done.  Returns 0 or -errno. */
int fw_nl_talk(struct mnl_socket *nl, const struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
void fw_batch_begin(struct fw *fw);
void fw_batch_end(struct fw *fw);
int fw_batch_send(struct fw *fw, uint32_t *bad_seq);

/* fw_route.c: `ip rule fwmark MARK lookup TABLE` and
 * `ip route add local 0.0.0.0/0 dev lo table TABLE`. */
int fw_route_add(struct fw *fw);
void fw_route_del(struct fw *fw);

/* The maps' key and value: ipv4_addr . inet_service, each field padded to
 * a 4-byte register (nft's concatenation layout). */
struct fw_key {
	uint32_t addr;  /* network order */
	uint16_t port;  /* network order */
	uint16_t pad;
};

struct nlattr;

/* fw_pinhole.c: probe for element destroy support once the maps exist. */
int fw_pinhole_probe(struct fw *fw);
void fw_pinhole_free(struct fw *fw);
/* The counter of one NFTA_LIST_ELEM element attribute (0 if none);
 * returns 1 if the element had one. */
int fw_elem_counter(const struct nlattr *elem, uint64_t *pkts, uint64_t *bytes);

/* fw_ct.c: after ops[0, n) are in the maps, delete the UDP conntrack
 * entries that the fresh adds among them would otherwise never see (NATed
 * by masquerade, or by an earlier pinhole, before this one existed).  One
 * filtered dump whatever n is.  Returns the number deleted or -errno. */
int fw_ct_flush(struct fw *fw, const struct fw_op *ops, size_t n);

#endif
