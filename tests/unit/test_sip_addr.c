/*
 * test_sip_addr.c - name-addr / addr-spec (addr.c), comma lists, Via
 * (via.c) and the small values (values.c).  Each value runs whole, from a
 * copy ending at a guard page, and as every prefix (a verdict each, no
 * read past the end).
 */
#include "check.h"
#include "sip/addr.h"
#include "sip/error.h"
#include "sip/values.h"
#include "sip/via.h"

typedef int (*value_fn)(const char *b, size_t len, void *out);
typedef void (*value_check_fn)(const void *out, const char *b);

/* The three runs over any span parser. */
static void valcase(value_fn fn, size_t outsz, const char *s, int want, value_check_fn check)
{
	size_t len = strlen(s), maplen;
	char out[1024];
	void *map;
	char *g;

	CHECK(outsz <= sizeof(out));
	int r = fn(s, len, out);
	CHECK_EQ_INT(r, want);
	if (r >= 0 && check)
		check(out, s);
	for (size_t k = 0; k <= len && !check_failed; k++) {
		if (!(g = check_guard_copy(s, k, &map, &maplen)))
			break;
		r = fn(g, k, out);
		if (k == len) {
			CHECK_EQ_INT(r, want);
			if (r >= 0 && check)
				check(out, g);
		}
		check_guard_free(map, maplen);
	}
}

static int addr_fn(const char *b, size_t len, void *out)
{
	return sip_addr_parse(out, b, sip_span_make(0, (uint32_t)len));
}

static int via_fn(const char *b, size_t len, void *out)
{
	return sip_via_parse(out, b, sip_span_make(0, (uint32_t)len));
}

#define ADDR(s, want, check) valcase(addr_fn, sizeof(struct sip_addr), s, want, (value_check_fn)(check))
#define VIA(s, want, check) valcase(via_fn, sizeof(struct sip_via), s, want, (value_check_fn)(check))

static void chk_quoted(const struct sip_addr *a, const char *b)
{
	CHECK_SPAN(b, a->display, "\"J Rosenberg \\\\\\\"\"");
	CHECK(a->bracketed);
	CHECK_SPAN(b, a->uri.host, "example.com");
	CHECK_SPAN(b, a->tag, "98asjd8");
	CHECK_SPAN(b, a->params, "\r\n  tag = 98asjd8");
}

static void chk_tokens(const struct sip_addr *a, const char *b)
{
	CHECK_SPAN(b, a->display, "token1~` token2'+_ token3*%!.-");
	CHECK_SPAN(b, a->uri.user, "mundane");
	CHECK(!sip_span_present(a->tag));
	CHECK_SPAN(b, a->params, "fromParam''~+*_!.-%=\"\xd1\x80\xd0\xb0\"");
}

static void chk_bare(const struct sip_addr *a, const char *b)
{
	CHECK(!a->bracketed);
	CHECK(!sip_span_present(a->display));
	CHECK_SPAN(b, a->uri.whole, "sip:vivekg@chair-dnrc.example.com");
	CHECK_SPAN(b, a->tag, "1918181833n");
}

static void chk_nolws(const struct sip_addr *a, const char *b)
{
	CHECK_SPAN(b, a->display, "\"caller\"");
	CHECK_SPAN(b, a->uri.whole, "sip:caller@example.com");
	CHECK_SPAN(b, a->tag, "323");
}

static void chk_contact(const struct sip_addr *a, const char *b)
{
	CHECK_SPAN(b, a->expires, "3600");
	CHECK_SPAN(b, a->uri.hostport, "192.168.1.10:5060");
	CHECK_SPAN(b, a->uri.params, "transport=udp");
}

static void chk_star(const struct sip_addr *a, const char *b)
{
	(void)b;
	CHECK(a->star);
}

