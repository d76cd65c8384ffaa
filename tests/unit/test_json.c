/* test_json.c - the CLI's streaming JSON writer (src/cli/json.h). */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "cli/json.h"

/* Run fn against a writer on a memory stream; the text and json_end()'s
 * result come back. */
static char out[4096];
static int end_rc;

static void capture(void (*fn)(struct json *), int pretty)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);
	struct json j;

	json_init(&j, f, pretty);
	fn(&j);
	end_rc = json_end(&j);
	fclose(f);
	snprintf(out, sizeof(out), "%s", p ? p : "");
	free(p);
}

static void doc(struct json *j)
{
	json_open(j, '{');
	json_key(j, "a");
	json_int(j, -5);
	json_key(j, "b");
	json_open(j, '[');
	json_bool(j, 1);
	json_null(j);
	json_str(j, "x");
	json_open(j, '{');
	json_close(j);
	json_open(j, '[');
	json_close(j);
	json_close(j);
	json_key(j, "c");
	json_str(j, NULL);
	json_close(j);
}

static void t_compact(void)
{
	capture(doc, 0);
	CHECK_EQ_INT(end_rc, 0);
	CHECK(!strcmp(out, "{\"a\":-5,\"b\":[true,null,\"x\",{},[]],\"c\":null}\n"));
}

static void t_pretty(void)
{
	capture(doc, 1);
	CHECK_EQ_INT(end_rc, 0);
	CHECK(!strcmp(out, "{\n  \"a\": -5,\n  \"b\": [\n    true,\n    null,\n    \"x\",\n"
			   "    {},\n    []\n  ],\n  \"c\": null\n}\n"));
}

static const char *str_in;
static size_t str_len;

static void one_string(struct json *j)
{
	json_strn(j, str_in, str_len);
}

static int string_is(const char *in, size_t len, const char *want)
{
	str_in = in;
	str_len = len;
	capture(one_string, 0);
	return end_rc == 0 && !strcmp(out, want);
}

/* RFC 8259 §7: quote, backslash and C0 controls must be escaped. */
static void t_escapes(void)
{
	CHECK(string_is("a\"b\\c", 5, "\"a\\\"b\\\\c\"\n"));
	CHECK(string_is("\r\n\t\b\f", 5, "\"\\r\\n\\t\\b\\f\"\n"));
	CHECK(string_is("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"\n"));
	CHECK(string_is("a\0b", 3, "\"a\\u0000b\"\n"));
	CHECK(string_is("</script>", 9, "\"</script>\"\n"));
}

/* Well-formed UTF-8 passes through, 2, 3 and 4 octets. */
static void t_utf8_valid(void)
{
	CHECK(string_is("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"\n"));
	CHECK(string_is("\xe2\x98\x8e", 3, "\"\xe2\x98\x8e\"\n"));
	CHECK(string_is("\xf0\x9f\x93\x9e", 4, "\"\xf0\x9f\x93\x9e\"\n"));
	CHECK(string_is("\xef\xbf\xbf", 3, "\"\xef\xbf\xbf\"\n"));
	CHECK(string_is("\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\"\n"));
}

/* RFC 3629 §3-4: overlong forms, surrogates, > U+10FFFF, lone
 * continuation octets and cut sequences are not UTF-8: \u00XX each. */
static void t_utf8_invalid(void)
{
	CHECK(string_is("\xc0\x80", 2, "\"\\u00c0\\u0080\"\n"));
	CHECK(string_is("\xe0\x80\xaf", 3, "\"\\u00e0\\u0080\\u00af\"\n"));
	CHECK(string_is("\xed\xa0\x80", 3, "\"\\u00ed\\u00a0\\u0080\"\n"));
	CHECK(string_is("\xf4\x90\x80\x80", 4, "\"\\u00f4\\u0090\\u0080\\u0080\"\n"));
	CHECK(string_is("\xf5\x80", 2, "\"\\u00f5\\u0080\"\n"));
	CHECK(string_is("\xff", 1, "\"\\u00ff\"\n"));
	CHECK(string_is("\xe2\x98", 2, "\"\\u00e2\\u0098\"\n"));
	CHECK(string_is("\xe2\x98x", 3, "\"\\u00e2\\u0098x\"\n"));
	CHECK(string_is("\xc3", 1, "\"\\u00c3\"\n"));
}

static void value_without_key(struct json *j)
{
	json_open(j, '{');
	json_int(j, 1);
	json_close(j);
}

static void key_in_array(struct json *j)
{
	json_open(j, '[');
	json_key(j, "k");
	json_close(j);
}

static void key_twice(struct json *j)
{
	json_open(j, '{');
	json_key(j, "k");
	json_key(j, "l");
	json_int(j, 1);
	json_close(j);
}

static void unclosed(struct json *j)
{
	json_open(j, '[');
}

static void close_nothing(struct json *j)
{
	json_close(j);
}

static void dangling_key(struct json *j)
{
	json_open(j, '{');
	json_key(j, "k");
	json_close(j);
}

static void too_deep(struct json *j)
{
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_open(j, '[');
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_close(j);
}

static void just_deep_enough(struct json *j)
{
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_open(j, '[');
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		json_close(j);
}

/* Misuse is remembered and reported once, at the end. */
static void t_misuse(void)
{
	capture(value_without_key, 0);
	CHECK_EQ_INT(end_rc, -EINVAL);
	capture(key_in_array, 0);
	CHECK_EQ_INT(end_rc, -EINVAL);
	capture(key_twice, 0);
	CHECK_EQ_INT(end_rc, -EINVAL);
	capture(unclosed, 0);
	CHECK_EQ_INT(end_rc, -EINVAL);
	capture(close_nothing, 0);
	CHECK_EQ_INT(end_rc, -EINVAL);
	capture(dangling_key, 0);
	CHECK_EQ_INT(end_rc, -EINVAL);
	capture(too_deep, 0);
	CHECK_EQ_INT(end_rc, -EINVAL);
	capture(just_deep_enough, 0);
	CHECK_EQ_INT(end_rc, 0);
}

/* A stream that cannot be written is -EIO. */
static void t_write_error(void)
{
	FILE *f = fopen("/dev/full", "w");
	struct json j;

	if (!f) {
		CHECK(!"/dev/full");
		return;
	}
	setvbuf(f, NULL, _IONBF, 0);
	json_init(&j, f, 0);
	json_str(&j, "x");
	CHECK_EQ_INT(json_end(&j), -EIO);
	fclose(f);
}

static const struct check_case cases[] = {
    {"compact", t_compact},	      {"pretty", t_pretty},
    {"escapes", t_escapes},	      {"utf8_valid", t_utf8_valid},
    {"utf8_invalid", t_utf8_invalid}, {"misuse", t_misuse},
    {"write_error", t_write_error},   {NULL, NULL},
};

int main(void)
{
	return check_run("json", cases);
}
