/* test_pktbuild.c - IP/UDP/TCP parsing and rebuilding (src/cli/pktbuild.h). */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "cli/pktbuild.h"

#define ETH 14

static const uint8_t S4[4] = { 192, 168, 1, 2 }, D4[4] = { 198, 51, 100, 7 };
static const uint8_t P4[4] = { 203, 0, 113, 1 };

static unsigned rd16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Ones'-complement sum folded: 0xffff over a region whose checksum is right. */
static unsigned fold_sum(const uint8_t *p, size_t len, uint32_t acc)
{
	for (; len > 1; p += 2, len -= 2)
		acc += rd16(p);
	if (len)
		acc += (uint32_t)p[0] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return acc;
}

static int l4_ok(int family, uint8_t proto, const uint8_t *ip, const uint8_t *l4, size_t len)
{
	size_t alen = family == 4 ? 4 : 16;
	uint32_t acc = proto + (uint32_t)len;

	acc = fold_sum(ip + (family == 4 ? 12 : 8), alen, acc);
	acc = fold_sum(ip + (family == 4 ? 16 : 24), alen, acc);
	return fold_sum(l4, len, acc) == 0xffff;
}

/* An Ethernet frame with an IPv4/UDP datagram of plen payload bytes. */
static size_t frame4(uint8_t *f, size_t plen, unsigned csum)
{
	uint8_t *ip = f + ETH, *u = ip + 20;

	memset(f, 0, ETH + 28 + plen);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + 8 + plen) >> 8);
	ip[3] = (uint8_t)(20 + 8 + plen);
	ip[4] = 0x12;
	ip[5] = 0x34;
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = 17;
	memcpy(ip + 12, S4, 4);
	memcpy(ip + 16, D4, 4);
	u[0] = 0x13, u[1] = 0xc4, u[2] = 0x13, u[3] = 0xc4;
	u[4] = (uint8_t)((8 + plen) >> 8);
	u[5] = (uint8_t)(8 + plen);
	u[6] = (uint8_t)(csum >> 8);
	u[7] = (uint8_t)csum;
	for (size_t i = 0; i < plen; i++)
		u[8 + i] = (uint8_t)('a' + i % 26);
	return ETH + 28 + plen;
}

struct got {
	uint8_t f[8][2048];
	size_t len[8];
	int n;
};

static int collect(void *ctx, const uint8_t *frame, size_t len)
{
	struct got *g = ctx;

	if (g->n >= 8 || len > sizeof(g->f[0]))
		return -1;
	memcpy(g->f[g->n], frame, len);
	g->len[g->n++] = len;
	return 0;
}

static void t_parse_v4(void)
{
	uint8_t f[200];
	size_t n = frame4(f, 30, 1);
	struct pkt_ip ip;
	struct pkt_l4 h;

	CHECK_EQ_INT(pkt_parse(f, n, ETH, 4, &ip), 0);
	CHECK_EQ_INT(ip.proto, 17);
	CHECK_EQ_INT(ip.hdrlen, 20);
	CHECK_EQ_INT(ip.l4off, ETH + 20);
	CHECK_EQ_INT(ip.l4len, 38);
	CHECK(!ip.is_frag);
	CHECK_EQ_INT(pkt_parse_l4(17, f + ip.l4off, ip.l4len, &h), 0);
	CHECK_EQ_INT(h.sport, 5060);
	/* Ethernet padding after the datagram is not payload. */
	CHECK_EQ_INT(pkt_parse(f, n + 6, ETH, 4, &ip), 0);
	CHECK_EQ_INT(ip.l4len, 38);
	CHECK_EQ_INT(pkt_parse(f, n - 1, ETH, 4, &ip), PKT_ETRUNC);
	f[ETH] = 0x44; /* IHL 4 */
	CHECK_EQ_INT(pkt_parse(f, n, ETH, 4, &ip), PKT_EHDR);
}

