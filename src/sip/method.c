/*
 * method.c - the SIP methods the engine knows, one row each (RFC 3261 §7.1
 * and the extensions: 3262 PRACK, 3311 UPDATE, 6086 INFO, 6665 SUBSCRIBE/
 * NOTIFY, 3515 REFER, 3428 MESSAGE, 3903 PUBLISH).  Method names are
 * case-sensitive (§7.1); any other token is SIP_METHOD_OTHER, never an error.
 */
#include "msg.h"

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

enum sip_method sip_method_lookup(const char *p, size_t len)
{
	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].len == len && rows[i].name[0] == p[0] &&
		    memcmp(rows[i].name, p, len) == 0)
			return rows[i].id;
	return SIP_METHOD_OTHER;
}

const char *sip_method_name(enum sip_method m)
{
	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].id == m)
			return rows[i].name;
	return NULL;
}
