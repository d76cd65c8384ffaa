/*
 * test_sip_uri.c - sip_uri_parse(), sip_host_parse(), sip_param_next/find
 * (RFC 3261 §19.1, §25.1; RFC 3966; RFC 5118).  Each URI runs whole, from
 * a copy that ends at a guard page, and as every prefix (each must give
 * a verdict without reading past its end).
 */
#include "check.h"
#include "sip/error.h"
#include "sip/param_step.h"
#include "sip/uri.h"
#include "uri_same.h"

typedef void (*uri_check_fn)(const struct sip_uri *u, const char *b);

static void uricase(const char *s, int want, uri_check_fn check)
{
	size_t len = strlen(s), maplen;
	struct sip_uri u;
	void *map;
	char *g;
	int r = sip_uri_parse(&u, s, sip_span_make(0, (uint32_t)len));

	CHECK_EQ_INT(r, want);
	if (r == 0 && check)
		check(&u, s);
	for (size_t k = 0; k <= len && !check_failed; k++) {
		if (!(g = check_guard_copy(s, k, &map, &maplen)))
			break;
		r = sip_uri_parse(&u, g, sip_span_make(0, (uint32_t)k));
		if (k == len) {
			CHECK_EQ_INT(r, want);
			if (r == 0 && check)
				check(&u, g);
		}
		if (r == 0)
			CHECK(u.host.off + u.host.len <= k || !sip_span_present(u.host));
		check_guard_free(map, maplen);
	}
}

static void chk_full(const struct sip_uri *u, const char *b)
{
	CHECK_EQ_INT(u->scheme_id, SIP_URI_SIP);
	CHECK_SPAN(b, u->scheme, "sip");
	CHECK_SPAN(b, u->user, "alice");
	CHECK_SPAN(b, u->password, "secret");
	CHECK_SPAN(b, u->host, "atlanta.example.com");
	CHECK_EQ_INT(u->host_type, SIP_HOST_NAME);
	CHECK_SPAN(b, u->port, "5060");
	CHECK_EQ_INT(u->port_num, 5060);
	CHECK_SPAN(b, u->hostport, "atlanta.example.com:5060");
	CHECK_SPAN(b, u->params, "transport=tcp;lr");
	CHECK_SPAN(b, u->headers, "subject=project%20x&priority=urgent");
	struct sip_span v;
	CHECK_EQ_INT(sip_param_find(b, u->params, "TRANSPORT", &v), 1);
	CHECK_SPAN(b, v, "tcp");
	CHECK_EQ_INT(sip_param_find(b, u->params, "lr", &v), 1);
	CHECK(!sip_span_present(v));
	CHECK_EQ_INT(sip_param_find(b, u->params, "maddr", &v), 0);
}

static void t_sip_full(void)
{
	uricase("sip:alice:secret@atlanta.example.com:5060;transport=tcp;lr"
		"?subject=project%20x&priority=urgent", 0, chk_full);
}

static void chk_nouser(const struct sip_uri *u, const char *b)
{
	CHECK(!sip_span_present(u->user));
	CHECK(!sip_span_present(u->port));
	CHECK_EQ_INT(u->port_num, 0);
	CHECK_SPAN(b, u->host, "192.0.2.4");
	CHECK_EQ_INT(u->host_type, SIP_HOST_IPV4);
	CHECK_SPAN(b, u->hostport, "192.0.2.4");
	CHECK(!sip_span_present(u->params));
}

static void chk_sips(const struct sip_uri *u, const char *b)
{
	CHECK_EQ_INT(u->scheme_id, SIP_URI_SIPS);
	CHECK_SPAN(b, u->user, "bob");
	CHECK_SPAN(b, u->host, "biloxi.example.com.");
}

static void t_sip_simple(void)
{
	uricase("sip:192.0.2.4", 0, chk_nouser);
	uricase("SIPS:bob@biloxi.example.com.", 0, chk_sips);
}

/* RFC 4475 esc01, semiuri, intmeth user parts */
static void chk_esc(const struct sip_uri *u, const char *b)
{
	CHECK_SPAN(b, u->user, "sips%3Auser%40example.com");
	CHECK_SPAN(b, u->host, "example.net");
}

static void chk_semi(const struct sip_uri *u, const char *b)
{
	CHECK_SPAN(b, u->user, "user;par=u%40example.net");
	CHECK_SPAN(b, u->host, "example.com");
	CHECK(!sip_span_present(u->params));
}

