/*
 * fuzz_frame.c - libFuzzer target for TCP stream framing (frame.h).
 *
 * The input is a byte stream.  The first byte picks a split point; the
 * rest is framed three ways: whole with sip_frame(), whole with
 * sip_frame_next(), and fed to sip_frame_next() in two pieces (split at
 * the chosen point) as a stream reader would.  Besides the sanitizers, the
 * target abort()s when a promise breaks: a frame longer than the buffer or
 * empty, a message frame over SIP_MAX_MSG_SIZE, the resumable and the
 * stateless framers disagreeing, or a split changing the frames (except
 * the documented ping split into two pongs).  When the stream parser
 * accepts the first message, sip_frame must end it at the same byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/error.h"
#include "sip/frame.h"
#include "sip/limits.h"
#include "sip/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FRAMES 64

struct frames {
	int kind[MAX_FRAMES];
	size_t len[MAX_FRAMES];
	int n, last, pongs;
};

static void violated(const char *check)
{
	fprintf(stderr, "violated: %s\n", check);
	abort();
}

static void record(struct frames *f, int rc, size_t fl, size_t have)
{
	if (fl == 0 || fl > have)
		violated("frame empty or longer than the buffer");
	if (rc == SIP_FRAME_MESSAGE && fl > SIP_MAX_MSG_SIZE)
		violated("message frame over SIP_MAX_MSG_SIZE");
	if (f->n < MAX_FRAMES) {
		f->kind[f->n] = rc;
		f->len[f->n] = fl;
	}
	f->n++;
}

/* Frame buf[0, n) whole, stateless or resumable. */
static void whole(const char *buf, size_t n, int resumable, struct frames *f)
{
	struct sip_framer fr = { 0 };
	size_t pos = 0;

	memset(f, 0, sizeof(*f));
	for (;;) {
		size_t fl = 0;
		int rc = resumable ? sip_frame_next(&fr, buf + pos, n - pos, &fl)
				   : sip_frame(buf + pos, n - pos, &fl);
		f->last = rc;
		if (rc < 0 || f->n >= MAX_FRAMES)
			return;
		record(f, rc, fl, n - pos);
		pos += fl;
	}
}

/* The reader: the stream arrives as [0, k) then [k, n). */
static void pieces(const char *buf, size_t n, size_t k, struct frames *f)
{
	struct sip_framer fr = { 0 };
	size_t start = 0, have = k;

	memset(f, 0, sizeof(*f));
	for (int piece = 0; piece < 2; piece++) {
		for (;;) {
			size_t fl = 0;
			int rc = sip_frame_next(&fr, buf + start, have - start, &fl);
			f->last = rc;
			if (rc < 0 || f->n >= MAX_FRAMES)
				break;
			record(f, rc, fl, have - start);
			start += fl;
		}
		if (f->last != SIP_ENEEDMORE)
			return;
		have = n;
	}
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

/* A split right after the first CRLF of a (maybe incomplete) CRLFCRLF
 * turns a ping into pongs (frame.h). */
static int splits_a_ping(const char *buf, size_t n, size_t k)
{
	return k >= 2 && k < n && !memcmp(buf + k - 2, "\r\n", 2) && buf[k] == '\r';
}

static void against_parser(const char *buf, size_t n)
{
	static struct sip_hdr h[SIP_MAX_HEADERS];
	struct sip_msg m;
	size_t fl = 0;
	int r = sip_msg_parse(&m, buf, n, h, SIP_MAX_HEADERS, SIP_PARSE_STREAM);
	int f = sip_frame(buf, n, &fl);

	if (r > 0 && f == SIP_FRAME_MESSAGE && fl != (size_t)r)
		violated("sip_frame and the stream parser end the message apart");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frames a, b, c;
	const char *buf;
	size_t n, k;

	if (size < 1)
		return 0;
	buf = (const char *)data + 1;
	n = size - 1;
	k = n ? (size_t)data[0] * n / 256 : 0;
	whole(buf, n, 0, &a);
	whole(buf, n, 1, &b);
	if (!same(&a, &b))
		violated("sip_frame_next disagrees with sip_frame");
	pieces(buf, n, k, &c);
	if (!same(&a, &c) && !splits_a_ping(buf, n, k) && a.n < MAX_FRAMES)
		violated("feeding in two pieces changed the frames");
	against_parser(buf, n);
	return 0;
}
