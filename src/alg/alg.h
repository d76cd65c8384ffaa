/*
 * alg.h - the ALG engine: one SIP message in, the message to send plus
 * actions out.
 *
 * The engine is pure: it opens no socket, reads no clock and calls no
 * firewall.  The caller passes the time (monotonic milliseconds) and the
 * transport facts with every message, and carries out the actions the
 * engine returns (open/refresh/close a media pinhole, keep or close a
 * signalling binding, write a call record).  The engine owns its state
 * (dialogs, transactions, offer/answer, registrations, bindings, media
 * mappings) and the result storage: a struct alg_result and everything it
 * points to stay valid until the next call on the same engine.
 *
 * Functions return 0 (or a count) on success and a negative enum sip_err /
 * -errno on failure.  A message the engine cannot handle is never an error:
 * it is forwarded unchanged with a reason (fail open, rule 5).
 */
#ifndef SIPALG_ALG_ALG_H
#define SIPALG_ALG_ALG_H

#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 endpoint.  family 0 means "none / any". */
struct alg_addr {
	uint8_t family;   /* 4, 6 or 0 */
	uint8_t ip[16];   /* network order; IPv4 in the first 4 bytes */
	uint16_t port;    /* host order; 0 = none / any */
};

struct alg_prefix {
	struct alg_addr addr;
	uint8_t len;
};

enum alg_dir { ALG_OUT = 0, /* inside -> outside */ ALG_IN = 1 };
enum alg_transport { ALG_UDP = 0, ALG_TCP = 1 };
enum alg_mode {
	ALG_MODE_ALG = 0,     /* rewrite + pinholes */
	ALG_MODE_PINHOLE = 1, /* pinholes, no rewriting */
	ALG_MODE_OFF = 2,     /* pass through */
};

#define ALG_MAX_INSIDE 16

struct alg_config {
	struct alg_prefix inside[ALG_MAX_INSIDE];
	unsigned ninside;
	struct alg_addr public_addr;    /* port ignored */
	uint16_t media_port_min;        /* public media ports, even..odd pairs */
	uint16_t media_port_max;
	enum alg_mode mode;
	uint8_t strict_register;        /* inbound requests only from the registrar */
	uint32_t register_margin_ms;    /* added to the granted expiry (32 s) */
	uint32_t default_expires_s;     /* REGISTER without Expires (3600, RFC 3261 §10.2.1.1) */
	uint32_t media_timeout_ms;      /* no media for this long: call closed (120 s) */
	uint32_t max_call_ms;           /* 12 h */
	uint32_t invite_timeout_ms;     /* INVITE transaction without final answer (Timer C, 180 s) */
	uint32_t dialog_binding_ms;     /* binding kept this long after a dialog's last message */
	/* Optional veto: return non-zero if `port` cannot be used as a public
	 * media port (already bound on this host).  NULL: every port is free. */
	int (*port_busy)(void *ctx, uint16_t port);
	void *port_busy_ctx;
};

/* Fill a config with the defaults above (no inside prefixes, no address;
 * media ports 40000-49999, strict_register 1, margin 32 s, expires 3600 s,
 * media timeout 120 s, max call 12 h, INVITE timeout 180 s, dialog binding
 * 300 s). */
void alg_config_defaults(struct alg_config *cfg);

struct alg_packet {
	/* Exactly one message: a whole UDP datagram, or one TCP message as
	 * framed by the caller (sip_frame(), frame.h). */
	const char *data;
	size_t len;
	enum alg_dir dir;
	enum alg_transport transport;
	struct alg_addr src, dst;   /* as seen on the wire, before NAT */
	/* The public side of the inside endpoint's signalling binding.  OUT: the
	 * address:port the message will leave from.  IN: the address:port it
	 * arrived at (== dst). */
	struct alg_addr binding;
	/* IN only: the inside endpoint that owns `binding`, as the caller knows
	 * it (family 0 if the caller has no binding for dst). */
	struct alg_addr inside;
	uint64_t now_ms;
};

enum alg_verdict {
	ALG_FORWARD = 0,  /* send out/out_len */
	ALG_DROP = 1,     /* send nothing; reason says why */
	ALG_REPLY = 2,    /* send out/out_len back to src (an error response) */
};

enum alg_action_kind {
	ALG_ACT_PINHOLE_OPEN = 1,
	ALG_ACT_PINHOLE_REFRESH,
	ALG_ACT_PINHOLE_CLOSE,
	ALG_ACT_BINDING_KEEP,   /* the engine needs the signalling binding until
				 * u.binding.expires_ms (a registration's granted
				 * expiry + margin, calls in progress); a later KEEP
				 * for the same binding replaces this one; the caller
				 * keeps max(its own idle timer, this) */
	ALG_ACT_BINDING_CLOSE,  /* the engine no longer needs the binding (expired
				 * or removed registration, no dialog uses it) */
	ALG_ACT_CALL_END,       /* a call record is ready */
};

