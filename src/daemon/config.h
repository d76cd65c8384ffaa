/*
 * config.h - sipalgd's configuration: /etc/sipalg/sipalg.conf.
 *
 * The file is `key = value` lines; `#` starts a comment; blank lines are
 * ignored; a list value is several words separated by spaces or commas.
 * Each key is one row of a table in config.c (documented in
 * sipalg.conf(5)).  Durations take a unit (ms, s, m, h; a bare number is
 * seconds).
 *
 * The caller owns struct daemon_config (plain data, no pointers to free).
 * config_parse()/config_load() return 0 or -1 and write a one-line error
 * "FILE:LINE: message" into err.  config_finish() resolves what needs the
 * system (the public address of the outside interface) and checks the
 * whole; it returns 0 or -1 with err set.
 */
#ifndef SIPALG_DAEMON_CONFIG_H
#define SIPALG_DAEMON_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alg/alg.h"
#include "daemon/fw.h"

enum log_target { LOG_TO_STDERR = 0, LOG_TO_SYSLOG = 1 };

struct daemon_config {
	struct alg_config alg;     /* inside prefixes, public address, timers, mode */
	struct fw_config fw;       /* interfaces, SIP ports, tproxy port, mark */
	int public_from_if;        /* public address taken from outside_interface */
	enum log_target log_target;
	int log_level;             /* LOG_ERR .. LOG_DEBUG (syslog.h) */
	char ctl_path[108];        /* control socket; "" = none */
	uint32_t media_poll_ms;    /* pinhole counter poll period */
	uint32_t tcp_idle_ms;      /* connection without traffic */
	uint32_t tcp_partial_ms;   /* an unfinished message waits this long */
	uint32_t tcp_max_per_src;  /* connections per inside address */
	uint32_t tcp_max_conns;    /* connections in total */
	uint32_t tcp_max_buffer;   /* bytes queued per direction */
	uint32_t udp_binding_ms;   /* first lifetime of a new UDP binding */
	uint32_t max_bindings;
};

void config_defaults(struct daemon_config *c);
/* Parse text (len bytes); name is used in error messages. */
int config_parse(struct daemon_config *c, const char *name, const char *text, size_t len,
		 char *err, size_t errlen);
int config_load(struct daemon_config *c, const char *path, char *err, size_t errlen);
int config_finish(struct daemon_config *c, char *err, size_t errlen);
/* The ports sipalgd listens on transparently: tproxy_port, then every SIP
 * port not equal to it.  Returns how many (at most FW_MAX_PORTS + 1). */
unsigned config_listen_ports(const struct daemon_config *c, uint16_t *ports);
/* Print the effective configuration in the file's own syntax. */
void config_print(const struct daemon_config *c, FILE *f);

#endif
