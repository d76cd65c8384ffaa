/* replay_report.c - the per-call report of `sipalg replay`, as text or JSON. */
#include "replay.h"
#include "json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int call_index(struct rp_report *r, const char *id)
{
	if (!id || !id[0])
		return -1;
	for (size_t i = 0; i < r->ncalls; i++)
		if (!strcmp(r->calls[i], id))
			return (int)i;
	if (r->ncalls == r->calls_cap) {
		size_t ncap = r->calls_cap ? r->calls_cap * 2 : 16;
		char(*nc)[128] = realloc(r->calls, ncap * sizeof(*nc));

		if (!nc)
			return -1;
		r->calls = nc;
		r->calls_cap = ncap;
	}
	snprintf(r->calls[r->ncalls], sizeof(r->calls[0]), "%s", id);
	return (int)r->ncalls++;
}

int rp_add(struct rp_report *r, const struct rp_event *e, const char *call_id)
{
	size_t pos;

	if (r->nev == r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 64;
		struct rp_event *ne = realloc(r->ev, ncap * sizeof(*ne));

		if (!ne) {
			free(e->notes);
			return -ENOMEM;
		}
		r->ev = ne;
		r->cap = ncap;
	}
	/* Keep capture order: a problem found late (a datagram that never
	 * completed) is filed under the frame where it began. */
	pos = r->nev;
	while (pos && r->ev[pos - 1].frame > e->frame)
		pos--;
	memmove(r->ev + pos + 1, r->ev + pos, (r->nev - pos) * sizeof(*r->ev));
	r->ev[pos] = *e;
	r->ev[pos].call = call_index(r, call_id);
	r->nev++;
	return 0;
}

void rp_report_free(struct rp_report *r)
{
	for (size_t i = 0; i < r->nev; i++)
		free(r->ev[i].notes);
	free(r->ev);
	free(r->calls);
	memset(r, 0, sizeof(*r));
}

void rp_fmt_addr(char *buf, size_t cap, const struct alg_addr *a)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (a->family == 4)
		inet_ntop(AF_INET, a->ip, ip, sizeof(ip));
	else if (a->family == 6)
		inet_ntop(AF_INET6, a->ip, ip, sizeof(ip));
	if (a->family == 6)
		snprintf(buf, cap, "[%s]:%u", ip, a->port);
	else
		snprintf(buf, cap, "%s:%u", ip, a->port);
}

static const char *dir_name(int dir)
{
	return dir == ALG_OUT ? "out" : dir == ALG_IN ? "in" : "-";
}

static const char *fate_name(enum rp_fate f)
{
	switch (f) {
	case RP_REWRITTEN:
		return "rewritten";
	case RP_DROPPED:
		return "dropped";
	case RP_REPLIED:
		return "answered by the ALG";
	default:
		return "unchanged";
	}
}

static const char *action_name(enum alg_action_kind k)
{
	switch (k) {
	case ALG_ACT_PINHOLE_OPEN:
		return "open";
	case ALG_ACT_PINHOLE_REFRESH:
		return "refresh";
	case ALG_ACT_PINHOLE_CLOSE:
		return "close";
	case ALG_ACT_CALL_END:
		return "call end";
	default:
		return "binding";
	}
}

static const char *end_reason(enum alg_end_reason r)
{
	static const char *const names[] = {
		[ALG_END_BYE] = "BYE", [ALG_END_CANCEL] = "CANCEL",
		[ALG_END_REJECTED] = "rejected", [ALG_END_MEDIA_TIMEOUT] = "media timeout",
		[ALG_END_MAX_DURATION] = "maximum duration",
		[ALG_END_INVITE_TIMEOUT] = "INVITE timeout", [ALG_END_CLEARED] = "cleared",
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] : "?";
}

/* ---- text ---- */

/* Whether the text report shows a message: rewritten, or left alone for a
 * reason worth reading; --explain shows all. */
static int shown(const struct rp_event *e, int explain)
{
	return explain || e->kind != RP_MSG || e->fate != RP_UNCHANGED || e->reason[0];
}

