/*
 * lint_json.c - `sipalg lint --json`: one object per file (see sipalg(1) for
 * the fields).  Spans are given as text and, where a tool may want to edit
 * or cross-check them, as "offset"/"length" into the file.
 */
#include "lint.h"
#include "cli.h"
#include "json.h"

#include "sip/error.h"

static void span_text(struct json *j, const char *key, const char *b, struct sip_span s)
{
	json_key(j, key);
	if (sip_span_present(s))
		json_strn(j, b + s.off, s.len);
	else
		json_null(j);
}

static void span_int(struct json *j, const char *key, long long v, int present)
{
	json_key(j, key);
	if (present)
		json_int(j, v);
	else
		json_null(j);
}

static void kv_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	json_int(j, v);
}

static void kv_bool(struct json *j, const char *key, int v)
{
	json_key(j, key);
	json_bool(j, v);
}

static void kv_str(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	json_str(j, v);
}

static void put_error(struct json *j, const struct lint_file *lf)
{
	unsigned line, col;

	json_key(j, "error");
	if (lf->stage == LINT_OK) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	kv_str(j, "stage", lint_stage_name(lf->stage));
	kv_str(j, "code", lf->stage == LINT_READ ? "read" : lint_err_name(lf->err));
	kv_str(j, "reason", lf->reason);
	if (lf->err_off != UINT32_MAX) {
		int h = lint_hdr_at(lf, lf->err_off);

		cli_line_col(lf->buf, lf->len, lf->err_off, &line, &col);
		kv_int(j, "offset", lf->err_off);
		kv_int(j, "line", line);
		kv_int(j, "column", col);
		if (h >= 0)
			span_text(j, "header", lf->buf, lf->m.hdrs[h].name);
	}
	if (lf->limit)
		kv_int(j, "limit", lf->limit);
	if (lf->hint[0])
		kv_str(j, "hint", lf->hint);
	json_close(j);
}

static void put_start_line(struct json *j, const struct lint_file *lf)
{
	const struct sip_msg *m = &lf->m;

	json_key(j, "start_line");
	json_open(j, '{');
	kv_str(j, "type", m->is_request ? "request" : "response");
	if (m->is_request) {
		span_text(j, "method", lf->buf, m->method_s);
		kv_str(j, "method_known",
		       m->method != SIP_METHOD_OTHER ? sip_method_name(m->method) : NULL);
		span_text(j, "request_uri", lf->buf, m->ruri);
	} else {
		kv_int(j, "status", m->status);
		span_text(j, "reason", lf->buf, m->reason);
	}
	span_text(j, "version", lf->buf, m->version);
	json_close(j);
}

static void put_headers(struct json *j, const struct lint_file *lf)
{
	json_key(j, "headers");
	json_open(j, '[');
	for (unsigned i = 0; i < lf->m.nhdrs; i++) {
		const struct sip_hdr *h = &lf->m.hdrs[i];

		json_open(j, '{');
		span_text(j, "name", lf->buf, h->name);
		kv_str(j, "canonical", h->id != SIP_HDR_OTHER ? sip_hdr_name(h->id) : NULL);
		kv_bool(j, "compact", h->compact);
		kv_int(j, "offset", h->value.off);
		kv_int(j, "length", h->value.len);
		span_text(j, "value", lf->buf, h->value);
		json_close(j);
	}
	json_close(j);
}

static void put_uri(struct json *j, const char *b, const struct sip_uri *u)
{
	json_open(j, '{');
	span_text(j, "text", b, u->whole);
	kv_str(j, "scheme", lint_scheme_name(u->scheme_id));
	span_text(j, "user", b, u->user);
	span_text(j, "password", b, u->password);
	span_text(j, "host", b, u->host);
	kv_str(j, "host_type", lint_host_type_name(u->host_type));
	span_int(j, "port", u->port_num, sip_span_present(u->port));
	span_text(j, "hostport", b, u->hostport);
	span_int(j, "hostport_offset", u->hostport.off, sip_span_present(u->hostport));
	span_text(j, "params", b, u->params);
	span_text(j, "headers", b, u->headers);
	json_close(j);
}

static void put_via(struct json *j, const char *b, const struct sip_via *v)
{
	span_text(j, "protocol", b, v->protocol);
	span_text(j, "transport", b, v->transport);
	span_text(j, "sent_by", b, v->sent_by);
	span_int(j, "sent_by_offset", v->sent_by.off, sip_span_present(v->sent_by));
	span_text(j, "host", b, v->host);
	kv_str(j, "host_type", lint_host_type_name(v->host_type));
	span_int(j, "port", v->port_num, sip_span_present(v->port));
	span_text(j, "params", b, v->params);
	span_text(j, "branch", b, v->branch);
	span_text(j, "received", b, v->received);
	kv_bool(j, "rport", v->has_rport);
	span_int(j, "rport_value", v->rport_num, sip_span_present(v->rport));
	span_text(j, "maddr", b, v->maddr);
	span_text(j, "ttl", b, v->ttl);
}

