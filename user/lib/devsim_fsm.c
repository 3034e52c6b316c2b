// SPDX-License-Identifier: GPL-2.0
/*
 * Device side of the aiotsec authentication protocol for many simulated
 * devices, as an event-driven state machine (see devsim_fsm.h).
 *
 * Per device:
 *
 *   IDLE --timer--> WAIT_CHALLENGE (HELLO sent, retransmitted 1, 2, 4, 8 s)
 *   WAIT_CHALLENGE --CHALLENGE--> WAIT_ACCEPT (RESPONSE sent, retransmitted)
 *                             \-> WAIT_CHALLENGE (SYNC_FAILURE sent)
 *                             \-> DONE (device REJECT mac-failure)
 *   WAIT_ACCEPT --ACCEPT--> WAIT_TID (SA keyed)
 *   WAIT_TID --T-ID-ASSIGN--> FRAMES (T-ID adopted, T-ID-CONFIRM sent)
 *   FRAMES --timer--> ... --> LISTEN (answers COMMAND frames)
 *   any waiting state --REJECT--> DONE (or BACKOFF, then a new attempt)
 *
 * With a session, a protected REKEY from the network starts a rekey in
 * the live SA: HELLO, CHALLENGE, RESPONSE (or SYNC_FAILURE) and ACCEPT
 * travel in protected AUTH control frames; the network retransmits, the
 * device repeats its last answer.  On ACCEPT the new key goes into the
 * other key phase and the device sends with it at once; both phases stay
 * for receiving until the next rekey.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <linux/aiotsec.h>

#include "devsim_fsm.h"

#define AUTH_CTR_BITS	16

/* ---- names ---------------------------------------------------------- */

static const char *const outcome_names[] = {
	[DSIM_OUT_NONE] = "none",
	[DSIM_OUT_AUTH] = "authenticated",
	[DSIM_OUT_REJECTED] = "rejected",
	[DSIM_OUT_REFUSED] = "refused",
	[DSIM_OUT_TIMEOUT] = "timeout",
	[DSIM_OUT_ERROR] = "error",
};

const char *dsim_outcome_name(enum dsim_outcome o)
{
	return (unsigned int)o < sizeof(outcome_names) / sizeof(*outcome_names)
	       ? outcome_names[o] : "?";
}

static const char *const state_names[] = {
	[DSIM_IDLE] = "idle",
	[DSIM_WAIT_CHALLENGE] = "wait-challenge",
	[DSIM_WAIT_ACCEPT] = "wait-accept",
	[DSIM_WAIT_TID] = "wait-tid",
	[DSIM_FRAMES] = "frames",
	[DSIM_BACKOFF] = "backoff",
	[DSIM_LISTEN] = "listen",
	[DSIM_DONE] = "done",
};

const char *dsim_state_name(enum dsim_state st)
{
	return (unsigned int)st < sizeof(state_names) / sizeof(*state_names)
	       ? state_names[st] : "?";
}

static const char *const attack_names[] = {
	[DSIM_ATTACK_NONE] = "none",
	[DSIM_ATTACK_REPLAY] = "replay",
	[DSIM_ATTACK_WRONG_KEY] = "wrong-key",
	[DSIM_ATTACK_FORGED_TID] = "forged-tid",
	[DSIM_ATTACK_REPLAY_FRAMES] = "replay-frames",
	[DSIM_ATTACK_FORGED_FRAMES] = "forged-frames",
};

const char *dsim_attack_name(enum dsim_attack a)
{
	return (unsigned int)a < sizeof(attack_names) / sizeof(*attack_names)
	       ? attack_names[a] : "?";
}

int dsim_attack_parse(const char *name, enum dsim_attack *a)
{
	unsigned int i;

	for (i = 0; i < sizeof(attack_names) / sizeof(*attack_names); i++) {
		if (!strcmp(name, attack_names[i])) {
			*a = (enum dsim_attack)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *dsim_suite_name(uint8_t suite)
{
	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
		return "nia2-nea2";
	case AIOTSEC_SUITE_NIA2:
		return "nia2";
	case AIOTSEC_SUITE_AES_CCM:
		return "aes-ccm";
	case AIOTSEC_SUITE_AES_GCM:
		return "aes-gcm";
	}
	return "none";
}

void dsim_config_defaults(struct dsim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->frames = 0;
	cfg->frame_interval_ms = 20;
	cfg->rto_ms = 1000;
	cfg->rto_max_ms = 8000;
	cfg->retries = 4;
	cfg->tid_wait_ms = 5000;
	cfg->backoff_ms = 2000;
	cfg->rate_limited_retries = 3;
	cfg->ccm_tag_len = 8;
}

/* ---- timer heap (min-heap on deadline, positions kept in the devices) */

static void heap_swap(struct dsim *s, size_t a, size_t b)
{
	struct dsim_dev *t = s->heap[a];

	s->heap[a] = s->heap[b];
	s->heap[b] = t;
	s->heap[a]->heap_pos = a + 1;
	s->heap[b]->heap_pos = b + 1;
}

static void heap_up(struct dsim *s, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (s->heap[p]->deadline <= s->heap[i]->deadline)
			break;
		heap_swap(s, p, i);
		i = p;
	}
}

static void heap_down(struct dsim *s, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < s->heap_len &&
		    s->heap[l]->deadline < s->heap[m]->deadline)
			m = l;
		if (r < s->heap_len &&
		    s->heap[r]->deadline < s->heap[m]->deadline)
			m = r;
		if (m == i)
			break;
		heap_swap(s, m, i);
		i = m;
	}
}

static void heap_remove(struct dsim *s, struct dsim_dev *d)
{
	size_t i;

	if (!d->heap_pos)
		return;
	i = d->heap_pos - 1;
	d->heap_pos = 0;
	s->heap_len--;
	if (i == s->heap_len)
		return;
	s->heap[i] = s->heap[s->heap_len];
	s->heap[i]->heap_pos = i + 1;
	heap_up(s, i);
	heap_down(s, s->heap[i]->heap_pos - 1);
}