static void text_event(FILE *f, const struct rp_event *e, int explain)
{
	char a[64], b[64];

	if (e->kind == RP_PINHOLE) {
		rp_fmt_addr(a, sizeof(a), &e->act.u.pin.public_ep);
		rp_fmt_addr(b, sizeof(b), &e->act.u.pin.inside_ep);
		fprintf(f, "  #%-5llu pinhole %-7s %s <-> %s (id %u)\n",
			(unsigned long long)e->frame, action_name(e->act.kind), a, b,
			e->act.u.pin.id);
		return;
	}
	if (e->kind == RP_CALL_END) {
		fprintf(f, "  #%-5llu call ended (%s)\n", (unsigned long long)e->frame,
			end_reason(e->act.u.call.reason));
		return;
	}
	fprintf(f, "  #%-5llu %-3s %s ", (unsigned long long)e->frame, dir_name(e->dir),
		e->transport == ALG_TCP ? "TCP" : "UDP");
	if (e->src[0])
		fprintf(f, "%s -> %s  ", e->src, e->dst);
	fprintf(f, "%s\n", e->summary[0] ? e->summary : "(no start line)");
	fprintf(f, "          %s%s%s\n",
		e->kind == RP_PROBLEM ? "not processed" : fate_name(e->fate),
		e->reason[0] ? ": " : "", e->reason);
	for (unsigned i = 0; i < e->nnotes; i++) {
		const struct alg_note *n = &e->notes[i];

		fprintf(f, "            %-22s %s -> %s", n->field, n->before, n->after);
		if (explain && n->rule)
			fprintf(f, "   [%s]", n->rule);
		fputc('\n', f);
	}
}

static void text_group(FILE *f, const struct rp_report *r, int call, int explain)
{
	unsigned msgs = 0, rw = 0;

	for (size_t i = 0; i < r->nev; i++)
		if (r->ev[i].call == call && r->ev[i].kind == RP_MSG) {
			msgs++;
			rw += r->ev[i].fate == RP_REWRITTEN;
		}
	if (call >= 0)
		fprintf(f, "\nCall-ID %s: %u message%s, %u rewritten\n", r->calls[call], msgs,
			msgs == 1 ? "" : "s", rw);
	for (size_t i = 0; i < r->nev; i++)
		if (r->ev[i].call == call && shown(&r->ev[i], explain))
			text_event(f, &r->ev[i], explain);
}

void rp_print_text(FILE *f, const struct rp_header *h, const struct rp_report *r)
{
	int orphans = 0;

	fprintf(f, "sipalg replay %s (%s) -> %s\n", h->in, h->link, h->out);
	fprintf(f, "inside %s, public %s, SIP ports %s\n", h->inside, h->public_addr, h->ports);
	for (size_t c = 0; c < r->ncalls; c++)
		text_group(f, r, (int)c, h->explain);
	for (size_t i = 0; i < r->nev; i++)
		orphans += r->ev[i].call < 0 && shown(&r->ev[i], h->explain);
	if (orphans) {
		fprintf(f, "\nNot tied to a call:\n");
		text_group(f, r, -1, h->explain);
	}
	fprintf(f, "\nframes: %llu in, %llu out, %llu unparseable\n",
		(unsigned long long)r->frames_in, (unsigned long long)r->frames_out,
		(unsigned long long)r->frames_bad);
	fprintf(f, "SIP messages: %llu (%llu rewritten, %llu unchanged, %llu dropped, "
		   "%llu answered)\n",
		(unsigned long long)r->msgs, (unsigned long long)r->rewritten,
		(unsigned long long)r->unchanged, (unsigned long long)r->dropped,
		(unsigned long long)r->replied);
	fprintf(f, "pinholes: %llu opened, %llu closed\n", (unsigned long long)r->pin_open,
		(unsigned long long)r->pin_close);
	if (r->read_error)
		fprintf(f, "capture cut short: %s\n", r->read_err);
}

/* ---- JSON ---- */

static void json_addr(struct json *j, const char *key, const struct alg_addr *a)
{
	char buf[64];

	rp_fmt_addr(buf, sizeof(buf), a);
	json_key(j, key);
	json_str(j, a->family ? buf : NULL);
}

