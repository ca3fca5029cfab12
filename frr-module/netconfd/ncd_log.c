// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frr-netconfd's log: lines on stderr, with syslog priority prefixes when
 * stderr is the journal (systemd then files each line at its priority).
 */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "ncd.h"

bool ncd_log_debug;
static bool to_journal;

static const char *const level_names[] = {
	[LOG_EMERG] = "emergency", [LOG_ALERT] = "alert",
	[LOG_CRIT] = "critical",   [LOG_ERR] = "error",
	[LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",	   [LOG_DEBUG] = "debug",
};

void ncd_log_init(bool debug)
{
	ncd_log_debug = debug;
	to_journal = getenv("JOURNAL_STREAM") != NULL;
	setvbuf(stderr, NULL, _IOLBF, 0);
}

void ncd_log(int priority, const char *fmt, ...)
{
	char line[2048], stamp[32];
	struct timespec now;
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (to_journal) {
		fprintf(stderr, "<%d>%s\n", priority, line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld %s: %s\n", stamp, now.tv_nsec / 1000000,
		level_names[priority & 7], line);
}
