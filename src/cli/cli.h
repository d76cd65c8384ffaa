/*
 * cli.h - what the sipalg subcommands share: their entry points (one row each
 * in main.c's table) and small helpers for reading input.
 *
 * Each cmd_* takes the arguments after "sipalg" (argv[0] is the subcommand's
 * word) and returns the process exit status: 0 success, 1 a negative result
 * (an invalid message, a failed check), 2 a usage or I/O error.
 *
 * cli_read_file() returns a malloc'd buffer the caller frees; the other
 * helpers allocate nothing.
 */
#ifndef SIPALG_CLI_CLI_H
#define SIPALG_CLI_CLI_H

#include <stddef.h>
#include <stdint.h>

/* Exit statuses shared by the subcommands. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

/* The largest input cli_read_file() accepts; far above SIP_MAX_MSG_SIZE so
 * that the parser, not the reader, says a message is too big. */
#define CLI_MAX_INPUT (16u << 20)

int cmd_lint(int argc, char **argv);
int cmd_replay(int argc, char **argv);

/* Read a whole file, or standard input when path is "-", into a new buffer
 * (*buf, *len; *buf is NUL-terminated one past *len for convenience, the NUL
 * is not counted).  0, or -errno (-EFBIG past CLI_MAX_INPUT). */
int cli_read_file(const char *path, char **buf, size_t *len);

/* 1-based line and column (in bytes) of offset off in buf[0..len). */
void cli_line_col(const char *buf, size_t len, size_t off, unsigned *line, unsigned *col);

#endif
