/*
 * test_identity.c - the edit list's invariants over every corpus message.
 *
 * For each message the parser accepts (as a datagram):
 *   1. rendering with no edits gives the input byte for byte;
 *   2. if it carries SDP (plain or multipart), rewriting every o=/c=
 *      address, m= port and a=rtcp port/address (to values of a different
 *      length) renders a message that re-parses, whose Content-Length is
 *      the real body length, and whose SDP now holds the new values;
 *   3. sip_frame() agrees with sip_msg_parse(SIP_PARSE_STREAM) on where
 *      the message ends.
 * Messages the parser rejects are counted, not judged here (test_msg
 * judges them).  One PASS/FAIL line per corpus folder, per file for
 * RFC 4475.  Corpora: $SIPALG_CORPORA (../shared/corpora); the kernel
 * lab messages come from ../reference/kernel-lab/msgs next to it.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sip/body.h"
#include "sip/edit.h"
#include "sip/error.h"
#include "sip/frame.h"
#include "sip/limits.h"
#include "sip/msg.h"
#include "sip/sdp.h"

#define HDRS 128
#define MAX_TARGETS 128
#define OUT_CAP (2 * SIP_MAX_MSG_SIZE)

struct tally {
	unsigned total, parsed, rejected, sdp, sdp_rejected, rewritten, framed;
	unsigned bad;
	char why[300];
};

/* What gets rewritten: a span of the message and its new text. */
struct target {
	struct sip_span s;
	const char *to;
};

static void fail(struct tally *t, const char *name, const char *fmt, const char *detail)
{
	if (t->bad++ == 0)
		snprintf(t->why, sizeof(t->why), "%s: %s%s", name, fmt, detail ? detail : "");
}

static const char *new_addr(uint8_t family)
{
	return family == 4 ? "203.0.113.100" : family == 6 ? "2001:db8::ffff:1" : "alg.example.net";
}

static unsigned add_conn(struct target *v, unsigned n, const struct sdp_conn *c)
{
	if (sip_span_present(c->addr) && n < MAX_TARGETS)
		v[n++] = (struct target){ c->addr, new_addr(c->family) };
	return n;
}

/* Every address and port of one SDP, in a fixed order. */
static unsigned targets(const struct sdp *s, struct target *v, unsigned n)
{
	if (s->has_origin)
		n = add_conn(v, n, &s->origin.addr);
	if (s->has_conn)
		n = add_conn(v, n, &s->conn);
	for (unsigned i = 0; i < s->nmedia && n + 4 <= MAX_TARGETS; i++) {
		const struct sdp_media *m = &s->media[i];
		v[n++] = (struct target){ m->port, "40000" };
		if (m->has_conn)
			n = add_conn(v, n, &m->conn);
		if (m->has_rtcp) {
			v[n++] = (struct target){ m->rtcp_port, "40001" };
			n = add_conn(v, n, &m->rtcp_addr);
		}
	}
	return n;
}

/* Parse every SDP of a message and list its targets; -1 if one fails. */
static int collect(const struct sip_msg *m, struct target *v, unsigned *nv, int *nsdp)
{
	static struct sdp_media media[SDP_MAX_MEDIA];
	struct sip_span parts[SIP_MAX_PARTS];
	struct sdp s;
	int k = sip_body_sdps(m, parts, SIP_MAX_PARTS);

	*nv = 0;
	*nsdp = k;
	if (k < 0)
		return -1;
	for (int i = 0; i < k; i++) {
		if (sdp_parse(&s, m->buf, parts[i], media, SDP_MAX_MEDIA) < 0)
			return -1;
		*nv = targets(&s, v, *nv);
	}
	return 0;
}

static void check_identity(struct tally *t, const char *name, const struct sip_msg *m,
			   char *out)
{
	struct sip_edits e;
	struct sip_edit ev[1];
	char pool[1];
	int n;

	sip_edits_init(&e, m->len, ev, 1, pool, sizeof(pool));
	n = sip_render(m, &e, out, OUT_CAP);
	if (n != (int)m->len || memcmp(out, m->buf, m->len) != 0)
		fail(t, name, "empty edit list does not reproduce the input", NULL);
}

/* The rewritten message re-parses, its Content-Length is right, and its
 * SDP holds the new values in the same places. */