static void t_addr(void)
{
	ADDR("\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n  ;\r\n  tag = 98asjd8", 0,
	     chk_quoted);
	ADDR("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\""
	     "\xd1\x80\xd0\xb0\"", 0, chk_tokens);
	ADDR("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n", 0, chk_bare);
	ADDR("\"caller\"<sip:caller@example.com>;tag=323", 0, chk_nolws);  /* RFC 4475 lwsdisp */
	ADDR("<sip:alice@192.168.1.10:5060;transport=udp>;expires=3600;q=0.7", 0, chk_contact);
	ADDR("*", 0, chk_star);
	ADDR("\"BEL:\\\x07 DEL:\\\x7f\" <sip:a@example.com>", 0, NULL);
	/* RFC 4475 intmeth: an escaped NUL inside the quoted display name */
	static const char nul[] = "\"NUL:\\\0\" <sip:a@example.com>";
	struct sip_addr a;
	CHECK_EQ_INT(sip_addr_parse(&a, nul, sip_span_make(0, sizeof(nul) - 1)), 0);
	ADDR("<isbn:2983792873>;tag=1", 0, NULL);
	ADDR("\"\xd0\x9e\" <sip:a@example.com>", 0, NULL);
}

static void t_addr_bad(void)
{
	ADDR("\"Mr. J. User <sip:j.user@example.com>", SIP_EQUOTE, NULL);  /* quotbal */
	ADDR("Bell, Alexander <sip:a.g.bell@example.com>;tag=43", SIP_EADDR, NULL); /* baddn */
	ADDR("\"Watson, Thomas\" < sip:t.watson@example.org >", SIP_EADDR, NULL);   /* badaspec */
	ADDR("sip:user@example.com?Route=%3Csip:sip.example.com%3E", SIP_EADDR, NULL); /* regbadct */
	ADDR("<sip:joe@example.org>;;;;", SIP_EADDR, NULL);  /* badinv01 */
	ADDR("<sip:a@example.com", SIP_EADDR, NULL);
	ADDR("<sip:a@example.com> junk", SIP_EADDR, NULL);
	ADDR("\"a\" sip:a@example.com", SIP_EADDR, NULL);
	ADDR("<>", SIP_EADDR, NULL);
	ADDR("", SIP_EADDR, NULL);
	ADDR("\"a\x01\" <sip:a@example.com>", SIP_EADDR, NULL);
	static const char nul[] = "\"NUL:\0\" <sip:a@example.com>";
	struct sip_addr a;
	CHECK_EQ_INT(sip_addr_parse(&a, nul, sip_span_make(0, sizeof(nul) - 1)), SIP_EADDR);
	ADDR("<sip:a@example.com>;tag=a b", SIP_EADDR, NULL);
	ADDR("<sip:a@[2001:db8::1>", SIP_EURI, NULL);
}

/* Comma lists: commas inside quotes, escapes and <> do not split. */
static void t_list(void)
{
	const char *b = "\"a,\\\"b\" <sip:x@h;p=1>, <sip:y@h?a=b,c>,sip:z@h ,\t*";
	struct sip_span rest = sip_span_make(0, (uint32_t)strlen(b)), item;

	CHECK_EQ_INT(sip_list_next(b, &rest, &item), 1);
	CHECK_SPAN(b, item, "\"a,\\\"b\" <sip:x@h;p=1>");
	CHECK_EQ_INT(sip_list_next(b, &rest, &item), 1);
	CHECK_SPAN(b, item, "<sip:y@h?a=b,c>");
	CHECK_EQ_INT(sip_list_next(b, &rest, &item), 1);
	CHECK_SPAN(b, item, "sip:z@h");
	CHECK_EQ_INT(sip_list_next(b, &rest, &item), 1);
	CHECK_SPAN(b, item, "*");
	CHECK_EQ_INT(sip_list_next(b, &rest, &item), 0);

	static const struct {
		const char *s;
		int err;
	} bad[] = {
		{ "a,,b", SIP_EVALUE }, { ",a", SIP_EVALUE }, { "a,", SIP_EVALUE },
		{ "\"a,b", SIP_EQUOTE }, { "<sip:a,b", SIP_EADDR }, { "a, ", SIP_EVALUE },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		int r;
		rest = sip_span_make(0, (uint32_t)strlen(bad[k].s));
		while ((r = sip_list_next(bad[k].s, &rest, &item)) > 0)
			;
		CHECK_EQ_INT(r, bad[k].err);
	}
	rest = sip_span_make(0, 0);
	CHECK_EQ_INT(sip_list_next("", &rest, &item), 0);
}

