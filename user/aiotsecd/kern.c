// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecd: generic netlink requests to the aiotsec module (the helpers
 * of aiotsecctl's nl.c, linked in) and the sockets of its frames and
 * events.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/aiotsec.h>

#include "aiotsecd.h"

/* @nl joined to the frames (@frames) or the events group; --rcvbuf. */
static int notif_open(struct daemon *d, struct nl *nl, bool frames)
{
	const char *name = frames ? AIOTSEC_MCGRP_FRAMES : AIOTSEC_MCGRP_EVENTS;
	int rcvbuf = d->rcvbuf, fd;
	socklen_t len = sizeof(rcvbuf);

	if (nl_genl_open(nl))
		return -ENOENT;
	fd = mnl_socket_get_fd(nl->sk);
	/* past net.core.rmem_max if we may; SO_RCVBUF would clamp it again */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		log_warn("%s socket: receive buffer of %d octets: %s", name,
			 rcvbuf, strerror(errno));
	if (!getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len))
		log_debug("%s socket: receive buffer of %d octets", name,
			  rcvbuf);
	if (nl_join(nl, frames ? nl->grp_frames : nl->grp_events, name))
		return -EPERM;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

int kern_open(struct daemon *d)
{
	int err;

	if (nl_genl_open(&d->req))
		return -ENOENT;
	d->req.quiet = true;	/* errors are logged here */
	/*
	 * Frames and events on sockets of their own: frames from the air
	 * that overrun theirs cost no event, and so no reconciliation.
	 */
	err = notif_open(d, &d->fr, true);
	if (!err)
		err = notif_open(d, &d->ev, false);
	if (err)
		kern_close(d);
	return err;
}

void kern_close(struct daemon *d)
{
	nl_close(&d->req);
	nl_close(&d->fr);
	nl_close(&d->ev);
}

/* A request on the SA @sid of link @ifindex; the caller ends @nest. */
static struct nlmsghdr *sa_req(struct daemon *d, uint8_t cmd,
			       uint32_t ifindex, uint32_t sid,
			       struct nlattr **nest)
{
	struct nlmsghdr *nlh = nl_genl_req(&d->req, cmd, 0);

	mnl_attr_put_u32(nlh, AIOTSEC_A_IFINDEX, ifindex);
	*nest = mnl_attr_nest_start(nlh, AIOTSEC_A_SA);
	mnl_attr_put_u32(nlh, AIOTSEC_SA_A_SID, sid);
	return nlh;
}

int kern_sa_new(struct daemon *d, uint32_t ifindex, uint32_t sid,
		uint8_t suite, uint8_t profile, const uint8_t *key,
		size_t keylen, const uint8_t peer[ETH_ALEN_])
{
	struct nlattr *nest;
	struct nlmsghdr *nlh = sa_req(d, AIOTSEC_CMD_SA_NEW, ifindex, sid,
				      &nest);

	mnl_attr_put_u8(nlh, AIOTSEC_SA_A_SUITE, suite);
	mnl_attr_put_u8(nlh, AIOTSEC_SA_A_PROFILE, profile);
	mnl_attr_put_u8(nlh, AIOTSEC_SA_A_CTR_BITS, d->ctr_bits);
	if (d->soft_limit)
		mnl_attr_put_u64(nlh, AIOTSEC_SA_A_SOFT_LIMIT, d->soft_limit);
	if (d->hard_limit)
		mnl_attr_put_u64(nlh, AIOTSEC_SA_A_HARD_LIMIT, d->hard_limit);
	if (peer)
		mnl_attr_put(nlh, AIOTSEC_SA_A_PEER_MAC, ETH_ALEN_, peer);
	mnl_attr_put(nlh, AIOTSEC_SA_A_KEY, keylen, key);
	mnl_attr_nest_end(nlh, nest);
	/* nl_talk wipes the request, key included */
	return nl_talk(&d->req, nlh, NULL, NULL);
}

