// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecd: the network side of the authentication exchange of
 * Documentation/protocol.rst.
 *
 * Attempts live in a hash table keyed by the attempt ID for 30 s after
 * their HELLO, and in a list in creation order for expiry.  A message
 * repeated within an attempt gets the answer already sent.  An attempt
 * is closed by a REJECT, or by the T-ID-CONFIRM that follows its ACCEPT;
 * until then a retransmitted RESPONSE (same RES) gets the ACCEPT again,
 * and the T-ID-ASSIGN while it is retransmitted, since the device may
 * have lost them.  Any other RESPONSE for a closed or unknown attempt is
 * a replayed-response.
 *
 * A rekey is an attempt too, started here when the kernel reports a
 * key's soft expiry: its messages travel in protected control frames of
 * the live SA (REKEY, then AUTH carrying the usual messages), the attempt
 * ID is the network's, and since the network started it, the network
 * retransmits (1 s doubling to 8 s, four times) while the device repeats
 * its last answer.  Its ACCEPT follows the installation of the new key
 * as the SA's next key, which the kernel moves transmission to when the
 * device's first frame with it arrives.  The T-ID-ASSIGN after any ACCEPT
 * is retransmitted the same way until its T-ID-CONFIRM arrives.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <linux/aiotsec.h>

#include "aiotsecd.h"

static const char *mode_name(uint8_t mode)
{
	return mode == AKA_MODE_MUTUAL ? "mutual" :
	       mode == AKA_MODE_ONE_WAY ? "one-way" : "";
}

static void hexstr(char *out, size_t size, const char *prefix,
		   const uint8_t *p, size_t n)
{
	size_t off = snprintf(out, size, "%s", prefix), i;

	for (i = 0; i < n && off + 2 < size; i++)
		off += snprintf(out + off, size - off, "%02x", p[i]);
}

static int random_bytes(uint8_t *p, size_t n)
{
	if (RAND_bytes(p, n) != 1) {
		log_err("RAND_bytes failed");
		return -EIO;
	}
	return 0;
}

/* ---- attempt table ----------------------------------------------- */

/*
 * The bucket of attempt ID @id, which the air chooses: multiply-shift
 * with a random odd multiplier of this run, so that no one can pick IDs
 * that share a bucket and make every lookup walk a long chain.
 */
static unsigned att_bucket(const struct daemon *d, uint32_t id)
{
	return (d->att_seed * id) >> (64 - ATT_BUCKET_BITS);
}

/* The attempt @id on link @ifindex: the devices of two links pick theirs. */
static struct attempt *att_find(struct daemon *d, uint32_t ifindex,
				uint32_t id)
{
	struct attempt *a;

	for (a = d->att_hash[att_bucket(d, id)]; a; a = a->hnext)
		if (a->id == id && a->ifindex == ifindex)
			return a;
	return NULL;
}

/*
 * The attempt @id of the device at @peer on a link other than @ifindex:
 * a device in reach of two radio heads is heard on both links, and its
 * attempt runs on the one that heard it first.
 */
static struct attempt *att_elsewhere(struct daemon *d, uint32_t ifindex,
				     uint32_t id, const uint8_t *peer)
{
	struct attempt *a;

	for (a = d->att_hash[att_bucket(d, id)]; a; a = a->hnext)
		if (a->id == id && a->ifindex != ifindex && !a->rekey &&
		    !memcmp(a->peer, peer, ETH_ALEN_))
			return a;
	return NULL;
}

/* Unlink @a from the list in expiry order. */
static void att_unlink(struct daemon *d, struct attempt *a)
{
	if (a->prev)
		a->prev->next = a->next;
	else
		d->att_head = a->next;
	if (a->next)
		a->next->prev = a->prev;
	else
		d->att_tail = a->prev;
	a->prev = a->next = NULL;
}

/* @a expires ATTEMPT_LIFETIME_MS from now, last in the list. */
static void att_append(struct daemon *d, struct attempt *a)
{
	a->expires = now_ms() + ATTEMPT_LIFETIME_MS;
	a->prev = d->att_tail;
	a->next = NULL;
	if (d->att_tail)
		d->att_tail->next = a;
	else
		d->att_head = a;
	d->att_tail = a;
}

/*
 * A new attempt; those from the air are capped at ATTEMPT_MAX, rekeys
 * (@rekey, at most one per SA, started by the daemon) are not.
 */
static struct attempt *att_new(struct daemon *d, uint32_t ifindex,
			       uint32_t id, const uint8_t peer[ETH_ALEN_],
			       bool rekey)
{
	struct attempt *a;
	unsigned b = att_bucket(d, id);

	if (!rekey && d->n_att >= ATTEMPT_MAX)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->ifindex = ifindex;
	a->id = id;
	memcpy(a->peer, peer, ETH_ALEN_);
	a->hnext = d->att_hash[b];
	d->att_hash[b] = a;
	att_append(d, a);
	d->n_att++;
	return a;
}

/* @a lives ATTEMPT_LIFETIME_MS from now: to the end of the list. */
static void att_touch(struct daemon *d, struct attempt *a)
{
	att_unlink(d, a);
	att_append(d, a);
}

static void att_free(struct daemon *d, struct attempt *a)
{
	struct attempt **pp = &d->att_hash[att_bucket(d, a->id)];

	while (*pp && *pp != a)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = a->hnext;
	att_unlink(d, a);
	d->n_att--;
	OPENSSL_cleanse(a, sizeof(*a));
	free(a);
}

/*
 * @a has its answer, @state (ATT_ACCEPTED, ATT_CONFIRMED, ATT_REJECTED):
 * it keeps no secret it no longer needs (K, OPc, XRES, CK, IK) for the
 * rest of its life.
 */
static void att_settle(struct attempt *a, uint8_t state)
{
	OPENSSL_cleanse(a->cred.k, sizeof(a->cred.k));
	OPENSSL_cleanse(a->cred.opc, sizeof(a->cred.opc));
	OPENSSL_cleanse(a->expect.xres, sizeof(a->expect.xres));
	OPENSSL_cleanse(a->expect.ck, sizeof(a->expect.ck));
	OPENSSL_cleanse(a->expect.ik, sizeof(a->expect.ik));
	a->state = state;
}

/* Close @a without an answer: it sends nothing more. */
static void att_close(struct attempt *a)
{
	att_settle(a, ATT_REJECTED);
	a->reply_len = 0;
	a->next_tx = 0;
}

/*
 * Delete the SA @sid of link @ifindex; the attempts bound to it stop
 * sending (their rekey or T-ID-ASSIGN has no SA to travel in any more).
 */
static int sa_delete(struct daemon *d, uint32_t ifindex, uint32_t sid)
{
	struct attempt *a;

	for (a = d->att_head; a; a = a->next) {
		if (a->sid != sid || a->ifindex != ifindex || !a->next_tx)
			continue;
		a->next_tx = 0;
		att_settle(a, a->state == ATT_CONFIRMED ? ATT_CONFIRMED :
							  ATT_REJECTED);
	}
	return kern_sa_del(d, ifindex, sid);
}

/*
 * The result of deleting an SA that the store forgets: a failure (-ENOENT
 * is none) leaves an SA the store does not know, which the
 * reconciliation deletes: it runs again in RECONCILE_RETRY_MS.
 */
static void sa_delete_check(struct daemon *d, uint32_t sid, int err)
{
	/* none, or its link went with it */
	if (!err || err == -ENOENT || err == -ENODEV)
		return;
	log_warn("deleting SA %08x: %s (again in %d s)", sid, strerror(-err),
		 RECONCILE_RETRY_MS / 1000);
	d->sa_undeleted = true;
	if (!d->reconcile_retry_ms)
		d->reconcile_retry_ms = now_ms() + RECONCILE_RETRY_MS;
}

/* The store forgets session @sid, and so does the retry of its rekey. */
static int session_forget(struct daemon *d, uint32_t sid)
{
	retry_forget(d, sid);
	return store_session_del(d->st, sid);
}

/* Delete the SA @sid on whichever link holds it (-ENOENT: none). */
static int sa_delete_any(struct daemon *d, uint32_t sid)
{
	int err = -ENOENT, e;
	unsigned i;

	for (i = 0; i < d->n_links; i++) {
		if (!d->ifindex[i])
			continue;	/* gone, with its SAs */
		e = sa_delete(d, d->ifindex[i], sid);
		if (!e)
			return 0;
		if (e != -ENOENT)
			err = e;
	}
	return err;
}

/* ---- rate limits ------------------------------------------------- */

