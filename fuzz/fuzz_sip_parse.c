/*
 * fuzz_sip_parse.c - libFuzzer target for the SIP message parser and every
 * value grammar behind it.
 *
 * The input is one message.  It is parsed as a datagram and as a stream
 * (pipelined messages split one by one), framed with sip_frame(), validated,
 * and every header value is run through each value parser (URI, name-addr
 * lists, Via, CSeq, numbers, Content-Type, Call-ID), whatever the header, so
 * each grammar also meets text it was never meant for.  Besides the
 * sanitizers, the target checks the parser's promises and abort()s when one
 * is broken: return values within the input, every span inside the message,
 * and the parser's fast path equal to its reference path on every field at
 * each mask implementation (C, SSE2, AVX2; msgdiff.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/addr.h"
#include "sip/frame.h"
#include "sip/limits.h"
#include "sip/msg.h"
#include "sip/uri.h"
#include "sip/values.h"
#include "sip/via.h"
#include "../tests/unit/msgdiff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken promise: say which check (for triage of a crash file), then
 * abort() so libFuzzer keeps the input. */
static void violated(const char *check)
{
	fprintf(stderr, "violated: %s\n", check);
	abort();
}

/* A present span must lie inside the len bytes it was parsed from. */
static void span_in(struct sip_span s, size_t len)
{
	if (sip_span_present(s) && (uint64_t)s.off + s.len > len)
		violated("span outside the message");
}

static void params_walk(const char *b, struct sip_span params, size_t len)
{
	struct sip_span rest = params, name, value;
	unsigned guard = 0;

	if (!sip_span_present(params))
		return;
	while (sip_param_next(b, &rest, &name, &value) > 0) {
		span_in(name, len);
		span_in(value, len);
		if (++guard > SIP_MAX_LINE)
			violated("parameter iterator does not advance");
	}
}

static void uri_check(const char *b, const struct sip_uri *u, size_t len)
{
	span_in(u->whole, len);
	span_in(u->user, len);
	span_in(u->host, len);
	span_in(u->port, len);
	span_in(u->hostport, len);
	span_in(u->params, len);
	span_in(u->headers, len);
	params_walk(b, u->params, len);
	if (sip_span_present(u->host))
		sip_host_parse(b, u->host, 1);
}

static void item_parse(const char *b, struct sip_span item, size_t len)
{
	struct sip_addr a;
	struct sip_via v;

	span_in(item, len);
	if (sip_addr_parse(&a, b, item) == 0) {
		span_in(a.display, len);
		span_in(a.params, len);
		span_in(a.tag, len);
		uri_check(b, &a.uri, len);
		params_walk(b, a.params, len);
	}
	if (sip_via_parse(&v, b, item) == 0) {
		span_in(v.sent_by, len);
		span_in(v.host, len);
		span_in(v.branch, len);
		span_in(v.received, len);
		params_walk(b, v.params, len);
	}
}

/* Every value grammar on one header value. */
static void value_parse(const char *b, struct sip_span v, size_t len)
{
	struct sip_span rest = v, item;
	struct sip_uri u;
	struct sip_cseq c;
	struct sip_ctype ct;
	unsigned n = 0;

	if (sip_uri_parse(&u, b, v) == 0)
		uri_check(b, &u, len);
	while (sip_list_next(b, &rest, &item) > 0) {
		item_parse(b, item, len);
		if (++n > SIP_MAX_LINE)
			violated("list iterator does not advance");
	}
	if (sip_cseq_parse(&c, b, v) == 0)
		span_in(c.method_s, len);
	sip_value_uint(b, v, 4294967295u);
	if (sip_ctype_parse(&ct, b, v) == 0)
		sip_ctype_is(b, &ct, "application", "sdp");
	sip_callid_check(b, v);
}

static void msg_exercise(struct sip_msg *m)
{
	struct sip_cseq c;
	struct sip_span s;

	if (m->len > SIP_MAX_MSG_SIZE || (uint64_t)m->body_off + m->body_len > m->len)
		violated("body or message length out of range");
	for (unsigned i = 0; i < m->nhdrs; i++) {
		const struct sip_hdr *h = &m->hdrs[i];
		uint8_t compact = 0;

		span_in(h->name, m->len);
		span_in(h->line, m->len);
		/* The header index and the name table must agree (one table). */
		if (sip_hdr_lookup(m->buf + h->name.off, h->name.len, &compact) != h->id ||
		    compact != h->compact)
			violated("header id differs from sip_hdr_lookup of its name");
		value_parse(m->buf, h->value, m->len);
	}
	if (m->is_request) {
		if (sip_method_lookup(m->buf + m->method_s.off, m->method_s.len) != m->method)
			violated("method differs from sip_method_lookup");
		value_parse(m->buf, m->ruri, m->len);
	}
	sip_msg_cseq(m, &c);
	sip_msg_callid(m, &s);
	sip_msg_tag(m, SIP_HDR_FROM, &s);
	sip_msg_validate(m);
}

static void stream_parse(const char *buf, size_t size, struct sip_hdr *hdrs)
{
	struct sip_msg m;
	size_t off = 0, flen = 0;

	while (off < size) {
		int k = sip_frame(buf + off, size - off, &flen);
		int r = sip_msg_parse(&m, buf + off, size - off, hdrs, SIP_MAX_HEADERS,
				      SIP_PARSE_STREAM);

		if (k > 0 && (flen == 0 || flen > size - off))
			violated("frame length out of range");
		if (k == SIP_FRAME_PING || k == SIP_FRAME_PONG) {
			off += flen;
			continue;
		}
		if (r <= 0)
			break;
		if ((size_t)r > size - off || m.len != (uint32_t)r)
			violated("stream parse length out of range");
		/* Framing and parsing must agree on where a message ends, or a
		 * proxy and the ALG would see different messages (smuggling). */
		if (k == SIP_FRAME_MESSAGE && flen != (size_t)r)
			violated("sip_frame and sip_msg_parse disagree on the message length");
		msg_exercise(&m);
		off += (size_t)r;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sip_hdr hdrs[SIP_MAX_HEADERS];
	const char *buf = (const char *)data;
	struct sip_msg m;
	int r;

	memset(&m, 0, sizeof(m));
	r = sip_msg_parse(&m, buf, size, hdrs, SIP_MAX_HEADERS, 0);
	if (r > 0) {
		/* A datagram is one message: m->len is all of it (msg.h). */
		if ((size_t)r != size || m.len != size)
			violated("datagram length is not the whole datagram");
		msg_exercise(&m);
	} else if (m.err_off > size) {
		violated("err_off past the input");
	}
	stream_parse(buf, size, hdrs);
	for (unsigned f = 0; f <= SIP_PARSE_STREAM; f++) {
		char why[160];
		if (msgdiff_run(buf, size, SIP_MAX_HEADERS, f, why, sizeof(why)) ||
		    msgdiff_run(buf, size, 3, f, why, sizeof(why))) {
			fprintf(stderr, "%s\n", why);
			violated("fast path differs from the reference path");
		}
	}
	return 0;
}
