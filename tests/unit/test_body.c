/*
 * test_body.c - sip_body_sdp() / sip_body_sdps(): the SDP of a plain or
 * multipart body (RFC 2046 §5.1).
 *
 * Every case runs whole in CRLF form (and in LF form where noted), then
 * with the message truncated at every byte, on a guard page; every span
 * returned must lie inside the body.
 */
#include <stdlib.h>

#include "check.h"
#include "wirefix.h"
#include "sip/body.h"
#include "sip/error.h"
#include "sip/limits.h"

struct bres {
	int rc;
	struct sip_span v[4];
	struct fix f;
	char *msg;
	void *map;
	size_t maplen;
};

static int spans_in_body(const struct sip_msg *m, const struct sip_span *v, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i].off < m->body_off || sip_span_end(v[i]) > m->body_off + m->body_len)
			return 0;
	return 1;
}

static void truncations(const char *s, size_t n)
{
	for (size_t cut = 0; cut < n && !check_failed; cut++) {
		struct bres t;
		t.msg = check_guard_copy(s, cut, &t.map, &t.maplen);
		fix_msg(&t.f, t.msg, cut);
		t.rc = sip_body_sdps(&t.f.m, t.v, 4);
		CHECK(t.rc >= SIP_ERR_MIN && t.rc <= 4);
		CHECK(t.rc <= 0 || spans_in_body(&t.f.m, t.v, t.rc));
		check_guard_free(t.map, t.maplen);
	}
}

/* Run `lf_text` in CRLF form (or as is when raw), expecting `want`
 * SDP parts; *r keeps the message for the case to inspect. */
static void run(struct bres *r, const char *lf_text, int raw, int want)
{
	size_t n;
	char *s = raw ? strdup(lf_text) : fix_crlf(lf_text, &n);

	n = strlen(s);
	truncations(s, n);
	r->msg = check_guard_copy(s, n, &r->map, &r->maplen);
	free(s);
	fix_msg(&r->f, r->msg, n);
	r->rc = sip_body_sdps(&r->f.m, r->v, 4);
	CHECK_EQ_INT(r->rc, want);
	CHECK(r->rc <= 0 || spans_in_body(&r->f.m, r->v, r->rc));
	if (want >= 0) {
		struct sip_span one = SIP_SPAN_NONE;
		CHECK_EQ_INT(sip_body_sdp(&r->f.m, &one), want > 0);
		CHECK(want == 0 || (one.off == r->v[0].off && one.len == r->v[0].len));
	}
}

static void done(struct bres *r)
{
	check_guard_free(r->map, r->maplen);
}

#define SDP_TEXT "v=0\r\nc=IN IP4 192.168.1.10\r\nm=audio 4000 RTP/AVP 0\r\n"

static void t_plain(void)
{
	struct bres r;

	run(&r, "INVITE sip:x SIP/2.0\nContent-Type: application/sdp\nContent-Length: 52\n\n"
		"v=0\nc=IN IP4 192.168.1.10\nm=audio 4000 RTP/AVP 0\n", 0, 1);
	CHECK_SPAN(r.msg, r.v[0], SDP_TEXT);
	done(&r);
	run(&r, "INVITE sip:x SIP/2.0\nc: Application / SDP ; charset=\"utf-8\"\n\n"
		"v=0\n", 0, 1);
	CHECK_SPAN(r.msg, r.v[0], "v=0\r\n");
	done(&r);
}

static void t_not_sdp(void)
{
	struct bres r;

	run(&r, "MESSAGE sip:x SIP/2.0\nContent-Type: text/plain\n\nv=0\n", 0, 0);
	done(&r);
	run(&r, "MESSAGE sip:x SIP/2.0\nContent-Length: 4\n\nv=0\n", 0, 0);
	done(&r);
	run(&r, "INVITE sip:x SIP/2.0\nContent-Type: application/sdp\nContent-Length: 0\n\n", 0, 0);
	done(&r);
	run(&r, "INVITE sip:x SIP/2.0\nContent-Type: application/sdpx\n\nv=0\n", 0, 0);
	done(&r);
	/* A malformed top-level Content-Type: no SDP found, not an error. */
	run(&r, "INVITE sip:x SIP/2.0\nContent-Type: application\n\nv=0\n", 0, 0);
	done(&r);
}

static const char t06[] =
	"INVITE sip:bob@203.0.113.20:5070 SIP/2.0\n"
	"Content-Type: multipart/mixed;boundary=unique-boundary-1\n"
	"\n"
	"--unique-boundary-1\n"
	"Content-Type: application/sdp\n"
	"\n"
	"v=0\n"
	"c=IN IP4 192.168.1.10\n"
	"m=audio 4000 RTP/AVP 0\n"
	"\n"
	"--unique-boundary-1\n"
	"Content-Type: application/ISUP;version=itu-t92+\n"
	"Content-Disposition: signal;handling=optional\n"
	"\n"
	"0123456789\n"
	"--unique-boundary-1--\n";

/* The span stops before the CRLF that belongs to the next delimiter. */
static void t_multipart(void)
{
	struct bres r;

	run(&r, t06, 0, 1);
	CHECK_SPAN(r.msg, r.v[0], SDP_TEXT);
	done(&r);
	/* The same in LF form (RFC 5118 archive style). */
	run(&r, t06, 1, 1);
	CHECK_SPAN(r.msg, r.v[0], "v=0\nc=IN IP4 192.168.1.10\nm=audio 4000 RTP/AVP 0\n");
	done(&r);
}

