/*
 * test_alg_catalogue.c - acceptance audit of the engine against the
 * breakage catalogue (shared/reference/kernel-alg-and-breakage-catalogue.md
 * part B): cases the rule tests (test_alg_rules.c, test_alg_media.c) did
 * not yet cover, each found by running the catalogue's inputs through
 * `sipalg rewrite`.  Each case names the catalogue item and the rule.
 */
#include <stdlib.h>

#include "check.h"
#include "alg_harness.h"
#include "alg_msgs.h"

/* B8 / R8 (P10): the ICE description keeps the session c= it uses, so a
 * non-ICE description that inherits the same session c= cannot be
 * translated without changing the ICE one; it is left alone too, in either
 * order, and gets no pinhole (was: m= 40100 behind c= 192.168.1.10). */
static void t_b8_shared_session_c(void)
{
	static const char *media[2] = {
		"m=audio 30000 RTP/AVP 0\n"
		"a=ice-ufrag:F7gI\n"
		"a=ice-pwd:x9cml/YzichV2+XlhiMu8g\n"
		"a=candidate:1 1 UDP 2130706431 192.168.1.10 30000 typ host\n"
		"m=video 30002 RTP/AVP 96\n"
		"a=rtpmap:96 H264/90000\n",
		"m=video 30002 RTP/AVP 96\n"
		"a=rtpmap:96 H264/90000\n"
		"m=audio 30000 RTP/AVP 0\n"
		"a=ice-ufrag:F7gI\n"
		"a=ice-pwd:x9cml/YzichV2+XlhiMu8g\n"
		"a=candidate:1 1 UDP 2130706431 192.168.1.10 30000 typ host\n",
	};
	for (int k = 0; k < 2; k++) {
		struct alg_engine *e = h_engine();
		h_out(e, PHONE, REGISTRAR, invite(k ? "icev2" : "icev1", "192.168.1.10", media[k]));
		CHECK(H_res.verdict == ALG_FORWARD);
		CHECK(h_line("c=IN IP4 192.168.1.10"));
		CHECK(h_line("m=video 30002 RTP/AVP 96"));
		CHECK(h_line("m=audio 30000 RTP/AVP 0"));
		CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 0);
		CHECK(h_line("Contact: <sip:alice@203.0.113.1:40001>"));
		CHECK(h_clen_ok());
		alg_free(e);
	}
}

/* B12 (R5): MSRP keeps the session c= its a=path goes with ("never
 * half-translated"); an audio line that inherits it is left alone as
 * well, instead of m= 40100 behind a private c=. */
static void t_b12_msrp_shared_session_c(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      invite("msrpa", "192.168.1.10",
		     "m=audio 30000 RTP/AVP 0\n"
		     "m=message 2855 TCP/MSRP *\n"
		     "a=accept-types:text/plain\n"
		     "a=path:msrp://192.168.1.10:2855/s111271;tcp\n"));
	CHECK(h_line("c=IN IP4 192.168.1.10"));
	CHECK(h_line("m=audio 30000 RTP/AVP 0"));
	CHECK(h_line("a=path:msrp://192.168.1.10:2855/s111271;tcp"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 0);
	CHECK(h_clen_ok());
	alg_free(e);
}

/* B12 (R1): the same audio line with its own c= is still translated next
 * to MSRP: only what shares the kept session c= is left alone. */
static void t_b12_msrp_own_c(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      invite("msrpb", "192.168.1.10",
		     "m=audio 30000 RTP/AVP 0\n"
		     "c=IN IP4 192.168.1.10\n"
		     "m=message 2855 TCP/MSRP *\n"
		     "a=path:msrp://192.168.1.10:2855/s111271;tcp\n"));
	CHECK(h_line("m=audio 40100 RTP/AVP 0"));
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	CHECK(h_line("c=IN IP4 192.168.1.10")); /* the session c= MSRP uses */
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 2);
	CHECK(h_clen_ok());
	alg_free(e);
}

/* B24 / R5: multipart/alternative with two SDP parts.  Translating only
 * the first left the other alternative private (RFC 2046 §5.1.4: the
 * receiver may well pick the last): the body is left alone instead, with
 * a reason, and no pinhole is opened; the headers are still rewritten. */