static void set_deadline(struct dsim *s, struct dsim_dev *d, uint64_t t)
{
	heap_remove(s, d);
	d->deadline = t;
	if (t == DSIM_NO_DEADLINE)
		return;
	s->heap[s->heap_len] = d;
	d->heap_pos = ++s->heap_len;
	heap_up(s, s->heap_len - 1);
}

uint64_t dsim_next_deadline(const struct dsim *s)
{
	return s->heap_len ? s->heap[0]->deadline : DSIM_NO_DEADLINE;
}

/* ---- hash tables by attempt ID and by SID ---------------------------- */

static size_t bucket(const struct dsim *s, uint32_t key)
{
	uint32_t h = key * 0x9e3779b1u;

	h ^= h >> 15;
	return h & (s->nbuckets - 1);
}

static struct dsim_dev *att_find(const struct dsim *s, uint32_t att)
{
	struct dsim_dev *d;

	for (d = s->att_hash[bucket(s, att)]; d; d = d->att_next)
		if (d->attempt == att)
			return d;
	return NULL;
}

static struct dsim_dev *sid_find(const struct dsim *s, uint32_t sid)
{
	struct dsim_dev *d;

	for (d = s->sid_hash[bucket(s, sid)]; d; d = d->sid_next)
		if (d->sid == sid)
			return d;
	return NULL;
}

static void chain_del(struct dsim_dev **head, struct dsim_dev *d, bool sid)
{
	struct dsim_dev **pp;

	for (pp = head; *pp; pp = sid ? &(*pp)->sid_next : &(*pp)->att_next) {
		if (*pp == d) {
			*pp = sid ? d->sid_next : d->att_next;
			return;
		}
	}
}

static void att_del(struct dsim *s, struct dsim_dev *d)
{
	if (!d->in_att_hash)
		return;
	chain_del(&s->att_hash[bucket(s, d->attempt)], d, false);
	d->in_att_hash = false;
}

static void att_add(struct dsim *s, struct dsim_dev *d)
{
	size_t b = bucket(s, d->attempt);

	d->att_next = s->att_hash[b];
	s->att_hash[b] = d;
	d->in_att_hash = true;
}

static void sid_del(struct dsim *s, struct dsim_dev *d)
{
	if (!d->in_sid_hash)
		return;
	chain_del(&s->sid_hash[bucket(s, d->sid)], d, true);
	d->in_sid_hash = false;
}

static void sid_add(struct dsim *s, struct dsim_dev *d)
{
	struct dsim_dev *old = sid_find(s, d->sid);
	size_t b = bucket(s, d->sid);

	/* the network hands a SID out once; a stale holder loses it */
	if (old)
		sid_del(s, old);
	d->sid_next = s->sid_hash[b];
	s->sid_hash[b] = d;
	d->in_sid_hash = true;
}

/* ---- set up ----------------------------------------------------------- */

int dsim_init(struct dsim *s, const struct dsim_config *cfg,
	      const struct dsim_ops *ops, void *arg, size_t ndevs)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!cfg || !ops || !ops->send || !ndevs)
		return -EINVAL;
	s->cfg = *cfg;
	s->ops = *ops;
	s->arg = arg;
	s->ndevs = ndevs;
	for (s->nbuckets = 16; s->nbuckets < 2 * ndevs; s->nbuckets <<= 1)
		;
	s->devs = calloc(ndevs, sizeof(*s->devs));
	s->att_hash = calloc(s->nbuckets, sizeof(*s->att_hash));
	s->sid_hash = calloc(s->nbuckets, sizeof(*s->sid_hash));
	s->heap = calloc(ndevs, sizeof(*s->heap));
	if (!s->devs || !s->att_hash || !s->sid_hash || !s->heap) {
		dsim_free(s);
		return -ENOMEM;
	}
	for (i = 0; i < ndevs; i++) {
		s->devs[i].idx = (uint32_t)i;
		s->devs[i].deadline = DSIM_NO_DEADLINE;
	}
	return 0;
}

static void drop_key(struct dsim_dev *d, unsigned int phase)
{
	if (d->key_set[phase]) {
		aiot_key_free(&d->key[phase]);
		aiot_replay_free(&d->rp[phase]);
		d->key_set[phase] = false;
	}
}

static void drop_session(struct dsim_dev *d)
{
	drop_key(d, 0);
	drop_key(d, 1);
	d->key_ok = false;
	d->rk_state = DSIM_RK_NONE;
	OPENSSL_cleanse(d->rk_ck, sizeof(d->rk_ck));
	OPENSSL_cleanse(d->rk_ik, sizeof(d->rk_ik));
	/* a new session is heard from whichever reader: broadcast again */
	d->reader_known = false;
}

/* Key phase @phase of the session with @key; 0 or a negative errno. */
static int set_key(struct dsim *s, struct dsim_dev *d, unsigned int phase,
		   const uint8_t *key, size_t klen)
{
	int ret;

	drop_key(d, phase);
	ret = aiot_key_init(&d->key[phase], d->suite,
			    d->suite == AIOTSEC_SUITE_AES_CCM ?
			    s->cfg.ccm_tag_len : 0, key, klen);
	if (ret)
		return ret;
	ret = aiot_replay_init(&d->rp[phase], DSIM_RX_WINDOW);
	if (ret) {
		aiot_key_free(&d->key[phase]);
		return ret;
	}
	d->key_set[phase] = true;
	return 0;
}