/* Quoted boundary, preamble, epilogue, padding, look-alike lines, SDP last
 * and without a trailing CRLF of its own. */
static void t_multipart_forms(void)
{
	struct bres r;

	run(&r, "INVITE sip:x SIP/2.0\n"
		"Content-Type: MultiPart/Related; type=\"application/sdp\";\n"
		" boundary=\"simple boundary\"\n"
		"\n"
		"This is the preamble.\n"
		"--simple boundary  \n"
		"\n"
		"plain text part\n"
		"--simple boundaryX\n"
		"--simple boundary\n"
		"content-type:application/sdp\n"
		"\n"
		"v=0\n"
		"c=IN IP4 10.0.0.1\n"
		"--simple boundary--\n"
		"epilogue --simple boundary\n",
	    0, 1);
	CHECK_SPAN(r.msg, r.v[0], "v=0\r\nc=IN IP4 10.0.0.1");
	done(&r);
}

/* multipart/alternative (nested in mixed) with two SDPs: both reported. */
static void t_nested(void)
{
	struct bres r;

	run(&r, "INVITE sip:x SIP/2.0\n"
		"Content-Type: multipart/mixed; boundary=outer\n"
		"\n"
		"--outer\n"
		"Content-Type: multipart/alternative; boundary=inner\n"
		"\n"
		"--inner\n"
		"Content-Type: application/sdp\n"
		"\n"
		"v=0\nc=IN IP4 10.0.0.1\n"
		"--inner\n"
		"Content-Type: application/sdp\n"
		"\n"
		"v=0\nc=IN IP6 fd00::1\n"
		"--inner--\n"
		"--outer\n"
		"Content-Type: application/pidf+xml\n"
		"\n"
		"<presence/>\n"
		"--outer--\n",
	    0, 2);
	CHECK_SPAN(r.msg, r.v[0], "v=0\r\nc=IN IP4 10.0.0.1");
	CHECK_SPAN(r.msg, r.v[1], "v=0\r\nc=IN IP6 fd00::1");
	CHECK_EQ_INT(sip_body_sdps(&r.f.m, r.v, 1), SIP_ENOSPACE);
	done(&r);
}

static void t_errors(void)
{
	static const char *const bad[] = {
		/* no boundary parameter */
		"I s SIP/2.0\nContent-Type: multipart/mixed\n\n--b\n\nx\n--b--\n",
		/* no closing delimiter */
		"I s SIP/2.0\nContent-Type: multipart/mixed;boundary=b\n\n--b\n\nx\n--b\n\ny\n",
		/* no delimiter at all */
		"I s SIP/2.0\nContent-Type: multipart/mixed;boundary=b\n\nv=0\n",
		/* a part whose header section never ends */
		"I s SIP/2.0\nContent-Type: multipart/mixed;boundary=b\n\n--b\nContent-Type: a/b\n--b--\n",
		/* unterminated quoted boundary */
		"I s SIP/2.0\nContent-Type: multipart/mixed;boundary=\"b\n\n--b\n\nx\n--b--\n",
		/* boundary over 70 octets */
		"I s SIP/2.0\nContent-Type: multipart/mixed;boundary="
		"12345678901234567890123456789012345678901234567890123456789012345678901\n\n--b--\n",
		/* a malformed part Content-Type */
		"I s SIP/2.0\nContent-Type: multipart/mixed;boundary=b\n\n--b\nContent-Type: sdp\n\n"
		"v=0\n--b--\n",
		/* too deep */
		"I s SIP/2.0\nContent-Type: multipart/mixed;boundary=a\n\n--a\n"
		"Content-Type: multipart/mixed;boundary=b\n\n--b\n"
		"Content-Type: multipart/mixed;boundary=c\n\n--c\n"
		"Content-Type: multipart/mixed;boundary=d\n\n--d\n\nx\n--d--\n--c--\n--b--\n--a--\n",
	};
	struct bres r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]) && !check_failed; i++) {
		run(&r, bad[i], 0, SIP_EMULTIPART);
		done(&r);
		if (check_failed)
			snprintf(check_why + strlen(check_why), sizeof(check_why) - strlen(check_why),
				 " (bad[%zu])", i);
	}
}

/* More parts than SIP_MAX_PARTS: an SDP we did not look at would leak. */
static void t_too_many_parts(void)
{
	char msg[2048];
	size_t o;
	struct bres r;

	o = (size_t)snprintf(msg, sizeof(msg),
			     "I s SIP/2.0\nContent-Type: multipart/mixed;boundary=b\n\n");
	for (unsigned i = 0; i < SIP_MAX_PARTS; i++)
		o += (size_t)snprintf(msg + o, sizeof(msg) - o, "--b\n\npart %u\n", i);
	memcpy(msg + o, "--b--\n", 7);
	run(&r, msg, 0, 0);
	done(&r);
	memcpy(msg + o, "--b\n\nlast\n--b--\n", 17);
	run(&r, msg, 0, SIP_ETOOMANYPARTS);
	done(&r);
}

static const struct check_case cases[] = {
	{ "plain", t_plain },
	{ "not_sdp", t_not_sdp },
	{ "multipart", t_multipart },
	{ "multipart_forms", t_multipart_forms },
	{ "nested", t_nested },
	{ "errors", t_errors },
	{ "too_many_parts", t_too_many_parts },
	{ 0 },
};

int main(void)
{
	return check_run("body", cases);
}
