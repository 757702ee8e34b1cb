// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The RST classifier (kmod/lib/rst.c) driven through the tracker
 * (kmod/lib/tcp.c) with the segment sequences of each story it must tell:
 * a refused SYN, scans, an abortive close, seed 001's FIN+RST close, a
 * forged RST, an idle timeout, a retransmission limit, a stray seq.
 */
#include <string.h>

#include "rst.h"
#include "unit.h"

#define C SSLV_DIR_ORIG
#define S SSLV_DIR_REPLY

#define F SSLV_TH_FIN
#define SY SSLV_TH_SYN
#define R SSLV_TH_RST
#define P SSLV_TH_PSH
#define A SSLV_TH_ACK

/* Client 1 hop away, server 7: a wrong TTL is told apart per side. */
#define TTL_C 64
#define TTL_S 57

static const struct sslv_rst_cfg cfg = { .idle_ms = SSLV_RST_IDLE_MS_DEFAULT };

struct flow {
	struct sslv_tcp t;
	bool started;
	u32 now;	/* ms */
};

static void tx_ttl(struct flow *f, int dir, u8 flags, u32 seq, u32 ack,
		     u16 len, u8 ttl)
{
	struct sslv_seg s = {
		.seq = seq, .ack = ack, .win = 65535, .len = len,
		.flags = flags, .ttl = ttl, .wscale = SSLV_WSCALE_NONE,
	};

	if (!f->started)
		sslv_tcp_init(&f->t, dir, &s, f->now);
	else
		sslv_tcp_update(&f->t, dir, &s, f->now);
	f->started = true;
}

static void tx(struct flow *f, int dir, u8 flags, u32 seq, u32 ack, u16 len)
{
	tx_ttl(f, dir, flags, seq, ack, len, dir == C ? TTL_C : TTL_S);
}

/* Classify an RST as the module does, before tracking it, then track it. */
static struct sslv_rst_info rst_own(struct flow *f, int dir, u8 flags, u32 seq,
				    u32 ack, u8 ttl, unsigned int own)
{
	struct sslv_seg s = {
		.seq = seq, .ack = ack, .flags = R | flags, .ttl = ttl,
		.wscale = SSLV_WSCALE_NONE,
	};
	struct sslv_rst_info info;

	info = sslv_rst_classify(f->started ? &f->t : NULL, dir, &s, f->now,
				 &cfg, own);
	tx_ttl(f, dir, R | flags, seq, ack, 0, ttl);
	return info;
}

static struct sslv_rst_info rst(struct flow *f, int dir, u8 flags, u32 seq,
				u32 ack)
{
	return rst_own(f, dir, flags, seq, ack, dir == C ? TTL_C : TTL_S,
		       SSLV_R_NONE);
}

static void handshake(struct flow *f, u32 cisn, u32 sisn)
{
	tx(f, C, SY, cisn, 0, 0);
	tx(f, S, SY | A, sisn, cisn + 1, 0);
	tx(f, C, A, cisn + 1, sisn + 1, 0);
}

static bool explains(const struct sslv_rst_info *info, const char *words)
{
	char line[512];

	sslv_rst_explain(line, sizeof(line), info);
	return strstr(line, words) != NULL;
}

static void test_refused_syn(void)
{
	struct flow f = { 0 };
	struct sslv_rst_info i;

	tx(&f, C, SY, 1000, 0, 0);
	i = rst(&f, S, A, 0, 1001);
	CHECK(i.phase == SSLV_RST_HANDSHAKE_REFUSED);
	CHECK(i.sender == SSLV_RST_SENDER_SERVER);
	CHECK(i.kind == SSLV_RST_KIND_TRUE);
	CHECK(i.ttl == SSLV_RST_TTL_UNKNOWN);
	CHECK(i.seq_fit == SSLV_SEQ_EXACT);
	CHECK(i.causes == 0);
	CHECK(explains(&i, "refused the client's SYN"));

	/* An RST that does not ack the SYN is dropped by the client. */
	memset(&f, 0, sizeof(f));
	tx(&f, C, SY, 1000, 0, 0);
	i = rst(&f, S, 0, 5000, 0);
	CHECK(i.phase == SSLV_RST_HANDSHAKE_REFUSED);
	CHECK(i.kind == SSLV_RST_KIND_BARE);
	CHECK(i.seq_fit == SSLV_SEQ_OUTSIDE);
}

