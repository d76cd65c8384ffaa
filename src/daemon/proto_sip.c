/*
 * proto_sip.c - SIP behind the protocol seam: the engine (alg.h) decides,
 * this file carries out its actions (pinholes through media.c, binding
 * lifetimes through binding.c / tcp_proxy.c, call records) and writes the
 * log lines that explain each message.
 *
 * Failure policy (STYLE §8), in one place: a message the engine cannot
 * process (an error return) is forwarded unchanged and logged at info
 * (fail open, rule 5); the engine's own DROP and REPLY verdicts are obeyed
 * and logged; a firewall error is logged and counted, and the message is
 * still forwarded, since signalling without media beats no signalling.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "alg/alg_query.h"
#include "daemon/binding.h"
#include "daemon/ctl.h"
#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/media.h"
#include "daemon/net.h"
#include "daemon/proto.h"
#include "daemon/stats.h"
#include "daemon/tcp_proxy.h"
#include "sip/frame.h"

static struct alg_engine *engine;
static struct alg_result res; /* large: static, reused for every message */
static struct alg_config algcfg;

static int port_busy(void *ctx, uint16_t port)
{
	(void)ctx;
	return binding_port_used(port) || media_port_used(port);
}

static int sip_init(const struct daemon_config *cfg, struct fw *fw)
{
	algcfg = cfg->alg;
	algcfg.port_busy = port_busy;
	if (media_init(fw) < 0)
		return -ENOMEM;
	engine = alg_new(&algcfg);
	return engine ? 0 : -ENOMEM;
}

static int sip_reconfigure(const struct daemon_config *cfg)
{
	algcfg = cfg->alg;
	algcfg.port_busy = port_busy;
	return alg_reconfigure(engine, &algcfg);
}

static void sip_fini(void)
{
	alg_free(engine);
	engine = NULL;
	media_fini();
}

static const char *const end_reasons[] = {
	"", "bye", "cancel", "rejected", "media_timeout", "max_duration", "invite_timeout", "cleared",
};

/* "2026-11-22T03:26:34.703Z" for an engine (monotonic) time; "-" for 0. */
static const char *iso_time(uint64_t mono_ms, char *buf, size_t size)
{
	uint64_t ms = loop_wall_ms(mono_ms);
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;

	if (!mono_ms)
		return "-";
	gmtime_r(&sec, &tm);
	size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, size - n, ".%03uZ", (unsigned)(ms % 1000));
	return buf;
}

static void log_call_end(const struct alg_call_record *c)
{
	struct fw_counters m;
	char line[LOG_LINE_MAX], num[256], t1[40], t2[40], t3[40];
	size_t n = 0;
	uint64_t dur = c->answer_ms && c->end_ms > c->answer_ms ? c->end_ms - c->answer_ms : 0;

	stats.calls_ended++;
	if (!log_enabled(LOG_NOTICE)) {
		/* No record written: no counters to read (netlink round trips). */
		media_totals(c->pinholes, c->npinholes < 8 ? c->npinholes : 8, NULL);
		return;
	}
	media_totals(c->pinholes, c->npinholes < 8 ? c->npinholes : 8, &m);
	log_kv(line, sizeof(line), &n, "event", "call_end");
	log_kv(line, sizeof(line), &n, "call_id", c->call_id);
	log_kv(line, sizeof(line), &n, "from", c->from);
	log_kv(line, sizeof(line), &n, "to", c->to);
	/* duration: answer to end (billable time); 0 if never answered. */
	snprintf(num, sizeof(num),
		 "start=%s answer=%s end=%s duration_s=%llu.%03llu reason=%s "
		 "pkts_in=%llu bytes_in=%llu pkts_out=%llu bytes_out=%llu",
		 iso_time(c->start_ms, t1, sizeof(t1)), iso_time(c->answer_ms, t2, sizeof(t2)),
		 iso_time(c->end_ms, t3, sizeof(t3)), (unsigned long long)(dur / 1000),
		 (unsigned long long)(dur % 1000),
		 c->reason < sizeof(end_reasons) / sizeof(end_reasons[0]) ? end_reasons[c->reason]
									   : "unknown",
		 (unsigned long long)m.pkts_in, (unsigned long long)m.bytes_in,
		 (unsigned long long)m.pkts_out, (unsigned long long)m.bytes_out);
	if (n + 1 < sizeof(line))
		snprintf(line + n, sizeof(line) - n, " %s", num);
	log_line(LOG_NOTICE, line);
}

