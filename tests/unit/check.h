/*
 * check.h - the unit-test harness: a table of cases, one PASS:/FAIL: line
 * each, exit status 1 if any failed.  tests/run.sh counts the lines.
 *
 *   static void t_foo(void) { CHECK(x == 1); CHECK_EQ_INT(a, b); }
 *   static const struct check_case cases[] = { { "foo", t_foo }, { 0 } };
 *   int main(void) { return check_run("sip_msg", cases); }
 */
#ifndef SIPALG_TEST_CHECK_H
#define SIPALG_TEST_CHECK_H

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct check_case {
	const char *name;
	void (*fn)(void);
};

static int check_failed;
static char check_why[512];

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond) && !check_failed) {                                \
			check_failed = 1;                                      \
			snprintf(check_why, sizeof(check_why), "%s:%d: %s",   \
				 __FILE__, __LINE__, #cond);                   \
		}                                                              \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                     \
	do {                                                                   \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
		if (check_a_ != check_b_ && !check_failed) {                   \
			check_failed = 1;                                      \
			snprintf(check_why, sizeof(check_why),                 \
				 "%s:%d: %s == %lld, expected %lld", __FILE__, \
				 __LINE__, #a, check_a_, check_b_);            \
		}                                                              \
	} while (0)

/* Compare a span of base with a C string. */
#define CHECK_SPAN(base, span, lit)                                            \
	do {                                                                   \
		struct sip_span check_s_ = (span);                             \
		const char *check_l_ = (lit);                                  \
		if ((!sip_span_present(check_s_) ||                            \
		     check_s_.len != strlen(check_l_) ||                       \
		     memcmp((base) + check_s_.off, check_l_, check_s_.len)) && \
		    !check_failed) {                                           \
			check_failed = 1;                                      \
			snprintf(check_why, sizeof(check_why),                 \
				 "%s:%d: %s is '%.*s', expected '%s'",         \
				 __FILE__, __LINE__, #span,                    \
				 sip_span_present(check_s_) ? (int)check_s_.len : 6, \
				 sip_span_present(check_s_) ? (base) + check_s_.off : "<none>", \
				 check_l_);                                    \
		}                                                              \
	} while (0)

/* Report one case from a data-driven loop (corpus files). */
static inline void check_report(int ok, const char *suite, const char *name,
				const char *why)
{
	if (ok)
		printf("PASS: %s/%s\n", suite, name);
	else
		printf("FAIL: %s/%s: %s\n", suite, name, why ? why : "");
}

static inline int check_run(const char *suite, const struct check_case *cases)
{
	int bad = 0;

	for (const struct check_case *c = cases; c->name; c++) {
		check_failed = 0;
		check_why[0] = 0;
		c->fn();
		check_report(!check_failed, suite, c->name, check_why);
		bad |= check_failed;
	}
	fflush(stdout);
	return bad;
}

/* One mutation of buf[0, *len) for the random-mutant tests: op 0 replaces
 * the octet at `at` with c, 1 inserts c there (the caller leaves room for
 * it), 2 deletes it; at == *len changes nothing but an insert at the end. */
static inline void check_mutate(char *buf, size_t *len, size_t at, char c, unsigned op)
{
	size_t n = *len;

	switch (op) {
	case 0:
		if (at < n)
			buf[at] = c;
		break;
	case 1:
		memmove(buf + at + 1, buf + at, n - at);
		buf[at] = c;
		*len = n + 1;
		break;
	default:
		if (at < n) {
			memmove(buf + at, buf + at + 1, n - at - 1);
			*len = n - 1;
		}
	}
}

/*
 * Copy len bytes so that they end exactly at a PROT_NONE page: any read past
 * the end faults.  Returns the copy; check_guard_free() releases it.
 */
static inline char *check_guard_copy(const void *p, size_t len, void **map, size_t *maplen)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t n = (len + pg - 1) / pg * pg + pg;
	char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	mprotect(m + n - pg, pg, PROT_NONE);
	char *dst = m + n - pg - len;
	memcpy(dst, p, len);
	*map = m;
	*maplen = n;
	return dst;
}

static inline void check_guard_free(void *map, size_t maplen)
{
	munmap(map, maplen);
}

#endif
