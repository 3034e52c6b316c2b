// SPDX-License-Identifier: GPL-2.0
/*
 * aiot-devsim - simulate many AIoT devices on one interface
 *
 *	aiot-devsim --dev IFACE --devices FILE [--hn-pub FILE]
 *		[--hn-key-id N] [--count N] [--rate N] [--frames N]
 *		[--interval MS] [--loss P] [--reorder P] [--timeout S]
 *		[--linger S] [--tid-wait S] [--attack MODE] [--seed N]
 *		[--state FILE] [--mutual] [--ccm-tag N] [-j] [-v]
 *
 * See Documentation/aiot-devsim.1.  Exit status: 0 when every device
 * reached the expected outcome, 1 otherwise, 2 for usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "devsim.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: aiot-devsim --dev IFACE --devices FILE [options]\n"
		"  --hn-pub FILE     home network X25519 public key (32 octets, raw or hex):\n"
		"                    SUCI for devices without a T-ID\n"
		"  --hn-key-id N     key id put in the SUCI (default 0)\n"
		"  --count N         the first N devices of the file (default all)\n"
		"  --rate N          attempts started per second (default 100)\n"
		"  --frames N        inventory frames per device after the T-ID (default 0)\n"
		"  --interval MS     between two frames of a device (default 20)\n"
		"  --loss P          drop this fraction of sent and received frames\n"
		"  --reorder P       delay this fraction of sent frames by 5-50 ms\n"
		"  --timeout S       end of the run (default 30 + count / rate)\n"
		"  --linger S        keep answering COMMAND frames S seconds when done\n"
		"  --tid-wait S      wait for T-ID-ASSIGN after ACCEPT (default 5)\n"
		"  --attack MODE     replay, wrong-key, forged-tid, replay-frames,\n"
		"                    forged-frames\n"
		"  --seed N          seed of loss, reorder (default: time)\n"
		"  --state FILE      load and save T-IDs and SQNs across runs\n"
		"  --mutual          every device asks for mutual authentication\n"
		"  --ccm-tag N       aes-ccm tag length of the SAs (default 8)\n"
		"  -j, --json        JSON report\n"
		"  -v, --verbose     per-device results (-vv: events as they happen)\n");
}

struct ctx {
	struct io io;
	int verbose;
	bool json;
};

static void ops_send(void *arg, struct dsim_dev *d, const uint8_t *frame,
		     size_t len)
{
	struct ctx *c = arg;

	io_send(&c->io, d->reader_known ? d->reader : NULL, frame, len);
}

static void ops_event(void *arg, struct dsim_dev *d, const char *what)
{
	struct ctx *c = arg;

	if (c->verbose >= 2)
		fprintf(stderr, "%llu %s: %s\n", (unsigned long long)c->io.now,
			d->pid, what);
}

static int parse_num(const char *opt, const char *s, double lo, double hi,
		     double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "aiot-devsim: --%s: %g to %g\n", opt, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "devices", required_argument, NULL, 'D' },
		{ "hn-pub", required_argument, NULL, 'H' },
		{ "hn-key-id", required_argument, NULL, 'K' },
		{ "count", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "frames", required_argument, NULL, 'f' },
		{ "interval", required_argument, NULL, 'i' },
		{ "loss", required_argument, NULL, 'l' },
		{ "reorder", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' },
		{ "linger", required_argument, NULL, 'L' },
		{ "tid-wait", required_argument, NULL, 'w' },
		{ "attack", required_argument, NULL, 'a' },
		{ "seed", required_argument, NULL, 's' },
		{ "state", required_argument, NULL, 'S' },
		{ "mutual", no_argument, NULL, 'm' },
		{ "ccm-tag", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *ifname = NULL, *devfile = NULL, *hnfile = NULL;
	const char *statefile = NULL;
	double count = 0, rate = 100, timeout = -1, linger = 0, v;
	double loss = 0, reorder = 0, seed_d = -1;
	struct dsim_config cfg;
	struct dsim_ops ops = { .send = ops_send, .event = ops_event };
	struct report_info ri;
	struct dsim_totals tot;
	struct dsim s;
	struct ctx c;
	uint64_t t0, end, linger_until = 0, seed, now;
	double cpu0;
	size_t i;
	int opt, ret;
	bool strict_tid;

	memset(&c, 0, sizeof(c));
	c.io.fd = -1;
	dsim_config_defaults(&cfg);
	while ((opt = getopt_long(argc, argv, "jvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'd':
			ifname = optarg;
			break;
		case 'D':
			devfile = optarg;
			break;
		case 'H':
			hnfile = optarg;
			break;
		case 'K':
			if (parse_num("hn-key-id", optarg, 0, 255, &v))
				return 2;
			cfg.hn_key_id = (uint8_t)v;
			break;
		case 'n':
			if (parse_num("count", optarg, 1, 1e7, &count))
				return 2;
			break;
		case 'r':
			if (parse_num("rate", optarg, 0.001, 1e6, &rate))
				return 2;
			break;
		case 'f':
			if (parse_num("frames", optarg, 0, 1e6, &v))
				return 2;
			cfg.frames = (unsigned int)v;
			break;
		case 'i':
			if (parse_num("interval", optarg, 0, 60000, &v))
				return 2;
			cfg.frame_interval_ms = (unsigned int)v;
			break;
		case 'l':
			if (parse_num("loss", optarg, 0, 1, &loss))
				return 2;
			break;
		case 'o':
			if (parse_num("reorder", optarg, 0, 1, &reorder))
				return 2;
			break;
		case 't':
			if (parse_num("timeout", optarg, 0.001, 1e6, &timeout))
				return 2;
			break;
		case 'L':
			if (parse_num("linger", optarg, 0, 1e6, &linger))
				return 2;
			break;
		case 'w':
			if (parse_num("tid-wait", optarg, 0, 3600, &v))
				return 2;
			cfg.tid_wait_ms = (unsigned int)(v * 1000);
			break;
		case 'a':
			if (dsim_attack_parse(optarg, &cfg.attack)) {
				fprintf(stderr, "aiot-devsim: --attack: replay, "
					"wrong-key, forged-tid, "
					"replay-frames or forged-frames\n");
				return 2;
			}
			break;
		case 's':
			if (parse_num("seed", optarg, 0, 1.8e19, &seed_d))
				return 2;
			break;
		case 'S':
			statefile = optarg;
			break;
		case 'm':
			cfg.force_mutual = true;
			break;
		case 'c':
			if (parse_num("ccm-tag", optarg, 4, 16, &v) ||
			    (v != 4 && v != 8 && v != 16)) {
				fprintf(stderr, "aiot-devsim: --ccm-tag: 4, 8 "
					"or 16\n");
				return 2;
			}
			cfg.ccm_tag_len = (uint8_t)v;
			break;
		case 'j':
			c.json = true;
			break;
		case 'v':
			c.verbose++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !ifname || !devfile) {
		usage(stderr);
		return 2;
	}
	if (hnfile) {
		ret = read_key32(hnfile, cfg.hn_pub);
		if (ret) {
			fprintf(stderr, "aiot-devsim: --hn-pub %s: %s\n", hnfile,
				ret == -EINVAL ? "want 32 octets, raw or hex"
					       : strerror(-ret));
			return 2;
		}
		cfg.have_hn = true;
	}
	seed = seed_d >= 0 ? (uint64_t)seed_d
			   : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

	if (devices_load(devfile, (size_t)count, &s, &cfg, &ops, &c))
		return 2;
	if (statefile) {
		ret = state_load(statefile, &s);
		if (ret < 0) {
			fprintf(stderr, "aiot-devsim: --state %s: %s\n",
				statefile, strerror(-ret));
			dsim_free(&s);
			return 2;
		}
	}
	if (!cfg.have_hn && cfg.attack != DSIM_ATTACK_FORGED_TID) {
		for (i = 0; i < s.ndevs; i++) {
			if (!s.devs[i].has_tid) {
				fprintf(stderr, "aiot-devsim: device %s has no "
					"T-ID: --hn-pub needed for its SUCI\n",
					s.devs[i].pid);
				dsim_free(&s);
				return 2;
			}
		}
	}
	if (io_open(&c.io, ifname, loss, reorder, seed)) {
		dsim_free(&s);
		return 1;
	}
	if (timeout < 0)
		timeout = 30 + (double)s.ndevs / rate;
	/* a lossy air may lose every T-ID-ASSIGN within --tid-wait */
	strict_tid = loss == 0;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	cpu0 = cpu_s();
	t0 = now_ms();
	c.io.now = t0;
	for (i = 0; i < s.ndevs; i++)
		dsim_schedule(&s, &s.devs[i],
			      t0 + (uint64_t)((double)i * 1000.0 / rate));
	end = t0 + (uint64_t)(timeout * 1000);
	now = t0;
	while (!stop) {
		struct pollfd pfd = { .fd = c.io.fd, .events = POLLIN };
		uint64_t next, t;
		int wait;

		now = now_ms();
		c.io.now = now;
		dsim_run_timers(&s, now);
		io_flush(&c.io);
		if (dsim_all_finished(&s) && !c.io.nheld) {
			if (!linger_until)
				linger_until = now + (uint64_t)(linger * 1000);
			if (now >= linger_until)
				break;
		}
		if (now >= end)
			break;
		next = end;
		t = dsim_next_deadline(&s);
		if (t < next)
			next = t;
		t = io_next_deadline(&c.io);
		if (t < next)
			next = t;
		if (linger_until && linger_until < next)
			next = linger_until;
		wait = next <= now ? 0 : next - now > 1000 ? 1000
						      : (int)(next - now);
		ret = poll(&pfd, 1, wait);
		if (ret < 0 && errno != EINTR) {
			perror("aiot-devsim: poll");
			break;
		}
		if (ret > 0) {
			c.io.now = now_ms();
			io_recv(&c.io, &s);
		}
	}
	now = now_ms();
	dsim_finish(&s, now);
	dsim_totals(&s, strict_tid, &tot);

	memset(&ri, 0, sizeof(ri));
	ri.dev = ifname;
	ri.attack = dsim_attack_name(cfg.attack);
	ri.seed = seed;
	ri.elapsed = (double)(now - t0) / 1000.0;
	ri.cpu = cpu_s() - cpu0;
	ri.loss = loss;
	ri.reorder = reorder;
	ri.strict_tid = strict_tid;
	ri.io = &c.io;
	if (c.json)
		report_json(&s, &tot, &ri, c.verbose > 0);
	else
		report_text(&s, &tot, &ri, c.verbose > 0);
	fflush(stdout);

	ret = tot.expected == tot.devices && !stop ? 0 : 1;
	if (statefile) {
		int r = state_save(statefile, &s);

		if (r) {
			fprintf(stderr, "aiot-devsim: --state %s: %s\n",
				statefile, strerror(-r));
			ret = 1;
		}
	}
	io_close(&c.io);
	dsim_free(&s);
	return ret;
}
