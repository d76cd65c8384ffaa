/*
 * rewrite_sip.c - the SIP header positions an ALG may touch (rule 1): the
 * top Via sent-by, Contact (and a LAN proxy's Record-Route) URI hostports
 * equal to the inside endpoint, and on the way in the Request-URI, Via,
 * Contact and Route that carry the public binding (rule 3).
 *
 * Everything goes through the parsed grammar (via.h, addr.h, uri.h): a
 * display name, user part, parameter or quoted string that merely contains
 * an address is never looked at (B1, B2, B11).
 */

#include "engine_int.h"

/* The binding as a hostport, formatted on first use: a message with
 * nothing to change never pays for it, and a phone's messages share one
 * binding, whose text the engine keeps. */
static const char *bind_text(struct alg_ctx *c, size_t *len)
{
	struct alg_engine *e = c->e;

	if (!c->bind_text[0]) {
		if (!e->bind_last_text[0] || !alg_addr_eq(&e->bind_last, &c->binding)) {
			e->bind_last = c->binding;
			alg_fmt_hostport(&c->binding, e->bind_last_text, sizeof(e->bind_last_text));
		}
		memcpy(c->bind_text, e->bind_last_text, sizeof(c->bind_text));
		c->bind_len = strlen(c->bind_text);
	}
	*len = c->bind_len;
	return c->bind_text;
}

/* The first value of the first Via header, as validation parsed it (a
 * validated message has one: Via is mandatory). */
const struct sip_via *rw_top_via(const struct alg_ctx *c)
{
	return &c->v->top_via;
}

const struct sip_addr *alg_from_to(const struct alg_ctx *c, enum sip_hdr_id id)
{
	if (c->v->first[id] < 0)
		return NULL;
	return id == SIP_HDR_FROM ? &c->v->from : &c->v->to;
}

/* The items of header `id` (Contact, Route, Record-Route) in message
 * order: those validation kept, or parsed again when the message had more
 * than it keeps (validate.h).  1 with *a, 0 at the end. */
struct addr_walk {
	int h;              /* header being split (fallback); -2 not started, -1 done */
	unsigned i;         /* next kept item */
	struct sip_span rest;
	struct sip_addr tmp;
};

#define ADDR_WALK { .h = -2 }

static int addr_next(struct alg_ctx *c, enum sip_hdr_id id, struct addr_walk *w,
		     const struct sip_addr **a)
{
	const struct sip_valid *v = c->v;
	struct sip_span item;

	if (v->naddrs == v->addrs_all) {
		while (w->i < v->naddrs) {
			const struct sip_valid_addr *k = &v->addrs[w->i++];
			if (c->m.hdrs[k->hdr].id == id) {
				*a = &k->a;
				return 1;
			}
		}
		return 0;
	}
	while (w->h != -1) {
		if (w->h >= 0 && sip_list_next(c->buf, &w->rest, &item) == 1) {
			if (sip_addr_parse(&w->tmp, c->buf, item) == 0) {
				*a = &w->tmp;
				return 1;
			}
			continue;
		}
		w->h = sip_msg_find(&c->m, id, w->h == -2 ? -1 : w->h);
		if (w->h >= 0)
			w->rest = c->m.hdrs[w->h].value;
	}
	return 0;
}

/* "Contact[k].hostport": the header's name as sip_hdr_name() spells it. */
static struct alg_fname hostport_fname(enum sip_hdr_id id, unsigned k)
{
	const char *name = id == SIP_HDR_CONTACT	    ? "Contact"
			   : id == SIP_HDR_ROUTE	    ? "Route"
			   : id == SIP_HDR_RECORD_ROUTE ? "Record-Route"
							: sip_hdr_name(id);

	return (struct alg_fname){ name, ".hostport", (uint8_t)strlen(name), 9, k };
}

/* host + port of a URI or sent-by; an absent port is the scheme default
 * (RFC 3261 §19.1.2: 5060, 5061 for sips / TLS). */
static int ep_of(struct alg_ctx *c, struct alg_addr *a, struct sip_span host, uint16_t port,
		 int tls)
{
	if (alg_msg_addr(c, host, a) < 0)
		return -1;
	a->port = port ? port : (tls ? 5061 : 5060);
	return 0;
}

