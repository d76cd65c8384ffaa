/*
 * ctl.c - the control socket: one command per connection, answered from a
 * table of commands.  Answers are built in a growing buffer and written
 * with a short send timeout, so a stuck client cannot stall the loop for
 * long (the socket is root-only; clients are `sipalg` and scripts).
 */
#include "daemon/ctl.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "alg/alg_query.h"
#include "daemon/binding.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/media.h"
#include "daemon/net.h"
#include "daemon/stats.h"
#include "daemon/tcp_proxy.h"

struct out {
	char *p;
	size_t len, cap;
};

static struct loop_watch lw = { .fd = -1 };
static char sock_path[108];
static int tracing;

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		char *np = realloc(o->p, o->cap * 2 + (size_t)n);
		if (!np)
			return;
		o->p = np;
		o->cap = o->cap * 2 + (size_t)n;
	}
}

static uint64_t age_s(uint64_t t)
{
	uint64_t now = loop_now();

	return t && now > t ? (now - t) / 1000 : 0;
}

static const char *const call_states[] = { "trying", "early", "confirmed" };

static int one_call(void *ctx, const struct alg_call_info *c)
{
	char a1[NET_ADDR_STR], a2[NET_ADDR_STR];

	outf(ctx, "call_id=\"%s\" state=%s direction=%s from=\"%s\" to=\"%s\" inside=%s "
		  "binding=%s age_s=%llu answered_s=%llu media_idle_s=%llu early=%u pinholes=%u\n",
	     c->call_id, call_states[c->state % 3], c->inbound ? "in" : "out", c->from, c->to,
	     net_fmt(&c->inside, a1), net_fmt(&c->binding, a2),
	     (unsigned long long)age_s(c->start_ms), (unsigned long long)age_s(c->answer_ms),
	     (unsigned long long)age_s(c->last_media_ms), c->nearly, c->npinholes);
	return 0;
}

static int one_reg(void *ctx, const struct alg_registration_info *r)
{
	char a1[NET_ADDR_STR], a2[NET_ADDR_STR], a3[NET_ADDR_STR];
	uint64_t now = loop_now(), exp = r->binding.expires_ms;

	outf(ctx, "aor=\"%s\" inside=%s public=%s registrar=%s transport=%s granted_s=%u "
		  "expires_in_s=%llu\n",
	     r->aor, net_fmt(&r->binding.inside, a1), net_fmt(&r->binding.public_ep, a2),
	     net_fmt(&r->binding.registrar, a3), r->binding.transport == ALG_TCP ? "tcp" : "udp",
	     r->granted_s, (unsigned long long)(exp > now ? (exp - now) / 1000 : 0));
	return 0;
}

static int one_pinhole(void *ctx, const struct alg_pinhole_info *p)
{
	char a1[NET_ADDR_STR], a2[NET_ADDR_STR];
	struct fw_counters c = { 0 };

	media_counters(p->pin.id, &c);
	outf(ctx, "id=%u call_id=\"%s\" media=%s%s public=%s inside=%s timeout_ms=%u "
		  "media_idle_s=%llu pkts_in=%llu bytes_in=%llu pkts_out=%llu bytes_out=%llu\n",
	     p->pin.id, p->call_id, p->media[0] ? p->media : "-", p->rtcp ? "/rtcp" : "",
	     net_fmt(&p->pin.public_ep, a1), net_fmt(&p->pin.inside_ep, a2), p->pin.timeout_ms,
	     (unsigned long long)age_s(p->last_media_ms), (unsigned long long)c.pkts_in,
	     (unsigned long long)c.bytes_in, (unsigned long long)c.pkts_out,
	     (unsigned long long)c.bytes_out);
	return 0;
}

static int one_binding(void *ctx, const struct binding *b)
{
	char a1[NET_ADDR_STR], a2[NET_ADDR_STR];
	uint64_t now = loop_now();

	outf(ctx, "inside=%s public=%s transport=udp age_s=%llu idle_s=%llu expires_in_s=%llu "
		  "msgs_out=%llu msgs_in=%llu\n",
	     net_fmt(&b->inside, a1), net_fmt(&b->public_ep, a2),
	     (unsigned long long)age_s(b->created_ms), (unsigned long long)age_s(b->last_ms),
	     (unsigned long long)(b->expires_ms > now ? (b->expires_ms - now) / 1000 : 0),
	     (unsigned long long)b->msgs_out, (unsigned long long)b->msgs_in);
	return 0;
}

static void gauges(struct stats_gauges *g, struct alg_counters *ac)
{
	g->bindings = binding_count();
	g->tcp_conns = tcp_proxy_count();
	g->pinholes = media_open_count();
	g->uptime_ms = loop_now() - stats.started_ms;
	memset(ac, 0, sizeof(*ac));
	alg_get_counters(proto_sip_engine(), ac);
}

static void render_stats(struct out *o, int prom)
{
	struct stats_gauges g;
	struct alg_counters ac;
	char buf[16384];

	gauges(&g, &ac);
	if (prom)
		stats_prometheus(buf, sizeof(buf), &g, &ac);
	else
		stats_text(buf, sizeof(buf), &g, &ac);
	outf(o, "%s", buf);
}

static void c_calls(struct out *o, const char *arg)
{
	(void)arg;
	alg_calls_each(proto_sip_engine(), one_call, o);
}

static void c_regs(struct out *o, const char *arg)
{
	(void)arg;
	alg_registrations_each(proto_sip_engine(), one_reg, o);
}

static void c_pinholes(struct out *o, const char *arg)
{
	(void)arg;
	alg_pinholes_each(proto_sip_engine(), one_pinhole, o);
}

