/*
 * test_frame.c - sip_frame(): framing a TCP byte stream.
 *
 * A stream is framed whole, then fed in two pieces split at every byte,
 * then one byte at a time; every call sees its bytes on a guard page.
 * Feeding in pieces must give the same frames as the whole stream.
 */
#include <stdlib.h>

#include "check.h"
#include "wirefix.h"
#include "sip/error.h"
#include "sip/frame.h"
#include "sip/limits.h"

#define MAX_FRAMES 16

struct frames {
	int kind[MAX_FRAMES];
	size_t len[MAX_FRAMES];
	int n;
	int last;           /* the return value that stopped the drain */
};

struct feeder {
	char *buf;
	size_t have;
	struct frames f;
	struct sip_framer fr;  /* used when framer is set */
	int framer;
};

/* sip_frame(), or sip_frame_next() with fr, on a guard-page copy. */
static int frame_guarded_with(struct sip_framer *fr, const char *b, size_t len, size_t *fl)
{
	void *map;
	size_t maplen;
	char *g = check_guard_copy(b, len, &map, &maplen);
	int rc;

	if (!g)
		return -1000;
	rc = fr ? sip_frame_next(fr, g, len, fl) : sip_frame(g, len, fl);
	check_guard_free(map, maplen);
	return rc;
}

static int frame_guarded(const char *b, size_t len, size_t *fl)
{
	return frame_guarded_with(NULL, b, len, fl);
}

/* Take every frame the buffer holds, as a stream reader would. */
static void drain(struct feeder *d)
{
	for (;;) {
		size_t fl = 0;
		int rc = frame_guarded_with(d->framer ? &d->fr : NULL, d->buf, d->have, &fl);
		d->f.last = rc;
		if (rc < 0)
			return;
		if (d->f.n < MAX_FRAMES) {
			d->f.kind[d->f.n] = rc;
			d->f.len[d->f.n] = fl;
		}
		d->f.n++;
		if (fl == 0 || fl > d->have) {
			d->f.last = -999; /* would loop or over-read */
			return;
		}
		memmove(d->buf, d->buf + fl, d->have - fl);
		d->have -= fl;
	}
}

static void feed(struct feeder *d, const char *p, size_t n)
{
	memcpy(d->buf + d->have, p, n);
	d->have += n;
	drain(d);
}

static int same(const struct frames *a, const struct frames *b)
{
	if (a->n != b->n || a->last != b->last)
		return 0;
	for (int i = 0; i < a->n && i < MAX_FRAMES; i++)
		if (a->kind[i] != b->kind[i] || a->len[i] != b->len[i])
			return 0;
	return 1;
}

/* Frame the stream whole; then in pieces, which must agree, both with
 * sip_frame() and with the resumable sip_frame_next().  Split points
 * inside a CRLFCRLF ping are left out of the two-piece run; bytewise is
 * off for streams holding pings (see t_ping_split). */
static void run_mode(const char *s, size_t n, int bytewise, int framer, const struct frames *want)
{
	for (size_t k = 1; k < n && !check_failed; k++) {
		struct feeder d = { malloc(n + 1), 0, { .n = 0 }, { 0 }, framer };
		int in_ping = 0;
		for (size_t j = k >= 2 ? k - 2 : 0; j + 3 < n && j < k; j++)
			in_ping |= !memcmp(s + j, "\r\n\r\n", 4) && (j == 0 || s[j - 1] == '\n');
		feed(&d, s, k);
		feed(&d, s + k, n - k);
		if (!in_ping && !same(&d.f, want)) {
			check_failed = 1;
			snprintf(check_why, sizeof(check_why),
				 "%s split at %zu: %d frames (last %d), whole gives %d (last %d)",
				 framer ? "framer" : "stateless", k, d.f.n, d.f.last, want->n,
				 want->last);
		}
		free(d.buf);
	}
	if (bytewise) {
		struct feeder d = { malloc(n + 1), 0, { .n = 0 }, { 0 }, framer };
		for (size_t k = 0; k < n; k++)
			feed(&d, s + k, 1);
		if (!same(&d.f, want) && !check_failed) {
			check_failed = 1;
			snprintf(check_why, sizeof(check_why), "%s bytewise: %d frames, whole %d",
				 framer ? "framer" : "stateless", d.f.n, want->n);
		}
		free(d.buf);
	}
}

