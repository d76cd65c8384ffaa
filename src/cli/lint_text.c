/*
 * lint_text.c - `sipalg lint` output for people: one verdict line per file,
 * the offending line with a caret under the error, and with -v what was
 * parsed, indented.  Message bytes are printed with control octets escaped
 * (\r, \n, \xNN) so a hostile message cannot drive the terminal.
 */
#include "lint.h"
#include "cli.h"
#include "json.h"

#include <string.h>

#include "sip/error.h"

#define CONTEXT_BEFORE 60 /* octets of the error line shown before the error */
#define CONTEXT_AFTER  40
#define VALUE_MAX      100 /* header values longer than this are cut in -v */

/* Print len octets safely; returns the number of columns used (UTF-8
 * continuation octets take none). */
static size_t put_safe(FILE *f, const char *p, size_t len)
{
	size_t cols = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '\r' || c == '\n' || c == '\t') {
			fprintf(f, "\\%c", c == '\r' ? 'r' : c == '\n' ? 'n' : 't');
			cols += 2;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\x%02x", c);
			cols += 4;
		} else if (c < 0x80) {
			fputc(c, f);
			cols++;
		} else {
			size_t n = json_utf8_len(p + i, len - i);

			if (n == 0) {
				fprintf(f, "\\x%02x", c);
				cols += 4;
				continue;
			}
			fwrite(p + i, 1, n, f);
			cols++; /* one character; wide ones are rare in SIP */
			i += n - 1;
		}
	}
	return cols;
}

static void put_span(FILE *f, const char *base, struct sip_span s, size_t max)
{
	if (!sip_span_present(s)) {
		fputc('-', f);
		return;
	}
	put_safe(f, base + s.off, s.len < max ? s.len : max);
	if (s.len > max)
		fputs("...", f);
}

/* The physical line holding the error, cut around it, with a caret below. */
static void show_context(FILE *f, const struct lint_file *lf)
{
	size_t off = lf->err_off, start = off, end = off, cols;

	if (lf->err_off == UINT32_MAX || off > lf->len)
		return;
	while (start > 0 && lf->buf[start - 1] != '\n' && off - start < CONTEXT_BEFORE)
		start--;
	while (end < lf->len && lf->buf[end] != '\r' && lf->buf[end] != '\n' &&
	       end - off < CONTEXT_AFTER)
		end++;
	if (off >= lf->len || start == end) {
		fprintf(f, "    | (%s)\n", off >= lf->len ? "end of the message" : "empty line");
		return;
	}
	fputs("    | ", f);
	cols = start > 0 && lf->buf[start - 1] != '\n' ? 3 : 0;
	if (cols)
		fputs("...", f);
	cols += put_safe(f, lf->buf + start, off - start);
	put_safe(f, lf->buf + off, end - off);
	if (end < lf->len && lf->buf[end] != '\r' && lf->buf[end] != '\n')
		fputs("...", f);
	fprintf(f, "\n    | %*s^\n", (int)cols, "");
}

static void print_where(FILE *f, const struct lint_file *lf)
{
	unsigned line, col;
	int h;

	if (lf->err_off == UINT32_MAX)
		return;
	cli_line_col(lf->buf, lf->len, lf->err_off, &line, &col);
	fprintf(f, " at byte %u (line %u, column %u)", lf->err_off, line, col);
	h = lint_hdr_at(lf, lf->err_off);
	if (h >= 0) {
		fputs(" in header ", f);
		put_span(f, lf->buf, lf->m.hdrs[h].name, 40);
	} else if (lf->sdp_found && lf->err_off >= lf->sdp_span.off &&
		   lf->err_off <= sip_span_end(lf->sdp_span)) {
		fputs(" in the SDP", f);
	}
}

