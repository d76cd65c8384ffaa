/*
 * test_sdp.c - sdp_parse(): a table of SDP bodies with expectations.
 *
 * Every case runs whole (in its CRLF form and its LF form), then every
 * prefix of it (the body truncated at every byte) against a guard page, so
 * a read past the end of the span faults; every span returned must lie
 * inside the body.  Every parse also runs through the reference parser and
 * the fast one at each scan level (sdp_ref.h), which must agree on every
 * field, the return value and err_off.
 */
#include <stdlib.h>

#include "check.h"
#include "wirefix.h"
#include "sip/error.h"
#include "sip/limits.h"
#include "sip/sdp.h"
#include "sip/sdp_ref.h"

struct sdp_res {
	int rc;
	struct sdp s;
	struct sdp_media m[SDP_MAX_MEDIA];
	const char *b;
};

/* sdp_parse() with every scan level, each checked against the reference
 * parser (sdp_ref.h) on every field; the default level's result is kept. */
static int parse_at(struct sdp_res *r, const char *b, size_t len, size_t pre, unsigned cap)
{
	static struct sdp_media m2[SDP_MAX_MEDIA];
	struct sip_span body = sip_span_make((uint32_t)pre, (uint32_t)(len - pre));
	int dflt = sdp_simd_level, r2;
	struct sdp s2;

	r->b = b;
	r2 = sdp_parse_ref(&s2, b, body, m2, cap);
	for (int lvl = 0; lvl <= 2; lvl++) {
		sdp_simd_level = lvl;
		r->rc = sdp_parse(&r->s, b, body, r->m, cap);
		if (!sdp_ref_same(&r->s, r->rc, &s2, r2) && !check_failed) {
			snprintf(check_why, sizeof(check_why), "scan level %d differs from the reference (rc %d vs %d, "
			       "err_off %u vs %u) on %.*s", lvl, r->rc, r2, r->s.err_off,
			       s2.err_off, (int)(len - pre), b + pre);
			check_failed = 1;
		}
	}
	sdp_simd_level = dflt;
	r->rc = sdp_parse(&r->s, b, body, r->m, cap);
	return r->rc;
}

static int span_in(struct sip_span s, uint32_t lo, uint32_t hi)
{
	return !sip_span_present(s) || (s.off >= lo && s.off + s.len <= hi);
}

static int conn_in(const struct sdp_conn *c, uint32_t lo, uint32_t hi)
{
	return span_in(c->addr, lo, hi) && span_in(c->line, lo, hi) &&
	       span_in(c->nettype, lo, hi) && span_in(c->addrtype, lo, hi);
}

/* Every span the parser returned lies in [lo, hi). */
static int spans_in(const struct sdp_res *r, uint32_t lo, uint32_t hi)
{
	int ok = conn_in(&r->s.conn, lo, hi) && conn_in(&r->s.origin.addr, lo, hi);

	for (int i = 0; ok && r->rc > 0 && i < r->rc; i++) {
		const struct sdp_media *m = &r->m[i];
		ok = span_in(m->section, lo, hi) && span_in(m->line, lo, hi) &&
		     span_in(m->port, lo, hi) && span_in(m->count, lo, hi) &&
		     span_in(m->proto, lo, hi) && span_in(m->fmts, lo, hi) &&
		     conn_in(&m->conn, lo, hi) && span_in(m->rtcp_port, lo, hi) &&
		     conn_in(&m->rtcp_addr, lo, hi);
	}
	return ok;
}

/* Parse `txt` (LF line ends) whole in LF and CRLF form, at an offset inside
 * a larger buffer, then every truncation on a guard page.  The CRLF form's
 * result is left in *r for the case to inspect. */
static void run(struct sdp_res *r, const char *txt, int want_rc)
{
	static char keep[8192];
	size_t n, lf = strlen(txt);
	char *crlf = fix_crlf(txt, &n);
	struct sdp_res t;
	void *map;
	size_t maplen;

	/* LF form, preceded by junk that must be ignored. */
	memset(keep, '#', 16);
	memcpy(keep + 16, txt, lf);
	CHECK_EQ_INT(parse_at(&t, keep, 16 + lf, 16, SDP_MAX_MEDIA), want_rc);
	CHECK(spans_in(&t, 16, (uint32_t)(16 + lf)));
	for (size_t cut = 0; cut <= n; cut++) {
		char *g = check_guard_copy(crlf, cut, &map, &maplen);
		CHECK(g != NULL);
		if (!g)
			break;
		int rc = parse_at(&t, g, cut, 0, SDP_MAX_MEDIA);
		CHECK(rc >= SIP_ERR_MIN && rc <= (int)SDP_MAX_MEDIA);
		CHECK(spans_in(&t, 0, (uint32_t)cut));
		check_guard_free(map, maplen);
	}
	memcpy(keep, crlf, n);
	free(crlf);
	CHECK_EQ_INT(parse_at(r, keep, n, 0, SDP_MAX_MEDIA), want_rc);
	CHECK(spans_in(r, 0, (uint32_t)n));
}