#define PINHOLE_FMT "event=%s call_id=\"%s\" id=%u public=%s inside=%s remote=%s timeout_ms=%u%s%s"

static void log_pinhole(const char *ev, const struct alg_action *a, int rc)
{
	char p1[NET_ADDR_STR], p2[NET_ADDR_STR], p3[NET_ADDR_STR];
	const struct alg_pinhole *p = &a->u.pin;
	const char *why = rc == -EEXIST ? "\"inside endpoint already mapped by another pinhole\""
			  : rc < 0	? strerror(-rc)
					: "";
	const char *key = rc == -EEXIST ? " reason=" : rc < 0 ? " error=" : "";
	int level = rc == -EEXIST ? LOG_WARNING : rc < 0 ? LOG_ERR : LOG_INFO;

	if (rc == -EEXIST)
		stats.pinholes_shadowed++;
	else if (rc < 0)
		stats.fw_errors++;
	/* A new call opens two: formatting lines nobody reads is not free. */
	if (!log_enabled(level))
		return;
	net_fmt(&p->public_ep, p1);
	net_fmt(&p->inside_ep, p2);
	if (p->remote.family)
		net_fmt(&p->remote, p3);
	else
		snprintf(p3, sizeof(p3), "any");
	if (rc == -EEXIST) {
		/* A phone reusing its RTP port across calls does this every call. */
		LOG_LIMITED(10, LOG_WARNING, PINHOLE_FMT, ev, a->call_id, p->id, p1, p2, p3, p->timeout_ms,
			    key, why);
		return;
	}
	log_event(level, PINHOLE_FMT, ev, a->call_id, p->id, p1, p2, p3, p->timeout_ms, key, why);
}

static void run_action(const struct alg_action *a, uint64_t now)
{
	switch (a->kind) {
	case ALG_ACT_PINHOLE_OPEN: {
		int rc = media_open(&a->u.pin, a->call_id, now);
		log_pinhole(rc == -EEXIST ? "pinhole_shadowed" : "pinhole_open", a, rc);
		break;
	}
	case ALG_ACT_PINHOLE_REFRESH: {
		int rc = media_refresh(&a->u.pin);
		if (rc < 0 || log_enabled(LOG_DEBUG))
			log_pinhole("pinhole_refresh", a, rc);
		break;
	}
	case ALG_ACT_PINHOLE_CLOSE:
		log_pinhole("pinhole_close", a, media_close(&a->u.pin, now));
		break;
	case ALG_ACT_BINDING_KEEP:
		if (a->u.binding.transport == ALG_TCP)
			tcp_proxy_keep(&a->u.binding);
		else
			binding_extend(&a->u.binding, now);
		break;
	case ALG_ACT_BINDING_CLOSE:
		if (a->u.binding.transport == ALG_UDP)
			binding_close(&a->u.binding.inside, "engine");
		break;
	case ALG_ACT_CALL_END:
		break;
	}
}

/* Call records first: they read the counters of pinholes that the same
 * batch of actions closes. */
static void run_actions(const struct alg_result *r, uint64_t now)
{
	for (unsigned i = 0; i < r->nactions; i++)
		if (r->actions[i].kind == ALG_ACT_CALL_END)
			log_call_end(&r->actions[i].u.call);
	for (unsigned i = 0; i < r->nactions; i++)
		run_action(&r->actions[i], now);
}

