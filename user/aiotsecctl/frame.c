// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl frame: send one frame on the lower device of a link.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <linux/aiotsec.h>

#include "aiotsecctl.h"
#include "names.h"
#include "nl.h"
#include "util.h"

static void frame_usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG_NAME " frame send dev NAME type TYPE sid SID payload HEX\n"
		"                  [peer-mac MAC]\n"
		"TYPE := { auth | inventory | command | response | control }\n");
}

static int frame_send(int argc, char **argv)
{
	static const char ctx[] = "frame send";
	const char *dev = NULL, *type_s = NULL, *sid_s = NULL, *hex = NULL,
		   *peer = NULL;
	const struct kw_arg kws[] = {
		{ "dev", &dev, NULL },
		{ "type", &type_s, NULL },
		{ "sid", &sid_s, NULL },
		{ "payload", &hex, NULL },
		{ "peer-mac", &peer, NULL },
		{ NULL },
	};
	static uint8_t payload[AIOTSEC_MAX_PAYLOAD];
	uint8_t type, mac[MAC_LEN];
	struct nlmsghdr *nlh;
	struct nl nl;
	uint32_t sid;
	int err, len;

	err = parse_kw_args(ctx, argc, argv, kws) ?:
	      arg_require(ctx, "dev", dev) ?:
	      arg_require(ctx, "type", type_s) ?:
	      arg_require(ctx, "sid", sid_s) ?:
	      arg_require(ctx, "payload", hex) ?:
	      arg_enum(ctx, "type", type_s, frame_type_names,
		       NAMES_N(frame_type_names), &type) ?:
	      arg_u32(ctx, "sid", sid_s, &sid) ?:
	      (peer ? arg_mac(ctx, "peer-mac", peer, mac) : 0);
	if (err)
		return err;
	if (!*dev || strlen(dev) >= IFNAMSIZ)
		return usage_error(ctx, "\"%s\" is not a valid interface name",
				   dev);
	len = parse_hex(hex, payload, sizeof(payload));
	if (len == -ERANGE)
		return usage_error(ctx, "payload longer than %d octets",
				   AIOTSEC_MAX_PAYLOAD);
	if (len < 0)
		return usage_error(ctx, "payload \"%s\" is not hex (an even number of hex digits)",
				   hex);

	err = nl_genl_open(&nl);
	if (err)
		return err;
	nlh = nl_genl_req(&nl, AIOTSEC_CMD_FRAME_SEND, 0);
	mnl_attr_put_strz(nlh, AIOTSEC_A_IFNAME, dev);
	mnl_attr_put_u8(nlh, AIOTSEC_A_FRAME_TYPE, type);
	mnl_attr_put_u32(nlh, AIOTSEC_A_SID, sid);
	mnl_attr_put(nlh, AIOTSEC_A_PAYLOAD, len, payload);
	if (peer)
		mnl_attr_put(nlh, AIOTSEC_A_PEER_MAC, MAC_LEN, mac);
	err = nl_talk(&nl, nlh, NULL, NULL);
	nl_close(&nl);
	return err ? EXIT_FAIL : EXIT_OK;
}

static const struct subcmd frame_cmds[] = {
	{ "send", frame_send },
	{ NULL, NULL },
};

const struct object frame_object = {
	.name = "frame",
	.cmds = frame_cmds,
	.usage = frame_usage,
};
