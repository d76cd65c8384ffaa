/*
 * fw.h - the firewall backend: sipalgd's own nftables table and the policy
 * routing that tproxy needs.  The daemon's only door to the kernel's
 * packet path; everything SIP-specific stays out of it.
 *
 * fw_open() removes leftovers of a crashed run, then creates, in one
 * transaction, `table ip sipalg` with:
 *   - tproxy rules sending the configured SIP ports (UDP and TCP) arriving
 *     on the inside interfaces to the daemon's port, with a fwmark;
 *   - maps media_dnat / media_snat (timeouts, element counters) and the
 *     chains that use them, plus the forward accept for pinholed media;
 * and adds `ip rule fwmark MARK lookup TABLE` + `local 0.0.0.0/0 dev lo
 * table TABLE`.  fw_close() removes all of it.  TLS (5061) is never matched.
 *
 * The table has no `flags owner`: it outlives a crashed daemon on purpose,
 * so live media keeps flowing until the pinholes' own timeouts expire; the
 * next fw_open() removes it.  docs/dataplane.md shows the exact ruleset.
 *
 * Pinhole changes are queued and sent as one netlink batch by fw_commit();
 * if the kernel refuses the batch, fw_commit() retries pinhole by pinhole
 * and returns the first error (each failure is logged with the pinhole id).
 * fw_ct_flush_pending() deletes the UDP conntrack entries that the
 * pinholes committed since its last call (those queued by fw_pinhole_add())
 * collide with (flows masqueraded or left un-NATed before the pinhole
 * existed: NAT is decided on a flow's first packet), so their next packet
 * goes through the maps.  It costs one conntrack dump (~6.5 ms here) however
 * many pinholes wait, so the caller coalesces: it calls it at most every
 * few tens of milliseconds while fw_ct_pending() is non-zero.  Failures are
 * only logged (fw_ct.c).
 * fw_pinhole_refresh() restarts the timeout and keeps the counters; it
 * flushes no conntrack entry, and creates an element that is missing (the
 * outbound half of a pinhole added inbound_only).
 * fw_pinhole_del() of a pinhole that already expired is not an error.
 * Counters: pkts_in counts each inbound packet, pkts_out each outbound
 * one; they live in the sets media_cnt_in/out, whose elements the first
 * packet creates (a new pinhole allocates no kernel counter until media
 * flows) and fw_pinhole_del() removes.  fw_pinhole_counters() returns -ENOENT if the
 * pinhole is not (or no longer) in the kernel, -EOPNOTSUPP (as does
 * fw_counters_dump()) on a kernel without map element counters (< 5.11).
 * Returns 0 or -errno; messages go to the log callback.
 * The struct fw is owned by the backend; fw_close() frees it.
 */
#ifndef SIPALG_DAEMON_FW_H
#define SIPALG_DAEMON_FW_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#define FW_MAX_IFS 8
#define FW_MAX_PORTS 8

struct fw_config {
	char inside_ifs[FW_MAX_IFS][IF_NAMESIZE];
	unsigned ninside_ifs;
	char outside_if[IF_NAMESIZE];
	struct in_addr public_addr;
	uint16_t sip_ports[FW_MAX_PORTS];  /* intercepted, UDP and TCP */
	unsigned nsip_ports;
	uint16_t tproxy_port;              /* the daemon's transparent listener */
	uint32_t mark;                     /* fwmark for tproxy'd packets (0x5a) */
	uint32_t route_table;              /* policy routing table (100) */
	void (*log)(void *ctx, int level, const char *msg);
	void *log_ctx;
};

/* One media stream: public_addr:public_port <-> inside:inside_port, UDP. */
struct fw_pinhole {
	uint32_t id;
	struct in_addr inside_addr;
	uint16_t inside_port;
	uint16_t public_port;
	uint32_t timeout_ms;
	/* fw_pinhole_add(): 1 = no conntrack flush needed (no flow can predate
	 * this pinhole: see alg_pinhole.no_stale_flows).  0 is the safe default. */
	uint8_t no_stale_flows;
	/* 1 = only the inbound half (the media_dnat element) exists or is to
	 * be added: fw_pinhole_add() leaves out media_snat, fw_pinhole_del()
	 * does not touch it (see alg_pinhole.outbound_later).  A refresh with
	 * 0 adds the missing half. */
	uint8_t inbound_only;
};

struct fw_counters {
	uint64_t pkts_in, bytes_in;   /* outside -> inside (DNAT map element) */
	uint64_t pkts_out, bytes_out; /* inside -> outside (SNAT map element) */
};

struct fw;

int fw_open(struct fw **out, const struct fw_config *cfg);
void fw_close(struct fw *fw);
int fw_pinhole_add(struct fw *fw, const struct fw_pinhole *p);     /* queued */
int fw_pinhole_refresh(struct fw *fw, const struct fw_pinhole *p); /* queued */
int fw_pinhole_del(struct fw *fw, const struct fw_pinhole *p);     /* queued */
int fw_commit(struct fw *fw);
size_t fw_ct_pending(const struct fw *fw);
int fw_ct_flush_pending(struct fw *fw);
int fw_pinhole_counters(struct fw *fw, const struct fw_pinhole *p, struct fw_counters *c);
/* 1 if the kernel's SIP helper (nf_conntrack_sip) is attached to traffic in
 * this network namespace (a ct helper object of type "sip" in any table, or
 * live conntrack entries with helper=sip), 0 if not, -errno on failure.
 * `why` receives a one-line explanation with how to detach it. */
int fw_sip_helper_attached(char *why, size_t why_len);

/* Every pinhole in the kernel with its counters, in two netlink dumps
 * whatever their number: use it instead of fw_pinhole_counters() in a loop.
 * cb gets each pinhole (id 0: the kernel does not know ids; timeout_ms is
 * the element's timeout) once.  A pinhole whose element in one map is gone
 * gets zeros for that direction.  Returns the number of pinholes or -errno. */
int fw_counters_dump(struct fw *fw,
		     void (*cb)(void *ctx, const struct fw_pinhole *p, const struct fw_counters *c),
		     void *ctx);

#endif
