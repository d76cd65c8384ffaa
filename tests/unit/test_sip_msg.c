/*
 * test_sip_msg.c - sip_msg_parse(), the header and method tables, and
 * sip_msg_validate().  Every parse case runs whole, split at every byte and
 * against a guard page (sipcase.h).
 */
#include <stdlib.h>

#include "check.h"
#include "sipcase.h"
#include "sip/limits.h"
#include "sip/values.h"
#include "msgdiff.h"

#define CRLF "\r\n"

static const char invite[] =
	"INVITE sip:bob@biloxi.example.com SIP/2.0" CRLF
	"Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK776asdhds;rport" CRLF
	"Max-Forwards: 70" CRLF
	"To: Bob <sip:bob@biloxi.example.com>" CRLF
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774" CRLF
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com" CRLF
	"CSeq: 314159 INVITE" CRLF
	"Contact: <sip:alice@192.168.1.10:5060>" CRLF
	"Content-Type: application/sdp" CRLF
	"Content-Length: 3" CRLF
	CRLF
	"v=0";

static void chk_invite(const struct sip_msg *m, const char *b)
{
	CHECK(m->is_request);
	CHECK_EQ_INT(m->method, SIP_METHOD_INVITE);
	CHECK_SPAN(b, m->method_s, "INVITE");
	CHECK_SPAN(b, m->ruri, "sip:bob@biloxi.example.com");
	CHECK_SPAN(b, m->version, "SIP/2.0");
	CHECK_SPAN(b, m->start_line, "INVITE sip:bob@biloxi.example.com SIP/2.0");
	CHECK_EQ_INT(m->nhdrs, 9);
	CHECK_EQ_INT(m->hdrs[0].id, SIP_HDR_VIA);
	CHECK_SPAN(b, m->hdrs[0].name, "Via");
	CHECK_SPAN(b, m->hdrs[0].value, "SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK776asdhds;rport");
	CHECK_EQ_INT(m->hdrs[1].id, SIP_HDR_MAX_FORWARDS);
	CHECK_EQ_INT(m->hdrs[4].id, SIP_HDR_CALL_ID);
	CHECK_SPAN(b, m->hdrs[4].value, "a84b4c76e66710@pc33.atlanta.example.com");
	CHECK_EQ_INT(m->hdrs[8].id, SIP_HDR_CONTENT_LENGTH);
	CHECK_EQ_INT(m->content_length, 3);
	CHECK_EQ_INT(m->clen_hdr, 8);
	CHECK_EQ_INT(m->body_len, 3);
	CHECK(memcmp(b + m->body_off, "v=0", 3) == 0);
	CHECK_EQ_INT(sip_msg_find(m, SIP_HDR_CONTACT, -1), 6);
	CHECK_EQ_INT(sip_msg_find(m, SIP_HDR_CONTACT, 6), -1);
	CHECK_EQ_INT(sip_msg_count(m, SIP_HDR_VIA), 1);
}

static void t_invite_udp(void)
{
	SIPCASE(invite, 0, (int)sizeof(invite) - 1, 0, chk_invite);
}

static void t_invite_tcp(void)
{
	SIPCASE(invite, SIP_PARSE_STREAM, (int)sizeof(invite) - 1, 0, chk_invite);
}

/* Bare LF line ends are tolerated (RFC 3261 §7.5); the same fields come out. */
static void t_invite_lf(void)
{
	char lf[sizeof(invite)];
	size_t n = 0;

	for (const char *p = invite; *p; p++)
		if (*p != '\r')
			lf[n++] = *p;
	lf[n] = 0;
	sipcase_run(lf, n, 0, (int)n, 0, NULL);
	sipcase_run(lf, n, SIP_PARSE_STREAM, (int)n, 0, NULL);
	struct sip_msg m;
	struct sip_hdr h[32];
	CHECK_EQ_INT(sip_msg_parse(&m, lf, n, h, 32, 0), (int)n);
	CHECK_SPAN(lf, m.hdrs[3].value, "Alice <sip:alice@atlanta.example.com>;tag=1928301774");
	CHECK_EQ_INT(m.body_len, 3);
}

/* TCP: the return value is this message's length, so a second pipelined
 * message (here half of one) stays for the next call. */
static void t_pipelined(void)
{
#define FIRST "OPTIONS sip:a@example.com SIP/2.0" CRLF "l: 2" CRLF CRLF "hi"
	static const char two[] = FIRST "OPTIONS sip:b@example.com SIP/2.0" CRLF "l: 0";
	const size_t first = sizeof(FIRST) - 1;
	struct sip_msg m;
	struct sip_hdr h[8];

	SIPCASE(two, SIP_PARSE_STREAM, (int)first, SIP_EMISSING, NULL);
	CHECK_EQ_INT(sip_msg_parse(&m, two + first, sizeof(two) - 1 - first, h, 8,
				   SIP_PARSE_STREAM), SIP_ENEEDMORE);
	/* a datagram: the rest is trailing octets (RFC 4475 dblreq) */
	CHECK_EQ_INT(sip_msg_parse(&m, two, sizeof(two) - 1, h, 8, 0), (int)sizeof(two) - 1);
	CHECK_EQ_INT(m.body_len, 2);
}

/* §7.5: a stream receiver skips CRLFs before the start line. */
static void t_stream_leading_crlf(void)
{
	static const char msg[] = CRLF CRLF "BYE sip:x@example.com SIP/2.0" CRLF "l: 0" CRLF CRLF;

	SIPCASE(msg, SIP_PARSE_STREAM, (int)sizeof(msg) - 1, SIP_EMISSING, NULL);
	SIPCASE(msg, 0, SIP_ESTARTLINE, 0, NULL);
}

static void t_stream_needs_clen(void)
{
	static const char msg[] = "BYE sip:x@example.com SIP/2.0" CRLF "To: <sip:x@example.com>" CRLF CRLF;

	SIPCASE(msg, SIP_PARSE_STREAM, SIP_ECLEN, 0, NULL);
	SIPCASE(msg, 0, (int)sizeof(msg) - 1, SIP_EMISSING, NULL);
}

static void chk_unreason(const struct sip_msg *m, const char *b)
{
	CHECK(!m->is_request);
	CHECK_EQ_INT(m->status, 200);
	CHECK_SPAN(b, m->status_s, "200");
	CHECK_SPAN(b, m->reason, "\xd0\x9e\xd0\x9a ok");
}