void rw_via_out(struct alg_ctx *c)
{
	const struct sip_via *v = rw_top_via(c);
	const struct alg_addr *src = &c->pkt->src;

	int tls = sip_span_caseeq(c->buf, v->transport, "TLS");
	if (ep_of(c, &c->via_ep, v->host, v->port_num, tls) < 0 ||
	    !alg_addr_ip_eq(&c->via_ep, src)) {
		c->via_ep.family = 0;
		return; /* not the inside endpoint's own Via: a hostname or a proxy's */
	}
	c->via_rport = v->has_rport;
	alg_copy(c->via_orig, sizeof(c->via_orig), c->buf + v->sent_by.off, v->sent_by.len);
	if (v->has_rport)
		return; /* R4: RFC 3581 already routes the response; don't hide the NAT */
	size_t bl;
	const char *bt = bind_text(c, &bl);
	c->via_rewritten = alg_edit(c, v->sent_by, bt, bl,
				    ALG_FNAME("Via[0].sent-by"), "R1 top Via sent-by (no rport)") > 0;
}

/*
 * Does this URI name the inside endpoint?  Its source address:port, or the
 * source IP with the top Via's sent-by port, rport or not: sent-by is the
 * UA's own word for where it listens (RFC 3261 §18.1.1), and over TCP/TLS
 * the source port is ephemeral by design (§18.1.1, RFC 5626 §4.2: baresip
 * connects from 4xxxx, listens on 5062).  ;rport only asks for the response
 * on the source port (RFC 3581 §3); it does not say the UA listens nowhere
 * else (B18b, R1).  The restore puts back the text as written (R3).
 */
static int uri_is_inside_ep(struct alg_ctx *c, const struct sip_uri *u, struct alg_addr *ep)
{
	struct sip_span tr;

	if (u->scheme_id != SIP_URI_SIP)
		return 0; /* sips: is TLS's business, never touched (B22c) */
	if (ep_of(c, ep, u->host, u->port_num, 0) < 0)
		return 0;
	if (!alg_addr_eq(ep, &c->pkt->src) && (!c->via_ep.family || !alg_addr_eq(ep, &c->via_ep)))
		return 0;
	/* ;transport=tls names the UA's TLS listener (5061 when no port,
	 * RFC 3263 §4.2): TLS is never touched, like sips: (B22) */
	return !sip_span_present(u->params) ||
	       sip_param_find(c->buf, u->params, "transport", &tr) != 1 ||
	       !sip_span_caseeq(c->buf, tr, "tls");
}

/*
 * Rewrite every URI hostport of header `id` (Contact, Record-Route) that
 * equals the inside endpoint to the public binding.  The first original is
 * copied to orig/orig_ep for the inverse.  Returns the number rewritten.
 */
int rw_uris_out(struct alg_ctx *c, enum sip_hdr_id id, char *orig, struct alg_addr *orig_ep)
{
	int n = 0, k = 0;
	struct addr_walk w = ADDR_WALK;
	const struct sip_addr *a;

	if (c->v->first[id] < 0)
		return 0; /* no such header: nothing to walk */
	while (addr_next(c, id, &w, &a)) {
		struct alg_addr ep;
		if (a->star && id == SIP_HDR_CONTACT)
			c->contact_star = 1;
		if (a->star || !uri_is_inside_ep(c, &a->uri, &ep)) {
			k++;
			continue;
		}
		struct alg_fname field = hostport_fname(id, (unsigned)k++);
		if (!n && orig) {
			alg_copy(orig, ALG_TEXT, c->buf + a->uri.hostport.off, a->uri.hostport.len);
			*orig_ep = ep;
			if (id == SIP_HDR_CONTACT && sip_span_present(a->expires))
				c->contact_expires = sip_value_uint(c->buf, a->expires, UINT32_MAX);
		}
		size_t bl;
		const char *bt = bind_text(c, &bl);
		if (alg_edit(c, a->uri.hostport, bt, bl, field,
			     id == SIP_HDR_CONTACT ? "R1 Contact = inside endpoint"
						   : "R1 Record-Route = inside endpoint") > 0)
			n++;
	}
	return n;
}

/* Does this URI carry the public binding? */
static int uri_is_binding(struct alg_ctx *c, const struct sip_uri *u)
{
	struct alg_addr ep;

	if (u->scheme_id != SIP_URI_SIP && u->scheme_id != SIP_URI_SIPS)
		return 0;
	if (ep_of(c, &ep, u->host, u->port_num, u->scheme_id == SIP_URI_SIPS) < 0)
		return 0;
	return alg_addr_eq(&ep, &c->binding);
}

