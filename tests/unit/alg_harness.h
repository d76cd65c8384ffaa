/*
 * alg_harness.h - helpers for the engine's scenario tests: build messages
 * from readable LF templates (converted to CRLF, "{CLEN}" filled with the
 * body length), run them through one engine, and look at the bytes and
 * actions that come out.
 *
 * Addresses follow the catalogue (§B.0): phone 192.168.1.10:5062, second
 * phone 192.168.1.11, public 203.0.113.1, binding 203.0.113.1:40001,
 * registrar 203.0.113.20:5060, provider media 203.0.113.21, media ports
 * 40100-40199.
 */
#ifndef SIPALG_TEST_ALG_HARNESS_H
#define SIPALG_TEST_ALG_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alg/alg.h"
#include "alg/alg_query.h"
#include "sip/msg.h"

#define PHONE "192.168.1.10:5062"
#define BIND "203.0.113.1:40001"
#define REGISTRAR "203.0.113.20:5060"

static struct alg_result H_res;
static char H_in[16384];
static size_t H_inlen;
static char H_out[16384];
static size_t H_outlen;

static inline struct alg_addr hp(const char *s)
{
	struct alg_addr a;
	char ip[64];
	const char *colon = strrchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : strlen(s);

	memset(&a, 0, sizeof(a));
	memcpy(ip, s, n);
	ip[n] = 0;
	unsigned b[4];
	if (sscanf(ip, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) == 4) {
		a.family = 4;
		for (int i = 0; i < 4; i++)
			a.ip[i] = (uint8_t)b[i];
	}
	a.port = colon ? (uint16_t)atoi(colon + 1) : 0;
	return a;
}

static inline void h_config(struct alg_config *cfg)
{
	alg_config_defaults(cfg);
	cfg->inside[0].addr = hp("192.168.1.0");
	cfg->inside[0].len = 24;
	cfg->ninside = 1;
	cfg->public_addr = hp("203.0.113.1");
	cfg->media_port_min = 40100;
	cfg->media_port_max = 40199;
}

static inline struct alg_engine *h_engine(void)
{
	struct alg_config cfg;

	h_config(&cfg);
	return alg_new(&cfg);
}

/* LF template -> CRLF message, {CLEN} = body length. */
static inline size_t h_build(const char *tpl, char *out, size_t cap)
{
	char tmp[16384];
	size_t n = 0;

	for (const char *p = tpl; *p && n + 2 < sizeof(tmp); p++) {
		if (*p == '\n')
			tmp[n++] = '\r';
		tmp[n++] = *p;
	}
	tmp[n] = 0;
	char *body = strstr(tmp, "\r\n\r\n");
	size_t blen = body ? n - (size_t)(body + 4 - tmp) : 0;
	char *cl = strstr(tmp, "{CLEN}");
	if (!cl) {
		memcpy(out, tmp, n + 1);
		return n;
	}
	char num[16];
	int k = snprintf(num, sizeof(num), "%zu", blen);
	/* the placeholder is in the headers, so the body length is unchanged */
	size_t pre = (size_t)(cl - tmp);
	size_t m = 0;
	memcpy(out, tmp, pre);
	m = pre;
	memcpy(out + m, num, (size_t)k);
	m += (size_t)k;
	memcpy(out + m, cl + 6, n - pre - 6);
	m += n - pre - 6;
	out[m] = 0;
	(void)cap;
	return m;
}

/* Run one message over transport tr; from inside it leaves by the binding
 * 203.0.113.1:bind_port.  The output is copied to H_out (NUL-terminated). */
