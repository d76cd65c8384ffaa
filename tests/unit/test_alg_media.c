/*
 * test_alg_media.c - the engine against the rewrite rules (R1-R10) and the
 * breakage catalogue (B1-B31), SDP and media side: c=/o=/m=/a=rtcp,
 * pinholes per dialog and stream, offer/answer, hold, forking, timers.
 * Header and registration cases are in test_alg_rules.c.
 * Each case names the rule or case it defends; "(kernel: ...)" says what
 * nf_nat_sip does wrong there.
 */
#include "check.h"
#include "alg_harness.h"
#include "alg_msgs.h"

/* B4b, B4c: a legal low port is mapped; m= 70000 forwarded, left alone
 * with its own c= (one that shared the session c= would keep it private,
 * and the low port with it: never half-translated, test_alg_catalogue). */
static void t_b4bc(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("b4", "192.168.1.10",
					   "m=audio 1000 RTP/AVP 0\nm=audio 70000 RTP/AVP 0\n"
					   "c=IN IP4 192.168.1.10\n"));
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("m=audio 40100 RTP/AVP 0"));
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	CHECK(h_line("m=audio 70000 RTP/AVP 0"));
	CHECK(h_line("c=IN IP4 192.168.1.10"));
	CHECK(h_clen_ok());
	alg_free(e);
}

/* B4c: allocation near 65535 stays <= 65535 on even boundaries. */
static void t_b4_high(void)
{
	struct alg_config cfg;
	h_config(&cfg);
	cfg.media_port_min = 65530;
	cfg.media_port_max = 65535;
	struct alg_engine *e = alg_new(&cfg);
	h_out(e, PHONE, REGISTRAR, invite("hi", "192.168.1.10",
					   "m=audio 30000 RTP/AVP 0\nm=audio 30002 RTP/AVP 0\n"
					   "m=audio 30004 RTP/AVP 0\nm=audio 30006 RTP/AVP 0\n"));
	CHECK(h_line("m=audio 65530 RTP/AVP 0"));
	CHECK(h_line("m=audio 65532 RTP/AVP 0"));
	CHECK(h_line("m=audio 65534 RTP/AVP 0"));
	CHECK(h_line("m=audio 30006 RTP/AVP 0")); /* range exhausted: left alone */
	CHECK(H_res.reason != NULL);
	CHECK(h_clen_ok());
	alg_free(e);
}

/* B5a: Content-Length grows by exactly the growth of the SDP. */
static void t_b5a(void)
{
	struct alg_config cfg;
	h_config(&cfg);
	cfg.inside[0].addr = hp("10.0.0.0");
	cfg.inside[0].len = 8;
	cfg.public_addr = hp("203.0.113.100");
	struct alg_engine *e = alg_new(&cfg);
	snprintf(Tbuf, sizeof(Tbuf),
		 "INVITE sip:bob@203.0.113.20 SIP/2.0\n"
		 "Via: SIP/2.0/UDP 10.1.1.5:5062;rport;branch=z9hG4bK-b5\n"
		 "From: <sip:alice@example.com>;tag=a\n"
		 "To: <sip:bob@example.com>\n"
		 "Call-ID: b5\n"
		 "CSeq: 1 INVITE\n"
		 "Content-Type: application/sdp\n"
		 "Content-Length: {CLEN}\n\n"
		 "v=0\no=alice 100 100 IN IP4 10.1.1.5\ns=-\nc=IN IP4 10.1.1.5\nt=0 0\n"
		 "m=audio 40100 RTP/AVP 0\na=rtpmap:0 PCMU/8000\na=sendrecv\n");
	h_run_at(e, ALG_OUT, "10.1.1.5:5062", REGISTRAR, Tbuf, H_now);
	struct sip_hdr hd[64];
	struct sip_msg a, b;
	sip_msg_parse(&a, H_in, H_inlen, hd, 64, 0);
	int64_t before = a.content_length;
	sip_msg_parse(&b, H_out, H_outlen, hd, 64, 0);
	CHECK_EQ_INT(b.content_length, before + 10);
	if (check_failed)
		fprintf(stderr, "%s\n---\n%s\n", H_in, H_out);
	CHECK(h_line("c=IN IP4 203.0.113.100"));
	CHECK(h_line("o=alice 100 100 IN IP4 203.0.113.100"));
	CHECK(h_clen_ok());
	alg_free(e);
}