/* One media stream's NAT: public_ep <-> inside_ep, UDP. */
struct alg_pinhole {
	uint32_t id;               /* unique while open */
	struct alg_addr public_ep;
	struct alg_addr inside_ep;
	/* Admitted peer, family 0 = any source.  Policy (docs/rewrite-rules.md
	 * R6): any source, because media often comes from an address other
	 * than the signalling peer (catalogue B14, B15). */
	struct alg_addr remote;
	uint32_t timeout_ms;       /* kernel element timeout */
	/* OPEN only: 1 when the inside endpoint cannot have sent media yet
	 * (its SDP is the first offer of a call it placed, so it knows no
	 * remote media address): no stale conntrack entry can exist for it,
	 * and the caller may skip the flush that fw.h describes. */
	uint8_t no_stale_flows;
	/* OPEN only: 1 when the inside endpoint cannot send media on this
	 * stream yet (same condition as no_stale_flows: it knows no remote
	 * media address).  The engine emits a PINHOLE_REFRESH for the pinhole
	 * with the first response from outside to that INVITE (18x or 2xx),
	 * before that response is forwarded, so the caller may leave out the
	 * outbound (inside -> public) half until that REFRESH, which it
	 * installs in full.  A CLOSE may come first (CANCEL, rejection). */
	uint8_t outbound_later;
};

struct alg_binding {
	struct alg_addr inside;     /* inside endpoint */
	struct alg_addr public_ep;  /* its public side */
	struct alg_addr registrar;  /* accepted source when strict (family 0: any) */
	enum alg_transport transport;
	uint64_t expires_ms;        /* absolute, engine time */
};

enum alg_end_reason {
	ALG_END_BYE = 1, ALG_END_CANCEL, ALG_END_REJECTED, ALG_END_MEDIA_TIMEOUT,
	ALG_END_MAX_DURATION, ALG_END_INVITE_TIMEOUT, ALG_END_CLEARED,
};

struct alg_call_record {
	char call_id[128];
	char from[128], to[128];     /* URIs as written */
	uint64_t start_ms, answer_ms, end_ms; /* answer_ms 0 if never answered */
	enum alg_end_reason reason;
	uint32_t pinholes[8];        /* ids of the call's pinholes, for counters */
	unsigned npinholes;
};

struct alg_action {
	enum alg_action_kind kind;
	char call_id[128];           /* "" when not tied to a call */
	union {
		struct alg_pinhole pin;
		struct alg_binding binding;
		struct alg_call_record call;
	} u;
};

/* One explained edit: which field, what it was, what it became, and the
 * rule (DEVELOPERS.md "Rewrite rules") that required it. */
struct alg_note {
	char field[48];   /* e.g. "Contact[0].hostport", "sdp.m[1].port" */
	char before[80];
	char after[80];
	const char *rule; /* static string, e.g. "R1 contact-hostport" */
};

#define ALG_MAX_ACTIONS 128
#define ALG_MAX_NOTES 64  /* = SIP_MAX_EDITS: every edit has its note */

struct alg_result {
	enum alg_verdict verdict;
	const char *out;          /* bytes to send (the input itself if unchanged) */
	size_t out_len;
	int changed;              /* out differs from the input */
	const char *reason;       /* why unchanged, dropped, replied or failed open; NULL if rewritten normally */
	char call_id[128];
	struct alg_action actions[ALG_MAX_ACTIONS];
	unsigned nactions;
	struct alg_note notes[ALG_MAX_NOTES];
	unsigned nnotes;
	/* IN only: the inside endpoint the message must be delivered to, as the
	 * engine restored it (a response goes to its restored top Via sent-by
	 * when the Via had no ;rport, RFC 3261 §18.2.2 - the Cisco case, B18b;
	 * a request to the registered Contact).  family 0: use pkt.inside. */
	struct alg_addr deliver_to;
};

struct alg_engine;

struct alg_engine *alg_new(const struct alg_config *cfg);
void alg_free(struct alg_engine *e);
/* Replace the configuration (SIGHUP) keeping calls and bindings. */
int alg_reconfigure(struct alg_engine *e, const struct alg_config *cfg);

int alg_process(struct alg_engine *e, const struct alg_packet *pkt,
		struct alg_result *res);
/* Run timers due at now_ms; the result carries only actions. */
int alg_expire(struct alg_engine *e, uint64_t now_ms, struct alg_result *res);
/* Earliest time alg_expire() has work, or UINT64_MAX. */
uint64_t alg_next_deadline(const struct alg_engine *e);
/* The caller saw media on this pinhole (kernel counters moved). */
void alg_media_seen(struct alg_engine *e, uint32_t pinhole_id, uint64_t now_ms);

#endif