static void check_reparse(struct tally *t, const char *name, const struct sip_msg *m,
			  const char *out, int n, int64_t delta, unsigned nv)
{
	static struct sip_hdr h2[HDRS];
	static struct target v2[MAX_TARGETS];
	struct sip_msg m2;
	unsigned nv2;
	int nsdp, rc = sip_msg_parse(&m2, out, (size_t)n, h2, HDRS, 0);

	if (rc < 0) {
		fail(t, name, "rewritten message does not re-parse: ", sip_strerror(rc));
		return;
	}
	if ((int64_t)m2.body_len != (int64_t)m->body_len + delta ||
	    (m->clen_hdr >= 0 && m2.content_length != (int64_t)m2.body_len) ||
	    (m->clen_hdr < 0 && m2.clen_hdr >= 0)) {
		fail(t, name, "wrong Content-Length after rewrite", NULL);
		return;
	}
	if (collect(&m2, v2, &nv2, &nsdp) < 0 || nv2 != nv) {
		fail(t, name, "rewritten SDP does not re-parse the same", NULL);
		return;
	}
	for (unsigned i = 0; i < nv2; i++)
		if (!sip_span_eq(out, v2[i].s, v2[i].to))
			fail(t, name, "rewritten value not where expected", NULL);
}

static void check_rewrite(struct tally *t, const char *name, const struct sip_msg *m, char *out)
{
	static struct target v[MAX_TARGETS];
	static struct sip_edit ev[MAX_TARGETS];
	static char pool[MAX_TARGETS * 20];
	struct sip_edits e;
	unsigned nv;
	int nsdp, n;
	int64_t delta = 0;

	if (collect(m, v, &nv, &nsdp) < 0) {
		t->sdp_rejected++;
		return;
	}
	if (nsdp == 0)
		return;
	t->sdp++;
	sip_edits_init(&e, m->len, ev, MAX_TARGETS, pool, sizeof(pool));
	for (unsigned i = 0; i < nv; i++) {
		if (sip_edits_add(&e, v[i].s.off, v[i].s.len, v[i].to, strlen(v[i].to)) < 0) {
			fail(t, name, "edit rejected", NULL);
			return;
		}
		delta += (int64_t)strlen(v[i].to) - v[i].s.len;
	}
	n = sip_render(m, &e, out, OUT_CAP);
	if (n < 0) {
		fail(t, name, "render failed: ", sip_strerror(n));
		return;
	}
	t->rewritten++;
	check_reparse(t, name, m, out, n, delta, nv);
}

/* sip_frame and the stream parser agree on the end of the message. */
static void check_frame(struct tally *t, const char *name, const char *buf, size_t len)
{
	static struct sip_hdr h[HDRS];
	struct sip_msg m;
	size_t fl = 0;
	int r = sip_msg_parse(&m, buf, len, h, HDRS, SIP_PARSE_STREAM);
	int f = sip_frame(buf, len, &fl);

	if (r <= 0 || f == SIP_FRAME_PING || f == SIP_FRAME_PONG)
		return;
	t->framed++;
	if (f != SIP_FRAME_MESSAGE || fl != (size_t)r)
		fail(t, name, "sip_frame disagrees with the stream parser", NULL);
}

static void one_msg(struct tally *t, const char *name, const char *buf, size_t len)
{
	static struct sip_hdr h[HDRS];
	static char out[OUT_CAP];
	struct sip_msg m;

	t->total++;
	check_frame(t, name, buf, len);
	if (sip_msg_parse(&m, buf, len, h, HDRS, 0) < 0) {
		t->rejected++;
		return;
	}
	t->parsed++;
	check_identity(t, name, &m, out);
	check_rewrite(t, name, &m, out);
}

