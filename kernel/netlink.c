// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: the "aiotsec" generic netlink family.  The API is specified in
 * Documentation/netlink/specs/aiotsec.yaml and include/uapi/linux/aiotsec.h.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "aiotsec.h"

enum aiotsec_mcgrp {
	AIOTSEC_GRP_EVENTS,
	AIOTSEC_GRP_FRAMES,
};

static struct genl_family aiotsec_family;

static const u8 aiotsec_broadcast[ETH_ALEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static const struct nla_policy aiotsec_sa_policy[AIOTSEC_SA_A_MAX + 1] = {
	[AIOTSEC_SA_A_SID] = NLA_POLICY_MIN(NLA_U32, 1),
	[AIOTSEC_SA_A_SUITE] = NLA_POLICY_RANGE(NLA_U8, 1, AIOTSEC_SUITE_MAX),
	[AIOTSEC_SA_A_PROFILE] = NLA_POLICY_RANGE(NLA_U8, 1,
						  AIOTSEC_PROFILE_MAX),
	[AIOTSEC_SA_A_KEY] = { .type = NLA_BINARY,
			       .len = AIOTSEC_MAX_KEY_LEN },
	[AIOTSEC_SA_A_KEY_SWITCH] = { .type = NLA_FLAG },
	[AIOTSEC_SA_A_TAG_LEN] = { .type = NLA_U8 },
	[AIOTSEC_SA_A_CTR_BITS] = { .type = NLA_U8 },
	[AIOTSEC_SA_A_REPLAY_WINDOW] = NLA_POLICY_RANGE(NLA_U32, 32,
							AIOTSEC_WINDOW_MAX),
	[AIOTSEC_SA_A_SOFT_LIMIT] = NLA_POLICY_MIN(NLA_U64, 1),
	[AIOTSEC_SA_A_HARD_LIMIT] = NLA_POLICY_MIN(NLA_U64, 1),
	[AIOTSEC_SA_A_PEER_MAC] = NLA_POLICY_ETH_ADDR,
	[AIOTSEC_SA_A_TX_KEY_PHASE] = { .type = NLA_REJECT },
	[AIOTSEC_SA_A_KEYS] = { .type = NLA_REJECT },
	[AIOTSEC_SA_A_STATS] = { .type = NLA_REJECT },
};

/* SA_DEL and SA_GET name an SA: its SID, nothing else */
static const struct nla_policy aiotsec_sa_sel_policy[AIOTSEC_SA_A_MAX + 1] = {
	[AIOTSEC_SA_A_SID] = NLA_POLICY_MIN(NLA_U32, 1),
	[AIOTSEC_SA_A_TX_KEY_PHASE] = { .type = NLA_REJECT },
	[AIOTSEC_SA_A_KEYS] = { .type = NLA_REJECT },
	[AIOTSEC_SA_A_STATS] = { .type = NLA_REJECT },
};

/*
 * One policy per command, with the attributes it takes only: strict
 * validation refuses any other ("Unsupported attribute", pointing at
 * it), rather than the command ignoring it.
 */
static const struct nla_policy aiotsec_link_policy[AIOTSEC_A_MAX + 1] = {
	[AIOTSEC_A_IFINDEX] = { .type = NLA_U32 },
	[AIOTSEC_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};

/* SA_NEW and SA_SET: the fields one of them does not take get a message */
static const struct nla_policy aiotsec_sa_change_policy[AIOTSEC_A_MAX + 1] = {
	[AIOTSEC_A_IFINDEX] = { .type = NLA_U32 },
	[AIOTSEC_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[AIOTSEC_A_SA] = NLA_POLICY_NESTED(aiotsec_sa_policy),
};

static const struct nla_policy aiotsec_sa_sel_req_policy[AIOTSEC_A_MAX + 1] = {
	[AIOTSEC_A_IFINDEX] = { .type = NLA_U32 },
	[AIOTSEC_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[AIOTSEC_A_SA] = NLA_POLICY_NESTED(aiotsec_sa_sel_policy),
};

static const struct nla_policy aiotsec_frame_policy[AIOTSEC_A_MAX + 1] = {
	[AIOTSEC_A_IFINDEX] = { .type = NLA_U32 },
	[AIOTSEC_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[AIOTSEC_A_SID] = { .type = NLA_U32 },
	[AIOTSEC_A_FRAME_TYPE] = NLA_POLICY_MAX(NLA_U8, AIOTSEC_FT_MAX),
	[AIOTSEC_A_PAYLOAD] = { .type = NLA_BINARY,
				.len = AIOTSEC_MAX_PAYLOAD },
	[AIOTSEC_A_PEER_MAC] = NLA_POLICY_ETH_ADDR,
};

/* Whether @name (an IFNAME attribute) is @dev's name in @net. */
static bool aiotsec_nl_names(struct net *net, struct net_device *dev,
			     const struct nlattr *name)
{
	bool same;

	rcu_read_lock();
	same = dev_get_by_name_rcu(net, nla_data(name)) == dev;
	rcu_read_unlock();
	return same;
}

/*
 * Find the aiotsec link in @net named by IFINDEX or IFNAME in @attrs;
 * holds a reference.
 */
static struct aiotsec_dev *__aiotsec_nl_link(struct net *net,
					     struct nlattr **attrs,
					     struct netlink_ext_ack *extack)
{
	struct net_device *dev;
	struct nlattr *which;

	if (attrs[AIOTSEC_A_IFINDEX]) {
		which = attrs[AIOTSEC_A_IFINDEX];
		dev = dev_get_by_index(net, nla_get_u32(which));
	} else if (attrs[AIOTSEC_A_IFNAME]) {
		which = attrs[AIOTSEC_A_IFNAME];
		dev = dev_get_by_name(net, nla_data(which));
	} else {
		NL_SET_ERR_MSG(extack,
			       "aiotsec: missing attribute IFINDEX or IFNAME (the link)");
		NL_SET_ERR_ATTR_MISS(extack, NULL, AIOTSEC_A_IFINDEX);
		return ERR_PTR(-EINVAL);
	}
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, which,
				    "aiotsec: no such device (IFINDEX/IFNAME)");
		return ERR_PTR(-ENODEV);
	}
	if (attrs[AIOTSEC_A_IFINDEX] && attrs[AIOTSEC_A_IFNAME] &&
	    !aiotsec_nl_names(net, dev, attrs[AIOTSEC_A_IFNAME])) {
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(extack, attrs[AIOTSEC_A_IFNAME],
				    "aiotsec: IFINDEX and IFNAME name different devices");
		return ERR_PTR(-EINVAL);
	}
	if (!aiotsec_is_link(dev)) {
		dev_put(dev);
		NL_SET_ERR_MSG_ATTR(extack, which,
				    "aiotsec: device is not an aiotsec link (IFINDEX/IFNAME)");
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

static struct aiotsec_dev *aiotsec_nl_link(struct genl_info *info)
{
	return __aiotsec_nl_link(genl_info_net(info), info->attrs,
				 info->extack);
}

static void aiotsec_nl_put(struct aiotsec_dev *adev)
{
	dev_put(adev->dev);
}

/* The SA nest, already validated against @policy, the command's. */
static int aiotsec_nl_sa_attrs(struct genl_info *info, struct nlattr **tb,
			       const struct nla_policy *policy)
{
	if (!info->attrs[AIOTSEC_A_SA]) {
		NL_SET_ERR_MSG(info->extack, "aiotsec: missing attribute SA");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, AIOTSEC_A_SA);
		return -EINVAL;
	}
	return nla_parse_nested(tb, AIOTSEC_SA_A_MAX, info->attrs[AIOTSEC_A_SA],
				policy, info->extack);
}

/* extack messages must be literals: one per required SA attribute */
static void aiotsec_sa_missing(struct netlink_ext_ack *extack, int type)
{
	switch (type) {
	case AIOTSEC_SA_A_SID:
		NL_SET_ERR_MSG(extack, "aiotsec: missing SA attribute SID");
		break;
	case AIOTSEC_SA_A_SUITE:
		NL_SET_ERR_MSG(extack, "aiotsec: missing SA attribute SUITE");
		break;
	case AIOTSEC_SA_A_PROFILE:
		NL_SET_ERR_MSG(extack, "aiotsec: missing SA attribute PROFILE");
		break;
	case AIOTSEC_SA_A_KEY:
		NL_SET_ERR_MSG(extack, "aiotsec: missing SA attribute KEY");
		break;
	}
}

static int aiotsec_nl_require(struct genl_info *info, struct nlattr **tb,
			      const int *types, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (tb[types[i]])
			continue;
		aiotsec_sa_missing(info->extack, types[i]);
		NL_SET_ERR_ATTR_MISS(info->extack, info->attrs[AIOTSEC_A_SA],
				     types[i]);
		return -EINVAL;
	}
	return 0;
}

static u8 aiotsec_default_tag_len(u8 suite)
{
	switch (suite) {
	case AIOTSEC_SUITE_AES_CCM:
		return 8;
	case AIOTSEC_SUITE_AES_GCM:
		return 16;
	default:
		return 4;
	}
}

static unsigned int aiotsec_key_len(u8 suite)
{
	return suite == AIOTSEC_SUITE_NIA2_NEA2 ? 32 : 16;
}

static int aiotsec_check_key(struct genl_info *info, struct nlattr *attr,
			     u8 suite)
{
	if (nla_len(attr) == aiotsec_key_len(suite))
		return 0;
	if (suite == AIOTSEC_SUITE_NIA2_NEA2)
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "aiotsec: KEY must be 32 octets (K_enc || K_int) for suite nia2-nea2");
	else
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "aiotsec: KEY must be 16 octets for this suite");
	return -EINVAL;
}

/* Limits for keys installed from now on; @lim holds the current values. */
static int aiotsec_nl_limits(struct genl_info *info, struct nlattr **tb,
			     u8 suite, struct aiotsec_limits *lim)
{
	u64 max = aiotsec_suite_max_counter(suite);
	u64 hard = lim->hard, soft = lim->soft;

	if (tb[AIOTSEC_SA_A_HARD_LIMIT]) {
		hard = nla_get_u64(tb[AIOTSEC_SA_A_HARD_LIMIT]);
		if (hard > max) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[AIOTSEC_SA_A_HARD_LIMIT],
					    "aiotsec: HARD_LIMIT exceeds the suite's counter space");
			return -ERANGE;
		}
		if (!tb[AIOTSEC_SA_A_SOFT_LIMIT] && soft > hard)
			soft = hard - hard / 8;
	}
	if (tb[AIOTSEC_SA_A_SOFT_LIMIT]) {
		soft = nla_get_u64(tb[AIOTSEC_SA_A_SOFT_LIMIT]);
		if (soft > hard) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    tb[AIOTSEC_SA_A_SOFT_LIMIT],
					    "aiotsec: SOFT_LIMIT above HARD_LIMIT");
			return -ERANGE;
		}
	}
	lim->hard = hard;
	lim->soft = soft;
	if (tb[AIOTSEC_SA_A_REPLAY_WINDOW])
		lim->window = nla_get_u32(tb[AIOTSEC_SA_A_REPLAY_WINDOW]);
	return 0;
}

