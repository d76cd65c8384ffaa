/*
 * bench_parse.c - how many INVITEs per second sipalg parses and rewrites,
 * against libosip2 doing what a libosip2-based ALG must do, in one run.
 *
 * The message is a realistic INVITE with SDP from a phone behind NAT (959
 * bytes).  One sipalg iteration is what the ALG does to it: parse, find
 * the top Via, the Contact and the SDP, record the rewrites (Via sent-by,
 * Contact hostport, o= and c= addresses, m= port) in an edit list, and
 * render the new message (Content-Length fixed).  One libosip2 iteration is
 * osip_message_init + osip_message_parse + osip_message_to_str + free: the
 * least a libosip2 ALG needs to read a message and write one back, before
 * it has changed anything.
 *
 *   bench_parse                     timed: best of --runs runs of >= --seconds
 *                                   of CPU time each
 *   bench_parse --count N --impl X  exactly N iterations of X (sipalg,
 *                                   libosip2, or a part of sipalg's work:
 *                                   sipalg-msg, sipalg-sdp, sipalg-validate,
 *                                   sipalg-rest),
 *                                   untimed: for
 *                                   callgrind
 *
 * Timed mode prints one line per run and then a summary line of key=value
 * pairs that bench/bench_parse.sh extends and `make bench` collects.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sip/addr.h"
#include "sip/body.h"
#include "sip/edit.h"
#include "sip/limits.h"
#include "sip/msg.h"
#include "sip/sdp.h"
#include "sip/via.h"

#include "peer_osip.h"

/* Addresses are TEST-NET (RFC 5737) outside and 192.168.1.0/24 inside. */
static const char invite[] =
    "INVITE sip:+15105550123@voip.example.net SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK-524287-1---8e2f6b1c3a9d4e70\r\n"
    "Max-Forwards: 70\r\n"
    "Contact: <sip:alice@192.168.1.20:5060;transport=udp>\r\n"
    "To: <sip:+15105550123@voip.example.net>\r\n"
    "From: \"Alice\" <sip:alice@voip.example.net>;tag=9f3c2a71\r\n"
    "Call-ID: 2c9e1f5a7b3d4e60aa1b2c3d4e5f6071\r\n"
    "CSeq: 2 INVITE\r\n"
    "Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r\n"
    "Content-Type: application/sdp\r\n"
    "Supported: replaces, norefersub, extended-refer, timer, X-cisco-serviceuri\r\n"
    "User-Agent: ExamplePhone/5.3.1\r\n"
    "Allow-Events: presence, kpml, talk\r\n"
    "Content-Length: 320\r\n"
    "\r\n"
    "v=0\r\n"
    "o=- 3957474913 3957474913 IN IP4 192.168.1.20\r\n"
    "s=ExamplePhone\r\n"
    "c=IN IP4 192.168.1.20\r\n"
    "t=0 0\r\n"
    "m=audio 16384 RTP/AVP 9 0 8 18 101\r\n"
    "a=rtpmap:9 G722/8000\r\n"
    "a=rtpmap:0 PCMU/8000\r\n"
    "a=rtpmap:8 PCMA/8000\r\n"
    "a=rtpmap:18 G729/8000\r\n"
    "a=fmtp:18 annexb=no\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n"
    "a=fmtp:101 0-15\r\n"
    "a=ptime:20\r\n"
    "a=sendrecv\r\n";

#define PUBLIC_ADDR	  "203.0.113.10"
#define PUBLIC_HOSTPORT	  "203.0.113.10:40001"
#define PUBLIC_MEDIA_PORT "41000"

static char out_buf[SIP_MAX_MSG_SIZE];
static volatile size_t sink;

/* Everything the ALG does to a parsed message: find the top Via, the
 * Contact and the SDP, record the rewrites, render.  sdp_parse runs on the
 * body found unless `parsed` is given (the sipalg-rest breakdown, which
 * parsed it once). */
