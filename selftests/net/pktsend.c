// SPDX-License-Identifier: GPL-2.0
/*
 * pktsend IFACE PCAP: send every frame of PCAP (classic pcap, Ethernet) out
 * of IFACE as fast as the kernel takes them, in batches of sendmmsg() on one
 * AF_PACKET socket. Prints "sent N frames in S s (R frames/s)" on stdout;
 * exits 1 on any error, naming it, with nothing sent after it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH	256
#define SNAP	65536

struct pcap_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t zone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec {
	uint32_t sec, usec, caplen, len;
};

static void die(const char *what)
{
	fprintf(stderr, "pktsend: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void bad(const char *what)
{
	fprintf(stderr, "pktsend: %s\n", what);
	exit(1);
}

int main(int argc, char **argv)
{
	static unsigned char buf[BATCH][SNAP];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	struct timespec t0, t1;
	unsigned long sent = 0;
	struct pcap_hdr gh;
	struct pcap_rec rh;
	int fd, n = 0, i, done = 0;
	double secs;
	FILE *f;

	if (argc != 3)
		bad("usage: pktsend IFACE PCAP");
	f = fopen(argv[2], "rb");
	if (!f)
		die(argv[2]);
	if (fread(&gh, sizeof(gh), 1, f) != 1 || gh.magic != 0xa1b2c3d4 ||
	    gh.linktype != 1)
		bad("not a little-endian Ethernet pcap file");
	sll.sll_ifindex = if_nametoindex(argv[1]);
	if (!sll.sll_ifindex)
		die(argv[1]);
	sll.sll_protocol = htons(ETH_P_ALL);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die("socket");
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		die("bind");

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!done) {
		for (n = 0; n < BATCH; n++) {
			if (fread(&rh, sizeof(rh), 1, f) != 1) {
				done = 1;
				break;
			}
			if (rh.caplen > SNAP || rh.caplen != rh.len)
				bad("a frame is truncated or too long");
			if (fread(buf[n], rh.caplen, 1, f) != 1)
				bad("the file ends inside a frame");
			iov[n].iov_base = buf[n];
			iov[n].iov_len = rh.caplen;
			memset(&msg[n], 0, sizeof(msg[n]));
			msg[n].msg_hdr.msg_iov = &iov[n];
			msg[n].msg_hdr.msg_iovlen = 1;
		}
		for (i = 0; i < n;) {
			int r = sendmmsg(fd, msg + i, n - i, 0);

			if (r < 0) {
				if (errno == ENOBUFS || errno == EAGAIN)
					continue;
				die("sendmmsg");
			}
			i += r;
			sent += r;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("sent %lu frames in %.3f s (%.0f frames/s)\n", sent, secs,
	       secs > 0 ? sent / secs : 0);
	return 0;
}
