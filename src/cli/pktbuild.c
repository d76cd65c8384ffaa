/* pktbuild.c - IPv4/IPv6 packet parsing and rebuilding for sipalg replay. */
#include "pktbuild.h"

#include <stdlib.h>
#include <string.h>

#define V6_HDR 40
#define V6_FRAG_HDR 8
#define V6_NH_FRAGMENT 44

static unsigned rd16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void wr16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v & 0xffff);
}

static int parse_v4(const uint8_t *h, size_t avail, struct pkt_ip *ip)
{
	size_t ihl, tot;
	unsigned frag;

	if (avail < 20)
		return PKT_ETRUNC;
	ihl = (size_t)(h[0] & 0x0f) * 4;
	tot = rd16(h + 2);
	if ((h[0] >> 4) != 4 || ihl < 20 || tot < ihl)
		return PKT_EHDR;
	if (tot > avail)
		return PKT_ETRUNC;
	frag = rd16(h + 6);
	ip->hdrlen = ihl;
	ip->proto = h[9];
	memcpy(ip->src, h + 12, 4);
	memcpy(ip->dst, h + 16, 4);
	ip->frag_id = rd16(h + 4);
	ip->frag_off = (frag & 0x1fff) * 8u;
	ip->more = !!(frag & 0x2000);
	ip->is_frag = ip->more || ip->frag_off;
	ip->l4off = ip->l3off + ihl;
	ip->l4len = tot - ihl;
	ip->iplen = tot;
	return 0;
}

/* Walk the extension headers (RFC 8200 §4.1 order) up to the Fragment
 * header or the upper-layer header. */
static int parse_v6_ext(const uint8_t *h, size_t end, struct pkt_ip *ip)
{
	size_t off = V6_HDR, nh_off = 6;
	uint8_t nh = h[6];

	for (;;) {
		if (nh == 0 || nh == 43 || nh == 60) { /* hop-by-hop, routing, dst opts */
			if (off + 8 > end)
				return PKT_ETRUNC;
			nh_off = off;
			nh = h[off];
			off += ((size_t)h[off + 1] + 1) * 8;
			continue;
		}
		break;
	}
	if (off > end)
		return PKT_ETRUNC;
	ip->hdrlen = off;
	ip->nh_off = nh_off;
	if (nh == V6_NH_FRAGMENT) {
		unsigned fo;

		if (off + V6_FRAG_HDR > end)
			return PKT_ETRUNC;
		fo = rd16(h + off + 2);
		ip->proto = h[off];
		ip->frag_off = fo & 0xfff8;
		ip->more = fo & 1;
		ip->frag_id = rd32(h + off + 4);
		ip->is_frag = 1;
		off += V6_FRAG_HDR;
	} else {
		if (nh == 51 || nh == 50 || nh == 135 || nh == 139 || nh == 140)
			return PKT_EUNSUPP; /* AH, ESP, mobility, HIP, shim6 */
		ip->proto = nh;
	}
	ip->l4off = ip->l3off + off;
	ip->l4len = end - off;
	return 0;
}

static int parse_v6(const uint8_t *h, size_t avail, struct pkt_ip *ip)
{
	size_t plen;

	if (avail < V6_HDR)
		return PKT_ETRUNC;
	if ((h[0] >> 4) != 6)
		return PKT_EHDR;
	plen = rd16(h + 4);
	if (plen == 0)
		return PKT_EUNSUPP; /* jumbogram or empty: nothing for SIP */
	if (V6_HDR + plen > avail)
		return PKT_ETRUNC;
	memcpy(ip->src, h + 8, 16);
	memcpy(ip->dst, h + 24, 16);
	ip->iplen = V6_HDR + plen;
	return parse_v6_ext(h, V6_HDR + plen, ip);
}

int pkt_parse(const uint8_t *frame, size_t caplen, size_t l3off, int family, struct pkt_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->family = family;
	ip->l3off = l3off;
	if (l3off > caplen)
		return PKT_ETRUNC;
	if (family == 4)
		return parse_v4(frame + l3off, caplen - l3off, ip);
	if (family == 6)
		return parse_v6(frame + l3off, caplen - l3off, ip);
	return PKT_EHDR;
}

int pkt_parse_l4(uint8_t proto, const uint8_t *l4, size_t len, struct pkt_l4 *h)
{
	memset(h, 0, sizeof(*h));
	if (proto == PKT_PROTO_UDP) {
		if (len < 8 || rd16(l4 + 4) < 8 || rd16(l4 + 4) > len)
			return PKT_EL4;
		h->hdrlen = 8;
	} else if (proto == PKT_PROTO_TCP) {
		if (len < 20)
			return PKT_EL4;
		h->hdrlen = (size_t)(l4[12] >> 4) * 4;
		if (h->hdrlen < 20 || h->hdrlen > len)
			return PKT_EL4;
		h->seq = rd32(l4 + 4);
		h->ack = rd32(l4 + 8);
		h->flags = l4[13];
	} else {
		return PKT_EL4;
	}
	h->sport = (uint16_t)rd16(l4);
	h->dport = (uint16_t)rd16(l4 + 2);
	return 0;
}

/* The Internet checksum (RFC 1071) over the pseudo-header and the segment. */
static uint32_t sum16(uint32_t acc, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		acc += rd16(p);
	if (len)
		acc += (uint32_t)p[0] << 8;
	return acc;
}

static uint16_t fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

