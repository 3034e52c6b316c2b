// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the device simulator's state machine (user/lib/devsim_fsm.c)
 * against a network side made of aka_net_*() and the frame protection,
 * over a fake air with simulated time: one-way and mutual
 * authentication, SQN resynchronisation, rejections, the retransmission
 * schedule of Documentation/protocol.rst, lost messages, T-ID adoption
 * and confirmation, SUCI, COMMAND / RESPONSE frames, the attack modes,
 * and a few thousand devices at once.
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

struct net_dev {
	struct aka_cred cred;
	char pid[AKA_PID_MAX + 1];
	uint8_t tid[AKA_TID_LEN], tid_prev[AKA_TID_LEN], tid_next[AKA_TID_LEN];
	bool has_tid;
	uint64_t sqn;			/* next SQN */
	uint8_t suite, ctr_bits;
	bool confirmed;
	unsigned int inventory, responses, replays_dropped, bad;
	uint8_t last_response[DSIM_BODY_MAX];
	size_t last_response_len;
	/* the session */
	bool sa;
	uint32_t sid;
	struct aiot_key key;
	struct aiot_replay rp;
	uint64_t tx_ctr;
};

struct net_att {
	bool used, closed;
	uint32_t id;
	int dev;
	uint8_t rand_d[AKA_RAND_LEN];
	struct aka_net_expect ex;
	uint8_t last_in[AKA_MSG_MAX];	/* message answered last */
	size_t last_in_len;
	uint8_t answer[AKA_MSG_MAX + AIOT_HDR_MAX];
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
	int hl = aiot_hdr_build(a->answer, AIOTSEC_FT_AUTH, 0, 16,
				AIOT_DIR_DOWNLINK, a->id, 0);
	ssize_t len = aka_msg_encode(m, a->answer + hl,
				     sizeof(a->answer) - (size_t)hl);

	if (hl < 0 || len < 0)
		abort();
	a->answer_len = (size_t)hl + (size_t)len;
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

static void net_protect(struct net *n, struct net_dev *d, uint8_t type,
			const uint8_t *body, size_t len)
{
	uint8_t f[DSIM_FRAME_MAX];
	ssize_t fl = aiot_frame_protect(&d->key, type, 0, d->ctr_bits,
					AIOT_DIR_DOWNLINK, d->sid,
					d->tx_ctr++, body, len, f, sizeof(f));

	if (fl < 0)
		abort();
	q_push(n->down, f, (size_t)fl, n->now);
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
	struct aka_ctrl c = { .type = AKA_CTRL_TID_ASSIGN };
	struct aka_msg m = { .type = AKA_MSG_ACCEPT };
	uint8_t body[AKA_CTRL_LEN];
	size_t klen;

	if (d->sa) {
		aiot_key_free(&d->key);
		aiot_replay_free(&d->rp);
	}
	d->sid = n->next_sid++;
	if (aka_derive_kaiotf(a->ex.ck, a->ex.ik, a->ex.rand_n, a->rand_d,
			      d->sid, a->id, kaiotf) ||
	    aka_derive_sa_key(kaiotf, d->suite, key, &klen) ||
	    aiot_key_init(&d->key, d->suite,
			  d->suite == AIOTSEC_SUITE_AES_CCM ? 8 : 0, key,
			  klen) ||
	    aiot_replay_init(&d->rp, 64))
		abort();
	d->sa = true;
	d->tx_ctr = 0;
	a->closed = true;
	m.accept.sid = d->sid;
	m.accept.suite = d->suite;
	m.accept.ctr_bits = d->ctr_bits;
	net_send_auth(n, a, &m);

	/* the next T-ID, "committed", then assigned */
	RAND_bytes(d->tid_next, AKA_TID_LEN);
	memcpy(c.tid, d->tid_next, AKA_TID_LEN);
	if (aka_ctrl_encode(&c, body, sizeof(body)) != AKA_CTRL_LEN)
		abort();
	net_protect(n, d, AIOTSEC_FT_CONTROL, body, sizeof(body));
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

static void net_frame(struct net *n, const uint8_t *f, size_t len)
{
	uint8_t body[DSIM_FRAME_MAX];
	struct aiot_hdr h;
	struct aka_ctrl c;
	struct net_dev *d = NULL;
	ssize_t bl;
	size_t i;

	if (aiot_hdr_parse(f, len, &h) < 0 || h.dir != AIOT_DIR_UPLINK)
		abort();	/* the device only sends uplink */
	if (h.type == AIOTSEC_FT_AUTH) {
		net_auth(n, &h, f + h.len, len - h.len);
		return;
	}
	for (i = 0; i < n->ndevs; i++)
		if (n->devs[i].sa && n->devs[i].sid == h.sid)
			d = &n->devs[i];
	if (!d)
		return;
	bl = aiot_frame_unprotect(&d->key, AIOT_DIR_UPLINK, &d->rp, f, len,
				  NULL, NULL, body, sizeof(body));
	if (bl == -EALREADY || bl == -ERANGE) {
		d->replays_dropped++;
		return;
	}
	if (bl < 0) {
		d->bad++;
		return;
	}
	switch (h.type) {
	case AIOTSEC_FT_CONTROL:
		if (aka_ctrl_decode(body, (size_t)bl, &c) ||
		    c.type != AKA_CTRL_TID_CONFIRM ||
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
		if (r->n.devs[i].sa) {
			aiot_key_free(&r->n.devs[i].key);
			aiot_replay_free(&r->n.devs[i].rp);
		}
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
			dsim_rx(&r->s, down.f[i].b, down.f[i].len, r->now);
		}
		free(up.f);
		free(down.f);
	}
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
		ssize_t fl = aiot_frame_protect(&nd->key, AIOTSEC_FT_COMMAND,
						0, nd->ctr_bits,
						AIOT_DIR_DOWNLINK, nd->sid,
						nd->tx_ctr - 1,
						(const uint8_t *)"W", 1, f,
						sizeof(f));

		dsim_rx(&r.s, f, (size_t)fl, r.now);
		ok(d->commands == 2 && d->frames_bad == 1,
		   "mutual: replayed COMMAND dropped");
		f[fl - 1] ^= 1;
		dsim_rx(&r.s, f, (size_t)fl, r.now);
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
		uint8_t rn[AKA_RAND_LEN] = { 1 }, f[64];
		int hl = aiot_hdr_build(f, AIOTSEC_FT_AUTH, 0, 16,
					AIOT_DIR_DOWNLINK, d->attempt, 0);
		ssize_t n;

		aka_net_challenge(&r.n.devs[0].cred, 0, rn, AKA_MODE_ONE_WAY,
				  &ch, &ex);
		n = aka_msg_encode(&ch, f + hl, sizeof(f) - (size_t)hl);
		r.up.n = 0;
		dsim_rx(&r.s, f, (size_t)hl + (size_t)n, 10);
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

int main(void)
{
	test_one_way();
	test_mutual_command();
	test_resync();
	test_reject();
	test_one_way_refused();
	test_retransmission_timing();
	test_suci();
	test_attacks();
	test_heap();
	test_scale();
	return tap_done();
}
