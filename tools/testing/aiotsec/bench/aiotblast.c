// SPDX-License-Identifier: GPL-2.0
/*
 * aiotblast: send one given Ethernet frame on a device, over and over, as
 * fast as a packet socket allows, for a fixed time.  The benchmark uses it
 * to flood a receiving aiotsec link with frames it must reject (unknown
 * session, bad MAC), which pktgen cannot build.
 *
 *   aiotblast -i IFACE [-d SECONDS] [-m mmsg|ring] [-b BATCH] [-j] HEXFRAME
 *
 * -m mmsg (default): sendmmsg() of BATCH (default 256) copies of the frame
 *    per system call; the kernel builds one linear skb per frame, as a NIC
 *    driver does for small frames.
 * -m ring: a PACKET_TX_RING of BATCH slots, all holding the frame, flushed
 *    with one send() each round; skbs carry the frame body as page
 *    fragments of the ring (zero copy).
 * Both bypass the qdisc (PACKET_QDISC_BYPASS).  Prints the frames sent,
 * the time and the rate (JSON with -j).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FRAME	2048
#define MAX_BATCH	4096

static uint8_t frame[MAX_FRAME];
static size_t frame_len;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: aiotblast -i IFACE [-d SECONDS] [-m mmsg|ring] [-b BATCH] [-j] HEXFRAME\n"
		"Send the Ethernet frame HEXFRAME on IFACE as fast as possible for SECONDS\n"
		"(default 3); BATCH frames per system call (default 256, at most %d).\n",
		MAX_BATCH);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int parse_hex(const char *s)
{
	size_t n = strlen(s), i;

	if (n % 2 || n / 2 > MAX_FRAME || n / 2 < ETH_HLEN)
		return -1;
	for (i = 0; i < n / 2; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		frame[i] = b;
	}
	frame_len = n / 2;
	return 0;
}

static int open_socket(const char *iface)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd, one = 1;

	sll.sll_ifindex = if_nametoindex(iface);
	if (!sll.sll_ifindex) {
		fprintf(stderr, "aiotblast: no device %s\n", iface);
		exit(2);
	}
	/* protocol 0: a send-only socket, no receive hook */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("aiotblast: packet socket");
		exit(1);
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		perror("aiotblast: PACKET_QDISC_BYPASS (going on without)");
	return fd;
}

static unsigned long blast_mmsg(int fd, unsigned int batch, double end)
{
	static struct mmsghdr msgs[MAX_BATCH];
	struct iovec iov = { .iov_base = frame, .iov_len = frame_len };
	unsigned long sent = 0;
	unsigned int i;

	for (i = 0; i < batch; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (now() < end) {
		int n = sendmmsg(fd, msgs, batch, 0);

		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN ||
			    errno == EINTR)
				continue;
			perror("aiotblast: sendmmsg");
			exit(1);
		}
		sent += n;
	}
	return sent;
}

static unsigned long blast_ring(int fd, unsigned int batch, double end)
{
	unsigned int fsize = 4096, i;
	struct tpacket_req req = {
		.tp_block_size = fsize,
		.tp_frame_size = fsize,
		.tp_block_nr = batch,
		.tp_frame_nr = batch,
	};
	int ver = TPACKET_V2;
	unsigned long sent = 0;
	uint8_t *ring;

	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req))) {
		perror("aiotblast: PACKET_TX_RING");
		exit(1);
	}
	ring = mmap(NULL, (size_t)fsize * batch, PROT_READ | PROT_WRITE,
		    MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED) {
		perror("aiotblast: mmap");
		exit(1);
	}
	for (i = 0; i < batch; i++) {
		uint8_t *slot = ring + (size_t)i * fsize;

		memcpy(slot + TPACKET2_HDRLEN - sizeof(struct sockaddr_ll),
		       frame, frame_len);
	}
	while (now() < end) {
		unsigned int queued = 0;

		for (i = 0; i < batch; i++) {
			struct tpacket2_hdr *h =
				(void *)(ring + (size_t)i * fsize);

			if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) !=
			    TP_STATUS_AVAILABLE)
				continue;
			h->tp_len = frame_len;
			__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST,
					 __ATOMIC_RELEASE);
			queued++;
		}
		if (!queued) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			poll(&p, 1, 10);
			continue;
		}
		if (send(fd, NULL, 0, 0) < 0 && errno != ENOBUFS &&
		    errno != EAGAIN && errno != EINTR) {
			perror("aiotblast: send");
			exit(1);
		}
		sent += queued;
	}
	munmap(ring, (size_t)fsize * batch);
	return sent;
}

int main(int argc, char **argv)
{
	const char *iface = NULL, *mode = "mmsg";
	unsigned int batch = 256;
	double secs = 3, t0, t;
	unsigned long sent;
	bool json = false;
	int c, fd;

	while ((c = getopt(argc, argv, "i:d:m:b:jh")) != -1) {
		switch (c) {
		case 'i':
			iface = optarg;
			break;
		case 'd':
			secs = atof(optarg);
			break;
		case 'm':
			mode = optarg;
			break;
		case 'b':
			batch = atoi(optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!iface || optind != argc - 1 || secs <= 0 || !batch ||
	    batch > MAX_BATCH ||
	    (strcmp(mode, "mmsg") && strcmp(mode, "ring"))) {
		usage(stderr);
		return 2;
	}
	if (parse_hex(argv[optind])) {
		fprintf(stderr, "aiotblast: bad frame (hex, %d to %d octets)\n",
			ETH_HLEN, MAX_FRAME);
		return 2;
	}
	fd = open_socket(iface);
	t0 = now();
	if (!strcmp(mode, "ring"))
		sent = blast_ring(fd, batch, t0 + secs);
	else
		sent = blast_mmsg(fd, batch, t0 + secs);
	t = now() - t0;
	close(fd);
	if (json)
		printf("{\"mode\":\"%s\",\"sent\":%lu,\"seconds\":%.6f,\"pps\":%.0f}\n",
		       mode, sent, t, sent / t);
	else
		printf("%s: sent %lu frames in %.3f s: %.0f pps\n", mode, sent,
		       t, sent / t);
	return 0;
}
