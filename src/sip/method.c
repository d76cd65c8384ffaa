/*
 * method.c - the SIP methods the engine knows, one row each (RFC 3261 §7.1
 * and the extensions: 3262 PRACK, 3311 UPDATE, 6086 INFO, 6665 SUBSCRIBE/
 * NOTIFY, 3515 REFER, 3428 MESSAGE, 3903 PUBLISH).  Method names are
 * case-sensitive (§7.1); any other token is SIP_METHOD_OTHER, never an error.
 */
#include <stdint.h>
#include <string.h>

#include "msg.h"

/* One row per method: its name and first octet (the index's key, with
 * the length; t_method_table checks that every name finds its row). */
#define METHOD_ROWS(X)                                                        \
	X("INVITE", 'I', SIP_METHOD_INVITE) X("ACK", 'A', SIP_METHOD_ACK)      \
	X("BYE", 'B', SIP_METHOD_BYE) X("CANCEL", 'C', SIP_METHOD_CANCEL)      \
	X("REGISTER", 'R', SIP_METHOD_REGISTER)                                \
	X("OPTIONS", 'O', SIP_METHOD_OPTIONS) X("PRACK", 'P', SIP_METHOD_PRACK) \
	X("UPDATE", 'U', SIP_METHOD_UPDATE) X("INFO", 'I', SIP_METHOD_INFO)    \
	X("SUBSCRIBE", 'S', SIP_METHOD_SUBSCRIBE)                              \
	X("NOTIFY", 'N', SIP_METHOD_NOTIFY) X("REFER", 'R', SIP_METHOD_REFER)  \
	X("MESSAGE", 'M', SIP_METHOD_MESSAGE)                                  \
	X("PUBLISH", 'P', SIP_METHOD_PUBLISH)

#define METHOD_MAX 9 /* the longest name, SUBSCRIBE */

/* Each name padded with zeros, so that it can be read in whole words. */
static const char names[SIP_METHOD__COUNT][16] = {
#define NAME_ROW(n, first, id) [id] = n,
	METHOD_ROWS(NAME_ROW)
#undef NAME_ROW
};

/* The index, constant: by_key[length][first octet & 31] is the method
 * with that name length and first octet (no two share both: a second
 * one would override the first, which -Woverride-init refuses), 0 for
 * none.  Every hit is confirmed on the whole name. */
static const uint8_t by_key[METHOD_MAX + 1][32] = {
#define KEY_ROW(n, first, id) [sizeof(n) - 1][(first) & 31] = id,
	METHOD_ROWS(KEY_ROW)
#undef KEY_ROW
};

/* p[0, len) equals q's first len octets, compared in two loads of w
 * octets (8, 4 or 2, a constant once inlined; at least half of len) that
 * may overlap, so that no load passes the end of p.  (The second load is
 * addressed back from the end: written p + len - w, gcc -O2 with the
 * sanitizers warns of an out-of-bounds read, -Warray-bounds.) */
static inline int eq_w(const char *p, const char *q, size_t len, size_t w)
{
	const char *pe = p + len, *qe = q + len;
	uint64_t a0 = 0, b0 = 0, a1 = 0, b1 = 0;

	memcpy(&a0, p, w);
	memcpy(&b0, q, w);
	memcpy(&a1, pe - w, w);
	memcpy(&b1, qe - w, w);
	return a0 == b0 && a1 == b1;
}

static inline int name_eq(const char *p, const char *q, size_t len)
{
	return len >= 8 ? eq_w(p, q, len, 8) : len >= 4 ? eq_w(p, q, len, 4) : eq_w(p, q, len, 2);
}

enum sip_method sip_method_lookup(const char *p, size_t len)
{
	unsigned id;

	if (len - 2 > METHOD_MAX - 2)
		return SIP_METHOD_OTHER;
	id = by_key[len][(unsigned char)p[0] & 31]; /* a name of this length */
	return id && name_eq(p, names[id], len) ? (enum sip_method)id : SIP_METHOD_OTHER;
}

const char *sip_method_name(enum sip_method m)
{
	return (unsigned)m - 1 < SIP_METHOD__COUNT - 1 ? names[m] : NULL;
}
