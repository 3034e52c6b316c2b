// SPDX-License-Identifier: GPL-2.0
/*
 * aiot-frame: protect and verify single AIoT frames with the userspace
 * implementation (user/lib/aiotframe.c, OpenSSL), independent of the
 * kernel's.  Used by the interop tests; handy to decode a capture.
 *
 *   aiot-frame protect SUITE KEYFILE [options] PAYLOADHEX
 *   aiot-frame unprotect SUITE KEYFILE [options] FRAMEHEX
 *
 * options: --type T, --sid N, --dir up|down, --counter N, --ctr-bits 16|32,
 *          --phase 0|1, --tag-len N (default: the suite's, 8 for aes-ccm),
 *          --rx-next N (unprotect: the receiver's next expected counter, for
 *          counter recovery; default 0), --long (protect: the long header
 *          form even below the Ethernet minimum)
 *
 * Frames are the security header, body and tag, in hex, without the
 * Ethernet header.  unprotect prints "type T sid 0xS counter N phase P
 * payload H" and exits 0, or prints the reason and exits 1.
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/aiotsec.h>

#include "aiotframe.h"

#define MAX_FRAME	2048

static const char * const suite_names[] = {
	[AIOTSEC_SUITE_NIA2_NEA2] = "nia2-nea2",
	[AIOTSEC_SUITE_NIA2] = "nia2",
	[AIOTSEC_SUITE_AES_CCM] = "aes-ccm",
	[AIOTSEC_SUITE_AES_GCM] = "aes-gcm",
};

static const char * const type_names[] = {
	[AIOTSEC_FT_AUTH] = "auth",
	[AIOTSEC_FT_INVENTORY] = "inventory",
	[AIOTSEC_FT_COMMAND] = "command",
	[AIOTSEC_FT_RESPONSE] = "response",
	[AIOTSEC_FT_CONTROL] = "control",
};

struct opts {
	int type;
	uint32_t sid;
	int dir;
	uint64_t counter;
	uint64_t rx_next;
	int ctr_bits;
	int phase;
	int tag_len;
	int long_form;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: aiot-frame protect|unprotect SUITE KEYFILE [--type T] [--sid N]\n"
		"       [--dir up|down] [--counter N] [--ctr-bits 16|32] [--phase 0|1]\n"
		"       [--tag-len N] [--rx-next N] [--long] HEX\n");
	exit(2);
}

static int lookup(const char * const *names, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	fprintf(stderr, "aiot-frame: unknown name '%s'\n", s);
	exit(2);
}

static uint64_t number(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s) {
		fprintf(stderr, "aiot-frame: bad number '%s'\n", s);
		exit(2);
	}
	return v;
}

static size_t unhex(const char *s, uint8_t *out, size_t max)
{
	size_t n = strlen(s) / 2, i;
	unsigned int b;

	if (strlen(s) % 2 || n > max)
		goto bad;
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			goto bad;
		out[i] = b;
	}
	return n;
bad:
	fprintf(stderr, "aiot-frame: bad hex string\n");
	exit(2);
}

static size_t read_key(const char *path, uint8_t *key)
{
	uint8_t buf[AIOT_KEY_MAX + 1];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		exit(2);
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n != 16 && n != 32) {
		fprintf(stderr, "aiot-frame: %s: a key file holds 16 or 32 raw octets\n",
			path);
		exit(2);
	}
	memcpy(key, buf, n);
	memset(buf, 0, sizeof(buf));
	return n;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "sid", required_argument, NULL, 's' },
		{ "dir", required_argument, NULL, 'd' },
		{ "counter", required_argument, NULL, 'c' },
		{ "ctr-bits", required_argument, NULL, 'b' },
		{ "phase", required_argument, NULL, 'p' },
		{ "tag-len", required_argument, NULL, 'l' },
		{ "rx-next", required_argument, NULL, 'n' },
		{ "long", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->type = lookup(type_names, 5, optarg);
			break;
		case 's':
			o->sid = number(optarg);
			break;
		case 'd':
			o->dir = !strcmp(optarg, "down") ? AIOT_DIR_DOWNLINK :
							   AIOT_DIR_UPLINK;
			break;
		case 'c':
			o->counter = number(optarg);
			break;
		case 'b':
			o->ctr_bits = number(optarg);
			break;
		case 'p':
			o->phase = number(optarg);
			break;
		case 'l':
			o->tag_len = number(optarg);
			break;
		case 'n':
			o->rx_next = number(optarg);
			break;
		case 'L':
			o->long_form = 1;
			break;
		default:
			usage();
		}
	}
}

static void print_hex(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
}

static int do_protect(const struct aiot_key *k, const struct opts *o,
		      const uint8_t *in, size_t len)
{
	uint8_t out[MAX_FRAME];
	ssize_t n;

	/* AUTH frames have a 16-bit counter field, and no tag */
	n = aiot_frame_protect_form(k, o->long_form ? AIOT_FORM_LONG :
					    AIOT_FORM_AUTO,
				    o->type, o->phase,
				    o->type == AIOTSEC_FT_AUTH ? 16 :
								 o->ctr_bits,
				    o->dir, o->sid, o->counter, in, len, out,
				    sizeof(out));
	if (n < 0) {
		fprintf(stderr, "aiot-frame: protect: %s\n", strerror(-n));
		return 1;
	}
	print_hex(out, n);
	printf("\n");
	return 0;
}