void dsim_free(struct dsim *s)
{
	size_t i;

	if (s->devs) {
		for (i = 0; i < s->ndevs; i++) {
			struct dsim_dev *d = &s->devs[i];

			drop_session(d);
			free(d->kept);
			free(d->kept_len);
			OPENSSL_cleanse(d, sizeof(*d));
		}
	}
	free(s->devs);
	free(s->att_hash);
	free(s->sid_hash);
	free(s->heap);
	memset(s, 0, sizeof(*s));
}

void dsim_schedule(struct dsim *s, struct dsim_dev *d, uint64_t at)
{
	if (!d->had_tid && d->has_tid) {
		d->had_tid = true;
		memcpy(d->tid_start, d->tid, AKA_TID_LEN);
	}
	if (s->cfg.attack == DSIM_ATTACK_WRONG_KEY)
		d->cred.k[0] ^= 0x5a;	/* the attacker's guess */
	if (d->state == DSIM_IDLE && !d->finished && !d->heap_pos &&
	    d->outcome == DSIM_OUT_NONE)
		s->unfinished++;
	d->state = DSIM_IDLE;
	set_deadline(s, d, at);
}

/* ---- helpers ---------------------------------------------------------- */

static int rnd(struct dsim *s, void *buf, size_t n)
{
	if (s->ops.random)
		return s->ops.random(s->arg, buf, n);
	return RAND_bytes(buf, (int)n) == 1 ? 0 : -EIO;
}

static void event(struct dsim *s, struct dsim_dev *d, const char *what)
{
	if (s->ops.event)
		s->ops.event(s->arg, d, what);
}

static void finish(struct dsim *s, struct dsim_dev *d, enum dsim_state st,
		   uint64_t now)
{
	d->state = st;
	set_deadline(s, d, DSIM_NO_DEADLINE);
	if (d->finished)
		return;
	d->finished = true;
	d->t_end = now;
	if (s->unfinished)
		s->unfinished--;
	event(s, d, "finished");
}

static void fail(struct dsim *s, struct dsim_dev *d, enum dsim_outcome o,
		 uint8_t cause, uint64_t now)
{
	d->outcome = o;
	d->cause = cause;
	/* the keys of an attempt that failed serve nothing */
	OPENSSL_cleanse(d->ck, sizeof(d->ck));
	OPENSSL_cleanse(d->ik, sizeof(d->ik));
	att_del(s, d);
	/* a rejected replay attempt leaves the first session up */
	finish(s, d, d->key_ok ? DSIM_LISTEN : DSIM_DONE, now);
}

static unsigned int rto(const struct dsim *s, unsigned int retx)
{
	uint64_t t = (uint64_t)s->cfg.rto_ms << (retx < 16 ? retx : 16);

	return t > s->cfg.rto_max_ms ? s->cfg.rto_max_ms : (unsigned int)t;
}

/* Send the auth message @m of the current attempt, kept for retransmission. */
static int send_auth(struct dsim *s, struct dsim_dev *d,
		     const struct aka_msg *m, uint64_t now)
{
	uint8_t msg[AKA_MSG_MAX];
	ssize_t n;

	n = aka_msg_encode(m, msg, sizeof(msg));
	if (n >= 0)
		n = aiot_frame_protect(NULL, AIOTSEC_FT_AUTH, 0, AUTH_CTR_BITS,
				       AIOT_DIR_UPLINK, d->attempt, 0, msg,
				       (size_t)n, d->tx, sizeof(d->tx));
	OPENSSL_cleanse(msg, sizeof(msg));
	if (n < 0)
		return (int)n;
	d->tx_len = (size_t)n;
	d->retx = 0;
	s->tot.auth_tx++;
	s->ops.send(s->arg, d, d->tx, d->tx_len);
	set_deadline(s, d, now + rto(s, 0));
	return 0;
}

static int start_attempt(struct dsim *s, struct dsim_dev *d, uint64_t now)
{
	struct aka_msg m;
	uint32_t att;
	int ret, tries = 0;

	att_del(s, d);
	do {
		ret = rnd(s, &att, sizeof(att));
		if (ret)
			return ret;
		if (++tries > 100)
			return -EAGAIN;
	} while (!att || att_find(s, att));
	d->attempt = att;
	att_add(s, d);
	ret = rnd(s, d->rand_d, sizeof(d->rand_d));
	if (ret)
		return ret;

	memset(&m, 0, sizeof(m));
	m.type = AKA_MSG_HELLO;
	d->caps = AKA_CAP_NIA2_NEA2 | AKA_CAP_AES_CCM | AKA_CAP_AES_GCM;
	if (d->cred.profile == AIOTSEC_PROFILE_COMMAND || s->cfg.force_mutual)
		d->caps |= AKA_CAP_MUTUAL;
	d->akst.require_mutual = d->caps & AKA_CAP_MUTUAL;
	m.hello.caps = d->caps;
	memcpy(m.hello.rand_d, d->rand_d, AKA_RAND_LEN);
	if (s->cfg.attack == DSIM_ATTACK_FORGED_TID) {
		m.hello.id_type = AKA_ID_TID;
		ret = rnd(s, m.hello.tid, AKA_TID_LEN);
	} else if (d->has_tid && !d->use_suci) {
		m.hello.id_type = AKA_ID_TID;
		memcpy(m.hello.tid, d->tid, AKA_TID_LEN);
	} else if (s->cfg.have_hn) {
		m.hello.id_type = AKA_ID_SUCI;
		d->use_suci = true;
		ret = aka_suci_conceal(s->cfg.hn_pub, s->cfg.hn_key_id,
				       (const uint8_t *)d->pid, d->pidlen,
				       NULL, &m.hello.suci);
		if (!ret)
			s->tot.suci++;
	} else {
		ret = -ENOKEY;
	}
	if (ret)
		return ret;
	d->chal_len = 0;
	d->attempts++;
	d->state = DSIM_WAIT_CHALLENGE;
	ret = send_auth(s, d, &m, now);
	OPENSSL_cleanse(&m, sizeof(m));
	return ret;
}

