/*
 * test_config.c - the sipalg.conf parser: every key, the printed config
 * parses back to the same thing, and errors carry the right line number.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "check.h"
#include "daemon/config.h"

static struct daemon_config c;
static char err[512];

static int parse(const char *text)
{
	config_defaults(&c);
	err[0] = 0;
	return config_parse(&c, "t.conf", text, strlen(text), err, sizeof(err));
}

static uint32_t ip4(const struct alg_addr *a)
{
	uint32_t v;

	memcpy(&v, a->ip, 4);
	return ntohl(v);
}

static void t_defaults(void)
{
	CHECK_EQ_INT(parse(""), 0);
	CHECK_EQ_INT(c.fw.nsip_ports, 1);
	CHECK_EQ_INT(c.fw.sip_ports[0], 5060);
	CHECK_EQ_INT(c.fw.tproxy_port, 5060);
	CHECK_EQ_INT(c.alg.mode, ALG_MODE_ALG);
	CHECK_EQ_INT(c.alg.media_timeout_ms, 120000);
	CHECK_EQ_INT(c.alg.max_call_ms, 12u * 3600u * 1000u);
	CHECK_EQ_INT(c.public_from_if, 1);
	CHECK(!strcmp(c.ctl_path, "/run/sipalg/ctl.sock"));
}

static void t_interfaces(void)
{
	CHECK_EQ_INT(parse("inside_interfaces = lan0, lan1 wlan0\noutside_interface = wan0\n"), 0);
	CHECK_EQ_INT(c.fw.ninside_ifs, 3);
	CHECK(!strcmp(c.fw.inside_ifs[2], "wlan0"));
	CHECK(!strcmp(c.fw.outside_if, "wan0"));
	CHECK_EQ_INT(parse("inside_interface = brlan\n"), 0); /* singular alias */
	CHECK(!strcmp(c.fw.inside_ifs[0], "brlan"));
	CHECK(parse("outside_interface = a b\n") < 0);
	CHECK(parse("inside_interfaces = averyveryverylongifname0\n") < 0);
	CHECK(parse("inside_interfaces = a b c d e f g h i\n") < 0);
}

static void t_prefixes(void)
{
	CHECK_EQ_INT(parse("inside_prefixes = 192.168.1.0/24 10.0.0.0/8 172.16.5.4\n"), 0);
	CHECK_EQ_INT(c.alg.ninside, 3);
	CHECK_EQ_INT(ip4(&c.alg.inside[0].addr), 0xc0a80100);
	CHECK_EQ_INT(c.alg.inside[0].len, 24);
	CHECK_EQ_INT(c.alg.inside[2].len, 32);
	CHECK_EQ_INT(parse("inside_prefix = 10.1.0.0/16\n"), 0);
	CHECK_EQ_INT(c.alg.inside[0].len, 16);
	CHECK(parse("inside_prefixes = 10.0.0.0/33\n") < 0);
	CHECK(parse("inside_prefixes = 10.0.0/8\n") < 0);
	CHECK(parse("inside_prefixes = 10.0.0.0/x\n") < 0);
}

static void t_public(void)
{
	CHECK_EQ_INT(parse("public_address = 203.0.113.1\n"), 0);
	CHECK_EQ_INT(c.public_from_if, 0);
	CHECK_EQ_INT(ip4(&c.alg.public_addr), 0xcb007101);
	CHECK_EQ_INT(parse("public_address = auto\n"), 0);
	CHECK_EQ_INT(c.public_from_if, 1);
	CHECK(parse("public_address = 203.0.113\n") < 0);
}

static void t_ports(void)
{
	CHECK_EQ_INT(parse("sip_ports = 5060, 5080 5062\ntproxy_port = 15060\n"), 0);
	CHECK_EQ_INT(c.fw.nsip_ports, 3);
	CHECK_EQ_INT(c.fw.sip_ports[1], 5080);
	CHECK_EQ_INT(c.fw.tproxy_port, 15060);
	CHECK(parse("sip_ports = 5061\n") < 0); /* TLS is never touched */
	CHECK(strstr(err, "TLS"));
	CHECK(parse("sip_ports = 70000\n") < 0);
	CHECK(parse("tproxy_port = 0\n") < 0);
	CHECK(parse("sip_ports = 1 2 3 4 5 6 7 8 9\n") < 0);
}

static void t_media_range(void)
{
	CHECK_EQ_INT(parse("media_ports = 20000-20999\n"), 0);
	CHECK_EQ_INT(c.alg.media_port_min, 20000);
	CHECK_EQ_INT(c.alg.media_port_max, 20999);
	CHECK(parse("media_ports = 20000\n") < 0);
	CHECK(parse("media_ports = 30000-20000\n") < 0);
	CHECK(parse("media_ports = 100-2000\n") < 0);
	CHECK(parse("media_ports = 60000-70000\n") < 0);
}