static void t_build_nat_checksums(void)
{
	uint8_t f[200];
	size_t n = frame4(f, 30, 1);
	struct pkt_ip ip;
	struct got g = { .n = 0 };
	uint8_t seg[46];

	CHECK_EQ_INT(pkt_parse(f, n, ETH, 4, &ip), 0);
	memcpy(seg, f + ip.l4off, 8);
	memset(seg + 8, 'x', 38); /* a payload 8 bytes longer */
	CHECK_EQ_INT(pkt_build(f, &ip, P4, NULL, seg, sizeof(seg), 1500, 0, collect, &g), 0);
	CHECK_EQ_INT(g.n, 1);
	CHECK_EQ_INT(g.len[0], ETH + 20 + 46);
	CHECK(!memcmp(g.f[0], f, ETH));                         /* link header kept */
	CHECK(!memcmp(g.f[0] + ETH + 12, P4, 4));               /* new source */
	CHECK_EQ_INT(rd16(g.f[0] + ETH + 2), 66);               /* total length */
	CHECK_EQ_INT(fold_sum(g.f[0] + ETH, 20, 0), 0xffff);    /* header checksum */
	CHECK_EQ_INT(rd16(g.f[0] + ETH + 4), 0x1234);           /* ID kept */
	CHECK_EQ_INT(rd16(g.f[0] + ETH + 6), 0x4000);           /* DF kept */
	CHECK_EQ_INT(rd16(g.f[0] + ETH + 24), 46);              /* UDP length */
	CHECK(l4_ok(4, 17, g.f[0] + ETH, g.f[0] + ETH + 20, 46));
}

static void t_udp_zero_checksum_kept(void)
{
	uint8_t f[200];
	size_t n = frame4(f, 30, 0);
	struct pkt_ip ip;
	struct got g = { .n = 0 };

	CHECK_EQ_INT(pkt_parse(f, n, ETH, 4, &ip), 0);
	CHECK_EQ_INT(pkt_build(f, &ip, P4, NULL, f + ip.l4off, ip.l4len, 1500, 0, collect, &g), 0);
	CHECK_EQ_INT(rd16(g.f[0] + ETH + 26), 0);
}

static void t_fragment_v4(void)
{
	static uint8_t f[4000];
	size_t n = frame4(f, 3000, 1);
	struct pkt_ip ip;
	struct got g = { .n = 0 };
	static uint8_t re[3100];
	size_t got = 0;

	CHECK_EQ_INT(pkt_parse(f, n, ETH, 4, &ip), 0);
	CHECK_EQ_INT(pkt_build(f, &ip, NULL, NULL, f + ip.l4off, ip.l4len, 1500, 0, collect, &g),
		     0);
	CHECK_EQ_INT(g.n, 3);
	for (int i = 0; i < g.n; i++) {
		uint8_t *h = g.f[i] + ETH;
		unsigned fl = rd16(h + 6), tot = rd16(h + 2);

		CHECK(tot <= 1500);
		CHECK_EQ_INT(tot + ETH, g.len[i]);
		CHECK_EQ_INT((fl & 0x1fff) * 8, got);
		CHECK_EQ_INT(!!(fl & 0x2000), i < 2);
		CHECK_EQ_INT(fold_sum(h, 20, 0), 0xffff);
		memcpy(re + got, h + 20, tot - 20);
		got += tot - 20;
	}
	CHECK_EQ_INT(got, 3008);
	CHECK(l4_ok(4, 17, g.f[0] + ETH, re, got));
	CHECK(!memcmp(re + 8, f + ip.l4off + 8, 3000));
}

/* IPv6 with a hop-by-hop header, then a Fragment header, then UDP. */
static size_t frame6_frag(uint8_t *f, size_t plen)
{
	uint8_t *h = f; /* raw IP: no link header */

	memset(f, 0, 40 + 8 + 8 + plen);
	h[0] = 0x60;
	h[4] = (uint8_t)((16 + plen) >> 8);
	h[5] = (uint8_t)(16 + plen);
	h[6] = 0;  /* hop-by-hop */
	h[7] = 64;
	h[8] = 0xfd;
	h[23] = 2;
	h[24] = 0x20, h[25] = 0x01, h[26] = 0x0d, h[27] = 0xb8, h[39] = 7;
	h[40] = 44; /* next: fragment; length 0 = 8 bytes */
	h[48] = 17; /* fragment header: next UDP, offset 8, more */
	h[50] = 0;
	h[51] = 8 | 1;
	h[52] = 0xde, h[53] = 0xad, h[54] = 0xbe, h[55] = 0xef;
	memset(h + 56, 'q', plen);
	return 56 + plen;
}