static struct frames run(const char *s, size_t n, int bytewise)
{
	struct feeder whole = { malloc(n + 1), 0, { .n = 0 }, { 0 }, 0 };
	struct feeder whole2 = { malloc(n + 1), 0, { .n = 0 }, { 0 }, 1 };

	feed(&whole, s, n);
	feed(&whole2, s, n);
	CHECK(same(&whole.f, &whole2.f));
	run_mode(s, n, bytewise, 0, &whole.f);
	run_mode(s, n, bytewise, 1, &whole.f);
	free(whole.buf);
	free(whole2.buf);
	return whole.f;
}

static const char inv[] =
	"INVITE sip:bob@203.0.113.20 SIP/2.0\n"
	"Via: SIP/2.0/TCP 192.168.1.10:5060;branch=z9hG4bK1\n"
	"Content-Type: application/sdp\n"
	"Content-Length: 28\n"
	"\n"
	"v=0\n"
	"c=IN IP4 192.168.1.10\n";

static void t_single(void)
{
	size_t n;
	char *s = fix_crlf(inv, &n);
	struct frames f = run(s, n, 1);

	CHECK_EQ_INT(f.n, 1);
	CHECK_EQ_INT(f.kind[0], SIP_FRAME_MESSAGE);
	CHECK_EQ_INT(f.len[0], n);
	CHECK_EQ_INT(f.last, SIP_ENEEDMORE);
	/* Every proper prefix needs more. */
	for (size_t k = 0; k < n; k++) {
		size_t fl = 7;
		CHECK_EQ_INT(frame_guarded(s, k, &fl), SIP_ENEEDMORE);
	}
	free(s);
}

/* Pipelined: three messages and keep-alives back to back (RFC 3261 §18.3). */
static void t_pipelined(void)
{
	size_t n, m;
	char *one = fix_crlf(inv, &m);
	char *s = malloc(4 * m + 64);
	static const char bye[] = "BYE sip:b@x SIP/2.0\r\nl: 0\r\n\r\n";

	n = 0;
	memcpy(s + n, one, m), n += m;
	memcpy(s + n, bye, sizeof(bye) - 1), n += sizeof(bye) - 1;
	memcpy(s + n, "\r\n\r\n", 4), n += 4;
	memcpy(s + n, one, m), n += m;
	memcpy(s + n, "\r\n", 2), n += 2;
	memcpy(s + n, one, m - 5), n += m - 5; /* last one incomplete */
	struct frames f = run(s, n, 0);
	CHECK_EQ_INT(f.n, 5);
	CHECK_EQ_INT(f.kind[0], SIP_FRAME_MESSAGE);
	CHECK_EQ_INT(f.len[0], m);
	CHECK_EQ_INT(f.kind[1], SIP_FRAME_MESSAGE);
	CHECK_EQ_INT(f.len[1], sizeof(bye) - 1);
	CHECK_EQ_INT(f.kind[2], SIP_FRAME_PING);
	CHECK_EQ_INT(f.len[2], 4);
	CHECK_EQ_INT(f.kind[3], SIP_FRAME_MESSAGE);
	CHECK_EQ_INT(f.kind[4], SIP_FRAME_PONG);
	CHECK_EQ_INT(f.len[4], 2);
	CHECK_EQ_INT(f.last, SIP_ENEEDMORE);
	free(s);
	free(one);
}

/* RFC 5626 §3.5.1 keep-alives and their partial forms. */
static void t_keepalive(void)
{
	size_t fl;

	CHECK_EQ_INT(frame_guarded("\r\n\r\n", 4, &fl), SIP_FRAME_PING);
	CHECK_EQ_INT(fl, 4);
	CHECK_EQ_INT(frame_guarded("\r\n", 2, &fl), SIP_FRAME_PONG);
	CHECK_EQ_INT(fl, 2);
	CHECK_EQ_INT(frame_guarded("\r\nINV", 5, &fl), SIP_FRAME_PONG);
	CHECK_EQ_INT(frame_guarded("\r\n\r", 3, &fl), SIP_ENEEDMORE);
	CHECK_EQ_INT(frame_guarded("\r", 1, &fl), SIP_ENEEDMORE);
	CHECK_EQ_INT(frame_guarded("", 0, &fl), SIP_ENEEDMORE);
	CHECK_EQ_INT(frame_guarded("\r\n\r\n\r\n\r\n", 8, &fl), SIP_FRAME_PING);
	CHECK_EQ_INT(fl, 4);
}