static void t_durations(void)
{
	CHECK_EQ_INT(parse("media_timeout = 90\nmax_call_duration = 2h\ninvite_timeout = 3m\n"
			   "register_margin = 1500ms\ndefault_expires = 1800s\n"
			   "dialog_binding_timeout = 10m\nudp_binding_timeout = 45s\n"
			   "media_poll_interval = 10s\ntcp_idle_timeout = 1h\n"
			   "tcp_partial_timeout = 500ms\n"), 0);
	CHECK_EQ_INT(c.alg.media_timeout_ms, 90000);
	CHECK_EQ_INT(c.alg.max_call_ms, 7200000);
	CHECK_EQ_INT(c.alg.invite_timeout_ms, 180000);
	CHECK_EQ_INT(c.alg.register_margin_ms, 1500);
	CHECK_EQ_INT(c.alg.default_expires_s, 1800);
	CHECK_EQ_INT(c.alg.dialog_binding_ms, 600000);
	CHECK_EQ_INT(c.udp_binding_ms, 45000);
	CHECK_EQ_INT(c.media_poll_ms, 10000);
	CHECK_EQ_INT(c.tcp_idle_ms, 3600000);
	CHECK_EQ_INT(c.tcp_partial_ms, 500);
	CHECK(parse("media_timeout = 10d\n") < 0);
	CHECK(parse("media_timeout = -5\n") < 0);
	CHECK(parse("media_timeout = 0\n") < 0);       /* below the minimum */
	CHECK(parse("max_call_duration = 9999h\n") < 0); /* above the maximum */
	CHECK(parse("media_timeout = 99999999999999h\n") < 0);
}

static void t_words(void)
{
	CHECK_EQ_INT(parse("mode = pinhole\nstrict_register = no\nlog = syslog\n"
			   "log_level = debug\n"), 0);
	CHECK_EQ_INT(c.alg.mode, ALG_MODE_PINHOLE);
	CHECK_EQ_INT(c.alg.strict_register, 0);
	CHECK_EQ_INT(c.log_target, LOG_TO_SYSLOG);
	CHECK_EQ_INT(c.log_level, LOG_DEBUG);
	CHECK_EQ_INT(parse("mode = off\nstrict_register = yes\n"), 0);
	CHECK_EQ_INT(c.alg.mode, ALG_MODE_OFF);
	CHECK_EQ_INT(c.alg.strict_register, 1);
	CHECK(parse("mode = rewrite\n") < 0);
	CHECK(parse("strict_register = maybe\n") < 0);
	CHECK(parse("log = file\n") < 0);
	CHECK(parse("log_level = loud\n") < 0);
}

static void t_numbers(void)
{
	CHECK_EQ_INT(parse("tcp_max_per_source = 4\ntcp_max_connections = 100\n"
			   "tcp_max_buffer = 65536\nmax_bindings = 1000\nfw_mark = 0x77\n"
			   "route_table = 200\n"), 0);
	CHECK_EQ_INT(c.tcp_max_per_src, 4);
	CHECK_EQ_INT(c.tcp_max_conns, 100);
	CHECK_EQ_INT(c.tcp_max_buffer, 65536);
	CHECK_EQ_INT(c.max_bindings, 1000);
	CHECK_EQ_INT(c.fw.mark, 0x77);
	CHECK_EQ_INT(c.fw.route_table, 200);
	CHECK(parse("tcp_max_buffer = 100\n") < 0);
	CHECK(parse("tcp_max_per_source = many\n") < 0);
	CHECK(parse("fw_mark = 0\n") < 0);
}

static void t_ctl_path(void)
{
	CHECK_EQ_INT(parse("control_socket = /tmp/x.sock\n"), 0);
	CHECK(!strcmp(c.ctl_path, "/tmp/x.sock"));
	CHECK_EQ_INT(parse("control_socket = none\n"), 0);
	CHECK(!strcmp(c.ctl_path, ""));
	CHECK(parse("control_socket = relative.sock\n") < 0);
}

static void t_syntax(void)
{
	CHECK_EQ_INT(parse("# comment\n\n   \t\nmode = alg   # trailing comment\r\n"), 0);
	CHECK(parse("mode = alg\n\nbogus_key = 1\n") < 0);
	CHECK(!strcmp(err, "t.conf:3: unknown key 'bogus_key'"));
	CHECK(parse("mode = alg\njust words\n") < 0);
	CHECK(!strncmp(err, "t.conf:2: ", 10));
	CHECK(parse("\n\n\n\nmode =\n") < 0);
	CHECK(!strcmp(err, "t.conf:5: mode: missing value"));
	CHECK(parse("mode = alg\nmedia_timeout = soon\n") < 0);
	CHECK(!strncmp(err, "t.conf:2: media_timeout: expected a duration", 44));
	CHECK_EQ_INT(parse("mode=off"), 0); /* no spaces, no final newline */
	CHECK_EQ_INT(c.alg.mode, ALG_MODE_OFF);
}

