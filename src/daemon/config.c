/*
 * config.c - the sipalg.conf parser: one table row per key.
 *
 * Each row names the key, the value's type, where it lands in struct
 * daemon_config and the allowed range.  Parsing a line is: split at '=',
 * find the row, run the type's parser.  Printing the effective config walks
 * the same table, so every key can be read back (sipalgd --check-config).
 */
#include "daemon/config.h"
#include "daemon/net.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

enum cfg_type {
	T_DURATION, /* uint32_t milliseconds; value with unit */
	T_UINT,     /* uint32_t */
	T_PORT,     /* uint16_t, 1..65535 */
	T_HEX,      /* uint32_t, 0x.. or decimal */
	T_BOOL,     /* uint8_t */
	T_MODE,     /* enum alg_mode */
	T_IFLIST,   /* fw.inside_ifs */
	T_IFNAME,   /* char[IF_NAMESIZE] */
	T_PREFIXES, /* alg.inside */
	T_PUBLIC,   /* alg.public_addr, or "auto" */
	T_PORTS,    /* fw.sip_ports */
	T_RANGE,    /* alg.media_port_min..max */
	T_TARGET,   /* log_target */
	T_LEVEL,    /* log_level */
	T_PATH,     /* ctl_path */
};

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t off;
	uint64_t min, max; /* for numbers and durations (ms) */
	int alias;         /* another spelling: accepted, not printed */
};

#define OFF(f) offsetof(struct daemon_config, f)
#define H (3600u * 1000u)

static const struct cfg_key keys[] = {
	{ "inside_interfaces", T_IFLIST, OFF(fw), 0, 0 },
	{ "inside_prefixes", T_PREFIXES, OFF(alg), 0, 0 },
	/* Singular spellings: accepted, never printed (alias rows). */
	{ "inside_interface", T_IFLIST, OFF(fw), 0, 0, 1 },
	{ "inside_prefix", T_PREFIXES, OFF(alg), 0, 0, 1 },
	{ "outside_interface", T_IFNAME, OFF(fw.outside_if), 0, 0 },
	{ "public_address", T_PUBLIC, 0, 0, 0 },
	{ "sip_ports", T_PORTS, OFF(fw), 0, 0 },
	{ "tproxy_port", T_PORT, OFF(fw.tproxy_port), 1, 65535 },
	{ "media_ports", T_RANGE, OFF(alg), 0, 0 },
	{ "mode", T_MODE, OFF(alg.mode), 0, 0 },
	{ "strict_register", T_BOOL, OFF(alg.strict_register), 0, 1 },
	{ "media_timeout", T_DURATION, OFF(alg.media_timeout_ms), 1000, 24 * H },
	{ "max_call_duration", T_DURATION, OFF(alg.max_call_ms), 1000, 168 * H },
	{ "invite_timeout", T_DURATION, OFF(alg.invite_timeout_ms), 1000, H },
	{ "register_margin", T_DURATION, OFF(alg.register_margin_ms), 0, H },
	{ "default_expires", T_DURATION, OFF(alg.default_expires_s), 1000, 24 * H },
	{ "dialog_binding_timeout", T_DURATION, OFF(alg.dialog_binding_ms), 1000, 24 * H },
	{ "udp_binding_timeout", T_DURATION, OFF(udp_binding_ms), 1000, H },
	{ "max_bindings", T_UINT, OFF(max_bindings), 1, 1000000 },
	{ "media_poll_interval", T_DURATION, OFF(media_poll_ms), 1000, 300000 },
	{ "tcp_idle_timeout", T_DURATION, OFF(tcp_idle_ms), 1000, 24 * H },
	{ "tcp_partial_timeout", T_DURATION, OFF(tcp_partial_ms), 100, 600000 },
	{ "tcp_max_per_source", T_UINT, OFF(tcp_max_per_src), 1, 100000 },
	{ "tcp_max_connections", T_UINT, OFF(tcp_max_conns), 1, 1000000 },
	{ "tcp_max_buffer", T_UINT, OFF(tcp_max_buffer), 4096, 16u << 20 },
	{ "fw_mark", T_HEX, OFF(fw.mark), 1, UINT32_MAX },
	{ "route_table", T_UINT, OFF(fw.route_table), 1, 0xfffffffe },
	{ "log", T_TARGET, OFF(log_target), 0, 0 },
	{ "log_level", T_LEVEL, OFF(log_level), 0, 0 },
	{ "control_socket", T_PATH, OFF(ctl_path), 0, 0 },
	{ NULL, 0, 0, 0, 0, 0 },
};

