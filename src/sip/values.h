/*
 * values.h - small header values (RFC 3261 §20, §25.1): CSeq, Expires,
 * Max-Forwards, Content-Type, Call-ID, and the From/To tag.
 *
 * Spans point into the caller's buffer; nothing is allocated or written.
 * Functions return 0 (or a value >= 0) on success, 1/0 for found/absent
 * where so documented, or a negative enum sip_err.
 */
#ifndef SIPALG_SIP_VALUES_H
#define SIPALG_SIP_VALUES_H

#include "msg.h"

/* CSeq = 1*DIGIT LWS Method; the number must be < 2**31 (§8.1.1.5). */
struct sip_cseq {
	struct sip_span num_s, method_s;
	uint32_t num;
	uint8_t method; /* enum sip_method */
};

int sip_cseq_parse(struct sip_cseq *c, const char *base, struct sip_span s);

/* A value that is one decimal number (surrounding LWS allowed), at most
 * max: the number, or SIP_EVALUE.  Expires and delta-seconds take
 * max = 4294967295 (2**32-1, §20.19); Max-Forwards takes 255 (§20.22). */
int64_t sip_value_uint(const char *base, struct sip_span s, uint64_t max);

/* Content-Type = m-type "/" m-subtype *( ";" m-parameter ) (§20.15). */
struct sip_ctype {
	struct sip_span type, subtype; /* tokens, as written */
	struct sip_span params;        /* after the first ';', NONE if absent */
};

int sip_ctype_parse(struct sip_ctype *ct, const char *base, struct sip_span s);
/* 1 if the media type is type/subtype (case-insensitive), else 0. */
int sip_ctype_is(const char *base, const struct sip_ctype *ct, const char *type,
		 const char *subtype);

/* Call-ID = word [ "@" word ] (§25.1).  0 or SIP_EVALUE. */
int sip_callid_check(const char *base, struct sip_span s);

/* Convenience on a parsed message.  Each returns 1 found, 0 absent, or a
 * negative enum sip_err if the value is malformed. */
int sip_msg_cseq(const struct sip_msg *m, struct sip_cseq *c);
int sip_msg_callid(const struct sip_msg *m, struct sip_span *callid);
/* The ;tag of From (id SIP_HDR_FROM) or To (SIP_HDR_TO). */
int sip_msg_tag(const struct sip_msg *m, enum sip_hdr_id id, struct sip_span *tag);

#endif
