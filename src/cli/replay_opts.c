/* replay_opts.c - command-line parsing for `sipalg replay` (one row per option). */
#include "replay_opts.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SIP_TLS_PORT 5061

static const char usage_text[] =
	"usage: sipalg replay CAPTURE.pcap --inside PREFIX --public ADDR -o OUT.pcap\n"
	"                     [--ports 5060,...|any] [--json] [--explain] [--keep-addresses]\n"
	"\n"
	"  --inside PREFIX     the NATed LAN, e.g. 192.168.1.0/24 (repeatable, up to 16)\n"
	"  --public ADDR       the router's public address, e.g. 203.0.113.1\n"
	"  -o, --output FILE   the rewritten capture\n"
	"  --ports LIST|any    SIP ports (default 5060); any: every UDP/TCP payload that\n"
	"                      starts like SIP.  TCP 5061 (SIP over TLS) is never touched\n"
	"  --json              the report as JSON\n"
	"  --explain           name the rule behind every rewrite\n"
	"  --keep-addresses    keep captured IP addresses (default: outbound packets\n"
	"                      leave from the public binding)\n";

int rp_parse_prefix(const char *s, struct alg_prefix *p)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	char *end;
	long len;

	memset(p, 0, sizeof(*p));
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (inet_pton(AF_INET, buf, p->addr.ip) == 1)
		p->addr.family = 4;
	else if (inet_pton(AF_INET6, buf, p->addr.ip) == 1)
		p->addr.family = 6;
	else
		return -1;
	len = p->addr.family == 4 ? 32 : 128;
	if (slash) {
		long max = len;

		len = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || len < 0 || len > max)
			return -1;
	}
	p->len = (uint8_t)len;
	return 0;
}

static int opt_inside(struct rp_opts *o, const char *v)
{
	size_t used = strlen(o->inside_text);

	if (o->ninside >= ALG_MAX_INSIDE || rp_parse_prefix(v, &o->inside[o->ninside]) < 0)
		return -1;
	o->ninside++;
	snprintf(o->inside_text + used, sizeof(o->inside_text) - used, "%s%s", used ? ", " : "",
		 v);
	return 0;
}

static int opt_public(struct rp_opts *o, const char *v)
{
	struct alg_prefix p;

	if (rp_parse_prefix(v, &p) < 0 || strchr(v, '/'))
		return -1;
	o->public_addr = p.addr;
	o->public_text = v;
	return 0;
}

static int opt_ports(struct rp_opts *o, const char *v)
{
	const char *p = v;

	o->ports_text = v;
	o->nports = 0;
	if (!strcmp(v, "any")) {
		o->any_port = 1;
		return 0;
	}
	while (*p) {
		char *end;
		long port = strtol(p, &end, 10);

		if (end == p || port < 1 || port > 65535 || o->nports >= RP_MAX_PORTS ||
		    (*end && *end != ','))
			return -1;
		o->ports[o->nports++] = (uint16_t)port;
		p = *end ? end + 1 : end;
	}
	return o->nports ? 0 : -1;
}

static int opt_output(struct rp_opts *o, const char *v)
{
	o->out = v;
	return 0;
}

struct opt_row {
	const char *name, *alt;
	int (*with_value)(struct rp_opts *o, const char *v);
	size_t flag_off; /* offsetof the int flag when there is no value */
};

static const struct opt_row opt_table[] = {
	{ "--inside", NULL, opt_inside, 0 },
	{ "--public", NULL, opt_public, 0 },
	{ "--output", "-o", opt_output, 0 },
	{ "--ports", NULL, opt_ports, 0 },
	{ "--json", NULL, NULL, offsetof(struct rp_opts, json) },
	{ "--explain", NULL, NULL, offsetof(struct rp_opts, explain) },
	{ "--keep-addresses", NULL, NULL, offsetof(struct rp_opts, keep_addresses) },
	{ NULL, NULL, NULL, 0 },
};

static int bad(const char *what, const char *v)
{
	fprintf(stderr, "sipalg replay: %s%s%s\n%s", what, v ? ": " : "", v ? v : "", usage_text);
	return -1;
}

static const struct opt_row *find_opt(const char *a)
{
	for (const struct opt_row *r = opt_table; r->name; r++)
		if (!strcmp(a, r->name) || (r->alt && !strcmp(a, r->alt)))
			return r;
	return NULL;
}

static int one_arg(struct rp_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	const struct opt_row *row;

	if (a[0] != '-' || !a[1]) {
		if (o->in)
			return bad("more than one capture", a);
		o->in = a;
		return 0;
	}
	row = find_opt(a);
	if (!row)
		return bad("unknown option", a);
	if (!row->with_value) {
		static const int one = 1;

		memcpy((char *)o + row->flag_off, &one, sizeof(one));
		return 0;
	}
	if (*i + 1 >= argc)
		return bad("missing value for", a);
	if (row->with_value(o, argv[++*i]) < 0)
		return bad("bad value", argv[*i]);
	return 0;
}

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int rp_opts_parse(int argc, char **argv, struct rp_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->ports[0] = 5060;
	o->nports = 1;
	o->ports_text = "5060";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_text, stdout);
			return 1;
		}
		if (one_arg(o, argc, argv, &i) < 0)
			return -1;
	}
	if (!o->in)
		return bad("no capture given", NULL);
	if (!o->out)
		return bad("no output given (-o OUT.pcap)", NULL);
	if (!o->ninside)
		return bad("no --inside prefix", NULL);
	if (!o->public_addr.family)
		return bad("no --public address", NULL);
	if (same_file(o->in, o->out))
		return bad("the output would overwrite the capture", o->out);
	return 0;
}

int rp_port_match(const struct rp_opts *o, int tcp, uint16_t sport, uint16_t dport)
{
	if (tcp && (sport == SIP_TLS_PORT || dport == SIP_TLS_PORT))
		return 0;
	if (o->any_port)
		return 1;
	for (unsigned i = 0; i < o->nports; i++)
		if (sport == o->ports[i] || dport == o->ports[i])
			return 1;
	return 0;
}
