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
#include <linux/if_vlan.h>
#include <linux/skbuff.h>
#include <asm/unaligned.h>

#include "aiotsec.h"

/*
 * Pass the @len octets after the header of an unverified frame to the
 * daemon, within the rate limit @rl; the limit and the listener check
 * come first so that a flood costs no copy.  @skb may be shared: it is
 * only read.
 */
static void aiotsec_rx_to_daemon(struct aiotsec_dev *adev, struct sk_buff *skb,
				 struct ratelimit_state *rl, u8 type, u32 sid,
				 unsigned int hdrlen, unsigned int len)
{
	const u8 *payload;
	u8 *copy = NULL;
	int err = -ENOMEM;

	if (!aiotsec_daemon_listens(adev) || !__ratelimit(rl))
		goto dropped;
	if (skb_headlen(skb) >= hdrlen + len) {
		payload = skb->data + hdrlen;
	} else {
		copy = kmalloc(len, GFP_ATOMIC);
		if (!copy || skb_copy_bits(skb, hdrlen, copy, len))
			goto dropped;
		payload = copy;
	}
	err = aiotsec_notify_frame(adev, type, sid, 0, payload, len,
				   eth_hdr(skb)->h_source, false);
dropped:
	kfree(copy);
	if (err)
		aiotsec_link_count(adev, AIOTSEC_LINK_STAT_RX_TO_DAEMON_DROPPED);
}

static void aiotsec_rx_unknown(struct aiotsec_dev *adev, struct sk_buff *skb,
			       u8 type, u32 sid, unsigned int hdrlen)
{
	/* the tag's length is the SA's: all that follows the header */
	aiotsec_link_count(adev, AIOTSEC_LINK_STAT_RX_UNKNOWN_SESSION);
	/* nobody listening: not even the rate limiter's lock */
	if (aiotsec_events_listened(adev) && __ratelimit(&adev->rl_unknown))
		aiotsec_notify_event(adev, AIOTSEC_EVENT_UNKNOWN_SESSION, sid,
				     -1);
	aiotsec_rx_to_daemon(adev, skb, &adev->rl_unknown_frames, type, sid,
			     hdrlen, skb->len - hdrlen);
}

/* Turn the verified frame into a plaintext one on the aiotsec device. */
static void aiotsec_rx_deliver(struct net_device *dev, struct sk_buff *skb,
			       u8 type, u32 sid, unsigned int hdrlen,
			       unsigned int bodylen)
{
	struct ethhdr *eth;
	bool xnet = !net_eq(dev_net(skb->dev), dev_net(dev));

	/* linear, with the lower's Ethernet header still before the data */
	DEBUG_NET_WARN_ON_ONCE(skb_headroom(skb) < ETH_HLEN);
	__skb_trim(skb, hdrlen + bodylen);
	__skb_pull(skb, hdrlen);
	eth = __skb_push(skb, ETH_HLEN);
	ether_addr_copy(eth->h_dest, dev->dev_addr);
	eth->h_source[0] = AIOTSEC_ADDR_PREFIX;
	eth->h_source[1] = type;
	put_unaligned_be32(sid, eth->h_source + 2);
	eth->h_proto = htons(AIOTSEC_ETH_P);

	skb_scrub_packet(skb, xnet);
	/* one frame, whatever the lower device's skb said it carried */
	skb_gso_reset(skb);
	skb->ip_summed = CHECKSUM_NONE;
	skb->protocol = eth_type_trans(skb, dev);
	/* another round of the receive path does not reset them */
	skb_reset_network_header(skb);
	skb_reset_transport_header(skb);
	skb_reset_mac_len(skb);
	dev_sw_netstats_rx_add(dev, bodylen);
}

/*
 * The frame is verified and deciphered, or not (@err): replay window,
 * counters, key promotion, then delivery.  Returns true when c->skb is
 * ready to be delivered on the aiotsec device; otherwise it was consumed.
 */
