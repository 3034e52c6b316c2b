// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the device simulator's state machine (user/lib/devsim_fsm.c)
 * against a network side made of aka_net_*() and the frame protection,
 * over a fake air with simulated time: one-way and mutual
 * authentication, SQN resynchronisation, rejections, the retransmission
 * schedule of Documentation/protocol.rst, lost messages, T-ID adoption
 * and confirmation, SUCI, COMMAND / RESPONSE frames, the attack modes,
 * a few thousand devices at once, and the device's side of rekeys in the
 * live SA (two key phases, repeats, refused ACCEPTs, REJECT, resync).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <linux/aiotsec.h>

#include "tap.h"
#include "hex.h"
#include "aka.h"
#include "aiotframe.h"
#include "devsim_fsm.h"

/* ECIES profile A home network key pair, TS 33.501 Annex C.4.3 */
#define V_HN_PRIV	"c53c22208b61860b06c62e5406a7b330" \
			"c2b577aa5558981510d128247d38bd1d"
#define V_HN_PUB	"5a8d38864820197c3394b92613b20b91" \
			"633cbd897119273bf8e4a6f4eec0a650"

/* ---- the fake air: two queues of frames -------------------------------- */

struct frame {
	uint8_t b[DSIM_FRAME_MAX];
	size_t len;
	uint64_t t;		/* when sent */
};

struct queue {
	struct frame *f;
	size_t n, cap;
};

static void q_push(struct queue *q, const uint8_t *b, size_t len, uint64_t t)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 64;
		q->f = realloc(q->f, q->cap * sizeof(*q->f));
		if (!q->f)
			abort();
	}
	memcpy(q->f[q->n].b, b, len);
	q->f[q->n].len = len;
	q->f[q->n].t = t;
	q->n++;
}

/* ---- the network stub ---------------------------------------------------- */

#define NET_MAX_ATT	8192

/* The network's side of one rekey in the live SA of a device. */
struct net_rekey {
	uint32_t attempt;		/* the network's; 0: none yet */
	bool challenged, resynced, closed;
	uint8_t rand_d[AKA_RAND_LEN];
	uint8_t caps;			/* of the rekey's HELLO */
	struct aka_net_expect ex;
	struct aka_msg last;		/* sent last, repeated on demand */
	unsigned int hellos, responses, sync_failures;
};

/* How the stub spoils the ACCEPT of a rekey (net.rk_bad_accept). */
enum {
	RK_ACCEPT_OK,
	RK_ACCEPT_SID,			/* another SID */
	RK_ACCEPT_SUITE,		/* another suite */
	RK_ACCEPT_BITS,			/* other counter bits */
};

struct net_dev {
	struct aka_cred cred;
	char pid[AKA_PID_MAX + 1];
	uint8_t tid[AKA_TID_LEN], tid_prev[AKA_TID_LEN], tid_next[AKA_TID_LEN];
	bool has_tid;
	uint32_t accept_attempt;	/* of the latest ACCEPT sent */
	uint64_t sqn;			/* next SQN */
	uint8_t suite, ctr_bits;
	bool confirmed;
	unsigned int inventory, responses, replays_dropped, bad;
	uint8_t last_response[DSIM_BODY_MAX];
	size_t last_response_len;
	/* the session: two key phases, as the kernel's SA */
	bool sa;
	uint32_t sid;
	bool key_set[2];
	bool next_pending;		/* key[!tx_phase]: receive only */
	uint8_t tx_phase;
	struct aiot_key key[2];
	struct aiot_replay rp[2];
	uint64_t tx_ctr[2];
	unsigned int key_switches;	/* AIOTSEC_EVENT_KEY_SWITCH */
	struct net_rekey rk;
};

struct net_att {
	bool used, closed;
	uint32_t id;
	int dev;
	uint8_t rand_d[AKA_RAND_LEN];
	uint8_t caps;			/* of the HELLO */
	struct aka_net_expect ex;
	uint8_t last_in[AKA_MSG_MAX];	/* message answered last */
	size_t last_in_len;
	uint8_t answer[AKA_MSG_MAX + AIOT_HDR_ROOM];
	size_t answer_len;
	bool resynced;
};

struct net {
	struct net_dev *devs;
	size_t ndevs;
	struct net_att *att;	/* open addressing by attempt ID */
	size_t natt;
	uint8_t hn_priv[AKA_HN_KEY_LEN];
	uint32_t next_sid;
	bool mute;		/* answer nothing */
	unsigned int pass_down;	/* then pass N downlink frames, */
	unsigned int drop_down;	/* then drop the next N */
	unsigned int drop_up;	/* drop the next N uplink frames */
	unsigned int answers_sent;
	unsigned int hellos, responses, sync_failures, confirms;
	unsigned int dev_rejects;
	uint8_t dev_reject_cause;
	uint8_t rk_reject;	/* rekey: answer the HELLO with this cause */
	int rk_bad_accept;	/* rekey: RK_ACCEPT_* */
	unsigned int rk_foreign;	/* AUTH of no running rekey */
	struct queue *down;
	uint64_t now;
};

static struct net_att *att_slot(struct net *n, uint32_t id, bool create)
{
	size_t i = (id * 2654435761u) % n->natt, k;

	for (k = 0; k < n->natt; k++, i = (i + 1) % n->natt) {
		if (n->att[i].used && n->att[i].id == id)
			return &n->att[i];
		if (!n->att[i].used) {
			if (!create)
				return NULL;
			n->att[i].used = true;
			n->att[i].id = id;
			return &n->att[i];
		}
	}
	return NULL;
}

static void net_send_auth(struct net *n, struct net_att *a,
			  const struct aka_msg *m)
{
	uint8_t msg[AKA_MSG_MAX];
	ssize_t len = aka_msg_encode(m, msg, sizeof(msg));

	if (len >= 0)
		len = aiot_frame_protect(NULL, AIOTSEC_FT_AUTH, 0, 16,
					 AIOT_DIR_DOWNLINK, a->id, 0, msg,
					 (size_t)len, a->answer,
					 sizeof(a->answer));
	if (len < 0)
		abort();
	a->answer_len = (size_t)len;
	n->answers_sent++;
	q_push(n->down, a->answer, a->answer_len, n->now);
}

static void net_reject(struct net *n, struct net_att *a, uint8_t cause)
{
	struct aka_msg m = { .type = AKA_MSG_REJECT };

	m.reject.cause = cause;
	a->closed = true;
	net_send_auth(n, a, &m);
}

static void net_key_drop(struct net_dev *d, unsigned int phase)
{
	if (d->key_set[phase]) {
		aiot_key_free(&d->key[phase]);
		aiot_replay_free(&d->rp[phase]);
		d->key_set[phase] = false;
	}
}

/* Key phase @phase of the session with @key, its counters from 0. */
static void net_key_set(struct net_dev *d, unsigned int phase,
			const uint8_t *key, size_t klen)
{
	net_key_drop(d, phase);
	if (aiot_key_init(&d->key[phase], d->suite,
			  d->suite == AIOTSEC_SUITE_AES_CCM ? 8 : 0, key,
			  klen) ||
	    aiot_replay_init(&d->rp[phase], 64))
		abort();
	d->key_set[phase] = true;
	d->tx_ctr[phase] = 0;
}

static void net_protect_phase(struct net *n, struct net_dev *d,
			      unsigned int phase, uint8_t type,
			      const uint8_t *body, size_t len)
{
	uint8_t f[DSIM_FRAME_MAX];
	ssize_t fl;

	if (!d->key_set[phase])
		abort();
	fl = aiot_frame_protect(&d->key[phase], type, (int)phase,
				d->ctr_bits, AIOT_DIR_DOWNLINK, d->sid,
				d->tx_ctr[phase]++, body, len, f, sizeof(f));
	if (fl < 0)
		abort();
	q_push(n->down, f, (size_t)fl, n->now);
}

/* Downlink frames go with the transmit key, as the kernel sends. */
static void net_protect(struct net *n, struct net_dev *d, uint8_t type,
			const uint8_t *body, size_t len)
{
	net_protect_phase(n, d, d->tx_phase, type, body, len);
}

static void net_ctrl(struct net *n, struct net_dev *d,
		     const struct aka_ctrl *c)
{
	uint8_t body[AKA_CTRL_MAX];
	ssize_t bl = aka_ctrl_encode(c, body, sizeof(body));

	if (bl < 0)
		abort();
	net_protect(n, d, AIOTSEC_FT_CONTROL, body, (size_t)bl);
}

/* The next T-ID, "committed", then assigned. */
static void net_assign_tid(struct net *n, struct net_dev *d)
{
	struct aka_ctrl c = { .type = AKA_CTRL_TID_ASSIGN,
			      .attempt = d->accept_attempt };

	RAND_bytes(d->tid_next, AKA_TID_LEN);
	memcpy(c.tid, d->tid_next, AKA_TID_LEN);
	net_ctrl(n, d, &c);
}