static const char MULTIPART[] =
	"INVITE sip:bob@203.0.113.20:5070 SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-t06\n"
	"Max-Forwards: 70\n"
	"From: <sip:alice@example.com>;tag=f06\n"
	"To: <sip:bob@203.0.113.20:5070>\n"
	"Call-ID: t06-5062\n"
	"CSeq: 1 INVITE\n"
	"Contact: <sip:alice@192.168.1.10:5062>\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed;boundary=unique-boundary-1\n"
	"Content-Length: {CLEN}\n"
	"\n"
	"--unique-boundary-1\n"
	"Content-Type: application/sdp\n"
	"\n"
	"v=0\n"
	"o=alice 300 300 IN IP4 192.168.1.10\n"
	"s=-\n"
	"c=IN IP4 192.168.1.10\n"
	"t=0 0\n"
	"m=audio 34000 RTP/AVP 0\n"
	"\n"
	"--unique-boundary-1\n"
	"Content-Type: application/ISUP;version=itu-t92+\n"
	"Content-Disposition: signal;handling=optional\n"
	"\n"
	"0123456789\n"
	"--unique-boundary-1--\n";

/* B5b / B24: multipart - SDP part rewritten, ISUP part intact, CL right
 * (kernel: CL 256 for a 310-byte body). */
static void t_b24(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, MULTIPART);
	CHECK(H_res.changed);
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	CHECK(h_line("o=alice 300 300 IN IP4 203.0.113.1"));
	CHECK(h_line("m=audio 40100 RTP/AVP 0"));
	CHECK(h_has("--unique-boundary-1\r\nContent-Type: application/ISUP;version=itu-t92+\r\n"
		    "Content-Disposition: signal;handling=optional\r\n\r\n0123456789\r\n--unique-boundary-1--\r\n"));
	CHECK(h_clen_ok());
	CHECK(h_line("Content-Length: 310"));
	alg_free(e);
}

/* B5c / B23: UDP INVITE with SDP and no Content-Length is rewritten and
 * forwarded, nothing added (kernel: dropped silently). */
static void t_b5c(void)
{
	struct alg_engine *e = h_engine();
	const char *m = invite("b5c", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n");
	char buf[8192];
	snprintf(buf, sizeof(buf), "%s", m);
	char *cl = strstr(buf, "Content-Length: {CLEN}\n");
	memmove(cl, cl + 23, strlen(cl + 23) + 1);
	h_out(e, PHONE, REGISTRAR, buf);
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	CHECK(!h_has("Content-Length"));
	alg_free(e);
}

/* B8 / R8: ICE media description left byte-identical (kernel: c= rewritten,
 * candidates not: ice-mismatch). */
static void t_b8(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      invite("ice", "192.168.1.10",
		     "m=audio 30000 RTP/AVP 0\n"
		     "a=ice-ufrag:F7gI\n"
		     "a=ice-pwd:x9cml/YzichV2+XlhiMu8g\n"
		     "a=candidate:1 1 UDP 2130706431 192.168.1.10 30000 typ host\n"
		     "a=candidate:2 1 UDP 1694498815 198.51.100.7 46000 typ srflx raddr 192.168.1.10 rport 30000\n"));
	CHECK(h_line("c=IN IP4 192.168.1.10"));
	CHECK(h_line("m=audio 30000 RTP/AVP 0"));
	CHECK(h_line("o=alice 100 100 IN IP4 192.168.1.10"));
	CHECK(h_line("Contact: <sip:alice@203.0.113.1:40001>"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 0);
	alg_free(e);
}

/* B9 / R6 / R7: hold keeps o= public and the mapping; 0.0.0.0 untouched
 * (kernel: o= becomes 0.0.0.0, pinholes flushed). */
static void t_b9(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("hold", "192.168.1.10", "m=audio 30000 RTP/AVP 0\na=sendrecv\n"));
	CHECK(h_line("m=audio 40100 RTP/AVP 0"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 2);
	h_in(e, REGISTRAR, BIND, resp(200, "hold", "b", "INVITE", 1, REMOTE_SDP));
	h_out(e, PHONE, REGISTRAR, in_dialog("ACK", "hold", 1, NULL));
	h_out(e, PHONE, REGISTRAR,
	      in_dialog("INVITE", "hold", 2,
			"v=0\no=alice 100 101 IN IP4 192.168.1.10\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\n"
			"m=audio 30000 RTP/AVP 0\na=sendonly\n"));
	CHECK(h_line("o=alice 100 101 IN IP4 203.0.113.1"));
	CHECK(h_line("c=IN IP4 0.0.0.0"));
	CHECK(h_line("m=audio 40100 RTP/AVP 0"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 0);
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_CLOSE), 0);
	h_out(e, PHONE, REGISTRAR,
	      in_dialog("INVITE", "hold", 3,
			"v=0\no=alice 100 102 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\n"
			"m=audio 30000 RTP/AVP 0\na=sendrecv\n"));
	CHECK(h_line("m=audio 40100 RTP/AVP 0"));
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 0);
	CHECK_EQ_INT(h_open_pinholes(e), 2);
	alg_free(e);
}

