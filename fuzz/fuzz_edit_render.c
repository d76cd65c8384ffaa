/*
 * fuzz_edit_render.c - libFuzzer target for the edit list and the renderer,
 * driven the way the ALG drives them.
 *
 * Input: 4 control bytes, then one SIP message.  Control byte 0 picks what
 * to rewrite (flag bits below) and datagram or stream parsing; bytes 1-3
 * seed the choice of replacement values and random spans.  The target
 * parses the message, records edits (top Via sent-by, Contact hostports,
 * SDP c=/o= addresses, m= and a=rtcp ports, random spans inside extension
 * header values and inside the SDP), renders, and checks, abort()ing on
 * any violation:
 *   - an edit that does not overlap an earlier one is accepted, one that
 *     does (or lies outside the message) is rejected (SIP_EEDIT);
 *   - the output equals an independent model: the edits applied in offset
 *     order plus the new Content-Length digits when the body length changed;
 *     with no edits it is the input byte for byte;
 *   - the output re-parses, its Content-Length equals its real body length;
 *   - a message that validated still validates (when only ALG edits were
 *     made); the SDP is found again, and one that parsed still parses with
 *     as many m= lines (unless random spans went into it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/addr.h"
#include "sip/body.h"
#include "sip/edit.h"
#include "sip/limits.h"
#include "sip/msg.h"
#include "sip/sdp.h"
#include "sip/via.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise: say which check (for triage of a crash file), then
 * abort() so libFuzzer keeps the input. */
static void violated(const char *check)
{
	fprintf(stderr, "violated: %s\n", check);
	abort();
}

enum {
	F_VIA = 1u << 0,
	F_CONTACT = 1u << 1,
	F_CONN = 1u << 2,
	F_ORIGIN = 1u << 3,
	F_PORT = 1u << 4,
	F_RTCP = 1u << 5,
	F_RANDOM = 1u << 6,
	F_STREAM = 1u << 7,
};

#define POOL_SIZE 4096
/* sip_render fixes at most this many agreeing Content-Length headers; with
 * more, a length change is SIP_ECLEN (edit.h). */
#define CLEN_MAX 4

struct run {
	struct sip_msg m;
	struct sip_hdr hdrs[SIP_MAX_HEADERS];
	struct sip_edits e;
	struct sip_edit ev[SIP_MAX_EDITS];
	char pool[POOL_SIZE];
	/* Our own copy of what was accepted: the model's input. */
	struct sip_edit mine[SIP_MAX_EDITS];
	unsigned nmine;
	uint32_t rng;
	int random_used, random_body;
	struct sdp sdp;
	struct sdp_media media[SDP_MAX_MEDIA];
	int sdp_found, sdp_ok, sdp_n;
	struct sip_span sdp_span;
};

static uint32_t rnd(struct run *r)
{
	/* xorshift32: any fixed sequence will do, it only has to be repeatable. */
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 17;
	r->rng ^= r->rng << 5;
	return r->rng;
}

static int overlaps_mine(const struct run *r, uint32_t off, uint32_t len)
{
	for (unsigned i = 0; i < r->nmine; i++) {
		const struct sip_edit *x = &r->mine[i];
		if (off < x->off + x->len && x->off < off + len)
			return 1;
	}
	return 0;
}

/* Add a replacement (len >= 1) and check the list's verdict against ours. */
static void add(struct run *r, struct sip_span s, const char *text, size_t n)
{
	int expect_ok, rc;

	if (!sip_span_present(s) || s.len == 0)
		return;
	expect_ok = !overlaps_mine(r, s.off, s.len) && sip_span_end(s) <= r->m.len;
	rc = sip_edits_add(&r->e, s.off, s.len, text, n);
	if (rc == SIP_ENOSPACE)
		return;
	if ((rc == 0) != expect_ok || (rc < 0 && rc != SIP_EEDIT))
		violated("edit list verdict differs from the overlap model");
	if (rc == 0)
		r->mine[r->nmine++] = (struct sip_edit){s.off, s.len, 0, (uint32_t)n};
}

static void add_hostport(struct run *r, struct sip_span s)
{
	char t[32];
	int n = snprintf(t, sizeof(t), "203.0.113.%u:%u", rnd(r) % 256, 1 + rnd(r) % 65535);

	add(r, s, t, (size_t)n);
}

static void add_addr(struct run *r, const struct sdp_conn *c)
{
	char t[48];
	int n;

	if (c->family == 4)
		n = snprintf(t, sizeof(t), "198.51.100.%u", rnd(r) % 256);
	else if (c->family == 6)
		n = snprintf(t, sizeof(t), "2001:db8::%x", rnd(r) % 65536);
	else
		return;
	add(r, c->addr, t, (size_t)n);
}

static void add_port(struct run *r, struct sip_span s)
{
	char t[8];
	int n = snprintf(t, sizeof(t), "%u", rnd(r) % 65536);

	add(r, s, t, (size_t)n);
}

