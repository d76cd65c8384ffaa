/*
 * sdp_ref.h - internal to the wire library and its tests: the reference
 * SDP parser (sdp_ref.c), its line handlers, and the scan-level switch of
 * the fast parser (sdp.c).
 *
 * sdp_parse() (sdp.h) takes the common shape of each line itself and hands
 * any other line to sdp_ref_line(); on any error, or anything unusual
 * about the body as a whole (blank lines, control octets), it starts over
 * with sdp_parse_ref(), the plain line-by-line parser.  Tests and the fuzz
 * target check that both give the same results (sdp_ref_same()).  Same
 * contract as sdp_parse(); nothing allocates.
 *
 * sdp_simd_level picks the scans sdp_parse() uses: 0 plain C, 1 SSE2, 2
 * AVX2 (each only where the compiler and the CPU have it; a higher level
 * falls back to the best available).  Tests set it to run every path.
 */
#ifndef SIPALG_SIP_SDP_REF_H
#define SIPALG_SIP_SDP_REF_H

#include "sdp.h"

/* The state of one parse, shared by the reference loop, the handlers and
 * the fast loop (which keeps cur in step before it calls a handler). */
struct sdp_p {
	struct sdp *s;
	const char *b;
	struct sdp_media *cur;    /* NULL while at session level */
	unsigned cap;
	unsigned nlines;
	uint32_t lim;             /* end of the body: how far scans may load */
};

/* One row per attribute the ALG reads (handlers in sdp_ref.c) (name, its first letter, handler,
 * argument); adding one is a row here. */
#define SDP_ATTRS(X)                                        \
	X("rtcp", 'r', at_rtcp, 0)                          \
	X("rtcp-mux", 'r', at_mux, 0)                       \
	X("candidate", 'c', at_ice, 0)                      \
	X("ice-ufrag", 'i', at_ice, 0)                      \
	X("ice-pwd", 'i', at_ice, 0)                        \
	X("ice-lite", 'i', at_ice, 0)                       \
	X("sendrecv", 's', at_dir, SDP_DIR_SENDRECV)        \
	X("sendonly", 's', at_dir, SDP_DIR_SENDONLY)        \
	X("recvonly", 'r', at_dir, SDP_DIR_RECVONLY)        \
	X("inactive", 'i', at_dir, SDP_DIR_INACTIVE)

/* One attribute the ALG reads (sdp_ref.c, SDP_ATTRS); the table ends with
 * a row whose fn is NULL.  name is zero-padded so eight octets load. */
struct sdp_attr_row {
	char name[12];
	uint32_t len;
	int (*fn)(struct sdp_p *p, struct sip_span line, struct sip_span v, int arg);
	int arg;
};

/* A name's filter key from its length and first letter (any case: | 0x20,
 * then the low five bits); sdp_attr_keys has the bit of every row's. */
#define SDP_ATTR_KEY(len, c) ((((unsigned)(c) & 31u) * 3u + (unsigned)(len)) & 63u)

extern const struct sdp_attr_row sdp_attr_table[];
extern const uint64_t sdp_attr_keys;

extern int sdp_simd_level;

/* One non-blank line (without terminator) through the checks and handler
 * of the reference loop: 0 or a negative enum sip_err. */
int sdp_ref_line(struct sdp_p *p, struct sip_span line);

int sdp_parse_ref(struct sdp *s, const char *base, struct sip_span body,
		  struct sdp_media *media, unsigned cap);

/* 1 if two results of the parsers agree on every field: the return values
 * ra and rb, err_off, and struct sdp with its first nmedia media (media
 * and media_cap, the caller's, are not compared). */
int sdp_ref_same(const struct sdp *a, int ra, const struct sdp *b, int rb);

#endif