/* The global token bucket: false when over --max-rate. */
static bool bucket_take(struct daemon *d)
{
	uint64_t now = now_ms();

	if (!d->tokens_ms) {
		d->tokens = d->max_rate;
	} else {
		d->tokens += (now - d->tokens_ms) * (double)d->max_rate / 1000;
		if (d->tokens > d->max_rate)
			d->tokens = d->max_rate;
	}
	d->tokens_ms = now;
	if (d->tokens < 1)
		return false;
	d->tokens -= 1;
	return true;
}

/*
 * One open challenge per device from the air: a new attempt of a device
 * supersedes the one still waiting for its RESPONSE, which gets no more
 * answers.  No count of attempts per identity, which anybody who saw the
 * identity in a HELLO could exhaust to lock the device out; the global
 * bucket bounds the work.
 */
static struct open_ent **open_slot(struct daemon *d, int64_t device)
{
	struct open_ent **pp = &d->open_hash[(uint64_t)device % OPEN_BUCKETS];

	while (*pp && (*pp)->device != device)
		pp = &(*pp)->next;
	return pp;
}

/* The attempt @id, if it is still @device's challenge from the air. */
static struct attempt *open_attempt(struct daemon *d, int64_t device,
				    uint32_t ifindex, uint32_t id)
{
	struct attempt *a = att_find(d, ifindex, id);

	return a && !a->rekey && a->device == device &&
	       a->state == ATT_CHALLENGED ? a : NULL;
}

/* @a was challenged: it supersedes its device's open one. */
static void open_set(struct daemon *d, struct attempt *a)
{
	struct open_ent **pp = open_slot(d, a->device), *e = *pp;
	struct attempt *old;

	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e)
			return;
		e->device = a->device;
		*pp = e;
	}
	old = e->attempt != a->id || e->ifindex != a->ifindex ?
	      open_attempt(d, a->device, e->ifindex, e->attempt) : NULL;
	if (old) {
		log_info("attempt %08x on %s: %s: superseded by %08x on %s",
			 old->id, link_label(d, old->ifindex), old->hint, a->id,
			 link_label(d, a->ifindex));
		store_audit(d->st, old->hint, mode_name(old->expect.mode),
			    "superseded", NULL);
		att_close(old);
	}
	e->ifindex = a->ifindex;
	e->attempt = a->id;
}

/*
 * The audit trail beyond --audit-keep rows: pruned at the first tick,
 * then once a minute, AUDIT_PRUNE_BATCH rows a tick at most (a long
 * trail goes over several ticks, without holding off frames).
 */
static void audit_prune(struct daemon *d, uint64_t now)
{
	int n;

	if (!d->audit_keep || (d->audit_prune_ms && now < d->audit_prune_ms))
		return;
	n = store_audit_prune(d->st, d->audit_keep, AUDIT_PRUNE_BATCH);
	if (n < 0)
		log_err("audit: %s", store_errmsg(d->st));
	d->audit_prune_ms = now + (n == AUDIT_PRUNE_BATCH ? 0 : AUDIT_PRUNE_MS);
}

/* Forget the devices whose last challenge is over. */
static void open_prune(struct daemon *d)
{
	struct open_ent **pp, *e;
	unsigned b;

	for (b = 0; b < OPEN_BUCKETS; b++) {
		pp = &d->open_hash[b];
		while ((e = *pp)) {
			if (open_attempt(d, e->device, e->ifindex, e->attempt)) {
				pp = &e->next;
			} else {
				*pp = e->next;
				free(e);
			}
		}
	}
}

/* ---- sending ----------------------------------------------------- */

static int send_auth(struct daemon *d, uint32_t ifindex, uint32_t attempt,
		     const uint8_t peer[ETH_ALEN_], const uint8_t *body,
		     size_t len)
{
	int err = kern_frame_send(d, ifindex, AIOTSEC_FT_AUTH, attempt, body,
				  len, peer);

	if (err)
		log_warn("attempt %08x: sending an auth frame: %s", attempt,
			 nl_strerror(&d->req, err));
	return err;
}

/* A control body in the rekey attempt @a's SA. */
static int send_ctrl(struct daemon *d, const struct attempt *a,
		     const uint8_t *body, size_t len)
{
	int err = kern_frame_send(d, a->ifindex, AIOTSEC_FT_CONTROL, a->sid,
				  body, len, NULL);

	if (err)
		log_warn("attempt %08x: sending a control frame on session %08x: %s",
			 a->id, a->sid, nl_strerror(&d->req, err));
	return err;
}

/*
 * Network retransmissions of @a start over (rekeys, T-ID-ASSIGN); the
 * attempt lives on for as long as they may take.
 */
static void retx_arm(struct daemon *d, struct attempt *a)
{
	a->ntx = 0;
	a->next_tx = now_ms() + RETX_FIRST_MS;
	att_touch(d, a);
}

/*
 * Encode @m into the attempt's reply buffer (if any) and send it: in an
 * auth frame, or for a rekey in an AUTH control frame of its SA.  With
 * @a, fails only when @m cannot be encoded.
 */
static int send_msg(struct daemon *d, uint32_t ifindex, uint32_t attempt,
		    const uint8_t peer[ETH_ALEN_], const struct aka_msg *m,
		    struct attempt *a)
{
	struct aka_ctrl c = { .type = AKA_CTRL_AUTH, .attempt = attempt };
	uint8_t buf[AKA_CTRL_MAX];
	ssize_t len;

	if (a && a->rekey) {
		c.msg = *m;
		len = aka_ctrl_encode(&c, buf, sizeof(buf));
	} else {
		len = aka_msg_encode(m, buf, sizeof(buf));
	}
	if (len < 0) {
		log_err("attempt %08x: encoding message %u: %s", attempt,
			m->type, strerror(-len));
		return len;
	}
	if (!a)
		return send_auth(d, ifindex, attempt, peer, buf, len);
	/*
	 * Kept: a frame the kernel could not send (the lower device dropped
	 * it) is as good as lost on the air, and comes again when the
	 * device repeats its message, or with the network's retransmission.
	 */
	memcpy(a->reply, buf, len);
	a->reply_len = len;
	memset(a->copies, 0, sizeof(a->copies));
	if (!a->rekey) {
		send_auth(d, a->ifindex, attempt, peer, buf, len);
		return 0;
	}
	if (a->state == ATT_REJECTED)
		a->next_tx = 0;		/* a REJECT is not retransmitted */
	else
		retx_arm(d, a);
	send_ctrl(d, a, buf, len);
	return 0;
}

static void resend(struct daemon *d, struct attempt *a)
{
	if (!a->reply_len)
		return;
	if (a->rekey)
		send_ctrl(d, a, a->reply, a->reply_len);
	else
		send_auth(d, a->ifindex, a->id, a->peer, a->reply, a->reply_len);
}

/*
 * May a copy of a device message of @type get the answer again?  The
 * device sends a message at most RETX_TRIES + 1 times, and the air may
 * duplicate each: more copies are someone replaying it, and each answer
 * would spend the reader's air time on them.  Each type counts apart, so
 * that a replayed HELLO cannot use up the answers of a RESPONSE that
 * the device repeats because it lost the ACCEPT.  The first copy of a
 * message got the new answer: ANSWER_COPIES_MAX - 1 more.
 */
static bool answer_again(struct attempt *a, uint8_t type)
{
	uint8_t *n = &a->copies[type < sizeof(a->copies) ? type : 0];

	if (*n < ANSWER_COPIES_MAX - 1) {
		(*n)++;
		return true;
	}
	if (*n == ANSWER_COPIES_MAX - 1) {
		(*n)++;		/* said once */
		log_info("attempt %08x: %s: %d copies of a %s answered: no more",
			 a->id, a->hint, ANSWER_COPIES_MAX,
			 type == AKA_MSG_HELLO ? "HELLO" :
			 type == AKA_MSG_RESPONSE ? "RESPONSE" : "SYNC_FAILURE");
	}
	return false;
}

/* Answer a copy of a device message of @type: the answer already sent. */
static void repeat_answer(struct daemon *d, struct attempt *a, uint8_t type)
{
	if (answer_again(a, type))
		resend(d, a);
}

/*
 * Send REJECT @cause for @attempt and audit it.  With @a, the attempt is
 * closed and keeps the REJECT for retransmissions.
 */
static void reject(struct daemon *d, uint32_t ifindex, uint32_t attempt,
		   const uint8_t peer[ETH_ALEN_], struct attempt *a,
		   const char *hint, uint8_t mode, uint8_t cause)
{
	struct aka_msg m = { .type = AKA_MSG_REJECT, .reject.cause = cause };

	if (hint) {
		log_info("attempt %08x: %s: reject %s", attempt, hint,
			 aka_cause_name(cause));
		store_audit(d->st, hint, mode_name(mode), "reject",
			    aka_cause_name(cause));
	}
	if (a)
		att_settle(a, ATT_REJECTED);
	send_msg(d, ifindex, attempt, peer, &m, a);
}

