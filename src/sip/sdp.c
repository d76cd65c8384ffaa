/*
 * sdp.c - SDP session descriptions (sdp.h): the fast parser.
 *
 * The grammar and the results are those of the reference parser
 * (sdp_ref.c); this file only gets there with fewer instructions.  It
 * takes the common shape of a body itself: "v=0" first, lines ending in
 * CRLF or LF with no other control octet, o= and c= with IN IP4 literals,
 * m= with a plain port, a= filtered by first letter and name length.  Any
 * other line that may be well formed (IPv6, FQDN, a=rtcp, m= port/count)
 * goes to the reference handler, sdp_ref_line(), with the same state; an
 * error, a blank line or an odd octet anywhere starts the whole body over
 * with sdp_parse_ref(), so every error and err_off is the reference's.
 *
 * Per line: one scan for its end (sdp_scan.h), a switch on the type
 * letter; o=, c= and m= get three bit masks of their value (separators,
 * dots, digits) from one pass and read fields and the IPv4 literal off
 * the masks.
 */
#include "sdp.h"
#include "error.h"
#include "sdp_ref.h"
#include "sdp_scan.h"

#define NONE_INIT { UINT32_MAX, 0 }
#define CONN_NONE_INIT { NONE_INIT, NONE_INIT, NONE_INIT, NONE_INIT, 0 }

/* What the reference's initialisation leaves: copied whole, then the
 * caller's values set. */
static const struct sdp sdp_blank = {
	.origin = { NONE_INIT, NONE_INIT, NONE_INIT, NONE_INIT, CONN_NONE_INIT },
	.conn = CONN_NONE_INIT,
};

static const struct sdp_media media_blank = {
	.count = NONE_INIT,
	.count_num = 1,
	.conn = CONN_NONE_INIT,
	.rtcp_line = NONE_INIT,
	.rtcp_port = NONE_INIT,
	.rtcp_addr = CONN_NONE_INIT,
};

/* A dec-octet of n digits at p (RFC 3986 §3.2.2 as lx_ipv4 reads it: 1-3
 * digits, leading zeros allowed, at most 255); digits already checked. */
