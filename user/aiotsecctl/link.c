// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl link: create, change and delete aiotsec links (rtnetlink),
 * show them (generic netlink LINK_GET).
 */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/aiotsec.h>

#include "aiotsecctl.h"
#include "json.h"
#include "names.h"
#include "nl.h"
#include "util.h"

static void link_usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG_NAME " link add NAME link LOWER [role { reader | device }] [mtu MTU]\n"
		"                    [max-sas N]\n"
		"       " PROG_NAME " link set NAME max-sas N\n"
		"       " PROG_NAME " link del NAME\n"
		"       " PROG_NAME " [-s] [-j] link show [NAME]\n");
}

static int check_ifname(const char *ctx, const char *name)
{
	if (!*name || strlen(name) >= IFNAMSIZ)
		return usage_error(ctx, "\"%s\" is not a valid interface name",
				   name);
	return 0;
}

/* What link add and link set were given, parsed. */
struct link_req {
	unsigned int lower_idx;		/* 0: none (link set) */
	const char *mtu;
	const char *role;
	const char *max_sas;
	uint32_t mtu_v;
	uint32_t max_sas_v;
	uint8_t role_v;
};

static int link_req_parse(const char *ctx, struct link_req *r)
{
	int err = r->mtu ? arg_u32(ctx, "mtu", r->mtu, &r->mtu_v) : 0;

	if (err)
		return err;
	if (r->max_sas) {
		err = arg_u32(ctx, "max-sas", r->max_sas, &r->max_sas_v);
		if (err)
			return err;
		if (!r->max_sas_v)
			return usage_error(ctx, "max-sas must be at least 1");
	}
	return r->role ? arg_enum(ctx, "role", r->role, role_names,
				  NAMES_N(role_names), &r->role_v) : 0;
}

/*
 * An rtnetlink request of @type for link @ifindex, or if 0 for @name:
 * with @r (RTM_NEWLINK), what was given, in IFLA_LINKINFO of kind
 * "aiotsec".
 */
static int link_rtnl(const char *name, uint32_t ifindex, uint16_t type,
		     uint16_t flags, const struct link_req *r)
{
	struct nlattr *info, *data;
	struct ifinfomsg *ifm;
	struct nlmsghdr *nlh;
	struct nl nl;
	int err;

	err = nl_rtnl_open(&nl);
	if (err)
		return err;
	nlh = nl_rtnl_req(&nl, type, flags);
	/* by index: with a name too, RTM_NEWLINK would rename */
	ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_index = ifindex;
	if (!ifindex)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (r) {
		if (r->lower_idx)
			mnl_attr_put_u32(nlh, IFLA_LINK, r->lower_idx);
		if (r->mtu)
			mnl_attr_put_u32(nlh, IFLA_MTU, r->mtu_v);
		info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "aiotsec");
		if (r->role || r->max_sas) {
			data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
			if (r->role)
				mnl_attr_put_u8(nlh, IFLA_AIOTSEC_ROLE,
						r->role_v);
			if (r->max_sas)
				mnl_attr_put_u32(nlh, IFLA_AIOTSEC_MAX_SAS,
						 r->max_sas_v);
			mnl_attr_nest_end(nlh, data);
		}
		mnl_attr_nest_end(nlh, info);
	}
	err = nl_talk(&nl, nlh, NULL, NULL);
	nl_close(&nl);
	return err ? EXIT_FAIL : EXIT_OK;
}

/* "dev NAME" and "name NAME" are NAME, as ip(8) takes them */
static void link_name_kw(int *argc, char ***argv)
{
	if (*argc >= 2 && (!strcmp((*argv)[0], "dev") ||
			   !strcmp((*argv)[0], "name"))) {
		(*argc)--;
		(*argv)++;
	}
}