/*
 * HELLOs over the global rate are answered one by one, but logged and
 * audited as one row a second ("over-rate:N"): a flood writes no more.
 */
static void over_rate_note(struct daemon *d, uint64_t now)
{
	char hint[32];

	if (!d->over_rate || now - d->over_rate_ms < OVER_RATE_MS)
		return;
	snprintf(hint, sizeof(hint), "over-rate:%u", d->over_rate);
	log_info("%u HELLOs over the global rate (--max-rate) rejected",
		 d->over_rate);
	store_audit(d->st, hint, "", "reject",
		    aka_cause_name(AKA_CAUSE_RATE_LIMITED));
	d->over_rate = 0;
}

/* ---- HELLO ------------------------------------------------------- */

/* Find the device of a HELLO; 0, or the cause of rejection. */
static uint8_t identify(struct daemon *d, struct attempt *a,
			const struct aka_hello *h, struct store_device *dev)
{
	uint8_t pid[AKA_PID_MAX];
	size_t pidlen = sizeof(pid);
	int err;

	if (h->id_type == AKA_ID_TID) {
		hexstr(a->hint, sizeof(a->hint), "tid:", h->tid, AKA_TID_LEN);
		err = store_device_by_tid(d->st, h->tid, dev);
		if (err == -ENOENT)
			return AKA_CAUSE_UNKNOWN_IDENTITY;
		if (err) {
			log_err("store: %s", store_errmsg(d->st));
			return 0xff;
		}
	} else {
		snprintf(a->hint, sizeof(a->hint), "suci:key%u", h->suci.key_id);
		if (!d->have_hn_key ||
		    (d->hn_key_id >= 0 && h->suci.key_id != d->hn_key_id))
			return AKA_CAUSE_BAD_SUCI;
		err = aka_suci_reveal(d->hn_key, &h->suci, pid, &pidlen);
		if (err)
			return AKA_CAUSE_BAD_SUCI;
		err = store_device_by_pid(d->st, pid, pidlen, dev);
		OPENSSL_cleanse(pid, sizeof(pid));
		if (err == -ENOENT)
			return AKA_CAUSE_UNKNOWN_IDENTITY;
		if (err) {
			log_err("store: %s", store_errmsg(d->st));
			return 0xff;
		}
	}
	snprintf(a->hint, sizeof(a->hint), "%s", dev->pid);
	return 0;
}

/* Build and send a CHALLENGE with a fresh RAND_n (and a new SQN). */
static int challenge(struct daemon *d, struct attempt *a, uint8_t mode)
{
	uint8_t rand_n[AKA_RAND_LEN];
	struct aka_msg m;
	uint64_t sqn = 0;
	int err;

	if (mode == AKA_MODE_MUTUAL) {
		/* committed before the CHALLENGE leaves */
		err = store_sqn_reserve(d->st, a->device, &sqn);
		if (err) {
			log_err("attempt %08x: %s: reserving SQN: %s", a->id,
				a->hint, store_errmsg(d->st));
			return err;
		}
	}
	err = random_bytes(rand_n, sizeof(rand_n)) ?:
	      aka_net_challenge(&a->cred, sqn, rand_n, mode, &m, &a->expect);
	if (err) {
		log_err("attempt %08x: challenge: %s", a->id, strerror(-err));
		return err;
	}
	log_debug("attempt %08x: %s: %s challenge%s", a->id, a->hint,
		  mode_name(mode), a->resynced ? " after resync" : "");
	a->state = ATT_CHALLENGED;
	return send_msg(d, a->ifindex, a->id, a->peer, &m, a);
}

static void on_hello(struct daemon *d, uint32_t ifindex, uint32_t id,
		     const uint8_t *peer, const struct aka_hello *h)
{
	struct store_device dev;
	struct attempt *a;
	uint8_t cause, mode;

	a = att_find(d, ifindex, id);
	if (a) {
		/*
		 * the same HELLO again (the device missed the answer); another
		 * one with this attempt ID (another device's, or someone's
		 * using up the answers the device may need) gets none
		 */
		if (memcmp(h->rand_d, a->hello.rand_d, AKA_RAND_LEN)) {
			log_debug("attempt %08x: another HELLO with its ID: ignored",
				  id);
			return;
		}
		log_debug("attempt %08x: HELLO again: same answer", id);
		repeat_answer(d, a, AKA_MSG_HELLO);
		return;
	}
	/* over the global rate, no state is kept: a flood fills nothing */
	if (!bucket_take(d)) {
		if (!d->over_rate++)
			d->over_rate_ms = now_ms();
		reject(d, ifindex, id, peer, NULL, NULL, 0,
		       AKA_CAUSE_RATE_LIMITED);
		return;
	}
	a = att_new(d, ifindex, id, peer, false);
	if (!a) {
		log_warn("attempt %08x: too many open attempts", id);
		return;
	}
	a->hello = *h;
	cause = identify(d, a, h, &dev);
	if (cause == 0xff) {
		att_free(d, a);
		return;
	}
	if (!cause && dev.disabled)
		cause = AKA_CAUSE_DISABLED;
	if (cause) {
		reject(d, ifindex, id, peer, a, a->hint, 0, cause);
		goto out;
	}
	a->device = dev.id;
	memcpy(a->cred.k, dev.k, AKA_KEY_LEN);
	memcpy(a->cred.opc, dev.opc, AKA_KEY_LEN);
	memcpy(a->cred.amf, dev.amf, AKA_AMF_LEN);
	a->cred.profile = dev.profile;
	mode = aka_net_mode(dev.profile, h->caps);
	if (challenge(d, a, mode))
		att_free(d, a);
	else
		open_set(d, a);
out:
	OPENSSL_cleanse(&dev, sizeof(dev));
}

/* ---- RESPONSE ---------------------------------------------------- */

/* The suite for this device: inventory nia2, command the chosen one. */
static uint8_t choose_suite(struct daemon *d, const struct attempt *a)
{
	static const struct { uint8_t suite, cap; } pref[] = {
		{ AIOTSEC_SUITE_AES_GCM, AKA_CAP_AES_GCM },
		{ AIOTSEC_SUITE_AES_CCM, AKA_CAP_AES_CCM },
		{ AIOTSEC_SUITE_NIA2_NEA2, AKA_CAP_NIA2_NEA2 },
	};
	uint8_t caps = a->hello.caps & (AKA_CAP_ALL & ~AKA_CAP_MUTUAL);
	size_t i;

	if (a->cred.profile != AIOTSEC_PROFILE_COMMAND)
		return AIOTSEC_SUITE_NIA2;
	if (!caps)
		return d->suite;	/* the device states nothing */
	for (i = 0; i < sizeof(pref) / sizeof(pref[0]); i++)
		if (pref[i].suite == d->suite && (caps & pref[i].cap))
			return d->suite;
	for (i = 0; i < sizeof(pref) / sizeof(pref[0]); i++)
		if (caps & pref[i].cap)
			return pref[i].suite;
	return d->suite;
}

static void send_tid_assign(struct daemon *d, struct attempt *a)
{
	/* a rekey knows no address of its own: the SA's peer it is */
	int err = kern_frame_send(d, a->ifindex, AIOTSEC_FT_CONTROL, a->sid,
				  a->ctrl,
				  a->ctrl_len, a->rekey ? NULL : a->peer);

	if (err)
		log_warn("attempt %08x: sending T-ID-ASSIGN on session %08x: %s",
			 a->id, a->sid, nl_strerror(&d->req, err));
}

/* After an ACCEPT: the next T-ID, committed before it leaves. */
static void assign_tid(struct daemon *d, struct attempt *a)
{
	struct aka_ctrl c = { .type = AKA_CTRL_TID_ASSIGN, .attempt = a->id };
	ssize_t clen;
	int err;

	if (random_bytes(c.tid, sizeof(c.tid)))
		return;
	/* a new one, or the current one again until it is confirmed */
	err = store_tid_assign(d->st, a->device, c.tid,
			       a->hello.id_type == AKA_ID_TID ? a->hello.tid :
			       NULL);
	if (err) {
		log_err("attempt %08x: storing the new T-ID: %s", a->id,
			store_errmsg(d->st));
		return;
	}
	clen = aka_ctrl_encode(&c, a->ctrl, sizeof(a->ctrl));
	if (clen < 0)
		return;
	a->ctrl_len = clen;
	retx_arm(d, a);
	send_tid_assign(d, a);
}

