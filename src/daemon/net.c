/*
 * net.c - socket helpers (see net.h).
 */
#include "daemon/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

void net_to_sin(const struct alg_addr *a, struct sockaddr_in *sin)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_addr, a->ip, 4);
	sin->sin_port = htons(a->port);
}

void net_from_sin(const struct sockaddr_in *sin, struct alg_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = 4;
	memcpy(a->ip, &sin->sin_addr, 4);
	a->port = ntohs(sin->sin_port);
}

const char *net_fmt(const struct alg_addr *a, char *buf)
{
	char ip[INET6_ADDRSTRLEN];

	if (a->family == 6)
		snprintf(buf, NET_ADDR_STR, "[%s]:%u", inet_ntop(AF_INET6, a->ip, ip, sizeof(ip)),
			 a->port);
	else if (a->family == 4)
		snprintf(buf, NET_ADDR_STR, "%s:%u", inet_ntop(AF_INET, a->ip, ip, sizeof(ip)),
			 a->port);
	else
		snprintf(buf, NET_ADDR_STR, "-");
	return buf;
}

int net_eq(const struct alg_addr *a, const struct alg_addr *b)
{
	size_t n = a->family == 6 ? 16 : 4;

	return a->family == b->family && a->port == b->port && !memcmp(a->ip, b->ip, n);
}

int net_in_prefixes(const struct alg_addr *a, const struct alg_prefix *p, unsigned n)
{
	uint32_t ip, net, mask;

	if (a->family != 4)
		return 0;
	memcpy(&ip, a->ip, 4);
	for (unsigned i = 0; i < n; i++) {
		if (p[i].addr.family != 4)
			continue;
		memcpy(&net, p[i].addr.ip, 4);
		mask = p[i].len ? htonl(~0u << (32 - p[i].len)) : 0;
		if (((ip ^ net) & mask) == 0)
			return 1;
	}
	return 0;
}

uint32_t net_hash(const struct alg_addr *a)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < (a->family == 6 ? 16 : 4); i++)
		h = (h ^ a->ip[i]) * 16777619u;
	h = (h ^ (a->port & 0xff)) * 16777619u;
	h = (h ^ (a->port >> 8)) * 16777619u;
	return h;
}

#define NET_MAX_LOCAL 64

static uint32_t local_ips[NET_MAX_LOCAL];
static unsigned nlocal;

int net_local_refresh(void)
{
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa))
		return -errno;
	nlocal = 0;
	for (i = ifa; i && nlocal < NET_MAX_LOCAL; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET) {
			struct sockaddr_in sin;
			memcpy(&sin, i->ifa_addr, sizeof(sin));
			local_ips[nlocal++] = sin.sin_addr.s_addr;
		}
	freeifaddrs(ifa);
	return 0;
}

int net_is_local(const struct alg_addr *a)
{
	uint32_t ip;

	if (a->family != 4)
		return 0;
	memcpy(&ip, a->ip, 4);
	if ((ntohl(ip) >> 24) == 127)
		return 1;
	for (unsigned i = 0; i < nlocal; i++)
		if (local_ips[i] == ip)
			return 1;
	return 0;
}

static int set_opt(int fd, int level, int name)
{
	int one = 1;

	return setsockopt(fd, level, name, &one, sizeof(one));
}

static int set_flags(int fd, unsigned flags)
{
	if ((flags & NET_REUSE) && set_opt(fd, SOL_SOCKET, SO_REUSEADDR))
		return -1;
	if ((flags & NET_TRANSPARENT) && set_opt(fd, SOL_IP, IP_TRANSPARENT))
		return -1;
	if ((flags & NET_ORIGDST) &&
	    (set_opt(fd, SOL_IP, IP_RECVORIGDSTADDR) || set_opt(fd, SOL_IP, IP_PKTINFO)))
		return -1;
	if ((flags & NET_NOPORT) && set_opt(fd, SOL_IP, IP_BIND_ADDRESS_NO_PORT))
		return -1;
	if (flags & NET_BIGBUF) {
		/* The default (~200 KiB) holds under a hundred datagrams.  The
		 * FORCE variants pass net.core.rmem_max (we have CAP_NET_ADMIN);
		 * without it the plain ones give what the sysctl allows. */
		int big = 4 << 20;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
		if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big)))
			setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	}
	return 0;
}

int net_socket(int type, const struct alg_addr *a, unsigned flags)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int err;

	if (fd < 0)
		return -errno;
	if (set_flags(fd, flags))
		goto out;
	if (a) {
		net_to_sin(a, &sin);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
			goto out;
	}
	return fd;
out:
	err = errno;
	close(fd);
	return -err;
}

int net_listeners_open(struct loop_watch *w, unsigned *opened, const uint16_t *ports, unsigned n,
		       int type, unsigned flags, void (*fn)(struct loop_watch *w, uint32_t events))
{
	int rc;

	for (*opened = 0; *opened < n; ++*opened) {
		struct alg_addr any = { .family = 4, .port = ports[*opened] };
		struct loop_watch *l = &w[*opened];

		l->fd = net_socket(type, &any, flags);
		if (l->fd < 0)
			return l->fd;
		l->fn = fn;
		l->ctx = (void *)(uintptr_t)ports[*opened];
		rc = type == SOCK_STREAM && listen(l->fd, 512) ? -errno : 0;
		if (rc == 0)
			rc = loop_add(l, EPOLLIN);
		if (rc < 0) {
			close(l->fd);
			return rc;
		}
	}
	return 0;
}