/* Documented: a ping split after its first CRLF reads as two pongs; the
 * bytes forwarded are the same. */
static void t_ping_split(void)
{
	struct feeder d = { malloc(8), 0, { .n = 0 }, { 0 }, 0 };

	feed(&d, "\r\n", 2);
	feed(&d, "\r\n", 2);
	CHECK_EQ_INT(d.f.n, 2);
	CHECK_EQ_INT(d.f.kind[0], SIP_FRAME_PONG);
	CHECK_EQ_INT(d.f.kind[1], SIP_FRAME_PONG);
	free(d.buf);
}

static int frame_str(const char *s, size_t *fl)
{
	return frame_guarded(s, strlen(s), fl);
}

static void t_clen_forms(void)
{
	size_t fl;

	CHECK_EQ_INT(frame_str("OPTIONS sip:x SIP/2.0\r\nl:3\r\n\r\nabcdef", &fl), SIP_FRAME_MESSAGE);
	CHECK_EQ_INT(fl, 33);
	CHECK_EQ_INT(frame_str("OPTIONS sip:x SIP/2.0\r\ncOnTeNt-LeNgTh \t:  \t3 \r\n\r\nabc", &fl),
		     SIP_FRAME_MESSAGE);
	CHECK_EQ_INT(fl, strlen("OPTIONS sip:x SIP/2.0\r\ncOnTeNt-LeNgTh \t:  \t3 \r\n\r\nabc"));
	/* Equal duplicates are harmless; LF-only lines are framed too. */
	CHECK_EQ_INT(frame_str("A sip:x SIP/2.0\nl: 2\nContent-Length: 2\n\nab", &fl),
		     SIP_FRAME_MESSAGE);
	CHECK_EQ_INT(fl, strlen("A sip:x SIP/2.0\nl: 2\nContent-Length: 2\n\nab"));
	/* Not at a line start, or another header: not Content-Length. */
	CHECK_EQ_INT(frame_str("A sip:x SIP/2.0\r\nSubject: Content-Length: 9\r\n"
			       "X-Content-Length: 9\r\nLocation: 9\r\nContent-Length: 1\r\n\r\nz",
			       &fl),
		     SIP_FRAME_MESSAGE);
	/* Continuation lines are not header starts. */
	CHECK_EQ_INT(frame_str("A sip:x SIP/2.0\r\nSubject: a\r\n l: 9\r\nl: 0\r\n\r\n", &fl),
		     SIP_FRAME_MESSAGE);
	/* The start line is not a header either. */
	CHECK_EQ_INT(frame_str("l: 5 SIP/2.0\r\n\r\n", &fl), SIP_ECLEN);
}

static void t_clen_errors(void)
{
	size_t fl = 99;

	CHECK_EQ_INT(frame_str("INVITE sip:x SIP/2.0\r\nVia: x\r\n\r\nbody", &fl), SIP_ECLEN);
	CHECK_EQ_INT(fl, 0);
	/* CVE-2026-23457: must not be read as 32. */
	CHECK_EQ_INT(frame_str("INVITE sip:x SIP/2.0\r\nContent-Length: 4294967328\r\n\r\n"
			       "0123456789012345678901234567890123456789",
			       &fl),
		     SIP_ECLEN);
	CHECK_EQ_INT(frame_str("INVITE sip:x SIP/2.0\r\nContent-Length: 18446744073709551648\r\n\r\n",
			       &fl),
		     SIP_ECLEN);
	CHECK_EQ_INT(frame_str("A sip:x SIP/2.0\r\nContent-Length: -1\r\n\r\n", &fl), SIP_ECLEN);
	CHECK_EQ_INT(frame_str("A sip:x SIP/2.0\r\nContent-Length: 1 2\r\n\r\nab", &fl), SIP_ECLEN);
	CHECK_EQ_INT(frame_str("A sip:x SIP/2.0\r\nContent-Length:\r\n\r\n", &fl), SIP_ECLEN);
	CHECK_EQ_INT(frame_str("A sip:x SIP/2.0\r\nContent-Length: 0x10\r\n\r\n", &fl), SIP_ECLEN);
	/* RFC 4475 §3.3.9 mcl01: conflicting values. */
	CHECK_EQ_INT(frame_str("A sip:x SIP/2.0\r\nContent-Length: 3\r\nl: 4\r\n\r\nabcd", &fl),
		     SIP_ECLEN);
	/* An error is reported as soon as the header section is complete. */
	CHECK_EQ_INT(frame_str("A sip:x SIP/2.0\r\nContent-Length: 99999\r\n\r\n", &fl),
		     SIP_ECLEN);
}