static void t_status_line(void)
{
	static const char ok[] = "SIP/2.0 200 \xd0\x9e\xd0\x9a ok" CRLF "Content-Length: 0" CRLF CRLF;
	static const char empty[] = "SIP/2.0 100 " CRLF "l: 0" CRLF CRLF;
	static const char nosp[] = "SIP/2.0 180" CRLF "l: 0" CRLF CRLF;

	SIPCASE(ok, 0, (int)sizeof(ok) - 1, SIP_EMISSING, chk_unreason);
	SIPCASE(empty, SIP_PARSE_STREAM, (int)sizeof(empty) - 1, SIP_EMISSING, NULL);
	SIPCASE(nosp, 0, (int)sizeof(nosp) - 1, SIP_EMISSING, NULL);
	struct sip_msg m;
	struct sip_hdr h[4];
	CHECK(sip_msg_parse(&m, empty, sizeof(empty) - 1, h, 4, 0) > 0);
	CHECK_EQ_INT(m.reason.len, 0);
	CHECK_EQ_INT(m.status, 100);
}

static void t_status_bad(void)
{
	SIPCASE("SIP/2.0 4294967301 big" CRLF "l: 0" CRLF CRLF, 0, SIP_ESTATUS, 0, NULL);
	SIPCASE("SIP/2.0 099 low" CRLF CRLF, 0, SIP_ESTATUS, 0, NULL);
	SIPCASE("SIP/2.0 700 high" CRLF CRLF, SIP_PARSE_STREAM, SIP_ESTATUS, 0, NULL);
	SIPCASE("SIP/2.0 20 short" CRLF CRLF, 0, SIP_ESTARTLINE, 0, NULL);
	SIPCASE("SIP/2.0 2x0 x" CRLF CRLF, 0, SIP_ESTARTLINE, 0, NULL);
	SIPCASE("SIP/7.0 200 OK" CRLF CRLF, 0, SIP_EVERSION, 0, NULL);
	SIPCASE("SIP/2.0" CRLF CRLF, 0, SIP_ESTARTLINE, 0, NULL);
}

static void t_request_line_bad(void)
{
	/* RFC 4475 ltgtruri, lwsruri, lwsstart, trws, badvers, test.dat */
	SIPCASE("INVITE <sip:u@example.com> SIP/2.0" CRLF CRLF, 0, SIP_EURI, 0, NULL);
	SIPCASE("INVITE sip:u@example.com; lr SIP/2.0" CRLF CRLF, 0, SIP_ESTARTLINE, 0, NULL);
	SIPCASE("INVITE  sip:u@example.com SIP/2.0" CRLF CRLF, 0, SIP_ESTARTLINE, 0, NULL);
	SIPCASE("INVITE sip:u@example.com  SIP/2.0" CRLF CRLF, 0, SIP_ESTARTLINE, 0, NULL);
	SIPCASE("OPTIONS sip:u@example.com SIP/2.0  " CRLF CRLF, SIP_PARSE_STREAM, SIP_ESTARTLINE, 0, NULL);
	SIPCASE("OPTIONS sip:u@example.com SIP/7.0" CRLF CRLF, 0, SIP_EVERSION, 0, NULL);
	SIPCASE("INVITE sip:u@example.com" CRLF CRLF, 0, SIP_ESTARTLINE, 0, NULL);
	SIPCASE("INV\xc3\x89TE sip:u@example.com SIP/2.0" CRLF CRLF, 0, SIP_ESTARTLINE, 0, NULL);
	SIPCASE("INVITE sip:u@example.com SIP/2.0.1" CRLF CRLF, 0, SIP_ESTARTLINE, 0, NULL);
	SIPCASE("" CRLF, 0, SIP_ESTARTLINE, 0, NULL);
	SIPCASE("INVITE sip:u@exa\tmple.com SIP/2.0" CRLF CRLF, 0, SIP_ESTARTLINE, 0, NULL);
	/* other CTLs are the URI grammar's business (sip_msg_validate) */
	SIPCASE("INVITE sip:u@exa\x01mple.com SIP/2.0" CRLF CRLF, 0,
		(int)sizeof("INVITE sip:u@exa\x01mple.com SIP/2.0" CRLF CRLF) - 1, SIP_EURI, NULL);
}

static void chk_unknown_method(const struct sip_msg *m, const char *b)
{
	CHECK_EQ_INT(m->method, SIP_METHOD_OTHER);
	CHECK_SPAN(b, m->method_s, "!interesting-Method0123456789_*+`.%indeed'~");
}

static void t_request_line_odd(void)
{
	static const char msg[] = "!interesting-Method0123456789_*+`.%indeed'~ sip:u@example.com sip/2.0" CRLF
				  CRLF;
	SIPCASE(msg, 0, (int)sizeof(msg) - 1, SIP_EMISSING, chk_unknown_method);
}

/* RFC 4475 wsinv-style: LWS before the colon, empty first line, folds. */
static const char folded[] =
	"INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0" CRLF
	"TO :" CRLF
	" sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n" CRLF
	"from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>" CRLF
	"  ;" CRLF
	"  tag = 98asjd8" CRLF
	"MaX-fOrWaRdS: 0068" CRLF
	"Call-ID: wsinv.ndaksdj@192.0.2.1" CRLF
	"cseq: 0009" CRLF
	"  INVITE" CRLF
	"Via  : SIP  /   2.0" CRLF
	" /UDP" CRLF
	"    192.0.2.2;branch=390skdjuw" CRLF
	"s :" CRLF
	"NewFangledHeader:   newfangled value" CRLF
	" continued newfangled value" CRLF
	"l:0" CRLF
	CRLF;

