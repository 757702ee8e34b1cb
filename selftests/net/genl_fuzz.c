// SPDX-License-Identifier: GPL-2.0
/*
 * genl_fuzz: random and mutated requests to the "sslv" generic netlink
 * family, from one raw netlink socket.
 *
 *   genl_fuzz [-n COUNT] [-s SEED] [-r]
 *
 * Each request has the family's id and a random command (mostly a real
 * one), random flags, a random genl header, and either random attributes
 * (top level and nested, valid types and not, typed values and random
 * bytes, bad lengths) or a valid request from a small corpus, mutated
 * (bytes flipped, attributes added, duplicated or cut short, lengths
 * changed). Every reply is read, dumps to their end.
 *
 * With -r every request that could change the namespace's configuration
 * ends with a poison that makes the kernel refuse it: a last rule without
 * an action, an id or a set name that does not exist, a bad domain name,
 * or an unknown attribute; commits are sent as they are (a socket that
 * staged nothing commits nothing). The caller can then check that the
 * configuration did not change. Reads are sent as they are.
 *
 * Prints what it sent and how the kernel answered:
 *   sent N requests (B bytes), refused R, accepted A, changing C,
 *   ignored I, in S s
 * C counts accepted requests of a command that changes the configuration;
 * with -r it must be 0. I counts requests the kernel did not process (no
 * NLM_F_REQUEST, or a length that does not fit) and so did not answer.
 * Exits 0, or 1 on a socket error.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/sslv.h>

#define BUF_SIZE	4096
#define RECV_SIZE	65536

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static bool chance(uint32_t percent)
{
	return below(100) < percent;
}

struct msg {
	uint8_t buf[BUF_SIZE];
	uint32_t len;
};

static struct nlattr *put(struct msg *m, uint16_t type, const void *data,
			  uint32_t len)
{
	struct nlattr *a = (struct nlattr *)(m->buf + m->len);
	uint32_t room = NLA_ALIGN(NLA_HDRLEN + len);

	if (m->len + room > BUF_SIZE)
		return NULL;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (data)
		memcpy((uint8_t *)a + NLA_HDRLEN, data, len);
	memset((uint8_t *)a + NLA_HDRLEN + len, 0, room - NLA_HDRLEN - len);
	m->len += room;
	return a;
}

static void put_u8(struct msg *m, uint16_t type, uint8_t v)
{
	put(m, type, &v, 1);
}

static void put_u16(struct msg *m, uint16_t type, uint16_t v)
{
	put(m, type, &v, 2);
}

static void put_u32(struct msg *m, uint16_t type, uint32_t v)
{
	put(m, type, &v, 4);
}

static void put_str(struct msg *m, uint16_t type, const char *s)
{
	put(m, type, s, strlen(s) + 1);
}

static struct nlattr *nest_start(struct msg *m, uint16_t type)
{
	return put(m, type | NLA_F_NESTED, NULL, 0);
}

static void nest_end(struct msg *m, struct nlattr *nest)
{
	if (nest)
		nest->nla_len = m->buf + m->len - (uint8_t *)nest;
}

/* ---- random attributes ---------------------------------------------- */

static const char *const words[] = {
	"example.com", "*.example.org", "a..b", "*", "*.*.x", "x.", "", "h2",
	"http/1.1", "corp", "blk", "no-such-set", "-bad", "a b", ".",
	"xn--bcher-kva.example", "0123456789012345678901234567890123",
};

static void random_string(char *s, uint32_t max)
{
	uint32_t i, n;

	if (chance(50)) {
		snprintf(s, max, "%s", words[below(sizeof(words) /
						   sizeof(words[0]))]);
		return;
	}
	n = below(max);
	for (i = 0; i < n; i++)
		s[i] = chance(80) ? "abcxyz.-*_09"[below(12)] : (char)rnd();
	s[n] = '\0';
}

static uint32_t edge32(void)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 4, 6, 17, 22, 23, 32, 128, 255, 256, 443, 4094,
		4095, 65535, 65536, 864000, 864001, 1U << 24, (1U << 24) + 1,
		0x7fffffff, 0x80000000, 0xffffffff,
	};

	return chance(70) ? v[below(sizeof(v) / sizeof(v[0]))] : (uint32_t)rnd();
}

/* One attribute of a random type in [0, maxtype + 3), random content. */
static void random_attr(struct msg *m, uint32_t maxtype, int depth);

static void random_nest(struct msg *m, uint16_t type, uint32_t maxtype,
			int depth)
{
	struct nlattr *nest = nest_start(m, type);
	uint32_t i, n = below(8);

	for (i = 0; nest && i < n; i++)
		random_attr(m, maxtype, depth + 1);
	nest_end(m, nest);
}

