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

enum sip_frame_kind {
	SIP_FRAME_MESSAGE = 1,
	SIP_FRAME_PING = 2, /* CRLF CRLF: answer with one CRLF */
	SIP_FRAME_PONG = 3, /* a lone CRLF */
};

int sip_frame(const char *buf, size_t len, size_t *frame_len);

#endif
