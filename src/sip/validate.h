/*
 * validate.h - sip_msg_validate() that hands back what it parsed.
 *
 * sip_msg_validate() (msg.h) parses every known header value to check its
 * grammar and then forgets the result.  A caller that goes on to read the
 * same values (the ALG engine: top Via, CSeq, Call-ID, From/To, the
 * Contact and Route-like addresses, the Request-URI) would parse each of
 * them a second time.  sip_msg_validate_keep() runs the same checks, in the
 * same order, with the same verdicts and m->err_off, and keeps the parsed
 * values in the caller's struct sip_valid.  Every span points into m->buf;
 * nothing is allocated.  The struct is meaningful only when the call
 * returned 0.
 *
 * Returns 0 or a negative enum sip_err, exactly as sip_msg_validate().
 */
#ifndef SIPALG_SIP_VALIDATE_H
#define SIPALG_SIP_VALIDATE_H

#include "addr.h"
#include "msg.h"
#include "values.h"
#include "via.h"

/* Contact, Route and Record-Route items kept, in message order; a message
 * with more has addrs_all > naddrs and the caller parses them itself. */
#define SIP_VALID_ADDRS 8

struct sip_valid_addr {
	uint16_t hdr;         /* index into m->hdrs */
	struct sip_addr a;
};

struct sip_valid {
	int16_t first[SIP_HDR__COUNT]; /* index of the first header of each id, -1 */
	struct sip_uri ruri;           /* requests only */
	struct sip_via top_via;        /* first item of the first Via */
	struct sip_cseq cseq;          /* of the first CSeq */
	struct sip_addr from, to;      /* valid when first[] says present */
	struct sip_valid_addr addrs[SIP_VALID_ADDRS];
	uint16_t naddrs, addrs_all;
};

int sip_msg_validate_keep(struct sip_msg *m, struct sip_valid *v);

#endif