static void t_b24_two_sdp_alternatives(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      "INVITE sip:bob@203.0.113.20 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bKalt\n"
	      "From: <sip:alice@example.com>;tag=1\n"
	      "To: <sip:bob@example.com>\n"
	      "Call-ID: alt1\n"
	      "CSeq: 1 INVITE\n"
	      "Contact: <sip:alice@192.168.1.10:5062>\n"
	      "Content-Type: multipart/alternative;boundary=alt\n"
	      "Content-Length: {CLEN}\n"
	      "\n"
	      "--alt\n"
	      "Content-Type: application/sdp\n"
	      "\n"
	      "v=0\no=alice 1 1 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\n"
	      "m=audio 30002 RTP/AVP 0\n"
	      "\n"
	      "--alt\n"
	      "Content-Type: application/sdp\n"
	      "\n"
	      "v=0\no=alice 1 1 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\n"
	      "m=audio 30000 RTP/AVP 0\n"
	      "\n"
	      "--alt--\n");
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("Contact: <sip:alice@203.0.113.1:40001>"));
	CHECK(!h_has("203.0.113.1\r\ns=")); /* no o= rewritten */
	CHECK(!h_has("c=IN IP4 203.0.113.1"));
	CHECK(h_line("m=audio 30002 RTP/AVP 0"));
	CHECK(h_line("m=audio 30000 RTP/AVP 0"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 0);
	CHECK(H_res.reason != NULL);
	CHECK(h_clen_ok());
	alg_free(e);
}

/* The Content-Length that follows `marker` in the output counts the part
 * content it heads: from the blank line after its headers to the line
 * break before "--boundary". */
static int part_clen_ok(const char *marker, const char *boundary)
{
	char delim[80];
	const char *m = strstr(H_out, marker), *cl, *c, *end;

	snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
	if (!m || !(cl = strstr(m, "Content-Length:")) || !(c = strstr(cl, "\r\n\r\n")) ||
	    !(end = strstr(c + 4, delim)))
		return 0;
	return strtol(cl + 15, NULL, 10) == end - (c + 4);
}

/* A MIME part may carry its own Content-Length (RFC 2045 allows any
 * Content- field; some UAs write one).  Translating the SDP changes the
 * part's length, so its Content-Length is fixed too, as the message's is;
 * left stale, a receiver that trusts it cuts the SDP or reads past it. */
static void t_part_content_length(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      "INVITE sip:bob@203.0.113.20 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bKpcl\n"
	      "From: <sip:alice@example.com>;tag=1\n"
	      "To: <sip:bob@example.com>\n"
	      "Call-ID: partclen1\n"
	      "CSeq: 1 INVITE\n"
	      "Contact: <sip:alice@192.168.1.10:5062>\n"
	      "Content-Type: multipart/mixed;boundary=mix\n"
	      "Content-Length: {CLEN}\n"
	      "\n"
	      "--mix\n"
	      "Content-Type: application/sdp\n"
	      "Content-Length: 98\n"
	      "\n"
	      "v=0\no=alice 1 1 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\n"
	      "m=audio 30000 RTP/AVP 0\n"
	      "\n"
	      "--mix\n"
	      "Content-Type: text/plain\n"
	      "Content-Length: 5\n"
	      "\n"
	      "hello\n"
	      "--mix--\n");
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	CHECK(h_line("m=audio 40100 RTP/AVP 0"));
	CHECK(part_clen_ok("application/sdp", "mix"));
	CHECK(h_line("Content-Length: 5")); /* the other part is untouched */
	CHECK(h_clen_ok());
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 2);
	alg_free(e);
}

/* The same one level down (RFC 5621 §3.1): the SDP inside
 * multipart/alternative inside multipart/mixed; the enclosing part's
 * Content-Length counts the SDP too, so both change. */
static void t_part_content_length_nested(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      "INVITE sip:bob@203.0.113.20 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bKpcl2\n"
	      "From: <sip:alice@example.com>;tag=1\n"
	      "To: <sip:bob@example.com>\n"
	      "Call-ID: partclen2\n"
	      "CSeq: 1 INVITE\n"
	      "Contact: <sip:alice@192.168.1.10:5062>\n"
	      "Content-Type: multipart/mixed;boundary=outer\n"
	      "Content-Length: {CLEN}\n"
	      "\n"
	      "--outer\n"
	      "Content-Type: multipart/alternative;boundary=inner\n"
	      "Content-Length: 173\n"
	      "\n"
	      "--inner\n"
	      "Content-Type: application/sdp\n"
	      "Content-Length: 98\n"
	      "\n"
	      "v=0\no=alice 1 1 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\n"
	      "m=audio 30000 RTP/AVP 0\n"
	      "\n"
	      "--inner--\n"
	      "\n"
	      "--outer--\n");
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	CHECK(part_clen_ok("application/sdp", "inner"));
	CHECK(part_clen_ok("multipart/alternative", "outer"));
	CHECK(h_clen_ok());
	alg_free(e);
}