static void net_challenge(struct net *n, struct net_att *a, uint8_t mode)
{
	struct net_dev *d = &n->devs[a->dev];
	uint8_t rand_n[AKA_RAND_LEN];
	struct aka_msg ch;

	RAND_bytes(rand_n, sizeof(rand_n));
	if (aka_net_challenge(&d->cred, d->sqn, rand_n, mode, &ch, &a->ex))
		abort();
	if (mode == AKA_MODE_MUTUAL)
		d->sqn++;
	net_send_auth(n, a, &ch);
}

static void net_accept(struct net *n, struct net_att *a)
{
	struct net_dev *d = &n->devs[a->dev];
	uint8_t kaiotf[AKA_KAIOTF_LEN], key[AKA_SA_KEY_MAX];
	struct aka_msg m = { .type = AKA_MSG_ACCEPT };
	size_t klen;

	net_key_drop(d, 0);
	net_key_drop(d, 1);
	d->sid = n->next_sid++;
	if (aka_derive_kaiotf(a->ex.ck, a->ex.ik, a->ex.rand_n, a->rand_d,
			      d->sid, a->id, a->caps, kaiotf) ||
	    aka_derive_sa_key(kaiotf, d->suite, key, &klen))
		abort();
	net_key_set(d, 0, key, klen);
	d->tx_phase = 0;
	d->next_pending = false;
	d->sa = true;
	a->closed = true;
	m.accept.sid = d->sid;
	m.accept.suite = d->suite;
	m.accept.ctr_bits = d->ctr_bits;
	net_send_auth(n, a, &m);
	d->accept_attempt = a->id;
	net_assign_tid(n, d);
}

static int net_find_tid(struct net *n, const uint8_t *tid)
{
	size_t i;

	for (i = 0; i < n->ndevs; i++) {
		struct net_dev *d = &n->devs[i];

		if (d->has_tid && (!memcmp(d->tid, tid, AKA_TID_LEN) ||
				   !memcmp(d->tid_prev, tid, AKA_TID_LEN)))
			return (int)i;
	}
	return -1;
}

static int net_find_pid(struct net *n, const uint8_t *pid, size_t len)
{
	size_t i;

	for (i = 0; i < n->ndevs; i++)
		if (strlen(n->devs[i].pid) == len &&
		    !memcmp(n->devs[i].pid, pid, len))
			return (int)i;
	return -1;
}

static void net_auth(struct net *n, const struct aiot_hdr *h,
		     const uint8_t *body, size_t len)
{
	struct net_att *a = att_slot(n, h->sid, false);
	struct aka_msg m;
	uint64_t sqn_d;
	int dev;

	if (aka_msg_decode(body, len, &m))
		return;
	/* a retransmitted message gets the same answer */
	if (a && a->last_in_len == len && !memcmp(a->last_in, body, len)) {
		if (a->answer_len)
			q_push(n->down, a->answer, a->answer_len, n->now);
		return;
	}
	switch (m.type) {
	case AKA_MSG_HELLO:
		n->hellos++;
		if (a)
			return;		/* one challenge per attempt */
		a = att_slot(n, h->sid, true);
		memcpy(a->rand_d, m.hello.rand_d, AKA_RAND_LEN);
		a->caps = m.hello.caps;
		memcpy(a->last_in, body, len);
		a->last_in_len = len;
		if (m.hello.id_type == AKA_ID_TID) {
			dev = net_find_tid(n, m.hello.tid);
		} else {
			uint8_t pid[AKA_PID_MAX];
			size_t plen = sizeof(pid);

			if (aka_suci_reveal(n->hn_priv, &m.hello.suci, pid,
					    &plen)) {
				net_reject(n, a, AKA_CAUSE_BAD_SUCI);
				return;
			}
			dev = net_find_pid(n, pid, plen);
		}
		if (dev < 0) {
			net_reject(n, a, AKA_CAUSE_UNKNOWN_IDENTITY);
			return;
		}
		a->dev = dev;
		net_challenge(n, a, aka_net_mode(n->devs[dev].cred.profile,
						 m.hello.caps));
		break;
	case AKA_MSG_RESPONSE:
		n->responses++;
		if (!a)
			return;
		memcpy(a->last_in, body, len);
		a->last_in_len = len;
		if (a->closed) {
			net_reject(n, a, AKA_CAUSE_REPLAYED_RESPONSE);
			return;
		}
		if (aka_net_check_response(&a->ex, m.response.res)) {
			net_reject(n, a, AKA_CAUSE_BAD_RESPONSE);
			return;
		}
		net_accept(n, a);
		break;
	case AKA_MSG_SYNC_FAILURE:
		n->sync_failures++;
		if (!a || a->closed || a->resynced)
			return;
		memcpy(a->last_in, body, len);
		a->last_in_len = len;
		if (aka_net_resync(&n->devs[a->dev].cred, a->ex.rand_n,
				   m.sync_failure.auts, &sqn_d)) {
			net_reject(n, a, AKA_CAUSE_SYNC_FAILURE);
			return;
		}
		a->resynced = true;
		n->devs[a->dev].sqn = sqn_d + 1;
		net_challenge(n, a, AKA_MODE_MUTUAL);
		break;
	case AKA_MSG_REJECT:
		n->dev_rejects++;
		n->dev_reject_cause = m.reject.cause;
		if (a)
			a->closed = true;
		break;
	default:
		break;
	}
}

/* ---- the network's side of a rekey in the live SA ----------------------- */

/* REKEY with @attempt; a new attempt ID starts a new rekey. */
static void net_rekey(struct net *n, struct net_dev *d, uint32_t attempt)
{
	struct aka_ctrl c = { .type = AKA_CTRL_REKEY };

	if (attempt != d->rk.attempt) {
		memset(&d->rk, 0, sizeof(d->rk));
		d->rk.attempt = attempt;
	}
	c.attempt = attempt;
	net_ctrl(n, d, &c);
}

/* AUTH(@attempt, @m) in the SA; also for messages the tests forge. */
static void net_rk_send(struct net *n, struct net_dev *d, uint32_t attempt,
			const struct aka_msg *m)
{
	struct aka_ctrl c = { .type = AKA_CTRL_AUTH };

	c.attempt = attempt;
	c.msg = *m;
	net_ctrl(n, d, &c);
}

static void net_rk_answer(struct net *n, struct net_dev *d,
			  const struct aka_msg *m)
{
	d->rk.last = *m;
	net_rk_send(n, d, d->rk.attempt, m);
}

/* The network's retransmission: its last message of the rekey again. */
static void net_rk_repeat(struct net *n, struct net_dev *d)
{
	if (d->rk.last.type)
		net_rk_send(n, d, d->rk.attempt, &d->rk.last);
}

static void net_rk_reject(struct net *n, struct net_dev *d, uint8_t cause)
{
	struct aka_msg m = { .type = AKA_MSG_REJECT };

	m.reject.cause = cause;
	d->rk.closed = true;
	net_rk_answer(n, d, &m);
}

static void net_rk_challenge(struct net *n, struct net_dev *d, uint8_t mode)
{
	uint8_t rand_n[AKA_RAND_LEN];
	struct aka_msg ch;

	RAND_bytes(rand_n, sizeof(rand_n));
	if (aka_net_challenge(&d->cred, d->sqn, rand_n, mode, &ch, &d->rk.ex))
		abort();
	if (mode == AKA_MODE_MUTUAL)
		d->sqn++;
	d->rk.challenged = true;
	net_rk_answer(n, d, &ch);
}

/*
 * RES verified: the new key goes in the other key phase, receive only,
 * before the ACCEPT; then the next T-ID, still with the old key.
 */
static void net_rk_accept(struct net *n, struct net_dev *d)
{
	struct net_rekey *rk = &d->rk;
	uint8_t kaiotf[AKA_KAIOTF_LEN], key[AKA_SA_KEY_MAX];
	struct aka_msg m = { .type = AKA_MSG_ACCEPT };
	size_t klen;

	if (aka_derive_kaiotf(rk->ex.ck, rk->ex.ik, rk->ex.rand_n, rk->rand_d,
			      d->sid, rk->attempt, rk->caps, kaiotf) ||
	    aka_derive_sa_key(kaiotf, d->suite, key, &klen))
		abort();
	net_key_set(d, !d->tx_phase, key, klen);
	d->next_pending = true;
	rk->closed = true;
	m.accept.sid = d->sid;
	m.accept.suite = d->suite;
	m.accept.ctr_bits = d->ctr_bits;
	switch (n->rk_bad_accept) {
	case RK_ACCEPT_SID:
		m.accept.sid++;
		break;
	case RK_ACCEPT_SUITE:
		m.accept.suite = d->suite == AIOTSEC_SUITE_AES_GCM ?
				 AIOTSEC_SUITE_AES_CCM : AIOTSEC_SUITE_AES_GCM;
		break;
	case RK_ACCEPT_BITS:
		m.accept.ctr_bits = d->ctr_bits == 16 ? 32 : 16;
		break;
	}
	net_rk_answer(n, d, &m);
	d->accept_attempt = rk->attempt;
	net_assign_tid(n, d);
}