static int link_add(int argc, char **argv)
{
	static const char ctx[] = "link add";
	struct link_req r = { 0 };
	const char *lower = NULL;
	const struct kw_arg kws[] = {
		{ "link", &lower, NULL },
		{ "role", &r.role, NULL },
		{ "mtu", &r.mtu, NULL },
		{ "max-sas", &r.max_sas, NULL },
		{ NULL },
	};
	const char *name;
	int err;

	link_name_kw(&argc, &argv);
	if (argc < 1)
		return usage_error(ctx, "missing NAME");
	name = argv[0];
	err = check_ifname(ctx, name) ?:
	      parse_kw_args(ctx, argc - 1, argv + 1, kws) ?:
	      arg_require(ctx, "link", lower) ?:
	      link_req_parse(ctx, &r);
	if (err)
		return err;
	r.lower_idx = if_nametoindex(lower);
	if (!r.lower_idx)
		return error("cannot find lower device \"%s\": %s", lower,
			     strerror(errno));
	return link_rtnl(name, 0, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &r);
}

static int link_ifindex_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[AIOTSEC_A_MAX + 1];

	nl_parse_msg(nlh, sizeof(struct genlmsghdr), tb, AIOTSEC_A_MAX);
	if (tb[AIOTSEC_A_IFINDEX])
		*(uint32_t *)data = nl_get_uint(tb[AIOTSEC_A_IFINDEX]);
	return 0;
}

/*
 * Fail unless @name is an aiotsec link, else give its ifindex: the
 * request that follows names that, and so never reaches another device
 * that took the name meanwhile.
 */
static int link_check_aiotsec(const char *name, uint32_t *ifindex)
{
	struct nlmsghdr *nlh;
	struct nl nl;
	int err;

	*ifindex = 0;
	err = nl_genl_open(&nl);
	if (err)
		return err;
	nlh = nl_genl_req(&nl, AIOTSEC_CMD_LINK_GET, 0);
	mnl_attr_put_strz(nlh, AIOTSEC_A_IFNAME, name);
	err = nl_talk(&nl, nlh, link_ifindex_cb, ifindex);
	nl_close(&nl);
	if (!err && !*ifindex)
		return error("%s: no ifindex in the kernel's answer", name);
	return err ? EXIT_FAIL : EXIT_OK;
}

static int link_del(int argc, char **argv)
{
	static const char ctx[] = "link del";
	uint32_t ifindex;
	int err;

	link_name_kw(&argc, &argv);
	if (argc < 1)
		return usage_error(ctx, "missing NAME");
	if (argc > 1)
		return usage_error(ctx, "unknown argument \"%s\"", argv[1]);
	err = check_ifname(ctx, argv[0]) ?:
	      link_check_aiotsec(argv[0], &ifindex);
	if (err)
		return err;
	return link_rtnl(argv[0], ifindex, RTM_DELLINK, 0, NULL);
}

static int link_set(int argc, char **argv)
{
	static const char ctx[] = "link set";
	struct link_req r = { 0 };
	const struct kw_arg kws[] = {
		{ "max-sas", &r.max_sas, NULL },
		{ NULL },
	};
	uint32_t ifindex;
	int err;

	link_name_kw(&argc, &argv);
	if (argc < 1)
		return usage_error(ctx, "missing NAME");
	err = check_ifname(ctx, argv[0]) ?:
	      parse_kw_args(ctx, argc - 1, argv + 1, kws) ?:
	      arg_require(ctx, "max-sas", r.max_sas) ?:
	      link_req_parse(ctx, &r) ?:
	      link_check_aiotsec(argv[0], &ifindex);
	if (err)
		return err;
	return link_rtnl(argv[0], ifindex, RTM_NEWLINK, 0, &r);
}

static void link_print_stats_text(const struct nlattr *nest)
{
	const struct nlattr *tb[AIOTSEC_LINK_STAT_MAX + 1];
	unsigned int i, n = 0;

	nl_parse_nest(nest, tb, AIOTSEC_LINK_STAT_MAX);
	for (i = AIOTSEC_LINK_STAT_RX_MALFORMED; i < AIOTSEC_LINK_STAT_PAD; i++) {
		if (!tb[i])
			continue;
		/* receive counters on one line, transmit on the next */
		if (!n || i == AIOTSEC_LINK_STAT_TX_NO_SA)
			printf("%s    ", n ? "\n" : "");
		else
			putchar(' ');
		printf("%s %llu", link_stat_names[i],
		       (unsigned long long)nl_get_uint(tb[i]));
		n++;
	}
	if (n)
		putchar('\n');
}

