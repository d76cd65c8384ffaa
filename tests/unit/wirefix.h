/*
 * wirefix.h - fixtures shared by the SDP, body, edit and frame tests.
 *
 * fix_msg() builds a struct sip_msg by hand from a literal, without the
 * message parser, so these modules are tested on their own: it indexes
 * only Content-Type and Content-Length (long or compact name at a line
 * start), which is all body.c and edit.c read.  fix_crlf() turns LF line
 * ends into CRLF.  Test-only code: small, trusting its inputs.
 */
#ifndef SIPALG_TEST_WIREFIX_H
#define SIPALG_TEST_WIREFIX_H

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip/msg.h"

#define FIX_HDRS 16

struct fix {
	struct sip_msg m;
	struct sip_hdr h[FIX_HDRS];
};

/* LF -> CRLF (a CR already before an LF is kept).  Returns a malloc'd copy. */
static inline char *fix_crlf(const char *s, size_t *len)
{
	size_t n = strlen(s), o = 0;
	char *d = malloc(2 * n + 1);

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r'))
			d[o++] = '\r';
		d[o++] = s[i];
	}
	d[o] = 0;
	*len = o;
	return d;
}

static inline void fix_hdr(struct fix *f, const char *b, size_t ls, size_t le)
{
	static const struct { const char *name; uint8_t id; } known[] = {
		{ "content-type", SIP_HDR_CONTENT_TYPE }, { "c", SIP_HDR_CONTENT_TYPE },
		{ "content-length", SIP_HDR_CONTENT_LENGTH }, { "l", SIP_HDR_CONTENT_LENGTH },
	};
	size_t c = ls, vs, ve = le;

	while (c < le && b[c] != ':' && b[c] != ' ')
		c++;
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		if (strlen(known[k].name) != c - ls || strncasecmp(b + ls, known[k].name, c - ls))
			continue;
		vs = c;
		while (vs < le && (b[vs] == ':' || b[vs] == ' ' || b[vs] == '\t'))
			vs++;
		while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t' || b[ve - 1] == '\r'))
			ve--;
		struct sip_hdr *h = &f->h[f->m.nhdrs];
		h->id = known[k].id;
		h->name = sip_span_make((uint32_t)ls, (uint32_t)(c - ls));
		h->value = sip_span_make((uint32_t)vs, (uint32_t)(ve - vs));
		h->line = sip_span_make((uint32_t)ls, (uint32_t)(le - ls));
		if (h->id == SIP_HDR_CONTENT_LENGTH && f->m.clen_hdr < 0) {
			f->m.clen_hdr = (int16_t)f->m.nhdrs;
			f->m.content_length = 0;
			for (size_t i = vs; i < ve && b[i] >= '0' && b[i] <= '9'; i++)
				f->m.content_length = f->m.content_length * 10 + (b[i] - '0');
		}
		f->m.nhdrs++;
	}
}

/* A message held in b[0, len): headers up to the first empty line, the body
 * after it, Content-Length octets long when the header is there. */
static inline struct sip_msg *fix_msg(struct fix *f, const char *b, size_t len)
{
	size_t p = 0;

	memset(f, 0, sizeof(*f));
	f->m.buf = b;
	f->m.len = (uint32_t)len;
	f->m.hdrs = f->h;
	f->m.hdr_cap = FIX_HDRS;
	f->m.clen_hdr = -1;
	f->m.content_length = -1;
	while (p < len) {
		const char *nl = memchr(b + p, '\n', len - p);
		size_t le = nl ? (size_t)(nl - b) : len;
		if (le == p || (le == p + 1 && b[p] == '\r')) {
			p = le + 1;
			break;
		}
		/* Folded continuation lines belong to this header. */
		while (le + 1 < len && (b[le + 1] == ' ' || b[le + 1] == '\t')) {
			nl = memchr(b + le + 1, '\n', len - le - 1);
			le = nl ? (size_t)(nl - b) : len;
		}
		if (p > 0)
			fix_hdr(f, b, p, le);
		p = le + 1;
	}
	f->m.body_off = (uint32_t)p;
	f->m.body_len = (uint32_t)(len - p);
	if (f->m.content_length >= 0 && (size_t)f->m.content_length < len - p)
		f->m.body_len = (uint32_t)f->m.content_length;
	return &f->m;
}

#endif
