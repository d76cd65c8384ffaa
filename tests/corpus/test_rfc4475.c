/*
 * test_rfc4475.c - the RFC 4475 torture messages ($SIPALG_CORPORA/rfc4475).
 *
 * One PASS/FAIL line per file.  §3.1.1 messages must parse and validate,
 * with the fields the RFC points at checked by name; §3.1.2 messages must
 * be refused with the reason listed here; §3.2-3.4 follow rfc4475/INDEX.md
 * (semantic errors flagged by sip_msg_validate, inv2543 accepted).  Each
 * file is parsed whole and from a copy ending at a guard page; the valid
 * ones also through SIP_PARSE_STREAM, whole and cut at every byte.
 */
#include "check.h"
#include "corpus.h"
#include "sip/uri.h"
#include "sip/values.h"

#define B (m->buf)

static void hdr_is(const struct sip_msg *m, enum sip_hdr_id id, int nth, const char *want)
{
	CHECK_SPAN(B, corpus_hdr(m, id, nth), want);
}

static void c_wsinv(const struct sip_msg *m)
{
	struct sip_via v[4];
	struct sip_addr a;
	struct sip_cseq cs;

	CHECK_EQ_INT(m->method, SIP_METHOD_INVITE);
	hdr_is(m, SIP_HDR_CALL_ID, 0, "wsinv.ndaksdj@192.0.2.1");
	hdr_is(m, SIP_HDR_SUBJECT, 0, "");           /* "s :" then nothing */
	CHECK_EQ_INT(sip_value_uint(B, corpus_hdr(m, SIP_HDR_MAX_FORWARDS, 0), 255), 68);
	CHECK_EQ_INT(sip_msg_cseq(m, &cs), 1);
	CHECK_EQ_INT(cs.num, 9);
	CHECK_SPAN(B, cs.method_s, "INVITE");
	CHECK_EQ_INT(corpus_vias(m, v, 4), 3);
	CHECK_SPAN(B, v[0].sent_by, "192.0.2.2");
	CHECK_SPAN(B, v[0].branch, "390skdjuw");
	CHECK_SPAN(B, v[1].transport, "TCP");
	CHECK_SPAN(B, v[1].sent_by, "spindle.example.com");
	CHECK_SPAN(B, v[1].branch, "z9hG4bK9ikj8");
	CHECK_SPAN(B, v[2].sent_by, "192.168.255.111");
	CHECK_SPAN(B, v[2].branch, "z9hG4bK30239");
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_FROM, 0, &a), 0);
	CHECK_SPAN(B, a.display, "\"J Rosenberg \\\\\\\"\"");
	CHECK_SPAN(B, a.tag, "98asjd8");
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_TO, 0, &a), 0);
	CHECK_SPAN(B, a.tag, "1918181833n");
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_CONTACT, 0, &a), 0);
	CHECK_SPAN(B, a.display, "\"Quoted string \\\"\\\"\"");
	CHECK_EQ_INT(sip_param_find(B, a.params, "secondparam", NULL), 1);
	int k = sip_msg_find(m, SIP_HDR_OTHER, -1);
	CHECK(k >= 0 && sip_span_eq(B, m->hdrs[k].name, "NewFangledHeader"));
	if (k >= 0)
		CHECK_SPAN(B, m->hdrs[k].value, "newfangled value\r\n continued newfangled value");
	CHECK_EQ_INT(m->content_length, 150);
	CHECK_EQ_INT(m->body_len, 150);
}

