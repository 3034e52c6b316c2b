// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl sa: add, change, delete and show security associations.
 * Keys come from files only and are wiped once sent; the kernel never
 * sends them back.
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/aiotsec.h>

#include "aiotsecctl.h"
#include "json.h"
#include "key.h"
#include "names.h"
#include "nl.h"
#include "util.h"

static void sa_usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG_NAME " sa add dev NAME sid SID suite SUITE profile PROFILE\n"
		"                  key-file { FILE | - } [tag-len N] [ctr-bits { 16 | 32 }]\n"
		"                  [replay-window N] [soft-limit N] [hard-limit N]\n"
		"                  [peer-mac MAC]\n"
		"       " PROG_NAME " sa set dev NAME sid SID [key-file { FILE | - } [switch]]\n"
		"                  [soft-limit N] [hard-limit N] [replay-window N]\n"
		"                  [peer-mac MAC]\n"
		"       " PROG_NAME " sa del dev NAME sid SID\n"
		"       " PROG_NAME " [-s] [-j] sa show [dev NAME] [sid SID]\n"
		"SUITE := { nia2-nea2 | nia2 | aes-ccm | aes-gcm }\n"
		"PROFILE := { inventory | command }\n"
		"SID := a 32-bit number, decimal or 0x hex\n");
}

/* The options of sa add and sa set, as given on the command line. */
struct sa_args {
	const char *dev, *sid, *suite, *profile, *key_file, *tag_len,
		   *ctr_bits, *window, *soft, *hard, *peer;
	bool key_switch;
	/* parsed */
	uint32_t window_v;
	uint64_t soft_v, hard_v;
	uint8_t mac[MAC_LEN];
};

/* A SID of an SA: 0 is none (the kernel's policy says so too). */
static int arg_sid(const char *ctx, const char *s, uint32_t *sid)
{
	int err = arg_u32(ctx, "sid", s, sid);

	if (!err && !*sid)
		return usage_error(ctx, "sid 0 is no session (1 to %u)",
				   UINT32_MAX);
	return err;
}

/*
 * Parse the options common to add and set: all of them before netlink,
 * so that a usage error is one (exit status 2), module or not.
 */
static int sa_parse_common(const char *ctx, struct sa_args *a)
{
	return (a->window ? arg_u32(ctx, "replay-window", a->window,
				    &a->window_v) : 0) ?:
	       (a->soft ? arg_u64(ctx, "soft-limit", a->soft, UINT64_MAX,
				  &a->soft_v) : 0) ?:
	       (a->hard ? arg_u64(ctx, "hard-limit", a->hard, UINT64_MAX,
				  &a->hard_v) : 0) ?:
	       (a->peer ? arg_mac(ctx, "peer-mac", a->peer, a->mac) : 0);
}

/* Put the optional attributes common to add and set into the SA nest. */
static void sa_put_common(struct nlmsghdr *nlh, const struct sa_args *a)
{
	if (a->window)
		mnl_attr_put_u32(nlh, AIOTSEC_SA_A_REPLAY_WINDOW, a->window_v);
	if (a->soft)
		mnl_attr_put_u64(nlh, AIOTSEC_SA_A_SOFT_LIMIT, a->soft_v);
	if (a->hard)
		mnl_attr_put_u64(nlh, AIOTSEC_SA_A_HARD_LIMIT, a->hard_v);
	if (a->peer)
		mnl_attr_put(nlh, AIOTSEC_SA_A_PEER_MAC, MAC_LEN, a->mac);
}

static int sa_check_dev(const char *ctx, const char *dev)
{
	if (!*dev || strlen(dev) >= IFNAMSIZ)
		return usage_error(ctx, "\"%s\" is not a valid interface name",
				   dev);
	return 0;
}

/* Send @nlh, then wipe the key it may hold; an exit status. */
static int sa_send(struct nl *nl, struct nlmsghdr *nlh)
{
	int err = nl_talk(nl, nlh, NULL, NULL);

	nl_close(nl);
	return err ? EXIT_FAIL : EXIT_OK;
}

