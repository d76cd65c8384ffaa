/*
 * lint.c - `sipalg lint [--tcp] [--json] [-v] FILE...`: say whether each file
 * holds one valid SIP message, and if not why and where.
 *
 * The verdict is the wire library's: sip_msg_parse (framing, start line,
 * header lines), sip_msg_validate (every known header value, mandatory
 * headers), sip_body_sdp + sdp_parse (the SDP, plain or in a multipart
 * body), plus the range checks an ALG relies on (m= and a=rtcp ports fit in
 * 16 bits).  No parsing is done here; this file only drives and reports.
 */
#include "cli.h"
#include "json.h"
#include "lint.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "sip/body.h"
#include "sip/error.h"

static void set_error(struct lint_file *lf, enum lint_stage st, int err, uint32_t off,
		      const char *reason)
{
	lf->stage = st;
	lf->err = err;
	lf->err_off = off;
	lf->reason = reason ? reason : sip_strerror(err);
}

/* RFC 8866 §5.14: a port is a 16-bit number.  The SDP parser keeps what is
 * written (port_num may be larger) and leaves the range to its users. */
static int check_sdp_ports(struct lint_file *lf)
{
	for (unsigned i = 0; i < lf->sdp.nmedia; i++) {
		const struct sdp_media *md = &lf->sdp.media[i];

		if (md->port_num > 65535) {
			set_error(lf, LINT_SDP, SIP_ESDP, md->port.off, "m= port above 65535");
			return -1;
		}
		if (md->has_rtcp && md->rtcp_port_num > 65535) {
			set_error(lf, LINT_SDP, SIP_ESDP, md->rtcp_port.off,
				  "a=rtcp port above 65535");
			return -1;
		}
	}
	return 0;
}

static void check_sdp(struct lint_file *lf)
{
	int r = sip_body_sdp(&lf->m, &lf->sdp_span);

	if (r < 0) {
		set_error(lf, LINT_BODY, r, lf->m.body_off, NULL);
		return;
	}
	if (r == 0)
		return;
	lf->sdp_found = 1;
	r = sdp_parse(&lf->sdp, lf->buf, lf->sdp_span, lf->media, LINT_MAX_MEDIA);
	if (r == SIP_ENOSPACE) {
		/* our storage, not the message: valid, not summarised */
		lf->sdp_too_many = 1;
		return;
	}
	if (r < 0) {
		uint32_t off = lf->sdp.err_off;

		/* The line that failed; the start of the SDP if that is unknown. */
		if (off < lf->sdp_span.off || off > sip_span_end(lf->sdp_span))
			off = lf->sdp_span.off;
		set_error(lf, LINT_SDP, r, off, NULL);
		return;
	}
	lf->sdp_ok = 1;
	check_sdp_ports(lf);
}

/* SIP_EMISSING says a mandatory header is missing, not which: name the
 * first of RFC 3261 §8.1.1's that is absent, for the reader's sake. */
static void name_missing(struct lint_file *lf)
{
	static const uint8_t mandatory[] = {SIP_HDR_VIA,     SIP_HDR_FROM, SIP_HDR_TO,
					    SIP_HDR_CALL_ID, SIP_HDR_CSEQ, SIP_HDR_MAX_FORWARDS};
	size_t n = sizeof(mandatory) - (lf->m.is_request ? 0 : 1);

	for (size_t i = 0; i < n; i++) {
		if (sip_msg_count(&lf->m, mandatory[i]) == 0) {
			snprintf(lf->reason_buf, sizeof(lf->reason_buf), "%s (%s)",
				 sip_strerror(SIP_EMISSING), sip_hdr_name(mandatory[i]));
			lf->reason = lf->reason_buf;
			return;
		}
	}
}

static size_t count_bare_lf(const char *b, size_t from, size_t to)
{
	size_t n = 0;

	for (size_t i = from; i < to; i++)
		n += b[i] == '\n' && (i == 0 || b[i - 1] != '\r');
	return n;
}

/* A body shorter than Content-Length is the usual result of copying a
 * message out of a capture through an editor or terminal that turned CRLF
 * into LF: each line lost one byte the sender counted (RFC 3261 §20.14
 * counts octets).  Say how many bytes are there, and if the bare LFs
 * explain the gap, say so. */