static void c_intmeth(const struct sip_msg *m)
{
	const char *meth = "!interesting-Method0123456789_*+`.%indeed'~";
	struct sip_cseq cs;
	struct sip_uri u;

	CHECK_EQ_INT(m->method, SIP_METHOD_OTHER);
	CHECK_SPAN(B, m->method_s, meth);
	CHECK_EQ_INT(sip_msg_cseq(m, &cs), 1);
	CHECK_SPAN(B, cs.method_s, meth);
	CHECK_EQ_INT(sip_uri_parse(&u, B, m->ruri), 0);
	CHECK_SPAN(B, u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
	CHECK_SPAN(B, u.host, "example.com");
	hdr_is(m, SIP_HDR_CALL_ID, 0, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
	int k = sip_msg_find(m, SIP_HDR_OTHER, -1);
	CHECK(k >= 0 && sip_span_eq(B, m->hdrs[k].name, "extensionHeader-!.%*+_`'~"));
}

static void c_esc01(const struct sip_msg *m)
{
	struct sip_uri u;
	struct sip_addr a;

	CHECK_EQ_INT(sip_uri_parse(&u, B, m->ruri), 0);
	CHECK_SPAN(B, u.user, "sips%3Auser%40example.com");
	CHECK_SPAN(B, u.host, "example.net");
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_TO, 0, &a), 0);
	CHECK_SPAN(B, a.uri.user, "%75se%72");
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_FROM, 0, &a), 0);
	CHECK_SPAN(B, a.uri.user, "I%20have%20spaces");
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_CONTACT, 0, &a), 0);
	CHECK_SPAN(B, a.uri.user, "cal%6Cer");
	CHECK_SPAN(B, a.uri.params, "%6C%72;n%61me=v%61lue%25%34%31");
}

static void c_escnull(const struct sip_msg *m)
{
	struct sip_addr a;

	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_TO, 0, &a), 0);
	CHECK_SPAN(B, a.uri.user, "null-%00-null");
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_CONTACT, 1, &a), 0);
	CHECK_SPAN(B, a.uri.user, "%00%00");
}

static void c_esc02(const struct sip_msg *m)
{
	struct sip_addr a;

	CHECK_EQ_INT(m->method, SIP_METHOD_OTHER);
	CHECK_SPAN(B, m->method_s, "RE%47IST%45R");
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_TO, 0, &a), 0);
	CHECK_SPAN(B, a.display, "\"%Z%45\"");
	/* "C%6Fntact" is another header, not Contact */
	CHECK_EQ_INT(sip_msg_count(m, SIP_HDR_CONTACT), 2);
	int k = sip_msg_find(m, SIP_HDR_OTHER, -1);
	CHECK(k >= 0 && sip_span_eq(B, m->hdrs[k].name, "C%6Fntact"));
}

static void c_lwsdisp(const struct sip_msg *m)
{
	struct sip_addr a;

	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_FROM, 0, &a), 0);
	CHECK_SPAN(B, a.display, "caller");
	CHECK_SPAN(B, a.uri.whole, "sip:caller@example.com");
}

static void c_longreq(const struct sip_msg *m)
{
	struct sip_via v[40];
	struct sip_addr a;

	CHECK_EQ_INT(m->nhdrs, 43);
	CHECK_EQ_INT(corpus_vias(m, v, 40), 34);
	CHECK_SPAN(B, v[0].sent_by, "sip33.example.com");
	CHECK_SPAN(B, v[33].received, "192.0.2.5");
	CHECK_EQ_INT(sip_msg_count(m, SIP_HDR_VIA), 34);
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_TO, 0, &a), 0);
	CHECK(a.display.len > 100);
	CHECK(!sip_span_present(a.tag));
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_FROM, 0, &a), 0);
	CHECK(a.tag.len > 100);
	CHECK_EQ_INT(corpus_hdr(m, SIP_HDR_CALL_ID, 0).len, 141);
	CHECK_EQ_INT(m->content_length, 150);
}

/* Two requests in one datagram: the first one's Content-Length (0) ends
 * it; the INVITE after it is ignored (m->len still spans the datagram). */
static void c_dblreq(const struct sip_msg *m)
{
	CHECK_EQ_INT(m->method, SIP_METHOD_REGISTER);
	CHECK_EQ_INT(m->content_length, 0);
	CHECK_EQ_INT(m->body_len, 0);
	CHECK(m->len > m->body_off + 100);
	CHECK(memcmp(m->buf + m->body_off, "\r\nINVITE sip:joe@example.com", 28) == 0);
}

static void c_semiuri(const struct sip_msg *m)
{
	struct sip_uri u;

	CHECK_EQ_INT(sip_uri_parse(&u, B, m->ruri), 0);
	CHECK_SPAN(B, u.user, "user;par=u%40example.net");
	CHECK_SPAN(B, u.host, "example.com");
}

