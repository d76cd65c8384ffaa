/*
 * hdr_table.c - header names the parser knows (RFC 3261 §7.3.3, §20 and
 * the extensions named in msg.h): one row each.
 *
 * The rows are sorted by lower-case name so a long name is found by binary
 * search with a case-insensitive compare, which always confirms the whole
 * name (a hash alone would let an unknown header pass for a known one).
 * Compact forms are single letters, also case-insensitive.  Adding a header
 * is one row here (in sorted place) plus its enum value; test_sip_msg checks
 * the order and that every row finds itself.
 */
#include "msg.h"

struct hdr_row {
	const char *name;
	uint8_t len;
	char compact; /* lower-case compact form, 0 if none */
	uint8_t id;
};

#define ROW(n, c, i) { n, sizeof(n) - 1, c, i }

static const struct hdr_row rows[] = {
	ROW("Accept", 0, SIP_HDR_ACCEPT),
	ROW("Accept-Contact", 'a', SIP_HDR_ACCEPT_CONTACT), /* RFC 3841 */
	ROW("Allow", 0, SIP_HDR_ALLOW),
	ROW("Allow-Events", 'u', SIP_HDR_ALLOW_EVENTS), /* RFC 6665 */
	ROW("Authorization", 0, SIP_HDR_AUTHORIZATION),
	ROW("Call-ID", 'i', SIP_HDR_CALL_ID),
	ROW("Contact", 'm', SIP_HDR_CONTACT),
	ROW("Content-Disposition", 0, SIP_HDR_CONTENT_DISPOSITION),
	ROW("Content-Encoding", 'e', SIP_HDR_CONTENT_ENCODING),
	ROW("Content-Length", 'l', SIP_HDR_CONTENT_LENGTH),
	ROW("Content-Type", 'c', SIP_HDR_CONTENT_TYPE),
	ROW("CSeq", 0, SIP_HDR_CSEQ),
	ROW("Date", 0, SIP_HDR_DATE),
	ROW("Event", 'o', SIP_HDR_EVENT), /* RFC 6665 */
	ROW("Expires", 0, SIP_HDR_EXPIRES),
	ROW("From", 'f', SIP_HDR_FROM),
	ROW("Identity", 'y', SIP_HDR_IDENTITY), /* RFC 4474 */
	ROW("Identity-Info", 'n', SIP_HDR_IDENTITY_INFO),
	ROW("Max-Forwards", 0, SIP_HDR_MAX_FORWARDS),
	ROW("Min-Expires", 0, SIP_HDR_MIN_EXPIRES),
	ROW("Path", 0, SIP_HDR_PATH), /* RFC 3327 */
	ROW("Proxy-Authenticate", 0, SIP_HDR_PROXY_AUTHENTICATE),
	ROW("Proxy-Authorization", 0, SIP_HDR_PROXY_AUTHORIZATION),
	ROW("Proxy-Require", 0, SIP_HDR_PROXY_REQUIRE),
	ROW("RAck", 0, SIP_HDR_RACK), /* RFC 3262 */
	ROW("Record-Route", 0, SIP_HDR_RECORD_ROUTE),
	ROW("Refer-To", 'r', SIP_HDR_REFER_TO), /* RFC 3515 */
	ROW("Referred-By", 'b', SIP_HDR_REFERRED_BY), /* RFC 3892 */
	ROW("Reject-Contact", 'j', SIP_HDR_REJECT_CONTACT),
	ROW("Request-Disposition", 'd', SIP_HDR_REQUEST_DISPOSITION),
	ROW("Require", 0, SIP_HDR_REQUIRE),
	ROW("Retry-After", 0, SIP_HDR_RETRY_AFTER),
	ROW("Route", 0, SIP_HDR_ROUTE),
	ROW("RSeq", 0, SIP_HDR_RSEQ),
	ROW("Server", 0, SIP_HDR_SERVER),
	ROW("Service-Route", 0, SIP_HDR_SERVICE_ROUTE), /* RFC 3608 */
	ROW("Session-Expires", 'x', SIP_HDR_SESSION_EXPIRES), /* RFC 4028 */
	ROW("Subject", 's', SIP_HDR_SUBJECT),
	ROW("Supported", 'k', SIP_HDR_SUPPORTED),
	ROW("To", 't', SIP_HDR_TO),
	ROW("Unsupported", 0, SIP_HDR_UNSUPPORTED),
	ROW("User-Agent", 0, SIP_HDR_USER_AGENT),
	ROW("Via", 'v', SIP_HDR_VIA),
	ROW("Warning", 0, SIP_HDR_WARNING),
	ROW("WWW-Authenticate", 0, SIP_HDR_WWW_AUTHENTICATE),
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static inline int lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Case-insensitive order of (p, len) against a row's name. */
static int row_cmp(const char *p, size_t len, const struct hdr_row *r)
{
	size_t n = len < r->len ? len : r->len;

	for (size_t i = 0; i < n; i++) {
		int d = lower((unsigned char)p[i]) - lower((unsigned char)r->name[i]);
		if (d)
			return d;
	}
	return (int)len - (int)r->len;
}

enum sip_hdr_id sip_hdr_lookup(const char *p, size_t len, uint8_t *compact)
{
	if (compact)
		*compact = 0;
	if (len == 1) {
		int c = lower((unsigned char)p[0]);
		for (size_t i = 0; i < NROWS; i++)
			if (rows[i].compact == c) {
				if (compact)
					*compact = 1;
				return rows[i].id;
			}
		return SIP_HDR_OTHER;
	}
	size_t lo = 0, hi = NROWS;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int d = row_cmp(p, len, &rows[mid]);
		if (d == 0)
			return rows[mid].id;
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return SIP_HDR_OTHER;
}

const char *sip_hdr_name(enum sip_hdr_id id)
{
	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].id == id)
			return rows[i].name;
	return NULL;
}
