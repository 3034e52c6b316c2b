// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: security associations and their key slots.
 *
 * Each link keeps its SAs in an rhashtable keyed by session ID, read
 * under RCU by the fast path, and in a list for dumps; both change under
 * the link's mutex.  An SA has two key slots selected by the key-phase
 * bit on air.  A new key goes into the slot not used for transmission,
 * receive-only; the first frame that it authenticates makes it the
 * transmit key, so a rollover loses nothing.  SAs and keys are
 * reference counted: the table (or the slot) holds one, dropped an RCU
 * grace period after removal, and every frame whose cryptography may
 * finish asynchronously holds one on its key, which holds one on its SA.
 * Keys are wiped when freed.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "aiotsec.h"

/*
 * Per network namespace: a generation bumped on every change of an SA of
 * its links, so that dumps can be checked.  Per namespace, so that a
 * namespace neither sees nor disturbs the dumps of another.
 */
struct aiotsec_net {
	atomic_t generation;
};

static unsigned int aiotsec_net_id __read_mostly;

static atomic_t *aiotsec_generation(struct net *net)
{
	struct aiotsec_net *an = net_generic(net, aiotsec_net_id);

	return &an->generation;
}

u32 aiotsec_generation_read(struct net *net)
{
	return atomic_read(aiotsec_generation(net));
}

/*
 * An SA of a link in @net changed: a dump in progress there marks itself
 * interrupted.  Never 0, which would turn the dump's consistency check
 * off.
 */
void aiotsec_generation_bump(struct net *net)
{
	atomic_t *gen = aiotsec_generation(net);

	if (unlikely(!atomic_inc_return(gen)))
		atomic_inc(gen);
}

static int __net_init aiotsec_net_init(struct net *net)
{
	atomic_set(aiotsec_generation(net), 1);
	return 0;
}

static struct pernet_operations aiotsec_net_ops = {
	.init = aiotsec_net_init,
	.id = &aiotsec_net_id,
	.size = sizeof(struct aiotsec_net),
};

/* every frame compares: two integers, not a memcmp() call */
static int aiotsec_sa_cmp(struct rhashtable_compare_arg *arg, const void *obj)
{
	const struct aiotsec_sa *sa = obj;

	return sa->sid != *(const u32 *)arg->key;
}

static const struct rhashtable_params aiotsec_sa_params = {
	.key_len = sizeof(u32),
	.key_offset = offsetof(struct aiotsec_sa, sid),
	.head_offset = offsetof(struct aiotsec_sa, node),
	.obj_cmpfn = aiotsec_sa_cmp,
	.automatic_shrinking = true,
};

/* The SA of @sid, or NULL.  Under RCU (a reader's, or rcu_read_lock()). */
struct aiotsec_sa *aiotsec_sa_lookup(struct aiotsec_dev *adev, u32 sid)
{
	return rhashtable_lookup(&adev->sa_table, &sid, aiotsec_sa_params);
}

atomic_t aiotsec_live_links, aiotsec_live_sas;

struct aiotsec_sa *aiotsec_sa_alloc(void)
{
	/*
	 * Charged to the caller's memory cgroup, as the keys are (not their
	 * crypto transforms: hence GENL_ADMIN_PERM on SA_NEW and SA_SET).
	 */
	struct aiotsec_sa *sa = kzalloc(sizeof(*sa), GFP_KERNEL_ACCOUNT);

	if (!sa)
		return NULL;
	refcount_set(&sa->refs, 1);
	spin_lock_init(&sa->key_lock);
	aiotsec_live_add(&aiotsec_live_sas, 1);
	return sa;
}

void aiotsec_sa_put(struct aiotsec_sa *sa)
{
	if (refcount_dec_and_test(&sa->refs)) {
		kfree(sa);
		aiotsec_live_add(&aiotsec_live_sas, -1);
	}
}

/*
 * A key for @sa in slot @phase, with the window and limits of @lim (the
 * SA's own may change meanwhile).  Process context, no locks needed: the
 * caller holds a reference to @sa.
 */
struct aiotsec_key *aiotsec_key_alloc(struct aiotsec_sa *sa, u8 phase,
				      const struct aiotsec_limits *lim,
				      const u8 *k, unsigned int klen)
{
	u32 words = aiotsec_window_words(lim->window);
	struct aiotsec_key *key;
	int err;

	key = kzalloc(struct_size(key, window, words), GFP_KERNEL_ACCOUNT);
	if (!key)
		return ERR_PTR(-ENOMEM);
	refcount_set(&key->refs, 1);
	refcount_inc(&sa->refs);
	key->sa = sa;
	key->phase = phase;
	key->window_bits = lim->window;
	key->window_words = words;
	key->soft_limit = lim->soft;
	key->hard_limit = lim->hard;
	spin_lock_init(&key->rx_lock);
	atomic64_set(&key->tx_counter, 0);

	err = aiotsec_key_setkey(key, sa->suite, sa->tag_len, k, klen);
	if (err) {
		aiotsec_key_put(key);
		return ERR_PTR(err);
	}
	return key;
}

/*
 * Free a key whose last reference aiotsec_key_put() dropped, in whatever
 * context that was (a frame's completion runs with bottom halves
 * disabled): freeing transforms does not sleep.
 */
void aiotsec_key_release(struct aiotsec_key *key)
{
	struct aiotsec_sa *sa = key->sa;

	aiotsec_key_free_tfms(key);
	kfree_sensitive(key);
	aiotsec_sa_put(sa);
}

