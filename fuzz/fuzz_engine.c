/*
 * fuzz_engine.c - random message sequences and times through one engine.
 *
 * The input is a program: each step takes an opcode byte and a few
 * parameter bytes and sends one message built from a template (REGISTER
 * and its 200, INVITE with SDP, 18x/200/486, ACK, re-INVITE/hold, UPDATE,
 * BYE, CANCEL, an inbound INVITE and the phone's answer), optionally with
 * fuzz bytes spliced into it, or moves time, or reports media.  Invariants,
 * checked after every step (abort() on violation):
 *   - every rewritten output re-parses, validates and has the right
 *     Content-Length;
 *   - pinhole opens and closes balance: no id opened twice, none closed
 *     that is not open, the open count equals the engine's counter;
 *   - alg_next_deadline() is never before the last time seen;
 * and at the end, after expiring far in the future, no call, no pinhole,
 * no registration is left.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alg/alg.h"
#include "alg/alg_query.h"
#include "sip/limits.h"
#include "sip/msg.h"

#define MAX_OPEN 4096

static uint32_t open_ids[MAX_OPEN];
static unsigned nopen;

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned take(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static struct alg_addr ip4(unsigned a, unsigned b, unsigned c, unsigned d, unsigned port)
{
	struct alg_addr x;

	memset(&x, 0, sizeof(x));
	x.family = 4;
	x.ip[0] = (uint8_t)a;
	x.ip[1] = (uint8_t)b;
	x.ip[2] = (uint8_t)c;
	x.ip[3] = (uint8_t)d;
	x.port = (uint16_t)port;
	return x;
}

static void pin_open(uint32_t id)
{
	for (unsigned i = 0; i < nopen; i++)
		if (open_ids[i] == id)
			abort(); /* opened twice */
	if (nopen == MAX_OPEN)
		abort();
	open_ids[nopen++] = id;
}

static void pin_close(uint32_t id)
{
	for (unsigned i = 0; i < nopen; i++)
		if (open_ids[i] == id) {
			open_ids[i] = open_ids[--nopen];
			return;
		}
	abort(); /* closed but never opened */
}

static void check_result(struct alg_engine *e, const struct alg_result *r, uint64_t now,
			 int message)
{
	static struct sip_hdr hdrs[SIP_MAX_HEADERS];
	struct alg_counters c;

	if (message && r->verdict == ALG_FORWARD && !r->out)
		abort();
	if (r->changed) {
		struct sip_msg m;
		if (sip_msg_parse(&m, r->out, r->out_len, hdrs, SIP_MAX_HEADERS, 0) < 0 ||
		    sip_msg_validate(&m) < 0)
			abort();
		if (m.content_length >= 0 && (uint64_t)m.content_length != m.body_len)
			abort();
	}
	for (unsigned i = 0; i < r->nactions; i++) {
		if (r->actions[i].kind == ALG_ACT_PINHOLE_OPEN)
			pin_open(r->actions[i].u.pin.id);
		else if (r->actions[i].kind == ALG_ACT_PINHOLE_CLOSE)
			pin_close(r->actions[i].u.pin.id);
	}
	alg_get_counters(e, &c);
	if (c.pinholes_open != nopen)
		abort();
	uint64_t d = alg_next_deadline(e);
	if (d != UINT64_MAX && d < now)
		abort();
}

/* Templates: %1$s call id, %2$u CSeq, %3$s To tag, %4$u RTP port,
 * %5$s SDP address, %6$s extra SDP line.  Built by build(). */
enum op { OP_REG, OP_REG_OK, OP_INVITE, OP_PROV, OP_OK, OP_ERR, OP_ACK, OP_REINVITE,
	  OP_BYE_OUT, OP_BYE_IN, OP_CANCEL, OP_IN_INVITE, OP_ANSWER, OP_UPDATE, OP_TIME,
	  OP_MEDIA, OP_CLEAR, OP_RECONF, OP__COUNT };

static const char *const sdp_extra[] = {
	"", "a=rtcp:", "a=rtcp-mux\r\n", "a=sendonly\r\n", "a=ice-ufrag:x\r\n",
	"m=video ", "m=audio 0 RTP/AVP 0\r\n", "c=IN IP4 0.0.0.0\r\n",
};

static const char *const addrs[] = { "192.168.1.10", "192.168.1.11", "0.0.0.0",
				     "203.0.113.21", "media.example.com", "192.168.1.200" };

