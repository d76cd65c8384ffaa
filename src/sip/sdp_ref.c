/*
 * sdp_ref.c - the reference SDP parser (sdp_ref.h) and the line handlers
 * the fast one (sdp.c) hands the lines it does not take itself.
 *
 * One pass over the lines (RFC 8866 §5): each line is "<type>=<value>",
 * and a table indexed by the type letter picks its handler.  Attribute
 * lines go through a second table by attribute name.  Lines the ALG does
 * not need (s=, t=, b=, k=, unknown letters, unknown attributes) are only
 * checked for octets (no NUL, no bare CR) and skipped.
 */
#include "sdp.h"
#include "error.h"
#include "lex.h"
#include "sdp_ref.h"

/* A field cursor over one line's value; lim as in struct sdp_p. */
struct sdp_fields {
	const char *b;
	uint32_t pos, end, lim;
};

static int is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ASCII case-insensitive equality of n bytes; lit is lower case. */
static int name_eq(const char *p, const char *lit, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		char c = p[i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		if (c != lit[i])
			return 0;
	}
	return 1;
}

/* A field equal to a short lower-case literal, any case (no strlen). */
#define FIELD_IS(b, f, lit) ((f).len == sizeof(lit) - 1 && name_eq((b) + (f).off, lit, (f).len))

/* Next SP-separated field; 1 with *f set, 0 at the end of the value.
 * RFC 8866 separates fields with exactly one SP; more are tolerated.
 * always_inline: conn_parse() calls it four times per address and the
 * compiler would otherwise make each a call (~80 instructions a message). */
static inline __attribute__((always_inline)) int field_next(struct sdp_fields *c,
							    struct sip_span *f)
{
	uint32_t start;

	while (c->pos < c->end && is_wsp(c->b[c->pos]))
		c->pos++;
	if (c->pos == c->end)
		return 0;
	start = c->pos;
	c->pos = lx_find2(c->b, c->pos, c->end, c->lim, ' ', '\t');
	*f = sip_span_make(start, c->pos - start);
	return 1;
}

/* The rest of the value from the cursor, leading and trailing WSP removed. */
static struct sip_span field_rest(struct sdp_fields *c)
{
	uint32_t e = c->end;

	while (c->pos < e && is_wsp(c->b[c->pos]))
		c->pos++;
	while (e > c->pos && is_wsp(c->b[e - 1]))
		e--;
	return sip_span_make(c->pos, e - c->pos);
}

/* Decimal digits filling the span, at most 10 of them, <= UINT32_MAX. */
static int span_u32(const char *b, struct sip_span s, uint32_t *v)
{
	int64_t n = sip_span_uint(b, s, UINT32_MAX);

	if (n < 0)
		return -1;
	*v = (uint32_t)n;
	return 0;
}

/* IPv4address (lx_ipv4), for the SDP checks that take a pointer. */
static int is_ipv4(const char *p, uint32_t n)
{
	return lx_ipv4(p, 0, n);
}

/* IPv6address (RFC 4291 §2.2, as RFC 8866 §9 uses it, no brackets):
 * up to 8 groups of 1-4 hex digits, one "::", optional IPv4 tail. */
static int is_ipv6(const char *p, uint32_t n)
{
	unsigned groups = 0, hex = 0, dbl = 0;
	uint32_t i = 0, start = 0;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] == ':') {
			if (i + 1 < n && p[i + 1] == ':') {
				if (dbl++ || (i + 2 < n && p[i + 2] == ':'))
					return 0;
				i++;
			} else if (hex == 0 && i == 0) {
				return 0;
			}
			groups += hex > 0;
			hex = 0;
			start = i + 1;
		} else if (p[i] == '.') {
			/* The last 32 bits as dotted quad: counts two groups,
			 * and only after at least one colon. */
			if (start == 0 || !is_ipv4(p + start, n - start))
				return 0;
			return dbl ? groups + 2 <= 7 : groups + 2 == 8;
		} else if (is_hex(p[i]) && hex < 4) {
			hex++;
		} else {
			return 0;
		}
	}
	if (hex == 0 && p[n - 1] == ':' && p[n - 2] != ':')
		return 0;
	groups += hex > 0;
	return dbl ? groups <= 7 : groups == 8;
}

