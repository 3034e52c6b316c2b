/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * aiotsec: network-side security for the 3GPP Ambient IoT air interface.
 *
 * An aiotsec link is a virtual network device stacked on a lower device
 * that carries AIoT air-interface frames.  Plaintext AIoT messages are
 * sent and received on the aiotsec device; protected frames travel on the
 * lower device with the ethertype AIOTSEC_ETH_P.  The frame formats are
 * in Documentation/networking/aiotsec.rst.
 *
 * Link attributes (IFLA_INFO_DATA of an "aiotsec" link, rtnetlink)
 * ----------------------------------------------------------------
 * IFLA_AIOTSEC_ROLE (u8, enum aiotsec_role)
 *	Which end of the air interface this link terminates.  A reader
 *	link sends reader-to-device (downlink) frames and accepts
 *	device-to-reader (uplink) frames; a device link does the reverse.
 *	Default: reader.  Fixed at creation.
 * IFLA_AIOTSEC_MAX_SAS (u32, at least 1)
 *	The most SAs the link holds at once: SA_NEW fails with -ENOSPC
 *	beyond it.  Default: 1048576.  May be changed on a live link
 *	(RTM_NEWLINK for the existing link, without NLM_F_EXCL); a limit
 *	below the current number of SAs removes none, it only stops new
 *	ones.  The role may not change.
 *
 * Generic netlink family "aiotsec" (AIOTSEC_GENL_NAME)
 * -----------------------------------------------------
 * Specified in Documentation/netlink/specs/aiotsec.yaml.  Every command
 * but LINK_GET needs CAP_NET_ADMIN in the network namespace of the link
 * (GENL_UNS_ADMIN_PERM); so does joining either multicast group.  SA_NEW
 * and SA_SET need it in the initial user namespace (GENL_ADMIN_PERM),
 * as MACsec's commands do: the crypto transforms of a key are charged to
 * no memory cgroup, and a user namespace must not pin them.  Keys
 * are write-only: no message from the kernel ever carries one.  Requests
 * are validated strictly, header included: a non-zero reserved field or
 * netlink flags other than REQUEST, ACK, ECHO and DUMP are refused
 * (-EINVAL), as are attributes of the wrong size; so are the rtnetlink
 * link attributes.  Each command has a policy of its own: an attribute
 * it does not take is refused ("Unsupported attribute", pointing at it)
 * rather than ignored, and so is IFINDEX with an IFNAME of another
 * device.  SA_NEW and SA_SET share the SA nest's policy and name what
 * the other one takes in their own messages (KEY_SWITCH, the fixed
 * SUITE, PROFILE, TAG_LEN and CTR_BITS); reply-only SA attributes fail
 * the policy.
 *
 * AIOTSEC_CMD_LINK_GET	do: AIOTSEC_A_IFINDEX or AIOTSEC_A_IFNAME selects a
 *			link; dump: every link (neither attribute); reply:
 *			IFINDEX, IFNAME, ROLE,
 *			SA_COUNT, MAX_SAS, LINK_STATS.
 * AIOTSEC_CMD_SA_NEW	add an SA: IFINDEX|IFNAME and a nested AIOTSEC_A_SA
 *			with SID, SUITE, PROFILE, KEY; optional TAG_LEN,
 *			CTR_BITS, REPLAY_WINDOW, SOFT_LIMIT, HARD_LIMIT,
 *			PEER_MAC.  The key goes into key phase 0.  -ENOSPC
 *			when the link holds IFLA_AIOTSEC_MAX_SAS SAs.
 * AIOTSEC_CMD_SA_SET	change an SA: KEY installs the next key in the other
 *			key phase, receive-only; it takes over transmission
 *			when the first frame authenticated with it arrives,
 *			or at once with the KEY_SWITCH flag.  Also SOFT_LIMIT,
 *			HARD_LIMIT, REPLAY_WINDOW (for keys installed from
 *			then on) and PEER_MAC.  A refused request changes
 *			nothing.
 * AIOTSEC_CMD_SA_DEL	remove the SA with the given SID (the SA nest of
 *			SA_DEL and SA_GET holds SID only).
 * AIOTSEC_CMD_SA_GET	do (SID given) / dump (all SAs of one link, or of
 *			every link of the namespace; a dump takes no SA
 *			nest): configuration, key
 *			slot state and AIOTSEC_SA_A_STATS.  A dump during
 *			which an SA of the namespace was added, changed or
 *			removed is marked NLM_F_DUMP_INTR (it may have
 *			missed one): take it again.
 * AIOTSEC_CMD_FRAME_SEND
 *			send one frame on the lower device of a link:
 *			AIOTSEC_A_FRAME_TYPE, AIOTSEC_A_SID, AIOTSEC_A_PAYLOAD,
 *			optional AIOTSEC_A_PEER_MAC.  AUTH frames go out
 *			unprotected; every other type is protected with the
 *			SA of that SID.  -ENETDOWN while the link or its
 *			lower device is down; the lower device's refusal
 *			(-ENOBUFS, ...) when it drops the frame, also when
 *			an asynchronous cipher sealed it (the command waits
 *			for it).  With PEER_MAC, the SA's peer becomes that
 *			address.
 * AIOTSEC_CMD_FRAME	notification on the "frames" group: a received AUTH
 *			frame, a frame for an unknown session (both
 *			unverified, rate-limited), or a CONTROL frame that
 *			verified (AIOTSEC_A_VERIFIED).
 * AIOTSEC_CMD_EVENT	notification on the "events" group: AIOTSEC_A_EVENT
 *			with IFINDEX and, where it applies, SID and KEY_PHASE.
 *
 * The command enum is append-only.
 */