static int report(const char *suite, const struct tally *t)
{
	char line[400];

	if (t->bad) {
		snprintf(line, sizeof(line), "%u of %u messages failed, first %s", t->bad, t->total,
			 t->why);
		check_report(0, "identity", suite, line);
		return 1;
	}
	if (t->total == 0) {
		check_report(0, "identity", suite, "no messages found");
		return 1;
	}
	printf("PASS: identity/%s (%u messages: %u parsed and identical, %u rejected by the "
	       "parser; %u with SDP rewritten and re-parsed, %u SDP rejected; %u framed)\n",
	       suite, t->total, t->parsed, t->rejected, t->rewritten, t->sdp_rejected, t->framed);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		b = malloc((size_t)n + 1);
		if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
			free(b);
			b = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return b;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted regular-file names of a directory (NULL-terminated, malloc'd). */
static char **list_dir(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = calloc(8192, sizeof(*v));
	size_t n = 0, sl = suffix ? strlen(suffix) : 0;

	if (!d)
		return v;
	while ((de = readdir(d)) && n < 8191) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || de->d_type == DT_DIR || !strcmp(de->d_name, "INDEX.md"))
			continue;
		if (suffix && (l < sl || strcmp(de->d_name + l - sl, suffix)))
			continue;
		v[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp_str);
	return v;
}

static void free_list(char **v)
{
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

/* Each file of a folder is one datagram as stored. */
static int folder(const char *root, const char *sub, const char *suffix, int per_file)
{
	char dir[1024], path[1280];
	char **names;
	struct tally all = { 0 };
	int bad = 0;

	snprintf(dir, sizeof(dir), "%s/%s", root, sub);
	names = list_dir(dir, suffix);
	for (char **p = names; *p; p++) {
		struct tally one = { 0 };
		size_t len = 0;
		char *b;
		snprintf(path, sizeof(path), "%s/%s", dir, *p);
		b = slurp(path, &len);
		if (!b)
			continue;
		one_msg(per_file ? &one : &all, *p, b, len);
		free(b);
		if (per_file) {
			snprintf(path, sizeof(path), "%s/%s", sub, *p);
			bad |= report(path, &one);
		}
	}
	free_list(names);
	if (!per_file)
		bad |= report(sub, &all);
	return bad;
}

/* Replace every `from` in s[0, *n) by `to` (buffer cap bytes). */
static void subst(char *s, size_t *n, size_t cap, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to);
	char *p = s;

	while ((p = memmem(p, *n - (size_t)(p - s), from, fl))) {
		if (*n - fl + tl > cap)
			return;
		memmove(p + tl, p + fl, *n - (size_t)(p - s) - fl);
		memcpy(p, to, tl);
		*n = *n - fl + tl;
		p += tl;
	}
}

/* The placeholder that stands for the body length is filled last, with
 * the body length after every other substitution (protos/INDEX.md,
 * kernel-lab peer.py). */
static void fill_clen(char *s, size_t *n, size_t cap, const char *ph)
{
	char *e = memmem(s, *n, "\r\n\r\n", 4);
	char num[24];

	snprintf(num, sizeof(num), "%zu", e ? *n - (size_t)(e + 4 - s) : (size_t)0);
	subst(s, n, cap, ph, num);
}

/* What the library says about a message's SDP. */
enum verdict { V_MSG_REJECTED, V_NO_SDP, V_SDP_OK, V_SDP_REJECTED, V__COUNT };

static enum verdict sdp_verdict(const char *buf, size_t len)
{
	static struct sip_hdr h[HDRS];
	static struct sdp_media media[SDP_MAX_MEDIA];
	struct sip_msg m;
	struct sip_span part;
	struct sdp s;

	if (sip_msg_parse(&m, buf, len, h, HDRS, 0) < 0)
		return V_MSG_REJECTED;
	if (sip_body_sdp(&m, &part) <= 0)
		return V_NO_SDP;
	return sdp_parse(&s, buf, part, media, SDP_MAX_MEDIA) < 0 ? V_SDP_REJECTED : V_SDP_OK;
}

/* One PROTOS case: "<N> <N octets><M> <M octets>", both PDUs checked.
 * Returns the SDP verdict on the INVITE. */
static enum verdict protos_case(struct tally *t, const char *name, const char *c, size_t len)
{
	enum verdict v = V_MSG_REJECTED;
	static const char *const ph[][2] = {
		{ "<To>", "bob@192.0.2.20" },         { "<From>", "alice@192.168.1.10" },
		{ "<From-Address>", "192.168.1.10" }, { "<Teardown-Method>", "CANCEL" },
		{ "<CSeq>", "1" },                    { "<Local-Port>", "5060" },
		{ "<Branch-ID>", "7" },               { "<From-IP>", "192.168.1.10" },
		{ "<Call-ID>", "protos1" },
	};
	static char buf[1u << 20];
	size_t pos = 0;

	for (int pdu = 0; pdu < 2 && pos < len; pdu++) {
		char *end;
		unsigned long n = strtoul(c + pos, &end, 10);
		size_t m;
		if (end == c + pos || *end != ' ' || n > len - (size_t)(end + 1 - c) ||
		    n > sizeof(buf) / 2)
			return v;
		m = n;
		memcpy(buf, end + 1, m);
		for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++)
			subst(buf, &m, sizeof(buf), ph[i][0], ph[i][1]);
		fill_clen(buf, &m, sizeof(buf), "<Content-Length>");
		one_msg(t, name, buf, m);
		if (pdu == 0)
			v = sdp_verdict(buf, m);
		pos = (size_t)(end + 1 - c) + n;
	}
	return v;
}

/* PROTOS groups (GROUPS.tsv: group, first case, last case, count). */
struct pgroup {
	char name[48];
	unsigned first, last;
	unsigned v[V__COUNT];
};

