/*
 * test_alg_rules.c - the engine against the rewrite rules (R1-R10) and the
 * breakage catalogue (B1-B31), SIP header side: scope, Via, Contact,
 * Request-URI, Route, registrations.  Message sequences in, bytes and
 * actions out.  SDP and media cases are in test_alg_media.c.
 * Each case names the rule or case it defends; "(kernel: ...)" says what
 * nf_nat_sip does wrong there.
 */
#include "check.h"
#include "alg_harness.h"
#include "alg_msgs.h"

/* B1 / R1: only Contact changes; Call-ID, branch, tag, display name,
 * User-Agent, X- header keep the private address. */
static void t_b1(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	CHECK(H_res.changed);
	CHECK(h_line("Contact: <sip:alice@203.0.113.1:40001>"));
	CHECK_EQ_INT(h_diff_lines(), 1);
	CHECK(h_line("Call-ID: 4f1c@192.168.1.10"));
	CHECK(h_has("branch=z9hG4bK-192.168.1.10-77"));
	CHECK(h_has("\"192.168.1.10\" <sip:alice@example.com>;tag=192.168.1.10"));
	CHECK_EQ_INT(H_res.nnotes, 1);
	CHECK(!strcmp(H_res.notes[0].before, "192.168.1.10:5062"));
	CHECK(!strcmp(H_res.notes[0].after, BIND));
	alg_free(e);
}

/* B6 / R4: Via with rport untouched out; received=/rport= untouched in;
 * the binding in the 200 OK Contact restored (R3). */
static void t_b6(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	CHECK(h_line("Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-192.168.1.10-77"));
	h_in(e, REGISTRAR, BIND, REG_200);
	CHECK(h_line("Via: SIP/2.0/UDP 192.168.1.10:5062;rport=40001;received=203.0.113.1;branch=z9hG4bK-192.168.1.10-77"));
	CHECK(h_line("Contact: <sip:alice@192.168.1.10:5062>;expires=120"));
	CHECK_EQ_INT(h_diff_lines(), 1);
	const struct alg_action *k = h_action(ALG_ACT_BINDING_KEEP, 0);
	CHECK(k != NULL);
	if (k)
		CHECK_EQ_INT(k->u.binding.expires_ms, H_now + 120000 + 32000);
	alg_free(e);
}

/* A REGISTER transaction ends at its final response: the registration
 * keeps only its own record (memory target: <= 1 KB per registration), and
 * a retransmitted REGISTER makes the transaction again, so the registrar's
 * repeated 200 is still restored. */
static void t_reg_txn_done(void)
{
	struct alg_engine *e = h_engine();
	struct alg_counters k;

	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	alg_get_counters(e, &k);
	CHECK_EQ_INT(k.transactions, 1);
	h_in(e, REGISTRAR, BIND, REG_200);
	alg_get_counters(e, &k);
	CHECK_EQ_INT(k.transactions, 0);
	CHECK_EQ_INT(k.registrations, 1);
	h_out(e, PHONE, REGISTRAR, REG_RPORT); /* retransmission */
	h_in(e, REGISTRAR, BIND, REG_200);
	CHECK(h_line("Contact: <sip:alice@192.168.1.10:5062>;expires=120"));
	alg_get_counters(e, &k);
	CHECK_EQ_INT(k.transactions, 0);
	alg_free(e);
}

/* B2: 192.168.1.1 must not match inside 192.168.1.100 or 192.168.10.x. */
static void t_b2(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, "192.168.1.1:5062", REGISTRAR,
	      "OPTIONS sip:example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.1:5062;rport;branch=z9hG4bKb2\n"
	      "From: <sip:a@example.com>;tag=1\n"
	      "To: <sip:a@example.com>\n"
	      "Call-ID: b2\n"
	      "CSeq: 1 OPTIONS\n"
	      "Contact: <sip:100@192.168.1.100:5062>, <sip:100@192.168.1.1:50621>, <sip:100@192.168.1.1:5062>\n"
	      "Content-Length: 0\n\n");
	CHECK(h_line("Contact: <sip:100@192.168.1.100:5062>, <sip:100@192.168.1.1:50621>, <sip:100@203.0.113.1:5062>"));
	alg_free(e);
}

/* B3: params, ';' and +sip.instance kept around the new hostport. */
static void t_b3(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      "REGISTER sip:example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bKabc\n"
	      "From: <sip:100@example.com>;tag=1\n"
	      "To: <sip:100@example.com>\n"
	      "Call-ID: b3\n"
	      "CSeq: 1 REGISTER\n"
	      "Contact: <sip:100@192.168.1.10:5062;transport=udp;ob>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000000000001>\";reg-id=1;expires=600\n"
	      "Content-Length: 0\n\n");
	CHECK(h_line("Contact: <sip:100@203.0.113.1:40001;transport=udp;ob>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000000000001>\";reg-id=1;expires=600"));
	CHECK(h_line("Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bKabc"));
	alg_free(e);
}