static void hint_short_body(struct lint_file *lf)
{
	const struct sip_msg *m = &lf->m;
	size_t have = lf->len > m->body_off ? lf->len - m->body_off : 0;
	size_t lf_hdr = count_bare_lf(lf->buf, 0, m->body_off < lf->len ? m->body_off : lf->len);
	size_t lf_body = count_bare_lf(lf->buf, m->body_off, lf->len);
	int n;

	n = snprintf(lf->hint, sizeof(lf->hint),
		     "Content-Length is %u but %zu bytes follow the headers",
		     (unsigned)m->content_length, have);
	if (n < 0 || (size_t)n >= sizeof(lf->hint) || lf_hdr + lf_body == 0)
		return;
	snprintf(lf->hint + n, sizeof(lf->hint) - (size_t)n,
		 "; the file has bare LF line endings%s",
		 (int64_t)(have + lf_body) == m->content_length
		     ? ": with CRLF the body would match (convert, e.g. unix2dos)"
		     : " (was it copied from a capture?)");
}

static void set_limit(struct lint_file *lf, unsigned limit, const char *what, const char *unit)
{
	lf->limit = limit;
	snprintf(lf->reason_buf, sizeof(lf->reason_buf), "%s %u%s", what, limit, unit);
	lf->reason = lf->reason_buf;
	snprintf(lf->hint, sizeof(lf->hint),
		 "a limit of sipalg (src/sip/limits.h), not an RFC 3261 rule; "
		 "the message may be valid SIP, but sipalg does not process it");
}

/* The wire library's named limits come back as error codes of their own;
 * say which limit and its value, so nobody hunts for a syntax error. */
static void name_limit(struct lint_file *lf)
{
	if (lf->err == SIP_ETOOBIG)
		set_limit(lf, SIP_MAX_MSG_SIZE, "message larger than", " bytes");
	else if (lf->err == SIP_ELINETOOLONG)
		set_limit(lf, SIP_MAX_LINE, "header line longer than", " bytes");
	else if (lf->err == SIP_ETOOMANYHDRS)
		set_limit(lf, SIP_MAX_HEADERS, "more than", " header fields");
	else if (lf->err == SIP_ETOOMANYVIAS)
		set_limit(lf, SIP_MAX_VIAS, "more than", " Via values");
	else if (lf->err == SIP_ETOOMANYPARTS)
		set_limit(lf, SIP_MAX_PARTS, "multipart body with more than", " parts");
}

/* A start line that fails at byte 0 is often an artefact of how the file
 * was made, not of the sender: say so. */
static void hint_start(struct lint_file *lf)
{
	const unsigned char *b = (const unsigned char *)lf->buf;

	if (lf->err_off != 0)
		return;
	if (lf->len >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf)
		snprintf(lf->hint, sizeof(lf->hint),
			 "the file starts with a UTF-8 byte order mark (EF BB BF), "
			 "which an editor added; remove it");
	else if (b[0] == '\r' || b[0] == '\n')
		snprintf(lf->hint, sizeof(lf->hint),
			 "the file starts with blank lines: a stream receiver skips them "
			 "(RFC 3261 §7.5, try --tcp), a datagram may not have them");
}

void lint_file_run(struct lint_file *lf, const char *path, int stream)
{
	int r;

	memset(lf, 0, sizeof(*lf));
	lf->path = path;
	lf->stream = stream;
	lf->err_off = UINT32_MAX;
	r = cli_read_file(path, &lf->buf, &lf->len);
	if (r < 0) {
		set_error(lf, LINT_READ, r, UINT32_MAX, strerror(-r));
		return;
	}
	if (lf->len == 0) {
		set_error(lf, LINT_PARSE, SIP_ESTARTLINE, 0, "empty file, no SIP message");
		return;
	}
	r = sip_msg_parse(&lf->m, lf->buf, lf->len, lf->hdrs, SIP_MAX_HEADERS,
			  stream ? SIP_PARSE_STREAM : 0);
	if (r < 0) {
		set_error(lf, LINT_PARSE, r, r == SIP_ENEEDMORE ? (uint32_t)lf->len : lf->m.err_off,
			  NULL);
		if (r == SIP_EBODY || (r == SIP_ENEEDMORE && lf->m.clen_hdr >= 0 && lf->m.body_off))
			hint_short_body(lf);
		if (r == SIP_ESTARTLINE)
			hint_start(lf);
		name_limit(lf);
		return;
	}
	lf->parsed = 1;
	lf->msg_len = (uint32_t)r;
	r = sip_msg_validate(&lf->m);
	if (r < 0) {
		set_error(lf, LINT_VALIDATE, r, lf->m.err_off, NULL);
		if (r == SIP_EMISSING)
			name_missing(lf);
		name_limit(lf);
		return;
	}
	check_sdp(lf);
	name_limit(lf);
}