/* B12 / K4: five m= lines incl. BFCP all mapped; port 0 and T.38 handled
 * (kernel: 4th line and m=application keep the private address). */
static void t_b12(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      invite("five", "192.168.1.10",
		     "m=audio 32000 RTP/AVP 0\nc=IN IP4 192.168.1.10\n"
		     "m=video 32002 RTP/AVP 96\nc=IN IP4 192.168.1.10\n"
		     "m=application 32004 UDP/BFCP *\nc=IN IP4 192.168.1.10\n"
		     "m=video 32006 RTP/AVP 96\nc=IN IP4 192.168.1.10\n"
		     "m=audio 32008 RTP/AVP 0\nc=IN IP4 192.168.1.10\n"
		     "m=image 32010 udptl t38\n"
		     "m=audio 0 RTP/AVP 0\n"));
	CHECK(!h_has("c=IN IP4 192.168.1.10"));
	CHECK(h_line("m=application 40104 UDP/BFCP *"));
	CHECK(h_line("m=audio 40108 RTP/AVP 0"));
	CHECK(h_line("m=image 40110 udptl t38"));
	CHECK(h_line("m=audio 0 RTP/AVP 0"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 12);
	CHECK(h_clen_ok());
	CHECK_EQ_INT(h_diff_lines(), 15); /* Contact, o=, 6 c=, 6 m=, Content-Length */
	alg_free(e);
}

/* B13: a=rtcp on a non-adjacent port gets its own mapping and a=rtcp is
 * rewritten; a=rtcp RTP+1 follows RTP; rtcp-mux opens one pinhole
 * (kernel: a=rtcp left private, RTCP pinhole on RTP+1). */
static void t_b13(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      invite("rtcp", "192.168.1.10",
		     "m=audio 30000 RTP/AVP 0\na=rtcp:30003 IN IP4 192.168.1.10\n"
		     "m=audio 30010 RTP/AVP 0\na=rtcp:30011\n"
		     "m=audio 30020 RTP/AVP 0\na=rtcp-mux\n"));
	CHECK(h_line("m=audio 40100 RTP/AVP 0"));
	CHECK(h_line("a=rtcp:40103 IN IP4 203.0.113.1"));
	CHECK(h_line("m=audio 40104 RTP/AVP 0"));
	CHECK(h_line("a=rtcp:40105"));
	CHECK(h_line("m=audio 40106 RTP/AVP 0"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 5);
	const struct alg_action *a = h_action(ALG_ACT_PINHOLE_OPEN, 1);
	CHECK(a && a->u.pin.inside_ep.port == 30003 && a->u.pin.public_ep.port == 40103);
	alg_free(e);
}

/* B14 / B15 / R6: pinholes admit any source (media server .21/.22 differs
 * from the signalling peer); forking: both early dialogs' media reach the
 * phone, the 200 releases the other early dialog, pinholes unchanged
 * (kernel: only the signalling peer admitted). */