static void start_or_fail(struct dsim *s, struct dsim_dev *d, uint64_t now)
{
	int ret = start_attempt(s, d, now);

	if (ret) {
		event(s, d, ret == -ENOKEY ? "no identity (no T-ID, no HN key)"
					   : "cannot start an attempt");
		fail(s, d, DSIM_OUT_ERROR, 0, now);
	}
}

/* Protect @body as an uplink frame of @type and send it. */
static ssize_t send_protected(struct dsim *s, struct dsim_dev *d,
			      uint8_t type, const uint8_t *body, size_t len,
			      uint8_t *out)
{
	uint8_t buf[DSIM_FRAME_MAX];
	uint8_t *f = out ? out : buf;
	ssize_t n;

	if (!d->key_ok || !d->key_set[d->tx_phase] ||
	    d->tx_ctr >= aiot_suite_max_counter(d->suite))
		return -EOVERFLOW;
	n = aiot_frame_protect(&d->key[d->tx_phase], type, d->tx_phase,
			       d->ctr_bits,
			       AIOT_DIR_UPLINK, d->sid, d->tx_ctr, body, len,
			       f, DSIM_FRAME_MAX);
	if (n < 0)
		return n;
	/* the attack: inventory whose tag cannot verify */
	if (s->cfg.attack == DSIM_ATTACK_FORGED_FRAMES &&
	    type == AIOTSEC_FT_INVENTORY)
		f[n - 1] ^= 0x01;
	d->tx_ctr++;
	d->frames_tx++;
	s->ops.send(s->arg, d, f, (size_t)n);
	return n;
}

static void after_frames(struct dsim *s, struct dsim_dev *d, uint64_t now)
{
	if (s->cfg.attack == DSIM_ATTACK_REPLAY && !d->attack_done &&
	    d->captured) {
		d->attack_done = true;
		d->replay_attempt = true;
		d->state = DSIM_BACKOFF;
		set_deadline(s, d, now + 1);
		return;
	}
	finish(s, d, DSIM_LISTEN, now);
}

static void frames_tick(struct dsim *s, struct dsim_dev *d, uint64_t now)
{
	char body[DSIM_BODY_MAX];
	uint8_t *keep = NULL;
	ssize_t n;
	int len;

	if (d->frames_left) {
		unsigned int seq = s->cfg.frames - d->frames_left;

		if (s->cfg.attack == DSIM_ATTACK_REPLAY_FRAMES &&
		    d->kept && d->nkept < DSIM_REPLAY_KEEP)
			keep = d->kept[d->nkept];
		/* the report names the session, never the permanent ID */
		len = snprintf(body, sizeof(body), "INV %08x %u", d->sid, seq);
		n = send_protected(s, d, AIOTSEC_FT_INVENTORY,
				   (const uint8_t *)body, (size_t)len, keep);
		if (n < 0) {
			event(s, d, "cannot protect a frame");
			d->frames_left = 0;
		} else {
			d->frames_left--;
			if (keep) {
				d->kept_len[d->nkept++] = (uint16_t)n;
				d->replays_left++;
			}
		}
	} else if (d->replays_left) {
		unsigned int i = d->nkept - d->replays_left--;

		d->frames_replayed++;
		s->ops.send(s->arg, d, d->kept[i], d->kept_len[i]);
	}
	if (d->frames_left || d->replays_left)
		set_deadline(s, d, now + s->cfg.frame_interval_ms);
	else
		after_frames(s, d, now);
}

static void start_frames(struct dsim *s, struct dsim_dev *d, uint64_t now)
{
	d->state = DSIM_FRAMES;
	d->frames_left = s->cfg.frames;
	if (s->cfg.attack == DSIM_ATTACK_REPLAY_FRAMES && !d->kept &&
	    s->cfg.frames) {
		d->kept = calloc(DSIM_REPLAY_KEEP, sizeof(*d->kept));
		d->kept_len = calloc(DSIM_REPLAY_KEEP, sizeof(*d->kept_len));
		if (!d->kept || !d->kept_len) {
			free(d->kept);
			free(d->kept_len);
			d->kept = NULL;
			d->kept_len = NULL;
		}
	}
	set_deadline(s, d, now);
}

/* ---- timers ------------------------------------------------------------ */

static void dev_timer(struct dsim *s, struct dsim_dev *d, uint64_t now)
{
	switch (d->state) {
	case DSIM_IDLE:
		d->t_start = now;
		start_or_fail(s, d, now);
		break;
	case DSIM_BACKOFF:
		start_or_fail(s, d, now);
		break;
	case DSIM_WAIT_CHALLENGE:
	case DSIM_WAIT_ACCEPT:
		if (d->retx < s->cfg.retries) {
			d->retx++;
			d->retransmissions++;
			s->tot.auth_tx++;
			s->ops.send(s->arg, d, d->tx, d->tx_len);
			set_deadline(s, d, now + rto(s, d->retx));
		} else {
			fail(s, d, DSIM_OUT_TIMEOUT, AKA_CAUSE_TIMEOUT, now);
		}
		break;
	case DSIM_WAIT_TID:
		/* no T-ID-ASSIGN: the SA stands, send the frames anyway */
		event(s, d, "no T-ID-ASSIGN");
		start_frames(s, d, now);
		break;
	case DSIM_FRAMES:
		frames_tick(s, d, now);
		break;
	default:
		set_deadline(s, d, DSIM_NO_DEADLINE);
		break;
	}
}

void dsim_run_timers(struct dsim *s, uint64_t now)
{
	while (s->heap_len && s->heap[0]->deadline <= now) {
		struct dsim_dev *d = s->heap[0];

		set_deadline(s, d, DSIM_NO_DEADLINE);
		dev_timer(s, d, now);
	}
}

/* ---- received auth messages --------------------------------------------- */