/* The SA key of @a for @suite and session @sid, from its CK, IK, nonces. */
static int attempt_key(const struct attempt *a, uint32_t sid, uint8_t suite,
		       uint8_t key[AKA_SA_KEY_MAX], size_t *keylen)
{
	uint8_t kaiotf[AKA_KAIOTF_LEN];
	int err;

	err = aka_derive_kaiotf(a->expect.ck, a->expect.ik, a->expect.rand_n,
				a->hello.rand_d, sid, a->id, a->hello.caps,
				kaiotf) ?:
	      aka_derive_sa_key(kaiotf, suite, key, keylen);
	OPENSSL_cleanse(kaiotf, sizeof(kaiotf));
	return err;
}

/* A rekey's RES verified: the next key into the SA, then ACCEPT. */
static void accept_rekey(struct daemon *d, struct attempt *a)
{
	struct aka_msg m = { .type = AKA_MSG_ACCEPT };
	struct store_session s;
	uint8_t key[AKA_SA_KEY_MAX];
	size_t keylen = 0;
	int err, tries;

	err = store_session_get(d->st, a->sid, &s) ?:
	      attempt_key(a, a->sid, s.suite, key, &keylen);
	/*
	 * -EAGAIN: the previous next key was promoted meanwhile, or another
	 * request (aiotsecctl) changed the SA
	 */
	for (tries = 0; !err && tries < 2; tries++) {
		err = kern_sa_set_key(d, a->ifindex, a->sid, key, keylen);
		if (err != -EAGAIN)
			break;
	}
	OPENSSL_cleanse(key, sizeof(key));
	if (err) {
		log_err("rekey %08x: %s: installing the next key of session %08x: %s",
			a->id, a->hint, a->sid, nl_strerror(&d->req, err));
		store_audit(d->st, a->hint, mode_name(a->expect.mode), "error",
			    NULL);
		att_close(a);
		return;
	}
	att_settle(a, ATT_ACCEPTED);
	m.accept.sid = a->sid;
	m.accept.suite = s.suite;
	m.accept.ctr_bits = a->ctr_bits;
	send_msg(d, a->ifindex, a->id, a->peer, &m, a);
	log_info("rekey %08x: %s: accepted (%s), session %08x has a next key",
		 a->id, a->hint, mode_name(a->expect.mode), a->sid);
	store_audit(d->st, a->hint, mode_name(a->expect.mode), "rekey", NULL);
	assign_tid(d, a);
}

/* RES verified: install the SA, ACCEPT, then assign the next T-ID. */
static void accept_attempt(struct daemon *d, struct attempt *a)
{
	uint8_t key[AKA_SA_KEY_MAX];
	struct store_session old, tmp;
	struct aka_msg m = { .type = AKA_MSG_ACCEPT };
	uint8_t suite = choose_suite(d, a);
	size_t keylen = 0;
	uint32_t sid = 0;
	int err = -EEXIST, tries;

	if (a->rekey) {
		accept_rekey(d, a);
		return;
	}
	/* the device's previous session goes first, on whichever link */
	while (!store_session_by_device(d->st, a->device, &old)) {
		err = 0;
		if (!old.link[0])	/* recorded before links were */
			err = sa_delete_any(d, old.sid);
		else if (link_ifindex(d, old.link))
			err = sa_delete(d, link_ifindex(d, old.link), old.sid);
		else if (!link_served(d, old.link))
			log_warn("%s: previous session %08x on %s, not served: its SA stays there",
				 a->hint, old.sid, old.link);
		/* else: the link is gone, with its SAs */
		sa_delete_check(d, old.sid, err);
		if (session_forget(d, old.sid)) {
			log_err("store: %s", store_errmsg(d->st));
			break;
		}
		log_debug("%s: previous session %08x deleted", a->hint, old.sid);
	}
	err = -EEXIST;
	for (tries = 0; tries < 16 && err == -EEXIST; tries++) {
		if (random_bytes((uint8_t *)&sid, sizeof(sid)))
			goto fail;
		if (!sid || !store_session_get(d->st, sid, &tmp))
			continue;
		err = attempt_key(a, sid, suite, key, &keylen);
		if (err)
			break;
		err = kern_sa_new(d, a->ifindex, sid, suite, a->cred.profile,
				  key, keylen, a->peer);
	}
	OPENSSL_cleanse(key, sizeof(key));
	if (err) {
		/* the kernel's words (ENOSPC: the link's max-sas, no disk) */
		log_err("attempt %08x: %s: installing the SA: %s", a->id,
			a->hint, nl_strerror(&d->req, err));
		goto fail;
	}
	err = store_session_add(d->st, sid, a->device, suite,
				link_name(d, a->ifindex));
	if (err) {
		/* an SA the store does not know would outlive the device */
		log_err("attempt %08x: %s: storing session %08x: %s", a->id,
			a->hint, sid, store_errmsg(d->st));
		sa_delete_check(d, sid, sa_delete(d, a->ifindex, sid));
		goto fail;
	}
	a->sid = sid;
	att_settle(a, ATT_ACCEPTED);
	m.accept.sid = sid;
	m.accept.suite = suite;
	m.accept.ctr_bits = d->ctr_bits;
	send_msg(d, a->ifindex, a->id, a->peer, &m, a);
	log_info("attempt %08x: %s: accepted (%s), session %08x suite %u on %s",
		 a->id, a->hint, mode_name(a->expect.mode), sid, suite,
		 link_label(d, a->ifindex));
	store_audit(d->st, a->hint, mode_name(a->expect.mode), "accept", NULL);
	assign_tid(d, a);
	return;
fail:
	OPENSSL_cleanse(key, sizeof(key));
	/* no cause fits an internal failure: the device times out */
	store_audit(d->st, a->hint, mode_name(a->expect.mode), "error",
		    NULL);
	att_settle(a, ATT_REJECTED);
	a->reply_len = 0;
}

/*
 * The device of @a as the store has it now: aiotsecctl may have disabled
 * or deleted it while the attempt was open, or deleted it and added
 * another (SQLite may give the new one the old id) or the same one with
 * new keys.  0, the cause of rejection, or 0xff when the store cannot
 * tell.
 */
static uint8_t device_cause(struct daemon *d, const struct attempt *a)
{
	struct store_device dev;
	uint8_t cause = 0;
	int err;

	err = store_device_by_id(d->st, a->device, &dev);
	if (err == -ENOENT ||
	    (!err && (strcmp(dev.pid, a->hint) ||
		      CRYPTO_memcmp(dev.k, a->cred.k, AKA_KEY_LEN) ||
		      CRYPTO_memcmp(dev.opc, a->cred.opc, AKA_KEY_LEN)))) {
		cause = AKA_CAUSE_UNKNOWN_IDENTITY;
	} else if (err) {
		log_err("store: %s", store_errmsg(d->st));
		cause = 0xff;
	} else if (dev.disabled) {
		cause = AKA_CAUSE_DISABLED;
	}
	OPENSSL_cleanse(&dev, sizeof(dev));
	return cause;
}

static void on_response(struct daemon *d, uint32_t ifindex, uint32_t id,
			const uint8_t *peer, const struct aka_response *r)
{
	struct attempt *a = att_find(d, ifindex, id);
	uint8_t cause;
	char hint[32];

	if (!a) {
		if (!bucket_take(d))
			return;
		snprintf(hint, sizeof(hint), "attempt:%08x", id);
		reject(d, ifindex, id, peer, NULL, hint, 0,
		       AKA_CAUSE_REPLAYED_RESPONSE);
		return;
	}
	switch (a->state) {
	case ATT_CHALLENGED:
		break;
	case ATT_ACCEPTED:
		if (!CRYPTO_memcmp(r->res, a->res, AKA_RES_LEN)) {
			log_debug("attempt %08x: RESPONSE again: ACCEPT again", id);
			if (!answer_again(a, AKA_MSG_RESPONSE))
				return;
			resend(d, a);
			/*
			 * the T-ID-ASSIGN too while it is retransmitted:
			 * after that, a newer assignment (a rekey's) may
			 * have replaced it, which a replayed RESPONSE must
			 * not undo
			 */
			if (a->ctrl_len && a->next_tx)
				send_tid_assign(d, a);
			return;
		}
		/* fall through */
	case ATT_CONFIRMED:
		if (bucket_take(d))
			reject(d, ifindex, id, peer, NULL, a->hint,
			       a->expect.mode, AKA_CAUSE_REPLAYED_RESPONSE);
		return;
	default:
		repeat_answer(d, a, AKA_MSG_RESPONSE);
		return;
	}
	if (aka_net_check_response(&a->expect, r->res)) {
		reject(d, ifindex, id, a->peer, a, a->hint, a->expect.mode,
		       AKA_CAUSE_BAD_RESPONSE);
		return;
	}
	cause = device_cause(d, a);
	if (cause == 0xff) {
		/* no cause fits an internal failure: the device times out */
		att_close(a);
		return;
	}
	if (cause) {
		reject(d, ifindex, id, a->peer, a, a->hint, a->expect.mode,
		       cause);
		return;
	}
	memcpy(a->res, r->res, AKA_RES_LEN);
	accept_attempt(d, a);
}