static const struct {
	const char *name;
	int value;
} levels[] = {
	{ "error", LOG_ERR }, { "warning", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO }, { "debug", LOG_DEBUG },     { NULL, 0 },
};

static const char *const modes[] = { "alg", "pinhole", "off" };

void config_defaults(struct daemon_config *c)
{
	memset(c, 0, sizeof(*c));
	alg_config_defaults(&c->alg);
	c->alg.media_port_min = 40000;
	c->alg.media_port_max = 49999;
	c->fw.sip_ports[0] = 5060;
	c->fw.nsip_ports = 1;
	c->fw.tproxy_port = 5060;
	c->fw.mark = 0x5a;
	c->fw.route_table = 100;
	c->public_from_if = 1;
	c->log_target = LOG_TO_STDERR;
	c->log_level = LOG_INFO;
	snprintf(c->ctl_path, sizeof(c->ctl_path), "/run/sipalg/ctl.sock");
	c->media_poll_ms = 5000;
	c->tcp_idle_ms = 3600u * 1000u;
	c->tcp_partial_ms = 10000;
	c->tcp_max_per_src = 32;
	c->tcp_max_conns = 4096;
	c->tcp_max_buffer = 256u * 1024u;
	c->udp_binding_ms = 60000;
	c->max_bindings = 65536;
}

/* --- value parsers: each returns NULL on success or a static message --- */

static const char *parse_u64(const char *v, uint64_t *out)
{
	char *end;

	if (!isdigit((unsigned char)*v))
		return "expected a number";
	errno = 0;
	*out = strtoull(v, &end, 0);
	if (errno || *end)
		return "expected a number";
	return NULL;
}

