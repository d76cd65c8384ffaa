/*
 * main.c - sipalgd: arguments, start-up checks, the loop's hooks, reload
 * and shutdown.
 *
 *   sipalgd [-c FILE] [-f] [--log stderr|syslog] [--check-config]
 *
 * Start-up order: config -> refuse if the kernel SIP helper is attached
 * (two ALGs rewriting the same packets is the classic double-ALG
 * breakage) -> firewall (fw_open clears a crashed run's leftovers) ->
 * engine -> sockets -> control socket.  Shutdown is the reverse; fw_close
 * removes the table and the policy routes.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/binding.h"
#include "daemon/config.h"
#include "daemon/ctl.h"
#include "daemon/fw.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/net.h"
#include "daemon/proto.h"
#include "daemon/stats.h"
#include "daemon/tcp_proxy.h"
#include "daemon/udp_proxy.h"

#define HOUSEKEEPING_MS 1000u

static struct daemon_config cfg;
static const char *cfg_path = "/etc/sipalg/sipalg.conf";
static char abs_path[PATH_MAX];
static const struct proto *proto = &proto_sip;
static struct fw *fw;
static uint64_t next_housekeeping, next_poll, next_ct_flush;

/* New pinholes need a conntrack flush (fw.h) *before* the answer that
 * carries them is delivered: once the far end's media reaches the pinhole
 * while a stale masquerade entry holds the inside port, conntrack gives the
 * new flow another port for good (seen with baresip, which sends RTCP just
 * before its 200 OK).  A flush costs one conntrack dump (~6.5 ms) however
 * many pinholes wait, so it runs at most once per this interval: every
 * call gets it in time at ordinary rates; under a flood of call set-ups
 * the cost stays bounded (~50 dumps/s) and a late flush only undoes the
 * stale entry itself. */
#define FW_CT_FLUSH_MS 20

static void ct_flush_maybe(uint64_t now)
{
	if (!fw || !fw_ct_pending(fw) || now < next_ct_flush)
		return;
	fw_ct_flush_pending(fw);
	next_ct_flush = now + FW_CT_FLUSH_MS;
}

/* Errors go to stderr at start-up and to the log on reload. */
static int load(struct daemon_config *c, const char *log_override, int running)
{
	char err[512];

	config_defaults(c);
	if (config_load(c, cfg_path, err, sizeof(err)) || config_finish(c, err, sizeof(err))) {
		if (running)
			log_event(LOG_ERR, "event=config_error msg=\"%s\"", err);
		else
			fprintf(stderr, "sipalgd: %s\n", err);
		return -1;
	}
	if (log_override)
		c->log_target = strcmp(log_override, "syslog") ? LOG_TO_STDERR : LOG_TO_SYSLOG;
	net_local_refresh();
	c->fw.log = log_fw;
	return 0;
}

/* Only these need the firewall rebuilt (pinholes are then lost). */
static int fw_changed(const struct fw_config *a, const struct fw_config *b)
{
	return a->ninside_ifs != b->ninside_ifs || a->nsip_ports != b->nsip_ports ||
	       memcmp(a->inside_ifs, b->inside_ifs, sizeof(a->inside_ifs)) ||
	       strcmp(a->outside_if, b->outside_if) ||
	       memcmp(a->sip_ports, b->sip_ports, sizeof(a->sip_ports)) ||
	       a->public_addr.s_addr != b->public_addr.s_addr || a->mark != b->mark ||
	       a->route_table != b->route_table;
}

