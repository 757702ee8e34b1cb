// SPDX-License-Identifier: GPL-2.0
/*
 * Cost of kmod/lib/rst.c's sslv_rst_classify, the work the module does for
 * every RST that crosses the bridge, on three flows built through the
 * tracker (kmod/lib/tcp.c) as the module builds them:
 *
 *	data      an RST-ACK from the server in the middle of a transfer
 *	refused   the server's RST-ACK answering a SYN
 *	no-flow   an RST of no known flow
 *
 *	rst_bench
 *
 * Times are the best of several rounds; the ratio column is to "data".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rst.h"

#define ROUNDS	15
#define CALLS	1000000

#define C SSLV_DIR_ORIG
#define S SSLV_DIR_REPLY

static volatile u32 sink;

struct story {
	const char *name;
	struct sslv_tcp t;
	const struct sslv_tcp *tp;	/* NULL: no flow */
	struct sslv_seg rst;
	int dir;
	double ns;
};

static void tx(struct sslv_tcp *t, bool *started, int dir, u8 flags, u32 seq,
	       u32 ack, u16 len)
{
	struct sslv_seg s = {
		.seq = seq, .ack = ack, .win = 65535, .len = len, .flags = flags,
		.ttl = dir == C ? 64 : 57, .wscale = SSLV_WSCALE_NONE,
	};

	if (*started)
		sslv_tcp_update(t, dir, &s, 0);
	else
		sslv_tcp_init(t, dir, &s, 0);
	*started = true;
}

static void setup(struct story *st)
{
	const struct sslv_seg rst = {
		.flags = SSLV_TH_RST | SSLV_TH_ACK, .ttl = 57,
		.wscale = SSLV_WSCALE_NONE,
	};
	bool started = false;

	st[0].name = "data";
	tx(&st[0].t, &started, C, SSLV_TH_SYN, 1000, 0, 0);
	tx(&st[0].t, &started, S, SSLV_TH_SYN | SSLV_TH_ACK, 5000, 1001, 0);
	tx(&st[0].t, &started, C, SSLV_TH_ACK, 1001, 5001, 0);
	tx(&st[0].t, &started, C, SSLV_TH_PSH | SSLV_TH_ACK, 1001, 5001, 100);
	tx(&st[0].t, &started, S, SSLV_TH_PSH | SSLV_TH_ACK, 5001, 1101, 200);
	st[0].tp = &st[0].t;
	st[0].rst = rst;
	st[0].rst.seq = 5201;
	st[0].rst.ack = 1101;
	st[0].dir = S;

	st[1].name = "refused";
	started = false;
	tx(&st[1].t, &started, C, SSLV_TH_SYN, 1000, 0, 0);
	st[1].tp = &st[1].t;
	st[1].rst = rst;
	st[1].rst.ack = 1001;
	st[1].dir = S;

	st[2].name = "no-flow";
	st[2].tp = NULL;
	st[2].rst = rst;
	st[2].rst.seq = 7;
	st[2].rst.ack = 9;
	st[2].dir = C;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(void)
{
	static const struct sslv_rst_cfg cfg = { .idle_ms = SSLV_RST_IDLE_MS_DEFAULT };
	static struct story st[3];
	struct sslv_rst_info ri;
	int round, i, k;

	setup(st);
	for (round = 0; round < ROUNDS; round++) {
		for (k = 0; k < 3; k++) {
			double t0 = now_ns(), ns;

			for (i = 0; i < CALLS; i++) {
				ri = sslv_rst_classify(st[k].tp, st[k].dir, &st[k].rst,
						       10, &cfg, 0);
				sink += ri.phase;
			}
			ns = (now_ns() - t0) / CALLS;
			if (!round || ns < st[k].ns)
				st[k].ns = ns;
		}
	}
	printf("%-10s %-20s %10s %7s\n", "rst", "phase", "ns/rst", "ratio");
	for (k = 0; k < 3; k++) {
		ri = sslv_rst_classify(st[k].tp, st[k].dir, &st[k].rst, 10, &cfg, 0);
		printf("%-10s %-20s %10.1f %7.2f\n", st[k].name,
		       sslv_rst_phase_label(ri.phase), st[k].ns, st[k].ns / st[0].ns);
	}
	return 0;
}