static void net_rk_hello(struct net *n, struct net_dev *d,
			 const struct aka_hello *h)
{
	d->rk.hellos++;
	if (d->rk.challenged || d->rk.closed) {
		net_rk_repeat(n, d);	/* one challenge per rekey */
		return;
	}
	if (h->id_type != AKA_ID_TID ||
	    (memcmp(h->tid, d->tid, AKA_TID_LEN) &&
	     memcmp(h->tid, d->tid_prev, AKA_TID_LEN))) {
		net_rk_reject(n, d, AKA_CAUSE_UNKNOWN_IDENTITY);
		return;
	}
	if (n->rk_reject) {
		net_rk_reject(n, d, n->rk_reject);
		return;
	}
	memcpy(d->rk.rand_d, h->rand_d, AKA_RAND_LEN);
	d->rk.caps = h->caps;
	net_rk_challenge(n, d, aka_net_mode(d->cred.profile, h->caps));
}

/* AUTH from the device in its SA. */
static void net_rk_auth(struct net *n, struct net_dev *d,
			const struct aka_ctrl *c)
{
	struct net_rekey *rk = &d->rk;
	const struct aka_msg *m = &c->msg;
	uint64_t sqn_d;

	if (!rk->attempt || c->attempt != rk->attempt) {
		n->rk_foreign++;
		return;
	}
	switch (m->type) {
	case AKA_MSG_HELLO:
		net_rk_hello(n, d, &m->hello);
		break;
	case AKA_MSG_RESPONSE:
		rk->responses++;
		if (rk->closed)
			net_rk_repeat(n, d);
		else if (rk->challenged &&
			 aka_net_check_response(&rk->ex, m->response.res))
			net_rk_reject(n, d, AKA_CAUSE_BAD_RESPONSE);
		else if (rk->challenged)
			net_rk_accept(n, d);
		break;
	case AKA_MSG_SYNC_FAILURE:
		rk->sync_failures++;
		if (rk->closed || !rk->challenged || rk->resynced)
			break;
		if (aka_net_resync(&d->cred, rk->ex.rand_n,
				   m->sync_failure.auts, &sqn_d)) {
			net_rk_reject(n, d, AKA_CAUSE_SYNC_FAILURE);
			break;
		}
		rk->resynced = true;
		d->sqn = sqn_d + 1;
		net_rk_challenge(n, d, AKA_MODE_MUTUAL);
		break;
	case AKA_MSG_REJECT:
		rk->closed = true;
		break;
	default:
		break;
	}
}

static void net_frame(struct net *n, const uint8_t *f, size_t len)
{
	uint8_t body[DSIM_FRAME_MAX];
	struct aiot_hdr h;
	struct aka_ctrl c;
	struct net_dev *d = NULL;
	unsigned int kp;
	ssize_t bl;
	size_t i;

	if (aiot_hdr_parse(f, len, &h) < 0 || h.dir != AIOT_DIR_UPLINK)
		abort();	/* the device only sends uplink */
	if (h.type == AIOTSEC_FT_AUTH) {
		net_auth(n, &h, f + h.len, aiot_hdr_auth_len(&h, len));
		return;
	}
	for (i = 0; i < n->ndevs; i++)
		if (n->devs[i].sa && n->devs[i].sid == h.sid)
			d = &n->devs[i];
	if (!d)
		return;
	kp = h.key_phase ? 1 : 0;
	if (!d->key_set[kp]) {
		d->bad++;
		return;
	}
	bl = aiot_frame_unprotect(&d->key[kp], AIOT_DIR_UPLINK, &d->rp[kp], f,
				  len, NULL, NULL, body, sizeof(body));
	if (bl == -EALREADY || bl == -ERANGE) {
		d->replays_dropped++;
		return;
	}
	if (bl < 0) {
		d->bad++;
		return;
	}
	if (d->next_pending && kp != d->tx_phase) {
		/* the first frame with the next key: send with it too */
		d->tx_phase = (uint8_t)kp;
		d->next_pending = false;
		d->key_switches++;
	}
	switch (h.type) {
	case AIOTSEC_FT_CONTROL:
		if (aka_ctrl_decode(body, (size_t)bl, &c))
			abort();
		if (c.type == AKA_CTRL_AUTH) {
			net_rk_auth(n, d, &c);
			break;
		}
		if (c.type != AKA_CTRL_TID_CONFIRM ||
		    c.attempt != d->accept_attempt ||
		    memcmp(c.tid, d->tid_next, AKA_TID_LEN))
			abort();
		memcpy(d->tid_prev, d->tid, AKA_TID_LEN);
		memcpy(d->tid, d->tid_next, AKA_TID_LEN);
		d->has_tid = true;
		d->confirmed = true;
		n->confirms++;
		break;
	case AIOTSEC_FT_INVENTORY:
		d->inventory++;
		break;
	case AIOTSEC_FT_RESPONSE:
		d->responses++;
		memcpy(d->last_response, body, (size_t)bl);
		d->last_response_len = (size_t)bl;
		break;
	}
}

/* ---- the harness ----------------------------------------------------------- */

struct rig {
	struct dsim s;
	struct net n;
	struct queue up, down;
	uint64_t now;
	uint64_t hello_times[16];	/* auth sends of device 0 */
	unsigned int nhello;
	const uint8_t *src;		/* the reader's address, if any */
};

static void rig_send(void *arg, struct dsim_dev *d, const uint8_t *f,
		     size_t len)
{
	struct rig *r = arg;
	struct aiot_hdr h;

	if (d->idx == 0 && aiot_hdr_parse(f, len, &h) >= 0 &&
	    h.type == AIOTSEC_FT_AUTH && r->nhello < 16)
		r->hello_times[r->nhello++] = r->now;
	q_push(&r->up, f, len, r->now);
}

static void test_cred(struct aka_cred *c, unsigned int seed, uint8_t profile)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < AKA_KEY_LEN; i++) {
		c->k[i] = (uint8_t)(seed * 13 + i * 7 + 1);
		c->opc[i] = (uint8_t)(seed * 5 + i * 11 + 3);
	}
	c->amf[0] = 0x80;
	c->profile = profile;
}

static const uint8_t inv_suites[] = {
	AIOTSEC_SUITE_NIA2, AIOTSEC_SUITE_AES_GCM, AIOTSEC_SUITE_AES_CCM,
	AIOTSEC_SUITE_NIA2_NEA2,
};

/*
 * @ndev devices, device i of profile @profile (or alternating when 0),
 * with a T-ID unless @no_tid.
 */
static void rig_init(struct rig *r, size_t ndev, uint8_t profile,
		     const struct dsim_config *cfg, bool no_tid)
{
	static const struct dsim_ops ops = { .send = rig_send };
	size_t i;

	memset(r, 0, sizeof(*r));
	if (dsim_init(&r->s, cfg, &ops, r, ndev))
		abort();
	r->n.devs = calloc(ndev, sizeof(*r->n.devs));
	r->n.ndevs = ndev;
	r->n.natt = 4 * ndev + 64;
	r->n.att = calloc(r->n.natt, sizeof(*r->n.att));
	r->n.down = &r->down;
	r->n.next_sid = 0x1000;
	HEX(r->n.hn_priv, V_HN_PRIV);
	for (i = 0; i < ndev; i++) {
		struct dsim_dev *d = &r->s.devs[i];
		struct net_dev *nd = &r->n.devs[i];
		uint8_t p = profile ? profile :
			    (i % 2 ? AIOTSEC_PROFILE_COMMAND :
				     AIOTSEC_PROFILE_INVENTORY);

		test_cred(&d->cred, (unsigned int)i, p);
		nd->cred = d->cred;
		d->pidlen = (uint8_t)snprintf(d->pid, sizeof(d->pid),
					      "dev%05zu", i);
		memcpy(nd->pid, d->pid, sizeof(nd->pid));
		if (!no_tid) {
			RAND_bytes(nd->tid, AKA_TID_LEN);
			memcpy(d->tid, nd->tid, AKA_TID_LEN);
			nd->has_tid = d->has_tid = true;
			memcpy(nd->tid_prev, nd->tid, AKA_TID_LEN);
		}
		nd->sqn = 1;
		nd->suite = p == AIOTSEC_PROFILE_COMMAND ?
			    AIOTSEC_SUITE_AES_GCM : inv_suites[i % 4];
		nd->ctr_bits = i % 3 ? 16 : 32;
	}
}

static void rig_free(struct rig *r)
{
	size_t i;

	for (i = 0; i < r->n.ndevs; i++) {
		net_key_drop(&r->n.devs[i], 0);
		net_key_drop(&r->n.devs[i], 1);
	}
	free(r->n.devs);
	free(r->n.att);
	free(r->up.f);
	free(r->down.f);
	dsim_free(&r->s);
}

/* Deliver what is queued both ways, at the current time, until quiet. */
static void rig_flush(struct rig *r)
{
	size_t i;

	while (r->up.n || r->down.n) {
		struct queue up = r->up, down = r->down;

		memset(&r->up, 0, sizeof(r->up));
		memset(&r->down, 0, sizeof(r->down));
		r->n.now = r->now;
		for (i = 0; i < up.n; i++) {
			if (r->n.drop_up) {
				r->n.drop_up--;
				continue;
			}
			if (!r->n.mute)
				net_frame(&r->n, up.f[i].b, up.f[i].len);
		}
		for (i = 0; i < down.n; i++) {
			if (r->n.pass_down) {
				r->n.pass_down--;
			} else if (r->n.drop_down) {
				r->n.drop_down--;
				continue;
			}
			dsim_rx(&r->s, down.f[i].b, down.f[i].len, r->src,
				r->now);
		}
		free(up.f);
		free(down.f);
	}
}