static void print_what(FILE *f, const struct lint_file *lf)
{
	const struct sip_msg *m = &lf->m;

	if (m->is_request) {
		put_span(f, lf->buf, m->method_s, 40);
		fputc(' ', f);
		put_span(f, lf->buf, m->ruri, 80);
	} else {
		fprintf(f, "%u ", m->status);
		put_span(f, lf->buf, m->reason, 40);
	}
	fprintf(f, " (%s, %u bytes, %u headers", lf->stream ? "TCP stream" : "UDP datagram",
		lf->msg_len, m->nhdrs);
	if (lf->sdp_ok)
		fprintf(f, ", SDP with %u media", lf->sdp.nmedia);
	else if (lf->sdp_too_many)
		fprintf(f, ", SDP with more than %u media, not summarised", LINT_MAX_MEDIA);
	fputc(')', f);
}

/* What the ALG will not do with a valid message, said once under it. */
static void print_alg_notes(FILE *f, const struct lint_file *lf)
{
	if (lf->stage != LINT_OK)
		return;
	if (lf->sdp_too_many || (lf->sdp_ok && lf->sdp.nmedia > SDP_MAX_MEDIA))
		fprintf(f, "    note         more than %u m= lines: sipalgd leaves this SDP "
			   "unchanged and opens no pinholes for it\n",
			SDP_MAX_MEDIA);
}

static void print_uri(FILE *f, const char *b, const struct sip_uri *u)
{
	put_span(f, b, u->whole, 80);
	fprintf(f, "  [%s ", lint_scheme_name(u->scheme_id));
	if (sip_span_present(u->user)) {
		fputs("user ", f);
		put_span(f, b, u->user, 60);
		fputc(' ', f);
	}
	if (sip_span_present(u->password)) {
		fputs("password ", f);
		put_span(f, b, u->password, 60);
		fputc(' ', f);
	}
	fputs("host ", f);
	put_span(f, b, u->host, 60);
	fprintf(f, " (%s) port ", lint_host_type_name(u->host_type));
	put_span(f, b, u->port, 10);
	if (sip_span_present(u->params) && u->params.len) {
		fputs(" params ", f);
		put_span(f, b, u->params, 60);
	}
	fputc(']', f);
}

static void print_via(FILE *f, const char *b, const struct sip_via *v)
{
	fputs("sent-by ", f);
	put_span(f, b, v->sent_by, 80);
	fputs("  [", f);
	put_span(f, b, v->transport, 10);
	fprintf(f, " host (%s)", lint_host_type_name(v->host_type));
	if (sip_span_present(v->branch)) {
		fputs(" branch=", f);
		put_span(f, b, v->branch, 60);
	}
	if (v->has_rport)
		fputs(" rport", f);
	if (sip_span_present(v->rport)) {
		fputc('=', f);
		put_span(f, b, v->rport, 10);
	}
	if (sip_span_present(v->received)) {
		fputs(" received=", f);
		put_span(f, b, v->received, 60);
	}
	if (sip_span_present(v->maddr)) {
		fputs(" maddr=", f);
		put_span(f, b, v->maddr, 60);
	}
	if (sip_span_present(v->ttl)) {
		fputs(" ttl=", f);
		put_span(f, b, v->ttl, 10);
	}
	fputc(']', f);
}

static void print_uri_item(void *ctx, const struct lint_file *lf, const struct lint_uri_item *it)
{
	static const char *const label[] = {"Request-URI", "From", "To", "Contact", "Via"};
	FILE *f = ctx;

	fprintf(f, "    %-12s ", label[it->kind]);
	if (it->err < 0) {
		fprintf(f, "(%s) ", sip_strerror(it->err));
		put_span(f, lf->buf, it->text, VALUE_MAX);
	} else if (it->kind == LINT_URI_RURI) {
		print_uri(f, lf->buf, &it->uri);
	} else if (it->kind == LINT_URI_VIA) {
		print_via(f, lf->buf, &it->via);
	} else if (it->addr.star) {
		fputc('*', f);
	} else {
		print_uri(f, lf->buf, &it->addr.uri);
	}
	fputc('\n', f);
}

