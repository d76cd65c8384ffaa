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
#define NAME_MAX_LEN 24

static inline unsigned lower(unsigned char c)
{
	return c | ((unsigned)((unsigned)c - 'A' < 26u) << 5);
}

/*
 * Index built from the table on first use.  A long name is narrowed by its
 * length and first letter (| 0x20 folds a letter's case; the low five bits
 * then tell letters apart): by_key[len][first & 31] is a row (+1, 0 =
 * none), and next_row[] chains the few rows that share a key (Call-ID and
 * Contact, RAck and RSeq, Referred-By and Retry-After).  Each candidate is
 * confirmed on the whole name.  With it, each row's name in lower case
 * and a mask of its letters, so confirming goes eight octets at a time.
 * Compact forms are one letter: by_compact[letter & 31].
 */
static uint8_t by_key[NAME_MAX_LEN + 1][32], next_row[NROWS], by_compact[32];
static unsigned char row_lc[NROWS][NAME_MAX_LEN], row_letters[NROWS][NAME_MAX_LEN];
static once_flag index_once = ONCE_FLAG_INIT;
static atomic_int index_ready;

static void index_build(void)
{
	for (size_t i = NROWS; i-- > 0;) {
		const struct hdr_row *r = &rows[i];
		uint8_t *slot = &by_key[r->len][(unsigned char)r->name[0] & 31];
		next_row[i] = *slot;
		*slot = (uint8_t)(i + 1);
		if (r->compact)
			by_compact[(unsigned char)r->compact & 31] = (uint8_t)(i + 1);
		for (size_t k = 0; k < r->len; k++) {
			unsigned char c = (unsigned char)lower((unsigned char)r->name[k]);
			row_lc[i][k] = c;
			row_letters[i][k] = (c >= 'a' && c <= 'z') ? 0x20 : 0;
		}
	}
	atomic_store_explicit(&index_ready, 1, memory_order_release);
}

/* One chunk of 8, 4 or 2 octets at off: equal to the lower-case name, or
 * differing from a letter by the case bit only. */
#define CHUNK_EQ(type)                                                         \
	static inline int chunk_eq_##type(const char *p, size_t off, size_t r) \
	{                                                                      \
		type a, l, m;                                                  \
		memcpy(&a, p + off, sizeof(a));                                \
		memcpy(&l, row_lc[r] + off, sizeof(l));                        \
		memcpy(&m, row_letters[r] + off, sizeof(m));                   \
		return ((a ^ l) & ~m) == 0;                                    \
	}
CHUNK_EQ(uint64_t)
CHUNK_EQ(uint32_t)
CHUNK_EQ(uint16_t)

/* Case-insensitive equality with row r (len >= 2), in chunks that may
 * overlap so that no load passes the end of the name. */
static inline int name_eq(const char *p, size_t len, size_t r)
{
	if (len < 4)
		return chunk_eq_uint16_t(p, 0, r) && chunk_eq_uint16_t(p, len - 2, r);
	if (len < 8)
		return chunk_eq_uint32_t(p, 0, r) && chunk_eq_uint32_t(p, len - 4, r);
	for (size_t i = 0; i + 8 < len; i += 8)
		if (!chunk_eq_uint64_t(p, i, r))
			return 0;
	return chunk_eq_uint64_t(p, len - 8, r);
}

enum sip_hdr_id sip_hdr_lookup(const char *p, size_t len, uint8_t *compact)
{
	uint8_t dummy, r;

	if (!compact)
		compact = &dummy;
	*compact = 0;
	if (len == 0 || len > NAME_MAX_LEN)
		return SIP_HDR_OTHER;
	if (!atomic_load_explicit(&index_ready, memory_order_acquire))
		call_once(&index_once, index_build);
	if (len == 1) {
		unsigned c = lower((unsigned char)p[0]);
		r = c >= 'a' && c <= 'z' ? by_compact[c & 31] : 0;
		*compact = r != 0;
		return r ? rows[r - 1].id : SIP_HDR_OTHER;
	}
	for (r = by_key[len][(unsigned char)p[0] & 31]; r; r = next_row[r - 1])
		if (name_eq(p, len, r - 1u))
			return rows[r - 1].id;
	return SIP_HDR_OTHER;
}

const char *sip_hdr_name(enum sip_hdr_id id)
{
	for (size_t i = 0; i < NROWS; i++)
		if (rows[i].id == id)
			return rows[i].name;
	return NULL;
}
