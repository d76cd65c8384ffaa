/*
 * engine_int.h - the engine's private state, shared by the files of
 * src/alg/ only (never included outside it).
 *
 * Memory: the engine owns everything.  Calls, registrations and
 * transactions live in growable slot pools (pool.c) addressed by index, so
 * a pointer into a pool is valid only until the next allocation in that
 * pool; code that allocates re-fetches its pointers.  Per-message scratch
 * (header array, SDP media array, edit list, output buffer) is preallocated
 * in struct alg_engine: a message that needs no change costs no malloc.
 */
#ifndef SIPALG_ALG_ENGINE_INT_H
#define SIPALG_ALG_ENGINE_INT_H

#include "alg.h"
#include "alg_query.h"
#include "sip/addr.h"
#include "sip/body.h"
#include "sip/edit.h"
#include "sip/limits.h"
#include "sip/msg.h"
#include "sip/sdp.h"
#include "sip/uri.h"
#include "sip/validate.h"
#include "sip/values.h"
#include "sip/via.h"

#define ALG_NONE UINT32_MAX
#define ALG_CALL_STREAMS 16   /* media streams remembered per call */
#define ALG_EARLY_TAGS 4      /* early dialogs (To tags) remembered per call */
#define ALG_TXN_MS 32000u     /* 64*T1, RFC 3261 §17.1.2.2 */
#define ALG_MAX_CALLS 0x7ffffu /* calls at once: pinhole ids hold the slot in 19 bits */
#define ALG_TEXT 64           /* a hostport as text, with room to spare */
#define ALG_ADDR_MEMO 6       /* address texts alg_msg_addr() remembers per message */
/* Actions kept free for ending one call (2 per stream + record + binding). */
#define ALG_ACT_RESERVE (2 * ALG_CALL_STREAMS + 4)

/* ---- pool.c: slots + two hash indexes over 64-bit keys ---- */

struct alg_obj {
	uint64_t key, key2;
	uint32_t hnext, hnext2;
	/* Chains are doubly linked: a free unlinks in O(1) even from a long
	 * key2 chain (every call of a trunk shares its binding's key2). */
	uint32_t hprev, hprev2;
	uint32_t gen;             /* bumped on free: stale handles miss */
	uint8_t used;
	uint64_t queued;          /* earliest deadline queued in the heap */
};

struct alg_pool {
	char *v;
	size_t elsz;
	/* Bytes pool_alloc() clears (elsz unless the owner says less: a call's
	 * streams are left as the last user left them, all zero, media.c). */
	size_t zero_len;
	uint32_t cap, live, free_head;
	uint32_t *bk, *bk2, nbk;
};

int pool_init(struct alg_pool *p, size_t elsz, uint32_t cap);
void pool_fini(struct alg_pool *p);
uint32_t pool_alloc(struct alg_pool *p, uint64_t key, uint64_t key2);
void pool_free(struct alg_pool *p, uint32_t i);
/* First slot with key (or key2), then the next one after i; ALG_NONE at the end. */
uint32_t pool_find(const struct alg_pool *p, uint64_t key);
uint32_t pool_next(const struct alg_pool *p, uint32_t i);
uint32_t pool_find2(const struct alg_pool *p, uint64_t key2);
uint32_t pool_next2(const struct alg_pool *p, uint32_t i);
void pool_rekey2(struct alg_pool *p, uint32_t i, uint64_t key2);

static inline void *pool_at(const struct alg_pool *p, uint32_t i)
{
	return p->v + (size_t)i * p->elsz;
}

/* The slot of an object pool_at() returned. */
static inline uint32_t pool_index(const struct alg_pool *p, const void *obj)
{
	return (uint32_t)(((const char *)obj - p->v) / p->elsz);
}

static inline struct alg_obj *pool_obj(const struct alg_pool *p, uint32_t i)
{
	return (struct alg_obj *)pool_at(p, i);
}

uint64_t alg_hash(const void *p, size_t n, uint64_t seed);

/* ---- timers.c: a binary heap of (when, kind, slot, gen), lazily pruned ---- */

enum alg_timer_kind { ALG_T_CALL = 1, ALG_T_REG, ALG_T_TXN };

struct alg_timer {
	uint64_t when;
	uint32_t slot, gen;
	uint8_t kind;
};

struct alg_heap {
	struct alg_timer *v;
	uint32_t n, cap;
};

int heap_push(struct alg_heap *h, struct alg_timer t);
int heap_pop(struct alg_heap *h, struct alg_timer *t);
static inline const struct alg_timer *heap_top(const struct alg_heap *h)
{
	return h->n ? &h->v[0] : NULL;
}

