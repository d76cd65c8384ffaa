/*
 * test_rfc5118.c - the RFC 5118 IPv6 torture messages
 * ($SIPALG_CORPORA/rfc5118): the CRLF wire form and the bare-LF archive
 * form of each, one PASS/FAIL line per file and form.
 *
 * Every message parses; IPv6 references are checked by name in the
 * Request-URI, Via and Contact.  ipv6-bad's Request-URI is refused by
 * sip_msg_validate (§4.2).  The RFC's own Content-Length is wrong for the
 * three SDP messages (rfc5118/INDEX.md): as datagrams, two of them declare
 * less than they carry (the body is the declared length, the rest is
 * ignored) and ipv6-in-sdp declares more, which a datagram cannot have
 * (SIP_EBODY); that one is also checked with its Content-Length set to the
 * real body length.
 */
#include <stdio.h>

#include "check.h"
#include "corpus.h"
#include "sip/uri.h"

#define B (m->buf)

static void ruri_host(const struct sip_msg *m, const char *host, const char *port)
{
	struct sip_uri u;

	CHECK_EQ_INT(sip_uri_parse(&u, B, m->ruri), 0);
	CHECK_SPAN(B, u.host, host);
	CHECK_EQ_INT(u.host_type, host[0] == '[' ? SIP_HOST_IPV6 : SIP_HOST_NAME);
	if (port)
		CHECK_SPAN(B, u.port, port);
	else
		CHECK(!sip_span_present(u.port));
}

static void contact_host(const struct sip_msg *m, const char *host)
{
	struct sip_addr a;

	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_CONTACT, 0, &a), 0);
	CHECK_SPAN(B, a.uri.host, host);
	CHECK_EQ_INT(a.uri.host_type, SIP_HOST_IPV6);
}

static void via_host(const struct sip_msg *m, int k, const char *sent_by, const char *host)
{
	struct sip_via v[8];

	CHECK(corpus_vias(m, v, 8) > k);
	CHECK_SPAN(B, v[k].sent_by, sent_by);
	CHECK_SPAN(B, v[k].host, host);
}

static void c_good(const struct sip_msg *m)
{
	ruri_host(m, "[2001:db8::10]", NULL);
	via_host(m, 0, "[2001:db8::9:1]", "[2001:db8::9:1]");
	contact_host(m, "[2001:db8::1]");
}

static void c_bad(const struct sip_msg *m)
{
	struct sip_uri u;

	CHECK_EQ_INT(sip_uri_parse(&u, B, m->ruri), SIP_EURI);
	CHECK_SPAN(B, m->ruri, "sip:2001:db8::10");
}

static void c_port_amb(const struct sip_msg *m)
{
	ruri_host(m, "[2001:db8::10:5070]", NULL);  /* 5070 is part of the address */
}

static void c_port_unamb(const struct sip_msg *m)
{
	ruri_host(m, "[2001:db8::10]", "5070");
}

static void c_recv_delim(const struct sip_msg *m)
{
	struct sip_via v[2];

	CHECK_EQ_INT(corpus_vias(m, v, 2), 1);
	CHECK_SPAN(B, v[0].received, "[2001:db8::9:255]");
	CHECK_SPAN(B, v[0].host, "[2001:db8::9:1]");
}

static void c_recv_nodelim(const struct sip_msg *m)
{
	struct sip_via v[2];

	CHECK_EQ_INT(corpus_vias(m, v, 2), 1);
	CHECK_SPAN(B, v[0].received, "2001:db8::9:255");
	ruri_host(m, "[2001:db8::10]", NULL);
}

static void c_in_sdp(const struct sip_msg *m)
{
	ruri_host(m, "[2001:db8::10]", NULL);
	via_host(m, 0, "[2001:db8::20]", "[2001:db8::20]");
	contact_host(m, "[2001:db8::20]");
	CHECK(memmem(B + m->body_off, m->body_len, "c=IN IP6 2001:db8::20", 21) != NULL);
}

static void c_mult_hdr(const struct sip_msg *m)
{
	struct sip_via v[4];

	CHECK_EQ_INT(corpus_vias(m, v, 4), 3);
	CHECK_SPAN(B, v[0].sent_by, "[2001:db8::9:1]:6050");
	CHECK_EQ_INT(v[0].port_num, 6050);
	CHECK_EQ_INT(v[0].host_type, SIP_HOST_IPV6);
	CHECK_SPAN(B, v[1].host, "192.0.2.1");
	CHECK_EQ_INT(v[1].host_type, SIP_HOST_IPV4);
	CHECK_SPAN(B, v[2].host, "[2001:db8::9:255]");
	CHECK_SPAN(B, v[2].received, "192.0.2.200");
	CHECK_SPAN(B, v[2].transport, "TCP");
}

static void c_mult_sdp(const struct sip_msg *m)
{
	ruri_host(m, "[2001:db8::10]", NULL);
	via_host(m, 0, "[2001:db8::9:1]", "[2001:db8::9:1]");
	contact_host(m, "[2001:db8::9:1]");
	/* as declared; octets after it are ignored */
	CHECK_EQ_INT(m->body_len, m->content_length);
}

static void c_mapped(const struct sip_msg *m)
{
	struct sip_via v[4];

	CHECK_EQ_INT(corpus_vias(m, v, 4), 2);
	CHECK_SPAN(B, v[0].sent_by, "[::ffff:192.0.2.10]:19823");
	CHECK_EQ_INT(v[0].port_num, 19823);
	CHECK_SPAN(B, v[1].host, "[::ffff:192.0.2.2]");
	contact_host(m, "[::ffff:192.0.2.2]");
}