/* One leg at a time: the queued uplink frames to the network only... */
static void rig_up(struct rig *r)
{
	struct queue up = r->up;
	size_t i;

	memset(&r->up, 0, sizeof(r->up));
	r->n.now = r->now;
	for (i = 0; i < up.n; i++)
		net_frame(&r->n, up.f[i].b, up.f[i].len);
	free(up.f);
}

/* ... or the queued downlink frames to the devices, answers kept queued. */
static void rig_down(struct rig *r)
{
	struct queue down = r->down;
	size_t i;

	memset(&r->down, 0, sizeof(r->down));
	for (i = 0; i < down.n; i++)
		dsim_rx(&r->s, down.f[i].b, down.f[i].len, r->src, r->now);
	free(down.f);
}

/* Run until every device finished or @limit ms of simulated time. */
static void rig_run(struct rig *r, uint64_t limit)
{
	for (;;) {
		uint64_t t;

		dsim_run_timers(&r->s, r->now);
		rig_flush(r);
		if (dsim_all_finished(&r->s))
			break;
		t = dsim_next_deadline(&r->s);
		if (t == DSIM_NO_DEADLINE || t > limit)
			break;
		if (t > r->now)
			r->now = t;
	}
	dsim_finish(&r->s, r->now);
}

static struct dsim_config cfg_frames(unsigned int frames)
{
	struct dsim_config c;

	dsim_config_defaults(&c);
	c.frames = frames;
	return c;
}

/* ---- tests ----------------------------------------------------------------- */

static void test_one_way(void)
{
	struct dsim_config c = cfg_frames(5);
	struct dsim_totals t;
	struct rig r;
	struct dsim_dev *d;

	rig_init(&r, 1, AIOTSEC_PROFILE_INVENTORY, &c, false);
	d = &r.s.devs[0];
	dsim_schedule(&r.s, d, 0);
	rig_run(&r, 60000);
	ok(d->outcome == DSIM_OUT_AUTH && d->mode == AKA_MODE_ONE_WAY,
	   "one-way: inventory device authenticated one-way");
	ok(d->suite == r.n.devs[0].suite && d->sid == r.n.devs[0].sid,
	   "one-way: suite and SID of the ACCEPT");
	ok(r.n.confirms == 1 && r.n.devs[0].confirmed,
	   "one-way: T-ID-CONFIRM verified by the network");
	is_mem(d->tid, r.n.devs[0].tid, AKA_TID_LEN,
	       "one-way: device adopted the assigned T-ID");
	ok(d->tid_rotated && d->tid_assigned, "one-way: T-ID rotated");
	ok(r.n.devs[0].inventory == 5 && r.n.devs[0].bad == 0,
	   "one-way: 5 inventory frames verified by the network");
	ok(d->tx_ctr == 6, "one-way: counters 0 (confirm) to 5");
	ok(d->state == DSIM_LISTEN && dsim_dev_expected(&r.s, d, true),
	   "one-way: finished, expected outcome");
	ok(d->akst.sqn_max == 0, "one-way: no SQN");
	dsim_totals(&r.s, true, &t);
	ok(t.authenticated == 1 && t.one_way == 1 && t.mutual == 0 &&
	   t.tid_rotated == 1 && t.frames_tx == 6 && t.frames_rx == 1 &&
	   t.expected == 1 && t.retransmissions == 0,
	   "one-way: totals");
	rig_free(&r);
}

static void test_mutual_command(void)
{
	struct dsim_config c = cfg_frames(2);
	const char *cmd = "READ 0001";
	struct rig r;
	struct dsim_dev *d;
	struct net_dev *nd;

	rig_init(&r, 1, AIOTSEC_PROFILE_COMMAND, &c, false);
	d = &r.s.devs[0];
	nd = &r.n.devs[0];
	nd->sqn = 42;
	dsim_schedule(&r.s, d, 0);
	rig_run(&r, 60000);
	ok(d->outcome == DSIM_OUT_AUTH && d->mode == AKA_MODE_MUTUAL,
	   "mutual: command device authenticated mutually");
	ok(d->akst.sqn_max == 42, "mutual: SQN 42 accepted and stored");
	ok(nd->confirmed && !memcmp(d->tid, nd->tid, AKA_TID_LEN),
	   "mutual: T-ID confirmed");

	r.n.now = r.now;
	net_protect(&r.n, nd, AIOTSEC_FT_COMMAND, (const uint8_t *)cmd,
		    strlen(cmd));
	net_protect(&r.n, nd, AIOTSEC_FT_COMMAND, (const uint8_t *)"W", 1);
	rig_flush(&r);
	ok(d->commands == 2 && nd->responses == 2,
	   "mutual: two COMMAND frames answered with RESPONSE frames");
	ok(nd->last_response_len == 1 && nd->last_response[0] == 'W',
	   "mutual: RESPONSE echoes the COMMAND body");
	/* a replayed COMMAND is dropped by the device's window */
	{
		uint8_t f[DSIM_FRAME_MAX];
		ssize_t fl = aiot_frame_protect(&nd->key[0],
						AIOTSEC_FT_COMMAND,
						0, nd->ctr_bits,
						AIOT_DIR_DOWNLINK, nd->sid,
						nd->tx_ctr[0] - 1,
						(const uint8_t *)"W", 1, f,
						sizeof(f));

		dsim_rx(&r.s, f, (size_t)fl, NULL, r.now);
		ok(d->commands == 2 && d->frames_bad == 1,
		   "mutual: replayed COMMAND dropped");
		f[fl - 1] ^= 1;
		dsim_rx(&r.s, f, (size_t)fl, NULL, r.now);
		ok(d->frames_bad == 2, "mutual: forged COMMAND dropped");
	}
	rig_free(&r);
}

static void test_resync(void)
{
	struct dsim_config c = cfg_frames(1);
	struct dsim_totals t;
	struct rig r;
	struct dsim_dev *d;

	rig_init(&r, 1, AIOTSEC_PROFILE_COMMAND, &c, false);
	d = &r.s.devs[0];
	d->akst.sqn_max = 1000;		/* the network lost its SQN */
	r.n.devs[0].sqn = 5;
	dsim_schedule(&r.s, d, 0);
	rig_run(&r, 60000);
	ok(r.n.sync_failures == 1 && d->resyncs == 1,
	   "resync: one SYNC_FAILURE");
	ok(d->outcome == DSIM_OUT_AUTH && d->akst.sqn_max == 1001,
	   "resync: authenticated with SQN_D + 1");
	dsim_totals(&r.s, true, &t);
	ok(t.resyncs == 1 && t.expected == 1 && t.retransmissions == 0,
	   "resync: totals, no retransmission");
	rig_free(&r);
}

static void test_reject(void)
{
	struct dsim_config c = cfg_frames(0);
	struct dsim_totals t;
	struct rig r;
	struct dsim_dev *d;

	rig_init(&r, 1, AIOTSEC_PROFILE_INVENTORY, &c, false);
	d = &r.s.devs[0];
	memset(d->tid, 0xee, AKA_TID_LEN);	/* not the network's */
	dsim_schedule(&r.s, d, 0);
	rig_run(&r, 60000);
	ok(d->outcome == DSIM_OUT_REJECTED &&
	   d->cause == AKA_CAUSE_UNKNOWN_IDENTITY && d->state == DSIM_DONE,
	   "reject: unknown T-ID rejected, cause unknown-identity");
	ok(!dsim_dev_expected(&r.s, d, true), "reject: not expected");
	dsim_totals(&r.s, true, &t);
	ok(t.rejected[AKA_CAUSE_UNKNOWN_IDENTITY] == 1 &&
	   t.authenticated == 0, "reject: totals by cause");
	rig_free(&r);

	/* with the HN key the device falls back to its SUCI */
	dsim_config_defaults(&c);
	c.have_hn = true;
	HEX(c.hn_pub, V_HN_PUB);
	rig_init(&r, 1, AIOTSEC_PROFILE_INVENTORY, &c, false);
	d = &r.s.devs[0];
	memset(d->tid, 0xee, AKA_TID_LEN);
	dsim_schedule(&r.s, d, 0);
	rig_run(&r, 60000);
	ok(d->outcome == DSIM_OUT_AUTH && d->attempts == 2 &&
	   d->tid_assigned, "reject: unknown T-ID, then SUCI accepted");
	rig_free(&r);
}

