/*
 * rewrite.c - `sipalg rewrite`: one message, or a script of messages,
 * through one engine (rewrite.h).
 *
 *   sipalg rewrite (--out|--in) --src IP:PORT --dst IP:PORT
 *                  --inside PREFIX[,PREFIX...] --public IP [--binding IP:PORT]
 *                  [--inside-ep IP:PORT] [--transport udp|tcp] [--now MS]
 *                  [--media-ports MIN-MAX] [--explain] [--json] FILE
 *   sipalg rewrite --inside ... --public ... --script FILE -o DIR [--json]
 *
 * stdout carries exactly the bytes that would be sent.  A script line is
 * "out|in SRC DST FILE [binding=IP:PORT] [inside=IP:PORT] [at=MS]" or
 * "expire AT_MS"; an in line without inside= uses the inside endpoint of
 * the last out message that left from that binding (as the daemon's
 * binding table would).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "rewrite.h"

struct rw_opts {
	struct alg_config cfg;
	struct alg_packet pkt;
	int have_dir, have_src, have_dst, have_public, explain, json;
	const char *file, *script, *outdir;
};

static const char usage_text[] =
	"usage: sipalg rewrite (--out|--in) --src IP:PORT --dst IP:PORT --inside PREFIX[,...]\n"
	"                      --public IP [--binding IP:PORT] [--inside-ep IP:PORT]\n"
	"                      [--transport udp|tcp] [--now MS] [--media-ports MIN-MAX]\n"
	"                      [--explain] [--json] FILE\n"
	"       sipalg rewrite --inside PREFIX[,...] --public IP --script FILE -o DIR [--json]\n"
	"\n"
	"  --out / --in     inside->outside (--src is the inside endpoint) / from outside\n"
	"                   (--dst is the public binding it was sent to)\n"
	"  --binding        OUT: the public side it leaves from (default PUBLIC:src-port)\n"
	"  --inside-ep      IN: the inside endpoint that owns --dst (the binding's owner)\n"
	"  --explain/--json every edit (field, before, after, rule) and action, on stderr\n"
	"  --script         lines 'out|in SRC DST FILE [binding=] [inside=] [at=MS]' or\n"
	"                   'expire MS'; writes DIR/NNN.sip and DIR/NNN.explain\n";

static int parse_ep(const char *s, struct alg_addr *a)
{
	char ip[64];
	const char *colon = strrchr(s, ':');
	size_t n;

	memset(a, 0, sizeof(*a));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (!rb)
			return -1;
		n = (size_t)(rb - s - 1);
		colon = rb[1] == ':' ? rb + 1 : NULL;
		s++;
	} else {
		n = colon ? (size_t)(colon - s) : strlen(s);
		if (colon && strchr(s, ':') != colon) { /* bare IPv6, no port */
			n = strlen(s);
			colon = NULL;
		}
	}
	if (n >= sizeof(ip))
		return -1;
	memcpy(ip, s, n);
	ip[n] = 0;
	if (inet_pton(AF_INET, ip, a->ip) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, ip, a->ip) == 1)
		a->family = 6;
	else
		return -1;
	if (colon) {
		char *end;
		long p = strtol(colon + 1, &end, 10);
		if (*end || p <= 0 || p > 65535)
			return -1;
		a->port = (uint16_t)p;
	}
	return 0;
}

static int parse_prefixes(const char *v, struct alg_config *cfg)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "%s", v);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(t, '/');
		struct alg_prefix *p = &cfg->inside[cfg->ninside];
		if (cfg->ninside >= ALG_MAX_INSIDE)
			return -1;
		if (slash)
			*slash = 0;
		if (parse_ep(t, &p->addr) < 0 || p->addr.port)
			return -1;
		long max = p->addr.family == 4 ? 32 : 128, len = max;
		if (slash) {
			char *end;
			len = strtol(slash + 1, &end, 10);
			if (*end || len < 0 || len > max)
				return -1;
		}
		p->len = (uint8_t)len;
		cfg->ninside++;
	}
	return cfg->ninside ? 0 : -1;
}