static void c_transports(const struct sip_msg *m)
{
	static const char *const want[] = { "UDP", "SCTP", "TLS", "UNKNOWN", "TCP" };
	struct sip_via v[8];

	CHECK_EQ_INT(corpus_vias(m, v, 8), 5);
	for (int k = 0; k < 5; k++)
		CHECK_SPAN(B, v[k].transport, want[k]);
}

static void c_mpart01(const struct sip_msg *m)
{
	struct sip_ctype ct;

	CHECK_EQ_INT(sip_ctype_parse(&ct, B, corpus_hdr(m, SIP_HDR_CONTENT_TYPE, 0)), 0);
	CHECK(sip_ctype_is(B, &ct, "multipart", "mixed"));
	CHECK_EQ_INT(m->body_len, 553);
	CHECK_EQ_INT(m->method, SIP_METHOD_MESSAGE);
}

static void c_unreason(const struct sip_msg *m)
{
	CHECK(!m->is_request);
	CHECK_EQ_INT(m->status, 200);
	CHECK(m->reason.len > 20 && memcmp(B + m->reason.off, "= 2**3 * 5**2 ", 14) == 0);
	CHECK((unsigned char)B[m->reason.off + 14] == 0xd0);
}

static void c_noreason(const struct sip_msg *m)
{
	CHECK_EQ_INT(m->status, 100);
	CHECK_EQ_INT(m->reason.len, 0);
}

static void ruri_scheme(const struct sip_msg *m, const char *scheme)
{
	struct sip_uri u;

	CHECK_EQ_INT(sip_uri_parse(&u, B, m->ruri), 0);
	CHECK_EQ_INT(u.scheme_id, SIP_URI_OTHER);
	CHECK_SPAN(B, u.scheme, scheme);
}

static void c_unkscm(const struct sip_msg *m)
{
	ruri_scheme(m, "nobodyKnowsThisScheme");
}

static void c_novelsc(const struct sip_msg *m)
{
	ruri_scheme(m, "soap.beep");
}

static void c_unksm2(const struct sip_msg *m)
{
	struct sip_addr a;

	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_TO, 0, &a), 0);
	CHECK_SPAN(B, a.uri.scheme, "isbn");
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_FROM, 0, &a), 0);
	CHECK_SPAN(B, a.uri.scheme, "http");
	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_CONTACT, 0, &a), 0);
	CHECK_SPAN(B, a.uri.scheme, "name");
}

static void c_bext01(const struct sip_msg *m)
{
	hdr_is(m, SIP_HDR_REQUIRE, 0, "nothingSupportsThis, nothingSupportsThisEither");
	hdr_is(m, SIP_HDR_PROXY_REQUIRE, 0, "noProxiesSupportThis, norDoAnyProxiesSupportThis");
}

static void c_invut(const struct sip_msg *m)
{
	hdr_is(m, SIP_HDR_CONTENT_TYPE, 0, "application/unknownformat");
	CHECK_EQ_INT(m->body_len, 40);
}

static void c_regaut01(const struct sip_msg *m)
{
	hdr_is(m, SIP_HDR_AUTHORIZATION, 0, "NoOneKnowsThisScheme opaque-data=here");
}

static void c_bcast(const struct sip_msg *m)
{
	struct sip_via v[4];

	CHECK_EQ_INT(corpus_vias(m, v, 4), 2);
	CHECK_SPAN(B, v[1].sent_by, "255.255.255.255");
	CHECK_EQ_INT(v[1].host_type, SIP_HOST_IPV4);
}

static void c_zeromf(const struct sip_msg *m)
{
	CHECK_EQ_INT(sip_value_uint(B, corpus_hdr(m, SIP_HDR_MAX_FORWARDS, 0), 255), 0);
}

static void c_cparam01(const struct sip_msg *m)
{
	struct sip_addr a;

	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_CONTACT, 0, &a), 0);
	CHECK(!a.bracketed);
	CHECK(!sip_span_present(a.uri.params));
	CHECK_SPAN(B, a.params, "unknownparam");  /* a contact-param, not a URI param */
}