/* B4a: a port-less Contact sent from 5060 gets the binding port. */
static void t_b4a(void)
{
	struct alg_engine *e = h_engine();
	struct alg_packet p;
	(void)p;
	h_run_at(e, ALG_OUT, "192.168.1.10:5060", REGISTRAR,
		 "REGISTER sip:example.com SIP/2.0\n"
		 "Via: SIP/2.0/UDP 192.168.1.10;rport;branch=z9hG4bK4a\n"
		 "From: <sip:100@example.com>;tag=1\n"
		 "To: <sip:100@example.com>\n"
		 "Call-ID: b4a\n"
		 "CSeq: 1 REGISTER\n"
		 "Contact: <sip:100@192.168.1.10>\n"
		 "Content-Length: 0\n\n", H_now);
	/* the harness maps other sources to the same public port: use 5060 */
	CHECK(h_line("Contact: <sip:100@203.0.113.1:5060>"));
	alg_free(e);
}

/* B7 / R9: binding kept for the granted expiry + margin; an INVITE at 90 s
 * reaches the phone (kernel: conntrack timeout, typical CPE 30-180 s). */
static void t_b7(void)
{
	struct alg_engine *e = h_engine();
	H_now = 1000;
	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	h_in(e, REGISTRAR, BIND, REG_200);
	struct alg_result r;
	alg_expire(e, 90000, &r); /* only the REGISTER transaction is gone */
	CHECK_EQ_INT(r.nactions, 0);
	CHECK_EQ_INT(alg_next_deadline(e), 1000 + 120000 + 32000);
	H_now = 90000;
	h_in(e, "203.0.113.20:5071", BIND,
	     "INVITE sip:alice@203.0.113.1:40001 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 203.0.113.20:5071;branch=z9hG4bKin7\n"
	     "From: <sip:carol@example.com>;tag=c\n"
	     "To: <sip:alice@example.com>\n"
	     "Call-ID: in7\n"
	     "CSeq: 1 INVITE\n"
	     "Contact: <sip:carol@203.0.113.20:5071>\n"
	     "Content-Length: 0\n\n");
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("INVITE sip:alice@192.168.1.10:5062 SIP/2.0"));
	CHECK(H_res.deliver_to.port == 5062);
	H_now = 1000;
	alg_free(e);
}

/* B7 extra / B27d: re-REGISTER from a new source port retires the old
 * binding; no duplicate registration. */
static void t_b27d(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	h_in(e, REGISTRAR, BIND, REG_200);
	char reg2[2048], ok2[2048];
	snprintf(reg2, sizeof(reg2), "%s", REG_RPORT);
	snprintf(ok2, sizeof(ok2), "%s", REG_200);
	/* same AoR, new source port 5064 mapped to public 5064 by the harness */
	char *p;
	while ((p = strstr(reg2, "5062")))
		memcpy(p, "5064", 4);
	while ((p = strstr(reg2, "CSeq: 1")))
		memcpy(p, "CSeq: 2", 7);
	h_run_at(e, ALG_OUT, "192.168.1.10:5064", REGISTRAR, reg2, H_now + 10);
	while ((p = strstr(ok2, "5062")))
		memcpy(p, "5064", 4);
	while ((p = strstr(ok2, "40001")))
		memcpy(p, "05064", 5);
	while ((p = strstr(ok2, "CSeq: 1")))
		memcpy(p, "CSeq: 2", 7);
	/* "rport=05064" is fine for this test; the Contact names :05064 = 5064 */
	h_run_at(e, ALG_IN, REGISTRAR, "203.0.113.1:5064", ok2, H_now + 20);
	CHECK_EQ_INT(h_count(ALG_ACT_BINDING_CLOSE), 1);
	const struct alg_action *c = h_action(ALG_ACT_BINDING_CLOSE, 0);
	CHECK(c && c->u.binding.public_ep.port == 40001);
	struct alg_counters k;
	alg_get_counters(e, &k);
	CHECK_EQ_INT(k.registrations, 1);
	alg_free(e);
}

/* B27a: Contact: * with Expires: 0 removes the registration. */
static void t_b27a(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	h_in(e, REGISTRAR, BIND, REG_200);
	h_out(e, PHONE, REGISTRAR,
	      "REGISTER sip:example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-unreg\n"
	      "From: <sip:alice@example.com>;tag=u\n"
	      "To: <sip:alice@example.com>\n"
	      "Call-ID: 4f1c@192.168.1.10\n"
	      "CSeq: 3 REGISTER\n"
	      "Contact: *\n"
	      "Expires: 0\n"
	      "Content-Length: 0\n\n");
	CHECK(h_same());
	h_in(e, REGISTRAR, BIND,
	     "SIP/2.0 200 OK\n"
	     "Via: SIP/2.0/UDP 192.168.1.10:5062;rport=40001;received=203.0.113.1;branch=z9hG4bK-unreg\n"
	     "From: <sip:alice@example.com>;tag=u\n"
	     "To: <sip:alice@example.com>;tag=r\n"
	     "Call-ID: 4f1c@192.168.1.10\n"
	     "CSeq: 3 REGISTER\n"
	     "Content-Length: 0\n\n");
	CHECK_EQ_INT(h_count(ALG_ACT_BINDING_CLOSE), 1);
	struct alg_counters k;
	alg_get_counters(e, &k);
	CHECK_EQ_INT(k.registrations, 0);
	alg_free(e);
}

/* B27b: no Expires anywhere: the 200's Contact expires= is granted; with
 * none there either, RFC 3261's 3600 s (kernel: no pinhole at all). */