/* Suite, profile, tag and counter size: fixed at creation. */
static int aiotsec_nl_sa_params(struct genl_info *info, struct nlattr **tb,
				struct aiotsec_sa *sa)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr *attr;

	sa->sid = nla_get_u32(tb[AIOTSEC_SA_A_SID]);
	sa->suite = nla_get_u8(tb[AIOTSEC_SA_A_SUITE]);
	sa->profile = nla_get_u8(tb[AIOTSEC_SA_A_PROFILE]);
	if (sa->profile == AIOTSEC_PROFILE_COMMAND &&
	    sa->suite == AIOTSEC_SUITE_NIA2) {
		NL_SET_ERR_MSG_ATTR(extack, tb[AIOTSEC_SA_A_SUITE],
				    "aiotsec: SUITE nia2 has no confidentiality, which PROFILE command requires");
		return -EINVAL;
	}

	sa->tag_len = aiotsec_default_tag_len(sa->suite);
	attr = tb[AIOTSEC_SA_A_TAG_LEN];
	if (attr) {
		u8 t = nla_get_u8(attr);
		bool ok;

		if (sa->suite == AIOTSEC_SUITE_AES_CCM)
			ok = t == 4 || t == 8 || t == 16;
		else
			ok = t == sa->tag_len;
		if (!ok) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "aiotsec: TAG_LEN must be 4, 8 or 16 for aes-ccm, 16 for aes-gcm, 4 for nia2 suites");
			return -EINVAL;
		}
		sa->tag_len = t;
	}

	sa->ctr_bits = 32;
	attr = tb[AIOTSEC_SA_A_CTR_BITS];
	if (attr) {
		sa->ctr_bits = nla_get_u8(attr);
		if (sa->ctr_bits != 16 && sa->ctr_bits != 32) {
			NL_SET_ERR_MSG_ATTR(extack, attr,
					    "aiotsec: CTR_BITS must be 16 or 32");
			return -EINVAL;
		}
	}

	return 0;
}