static void c_cparam02(const struct sip_msg *m)
{
	struct sip_addr a;

	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_CONTACT, 0, &a), 0);
	CHECK(a.bracketed);
	CHECK_SPAN(B, a.uri.params, "unknownparam");
	CHECK(!sip_span_present(a.params));
}

static void c_regescrt(const struct sip_msg *m)
{
	struct sip_addr a;

	CHECK_EQ_INT(corpus_addr(m, SIP_HDR_CONTACT, 0, &a), 0);
	CHECK_SPAN(B, a.uri.headers, "Route=%3Csip:sip.example.com%3E");
}

static void c_sdp01(const struct sip_msg *m)
{
	hdr_is(m, SIP_HDR_ACCEPT, 0, "text/nobodyKnowsThis");
}

/* RFC 2543 style: no Content-Length, so the body runs to the end of the
 * datagram; no branch cookie, no From tag, no Max-Forwards. */
static void c_inv2543(const struct sip_msg *m)
{
	struct sip_via v[2];
	struct sip_span tag;

	CHECK_EQ_INT(m->content_length, -1);
	CHECK_EQ_INT(m->body_len, m->len - m->body_off);
	CHECK(m->body_len > 0 && memcmp(B + m->body_off, "v=0", 3) == 0);
	CHECK_EQ_INT(corpus_vias(m, v, 2), 1);
	CHECK(!sip_span_present(v[0].branch));
	CHECK_EQ_INT(sip_msg_tag(m, SIP_HDR_FROM, &tag), 0);
	CHECK_EQ_INT(sip_msg_find(m, SIP_HDR_MAX_FORWARDS, -1), -1);
}

static void c_badbranch(const struct sip_msg *m)
{
	struct sip_via v[2];

	CHECK_EQ_INT(corpus_vias(m, v, 2), 1);
	CHECK_SPAN(B, v[0].branch, "z9hG4bK");
}

struct rfc_case {
	const char *file;
	int want; /* 0: parses and validates; else the first error */
	void (*check)(const struct sip_msg *m);
};

static const struct rfc_case cases[] = {
	/* §3.1.1 valid */
	{ "wsinv.dat", 0, c_wsinv },
	{ "intmeth.dat", 0, c_intmeth },
	{ "esc01.dat", 0, c_esc01 },
	{ "escnull.dat", 0, c_escnull },
	{ "esc02.dat", 0, c_esc02 },
	{ "lwsdisp.dat", 0, c_lwsdisp },
	{ "longreq.dat", 0, c_longreq },
	{ "dblreq.dat", 0, c_dblreq },
	{ "semiuri.dat", 0, c_semiuri },
	{ "transports.dat", 0, c_transports },
	{ "mpart01.dat", 0, c_mpart01 },
	{ "unreason.dat", 0, c_unreason },
	{ "noreason.dat", 0, c_noreason },
	/* §3.1.2 invalid, with the reason */
	{ "badinv01.dat", SIP_EVIA, NULL },      /* ";;,;,," in Via */
	{ "clerr.dat", SIP_EBODY, NULL },        /* Content-Length past the datagram */
	{ "ncl.dat", SIP_ECLEN, NULL },          /* negative */
	{ "scalar02.dat", SIP_ECSEQ, NULL },     /* CSeq 36893488147419103232 */
	{ "scalarlg.dat", SIP_ECSEQ, NULL },     /* CSeq 9292394834772304023312 */
	{ "quotbal.dat", SIP_EQUOTE, NULL },
	{ "ltgtruri.dat", SIP_EURI, NULL },
	{ "lwsruri.dat", SIP_ESTARTLINE, NULL },
	{ "lwsstart.dat", SIP_ESTARTLINE, NULL },
	{ "trws.dat", SIP_ESTARTLINE, NULL },
	{ "escruri.dat", SIP_EURI, NULL },       /* escaped headers in the Request-URI */
	{ "baddate.dat", SIP_EVALUE, NULL },     /* EST, not GMT */
	{ "regbadct.dat", SIP_EADDR, NULL },     /* URI with '?' outside <> */
	{ "badaspec.dat", SIP_EADDR, NULL },     /* "< sip:... >" */
	{ "baddn.dat", SIP_EADDR, NULL },        /* Bell, Alexander unquoted */
	{ "variants/baddn-terminated.dat", SIP_EADDR, NULL },
	{ "badvers.dat", SIP_EVERSION, NULL },
	{ "mismatch01.dat", SIP_ECSEQ, NULL },
	{ "mismatch02.dat", SIP_ECSEQ, NULL },
	{ "bigcode.dat", SIP_ESTATUS, NULL },
	/* §3.2-3.4 as INDEX.md says */
	{ "badbranch.dat", 0, c_badbranch },     /* well-formed; the engine decides */
	{ "insuf.dat", SIP_EMISSING, NULL },
	{ "unkscm.dat", 0, c_unkscm },
	{ "novelsc.dat", 0, c_novelsc },
	{ "unksm2.dat", 0, c_unksm2 },
	{ "bext01.dat", 0, c_bext01 },
	{ "invut.dat", 0, c_invut },
	{ "regaut01.dat", 0, c_regaut01 },
	{ "multi01.dat", SIP_EMULTI, NULL },
	{ "mcl01.dat", SIP_ECLEN, NULL },
	{ "bcast.dat", 0, c_bcast },
	{ "zeromf.dat", 0, c_zeromf },
	{ "cparam01.dat", 0, c_cparam01 },
	{ "cparam02.dat", 0, c_cparam02 },
	{ "regescrt.dat", 0, c_regescrt },
	{ "sdp01.dat", 0, c_sdp01 },
	{ "inv2543.dat", 0, c_inv2543 },
	/* in the archive, not in the RFC: no SIP-Version on the start line */
	{ "test.dat", SIP_ESTARTLINE, NULL },
	{ NULL, 0, NULL },
};

