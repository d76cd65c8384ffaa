/*
 * msg.c - one pass over a SIP message: start line, header index, body
 * (RFC 3261 §7, §7.3.1 folding, §18.3 framing, §25.1 grammar).
 *
 * This is the hot path, so it does only what framing needs: find each line
 * once, split the header name from the value, classify the name with
 * hdr_table.c, and read Content-Length.  Value grammars are checked later,
 * by sip_msg_validate() or the value parsers.  Nothing is allocated and
 * the buffer is never written.
 *
 * Two paths compute the same result.  The reference path (headers(),
 * header_line()) takes one line at a time with the scanners of lex.h.  The
 * fast path (headers_fast()) reads the message once into bitmasks of line
 * ends and colons (lex.h lx_masks_fn: plain C, SSE2 or AVX2) and takes each
 * common header line from them; any other line, and everything about the
 * start line but finding its end, goes through the reference code.
 * lx_simd_select(LX_SIMD_REF) makes the reference path do everything;
 * test_sip_msg and fuzz_sip_parse check that both paths agree.
 */
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <stddef.h>

#include "msg.h"
#include "hdr_index.h"
#include "lex.h"
#include "limits.h"
#include "startline.h"

struct pstate {
	struct sip_msg *m;
	const char *b;
	uint32_t end;    /* bytes available (capped at SIP_MAX_MSG_SIZE) */
	uint32_t avail;  /* bytes the caller gave */
	int stream;
	uint32_t nvias;
	int first_clen;  /* index of the first Content-Length, -1 if none */
};

static int fail(struct pstate *ps, int err, uint32_t off)
{
	ps->m->err_off = off;
	return err;
}

/* First CR or LF in [i, end), or end.  Sixteen octets at a time with SSE2,
 * else eight with word arithmetic; loads never pass end. */
static uint32_t scan_eol(const char *b, uint32_t i, uint32_t end)
{
#ifdef __SSE2__
	const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');

	while (i + 16 <= end) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		unsigned hit = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
		if (hit)
			return i + (uint32_t)__builtin_ctz(hit);
		i += 16;
	}
#endif
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	const uint64_t cr8 = ones * '\r', lf8 = ones * '\n';

	while (i + 8 <= end) {
		uint64_t v, x, y;
		memcpy(&v, b + i, 8);
		x = v ^ cr8;
		y = v ^ lf8;
		if (((x - ones) & ~x & high) | ((y - ones) & ~y & high))
			break;
		i += 8;
	}
	while (i < end && b[i] != '\r' && b[i] != '\n')
		i++;
	return i;
}

/*
 * One physical line from i, whose first CR or LF is at j (line_end()): *cend
 * is where its content ends (the CR or LF), *next the start of the
 * following line.  A line ends in CRLF or a bare LF
 * (tolerated, as RFC 3261 §7.5 asks of receivers); a bare CR is refused
 * because another element may take it for a line end.  Returns 0, or
 * SIP_ENEEDMORE when the data stops inside the line (a datagram's last
 * unterminated line then ends at the end, with *cend == *next == end),
 * or SIP_ECHAR.
 */
static inline int line_end(struct pstate *ps, uint32_t j, uint32_t *cend, uint32_t *next)
{
	*cend = j;
	*next = j;
	if (j == ps->end)
		return SIP_ENEEDMORE;
	if (ps->b[j] == '\n') {
		*next = j + 1;
		return 0;
	}
	if (j + 1 == ps->end)
		return ps->stream ? SIP_ENEEDMORE : fail(ps, SIP_ECHAR, j);
	if (ps->b[j + 1] != '\n')
		return fail(ps, SIP_ECHAR, j);
	*next = j + 2;
	return 0;
}

static inline int next_line(struct pstate *ps, uint32_t i, uint32_t *cend, uint32_t *next)
{
	return line_end(ps, scan_eol(ps->b, i, ps->end), cend, next);
}

/* The end of the data inside a line: what a stream waits for, what a
 * datagram or a capped stream cannot get. */
static int need_more(struct pstate *ps, uint32_t line_off)
{
	if (ps->avail >= SIP_MAX_MSG_SIZE)
		return fail(ps, SIP_ETOOBIG, line_off);
	if (ps->end - line_off > SIP_MAX_LINE)
		return fail(ps, SIP_ELINETOOLONG, line_off);
	return fail(ps, SIP_ENEEDMORE, ps->end);
}

