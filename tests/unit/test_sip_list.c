/*
 * test_sip_list.c - the one-pass list element parsers, sip_via_parse_next()
 * (via.c) and sip_addr_parse_next() (addr.c), against what they stand for:
 * sip_list_next() and then sip_via_parse() / sip_addr_parse() on the item.
 * Every element of every value must give the same return, the same *rest
 * and the same fields.  Values: hand-written edges around ',', quotes,
 * '<>' and LWS, then thousands of random mutations of them (a fixed seed);
 * each runs whole and, for the hand-written ones, as every prefix from a
 * copy ending at a guard page (no read past the end).
 */
#include "check.h"
#include "sip/addr.h"
#include "sip/error.h"
#include "sip/via.h"
#include "uri_same.h"

static int addr_same(const struct sip_addr *a, const struct sip_addr *b)
{
	return span_eq(a->whole, b->whole) && span_eq(a->display, b->display) &&
	       uri_same(&a->uri, &b->uri) && span_eq(a->params, b->params) &&
	       span_eq(a->tag, b->tag) && span_eq(a->expires, b->expires) &&
	       a->bracketed == b->bracketed && a->star == b->star;
}

static int via_same(const struct sip_via *a, const struct sip_via *b)
{
	return span_eq(a->whole, b->whole) && span_eq(a->protocol, b->protocol) &&
	       span_eq(a->transport, b->transport) && span_eq(a->sent_by, b->sent_by) &&
	       span_eq(a->host, b->host) && span_eq(a->port, b->port) &&
	       span_eq(a->params, b->params) && span_eq(a->branch, b->branch) &&
	       span_eq(a->received, b->received) && span_eq(a->rport, b->rport) &&
	       span_eq(a->maddr, b->maddr) && span_eq(a->ttl, b->ttl) &&
	       a->port_num == b->port_num && a->rport_num == b->rport_num &&
	       a->host_type == b->host_type && a->has_rport == b->has_rport;
}

/* Walk the list of b[0, len) both ways; 1 if they agree on everything. */
static int walk_same(const char *b, uint32_t len, int via)
{
	struct sip_span r1 = sip_span_make(0, len), r2 = r1, item;
	struct sip_via v1, v2;
	struct sip_addr a1, a2;

	for (int step = 0; step < 64; step++) {
		int x, y = via ? sip_via_parse_next(&v2, b, &r2) : sip_addr_parse_next(&a2, b, &r2);

		x = sip_list_next(b, &r1, &item);
		if (x > 0) {
			x = via ? sip_via_parse(&v1, b, item) : sip_addr_parse(&a1, b, item);
			x = x < 0 ? x : 1;
		}
		if (x != y || !span_eq(r1, r2))
			return 0;
		if (x <= 0)
			return 1;
		if (via ? !via_same(&v1, &v2) : !addr_same(&a1, &a2))
			return 0;
	}
	return 1;
}

/* Whole, and every prefix from a copy that ends at a guard page. */
static void same_case(const char *s, int via)
{
	size_t len = strlen(s), maplen;
	void *map;
	char *g;

	if (!walk_same(s, (uint32_t)len, via) && !check_failed) {
		check_failed = 1;
		snprintf(check_why, sizeof(check_why), "differs on '%s'", s);
	}
	for (size_t k = 0; k <= len && !check_failed; k++) {
		if (!(g = check_guard_copy(s, k, &map, &maplen)))
			break;
		if (!walk_same(g, (uint32_t)k, via)) {
			check_failed = 1;
			snprintf(check_why, sizeof(check_why), "differs on %zu octets of '%s'", k, s);
		}
		check_guard_free(map, maplen);
	}
}

