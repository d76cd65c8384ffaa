/* main.c - sipalg: dispatch to a subcommand (one row per word). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ctl_client.h"
#include "rewrite.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct subcommand subcommands[] = {
	{ "lint", cmd_lint, "lint [--tcp] [--json] [-v] FILE...   check SIP messages" },
	{ "replay", cmd_replay,
	  "replay CAPTURE --inside PREFIX --public ADDR -o OUT [--ports P,..|any] [--json] [--explain]"
	  "   run a capture through the ALG" },
	{ "rewrite", cmd_rewrite,
	  "rewrite (--out|--in) --src IP:PORT --dst IP:PORT --inside PREFIX --public IP [--explain]"
	  " [--json] FILE | --script FILE -o DIR   rewrite messages offline" },
	/* Online: sipalgd's control socket (ctl_client.c). */
	{ "calls", cmd_ctl, "calls                                 calls in progress (sipalgd)" },
	{ "registrations", cmd_ctl, "registrations                         registered phones (sipalgd)" },
	{ "pinholes", cmd_ctl, "pinholes                              media pinholes with counters (sipalgd)" },
	{ "bindings", cmd_ctl, "bindings                              signalling bindings (sipalgd)" },
	{ "stats", cmd_ctl, "stats                                 counters (sipalgd)" },
	{ "metrics", cmd_ctl, "metrics                               counters, Prometheus format (sipalgd)" },
	{ "clear", cmd_ctl, "clear [CALL-ID]                       end one call or all (sipalgd)" },
	{ "trace", cmd_ctl, "trace on|off                          log every message (sipalgd)" },
	{ "-s", cmd_ctl_socket, "-s SOCKET <command>                   use this control socket" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: sipalg <command> [args]\n\ncommands:\n");
	for (const struct subcommand *s = subcommands; s->name; s++)
		fprintf(f, "  %s\n", s->usage);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return 0;
	}
	for (const struct subcommand *s = subcommands; s->name; s++)
		if (!strcmp(argv[1], s->name))
			return s->run(argc - 1, argv + 1);
	fprintf(stderr, "sipalg: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
