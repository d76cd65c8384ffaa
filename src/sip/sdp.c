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
#include "lex.h"
#include "limits.h"
#include "sdp_ref.h"
#include "sdp_scan.h"

#include <stdatomic.h>
#include <threads.h>

/* A filter on an attribute name's first four octets, each | 0x20 (so A-Z
 * fold to a-z, and the '-' of a row stays): attr_prefixes has the bit of
 * every row's (SDP_ATTRS); a name without its bit matches no row.  The hash
 * only narrows; its multiplier was picked so that rtpmap, fmtp, ptime,
 * ssrc, setup, mid, group, extmap, msid, fingerprint and crypto miss. */
#define ATTR_PFX_HASH(w4) ((uint32_t)((uint32_t)(w4) * 0xcd613e31u) >> 26)
#define ATTR_W4(n) ((uint32_t)(unsigned char)(n "\0\0\0")[0] |                  \
		    (uint32_t)(unsigned char)(n "\0\0\0")[1] << 8 |             \
		    (uint32_t)(unsigned char)(n "\0\0\0")[2] << 16 |            \
		    (uint32_t)(unsigned char)(n "\0\0\0")[3] << 24)
#define ATTR_PFX(n, c, f, a) (1ull << ATTR_PFX_HASH(ATTR_W4(n) | 0x20202020u)) |
static const uint64_t attr_prefixes = SDP_ATTRS(ATTR_PFX) 0;
#undef ATTR_PFX

/*
 * The row of an attribute name by one lookup: its first eight octets,
 * lower case and zero past the name (as a row's zero-padded name loads),
 * hashed to six bits.  attr_slot[] holds 1 + the index in sdp_attr_table
 * of the first row of that hash, attr_next[] the next (0: none); the
 * multiplier gives each of today's rows a slot of its own, so a chain is
 * one row long.  Built on first use, as the header index is
 * (hdr_table.c); the row found is confirmed in full.
 */
#define ATTR_SLOT(w8) ((unsigned)((uint64_t)(w8) * 0xff51afd7ed558ccdull >> 58))
#define ATTR_ONE(n, c, f, a) +1
enum { ATTR_ROWS = 0 SDP_ATTRS(ATTR_ONE) };
#undef ATTR_ONE
static uint8_t attr_slot[64], attr_next[ATTR_ROWS + 1];
static atomic_int attr_ready;
static once_flag attr_once = ONCE_FLAG_INIT;

static void attr_fill(void)
{
	/* backwards, so that each chain lists its rows in table order */
	for (unsigned i = ATTR_ROWS; i-- > 0;) {
		uint8_t *slot = &attr_slot[ATTR_SLOT(scan_load64(sdp_attr_table[i].name))];
		attr_next[i + 1] = *slot;
		*slot = (uint8_t)(i + 1);
	}
	atomic_store_explicit(&attr_ready, 1, memory_order_release);
}

/* The n octets at p (7 <= n <= 15) are exactly an IPv4address, given the
 * masks of their digits and dots: nothing else, and lx_ipv4_dots(). */
SCAN_INLINE int ipv4_ok(const char *p, uint32_t n, uint32_t dig, uint32_t dot)
{
	uint32_t all = (1u << n) - 1;

	dot &= all;
	return (dot | (dig & all)) == all && lx_ipv4_dots(p, n, dot);
}

/* The parse in progress; p is what the reference handlers see. */
struct fast {
	struct sdp_p p;
	uint32_t lo, end;
	uint32_t ip_off, ip_len; /* the last IPv4 literal ipv4_ok() passed (len 0: none) */
};

/*
 * "IN IP4 " and then an IPv4address filling the rest of the value, t..t+n:
 * what the reference conn_parse() reads as nettype, addrtype and a family-4
 * address with nothing after it.  1 with c's spans set (not c->line), 0
 * for anything else (the reference decides those).
 */
