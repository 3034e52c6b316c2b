/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aiotsec: shared declarations of the module's parts.
 */
#ifndef _AIOTSEC_H
#define _AIOTSEC_H

#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/completion.h>
#include <linux/ratelimit.h>
#include <linux/refcount.h>
#include <linux/scatterlist.h>
#include <crypto/algapi.h>
#include <linux/rhashtable-types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/aiotsec.h>

/*
 * Security header: octet 0, then the session ID, then the counter; in
 * the short form (version 1) one more octet, the body length.
 */
#define AIOTSEC_HDR_VER_MASK	0xc0
#define AIOTSEC_HDR_V_SHORT	0x40
#define AIOTSEC_HDR_TYPE_SHIFT	3
#define AIOTSEC_HDR_TYPE_MASK	0x38
#define AIOTSEC_HDR_KP		0x04
#define AIOTSEC_HDR_C32		0x02
#define AIOTSEC_HDR_DOWN	0x01
#define AIOTSEC_HDR_MIN		7	/* 16-bit counter */
#define AIOTSEC_HDR_MAX		9	/* 32-bit counter */
#define AIOTSEC_HDR_ROOM	(AIOTSEC_HDR_MAX + 1)	/* short form */
#define AIOTSEC_TAG_MAX		16
#define AIOTSEC_OVERHEAD	(AIOTSEC_HDR_MAX + AIOTSEC_TAG_MAX)

/* Plaintext addressing on the aiotsec device: 02:TT:SS:SS:SS:SS */
#define AIOTSEC_ADDR_PREFIX	0x02

#define AIOTSEC_DIR_UP		0	/* device to reader */
#define AIOTSEC_DIR_DOWN	1	/* reader to device */

#define AIOTSEC_WINDOW_DEFAULT	512
#define AIOTSEC_WINDOW_MAX	8192

/**
 * struct aiotsec_key - one key slot of an SA
 * @refs: one for the slot that holds it (dropped an RCU grace period
 *	after it leaves the slot), one for each frame in flight with it
 * @window_bits: size of the replay window in frames
 * @sa: the SA it belongs to; a key holds a reference on its SA
 * @aead: "gcm(aes)" or "ccm(aes)" for the AEAD suites
 * @ctr: "ctr(aes)" keyed with K_enc, 128-NEA2 (nia2-nea2)
 * @cbc: "cbc(aes)" keyed with K_int, 128-NIA2 (CMAC over CBC)
 * @tx_counter: next counter to send with this key
 * @soft_limit: frames (either way) after which the daemon is told to rekey
 * @hard_limit: counters at or above this are never used
 * @flags: AIOTSEC_KEY_SOFT_SENT, AIOTSEC_KEY_HARD_SENT: events sent;
 *	AIOTSEC_KEY_NEXT: installed after the transmitting key and not yet
 *	used for transmission, the first frame it authenticates promotes it
 * @rx_lock: serialises the updates of @rx_next and @window
 * @window_words: length of @window
 * @rx_next: highest counter received and verified, plus one; 0: none yet.
 *	Read without the lock, hence atomic64_t: no torn read on 32 bits
 * @rcu: drops the slot's reference after a grace period
 * @phase: the key-phase bit that selects this slot on air
 * @req_len: octets of a frame's context that the transforms' largest
 *	request takes (the 128-NIA2 buffer follows it)
 * @cmac_k1: the CMAC subkey K1 of K_int (K2 is derived from it per frame)
 * @window: the RFC 6479 bitmap; @window_words unsigned longs
 *
 * The key schedules live in the transforms; the raw key is not kept.
 */
struct aiotsec_key {
	refcount_t refs;
	u32 window_bits;
	struct aiotsec_sa *sa;
	struct crypto_aead *aead;
	struct crypto_skcipher *ctr;
	struct crypto_skcipher *cbc;
	atomic64_t tx_counter;
	u64 soft_limit;
	u64 hard_limit;
	unsigned long flags;
	spinlock_t rx_lock; /* see @rx_lock above */
	u32 window_words;
	atomic64_t rx_next;
	struct rcu_head rcu;
	u8 phase;
	u16 req_len;
	u8 cmac_k1[16];
	unsigned long window[];
};

