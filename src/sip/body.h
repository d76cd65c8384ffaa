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
 *
 * Multipart parts may nest (multipart/alternative inside multipart/mixed,
 * RFC 5621 §3.1) up to 3 levels; at most SIP_MAX_PARTS parts in all are
 * looked at, more is SIP_ETOOMANYPARTS (an SDP we did not see would keep
 * a private address).  A missing closing delimiter, a boundary parameter
 * that is absent or longer than 70 octets, or a part whose headers do not
 * end, is SIP_EMULTIPART.  LF alone is accepted where CRLF is expected.
 */
#ifndef SIPALG_SIP_BODY_H
#define SIPALG_SIP_BODY_H

#include "msg.h"

int sip_body_sdp(const struct sip_msg *m, struct sip_span *sdp);

/* Every SDP part (several with multipart/alternative), in body order, into
 * v[cap].  Returns how many (0 if none), SIP_ENOSPACE if more than cap,
 * or SIP_EMULTIPART. */
int sip_body_sdps(const struct sip_msg *m, struct sip_span *v, unsigned cap);

/* How deep multipart parts are walked (RFC 5621 §3.1 nesting). */
#define SIP_MAX_PART_DEPTH 3

/* A MIME part's own Content-Length (RFC 2045 §9 lets a part carry any
 * Content- field, and some user agents write one) and the content it
 * counts: the part's octets after its header section, up to the line
 * break before the next delimiter. */
struct sip_part_length {
	struct sip_span value;   /* the header value, LWS trimmed */
	struct sip_span content;
};

/* The Content-Length headers of the parts that hold `sdp` (a span that
 * sip_body_sdp() returned): each enclosing part that has one, outermost
 * first, into v[SIP_MAX_PART_DEPTH].  An edit inside the SDP changes each
 * of them by the same amount.  Returns how many (0 when the SDP is the
 * whole body or no part around it has one) or SIP_EMULTIPART. */
int sip_body_part_lengths(const struct sip_msg *m, struct sip_span sdp,
			  struct sip_part_length *v);

#endif