static void chk_folded(const struct sip_msg *m, const char *b)
{
	CHECK_EQ_INT(m->nhdrs, 9);
	CHECK_EQ_INT(m->hdrs[0].id, SIP_HDR_TO);
	CHECK_SPAN(b, m->hdrs[0].name, "TO");
	CHECK_SPAN(b, m->hdrs[0].value, "sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
	CHECK_EQ_INT(m->hdrs[1].id, SIP_HDR_FROM);
	CHECK_SPAN(b, m->hdrs[1].value,
		   "\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>" CRLF "  ;" CRLF
		   "  tag = 98asjd8");
	CHECK_SPAN(b, m->hdrs[1].line,
		   "from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>" CRLF
		   "  ;" CRLF "  tag = 98asjd8" CRLF);
	CHECK_EQ_INT(m->hdrs[2].id, SIP_HDR_MAX_FORWARDS);
	CHECK_EQ_INT(m->hdrs[5].id, SIP_HDR_VIA);
	CHECK_SPAN(b, m->hdrs[5].value, "SIP  /   2.0" CRLF " /UDP" CRLF "    192.0.2.2;branch=390skdjuw");
	CHECK_EQ_INT(m->hdrs[6].id, SIP_HDR_SUBJECT);
	CHECK(m->hdrs[6].compact);
	CHECK_EQ_INT(m->hdrs[6].value.len, 0);
	CHECK_EQ_INT(m->hdrs[7].id, SIP_HDR_OTHER);
	CHECK_SPAN(b, m->hdrs[7].value, "newfangled value" CRLF " continued newfangled value");
	CHECK_EQ_INT(m->content_length, 0);
	struct sip_cseq cs;
	CHECK_EQ_INT(sip_msg_cseq(m, &cs), 1);
	CHECK_EQ_INT(cs.num, 9);
	CHECK_EQ_INT(cs.method, SIP_METHOD_INVITE);
	struct sip_span tag;
	CHECK_EQ_INT(sip_msg_tag(m, SIP_HDR_FROM, &tag), 1);
	CHECK_SPAN(b, tag, "98asjd8");
	CHECK_EQ_INT(sip_msg_tag(m, SIP_HDR_TO, &tag), 1);
	CHECK_SPAN(b, tag, "1918181833n");
}

static void t_folding(void)
{
	SIPCASE(folded, 0, (int)sizeof(folded) - 1, 0, chk_folded);
	SIPCASE(folded, SIP_PARSE_STREAM, (int)sizeof(folded) - 1, 0, chk_folded);
}

static void t_header_bad(void)
{
	SIPCASE("BYE sip:x@example.com SIP/2.0" CRLF "NoColon" CRLF CRLF, 0, SIP_EHEADER, 0, NULL);
	SIPCASE("BYE sip:x@example.com SIP/2.0" CRLF ": novalue" CRLF CRLF, 0, SIP_EHEADER, 0, NULL);
	SIPCASE("BYE sip:x@example.com SIP/2.0" CRLF " folded: first" CRLF CRLF, 0, SIP_EHEADER, 0,
		NULL);
	SIPCASE("BYE sip:x@example.com SIP/2.0" CRLF " folded: first" CRLF CRLF, SIP_PARSE_STREAM,
		SIP_EHEADER, 0, NULL);
	SIPCASE("BYE sip:x@example.com SIP/2.0" CRLF "Vi a: x" CRLF CRLF, 0, SIP_EHEADER, 0, NULL);
	SIPCASE("BYE sip:x@example.com SIP/2.0" CRLF "To\xc3\xa9: x" CRLF CRLF, 0, SIP_EHEADER, 0, NULL);
}

/* A bare CR is never a line end (it could smuggle a header past an element
 * that takes it for one). */
static void t_bare_cr(void)
{
	SIPCASE("BYE sip:x@example.com SIP/2.0\rVia: x" CRLF CRLF, 0, SIP_ECHAR, 0, NULL);
	SIPCASE("BYE sip:x@example.com SIP/2.0" CRLF "To: a\rFrom: b" CRLF "l: 0" CRLF CRLF,
		SIP_PARSE_STREAM, SIP_ECHAR, 0, NULL);
	SIPCASE("BYE sip:x@example.com SIP/2.0" CRLF "To: a" CRLF "\r" "\r\n", 0, SIP_ECHAR, 0, NULL);
}

#define REQ "OPTIONS sip:x@example.com SIP/2.0" CRLF

static void t_clen(void)
{
	SIPCASE(REQ "Content-Length: 5" CRLF "l: 4" CRLF CRLF "abcde", 0, SIP_ECLEN, 0, NULL);
	SIPCASE(REQ "Content-Length: 5" CRLF "l: 4" CRLF CRLF "abcde", SIP_PARSE_STREAM, SIP_ECLEN,
		0, NULL);
	SIPCASE(REQ "Content-Length: -999" CRLF CRLF, 0, SIP_ECLEN, 0, NULL);
	SIPCASE(REQ "Content-Length: +3" CRLF CRLF "abc", 0, SIP_ECLEN, 0, NULL);
	SIPCASE(REQ "Content-Length: 4294967328" CRLF CRLF "abc", SIP_PARSE_STREAM, SIP_ECLEN, 0, NULL);
	SIPCASE(REQ "Content-Length: 3 4" CRLF CRLF "abc", 0, SIP_ECLEN, 0, NULL);
	SIPCASE(REQ "Content-Length: " CRLF CRLF "abc", 0, SIP_ECLEN, 0, NULL);
	SIPCASE(REQ "Content-Length: 65536" CRLF CRLF "abc", 0, SIP_ECLEN, 0, NULL);
	/* larger than what is there: a datagram is broken, a stream waits */
	SIPCASE(REQ "Content-Length: 10" CRLF CRLF "abc", 0, SIP_EBODY, 0, NULL);
	SIPCASE(REQ "Content-Length: 10" CRLF CRLF "abc", SIP_PARSE_STREAM, SIP_ENEEDMORE, 0, NULL);
	SIPCASE(REQ "Content-Length: 65530" CRLF CRLF "abc", SIP_PARSE_STREAM, SIP_ETOOBIG, 0, NULL);
}

/* Content-Length values of one to four octets, every string over digits
 * and their neighbours ('/' and ':' around them, '+', '-', a letter,
 * 0x80, 0xb0), against the definition: all digits is their number (the
 * body that long is there), anything else SIP_ECLEN.  Then each length
 * with its line ending at a guard page (LF-only, no body): fewer than
 * four octets from the value's start, the value is still read right. */
static void t_clen_values(void)
{
	static const char alpha[] = "0123456789/:+-a\x80\xb0";
	static char buf[64 + 10000];
	const unsigned na = sizeof(alpha) - 1;
	struct sip_hdr hdrs[8];
	struct sip_msg m;

	for (unsigned len = 1; len <= 4 && !check_failed; len++) {
		unsigned total = 1;
		for (unsigned k = 0; k < len; k++)
			total *= na;
		for (unsigned code = 0; code < total && !check_failed; code++) {
			char v[5];
			int64_t want = 0;
			unsigned c = code;
			for (unsigned k = 0; k < len; k++, c /= na) {
				v[k] = alpha[c % na];
				want = want < 0 || v[k] < '0' || v[k] > '9' ? -1 : want * 10 + (v[k] - '0');
			}
			int n = snprintf(buf, 64, "OPTIONS sip:x SIP/2.0\r\nContent-Length: %.*s\r\n\r\n",
					 (int)len, v);
			memset(buf + n, 'x', 9999);
			int rc = sip_msg_parse(&m, buf, (size_t)n + (want < 0 ? 0 : (size_t)want), hdrs,
					       8, 0);
			if (want < 0 ? rc != SIP_ECLEN : rc < 0 || m.content_length != want) {
				check_failed = 1;
				snprintf(check_why, sizeof(check_why),
					 "value %02x %02x %02x %02x (%u octets): rc %d length %lld, want %lld",
					 (unsigned char)v[0], len > 1 ? (unsigned char)v[1] : 0,
					 len > 2 ? (unsigned char)v[2] : 0, len > 3 ? (unsigned char)v[3] : 0,
					 len, rc, (long long)m.content_length, (long long)want);
			}
		}
	}
	for (unsigned len = 1; len <= 4 && !check_failed; len++) {
		char msg[64];
		void *map;
		size_t maplen;
		int n = snprintf(msg, sizeof(msg), "OPTIONS sip:x SIP/2.0\nl:%.*s\n\n", (int)len, "0000");
		char *g = check_guard_copy(msg, (size_t)n, &map, &maplen);
		CHECK(g != NULL);
		if (!g)
			return;
		int rc = sip_msg_parse(&m, g, (size_t)n, hdrs, 8, 0);
		CHECK_EQ_INT(rc, n);
		CHECK_EQ_INT(m.content_length, 0);
		check_guard_free(map, maplen);
	}
}

static void chk_same_clen(const struct sip_msg *m, const char *b)
{
	(void)b;
	CHECK_EQ_INT(m->content_length, 3);
	CHECK_EQ_INT(m->clen_hdr, 0);
	CHECK_EQ_INT(m->body_len, 3);
}

static void chk_noclen(const struct sip_msg *m, const char *b)
{
	CHECK_EQ_INT(m->content_length, -1);
	CHECK_EQ_INT(m->clen_hdr, -1);
	CHECK_EQ_INT(m->body_len, 5);
	CHECK(memcmp(b + m->body_off, "hello", 5) == 0);
}

/* dblreq: octets after the Content-Length body belong to the datagram
 * (m->len) but not to the body. */
static void chk_trailing(const struct sip_msg *m, const char *b)
{
	CHECK_EQ_INT(m->body_len, 2);
	CHECK(memcmp(b + m->body_off, "ab", 2) == 0);
	CHECK_EQ_INT(m->len, m->body_off + 2 + 7);
}

static void t_body(void)
{
	SIPCASE(REQ "l: 3" CRLF "Content-Length:  3 " CRLF CRLF "abc", 0,
		(int)sizeof(REQ "l: 3" CRLF "Content-Length:  3 " CRLF CRLF "abc") - 1, SIP_EMISSING,
		chk_same_clen);
	SIPCASE(REQ "To: <sip:x@example.com>" CRLF CRLF "hello", 0,
		(int)sizeof(REQ "To: <sip:x@example.com>" CRLF CRLF "hello") - 1, SIP_EMISSING,
		chk_noclen);
	SIPCASE(REQ "l: 2" CRLF CRLF "ab" CRLF "extra", 0,
		(int)sizeof(REQ "l: 2" CRLF CRLF "ab" CRLF "extra") - 1, SIP_EMISSING, chk_trailing);
	/* a datagram that ends without the empty line (RFC 4475 baddn archive copy) */
	SIPCASE(REQ "l: 0" CRLF, 0, (int)sizeof(REQ "l: 0" CRLF) - 1, SIP_EMISSING, NULL);
	SIPCASE(REQ "l: 0", 0, (int)sizeof(REQ "l: 0") - 1, SIP_EMISSING, NULL);
	SIPCASE(REQ "l: 0" CRLF, SIP_PARSE_STREAM, SIP_ENEEDMORE, 0, NULL);
}

/* Build a message with n copies of a header line; returns its length. */
static size_t build(char *buf, size_t cap, const char *line, unsigned n, const char *tail)
{
	size_t len = (size_t)snprintf(buf, cap, REQ);
	for (unsigned k = 0; k < n && len < cap; k++)
		len += (size_t)snprintf(buf + len, cap - len, "%s", line);
	len += (size_t)snprintf(buf + len, cap - len, "%s", tail);
	return len;
}

static void t_limits(void)
{
	static char buf[3 * SIP_MAX_MSG_SIZE];
	size_t n;

	n = build(buf, sizeof(buf), "X-A: b" CRLF, SIP_MAX_HEADERS, "l: 0" CRLF CRLF);
	sipcase_run(buf, n, 0, SIP_ETOOMANYHDRS, 0, NULL);
	n = build(buf, sizeof(buf), "X-A: b" CRLF, SIP_MAX_HEADERS - 1, "l: 0" CRLF CRLF);
	sipcase_run(buf, n, SIP_PARSE_STREAM, (int)n, SIP_EMISSING, NULL);
	n = build(buf, sizeof(buf), "v: SIP/2.0/UDP h" CRLF, SIP_MAX_VIAS + 1, "l: 0" CRLF CRLF);
	sipcase_run(buf, n, 0, SIP_ETOOMANYVIAS, 0, NULL);
	n = build(buf, sizeof(buf), "v: SIP/2.0/UDP h,SIP/2.0/UDP h" CRLF, SIP_MAX_VIAS / 2 + 1,
		  "l: 0" CRLF CRLF);
	sipcase_run(buf, n, 0, (int)n, SIP_ETOOMANYVIAS, NULL);
	/* one line over SIP_MAX_LINE, as one physical line and as folds */
	n = build(buf, sizeof(buf), "a", SIP_MAX_LINE, ": b" CRLF CRLF);
	sipcase_run(buf, n, SIP_PARSE_STREAM, SIP_ELINETOOLONG, 0, NULL);
	n = (size_t)snprintf(buf, sizeof(buf), REQ "X: a" CRLF);
	for (unsigned k = 0; k < SIP_MAX_LINE / 4; k++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, " b" CRLF);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, CRLF);
	sipcase_run(buf, n, 0, SIP_ELINETOOLONG, 0, NULL);
	/* over SIP_MAX_MSG_SIZE: a datagram at once, a stream once it has that much */
	n = build(buf, sizeof(buf), "X-Long: 0123456789012345678901234567890123456789" CRLF
				    "X-Long: 0123456789012345678901234567890123456789" CRLF,
		  SIP_MAX_HEADERS / 2 - 2, "l: 30000" CRLF CRLF);
	memset(buf + n, 'x', 30000);
	n += 30000;
	sipcase_run(buf, n, SIP_PARSE_STREAM, (int)n, SIP_EMISSING, NULL);
	memset(buf + n, 'x', SIP_MAX_MSG_SIZE);
	sipcase_run(buf, n + SIP_MAX_MSG_SIZE, 0, SIP_ETOOBIG, 0, NULL);
	n = build(buf, sizeof(buf), "", 0, "X: ");
	memset(buf + n, 'x', SIP_MAX_MSG_SIZE);
	struct sip_msg m;
	struct sip_hdr h[4];
	CHECK_EQ_INT(sip_msg_parse(&m, buf, n + SIP_MAX_MSG_SIZE, h, 4, SIP_PARSE_STREAM),
		     SIP_ETOOBIG);
	/* the caller's array is smaller than the limit */
	n = build(buf, sizeof(buf), "X-A: b" CRLF, 4, "l: 0" CRLF CRLF);
	CHECK_EQ_INT(sip_msg_parse(&m, buf, n, h, 4, 0), SIP_ENOSPACE);
	CHECK_EQ_INT(sip_msg_parse(&m, buf, n, h, 0, 0), SIP_ENOSPACE);
}