int kern_sa_del(struct daemon *d, uint32_t ifindex, uint32_t sid)
{
	struct nlattr *nest;
	struct nlmsghdr *nlh = sa_req(d, AIOTSEC_CMD_SA_DEL, ifindex, sid,
				      &nest);

	mnl_attr_nest_end(nlh, nest);
	return nl_talk(&d->req, nlh, NULL, NULL);
}

int kern_sa_set_key(struct daemon *d, uint32_t ifindex, uint32_t sid,
		    const uint8_t *key, size_t keylen)
{
	struct nlattr *nest;
	struct nlmsghdr *nlh = sa_req(d, AIOTSEC_CMD_SA_SET, ifindex, sid,
				      &nest);

	mnl_attr_put(nlh, AIOTSEC_SA_A_KEY, keylen, key);
	mnl_attr_nest_end(nlh, nest);
	return nl_talk(&d->req, nlh, NULL, NULL);
}

/* What the daemon reads of an SA in a SA_GET reply. */
static void sa_parse(const struct nlattr *nest, struct kern_sa *out)
{
	const struct nlattr *sa[AIOTSEC_SA_A_MAX + 1];
	const struct nlattr *k[AIOTSEC_KEY_A_MAX + 1];
	const struct nlattr *slot;

	memset(out, 0, sizeof(*out));
	nl_parse_nest(nest, sa, AIOTSEC_SA_A_MAX);
	if (!sa[AIOTSEC_SA_A_SID] || !sa[AIOTSEC_SA_A_SUITE] ||
	    !sa[AIOTSEC_SA_A_CTR_BITS])
		return;
	out->sid = nl_get_uint(sa[AIOTSEC_SA_A_SID]);
	out->suite = nl_get_uint(sa[AIOTSEC_SA_A_SUITE]);
	out->ctr_bits = nl_get_uint(sa[AIOTSEC_SA_A_CTR_BITS]);
	if (sa[AIOTSEC_SA_A_KEYS]) {
		mnl_attr_for_each_nested(slot, sa[AIOTSEC_SA_A_KEYS]) {
			nl_parse_nest(slot, k, AIOTSEC_KEY_A_MAX);
			if (!k[AIOTSEC_KEY_A_TX])
				continue;
			out->tx_phase = k[AIOTSEC_KEY_A_PHASE] ?
					nl_get_uint(k[AIOTSEC_KEY_A_PHASE]) : 0;
			out->soft_expired = k[AIOTSEC_KEY_A_SOFT_EXPIRED];
			out->hard_expired = k[AIOTSEC_KEY_A_HARD_EXPIRED];
		}
	}
	out->valid = true;
}

static int sa_get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[AIOTSEC_A_MAX + 1];

	nl_parse_msg(nlh, sizeof(struct genlmsghdr), tb, AIOTSEC_A_MAX);
	if (tb[AIOTSEC_A_SA])
		sa_parse(tb[AIOTSEC_A_SA], data);
	return 0;
}

int kern_sa_get(struct daemon *d, uint32_t ifindex, uint32_t sid,
		struct kern_sa *out)
{
	struct nlattr *nest;
	struct nlmsghdr *nlh = sa_req(d, AIOTSEC_CMD_SA_GET, ifindex, sid,
				      &nest);
	int err;

	mnl_attr_nest_end(nlh, nest);
	out->valid = false;
	err = nl_talk(&d->req, nlh, sa_get_cb, out);
	if (err)
		return err;
	return out->valid ? 0 : -ENOENT;
}

int kern_frame_send(struct daemon *d, uint32_t ifindex, uint8_t type,
		    uint32_t sid, const uint8_t *payload, size_t len,
		    const uint8_t peer[ETH_ALEN_])
{
	struct nlmsghdr *nlh = nl_genl_req(&d->req, AIOTSEC_CMD_FRAME_SEND, 0);

	mnl_attr_put_u32(nlh, AIOTSEC_A_IFINDEX, ifindex);
	mnl_attr_put_u8(nlh, AIOTSEC_A_FRAME_TYPE, type);
	mnl_attr_put_u32(nlh, AIOTSEC_A_SID, sid);
	mnl_attr_put(nlh, AIOTSEC_A_PAYLOAD, len, payload);
	if (peer)
		mnl_attr_put(nlh, AIOTSEC_A_PEER_MAC, ETH_ALEN_, peer);
	return nl_talk(&d->req, nlh, NULL, NULL);
}