/* One row per option: name, takes a value, handler. */
struct opt_row {
	const char *name;
	int (*fn)(struct rw_opts *o, const char *v);
};

static int o_out(struct rw_opts *o, const char *v) { (void)v; o->pkt.dir = ALG_OUT; return o->have_dir++ ? -1 : 0; }
static int o_in(struct rw_opts *o, const char *v) { (void)v; o->pkt.dir = ALG_IN; return o->have_dir++ ? -1 : 0; }
static int o_src(struct rw_opts *o, const char *v) { o->have_src = 1; return parse_ep(v, &o->pkt.src); }
static int o_dst(struct rw_opts *o, const char *v) { o->have_dst = 1; return parse_ep(v, &o->pkt.dst); }
static int o_inside(struct rw_opts *o, const char *v) { return parse_prefixes(v, &o->cfg); }
static int o_binding(struct rw_opts *o, const char *v) { return parse_ep(v, &o->pkt.binding); }
static int o_inside_ep(struct rw_opts *o, const char *v) { return parse_ep(v, &o->pkt.inside); }
static int o_explain(struct rw_opts *o, const char *v) { (void)v; o->explain = 1; return 0; }
static int o_json(struct rw_opts *o, const char *v) { (void)v; o->json = 1; return 0; }
static int o_script(struct rw_opts *o, const char *v) { o->script = v; return 0; }
static int o_outdir(struct rw_opts *o, const char *v) { o->outdir = v; return 0; }

static int o_public(struct rw_opts *o, const char *v)
{
	o->have_public = 1;
	return parse_ep(v, &o->cfg.public_addr) < 0 || o->cfg.public_addr.port ? -1 : 0;
}

static int o_transport(struct rw_opts *o, const char *v)
{
	if (!strcmp(v, "udp"))
		o->pkt.transport = ALG_UDP;
	else if (!strcmp(v, "tcp"))
		o->pkt.transport = ALG_TCP;
	else
		return -1;
	return 0;
}

static int o_now(struct rw_opts *o, const char *v)
{
	char *end;

	o->pkt.now_ms = strtoull(v, &end, 10);
	return *end ? -1 : 0;
}

static int o_ports(struct rw_opts *o, const char *v)
{
	unsigned lo, hi;

	if (sscanf(v, "%u-%u", &lo, &hi) != 2 || lo > hi || hi > 65535 || lo < 1)
		return -1;
	o->cfg.media_port_min = (uint16_t)lo;
	o->cfg.media_port_max = (uint16_t)hi;
	return 0;
}

static const struct {
	struct opt_row row;
	int has_value;
} opts[] = {
	{ { "--out", o_out }, 0 },		{ { "--in", o_in }, 0 },
	{ { "--src", o_src }, 1 },		{ { "--dst", o_dst }, 1 },
	{ { "--inside", o_inside }, 1 },	{ { "--public", o_public }, 1 },
	{ { "--binding", o_binding }, 1 },	{ { "--inside-ep", o_inside_ep }, 1 },
	{ { "--transport", o_transport }, 1 },	{ { "--now", o_now }, 1 },
	{ { "--media-ports", o_ports }, 1 },	{ { "--explain", o_explain }, 0 },
	{ { "--json", o_json }, 0 },		{ { "--script", o_script }, 1 },
	{ { "-o", o_outdir }, 1 },
};

static int parse_args(struct rw_opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		size_t k, n = sizeof(opts) / sizeof(opts[0]);
		for (k = 0; k < n && strcmp(argv[i], opts[k].row.name); k++)
			;
		if (k == n) {
			if ((argv[i][0] == '-' && argv[i][1]) || o->file)
				goto bad;
			o->file = argv[i];
			continue;
		}
		const char *v = NULL;
		if (opts[k].has_value && (v = argv[++i]) == NULL)
			goto bad;
		if (opts[k].row.fn(o, v) < 0) {
			fprintf(stderr, "sipalg rewrite: bad value for %s: %s\n", argv[i - opts[k].has_value],
				v ? v : "");
			return -1;
		}
	}
	if (!o->cfg.ninside || !o->have_public)
		goto bad;
	if (o->script)
		return o->outdir ? 0 : -1;
	if (!o->have_dir || !o->have_src || !o->have_dst || !o->file)
		goto bad;
	return 0;
