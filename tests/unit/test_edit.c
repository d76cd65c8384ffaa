/*
 * test_edit.c - the edit list: recording, rejection, rendering, and the
 * Content-Length fix in plain and multipart bodies.
 *
 * Messages are held on a guard page and rendered into an output buffer that
 * ends at a guard page and is exactly as large as the result, so any read
 * or write past either end faults.
 */
#include <stdlib.h>

#include "check.h"
#include "wirefix.h"
#include "sip/body.h"
#include "sip/edit.h"
#include "sip/error.h"
#include "sip/limits.h"
#include "sip/sdp.h"

struct ed {
	struct fix f;
	struct sip_msg *m;
	struct sip_edits e;
	struct sip_edit v[SIP_MAX_EDITS];
	char pool[1024];
	char *msg;          /* the message, on a guard page */
	void *map;
	size_t maplen;
};

static void ed_open(struct ed *d, const char *lf_text)
{
	size_t n;
	char *crlf = fix_crlf(lf_text, &n);

	d->msg = check_guard_copy(crlf, n, &d->map, &d->maplen);
	free(crlf);
	d->m = fix_msg(&d->f, d->msg, n);
	sip_edits_init(&d->e, d->m->len, d->v, SIP_MAX_EDITS, d->pool, sizeof(d->pool));
}

static void ed_close(struct ed *d)
{
	check_guard_free(d->map, d->maplen);
}

/* Offset of the n-th (0-based) occurrence of `what` in the message. */
static uint32_t at(const struct ed *d, const char *what, int nth)
{
	const char *p = d->msg;

	for (;;) {
		p = memmem(p, d->m->len - (size_t)(p - d->msg), what, strlen(what));
		if (!p)
			return UINT32_MAX;
		if (nth-- == 0)
			return (uint32_t)(p - d->msg);
		p++;
	}
}

static int add(struct ed *d, uint32_t off, uint32_t len, const char *s)
{
	return sip_edits_add(&d->e, off, len, s, strlen(s));
}

/* Replace the n-th occurrence of `from` with `to`. */
static int subst(struct ed *d, const char *from, int nth, const char *to)
{
	return add(d, at(d, from, nth), (uint32_t)strlen(from), to);
}

/* Render; the result must equal `want` (LF text, compared in CRLF form). */
static void expect(struct ed *d, const char *want_lf)
{
	size_t wn, probe = 1 << 16;
	char *want = fix_crlf(want_lf, &wn);
	char *tmp = malloc(probe);
	int rc = sip_render(d->m, &d->e, tmp, probe);
	void *map = NULL;
	size_t maplen = 0;

	CHECK_EQ_INT(rc, (int)wn);
	if (rc == (int)wn) {
		/* Again into a buffer of exactly that size, ending at a guard. */
		char *out = check_guard_copy(tmp, wn, &map, &maplen);
		if (!out)
			return;
		memset(out, 0, wn);
		CHECK_EQ_INT(sip_render(d->m, &d->e, out, wn), (int)wn);
		CHECK(memcmp(out, want, wn) == 0);
		if (wn > 0)
			CHECK_EQ_INT(sip_render(d->m, &d->e, out, wn - 1), SIP_ENOSPACE);
		check_guard_free(map, maplen);
	}
	free(tmp);
	free(want);
}

static const char invite[] =
	"INVITE sip:bob@203.0.113.20 SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK1\n"
	"Contact: <sip:alice@192.168.1.10:5060>\n"
	"Content-Type: application/sdp\n"
	"Content-Length:   98\n"
	"\n"
	"v=0\n"
	"o=alice 1 1 IN IP4 192.168.1.10\n"
	"s=-\n"
	"c=IN IP4 192.168.1.10\n"
	"t=0 0\n"
	"m=audio 49170 RTP/AVP 0\n";

static void t_identity(void)
{
	static const char *const msgs[] = {
		invite,
		"OPTIONS sip:x SIP/2.0\nContent-Length: 007\n\n1234567",
		"MESSAGE sip:x SIP/2.0\nl:5\n\nhello",
		"MESSAGE sip:x SIP/2.0\nVia: x\n\nno content-length here",
		"",
	};
	struct ed d;

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		ed_open(&d, msgs[i]);
		expect(&d, msgs[i]);
		ed_close(&d);
	}
}