static void on_challenge(struct dsim *s, struct dsim_dev *d,
			 const uint8_t *body, size_t len,
			 const struct aka_msg *m, uint64_t now)
{
	struct aka_dev_result r;
	struct aka_msg reply;
	int ret;

	if (d->state != DSIM_WAIT_CHALLENGE && d->state != DSIM_WAIT_ACCEPT) {
		s->tot.rx_unexpected++;
		return;
	}
	/* the network repeats its answer to our retransmission: ours too */
	if (d->chal_len == len && !memcmp(d->chal, body, len)) {
		s->tot.auth_tx++;
		s->ops.send(s->arg, d, d->tx, d->tx_len);
		return;
	}
	/*
	 * One CHALLENGE an attempt, a second only after our SYNC_FAILURE
	 * (waiting for a challenge again): another one now is forged or
	 * stale, and answering it would replace the keys of the RESPONSE
	 * the network may be accepting.
	 */
	if (d->state == DSIM_WAIT_ACCEPT) {
		s->tot.rx_unexpected++;
		return;
	}
	memcpy(d->chal, body, len);
	d->chal_len = len;

	if (d->replay_attempt) {
		/* the attack: the RES of the completed attempt */
		memset(&reply, 0, sizeof(reply));
		reply.type = AKA_MSG_RESPONSE;
		memcpy(reply.response.res, d->captured_res, AKA_RES_LEN);
		d->state = DSIM_WAIT_ACCEPT;
		if (send_auth(s, d, &reply, now))
			fail(s, d, DSIM_OUT_ERROR, 0, now);
		return;
	}

	ret = aka_dev_answer(&d->cred, &d->akst, m, &r);
	if (ret) {
		fail(s, d, DSIM_OUT_ERROR, 0, now);
		return;
	}
	switch (r.reply.type) {
	case AKA_MSG_RESPONSE:
		d->mode = m->challenge.mode;
		memcpy(d->rand_n, m->challenge.rand_n, AKA_RAND_LEN);
		memcpy(d->ck, r.ck, AKA_KEY_LEN);
		memcpy(d->ik, r.ik, AKA_KEY_LEN);
		if (s->cfg.attack == DSIM_ATTACK_REPLAY) {
			memcpy(d->captured_res, r.res, AKA_RES_LEN);
			d->captured = true;
		}
		d->state = DSIM_WAIT_ACCEPT;
		break;
	case AKA_MSG_SYNC_FAILURE:
		d->resyncs++;
		d->state = DSIM_WAIT_CHALLENGE;
		break;
	default:
		break;
	}
	ret = send_auth(s, d, &r.reply, now);
	if (r.reply.type == AKA_MSG_REJECT) {
		event(s, d, "refused the CHALLENGE");
		fail(s, d, DSIM_OUT_REFUSED, r.reply.reject.cause, now);
	} else if (ret) {
		fail(s, d, DSIM_OUT_ERROR, 0, now);
	}
	OPENSSL_cleanse(&r, sizeof(r));
}

static void on_accept(struct dsim *s, struct dsim_dev *d,
		      const struct aka_msg *m, uint64_t now)
{
	uint8_t kaiotf[AKA_KAIOTF_LEN], key[AKA_SA_KEY_MAX];
	const struct aka_accept *a = &m->accept;
	size_t klen = 0;
	int ret;

	if (d->state != DSIM_WAIT_ACCEPT) {
		/* a repeated ACCEPT (our RESPONSE was retransmitted) */
		if (!(d->key_ok && d->sid == a->sid))
			s->tot.rx_unexpected++;
		return;
	}
	if (d->replay_attempt) {
		/* the network took a replayed RES: no keys to derive */
		event(s, d, "ACCEPT of a replayed RESPONSE");
		d->outcome = DSIM_OUT_AUTH;
		att_del(s, d);
		finish(s, d, d->key_ok ? DSIM_LISTEN : DSIM_DONE, now);
		return;
	}
	ret = aka_derive_kaiotf(d->ck, d->ik, d->rand_n, d->rand_d, a->sid,
				d->attempt, d->caps, kaiotf);
	if (!ret)
		ret = aka_derive_sa_key(kaiotf, a->suite, key, &klen);
	OPENSSL_cleanse(d->ck, sizeof(d->ck));
	OPENSSL_cleanse(d->ik, sizeof(d->ik));
	OPENSSL_cleanse(kaiotf, sizeof(kaiotf));
	if (!ret) {
		drop_session(d);
		sid_del(s, d);
		d->suite = a->suite;
		ret = set_key(s, d, 0, key, klen);
	}
	OPENSSL_cleanse(key, sizeof(key));
	if (ret) {
		event(s, d, "cannot key the SA");
		fail(s, d, DSIM_OUT_ERROR, 0, now);
		return;
	}
	d->key_ok = true;
	d->assign_attempt = d->attempt;
	d->tx_phase = 0;
	d->sid = a->sid;
	d->ctr_bits = a->ctr_bits;
	d->tx_ctr = 0;
	sid_add(s, d);
	d->authenticated = true;
	d->outcome = DSIM_OUT_AUTH;
	d->cause = 0;
	d->t_auth = now;
	d->state = DSIM_WAIT_TID;
	event(s, d, "authenticated");
	set_deadline(s, d, now + s->cfg.tid_wait_ms);
}

