/*
 * rewrite.h - `sipalg rewrite`: run SIP messages through one ALG engine
 * offline and print what would be sent, with the explanation of every
 * edit and action.  cmd_rewrite returns the exit status (cli.h): 0
 * forwarded, 1 dropped, 2 usage or I/O error.  rewrite_print.c writes the
 * explanations (text or JSON); nothing here keeps state between calls.
 */
#ifndef SIPALG_CLI_REWRITE_H
#define SIPALG_CLI_REWRITE_H

#include <stdio.h>

#include "alg/alg.h"

int cmd_rewrite(int argc, char **argv);

/* One result as text ("edit: ...", "action: ...") or as one JSON object. */
void rw_print_text(FILE *f, const struct alg_result *res);
void rw_print_json(FILE *f, const struct alg_result *res);
void rw_fmt_addr(char *buf, size_t cap, const struct alg_addr *a);

#endif
