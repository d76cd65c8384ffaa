/*
 * sdp.h - SDP session descriptions (RFC 8866; RFC 3264 offer/answer;
 * RFC 3605 a=rtcp; RFC 5761 a=rtcp-mux; RFC 8445/8839 ICE).
 *
 * sdp_parse() reads the SDP held in a span of the caller's buffer (a whole
 * body, or one part of a multipart body) and fills struct sdp with spans of
 * that same buffer, so they can go straight into an edit list.  The media
 * array is the caller's (media, cap).  No allocation, no writes.
 * Returns the number of m= lines (>= 0) or a negative enum sip_err; on
 * error s->err_off is the offset of the line that failed.
 * Lines may end in CRLF or LF.  Unknown lines and attributes are skipped.
 *
 * What is SIP_ESDP: a first line other than "v=0"; a line that is not
 * "<a-z>=..."; a NUL or bare CR; an empty line followed by more lines
 * (trailing empty lines are tolerated); a second o=, or a second c= at one
 * level; an o=/c=/m=/a=rtcp line with missing or extra fields, a port that
 * is not 1-10 digits <= 4294967295, a /count of 0 or > 65535, or an "IN"
 * address that is neither a literal of its addrtype nor an FQDN.  More m=
 * lines than cap is SIP_ENOSPACE (use SDP_MAX_MEDIA).  Attribute names are
 * compared case-insensitively.  a=rtcp at session level (RFC 3605 defines
 * it per media) is skipped.
 */
#ifndef SIPALG_SIP_SDP_H
#define SIPALG_SIP_SDP_H

#include "span.h"

enum sdp_dir { SDP_DIR_NONE = 0, SDP_DIR_SENDRECV, SDP_DIR_SENDONLY,
	       SDP_DIR_RECVONLY, SDP_DIR_INACTIVE };

/* An address on a c= or o= line.  family: 4 (IN IP4), 6 (IN IP6), 0 when the
 * address is neither literal (an FQDN) or the types are unknown. */
struct sdp_conn {
	struct sip_span line;     /* the whole line, without its terminator */
	struct sip_span nettype, addrtype;
	struct sip_span addr;     /* the address only, without /ttl/count */
	uint8_t family;
};

struct sdp_origin {
	struct sip_span line, username, sess_id, sess_version;
	struct sdp_conn addr;     /* nettype, addrtype, unicast-address */
};

struct sdp_media {
	struct sip_span section;  /* from "m=" to the end of its last line,
				   * that line's terminator included */
	struct sip_span line;     /* the m= line, without terminator */
	struct sip_span media;    /* audio, video, image, application, ... */
	struct sip_span port;     /* digits of the port */
	struct sip_span count;    /* digits after '/', NONE if absent */
	struct sip_span proto, fmts;
	uint32_t port_num;        /* as written; may exceed 65535 (checked by the user) */
	uint16_t count_num;       /* 1 when absent */
	uint8_t has_conn;
	struct sdp_conn conn;     /* media-level c= (a second one is SIP_ESDP) */
	uint8_t has_rtcp;         /* a=rtcp: present */
	uint8_t rtcp_mux;         /* a=rtcp-mux present */
	uint8_t ice;              /* a=candidate / ice-ufrag / ice-pwd in this section */
	uint8_t dir;              /* enum sdp_dir, SDP_DIR_NONE if absent */
	struct sip_span rtcp_line;/* the a=rtcp: line */
	struct sip_span rtcp_port;
	uint32_t rtcp_port_num;
	struct sdp_conn rtcp_addr;/* optional "IN IP4 addr" of a=rtcp; addr NONE if absent */
};

struct sdp {
	struct sip_span whole;
	uint8_t has_origin, has_conn;
	uint8_t ice;              /* session-level ice-ufrag/ice-pwd/ice-lite */
	uint8_t dir;              /* session-level direction */
	struct sdp_origin origin;
	struct sdp_conn conn;     /* session-level c= */
	struct sdp_media *media;
	uint16_t nmedia, media_cap;
	uint32_t err_off;         /* on error: start of the line that failed */
};

int sdp_parse(struct sdp *s, const char *base, struct sip_span body,
	      struct sdp_media *media, unsigned cap);

#endif