static bool aiotsec_rx_finish(struct aiotsec_crypt *c, int err)
{
	struct aiotsec_key *key = c->key;
	struct aiotsec_sa *sa = key->sa;
	struct aiotsec_dev *adev = netdev_priv(c->dev);
	struct sk_buff *skb = c->skb;
	u8 *src = eth_hdr(skb)->h_source;
	enum aiotsec_replay fresh;
	int stat;

	if (unlikely(err)) {
		if (err != -EBADMSG)
			goto drop_link;	/* no memory, crypto queue full */
		stat = AIOTSEC_SA_STAT_RX_BAD_MAC;
		goto drop;
	}
	/* deleted while the frame was open: its keys are gone */
	if (unlikely(READ_ONCE(sa->removed))) {
		stat = AIOTSEC_SA_STAT_RX_NO_KEY;
		goto drop;
	}
	fresh = aiotsec_replay_update(key, c->counter);
	switch (fresh) {
	case AIOTSEC_REPLAY_OK:
	case AIOTSEC_REPLAY_TOP:
		break;
	case AIOTSEC_REPLAY_DUP:
		/* a copy of the frame got in first, while this one was open */
		stat = AIOTSEC_SA_STAT_RX_REPLAY;
		if (aiotsec_events_listened(adev) &&
		    __ratelimit(&adev->rl_replay))
			aiotsec_notify_event(adev, AIOTSEC_EVENT_REPLAY_ALARM,
					     sa->sid, key->phase);
		goto drop;
	case AIOTSEC_REPLAY_OLD:
		/* later frames moved the window past it meanwhile: no replay */
		stat = AIOTSEC_SA_STAT_RX_TOO_OLD;
		goto drop;
	}

	if (test_bit(AIOTSEC_KEY_NEXT, &key->flags))
		aiotsec_key_promote(sa, key);
	aiotsec_key_check_limits(sa, key, c->counter);
	/*
	 * The peer moves with the newest frame of the key that transmits
	 * only: an older frame within the window, which anybody who saw it
	 * on the air may send again from elsewhere, and a late frame of the
	 * previous key verify too, but must not divert the SA's frames.
	 */
	if (fresh == AIOTSEC_REPLAY_TOP &&
	    rcu_access_pointer(sa->keys[READ_ONCE(sa->tx_phase)]) == key &&
	    atomic64_read(&sa->peer) != ether_addr_to_u64(src))
		aiotsec_sa_set_peer(sa, src);
	aiotsec_sa_count(sa, AIOTSEC_SA_STAT_RX_OK, 1);
	aiotsec_sa_count(sa, AIOTSEC_SA_STAT_RX_BYTES, c->bodylen);

	if (c->type == AIOTSEC_FT_CONTROL) {
		if (aiotsec_notify_frame(adev, c->type, sa->sid, c->counter,
					 c->frame + c->hdrlen, c->bodylen, src,
					 true))
			aiotsec_link_count(adev,
					   AIOTSEC_LINK_STAT_RX_TO_DAEMON_DROPPED);
		consume_skb(skb);
		return false;
	}
	aiotsec_rx_deliver(c->dev, skb, c->type, sa->sid, c->hdrlen,
			   c->bodylen);
	return true;

drop:
	aiotsec_sa_count(sa, stat, 1);
drop_link:
	dev_core_stats_rx_dropped_inc(c->dev);
	kfree_skb(skb);
	return false;
}

static void aiotsec_rx_release(struct aiotsec_crypt *c)
{
	aiotsec_key_put(c->key);
	netdev_put(c->dev, &c->dev_tracker);
	aiotsec_crypt_free(c);
}

/*
 * Completion of a frame opened asynchronously.  The crypto API does not
 * promise the context: bottom halves go off for the receive path's locks
 * and per-CPU counters.  The device reference goes last, once nothing
 * (netif_rx() included) touches the device any more.
 */
static void aiotsec_rx_done(struct aiotsec_crypt *c, int err)
{
	netdevice_tracker tracker = c->dev_tracker;
	struct net_device *dev = c->dev;
	struct sk_buff *skb = c->skb;
	bool deliver;

	local_bh_disable();
	rcu_read_lock();
	deliver = aiotsec_rx_finish(c, err);
	aiotsec_key_put(c->key);
	aiotsec_crypt_free(c);
	if (deliver)
		netif_rx(skb);
	rcu_read_unlock();
	local_bh_enable();
	netdev_put(dev, &tracker);
}

/*
 * A private, linear, writable copy of a frame that is shared or cloned
 * (pktgen, taps): its link-layer header and data, one allocation and one
 * copy.  The copy lives in a page fragment: unlike a kmalloc()ed head it
 * is not cleared when allocated (init_on_alloc), and every octet of it
 * is written before it is read.  Bottom halves are disabled here, as the
 * per-CPU fragment and skb caches require.  Frames larger than a page,
 * and the rare fragment from the emergency reserves (which only frames
 * already in them may use), take a plain copy instead.
 */
static struct sk_buff *aiotsec_rx_copy(struct sk_buff *skb)
{
	int maclen = skb_mac_header_was_set(skb) ? -skb_mac_offset(skb) : 0;
	unsigned int len = maclen + skb->len;
	unsigned int size = SKB_DATA_ALIGN(NET_SKB_PAD + len) +
			    SKB_DATA_ALIGN(sizeof(struct skb_shared_info));
	struct sk_buff *nskb;
	void *data;