SCAN_INLINE int fast_in_ip4(struct fast *x, uint32_t t, uint32_t n, struct sdp_conn *c, int simd)
{
	/* "in ip4 " with the letters folded to lower case, the rest exact */
	const uint64_t fold = 0x0000002020002020ull, want = 0x0020347069206e69ull;
	const char *b = x->p.b;
	uint32_t dig, dot, a = t + 7, al = n - 7;

	if (n < 14 || n > 22 || ((scan_load64(b + t) | fold) & 0x00ffffffffffffffull) != want)
		return 0;
	/* The o= and c= lines of a body mostly name one address: the same
	 * octets as the last literal that passed need no second look.  The
	 * eight octets that end at its end (at worst from the SP before a
	 * literal of seven, which both have), and for more than eight the
	 * eight it starts with: no load leaves the line. */
	if (al != x->ip_len || scan_load64(b + a + al - 8) != scan_load64(b + x->ip_off + al - 8) ||
	    (al > 8 && scan_load64(b + a) != scan_load64(b + x->ip_off))) {
		scan_ip16(b, a, x->lo, x->end, simd, &dig, &dot);
		if (!ipv4_ok(b + a, al, dig, dot))
			return 0;
		x->ip_off = a;
		x->ip_len = al;
	}
	c->nettype = sip_span_make(t, 2);
	c->addrtype = sip_span_make(t + 3, 3);
	c->addr = sip_span_make(a, al);
	c->family = 4;
	return 1;
}


#define FAST_COLD static __attribute__((noinline))

/* An absent address, as the reference's conn_none() leaves it. */
SCAN_INLINE void conn_blank(struct sdp_conn *c)
{
	c->line = c->nettype = c->addrtype = c->addr = SIP_SPAN_NONE;
	c->family = 0;
}

/* The reference's initialisation (memset, then the absent spans), written
 * out field by field: a struct copy or memset here becomes a rep string
 * instruction that costs more than the whole a= line filter. */
SCAN_INLINE void sdp_blank(struct sdp *s, struct sip_span body, struct sdp_media *media,
			   uint16_t cap)
{
	s->whole = body;
	s->has_origin = s->has_conn = s->ice = s->dir = 0;
	s->origin.line = s->origin.username = s->origin.sess_id = SIP_SPAN_NONE;
	s->origin.sess_version = SIP_SPAN_NONE;
	conn_blank(&s->origin.addr);
	conn_blank(&s->conn);
	s->media = media;
	s->nmedia = 0;
	s->media_cap = cap;
	s->err_off = 0;
}

/* o=<username> <sess-id> <sess-version> IN IP4 <literal>; anything else
 * (and a second o=) to the reference handler.  0 or < 0. */
FAST_COLD int fast_origin(struct fast *x, uint32_t pos, uint32_t len, int simd)
{
	uint32_t v = pos + 2, n = len - 2, t, tl;
	struct sdp_origin *o = &x->p.s->origin;
	struct sip_span u[3];
	uint64_t f;

	if (x->p.cur || x->p.s->has_origin || n >= 64)
		goto ref;
	f = ~scan_line(x->p.b, v, n, x->lo, x->end, simd) & ((1ull << n) - 1);
	if (!scan_field(&f, v, &u[0].off, &u[0].len) || !scan_field(&f, v, &u[1].off, &u[1].len) ||
	    !scan_field(&f, v, &u[2].off, &u[2].len) || f == 0)
		goto ref;
	t = v + (uint32_t)__builtin_ctzll(f);
	tl = v + n - t;
	/* written in place: fast_in_ip4() writes nothing when it fails */
	if (!fast_in_ip4(x, t, tl, &o->addr, simd))
		goto ref;
	o->line = o->addr.line = sip_span_make(pos, len);
	o->username = u[0];
	o->sess_id = u[1];
	o->sess_version = u[2];
	x->p.s->has_origin = 1;
	return 0;
ref:
	return sdp_ref_line(&x->p, sip_span_make(pos, len));
}

/* c=IN IP4 <literal>, the first at its level; anything else to the
 * reference handler.  0 or < 0. */
FAST_COLD int fast_conn(struct fast *x, uint32_t pos, uint32_t len, int simd)
{
	struct sdp_media *cur = x->p.cur;
	uint8_t *has = cur ? &cur->has_conn : &x->p.s->has_conn;
	struct sdp_conn *c = cur ? &cur->conn : &x->p.s->conn;

	/* written in place: fast_in_ip4() writes nothing when it fails */
	if (*has || !fast_in_ip4(x, pos + 2, len - 2, c, simd))
		return sdp_ref_line(&x->p, sip_span_make(pos, len));
	c->line = sip_span_make(pos, len);
	*has = 1;
	return 0;
}

/* The reference's media_init(). */
SCAN_INLINE void media_blank(struct sdp_media *md, struct sip_span line)
{
	md->section = md->line = line;
	md->media = md->port = md->proto = md->fmts = sip_span_make(0, 0);
	md->count = SIP_SPAN_NONE;
	md->port_num = 0;
	md->count_num = 1;
	md->has_conn = md->has_rtcp = md->rtcp_mux = md->ice = md->dir = 0;
	conn_blank(&md->conn);
	md->rtcp_line = md->rtcp_port = SIP_SPAN_NONE;
	md->rtcp_port_num = 0;
	conn_blank(&md->rtcp_addr);
}