#define AIOTSEC_KEY_SOFT_SENT	0
#define AIOTSEC_KEY_HARD_SENT	1
#define AIOTSEC_KEY_NEXT	2

/* per-CPU counters of a link, enum aiotsec_link_stat */
#define AIOTSEC_STATS_MAX	__AIOTSEC_LINK_STAT_MAX

struct aiotsec_pcpu_stats {
	u64 cnt[AIOTSEC_STATS_MAX];
	struct u64_stats_sync syncp;
};

struct aiotsec_dev;

/**
 * struct aiotsec_sa - a security association, selected by its session ID
 * @node: in the link's hash table, looked up under RCU
 * @sid: session ID
 * @suite: enum aiotsec_suite
 * @profile: enum aiotsec_profile
 * @tag_len: MAC length on air
 * @ctr_bits: counter bits on air, 16 or 32
 * @keys: the two key slots, indexed by key phase
 * @tx_phase: key phase used for transmission
 * @removed: out of its link's table: frames still in flight that verify
 *	are dropped, and move no key, limit or peer of it
 * @peer: lower-device address of the peer (broadcast until known),
 *	packed in the low 48 bits; atomic64_t as @rx_next is
 * @link: the link that holds this SA
 * @refs: one for the link's table (dropped an RCU grace period after the
 *	SA leaves it), one for each key
 * @key_lock: serialises key installation against promotion on receive
 * @window: replay window for keys installed from now on
 * @soft_limit: soft limit for keys installed from now on
 * @hard_limit: hard limit for keys installed from now on
 * @changes: SA_SETs of keys or limits done, under the link's lock: one
 *	that set a key up without the lock finds out whether another came
 *	meanwhile
 * @list: in the link's list, under the link's lock
 * @rcu: drops the table's reference after a grace period
 * @stats: counters, enum aiotsec_sa_stat (index 0 unused).  An AIoT
 *	session carries a few frames a second, so plain atomics, not per-CPU
 *	counters; RX_OK/RX_BYTES and TX_OK/TX_BYTES sit on separate lines.
 */
struct aiotsec_sa {
	/* read by every frame */
	struct rhash_head node;
	u32 sid;
	u8 suite;
	u8 profile;
	u8 tag_len;
	u8 ctr_bits;
	struct aiotsec_key __rcu *keys[2];
	u8 tx_phase;
	bool removed;
	atomic64_t peer;
	struct aiotsec_dev *link;
	/* control path */
	refcount_t refs;
	spinlock_t key_lock; /* see @key_lock above */
	u32 window;
	u32 changes;
	u64 soft_limit;
	u64 hard_limit;
	struct list_head list;
	struct rcu_head rcu;
	/* receive counters first, the hot ones of each way on its own line */
	atomic64_t stats[AIOTSEC_SA_STAT_PAD] ____cacheline_aligned;
};

/**
 * struct aiotsec_dev - private data of an aiotsec net_device
 * @dev: the aiotsec device itself
 * @lower: the lower device that carries protected frames
 * @lower_tracker: reference tracker for @lower
 * @role: enum aiotsec_role, fixed at creation
 * @lock: serialises changes of the SA table and list
 * @sa_table: SAs by session ID, for the fast path
 * @sa_list: SAs in creation order, for dumps
 * @sa_count: number of SAs
 * @max_sas: the most SAs the link may hold (IFLA_AIOTSEC_MAX_SAS);
 *	written under RTNL, read under @lock by SA_NEW and with
 *	READ_ONCE() by the early check of SA_NEW and by the dumps
 * @dead: set when the device goes: no SA may be added any more
 * @stats: per-CPU link counters, enum aiotsec_link_stat
 * @rl_unknown: rate limit of unknown-session events
 * @rl_replay: rate limit of replay alarms
 * @rl_auth: rate limit of AUTH frames passed up to the daemon
 * @rl_unknown_frames: rate limit of unknown-session frames passed up, of
 *	its own so that a flood of them crowds no AUTH frame out
 */