static const char offer[] =
	"v=0\n"
	"o=alice 2890844526 2890844527 IN IP4 192.168.1.10\n"
	"s=-\n"
	"c=IN IP4 192.168.1.10\n"
	"t=0 0\n"
	"m=audio 49170 RTP/AVP 0 8 101\n"
	"a=rtpmap:0 PCMU/8000\n"
	"a=rtcp:49171\n"
	"a=sendrecv\n"
	"m=video 51372/2 RTP/AVP 31\n"
	"c=IN IP4 192.168.1.11\n"
	"a=rtcp:53020 IN IP4 192.168.1.12\n"
	"a=recvonly\n";

static void t_offer(void)
{
	struct sdp_res r;

	run(&r, offer, 2);
	CHECK(r.s.has_origin && r.s.has_conn);
	CHECK_SPAN(r.b, r.s.origin.username, "alice");
	CHECK_SPAN(r.b, r.s.origin.sess_id, "2890844526");
	CHECK_SPAN(r.b, r.s.origin.sess_version, "2890844527");
	CHECK_SPAN(r.b, r.s.origin.addr.addr, "192.168.1.10");
	CHECK_EQ_INT(r.s.origin.addr.family, 4);
	CHECK_SPAN(r.b, r.s.origin.line, "o=alice 2890844526 2890844527 IN IP4 192.168.1.10");
	CHECK_SPAN(r.b, r.s.conn.addr, "192.168.1.10");
	CHECK_SPAN(r.b, r.s.conn.line, "c=IN IP4 192.168.1.10");
	CHECK_SPAN(r.b, r.s.conn.nettype, "IN");
	CHECK_SPAN(r.b, r.s.conn.addrtype, "IP4");
	CHECK_SPAN(r.b, r.m[0].media, "audio");
	CHECK_SPAN(r.b, r.m[0].port, "49170");
	CHECK_EQ_INT(r.m[0].port_num, 49170);
	CHECK(!sip_span_present(r.m[0].count));
	CHECK_EQ_INT(r.m[0].count_num, 1);
	CHECK_SPAN(r.b, r.m[0].proto, "RTP/AVP");
	CHECK_SPAN(r.b, r.m[0].fmts, "0 8 101");
	CHECK(!r.m[0].has_conn);
	CHECK(r.m[0].has_rtcp);
	CHECK_SPAN(r.b, r.m[0].rtcp_port, "49171");
	CHECK_EQ_INT(r.m[0].rtcp_port_num, 49171);
	CHECK(!sip_span_present(r.m[0].rtcp_addr.addr));
	CHECK(!sip_span_present(r.m[0].rtcp_addr.line));
	CHECK(!sip_span_present(r.m[0].conn.nettype));
	CHECK_SPAN(r.b, r.m[0].rtcp_line, "a=rtcp:49171");
	CHECK_EQ_INT(r.m[0].dir, SDP_DIR_SENDRECV);
	CHECK_SPAN(r.b, r.m[0].section, "m=audio 49170 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\n"
				       "a=rtcp:49171\r\na=sendrecv\r\n");
	CHECK_SPAN(r.b, r.m[1].port, "51372");
	CHECK_SPAN(r.b, r.m[1].count, "2");
	CHECK_EQ_INT(r.m[1].count_num, 2);
	CHECK(r.m[1].has_conn);
	CHECK_SPAN(r.b, r.m[1].conn.addr, "192.168.1.11");
	CHECK_SPAN(r.b, r.m[1].rtcp_addr.addr, "192.168.1.12");
	CHECK_EQ_INT(r.m[1].rtcp_addr.family, 4);
	CHECK_EQ_INT(r.m[1].rtcp_port_num, 53020);
	CHECK_EQ_INT(r.m[1].dir, SDP_DIR_RECVONLY);
	CHECK_EQ_INT(r.s.dir, SDP_DIR_NONE);
	CHECK(!r.s.ice && !r.m[0].ice && !r.m[1].ice);
	CHECK(sip_span_end(r.m[1].section) == r.s.whole.len);
}