/* Every row: long name in three cases, compact form, name round trip. */
static void t_hdr_table(void)
{
	static const struct {
		const char *name;
		char compact;
		enum sip_hdr_id id;
	} want[] = {
		{ "Accept-Contact", 'a', SIP_HDR_ACCEPT_CONTACT },
		{ "Referred-By", 'b', SIP_HDR_REFERRED_BY },
		{ "Content-Type", 'c', SIP_HDR_CONTENT_TYPE },
		{ "Request-Disposition", 'd', SIP_HDR_REQUEST_DISPOSITION },
		{ "Content-Encoding", 'e', SIP_HDR_CONTENT_ENCODING },
		{ "From", 'f', SIP_HDR_FROM },
		{ "Call-ID", 'i', SIP_HDR_CALL_ID },
		{ "Reject-Contact", 'j', SIP_HDR_REJECT_CONTACT },
		{ "Supported", 'k', SIP_HDR_SUPPORTED },
		{ "Content-Length", 'l', SIP_HDR_CONTENT_LENGTH },
		{ "Contact", 'm', SIP_HDR_CONTACT },
		{ "Identity-Info", 'n', SIP_HDR_IDENTITY_INFO },
		{ "Event", 'o', SIP_HDR_EVENT },
		{ "Refer-To", 'r', SIP_HDR_REFER_TO },
		{ "Subject", 's', SIP_HDR_SUBJECT },
		{ "To", 't', SIP_HDR_TO },
		{ "Allow-Events", 'u', SIP_HDR_ALLOW_EVENTS },
		{ "Via", 'v', SIP_HDR_VIA },
		{ "Session-Expires", 'x', SIP_HDR_SESSION_EXPIRES },
		{ "Identity", 'y', SIP_HDR_IDENTITY },
	};
	uint8_t c;

	for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
		char lo[2] = { want[k].compact, 0 }, up[2] = { (char)(want[k].compact - 32), 0 };
		CHECK_EQ_INT(sip_hdr_lookup(lo, 1, &c), want[k].id);
		CHECK_EQ_INT(c, 1);
		CHECK_EQ_INT(sip_hdr_lookup(up, 1, &c), want[k].id);
		CHECK_EQ_INT(sip_hdr_lookup(want[k].name, strlen(want[k].name), &c), want[k].id);
		CHECK_EQ_INT(c, 0);
	}
	for (int id = 1; id < SIP_HDR__COUNT; id++) {
		const char *n = sip_hdr_name((enum sip_hdr_id)id);
		char buf[64];
		CHECK(n != NULL);
		if (!n)
			continue;
		CHECK_EQ_INT(sip_hdr_lookup(n, strlen(n), NULL), id);
		for (size_t k = 0; n[k] && k < sizeof(buf); k++)
			buf[k] = (char)(k % 2 ? n[k] | 32 : (n[k] >= 'a' && n[k] <= 'z' ? n[k] - 32 : n[k]));
		CHECK_EQ_INT(sip_hdr_lookup(buf, strlen(n), NULL), id);
		if (strlen(n) > 2)
			CHECK_EQ_INT((int)sip_hdr_lookup(n, strlen(n) - 1, NULL) == id, 0);
	}
	/* near misses stay unknown: the whole name is always confirmed */
	static const char *const miss[] = { "Vias", "Vi", "Content-Lengthx", "g", "h", "Toe",
					    "X-Via", "Contact-", "CSe", "" };
	for (size_t k = 0; k < sizeof(miss) / sizeof(miss[0]); k++)
		CHECK_EQ_INT(sip_hdr_lookup(miss[k], strlen(miss[k]), NULL), SIP_HDR_OTHER);
}