static void t_too_big(void)
{
	size_t n = SIP_MAX_MSG_SIZE + 100, fl;
	char *s = malloc(n);
	int rc;

	memset(s, 'a', n);
	memcpy(s, "INVITE sip:x SIP/2.0\r\nX: ", 25);
	CHECK_EQ_INT(frame_guarded(s, SIP_MAX_MSG_SIZE - 1, &fl), SIP_ENEEDMORE);
	CHECK_EQ_INT(frame_guarded(s, SIP_MAX_MSG_SIZE, &fl), SIP_ETOOBIG);
	CHECK_EQ_INT(frame_guarded(s, n, &fl), SIP_ETOOBIG);
	/* Headers that end past the limit are too big too. */
	memcpy(s + SIP_MAX_MSG_SIZE + 10, "\r\nl: 0\r\n\r\n", 10);
	CHECK_EQ_INT(frame_guarded(s, n, &fl), SIP_ETOOBIG);
	/* A body that takes the message over the limit. */
	rc = frame_str("A sip:x SIP/2.0\r\nContent-Length: 65500\r\n\r\n", &fl);
	CHECK_EQ_INT(rc, SIP_ETOOBIG);
	/* Just under the limit is fine. */
	size_t bl = SIP_MAX_MSG_SIZE - 30;
	char hdr[64];
	int w = snprintf(hdr, sizeof(hdr), "A sip:x SIP/2.0\r\nl: %zu\r\n\r\n", bl - 1);
	memcpy(s, hdr, (size_t)w);
	CHECK_EQ_INT(frame_guarded(s, (size_t)w + bl - 1, &fl), SIP_FRAME_MESSAGE);
	CHECK_EQ_INT(fl, (size_t)w + bl - 1);
	free(s);
}

/* A header section that trickles in a byte at a time: the framer gives
 * the same answers as sip_frame() without rescanning (its position moves
 * with the complete lines), and resets after the frame. */
static void t_framer_trickle(void)
{
	static char s[SIP_MAX_MSG_SIZE + 64];
	struct sip_framer fr = { 0 };
	size_t n = 0, fl = 0;
	int rc = SIP_ENEEDMORE;

	n += (size_t)snprintf(s, sizeof(s), "INVITE sip:x SIP/2.0\r\n");
	while (n < 40000)
		n += (size_t)snprintf(s + n, sizeof(s) - n, "X-Pad: %05zu\r\n", n);
	n += (size_t)snprintf(s + n, sizeof(s) - n, "l: 3\r\n\r\nabcXYZ");
	for (size_t k = 1; k <= n && rc == SIP_ENEEDMORE; k++) {
		rc = sip_frame_next(&fr, s, k, &fl);
		if (rc == SIP_ENEEDMORE && k > 100)
			CHECK(fr.pos + 20 > k || fr.hdr_len);  /* never behind by a line */
		if (rc != SIP_ENEEDMORE)
			CHECK_EQ_INT(k, n - 3);
	}
	CHECK_EQ_INT(rc, SIP_FRAME_MESSAGE);
	CHECK_EQ_INT(fl, n - 3);
	CHECK_EQ_INT(fr.pos, 0);
	CHECK_EQ_INT(fr.hdr_len, 0);
	/* Errors reset it too: a Content-Length-less message, then a good one. */
	CHECK_EQ_INT(sip_frame_next(&fr, "A s SIP/2.0\r\nX: 1\r\n\r\n", 21, &fl), SIP_ECLEN);
	CHECK_EQ_INT(sip_frame_next(&fr, "A s SIP/2.0\r\nl: 0\r\n\r\n", 21, &fl),
		     SIP_FRAME_MESSAGE);
	CHECK_EQ_INT(fl, 21);
}

static const struct check_case cases[] = {
	{ "single", t_single },
	{ "pipelined", t_pipelined },
	{ "keepalive", t_keepalive },
	{ "ping_split", t_ping_split },
	{ "clen_forms", t_clen_forms },
	{ "clen_errors", t_clen_errors },
	{ "too_big", t_too_big },
	{ "framer_trickle", t_framer_trickle },
	{ 0 },
};

int main(void)
{
	return check_run("frame", cases);
}