/* RFC 5118 §4.6 / §4.8: IN IP6 without brackets, mixed families. */
static void t_ipv6(void)
{
	struct sdp_res r;

	run(&r, "v=0\n"
		"o=bob 280744730 28977631 IN IP6 2001:db8::10\n"
		"s=-\n"
		"c=IN IP6 2001:db8::20\n"
		"t=0 0\n"
		"m=audio 22334 RTP/AVP 0\n"
		"c=IN IP4 192.0.2.1\n"
		"m=audio 22336 RTP/AVP 0\n"
		"c=IN IP6 ::ffff:192.0.2.2\n"
		"a=rtcp:22337 IN IP6 2001:2345:6789:ABCD:EF01:2345:6789:ABCD\n",
	    2);
	CHECK_EQ_INT(r.s.origin.addr.family, 6);
	CHECK_SPAN(r.b, r.s.origin.addr.addr, "2001:db8::10");
	CHECK_EQ_INT(r.s.conn.family, 6);
	CHECK_SPAN(r.b, r.s.conn.addr, "2001:db8::20");
	CHECK_EQ_INT(r.m[0].conn.family, 4);
	CHECK_EQ_INT(r.m[1].conn.family, 6);
	CHECK_SPAN(r.b, r.m[1].conn.addr, "::ffff:192.0.2.2");
	CHECK_EQ_INT(r.m[1].rtcp_addr.family, 6);
	CHECK_SPAN(r.b, r.m[1].rtcp_addr.addr, "2001:2345:6789:ABCD:EF01:2345:6789:ABCD");
	/* RFC 4291 §2.2 forms: full, compressed at either end, IPv4 tail. */
	run(&r, "v=0\nc=IN IP6 1:2:3:4:5:6:192.0.2.1\nm=audio 1 RTP/AVP 0\nc=IN IP6 ::\n"
		"m=audio 2 RTP/AVP 0\nc=IN IP6 fe80::\nm=audio 3 RTP/AVP 0\nc=IN IP6 ::192.0.2.1\n"
		"m=audio 4 RTP/AVP 0\nc=IN IP6 1:2:3:4:5:6:7::\n",
	    4);
	CHECK_EQ_INT(r.s.conn.family, 6);
	for (int i = 0; i < 4; i++)
		CHECK_EQ_INT(r.m[i].conn.family, 6);
}

/* FQDN addresses are family 0; multicast /ttl and /count are not the address. */
static void t_fqdn_multicast(void)
{
	struct sdp_res r;

	run(&r, "v=0\n"
		"o=- 1 1 IN IP4 host.example.com\n"
		"s=-\n"
		"c=IN IP4 224.2.1.1/127/3\n"
		"t=0 0\n"
		"m=audio 0 RTP/AVP 0\n"
		"c=IN IP4 media.example.net\n"
		"m=video 5004 RTP/AVP 31\n"
		"c=IN IP6 FF15::101/3\n",
	    2);
	CHECK_EQ_INT(r.s.origin.addr.family, 0);
	CHECK_SPAN(r.b, r.s.origin.addr.addr, "host.example.com");
	CHECK_SPAN(r.b, r.s.conn.addr, "224.2.1.1");
	CHECK_EQ_INT(r.s.conn.family, 4);
	CHECK_EQ_INT(r.m[0].port_num, 0);
	CHECK_EQ_INT(r.m[0].conn.family, 0);
	CHECK_SPAN(r.b, r.m[0].conn.addr, "media.example.net");
	CHECK_SPAN(r.b, r.m[1].conn.addr, "FF15::101");
	CHECK_EQ_INT(r.m[1].conn.family, 6);
	/* RFC 1123 limits: 63-octet labels, a final dot, digits-first labels. */
	run(&r, "v=0\nc=IN IP4 "
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.3com.example.\n",
	    0);
	CHECK_EQ_INT(r.s.conn.family, 0);
}

/* Ports above 65535 are reported as written (catalogue: ALGs that write
 * ports > 65535); the engine decides. */
