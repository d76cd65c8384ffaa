/*
 * frame.c - split a SIP byte stream into messages (frame.h).
 *
 * RFC 3261 §18.3: on a stream, the end of a message is the end of its
 * header section plus Content-Length octets, and Content-Length is
 * mandatory.  This scan works on incomplete header sections, so it does not
 * use the message parser: it walks physical lines once, looks only at line
 * starts for "Content-Length" / "l" (case-insensitive, §7.3.1 and §7.3.3),
 * and stops at the first empty line.  Line ends are CRLF; a bare LF is
 * accepted too, as the message parser will judge the message anyway.
 */
#include "frame.h"
#include "error.h"
#include "limits.h"

#include <stdint.h>
#include <string.h>

/* Content-Length values above this cannot frame a message we accept. */
#define FRAME_CLEN_MAX ((int64_t)SIP_MAX_MSG_SIZE)

struct frame_scan {
	const char *b;
	size_t len;
	struct sip_framer *f;
};

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Does the header line starting at p name Content-Length?  Returns the
 * offset just after the colon, or 0.  header-name HCOLON: HCOLON is
 * *( SP / HTAB ) ":" SWS (RFC 3261 §25.1).
 */
static size_t clen_name(const char *p, size_t n)
{
	static const char name[] = "content-length";
	size_t i = 0;

	if (n >= sizeof(name) - 1) {
		while (i < sizeof(name) - 1 && lower((unsigned char)p[i]) == name[i])
			i++;
		if (i != sizeof(name) - 1)
			i = 0;
	}
	if (i == 0 && n >= 1 && lower((unsigned char)p[0]) == 'l')
		i = 1;
	if (i == 0)
		return 0;
	while (i < n && is_wsp(p[i]))
		i++;
	return (i < n && p[i] == ':') ? i + 1 : 0;
}

/*
 * Read the value of a Content-Length line: SWS, 1*DIGIT, trailing WSP.
 * The line is [p, p + n) without its terminator; a folded value never
 * reaches here whole, so a value that continues on the next line is
 * rejected too (nobody folds a number).  Values above FRAME_CLEN_MAX are
 * errors, never truncated (CVE-2026-23457: 4294967328 read as 32).
 */
static int64_t clen_value(const char *p, size_t n)
{
	size_t i = 0;
	int64_t v = 0;

	while (i < n && is_wsp(p[i]))
		i++;
	if (i == n || p[i] < '0' || p[i] > '9')
		return -1;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
		v = v * 10 + (p[i] - '0');
		if (v > FRAME_CLEN_MAX)
			return -1;
	}
	while (i < n && is_wsp(p[i]))
		i++;
	return i == n ? v : -1;
}

/* Look at one header line [p, p + n) (terminator excluded). */
static void scan_line(struct sip_framer *f, const char *p, size_t n)
{
	size_t colon = clen_name(p, n);
	int64_t v;

	if (colon == 0)
		return;
	v = clen_value(p + colon, n - colon);
	if (v < 0 || (f->has_clen && f->clen != v)) {
		f->err = SIP_ECLEN; /* bad, overlarge or conflicting (RFC 4475 §3.3.9) */
	} else {
		f->clen = (uint32_t)v;
		f->has_clen = 1;
	}
}

/*
 * Walk the header section from f->pos, the first line not yet seen.
 * Returns the offset of the first body byte, 0 if the empty line has not
 * arrived yet; f->pos then points at the incomplete line.  The start line
 * (at offset 0) is not a header; lines starting with WSP continue the
 * previous header.
 */
static size_t scan_headers(struct frame_scan *s)
{
	struct sip_framer *f = s->f;
	size_t pos = f->pos;

	for (;;) {
		const char *nl = memchr(s->b + pos, '\n', s->len - pos);
		size_t end, n;
		int first = pos == 0;

		if (!nl) {
			f->pos = (uint32_t)pos;
			return 0;
		}
		end = (size_t)(nl - s->b);
		n = end - pos;
		if (n > 0 && s->b[end - 1] == '\r')
			n--;
		if (n == 0 && !first)
			return end + 1;
		if (!first && !is_wsp(s->b[pos]))
			scan_line(f, s->b + pos, n);
		pos = end + 1;
	}
}

/* RFC 5626 §3.5.1: CRLFCRLF is a ping, a lone CRLF a pong.  Returns the
 * kind, 0 if the stream does not start with CRLF, or SIP_ENEEDMORE. */
static int keepalive(const char *b, size_t len, size_t *frame_len)
{
	if (len < 2 || b[0] != '\r' || b[1] != '\n')
		return (len == 1 && b[0] == '\r') ? SIP_ENEEDMORE : 0;
	if (len >= 4 && b[2] == '\r' && b[3] == '\n') {
		*frame_len = 4;
		return SIP_FRAME_PING;
	}
	if (len == 3 && b[2] == '\r')
		return SIP_ENEEDMORE;
	/* A CRLF with nothing (or a message) after it.  A ping split after
	 * its first CRLF reads as two pongs: forwarded, the bytes are the same. */
	*frame_len = 2;
	return SIP_FRAME_PONG;
}

/* The header section is complete: how long is the frame? */
static int frame_size(const struct sip_framer *f, size_t len, size_t *frame_len)
{
	if (f->err)
		return f->err;
	if (!f->has_clen)
		return SIP_ECLEN; /* mandatory on streams, RFC 3261 §20.14 */
	if ((size_t)f->hdr_len + f->clen > SIP_MAX_MSG_SIZE)
		return SIP_ETOOBIG;
	if (len < (size_t)f->hdr_len + f->clen)
		return SIP_ENEEDMORE;
	*frame_len = (size_t)f->hdr_len + f->clen;
	return SIP_FRAME_MESSAGE;
}

static int framer_step(struct sip_framer *f, const char *buf, size_t len, size_t *frame_len)
{
	struct frame_scan s = { .b = buf, .len = len, .f = f };
	size_t hdr_len;
	int k;

	*frame_len = 0;
	if (len == 0)
		return SIP_ENEEDMORE;
	if (f->pos == 0 && f->hdr_len == 0) {
		k = keepalive(buf, len, frame_len);
		if (k != 0)
			return k;
	}
	if (f->hdr_len == 0) {
		/* Never scan more than a whole message's worth of header bytes. */
		if (s.len > SIP_MAX_MSG_SIZE)
			s.len = SIP_MAX_MSG_SIZE;
		hdr_len = scan_headers(&s);
		if (hdr_len == 0)
			return len >= SIP_MAX_MSG_SIZE ? SIP_ETOOBIG : SIP_ENEEDMORE;
		f->hdr_len = (uint32_t)hdr_len;
	}
	return frame_size(f, len, frame_len);
}

int sip_frame_next(struct sip_framer *f, const char *buf, size_t len, size_t *frame_len)
{
	int r = framer_step(f, buf, len, frame_len);

	if (r != SIP_ENEEDMORE)
		memset(f, 0, sizeof(*f)); /* the next frame starts afresh */
	return r;
}

int sip_frame(const char *buf, size_t len, size_t *frame_len)
{
	struct sip_framer f = { 0 };

	return framer_step(&f, buf, len, frame_len);
}