static void on_reject(struct dsim *s, struct dsim_dev *d,
		      const struct aka_msg *m, uint64_t now)
{
	uint8_t cause = m->reject.cause;

	if (d->state != DSIM_WAIT_CHALLENGE && d->state != DSIM_WAIT_ACCEPT) {
		s->tot.rx_unexpected++;
		return;
	}
	if (cause == AKA_CAUSE_RATE_LIMITED &&
	    d->rl_retries < s->cfg.rate_limited_retries) {
		att_del(s, d);
		d->state = DSIM_BACKOFF;
		set_deadline(s, d, now + ((uint64_t)s->cfg.backoff_ms <<
					  d->rl_retries++));
		return;
	}
	if (cause == AKA_CAUSE_UNKNOWN_IDENTITY && !d->use_suci &&
	    s->cfg.have_hn && s->cfg.attack != DSIM_ATTACK_FORGED_TID &&
	    !d->suci_fallback_done && !d->replay_attempt) {
		/* T-ID lost on the network side: present the SUCI */
		d->suci_fallback_done = true;
		d->use_suci = true;
		event(s, d, "T-ID unknown, retrying with SUCI");
		start_or_fail(s, d, now);
		return;
	}
	fail(s, d, DSIM_OUT_REJECTED, cause, now);
}

static void rx_auth(struct dsim *s, const struct aiot_hdr *h,
		    const uint8_t *body, size_t len, uint64_t now)
{
	struct dsim_dev *d = att_find(s, h->sid);
	struct aka_msg m;

	s->tot.auth_rx++;
	if (!d) {
		s->tot.rx_unknown++;
		return;
	}
	if (aka_msg_decode(body, len, &m)) {
		s->tot.rx_malformed++;
		return;
	}
	switch (m.type) {
	case AKA_MSG_CHALLENGE:
		on_challenge(s, d, body, len, &m, now);
		break;
	case AKA_MSG_ACCEPT:
		on_accept(s, d, &m, now);
		break;
	case AKA_MSG_REJECT:
		on_reject(s, d, &m, now);
		break;
	default:
		s->tot.rx_unexpected++;
		break;
	}
	OPENSSL_cleanse(&m, sizeof(m));
}

/* ---- rekey in the live SA --------------------------------------------- */

/* Send the control body @body of the rekey, kept for a repeat. */
static void rk_send(struct dsim *s, struct dsim_dev *d, const uint8_t *body,
		    size_t len)
{
	if (body != d->rk_body) {
		memcpy(d->rk_body, body, len);
		d->rk_body_len = len;
	}
	if (send_protected(s, d, AIOTSEC_FT_CONTROL, d->rk_body,
			   d->rk_body_len, NULL) < 0)
		event(s, d, "cannot send a rekey message");
}

static void rk_send_msg(struct dsim *s, struct dsim_dev *d,
			const struct aka_msg *m)
{
	struct aka_ctrl c = { .type = AKA_CTRL_AUTH };
	uint8_t body[AKA_CTRL_MAX];
	ssize_t n;

	c.attempt = d->rk_attempt;
	c.msg = *m;
	n = aka_ctrl_encode(&c, body, sizeof(body));
	OPENSSL_cleanse(&c, sizeof(c));
	if (n < 0) {
		event(s, d, "cannot encode a rekey message");
		return;
	}
	rk_send(s, d, body, (size_t)n);
}

static void rk_end(struct dsim *s, struct dsim_dev *d, const char *what)
{
	d->rk_state = DSIM_RK_NONE;
	d->rk_chal_len = 0;
	OPENSSL_cleanse(d->rk_ck, sizeof(d->rk_ck));
	OPENSSL_cleanse(d->rk_ik, sizeof(d->rk_ik));
	if (what) {
		d->rekeys_failed++;
		event(s, d, what);
	}
}

/*
 * REKEY: the network asks for a new key in the SA.  A repeated REKEY
 * (our HELLO was lost) gets the message we sent last in this rekey.
 */
static void on_rekey(struct dsim *s, struct dsim_dev *d, uint32_t attempt)
{
	struct aka_msg m;

	if (attempt == d->rk_attempt && d->rk_body_len) {
		rk_send(s, d, d->rk_body, d->rk_body_len);
		return;
	}
	if (!d->has_tid) {
		s->tot.rx_unexpected++;
		return;
	}
	rk_end(s, d, NULL);
	d->rk_attempt = attempt;
	d->rk_body_len = 0;
	if (rnd(s, d->rk_rand_d, sizeof(d->rk_rand_d))) {
		event(s, d, "no random octets for a rekey");
		return;
	}
	memset(&m, 0, sizeof(m));
	m.type = AKA_MSG_HELLO;
	m.hello.id_type = AKA_ID_TID;
	memcpy(m.hello.tid, d->tid, AKA_TID_LEN);
	memcpy(m.hello.rand_d, d->rk_rand_d, AKA_RAND_LEN);
	m.hello.caps = d->caps;
	d->akst.require_mutual = d->caps & AKA_CAP_MUTUAL;
	d->rk_state = DSIM_RK_WAIT_CHALLENGE;
	rk_send_msg(s, d, &m);
}

static void on_rekey_challenge(struct dsim *s, struct dsim_dev *d,
			       const struct aka_msg *m)
{
	uint8_t enc[AKA_MSG_MAX];
	struct aka_dev_result r;
	ssize_t len = aka_msg_encode(m, enc, sizeof(enc));

	if (len < 0 || d->rk_state == DSIM_RK_NONE) {
		s->tot.rx_unexpected++;
		return;
	}
	if (d->rk_chal_len == (size_t)len && !memcmp(d->rk_chal, enc, len)) {
		rk_send(s, d, d->rk_body, d->rk_body_len);
		return;
	}
	memcpy(d->rk_chal, enc, len);
	d->rk_chal_len = (size_t)len;
	if (aka_dev_answer(&d->cred, &d->akst, m, &r)) {
		rk_end(s, d, "cannot answer a rekey CHALLENGE");
		return;
	}
	rk_send_msg(s, d, &r.reply);
	switch (r.reply.type) {
	case AKA_MSG_RESPONSE:
		memcpy(d->rk_rand_n, m->challenge.rand_n, AKA_RAND_LEN);
		memcpy(d->rk_ck, r.ck, AKA_KEY_LEN);
		memcpy(d->rk_ik, r.ik, AKA_KEY_LEN);
		d->rk_state = DSIM_RK_WAIT_ACCEPT;
		break;
	case AKA_MSG_SYNC_FAILURE:
		d->resyncs++;
		d->rk_state = DSIM_RK_WAIT_CHALLENGE;
		break;
	default:
		rk_end(s, d, "refused a rekey CHALLENGE");
		break;
	}
	OPENSSL_cleanse(&r, sizeof(r));
}