/* ---- SYNC_FAILURE, REJECT ---------------------------------------- */

static void on_sync_failure(struct daemon *d, uint32_t ifindex, uint32_t id,
			    const struct aka_sync_failure *s)
{
	struct attempt *a = att_find(d, ifindex, id);
	uint64_t sqn_d;

	if (!a) {
		log_debug("attempt %08x: SYNC_FAILURE for no attempt", id);
		return;
	}
	/*
	 * Nothing before the MAC-S check is authenticated: a SYNC_FAILURE
	 * that makes no sense, or whose MAC-S is wrong, is ignored, so that
	 * a forged one cannot end the network's side of the attempt; the
	 * first of an attempt is logged (and audited), the others not.
	 */
	if (a->state != ATT_CHALLENGED) {
		repeat_answer(d, a, AKA_MSG_SYNC_FAILURE);
		return;
	}
	if (a->expect.mode != AKA_MODE_MUTUAL || a->resynced) {
		if (a->resynced && !memcmp(a->auts, s->auts, AKA_AUTS_LEN)) {
			repeat_answer(d, a, AKA_MSG_SYNC_FAILURE);
		} else if (!a->unauth_noted) {
			log_info("attempt %08x: %s: SYNC_FAILURE %s: ignored",
				 id, a->hint, a->resynced ?
				 "after the resync" : "to a one-way challenge");
			store_audit(d->st, a->hint, mode_name(a->expect.mode),
				    "ignored", "sync-failure");
			a->unauth_noted = true;
		}
		return;
	}
	if (aka_net_resync(&a->cred, a->expect.rand_n, s->auts, &sqn_d)) {
		if (a->unauth_noted) {
			log_debug("attempt %08x: wrong MAC-S again", id);
			return;
		}
		log_info("attempt %08x: %s: SYNC_FAILURE with a wrong MAC-S: ignored",
			 id, a->hint);
		store_audit(d->st, a->hint, "mutual", "ignored",
			    "sync-failure");
		a->unauth_noted = true;
		return;
	}
	if (store_sqn_resync(d->st, a->device, sqn_d)) {
		log_err("attempt %08x: %s: resync to SQN %llu failed", id,
			a->hint, (unsigned long long)sqn_d + 1);
		reject(d, ifindex, id, a->peer, a, a->hint, a->expect.mode,
		       AKA_CAUSE_SYNC_FAILURE);
		return;
	}
	log_info("attempt %08x: %s: resynchronised", id, a->hint);
	store_audit(d->st, a->hint, "mutual", "resync", "sync-failure");
	memcpy(a->auts, s->auts, AKA_AUTS_LEN);
	a->resynced = true;
	if (challenge(d, a, AKA_MODE_MUTUAL)) {
		/* the first CHALLENGE must not be answered again */
		att_close(a);
	}
}

static void on_device_reject(struct daemon *d, uint32_t ifindex,
			     uint32_t id, const struct aka_reject *r)
{
	struct attempt *a = att_find(d, ifindex, id);

	if (!a || a->state != ATT_CHALLENGED)
		return;
	/*
	 * Not authenticated: the attempt stays open, so that a forged
	 * REJECT cannot end it (a genuine one lets it expire); only the
	 * first of an attempt is logged and audited, so that forged ones
	 * cannot flood either.
	 */
	if (a->unauth_noted) {
		log_debug("attempt %08x: the device rejects again", id);
		return;
	}
	log_info("attempt %08x: %s: the device rejects: %s", id, a->hint,
		 aka_cause_name(r->cause));
	store_audit(d->st, a->hint, mode_name(a->expect.mode),
		    "device-reject", aka_cause_name(r->cause));
	a->unauth_noted = true;
}

/* ---- frames and events ------------------------------------------- */

static void on_auth(struct daemon *d, uint32_t ifindex, uint32_t id,
		    const uint8_t *peer, const uint8_t *body, size_t len)
{
	struct attempt *a = att_find(d, ifindex, id);
	struct aka_msg m;
	char hint[32];

	if (a && a->rekey) {
		/* a rekey talks in its SA only: not over the open air */
		log_debug("attempt %08x: auth frame for a rekey ignored", id);
		return;
	}
	if (!a && att_elsewhere(d, ifindex, id, peer)) {
		log_debug("attempt %08x: heard on %s too: ignored there", id,
			  link_label(d, ifindex));
		return;
	}
	/* attempt ID 0 is invalid (protocol.rst) */
	if (!id || aka_msg_decode(body, len, &m)) {
		if (a) {	/* garbage inside an attempt: ignore */
			log_debug("attempt %08x: malformed message ignored", id);
			return;
		}
		if (!bucket_take(d))
			return;
		snprintf(hint, sizeof(hint), "attempt:%08x", id);
		reject(d, ifindex, id, peer, NULL, hint, 0,
		       AKA_CAUSE_MALFORMED);
		return;
	}
	switch (m.type) {
	case AKA_MSG_HELLO:
		on_hello(d, ifindex, id, peer, &m.hello);
		break;
	case AKA_MSG_RESPONSE:
		on_response(d, ifindex, id, peer, &m.response);
		break;
	case AKA_MSG_SYNC_FAILURE:
		on_sync_failure(d, ifindex, id, &m.sync_failure);
		break;
	case AKA_MSG_REJECT:
		on_device_reject(d, ifindex, id, &m.reject);
		break;
	default:
		log_debug("attempt %08x: message %u from a device ignored",
			  id, m.type);
	}
	OPENSSL_cleanse(&m, sizeof(m));
}

/* The HELLO of a rekey: the T-ID must be the SA's device's. */
static void on_rekey_hello(struct daemon *d, struct attempt *a,
			   const struct aka_hello *h)
{
	struct store_device dev;
	uint8_t cause = 0;
	int err;

	if (a->state != ATT_REKEY_REQUESTED) {
		if (!memcmp(h->rand_d, a->hello.rand_d, AKA_RAND_LEN))
			/* it missed our answer */
			repeat_answer(d, a, AKA_MSG_HELLO);
		return;
	}
	if (h->id_type != AKA_ID_TID) {
		cause = AKA_CAUSE_MALFORMED;
	} else {
		err = store_device_by_tid(d->st, h->tid, &dev);
		if (err && err != -ENOENT) {
			log_err("store: %s", store_errmsg(d->st));
			return;
		}
		if (err || dev.id != a->device)
			cause = AKA_CAUSE_UNKNOWN_IDENTITY;
		else if (dev.disabled)
			cause = AKA_CAUSE_DISABLED;
		OPENSSL_cleanse(&dev, sizeof(dev));
	}
	if (cause) {
		a->next_tx = 0;
		reject(d, a->ifindex, a->id, a->peer, a, a->hint, 0, cause);
		return;
	}
	a->hello = *h;
	if (challenge(d, a, aka_net_mode(a->cred.profile, h->caps))) {
		att_close(a);
	}
}

/* An auth message of a rekey, in a control frame of session @sid. */
static void on_rekey_auth(struct daemon *d, uint32_t ifindex, uint32_t sid,
			  const struct aka_ctrl *c)
{
	struct attempt *a = att_find(d, ifindex, c->attempt);

	if (!a || !a->rekey || a->sid != sid) {
		log_debug("session %08x: message for no rekey of its own", sid);
		return;
	}
	switch (c->msg.type) {
	case AKA_MSG_HELLO:
		on_rekey_hello(d, a, &c->msg.hello);
		break;
	case AKA_MSG_RESPONSE:
		if (a->state == ATT_CHALLENGED ||
		    (a->state == ATT_ACCEPTED &&
		     !CRYPTO_memcmp(c->msg.response.res, a->res, AKA_RES_LEN)))
			on_response(d, ifindex, a->id, a->peer,
				    &c->msg.response);
		break;
	case AKA_MSG_SYNC_FAILURE:
		on_sync_failure(d, ifindex, a->id, &c->msg.sync_failure);
		break;
	case AKA_MSG_REJECT:
		if (a->state != ATT_CHALLENGED &&
		    a->state != ATT_REKEY_REQUESTED)
			break;
		log_info("rekey %08x: %s: the device rejects: %s", a->id,
			 a->hint, aka_cause_name(c->msg.reject.cause));
		store_audit(d->st, a->hint, mode_name(a->expect.mode),
			    "device-reject", aka_cause_name(c->msg.reject.cause));
		att_close(a);
		break;
	default:
		log_debug("rekey %08x: message %u from the device ignored",
			  a->id, c->msg.type);
	}
}