void lint_file_free(struct lint_file *lf)
{
	free(lf->buf);
	lf->buf = NULL;
}

int lint_hdr_at(const struct lint_file *lf, uint32_t off)
{
	if (!lf->parsed)
		return -1;
	for (unsigned i = 0; i < lf->m.nhdrs; i++) {
		struct sip_span l = lf->m.hdrs[i].line;

		if (off >= l.off && off < sip_span_end(l))
			return (int)i;
	}
	return -1;
}

static void visit_list(const struct lint_file *lf, struct lint_uri_item *it, struct sip_span v,
		       lint_uri_fn fn, void *ctx, int *n)
{
	struct sip_span rest = v, item;
	int r;

	while ((r = sip_list_next(lf->buf, &rest, &item)) != 0) {
		memset(&it->addr, 0, sizeof(it->addr));
		memset(&it->via, 0, sizeof(it->via));
		if (r < 0) {
			/* A broken list (open quote): report the rest as one item. */
			it->text = rest;
			it->err = r;
			fn(ctx, lf, it);
			(*n)++;
			return;
		}
		it->text = item;
		if (it->kind == LINT_URI_VIA)
			it->err = sip_via_parse(&it->via, lf->buf, item);
		else
			it->err = sip_addr_parse(&it->addr, lf->buf, item);
		fn(ctx, lf, it);
		(*n)++;
	}
}

int lint_each_uri(const struct lint_file *lf, enum lint_uri_kind kind, lint_uri_fn fn, void *ctx)
{
	static const uint8_t hdr_of[] = {[LINT_URI_FROM] = SIP_HDR_FROM,
					 [LINT_URI_TO] = SIP_HDR_TO,
					 [LINT_URI_CONTACT] = SIP_HDR_CONTACT,
					 [LINT_URI_VIA] = SIP_HDR_VIA};
	struct lint_uri_item it;
	int n = 0;

	if (!lf->parsed)
		return 0;
	memset(&it, 0, sizeof(it));
	it.kind = kind;
	if (kind == LINT_URI_RURI) {
		if (!lf->m.is_request)
			return 0;
		it.text = lf->m.ruri;
		it.err = sip_uri_parse(&it.uri, lf->buf, lf->m.ruri);
		fn(ctx, lf, &it);
		return 1;
	}
	for (int h = -1; (h = sip_msg_find(&lf->m, hdr_of[kind], h)) >= 0;) {
		struct sip_span v = lf->m.hdrs[h].value;

		if (kind == LINT_URI_FROM || kind == LINT_URI_TO) {
			/* Single-value headers: the whole value is the address. */
			it.text = v;
			it.err = sip_addr_parse(&it.addr, lf->buf, v);
			fn(ctx, lf, &it);
			return 1;
		}
		visit_list(lf, &it, v, fn, ctx, &n);
	}
	return n;
}

const char *lint_stage_name(enum lint_stage s)
{
	static const char *const names[] = {
	    [LINT_OK] = "ok",	    [LINT_READ] = "read",
	    [LINT_PARSE] = "parse", [LINT_VALIDATE] = "validate",
	    [LINT_BODY] = "body",   [LINT_SDP] = "sdp",
	};
	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

/* Stable symbolic names, for scripts reading --json. */
const char *lint_err_name(int err)
{
	static const char *const names[] = {
	    "SIP_OK",		"SIP_ENEEDMORE",  "SIP_ETOOBIG",    "SIP_ETOOMANYHDRS",
	    "SIP_ELINETOOLONG", "SIP_ESTARTLINE", "SIP_EVERSION",   "SIP_EHEADER",
	    "SIP_ECLEN",	"SIP_EBODY",	  "SIP_EURI",	    "SIP_EVIA",
	    "SIP_EADDR",	"SIP_ECSEQ",	  "SIP_EQUOTE",	    "SIP_EMISSING",
	    "SIP_EMULTI",	"SIP_ESDP",	  "SIP_ESTATUS",    "SIP_ENOSPACE",
	    "SIP_EEDIT",	"SIP_EVALUE",	  "SIP_EMULTIPART", "SIP_ECHAR",
	    "SIP_ETOOMANYVIAS", "SIP_ETOOMANYPARTS",
	};
	if (err > 0 || -err >= (int)(sizeof(names) / sizeof(names[0])))
		return "SIP_EUNKNOWN";
	return names[-err];
}

const char *lint_host_type_name(unsigned t)
{
	static const char *const names[] = {"none", "name", "ipv4", "ipv6"};
	return t < 4 ? names[t] : "?";
}

const char *lint_scheme_name(unsigned s)
{
	static const char *const names[] = {"other", "sip", "sips", "tel"};
	return s < 4 ? names[s] : "?";
}

const char *lint_dir_name(unsigned d)
{
	static const char *const names[] = {NULL, "sendrecv", "sendonly", "recvonly", "inactive"};
	return d < 5 ? names[d] : NULL;
}

/* ---- the command ---- */

struct lint_opts {
	int stream, json, verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sipalg lint [--tcp] [--json] [-v] FILE...\n"
		"  check that each FILE ('-' for standard input) holds one valid SIP message\n"
		"  --tcp      parse as a stream (Content-Length required) instead of a datagram\n"
		"  --json     machine-readable result on standard output\n"
		"  -v         show what was parsed (start line, headers, URIs, SDP)\n"
		"exit status: 0 all valid, 1 some invalid, 2 usage error or unreadable file\n");
}