static void log_message(const struct proto_msg *m, const struct alg_result *r)
{
	static const char *const verdicts[] = { "forward", "drop", "reply" };
	char a1[NET_ADDR_STR], a2[NET_ADDR_STR];
	int level = r->verdict != ALG_FORWARD ? LOG_NOTICE : r->changed ? LOG_INFO : LOG_DEBUG;

	for (unsigned i = 0; i < r->nnotes && log_enabled(LOG_INFO); i++) {
		char line[LOG_LINE_MAX];
		size_t n = 0;
		log_kv(line, sizeof(line), &n, "event", "rewrite");
		log_kv(line, sizeof(line), &n, "call_id", r->call_id);
		log_kv(line, sizeof(line), &n, "field", r->notes[i].field);
		log_kv(line, sizeof(line), &n, "before", r->notes[i].before);
		log_kv(line, sizeof(line), &n, "after", r->notes[i].after);
		log_kv(line, sizeof(line), &n, "rule", r->notes[i].rule ? r->notes[i].rule : "");
		log_line(LOG_INFO, line);
	}
	/* Unchanged for any reason but the plain "nothing to change" (did not
	 * parse, out of scope, failed open, a stream left alone) is news: info. */
	if (r->verdict == ALG_FORWARD && !r->changed && r->reason &&
	    strcmp(r->reason, "nothing to change"))
		level = LOG_INFO;
	if (!log_enabled(level))
		return;
	log_event(level, "event=%s call_id=\"%s\" dir=%s transport=%s src=%s dst=%s len=%zu "
		  "changed=%d reason=\"%s\"",
		  verdicts[r->verdict % 3], r->call_id, m->dir == ALG_OUT ? "out" : "in",
		  m->transport == ALG_TCP ? "tcp" : "udp", net_fmt(&m->src, a1),
		  net_fmt(&m->dst, a2), r->out_len, r->changed, r->reason ? r->reason : "");
}

static int sip_on_message(const struct proto_msg *m, uint64_t now, struct proto_verdict *v)
{
	struct alg_packet pkt = {
		.data = m->data, .len = m->len, .dir = m->dir, .transport = m->transport,
		.src = m->src, .dst = m->dst, .binding = m->binding, .inside = m->inside,
		.now_ms = now,
	};
	char a1[NET_ADDR_STR];
	int rc = alg_process(engine, &pkt, &res);

	ctl_trace(m, rc < 0 ? NULL : &res);
	if (rc < 0) {
		stats.failed_open++;
		log_event(LOG_INFO, "event=forward dir=%s src=%s len=%zu changed=0 "
			  "reason=\"engine error %d, forwarded unchanged\"",
			  m->dir == ALG_OUT ? "out" : "in", net_fmt(&m->src, a1), m->len, rc);
		*v = (struct proto_verdict){ PROTO_FORWARD, m->data, m->len, { 0 } };
		return 0;
	}
	log_message(m, &res);
	run_actions(&res, now);
	v->action = (enum proto_action)res.verdict;
	v->out = res.out;
	v->len = res.out_len;
	v->deliver_to = res.deliver_to;
	if (res.verdict == ALG_DROP)
		stats.dropped++;
	else if (res.verdict == ALG_REPLY)
		stats.replied++;
	return 0;
}

static void sip_expire(uint64_t now)
{
	if (alg_expire(engine, now, &res) < 0)
		return;
	run_actions(&res, now);
}

static uint64_t sip_next_deadline(void)
{
	return alg_next_deadline(engine);
}

static void seen(uint32_t id, void *ctx)
{
	alg_media_seen(engine, id, *(uint64_t *)ctx);
}

static void sip_media_poll(uint64_t now)
{
	media_poll(now, seen, &now);
}

static void sip_commit(void)
{
	int rc = media_commit();

	if (rc < 0) {
		stats.fw_errors++;
		log_event(LOG_ERR, "event=fw_commit error=\"%s\"", strerror(-rc));
	} else if (rc > 0) {
		stats.fw_commits++;
	}
}

/* For the control socket (ctl.c). */
struct alg_engine *proto_sip_engine(void)
{
	return engine;
}

/* `sipalg clear`: end calls now; their records and pinhole closes run
 * like any other action. */
int proto_sip_clear(const char *call_id, uint64_t now)
{
	int n = alg_clear_calls(engine, call_id, now, &res);

	if (n > 0) {
		run_actions(&res, now);
		sip_commit();
	}
	return n;
}

const struct proto proto_sip = {
	.name = "sip",
	.init = sip_init,
	.reconfigure = sip_reconfigure,
	.fini = sip_fini,
	.frame = sip_frame,
	.on_message = sip_on_message,
	.expire = sip_expire,
	.next_deadline = sip_next_deadline,
	.media_poll = sip_media_poll,
	.commit = sip_commit,
};