/* ---- portalloc.c: public media ports, even/odd pairs ---- */

struct alg_ports {
	uint8_t *used;            /* one byte per pair */
	uint32_t npairs, cursor;
	uint16_t base;
};

int ports_init(struct alg_ports *a, uint16_t min, uint16_t max);
void ports_fini(struct alg_ports *a);
/* An even port P with P+1 free; prefer `want` (even, in range).  0 if none. */
uint16_t ports_alloc(struct alg_ports *a, uint16_t want,
		     int (*busy)(void *, uint16_t), void *ctx);
void ports_free(struct alg_ports *a, uint16_t port);
void ports_reserve(struct alg_ports *a, uint16_t port);

/* ---- state ---- */

struct alg_stream {
	uint8_t used, mux, superseded;
	uint8_t rtp_open, rtcp_open;
	uint8_t mindex;
	uint8_t pooled;              /* pub_rtp came from the allocator */
	uint8_t outbound_later;      /* opened with alg_pinhole.outbound_later:
				      * media_outbound_now() still owes a REFRESH */
	char media[12];
	struct alg_addr inside_rtp, inside_rtcp;
	uint16_t pub_rtp, pub_rtcp; /* public ports (pub_rtcp 0: none) */
	uint16_t pair2;             /* second pair for a non-adjacent a=rtcp */
	uint64_t last_media_ms;
};

struct alg_call {
	struct alg_obj o;           /* key: hash of Call-ID; key2: its binding */
	char call_id[128];
	char from[128], to[128];
	uint8_t inbound, state, ntags, ended;
	uint8_t via_hack;           /* inside Via port != source port, no rport */
	enum alg_transport transport;
	uint32_t invite_cseq;
	struct alg_addr inside, binding, peer;
	struct alg_addr contact_ep; /* inside Contact as an address */
	char contact_orig[ALG_TEXT];/* the inside Contact hostport as written */
	char rr_orig[ALG_TEXT];     /* a LAN proxy's Record-Route hostport */
	char tags[ALG_EARLY_TAGS][32];
	uint64_t start_ms, answer_ms, last_prov_ms, last_activity_ms, last_media_ms;
	/* Last, and all zero in every stream not used: a stream is cleared
	 * when it closes (media.c stream_close), a free call's streams are
	 * closed, so pool_alloc() need not clear them again (zero_len). */
	struct alg_stream st[ALG_CALL_STREAMS];
};

struct alg_reg {
	struct alg_obj o;           /* key: AoR + inside IP + transport; key2: public ep */
	char aor[128];
	struct alg_addr inside, public_ep, registrar;
	enum alg_transport transport;
	char contact_orig[ALG_TEXT];
	struct alg_addr contact_ep;  /* the inside Contact as an address */
	uint32_t granted_s;
	uint64_t expires_ms;
};

struct alg_txn {
	struct alg_obj o;           /* key: Call-ID, CSeq, method, branch */
	uint8_t method, via_rewritten, dereg, contact_rewritten;
	int64_t req_expires;        /* REGISTER: requested expiry, -1 none */
	char via_orig[ALG_TEXT];
	char contact_orig[ALG_TEXT];
	char aor[128];
	struct alg_addr inside, binding, via_ep, contact_ep;
	enum alg_transport transport;
	uint32_t call, call_gen;    /* ALG_NONE if none */
	uint64_t expires_ms;
};

struct alg_engine {
	struct alg_config cfg;
	struct alg_pool calls, regs, txns;
	struct alg_heap heap;
	struct alg_ports ports;
	struct alg_counters cnt;
	uint64_t last_now;
	/* per-message scratch */
	struct sip_hdr hdrs[SIP_MAX_HEADERS];
	struct sip_hdr vhdrs[SIP_MAX_HEADERS];
	struct sdp_media media[SDP_MAX_MEDIA];
	struct sip_edit edits[SIP_MAX_EDITS];
	struct sip_valid valid;     /* what validation parsed (validate.h) */
	/* alg_msg_addr(): IP literals of this message already parsed, by
	 * text (alg_ctx.nmemo of them are valid) */
	struct sip_span memo_text[ALG_ADDR_MEMO];
	struct alg_addr memo[ALG_ADDR_MEMO];
	int memo_rc[ALG_ADDR_MEMO];
	/* Text of addresses every rewrite writes, formatted once: the public
	 * address (SDP), the last binding as a hostport (Via, Contact). */
	char pub_text[ALG_TEXT];
	size_t pub_len;
	int pub_v4;                 /* pub_text parses as an IPv4 literal (verify.c) */
	struct alg_addr bind_last;
	char bind_last_text[ALG_TEXT];
	char pool[8192];
	char out[SIP_MAX_MSG_SIZE + 8192];
	/* Tests only (test_alg_verify.c): called on the rendered output
	 * before rule 5's check, to prove that a bad output fails open. */
	void (*test_mangle)(char *out, size_t *n);
};