#ifndef _UAPI_LINUX_AIOTSEC_H
#define _UAPI_LINUX_AIOTSEC_H

#include <linux/types.h>

/* IEEE 802 Local Experimental Ethertype 1 */
#define AIOTSEC_ETH_P		0x88B5

#define AIOTSEC_GENL_NAME	"aiotsec"
#define AIOTSEC_GENL_VERSION	1
#define AIOTSEC_MCGRP_EVENTS	"events"
#define AIOTSEC_MCGRP_FRAMES	"frames"

#define AIOTSEC_MAX_KEY_LEN	32
#define AIOTSEC_MAX_PAYLOAD	1024

enum aiotsec_role {
	AIOTSEC_ROLE_READER,
	AIOTSEC_ROLE_DEVICE,

	__AIOTSEC_ROLE_MAX,
	AIOTSEC_ROLE_MAX = __AIOTSEC_ROLE_MAX - 1
};

enum {
	IFLA_AIOTSEC_UNSPEC,
	IFLA_AIOTSEC_ROLE,
	IFLA_AIOTSEC_MAX_SAS,

	__IFLA_AIOTSEC_MAX,
	IFLA_AIOTSEC_MAX = __IFLA_AIOTSEC_MAX - 1
};

/* The frame type field of the security header (3 bits). */
enum aiotsec_frame_type {
	AIOTSEC_FT_AUTH,	/* authentication exchange, unprotected */
	AIOTSEC_FT_INVENTORY,	/* inventory, both directions */
	AIOTSEC_FT_COMMAND,	/* reader to device: Read, Write, Disable */
	AIOTSEC_FT_RESPONSE,	/* device to reader: answer to a command */
	AIOTSEC_FT_CONTROL,	/* protected control, to the daemon */

	__AIOTSEC_FT_MAX,
	AIOTSEC_FT_MAX = __AIOTSEC_FT_MAX - 1
};

enum aiotsec_suite {
	AIOTSEC_SUITE_UNSPEC,
	AIOTSEC_SUITE_NIA2_NEA2,	/* 128-NIA2 + 128-NEA2, 4-octet MAC */
	AIOTSEC_SUITE_NIA2,		/* 128-NIA2 only, no ciphering */
	AIOTSEC_SUITE_AES_CCM,		/* AES-128-CCM, tag 4, 8 or 16 */
	AIOTSEC_SUITE_AES_GCM,		/* AES-128-GCM, tag 16 */

	__AIOTSEC_SUITE_MAX,
	AIOTSEC_SUITE_MAX = __AIOTSEC_SUITE_MAX - 1
};

enum aiotsec_profile {
	AIOTSEC_PROFILE_UNSPEC,
	AIOTSEC_PROFILE_INVENTORY,	/* integrity + replay; INVENTORY, CONTROL */
	AIOTSEC_PROFILE_COMMAND,	/* + confidentiality; all protected types */

	__AIOTSEC_PROFILE_MAX,
	AIOTSEC_PROFILE_MAX = __AIOTSEC_PROFILE_MAX - 1
};

