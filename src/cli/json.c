/* json.c - streaming JSON writer (json.h), RFC 8259. */
#include "json.h"

#include <errno.h>
#include <string.h>

void json_init(struct json *j, FILE *f, int pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void newline(struct json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Called before every value: a value inside an object needs its key first;
 * inside an array it needs a comma after the previous element. */
static int before_value(struct json *j)
{
	int d = j->depth - 1;

	if (j->err)
		return -1;
	if (d < 0)
		return 0;
	if (j->kind[d] == '{') {
		if (!j->has_key[d]) {
			j->err = -EINVAL;
			return -1;
		}
		j->has_key[d] = 0;
		return 0;
	}
	if (j->count[d])
		fputc(',', j->f);
	j->count[d] = 1;
	newline(j);
	return 0;
}

void json_open(struct json *j, char c)
{
	if (before_value(j))
		return;
	if (j->depth >= JSON_MAX_DEPTH || (c != '{' && c != '[')) {
		j->err = -EINVAL;
		return;
	}
	fputc(c, j->f);
	j->kind[j->depth] = c;
	j->count[j->depth] = 0;
	j->has_key[j->depth] = 0;
	j->depth++;
}

void json_close(struct json *j)
{
	int d = j->depth - 1;

	if (j->err)
		return;
	if (d < 0 || j->has_key[d]) {
		j->err = -EINVAL;
		return;
	}
	j->depth--;
	if (j->count[d])
		newline(j);
	fputc(j->kind[d] == '{' ? '}' : ']', j->f);
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629 §4: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0 if there is none. */
size_t json_utf8_len(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned c = p[0];
	size_t len;
	unsigned lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	/* The second byte's range excludes overlongs, surrogates and > U+10FFFF. */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

/* RFC 8259 §7: '"', '\\' and U+0000..U+001F must be escaped. */
static void put_escaped(FILE *f, unsigned char c)
{
	static const char short_esc[] = {
	    ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};

	if (c == '"' || c == '\\')
		fprintf(f, "\\%c", c);
	else if (c < sizeof(short_esc) && short_esc[c])
		fprintf(f, "\\%c", short_esc[c]);
	else
		fprintf(f, "\\u%04x", c);
}

static void put_string(FILE *f, const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;

	fputc('"', f);
	for (size_t i = 0; i < len;) {
		size_t n = json_utf8_len(p + i, len - i);

		if (n > 1) {
			fwrite(s + i, 1, n, f);
			i += n;
			continue;
		}
		if (n == 1 && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' && s[i] != 0x7f)
			fputc(s[i], f);
		else
			put_escaped(f, s[i]);
		i++;
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	int d = j->depth - 1;

	if (j->err)
		return;
	if (d < 0 || j->kind[d] != '{' || j->has_key[d]) {
		j->err = -EINVAL;
		return;
	}
	if (j->count[d])
		fputc(',', j->f);
	j->count[d] = 1;
	newline(j);
	put_string(j->f, key, strlen(key));
	fputs(j->pretty ? ": " : ":", j->f);
	j->has_key[d] = 1;
}

void json_strn(struct json *j, const char *p, size_t len)
{
	if (!before_value(j))
		put_string(j->f, p, len);
}

void json_str(struct json *j, const char *s)
{
	if (!s)
		json_null(j);
	else
		json_strn(j, s, strlen(s));
}

void json_int(struct json *j, long long v)
{
	if (!before_value(j))
		fprintf(j->f, "%lld", v);
}

void json_bool(struct json *j, int b)
{
	if (!before_value(j))
		fputs(b ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
	if (!before_value(j))
		fputs("null", j->f);
}

int json_end(struct json *j)
{
	if (!j->err && j->depth)
		j->err = -EINVAL;
	fputc('\n', j->f);
	if (fflush(j->f) || ferror(j->f))
		return j->err ? j->err : -EIO;
	return j->err;
}
