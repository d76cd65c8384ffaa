/*
 * limits.h - the wire library's abuse limits, in one place.
 *
 * Exceeding one makes the parser return the named error (error.h); it never
 * truncates, allocates more, or reads past the end.  The daemon's policy
 * decides what the message gets (forward unchanged, drop or reply).
 */
#ifndef SIPALG_SIP_LIMITS_H
#define SIPALG_SIP_LIMITS_H

/* RFC 3261 §18.1.1 allows large TCP messages; 64 KiB covers every real one. */
#define SIP_MAX_MSG_SIZE 65535u
/* Header lines, counting each physical header field once. */
#define SIP_MAX_HEADERS 128u
/* One logical header line, folded continuation lines included. */
#define SIP_MAX_LINE 8192u
/* Via header field values (comma-separated values each count).  70, the
 * default Max-Forwards, so a request that went through every hop it may
 * still parses (RFC 4475 longreq carries 34). */
#define SIP_MAX_VIAS 70u
/* SDP media descriptions per body. */
#define SDP_MAX_MEDIA 16u
/* Parts of a multipart body that are looked at. */
#define SIP_MAX_PARTS 8u
/* Edits per message. */
#define SIP_MAX_EDITS 64u

#endif