static void test_one_way_refused(void)
{
	struct dsim_config c = cfg_frames(0);
	struct rig r;
	struct dsim_dev *d;

	/* the network wrongly downgrades a command device: no */
	rig_init(&r, 1, AIOTSEC_PROFILE_COMMAND, &c, false);
	d = &r.s.devs[0];
	/* the stub follows the HELLO caps; inject a one-way CHALLENGE */
	dsim_schedule(&r.s, d, 0);
	dsim_run_timers(&r.s, 0);
	{
		struct aka_msg ch;
		struct aka_net_expect ex;
		uint8_t rn[AKA_RAND_LEN] = { 1 }, f[64], m[AKA_MSG_MAX];
		ssize_t n;

		aka_net_challenge(&r.n.devs[0].cred, 0, rn, AKA_MODE_ONE_WAY,
				  &ch, &ex);
		n = aka_msg_encode(&ch, m, sizeof(m));
		n = aiot_frame_protect(NULL, AIOTSEC_FT_AUTH, 0, 16,
				       AIOT_DIR_DOWNLINK, d->attempt, 0, m,
				       (size_t)n, f, sizeof(f));
		r.up.n = 0;
		dsim_rx(&r.s, f, (size_t)n, NULL, 10);
	}
	ok(d->outcome == DSIM_OUT_REFUSED &&
	   d->cause == AKA_CAUSE_MAC_FAILURE,
	   "downgrade: one-way CHALLENGE refused by a command device");
	ok(r.up.n == 1, "downgrade: device sent REJECT");
	rig_free(&r);
}

static void test_retransmission_timing(void)
{
	struct dsim_config c = cfg_frames(0);
	static const uint64_t want[] = { 0, 1000, 3000, 7000, 15000 };
	struct rig r;
	struct dsim_dev *d;
	bool times_ok = true;
	unsigned int i;

	rig_init(&r, 1, AIOTSEC_PROFILE_INVENTORY, &c, false);
	d = &r.s.devs[0];
	r.n.mute = true;
	dsim_schedule(&r.s, d, 0);
	rig_run(&r, 100000);
	ok(r.nhello == 5, "timing: HELLO sent once and retransmitted 4 times");
	for (i = 0; i < 5 && i < r.nhello; i++)
		if (r.hello_times[i] != want[i])
			times_ok = false;
	ok(times_ok, "timing: at 0, 1, 3, 7 and 15 s (1 s doubling to 8 s)");
	ok(d->outcome == DSIM_OUT_TIMEOUT && d->t_end == 23000 &&
	   d->cause == AKA_CAUSE_TIMEOUT,
	   "timing: timeout 8 s after the last retransmission");
	rig_free(&r);

	/* the network's CHALLENGE is lost twice, the HELLO repeated */
	rig_init(&r, 1, AIOTSEC_PROFILE_COMMAND, &c, false);
	d = &r.s.devs[0];
	r.n.drop_down = 2;
	dsim_schedule(&r.s, d, 0);
	rig_run(&r, 100000);
	ok(d->outcome == DSIM_OUT_AUTH && d->retransmissions == 2 &&
	   r.n.hellos == 1 && d->resyncs == 0,
	   "lost CHALLENGE: HELLO retransmitted, same CHALLENGE answered");
	ok(d->t_auth == 3000, "lost CHALLENGE: authenticated at 3 s");
	rig_free(&r);

	/* the ACCEPT (and its T-ID-ASSIGN) lost once: RESPONSE repeated */
	rig_init(&r, 1, AIOTSEC_PROFILE_COMMAND, &c, false);
	d = &r.s.devs[0];
	r.n.pass_down = 1;	/* the CHALLENGE */
	r.n.drop_down = 2;	/* ACCEPT and T-ID-ASSIGN */
	dsim_schedule(&r.s, d, 0);
	dsim_run_timers(&r.s, 0);
	rig_flush(&r);
	ok(d->state == DSIM_WAIT_ACCEPT && r.n.devs[0].sa,
	   "lost ACCEPT: device waits, network has the SA");
	rig_run(&r, 100000);
	ok(d->outcome == DSIM_OUT_AUTH && d->retransmissions == 1 &&
	   d->t_auth == 1000 && d->sid == r.n.devs[0].sid,
	   "lost ACCEPT: RESPONSE retransmitted at 1 s, same ACCEPT");
	ok(!d->tid_assigned && d->frames_left == 0,
	   "lost ACCEPT: T-ID-ASSIGN gone (not repeated by this network)");
	ok(dsim_dev_expected(&r.s, d, false) &&
	   !dsim_dev_expected(&r.s, d, true),
	   "lost ACCEPT: authenticated; T-ID missing only in strict mode");
	rig_free(&r);
}

/*
 * A one-way CHALLENGE carries nothing the device can check: one forged
 * with the attempt ID (sent in clear) and another RAND_n, heard after
 * the genuine one was answered, must not replace the keys of the
 * RESPONSE that the network is accepting.
 */
static void test_forged_challenge(void)
{
	struct dsim_config c = cfg_frames(1);
	uint8_t rand_n[AKA_RAND_LEN], msg[AKA_MSG_MAX], f[DSIM_FRAME_MAX];
	struct aka_cred nobody = { .profile = AIOTSEC_PROFILE_INVENTORY };
	struct aka_net_expect ex;
	struct aka_msg forged;
	unsigned long unexpected;
	struct dsim_dev *d;
	ssize_t len, fl;
	struct rig r;

	rig_init(&r, 1, AIOTSEC_PROFILE_INVENTORY, &c, false);
	d = &r.s.devs[0];
	dsim_schedule(&r.s, d, 0);
	dsim_run_timers(&r.s, 0);
	rig_up(&r);		/* HELLO: the network's CHALLENGE queued */
	rig_down(&r);		/* CHALLENGE: the RESPONSE queued */
	ok(d->state == DSIM_WAIT_ACCEPT && r.up.n == 1,
	   "forged CHALLENGE: the genuine one answered");
	RAND_bytes(rand_n, sizeof(rand_n));
	if (aka_net_challenge(&nobody, 1, rand_n, AKA_MODE_ONE_WAY, &forged,
			      &ex))
		abort();
	len = aka_msg_encode(&forged, msg, sizeof(msg));
	fl = len < 0 ? len :
	     aiot_frame_protect(NULL, AIOTSEC_FT_AUTH, 0, 16,
				AIOT_DIR_DOWNLINK, d->attempt, 0, msg,
				(size_t)len, f, sizeof(f));
	if (fl < 0)
		abort();
	unexpected = r.s.tot.rx_unexpected;
	dsim_rx(&r.s, f, (size_t)fl, NULL, r.now);
	ok(r.s.tot.rx_unexpected == unexpected + 1 && r.up.n == 1 &&
	   d->state == DSIM_WAIT_ACCEPT,
	   "forged CHALLENGE: not answered, counted as unexpected");
	rig_run(&r, 100000);
	ok(d->outcome == DSIM_OUT_AUTH && d->tid_assigned &&
	   d->frames_bad == 0 && r.n.devs[0].bad == 0 &&
	   dsim_dev_expected(&r.s, d, true),
	   "forged CHALLENGE: the genuine ACCEPT keys the SA, T-ID verified");
	rig_free(&r);
}

/* The reader's address: from frames of the SA that verified, only. */
static void test_reader_address(void)
{
	static const uint8_t reader[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x66 };
	struct dsim_config c = cfg_frames(1);
	uint8_t key[32] = {}, f[DSIM_FRAME_MAX];
	unsigned int bad;
	struct dsim_dev *d;
	struct aiot_key k;
	struct rig r;
	ssize_t fl;

	rig_init(&r, 1, AIOTSEC_PROFILE_INVENTORY, &c, false);
	d = &r.s.devs[0];
	r.src = reader;
	dsim_schedule(&r.s, d, 0);
	dsim_run_timers(&r.s, 0);
	rig_up(&r);
	rig_down(&r);		/* the CHALLENGE, an AUTH frame */
	ok(d->state == DSIM_WAIT_ACCEPT && !d->reader_known,
	   "reader address: not taken from an AUTH frame");
	rig_run(&r, 100000);
	ok(d->outcome == DSIM_OUT_AUTH && d->reader_known &&
	   !memcmp(d->reader, reader, sizeof(reader)),
	   "reader address: from the T-ID-ASSIGN, which verified");
	/* the SA's SID and counter space, a key that is not the SA's */
	if (aiot_key_init(&k, d->suite,
			  d->suite == AIOTSEC_SUITE_AES_CCM ? 8 : 0, key,
			  d->suite == AIOTSEC_SUITE_NIA2_NEA2 ? 32 : 16))
		abort();
	fl = aiot_frame_protect(&k, AIOTSEC_FT_CONTROL, 0, d->ctr_bits,
				AIOT_DIR_DOWNLINK, d->sid, 100,
				(const uint8_t *)"x", 1, f, sizeof(f));
	aiot_key_free(&k);
	if (fl < 0)
		abort();
	bad = d->frames_bad;
	dsim_rx(&r.s, f, (size_t)fl, other, r.now);
	ok(d->frames_bad == bad + 1 &&
	   !memcmp(d->reader, reader, sizeof(reader)),
	   "reader address: not from a frame that does not verify");
	rig_free(&r);
}

