// SPDX-License-Identifier: GPL-2.0
/*
 * sa-bulk: install (or remove) many aiotsec SAs through one generic
 * netlink socket, as fast as the kernel takes them.  A benchmark tool:
 * the operator's CLI does one SA per process, which cannot measure what
 * the kernel's SA_NEW costs.
 *
 *   sa-bulk -d DEV -c COUNT [-f FIRST_SID] [-s SUITE] [-p PROFILE]
 *           [-t TAG_LEN] [-w WINDOW] [-b BATCH] [-k SEED] [-D] [-j]
 *
 * BATCH requests (default 64), each with NLM_F_ACK, go out in one
 * sendmsg(); the kernel handles them one after the other and queues one
 * ack each, which are read before the next batch.  SIDs are FIRST_SID,
 * FIRST_SID + 1, ...; the key of SID s is derived from SEED and s (never
 * a real key).  -D deletes the SIDs instead.  Prints one line: COUNT,
 * seconds, microseconds per SA and SAs per second (JSON with -j).  Exit
 * status 1 if any request failed (the first error is printed).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/aiotsec.h>

#define MAX_BATCH	256
/* one SA_NEW is about 100 octets; room for a full batch */
#define SEND_BUF	(MAX_BATCH * 256)
#define RECV_BUF	65536

static char sbuf[SEND_BUF];
static char rbuf[RECV_BUF];

struct opts {
	const char *dev;
	unsigned long count;
	uint32_t first_sid;
	uint8_t suite;
	uint8_t profile;
	uint8_t tag_len;
	uint32_t window;
	unsigned int batch;
	uint64_t seed;
	bool del;
	bool json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: sa-bulk -d DEV -c COUNT [-f FIRST_SID] [-s SUITE] [-p PROFILE]\n"
		"               [-t TAG_LEN] [-w WINDOW] [-b BATCH] [-k SEED] [-D] [-j]\n"
		"SUITE := nia2-nea2 | nia2 | aes-ccm | aes-gcm (default aes-gcm)\n"
		"PROFILE := inventory | command (default: command, inventory for nia2)\n"
		"BATCH: requests per sendmsg, 1 to %d (default 64)\n"
		"-D: delete SIDs FIRST_SID .. FIRST_SID + COUNT - 1 instead\n",
		MAX_BATCH);
}

static int parse_suite(const char *s)
{
	static const char *const names[] = {
		[AIOTSEC_SUITE_NIA2_NEA2] = "nia2-nea2",
		[AIOTSEC_SUITE_NIA2] = "nia2",
		[AIOTSEC_SUITE_AES_CCM] = "aes-ccm",
		[AIOTSEC_SUITE_AES_GCM] = "aes-gcm",
	};
	int i;

	for (i = 1; i <= AIOTSEC_SUITE_MAX; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static unsigned long parse_num(const char *s, const char *what,
			       unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, "sa-bulk: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

/* splitmix64: a deterministic, index-derived test key */
static uint64_t mix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void derive_key(uint8_t *key, unsigned int len, uint64_t seed,
		       uint32_t sid)
{
	uint64_t st = seed ^ ((uint64_t)sid << 17);
	unsigned int i;
	uint64_t w = 0;

	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			w = mix(&st);
		key[i] = w >> (8 * (i % 8));
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CTRL_CMD_GETFAMILY "aiotsec": the family's id, or -1 */
static int family_attr_cb(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == CTRL_ATTR_FAMILY_ID &&
	    mnl_attr_validate(attr, MNL_TYPE_U16) >= 0)
		*(int *)data = mnl_attr_get_u16(attr);
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr_cb, data);
	return MNL_CB_OK;
}

static int resolve_family(struct mnl_socket *nl, uint32_t portid)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(sbuf);
	struct genlmsghdr *genl;
	int id = -1, ret;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 1;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, AIOTSEC_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		ret = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (ret <= 0)
			return -1;
		ret = mnl_cb_run(rbuf, ret, 1, portid, family_cb, &id);
	} while (ret > 0);
	return ret < 0 ? -1 : id;
}

static void put_sa_new(struct nlmsghdr *nlh, const struct opts *o,
		       uint32_t sid)
{
	unsigned int klen = o->suite == AIOTSEC_SUITE_NIA2_NEA2 ? 32 : 16;
	uint8_t key[AIOTSEC_MAX_KEY_LEN];
	struct nlattr *nest;

	derive_key(key, klen, o->seed, sid);
	nest = mnl_attr_nest_start(nlh, AIOTSEC_A_SA);
	mnl_attr_put_u32(nlh, AIOTSEC_SA_A_SID, sid);
	mnl_attr_put_u8(nlh, AIOTSEC_SA_A_SUITE, o->suite);
	mnl_attr_put_u8(nlh, AIOTSEC_SA_A_PROFILE, o->profile);
	mnl_attr_put(nlh, AIOTSEC_SA_A_KEY, klen, key);
	if (o->tag_len)
		mnl_attr_put_u8(nlh, AIOTSEC_SA_A_TAG_LEN, o->tag_len);
	if (o->window)
		mnl_attr_put_u32(nlh, AIOTSEC_SA_A_REPLAY_WINDOW, o->window);
	mnl_attr_nest_end(nlh, nest);
}

static void put_sa_del(struct nlmsghdr *nlh, uint32_t sid)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, AIOTSEC_A_SA);

	mnl_attr_put_u32(nlh, AIOTSEC_SA_A_SID, sid);
	mnl_attr_nest_end(nlh, nest);
}

/* the extended ack's message, if any */
static const char *extack_msg(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	unsigned int off = sizeof(*nlh) + sizeof(*err);
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(err->msg);
	if (off >= nlh->nlmsg_len)
		return NULL;
	mnl_attr_for_each_payload((const void *)((const char *)nlh + off),
				  nlh->nlmsg_len - off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG)
			return mnl_attr_get_str(attr);
	}
	return NULL;
}

