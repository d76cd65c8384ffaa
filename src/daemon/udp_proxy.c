/*
 * udp_proxy.c - the UDP transport: recvmmsg batches in, one proto call per
 * datagram, sendto/sendmsg out.  No allocation per message: the batch
 * buffers are static and the engine's output is sent before the next
 * message is processed (proto.h memory rule).
 */
#include "daemon/udp_proxy.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/binding.h"
#include "daemon/log.h"
#include "daemon/net.h"
#include "daemon/stats.h"

#define BATCH 32
#define MAX_DGRAM 65536
#define BATCHES_PER_WAKE 8
#define SPOOF_CACHE 64

static const struct proto *proto;
static const struct daemon_config *cfg;
/* The tproxy listener, plus one per other SIP port: with br_netfilter
 * (bridge-nf-call-iptables=1) a bridged packet loses the socket tproxy
 * assigned to it and is delivered by its destination port alone, so a
 * transparent socket must exist on every diverted port. */
static struct loop_watch listeners[FW_MAX_PORTS + 1];
static unsigned nlisteners;

static int listener_fd(uint16_t port)
{
	for (unsigned i = 0; i < nlisteners; i++)
		if (listeners[i].ctx == (void *)(uintptr_t)port)
			return listeners[i].fd;
	return -1;
}

static char bufs[BATCH][MAX_DGRAM];
static struct sockaddr_in names[BATCH];
static char cbufs[BATCH][128];
static struct mmsghdr msgs[BATCH];
static struct iovec iovs[BATCH];

static void setup_batch(void)
{
	for (int i = 0; i < BATCH; i++) {
		iovs[i] = (struct iovec){ bufs[i], MAX_DGRAM };
		msgs[i].msg_hdr = (struct msghdr){
			.msg_name = &names[i], .msg_namelen = sizeof(names[i]),
			.msg_iov = &iovs[i], .msg_iovlen = 1,
			.msg_control = cbufs[i], .msg_controllen = sizeof(cbufs[i]),
		};
		msgs[i].msg_len = 0;
	}
}

/*
 * Sends are queued and go out with sendmmsg: one queue for the listener
 * (deliveries to the inside, source set with IP_PKTINFO), flushed after
 * each loop wake-up, and one for any other socket, flushed when the socket
 * changes.  The engine's output is copied into the queue's arena because it
 * is only valid until the next message (proto.h).
 */
#define TXB 64
#define TX_ARENA (1u << 20)

struct txq {
	int fd;
	unsigned n;
	size_t used;
	struct mmsghdr m[TXB];
	struct iovec iov[TXB];
	struct sockaddr_in to[TXB];
	char cmsg[TXB][CMSG_SPACE(sizeof(struct in_pktinfo))];
	char arena[TX_ARENA];
};

static struct txq txl, txo; /* listener, other */