static const char *const vias[] = {
	"SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK-524287-1---8e2f6b1c3a9d4e70",
	"SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1,SIP/2.0/TCP 198.51.100.7;branch=z9hG4bK2",
	"SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1, SIP/2.0/TCP host.example.com",
	"SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1 , SIP/2.0/TCP host.example.com",
	"SIP/2.0/UDP 192.0.2.1,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1:5060,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1:5060;rport,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK1,",
	"SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK1,   ",
	"SIP/2.0/UDP 192.0.2.1:5060;rport;branch=z9hG4bK1,,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1;,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1;branch=\"a,b\",SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1;x=\"a,b,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1;x=<a,b>,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1;received=192.0.2.9;rport=5060;ttl=3;maddr=239.1.1.1,SIP/2.0/UDP h",
	"SIP/2.0/UDP 192.0.2.1;received=not-an-ip,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1;rport=99999,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1:99999,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.256,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1,SIP/2.0/UDP 192.0.2.2",
	"  SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1",
	"SIP / 2.0 / UDP 192.0.2.1 ; branch = z9hG4bK1 , SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1;lr,SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK2",
	"SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1 ;lr,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1;,",
	"SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1;\r\n ,x",
	"SIP/2.0/UDP 192.0.2.1;branch=,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1;=x,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP a.b;branch=z9hG4bK1,\"unterminated",
	"SIP/2.0/UDP 192.0.2.1<x>,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1<",
	"SIP/2.0/SCTP 192.0.2.1;branch=z9hG4bK1,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 1.2.3.4a,SIP/2.0/UDP 192.0.2.2",
	"SIP/2.0/UDP 192.0.2.1:,SIP/2.0/UDP 192.0.2.2",
	",SIP/2.0/UDP 192.0.2.2",
	"",
	"   ",
};

static const char *const addrs[] = {
	"<sip:alice@192.168.1.20:5060;transport=udp>",
	"<sip:alice@192.168.1.20:5060;transport=udp>,<sip:bob@192.0.2.4>",
	"<sip:alice@192.168.1.20:5060;transport=udp>, <sip:bob@192.0.2.4>;expires=60",
	"<sip:alice@192.168.1.20:5060;transport=udp> ,<sip:bob@192.0.2.4>",
	"<sip:alice@192.168.1.20>;expires=3600;+sip.instance=\"<urn:uuid:1,2>\",<sip:b@h>",
	"<sip:a,b@192.0.2.1>,<sip:c@192.0.2.2>",
	"<sip:a\"b@192.0.2.1>,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1>,",
	"<sip:a@192.0.2.1>,  ",
	"<sip:a@192.0.2.1>,,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1>x,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1>\",<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1?h=1,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1",
	"<>,<sip:c@192.0.2.2>",
	"< sip:a@192.0.2.1>,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1 >,<sip:c@192.0.2.2>",
	"<sip:a@[2001:db8::1]:5060>,<sip:c@192.0.2.2>",
	"<sips:a@example.com>,<tel:+1-555-0100>",
	"<http://example.com/a,b>,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1<x>>,<sip:c@192.0.2.2>",
	"\"Alice, A\" <sip:a@192.0.2.1>,<sip:c@192.0.2.2>",
	"Alice <sip:a@192.0.2.1>,<sip:c@192.0.2.2>",
	"sip:a@192.0.2.1;expires=5,sip:c@192.0.2.2",
	"*",
	"*,<sip:a@192.0.2.1>",
	" <sip:a@192.0.2.1>",
	"<sip:a@999.0.2.1>,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1:65536>,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1>;tag=x1,<sip:c@192.0.2.2>;tag=y",
	"<sip:a@192.0.2.1>;expires=60;expires=70;lr,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1>;Tag=x1;EXPIRES=5",
	"<sip:a@192.0.2.1>;,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1>; tag=x,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1>;tag=x ;y,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1>;tag=x,",
	"<sip:a@192.0.2.1>;tag=x;",
	"<sip:a@192.0.2.1>;tag=x;,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1>;tag",
	"<sip:a@192.0.2.1>;tag=\"q,r\",<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1>;=x,<sip:c@192.0.2.2>",
	"<sip:a@192.0.2.1>;",
	"<sip:a@192.0.2.1>;tag=a<b,<sip:c@192.0.2.2>",
	"",
};

