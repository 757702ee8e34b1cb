// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include <openssl/err.h>

#include "log.h"

static int log_quiet, log_sys;

void sslvd_log_quiet(int quiet)
{
	log_quiet = quiet;
}

void sslvd_log_syslog(void)
{
	openlog("sslvd", LOG_PID, LOG_DAEMON);
	log_sys = 1;
}

static void log_v(const char *fmt, va_list ap)
{
	if (log_sys) {
		vsyslog(LOG_NOTICE, fmt, ap);
		return;
	}
	fputs("sslvd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void sslvd_log(const char *fmt, ...)
{
	va_list ap;

	if (log_quiet)
		return;
	va_start(ap, fmt);
	log_v(fmt, ap);
	va_end(ap);
}

void sslvd_log_ssl(const char *fmt, ...)
{
	const char *file, *func, *data;
	unsigned long e;
	char buf[256];
	va_list ap;
	int line, flags;

	if (!log_quiet) {
		va_start(ap, fmt);
		log_v(fmt, ap);
		va_end(ap);
	}
	while ((e = ERR_get_error_all(&file, &line, &func, &data, &flags))) {
		if (log_quiet)
			continue;
		ERR_error_string_n(e, buf, sizeof(buf));
		if (log_sys) {
			syslog(LOG_NOTICE, "  %s (%s:%d%s%s)", buf, file, line,
			       (flags & ERR_TXT_STRING) && data && *data ? ": " : "",
			       (flags & ERR_TXT_STRING) && data ? data : "");
			continue;
		}
		fprintf(stderr, "sslvd:   %s (%s:%d%s%s)\n", buf, file, line,
			(flags & ERR_TXT_STRING) && data && *data ? ": " : "",
			(flags & ERR_TXT_STRING) && data ? data : "");
	}
}
