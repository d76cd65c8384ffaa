/*
 * bench_engine.c - the ALG engine's cost per message, for callgrind.
 *
 * Runs WARMUP (250) + `--count N` rounds of realistic traffic through one engine: per
 * round an OPTIONS from inside with nothing to change, a hairpin OPTIONS
 * (out of scope), a REGISTER from inside and its 200, and one whole call
 * (INVITE with SDP from inside, its 200 OK with SDP from outside, ACK,
 * re-INVITE, its 200, BYE, its 200).  Every message goes through
 * alg_process(); the one kind named by `--case` goes through measured()
 * instead in the last N rounds, so `valgrind --tool=callgrind --toggle-collect=measured` counts
 * only that kind: total instructions / N is its cost per message, with the
 * engine in the state real traffic leaves it in.  bench_engine.sh runs it.
 *
 * Exit status 1 if a message that must be rewritten was not (the bench
 * would otherwise measure the fail-open path by accident).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alg/alg.h"

enum bcase {
	C_NONE,
	C_UNCHANGED,
	C_HAIRPIN,
	C_REGISTER,
	C_REG200,
	C_INVITE,
	C_OK200,
	C_REINVITE,
	C_BYE
};
static const char *const case_names[] = {"none",   "unchanged", "hairpin",  "register", "reg200",
					 "invite", "ok200",	"reinvite", "bye"};

static struct alg_result res;
static char msg[8192];
static size_t msglen;
static int failures;

/* Not static: callgrind toggles on these names. */
int measured(struct alg_engine *e, const struct alg_packet *p);
int unmeasured(struct alg_engine *e, const struct alg_packet *p);

__attribute__((noinline)) int measured(struct alg_engine *e, const struct alg_packet *p)
{
	return alg_process(e, p, &res);
}

__attribute__((noinline)) int unmeasured(struct alg_engine *e, const struct alg_packet *p)
{
	return alg_process(e, p, &res);
}

static struct alg_addr v4(unsigned a, unsigned b, unsigned c, unsigned d, unsigned port)
{
	struct alg_addr x = {.family = 4, .port = (uint16_t)port};

	x.ip[0] = (uint8_t)a, x.ip[1] = (uint8_t)b, x.ip[2] = (uint8_t)c, x.ip[3] = (uint8_t)d;
	return x;
}

