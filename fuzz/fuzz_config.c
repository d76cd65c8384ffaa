/*
 * fuzz_config.c - the sipalg.conf parser on arbitrary bytes: no crash, no
 * over-read, and what --check-config prints for an accepted file parses
 * back to the same configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t len)
{
	static struct daemon_config a, b;
	char err[512], *text = NULL;
	size_t tlen = 0;
	FILE *f;

	config_defaults(&a);
	if (config_parse(&a, "fuzz", (const char *)data, len, err, sizeof(err)) < 0) {
		if (strncmp(err, "fuzz:", 5))
			abort(); /* every error names the file and line */
		return 0;
	}
	f = open_memstream(&text, &tlen);
	if (!f)
		return 0;
	config_print(&a, f);
	fclose(f);
	config_defaults(&b);
	if (config_parse(&b, "print", text, tlen, err, sizeof(err)) < 0 || memcmp(&a, &b, sizeof(a)))
		abort(); /* the printed form must mean the same */
	free(text);
	return 0;
}