static void aiotsec_sa_get_limits(const struct aiotsec_sa *sa,
				  struct aiotsec_limits *lim)
{
	lim->soft = sa->soft_limit;
	lim->hard = sa->hard_limit;
	lim->window = sa->window;
}

static void aiotsec_sa_put_limits(struct aiotsec_sa *sa,
				  const struct aiotsec_limits *lim)
{
	sa->soft_limit = lim->soft;
	sa->hard_limit = lim->hard;
	sa->window = lim->window;
}

/* Why a key could not be set up, pointing at @attr (SUITE or KEY). */
static void aiotsec_nl_key_error(struct genl_info *info,
				 const struct nlattr *attr, int err)
{
	if (err == -ENOMEM)
		NL_SET_ERR_MSG(info->extack, "aiotsec: out of memory for the key");
	else
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "aiotsec: cannot set up the suite's crypto transforms");
}

static const int aiotsec_sa_new_required[] = {
	AIOTSEC_SA_A_SID, AIOTSEC_SA_A_SUITE, AIOTSEC_SA_A_PROFILE,
	AIOTSEC_SA_A_KEY,
};

/* The link holds max-sas SAs already. */
static int aiotsec_nl_link_full(struct genl_info *info)
{
	NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[AIOTSEC_A_SA],
			    "aiotsec: the link holds as many SAs as its max-sas allows");
	return -ENOSPC;
}

static int aiotsec_nl_sa_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[AIOTSEC_SA_A_MAX + 1];
	struct aiotsec_limits lim;
	struct aiotsec_key *key;
	struct aiotsec_dev *adev;
	struct aiotsec_sa *sa;
	int err;

	err = aiotsec_nl_sa_attrs(info, tb, aiotsec_sa_policy) ?:
	      aiotsec_nl_require(info, tb, aiotsec_sa_new_required,
				 ARRAY_SIZE(aiotsec_sa_new_required));
	if (err)
		return err;
	if (tb[AIOTSEC_SA_A_KEY_SWITCH]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[AIOTSEC_SA_A_KEY_SWITCH],
				    "aiotsec: KEY_SWITCH applies to SA_SET only");
		return -EINVAL;
	}

	sa = aiotsec_sa_alloc();
	if (!sa)
		return -ENOMEM;
	err = aiotsec_nl_sa_params(info, tb, sa);
	if (err)
		goto err_free;
	sa->window = AIOTSEC_WINDOW_DEFAULT;
	sa->hard_limit = aiotsec_suite_max_counter(sa->suite);
	sa->soft_limit = sa->hard_limit - sa->hard_limit / 8;
	aiotsec_sa_get_limits(sa, &lim);
	err = aiotsec_nl_limits(info, tb, sa->suite, &lim) ?:
	      aiotsec_check_key(info, tb[AIOTSEC_SA_A_KEY], sa->suite);
	if (err)
		goto err_free;
	aiotsec_sa_put_limits(sa, &lim);

	adev = aiotsec_nl_link(info);
	if (IS_ERR(adev)) {
		err = PTR_ERR(adev);
		goto err_free;
	}
	/* a full link costs no transforms; checked again under the lock */
	if (READ_ONCE(adev->sa_count) >= READ_ONCE(adev->max_sas)) {
		err = aiotsec_nl_link_full(info);
		goto err_put;
	}
	key = aiotsec_key_alloc(sa, 0, &lim, nla_data(tb[AIOTSEC_SA_A_KEY]),
				nla_len(tb[AIOTSEC_SA_A_KEY]));
	if (IS_ERR(key)) {
		err = PTR_ERR(key);
		aiotsec_nl_key_error(info, tb[AIOTSEC_SA_A_SUITE], err);
		goto err_put;
	}
	RCU_INIT_POINTER(sa->keys[0], key);
	aiotsec_sa_set_peer(sa, aiotsec_broadcast);
	if (tb[AIOTSEC_SA_A_PEER_MAC])
		aiotsec_sa_set_peer(sa, nla_data(tb[AIOTSEC_SA_A_PEER_MAC]));

	sa->link = adev;
	mutex_lock(&adev->lock);
	if (adev->dead) {
		NL_SET_ERR_MSG(info->extack, "aiotsec: the link is going away");
		err = -ENODEV;
	} else if (adev->sa_count >= READ_ONCE(adev->max_sas)) {
		err = aiotsec_nl_link_full(info);
	} else {
		err = aiotsec_sa_insert(adev, sa);
		if (err == -EEXIST)
			NL_SET_ERR_MSG_ATTR(info->extack, tb[AIOTSEC_SA_A_SID],
					    "aiotsec: an SA with this SID exists on the link");
		else if (err)
			NL_SET_ERR_MSG(info->extack,
				       "aiotsec: cannot add the SA to the link's table");
	}
	mutex_unlock(&adev->lock);
err_put:
	aiotsec_nl_put(adev);
	if (!err)
		return 0;
err_free:
	aiotsec_sa_free(sa);
	return err;
}

/*
 * The SA of @sid, the link's lock held.  The table's resize worker frees
 * replaced bucket arrays after a grace period, without that lock: walk it
 * under RCU.  The SA found stays, as removing one takes the lock.
 */
static struct aiotsec_sa *aiotsec_nl_sa_lookup(struct aiotsec_dev *adev,
					       u32 sid)
{
	struct aiotsec_sa *sa;

	lockdep_assert_held(&adev->lock);
	rcu_read_lock();
	sa = aiotsec_sa_lookup(adev, sid);
	rcu_read_unlock();
	return sa;
}