static void reload(void)
{
	struct daemon_config n;

	log_event(LOG_NOTICE, "event=reload path=%s", cfg_path);
	if (load(&n, cfg.log_target == LOG_TO_SYSLOG ? "syslog" : "stderr", 1))
		return; /* keep running with the old configuration */
	if (n.fw.tproxy_port != cfg.fw.tproxy_port || strcmp(n.ctl_path, cfg.ctl_path)) {
		log_event(LOG_WARNING, "event=reload msg=\"tproxy_port and control_socket "
				       "changes need a restart; kept the old values\"");
		n.fw.tproxy_port = cfg.fw.tproxy_port;
		memcpy(n.ctl_path, cfg.ctl_path, sizeof(n.ctl_path));
	}
	if (fw_changed(&n.fw, &cfg.fw)) {
		log_event(LOG_WARNING, "event=reload msg=\"interfaces, ports or address changed: "
				       "firewall rebuilt, open pinholes dropped\"");
		fw_close(fw);
		fw = NULL;
		if (fw_open(&fw, &n.fw))
			log_event(LOG_ERR, "event=reload msg=\"firewall rebuild failed\"");
	}
	int ports_changed = n.fw.nsip_ports != cfg.fw.nsip_ports ||
			    memcmp(n.fw.sip_ports, cfg.fw.sip_ports, sizeof(n.fw.sip_ports));
	cfg = n;
	if (ports_changed && (udp_proxy_relisten() < 0 || tcp_proxy_relisten() < 0))
		log_event(LOG_ERR, "event=reload msg=\"could not listen on every SIP port\"");
	log_set_level(cfg.log_level);
	if (proto->reconfigure(&cfg) < 0)
		log_event(LOG_ERR, "event=reload msg=\"engine rejected the configuration\"");
	binding_reconfigure(&cfg);
}

static void on_signal(int signo, void *ctx)
{
	(void)ctx;
	if (signo == SIGHUP) {
		reload();
		return;
	}
	log_event(LOG_NOTICE, "event=stop signal=%s", strsignal(signo));
	loop_stop();
}

static void on_timer(uint64_t now, void *ctx)
{
	(void)ctx;
	proto->expire(now);
	ct_flush_maybe(now);
	if (now >= next_housekeeping) {
		binding_expire(now);
		tcp_proxy_expire(now);
		next_housekeeping = now + HOUSEKEEPING_MS;
	}
	if (now >= next_poll) {
		proto->media_poll(now);
		next_poll = now + cfg.media_poll_ms;
	}
}

static uint64_t next_deadline(void *ctx)
{
	uint64_t d = proto->next_deadline();

	(void)ctx;
	if (next_housekeeping < d)
		d = next_housekeeping;
	if (fw && fw_ct_pending(fw) && next_ct_flush < d)
		d = next_ct_flush;
	return next_poll < d ? next_poll : d;
}

static void after_batch(void *ctx)
{
	(void)ctx;
	/* One firewall transaction per batch, before the batch's messages
	 * leave: the answer that tells a phone where to send media must not
	 * arrive before the pinhole exists (its first RTP packet would create
	 * a plain masquerade conntrack entry that the pinhole never fixes). */
	proto->commit();
	ct_flush_maybe(loop_now()); /* before the answers leave: see FW_CT_FLUSH_MS */
	udp_proxy_flush();
	tcp_proxy_flush();
	binding_reap();
	tcp_proxy_reap();
}

static int check_double_alg(void)
{
	char why[1024] = "", line[LOG_LINE_MAX];
	int rc = fw_sip_helper_attached(why, sizeof(why));
	size_t n = 0;

	if (rc > 0) {
		fprintf(stderr, "sipalgd: refusing to start: %s\n", why);
		if (cfg.log_target == LOG_TO_SYSLOG) {
			log_kv(line, sizeof(line), &n, "event", "refuse");
			log_kv(line, sizeof(line), &n, "reason", why);
			log_line(LOG_ERR, line);
		}
		return -1;
	}
	if (rc < 0)
		log_event(LOG_WARNING, "event=helper_check error=\"%s\"", strerror(-rc));
	return 0;
}

static int start(void)
{
	int rc;

	if ((rc = loop_init()) < 0)
		return fprintf(stderr, "sipalgd: event loop: %s\n", strerror(-rc)), -1;
	if ((rc = fw_open(&fw, &cfg.fw)) < 0)
		return fprintf(stderr, "sipalgd: firewall: %s\n", strerror(-rc)), -1;
	if ((rc = proto->init(&cfg, fw)) < 0)
		return fprintf(stderr, "sipalgd: engine: %s\n", strerror(-rc)), -1;
	binding_init(&cfg, udp_proxy_binding_readable);
	if ((rc = udp_proxy_open(&cfg, proto)) < 0)
		return fprintf(stderr, "sipalgd: UDP listeners (tproxy and SIP ports): %s\n",
			       strerror(-rc)), -1;
	if ((rc = tcp_proxy_open(&cfg, proto)) < 0)
		return fprintf(stderr, "sipalgd: TCP listeners (tproxy and SIP ports): %s\n",
			       strerror(-rc)), -1;
	if ((rc = ctl_open(cfg.ctl_path)) < 0)
		return fprintf(stderr, "sipalgd: control socket %s: %s\n", cfg.ctl_path,
			       strerror(-rc)), -1;
	return 0;
}

