// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: the transmit path.
 *
 * A plaintext frame written to the aiotsec device is an Ethernet frame
 * whose destination is an AIoT address 02:TT:SS:SS:SS:SS (frame type TT,
 * session ID SS..SS).  Its payload becomes the body of a protected frame
 * for that session: security header, body, tag, sent on the lower device
 * with the ethertype AIOTSEC_ETH_P.  A frame shorter than the Ethernet
 * minimum gets the short form of the header, which carries the body
 * length, so that the receiver can tell the lower device's padding from
 * the tag.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/skbuff.h>
#include <asm/unaligned.h>

#include "aiotsec.h"

/* A header of @hdrlen octets: the short form, with @bodylen, if longer. */
static void aiotsec_hdr_build(u8 *hdr, unsigned int hdrlen, u8 type, u8 phase,
			      u8 ctr_bits, u8 dir, u32 sid, u64 ctr,
			      unsigned int bodylen)
{
	bool short_form = hdrlen > aiotsec_hdr_len(ctr_bits);

	hdr[0] = (short_form ? AIOTSEC_HDR_V_SHORT : 0) |
		 type << AIOTSEC_HDR_TYPE_SHIFT |
		 (phase ? AIOTSEC_HDR_KP : 0) |
		 (ctr_bits == 32 ? AIOTSEC_HDR_C32 : 0) |
		 (dir ? AIOTSEC_HDR_DOWN : 0);
	put_unaligned_be32(sid, hdr + 1);
	if (ctr_bits == 32)
		put_unaligned_be32((u32)ctr, hdr + 5);
	else
		put_unaligned_be16((u16)ctr, hdr + 5);
	if (short_form)
		hdr[hdrlen - 1] = bodylen;
}

/* Make room for @head octets before and @tail after the data, writable. */
static int aiotsec_skb_room(struct sk_buff *skb, unsigned int head,
			    unsigned int tail)
{
	int nhead, ntail;

	if (skb_linearize(skb))
		return -ENOMEM;
	nhead = max_t(int, head - skb_headroom(skb), 0);
	ntail = max_t(int, tail - skb_tailroom(skb), 0);
	if (!nhead && !ntail && !skb_cloned(skb))
		return 0;
	return pskb_expand_head(skb, nhead, ntail, GFP_ATOMIC);
}

/*
 * The Ethernet header to @dst, packed as in struct aiotsec_sa's @peer,
 * for @adev's lower device.  A lower device in another namespace gets
 * nothing of this one's (mark, socket, conntrack), as through a tunnel.
 */
static void aiotsec_push_eth(struct sk_buff *skb, struct aiotsec_dev *adev,
			     u64 dst)
{
	struct net_device *lower = adev->lower;
	struct ethhdr *eth = __skb_push(skb, ETH_HLEN);

	if (unlikely(!net_eq(dev_net(adev->dev), dev_net(lower))))
		skb_scrub_packet(skb, true);

	u64_to_ether_addr(dst, eth->h_dest);
	ether_addr_copy(eth->h_source, lower->dev_addr);
	eth->h_proto = htons(AIOTSEC_ETH_P);
	skb_reset_mac_header(skb);
	/* the security header: where taps on the lower device expect it */
	skb_set_network_header(skb, ETH_HLEN);
	skb->protocol = eth->h_proto;
	skb->dev = lower;
	skb->ip_summed = CHECKSUM_NONE;
}

/* The lower device's verdict on a frame, as 0 or a negative errno. */
static int aiotsec_queue_xmit(struct sk_buff *skb)
{
	int rc = dev_queue_xmit(skb);

	if (likely(!net_xmit_eval(rc)))
		return 0;
	return rc < 0 ? rc : -ENOBUFS;
}

/*
 * The frame is sealed (or not): send it, or count why not.  Frees @c; the
 * caller still holds the device reference @c held, and drops it after.
 */
static int aiotsec_xmit_finish(struct aiotsec_crypt *c, int err)
{
	struct aiotsec_key *key = c->key;
	struct aiotsec_sa *sa = key->sa;
	struct net_device *dev = c->dev;
	struct sk_buff *skb = c->skb;
	unsigned int bodylen = c->bodylen;

	aiotsec_crypt_free(c);
	if (likely(!err)) {
		err = aiotsec_queue_xmit(skb);
		skb = NULL;
	}
	if (likely(!err)) {
		aiotsec_sa_count(sa, AIOTSEC_SA_STAT_TX_OK, 1);
		aiotsec_sa_count(sa, AIOTSEC_SA_STAT_TX_BYTES, bodylen);
		dev_sw_netstats_tx_add(dev, 1, bodylen);
	} else {
		aiotsec_sa_count(sa, AIOTSEC_SA_STAT_TX_ERROR, 1);
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
	}
	aiotsec_key_put(key);
	return err;
}

