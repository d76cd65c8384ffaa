/*
 * binding.h - signalling NAT bindings for UDP: one socket on the public
 * address per inside endpoint (ip, port).  The public port is the inside
 * port when it is free, else one the kernel picks; while a binding lives
 * the same inside endpoint always leaves from the same public port
 * ("consistent" NAT, feature-matrix §1).
 *
 * Lifetime: max(last message + udp_binding_timeout, the engine's
 * ALG_ACT_BINDING_KEEP time); ALG_ACT_BINDING_CLOSE ends it.  Bindings are
 * owned by this module; a closed binding is freed after the current loop
 * batch (binding_reap), so pointers stay valid within one batch.
 * Returns: pointers or NULL (errno set); ints 0 or -errno.
 */
#ifndef SIPALG_DAEMON_BINDING_H
#define SIPALG_DAEMON_BINDING_H

#include <stdint.h>

#include "alg/alg.h"
#include "daemon/config.h"
#include "daemon/loop.h"

struct binding {
	struct loop_watch w;       /* the public socket; w.ctx = this */
	struct alg_addr inside;
	struct alg_addr public_ep;
	struct alg_addr registrar; /* from the engine (strict_register) */
	uint64_t created_ms, last_ms, keep_ms, expires_ms;
	uint64_t msgs_out, msgs_in;
	int dead;
	struct binding *next_inside, *next_all;
};

typedef void (*binding_io_fn)(struct loop_watch *w, uint32_t events);

int binding_init(const struct daemon_config *cfg, binding_io_fn on_readable);
void binding_reconfigure(const struct daemon_config *cfg);
/* The binding of an inside endpoint, created (socket bound) if missing. */
struct binding *binding_get(const struct alg_addr *inside, uint64_t now_ms);
struct binding *binding_find(const struct alg_addr *inside);
void binding_touch(struct binding *b, uint64_t now_ms);
/* Engine actions. */
void binding_extend(const struct alg_binding *ab, uint64_t now_ms);
void binding_close(const struct alg_addr *inside, const char *why);
/* Close expired bindings; earliest expiry left (UINT64_MAX if none). */
uint64_t binding_expire(uint64_t now_ms);
void binding_reap(void);
int binding_port_used(uint16_t port);
unsigned binding_count(void);
int binding_each(int (*fn)(void *ctx, const struct binding *b), void *ctx);
void binding_fini(void);

#endif
