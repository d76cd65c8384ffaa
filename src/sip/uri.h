/*
 * uri.h - SIP, SIPS and tel URIs (RFC 3261 §19.1, §25.1; RFC 3966; RFC 5118).
 *
 * Parses a URI held in a span of the caller's buffer into spans of the same
 * buffer.  No allocation, no copies, no writes.  Returns 0 or a negative
 * enum sip_err (SIP_EURI).  Other schemes (http:, isbn:, ...) parse as
 * SIP_URI_OTHER with only `whole` and `scheme` set (RFC 4475 §3.3.4).
 */
#ifndef SIPALG_SIP_URI_H
#define SIPALG_SIP_URI_H

#include "span.h"

enum sip_uri_scheme { SIP_URI_OTHER = 0, SIP_URI_SIP, SIP_URI_SIPS, SIP_URI_TEL };
enum sip_host_type { SIP_HOST_NONE = 0, SIP_HOST_NAME, SIP_HOST_IPV4, SIP_HOST_IPV6 };

struct sip_uri {
	struct sip_span whole;
	struct sip_span scheme;   /* without the colon */
	struct sip_span user;     /* tel: the number */
	struct sip_span password;
	struct sip_span host;     /* IPv6: the reference, brackets included */
	struct sip_span port;     /* digits only, NONE if absent */
	struct sip_span hostport; /* host[:port]: what an ALG rewrites */
	struct sip_span params;   /* after the first ';', up to '?' or end */
	struct sip_span headers;  /* after '?' */
	uint8_t scheme_id;        /* enum sip_uri_scheme */
	uint8_t host_type;        /* enum sip_host_type */
	uint16_t port_num;        /* 0 when absent */
};

int sip_uri_parse(struct sip_uri *u, const char *base, struct sip_span s);

/* Classify a host (RFC 3261 §25.1 host = hostname / IPv4address /
 * IPv6reference): the whole span must be one.  With allow_bare_v6, an
 * unbracketed IPv6 address is accepted too (Via received=, RFC 5118 §4.5).
 * Returns the enum sip_host_type (> 0) or SIP_EURI. */
int sip_host_parse(const char *base, struct sip_span s, int allow_bare_v6);

/* Iterate ;name[=value] parameters.  *rest is advanced.  Returns 1 with a
 * parameter, 0 at the end, negative on a malformed list.  value is
 * SIP_SPAN_NONE for a flag parameter (";lr", ";rport"). */
int sip_param_next(const char *base, struct sip_span *rest,
		   struct sip_span *name, struct sip_span *value);

/* Find a parameter by case-insensitive name: 1 found, 0 absent. */
int sip_param_find(const char *base, struct sip_span params, const char *name,
		   struct sip_span *value);

#endif