static void t_nul_and_long(void)
{
	char big[2048];

	config_defaults(&c);
	CHECK(config_parse(&c, "t.conf", "mode = a\0lg\n", 12, err, sizeof(err)) < 0);
	CHECK(!strncmp(err, "t.conf:1: NUL", 13));
	memset(big, 'x', sizeof(big));
	big[sizeof(big) - 1] = 0;
	CHECK(parse(big) < 0);
	CHECK(strstr(err, "too long"));
}

static void t_finish(void)
{
	CHECK_EQ_INT(parse("inside_interfaces = lan0\ninside_prefixes = 192.168.1.0/24\n"
			   "outside_interface = wan0\npublic_address = 198.51.100.1\n"), 0);
	CHECK_EQ_INT(config_finish(&c, err, sizeof(err)), 0);
	CHECK_EQ_INT(ntohl(c.fw.public_addr.s_addr), 0xc6336401);
	CHECK_EQ_INT(parse("inside_prefixes = 192.168.1.0/24\noutside_interface = wan0\n"), 0);
	CHECK(config_finish(&c, err, sizeof(err)) < 0);
	CHECK(strstr(err, "inside_interfaces"));
	CHECK_EQ_INT(parse("inside_interfaces = lan0\ninside_prefixes = 10.0.0.0/8\n"
			   "outside_interface = lan0\npublic_address = 198.51.100.1\n"), 0);
	CHECK(config_finish(&c, err, sizeof(err)) < 0);
	CHECK_EQ_INT(parse("inside_interfaces = lan0\ninside_prefixes = 10.0.0.0/8\n"
			   "outside_interface = nosuchif9\n"), 0);
	CHECK(config_finish(&c, err, sizeof(err)) < 0);
	CHECK(strstr(err, "no IPv4 address"));
	/* Consistent as a whole (catalogue B19). */
	CHECK_EQ_INT(parse("inside_interfaces = lan0\ninside_prefixes = 10.0.0.0/8\n"
			   "outside_interface = wan0\npublic_address = 10.9.8.7\n"), 0);
	CHECK(config_finish(&c, err, sizeof(err)) < 0);
	CHECK(strstr(err, "public_address 10.9.8.7 lies in inside_prefixes"));
	CHECK_EQ_INT(parse("inside_interfaces = lan0\ninside_prefixes = 10.0.0.0/8\n"
			   "outside_interface = wan0\npublic_address = 198.51.100.1\n"
			   "sip_ports = 5060 30100\nmedia_ports = 30000-30999\n"), 0);
	CHECK(config_finish(&c, err, sizeof(err)) < 0);
	CHECK(strstr(err, "include SIP port 30100"));
	CHECK_EQ_INT(parse("inside_interfaces = lan0\ninside_prefixes = 10.0.0.0/8\n"
			   "outside_interface = lo\npublic_address = auto\n"), 0);
	CHECK(config_finish(&c, err, sizeof(err)) < 0);
	CHECK(strstr(err, "127.0.0.1, a loopback address"));
	/* Set by hand, an address behind another NAT is the operator's call. */
	CHECK_EQ_INT(parse("inside_interfaces = lan0\ninside_prefixes = 192.168.1.0/24\n"
			   "outside_interface = wan0\npublic_address = 100.64.12.34\n"), 0);
	CHECK_EQ_INT(config_finish(&c, err, sizeof(err)), 0);
}

/* What --check-config prints parses back to the same configuration. */
static void t_roundtrip(void)
{
	struct daemon_config first;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	CHECK_EQ_INT(parse("inside_interfaces = lan0 lan1\ninside_prefixes = 10.0.0.0/8\n"
			   "outside_interface = wan0\npublic_address = 198.51.100.1\n"
			   "sip_ports = 5060 5070\nmedia_ports = 30000-30999\nmode = pinhole\n"
			   "register_margin = 1500ms\nlog_level = warning\nfw_mark = 0x99\n"), 0);
	first = c;
	f = open_memstream(&text, &len);
	config_print(&first, f);
	fclose(f);
	CHECK_EQ_INT(parse(text), 0);
	CHECK(!memcmp(&first, &c, sizeof(c)));
	CHECK(strstr(text, "register_margin = 1500ms\n"));
	CHECK(!strstr(text, "inside_interface ="));
	free(text);
}

static const struct check_case cases[] = {
	{ "defaults", t_defaults },
	{ "interfaces", t_interfaces },
	{ "prefixes", t_prefixes },
	{ "public_address", t_public },
	{ "sip_ports", t_ports },
	{ "media_ports", t_media_range },
	{ "durations", t_durations },
	{ "words", t_words },
	{ "numbers", t_numbers },
	{ "control_socket", t_ctl_path },
	{ "syntax_and_line_numbers", t_syntax },
	{ "nul_and_long_lines", t_nul_and_long },
	{ "finish", t_finish },
	{ "print_roundtrip", t_roundtrip },
	{ NULL, NULL },
};

int main(void)
{
	return check_run("config", cases);
}
