// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: the receive path, a receive handler on the lower device.
 *
 * Every check that costs no cryptography comes first: header, direction,
 * session, profile, key phase, expiry, replay window.  Only then is the
 * frame verified (and deciphered); the replay window advances only after
 * that.  A verified frame is delivered on the aiotsec device as an
 * Ethernet frame from the AIoT address 02:TT:SS:SS:SS:SS, except CONTROL
 * frames, which go to the daemon.  AUTH frames and frames for unknown
 * sessions go to the daemon too, rate-limited.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/skbuff.h>
#include <asm/unaligned.h>

#include "aiotsec.h"

/*
 * Pass an unverified frame to the daemon, within the rate limit; the
 * limit comes first so that a flood costs no copy.
 */
static void aiotsec_rx_to_daemon(struct aiotsec_dev *adev, struct sk_buff *skb,
				 u8 type, u32 sid, unsigned int hdrlen)
{
	if (!__ratelimit(&adev->rl_frames) || skb_linearize(skb) ||
	    aiotsec_notify_frame(adev, type, sid, 0, skb->data + hdrlen,
				 skb->len - hdrlen, eth_hdr(skb)->h_source,
				 false))
		aiotsec_link_count(adev, AIOTSEC_LINK_STAT_RX_TO_DAEMON_DROPPED);
}

static void aiotsec_rx_unknown(struct aiotsec_dev *adev, struct sk_buff *skb,
			       u8 type, u32 sid, unsigned int hdrlen)
{
	aiotsec_link_count(adev, AIOTSEC_LINK_STAT_RX_UNKNOWN_SESSION);
	if (__ratelimit(&adev->rl_unknown))
		aiotsec_notify_event(adev, AIOTSEC_EVENT_UNKNOWN_SESSION, sid,
				     -1);
	aiotsec_rx_to_daemon(adev, skb, type, sid, hdrlen);
}

/* Turn the verified frame into a plaintext one on the aiotsec device. */
static void aiotsec_rx_deliver(struct aiotsec_dev *adev, struct sk_buff *skb,
			       u8 type, u32 sid, unsigned int hdrlen,
			       unsigned int bodylen)
{
	struct net_device *dev = adev->dev;
	struct ethhdr *eth;

	skb_trim(skb, hdrlen + bodylen);
	skb_pull(skb, hdrlen);
	eth = skb_push(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, dev->dev_addr);
	eth->h_source[0] = AIOTSEC_ADDR_PREFIX;
	eth->h_source[1] = type;
	put_unaligned_be32(sid, eth->h_source + 2);
	eth->h_proto = htons(AIOTSEC_ETH_P);

	skb_scrub_packet(skb, !net_eq(dev_net(adev->lower), dev_net(dev)));
	skb->ip_summed = CHECKSUM_NONE;
	skb->protocol = eth_type_trans(skb, dev);
	dev_sw_netstats_rx_add(dev, bodylen);
}

