/*
 * tcp_proxy.c - the TCP transport: connection pairs (inside, outside),
 * stream framing, buffered non-blocking writes, limits and timers.
 *
 * Each pair has two halves; a half owns one socket, the bytes read from
 * it that do not yet make a whole frame, and the bytes waiting to be
 * written to it.  Buffers grow up to tcp_max_buffer; beyond that the pair
 * is closed (a peer that never reads, or a message that never ends).
 */
#include "daemon/tcp_proxy.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/loop.h"
#include "daemon/net.h"
#include "daemon/stats.h"
#include "sip/error.h"

#define CONNECT_TIMEOUT_MS 10000u
#define READ_CHUNK 16384u

struct buf {
	char *p;
	size_t len, cap;
};

struct half {
	struct loop_watch w;
	struct buf in, out;
	uint64_t partial_since; /* 0: no unfinished frame */
	uint32_t events;
};

struct conn {
	struct half in, out; /* in: accepted from inside; out: connected outside */
	struct alg_addr phone, server, public_ep;
	int connecting, dead, pending;
	uint64_t created_ms, last_ms, keep_ms;
	struct conn *next, *next_pending;
};

static const struct daemon_config *cfg;
static const struct proto *proto;
/* One per listen port, as in udp_proxy.c (br_netfilter loses tproxy's
 * socket assignment; the destination port must find a listener). */
static struct loop_watch listeners[FW_MAX_PORTS + 1];
static unsigned nlisteners;
static struct conn *conns, *graveyard, *pending;
static unsigned nconns;

static void conn_close(struct conn *c, const char *why)
{
	char a1[NET_ADDR_STR], a2[NET_ADDR_STR];
	struct conn **pp;

	if (c->dead)
		return;
	log_event(LOG_INFO, "event=tcp_close inside=%s server=%s reason=%s",
		  net_fmt(&c->phone, a1), net_fmt(&c->server, a2), why);
	for (struct half *h = &c->in; h; h = h == &c->in ? &c->out : NULL)
		if (h->w.fd >= 0) {
			loop_del(&h->w);
			close(h->w.fd);
			h->w.fd = -1;
		}
	for (pp = &conns; *pp != c; pp = &(*pp)->next)
		;
	*pp = c->next;
	c->dead = 1;
	c->next = graveyard;
	graveyard = c;
	nconns--;
	stats.tcp_closed++;
}

static int buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->len + n > cfg->tcp_max_buffer)
		return -ENOBUFS;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		char *np = realloc(b->p, cap);
		if (!np)
			return -ENOMEM;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static void buf_drop(struct buf *b, size_t n)
{
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
}

static void set_events(struct half *h, uint32_t ev)
{
	if (h->w.fd >= 0 && h->events != ev) {
		h->events = ev;
		loop_mod(&h->w, ev);
	}
}

/* Write what is queued; wait for EPOLLOUT if the socket is full. */
static int flush(struct conn *c, struct half *h)
{
	while (h->out.len && !(h == &c->out && c->connecting)) {
		ssize_t n = send(h->w.fd, h->out.p, h->out.len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0)
			return -errno;
		buf_drop(&h->out, (size_t)n);
	}
	set_events(h, EPOLLIN | (h->out.len || (h == &c->out && c->connecting) ? EPOLLOUT : 0));
	return 0;
}

static int queue(struct conn *c, struct half *h, const char *p, size_t n)
{
	int rc = buf_add(&h->out, p, n);

	if (rc < 0) {
		stats.tcp_overflows++;
		conn_close(c, "buffer_full");
		return rc;
	}
	return 0;
}

/* One whole SIP message read from half h. */
static int on_message(struct conn *c, struct half *h, const char *p, size_t n)
{
	int from_inside = h == &c->in;
	struct proto_verdict v;
	struct proto_msg m = {
		.data = p, .len = n, .dir = from_inside ? ALG_OUT : ALG_IN,
		.transport = ALG_TCP, .binding = c->public_ep, .inside = c->phone,
		.src = from_inside ? c->phone : c->server,
		.dst = from_inside ? c->server : c->public_ep,
	};

	if (from_inside)
		stats.tcp_msgs_inside++;
	else
		stats.tcp_msgs_outside++;
	if (proto->on_message(&m, loop_now(), &v) < 0)
		return 0;
	if (v.action == PROTO_FORWARD)
		return queue(c, from_inside ? &c->out : &c->in, v.out, v.len);
	if (v.action == PROTO_REPLY)
		return queue(c, h, v.out, v.len);
	return 0;
}