/* An FQDN as SDP allows one (RFC 8866 §9, RFC 1123 §2.1 host names):
 * dot-separated labels of 1-63 letters, digits, '-' (not first or last)
 * and '_', at most 255 octets, with at least one letter so that a broken
 * literal ("999.1.1.1") is not mistaken for a name.  A final dot is fine. */
static int is_fqdn(const char *p, uint32_t n)
{
	uint32_t label = 0;
	int letters = 0;

	if (n == 0 || n > 255)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		char c = p[i];
		int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (c == '.') {
			if (label == 0 || p[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!alpha && !is_digit(c) && c != '-' && c != '_')
			return 0;
		if (++label > 63 || (label == 1 && c == '-'))
			return 0;
		letters |= alpha;
	}
	return letters && p[n - 1] != '-';
}

/* "/ttl" and "/count" after a multicast address (RFC 8866 §5.7): digits. */
static int addr_suffix_ok(const char *p, uint32_t n)
{
	unsigned slashes = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (p[i] == '/') {
			if (++slashes > 2 || i + 1 == n || !is_digit(p[i + 1]))
				return 0;
		} else if (!is_digit(p[i])) {
			return 0;
		}
	}
	return 1;
}

/*
 * nettype SP addrtype SP connection-address (RFC 8866 §5.7, §9).  family
 * is 4 or 6 for an IN IP4 / IN IP6 literal, 0 for an FQDN or unknown
 * types.  A literal of the wrong family, or garbage, is SIP_ESDP.
 */
static int conn_parse(struct sdp_conn *c, const char *b, struct sdp_fields *f,
		      int allow_suffix)
{
	struct sip_span a, extra;
	uint32_t alen;
	int in;

	if (!field_next(f, &c->nettype) || !field_next(f, &c->addrtype) || !field_next(f, &a) ||
	    field_next(f, &extra))
		return SIP_ESDP;
	alen = lx_find2(b, a.off, sip_span_end(a), f->lim, '/', '/') - a.off;
	if (alen == 0 || (alen < a.len && (!allow_suffix ||
					   !addr_suffix_ok(b + a.off + alen, a.len - alen))))
		return SIP_ESDP;
	c->addr = sip_span_make(a.off, alen);
	c->family = 0;
	in = FIELD_IS(b, c->nettype, "in");
	if (in && FIELD_IS(b, c->addrtype, "ip4") && is_ipv4(b + a.off, alen))
		c->family = 4;
	else if (in && FIELD_IS(b, c->addrtype, "ip6") && is_ipv6(b + a.off, alen))
		c->family = 6;
	else if (!is_fqdn(b + a.off, alen))
		return in ? SIP_ESDP : 0;
	return 0;
}

static struct sdp_fields fields_of(const struct sdp_p *p, struct sip_span v)
{
	return (struct sdp_fields){ p->b, v.off, sip_span_end(v), p->lim };
}

/* v=0 (RFC 8866 §5.1), only as the first line. */
static int on_version(struct sdp_p *p, struct sip_span line, struct sip_span v)
{
	(void)line;
	return (p->nlines == 0 && sip_span_eq(p->b, v, "0")) ? 0 : SIP_ESDP;
}

/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address> */
static int on_origin(struct sdp_p *p, struct sip_span line, struct sip_span v)
{
	struct sdp_origin *o = &p->s->origin;
	struct sdp_fields f = fields_of(p, v);

	if (p->cur || p->s->has_origin)
		return SIP_ESDP;
	if (!field_next(&f, &o->username) || !field_next(&f, &o->sess_id) ||
	    !field_next(&f, &o->sess_version))
		return SIP_ESDP;
	o->line = line;
	o->addr.line = line;
	p->s->has_origin = 1;
	return conn_parse(&o->addr, p->b, &f, 0);
}

