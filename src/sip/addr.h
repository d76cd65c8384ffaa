/*
 * addr.h - name-addr / addr-spec with header parameters, and comma lists
 * (RFC 3261 §20.10, §20.20, §25.1: Contact, From, To, Route, Record-Route).
 *
 * Everything is a span into the caller's buffer; nothing is allocated.
 * Returns 0 (or 1 / 0 for iterators) or a negative enum sip_err.
 */
#ifndef SIPALG_SIP_ADDR_H
#define SIPALG_SIP_ADDR_H

#include "span.h"
#include "uri.h"

struct sip_addr {
	struct sip_span whole;
	struct sip_span display;  /* quoted string (quotes included) or tokens */
	struct sip_uri uri;
	struct sip_span params;   /* header params after the URI, without the first ';' */
	struct sip_span tag;      /* value of ;tag= in params, NONE if absent */
	struct sip_span expires;  /* value of ;expires= in params, NONE if absent */
	uint8_t bracketed;        /* URI was inside <> */
	uint8_t star;             /* Contact: * */
};

/* One name-addr or addr-spec with its params (one item of a list: split
 * the header value with sip_list_next() first).  Liberal where RFC 4475
 * says an element may be: an addr-spec without <> stops at the first ';'
 * (those are header params, RFC 3261 §20.10).  Returns 0 or SIP_EADDR /
 * SIP_EURI / SIP_EQUOTE. */
int sip_addr_parse(struct sip_addr *a, const char *base, struct sip_span s);

/* Split a header value at top-level commas, honouring quoted strings,
 * backslash escapes and <...>.  *rest is advanced past the item and the
 * comma.  Returns 1 with an item (LWS-trimmed), 0 at the end, or negative
 * (SIP_EQUOTE for an unterminated quote). */
int sip_list_next(const char *base, struct sip_span *rest, struct sip_span *item);

/* The next element of a list of addresses (Contact, Route, ...): the same
 * as sip_list_next(base, rest, &item) and then sip_addr_parse(a, base,
 * item), with the same *rest after it, but "<uri>" first in the value is
 * read once, not split and then parsed.  Returns 1 with *a set, 0 at the
 * end of the list, or the first error of the two (a negative enum
 * sip_err). */
int sip_addr_parse_next(struct sip_addr *a, const char *base, struct sip_span *rest);

#endif
