/*
 * test_daemon_util.c - the daemon's pure helpers: log_kv quoting (wire
 * bytes never reach the log raw), address formatting and prefix matching,
 * and the stats renderings (Prometheus text format).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "daemon/log.h"
#include "daemon/net.h"
#include "daemon/stats.h"

static void kv(char *buf, size_t size, const char *k, const char *v)
{
	size_t n = 0;

	buf[0] = 0;
	log_kv(buf, size, &n, k, v);
}

static void t_kv_plain(void)
{
	char b[128];
	size_t n = 0;

	log_kv(b, sizeof(b), &n, "event", "rewrite");
	log_kv(b, sizeof(b), &n, "call_id", "abc@1.2.3.4");
	CHECK(!strcmp(b, "event=rewrite call_id=abc@1.2.3.4"));
	CHECK_EQ_INT(n, strlen(b));
}

static void t_kv_quoting(void)
{
	char b[128];

	kv(b, sizeof(b), "from", "\"Alice\" <sip:a@b>");
	CHECK(!strcmp(b, "from=\"\\\"Alice\\\" <sip:a@b>\""));
	kv(b, sizeof(b), "x", "");
	CHECK(!strcmp(b, "x=\"\""));
	kv(b, sizeof(b), "x", "a=b");
	CHECK(!strcmp(b, "x=\"a=b\""));
	kv(b, sizeof(b), "x", "back\\slash");
	CHECK(!strcmp(b, "x=\"back\\\\slash\""));
}

/* CR, LF and other control bytes from the wire cannot forge log lines. */
static void t_kv_control_bytes(void)
{
	char b[128];

	kv(b, sizeof(b), "call_id", "x\r\nevent=forged\x01");
	CHECK(!strchr(b, '\n') && !strchr(b, '\r') && !strchr(b, 1));
	CHECK(!strcmp(b, "call_id=\"x??event=forged?\""));
}

static void t_kv_truncation(void)
{
	char b[16];
	size_t n = 0;

	memset(b, 'Z', sizeof(b));
	log_kv(b, sizeof(b), &n, "key", "a-value-much-longer-than-the-buffer");
	CHECK_EQ_INT(strlen(b), sizeof(b) - 1);
	CHECK(!strncmp(b, "key=a-value-mu", 14));
	log_kv(b, sizeof(b), &n, "more", "x"); /* full: still terminated */
	CHECK_EQ_INT(strlen(b), sizeof(b) - 1);
}

/* A flood: the first per_s lines of a second pass, the rest are counted. */
static void t_log_limit(void)
{
	struct log_limit l = { 0 };
	int allowed = 0;

	for (int i = 0; i < 25; i++)
		allowed += log_limit_allow(&l, 20);
	CHECK_EQ_INT(allowed, 20);
	CHECK_EQ_INT(l.suppressed, 5);
}

static struct alg_addr a4(const char *ip, uint16_t port)
{
	struct alg_addr a = { .family = 4, .port = port };

	inet_pton(AF_INET, ip, a.ip);
	return a;
}

static void t_fmt_eq(void)
{
	char b[NET_ADDR_STR];
	struct alg_addr x = a4("192.0.2.7", 5060), y = a4("192.0.2.7", 5060), none = { 0 };
	struct sockaddr_in sin;

	CHECK(!strcmp(net_fmt(&x, b), "192.0.2.7:5060"));
	CHECK(!strcmp(net_fmt(&none, b), "-"));
	CHECK(net_eq(&x, &y));
	y.port = 5061;
	CHECK(!net_eq(&x, &y));
	CHECK(net_hash(&x) != net_hash(&y));
	net_to_sin(&x, &sin);
	CHECK_EQ_INT(ntohs(sin.sin_port), 5060);
	net_from_sin(&sin, &y);
	CHECK(net_eq(&x, &y));
}