/* Everything about the message being processed. */
struct alg_ctx {
	struct alg_engine *e;
	const struct alg_packet *pkt;
	struct alg_result *res;
	const struct sip_valid *v;  /* the values validation parsed, once */
	const char *buf;
	struct sip_span callid;
	struct sip_cseq cseq;
	uint64_t callid_hash;
	uint64_t now;
	int nat;                    /* rewriting allowed (mode ALG, in scope) */
	struct alg_addr inside;     /* the inside endpoint, family 0 unknown */
	struct alg_addr binding;    /* its public side */
	/* what rewrite_sip found */
	size_t bind_len;            /* strlen(bind_text) once it is set */
	int via_rewritten, via_rport;
	struct alg_addr via_ep;     /* top Via sent-by as an address (port 5060 if absent) */
	int contact_rewritten, contact_star;
	int64_t contact_expires;    /* expires= of the first rewritten Contact, -1 */
	struct alg_addr contact_ep;
	uint32_t call;              /* slot or ALG_NONE */
	const char *skip_reason;    /* why part of the message was left alone */
	/* sip_body_sdp()'s answer, once: sdp_out() and the re-check both ask */
	int sdp_rc;                 /* 2 not asked yet */
	unsigned nmemo;             /* entries of e->memo_* in use */
	struct sip_span sdp;
	/* The first Contact carrying the binding, as rw_uris_restore() saw it,
	 * for rw_contact_expires(): 1 found, 0 none, -1 not looked yet. */
	int bound_contact;
	int64_t bound_expires;
	/* Last, what alg_process() does not clear (it clears everything
	 * before m): the message and the edit list, which sip_msg_parse() and
	 * sip_edits_init() set whole before anything reads them, and texts
	 * read as strings, of which it clears the first octet. */
	struct sip_msg m;
	struct sip_edits ed;
	char bind_text[ALG_TEXT];   /* binding as a hostport, "" until needed */
	char via_orig[ALG_TEXT];    /* top Via sent-by as written, when ours */
	char contact_orig[ALG_TEXT];/* first rewritten Contact hostport */
	char rr_orig[ALG_TEXT];     /* first rewritten Record-Route hostport */
};

/* classify.c: addresses, prefixes, scope */
int alg_addr_parse(struct alg_addr *a, const char *p, size_t n);
int alg_addr_from_span(struct alg_addr *a, const char *base, struct sip_span s);
/* alg_addr_from_span() of a span of the message being processed, the same
 * answer, but each distinct text parsed once per message: the inside
 * address is usually in Via, Contact, c= and o=. */
int alg_msg_addr(struct alg_ctx *c, struct sip_span s, struct alg_addr *a);
int alg_addr_ip_eq(const struct alg_addr *a, const struct alg_addr *b);
int alg_addr_eq(const struct alg_addr *a, const struct alg_addr *b);
int alg_addr_is_any(const struct alg_addr *a);
int alg_is_inside(const struct alg_config *cfg, const struct alg_addr *a);
size_t alg_fmt_uint(char *p, uint32_t v);
size_t alg_fmt_ip(const struct alg_addr *a, char *buf, size_t cap);
size_t alg_fmt_hostport(const struct alg_addr *a, char *buf, size_t cap);
uint64_t alg_addr_hash(const struct alg_addr *a, uint64_t seed);
const char *alg_scope(const struct alg_engine *e, const struct alg_packet *pkt);

/* explain.c: notes, actions, copies into fixed buffers */

/* A note's field name, put together only when an edit is recorded:
 * "pre" (post NULL) or "pre[idx]post", e.g. "Contact[1].hostport". */
struct alg_fname {
	const char *pre, *post;
	uint8_t prelen, postlen;
	unsigned idx;
};
/* For string literals; a name known only at run time fills the struct. */
#define ALG_FNAME(pre) ((struct alg_fname){ pre, NULL, sizeof(pre) - 1, 0, 0 })
#define ALG_FNAME_AT(pre, i, post) \
	((struct alg_fname){ pre, post, sizeof(pre) - 1, sizeof(post) - 1, i })

/* A new action, tied to call (its call_id; NULL: none). */
struct alg_action *alg_action_add(struct alg_result *res, enum alg_action_kind k,
				  const struct alg_call *call);