static int sa_add(int argc, char **argv)
{
	static const char ctx[] = "sa add";
	static const uint8_t tag_lens[] = { 4, 8, 16 };
	static const uint8_t ctr_bits_set[] = { 16, 32 };
	struct sa_args a = {};
	const struct kw_arg kws[] = {
		{ "dev", &a.dev, NULL },
		{ "sid", &a.sid, NULL },
		{ "suite", &a.suite, NULL },
		{ "profile", &a.profile, NULL },
		{ "key-file", &a.key_file, NULL },
		{ "tag-len", &a.tag_len, NULL },
		{ "ctr-bits", &a.ctr_bits, NULL },
		{ "replay-window", &a.window, NULL },
		{ "soft-limit", &a.soft, NULL },
		{ "hard-limit", &a.hard, NULL },
		{ "peer-mac", &a.peer, NULL },
		{ NULL },
	};
	uint8_t suite, profile, tag_len = 0, ctr_bits = 0;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct key key;
	struct nl nl;
	uint32_t sid;
	int err;

	err = parse_kw_args(ctx, argc, argv, kws) ?:
	      arg_require(ctx, "dev", a.dev) ?:
	      arg_require(ctx, "sid", a.sid) ?:
	      arg_require(ctx, "suite", a.suite) ?:
	      arg_require(ctx, "profile", a.profile) ?:
	      arg_require(ctx, "key-file", a.key_file) ?:
	      sa_check_dev(ctx, a.dev) ?:
	      arg_sid(ctx, a.sid, &sid) ?:
	      arg_enum(ctx, "suite", a.suite, suite_names,
		       NAMES_N(suite_names), &suite) ?:
	      arg_enum(ctx, "profile", a.profile, profile_names,
		       NAMES_N(profile_names), &profile) ?:
	      (a.tag_len ? arg_u8_in(ctx, "tag-len", a.tag_len, tag_lens,
				     sizeof(tag_lens), "4, 8 or 16",
				     &tag_len) : 0) ?:
	      (a.ctr_bits ? arg_u8_in(ctx, "ctr-bits", a.ctr_bits, ctr_bits_set,
				      sizeof(ctr_bits_set), "16 or 32",
				      &ctr_bits) : 0) ?:
	      sa_parse_common(ctx, &a);
	if (err)
		return err;

	err = nl_genl_open(&nl);
	if (err)
		return err;
	nlh = nl_genl_req(&nl, AIOTSEC_CMD_SA_NEW, 0);
	mnl_attr_put_strz(nlh, AIOTSEC_A_IFNAME, a.dev);
	nest = mnl_attr_nest_start(nlh, AIOTSEC_A_SA);
	mnl_attr_put_u32(nlh, AIOTSEC_SA_A_SID, sid);
	mnl_attr_put_u8(nlh, AIOTSEC_SA_A_SUITE, suite);
	mnl_attr_put_u8(nlh, AIOTSEC_SA_A_PROFILE, profile);
	if (a.tag_len)
		mnl_attr_put_u8(nlh, AIOTSEC_SA_A_TAG_LEN, tag_len);
	if (a.ctr_bits)
		mnl_attr_put_u8(nlh, AIOTSEC_SA_A_CTR_BITS, ctr_bits);
	sa_put_common(nlh, &a);

	/* the key last: nothing can fail between reading and sending it */
	err = key_read(a.key_file, &key) ?:
	      key_check_len(a.key_file, &key, suite);
	if (err) {
		key_wipe(&key);
		goto err_close;
	}
	mnl_attr_put(nlh, AIOTSEC_SA_A_KEY, key.len, key.octets);
	key_wipe(&key);
	mnl_attr_nest_end(nlh, nest);
	return sa_send(&nl, nlh);

err_close:
	nl_close(&nl);
	return err;
}

static int sa_set(int argc, char **argv)
{
	static const char ctx[] = "sa set";
	struct sa_args a = {};
	const struct kw_arg kws[] = {
		{ "dev", &a.dev, NULL },
		{ "sid", &a.sid, NULL },
		{ "key-file", &a.key_file, NULL },
		{ "switch", NULL, &a.key_switch },
		{ "replay-window", &a.window, NULL },
		{ "soft-limit", &a.soft, NULL },
		{ "hard-limit", &a.hard, NULL },
		{ "peer-mac", &a.peer, NULL },
		{ NULL },
	};
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct key key;
	struct nl nl;
	uint32_t sid;
	int err;

	err = parse_kw_args(ctx, argc, argv, kws) ?:
	      arg_require(ctx, "dev", a.dev) ?:
	      arg_require(ctx, "sid", a.sid) ?:
	      sa_check_dev(ctx, a.dev) ?:
	      arg_sid(ctx, a.sid, &sid) ?:
	      sa_parse_common(ctx, &a);
	if (err)
		return err;
	if (a.key_switch && !a.key_file)
		return usage_error(ctx, "\"switch\" needs \"key-file\"");
	if (!a.key_file && !a.window && !a.soft && !a.hard && !a.peer)
		return usage_error(ctx, "nothing to change (key-file, replay-window, soft-limit, hard-limit or peer-mac)");

	err = nl_genl_open(&nl);
	if (err)
		return err;
	nlh = nl_genl_req(&nl, AIOTSEC_CMD_SA_SET, 0);
	mnl_attr_put_strz(nlh, AIOTSEC_A_IFNAME, a.dev);
	nest = mnl_attr_nest_start(nlh, AIOTSEC_A_SA);
	mnl_attr_put_u32(nlh, AIOTSEC_SA_A_SID, sid);
	sa_put_common(nlh, &a);
	if (a.key_file) {
		/* the kernel checks the length against the SA's suite */
		err = key_read(a.key_file, &key);
		if (err)
			goto err_close;
		mnl_attr_put(nlh, AIOTSEC_SA_A_KEY, key.len, key.octets);
		key_wipe(&key);
		if (a.key_switch)
			mnl_attr_put(nlh, AIOTSEC_SA_A_KEY_SWITCH, 0, NULL);
	}
	mnl_attr_nest_end(nlh, nest);
	return sa_send(&nl, nlh);

err_close:
	nl_close(&nl);
	return err;
}