static int rewrite(const struct sip_msg *m, const struct sdp *parsed, char *out, size_t cap)
{
	struct sip_edit ev[SIP_MAX_EDITS];
	char pool[256];
	struct sdp_media media[SDP_MAX_MEDIA];
	struct sip_edits e;
	struct sip_span rest, body;
	struct sip_via via;
	struct sip_addr contact;
	struct sdp sdp;
	const struct sdp *sp = parsed ? parsed : &sdp;
	const char *buf = m->buf;
	int h;

	sip_edits_init(&e, m->len, ev, SIP_MAX_EDITS, pool, sizeof(pool));
	h = sip_msg_find(m, SIP_HDR_VIA, -1);
	if (h < 0)
		return -1;
	rest = m->hdrs[h].value;
	if (sip_via_parse_next(&via, buf, &rest) <= 0)
		return -1;
	if (!via.has_rport)
		sip_edits_add(&e, via.sent_by.off, via.sent_by.len, PUBLIC_HOSTPORT,
			      sizeof(PUBLIC_HOSTPORT) - 1);
	h = sip_msg_find(m, SIP_HDR_CONTACT, -1);
	if (h < 0)
		return -1;
	rest = m->hdrs[h].value;
	if (sip_addr_parse_next(&contact, buf, &rest) <= 0)
		return -1;
	sip_edits_add(&e, contact.uri.hostport.off, contact.uri.hostport.len, PUBLIC_HOSTPORT,
		      sizeof(PUBLIC_HOSTPORT) - 1);
	if (sip_body_sdp(m, &body) != 1)
		return -1;
	if (!parsed && sdp_parse(&sdp, buf, body, media, SDP_MAX_MEDIA) < 0)
		return -1;
	if (sp->has_origin)
		sip_edits_add(&e, sp->origin.addr.addr.off, sp->origin.addr.addr.len, PUBLIC_ADDR,
			      sizeof(PUBLIC_ADDR) - 1);
	if (sp->has_conn)
		sip_edits_add(&e, sp->conn.addr.off, sp->conn.addr.len, PUBLIC_ADDR,
			      sizeof(PUBLIC_ADDR) - 1);
	for (unsigned i = 0; i < sp->nmedia; i++)
		sip_edits_add(&e, sp->media[i].port.off, sp->media[i].port.len, PUBLIC_MEDIA_PORT,
			      sizeof(PUBLIC_MEDIA_PORT) - 1);
	return sip_render(m, &e, out, cap);
}

/* The ALG's work on one message; returns the rendered length or < 0. */
static int sipalg_once(const char *buf, size_t len, char *out, size_t cap)
{
	struct sip_hdr hdrs[SIP_MAX_HEADERS];
	struct sip_msg m;
	int r = sip_msg_parse(&m, buf, len, hdrs, SIP_MAX_HEADERS, 0);

	return r < 0 ? r : rewrite(&m, NULL, out, cap);
}

/* sipalg-rest: rewrite() alone, on a message and SDP parsed once. */
static int rest_once(const char *buf, size_t len, char *out, size_t cap)
{
	static struct sip_hdr hdrs[SIP_MAX_HEADERS];
	static struct sdp_media media[SDP_MAX_MEDIA];
	static struct sip_msg m;
	static struct sdp sdp;
	static int ready;
	struct sip_span body;

	if (!ready) {
		if (sip_msg_parse(&m, buf, len, hdrs, SIP_MAX_HEADERS, 0) < 0 ||
		    sip_body_sdp(&m, &body) != 1 ||
		    sdp_parse(&sdp, buf, body, media, SDP_MAX_MEDIA) < 0)
			return -1;
		ready = 1;
	}
	return rewrite(&m, &sdp, out, cap);
}

/* What one iteration does.  The parts of the sipalg path exist so that
 * callgrind can say where its instructions go (bench_parse.sh). */
