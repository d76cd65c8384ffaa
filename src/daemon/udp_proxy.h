/*
 * udp_proxy.h - transparent UDP proxying of SIP.
 *
 * The inside listener (0.0.0.0:tproxy_port, IP_TRANSPARENT,
 * IP_RECVORIGDSTADDR) receives what nftables tproxy diverts: the phone's
 * address as source, the server's as original destination.  Messages go
 * out from the phone's binding socket (binding.h); answers come back to
 * that socket and are delivered to the phone with the outside party's
 * address and port as source (a transparent socket bound to it, or the
 * listener with IP_PKTINFO when the port is the listener's).  Datagrams
 * are read in batches (recvmmsg).  Returns 0 or -errno.
 */
#ifndef SIPALG_DAEMON_UDP_PROXY_H
#define SIPALG_DAEMON_UDP_PROXY_H

#include <stddef.h>
#include <stdint.h>

#include "alg/alg.h"
#include "daemon/config.h"
#include "daemon/loop.h"
#include "daemon/proto.h"

int udp_proxy_open(const struct daemon_config *cfg, const struct proto *p);
void udp_proxy_close(void);
/* Reopen the listeners for the current SIP ports (reload); bindings stay. */
int udp_proxy_relisten(void);
/* Send what is queued (sendmmsg); main calls it after each loop wake-up,
 * after the firewall commit and before bindings closed in that wake-up are
 * reaped. */
void udp_proxy_flush(void);
/* binding.c calls this when a binding socket is readable. */
void udp_proxy_binding_readable(struct loop_watch *w, uint32_t events);

#endif