/* m=<media> <port> <proto> [<fmt> ...] with a port of 1-9 digits (no
 * /count, no overflow test needed); anything else to the reference
 * handler.  The section before it is closed first.  0 or < 0. */
FAST_COLD int fast_media(struct fast *x, uint32_t pos, uint32_t len, int simd)
{
	const char *b = x->p.b;
	uint32_t v = pos + 2, n = len - 2, o[3], l[3], port = 0;
	struct sdp *s = x->p.s;
	struct sdp_media *md = x->p.cur;
	uint64_t f;

	if (md)
		md->section.len = pos - md->section.off;
	if (s->nmedia >= x->p.cap || n >= 64)
		goto ref;
	f = ~scan_line(b, v, n, x->lo, x->end, simd) & ((1ull << n) - 1);
	if (!scan_field(&f, v, &o[0], &l[0]) || !scan_field(&f, v, &o[1], &l[1]) ||
	    !scan_field(&f, v, &o[2], &l[2]) || l[1] > 9)
		goto ref;
	if (l[1] <= 8 && o[1] + 8 <= x->end) {
		if (!scan_digits8(b + o[1], l[1], &port))
			goto ref;
	} else {
		for (uint32_t i = 0; i < l[1]; i++) {
			uint32_t d = (uint32_t)(unsigned char)b[o[1] + i] - '0';
			if (d > 9)
				goto ref;
			port = port * 10 + d;
		}
	}
	md = &s->media[s->nmedia++];
	media_blank(md, sip_span_make(pos, len));
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
ref:
	return sdp_ref_line(&x->p, sip_span_make(pos, len));
}

/*
 * a=<name>[:<value>] that passed the prefix filter: the name runs to the
 * first ':' or the end; no row is longer than nine octets, so ten octets
 * settle its length.  Then its row by attr_slot[], confirmed by length
 * and octets.  0, or the row handler's result.
 */
FAST_COLD int fast_attr(struct fast *x, uint32_t pos, uint32_t len)
{
	const char *a = x->p.b + pos + 2;
	uint32_t n = len - 2, nl;
	const struct sdp_attr_row *r;
	uint64_t w, lw;
	unsigned k;

	if (pos + 2 + 8 > x->end)
		return sdp_ref_line(&x->p, sip_span_make(pos, len));
	w = scan_load64(a);
	nl = scan_colon8(w);
	if (nl == 8 && n > 8 && a[8] != ':') {
		if (n > 9 && a[9] != ':')
			return 0; /* ten or more: no row */
		nl = 9;
	}
	if (nl > n)
		nl = n;
	lw = scan_lower8(w);
	if (nl < 8)
		lw &= (1ull << (8 * nl)) - 1;
	if (!atomic_load_explicit(&attr_ready, memory_order_acquire))
		call_once(&attr_once, attr_fill);
	for (k = attr_slot[ATTR_SLOT(lw)]; k; k = attr_next[k]) {
		r = &sdp_attr_table[k - 1];
		if (r->len == nl && scan_load64(r->name) == lw &&
		    (nl < 9 || (unsigned char)(a[8] | 0x20) == (unsigned char)r->name[8]))
			return r->fn(&x->p, sip_span_make(pos, len),
				     nl < n ? sip_span_make(pos + 2 + nl + 1, n - nl - 1)
					    : sip_span_make(pos + len, 0),
				     r->arg);
	}
	return 0;
}

/*
 * The lines after the first, their ends read off the body's LF map (bits,
 * nw words; see scan_map): 0 at the end of the body, -1 to start over (a
 * NUL before an LF, a blank line, a bad type, a second v=; any error of a
 * handler).  Only the type letter and, for a=, the first letter of the
 * name are looked at here; the rest is in the handlers above, out of line
 * so this loop keeps its registers.
 */
