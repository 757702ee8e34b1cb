// SPDX-License-Identifier: GPL-2.0
/*
 * A traffic generator for the datapath benchmarks: minimum-size IPv4/TCP
 * frames (60 bytes, 64 on the wire) written to an interface with AF_PACKET
 * sendmmsg, as fast as the kernel takes them.
 *
 *	flood IFNAME DST_MAC SRC_IP DST_IP ack FLOWS SECONDS
 *	flood IFNAME DST_MAC SRC_IP DST_IP syn COUNT|0 SECONDS
 *
 * "ack": pure ACK segments of FLOWS fixed connections (source ports 10000
 * up), round robin, for SECONDS: the steady state of established flows.
 * "syn": SYNs, each of a connection never seen before: source port
 * 1024..65535, then the next source address (SRC_IP + 1, ...), so that a
 * million are distinct. Stops after COUNT frames, or after SECONDS.
 *
 * Prints "sent N seconds S": the frames the kernel accepted and the time.
 */
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FRAME		60
#define BATCH		64
#define PORTS		(65536 - 1024)

struct frame {
	struct ether_header eth;
	struct iphdr ip;
	struct tcphdr tcp;
	uint8_t pad[FRAME - 54];
} __attribute__((packed));

struct gen {
	uint32_t src, dst;	/* host order */
	int syn;
	uint32_t flows;
	uint64_t n;		/* frames built so far */
};

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t sum16(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	return sum;
}

/* Frame number gen->n: addresses, ports and both checksums. */
static void build(struct gen *g, struct frame *f)
{
	uint32_t src = g->src, sum;
	uint16_t sport;

	if (g->syn) {
		sport = (uint16_t)(1024 + g->n % PORTS);
		src += (uint32_t)(g->n / PORTS);
	} else {
		sport = (uint16_t)(10000 + g->n % g->flows);
	}
	g->n++;

	f->ip.saddr = htonl(src);
	f->ip.check = 0;
	f->ip.check = htons(fold(sum16(&f->ip, sizeof(f->ip), 0)));
	f->tcp.source = htons(sport);
	f->tcp.check = 0;
	sum = sum16(&f->ip.saddr, 8, IPPROTO_TCP + sizeof(f->tcp));
	f->tcp.check = htons(fold(sum16(&f->tcp, sizeof(f->tcp), sum)));
}

static void template(struct frame *f, const uint8_t smac[6],
		     const uint8_t dmac[6], const struct gen *g)
{
	memset(f, 0, sizeof(*f));
	memcpy(f->eth.ether_dhost, dmac, 6);
	memcpy(f->eth.ether_shost, smac, 6);
	f->eth.ether_type = htons(ETHERTYPE_IP);
	f->ip.version = 4;
	f->ip.ihl = 5;
	f->ip.tot_len = htons(sizeof(f->ip) + sizeof(f->tcp));
	f->ip.frag_off = htons(IP_DF);
	f->ip.ttl = 64;
	f->ip.protocol = IPPROTO_TCP;
	f->ip.daddr = htonl(g->dst);
	f->tcp.dest = htons(5001);
	f->tcp.seq = htonl(1000);
	f->tcp.doff = 5;
	f->tcp.window = htons(65535);
	if (g->syn) {
		f->tcp.syn = 1;
	} else {
		f->tcp.ack = 1;
		f->tcp.ack_seq = htonl(2000);
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int usage(void)
{
	fprintf(stderr, "usage: flood IFNAME DST_MAC SRC_IP DST_IP ack FLOWS SECONDS\n"
			"       flood IFNAME DST_MAC SRC_IP DST_IP syn COUNT|0 SECONDS\n");
	return 2;
}

int main(int argc, char **argv)
{
	static struct frame frames[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct gen g = { 0 };
	struct in_addr a;
	struct ifreq ifr;
	uint8_t dmac[6];
	uint64_t count, sent = 0;
	double t0, end, secs;
	int fd, i, one = 1;

	if (argc != 8 || sscanf(argv[2], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &dmac[0],
				&dmac[1], &dmac[2], &dmac[3], &dmac[4], &dmac[5]) != 6)
		return usage();
	if (!inet_pton(AF_INET, argv[3], &a))
		return usage();
	g.src = ntohl(a.s_addr);
	if (!inet_pton(AF_INET, argv[4], &a))
		return usage();
	g.dst = ntohl(a.s_addr);
	g.syn = !strcmp(argv[5], "syn");
	if (!g.syn && strcmp(argv[5], "ack"))
		return usage();
	count = strtoull(argv[6], NULL, 0);
	g.flows = count ? (uint32_t)count : 1;
	if (!g.syn)
		count = 0;
	secs = atof(argv[7]);

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror(argv[1]);
		return 1;
	}
	sll.sll_ifindex = (int)if_nametoindex(argv[1]);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, dmac, 6);
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));

	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		template(&frames[i], (uint8_t *)ifr.ifr_hwaddr.sa_data, dmac, &g);
		iov[i].iov_base = &frames[i];
		iov[i].iov_len = FRAME;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &sll;
		msgs[i].msg_hdr.msg_namelen = sizeof(sll);
	}

	t0 = now();
	end = t0 + secs;
	while (now() < end && (!count || sent < count)) {
		int n = BATCH, r;

		if (count && count - sent < BATCH)
			n = (int)(count - sent);
		g.n = sent;
		for (i = 0; i < n; i++)
			build(&g, &frames[i]);
		r = sendmmsg(fd, msgs, (unsigned int)n, 0);
		if (r < 0) {
			perror("sendmmsg");
			return 1;
		}
		sent += (uint64_t)r;
	}
	printf("sent %llu seconds %.3f\n", (unsigned long long)sent, now() - t0);
	close(fd);
	return 0;
}
