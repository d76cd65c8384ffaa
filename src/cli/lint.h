/*
 * lint.h - `sipalg lint` internals: one file's verdict and what was parsed,
 * shared by the analysis (lint.c) and the two printers (lint_text.c,
 * lint_json.c).
 *
 * struct lint_file owns its buffer (freed by lint_file_free()); every span
 * in it points into that buffer.  The printers only read.
 */
#ifndef SIPALG_CLI_LINT_H
#define SIPALG_CLI_LINT_H

#include <stdio.h>

#include "sip/addr.h"
#include "sip/limits.h"
#include "sip/msg.h"
#include "sip/sdp.h"
#include "sip/via.h"

/* Media descriptions lint summarises.  More than the ALG's SDP_MAX_MEDIA
 * is valid SDP (a conference may carry dozens of m= lines): lint says so
 * and notes that the ALG leaves such an SDP unchanged. */
#define LINT_MAX_MEDIA 256u

/* Where a message failed: the first stage that did decides the verdict. */
enum lint_stage {
	LINT_OK = 0,
	LINT_READ,     /* the file could not be read (exit status 2) */
	LINT_PARSE,    /* sip_msg_parse: framing, start line, header lines */
	LINT_VALIDATE, /* sip_msg_validate: header values, mandatory headers */
	LINT_BODY,     /* sip_body_sdp: Content-Type / multipart */
	LINT_SDP,      /* sdp_parse, or a value out of range in the SDP */
};

struct lint_file {
	const char *path;
	char *buf;
	size_t len;
	int stream; /* parsed with SIP_PARSE_STREAM (--tcp) */
	/* Verdict. */
	enum lint_stage stage;
	int err;	     /* enum sip_err or -errno (LINT_READ) */
	uint32_t err_off;    /* byte offset of the error (UINT32_MAX: none) */
	const char *reason;  /* human reason */
	char reason_buf[96]; /* storage when the reason is composed */
	char hint[192];	     /* "" or advice on the likely cause, for people */
	unsigned limit;	     /* 0, or the value of the sipalg limit exceeded */
	/* The message, when sip_msg_parse succeeded. */
	int parsed;
	uint32_t msg_len; /* the parser's return value */
	struct sip_msg m;
	struct sip_hdr hdrs[SIP_MAX_HEADERS];
	/* The SDP, when the body has one (sdp_found) and it parsed (sdp_ok).
	 * sdp_too_many: more m= lines than LINT_MAX_MEDIA, a limit of this
	 * summary, not an error in the message. */
	int sdp_found, sdp_ok, sdp_too_many;
	struct sip_span sdp_span;
	struct sdp sdp;
	struct sdp_media media[LINT_MAX_MEDIA];
};

void lint_file_run(struct lint_file *lf, const char *path, int stream);
void lint_file_free(struct lint_file *lf);

/* Names for output. */
const char *lint_stage_name(enum lint_stage s);
const char *lint_err_name(int err);
const char *lint_host_type_name(unsigned t);
const char *lint_scheme_name(unsigned s);
const char *lint_dir_name(unsigned d);
/* Index of the header whose line holds offset off, or -1. */
int lint_hdr_at(const struct lint_file *lf, uint32_t off);

/* The URIs lint reports: one visit per Request-URI, From, To, each Contact
 * value and each Via value (top first), with the parse result in err. */
enum lint_uri_kind { LINT_URI_RURI, LINT_URI_FROM, LINT_URI_TO, LINT_URI_CONTACT, LINT_URI_VIA };

struct lint_uri_item {
	enum lint_uri_kind kind;
	int err;	      /* 0 or the parser's negative enum sip_err */
	struct sip_span text; /* the value (list item) that was parsed */
	struct sip_uri uri;   /* LINT_URI_RURI */
	struct sip_addr addr; /* From, To, Contact */
	struct sip_via via;   /* Via */
};

typedef void (*lint_uri_fn)(void *ctx, const struct lint_file *lf, const struct lint_uri_item *it);
/* Visit every item of one kind, in message order; returns the count. */
int lint_each_uri(const struct lint_file *lf, enum lint_uri_kind kind, lint_uri_fn fn, void *ctx);

void lint_print_text(FILE *f, const struct lint_file *lf, int verbose);

struct json;
void lint_print_json(struct json *j, const struct lint_file *lf);

#endif
