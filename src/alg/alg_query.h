/*
 * alg_query.h - read-only views of the engine's state for the daemon's
 * control socket (`sipalg calls`, `registrations`, `pinholes`, `stats`) and
 * the `clear` command.
 *
 * The iterators call fn once per object with a struct that lives only for
 * the duration of the call (copy what you keep).  fn returns 0 to go on or
 * non-zero to stop; the iterator returns the number of objects visited.
 * Nothing here allocates.  Order is unspecified.
 */
#ifndef SIPALG_ALG_ALG_QUERY_H
#define SIPALG_ALG_ALG_QUERY_H

#include "alg.h"

struct alg_counters {
	uint64_t msgs_in;        /* messages from outside */
	uint64_t msgs_out;       /* messages from inside */
	uint64_t rewritten;      /* forwarded with edits */
	uint64_t unchanged;      /* forwarded byte-identical (nothing to do, out of scope, or failed open) */
	uint64_t failed_open;    /* wanted to edit but forwarded the original (re-parse failed, no space) */
	uint64_t unparsed;       /* did not parse: forwarded unchanged with a reason */
	uint64_t dropped;        /* ALG_DROP verdicts */
	uint64_t pinholes_opened, pinholes_closed;
	uint32_t pinholes_open;  /* == opened - closed */
	uint32_t calls;          /* calls (INVITE dialogs) in progress */
	uint32_t registrations;  /* registered bindings */
	uint32_t transactions;   /* client transactions remembered for Via restore */
};

void alg_get_counters(const struct alg_engine *e, struct alg_counters *c);

enum alg_call_state { ALG_CALL_TRYING = 0, ALG_CALL_EARLY, ALG_CALL_CONFIRMED };

struct alg_call_info {
	char call_id[128];
	char from[128], to[128];
	enum alg_call_state state;
	int inbound;                 /* the inside endpoint is the callee */
	struct alg_addr inside, binding;
	uint64_t start_ms, answer_ms, last_media_ms;
	unsigned nearly;             /* early dialogs (forking: distinct To tags) */
	uint32_t pinholes[32];
	unsigned npinholes;
};

struct alg_registration_info {
	char aor[128];               /* To URI of the REGISTER, as written */
	struct alg_binding binding;
	uint32_t granted_s;          /* expiry granted by the registrar */
};

struct alg_pinhole_info {
	struct alg_pinhole pin;
	char call_id[128];
	uint64_t last_media_ms;      /* 0: none seen */
	char media[16];              /* "audio", "video", ... (m= type) */
	int rtcp;                    /* this is the RTCP half */
};

int alg_calls_each(const struct alg_engine *e,
		   int (*fn)(void *ctx, const struct alg_call_info *c), void *ctx);
int alg_registrations_each(const struct alg_engine *e,
			   int (*fn)(void *ctx, const struct alg_registration_info *r),
			   void *ctx);
int alg_pinholes_each(const struct alg_engine *e,
		      int (*fn)(void *ctx, const struct alg_pinhole_info *p), void *ctx);

/* End every call (call_id NULL) or one call (ALG_END_CLEARED): the result
 * carries the pinhole closes and call records.  Returns the number of
 * calls ended. */
int alg_clear_calls(struct alg_engine *e, const char *call_id, uint64_t now_ms,
		    struct alg_result *res);

#endif