static size_t sdp(char *b, size_t cap, struct in *in)
{
	unsigned port = 30000 + take(in) * 2, extra = take(in) % 8;
	char x[128];

	if (extra == 1 || extra == 5)
		snprintf(x, sizeof(x), "%s%u%s\r\n", sdp_extra[extra], port + 3,
			 extra == 5 ? " RTP/AVP 96" : "");
	else
		snprintf(x, sizeof(x), "%s", sdp_extra[extra]);
	return (size_t)snprintf(b, cap,
				"v=0\r\no=a 1 %u IN IP4 192.168.1.10\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
				"m=audio %u RTP/AVP 0\r\n%s",
				take(in), addrs[take(in) % 6], port, x);
}

static size_t build(char *b, size_t cap, enum op op, struct in *in)
{
	char callid[32], body[1024] = "";
	unsigned cid = take(in) % 4, cseq = 1 + take(in) % 4, tag = take(in) % 3;
	const char *start, *ctype = "";
	int with_sdp = op == OP_INVITE || op == OP_REINVITE || op == OP_ANSWER || op == OP_UPDATE ||
		       ((op == OP_PROV || op == OP_OK || op == OP_ACK) && (take(in) & 1));
	size_t blen = 0;

	snprintf(callid, sizeof(callid), "c%u@192.168.1.10", cid);
	if (with_sdp) {
		blen = sdp(body, sizeof(body), in);
		ctype = "Content-Type: application/sdp\r\n";
	}
	static const char *const starts[OP__COUNT] = {
		[OP_REG] = "REGISTER sip:example.com SIP/2.0", [OP_REG_OK] = "SIP/2.0 200 OK",
		[OP_INVITE] = "INVITE sip:bob@203.0.113.20 SIP/2.0", [OP_PROV] = "SIP/2.0 183 Progress",
		[OP_OK] = "SIP/2.0 200 OK", [OP_ERR] = "SIP/2.0 486 Busy",
		[OP_ACK] = "ACK sip:bob@203.0.113.20 SIP/2.0",
		[OP_REINVITE] = "INVITE sip:bob@203.0.113.20 SIP/2.0",
		[OP_BYE_OUT] = "BYE sip:bob@203.0.113.20 SIP/2.0",
		[OP_BYE_IN] = "BYE sip:alice@203.0.113.1:40001 SIP/2.0",
		[OP_CANCEL] = "CANCEL sip:bob@203.0.113.20 SIP/2.0",
		[OP_IN_INVITE] = "INVITE sip:alice@203.0.113.1:40001 SIP/2.0",
		[OP_ANSWER] = "SIP/2.0 200 OK", [OP_UPDATE] = "UPDATE sip:bob@203.0.113.20 SIP/2.0",
	};
	static const char *const methods[OP__COUNT] = {
		[OP_REG] = "REGISTER", [OP_REG_OK] = "REGISTER", [OP_INVITE] = "INVITE",
		[OP_PROV] = "INVITE", [OP_OK] = "INVITE", [OP_ERR] = "INVITE", [OP_ACK] = "ACK",
		[OP_REINVITE] = "INVITE", [OP_BYE_OUT] = "BYE", [OP_BYE_IN] = "BYE",
		[OP_CANCEL] = "CANCEL", [OP_IN_INVITE] = "INVITE", [OP_ANSWER] = "INVITE",
		[OP_UPDATE] = "UPDATE",
	};
	start = starts[op];
	int inbound = op == OP_IN_INVITE || op == OP_BYE_IN || op == OP_ANSWER;
	const char *via = inbound ? "SIP/2.0/UDP 203.0.113.20:5060;branch=z9hG4bKi"
			  : (take(in) & 1) ? "SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK"
					   : "SIP/2.0/UDP 192.168.1.10:5062;branch=z9hG4bK";
	char vbuf[96];
	snprintf(vbuf, sizeof(vbuf), "%s%u", via, cid * 16 + cseq);
	const char *totag = (op == OP_INVITE || op == OP_IN_INVITE || op == OP_REG ||
			     op == OP_CANCEL) ? "" : tag == 0 ? ";tag=x" : tag == 1 ? ";tag=y" : ";tag=z";
	const char *contact = inbound && op != OP_ANSWER ? "<sip:carol@203.0.113.20>"
			      : (take(in) & 1) ? "<sip:alice@192.168.1.10:5062>;expires=60"
					       : "<sip:alice@192.168.1.10:5062>";
	if (op == OP_REG_OK)
		contact = (take(in) & 1) ? "<sip:alice@203.0.113.1:40001>;expires=30"
					 : "<sip:alice@203.0.113.1:40001>;expires=0";
	return (size_t)snprintf(b, cap,
				"%s\r\nVia: %s\r\nFrom: <sip:alice@example.com>;tag=f%u\r\n"
				"To: <sip:bob@example.com>%s\r\nCall-ID: %s\r\nCSeq: %u %s\r\n"
				"Contact: %s\r\n%sContent-Length: %zu\r\n\r\n%s",
				start, vbuf, cid, totag, op == OP_REG || op == OP_REG_OK ? "reg" : callid,
				cseq, methods[op], contact, ctype, blen, body);
}

