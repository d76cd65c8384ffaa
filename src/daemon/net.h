/*
 * net.h - small socket helpers shared by the transports: struct alg_addr
 * <-> sockaddr_in, formatting for logs, and socket creation with the
 * options transparent proxying needs (IP_TRANSPARENT, IP_RECVORIGDSTADDR,
 * SO_REUSEADDR).  IPv4 only for now (the data plane is `table ip`).
 * Socket functions return an fd or -errno; the caller owns the fd.
 */
#ifndef SIPALG_DAEMON_NET_H
#define SIPALG_DAEMON_NET_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#include "alg/alg.h"
#include "daemon/loop.h"

#define NET_ADDR_STR 64

void net_to_sin(const struct alg_addr *a, struct sockaddr_in *sin);
void net_from_sin(const struct sockaddr_in *sin, struct alg_addr *a);
/* "192.0.2.1:5060" into buf (NET_ADDR_STR bytes); returns buf. */
const char *net_fmt(const struct alg_addr *a, char *buf);
int net_eq(const struct alg_addr *a, const struct alg_addr *b);
/* 1 if a (IPv4) lies in one of the n prefixes. */
int net_in_prefixes(const struct alg_addr *a, const struct alg_prefix *p, unsigned n);
uint32_t net_hash(const struct alg_addr *a);
/* This host's IPv4 addresses, read by net_local_refresh() (start, reload). */
int net_local_refresh(void);
int net_is_local(const struct alg_addr *a);

#define NET_TRANSPARENT 1u /* IP_TRANSPARENT: bind/send as a foreign address */
#define NET_ORIGDST 2u     /* IP_RECVORIGDSTADDR (+ IP_PKTINFO) */
#define NET_REUSE 4u       /* SO_REUSEADDR */
#define NET_NOPORT 8u      /* IP_BIND_ADDRESS_NO_PORT (TCP connect) */
#define NET_BIGBUF 16u     /* 4 MiB socket buffers: absorb bursts while busy */

/* A non-blocking socket of type (SOCK_DGRAM / SOCK_STREAM) bound to a
 * (port 0: any; a == NULL: no bind). */
int net_socket(int type, const struct alg_addr *a, unsigned flags);

/* A proxy's listeners: for each of the n ports, a socket of type bound to
 * 0.0.0.0:port with flags (listen()ing if SOCK_STREAM), in w[i] with fn and
 * ctx = the port, watched for EPOLLIN.  *opened counts the sockets open,
 * also after a failure (loop_close_all() them).  Returns 0 or -errno. */
int net_listeners_open(struct loop_watch *w, unsigned *opened, const uint16_t *ports, unsigned n,
		       int type, unsigned flags, void (*fn)(struct loop_watch *w, uint32_t events));

#endif
