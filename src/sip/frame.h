/*
 * frame.h - split a SIP byte stream into messages (RFC 3261 §18.3) and
 * recognise RFC 5626 §3.5.1 keep-alives (CRLFCRLF ping, CRLF pong).
 *
 * sip_frame() looks at the bytes buffered so far for one stream direction
 * and says what the first frame is and how long.  It keeps no state and
 * does not allocate; the caller drops the frame's bytes and calls again.
 * Returns a positive enum sip_frame_kind with *frame_len set,
 * SIP_ENEEDMORE, or an error: SIP_ECLEN (no or bad Content-Length, e.g.
 * the CVE-2026-23457 4294967328 pattern), SIP_ETOOBIG.
 */
#ifndef SIPALG_SIP_FRAME_H
#define SIPALG_SIP_FRAME_H

#include <stddef.h>
#include <stdint.h>

enum sip_frame_kind {
	SIP_FRAME_MESSAGE = 1,
	SIP_FRAME_PING = 2, /* CRLF CRLF: answer with one CRLF */
	SIP_FRAME_PONG = 3, /* a lone CRLF */
};

int sip_frame(const char *buf, size_t len, size_t *frame_len);

/*
 * The resumable form, for a stream that arrives in small pieces: the same
 * answers as sip_frame(), but each call scans only the header lines that
 * arrived since the last call (sip_frame() rescans from the start, which
 * is quadratic when a large header section trickles in a byte at a time).
 * Zero the struct before the first call.  It resets itself whenever it
 * returns anything but SIP_ENEEDMORE; the caller then drops *frame_len
 * bytes (or closes the stream on an error).  Between calls the caller may
 * only append bytes, never change or drop the ones already passed.
 */
struct sip_framer {
	uint32_t pos;      /* first header line not yet scanned (0: start line) */
	uint32_t hdr_len;  /* length of the header section once complete, else 0 */
	uint32_t clen;     /* Content-Length seen so far */
	uint8_t has_clen;
	int8_t err;        /* first error seen in a complete line */
};

int sip_frame_next(struct sip_framer *f, const char *buf, size_t len, size_t *frame_len);

#endif
