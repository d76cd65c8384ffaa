/*
 * loop.h - sipalgd's event loop: epoll for sockets, signalfd for signals,
 * one deadline for timers.  The only place in sipalg that reads the clock
 * (CLOCK_MONOTONIC, milliseconds), once per wake-up; everything else asks
 * loop_now().
 *
 * A struct loop_watch is owned by the caller and must stay valid while it
 * is registered.  Functions return 0 or -errno.
 */
#ifndef SIPALG_DAEMON_LOOP_H
#define SIPALG_DAEMON_LOOP_H

#include <stdint.h>

struct loop_watch {
	int fd;
	void (*fn)(struct loop_watch *w, uint32_t events);
	void *ctx;
};

struct loop_hooks {
	void (*on_signal)(int signo, void *ctx);
	/* Called when the deadline passed; then next_deadline() is asked. */
	void (*on_timer)(uint64_t now_ms, void *ctx);
	uint64_t (*next_deadline)(void *ctx); /* absolute ms, UINT64_MAX = none */
	void (*after_batch)(void *ctx);       /* after each wake-up's events */
	void *ctx;
};

int loop_init(void);
int loop_add(struct loop_watch *w, uint32_t events);
int loop_mod(struct loop_watch *w, uint32_t events);
void loop_del(struct loop_watch *w);
/* loop_del() and close() each of n watches (a proxy's listeners). */
void loop_close_all(struct loop_watch *w, unsigned n);
uint64_t loop_now(void);
/* Wall-clock milliseconds since the epoch for a loop_now() time (logs and
 * call records only; never used for timers). */
uint64_t loop_wall_ms(uint64_t mono_ms);
/* Run until loop_stop(); returns 0 or -errno. */
int loop_run(const struct loop_hooks *h);
void loop_stop(void);
void loop_close(void);

#endif
