/*
 * proto.h - the protocol seam: what a proxied application protocol (SIP
 * today, FTP later) gives the daemon's transports.
 *
 * The transports (udp_proxy.c, tcp_proxy.c) own sockets, bindings and
 * buffers; a protocol module owns message semantics.  A datagram is one
 * message (on_message); a stream is cut into frames by frame() and each
 * frame goes to on_message.  The module carries out its own side effects
 * (pinholes, binding lifetimes, logs) and says what to send.
 *
 * Memory: struct proto_verdict.out points into the module's storage and is
 * valid until the next call into the module; send it before calling again.
 * Returns: on_message 0 (verdict filled) or -errno; frame() as sip_frame().
 */
#ifndef SIPALG_DAEMON_PROTO_H
#define SIPALG_DAEMON_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "alg/alg.h"
#include "daemon/config.h"

struct fw;

struct proto_msg {
	const char *data;
	size_t len;
	enum alg_dir dir;
	enum alg_transport transport;
	struct alg_addr src, dst;
	struct alg_addr binding; /* public side of the inside endpoint's binding */
	struct alg_addr inside;  /* IN: owner of the binding */
};

enum proto_action { PROTO_FORWARD = 0, PROTO_DROP = 1, PROTO_REPLY = 2 };

struct proto_verdict {
	enum proto_action action;
	const char *out;
	size_t len;
	struct alg_addr deliver_to; /* IN forward: family 0 = msg.inside */
};

/* Frame kinds returned by frame(): as enum sip_frame_kind. */
#define PROTO_FRAME_MESSAGE 1
#define PROTO_FRAME_PING 2
#define PROTO_FRAME_PONG 3

struct proto {
	const char *name;
	int (*init)(const struct daemon_config *cfg, struct fw *fw);
	int (*reconfigure)(const struct daemon_config *cfg);
	void (*fini)(void);
	int (*frame)(const char *buf, size_t len, size_t *frame_len);
	int (*on_message)(const struct proto_msg *m, uint64_t now_ms, struct proto_verdict *v);
	void (*expire)(uint64_t now_ms);
	uint64_t (*next_deadline)(void);
	/* Periodic: read kernel counters for the module's pinholes. */
	void (*media_poll)(uint64_t now_ms);
	/* End of a batch of messages: flush firewall changes (one commit). */
	void (*commit)(void);
};

extern const struct proto proto_sip;

/* SIP module extras for the control socket. */
struct alg_engine *proto_sip_engine(void);
/* End one call (call_id) or all (NULL); returns how many. */
int proto_sip_clear(const char *call_id, uint64_t now_ms);

#endif
