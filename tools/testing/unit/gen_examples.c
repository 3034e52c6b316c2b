// SPDX-License-Identifier: GPL-2.0
/*
 * Print byte-exact example frames of every suite for the documentation
 * (make -C tools/testing/unit examples).  The key is the TS 33.401
 * Annex C 128-NIA2/128-NEA2 test key; nia2-nea2 uses it as both K_enc
 * and K_int.  Each frame is also unprotected again, and the program
 * fails if that does not give the body back.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <linux/aiotsec.h>

#include "hex.h"
#include "aiotframe.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define KEY	"d3c5d592327fb11c4035c6680af8c6d1"
#define SID	0x00001234u
#define BODY	"READ 0001"

struct example {
	const char *title;
	uint8_t suite;
	uint8_t tag_len;
	uint8_t type;
	int dir;
	int ctr_bits;
	uint64_t counter;
	bool short_form;	/* else the long form */
};

static const struct example examples[] = {
	{ "nia2-nea2: downlink COMMAND, 16-bit counter field",
	  AIOTSEC_SUITE_NIA2_NEA2, 4, AIOTSEC_FT_COMMAND, 1, 16, 5, false },
	{ "nia2: downlink COMMAND, 16-bit counter field",
	  AIOTSEC_SUITE_NIA2, 4, AIOTSEC_FT_COMMAND, 1, 16, 5, false },
	{ "aes-ccm, tag 8: downlink COMMAND, 16-bit counter field",
	  AIOTSEC_SUITE_AES_CCM, 8, AIOTSEC_FT_COMMAND, 1, 16, 5, false },
	{ "aes-gcm: downlink COMMAND, 16-bit counter field",
	  AIOTSEC_SUITE_AES_GCM, 16, AIOTSEC_FT_COMMAND, 1, 16, 5, false },
	{ "aes-gcm: uplink INVENTORY, 32-bit counter field",
	  AIOTSEC_SUITE_AES_GCM, 16, AIOTSEC_FT_INVENTORY, 0, 32,
	  0x100000002ULL, false },
	{ "aes-gcm, short form: downlink COMMAND, 16-bit counter field",
	  AIOTSEC_SUITE_AES_GCM, 16, AIOTSEC_FT_COMMAND, 1, 16, 5, true },
};

static const char *const type_names[] = {
	"AUTH", "INVENTORY", "COMMAND", "RESPONSE", "CONTROL",
};