/* Cut h->in into frames; each goes through the protocol module. */
static int frame_all(struct conn *c, struct half *h)
{
	size_t used = 0, flen;
	int kind = 0;

	while (used < h->in.len && !c->dead) {
		kind = proto->frame(h->in.p + used, h->in.len - used, &flen);
		if (kind == SIP_ENEEDMORE)
			break;
		if (kind < 0) {
			stats.tcp_frame_errors++;
			log_event(LOG_NOTICE, "event=tcp_frame_error error=\"%s\"", sip_strerror(kind));
			conn_close(c, "frame_error");
			return kind;
		}
		if (kind == PROTO_FRAME_MESSAGE) {
			if (on_message(c, h, h->in.p + used, flen) < 0)
				return -1;
		} else {
			/* RFC 5626 §3.5.1 keep-alive: pass it to the other side, whose
			 * answer (a pong) comes back the same way. */
			stats.tcp_keepalives++;
			if (queue(c, h == &c->in ? &c->out : &c->in, h->in.p + used, flen) < 0)
				return -1;
		}
		used += flen;
	}
	if (c->dead)
		return -1;
	buf_drop(&h->in, used);
	/* The partial-message timer runs from the last complete frame: a busy
	 * pipelined stream that always ends mid-message is not stuck. */
	if (!h->in.len)
		h->partial_since = 0;
	else if (used || !h->partial_since)
		h->partial_since = loop_now();
	return 0;
}

static void read_half(struct conn *c, struct half *h)
{
	char tmp[READ_CHUNK];
	ssize_t n;

	for (;;) {
		n = recv(h->w.fd, tmp, sizeof(tmp), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			/* Best effort: what this side sent last still goes out. */
			struct half *o = h == &c->in ? &c->out : &c->in;
			if (n == 0 && o->out.len) {
				proto->commit(); /* pinholes before the answer */
				flush(c, o);
			}
			conn_close(c, n == 0 ? (h == &c->in ? "inside_closed" : "outside_closed")
					     : "read_error");
			return;
		}
		c->last_ms = loop_now();
		if (buf_add(&h->in, tmp, (size_t)n) < 0) {
			stats.tcp_overflows++;
			conn_close(c, "message_too_big");
			return;
		}
		if (frame_all(c, h) < 0)
			return;
	}
}

static void finish_connect(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	getsockopt(c->out.w.fd, SOL_SOCKET, SO_ERROR, &err, &len);
	if (err) {
		stats.tcp_refused++;
		log_event(LOG_NOTICE, "event=tcp_connect_fail error=\"%s\"", strerror(err));
		conn_close(c, "connect_failed");
		return;
	}
	c->connecting = 0;
}

static void half_event(struct loop_watch *w, uint32_t events)
{
	struct conn *c = w->ctx;
	struct half *h = w == &c->in.w ? &c->in : &c->out;

	if (c->dead)
		return;
	if (h == &c->out && c->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		finish_connect(c);
	if (!c->dead && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		read_half(c, h);
	/* Reading one side queues bytes for the other.  They are written by
	 * tcp_proxy_flush() after the batch's firewall commit, so a phone
	 * never sees an answer before the pinhole its SDP needs exists. */
	if (!c->dead && !c->pending) {
		c->pending = 1;
		c->next_pending = pending;
		pending = c;
	}
}

void tcp_proxy_flush(void)
{
	while (pending) {
		struct conn *c = pending;
		pending = c->next_pending;
		c->pending = 0;
		if (!c->dead && (flush(c, &c->out) < 0 || flush(c, &c->in) < 0))
			conn_close(c, "write_error");
	}
}

static int count_from(const struct alg_addr *phone)
{
	int n = 0;

	for (struct conn *c = conns; c; c = c->next)
		n += !memcmp(c->phone.ip, phone->ip, 4);
	return n;
}

/* Connect from the public address, keeping the phone's port if free. */
static int connect_out(struct conn *c)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct alg_addr pub = cfg->alg.public_addr;
	int fd;

	pub.port = c->phone.port;
	fd = net_socket(SOCK_STREAM, &pub, NET_REUSE);
	if (fd < 0) {
		pub.port = 0;
		fd = net_socket(SOCK_STREAM, &pub, NET_NOPORT);
	}
	if (fd < 0)
		return fd;
	net_to_sin(&c->server, &sin);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) && errno != EINPROGRESS) {
		int err = -errno;
		close(fd);
		return err;
	}
	getsockname(fd, (struct sockaddr *)&sin, &len);
	net_from_sin(&sin, &c->public_ep);
	c->out.w.fd = fd;
	c->connecting = 1;
	return 0;
}

static struct conn *conn_new(int fd, const struct alg_addr *phone, const struct alg_addr *server)
{
	struct conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->in.w = (struct loop_watch){ fd, half_event, c };
	c->out.w = (struct loop_watch){ -1, half_event, c };
	c->phone = *phone;
	c->server = *server;
	c->created_ms = c->last_ms = loop_now();
	if (connect_out(c) < 0) {
		free(c);
		return NULL;
	}
	c->in.events = EPOLLIN;
	c->out.events = EPOLLIN | EPOLLOUT;
	loop_add(&c->in.w, c->in.events);
	loop_add(&c->out.w, c->out.events);
	c->next = conns;
	conns = c;
	nconns++;
	return c;
}