static void t_bigport(void)
{
	struct sdp_res r;

	run(&r, "v=0\nc=IN IP4 10.0.0.1\nm=audio 70000 RTP/AVP 0\na=rtcp:4294967295\n", 1);
	CHECK_EQ_INT(r.m[0].port_num, 70000);
	CHECK_EQ_INT(r.m[0].rtcp_port_num, 4294967295u);
	run(&r, "v=0\nm=audio 4294967296 RTP/AVP 0\n", SIP_ESDP);
	run(&r, "v=0\nm=audio 12a RTP/AVP 0\n", SIP_ESDP);
	run(&r, "v=0\nm=audio 1000/0 RTP/AVP 0\n", SIP_ESDP);
	run(&r, "v=0\nm=audio 1000/ RTP/AVP 0\n", SIP_ESDP);
	run(&r, "v=0\nm=audio  RTP/AVP\n", SIP_ESDP);
}

/* ICE (RFC 8839): session-level ice-lite/ufrag, media-level candidate. */
static void t_ice(void)
{
	struct sdp_res r;

	run(&r, "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\na=ice-lite\n"
		"m=audio 1 RTP/AVP 0\nc=IN IP4 10.0.0.1\n"
		"a=candidate:1 1 UDP 2130706431 10.0.0.1 8998 typ host\n"
		"m=audio 2 RTP/AVP 0\n",
	    2);
	CHECK(r.s.ice);
	CHECK(r.m[0].ice);
	CHECK(!r.m[1].ice);
	run(&r, "v=0\na=ice-ufrag:8hhY\na=ice-pwd:asd88fgpdd777uzjYhagZg\nm=audio 1 RTP/AVP 0\n", 1);
	CHECK(r.s.ice);
	CHECK(!r.m[0].ice);
	run(&r, "v=0\nm=audio 1 RTP/AVP 0\na=ICE-UFRAG:x\na=ice-pwd:y\n", 1);
	CHECK(!r.s.ice);
	CHECK(r.m[0].ice);
}

static void t_rtcp_mux_dir(void)
{
	struct sdp_res r;

	run(&r, "v=0\na=sendonly\nm=audio 1 RTP/AVP 0\na=rtcp-mux\na=inactive\n"
		"m=audio 3 RTP/AVP 0\n",
	    2);
	CHECK_EQ_INT(r.s.dir, SDP_DIR_SENDONLY);
	CHECK(r.m[0].rtcp_mux);
	CHECK_EQ_INT(r.m[0].dir, SDP_DIR_INACTIVE);
	CHECK(!r.m[1].rtcp_mux);
	CHECK_EQ_INT(r.m[1].dir, SDP_DIR_NONE);
	/* a=rtcp at session level has no meaning (RFC 3605 §2.1): skipped. */
	run(&r, "v=0\na=rtcp:9 IN IP4 10.0.0.9\nm=audio 1 RTP/AVP 0\n", 1);
	CHECK(!r.m[0].has_rtcp);
	run(&r, "v=0\nm=audio 1 RTP/AVP 0\na=rtcp:\n", SIP_ESDP);
	run(&r, "v=0\nm=audio 1 RTP/AVP 0\na=rtcp:5 IN IP4\n", SIP_ESDP);
	run(&r, "v=0\nm=audio 1 RTP/AVP 0\na=rtcp:5\na=rtcp:7\n", SIP_ESDP);
}

/* Unknown lines and attributes are skipped; a trailing blank line is fine. */
static void t_skip_unknown(void)
{
	struct sdp_res r;

	run(&r, "v=0\no=- 1 1 IN IP4 10.0.0.1\ns=x y z\ni=info\nu=http://x/\ne=a@b\np=+1\n"
		"b=AS:64\nz=0 0\nk=clear:x\nt=0 0\nr=7d 1h 0 25h\nx=what\n"
		"a=tool:foo bar\na=rtpmap:0 PCMU/8000\nm=audio 9 RTP/AVP 0\nb=TIAS:1\n"
		"a=fmtp:0 x=y\n\n",
	    1);
	CHECK_SPAN(r.b, r.m[0].section, "m=audio 9 RTP/AVP 0\r\nb=TIAS:1\r\na=fmtp:0 x=y\r\n");
	run(&r, "v=0\nm=audio 9 RTP/AVP 0\n\n\n", 1);
}

static void t_no_final_eol(void)
{
	struct sdp_res r;

	run(&r, "v=0\nc=IN IP4 10.1.2.3", 0);
	CHECK_SPAN(r.b, r.s.conn.addr, "10.1.2.3");
	run(&r, "v=0\nm=audio 9 RTP/AVP", 1);
	CHECK_SPAN(r.b, r.m[0].section, "m=audio 9 RTP/AVP");
	CHECK(r.m[0].fmts.len == 0);
}