static void print_headers(FILE *f, const struct lint_file *lf)
{
	fputs("    start line   ", f);
	put_span(f, lf->buf, lf->m.start_line, VALUE_MAX);
	fprintf(f, "\n    headers      %u\n", lf->m.nhdrs);
	for (unsigned i = 0; i < lf->m.nhdrs; i++) {
		const struct sip_hdr *h = &lf->m.hdrs[i];

		fputs("      ", f);
		put_span(f, lf->buf, h->name, 30);
		if (h->id != SIP_HDR_OTHER && h->compact)
			fprintf(f, " (%s)", sip_hdr_name(h->id));
		fputs(": ", f);
		put_span(f, lf->buf, h->value, VALUE_MAX);
		fputc('\n', f);
	}
}

static void print_conn(FILE *f, const char *b, const char *label, const struct sdp_conn *c)
{
	fprintf(f, " %s ", label);
	put_span(f, b, c->addr, 60);
	if (c->family)
		fprintf(f, " (IP%u)", c->family);
}

static void print_media(FILE *f, const char *b, unsigned i, const struct sdp_media *md)
{
	const char *dir = lint_dir_name(md->dir);

	fprintf(f, "      m[%u] ", i);
	put_span(f, b, md->media, 20);
	fprintf(f, " port %u", md->port_num);
	if (sip_span_present(md->count) && md->count.len)
		fprintf(f, "/%u", md->count_num);
	fputc(' ', f);
	put_span(f, b, md->proto, 30);
	if (md->has_conn)
		print_conn(f, b, "c=", &md->conn);
	if (md->has_rtcp) {
		fprintf(f, " rtcp=%u", md->rtcp_port_num);
		if (sip_span_present(md->rtcp_addr.addr))
			print_conn(f, b, "at", &md->rtcp_addr);
	}
	fprintf(f, "%s%s %s\n", md->rtcp_mux ? " rtcp-mux" : "", md->ice ? " ICE" : "",
		dir ? dir : "(no direction)");
}

static void print_sdp(FILE *f, const struct lint_file *lf)
{
	const struct sdp *s = &lf->sdp;
	const char *dir = lint_dir_name(s->dir);

	fprintf(f, "    SDP          at byte %u, %u bytes:", lf->sdp_span.off, lf->sdp_span.len);
	if (s->has_origin)
		print_conn(f, lf->buf, "o=", &s->origin.addr);
	if (s->has_conn)
		print_conn(f, lf->buf, "c=", &s->conn);
	fprintf(f, "%s%s%s\n", s->ice ? " ICE" : "", dir ? " " : "", dir ? dir : "");
	for (unsigned i = 0; i < s->nmedia; i++)
		print_media(f, lf->buf, i, &s->media[i]);
}

void lint_print_text(FILE *f, const struct lint_file *lf, int verbose)
{
	fputs(lf->path, f);
	if (lf->stage == LINT_OK) {
		fputs(": valid: ", f);
		print_what(f, lf);
		fputc('\n', f);
		print_alg_notes(f, lf);
	} else {
		fprintf(f, ": invalid: %s", lf->reason);
		print_where(f, lf);
		fputc('\n', f);
		show_context(f, lf);
		if (lf->hint[0])
			fprintf(f, "    hint: %s\n", lf->hint);
	}
	if (!verbose || !lf->parsed)
		return;
	if (lf->stage != LINT_OK) {
		fputs("    message      ", f);
		print_what(f, lf);
		fputc('\n', f);
	}
	print_headers(f, lf);
	for (int k = LINT_URI_RURI; k <= LINT_URI_VIA; k++)
		lint_each_uri(lf, (enum lint_uri_kind)k, print_uri_item, f);
	if (lf->sdp_ok)
		print_sdp(f, lf);
	if (lf->len > (size_t)lf->m.body_off + lf->m.body_len)
		fprintf(f, "    note         %zu bytes after the message are not part of it\n",
			lf->len - lf->m.body_off - lf->m.body_len);
}
