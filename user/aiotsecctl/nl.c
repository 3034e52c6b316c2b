// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl: netlink sockets, family resolution and requests.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/aiotsec.h>

#include "aiotsecctl.h"
#include "nl.h"

/* Large enough for any dump message the kernel sends. */
#define NL_RECV_SIZE	65536

static char nl_rbuf[NL_RECV_SIZE];

static int nl_open(struct nl *nl, int bus)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sk = mnl_socket_open(bus);
	if (!nl->sk)
		return error("cannot open a netlink socket: %s",
			     strerror(errno));
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		error("cannot bind a netlink socket: %s", strerror(errno));
		nl_close(nl);
		return EXIT_FAIL;
	}
	/* extended acks; errors must not echo the request (keys) back */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	if (mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one,
				  sizeof(one)) < 0) {
		error("netlink: NETLINK_CAP_ACK: %s", strerror(errno));
		nl_close(nl);
		return EXIT_FAIL;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = time(NULL);
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	explicit_bzero(nl->req, sizeof(nl->req));
	nl->sk = NULL;
}

static struct nlmsghdr *nl_req(struct nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;

	memset(nl->req, 0, sizeof(nl->req));
	nlh = mnl_nlmsg_put_header(nl->req);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	return nlh;
}

static struct nlmsghdr *nl_genl_req_family(struct nl *nl, uint16_t family,
					   uint8_t cmd, uint8_t version,
					   uint16_t flags)
{
	struct nlmsghdr *nlh = nl_req(nl, family, flags);
	struct genlmsghdr *genl;

	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

struct nlmsghdr *nl_genl_req(struct nl *nl, uint8_t cmd, uint16_t flags)
{
	return nl_genl_req_family(nl, nl->family, cmd, AIOTSEC_GENL_VERSION,
				  flags);
}

struct nlmsghdr *nl_rtnl_req(struct nl *nl, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = nl_req(nl, type, flags);

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	return nlh;
}

static void nl_parse_range(const struct nlattr *a, const char *end,
			   const struct nlattr **tb, unsigned int max)
{
	uint16_t type;

	for (; mnl_attr_ok(a, end - (const char *)a); a = mnl_attr_next(a)) {
		type = mnl_attr_get_type(a);
		if (type <= max)
			tb[type] = a;
	}
}

void nl_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen,
		  const struct nlattr **tb, unsigned int max)
{
	memset(tb, 0, (max + 1) * sizeof(*tb));
	if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen))
		return;
	nl_parse_range(mnl_nlmsg_get_payload_offset(nlh, hdrlen),
		       mnl_nlmsg_get_payload_tail(nlh), tb, max);
}

void nl_parse_nest(const struct nlattr *nest, const struct nlattr **tb,
		   unsigned int max)
{
	memset(tb, 0, (max + 1) * sizeof(*tb));
	nl_parse_range(mnl_attr_get_payload(nest),
		       (const char *)mnl_attr_get_payload(nest) +
		       mnl_attr_get_payload_len(nest), tb, max);
}

uint64_t nl_get_uint(const struct nlattr *a)
{
	uint64_t v64;

	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		return mnl_attr_get_u8(a);
	case 2:
		return mnl_attr_get_u16(a);
	case 4:
		return mnl_attr_get_u32(a);
	case 8:
		memcpy(&v64, mnl_attr_get_payload(a), sizeof(v64));
		return v64;
	}
	return 0;
}

/* Append @s to the attribute path in @buf. */
static void nl_path_add(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf);

	snprintf(buf + len, size - len, "%s%s", len ? "." : "", s);
}

static void nl_path_add_type(char *buf, size_t size,
			     const struct nl_attr_space *space, uint16_t type)
{
	char num[16];

	if (space && type < space->n && space->attrs[type].name) {
		nl_path_add(buf, size, space->attrs[type].name);
		return;
	}
	snprintf(num, sizeof(num), "#%u", type);
	nl_path_add(buf, size, num);
}

/*
 * Name the attribute that starts at or contains offset @off (from @base,
 * the request's header) among the attributes from @a to @end.  Stores
 * the nested space of the attribute named in @nest_space.  Returns
 * false when no attribute lies there.
 */