static void hex(const char *label, const uint8_t *p, size_t n)
{
	printf("  %-16s", label);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static void print_inputs(const struct example *e, const uint8_t *key,
			 size_t klen)
{
	hex(e->suite == AIOTSEC_SUITE_NIA2_NEA2 ? "key (Kenc|Kint)" : "key",
	    key, klen);
	printf("  %-16s0x%08x\n", "SID", SID);
	printf("  %-16s%s (D=%d), %s (type %u), key phase 0\n", "frame",
	       e->dir ? "downlink" : "uplink", e->dir, type_names[e->type],
	       e->type);
	printf("  %-16s0x%llx; on air the low %d bits: 0x%0*llx\n",
	       "counter", (unsigned long long)e->counter, e->ctr_bits,
	       e->ctr_bits / 4,
	       (unsigned long long)(e->counter &
				    ((1ULL << e->ctr_bits) - 1)));
}

/* COUNT/BEARER/DIRECTION, or the AEAD nonce */
static void print_crypto_inputs(const struct example *e)
{
	uint64_t n8 = e->counter | (uint64_t)e->dir << 63;
	uint8_t nonce[AIOT_NONCE_LEN];

	if (e->suite == AIOTSEC_SUITE_NIA2_NEA2 ||
	    e->suite == AIOTSEC_SUITE_NIA2) {
		printf("  %-16sCOUNT=0x%08llx BEARER=0 DIRECTION=%d\n",
		       e->suite == AIOTSEC_SUITE_NIA2 ? "NIA2" : "NEA2, NIA2",
		       (unsigned long long)e->counter, e->dir);
		return;
	}
	for (int i = 0; i < 4; i++)
		nonce[i] = (uint8_t)(SID >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(n8 >> (56 - 8 * i));
	hex("nonce", nonce, sizeof(nonce));
	printf("  %-16sSID || (D << 63 | counter)%s\n", "",
	       e->suite == AIOTSEC_SUITE_AES_CCM ? "; CCM L=3, M=8" : "");
}

/*
 * Unprotect @frame as a receiver whose window ends just below the
 * counter's on-air span would: it must recover the full counter.
 */
static int check(const struct aiot_key *k, const struct example *e,
		 const uint8_t *frame, size_t n, uint64_t *rx_next)
{
	uint8_t out[sizeof(BODY)];
	struct aiot_replay r;
	uint64_t ctr = 0;
	ssize_t m;

	if (aiot_replay_init(&r, 64))
		return -1;
	r.rx_next = e->counter & ~((1ULL << e->ctr_bits) - 1);
	*rx_next = r.rx_next;
	m = aiot_frame_unprotect(k, e->dir, &r, frame, n, NULL, &ctr, out,
				 sizeof(out));
	aiot_replay_free(&r);
	if (m != (ssize_t)strlen(BODY) || memcmp(out, BODY, (size_t)m) ||
	    ctr != e->counter)
		return -1;
	return 0;
}

static int run(const struct example *e)
{
	size_t klen = e->suite == AIOTSEC_SUITE_NIA2_NEA2 ? 32 : 16;
	uint8_t key[AIOT_KEY_MAX], frame[64];
	int hl;
	size_t blen = strlen(BODY);
	struct aiot_key k;
	uint64_t rx_next;
	ssize_t n;
	int ret;

	unhex(KEY, key, 16);
	unhex(KEY, key + 16, 16);
	if (aiot_key_init(&k, e->suite, e->tag_len, key, klen))
		return -1;
	/* the form given: below the minimum, senders use the short one */
	n = aiot_frame_protect_form(&k, e->short_form ? AIOT_FORM_SHORT :
						       AIOT_FORM_LONG,
				    e->type, 0, e->ctr_bits, e->dir, SID,
				    e->counter, (const uint8_t *)BODY, blen,
				    frame, sizeof(frame));
	hl = (e->ctr_bits == 32 ? AIOT_HDR_MAX : AIOT_HDR_MIN) + e->short_form;
	ret = n < 0 ? -1 : check(&k, e, frame, (size_t)n, &rx_next);
	aiot_key_free(&k);
	if (ret)
		return -1;

	printf("== %s ==\n", e->title);
	print_inputs(e, key, klen);
	print_crypto_inputs(e);
	hex("header", frame, hl);
	hex("body in", (const uint8_t *)BODY, blen);
	printf("  %-16s\"%s\"\n", "", BODY);
	hex("frame out", frame, (size_t)n);
	hex("  header", frame, hl);
	hex(e->suite == AIOTSEC_SUITE_NIA2 ? "  body" : "  body (enc)",
	    frame + hl, blen);
	hex(e->suite <= AIOTSEC_SUITE_NIA2 ? "  MAC-I" : "  tag",
	    frame + hl + blen, e->tag_len);
	printf("  %-16sreceiver with rx_next 0x%llx recovers 0x%llx\n\n",
	       "check", (unsigned long long)rx_next,
	       (unsigned long long)e->counter);
	return 0;
}

int main(void)
{
	int ret = 0;

	printf("aiotsec example frames (tools/testing/unit/gen_examples.c)\n"
	       "body \"%s\" = %zu octets; all values hex\n\n", BODY,
	       strlen(BODY));
	for (size_t i = 0; i < ARRAY_SIZE(examples); i++) {
		if (run(&examples[i])) {
			fprintf(stderr, "example %zu failed\n", i);
			ret = 1;
		}
	}
	return ret;
}
