/*
 * hdr_table.c - header names the parser knows (RFC 3261 §7.3.3, §20 and
 * the extensions named in msg.h): one row each.
 *
 * A long name is found through a small hash index built from these rows
 * on first use (length, first and last letter), and always confirmed on
 * the whole name, case-insensitively: a hash alone would let an unknown
 * header pass for a known one.
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
#define NSLOTS 256u

static inline unsigned lower(unsigned char c)
{
	return c | ((unsigned)((unsigned)c - 'A' < 26u) << 5);
}

/* Hash of a name: its length and its first and last letters, any case
 * (| 0x20 folds the case of a letter; names start and end with letters).
 * It only narrows the search; every hit is confirmed on the whole name. */
static inline unsigned slot_of(const char *p, size_t len)
{
	return ((unsigned)len * 29u + ((unsigned char)p[0] | 0x20u) * 7u +
		((unsigned char)p[len - 1] | 0x20u)) & (NSLOTS - 1);
}

/* Open-addressed index over rows (row number + 1; 0 = empty), built once
 * from the table on first use.  ~45 rows in 256 slots: one probe or two.
 * With it, each row's name in lower case and a mask of its letters, so a
 * candidate is confirmed eight octets at a time. */
#define NAME_MAX_LEN 24
static uint8_t slots[NSLOTS];
static unsigned char row_lc[NROWS][NAME_MAX_LEN], row_letters[NROWS][NAME_MAX_LEN];
static once_flag slots_once = ONCE_FLAG_INIT;
static atomic_int slots_ready;

static void slots_build(void)
{
	for (size_t i = 0; i < NROWS; i++) {
		unsigned h = slot_of(rows[i].name, rows[i].len);
		while (slots[h])
			h = (h + 1) & (NSLOTS - 1);
		slots[h] = (uint8_t)(i + 1);
		for (size_t k = 0; k < rows[i].len && k < NAME_MAX_LEN; k++) {
			unsigned char c = (unsigned char)lower((unsigned char)rows[i].name[k]);
			row_lc[i][k] = c;
			row_letters[i][k] = (c >= 'a' && c <= 'z') ? 0x20 : 0;
		}
	}
	atomic_store_explicit(&slots_ready, 1, memory_order_release);
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
static int name_eq(const char *p, size_t len, size_t r)
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
	if (compact)
		*compact = 0;
	if (len == 0)
		return SIP_HDR_OTHER;
	if (len == 1) {
		unsigned c = lower((unsigned char)p[0]);
		for (size_t i = 0; i < NROWS; i++)
			if ((unsigned char)rows[i].compact == c) {
				if (compact)
					*compact = 1;
				return rows[i].id;
			}
		return SIP_HDR_OTHER;
	}
	if (!atomic_load_explicit(&slots_ready, memory_order_acquire))
		call_once(&slots_once, slots_build);
	for (unsigned h = slot_of(p, len); slots[h]; h = (h + 1) & (NSLOTS - 1)) {
		const struct hdr_row *r = &rows[slots[h] - 1];
		if (r->len == len && name_eq(p, len, (size_t)(r - rows)))
			return r->id;
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
