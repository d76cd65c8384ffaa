/*
 * alg_msgs.h - message templates shared by the engine's scenario tests
 * (test_alg_rules.c, test_alg_media.c): a REGISTER and its 200, an INVITE
 * with SDP, responses and in-dialog requests of the same call, and a
 * provider SDP answer.  LF templates for h_build() (alg_harness.h).
 */
#ifndef SIPALG_TEST_ALG_MSGS_H
#define SIPALG_TEST_ALG_MSGS_H

#include <stdio.h>

static const char REG_RPORT[] __attribute__((unused)) =
	"REGISTER sip:example.com SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-192.168.1.10-77\n"
	"Max-Forwards: 70\n"
	"From: \"192.168.1.10\" <sip:alice@example.com>;tag=192.168.1.10\n"
	"To: <sip:alice@example.com>\n"
	"Call-ID: 4f1c@192.168.1.10\n"
	"CSeq: 1 REGISTER\n"
	"Contact: <sip:alice@192.168.1.10:5062>\n"
	"User-Agent: Phone/1.0 (192.168.1.10)\n"
	"X-Info: lan=192.168.1.10\n"
	"Expires: 120\n"
	"Content-Length: 0\n\n";

static const char REG_200[] __attribute__((unused)) =
	"SIP/2.0 200 OK\n"
	"Via: SIP/2.0/UDP 192.168.1.10:5062;rport=40001;received=203.0.113.1;branch=z9hG4bK-192.168.1.10-77\n"
	"From: \"192.168.1.10\" <sip:alice@example.com>;tag=192.168.1.10\n"
	"To: <sip:alice@example.com>;tag=reg1\n"
	"Call-ID: 4f1c@192.168.1.10\n"
	"CSeq: 1 REGISTER\n"
	"Contact: <sip:alice@203.0.113.1:40001>;expires=120\n"
	"Content-Length: 0\n\n";

static const char INVITE_SDP[] __attribute__((unused)) =
	"INVITE sip:bob@203.0.113.20 SIP/2.0\n"
	"Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-%s\n"
	"Max-Forwards: 70\n"
	"From: \"Alice\" <sip:alice@example.com>;tag=a%s\n"
	"To: <sip:bob@example.com>\n"
	"Call-ID: %s@192.168.1.10\n"
	"CSeq: 1 INVITE\n"
	"Contact: <sip:alice@192.168.1.10:5062>\n"
	"Content-Type: application/sdp\n"
	"Content-Length: {CLEN}\n"
	"\n"
	"v=0\n"
	"o=alice 100 100 IN IP4 192.168.1.10\n"
	"s=-\n"
	"c=IN IP4 %s\n"
	"t=0 0\n"
	"%s";

static char Tbuf[8192] __attribute__((unused));

static inline const char *invite(const char *id, const char *conn, const char *media)
{
	snprintf(Tbuf, sizeof(Tbuf), INVITE_SDP, id, id, id, conn, media);
	return Tbuf;
}

static inline const char *resp(int code, const char *id, const char *totag, const char *method,
			int cseq, const char *sdp)
{
	snprintf(Tbuf, sizeof(Tbuf),
		 "SIP/2.0 %d X\n"
		 "Via: SIP/2.0/UDP 192.168.1.10:5062;rport=40001;received=203.0.113.1;branch=z9hG4bK-%s\n"
		 "From: \"Alice\" <sip:alice@example.com>;tag=a%s\n"
		 "To: <sip:bob@example.com>;tag=%s\n"
		 "Call-ID: %s@192.168.1.10\n"
		 "CSeq: %d %s\n"
		 "Contact: <sip:bob@203.0.113.20>\n"
		 "%s"
		 "Content-Length: {CLEN}\n\n%s",
		 code, id, id, totag, id, cseq, method,
		 sdp ? "Content-Type: application/sdp\n" : "", sdp ? sdp : "");
	return Tbuf;
}

static inline const char *in_dialog(const char *method, const char *id, int cseq, const char *sdp_tail)
{
	snprintf(Tbuf, sizeof(Tbuf),
		 "%s sip:bob@203.0.113.20 SIP/2.0\n"
		 "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-%s-%d\n"
		 "Max-Forwards: 70\n"
		 "From: \"Alice\" <sip:alice@example.com>;tag=a%s\n"
		 "To: <sip:bob@example.com>;tag=b\n"
		 "Call-ID: %s@192.168.1.10\n"
		 "CSeq: %d %s\n"
		 "Contact: <sip:alice@192.168.1.10:5062>\n"
		 "%s"
		 "Content-Length: {CLEN}\n\n%s",
		 method, id, cseq, id, id, cseq, method,
		 sdp_tail ? "Content-Type: application/sdp\n" : "", sdp_tail ? sdp_tail : "");
	return Tbuf;
}

static const char REMOTE_SDP[] __attribute__((unused)) =
	"v=0\no=bob 1 1 IN IP4 203.0.113.20\ns=-\nc=IN IP4 203.0.113.21\nt=0 0\n"
	"m=audio 20000 RTP/AVP 0\n";

#endif