/* LF template (printf-formatted) -> CRLF, "{CLEN}" = body length. */
static void build(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void build(const char *fmt, ...)
{
	char tmp[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	size_t n = 0;
	char crlf[8192];
	for (const char *p = tmp; *p && n + 2 < sizeof(crlf); p++) {
		if (*p == '\n')
			crlf[n++] = '\r';
		crlf[n++] = *p;
	}
	crlf[n] = 0;
	char *body = strstr(crlf, "\r\n\r\n");
	size_t blen = body ? n - (size_t)(body + 4 - crlf) : 0;
	char *cl = strstr(crlf, "{CLEN}");
	if (cl) {
		*cl = 0;
		msglen = (size_t)snprintf(msg, sizeof(msg), "%s%zu%s", crlf, blen, cl + 6);
	} else {
		msglen = (size_t)snprintf(msg, sizeof(msg), "%s", crlf);
	}
}

#define UA                                                                                         \
	"User-Agent: Phone/2.1\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE\n"                \
	"Supported: replaces, timer\n"

static const char SDP_IN[] =
    "v=0\no=alice 100 %d IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\n"
    "m=audio 16384 RTP/AVP 0 8 101\na=rtpmap:0 PCMU/8000\na=rtpmap:8 PCMA/8000\n"
    "a=rtpmap:101 telephone-event/8000\na=fmtp:101 0-15\na=ptime:20\na=sendrecv\n";
static const char SDP_OUT[] =
    "v=0\no=bob 1 1 IN IP4 203.0.113.20\ns=-\nc=IN IP4 203.0.113.21\nt=0 0\n"
    "m=audio 20000 RTP/AVP 0 101\na=rtpmap:0 PCMU/8000\na=rtpmap:101 telephone-event/8000\n"
    "a=sendrecv\n";

/* Rounds before measuring: INVITE transactions live 212 s (64*T1 + Timer
 * C) and a round takes 1.1 s of engine time, so after this the pools
 * reach their steady size (no growth on the measured path). */
#define WARMUP 250

struct run {
	struct alg_engine *e;
	enum bcase meas;
	uint64_t now;
	unsigned round;
};

/* Send the built message; `want_change` checks the rewrite happened. */
static void feed(struct run *r, enum bcase k, enum alg_dir dir, struct alg_addr src,
		 struct alg_addr dst, int want_change)
{
	struct alg_packet p = {.data = msg,
			       .len = msglen,
			       .dir = dir,
			       .transport = ALG_UDP,
			       .src = src,
			       .dst = dst,
			       .now_ms = r->now};

	p.binding = v4(203, 0, 113, 1, 40001);
	if (dir == ALG_IN)
		p.inside = v4(192, 168, 1, 10, 5062);
	(k == r->meas && r->round >= WARMUP ? measured : unmeasured)(r->e, &p);
	if (want_change >= 0 && res.changed != want_change && failures++ < 5)
		fprintf(stderr, "bench_engine: %s: changed=%d, want %d (%s)\n", case_names[k],
			res.changed, want_change, res.reason ? res.reason : "");
	r->now += 100;
}

static void reg_round(struct run *r)
{
	struct alg_addr ph = v4(192, 168, 1, 10, 5062), reg = v4(203, 0, 113, 20, 5060);
	unsigned i = r->round;

	build("OPTIONS sip:example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-o%u\n"
	      "Max-Forwards: 70\nFrom: <sip:alice@example.com>;tag=o%u\n"
	      "To: <sip:example.com>\nCall-ID: opt%u@phone.example.com\nCSeq: %u OPTIONS\n" UA
	      "Accept: application/sdp\nContent-Length: 0\n\n",
	      i, i, i, i + 1);
	feed(r, C_UNCHANGED, ALG_OUT, ph, reg, 0);
	build("OPTIONS sip:192.168.1.11:5060 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;branch=z9hG4bK-h%u\n"
	      "Max-Forwards: 70\nFrom: <sip:alice@192.168.1.10:5062>;tag=h%u\n"
	      "To: <sip:192.168.1.11>\nCall-ID: hp%u@192.168.1.10\nCSeq: %u OPTIONS\n"
	      "Contact: <sip:alice@192.168.1.10:5062>\n" UA "Content-Length: 0\n\n",
	      i, i, i, i + 1);
	feed(r, C_HAIRPIN, ALG_OUT, ph, v4(192, 168, 1, 11, 5060), 0);
	build("REGISTER sip:example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;branch=z9hG4bK-r%u\n"
	      "Max-Forwards: 70\nFrom: <sip:alice@example.com>;tag=r1\n"
	      "To: <sip:alice@example.com>\nCall-ID: reg1@192.168.1.10\nCSeq: %u REGISTER\n"
	      "Contact: <sip:alice@192.168.1.10:5062>;expires=120\n" UA
	      "Expires: 120\nContent-Length: 0\n\n",
	      i, i + 1);
	feed(r, C_REGISTER, ALG_OUT, ph, reg, 1);
	build("SIP/2.0 200 OK\n"
	      "Via: SIP/2.0/UDP 203.0.113.1:40001;received=203.0.113.1;branch=z9hG4bK-r%u\n"
	      "From: <sip:alice@example.com>;tag=r1\n"
	      "To: <sip:alice@example.com>;tag=reg%u\nCall-ID: reg1@192.168.1.10\n"
	      "CSeq: %u REGISTER\nContact: <sip:alice@203.0.113.1:40001>;expires=120\n"
	      "Server: Registrar/1.0\nContent-Length: 0\n\n",
	      i, i, i + 1);
	feed(r, C_REG200, ALG_IN, reg, v4(203, 0, 113, 1, 40001), 1);
}

/* INVITE (SDP) out, 200 (SDP) in, ACK out, re-INVITE out, 200 in, BYE, 200. */
static void call_round(struct run *r)
{
	struct alg_addr ph = v4(192, 168, 1, 10, 5062), px = v4(203, 0, 113, 20, 5060);
	struct alg_addr pub = v4(203, 0, 113, 1, 40001);
	unsigned i = r->round;
	char sdp[1024];
	static const char rsp[] =
	    "SIP/2.0 200 OK\n"
	    "Via: SIP/2.0/UDP 192.168.1.10:5062;rport=40001;received=203.0.113.1;"
	    "branch=z9hG4bK-c%u-%d\n"
	    "Record-Route: <sip:203.0.113.20;lr>\n"
	    "From: \"Alice\" <sip:alice@example.com>;tag=a%u\n"
	    "To: <sip:bob@example.com>;tag=b%u\nCall-ID: call%u@192.168.1.10\nCSeq: %d %s\n"
	    "Contact: <sip:bob@203.0.113.20>\nServer: Proxy/1.0\n"
	    "%sContent-Length: {CLEN}\n\n%s";
	const char *ct = "Content-Type: application/sdp\n";

	snprintf(sdp, sizeof(sdp), SDP_IN, 1);
	build("INVITE sip:bob@example.com SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-c%u-1\n"
	      "Max-Forwards: 70\nFrom: \"Alice\" <sip:alice@example.com>;tag=a%u\n"
	      "To: <sip:bob@example.com>\nCall-ID: call%u@192.168.1.10\nCSeq: 1 INVITE\n"
	      "Contact: <sip:alice@192.168.1.10:5062>\n" UA
	      "Content-Type: application/sdp\nContent-Length: {CLEN}\n\n%s",
	      i, i, i, sdp);
	feed(r, C_INVITE, ALG_OUT, ph, px, 1);
	build(rsp, i, 1, i, i, i, 1, "INVITE", ct, SDP_OUT);
	feed(r, C_OK200, ALG_IN, px, pub, -1);
	char tt[32];
	snprintf(tt, sizeof(tt), ";tag=b%u", i);
	build("ACK sip:bob@203.0.113.20 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-c%u-ack\n"
	      "Max-Forwards: 70\nFrom: \"Alice\" <sip:alice@example.com>;tag=a%u\n"
	      "To: <sip:bob@example.com>%s\nCall-ID: call%u@192.168.1.10\nCSeq: 1 ACK\n"
	      "Route: <sip:203.0.113.20;lr>\n"
	      "Contact: <sip:alice@192.168.1.10:5062>\nContent-Length: 0\n\n",
	      i, i, tt, i);
	feed(r, C_NONE, ALG_OUT, ph, px, 1);
	snprintf(sdp, sizeof(sdp), SDP_IN, 2);
	build("INVITE sip:bob@203.0.113.20 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-c%u-2\n"
	      "Max-Forwards: 70\nFrom: \"Alice\" <sip:alice@example.com>;tag=a%u\n"
	      "To: <sip:bob@example.com>%s\nCall-ID: call%u@192.168.1.10\nCSeq: 2 INVITE\n"
	      "Route: <sip:203.0.113.20;lr>\n"
	      "Contact: <sip:alice@192.168.1.10:5062>\n" UA
	      "Content-Type: application/sdp\nContent-Length: {CLEN}\n\n%s",
	      i, i, tt, i, sdp);
	feed(r, C_REINVITE, ALG_OUT, ph, px, 1);
	build(rsp, i, 2, i, i, i, 2, "INVITE", ct, SDP_OUT);
	feed(r, C_NONE, ALG_IN, px, pub, -1);
	build("BYE sip:bob@203.0.113.20 SIP/2.0\n"
	      "Via: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK-c%u-3\n"
	      "Max-Forwards: 70\nFrom: \"Alice\" <sip:alice@example.com>;tag=a%u\n"
	      "To: <sip:bob@example.com>%s\nCall-ID: call%u@192.168.1.10\nCSeq: 3 BYE\n"
	      "Route: <sip:203.0.113.20;lr>\n" UA "Content-Length: 0\n\n",
	      i, i, tt, i);
	feed(r, C_BYE, ALG_OUT, ph, px, -1);
	build(rsp, i, 3, i, i, i, 3, "BYE", "", "");
	feed(r, C_NONE, ALG_IN, px, pub, -1);
}

int main(int argc, char **argv)
{
	struct alg_config cfg;
	struct run r = {.meas = C_NONE, .now = 1000};
	long count = 1000;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--count"))
			count = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--case"))
			for (unsigned k = 0; k < sizeof(case_names) / sizeof(case_names[0]); k++)
				if (!strcmp(argv[i + 1], case_names[k]))
					r.meas = (enum bcase)k;
	}
	alg_config_defaults(&cfg);
	cfg.inside[0].addr = v4(192, 168, 1, 0, 0);
	cfg.inside[0].len = 24;
	cfg.ninside = 1;
	cfg.public_addr = v4(203, 0, 113, 1, 0);
	r.e = alg_new(&cfg);
	if (!r.e)
		return 1;
	for (r.round = 0; r.round < WARMUP + (unsigned)count; r.round++) {
		reg_round(&r);
		call_round(&r);
		alg_expire(r.e, r.now, &res);
	}
	alg_free(r.e);
	if (failures)
		return 1;
	printf("bench_engine: %ld rounds, case %s\n", count, case_names[r.meas]);
	return 0;
}
