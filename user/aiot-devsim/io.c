// SPDX-License-Identifier: GPL-2.0
/*
 * aiot-devsim transport: one AF_PACKET socket bound to ethertype 0x88b5
 * on the simulator's interface, for every device.  Frames go to the
 * reader's address once a frame from it was seen, to broadcast before.
 * Loss and reorder are injected here: a lost frame is not sent (or not
 * passed on when received); a reordered one is held back 5 to 50 ms, so
 * that frames sent after it overtake it.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "devsim.h"

uint64_t io_rand(struct io *io)
{
	/* xorshift64* */
	uint64_t x = io->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	io->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

double io_uniform(struct io *io)
{
	return (double)(io_rand(io) >> 11) / (double)(1ULL << 53);
}

int io_open(struct io *io, const char *ifname, double loss, double reorder,
	    uint64_t seed)
{
	struct sockaddr_ll sll;
	struct ifreq ifr;
	int one = 1, buf = 8 << 20;

	memset(io, 0, sizeof(*io));
	io->loss = loss;
	io->reorder = reorder;
	io->rng = seed ? seed : 0x9e3779b97f4a7c15ULL;

	io->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC,
			htons(ETH_P_AIOT));
	if (io->fd < 0) {
		fprintf(stderr, "aiot-devsim: packet socket: %s\n",
			strerror(errno));
		return -1;
	}
	io->ifindex = (int)if_nametoindex(ifname);
	if (!io->ifindex) {
		fprintf(stderr, "aiot-devsim: %s: %s\n", ifname,
			strerror(errno));
		goto err;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(io->fd, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "aiot-devsim: %s: hardware address: %s\n",
			ifname, strerror(errno));
		goto err;
	}
	memcpy(io->mac, ifr.ifr_hwaddr.sa_data, 6);

	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_AIOT);
	sll.sll_ifindex = io->ifindex;
	if (bind(io->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		fprintf(stderr, "aiot-devsim: bind %s: %s\n", ifname,
			strerror(errno));
		goto err;
	}
	/* bursts of a thousand answers must not overflow the socket */
	if (setsockopt(io->fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf,
		       sizeof(buf)) < 0)
		setsockopt(io->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(io->fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf,
		       sizeof(buf)) < 0)
		setsockopt(io->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
#ifdef PACKET_IGNORE_OUTGOING
	setsockopt(io->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one,
		   sizeof(one));
#endif
	(void)one;
	return 0;
err:
	close(io->fd);
	io->fd = -1;
	return -1;
}

void io_close(struct io *io)
{
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
	free(io->held);
	io->held = NULL;
}

static void xmit(struct io *io, const uint8_t *eth, size_t len)
{
	ssize_t n;

	for (;;) {
		n = send(io->fd, eth, len, 0);
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n < 0)
		io->tx_err++;
	else
		io->tx++;
}

void io_send(struct io *io, const uint8_t *dst, const uint8_t *frame,
	     size_t len)
{
	static const uint8_t broadcast[6] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	uint8_t eth[14 + DSIM_FRAME_MAX];
	struct held_frame *h;

	if (len > DSIM_FRAME_MAX)
		return;
	if (io->loss > 0 && io_uniform(io) < io->loss) {
		io->tx_lost++;
		return;
	}
	memcpy(eth, dst ? dst : broadcast, 6);
	memcpy(eth + 6, io->mac, 6);
	eth[12] = ETH_P_AIOT >> 8;
	eth[13] = ETH_P_AIOT & 0xff;
	memcpy(eth + 14, frame, len);

	if (io->reorder > 0 && io_uniform(io) < io->reorder) {
		if (io->nheld == io->capheld) {
			size_t cap = io->capheld ? 2 * io->capheld : 64;
			struct held_frame *p = realloc(io->held,
						       cap * sizeof(*p));

			if (!p) {
				xmit(io, eth, 14 + len);
				return;
			}
			io->held = p;
			io->capheld = cap;
		}
		h = &io->held[io->nheld++];
		h->due = io->now + 5 + io_rand(io) % 46;
		h->len = (uint16_t)(14 + len);
		memcpy(h->buf, eth, h->len);
		io->tx_delayed++;
		return;
	}
	xmit(io, eth, 14 + len);
}

void io_flush(struct io *io)
{
	size_t i = 0;

	while (i < io->nheld) {
		if (io->held[i].due <= io->now) {
			xmit(io, io->held[i].buf, io->held[i].len);
			io->held[i] = io->held[--io->nheld];
		} else {
			i++;
		}
	}
}

uint64_t io_next_deadline(const struct io *io)
{
	uint64_t t = DSIM_NO_DEADLINE;
	size_t i;

	for (i = 0; i < io->nheld; i++)
		if (io->held[i].due < t)
			t = io->held[i].due;
	return t;
}

void io_recv(struct io *io, struct dsim *s)
{
	uint8_t buf[2048];
	struct sockaddr_ll from;
	socklen_t fl;
	ssize_t n;
	int budget = 4096;

	while (budget-- > 0) {
		fl = sizeof(from);
		n = recvfrom(io->fd, buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		/* a radio hears all, but takes what is addressed to it */
		if (from.sll_pkttype == PACKET_OTHERHOST) {
			io->rx_otherhost++;
			continue;
		}
		if (n < 14 + AIOT_HDR_MIN ||
		    buf[12] != (ETH_P_AIOT >> 8) ||
		    buf[13] != (ETH_P_AIOT & 0xff)) {
			io->rx_short++;
			continue;
		}
		/* downlink frames only: the reader's (D bit of octet 0) */
		if (!(buf[14] & AIOT_HDR_DOWN))
			continue;
		io->rx++;
		if (io->loss > 0 && io_uniform(io) < io->loss) {
			io->rx_lost++;
			continue;
		}
		/* a group address is no reader's */
		dsim_rx(s, buf + 14, (size_t)n - 14,
			buf[6] & 1 ? NULL : buf + 6, io->now);
	}
}
