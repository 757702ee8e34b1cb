/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The relay between two kTLS sockets: plaintext moves from one socket's
 * kTLS RX to the other's kTLS TX without userspace record crypto, spliced
 * through a pipe per direction; a control record (splice answers EINVAL)
 * is read with recvmsg and handled: NewSessionTicket dropped, close_notify
 * ends that direction, KeyUpdate ends the relay with SSLVD_RELAY_KEYUPDATE
 * (the kernel cannot rekey: the caller resets both ends), any other alert
 * or handshake message with SSLVD_RELAY_PROTO.
 *
 * Non-blocking: sslvd_relay_step moves what it can and says which events
 * to wait for; each direction holds at most one pipe (64 KiB) or one
 * record buffer, allocated only while it holds a record read by recvmsg
 * (an idle relay holds none). Every byte moved stamps the progress time,
 * so the caller can end a relay that made no progress within its window.
 */
#ifndef SSLVD_RELAY_H
#define SSLVD_RELAY_H

#include <stdbool.h>
#include <stdint.h>

#define SSLVD_RELAY_REC 16384

enum sslvd_relay_res {
	SSLVD_RELAY_AGAIN,	/* wait for relay.events, then step again */
	SSLVD_RELAY_DONE,	/* both directions ended cleanly */
	SSLVD_RELAY_KEYUPDATE,	/* a peer sent KeyUpdate */
	SSLVD_RELAY_PROTO,	/* a fatal alert or an unexpected message */
	SSLVD_RELAY_IDLE,	/* no progress within the window */
	SSLVD_RELAY_ERROR,	/* a socket error: errno in relay.err */
};

struct sslvd_relay_dir {
	int pipe[2];
	uint32_t in_pipe;		/* bytes in the pipe */
	uint8_t *buf;			/* a record read by recvmsg, or NULL */
	uint32_t buf_off, buf_len;
	uint64_t bytes;			/* moved so far */
	uint32_t tickets;		/* NewSessionTicket records dropped */
	int eof;			/* the source ended */
	int closed;			/* close_notify sent, write side shut */
};

struct sslvd_relay {
	int fd[2];			/* dir[i] moves fd[i] -> fd[!i] */
	struct sslvd_relay_dir dir[2];
	short events[2];		/* poll events to wait for on fd[i] */
	uint64_t progress_ns;		/* CLOCK_MONOTONIC of the last byte */
	int err;
	int which;			/* the direction of a KEYUPDATE/PROTO */
	int plain;			/* plain TCP both sides: no close_notify */
	unsigned int plain_fd;		/* bit i: fd[i] alone is plain TCP */
	int err_fd;			/* ERROR: the index in fd[] that failed */
};

/* 0, or -1 with errno (pipes). @a and @b are kTLS sockets, made non-blocking. */
int sslvd_relay_init(struct sslvd_relay *r, int a, int b);
void sslvd_relay_fini(struct sslvd_relay *r);

enum sslvd_relay_res sslvd_relay_step(struct sslvd_relay *r);

/* Steps and polls until the end, or until @idle_ms pass with no progress. */
enum sslvd_relay_res sslvd_relay_run(struct sslvd_relay *r, int idle_ms);

const char *sslvd_relay_res_name(enum sslvd_relay_res res);

/*
 * Whether bytes wait on the way: in a pipe, in a record half written, or
 * in a socket's send queue (unsent, or sent and not acknowledged). A quiet
 * relay with nothing pending is idle; one with bytes pending is stalled.
 */
bool sslvd_relay_pending(const struct sslvd_relay *r);

uint64_t sslvd_now_ns(void);

#endif /* SSLVD_RELAY_H */