static int sa_del(int argc, char **argv)
{
	static const char ctx[] = "sa del";
	const char *dev = NULL, *sid_s = NULL;
	const struct kw_arg kws[] = {
		{ "dev", &dev, NULL },
		{ "sid", &sid_s, NULL },
		{ NULL },
	};
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct nl nl;
	uint32_t sid;
	int err;

	err = parse_kw_args(ctx, argc, argv, kws) ?:
	      arg_require(ctx, "dev", dev) ?:
	      arg_require(ctx, "sid", sid_s) ?:
	      sa_check_dev(ctx, dev) ?:
	      arg_sid(ctx, sid_s, &sid);
	if (err)
		return err;
	err = nl_genl_open(&nl);
	if (err)
		return err;
	nlh = nl_genl_req(&nl, AIOTSEC_CMD_SA_DEL, 0);
	mnl_attr_put_strz(nlh, AIOTSEC_A_IFNAME, dev);
	nest = mnl_attr_nest_start(nlh, AIOTSEC_A_SA);
	mnl_attr_put_u32(nlh, AIOTSEC_SA_A_SID, sid);
	mnl_attr_nest_end(nlh, nest);
	return sa_send(&nl, nlh);
}

/* What sa show prints: all SAs, or those of one SID. */
struct sa_show {
	bool by_sid;
	uint32_t sid;
	unsigned int shown;
};

static uint64_t attr_uint(const struct nlattr **tb, unsigned int type)
{
	return tb[type] ? nl_get_uint(tb[type]) : 0;
}

/*
 * A key slot: "tx" when it transmits, else "rx-only"; the next counter to
 * send; the highest counter verified ("none" before the first frame).
 */
static void sa_print_key_text(const struct nlattr *slot)
{
	const struct nlattr *tb[AIOTSEC_KEY_A_MAX + 1];

	nl_parse_nest(slot, tb, AIOTSEC_KEY_A_MAX);
	printf("    key %llu: %s tx-counter %llu rx-counter ",
	       (unsigned long long)attr_uint(tb, AIOTSEC_KEY_A_PHASE),
	       tb[AIOTSEC_KEY_A_TX] ? "tx" : "rx-only",
	       (unsigned long long)attr_uint(tb, AIOTSEC_KEY_A_TX_COUNTER));
	if (tb[AIOTSEC_KEY_A_RX_COUNTER])
		printf("%llu", (unsigned long long)
		       nl_get_uint(tb[AIOTSEC_KEY_A_RX_COUNTER]));
	else
		fputs("none", stdout);
	printf("%s%s\n",
	       tb[AIOTSEC_KEY_A_SOFT_EXPIRED] ? " soft-expired" : "",
	       tb[AIOTSEC_KEY_A_HARD_EXPIRED] ? " hard-expired" : "");
}

static void sa_print_key_json(const struct nlattr *slot)
{
	const struct nlattr *tb[AIOTSEC_KEY_A_MAX + 1];

	nl_parse_nest(slot, tb, AIOTSEC_KEY_A_MAX);
	json_object_begin(NULL);
	json_u64("phase", attr_uint(tb, AIOTSEC_KEY_A_PHASE));
	json_bool("tx", tb[AIOTSEC_KEY_A_TX]);
	json_u64("tx-counter", attr_uint(tb, AIOTSEC_KEY_A_TX_COUNTER));
	if (tb[AIOTSEC_KEY_A_RX_COUNTER])
		json_u64("rx-counter", nl_get_uint(tb[AIOTSEC_KEY_A_RX_COUNTER]));
	else
		json_null("rx-counter");
	json_bool("soft-expired", tb[AIOTSEC_KEY_A_SOFT_EXPIRED]);
	json_bool("hard-expired", tb[AIOTSEC_KEY_A_HARD_EXPIRED]);
	json_object_end();
}