enum aiotsec_event {
	AIOTSEC_EVENT_UNSPEC,
	AIOTSEC_EVENT_SOFT_EXPIRE,	/* a key reached its soft limit: rekey */
	AIOTSEC_EVENT_HARD_EXPIRE,	/* a key reached its hard limit: stopped */
	AIOTSEC_EVENT_UNKNOWN_SESSION,	/* a frame for no SA (rate-limited) */
	AIOTSEC_EVENT_REPLAY_ALARM,	/* a frame with a counter already
					 * taken (rate-limited; unverified:
					 * the check is before any crypto)
					 */
	AIOTSEC_EVENT_KEY_SWITCH,	/* transmission moved to the next key */

	__AIOTSEC_EVENT_MAX,
	AIOTSEC_EVENT_MAX = __AIOTSEC_EVENT_MAX - 1
};

enum aiotsec_cmd {
	AIOTSEC_CMD_UNSPEC,
	AIOTSEC_CMD_LINK_GET,
	AIOTSEC_CMD_SA_NEW,
	AIOTSEC_CMD_SA_SET,
	AIOTSEC_CMD_SA_DEL,
	AIOTSEC_CMD_SA_GET,
	AIOTSEC_CMD_FRAME_SEND,
	AIOTSEC_CMD_FRAME,
	AIOTSEC_CMD_EVENT,

	__AIOTSEC_CMD_MAX,
	AIOTSEC_CMD_MAX = __AIOTSEC_CMD_MAX - 1
};

enum aiotsec_attr {
	AIOTSEC_A_UNSPEC,
	AIOTSEC_A_IFINDEX,	/* u32 */
	AIOTSEC_A_IFNAME,	/* string */
	AIOTSEC_A_ROLE,		/* u8, enum aiotsec_role */
	AIOTSEC_A_SA_COUNT,	/* u32 */
	AIOTSEC_A_LINK_STATS,	/* nest, enum aiotsec_link_stat */
	AIOTSEC_A_SA,		/* nest, enum aiotsec_sa_attr */
	AIOTSEC_A_EVENT,	/* u8, enum aiotsec_event */
	AIOTSEC_A_SID,		/* u32 */
	AIOTSEC_A_KEY_PHASE,	/* u8 */
	AIOTSEC_A_FRAME_TYPE,	/* u8, enum aiotsec_frame_type */
	AIOTSEC_A_PAYLOAD,	/* binary */
	AIOTSEC_A_PEER_MAC,	/* binary, 6 octets: lower-device address */
	AIOTSEC_A_VERIFIED,	/* flag */
	AIOTSEC_A_COUNTER,	/* u64 */
	AIOTSEC_A_PAD,
	AIOTSEC_A_MAX_SAS,	/* u32: IFLA_AIOTSEC_MAX_SAS */

	__AIOTSEC_A_MAX,
	AIOTSEC_A_MAX = __AIOTSEC_A_MAX - 1
};

enum aiotsec_sa_attr {
	AIOTSEC_SA_A_UNSPEC,
	AIOTSEC_SA_A_SID,		/* u32, selects the SA; not 0 */
	AIOTSEC_SA_A_SUITE,		/* u8, enum aiotsec_suite */
	AIOTSEC_SA_A_PROFILE,		/* u8, enum aiotsec_profile */
	AIOTSEC_SA_A_KEY,		/* binary, write-only: 16 octets, 32 for nia2-nea2 */
	AIOTSEC_SA_A_KEY_SWITCH,	/* flag: transmit with the new key now */
	AIOTSEC_SA_A_TAG_LEN,		/* u8: MAC length in octets */
	AIOTSEC_SA_A_CTR_BITS,		/* u8: counter bits on air, 16 or 32 */
	AIOTSEC_SA_A_REPLAY_WINDOW,	/* u32: frames, 32 to 8192; default 512 */
	AIOTSEC_SA_A_SOFT_LIMIT,	/* u64: frames per key before rekey */
	AIOTSEC_SA_A_HARD_LIMIT,	/* u64: frames per key, then stop */
	AIOTSEC_SA_A_PEER_MAC,		/* binary, 6 octets */
	AIOTSEC_SA_A_TX_KEY_PHASE,	/* u8, read-only */
	AIOTSEC_SA_A_KEYS,		/* nest, r/o: a nest per key slot, of
					 * type phase + 1 (enum aiotsec_key_attr)
					 */
	AIOTSEC_SA_A_STATS,		/* nest, enum aiotsec_sa_stat, r/o */
	AIOTSEC_SA_A_PAD,