/* ACCEPT of a rekey: the new key goes in the other phase, sent with first. */
static void on_rekey_accept(struct dsim *s, struct dsim_dev *d,
			    const struct aka_accept *a)
{
	uint8_t kaiotf[AKA_KAIOTF_LEN], key[AKA_SA_KEY_MAX];
	unsigned int next = !d->tx_phase;
	size_t klen = 0;
	int ret;

	if (d->rk_state != DSIM_RK_WAIT_ACCEPT)
		return;		/* repeated: we switched already */
	/* its T-ID-ASSIGN follows, taken even if its key is not */
	d->assign_attempt = d->rk_attempt;
	/* no key from it: the rekey ends, the current key stays */
	if (a->sid != d->sid || a->suite != d->suite ||
	    a->ctr_bits != d->ctr_bits) {
		rk_end(s, d, "rekey ACCEPT for another SA");
		return;
	}
	ret = aka_derive_kaiotf(d->rk_ck, d->rk_ik, d->rk_rand_n, d->rk_rand_d,
				d->sid, d->rk_attempt, d->caps, kaiotf) ?:
	      aka_derive_sa_key(kaiotf, d->suite, key, &klen) ?:
	      set_key(s, d, next, key, klen);
	OPENSSL_cleanse(kaiotf, sizeof(kaiotf));
	OPENSSL_cleanse(key, sizeof(key));
	if (ret) {
		rk_end(s, d, "cannot key the rekeyed SA");
		return;
	}
	/* the network receives with both keys until we use the new one */
	d->tx_phase = (uint8_t)next;
	d->tx_ctr = 0;
	d->rekeys++;
	rk_end(s, d, NULL);
	event(s, d, "rekeyed");
}

static void on_rekey_auth(struct dsim *s, struct dsim_dev *d,
			  const struct aka_ctrl *c)
{
	if (c->attempt != d->rk_attempt) {
		s->tot.rx_unexpected++;
		return;
	}
	switch (c->msg.type) {
	case AKA_MSG_CHALLENGE:
		on_rekey_challenge(s, d, &c->msg);
		break;
	case AKA_MSG_ACCEPT:
		on_rekey_accept(s, d, &c->msg.accept);
		break;
	case AKA_MSG_REJECT:
		if (d->rk_state != DSIM_RK_NONE)
			rk_end(s, d, "rekey rejected");
		break;
	default:
		s->tot.rx_unexpected++;
		break;
	}
}

/* ---- received protected frames ----------------------------------------- */

static void on_tid_assign(struct dsim *s, struct dsim_dev *d,
			  const struct aka_ctrl *c, uint64_t now)
{
	struct aka_ctrl conf = { .type = AKA_CTRL_TID_CONFIRM };
	uint8_t body[AKA_CTRL_LEN];
	ssize_t n;

	/*
	 * only the T-ID-ASSIGN of the latest ACCEPT: an older one, replayed
	 * within the SA, would take the device back to a T-ID the network
	 * may have dropped
	 */
	if (c->attempt != d->assign_attempt) {
		s->tot.rx_unexpected++;
		return;
	}
	/* adopt first: the network committed it before sending */
	memcpy(d->tid, c->tid, AKA_TID_LEN);
	d->has_tid = true;
	d->use_suci = false;
	if (!d->tid_assigned)
		event(s, d, "T-ID assigned");
	d->tid_assigned = true;
	d->tid_rotated = !d->had_tid ||
			 memcmp(d->tid, d->tid_start, AKA_TID_LEN);
	memcpy(conf.tid, c->tid, AKA_TID_LEN);
	conf.attempt = c->attempt;
	n = aka_ctrl_encode(&conf, body, sizeof(body));
	if (n > 0)
		n = send_protected(s, d, AIOTSEC_FT_CONTROL, body, (size_t)n,
				   NULL);
	if (n < 0)
		event(s, d, "cannot send T-ID-CONFIRM");
	if (d->state == DSIM_WAIT_TID)
		start_frames(s, d, now);
}

static void rx_protected(struct dsim *s, const struct aiot_hdr *h,
			 const uint8_t *frame, size_t len, const uint8_t *src,
			 uint64_t now)
{
	struct dsim_dev *d = sid_find(s, h->sid);
	uint8_t body[DSIM_FRAME_MAX];
	unsigned int kp;
	struct aka_ctrl c;
	ssize_t n;

	if (!d || !d->key_ok) {
		s->tot.rx_unknown++;
		return;
	}
	kp = h->key_phase ? 1 : 0;
	if (h->dir != AIOT_DIR_DOWNLINK || !d->key_set[kp] ||
	    h->ctr_bits != d->ctr_bits) {
		d->frames_bad++;
		return;
	}
	n = aiot_frame_unprotect(&d->key[kp], AIOT_DIR_DOWNLINK, &d->rp[kp],
				 frame, len, NULL, NULL, body, sizeof(body));
	if (n < 0) {
		d->frames_bad++;
		return;
	}
	d->frames_rx++;
	/* before any answer: it goes to the reader that sent this */
	if (src) {
		memcpy(d->reader, src, sizeof(d->reader));
		d->reader_known = true;
	}
	switch (h->type) {
	case AIOTSEC_FT_CONTROL:
		if (aka_ctrl_decode(body, (size_t)n, &c)) {
			s->tot.rx_malformed++;
			return;
		}
		switch (c.type) {
		case AKA_CTRL_TID_ASSIGN:
			/* a rekey's T-ID follows its ACCEPT: wait for both */
			if (d->rk_state != DSIM_RK_WAIT_ACCEPT)
				on_tid_assign(s, d, &c, now);
			break;
		case AKA_CTRL_REKEY:
			on_rekey(s, d, c.attempt);
			break;
		case AKA_CTRL_AUTH:
			on_rekey_auth(s, d, &c);
			break;
		default:
			s->tot.rx_unexpected++;
			break;
		}
		OPENSSL_cleanse(&c, sizeof(c));
		break;
	case AIOTSEC_FT_COMMAND:
		if (d->cred.profile != AIOTSEC_PROFILE_COMMAND) {
			s->tot.rx_unexpected++;
			return;
		}
		d->commands++;
		d->frames_rx_data++;
		if (send_protected(s, d, AIOTSEC_FT_RESPONSE, body, (size_t)n,
				   NULL) < 0)
			event(s, d, "cannot send a RESPONSE frame");
		break;
	default:
		d->frames_rx_data++;	/* downlink inventory: counted */
		break;
	}
}