static void t_malformed(void)
{
	static const char *const bad[] = {
		"",
		"o=- 1 1 IN IP4 10.0.0.1\nv=0\n",
		"v=1\n",
		"v=0\nv=0\n",
		"v=0\nc\n",
		"v=0\nC=IN IP4 1.2.3.4\n",
		"v=0\n=x\n",
		"v=0\n\nc=IN IP4 1.2.3.4\n",
		"v=0\nc=IN IP4 1.2.3.4\nc=IN IP4 1.2.3.5\n",
		"v=0\nm=audio 1 RTP/AVP 0\nc=IN IP4 1.2.3.4\nc=IN IP4 1.2.3.5\n",
		"v=0\no=- 1 1 IN IP4 1.2.3.4\no=- 1 1 IN IP4 1.2.3.4\n",
		"v=0\no=- 1 IN IP4 1.2.3.4\n",
		"v=0\no=- 1 1 IN IP4 1.2.3.4 extra\n",
		"v=0\no=- 1 1 IN IP4 1.2.3.4/127\n",
		"v=0\nc=IN IP4\n",
		"v=0\nc=IN IP4 1.2.3\n",
		"v=0\nc=IN IP4 256.1.1.1\n",
		"v=0\nc=IN IP4 ::1\n",
		"v=0\nc=IN IP6 1::2::3\n",
		"v=0\nc=IN IP6 1:2:3:4:5:6:7:8:9\n",
		"v=0\nc=IN IP6 12345::1\n",
		"v=0\nc=IN IP6 192.0.2.1\n",
		"v=0\nc=IN IP6 1:2:192.0.2.1\n",
		"v=0\nc=IN IP6 1:2:3:4:5:6:7:192.0.2.1\n",
		"v=0\nc=IN IP6 1::2:3:4:5:6:7:192.0.2.1\n",
		"v=0\nc=IN IP4 host@example\n",
		"v=0\nc=IN IP4 .example.com\n",
		"v=0\nc=IN IP4 a..example.com\n",
		"v=0\nc=IN IP4 -a.example.com\n",
		"v=0\nc=IN IP4 a-.example.com\n",
		"v=0\nc=IN IP4 example-\n",
		/* a 64-octet DNS label (RFC 1035 allows 63) */
		"v=0\nc=IN IP4 aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com\n",
		"v=0\nc=IN IP4 224.0.0.1/\n",
		"v=0\nc=IN IP4 224.0.0.1/1/2/3\n",
		"v=0\nc=IN IP4 224.0.0.1/x\n",
		"v=0\rc=IN IP4 1.2.3.4\n",
		"v=0\nc=IN IP4 1.2.3.4\r",
	};
	struct sdp_res r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]) && !check_failed; i++) {
		run(&r, bad[i], SIP_ESDP);
		if (check_failed)
			snprintf(check_why + strlen(check_why), sizeof(check_why) - strlen(check_why),
				 " (bad[%zu])", i);
	}
}

/* A NUL inside a line (not expressible in a C string literal above). */
static void t_nul(void)
{
	static const char b[] = "v=0\r\nc=IN IP4 1.2\0003.4\r\n";
	struct sdp_res r;

	CHECK_EQ_INT(parse_at(&r, b, sizeof(b) - 1, 0, SDP_MAX_MEDIA), SIP_ESDP);
	CHECK_EQ_INT(r.s.err_off, 5);   /* the line that failed */
}

/* Unknown nettypes: the address is opaque, family 0, never rewritten. */
static void t_unknown_types(void)
{
	struct sdp_res r;

	run(&r, "v=0\nc=ATM NSAP 47.0091.8100.0000.0060.3e64.fd01.0060.3e64.fd01.00\n"
		"m=audio 9 RTP/AVP 0\nc=IN IPX somewhere\n",
	    1);
	CHECK_EQ_INT(r.s.conn.family, 0);
	CHECK_EQ_INT(r.m[0].conn.family, 0);
}

static void t_media_cap(void)
{
	static const char b[] = "v=0\r\nm=audio 1 RTP/AVP 0\r\nm=audio 2 RTP/AVP 0\r\n";
	struct sdp_res r;

	CHECK_EQ_INT(parse_at(&r, b, sizeof(b) - 1, 0, 1), SIP_ENOSPACE);
	CHECK_EQ_INT(parse_at(&r, b, sizeof(b) - 1, 0, 2), 2);
}