static void chk_via_full(const struct sip_via *v, const char *b)
{
	CHECK_SPAN(b, v->protocol, "SIP/2.0/UDP");
	CHECK_SPAN(b, v->transport, "UDP");
	CHECK_SPAN(b, v->sent_by, "192.168.1.10:5060");
	CHECK_SPAN(b, v->host, "192.168.1.10");
	CHECK_EQ_INT(v->host_type, SIP_HOST_IPV4);
	CHECK_SPAN(b, v->port, "5060");
	CHECK_EQ_INT(v->port_num, 5060);
	CHECK_SPAN(b, v->branch, "z9hG4bK776asdhds");
	CHECK_SPAN(b, v->received, "192.0.2.1");
	CHECK(v->has_rport);
	CHECK_SPAN(b, v->rport, "4321");
	CHECK_EQ_INT(v->rport_num, 4321);
	CHECK_SPAN(b, v->maddr, "224.2.0.1");
	CHECK_SPAN(b, v->ttl, "16");
	CHECK_SPAN(b, v->params, "branch=z9hG4bK776asdhds;received=192.0.2.1;rport=4321;maddr=224.2.0.1;ttl=16;x");
}

static void chk_via_lws(const struct sip_via *v, const char *b)
{
	CHECK_SPAN(b, v->protocol, "SIP  /   2.0\r\n /UDP");
	CHECK_SPAN(b, v->transport, "UDP");
	CHECK_SPAN(b, v->sent_by, "192.0.2.2");
	CHECK(!sip_span_present(v->port));
	CHECK_EQ_INT(v->port_num, 0);
	CHECK_SPAN(b, v->branch, "390skdjuw");
	CHECK(!v->has_rport);
}

static void chk_via_rport(const struct sip_via *v, const char *b)
{
	CHECK(v->has_rport);
	CHECK(!sip_span_present(v->rport));
	CHECK_EQ_INT(v->rport_num, 0);
	CHECK_SPAN(b, v->sent_by, "[2001:db8::9:1]:5070");
	CHECK_SPAN(b, v->host, "[2001:db8::9:1]");
	CHECK_EQ_INT(v->host_type, SIP_HOST_IPV6);
}

static void chk_via_recv6(const struct sip_via *v, const char *b)
{
	CHECK_SPAN(b, v->received, "2001:db8::9:255");
}

static void chk_via_recv6b(const struct sip_via *v, const char *b)
{
	CHECK_SPAN(b, v->received, "[2001:db8::9:255]");
}

static void t_via(void)
{
	VIA("SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK776asdhds;received=192.0.2.1;rport=4321;"
	    "maddr=224.2.0.1;ttl=16;x", 0, chk_via_full);
	VIA("SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw", 0, chk_via_lws);
	VIA("SIP/2.0/TCP [2001:db8::9:1]:5070;rport;branch=z9hG4bKas3", 0, chk_via_rport);
	VIA("SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bKas3", 0,
	    chk_via_recv6);
	VIA("SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bKas3", 0,
	    chk_via_recv6b);
	VIA("SIP/2.0/SCTP spindle.example.com ; branch = z9hG4bK9ikj8", 0, NULL);
	VIA("SIP/2.0/UNKNOWN t.example.com:5060;branch=z9hG4bK", 0, NULL);
	VIA("SIP/2.0/UDP h.example.com : 5060", 0, NULL);
	VIA("SIP/2.0/UDP h;x=\"a;b\";y=[2001:db8::1];z=tok", 0, NULL);
}