static void aiotsec_key_free_rcu_cb(struct rcu_head *head)
{
	aiotsec_key_put(container_of(head, struct aiotsec_key, rcu));
}

/* Drop the slot's reference to @key once no reader can see it. */
void aiotsec_key_free_rcu(struct aiotsec_key *key)
{
	if (key)
		call_rcu(&key->rcu, aiotsec_key_free_rcu_cb);
}

/* Free an SA that was never published, or whose grace period passed. */
void aiotsec_sa_free(struct aiotsec_sa *sa)
{
	unsigned int i;

	/* a frame in flight may hold the SA: it finds no key freed here */
	for (i = 0; i < ARRAY_SIZE(sa->keys); i++) {
		aiotsec_key_put(rcu_dereference_protected(sa->keys[i], 1));
		RCU_INIT_POINTER(sa->keys[i], NULL);
	}
	aiotsec_sa_put(sa);
}

static void aiotsec_sa_free_rcu_cb(struct rcu_head *head)
{
	aiotsec_sa_free(container_of(head, struct aiotsec_sa, rcu));
}

int aiotsec_sa_table_init(struct aiotsec_dev *adev)
{
	INIT_LIST_HEAD(&adev->sa_list);
	mutex_init(&adev->lock);
	return rhashtable_init(&adev->sa_table, &aiotsec_sa_params);
}

int aiotsec_sa_insert(struct aiotsec_dev *adev, struct aiotsec_sa *sa)
{
	int err;

	lockdep_assert_held(&adev->lock);
	err = rhashtable_lookup_insert_fast(&adev->sa_table, &sa->node,
					    aiotsec_sa_params);
	if (err)
		return err;
	list_add_tail(&sa->list, &adev->sa_list);
	WRITE_ONCE(adev->sa_count, adev->sa_count + 1);
	aiotsec_generation_bump(dev_net(adev->dev));
	return 0;
}

void aiotsec_sa_remove(struct aiotsec_dev *adev, struct aiotsec_sa *sa)
{
	lockdep_assert_held(&adev->lock);
	rhashtable_remove_fast(&adev->sa_table, &sa->node, aiotsec_sa_params);
	WRITE_ONCE(sa->removed, true);
	list_del(&sa->list);
	WRITE_ONCE(adev->sa_count, adev->sa_count - 1);
	aiotsec_generation_bump(dev_net(adev->dev));
	call_rcu(&sa->rcu, aiotsec_sa_free_rcu_cb);
}

/* Remove every SA: the link goes. */
void aiotsec_sa_flush(struct aiotsec_dev *adev)
{
	struct aiotsec_sa *sa, *tmp;

	mutex_lock(&adev->lock);
	adev->dead = true;
	list_for_each_entry_safe(sa, tmp, &adev->sa_list, list)
		aiotsec_sa_remove(adev, sa);
	mutex_unlock(&adev->lock);
	rhashtable_destroy(&adev->sa_table);
}

/*
 * Raise the soft and hard expiry events once per key, the first time a
 * counter reaches each limit (either direction).
 */
void aiotsec_key_limit_reached(struct aiotsec_sa *sa, struct aiotsec_key *key,
			       u64 ctr)
{
	if (ctr + 1 >= key->soft_limit &&
	    !test_and_set_bit(AIOTSEC_KEY_SOFT_SENT, &key->flags))
		aiotsec_notify_event(sa->link, AIOTSEC_EVENT_SOFT_EXPIRE,
				     sa->sid, key->phase);
	if (ctr + 1 >= key->hard_limit &&
	    !test_and_set_bit(AIOTSEC_KEY_HARD_SENT, &key->flags))
		aiotsec_notify_event(sa->link, AIOTSEC_EVENT_HARD_EXPIRE,
				     sa->sid, key->phase);
}

/*
 * @key, in its SA's next slot, authenticated a frame: the peer has moved
 * to it, so transmit with it too.  The previous key stays for receiving
 * frames still in flight.
 */
void aiotsec_key_promote(struct aiotsec_sa *sa, struct aiotsec_key *key)
{
	bool promoted = false;

	spin_lock(&sa->key_lock);
	if (rcu_access_pointer(sa->keys[key->phase]) == key &&
	    test_and_clear_bit(AIOTSEC_KEY_NEXT, &key->flags)) {
		/* release: who sees the new phase finds the key in its slot */
		smp_store_release(&sa->tx_phase, key->phase);
		promoted = true;
	}
	spin_unlock(&sa->key_lock);
	if (promoted)
		aiotsec_notify_event(sa->link, AIOTSEC_EVENT_KEY_SWITCH,
				     sa->sid, key->phase);
}

int __init aiotsec_sa_init(void)
{
	if (IS_ENABLED(CONFIG_AIOTSEC_DEBUG)) {
		/* removed with the directory, by aiotsec_crypto_exit() */
		debugfs_create_atomic_t("live_links", 0400, aiotsec_debugfs,
					&aiotsec_live_links);
		debugfs_create_atomic_t("live_sas", 0400, aiotsec_debugfs,
					&aiotsec_live_sas);
	}
	return register_pernet_subsys(&aiotsec_net_ops);
}

/* Wait for every deferred free (module unload). */
void aiotsec_sa_exit(void)
{
	unregister_pernet_subsys(&aiotsec_net_ops);
	rcu_barrier();
}
