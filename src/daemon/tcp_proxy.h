/*
 * tcp_proxy.h - transparent TCP proxying of SIP (RFC 3261 §18, RFC 5626).
 *
 * A connection from inside is accepted on the transparent listener
 * (getsockname() gives the server's address); sipalgd connects out from the
 * public address (the inside port kept when free) and carries both streams:
 * each is framed (proto frame(), a message may arrive in any number of
 * segments, several may share one), each message goes through the
 * protocol module, and requests from outside ride the same connection back
 * in.  Keep-alives (CRLFCRLF ping, CRLF pong) pass through unchanged.
 * Limits: idle and partial-message timeouts, connections per inside
 * address and in total, bytes buffered per direction.
 *
 * The module owns its connections; closed ones are freed after the loop
 * batch (tcp_proxy_reap).  Returns 0 or -errno.
 */
#ifndef SIPALG_DAEMON_TCP_PROXY_H
#define SIPALG_DAEMON_TCP_PROXY_H

#include <stdint.h>

#include "alg/alg.h"
#include "daemon/config.h"
#include "daemon/proto.h"

int tcp_proxy_open(const struct daemon_config *cfg, const struct proto *p);
void tcp_proxy_close(void);
/* Reopen the listeners for the current SIP ports (reload); connections stay. */
int tcp_proxy_relisten(void);
/* Engine ALG_ACT_BINDING_KEEP for a TCP inside endpoint: its connection
 * is not idle-closed before b->expires_ms. */
void tcp_proxy_keep(const struct alg_binding *b);
/* Close timed-out connections; returns the earliest deadline left. */
uint64_t tcp_proxy_expire(uint64_t now_ms);
/* Write what the batch queued (after the firewall commit). */
void tcp_proxy_flush(void);
void tcp_proxy_reap(void);
unsigned tcp_proxy_count(void);

#endif