static void sa_print_stats(const struct nlattr *nest)
{
	const struct nlattr *tb[AIOTSEC_SA_STAT_MAX + 1];
	unsigned int i, n = 0;

	nl_parse_nest(nest, tb, AIOTSEC_SA_STAT_MAX);
	if (opts.json)
		json_object_begin("stats");
	for (i = AIOTSEC_SA_STAT_RX_OK; i < AIOTSEC_SA_STAT_PAD; i++) {
		if (!tb[i])
			continue;
		if (opts.json) {
			json_u64(sa_stat_names[i], nl_get_uint(tb[i]));
			continue;
		}
		/* receive counters on one line, transmit on the next */
		if (!n || i == AIOTSEC_SA_STAT_TX_OK)
			printf("%s    ", n ? "\n" : "");
		else
			putchar(' ');
		printf("%s %llu", sa_stat_names[i],
		       (unsigned long long)nl_get_uint(tb[i]));
		n++;
	}
	if (opts.json)
		json_object_end();
	else if (n)
		putchar('\n');
}

static void sa_print_text(const char *dev, const struct nlattr **tb)
{
	char peer[MAC_STR_LEN] = "-";
	const struct nlattr *slot;

	if (tb[AIOTSEC_SA_A_PEER_MAC] &&
	    mnl_attr_get_payload_len(tb[AIOTSEC_SA_A_PEER_MAC]) == MAC_LEN)
		format_mac(mnl_attr_get_payload(tb[AIOTSEC_SA_A_PEER_MAC]), peer);
	/* one name_of() a call: an unknown value's name is a static buffer */
	printf("%s sid 0x%08llx suite %s", dev,
	       (unsigned long long)attr_uint(tb, AIOTSEC_SA_A_SID),
	       name_of(suite_names, NAMES_N(suite_names),
		       attr_uint(tb, AIOTSEC_SA_A_SUITE)));
	printf(" profile %s tag-len %llu ctr-bits %llu replay-window %llu\n",
	       name_of(profile_names, NAMES_N(profile_names),
		       attr_uint(tb, AIOTSEC_SA_A_PROFILE)),
	       (unsigned long long)attr_uint(tb, AIOTSEC_SA_A_TAG_LEN),
	       (unsigned long long)attr_uint(tb, AIOTSEC_SA_A_CTR_BITS),
	       (unsigned long long)attr_uint(tb, AIOTSEC_SA_A_REPLAY_WINDOW));
	printf("    peer %s tx-key-phase %llu soft-limit %llu hard-limit %llu\n",
	       peer, (unsigned long long)attr_uint(tb, AIOTSEC_SA_A_TX_KEY_PHASE),
	       (unsigned long long)attr_uint(tb, AIOTSEC_SA_A_SOFT_LIMIT),
	       (unsigned long long)attr_uint(tb, AIOTSEC_SA_A_HARD_LIMIT));
	if (tb[AIOTSEC_SA_A_KEYS])
		mnl_attr_for_each_nested(slot, tb[AIOTSEC_SA_A_KEYS])
			sa_print_key_text(slot);
	if (opts.stats && tb[AIOTSEC_SA_A_STATS])
		sa_print_stats(tb[AIOTSEC_SA_A_STATS]);
}

