/* main.c - sipalg: dispatch to a subcommand (one row per word). */
#include <stdio.h>
#include <string.h>

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *usage;
};

static const struct subcommand subcommands[] = {
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