static int do_unprotect(const struct aiot_key *k, const struct opts *o,
			const uint8_t *in, size_t len)
{
	struct aiot_replay replay;
	struct aiot_hdr hdr;
	uint8_t out[MAX_FRAME];
	uint64_t counter;
	ssize_t n;

	if (aiot_replay_init(&replay, AIOT_REPLAY_MAX))
		return 1;
	replay.rx_next = o->rx_next;
	n = aiot_frame_unprotect(k, o->dir, &replay, in, len, &hdr, &counter,
				 out, sizeof(out));
	aiot_replay_free(&replay);
	if (n < 0) {
		printf("%s\n", n == -EBADMSG ? "bad MAC" : strerror(-n));
		return 1;
	}
	printf("type %s sid 0x%08x counter %llu phase %u payload ",
	       type_names[hdr.type], hdr.sid, (unsigned long long)counter,
	       hdr.key_phase);
	print_hex(out, n);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .type = AIOTSEC_FT_INVENTORY, .sid = 1,
			  .dir = AIOT_DIR_UPLINK, .ctr_bits = 32 };
	uint8_t key[AIOT_KEY_MAX], in[MAX_FRAME];
	struct aiot_key k;
	const char *cmd;
	size_t klen, len;
	int suite, ret;

	if (argc < 4)
		usage();
	cmd = argv[1];
	suite = lookup(suite_names, 5, argv[2]);
	klen = read_key(argv[3], key);
	parse_opts(argc - 3, argv + 3, &o);
	if (optind + 3 != argc - 1)
		usage();
	len = unhex(argv[argc - 1], in, sizeof(in));

	/* the kernel's default tag length for aes-ccm */
	if (suite == AIOTSEC_SUITE_AES_CCM && !o.tag_len)
		o.tag_len = 8;
	ret = aiot_key_init(&k, suite, o.tag_len, key, klen);
	memset(key, 0, sizeof(key));
	if (ret) {
		fprintf(stderr, "aiot-frame: key: %s\n", strerror(-ret));
		return 2;
	}
	if (!strcmp(cmd, "protect"))
		ret = do_protect(&k, &o, in, len);
	else if (!strcmp(cmd, "unprotect"))
		ret = do_unprotect(&k, &o, in, len);
	else
		usage();
	aiot_key_free(&k);
	return ret;
}
