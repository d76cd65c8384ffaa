/*
 * tcpreasm.h - TCP stream reassembly per direction, and the map between the
 * captured stream and the rewritten one, for offline replay.
 *
 * Each connection has two directions.  Segments are placed by sequence
 * number (RFC 9293 §3.4) relative to the first data byte (the SYN's
 * sequence number + 1, or the first segment seen when the capture starts
 * mid-connection).  In-order bytes collect in a pending buffer; the caller
 * frames them and consumes them one message at a time, saying what each
 * message became.  From those decisions the module maps any captured
 * offset to its offset in the rewritten stream, so every segment and every
 * acknowledgement can be re-emitted consistently: sequence numbers and
 * acknowledgements shift by the accumulated size changes, and a message that
 * spans segments is spread over the same segments.
 *
 * A direction that loses sync (a gap, a framing error, too much data) is
 * "broken": from its last decided byte on, bytes pass through unchanged,
 * shifted by the delta accumulated so far.
 *
 * Memory: the module owns connections, pending bytes and the rewritten
 * stream; pointers it returns stay valid until the next call that feeds or
 * consumes that direction.  Functions return 0 (or a length) on success and
 * -ENOMEM on allocation failure.
 */
#ifndef SIPALG_CLI_TCPREASM_H
#define SIPALG_CLI_TCPREASM_H

#include <stddef.h>
#include <stdint.h>

#define TCPR_MAX_CONNS 4096
#define TCPR_MAX_PENDING (128u * 1024)      /* unframed bytes per direction */
#define TCPR_MAX_STREAM (32u * 1024 * 1024) /* rewritten bytes kept per direction */

struct tcpr;
struct tcpr_conn;

struct tcpr *tcpr_new(void);
void tcpr_free(struct tcpr *t);

/* The connection of a segment from src:sport to dst:dport (addresses of
 * 4 or 16 bytes by family), created if new.  *dir is the segment's
 * direction: 0 is the direction of the first segment seen.  NULL when the
 * table is full or memory ran out. */
struct tcpr_conn *tcpr_lookup(struct tcpr *t, int family, const uint8_t *src, uint16_t sport,
			      const uint8_t *dst, uint16_t dport, int *dir);

/* Place a segment.  *rel gets the payload's offset in the direction's
 * stream.  Returns 0, or -ENOMEM. */
int tcpr_segment(struct tcpr_conn *c, int dir, uint32_t seq, uint8_t flags, const uint8_t *data,
		 size_t len, uint32_t *rel);
/* In-order bytes not consumed yet (NULL/0 when broken). */
const uint8_t *tcpr_pending(const struct tcpr_conn *c, int dir, size_t *len);
/* The first n pending bytes became out[0..outlen) in the rewritten stream. */
int tcpr_consume(struct tcpr_conn *c, int dir, size_t n, const uint8_t *out, size_t outlen);
/* Stop interpreting this direction (reason kept for the report). */
void tcpr_break(struct tcpr_conn *c, int dir, const char *reason);
const char *tcpr_broken(const struct tcpr_conn *c, int dir);
/* At the end of the capture: everything not decided passes through.  `left`
 * (may be NULL) is called first for each direction that still holds
 * in-order bytes no message took (a message the capture cut off). */
typedef void (*tcpr_left_fn)(void *ctx, const uint8_t *pending, size_t len);
void tcpr_finish(struct tcpr *t, tcpr_left_fn left, void *ctx);

/* Whether the bytes before sequence number seq_end of this direction are decided
 * (or never will be), so a segment or an acknowledgement reaching there
 * can be emitted. */
int tcpr_resolved(const struct tcpr_conn *c, int dir, uint32_t seq_end);
/* Rewritten sequence number for a captured one (of direction dir). */
uint32_t tcpr_seq_out(const struct tcpr_conn *c, int dir, uint32_t seq);
/* The payload of a captured segment at [rel, rel+len) as rewritten: written
 * to *out (malloc'd, the caller frees).  Returns its length or -ENOMEM. */
long tcpr_payload(const struct tcpr_conn *c, int dir, uint32_t rel, const uint8_t *data,
		  size_t len, uint8_t **out);
/* Whether the direction is rewritten at all (some message changed size or
 * content): when not, its segments can be copied as captured. */
int tcpr_changed(const struct tcpr_conn *c, int dir);

#endif