static void on_tid_confirm(struct daemon *d, uint32_t ifindex, uint32_t sid,
			   const struct aka_ctrl *c)
{
	struct aka_ctrl sent;
	struct store_device dev;
	struct store_session s;
	struct attempt *a;
	bool match;

	if (store_session_get(d->st, sid, &s) ||
	    store_device_by_id(d->st, s.device, &dev)) {
		log_info("session %08x: T-ID-CONFIRM for no known session", sid);
		return;
	}
	match = dev.has_tid_current &&
		!memcmp(dev.tid_current, c->tid, AKA_TID_LEN);
	/*
	 * the device holds the current T-ID: the next assignment may drop
	 * the previous; or it holds the previous again: it may not
	 */
	if (match ? !dev.tid_confirmed :
		    dev.has_tid_previous &&
		    !memcmp(dev.tid_previous, c->tid, AKA_TID_LEN)) {
		if (store_tid_confirm(d->st, dev.id, c->tid))
			log_err("store: %s", store_errmsg(d->st));
	}
	/*
	 * Only the attempt that assigned this T-ID is confirmed, named by
	 * its ID: a late (or replayed) confirmation of an earlier
	 * assignment, even of the same T-ID, must not stop a rekey's ACCEPT
	 * and T-ID-ASSIGN from being retransmitted.
	 */
	a = att_find(d, ifindex, c->attempt);
	if (a && a->sid == sid && a->state == ATT_ACCEPTED &&
	    !aka_ctrl_decode(a->ctrl, a->ctrl_len, &sent) &&
	    !memcmp(sent.tid, c->tid, AKA_TID_LEN)) {
		a->state = ATT_CONFIRMED;
		a->next_tx = 0;
	}
	OPENSSL_cleanse(&sent, sizeof(sent));
	log_info("session %08x: %s: T-ID-CONFIRM%s", sid, dev.pid,
		 match ? "" : " of a T-ID that is not current");
	store_audit(d->st, dev.pid, "", match ? "tid-confirm" : "tid-mismatch",
		    NULL);
	OPENSSL_cleanse(&dev, sizeof(dev));
}

static void on_control(struct daemon *d, uint32_t ifindex, uint32_t sid,
		       const uint8_t *body, size_t len)
{
	struct aka_ctrl c;

	if (aka_ctrl_decode(body, len, &c)) {
		log_debug("session %08x: malformed control frame", sid);
		return;
	}
	switch (c.type) {
	case AKA_CTRL_TID_CONFIRM:
		on_tid_confirm(d, ifindex, sid, &c);
		break;
	case AKA_CTRL_AUTH:
		on_rekey_auth(d, ifindex, sid, &c);
		break;
	default:
		log_debug("session %08x: unexpected control frame %u", sid,
			  c.type);
	}
	OPENSSL_cleanse(&c, sizeof(c));
}

void auth_frame(struct daemon *d, const struct nlattr **tb)
{
	const struct nlattr *pl = tb[AIOTSEC_A_PAYLOAD];
	const struct nlattr *mac = tb[AIOTSEC_A_PEER_MAC];
	static const uint8_t bcast[ETH_ALEN_] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	uint32_t sid, ifindex;
	uint8_t type;

	if (!tb[AIOTSEC_A_FRAME_TYPE] || !tb[AIOTSEC_A_SID] || !pl)
		return;
	/* kern_msg() passes only frames of the links served */
	ifindex = nl_get_uint(tb[AIOTSEC_A_IFINDEX]);
	type = nl_get_uint(tb[AIOTSEC_A_FRAME_TYPE]);
	sid = nl_get_uint(tb[AIOTSEC_A_SID]);
	if (type == AIOTSEC_FT_AUTH && !tb[AIOTSEC_A_VERIFIED])
		on_auth(d, ifindex, sid,
			mac && mnl_attr_get_payload_len(mac) == ETH_ALEN_ ?
			mnl_attr_get_payload(mac) : bcast,
			mnl_attr_get_payload(pl), mnl_attr_get_payload_len(pl));
	else if (type == AIOTSEC_FT_CONTROL && tb[AIOTSEC_A_VERIFIED])
		on_control(d, ifindex, sid, mnl_attr_get_payload(pl),
			   mnl_attr_get_payload_len(pl));
}

/*
 * The attempt still at work on session @sid: a rekey exchanging its
 * messages, or any attempt whose ACCEPT and T-ID-ASSIGN the device has
 * not confirmed yet.  A new rekey waits for it: one T-ID assignment at a
 * time, or a device that missed one could hold a T-ID that two rotations
 * pushed out of the store.
 */
static bool attempt_busy(const struct attempt *a)
{
	return (a->state == ATT_ACCEPTED && a->next_tx) ||
	       (a->rekey && (a->state == ATT_REKEY_REQUESTED ||
			     a->state == ATT_CHALLENGED));
}

static struct attempt *busy_on(struct daemon *d, uint32_t sid)
{
	struct attempt *a;

	for (a = d->att_head; a; a = a->next)
		if (a->sid == sid && attempt_busy(a))
			return a;
	return NULL;
}

/* rekey_start()'s key phase for a deferred soft expiry */
#define REKEY_TX_KEY	0xff

/*
 * A rekey of the SA @sid failed (the attempt @a), or could not start (no
 * @a): again after a pause.
 */
static void rekey_later(struct daemon *d, uint32_t ifindex, uint32_t sid,
			const struct attempt *a)
{
	unsigned int failures;
	uint64_t ms = retry_failed(d, ifindex, sid, &failures);
	char what[96] = "rekey";

	if (a)
		snprintf(what, sizeof(what), "%s: rekey %08x", a->hint, a->id);
	if (ms)
		log_info("session %08x: %s failed (%u in a row): again in %.1f s",
			 sid, what, failures, ms / 1000.0);
	else
		log_info("session %08x: %s failed: the SA keeps its key to its hard limit",
			 sid, what);
}

/*
 * Key phase @phase of session @sid, on link @ifindex, reached its soft
 * limit: rekey in the live SA, unless a rekey of that key is under way,
 * or after the attempt of the SA under way.  The key must still be the
 * one that transmits, past its soft limit: an event read after the key
 * was rekeyed (by a reconciliation) or late frames that a
 * previous key verified would otherwise rekey a fresh key.  A deferred
 * soft expiry (@phase REKEY_TX_KEY) rekeys the key that transmits then,
 * if it is past its soft limit.  Returns whether a rekey started.
 */
