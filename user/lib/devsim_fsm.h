/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device side of Documentation/protocol.rst for many simulated
 * devices: one state machine per device (HELLO, CHALLENGE answer,
 * ACCEPT, T-ID-ASSIGN / T-ID-CONFIRM, protected INVENTORY, COMMAND /
 * RESPONSE, rekeys in the live SA), its retransmission timers, and the
 * demultiplexing of received frames by attempt ID (auth frames) and
 * session ID (protected frames).  No I/O and no clock: the caller passes the time in
 * milliseconds and a send callback that puts a frame (security header
 * onwards, no Ethernet header) on the air.  aiot-devsim runs it over
 * AF_PACKET; tools/testing/unit/test_devsim_fsm.c against a network made
 * of aka_net_*().
 */
#ifndef AIOTSEC_USER_DEVSIM_FSM_H
#define AIOTSEC_USER_DEVSIM_FSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aka.h"
#include "aiotframe.h"

#define DSIM_FRAME_MAX		512	/* header + body + tag on air */
#define DSIM_BODY_MAX		256	/* largest plaintext message */
#define DSIM_REPLAY_KEEP	64	/* frames kept for replay-frames */
#define DSIM_RX_WINDOW		64	/* downlink replay window */
#define DSIM_NO_DEADLINE	UINT64_MAX

enum dsim_attack {
	DSIM_ATTACK_NONE,
	DSIM_ATTACK_REPLAY,		/* old RES in a new attempt */
	DSIM_ATTACK_WRONG_KEY,		/* every device has a wrong K */
	DSIM_ATTACK_FORGED_TID,		/* random T-IDs */
	DSIM_ATTACK_REPLAY_FRAMES,	/* re-send protected inventory */
	DSIM_ATTACK_FORGED_FRAMES,	/* inventory with a wrong tag */
};

enum dsim_state {
	DSIM_IDLE,		/* not started; deadline = start time */
	DSIM_WAIT_CHALLENGE,	/* HELLO or SYNC_FAILURE sent */
	DSIM_WAIT_ACCEPT,	/* RESPONSE sent */
	DSIM_WAIT_TID,		/* ACCEPT received, SA keyed */
	DSIM_FRAMES,		/* sending inventory frames */
	DSIM_BACKOFF,		/* waiting to start another attempt */
	DSIM_LISTEN,		/* done; answers COMMAND frames */
	DSIM_DONE,		/* done, no session */
};

enum dsim_outcome {
	DSIM_OUT_NONE,
	DSIM_OUT_AUTH,		/* ACCEPT received */
	DSIM_OUT_REJECTED,	/* REJECT from the network */
	DSIM_OUT_REFUSED,	/* the device sent REJECT (mac-failure) */
	DSIM_OUT_TIMEOUT,	/* no answer after the retransmissions */
	DSIM_OUT_ERROR,		/* local failure (crypto, config) */
};

enum dsim_rekey_state {
	DSIM_RK_NONE,		/* no rekey, or the last one finished */
	DSIM_RK_WAIT_CHALLENGE,	/* HELLO sent in the SA */
	DSIM_RK_WAIT_ACCEPT,	/* RESPONSE sent in the SA */
};

struct dsim_config {
	enum dsim_attack attack;
	unsigned int frames;		/* INVENTORY frames after the T-ID */
	unsigned int frame_interval_ms;
	unsigned int rto_ms;		/* first retransmission, 1000 */
	unsigned int rto_max_ms;	/* cap of the doubling, 8000 */
	unsigned int retries;		/* retransmissions, 4 */
	unsigned int tid_wait_ms;	/* ACCEPT -> T-ID-ASSIGN */
	unsigned int backoff_ms;	/* before a new attempt (rate-limited,
					 * replay attack) */
	unsigned int rate_limited_retries;
	uint8_t ccm_tag_len;		/* aes-ccm tag: 4, 8 (default), 16 */
	bool force_mutual;		/* AKA_CAP_MUTUAL for every device */
	bool have_hn;			/* SUCI possible */
	uint8_t hn_key_id;
	uint8_t hn_pub[AKA_HN_KEY_LEN];
};