struct aiotsec_dev {
	struct net_device *dev;
	struct net_device *lower;
	netdevice_tracker lower_tracker;
	u8 role;
	struct mutex lock; /* see @lock above */
	struct rhashtable sa_table;
	struct list_head sa_list;
	u32 sa_count;
	u32 max_sas;
	bool dead;
	struct aiotsec_pcpu_stats __percpu *stats;
	struct ratelimit_state rl_unknown;
	struct ratelimit_state rl_replay;
	struct ratelimit_state rl_auth;
	struct ratelimit_state rl_unknown_frames;
};

static inline void aiotsec_count(struct aiotsec_pcpu_stats __percpu *stats,
				 int stat, u64 n)
{
	struct aiotsec_pcpu_stats *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	s->cnt[stat] += n;
	u64_stats_update_end(&s->syncp);
}

static inline void aiotsec_sa_count(struct aiotsec_sa *sa, int stat, u64 n)
{
	atomic64_add(n, &sa->stats[stat]);
}

static inline void aiotsec_link_count(struct aiotsec_dev *adev, int stat)
{
	aiotsec_count(adev->stats, stat, 1);
}

static inline u8 aiotsec_tx_dir(const struct aiotsec_dev *adev)
{
	return adev->role == AIOTSEC_ROLE_READER ? AIOTSEC_DIR_DOWN :
						   AIOTSEC_DIR_UP;
}

static inline unsigned int aiotsec_hdr_len(u8 ctr_bits)
{
	return ctr_bits == 32 ? AIOTSEC_HDR_MAX : AIOTSEC_HDR_MIN;
}

/*
 * The header a frame is sent with: the short form, which carries the
 * body length, when the Ethernet frame would be shorter than the
 * minimum, which lower devices pad (the padding is then not taken for
 * the tag); else the long form.
 */
static inline unsigned int aiotsec_tx_hdr_len(u8 ctr_bits,
					      unsigned int bodylen,
					      unsigned int tag_len)
{
	unsigned int len = aiotsec_hdr_len(ctr_bits);

	return ETH_HLEN + len + bodylen + tag_len < ETH_ZLEN ? len + 1 : len;
}

/* device.c */
bool aiotsec_is_link(const struct net_device *dev);
int aiotsec_device_init(void);
void aiotsec_device_exit(void);

/* crypto.c */

/* the debugfs directory of the test knobs (CONFIG_AIOTSEC_DEBUG), or NULL */
extern struct dentry *aiotsec_debugfs;

/**
 * struct aiotsec_crypt - one frame being sealed or opened
 * @key: the key (the caller holds a reference if it needs one)
 * @frame: header || body || tag, linear and writable
 * @hdrlen: header length, the associated data
 * @bodylen: body length
 * @counter: the frame's full counter
 * @sid: session ID
 * @suite: enum aiotsec_suite
 * @tag_len: tag length
 * @dir: direction bit
 * @bearer: the 128-NIA2/NEA2 BEARER (0 for frames; the self-tests vary it)
 * @done: called with the result when the work finished asynchronously
 *	(aiotsec_crypt_run() returned -EINPROGRESS), with bottom halves
 *	disabled; never called otherwise
 * @skb, @dev, @type, @data: for the caller
 *
 * The rest is private to crypto.c (and to the inline taking and parking
 * below, which read @mac and @mac_ext): the step program, the IV, the
 * scatterlists, the CMAC buffer and the crypto API request, which must
 * live until the work is done.  Taken per frame from this CPU's spare or
 * from a cache, whose objects are reused without clearing (they hold no
 * key material).
 */
struct aiotsec_crypt {
	struct aiotsec_key *key;
	u8 *frame;
	unsigned int hdrlen;
	unsigned int bodylen;
	u64 counter;
	u32 sid;
	u8 suite;
	u8 tag_len;
	u8 dir;
	u8 bearer;
	u8 type;
	void (*done)(struct aiotsec_crypt *c, int err);
	struct sk_buff *skb;
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	void *data;
	/* private */
	const u8 *prog;
	u8 enc;
	u8 pc;
	u8 force_async;
	u8 *mac;
	u8 *mac_ext;
	struct scatterlist sg;
	struct scatterlist aead_sg[2];
	u8 iv[16];
	u8 ctx[] __aligned(CRYPTO_MINALIGN);
};

