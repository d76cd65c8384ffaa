/*
 * fwctl - drives the firewall backend (src/daemon/fw.h) from the command
 * line, for tests/e2e/t_fw.sh and bench/bench_dataplane.sh.
 *
 *   fwctl [-l LAN]... -w WAN -a PUBLIC [-p SIPPORT]... [-t TPROXY_PORT]
 *         [-m MARK] [-r TABLE] [-i] COMMAND...
 *
 * Commands run in order; with -i more are read from stdin, one a line.
 * Each prints "ok ..." or "err CMD: why" (flushed) and the run exits 1 if
 * any failed.  Exiting without `close` leaves the table behind on purpose
 * (that is how the tests simulate a crash).
 *   open | close | commit | helper | sleep MS | hold (until stdin closes)
 *   add ID INSIDE_IP INSIDE_PORT PUBLIC_PORT TIMEOUT_MS   (queued)
 *   refresh ID INSIDE_IP INSIDE_PORT PUBLIC_PORT TIMEOUT_MS (queued)
 *   del ID INSIDE_IP INSIDE_PORT PUBLIC_PORT               (queued)
 *   counters INSIDE_IP INSIDE_PORT PUBLIC_PORT
 *   dump   (every pinhole with counters, on one line)
 *   bench TOTAL BATCH   (add TOTAL pinholes BATCH per commit, then delete)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "daemon/fw.h"

#define MAX_WORDS 8

static struct fw_config cfg;
static struct fw *fw;

static void log_cb(void *ctx, int level, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "fw[%d]: %s\n", level, msg);
}

/* CPU seconds (user + system) this process used: the kernel does the
 * netlink batch work in our context, so this is the backend's cost. */
static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ID INSIDE_IP INSIDE_PORT PUBLIC_PORT [TIMEOUT_MS] */
static int parse_pinhole(char **w, int n, int with_timeout, struct fw_pinhole *p)
{
	memset(p, 0, sizeof(*p));
	if (n < 4 + with_timeout || inet_pton(AF_INET, w[1], &p->inside_addr) != 1)
		return -EINVAL;
	p->id = (uint32_t)strtoul(w[0], NULL, 0);
	p->inside_port = (uint16_t)atoi(w[2]);
	p->public_port = (uint16_t)atoi(w[3]);
	if (with_timeout)
		p->timeout_ms = (uint32_t)strtoul(w[4], NULL, 0);
	return 0;
}

/* Pinhole number i of a bench round: distinct keys in both maps. */
static void bench_pinhole(struct fw_pinhole *p, long i)
{
	p->id = (uint32_t)i;
	p->inside_addr.s_addr = htonl(0xc0a8010aU + (uint32_t)(i / 1000));
	p->inside_port = (uint16_t)(10000 + i);
	p->public_port = (uint16_t)(10000 + i);
	p->timeout_ms = 60000;
}

/* Streams installed and removed per second, BATCH per fw_commit(), in
 * rounds of at most BENCH_ROUND (one public address has ~55,000 ports):
 * add a round, delete it. */
#define BENCH_ROUND 50000L

static int cmd_bench(long total, long batch)
{
	double t_add = 0, t_del = 0, t, cpu0 = cpu_s(), last_flush = 0;
	struct fw_pinhole p;
	long done, n, i;
	int pass, err = 0;

	for (done = 0; done < total && !err; done += n) {
		n = total - done < BENCH_ROUND ? total - done : BENCH_ROUND;
		for (pass = 0; pass < 2 && !err; pass++) {
			t = now_s();
			for (i = 0; i < n && !err; i++) {
				bench_pinhole(&p, i);
				err = pass ? fw_pinhole_del(fw, &p) : fw_pinhole_add(fw, &p);
				if (!err && ((i + 1) % batch == 0 || i + 1 == n))
					err = fw_commit(fw);
				/* as sipalgd does: one conntrack flush per
				 * FW_CT_FLUSH_MS at most */
				if (!err && fw_ct_pending(fw) && now_s() - last_flush >= 0.020) {
					err = fw_ct_flush_pending(fw);
					last_flush = now_s();
				}
			}
			*(pass ? &t_del : &t_add) += now_s() - t;
		}
	}
	if (!err)
		err = fw_ct_flush_pending(fw);
	if (err)
		return err;
	printf("ok bench streams=%ld batch=%ld add_per_s=%.0f del_per_s=%.0f streams_per_s=%.0f "
	       "streams_per_cpu_s=%.0f\n",
	       total, batch, total / t_add, total / t_del, total / (t_add + t_del),
	       total / (cpu_s() - cpu0));
	return 0;
}

