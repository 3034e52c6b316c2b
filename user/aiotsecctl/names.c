// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl: the names of the uapi enums.
 */
#include <stdio.h>

#include "names.h"

const char *const role_names[__AIOTSEC_ROLE_MAX] = {
	[AIOTSEC_ROLE_READER] = "reader",
	[AIOTSEC_ROLE_DEVICE] = "device",
};

const char *const suite_names[__AIOTSEC_SUITE_MAX] = {
	[AIOTSEC_SUITE_NIA2_NEA2] = "nia2-nea2",
	[AIOTSEC_SUITE_NIA2] = "nia2",
	[AIOTSEC_SUITE_AES_CCM] = "aes-ccm",
	[AIOTSEC_SUITE_AES_GCM] = "aes-gcm",
};

const char *const profile_names[__AIOTSEC_PROFILE_MAX] = {
	[AIOTSEC_PROFILE_INVENTORY] = "inventory",
	[AIOTSEC_PROFILE_COMMAND] = "command",
};

const char *const frame_type_names[__AIOTSEC_FT_MAX] = {
	[AIOTSEC_FT_AUTH] = "auth",
	[AIOTSEC_FT_INVENTORY] = "inventory",
	[AIOTSEC_FT_COMMAND] = "command",
	[AIOTSEC_FT_RESPONSE] = "response",
	[AIOTSEC_FT_CONTROL] = "control",
};

const char *const event_names[__AIOTSEC_EVENT_MAX] = {
	[AIOTSEC_EVENT_SOFT_EXPIRE] = "soft-expire",
	[AIOTSEC_EVENT_HARD_EXPIRE] = "hard-expire",
	[AIOTSEC_EVENT_UNKNOWN_SESSION] = "unknown-session",
	[AIOTSEC_EVENT_REPLAY_ALARM] = "replay-alarm",
	[AIOTSEC_EVENT_KEY_SWITCH] = "key-switch",
};

const char *const sa_stat_names[__AIOTSEC_SA_STAT_MAX] = {
	[AIOTSEC_SA_STAT_RX_OK] = "rx-ok",
	[AIOTSEC_SA_STAT_RX_BYTES] = "rx-bytes",
	[AIOTSEC_SA_STAT_RX_BAD_MAC] = "rx-bad-mac",
	[AIOTSEC_SA_STAT_RX_REPLAY] = "rx-replay",
	[AIOTSEC_SA_STAT_RX_TOO_OLD] = "rx-too-old",
	[AIOTSEC_SA_STAT_RX_NOT_ALLOWED] = "rx-not-allowed",
	[AIOTSEC_SA_STAT_RX_NO_KEY] = "rx-no-key",
	[AIOTSEC_SA_STAT_RX_EXPIRED] = "rx-expired",
	[AIOTSEC_SA_STAT_TX_OK] = "tx-ok",
	[AIOTSEC_SA_STAT_TX_BYTES] = "tx-bytes",
	[AIOTSEC_SA_STAT_TX_NOT_ALLOWED] = "tx-not-allowed",
	[AIOTSEC_SA_STAT_TX_EXPIRED] = "tx-expired",
	[AIOTSEC_SA_STAT_TX_ERROR] = "tx-error",
};

const char *const link_stat_names[__AIOTSEC_LINK_STAT_MAX] = {
	[AIOTSEC_LINK_STAT_RX_MALFORMED] = "rx-malformed",
	[AIOTSEC_LINK_STAT_RX_UNKNOWN_SESSION] = "rx-unknown-session",
	[AIOTSEC_LINK_STAT_RX_AUTH] = "rx-auth",
	[AIOTSEC_LINK_STAT_RX_TO_DAEMON_DROPPED] = "rx-to-daemon-dropped",
	[AIOTSEC_LINK_STAT_TX_NO_SA] = "tx-no-sa",
	[AIOTSEC_LINK_STAT_TX_MALFORMED] = "tx-malformed",
};

const char *name_of(const char *const *names, unsigned int n, unsigned int v)
{
	static char buf[32];

	if (v < n && names[v])
		return names[v];
	snprintf(buf, sizeof(buf), "unknown-%u", v);
	return buf;
}