enum impl { IMPL_SIPALG, IMPL_OSIP, IMPL_MSG, IMPL_SDP, IMPL_VALIDATE, IMPL_REST, IMPL__COUNT };

static const char *const impl_names[IMPL__COUNT] = {
    [IMPL_SIPALG] = "sipalg",		 /* parse + rewrite + render */
    [IMPL_OSIP] = "libosip2",		 /* init + parse + to_str + free */
    [IMPL_MSG] = "sipalg-msg",		 /* sip_msg_parse alone */
    [IMPL_SDP] = "sipalg-sdp",		 /* sdp_parse alone, on the body */
    [IMPL_VALIDATE] = "sipalg-validate", /* sip_msg_parse + sip_msg_validate:
					  * not in the rewrite path, measured for
					  * the daemon's policy choices */
    [IMPL_REST] = "sipalg-rest",	 /* what sipalg does besides sip_msg_parse
					  * and sdp_parse: finds, Via, Contact,
					  * SDP lookup, 5 edits, render */
};

static int msg_once(const char *buf, size_t len, int validate)
{
	struct sip_hdr hdrs[SIP_MAX_HEADERS];
	struct sip_msg m;
	int r = sip_msg_parse(&m, buf, len, hdrs, SIP_MAX_HEADERS, 0);

	return r < 0 || !validate ? r : sip_msg_validate(&m);
}

static int sdp_once(const char *buf, size_t len)
{
	uint32_t off = (uint32_t)(strstr(buf, "\r\n\r\n") + 4 - buf);
	struct sdp_media media[SDP_MAX_MEDIA];
	struct sdp sdp;

	return sdp_parse(&sdp, buf, sip_span_make(off, (uint32_t)len - off), media, SDP_MAX_MEDIA);
}

static int once(enum impl which)
{
	switch (which) {
	case IMPL_SIPALG:
		return sipalg_once(invite, sizeof(invite) - 1, out_buf, sizeof(out_buf));
	case IMPL_OSIP:
		return peer_osip_once(invite, sizeof(invite) - 1);
	case IMPL_REST:
		return rest_once(invite, sizeof(invite) - 1, out_buf, sizeof(out_buf));
	case IMPL_MSG:
	case IMPL_VALIDATE:
		return msg_once(invite, sizeof(invite) - 1, which == IMPL_VALIDATE);
	default:
		return sdp_once(invite, sizeof(invite) - 1);
	}
}

static int iterate(enum impl which, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		int r = once(which);

		if (r < 0)
			return -1;
		sink += (size_t)r;
	}
	return 0;
}

/* Refuse to time a path that does not do the job: the rewritten message
 * must re-parse, carry every new address and port, and have a true
 * Content-Length; libosip2 must accept the message. */
static int self_check(void)
{
	static const char *const must[] = {
	    "Via: SIP/2.0/UDP " PUBLIC_HOSTPORT ";",
	    "<sip:alice@" PUBLIC_HOSTPORT ";",
	    "o=- 3957474913 3957474913 IN IP4 " PUBLIC_ADDR "\r\n",
	    "c=IN IP4 " PUBLIC_ADDR "\r\n",
	    "m=audio " PUBLIC_MEDIA_PORT " RTP/AVP",
	};
	struct sip_hdr hdrs[SIP_MAX_HEADERS];
	struct sip_msg m;
	int n = sipalg_once(invite, sizeof(invite) - 1, out_buf, sizeof(out_buf) - 1);

	if (n < 0 || sip_msg_parse(&m, out_buf, (size_t)n, hdrs, SIP_MAX_HEADERS, 0) != n) {
		fprintf(stderr, "bench_parse: sipalg rewrite failed (%d)\n", n);
		return -1;
	}
	out_buf[n] = 0;
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		if (!strstr(out_buf, must[i])) {
			fprintf(stderr, "bench_parse: rewrite lacks '%s'\n", must[i]);
			return -1;
		}
	}
	if (m.content_length != (int64_t)m.body_len || m.body_off + m.body_len != (uint32_t)n) {
		fprintf(stderr, "bench_parse: wrong Content-Length after rewrite\n");
		return -1;
	}
	if (peer_osip_once(invite, sizeof(invite) - 1) <= 0) {
		fprintf(stderr, "bench_parse: libosip2 rejects the message\n");
		return -1;
	}
	return 0;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One timed run. */