static void t_b27b(void)
{
	struct alg_engine *e = h_engine();
	char reg[2048], ok[2048];
	snprintf(reg, sizeof(reg), "%s", REG_RPORT);
	char *x = strstr(reg, "Expires: 120\n");
	memmove(x, x + 13, strlen(x + 13) + 1);
	h_out(e, PHONE, REGISTRAR, reg);
	snprintf(ok, sizeof(ok), "%s", REG_200);
	x = strstr(ok, ";expires=120");
	memmove(x, x + 12, strlen(x + 12) + 1);
	h_in(e, REGISTRAR, BIND, ok);
	const struct alg_action *k = h_action(ALG_ACT_BINDING_KEEP, 0);
	CHECK(k && k->u.binding.expires_ms == H_now + 3600000 + 32000);
	alg_free(e);
}

/* B27c: two Contacts naming the inside endpoint are both mapped. */
static void t_b27c(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      "REGISTER sip:example.com SIP/2.0\n"
	      "v: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-27c\n"
	      "f: <sip:100@example.com>;tag=1\n"
	      "t: <sip:100@example.com>\n"
	      "i: b27c\n"
	      "CSeq: 1 REGISTER\n"
	      "m: <sip:100@192.168.1.10:5062>,<sip:101@192.168.1.10:5062;line=2>\n"
	      "l: 0\n\n");
	CHECK(h_line("m: <sip:100@203.0.113.1:40001>,<sip:101@203.0.113.1:40001;line=2>"));
	alg_free(e);
}

/* B18a / K1: rport UA on an ephemeral port: Request-URI, To and digest
 * uri= untouched; Via untouched (rport) (kernel: R-URI/To port forced to
 * 5060, response sent to the wrong port). */
static void t_b18a_b25(void)
{
	struct alg_engine *e = h_engine();
	h_run_at(e, ALG_OUT, "192.168.1.10:5082", REGISTRAR,
		 "INVITE sip:bob@203.0.113.20:5070 SIP/2.0\n"
		 "Via: SIP/2.0/UDP 192.168.1.10;rport;branch=z9hG4bK18a\n"
		 "From: <sip:alice@example.com>;tag=1\n"
		 "To: <sip:bob@203.0.113.20:5070>\n"
		 "Call-ID: b18a\n"
		 "CSeq: 2 INVITE\n"
		 "Authorization: Digest username=\"alice\", realm=\"x\", nonce=\"n\", uri=\"sip:bob@203.0.113.20:5070\", response=\"0123\"\n"
		 "Contact: <sip:alice@192.168.1.10:5082>\n"
		 "Content-Length: 0\n\n", H_now);
	CHECK(h_line("INVITE sip:bob@203.0.113.20:5070 SIP/2.0"));
	CHECK(h_line("To: <sip:bob@203.0.113.20:5070>"));
	CHECK(h_has("uri=\"sip:bob@203.0.113.20:5070\""));
	CHECK(h_line("Via: SIP/2.0/UDP 192.168.1.10;rport;branch=z9hG4bK18a"));
	CHECK_EQ_INT(h_diff_lines(), 1);
	alg_free(e);
}

/* B18b: a UA without rport whose Via port (5060) differs from its source
 * port: Via gets the binding, the response gets the original back and is
 * delivered to the Via port (RFC 3261 §18.2.2). */
static void t_b18b(void)
{
	struct alg_engine *e = h_engine();
	h_run_at(e, ALG_OUT, "192.168.1.10:50933", REGISTRAR,
		 "REGISTER sip:example.com SIP/2.0\n"
		 "Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK18b\n"
		 "From: <sip:7970@example.com>;tag=1\n"
		 "To: <sip:7970@example.com>\n"
		 "Call-ID: b18b\n"
		 "CSeq: 1 REGISTER\n"
		 "Contact: <sip:7970@192.168.1.10:5060>\n"
		 "Expires: 3600\n"
		 "Content-Length: 0\n\n", H_now);
	CHECK(h_line("Via: SIP/2.0/UDP 203.0.113.1:50933;branch=z9hG4bK18b"));
	CHECK(h_line("Contact: <sip:7970@203.0.113.1:50933>"));
	h_in(e, REGISTRAR, "203.0.113.1:50933",
	     "SIP/2.0 200 OK\n"
	     "Via: SIP/2.0/UDP 203.0.113.1:50933;branch=z9hG4bK18b\n"
	     "From: <sip:7970@example.com>;tag=1\n"
	     "To: <sip:7970@example.com>;tag=r\n"
	     "Call-ID: b18b\n"
	     "CSeq: 1 REGISTER\n"
	     "Contact: <sip:7970@203.0.113.1:50933>;expires=3600\n"
	     "Content-Length: 0\n\n");
	CHECK(h_line("Via: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK18b"));
	CHECK(h_line("Contact: <sip:7970@192.168.1.10:5060>;expires=3600"));
	CHECK_EQ_INT(H_res.deliver_to.port, 5060);
	/* an incoming call goes to the port the phone listens on, too */
	h_in(e, REGISTRAR, "203.0.113.1:50933",
	     "INVITE sip:7970@203.0.113.1:50933 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 203.0.113.20:5060;branch=z9hG4bKin18\n"
	     "From: <sip:c@example.com>;tag=c\n"
	     "To: <sip:7970@example.com>\n"
	     "Call-ID: in18\n"
	     "CSeq: 1 INVITE\n"
	     "Content-Length: 0\n\n");
	CHECK(h_line("INVITE sip:7970@192.168.1.10:5060 SIP/2.0"));
	CHECK_EQ_INT(H_res.deliver_to.port, 5060);
	alg_free(e);
}

