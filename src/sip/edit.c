/*
 * edit.c - the edit list: byte replacements rendered in one pass (edit.h).
 *
 * Edits are kept sorted by offset as they are added (insertion into a
 * small array, SIP_MAX_EDITS), so adding is where overlaps are found and
 * rendering is a single forward walk of memcpy calls.  Content-Length is
 * one more replacement, computed at render time from the sum of the edits
 * that fall inside the body.
 */
#include "edit.h"


void sip_edits_init(struct sip_edits *e, uint32_t msg_len,
		    struct sip_edit *v, unsigned cap, char *pool, size_t pool_cap)
{
	e->v = v;
	e->n = 0;
	e->cap = cap;
	e->pool = pool;
	e->used = 0;
	e->pool_cap = pool_cap > UINT32_MAX ? UINT32_MAX : (uint32_t)pool_cap;
	e->msg_len = msg_len;
	e->next = 0;
}

/* Where the append path of sip_edits_add() may start after the last edit:
 * its end, or one past an insertion (a second insertion at one offset is
 * the sorted path's to refuse; a replacement there goes after it). */
static inline uint32_t next_of(const struct sip_edit *last)
{
	return last->off + last->len + (last->len == 0);
}

/*
 * Does [off, off + len) clash with edit x?  Two replacements clash when
 * they share a byte.  An insertion (len 0) clashes with a replacement it
 * falls strictly inside, and with another insertion at the same offset
 * (their order would be a guess).  An insertion at either end of a
 * replacement is fine: it goes before or after it.
 */
static inline int clash(const struct sip_edit *x, uint32_t off, uint32_t len)
{
	uint64_t a = x->off, ae = (uint64_t)x->off + x->len, b = off, be = (uint64_t)off + len;

	if (x->len == 0 && len == 0)
		return a == b;
	if (x->len == 0)
		return a > b && a < be;
	if (len == 0)
		return b > a && b < ae;
	return a < be && b < ae;
}

/* Sort key: by offset, an insertion before a replacement at the same offset. */
static inline int before(const struct sip_edit *x, uint32_t off, uint32_t len)
{
	return x->off < off || (x->off == off && x->len == 0 && len > 0);
}

/*
 * Copy n bytes to out + o; returns the new output position.  Most pieces
 * are short (an address, a port, the few bytes between two edits on one
 * line): up to 32 bytes go by sip_edits_copy() (edit.h).  Used for the
 * pool too.
 */
static inline size_t put(char *out, size_t o, const char *src, size_t n)
{
	char *d = out + o;

	if (n > 32) {
		/* up to 128 octets (the gaps between edits on the lines of
		 * one header or SDP section) in 32-octet steps, the last one
		 * ending at the end; longer by the C library */
		if (n > 128) {
			memcpy(d, src, n);
		} else {
			for (size_t k = 0; k + 32 < n; k += 32) {
				memcpy(d + k, src + k, 16);
				memcpy(d + k + 16, src + k + 16, 16);
			}
			memcpy(d + n - 32, src + n - 32, 16);
			memcpy(d + n - 16, src + n - 16, 16);
		}
	} else {
		sip_edits_copy(d, src, n);
	}
	return o + n;
}

/* Insert at pos, the general case: find the place, check both neighbours.
 * Kept out of line so that the in-order path below needs few registers. */
static __attribute__((noinline)) int add_sorted(struct sip_edits *e, uint32_t off, uint32_t len,
						const char *data, size_t data_len)
{
	unsigned pos = e->n;

	while (pos > 0 && !before(&e->v[pos - 1], off, len))
		pos--;
	if ((pos > 0 && clash(&e->v[pos - 1], off, len)) ||
	    (pos < e->n && clash(&e->v[pos], off, len)))
		return SIP_EEDIT;
	if (e->n >= e->cap || data_len > e->pool_cap - e->used)
		return SIP_ENOSPACE;
	memmove(&e->v[pos + 1], &e->v[pos], (e->n - pos) * sizeof(e->v[0]));
	e->v[pos] = (struct sip_edit){ off, len, e->used, (uint32_t)data_len };
	put(e->pool, e->used, data, data_len);
	e->used += (uint32_t)data_len;
	e->n++;
	e->next = next_of(&e->v[e->n - 1]);
	return 0;
}