static bool nl_name_at(const char *base, const struct nlattr *a,
		       const char *end, const struct nl_attr_space *space,
		       uint32_t off, char *buf, size_t size,
		       const struct nl_attr_space **nest_space)
{
	const struct nl_attr_space *nest;
	uint32_t start, stop;
	uint16_t type;

	for (; mnl_attr_ok(a, end - (const char *)a); a = mnl_attr_next(a)) {
		start = (const char *)a - base;
		stop = start + MNL_ALIGN(a->nla_len);
		if (off < start || off >= stop)
			continue;
		type = mnl_attr_get_type(a);
		nl_path_add_type(buf, size, space, type);
		nest = space && type < space->n ? space->attrs[type].nest :
						  NULL;
		*nest_space = nest;
		if (off == start || !nest)
			return true;
		nl_name_at(base, mnl_attr_get_payload(a),
			   (const char *)a + a->nla_len, nest, off, buf, size,
			   nest_space);
		return true;
	}
	return false;
}

static bool nl_name_offset(const struct nl *nl, const struct nlmsghdr *req,
			   uint32_t off, char *buf, size_t size,
			   const struct nl_attr_space **nest_space)
{
	buf[0] = '\0';
	return nl_name_at((const char *)req,
			  mnl_nlmsg_get_payload_offset(req, nl->hdrlen),
			  mnl_nlmsg_get_payload_tail(req), nl->space, off,
			  buf, size, nest_space);
}

/*
 * Print the error @err (negative errno, 0: a warning) and its extack;
 * keep the extack message for nl_strerror().
 */
static void nl_report(struct nl *nl, const struct nlmsghdr *req,
		      int err, const struct nlattr **tb)
{
	const struct nl_attr_space *nest = nl->space;
	const char *msg = NULL;
	char attr[128] = "";
	bool have_attr = false;

	if (tb[NLMSGERR_ATTR_MSG] &&
	    !mnl_attr_validate(tb[NLMSGERR_ATTR_MSG], MNL_TYPE_NUL_STRING))
		msg = mnl_attr_get_str(tb[NLMSGERR_ATTR_MSG]);
	if (tb[NLMSGERR_ATTR_OFFS] &&
	    mnl_attr_get_payload_len(tb[NLMSGERR_ATTR_OFFS]) == 4)
		have_attr = nl_name_offset(nl, req,
					   mnl_attr_get_u32(tb[NLMSGERR_ATTR_OFFS]),
					   attr, sizeof(attr), &nest);

	if (!err) {
		if (msg)
			fprintf(stderr, "Warning: %s\n", msg);
		return;
	}
	nl->errcode = err;
	if (msg)
		snprintf(nl->errmsg, sizeof(nl->errmsg), "%s", msg);
	if (nl->quiet)
		return;
	fprintf(stderr, "Error: %s", msg ?: strerror(-err));
	if (have_attr)
		fprintf(stderr, " (attribute %s)", attr);
	if (!msg && tb[NLMSGERR_ATTR_MISS_TYPE]) {
		char miss[128] = "";

		nest = nl->space;
		if (tb[NLMSGERR_ATTR_MISS_NEST] &&
		    (mnl_attr_get_payload_len(tb[NLMSGERR_ATTR_MISS_NEST]) != 4 ||
		     !nl_name_offset(nl, req,
				     mnl_attr_get_u32(tb[NLMSGERR_ATTR_MISS_NEST]),
				     miss, sizeof(miss), &nest)))
			nest = NULL;
		nl_path_add_type(miss, sizeof(miss), nest,
				 nl_get_uint(tb[NLMSGERR_ATTR_MISS_TYPE]));
		fprintf(stderr, " (missing attribute %s)", miss);
	}
	fputc('\n', stderr);
}

/*
 * An NLMSG_ERROR (ack or error) or the NLMSG_DONE of a dump: report it;
 * returns the error, 0 for success.
 */
static int nl_end(struct nl *nl, const struct nlmsghdr *req,
		  const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const char *payload = mnl_nlmsg_get_payload(nlh);
	size_t len = mnl_nlmsg_get_payload_len(nlh);
	const struct nlmsgerr *e;
	size_t tlvs;
	int err;

	memset(tb, 0, sizeof(tb));
	if (nlh->nlmsg_type == NLMSG_DONE) {
		if (len < sizeof(int))
			return 0;
		memcpy(&err, payload, sizeof(err));
		tlvs = sizeof(int);
	} else {
		if (len < sizeof(*e)) {
			if (!nl->quiet)
				error("truncated netlink error message");
			return -EBADMSG;
		}
		e = (const struct nlmsgerr *)payload;
		err = e->error;
		tlvs = sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			tlvs += e->msg.nlmsg_len - sizeof(e->msg);
	}
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && tlvs < len)
		nl_parse_range((const struct nlattr *)(payload + MNL_ALIGN(tlvs)),
			       payload + len, tb, NLMSGERR_ATTR_MAX);
	nl_report(nl, req, err, tb);
	return err;
}