static void chk_weird(const struct sip_uri *u, const char *b)
{
	CHECK_SPAN(b, u->user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
	CHECK_SPAN(b, u->password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
	CHECK_SPAN(b, u->host, "example.com");
}

static void t_user_part(void)
{
	uricase("sip:sips%3Auser%40example.com@example.net", 0, chk_esc);
	uricase("sip:user;par=u%40example.net@example.com", 0, chk_semi);
	uricase("sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too."
		"(doesn't-it)@example.com", 0, chk_weird);
	uricase("sip:%00@example.com", 0, NULL);
	uricase("sip:+1-212-555-1212:1234@gateway.com;user=phone", 0, NULL);
	uricase("sip:a%4@example.com", SIP_EURI, NULL);
	uricase("sip:a%@example.com", SIP_EURI, NULL);
	uricase("sip:a b@example.com", SIP_EURI, NULL);
	uricase("sip:@example.com", SIP_EURI, NULL);
	uricase("sip:a<b@example.com", SIP_EURI, NULL);
}

/* RFC 5118: references in brackets; [addr:port] has no port inside */
static void chk_v6port(const struct sip_uri *u, const char *b)
{
	CHECK_SPAN(b, u->host, "[2001:db8::10]");
	CHECK_EQ_INT(u->host_type, SIP_HOST_IPV6);
	CHECK_SPAN(b, u->port, "5070");
	CHECK_EQ_INT(u->port_num, 5070);
	CHECK_SPAN(b, u->hostport, "[2001:db8::10]:5070");
}

static void chk_v6amb(const struct sip_uri *u, const char *b)
{
	CHECK_SPAN(b, u->host, "[2001:db8::10:5070]");
	CHECK(!sip_span_present(u->port));
	CHECK_EQ_INT(u->port_num, 0);
}

static void t_ipv6(void)
{
	uricase("sip:[2001:db8::10]:5070", 0, chk_v6port);
	uricase("sip:user@[2001:db8::10:5070]", 0, chk_v6amb);
	uricase("sip:2001:db8::10", SIP_EURI, NULL);
	uricase("sip:[2001:db8::192.0.2.1]", 0, NULL);
	uricase("sip:[2001:db8:::192.0.2.1]", 0, NULL);  /* RFC 5118 §4.10: tolerated */
	uricase("sip:[::ffff:192.0.2.10]", 0, NULL);
	uricase("sip:[::1]", 0, NULL);
	uricase("sip:[::]", 0, NULL);
	uricase("sip:[1:2:3:4:5:6:7:8]", 0, NULL);
	uricase("sip:[1:2:3:4:5:6:7:8:9]", SIP_EURI, NULL);
	uricase("sip:[1:2:3:4:5:6:7]", SIP_EURI, NULL);
	uricase("sip:[1::2::3]", SIP_EURI, NULL);
	uricase("sip:[12345::1]", SIP_EURI, NULL);
	uricase("sip:[2001:db8::10", SIP_EURI, NULL);
	uricase("sip:[2001:db8::g]", SIP_EURI, NULL);
	uricase("sip:[]", SIP_EURI, NULL);
	uricase("sip:[1:]", SIP_EURI, NULL);
	uricase("sip:[::192.0.2.300]", SIP_EURI, NULL);
}

static void t_host_port(void)
{
	uricase("sip:a@example.com:65535", 0, NULL);
	uricase("sip:a@example.com:65536", SIP_EURI, NULL);
	uricase("sip:a@example.com:99999999999999999999", SIP_EURI, NULL);
	uricase("sip:a@example.com:", SIP_EURI, NULL);
	uricase("sip:a@example.com:50x", SIP_EURI, NULL);
	uricase("sip:a@192.0.2.256", SIP_EURI, NULL);
	uricase("sip:a@1.2.3", SIP_EURI, NULL);
	uricase("sip:a@-bad.example.com", SIP_EURI, NULL);
	uricase("sip:a@bad-.example.com", SIP_EURI, NULL);
	uricase("sip:a@ex..com", SIP_EURI, NULL);
	uricase("sip:a@ex_ample.com", SIP_EURI, NULL);
	uricase("sip:a@", SIP_EURI, NULL);
	uricase("sip:", SIP_EURI, NULL);
	uricase("sip:a@h1.example.com:0", 0, NULL);
}

static void t_params_headers(void)
{
	uricase("sip:a@h.example.com;maddr=[2001:db8::1];x=%41", 0, NULL);
	uricase("sip:a@h.example.com;", SIP_EURI, NULL);
	uricase("sip:a@h.example.com;;lr", SIP_EURI, NULL);
	uricase("sip:a@h.example.com;a=", SIP_EURI, NULL);
	uricase("sip:a@h.example.com;a b", SIP_EURI, NULL);
	uricase("sip:a@h.example.com?Route=%3Csip:example.com%3E", 0, NULL);
	uricase("sip:a@h.example.com?a", SIP_EURI, NULL);
	uricase("sip:a@h.example.com?a=b&", SIP_EURI, NULL);
	uricase("sip:a@h.example.com?a=", 0, NULL);
}

static void chk_tel(const struct sip_uri *u, const char *b)
{
	CHECK_EQ_INT(u->scheme_id, SIP_URI_TEL);
	CHECK_SPAN(b, u->user, "+1-201-555-0123");
	CHECK_SPAN(b, u->params, "phone-context=example.com");
	CHECK(!sip_span_present(u->host));
}

static void chk_other(const struct sip_uri *u, const char *b)
{
	CHECK_EQ_INT(u->scheme_id, SIP_URI_OTHER);
	CHECK_SPAN(b, u->scheme, "soap.beep");
	CHECK(!sip_span_present(u->host));
}

static void t_schemes(void)
{
	uricase("tel:+1-201-555-0123;phone-context=example.com", 0, chk_tel);
	uricase("tel:;x=y", SIP_EURI, NULL);
	uricase("tel:12 34", SIP_EURI, NULL);
	uricase("soap.beep://192.0.2.103:3002", 0, chk_other);  /* RFC 4475 novelsc */
	uricase("isbn:2983792873", 0, NULL);                    /* unksm2 */
	uricase("http://www.example.com", 0, NULL);
	uricase("name:John_Smith", 0, NULL);
	uricase("1sip:a@b", SIP_EURI, NULL);
	uricase("sip", SIP_EURI, NULL);
	uricase("x:", SIP_EURI, NULL);
	uricase("x:a<b", SIP_EURI, NULL);
	uricase("", SIP_EURI, NULL);
}

static void t_host_parse(void)
{
	const char *b = "2001:db8::9:255[2001:db8::9:255]example.com192.0.2.1";

	CHECK_EQ_INT(sip_host_parse(b, sip_span_make(0, 15), 0), SIP_EURI);
	CHECK_EQ_INT(sip_host_parse(b, sip_span_make(0, 15), 1), SIP_HOST_IPV6);
	CHECK_EQ_INT(sip_host_parse(b, sip_span_make(15, 17), 0), SIP_HOST_IPV6);
	CHECK_EQ_INT(sip_host_parse(b, sip_span_make(32, 11), 1), SIP_HOST_NAME);
	CHECK_EQ_INT(sip_host_parse(b, sip_span_make(43, 9), 0), SIP_HOST_IPV4);
	CHECK_EQ_INT(sip_host_parse(b, sip_span_make(43, 0), 0), SIP_EURI);
}

/* Header params: LWS around ';' and '=', quoted values with ';' inside. */
static void t_param_next(void)
{
	const char *b = " tag = 98asjd8 ;lr; x=\"a;b\" ; rport";
	struct sip_span rest = sip_span_make(0, (uint32_t)strlen(b)), n, v;

	CHECK_EQ_INT(sip_param_next(b, &rest, &n, &v), 1);
	CHECK_SPAN(b, n, "tag");
	CHECK_SPAN(b, v, "98asjd8");
	CHECK_EQ_INT(sip_param_next(b, &rest, &n, &v), 1);
	CHECK_SPAN(b, n, "lr");
	CHECK(!sip_span_present(v));
	CHECK_EQ_INT(sip_param_next(b, &rest, &n, &v), 1);
	CHECK_SPAN(b, v, "\"a;b\"");
	CHECK_EQ_INT(sip_param_next(b, &rest, &n, &v), 1);
	CHECK_SPAN(b, n, "rport");
	CHECK_EQ_INT(sip_param_next(b, &rest, &n, &v), 0);

	const char *bad[] = { ";x", "a;;b", "a;", "a; ", "=b", "x=\"open" };
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		int r;
		rest = sip_span_make(0, (uint32_t)strlen(bad[k]));
		while ((r = sip_param_next(bad[k], &rest, &n, &v)) > 0)
			;
		CHECK(r < 0);
	}
}

/* The one-pass path of sip_uri_parse() (lower-case sip:, plain user, IPv4
 * or name, up to five port digits, plain params) hands everything else to
 * the general grammar: both sides of that line give the general verdict. */
static void chk_quick_port0(const struct sip_uri *u, const char *b)
{
	CHECK_SPAN(b, u->port, "000005060");
	CHECK_EQ_INT(u->port_num, 5060);
	CHECK_SPAN(b, u->hostport, "192.0.2.1:000005060");
}

static void chk_quick_name(const struct sip_uri *u, const char *b)
{
	CHECK_EQ_INT(u->host_type, SIP_HOST_NAME);
	CHECK_SPAN(b, u->host, "1.2.3.4.example.com");
	CHECK(!sip_span_present(u->port));
}

static void chk_quick_upper(const struct sip_uri *u, const char *b)
{
	CHECK_EQ_INT(u->scheme_id, SIP_URI_SIP);
	CHECK_SPAN(b, u->scheme, "SIP");
	CHECK_EQ_INT(u->host_type, SIP_HOST_IPV4);
}

static void chk_quick_params(const struct sip_uri *u, const char *b)
{
	CHECK_SPAN(b, u->user, "+1-555;x=y");
	CHECK_SPAN(b, u->hostport, "192.0.2.1:5060");
	CHECK_SPAN(b, u->params, "lr;transport=tcp;m=[2001:db8::1]");
	CHECK(!sip_span_present(u->headers));
	CHECK(!sip_span_present(u->password));
}

static void chk_quick_pw(const struct sip_uri *u, const char *b)
{
	CHECK_SPAN(b, u->user, "a");
	CHECK_SPAN(b, u->password, "pw");
}

static void chk_quick_port5(const struct sip_uri *u, const char *b)
{
	CHECK_EQ_INT(u->port_num, 50601);
	CHECK_SPAN(b, u->params, "transport=udp");
}

static void t_quick_edges(void)
{
	uricase("sip:a@192.0.2.1:000005060", 0, chk_quick_port0);
	uricase("sip:a@192.0.2.1:065536", SIP_EURI, NULL);
	uricase("sip:a@1.2.3.4.example.com", 0, chk_quick_name);
	uricase("sip:a@1.2.3.4a", SIP_EURI, NULL);
	uricase("sip:a@1.2.3.4.", SIP_EURI, NULL);
	uricase("SIP:a@192.0.2.1", 0, chk_quick_upper);
	uricase("sip:+1-555;x=y@192.0.2.1:5060;lr;transport=tcp;m=[2001:db8::1]", 0,
		chk_quick_params);
	uricase("sip:a:pw@192.0.2.1", 0, chk_quick_pw);
	uricase("sip:%61@192.0.2.1;x=%41", 0, NULL);
	uricase("sip:a@192.0.2.1;x=a=b", SIP_EURI, NULL);
	uricase("sip:a@192.0.2.1;x=%4", SIP_EURI, NULL);
	uricase("sip:a@192.0.2.1;lr?h=v", 0, NULL);
	uricase("sip:a@192.0.2.1 ", SIP_EURI, NULL);
	uricase("sip:@192.0.2.1", SIP_EURI, NULL);
	uricase("sip:a@192.0.2.1:5060;transport=", SIP_EURI, NULL);
	uricase("sip:a@192.0.2.1:50601;transport=udp", 0, chk_quick_port5);
	uricase("sip:a@192.0.2.1:5060;transport=udp=x", SIP_EURI, NULL);
	uricase("sip:a@192.0.2.1:5O60", SIP_EURI, NULL);
}

/* quick_ipv4_end() (param_step.h; SSE2 masks when sixteen octets are at
 * hand) against its definition: the run of host octets from i, when
 * sip_host_parse() calls that run IPv4.  Random runs of digits, dots and
 * a few others, as whole buffers ending at a guard page. */
static void t_quick_ipv4(void)
{
	static const char alpha[] = "0123456789...........12525a-:;";
	static const char *const fixed[] = {
		"192.168.1.20:5060;x", "255.255.255.255", "255.255.255.256;", "0.0.0.0",
		"00.000.0.01;", "1.2.3.4a", "1.2.3.4-", "1.2.3.4.", "1.2.3", "1..2.3",
		".1.2.3.4", "1.2.3.4.5", "1234.1.1.1", "1.2.3.1234", "249.250.199.100>",
		"192.0.2.1,SIP/2.0/UDP", "300.1.1.1", "1.2.3.4:", "1.2.3.4 ",
	};
	uint32_t seed = 7;
	char buf[64];

	for (int round = 0; round < 30000 && !check_failed; round++) {
		uint32_t len, i, run, want, got;
		size_t maplen;
		void *map;
		char *g;

		if (round < (int)(sizeof(fixed) / sizeof(fixed[0]))) {
			len = (uint32_t)strlen(fixed[round]);
			memcpy(buf, fixed[round], len);
			if (round & 1) { /* and with sixteen octets at hand */
				memset(buf + len, ';', 20);
				len += 20;
			}
		} else {
			seed = seed * 1103515245u + 12345u;
			len = 1 + (seed >> 8) % 30;
			for (i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				buf[i] = alpha[(seed >> 8) % (sizeof(alpha) - 1)];
			}
		}
		if (!(g = check_guard_copy(buf, len, &map, &maplen)))
			break;
		run = 0;
		while (run < len && ((g[run] >= '0' && g[run] <= '9') || g[run] == '.' ||
				     g[run] == '-' || (g[run] >= 'a' && g[run] <= 'z')))
			run++;
		want = run && sip_host_parse(g, sip_span_make(0, run), 0) == SIP_HOST_IPV4 ? run : 0;
		got = quick_ipv4_end(g, 0, len);
		if (got != want && !check_failed) {
			check_failed = 1;
			snprintf(check_why, sizeof(check_why), "'%.*s': %u, expected %u", (int)len, g,
				 got, want);
		}
		check_guard_free(map, maplen);
	}
}

/* quick_port() (param_step.h; one word when eight octets are at hand)
 * against its definition: 1-5 digits worth at most 65535, the run's
 * length with the value, 0 for anything else.  Random runs of digits and
 * a few others, from every offset of a buffer ending at a guard page. */
static void t_quick_port(void)
{
	static const char alpha[] = "0123456789012345678965535;>:/ \x80";
	uint32_t seed = 11;
	char buf[24];

	for (int round = 0; round < 20000 && !check_failed; round++) {
		uint32_t len, run = 0, want;
		unsigned long v = 0;
		unsigned got_v = 0;
		size_t maplen;
		void *map;
		char *g;

		seed = seed * 1103515245u + 12345u;
		len = 1 + (seed >> 8) % 12;
		for (uint32_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = alpha[(seed >> 8) % (sizeof(alpha) - 1)];
		}
		if (!(g = check_guard_copy(buf, len, &map, &maplen)))
			break;
		for (uint32_t p = 0; p < len && !check_failed; p++) {
			for (run = 0, v = 0; p + run < len && g[p + run] >= '0' && g[p + run] <= '9'; run++)
				v = v * 10 + (unsigned long)(g[p + run] - '0');
			want = run >= 1 && run <= 5 && v <= 65535 ? run : 0;
			uint32_t got = quick_port(g, p, len, &got_v);
			if ((got != want || (want && got_v != v)) && !check_failed) {
				check_failed = 1;
				snprintf(check_why, sizeof(check_why), "'%.*s' at %u: %u (%u), expected %u (%lu)",
					 (int)len, g, p, got, got_v, want, v);
			}
		}
		check_guard_free(map, maplen);
	}
}

/* sip_uri_parse()'s one-pass path against the grammar alone
 * (sip_uri_parse_ref, param_step.h): the same return and every field the
 * same, on random mutants of common URIs (octets replaced, inserted,
 * deleted), each a whole buffer ending at a guard page, at an offset
 * inside it. */
static void t_quick_vs_grammar(void)
{
	static const char *const seeds[] = {
		"sip:alice@192.168.1.20:5060;transport=udp",
		"sip:+15105550123@voip.example.net",
		"sip:bob@203.0.113.20",
		"sip:alice.smith-1@10.0.0.1:5060",
		"sip:a@192.0.2.1;lr;transport=tcp;maddr=239.255.255.1",
		"sip:192.0.2.4:5070;ob",
		"sip:verylonguserpart-0123456789abcdef@192.0.2.1:65535;x=y",
		"sips:u@h.example.com:5061",
	};
	static const char alpha[] = "a0@:;=.-?%&+_[]9 \x80/,";
	uint32_t seed = 5;
	char buf[96];

	for (int round = 0; round < 60000 && !check_failed; round++) {
		struct sip_uri u1, u2;
		uint32_t len, pre;
		size_t maplen;
		void *map;
		char *g;
		int r1, r2;

		seed = seed * 1103515245u + 12345u;
		const char *sd = seeds[(seed >> 8) % (sizeof(seeds) / sizeof(seeds[0]))];
		pre = (seed >> 12) % 20;
		memset(buf, '<', pre);
		len = (uint32_t)strlen(sd);
		memcpy(buf + pre, sd, len);
		for (int k = 0, nk = (int)((seed >> 20) % 4); k < nk; k++) {
			uint32_t at;
			char c;
			seed = seed * 1103515245u + 12345u;
			at = (seed >> 8) % (len + 1);
			seed = seed * 1103515245u + 12345u;
			c = alpha[(seed >> 8) % (sizeof(alpha) - 1)];
			switch ((seed >> 24) % 3) {
			case 0:
				if (at < len)
					buf[pre + at] = c;
				break;
			case 1:
				memmove(buf + pre + at + 1, buf + pre + at, len - at);
				buf[pre + at] = c;
				len++;
				break;
			default:
				if (at < len) {
					memmove(buf + pre + at, buf + pre + at + 1, len - at - 1);
					len--;
				}
			}
		}
		if (!(g = check_guard_copy(buf, pre + len, &map, &maplen)))
			break;
		r1 = sip_uri_parse(&u1, g, sip_span_make(pre, len));
		r2 = sip_uri_parse_ref(&u2, g, sip_span_make(pre, len));
		if ((r1 != r2 || (r1 == 0 && !uri_same(&u1, &u2))) && !check_failed) {
			check_failed = 1;
			snprintf(check_why, sizeof(check_why), "'%.*s': %d vs the grammar's %d",
				 (int)len, g + pre, r1, r2);
		}
		check_guard_free(map, maplen);
	}
}

/* RFC 3261 §25.1 token, spelled out here independently of lex.c. */
static int is_token_octet(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("-.!%*_+`'~", c));
}

