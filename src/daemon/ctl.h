/*
 * ctl.h - the control socket (default /run/sipalg/ctl.sock, mode 0600).
 *
 * A line protocol: the client sends one command line, sipalgd answers
 * with text lines and closes the connection.  Commands (one table row
 * each in ctl.c): calls, registrations, pinholes, bindings, stats,
 * metrics (Prometheus text format), clear [CALL-ID], trace on|off, help.
 * An error answer is one line starting with "error: ".
 *
 * ctl_trace() is called for every message; when tracing is on it logs the
 * message before and after the engine.  Returns 0 or -errno.
 */
#ifndef SIPALG_DAEMON_CTL_H
#define SIPALG_DAEMON_CTL_H

#include "alg/alg.h"
#include "daemon/proto.h"

int ctl_open(const char *path);
/* 1 if a daemon already answers on path (do not start a second one), else 0. */
int ctl_in_use(const char *path);
void ctl_close(void);
void ctl_trace(const struct proto_msg *m, const struct alg_result *r);

#endif