static void t_prefixes(void)
{
	struct alg_prefix p[3] = {
		{ a4("192.168.1.0", 0), 24 }, { a4("10.0.0.0", 0), 8 }, { a4("172.16.0.5", 0), 32 },
	};
	struct alg_addr x;

	x = a4("192.168.1.200", 1);
	CHECK(net_in_prefixes(&x, p, 3));
	x = a4("192.168.2.1", 1);
	CHECK(!net_in_prefixes(&x, p, 3));
	x = a4("10.255.255.255", 1);
	CHECK(net_in_prefixes(&x, p, 3));
	x = a4("172.16.0.5", 1);
	CHECK(net_in_prefixes(&x, p, 3));
	x = a4("172.16.0.6", 1);
	CHECK(!net_in_prefixes(&x, p, 3));
	x = a4("203.0.113.1", 1);
	CHECK(!net_in_prefixes(&x, p, 3));
	CHECK(!net_in_prefixes(&x, p, 0));
	struct alg_prefix all = { a4("0.0.0.0", 0), 0 };
	CHECK(net_in_prefixes(&x, &all, 1));
}

static void t_stats_text(void)
{
	static char b[16384];
	struct stats_gauges g = { .bindings = 3, .tcp_conns = 1, .pinholes = 4, .uptime_ms = 65000 };
	struct alg_counters ac = { .rewritten = 7, .calls = 2 };

	memset(&stats, 0, sizeof(stats));
	stats.udp_rx_inside = 42;
	size_t n = stats_text(b, sizeof(b), &g, &ac);
	CHECK_EQ_INT(n, strlen(b));
	CHECK(strstr(b, "\nudp_rx_outside 0\n") || strstr(b, "udp_rx_outside 0\n"));
	CHECK(!strncmp(b, "udp_rx_inside 42\n", 17));
	CHECK(strstr(b, "\nrewritten 7\n"));
	CHECK(strstr(b, "\ncalls 2\n"));
	CHECK(strstr(b, "\nbindings 3\n"));
	CHECK(strstr(b, "\nuptime_seconds 65\n"));
}

/* Every sample line is preceded by its HELP and TYPE lines; counters end
 * in _total; names are [a-z_]. */
static void t_stats_prometheus(void)
{
	static char b[32768];
	struct stats_gauges g = { 0 };
	struct alg_counters ac = { 0 };
	char *save, *line, help[128] = "", type[128] = "";
	int samples = 0;

	stats_prometheus(b, sizeof(b), &g, &ac);
	for (line = strtok_r(b, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[128];
		if (!strncmp(line, "# HELP ", 7)) {
			sscanf(line + 7, "%127s", help);
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			sscanf(line + 7, "%127s", type);
			CHECK(strstr(line, " counter") || strstr(line, " gauge"));
			if (strstr(line, " counter"))
				CHECK(strlen(type) > 6 && !strcmp(type + strlen(type) - 6, "_total"));
			continue;
		}
		CHECK_EQ_INT(sscanf(line, "%127s", name), 1);
		CHECK(!strcmp(name, help) && !strcmp(name, type));
		CHECK(!strncmp(name, "sipalg_", 7));
		CHECK(strspn(name, "abcdefghijklmnopqrstuvwxyz_") == strlen(name));
		samples++;
	}
	CHECK(samples > 30);
}

static void t_stats_small_buffer(void)
{
	char b[64];
	struct stats_gauges g = { 0 };
	struct alg_counters ac = { 0 };

	size_t n = stats_prometheus(b, sizeof(b), &g, &ac);
	CHECK(n < sizeof(b));
	CHECK_EQ_INT(strlen(b), n);
}

static const struct check_case cases[] = {
	{ "log_kv_plain", t_kv_plain },
	{ "log_kv_quoting", t_kv_quoting },
	{ "log_kv_control_bytes", t_kv_control_bytes },
	{ "log_kv_truncation", t_kv_truncation },
	{ "log_limit", t_log_limit },
	{ "net_fmt_eq_hash", t_fmt_eq },
	{ "net_in_prefixes", t_prefixes },
	{ "stats_text", t_stats_text },
	{ "stats_prometheus_format", t_stats_prometheus },
	{ "stats_small_buffer", t_stats_small_buffer },
	{ NULL, NULL },
};

int main(void)
{
	return check_run("daemon_util", cases);
}
