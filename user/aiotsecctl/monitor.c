// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl monitor: print the notifications of the "events" and
 * "frames" multicast groups, one line each, until SIGINT or SIGTERM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/aiotsec.h>

#include "aiotsecctl.h"
#include "json.h"
#include "names.h"
#include "nl.h"
#include "util.h"

#define MONITOR_RCVBUF	(1 << 20)

static volatile sig_atomic_t monitor_stop;

static void monitor_usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROG_NAME " [-j] monitor [ { events | frames | all } ]\n");
}

static void monitor_on_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

static uint64_t attr_uint(const struct nlattr **tb, unsigned int type)
{
	return tb[type] ? nl_get_uint(tb[type]) : 0;
}

static void monitor_dev(const struct nlattr **tb, char dev[IF_NAMESIZE])
{
	uint32_t ifindex = attr_uint(tb, AIOTSEC_A_IFINDEX);

	if (!if_indextoname(ifindex, dev))
		snprintf(dev, IF_NAMESIZE, "if%u", ifindex);
}

static void monitor_event(const struct nlattr **tb)
{
	const char *event = name_of(event_names, NAMES_N(event_names),
				    attr_uint(tb, AIOTSEC_A_EVENT));
	uint32_t sid = attr_uint(tb, AIOTSEC_A_SID);
	char dev[IF_NAMESIZE];

	monitor_dev(tb, dev);
	if (opts.json) {
		json_object_begin(NULL);
		json_string("event", event);
		json_string("dev", dev);
		json_u64("ifindex", attr_uint(tb, AIOTSEC_A_IFINDEX));
		json_u64("sid", sid);
		if (tb[AIOTSEC_A_KEY_PHASE])
			json_u64("key-phase", attr_uint(tb, AIOTSEC_A_KEY_PHASE));
		json_object_end();
		json_end_document();
		return;
	}
	printf("event %s dev %s sid 0x%08x", event, dev, sid);
	if (tb[AIOTSEC_A_KEY_PHASE])
		printf(" key-phase %llu",
		       (unsigned long long)attr_uint(tb, AIOTSEC_A_KEY_PHASE));
	putchar('\n');
}

static void monitor_frame(const struct nlattr **tb)
{
	const char *type = name_of(frame_type_names, NAMES_N(frame_type_names),
				   attr_uint(tb, AIOTSEC_A_FRAME_TYPE));
	const struct nlattr *pl = tb[AIOTSEC_A_PAYLOAD];
	uint32_t sid = attr_uint(tb, AIOTSEC_A_SID);
	uint64_t counter = attr_uint(tb, AIOTSEC_A_COUNTER);
	bool verified = tb[AIOTSEC_A_VERIFIED];
	const uint8_t *payload = pl ? mnl_attr_get_payload(pl) : NULL;
	size_t len = pl ? mnl_attr_get_payload_len(pl) : 0;
	char dev[IF_NAMESIZE], from[MAC_STR_LEN] = "-";

	monitor_dev(tb, dev);
	if (tb[AIOTSEC_A_PEER_MAC] &&
	    mnl_attr_get_payload_len(tb[AIOTSEC_A_PEER_MAC]) == MAC_LEN)
		format_mac(mnl_attr_get_payload(tb[AIOTSEC_A_PEER_MAC]), from);
	if (opts.json) {
		json_object_begin(NULL);
		json_string("frame", type);
		json_string("dev", dev);
		json_u64("ifindex", attr_uint(tb, AIOTSEC_A_IFINDEX));
		json_u64("sid", sid);
		json_u64("counter", counter);
		if (tb[AIOTSEC_A_PEER_MAC])
			json_string("from", from);
		else
			json_null("from");
		json_u64("len", len);
		json_bool("verified", verified);
		json_hex("payload", payload, len);
		json_object_end();
		json_end_document();
		return;
	}
	printf("frame %s dev %s sid 0x%08x counter %llu from %s len %zu%s payload ",
	       type, dev, sid, (unsigned long long)counter, from, len,
	       verified ? " verified" : "");
	print_hex(payload, len);
	putchar('\n');
}

static void monitor_msg(const struct nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[AIOTSEC_A_MAX + 1];
	const struct genlmsghdr *genl;

	if (nlh->nlmsg_type != nl->family ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*genl))
		return;
	genl = mnl_nlmsg_get_payload(nlh);
	nl_parse_msg(nlh, sizeof(*genl), tb, AIOTSEC_A_MAX);
	switch (genl->cmd) {
	case AIOTSEC_CMD_EVENT:
		monitor_event(tb);
		break;
	case AIOTSEC_CMD_FRAME:
		monitor_frame(tb);
		break;
	default:
		return;
	}
	fflush(stdout);
}

/* Receive and print until a signal; an exit status. */
static int monitor_loop(struct nl *nl, const sigset_t *waitmask)
{
	static char buf[65536];
	struct pollfd pfd = {
		.fd = mnl_socket_get_fd(nl->sk),
		.events = POLLIN,
	};
	const struct nlmsghdr *nlh;
	int n;

	while (!monitor_stop) {
		/* signals are blocked but while waiting here: no lost wakeup */
		if (ppoll(&pfd, 1, NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			return error("poll: %s", strerror(errno));
		}
		n = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == ENOBUFS) {
				fprintf(stderr, "Warning: notifications lost (receive buffer overrun)\n");
				continue;
			}
			return error("netlink receive: %s", strerror(errno));
		}
		for (nlh = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, n);
		     nlh = mnl_nlmsg_next(nlh, &n))
			monitor_msg(nl, nlh);
		if (ferror(stdout))
			return error("writing output: %s", strerror(errno));
	}
	return EXIT_OK;
}

static int monitor_run(int argc, char **argv)
{
	static const char ctx[] = "monitor";
	struct sigaction sa = { .sa_handler = monitor_on_signal };
	bool events = true, frames = true;
	sigset_t block, waitmask;
	int rcvbuf = MONITOR_RCVBUF;
	struct nl nl;
	int err;

	if (argc > 1)
		return usage_error(ctx, "unknown argument \"%s\"", argv[1]);
	if (argc == 1) {
		if (!strcmp(argv[0], "events"))
			frames = false;
		else if (!strcmp(argv[0], "frames"))
			events = false;
		else if (strcmp(argv[0], "all"))
			return usage_error(ctx, "unknown group \"%s\" (one of: events, frames, all)",
					   argv[0]);
	}

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	err = nl_genl_open(&nl);
	if (err)
		return err;
	setsockopt(mnl_socket_get_fd(nl.sk), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	err = (events ? nl_join(&nl, nl.grp_events, AIOTSEC_MCGRP_EVENTS) : 0) ?:
	      (frames ? nl_join(&nl, nl.grp_frames, AIOTSEC_MCGRP_FRAMES) : 0) ?:
	      monitor_loop(&nl, &waitmask);
	nl_close(&nl);
	return err;
}

const struct object monitor_object = {
	.name = "monitor",
	.fn = monitor_run,
	.usage = monitor_usage,
};