static void edit_via_contact(struct run *r, unsigned flags)
{
	const char *b = r->m.buf;
	struct sip_span rest, item;
	int h;

	h = sip_msg_find(&r->m, SIP_HDR_VIA, -1);
	if ((flags & F_VIA) && h >= 0) {
		struct sip_via v;
		rest = r->m.hdrs[h].value;
		if (sip_list_next(b, &rest, &item) > 0 && sip_via_parse(&v, b, item) == 0)
			add_hostport(r, v.sent_by);
	}
	for (h = -1; (flags & F_CONTACT) && (h = sip_msg_find(&r->m, SIP_HDR_CONTACT, h)) >= 0;) {
		struct sip_addr a;
		rest = r->m.hdrs[h].value;
		while (sip_list_next(b, &rest, &item) > 0)
			if (sip_addr_parse(&a, b, item) == 0 && !a.star)
				add_hostport(r, a.uri.hostport);
	}
}

static void edit_sdp(struct run *r, unsigned flags)
{
	if (!r->sdp_ok)
		return;
	if ((flags & F_CONN) && r->sdp.has_conn)
		add_addr(r, &r->sdp.conn);
	if ((flags & F_ORIGIN) && r->sdp.has_origin)
		add_addr(r, &r->sdp.origin.addr);
	for (unsigned i = 0; i < r->sdp.nmedia; i++) {
		const struct sdp_media *md = &r->sdp.media[i];
		if ((flags & F_CONN) && md->has_conn)
			add_addr(r, &md->conn);
		if (flags & F_PORT)
			add_port(r, md->port);
		if ((flags & F_RTCP) && md->has_rtcp)
			add_port(r, md->rtcp_port);
	}
}

/* Where random spans may go: an extension header's value, or the SDP
 * (whose lines the edit may break: the SDP is then not checked again). */
static struct sip_span random_region(struct run *r, int *in_body)
{
	const struct sip_hdr *h;

	*in_body = r->sdp_found && rnd(r) % 4 == 0;
	if (*in_body)
		return r->sdp_span;
	if (r->m.nhdrs == 0)
		return SIP_SPAN_NONE;
	h = &r->m.hdrs[rnd(r) % r->m.nhdrs];
	return h->id == SIP_HDR_OTHER ? h->value : SIP_SPAN_NONE;
}

/* Random spans replaced by 0-8 alphanumerics.  A span holds no CR or LF
 * and does not start a line, so no line is cut, no continuation line is
 * unfolded, no SDP line changes type; alphanumerics cannot make a
 * multipart boundary ("--"). */
