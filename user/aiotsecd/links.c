// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecd: the links it serves (--dev), by name and by ifindex, and the
 * rtnetlink watch that keeps their ifindexes current.  A served link that
 * is deleted, or a link created under a served name that has none,
 * starts a reconciliation at once: it forgets the sessions whose SAs went
 * with a deleted link and takes a new one up.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/if_link.h>
#include <linux/rtnetlink.h>

#include "aiotsecd.h"

const char *link_name(const struct daemon *d, uint32_t ifindex)
{
	unsigned i;

	if (!ifindex)	/* the mark of a link that is not there */
		return NULL;
	for (i = 0; i < d->n_links; i++)
		if (d->ifindex[i] == ifindex)
			return d->devs[i];
	return NULL;
}

const char *link_label(const struct daemon *d, uint32_t ifindex)
{
	const char *name = link_name(d, ifindex);

	return name ? name : "a link gone";
}

/* the index of link @name in d->devs, or -1 */
static int link_find(const struct daemon *d, const char *name)
{
	unsigned i;

	for (i = 0; i < d->n_links; i++)
		if (!strcmp(d->devs[i], name))
			return i;
	return -1;
}

uint32_t link_bit(const struct daemon *d, const char *name)
{
	int i = link_find(d, name);

	return i < 0 ? 0 : 1u << i;
}

bool link_served(const struct daemon *d, const char *name)
{
	return link_find(d, name) >= 0;
}

uint32_t link_ifindex(const struct daemon *d, const char *name)
{
	int i = link_find(d, name);

	return i < 0 ? 0 : d->ifindex[i];
}

/* A name the kernel could give a link (dev_valid_name()). */
static bool ifname_valid(const char *name)
{
	size_t len = strlen(name);

	return len && len < IF_NAMESIZE && strcmp(name, ".") &&
	       strcmp(name, "..") && !strpbrk(name, "/: \t\n\v\f\r");
}

/*
 * Resolve the --dev names, each once; a log line's worth of them.  A link
 * that does not exist yet is served once it does (the watch sees it
 * created).
 */
int links_resolve(struct daemon *d, char *desc, size_t size)
{
	size_t off = 0;
	unsigned i;
	int n;

	for (i = 0; i < d->n_links; i++) {
		if (!ifname_valid(d->devs[i])) {
			log_err("--dev '%s': not a valid link name", d->devs[i]);
			return -1;
		}
		if (link_find(d, d->devs[i]) != (int)i) {
			log_err("--dev %s: given twice", d->devs[i]);
			return -1;
		}
		d->ifindex[i] = if_nametoindex(d->devs[i]);
		if (!d->ifindex[i] && errno != ENODEV) {
			log_err("--dev %s: %s", d->devs[i], strerror(errno));
			return -1;
		}
		if (d->ifindex[i] && link_name(d, d->ifindex[i]) != d->devs[i]) {
			log_err("--dev %s: the link of --dev %s", d->devs[i],
				link_name(d, d->ifindex[i]));
			return -1;
		}
		if (!d->ifindex[i])
			log_warn("--dev %s: no such link yet: served once it exists",
				 d->devs[i]);
		if (d->ifindex[i])
			n = snprintf(desc + off, size - off, "%s%s (ifindex %u)",
				     i ? ", " : "", d->devs[i], d->ifindex[i]);
		else
			n = snprintf(desc + off, size - off, "%s%s (not there)",
				     i ? ", " : "", d->devs[i]);
		if (n > 0 && (size_t)n < size - off)
			off += n;
	}
	return 0;
}


int links_watch_open(struct daemon *d)
{
	d->rt = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!d->rt || mnl_socket_bind(d->rt, RTMGRP_LINK, MNL_SOCKET_AUTOPID)) {
		log_err("link notifications: %s", strerror(errno));
		links_watch_close(d);
		return -1;
	}
	return 0;
}

void links_watch_close(struct daemon *d)
{
	if (d->rt)
		mnl_socket_close(d->rt);
	d->rt = NULL;
}

/* Whether @name is a served name whose link is not there. */
static bool link_awaited(const struct daemon *d, const struct nlattr *name)
{
	int l;

	if (mnl_attr_validate(name, MNL_TYPE_NUL_STRING) < 0)
		return false;
	l = link_find(d, mnl_attr_get_str(name));
	return l >= 0 && !d->ifindex[l];
}

/*
 * Whether a link notification changes what the daemon serves: a served
 * link deleted, or a link created (or renamed, or given an alternative
 * name) under a served name whose link is not there.  A served link is
 * followed by its ifindex: renamed, it is still served, and a link that
 * takes its old name is not.
 */
static bool link_msg_matters(const struct daemon *d,
			     const struct nlmsghdr *nlh)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *alt;

	/* AF_BRIDGE and the like speak of a port, not of the link */
	if ((nlh->nlmsg_type != RTM_NEWLINK &&
	     nlh->nlmsg_type != RTM_DELLINK) ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifi) ||
	    ifi->ifi_family != AF_UNSPEC)
		return false;
	if (link_name(d, ifi->ifi_index))
		return nlh->nlmsg_type == RTM_DELLINK;
	if (nlh->nlmsg_type == RTM_DELLINK)
		return false;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		if (mnl_attr_get_type(a) == IFLA_IFNAME && link_awaited(d, a))
			return true;
		if (mnl_attr_get_type(a) != IFLA_PROP_LIST)
			continue;
		mnl_attr_for_each_nested(alt, a)
			if (mnl_attr_get_type(alt) == IFLA_ALT_IFNAME &&
			    link_awaited(d, alt))
				return true;
	}
	return false;
}

/* d->links_changed: a reconciliation after this batch */
static void link_msg(struct daemon *d, const struct nlmsghdr *nlh)
{
	if (link_msg_matters(d, nlh))
		d->links_changed = true;
}

int links_recv(struct daemon *d)
{
	unsigned overruns = 0;
	int err;

	d->links_changed = false;
	err = notif_recv(d, mnl_socket_get_fd(d->rt), link_msg, &overruns);
	if (overruns) {
		/* the timer reconciles, at most once a second */
		log_warn("link notifications lost (receive buffer overrun): reconciling");
		d->links_lost = true;
	}
	/* a failed dump is tried again by the timer */
	if (d->links_changed)
		auth_reconcile(d, false);
	return err;
}