/* Header edits leave Content-Length alone. */
static void t_header_edit(void)
{
	struct ed d;

	ed_open(&d, invite);
	CHECK_EQ_INT(subst(&d, "192.168.1.10:5060", 1, "203.0.113.1:40001"), 0);
	CHECK_EQ_INT(subst(&d, "192.168.1.10:5060", 0, "203.0.113.1"), 0);
	expect(&d, "INVITE sip:bob@203.0.113.20 SIP/2.0\n"
		   "Via: SIP/2.0/UDP 203.0.113.1;branch=z9hG4bK1\n"
		   "Contact: <sip:alice@203.0.113.1:40001>\n"
		   "Content-Type: application/sdp\n"
		   "Content-Length:   98\n"
		   "\n"
		   "v=0\n"
		   "o=alice 1 1 IN IP4 192.168.1.10\n"
		   "s=-\n"
		   "c=IN IP4 192.168.1.10\n"
		   "t=0 0\n"
		   "m=audio 49170 RTP/AVP 0\n");
	ed_close(&d);
}

/* Body growth and shrink: the digits change, the spacing stays (catalogue
 * B26: "Content-Length:   136" must not become "Content-Length: 136"). */
static void t_body_grow_shrink(void)
{
	struct ed d;

	ed_open(&d, invite);
	CHECK_EQ_INT(subst(&d, "192.168.1.10", 2, "203.0.113.100"), 0);
	CHECK_EQ_INT(subst(&d, "192.168.1.10", 3, "203.0.113.100"), 0);
	CHECK_EQ_INT(subst(&d, "49170", 0, "40000"), 0);
	expect(&d, "INVITE sip:bob@203.0.113.20 SIP/2.0\n"
		   "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK1\n"
		   "Contact: <sip:alice@192.168.1.10:5060>\n"
		   "Content-Type: application/sdp\n"
		   "Content-Length:   100\n"
		   "\n"
		   "v=0\n"
		   "o=alice 1 1 IN IP4 203.0.113.100\n"
		   "s=-\n"
		   "c=IN IP4 203.0.113.100\n"
		   "t=0 0\n"
		   "m=audio 40000 RTP/AVP 0\n");
	ed_close(&d);

	ed_open(&d, invite);
	CHECK_EQ_INT(subst(&d, "192.168.1.10", 3, "10.0.0.1"), 0);
	CHECK_EQ_INT(subst(&d, "49170", 0, "9"), 0);
	expect(&d, "INVITE sip:bob@203.0.113.20 SIP/2.0\n"
		   "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK1\n"
		   "Contact: <sip:alice@192.168.1.10:5060>\n"
		   "Content-Type: application/sdp\n"
		   "Content-Length:   90\n"
		   "\n"
		   "v=0\n"
		   "o=alice 1 1 IN IP4 192.168.1.10\n"
		   "s=-\n"
		   "c=IN IP4 10.0.0.1\n"
		   "t=0 0\n"
		   "m=audio 9 RTP/AVP 0\n");
	ed_close(&d);
}

/* Insertions (zero-length edits), in headers and body, added out of order. */
static void t_insert(void)
{
	struct ed d;

	ed_open(&d, "MESSAGE sip:x SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nl: 5\n\nhello");
	CHECK_EQ_INT(add(&d, d.m->len, 0, "!!"), 0);                /* at the very end */
	CHECK_EQ_INT(add(&d, d.m->body_off, 0, ">"), 0);            /* body start */
	CHECK_EQ_INT(add(&d, at(&d, ";branch", 0), 0, ";rport"), 0);
	CHECK_EQ_INT(subst(&d, "ell", 0, "ELL"), 0);
	CHECK_EQ_INT(add(&d, at(&d, "ell", 0), 0, "["), 0);         /* before a replacement */
	CHECK_EQ_INT(add(&d, at(&d, "ell", 0) + 3, 0, "]"), 0);     /* after it */
	expect(&d, "MESSAGE sip:x SIP/2.0\nVia: SIP/2.0/UDP h;rport;branch=z9hG4bK1\nl: 10\n\n"
		   ">h[ELL]o!!");
	ed_close(&d);
}