/* The general path of sip_edits_add() (edit.h): out of range, out of
 * order, or data the inline path does not copy (none, or over 32
 * octets). */
int sip_edits_add_slow(struct sip_edits *e, uint32_t off, uint32_t len,
		       const char *data, size_t data_len)
{
	uint32_t used = e->used;
	struct sip_edit *x;

	if ((uint64_t)off + len > e->msg_len)
		return SIP_EEDIT;
	if (off < e->next)
		return add_sorted(e, off, len, data, data_len);
	if (e->n >= e->cap || data_len > e->pool_cap - used)
		return SIP_ENOSPACE;
	x = e->v + e->n;
	*x = (struct sip_edit){ off, len, used, (uint32_t)data_len };
	put(e->pool, used, data, data_len);
	e->used = used + (uint32_t)data_len;
	e->n++;
	e->next = off + len + (len == 0);
	return 0;
}

/*
 * The change in body length (*delta).  Edits must lie wholly in the header
 * section or wholly in the body: one that crosses the empty line or the
 * end of the body is SIP_EEDIT.  An insertion at the very start or end of
 * the body belongs to the body.  The list is sorted and without overlaps
 * (sip_edits_add), so the walk goes back from the last edit and stops at
 * the first one that ends by the body's start: every edit before it ends
 * by its start too.  *head is the index past that edit (0 if none).
 */
static int body_delta(const struct sip_msg *m, const struct sip_edits *e, int64_t *delta,
		      unsigned *head)
{
	uint64_t bs = m->body_off, be = (uint64_t)m->body_off + m->body_len;
	const struct sip_edit *x = e->v + e->n;
	int64_t d = 0;

	/* In the body: [s, t) inside [bs, be], which takes an insertion at
	 * either end.  Else wholly before it (t <= bs) or after it (s >= be):
	 * an insertion at bs or be was taken above.  Else it crosses. */
	while (x > e->v) {
		uint64_t s = (--x)->off, t = s + x->len;
		if (s >= bs && t <= be) {
			d += (int64_t)x->data_len - x->len;
		} else if (t <= bs) {
			x++;
			break;
		} else if (s < be) {
			return SIP_EEDIT;
		}
	}
	*delta = d;
	*head = (unsigned)(x - e->v);
	return 0;
}

/* Does edit x change the digits span v, or insert right against it? */
static int touches(const struct sip_edit *x, struct sip_span v)
{
	uint64_t xe = (uint64_t)x->off + x->len, ve = sip_span_end(v);

	if (x->len == 0)
		return x->off >= v.off && x->off <= ve;
	return x->off < ve && xe > v.off;
}

/* Content-Length headers rewritten per message: the parser accepts repeats
 * of one value (they must all change together); more is refused. */
#define EDIT_MAX_CLEN 4

/* v in decimal at d (no terminator); returns the digit count.  snprintf
 * costs ~700 instructions here, on every message whose SDP changes. */
static uint32_t put_decimal(char *d, uint64_t v)
{
	char tmp[20];
	uint32_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (uint32_t i = 0; i < n; i++)
		d[i] = tmp[n - 1 - i];
	return n;
}

/*
 * The Content-Length digits as one more edit per Content-Length header
 * (the parser accepts several when they agree).  Only when the header
 * exists (a datagram without one stays without one, RFC 3261 §18.3) and
 * the number actually changes, so an unedited "Content-Length: 007" stays
 * as written.  An edit of its own that touches a value is SIP_EEDIT: the
 * library owns that field.  Returns how many edits, or < 0.
 */
