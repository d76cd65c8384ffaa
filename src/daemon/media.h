/*
 * media.h - the daemon's record of open media pinholes: it turns the
 * engine's pinhole actions into firewall calls (fw.h) and keeps each
 * pinhole's kernel counters for polling, `sipalg pinholes` and call
 * records.
 *
 * Owns one small record per pinhole (allocated on open, freed when the
 * call record has used it or after a grace period).  fw may be NULL (no
 * firewall: tests), then only the bookkeeping runs.  Returns 0 or -errno.
 */
#ifndef SIPALG_DAEMON_MEDIA_H
#define SIPALG_DAEMON_MEDIA_H

#include <stdint.h>

#include "alg/alg.h"
#include "daemon/fw.h"

int media_init(struct fw *fw);
void media_fini(void);
int media_open(const struct alg_pinhole *p, const char *call_id, uint64_t now_ms);
int media_refresh(const struct alg_pinhole *p);
int media_close(const struct alg_pinhole *p, uint64_t now_ms);
/* One netlink transaction for everything queued since the last commit:
 * 1 if one was sent, 0 if nothing was queued, -errno. */
int media_commit(void);
/* Read counters of open pinholes; seen(id) for those that moved. */
void media_poll(uint64_t now_ms, void (*seen)(uint32_t id, void *ctx), void *ctx);
/* Sum the counters of these pinholes (open or recently closed) and forget
 * the closed ones; sum NULL: only forget them (no counters read). */
void media_totals(const uint32_t *ids, unsigned n, struct fw_counters *sum);
/* 1 if an open pinhole uses this public port. */
int media_port_used(uint16_t port);
/* Counters of one pinhole; -ENOENT if unknown. */
int media_counters(uint32_t id, struct fw_counters *c);
unsigned media_open_count(void);

#endif