static void c_3colons(const struct sip_msg *m)
{
	struct sip_addr a;

	ruri_host(m, "[2001:db8:::192.0.2.1]", NULL); /* §4.10: tolerated */
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_TO, 0, &a), 0);
	CHECK_SPAN(B, a.uri.host, "[2001:db8:::192.0.2.1]");
}

static void c_2colons(const struct sip_msg *m)
{
	struct sip_addr a;

	ruri_host(m, "[2001:db8::192.0.2.1]", NULL);
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_TO, 0, &a), 0);
	CHECK_SPAN(B, a.uri.host, "[2001:db8::192.0.2.1]");
}

struct v6_case {
	const char *file;
	int want;        /* verdict of the wire (CRLF) file as it is */
	int want_lf;     /* verdict of the LF archive file as it is */
	int fix_clen;    /* on SIP_EBODY, check with Content-Length = real body length */
	void (*check)(const struct sip_msg *m);
};

static const struct v6_case cases[] = {
	{ "ipv6-good", 0, 0, 0, c_good },
	{ "ipv6-bad", SIP_EURI, SIP_EURI, 0, c_bad },
	{ "port-ambiguous", 0, 0, 0, c_port_amb },
	{ "port-unambiguous", 0, 0, 0, c_port_unamb },
	{ "via-received-param-with-delim", 0, 0, 0, c_recv_delim },
	{ "via-received-param-no-delim", 0, 0, 0, c_recv_nodelim },
	/* declared 268; body 251 (wire), 242 (LF) */
	{ "ipv6-in-sdp", SIP_EBODY, SIP_EBODY, 1, c_in_sdp },
	{ "mult-ip-in-header", 0, 0, 0, c_mult_hdr },
	/* declared 181; body 189 (wire), 180 (LF) */
	{ "mult-ip-in-sdp", 0, SIP_EBODY, 1, c_mult_sdp },
	/* declared 236; body 245 (wire), 236 (LF) */
	{ "ipv4-mapped-ipv6", 0, 0, 0, c_mapped },
	{ "ipv6-bug-abnf-3-colons", 0, 0, 0, c_3colons },
	{ "ipv6-correct-abnf-2-colons", 0, 0, 0, c_2colons },
	{ NULL, 0, 0, 0, NULL },
};

/* Rewrite the Content-Length digits to the real body length (a copy). */
static size_t fix_clen(const char *in, size_t len, char *out, size_t cap)
{
	const char *cl = memmem(in, len, "Content-Length: ", 16);
	const char *end = cl ? memchr(cl, '\n', len - (size_t)(cl - in)) : NULL;
	const char *blank = memmem(in, len, "\r\n\r\n", 4);
	size_t hdr = blank ? (size_t)(blank - in) + 4 : 0;

	if (!blank) {
		blank = memmem(in, len, "\n\n", 2);
		hdr = blank ? (size_t)(blank - in) + 2 : 0;
	}
	if (!cl || !end || !blank)
		return 0;
	size_t pre = (size_t)(cl - in) + 16, eol = end[-1] == '\r' ? 2 : 1;
	int n = snprintf(out, cap, "%.*s%zu%s%.*s", (int)pre, in, len - hdr, eol == 2 ? "\r\n" : "\n",
			 (int)(len - (size_t)(end + 1 - in)), end + 1);
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static int run_case(const struct v6_case *c, const char *form, char *buf, char *fixed)
{
	static struct sip_hdr h[SIP_MAX_HEADERS];
	struct sip_msg m;
	char rel[256], name[256];
	long len;

	check_failed = 0;
	check_why[0] = 0;
	snprintf(rel, sizeof(rel), "rfc5118/%s%s", form, c->file);
	snprintf(name, sizeof(name), "%s%s", *form ? "wire/" : "lf/", c->file);
	if ((len = corpus_read(rel, buf, CORPUS_MAX)) < 0) {
		check_report(0, "rfc5118", name, "cannot read the file (SIPALG_CORPORA?)");
		return 1;
	}
	int v = corpus_verdict(&m, h, buf, (size_t)len, 0);
	int want = *form ? c->want : c->want_lf;
	if (v != want && !check_failed) {
		check_failed = 1;
		snprintf(check_why, sizeof(check_why), "verdict %d (%s) at %u, expected %d", v,
			 sip_strerror(v), m.err_off, want);
	}
	if (v >= 0 || v == SIP_EURI) {
		c->check(&m);
	} else if (c->fix_clen && !check_failed) {
		size_t n = fix_clen(buf, (size_t)len, fixed, CORPUS_MAX);
		CHECK(n > 0);
		CHECK_EQ_INT(corpus_verdict(&m, h, fixed, n, 0), 0);
		CHECK_EQ_INT(sip_msg_parse(&m, fixed, n, h, SIP_MAX_HEADERS, SIP_PARSE_STREAM), (int)n);
		if (!check_failed)
			c->check(&m);
	}
	check_report(!check_failed, "rfc5118", name, check_why);
	return check_failed;
}

int main(void)
{
	char *buf = malloc(CORPUS_MAX), *fixed = malloc(CORPUS_MAX);
	int bad = 0;

	if (!buf || !fixed)
		return 1;
	for (const struct v6_case *c = cases; c->file; c++) {
		bad |= run_case(c, "wire/", buf, fixed);
		bad |= run_case(c, "", buf, fixed);
	}
	free(buf);
	free(fixed);
	return bad;
}