/* "90", "90s", "1500ms", "2m", "12h" -> milliseconds */
static const char *parse_duration(const char *v, uint64_t *ms)
{
	static const struct {
		const char *unit;
		uint64_t mul;
	} units[] = { { "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		      { "h", 3600000 }, { NULL, 0 } };
	char *end;

	if (!isdigit((unsigned char)*v))
		return "expected a duration (e.g. 30s, 500ms, 2m, 12h)";
	errno = 0;
	uint64_t n = strtoull(v, &end, 10);
	for (int i = 0; units[i].unit; i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (errno || n > UINT32_MAX)
			return "duration out of range";
		*ms = n * units[i].mul;
		return NULL;
	}
	return "expected a duration (e.g. 30s, 500ms, 2m, 12h)";
}

static const char *parse_ipv4(const char *v, struct alg_addr *a)
{
	struct in_addr in;

	if (inet_pton(AF_INET, v, &in) != 1)
		return "expected an IPv4 address";
	memset(a, 0, sizeof(*a));
	a->family = 4;
	memcpy(a->ip, &in, 4);
	return NULL;
}

static const char *parse_prefix(const char *v, struct alg_prefix *p)
{
	char buf[64];
	const char *slash = strchr(v, '/');
	uint64_t len = 32;

	if (strlen(v) >= sizeof(buf))
		return "prefix too long";
	snprintf(buf, sizeof(buf), "%.*s", slash ? (int)(slash - v) : (int)strlen(v), v);
	if (parse_ipv4(buf, &p->addr))
		return "expected an IPv4 prefix (192.168.1.0/24)";
	if (slash && (parse_u64(slash + 1, &len) || len > 32))
		return "prefix length must be 0..32";
	p->len = (uint8_t)len;
	return NULL;
}

/* Split a list value in place: words separated by spaces or commas. */
static int split_words(char *v, char **w, int max)
{
	int n = 0;

	for (char *t = strtok(v, " ,\t"); t; t = strtok(NULL, " ,\t")) {
		if (n == max)
			return -1;
		w[n++] = t;
	}
	return n;
}

static const char *parse_iflist(struct daemon_config *c, char *v)
{
	char *w[FW_MAX_IFS];
	int n = split_words(v, w, FW_MAX_IFS);

	if (n <= 0)
		return n < 0 ? "too many interfaces (max 8)" : "expected interface names";
	memset(c->fw.inside_ifs, 0, sizeof(c->fw.inside_ifs)); /* a repeated key replaces */
	for (int i = 0; i < n; i++) {
		if (strlen(w[i]) >= IF_NAMESIZE)
			return "interface name too long";
		snprintf(c->fw.inside_ifs[i], IF_NAMESIZE, "%s", w[i]);
	}
	c->fw.ninside_ifs = (unsigned)n;
	return NULL;
}

static const char *parse_prefixes(struct daemon_config *c, char *v)
{
	char *w[ALG_MAX_INSIDE];
	int n = split_words(v, w, ALG_MAX_INSIDE);

	if (n <= 0)
		return n < 0 ? "too many prefixes (max 16)" : "expected prefixes";
	memset(c->alg.inside, 0, sizeof(c->alg.inside));
	for (int i = 0; i < n; i++) {
		const char *e = parse_prefix(w[i], &c->alg.inside[i]);
		if (e)
			return e;
	}
	c->alg.ninside = (unsigned)n;
	return NULL;
}

static const char *parse_ports(struct daemon_config *c, char *v)
{
	char *w[FW_MAX_PORTS];
	int n = split_words(v, w, FW_MAX_PORTS);
	uint64_t p;

	if (n <= 0)
		return n < 0 ? "too many ports (max 8)" : "expected port numbers";
	memset(c->fw.sip_ports, 0, sizeof(c->fw.sip_ports));
	for (int i = 0; i < n; i++) {
		if (parse_u64(w[i], &p) || p < 1 || p > 65535)
			return "expected port numbers 1..65535";
		if (p == 5061)
			return "5061 is SIP over TLS, which sipalg never touches";
		c->fw.sip_ports[i] = (uint16_t)p;
	}
	c->fw.nsip_ports = (unsigned)n;
	return NULL;
}

static const char *parse_range(struct daemon_config *c, const char *v)
{
	uint64_t lo, hi;
	char buf[32];
	const char *dash = strchr(v, '-');

	if (!dash || strlen(v) >= sizeof(buf))
		return "expected a port range LOW-HIGH";
	snprintf(buf, sizeof(buf), "%.*s", (int)(dash - v), v);
	if (parse_u64(buf, &lo) || parse_u64(dash + 1, &hi))
		return "expected a port range LOW-HIGH";
	if (lo < 1024 || hi > 65535 || hi < lo + 1)
		return "media ports must be within 1024-65535, at least 2 ports";
	c->alg.media_port_min = (uint16_t)lo;
	c->alg.media_port_max = (uint16_t)hi;
	return NULL;
}

static const char *parse_word(const char *v, const char *const *words, int n, int *out)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(v, words[i])) {
			*out = i;
			return NULL;
		}
	return "unknown word";
}

static const char *set_number(const struct cfg_key *k, void *field, uint64_t n)
{
	if (n < k->min || n > k->max)
		return "value out of range";
	switch (k->type) {
	case T_PORT:
		*(uint16_t *)field = (uint16_t)n;
		break;
	case T_BOOL:
		*(uint8_t *)field = (uint8_t)n;
		break;
	default:
		*(uint32_t *)field = (uint32_t)n;
	}
	return NULL;
}

static const char *parse_scalar(struct daemon_config *c, const struct cfg_key *k, char *v)
{
	static const char *const bools[] = { "no", "yes", "false", "true", "off", "on", "0", "1" };
	static const char *const targets[] = { "stderr", "syslog" };
	void *field = (char *)c + k->off;
	const char *e;
	uint64_t n;
	int w;

	switch (k->type) {
	case T_DURATION:
		if ((e = parse_duration(v, &n)))
			return e;
		if (k->off == OFF(alg.default_expires_s)) {
			if (n < k->min || n > k->max)
				return "value out of range";
			c->alg.default_expires_s = (uint32_t)(n / 1000);
			return NULL;
		}
		return set_number(k, field, n);
	case T_UINT:
	case T_PORT:
	case T_HEX:
		if ((e = parse_u64(v, &n)))
			return e;
		return set_number(k, field, n);
	case T_BOOL:
		if (parse_word(v, bools, 8, &w))
			return "expected yes or no";
		return set_number(k, field, (uint64_t)(w & 1));
	case T_MODE:
		if (parse_word(v, modes, 3, &w))
			return "expected alg, pinhole or off";
		c->alg.mode = (enum alg_mode)w;
		return NULL;
	case T_TARGET:
		if (parse_word(v, targets, 2, &w))
			return "expected stderr or syslog";
		c->log_target = (enum log_target)w;
		return NULL;
	default:
		return NULL;
	}
}