static void link_print_stats_json(const struct nlattr *nest)
{
	const struct nlattr *tb[AIOTSEC_LINK_STAT_MAX + 1];
	unsigned int i;

	nl_parse_nest(nest, tb, AIOTSEC_LINK_STAT_MAX);
	json_object_begin("stats");
	for (i = AIOTSEC_LINK_STAT_RX_MALFORMED; i < AIOTSEC_LINK_STAT_PAD; i++)
		if (tb[i])
			json_u64(link_stat_names[i], nl_get_uint(tb[i]));
	json_object_end();
}

static int link_show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[AIOTSEC_A_MAX + 1];
	const char *name = "?", *role;
	uint32_t ifindex = 0, count = 0;

	(void)data;
	nl_parse_msg(nlh, sizeof(struct genlmsghdr), tb, AIOTSEC_A_MAX);
	if (tb[AIOTSEC_A_IFINDEX])
		ifindex = nl_get_uint(tb[AIOTSEC_A_IFINDEX]);
	if (tb[AIOTSEC_A_IFNAME] &&
	    !mnl_attr_validate(tb[AIOTSEC_A_IFNAME], MNL_TYPE_NUL_STRING))
		name = mnl_attr_get_str(tb[AIOTSEC_A_IFNAME]);
	if (tb[AIOTSEC_A_SA_COUNT])
		count = nl_get_uint(tb[AIOTSEC_A_SA_COUNT]);
	role = tb[AIOTSEC_A_ROLE] ?
	       name_of(role_names, NAMES_N(role_names),
		       nl_get_uint(tb[AIOTSEC_A_ROLE])) : "?";

	if (opts.json) {
		json_object_begin(NULL);
		json_u64("ifindex", ifindex);
		json_string("dev", name);
		json_string("role", role);
		json_u64("sa-count", count);
		/* (a module older than the limit has none) */
		if (tb[AIOTSEC_A_MAX_SAS])
			json_u64("max-sas", nl_get_uint(tb[AIOTSEC_A_MAX_SAS]));
		if (opts.stats && tb[AIOTSEC_A_LINK_STATS])
			link_print_stats_json(tb[AIOTSEC_A_LINK_STATS]);
		json_object_end();
		return 0;
	}
	printf("%u: %s: role %s sa-count %u", ifindex, name, role, count);
	if (tb[AIOTSEC_A_MAX_SAS])
		printf(" max-sas %u", (unsigned int)nl_get_uint(tb[AIOTSEC_A_MAX_SAS]));
	putchar('\n');
	if (opts.stats && tb[AIOTSEC_A_LINK_STATS])
		link_print_stats_text(tb[AIOTSEC_A_LINK_STATS]);
	return 0;
}

static int link_show(int argc, char **argv)
{
	static const char ctx[] = "link show";
	struct nlmsghdr *nlh;
	struct nl nl;
	int err;

	link_name_kw(&argc, &argv);
	if (argc > 1)
		return usage_error(ctx, "unknown argument \"%s\"", argv[1]);
	if (argc == 1) {
		err = check_ifname(ctx, argv[0]);
		if (err)
			return err;
	}
	err = nl_genl_open(&nl);
	if (err)
		return err;
	nlh = nl_genl_req(&nl, AIOTSEC_CMD_LINK_GET, argc ? 0 : NLM_F_DUMP);
	if (argc)
		mnl_attr_put_strz(nlh, AIOTSEC_A_IFNAME, argv[0]);
	if (opts.json)
		json_array_begin(NULL);
	err = nl_talk(&nl, nlh, link_show_cb, NULL);
	if (opts.json) {
		json_array_end();
		json_end_document();
	}
	nl_close(&nl);
	return err ? EXIT_FAIL : EXIT_OK;
}

static const struct subcmd link_cmds[] = {
	{ "show", link_show },
	{ "list", link_show },
	{ "add", link_add },
	{ "set", link_set },
	{ "del", link_del },
	{ "delete", link_del },
	{ NULL, NULL },
};

const struct object link_object = {
	.name = "link",
	.cmds = link_cmds,
	.default_cmd = "show",
	.usage = link_usage,
};