bad:
	fputs(usage_text, stderr);
	return -1;
}

static int run_one(struct rw_opts *o)
{
	char *buf;
	size_t len;
	struct alg_result *res = calloc(1, sizeof(*res));
	struct alg_engine *e = alg_new(&o->cfg);
	int rc = CLI_USAGE;

	if (!res || !e)
		goto out;
	if (cli_read_file(o->file, &buf, &len) < 0) {
		fprintf(stderr, "sipalg rewrite: cannot read %s: %s\n", o->file, strerror(errno));
		goto out;
	}
	o->pkt.data = buf;
	o->pkt.len = len;
	if (o->pkt.dir == ALG_OUT && !o->pkt.binding.family) {
		o->pkt.binding = o->cfg.public_addr;
		o->pkt.binding.port = o->pkt.src.port;
	}
	if (o->pkt.dir == ALG_IN && !o->pkt.binding.family)
		o->pkt.binding = o->pkt.dst;
	alg_process(e, &o->pkt, res);
	if (res->verdict != ALG_DROP)
		fwrite(res->out, 1, res->out_len, stdout);
	if (o->json)
		rw_print_json(stderr, res);
	else if (o->explain)
		rw_print_text(stderr, res);
	if (res->verdict == ALG_DROP && !o->explain && !o->json)
		fprintf(stderr, "sipalg rewrite: dropped: %s\n", res->reason ? res->reason : "");
	rc = res->verdict == ALG_DROP ? CLI_FAIL : CLI_OK;
	free(buf);
out:
	alg_free(e);
	free(res);
	return rc;
}

static int rw_script(struct rw_opts *o, struct alg_engine *e, struct alg_result *res);

int cmd_rewrite(int argc, char **argv)
{
	struct rw_opts o;

	memset(&o, 0, sizeof(o));
	alg_config_defaults(&o.cfg);
	o.pkt.now_ms = 1000;
	if (parse_args(&o, argc, argv) < 0)
		return CLI_USAGE;
	if (!o.script)
		return run_one(&o);
	struct alg_result *res = calloc(1, sizeof(*res));
	struct alg_engine *e = alg_new(&o.cfg);
	int rc = res && e ? rw_script(&o, e, res) : CLI_USAGE;
	alg_free(e);
	free(res);
	return rc;
}

/* ---- scripts ---- */

#define RW_MAX_BINDINGS 64

struct rw_bind {
	struct alg_addr pub, inside;
};

struct rw_run {
	struct rw_opts *o;
	struct alg_engine *e;
	struct alg_result *res;
	const char *dir; /* of the script file */
	struct rw_bind b[RW_MAX_BINDINGS];
	unsigned nb, seq;
	uint64_t now;
	int dropped;
};

static void learn(struct rw_run *r, const struct alg_packet *p)
{
	for (unsigned i = 0; i < r->nb; i++)
		if (!memcmp(&r->b[i].pub, &p->binding, sizeof(p->binding))) {
			r->b[i].inside = p->src;
			return;
		}
	if (r->nb < RW_MAX_BINDINGS)
		r->b[r->nb++] = (struct rw_bind){ p->binding, p->src };
}

static void lookup(struct rw_run *r, struct alg_packet *p)
{
	for (unsigned i = 0; i < r->nb; i++)
		if (!memcmp(&r->b[i].pub, &p->binding, sizeof(p->binding)))
			p->inside = r->b[i].inside;
}

static int write_out(struct rw_run *r, const char *ext, const void *data, size_t n, int json)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%03u.%s", r->o->outdir, r->seq, ext);
	if (!(f = fopen(path, "wb")))
		return -1;
	if (data)
		fwrite(data, 1, n, f);
	else if (json)
		rw_print_json(f, r->res);
	else
		rw_print_text(f, r->res);
	return fclose(f);
}