static void t_b14_b15(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("fork", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	const struct alg_action *a = h_action(ALG_ACT_PINHOLE_OPEN, 0);
	CHECK(a && a->u.pin.remote.family == 0);
	h_in(e, REGISTRAR, BIND, resp(183, "fork", "a", "INVITE", 1, REMOTE_SDP));
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("c=IN IP4 203.0.113.21"));
	/* Only the outbound halves the first response owes (outbound_later). */
	CHECK_EQ_INT(H_res.nactions, 2);
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_REFRESH), 2);
	h_in(e, REGISTRAR, BIND,
	     resp(183, "fork", "b", "INVITE", 1,
		  "v=0\no=b 1 1 IN IP4 203.0.113.22\ns=-\nc=IN IP4 203.0.113.22\nt=0 0\nm=audio 22000 RTP/AVP 0\n"));
	CHECK_EQ_INT(H_res.nactions, 0);
	struct alg_call_info ci;
	int got(void *ctx, const struct alg_call_info *c);
	alg_calls_each(e, got, &ci);
	CHECK_EQ_INT(ci.nearly, 2);
	h_in(e, REGISTRAR, BIND, resp(200, "fork", "b", "INVITE", 1, REMOTE_SDP));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_CLOSE), 0);
	alg_calls_each(e, got, &ci);
	CHECK_EQ_INT(ci.state, ALG_CALL_CONFIRMED);
	CHECK_EQ_INT(h_open_pinholes(e), 2);
	alg_free(e);
}

int got(void *ctx, const struct alg_call_info *c);
int got(void *ctx, const struct alg_call_info *c)
{
	memcpy(ctx, c, sizeof(*c));
	return 0;
}

/* B16 / K3 / R6: two calls on one trunk flow; B's BYE closes only B's
 * pinholes (kernel: B's INVITE flushes A's, B's BYE flushes all). */
static void t_b16(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("callA", "192.168.1.10", "m=audio 30100 RTP/AVP 0\n"));
	h_in(e, REGISTRAR, BIND, resp(200, "callA", "b", "INVITE", 1, REMOTE_SDP));
	h_out(e, PHONE, REGISTRAR, invite("callB", "192.168.1.10", "m=audio 31000 RTP/AVP 0\n"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_CLOSE), 0);
	h_in(e, REGISTRAR, BIND, resp(200, "callB", "b", "INVITE", 1, REMOTE_SDP));
	CHECK_EQ_INT(h_open_pinholes(e), 4);
	h_out(e, PHONE, REGISTRAR, in_dialog("BYE", "callB", 2, NULL));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_CLOSE), 2);
	CHECK_EQ_INT(h_count(ALG_ACT_CALL_END), 1);
	const struct alg_action *end = h_action(ALG_ACT_CALL_END, 0);
	CHECK(end && end->u.call.reason == ALG_END_BYE && !strcmp(end->u.call.call_id, "callB@192.168.1.10"));
	CHECK(end && end->u.call.answer_ms != 0 && end->u.call.npinholes == 2);
	CHECK_EQ_INT(h_open_pinholes(e), 2);
	for (unsigned i = 0; i < H_res.nactions; i++)
		if (H_res.actions[i].kind == ALG_ACT_PINHOLE_CLOSE)
			CHECK(H_res.actions[i].u.pin.inside_ep.port >= 31000);
	alg_free(e);
}

/* B17 / K2: two phones, same inside RTP port: distinct public ports
 * (kernel: second INVITE dropped "all ports in use"). */
static void t_b17(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("p1", "192.168.1.10", "m=audio 30200 RTP/AVP 0\na=rtcp:30201\n"));
	CHECK(h_line("m=audio 40100 RTP/AVP 0"));
	char m[8192];
	snprintf(m, sizeof(m), "%s", invite("p2", "192.168.1.11", "m=audio 30200 RTP/AVP 0\na=rtcp:30201\n"));
	char *p;
	while ((p = strstr(m, "192.168.1.10")))
		memcpy(p, "192.168.1.11", 12);
	h_run_at(e, ALG_OUT, "192.168.1.11:5062", REGISTRAR, m, H_now);
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("m=audio 40102 RTP/AVP 0"));
	CHECK(h_line("a=rtcp:40103"));
	CHECK_EQ_INT(h_open_pinholes(e), 4);
	alg_free(e);
}

