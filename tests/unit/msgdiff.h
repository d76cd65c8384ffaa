/*
 * msgdiff.h - sip_msg_parse()'s fast path against its reference path
 * (lex.h LX_SIMD_*): parse one buffer at every mask implementation this
 * build and CPU have and at LX_SIMD_REF, and compare every field.  Used by
 * test_sip_msg and fuzz_sip_parse.
 */
#ifndef SIPALG_TEST_MSGDIFF_H
#define SIPALG_TEST_MSGDIFF_H

#include <stdio.h>
#include <string.h>

#include "sip/lex.h"
#include "sip/limits.h"
#include "sip/msg.h"

static int msgdiff_span(struct sip_span a, struct sip_span b)
{
	return a.off != b.off || a.len != b.len;
}

/* 0 when a and b (with their return values) agree on every field, else
 * the name of the first field that differs. */
static const char *msgdiff_cmp(int ra, const struct sip_msg *a, int rb, const struct sip_msg *b)
{
	if (ra != rb)
		return "return value";
	if (ra < 0)
		return a->err_off != b->err_off ? "err_off" : NULL;
	if (a->len != b->len || a->is_request != b->is_request || a->method != b->method ||
	    a->status != b->status || a->nhdrs != b->nhdrs || a->hdr_cap != b->hdr_cap ||
	    a->body_off != b->body_off || a->body_len != b->body_len ||
	    a->content_length != b->content_length || a->clen_hdr != b->clen_hdr ||
	    a->hdr_end != b->hdr_end || a->flags != b->flags)
		return "message field";
	if (msgdiff_span(a->start_line, b->start_line) || msgdiff_span(a->method_s, b->method_s) ||
	    msgdiff_span(a->ruri, b->ruri) || msgdiff_span(a->version, b->version) ||
	    msgdiff_span(a->status_s, b->status_s) || msgdiff_span(a->reason, b->reason))
		return "start-line span";
	for (unsigned k = 0; k < a->nhdrs; k++) {
		const struct sip_hdr *x = &a->hdrs[k], *y = &b->hdrs[k];
		if (x->id != y->id || x->compact != y->compact || msgdiff_span(x->name, y->name) ||
		    msgdiff_span(x->value, y->value) || msgdiff_span(x->line, y->line))
			return "header";
	}
	return NULL;
}

/* Parse buf at every level; NULL if all agree with the reference, else a
 * description in why.  The level in use before is restored. */
static const char *msgdiff_run(const char *buf, size_t len, unsigned cap, unsigned flags,
			       char *why, size_t whylen)
{
	static struct sip_hdr ref_h[SIP_MAX_HEADERS], h[SIP_MAX_HEADERS];
	struct sip_msg ref, m;
	const char *d = NULL;
	enum lx_simd prev = lx_simd_level();
	int rr, r;

	if (cap > SIP_MAX_HEADERS)
		cap = SIP_MAX_HEADERS;
	lx_simd_select(LX_SIMD_REF);
	rr = sip_msg_parse(&ref, buf, len, ref_h, cap, flags);
	for (int l = LX_SIMD_C; l < LX_SIMD__COUNT && !d; l++) {
		if (lx_simd_select((enum lx_simd)l) < 0)
			continue;
		r = sip_msg_parse(&m, buf, len, h, cap, flags);
		if ((d = msgdiff_cmp(rr, &ref, r, &m)) != NULL)
			snprintf(why, whylen, "level %d: %s differs (rc %d vs reference %d)", l, d,
				 r, rr);
	}
	lx_simd_select(prev);
	return d ? why : NULL;
}

#endif
