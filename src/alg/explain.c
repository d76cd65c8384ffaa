/*
 * explain.c - every edit comes with an explanation (rule 10): the helpers
 * that record an edit together with its struct alg_note, and the actions.
 */
#include <stddef.h>

#include "engine_int.h"

void alg_copy(char *dst, size_t cap, const char *src, size_t n)
{
	if (!cap)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

/* "pre[idx]post" into buf (a note's field name, e.g. "Contact[1].hostport"):
 * what snprintf did, at a tenth of its cost. */
const char *alg_field(char *buf, size_t cap, const char *pre, unsigned idx, const char *post)
{
	char tmp[96];
	size_t a = strlen(pre), b = strlen(post);

	if (a + b + 12 >= sizeof(tmp))
		return pre;
	memcpy(tmp, pre, a);
	tmp[a++] = '[';
	a += alg_fmt_uint(tmp + a, idx);
	tmp[a++] = ']';
	memcpy(tmp + a, post, b);
	alg_copy(buf, cap, tmp, a + b);
	return buf;
}

void alg_note(struct alg_ctx *c, const char *field, const char *before, size_t blen,
	      const char *after, size_t alen, const char *rule)
{
	struct alg_result *r = c->res;

	if (r->nnotes >= ALG_MAX_NOTES)
		return;
	struct alg_note *n = &r->notes[r->nnotes++];
	alg_copy(n->field, sizeof(n->field), field, strlen(field));
	alg_copy(n->before, sizeof(n->before), before, blen);
	alg_copy(n->after, sizeof(n->after), after, alen);
	n->rule = rule;
}

/* One replacement plus its note.  Returns 0, or < 0 if the edit list
 * refused it (then nothing is recorded and the message keeps those bytes). */
int alg_edit(struct alg_ctx *c, struct sip_span s, const char *txt, size_t n,
	     const char *field, const char *rule)
{
	if (!c->nat)
		return 0;
	if (s.len == n && !memcmp(c->buf + s.off, txt, n))
		return 0;
	int rc = sip_edits_add(&c->ed, s.off, s.len, txt, n);
	if (rc < 0) {
		c->skip_reason = "edit refused by the edit list";
		return rc;
	}
	alg_note(c, field, c->buf + s.off, s.len, txt, n, rule);
	return 1;
}

struct alg_action *alg_action_add(struct alg_result *res, enum alg_action_kind k,
				  const char *call_id)
{
	if (res->nactions >= ALG_MAX_ACTIONS)
		return NULL;
	struct alg_action *a = &res->actions[res->nactions++];
	/* The union's member is for the caller to fill whole (media_pinhole,
	 * binding_action, call_end): clearing all of it (the call record's
	 * size) for a pinhole would be most of the cost of adding one. */
	memset(a, 0, offsetof(struct alg_action, u));
	a->kind = k;
	if (call_id)
		alg_copy(a->call_id, sizeof(a->call_id), call_id, strlen(call_id));
	return a;
}

_Static_assert(ALG_MAX_NOTES >= SIP_MAX_EDITS, "every edit needs room for its note");
