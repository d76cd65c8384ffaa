/*
 * edit.h - the edit list: byte replacements rendered in one pass.
 *
 * Decide everything first, then record plain replacements {offset, length,
 * new bytes} against the original message.  The caller owns the storage:
 * the edit array and a byte pool that receives a copy of each replacement.
 * An edit that overlaps another, or lies outside the message, is rejected
 * when it is added (SIP_EEDIT), never ignored at render time.  A zero-length
 * edit is an insertion; two insertions at one offset are rejected too.
 *
 * An insertion at the start of a replacement goes before it.
 *
 * sip_render() writes the edited message and fixes the Content-Length
 * digits (if the message has the header) to the real new body length,
 * multipart included.  Only the digits change: the spacing around them is
 * kept, and they are left as written when the number does not change.
 * A message without Content-Length gets none; repeated Content-Length
 * headers that agree (the parser accepts them) are all fixed, up to 4 of
 * them (more is SIP_ECLEN when the length changes).  The Content-Length value
 * belongs to the library: an edit that changes it or inserts right
 * against it, or one that crosses the header/body boundary or the end of
 * the body, is rejected at render time (SIP_EEDIT: sip_edits_add() has no
 * message to check it against).  With no edits it reproduces the input
 * byte for byte.  Returns the output length or a negative enum sip_err
 * (SIP_ENOSPACE, SIP_EEDIT, SIP_ECLEN).  e->msg_len must equal m->len.
 */
#ifndef SIPALG_SIP_EDIT_H
#define SIPALG_SIP_EDIT_H

#include <string.h>

#include "error.h"
#include "msg.h"

struct sip_edit {
	uint32_t off, len;        /* span of the original being replaced */
	uint32_t data_off, data_len; /* replacement, in the pool */
};

struct sip_edits {
	struct sip_edit *v;
	unsigned n, cap;
	char *pool;
	uint32_t used, pool_cap;
	uint32_t msg_len;
	uint32_t next;            /* an edit from here on appends (edit.c) */
};

void sip_edits_init(struct sip_edits *e, uint32_t msg_len,
		    struct sip_edit *v, unsigned cap, char *pool, size_t pool_cap);
int sip_edits_add_slow(struct sip_edits *e, uint32_t off, uint32_t len,
		       const char *data, size_t data_len);
int sip_render(const struct sip_msg *m, const struct sip_edits *e,
	       char *out, size_t cap);

/*
 * Copy n octets (0 to 32) from s to d by fixed-size moves that may
 * overlap, which the compiler inlines, instead of a call into the C
 * library: replacements are short (an address, a port), and so are most
 * gaps between edits.  The one short copy of the edit list: the inline
 * path below and edit.c's render and pool copies use it.
 */
static inline void sip_edits_copy(char *d, const char *s, size_t n)
{
	if (n > 16) {
		memcpy(d, s, 16);
		memcpy(d + n - 16, s + n - 16, 16);
	} else if (n >= 8) {
		memcpy(d, s, 8);
		memcpy(d + n - 8, s + n - 8, 8);
	} else if (n >= 4) {
		memcpy(d, s, 4);
		memcpy(d + n - 4, s + n - 4, 4);
	} else if (n) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/*
 * sip_edits_add(): record a replacement (or, with len 0, an insertion) of
 * [off, off + len) by data_len octets copied from data.  0, SIP_EEDIT or
 * SIP_ENOSPACE.  Inline for the common case, an edit after the last one
 * (edits mostly come in offset order: it sorts last and clashes with
 * nothing, which is what the general search would find) with 1 to 32
 * octets of data (an address, a port), so that each call site copies by
 * a few fixed moves; anything else goes to sip_edits_add_slow() (edit.c),
 * which says which error applies.
 */
static inline int sip_edits_add(struct sip_edits *e, uint32_t off, uint32_t len,
				const char *data, size_t data_len)
{
	unsigned n = e->n;
	uint32_t used = e->used;
	struct sip_edit *x;

	if (off < e->next || (uint64_t)off + len > e->msg_len || data_len - 1 > 31)
		return sip_edits_add_slow(e, off, len, data, data_len);
	if (n >= e->cap || data_len > e->pool_cap - used)
		return SIP_ENOSPACE;
	x = e->v + n;
	x->off = off;
	x->len = len;
	x->data_off = used;
	x->data_len = (uint32_t)data_len;
	e->used = used + (uint32_t)data_len;
	e->n = n + 1;
	e->next = off + len + (len == 0);
	sip_edits_copy(e->pool + used, data, data_len);
	return 0;
}

#endif
