// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: the net_device, its rtnl link type and its lower device.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/module.h>
#include <linux/netdevice.h>
#include <net/rtnetlink.h>

#include "aiotsec.h"

/*
 * AIoT messages are small (TR 38.848 targets at most 256 octets each
 * way), so the default MTU is that size; the maximum leaves room for
 * the security header and the longest MAC in a lower Ethernet frame.
 */
#define AIOTSEC_DEFAULT_MTU	256
#define AIOTSEC_MAX_OVERHEAD	AIOTSEC_OVERHEAD

/* the most SAs of a link unless IFLA_AIOTSEC_MAX_SAS says otherwise */
#define AIOTSEC_DEFAULT_MAX_SAS	BIT(20)

static int aiotsec_dev_init(struct net_device *dev)
{
	struct aiotsec_dev *adev = netdev_priv(dev);
	int err;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	adev->stats = netdev_alloc_pcpu_stats(struct aiotsec_pcpu_stats);
	if (!adev->stats) {
		err = -ENOMEM;
		goto err_tstats;
	}
	err = aiotsec_sa_table_init(adev);
	if (err)
		goto err_stats;

	/* what reaches the daemon or the event group is bounded */
	ratelimit_state_init(&adev->rl_unknown, HZ, 10);
	ratelimit_state_init(&adev->rl_replay, HZ, 10);
	ratelimit_state_init(&adev->rl_auth, HZ, 1000);
	ratelimit_state_init(&adev->rl_unknown_frames, HZ, 1000);
	ratelimit_set_flags(&adev->rl_unknown, RATELIMIT_MSG_ON_RELEASE);
	ratelimit_set_flags(&adev->rl_replay, RATELIMIT_MSG_ON_RELEASE);
	ratelimit_set_flags(&adev->rl_auth, RATELIMIT_MSG_ON_RELEASE);
	ratelimit_set_flags(&adev->rl_unknown_frames, RATELIMIT_MSG_ON_RELEASE);

	netdev_hold(adev->lower, &adev->lower_tracker, GFP_KERNEL);
	aiotsec_live_add(&aiotsec_live_links, 1);
	return 0;

err_stats:
	free_percpu(adev->stats);
err_tstats:
	free_percpu(dev->tstats);
	return err;
}

static void aiotsec_dev_uninit(struct net_device *dev)
{
	struct aiotsec_dev *adev = netdev_priv(dev);

	aiotsec_sa_flush(adev);
}

/*
 * Frames whose cryptography finishes asynchronously hold a reference on
 * the device and count on it: the counters go with the last reference.
 */
static void aiotsec_dev_destructor(struct net_device *dev)
{
	struct aiotsec_dev *adev = netdev_priv(dev);

	free_percpu(adev->stats);
	free_percpu(dev->tstats);
	netdev_put(adev->lower, &adev->lower_tracker);
	aiotsec_live_add(&aiotsec_live_links, -1);
}

static int aiotsec_dev_open(struct net_device *dev)
{
	return 0;
}

static int aiotsec_dev_stop(struct net_device *dev)
{
	return 0;
}

static int aiotsec_get_iflink(const struct net_device *dev)
{
	const struct aiotsec_dev *adev = netdev_priv(dev);

	return adev->lower->ifindex;
}

static const struct net_device_ops aiotsec_netdev_ops = {
	.ndo_init		= aiotsec_dev_init,
	.ndo_uninit		= aiotsec_dev_uninit,
	.ndo_open		= aiotsec_dev_open,
	.ndo_stop		= aiotsec_dev_stop,
	.ndo_start_xmit		= aiotsec_start_xmit,
	.ndo_get_stats64	= dev_get_tstats64,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_get_iflink		= aiotsec_get_iflink,
};

static const struct device_type aiotsec_type = {
	.name = "aiotsec",
};

static void aiotsec_setup(struct net_device *dev)
{
	ether_setup(dev);
	dev->netdev_ops = &aiotsec_netdev_ops;
	dev->needs_free_netdev = true;
	dev->priv_destructor = aiotsec_dev_destructor;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->flags |= IFF_NOARP;
	dev->features |= NETIF_F_LLTX;
	dev->min_mtu = 1;
	dev->max_mtu = AIOTSEC_MAX_PAYLOAD;
	dev->mtu = AIOTSEC_DEFAULT_MTU;
	SET_NETDEV_DEVTYPE(dev, &aiotsec_type);
	eth_hw_addr_random(dev);
}

