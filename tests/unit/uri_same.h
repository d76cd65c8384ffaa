/*
 * uri_same.h - field-by-field equality of two parsed URIs (every span and
 * value), for tests that compare a fast path with the grammar code.
 */
#ifndef SIPALG_TEST_URI_SAME_H
#define SIPALG_TEST_URI_SAME_H

#include "sip/uri.h"

static inline int span_eq(struct sip_span a, struct sip_span b)
{
	return a.off == b.off && a.len == b.len;
}

static inline int uri_same(const struct sip_uri *a, const struct sip_uri *b)
{
	return span_eq(a->whole, b->whole) && span_eq(a->scheme, b->scheme) &&
	       span_eq(a->user, b->user) && span_eq(a->password, b->password) &&
	       span_eq(a->host, b->host) && span_eq(a->port, b->port) &&
	       span_eq(a->hostport, b->hostport) && span_eq(a->params, b->params) &&
	       span_eq(a->headers, b->headers) && a->scheme_id == b->scheme_id &&
	       a->host_type == b->host_type && a->port_num == b->port_num;
}

#endif