u64 aiotsec_suite_max_counter(u8 suite);
int aiotsec_key_setkey(struct aiotsec_key *key, u8 suite, u8 tag_len,
		       const u8 *k, unsigned int klen);
void aiotsec_key_free_tfms(struct aiotsec_key *key);
struct aiotsec_crypt *__aiotsec_crypt_alloc(gfp_t gfp);
void __aiotsec_crypt_free(struct aiotsec_crypt *c);

/*
 * One spare context per CPU, in front of the cache (see crypto.c); KASAN
 * builds do without it, so that every freed context stays visible to its
 * checks.  Taking and parking it are inline: every frame does both.
 */
#define AIOTSEC_CRYPT_SPARE	(!IS_ENABLED(CONFIG_KASAN))
DECLARE_PER_CPU(struct aiotsec_crypt *, aiotsec_crypt_spare);

/* A frame's context: this CPU's spare, or one from the cache. */
static inline struct aiotsec_crypt *aiotsec_crypt_alloc(gfp_t gfp)
{
	struct aiotsec_crypt *c = NULL;

	if (AIOTSEC_CRYPT_SPARE)
		c = this_cpu_xchg(aiotsec_crypt_spare, NULL);
	if (unlikely(!c))
		c = __aiotsec_crypt_alloc(gfp);
	/* a free context has no CMAC buffer (mac, mac_ext are NULL) */
	if (c)
		c->bearer = 0;
	return c;
}

/* Give @c back: park it as this CPU's spare if it holds nothing to wipe. */
static inline void aiotsec_crypt_free(struct aiotsec_crypt *c)
{
	if (AIOTSEC_CRYPT_SPARE && likely(!c->mac && !c->mac_ext) &&
	    !this_cpu_cmpxchg(aiotsec_crypt_spare, NULL, c))
		return;
	__aiotsec_crypt_free(c);
}

int aiotsec_crypt_run(struct aiotsec_crypt *c, bool enc);

/* Process context waiting for the result of a sealing or an opening. */
struct aiotsec_crypt_waiter {
	struct completion done;
	int err;
};

static inline void aiotsec_crypt_waiter_wake(struct aiotsec_crypt_waiter *w,
					     int err)
{
	w->err = err;
	complete(&w->done);
}

int aiotsec_crypt_wait(struct aiotsec_crypt *c, bool enc, bool force_async);
int aiotsec_crypto_init(void);
void aiotsec_crypto_exit(void);

/* replay.c */
enum aiotsec_replay {
	AIOTSEC_REPLAY_OK,	/* fresh */
	AIOTSEC_REPLAY_TOP,	/* fresh, the highest so far (update only) */
	AIOTSEC_REPLAY_DUP,
	AIOTSEC_REPLAY_OLD,
};

u32 aiotsec_window_words(u32 bits);
u64 aiotsec_counter_recover(u64 rx_next, u32 low, u8 bits);
enum aiotsec_replay aiotsec_replay_check(struct aiotsec_key *key, u64 ctr);
enum aiotsec_replay aiotsec_replay_update(struct aiotsec_key *key, u64 ctr);

/* sa.c */

/* The limits and window of a key, taken from its SA when installed. */
struct aiotsec_limits {
	u64 soft;
	u64 hard;
	u32 window;
};

u32 aiotsec_generation_read(struct net *net);
void aiotsec_generation_bump(struct net *net);

/*
 * Links and SAs alive, for the tests (debugfs live_links, live_sas;
 * CONFIG_AIOTSEC_DEBUG only): an object that outlives its namespace is
 * a leak they can see.
 */
extern atomic_t aiotsec_live_links, aiotsec_live_sas;

static inline void aiotsec_live_add(atomic_t *live, int n)
{
	if (IS_ENABLED(CONFIG_AIOTSEC_DEBUG))
		atomic_add(n, live);
}

int aiotsec_sa_init(void);
void aiotsec_sa_exit(void);
struct aiotsec_sa *aiotsec_sa_lookup(struct aiotsec_dev *adev, u32 sid);
struct aiotsec_key *aiotsec_key_alloc(struct aiotsec_sa *sa, u8 phase,
				      const struct aiotsec_limits *lim,
				      const u8 *k, unsigned int klen);
