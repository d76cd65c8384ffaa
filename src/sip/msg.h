/*
 * msg.h - SIP message framing: start line, header index, body (RFC 3261 §7, §25).
 *
 * sip_msg_parse() reads one message from the caller's buffer and fills a
 * struct sip_msg whose every position is a span into that buffer.  It never
 * allocates: the header array is the caller's (hdrs, cap).  It never writes
 * into the buffer.  Header values are located and classified here; the value
 * grammars (URI, name-addr, Via, CSeq, ...) live in uri.h, addr.h, via.h and
 * are parsed on demand, or all at once by sip_msg_validate().
 *
 * Returns the message length in bytes (> 0), or a negative enum sip_err; on
 * error m->err_off holds the byte offset where parsing stopped.
 *
 * Tolerances (see docs/wire-library.md): header lines may end in CRLF or a
 * bare LF (never a bare CR); folded continuation lines stay inside the
 * header's value span; a datagram's m->len is the whole datagram, the body
 * runs to its end when there is no Content-Length, and octets after a
 * Content-Length body (RFC 4475 dblreq) are counted in m->len but not in
 * the body.  With SIP_PARSE_STREAM (TCP) Content-Length is mandatory, an
 * incomplete message gives SIP_ENEEDMORE, and the return value is the
 * length of this message alone, so pipelined messages can be split.
 */
#ifndef SIPALG_SIP_MSG_H
#define SIPALG_SIP_MSG_H

#include "span.h"
#include "error.h"

/* Header names known to the parser: one row each in hdr_table.c.  Adding one
 * is a row plus a test.  SIP_HDR_OTHER keeps unknown headers, unchanged. */
enum sip_hdr_id {
	SIP_HDR_OTHER = 0,
	SIP_HDR_ACCEPT,
	SIP_HDR_ACCEPT_CONTACT,      /* a */
	SIP_HDR_ALLOW,
	SIP_HDR_ALLOW_EVENTS,        /* u */
	SIP_HDR_AUTHORIZATION,
	SIP_HDR_CALL_ID,             /* i */
	SIP_HDR_CONTACT,             /* m */
	SIP_HDR_CONTENT_DISPOSITION,
	SIP_HDR_CONTENT_ENCODING,    /* e */
	SIP_HDR_CONTENT_LENGTH,      /* l */
	SIP_HDR_CONTENT_TYPE,        /* c */
	SIP_HDR_CSEQ,
	SIP_HDR_DATE,
	SIP_HDR_EVENT,               /* o */
	SIP_HDR_EXPIRES,
	SIP_HDR_FROM,                /* f */
	SIP_HDR_IDENTITY,            /* y */
	SIP_HDR_IDENTITY_INFO,       /* n */
	SIP_HDR_MAX_FORWARDS,
	SIP_HDR_MIN_EXPIRES,
	SIP_HDR_PATH,
	SIP_HDR_PROXY_AUTHORIZATION,
	SIP_HDR_PROXY_REQUIRE,
	SIP_HDR_RACK,
	SIP_HDR_RECORD_ROUTE,
	SIP_HDR_REFER_TO,            /* r */
	SIP_HDR_REFERRED_BY,         /* b */
	SIP_HDR_REJECT_CONTACT,      /* j */
	SIP_HDR_REQUEST_DISPOSITION, /* d */
	SIP_HDR_REQUIRE,
	SIP_HDR_ROUTE,
	SIP_HDR_RSEQ,
	SIP_HDR_SERVICE_ROUTE,
	SIP_HDR_SESSION_EXPIRES,     /* x */
	SIP_HDR_SUBJECT,             /* s */
	SIP_HDR_SUPPORTED,           /* k */
	SIP_HDR_TO,                  /* t */
	SIP_HDR_VIA,                 /* v */
	SIP_HDR_WWW_AUTHENTICATE,
	SIP_HDR_PROXY_AUTHENTICATE,
	SIP_HDR_RETRY_AFTER,
	SIP_HDR_WARNING,
	SIP_HDR_USER_AGENT,
	SIP_HDR_SERVER,
	SIP_HDR_UNSUPPORTED,
	SIP_HDR__COUNT
};

enum sip_method {
	SIP_METHOD_OTHER = 0,
	SIP_METHOD_INVITE,
	SIP_METHOD_ACK,
	SIP_METHOD_BYE,
	SIP_METHOD_CANCEL,
	SIP_METHOD_REGISTER,
	SIP_METHOD_OPTIONS,
	SIP_METHOD_PRACK,
	SIP_METHOD_UPDATE,
	SIP_METHOD_INFO,
	SIP_METHOD_SUBSCRIBE,
	SIP_METHOD_NOTIFY,
	SIP_METHOD_REFER,
	SIP_METHOD_MESSAGE,
	SIP_METHOD_PUBLISH,
	SIP_METHOD__COUNT
};

struct sip_hdr {
	uint8_t id;           /* enum sip_hdr_id */
	uint8_t compact;      /* the name was the compact form */
	struct sip_span name; /* as written */
	struct sip_span value;/* LWS-trimmed; may contain folded CRLF+WSP */
	struct sip_span line; /* name to end of line, terminator included */
};

/* sip_msg_parse flags */
#define SIP_PARSE_STREAM 0x1u /* TCP: Content-Length required, may need more */

struct sip_msg {
	const char *buf;
	uint32_t len;           /* bytes of this message (datagram: all of it) */
	uint8_t is_request;
	uint8_t method;         /* enum sip_method (requests) */
	uint16_t status;        /* responses */
	struct sip_span start_line;  /* without its line terminator */
	struct sip_span method_s, ruri, version, status_s, reason;
	struct sip_hdr *hdrs;
	uint16_t nhdrs, hdr_cap;
	uint32_t body_off;      /* first byte after the empty line */
	uint32_t body_len;      /* from Content-Length, or to end of datagram */
	int64_t content_length; /* -1 when there is no Content-Length header */
	int16_t clen_hdr;       /* index of Content-Length in hdrs, -1 if none */
	uint32_t err_off;       /* where parsing stopped, on error */
	uint32_t hdr_end;       /* offset of the empty line ending the headers */
	uint8_t flags;          /* the sip_msg_parse flags */
};

int sip_msg_parse(struct sip_msg *m, const char *buf, size_t len,
		  struct sip_hdr *hdrs, unsigned cap, unsigned flags);

/* Index of the next header with this id after index `after` (-1: from the
 * start), or -1. */
int sip_msg_find(const struct sip_msg *m, enum sip_hdr_id id, int after);

/* Full syntax check of every known header's value and of the cross-header
 * rules RFC 3261 puts on a message (mandatory headers, CSeq method equals
 * the request method, single-value headers).  0 or a negative enum sip_err,
 * with m->err_off set. */
int sip_msg_validate(struct sip_msg *m);

enum sip_method sip_method_lookup(const char *p, size_t len);
const char *sip_method_name(enum sip_method m);
const char *sip_hdr_name(enum sip_hdr_id id);
/* Header id of a field name (long or compact, any case); *compact is set
 * when the name was the compact form (may be NULL).  SIP_HDR_OTHER if
 * unknown. */
enum sip_hdr_id sip_hdr_lookup(const char *p, size_t len, uint8_t *compact);
/* Number of headers with this id (physical header lines). */
int sip_msg_count(const struct sip_msg *m, enum sip_hdr_id id);

#endif