static void t_via_same(void)
{
	for (size_t i = 0; i < sizeof(vias) / sizeof(vias[0]) && !check_failed; i++)
		same_case(vias[i], 1);
}

static void t_addr_same(void)
{
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]) && !check_failed; i++)
		same_case(addrs[i], 0);
}

/* Octets that steer the split and the grammars. */
static const char alphabet[] = ",;:=<>\" \t\r\n.@/[]?&%0123459azAZ-_+!*";

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* Seeds mutated: a few octets replaced, inserted or deleted, many times. */
static void mutate_all(const char *const *seeds, size_t n, int via)
{
	char buf[256];

	for (int round = 0; round < 4000 && !check_failed; round++) {
		const char *s = seeds[rng() % n];
		size_t len = strlen(s);
		int edits = 1 + (int)(rng() % 3);

		if (len >= sizeof(buf) - 8)
			continue;
		memcpy(buf, s, len);
		for (int k = 0; k < edits; k++) {
			size_t at = len ? rng() % (len + 1) : 0;
			char c = alphabet[rng() % (sizeof(alphabet) - 1)];
			check_mutate(buf, &len, at, c, rng() % 3);
		}
		if (!walk_same(buf, (uint32_t)len, via) && !check_failed) {
			check_failed = 1;
			snprintf(check_why, sizeof(check_why), "differs on '%.*s'", (int)len, buf);
		}
	}
}

static void t_via_mutants(void)
{
	mutate_all(vias, sizeof(vias) / sizeof(vias[0]), 1);
}

static void t_addr_mutants(void)
{
	mutate_all(addrs, sizeof(addrs) / sizeof(addrs[0]), 0);
}

/* The one-pass path is taken where it should be: the bench's values. */
static void t_values(void)
{
	const char *v = vias[1], *a = addrs[2];
	struct sip_span rest = sip_span_make(0, (uint32_t)strlen(v));
	struct sip_via via;
	struct sip_addr addr;

	CHECK_EQ_INT(sip_via_parse_next(&via, v, &rest), 1);
	CHECK_SPAN(v, via.sent_by, "192.0.2.1:5060");
	CHECK_SPAN(v, via.branch, "z9hG4bK1");
	CHECK_SPAN(v, via.params, "branch=z9hG4bK1");
	CHECK_SPAN(v, rest, "SIP/2.0/TCP 198.51.100.7;branch=z9hG4bK2");
	CHECK_EQ_INT(sip_via_parse_next(&via, v, &rest), 1);
	CHECK_SPAN(v, via.whole, "SIP/2.0/TCP 198.51.100.7;branch=z9hG4bK2");
	CHECK_EQ_INT(rest.len, 0);
	CHECK_EQ_INT(sip_via_parse_next(&via, v, &rest), 0);
	rest = sip_span_make(0, (uint32_t)strlen(a));
	CHECK_EQ_INT(sip_addr_parse_next(&addr, a, &rest), 1);
	CHECK_SPAN(a, addr.uri.hostport, "192.168.1.20:5060");
	CHECK_SPAN(a, addr.whole, "<sip:alice@192.168.1.20:5060;transport=udp>");
	CHECK_SPAN(a, rest, " <sip:bob@192.0.2.4>;expires=60");
	CHECK_EQ_INT(sip_addr_parse_next(&addr, a, &rest), 1);
	CHECK_SPAN(a, addr.expires, "60");
	CHECK_EQ_INT(sip_addr_parse_next(&addr, a, &rest), 0);
}

static const struct check_case cases[] = {
	{ "via_same", t_via_same },
	{ "addr_same", t_addr_same },
	{ "via_mutants", t_via_mutants },
	{ "addr_mutants", t_addr_mutants },
	{ "values", t_values },
	{ NULL, NULL },
};

int main(void)
{
	return check_run("sip_list", cases);
}
