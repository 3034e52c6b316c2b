/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aiotsecctl: netlink sockets (libmnl), the "aiotsec" generic netlink
 * family and its multicast groups, request/reply with extended-ack
 * error reporting.
 */
#ifndef AIOTSECCTL_NL_H
#define AIOTSECCTL_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#define NL_REQ_SIZE	4096

/*
 * The names of a family's attributes, to name the attribute an error
 * points at ("SA.KEY"); @nest: the space of a nested attribute.
 */
struct nl_attr_desc {
	const char *name;
	const struct nl_attr_space *nest;
};

struct nl_attr_space {
	const struct nl_attr_desc *attrs;
	unsigned int n;
};

extern const struct nl_attr_space aiotsec_genl_space;
extern const struct nl_attr_space aiotsec_rtnl_space;

struct nl {
	struct mnl_socket *sk;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;	/* generic netlink family ID */
	uint32_t grp_events;	/* multicast group IDs, 0: unknown */
	uint32_t grp_frames;
	size_t hdrlen;		/* family header: genlmsghdr, ifinfomsg */
	const struct nl_attr_space *space;
	bool quiet;		/* nl_talk prints no error */
	int errcode;		/* the last nl_talk's error, 0: none */
	char errmsg[160];	/* its extack message, or "" */
	bool dump_intr;		/* the last dump was marked inconsistent
				 * (NLM_F_DUMP_INTR, NLMSG_DONE included)
				 */
	char req[NL_REQ_SIZE];
};

/*
 * Called for each reply message but acks and errors; returns 0, or a
 * negative errno to stop.
 */
typedef int (*nl_cb)(const struct nlmsghdr *nlh, void *data);

/*
 * Open a generic netlink socket and resolve the aiotsec family and its
 * groups.  Returns 0, or EXIT_FAIL after printing why.
 */
int nl_genl_open(struct nl *nl);

/* Open an rtnetlink socket.  Returns 0, or EXIT_FAIL after printing why. */
int nl_rtnl_open(struct nl *nl);

void nl_close(struct nl *nl);

/* Start a request of the aiotsec family in nl->req. */
struct nlmsghdr *nl_genl_req(struct nl *nl, uint8_t cmd, uint16_t flags);

/* Start an rtnetlink request with an ifinfomsg in nl->req. */
struct nlmsghdr *nl_rtnl_req(struct nl *nl, uint16_t type, uint16_t flags);

/*
 * Send @req (NLM_F_ACK is added unless it is a dump), pass every reply to
 * @cb (may be NULL) until the ack or the end of the dump.  An error is
 * printed as "Error: MESSAGE (attribute NAME)" unless nl->quiet.  The
 * request is wiped afterwards (it may hold a key).  Returns 0 or a
 * negative errno.
 */
int nl_talk(struct nl *nl, struct nlmsghdr *req, nl_cb cb, void *data);

/*
 * What the kernel said about @err, if the last nl_talk() failed with it:
 * its extended-ACK message if it sent one; else strerror().
 */
const char *nl_strerror(const struct nl *nl, int err);

/* Join multicast group @group.  Returns 0 or EXIT_FAIL after printing. */
int nl_join(struct nl *nl, uint32_t group, const char *name);

/*
 * Parse the attributes of a message after its family header of @hdrlen
 * octets, or of a nest, into @tb[0..@max]; unknown types are skipped.
 */
void nl_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen,
		  const struct nlattr **tb, unsigned int max);
void nl_parse_nest(const struct nlattr *nest, const struct nlattr **tb,
		   unsigned int max);

/* The unsigned integer in @a of 1, 2, 4 or 8 octets; else 0. */
uint64_t nl_get_uint(const struct nlattr *a);

#endif /* AIOTSECCTL_NL_H */