static const char *parse_value(struct daemon_config *c, const struct cfg_key *k, char *v)
{
	switch (k->type) {
	case T_IFLIST:
		return parse_iflist(c, v);
	case T_PREFIXES:
		return parse_prefixes(c, v);
	case T_PORTS:
		return parse_ports(c, v);
	case T_RANGE:
		return parse_range(c, v);
	case T_IFNAME:
		if (strlen(v) >= IF_NAMESIZE || strpbrk(v, " ,/"))
			return "expected one interface name";
		memset(c->fw.outside_if, 0, sizeof(c->fw.outside_if));
		snprintf(c->fw.outside_if, IF_NAMESIZE, "%s", v);
		return NULL;
	case T_PUBLIC:
		c->public_from_if = !strcmp(v, "auto");
		memset(&c->alg.public_addr, 0, sizeof(c->alg.public_addr));
		return c->public_from_if ? NULL : parse_ipv4(v, &c->alg.public_addr);
	case T_LEVEL:
		for (int i = 0; levels[i].name; i++)
			if (!strcmp(v, levels[i].name)) {
				c->log_level = levels[i].value;
				return NULL;
			}
		return "expected error, warning, notice, info or debug";
	case T_PATH:
		if (strlen(v) >= sizeof(c->ctl_path))
			return "path too long (max 107 bytes)";
		if (*v && *v != '/' && strcmp(v, "none"))
			return "expected an absolute path or none";
		memset(c->ctl_path, 0, sizeof(c->ctl_path));
		snprintf(c->ctl_path, sizeof(c->ctl_path), "%s", strcmp(v, "none") ? v : "");
		return NULL;
	default:
		return parse_scalar(c, k, v);
	}
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int fail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int fail(char *err, size_t errlen, const char *name, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, errlen, "%s:%u: ", name, line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < errlen)
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_line(struct daemon_config *c, char *s, const char *name, unsigned line,
		      char *err, size_t errlen)
{
	char *hash = strchr(s, '#'), *eq, *k, *v;
	const char *e;

	if (hash)
		*hash = 0;
	s = trim(s);
	if (!*s)
		return 0;
	eq = strchr(s, '=');
	if (!eq)
		return fail(err, errlen, name, line, "expected 'key = value'");
	*eq = 0;
	k = trim(s);
	v = trim(eq + 1);
	for (const struct cfg_key *r = keys; r->name; r++) {
		if (strcmp(k, r->name))
			continue;
		if (!*v)
			return fail(err, errlen, name, line, "%s: missing value", k);
		e = parse_value(c, r, v);
		return e ? fail(err, errlen, name, line, "%s: %s", k, e) : 0;
	}
	return fail(err, errlen, name, line, "unknown key '%s'", k);
}

int config_parse(struct daemon_config *c, const char *name, const char *text, size_t len,
		 char *err, size_t errlen)
{
	char buf[1024];
	unsigned line = 0;
	size_t i = 0;

	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - text - i) : len - i;
		line++;
		if (n >= sizeof(buf))
			return fail(err, errlen, name, line, "line too long");
		if (memchr(text + i, 0, n))
			return fail(err, errlen, name, line, "NUL byte");
		memcpy(buf, text + i, n);
		buf[n] = 0;
		if (parse_line(c, buf, name, line, err, errlen))
			return -1;
		i += n + 1;
	}
	return 0;
}