static int ws(char c)
{
	return c == ' ' || c == '\t';
}

/* field-name: the token before the colon, LWS allowed between the two
 * (RFC 4475 wsinv).  Most names are known ones, and a known name is all
 * token octets, so the name in front of the first colon (colon, or cend
 * if the line has none; found sixteen octets at a time) is looked up;
 * only an unknown name is walked octet by octet to check it is a token.
 * Returns the colon's index or < 0. */
static inline int header_name(struct pstate *ps, struct sip_hdr *h, uint32_t i, uint32_t colon,
		       uint32_t cend)
{
	const char *b = ps->b;
	uint32_t n = colon, k;

	while (n > i && ws(b[n - 1]))
		n--;
	h->id = (uint8_t)(colon < cend ? sip_hdr_index_lookup(b + i, n - i, &h->compact)
				       : SIP_HDR_OTHER);
	if (h->id != SIP_HDR_OTHER) {
		h->name = sip_span_make(i, n - i);
		return (int)colon;
	}
	h->compact = 0;
	n = lx_span_cls(b, i, cend, LX_TOKEN);
	for (k = i + n; k < cend && ws(b[k]);)
		k++;
	if (n == 0 || k == cend || b[k] != ':')
		return fail(ps, SIP_EHEADER, k);
	h->name = sip_span_make(i, n);
	return (int)k;
}

/* A new header line: field-name HCOLON value (§7.3.1). */
static int header_start(struct pstate *ps, uint32_t i, uint32_t colon, uint32_t cend,
			uint32_t next)
{
	struct sip_msg *m = ps->m;
	const char *b = ps->b;
	struct sip_hdr *h = &m->hdrs[m->nhdrs];
	int r;
	uint32_t k;

	if (m->nhdrs >= SIP_MAX_HEADERS || m->nhdrs >= m->hdr_cap) {
		/* the name's syntax error, if any, is reported first */
		struct sip_hdr scratch;
		if ((r = header_name(ps, &scratch, i, colon, cend)) < 0)
			return r;
		return fail(ps, m->nhdrs >= SIP_MAX_HEADERS ? SIP_ETOOMANYHDRS : SIP_ENOSPACE, i);
	}
	if ((r = header_name(ps, h, i, colon, cend)) < 0)
		return r;
	m->nhdrs++;
	for (k = (uint32_t)r + 1; k < cend && ws(b[k]);)
		k++;
	while (cend > k && ws(b[cend - 1]))
		cend--;
	h->value = sip_span_make(k, cend - k);
	h->line = sip_span_make(i, next - i);
	if (h->id == SIP_HDR_CONTENT_LENGTH && ps->first_clen < 0)
		ps->first_clen = m->nhdrs - 1; /* content_length() starts here */
	if (h->id == SIP_HDR_VIA && ++ps->nvias > SIP_MAX_VIAS)
		return fail(ps, SIP_ETOOMANYVIAS, i);
	return 0;
}

/* A continuation line (starts with SP/HT, §7.3.1): it belongs to the
 * header above, whose value and line spans grow to cover it. */
static int header_fold(struct pstate *ps, uint32_t i, uint32_t cend, uint32_t next)
{
	struct sip_msg *m = ps->m;
	struct sip_hdr *h;

	if (m->nhdrs == 0)
		return fail(ps, SIP_EHEADER, i);
	h = &m->hdrs[m->nhdrs - 1];
	while (i < cend && ws(ps->b[i]))
		i++;
	while (cend > i && ws(ps->b[cend - 1]))
		cend--;
	if (cend > i) {
		if (h->value.len == 0)
			h->value.off = i;
		h->value.len = cend - h->value.off;
	}
	h->line.len = next - h->line.off;
	if (h->line.len > SIP_MAX_LINE)
		return fail(ps, SIP_ELINETOOLONG, h->line.off);
	return 0;
}