void alg_copy(char *dst, size_t cap, const char *src, size_t n);
int alg_edit(struct alg_ctx *c, struct sip_span s, const char *txt, size_t n,
	     struct alg_fname field, const char *rule);

/* rewrite_sip.c */
void rw_via_out(struct alg_ctx *c);
int rw_via_in(struct alg_ctx *c, const struct alg_txn *t);
int rw_uris_out(struct alg_ctx *c, enum sip_hdr_id id, char *orig, struct alg_addr *orig_ep);
int rw_uris_restore(struct alg_ctx *c, enum sip_hdr_id id, const char *orig);
int rw_ruri_in(struct alg_ctx *c, const char *orig, const struct alg_addr *orig_ep);
int rw_contact_expires(struct alg_ctx *c, int64_t *expires);
const struct sip_via *rw_top_via(const struct alg_ctx *c);
/* The From / To address validation parsed, NULL if the header is absent. */
const struct sip_addr *alg_from_to(const struct alg_ctx *c, enum sip_hdr_id id);

/* verify.c: rule 5 on the rendered output in e->out; NULL ok, else why not */
const char *alg_verify(struct alg_engine *e, const struct alg_ctx *c, size_t n);

/* rewrite_sdp.c */
int alg_body_sdp(struct alg_ctx *c, struct sip_span *sdp);
void sdp_out(struct alg_ctx *c, struct alg_call *call);
void sdp_answer_in(struct alg_ctx *c, struct alg_call *call);

/* media.c */
struct alg_stream *media_map(struct alg_ctx *c, struct alg_call *call, unsigned mindex,
			     struct sip_span mtype, const struct alg_addr *rtp,
			     const struct alg_addr *rtcp, int mux);
struct alg_stream *media_find_hold(struct alg_call *call, unsigned mindex, uint16_t port);
int media_reject(struct alg_ctx *c, struct alg_call *call, unsigned mindex);
void media_outbound_now(struct alg_ctx *c, struct alg_call *call);
void media_close_all(struct alg_engine *e, struct alg_call *call, struct alg_result *res);
uint32_t media_pin_id(const struct alg_engine *e, const struct alg_call *call,
		      unsigned s, int rtcp);
void media_pinhole(const struct alg_engine *e, const struct alg_call *call, unsigned s,
		   int rtcp, struct alg_pinhole *p);

/* dialog.c: calls and transactions */
uint32_t call_find(struct alg_engine *e, const char *base, struct sip_span callid, uint64_t h,
		   uint64_t bkey, const struct alg_addr *inside);
uint32_t call_new(struct alg_ctx *c, int inbound);
void call_end(struct alg_engine *e, uint32_t slot, enum alg_end_reason why, uint64_t now,
	      struct alg_result *res);
void call_touch(struct alg_ctx *c, struct alg_call *call);
uint64_t call_deadline(const struct alg_engine *e, const struct alg_call *call,
		       enum alg_end_reason *why);
void call_schedule(struct alg_engine *e, uint32_t slot);
void dialog_request(struct alg_ctx *c);
void dialog_response(struct alg_ctx *c, struct alg_txn *t);
uint64_t txn_key(struct alg_ctx *c);
uint32_t txn_new(struct alg_ctx *c);
void txn_done(struct alg_engine *e, struct alg_txn *t);
struct alg_txn *txn_get(struct alg_engine *e, uint64_t key);
void alg_schedule(struct alg_engine *e, enum alg_timer_kind k, uint32_t slot, uint64_t when);

/* registration.c */
void reg_request(struct alg_ctx *c, struct alg_txn *t);
void reg_response(struct alg_ctx *c, struct alg_txn *t);
struct alg_reg *reg_by_public(struct alg_engine *e, const struct alg_addr *pub,
			      enum alg_transport tr);
void reg_expire(struct alg_engine *e, uint32_t slot, struct alg_result *res);
int reg_strict_check(struct alg_ctx *c, struct alg_reg *r);
/* The key2 of registrations and calls: their public binding. */
uint64_t alg_binding_key(const struct alg_addr *pub, enum alg_transport tr);
void binding_keep(struct alg_engine *e, struct alg_result *res, const struct alg_addr *inside,
		  const struct alg_addr *pub, enum alg_transport tr, uint64_t now);
/* binding_keep() with alg_binding_key(pub, tr) already at hand */
void binding_keep_key(struct alg_engine *e, struct alg_result *res, const struct alg_addr *inside,
		      const struct alg_addr *pub, enum alg_transport tr, uint64_t now, uint64_t key);
void binding_release(struct alg_engine *e, struct alg_result *res, const struct alg_addr *inside,
		     const struct alg_addr *pub, enum alg_transport tr, uint64_t now, int linger);

#endif
