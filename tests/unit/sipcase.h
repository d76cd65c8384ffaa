/*
 * sipcase.h - run one sip_msg_parse() case three ways (DEVELOPERS.md
 * "Tests"): the whole buffer, every prefix (split at each byte), and a
 * copy that ends at a guard page.  For SIP_PARSE_STREAM every prefix must
 * give SIP_ENEEDMORE or the whole buffer's result; for a datagram each
 * prefix is parsed from its own guard-page copy, so an over-read faults.
 * Include after check.h.
 */
#ifndef SIPALG_TEST_SIPCASE_H
#define SIPALG_TEST_SIPCASE_H

#include "sip/msg.h"

#define SIPCASE_HDRS 128

typedef void (*sipcase_check_fn)(const struct sip_msg *m, const char *b);

/* Parse buf; return the result; run check on success (fields by name). */
static int sipcase_one(struct sip_msg *m, struct sip_hdr *h, const char *buf, size_t len,
		       unsigned flags, int want, sipcase_check_fn check)
{
	int r = sip_msg_parse(m, buf, len, h, SIPCASE_HDRS, flags);

	CHECK_EQ_INT(r, want);
	if (r >= 0 && check)
		check(m, buf);
	return r;
}

/* The three runs.  want_valid: expected sip_msg_validate() result when the
 * parse succeeds (ignored otherwise). */
static void sipcase_run(const char *msg, size_t len, unsigned flags, int want, int want_valid,
			sipcase_check_fn check)
{
	static struct sip_hdr h[SIPCASE_HDRS];
	struct sip_msg m;
	void *map;
	size_t maplen;
	char *g;

	/* 1. whole */
	if (sipcase_one(&m, h, msg, len, flags, want, check) >= 0)
		CHECK_EQ_INT(sip_msg_validate(&m), want_valid);
	/* 2. guard page after the last byte */
	g = check_guard_copy(msg, len, &map, &maplen);
	CHECK(g != NULL);
	if (g) {
		if (sipcase_one(&m, h, g, len, flags, want, check) >= 0)
			CHECK_EQ_INT(sip_msg_validate(&m), want_valid);
		check_guard_free(map, maplen);
	}
	/* 3. every prefix (a stride through the few limit cases of many KiB) */
	size_t step = len > 8192 ? len / 509 : 1;
	for (size_t k = 0; k < len && !check_failed; k += step) {
		g = check_guard_copy(msg, k, &map, &maplen);
		if (!g)
			break;
		int r = sip_msg_parse(&m, g, k, h, SIPCASE_HDRS, flags);
		if (flags & SIP_PARSE_STREAM) {
			if (r != SIP_ENEEDMORE && r != want && !check_failed) {
				check_failed = 1;
				snprintf(check_why, sizeof(check_why),
					 "prefix %zu of %zu gave %d, expected %d or ENEEDMORE", k,
					 len, r, want);
			}
			if (r >= 0 && r == want && check)
				check(&m, g);
		} else if (r >= 0) {
			(void)sip_msg_validate(&m);
		}
		check_guard_free(map, maplen);
	}
}

#define SIPCASE(msg, flags, want, want_valid, check)                           \
	sipcase_run((msg), sizeof(msg) - 1, (flags), (want), (want_valid), (check))

#endif
