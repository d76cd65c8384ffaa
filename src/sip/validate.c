/*
 * validate.c - sip_msg_validate(): the full syntax check that sip_msg_parse()
 * leaves out of the hot path (RFC 3261 §7, §8.1.1, §20, §25.1).
 *
 * In order: the Request-URI and reason phrase, then every header's value
 * (one row per header id below; unknown headers get the generic octet
 * check), then the rules across headers: mandatory headers (§8.1.1),
 * single-value headers, CSeq method equal to the request method (§8.1.1.5),
 * Content-Type with a body (§20.15), the Via limit.  The first failure is
 * returned, with m->err_off at the offending value.  Verdicts for RFC 4475
 * are listed in docs/wire-library.md.
 *
 * Each value is parsed once, into the caller's struct sip_valid when the
 * caller keeps them (validate.h): the top Via, CSeq, From, To, the
 * Request-URI and the Contact / Route-like items.
 */
#include "validate.h"
#include "lex.h"
#include "limits.h"

static int fail(struct sip_msg *m, int err, uint32_t off)
{
	m->err_off = off;
	return err;
}

/* Any octet < 0x20 or 0x7f in the 8 bytes of x (bytes >= 0x80, UTF-8, are
 * not CTLs): the "has a byte less than n" word trick, twice. */
static inline int word_has_ctl(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t del = x ^ (0x7f * ones);

	return (((x - 0x20 * ones) & ~x) | ((del - ones) & ~del)) & high ? 1 : 0;
}

/* No CTL at all in the value: the usual header, checked a word at a time
 * (the values are short; a vector scan's setup costs more than this). */