/* sip_span_uint(b, v, SIP_MAX_MSG_SIZE), with one to four digits (never
 * over the limit) read inline: from one word when four octets from the
 * value's start lie below lim (octet k at bits 8k; x = octet ^ '0' is a
 * digit's value iff x <= 9: (x & 0x7f) + 0x76 reaches bit 7 iff it is
 * >= 10, and bit 7 of x itself is no digit either).  The shift drops the
 * octets past the value and leaves '0's below its digits (leading
 * zeros), which are then combined in pairs and the pair of pairs. */
static inline int64_t clen_value(const char *b, struct sip_span v, uint32_t lim)
{
	uint32_t n = 0;

	if (v.len - 1 < 4 && sip_span_present(v)) {
		if (v.off + 4 <= lim) {
			uint32_t w, x, sh = 8 * (4 - v.len);

			memcpy(&w, b + v.off, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			w = __builtin_bswap32(w);
#endif
			x = w ^ 0x30303030u;
			if (((((x & 0x7f7f7f7fu) + 0x76767676u) | x) & 0x80808080u) << sh)
				return -1;
			x <<= sh;
			x = (x * 10 + (x >> 8)) & 0x00ff00ffu;
			return (x * 100 + (x >> 16)) & 0xffffu;
		}
		for (uint32_t k = 0; k < v.len; k++) {
			unsigned d = (unsigned)(unsigned char)b[v.off + k] - '0';
			if (d > 9)
				return -1;
			n = n * 10 + d;
		}
		return n;
	}
	return sip_span_uint(b, v, SIP_MAX_MSG_SIZE);
}

/* Content-Length = 1*DIGIT (§20.14).  Every copy must carry the same
 * number: two framings of one message are how requests get smuggled
 * (RFC 4475 mcl01).  A value over SIP_MAX_MSG_SIZE (e.g. 4294967328, which
 * wraps to 32 in 32 bits) or with a sign is SIP_ECLEN. */
static int content_length(struct pstate *ps)
{
	struct sip_msg *m = ps->m;
	const struct sip_hdr *h;
	unsigned k;
	int64_t v;

	if (ps->first_clen < 0)
		return 0; /* header_start() notes the first one */
	k = (unsigned)ps->first_clen;
	h = &m->hdrs[k];
	if ((v = clen_value(ps->b, h->value, ps->end)) < 0)
		return fail(ps, SIP_ECLEN, h->value.off);
	m->clen_hdr = (int16_t)k;
	m->content_length = v;
	for (h++, k++; k < m->nhdrs; k++, h++)
		if (h->id == SIP_HDR_CONTENT_LENGTH &&
		    clen_value(ps->b, h->value, ps->end) != m->content_length)
			return fail(ps, SIP_ECLEN, h->value.off); /* < 0 never equals it */
	return 0;
}

/* Body (§18.3): a stream frames on Content-Length, which it must have; a
 * datagram's body is Content-Length octets when the header is there
 * (trailing octets ignored, RFC 4475 dblreq) or the rest of the datagram. */
static int body(struct pstate *ps)
{
	struct sip_msg *m = ps->m;
	int r = content_length(ps);

	if (r < 0)
		return r;
	if (m->clen_hdr < 0) {
		if (ps->stream)
			return fail(ps, SIP_ECLEN, m->hdr_end);
		m->body_len = ps->avail - m->body_off;
		m->len = ps->avail;
		return (int)m->len;
	}
	uint64_t need = (uint64_t)m->body_off + (uint64_t)m->content_length;
	if (need > SIP_MAX_MSG_SIZE)
		return fail(ps, SIP_ETOOBIG, m->body_off);
	if (need > ps->avail)
		return fail(ps, ps->stream ? SIP_ENEEDMORE : SIP_EBODY, ps->avail);
	m->body_len = (uint32_t)m->content_length;
	m->len = ps->stream ? (uint32_t)need : ps->avail;
	return (int)m->len;
}

static void msg_init(struct sip_msg *m, const char *buf, struct sip_hdr *hdrs,
		     unsigned cap, unsigned flags)
{
	/* Field by field (a memset or a zeroing compound literal becomes a
	 * rep stos, slow to start for 112 octets).  A field added to struct
	 * sip_msg must be set here too: the size check says so. */
	_Static_assert(sizeof(void *) != 8 || sizeof(struct sip_msg) == 112,
		       "msg_init() sets every field of struct sip_msg");
	m->buf = buf;
	m->len = 0;
	m->is_request = 0;
	m->method = 0;
	m->status = 0;
	m->start_line = sip_span_make(0, 0);
	m->method_s = m->ruri = m->version = m->status_s = m->reason = SIP_SPAN_NONE;
	m->hdrs = hdrs;
	m->nhdrs = 0;
	m->hdr_cap = (uint16_t)(cap > SIP_MAX_HEADERS ? SIP_MAX_HEADERS : cap);
	m->body_off = m->body_len = 0;
	m->content_length = -1;
	m->clen_hdr = -1;
	m->err_off = m->hdr_end = 0;
	m->flags = (uint8_t)flags;
}

/* One line of the header section at *ip, the reference way: 0 with *ip
 * past it, 1 when the header section has ended (m->hdr_end and
 * m->body_off set), or < 0.  A datagram that stops without an empty line
 * ends its headers there (RFC 4475 baddn's archive copy). */
static int header_line(struct pstate *ps, uint32_t *ip)
{
	struct sip_msg *m = ps->m;
	uint32_t i = *ip, cend, next;
	int r = next_line(ps, i, &cend, &next);

	if (r == SIP_ENEEDMORE) {
		if (ps->stream && i < ps->end && ws(ps->b[i]) && m->nhdrs == 0)
			return fail(ps, SIP_EHEADER, i);
		if (ps->stream)
			return need_more(ps, i);
		if (i == ps->end)
			next = i;
	} else if (r < 0) {
		return r;
	}
	if (cend == i) {
		m->hdr_end = cend;
		m->body_off = next;
		return 1;
	}
	if (next - i > SIP_MAX_LINE)
		return fail(ps, SIP_ELINETOOLONG, i);
	r = ws(ps->b[i]) ? header_fold(ps, i, cend, next)
			 : header_start(ps, i, lx_find2(ps->b, i, cend, ps->end, ':', ':'), cend,
					next);
	*ip = next;
	return r;
}

/* The header section, from the line after the start line to the empty
 * line, line by line: the reference path. */
static int headers(struct pstate *ps, uint32_t i)
{
	int r;

	while ((r = header_line(ps, &i)) == 0)
		;
	return r < 0 ? r : 0;
}

/*
 * The fast path.  One pass over the message in 64-octet blocks makes two
 * bitmasks per block (CR/LF and ':', lex.h); each line's end and first
 * colon are then a count of trailing zeros, not a rescan.  It takes the
 * common line only: CRLF-terminated, not folded, the name right before
 * the colon, within the limits.
 * Any other line goes to header_line(), the reference code above; a fast
 * line stores exactly what header_start() would, so the two paths agree
 * on every field (test_sip_msg and fuzz_sip_parse compare them).
 */
#define SCAN_BLOCKS 16 /* most masks one call of the mask function computes */

/* The line-end masks (lex.h): eol[k] is the block at wbase + 64 k.  The
 * mask function stops at the likely end of the header section, so the
 * body is not scanned.  The last octet of the data (end - 1) never reads
 * as a line end: a line whose CR or LF is that octet goes to the
 * reference path as one with no line end does, so a line end found in
 * the masks always has an octet after it (no test for a CR cut from its
 * LF per line). */
struct scan {
	const char *b;
	uint32_t end;   /* loads stay below (ps->end) */
	uint32_t wbase; /* the block of eol[0] */
	uint32_t nblk;  /* masks held in eol[] */
	lx_masks_fn fill;
	uint64_t eol[SCAN_BLOCKS];
};

/* The last octet of the data never reads as a line end (see struct
 * scan): its bit cleared when the window holds it. */
static inline void scan_last(struct scan *s)
{
	uint32_t last = s->end - 1 - s->wbase;

	if (last < 64 * s->nblk)
		s->eol[last / 64] &= ~(1ull << (last % 64));
}

/* Masks from the block at `at` (< end) on; octets at or past end read as
 * 0.  A last short block is one load that ends at end, shifted, so a
 * guard page after the data is never touched. */
static void scan_fill(struct scan *s, uint32_t at)
{
	uint32_t full = (s->end - at) / 64;

	s->wbase = at;
	if (full) {
		s->nblk = s->fill(s->b + at, full < SCAN_BLOCKS ? full : SCAN_BLOCKS, s->eol);
		scan_last(s);
		return;
	}
	s->nblk = 1;
	if (s->end >= 64) {
		s->fill(s->b + s->end - 64, 1, s->eol);
		s->eol[0] >>= at - (s->end - 64);
	} else {
		s->eol[0] = lx_masks_tail(s->b + at, s->end - at);
	}
	scan_last(s);
}

/* A cursor over the masks: the block at blk, s->eol[k], whose mask w has
 * the octets before the cursor cleared. */
struct cursor {
	uint32_t blk, k;
	uint64_t w;
};

/* The cursor at p (blocks start at base): *blk is p's block, *k its
 * place in s->eol[], and the return value its mask with the octets
 * before p cleared, so that the next line end is the lowest bit set. */
static inline uint64_t scan_seek(struct scan *s, uint32_t base, uint32_t p, uint32_t *blk,
				 uint32_t *k)
{
	*blk = base + ((p - base) & ~63u);
	*k = (*blk - s->wbase) / 64;
	if (*blk >= s->end)
		return 0; /* no data there: the callers stop on it */
	if (*k >= s->nblk) {
		scan_fill(s, *blk);
		*k = 0;
	}
	return s->eol[*k] & (~0ull << ((p - base) & 63));
}

/* The cursor to the next block: its mask, or 0 with *blk >= end when
 * there is no more data.  The window holds blocks below end only, so
 * only a refill needs the test. */
static inline uint64_t scan_next(struct scan *s, uint32_t *blk, uint32_t *k)
{
	*blk += 64;
	if (++*k >= s->nblk) {
		if (*blk >= s->end)
			return 0;
		scan_fill(s, *blk);
		*k = 0;
	}
	return s->eol[*k];
}

/* The two octets at p are CR LF. */
static inline int crlf(const char *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return v == ('\r' << 8 | '\n');
#else
	return v == ('\n' << 8 | '\r');
#endif
}

/* id and compact, adjacent octets, in one store (v: id in the low
 * octet). */
static inline void id_put(struct sip_hdr *h, uint16_t v)
{
	_Static_assert(offsetof(struct sip_hdr, compact) == offsetof(struct sip_hdr, id) + 1,
		       "id and compact are adjacent");
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = (uint16_t)(v << 8 | v >> 8);
#endif
	memcpy(&h->id, &v, sizeof(v));
}

/* The parser state headers_fast() keeps in registers, written back before
 * the reference path runs and at the end. */
struct fast {
	unsigned n;      /* m->nhdrs */
	int first_clen;  /* ps->first_clen */
	uint32_t nvias;  /* ps->nvias */
};

static void fast_put(struct pstate *ps, const struct fast *f)
{
	ps->m->nhdrs = (uint16_t)f->n;
	ps->first_clen = f->first_clen;
	ps->nvias = f->nvias;
}

/* Branch hints for the fast path's layout: the ordinary header line falls
 * through, everything that leaves for the reference path jumps. */
#define SIP_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define SIP_LIKELY(x) __builtin_expect(!!(x), 1)

/* A header's spans are stored as six 32-bit words: gcc's SLP vectorizer
 * would otherwise gather them in vector registers first, at twice the
 * instructions. */
#if defined(__GNUC__) && !defined(__clang__)
#define SCALAR_STORES __attribute__((optimize("no-tree-slp-vectorize")))
#else
#define SCALAR_STORES
#endif

/* What fast_name_slow() returns: the code (hdr_index.h) of the id and
 * compact that header_name() finds, and the name's length (the colon's
 * place). */
static inline int64_t fast_ret(enum sip_hdr_id id, uint8_t compact, uint32_t len)
{
	return (int64_t)len << 32 | sip_hdr_code(id) | (compact ? SIP_HDR_CODE_COMPACT : 0);
}

/* The name of the header line [i, j) (b[j] is its CR) when the fast path
 * can take it but the usual way (headers_fast()) did not find it: it
 * ends right before the line's first colon and is a known name or a
 * token.  Returns fast_ret(), or -1: the reference path decides.  A
 * known name or a token has no SP/HT at either end: the line is not
 * folded and no LWS stands before the colon. */
static __attribute__((cold)) int64_t fast_name_slow(const char *b, uint32_t i, uint32_t j,
						    uint32_t end)
{
	enum sip_hdr_id id = SIP_HDR_OTHER;
	uint32_t c = lx_find2(b, i, j, end, ':', ':'), len = c - i;
	uint8_t compact = 0;

	if (c == j || len == 0)
		return -1;
	if (len > 1) {
		id = sip_hdr_index_long(b + i, len);
	} else {
		id = sip_hdr_index_compact((unsigned char)b[i]);
		compact = id != SIP_HDR_OTHER;
	}
	if (id == SIP_HDR_OTHER && lx_span_cls(b, i, c, LX_TOKEN) != len)
		return -1;
	return fast_ret(id, compact, len);
}

/* The value of a header line from the colon at c to its CR at j, LWS
 * trimmed as header_start() does: [*vk, *ve).  The common line, one SP
 * after the colon and none before the CR, takes three octet compares and
 * no loop: SP and HT are below '!' (so are CR and the other CTLs, which
 * the loops step over as header_start() does, i.e. not at all). */
static inline void fast_value(const char *b, uint32_t c, uint32_t j, uint32_t *vk, uint32_t *ve)
{
	const unsigned char *u = (const unsigned char *)b;
	uint32_t k = c + 2, e = j; /* b[j] is CR: c + 1 <= j */

	/* offsets widened before the +1/+2/-1, so that they fold into the
	 * addresses */
	if (SIP_UNLIKELY(u[(size_t)c + 1] != ' ' || u[(size_t)c + 2] <= ' ' ||
			 u[(size_t)j - 1] <= ' ')) {
		for (k = c + 1; ws(b[k]);)
			k++;
		while (e > k && ws(b[e - 1]))
			e--;
	}
	*vk = k;
	*ve = e;
}

/* Most lines a block's line ends can close on the fast path: a fast line
 * is four octets at least (a name, the colon, CR LF). */
#define FAST_LINES_PER_BLOCK 16

/* What the fast path tests once per block or window instead of once per
 * line.  The header array has room for every line that ends in the
 * block (h at or below hlast); and a line that starts at i and ends in
 * the window of masks is within SIP_MAX_LINE (a window is at most
 * SCAN_BLOCKS blocks, far shorter than that, so only a line that started
 * long before it can fail).  If not, the reference path takes the line;
 * it stores what the fast path would, and it knows the limits. */
static inline int fast_room_ok(const struct sip_hdr *h, uintptr_t hlast)
{
	return (uintptr_t)h <= hlast;
}

static inline int fast_window_ok(const struct scan *s, uint32_t i)
{
	/* the last line end the window can hold is at wbase + 64 nblk - 1 */
	return s->wbase + 64 * s->nblk - 1 - i <= SIP_MAX_LINE - 2;
}

/*
 * The header section, each line the fast way when it can be (see above),
 * from i, where cur is (blocks start at base): the state lives in locals,
 * since every store into a struct sip_hdr's octet fields might alias the
 * rest for the compiler.  The cursor is (blk, w): w the mask of the block
 * at blk with the octets before i cleared.
 *
 * The usual line's name is a known long one: the line's first sixteen
 * octets give the colon and are compared with the one row of that
 * length and first letter (sip_hdr_index_code_v()).  A row's name is a
 * token, so a hit also says the colon comes before the CR and that no
 * LWS stands before it; any other name goes to fast_name_slow().
 */
static int headers_fast(struct pstate *ps, struct scan *s, uint32_t base, uint32_t i,
			struct cursor cur)
{
	struct sip_msg *m = ps->m;
	const char *b = ps->b;
	const uint32_t end = ps->end;
	struct sip_hdr *h = m->hdrs + m->nhdrs;
	const uintptr_t hlast = (uintptr_t)(m->hdrs + m->hdr_cap) -
				FAST_LINES_PER_BLOCK * sizeof(struct sip_hdr);
	struct fast f = { m->nhdrs, ps->first_clen, ps->nvias };
	const int end16 = (int)end - 16; /* i <= end16: sixteen octets at i are data */
	uint32_t blk = cur.blk, k = cur.k, at;
	uint64_t w = cur.w;
	int r;

	if (!fast_room_ok(h, hlast) || !fast_window_ok(s, i))
		goto ref;
	for (;;) {
		uint32_t j, len, code, vk, ve;
		unsigned jb;

		while (!w) {
			/* scan_next(), with the end tested on a refill only */
			blk += 64;
			if (++k >= s->nblk) {
				if (blk >= end)
					goto ref; /* no line end before the end of the data */
				scan_fill(s, blk);
				k = 0;
				if (!fast_window_ok(s, i))
					goto ref;
			}
			if (SIP_UNLIKELY(!fast_room_ok(h, hlast)))
				goto ref;
			w = s->eol[k];
			/* i > blk only when the last line's LF is this block's
			 * first octet: its lowest bit, then cleared */
			w &= w - (i > blk);
		}
		jb = (unsigned)__builtin_ctzll(w);
		j = blk + jb;
		if (SIP_UNLIKELY(!crlf(b + j))) /* j + 1 < end: see struct scan */
			goto ref;
		if (SIP_UNLIKELY(j == i)) {
			f.n = (unsigned)(h - m->hdrs);
			fast_put(ps, &f);
			m->hdr_end = i;
			m->body_off = i + 2;
			return 0;
		}
		/* the CR and the LF, unless it is the next block's first
		 * octet: ~3 rotated to the CR's place (at 63 it also clears
		 * bit 0, which is clear already) */
		w &= ~3ull << jb | ~3ull >> (-jb & 63);
#ifdef __SSE2__
		if (SIP_LIKELY((int)i <= end16)) {
			__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
			unsigned cm = (unsigned)_mm_movemask_epi8(
				_mm_cmpeq_epi8(a, _mm_set1_epi8(':')));
			/* no colon: a length with no rows */
			len = (uint32_t)__builtin_ctz(cm | 1u << (SIP_HDR_NAME_MAX + 1));
			code = sip_hdr_index_code_v(a, (unsigned char)b[i], len);
			if (SIP_UNLIKELY(code == 0))
				goto slow_name;
		} else
#endif
		{
			int64_t name;
slow_name:
			if ((name = fast_name_slow(b, i, j, end)) < 0)
				goto ref;
			len = (uint32_t)(name >> 32);
			code = (uint32_t)name;
		}
		fast_value(b, i + len, j, &vk, &ve);
		id_put(h, (uint16_t)code);
		h->name.off = i;
		h->name.len = len;
		h->value.off = vk;
		h->value.len = ve - vk;
		h->line.off = i;
		h->line.len = j + 2 - i;
		h++;
		if (SIP_UNLIKELY(code & SIP_HDR_CODE_MORE)) {
			/* the two codes with SIP_HDR_CODE_MORE */
			if ((uint8_t)code == SIP_HDR_VIA) {
				if (++f.nvias > SIP_MAX_VIAS) {
					f.n = (unsigned)(h - m->hdrs);
					fast_put(ps, &f);
					return fail(ps, SIP_ETOOMANYVIAS, i);
				}
			} else if (f.first_clen < 0) {
				f.first_clen = (int)(h - m->hdrs) - 1;
			}
		}
		i = j + 2;
		continue;
ref:
		at = i;
		f.n = (unsigned)(h - m->hdrs);
		fast_put(ps, &f);
		r = header_line(ps, &at); /* at, not i: i stays in a register */
		if (r != 0)
			return r < 0 ? r : 0;
		i = at;
		f = (struct fast){ m->nhdrs, ps->first_clen, ps->nvias };
		h = m->hdrs + m->nhdrs;
		w = scan_seek(s, base, i, &blk, &k);
		if (!fast_room_ok(h, hlast) || !fast_window_ok(s, i))
			goto ref;
	}
}

/* The first CR or LF from i (blocks start at base), or end; *c is left
 * on it. */
static uint32_t scan_eol_masks(struct scan *s, uint32_t base, uint32_t i, struct cursor *c)
{
	c->w = scan_seek(s, base, i, &c->blk, &c->k);
	while (!c->w && c->blk < s->end)
		c->w = scan_next(s, &c->blk, &c->k);
	return c->w ? c->blk + (uint32_t)__builtin_ctzll(c->w) : s->end;
}

/* The cursor, on a line end at or before p, moved to p. */
static inline void scan_skip(struct scan *s, uint32_t base, struct cursor *c, uint32_t p)
{
	if (p - c->blk < 64)
		c->w &= ~0ull << (p - c->blk);
	else
		c->w = scan_seek(s, base, p, &c->blk, &c->k);
}

/* The start line from i, the reference way or through the block masks
 * (which then start at i; *c is left at *next). */
static int start_line(struct pstate *ps, struct scan *s, struct cursor *c, uint32_t i,
		      uint32_t *next)
{
	uint32_t cend;
	int r;

	if (s) {
		uint32_t j = scan_eol_masks(s, i, i, c);
		/* the masks hide a line end at end - 1 (struct scan) */
		r = line_end(ps, j < ps->end ? j : scan_eol(ps->b, i, ps->end), &cend, next);
	} else {
		r = next_line(ps, i, &cend, next);
	}
	if (r == SIP_ENEEDMORE)
		return ps->stream ? need_more(ps, i) : fail(ps, SIP_ESTARTLINE, i);
	if (r < 0)
		return r;
	if (*next - i > SIP_MAX_LINE)
		return fail(ps, SIP_ELINETOOLONG, i);
	if (s)
		scan_skip(s, i, c, *next);
	if (sip_request_line_fast(ps->m, ps->b, i, cend, ps->end))
		return 0;
	return sip_start_line_parse(ps->m, ps->b, i, cend, ps->end);
}

SCALAR_STORES int sip_msg_parse(struct sip_msg *m, const char *buf, size_t len,
				struct sip_hdr *hdrs, unsigned cap, unsigned flags)
{
	struct pstate ps = { m, buf, 0, 0, !!(flags & SIP_PARSE_STREAM), 0, -1 };
	struct scan s;
	struct cursor cur = { 0, 0, 0 };
	uint32_t i = 0, next;
	int r;

	msg_init(m, buf, hdrs, cap, flags);
	sip_hdr_index_ensure();
	if (len > SIP_MAX_MSG_SIZE && !ps.stream)
		return fail(&ps, SIP_ETOOBIG, SIP_MAX_MSG_SIZE);
	ps.avail = (uint32_t)(len > SIP_MAX_MSG_SIZE ? SIP_MAX_MSG_SIZE : len);
	ps.end = ps.avail;
	if (len > SIP_MAX_MSG_SIZE)
		ps.avail = SIP_MAX_MSG_SIZE + 1; /* a stream has more than we look at */
	/* §7.5: a stream receiver ignores CRLFs before the start line. */
	if (ps.stream)
		while (i < ps.end && (buf[i] == '\r' || buf[i] == '\n'))
			i++;
	s.b = buf;
	s.end = ps.end;
	s.wbase = i;
	s.nblk = 0;
	s.fill = lx_masks_in_use();
	if ((r = start_line(&ps, s.fill ? &s : NULL, &cur, i, &next)) < 0)
		return r;
	r = s.fill ? headers_fast(&ps, &s, i, next, cur) : headers(&ps, next);
	if (r < 0)
		return r;
	return body(&ps);
}

int sip_msg_find(const struct sip_msg *m, enum sip_hdr_id id, int after)
{
	unsigned n = m->nhdrs, k = after < 0 ? 0 : (unsigned)after + 1;
	const struct sip_hdr *h;

	k = k < n ? k : n; /* h stays inside the array or one past it */
	h = m->hdrs + k;

	/* four at a time: one loop test per four headers */
	for (; k + 4 <= n; k += 4, h += 4) {
		if (h[0].id == id)
			return (int)k;
		if (h[1].id == id)
			return (int)k + 1;
		if (h[2].id == id)
			return (int)k + 2;
		if (h[3].id == id)
			return (int)k + 3;
	}
	for (; k < n; k++, h++)
		if (h->id == id)
			return (int)k;
	return -1;
}

int sip_msg_count(const struct sip_msg *m, enum sip_hdr_id id)
{
	int n = 0;

	for (unsigned k = 0; k < m->nhdrs; k++)
		n += m->hdrs[k].id == id;
	return n;
}