int config_load(struct daemon_config *c, const char *path, char *err, size_t errlen)
{
	static char text[256 * 1024];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(text, 1, sizeof(text), f);
	int bad = ferror(f) || n == sizeof(text);
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: read error or file too large", path);
		return -1;
	}
	return config_parse(c, path, text, n, err, errlen);
}

/* The first IPv4 address of the outside interface. */
static int address_of(const char *ifname, struct alg_addr *a)
{
	struct ifaddrs *ifa, *i;
	int rc = -1;

	if (getifaddrs(&ifa))
		return -1;
	for (i = ifa; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, ifname))
			continue;
		struct sockaddr_in sin;
		memcpy(&sin, i->ifa_addr, sizeof(sin));
		memset(a, 0, sizeof(*a));
		a->family = 4;
		memcpy(a->ip, &sin.sin_addr, 4);
		rc = 0;
		break;
	}
	freeifaddrs(ifa);
	return rc;
}

/* RFC 1918, RFC 6598 (shared, CGNAT), loopback and link-local IPv4: an address the
 * outside cannot reach, so not one to write into SIP as "public". */
static const char *not_public(const uint8_t *ip)
{
	if (ip[0] == 10 || (ip[0] == 172 && (ip[1] & 0xf0) == 16) ||
	    (ip[0] == 192 && ip[1] == 168))
		return "a private address (RFC 1918)";
	if (ip[0] == 100 && (ip[1] & 0xc0) == 64)
		return "a shared CGNAT address (RFC 6598)";
	if (ip[0] == 169 && ip[1] == 254)
		return "a link-local address";
	if (ip[0] == 127)
		return "a loopback address";
	return NULL;
}

/* Keys that are each valid but together would break calls (catalogue B19):
 * a public address that is really behind another NAT, or inside the LAN,
 * and media ports that would shadow the SIP ports. */
static int check_consistent(const struct daemon_config *c, char *err, size_t errlen)
{
	const uint8_t *ip = c->alg.public_addr.ip;
	char a[INET_ADDRSTRLEN];
	const char *why = c->public_from_if ? not_public(ip) : NULL;

	inet_ntop(AF_INET, ip, a, sizeof(a));
	if (why)
		return snprintf(err, errlen,
				"public_address = auto: %s has %s, %s: behind another NAT set "
				"public_address to the address the outside sees, or use mode = pinhole",
				c->fw.outside_if, a, why), -1;
	if (net_in_prefixes(&c->alg.public_addr, c->alg.inside, c->alg.ninside))
		return snprintf(err, errlen, "public_address %s lies in inside_prefixes", a), -1;
	for (unsigned i = 0; i < c->fw.nsip_ports; i++)
		if (c->fw.sip_ports[i] >= c->alg.media_port_min &&
		    c->fw.sip_ports[i] <= c->alg.media_port_max)
			return snprintf(err, errlen, "media_ports %u-%u include SIP port %u",
					c->alg.media_port_min, c->alg.media_port_max,
					c->fw.sip_ports[i]), -1;
	return 0;
}

int config_finish(struct daemon_config *c, char *err, size_t errlen)
{
	if (!c->fw.ninside_ifs)
		return snprintf(err, errlen, "inside_interfaces is required"), -1;
	if (!c->fw.outside_if[0])
		return snprintf(err, errlen, "outside_interface is required"), -1;
	if (!c->alg.ninside)
		return snprintf(err, errlen, "inside_prefixes is required"), -1;
	for (unsigned i = 0; i < c->fw.ninside_ifs; i++)
		if (!strcmp(c->fw.inside_ifs[i], c->fw.outside_if))
			return snprintf(err, errlen, "%s is both inside and outside",
					c->fw.outside_if), -1;
	if (c->public_from_if && address_of(c->fw.outside_if, &c->alg.public_addr))
		return snprintf(err, errlen,
				"public_address = auto: interface %s has no IPv4 address",
				c->fw.outside_if), -1;
	memcpy(&c->fw.public_addr, c->alg.public_addr.ip, 4);
	return check_consistent(c, err, errlen);
}

unsigned config_listen_ports(const struct daemon_config *c, uint16_t *ports)
{
	unsigned n = 0;

	ports[n++] = c->fw.tproxy_port;
	for (unsigned i = 0; i < c->fw.nsip_ports; i++) {
		unsigned j = 0;
		while (j < n && ports[j] != c->fw.sip_ports[i])
			j++;
		if (j == n)
			ports[n++] = c->fw.sip_ports[i];
	}
	return n;
}