static void t_method_table(void)
{
	for (int id = 1; id < SIP_METHOD__COUNT; id++) {
		const char *n = sip_method_name((enum sip_method)id);
		CHECK(n != NULL);
		if (n)
			CHECK_EQ_INT(sip_method_lookup(n, strlen(n)), id);
	}
	/* methods are case-sensitive (§7.1) */
	CHECK_EQ_INT(sip_method_lookup("invite", 6), SIP_METHOD_OTHER);
	CHECK_EQ_INT(sip_method_lookup("INVITEX", 7), SIP_METHOD_OTHER);
	CHECK_EQ_INT(sip_method_lookup("RE%47IST%45R", 12), SIP_METHOD_OTHER);
}

#define VREQ                                                                           \
	"INVITE sip:bob@example.com SIP/2.0" CRLF "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bKa" CRLF \
	"To: <sip:bob@example.com>" CRLF "From: <sip:al@example.com>;tag=1" CRLF              \
	"Call-ID: c1@h" CRLF

static void t_validate(void)
{
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "l: 0" CRLF CRLF) - 1, 0, NULL);
	SIPCASE(VREQ "CSeq: 1 BYE" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 BYE" CRLF "l: 0" CRLF CRLF) - 1, SIP_ECSEQ, NULL);
	SIPCASE(VREQ "CSeq: 1 invite" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 invite" CRLF "l: 0" CRLF CRLF) - 1, SIP_ECSEQ, NULL);
	SIPCASE(VREQ "CSeq: 2147483648 INVITE" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 2147483648 INVITE" CRLF "l: 0" CRLF CRLF) - 1, SIP_ECSEQ, NULL);
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "Max-Forwards: 256" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "Max-Forwards: 256" CRLF "l: 0" CRLF CRLF) - 1,
		SIP_EVALUE, NULL);
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "Expires: 4294967296" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "Expires: 4294967296" CRLF "l: 0" CRLF CRLF) - 1,
		SIP_EVALUE, NULL);
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "Date: Sat, 13 Nov 2010 23:29:00 GMT" CRLF "l: 0" CRLF CRLF,
		0, (int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "Date: Sat, 13 Nov 2010 23:29:00 GMT" CRLF
				    "l: 0" CRLF CRLF) - 1, 0, NULL);
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "Date: Sat, 13 Nov 2010 23:29:00 EST" CRLF "l: 0" CRLF CRLF,
		0, (int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "Date: Sat, 13 Nov 2010 23:29:00 EST" CRLF
				    "l: 0" CRLF CRLF) - 1, SIP_EVALUE, NULL);
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "Call-ID: c2@h" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "Call-ID: c2@h" CRLF "l: 0" CRLF CRLF) - 1,
		SIP_EMULTI, NULL);
	/* a byte-identical repeat cannot be read two ways: accepted */
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "Call-ID: c1@h" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "Call-ID: c1@h" CRLF "l: 0" CRLF CRLF) - 1, 0,
		NULL);
	SIPCASE(VREQ "l: 0" CRLF CRLF, 0, (int)sizeof(VREQ "l: 0" CRLF CRLF) - 1, SIP_EMISSING, NULL);
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "l: 1" CRLF CRLF "x", 0,
		(int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "l: 1" CRLF CRLF "x") - 1, SIP_EMISSING, NULL);
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "X-Ctl: a\x01" "b" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "X-Ctl: a\x01" "b" CRLF "l: 0" CRLF CRLF) - 1,
		SIP_ECHAR, NULL);
	/* a CTL inside a header whose grammar forbids it: that grammar's error */
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "Contact: <sip:a@h>;x=\"\x01\"" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "Contact: <sip:a@h>;x=\"\x01\"" CRLF "l: 0" CRLF
			    CRLF) - 1, SIP_EADDR, NULL);
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "Allow: INVITE,,BYE" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "Allow: INVITE,,BYE" CRLF "l: 0" CRLF CRLF) - 1,
		SIP_EVALUE, NULL);
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "Require: 100rel, timer" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "Require: 100rel, timer" CRLF "l: 0" CRLF CRLF) - 1,
		0, NULL);
	SIPCASE(VREQ "CSeq: 1 INVITE" CRLF "Route: sip:p@example.com" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof(VREQ "CSeq: 1 INVITE" CRLF "Route: sip:p@example.com" CRLF "l: 0" CRLF CRLF) - 1,
		SIP_EADDR, NULL);
	SIPCASE("INVITE sip:bob@example.com?Route=x SIP/2.0" CRLF "l: 0" CRLF CRLF, 0,
		(int)sizeof("INVITE sip:bob@example.com?Route=x SIP/2.0" CRLF "l: 0" CRLF CRLF) - 1,
		SIP_EURI, NULL);
	/* a response needs no CSeq method check but the same mandatory set */
	SIPCASE("SIP/2.0 200 OK" CRLF "Via: SIP/2.0/UDP h" CRLF "To: <sip:b@h>;tag=2" CRLF
		"From: <sip:a@h>;tag=1" CRLF "Call-ID: c" CRLF "CSeq: 1 BYE" CRLF "l: 0" CRLF CRLF,
		0, (int)sizeof("SIP/2.0 200 OK" CRLF "Via: SIP/2.0/UDP h" CRLF "To: <sip:b@h>;tag=2" CRLF
				    "From: <sip:a@h>;tag=1" CRLF "Call-ID: c" CRLF "CSeq: 1 BYE" CRLF
				    "l: 0" CRLF CRLF) - 1, 0, NULL);
}