static int kv(const char *tok, const char *key, const char **val)
{
	size_t n = strlen(key);

	if (strncmp(tok, key, n) || tok[n] != '=')
		return 0;
	*val = tok + n + 1;
	return 1;
}

static int script_msg(struct rw_run *r, char **tok, int ntok)
{
	struct alg_packet p = r->o->pkt;
	char path[4096], *buf;
	size_t len;
	const char *v;

	p.dir = strcmp(tok[0], "out") ? ALG_IN : ALG_OUT;
	if (ntok < 4 || parse_ep(tok[1], &p.src) < 0 || parse_ep(tok[2], &p.dst) < 0)
		return -1;
	memset(&p.binding, 0, sizeof(p.binding));
	memset(&p.inside, 0, sizeof(p.inside));
	for (int i = 4; i < ntok; i++) {
		if (kv(tok[i], "binding", &v) && parse_ep(v, &p.binding) == 0)
			continue;
		if (kv(tok[i], "inside", &v) && parse_ep(v, &p.inside) == 0)
			continue;
		if (kv(tok[i], "at", &v)) {
			r->now = strtoull(v, NULL, 10);
			continue;
		}
		return -1;
	}
	if (p.dir == ALG_OUT && !p.binding.family) {
		p.binding = r->o->cfg.public_addr;
		p.binding.port = p.src.port;
	} else if (p.dir == ALG_IN && !p.binding.family) {
		p.binding = p.dst;
	}
	if (p.dir == ALG_OUT)
		learn(r, &p);
	else if (!p.inside.family)
		lookup(r, &p);
	snprintf(path, sizeof(path), "%s/%s", r->dir, tok[3]);
	if (cli_read_file(path, &buf, &len) < 0) {
		fprintf(stderr, "sipalg rewrite: cannot read %s\n", path);
		return -1;
	}
	p.data = buf;
	p.len = len;
	p.now_ms = r->now;
	alg_process(r->e, &p, r->res);
	r->dropped |= r->res->verdict == ALG_DROP;
	int rc = write_out(r, "sip", r->res->verdict == ALG_DROP ? "" : r->res->out,
			   r->res->verdict == ALG_DROP ? 0 : r->res->out_len, 0);
	free(buf);
	return rc;
}

static int script_line(struct rw_run *r, char *line)
{
	char *tok[16];
	int n = 0;

	for (char *save, *t = strtok_r(line, " \t\r\n", &save); t && n < 16;
	     t = strtok_r(NULL, " \t\r\n", &save))
		tok[n++] = t;
	if (!n || tok[0][0] == '#')
		return 0;
	r->seq++;
	if (!strcmp(tok[0], "expire") && n == 2) {
		r->now = strtoull(tok[1], NULL, 10);
		alg_expire(r->e, r->now, r->res);
	} else if (!strcmp(tok[0], "out") || !strcmp(tok[0], "in")) {
		if (script_msg(r, tok, n) < 0)
			return -1;
	} else {
		return -1;
	}
	if (write_out(r, "explain", NULL, 0, 0) < 0)
		return -1;
	if (r->o->json && write_out(r, "json", NULL, 0, 1) < 0)
		return -1;
	r->now += 10;
	return 0;
}

static int rw_script(struct rw_opts *o, struct alg_engine *e, struct alg_result *res)
{
	struct rw_run r = { .o = o, .e = e, .res = res, .now = o->pkt.now_ms };
	char dir[4096], line[4096];
	unsigned ln = 0;
	FILE *f = fopen(o->script, "r");

	if (!f) {
		fprintf(stderr, "sipalg rewrite: cannot open %s: %s\n", o->script, strerror(errno));
		return CLI_USAGE;
	}
	snprintf(dir, sizeof(dir), "%s", o->script);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	r.dir = dir;
	mkdir(o->outdir, 0777);
	while (fgets(line, sizeof(line), f)) {
		ln++;
		if (script_line(&r, line) < 0) {
			fprintf(stderr, "sipalg rewrite: %s:%u: bad line or output error\n", o->script, ln);
			fclose(f);
			return CLI_USAGE;
		}
	}
	fclose(f);
	return r.dropped ? CLI_FAIL : CLI_OK;
}