static unsigned load_groups(const char *root, struct pgroup *g, unsigned cap)
{
	char path[1200], line[256];
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/protos/GROUPS.tsv", root);
	if (!(f = fopen(path, "r")))
		return 0;
	while (n < cap && fgets(line, sizeof(line), f)) {
		memset(&g[n], 0, sizeof(g[n]));
		if (sscanf(line, "%47s %u %u", g[n].name, &g[n].first, &g[n].last) == 3)
			n++;
	}
	fclose(f);
	return n;
}

static struct pgroup *group_of(struct pgroup *g, unsigned n, unsigned id)
{
	for (unsigned i = 0; i < n; i++)
		if (id >= g[i].first && id <= g[i].last)
			return &g[i];
	return NULL;
}

/*
 * The SDP verdicts of the sdp-* groups, on one line.  What must hold: the
 * valid case's SDP is accepted; a description whose first line is not
 * "v=0" (sdp-proto-v-identifier, -equal) is never accepted.
 */
static int protos_verdicts(struct pgroup *g, unsigned n)
{
	char line[4096], why[200] = "";
	size_t o = 0;
	int ok = n > 0;

	for (unsigned i = 0; i < n; i++) {
		const unsigned *v = g[i].v;
		if (!strcmp(g[i].name, "valid") && v[V_SDP_OK] != 1)
			snprintf(why, sizeof(why), "the valid case's SDP is not accepted");
		if ((!strcmp(g[i].name, "sdp-proto-v-identifier") ||
		     !strcmp(g[i].name, "sdp-proto-v-equal")) && v[V_SDP_OK])
			snprintf(why, sizeof(why), "%.40s: %u accepted", g[i].name, v[V_SDP_OK]);
		if (strncmp(g[i].name, "sdp-", 4) || o >= sizeof(line) - 100)
			continue;
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s%s %u ok/%u rejected",
				      o ? ", " : "", g[i].name + 4, v[V_SDP_OK], v[V_SDP_REJECTED]);
	}
	ok = ok && !why[0];
	if (ok)
		printf("PASS: identity/protos/sdp-verdicts (SDP accepted/rejected per group: %s)\n",
		       line);
	else
		check_report(0, "identity", "protos/sdp-verdicts", why[0] ? why : "no GROUPS.tsv");
	return !ok;
}

/* All 4527 cases, read from the tar.gz through gzip (ustar: 512-octet
 * headers, size in octal at 124, data padded to 512). */
static int protos_all(const char *root)
{
	static struct pgroup groups[80];
	unsigned ng = load_groups(root, groups, 80);
	char cmd[1200];
	struct tally t = { 0 };
	size_t cap = 64u << 20, n = 0, r;
	char *tar = malloc(cap);
	FILE *p;
	int bad;

	snprintf(cmd, sizeof(cmd), "gzip -dc '%s/protos/c07-sip-r2-testcases.tar.gz'", root);
	p = popen(cmd, "r");
	while (p && tar && n < cap && (r = fread(tar + n, 1, cap - n, p)) > 0)
		n += r;
	if (p)
		pclose(p);
	for (size_t off = 0; tar && off + 512 <= n && tar[off];) {
		const char *h = tar + off;
		size_t sz = strtoul(h + 124, NULL, 8);
		if (off + 512 + sz > n)
			break;
		if (h[156] == '0' || h[156] == 0) {
			const char *slash = strrchr(h, '/');
			struct pgroup *g = group_of(groups, ng, (unsigned)atoi(slash ? slash + 1 : h));
			enum verdict v = protos_case(&t, h, tar + off + 512, sz);
			if (g)
				g->v[v]++;
		}
		off += 512 + (sz + 511) / 512 * 512;
	}
	free(tar);
	bad = report("protos/all", &t);
	return protos_verdicts(groups, ng) | bad;
}

static int protos_sample(const char *root)
{
	char dir[1024], path[1280];
	char **names;
	struct tally t = { 0 };

	snprintf(dir, sizeof(dir), "%s/protos/sample", root);
	names = list_dir(dir, NULL);
	for (char **p = names; *p; p++) {
		size_t len;
		char *b;
		snprintf(path, sizeof(path), "%s/%s", dir, *p);
		if ((b = slurp(path, &len))) {
			protos_case(&t, *p, b, len);
			free(b);
		}
	}
	free_list(names);
	return report("protos/sample", &t);
}

/* LF -> CRLF in place (buffer has room for it). */
static void to_crlf(char *s, size_t *n, size_t cap)
{
	subst(s, n, cap, "\r\n", "\n");
	subst(s, n, cap, "\n", "\r\n");
}