/* A part Content-Length that did not count its part before: which bytes
 * the receiver takes is a guess, so the SDP is left alone (R5), with a
 * reason and no pinhole; the headers are still translated. */
static void t_part_content_length_wrong(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR,
	      "INVITE sip:bob@203.0.113.20 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bKpcl3\n"
	      "From: <sip:alice@example.com>;tag=1\n"
	      "To: <sip:bob@example.com>\n"
	      "Call-ID: partclen3\n"
	      "CSeq: 1 INVITE\n"
	      "Contact: <sip:alice@192.168.1.10:5062>\n"
	      "Content-Type: multipart/mixed;boundary=mix\n"
	      "Content-Length: {CLEN}\n"
	      "\n"
	      "--mix\n"
	      "Content-Type: application/sdp\n"
	      "Content-Length: 97\n"
	      "\n"
	      "v=0\no=alice 1 1 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\n"
	      "m=audio 30000 RTP/AVP 0\n"
	      "\n"
	      "--mix--\n");
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("Contact: <sip:alice@203.0.113.1:40001>"));
	CHECK(h_line("c=IN IP4 192.168.1.10"));
	CHECK(h_line("m=audio 30000 RTP/AVP 0"));
	CHECK(h_line("Content-Length: 97"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 0);
	CHECK(H_res.reason != NULL);
	CHECK(h_clen_ok());
	alg_free(e);
}

/* B20 (R9): a hairpin call.  Two phones behind this NAT, registered with
 * an outside proxy that keeps the Call-ID (RFC 3261 §16.6): the INVITE
 * leaves by the caller's binding and comes back to the callee's with the
 * same Call-ID.  The second leg is a call of its own, delivered to the
 * binding's owner with its Request-URI restored to the callee's Contact;
 * it went to the caller (who answered 404) before. */
