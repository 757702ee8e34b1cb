// SPDX-License-Identifier: GPL-2.0
/* The kTLS-to-kTLS relay, see relay.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "ktls.h"
#include "relay.h"

#define PIPE_CHUNK 65536

uint64_t sslvd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int sslvd_relay_init(struct sslvd_relay *r, int a, int b)
{
	int i;

	memset(r, 0, sizeof(*r));
	r->fd[0] = a;
	r->fd[1] = b;
	r->dir[0].pipe[0] = r->dir[0].pipe[1] = -1;
	r->dir[1].pipe[0] = r->dir[1].pipe[1] = -1;
	for (i = 0; i < 2; i++) {
		if (pipe2(r->dir[i].pipe, O_NONBLOCK | O_CLOEXEC) < 0 ||
		    fcntl(r->fd[i], F_SETFL, fcntl(r->fd[i], F_GETFL) | O_NONBLOCK) < 0) {
			sslvd_relay_fini(r);
			return -1;
		}
	}
	r->progress_ns = sslvd_now_ns();
	return 0;
}

/*
 * The record buffer is there only while it holds something: an idle relay
 * (most of them) holds none, 32 KiB less a session.
 */
static void buf_drop(struct sslvd_relay_dir *d)
{
	free(d->buf);
	d->buf = NULL;
	d->buf_off = d->buf_len = 0;
}

void sslvd_relay_fini(struct sslvd_relay *r)
{
	int i, j;

	for (i = 0; i < 2; i++) {
		buf_drop(&r->dir[i]);
		for (j = 0; j < 2; j++)
			if (r->dir[i].pipe[j] >= 0) {
				close(r->dir[i].pipe[j]);
				r->dir[i].pipe[j] = -1;
			}
	}
}

