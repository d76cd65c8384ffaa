/*
 * via.h - one Via value, via-parm (RFC 3261 §20.42, §25.1; RFC 3581 rport).
 *
 * Parses one element of a Via list (split it with sip_list_next()).  Spans
 * point into the caller's buffer.  Returns 0 or SIP_EVIA.
 */
#ifndef SIPALG_SIP_VIA_H
#define SIPALG_SIP_VIA_H

#include "span.h"

struct sip_via {
	struct sip_span whole;
	struct sip_span protocol;  /* "SIP/2.0/UDP", as written (LWS allowed inside) */
	struct sip_span transport; /* "UDP", "TCP", "TLS", ... */
	struct sip_span sent_by;   /* host[:port]: what an ALG rewrites */
	struct sip_span host;      /* IPv6 with brackets */
	struct sip_span port;      /* NONE if absent */
	struct sip_span params;    /* after the first ';' */
	struct sip_span branch, received, rport, maddr, ttl; /* values; NONE if absent */
	uint16_t port_num;         /* 0 if absent */
	uint16_t rport_num;        /* 0 if absent or without value */
	uint8_t host_type;         /* enum sip_host_type */
	uint8_t has_rport;         /* ;rport present, with or without value */
};

int sip_via_parse(struct sip_via *v, const char *base, struct sip_span s);

/* The next element of a Via list: the same as sip_list_next(base, rest,
 * &item) and then sip_via_parse(v, base, item), with the same *rest after
 * it, but the common element is read once, not split and then parsed.
 * Returns 1 with *v set, 0 at the end of the list, or the first error of
 * the two (a negative enum sip_err). */
int sip_via_parse_next(struct sip_via *v, const char *base, struct sip_span *rest);

#endif