static const struct nla_policy aiotsec_policy[IFLA_AIOTSEC_MAX + 1] = {
	/* no legacy: every attribute is validated strictly */
	[IFLA_AIOTSEC_UNSPEC] = { .strict_start_type = IFLA_AIOTSEC_ROLE },
	[IFLA_AIOTSEC_ROLE] = NLA_POLICY_MAX(NLA_U8, AIOTSEC_ROLE_MAX),
	[IFLA_AIOTSEC_MAX_SAS] = NLA_POLICY_MIN(NLA_U32, 1),
};

static int aiotsec_validate(struct nlattr *tb[], struct nlattr *data[],
			    struct netlink_ext_ack *extack)
{
	/* also for changes of a live link: IFLA_LINK is checked at creation */
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "aiotsec: invalid address length");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_ADDRESS],
					    "aiotsec: invalid address");
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

bool aiotsec_is_link(const struct net_device *dev)
{
	return dev->netdev_ops == &aiotsec_netdev_ops;
}

static struct aiotsec_dev *aiotsec_from_lower_rtnl(const struct net_device *lower)
{
	if (rcu_access_pointer(lower->rx_handler) != aiotsec_handle_frame)
		return NULL;
	return rtnl_dereference(lower->rx_handler_data);
}

static int aiotsec_newlink(struct net *src_net, struct net_device *dev,
			   struct nlattr *tb[], struct nlattr *data[],
			   struct netlink_ext_ack *extack)
{
	struct aiotsec_dev *adev = netdev_priv(dev);
	struct net_device *lower;
	int err;

	if (!tb[IFLA_LINK]) {
		NL_SET_ERR_MSG(extack, "aiotsec: a lower device is required (link DEV)");
		NL_SET_ERR_ATTR_MISS(extack, NULL, IFLA_LINK);
		return -EINVAL;
	}
	lower = __dev_get_by_index(src_net, nla_get_u32(tb[IFLA_LINK]));
	if (!lower) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "aiotsec: lower device not found");
		return -ENODEV;
	}
	if (lower->flags & IFF_LOOPBACK) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "aiotsec: cannot stack on a loopback device");
		return -EINVAL;
	}
	if (lower->type != ARPHRD_ETHER || lower->addr_len != ETH_ALEN) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "aiotsec: lower device is not an Ethernet device");
		return -EINVAL;
	}
	if (lower->mtu <= AIOTSEC_MAX_OVERHEAD) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "aiotsec: the lower device's MTU leaves no room for a payload");
		return -EINVAL;
	}
	if (aiotsec_from_lower_rtnl(lower)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "aiotsec: lower device already carries an aiotsec link");
		return -EBUSY;
	}
	if (rtnl_dereference(lower->rx_handler)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_LINK],
				    "aiotsec: lower device is busy (it has another receive handler)");
		return -EBUSY;
	}

	adev->dev = dev;
	adev->lower = lower;
	adev->role = AIOTSEC_ROLE_READER;
	if (data && data[IFLA_AIOTSEC_ROLE])
		adev->role = nla_get_u8(data[IFLA_AIOTSEC_ROLE]);
	adev->max_sas = AIOTSEC_DEFAULT_MAX_SAS;
	if (data && data[IFLA_AIOTSEC_MAX_SAS])
		adev->max_sas = nla_get_u32(data[IFLA_AIOTSEC_MAX_SAS]);

	if (!tb[IFLA_MTU])
		dev->mtu = min_t(unsigned int, AIOTSEC_DEFAULT_MTU,
				 lower->mtu - AIOTSEC_MAX_OVERHEAD);
	dev->max_mtu = min_t(int, lower->mtu - AIOTSEC_MAX_OVERHEAD,
			     AIOTSEC_MAX_PAYLOAD);
	dev->needed_headroom = lower->needed_headroom + AIOTSEC_HDR_ROOM;
	dev->needed_tailroom = lower->needed_tailroom + AIOTSEC_TAG_MAX;
	if (dev->mtu > dev->max_mtu) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IFLA_MTU],
				    "aiotsec: MTU too large for the lower device");
		return -EINVAL;
	}

	err = register_netdevice(dev);
	if (err)
		return err;

	err = netdev_upper_dev_link(lower, dev, extack);
	if (err)
		goto err_unregister;

	err = netdev_rx_handler_register(lower, aiotsec_handle_frame, adev);
	if (err) {
		NL_SET_ERR_MSG(extack, "aiotsec: cannot attach to the lower device");
		goto err_unlink;
	}

	netif_stacked_transfer_operstate(lower, dev);
	linkwatch_fire_event(dev);
	return 0;

err_unlink:
	netdev_upper_dev_unlink(lower, dev);
err_unregister:
	unregister_netdevice(dev);
	return err;
}

