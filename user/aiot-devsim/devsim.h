/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aiot-devsim: many simulated AIoT devices on one interface.  The
 * protocol state machine is user/lib/devsim_fsm.c; this program adds the
 * devices file, the AF_PACKET transport with loss and reorder injection,
 * the event loop and the report.
 */
#ifndef AIOT_DEVSIM_H
#define AIOT_DEVSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devsim_fsm.h"

#define ETH_P_AIOT	0x88b5

/* ---- io.c --------------------------------------------------------------- */

struct held_frame {
	uint64_t due;
	uint16_t len;
	uint8_t buf[14 + DSIM_FRAME_MAX];
};

struct io {
	int fd;
	int ifindex;
	uint8_t mac[6];
	double loss, reorder;	/* probabilities, 0 to 1 */
	uint64_t rng;
	uint64_t now;
	struct held_frame *held;	/* reorder: frames sent later */
	size_t nheld, capheld;
	/* counters */
	unsigned long tx, tx_err, tx_lost, tx_delayed;
	unsigned long rx, rx_lost, rx_short, rx_otherhost;
};

int io_open(struct io *io, const char *ifname, double loss, double reorder,
	    uint64_t seed);
void io_close(struct io *io);
/* @frame to @dst, the reader's address (NULL: broadcast) */
void io_send(struct io *io, const uint8_t *dst, const uint8_t *frame,
	     size_t len);
/* Read every frame waiting and pass it to @s. */
void io_recv(struct io *io, struct dsim *s);
/* Send the held frames that are due. */
void io_flush(struct io *io);
uint64_t io_next_deadline(const struct io *io);
uint64_t io_rand(struct io *io);
double io_uniform(struct io *io);

/* ---- devices.c ------------------------------------------------------------ */

/*
 * Read the devices CSV (pid,k_hex,opc_hex,profile,tid_hex[,amf_hex]) and
 * set up @s with the first @count devices (0: all).  Messages on stderr.
 */
int devices_load(const char *path, size_t count, struct dsim *s,
		 const struct dsim_config *cfg, const struct dsim_ops *ops,
		 void *arg);
/* --state: pid,tid_hex,sqn_max per line */
int state_load(const char *path, struct dsim *s);
int state_save(const char *path, const struct dsim *s);
int read_key32(const char *path, uint8_t key[32]);

/* ---- report.c --------------------------------------------------------------- */

struct report_info {
	const char *dev;
	const char *attack;
	uint64_t seed;
	double elapsed, cpu;
	double loss, reorder;
	bool strict_tid;
	const struct io *io;
};

void report_device_line(const struct dsim *s, const struct dsim_dev *d,
			bool strict_tid);
void report_text(const struct dsim *s, const struct dsim_totals *t,
		 const struct report_info *ri, bool verbose);
void report_json(const struct dsim *s, const struct dsim_totals *t,
		 const struct report_info *ri, bool verbose);

#endif /* AIOT_DEVSIM_H */