/* Standard input can be read once; a second '-' would read nothing and be
 * reported as an empty message, which misleads.  A usage error instead. */
static int check_stdin_once(int argc, char **argv)
{
	int seen = 0;

	for (int i = optind; i < argc; i++)
		seen += !strcmp(argv[i], "-");
	if (seen <= 1)
		return 0;
	fprintf(stderr, "sipalg lint: '-' (standard input) given more than once\n");
	return -1;
}

static int parse_opts(int argc, char **argv, struct lint_opts *o)
{
	static const struct option longopts[] = {
	    {"tcp", no_argument, NULL, 't'},
	    {"json", no_argument, NULL, 'j'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->stream = 1;
			break;
		case 'j':
			o->json = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			if (optopt)
				fprintf(stderr, "sipalg lint: unknown option '-%c'\n", optopt);
			else
				fprintf(stderr, "sipalg lint: unknown option '%s'\n",
					argv[optind - 1]);
			usage(stderr);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "sipalg lint: no file given\n");
		usage(stderr);
		return -1;
	}
	return check_stdin_once(argc, argv);
}

/* Exit status: 2 if a file could not be read, else 1 if one was invalid. */
static int fold_status(int status, const struct lint_file *lf)
{
	if (lf->stage == LINT_READ)
		return CLI_USAGE;
	if (lf->stage != LINT_OK && status == CLI_OK)
		return CLI_FAIL;
	return status;
}

static void json_summary(struct json *j, unsigned nvalid, unsigned ninvalid, unsigned nerr)
{
	json_close(j);
	json_key(j, "valid");
	json_int(j, nvalid);
	json_key(j, "invalid");
	json_int(j, ninvalid);
	json_key(j, "unreadable");
	json_int(j, nerr);
	json_close(j);
}

int cmd_lint(int argc, char **argv)
{
	struct lint_opts o = {0};
	struct json j;
	unsigned counts[3] = {0, 0, 0}; /* valid, invalid, unreadable */
	int status = CLI_OK, r = parse_opts(argc, argv, &o);
	struct lint_file *lf = malloc(sizeof(*lf));

	if (r || !lf) {
		free(lf);
		return r > 0 ? CLI_OK : CLI_USAGE;
	}
	json_init(&j, stdout, 1);
	if (o.json) {
		json_open(&j, '{');
		json_key(&j, "files");
		json_open(&j, '[');
	}
	for (int i = optind; i < argc; i++) {
		lint_file_run(lf, argv[i], o.stream);
		if (lf->stage == LINT_READ)
			fprintf(stderr, "sipalg lint: %s: %s\n", argv[i], lf->reason);
		if (o.json)
			lint_print_json(&j, lf);
		else if (lf->stage != LINT_READ)
			lint_print_text(stdout, lf, o.verbose);
		counts[lf->stage == LINT_OK ? 0 : lf->stage == LINT_READ ? 2 : 1]++;
		status = fold_status(status, lf);
		lint_file_free(lf);
	}
	free(lf);
	if (o.json) {
		json_summary(&j, counts[0], counts[1], counts[2]);
		if (json_end(&j) < 0)
			return CLI_USAGE;
	} else {
		if (argc - optind > 1)
			printf("%u files: %u valid, %u invalid, %u unreadable\n",
			       (unsigned)(argc - optind), counts[0], counts[1], counts[2]);
		if (fflush(stdout))
			return CLI_USAGE;
	}
	return status;
}