/* completion of a frame sealed asynchronously, in whatever context */
static void aiotsec_xmit_done(struct aiotsec_crypt *c, int err)
{
	struct aiotsec_crypt_waiter *w = c->data;
	netdevice_tracker tracker = c->dev_tracker;
	struct net_device *dev = c->dev;

	local_bh_disable();
	rcu_read_lock();
	err = aiotsec_xmit_finish(c, err);
	rcu_read_unlock();
	local_bh_enable();
	if (w)		/* FRAME_SEND waits for the lower device's verdict */
		aiotsec_crypt_waiter_wake(w, err);
	/*
	 * Last, after the softirqs local_bh_enable() may have run: the
	 * device, and the module with it, may go away with this reference.
	 */
	netdev_put(dev, &tracker);
}

/*
 * Protect @skb, whose data is the body of a frame of @type, with @sa and
 * send it on the lower device, to @to if given (and then remember it as
 * the SA's peer), else to the SA's peer.  Consumes @skb.  Runs under RCU
 * with bottom halves disabled.  Returns 0 (sent, or on its way: the
 * sealing finishes asynchronously) or the reason it was dropped; with
 * @w, -EINPROGRESS when the sealing finishes asynchronously, and @w gets
 * the result then.
 */
static int aiotsec_xmit_sa(struct aiotsec_dev *adev, struct aiotsec_sa *sa,
			   struct sk_buff *skb, u8 type, const u8 *to,
			   struct aiotsec_crypt_waiter *w)
{
	unsigned int bodylen = skb->len;
	unsigned int hdrlen = aiotsec_tx_hdr_len(sa->ctr_bits, bodylen,
						 sa->tag_len);
	u8 dir = aiotsec_tx_dir(adev);
	netdevice_tracker tracker;
	struct aiotsec_crypt *c;
	struct aiotsec_key *key;
	int err, stat;
	u64 ctr, peer;

	if (!aiotsec_frame_type_allowed(sa, type, adev->role)) {
		stat = AIOTSEC_SA_STAT_TX_NOT_ALLOWED;
		err = -EPERM;
		goto drop;
	}
	key = rcu_dereference_bh(sa->keys[READ_ONCE(sa->tx_phase)]);
	ctr = atomic64_fetch_inc(&key->tx_counter);
	if (ctr >= key->hard_limit) {
		aiotsec_key_check_limits(sa, key, ctr);
		stat = AIOTSEC_SA_STAT_TX_EXPIRED;
		err = -EKEYEXPIRED;
		goto drop;
	}
	aiotsec_key_check_limits(sa, key, ctr);

	/* LL_RESERVED_SPACE() holds the lower device's Ethernet header */
	err = aiotsec_skb_room(skb, hdrlen + LL_RESERVED_SPACE(adev->lower),
			       sa->tag_len);
	if (err)
		goto error;
	c = aiotsec_crypt_alloc(GFP_ATOMIC);
	if (!c) {
		err = -ENOMEM;
		goto error;
	}
	/* aiotsec_skb_room() made room for both */
	aiotsec_hdr_build(__skb_push(skb, hdrlen), hdrlen, type, key->phase,
			  sa->ctr_bits, dir, sa->sid, ctr, bodylen);
	__skb_put(skb, sa->tag_len);

	if (to) {
		/* the daemon named the peer: it is the SA's from now on */
		peer = ether_addr_to_u64(to);
		atomic64_set(&sa->peer, peer);
	} else {
		peer = atomic64_read(&sa->peer);
	}
	aiotsec_push_eth(skb, adev, peer);