struct dsim;
struct dsim_dev;

struct dsim_ops {
	/* put @frame on the air for @d; failures are the caller's to count */
	void (*send)(void *arg, struct dsim_dev *d, const uint8_t *frame,
		     size_t len);
	/* fill @buf with random octets; NULL: RAND_bytes() */
	int (*random)(void *arg, uint8_t *buf, size_t n);
	/* optional: @d reached an outcome (called once per outcome) */
	void (*event)(void *arg, struct dsim_dev *d, const char *what);
};

struct dsim_dev {
	uint32_t idx;			/* position in dsim.devs */
	char pid[AKA_PID_MAX + 1];
	uint8_t pidlen;
	struct aka_cred cred;
	struct aka_dev_state akst;
	bool has_tid;
	uint8_t tid[AKA_TID_LEN];
	uint8_t tid_start[AKA_TID_LEN];	/* T-ID when the run started */
	bool had_tid;
	/* the reader: the sender of the last frame that verified */
	uint8_t reader[6];
	bool reader_known;

	enum dsim_state state;
	enum dsim_outcome outcome;
	uint8_t cause;			/* REJECT cause, or timeout */
	uint64_t deadline;		/* DSIM_NO_DEADLINE: none */
	size_t heap_pos;		/* position + 1 in the timer heap */

	/* the current attempt */
	bool in_att_hash;
	uint32_t attempt;
	uint8_t rand_d[AKA_RAND_LEN];
	uint8_t caps;
	bool use_suci;
	bool replay_attempt;		/* replay attack: the second attempt */
	uint8_t mode;			/* mode of the answered CHALLENGE */
	uint8_t rand_n[AKA_RAND_LEN];
	uint8_t ck[AKA_KEY_LEN], ik[AKA_KEY_LEN];
	uint8_t chal[AKA_MSG_MAX];	/* the CHALLENGE answered last */
	size_t chal_len;
	uint8_t tx[AKA_MSG_MAX + AIOT_HDR_ROOM];	/* frame to retransmit */
	size_t tx_len;
	unsigned int retx;		/* retransmissions of tx so far */
	unsigned int rl_retries;	/* rate-limited attempts restarted */
	bool suci_fallback_done;
	bool attack_done;		/* replay attack: attempt 2 started */
	bool finished;			/* counted out of dsim.unfinished */
	bool captured;			/* replay attack: RES of attempt 1 */
	uint8_t captured_res[AKA_RES_LEN];

	/* the session: two key phases, as the kernel's SA */
	bool in_sid_hash;
	bool key_ok;			/* a session is keyed */
	bool key_set[2];		/* per key phase */
	uint8_t tx_phase;		/* the phase frames are sent with */
	uint32_t sid;
	uint8_t suite, ctr_bits;
	struct aiot_key key[2];
	struct aiot_replay rp[2];
	uint64_t tx_ctr;		/* of the key of tx_phase */

	/* a rekey in the live SA, started by the network's REKEY */
	enum dsim_rekey_state rk_state;
	uint32_t rk_attempt;
	/* the attempt of the latest ACCEPT: its T-ID-ASSIGN only is taken */
	uint32_t assign_attempt;
	uint8_t rk_rand_d[AKA_RAND_LEN];
	uint8_t rk_rand_n[AKA_RAND_LEN];
	uint8_t rk_ck[AKA_KEY_LEN], rk_ik[AKA_KEY_LEN];
	uint8_t rk_chal[AKA_MSG_MAX];	/* the CHALLENGE answered last */
	size_t rk_chal_len;
	uint8_t rk_body[AKA_CTRL_MAX];	/* control body sent last */
	size_t rk_body_len;
	unsigned int frames_left;
	unsigned int replays_left;
	unsigned int nkept;
	uint8_t (*kept)[DSIM_FRAME_MAX];	/* replay-frames: copies */
	uint16_t *kept_len;