/* c=<nettype> <addrtype> <connection-address>; one per level (§5.7). */
static int on_conn(struct sdp_p *p, struct sip_span line, struct sip_span v)
{
	struct sdp_fields f = fields_of(p, v);
	struct sdp_conn *c;

	if (p->cur) {
		if (p->cur->has_conn++)
			return SIP_ESDP;
		c = &p->cur->conn;
	} else {
		if (p->s->has_conn++)
			return SIP_ESDP;
		c = &p->s->conn;
	}
	c->line = line;
	return conn_parse(c, p->b, &f, 1);
}

/* An absent address: every span NONE. */
static void conn_none(struct sdp_conn *c)
{
	c->line = c->nettype = c->addrtype = c->addr = SIP_SPAN_NONE;
	c->family = 0;
}

static void media_init(struct sdp_media *m, struct sip_span line)
{
	memset(m, 0, sizeof(*m));
	m->section = line;
	m->line = line;
	m->count = SIP_SPAN_NONE;
	m->count_num = 1;
	conn_none(&m->conn);
	conn_none(&m->rtcp_addr);
	m->rtcp_line = m->rtcp_port = SIP_SPAN_NONE;
}

/* port[/count]: digits, as written (the engine judges > 65535). */
static int media_port(struct sdp_media *m, const char *b, struct sip_span pc)
{
	uint32_t i = 0, cnt;

	while (i < pc.len && b[pc.off + i] != '/')
		i++;
	m->port = sip_span_make(pc.off, i);
	if (span_u32(b, m->port, &m->port_num) < 0)
		return SIP_ESDP;
	if (i == pc.len)
		return 0;
	m->count = sip_span_make(pc.off + i + 1, pc.len - i - 1);
	if (span_u32(b, m->count, &cnt) < 0 || cnt == 0 || cnt > UINT16_MAX)
		return SIP_ESDP;
	m->count_num = (uint16_t)cnt;
	return 0;
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... (§5.14) */
static int on_media(struct sdp_p *p, struct sip_span line, struct sip_span v)
{
	struct sdp_fields f = fields_of(p, v);
	struct sip_span pc;
	struct sdp_media *m;

	if (p->s->nmedia >= p->cap)
		return SIP_ENOSPACE;
	m = &p->s->media[p->s->nmedia++];
	media_init(m, line);
	p->cur = m;
	if (!field_next(&f, &m->media) || !field_next(&f, &pc) || !field_next(&f, &m->proto))
		return SIP_ESDP;
	m->fmts = field_rest(&f);
	return media_port(m, p->b, pc);
}

/* a=rtcp:<port> [<nettype> <addrtype> <connection-address>] (RFC 3605 §2.1).
 * Media-level only; at session level it has no meaning and is skipped. */
static int at_rtcp(struct sdp_p *p, struct sip_span line, struct sip_span v, int arg)
{
	struct sdp_fields f = fields_of(p, v);
	struct sdp_media *m = p->cur;

	(void)arg;
	if (!m)
		return 0;
	if (m->has_rtcp++ || !field_next(&f, &m->rtcp_port) ||
	    span_u32(p->b, m->rtcp_port, &m->rtcp_port_num) < 0)
		return SIP_ESDP;
	m->rtcp_line = line;
	if (field_rest(&f).len == 0)
		return 0;
	m->rtcp_addr.line = line;
	return conn_parse(&m->rtcp_addr, p->b, &f, 0);
}

static int at_mux(struct sdp_p *p, struct sip_span line, struct sip_span v, int arg)
{
	(void)line, (void)v, (void)arg;
	if (p->cur)
		p->cur->rtcp_mux = 1;
	return 0;
}

/* RFC 8839 §5: candidate, ice-ufrag, ice-pwd (either level), ice-lite. */
static int at_ice(struct sdp_p *p, struct sip_span line, struct sip_span v, int arg)
{
	(void)line, (void)v, (void)arg;
	if (p->cur)
		p->cur->ice = 1;
	else
		p->s->ice = 1;
	return 0;
}

/* RFC 3264 §5.1 / RFC 8866 §6.7: the last one at a level wins. */
static int at_dir(struct sdp_p *p, struct sip_span line, struct sip_span v, int arg)
{
	(void)line, (void)v;
	if (p->cur)
		p->cur->dir = (uint8_t)arg;
	else
		p->s->dir = (uint8_t)arg;
	return 0;
}


const struct sdp_attr_row sdp_attr_table[] = {
#define ATTR_ROW(n, c, f, a) { n, sizeof(n) - 1, f, a },
	SDP_ATTRS(ATTR_ROW)
#undef ATTR_ROW
	{ "", 0, NULL, 0 }
};

/* attr_keys has the bit of every row's key (SDP_ATTR_KEY), so most
 * attributes (rtpmap, fmtp, ptime, ssrc, ...) stop at one test; a key
 * that collides only costs the walk through the table. */
const uint64_t sdp_attr_keys =
#define ATTR_BIT(n, c, f, a) (1ull << SDP_ATTR_KEY(sizeof(n) - 1, c)) |
	SDP_ATTRS(ATTR_BIT) 0;
#undef ATTR_BIT


/* a=<attribute>[:<value>] (§5.13); names compared case-insensitively so a
 * shouting UA still gets its a=RTCP rewritten. */
static int on_attr(struct sdp_p *p, struct sip_span line, struct sip_span v)
{
	const char *a = p->b + v.off;
	uint32_t colon = lx_find2(p->b, v.off, sip_span_end(v), p->lim, ':', ':');
	uint32_t nl = colon - v.off;
	struct sip_span val;

	if (nl == 0 || !(sdp_attr_keys & (1ull << SDP_ATTR_KEY(nl, (unsigned char)a[0] | 0x20u))))
		return 0;
	val = nl < v.len ? sip_span_make(colon + 1, v.len - nl - 1)
			 : sip_span_make(sip_span_end(v), 0);
	for (const struct sdp_attr_row *r = sdp_attr_table; r->fn; r++)
		if (r->len == nl && name_eq(a, r->name, nl))
			return r->fn(p, line, val, r->arg);
	return 0;
}

typedef int (*sdp_line_fn)(struct sdp_p *p, struct sip_span line, struct sip_span v);

/* One row per line type the ALG reads; other letters are skipped. */
static const sdp_line_fn line_table[26] = {
	['v' - 'a'] = on_version,
	['o' - 'a'] = on_origin,
	['c' - 'a'] = on_conn,
	['m' - 'a'] = on_media,
	['a' - 'a'] = on_attr,
};

/*
 * Find the end of the line at pos: *len is the line without terminator,
 * the return value the offset after it.  A NUL or a CR not followed by LF
 * inside a line is malformed (RFC 8866 §5: lines end in CRLF; LF accepted),
 * so one scan for the first of LF, CR and NUL decides.
 */
static int64_t line_end(const char *b, uint32_t pos, uint32_t end, uint32_t *len)
{
	uint32_t j = lx_find3(b, pos, end, end, '\n', '\r', '\0');

	*len = j - pos;
	if (j == end)
		return end;
	if (b[j] == '\n')
		return j + 1;
	if (b[j] == '\r' && j + 1 < end && b[j + 1] == '\n')
		return j + 2;
	return -1;
}

int sdp_ref_line(struct sdp_p *p, struct sip_span line)
{
	char t = p->b[line.off];
	sdp_line_fn fn;
	int rc;

	if (line.len < 2 || t < 'a' || t > 'z' || p->b[line.off + 1] != '=')
		return SIP_ESDP;
	if (p->nlines == 0 && t != 'v')
		return SIP_ESDP;
	fn = line_table[t - 'a'];
	rc = fn ? fn(p, line, sip_span_make(line.off + 2, line.len - 2)) : 0;
	p->nlines++;
	return rc;
}

static void sdp_init(struct sdp *s, struct sip_span body, struct sdp_media *media, unsigned cap)
{
	memset(s, 0, sizeof(*s));
	s->whole = body;
	s->media = media;
	s->media_cap = (uint16_t)(cap > UINT16_MAX ? UINT16_MAX : cap);
	conn_none(&s->conn);
	conn_none(&s->origin.addr);
	s->origin.line = s->origin.username = SIP_SPAN_NONE;
	s->origin.sess_id = s->origin.sess_version = SIP_SPAN_NONE;
}

static int span_same(struct sip_span a, struct sip_span b)
{
	return a.off == b.off && a.len == b.len;
}

static int conn_same(const struct sdp_conn *a, const struct sdp_conn *b)
{
	return span_same(a->line, b->line) && span_same(a->nettype, b->nettype) &&
	       span_same(a->addrtype, b->addrtype) && span_same(a->addr, b->addr) &&
	       a->family == b->family;
}

static int media_same(const struct sdp_media *a, const struct sdp_media *b)
{
	return span_same(a->section, b->section) && span_same(a->line, b->line) &&
	       span_same(a->media, b->media) && span_same(a->port, b->port) &&
	       span_same(a->count, b->count) && span_same(a->proto, b->proto) &&
	       span_same(a->fmts, b->fmts) && a->port_num == b->port_num &&
	       a->count_num == b->count_num && a->has_conn == b->has_conn &&
	       conn_same(&a->conn, &b->conn) && a->has_rtcp == b->has_rtcp &&
	       a->rtcp_mux == b->rtcp_mux && a->ice == b->ice && a->dir == b->dir &&
	       span_same(a->rtcp_line, b->rtcp_line) && span_same(a->rtcp_port, b->rtcp_port) &&
	       a->rtcp_port_num == b->rtcp_port_num && conn_same(&a->rtcp_addr, &b->rtcp_addr);
}

int sdp_ref_same(const struct sdp *a, int ra, const struct sdp *b, int rb)
{
	const struct sdp_origin *x = &a->origin, *y = &b->origin;

	if (ra != rb || a->err_off != b->err_off || !span_same(a->whole, b->whole) ||
	    a->has_origin != b->has_origin || a->has_conn != b->has_conn || a->ice != b->ice ||
	    a->dir != b->dir || a->nmedia != b->nmedia || !conn_same(&a->conn, &b->conn) ||
	    !span_same(x->line, y->line) || !span_same(x->username, y->username) ||
	    !span_same(x->sess_id, y->sess_id) || !span_same(x->sess_version, y->sess_version) ||
	    !conn_same(&x->addr, &y->addr))
		return 0;
	for (unsigned i = 0; i < a->nmedia; i++)
		if (!media_same(&a->media[i], &b->media[i]))
			return 0;
	return 1;
}

/* The line loop the handlers above came with; the reference for the fast
 * path below (sdp_ref.h). */
int sdp_parse_ref(struct sdp *s, const char *base, struct sip_span body,
		  struct sdp_media *media, unsigned cap)
{
	struct sdp_p p = { .s = s, .b = base, .lim = sip_span_end(body) };
	uint32_t pos = body.off, end = sip_span_end(body), len;
	int blank = 0, rc;

	sdp_init(s, body, media, cap);
	p.cap = s->media_cap;
	while (pos < end) {
		int64_t next = line_end(base, pos, end, &len);
		s->err_off = pos;
		if (next < 0)
			return SIP_ESDP;
		if (len == 0) {
			blank = 1; /* tolerated only as trailing lines */
		} else {
			if (blank)
				return SIP_ESDP;
			rc = sdp_ref_line(&p, sip_span_make(pos, len));
			if (rc < 0)
				return rc;
			if (p.cur)
				p.cur->section.len = (uint32_t)next - p.cur->section.off;
		}
		pos = (uint32_t)next;
	}
	s->err_off = body.off;
	if (p.nlines == 0)
		return SIP_ESDP;
	return s->nmedia;
}