struct dump_ctx {
	uint32_t ifindex;
	struct kern_sa *sas;
	size_t n, cap;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[AIOTSEC_A_MAX + 1];
	struct dump_ctx *c = data;
	struct kern_sa *n;

	nl_parse_msg(nlh, sizeof(struct genlmsghdr), tb, AIOTSEC_A_MAX);
	if (!tb[AIOTSEC_A_SA])
		return 0;
	if (tb[AIOTSEC_A_IFINDEX] &&
	    nl_get_uint(tb[AIOTSEC_A_IFINDEX]) != c->ifindex)
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		n = realloc(c->sas, c->cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->sas = n;
	}
	sa_parse(tb[AIOTSEC_A_SA], &c->sas[c->n]);
	if (c->sas[c->n].valid)
		c->n++;
	return 0;
}

int kern_sa_dump(struct daemon *d, uint32_t ifindex,
		 void (*cb)(struct daemon *d, const struct kern_sa *sa,
			    void *arg), void *arg)
{
	struct dump_ctx c = { .ifindex = ifindex };
	struct nlmsghdr *nlh;
	size_t i;
	int err;

	nlh = nl_genl_req(&d->req, AIOTSEC_CMD_SA_GET, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, AIOTSEC_A_IFINDEX, ifindex);
	/* collect first: the callback sends requests on the same socket */
	err = nl_talk(&d->req, nlh, dump_cb, &c);
	/* the SAs changed during the dump */
	if (!err && d->req.dump_intr)
		err = -EINTR;
	if (!err)
		for (i = 0; i < c.n; i++)
			cb(d, &c.sas[i], arg);
	free(c.sas);
	return err;
}

static void kern_msg(struct daemon *d, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[AIOTSEC_A_MAX + 1];
	const struct genlmsghdr *genl;

	if (nlh->nlmsg_type != d->ev.family ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return;
	genl = mnl_nlmsg_get_payload(nlh);
	nl_parse_msg(nlh, sizeof(*genl), tb, AIOTSEC_A_MAX);
	if (!tb[AIOTSEC_A_IFINDEX] ||
	    !link_name(d, nl_get_uint(tb[AIOTSEC_A_IFINDEX])))
		return;
	switch (genl->cmd) {
	case AIOTSEC_CMD_FRAME:
		auth_frame(d, tb);
		break;
	case AIOTSEC_CMD_EVENT:
		auth_event(d, tb);
		break;
	}
}

int notif_recv(struct daemon *d, int fd,
	       void (*msg)(struct daemon *d, const struct nlmsghdr *nlh),
	       unsigned *overruns)
{
	static char buf[65536];
	const struct nlmsghdr *nlh;
	int n, i;

	/*
	 * A batch at a time: the socket stays readable for the next round
	 * of the loop, and a steady stream does not hold off the timer
	 * (retransmissions, expiry) or a signal.
	 */
	for (i = 0; i < KERN_RECV_BATCH; i++) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == ENOBUFS) {
				(*overruns)++;
				continue;
			}
			log_err("netlink receive: %s", strerror(errno));
			return -errno;
		}
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n))
			msg(d, nlh);
	}
	return 0;
}

int kern_recv(struct daemon *d, bool frames)
{
	unsigned overruns = 0;
	int err;

	err = notif_recv(d, mnl_socket_get_fd(frames ? d->fr.sk : d->ev.sk),
			 kern_msg, &overruns);
	/* frames lost: the devices send theirs again */
	d->frames_lost += frames ? overruns : 0;
	if (!frames && overruns) {
		/* a soft expiry among them would never come again */
		log_warn("notifications lost (receive buffer overrun): reconciling");
		d->events_lost = true;
	}
	return err;
}
