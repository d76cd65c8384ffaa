/*
 * startline.c - the start line of a SIP message: Request-Line or
 * Status-Line (RFC 3261 §7.1, §7.2, §25.1; RFC 4475 for the odd ones),
 * for sip_msg_parse() (msg.c).  See startline.h for the contract.
 *
 * Only the framing is checked here: the Request-URI's own grammar is
 * sip_msg_validate()'s.  The common case ("METHOD uri SIP/2.0" with a
 * known method) is sip_request_line_fast() (startline.h, inline) and takes
 * a few fixed loads; here it takes a few more, and anything else is read
 * octet by octet.
 */
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <string.h>

#include "lex.h"
#include "startline.h"

/* What the functions below share. */
struct pstate {
	struct sip_msg *m;
	const char *b;
	uint32_t end; /* loads stay below (the caller's lim) */
};

static int fail(struct pstate *ps, int err, uint32_t off)
{
	ps->m->err_off = off;
	return err;
}

/* The seven octets at p are "SIP/2.0", "SIP" in any case. */
static inline int is_sip20(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return (v | sip_sl_le32(32, 32, 32, 0)) == sip_sl_le32('s', 'i', 'p', '/') && p[4] == '2' &&
	       p[5] == '.' && p[6] == '0';
}

/* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, case-insensitive (§7.1).
 * Only 2.0 is accepted; another well-formed version is SIP_EVERSION. */
static int parse_version(struct pstate *ps, uint32_t i, uint32_t e)
{
	const char *b = ps->b;
	uint32_t d1, d2;

	/* the common case first: "SIP/2.0", "SIP" in any case */
	if (e - i == 7 && is_sip20(b + i))
		return 0;
	if (e - i < 5 || (b[i] | 32) != 's' || (b[i + 1] | 32) != 'i' ||
	    (b[i + 2] | 32) != 'p' || b[i + 3] != '/')
		return fail(ps, SIP_ESTARTLINE, i);
	d1 = lx_span_cls(b, i + 4, e, LX_DIGIT);
	if (d1 == 0 || i + 4 + d1 >= e || b[i + 4 + d1] != '.')
		return fail(ps, SIP_ESTARTLINE, i);
	d2 = lx_span_cls(b, i + 5 + d1, e, LX_DIGIT);
	if (d2 == 0 || i + 5 + d1 + d2 != e)
		return fail(ps, SIP_ESTARTLINE, i);
	if (e - i != 7 || b[i + 4] != '2' || b[i + 6] != '0')
		return fail(ps, SIP_EVERSION, i);
	return 0;
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF (§7.2).
 * A missing SP before an empty reason is tolerated. */
static int parse_status(struct pstate *ps, uint32_t i, uint32_t e)
{
	struct sip_msg *m = ps->m;
	const char *b = ps->b;
	uint32_t sp = i, nd;
	int r;

	while (sp < e && b[sp] != ' ')
		sp++;
	if ((r = parse_version(ps, i, sp)) < 0)
		return r;
	m->version = sip_span_make(i, sp - i);
	if (sp == e)
		return fail(ps, SIP_ESTARTLINE, sp);
	nd = lx_span_cls(b, sp + 1, e, LX_DIGIT);
	if (sp + 1 + nd < e && b[sp + 1 + nd] != ' ')
		return fail(ps, SIP_ESTARTLINE, sp + 1 + nd);
	if (nd != 3)
		return fail(ps, nd > 3 ? SIP_ESTATUS : SIP_ESTARTLINE, sp + 1);
	m->status_s = sip_span_make(sp + 1, 3);
	m->status = (uint16_t)((b[sp + 1] - '0') * 100 + (b[sp + 2] - '0') * 10 +
			       (b[sp + 3] - '0'));
	if (m->status < 100 || m->status > 699)
		return fail(ps, SIP_ESTATUS, sp + 1);
	m->reason = sp + 4 < e ? sip_span_make(sp + 5, e - sp - 5) : sip_span_make(e, 0);
	return 0;
}

/* Request-Line = Method SP Request-URI SP SIP-Version CRLF (§7.1).  Single
 * SPs only (RFC 4475 lwsstart, trws), no SP/HT or <> in the URI (lwsruri,
 * ltgtruri); the URI's own grammar (other CTLs included) is checked by
 * sip_msg_validate(). */
/* The method of a request line from i (e its end) when it is a known
 * one, found without a walk over its octets: the first SP in the sixteen
 * octets at i (lim: loads stay below it) ends it, and a known method is
 * all token octets, so lx_span_cls() would stop there too.  Its length
 * with *id set, or 0 (*id untouched): the caller walks the token. */
static inline uint32_t known_method(const char *b, uint32_t i, uint32_t e, uint32_t lim,
				    enum sip_method *id)
{
#ifdef __SSE2__
	if (i + 16 <= lim) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
		unsigned sp = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
		uint32_t n = sp ? (uint32_t)__builtin_ctz(sp) : 0;
		enum sip_method k;

		if (n && i + n < e && (k = sip_method_lookup(b + i, n)) != SIP_METHOD_OTHER) {
			*id = k;
			return n;
		}
	}
#else
	(void)b, (void)i, (void)e, (void)lim, (void)id;
#endif
	return 0;
}

static int parse_request(struct pstate *ps, uint32_t i, uint32_t e)
{
	struct sip_msg *m = ps->m;
	const char *b = ps->b;
	enum sip_method id = SIP_METHOD_OTHER;
	uint32_t n, u, last = e;
	int v20 = 0, r;

	n = known_method(b, i, e, ps->end, &id);

	if (!n) {
		n = lx_span_cls(b, i, e, LX_TOKEN);
		if (n == 0 || i + n >= e || b[i + n] != ' ')
			return fail(ps, SIP_ESTARTLINE, i + n);
		id = sip_method_lookup(b + i, n);
	}
	u = i + n + 1;
	if (e - u >= 8 && sip_sl_is_sp_sip20(b + e - 8)) {
		last = e - 7; /* the common case: what the loop below finds */
		v20 = 1;
	} else {
		while (last > u && b[last - 1] != ' ')
			last--;
	}
	if (last <= u + 1)
		return fail(ps, SIP_ESTARTLINE, u);
	/* An SP inside the URI is reported where it is, else an HT. */
	uint32_t sp = lx_find2(b, u, last - 1, ps->end, ' ', '\t');
	if (sp < last - 1 && b[sp] == '\t') {
		const char *s2 = memchr(b + sp, ' ', last - 1 - sp);
		sp = s2 ? (uint32_t)(s2 - b) : sp;
	}
	if (sp < last - 1)
		return fail(ps, SIP_ESTARTLINE, sp);
	if (b[u] == '<')
		return fail(ps, SIP_EURI, u);
	if (!v20 && (r = e - last == 7 && is_sip20(b + last) ? 0 : parse_version(ps, last, e)) < 0)
		return r;
	m->is_request = 1;
	m->method_s = sip_span_make(i, n);
	m->method = (uint8_t)id;
	m->ruri = sip_span_make(u, last - 1 - u);
	m->version = sip_span_make(last, e - last);
	return 0;
}

static int parse_start(struct pstate *ps, uint32_t i, uint32_t e)
{
	ps->m->start_line = sip_span_make(i, e - i);
	if (e - i >= 4 && memcmp(ps->b + i, "SIP/", 4) == 0)
		return parse_status(ps, i, e);
	return parse_request(ps, i, e);
}

int sip_start_line_parse(struct sip_msg *m, const char *b, uint32_t i, uint32_t e, uint32_t lim)
{
	struct pstate ps = { m, b, lim };

	return parse_start(&ps, i, e);
}