	/* the source address is read from the Ethernet header */
	if (unlikely(maclen < ETH_HLEN))
		return NULL;
	if (size > PAGE_SIZE)
		goto plain;
	DEBUG_NET_WARN_ON_ONCE(!in_softirq());
	data = napi_alloc_frag(size);
	if (!data)
		return NULL;
	nskb = napi_build_skb(data, size);
	if (!nskb) {
		skb_free_frag(data);
		return NULL;
	}
	if (unlikely(skb_pfmemalloc(nskb))) {
		kfree_skb(nskb);
		goto plain;
	}
	skb_reserve(nskb, NET_SKB_PAD + maclen);
	if (skb_copy_bits(skb, -maclen, nskb->data - maclen, len)) {
		kfree_skb(nskb);
		return NULL;
	}
	skb_put(nskb, skb->len);
	skb_copy_header(nskb, skb);
	skb_headers_offset_update(nskb, skb_headroom(nskb) - skb_headroom(skb));
	nskb->mac_len = skb->mac_len;
	return nskb;

plain:
	return skb_copy_expand(skb, NET_SKB_PAD + maclen, 0, GFP_ATOMIC);
}

static struct sk_buff *aiotsec_rx_unshare(struct sk_buff *skb)
{
	struct sk_buff *nskb;

	if (!skb_shared(skb) && !skb_cloned(skb))
		return skb_linearize(skb) ? NULL : skb;
	nskb = aiotsec_rx_copy(skb);
	if (nskb)
		consume_skb(skb);
	return nskb;
}

/*
 * A frame of @sa.  @hdrlen counts the body length octet of the short
 * form, whose body length @short_len is (else -1: the body is what the
 * tag leaves).
 */