static void t_b20_hairpin_call(void)
{
	struct alg_engine *e = h_engine();
	h_out(e, "192.168.1.11:5060", REGISTRAR,
	      "REGISTER sip:example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.11:5060;rport;branch=z9hG4bKreg2\n"
	      "From: <sip:bob@example.com>;tag=r2\n"
	      "To: <sip:bob@example.com>\n"
	      "Call-ID: reg2@192.168.1.11\n"
	      "CSeq: 1 REGISTER\n"
	      "Contact: <sip:bob@192.168.1.11:5060>\n"
	      "Expires: 120\n"
	      "Content-Length: 0\n\n");
	CHECK(h_line("Contact: <sip:bob@203.0.113.1:5060>"));
	h_in(e, REGISTRAR, "203.0.113.1:5060",
	     "SIP/2.0 200 OK\n"
	     "Via: SIP/2.0/UDP 192.168.1.11:5060;rport=5060;received=203.0.113.1;branch=z9hG4bKreg2\n"
	     "From: <sip:bob@example.com>;tag=r2\n"
	     "To: <sip:bob@example.com>;tag=x\n"
	     "Call-ID: reg2@192.168.1.11\n"
	     "CSeq: 1 REGISTER\n"
	     "Contact: <sip:bob@203.0.113.1:5060>;expires=120\n"
	     "Content-Length: 0\n\n");
	CHECK_EQ_INT(H_res.deliver_to.ip[3], 11);
	/* alice (PHONE, binding 40001) calls bob through the proxy */
	h_out(e, PHONE, REGISTRAR, invite("hair", "192.168.1.10", "m=audio 30000 RTP/AVP 0\n"));
	CHECK(h_line("m=audio 40100 RTP/AVP 0"));
	/* the proxy sends it on to bob's binding, same Call-ID */
	h_in(e, REGISTRAR, "203.0.113.1:5060",
	     "INVITE sip:bob@203.0.113.1:5060 SIP/2.0\n"
	     "Via: SIP/2.0/UDP 203.0.113.20;branch=z9hG4bKproxy1\n"
	     "Via: SIP/2.0/UDP 192.168.1.10:5062;rport=40001;received=203.0.113.1;branch=z9hG4bK-hair\n"
	     "Record-Route: <sip:203.0.113.20;lr>\n"
	     "From: \"Alice\" <sip:alice@example.com>;tag=ahair\n"
	     "To: <sip:bob@example.com>\n"
	     "Call-ID: hair@192.168.1.10\n"
	     "CSeq: 1 INVITE\n"
	     "Contact: <sip:alice@203.0.113.1:40001>\n"
	     "Content-Type: application/sdp\n"
	     "Content-Length: {CLEN}\n\n"
	     "v=0\no=alice 100 100 IN IP4 203.0.113.1\ns=-\nc=IN IP4 203.0.113.1\nt=0 0\n"
	     "m=audio 40100 RTP/AVP 0\n");
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK_EQ_INT(H_res.deliver_to.ip[3], 11);
	CHECK_EQ_INT(H_res.deliver_to.port, 5060);
	CHECK(h_has("INVITE sip:bob@192.168.1.11:5060 SIP/2.0"));
	/* bob answers from inside: his SDP gets his own public mapping */
	h_out(e, "192.168.1.11:5060", REGISTRAR,
	      "SIP/2.0 200 OK\n"
	      "Via: SIP/2.0/UDP 203.0.113.20;branch=z9hG4bKproxy1\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport=40001;received=203.0.113.1;branch=z9hG4bK-hair\n"
	      "Record-Route: <sip:203.0.113.20;lr>\n"
	      "From: \"Alice\" <sip:alice@example.com>;tag=ahair\n"
	      "To: <sip:bob@example.com>;tag=bhair\n"
	      "Call-ID: hair@192.168.1.10\n"
	      "CSeq: 1 INVITE\n"
	      "Contact: <sip:bob@192.168.1.11:5060>\n"
	      "Content-Type: application/sdp\n"
	      "Content-Length: {CLEN}\n\n"
	      "v=0\no=bob 1 1 IN IP4 192.168.1.11\ns=-\nc=IN IP4 192.168.1.11\nt=0 0\n"
	      "m=audio 30000 RTP/AVP 0\n");
	CHECK(h_line("c=IN IP4 203.0.113.1"));
	CHECK(h_line("Contact: <sip:bob@203.0.113.1:5060>"));
	const struct alg_action *a = h_action(ALG_ACT_PINHOLE_OPEN, 0);
	CHECK(a != NULL);
	CHECK_EQ_INT(a->u.pin.inside_ep.ip[3], 11);
	CHECK(h_line("m=audio 40102 RTP/AVP 0"));
	/* the proxy relays the 200 to alice's binding: alice's call */
	h_in(e, REGISTRAR, BIND, resp(200, "hair", "bhair", "INVITE", 1,
				      "v=0\no=bob 1 1 IN IP4 203.0.113.1\ns=-\nc=IN IP4 203.0.113.1\n"
				      "t=0 0\nm=audio 40102 RTP/AVP 0\n"));
	CHECK_EQ_INT(H_res.deliver_to.ip[3], 10);
	CHECK_EQ_INT(H_res.deliver_to.port, 5062);
	alg_free(e);
}

/* R5: an SDP with more m= lines than the engine keeps (SDP_MAX_MEDIA, 16)
 * is valid SDP; it is left alone whole, with a reason that says why, not
 * "did not parse", and gets no pinhole; the headers are still rewritten. */
static void t_many_media(void)
{
	static char media[17 * 32];
	size_t n = 0;

	for (int i = 0; i < 17; i++)
		n += (size_t)snprintf(media + n, sizeof(media) - n, "m=audio %d RTP/AVP 0\n",
				      30000 + 2 * i);
	struct alg_engine *e = h_engine();
	h_out(e, PHONE, REGISTRAR, invite("many", "192.168.1.10", media));
	CHECK(H_res.verdict == ALG_FORWARD);
	CHECK(h_line("c=IN IP4 192.168.1.10"));
	CHECK(h_line("m=audio 30000 RTP/AVP 0"));
	CHECK(h_line("Contact: <sip:alice@203.0.113.1:40001>"));
	CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 0);
	CHECK(H_res.reason != NULL && strstr(H_res.reason, "more than 16 m= lines"));
	CHECK(h_clen_ok());
	alg_free(e);
}