static void aiotsec_dellink(struct net_device *dev, struct list_head *head)
{
	struct aiotsec_dev *adev = netdev_priv(dev);

	netdev_rx_handler_unregister(adev->lower);
	netdev_upper_dev_unlink(adev->lower, dev);
	unregister_netdevice_queue(dev, head);
}

/*
 * A change of a live link: the SA limit may change, the role may not.
 * A limit below the current number of SAs removes none; SA_NEW fails
 * until enough are gone.
 */
static int aiotsec_changelink(struct net_device *dev, struct nlattr *tb[],
			      struct nlattr *data[],
			      struct netlink_ext_ack *extack)
{
	struct aiotsec_dev *adev = netdev_priv(dev);

	if (!data)
		return 0;
	if (data[IFLA_AIOTSEC_ROLE] &&
	    nla_get_u8(data[IFLA_AIOTSEC_ROLE]) != adev->role) {
		NL_SET_ERR_MSG_ATTR(extack, data[IFLA_AIOTSEC_ROLE],
				    "aiotsec: the role is fixed at creation");
		return -EOPNOTSUPP;
	}
	if (data[IFLA_AIOTSEC_MAX_SAS])
		WRITE_ONCE(adev->max_sas,
			   nla_get_u32(data[IFLA_AIOTSEC_MAX_SAS]));
	return 0;
}

static size_t aiotsec_get_size(const struct net_device *dev)
{
	return nla_total_size(sizeof(u8)) +	/* IFLA_AIOTSEC_ROLE */
	       nla_total_size(sizeof(u32));	/* IFLA_AIOTSEC_MAX_SAS */
}

static int aiotsec_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct aiotsec_dev *adev = netdev_priv(dev);

	if (nla_put_u8(skb, IFLA_AIOTSEC_ROLE, adev->role) ||
	    nla_put_u32(skb, IFLA_AIOTSEC_MAX_SAS, READ_ONCE(adev->max_sas)))
		return -EMSGSIZE;
	return 0;
}

static struct net *aiotsec_get_link_net(const struct net_device *dev)
{
	const struct aiotsec_dev *adev = netdev_priv(dev);

	return dev_net(adev->lower);
}

static struct rtnl_link_ops aiotsec_link_ops __read_mostly = {
	.kind		= "aiotsec",
	.priv_size	= sizeof(struct aiotsec_dev),
	.maxtype	= IFLA_AIOTSEC_MAX,
	.policy		= aiotsec_policy,
	.setup		= aiotsec_setup,
	.validate	= aiotsec_validate,
	.newlink	= aiotsec_newlink,
	.changelink	= aiotsec_changelink,
	.dellink	= aiotsec_dellink,
	.get_size	= aiotsec_get_size,
	.fill_info	= aiotsec_fill_info,
	.get_link_net	= aiotsec_get_link_net,
};

static int aiotsec_lower_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct net_device *lower = netdev_notifier_info_to_dev(ptr);
	struct aiotsec_dev *adev = aiotsec_from_lower_rtnl(lower);
	LIST_HEAD(head);

	if (!adev)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_PRE_TYPE_CHANGE:
		/* frames are built and parsed as Ethernet: stay one */
		return NOTIFY_BAD;
	case NETDEV_UP:
	case NETDEV_DOWN:
	case NETDEV_CHANGE:
		netif_stacked_transfer_operstate(lower, adev->dev);
		break;
	case NETDEV_CHANGEMTU:
		adev->dev->max_mtu = clamp_t(int,
					     lower->mtu - AIOTSEC_MAX_OVERHEAD,
					     adev->dev->min_mtu,
					     AIOTSEC_MAX_PAYLOAD);
		if (adev->dev->mtu > adev->dev->max_mtu)
			dev_set_mtu(adev->dev, adev->dev->max_mtu);
		break;
	case NETDEV_UNREGISTER:
		/*
		 * The lower device goes: its aiotsec link goes with it.  A
		 * lower device that only moves to another namespace
		 * unregisters there and comes back: the link stays on it.
		 */
		if (lower->reg_state != NETREG_UNREGISTERING)
			break;
		aiotsec_dellink(adev->dev, &head);
		unregister_netdevice_many(&head);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block aiotsec_notifier = {
	.notifier_call = aiotsec_lower_event,
};

int __init aiotsec_device_init(void)
{
	int err;

	err = register_netdevice_notifier(&aiotsec_notifier);
	if (err)
		return err;

	err = rtnl_link_register(&aiotsec_link_ops);
	if (err)
		unregister_netdevice_notifier(&aiotsec_notifier);
	return err;
}

void aiotsec_device_exit(void)
{
	rtnl_link_unregister(&aiotsec_link_ops);
	unregister_netdevice_notifier(&aiotsec_notifier);
}

MODULE_ALIAS_RTNL_LINK("aiotsec");