/* Why a connection from inside is not proxied (NULL: it is), with the log
 * level to say so at. */
static const char *refuse_why(const struct alg_addr *phone, const struct alg_addr *server,
			      int *level)
{
	*level = LOG_INFO;
	/* The listener's 0.0.0.0 bind also accepts connections to the public
	 * address from outside; only inside phones are proxied. */
	if (!net_in_prefixes(phone, cfg->alg.inside, cfg->alg.ninside)) {
		stats.not_inside++;
		*level = LOG_DEBUG;
		return "not from an inside prefix";
	}
	/* To this host it would loop to the listener; inside is not NATed. */
	if (net_is_local(server) || net_in_prefixes(server, cfg->alg.inside, cfg->alg.ninside))
		return "destination is this host or inside: not a NAT case";
	*level = LOG_WARNING;
	if (nconns >= cfg->tcp_max_conns || count_from(phone) >= (int)cfg->tcp_max_per_src)
		return "connection limit";
	return NULL;
}

static void accept_one(int fd)
{
	struct sockaddr_in a, b;
	socklen_t la = sizeof(a), lb = sizeof(b);
	struct alg_addr phone, server;
	char s1[NET_ADDR_STR], s2[NET_ADDR_STR], s3[NET_ADDR_STR];
	struct conn *c = NULL;
	const char *why;
	int level;

	/* With IP_TRANSPARENT the local address is the original destination. */
	getpeername(fd, (struct sockaddr *)&a, &la);
	getsockname(fd, (struct sockaddr *)&b, &lb);
	net_from_sin(&a, &phone);
	net_from_sin(&b, &server);
	why = refuse_why(&phone, &server, &level);
	if (!why && !(c = conn_new(fd, &phone, &server)))
		why = "connect error";
	if (why) {
		if (level != LOG_DEBUG)
			stats.tcp_refused++;
		LOG_LIMITED(20, level, "event=tcp_refused inside=%s server=%s reason=\"%s\"",
			    net_fmt(&phone, s1), net_fmt(&server, s2), why);
		close(fd);
		return;
	}
	stats.tcp_accepted++;
	log_event(LOG_INFO, "event=tcp_open inside=%s server=%s public=%s", net_fmt(&phone, s1),
		  net_fmt(&server, s2), net_fmt(&c->public_ep, s3));
}

static void listener_readable(struct loop_watch *w, uint32_t events)
{
	int fd;

	(void)events;
	while ((fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0)
		accept_one(fd);
}

static void close_listeners(void)
{
	loop_close_all(listeners, nlisteners);
	nlisteners = 0;
}

static int open_listeners(void)
{
	uint16_t ports[FW_MAX_PORTS + 1];
	unsigned n = config_listen_ports(cfg, ports);

	return net_listeners_open(listeners, &nlisteners, ports, n, SOCK_STREAM,
				  NET_TRANSPARENT | NET_REUSE, listener_readable);
}

int tcp_proxy_open(const struct daemon_config *c, const struct proto *p)
{
	cfg = c;
	proto = p;
	return open_listeners();
}

int tcp_proxy_relisten(void)
{
	close_listeners();
	return open_listeners();
}

void tcp_proxy_keep(const struct alg_binding *b)
{
	for (struct conn *c = conns; c; c = c->next)
		if (net_eq(&c->phone, &b->inside) && b->expires_ms > c->keep_ms)
			c->keep_ms = b->expires_ms;
}

static const char *timed_out(const struct conn *c, uint64_t now)
{
	if (c->connecting && now - c->created_ms > CONNECT_TIMEOUT_MS)
		return "connect_timeout";
	if (c->in.partial_since && now - c->in.partial_since > cfg->tcp_partial_ms)
		return "partial_timeout";
	if (c->out.partial_since && now - c->out.partial_since > cfg->tcp_partial_ms)
		return "partial_timeout";
	if (now - c->last_ms > cfg->tcp_idle_ms && now > c->keep_ms)
		return "idle_timeout";
	return NULL;
}

uint64_t tcp_proxy_expire(uint64_t now)
{
	struct conn *c = conns, *n;
	const char *why;

	for (; c; c = n) {
		n = c->next;
		if ((why = timed_out(c, now))) {
			stats.tcp_timeouts++;
			conn_close(c, why);
		}
	}
	return UINT64_MAX;
}

void tcp_proxy_reap(void)
{
	while (graveyard) {
		struct conn *c = graveyard;
		graveyard = c->next;
		free(c->in.in.p);
		free(c->in.out.p);
		free(c->out.in.p);
		free(c->out.out.p);
		free(c);
	}
}

unsigned tcp_proxy_count(void)
{
	return nconns;
}

void tcp_proxy_close(void)
{
	while (conns)
		conn_close(conns, "shutdown");
	close_listeners();
}
