/* input.c - reading a subcommand's input (cli.h). */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_stream(FILE *f, char **buf, size_t *len)
{
	size_t cap = 8192, n = 0;
	char *b = malloc(cap + 1);

	if (!b)
		return -ENOMEM;
	errno = 0;
	for (;;) {
		size_t got = fread(b + n, 1, cap - n, f);

		n += got;
		if (n < cap)
			break;
		if (cap >= CLI_MAX_INPUT) {
			free(b);
			return -EFBIG;
		}
		cap *= 2;
		char *nb = realloc(b, cap + 1);
		if (!nb) {
			free(b);
			return -ENOMEM;
		}
		b = nb;
	}
	if (ferror(f)) {
		int e = errno ? errno : EIO;

		free(b);
		return -e;
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	return 0;
}

int cli_read_file(const char *path, char **buf, size_t *len)
{
	FILE *f;
	int r;

	if (!strcmp(path, "-"))
		return read_stream(stdin, buf, len);
	f = fopen(path, "rb");
	if (!f)
		return -errno;
	r = read_stream(f, buf, len);
	fclose(f);
	return r;
}

void cli_line_col(const char *buf, size_t len, size_t off, unsigned *line, unsigned *col)
{
	size_t start = 0;

	*line = 1;
	if (off > len)
		off = len;
	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			(*line)++;
			start = i + 1;
		}
	}
	*col = (unsigned)(off - start) + 1;
}