int nl_talk(struct nl *nl, struct nlmsghdr *req, nl_cb cb, void *data)
{
	const struct nlmsghdr *nlh;
	bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	int n, err = 0;

	if (!dump)
		req->nlmsg_flags |= NLM_F_ACK;
	req->nlmsg_seq = ++nl->seq;
	nl->errcode = 0;
	nl->errmsg[0] = '\0';
	nl->dump_intr = false;
	if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0) {
		err = -errno;
		if (!nl->quiet)
			error("netlink send: %s", strerror(-err));
		goto out;
	}
	for (;;) {
		n = mnl_socket_recvfrom(nl->sk, nl_rbuf, sizeof(nl_rbuf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			if (!nl->quiet)
				error("netlink receive: %s", strerror(-err));
			goto out;
		}
		for (nlh = (const struct nlmsghdr *)nl_rbuf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n)) {
			if (nlh->nlmsg_seq != req->nlmsg_seq ||
			    nlh->nlmsg_pid != nl->portid)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				nl->dump_intr = true;
			switch (nlh->nlmsg_type) {
			case NLMSG_NOOP:
			case NLMSG_OVERRUN:
				continue;
			case NLMSG_ERROR:
			case NLMSG_DONE:
				err = nl_end(nl, req, nlh);
				goto out;
			}
			err = cb ? cb(nlh, data) : 0;
			if (err)
				goto out;
		}
	}
out:
	explicit_bzero(req, req->nlmsg_len);
	return err;
}

struct nl_family_reply {
	struct nl *nl;
	uint16_t id;
};

static void nl_family_groups(struct nl *nl, const struct nlattr *groups)
{
	const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1];
	const struct nlattr *grp;
	const char *name;
	uint32_t id;

	mnl_attr_for_each_nested(grp, groups) {
		nl_parse_nest(grp, tb, CTRL_ATTR_MCAST_GRP_MAX);
		if (!tb[CTRL_ATTR_MCAST_GRP_NAME] || !tb[CTRL_ATTR_MCAST_GRP_ID] ||
		    mnl_attr_validate(tb[CTRL_ATTR_MCAST_GRP_NAME],
				      MNL_TYPE_NUL_STRING))
			continue;
		name = mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]);
		id = nl_get_uint(tb[CTRL_ATTR_MCAST_GRP_ID]);
		if (!strcmp(name, AIOTSEC_MCGRP_EVENTS))
			nl->grp_events = id;
		else if (!strcmp(name, AIOTSEC_MCGRP_FRAMES))
			nl->grp_frames = id;
	}
}

static int nl_family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct nl *nl = data;

	nl_parse_msg(nlh, sizeof(struct genlmsghdr), tb, CTRL_ATTR_MAX);
	if (tb[CTRL_ATTR_FAMILY_ID])
		nl->family = nl_get_uint(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_MCAST_GROUPS])
		nl_family_groups(nl, tb[CTRL_ATTR_MCAST_GROUPS]);
	return 0;
}

int nl_genl_open(struct nl *nl)
{
	struct nlmsghdr *nlh;
	int err;

	err = nl_open(nl, NETLINK_GENERIC);
	if (err)
		return err;
	nl->hdrlen = sizeof(struct genlmsghdr);
	nlh = nl_genl_req_family(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, AIOTSEC_GENL_NAME);
	nl->quiet = true;
	err = nl_talk(nl, nlh, nl_family_cb, nl);
	nl->quiet = false;
	if (!err && !nl->family)
		err = -ENOENT;
	if (err) {
		if (err == -ENOENT)
			error("the aiotsec module is not loaded (generic netlink family %s not found)",
			      AIOTSEC_GENL_NAME);
		else
			error("cannot resolve generic netlink family %s: %s",
			      AIOTSEC_GENL_NAME, strerror(-err));
		nl_close(nl);
		return EXIT_FAIL;
	}
	nl->space = &aiotsec_genl_space;
	return 0;
}

int nl_rtnl_open(struct nl *nl)
{
	int err = nl_open(nl, NETLINK_ROUTE);

	if (err)
		return err;
	nl->hdrlen = sizeof(struct ifinfomsg);
	nl->space = &aiotsec_rtnl_space;
	return 0;
}

int nl_join(struct nl *nl, uint32_t group, const char *name)
{
	if (!group)
		return error("the aiotsec family has no multicast group \"%s\"",
			     name);
	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return error("cannot join multicast group \"%s\": %s", name,
			     strerror(errno));
	return 0;
}

const char *nl_strerror(const struct nl *nl, int err)
{
	return err == nl->errcode && nl->errmsg[0] ? nl->errmsg :
						     strerror(-err);
}
