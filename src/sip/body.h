/*
 * body.h - find the SDP in a message body, plain or multipart
 * (RFC 3261 §7.4, RFC 2046 §5.1 multipart, RFC 5621 message bodies).
 *
 * sip_body_sdp() looks at Content-Type: application/sdp gives the whole
 * body; multipart/mixed|alternative|related gives the first part whose
 * Content-Type is application/sdp.  The span returned is the part's content
 * (after its headers, before the CRLF that precedes the next boundary), so
 * edits inside it never touch a boundary.  Returns 1 found, 0 no SDP, or a
 * negative enum sip_err (SIP_EMULTIPART).  No allocation.
 */
#ifndef SIPALG_SIP_BODY_H
#define SIPALG_SIP_BODY_H

#include "msg.h"

int sip_body_sdp(const struct sip_msg *m, struct sip_span *sdp);

#endif