/* A valid message with a Content-Length frames the same on a stream. */
static void stream_too(const char *buf, size_t len, const struct sip_msg *dg)
{
	static struct sip_hdr h[SIP_MAX_HEADERS];
	struct sip_msg m;
	int r = sip_msg_parse(&m, buf, len, h, SIP_MAX_HEADERS, SIP_PARSE_STREAM);

	if (dg->content_length < 0) {
		CHECK_EQ_INT(r, SIP_ECLEN);
		return;
	}
	CHECK_EQ_INT(r, (int)(dg->body_off + dg->body_len));
	CHECK_EQ_INT(m.nhdrs, dg->nhdrs);
	/* every prefix of the stream: wait for more, or the same answer */
	for (size_t k = 0; k < len && !check_failed; k++) {
		int p = sip_msg_parse(&m, buf, k, h, SIP_MAX_HEADERS, SIP_PARSE_STREAM);
		if (p != SIP_ENEEDMORE && p != r) {
			check_failed = 1;
			snprintf(check_why, sizeof(check_why), "stream prefix %zu gave %d", k, p);
		}
	}
}

static int run_case(const struct rfc_case *c, char *buf)
{
	static struct sip_hdr h[SIP_MAX_HEADERS];
	struct sip_msg m;
	char rel[256];
	long len;

	check_failed = 0;
	check_why[0] = 0;
	snprintf(rel, sizeof(rel), "rfc4475/%s", c->file);
	if ((len = corpus_read(rel, buf, CORPUS_MAX)) < 0) {
		check_report(0, "rfc4475", c->file, "cannot read the file (SIPALG_CORPORA?)");
		return 1;
	}
	int v = corpus_verdict(&m, h, buf, (size_t)len, 0);
	if (v != c->want && !check_failed) {
		check_failed = 1;
		snprintf(check_why, sizeof(check_why), "verdict %d (%s) at offset %u, expected %d (%s)",
			 v, sip_strerror(v), m.err_off, c->want, sip_strerror(c->want));
	}
	if (v == 0 && c->want == 0) {
		if (c->check)
			c->check(&m);
		stream_too(buf, (size_t)len, &m);
	}
	check_report(!check_failed, "rfc4475", c->file, check_why);
	return check_failed;
}

int main(void)
{
	char *buf = malloc(CORPUS_MAX);
	int bad = 0;

	if (!buf)
		return 1;
	for (const struct rfc_case *c = cases; c->file; c++)
		bad |= run_case(c, buf);
	free(buf);
	return bad;
}