static bool rekey_start(struct daemon *d, uint32_t ifindex, uint32_t sid,
			unsigned int phase)
{
	static const uint8_t no_peer[ETH_ALEN_];
	struct aka_ctrl c = { .type = AKA_CTRL_REKEY };
	struct store_device dev;
	struct store_session s;
	struct kern_sa ksa;
	unsigned int failures;
	struct attempt *a;
	bool started = false, none = true;
	uint32_t id = 0;
	ssize_t len;
	int err;

	err = store_session_get(d->st, sid, &s);
	if (err) {
		/* not one of ours, or the store failed: then try later */
		if (err == -ENOENT)
			retry_forget(d, sid);
		else
			rekey_later(d, ifindex, sid, NULL);
		return false;
	}
	a = busy_on(d, sid);
	if (a && a->rekey && a->rekey_of == phase) {
		/* started by a reconciliation: its end is this one's too */
		log_info("session %08x: %s: soft expiry of key phase %u: rekey %08x of it already under way",
			 sid, a->hint, phase, a->id);
		return false;
	}
	if (a) {
		log_debug("session %08x: soft expiry: rekey after attempt %08x",
			  sid, a->id);
		a->rekey_after = true;
		return false;
	}
	err = store_device_by_id(d->st, s.device, &dev);
	if (err) {
		log_err("session %08x: no device %lld in the store: %s", sid,
			(long long)s.device, strerror(-err));
		if (err == -ENOENT)
			retry_forget(d, sid);
		else
			rekey_later(d, ifindex, sid, NULL);
		return false;
	}
	err = kern_sa_get(d, ifindex, sid, &ksa);
	if (err) {
		log_warn("session %08x: reading the SA for a rekey: %s", sid,
			 strerror(-err));
		/* gone (or its link): no rekey; anything else: later */
		none = err == -ENOENT || err == -ENODEV;
		goto out;
	}
	if (phase == REKEY_TX_KEY)
		phase = ksa.tx_phase;
	if (ksa.tx_phase != phase) {
		log_info("session %08x: %s: soft expiry of key phase %u, which no longer transmits: no rekey",
			 sid, dev.pid, phase);
		goto out;
	}
	if (!ksa.soft_expired) {
		log_info("session %08x: %s: key phase %u is not past its soft limit: no rekey",
			 sid, dev.pid, phase);
		goto out;
	}
	if (dev.disabled) {
		log_info("session %08x: %s is disabled: no rekey", sid, dev.pid);
		goto out;
	}
	/* from here on, a failure is the daemon's: the SA is rekeyed later */
	none = false;
	while (!id || att_find(d, ifindex, id))
		if (random_bytes((uint8_t *)&id, sizeof(id)))
			goto out;
	a = att_new(d, ifindex, id, no_peer, true);
	if (!a) {
		log_warn("session %08x: too many open attempts for a rekey",
			 sid);
		goto out;
	}
	a->rekey = true;
	a->rekey_of = phase;
	a->sid = sid;
	a->ctr_bits = ksa.ctr_bits;
	a->device = dev.id;
	memcpy(a->cred.k, dev.k, AKA_KEY_LEN);
	memcpy(a->cred.opc, dev.opc, AKA_KEY_LEN);
	memcpy(a->cred.amf, dev.amf, AKA_AMF_LEN);
	a->cred.profile = dev.profile;
	snprintf(a->hint, sizeof(a->hint), "%s", dev.pid);
	a->state = ATT_REKEY_REQUESTED;
	c.attempt = id;
	len = aka_ctrl_encode(&c, a->reply, sizeof(a->reply));
	if (len < 0) {
		att_free(d, a);
		goto out;
	}
	a->reply_len = len;
	failures = retry_failures(d, sid);
	if (failures)
		log_info("session %08x: %s: key phase %u: rekey %08x, after %u failed",
			 sid, dev.pid, phase, id, failures);
	else
		log_info("session %08x: %s: soft expiry of key phase %u: rekey %08x",
			 sid, dev.pid, phase, id);
	retx_arm(d, a);
	send_ctrl(d, a, a->reply, a->reply_len);
	started = true;
out:
	if (started)
		retry_started(d, sid);
	else if (none)
		retry_forget(d, sid);
	else
		rekey_later(d, ifindex, sid, NULL);
	OPENSSL_cleanse(&dev, sizeof(dev));
	return started;
}

/* retry_run()'s: the SA @sid's rekey failed before, and is due again */
static void rekey_again(struct daemon *d, uint32_t ifindex, uint32_t sid)
{
	rekey_start(d, ifindex, sid, REKEY_TX_KEY);
}

/*
 * The rekey @a no longer runs (!attempt_busy()): its device took the new
 * key (it transmits with it), or the SA is rekeyed again later if its
 * session still is.
 */
static void rekey_end(struct daemon *d, struct attempt *a)
{
	struct store_session s;
	struct kern_sa ksa;

	a->rekey_ended = true;
	/*
	 * done once the SA transmits with another key than the one it
	 * replaced (not when only its T-ID-CONFIRM came: under the old key,
	 * the device refused the ACCEPT), or gone with its session
	 */
	if ((!kern_sa_get(d, a->ifindex, a->sid, &ksa) &&
	     ksa.tx_phase != a->rekey_of) ||
	    store_session_get(d->st, a->sid, &s)) {
		retry_forget(d, a->sid);
		return;
	}
	rekey_later(d, a->ifindex, a->sid, a);
}

/* The transmit key of session @sid reached its hard limit: the SA goes. */
static void session_hard_expired(struct daemon *d, uint32_t ifindex,
				 uint32_t sid)
{
	sa_delete_check(d, sid, sa_delete(d, ifindex, sid));
	session_forget(d, sid);
	log_info("session %08x: hard expiry: SA deleted from %s", sid,
		 link_label(d, ifindex));
}

void auth_event(struct daemon *d, const struct nlattr **tb)
{
	uint8_t ev = tb[AIOTSEC_A_EVENT] ? nl_get_uint(tb[AIOTSEC_A_EVENT]) : 0;
	uint32_t sid = tb[AIOTSEC_A_SID] ? nl_get_uint(tb[AIOTSEC_A_SID]) : 0;
	/* kern_msg() passes only events of the links served */
	uint32_t ifindex = nl_get_uint(tb[AIOTSEC_A_IFINDEX]);
	struct store_session s;

	switch (ev) {
	case AIOTSEC_EVENT_HARD_EXPIRE:
		if (store_session_get(d->st, sid, &s))
			return;
		session_hard_expired(d, ifindex, sid);
		break;
	case AIOTSEC_EVENT_SOFT_EXPIRE:
		rekey_start(d, ifindex, sid, tb[AIOTSEC_A_KEY_PHASE] ?
			    nl_get_uint(tb[AIOTSEC_A_KEY_PHASE]) : 0);
		break;
	case AIOTSEC_EVENT_KEY_SWITCH:
		retry_forget(d, sid);	/* the device uses a new key */
		log_info("session %08x: transmitting with key phase %u", sid,
			 tb[AIOTSEC_A_KEY_PHASE] ?
			 (unsigned)nl_get_uint(tb[AIOTSEC_A_KEY_PHASE]) : 0);
		break;
	case AIOTSEC_EVENT_REPLAY_ALARM:
		log_debug("session %08x: replay alarm", sid);
		break;
	}
}

/* ---- timer, start, end ------------------------------------------- */

/* The network's retransmissions: a rekey's last message, T-ID-ASSIGN. */
static void retransmit(struct daemon *d, struct attempt *a, uint64_t now)
{
	uint64_t rto;

	if (a->ntx >= RETX_TRIES) {
		a->next_tx = 0;
		if (a->state == ATT_ACCEPTED) {
			log_info("attempt %08x: %s: T-ID-ASSIGN never confirmed",
				 a->id, a->hint);
			return;
		}
		log_info("rekey %08x: %s: timeout", a->id, a->hint);
		store_audit(d->st, a->hint, mode_name(a->expect.mode),
			    "reject", aka_cause_name(AKA_CAUSE_TIMEOUT));
		att_settle(a, ATT_REJECTED);
		return;
	}
	a->ntx++;
	if (a->state != ATT_ACCEPTED || a->rekey)
		resend(d, a);
	if (a->state == ATT_ACCEPTED && a->ctrl_len)
		send_tid_assign(d, a);
	rto = (uint64_t)RETX_FIRST_MS << a->ntx;
	a->next_tx = now + (rto < RETX_MAX_MS ? rto : RETX_MAX_MS);
}

void auth_tick(struct daemon *d)
{
	uint64_t now = now_ms();
	struct attempt *a;

	for (a = d->att_head; a; a = a->next) {
		if (a->next_tx && a->next_tx <= now)
			retransmit(d, a, now);
		if (a->rekey && !a->rekey_ended && !attempt_busy(a))
			rekey_end(d, a);
		/*
		 * a soft expiry that waited for this attempt: rekey now,
		 * unless the SA's rekey failed and waits for its retry
		 */
		if (a->rekey_after && !attempt_busy(a)) {
			a->rekey_after = false;
			if (!retry_pending(d, a->sid))
				rekey_start(d, a->ifindex, a->sid,
					    REKEY_TX_KEY);
		}
	}

	while ((a = d->att_head) && a->expires <= now) {
		uint32_t sid = a->sid, ifindex = a->ifindex;
		bool rekey = a->rekey_after;

		if (a->state == ATT_CHALLENGED) {
			log_info("attempt %08x on %s: %s: timeout", a->id,
				 link_label(d, a->ifindex), a->hint);
			store_audit(d->st, a->hint, mode_name(a->expect.mode),
				    "reject", aka_cause_name(AKA_CAUSE_TIMEOUT));
		}
		if (a->rekey && !a->rekey_ended)
			rekey_end(d, a);
		att_free(d, a);
		/* its waiting rekey outlives it */
		if (rekey && !retry_pending(d, sid))
			rekey_start(d, ifindex, sid, REKEY_TX_KEY);
	}
	if (now - d->last_prune_ms >= 10000) {
		open_prune(d);
		d->last_prune_ms = now;
	}
	if (d->frames_lost && now >= d->frames_lost_ms) {
		log_warn("frames lost to %u overruns of the receive buffer",
			 d->frames_lost);
		d->frames_lost = 0;
		d->frames_lost_ms = now + LOST_NOTE_MS;
	}
	/* once a second at most, should the sockets keep overrunning */
	if ((d->events_lost || d->links_lost) &&
	    now >= d->lost_reconcile_ms) {
		bool start = d->events_lost;

		d->events_lost = false;
		d->links_lost = false;
		d->lost_reconcile_ms = now + 1000;
		auth_reconcile(d, start);
	} else if (d->reconcile_retry_ms && now >= d->reconcile_retry_ms) {
		auth_reconcile(d, false);
	}
	retry_run(d, now, rekey_again);
	over_rate_note(d, now);
	audit_prune(d, now);
	if (now - d->last_store_check_ms >= STORE_CHECK_MS) {
		bool changed = false;

		d->last_store_check_ms = now;
		if (store_changed(d->st, &changed))
			log_err("store: %s", store_errmsg(d->st));
		else if (changed)
			auth_reconcile(d, false);
	}
	if (store_audit_pending(d->st) && store_audit_flush(d->st))
		log_err("audit: %s", store_errmsg(d->st));
}

