/*
 * classify.c - addresses and scope (rule 10): which addresses are inside,
 * and whether a packet is one this box NATs to its public address.
 *
 * Addresses in messages are literals only (RFC 3261 §25.1 IPv4address /
 * IPv6reference); a hostname is never "ours" and is left alone.
 */
#include <arpa/inet.h>

#include "engine_int.h"

/* Dotted-quad IPv4 exactly as inet_pton(AF_INET) takes it: four decimal
 * parts 0-255, no leading zero, nothing else.  0 or -1.  By hand because
 * it runs for every address in every message and inet_pton needs a
 * NUL-terminated copy.  The text (7 to 15 octets) is copied into a zeroed
 * 16-octet buffer first: every read below stays inside it, and the NUL
 * after the text ends the last part, so no step checks a bound. */
static int ipv4_parse(uint8_t *ip, const char *p, size_t n)
{
	unsigned char t[16] = { 0 };
	const unsigned char *s = t;

	if (n < 7 || n > 15)
		return -1;
	memcpy(t, p, n);
	for (int part = 0; part < 4; part++) {
		unsigned v = (unsigned)(s[0] - '0'), d;
		if (v > 9)
			return -1;
		if ((d = (unsigned)(s[1] - '0')) > 9) {
			s += 1;
		} else if (!v) {
			return -1; /* a leading zero */
		} else if (v = v * 10 + d, (d = (unsigned)(s[2] - '0')) > 9) {
			s += 2;
		} else if ((v = v * 10 + d) > 255) {
			return -1;
		} else {
			s += 3;
		}
		ip[part] = (uint8_t)v;
		/* a dot after parts 0-2, the end of the text after part 3 (a
		 * fourth digit or a NUL inside the text fails here too) */
		if (*s++ != (part < 3 ? '.' : 0))
			return -1;
	}
	return s == t + n + 1 ? 0 : -1;
}

/* Parse an IP literal (IPv6 with or without brackets).  0 or -1. */
int alg_addr_parse(struct alg_addr *a, const char *p, size_t n)
{
	char tmp[64];

	memset(a, 0, sizeof(*a));
	if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
		p++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	if (ipv4_parse(a->ip, p, n) == 0) {
		a->family = 4;
		return 0;
	}
	memset(a->ip, 0, sizeof(a->ip));
	if (!memchr(p, ':', n))
		return -1; /* every IPv6 literal has a colon */
	memcpy(tmp, p, n);
	tmp[n] = 0;
	if (inet_pton(AF_INET6, tmp, a->ip) == 1) {
		a->family = 6;
		return 0;
	}
	memset(a->ip, 0, sizeof(a->ip));
	return -1;
}

int alg_addr_from_span(struct alg_addr *a, const char *base, struct sip_span s)
{
	if (!sip_span_present(s))
		return -1;
	return alg_addr_parse(a, base + s.off, s.len);
}

/* Fixed-size compares: the compiler does them inline, where a compare of
 * a variable size is a library call. */
static int ip_same(const uint8_t *x, const uint8_t *y, uint8_t family)
{
	return family == 4 ? !memcmp(x, y, 4) : !memcmp(x, y, 16);
}

int alg_msg_addr(struct alg_ctx *c, struct sip_span s, struct alg_addr *a)
{
	struct alg_engine *e = c->e;
	const char *b = c->buf;
	int rc;

	if (!sip_span_present(s))
		return -1; /* as alg_addr_from_span(): *a untouched */
	for (unsigned i = 0; i < c->nmemo; i++) {
		struct sip_span t = e->memo_text[i];
		if (t.len == s.len && (t.off == s.off || !memcmp(b + t.off, b + s.off, s.len))) {
			*a = e->memo[i];
			return e->memo_rc[i];
		}
	}
	rc = alg_addr_parse(a, b + s.off, s.len);
	if (c->nmemo < ALG_ADDR_MEMO) {
		e->memo_text[c->nmemo] = s;
		e->memo[c->nmemo] = *a;
		e->memo_rc[c->nmemo++] = rc;
	}
	return rc;
}

int alg_addr_ip_eq(const struct alg_addr *a, const struct alg_addr *b)
{
	return a->family && a->family == b->family && ip_same(a->ip, b->ip, a->family);
}

int alg_addr_eq(const struct alg_addr *a, const struct alg_addr *b)
{
	return alg_addr_ip_eq(a, b) && a->port == b->port;
}

/* 0.0.0.0 or :: - "no address", used for hold (RFC 3264 §8.4). */
int alg_addr_is_any(const struct alg_addr *a)
{
	static const uint8_t zero[16];

	return a->family && ip_same(a->ip, zero, a->family);
}