/* B20 / R10: inside to inside and non-NAT sources are untouched. */
static void t_b20(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, "192.168.1.20:5060", invite("lan", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	CHECK(h_same());
	CHECK(H_res.reason != NULL);
	CHECK_EQ_INT(H_res.nactions, 0);
	h_out(e, "10.9.9.9:5060", REGISTRAR, invite("vpn", "10.9.9.9", "m=audio 30000 RTP/AVP 0\n"));
	CHECK(h_same());
	h_in(e, "192.168.1.11:5060", BIND, REG_200);
	CHECK(h_same());
	alg_free(e);
}

/* B23: c=IN IP6, FQDN c=, unknown method, Contact * are forwarded. */
static void t_b23(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("v6", "192.168.1.10",
					   "m=audio 30000 RTP/AVP 0\nc=IN IP6 2001:db8::10\n"
					   "m=audio 30002 RTP/AVP 0\nc=IN IP4 media.example.com\n"));
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("c=IN IP6 2001:db8::10"));
	CHECK(h_line("c=IN IP4 media.example.com"));
	CHECK(h_line("m=audio 30000 RTP/AVP 0"));
	h_out(e, PHONE, REGISTRAR,
	      "FOO sip:x@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bKfoo\n"
	      "From: <sip:a@example.com>;tag=1\n"
	      "To: <sip:x@example.com>\n"
	      "Call-ID: foo\n"
	      "CSeq: 1 FOO\n"
	      "Contact: <sip:a@192.168.1.10:5062>\n"
	      "Content-Length: 0\n\n");
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("Contact: <sip:a@203.0.113.1:40001>"));
	alg_free(e);
}

/* R5: an unparseable message goes out unchanged, with a reason. */
static void t_r5(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, "INVITE sip:bob@x SIP/2.0\nVia: garbage\n\n");
	CHECK(h_same());
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(H_res.reason != NULL);
	struct alg_counters k;
	alg_get_counters(e, &k);
	CHECK_EQ_INT(k.unparsed, 1);
	alg_free(e);
}

/* R10 / B26: nothing to change -> the input pointer itself, byte-identical. */
static void t_b26(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      "OPTIONS sip:example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 198.51.100.7:40001;rport;branch=z9hG4bKstun\n"
	      "From: <sip:a@example.com>;tag=1\n"
	      "To: <sip:a@example.com>\n"
	      "Call-ID: stun\n"
	      "CSeq: 1 OPTIONS\n"
	      "Contact: <sip:a@198.51.100.7:40001>\n"
	      "Content-Length:   0\n\n");
	CHECK(h_same());
	CHECK(H_res.out == H_in);
	alg_free(e);
}

/* R9: strict_register - a new request to the binding from another address
 * is dropped; from the registrar it is delivered.  Inbound call (lab t15):
 * R-URI restored, To untouched (kernel rewrites To), the phone's answer
 * rewritten with a pinhole. */
static void t_r9_inbound(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	h_in(e, REGISTRAR, BIND, REG_200);
	static const char in_inv[] =
		"INVITE sip:alice@203.0.113.1:40001 SIP/2.0\n"
		"Via: SIP/2.0/UDP 203.0.113.20:5060;branch=z9hG4bK-t15i\n"
		"Max-Forwards: 70\n"
		"From: \"Carol\" <sip:carol@203.0.113.20>;tag=c15\n"
		"To: <sip:alice@203.0.113.1:40001>\n"
		"Call-ID: t15-in\n"
		"CSeq: 1 INVITE\n"
		"Contact: <sip:carol@203.0.113.20:5060>\n"
		"Content-Type: application/sdp\n"
		"Content-Length: {CLEN}\n\n"
		"v=0\no=carol 1 1 IN IP4 203.0.113.20\ns=-\nc=IN IP4 203.0.113.20\nt=0 0\nm=audio 41000 RTP/AVP 0\n";
	h_in(e, "198.51.100.66:5060", BIND, in_inv);
	CHECK(H_res.verdict == ALG_DROP);
	CHECK(H_res.reason != NULL);
	h_in(e, REGISTRAR, BIND, in_inv);
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("INVITE sip:alice@192.168.1.10:5062 SIP/2.0"));
	CHECK(h_line("To: <sip:alice@203.0.113.1:40001>"));
	CHECK(h_line("c=IN IP4 203.0.113.20"));
	CHECK_EQ_INT(h_diff_lines(), 1);
	h_out(e, PHONE, REGISTRAR,
	      "SIP/2.0 200 OK\n"
	      "Via: SIP/2.0/UDP 203.0.113.20:5060;branch=z9hG4bK-t15i\n"
	      "From: \"Carol\" <sip:carol@203.0.113.20>;tag=c15\n"
	      "To: <sip:alice@203.0.113.1:40001>;tag=p1\n"
	      "Call-ID: t15-in\n"
	      "CSeq: 1 INVITE\n"
	      "Contact: <sip:alice@192.168.1.10:5062>\n"
	      "Content-Type: application/sdp\n"
	      "Content-Length: {CLEN}\n\n"
	      "v=0\no=alice 5 5 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\nm=audio 30000 RTP/AVP 0\n");
	CHECK(h_line("Via: SIP/2.0/UDP 203.0.113.20:5060;branch=z9hG4bK-t15i"));
	CHECK(h_line("Contact: <sip:alice@203.0.113.1:40001>"));
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	CHECK(h_line("o=alice 5 5 IN IP4 203.0.113.1"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 2);
	/* in-dialog BYE from a different address is accepted (not new) */
	h_in(e, "198.51.100.66:5060", BIND,
	     "BYE sip:alice@203.0.113.1:40001 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 198.51.100.66:5060;branch=z9hG4bK-bye\n"
	     "From: \"Carol\" <sip:carol@203.0.113.20>;tag=c15\n"
	     "To: <sip:alice@203.0.113.1:40001>;tag=p1\n"
	     "Call-ID: t15-in\n"
	     "CSeq: 2 BYE\n"
	     "Content-Length: 0\n\n");
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("BYE sip:alice@192.168.1.10:5062 SIP/2.0"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_CLOSE), 2);
	alg_free(e);
}