/* Find the SA named by the SID in @tb; the link's lock is held. */
static struct aiotsec_sa *aiotsec_nl_sa_find(struct aiotsec_dev *adev,
					     struct genl_info *info,
					     struct nlattr **tb)
{
	struct aiotsec_sa *sa;

	if (adev->dead) {
		NL_SET_ERR_MSG(info->extack, "aiotsec: the link is going away");
		return NULL;
	}
	sa = aiotsec_nl_sa_lookup(adev, nla_get_u32(tb[AIOTSEC_SA_A_SID]));
	if (!sa)
		NL_SET_ERR_MSG_ATTR(info->extack, tb[AIOTSEC_SA_A_SID],
				    "aiotsec: no SA with this SID on the link");
	return sa;
}

static const int aiotsec_sa_sid_required[] = { AIOTSEC_SA_A_SID };

/* The attributes of an SA request naming one SA by SID, and its link. */
static struct aiotsec_dev *aiotsec_nl_sid_link(struct genl_info *info,
					       struct nlattr **tb)
{
	int err = aiotsec_nl_sa_attrs(info, tb, aiotsec_sa_sel_policy) ?:
		  aiotsec_nl_require(info, tb, aiotsec_sa_sid_required, 1);

	return err ? ERR_PTR(err) : aiotsec_nl_link(info);
}

/*
 * Test knobs in debugfs (CONFIG_AIOTSEC_DEBUG builds only), so that a
 * test can act on the SAs while a request is held, deterministically.
 * install_delay_ms holds SA_SET that long while it sets up a new key
 * without the link's lock (the SA may be changed, deleted, its link
 * deleted, its next key promoted meanwhile); dump_delay_ms holds an SA
 * dump before each of its parts but the first (the SAs may change
 * between two parts).  At most 10 s, and a signal
 * ends the wait; install_delays and dump_delays count the holds.
 */
#define AIOTSEC_TEST_DELAY_MAX	10000U
static u32 aiotsec_install_delay_ms;
static atomic_t aiotsec_install_delays;
static u32 aiotsec_dump_delay_ms;
static atomic_t aiotsec_dump_delays;

static void aiotsec_test_hold(const u32 *delay_ms, atomic_t *holds)
{
	u32 delay;

	if (!IS_ENABLED(CONFIG_AIOTSEC_DEBUG))
		return;
	delay = READ_ONCE(*delay_ms);
	if (likely(!delay))
		return;
	atomic_inc(holds);
	msleep_interruptible(min(delay, AIOTSEC_TEST_DELAY_MAX));
}

static const int aiotsec_sa_fixed[] = {
	AIOTSEC_SA_A_SUITE, AIOTSEC_SA_A_PROFILE, AIOTSEC_SA_A_TAG_LEN,
	AIOTSEC_SA_A_CTR_BITS,
};

/*
 * Install @k, with the limits @lim, as the next key of @sa of @adev; with
 * @now, transmit with it now.  Called with the link's lock held, which is
 * dropped while the key's transforms are set up (that may load modules):
 * link deletion takes the lock under RTNL.  So @sa may be gone after, or
 * changed by another request: then this one changes nothing and fails,
 * rather than undo the other (its limits, or the next key it installed).
 */
static int aiotsec_sa_install_key(struct genl_info *info,
				  struct aiotsec_dev *adev,
				  struct aiotsec_sa *sa, struct nlattr *k,
				  bool now, const struct aiotsec_limits *lim)
{
	struct aiotsec_key *key, *old;
	u32 changes = sa->changes;
	bool gone;
	u8 slot;

	spin_lock_bh(&sa->key_lock);
	slot = !READ_ONCE(sa->tx_phase);
	spin_unlock_bh(&sa->key_lock);

	refcount_inc(&sa->refs);
	mutex_unlock(&adev->lock);
	key = aiotsec_key_alloc(sa, slot, lim, nla_data(k), nla_len(k));
	aiotsec_test_hold(&aiotsec_install_delay_ms, &aiotsec_install_delays);
	mutex_lock(&adev->lock);
	gone = adev->dead || aiotsec_nl_sa_lookup(adev, sa->sid) != sa;
	/* not the last reference unless @sa is gone */
	aiotsec_sa_put(sa);
	if (IS_ERR(key)) {
		aiotsec_nl_key_error(info, k, PTR_ERR(key));
		return PTR_ERR(key);
	}
	if (gone) {
		aiotsec_key_put(key);
		NL_SET_ERR_MSG(info->extack,
			       "aiotsec: the SA was deleted meanwhile");
		return -ENOENT;
	}
	if (sa->changes != changes) {
		aiotsec_key_put(key);
		NL_SET_ERR_MSG(info->extack,
			       "aiotsec: another request changed the SA meanwhile; retry");
		return -EAGAIN;
	}
	if (!now)
		set_bit(AIOTSEC_KEY_NEXT, &key->flags);

	spin_lock_bh(&sa->key_lock);
	if (READ_ONCE(sa->tx_phase) == slot) {
		/* promoted meanwhile: the slot is the transmit key now */
		spin_unlock_bh(&sa->key_lock);
		aiotsec_key_put(key);
		NL_SET_ERR_MSG(info->extack,
			       "aiotsec: the next key was promoted meanwhile; retry");
		return -EAGAIN;
	}
	old = rcu_dereference_protected(sa->keys[slot],
					lockdep_is_held(&sa->key_lock));
	rcu_assign_pointer(sa->keys[slot], key);
	if (now)
		/* release: who sees the new phase finds the key in its slot */
		smp_store_release(&sa->tx_phase, slot);
	spin_unlock_bh(&sa->key_lock);

	aiotsec_key_free_rcu(old);
	if (now)
		aiotsec_notify_event(sa->link, AIOTSEC_EVENT_KEY_SWITCH,
				     sa->sid, slot);
	return 0;
}