static void t_reject(void)
{
	struct ed d;

	ed_open(&d, invite);
	CHECK_EQ_INT(add(&d, 100, 10, "x"), 0);
	CHECK_EQ_INT(add(&d, 95, 6, "x"), SIP_EEDIT);      /* overlaps the start */
	CHECK_EQ_INT(add(&d, 109, 3, "x"), SIP_EEDIT);     /* overlaps the end */
	CHECK_EQ_INT(add(&d, 102, 2, "x"), SIP_EEDIT);     /* inside */
	CHECK_EQ_INT(add(&d, 90, 30, "x"), SIP_EEDIT);     /* around */
	CHECK_EQ_INT(add(&d, 100, 10, "x"), SIP_EEDIT);    /* the same span */
	CHECK_EQ_INT(add(&d, 105, 0, "x"), SIP_EEDIT);     /* insertion inside */
	CHECK_EQ_INT(add(&d, 95, 5, "x"), 0);              /* adjacent before */
	CHECK_EQ_INT(add(&d, 110, 1, "x"), 0);             /* adjacent after */
	CHECK_EQ_INT(add(&d, 100, 0, "x"), 0);             /* insertion at a start */
	CHECK_EQ_INT(add(&d, 100, 0, "y"), SIP_EEDIT);     /* two at one offset */
	CHECK_EQ_INT(add(&d, 50, 0, "x"), 0);
	CHECK_EQ_INT(add(&d, 50, 0, "y"), SIP_EEDIT);
	CHECK_EQ_INT(add(&d, 50, 1, "y"), 0);              /* replacement after an insertion */
	/* Out of range. */
	CHECK_EQ_INT(add(&d, d.m->len, 1, "x"), SIP_EEDIT);
	CHECK_EQ_INT(add(&d, d.m->len - 1, 2, "x"), SIP_EEDIT);
	CHECK_EQ_INT(add(&d, UINT32_MAX, 2, "x"), SIP_EEDIT);
	CHECK_EQ_INT(add(&d, 2, UINT32_MAX, "x"), SIP_EEDIT);
	CHECK_EQ_INT(add(&d, d.m->len, 0, "x"), 0);        /* appending is in range */
	CHECK_EQ_INT(d.e.n, 7);
	/* Rejected edits left nothing behind: the list is still sorted. */
	for (unsigned i = 1; i < d.e.n; i++)
		CHECK(d.v[i - 1].off <= d.v[i].off);
	ed_close(&d);
}

static void t_nospace(void)
{
	struct ed d;
	struct sip_edit v[2];
	char pool[4];

	ed_open(&d, invite);
	sip_edits_init(&d.e, d.m->len, v, 2, pool, sizeof(pool));
	CHECK_EQ_INT(add(&d, 0, 1, "ab"), 0);
	CHECK_EQ_INT(add(&d, 5, 1, "abc"), SIP_ENOSPACE);  /* pool */
	CHECK_EQ_INT(add(&d, 5, 1, "cd"), 0);
	CHECK_EQ_INT(add(&d, 9, 1, ""), SIP_ENOSPACE);     /* array */
	CHECK_EQ_INT(d.e.used, 4);
	ed_close(&d);
}

/* The Content-Length value belongs to the library. */
static void t_clen_owned(void)
{
	struct ed d;
	uint32_t v;

	ed_open(&d, invite);
	v = at(&d, "98\r", 0);
	CHECK_EQ_INT(add(&d, v, 2, "999"), 0);
	CHECK_EQ_INT(sip_render(d.m, &d.e, d.pool, 0), SIP_EEDIT);
	ed_close(&d);
	ed_open(&d, invite);
	CHECK_EQ_INT(add(&d, v, 0, "1"), 0);
	CHECK_EQ_INT(sip_render(d.m, &d.e, d.pool, sizeof(d.pool)), SIP_EEDIT);
	ed_close(&d);
	ed_open(&d, invite);
	CHECK_EQ_INT(add(&d, v + 2, 0, "1"), 0);
	CHECK_EQ_INT(sip_render(d.m, &d.e, d.pool, sizeof(d.pool)), SIP_EEDIT);
	ed_close(&d);
	/* The spacing before the digits is not the value: editable. */
	ed_open(&d, invite);
	CHECK_EQ_INT(add(&d, v - 3, 3, " "), 0);
	CHECK(sip_render(d.m, &d.e, d.pool, sizeof(d.pool)) > 0);
	ed_close(&d);
}