/*
 * Read acks until @want have come; count failures in @failed and print
 * the first.  Returns -1 when the socket fails.
 */
static int read_acks(struct mnl_socket *nl, unsigned int want,
		     unsigned long *failed, bool *printed)
{
	unsigned int got = 0;

	while (got < want) {
		int len = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		const struct nlmsghdr *nlh;

		if (len <= 0) {
			perror("sa-bulk: recv");
			return -1;
		}
		for (nlh = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e;
			const char *msg;

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			got++;
			e = mnl_nlmsg_get_payload(nlh);
			if (!e->error)
				continue;
			(*failed)++;
			if (*printed)
				continue;
			*printed = true;
			msg = extack_msg(nlh);
			fprintf(stderr, "sa-bulk: request %u failed: %s%s%s\n",
				nlh->nlmsg_seq, strerror(-e->error),
				msg ? ": " : "", msg ? msg : "");
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .first_sid = 0x10000000, .batch = 64,
			  .seed = 0x61696f74ULL };
	unsigned long done = 0, failed = 0;
	struct mnl_socket *nl;
	unsigned int ifindex;
	bool printed = false;
	uint32_t portid;
	int family, c, one = 1;
	double t0, t;

	o.suite = AIOTSEC_SUITE_AES_GCM;
	while ((c = getopt(argc, argv, "d:c:f:s:p:t:w:b:k:Djh")) != -1) {
		switch (c) {
		case 'd':
			o.dev = optarg;
			break;
		case 'c':
			o.count = parse_num(optarg, "count", 1UL << 32);
			break;
		case 'f':
			o.first_sid = parse_num(optarg, "SID", UINT32_MAX);
			break;
		case 's':
			c = parse_suite(optarg);
			if (c < 0) {
				fprintf(stderr, "sa-bulk: bad suite '%s'\n",
					optarg);
				return 2;
			}
			o.suite = c;
			break;
		case 'p':
			if (!strcmp(optarg, "inventory")) {
				o.profile = AIOTSEC_PROFILE_INVENTORY;
			} else if (!strcmp(optarg, "command")) {
				o.profile = AIOTSEC_PROFILE_COMMAND;
			} else {
				fprintf(stderr, "sa-bulk: bad profile '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 't':
			o.tag_len = parse_num(optarg, "tag length", 16);
			break;
		case 'w':
			o.window = parse_num(optarg, "window", 8192);
			break;
		case 'b':
			o.batch = parse_num(optarg, "batch", MAX_BATCH);
			break;
		case 'k':
			o.seed = parse_num(optarg, "seed", ULONG_MAX);
			break;
		case 'D':
			o.del = true;
			break;
		case 'j':
			o.json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!o.dev || !o.count || !o.batch || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!o.profile)
		o.profile = o.suite == AIOTSEC_SUITE_NIA2 ?
			    AIOTSEC_PROFILE_INVENTORY : AIOTSEC_PROFILE_COMMAND;
	if ((uint64_t)o.first_sid + o.count - 1 > UINT32_MAX || !o.first_sid) {
		fprintf(stderr, "sa-bulk: SIDs out of range\n");
		return 2;
	}
	ifindex = if_nametoindex(o.dev);
	if (!ifindex) {
		fprintf(stderr, "sa-bulk: no device %s\n", o.dev);
		return 2;
	}

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("sa-bulk: netlink socket");
		return 1;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	portid = mnl_socket_get_portid(nl);
	family = resolve_family(nl, portid);
	if (family < 0) {
		fprintf(stderr, "sa-bulk: no generic netlink family %s (module not loaded?)\n",
			AIOTSEC_GENL_NAME);
		return 1;
	}

	t0 = now();
	while (done < o.count) {
		unsigned int n = o.count - done < o.batch ? o.count - done :
							     o.batch;
		size_t off = 0;
		unsigned int i;

		for (i = 0; i < n; i++) {
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(sbuf + off);
			struct genlmsghdr *genl;
			uint32_t sid = o.first_sid + done + i;

			nlh->nlmsg_type = family;
			nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
			nlh->nlmsg_seq = done + i + 2;
			genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
			genl->cmd = o.del ? AIOTSEC_CMD_SA_DEL :
					    AIOTSEC_CMD_SA_NEW;
			genl->version = AIOTSEC_GENL_VERSION;
			mnl_attr_put_u32(nlh, AIOTSEC_A_IFINDEX, ifindex);
			if (o.del)
				put_sa_del(nlh, sid);
			else
				put_sa_new(nlh, &o, sid);
			off += NLMSG_ALIGN(nlh->nlmsg_len);
		}
		if (mnl_socket_sendto(nl, sbuf, off) < 0) {
			perror("sa-bulk: send");
			return 1;
		}
		if (read_acks(nl, n, &failed, &printed))
			return 1;
		done += n;
	}
	t = now() - t0;
	explicit_bzero(sbuf, sizeof(sbuf));
	mnl_socket_close(nl);

	if (o.json)
		printf("{\"op\":\"%s\",\"count\":%lu,\"failed\":%lu,\"seconds\":%.6f,"
		       "\"us_per_sa\":%.3f,\"sa_per_second\":%.1f}\n",
		       o.del ? "del" : "add", done, failed, t, t * 1e6 / done,
		       done / t);
	else
		printf("%s %lu SAs (%lu failed) in %.3f s: %.1f us/SA, %.0f SAs/s\n",
		       o.del ? "deleted" : "added", done, failed, t,
		       t * 1e6 / done, done / t);
	return failed ? 1 : 0;
}