static int aiotsec_nl_sa_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[AIOTSEC_SA_A_MAX + 1];
	struct aiotsec_limits lim;
	struct aiotsec_dev *adev;
	struct aiotsec_sa *sa;
	unsigned int i;
	int err;

	err = aiotsec_nl_sa_attrs(info, tb, aiotsec_sa_policy) ?:
	      aiotsec_nl_require(info, tb, aiotsec_sa_sid_required, 1);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(aiotsec_sa_fixed); i++) {
		if (!tb[aiotsec_sa_fixed[i]])
			continue;
		NL_SET_ERR_MSG_ATTR(info->extack, tb[aiotsec_sa_fixed[i]],
				    "aiotsec: SUITE, PROFILE, TAG_LEN and CTR_BITS are fixed; delete and re-add the SA");
		return -EINVAL;
	}
	if (tb[AIOTSEC_SA_A_KEY_SWITCH] && !tb[AIOTSEC_SA_A_KEY]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[AIOTSEC_SA_A_KEY_SWITCH],
				    "aiotsec: KEY_SWITCH needs a KEY");
		return -EINVAL;
	}

	adev = aiotsec_nl_link(info);
	if (IS_ERR(adev))
		return PTR_ERR(adev);
	mutex_lock(&adev->lock);
	sa = aiotsec_nl_sa_find(adev, info, tb);
	if (!sa) {
		err = -ENOENT;
		goto out;
	}
	/* all or nothing: a refused request changes nothing */
	aiotsec_sa_get_limits(sa, &lim);
	err = aiotsec_nl_limits(info, tb, sa->suite, &lim);
	if (!err && tb[AIOTSEC_SA_A_KEY])
		err = aiotsec_check_key(info, tb[AIOTSEC_SA_A_KEY], sa->suite);
	if (err)
		goto out;
	if (tb[AIOTSEC_SA_A_KEY]) {
		/* the new limits and window are the new key's */
		err = aiotsec_sa_install_key(info, adev, sa,
					     tb[AIOTSEC_SA_A_KEY],
					     tb[AIOTSEC_SA_A_KEY_SWITCH], &lim);
		if (err)
			goto out;
	}
	aiotsec_sa_put_limits(sa, &lim);
	if (tb[AIOTSEC_SA_A_PEER_MAC])
		aiotsec_sa_set_peer(sa, nla_data(tb[AIOTSEC_SA_A_PEER_MAC]));
	/* what a request setting a key up meanwhile would undo */
	if (tb[AIOTSEC_SA_A_KEY] || tb[AIOTSEC_SA_A_SOFT_LIMIT] ||
	    tb[AIOTSEC_SA_A_HARD_LIMIT] || tb[AIOTSEC_SA_A_REPLAY_WINDOW])
		sa->changes++;
	aiotsec_generation_bump(dev_net(adev->dev));
out:
	mutex_unlock(&adev->lock);
	aiotsec_nl_put(adev);
	return err;
}

static int aiotsec_nl_sa_del(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[AIOTSEC_SA_A_MAX + 1];
	struct aiotsec_dev *adev;
	struct aiotsec_sa *sa;

	adev = aiotsec_nl_sid_link(info, tb);
	if (IS_ERR(adev))
		return PTR_ERR(adev);
	mutex_lock(&adev->lock);
	sa = aiotsec_nl_sa_find(adev, info, tb);
	if (sa)
		aiotsec_sa_remove(adev, sa);
	mutex_unlock(&adev->lock);
	aiotsec_nl_put(adev);
	return sa ? 0 : -ENOENT;
}