static void json_event(struct json *j, const struct rp_event *e)
{
	static const char *const kinds[] = { "", "message", "pinhole", "call_end", "problem" };

	json_open(j, '{');
	json_key(j, "frame");
	json_int(j, (long long)e->frame);
	json_key(j, "kind");
	json_str(j, kinds[e->kind]);
	if (e->kind == RP_PINHOLE) {
		json_key(j, "action");
		json_str(j, action_name(e->act.kind));
		json_key(j, "id");
		json_int(j, e->act.u.pin.id);
		json_addr(j, "public", &e->act.u.pin.public_ep);
		json_addr(j, "inside", &e->act.u.pin.inside_ep);
		json_addr(j, "remote", &e->act.u.pin.remote);
		json_close(j);
		return;
	}
	if (e->kind == RP_CALL_END) {
		json_key(j, "reason");
		json_str(j, end_reason(e->act.u.call.reason));
		json_close(j);
		return;
	}
	json_key(j, "dir");
	json_str(j, e->dir < 0 ? NULL : dir_name(e->dir));
	json_key(j, "transport");
	json_str(j, e->transport == ALG_TCP ? "tcp" : "udp");
	json_key(j, "src");
	json_str(j, e->src[0] ? e->src : NULL);
	json_key(j, "dst");
	json_str(j, e->dst[0] ? e->dst : NULL);
	json_key(j, "start_line");
	json_str(j, e->summary);
	json_key(j, "fate");
	json_str(j, e->kind == RP_PROBLEM ? "not processed" : fate_name(e->fate));
	json_key(j, "reason");
	json_str(j, e->reason[0] ? e->reason : NULL);
	json_key(j, "rewrites");
	json_open(j, '[');
	for (unsigned i = 0; i < e->nnotes; i++) {
		json_open(j, '{');
		json_key(j, "field");
		json_str(j, e->notes[i].field);
		json_key(j, "before");
		json_str(j, e->notes[i].before);
		json_key(j, "after");
		json_str(j, e->notes[i].after);
		json_key(j, "rule");
		json_str(j, e->notes[i].rule);
		json_close(j);
	}
	json_close(j);
	json_close(j);
}

static void json_group(struct json *j, const struct rp_report *r, int call)
{
	json_open(j, '[');
	for (size_t i = 0; i < r->nev; i++)
		if (r->ev[i].call == call)
			json_event(j, &r->ev[i]);
	json_close(j);
}

static void json_num(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	json_int(j, (long long)v);
}

static void json_totals(struct json *j, const struct rp_report *r)
{
	json_key(j, "totals");
	json_open(j, '{');
	json_num(j, "frames_in", r->frames_in);
	json_num(j, "frames_out", r->frames_out);
	json_num(j, "frames_unparseable", r->frames_bad);
	json_num(j, "messages", r->msgs);
	json_num(j, "rewritten", r->rewritten);
	json_num(j, "unchanged", r->unchanged);
	json_num(j, "dropped", r->dropped);
	json_num(j, "answered", r->replied);
	json_num(j, "pinholes_opened", r->pin_open);
	json_num(j, "pinholes_closed", r->pin_close);
	json_close(j);
}

int rp_print_json(FILE *f, const struct rp_header *h, const struct rp_report *r)
{
	struct json j;

	json_init(&j, f, 1);
	json_open(&j, '{');
	json_key(&j, "capture");
	json_str(&j, h->in);
	json_key(&j, "output");
	json_str(&j, h->out);
	json_key(&j, "link");
	json_str(&j, h->link);
	json_key(&j, "inside");
	json_str(&j, h->inside);
	json_key(&j, "public");
	json_str(&j, h->public_addr);
	json_key(&j, "ports");
	json_str(&j, h->ports);
	json_key(&j, "read_error");
	json_str(&j, r->read_error ? r->read_err : NULL);
	json_key(&j, "calls");
	json_open(&j, '[');
	for (size_t c = 0; c < r->ncalls; c++) {
		json_open(&j, '{');
		json_key(&j, "call_id");
		json_str(&j, r->calls[c]);
		json_key(&j, "events");
		json_group(&j, r, (int)c);
		json_close(&j);
	}
	json_close(&j);
	json_key(&j, "other");
	json_group(&j, r, -1);
	json_totals(&j, r);
	json_close(&j);
	return json_end(&j);
}