void aiotsec_key_release(struct aiotsec_key *key);
void aiotsec_key_free_rcu(struct aiotsec_key *key);
struct aiotsec_sa *aiotsec_sa_alloc(void);
void aiotsec_sa_put(struct aiotsec_sa *sa);
int aiotsec_sa_table_init(struct aiotsec_dev *adev);
void aiotsec_sa_flush(struct aiotsec_dev *adev);
int aiotsec_sa_insert(struct aiotsec_dev *adev, struct aiotsec_sa *sa);
void aiotsec_sa_remove(struct aiotsec_dev *adev, struct aiotsec_sa *sa);
void aiotsec_sa_free(struct aiotsec_sa *sa);
void aiotsec_key_limit_reached(struct aiotsec_sa *sa, struct aiotsec_key *key,
			       u64 ctr);
void aiotsec_key_promote(struct aiotsec_sa *sa, struct aiotsec_key *key);

/*
 * The helpers below run for every frame: inline, so that a frame pays
 * no call for a test that nearly always passes.
 */

/* Drop a reference; the last one frees the key, in whatever context. */
static inline void aiotsec_key_put(struct aiotsec_key *key)
{
	if (key && refcount_dec_and_test(&key->refs))
		aiotsec_key_release(key);
}

/*
 * A frame with counter @ctr went out or was verified with @key: raise
 * the soft and hard expiry events once the counter reaches the limits.
 */
static inline void aiotsec_key_check_limits(struct aiotsec_sa *sa,
					    struct aiotsec_key *key, u64 ctr)
{
	if (unlikely(ctr + 1 >= key->soft_limit ||
		     ctr + 1 >= key->hard_limit))
		aiotsec_key_limit_reached(sa, key, ctr);
}

static inline void aiotsec_sa_set_peer(struct aiotsec_sa *sa, const u8 *mac)
{
	atomic64_set(&sa->peer, ether_addr_to_u64(mac));
}

static inline void aiotsec_sa_get_peer(const struct aiotsec_sa *sa, u8 *mac)
{
	u64_to_ether_addr(atomic64_read(&sa->peer), mac);
}

/*
 * Profiles (TR 33.713 NOTE 2): inventory-only devices exchange inventory
 * and control frames; command devices also commands and responses.
 * Commands only go reader to device, responses only device to reader.
 */
static inline bool aiotsec_frame_type_allowed(const struct aiotsec_sa *sa,
					      u8 type, u8 sender_role)
{
	switch (type) {
	case AIOTSEC_FT_INVENTORY:
	case AIOTSEC_FT_CONTROL:
		return true;
	case AIOTSEC_FT_COMMAND:
		return sa->profile == AIOTSEC_PROFILE_COMMAND &&
		       sender_role == AIOTSEC_ROLE_READER;
	case AIOTSEC_FT_RESPONSE:
		return sa->profile == AIOTSEC_PROFILE_COMMAND &&
		       sender_role == AIOTSEC_ROLE_DEVICE;
	}
	return false;
}

/* send.c */
netdev_tx_t aiotsec_start_xmit(struct sk_buff *skb, struct net_device *dev);
int aiotsec_send_frame(struct aiotsec_dev *adev, u8 type, u32 sid,
		       const u8 *payload, unsigned int len, const u8 *peer,
		       struct aiotsec_crypt_waiter *w);

/* receive.c */
rx_handler_result_t aiotsec_handle_frame(struct sk_buff **pskb);

/* netlink.c */
int aiotsec_genl_init(void);
void aiotsec_genl_exit(void);
void aiotsec_notify_event(struct aiotsec_dev *adev, u8 event, u32 sid,
			  int phase);
bool aiotsec_events_listened(struct aiotsec_dev *adev);
bool aiotsec_daemon_listens(struct aiotsec_dev *adev);
int aiotsec_notify_frame(struct aiotsec_dev *adev, u8 type, u32 sid,
			 u64 counter, const u8 *payload, unsigned int len,
			 const u8 *peer, bool verified);

/* selftest.c */
int aiotsec_selftest(void);

#endif /* _AIOTSEC_H */