void dsim_rx(struct dsim *s, const uint8_t *frame, size_t len,
	     const uint8_t *src, uint64_t now)
{
	struct aiot_hdr h;
	int hl = aiot_hdr_parse(frame, len, &h);

	if (hl < 0) {
		s->tot.rx_malformed++;
		return;
	}
	if (h.type == AIOTSEC_FT_AUTH) {
		/* uplink auth frames are devices' own, or other devices' */
		if (h.dir != AIOT_DIR_DOWNLINK) {
			s->tot.rx_unexpected++;
			return;
		}
		rx_auth(s, &h, frame + hl, aiot_hdr_auth_len(&h, len), now);
		return;
	}
	rx_protected(s, &h, frame, len, src, now);
}

/* ---- end of the run and results --------------------------------------- */

void dsim_finish(struct dsim *s, uint64_t now)
{
	size_t i;

	for (i = 0; i < s->ndevs; i++) {
		struct dsim_dev *d = &s->devs[i];

		if (d->finished)
			continue;
		if (d->state == DSIM_IDLE || d->state == DSIM_WAIT_CHALLENGE ||
		    d->state == DSIM_WAIT_ACCEPT || d->state == DSIM_BACKOFF) {
			if (!d->authenticated || d->replay_attempt) {
				d->outcome = DSIM_OUT_TIMEOUT;
				d->cause = AKA_CAUSE_TIMEOUT;
			}
		}
		finish(s, d, d->key_ok ? DSIM_LISTEN : DSIM_DONE, now);
	}
}

bool dsim_dev_expected(const struct dsim *s, const struct dsim_dev *d,
		       bool strict_tid)
{
	switch (s->cfg.attack) {
	case DSIM_ATTACK_NONE:
	case DSIM_ATTACK_REPLAY_FRAMES:
	case DSIM_ATTACK_FORGED_FRAMES:
		return d->outcome == DSIM_OUT_AUTH &&
		       (!strict_tid || d->tid_assigned) && !d->frames_left;
	case DSIM_ATTACK_WRONG_KEY:
		return (d->outcome == DSIM_OUT_REJECTED &&
			d->cause == AKA_CAUSE_BAD_RESPONSE) ||
		       (d->outcome == DSIM_OUT_REFUSED &&
			d->cause == AKA_CAUSE_MAC_FAILURE);
	case DSIM_ATTACK_FORGED_TID:
		return d->outcome == DSIM_OUT_REJECTED &&
		       d->cause == AKA_CAUSE_UNKNOWN_IDENTITY;
	case DSIM_ATTACK_REPLAY:
		/* a RES for the new attempt's CHALLENGE, the old RAND_n's */
		return d->authenticated && d->replay_attempt &&
		       d->outcome == DSIM_OUT_REJECTED &&
		       d->cause == AKA_CAUSE_BAD_RESPONSE;
	}
	return false;
}

void dsim_totals(const struct dsim *s, bool strict_tid,
		 struct dsim_totals *t)
{
	size_t i;

	*t = s->tot;
	t->devices = s->ndevs;
	for (i = 0; i < s->ndevs; i++) {
		const struct dsim_dev *d = &s->devs[i];

		if (d->attempts)
			t->started++;
		if (d->finished)
			t->finished++;
		if (dsim_dev_expected(s, d, strict_tid))
			t->expected++;
		t->attempts += d->attempts;
		t->resyncs += d->resyncs;
		t->retransmissions += d->retransmissions;
		if (d->authenticated) {
			t->authenticated++;
			if (d->mode == AKA_MODE_MUTUAL)
				t->mutual++;
			else
				t->one_way++;
			if (!d->tid_assigned)
				t->tid_missing++;
		}
		switch (d->outcome) {
		case DSIM_OUT_REJECTED:
			if (d->cause <= AKA_CAUSE_MAX)
				t->rejected[d->cause]++;
			break;
		case DSIM_OUT_REFUSED:
			t->refused++;
			if (d->cause <= AKA_CAUSE_MAX)
				t->rejected[d->cause]++;
			break;
		case DSIM_OUT_TIMEOUT:
			t->timeouts++;
			break;
		case DSIM_OUT_ERROR:
			t->errors++;
			break;
		default:
			break;
		}
		t->tid_assigned += d->tid_assigned;
		t->tid_rotated += d->tid_rotated;
		t->frames_tx += d->frames_tx;
		t->frames_rx += d->frames_rx;
		t->frames_bad += d->frames_bad;
		t->frames_replayed += d->frames_replayed;
		t->commands += d->commands;
		t->rekeys += d->rekeys;
		t->rekeys_failed += d->rekeys_failed;
		t->frames_rx_data += d->frames_rx_data;
	}
}