/* Sum the per-CPU counters 1..@pad - 1 into a nest of type @type. */
static int aiotsec_put_stats(struct sk_buff *skb, int type,
			     struct aiotsec_pcpu_stats __percpu *stats,
			     int pad)
{
	u64 sum[AIOTSEC_STATS_MAX] = {};
	struct nlattr *nest;
	unsigned int start;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		const struct aiotsec_pcpu_stats *s = per_cpu_ptr(stats, cpu);
		u64 tmp[AIOTSEC_STATS_MAX];

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			memcpy(tmp, s->cnt, sizeof(tmp));
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (i = 0; i < pad; i++)
			sum[i] += tmp[i];
	}
	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i < pad; i++)
		if (nla_put_u64_64bit(skb, i, sum[i], pad))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int aiotsec_put_sa_stats(struct sk_buff *skb, struct aiotsec_sa *sa)
{
	struct nlattr *nest = nla_nest_start(skb, AIOTSEC_SA_A_STATS);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 1; i < AIOTSEC_SA_STAT_PAD; i++)
		if (nla_put_u64_64bit(skb, i, atomic64_read(&sa->stats[i]),
				      AIOTSEC_SA_STAT_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int aiotsec_put_key(struct sk_buff *skb, struct aiotsec_key *key,
			   u8 tx_phase)
{
	struct nlattr *nest = nla_nest_start(skb, key->phase + 1);
	u64 tx = atomic64_read(&key->tx_counter);
	u64 rx_next = atomic64_read(&key->rx_next);

	if (!nest ||
	    nla_put_u8(skb, AIOTSEC_KEY_A_PHASE, key->phase) ||
	    (tx_phase == key->phase && nla_put_flag(skb, AIOTSEC_KEY_A_TX)) ||
	    nla_put_u64_64bit(skb, AIOTSEC_KEY_A_TX_COUNTER,
			      min(tx, key->hard_limit), AIOTSEC_KEY_A_PAD) ||
	    (rx_next && nla_put_u64_64bit(skb, AIOTSEC_KEY_A_RX_COUNTER,
					  rx_next - 1, AIOTSEC_KEY_A_PAD)) ||
	    (test_bit(AIOTSEC_KEY_SOFT_SENT, &key->flags) &&
	     nla_put_flag(skb, AIOTSEC_KEY_A_SOFT_EXPIRED)) ||
	    (test_bit(AIOTSEC_KEY_HARD_SENT, &key->flags) &&
	     nla_put_flag(skb, AIOTSEC_KEY_A_HARD_EXPIRED)))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* One SA, never its keys; the link's lock is held. */
static int aiotsec_put_sa(struct sk_buff *skb, struct aiotsec_sa *sa)
{
	/* once: a promotion meanwhile must not leave no key, or two, TX */
	u8 tx_phase = READ_ONCE(sa->tx_phase);
	struct nlattr *nest, *keys;
	u8 peer[ETH_ALEN];
	int i;

	aiotsec_sa_get_peer(sa, peer);
	nest = nla_nest_start(skb, AIOTSEC_A_SA);
	if (!nest ||
	    nla_put_u32(skb, AIOTSEC_SA_A_SID, sa->sid) ||
	    nla_put_u8(skb, AIOTSEC_SA_A_SUITE, sa->suite) ||
	    nla_put_u8(skb, AIOTSEC_SA_A_PROFILE, sa->profile) ||
	    nla_put_u8(skb, AIOTSEC_SA_A_TAG_LEN, sa->tag_len) ||
	    nla_put_u8(skb, AIOTSEC_SA_A_CTR_BITS, sa->ctr_bits) ||
	    nla_put_u32(skb, AIOTSEC_SA_A_REPLAY_WINDOW, sa->window) ||
	    nla_put_u64_64bit(skb, AIOTSEC_SA_A_SOFT_LIMIT, sa->soft_limit,
			      AIOTSEC_SA_A_PAD) ||
	    nla_put_u64_64bit(skb, AIOTSEC_SA_A_HARD_LIMIT, sa->hard_limit,
			      AIOTSEC_SA_A_PAD) ||
	    nla_put(skb, AIOTSEC_SA_A_PEER_MAC, ETH_ALEN, peer) ||
	    nla_put_u8(skb, AIOTSEC_SA_A_TX_KEY_PHASE, tx_phase))
		return -EMSGSIZE;

	keys = nla_nest_start(skb, AIOTSEC_SA_A_KEYS);
	if (!keys)
		return -EMSGSIZE;
	for (i = 0; i < 2; i++) {
		struct aiotsec_key *key;

		key = rcu_dereference_protected(sa->keys[i],
						lockdep_is_held(&sa->link->lock));
		if (key && aiotsec_put_key(skb, key, tx_phase))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, keys);
	if (aiotsec_put_sa_stats(skb, sa))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int aiotsec_fill_sa(struct sk_buff *skb, struct aiotsec_sa *sa,
			   u32 portid, u32 seq, int flags,
			   struct netlink_callback *cb)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &aiotsec_family, flags,
			  AIOTSEC_CMD_SA_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, AIOTSEC_A_IFINDEX, sa->link->dev->ifindex) ||
	    aiotsec_put_sa(skb, sa)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	/* only on a message that stays: a cancelled one would lose the flag */
	if (cb)
		genl_dump_check_consistent(cb, hdr);
	genlmsg_end(skb, hdr);
	return 0;
}

static int aiotsec_nl_sa_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[AIOTSEC_SA_A_MAX + 1];
	struct aiotsec_dev *adev;
	struct aiotsec_sa *sa;
	struct sk_buff *msg;
	int err;

	adev = aiotsec_nl_sid_link(info, tb);
	if (IS_ERR(adev))
		return PTR_ERR(adev);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		aiotsec_nl_put(adev);
		return -ENOMEM;
	}
	mutex_lock(&adev->lock);
	sa = aiotsec_nl_sa_find(adev, info, tb);
	err = sa ? aiotsec_fill_sa(msg, sa, info->snd_portid, info->snd_seq,
				   0, NULL) : -ENOENT;
	mutex_unlock(&adev->lock);
	aiotsec_nl_put(adev);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

/*
 * Where a dump goes on after the link @ifindex: the next ifindex, or -1
 * (none) after the largest one, INT_MAX (a link can be given it).
 */
static long aiotsec_dump_after(int ifindex)
{
	return ifindex == INT_MAX ? -1 : (long)ifindex + 1;
}

/*
 * The next aiotsec link of @net with an ifindex of at least @from, held;
 * NULL when there is none (and for a negative @from: the dump is over).
 */
static struct aiotsec_dev *aiotsec_next_link(struct net *net, long from)
{
	struct net_device *dev, *best = NULL;

	if (from < 0)
		return NULL;
	rcu_read_lock();
	for_each_netdev_rcu(net, dev) {
		if (dev->ifindex < from || !aiotsec_is_link(dev))
			continue;
		if (!best || dev->ifindex < best->ifindex)
			best = dev;
	}
	if (best)
		dev_hold(best);
	rcu_read_unlock();
	return best ? netdev_priv(best) : NULL;
}

/* Dump the SAs of @adev from index @cb->args[1] on; 1 when full. */
static int aiotsec_dump_link_sas(struct sk_buff *skb,
				 struct netlink_callback *cb,
				 struct aiotsec_dev *adev)
{
	struct aiotsec_sa *sa;
	long idx = 0;
	int full = 0;

	mutex_lock(&adev->lock);
	cb->seq = aiotsec_generation_read(dev_net(adev->dev));
	list_for_each_entry(sa, &adev->sa_list, list) {
		if (idx++ < cb->args[1])
			continue;
		if (aiotsec_fill_sa(skb, sa, NETLINK_CB(cb->skb).portid,
				    cb->nlh->nlmsg_seq, NLM_F_MULTI, cb)) {
			full = 1;
			break;
		}
		cb->args[1] = idx;
	}
	mutex_unlock(&adev->lock);
	return full;
}

/*
 * cb->args[0]: ifindex of the link being dumped (-1: all done),
 * cb->args[1]: SAs of it already sent, cb->args[2]: the one link asked
 * for, if any, cb->args[3]: parts of the dump so far.
 */
static int aiotsec_nl_sa_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct net *net = sock_net(skb->sk);
	struct nlattr **attrs = info->attrs;
	struct aiotsec_dev *adev;

	if (attrs[AIOTSEC_A_SA]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[AIOTSEC_A_SA],
				    "aiotsec: a dump of SAs takes no SA attribute");
		return -EINVAL;
	}
	if (cb->args[3]++)
		aiotsec_test_hold(&aiotsec_dump_delay_ms, &aiotsec_dump_delays);
	/* also for the last part, whose NLMSG_DONE the core checks with it */
	cb->seq = aiotsec_generation_read(net);

	if (!cb->args[0] && !cb->args[2] &&
	    (attrs[AIOTSEC_A_IFINDEX] || attrs[AIOTSEC_A_IFNAME])) {
		adev = __aiotsec_nl_link(net, attrs, cb->extack);
		if (IS_ERR(adev))
			return PTR_ERR(adev);
		cb->args[0] = adev->dev->ifindex;
		cb->args[2] = 1;
		aiotsec_nl_put(adev);
	}

	for (;;) {
		adev = aiotsec_next_link(net, cb->args[0]);
		if (!adev)
			break;
		if (cb->args[2] && adev->dev->ifindex != cb->args[0]) {
			aiotsec_nl_put(adev);
			break;
		}
		if (adev->dev->ifindex != cb->args[0]) {
			cb->args[0] = adev->dev->ifindex;
			cb->args[1] = 0;
		}
		if (aiotsec_dump_link_sas(skb, cb, adev)) {
			aiotsec_nl_put(adev);
			return skb->len;
		}
		/* the one link asked for, or every link up to this one: done */
		cb->args[0] = cb->args[2] ? -1 :
			      aiotsec_dump_after(adev->dev->ifindex);
		cb->args[1] = 0;
		aiotsec_nl_put(adev);
		if (cb->args[2])
			break;
	}
	return skb->len;
}

