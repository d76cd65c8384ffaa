/*
 * ipreasm.h - IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) fragment
 * reassembly for offline replay, with limits and a timeout.
 *
 * Fragments are keyed by (family, source, destination, protocol, ID).  The
 * module copies each fragment's payload into a per-datagram buffer it owns
 * and remembers an opaque 64-bit tag per fragment (replay uses it to find
 * the captured frames again).  A datagram completes when every byte from 0
 * to the end of the last fragment (MF clear) is covered; overlapping
 * fragments (RFC 5722) discard the whole datagram.  Datagrams older than
 * IPR_TIMEOUT_MS (capture time) are dropped by ipr_expire().
 *
 * Returns: ipr_add() 1 when the datagram is complete (*done filled, valid
 * until the next call), 0 when more fragments are needed, or a negative
 * enum ipr_err: a datagram was discarded and *done lists its tags so the
 * caller can release those frames.  The fragment just offered is never among
 * them: on IPR_EFULL (the oldest datagram was evicted to make room) offer it
 * again; on the other errors release it with the rest.
 */
#ifndef SIPALG_CLI_IPREASM_H
#define SIPALG_CLI_IPREASM_H

#include <stddef.h>
#include <stdint.h>

#define IPR_MAX_DATAGRAMS 64    /* in reassembly at once */
#define IPR_MAX_FRAGS 64        /* per datagram */
#define IPR_MAX_SIZE 65535u     /* fragmentable part, bytes */
#define IPR_TIMEOUT_MS 30000u   /* Linux ipfrag_time (RFC 8200 §4.5: 60 s max) */

enum ipr_err {
	IPR_EOVERLAP = -1,  /* overlapping or inconsistent fragments */
	IPR_ETOOBIG = -2,   /* beyond IPR_MAX_SIZE or IPR_MAX_FRAGS */
	IPR_EFULL = -3,     /* IPR_MAX_DATAGRAMS in progress: oldest evicted */
	IPR_ETIMEOUT = -4,  /* not complete in time (or at the end of the capture) */
	IPR_ENOMEM = -5,
};

struct ipr_key {
	uint8_t family;
	uint8_t proto;
	uint8_t src[16], dst[16];
	uint32_t id;
};

struct ipr_frag {
	const uint8_t *data;  /* payload of this fragment */
	size_t len;
	uint32_t off;         /* bytes */
	int more;
	uint64_t tag;         /* the caller's, returned in ipr_done */
	size_t mtu;           /* IP length of this fragment */
};

struct ipr_done {
	struct ipr_key key;
	const uint8_t *data;  /* the reassembled fragmentable part */
	size_t len;
	size_t contiguous;    /* bytes valid from offset 0 (== len when complete) */
	size_t mtu;           /* largest fragment's IP length */
	uint64_t tags[IPR_MAX_FRAGS];
	unsigned ntags;
	uint64_t first_ms;
};

struct ipreasm;

struct ipreasm *ipr_new(void);
void ipr_free(struct ipreasm *r);
int ipr_add(struct ipreasm *r, const struct ipr_key *k, const struct ipr_frag *f,
	    uint64_t now_ms, struct ipr_done *done);
/* Pop one datagram older than the timeout (all of them when now_ms is
 * UINT64_MAX, at the end of the capture).  Returns 1 with *done filled
 * (ntags, key, partial data), 0 when none is left. */
int ipr_expire(struct ipreasm *r, uint64_t now_ms, struct ipr_done *done);
const char *ipr_strerror(int err);

#endif
