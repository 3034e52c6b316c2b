// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecd: the AIOTF security endpoint of aiotsec.
 *
 *	aiotsecd --db PATH --dev IFNAME [--dev IFNAME]... [--hn-key FILE]
 *		 [--hn-key-id N] [--suite nia2-nea2|aes-ccm|aes-gcm]
 *		 [--ctr-bits 16|32] [--log-level debug|info|warn|error]
 *		 [--max-rate N] [--soft-limit FRAMES] [--hard-limit FRAMES]
 *		 [--rekey-retry SECONDS] [--rcvbuf OCTETS] [--audit-keep ROWS]
 *
 * Options, logging, and the one epoll loop: the sockets of the kernel's
 * frames and events, the link notifications, a timerfd (every 100 ms:
 * audit flush, attempt expiry) and a signalfd (SIGINT, SIGTERM: flush,
 * close, exit 0).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/aiotsec.h>

#include "aiotframe.h"
#include "aiotsecd.h"
#include "hex.h"

int log_level = LOG_INFO_;

static const char *const level_names[] = { "error", "warn", "info", "debug" };

void logmsg(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_level)
		return;
	fprintf(stderr, "aiotsecd: %s: ", level_names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Used by aiotsecctl's nl.c. */
int error(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_err("%s", buf);
	return 1;
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: aiotsecd --db PATH --dev IFNAME [--dev IFNAME]... [--hn-key FILE]\n"
		"                [--hn-key-id N]\n"
		"                [--suite nia2-nea2|aes-ccm|aes-gcm] [--ctr-bits 16|32]\n"
		"                [--log-level debug|info|warn|error] [--max-rate N]\n"
		"                [--soft-limit FRAMES] [--hard-limit FRAMES]\n"
		"                [--rekey-retry SECONDS] [--rcvbuf OCTETS] [--audit-keep ROWS]\n");
}

/* The X25519 private key: 32 raw octets or 64 hex digits (white space ok). */
static int read_hn_key(const char *path, uint8_t key[AKA_HN_KEY_LEN])
{
	char buf[256];
	size_t len = 0, n = 0, i;
	ssize_t r;
	int fd, hi = -1, v;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_err("--hn-key %s: %s", path, strerror(errno));
		return -1;
	}
	while (len < sizeof(buf) && (r = read(fd, buf + len, sizeof(buf) - len)) > 0)
		len += r;
	close(fd);
	if (len == AKA_HN_KEY_LEN) {
		memcpy(key, buf, len);
		explicit_bzero(buf, sizeof(buf));
		return 0;
	}
	for (i = 0; i < len; i++) {
		if (isspace((unsigned char)buf[i]))
			continue;
		v = hex_digit((unsigned char)buf[i]);
		if (v < 0 || n == AKA_HN_KEY_LEN)
			goto bad;
		if (hi < 0) {
			hi = v;
		} else {
			key[n++] = hi << 4 | v;
			hi = -1;
		}
	}
	if (n == AKA_HN_KEY_LEN && hi < 0) {
		explicit_bzero(buf, sizeof(buf));
		return 0;
	}
bad:
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(key, AKA_HN_KEY_LEN);
	log_err("--hn-key %s: not an X25519 private key (32 octets raw or hex)",
		path);
	return -1;
}