static void tx_flush(struct txq *q)
{
	char a[NET_ADDR_STR];
	struct alg_addr to;

	if (!q->n)
		return;
	/* Pinholes first (a no-op when none are queued): see main.c. */
	proto->commit();
	for (unsigned i = 0; i < q->n;) {
		int k = sendmmsg(q->fd, q->m + i, q->n - i, 0);
		if (k > 0) {
			i += (unsigned)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		/* The message at i failed: count it, report it, go on. */
		stats.tx_errors++;
		net_from_sin(&q->to[i], &to);
		LOG_LIMITED(20, LOG_WARNING, "event=send_error to=%s error=\"%s\"",
			    net_fmt(&to, a), strerror(k < 0 ? errno : EIO));
		i++;
	}
	q->n = 0;
	q->used = 0;
}

static void tx_queue(struct txq *q, int fd, const struct alg_addr *to,
		     const struct alg_addr *src_ip, const char *data, size_t len)
{
	if (q->n && (q->fd != fd || q->n == TXB || q->used + len > TX_ARENA))
		tx_flush(q);
	if (len > TX_ARENA)
		return;
	unsigned i = q->n++;
	char *p = q->arena + q->used;
	memcpy(p, data, len);
	q->used += len;
	q->fd = fd;
	net_to_sin(to, &q->to[i]);
	q->iov[i] = (struct iovec){ p, len };
	q->m[i].msg_hdr = (struct msghdr){ .msg_name = &q->to[i], .msg_namelen = sizeof(q->to[i]),
					   .msg_iov = &q->iov[i], .msg_iovlen = 1 };
	if (src_ip) {
		/* The listener has the right port: set only the source address. */
		struct in_pktinfo pi = { 0 };
		struct cmsghdr *c;
		memcpy(&pi.ipi_spec_dst, src_ip->ip, 4);
		q->m[i].msg_hdr.msg_control = q->cmsg[i];
		q->m[i].msg_hdr.msg_controllen = sizeof(q->cmsg[i]);
		c = CMSG_FIRSTHDR(&q->m[i].msg_hdr);
		c->cmsg_level = SOL_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
}

void udp_proxy_flush(void)
{
	tx_flush(&txl);
	tx_flush(&txo);
}

/* Transparent sockets bound to an outside party's address:port, used as
 * the source of what we deliver to the inside.  A small LRU. */
static struct {
	struct alg_addr addr;
	int fd;
	uint64_t used;
} spoof[SPOOF_CACHE];
static uint64_t spoof_clock;

static int spoof_fd(const struct alg_addr *from)
{
	int lru = 0;

	for (int i = 0; i < SPOOF_CACHE; i++) {
		if (spoof[i].used && net_eq(&spoof[i].addr, from)) {
			spoof[i].used = ++spoof_clock;
			return spoof[i].fd;
		}
		if (spoof[i].used < spoof[lru].used)
			lru = i;
	}
	int fd = net_socket(SOCK_DGRAM, from, NET_TRANSPARENT | NET_REUSE);
	if (fd < 0)
		return fd;
	if (spoof[lru].used) {
		if (txo.n && txo.fd == spoof[lru].fd)
			tx_flush(&txo);
		close(spoof[lru].fd);
	}
	spoof[lru].addr = *from;
	spoof[lru].fd = fd;
	spoof[lru].used = ++spoof_clock;
	return fd;
}

/* Send to an inside endpoint with `from` (an outside party) as source. */
static int send_spoofed(const struct alg_addr *from, const struct alg_addr *to, const char *data,
			size_t len)
{
	int fd = listener_fd(from->port);

	if (fd >= 0) {
		tx_queue(&txl, fd, to, from, data, len);
		return 0;
	}
	if ((fd = spoof_fd(from)) < 0)
		return fd;
	tx_queue(&txo, fd, to, NULL, data, len);
	return 0;
}

static int send_plain(int fd, const struct alg_addr *to, const char *data, size_t len)
{
	tx_queue(&txo, fd, to, NULL, data, len);
	return 0;
}

static void tx_result(int rc, const struct alg_addr *to)
{
	char a[NET_ADDR_STR];

	if (rc >= 0)
		return;
	stats.tx_errors++;
	LOG_LIMITED(20, LOG_WARNING, "event=send_error to=%s error=\"%s\"", net_fmt(to, a),
		    strerror(-rc));
}

static int orig_dst(struct msghdr *mh, struct alg_addr *dst)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == SOL_IP && c->cmsg_type == IP_ORIGDSTADDR) {
			struct sockaddr_in sin;
			memcpy(&sin, CMSG_DATA(c), sizeof(sin));
			net_from_sin(&sin, dst);
			return 0;
		}
	return -1;
}

static void log_not_inside(const struct alg_addr *src, const struct alg_addr *dst)
{
	char a1[NET_ADDR_STR], a2[NET_ADDR_STR];

	LOG_LIMITED(20, LOG_DEBUG, "event=drop src=%s dst=%s reason=\"not from an inside prefix, "
				   "no binding\"", net_fmt(src, a1), net_fmt(dst, a2));
}

/*
 * Diverted SIP whose destination is not outside: this box does not NAT it
 * (rule 10), so it goes on unchanged with the phone's own address as source
 * (a transparent socket bound to it), exactly as routing would have sent
 * it.  To one of this host's own addresses it would come straight back to
 * the listener: dropped.
 */
static void not_outside(const struct alg_addr *src, const struct alg_addr *dst, const char *data,
			size_t len)
{
	char a1[NET_ADDR_STR], a2[NET_ADDR_STR];
	int local = net_is_local(dst), fd = local ? -1 : spoof_fd(src);

	log_event(LOG_INFO, "event=%s src=%s dst=%s len=%zu changed=0 reason=\"%s\"",
		  local ? "drop" : "forward", net_fmt(src, a1), net_fmt(dst, a2), len,
		  local ? "to this host: not a NAT case" : "destination inside: not NATed");
	if (fd >= 0) {
		tx_queue(&txo, fd, dst, NULL, data, len);
		stats.udp_tx_inside++;
	}
}