static int cmd_counters(char **w, int n)
{
	struct fw_counters c;
	struct fw_pinhole p;
	char zero[] = "0", none[] = "";
	char *w4[4] = { zero, n > 0 ? w[0] : none, n > 1 ? w[1] : zero, n > 2 ? w[2] : zero };
	int err = parse_pinhole(w4, 4, 0, &p);

	if (!err)
		err = fw_pinhole_counters(fw, &p, &c);
	if (!err)
		printf("ok counters pkts_in=%llu bytes_in=%llu pkts_out=%llu bytes_out=%llu\n",
		       (unsigned long long)c.pkts_in, (unsigned long long)c.bytes_in,
		       (unsigned long long)c.pkts_out, (unsigned long long)c.bytes_out);
	return err;
}

/* One line: "ok dump n=N INSIDE:IPORT>PPORT in=P/B out=P/B ..." */
static void dump_one(void *ctx, const struct fw_pinhole *p, const struct fw_counters *c)
{
	char in[INET_ADDRSTRLEN];

	(void)ctx;
	inet_ntop(AF_INET, &p->inside_addr, in, sizeof(in));
	printf(" %s:%u>%u in=%llu/%llu out=%llu/%llu", in, p->inside_port, p->public_port,
	       (unsigned long long)c->pkts_in, (unsigned long long)c->bytes_in,
	       (unsigned long long)c->pkts_out, (unsigned long long)c->bytes_out);
}

static int cmd_dump(void)
{
	int n;

	printf("ok dump");
	n = fw_counters_dump(fw, dump_one, NULL);
	printf(" n=%d\n", n);
	return n < 0 ? n : 0;
}

static int cmd_helper(void)
{
	char why[1024];
	int r = fw_sip_helper_attached(why, sizeof(why));

	if (r >= 0)
		printf("ok helper attached=%d why=%s\n", r, why);
	return r < 0 ? r : 0;
}

static int cmd_pinhole(const char *c, char **w, int n)
{
	struct fw_pinhole p;
	int del = strcmp(c, "del") == 0, err;

	err = parse_pinhole(w, n, !del, &p);
	if (err)
		return err;
	if (del)
		return fw_pinhole_del(fw, &p);
	return strcmp(c, "add") == 0 ? fw_pinhole_add(fw, &p) : fw_pinhole_refresh(fw, &p);
}

static int needs_fw(const char *c)
{
	return strcmp(c, "open") && strcmp(c, "helper") && strcmp(c, "sleep") &&
	       strcmp(c, "hold");
}

/* Runs one command (w[0]) with n - 1 arguments; 0 or -errno. */
static int run(char **w, int n)
{
	const char *c = w[0];
	char buf[256];

	if (needs_fw(c) && !fw)
		return -EBADF;
	if (strcmp(c, "open") == 0)
		return fw_open(&fw, &cfg);
	if (strcmp(c, "close") == 0) {
		fw_close(fw);
		fw = NULL;
		return 0;
	}
	if (strcmp(c, "commit") == 0) {
		int err = fw_commit(fw);
		return err ? err : fw_ct_flush_pending(fw);
	}
	if (strcmp(c, "add") == 0 || strcmp(c, "refresh") == 0 || strcmp(c, "del") == 0)
		return cmd_pinhole(c, w + 1, n - 1);
	if (strcmp(c, "counters") == 0)
		return cmd_counters(w + 1, n - 1);
	if (strcmp(c, "helper") == 0)
		return cmd_helper();
	if (strcmp(c, "dump") == 0)
		return cmd_dump();
	if (strcmp(c, "bench") == 0 && n == 3)
		return cmd_bench(atol(w[1]), atol(w[2]) > 0 ? atol(w[2]) : 1);
	if (strcmp(c, "sleep") == 0 && n == 2)
		return usleep((useconds_t)atol(w[1]) * 1000) < 0 ? -errno : 0;
	if (strcmp(c, "hold") == 0) {
		while (fgets(buf, sizeof(buf), stdin))
			;
		return 0;
	}
	return -EINVAL;
}

