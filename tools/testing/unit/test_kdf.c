// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests for the TS 33.220 Annex B.2 KDF (user/lib/kdf.c).
 * Vector: /work/shared/vectors/kdf.txt (RFC 5448 test case 1, CK'||IK').
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "tap.h"
#include "hex.h"
#include "kdf.h"

#define V_KEY	"5349fbe098649f948f5d2e973a81c00f" \
		"9744871ad32bf9bbd1dd5ce54e3e2e5a"
#define V_FC	0x20
#define V_P0	"574c414e"	/* "WLAN" */
#define V_P1	"bb52e91c747a"	/* SQN xor AK */
#define V_OUT	"0093962d0dd84aa5684b045c9edffa04" \
		"ccfc230ca74fcc96c0a5d61164f5a76c"

struct kdf_vec {
	uint8_t key[32];
	uint8_t p0[4];
	uint8_t p1[6];
	uint8_t out[KDF_OUT_LEN];
	struct kdf_param prm[2];
};

static void load(struct kdf_vec *v)
{
	HEX(v->key, V_KEY);
	HEX(v->p0, V_P0);
	HEX(v->p1, V_P1);
	HEX(v->out, V_OUT);
	v->prm[0] = (struct kdf_param){ v->p0, sizeof(v->p0) };
	v->prm[1] = (struct kdf_param){ v->p1, sizeof(v->p1) };
}

static void test_vector(const struct kdf_vec *v)
{
	uint8_t out[KDF_OUT_LEN];

	ok(kdf_3gpp(v->key, sizeof(v->key), V_FC, v->prm, 2, out) == 0,
	   "kdf_3gpp returns 0");
	is_mem(out, v->out, sizeof(out), "KDF output = CK' || IK'");
}

/* HMAC-SHA-256 over S built by hand: FC || P0 || L0 || P1 || L1. */
static void test_s_by_hand(const struct kdf_vec *v)
{
	uint8_t s[1 + 4 + 2 + 6 + 2], out[KDF_OUT_LEN], ref[KDF_OUT_LEN];
	size_t outl = 0;

	s[0] = V_FC;
	memcpy(s + 1, v->p0, 4);
	s[5] = 0;
	s[6] = 4;
	memcpy(s + 7, v->p1, 6);
	s[13] = 0;
	s[14] = 6;
	EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, v->key, sizeof(v->key),
		  s, sizeof(s), ref, sizeof(ref), &outl);
	is_mem(ref, v->out, sizeof(ref), "hand-built S reproduces the vector");

	kdf_3gpp(v->key, sizeof(v->key), V_FC, v->prm, 1, out);
	EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, v->key, sizeof(v->key),
		  s, 7, ref, sizeof(ref), &outl);
	is_mem(out, ref, sizeof(out), "one parameter: FC || P0 || L0");
}

static void test_negative(const struct kdf_vec *v)
{
	uint8_t out[KDF_OUT_LEN], both[10];
	struct kdf_param one = { both, sizeof(both) };
	uint8_t key[32];

	kdf_3gpp(v->key, sizeof(v->key), V_FC + 1, v->prm, 2, out);
	ok(memcmp(out, v->out, sizeof(out)), "a different FC differs");

	memcpy(both, v->p0, 4);
	memcpy(both + 4, v->p1, 6);
	kdf_3gpp(v->key, sizeof(v->key), V_FC, &one, 1, out);
	ok(memcmp(out, v->out, sizeof(out)),
	   "P0 || P1 as one parameter differs (lengths are encoded)");

	memcpy(key, v->key, sizeof(key));
	key[31] ^= 1;
	kdf_3gpp(key, sizeof(key), V_FC, v->prm, 2, out);
	ok(memcmp(out, v->out, sizeof(out)), "a flipped key bit differs");
}

static void test_args(const struct kdf_vec *v)
{
	struct kdf_param big = { v->p0, KDF_PARAM_MAX_LEN + 1 };
	uint8_t out[KDF_OUT_LEN];

	ok(kdf_3gpp(v->key, sizeof(v->key), V_FC, &big, 1, out) == -EINVAL,
	   "kdf rejects a parameter longer than 65535 octets");
	ok(kdf_3gpp(v->key, 0, V_FC, v->prm, 2, out) == -EINVAL,
	   "kdf rejects an empty key");
	ok(kdf_3gpp(v->key, sizeof(v->key), V_FC, NULL, 1, out) == -EINVAL,
	   "kdf rejects a NULL parameter array");
	ok(kdf_3gpp(v->key, sizeof(v->key), V_FC, NULL, 0, out) == 0,
	   "kdf accepts FC alone");
}

int main(void)
{
	struct kdf_vec v;

	load(&v);
	test_vector(&v);
	test_s_by_hand(&v);
	test_negative(&v);
	test_args(&v);
	return tap_done();
}