/* B29 / R10: SDP naming another inside host (media gateway) is mapped
 * (kernel: left private, no pinhole). */
static void t_b29(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("gw", "192.168.1.20", "m=audio 33100 RTP/AVP 0\n"));
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	const struct alg_action *a = h_action(ALG_ACT_PINHOLE_OPEN, 0);
	CHECK(a && a->u.pin.inside_ep.ip[3] == 20 && a->u.pin.inside_ep.port == 33100);
	alg_free(e);
}

/* B31: no line added or removed anywhere (no i= line). */
static void t_b31(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("b31", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	CHECK_EQ_INT(h_diff_lines(), 5); /* Contact, o=, c=, m=, Content-Length */
	CHECK(!h_has("i="));
	alg_free(e);
}

/* R6: CANCEL and a final error close the call's pinholes. */
static void t_r6_cancel_reject(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("c1", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	snprintf(Tbuf, sizeof(Tbuf),
		 "CANCEL sip:bob@203.0.113.20 SIP/2.0\n"
		 "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-c1\n"
		 "From: \"Alice\" <sip:alice@example.com>;tag=ac1\n"
		 "To: <sip:bob@example.com>\n"
		 "Call-ID: c1@192.168.1.10\n"
		 "CSeq: 1 CANCEL\n"
		 "Content-Length: 0\n\n");
	h_out(e, PHONE, REGISTRAR, Tbuf);
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_CLOSE), 2);
	CHECK(h_action(ALG_ACT_CALL_END, 0) && h_action(ALG_ACT_CALL_END, 0)->u.call.reason == ALG_END_CANCEL);
	h_out(e, PHONE, REGISTRAR, invite("c2", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	h_in(e, REGISTRAR, BIND, resp(486, "c2", "x", "INVITE", 1, NULL));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_CLOSE), 2);
	CHECK(h_action(ALG_ACT_CALL_END, 0) && h_action(ALG_ACT_CALL_END, 0)->u.call.reason == ALG_END_REJECTED);
	CHECK_EQ_INT(h_open_pinholes(e), 0);
	alg_free(e);
}

