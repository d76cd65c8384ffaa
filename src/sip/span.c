/* span.c - helpers on spans (span.h). */
#include "span.h"

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

int sip_span_caseeq(const char *base, struct sip_span s, const char *lit)
{
	size_t n = strlen(lit);

	if (!sip_span_present(s) || s.len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)base[s.off + i]) != lower((unsigned char)lit[i]))
			return 0;
	return 1;
}

/* Twenty digits can wrap 64 bits: checked as they go. */
static int64_t uint_wide(const unsigned char *p, uint32_t n, uint64_t max)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < n; i++) {
		unsigned d = p[i] - '0';
		if (d > 9 || __builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v))
			return -1;
	}
	return v > max ? -1 : (int64_t)v;
}

int64_t sip_span_uint(const char *base, struct sip_span s, uint64_t max)
{
	const unsigned char *p = (const unsigned char *)base + s.off;
	uint64_t v = 0;

	if (!sip_span_present(s) || s.len == 0 || s.len > 20)
		return -1;
	if (s.len == 20)
		return uint_wide(p, s.len, max);
	/* Nineteen digits cannot wrap 64 bits, and the value only grows, so
	 * one test against max at the end gives the same verdict as testing
	 * every digit, without a division per digit. */
	for (uint32_t i = 0; i < s.len; i++) {
		unsigned d = p[i] - '0';
		if (d > 9)
			return -1;
		v = v * 10 + d;
	}
	return v > max ? -1 : (int64_t)v;
}
