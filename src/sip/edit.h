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
int sip_edits_add(struct sip_edits *e, uint32_t off, uint32_t len,
		  const char *data, size_t data_len);
int sip_render(const struct sip_msg *m, const struct sip_edits *e,
	       char *out, size_t cap);

#endif