static int no_ctl(const char *b, struct sip_span v)
{
	const unsigned char *p = (const unsigned char *)b + v.off;
	uint32_t n = v.len, i = 0;
	uint64_t w;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		if (word_has_ctl(w))
			return 0;
	}
	if (n >= 8 && i < n) { /* the last word, overlapping the one before */
		memcpy(&w, p + n - 8, 8);
		return !word_has_ctl(w);
	}
	for (; i < n; i++)
		if (p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

/* Generic octets (TEXT-UTF8, LWS): no CTL except HT, folds and a CTL that a
 * backslash escapes (quoted-pair, RFC 4475 intmeth). */
static int text_ok(const char *b, struct sip_span v)
{
	if (no_ctl(b, v))
		return 0;
	for (uint32_t i = v.off, e = v.off + v.len; (i = lx_find_ctl(b, i, e)) < e; i++) {
		unsigned char c = (unsigned char)b[i];
		if (c == '\r' || c == '\n') {
			uint32_t k = lx_skip_lws(b, i, e);
			if (k == i)
				return SIP_ECHAR;
			i = k - 1;
		} else if (c != '\t' && (i == v.off || b[i - 1] != '\\')) {
			return SIP_ECHAR;
		}
	}
	return 0;
}

/* Which of the two steps of sip_*_parse_next() failed with r, at the list
 * position `at`: the split (its error) or the item parser (then 0).  The
 * verdicts below are those of sip_list_next() + the item parser, which
 * map the two steps' errors differently; this runs only on a failure. */
static int split_error(const char *b, struct sip_span at)
{
	struct sip_span item;
	int r = sip_list_next(b, &at, &item);

	return r < 0 ? r : 0;
}

/* The first item of the first Via goes to *top, the others to a scratch.
 * A split error keeps SIP_EQUOTE, anything else is SIP_EVIA. */
static int chk_via(const char *b, struct sip_span v, unsigned *nvias, struct sip_via *top)
{
	struct sip_span rest = v, at = v;
	struct sip_via via;
	int r;

	if (v.len == 0)
		return SIP_EVIA;
	while ((r = sip_via_parse_next(*nvias ? &via : top, b, &rest)) > 0) {
		if (++*nvias > SIP_MAX_VIAS)
			return SIP_ETOOMANYVIAS;
		at = rest;
	}
	if (r < 0 && (r = split_error(b, at)) == 0)
		return SIP_EVIA; /* the item did not parse */
	return r < 0 ? (r == SIP_EQUOTE ? r : SIP_EVIA) : 0;
}

/* contact-params: q = qvalue, expires = delta-seconds (RFC 4475 scalar02). */
static int contact_params_ok(const char *b, const struct sip_addr *a)
{
	struct sip_span q;

	if (sip_span_present(a->expires) && sip_value_uint(b, a->expires, 0xffffffffu) < 0)
		return SIP_EVALUE;
	if (sip_param_find(b, a->params, "q", &q) && sip_span_present(q)) {
		/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
		const char *p = b + q.off;
		uint32_t n = q.len;
		if (n == 0 || (p[0] != '0' && p[0] != '1') || (n > 1 && p[1] != '.') || n > 5)
			return SIP_EVALUE;
		for (uint32_t k = 2; k < n; k++)
			if (p[k] < '0' || p[k] > (p[0] == '1' ? '0' : '9'))
				return SIP_EVALUE;
	}
	return 0;
}

/* From / To: one address, kept in *keep (the first header of its id). */
static int chk_addr1(const char *b, struct sip_span v, struct sip_addr *keep)
{
	int r = sip_addr_parse(keep, b, v);

	if (r < 0)
		return r;
	return keep->star ? SIP_EADDR : 0;
}

/* A comma list of name-addr / addr-spec.  mode: 0 Contact ("*" alone or
 * addresses), 1 Route-like (name-addr only).  Items are parsed straight
 * into vd->addrs while there is room (hdr: this header's index). */
static int chk_addrs(const char *b, struct sip_span v, int mode, struct sip_valid *vd,
		     unsigned hdr)
{
	struct sip_span rest = v, at;
	struct sip_addr tmp;
	int r, n = 0;

	for (;;) {
		struct sip_valid_addr *k =
		    vd->naddrs < SIP_VALID_ADDRS ? &vd->addrs[vd->naddrs] : NULL;
		struct sip_addr *a = k ? &k->a : &tmp;
		at = rest;
		if ((r = sip_addr_parse_next(a, b, &rest)) <= 0)
			break;
		if ((a->star && (mode != 0 || n > 0 || rest.len)) || (mode == 1 && !a->bracketed))
			return SIP_EADDR;
		if (mode == 0 && (r = contact_params_ok(b, a)) < 0)
			return r;
		if (k) {
			k->hdr = (uint16_t)hdr;
			vd->naddrs++;
		}
		vd->addrs_all++;
		n++;
	}
	if (r < 0 && split_error(b, at) == 0)
		return r; /* the item's own error, as sip_addr_parse() said it */
	if (r == SIP_EQUOTE)
		return r;
	return r < 0 || n == 0 ? SIP_EADDR : 0;
}

/* The usual list, "INVITE, ACK, BYE": tokens and commas with only SP
 * around them, read in one loop (the general walk below calls out for the
 * SP after every comma).  1: it is one, so chk_tokens() would pass it;
 * 0: let chk_tokens() judge. */
static int tokens_plain(const char *b, struct sip_span v)
{
	const unsigned char *p = (const unsigned char *)b + v.off, *e = p + v.len;

	while (p < e) {
		if (!(sip_lex[*p] & LX_TOKEN))
			return 0;
		while (p < e && (sip_lex[*p] & LX_TOKEN))
			p++;
		while (p < e && *p == ' ')
			p++;
		if (p == e)
			return 1;
		if (*p++ != ',')
			return 0;
		while (p < e && *p == ' ')
			p++;
		if (p == e)
			return 0; /* a trailing comma */
	}
	return 1;
}

/* token *(COMMA token), COMMA = SWS "," SWS (Require, Supported, Allow,
 * ...), in one pass; an empty value is allowed (§20.5 Allow). */
static int chk_tokens(const char *b, struct sip_span v)
{
	uint32_t i = v.off, e = v.off + v.len;

	if (tokens_plain(b, v))
		return 0;

	while (i < e) {
		uint32_t n = lx_span_cls(b, i, e, LX_TOKEN);
		if (n == 0)
			return SIP_EVALUE;
		i = lx_skip_lws(b, i + n, e);
		if (i == e)
			break;
		if (b[i] != ',' || (i = lx_skip_lws(b, i + 1, e)) == e)
			return SIP_EVALUE;
	}
	return 0;
}

static int word_in(const char *p, const char *list)
{
	for (; *list; list += 3)
		if (!memcmp(p, list, 3))
			return 1;
	return 0;
}

/* rfc1123-date = wkday "," SP date1 SP time SP "GMT" (§20.17; RFC 4475
 * baddate): "Sat, 13 Nov 2010 23:29:00 GMT", nothing else. */
static int chk_date(const char *b, struct sip_span v)
{
	static const char pat[] = "www, dd mmm dddd dd:dd:dd GMT";
	const char *p = b + v.off;

	if (v.len != sizeof(pat) - 1)
		return SIP_EVALUE;
	for (uint32_t k = 0; k < v.len; k++) {
		if (pat[k] == 'd' ? !lx_is((unsigned char)p[k], LX_DIGIT)
				  : (pat[k] != 'w' && pat[k] != 'm' && pat[k] != p[k]))
			return SIP_EVALUE;
	}
	if (!word_in(p, "MonTueWedThuFriSatSun") ||
	    !word_in(p + 8, "JanFebMarAprMayJunJulAugSepOctNovDec"))
		return SIP_EVALUE;
	return 0;
}

/* Retry-After = delta-seconds [ comment ] *( SEMI retry-param ) */
static int chk_retry_after(const char *b, struct sip_span v)
{
	uint32_t n = lx_span_cls(b, v.off, v.off + v.len, LX_DIGIT);

	return sip_span_uint(b, sip_span_make(v.off, n), 0xffffffffu) < 0 ? SIP_EVALUE : 0;
}

/* warning-value = warn-code SP warn-agent SP warn-text, warn-code = 3DIGIT */
static int chk_warning(const char *b, struct sip_span v)
{
	struct sip_span rest = v, item;
	int r;

	while ((r = sip_list_next(b, &rest, &item)) > 0) {
		const char *p = b + item.off;
		if (item.len < 5 || lx_span_cls(b, item.off, item.off + item.len, LX_DIGIT) != 3 ||
		    p[3] != ' ')
			return SIP_EVALUE;
	}
	return r < 0 ? SIP_EVALUE : 0;
}

/* Headers whose own grammar admits no CTL octet (every part is a token,
 * a URI, digits, LWS or a strict quoted string), so the generic octet scan
 * would only repeat it. */
static const uint8_t ctl_free[SIP_HDR__COUNT] = {
	[SIP_HDR_VIA] = 1,          [SIP_HDR_FROM] = 1,          [SIP_HDR_TO] = 1,
	[SIP_HDR_CONTACT] = 1,      [SIP_HDR_ROUTE] = 1,         [SIP_HDR_RECORD_ROUTE] = 1,
	[SIP_HDR_PATH] = 1,         [SIP_HDR_SERVICE_ROUTE] = 1, [SIP_HDR_CALL_ID] = 1,
	[SIP_HDR_CSEQ] = 1,         [SIP_HDR_MAX_FORWARDS] = 1,  [SIP_HDR_EXPIRES] = 1,
	[SIP_HDR_MIN_EXPIRES] = 1,  [SIP_HDR_RSEQ] = 1,          [SIP_HDR_DATE] = 1,
	[SIP_HDR_REQUIRE] = 1,      [SIP_HDR_PROXY_REQUIRE] = 1, [SIP_HDR_SUPPORTED] = 1,
	[SIP_HDR_UNSUPPORTED] = 1,  [SIP_HDR_ALLOW] = 1,         [SIP_HDR_CONTENT_LENGTH] = 1,
};

/* The run of one validation: the message, what is kept, and the census of
 * header ids (count[id]: how many; differ[id]: a later one's value is not
 * byte-identical to the first, other[id] its index). */
struct vrun {
	struct sip_msg *m;
	struct sip_valid *v;
	unsigned nvias;
	uint8_t count[SIP_HDR__COUNT];
	uint8_t differ[SIP_HDR__COUNT];
	int16_t other[SIP_HDR__COUNT];
	uint8_t any_differ;         /* some differ[] is set */
};

static int chk_value(struct vrun *run, const struct sip_hdr *h, unsigned k)
{
	const char *b = run->m->buf;
	struct sip_valid *v = run->v;
	struct sip_cseq cs;
	struct sip_ctype ct;
	struct sip_addr tmp;
	int r = ctl_free[h->id] ? 0 : text_ok(b, h->value);
	int first = run->count[h->id] == 0;

	if (r < 0)
		return r;
	switch (h->id) {
	case SIP_HDR_VIA:
		return chk_via(b, h->value, &run->nvias, &v->top_via);
	case SIP_HDR_FROM:
		return chk_addr1(b, h->value, first ? &v->from : &tmp);
	case SIP_HDR_TO:
		return chk_addr1(b, h->value, first ? &v->to : &tmp);
	case SIP_HDR_CONTACT:
		return chk_addrs(b, h->value, 0, v, k);
	case SIP_HDR_ROUTE:
	case SIP_HDR_RECORD_ROUTE:
	case SIP_HDR_PATH:
	case SIP_HDR_SERVICE_ROUTE:
		return chk_addrs(b, h->value, 1, v, k);
	case SIP_HDR_CALL_ID:
		return sip_callid_check(b, h->value);
	case SIP_HDR_CSEQ:
		return sip_cseq_parse(first ? &v->cseq : &cs, b, h->value);
	case SIP_HDR_MAX_FORWARDS:
		return sip_value_uint(b, h->value, 255) < 0 ? SIP_EVALUE : 0;
	case SIP_HDR_EXPIRES:
	case SIP_HDR_MIN_EXPIRES:
	case SIP_HDR_RSEQ:
		return sip_value_uint(b, h->value, 0xffffffffu) < 0 ? SIP_EVALUE : 0;
	case SIP_HDR_CONTENT_TYPE:
		return sip_ctype_parse(&ct, b, h->value);
	case SIP_HDR_DATE:
		return chk_date(b, h->value);
	case SIP_HDR_RETRY_AFTER:
		return chk_retry_after(b, h->value);
	case SIP_HDR_WARNING:
		return chk_warning(b, h->value);
	case SIP_HDR_REQUIRE:
	case SIP_HDR_PROXY_REQUIRE:
	case SIP_HDR_SUPPORTED:
	case SIP_HDR_UNSUPPORTED:
	case SIP_HDR_ALLOW:
		return chk_tokens(b, h->value);
	default:
		return 0;
	}
}

/* Start line: the Request-URI's grammar (no escaped headers in a SIP
 * Request-URI, §19.1.1 table; RFC 4475 escruri), the reason phrase's text. */
static int chk_start(struct sip_msg *m, struct sip_uri *u)
{
	if (!m->is_request)
		return text_ok(m->buf, m->reason) < 0 ? fail(m, SIP_ESTARTLINE, m->reason.off) : 0;
	if (sip_uri_parse(u, m->buf, m->ruri) < 0 || sip_span_present(u->headers))
		return fail(m, SIP_EURI, m->ruri.off);
	return 0;
}

/* Headers that a message carries exactly once (§20, §8.1.1). */
static const uint8_t single[] = {
	SIP_HDR_CALL_ID, SIP_HDR_CSEQ, SIP_HDR_FROM, SIP_HDR_TO, SIP_HDR_MAX_FORWARDS,
	SIP_HDR_CONTENT_LENGTH, SIP_HDR_CONTENT_TYPE, SIP_HDR_EXPIRES,
};
/* Mandatory in requests and responses (§8.1.1; Max-Forwards is not here
 * so that an RFC 2543 request still passes, RFC 4475 §3.4.1 inv2543). */
static const uint8_t mandatory[] = {
	SIP_HDR_TO, SIP_HDR_FROM, SIP_HDR_CSEQ, SIP_HDR_CALL_ID, SIP_HDR_VIA,
};

static void census_add(struct vrun *run, unsigned k)
{
	const struct sip_msg *m = run->m;
	const struct sip_hdr *h = &m->hdrs[k];
	uint8_t id = h->id;

	if (run->count[id] == 0) {
		run->v->first[id] = (int16_t)k;
	} else {
		struct sip_span f = m->hdrs[run->v->first[id]].value;
		if (f.len != h->value.len || memcmp(m->buf + f.off, m->buf + h->value.off, f.len)) {
			run->differ[id] = 1;
			run->other[id] = (int16_t)k;
			run->any_differ = 1;
		}
	}
	if (run->count[id] < 255)
		run->count[id]++;
}

static int chk_cross(struct vrun *run)
{
	struct sip_msg *m = run->m;
	const struct sip_cseq *cs = &run->v->cseq;

	for (size_t i = 0; i < sizeof(mandatory); i++)
		if (!run->count[mandatory[i]])
			return fail(m, SIP_EMISSING, m->hdr_end);
	/* A byte-identical repeat (a sipp 200 OK with two equal Content-Types)
	 * cannot be read two ways; a differing one can (RFC 4475 multi01). */
	for (size_t i = 0; run->any_differ && i < sizeof(single); i++)
		if (run->differ[single[i]])
			return fail(m, SIP_EMULTI, m->hdrs[run->other[single[i]]].name.off);
	if (m->is_request && (cs->method_s.len != m->method_s.len ||
			      memcmp(m->buf + cs->method_s.off, m->buf + m->method_s.off,
				     cs->method_s.len)))
		return fail(m, SIP_ECSEQ, cs->method_s.off);
	if (m->body_len > 0 && !run->count[SIP_HDR_CONTENT_TYPE])
		return fail(m, SIP_EMISSING, m->hdr_end);
	return 0;
}

int sip_msg_validate_keep(struct sip_msg *m, struct sip_valid *v)
{
	struct vrun run;
	int r;

	run.m = m;
	run.v = v;
	run.nvias = 0;
	memset(run.count, 0, sizeof(run.count));
	memset(run.differ, 0, sizeof(run.differ));
	run.any_differ = 0;
	memset(v->first, 0xff, sizeof(v->first));
	v->naddrs = v->addrs_all = 0;
	if ((r = chk_start(m, &v->ruri)) < 0)
		return r;
	for (unsigned k = 0; k < m->nhdrs; k++) {
		const struct sip_hdr *h = &m->hdrs[k];
		if ((r = chk_value(&run, h, k)) < 0)
			return fail(m, r, h->value.off);
		census_add(&run, k);
	}
	return chk_cross(&run);
}

int sip_msg_validate(struct sip_msg *m)
{
	struct sip_valid v;

	return sip_msg_validate_keep(m, &v);
}
