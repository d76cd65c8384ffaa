/*
 * test_alg_corpus.c - every corpus message through one ALG engine, both
 * directions: nothing is dropped (no registration means no strict drop),
 * a rewritten message re-parses, validates, has the right Content-Length
 * and the same number of lines (B31), an unchanged one is the input
 * itself; at the end, expiring far ahead leaves no call or pinhole.
 * One PASS/FAIL line per folder.  Corpora: $SIPALG_CORPORA; the kernel lab
 * messages come from ../reference/kernel-lab/msgs next to it (placeholders
 * filled as the lab's peer.py does).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "alg/alg.h"
#include "alg/alg_query.h"
#include "sip/limits.h"
#include "sip/msg.h"

struct tally {
	unsigned total, rewritten, unchanged, unparsed, bad;
	char why[300];
};

static struct alg_engine *E;
static struct alg_result R;
static uint64_t Now = 1000;

static struct alg_addr v4(unsigned a, unsigned b, unsigned c, unsigned d, unsigned port)
{
	struct alg_addr x = { .family = 4, .port = (uint16_t)port };
	x.ip[0] = (uint8_t)a;
	x.ip[1] = (uint8_t)b;
	x.ip[2] = (uint8_t)c;
	x.ip[3] = (uint8_t)d;
	return x;
}

static unsigned lines(const char *p, size_t n)
{
	unsigned k = 0;
	for (size_t i = 0; i < n; i++)
		k += p[i] == '\n';
	return k;
}

static void judge(struct tally *t, const char *name, const char *buf, size_t len, int dir)
{
	static struct sip_hdr h[SIP_MAX_HEADERS];
	struct sip_msg m;
	const char *why = NULL;

	if (R.verdict != ALG_FORWARD)
		why = "not forwarded";
	else if (!R.changed && (R.out != buf || R.out_len != len))
		why = "unchanged but not the input";
	else if (R.changed) {
		if (sip_msg_parse(&m, R.out, R.out_len, h, SIP_MAX_HEADERS, 0) < 0 ||
		    sip_msg_validate(&m) < 0)
			why = "rewritten message does not re-parse";
		else if (m.content_length >= 0 && (uint64_t)m.content_length != m.body_len)
			why = "Content-Length wrong after rewrite";
		else if (lines(R.out, R.out_len) != lines(buf, len))
			why = "a line was added or removed";
	}
	if (why && t->bad++ == 0)
		snprintf(t->why, sizeof(t->why), "%s (%s): %s", name, dir ? "in" : "out", why);
	if (R.changed)
		t->rewritten++;
	else if (R.reason && !strstr(R.reason, "nothing") && !strstr(R.reason, "left alone"))
		t->unparsed++;
	else
		t->unchanged++;
}

static void one(struct tally *t, const char *name, const char *buf, size_t len)
{
	struct alg_packet p = { .data = buf, .len = len, .dir = ALG_OUT };

	t->total++;
	p.src = v4(192, 168, 1, 10, 5060);
	p.dst = v4(203, 0, 113, 20, 5060);
	p.binding = v4(203, 0, 113, 1, 40001);
	p.now_ms = Now += 10;
	alg_process(E, &p, &R);
	judge(t, name, buf, len, 0);
	p.dir = ALG_IN;
	p.src = v4(203, 0, 113, 20, 5060);
	p.dst = v4(203, 0, 113, 1, 40001);
	p.binding = p.dst;
	p.inside = v4(192, 168, 1, 10, 5060);
	alg_process(E, &p, &R);
	judge(t, name, buf, len, 1);
}

static int report(const char *suite, const struct tally *t)
{
	char line[500];

	if (t->bad || !t->total) {
		snprintf(line, sizeof(line), "%u of %u failed, first %s", t->bad, t->total,
			 t->total ? t->why : "no messages found");
		check_report(0, "alg_corpus", suite, line);
		return 1;
	}
	printf("PASS: alg_corpus/%s (%u messages x 2 directions: %u rewritten, %u unchanged, "
	       "%u not parsed and forwarded as is)\n",
	       suite, t->total, t->rewritten, t->unchanged, t->unparsed);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;

	if (!f)
		return NULL;
	b = malloc(2 * SIP_MAX_MSG_SIZE + 1);
	*len = b ? fread(b, 1, 2 * SIP_MAX_MSG_SIZE, f) : 0;
	fclose(f);
	return b;
}

/* Kernel-lab templates: LF -> CRLF, {LPORT} {RTP} ... filled, {CLEN} last. */
static size_t fill_lab(const char *in, size_t n, char *out, size_t cap)
{
	static const char *const ph[][2] = {
		{ "{LPORT}", "5060" }, { "{RPORT}", "40001" }, { "{RTP}", "30000" },
		{ "{RTCP}", "30001" }, { "{VRTP}", "30002" },
	};
	size_t k = 0;

	for (size_t i = 0; i < n && k + 8 < cap; i++) {
		size_t j;
		for (j = 0; j < sizeof(ph) / sizeof(ph[0]); j++) {
			size_t l = strlen(ph[j][0]);
			if (i + l <= n && !memcmp(in + i, ph[j][0], l)) {
				k += (size_t)snprintf(out + k, cap - k, "%s", ph[j][1]);
				i += l - 1;
				break;
			}
		}
		if (j < sizeof(ph) / sizeof(ph[0]))
			continue;
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			out[k++] = '\r';
		out[k++] = in[i];
	}
	out[k] = 0;
	char *cl = strstr(out, "{CLEN}"), *body = strstr(out, "\r\n\r\n");
	if (cl && body) {
		char num[16];
		size_t blen = k - (size_t)(body + 4 - out);
		int w = snprintf(num, sizeof(num), "%zu", blen);
		memmove(cl + w, cl + 6, k - (size_t)(cl + 6 - out) + 1);
		memcpy(cl, num, (size_t)w);
		k = k - 6 + (size_t)w;
	}
	return k;
}