/* R6: the media timer ends a silent call; media seen keeps it alive. */
static void t_r6_timers(void)
{
	struct alg_engine *e = h_engine();
	struct alg_result r;
	H_now = 1000;
	h_out(e, PHONE, REGISTRAR, invite("t1", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	uint32_t pin = h_action(ALG_ACT_PINHOLE_OPEN, 0)->u.pin.id;
	h_in(e, REGISTRAR, BIND, resp(200, "t1", "b", "INVITE", 1, REMOTE_SDP));
	alg_media_seen(e, pin, 100000);
	alg_expire(e, 130000, &r);
	CHECK_EQ_INT(r.nactions, 0);
	CHECK(alg_next_deadline(e) >= 130000);
	alg_expire(e, 220001, &r);
	int ended = 0;
	for (unsigned i = 0; i < r.nactions; i++)
		if (r.actions[i].kind == ALG_ACT_CALL_END)
			ended = r.actions[i].u.call.reason == ALG_END_MEDIA_TIMEOUT;
	CHECK(ended);
	CHECK_EQ_INT(h_open_pinholes(e), 0);
	CHECK(alg_next_deadline(e) >= 220001);
	/* an unanswered INVITE ends after Timer C */
	H_now = 300000;
	h_out(e, PHONE, REGISTRAR, invite("t2", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	alg_expire(e, 300000 + 180001, &r);
	CHECK(r.nactions >= 3);
	H_now = 1000;
	alg_free(e);
}

/* R7: late offer: 200 carries the offer (left alone), ACK the answer
 * (rewritten); UPDATE and PRACK with SDP too (RFC 3311, 3262). */
static void t_r7_late_offer(void)
{
	struct alg_engine *e = h_engine();
	invite("late", "192.168.1.10", "");
	char *b = strstr(Tbuf, "Content-Type: application/sdp\n");
	memmove(b, b + 30, strlen(b + 30) + 1);
	b = strstr(Tbuf, "\n\n");
	b[2] = 0;
	h_out(e, PHONE, REGISTRAR, Tbuf);
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 0);
	h_in(e, REGISTRAR, BIND, resp(200, "late", "b", "INVITE", 1, REMOTE_SDP));
	CHECK(h_line("c=IN IP4 203.0.113.21"));
	h_out(e, PHONE, REGISTRAR,
	      in_dialog("ACK", "late", 1,
			"v=0\no=alice 1 1 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\nm=audio 30000 RTP/AVP 0\n"));
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 2);
	h_out(e, PHONE, REGISTRAR,
	      in_dialog("UPDATE", "late", 2,
			"v=0\no=alice 1 2 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\nm=audio 30000 RTP/AVP 0\nm=video 30002 RTP/AVP 96\n"));
	CHECK(h_line("m=audio 40100 RTP/AVP 0"));
	CHECK(h_line("m=video 40102 RTP/AVP 96"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 2);
	alg_free(e);
}

/* Pinholes from the first offer of a call the phone placed say that no
 * flow can predate them (the phone knows no remote media address yet), so
 * sipalgd skips the conntrack flush; pinholes opened once the phone has
 * seen remote SDP (late-offer ACK here) do not. */
static void t_no_stale_flows(void)
{
	struct alg_engine *e = h_engine();
	const struct alg_action *a;

	h_out(e, PHONE, REGISTRAR, invite("ns", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 2);
	a = h_action(ALG_ACT_PINHOLE_OPEN, 0);
	CHECK(a && a->u.pin.no_stale_flows == 1);
	alg_free(e);

	e = h_engine();
	invite("late2", "192.168.1.10", "");
	char *b = strstr(Tbuf, "Content-Type: application/sdp\n");
	memmove(b, b + 30, strlen(b + 30) + 1);
	b = strstr(Tbuf, "\n\n");
	b[2] = 0;
	h_out(e, PHONE, REGISTRAR, Tbuf);
	h_in(e, REGISTRAR, BIND, resp(200, "late2", "b", "INVITE", 1, REMOTE_SDP));
	h_out(e, PHONE, REGISTRAR,
	      in_dialog("ACK", "late2", 1,
			"v=0\no=alice 1 1 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\nm=audio 30000 RTP/AVP 0\n"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 2);
	a = h_action(ALG_ACT_PINHOLE_OPEN, 0);
	CHECK(a && a->u.pin.no_stale_flows == 0);
	alg_free(e);
}

/* R6: the first offer of a call the phone placed opens only what the
 * remote side needs (outbound_later); the first response from outside
 * (here a 180 without SDP) owes the outbound half as a REFRESH of each
 * pinhole, once.  An incoming call's pinholes are whole from the start. */
static void t_outbound_later(void)
{
	struct alg_engine *e = h_engine();
	const struct alg_action *a, *o;
	uint32_t ids[2];

	h_out(e, PHONE, REGISTRAR, invite("ol", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 2);
	for (int i = 0; i < 2; i++) {
		o = h_action(ALG_ACT_PINHOLE_OPEN, i);
		CHECK(o && o->u.pin.outbound_later == 1);
		ids[i] = o ? o->u.pin.id : 0;
	}
	h_in(e, REGISTRAR, BIND, resp(100, "ol", "", "INVITE", 1, NULL));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_REFRESH), 0);
	h_in(e, REGISTRAR, BIND, resp(180, "ol", "b", "INVITE", 1, NULL));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_REFRESH), 2);
	for (int i = 0; i < 2; i++) {
		a = h_action(ALG_ACT_PINHOLE_REFRESH, i);
		CHECK(a && a->u.pin.id == ids[i] && a->u.pin.outbound_later == 0);
	}
	h_in(e, REGISTRAR, BIND, resp(200, "ol", "b", "INVITE", 1, REMOTE_SDP));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_REFRESH), 0);
	alg_free(e);

	e = h_engine();
	h_in(e, REGISTRAR, BIND,
	     "INVITE sip:alice@203.0.113.1:40001 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 203.0.113.20;branch=z9hG4bK-inol\n"
	     "From: <sip:bob@example.com>;tag=b1\n"
	     "To: <sip:alice@example.com>\n"
	     "Call-ID: inol@203.0.113.20\n"
	     "CSeq: 1 INVITE\n"
	     "Contact: <sip:bob@203.0.113.20>\n"
	     "Content-Type: application/sdp\n"
	     "Content-Length: {CLEN}\n\n"
	     "v=0\no=bob 1 1 IN IP4 203.0.113.20\ns=-\nc=IN IP4 203.0.113.21\nt=0 0\n"
	     "m=audio 20000 RTP/AVP 0\n");
	h_out(e, PHONE, REGISTRAR,
	      "SIP/2.0 200 OK\n"
	      "Via: SIP/2.0/UDP 203.0.113.20;branch=z9hG4bK-inol\n"
	      "From: <sip:bob@example.com>;tag=b1\n"
	      "To: <sip:alice@example.com>;tag=a1\n"
	      "Call-ID: inol@203.0.113.20\n"
	      "CSeq: 1 INVITE\n"
	      "Contact: <sip:alice@192.168.1.10:5062>\n"
	      "Content-Type: application/sdp\n"
	      "Content-Length: {CLEN}\n\n"
	      "v=0\no=alice 1 1 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\nm=audio 30000 RTP/AVP 0\n");
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 2);
	a = h_action(ALG_ACT_PINHOLE_OPEN, 0);
	CHECK(a && a->u.pin.outbound_later == 0);
	alg_free(e);
}