static rx_handler_result_t aiotsec_rx_sa(struct aiotsec_dev *adev,
					 struct aiotsec_sa *sa,
					 struct sk_buff *skb, u8 b0,
					 unsigned int hdrlen)
{
	u8 type = (b0 & AIOTSEC_HDR_TYPE_MASK) >> AIOTSEC_HDR_TYPE_SHIFT;
	u8 dir = b0 & AIOTSEC_HDR_DOWN;
	u8 peer_role = adev->role == AIOTSEC_ROLE_READER ?
		       AIOTSEC_ROLE_DEVICE : AIOTSEC_ROLE_READER;
	unsigned int bodylen;
	struct aiotsec_key *key;
	int stat;
	u64 ctr;
	u32 low;

	if (hdrlen != aiotsec_hdr_len(sa->ctr_bits) ||
	    skb->len < hdrlen + sa->tag_len) {
		aiotsec_link_count(adev, AIOTSEC_LINK_STAT_RX_MALFORMED);
		goto drop_link;
	}
	if (!aiotsec_frame_type_allowed(sa, type, peer_role)) {
		stat = AIOTSEC_SA_STAT_RX_NOT_ALLOWED;
		goto drop;
	}
	key = rcu_dereference(sa->keys[!!(b0 & AIOTSEC_HDR_KP)]);
	if (!key) {
		stat = AIOTSEC_SA_STAT_RX_NO_KEY;
		goto drop;
	}
	low = hdrlen == AIOTSEC_HDR_MAX ? get_unaligned_be32(skb->data + 5) :
					  get_unaligned_be16(skb->data + 5);
	ctr = aiotsec_counter_recover(READ_ONCE(key->rx_next), low,
				      sa->ctr_bits);
	if (ctr >= key->hard_limit) {
		aiotsec_key_check_limits(sa, key, ctr);
		stat = AIOTSEC_SA_STAT_RX_EXPIRED;
		goto drop;
	}
	switch (aiotsec_replay_check(key, ctr)) {
	case AIOTSEC_REPLAY_OK:
		break;
	case AIOTSEC_REPLAY_DUP:
		stat = AIOTSEC_SA_STAT_RX_REPLAY;
		goto replay;
	case AIOTSEC_REPLAY_OLD:
		stat = AIOTSEC_SA_STAT_RX_TOO_OLD;
		goto drop;
	}

	if (skb_ensure_writable(skb, skb->len))
		goto drop_link;
	bodylen = skb->len - hdrlen - sa->tag_len;
	if (aiotsec_open(key, sa->suite, sa->tag_len, sa->sid, dir, ctr,
			 skb->data, hdrlen, bodylen)) {
		stat = AIOTSEC_SA_STAT_RX_BAD_MAC;
		goto drop;
	}
	if (aiotsec_replay_update(key, ctr) != AIOTSEC_REPLAY_OK) {
		stat = AIOTSEC_SA_STAT_RX_REPLAY;
		goto replay;
	}

	if (test_bit(AIOTSEC_KEY_NEXT, &key->flags))
		aiotsec_key_promote(sa, key);
	aiotsec_key_check_limits(sa, key, ctr);
	if (READ_ONCE(sa->peer) != ether_addr_to_u64(eth_hdr(skb)->h_source))
		aiotsec_sa_set_peer(sa, eth_hdr(skb)->h_source);
	aiotsec_sa_count(sa, AIOTSEC_SA_STAT_RX_OK, 1);
	aiotsec_sa_count(sa, AIOTSEC_SA_STAT_RX_BYTES, bodylen);

	if (type == AIOTSEC_FT_CONTROL) {
		if (aiotsec_notify_frame(adev, type, sa->sid, ctr,
					 skb->data + hdrlen, bodylen,
					 eth_hdr(skb)->h_source, true))
			aiotsec_link_count(adev,
					   AIOTSEC_LINK_STAT_RX_TO_DAEMON_DROPPED);
		consume_skb(skb);
		return RX_HANDLER_CONSUMED;
	}
	aiotsec_rx_deliver(adev, skb, type, sa->sid, hdrlen, bodylen);
	return RX_HANDLER_ANOTHER;

replay:
	if (__ratelimit(&adev->rl_replay))
		aiotsec_notify_event(adev, AIOTSEC_EVENT_REPLAY_ALARM, sa->sid,
				     key->phase);
drop:
	aiotsec_sa_count(sa, stat, 1);
drop_link:
	dev_core_stats_rx_dropped_inc(adev->dev);
	kfree_skb(skb);
	return RX_HANDLER_CONSUMED;
}

rx_handler_result_t aiotsec_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	struct aiotsec_dev *adev;
	struct aiotsec_sa *sa;
	unsigned int hdrlen;
	u8 b0, type;
	u32 sid;

	if (skb->protocol != htons(AIOTSEC_ETH_P) ||
	    skb->pkt_type == PACKET_OTHERHOST)
		return RX_HANDLER_PASS;

	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return RX_HANDLER_CONSUMED;
	*pskb = skb;
	adev = rcu_dereference(skb->dev->rx_handler_data);

	if (!pskb_may_pull(skb, AIOTSEC_HDR_MIN))
		goto malformed;
	b0 = skb->data[0];
	type = (b0 & AIOTSEC_HDR_TYPE_MASK) >> AIOTSEC_HDR_TYPE_SHIFT;
	/* version 0, a known type, and sent towards us */
	if ((b0 & AIOTSEC_HDR_VER_MASK) || type > AIOTSEC_FT_MAX ||
	    (b0 & AIOTSEC_HDR_DOWN) == aiotsec_tx_dir(adev))
		goto malformed;
	sid = get_unaligned_be32(skb->data + 1);

	if (type == AIOTSEC_FT_AUTH) {
		aiotsec_link_count(adev, AIOTSEC_LINK_STAT_RX_AUTH);
		aiotsec_rx_to_daemon(adev, skb, type, sid, AIOTSEC_HDR_MIN);
		consume_skb(skb);
		return RX_HANDLER_CONSUMED;
	}

	hdrlen = (b0 & AIOTSEC_HDR_C32) ? AIOTSEC_HDR_MAX : AIOTSEC_HDR_MIN;
	if (!pskb_may_pull(skb, hdrlen))
		goto malformed;
	sa = aiotsec_sa_lookup(adev, sid);
	if (!sa) {
		aiotsec_rx_unknown(adev, skb, type, sid, hdrlen);
		goto drop;
	}
	return aiotsec_rx_sa(adev, sa, skb, b0, hdrlen);

malformed:
	aiotsec_link_count(adev, AIOTSEC_LINK_STAT_RX_MALFORMED);
drop:
	dev_core_stats_rx_dropped_inc(adev->dev);
	kfree_skb(skb);
	return RX_HANDLER_CONSUMED;
}