/* --- printing --- */

static void print_value(const struct daemon_config *c, const struct cfg_key *k, FILE *f)
{
	const void *field = (const char *)c + k->off;
	char ip[INET_ADDRSTRLEN];

	switch (k->type) {
	case T_DURATION: {
		uint64_t ms = k->off == OFF(alg.default_expires_s) ? c->alg.default_expires_s * 1000ull
								   : *(const uint32_t *)field;
		if (ms && ms % 3600000 == 0)
			fprintf(f, "%lluh", (unsigned long long)(ms / 3600000));
		else if (ms && ms % 60000 == 0)
			fprintf(f, "%llum", (unsigned long long)(ms / 60000));
		else if (ms % 1000 == 0)
			fprintf(f, "%llus", (unsigned long long)(ms / 1000));
		else
			fprintf(f, "%llums", (unsigned long long)ms);
		break;
	}
	case T_UINT:
		fprintf(f, "%u", *(const uint32_t *)field);
		break;
	case T_HEX:
		fprintf(f, "0x%x", *(const uint32_t *)field);
		break;
	case T_PORT:
		fprintf(f, "%u", *(const uint16_t *)field);
		break;
	case T_BOOL:
		fprintf(f, "%s", *(const uint8_t *)field ? "yes" : "no");
		break;
	case T_MODE:
		fprintf(f, "%s", modes[c->alg.mode]);
		break;
	case T_IFLIST:
		for (unsigned i = 0; i < c->fw.ninside_ifs; i++)
			fprintf(f, "%s%s", i ? " " : "", c->fw.inside_ifs[i]);
		break;
	case T_IFNAME:
		fprintf(f, "%s", c->fw.outside_if);
		break;
	case T_PREFIXES:
		for (unsigned i = 0; i < c->alg.ninside; i++)
			fprintf(f, "%s%s/%u", i ? " " : "",
				inet_ntop(AF_INET, c->alg.inside[i].addr.ip, ip, sizeof(ip)),
				c->alg.inside[i].len);
		break;
	case T_PUBLIC:
		if (!c->public_from_if)
			fprintf(f, "%s", inet_ntop(AF_INET, c->alg.public_addr.ip, ip, sizeof(ip)));
		else if (c->alg.public_addr.family == 4)
			fprintf(f, "auto  # %s from %s",
				inet_ntop(AF_INET, c->alg.public_addr.ip, ip, sizeof(ip)),
				c->fw.outside_if);
		else
			fprintf(f, "auto");
		break;
	case T_PORTS:
		for (unsigned i = 0; i < c->fw.nsip_ports; i++)
			fprintf(f, "%s%u", i ? " " : "", c->fw.sip_ports[i]);
		break;
	case T_RANGE:
		fprintf(f, "%u-%u", c->alg.media_port_min, c->alg.media_port_max);
		break;
	case T_TARGET:
		fprintf(f, "%s", c->log_target == LOG_TO_SYSLOG ? "syslog" : "stderr");
		break;
	case T_LEVEL:
		for (int i = 0; levels[i].name; i++)
			if (levels[i].value == c->log_level)
				fprintf(f, "%s", levels[i].name);
		break;
	case T_PATH:
		fprintf(f, "%s", c->ctl_path[0] ? c->ctl_path : "none");
		break;
	}
}

static int unset(const struct daemon_config *c, const struct cfg_key *k)
{
	return (k->type == T_IFLIST && !c->fw.ninside_ifs) ||
	       (k->type == T_PREFIXES && !c->alg.ninside) ||
	       (k->type == T_IFNAME && !c->fw.outside_if[0]);
}

void config_print(const struct daemon_config *c, FILE *f)
{
	for (const struct cfg_key *k = keys; k->name; k++) {
		if (k->alias)
			continue;
		if (unset(c, k)) {
			fprintf(f, "# %s = (not set)\n", k->name);
			continue;
		}
		fprintf(f, "%s = ", k->name);
		print_value(c, k, f);
		fputc('\n', f);
	}
}