static void random_attr(struct msg *m, uint32_t maxtype, int depth)
{
	uint16_t type = below(maxtype + 3);
	uint8_t bytes[300];
	char s[300];
	uint32_t len, i;

	if (chance(3))
		type = rnd();			/* any type, any flag bits */
	else if (chance(5))
		type |= NLA_F_NESTED;
	if (depth < 3 && chance(15)) {
		random_nest(m, type, chance(50) ? SSLV_RULE_MAX : SSLV_FLOW_MAX,
			    depth);
		return;
	}
	switch (below(6)) {
	case 0:
		put_u8(m, type, edge32());
		break;
	case 1:
		put_u16(m, type, edge32());
		break;
	case 2:
		put_u32(m, type, edge32());
		break;
	case 3:
		random_string(s, chance(90) ? 40 : sizeof(s) - 1);
		if (chance(80))
			put_str(m, type, s);
		else
			put(m, type, s, strlen(s));	/* no NUL */
		break;
	default:
		len = chance(90) ? below(24) : below(sizeof(bytes));
		for (i = 0; i < len; i++)
			bytes[i] = rnd();
		put(m, type, bytes, len);
		break;
	}
}

/* ---- valid requests, to mutate -------------------------------------- */

static void rule_nest(struct msg *m, bool action)
{
	struct nlattr *nest = nest_start(m, SSLV_A_RULE);
	uint8_t addr[16] = { 10, 9, (uint8_t)below(256) };

	switch (below(4)) {
	case 0:
		put_u8(m, SSLV_RULE_FAMILY, 2);
		put(m, SSLV_RULE_DST, addr, 4);
		put_u8(m, SSLV_RULE_DST_LEN, 24);
		break;
	case 1:
		put_u8(m, SSLV_RULE_FAMILY, 10);
		addr[0] = 0xfd;
		put(m, SSLV_RULE_SRC, addr, 16);
		put_u8(m, SSLV_RULE_SRC_LEN, 64);
		break;
	case 2:
		put_u16(m, SSLV_RULE_DPORT_MIN, 443);
		put_str(m, SSLV_RULE_SNI, "*.example.com");
		put_str(m, SSLV_RULE_ALPN, "h2");
		break;
	default:
		put_u16(m, SSLV_RULE_SPORT_MIN, 1000);
		put_u16(m, SSLV_RULE_SPORT_MAX, 2000);
		put_u16(m, SSLV_RULE_VLAN, 20);
		put_u16(m, SSLV_RULE_TLS_VER_MIN, 0x0301);
		put_u16(m, SSLV_RULE_TLS_VER_MAX, 0x0303);
		put_u32(m, SSLV_RULE_UNDECRYPTABLE, SSLV_UD_ALL);
		break;
	}
	if (action)
		put_u8(m, SSLV_RULE_ACTION, below(3));
	nest_end(m, nest);
}

/* A valid request's attributes for @cmd. */
static void valid_attrs(struct msg *m, uint8_t cmd)
{
	struct nlattr *nest;
	uint32_t i, n;

	switch (cmd) {
	case SSLV_CMD_MODE_SET:
		put_u8(m, SSLV_A_MODE, below(2));
		break;
	case SSLV_CMD_CONFIG_SET:
		put_u32(m, SSLV_A_MAX_FLOWS, 1 + below(100000));
		put_u32(m, SSLV_A_TIMEOUT_ESTABLISHED, 1 + below(7200));
		put_u8(m, SSLV_A_CLIENT_CERT, below(3));
		break;
	case SSLV_CMD_RULE_ADD:
		if (chance(50))
			put(m, SSLV_A_STAGE, NULL, 0);
		for (i = 0, n = 1 + below(4); i < n; i++)
			rule_nest(m, true);
		break;
	case SSLV_CMD_RULE_DEL:
		put_u32(m, SSLV_A_RULE_ID, 1 + below(20));
		break;
	case SSLV_CMD_RULE_FLUSH:
		if (chance(50))
			put(m, SSLV_A_STAGE, NULL, 0);
		break;
	case SSLV_CMD_FLOW_GET:
		nest = nest_start(m, SSLV_A_FLOW);
		put_u8(m, SSLV_FLOW_FAMILY, 2);
		put_u16(m, SSLV_FLOW_DPORT, 443);
		nest_end(m, nest);
		break;
	case SSLV_CMD_FLOW_REJECT:
		put_u32(m, SSLV_A_FLOW_ID, 1 + below(20));
		break;
	case SSLV_CMD_DOMSET_ADD:
		put_str(m, SSLV_A_DOMSET_NAME, chance(50) ? "corp" : "fz");
		if (chance(50))
			put(m, SSLV_A_STAGE, NULL, 0);
		for (i = 0, n = below(5); i < n; i++)
			put_str(m, SSLV_A_DOMAIN, words[below(3)]);
		break;
	case SSLV_CMD_DOMSET_COMMIT:
	case SSLV_CMD_DOMSET_DEL:
		put_str(m, SSLV_A_DOMSET_NAME, chance(50) ? "corp" : "fz");
		break;
	default:
		break;
	}
}

