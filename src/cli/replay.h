/*
 * replay.h - internals shared by `sipalg replay` (replay.c: capture in,
 * engine, capture out) and its report (replay_report.c).
 *
 * The report is a list of events in capture order (one per SIP message,
 * per pinhole action, per problem), each tied to a call by Call-ID or to
 * none.  The list owns its strings and notes; rp_report_free() frees them.
 */
#ifndef SIPALG_CLI_REPLAY_H
#define SIPALG_CLI_REPLAY_H

#include <stdint.h>
#include <stdio.h>

#include "alg/alg.h"

enum rp_kind {
	RP_MSG = 1,      /* a SIP message went through (or past) the engine */
	RP_PINHOLE,      /* a pinhole action */
	RP_CALL_END,     /* a call record */
	RP_PROBLEM,      /* something forwarded unchanged before it was a message */
};

enum rp_fate {
	RP_REWRITTEN = 1,
	RP_UNCHANGED,    /* forwarded as captured */
	RP_DROPPED,      /* the engine dropped it */
	RP_REPLIED,      /* the engine answered it itself */
};

struct rp_event {
	enum rp_kind kind;
	uint64_t frame;          /* 1-based, as tshark numbers frames */
	int call;                /* index into calls, -1: none */
	int dir;                 /* ALG_OUT, ALG_IN, -1: not NATed here */
	int transport;           /* ALG_UDP / ALG_TCP */
	enum rp_fate fate;
	char summary[96];        /* start line, shortened */
	char src[64], dst[64];   /* as captured */
	char reason[160];        /* why unchanged / dropped / the problem */
	struct alg_note *notes;  /* rewrites (malloc'd) */
	unsigned nnotes;
	struct alg_action act;   /* RP_PINHOLE, RP_CALL_END */
};

struct rp_report {
	struct rp_event *ev;
	size_t nev, cap;
	char (*calls)[128];
	size_t ncalls, calls_cap;
	/* Totals. */
	uint64_t frames_in, frames_out, frames_bad;
	uint64_t msgs, rewritten, unchanged, dropped, replied;
	uint64_t pin_open, pin_close;
	int read_error;
	char read_err[256];
};

/* Add an event (copied) under Call-ID call_id ("" or NULL: none). */
int rp_add(struct rp_report *r, const struct rp_event *e, const char *call_id);
void rp_report_free(struct rp_report *r);

/* ---- the engine step (replay_msg.c) ---- */

struct rp_opts;

struct rp_binding {
	struct alg_addr inside;
	int transport;
	uint16_t public_port;
};

/* What replay keeps around the engine: options, bindings, the report. */
struct rp_ctx {
	const struct rp_opts *o;
	struct alg_engine *eng;
	struct alg_result res;
	struct rp_binding *bind;
	size_t nbind, bindcap;
	struct rp_report rep;
	uint64_t frame, now_ms;
};

struct rp_msg {
	const char *data;
	size_t len;
	int transport;               /* ALG_UDP / ALG_TCP */
	struct alg_addr src, dst;    /* as captured */
};

struct rp_verdict {
	const char *out;             /* valid until the next engine call */
	size_t len;
	enum rp_fate fate;
	int nat;                     /* outbound: leave from new_src */
	struct alg_addr new_src;
	int redirect;                /* inbound: deliver to new_dst */
	struct alg_addr new_dst;
};

/* Run one SIP message through the engine and report it.  Never fails: on
 * any problem the verdict is "unchanged" with the reason reported. */
void rp_msg_process(struct rp_ctx *c, const struct rp_msg *m, struct rp_verdict *v);
/* Direction of a packet (ALG_OUT, ALG_IN, -1 not NATed; *why then). */
int rp_direction(const struct rp_ctx *c, const struct alg_addr *src,
		 const struct alg_addr *dst, const char **why);
/* The public side of an inside endpoint (stable for the whole replay). */
int rp_binding(struct rp_ctx *c, const struct alg_addr *inside, int transport,
	       struct alg_addr *pub);
/* Run the engine's timers due now and report their actions. */
void rp_timers(struct rp_ctx *c);
/* Report a problem found at `frame` before the engine saw a message; the
 * Call-ID is looked up in `data` when given. */
void rp_problem(struct rp_ctx *c, uint64_t frame, const char *reason, const char *data, size_t len,
		const struct alg_addr *src, const struct alg_addr *dst, int transport);
/* Does a payload start like a SIP request or response (RFC 3261 §7.1, §7.2)? */
int rp_looks_like_sip(const uint8_t *p, size_t len);

struct rp_header {
	const char *in, *out;
	const char *link;
	const char *inside;      /* as given */
	const char *public_addr;
	const char *ports;
	int explain;
};

void rp_print_text(FILE *f, const struct rp_header *h, const struct rp_report *r);
int rp_print_json(FILE *f, const struct rp_header *h, const struct rp_report *r);
/* "a.b.c.d:port" or "[v6]:port" */
void rp_fmt_addr(char *buf, size_t cap, const struct alg_addr *a);

#endif