static int prefix_match(const struct alg_prefix *p, const struct alg_addr *a)
{
	unsigned bits = p->len, nb = a->family == 4 ? 32 : 128;

	if (p->addr.family != a->family || bits > nb)
		return 0;
	if (nb == 32) { /* one word, the common case */
		uint32_t x = (uint32_t)p->addr.ip[0] << 24 | (uint32_t)p->addr.ip[1] << 16 |
			     (uint32_t)p->addr.ip[2] << 8 | p->addr.ip[3];
		uint32_t y = (uint32_t)a->ip[0] << 24 | (uint32_t)a->ip[1] << 16 |
			     (uint32_t)a->ip[2] << 8 | a->ip[3];
		return bits == 0 || !((x ^ y) >> (32 - bits));
	}
	if (memcmp(p->addr.ip, a->ip, bits / 8))
		return 0;
	if (bits % 8) {
		uint8_t mask = (uint8_t)(0xff << (8 - bits % 8));
		if ((p->addr.ip[bits / 8] ^ a->ip[bits / 8]) & mask)
			return 0;
	}
	return 1;
}

/* Exact prefix arithmetic: 192.168.1.1 never matches 192.168.1.10 (B2). */
static uint32_t ip4_word(const uint8_t *ip)
{
	uint32_t w;

	memcpy(&w, ip, 4);
	return ntohl(w);
}

int alg_is_inside(const struct alg_config *cfg, const struct alg_addr *a)
{
	if (a->family == 4) { /* prefix_match() for IPv4, the address read once */
		uint32_t y = ip4_word(a->ip);
		if (!y)
			return 0; /* 0.0.0.0 */
		for (unsigned i = 0; i < cfg->ninside && i < ALG_MAX_INSIDE; i++) {
			const struct alg_prefix *p = &cfg->inside[i];
			if (p->addr.family == 4 && p->len <= 32 &&
			    (p->len == 0 || !((ip4_word(p->addr.ip) ^ y) >> (32 - p->len))))
				return 1;
		}
		return 0;
	}
	if (!a->family || alg_addr_is_any(a))
		return 0;
	for (unsigned i = 0; i < cfg->ninside && i < ALG_MAX_INSIDE; i++)
		if (prefix_match(&cfg->inside[i], a))
			return 1;
	return 0;
}

/* Decimal digits of v at p (no NUL); the count.  Hand-made because
 * snprintf costs ten times as much and runs for every rewritten value:
 * count the digits, then write them from the last. */
size_t alg_fmt_uint(char *p, uint32_t v)
{
	size_t n = v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5
		 : v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;

	for (size_t k = n; k > 1; v /= 10)
		p[--k] = (char)('0' + v % 10);
	p[0] = (char)('0' + v);
	return n;
}

/* The address as text into tmp (>= 64 bytes, NUL-terminated); its length. */
static size_t ip_text(const struct alg_addr *a, char *tmp)
{
	size_t n = 0;

	if (a->family == 4) {
		for (int i = 0; i < 4; i++) {
			n += alg_fmt_uint(tmp + n, a->ip[i]);
			tmp[n++] = '.';
		}
		tmp[--n] = 0;
		return n;
	}
	if (!a->family || !inet_ntop(AF_INET6, a->ip, tmp, 64))
		tmp[0] = 0;
	return strlen(tmp);
}

/* Like snprintf: the full length, truncated to cap - 1 with a NUL. */
static size_t put(char *buf, size_t cap, const char *src, size_t n)
{
	if (cap)
		alg_copy(buf, cap, src, n);
	return n;
}

size_t alg_fmt_ip(const struct alg_addr *a, char *buf, size_t cap)
{
	char tmp[64];

	return put(buf, cap, tmp, ip_text(a, tmp));
}

/* host:port as a SIP hostport: IPv6 in brackets (RFC 3261 §25.1). */
size_t alg_fmt_hostport(const struct alg_addr *a, char *buf, size_t cap)
{
	char tmp[80];
	size_t n = 0;

	if (a->family == 6)
		tmp[n++] = '[';
	n += ip_text(a, tmp + n);
	if (a->family == 6)
		tmp[n++] = ']';
	tmp[n++] = ':';
	n += alg_fmt_uint(tmp + n, a->port);
	return put(buf, cap, tmp, n);
}

uint64_t alg_addr_hash(const struct alg_addr *a, uint64_t seed)
{
	uint8_t k[19];

	k[0] = a->family;
	memcpy(k + 1, a->ip, 16);
	k[17] = (uint8_t)(a->port >> 8);
	k[18] = (uint8_t)a->port;
	return alg_hash(k, sizeof(k), seed);
}

/*
 * Rule 10: NULL when the packet is in scope, else why it is not.  OUT must
 * come from an inside address and go to an outside one (inside to inside
 * is hairpin or routed LAN traffic, B20); IN must come from outside.
 */
const char *alg_scope(const struct alg_engine *e, const struct alg_packet *pkt)
{
	const struct alg_config *cfg = &e->cfg;

	if (cfg->mode == ALG_MODE_OFF)
		return "mode off: pass through";
	if (!cfg->public_addr.family)
		return "no public address configured";
	if (pkt->dir == ALG_OUT) {
		if (!alg_is_inside(cfg, &pkt->src))
			return "source is not inside: not NATed (R10)";
		if (alg_is_inside(cfg, &pkt->dst))
			return "inside to inside (hairpin or routed LAN): not NATed (R10)";
		if (pkt->src.family != cfg->public_addr.family)
			return "address family differs from the public address (R10)";
		return NULL;
	}
	if (alg_is_inside(cfg, &pkt->src))
		return "inside to inside (hairpin or routed LAN): not NATed (R10)";
	return NULL;
}
