/* test_tcpreasm.c - TCP reassembly and the captured->rewritten map (src/cli/tcpreasm.h). */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "cli/pktbuild.h"
#include "cli/tcpreasm.h"

static const uint8_t A[4] = { 192, 168, 1, 2 }, B[4] = { 198, 51, 100, 7 };
static const char msg[] = "0123456789abcdefghijKLMNO"; /* 25 bytes */
static char grown[31], shrunk[9];

static struct tcpr_conn *conn(struct tcpr *t, int *dir)
{
	return tcpr_lookup(t, 4, A, 40000, B, 5060, dir);
}

/* Feed seg of the message at offset off, length len; returns the rel. */
static uint32_t feed(struct tcpr_conn *c, uint32_t base, uint32_t off, size_t len)
{
	uint32_t rel = 0;

	CHECK_EQ_INT(tcpr_segment(c, 0, base + off, PKT_TCP_ACK, (const uint8_t *)msg + off, len,
				  &rel),
		     0);
	return rel;
}

/* Payload of the captured segment [off, off+len) as rewritten. */
static long payload(struct tcpr_conn *c, uint32_t off, size_t len, char *out, size_t cap)
{
	uint8_t *p;
	long n = tcpr_payload(c, 0, off, (const uint8_t *)msg + off, len, &p);

	if (n >= 0 && (size_t)n <= cap)
		memcpy(out, p, (size_t)n);
	free(p);
	return n;
}

static void setup(struct tcpr **t, struct tcpr_conn **c, uint32_t isn)
{
	int dir;
	uint32_t rel;

	memset(grown, 'G', 30);
	memset(shrunk, 's', 8);
	*t = tcpr_new();
	*c = conn(*t, &dir);
	CHECK(*c && dir == 0);
	CHECK_EQ_INT(tcpr_segment(*c, 0, isn, PKT_TCP_SYN, NULL, 0, &rel), 0);
}

static void t_grow_over_three_segments(void)
{
	struct tcpr *t;
	struct tcpr_conn *c;
	char out[64];
	size_t len;

	setup(&t, &c, 1000);
	feed(c, 1001, 0, 10);
	feed(c, 1001, 10, 10);
	CHECK(!tcpr_resolved(c, 0, 1011));  /* the message is not complete yet */
	CHECK(tcpr_pending(c, 0, &len) && len == 20);
	feed(c, 1001, 20, 5);
	CHECK_EQ_INT(tcpr_consume(c, 0, 25, (const uint8_t *)grown, 30), 0);
	CHECK(tcpr_resolved(c, 0, 1026));
	CHECK_EQ_INT(tcpr_seq_out(c, 0, 1000), 1000); /* the SYN */
	CHECK_EQ_INT(tcpr_seq_out(c, 0, 1011), 1011);
	CHECK_EQ_INT(tcpr_seq_out(c, 0, 1021), 1021);
	CHECK_EQ_INT(tcpr_seq_out(c, 0, 1026), 1031); /* after it: +5 */
	CHECK_EQ_INT(payload(c, 0, 10, out, sizeof(out)), 10);
	CHECK_EQ_INT(payload(c, 10, 10, out, sizeof(out)), 10);
	CHECK_EQ_INT(payload(c, 20, 5, out, sizeof(out)), 10); /* the last takes the growth */
	CHECK(!memcmp(out, grown, 10));
	CHECK(tcpr_changed(c, 0));
	tcpr_free(t);
}

static void t_shrink(void)
{
	struct tcpr *t;
	struct tcpr_conn *c;
	char out[64];

	setup(&t, &c, 1000);
	feed(c, 1001, 0, 10);
	feed(c, 1001, 10, 10);
	feed(c, 1001, 20, 5);
	CHECK_EQ_INT(tcpr_consume(c, 0, 25, (const uint8_t *)shrunk, 8), 0);
	CHECK_EQ_INT(payload(c, 0, 10, out, sizeof(out)), 8);
	CHECK_EQ_INT(payload(c, 10, 10, out, sizeof(out)), 0);
	CHECK_EQ_INT(payload(c, 20, 5, out, sizeof(out)), 0);
	CHECK_EQ_INT(tcpr_seq_out(c, 0, 1011), 1009);
	CHECK_EQ_INT(tcpr_seq_out(c, 0, 1026), 1009);
	tcpr_free(t);
}

static void t_retransmission(void)
{
	struct tcpr *t;
	struct tcpr_conn *c;
	char out[64];
	size_t len;

	setup(&t, &c, 1000);
	feed(c, 1001, 0, 25);
	CHECK_EQ_INT(tcpr_consume(c, 0, 25, (const uint8_t *)grown, 30), 0);
	/* The same bytes again: nothing new pending, rewritten payload. */
	CHECK_EQ_INT(feed(c, 1001, 0, 25), 0);
	CHECK(!tcpr_pending(c, 0, &len));
	CHECK_EQ_INT(payload(c, 0, 25, out, sizeof(out)), 30);
	CHECK(!memcmp(out, grown, 30));
	tcpr_free(t);
}

static void t_gap_breaks(void)
{
	struct tcpr *t;
	struct tcpr_conn *c;
	char out[64];

	setup(&t, &c, 1000);
	feed(c, 1001, 0, 10);
	CHECK_EQ_INT(tcpr_consume(c, 0, 10, (const uint8_t *)grown, 12), 0);
	CHECK(!tcpr_broken(c, 0));
	feed(c, 1001, 20, 5); /* bytes 10..20 never captured */
	CHECK(tcpr_broken(c, 0));
	CHECK(tcpr_resolved(c, 0, 1026));
	CHECK_EQ_INT(tcpr_seq_out(c, 0, 1021), 1023); /* passes with the delta so far */
	CHECK_EQ_INT(payload(c, 20, 5, out, sizeof(out)), 5);
	CHECK(!memcmp(out, msg + 20, 5));
	tcpr_free(t);
}

