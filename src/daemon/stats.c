/*
 * stats.c - counter tables and their renderings.  One row per counter:
 * adding a counter is one field plus one row.
 */
#include "daemon/stats.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct stats stats;

enum src { S_DAEMON, S_ENGINE, S_ENGINE32, S_GAUGE, S_GAUGE64 };

struct row {
	const char *name;
	const char *help;
	enum src src;
	size_t off;
	int counter; /* 1: monotonic counter, 0: gauge */
};

#define D(f) S_DAEMON, offsetof(struct stats, f), 1
#define E(f) S_ENGINE, offsetof(struct alg_counters, f), 1
#define E32(f) S_ENGINE32, offsetof(struct alg_counters, f), 0
#define G(f) S_GAUGE, offsetof(struct stats_gauges, f), 0

static const struct row rows[] = {
	{ "udp_rx_inside", "UDP datagrams received from inside", D(udp_rx_inside) },
	{ "udp_rx_outside", "UDP datagrams received from outside", D(udp_rx_outside) },
	{ "udp_tx_inside", "UDP datagrams sent to inside", D(udp_tx_inside) },
	{ "udp_tx_outside", "UDP datagrams sent to outside", D(udp_tx_outside) },
	{ "tx_errors", "send errors", D(tx_errors) },
	{ "not_inside", "datagrams at the listener not from an inside prefix", D(not_inside) },
	{ "dropped", "messages dropped by policy", D(dropped) },
	{ "replied", "messages answered by sipalgd (error responses)", D(replied) },
	{ "engine_errors", "engine errors (message forwarded unchanged)", D(failed_open) },
	{ "bindings_created", "signalling bindings created", D(bindings_created) },
	{ "bindings_closed", "signalling bindings closed", D(bindings_closed) },
	{ "bindings_refused", "bindings that could not be created", D(bindings_refused) },
	{ "tcp_accepted", "TCP connections accepted from inside", D(tcp_accepted) },
	{ "tcp_refused", "TCP connections refused (limits, connect failure)", D(tcp_refused) },
	{ "tcp_closed", "TCP connection pairs closed", D(tcp_closed) },
	{ "tcp_msgs_inside", "SIP messages framed on inside TCP streams", D(tcp_msgs_inside) },
	{ "tcp_msgs_outside", "SIP messages framed on outside TCP streams", D(tcp_msgs_outside) },
	{ "tcp_keepalives", "RFC 5626 keep-alives passed", D(tcp_keepalives) },
	{ "tcp_frame_errors", "TCP streams closed on a framing error", D(tcp_frame_errors) },
	{ "tcp_timeouts", "TCP connections closed by idle or partial timers", D(tcp_timeouts) },
	{ "tcp_overflows", "TCP connections closed on buffer overflow", D(tcp_overflows) },
	{ "fw_errors", "firewall operations that failed", D(fw_errors) },
	{ "fw_commits", "firewall transactions committed", D(fw_commits) },
	{ "pinholes_shadowed", "pinholes not installed: inside endpoint already mapped", D(pinholes_shadowed) },
	{ "calls_ended", "call records written", D(calls_ended) },
	{ "msgs_in", "messages from outside seen by the engine", E(msgs_in) },
	{ "msgs_out", "messages from inside seen by the engine", E(msgs_out) },
	{ "rewritten", "messages forwarded with edits", E(rewritten) },
	{ "unchanged", "messages forwarded byte-identical", E(unchanged) },
	{ "failed_open", "edits abandoned, original forwarded", E(failed_open) },
	{ "unparsed", "messages that did not parse (forwarded unchanged)", E(unparsed) },
	{ "engine_dropped", "messages dropped by the engine", E(dropped) },
	{ "pinholes_opened", "media pinholes opened", E(pinholes_opened) },
	{ "pinholes_closed", "media pinholes closed", E(pinholes_closed) },
	{ "calls", "calls in progress", E32(calls) },
	{ "registrations", "registered bindings", E32(registrations) },
	{ "transactions", "client transactions remembered", E32(transactions) },
	{ "bindings", "signalling bindings (UDP)", G(bindings) },
	{ "tcp_connections", "TCP connection pairs", G(tcp_conns) },
	{ "pinholes", "media pinholes open", G(pinholes) },
	{ "uptime_seconds", "seconds since start", S_GAUGE64, offsetof(struct stats_gauges, uptime_ms), 0 },
	{ NULL, NULL, 0, 0, 0 },
};

static uint64_t read64(const void *base, size_t off)
{
	uint64_t v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

static uint32_t read32(const void *base, size_t off)
{
	uint32_t v;

	memcpy(&v, (const char *)base + off, sizeof(v));
	return v;
}

static uint64_t value(const struct row *r, const struct stats_gauges *g,
		      const struct alg_counters *ac)
{
	switch (r->src) {
	case S_DAEMON:
		return read64(&stats, r->off);
	case S_ENGINE:
		return read64(ac, r->off);
	case S_ENGINE32:
		return read32(ac, r->off);
	case S_GAUGE:
		return read32(g, r->off); /* unsigned */
	case S_GAUGE64:
		return read64(g, r->off) / 1000;
	}
	return 0;
}

static size_t add(char *buf, size_t size, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static size_t add(char *buf, size_t size, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (n >= size)
		return n;
	va_start(ap, fmt);
	k = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	return k < 0 ? n : n + (size_t)k;
}

size_t stats_text(char *buf, size_t size, const struct stats_gauges *g,
		  const struct alg_counters *ac)
{
	size_t n = 0;

	for (const struct row *r = rows; r->name; r++)
		n = add(buf, size, n, "%s %llu\n", r->name,
			(unsigned long long)value(r, g, ac));
	return n < size ? n : size - 1;
}

size_t stats_prometheus(char *buf, size_t size, const struct stats_gauges *g,
			const struct alg_counters *ac)
{
	size_t n = 0;

	for (const struct row *r = rows; r->name; r++) {
		const char *sfx = r->counter ? "_total" : "";
		n = add(buf, size, n, "# HELP sipalg_%s%s %s\n", r->name, sfx, r->help);
		n = add(buf, size, n, "# TYPE sipalg_%s%s %s\n", r->name, sfx,
			r->counter ? "counter" : "gauge");
		n = add(buf, size, n, "sipalg_%s%s %llu\n", r->name, sfx,
			(unsigned long long)value(r, g, ac));
	}
	return n < size ? n : size - 1;
}