/* inside -> outside */
static void from_inside(const struct alg_addr *src, const struct alg_addr *dst, const char *data,
			size_t len)
{
	uint64_t now = loop_now();
	struct binding *b = binding_get(src, now);
	struct proto_verdict v;

	if (!b) {
		char a1[NET_ADDR_STR];
		LOG_LIMITED(20, LOG_WARNING, "event=drop src=%s reason=\"no binding: %s\"",
			    net_fmt(src, a1), strerror(errno));
		return;
	}
	binding_touch(b, now);
	b->msgs_out++;
	struct proto_msg m = { .data = data, .len = len, .dir = ALG_OUT, .transport = ALG_UDP,
			       .src = *src, .dst = *dst, .binding = b->public_ep, .inside = *src };
	if (proto->on_message(&m, now, &v) < 0)
		return;
	if (v.action == PROTO_FORWARD) {
		tx_result(send_plain(b->w.fd, dst, v.out, v.len), dst);
		stats.udp_tx_outside++;
	} else if (v.action == PROTO_REPLY) {
		tx_result(send_spoofed(dst, src, v.out, v.len), src);
		stats.udp_tx_inside++;
	}
}

/* outside -> inside, arriving at binding b */
static void from_outside(struct binding *b, const struct alg_addr *src, const char *data,
			 size_t len)
{
	uint64_t now = loop_now();
	struct proto_verdict v;
	struct proto_msg m = { .data = data, .len = len, .dir = ALG_IN, .transport = ALG_UDP,
			       .src = *src, .dst = b->public_ep, .binding = b->public_ep,
			       .inside = b->inside };

	b->msgs_in++;
	if (proto->on_message(&m, now, &v) < 0)
		return;
	if (v.action == PROTO_FORWARD) {
		const struct alg_addr *to = v.deliver_to.family ? &v.deliver_to : &b->inside;
		tx_result(send_spoofed(src, to, v.out, v.len), to);
		stats.udp_tx_inside++;
	} else if (v.action == PROTO_REPLY) {
		tx_result(send_plain(b->w.fd, src, v.out, v.len), src);
		stats.udp_tx_outside++;
	}
}

static int receive(int fd)
{
	setup_batch();
	int n = recvmmsg(fd, msgs, BATCH, MSG_DONTWAIT, NULL);
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		log_event(LOG_WARNING, "event=recv_error error=\"%s\"", strerror(errno));
	return n;
}

static void listener_readable(struct loop_watch *w, uint32_t events)
{
	struct alg_addr src, dst;
	int n = BATCH;

	(void)events;
	for (int round = 0; round < BATCHES_PER_WAKE && n == BATCH; round++) {
		if ((n = receive(w->fd)) <= 0)
			return;
		for (int i = 0; i < n; i++) {
			stats.udp_rx_inside++;
			net_from_sin(&names[i], &src);
			/* The listener's 0.0.0.0 bind also catches datagrams sent to
			 * the public address with no binding: those are not from the
			 * inside, and no binding may be created for them. */
			if (orig_dst(&msgs[i].msg_hdr, &dst) ||
			    !net_in_prefixes(&src, cfg->alg.inside, cfg->alg.ninside)) {
				stats.not_inside++;
				log_not_inside(&src, &dst);
				continue;
			}
			if (net_is_local(&dst) ||
			    net_in_prefixes(&dst, cfg->alg.inside, cfg->alg.ninside))
				not_outside(&src, &dst, bufs[i], msgs[i].msg_len);
			else
				from_inside(&src, &dst, bufs[i], msgs[i].msg_len);
		}
	}
}

void udp_proxy_binding_readable(struct loop_watch *w, uint32_t events)
{
	struct binding *b = w->ctx;
	struct alg_addr src;
	int n = BATCH;

	(void)events;
	for (int round = 0; round < BATCHES_PER_WAKE && n == BATCH && !b->dead; round++) {
		if ((n = receive(w->fd)) <= 0)
			return;
		for (int i = 0; i < n && !b->dead; i++) {
			stats.udp_rx_outside++;
			net_from_sin(&names[i], &src);
			from_outside(b, &src, bufs[i], msgs[i].msg_len);
		}
	}
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

	return net_listeners_open(listeners, &nlisteners, ports, n, SOCK_DGRAM,
				  NET_TRANSPARENT | NET_ORIGDST | NET_REUSE | NET_BIGBUF, listener_readable);
}

int udp_proxy_open(const struct daemon_config *c, const struct proto *p)
{
	cfg = c;
	proto = p;
	return open_listeners();
}

int udp_proxy_relisten(void)
{
	udp_proxy_flush();
	close_listeners();
	return open_listeners();
}

void udp_proxy_close(void)
{
	udp_proxy_flush();
	close_listeners();
	for (int i = 0; i < SPOOF_CACHE; i++)
		if (spoof[i].used) {
			close(spoof[i].fd);
			spoof[i].used = 0;
		}
}
