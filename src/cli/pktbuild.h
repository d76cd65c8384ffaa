/*
 * pktbuild.h - take IP packets apart (IPv4 RFC 791, IPv6 RFC 8200) and build
 * them again around a new UDP or TCP segment: lengths, the IPv4 header
 * checksum, the UDP/TCP checksum (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1) and
 * fragmentation when the new packet is larger than the path allows.
 *
 * pkt_parse() only reads the frame and fills a struct pkt_ip with offsets
 * into it.  pkt_build() copies the frame's link-layer and IP headers as a
 * template, writes each finished frame into its own buffer and hands it to
 * the caller's emit callback (valid only during the call).
 *
 * Returns 0 on success, or a negative enum pkt_err (pkt_strerror() names it);
 * pkt_build() also returns the callback's first negative value.
 */
#ifndef SIPALG_CLI_PKTBUILD_H
#define SIPALG_CLI_PKTBUILD_H

#include <stddef.h>
#include <stdint.h>

enum pkt_err {
	PKT_ETRUNC = -1,   /* the capture holds fewer bytes than the IP header says */
	PKT_EHDR = -2,     /* malformed IP header or lengths */
	PKT_EUNSUPP = -3,  /* IPv6 jumbogram, AH/ESP, unknown extension header */
	PKT_EL4 = -4,      /* UDP/TCP header missing or inconsistent */
	PKT_ENOMEM = -5,
};

#define PKT_PROTO_TCP 6
#define PKT_PROTO_UDP 17

struct pkt_ip {
	int family;         /* 4 or 6 */
	size_t l3off;       /* the IP header's offset in the frame */
	/* IP header bytes kept when the packet is rebuilt: IPv4 with its
	 * options; IPv6 with the extension headers before the Fragment header
	 * (or before the upper-layer header). */
	size_t hdrlen;
	/* IPv6: offset from l3off of the next-header octet that names what
	 * follows hdrlen. */
	size_t nh_off;
	uint8_t proto;      /* upper-layer protocol */
	uint8_t src[16], dst[16];
	int is_frag;        /* a fragment (IPv4 MF or offset; IPv6 Fragment header) */
	uint32_t frag_id;
	uint32_t frag_off;  /* bytes */
	int more;           /* more fragments follow */
	size_t l4off;       /* offset in the frame of what follows the IP (and Fragment) header */
	size_t l4len;       /* its length, from the IP length fields */
	size_t iplen;       /* the whole IP packet as it was on the wire */
};

/* The upper-layer header of a complete (unfragmented or reassembled) UDP or
 * TCP segment. */
struct pkt_l4 {
	uint16_t sport, dport;
	size_t hdrlen;      /* UDP 8, TCP data offset */
	uint32_t seq, ack;  /* TCP */
	uint8_t flags;      /* TCP flags octet */
};

#define PKT_TCP_FIN 0x01
#define PKT_TCP_SYN 0x02
#define PKT_TCP_RST 0x04
#define PKT_TCP_ACK 0x10

int pkt_parse(const uint8_t *frame, size_t caplen, size_t l3off, int family, struct pkt_ip *ip);
/* Parse the UDP/TCP header at the start of a complete segment. */
int pkt_parse_l4(uint8_t proto, const uint8_t *l4, size_t len, struct pkt_l4 *h);

typedef int (*pkt_emit_fn)(void *ctx, const uint8_t *frame, size_t len);

/*
 * Build frames carrying `l4` (the complete UDP or TCP header plus payload)
 * from addresses `src`/`dst` (NULL: the template's), using `frame`'s link
 * header and `ip`'s IP header as the template.  The UDP length and the
 * UDP/TCP checksum are written here (an IPv4 UDP checksum of 0 stays 0:
 * "no checksum", RFC 768).  If the IP packet would exceed `mtu` it is
 * fragmented (IPv4 keeps the template's ID, IPv6 uses frag_id).
 */
int pkt_build(const uint8_t *frame, const struct pkt_ip *ip, const uint8_t *src,
	      const uint8_t *dst, const uint8_t *l4, size_t l4len, size_t mtu, uint32_t frag_id,
	      pkt_emit_fn emit, void *ctx);

const char *pkt_strerror(int err);

#endif
