/*
 * span.h - a position inside a message: offset and length.
 *
 * Every parsed value in the wire library is a span into the caller's buffer.
 * Spans are offsets, not pointers, so they survive copies of the buffer and
 * can be handed straight to the edit list.  Nothing here allocates or writes
 * into the message.  An absent value is { 0, 0 } with SIP_SPAN_NONE's offset.
 */
#ifndef SIPALG_SIP_SPAN_H
#define SIPALG_SIP_SPAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sip_span {
	uint32_t off;
	uint32_t len;
};

#define SIP_SPAN_NONE ((struct sip_span){ UINT32_MAX, 0 })

static inline int sip_span_present(struct sip_span s)
{
	return s.off != UINT32_MAX;
}

static inline const char *sip_span_ptr(const char *base, struct sip_span s)
{
	return base + s.off;
}

static inline struct sip_span sip_span_make(uint32_t off, uint32_t len)
{
	return (struct sip_span){ off, len };
}

static inline uint32_t sip_span_end(struct sip_span s)
{
	return s.off + s.len;
}

/* Exact byte comparison with a C string. */
static inline int sip_span_eq(const char *base, struct sip_span s, const char *lit)
{
	size_t n = strlen(lit);
	return sip_span_present(s) && s.len == n && memcmp(base + s.off, lit, n) == 0;
}

/* ASCII case-insensitive comparison with a C string (tokens, header names). */
int sip_span_caseeq(const char *base, struct sip_span s, const char *lit);

/* Parse a decimal unsigned number filling the whole span; -1 if not one or
 * larger than max. */
int64_t sip_span_uint(const char *base, struct sip_span s, uint64_t max);

#endif