/* An edit across the empty line, or across the end of the body. */
static void t_cross_boundary(void)
{
	struct ed d;

	ed_open(&d, invite);
	CHECK_EQ_INT(add(&d, d.m->body_off - 2, 4, "xx"), 0);
	CHECK_EQ_INT(sip_render(d.m, &d.e, d.pool, sizeof(d.pool)), SIP_EEDIT);
	ed_close(&d);
	/* Trailing octets after Content-Length (RFC 4475 dblreq) are not body. */
	ed_open(&d, "REGISTER sip:x SIP/2.0\nl: 2\n\nabXYZ");
	CHECK_EQ_INT(d.m->body_len, 2);
	CHECK_EQ_INT(add(&d, d.m->body_off + 1, 2, "-"), 0);
	CHECK_EQ_INT(sip_render(d.m, &d.e, d.pool, sizeof(d.pool)), SIP_EEDIT);
	ed_close(&d);
	ed_open(&d, "REGISTER sip:x SIP/2.0\nl: 2\n\nabXYZ");
	CHECK_EQ_INT(subst(&d, "YZ", 0, "yyzz"), 0);
	CHECK_EQ_INT(add(&d, d.m->body_off + 2, 0, "c"), 0);   /* end of body: body */
	expect(&d, "REGISTER sip:x SIP/2.0\nl: 3\n\nabcXyyzz");
	ed_close(&d);
	/* The message and the edit list must describe the same bytes. */
	ed_open(&d, invite);
	d.e.msg_len--;
	CHECK_EQ_INT(sip_render(d.m, &d.e, d.pool, sizeof(d.pool)), SIP_EEDIT);
	ed_close(&d);
}

/* No Content-Length header: none is added (legal on UDP, RFC 3261 §18.3). */
static void t_no_clen(void)
{
	struct ed d;

	ed_open(&d, "INVITE sip:x SIP/2.0\nContent-Type: application/sdp\n\n"
		    "v=0\nc=IN IP4 10.0.0.1\n");
	CHECK_EQ_INT(subst(&d, "10.0.0.1", 0, "203.0.113.1"), 0);
	expect(&d, "INVITE sip:x SIP/2.0\nContent-Type: application/sdp\n\n"
		   "v=0\nc=IN IP4 203.0.113.1\n");
	ed_close(&d);
}

/* Repeated Content-Length headers that agree (the parser accepts them)
 * all get the new value; more than the library handles (4) is SIP_ECLEN
 * once the value has to change. */
static void t_clen_repeated(void)
{
	struct ed d;

	ed_open(&d, "MESSAGE sip:x SIP/2.0\nContent-Length: 5\nX: y\nl:5\n\nhello");
	CHECK_EQ_INT(subst(&d, "ell", 0, "EEELL"), 0);
	expect(&d, "MESSAGE sip:x SIP/2.0\nContent-Length: 7\nX: y\nl:7\n\nhEEELLo");
	ed_close(&d);
	/* header edits before, between and after the two, and in the body:
	 * each Content-Length edit goes between the right ones */
	ed_open(&d, "MESSAGE sip:x SIP/2.0\nA: a\nContent-Length: 5\nB: b\nl:5\nC: c\n\nhello");
	CHECK_EQ_INT(subst(&d, "a", 0, "aa"), 0);
	CHECK_EQ_INT(subst(&d, "b", 0, "bbb"), 0);
	CHECK_EQ_INT(subst(&d, "c", 0, ""), 0);
	CHECK_EQ_INT(subst(&d, "hello", 0, "hello, world"), 0);
	expect(&d, "MESSAGE sip:x SIP/2.0\nA: aa\nContent-Length: 12\nB: bbb\nl:12\nC: \n\nhello, world");
	ed_close(&d);
	ed_open(&d, "MESSAGE sip:x SIP/2.0\nl: 1\nl: 1\nl: 1\nl: 1\nl: 1\n\nh");
	expect(&d, "MESSAGE sip:x SIP/2.0\nl: 1\nl: 1\nl: 1\nl: 1\nl: 1\n\nh"); /* no change: fine */
	CHECK_EQ_INT(add(&d, d.m->body_off, 0, "x"), 0);
	CHECK_EQ_INT(sip_render(d.m, &d.e, d.pool, sizeof(d.pool)), SIP_ECLEN);
	ed_close(&d);
}