static int run_report(char **w, int n)
{
	int err = run(w, n);

	if (err)
		printf("err %s: %s\n", w[0], strerror(-err));
	else if (strcmp(w[0], "counters") && strcmp(w[0], "helper") && strcmp(w[0], "bench") &&
		 strcmp(w[0], "dump"))
		printf("ok %s\n", w[0]);
	fflush(stdout);
	return err ? 1 : 0;
}

/* The commands on argv: each word starts a command and takes the words up
 * to the next command word. */
static int is_cmd(const char *s)
{
	static const char *const cmds[] = {
		"open", "close", "commit", "helper",   "sleep", "hold",
		"add",	"refresh", "del",  "counters", "bench", "dump",
	};
	size_t i;

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(s, cmds[i]) == 0)
			return 1;
	return 0;
}

static int run_stdin(void)
{
	char line[512], *w[MAX_WORDS], *save = NULL, *t;
	int n, fails = 0;

	while (fgets(line, sizeof(line), stdin)) {
		n = 0;
		for (t = strtok_r(line, " \t\n", &save); t && n < MAX_WORDS;
		     t = strtok_r(NULL, " \t\n", &save))
			w[n++] = t;
		if (n > 0)
			fails += run_report(w, n);
	}
	return fails;
}

static int options(int argc, char **argv, int *interactive)
{
	int o;

	cfg.tproxy_port = 5060;
	cfg.mark = 0x5a;
	cfg.route_table = 100;
	cfg.log = log_cb;
	while ((o = getopt(argc, argv, "l:w:a:p:t:m:r:i")) != -1) {
		if (o == 'l' && cfg.ninside_ifs < FW_MAX_IFS)
			snprintf(cfg.inside_ifs[cfg.ninside_ifs++], IF_NAMESIZE, "%s", optarg);
		else if (o == 'w')
			snprintf(cfg.outside_if, IF_NAMESIZE, "%s", optarg);
		else if (o == 'a' && inet_pton(AF_INET, optarg, &cfg.public_addr) == 1)
			;
		else if (o == 'p' && cfg.nsip_ports < FW_MAX_PORTS)
			cfg.sip_ports[cfg.nsip_ports++] = (uint16_t)atoi(optarg);
		else if (o == 't')
			cfg.tproxy_port = (uint16_t)atoi(optarg);
		else if (o == 'm')
			cfg.mark = (uint32_t)strtoul(optarg, NULL, 0);
		else if (o == 'r')
			cfg.route_table = (uint32_t)strtoul(optarg, NULL, 0);
		else if (o == 'i')
			*interactive = 1;
		else
			return -1;
	}
	if (cfg.nsip_ports == 0)
		cfg.sip_ports[cfg.nsip_ports++] = 5060;
	return 0;
}

int main(int argc, char **argv)
{
	int interactive = 0, fails = 0, i, j;

	if (options(argc, argv, &interactive) < 0) {
		fprintf(stderr, "usage: fwctl [-l LAN]... -w WAN -a PUBLIC [-p PORT]... "
				"[-t TPROXY] [-m MARK] [-r TABLE] [-i] COMMAND...\n");
		return 2;
	}
	for (i = optind; i < argc; i = j) {
		for (j = i + 1; j < argc && !is_cmd(argv[j]); j++)
			;
		fails += run_report(argv + i, j - i);
	}
	if (interactive)
		fails += run_stdin();
	return fails ? 1 : 0;
}
