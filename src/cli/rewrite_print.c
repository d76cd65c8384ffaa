/* rewrite_print.c - the explanation of one engine result (rewrite.h). */
#include <arpa/inet.h>
#include <string.h>

#include "json.h"
#include "rewrite.h"

void rw_fmt_addr(char *buf, size_t cap, const struct alg_addr *a)
{
	char ip[64] = "any";

	if (a->family)
		inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->ip, ip, sizeof(ip));
	if (a->family == 6 && a->port)
		snprintf(buf, cap, "[%s]:%u", ip, a->port);
	else if (a->port)
		snprintf(buf, cap, "%s:%u", ip, a->port);
	else
		snprintf(buf, cap, "%s", ip);
}

static const char *const kind_names[] = {
	[ALG_ACT_PINHOLE_OPEN] = "pinhole-open",
	[ALG_ACT_PINHOLE_REFRESH] = "pinhole-refresh",
	[ALG_ACT_PINHOLE_CLOSE] = "pinhole-close",
	[ALG_ACT_BINDING_KEEP] = "binding-keep",
	[ALG_ACT_BINDING_CLOSE] = "binding-close",
	[ALG_ACT_CALL_END] = "call-end",
};

static const char *const end_names[] = {
	[ALG_END_BYE] = "bye", [ALG_END_CANCEL] = "cancel", [ALG_END_REJECTED] = "rejected",
	[ALG_END_MEDIA_TIMEOUT] = "media-timeout", [ALG_END_MAX_DURATION] = "max-duration",
	[ALG_END_INVITE_TIMEOUT] = "invite-timeout", [ALG_END_CLEARED] = "cleared",
};

static const char *verdict_name(const struct alg_result *r)
{
	if (r->verdict == ALG_DROP)
		return "drop";
	if (r->verdict == ALG_REPLY)
		return "reply";
	return r->changed ? "forward-rewritten" : "forward-unchanged";
}

static void text_action(FILE *f, const struct alg_action *a)
{
	char x[80], y[80], z[80];

	fprintf(f, "action: %s", kind_names[a->kind]);
	switch (a->kind) {
	case ALG_ACT_PINHOLE_OPEN:
	case ALG_ACT_PINHOLE_REFRESH:
	case ALG_ACT_PINHOLE_CLOSE:
		rw_fmt_addr(x, sizeof(x), &a->u.pin.public_ep);
		rw_fmt_addr(y, sizeof(y), &a->u.pin.inside_ep);
		rw_fmt_addr(z, sizeof(z), &a->u.pin.remote);
		fprintf(f, " id=%08x public=%s inside=%s remote=%s timeout=%ums", a->u.pin.id, x, y,
			z, a->u.pin.timeout_ms);
		break;
	case ALG_ACT_BINDING_KEEP:
	case ALG_ACT_BINDING_CLOSE:
		rw_fmt_addr(x, sizeof(x), &a->u.binding.inside);
		rw_fmt_addr(y, sizeof(y), &a->u.binding.public_ep);
		fprintf(f, " inside=%s public=%s", x, y);
		if (a->kind == ALG_ACT_BINDING_KEEP)
			fprintf(f, " until=%llums", (unsigned long long)a->u.binding.expires_ms);
		break;
	case ALG_ACT_CALL_END:
		fprintf(f, " reason=%s start=%llu answer=%llu end=%llu pinholes=%u",
			end_names[a->u.call.reason], (unsigned long long)a->u.call.start_ms,
			(unsigned long long)a->u.call.answer_ms,
			(unsigned long long)a->u.call.end_ms, a->u.call.npinholes);
		break;
	}
	if (a->call_id[0])
		fprintf(f, " call-id=%s", a->call_id);
	fputc('\n', f);
}

void rw_print_text(FILE *f, const struct alg_result *res)
{
	char x[80];

	if (res->out)
		fprintf(f, "verdict: %s\n", verdict_name(res));
	else
		fprintf(f, "timers: %u actions\n", res->nactions);
	if (res->reason)
		fprintf(f, "reason: %s\n", res->reason);
	for (unsigned i = 0; i < res->nnotes; i++) {
		const struct alg_note *n = &res->notes[i];
		fprintf(f, "edit: %s: %s -> %s (%s)\n", n->field, n->before, n->after, n->rule);
	}
	for (unsigned i = 0; i < res->nactions; i++)
		text_action(f, &res->actions[i]);
	if (res->deliver_to.family) {
		rw_fmt_addr(x, sizeof(x), &res->deliver_to);
		fprintf(f, "deliver-to: %s\n", x);
	}
}

static void json_addr(struct json *j, const char *key, const struct alg_addr *a)
{
	char x[80];

	rw_fmt_addr(x, sizeof(x), a);
	json_key(j, key);
	json_str(j, x);
}

static void json_action(struct json *j, const struct alg_action *a)
{
	json_open(j, '{');
	json_key(j, "kind");
	json_str(j, kind_names[a->kind]);
	json_key(j, "call_id");
	json_str(j, a->call_id);
	if (a->kind <= ALG_ACT_PINHOLE_CLOSE) {
		json_key(j, "id");
		json_int(j, a->u.pin.id);
		json_addr(j, "public", &a->u.pin.public_ep);
		json_addr(j, "inside", &a->u.pin.inside_ep);
		json_addr(j, "remote", &a->u.pin.remote);
		json_key(j, "timeout_ms");
		json_int(j, a->u.pin.timeout_ms);
	} else if (a->kind != ALG_ACT_CALL_END) {
		json_addr(j, "inside", &a->u.binding.inside);
		json_addr(j, "public", &a->u.binding.public_ep);
		json_key(j, "expires_ms");
		json_int(j, (long long)a->u.binding.expires_ms);
	} else {
		json_key(j, "reason");
		json_str(j, end_names[a->u.call.reason]);
		json_key(j, "from");
		json_str(j, a->u.call.from);
		json_key(j, "to");
		json_str(j, a->u.call.to);
		json_key(j, "start_ms");
		json_int(j, (long long)a->u.call.start_ms);
		json_key(j, "answer_ms");
		json_int(j, (long long)a->u.call.answer_ms);
		json_key(j, "end_ms");
		json_int(j, (long long)a->u.call.end_ms);
	}
	json_close(j);
}

void rw_print_json(FILE *f, const struct alg_result *res)
{
	struct json j;

	json_init(&j, f, 0);
	json_open(&j, '{');
	json_key(&j, "verdict");
	json_str(&j, verdict_name(res));
	json_key(&j, "changed");
	json_bool(&j, res->changed);
	json_key(&j, "reason");
	json_str(&j, res->reason);
	json_key(&j, "call_id");
	json_str(&j, res->call_id);
	json_key(&j, "edits");
	json_open(&j, '[');
	for (unsigned i = 0; i < res->nnotes; i++) {
		json_open(&j, '{');
		json_key(&j, "field");
		json_str(&j, res->notes[i].field);
		json_key(&j, "before");
		json_str(&j, res->notes[i].before);
		json_key(&j, "after");
		json_str(&j, res->notes[i].after);
		json_key(&j, "rule");
		json_str(&j, res->notes[i].rule);
		json_close(&j);
	}
	json_close(&j);
	json_key(&j, "actions");
	json_open(&j, '[');
	for (unsigned i = 0; i < res->nactions; i++)
		json_action(&j, &res->actions[i]);
	json_close(&j);
	if (res->deliver_to.family)
		json_addr(&j, "deliver_to", &res->deliver_to);
	json_close(&j);
	json_end(&j);
}
