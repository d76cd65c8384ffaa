/*
 * method.c - the SIP methods the engine knows, one row each (RFC 3261 §7.1
 * and the extensions: 3262 PRACK, 3311 UPDATE, 6086 INFO, 6665 SUBSCRIBE/
 * NOTIFY, 3515 REFER, 3428 MESSAGE, 3903 PUBLISH).  Method names are
 * case-sensitive (§7.1); any other token is SIP_METHOD_OTHER, never an error.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <threads.h>

#include "msg.h"

#define METHOD_MAX 9 /* the longest row, SUBSCRIBE */

struct method_row {
	const char *name;
	uint8_t len;
	uint8_t id;
};

#define ROW(n, i) { n, sizeof(n) - 1, i }

static const struct method_row rows[] = {
	ROW("INVITE", SIP_METHOD_INVITE),     ROW("ACK", SIP_METHOD_ACK),
	ROW("BYE", SIP_METHOD_BYE),           ROW("CANCEL", SIP_METHOD_CANCEL),
	ROW("REGISTER", SIP_METHOD_REGISTER), ROW("OPTIONS", SIP_METHOD_OPTIONS),
	ROW("PRACK", SIP_METHOD_PRACK),       ROW("UPDATE", SIP_METHOD_UPDATE),
	ROW("INFO", SIP_METHOD_INFO),         ROW("SUBSCRIBE", SIP_METHOD_SUBSCRIBE),
	ROW("NOTIFY", SIP_METHOD_NOTIFY),     ROW("REFER", SIP_METHOD_REFER),
	ROW("MESSAGE", SIP_METHOD_MESSAGE),   ROW("PUBLISH", SIP_METHOD_PUBLISH),
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

/* The index, built from the rows on first use: by_key[len][first & 31] is
 * a row + 1 (0: none), names[] each row's name padded with zeros, so that
 * it can be read in whole words.  Every hit is confirmed on the whole
 * name; a second row with the same key would chain through next[]. */
static uint8_t by_key[METHOD_MAX + 1][32], next[NROWS];
static char names[NROWS][16];
static atomic_int ready;
static once_flag index_once = ONCE_FLAG_INIT;

static void index_fill(void)
{
	for (size_t i = NROWS; i-- > 0;) {
		uint8_t *slot = &by_key[rows[i].len][(unsigned char)rows[i].name[0] & 31];
		next[i] = *slot;
		*slot = (uint8_t)(i + 1);
		memcpy(names[i], rows[i].name, rows[i].len);
	}
	atomic_store_explicit(&ready, 1, memory_order_release);
}

/* p[0, len) equals q's first len octets, in two loads of a constant size
 * (8, 4 or 2 octets, at least half of len) that may overlap, so that no
 * load passes the end of p. */
static inline int eq8(const char *p, const char *q, size_t len)
{
	uint64_t a0, b0, a1, b1;

	memcpy(&a0, p, 8);
	memcpy(&b0, q, 8);
	memcpy(&a1, p + len - 8, 8);
	memcpy(&b1, q + len - 8, 8);
	return a0 == b0 && a1 == b1;
}

static inline int eq4(const char *p, const char *q, size_t len)
{
	uint32_t a0, b0, a1, b1;

	memcpy(&a0, p, 4);
	memcpy(&b0, q, 4);
	memcpy(&a1, p + len - 4, 4);
	memcpy(&b1, q + len - 4, 4);
	return a0 == b0 && a1 == b1;
}

static inline int eq2(const char *p, const char *q, size_t len)
{
	uint16_t a0, b0, a1, b1;

	memcpy(&a0, p, 2);
	memcpy(&b0, q, 2);
	memcpy(&a1, p + len - 2, 2);
	memcpy(&b1, q + len - 2, 2);
	return a0 == b0 && a1 == b1;
}

static inline int name_eq(const char *p, const char *q, size_t len)
{
	return len >= 8 ? eq8(p, q, len) : len >= 4 ? eq4(p, q, len) : eq2(p, q, len);
}

enum sip_method sip_method_lookup(const char *p, size_t len)
{
	if (len - 2 > METHOD_MAX - 2)
		return SIP_METHOD_OTHER;
	if (!atomic_load_explicit(&ready, memory_order_acquire))
		call_once(&index_once, index_fill);
	for (unsigned r = by_key[len][(unsigned char)p[0] & 31]; r; r = next[r - 1])
		if (name_eq(p, names[r - 1], len))
			return rows[r - 1].id;
	return SIP_METHOD_OTHER;
}

const char *sip_method_name(enum sip_method m)
{
	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].id == m)
			return rows[i].name;
	return NULL;
}