/* B21: a LAN proxy's Record-Route is made public and the Route of an
 * in-dialog request restored (kernel: RR left private, call drops at 32 s). */
static void t_b21(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      "INVITE sip:bob@203.0.113.20 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bKrr\n"
	      "Record-Route: <sip:192.168.1.10:5062;lr>\n"
	      "From: <sip:pbx@example.com>;tag=1\n"
	      "To: <sip:bob@example.com>\n"
	      "Call-ID: rr\n"
	      "CSeq: 1 INVITE\n"
	      "Contact: <sip:pbx@192.168.1.10:5062>\n"
	      "Content-Length: 0\n\n");
	CHECK(h_line("Record-Route: <sip:203.0.113.1:40001;lr>"));
	h_in(e, REGISTRAR, BIND,
	     "SIP/2.0 200 OK\n"
	     "Via: SIP/2.0/UDP 192.168.1.10:5062;rport=40001;received=203.0.113.1;branch=z9hG4bKrr\n"
	     "Record-Route: <sip:203.0.113.1:40001;lr>\n"
	     "From: <sip:pbx@example.com>;tag=1\n"
	     "To: <sip:bob@example.com>;tag=2\n"
	     "Call-ID: rr\n"
	     "CSeq: 1 INVITE\n"
	     "Contact: <sip:bob@203.0.113.20>\n"
	     "Content-Length: 0\n\n");
	CHECK(h_line("Record-Route: <sip:192.168.1.10:5062;lr>"));
	h_in(e, REGISTRAR, BIND,
	     "BYE sip:pbx@203.0.113.1:40001 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 203.0.113.20:5060;branch=z9hG4bKbye\n"
	     "Route: <sip:203.0.113.1:40001;lr>\n"
	     "From: <sip:bob@example.com>;tag=2\n"
	     "To: <sip:pbx@example.com>;tag=1\n"
	     "Call-ID: rr\n"
	     "CSeq: 1 BYE\n"
	     "Content-Length: 0\n\n");
	CHECK(h_line("Route: <sip:192.168.1.10:5062;lr>"));
	CHECK(h_line("BYE sip:pbx@192.168.1.10:5062 SIP/2.0"));
	alg_free(e);
}

/* B11 / B30 / P12: display name, user part, URI params and From/To that
 * contain the private address are not touched. */
static void t_b11(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      "OPTIONS sip:example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK11\n"
	      "From: \"sip:100@192.168.1.10:5062\" <sip:100@192.168.1.10:5062>;tag=a1\n"
	      "To: \"Reception 192.168.1.10\" <sip:192.168.1.10@pbx.example.com>\n"
	      "Call-ID: b11\n"
	      "CSeq: 1 OPTIONS\n"
	      "Contact: <sip:192.168.1.10@192.168.1.10:5062;line=192.168.1.10>\n"
	      "Content-Length: 0\n\n");
	CHECK(h_line("Contact: <sip:192.168.1.10@203.0.113.1:40001;line=192.168.1.10>"));
	CHECK(h_line("From: \"sip:100@192.168.1.10:5062\" <sip:100@192.168.1.10:5062>;tag=a1"));
	CHECK_EQ_INT(h_diff_lines(), 1);
	alg_free(e);
}

/* B22c: sips: URIs in a cleartext message are left alone, never dropped. */
static void t_b22c(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      "OPTIONS sip:bob@203.0.113.20:5070 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-t16\n"
	      "From: <sip:100@example.com>;tag=f16\n"
	      "To: \"Bob\" <sips:bob@192.168.1.10:5062>\n"
	      "Call-ID: t16\n"
	      "CSeq: 1 OPTIONS\n"
	      "Contact: <sips:100@192.168.1.10:5062>\n"
	      "Content-Length: 0\n\n");
	CHECK(h_same());
	CHECK(H_res.verdict == ALG_FORWARD);
	alg_free(e);
}

