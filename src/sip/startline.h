/*
 * startline.h - internal to the wire library: the start line of a SIP
 * message, Request-Line or Status-Line (RFC 3261 §7.1, §7.2), as
 * sip_msg_parse() (msg.c) reads it.  Not a public header.
 *
 * sip_start_line_parse() reads b[i, e), the start line without its line
 * terminator, into m: start_line, and method_s, method, ruri, version and
 * is_request, or version, status_s, status and reason.  lim is the end of
 * the caller's data (e <= lim): loads stay below it.  Nothing is
 * allocated and the buffer is never written.  Returns 0, or a negative
 * enum sip_err with m->err_off set.
 */
#ifndef SIPALG_SIP_STARTLINE_H
#define SIPALG_SIP_STARTLINE_H

#include <stdint.h>

#include "msg.h"

int sip_start_line_parse(struct sip_msg *m, const char *b, uint32_t i, uint32_t e, uint32_t lim);

#endif
