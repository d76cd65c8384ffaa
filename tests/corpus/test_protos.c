/*
 * test_protos.c - the 4527 PROTOS c07-sip r2 cases through sip_msg_parse()
 * and sip_msg_validate() ($SIPALG_CORPORA/protos, INDEX.md there).
 *
 * The tar is unpacked with tar(1) into a mkdtemp directory, removed at the
 * end.  Each case's first length-prefixed PDU is the INVITE; its
 * placeholders are filled as the PROTOS driver would (TEST-NET addresses),
 * <Content-Length> last, from the body length after substitution.  Every
 * case must get a verdict (valid, or invalid with a reason) from a copy
 * that ends at a guard page, without a crash or a hang; case 0000000 must
 * be valid.  One PASS/FAIL line per group of GROUPS.tsv, then a summary.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "corpus.h"

#define NCASES 4527

static const struct {
	const char *ph, *val;
} fills[] = {
	{ "<To>", "user@192.0.2.20" },
	{ "<From>", "caller@192.0.2.10" },
	{ "<From-Address>", "192.0.2.10" },
	{ "<Teardown-Method>", "CANCEL" },
	{ "<CSeq>", "1" },
	{ "<Local-Port>", "5060" },
	{ "<Branch-ID>", "0000001" },
	{ "<From-IP>", "192.0.2.10" },
	{ "<Call-ID>", "protos-c07" },
};

/* Replace every placeholder of the table; returns the new length. */
static size_t fill(const char *in, size_t len, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		size_t k;
		for (k = 0; k < sizeof(fills) / sizeof(fills[0]); k++) {
			size_t pl = strlen(fills[k].ph);
			if (in[i] == '<' && i + pl <= len && !memcmp(in + i, fills[k].ph, pl)) {
				memcpy(out + n, fills[k].val, strlen(fills[k].val));
				n += strlen(fills[k].val);
				i += pl;
				break;
			}
		}
		if (k == sizeof(fills) / sizeof(fills[0]))
			out[n++] = in[i++];
	}
	return n;
}

/* <Content-Length>: the octets after the first empty line, once the rest
 * is filled (0 if there is none). */
static size_t fill_clen(char *s, size_t n)
{
	static const char ph[] = "<Content-Length>";
	const size_t pl = sizeof(ph) - 1;
	char *p = memmem(s, n, ph, pl), *blank, num[24];
	size_t body;
	int d;

	if (!p)
		return n;
	memmove(p, p + pl, n - (size_t)(p + pl - s));
	n -= pl;
	blank = memmem(s, n, "\r\n\r\n", 4);
	body = blank ? n - (size_t)(blank + 4 - s) : 0;
	d = snprintf(num, sizeof(num), "%zu", body);
	if (blank && p >= blank + 4) /* in the body itself: count its own digits */
		d = snprintf(num, sizeof(num), "%zu", body + (size_t)d);
	memmove(p + d, p, n - (size_t)(p - s));
	memcpy(p, num, (size_t)d);
	return n + (size_t)d;
}

struct tally {
	unsigned valid, invalid, reasons[32];
};

/* One case: 1 when it got a verdict, 0 when it could not be run; *verdict. */
static int run_case(const char *dir, unsigned i, int *verdict)
{
	static struct sip_hdr h[SIP_MAX_HEADERS];
	char path[512];
	struct sip_msg m;
	FILE *f;
	long sz;
	int ok = 0;

	snprintf(path, sizeof(path), "%s/testcases/%07u", dir, i);
	if (!(f = fopen(path, "rb")))
		return 0;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	char *raw = malloc((size_t)sz + 1), *out = malloc((size_t)sz * 4 + 4096);
	if (raw && out && fread(raw, 1, (size_t)sz, f) == (size_t)sz) {
		char *sp = memchr(raw, ' ', (size_t)sz);
		long n = sp ? strtol(raw, NULL, 10) : -1;
		if (sp && n >= 0 && sp + 1 + n <= raw + sz) {
			size_t len = fill_clen(out, fill(sp + 1, (size_t)n, out)), maplen;
			void *map;
			char *g = check_guard_copy(out, len, &map, &maplen);
			if (g) {
				int r = sip_msg_parse(&m, g, len, h, SIP_MAX_HEADERS, 0);
				*verdict = r < 0 ? r : sip_msg_validate(&m);
				check_guard_free(map, maplen);
				ok = 1;
			}
		}
	}
	fclose(f);
	free(raw);
	free(out);
	return ok;
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "FAIL: protos: hung (no verdict within the time limit)\n";
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

/* GROUPS.tsv rows: name, first, last, count. */
static int run_groups(const char *dir, struct tally *t)
{
	char path[512], line[256], name[128];
	unsigned first, last, count, seen = 0;
	int bad = 0;
	FILE *g;

	snprintf(path, sizeof(path), "%s/protos/GROUPS.tsv", corpus_root());
	if (!(g = fopen(path, "r"))) {
		check_report(0, "protos", "GROUPS.tsv", "cannot read");
		return 1;
	}
	while (fgets(line, sizeof(line), g)) {
		if (sscanf(line, "%127s %u %u %u", name, &first, &last, &count) != 4)
			continue; /* the header row */
		unsigned got = 0, nvalid = 0;
		for (unsigned i = first; i <= last && i < NCASES; i++) {
			int v = 1;
			if (!run_case(dir, i, &v))
				continue;
			got++;
			seen++;
			nvalid += v == 0;
			v == 0 ? t->valid++ : (t->invalid++, t->reasons[-v & 31]++);
			if (i == 0 && v != 0)
				got = 0; /* the reference case must be valid */
		}
		char why[160];
		snprintf(why, sizeof(why), "%u of %u cases got a verdict%s", got, count,
			 first == 0 ? " (case 0000000 must be valid)" : "");
		check_report(got == count, "protos", name, got == count ? NULL : why);
		printf("# protos/%s: %u valid, %u invalid\n", name, nvalid, got - nvalid);
		bad |= got != count;
	}
	fclose(g);
	if (seen != NCASES) {
		check_report(0, "protos", "all-cases", "not every case was run");
		bad = 1;
	}
	return bad;
}

int main(void)
{
	char dir[] = "/tmp/sipalg-protos.XXXXXX", cmd[1200];
	struct tally t = { 0 };
	int bad;

	signal(SIGALRM, on_alarm);
	alarm(300);
	if (!mkdtemp(dir)) {
		check_report(0, "protos", "setup", "mkdtemp failed");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "tar xzf '%s/protos/c07-sip-r2-testcases.tar.gz' -C '%s'",
		 corpus_root(), dir);
	if (system(cmd) != 0) {
		check_report(0, "protos", "setup", "tar failed (SIPALG_CORPORA?)");
		bad = 1;
	} else {
		bad = run_groups(dir, &t);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	printf("# protos: %u valid, %u invalid\n", t.valid, t.invalid);
	for (int e = 1; e < 32; e++)
		if (t.reasons[e])
			printf("#   %5u %s\n", t.reasons[e], sip_strerror(-e));
	return bad;
}