/* B10 (engine part): a TCP message is rewritten with the right
 * Content-Length; a huge Content-Length (CVE-2026-23457 pattern) is
 * forwarded unchanged with a reason. */
static void t_b10_tcp(void)
{
	struct alg_engine *e = h_engine();
	struct alg_packet p;
	const char *m = invite("tcp", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n");
	H_inlen = h_build(m, H_in, sizeof(H_in));
	memset(&p, 0, sizeof(p));
	p.data = H_in;
	p.len = H_inlen;
	p.dir = ALG_OUT;
	p.transport = ALG_TCP;
	p.src = hp(PHONE);
	p.dst = hp(REGISTRAR);
	p.binding = hp(BIND);
	p.now_ms = H_now;
	alg_process(e, &p, &H_res);
	memcpy(H_out, H_res.out, H_res.out_len);
	H_outlen = H_res.out_len;
	H_out[H_outlen] = 0;
	CHECK(H_res.changed);
	CHECK(h_clen_ok());
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	static char big[4096];
	int bl = snprintf(big, sizeof(big),
			  "INVITE sip:bob@203.0.113.20 SIP/2.0\r\n"
			  "Via: SIP/2.0/TCP 192.168.1.10:5062;rport;branch=z9hG4bKbig\r\n"
			  "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\n"
			  "Call-ID: huge\r\nCSeq: 1 INVITE\r\n"
			  "Contact: <sip:a@192.168.1.10:5062>\r\n"
			  "Content-Length: 4294967328\r\n\r\nv=0\r\n");
	p.data = big;
	p.len = (size_t)bl;
	alg_process(e, &p, &H_res);
	CHECK(H_res.out == big && !H_res.changed && H_res.reason);
	alg_free(e);
}

/* B28: a 1600-byte INVITE whose rewrite grows is rewritten whole. */
static void t_b28(void)
{
	struct alg_config cfg;
	h_config(&cfg);
	cfg.inside[0].addr = hp("10.0.0.0");
	cfg.inside[0].len = 8;
	cfg.public_addr = hp("203.0.113.100");
	struct alg_engine *e = alg_new(&cfg);
	char tail[2048] = "m=audio 30000 RTP/AVP 0\n";
	for (int i = 0; i < 40; i++)
		strcat(tail, "a=fmtp:101 0-15,16,17,18,19\n");
	snprintf(Tbuf, sizeof(Tbuf), INVITE_SDP, "big", "big", "big", "10.1.1.5", tail);
	h_run_at(e, ALG_OUT, "10.1.1.5:5062", REGISTRAR, Tbuf, H_now);
	CHECK(H_inlen > 1500);
	CHECK(h_line("c=IN IP4 203.0.113.100"));
	CHECK(H_outlen == H_inlen + 5);
	CHECK(h_clen_ok());
	alg_free(e);
}

static int pin_cb(void *ctx, const struct alg_pinhole_info *x)
{
	(void)x;
	(*(int *)ctx)++;
	return 0;
}

static int call_cb(void *ctx, const struct alg_call_info *x)
{
	(void)x;
	(*(int *)ctx)++;
	return 0;
}

static int reg_cb(void *ctx, const struct alg_registration_info *r)
{
	memcpy(ctx, r, sizeof(*r));
	return 0;
}

/* Query API (alg_query.h) and alg_clear_calls / alg_reconfigure. */
static void t_query(void)
{
	struct alg_engine *e = h_engine();
	struct alg_registration_info ri;
	struct alg_result *r = malloc(sizeof(*r));
	int n = 0;

	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	h_in(e, REGISTRAR, BIND, REG_200);
	CHECK_EQ_INT(alg_registrations_each(e, reg_cb, &ri), 1);
	CHECK(!strcmp(ri.aor, "sip:alice@example.com") && ri.granted_s == 120);
	CHECK(ri.binding.public_ep.port == 40001 && ri.binding.registrar.ip[3] == 20);
	h_out(e, PHONE, REGISTRAR, invite("q1", "192.168.1.10", "m=audio 30000 RTP/AVP 0\nm=video 30002 RTP/AVP 96\n"));
	h_out(e, PHONE, REGISTRAR, invite("q2", "192.168.1.10", "m=audio 30010 RTP/AVP 0\n"));
	CHECK_EQ_INT(alg_pinholes_each(e, pin_cb, &n), 6);
	n = 0;
	CHECK_EQ_INT(alg_calls_each(e, call_cb, &n), 2);
	struct alg_config cfg;
	h_config(&cfg);
	cfg.media_port_min = 50000;
	cfg.media_port_max = 50099;
	CHECK_EQ_INT(alg_reconfigure(e, &cfg), 0);
	h_out(e, PHONE, REGISTRAR, invite("q3", "192.168.1.10", "m=audio 30020 RTP/AVP 0\n"));
	CHECK(h_line("m=audio 50000 RTP/AVP 0"));
	CHECK_EQ_INT(alg_clear_calls(e, "q1@192.168.1.10", H_now, r), 1);
	int closes = 0, ends = 0;
	for (unsigned i = 0; i < r->nactions; i++) {
		closes += r->actions[i].kind == ALG_ACT_PINHOLE_CLOSE;
		ends += r->actions[i].kind == ALG_ACT_CALL_END &&
			r->actions[i].u.call.reason == ALG_END_CLEARED;
	}
	CHECK_EQ_INT(closes, 4);
	CHECK_EQ_INT(ends, 1);
	CHECK_EQ_INT(alg_clear_calls(e, NULL, H_now, r), 2);
	CHECK_EQ_INT(h_open_pinholes(e), 0);
	struct alg_counters k;
	alg_get_counters(e, &k);
	CHECK_EQ_INT(k.calls, 0);
	CHECK_EQ_INT(k.pinholes_opened, k.pinholes_closed);
	free(r);
	alg_free(e);
}

/* R9: strict_register off - a new request from any address is delivered. */
static void t_r9_loose(void)
{
	struct alg_config cfg;
	h_config(&cfg);
	cfg.strict_register = 0;
	struct alg_engine *e = alg_new(&cfg);
	h_out(e, PHONE, REGISTRAR, REG_RPORT);
	h_in(e, REGISTRAR, BIND, REG_200);
	h_in(e, "198.51.100.66:5060", BIND,
	     "OPTIONS sip:alice@203.0.113.1:40001 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 198.51.100.66:5060;branch=z9hG4bKo\n"
	     "From: <sip:x@example.net>;tag=1\n"
	     "To: <sip:alice@example.com>\n"
	     "Call-ID: loose\n"
	     "CSeq: 1 OPTIONS\n"
	     "Content-Length: 0\n\n");
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("OPTIONS sip:alice@192.168.1.10:5062 SIP/2.0"));
	alg_free(e);
}

