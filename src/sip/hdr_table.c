/*
 * hdr_table.c - header names the parser knows (RFC 3261 §7.3.3, §20 and
 * the extensions named in msg.h): one row each.
 *
 * A long name is found through a small index built from these rows on
 * first use (length and first letter), and always confirmed on the whole
 * name, case-insensitively: a hash alone would let an unknown header pass
 * for a known one.
 * Compact forms are single letters, also case-insensitive.  Adding a header
 * is one row here plus its enum value; test_sip_msg checks that every row
 * finds itself.
 */
#include <stdatomic.h>
#include <threads.h>

#include "hdr_index.h"
#include "msg.h"

struct hdr_row {
	const char *name;
	uint8_t len;
	char compact; /* lower-case compact form, 0 if none */
	uint8_t id;
};

#define ROW(n, c, i) { n, sizeof(n) - 1, c, i }

static const struct hdr_row rows[] = {
	ROW("Allow", 0, SIP_HDR_ALLOW),
	ROW("Accept", 0, SIP_HDR_ACCEPT),
	ROW("Allow-Events", 'u', SIP_HDR_ALLOW_EVENTS), /* RFC 6665 */
	ROW("Authorization", 0, SIP_HDR_AUTHORIZATION),
	ROW("Accept-Contact", 'a', SIP_HDR_ACCEPT_CONTACT), /* RFC 3841 */
	ROW("CSeq", 0, SIP_HDR_CSEQ),
	ROW("Call-ID", 'i', SIP_HDR_CALL_ID),
	ROW("Contact", 'm', SIP_HDR_CONTACT),
	ROW("Content-Type", 'c', SIP_HDR_CONTENT_TYPE),
	ROW("Content-Length", 'l', SIP_HDR_CONTENT_LENGTH),
	ROW("Content-Encoding", 'e', SIP_HDR_CONTENT_ENCODING),
	ROW("Content-Disposition", 0, SIP_HDR_CONTENT_DISPOSITION),
	ROW("Date", 0, SIP_HDR_DATE),
	ROW("Event", 'o', SIP_HDR_EVENT), /* RFC 6665 */
	ROW("Expires", 0, SIP_HDR_EXPIRES),
	ROW("From", 'f', SIP_HDR_FROM),
	ROW("Identity", 'y', SIP_HDR_IDENTITY), /* RFC 4474 */
	ROW("Identity-Info", 'n', SIP_HDR_IDENTITY_INFO),
	ROW("Min-Expires", 0, SIP_HDR_MIN_EXPIRES),
	ROW("Max-Forwards", 0, SIP_HDR_MAX_FORWARDS),
	ROW("Path", 0, SIP_HDR_PATH), /* RFC 3327 */
	ROW("Proxy-Require", 0, SIP_HDR_PROXY_REQUIRE),
	ROW("Proxy-Authenticate", 0, SIP_HDR_PROXY_AUTHENTICATE),
	ROW("Proxy-Authorization", 0, SIP_HDR_PROXY_AUTHORIZATION),
	ROW("RAck", 0, SIP_HDR_RACK), /* RFC 3262 */
	ROW("RSeq", 0, SIP_HDR_RSEQ),
	ROW("Route", 0, SIP_HDR_ROUTE),
	ROW("Require", 0, SIP_HDR_REQUIRE),
	ROW("Refer-To", 'r', SIP_HDR_REFER_TO), /* RFC 3515 */
	ROW("Referred-By", 'b', SIP_HDR_REFERRED_BY), /* RFC 3892 */
	ROW("Retry-After", 0, SIP_HDR_RETRY_AFTER),
	ROW("Record-Route", 0, SIP_HDR_RECORD_ROUTE),
	ROW("Reject-Contact", 'j', SIP_HDR_REJECT_CONTACT),
	ROW("Request-Disposition", 'd', SIP_HDR_REQUEST_DISPOSITION),
	ROW("Server", 0, SIP_HDR_SERVER),
	ROW("Subject", 's', SIP_HDR_SUBJECT),
	ROW("Supported", 'k', SIP_HDR_SUPPORTED),
	ROW("Service-Route", 0, SIP_HDR_SERVICE_ROUTE), /* RFC 3608 */
	ROW("Session-Expires", 'x', SIP_HDR_SESSION_EXPIRES), /* RFC 4028 */
	ROW("To", 't', SIP_HDR_TO),
	ROW("User-Agent", 0, SIP_HDR_USER_AGENT),
	ROW("Unsupported", 0, SIP_HDR_UNSUPPORTED),
	ROW("Via", 'v', SIP_HDR_VIA),
	ROW("Warning", 0, SIP_HDR_WARNING),
	ROW("WWW-Authenticate", 0, SIP_HDR_WWW_AUTHENTICATE),
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static inline unsigned lower(unsigned char c)
{
	return c | ((unsigned)((unsigned)c - 'A' < 26u) << 5);
}

/* The index of hdr_index.h, built from the rows on first use. */
_Alignas(64) struct sip_hdr_key sip_hdr_keys[NROWS + 1]; /* row i at i + 1: 0 means none */
uint8_t sip_hdr_by_key[SIP_HDR_NAME_MAX + 2][256], sip_hdr_by_compact[32];
_Static_assert(sizeof(struct sip_hdr_key) == 64, "a row is 64 octets");
atomic_int sip_hdr_index_ready;
static once_flag index_once = ONCE_FLAG_INIT;

static void index_fill(void)
{
	/* backwards, so that each chain lists its rows in table order */
	for (size_t i = NROWS; i-- > 0;) {
		const struct hdr_row *r = &rows[i];
		unsigned first = lower((unsigned char)r->name[0]);
		uint8_t *slot = &sip_hdr_by_key[r->len][first];
		sip_hdr_keys[i + 1].next = *slot;
		/* the other case of a letter shares the chain */
		sip_hdr_by_key[r->len][first >= 'a' && first <= 'z' ? first - 32 : first] =
			(uint8_t)(i + 1);
		sip_hdr_keys[i + 1].id = r->id;
		sip_hdr_keys[i + 1].code = sip_hdr_code(r->id);
		*slot = (uint8_t)(i + 1);
		if (r->compact)
			sip_hdr_by_compact[(unsigned char)r->compact & 31] = (uint8_t)(i + 1);
		for (size_t k = 0; k < r->len && k < SIP_HDR_NAME_MAX; k++) {
			unsigned char c = (unsigned char)lower((unsigned char)r->name[k]);
			sip_hdr_keys[i + 1].lc[k] = c;
			sip_hdr_keys[i + 1].letters[k] = (c >= 'a' && c <= 'z') ? 0x20 : 0;
		}
	}
	atomic_store_explicit(&sip_hdr_index_ready, 1, memory_order_release);
}

void sip_hdr_index_build(void)
{
	call_once(&index_once, index_fill);
}

enum sip_hdr_id sip_hdr_lookup(const char *p, size_t len, uint8_t *compact)
{
	uint8_t c;
	enum sip_hdr_id id;

	sip_hdr_index_ensure();
	id = sip_hdr_index_lookup(p, len, &c);
	if (compact)
		*compact = c;
	return id;
}

const char *sip_hdr_name(enum sip_hdr_id id)
{
	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].id == id)
			return rows[i].name;
	return NULL;
}