static void test_syn_scan(void)
{
	struct flow f = { 0 };
	struct sslv_rst_info i;

	/* nmap -sS: the scanner's kernel knows no socket for the SYN-ACK. */
	tx(&f, C, SY, 1000, 0, 0);
	tx(&f, S, SY | A, 7000, 1001, 0);
	i = rst(&f, C, 0, 1001, 0);
	CHECK(i.phase == SSLV_RST_HANDSHAKE_ABORT);
	CHECK(i.sender == SSLV_RST_SENDER_CLIENT);
	CHECK(i.kind == SSLV_RST_KIND_BARE);
	CHECK(i.ttl == SSLV_RST_TTL_MATCH);
	CHECK(i.seq_fit == SSLV_SEQ_EXACT);
	CHECK(explains(&i, "SYN-scan"));

	/* A bypass blocker answering for the server right after its SYN-ACK. */
	memset(&f, 0, sizeof(f));
	tx(&f, C, SY, 1000, 0, 0);
	tx(&f, S, SY | A, 7000, 1001, 0);
	i = rst_own(&f, S, 0, 7001, 0, 250, SSLV_R_NONE);
	CHECK(i.phase == SSLV_RST_HANDSHAKE_ABORT);
	CHECK(i.sender == SSLV_RST_SENDER_SERVER);
	CHECK(i.ttl == SSLV_RST_TTL_ANOMALY);
}

static void test_connect_scan(void)
{
	struct flow f = { 0 };
	struct sslv_rst_info i;

	handshake(&f, 1000, 7000);
	i = rst(&f, C, A, 1001, 7001);
	CHECK(i.phase == SSLV_RST_POST_HANDSHAKE_ABORT);
	CHECK(i.sender == SSLV_RST_SENDER_CLIENT);
	CHECK(i.kind == SSLV_RST_KIND_TRUE);
	CHECK(i.ttl == SSLV_RST_TTL_MATCH);
	CHECK(i.seq_fit == SSLV_SEQ_EXACT);
	CHECK(explains(&i, "connect-scan"));
}

static void test_linger_abort(void)
{
	struct flow f = { 0 };
	struct sslv_rst_info i;

	/* SO_LINGER {1, 0} then close(): RST+ACK at snd_nxt, mid-transfer. */
	handshake(&f, 1000, 7000);
	tx(&f, C, P | A, 1001, 7001, 100);
	tx(&f, S, A, 7001, 1101, 0);
	tx(&f, S, P | A, 7001, 1101, 300);
	tx(&f, C, A, 1101, 7301, 0);
	f.now += 20;
	i = rst(&f, C, A, 1101, 7301);
	CHECK(i.phase == SSLV_RST_DATA);
	CHECK(i.sender == SSLV_RST_SENDER_CLIENT);
	CHECK(i.kind == SSLV_RST_KIND_TRUE);
	CHECK(i.ttl == SSLV_RST_TTL_MATCH);
	CHECK(i.seq_fit == SSLV_SEQ_EXACT);
	CHECK(i.causes == 0);
	CHECK(i.idle_ms == 20);
}

/*
 * Seed 001, inside capture, with its numbers: the server closes first, the
 * client acks, then sends FIN and RST in the same microsecond; the server
 * answers the RST with a bare RST for a connection it no longer has.
 */
static void test_seed_001(void)
{
	const u32 cfin = 991843171, sfin = 2320205170u;
	struct flow f = { 0 };
	struct sslv_rst_info i;

	handshake(&f, cfin - 1 - 517, sfin - 1 - 4000);
	tx(&f, C, P | A, cfin - 517, sfin - 4000, 517);
	tx(&f, S, P | A, sfin - 4000, cfin, 4000);
	tx(&f, C, A, cfin, sfin, 0);

	f.now = 47907;
	tx(&f, S, F | A, sfin, cfin, 0);		/* 33437 */
	f.now = 47952;
	tx(&f, C, A, cfin, sfin + 1, 0);		/* 33438 */
	f.now = 50443;
	tx(&f, C, F | A, cfin, sfin + 1, 0);		/* 33748 */
	i = rst(&f, C, A, cfin + 1, sfin + 1);		/* 33749 */
	CHECK(i.phase == SSLV_RST_FIN_RST);
	CHECK(i.sender == SSLV_RST_SENDER_CLIENT);
	CHECK(i.kind == SSLV_RST_KIND_TRUE);
	CHECK(i.ttl == SSLV_RST_TTL_MATCH);
	CHECK(i.seq_fit == SSLV_SEQ_EXACT);
	CHECK(i.causes == 0);
	CHECK(explains(&i, "FIN+RST close"));

	i = rst(&f, S, 0, sfin + 1, 0);			/* 33750 */
	CHECK(i.phase == SSLV_RST_AFTER_TEARDOWN);
	CHECK(i.sender == SSLV_RST_SENDER_SERVER);
	CHECK(i.kind == SSLV_RST_KIND_BARE);
	CHECK(i.ttl == SSLV_RST_TTL_MATCH);
	CHECK(i.seq_fit == SSLV_SEQ_EXACT);
	CHECK(explains(&i, "already closed by an earlier RST"));
	CHECK(explains(&i, "no connection"));
}