static void test_suci(void)
{
	struct dsim_config c = cfg_frames(1);
	struct rig r;
	struct dsim_dev *d;

	c.have_hn = true;
	HEX(c.hn_pub, V_HN_PUB);
	rig_init(&r, 2, 0, &c, true);
	dsim_schedule(&r.s, &r.s.devs[0], 0);
	dsim_schedule(&r.s, &r.s.devs[1], 5);
	rig_run(&r, 60000);
	d = &r.s.devs[0];
	ok(d->outcome == DSIM_OUT_AUTH && r.s.devs[1].outcome == DSIM_OUT_AUTH,
	   "suci: both devices authenticated by SUCI");
	ok(d->tid_assigned && d->tid_rotated && d->has_tid && !d->use_suci,
	   "suci: T-ID assigned, used next time");
	rig_free(&r);

	dsim_config_defaults(&c);
	rig_init(&r, 1, 0, &c, true);
	d = &r.s.devs[0];
	dsim_schedule(&r.s, d, 0);
	rig_run(&r, 60000);
	ok(d->outcome == DSIM_OUT_ERROR, "suci: no T-ID, no HN key: error");
	rig_free(&r);
}

static void test_attacks(void)
{
	struct dsim_config c = cfg_frames(3);
	struct dsim_totals t;
	struct rig r;
	size_t i;
	bool all;

	c.attack = DSIM_ATTACK_WRONG_KEY;
	rig_init(&r, 4, 0, &c, false);
	for (i = 0; i < 4; i++)
		dsim_schedule(&r.s, &r.s.devs[i], i);
	rig_run(&r, 60000);
	ok(r.s.devs[0].outcome == DSIM_OUT_REJECTED &&
	   r.s.devs[0].cause == AKA_CAUSE_BAD_RESPONSE,
	   "wrong-key: one-way device rejected bad-response");
	ok(r.s.devs[1].outcome == DSIM_OUT_REFUSED &&
	   r.s.devs[1].cause == AKA_CAUSE_MAC_FAILURE &&
	   r.n.dev_rejects == 2,
	   "wrong-key: mutual device refuses (mac-failure)");
	dsim_totals(&r.s, true, &t);
	ok(t.expected == 4 && t.authenticated == 0 &&
	   t.rejected[AKA_CAUSE_BAD_RESPONSE] == 2 &&
	   t.rejected[AKA_CAUSE_MAC_FAILURE] == 2,
	   "wrong-key: every device as expected");
	rig_free(&r);

	c.attack = DSIM_ATTACK_FORGED_TID;
	rig_init(&r, 3, 0, &c, false);
	for (i = 0; i < 3; i++)
		dsim_schedule(&r.s, &r.s.devs[i], i);
	rig_run(&r, 60000);
	dsim_totals(&r.s, true, &t);
	ok(t.expected == 3 && t.rejected[AKA_CAUSE_UNKNOWN_IDENTITY] == 3,
	   "forged-tid: rejected unknown-identity");
	rig_free(&r);

	c.attack = DSIM_ATTACK_REPLAY;
	rig_init(&r, 4, 0, &c, false);
	for (i = 0; i < 4; i++)
		dsim_schedule(&r.s, &r.s.devs[i], i);
	rig_run(&r, 60000);
	dsim_totals(&r.s, true, &t);
	all = true;
	for (i = 0; i < 4; i++)
		all = all && r.s.devs[i].authenticated &&
		      r.s.devs[i].attempts == 2 &&
		      r.s.devs[i].cause == AKA_CAUSE_BAD_RESPONSE &&
		      r.n.devs[i].inventory == 3;
	ok(all && t.expected == 4,
	   "replay: old RES in a new attempt rejected bad-response");
	ok(r.s.devs[1].state == DSIM_LISTEN,
	   "replay: the first session stays up");
	rig_free(&r);

	c.attack = DSIM_ATTACK_REPLAY_FRAMES;
	rig_init(&r, 2, AIOTSEC_PROFILE_INVENTORY, &c, false);
	for (i = 0; i < 2; i++)
		dsim_schedule(&r.s, &r.s.devs[i], i);
	rig_run(&r, 60000);
	dsim_totals(&r.s, true, &t);
	ok(t.expected == 2 && t.frames_replayed == 6 &&
	   r.n.devs[0].inventory == 3 && r.n.devs[0].replays_dropped == 3 &&
	   r.n.devs[1].replays_dropped == 3,
	   "replay-frames: replays sent, dropped by the network's window");
	rig_free(&r);
}

static void test_scale(void)
{
	const size_t n = 3000;
	struct dsim_config c = cfg_frames(3);
	struct dsim_totals t;
	struct rig r;
	clock_t t0;
	double cpu;
	size_t i;
	char desc[128];

	rig_init(&r, n, 0, &c, false);
	/* the network holds a few SQNs behind: some resyncs */
	for (i = 0; i < n; i += 100)
		r.s.devs[i + 1].akst.sqn_max = 50;
	t0 = clock();
	for (i = 0; i < n; i++)
		dsim_schedule(&r.s, &r.s.devs[i], i);	/* 1000/s */
	r.n.drop_down = 0;
	rig_run(&r, 120000);
	cpu = (double)(clock() - t0) / CLOCKS_PER_SEC;
	dsim_totals(&r.s, true, &t);
	snprintf(desc, sizeof(desc),
		 "scale: %zu devices authenticated, T-IDs rotated, "
		 "%lu frames (%.2f s CPU incl. network)", n, t.frames_tx, cpu);
	ok(t.expected == n && t.tid_rotated == n && t.resyncs == n / 100 &&
	   t.mutual == n / 2 && t.one_way == n / 2, desc);
	rig_free(&r);
}

static void test_heap(void)
{
	struct dsim_config c = cfg_frames(0);
	struct rig r;
	size_t i;
	uint64_t last = 0;
	bool sorted = true;

	rig_init(&r, 500, 0, &c, false);
	for (i = 0; i < 500; i++)
		dsim_schedule(&r.s, &r.s.devs[i], (i * 7919) % 1000 + 1);
	for (i = 0; i < 500; i += 3)	/* reschedule a third */
		dsim_schedule(&r.s, &r.s.devs[i], (i * 31) % 1000 + 1);
	ok(r.s.heap_len == 500 && r.s.unfinished == 500,
	   "heap: 500 timers, rescheduling does not add");
	while (r.s.heap_len) {
		struct dsim_dev *d = r.s.heap[0];

		if (d->deadline < last)
			sorted = false;
		last = d->deadline;
		/* pop by setting no deadline, as the timer loop does */
		d->state = DSIM_DONE;
		dsim_run_timers(&r.s, d->deadline);
	}
	ok(sorted, "heap: deadlines come out in order");
	rig_free(&r);
}

/* ---- rekeys in the live SA --------------------------------------------- */

/*
 * Device 0 of @profile over @suite with @ctr_bits, authenticated and its
 * T-ID confirmed: the SA a rekey starts from.  The exchange itself is
 * tested above; here a failure of it is a broken rig.
 */
static void rekey_rig(struct rig *r, uint8_t profile, uint8_t suite,
		      uint8_t ctr_bits)
{
	struct dsim_config c = cfg_frames(0);

	rig_init(r, 1, profile, &c, false);
	r->n.devs[0].suite = suite;
	r->n.devs[0].ctr_bits = ctr_bits;
	dsim_schedule(&r->s, &r->s.devs[0], 0);
	rig_run(r, 60000);
	if (r->s.devs[0].outcome != DSIM_OUT_AUTH ||
	    r->s.devs[0].state != DSIM_LISTEN || !r->n.devs[0].confirmed)
		abort();
	r->n.now = r->now;
}

/*
 * Open the uplink frame @f with key phase @phase of the network, without
 * its replay window: the body length in @body, or a negative errno.
 */
static ssize_t open_up(const struct net_dev *nd, unsigned int phase,
		       const struct frame *f, struct aiot_hdr *h,
		       uint64_t *ctr, uint8_t *body)
{
	if (!nd->key_set[phase])
		return -ENOKEY;
	return aiot_frame_unprotect(&nd->key[phase], AIOT_DIR_UPLINK, NULL,
				    f->b, f->len, h, ctr, body,
				    DSIM_FRAME_MAX);
}

/* The control body of the uplink frame @f in phase @phase, decoded. */
static bool up_ctrl(const struct net_dev *nd, unsigned int phase,
		    const struct frame *f, struct aka_ctrl *c, uint64_t *ctr)
{
	uint8_t body[DSIM_FRAME_MAX];
	struct aiot_hdr h;
	ssize_t bl = open_up(nd, phase, f, &h, ctr, body);

	return bl > 0 && h.type == AIOTSEC_FT_CONTROL &&
	       h.key_phase == phase && !aka_ctrl_decode(body, (size_t)bl, c);
}

/* Whether the uplink frames @a and @b carry one body under two counters. */
static bool same_body(const struct net_dev *nd, unsigned int phase,
		      const struct frame *a, const struct frame *b)
{
	uint8_t ba[DSIM_FRAME_MAX], bb[DSIM_FRAME_MAX];
	uint64_t ca, cb;
	ssize_t la = open_up(nd, phase, a, NULL, &ca, ba);
	ssize_t lb = open_up(nd, phase, b, NULL, &cb, bb);

	return la > 0 && la == lb && !memcmp(ba, bb, (size_t)la) && ca != cb;
}