	/* results */
	bool authenticated;		/* an ACCEPT was received (ever) */
	bool tid_assigned;
	bool tid_rotated;
	unsigned int attempts, resyncs, retransmissions;
	unsigned int frames_tx, frames_rx, frames_bad, frames_replayed;
	unsigned int commands;
	unsigned int rekeys, rekeys_failed, frames_rx_data;
	uint64_t t_start, t_auth, t_end;

	struct dsim_dev *att_next, *sid_next;	/* hash chains */
};

struct dsim_totals {
	unsigned long devices, started, finished, expected;
	unsigned long authenticated, one_way, mutual, suci;
	unsigned long resyncs, retransmissions, attempts;
	unsigned long rejected[AKA_CAUSE_MAX + 1];	/* by cause */
	unsigned long refused;		/* device-side REJECT (mac-failure) */
	unsigned long timeouts, errors;
	unsigned long tid_assigned, tid_rotated, tid_missing;
	unsigned long frames_tx, frames_rx, frames_bad, frames_replayed;
	unsigned long commands;
	unsigned long rekeys, rekeys_failed, frames_rx_data;
	unsigned long auth_tx, auth_rx;
	unsigned long rx_unknown;	/* no device for the attempt / SID */
	unsigned long rx_malformed, rx_unexpected;
};

struct dsim {
	struct dsim_config cfg;
	struct dsim_ops ops;
	void *arg;
	struct dsim_dev *devs;
	size_t ndevs;
	size_t nbuckets;		/* power of two */
	struct dsim_dev **att_hash, **sid_hash;
	struct dsim_dev **heap;
	size_t heap_len;
	size_t unfinished;		/* devices started or to start */
	struct dsim_totals tot;		/* counters kept while running */
};

/* Defaults of the document: retransmission 1 s doubling to 8 s, 4 times. */
void dsim_config_defaults(struct dsim_config *cfg);

/*
 * Allocate @ndevs zeroed devices in @s->devs; the caller fills pid,
 * pidlen, cred, akst.sqn_max, tid / has_tid, then calls dsim_schedule().
 */
int dsim_init(struct dsim *s, const struct dsim_config *cfg,
	      const struct dsim_ops *ops, void *arg, size_t ndevs);
void dsim_free(struct dsim *s);

/* Start @d's first attempt at time @at (ms). */
void dsim_schedule(struct dsim *s, struct dsim_dev *d, uint64_t at);

/*
 * A received frame (security header onwards) from @src (the lower
 * layer's 6-octet address, NULL if none), at @now.  A device takes @src
 * as the reader's address from a frame of its SA that verified, never
 * from one that did not: a forged frame cannot move its uplink.
 */
void dsim_rx(struct dsim *s, const uint8_t *frame, size_t len,
	     const uint8_t *src, uint64_t now);

/* Fire every timer due at @now. */
void dsim_run_timers(struct dsim *s, uint64_t now);

/* The earliest deadline, DSIM_NO_DEADLINE when none. */
uint64_t dsim_next_deadline(const struct dsim *s);

/* All devices scheduled have finished (outcome known, frames sent). */
static inline bool dsim_all_finished(const struct dsim *s)
{
	return s->unfinished == 0;
}

/* End of the run: devices still waiting become timeouts. */
void dsim_finish(struct dsim *s, uint64_t now);

/* Whether @d reached the outcome expected for the attack mode. */
bool dsim_dev_expected(const struct dsim *s, const struct dsim_dev *d,
		       bool strict_tid);

/* Totals over all devices (call after dsim_finish()). */
void dsim_totals(const struct dsim *s, bool strict_tid,
		 struct dsim_totals *t);

const char *dsim_outcome_name(enum dsim_outcome o);
const char *dsim_state_name(enum dsim_state st);
const char *dsim_attack_name(enum dsim_attack a);
int dsim_attack_parse(const char *name, enum dsim_attack *a);
const char *dsim_suite_name(uint8_t suite);

#endif /* AIOTSEC_USER_DEVSIM_FSM_H */