static int folder(const char *dir, const char *suite, const char *suffix, int lab)
{
	struct tally t = { 0 };
	struct dirent *de;
	DIR *d = opendir(dir);
	static char filled[2 * SIP_MAX_MSG_SIZE + 64];

	while (d && (de = readdir(d))) {
		char path[1400];
		size_t len, l = strlen(de->d_name), sl = strlen(suffix);
		if (de->d_name[0] == '.' || l < sl || strcmp(de->d_name + l - sl, suffix) ||
		    !strcmp(de->d_name, "INDEX.md"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		char *b = slurp(path, &len);
		if (!b)
			continue;
		if (lab) {
			len = fill_lab(b, len, filled, sizeof(filled));
			one(&t, de->d_name, filled, len);
		} else {
			one(&t, de->d_name, b, len);
		}
		free(b);
	}
	if (d)
		closedir(d);
	return report(suite, &t);
}

int main(void)
{
	const char *root = getenv("SIPALG_CORPORA");
	char dir[1024];
	struct alg_config cfg;
	int bad = 0;

	if (!root || !*root)
		root = "../shared/corpora";
	alg_config_defaults(&cfg);
	cfg.inside[0].addr = v4(192, 168, 0, 0, 0);
	cfg.inside[0].len = 16;
	cfg.inside[1].addr = v4(10, 0, 0, 0, 0);
	cfg.inside[1].len = 8;
	cfg.ninside = 2;
	cfg.public_addr = v4(203, 0, 113, 1, 0);
	E = alg_new(&cfg);
	snprintf(dir, sizeof(dir), "%s/rfc4475", root);
	bad |= folder(dir, "rfc4475", ".dat", 0);
	snprintf(dir, sizeof(dir), "%s/rfc5118", root);
	bad |= folder(dir, "rfc5118", "", 0);
	snprintf(dir, sizeof(dir), "%s/../reference/kernel-lab/msgs", root);
	bad |= folder(dir, "kernel-lab", ".txt", 1);

	struct alg_counters c;
	for (int g = 0; g < 10000 && alg_next_deadline(E) != UINT64_MAX; g++)
		alg_expire(E, 1000ull * 3600 * 1000, &R);
	alg_get_counters(E, &c);
	int ok = c.pinholes_open == 0 && c.calls == 0 && c.pinholes_opened == c.pinholes_closed;
	check_report(ok, "alg_corpus", "after expiry no call or pinhole is left", "leftovers");
	bad |= !ok;
	alg_free(E);
	return bad;
}