static void edit_random(struct run *r)
{
	static const char an[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned tries = 1 + rnd(r) % 8;

	for (unsigned t = 0; t < tries; t++) {
		int in_body;
		struct sip_span v = random_region(r, &in_body);
		char text[8];
		uint32_t off, len, n = rnd(r) % 9;

		if (!sip_span_present(v) || v.len == 0)
			continue;
		off = v.off + rnd(r) % v.len;
		len = 1 + rnd(r) % (sip_span_end(v) - off);
		if (memchr(r->m.buf + off, '\r', len) || memchr(r->m.buf + off, '\n', len) ||
		    r->m.buf[off - 1] == '\n')
			continue;
		for (uint32_t i = 0; i < n; i++)
			text[i] = an[rnd(r) % (sizeof(an) - 1)];
		add(r, sip_span_make(off, len), text, n);
		r->random_used = 1;
		r->random_body |= in_body;
	}
}

/* An edit overlapping an accepted one, and one past the end, must both be
 * rejected whatever else the list holds. */
static void check_rejects(struct run *r)
{
	struct sip_edit x;

	if (r->nmine == 0 || r->nmine >= SIP_MAX_EDITS || r->e.used >= POOL_SIZE)
		return;
	x = r->mine[rnd(r) % r->nmine];
	if (sip_edits_add(&r->e, x.off + x.len - 1, 1, "x", 1) != SIP_EEDIT)
		violated("overlapping edit accepted");
	if (sip_edits_add(&r->e, r->m.len, 1, "x", 1) != SIP_EEDIT)
		violated("edit past the end accepted");
}

static int cmp_edit(const void *a, const void *b)
{
	const struct sip_edit *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/*
 * The model: the original with our edits applied in offset order, and the
 * digits of every Content-Length header (the parser accepts agreeing
 * repeats) replaced when the body length changed (edit.h).
 * The replacement bytes are found again in the list's pool by matching
 * offsets, so the model does not trust the list's order.  Returns the
 * model's length.
 */
static size_t model(struct run *r, char *out)
{
	const struct sip_msg *m = &r->m;
	int64_t body = m->body_len;
	uint32_t pos = 0;
	size_t o = 0;
	struct sip_edit all[SIP_MAX_EDITS + CLEN_MAX];
	char digits[24];
	unsigned n = 0;

	for (unsigned i = 0; i < r->e.n; i++) {
		all[n] = r->e.v[i];
		if (all[n].off >= m->body_off)
			body += (int64_t)all[n].data_len - all[n].len;
		n++;
	}
	for (unsigned i = 0; i < m->nhdrs && body != m->content_length; i++) {
		struct sip_span v = m->hdrs[i].value;
		int d = snprintf(digits, sizeof(digits), "%lld", (long long)body);

		if (m->hdrs[i].id == SIP_HDR_CONTENT_LENGTH)
			all[n++] = (struct sip_edit){v.off, v.len, UINT32_MAX, (uint32_t)d};
	}
	qsort(all, n, sizeof(all[0]), cmp_edit);
	for (unsigned i = 0; i < n; i++) {
		memcpy(out + o, m->buf + pos, all[i].off - pos);
		o += all[i].off - pos;
		memcpy(out + o, all[i].data_off == UINT32_MAX ? digits : r->pool + all[i].data_off,
		       all[i].data_len);
		o += all[i].data_len;
		pos = all[i].off + all[i].len;
	}
	memcpy(out + o, m->buf + pos, m->len - pos);
	return o + m->len - pos;
}

/* The rendered message must parse, with a Content-Length that is true. */
static void check_reparse(struct run *r, const char *out, size_t len, unsigned pflags)
{
	static struct sip_hdr hdrs2[SIP_MAX_HEADERS];
	const struct sip_msg *m = &r->m;
	struct sip_msg m2;
	int rc, whole = (uint64_t)m->body_off + m->body_len == m->len;

	rc = sip_msg_parse(&m2, out, len, hdrs2, SIP_MAX_HEADERS, pflags);

	if (rc <= 0) {
		fprintf(stderr, "re-parse: %s at %u\n", sip_strerror(rc), m2.err_off);
		violated("the rendered message does not parse");
	}
	if ((size_t)rc != len || m2.nhdrs != m->nhdrs)
		violated("re-parse changed the message length or the header count");
	if (whole && m2.content_length >= 0 &&
	    (m2.content_length != (int64_t)len - m2.body_off ||
	     (uint64_t)m2.body_off + m2.body_len != len))
		violated("Content-Length is not the real body length");
	if (!r->random_used && sip_msg_validate(&r->m) == 0 && sip_msg_validate(&m2) != 0)
		violated("a valid message became invalid");
	if (r->sdp_found) {
		struct sip_span sp;
		struct sdp s2;
		static struct sdp_media media2[SDP_MAX_MEDIA];
		if (sip_body_sdp(&m2, &sp) != 1)
			violated("the SDP is no longer found");
		if (r->sdp_ok && !r->random_body &&
		    sdp_parse(&s2, out, sp, media2, SDP_MAX_MEDIA) != r->sdp_n)
			violated("the SDP no longer parses the same");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	static char out[SIP_MAX_MSG_SIZE + POOL_SIZE + 64], want[sizeof(out)];
	const char *buf = (const char *)data + 4;
	unsigned flags, pflags;
	struct sip_span sp;
	int len;

	if (size < 4)
		return 0;
	flags = data[0];
	pflags = (flags & F_STREAM) ? SIP_PARSE_STREAM : 0;
	memset(&r, 0, sizeof(r));
	r.rng = ((uint32_t)data[1] << 16 | (uint32_t)data[2] << 8 | data[3]) | 1u;
	if (sip_msg_parse(&r.m, buf, size - 4, r.hdrs, SIP_MAX_HEADERS, pflags) <= 0)
		return 0;
	if (sip_body_sdp(&r.m, &sp) == 1) {
		r.sdp_found = 1;
		r.sdp_span = sp;
		r.sdp_n = sdp_parse(&r.sdp, buf, sp, r.media, SDP_MAX_MEDIA);
		r.sdp_ok = r.sdp_n >= 0;
	}
	sip_edits_init(&r.e, r.m.len, r.ev, SIP_MAX_EDITS, r.pool, sizeof(r.pool));
	edit_via_contact(&r, flags);
	edit_sdp(&r, flags);
	if (flags & F_RANDOM)
		edit_random(&r);
	check_rejects(&r);
	len = sip_render(&r.m, &r.e, out, sizeof(out));
	/* More Content-Length headers than render fixes: SIP_ECLEN when the
	 * length changes; outside the model. */
	if (sip_msg_count(&r.m, SIP_HDR_CONTENT_LENGTH) > CLEN_MAX)
		return 0;
	if (len < 0 || (size_t)len != model(&r, want) || memcmp(out, want, (size_t)len))
		violated("render differs from the model");
	if (r.e.n == 0 && ((uint32_t)len != r.m.len || memcmp(out, buf, r.m.len)))
		violated("render with no edits is not the input");
	check_reparse(&r, out, (size_t)len, pflags);
	return 0;
}
