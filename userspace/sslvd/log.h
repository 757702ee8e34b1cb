/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sslvd's one place that prints: a message, or a message followed by every
 * error OpenSSL queued (each on its own line, prefixed by the same context,
 * the way ERR_print_errors does it), and the exit statuses the daemon's
 * configuration errors map to.
 */
#ifndef SSLVD_LOG_H
#define SSLVD_LOG_H

/* Exit statuses: each bad input its own. */
enum sslvd_status {
	SSLVD_OK = 0,
	SSLVD_EX_FAIL = 1,		/* a runtime failure */
	SSLVD_EX_USAGE = 2,		/* bad command line */
	SSLVD_EX_CA_CERT = 3,		/* CA certificate unreadable or no CA */
	SSLVD_EX_CA_KEY = 4,		/* CA key unreadable */
	SSLVD_EX_CA_MISMATCH = 5,	/* CA key is not the certificate's */
	SSLVD_EX_TRUST_STORE = 6,	/* trust store unreadable or empty */
	SSLVD_EX_TLS = 7,		/* OpenSSL failed to set up (memory...) */
	SSLVD_EX_MODULE = 8,		/* sslv not loaded, or without decrypt */
	SSLVD_EX_BUSY = 9,		/* another sslvd serves this namespace */
	SSLVD_EX_NET = 10,		/* listener, routes or sysctl not usable */
};

void sslvd_log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* The message, then OpenSSL's queued errors, which are cleared. */
void sslvd_log_ssl(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Where messages go (stderr by default); the unit tests silence it. */
void sslvd_log_quiet(int quiet);

/* From now on to syslog (daemon facility) instead of stderr. */
void sslvd_log_syslog(void);

#endif /* SSLVD_LOG_H */
