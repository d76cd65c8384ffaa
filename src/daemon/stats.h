/*
 * stats.h - the daemon's own counters (transport level) and their text
 * and Prometheus renderings for the control socket.  The engine's
 * counters (alg_query.h) are added by the caller.
 *
 * One global struct, written only from the loop thread.  The render
 * functions append to a caller-owned buffer and return the new length.
 */
#ifndef SIPALG_DAEMON_STATS_H
#define SIPALG_DAEMON_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "alg/alg_query.h"

struct stats {
	uint64_t udp_rx_inside, udp_rx_outside;   /* datagrams received */
	uint64_t udp_tx_inside, udp_tx_outside;   /* datagrams sent */
	uint64_t tx_errors;
	uint64_t not_inside;  /* reached the listener, not from inside: dropped */
	uint64_t dropped, replied, failed_open;
	uint64_t bindings_created, bindings_closed, bindings_refused;
	uint64_t tcp_accepted, tcp_refused, tcp_closed;
	uint64_t tcp_msgs_inside, tcp_msgs_outside;
	uint64_t tcp_keepalives, tcp_frame_errors, tcp_timeouts, tcp_overflows;
	uint64_t fw_errors, fw_commits;
	uint64_t pinholes_shadowed; /* inside endpoint already mapped: not installed */
	uint64_t calls_ended;
	uint64_t started_ms;
};

extern struct stats stats;

struct stats_gauges {
	unsigned bindings, tcp_conns, pinholes;
	uint64_t uptime_ms;
};

/* "name value" lines. */
size_t stats_text(char *buf, size_t size, const struct stats_gauges *g,
		  const struct alg_counters *ac);
/* Prometheus text exposition format 0.0.4. */
size_t stats_prometheus(char *buf, size_t size, const struct stats_gauges *g,
			const struct alg_counters *ac);

#endif