	refcount_inc(&key->refs);
	netdev_hold(adev->dev, &c->dev_tracker, GFP_ATOMIC);
	c->key = key;
	c->frame = skb->data + ETH_HLEN;
	c->hdrlen = hdrlen;
	c->bodylen = bodylen;
	c->counter = ctr;
	c->sid = sa->sid;
	c->suite = sa->suite;
	c->tag_len = sa->tag_len;
	c->dir = dir;
	c->done = aiotsec_xmit_done;
	c->data = w;
	c->skb = skb;
	c->dev = adev->dev;
	err = aiotsec_crypt_run(c, true);
	if (err == -EINPROGRESS)
		return w ? err : 0;
	tracker = c->dev_tracker;
	err = aiotsec_xmit_finish(c, err);
	netdev_put(adev->dev, &tracker);
	return err;

error:
	stat = AIOTSEC_SA_STAT_TX_ERROR;
drop:
	aiotsec_sa_count(sa, stat, 1);
	dev_core_stats_tx_dropped_inc(adev->dev);
	kfree_skb(skb);
	return err;
}

netdev_tx_t aiotsec_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct aiotsec_dev *adev = netdev_priv(dev);
	struct aiotsec_sa *sa;
	const u8 *dst;
	u8 type;
	u32 sid;

	/* a packet socket may send a VLAN's 4 octets past the MTU */
	if (!pskb_may_pull(skb, ETH_HLEN) ||
	    skb->len > ETH_HLEN + AIOTSEC_MAX_PAYLOAD)
		goto malformed;
	dst = skb->data;
	type = dst[1];
	/* AUTH and CONTROL frames are the daemon's (FRAME_SEND) */
	if (dst[0] != AIOTSEC_ADDR_PREFIX || type == AIOTSEC_FT_AUTH ||
	    type == AIOTSEC_FT_CONTROL || type > AIOTSEC_FT_MAX)
		goto malformed;
	sid = get_unaligned_be32(dst + 2);

	/* the core holds rcu_read_lock_bh(); the table wants rcu_read_lock() */
	rcu_read_lock();
	sa = aiotsec_sa_lookup(adev, sid);
	if (!sa) {
		rcu_read_unlock();
		aiotsec_link_count(adev, AIOTSEC_LINK_STAT_TX_NO_SA);
		goto drop;
	}
	__skb_pull(skb, ETH_HLEN);
	aiotsec_xmit_sa(adev, sa, skb, type, NULL, NULL);
	rcu_read_unlock();
	return NETDEV_TX_OK;

malformed:
	aiotsec_link_count(adev, AIOTSEC_LINK_STAT_TX_MALFORMED);
drop:
	dev_core_stats_tx_dropped_inc(dev);
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

/*
 * Send one frame for the daemon (AIOTSEC_CMD_FRAME_SEND): AUTH frames go
 * out unprotected to @peer (broadcast when NULL); every other type is
 * protected with the SA of @sid.  Process context, with the link's lock
 * held.  Returns the lower device's verdict, or -EINPROGRESS when the
 * frame is being sealed asynchronously: then @w gets the verdict, which
 * the caller waits for (wait_for_completion(&@w->done)) once it dropped
 * the lock, so that a link deletion, which takes it under RTNL, does not
 * hold RTNL while the crypto runs.
 */
int aiotsec_send_frame(struct aiotsec_dev *adev, u8 type, u32 sid,
		       const u8 *payload, unsigned int len, const u8 *peer,
		       struct aiotsec_crypt_waiter *w)
{
	struct net_device *lower = adev->lower;
	unsigned int head = AIOTSEC_HDR_ROOM + LL_RESERVED_SPACE(lower);
	struct aiotsec_sa *sa;
	struct sk_buff *skb;
	int err = 0;

	if (!netif_running(lower) || !netif_carrier_ok(lower))
		return -ENETDOWN;
	skb = alloc_skb(head + len + AIOTSEC_TAG_MAX, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, head);
	skb_put_data(skb, payload, len);

	if (type == AIOTSEC_FT_AUTH) {
		unsigned int hdrlen = aiotsec_tx_hdr_len(16, len, 0);

		aiotsec_hdr_build(skb_push(skb, hdrlen), hdrlen, type, 0, 16,
				  aiotsec_tx_dir(adev), sid, 0, len);
		aiotsec_push_eth(skb, adev,
				 ether_addr_to_u64(peer ?: lower->broadcast));
		return aiotsec_queue_xmit(skb);
	}

	init_completion(&w->done);
	local_bh_disable();
	rcu_read_lock();
	sa = aiotsec_sa_lookup(adev, sid);
	if (sa) {
		err = aiotsec_xmit_sa(adev, sa, skb, type, peer, w);
	} else {
		kfree_skb(skb);
		err = -ENOENT;
	}
	rcu_read_unlock();
	local_bh_enable();
	return err;
}