/* B13 (R1, RFC 5761 §5.1.3): an rtcp-mux offer that also names the RTP
 * port in a=rtcp (so that an answerer without mux sends RTCP there too)
 * gets a=rtcp rewritten with m=: it kept 30000 next to m= 40100, a port
 * nothing maps.  Still one pinhole. */
static void t_b13_mux_rtcp_same_port(void)
{
	static const char *media[2] = {
		"m=audio 30000 RTP/AVP 0\na=rtcp:30000\na=rtcp-mux\n",
		"m=audio 30000 RTP/AVP 0\na=rtcp-mux\na=rtcp:30000 IN IP4 192.168.1.10\n",
	};
	for (int k = 0; k < 2; k++) {
		struct alg_engine *e = h_engine();
		h_out(e, PHONE, REGISTRAR, invite(k ? "mux2" : "mux1", "192.168.1.10", media[k]));
		CHECK(h_line("m=audio 40100 RTP/AVP 0"));
		CHECK(h_line(k ? "a=rtcp:40100 IN IP4 203.0.113.1" : "a=rtcp:40100"));
		CHECK(h_line("a=rtcp-mux"));
		CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 1);
		CHECK(h_clen_ok());
		alg_free(e);
	}
}

/* B22 (R10): a sip: Contact with ;transport=tls names the UA's TLS
 * listener (port absent: 5061, RFC 3263 §4.2), which sipalg never
 * touches, like sips: (B22c).  It was taken for port 5060 and rewritten to
 * the UDP binding, where no TLS can reach it.  The UDP Contact beside it
 * is still rewritten. */
static void t_b22_transport_tls(void)
{
	struct alg_engine *e = h_engine();
	h_run_at(e, ALG_OUT, "192.168.1.10:5060", REGISTRAR,
		 "REGISTER sip:example.com SIP/2.0\n"
		 "Via: SIP/2.0/UDP 192.168.1.10:5060;rport;branch=z9hG4bKtls\n"
		 "From: <sip:100@example.com>;tag=1\n"
		 "To: <sip:100@example.com>\n"
		 "Call-ID: tls1\n"
		 "CSeq: 1 REGISTER\n"
		 "Contact: <sip:100@192.168.1.10;transport=TLS>, <sip:100@192.168.1.10:5060;transport=tls>\n"
		 "Contact: <sip:100@192.168.1.10:5060>\n"
		 "Content-Length: 0\n\n", H_now);
	CHECK(h_line("Contact: <sip:100@192.168.1.10;transport=TLS>, <sip:100@192.168.1.10:5060;transport=tls>"));
	CHECK(h_line("Contact: <sip:100@203.0.113.1:5060>"));
	alg_free(e);
}

/* B23 (R5): a CRLF keep-alive (RFC 5626 §3.5.1; many phones send one
 * every 30 s on UDP) goes out as it came, named as a keep-alive: it is not
 * a message that failed to parse ("malformed start line"), and an empty
 * datagram is not a "body shorter than Content-Length". */
static void t_b23_keepalive(void)
{
	static const char *ka[3] = { "\r\n\r\n", "\r\n", "" };
	struct alg_engine *e = h_engine();
	struct alg_counters k;

	for (int i = 0; i < 3; i++) {
		struct alg_packet pkt;
		memset(&pkt, 0, sizeof(pkt));
		pkt.data = ka[i];
		pkt.len = strlen(ka[i]);
		pkt.dir = ALG_OUT;
		pkt.transport = ALG_UDP;
		pkt.src = hp(PHONE);
		pkt.dst = hp(REGISTRAR);
		pkt.binding = hp(BIND);
		pkt.now_ms = H_now;
		alg_process(e, &pkt, &H_res);
		CHECK(H_res.verdict == ALG_FORWARD);
		CHECK(!H_res.changed);
		CHECK(H_res.out_len == pkt.len);
		CHECK(H_res.reason && strstr(H_res.reason, i < 2 ? "keep-alive" : "empty"));
	}
	alg_get_counters(e, &k);
	CHECK_EQ_INT(k.unparsed, 1); /* the empty one */
	alg_free(e);
}

/* B13 (R1, R10): an a=rtcp that names an address this box does not NAT
 * (an outside host, IPv6 in an IPv4 call) is not ours: it stays as sent
 * and gets no pinhole.  It was "mapped": a pinhole from the public port to
 * 198.51.100.5 (the router would relay to an outside host) and
 * a=rtcp:40103 beside the outside address. */