struct reconcile {
	uint32_t ifindex;	/* the link dumped */
	uint32_t failed;	/* links (bit: index in d->devs) not dumped */
	uint32_t *kernel;
	size_t n, cap;
	unsigned kept, deleted, rekeys;
	bool start;
	bool partial;		/* @kernel lacks SIDs: no session is stale */
};

/* The store's device of session @s is disabled: its SA goes. */
static bool session_disabled(struct daemon *d, uint32_t ifindex,
			     const struct store_session *s)
{
	struct store_device dev;
	bool disabled;

	if (store_device_by_id(d->st, s->device, &dev))
		return false;
	disabled = dev.disabled;
	if (disabled) {
		sa_delete_check(d, s->sid, sa_delete(d, ifindex, s->sid));
		session_forget(d, s->sid);
		log_info("session %08x: %s is disabled: SA deleted", s->sid,
			 dev.pid);
		store_audit(d->st, dev.pid, "", "sa-deleted", "disabled");
	}
	OPENSSL_cleanse(&dev, sizeof(dev));
	return disabled;
}

static void reconcile_sa(struct daemon *d, const struct kern_sa *ksa,
			 void *arg)
{
	struct reconcile *r = arg;
	struct store_session s;
	uint32_t *p, sid = ksa->sid;
	int err;

	if (!store_session_get(d->st, sid, &s)) {
		if (session_disabled(d, r->ifindex, &s)) {
			r->deleted++;
			return;
		}
		/* a hard expiry we missed: the SA is of no use any more */
		if (r->start && ksa->hard_expired) {
			session_hard_expired(d, r->ifindex, sid);
			r->deleted++;
			return;
		}
		r->kept++;
		/*
		 * a soft expiry missed (no daemon was running, or the events
		 * overran); rekey_start() waits for an attempt under way, and
		 * a failed rekey for its retry
		 */
		if (r->start && ksa->soft_expired &&
		    !retry_pending(d, sid) &&
		    rekey_start(d, r->ifindex, sid, ksa->tx_phase))
			r->rekeys++;
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 64;
			p = realloc(r->kernel, r->cap * sizeof(*p));
			if (!p) {
				r->partial = true;
				return;
			}
			r->kernel = p;
		}
		r->kernel[r->n++] = sid;
		return;
	}
	retry_forget(d, sid);
	err = sa_delete(d, r->ifindex, sid);
	sa_delete_check(d, sid, err);
	if (err)
		return;
	r->deleted++;
	log_info("SA %08x of %s unknown to the store: deleted", sid,
		 link_label(d, r->ifindex));
}

struct stale {
	struct daemon *d;
	const struct reconcile *r;
	uint32_t *sids;
	size_t n;
	size_t elsewhere;	/* sessions on links not served */
};

/* Sessions of the store without an SA in the kernel are stale. */
static int cmp_sid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * The kernel's SIDs are sorted by then: a search each, not a scan.  A
 * session on a link the daemon does not serve is not judged.
 */
static int collect_stale(const struct store_session *s, void *arg)
{
	struct stale *st = arg;
	uint32_t *p;

	if (s->link[0] && !link_served(st->d, s->link)) {
		st->elsewhere++;
		return 0;
	}
	/* on a link that could not be dumped (or, not recorded, any) */
	if (st->r->failed &&
	    (!s->link[0] || st->r->failed & link_bit(st->d, s->link)))
		return 0;
	if (st->r->n && bsearch(&s->sid, st->r->kernel, st->r->n,
				sizeof(uint32_t), cmp_sid))
		return 0;
	p = realloc(st->sids, (st->n + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	p[st->n++] = s->sid;
	st->sids = p;
	return 0;
}

/*
 * Dump the SAs of link @l into @r; 0, or the error that kept them from
 * being listed.  A link deleted meanwhile took its SAs with it: it has
 * none, and one created again under its name is taken up.
 */
static int reconcile_link(struct daemon *d, unsigned l, struct reconcile *r)
{
	uint32_t ifindex;
	int err, tries = 0;

	do {
		r->ifindex = d->ifindex[l];
		err = r->ifindex ? kern_sa_dump(d, r->ifindex, reconcile_sa, r) :
		      -ENODEV;
		if (err == -ENODEV) {
			ifindex = if_nametoindex(d->devs[l]);
			/* another name of a link served under its own */
			if (ifindex && ifindex != d->ifindex[l] &&
			    link_name(d, ifindex))
				ifindex = 0;
			if (!ifindex && d->ifindex[l])
				log_warn("%s is gone, with its SAs", d->devs[l]);
			if (ifindex && ifindex != d->ifindex[l])
				log_info("%s is there (ifindex %u)", d->devs[l],
					 ifindex);
			if (ifindex == d->ifindex[l])
				return ifindex ? err : 0;	/* still gone */
			d->ifindex[l] = ifindex;
			if (!ifindex)
				return 0;
			err = -EINTR;	/* the new link's SAs, now */
		} else if (err == -EINTR) {
			/* an SA changed meanwhile: the dump may have missed one */
			log_debug("%s: the SAs changed during their dump: again",
				  d->devs[l]);
		}
	} while (err == -EINTR && ++tries < 3);
	return err;
}

/*
 * The kernel's SAs against the store: an SA whose session the store does
 * not know (its device was deleted, or it predates the store) or whose
 * device is disabled is deleted; a stored session without an SA is
 * forgotten.  At start and after notifications were lost (@start: also
 * rekey the SAs whose soft expiry came while no daemon listened, or got
 * lost), and whenever aiotsecctl changed the store.  A link whose SAs
 * could not be dumped is judged again RECONCILE_RETRY_MS later.
 */
void auth_reconcile(struct daemon *d, bool start)
{
	struct reconcile r = { .start = start || d->reconcile_start };
	struct stale st = { .d = d, .r = &r };
	unsigned l;
	size_t i;
	int err;

	/*
	 * The SAs of every link: a session on none of them is stale, but
	 * for those on a link that could not be dumped, tried again later
	 * (as a start-time one if this was), as is a link that is gone.
	 */
	d->sa_undeleted = false;
	for (l = 0; l < d->n_links; l++) {
		err = reconcile_link(d, l, &r);
		if (err) {
			log_err("dumping the SAs of %s: %s (again in %d s)",
				d->devs[l], strerror(-err),
				RECONCILE_RETRY_MS / 1000);
			r.failed |= 1u << l;
		}
	}
	d->reconcile_start = r.failed && r.start;
	d->reconcile_retry_ms = r.failed || d->sa_undeleted ?
				now_ms() + RECONCILE_RETRY_MS : 0;
	if (r.n)
		qsort(r.kernel, r.n, sizeof(*r.kernel), cmp_sid);
	/* a session whose SA the list lacks is not stale: none is forgotten */
	if (r.partial)
		log_warn("out of memory listing the SAs: no session forgotten");
	else
		store_session_list(d->st, collect_stale, &st);
	for (i = 0; i < st.n; i++)
		session_forget(d, st.sids[i]);
	if (st.elsewhere)
		log_warn("%zu stored sessions are on links not served: kept",
			 st.elsewhere);
	log_info("reconciled with the kernel: %u SAs kept (%u past their soft limit: rekeyed), %u deleted, %zu stale sessions removed%s",
		 r.kept, r.rekeys, r.deleted, st.n,
		 r.failed ? "; not the links that could not be dumped" : "");
	free(st.sids);
	free(r.kernel);
}

int auth_init(struct daemon *d)
{
	if (random_bytes((uint8_t *)&d->att_seed, sizeof(d->att_seed)))
		return -1;
	d->att_seed |= 1;
	return 0;
}

void auth_cleanup(struct daemon *d)
{
	struct open_ent *e;
	unsigned b;

	/* the last second's over-rate rejects, audited before the store closes */
	over_rate_note(d, UINT64_MAX);

	while (d->att_head)
		att_free(d, d->att_head);
	retry_cleanup(d);
	for (b = 0; b < OPEN_BUCKETS; b++)
		while ((e = d->open_hash[b])) {
			d->open_hash[b] = e->next;
			free(e);
		}
}
