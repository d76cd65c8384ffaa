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

/* up to room octets of src at d; how many */
static size_t put(char *d, size_t room, const char *src, size_t n)
{
	if (n > room)
		n = room;
	memcpy(d, src, n);
	return n;
}

/* The field name, "pre" or "pre[idx]post", into the note, cut to fit as
 * alg_copy() would.  Written in place: no scratch copy, no snprintf. */
static void note_field(char *d, size_t cap, const struct alg_fname *f)
{
	size_t k = put(d, cap - 1, f->pre, f->prelen);

	if (f->post) {
		char num[12];
		size_t nn = 0;
		num[nn++] = '[';
		nn += alg_fmt_uint(num + nn, f->idx);
		num[nn++] = ']';
		k += put(d + k, cap - 1 - k, num, nn);
		k += put(d + k, cap - 1 - k, f->post, f->postlen);
	}
	d[k] = 0;
}

static void alg_note(struct alg_ctx *c, const struct alg_fname *field, const char *before,
		     size_t blen, const char *after, size_t alen, const char *rule)
{
	struct alg_result *r = c->res;

	if (r->nnotes >= ALG_MAX_NOTES)
		return;
	struct alg_note *n = &r->notes[r->nnotes++];
	note_field(n->field, sizeof(n->field), field);
	n->before[put(n->before, sizeof(n->before) - 1, before, blen)] = 0;
	n->after[put(n->after, sizeof(n->after) - 1, after, alen)] = 0;
	n->rule = rule;
}

/* One replacement plus its note.  Returns 0, or < 0 if the edit list
 * refused it (then nothing is recorded and the message keeps those bytes). */
int alg_edit(struct alg_ctx *c, struct sip_span s, const char *txt, size_t n,
	     struct alg_fname field, const char *rule)
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
	alg_note(c, &field, c->buf + s.off, s.len, txt, n, rule);
	return 1;
}

struct alg_action *alg_action_add(struct alg_result *res, enum alg_action_kind k,
				  const struct alg_call *call)
{
	if (res->nactions >= ALG_MAX_ACTIONS)
		return NULL;
	struct alg_action *a = &res->actions[res->nactions++];
	/* The union's member is for the caller to fill whole (media_pinhole,
	 * binding_action, call_end): clearing all of it (the call record's
	 * size) for a pinhole would be most of the cost of adding one.  A
	 * call's id is copied whole: its slot was cleared when the call was
	 * made, so the octets after the NUL are zero, as a cleared one's. */
	if (call) {
		memcpy(a->call_id, call->call_id, sizeof(a->call_id));
		memset(a->call_id + sizeof(a->call_id), 0,
		       offsetof(struct alg_action, u) - offsetof(struct alg_action, call_id) -
			       sizeof(a->call_id));
	} else {
		memset(a->call_id, 0, offsetof(struct alg_action, u) - offsetof(struct alg_action, call_id));
	}
	memset(a, 0, offsetof(struct alg_action, call_id));
	a->kind = k;
	return a;
}

_Static_assert(sizeof(((struct alg_action *)0)->call_id) ==
		       sizeof(((struct alg_call *)0)->call_id),
	       "a call's id fills an action's");
_Static_assert(ALG_MAX_NOTES >= SIP_MAX_EDITS, "every edit needs room for its note");