static void t_via_bad(void)
{
	VIA("SIP/2.0/UDP 192.0.2.15;;", SIP_EVIA, NULL);  /* badinv01 */
	VIA("SIP/2.0/UDP 192.0.2.15;", SIP_EVIA, NULL);
	VIA("SIP/2.0 192.0.2.15", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP192.0.2.1", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP 192.0.2.1:65536", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP 192.0.2.1:", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP 2001:db8::1", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP h;rport=70000", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP h;received=h.example.com", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP h;ttl=256", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP h;branch", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP h;branch=a b", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP h x", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP h;x=a b", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP h;x=\"a\x01\"", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP h;x=", SIP_EVIA, NULL);
	VIA("", SIP_EVIA, NULL);
}

static void t_cseq(void)
{
	const char *b = "0009\r\n  INVITE";
	struct sip_cseq c;

	CHECK_EQ_INT(sip_cseq_parse(&c, b, sip_span_make(0, (uint32_t)strlen(b))), 0);
	CHECK_EQ_INT(c.num, 9);
	CHECK_SPAN(b, c.num_s, "0009");
	CHECK_SPAN(b, c.method_s, "INVITE");
	CHECK_EQ_INT(c.method, SIP_METHOD_INVITE);
	static const char *const bad[] = { "INVITE", "1", "1INVITE", "2147483648 INVITE",
					   "36893488147419103232 REGISTER", "1 INV ITE", "-1 BYE",
					   "" };
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		CHECK_EQ_INT(sip_cseq_parse(&c, bad[k], sip_span_make(0, (uint32_t)strlen(bad[k]))),
			     SIP_ECSEQ);
	b = "2147483647 NEWMETHOD";
	CHECK_EQ_INT(sip_cseq_parse(&c, b, sip_span_make(0, (uint32_t)strlen(b))), 0);
	CHECK_EQ_INT(c.method, SIP_METHOD_OTHER);
}

static void t_numbers(void)
{
	const char *b = " 0068 ";

	CHECK_EQ_INT(sip_value_uint(b, sip_span_make(0, 6), 255), 68);
	b = "300";
	CHECK_EQ_INT(sip_value_uint(b, sip_span_make(0, 3), 255), SIP_EVALUE);
	b = "4294967295";
	CHECK_EQ_INT(sip_value_uint(b, sip_span_make(0, 10), 0xffffffffu), 4294967295LL);
	b = "4294967296";
	CHECK_EQ_INT(sip_value_uint(b, sip_span_make(0, 10), 0xffffffffu), SIP_EVALUE);
	b = "1 2";
	CHECK_EQ_INT(sip_value_uint(b, sip_span_make(0, 3), 255), SIP_EVALUE);
	b = "";
	CHECK_EQ_INT(sip_value_uint(b, sip_span_make(0, 0), 255), SIP_EVALUE);
}

static void t_ctype(void)
{
	const char *b = "multipart/mixed;boundary=\"unique-boundary-1\" ; x=y";
	struct sip_ctype ct;

	CHECK_EQ_INT(sip_ctype_parse(&ct, b, sip_span_make(0, (uint32_t)strlen(b))), 0);
	CHECK_SPAN(b, ct.type, "multipart");
	CHECK_SPAN(b, ct.subtype, "mixed");
	CHECK(sip_ctype_is(b, &ct, "MULTIPART", "Mixed"));
	CHECK(!sip_ctype_is(b, &ct, "application", "sdp"));
	b = "application / sdp";
	CHECK_EQ_INT(sip_ctype_parse(&ct, b, sip_span_make(0, (uint32_t)strlen(b))), 0);
	CHECK(sip_ctype_is(b, &ct, "application", "sdp"));
	CHECK(!sip_span_present(ct.params));
	static const char *const bad[] = { "application", "application/", "/sdp", "a/b;", "a/b;c",
					   "a/b c", "a/b;c=\"x" };
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		CHECK_EQ_INT(sip_ctype_parse(&ct, bad[k], sip_span_make(0, (uint32_t)strlen(bad[k]))),
			     SIP_EVALUE);
}

static void t_callid(void)
{
	static const char *const good[] = { "a84b4c76e66710@pc33.atlanta.example.com", "x",
					    "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{" };
	static const char *const bad[] = { "", "a b", "a@", "@b", "a@b@c", "a,b", "a;b" };

	for (size_t k = 0; k < sizeof(good) / sizeof(good[0]); k++)
		CHECK_EQ_INT(sip_callid_check(good[k], sip_span_make(0, (uint32_t)strlen(good[k]))), 0);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
		CHECK_EQ_INT(sip_callid_check(bad[k], sip_span_make(0, (uint32_t)strlen(bad[k]))),
			     SIP_EVALUE);
}

/* The one-pass path of sip_via_parse() ("SIP/2.0/", one SP, IPv4 or name,
 * up to five port digits, token parameters) hands everything else to the
 * general grammar: both sides of that line give the general verdict. */
static void chk_via_port0(const struct sip_via *v, const char *b)
{
	CHECK_SPAN(b, v->port, "005060");
	CHECK_EQ_INT(v->port_num, 5060);
	CHECK_SPAN(b, v->sent_by, "192.0.2.1:005060");
	CHECK_SPAN(b, v->branch, "z9hG4bK1");
}

static void chk_via_name(const struct sip_via *v, const char *b)
{
	CHECK_EQ_INT(v->host_type, SIP_HOST_NAME);
	CHECK_SPAN(b, v->host, "1.2.3.4.example.com");
	CHECK_SPAN(b, v->branch, "z9hG4bK-524287-1---8e2f6b1c3a9d4e70-and-more-to-be-long");
}

static void chk_via_case(const struct sip_via *v, const char *b)
{
	CHECK_SPAN(b, v->transport, "udp");
	CHECK_SPAN(b, v->branch, "z9hG4bK1");
	CHECK(!sip_span_present(v->received));
}

static void chk_via_notbranch(const struct sip_via *v, const char *b)
{
	CHECK_SPAN(b, v->branch, "z9"); /* BRANCH is branch; branches is not */
	CHECK_SPAN(b, v->params, "branches=1;BRANCH=z9;rport");
	CHECK(v->has_rport);
}

static void chk_via_mixed(const struct sip_via *v, const char *b)
{
	CHECK_SPAN(b, v->received, "[2001:db8::1]");
	CHECK_SPAN(b, v->branch, "z9hG4bK2");
	CHECK_SPAN(b, v->rport, "5060");
	CHECK_EQ_INT(v->rport_num, 5060);
}

static void chk_via_udpx(const struct sip_via *v, const char *b)
{
	CHECK_SPAN(b, v->transport, "UDPX");
	CHECK_EQ_INT(v->port_num, 5060);
}

static void chk_via_65535(const struct sip_via *v, const char *b)
{
	CHECK_SPAN(b, v->transport, "UDP");
	CHECK_EQ_INT(v->port_num, 65535);
	CHECK_SPAN(b, v->branch, "z9hG4bK1");
}

static void t_via_quick(void)
{
	VIA("SIP/2.0/UDP 192.0.2.1:005060;branch=z9hG4bK1", 0, chk_via_port0);
	VIA("SIP/2.0/UDP 1.2.3.4.example.com;branch=z9hG4bK-524287-1---8e2f6b1c3a9d4e70-and-more-"
	    "to-be-long", 0, chk_via_name);
	VIA("sip/2.0/udp 192.0.2.1;Branch=z9hG4bK1", 0, chk_via_case);
	VIA("SIP/2.0/udp 192.0.2.1;bRaNcH=z9hG4bK1", 0, chk_via_case);
	VIA("SIP/2.0/UDP 192.0.2.1;branches=1;BRANCH=z9;rport", 0, chk_via_notbranch);
	VIA("SIP/2.0/UDP 192.0.2.1;received=[2001:db8::1];branch=z9hG4bK2;rport=5060", 0,
	    chk_via_mixed);
	VIA("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-0123456789abcdefghijklmn@v", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-0123456789abcdefghijklmnopqrstuvw\xff", SIP_EVIA,
	    NULL);
	VIA("SIP/2.0/UDP 1.2.3.4a;branch=x", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP 192.0.2.1:0065536", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP 192.0.2.1;branch=", SIP_EVIA, NULL);
	VIA("SIP/2.0/UDP  192.0.2.1;branch=x", 0, NULL);
	VIA("SIP/2.0/UDP 192.0.2.1 ;branch=x", 0, NULL);
	VIA("SIP/2.0/UDP 192.0.2.1; branch=x", 0, NULL);
	VIA("SIP/2.0/UDP 192.0.2.1:5060 ", 0, NULL);
	VIA("SIP/2.0/UDPX 192.0.2.1:5060;branch=z9hG4bK1", 0, chk_via_udpx);
	VIA("SIP/2.0/UDP 192.0.2.1:65535;branch=z9hG4bK1", 0, chk_via_65535);
}

static const struct check_case cases[] = {
	{ "addr", t_addr },
	{ "addr_bad", t_addr_bad },
	{ "list", t_list },
	{ "via", t_via },
	{ "via_bad", t_via_bad },
	{ "via_quick", t_via_quick },
	{ "cseq", t_cseq },
	{ "numbers", t_numbers },
	{ "content_type", t_ctype },
	{ "call_id", t_callid },
	{ NULL, NULL },
};

int main(void)
{
	return check_run("sip_addr", cases);
}