static int parse_opts(struct daemon *d, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "dev", required_argument, NULL, 'i' },
		{ "hn-key", required_argument, NULL, 'k' },
		{ "hn-key-id", required_argument, NULL, 'K' },
		{ "suite", required_argument, NULL, 's' },
		{ "ctr-bits", required_argument, NULL, 'c' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "max-rate", required_argument, NULL, 'r' },
		{ "soft-limit", required_argument, NULL, 'S' },
		{ "hard-limit", required_argument, NULL, 'H' },
		{ "rekey-retry", required_argument, NULL, 'R' },
		{ "rcvbuf", required_argument, NULL, 'b' },
		{ "audit-keep", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t u;
	int c;
	size_t i;

	d->suite = AIOTSEC_SUITE_AES_GCM;
	d->ctr_bits = 32;
	d->max_rate = DEFAULT_MAX_RATE;
	d->rcvbuf = DEFAULT_RCVBUF;
	d->audit_keep = DEFAULT_AUDIT_KEEP;
	d->rekey_retry_ms = DEFAULT_REKEY_RETRY_MS;
	d->hn_key_id = -1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			d->db_path = optarg;
			break;
		case 'i':
			if (d->n_links == LINKS_MAX) {
				log_err("--dev: at most %d links", LINKS_MAX);
				return 2;
			}
			d->devs[d->n_links++] = optarg;
			break;
		case 'k':
			if (read_hn_key(optarg, d->hn_key))
				return 1;
			d->have_hn_key = true;
			break;
		case 'K':
			if (parse_u64(optarg, 255, &u)) {
				log_err("--hn-key-id: 0 to 255");
				return 2;
			}
			d->hn_key_id = u;
			break;
		case 's':
			if (!strcmp(optarg, "nia2-nea2"))
				d->suite = AIOTSEC_SUITE_NIA2_NEA2;
			else if (!strcmp(optarg, "aes-ccm"))
				d->suite = AIOTSEC_SUITE_AES_CCM;
			else if (!strcmp(optarg, "aes-gcm"))
				d->suite = AIOTSEC_SUITE_AES_GCM;
			else {
				log_err("--suite: nia2-nea2, aes-ccm or aes-gcm");
				return 2;
			}
			break;
		case 'c':
			if (strcmp(optarg, "16") && strcmp(optarg, "32")) {
				log_err("--ctr-bits: 16 or 32");
				return 2;
			}
			d->ctr_bits = atoi(optarg);
			break;
		case 'l':
			for (i = 0; i < 4; i++)
				if (!strcmp(optarg, level_names[i]))
					break;
			if (i == 4) {
				log_err("--log-level: debug, info, warn or error");
				return 2;
			}
			log_level = i;
			break;
		case 'r':
			if (parse_u64(optarg, 1000000, &u) || !u) {
				log_err("--max-rate: 1 to 1000000 attempts per second");
				return 2;
			}
			d->max_rate = u;
			break;
		case 'R':
			if (parse_u64(optarg, REKEY_RETRY_MAX_MS / 1000, &u)) {
				log_err("--rekey-retry: 0 (no retry) to %d seconds",
					REKEY_RETRY_MAX_MS / 1000);
				return 2;
			}
			d->rekey_retry_ms = u * 1000;
			break;
		case 'b':
			if (parse_u64(optarg, 1u << 30, &u) || u < 4096) {
				log_err("--rcvbuf: 4096 to 1073741824 octets");
				return 2;
			}
			d->rcvbuf = u;
			break;
		case 'A':
			if (parse_u64(optarg, UINT64_MAX, &u)) {
				log_err("--audit-keep: a number of rows, 0 for all");
				return 2;
			}
			d->audit_keep = u;
			break;
		case 'S':
		case 'H':
			if (parse_u64(optarg, UINT64_MAX, &u) || !u) {
				log_err("--%s: a number of frames, at least 1",
					c == 'S' ? "soft-limit" : "hard-limit");
				return 2;
			}
			/* inventory SAs are nia2: the kernel refuses more */
			if (u > aiot_suite_max_counter(AIOTSEC_SUITE_NIA2)) {
				log_err("--%s: at most %llu (the frames of a nia2 key, which inventory devices use)",
					c == 'S' ? "soft-limit" : "hard-limit",
					(unsigned long long)
					aiot_suite_max_counter(AIOTSEC_SUITE_NIA2));
				return 2;
			}
			*(c == 'S' ? &d->soft_limit : &d->hard_limit) = u;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || !d->db_path || !d->n_links) {
		usage(stderr);
		return 2;
	}
	if (d->soft_limit && d->hard_limit && d->soft_limit > d->hard_limit) {
		log_err("--soft-limit above --hard-limit");
		return 2;
	}
	return 0;
}