static void put_uri_item(void *ctx, const struct lint_file *lf, const struct lint_uri_item *it)
{
	struct json *j = ctx;
	const char *b = lf->buf;

	json_open(j, '{');
	span_text(j, "text", b, it->text);
	kv_str(j, "error", it->err < 0 ? sip_strerror(it->err) : NULL);
	if (it->err >= 0 && it->kind == LINT_URI_VIA) {
		put_via(j, b, &it->via);
	} else if (it->err >= 0 && it->kind != LINT_URI_RURI) {
		span_text(j, "display", b, it->addr.display);
		kv_bool(j, "star", it->addr.star);
		json_key(j, "uri");
		if (it->addr.star)
			json_null(j);
		else
			put_uri(j, b, &it->addr.uri);
		span_text(j, "params", b, it->addr.params);
		span_text(j, "tag", b, it->addr.tag);
		span_text(j, "expires", b, it->addr.expires);
	} else if (it->err >= 0) {
		json_key(j, "uri");
		put_uri(j, b, &it->uri);
	}
	json_close(j);
}

/* "key": the one item of this kind (or null), or [ all items ]. */
static void put_uris_of(struct json *j, const struct lint_file *lf, const char *key,
			enum lint_uri_kind kind, int list)
{
	json_key(j, key);
	if (list) {
		json_open(j, '[');
		lint_each_uri(lf, kind, put_uri_item, j);
		json_close(j);
	} else if (lint_each_uri(lf, kind, put_uri_item, j) == 0) {
		json_null(j);
	}
}

static void put_uris(struct json *j, const struct lint_file *lf)
{
	json_key(j, "uris");
	json_open(j, '{');
	put_uris_of(j, lf, "request_uri", LINT_URI_RURI, 0);
	put_uris_of(j, lf, "from", LINT_URI_FROM, 0);
	put_uris_of(j, lf, "to", LINT_URI_TO, 0);
	put_uris_of(j, lf, "contacts", LINT_URI_CONTACT, 1);
	put_uris_of(j, lf, "vias", LINT_URI_VIA, 1);
	json_close(j);
}

static void put_conn(struct json *j, const char *b, const char *key, int present,
		     const struct sdp_conn *c)
{
	json_key(j, key);
	if (!present || !sip_span_present(c->addr)) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	span_text(j, "address", b, c->addr);
	kv_int(j, "offset", c->addr.off);
	span_int(j, "family", c->family, c->family != 0);
	span_text(j, "addrtype", b, c->addrtype);
	json_close(j);
}

static void put_media(struct json *j, const char *b, const struct sdp_media *md)
{
	json_open(j, '{');
	span_text(j, "media", b, md->media);
	kv_int(j, "port", md->port_num);
	kv_int(j, "port_offset", md->port.off);
	kv_int(j, "count", md->count_num);
	span_text(j, "proto", b, md->proto);
	span_text(j, "formats", b, md->fmts);
	put_conn(j, b, "connection", md->has_conn, &md->conn);
	json_key(j, "rtcp");
	if (md->has_rtcp) {
		json_open(j, '{');
		kv_int(j, "port", md->rtcp_port_num);
		put_conn(j, b, "connection", 1, &md->rtcp_addr);
		json_close(j);
	} else {
		json_null(j);
	}
	kv_bool(j, "rtcp_mux", md->rtcp_mux);
	kv_bool(j, "ice", md->ice);
	kv_str(j, "direction", lint_dir_name(md->dir));
	json_close(j);
}

static void put_sdp(struct json *j, const struct lint_file *lf)
{
	const struct sdp *s = &lf->sdp;

	json_key(j, "sdp");
	if (!lf->sdp_found) {
		json_null(j);
		return;
	}
	json_open(j, '{');
	kv_int(j, "offset", lf->sdp_span.off);
	kv_int(j, "length", lf->sdp_span.len);
	kv_bool(j, "parsed", lf->sdp_ok);
	/* valid SDP that the ALG leaves unchanged (SDP_MAX_MEDIA) */
	kv_bool(j, "over_alg_media_limit",
		lf->sdp_too_many || (lf->sdp_ok && lf->sdp.nmedia > SDP_MAX_MEDIA));
	if (lf->sdp_ok) {
		put_conn(j, lf->buf, "origin", s->has_origin, &s->origin.addr);
		put_conn(j, lf->buf, "connection", s->has_conn, &s->conn);
		kv_bool(j, "ice", s->ice);
		kv_str(j, "direction", lint_dir_name(s->dir));
		json_key(j, "media");
		json_open(j, '[');
		for (unsigned i = 0; i < s->nmedia; i++)
			put_media(j, lf->buf, &s->media[i]);
		json_close(j);
	}
	json_close(j);
}

void lint_print_json(struct json *j, const struct lint_file *lf)
{
	json_open(j, '{');
	kv_str(j, "file", lf->path);
	kv_bool(j, "valid", lf->stage == LINT_OK);
	kv_str(j, "transport", lf->stream ? "tcp" : "udp");
	put_error(j, lf);
	if (lf->parsed) {
		kv_int(j, "length", lf->msg_len);
		kv_int(j, "body_offset", lf->m.body_off);
		kv_int(j, "body_length", lf->m.body_len);
		span_int(j, "content_length", lf->m.content_length, lf->m.content_length >= 0);
		kv_int(j, "trailing_bytes", (long long)lf->len - lf->m.body_off - lf->m.body_len);
		put_start_line(j, lf);
		put_headers(j, lf);
		put_uris(j, lf);
		put_sdp(j, lf);
	}
	json_close(j);
}
