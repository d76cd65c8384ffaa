/*
 * body.c - find the SDP in a message body, plain or multipart (body.h).
 *
 * The message's Content-Type decides (RFC 3261 §20.15): application/sdp is
 * the whole body; multipart/ is walked by its boundary (RFC 2046 §5.1.1):
 *
 *   body      = preamble dash-boundary padding CRLF part
 *               *( CRLF dash-boundary padding CRLF part )
 *               CRLF dash-boundary "--" epilogue
 *
 * The CRLF before each dash-boundary belongs to the delimiter, not to the
 * part, so the part span stops before it and an edit inside the part can
 * never touch a boundary.  Parts may be multipart themselves (RFC 5621
 * §3.1); they are walked to a fixed depth.  LF alone is accepted wherever
 * CRLF is, as the message parser accepts it in headers.
 */
#include "body.h"
#include "lex.h"
#include "limits.h"

#include <string.h>

/* multipart nested in multipart (SIP_MAX_PART_DEPTH): deep enough for
 * SDP+ISUP inside multipart/alternative, shallow enough to bound the
 * work. */

/* RFC 2046 §5.1.1: boundary := 0*69<bchars> bcharsnospace */
#define BODY_MAX_BOUNDARY 70u

struct mtype {
	struct sip_span type, subtype, params;
};

struct sdp_list {
	struct sip_span *v;
	unsigned n, cap;
	unsigned parts;
	/* sip_body_part_lengths(): the part Content-Lengths around `target` */
	struct sip_span target;
	struct sip_part_length *lens;
	unsigned nlens;
};

