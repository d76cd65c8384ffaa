/*
 * replay_opts.h - the command line of `sipalg replay` (replay_opts.c).
 *
 * rp_opts_parse() fills struct rp_opts from argv; it allocates nothing and
 * keeps pointers into argv.  Returns 0, 1 for --help (usage printed), or -1
 * with a message on stderr for a usage error.
 */
#ifndef SIPALG_CLI_REPLAY_OPTS_H
#define SIPALG_CLI_REPLAY_OPTS_H

#include <stdint.h>

#include "alg/alg.h"

#define RP_MAX_PORTS 32

struct rp_opts {
	const char *in, *out;
	struct alg_prefix inside[ALG_MAX_INSIDE];
	unsigned ninside;
	char inside_text[256];
	struct alg_addr public_addr;
	const char *public_text;
	uint16_t ports[RP_MAX_PORTS];
	unsigned nports;
	int any_port;
	const char *ports_text;
	int json, explain, keep_addresses;
};

int rp_opts_parse(int argc, char **argv, struct rp_opts *o);
/* Whether a UDP or TCP port pair is SIP under these options (TCP 5061,
 * SIP over TLS, never is). */
int rp_port_match(const struct rp_opts *o, int tcp, uint16_t sport, uint16_t dport);
/* Parse "a.b.c.d" / "v6" (family, ip) or with "/len" (prefix).  0 or -1. */
int rp_parse_prefix(const char *s, struct alg_prefix *p);

#endif