static void c_bindings(struct out *o, const char *arg)
{
	(void)arg;
	binding_each(one_binding, o);
}

static void c_stats(struct out *o, const char *arg)
{
	(void)arg;
	render_stats(o, 0);
}

static void c_metrics(struct out *o, const char *arg)
{
	(void)arg;
	render_stats(o, 1);
}

static void c_clear(struct out *o, const char *arg)
{
	int n = proto_sip_clear(*arg ? arg : NULL, loop_now());

	log_event(LOG_NOTICE, "event=clear call_id=\"%s\" calls=%d", *arg ? arg : "*", n);
	outf(o, "cleared=%d\n", n < 0 ? 0 : n);
}

static void c_trace(struct out *o, const char *arg)
{
	if (strcmp(arg, "on") && strcmp(arg, "off")) {
		outf(o, "error: usage: trace on|off\n");
		return;
	}
	tracing = !strcmp(arg, "on");
	log_event(LOG_NOTICE, "event=trace state=%s", arg);
	outf(o, "trace=%s\n", arg);
}

static void c_help(struct out *o, const char *arg);

static const struct {
	const char *name;
	void (*run)(struct out *o, const char *arg);
	const char *help;
} cmds[] = {
	{ "calls", c_calls, "calls in progress" },
	{ "registrations", c_regs, "registered inside endpoints" },
	{ "pinholes", c_pinholes, "open media pinholes with kernel counters" },
	{ "bindings", c_bindings, "UDP signalling bindings" },
	{ "stats", c_stats, "counters, one 'name value' per line" },
	{ "metrics", c_metrics, "counters in Prometheus text format" },
	{ "clear", c_clear, "[CALL-ID] end one call or all calls" },
	{ "trace", c_trace, "on|off log every message before and after" },
	{ "help", c_help, "this list" },
	{ NULL, NULL, NULL },
};

static void c_help(struct out *o, const char *arg)
{
	(void)arg;
	for (int i = 0; cmds[i].name; i++)
		outf(o, "%-14s %s\n", cmds[i].name, cmds[i].help);
}

static void dispatch(struct out *o, char *line)
{
	char *arg = line + strcspn(line, " \t");

	if (*arg)
		*arg++ = 0;
	arg += strspn(arg, " \t");
	for (int i = 0; cmds[i].name; i++)
		if (!strcmp(line, cmds[i].name)) {
			cmds[i].run(o, arg);
			return;
		}
	outf(o, "error: unknown command '%s' (try help)\n", line);
}

/* Read one line (the client writes it at once), answer, close. */
static void serve(int fd)
{
	struct timeval tv = { 1, 0 };
	char line[512];
	struct out o = { malloc(4096), 0, 4096 };
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	n = recv(fd, line, sizeof(line) - 1, 0);
	if (n <= 0 || !o.p)
		goto out;
	line[n] = 0;
	line[strcspn(line, "\r\n")] = 0;
	o.p[0] = 0;
	dispatch(&o, line);
	for (size_t off = 0; off < o.len;) {
		ssize_t w = send(fd, o.p + off, o.len - off, MSG_NOSIGNAL);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
out:
	free(o.p);
	close(fd);
}

static void ctl_readable(struct loop_watch *w, uint32_t events)
{
	int fd;

	(void)events;
	while ((fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		serve(fd);
}

int ctl_open(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[108];
	char *slash;

	if (!*path)
		return 0;
	snprintf(sock_path, sizeof(sock_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = 0;
		mkdir(dir, 0750);
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	lw.fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lw.fd < 0)
		return -errno;
	unlink(path);
	mode_t old = umask(0077);
	int rc = bind(lw.fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (rc || listen(lw.fd, 16)) {
		rc = -errno;
		close(lw.fd);
		lw.fd = -1;
		return rc;
	}
	lw.fn = ctl_readable;
	return loop_add(&lw, EPOLLIN);
}

int ctl_in_use(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, rc;

	if (!*path)
		return 0;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0;
	close(fd);
	return rc;
}

void ctl_close(void)
{
	if (lw.fd < 0)
		return;
	loop_del(&lw);
	close(lw.fd);
	lw.fd = -1;
	unlink(sock_path);
}

/* Message text on one log line: CR and LF become \r and \n. */
static void escape(char *dst, size_t size, const char *src, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; i < len && j + 3 < size; i++) {
		char c = src[i];
		if (c == '\r' || c == '\n' || c == '"' || c == '\\') {
			dst[j++] = '\\';
			dst[j++] = c == '\r' ? 'r' : c == '\n' ? 'n' : c;
		} else {
			dst[j++] = (unsigned char)c < ' ' || c == 0x7f ? '.' : c;
		}
	}
	dst[j] = 0;
}

void ctl_trace(const struct proto_msg *m, const struct alg_result *r)
{
	char a1[NET_ADDR_STR], a2[NET_ADDR_STR], text[LOG_LINE_MAX - 256];

	if (!tracing)
		return;
	escape(text, sizeof(text), m->data, m->len);
	log_event(LOG_NOTICE, "event=trace stage=in dir=%s src=%s dst=%s len=%zu msg=\"%s\"",
		  m->dir == ALG_OUT ? "out" : "in", net_fmt(&m->src, a1), net_fmt(&m->dst, a2),
		  m->len, text);
	if (!r || !r->changed)
		return;
	escape(text, sizeof(text), r->out, r->out_len);
	log_event(LOG_NOTICE, "event=trace stage=out call_id=\"%s\" len=%zu msg=\"%s\"",
		  r->call_id, r->out_len, text);
}