static int clen_edits(const struct sip_msg *m, const struct sip_edits *e, unsigned head,
		      int64_t newlen, struct sip_edit *ce, char *digits)
{
	uint32_t nd = 0;
	int nc = 0;

	if (m->clen_hdr < 0)
		return 0;
	if (newlen != m->content_length)
		nd = put_decimal(digits, (uint64_t)newlen);
	for (unsigned k = (unsigned)m->clen_hdr; k < m->nhdrs; k++) {
		struct sip_span v = m->hdrs[k].value;
		if (m->hdrs[k].id != SIP_HDR_CONTENT_LENGTH)
			continue;
		/* only the first head edits lie in the header section; sorted,
		 * without overlaps: their ends grow too, and one that ends
		 * before the digits begin is the last that could touch them */
		for (unsigned i = head; i-- > 0 && (uint64_t)e->v[i].off + e->v[i].len >= v.off;)
			if (touches(&e->v[i], v))
				return SIP_EEDIT;
		if (nc == EDIT_MAX_CLEN)
			return SIP_ECLEN;
		if (nd)
			ce[nc++] = (struct sip_edit){ v.off, v.len, 0, nd };
	}
	return nc;
}

/* The exact output length: the message, every edit, the Content-Length
 * edits. */
static int64_t out_len(const struct sip_msg *m, const struct sip_edits *e,
		       const struct sip_edit *ce, unsigned nc)
{
	int64_t total = m->len;

	for (unsigned k = 0; k < e->n; k++)
		total += (int64_t)e->v[k].data_len - e->v[k].len;
	for (unsigned k = 0; k < nc; k++)
		total += (int64_t)ce[k].data_len - ce[k].len;
	return total;
}

/* The message from *pos up to each edit of [x, end) and the edit's data
 * (at data_off in pool); *pos ends past the last one. */
static inline size_t put_edits(char *out, size_t o, uint32_t *pos, const char *buf,
			       const char *pool, const struct sip_edit *x,
			       const struct sip_edit *end)
{
	uint32_t p = *pos;

	for (; x < end; x++) {
		o = put(out, o, buf + p, x->off - p);
		o = put(out, o, pool + x->data_off, x->data_len);
		p = x->off + x->len;
	}
	*pos = p;
	return o;
}

int sip_render(const struct sip_msg *m, const struct sip_edits *e, char *out, size_t cap)
{
	struct sip_edit ce[EDIT_MAX_CLEN];
	char digits[32]; /* sip_edits_copy() may read 32 */
	const struct sip_edit *x = e->v, *const xend = e->v + e->n, *y;
	const char *const buf = m->buf, *const pool = e->pool;
	const uint32_t len = m->len;
	int64_t delta;
	uint32_t pos = 0;
	size_t o = 0;
	unsigned nc, head;
	int rc;

	if (e->msg_len != m->len)
		return SIP_EEDIT;
	rc = body_delta(m, e, &delta, &head);
	if (rc < 0)
		return rc;
	rc = clen_edits(m, e, head, (int64_t)m->body_len + delta, ce, digits);
	if (rc < 0)
		return rc;
	nc = (unsigned)rc;
	/* The output is at most the message, all the pool holds and the new
	 * digits (<= 20 a header): when that fits, so does the exact length. */
	if ((uint64_t)m->len + e->used + 20 * nc > cap && out_len(m, e, ce, nc) > (int64_t)cap)
		return SIP_ENOSPACE;
	/* The caller's edits up to each Content-Length edit, that one, and
	 * the rest (the two lists are sorted and never touch).  Locals,
	 * because the compiler must assume that writes to out change *e and
	 * *m. */
	for (unsigned k = 0; k < nc; k++) {
		for (y = x; y < xend && y->off <= ce[k].off; y++)
			;
		o = put_edits(out, o, &pos, buf, pool, x, y);
		o = put(out, o, buf + pos, ce[k].off - pos);
		sip_edits_copy(out + o, digits, ce[k].data_len); /* <= 20 digits */
		o += ce[k].data_len;
		pos = ce[k].off + ce[k].len;
		x = y;
	}
	o = put_edits(out, o, &pos, buf, pool, x, xend);
	return (int)put(out, o, buf + pos, len - pos);
}