static int epoll_add(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int setup_fds(struct daemon *d)
{
	struct itimerspec its = {
		.it_interval = { 0, TICK_MS * 1000000L },
		.it_value = { 0, TICK_MS * 1000000L },
	};
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	d->sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sfd < 0 || d->tfd < 0 || d->epfd < 0 ||
	    timerfd_settime(d->tfd, 0, &its, NULL) ||
	    epoll_add(d->epfd, d->sfd) || epoll_add(d->epfd, d->tfd) ||
	    epoll_add(d->epfd, mnl_socket_get_fd(d->fr.sk)) ||
	    epoll_add(d->epfd, mnl_socket_get_fd(d->ev.sk)) ||
	    epoll_add(d->epfd, mnl_socket_get_fd(d->rt))) {
		log_err("event loop setup: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int run(struct daemon *d)
{
	int frfd = mnl_socket_get_fd(d->fr.sk);
	int evfd = mnl_socket_get_fd(d->ev.sk);
	int rtfd = mnl_socket_get_fd(d->rt);
	struct epoll_event evs[8];
	struct signalfd_siginfo si;
	uint64_t ticks;
	int n, i;

	for (;;) {
		n = epoll_wait(d->epfd, evs, 8, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("epoll: %s", strerror(errno));
			return 1;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == d->sfd) {
				if (read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
					log_info("signal %u: exiting", si.ssi_signo);
					return 0;
				}
			} else if (fd == d->tfd) {
				if (read(d->tfd, &ticks, sizeof(ticks)) > 0)
					auth_tick(d);
			} else if (fd == frfd || fd == evfd) {
				if (kern_recv(d, fd == frfd) < 0)
					return 1;
			} else if (fd == rtfd) {
				if (links_recv(d) < 0)
					return 1;
			}
		}
	}
}

int main(int argc, char **argv)
{
	static struct daemon d;
	char err[512];
	char links[LINKS_MAX * (IF_NAMESIZE + sizeof(", (ifindex 4294967295)"))];
	bool changed;
	int rc;

	d.sfd = d.tfd = d.epfd = -1;
	rc = parse_opts(&d, argc, argv);
	if (rc)
		return rc;
	if (links_resolve(&d, links, sizeof(links)) || auth_init(&d))
		return 1;
	if (store_open(d.db_path, &d.st, err, sizeof(err))) {
		log_err("store: %s", err);
		return 1;
	}
	if (store_created(d.st))
		log_info("store \"%s\" created: it has no devices yet",
			 d.db_path);
	if (store_warning(d.st))
		log_warn("%s", store_warning(d.st));
	if (kern_open(&d)) {
		store_close(d.st);
		return 1;
	}
	rc = 1;
	/*
	 * The reference for later changes by aiotsecctl; the link watch,
	 * then the SAs: a link created from now on is seen either way.
	 */
	if (store_changed(d.st, &changed) || links_watch_open(&d))
		goto out;
	/* a link whose SAs could not be dumped is tried again in a while */
	auth_reconcile(&d, true);
	if (setup_fds(&d))
		goto out;
	log_info("serving %s, suite %u for command devices, %u-bit counters, %u attempts/s%s",
		 links, d.suite, d.ctr_bits, d.max_rate,
		 d.have_hn_key ? ", SUCI enabled" : "");
	rc = run(&d);
out:
	auth_cleanup(&d);
	links_watch_close(&d);
	kern_close(&d);
	/* store_close() flushes too, but could not say that it failed */
	if (d.st && store_audit_pending(d.st) && store_audit_flush(d.st))
		log_err("audit: %s", store_errmsg(d.st));
	store_close(d.st);
	explicit_bzero(d.hn_key, sizeof(d.hn_key));
	if (d.epfd >= 0)
		close(d.epfd);
	if (d.tfd >= 0)
		close(d.tfd);
	if (d.sfd >= 0)
		close(d.sfd);
	return rc;
}
