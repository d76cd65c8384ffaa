/*
 * fuzz_sdp_parse.c - libFuzzer target for the SDP parser and for finding
 * the SDP in a message body (plain or multipart).
 *
 * The input is parsed twice: as a bare SDP body (sdp_parse over all of it),
 * and as a SIP message whose body is located with sip_body_sdp() and then
 * parsed.  Besides the sanitizers, the target abort()s when a promise of the
 * parsers is broken: every span inside what was parsed, media count within
 * the caller's array, a found SDP inside the message body, and the fast
 * parser agreeing with the reference one (sdp_ref.h) at every scan level.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "sip/body.h"
#include "sip/limits.h"
#include "sip/msg.h"
#include "sip/sdp.h"
#include "sip/sdp_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise: say which check (for triage of a crash file), then
 * abort() so libFuzzer keeps the input. */
static void violated(const char *check)
{
	fprintf(stderr, "violated: %s\n", check);
	abort();
}

/* A present span must lie inside `in`. */
static void span_in(struct sip_span s, struct sip_span in)
{
	if (sip_span_present(s) && (s.off < in.off || (uint64_t)s.off + s.len > sip_span_end(in)))
		violated("span outside what was parsed");
}

static void conn_check(const struct sdp_conn *c, struct sip_span in)
{
	span_in(c->line, in);
	span_in(c->addr, in);
	if (c->family != 0 && c->family != 4 && c->family != 6)
		violated("bad address family");
}

static void media_check(const struct sdp_media *md, struct sip_span in)
{
	span_in(md->section, in);
	span_in(md->line, in);
	span_in(md->port, in);
	span_in(md->count, in);
	span_in(md->proto, in);
	span_in(md->fmts, in);
	span_in(md->rtcp_port, in);
	if (md->has_conn)
		conn_check(&md->conn, in);
	if (md->has_rtcp)
		conn_check(&md->rtcp_addr, in);
	if (md->dir > SDP_DIR_INACTIVE)
		violated("bad direction");
}

/* The fast parser at every scan level agrees with the reference one on
 * every field (sdp_ref.h), with the full media array and with a short one. */
static void ref_check(const char *buf, struct sip_span body, unsigned cap)
{
	static struct sdp_media m1[SDP_MAX_MEDIA], m2[SDP_MAX_MEDIA];
	struct sdp s1, s2;
	int dflt = sdp_simd_level;
	int r2 = sdp_parse_ref(&s2, buf, body, m2, cap);

	for (int lvl = 0; lvl <= 2; lvl++) {
		sdp_simd_level = lvl;
		if (!sdp_ref_same(&s1, sdp_parse(&s1, buf, body, m1, cap), &s2, r2))
			violated("fast parser differs from the reference");
	}
	sdp_simd_level = dflt;
}

static void sdp_run(const char *buf, struct sip_span body)
{
	static struct sdp_media media[SDP_MAX_MEDIA];
	struct sdp s;
	int n = sdp_parse(&s, buf, body, media, SDP_MAX_MEDIA);

	ref_check(buf, body, SDP_MAX_MEDIA);
	ref_check(buf, body, 1);

	if (n < 0) {
		/* sdp.h: err_off is the start of the line that failed. */
		if (s.err_off < body.off || s.err_off > sip_span_end(body))
			violated("err_off outside the SDP");
		return;
	}
	if ((unsigned)n != s.nmedia || s.nmedia > SDP_MAX_MEDIA)
		violated("media count out of range");
	if (s.has_origin)
		conn_check(&s.origin.addr, body);
	if (s.has_conn)
		conn_check(&s.conn, body);
	for (unsigned i = 0; i < s.nmedia; i++)
		media_check(&s.media[i], body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_hdr hdrs[SIP_MAX_HEADERS];
	const char *buf = (const char *)data;
	struct sip_msg m;
	struct sip_span sdp;

	if (size > SIP_MAX_MSG_SIZE)
		return 0;
	sdp_run(buf, sip_span_make(0, (uint32_t)size));
	if (sip_msg_parse(&m, buf, size, hdrs, SIP_MAX_HEADERS, 0) <= 0)
		return 0;
	if (sip_body_sdp(&m, &sdp) == 1) {
		span_in(sdp, sip_span_make(m.body_off, m.body_len));
		sdp_run(buf, sdp);
	}
	return 0;
}