/* R6 / R7: a re-INVITE moving the stream to a new port gets a new
 * mapping; the old one stays until the dialog ends. */
static void t_r6_reinvite_port(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("mv", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	h_in(e, REGISTRAR, BIND, resp(200, "mv", "b", "INVITE", 1, REMOTE_SDP));
	h_out(e, PHONE, REGISTRAR,
	      in_dialog("INVITE", "mv", 2,
			"v=0\no=alice 100 101 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\nm=audio 30008 RTP/AVP 0\n"));
	CHECK(h_line("m=audio 40102 RTP/AVP 0"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_CLOSE), 0);
	CHECK_EQ_INT(h_open_pinholes(e), 4);
	h_in(e, REGISTRAR, BIND, in_dialog("BYE", "mv", 3, NULL));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_CLOSE), 4);
	CHECK_EQ_INT(h_open_pinholes(e), 0);
	alg_free(e);
}

/* Mode pinhole: pinholes but no rewriting. */
static void t_mode_pinhole(void)
{
	struct alg_config cfg;
	h_config(&cfg);
	cfg.mode = ALG_MODE_PINHOLE;
	struct alg_engine *e = alg_new(&cfg);
	h_out(e, PHONE, REGISTRAR, invite("pm", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	CHECK(h_same());
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 2);
	const struct alg_action *a = h_action(ALG_ACT_PINHOLE_OPEN, 0);
	CHECK(a && a->u.pin.public_ep.port == 30000);
	alg_free(e);
}

/* R7: a stream the final answer rejects (port 0) loses its pinholes; an
 * early answer rejecting it does not (another fork may accept). */
static void t_r7_rejected_in_answer(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("rej", "192.168.1.10",
					   "m=audio 30000 RTP/AVP 0\nm=video 30002 RTP/AVP 96\n"));
	CHECK_EQ_INT(h_open_pinholes(e), 4);
	static const char ans[] = "v=0\no=b 1 1 IN IP4 203.0.113.20\ns=-\nc=IN IP4 203.0.113.21\nt=0 0\n"
				  "m=audio 20000 RTP/AVP 0\nm=video 0 RTP/AVP 96\n";
	h_in(e, REGISTRAR, BIND, resp(183, "rej", "a", "INVITE", 1, ans));
	CHECK_EQ_INT(h_open_pinholes(e), 4);
	h_in(e, REGISTRAR, BIND, resp(200, "rej", "a", "INVITE", 1, ans));
	CHECK(h_same());
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_CLOSE), 2);
	const struct alg_action *a = h_action(ALG_ACT_PINHOLE_CLOSE, 0);
	CHECK(a && a->u.pin.inside_ep.port >= 30002);
	CHECK_EQ_INT(h_open_pinholes(e), 2);
	alg_free(e);
}

/* B5d: a wrong Content-Length in the input.  Larger than the body: the
 * message does not parse and goes out unchanged with a reason.  Smaller:
 * only the declared body is SDP; the bytes after it are kept as they are. */