static int left_called;
static size_t left_len;

static void left(void *ctx, const uint8_t *p, size_t len)
{
	(void)ctx;
	(void)p;
	left_called++;
	left_len = len;
}

static void t_finish(void)
{
	struct tcpr *t;
	struct tcpr_conn *c;
	char out[64];

	setup(&t, &c, 1000);
	feed(c, 1001, 0, 10);
	CHECK_EQ_INT(tcpr_consume(c, 0, 10, (const uint8_t *)grown, 12), 0);
	feed(c, 1001, 10, 7); /* an incomplete message */
	CHECK(!tcpr_resolved(c, 0, 1018));
	tcpr_finish(t, left, NULL);
	CHECK_EQ_INT(left_called, 1);
	CHECK_EQ_INT(left_len, 7);
	CHECK(tcpr_resolved(c, 0, 1018));
	CHECK_EQ_INT(payload(c, 10, 7, out, sizeof(out)), 7);
	CHECK(!memcmp(out, msg + 10, 7));
	CHECK_EQ_INT(tcpr_seq_out(c, 0, 1011), 1013);
	tcpr_free(t);
}

static void t_directions_and_ack(void)
{
	struct tcpr *t;
	struct tcpr_conn *c, *c2;
	uint32_t rel;
	int dir;

	setup(&t, &c, 1000);
	c2 = tcpr_lookup(t, 4, B, 5060, A, 40000, &dir);
	CHECK(c2 == c && dir == 1);
	CHECK_EQ_INT(tcpr_segment(c, 1, 7000, PKT_TCP_SYN | PKT_TCP_ACK, NULL, 0, &rel), 0);
	feed(c, 1001, 0, 10);
	/* The peer acknowledges into a message not decided yet: wait. */
	CHECK(!tcpr_resolved(c, 0, 1006));
	feed(c, 1001, 10, 15);
	CHECK_EQ_INT(tcpr_consume(c, 0, 25, (const uint8_t *)grown, 30), 0);
	CHECK(tcpr_resolved(c, 0, 1006));
	CHECK_EQ_INT(tcpr_seq_out(c, 0, 1026), 1031); /* the peer's ACK number */
	CHECK_EQ_INT(tcpr_seq_out(c, 1, 7001), 7001); /* untouched direction */
	/* An ACK beyond anything seen (data the capture missed) is decided. */
	CHECK(tcpr_resolved(c, 0, 5000));
	tcpr_free(t);
}

static void t_wraparound(void)
{
	struct tcpr *t;
	struct tcpr_conn *c;
	char out[64];

	setup(&t, &c, 0xfffffff0u);
	feed(c, 0xfffffff1u, 0, 25);
	CHECK_EQ_INT(tcpr_consume(c, 0, 25, (const uint8_t *)grown, 30), 0);
	CHECK_EQ_INT(tcpr_seq_out(c, 0, 0xfffffff1u + 25), (uint32_t)(0xfffffff1u + 30));
	CHECK_EQ_INT(payload(c, 0, 25, out, sizeof(out)), 30);
	tcpr_free(t);
}

static void t_midstream_and_limit(void)
{
	struct tcpr *t = tcpr_new();
	struct tcpr_conn *c;
	static uint8_t big[TCPR_MAX_PENDING + 1];
	uint32_t rel;
	int dir;

	c = conn(t, &dir);
	/* No SYN seen: the first segment starts the stream. */
	CHECK_EQ_INT(tcpr_segment(c, 0, 5000, PKT_TCP_ACK, (const uint8_t *)msg, 5, &rel), 0);
	CHECK_EQ_INT(rel, 0);
	CHECK_EQ_INT(tcpr_segment(c, 0, 5005, PKT_TCP_ACK, big, sizeof(big), &rel), 0);
	CHECK(tcpr_broken(c, 0)); /* more than a message can be */
	tcpr_free(t);
}

static void t_reused_tuple(void)
{
	struct tcpr *t;
	struct tcpr_conn *c;
	uint32_t rel;

	setup(&t, &c, 1000);
	feed(c, 1001, 0, 25);
	CHECK_EQ_INT(tcpr_consume(c, 0, 25, (const uint8_t *)grown, 30), 0);
	/* A new SYN with another ISN on the same 4-tuple: a new stream. */
	CHECK_EQ_INT(tcpr_segment(c, 0, 90000, PKT_TCP_SYN, NULL, 0, &rel), 0);
	CHECK_EQ_INT(feed(c, 90001, 0, 10), 0);
	CHECK(!tcpr_broken(c, 0));
	CHECK_EQ_INT(tcpr_seq_out(c, 0, 90011), 90011);
	tcpr_free(t);
}

static const struct check_case cases[] = {
	{ "4-tuple reused by a new connection", t_reused_tuple },
	{ "message over three segments grows", t_grow_over_three_segments },
	{ "message shrinks", t_shrink },
	{ "retransmission carries the rewritten bytes", t_retransmission },
	{ "gap passes through with the delta", t_gap_breaks },
	{ "end of capture inside a message", t_finish },
	{ "two directions, ACK waits for the message", t_directions_and_ack },
	{ "sequence number wraparound", t_wraparound },
	{ "mid-stream start, pending limit", t_midstream_and_limit },
	{ 0 },
};

int main(void)
{
	return check_run("tcpreasm", cases);
}