/* The fast parser's line-end map works in 64-octet words: move every line
 * end across a word boundary (CR at bit 63, LF at bit 0 of the next) by
 * padding the s= line, in CRLF and LF form, with and without a final line
 * end.  parse_at() checks every level against the reference. */
static void t_fast_boundaries(void)
{
	static const char tail[] = "o=- 1 2 IN IP4 192.0.2.1\r\nc=IN IP4 198.51.100.7\r\n"
				   "t=0 0\r\nm=audio 49170 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n"
				   "a=rtcp-mux\r\na=inactive\r\n";
	static char b[512];
	struct sdp_res r;

	for (int lf = 0; lf < 2; lf++) {
		for (unsigned pad = 0; pad < 140; pad++) {
			size_t n = 0;
			memcpy(b, "v=0\r\ns=", 7);
			n = 7;
			memset(b + n, 'x', pad);
			n += pad;
			memcpy(b + n, "\r\n", 2);
			n += 2;
			memcpy(b + n, tail, sizeof(tail) - 1);
			n += sizeof(tail) - 1;
			if (lf) { /* drop every CR */
				size_t k = 0;
				for (size_t i = 0; i < n; i++)
					if (b[i] != '\r')
						b[k++] = b[i];
				n = k;
			}
			CHECK_EQ_INT(parse_at(&r, b, n, 0, SDP_MAX_MEDIA), 1);
			CHECK_SPAN(r.b, r.s.conn.addr, "198.51.100.7");
			CHECK_EQ_INT(r.m[0].dir, SDP_DIR_INACTIVE);
			CHECK(r.m[0].rtcp_mux);
			CHECK_EQ_INT(parse_at(&r, b, n - 1 - !lf, 0, SDP_MAX_MEDIA), 1);
		}
	}
}

/* Shapes the fast path takes, hands to a reference handler, or leaves to
 * the reference parser; each result checked, and agreeing at every level
 * with the reference (parse_at). */