/* A downlink INVENTORY frame in key phase @phase: taken by the device? */
static bool down_taken(struct rig *r, unsigned int phase)
{
	struct dsim_dev *d = &r->s.devs[0];
	unsigned int data = d->frames_rx_data, bad = d->frames_bad;

	net_protect_phase(&r->n, &r->n.devs[0], phase, AIOTSEC_FT_INVENTORY,
			  (const uint8_t *)"INV", 3);
	rig_down(r);
	return d->frames_rx_data == data + 1 && d->frames_bad == bad;
}

/*
 * Rekey @nth of device 0, with @attempt, one leg at a time: REKEY,
 * HELLO, CHALLENGE, RESPONSE, ACCEPT and T-ID-ASSIGN (old key), then
 * the device's T-ID-CONFIRM, the first frame of its new key.
 */
static void rekey_complete(struct rig *r, uint32_t attempt, unsigned int nth,
			   const char *name)
{
	struct dsim_dev *d = &r->s.devs[0];
	struct net_dev *nd = &r->n.devs[0];
	unsigned int old = d->tx_phase, now = !old;
	unsigned int confirms = r->n.confirms;
	uint64_t sqn_max = d->akst.sqn_max, sqn = nd->sqn, ctr = 1;
	bool mutual = d->cred.profile == AIOTSEC_PROFILE_COMMAND;
	uint8_t body[DSIM_FRAME_MAX];
	struct aka_ctrl c;
	char desc[160];

	net_rekey(&r->n, nd, attempt);
	rig_down(r);		/* REKEY: HELLO */
	rig_up(r);		/* CHALLENGE */
	rig_down(r);		/* RESPONSE */
	rig_up(r);		/* ACCEPT, T-ID-ASSIGN */
	rig_down(r);		/* the switch; T-ID-CONFIRM queued */

	snprintf(desc, sizeof(desc), "%s rekey %u: completed, device sends "
		 "in key phase %u, both phases kept", name, nth, now);
	ok(d->rekeys == nth && d->rekeys_failed == 0 && d->tx_phase == now &&
	   d->rk_state == DSIM_RK_NONE && d->key_set[0] && d->key_set[1],
	   desc);
	snprintf(desc, sizeof(desc), "%s rekey %u: %s CHALLENGE answered",
		 name, nth, mutual ? "mutual, SQN accepted," : "one-way");
	ok(nd->rk.ex.mode == (mutual ? AKA_MODE_MUTUAL : AKA_MODE_ONE_WAY) &&
	   nd->rk.hellos == 1 && nd->rk.responses == 1 &&
	   d->akst.sqn_max == (mutual ? sqn : sqn_max) &&
	   nd->sqn == (mutual ? sqn + 1 : sqn), desc);
	snprintf(desc, sizeof(desc), "%s rekey %u: next uplink frame "
		 "T-ID-CONFIRM in phase %u, counter 0, new key", name, nth, now);
	ok(r->up.n == 1 && up_ctrl(nd, now, &r->up.f[0], &c, &ctr) &&
	   ctr == 0 && c.type == AKA_CTRL_TID_CONFIRM &&
	   !memcmp(c.tid, nd->tid_next, AKA_TID_LEN) && d->tx_ctr == 1, desc);
	snprintf(desc, sizeof(desc), "%s rekey %u: it does not verify with "
		 "the old key", name, nth);
	ok(r->up.n == 1 &&
	   open_up(nd, old, &r->up.f[0], NULL, NULL, body) == -EBADMSG,
	   desc);

	rig_up(r);
	snprintf(desc, sizeof(desc), "%s rekey %u: network took it and "
		 "switched to phase %u", name, nth, now);
	ok(r->n.confirms == confirms + 1 && nd->key_switches == nth &&
	   nd->tx_phase == now && !nd->next_pending && nd->bad == 0 &&
	   !memcmp(d->tid, nd->tid, AKA_TID_LEN), desc);
	snprintf(desc, sizeof(desc), "%s rekey %u: downlink with the old key "
		 "(phase %u) still taken", name, nth, old);
	ok(down_taken(r, old), desc);
	snprintf(desc, sizeof(desc), "%s rekey %u: downlink with the new key "
		 "(phase %u) taken", name, nth, now);
	ok(down_taken(r, now), desc);
}

static void test_rekey_live(void)
{
	static const struct {
		uint8_t profile, suite, ctr_bits;
		const char *name;
	} v[] = {
		{ AIOTSEC_PROFILE_INVENTORY, AIOTSEC_SUITE_NIA2, 32,
		  "one-way nia2" },
		{ AIOTSEC_PROFILE_INVENTORY, AIOTSEC_SUITE_NIA2_NEA2, 16,
		  "one-way nia2-nea2" },
		{ AIOTSEC_PROFILE_COMMAND, AIOTSEC_SUITE_AES_GCM, 32,
		  "mutual aes-gcm" },
		{ AIOTSEC_PROFILE_COMMAND, AIOTSEC_SUITE_AES_CCM, 16,
		  "mutual aes-ccm" },
	};
	struct rig r;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(*v); i++) {
		rekey_rig(&r, v[i].profile, v[i].suite, v[i].ctr_bits);
		rekey_complete(&r, 0x5e000001, 1, v[i].name);
		rekey_complete(&r, 0x5e000002, 2, v[i].name);	/* phase 0 */
		rig_free(&r);
	}
}

static void test_rekey_repeat(void)
{
	struct rig r;
	struct dsim_dev *d;
	struct net_dev *nd;
	struct frame f1, f3;
	struct aka_ctrl c;
	uint64_t sqn_max, ctr;

	rekey_rig(&r, AIOTSEC_PROFILE_COMMAND, AIOTSEC_SUITE_AES_GCM, 16);
	d = &r.s.devs[0];
	nd = &r.n.devs[0];

	net_rekey(&r.n, nd, 0xabc);
	rig_down(&r);
	f1 = r.up.f[0];
	r.up.n = 0;		/* the HELLO is lost */
	net_rekey(&r.n, nd, 0xabc);
	rig_down(&r);
	ok(r.up.n == 1 && same_body(nd, 0, &f1, &r.up.f[0]) &&
	   up_ctrl(nd, 0, &f1, &c, &ctr) && c.type == AKA_CTRL_AUTH &&
	   c.attempt == 0xabc && c.msg.type == AKA_MSG_HELLO,
	   "rekey repeat: repeated REKEY gets the same HELLO, new counter");

	rig_up(&r);		/* CHALLENGE */
	rig_down(&r);		/* RESPONSE */
	sqn_max = d->akst.sqn_max;
	f3 = r.up.f[0];
	r.up.n = 0;		/* the RESPONSE is lost */
	net_rk_repeat(&r.n, nd);
	rig_down(&r);
	ok(r.up.n == 1 && same_body(nd, 0, &f3, &r.up.f[0]) &&
	   up_ctrl(nd, 0, &f3, &c, &ctr) && c.type == AKA_CTRL_AUTH &&
	   c.msg.type == AKA_MSG_RESPONSE,
	   "rekey repeat: repeated CHALLENGE gets the same RESPONSE, "
	   "new counter");
	ok(sqn_max == nd->sqn - 1 && d->akst.sqn_max == sqn_max &&
	   d->resyncs == 0 && d->rk_state == DSIM_RK_WAIT_ACCEPT,
	   "rekey repeat: CHALLENGE not answered twice (SQN kept, "
	   "no SYNC_FAILURE)");
	rig_flush(&r);
	ok(d->rekeys == 1 && d->tx_phase == 1 && nd->key_switches == 1 &&
	   nd->rk.hellos == 1 && nd->rk.responses == 1 &&
	   nd->rk.sync_failures == 0 && r.n.rk_foreign == 0,
	   "rekey repeat: the rekey completes");
	rig_free(&r);
}

static void test_rekey_tid_wait(void)
{
	uint8_t tid[AKA_TID_LEN];
	struct rig r;
	struct dsim_dev *d;
	struct net_dev *nd;
	struct aka_ctrl c;
	uint64_t ctr;

	rekey_rig(&r, AIOTSEC_PROFILE_INVENTORY, AIOTSEC_SUITE_AES_GCM, 16);
	d = &r.s.devs[0];
	nd = &r.n.devs[0];
	memcpy(tid, d->tid, AKA_TID_LEN);
	net_rekey(&r.n, nd, 77);
	rig_down(&r);
	rig_up(&r);
	rig_down(&r);		/* RESPONSE queued */
	net_assign_tid(&r.n, nd);
	rig_down(&r);
	ok(d->rk_state == DSIM_RK_WAIT_ACCEPT && r.up.n == 1 &&
	   !memcmp(d->tid, tid, AKA_TID_LEN),
	   "rekey T-ID: T-ID-ASSIGN before the ACCEPT ignored, "
	   "no T-ID-CONFIRM");
	rig_up(&r);		/* ACCEPT, T-ID-ASSIGN again */
	rig_down(&r);
	ok(d->rekeys == 1 && !memcmp(d->tid, nd->tid_next, AKA_TID_LEN) &&
	   memcmp(d->tid, tid, AKA_TID_LEN) && r.up.n == 1 &&
	   up_ctrl(nd, 1, &r.up.f[0], &c, &ctr) &&
	   c.type == AKA_CTRL_TID_CONFIRM &&
	   !memcmp(c.tid, d->tid, AKA_TID_LEN),
	   "rekey T-ID: after the ACCEPT adopted, confirmed in key phase 1");
	rig_up(&r);
	ok(nd->key_switches == 1 && !memcmp(nd->tid, d->tid, AKA_TID_LEN) &&
	   !memcmp(nd->tid_prev, tid, AKA_TID_LEN),
	   "rekey T-ID: network rotated the T-ID, switched keys");
	rig_free(&r);
}