static void test_teardown(void)
{
	struct flow f = { 0 };
	struct sslv_rst_info i;

	/* The server acked the client's FIN and kept sending: not fin-rst. */
	handshake(&f, 1000, 7000);
	tx(&f, C, F | A, 1001, 7001, 0);
	tx(&f, S, P | A, 7001, 1002, 50);
	i = rst(&f, C, 0, 1002, 0);
	CHECK(i.phase == SSLV_RST_TEARDOWN);
	CHECK(i.seq_fit == SSLV_SEQ_EXACT);
	CHECK(explains(&i, "after the client's FIN"));

	/* Both FINs acked: whatever comes next finds no connection. */
	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 7000);
	tx(&f, C, F | A, 1001, 7001, 0);
	tx(&f, S, F | A, 7001, 1002, 0);
	tx(&f, C, A, 1002, 7002, 0);
	i = rst(&f, S, 0, 7002, 0);
	CHECK(i.phase == SSLV_RST_AFTER_TEARDOWN);
	CHECK(explains(&i, "closed by both FINs"));
}

static void test_forged_ttl(void)
{
	struct flow f = { 0 };
	struct sslv_rst_info i;
	char line[512];

	/* A middlebox one hop away speaks for the server, 7 hops away. */
	handshake(&f, 1000, 7000);
	tx(&f, C, P | A, 1001, 7001, 200);
	i = rst_own(&f, S, 0, 7001, 0, 63, SSLV_R_NONE);
	CHECK(i.phase == SSLV_RST_DATA);
	CHECK(i.kind == SSLV_RST_KIND_BARE);
	CHECK(i.ttl == SSLV_RST_TTL_ANOMALY);
	CHECK(i.ttl_seen == 63);
	CHECK(i.ttl_expected == TTL_S);
	sslv_rst_explain(line, sizeof(line), &i);
	CHECK(strstr(line, "TTL 63 where the server's packets had 57") != NULL);
	CHECK(strstr(line, "bare RST") != NULL);
}

static void test_idle(void)
{
	struct flow f = { 0 };
	struct sslv_rst_info i;

	handshake(&f, 1000, 7000);
	tx(&f, C, P | A, 1001, 7001, 10);
	f.now += 350000;	/* an AWS NLB's 350 s */
	i = rst(&f, S, 0, 7001, 0);
	CHECK(i.causes == SSLV_RST_C_IDLE);
	CHECK(i.idle_ms == 350000);
	CHECK(explains(&i, "after 350000 ms of silence"));

	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 7000);
	f.now += SSLV_RST_IDLE_MS_DEFAULT;	/* not longer than the threshold */
	i = rst(&f, S, 0, 7001, 0);
	CHECK(!(i.causes & SSLV_RST_C_IDLE));
}

static void test_rexmit(void)
{
	struct flow f = { 0 };
	struct sslv_rst_info i;

	handshake(&f, 1000, 7000);
	tx(&f, S, P | A, 7001, 1001, 1000);
	tx(&f, S, P | A, 7001, 1001, 1000);
	tx(&f, S, P | A, 7001, 1001, 1000);
	i = rst(&f, S, A, 8001, 1001);
	CHECK(i.phase == SSLV_RST_DATA);
	CHECK(i.causes == SSLV_RST_C_REXMIT);
	CHECK(i.rexmit == 2);
	CHECK(explains(&i, "after 2 retransmissions"));
}

static void test_seq_fit(void)
{
	struct flow f = { 0 };
	struct sslv_rst_info i;

	handshake(&f, 1000, 7000);
	tx(&f, C, P | A, 1001, 7001, 100);
	tx(&f, S, A, 7001, 1101, 0);
	i = rst(&f, C, A, 1101 + 10000000, 7001);
	CHECK(i.seq_fit == SSLV_SEQ_OUTSIDE);
	CHECK(explains(&i, "ignored"));

	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 7000);
	i = rst(&f, C, A, 1001 + 100, 7001);
	CHECK(i.seq_fit == SSLV_SEQ_IN_WINDOW);
	CHECK(explains(&i, "challenge ACK"));

	/* The client's data never arrived: the server's ack is its rcv_nxt. */
	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 7000);
	tx(&f, C, P | A, 1001, 7001, 4);
	tx(&f, S, P | A, 7001, 1001, 4);
	i = rst(&f, C, 0, 1001, 0);
	CHECK(i.seq_fit == SSLV_SEQ_EXACT);
}