static void t_fast_shapes(void)
{
	static const struct {
		const char *b;
		int rc;
	} t[] = {
		{ "v=0\nc=in ip4 192.0.2.1\n", 0 },
		{ "v=0\nc=IN IP4 256.0.2.1\n", SIP_ESDP },
		{ "v=0\nc=IN IP4 010.000.2.1\n", 0 },
		{ "v=0\nc=IN IP4 192.0.2.1 \n", 0 },
		{ "v=0\nc=IN  IP4 192.0.2.1\n", 0 },
		{ "v=0\nc=IN IP4 192.0.2.1 x\n", SIP_ESDP },
		{ "v=0\nc=IN IP4 224.2.1.1/127\n", 0 },
		{ "v=0\nc=IN IP4 192.0.2\n", SIP_ESDP },
		{ "v=0\nc=IN IP4 1.2.3.4.5\n", SIP_ESDP },
		{ "v=0\nc=IN IP4 1..3.4\n", SIP_ESDP },
		{ "v=0\nc=IN IP4 1234.2.3.4\n", SIP_ESDP },
		{ "v=0\nc=IN IP6 2001:db8::1\n", 0 },
		{ "v=0\nc=IN IP4 host.example.com\n", 0 },
		{ "v=0\no=- 1 1 IN IP4 192.0.2.1\no=- 1 1 IN IP4 192.0.2.1\n", SIP_ESDP },
		{ "v=0\no=- 1 1 IN IP4 192.0.2.1 x\n", SIP_ESDP },
		{ "v=0\no=- 1 IN IP4 192.0.2.1\n", SIP_ESDP },
		{ "v=0\no=uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
		  " 1 1 IN IP4 192.0.2.1\n", 0 },
		{ "v=0\r\na=SENDONLY\r\na=Rtcp-Mux\r\na=CANDIDATE:1 1 UDP 1 192.0.2.1 9 typ host\r\n", 0 },
		{ "v=0\r\nm=a 1 P\r\na=ICE-UFRAG:x\r\na=ice-pwd\r\na=Ice-Lite\r\na=RecvOnly\r\n", 1 },
		{ "v=0\r\nm=a 1 P\r\na=candidatex:1\r\na=rtcpx\r\na=sendrecvx\r\n", 1 },
		{ "v=0\r\nm=audio 5000\tRTP/AVP 0\r\n", 1 },
		{ "v=0\r\nm=audio 4294967295 RTP/AVP 0\r\n", 1 },
		{ "v=0\r\nm=audio 4294967296 RTP/AVP 0\r\n", SIP_ESDP },
		{ "v=0\r\nm=audio 5000/2 RTP/AVP 0\r\n", 1 },
		{ "v=0\r\nm=audio 5x RTP/AVP 0\r\n", SIP_ESDP },
		{ "v=0\r\nm=audio 0 RTP/AVP\r\n", 1 },
		{ "v=0\r\nm=audio 0 RTP/AVP   \r\n", 1 },
		{ "v=0\r\nm=audio 0\r\n", SIP_ESDP },
		{ "v=0\r\na=rtcp:9 IN IP4 192.0.2.1\r\n", 0 },
		{ "v=0\r\nm=audio 9 RTP/AVP 0\r\na=rtcp:9 IN IP4 192.0.2.1\r\na=rtcp:9\r\n", SIP_ESDP },
		{ "v=0\r\nm=audio 9 RTP/AVP 0\r\na=rtcp:9 IN IP4 192.0.2.1\r\n", 1 },
		{ "v=0\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.1\r\n", SIP_ESDP },
		{ "v=0\r\n\r\n", 0 },
		{ "v=0\r\n\r\ns=x\r\n", SIP_ESDP },
		{ "v=0\r\ns=a\tb\r\n", 0 },
		{ "v=0\r\ns=a\x01\r\n", 0 },
		{ "v=0\r\ns=a\r\r\n", SIP_ESDP },
		{ "v=0\r\ns=a\r", SIP_ESDP },
		{ "v=0\r\ns=a\rb\n", SIP_ESDP },
		{ "v=0", 0 },
		{ "v=0\r\n", 0 },
		{ "v=0\r", SIP_ESDP },
		{ "v=1\r\n", SIP_ESDP },
		{ "V=0\r\n", SIP_ESDP },
		{ "v=0\r\nv=0\r\n", SIP_ESDP },
		{ "v=0\r\nx=\r\n", 0 },
		{ "v=0\r\nA=b\r\n", SIP_ESDP },
		{ "v=0\r\nx\r\n", SIP_ESDP },
		{ "v=0\r\na=\r\n", 0 },
		{ "v=0\r\na", SIP_ESDP },
		{ "v=0\r\na=", 0 },
		{ "v=0\r\na=rtcp", 0 },
	};
	struct sdp_res r;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int rc = parse_at(&r, t[i].b, strlen(t[i].b), 0, SDP_MAX_MEDIA);
		if (rc != t[i].rc && !check_failed) {
			check_failed = 1;
			snprintf(check_why, sizeof(check_why), "case %zu: rc %d, want %d", i, rc,
				 t[i].rc);
		}
	}
}

/* A NUL right before a line end (the map lets octets <= 13 stand there). */
/* Random mutants of realistic bodies (octets replaced, inserted, deleted;
 * fixed seed), each from a copy that ends at a guard page, every scan
 * level against the reference (parse_at): the fast handlers' edges (the
 * IPv4 literal, the port digits, field separators, line ends) are where
 * mutants land. */
static void t_fast_mutants(void)
{
	static const char *const seeds[] = {
		("v=0\r\no=- 3957474913 3957474913 IN IP4 192.168.1.20\r\ns=ExamplePhone\r\n"
		 "c=IN IP4 192.168.1.20\r\nt=0 0\r\nm=audio 16384 RTP/AVP 9 0 8 18 101\r\n"
		 "a=rtpmap:9 G722/8000\r\na=rtpmap:0 PCMU/8000\r\na=fmtp:101 0-15\r\n"
		 "a=ptime:20\r\na=sendrecv\r\n"),
		("v=0\no=alice 2890844526 2890844527 IN IP4 10.0.0.255\ns=-\nc=IN IP4 255.1.99.0\n"
		 "t=0 0\nm=audio 49170 RTP/AVP 0\nc=IN IP4 192.0.2.1\na=rtcp:49171\n"
		 "m=video 5 RTP/AVP 31\na=recvonly\n"),
		("v=0\r\no=- 1 2 IN IP4 1.2.3.4\r\nc=IN IP4 249.250.251.252\r\n"
		 "m=audio 123456789 RTP/AVP 0\r\na=rtcp-mux\r\na=inactive\r\n"),
	};
	static const char alpha[] = "0123456789.. \t\r\n=acmovINP4/:5-x";
	uint32_t seed = 99;
	char buf[512];
	struct sdp_res r;

	for (int round = 0; round < 20000 && !check_failed; round++) {
		size_t len, maplen;
		void *map;
		char *g;

		seed = seed * 1103515245u + 12345u;
		const char *sd = seeds[(seed >> 8) % 3];
		len = strlen(sd);
		memcpy(buf, sd, len);
		for (int k = 0, nk = 1 + (int)((seed >> 20) % 3); k < nk; k++) {
			size_t at;
			char c;
			seed = seed * 1103515245u + 12345u;
			at = (seed >> 8) % (len + 1);
			seed = seed * 1103515245u + 12345u;
			c = alpha[(seed >> 8) % (sizeof(alpha) - 1)];
			check_mutate(buf, &len, at, c, (seed >> 24) % 3);
		}
		if (!(g = check_guard_copy(buf, len, &map, &maplen)))
			break;
		parse_at(&r, g, len, 0, SDP_MAX_MEDIA);
		check_guard_free(map, maplen);
	}
}