/* IPv6 inside and public: bracketed hostports in, bracketed out; SDP
 * c=IN IP6 rewritten (RFC 5118, RFC 8866 §5.7). */
static void t_ipv6(void)
{
	struct alg_config cfg;
	struct alg_packet p;
	h_config(&cfg);
	memset(&cfg.inside[0], 0, sizeof(cfg.inside[0]));
	cfg.inside[0].addr.family = 6;
	cfg.inside[0].addr.ip[0] = 0xfd;
	cfg.inside[0].len = 8;
	memset(&cfg.public_addr, 0, sizeof(cfg.public_addr));
	cfg.public_addr.family = 6;
	cfg.public_addr.ip[0] = 0x20;
	cfg.public_addr.ip[1] = 0x01;
	cfg.public_addr.ip[2] = 0x0d;
	cfg.public_addr.ip[3] = 0xb8;
	cfg.public_addr.ip[15] = 1;
	struct alg_engine *e = alg_new(&cfg);
	H_inlen = h_build("INVITE sip:bob@[2001:db8::20] SIP/2.0\n"
			  "Via: SIP/2.0/UDP [fd00::10]:5062;branch=z9hG4bK6\n"
			  "From: <sip:a@example.com>;tag=1\nTo: <sip:bob@example.com>\n"
			  "Call-ID: v6\nCSeq: 1 INVITE\n"
			  "Contact: <sip:a@[fd00::10]:5062>\n"
			  "Content-Type: application/sdp\nContent-Length: {CLEN}\n\n"
			  "v=0\no=a 1 1 IN IP6 fd00::10\ns=-\nc=IN IP6 fd00::10\nt=0 0\n"
			  "m=audio 30000 RTP/AVP 0\n", H_in, sizeof(H_in));
	memset(&p, 0, sizeof(p));
	p.data = H_in;
	p.len = H_inlen;
	p.dir = ALG_OUT;
	p.src = cfg.inside[0].addr;
	p.src.ip[15] = 0x10;
	p.src.port = 5062;
	p.dst = cfg.public_addr;
	p.dst.ip[15] = 0x20;
	p.dst.port = 5060;
	p.binding = cfg.public_addr;
	p.binding.port = 40001;
	p.now_ms = H_now;
	alg_process(e, &p, &H_res);
	memcpy(H_out, H_res.out, H_res.out_len);
	H_outlen = H_res.out_len;
	H_out[H_outlen] = 0;
	CHECK(h_line("Via: SIP/2.0/UDP [2001:db8::1]:40001;branch=z9hG4bK6"));
	CHECK(h_line("Contact: <sip:a@[2001:db8::1]:40001>"));
	CHECK(h_line("c=IN IP6 2001:db8::1"));
	CHECK(h_line("o=a 1 1 IN IP6 2001:db8::1"));
	CHECK(h_clen_ok());
	alg_free(e);
}

static const char *reg_aor(char *buf, size_t cap, const char *user, int cseq, int expires,
			   int response)
{
	char tpl[1024];
	snprintf(tpl, sizeof(tpl),
		 "%s\n"
		 "Via: SIP/2.0/UDP 192.168.1.10:5062;rport%s;branch=z9hG4bK-%s-%d\n"
		 "From: <sip:%s@example.com>;tag=1\n"
		 "To: <sip:%s@example.com>%s\n"
		 "Call-ID: reg-%s\n"
		 "CSeq: %d REGISTER\n"
		 "Contact: <sip:%s@%s>;expires=%d\n"
		 "Content-Length: 0\n\n",
		 response ? "SIP/2.0 200 OK" : "REGISTER sip:example.com SIP/2.0",
		 response ? "=40001;received=203.0.113.1" : "", user, cseq, user, user,
		 response ? ";tag=r" : "", user, cseq, user, response ? BIND : PHONE, expires);
	snprintf(buf, cap, "%s", tpl);
	return buf;
}