static void test_no_flow_and_own(void)
{
	struct flow f = { 0 };
	struct sslv_rst_info i;

	i = rst(&f, C, A, 1, 2);
	CHECK(i.phase == SSLV_RST_NO_FLOW);
	CHECK(i.sender == SSLV_RST_SENDER_UNKNOWN);
	CHECK(i.ttl == SSLV_RST_TTL_UNKNOWN);
	CHECK(i.seq_fit == SSLV_SEQ_UNKNOWN);
	CHECK(i.ttl_seen == TTL_C);

	memset(&f, 0, sizeof(f));
	handshake(&f, 1000, 7000);
	tx(&f, C, P | A, 1001, 7001, 300);
	i = rst_own(&f, S, A, 7001, 1301, TTL_S, SSLV_R_RULE);
	CHECK(i.causes == SSLV_RST_C_SSLV);
	CHECK(i.reason == SSLV_R_RULE);
	CHECK(i.ttl == SSLV_RST_TTL_MATCH);
	CHECK(i.seq_fit == SSLV_SEQ_EXACT);
	CHECK(explains(&i, "sent by sslv (rule)"));
}

static void test_labels(void)
{
	unsigned int v;

	for (v = 0; v < __SSLV_RST_PHASE_MAX; v++)
		CHECK(strcmp(sslv_rst_phase_label(v), "invalid") != 0);
	CHECK(!strcmp(sslv_rst_phase_label(SSLV_RST_FIN_RST), "fin-rst"));
	CHECK(!strcmp(sslv_rst_phase_label(__SSLV_RST_PHASE_MAX), "invalid"));
	CHECK(!strcmp(sslv_rst_sender_label(SSLV_RST_SENDER_SERVER), "server"));
	CHECK(!strcmp(sslv_rst_kind_label(SSLV_RST_KIND_BARE), "rst-bare"));
	CHECK(!strcmp(sslv_rst_ttl_label(SSLV_RST_TTL_ANOMALY), "ttl-anomaly"));
	CHECK(!strcmp(sslv_rst_seq_label(SSLV_SEQ_OUTSIDE), "seq-outside"));
	CHECK(!strcmp(sslv_rst_seq_label(99), "invalid"));
	CHECK(!strcmp(sslv_rst_cause_label(SSLV_RST_C_IDLE), "idle"));
	CHECK(!strcmp(sslv_rst_cause_label(SSLV_RST_C_IDLE | SSLV_RST_C_SSLV),
		      "invalid"));
	CHECK(!strcmp(sslv_rst_reason_label(SSLV_R_OPERATOR), "operator"));
	CHECK(!strcmp(sslv_rst_reason_label(__SSLV_R_MAX), "invalid"));
}

static void test_explain_bounds(void)
{
	struct sslv_rst_info i = {
		.phase = SSLV_RST_DATA, .sender = SSLV_RST_SENDER_CLIENT,
		.kind = SSLV_RST_KIND_BARE, .ttl = SSLV_RST_TTL_ANOMALY,
		.ttl_seen = 255, .ttl_expected = 64,
		.seq_fit = SSLV_SEQ_OUTSIDE,
		.causes = SSLV_RST_C_IDLE | SSLV_RST_C_REXMIT | SSLV_RST_C_SSLV,
		.reason = 200, .rexmit = 255, .idle_ms = 4294967295u,
	};
	char full[1024], small[17];
	int need;

	need = sslv_rst_explain(full, sizeof(full), &i);
	CHECK(need > 0 && (size_t)need == strlen(full));
	CHECK(strstr(full, "4294967295 ms") != NULL);
	CHECK(strstr(full, "(invalid)") != NULL);

	memset(small, 'x', sizeof(small));
	CHECK(sslv_rst_explain(small, 16, &i) == need);
	CHECK(small[15] == '\0' && strlen(small) == 15);
	CHECK(small[16] == 'x');
	CHECK(!strncmp(small, full, 15));

	small[0] = 'x';
	CHECK(sslv_rst_explain(small, 0, &i) == need);
	CHECK(small[0] == 'x');
}

int main(void)
{
	test_refused_syn();
	test_syn_scan();
	test_connect_scan();
	test_linger_abort();
	test_seed_001();
	test_teardown();
	test_forged_ttl();
	test_idle();
	test_rexmit();
	test_seq_fit();
	test_no_flow_and_own();
	test_labels();
	test_explain_bounds();
	return unit_done();
}
