/*
 * test_alg_verify.c - rule 5 on the engine's own output (src/alg/verify.c):
 * the cheaper re-check (re-parse, Content-Length, re-parse of the edited
 * values and of an edited SDP) still fails open.  The engine's test hook
 * (struct alg_engine.test_mangle, engine_int.h) damages the rendered bytes
 * the way a faulty edit would; the original must go out, unchanged, with a
 * reason, no notes, and the failed_open counter moved.
 */
#include "check.h"
#include "alg_harness.h"
#include "alg_msgs.h"
#include "alg/engine_int.h"

/* What the hook replaces in the output (same length), or appends. */
static const char *M_find, *M_with;
static int M_hit, M_append;

static void mangle(char *out, size_t *n)
{
	char *p = memmem(out, *n, M_find, strlen(M_find));

	if (p) {
		memcpy(p, M_with, strlen(M_with));
		M_hit = 1;
	}
	if (M_append) {
		out[(*n)++] = 'x';
		M_hit = 1;
	}
}

static struct alg_engine *engine(const char *find, const char *with, int append)
{
	struct alg_engine *e = h_engine();

	M_find = find;
	M_with = with;
	M_hit = 0;
	M_append = append;
	e->test_mangle = mangle;
	return e;
}

/* The original, unchanged, with an R5 reason and no notes. */
static void check_failed_open(struct alg_engine *e)
{
	struct alg_counters cn;

	alg_get_counters(e, &cn);
	CHECK(M_hit);
	CHECK(h_same());
	CHECK(H_res.out == H_in);
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(H_res.reason && strstr(H_res.reason, "(R5)"));
	CHECK_EQ_INT(H_res.nnotes, 0);
	CHECK_EQ_INT(cn.failed_open, 1);
}

static const char REG_NORPORT[] = "REGISTER sip:example.com SIP/2.0\n"
				  "Via: SIP/2.0/UDP 192.168.1.10:5062;branch=z9hG4bK-77\n"
				  "Max-Forwards: 70\n"
				  "From: <sip:alice@example.com>;tag=1\n"
				  "To: <sip:alice@example.com>\n"
				  "Call-ID: v1@192.168.1.10\n"
				  "CSeq: 1 REGISTER\n"
				  "Contact: <sip:alice@192.168.1.10:5062>\n"
				  "Expires: 120\n"
				  "Content-Length: 0\n\n";

/* Control: the hook that changes nothing lets the rewrite through, so the
 * cases below fail open because of the damage, not the hook. */
static void t_control(void)
{
	struct alg_engine *e = engine("no such bytes", "", 0);

	h_out(e, PHONE, REGISTRAR, invite("c1", "192.168.1.10", "m=audio 16384 RTP/AVP 0\n"));
	CHECK(H_res.changed);
	CHECK(h_line("Contact: <sip:alice@203.0.113.1:40001>"));
	CHECK(h_has("c=IN IP4 203.0.113.1"));
	CHECK(H_res.reason == NULL);
	alg_free(e);
}

/* An edited Contact that no longer parses as a name-addr (sip_addr_parse). */
static void t_contact(void)
{
	struct alg_engine *e = engine("@203.0.113.1:40001>", "@203.0.113.1:40001<", 0);

	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	check_failed_open(e);
	alg_free(e);
}

/* An edited top Via sent-by with a port that is not a number (sip_via_parse). */
static void t_via(void)
{
	struct alg_engine *e = engine("UDP 203.0.113.1:40001", "UDP 203.0.113.1:4x001", 0);

	h_out(e, PHONE, REGISTRAR, REG_NORPORT);
	check_failed_open(e);
	alg_free(e);
}

/* An edited m= port that is not a number (sdp_parse of the output). */
static void t_sdp(void)
{
	struct alg_engine *e = engine("m=audio 401", "m=audio x01", 0);

	h_out(e, PHONE, REGISTRAR, invite("c2", "192.168.1.10", "m=audio 16384 RTP/AVP 0\n"));
	check_failed_open(e);
	alg_free(e);
}

/* An edit that smuggles a line end in: one more header than the input. */
static void t_header_split(void)
{
	struct alg_engine *e =
	    engine("<sip:alice@203.0.113.1:40001>", "<sip:a@b>\r\nX: 203.0.113.1:401", 0);

	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	check_failed_open(e);
	alg_free(e);
}

/* A body longer than its Content-Length says. */
static void t_content_length(void)
{
	struct alg_engine *e = engine("no such bytes", "", 1);

	h_out(e, PHONE, REGISTRAR, invite("c3", "192.168.1.10", "m=audio 16384 RTP/AVP 0\n"));
	check_failed_open(e);
	alg_free(e);
}

/* An edited Request-URI (a request from outside to the registered binding)
 * that no longer parses (sip_uri_parse). */
static void t_ruri(void)
{
	struct alg_engine *e = engine("no such bytes", "", 0);

	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	h_in(e, REGISTRAR, BIND, REG_200);
	CHECK(H_res.changed);
	M_find = "INVITE sip:alice@192.168.1.10:5062 ";
	M_with = "INVITE sip:alice@192.168.1.10:50x2 ";
	h_in(e, REGISTRAR, BIND,
	     "INVITE sip:alice@203.0.113.1:40001 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 203.0.113.20:5060;branch=z9hG4bK-in1\n"
	     "Max-Forwards: 70\n"
	     "From: <sip:bob@example.com>;tag=b1\n"
	     "To: <sip:alice@example.com>\n"
	     "Call-ID: in1@203.0.113.20\n"
	     "CSeq: 1 INVITE\n"
	     "Contact: <sip:bob@203.0.113.20>\n"
	     "Content-Length: 0\n\n");
	check_failed_open(e);
	alg_free(e);
}

static const struct check_case cases[] = {
    {"control_rewrite_passes", t_control},
    {"r5_contact_value_reparsed", t_contact},
    {"r5_via_value_reparsed", t_via},
    {"r5_sdp_reparsed", t_sdp},
    {"r5_header_count_checked", t_header_split},
    {"r5_content_length_checked", t_content_length},
    {"r5_request_uri_reparsed", t_ruri},
    {0},
};

int main(void)
{
	return check_run("alg_verify", cases);
}