static void t_b5d(void)
{
	struct alg_engine *e = h_engine();
	char m[8192];
	snprintf(m, sizeof(m), "%s", invite("cl1", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	char *cl = strstr(m, "{CLEN}");
	memcpy(cl, "999\n", 4);
	memmove(cl + 3, cl + 6, strlen(cl + 6) + 1);
	h_out(e, PHONE, REGISTRAR, m);
	CHECK(h_same());
	CHECK(H_res.reason != NULL);
	/* declared body ends before the m= line: the trailing bytes are not SDP */
	snprintf(m, sizeof(m), "%s", invite("cl2", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	cl = strstr(m, "{CLEN}");
	memcpy(cl, "61\n", 3);
	memmove(cl + 2, cl + 6, strlen(cl + 6) + 1);
	h_out(e, PHONE, REGISTRAR, m);
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_has("m=audio 30000 RTP/AVP 0\r\n"));
	struct sip_hdr hd[64];
	struct sip_msg a, b;
	CHECK(sip_msg_parse(&a, H_in, H_inlen, hd, 64, 0) > 0);
	int64_t before = a.content_length;
	CHECK(sip_msg_parse(&b, H_out, H_outlen, hd, 64, 0) > 0);
	CHECK_EQ_INT(b.content_length - before, (int64_t)H_outlen - (int64_t)H_inlen);
	alg_free(e);
}

static const struct check_case cases[] = {
	{ "outbound half of an outgoing call's first-offer pinholes waits for the first response from outside (R6)", t_outbound_later },
	{ "stale-flow hint: first offer of an outgoing call needs no conntrack flush, a late-offer answer does (R6)", t_no_stale_flows },
	{ "B4b low media port mapped, m=70000 forwarded untouched (kernel drops both) (R5)", t_b4bc },
	{ "B4c port allocation near 65535 stays valid (R6)", t_b4_high },
	{ "B5a Content-Length grows by exactly the edit (R2)", t_b5a },
	{ "B5b/B24 multipart: SDP part rewritten, ISUP intact, CL 310 (kernel: 256) (R2)", t_b24 },
	{ "B5c/B23 UDP INVITE without Content-Length rewritten (kernel drops silently) (R5)", t_b5c },
	{ "B8 ICE media left byte-identical (kernel: ice-mismatch) (R8)", t_b8 },
	{ "B9 hold: o= stays public, 0.0.0.0 kept, same public port, no pinhole churn (kernel: o=0.0.0.0) (R6,R7)", t_b9 },
	{ "B12 five m-lines incl. BFCP and T.38 all mapped (kernel: only 3) (R7)", t_b12 },
	{ "B13 a=rtcp non-adjacent, RTP+1 and rtcp-mux (kernel: a=rtcp private) (R7)", t_b13 },
	{ "B14/B15 any-source pinholes, forking early dialogs, 200 releases the other (kernel: peer only) (R6,R7)", t_b14_b15 },
	{ "B16 two calls on one trunk flow: BYE closes only its own pinholes (kernel flushes all) (R6)", t_b16 },
	{ "B17 two phones same RTP port get distinct public ports (kernel drops the INVITE) (R6)", t_b17 },
	{ "B29 media on another inside host mapped (kernel: left private) (R10)", t_b29 },
	{ "B31 no line added or removed (R2)", t_b31 },
	{ "R6 CANCEL and 486 close the call's pinholes with a call record", t_r6_cancel_reject },
	{ "R6 media inactivity and Timer C end calls; deadlines never in the past", t_r6_timers },
	{ "R6/R7 re-INVITE to a new port: new mapping, old kept until BYE", t_r6_reinvite_port },
	{ "R7 late offer (answer in ACK), UPDATE adds video", t_r7_late_offer },
	{ "mode pinhole: pinholes on inside ports, no rewriting", t_mode_pinhole },
	{ "R7 stream rejected by the final answer loses its pinholes, not by an early one", t_r7_rejected_in_answer },
	{ "B5d input with wrong Content-Length: too large forwarded unchanged, too small keeps the tail (R5)", t_b5d },
	{ NULL, NULL },
};

int main(void)
{
	return check_run("alg_media", cases);
}