/* Two AoRs (lines) on one binding: removing one keeps the binding for the
 * other (BINDING_KEEP, not CLOSE); removing both closes it. */
static void t_two_aors(void)
{
	struct alg_engine *e = h_engine();
	char m[1024];
	h_out(e, PHONE, REGISTRAR, reg_aor(m, sizeof(m), "line1", 1, 300, 0));
	h_in(e, REGISTRAR, BIND, reg_aor(m, sizeof(m), "line1", 1, 300, 1));
	h_out(e, PHONE, REGISTRAR, reg_aor(m, sizeof(m), "line2", 1, 600, 0));
	h_in(e, REGISTRAR, BIND, reg_aor(m, sizeof(m), "line2", 1, 600, 1));
	struct alg_counters k;
	alg_get_counters(e, &k);
	CHECK_EQ_INT(k.registrations, 2);
	h_out(e, PHONE, REGISTRAR, reg_aor(m, sizeof(m), "line2", 2, 0, 0));
	h_in(e, REGISTRAR, BIND, reg_aor(m, sizeof(m), "line2", 2, 0, 1));
	CHECK_EQ_INT(h_count(ALG_ACT_BINDING_CLOSE), 0);
	const struct alg_action *a = h_action(ALG_ACT_BINDING_KEEP, 0);
	CHECK(a && a->u.binding.expires_ms == H_now + 300000 + 32000);
	h_out(e, PHONE, REGISTRAR, reg_aor(m, sizeof(m), "line1", 2, 0, 0));
	h_in(e, REGISTRAR, BIND, reg_aor(m, sizeof(m), "line1", 2, 0, 1));
	CHECK_EQ_INT(h_count(ALG_ACT_BINDING_CLOSE), 1);
	alg_get_counters(e, &k);
	CHECK_EQ_INT(k.registrations, 0);
	alg_free(e);
}

static const struct check_case cases[] = {
	{ "B1 blind replacement: only Contact changes, Call-ID/branch/tag/display/UA kept (R1)", t_b1 },
	{ "B2 substring match 192.168.1.1 vs .100/:50621 (R1)", t_b2 },
	{ "B3 params and ';' preserved around the hostport (R2)", t_b3 },
	{ "B4a port-less Contact gets the binding port (R1)", t_b4a },
	{ "B6 NAT not hidden: rport/received untouched, 200 Contact restored (kernel translates back) (R3,R4)", t_b6 },
	{ "REGISTER transaction ends at its final answer; a retransmission is still restored (R3,R9)", t_reg_txn_done },
	{ "B7 binding kept for granted expiry + margin, INVITE at 90 s delivered (R9)", t_b7 },
	{ "B7/B27d re-REGISTER from a new port retires the old binding (R9)", t_b27d },
	{ "B27a Contact * Expires 0 removes the registration (R9)", t_b27a },
	{ "B27b REGISTER without Expires: granted or 3600 s (kernel: no pinhole) (R9)", t_b27b },
	{ "B27c two Contacts, compact headers, both mapped (R1)", t_b27c },
	{ "B18a/B25 rport UA: R-URI, To and digest uri= untouched (kernel forces 5060) (R1,R4)", t_b18a_b25 },
	{ "B18b Cisco Via port without rport: Via restored, delivered to the Via port (R3)", t_b18b },
	{ "B20 hairpin and non-NAT traffic byte-identical (R10)", t_b20 },
	{ "B21 LAN proxy Record-Route public, restored in the 200 and in Route (kernel: RR private) (R3)", t_b21 },
	{ "B11/B30 display name, user part, From/To with private address untouched (kernel: display name) (R1)", t_b11 },
	{ "B23 IPv6 c=, FQDN c=, unknown method forwarded (kernel drops) (R5)", t_b23 },
	{ "B26 nothing to change: same bytes, same buffer (R10)", t_b26 },
	{ "R5 unparseable message forwarded unchanged with a reason", t_r5 },
	{ "R9 strict_register drops non-registrar INVITE; inbound call R-URI restored, To untouched (kernel rewrites To)", t_r9_inbound },
	{ "B22c sips: URIs in cleartext left alone, not dropped (R10)", t_b22c },
	{ "B10 TCP message rewritten with right Content-Length; CL 4294967328 forwarded unchanged (R5)", t_b10_tcp },
	{ "B28 1600-byte INVITE growing by 5 bytes rewritten whole (R2)", t_b28 },
	{ "query API: registrations, calls, pinholes; reconfigure; clear calls", t_query },
	{ "R9 strict_register off: a new request from anyone is delivered", t_r9_loose },
	{ "IPv6 inside and public: bracketed hostports, c=IN IP6 (RFC 5118)", t_ipv6 },
	{ "B27 two AoRs on one binding: one removed keeps it, both removed close it (R9)", t_two_aors },
	{ NULL, NULL },
};

int main(void)
{
	return check_run("alg", cases);
}