/* The fast path against the reference path, field by field, on messages
 * built to reach each of the fast path's hand-overs: folding, bare LF,
 * bare CR, odd whitespace around the colon, unknown and bad names, long
 * lines that leave the 256-octet window, a window edge on every octet,
 * too many headers for the caller's array, Content-Length and Via rules;
 * each whole and at every prefix, datagram and stream. */
static const char *const diff_msgs[] = {
	invite,
	folded,
	"INVITE sip:a@b SIP/2.0\r\nVia : SIP/2.0/UDP h\r\nTo:\t<sip:b@h> \t\r\nFrom:  x\r\n"
	"X-Y-Z: 1\r\nBad Name: 2\r\nl: 3\r\n\r\nabc",
	"SIP/2.0 200 OK\nVia: SIP/2.0/UDP h\nContent-Length: 0\n\n",
	"SIP/2.0 200 OK\r\nVia: x\rY: z\r\n\r\n",
	"SIP/2.0 200 OK\r\n: novalue\r\nA:\r\nB: \r\n  \r\nC:   \r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
	"OPTIONS sip:x SIP/2.0\r\nContent-Length: 2\r\nl: 2\r\n\r\nab",
	"OPTIONS sip:x SIP/2.0\r\nNoColon\r\n\r\n",
	"OPTIONS sip:x SIP/2.0\r\nSubject: a\r\n\tb\r\n c\r\n\r\n",
};

static void t_fast_vs_reference(void)
{
	static char big[8192];
	char why[160], a[320];
	size_t n = 0;

	memset(a, 'a', sizeof(a));
	/* long lines and a window edge on every octet: pad the start line */
	for (unsigned pad = 0; pad < 300 && !check_failed; pad += 1) {
		n = (size_t)snprintf(big, sizeof(big),
				     "INVITE sip:%.*s@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=%.*s\r\n"
				     "Contact: <sip:a@h>\r\nSubject: %.*s\r\nUser-Agent: u\r\n"
				     "Content-Length: 1\r\n\r\nx",
				     (int)(pad % 97), a, (int)pad, a, (int)(pad / 2), a);
		for (size_t k = 0; k <= n && !check_failed; k += 1 + k / 64) {
			for (unsigned f = 0; f < 2; f++) {
				const char *d = msgdiff_run(big, k, SIPCASE_HDRS, f, why, sizeof(why));
				if (d) {
					check_failed = 1;
					snprintf(check_why, sizeof(check_why), "pad %u prefix %zu: %s", pad,
						 k, d);
				}
			}
		}
	}
	for (size_t i = 0; i < sizeof(diff_msgs) / sizeof(diff_msgs[0]) && !check_failed; i++) {
		size_t len = strlen(diff_msgs[i]);
		for (size_t k = 0; k <= len && !check_failed; k++)
			for (unsigned f = 0; f < 2; f++)
				for (unsigned cap = 2; cap <= SIPCASE_HDRS; cap += 126) {
					const char *d = msgdiff_run(diff_msgs[i], k, cap, f, why,
								    sizeof(why));
					if (d) {
						check_failed = 1;
						snprintf(check_why, sizeof(check_why),
							 "message %zu prefix %zu: %s", i, k, d);
					}
				}
	}
}

/* msgdiff_run() on prefixes of buf (every one up to 80 octets, then
 * sparser), both framings; the first difference fails the case. */
static void diff_prefixes(const char *buf, size_t n, const char *what, unsigned pad)
{
	char why[160];

	for (size_t k = 0; k <= n && !check_failed; k += k < 80 ? 1 : 1 + k / 48)
		for (unsigned f = 0; f < 2 && !check_failed; f++) {
			const char *d = msgdiff_run(buf, k, SIPCASE_HDRS, f, why, sizeof(why));
			if (d) {
				check_failed = 1;
				snprintf(check_why, sizeof(check_why), "%s pad %u prefix %zu: %s",
					 what, pad, k, d);
			}
		}
}

/* The fast path's own edges: a name's colon at each place around the end
 * of its sixteen-octet load (names of 1 to 20 octets, known and unknown,
 * LWS before the colon), a CRLF split across two 64-octet blocks (the
 * padding moves every line end over bit 63), more header octets than one
 * call of the mask function computes (16 blocks), and a whitespace-only
 * continuation line that looks like the empty line to the mask function's
 * stop hint, before the real one. */