static int all_token(const char *b, struct sip_span s)
{
	for (uint32_t i = 0; i < s.len; i++)
		if (!is_token_octet(b[s.off + i]))
			return 0;
	return s.len > 0;
}

/* param_step() (param_step.h, the SSE2 token runs) against
 * sip_param_next(): the same return, spans and rest on random parameter
 * lists, and when it says tok, the name and value really are tokens.
 * Each list is a whole buffer ending at a guard page. */
static void t_param_step(void)
{
	static const char alpha[] = "ab-./=;\"@ \t,~!%*_+`'19Z:\x80";
	uint32_t seed = 3;
	char buf[80];

	for (int round = 0; round < 40000 && !check_failed; round++) {
		uint32_t len;
		size_t maplen;
		void *map;
		char *g;

		seed = seed * 1103515245u + 12345u;
		len = 1 + (seed >> 8) % 70;
		for (uint32_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			/* mostly token octets, so long runs reach the SSE2 steps */
			buf[i] = (seed >> 28) < 11 ? "abcz019-.~_"[(seed >> 8) % 11]
						   : alpha[(seed >> 8) % (sizeof(alpha) - 1)];
		}
		if (!(g = check_guard_copy(buf, len, &map, &maplen)))
			break;
		struct sip_span r1 = sip_span_make(0, len), r2 = r1, n1, n2, v1, v2;
		for (int step = 0; step < 40 && !check_failed; step++) {
			int tok, x = sip_param_next(g, &r1, &n1, &v1), y = param_step(g, &r2, &n2, &v2, &tok);
			CHECK_EQ_INT(y, x);
			if (x <= 0)
				break;
			CHECK(r1.off == r2.off && r1.len == r2.len && n1.off == n2.off &&
			      n1.len == n2.len && v1.off == v2.off && v1.len == v2.len);
			CHECK(!tok || (all_token(g, n2) && (!sip_span_present(v2) || all_token(g, v2))));
			if (check_failed)
				snprintf(check_why, sizeof(check_why), "param_step differs on '%.*s'",
					 (int)len, g);
		}
		check_guard_free(map, maplen);
	}
}

static const struct check_case cases[] = {
	{ "sip_full", t_sip_full },
	{ "sip_simple", t_sip_simple },
	{ "user_part", t_user_part },
	{ "ipv6_rfc5118", t_ipv6 },
	{ "host_port", t_host_port },
	{ "params_headers", t_params_headers },
	{ "schemes", t_schemes },
	{ "host_parse", t_host_parse },
	{ "param_next", t_param_next },
	{ "quick_edges", t_quick_edges },
	{ "quick_ipv4", t_quick_ipv4 },
	{ "quick_port", t_quick_port },
	{ "quick_vs_grammar", t_quick_vs_grammar },
	{ "param_step", t_param_step },
	{ NULL, NULL },
};

int main(void)
{
	return check_run("sip_uri", cases);
}
