// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl: the names of the attributes aiotsecctl sends, to name the
 * one a kernel error points at.  Generic netlink names follow the
 * kernel's messages ("SA.KEY"); rtnetlink names drop the IFLA_ prefix.
 */
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/aiotsec.h>

#include "nl.h"

#define SPACE(a)	{ .attrs = (a), .n = sizeof(a) / sizeof((a)[0]) }

static const struct nl_attr_desc sa_attrs[] = {
	[AIOTSEC_SA_A_SID] = { "SID" },
	[AIOTSEC_SA_A_SUITE] = { "SUITE" },
	[AIOTSEC_SA_A_PROFILE] = { "PROFILE" },
	[AIOTSEC_SA_A_KEY] = { "KEY" },
	[AIOTSEC_SA_A_KEY_SWITCH] = { "KEY_SWITCH" },
	[AIOTSEC_SA_A_TAG_LEN] = { "TAG_LEN" },
	[AIOTSEC_SA_A_CTR_BITS] = { "CTR_BITS" },
	[AIOTSEC_SA_A_REPLAY_WINDOW] = { "REPLAY_WINDOW" },
	[AIOTSEC_SA_A_SOFT_LIMIT] = { "SOFT_LIMIT" },
	[AIOTSEC_SA_A_HARD_LIMIT] = { "HARD_LIMIT" },
	[AIOTSEC_SA_A_PEER_MAC] = { "PEER_MAC" },
	[AIOTSEC_SA_A_TX_KEY_PHASE] = { "TX_KEY_PHASE" },
	[AIOTSEC_SA_A_KEYS] = { "KEYS" },
	[AIOTSEC_SA_A_STATS] = { "STATS" },
	[AIOTSEC_SA_A_PAD] = { "PAD" },
};

static const struct nl_attr_space sa_space = SPACE(sa_attrs);

static const struct nl_attr_desc genl_attrs[] = {
	[AIOTSEC_A_IFINDEX] = { "IFINDEX" },
	[AIOTSEC_A_IFNAME] = { "IFNAME" },
	[AIOTSEC_A_ROLE] = { "ROLE" },
	[AIOTSEC_A_SA_COUNT] = { "SA_COUNT" },
	[AIOTSEC_A_LINK_STATS] = { "LINK_STATS" },
	[AIOTSEC_A_SA] = { "SA", &sa_space },
	[AIOTSEC_A_EVENT] = { "EVENT" },
	[AIOTSEC_A_SID] = { "SID" },
	[AIOTSEC_A_KEY_PHASE] = { "KEY_PHASE" },
	[AIOTSEC_A_FRAME_TYPE] = { "FRAME_TYPE" },
	[AIOTSEC_A_PAYLOAD] = { "PAYLOAD" },
	[AIOTSEC_A_PEER_MAC] = { "PEER_MAC" },
	[AIOTSEC_A_VERIFIED] = { "VERIFIED" },
	[AIOTSEC_A_COUNTER] = { "COUNTER" },
	[AIOTSEC_A_PAD] = { "PAD" },
};

const struct nl_attr_space aiotsec_genl_space = SPACE(genl_attrs);

static const struct nl_attr_desc aiotsec_data_attrs[] = {
	[IFLA_AIOTSEC_ROLE] = { "ROLE" },
	[IFLA_AIOTSEC_MAX_SAS] = { "MAX_SAS" },
};

static const struct nl_attr_space aiotsec_data_space =
	SPACE(aiotsec_data_attrs);

static const struct nl_attr_desc linkinfo_attrs[] = {
	[IFLA_INFO_KIND] = { "KIND" },
	[IFLA_INFO_DATA] = { "DATA", &aiotsec_data_space },
};

static const struct nl_attr_space linkinfo_space = SPACE(linkinfo_attrs);

static const struct nl_attr_desc rtnl_attrs[] = {
	[IFLA_ADDRESS] = { "ADDRESS" },
	[IFLA_IFNAME] = { "IFNAME" },
	[IFLA_MTU] = { "MTU" },
	[IFLA_LINK] = { "LINK" },
	[IFLA_LINKINFO] = { "LINKINFO", &linkinfo_space },
};

const struct nl_attr_space aiotsec_rtnl_space = SPACE(rtnl_attrs);