static void l4_checksum(int family, uint8_t proto, const uint8_t *src, const uint8_t *dst,
			uint8_t *l4, size_t len)
{
	size_t alen = family == 4 ? 4 : 16;
	size_t at = proto == PKT_PROTO_UDP ? 6 : 16;
	uint32_t acc = 0;
	uint16_t c;

	if (family == 4 && proto == PKT_PROTO_UDP && rd16(l4 + 6) == 0)
		return; /* the sender chose no checksum (RFC 768) */
	wr16(l4 + at, 0);
	acc = sum16(acc, src, alen);
	acc = sum16(acc, dst, alen);
	acc += proto;
	acc += (uint32_t)(len & 0xffff) + (uint32_t)(len >> 16);
	acc = sum16(acc, l4, len);
	c = fold(acc);
	if (proto == PKT_PROTO_UDP && c == 0)
		c = 0xffff; /* 0 means "none" for UDP */
	wr16(l4 + at, c);
}

static void v4_header_checksum(uint8_t *h, size_t ihl)
{
	wr16(h + 10, 0);
	wr16(h + 10, fold(sum16(0, h, ihl)));
}

struct build {
	const uint8_t *frame;
	const struct pkt_ip *ip;
	const uint8_t *src, *dst;
	uint8_t *out;
	pkt_emit_fn emit;
	void *ctx;
};

/* One IP packet: link header, IP header (+ Fragment header when frag_hdr),
 * then `len` bytes of the fragmentable part starting at byte `off`. */
static int build_one(struct build *b, const uint8_t *part, size_t off, size_t len, int frag_hdr,
		     int more, uint32_t frag_id)
{
	const struct pkt_ip *ip = b->ip;
	uint8_t *o = b->out, *h = b->out + ip->l3off;
	size_t alen = ip->family == 4 ? 4 : 16;
	size_t fh = frag_hdr && ip->family == 6 ? V6_FRAG_HDR : 0;
	size_t iplen = ip->hdrlen + fh + len;

	memcpy(o, b->frame, ip->l3off + ip->hdrlen);
	memcpy(h + (ip->family == 4 ? 12 : 8), b->src, alen);
	memcpy(h + (ip->family == 4 ? 16 : 24), b->dst, alen);
	if (ip->family == 4) {
		unsigned fl = rd16(h + 6) & 0x4000; /* keep DF unless fragmenting */

		if (frag_hdr)
			fl = (more ? 0x2000 : 0) | (unsigned)(off / 8);
		wr16(h + 2, (unsigned)iplen);
		wr16(h + 6, fl);
		v4_header_checksum(h, ip->hdrlen);
	} else {
		wr16(h + 4, (unsigned)(iplen - V6_HDR));
		if (frag_hdr) {
			uint8_t *f = h + ip->hdrlen;

			h[ip->nh_off] = V6_NH_FRAGMENT;
			f[0] = ip->proto;
			f[1] = 0;
			wr16(f + 2, (unsigned)off | (more ? 1u : 0u));
			wr32(f + 4, frag_id);
		} else {
			h[ip->nh_off] = ip->proto;
		}
	}
	memcpy(h + ip->hdrlen + fh, part + off, len);
	return b->emit(b->ctx, o, ip->l3off + iplen);
}

static int build_frags(struct build *b, const uint8_t *l4, size_t l4len, size_t mtu,
		       uint32_t frag_id)
{
	const struct pkt_ip *ip = b->ip;
	size_t fh = ip->family == 6 ? V6_FRAG_HDR : 0, chunk, off;
	int rc = 0;

	if (ip->family == 4 && l4len + ip->hdrlen <= mtu)
		return build_one(b, l4, 0, l4len, 0, 0, 0);
	if (ip->family == 6 && l4len + ip->hdrlen <= mtu)
		return build_one(b, l4, 0, l4len, 0, 0, 0);
	if (mtu < ip->hdrlen + fh + 8)
		return PKT_EHDR;
	chunk = (mtu - ip->hdrlen - fh) & ~(size_t)7;
	for (off = 0; off < l4len && rc >= 0; off += chunk) {
		size_t len = l4len - off < chunk ? l4len - off : chunk;

		/* IPv4 marks fragments with flags; the flag argument here
		 * means "this is a fragment" for both families. */
		rc = build_one(b, l4, off, len, 1, off + len < l4len, frag_id);
	}
	return rc;
}

int pkt_build(const uint8_t *frame, const struct pkt_ip *ip, const uint8_t *src,
	      const uint8_t *dst, const uint8_t *l4, size_t l4len, size_t mtu, uint32_t frag_id,
	      pkt_emit_fn emit, void *ctx)
{
	struct build b = { frame, ip, src ? src : ip->src, dst ? dst : ip->dst, NULL, emit, ctx };
	uint8_t *seg;
	int rc;

	if (l4len > 65535 - ip->hdrlen || l4len < 8)
		return PKT_EL4;
	seg = malloc(l4len);
	b.out = malloc(ip->l3off + ip->hdrlen + V6_FRAG_HDR + l4len);
	rc = PKT_ENOMEM;
	if (!seg || !b.out)
		goto out;
	memcpy(seg, l4, l4len);
	if (ip->proto == PKT_PROTO_UDP)
		wr16(seg + 4, (unsigned)l4len);
	l4_checksum(ip->family, ip->proto, b.src, b.dst, seg, l4len);
	rc = build_frags(&b, seg, l4len, mtu, frag_id);
out:
	free(seg);
	free(b.out);
	return rc;
}

const char *pkt_strerror(int err)
{
	switch (err) {
	case PKT_ETRUNC:
		return "truncated packet";
	case PKT_EHDR:
		return "malformed IP header";
	case PKT_EUNSUPP:
		return "unsupported IPv6 extension header or jumbogram";
	case PKT_EL4:
		return "malformed UDP/TCP header";
	case PKT_ENOMEM:
		return "out of memory";
	default:
		return "error";
	}
}