/* Kernel lab templates (peer.py render): placeholders, CRLF, {CLEN}. */
static int kernel_lab(const char *root)
{
	static const char *const ph[][2] = {
		{ "{LPORT}", "5062" }, { "{RPORT}", "5070" }, { "{RTP}", "30000" },
		{ "{RTCP}", "30001" }, { "{VRTP}", "30002" },
	};
	static char buf[2 * SIP_MAX_MSG_SIZE];
	char dir[1024], path[1280];
	char **names;
	struct tally t = { 0 };

	snprintf(dir, sizeof(dir), "%s/../reference/kernel-lab/msgs", root);
	names = list_dir(dir, ".txt");
	for (char **p = names; *p; p++) {
		size_t len;
		char *b;
		snprintf(path, sizeof(path), "%s/%s", dir, *p);
		if (!(b = slurp(path, &len)) || len > SIP_MAX_MSG_SIZE) {
			free(b);
			continue;
		}
		memcpy(buf, b, len);
		free(b);
		for (size_t i = 0; i < sizeof(ph) / sizeof(ph[0]); i++)
			subst(buf, &len, sizeof(buf), ph[i][0], ph[i][1]);
		to_crlf(buf, &len, sizeof(buf));
		fill_clen(buf, &len, sizeof(buf), "{CLEN}");
		one_msg(&t, *p, buf, len);
	}
	free_list(names);
	return report("kernel-lab/msgs", &t);
}

/* Catalogue B5/B24 on lab t06: rewriting 192.168.1.10 -> 203.0.113.1 in
 * the SDP part of multipart/mixed takes Content-Length from 312 to 310. */
static int kernel_lab_t06(const char *root)
{
	static char buf[8192], out[8192];
	static struct sip_hdr h[HDRS];
	struct sdp_media media[SDP_MAX_MEDIA];
	struct sip_edit ev[4];
	char pool[64], path[1280];
	struct sip_edits e;
	struct sip_span part;
	struct sip_msg m, m2;
	struct sdp s;
	size_t len = 0;
	char *b;
	int n, ok;

	snprintf(path, sizeof(path), "%s/../reference/kernel-lab/msgs/t06_multipart.txt", root);
	if (!(b = slurp(path, &len)) || len > 4000) {
		free(b);
		check_report(0, "identity", "kernel-lab/t06-B24", "cannot read t06_multipart.txt");
		return 1;
	}
	memcpy(buf, b, len);
	free(b);
	subst(buf, &len, sizeof(buf), "{LPORT}", "5086");
	to_crlf(buf, &len, sizeof(buf));
	fill_clen(buf, &len, sizeof(buf), "{CLEN}");
	ok = sip_msg_parse(&m, buf, len, h, HDRS, 0) > 0 && m.content_length == 312 &&
	     sip_body_sdp(&m, &part) == 1 && sdp_parse(&s, buf, part, media, SDP_MAX_MEDIA) == 1;
	sip_edits_init(&e, m.len, ev, 4, pool, sizeof(pool));
	ok = ok && sip_edits_add(&e, s.origin.addr.addr.off, s.origin.addr.addr.len, "203.0.113.1", 11) == 0 &&
	     sip_edits_add(&e, s.conn.addr.off, s.conn.addr.len, "203.0.113.1", 11) == 0;
	n = ok ? sip_render(&m, &e, out, sizeof(out)) : -1;
	ok = ok && n > 0 && sip_msg_parse(&m2, out, (size_t)n, h, HDRS, 0) == n &&
	     m2.content_length == 310 && m2.body_off + 310 == (uint32_t)n &&
	     memcmp(out + m2.body_off, buf + m.body_off, 21) == 0 &&
	     memcmp(out + n - 25, "\r\n--unique-boundary-1--\r\n", 25) == 0;
	check_report(ok, "identity", "kernel-lab/t06-B24 (Content-Length 312 -> 310)",
		     ok ? NULL : "Content-Length not 310 or body changed outside the SDP");
	return !ok;
}

int main(void)
{
	const char *root = getenv("SIPALG_CORPORA");
	int bad = 0;

	if (!root || !*root)
		root = "../shared/corpora";
	bad |= folder(root, "rfc4475", ".dat", 1);
	bad |= folder(root, "rfc4475/variants", ".dat", 1);
	bad |= folder(root, "rfc5118/wire", NULL, 0);
	bad |= folder(root, "rfc5118", NULL, 0);
	bad |= protos_sample(root);
	bad |= protos_all(root);
	bad |= kernel_lab(root);
	bad |= kernel_lab_t06(root);
	fflush(stdout);
	return bad;
}