static void stop(void)
{
	ctl_close();
	tcp_proxy_close();
	udp_proxy_close();
	binding_fini();
	tcp_proxy_reap();
	if (proto->fini)
		proto->fini();
	if (fw)
		fw_close(fw);
	fw = NULL;
	loop_close();
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sipalgd [-c FILE] [-f] [--log stderr|syslog] [--check-config]\n"
		   "  -c FILE          configuration (default /etc/sipalg/sipalg.conf)\n"
		   "  -f               stay in the foreground\n"
		   "  --log TARGET     override the configured log target\n"
		   "  --check-config   validate, print the effective configuration, exit\n");
}

struct args {
	const char *log_override;
	int check, foreground;
};

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "check-config", no_argument, NULL, 'C' }, { "log", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },         { "foreground", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "c:fh", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			/* Absolute, so that a reload after daemon()'s chdir("/")
			 * still finds it. */
			cfg_path = realpath(optarg, abs_path) ? abs_path : optarg;
			break;
		case 'f': a->foreground = 1; break;
		case 'C': a->check = 1; break;
		case 'L':
			if (strcmp(optarg, "stderr") && strcmp(optarg, "syslog"))
				return usage(stderr), 2;
			a->log_override = optarg;
			break;
		case 'h': return usage(stdout), 0;
		default: return usage(stderr), 2;
		}
	}
	return optind != argc ? (usage(stderr), 2) : -1;
}

static const char *const mode_names[] = { "alg", "pinhole", "off" };

/*
 * Transparent huge pages for the heap.  A flood of new calls grows the
 * engine's pools by tens of MiB (2.5 KiB per call, doubling), and with
 * 4 KiB pages each page is a fault: a fifth of sipalgd's CPU per new-call
 * INVITE in bench_dataplane.sh's sip_fwd (one fault per message).  glibc
 * (>= 2.35) asks for huge pages on its heap only when its tunable
 * glibc.malloc.hugetlb=1 is set at start, so sipalgd executes itself once
 * more with it, unless GLIBC_TUNABLES already names it (=0 turns it off).
 * A failed exec just runs on with 4 KiB pages.
 */
static void heap_thp_reexec(char **argv)
{
	const char *t = getenv("GLIBC_TUNABLES");
	char buf[1024], self[PATH_MAX];
	ssize_t n;

	if (t && strstr(t, "glibc.malloc.hugetlb"))
		return;
	/* Executed by the link's target, not by "/proc/self/exe" itself:
	 * the process name (comm, pidof) comes from the path executed. */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || (size_t)n >= sizeof(self) - 1)
		return;
	self[n] = '\0';
	snprintf(buf, sizeof(buf), "%s%sglibc.malloc.hugetlb=1", t ? t : "", t && *t ? ":" : "");
	if (setenv("GLIBC_TUNABLES", buf, 1) == 0)
		execv(self, argv);
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	int rc = parse_args(argc, argv, &a);

	if (rc >= 0)
		return rc;
	if (load(&cfg, a.log_override, 0))
		return 1;
	if (a.check) {
		config_print(&cfg, stdout);
		return 0;
	}
	heap_thp_reexec(argv);
	log_init(cfg.log_target, cfg.log_level);
	/* A second instance would tear down the first one's table (fw_open
	 * clears "leftovers"): the control socket doubles as the lock. */
	if (ctl_in_use(cfg.ctl_path)) {
		fprintf(stderr, "sipalgd: another sipalgd answers on %s; not starting\n",
			cfg.ctl_path);
		return 1;
	}
	if (check_double_alg())
		return 1;
	if (!a.foreground && daemon(0, 0))
		return perror("sipalgd: daemon"), 1;
	rc = 1;
	if (start() == 0) {
		struct loop_hooks h = { on_signal, on_timer, next_deadline, after_batch, NULL };
		stats.started_ms = loop_now();
		log_event(LOG_NOTICE, "event=start mode=%s tproxy_port=%u", mode_names[cfg.alg.mode % 3],
			  cfg.fw.tproxy_port);
		rc = loop_run(&h) < 0;
	}
	stop();
	return rc;
}