static void t_parse_v6_fragment(void)
{
	uint8_t f[200];
	size_t n = frame6_frag(f, 32);
	struct pkt_ip ip;

	CHECK_EQ_INT(pkt_parse(f, n, 0, 6, &ip), 0);
	CHECK(ip.is_frag);
	CHECK_EQ_INT(ip.proto, 17);
	CHECK_EQ_INT(ip.hdrlen, 48);   /* fixed header + hop-by-hop */
	CHECK_EQ_INT(ip.nh_off, 40);   /* hop-by-hop's next-header octet */
	CHECK_EQ_INT(ip.frag_off, 8);
	CHECK(ip.more);
	CHECK_EQ_INT(ip.frag_id, 0xdeadbeef);
	CHECK_EQ_INT(ip.l4off, 56);
	CHECK_EQ_INT(ip.l4len, 32);
	f[40] = 51; /* AH: not ours to rebuild */
	CHECK_EQ_INT(pkt_parse(f, n, 0, 6, &ip), PKT_EUNSUPP);
}

static void t_build_v6_fragments(void)
{
	uint8_t f[200];
	size_t n = frame6_frag(f, 32);
	struct pkt_ip ip;
	struct got g = { .n = 0 };
	static uint8_t seg[2000];

	CHECK_EQ_INT(pkt_parse(f, n, 0, 6, &ip), 0);
	memset(seg, 'z', sizeof(seg));
	seg[4] = seg[5] = seg[6] = seg[7] = 0;
	CHECK_EQ_INT(pkt_build(f, &ip, NULL, NULL, seg, sizeof(seg), 1280, 0x01020304, collect,
			       &g),
		     0);
	CHECK_EQ_INT(g.n, 2);
	for (int i = 0; i < g.n; i++) {
		uint8_t *h = g.f[i], *fh = h + 48;

		CHECK(g.len[i] <= 1280);
		CHECK_EQ_INT(rd16(h + 4) + 40, g.len[i]);
		CHECK_EQ_INT(h[40], 44);             /* hop-by-hop now names the Fragment header */
		CHECK_EQ_INT(fh[0], 17);
		CHECK_EQ_INT(rd16(fh + 2) & 1, i == 0);
		CHECK_EQ_INT(rd16(fh + 6), 0x0304);
	}
	CHECK_EQ_INT(rd16(g.f[1] + 48 + 2) & 0xfff8, g.len[0] - 56);
	/* Small enough: one packet, no Fragment header. */
	g.n = 0;
	CHECK_EQ_INT(pkt_build(f, &ip, NULL, NULL, seg, 100, 1280, 0, collect, &g), 0);
	CHECK_EQ_INT(g.n, 1);
	CHECK_EQ_INT(g.f[0][40], 17);
	CHECK_EQ_INT(g.len[0], 48 + 100);
	CHECK(l4_ok(6, 17, g.f[0], g.f[0] + 48, 100));
}

static void t_tcp_header(void)
{
	uint8_t t[24] = { 0x9c, 0x40, 0x13, 0xc4, 0, 0, 0x03, 0xe8, 0, 0, 0x1b, 0x58, 0x50, 0x18 };
	struct pkt_l4 h;

	CHECK_EQ_INT(pkt_parse_l4(6, t, 20, &h), 0);
	CHECK_EQ_INT(h.seq, 1000);
	CHECK_EQ_INT(h.ack, 7000);
	CHECK_EQ_INT(h.hdrlen, 20);
	CHECK_EQ_INT(h.flags, 0x18);
	t[12] = 0x70; /* data offset 28 > segment */
	CHECK_EQ_INT(pkt_parse_l4(6, t, 24, &h), PKT_EL4);
	CHECK_EQ_INT(pkt_parse_l4(17, t, 7, &h), PKT_EL4);
}

static const struct check_case cases[] = {
	{ "parse IPv4/UDP, padding, truncation, bad IHL", t_parse_v4 },
	{ "rebuild with a new source: lengths and checksums", t_build_nat_checksums },
	{ "IPv4 UDP checksum 0 stays 0", t_udp_zero_checksum_kept },
	{ "IPv4 fragmentation", t_fragment_v4 },
	{ "parse IPv6 extension + Fragment header", t_parse_v6_fragment },
	{ "IPv6 fragmentation inserts a Fragment header", t_build_v6_fragments },
	{ "TCP header", t_tcp_header },
	{ 0 },
};

int main(void)
{
	return check_run("pktbuild", cases);
}
