/*
 * peer_osip.h - the libosip2 side of the parse benchmark, in its own file
 * because libosip2's headers define names (SIP_OK, ...) that the wire
 * library's headers also define.
 */
#ifndef SIPALG_BENCH_PEER_OSIP_H
#define SIPALG_BENCH_PEER_OSIP_H

#include <stddef.h>

/* parser_init(): once per process. */
void peer_osip_init(void);
/* init + parse + to_str + free of one message: the serialised length, or
 * -1 if libosip2 rejects the message. */
int peer_osip_once(const char *buf, size_t len);

#endif