static int aiotsec_fill_link(struct sk_buff *skb, struct aiotsec_dev *adev,
			     u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &aiotsec_family, flags,
			  AIOTSEC_CMD_LINK_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, AIOTSEC_A_IFINDEX, adev->dev->ifindex) ||
	    nla_put_string(skb, AIOTSEC_A_IFNAME, adev->dev->name) ||
	    nla_put_u8(skb, AIOTSEC_A_ROLE, adev->role) ||
	    nla_put_u32(skb, AIOTSEC_A_SA_COUNT, READ_ONCE(adev->sa_count)) ||
	    nla_put_u32(skb, AIOTSEC_A_MAX_SAS, READ_ONCE(adev->max_sas)) ||
	    aiotsec_put_stats(skb, AIOTSEC_A_LINK_STATS, adev->stats,
			      AIOTSEC_LINK_STAT_PAD)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int aiotsec_nl_link_get(struct sk_buff *skb, struct genl_info *info)
{
	struct aiotsec_dev *adev;
	struct sk_buff *msg;
	int err;

	adev = aiotsec_nl_link(info);
	if (IS_ERR(adev))
		return PTR_ERR(adev);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg) {
		aiotsec_nl_put(adev);
		return -ENOMEM;
	}
	err = aiotsec_fill_link(msg, adev, info->snd_portid, info->snd_seq, 0);
	aiotsec_nl_put(adev);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int aiotsec_nl_link_dump(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct net *net = sock_net(skb->sk);
	struct aiotsec_dev *adev;
	int err;

	/* the do takes a link; the dump, all of them, none named */
	if (info->attrs[AIOTSEC_A_IFINDEX] || info->attrs[AIOTSEC_A_IFNAME]) {
		NL_SET_ERR_MSG_ATTR(cb->extack,
				    info->attrs[AIOTSEC_A_IFINDEX] ?:
				    info->attrs[AIOTSEC_A_IFNAME],
				    "aiotsec: a dump of links takes no IFINDEX or IFNAME");
		return -EINVAL;
	}
	while ((adev = aiotsec_next_link(net, cb->args[0]))) {
		err = aiotsec_fill_link(skb, adev, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI);
		/* a link that did not fit comes first in the next part */
		cb->args[0] = err ? adev->dev->ifindex :
				    aiotsec_dump_after(adev->dev->ifindex);
		aiotsec_nl_put(adev);
		if (err)
			break;
	}
	return skb->len;
}

static int aiotsec_nl_frame_send(struct sk_buff *skb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **attrs = info->attrs;
	struct aiotsec_crypt_waiter w;
	struct aiotsec_dev *adev;
	const u8 *peer = NULL;
	bool sent = false;
	u8 type;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, AIOTSEC_A_FRAME_TYPE)) {
		NL_SET_ERR_MSG(extack, "aiotsec: missing attribute FRAME_TYPE");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, AIOTSEC_A_SID)) {
		NL_SET_ERR_MSG(extack, "aiotsec: missing attribute SID");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, AIOTSEC_A_PAYLOAD)) {
		NL_SET_ERR_MSG(extack, "aiotsec: missing attribute PAYLOAD");
		return -EINVAL;
	}
	if (attrs[AIOTSEC_A_PEER_MAC])
		peer = nla_data(attrs[AIOTSEC_A_PEER_MAC]);
	type = nla_get_u8(attrs[AIOTSEC_A_FRAME_TYPE]);

	adev = aiotsec_nl_link(info);
	if (IS_ERR(adev))
		return PTR_ERR(adev);
	if (nla_len(attrs[AIOTSEC_A_PAYLOAD]) > adev->dev->mtu) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[AIOTSEC_A_PAYLOAD],
				    "aiotsec: PAYLOAD longer than the link's MTU");
		err = -EMSGSIZE;
		goto out;
	}
	/* the SA table lives as long as the link is not dead */
	mutex_lock(&adev->lock);
	if (adev->dead) {
		NL_SET_ERR_MSG(extack, "aiotsec: the link is going away");
		err = -ENODEV;
	} else if (!netif_running(adev->dev)) {
		NL_SET_ERR_MSG(extack, "aiotsec: the link is down");
		err = -ENETDOWN;
	} else {
		err = aiotsec_send_frame(adev, type,
					 nla_get_u32(attrs[AIOTSEC_A_SID]),
					 nla_data(attrs[AIOTSEC_A_PAYLOAD]),
					 nla_len(attrs[AIOTSEC_A_PAYLOAD]), peer,
					 &w);
		sent = true;
	}
	mutex_unlock(&adev->lock);
	/*
	 * Sealed asynchronously: its verdict, without the lock (the link's
	 * deletion takes it under RTNL, and so no longer waits for the crypto
	 * with RTNL held; the request's and the frame's references to the
	 * device still delay its free until the frame is done).
	 */
	if (err == -EINPROGRESS) {
		wait_for_completion(&w.done);
		err = w.err;
	}
	switch (err) {
	case -ENETDOWN:
		if (sent)
			NL_SET_ERR_MSG(extack,
				       "aiotsec: the lower device is down");
		break;
	case -ENOENT:
		NL_SET_ERR_MSG_ATTR(extack, attrs[AIOTSEC_A_SID],
				    "aiotsec: no SA with this SID on the link");
		break;
	case -EPERM:
		NL_SET_ERR_MSG_ATTR(extack, attrs[AIOTSEC_A_FRAME_TYPE],
				    "aiotsec: FRAME_TYPE not allowed by the SA's profile or the link's role");
		break;
	case -EKEYEXPIRED:
		NL_SET_ERR_MSG_ATTR(extack, attrs[AIOTSEC_A_SID],
				    "aiotsec: the SA's key reached its hard limit");
		break;
	}