static inline const struct alg_result *h_run_tr_at(struct alg_engine *e, enum alg_dir dir,
						   enum alg_transport tr, const char *src,
						   const char *dst, const char *tpl, uint64_t now,
						   uint16_t bind_port)
{
	struct alg_packet pkt;

	H_inlen = h_build(tpl, H_in, sizeof(H_in));
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = H_in;
	pkt.len = H_inlen;
	pkt.dir = dir;
	pkt.transport = tr;
	pkt.src = hp(src);
	pkt.dst = hp(dst);
	pkt.now_ms = now;
	if (dir == ALG_OUT) {
		pkt.binding = hp("203.0.113.1");
		pkt.binding.port = bind_port;
	} else {
		pkt.binding = pkt.dst;
	}
	alg_process(e, &pkt, &H_res);
	H_outlen = H_res.out_len < sizeof(H_out) - 1 ? H_res.out_len : sizeof(H_out) - 1;
	memcpy(H_out, H_res.out, H_outlen);
	H_out[H_outlen] = 0;
	return &H_res;
}

/* Run one message over UDP; PHONE's binding is 203.0.113.1:40001, any
 * other inside source keeps its port. */
static inline const struct alg_result *h_run_at(struct alg_engine *e, enum alg_dir dir, const char *src,
					 const char *dst, const char *tpl, uint64_t now)
{
	uint16_t bind_port = strcmp(src, PHONE) ? hp(src).port : 40001;

	return h_run_tr_at(e, dir, ALG_UDP, src, dst, tpl, now, bind_port);
}

static uint64_t H_now = 1000;

static inline const struct alg_result *h_out(struct alg_engine *e, const char *src, const char *dst,
				      const char *tpl)
{
	return h_run_at(e, ALG_OUT, src, dst, tpl, H_now);
}

static inline const struct alg_result *h_in(struct alg_engine *e, const char *src, const char *dst,
				     const char *tpl)
{
	return h_run_at(e, ALG_IN, src, dst, tpl, H_now);
}

/* The output contains this line (exactly, CRLF-terminated or at the end). */
static inline int h_line(const char *line)
{
	size_t n = strlen(line);

	for (const char *p = H_out; (p = strstr(p, line)); p++)
		if ((p == H_out || p[-1] == '\n') && (p[n] == '\r' || p[n] == '\n' || p[n] == 0))
			return 1;
	return 0;
}

static inline int h_has(const char *s)
{
	return strstr(H_out, s) != NULL;
}

static inline int h_same(void)
{
	return H_outlen == H_inlen && !memcmp(H_out, H_in, H_inlen) && !H_res.changed;
}

/* Lines that differ between input and output; -1 if the line count differs
 * (something added or removed: B31). */
static inline int h_diff_lines(void)
{
	int a = 0, b = 0, d = 0;

	for (size_t i = 0; i < H_inlen; i++)
		a += H_in[i] == '\n';
	for (size_t i = 0; i < H_outlen; i++)
		b += H_out[i] == '\n';
	if (a != b)
		return -1;
	const char *p = H_in, *q = H_out;
	for (int i = 0; i < a; i++) {
		const char *pe = strchr(p, '\n'), *qe = strchr(q, '\n');
		if (pe - p != qe - q || memcmp(p, q, (size_t)(pe - p)))
			d++;
		p = pe + 1;
		q = qe + 1;
	}
	return d;
}

/* Content-Length equals the real body length of the output. */
static inline int h_clen_ok(void)
{
	struct sip_hdr hdrs[128];
	struct sip_msg m;

	if (sip_msg_parse(&m, H_out, H_outlen, hdrs, 128, 0) < 0)
		return 0;
	return m.content_length < 0 || (uint64_t)m.content_length == H_outlen - m.body_off;
}

static inline int h_count(enum alg_action_kind k)
{
	int n = 0;

	for (unsigned i = 0; i < H_res.nactions; i++)
		n += H_res.actions[i].kind == k;
	return n;
}

static inline const struct alg_action *h_action(enum alg_action_kind k, int nth)
{
	for (unsigned i = 0; i < H_res.nactions; i++)
		if (H_res.actions[i].kind == k && nth-- == 0)
			return &H_res.actions[i];
	return NULL;
}

static inline uint32_t h_open_pinholes(struct alg_engine *e)
{
	struct alg_counters c;

	alg_get_counters(e, &c);
	return c.pinholes_open;
}

#endif
