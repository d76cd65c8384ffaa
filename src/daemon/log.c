/*
 * log.c - structured event lines to stderr or syslog.
 *
 * stderr lines carry a wall-clock timestamp and the level so that tests and
 * `journalctl` readers see the same text; syslog adds its own.
 */
#include "daemon/log.h"
#include "daemon/loop.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_target log_to = LOG_TO_STDERR;
static int log_max = LOG_INFO;

static const char *const level_names[] = {
	"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug",
};

void log_init(enum log_target target, int level)
{
	log_to = target;
	log_max = level;
	if (target == LOG_TO_SYSLOG)
		openlog("sipalgd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_set_level(int level)
{
	log_max = level;
}

int log_level(void)
{
	return log_max;
}

int log_enabled(int level)
{
	return level <= log_max;
}

void log_line(int level, const char *line)
{
	char ts[32];
	struct timespec now;
	struct tm tm;

	if (!log_enabled(level))
		return;
	if (log_to == LOG_TO_SYSLOG) {
		syslog(level, "%s", line);
		return;
	}
	/* Wall clock only for humans reading the line; never used for logic. */
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ sipalgd %s: %s\n", ts, now.tv_nsec / 1000000,
		level_names[level & 7], line);
}

void log_event(int level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_line(level, line);
}

static int needs_quotes(const char *v)
{
	if (!*v)
		return 1;
	for (; *v; v++)
		if (*v <= ' ' || *v == '"' || *v == '=' || *v == '\\' || *v == 0x7f)
			return 1;
	return 0;
}

static void put(char *buf, size_t size, size_t *pos, char c)
{
	if (*pos + 1 < size)
		buf[(*pos)++] = c;
	buf[*pos < size ? *pos : size - 1] = 0;
}

void log_kv(char *buf, size_t size, size_t *pos, const char *key, const char *value)
{
	int q = needs_quotes(value);

	if (*pos)
		put(buf, size, pos, ' ');
	for (; *key; key++)
		put(buf, size, pos, *key);
	put(buf, size, pos, '=');
	if (q)
		put(buf, size, pos, '"');
	for (; *value; value++) {
		unsigned char c = (unsigned char)*value;
		if (c == '"' || c == '\\')
			put(buf, size, pos, '\\');
		/* Control bytes from the wire never reach the log raw. */
		put(buf, size, pos, c < ' ' || c == 0x7f ? '?' : (char)c);
	}
	if (q)
		put(buf, size, pos, '"');
}

int log_limit_allow(struct log_limit *l, unsigned per_s)
{
	uint64_t now = loop_now();

	if (now - l->window >= 1000) {
		if (l->suppressed)
			log_event(LOG_WARNING, "event=log_suppressed lines=%u", l->suppressed);
		l->window = now;
		l->lines = l->suppressed = 0;
	}
	if (l->lines++ >= per_s) {
		l->suppressed++;
		return 0;
	}
	return 1;
}

/* The firewall reports one line per failed element: under a flood that
 * would be thousands of lines a second. */
void log_fw(void *ctx, int level, const char *msg)
{
	static struct log_limit lim;

	(void)ctx;
	if (log_enabled(level) && log_limit_allow(&lim, 20))
		log_event(level, "%s", msg);
}