SCAN_INLINE int fast_lines(struct fast *x, const char *b, uint32_t pos, uint64_t *bits, uint32_t nw,
			   int simd)
{
	const uint32_t end = x->end;
	uint32_t wi = (pos - x->lo) / 64, wbase = x->lo + wi * 64;
	uint64_t m = bits[wi] & (~0ull << ((pos - x->lo) % 64));

	while (pos < end) {
		uint32_t e = end, len;
		uint64_t w;
		unsigned tw;
		while (m == 0 && ++wi < nw) {
			m = bits[wi];
			wbase += 64;
		}
		if (m) {
			e = wbase + (uint32_t)__builtin_ctzll(m);
			m &= m - 1;
		}
		/* The line's first eight octets (fewer at the end of the body,
		 * zero after them): the type letter, the '=', and for a= the
		 * name's first four (the line may be shorter: then no row is
		 * its name, and the filter only narrows). */
		w = pos + 8 <= end ? scan_load64(b + pos) : scan_tail8(b, pos, end);
		/* Most lines are a= lines whose name no row starts with: of the
		 * rest of those only a NUL before the LF counts.  A letter and
		 * '=' rule out a blank or short line: e >= pos + 2. */
		if ((w & 0xffff) == ('a' | '=' << 8)) {
			if (!((attr_prefixes >> ATTR_PFX_HASH((uint32_t)(w >> 16) | 0x20202020u)) & 1)) {
				if (b[e - 1] == '\0')
					return -1;
				pos = e + 1;
				continue;
			}
		} else if (((w >> 8) & 0xff) != '=') {
			return -1; /* also "x\r\n" */
		}
		tw = (unsigned)w & 0xff;
		len = e - pos;
		/* the map refused a CR or NUL anywhere but before an LF */
		if (b[e - 1] == '\r')
			len--;
		else if (b[e - 1] == '\0')
			return -1;
		/* the common letters first: most lines are a= */
		if (tw == 'a') {
			if (len > 2 && fast_attr(x, pos, len) < 0)
				return -1;
		} else if (tw == 'c') {
			if (fast_conn(x, pos, len, simd) < 0)
				return -1;
		} else if (tw == 'm') {
			if (fast_media(x, pos, len, simd) < 0)
				return -1;
		} else if (tw == 'o') {
			if (fast_origin(x, pos, len, simd) < 0)
				return -1;
		} else if (tw - 'a' > 25 || tw == 'v') {
			return -1; /* v= only as the first line; a blank line */
		}
		pos = e + 1;
	}
	return 0;
}

/* The LF map at the given scan level, or -1 (scan_map). */
static int32_t fast_map(const char *b, uint32_t lo, uint32_t end, uint64_t *bits, int simd)
{
#ifdef SCAN_HAVE_AVX2
	if (simd >= 2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi"))
		return scan_map_avx2(b, lo, end, bits);
#endif
#ifdef __SSE2__
	if (simd >= 1)
		return scan_map_sse2(b, lo, end, bits);
#endif
	return scan_map_plain(b, lo, end, bits);
}

/*
 * The first line must be exactly "v=0"; blank lines (legal only at the
 * end) go to the reference too, so a media section always ends where the
 * next m= line or the body does.  Bodies longer than a SIP message can be
 * go to the reference (the map is on the stack).
 */
static int fast_run(struct sdp *s, const char *b, struct sip_span body, struct sdp_media *media,
		    unsigned cap, int simd)
{
	uint32_t lo = body.off, end = sip_span_end(body), pos = lo + 3;
	int32_t nw;
	struct fast x = { { s, b, NULL, cap > UINT16_MAX ? UINT16_MAX : cap, 1, end }, lo, end, 0, 0 };
	uint64_t bits[SIP_MAX_MSG_SIZE / 64 + 2];

	sdp_blank(s, body, media, (uint16_t)x.p.cap);
	/* the usual "v=0" CRLF by one load when eight octets are at hand;
	 * the octet tests below decide the same for every other start */
	if (body.len >= 8 && body.len <= SIP_MAX_MSG_SIZE &&
	    (scan_load64(b + lo) & 0xffffffffffull) == 0x0a0d303d76ull) {
		pos = lo + 5;
	} else {
		if (body.len < 3 || body.len > SIP_MAX_MSG_SIZE || b[lo] != 'v' ||
		    b[lo + 1] != '=' || b[lo + 2] != '0')
			return sdp_parse_ref(s, b, body, media, cap);
		if (pos < end && b[pos] == '\r' && pos + 1 < end)
			pos++;
		if (pos < end && b[pos++] != '\n')
			return sdp_parse_ref(s, b, body, media, cap);
	}
	nw = fast_map(b, lo, end, bits, simd);
	if (nw < 0 || fast_lines(&x, b, pos, bits, (uint32_t)nw, simd) < 0)
		return sdp_parse_ref(s, b, body, media, cap);
	if (x.p.cur)
		x.p.cur->section.len = end - x.p.cur->section.off;
	s->err_off = lo;
	return s->nmedia;
}

int sdp_simd_level = 2;

int sdp_parse(struct sdp *s, const char *base, struct sip_span body, struct sdp_media *media,
	      unsigned cap)
{
	return fast_run(s, base, body, media, cap, sdp_simd_level);
}