SCAN_INLINE int dec_octet_ok(const char *p, uint32_t n)
{
	if (n - 1 > 2)
		return 0;
	return n < 3 || (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0') <= 255;
}

/* The n octets at b[o] (bits from k of the line masks) are exactly an
 * IPv4address: only digits and three dots, four dec-octets. */
SCAN_INLINE int mask_ipv4(const char *b, uint32_t o, uint32_t n, const struct scan_masks *m,
			  uint32_t k)
{
	uint64_t all = (1ull << n) - 1, dot = (m->dot >> k) & all;
	uint32_t d1, d2, d3;

	if ((dot | ((m->dig >> k) & all)) != all || dot == 0)
		return 0;
	d1 = (uint32_t)__builtin_ctzll(dot);
	if ((dot &= dot - 1) == 0)
		return 0;
	d2 = (uint32_t)__builtin_ctzll(dot);
	if ((dot &= dot - 1) == 0)
		return 0;
	d3 = (uint32_t)__builtin_ctzll(dot);
	if ((dot & (dot - 1)) != 0)
		return 0;
	return dec_octet_ok(b + o, d1) && dec_octet_ok(b + o + d1 + 1, d2 - d1 - 1) &&
	       dec_octet_ok(b + o + d2 + 1, d3 - d2 - 1) && dec_octet_ok(b + o + d3 + 1, n - d3 - 1);
}

/*
 * The last three fields of a value (f: its field bits left, v its start):
 * "IN" "IP4" <IPv4address>, nothing after.  The case where the reference
 * conn_parse() gives family 4 without a '/' suffix; 0 for anything else.
 */
SCAN_INLINE int fast_in_ip4(const char *b, uint64_t f, uint32_t v, const struct scan_masks *m,
			    struct sdp_conn *c)
{
	uint32_t o[3], l[3];

	for (int k = 0; k < 3; k++)
		if (!scan_field(&f, v, &o[k], &l[k]))
			return 0;
	if (f || l[0] != 2 || l[1] != 3 || (b[o[0]] | 0x20) != 'i' || (b[o[0] + 1] | 0x20) != 'n' ||
	    (b[o[1]] | 0x20) != 'i' || (b[o[1] + 1] | 0x20) != 'p' || b[o[1] + 2] != '4' ||
	    !mask_ipv4(b, o[2], l[2], m, o[2] - v))
		return 0;
	c->nettype = sip_span_make(o[0], 2);
	c->addrtype = sip_span_make(o[1], 3);
	c->addr = sip_span_make(o[2], l[2]);
	c->family = 4;
	return 1;
}

/* The parse in progress; p is what the reference handlers see. */
struct fast {
	struct sdp_p p;
	uint32_t lo, end;
};

/* o=<username> <sess-id> <sess-version> IN IP4 <literal>: 0 when taken,
 * 1 to hand the line to the reference (which also refuses a second o=). */
SCAN_INLINE int fast_origin(struct fast *x, uint32_t pos, uint32_t len, int simd)
{
	const char *b = x->p.b;
	uint32_t v = pos + 2, n = len - 2;
	struct sdp_origin o = { .line = sip_span_make(pos, len) };
	struct sip_span *u[3] = { &o.username, &o.sess_id, &o.sess_version };
	struct scan_masks m;
	uint64_t f;

	if (x->p.cur || x->p.s->has_origin || n == 0 || n >= 64)
		return 1;
	m = scan_line(b, v, n, x->lo, x->end, simd);
	f = ~m.wsp & ((1ull << n) - 1);
	for (int k = 0; k < 3; k++)
		if (!scan_field(&f, v, &u[k]->off, &u[k]->len))
			return 1;
	if (!fast_in_ip4(b, f, v, &m, &o.addr))
		return 1;
	o.addr.line = o.line;
	x->p.s->origin = o;
	x->p.s->has_origin = 1;
	return 0;
}

/* c=IN IP4 <literal>, the first at its level: 0 taken, 1 to the reference. */
SCAN_INLINE int fast_conn(struct fast *x, uint32_t pos, uint32_t len, int simd)
{
	uint32_t v = pos + 2, n = len - 2;
	struct sdp_media *cur = x->p.cur;
	struct sdp_conn c = { .line = sip_span_make(pos, len) };
	struct scan_masks m;

	if ((cur ? cur->has_conn : x->p.s->has_conn) || n == 0 || n >= 64)
		return 1;
	m = scan_line(x->p.b, v, n, x->lo, x->end, simd);
	if (!fast_in_ip4(x->p.b, ~m.wsp & ((1ull << n) - 1), v, &m, &c))
		return 1;
	if (cur) {
		cur->has_conn = 1;
		cur->conn = c;
	} else {
		x->p.s->has_conn = 1;
		x->p.s->conn = c;
	}
	return 0;
}

/* m=<media> <port> <proto> [<fmt> ...] with a port of 1-9 digits (no
 * /count, no overflow test needed): 0 taken, 1 to the reference. */
SCAN_INLINE int fast_media(struct fast *x, uint32_t pos, uint32_t len, int simd)
{
	const char *b = x->p.b;
	uint32_t v = pos + 2, n = len - 2, o[3], l[3], port = 0;
	struct sdp *s = x->p.s;
	struct sdp_media *md;
	struct scan_masks m;
	uint64_t f;

	if (s->nmedia >= x->p.cap || n == 0 || n >= 64)
		return 1;
	m = scan_line(b, v, n, x->lo, x->end, simd);
	f = ~m.wsp & ((1ull << n) - 1);
	for (int k = 0; k < 3; k++)
		if (!scan_field(&f, v, &o[k], &l[k]))
			return 1;
	if (l[1] > 9 || ((m.dig >> (o[1] - v)) & ((1ull << l[1]) - 1)) != (1ull << l[1]) - 1)
		return 1;
	for (uint32_t i = 0; i < l[1]; i++)
		port = port * 10 + (uint32_t)(b[o[1] + i] - '0');
	md = &s->media[s->nmedia++];
	*md = media_blank;
	md->section = md->line = sip_span_make(pos, len);
	md->media = sip_span_make(o[0], l[0]);
	md->port = sip_span_make(o[1], l[1]);
	md->port_num = port;
	md->proto = sip_span_make(o[2], l[2]);
	if (f == 0)
		md->fmts = sip_span_make(v + n, 0);
	else
		md->fmts = sip_span_make(v + (uint32_t)__builtin_ctzll(f),
					 (uint32_t)(64 - __builtin_clzll(f) - __builtin_ctzll(f)));
	x->p.cur = md;
	return 0;
}

/*
 * a=<name>[:<value>]: the name runs to the first ':' or the end.  Names
 * whose first letter starts no row are skipped at once; the others get
 * their length (no row is longer than nine octets, so ten octets settle
 * it), the reference's length+letter filter, and one word compare a row.
 * Returns 0, or the row handler's result; 1 to hand the line over.
 */
SCAN_INLINE int fast_attr(struct fast *x, uint32_t pos, uint32_t len)
{
	const char *a = x->p.b + pos + 2;
	uint32_t n = len - 2, nl, c;
	uint64_t w, lw;
	char c9;

	if (n == 0)
		return 0;
	c = ((unsigned char)a[0] | 0x20u) - 'a';
	if (c > 25 || !((sdp_attr_letters >> c) & 1))
		return 0;
	if (pos + 2 + 8 > x->end)
		return 1;
	w = scan_load64(a);
	nl = scan_colon8(w);
	if (nl == 8 && n > 8 && a[8] != ':') {
		if (n > 9 && a[9] != ':')
			return 0; /* ten or more: no row */
		nl = 9;
	}
	if (nl > n)
		nl = n;
	if (!(sdp_attr_keys & (1ull << SDP_ATTR_KEY(nl, c + 'a'))))
		return 0;
	lw = scan_lower8(w);
	if (nl < 8)
		lw &= (1ull << (8 * nl)) - 1;
	c9 = nl < 9 ? 0 : a[8];
	if (c9 >= 'A' && c9 <= 'Z')
		c9 += 'a' - 'A';
	for (const struct sdp_attr_row *r = sdp_attr_table; r->fn; r++) {
		if (r->len == nl && scan_load64(r->name) == lw && (nl < 9 || c9 == r->name[8])) {
			struct sip_span val = nl < n ? sip_span_make(pos + 2 + nl + 1, n - nl - 1)
						     : sip_span_make(pos + len, 0);
			return r->fn(&x->p, sip_span_make(pos, len), val, r->arg);
		}
	}
	return 0;
}

/* The line at pos ends at *j (its terminator or end): the next line's
 * start, or 0 for a NUL, a bare CR or another control octet in the line
 * (the reference then decides). */
SCAN_INLINE uint32_t line_next(const char *b, uint32_t pos, uint32_t lo, uint32_t end, uint32_t *j,
			       int simd)
{
	uint32_t e = scan_ctl(b, pos, lo, end, simd);

	*j = e;
	if (e == end)
		return end;
	if (b[e] == '\r' && e + 1 < end && b[e + 1] == '\n')
		return e + 2;
	return b[e] == '\n' ? e + 1 : 0;
}

/* One line after the first, not blank: 0 done, < 0 start over. */
SCAN_INLINE int fast_line(struct fast *x, uint32_t pos, uint32_t len, int simd)
{
	const char *b = x->p.b;
	struct sdp_media *cur;
	int rc;

	if (len < 2 || b[pos + 1] != '=')
		return -1;
	switch (b[pos]) {
	case 'a':
		rc = fast_attr(x, pos, len);
		break;
	case 'c':
		rc = fast_conn(x, pos, len, simd);
		break;
	case 'm':
		if ((cur = x->p.cur) != NULL)
			cur->section.len = pos - cur->section.off;
		rc = fast_media(x, pos, len, simd);
		break;
	case 'o':
		rc = fast_origin(x, pos, len, simd);
		break;
	case 'v':
		return -1;
	default:
		return (unsigned char)(b[pos] - 'a') > 25 ? -1 : 0;
	}
	if (rc > 0)
		rc = sdp_ref_line(&x->p, sip_span_make(pos, len));
	return rc;
}

/*
 * Blank lines (legal only at the end) go to the reference too, so a media
 * section always ends where the next m= line or the body does.
 */
SCAN_INLINE int fast_run(struct sdp *s, const char *b, struct sip_span body,
			 struct sdp_media *media, unsigned cap, int simd)
{
	struct fast x = { { s, b, NULL, cap > UINT16_MAX ? UINT16_MAX : cap, 1, sip_span_end(body) },
			  body.off, sip_span_end(body) };
	uint32_t pos = body.off, next, j;

	*s = sdp_blank;
	s->whole = body;
	s->media = media;
	s->media_cap = (uint16_t)x.p.cap;
	next = line_next(b, pos, x.lo, x.end, &j, simd);
	if (next == 0 || j - pos != 3 || b[pos] != 'v' || b[pos + 1] != '=' || b[pos + 2] != '0')
		return sdp_parse_ref(s, b, body, media, cap);
	while (next < x.end) {
		pos = next;
		next = line_next(b, pos, x.lo, x.end, &j, simd);
		if (next == 0 || fast_line(&x, pos, j - pos, simd) < 0)
			return sdp_parse_ref(s, b, body, media, cap);
	}
	if (x.p.cur)
		x.p.cur->section.len = x.end - x.p.cur->section.off;
	s->err_off = body.off;
	return s->nmedia;
}

int sdp_simd_level = 2;

static int fast_plain(struct sdp *s, const char *b, struct sip_span body, struct sdp_media *media,
		      unsigned cap)
{
	return fast_run(s, b, body, media, cap, 0);
}

#ifdef __SSE2__
static int fast_sse2(struct sdp *s, const char *b, struct sip_span body, struct sdp_media *media,
		     unsigned cap)
{
	return fast_run(s, b, body, media, cap, 1);
}
#endif

int sdp_parse(struct sdp *s, const char *base, struct sip_span body, struct sdp_media *media,
	      unsigned cap)
{
#ifdef __SSE2__
	if (sdp_simd_level >= 1)
		return fast_sse2(s, base, body, media, cap);
#endif
	return fast_plain(s, base, body, media, cap);
}