/* A control record: what it means for the relay. */
static enum sslvd_relay_res control(struct sslvd_relay_dir *d, const uint8_t *p,
				    uint32_t n, uint8_t type)
{
	uint32_t off = 0, mlen;

	if (type == SSLVD_CT_ALERT) {
		if (n == 2 && p[1] == 0) {	/* close_notify */
			d->eof = 1;
			return SSLVD_RELAY_AGAIN;
		}
		return SSLVD_RELAY_PROTO;
	}
	if (type != SSLVD_CT_HANDSHAKE)
		return SSLVD_RELAY_PROTO;
	while (off + 4 <= n) {
		mlen = (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 | p[off + 3];
		if (p[off] == SSLVD_HS_KEY_UPDATE)
			return SSLVD_RELAY_KEYUPDATE;
		if (p[off] != SSLVD_HS_NEW_SESSION_TICKET || mlen > n - off - 4)
			return SSLVD_RELAY_PROTO;
		d->tickets++;
		off += 4 + mlen;
	}
	return off == n ? SSLVD_RELAY_AGAIN : SSLVD_RELAY_PROTO;
}

/* Moves what can move in direction @i; AGAIN when it waits for an event. */
static enum sslvd_relay_res dir_step(struct sslvd_relay *r, int i, short *ev_src,
				     short *ev_dst)
{
	struct sslvd_relay_dir *d = &r->dir[i];
	int src = r->fd[i], dst = r->fd[!i];
	enum sslvd_relay_res res;
	uint8_t type;
	ssize_t n;

	for (;;) {
		/* first what is held */
		if (d->buf_len > d->buf_off) {
			n = send(dst, d->buf + d->buf_off, d->buf_len - d->buf_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (n < 0)
				goto sock_err_dst;
			d->buf_off += (uint32_t)n;
			d->bytes += (uint64_t)n;
			r->progress_ns = sslvd_now_ns();
			if (d->buf_off == d->buf_len)
				buf_drop(d);
			continue;
		}
		if (d->in_pipe) {
			n = splice(d->pipe[0], NULL, dst, NULL, d->in_pipe,
				   SPLICE_F_NONBLOCK);
			if (n < 0)
				goto sock_err_dst;
			d->in_pipe -= (uint32_t)n;
			d->bytes += (uint64_t)n;
			r->progress_ns = sslvd_now_ns();
			continue;
		}
		if (d->eof) {
			if (!d->closed) {
				d->closed = 1;
				/* best effort: the peer may be gone already */
				if (!r->plain && !(r->plain_fd & (1u << !i)))
					sslvd_ktls_close_notify(dst);
				shutdown(dst, SHUT_WR);
			}
			return SSLVD_RELAY_DONE;
		}
		/* then a new chunk */
		n = splice(src, NULL, d->pipe[1], NULL, PIPE_CHUNK, SPLICE_F_NONBLOCK);
		if (n > 0) {
			d->in_pipe = (uint32_t)n;
			r->progress_ns = sslvd_now_ns();
			continue;
		}
		if (n == 0) {
			d->eof = 1;	/* FIN without close_notify */
			continue;
		}
		if (errno == EAGAIN) {
			*ev_src |= POLLIN;
			return SSLVD_RELAY_AGAIN;
		}
		if (errno != EINVAL && errno != EIO)
			goto sock_err;
		/* a control record is next: read it whole */
		if (!d->buf) {
			d->buf = malloc(SSLVD_RELAY_REC);
			if (!d->buf) {
				errno = ENOMEM;
				goto sock_err;
			}
		}
		n = sslvd_ktls_recv(src, d->buf, SSLVD_RELAY_REC, &type);
		if (n < 0) {
			if (errno == EAGAIN) {
				*ev_src |= POLLIN;
				return SSLVD_RELAY_AGAIN;
			}
			goto sock_err;
		}
		if (n == 0) {
			buf_drop(d);
			d->eof = 1;
			continue;
		}
		r->progress_ns = sslvd_now_ns();
		if (type == SSLVD_CT_DATA) {
			d->buf_off = 0;
			d->buf_len = (uint32_t)n;
			continue;
		}
		res = control(d, d->buf, (uint32_t)n, type);
		buf_drop(d);
		if (res != SSLVD_RELAY_AGAIN) {
			r->which = i;
			return res;
		}
	}
sock_err_dst:
	if (errno == EAGAIN) {
		*ev_dst |= POLLOUT;
		return SSLVD_RELAY_AGAIN;
	}
	r->err_fd = !i;
	goto fail;
sock_err:
	r->err_fd = i;
fail:
	r->err = errno;
	r->which = i;
	return errno == EBADMSG ? SSLVD_RELAY_PROTO : SSLVD_RELAY_ERROR;
}

enum sslvd_relay_res sslvd_relay_step(struct sslvd_relay *r)
{
	enum sslvd_relay_res res[2];
	int i;

	r->events[0] = r->events[1] = 0;
	for (i = 0; i < 2; i++) {
		res[i] = dir_step(r, i, &r->events[i], &r->events[!i]);
		if (res[i] != SSLVD_RELAY_AGAIN && res[i] != SSLVD_RELAY_DONE)
			return res[i];
	}
	return res[0] == SSLVD_RELAY_DONE && res[1] == SSLVD_RELAY_DONE ?
	       SSLVD_RELAY_DONE : SSLVD_RELAY_AGAIN;
}

enum sslvd_relay_res sslvd_relay_run(struct sslvd_relay *r, int idle_ms)
{
	struct pollfd p[2];
	enum sslvd_relay_res res;
	uint64_t idle_ns = (uint64_t)idle_ms * 1000000ULL, now;
	int i, wait;

	for (;;) {
		res = sslvd_relay_step(r);
		if (res != SSLVD_RELAY_AGAIN)
			return res;
		now = sslvd_now_ns();
		if (now - r->progress_ns >= idle_ns)
			return SSLVD_RELAY_IDLE;
		wait = (int)((idle_ns - (now - r->progress_ns)) / 1000000ULL) + 1;
		for (i = 0; i < 2; i++) {
			p[i].fd = r->fd[i];
			p[i].events = r->events[i];
			p[i].revents = 0;
		}
		if (poll(p, 2, wait) < 0 && errno != EINTR) {
			r->err = errno;
			return SSLVD_RELAY_ERROR;
		}
	}
}

const char *sslvd_relay_res_name(enum sslvd_relay_res res)
{
	switch (res) {
	case SSLVD_RELAY_AGAIN:
		return "again";
	case SSLVD_RELAY_DONE:
		return "done";
	case SSLVD_RELAY_KEYUPDATE:
		return "keyupdate";
	case SSLVD_RELAY_PROTO:
		return "protocol";
	case SSLVD_RELAY_IDLE:
		return "idle";
	case SSLVD_RELAY_ERROR:
		return "error";
	}
	return "?";
}

bool sslvd_relay_pending(const struct sslvd_relay *r)
{
	int i, q;

	for (i = 0; i < 2; i++) {
		const struct sslvd_relay_dir *d = &r->dir[i];

		if (d->in_pipe || d->buf_off < d->buf_len)
			return true;
		if (ioctl(r->fd[i], SIOCOUTQ, &q) == 0 && q > 0)
			return true;
	}
	return false;
}