/* An o= and a c= with the same literal (the fast path takes the second
 * as it took the first, fast_in_ip4), the c= line last with no line end,
 * so the body ends at a guard page right after the literal; literals of
 * 7 to 15 octets, and the second with an octet changed.  Every level
 * against the reference (parse_at). */
static void t_fast_same_addr(void)
{
	static const char *const addrs[] = {
		"1.2.3.4", "10.2.3.4", "10.20.3.4", "10.20.30.4", "10.20.30.40",
		"100.20.30.40", "100.200.30.40", "100.200.255.40", "100.200.255.255",
	};
	char buf[128];
	struct sdp_res r;

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]) && !check_failed; i++) {
		for (int bad = 0; bad < 3; bad++) {
			size_t maplen, al = strlen(addrs[i]);
			int n = snprintf(buf, sizeof(buf), "v=0\r\no=- 1 1 IN IP4 %s\r\nc=IN IP4 %s",
					 addrs[i], addrs[i]);
			void *map;
			char *g;

			if (bad == 1)
				buf[n - 1] = '9' + 1; /* ':' in the last octet */
			if (bad == 2)
				buf[n - al] = '3'; /* another literal: 3.x, 30.x, or 300.x (bad) */
			if (!(g = check_guard_copy(buf, (size_t)n, &map, &maplen)))
				break;
			parse_at(&r, g, (size_t)n, 0, SDP_MAX_MEDIA);
			if (bad == 0) {
				CHECK_EQ_INT(r.rc, 0);
				CHECK_EQ_INT(r.s.conn.family, 4);
				CHECK_EQ_INT(r.s.conn.addr.len, (int)al);
			}
			check_guard_free(map, maplen);
		}
	}
}

static void t_fast_nul_eol(void)
{
	static const char a[] = "v=0\r\ns=a\0\nt=0 0\r\n", c[] = "v=0\r\ns=a\0\r\nt=0 0\r\n";
	struct sdp_res r;

	CHECK_EQ_INT(parse_at(&r, a, sizeof(a) - 1, 0, SDP_MAX_MEDIA), SIP_ESDP);
	CHECK_EQ_INT(r.s.err_off, 5);
	CHECK_EQ_INT(parse_at(&r, c, sizeof(c) - 1, 0, SDP_MAX_MEDIA), SIP_ESDP);
}

static const struct check_case cases[] = {
	{ "offer", t_offer },
	{ "ipv6", t_ipv6 },
	{ "fqdn_multicast", t_fqdn_multicast },
	{ "bigport", t_bigport },
	{ "ice", t_ice },
	{ "rtcp_mux_dir", t_rtcp_mux_dir },
	{ "skip_unknown", t_skip_unknown },
	{ "no_final_eol", t_no_final_eol },
	{ "malformed", t_malformed },
	{ "nul", t_nul },
	{ "unknown_types", t_unknown_types },
	{ "media_cap", t_media_cap },
	{ "fast_boundaries", t_fast_boundaries },
	{ "fast_shapes", t_fast_shapes },
	{ "fast_nul_eol", t_fast_nul_eol },
	{ "fast_same_addr", t_fast_same_addr },
	{ "fast_mutants", t_fast_mutants },
	{ 0 },
};

int main(void)
{
	return check_run("sdp", cases);
}
