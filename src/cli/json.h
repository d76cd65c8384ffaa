/*
 * json.h - a tiny streaming JSON writer (RFC 8259) for the CLI's --json output.
 *
 * The writer keeps only a nesting stack; values go straight to a FILE.  The
 * caller says what comes next (open an object or array, a key, a value) and
 * the writer places commas, colons and, when pretty, newlines and indents.
 *
 * Strings are byte spans, not C strings, so message text goes out without a
 * copy.  Valid UTF-8 passes through; '"', '\\' and control octets are
 * escaped; a byte that is not part of valid UTF-8 is written as \u00XX (its
 * Latin-1 reading), so any input gives valid JSON.  Offsets in the output let
 * a reader recover the exact bytes from the file when that matters.
 *
 * Misuse (a value where a key is due, nesting deeper than JSON_MAX_DEPTH,
 * closing what is not open) and write errors are remembered and reported by
 * json_end(): 0 on success, -EINVAL for misuse, -EIO for a write error.
 */
#ifndef SIPALG_CLI_JSON_H
#define SIPALG_CLI_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
	FILE *f;
	int pretty;
	int depth;
	int err;
	/* Per level: '{' or '['; whether a member was written; whether a key
	 * is waiting for its value. */
	char kind[JSON_MAX_DEPTH];
	uint8_t count[JSON_MAX_DEPTH];
	uint8_t has_key[JSON_MAX_DEPTH];
};

void json_init(struct json *j, FILE *f, int pretty);
/* c is '{' or '['; json_close() closes the innermost one. */
void json_open(struct json *j, char c);
void json_close(struct json *j);
/* Object member name; the next call writes its value. */
void json_key(struct json *j, const char *key);
void json_strn(struct json *j, const char *p, size_t len);
void json_str(struct json *j, const char *s); /* NULL writes null */
void json_int(struct json *j, long long v);
void json_bool(struct json *j, int b);
void json_null(struct json *j);
/* Length of the well-formed UTF-8 sequence (RFC 3629) at p, or 0 if none
 * starts there; shared with the text printers, which escape what is not. */
size_t json_utf8_len(const char *p, size_t n);
/* After the outermost value: a final newline, flush, and the error state. */
int json_end(struct json *j);

#endif