static void test_rekey_bad_accept(void)
{
	static const struct {
		int how;
		const char *what;
	} v[] = {
		{ RK_ACCEPT_SID, "another SID" },
		{ RK_ACCEPT_SUITE, "another suite" },
		{ RK_ACCEPT_BITS, "other counter bits" },
	};
	struct rig r;
	struct dsim_dev *d;
	struct net_dev *nd;
	unsigned int i, confirms;
	char desc[160];

	rekey_rig(&r, AIOTSEC_PROFILE_INVENTORY, AIOTSEC_SUITE_AES_CCM, 32);
	d = &r.s.devs[0];
	nd = &r.n.devs[0];
	for (i = 0; i < sizeof(v) / sizeof(*v); i++) {
		confirms = r.n.confirms;
		r.n.rk_bad_accept = v[i].how;
		net_rekey(&r.n, nd, 0x100 + i);
		rig_flush(&r);
		snprintf(desc, sizeof(desc), "rekey: ACCEPT naming %s refused, "
			 "no key change", v[i].what);
		ok(d->rekeys_failed == i + 1 && d->rekeys == 0 &&
		   d->tx_phase == 0 && !d->key_set[1] &&
		   d->rk_state == DSIM_RK_NONE, desc);
		snprintf(desc, sizeof(desc), "rekey: after %s, T-ID confirmed "
			 "with the old key", v[i].what);
		ok(r.n.confirms == confirms + 1 && nd->key_switches == 0 &&
		   nd->tx_phase == 0 && nd->bad == 0 &&
		   !memcmp(d->tid, nd->tid, AKA_TID_LEN), desc);
	}
	rig_free(&r);
}

/*
 * A T-ID-ASSIGN names its attempt: the device takes only the one of its
 * latest ACCEPT, so an older one replayed within the SA (after a rekey,
 * it still verifies with the previous key) cannot take it back to a
 * T-ID the network may have dropped.
 */
static void test_tid_assign_stale(void)
{
	struct aka_ctrl c = { .type = AKA_CTRL_TID_ASSIGN };
	unsigned long unexpected;
	unsigned int confirms;
	uint8_t held[AKA_TID_LEN];
	struct dsim_dev *d;
	struct net_dev *nd;
	uint32_t air;
	struct rig r;

	rekey_rig(&r, AIOTSEC_PROFILE_INVENTORY, AIOTSEC_SUITE_AES_GCM, 32);
	d = &r.s.devs[0];
	nd = &r.n.devs[0];
	air = nd->accept_attempt;
	net_rekey(&r.n, nd, 0x300);
	rig_flush(&r);
	ok(d->rekeys == 1 && nd->accept_attempt == 0x300 &&
	   !memcmp(d->tid, nd->tid, AKA_TID_LEN),
	   "stale T-ID-ASSIGN: the rekey's T-ID taken");
	memcpy(held, d->tid, AKA_TID_LEN);
	unexpected = r.s.tot.rx_unexpected;
	confirms = r.n.confirms;
	c.attempt = air;
	RAND_bytes(c.tid, AKA_TID_LEN);
	net_ctrl(&r.n, nd, &c);
	rig_flush(&r);
	ok(!memcmp(d->tid, held, AKA_TID_LEN) && r.n.confirms == confirms &&
	   r.s.tot.rx_unexpected == unexpected + 1,
	   "stale T-ID-ASSIGN: the one of an earlier ACCEPT ignored, no CONFIRM");
	net_assign_tid(&r.n, nd);	/* the latest ACCEPT's, 0x300 */
	rig_flush(&r);
	ok(!memcmp(d->tid, nd->tid_next, AKA_TID_LEN) &&
	   r.n.confirms == confirms + 1,
	   "stale T-ID-ASSIGN: the latest ACCEPT's taken and confirmed");
	rig_free(&r);
}

static void test_rekey_reject(void)
{
	struct aka_net_expect ex;
	struct aka_msg ch, rej = { .type = AKA_MSG_REJECT };
	uint8_t rand_n[AKA_RAND_LEN] = { 9 };
	unsigned long unexpected;
	struct rig r;
	struct dsim_dev *d;
	struct net_dev *nd;
	struct aka_ctrl c;
	uint64_t ctr;

	rekey_rig(&r, AIOTSEC_PROFILE_INVENTORY, AIOTSEC_SUITE_NIA2, 16);
	d = &r.s.devs[0];
	nd = &r.n.devs[0];
	r.n.rk_reject = AKA_CAUSE_RATE_LIMITED;
	net_rekey(&r.n, nd, 0x2001);
	rig_flush(&r);
	ok(d->rekeys_failed == 1 && d->rekeys == 0 && d->tx_phase == 0 &&
	   !d->key_set[1] && d->rk_state == DSIM_RK_NONE &&
	   nd->rk.hellos == 1 && nd->rk.closed,
	   "rekey REJECT: the rekey ends, no key change");
	net_assign_tid(&r.n, nd);
	rig_down(&r);
	ok(r.up.n == 1 && up_ctrl(nd, 0, &r.up.f[0], &c, &ctr) &&
	   c.type == AKA_CTRL_TID_CONFIRM && ctr == d->tx_ctr - 1 && ctr > 1,
	   "rekey REJECT: the SA goes on with its key and counter");
	rig_flush(&r);

	/* messages of another attempt leave a running rekey alone */
	r.n.rk_reject = 0;
	net_rekey(&r.n, nd, 0x2002);
	rig_down(&r);		/* HELLO queued */
	unexpected = r.s.tot.rx_unexpected;
	if (aka_net_challenge(&nd->cred, 0, rand_n, AKA_MODE_ONE_WAY, &ch,
			      &ex))
		abort();
	net_rk_send(&r.n, nd, 0x2003, &ch);
	rej.reject.cause = AKA_CAUSE_RATE_LIMITED;
	net_rk_send(&r.n, nd, 0x2003, &rej);
	rig_down(&r);
	ok(r.s.tot.rx_unexpected == unexpected + 2 && r.up.n == 1 &&
	   d->rk_state == DSIM_RK_WAIT_CHALLENGE && d->rekeys_failed == 1,
	   "rekey: AUTH of another attempt ID counted as rx_unexpected");
	rig_flush(&r);
	ok(d->rekeys == 1 && d->rekeys_failed == 1 && d->tx_phase == 1 &&
	   nd->key_switches == 1,
	   "rekey: the running rekey then completes");
	rig_free(&r);
}

static void test_rekey_resync(void)
{
	struct rig r;
	struct dsim_dev *d;
	struct net_dev *nd;
	unsigned int resyncs;

	rekey_rig(&r, AIOTSEC_PROFILE_COMMAND, AIOTSEC_SUITE_NIA2_NEA2, 32);
	d = &r.s.devs[0];
	nd = &r.n.devs[0];
	d->akst.sqn_max = 700;	/* the network's SQN is stale */
	nd->sqn = 5;
	resyncs = d->resyncs;
	net_rekey(&r.n, nd, 0x3001);
	rig_flush(&r);
	ok(nd->rk.sync_failures == 1 && d->resyncs == resyncs + 1 &&
	   r.n.sync_failures == 0,
	   "rekey resync: stale SQN answered with SYNC_FAILURE in AUTH");
	ok(nd->rk.resynced && d->akst.sqn_max == 701 && nd->sqn == 702 &&
	   nd->rk.ex.mode == AKA_MODE_MUTUAL,
	   "rekey resync: network resynchronised, challenged with SQN_D + 1");
	ok(d->rekeys == 1 && d->rekeys_failed == 0 && d->tx_phase == 1 &&
	   nd->key_switches == 1 && nd->tx_phase == 1,
	   "rekey resync: the rekey completes");
	rig_free(&r);
}

int main(void)
{
	test_one_way();
	test_mutual_command();
	test_resync();
	test_reject();
	test_one_way_refused();
	test_retransmission_timing();
	test_forged_challenge();
	test_reader_address();
	test_suci();
	test_attacks();
	test_heap();
	test_rekey_live();
	test_rekey_repeat();
	test_rekey_tid_wait();
	test_rekey_bad_accept();
	test_tid_assign_stale();
	test_rekey_reject();
	test_rekey_resync();
	test_scale();
	return tap_done();
}