static void t_b13_rtcp_outside_addr(void)
{
	static const char *rtcp[3] = { "a=rtcp:30003 IN IP4 198.51.100.5",
				       "a=rtcp:30003 IN IP6 2001:db8::1",
				       "a=rtcp:30000 IN IP4 198.51.100.5\na=rtcp-mux" };
	for (int k = 0; k < 3; k++) {
		char media[128], id[16];
		snprintf(media, sizeof(media), "m=audio 30000 RTP/AVP 0\n%s\n", rtcp[k]);
		snprintf(id, sizeof(id), "rtcpx%d", k);
		struct alg_engine *e = h_engine();
		h_out(e, PHONE, REGISTRAR, invite(id, "192.168.1.10", media));
		CHECK(h_line("m=audio 40100 RTP/AVP 0"));
		CHECK(h_line(k == 2 ? "a=rtcp:30000 IN IP4 198.51.100.5" : rtcp[k]));
		CHECK_EQ_INT(h_count(ALG_ACT_PINHOLE_OPEN), 1);
		for (unsigned i = 0; i < H_res.nactions; i++)
			if (H_res.actions[i].kind == ALG_ACT_PINHOLE_OPEN) {
				const struct alg_addr *in = &H_res.actions[i].u.pin.inside_ep;
				CHECK(in->family == 4 && in->ip[0] == 192 && in->ip[1] == 168);
			}
		CHECK(h_clen_ok());
		alg_free(e);
	}
}

/* B4 / R5: an a=rtcp whose port is not a port (0, above 65535) is left as
 * sent; RTCP gets RTP+1 as if it were absent.  It was rewritten into a
 * valid-looking a=rtcp:40101, a statement the UA never made. */
static void t_b4_rtcp_bad_port(void)
{
	static const char *bad[2] = { "a=rtcp:70000", "a=rtcp:0" };
	for (int k = 0; k < 2; k++) {
		char media[96];
		snprintf(media, sizeof(media), "m=audio 30000 RTP/AVP 0\n%s\n", bad[k]);
		struct alg_engine *e = h_engine();
		h_out(e, PHONE, REGISTRAR, invite(k ? "rtcpb0" : "rtcpb7", "192.168.1.10", media));
		CHECK(h_line("m=audio 40100 RTP/AVP 0"));
		CHECK(h_line(bad[k]));
		CHECK(h_clen_ok());
		alg_free(e);
	}
}

static const struct check_case cases[] = {
	{ "B8 non-ICE m= sharing the session c= with ICE media left alone, either order (R8,R5)", t_b8_shared_session_c },
	{ "B12 audio sharing the session c= with MSRP left alone, never half-translated (R5)", t_b12_msrp_shared_session_c },
	{ "B12 audio with its own c= next to MSRP still translated (R1)", t_b12_msrp_own_c },
	{ "B24 two SDP alternatives (multipart/alternative) left alone, not half-translated (R5)", t_b24_two_sdp_alternatives },
	{ "B24 an SDP part's own Content-Length is fixed with the SDP (R5)", t_part_content_length },
	{ "B24 nested parts: every enclosing Content-Length is fixed (R5)", t_part_content_length_nested },
	{ "B24 a part Content-Length that was wrong: SDP left alone (R5)", t_part_content_length_wrong },
	{ "B20 hairpin call through an outside proxy: each leg on its own binding (R9)", t_b20_hairpin_call },
	{ "R5 SDP with more than 16 m= lines left alone with its reason", t_many_media },
	{ "B13 rtcp-mux with a=rtcp naming the RTP port: a=rtcp follows m= (R1)", t_b13_mux_rtcp_same_port },
	{ "B22 sip: Contact with transport=tls left alone like sips: (R10)", t_b22_transport_tls },
	{ "B23 CRLF keep-alive forwarded as is and named, empty datagram named (R5)", t_b23_keepalive },
	{ "B13 a=rtcp naming an outside or IPv6 address: left alone, no pinhole to it (R1,R10)", t_b13_rtcp_outside_addr },
	{ "B4 a=rtcp with port 0 or above 65535 left as sent (R5)", t_b4_rtcp_bad_port },
	{ NULL, NULL },
};

int main(void)
{
	return check_run("alg_catalogue", cases);
}
