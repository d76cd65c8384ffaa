/*
 * corpus.h - small helpers shared by the parser's corpus tests: read a
 * file, parse it whole and from a guard-page copy, and look at headers.
 * Include after check.h.
 */
#ifndef SIPALG_TEST_CORPUS_H
#define SIPALG_TEST_CORPUS_H

#include <stdlib.h>

#include "sip/addr.h"
#include "sip/limits.h"
#include "sip/msg.h"
#include "sip/via.h"

#define CORPUS_MAX (2 * SIP_MAX_MSG_SIZE)

static inline const char *corpus_root(void)
{
	const char *r = getenv("SIPALG_CORPORA");
	return r && *r ? r : "../shared/corpora";
}

/* Read root/rel into buf; the length or -1. */
static inline long corpus_read(const char *rel, char *buf, size_t cap)
{
	char path[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", corpus_root(), rel);
	if (!(f = fopen(path, "rb")))
		return -1;
	n = fread(buf, 1, cap, f);
	fclose(f);
	return (long)n;
}

/* Parse, then validate if the parse succeeded: the first error, or 0.  The
 * guard-page copy must give the same verdict. */
static inline int corpus_verdict(struct sip_msg *m, struct sip_hdr *h, const char *buf, size_t len,
			  unsigned flags)
{
	int r = sip_msg_parse(m, buf, len, h, SIP_MAX_HEADERS, flags);
	int v = r < 0 ? r : sip_msg_validate(m);
	void *map;
	size_t maplen;
	char *g = check_guard_copy(buf, len, &map, &maplen);
	struct sip_msg gm;
	static struct sip_hdr gh[SIP_MAX_HEADERS];

	if (g) {
		int gr = sip_msg_parse(&gm, g, len, gh, SIP_MAX_HEADERS, flags);
		int gv = gr < 0 ? gr : sip_msg_validate(&gm);
		CHECK_EQ_INT(gr, r);
		CHECK_EQ_INT(gv, v);
		check_guard_free(map, maplen);
	}
	return v;
}

/* Value of the nth header with this id, or SIP_SPAN_NONE. */
static inline struct sip_span corpus_hdr(const struct sip_msg *m, enum sip_hdr_id id, int nth)
{
	int k = -1;

	while ((k = sip_msg_find(m, id, k)) >= 0)
		if (nth-- == 0)
			return m->hdrs[k].value;
	return SIP_SPAN_NONE;
}

/* All Via values in order (header by header, then comma by comma). */
static inline int corpus_vias(const struct sip_msg *m, struct sip_via *v, int cap)
{
	int n = 0, k = -1;

	while ((k = sip_msg_find(m, SIP_HDR_VIA, k)) >= 0) {
		struct sip_span rest = m->hdrs[k].value, item;
		while (sip_list_next(m->buf, &rest, &item) > 0 && n < cap)
			if (sip_via_parse(&v[n++], m->buf, item) < 0)
				return -1;
	}
	return n;
}

/* Parse the first address of the nth header with this id. */
static inline int corpus_addr(const struct sip_msg *m, enum sip_hdr_id id, int nth, struct sip_addr *a)
{
	struct sip_span v = corpus_hdr(m, id, nth), item;

	if (!sip_span_present(v))
		return -1;
	if (id == SIP_HDR_FROM || id == SIP_HDR_TO)
		return sip_addr_parse(a, m->buf, v);
	if (sip_list_next(m->buf, &v, &item) <= 0)
		return -1;
	return sip_addr_parse(a, m->buf, item);
}

#endif