struct rate {
	double per_s;	  /* messages per second of this thread's CPU time */
	double cpu_share; /* CPU time / wall time: below 1 when others ran */
};

/*
 * Messages per second over one run of at least min_s seconds of CPU time:
 * grow the iteration count until a run lasts that long.  The thread's CPU
 * clock, not the wall clock, so that other load on a shared machine (time
 * this thread was not running) does not count against either side; on an
 * idle machine the two agree.
 */
static int run_timed(enum impl which, double min_s, struct rate *out)
{
	unsigned long n = 100;

	for (;;) {
		double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID), w0 = clock_s(CLOCK_MONOTONIC), dt;

		if (iterate(which, n) < 0)
			return -1;
		dt = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
		if (dt >= min_s) {
			out->per_s = (double)n / dt;
			out->cpu_share = dt / (clock_s(CLOCK_MONOTONIC) - w0);
			return 0;
		}
		if (dt < min_s / 20)
			n *= 10;
		else
			n = (unsigned long)((double)n * min_s * 1.1 / dt) + 1;
	}
}

struct opts {
	long count;
	enum impl which;
	int runs;
	double seconds;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"count", required_argument, NULL, 'n'},
	    {"impl", required_argument, NULL, 'i'},
	    {"runs", required_argument, NULL, 'r'},
	    {"seconds", required_argument, NULL, 's'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->count = atol(optarg);
			break;
		case 'i':
			for (o->which = 0; o->which < IMPL__COUNT; o->which++)
				if (!strcmp(optarg, impl_names[o->which]))
					break;
			if (o->which == IMPL__COUNT)
				return -1;
			break;
		case 'r':
			o->runs = atoi(optarg);
			break;
		case 's':
			o->seconds = atof(optarg);
			break;
		default:
			return -1;
		}
	}
	if (optind != argc || o->runs < 1 || o->seconds <= 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = {-1, IMPL_SIPALG, 5, 1.0};
	double best[2] = {0, 0};

	if (parse_opts(argc, argv, &o)) {
		fprintf(stderr,
			"usage: bench_parse [--runs N] [--seconds S] | "
			"--count N --impl sipalg|libosip2|sipalg-msg|sipalg-sdp|sipalg-validate|"
			"sipalg-rest\n");
		return 2;
	}
	peer_osip_init();
	if (self_check())
		return 1;
	if (o.count >= 0)
		return iterate(o.which, (unsigned long)o.count) < 0;
	printf("message: INVITE with SDP, %zu bytes\n", sizeof(invite) - 1);
	for (int i = 0; i < o.runs; i++) {
		struct rate a, b;

		if (run_timed(IMPL_SIPALG, o.seconds, &a) || run_timed(IMPL_OSIP, o.seconds, &b))
			return 1;
		printf("run %d: sipalg %.0f msgs/s (cpu share %.0f%%), libosip2 %.0f msgs/s "
		       "(cpu share %.0f%%)\n",
		       i + 1, a.per_s, a.cpu_share * 100, b.per_s, b.cpu_share * 100);
		best[0] = a.per_s > best[0] ? a.per_s : best[0];
		best[1] = b.per_s > best[1] ? b.per_s : best[1];
	}
	printf("bench=parse sipalg_msgs_per_s=%.0f libosip2_msgs_per_s=%.0f "
	       "ratio_vs_libosip2=%.1f msg_bytes=%zu\n",
	       best[0], best[1], best[0] / best[1], sizeof(invite) - 1);
	return 0;
}