	__AIOTSEC_SA_A_MAX,
	AIOTSEC_SA_A_MAX = __AIOTSEC_SA_A_MAX - 1
};

/* Read-only state of one key slot, nested in AIOTSEC_SA_A_KEYS. */
enum aiotsec_key_attr {
	AIOTSEC_KEY_A_UNSPEC,
	AIOTSEC_KEY_A_PHASE,		/* u8 */
	AIOTSEC_KEY_A_TX,		/* flag: transmits with this key */
	AIOTSEC_KEY_A_TX_COUNTER,	/* u64: next counter to send */
	AIOTSEC_KEY_A_RX_COUNTER,	/* u64: highest counter verified; absent: none */
	AIOTSEC_KEY_A_SOFT_EXPIRED,	/* flag */
	AIOTSEC_KEY_A_HARD_EXPIRED,	/* flag */
	AIOTSEC_KEY_A_PAD,

	__AIOTSEC_KEY_A_MAX,
	AIOTSEC_KEY_A_MAX = __AIOTSEC_KEY_A_MAX - 1
};

/* Per-SA counters (u64 each), nested in AIOTSEC_SA_A_STATS. */
enum aiotsec_sa_stat {
	AIOTSEC_SA_STAT_UNSPEC,
	AIOTSEC_SA_STAT_RX_OK,		/* frames verified and delivered */
	AIOTSEC_SA_STAT_RX_BYTES,	/* plaintext octets delivered */
	AIOTSEC_SA_STAT_RX_BAD_MAC,	/* integrity check failed */
	AIOTSEC_SA_STAT_RX_REPLAY,	/* counter seen before */
	AIOTSEC_SA_STAT_RX_TOO_OLD,	/* counter left of the window */
	AIOTSEC_SA_STAT_RX_NOT_ALLOWED,	/* frame type refused by profile/role */
	AIOTSEC_SA_STAT_RX_NO_KEY,	/* no key in the frame's key phase */
	AIOTSEC_SA_STAT_RX_EXPIRED,	/* counter at or past the hard limit */
	AIOTSEC_SA_STAT_TX_OK,		/* frames protected and sent */
	AIOTSEC_SA_STAT_TX_BYTES,	/* plaintext octets sent */
	AIOTSEC_SA_STAT_TX_NOT_ALLOWED,	/* frame type refused by profile/role */
	AIOTSEC_SA_STAT_TX_EXPIRED,	/* hard limit reached: not sent */
	AIOTSEC_SA_STAT_TX_ERROR,	/* crypto or memory failure, or the
					 * lower device dropped the frame
					 */
	AIOTSEC_SA_STAT_PAD,

	__AIOTSEC_SA_STAT_MAX,
	AIOTSEC_SA_STAT_MAX = __AIOTSEC_SA_STAT_MAX - 1
};

/* Per-link counters (u64 each), nested in AIOTSEC_A_LINK_STATS. */
enum aiotsec_link_stat {
	AIOTSEC_LINK_STAT_UNSPEC,
	AIOTSEC_LINK_STAT_RX_MALFORMED,	/* bad header, length, direction */
	AIOTSEC_LINK_STAT_RX_UNKNOWN_SESSION, /* no SA for the session ID */
	AIOTSEC_LINK_STAT_RX_AUTH,	/* AUTH frames passed to the daemon */
	AIOTSEC_LINK_STAT_RX_TO_DAEMON_DROPPED, /* over the rate limit, or no listener */
	AIOTSEC_LINK_STAT_TX_NO_SA,	/* plaintext frame for no SA */
	AIOTSEC_LINK_STAT_TX_MALFORMED,	/* not an AIoT address, an AUTH or
					 * CONTROL frame (the daemon's), or
					 * too long
					 */
	AIOTSEC_LINK_STAT_PAD,

	__AIOTSEC_LINK_STAT_MAX,
	AIOTSEC_LINK_STAT_MAX = __AIOTSEC_LINK_STAT_MAX - 1
};

#endif /* _UAPI_LINUX_AIOTSEC_H */