static void t_fast_edges(void)
{
	static char big[4096];
	static const char *const known[] = { "Session-Expires", "WWW-Authenticate",
					     "Proxy-Require", "Content-Disposition",
					     "Request-Disposition", "Identity-Info", "v", "l",
					     "sESSION-eXPIRES", "wWW-aUTHENTICATE", "VIA", "L",
					     "Content-Lengtg", "Content-Lengti", "Vib", "Via-",
					     "M", "Z" };
	static const char *const odd[] = { "[", "@", "z", "Via\t", "A b", "\x80" };
	char name[24];
	size_t n;

	for (unsigned pad = 0; pad < 66 && !check_failed; pad++) {
		n = (size_t)snprintf(big, sizeof(big), "OPTIONS sip:%.*s@h SIP/2.0\r\n", (int)pad,
				     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		for (unsigned len = 1; len <= 20; len++) {
			memset(name, 'a' + (char)(len % 26), len);
			name[0] = 'X';
			n += (size_t)snprintf(big + n, sizeof(big) - n, "%.*s: v%u\r\n%.*s :w\r\n",
					      (int)len, name, len, (int)len, name);
		}
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, "%s:%s\r\n", known[k],
					      k % 2 ? " 1" : "1  ");
		n += (size_t)snprintf(big + n, sizeof(big) - n, "Subject: a\r\n \r\n\t\r\nl: 2\r\n");
		for (unsigned k = 0; k < 30; k++)
			n += (size_t)snprintf(big + n, sizeof(big) - n, "Via: SIP/2.0/UDP h%u\r\n", k);
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\nab");
		CHECK(n > 16 * 64 && n < sizeof(big));
		diff_prefixes(big, n, "names", pad);
	}
	/* lines around SIP_MAX_LINE, whole (line ends as the fast path's
	 * length test sees them, a block at a time) */
	static char longmsg[SIP_MAX_LINE + 256];
	for (unsigned len = SIP_MAX_LINE - 6; len <= SIP_MAX_LINE + 6 && !check_failed; len++) {
		char why[160];
		n = (size_t)snprintf(longmsg, sizeof(longmsg), "OPTIONS sip:x SIP/2.0\r\nSubject: ");
		memset(longmsg + n, 'a', len - 11); /* "Subject: " + CRLF */
		n += len - 11;
		n += (size_t)snprintf(longmsg + n, sizeof(longmsg) - n, "\r\nl: 0\r\n\r\n");
		for (unsigned f = 0; f < 2 && !check_failed; f++) {
			const char *d = msgdiff_run(longmsg, n, SIPCASE_HDRS, f, why, sizeof(why));
			if (d) {
				check_failed = 1;
				snprintf(check_why, sizeof(check_why), "line %u: %s", len, d);
			}
		}
	}
	/* short messages, where the data ends inside a load; names the
	 * reference path refuses or reads octet by octet */
	for (unsigned pad = 0; pad < 40 && !check_failed; pad++) {
		n = (size_t)snprintf(big, sizeof(big),
				     "BYE sip:%.*s SIP/2.0\r\nWWW-Authenticate:x\r\nSession-Expires:\r\n\r\n",
				     (int)pad, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");
		diff_prefixes(big, n, "short", pad);
		for (size_t k = 0; k < sizeof(odd) / sizeof(odd[0]); k++) {
			n = (size_t)snprintf(big, sizeof(big),
					     "BYE sip:%.*s SIP/2.0\r\nVia: h\r\n%s: x\r\nl: 0\r\n\r\n",
					     (int)pad, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", odd[k]);
			diff_prefixes(big, n, odd[k], pad);
		}
	}
}

/* Every mask implementation against the bytewise one, on blocks that
 * hold every octet value at every place (lex.h lx_masks_fn). */
static void t_masks_all_octets(void)
{
	unsigned char blk[4 * 64];

	for (int l = LX_SIMD_C; l < LX_SIMD__COUNT && !check_failed; l++) {
		lx_masks_fn fill = lx_masks_get((enum lx_simd)l);
		uint64_t got[4];

		if (!fill)
			continue;
		for (unsigned v = 0; v < 256 && !check_failed; v++) {
			for (unsigned k = 0; k < sizeof(blk); k++)
				blk[k] = (unsigned char)(k % 3 == 0 ? v : (k * 37 + v * 11) & 0xff);
			/* no two line ends two apart, so all four are computed */
			unsigned n = fill((const char *)blk, 4, got);
			for (unsigned b = 0; b < n; b++)
				CHECK(got[b] == lx_masks_tail((const char *)blk + 64 * b, 64));
		}
		/* the stop hint: CRLF CRLF in block 1 ends the run there */
		memset(blk, 'a', sizeof(blk));
		memcpy(blk + 64 + 60, "\r\n\r\n", 4);
		CHECK_EQ_INT((int)fill((const char *)blk, 4, got), 2);
		CHECK(got[1] == 0xfull << 60);
	}
}

/* sip_msg_find() and sip_msg_count() against a plain walk, for every id
 * and every starting point, on header counts around the unrolled step. */
static void t_find_all(void)
{
	static char buf[2048];
	static const char *const names[] = { "Via", "To", "Via", "From", "X-A", "Call-ID", "Via",
					     "CSeq", "To", "Contact", "m" };
	struct sip_hdr h[SIPCASE_HDRS];
	struct sip_msg m;

	for (size_t nh = 0; nh <= sizeof(names) / sizeof(names[0]) && !check_failed; nh++) {
		size_t n = (size_t)snprintf(buf, sizeof(buf), "OPTIONS sip:x SIP/2.0\r\n");
		for (size_t k = 0; k < nh; k++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s: %zu\r\n", names[k], k);
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n");
		CHECK_EQ_INT(sip_msg_parse(&m, buf, n, h, SIPCASE_HDRS, 0), (int)n);
		CHECK_EQ_INT(m.nhdrs, (int)nh);
		for (int id = 0; id < SIP_HDR__COUNT; id++) {
			int count = 0;
			for (int after = -2; after <= (int)nh + 1; after++) {
				int want = -1;
				for (int k = after < 0 ? 0 : after + 1; k < (int)nh && want < 0; k++)
					if (m.hdrs[k].id == id)
						want = k;
				CHECK_EQ_INT(sip_msg_find(&m, (enum sip_hdr_id)id, after), want);
			}
			for (unsigned k = 0; k < nh; k++)
				count += m.hdrs[k].id == id;
			CHECK_EQ_INT(sip_msg_count(&m, (enum sip_hdr_id)id), count);
		}
	}
	CHECK_EQ_INT(sip_msg_find(&m, SIP_HDR_VIA, 0x7fffffff), -1);
}

/* Start lines around the common-case shortcuts (a known method found by
 * its SP, " SIP/2.0" in one load): the return value, and the method and
 * version span or the error offset.  Both paths share this code, so the
 * expectations are fixed values (those of the code before the
 * shortcuts). */
static void t_start_line_variants(void)
{
	static const struct {
		const char *line;
		int rc;       /* for "line CRLF Call-ID: a CRLF CRLF" */
		int meth_off; /* method when rc >= 0, else err_off */
		unsigned voff, vlen;
	} t[] = {
		{ "INVITE sip:x SIP/2.0", 36, 1, 13, 7 },
		{ "INVITE sip:x sip/2.0", 36, 1, 13, 7 },
		{ "INVITE sip:x sIP/2.0", 36, 1, 13, 7 },
		{ "INVITE sip:x SIp/2.0", 36, 1, 13, 7 },
		{ "INVITE sip:x SIP/2.1", -6, 13, 0, 0 },
		{ "INVITE sip:x SIP/3.0", -6, 13, 0, 0 },
		{ "INVITE sip:x SIP/20", -5, 13, 0, 0 },
		{ "INVITE sip:x SIQ/2.0", -5, 13, 0, 0 },
		{ "INVITE sip:x SIP\\2.0", -5, 13, 0, 0 },
		{ "INVITE sip:x SIP/2,0", -5, 13, 0, 0 },
		{ "INVITE sip:x \x53IP/2.0", 36, 1, 13, 7 },
		{ "INVITE sip:x\tSIP/2.0", -5, 7, 0, 0 },
		{ "INVITE sip:xSIP/2.0", -5, 7, 0, 0 },
		{ "INVITE sip:x  SIP/2.0", -5, 12, 0, 0 },
		{ "INVITE  SIP/2.0", -5, 7, 0, 0 },
		{ "INVITE x SIP/2.0", 32, 1, 9, 7 },
		{ "INVITE sip:x \xd3IP/2.0", -5, 13, 0, 0 },
		{ "INVITE sip:x S\xc9P/2.0", -5, 13, 0, 0 },
		{ "INVITE sip:x SIP/2.0 ", -5, 12, 0, 0 },
		{ "INVITE sip:x SIP/12.0", -6, 13, 0, 0 },
		{ "BYE sip:x SIP/2.0", 33, 3, 10, 7 },
		{ "ACK sip:x SIP/2.0", 33, 2, 10, 7 },
		{ "REGISTER sip:x SIP/2.0", 38, 5, 15, 7 },
		{ "SUBSCRIBE sip:x SIP/2.0", 39, 10, 16, 7 },
		{ "FOO sip:x SIP/2.0", 33, 0, 10, 7 },
		{ "INVITEX sip:x SIP/2.0", 37, 0, 14, 7 },
		{ "invite sip:x SIP/2.0", 36, 0, 13, 7 },
		{ "INVITE sip:x SIP/2.0x", -5, 13, 0, 0 },
		{ "I sip:x SIP/2.0", 31, 0, 8, 7 },
		{ "INVITE sip:averyveryverylonguri@host.example.com;transport=udp SIP/2.0", 86, 1, 63, 7 },
		{ "SIP/2.0 200 OK", 30, 0, 0, 7 },
		{ "sip/2.0 200 OK", -5, 3, 0, 0 },
		{ "SIP/2.0 200", 27, 0, 0, 7 },
		{ "SIP/2.0 99 x", -5, 8, 0, 0 },
		{ "SIP/2.1 200 OK", -6, 0, 0, 0 },
		{ "INVITE sip:x@y SIP/2.0\x01", -5, 15, 0, 0 },
	};
	static struct sip_hdr h[SIPCASE_HDRS];
	char buf[256];
	struct sip_msg m;

	for (size_t k = 0; k < sizeof(t) / sizeof(t[0]) && !check_failed; k++) {
		int n = snprintf(buf, sizeof(buf), "%s\r\nCall-ID: a\r\n\r\n", t[k].line);
		int r = sip_msg_parse(&m, buf, (size_t)n, h, SIPCASE_HDRS, 0);
		CHECK_EQ_INT(r, t[k].rc);
		if (r < 0) {
			CHECK_EQ_INT((int)m.err_off, t[k].meth_off);
		} else if (m.is_request) {
			CHECK_EQ_INT(m.method, t[k].meth_off);
			CHECK_EQ_INT((int)m.version.off, (int)t[k].voff);
			CHECK_EQ_INT((int)m.version.len, (int)t[k].vlen);
		}
		if (check_failed)
			snprintf(check_why + strlen(check_why), sizeof(check_why) - strlen(check_why),
				 " (line %zu)", k);
	}
}

static void t_method_near_miss(void)
{
	char n[16];

	for (int id = 1; id < SIP_METHOD__COUNT; id++) {
		const char *name = sip_method_name((enum sip_method)id);
		size_t len = name ? strlen(name) : 0;

		CHECK(len > 0 && len < sizeof(n) - 1);
		if (!len || len >= sizeof(n) - 1)
			return;
		/* each octet changed in turn, one longer, one shorter */
		for (size_t k = 0; k < len; k++) {
			memcpy(n, name, len);
			n[k] ^= 1;
			CHECK_EQ_INT(sip_method_lookup(n, len), SIP_METHOD_OTHER);
		}
		memcpy(n, name, len);
		n[len] = name[len - 1];
		CHECK_EQ_INT(sip_method_lookup(n, len + 1), SIP_METHOD_OTHER);
		CHECK_EQ_INT(sip_method_lookup(n, len - 1), SIP_METHOD_OTHER);
	}
	CHECK_EQ_INT(sip_method_lookup("I", 1), SIP_METHOD_OTHER);
	CHECK_EQ_INT(sip_method_lookup("", 0), SIP_METHOD_OTHER);
}

static const struct check_case cases[] = {
	{ "invite_udp", t_invite_udp },
	{ "invite_tcp", t_invite_tcp },
	{ "invite_bare_lf", t_invite_lf },
	{ "pipelined", t_pipelined },
	{ "stream_leading_crlf", t_stream_leading_crlf },
	{ "stream_needs_content_length", t_stream_needs_clen },
	{ "status_line", t_status_line },
	{ "status_line_bad", t_status_bad },
	{ "request_line_bad", t_request_line_bad },
	{ "request_line_odd_method", t_request_line_odd },
	{ "folding", t_folding },
	{ "header_bad", t_header_bad },
	{ "bare_cr", t_bare_cr },
	{ "content_length", t_clen },
	{ "content_length_values", t_clen_values },
	{ "body", t_body },
	{ "limits", t_limits },
	{ "hdr_table", t_hdr_table },
	{ "method_table", t_method_table },
	{ "validate", t_validate },
	{ "fast_vs_reference", t_fast_vs_reference },
	{ "fast_edges", t_fast_edges },
	{ "method_near_miss", t_method_near_miss },
	{ "masks_all_octets", t_masks_all_octets },
	{ "find_all", t_find_all },
	{ "start_line_variants", t_start_line_variants },
	{ NULL, NULL },
};

/* Every case at each mask implementation this build and CPU have (lex.h):
 * the automatic choice, the reference path, plain C, SSE2, AVX2. */
int main(void)
{
	static const char *const suite[LX_SIMD__COUNT] = { "sip_msg_ref", "sip_msg_c",
							   "sip_msg_sse2", "sip_msg_avx2" };
	int bad = check_run("sip_msg", cases);

	for (int l = 0; l < LX_SIMD__COUNT; l++) {
		if (lx_simd_select((enum lx_simd)l) < 0) {
			printf("SKIP: %s (not in this build or CPU)\n", suite[l]);
			continue;
		}
		bad |= check_run(suite[l], cases);
	}
	lx_simd_select(LX_SIMD__COUNT);
	return bad;
}