static rx_handler_result_t aiotsec_rx_sa(struct aiotsec_dev *adev,
					 struct aiotsec_sa *sa,
					 struct sk_buff **pskb, const u8 *hdr,
					 unsigned int hdrlen, int short_len)
{
	struct sk_buff *skb = *pskb, *nskb;
	u8 b0 = hdr[0];
	u8 type = (b0 & AIOTSEC_HDR_TYPE_MASK) >> AIOTSEC_HDR_TYPE_SHIFT;
	u8 peer_role = adev->role == AIOTSEC_ROLE_READER ?
		       AIOTSEC_ROLE_DEVICE : AIOTSEC_ROLE_READER;
	bool short_form = short_len >= 0;
	struct aiotsec_crypt *c;
	struct aiotsec_key *key;
	bool deliver;
	int stat, err;
	u64 ctr;
	u32 low;

	if (hdrlen != aiotsec_hdr_len(sa->ctr_bits) + short_form ||
	    skb->len < hdrlen + (short_form ? short_len : 0) + sa->tag_len ||
	    skb->len > hdrlen + AIOTSEC_MAX_PAYLOAD + sa->tag_len) {
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
	low = sa->ctr_bits == 32 ? get_unaligned_be32(hdr + 5) :
				   get_unaligned_be16(hdr + 5);
	ctr = aiotsec_counter_recover(atomic64_read(&key->rx_next), low,
				      sa->ctr_bits);
	/*
	 * Only counted: the counter is not verified, and an expiry event
	 * (which ends the SA) is raised by verified counters alone.
	 */
	if (ctr >= key->hard_limit) {
		stat = AIOTSEC_SA_STAT_RX_EXPIRED;
		goto drop;
	}
	switch (aiotsec_replay_check(key, ctr)) {
	case AIOTSEC_REPLAY_OK:
	case AIOTSEC_REPLAY_TOP:
		break;
	case AIOTSEC_REPLAY_DUP:
		stat = AIOTSEC_SA_STAT_RX_REPLAY;
		if (aiotsec_events_listened(adev) &&
		    __ratelimit(&adev->rl_replay))
			aiotsec_notify_event(adev, AIOTSEC_EVENT_REPLAY_ALARM,
					     sa->sid, key->phase);
		goto drop;
	case AIOTSEC_REPLAY_OLD:
		stat = AIOTSEC_SA_STAT_RX_TOO_OLD;
		goto drop;
	}

	c = aiotsec_crypt_alloc(GFP_ATOMIC);
	if (!c)
		goto drop_link;
	nskb = aiotsec_rx_unshare(skb);
	if (!nskb) {
		aiotsec_crypt_free(c);
		goto drop_link;
	}
	skb = nskb;

	refcount_inc(&key->refs);
	netdev_hold(adev->dev, &c->dev_tracker, GFP_ATOMIC);
	c->key = key;
	c->frame = skb->data;
	c->hdrlen = hdrlen;
	/* in the short form, what follows the tag is the lower's padding */
	c->bodylen = short_form ? short_len : skb->len - hdrlen - sa->tag_len;
	c->counter = ctr;
	c->sid = sa->sid;
	c->suite = sa->suite;
	c->tag_len = sa->tag_len;
	c->dir = b0 & AIOTSEC_HDR_DOWN;
	c->type = type;
	c->done = aiotsec_rx_done;
	c->skb = skb;
	c->dev = adev->dev;
	err = aiotsec_crypt_run(c, false);
	if (err == -EINPROGRESS)
		return RX_HANDLER_CONSUMED;
	deliver = aiotsec_rx_finish(c, err);
	aiotsec_rx_release(c);
	if (!deliver)
		return RX_HANDLER_CONSUMED;
	*pskb = skb;
	return RX_HANDLER_ANOTHER;

drop:
	aiotsec_sa_count(sa, stat, 1);
drop_link:
	dev_core_stats_rx_dropped_inc(adev->dev);
	kfree_skb(skb);
	return RX_HANDLER_CONSUMED;
}

/*
 * The receive handler.  The skb may be shared (pktgen, a tap): nothing
 * is written to it, and nothing is copied, until the frame has passed
 * every check that costs no cryptography; a frame for an unknown
 * session costs a header read, a lookup and counters.
 */
rx_handler_result_t aiotsec_handle_frame(struct sk_buff **pskb)
{
	struct sk_buff *skb = *pskb;
	u8 buf[AIOTSEC_HDR_ROOM];
	struct aiotsec_dev *adev;
	struct aiotsec_sa *sa;
	unsigned int hdrlen;
	int short_len = -1;
	const u8 *hdr;
	u8 b0, type, ver;
	u32 sid;

	/*
	 * a VLAN's frames (the tag stripped on receipt) are the VLAN's; a
	 * priority tag (VLAN 0) is the link's
	 */
	if (skb->protocol != htons(AIOTSEC_ETH_P) ||
	    skb->pkt_type == PACKET_OTHERHOST ||
	    (skb_vlan_tag_present(skb) && skb_vlan_tag_get_id(skb)))
		return RX_HANDLER_PASS;
	adev = rcu_dereference(skb->dev->rx_handler_data);
	/* a link that is down takes nothing: the lower device drops it */
	if (unlikely(!netif_running(adev->dev)))
		return RX_HANDLER_PASS;

	hdr = skb_header_pointer(skb, 0, AIOTSEC_HDR_MIN, buf);
	if (!hdr)
		goto malformed;
	b0 = hdr[0];
	ver = b0 & AIOTSEC_HDR_VER_MASK;
	type = (b0 & AIOTSEC_HDR_TYPE_MASK) >> AIOTSEC_HDR_TYPE_SHIFT;
	/* version 0 or 1 (the short form), a known type, sent towards us */
	if (ver > AIOTSEC_HDR_V_SHORT || type > AIOTSEC_FT_MAX ||
	    (b0 & AIOTSEC_HDR_DOWN) == aiotsec_tx_dir(adev))
		goto malformed;
	sid = get_unaligned_be32(hdr + 1);

	/* AUTH frames have a 16-bit counter field whatever C says */
	hdrlen = type != AIOTSEC_FT_AUTH && (b0 & AIOTSEC_HDR_C32) ?
		 AIOTSEC_HDR_MAX : AIOTSEC_HDR_MIN;
	if (ver)
		hdrlen++;
	if (hdrlen > AIOTSEC_HDR_MIN) {
		hdr = skb_header_pointer(skb, 0, hdrlen, buf);
		if (!hdr)
			goto malformed;
	}
	if (ver)
		short_len = hdr[hdrlen - 1];
	/* no sender makes a longer frame: none is copied or verified */
	if (skb->len > hdrlen + AIOTSEC_MAX_PAYLOAD +
		       (type == AIOTSEC_FT_AUTH ? 0 : AIOTSEC_TAG_MAX))
		goto malformed;

	if (type == AIOTSEC_FT_AUTH) {
		if (skb->len < hdrlen + (ver ? short_len : 0))
			goto malformed;
		aiotsec_link_count(adev, AIOTSEC_LINK_STAT_RX_AUTH);
		aiotsec_rx_to_daemon(adev, skb, &adev->rl_auth, type, sid,
				     hdrlen, ver ? short_len : skb->len - hdrlen);
		consume_skb(skb);
		return RX_HANDLER_CONSUMED;
	}

	sa = aiotsec_sa_lookup(adev, sid);
	if (!sa) {
		aiotsec_rx_unknown(adev, skb, type, sid, hdrlen);
		goto drop;
	}
	return aiotsec_rx_sa(adev, sa, pskb, hdr, hdrlen, short_len);

malformed:
	aiotsec_link_count(adev, AIOTSEC_LINK_STAT_RX_MALFORMED);
drop:
	dev_core_stats_rx_dropped_inc(adev->dev);
	kfree_skb(skb);
	return RX_HANDLER_CONSUMED;
}
