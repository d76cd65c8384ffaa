/*
 * binding.c - UDP signalling bindings on the public address.
 *
 * Sockets use SO_REUSEADDR so that public:5060 can coexist with the
 * transparent listener on 0.0.0.0:5060 (the kernel delivers to the more
 * specific bind); because SO_REUSEADDR would also let two of our own
 * sockets share a port, the port table here is checked first.  The
 * fallback (inside port taken) binds port 0 without SO_REUSEADDR, so the
 * kernel picks a port nobody uses.  Ports inside the media range or used
 * by a pinhole are never kept: the media DNAT map would shadow them.
 */
#include "daemon/binding.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/media.h"
#include "daemon/net.h"
#include "daemon/stats.h"

#define BUCKETS 8192u

static const struct daemon_config *cfg;
static binding_io_fn readable;
static struct binding *by_inside[BUCKETS];
static struct binding *by_port[65536];
static struct binding *all, *graveyard;
static unsigned count;

int binding_init(const struct daemon_config *c, binding_io_fn on_readable)
{
	cfg = c;
	readable = on_readable;
	return 0;
}

void binding_reconfigure(const struct daemon_config *c)
{
	cfg = c;
}

static struct binding **inside_slot(const struct alg_addr *inside)
{
	struct binding **pp = &by_inside[net_hash(inside) % BUCKETS];

	while (*pp && !net_eq(&(*pp)->inside, inside))
		pp = &(*pp)->next_inside;
	return pp;
}

struct binding *binding_find(const struct alg_addr *inside)
{
	return *inside_slot(inside);
}

int binding_port_used(uint16_t port)
{
	return by_port[port] != NULL;
}

static int port_ok(uint16_t p)
{
	if (p < 1024 || by_port[p] || media_port_used(p))
		return 0;
	return p < cfg->alg.media_port_min || p > cfg->alg.media_port_max;
}

/* Bind a socket on the public address: inside port if possible. */
static int open_public(const struct alg_addr *inside, struct alg_addr *pub)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = -1;

	for (int tries = 0; tries < 8; tries++) {
		*pub = cfg->alg.public_addr;
		pub->port = tries == 0 && port_ok(inside->port) ? inside->port : 0;
		fd = net_socket(SOCK_DGRAM, pub, (pub->port ? NET_REUSE : 0) | NET_BIGBUF);
		if (fd < 0 && pub->port)
			continue;
		if (fd < 0)
			return fd;
		if (getsockname(fd, (struct sockaddr *)&sin, &len) == 0) {
			pub->port = ntohs(sin.sin_port);
			if (port_ok(pub->port) || pub->port == inside->port)
				return fd;
		}
		close(fd); /* kernel picked a media port: try again */
		fd = -EADDRINUSE;
	}
	return fd;
}

struct binding *binding_get(const struct alg_addr *inside, uint64_t now_ms)
{
	struct binding **pp = inside_slot(inside), *b = *pp;
	char a1[NET_ADDR_STR], a2[NET_ADDR_STR];

	if (b)
		return b;
	if (count >= cfg->max_bindings) {
		stats.bindings_refused++;
		errno = ENOSPC;
		return NULL;
	}
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->w.fd = open_public(inside, &b->public_ep);
	if (b->w.fd < 0) {
		LOG_LIMITED(20, LOG_WARNING, "event=binding_fail inside=%s error=\"%s\"",
			    net_fmt(inside, a1), strerror(-b->w.fd));
		errno = -b->w.fd;
		free(b);
		stats.bindings_refused++;
		return NULL;
	}
	b->w.fn = readable;
	b->w.ctx = b;
	b->inside = *inside;
	b->created_ms = b->last_ms = now_ms;
	b->expires_ms = now_ms + cfg->udp_binding_ms;
	loop_add(&b->w, EPOLLIN);
	*pp = b;
	by_port[b->public_ep.port] = b;
	b->next_all = all;
	all = b;
	count++;
	stats.bindings_created++;
	log_event(LOG_INFO, "event=binding_open transport=udp inside=%s public=%s",
		  net_fmt(inside, a1), net_fmt(&b->public_ep, a2));
	return b;
}

static void update_expiry(struct binding *b)
{
	uint64_t idle = b->last_ms + cfg->udp_binding_ms;

	b->expires_ms = idle > b->keep_ms ? idle : b->keep_ms;
}

void binding_touch(struct binding *b, uint64_t now_ms)
{
	b->last_ms = now_ms;
	update_expiry(b);
}

void binding_extend(const struct alg_binding *ab, uint64_t now_ms)
{
	struct binding *b = binding_find(&ab->inside);
	char a1[NET_ADDR_STR];

	(void)now_ms;
	if (!b)
		return;
	b->keep_ms = ab->expires_ms;
	b->registrar = ab->registrar;
	update_expiry(b);
	/* Every INVITE extends its binding: no address formatted for nothing. */
	if (log_enabled(LOG_DEBUG))
		log_event(LOG_DEBUG, "event=binding_extend inside=%s until_ms=%llu",
			  net_fmt(&b->inside, a1), (unsigned long long)b->keep_ms);
}

static void unlink_binding(struct binding *b)
{
	struct binding **pp = inside_slot(&b->inside);

	*pp = b->next_inside;
	for (pp = &all; *pp != b; pp = &(*pp)->next_all)
		;
	*pp = b->next_all;
	by_port[b->public_ep.port] = NULL;
	/* The socket stays open until binding_reap(): a message being handled
	 * in this batch may still be sent from it. */
	loop_del(&b->w);
	b->dead = 1;
	b->next_all = graveyard;
	graveyard = b;
	count--;
}

void binding_close(const struct alg_addr *inside, const char *why)
{
	struct binding *b = binding_find(inside);
	char a1[NET_ADDR_STR], a2[NET_ADDR_STR];

	if (!b)
		return;
	log_event(LOG_INFO, "event=binding_close transport=udp inside=%s public=%s reason=%s",
		  net_fmt(&b->inside, a1), net_fmt(&b->public_ep, a2), why);
	unlink_binding(b);
	stats.bindings_closed++;
}

uint64_t binding_expire(uint64_t now_ms)
{
	uint64_t next = UINT64_MAX;
	struct binding *b = all, *n;

	for (; b; b = n) {
		n = b->next_all;
		if (b->expires_ms <= now_ms)
			binding_close(&b->inside, "expired");
		else if (b->expires_ms < next)
			next = b->expires_ms;
	}
	return next;
}

void binding_reap(void)
{
	while (graveyard) {
		struct binding *b = graveyard;
		graveyard = b->next_all;
		close(b->w.fd);
		free(b);
	}
}

unsigned binding_count(void)
{
	return count;
}

int binding_each(int (*fn)(void *ctx, const struct binding *b), void *ctx)
{
	int n = 0;

	for (struct binding *b = all; b; b = b->next_all, n++)
		if (fn(ctx, b))
			break;
	return n;
}

void binding_fini(void)
{
	while (all)
		unlink_binding(all);
	binding_reap();
}