static int is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* tspecials (RFC 2045 §5.1) plus SP, HT, CR, LF. */
static const uint8_t tspecial[256] = {
	['('] = 1, [')'] = 1, ['<'] = 1, ['>'] = 1, ['@'] = 1, [','] = 1, [';'] = 1,
	[':'] = 1, ['\\'] = 1, ['"'] = 1, ['/'] = 1, ['['] = 1, [']'] = 1, ['?'] = 1,
	['='] = 1, [' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1,
};

static int is_tspecial(char c)
{
	return tspecial[(unsigned char)c];
}

static uint32_t skip_lws(const char *b, uint32_t i, uint32_t end)
{
	while (i < end && is_lws(b[i]))
		i++;
	return i;
}

static uint32_t token_end(const char *b, uint32_t i, uint32_t end)
{
	while (i < end && !is_tspecial(b[i]) && (unsigned char)b[i] > 32 && b[i] != 127)
		i++;
	return i;
}

/* media-type = m-type SLASH m-subtype *(SEMI m-parameter) (RFC 3261 §20.15,
 * SLASH and SEMI allow LWS around them). */
static int mtype_parse(const char *b, struct sip_span v, struct mtype *t)
{
	uint32_t i = skip_lws(b, v.off, sip_span_end(v)), e = sip_span_end(v), j;

	j = token_end(b, i, e);
	t->type = sip_span_make(i, j - i);
	i = skip_lws(b, j, e);
	if (t->type.len == 0 || i >= e || b[i] != '/')
		return -1;
	i = skip_lws(b, i + 1, e);
	j = token_end(b, i, e);
	t->subtype = sip_span_make(i, j - i);
	i = skip_lws(b, j, e);
	if (t->subtype.len == 0 || (i < e && b[i] != ';'))
		return -1;
	t->params = i < e ? sip_span_make(i + 1, e - i - 1) : sip_span_make(e, 0);
	return 0;
}

/* Find the boundary parameter, token or quoted-string (RFC 2045 §5.1). */
static int mtype_boundary(const char *b, const struct mtype *t, struct sip_span *bnd)
{
	uint32_t i = t->params.off, e = sip_span_end(t->params);

	while (i < e) {
		uint32_t ns = skip_lws(b, i, e), ne = token_end(b, ns, e), vs, ve;
		i = skip_lws(b, ne, e);
		if (i >= e || b[i] != '=')
			return -1;
		vs = skip_lws(b, i + 1, e);
		if (vs < e && b[vs] == '"') {
			ve = ++vs;
			while (ve < e && b[ve] != '"')
				ve += (b[ve] == '\\') ? 2 : 1;
			if (ve >= e)
				return -1;
			i = ve + 1;
		} else {
			i = ve = token_end(b, vs, e);
		}
		if (sip_span_caseeq(b, sip_span_make(ns, ne - ns), "boundary")) {
			*bnd = sip_span_make(vs, ve - vs);
			return bnd->len > 0 && bnd->len <= BODY_MAX_BOUNDARY ? 0 : -1;
		}
		i = skip_lws(b, i, e);
		if (i < e && b[i++] != ';')
			return -1;
	}
	return -1;
}

/*
 * Find the next delimiter line "--boundary" at or after `from` that starts
 * a line (or the body).  Returns its offset and sets *after to the first
 * byte of the next part (or of the epilogue) and *close for the final
 * "--boundary--".  Returns -1 if there is none.
 */
static int64_t delim_find(const char *b, uint32_t start, uint32_t from, uint32_t end,
			  struct sip_span bnd, uint32_t *after, int *close)
{
	const char *bs = b + bnd.off;

	while (from + 2 + bnd.len <= end) {
		const char *hit = memmem(b + from, end - from, bs, bnd.len);
		uint32_t d, i;

		if (!hit)
			return -1;
		d = (uint32_t)(hit - b);
		from = d + 1;
		if (d < start + 2 || b[d - 1] != '-' || b[d - 2] != '-')
			continue;
		d -= 2;
		if (d != start && b[d - 1] != '\n')
			continue;
		i = d + 2 + bnd.len;
		*close = i + 1 < end && b[i] == '-' && b[i + 1] == '-';
		if (*close) {
			*after = i + 2;
			return d;
		}
		while (i < end && (b[i] == ' ' || b[i] == '\t'))
			i++; /* transport-padding */
		if (i < end && b[i] == '\r')
			i++;
		if (i < end && b[i] == '\n') {
			*after = i + 1;
			return d;
		}
	}
	return -1;
}

/* The end of a part: the line terminator before its delimiter is not part
 * of it. */
static uint32_t part_end(const char *b, uint32_t start, uint32_t delim)
{
	uint32_t e = delim;

	if (e > start && b[e - 1] == '\n')
		e--;
	if (e > start && b[e - 1] == '\r')
		e--;
	return e;
}

/* The value of a part header line [colon, ve) if it is `name`:, LWS
 * trimmed. */
static void part_field(const char *b, uint32_t p, uint32_t colon, uint32_t ve,
		       const char *name, struct sip_span *v)
{
	if (!sip_span_caseeq(b, sip_span_make(p, colon - p), name))
		return;
	colon = skip_lws(b, colon, ve);
	if (colon >= ve || b[colon] != ':')
		return;
	colon = skip_lws(b, colon + 1, ve);
	while (ve > colon && is_lws(b[ve - 1]))
		ve--;
	*v = sip_span_make(colon, ve - colon);
}

/*
 * Read a part's header section [p, end).  Sets *ct to the Content-Type
 * value and *cl to the Content-Length value (NONE if absent) and returns
 * the offset of the content, or -1 if the header section has no end.
 */
static int64_t part_headers(const char *b, uint32_t p, uint32_t end, struct sip_span *ct,
			    struct sip_span *cl)
{
	*ct = *cl = SIP_SPAN_NONE;
	while (p < end) {
		const char *nl = memchr(b + p, '\n', end - p);
		uint32_t le, ve, colon;

		if (!nl)
			return -1;
		le = (uint32_t)(nl - b);
		if (le == p || (le == p + 1 && b[p] == '\r'))
			return le + 1;
		/* The logical line: following lines that start with WSP fold in. */
		ve = le;
		while (ve + 1 < end && (b[ve + 1] == ' ' || b[ve + 1] == '\t')) {
			nl = memchr(b + ve + 1, '\n', end - ve - 1);
			if (!nl)
				return -1;
			ve = (uint32_t)(nl - b);
		}
		colon = token_end(b, p, ve);
		part_field(b, p, colon, ve, "content-type", ct);
		part_field(b, p, colon, ve, "content-length", cl);
		p = ve + 1;
	}
	return -1;
}

static int walk(const char *b, struct sip_span body, struct sip_span ct,
		struct sdp_list *out, unsigned depth);

/* One part [s, e): look at its headers, then its content. */
static int part_visit(const char *b, uint32_t s, uint32_t e, struct sdp_list *out,
		      unsigned depth)
{
	struct sip_span ct, cl;
	int64_t c;

	if (++out->parts > SIP_MAX_PARTS)
		return SIP_ETOOMANYPARTS;
	c = part_headers(b, s, e, &ct, &cl);
	if (c < 0)
		return SIP_EMULTIPART;
	if (out->lens && sip_span_present(cl) && out->target.off >= (uint32_t)c &&
	    sip_span_end(out->target) <= e && out->nlens < SIP_MAX_PART_DEPTH)
		out->lens[out->nlens++] = (struct sip_part_length){
			cl, sip_span_make((uint32_t)c, e - (uint32_t)c)
		};
	/* No Content-Type: text/plain (RFC 2046 §5.1.1), never SDP. */
	if (!sip_span_present(ct))
		return 0;
	return walk(b, sip_span_make((uint32_t)c, e - (uint32_t)c), ct, out, depth + 1);
}

/* Walk a multipart body with this boundary. */
static int multipart(const char *b, struct sip_span body, struct sip_span bnd,
		     struct sdp_list *out, unsigned depth)
{
	uint32_t start = body.off, end = sip_span_end(body), after;
	int close = 0, rc;
	int64_t d = delim_find(b, start, start, end, bnd, &after, &close);

	while (d >= 0 && !close) {
		uint32_t ps = after;
		d = delim_find(b, start, ps, end, bnd, &after, &close);
		if (d < 0)
			break;
		rc = part_visit(b, ps, part_end(b, ps, (uint32_t)d), out, depth);
		if (rc < 0)
			return rc;
	}
	return close ? 0 : SIP_EMULTIPART;
}

/* A body of Content-Type `ct`: record it if it is SDP, walk it if it is
 * multipart, ignore it otherwise. */
static int walk(const char *b, struct sip_span body, struct sip_span ct,
		struct sdp_list *out, unsigned depth)
{
	struct mtype t;
	struct sip_span bnd;

	if (mtype_parse(b, ct, &t) < 0)
		return depth ? SIP_EMULTIPART : 0;
	if (sip_span_caseeq(b, t.type, "application") && sip_span_caseeq(b, t.subtype, "sdp")) {
		if (body.len == 0)
			return 0;
		if (out->n < out->cap)
			out->v[out->n] = body;
		out->n++;
		return 0;
	}
	if (!sip_span_caseeq(b, t.type, "multipart"))
		return 0;
	if (depth >= SIP_MAX_PART_DEPTH || mtype_boundary(b, &t, &bnd) < 0)
		return SIP_EMULTIPART;
	return multipart(b, body, bnd, out, depth);
}

/* Walk the body by the message's first Content-Type. */
static int walk_body(const struct sip_msg *m, struct sdp_list *out)
{
	int h = sip_msg_find(m, SIP_HDR_CONTENT_TYPE, -1);

	if (h < 0)
		return 0;
	return walk(m->buf, sip_span_make(m->body_off, m->body_len), m->hdrs[h].value, out, 0);
}

int sip_body_sdps(const struct sip_msg *m, struct sip_span *v, unsigned cap)
{
	struct sdp_list out = { .v = v, .cap = cap };
	int rc = walk_body(m, &out);

	if (rc < 0)
		return rc;
	return out.n > cap ? SIP_ENOSPACE : (int)out.n;
}

int sip_body_part_lengths(const struct sip_msg *m, struct sip_span sdp,
			  struct sip_part_length *v)
{
	struct sip_span none[1];
	struct sdp_list out = { .v = none, .cap = 1, .target = sdp, .lens = v };
	int rc;

	if (sdp.off == m->body_off && sdp.len == m->body_len)
		return 0;
	rc = walk_body(m, &out);
	return rc < 0 ? rc : (int)out.nlens;
}

/* LX_NAME_IS(b, v, "application/sdp") in two 8-byte compares: letters
 * match in either case (bit 0x20 forced on), the '/' only as itself. */
static int is_application_sdp(const char *b, struct sip_span v)
{
	static const char lit[16] = "application/sdp";
	static const char fold[16] = "           \0    ";
	uint64_t x, y, l1, l2, f1, f2;

	if (v.len != 15 || !sip_span_present(v))
		return 0;
	memcpy(&x, b + v.off, 8);
	memcpy(&y, b + v.off + 7, 8);
	memcpy(&l1, lit, 8);
	memcpy(&l2, lit + 7, 8);
	memcpy(&f1, fold, 8);
	memcpy(&f2, fold + 7, 8);
	return ((x | f1) ^ l1) == 0 && ((y | f2) ^ l2) == 0;
}

int sip_body_sdp(const struct sip_msg *m, struct sip_span *sdp)
{
	struct sip_span v[SIP_MAX_PARTS];
	int h = sip_msg_find(m, SIP_HDR_CONTENT_TYPE, -1), n;

	/* The common case, a plain "application/sdp" with no parameters, is
	 * what walk() would conclude; no need to take the type apart. */
	if (h >= 0 && is_application_sdp(m->buf, m->hdrs[h].value)) {
		*sdp = sip_span_make(m->body_off, m->body_len);
		return m->body_len > 0;
	}
	n = sip_body_sdps(m, v, SIP_MAX_PARTS);

	if (n <= 0)
		return n;
	*sdp = v[0];
	return 1;
}