/* Inverse of rw_uris_out: URIs of header `id` carrying the binding get the
 * original hostport back (REGISTER 200 bindings, Route).  Count restored. */
int rw_uris_restore(struct alg_ctx *c, enum sip_hdr_id id, const char *orig)
{
	int n = 0, k = 0;
	struct addr_walk w = ADDR_WALK;
	const struct sip_addr *a;

	if (!orig || !orig[0])
		return 0;
	if (id == SIP_HDR_CONTACT)
		c->bound_contact = 0;
	if (c->v->first[id] < 0)
		return 0; /* no such header: nothing to walk */
	while (addr_next(c, id, &w, &a)) {
		if (a->star || !uri_is_binding(c, &a->uri)) {
			k++;
			continue;
		}
		if (id == SIP_HDR_CONTACT && !c->bound_contact) {
			/* what rw_contact_expires() would find: same walk */
			c->bound_contact = 1;
			c->bound_expires = sip_span_present(a->expires)
						   ? sip_value_uint(c->buf, a->expires, UINT32_MAX)
						   : -1;
		}
		if (alg_edit(c, a->uri.hostport, orig, strlen(orig), hostport_fname(id, (unsigned)k++),
			     "R3 restore what was rewritten on the way out") > 0)
			n++;
	}
	return n;
}

/* The expires= of the Contact that carries the binding (REGISTER 2xx,
 * RFC 3261 §10.3 step 8).  1 found (*expires set, -1 if no param), 0 not. */
int rw_contact_expires(struct alg_ctx *c, int64_t *expires)
{
	if (c->bound_contact >= 0) { /* rw_uris_restore() already walked them */
		if (c->bound_contact)
			*expires = c->bound_expires;
		return c->bound_contact;
	}
	struct addr_walk w = ADDR_WALK;
	const struct sip_addr *a;

	while (addr_next(c, SIP_HDR_CONTACT, &w, &a)) {
		if (a->star || !uri_is_binding(c, &a->uri))
			continue;
		*expires = sip_span_present(a->expires) ? sip_value_uint(c->buf, a->expires, UINT32_MAX)
							: -1;
		return 1;
	}
	return 0;
}

/* Request from outside to the binding: the Request-URI gets the inside
 * Contact back (RFC 3261 §10.3: the registrar sends to the registered
 * Contact, which we wrote).  Returns 1 if restored. */
int rw_ruri_in(struct alg_ctx *c, const char *orig, const struct alg_addr *orig_ep)
{
	const struct sip_uri *u = &c->v->ruri; /* validation parsed it */
	char tmp[ALG_TEXT];

	if (!uri_is_binding(c, u))
		return 0;
	if (!orig || !orig[0]) {
		if (!orig_ep || !orig_ep->family)
			return 0;
		alg_fmt_hostport(orig_ep, tmp, sizeof(tmp));
		orig = tmp;
	}
	if (orig_ep && orig_ep->family)
		c->res->deliver_to = *orig_ep;
	return alg_edit(c, u->hostport, orig, strlen(orig), ALG_FNAME("Request-URI.hostport"),
			"R1 Request-URI carries the public binding") > 0;
}

/* Response from outside: the top Via we rewrote gets its original sent-by
 * back (RFC 3261 §18.1.2: the UA discards a response whose Via is not its
 * own).  received= and rport= are never touched (R4).  1 if restored. */
int rw_via_in(struct alg_ctx *c, const struct alg_txn *t)
{
	const struct sip_via *v = rw_top_via(c);
	struct alg_addr ep;
	char tmp[ALG_TEXT];
	const char *orig = NULL;

	if (t && t->via_ep.family && !v->has_rport)
		c->res->deliver_to = t->via_ep; /* §18.2.2: the port in sent-by */
	if (ep_of(c, &ep, v->host, v->port_num, 0) < 0 || !alg_addr_eq(&ep, &c->binding))
		return 0;
	if (t && t->via_rewritten) {
		orig = t->via_orig;
	} else if (c->inside.family) {
		alg_fmt_hostport(&c->inside, tmp, sizeof(tmp));
		orig = tmp; /* no transaction remembered: the binding's inside side */
	}
	if (!orig)
		return 0;
	return alg_edit(c, v->sent_by, orig, strlen(orig), ALG_FNAME("Via[0].sent-by"),
			"R3 restore top Via sent-by (RFC 3261 18.1.2)") > 0;
}