/* Spoil the attributes from @from on in place, a little. */
static void mutate(struct msg *m, uint32_t from)
{
	uint32_t i, n = 1 + below(4), at;

	for (i = 0; i < n && m->len > from; i++) {
		at = from + below(m->len - from);
		switch (below(5)) {
		case 0:
			m->buf[at] ^= 1 << below(8);
			break;
		case 1:
			m->buf[at] = rnd();
			break;
		case 2:		/* cut short */
			m->len = from + below(m->len - from);
			break;
		case 3:		/* one more attribute */
			random_attr(m, SSLV_A_MAX, 0);
			break;
		default:	/* the first attribute again */
			if (m->len - from <= BUF_SIZE - m->len &&
			    chance(50)) {
				memcpy(m->buf + m->len, m->buf + from,
				       m->len - from);
				m->len += m->len - from;
			}
			break;
		}
	}
}

/* ---- what changes the configuration, and its poison ------------------- */

static bool changes_config(uint8_t cmd)
{
	switch (cmd) {
	case SSLV_CMD_MODE_SET:
	case SSLV_CMD_CONFIG_SET:
	case SSLV_CMD_RULE_ADD:
	case SSLV_CMD_RULE_DEL:
	case SSLV_CMD_RULE_FLUSH:
	case SSLV_CMD_RULE_COMMIT:
	case SSLV_CMD_FLOW_REJECT:
	case SSLV_CMD_STATS_RESET:
	case SSLV_CMD_DOMSET_ADD:
	case SSLV_CMD_DOMSET_COMMIT:
	case SSLV_CMD_DOMSET_DEL:
		return true;
	}
	return false;
}

/* The last attributes of a request the kernel must refuse. */
static void poison(struct msg *m, uint8_t cmd)
{
	switch (cmd) {
	case SSLV_CMD_RULE_ADD:
		rule_nest(m, false);		/* a rule needs an action */
		break;
	case SSLV_CMD_RULE_DEL:
		put_u32(m, SSLV_A_RULE_ID, 0x7fffffff);
		break;
	case SSLV_CMD_FLOW_REJECT:
		put_u32(m, SSLV_A_FLOW_ID, 0x7fffffff);
		break;
	case SSLV_CMD_DOMSET_DEL:
		put_str(m, SSLV_A_DOMSET_NAME, "no-such-set");
		break;
	case SSLV_CMD_DOMSET_ADD:
		put_str(m, SSLV_A_DOMAIN, "a..b");
		break;
	case SSLV_CMD_RULE_COMMIT:
	case SSLV_CMD_DOMSET_COMMIT:
		break;				/* nothing staged: refused */
	default:
		put_u8(m, SSLV_A_MAX + 1, 0);	/* unknown attribute */
		break;
	}
}

/* ---- one request ------------------------------------------------------ */

static uint8_t random_cmd(void)
{
	if (chance(90))
		return 1 + below(SSLV_CMD_MAX);
	return rnd();
}

static uint16_t random_flags(void)
{
	uint16_t f = NLM_F_REQUEST | NLM_F_ACK;

	if (chance(10))
		f |= NLM_F_DUMP;
	if (chance(5))
		f |= NLM_F_ECHO;
	if (chance(5))
		f |= 1 << below(16);
	if (chance(2))
		f &= ~NLM_F_REQUEST;
	return f;
}

/* Build one request into @m: its command and whether it is processed. */
static uint8_t build(struct msg *m, uint16_t family, uint32_t seq,
		     bool refuse)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	uint8_t cmd = random_cmd();
	uint32_t from = NLMSG_HDRLEN + GENL_HDRLEN, i, n;

	memset(m->buf, 0, from);
	m->len = from;
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = random_flags();
	nlh->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = chance(95) ? SSLV_GENL_VERSION : rnd();
	g->reserved = chance(97) ? 0 : rnd();

	if (chance(50)) {
		valid_attrs(m, cmd);
		mutate(m, from);
	} else {
		for (i = 0, n = below(9); i < n; i++)
			random_attr(m, SSLV_A_MAX, 0);
	}
	if (refuse && changes_config(cmd)) {
		uint32_t at = from;

		/*
		 * The poison must be read as a top-level attribute of its
		 * own: walk what is before it. An attribute too short stops
		 * the kernel's walk too (and the request is refused); one
		 * that would swallow the poison is dropped with the rest.
		 */
		while (at + NLA_HDRLEN <= m->len) {
			uint16_t len = ((struct nlattr *)(m->buf + at))->nla_len;

			if (len < NLA_HDRLEN)
				break;
			at += NLA_ALIGN(len);
		}
		if (at != m->len && !(at < m->len && at + NLA_HDRLEN > m->len))
			m->len = from;
		else if (at > m->len || (m->len - from) % NLA_ALIGNTO)
			m->len = from;
		poison(m, cmd);
	} else if (chance(3)) {
		m->len = from + below(m->len - from + 1);	/* torn */
	}
	nlh->nlmsg_len = m->len;
	if (!refuse && chance(2))
		nlh->nlmsg_len = below(m->len + 8);		/* lying */
	return cmd;
}