/* Catalogue B5/B24, kernel lab t06: multipart/mixed SDP + ISUP, 312 -> 310. */
static const char t06[] =
	"INVITE sip:bob@203.0.113.20:5070 SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.168.1.10:5086;rport;branch=z9hG4bK-t06\n"
	"Max-Forwards: 70\n"
	"From: <sip:alice@example.com>;tag=f06\n"
	"To: <sip:bob@203.0.113.20:5070>\n"
	"Call-ID: t06-5086\n"
	"CSeq: 1 INVITE\n"
	"Contact: <sip:alice@192.168.1.10:5086>\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed;boundary=unique-boundary-1\n"
	"Content-Length: 312\n"
	"\n"
	"--unique-boundary-1\n"
	"Content-Type: application/sdp\n"
	"\n"
	"v=0\n"
	"o=alice 300 300 IN IP4 192.168.1.10\n"
	"s=-\n"
	"c=IN IP4 192.168.1.10\n"
	"t=0 0\n"
	"m=audio 34000 RTP/AVP 0\n"
	"\n"
	"--unique-boundary-1\n"
	"Content-Type: application/ISUP;version=itu-t92+\n"
	"Content-Disposition: signal;handling=optional\n"
	"\n"
	"0123456789\n"
	"--unique-boundary-1--\n";

static void t_multipart_t06(void)
{
	struct ed d;
	struct sip_span body;
	struct sdp s;
	struct sdp_media media[SDP_MAX_MEDIA];
	const char *out;
	char buf[2048];
	int n;

	ed_open(&d, t06);
	CHECK_EQ_INT(d.m->body_len, 312);
	CHECK_EQ_INT(sip_body_sdp(d.m, &body), 1);
	CHECK_EQ_INT(sdp_parse(&s, d.msg, body, media, SDP_MAX_MEDIA), 1);
	CHECK_EQ_INT(add(&d, s.origin.addr.addr.off, s.origin.addr.addr.len, "203.0.113.1"), 0);
	CHECK_EQ_INT(add(&d, s.conn.addr.off, s.conn.addr.len, "203.0.113.1"), 0);
	CHECK_EQ_INT(add(&d, media[0].port.off, media[0].port.len, "40000"), 0);
	n = sip_render(d.m, &d.e, buf, sizeof(buf));
	CHECK_EQ_INT(n, (int)d.m->len - 2);
	out = memmem(buf, (size_t)n, "Content-Length: 310\r\n\r\n", 23);
	CHECK(out != NULL);
	if (out) {
		/* The body really is 310 octets, boundaries untouched. */
		out += 23;
		CHECK_EQ_INT(buf + n - out, 310);
		CHECK(memmem(out, 310, "c=IN IP4 203.0.113.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n"
				       "\r\n--unique-boundary-1\r\n", 75) != NULL);
		CHECK(memcmp(buf + n - 25, "\r\n--unique-boundary-1--\r\n", 25) == 0);
	}
	ed_close(&d);
}

static const struct check_case cases[] = {
	{ "identity", t_identity },
	{ "header_edit", t_header_edit },
	{ "body_grow_shrink", t_body_grow_shrink },
	{ "insert", t_insert },
	{ "reject", t_reject },
	{ "nospace", t_nospace },
	{ "clen_owned", t_clen_owned },
	{ "cross_boundary", t_cross_boundary },
	{ "no_clen", t_no_clen },
	{ "clen_repeated", t_clen_repeated },
	{ "multipart_t06", t_multipart_t06 },
	{ 0 },
};

int main(void)
{
	return check_run("edit", cases);
}