out:
	aiotsec_nl_put(adev);
	return err;
}

void aiotsec_notify_event(struct aiotsec_dev *adev, u8 event, u32 sid,
			  int phase)
{
	struct net *net = dev_net(adev->dev);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&aiotsec_family, net, AIOTSEC_GRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &aiotsec_family, 0, AIOTSEC_CMD_EVENT);
	if (!hdr ||
	    nla_put_u32(msg, AIOTSEC_A_IFINDEX, adev->dev->ifindex) ||
	    nla_put_u8(msg, AIOTSEC_A_EVENT, event) ||
	    nla_put_u32(msg, AIOTSEC_A_SID, sid) ||
	    (phase >= 0 && nla_put_u8(msg, AIOTSEC_A_KEY_PHASE, phase))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&aiotsec_family, net, msg, 0,
				AIOTSEC_GRP_EVENTS, GFP_ATOMIC);
}

bool aiotsec_events_listened(struct aiotsec_dev *adev)
{
	return genl_has_listeners(&aiotsec_family, dev_net(adev->dev),
				  AIOTSEC_GRP_EVENTS);
}

bool aiotsec_daemon_listens(struct aiotsec_dev *adev)
{
	return genl_has_listeners(&aiotsec_family, dev_net(adev->dev),
				  AIOTSEC_GRP_FRAMES);
}

int aiotsec_notify_frame(struct aiotsec_dev *adev, u8 type, u32 sid,
			 u64 counter, const u8 *payload, unsigned int len,
			 const u8 *peer, bool verified)
{
	struct net *net = dev_net(adev->dev);
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&aiotsec_family, net, AIOTSEC_GRP_FRAMES))
		return -ESRCH;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE + len, GFP_ATOMIC);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put(msg, 0, 0, &aiotsec_family, 0, AIOTSEC_CMD_FRAME);
	if (!hdr ||
	    nla_put_u32(msg, AIOTSEC_A_IFINDEX, adev->dev->ifindex) ||
	    nla_put_u8(msg, AIOTSEC_A_FRAME_TYPE, type) ||
	    nla_put_u32(msg, AIOTSEC_A_SID, sid) ||
	    nla_put_u64_64bit(msg, AIOTSEC_A_COUNTER, counter, AIOTSEC_A_PAD) ||
	    nla_put(msg, AIOTSEC_A_PAYLOAD, len, payload) ||
	    nla_put(msg, AIOTSEC_A_PEER_MAC, ETH_ALEN, peer) ||
	    (verified && nla_put_flag(msg, AIOTSEC_A_VERIFIED))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_multicast_netns(&aiotsec_family, net, msg, 0,
				       AIOTSEC_GRP_FRAMES, GFP_ATOMIC);
}

static const struct genl_ops aiotsec_ops[] = {
	{
		.cmd = AIOTSEC_CMD_LINK_GET,
		.doit = aiotsec_nl_link_get,
		.dumpit = aiotsec_nl_link_dump,
		.policy = aiotsec_link_policy,
		.maxattr = AIOTSEC_A_MAX,
	},
	/*
	 * The crypto API charges a key's transforms to no memory cgroup: a
	 * user namespace must not be able to pin them (MACsec's rule).
	 */
	{
		.cmd = AIOTSEC_CMD_SA_NEW,
		.doit = aiotsec_nl_sa_new,
		.policy = aiotsec_sa_change_policy,
		.maxattr = AIOTSEC_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = AIOTSEC_CMD_SA_SET,
		.doit = aiotsec_nl_sa_set,
		.policy = aiotsec_sa_change_policy,
		.maxattr = AIOTSEC_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = AIOTSEC_CMD_SA_DEL,
		.doit = aiotsec_nl_sa_del,
		.policy = aiotsec_sa_sel_req_policy,
		.maxattr = AIOTSEC_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = AIOTSEC_CMD_SA_GET,
		.doit = aiotsec_nl_sa_get,
		.dumpit = aiotsec_nl_sa_dump,
		.policy = aiotsec_sa_sel_req_policy,
		.maxattr = AIOTSEC_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd = AIOTSEC_CMD_FRAME_SEND,
		.doit = aiotsec_nl_frame_send,
		.policy = aiotsec_frame_policy,
		.maxattr = AIOTSEC_A_MAX,
		.flags = GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group aiotsec_mcgrps[] = {
	[AIOTSEC_GRP_EVENTS] = { .name = AIOTSEC_MCGRP_EVENTS,
				 .flags = GENL_MCAST_CAP_NET_ADMIN },
	[AIOTSEC_GRP_FRAMES] = { .name = AIOTSEC_MCGRP_FRAMES,
				 .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family aiotsec_family __ro_after_init = {
	.name = AIOTSEC_GENL_NAME,
	.version = AIOTSEC_GENL_VERSION,
	.maxattr = AIOTSEC_A_MAX,	/* every command has its own policy */
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = aiotsec_ops,
	.n_ops = ARRAY_SIZE(aiotsec_ops),
	/* no legacy: the header is checked for every command */
	.resv_start_op = 0,
	.mcgrps = aiotsec_mcgrps,
	.n_mcgrps = ARRAY_SIZE(aiotsec_mcgrps),
};

int __init aiotsec_genl_init(void)
{
	if (IS_ENABLED(CONFIG_AIOTSEC_DEBUG)) {
		/* removed with the directory, by aiotsec_crypto_exit() */
		debugfs_create_u32("install_delay_ms", 0600, aiotsec_debugfs,
				   &aiotsec_install_delay_ms);
		debugfs_create_atomic_t("install_delays", 0400,
					aiotsec_debugfs,
					&aiotsec_install_delays);
		debugfs_create_u32("dump_delay_ms", 0600, aiotsec_debugfs,
				   &aiotsec_dump_delay_ms);
		debugfs_create_atomic_t("dump_delays", 0400, aiotsec_debugfs,
					&aiotsec_dump_delays);
	}
	return genl_register_family(&aiotsec_family);
}

void aiotsec_genl_exit(void)
{
	genl_unregister_family(&aiotsec_family);
}

MODULE_ALIAS_GENL_FAMILY(AIOTSEC_GENL_NAME);
