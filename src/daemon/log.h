/*
 * log.h - sipalgd's event log: one line per event, structured key=value,
 * to stderr or syslog.
 *
 * Lines look like `event=rewrite call_id=abc field=Contact[0].hostport
 * before=... after=... rule=...`.  Values containing spaces, quotes or '='
 * are quoted by log_kv().  log_event() formats with printf conventions; the
 * caller writes the key=value text.  No allocation; lines longer than
 * LOG_LINE_MAX are truncated.
 */
#ifndef SIPALG_DAEMON_LOG_H
#define SIPALG_DAEMON_LOG_H

#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

#include "daemon/config.h"

#define LOG_LINE_MAX 2048

void log_init(enum log_target target, int level);
void log_set_level(int level);
int log_level(void);
int log_enabled(int level);
void log_event(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append ` key=value` to buf (at *pos), quoting value when needed. */
void log_kv(char *buf, size_t size, size_t *pos, const char *key, const char *value);
/* Write a prepared line (from log_kv) at level. */
void log_line(int level, const char *line);
/* Per-call-site rate limit for lines a flood can trigger (refused
 * connections, send errors): at most `per_s` lines a second, then one line
 * saying how many were suppressed. */
struct log_limit {
	uint64_t window;
	unsigned lines, suppressed;
};
int log_limit_allow(struct log_limit *l, unsigned per_s);
#define LOG_LIMITED(per_s, level, ...)                                         \
	do {                                                                   \
		static struct log_limit log_limit_;                            \
		if (log_enabled(level) && log_limit_allow(&log_limit_, per_s)) \
			log_event(level, __VA_ARGS__);                         \
	} while (0)

/* Callback shape used by the firewall backend (fw_config.log). */
void log_fw(void *ctx, int level, const char *msg);

#endif