static void sa_print_json(const char *dev, uint32_t ifindex,
			  const struct nlattr **tb)
{
	const struct nlattr *slot;
	char peer[MAC_STR_LEN];

	json_object_begin(NULL);
	json_string("dev", dev);
	json_u64("ifindex", ifindex);
	json_u64("sid", attr_uint(tb, AIOTSEC_SA_A_SID));
	json_string("suite", name_of(suite_names, NAMES_N(suite_names),
				     attr_uint(tb, AIOTSEC_SA_A_SUITE)));
	json_string("profile", name_of(profile_names, NAMES_N(profile_names),
				       attr_uint(tb, AIOTSEC_SA_A_PROFILE)));
	json_u64("tag-len", attr_uint(tb, AIOTSEC_SA_A_TAG_LEN));
	json_u64("ctr-bits", attr_uint(tb, AIOTSEC_SA_A_CTR_BITS));
	json_u64("replay-window", attr_uint(tb, AIOTSEC_SA_A_REPLAY_WINDOW));
	if (tb[AIOTSEC_SA_A_PEER_MAC] &&
	    mnl_attr_get_payload_len(tb[AIOTSEC_SA_A_PEER_MAC]) == MAC_LEN) {
		format_mac(mnl_attr_get_payload(tb[AIOTSEC_SA_A_PEER_MAC]), peer);
		json_string("peer", peer);
	} else {
		json_null("peer");
	}
	json_u64("tx-key-phase", attr_uint(tb, AIOTSEC_SA_A_TX_KEY_PHASE));
	json_u64("soft-limit", attr_uint(tb, AIOTSEC_SA_A_SOFT_LIMIT));
	json_u64("hard-limit", attr_uint(tb, AIOTSEC_SA_A_HARD_LIMIT));
	json_array_begin("keys");
	if (tb[AIOTSEC_SA_A_KEYS])
		mnl_attr_for_each_nested(slot, tb[AIOTSEC_SA_A_KEYS])
			sa_print_key_json(slot);
	json_array_end();
	if (opts.stats && tb[AIOTSEC_SA_A_STATS])
		sa_print_stats(tb[AIOTSEC_SA_A_STATS]);
	json_object_end();
}

static int sa_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[AIOTSEC_A_MAX + 1];
	const struct nlattr *sa[AIOTSEC_SA_A_MAX + 1];
	struct sa_show *show = data;
	char dev[IF_NAMESIZE];
	uint32_t ifindex;

	nl_parse_msg(nlh, sizeof(struct genlmsghdr), tb, AIOTSEC_A_MAX);
	if (!tb[AIOTSEC_A_SA])
		return 0;
	nl_parse_nest(tb[AIOTSEC_A_SA], sa, AIOTSEC_SA_A_MAX);
	if (show->by_sid && attr_uint(sa, AIOTSEC_SA_A_SID) != show->sid)
		return 0;
	ifindex = attr_uint(tb, AIOTSEC_A_IFINDEX);
	if (!if_indextoname(ifindex, dev))
		snprintf(dev, sizeof(dev), "if%u", ifindex);
	show->shown++;
	if (opts.json)
		sa_print_json(dev, ifindex, sa);
	else
		sa_print_text(dev, sa);
	return 0;
}

static int sa_show(int argc, char **argv)
{
	static const char ctx[] = "sa show";
	const char *dev = NULL, *sid_s = NULL;
	const struct kw_arg kws[] = {
		{ "dev", &dev, NULL },
		{ "sid", &sid_s, NULL },
		{ NULL },
	};
	struct sa_show show = {};
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	bool interrupted;
	struct nl nl;
	int err;

	err = parse_kw_args(ctx, argc, argv, kws) ?:
	      (dev ? sa_check_dev(ctx, dev) : 0) ?:
	      (sid_s ? arg_sid(ctx, sid_s, &show.sid) : 0);
	if (err)
		return err;
	show.by_sid = sid_s;

	err = nl_genl_open(&nl);
	if (err)
		return err;
	/* one SA of one link: a "do"; else a dump, filtered here by SID */
	nlh = nl_genl_req(&nl, AIOTSEC_CMD_SA_GET,
			  dev && sid_s ? 0 : NLM_F_DUMP);
	if (dev)
		mnl_attr_put_strz(nlh, AIOTSEC_A_IFNAME, dev);
	if (dev && sid_s) {
		nest = mnl_attr_nest_start(nlh, AIOTSEC_A_SA);
		mnl_attr_put_u32(nlh, AIOTSEC_SA_A_SID, show.sid);
		mnl_attr_nest_end(nlh, nest);
	}
	if (opts.json)
		json_array_begin(NULL);
	err = nl_talk(&nl, nlh, sa_show_cb, &show);
	if (opts.json) {
		json_array_end();
		json_end_document();
	}
	interrupted = nl.dump_intr;
	nl_close(&nl);
	if (err)
		return EXIT_FAIL;
	if (interrupted)
		fprintf(stderr, "Warning: the SAs changed during the dump; run again for a consistent view\n");
	if (sid_s && !dev && !show.shown)
		return error("no SA with SID 0x%08x on any aiotsec link",
			     show.sid);
	return EXIT_OK;
}

static const struct subcmd sa_cmds[] = {
	{ "show", sa_show },
	{ "list", sa_show },
	{ "add", sa_add },
	{ "set", sa_set },
	{ "del", sa_del },
	{ "delete", sa_del },
	{ NULL, NULL },
};

const struct object sa_object = {
	.name = "sa",
	.cmds = sa_cmds,
	.default_cmd = "show",
	.usage = sa_usage,
};