/* Splice fuzz bytes over the message (keeps the engine's fail-open path
 * and the parser's error paths in the loop). */
static size_t mutate(char *b, size_t n, size_t cap, struct in *in)
{
	unsigned how = take(in);

	if ((how & 7) != 7 || !n)
		return n;
	size_t at = (take(in) << 8 | take(in)) % n, k = take(in) % 16;
	for (size_t i = 0; i < k && in->n; i++) {
		if (at + i < cap)
			b[at + i] = (char)take(in);
	}
	return at + k > n ? (at + k < cap ? at + k : cap) : n;
}

static void config(struct alg_config *cfg, unsigned variant)
{
	alg_config_defaults(cfg);
	cfg->inside[0].addr = ip4(192, 168, 1, 0, 0);
	cfg->inside[0].len = 24;
	cfg->ninside = 1;
	cfg->public_addr = ip4(203, 0, 113, 1, 0);
	/* small ranges: exhaustion paths get exercised; variants overlap */
	cfg->media_port_min = (uint16_t)(40000 + (variant % 3) * 32);
	cfg->media_port_max = (uint16_t)(cfg->media_port_min + 63);
	cfg->mode = variant % 7 == 6 ? ALG_MODE_PINHOLE : ALG_MODE_ALG;
	cfg->strict_register = (uint8_t)(variant & 1);
}

static struct alg_engine *engine(void)
{
	struct alg_config cfg;

	config(&cfg, 0);
	return alg_new(&cfg);
}

static void step(struct alg_engine *e, struct alg_result *r, struct in *in, uint64_t *now)
{
	static char msg[8192];
	enum op op = (enum op)(take(in) % OP__COUNT);
	struct alg_packet p;

	if (op == OP_TIME) {
		*now += (uint64_t)take(in) * take(in) * 1000;
		alg_expire(e, *now, r);
		check_result(e, r, *now, 0);
		return;
	}
	if (op == OP_MEDIA) {
		if (nopen)
			alg_media_seen(e, open_ids[take(in) % nopen], *now);
		return;
	}
	if (op == OP_CLEAR) {
		alg_clear_calls(e, (take(in) & 1) ? NULL : "c1@192.168.1.10", *now, r);
		check_result(e, r, *now, 0);
		return;
	}
	if (op == OP_RECONF) {
		struct alg_config cfg;
		config(&cfg, take(in));
		if (alg_reconfigure(e, &cfg) < 0)
			abort();
		return;
	}
	size_t n = build(msg, sizeof(msg), op, in);
	n = mutate(msg, n < sizeof(msg) ? n : sizeof(msg) - 1, sizeof(msg), in);
	memset(&p, 0, sizeof(p));
	p.data = msg;
	p.len = n;
	int out = op == OP_REG || op == OP_INVITE || op == OP_ACK || op == OP_REINVITE ||
		  op == OP_BYE_OUT || op == OP_CANCEL || op == OP_ANSWER || op == OP_UPDATE;
	p.dir = out ? ALG_OUT : ALG_IN;
	p.transport = (take(in) & 3) == 3 ? ALG_TCP : ALG_UDP;
	p.src = out ? ip4(192, 168, 1, 10, 5062) : ip4(203, 0, 113, 20, 5060);
	p.dst = out ? ip4(203, 0, 113, 20, 5060) : ip4(203, 0, 113, 1, 40001);
	p.binding = ip4(203, 0, 113, 1, 40001);
	if (!out && (take(in) & 1))
		p.inside = ip4(192, 168, 1, 10, 5062);
	*now += take(in);
	p.now_ms = *now;
	alg_process(e, &p, r);
	check_result(e, r, *now, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct alg_result r;
	struct in in = { data, size };
	struct alg_engine *e = engine();
	uint64_t now = 1000;
	struct alg_counters c;

	if (!e)
		abort();
	nopen = 0;
	for (int i = 0; i < 64 && in.n; i++)
		step(e, &r, &in, &now);
	/* Far in the future every timer has fired: nothing may be left. */
	uint64_t far = now + 48ull * 3600 * 1000;
	for (int guard = 0; alg_next_deadline(e) <= far; guard++) {
		if (guard > 100000)
			abort();
		alg_expire(e, far, &r);
		check_result(e, &r, far, 0);
	}
	alg_get_counters(e, &c);
	if (nopen || c.pinholes_open || c.calls || c.registrations || c.transactions)
		abort();
	alg_free(e);
	return 0;
}