/* ---- the socket ------------------------------------------------------- */

static int nl_open(void)
{
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("genl_fuzz: socket");
		exit(1);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

/*
 * Read every reply to request @seq: 0 accepted (ACK 0 or a dump's end),
 * a negative errno refused, 1 when nothing came at all.
 */
static int replies(int fd, uint32_t seq, uint8_t *buf)
{
	int ret = 1;

	for (;;) {
		ssize_t n = recv(fd, buf, RECV_SIZE, MSG_DONTWAIT);
		struct nlmsghdr *nlh;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return ret;
			if (errno == ENOBUFS)
				continue;
			perror("genl_fuzz: recv");
			exit(1);
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, (size_t)n);
		     nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				if (e->error || ret == 1)
					ret = e->error;
			} else if (nlh->nlmsg_type == NLMSG_DONE ||
				   ret == 1) {
				ret = 0;
			}
		}
	}
}

static uint16_t family_id(int fd, uint8_t *buf)
{
	struct msg m = { .len = NLMSG_HDRLEN + GENL_HDRLEN };
	struct nlmsghdr *nlh = (struct nlmsghdr *)m.buf;
	struct genlmsghdr *g = (struct genlmsghdr *)(m.buf + NLMSG_HDRLEN);
	struct nlattr *a;
	ssize_t n;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = 1;
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	put_str(&m, CTRL_ATTR_FAMILY_NAME, SSLV_GENL_NAME);
	nlh->nlmsg_len = m.len;
	if (send(fd, m.buf, m.len, 0) < 0 || (n = recv(fd, buf, RECV_SIZE, 0)) < 0)
		goto fail;
	nlh = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(nlh, (size_t)n) || nlh->nlmsg_type != GENL_ID_CTRL)
		goto fail;
	n = nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN;
	for (a = (struct nlattr *)((uint8_t *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	     n >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= n;
	     n -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((uint8_t *)a + NLA_ALIGN(a->nla_len)))
		if (a->nla_type == CTRL_ATTR_FAMILY_ID)
			return *(uint16_t *)((uint8_t *)a + NLA_HDRLEN);
fail:
	fprintf(stderr, "genl_fuzz: no \"%s\" family\n", SSLV_GENL_NAME);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long count = 100000, i, refused = 0, accepted = 0;
	unsigned long changing = 0, ignored = 0, bytes = 0;
	static uint8_t buf[RECV_SIZE];
	bool refuse = false;
	uint16_t family;
	struct msg m;
	double start;
	int opt, fd;

	rng_state = 0x2545f4914f6cdd1dULL;
	while ((opt = getopt(argc, argv, "n:s:r")) != -1) {
		switch (opt) {
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 's':
			rng_state = strtoull(optarg, NULL, 0);
			if (!rng_state)
				rng_state = 1;
			break;
		case 'r':
			refuse = true;
			break;
		default:
			fprintf(stderr, "usage: genl_fuzz [-n COUNT] [-s SEED] [-r]\n");
			return 2;
		}
	}
	fd = nl_open();
	family = family_id(fd, buf);
	start = now();
	for (i = 0; i < count; i++) {
		uint32_t seq = i + 2;
		uint8_t cmd = build(&m, family, seq, refuse);
		bool request = ((struct nlmsghdr *)m.buf)->nlmsg_flags &
			       NLM_F_REQUEST;
		int ret;

		if (send(fd, m.buf, m.len, 0) < 0 && errno != EINVAL &&
		    errno != ENOBUFS && errno != EPERM &&
		    errno != EOPNOTSUPP) {
			perror("genl_fuzz: send");
			return 1;
		}
		bytes += m.len;
		ret = replies(fd, seq, buf);
		if (ret < 0) {
			refused++;
		} else if (ret == 1 || !request) {
			ignored++;
		} else {
			accepted++;
			if (changes_config(cmd))
				changing++;
		}
	}
	printf("sent %lu requests (%lu bytes), refused %lu, accepted %lu, changing %lu, ignored %lu, in %.1f s\n",
	       count, bytes, refused, accepted, changing, ignored,
	       now() - start);
	return 0;
}
