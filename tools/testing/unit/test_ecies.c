// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests for ECIES Profile A (user/lib/ecies.c), both the UE
 * (conceal) and the home network (de-conceal) side.
 * Vector: /work/shared/vectors/ecies-profile-a.txt (TS 33.501 C.4.3).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "hex.h"
#include "ecies.h"

#define V_HN_PRIV	"c53c22208b61860b06c62e5406a7b330" \
			"c2b577aa5558981510d128247d38bd1d"
#define V_HN_PUB	"5a8d38864820197c3394b92613b20b91" \
			"633cbd897119273bf8e4a6f4eec0a650"
#define V_EPH_PRIV	"c80949f13ebe61af4ebdbd293ea4f942" \
			"696b9e815d7e8f0096bbf6ed7de62256"
#define V_EPH_PUB	"b2e92f836055a255837debf850b52899" \
			"7ce0201cb82adfe4be1f587d07d8457d"
#define V_SHARED	"028ddf890ec83cdf163947ce45f6ec1a" \
			"0e3070ea5fe57e2b1f05139f3e82422a"
#define V_ENC_KEY	"2ba342cabd2b3b1e5e4e890da11b65f6"
#define V_ICB		"e2622cb0cdd08204e721c8ea9b95a7c6"
#define V_MAC_KEY	"d9846966fb7cf5fcf11266c5957dea60" \
			"b83fff2b7c940690a4bfe57b1eb52bd2"
#define V_PLAIN		"00012080f6"
#define V_CIPHER	"cb02352410"
#define V_MAC_TAG	"cddd9e730ef3fa87"

#define PT_LEN		5

struct vec {
	uint8_t hn_priv[ECIES_A_KEY_LEN];
	uint8_t hn_pub[ECIES_A_KEY_LEN];
	uint8_t eph_priv[ECIES_A_KEY_LEN];
	uint8_t eph_pub[ECIES_A_KEY_LEN];
	uint8_t shared[ECIES_A_KEY_LEN];
	struct ecies_a_keys keys;
	uint8_t plain[PT_LEN];
	uint8_t cipher[PT_LEN];
	uint8_t tag[ECIES_A_TAG_LEN];
};

static void load(struct vec *v)
{
	HEX(v->hn_priv, V_HN_PRIV);
	HEX(v->hn_pub, V_HN_PUB);
	HEX(v->eph_priv, V_EPH_PRIV);
	HEX(v->eph_pub, V_EPH_PUB);
	HEX(v->shared, V_SHARED);
	HEX(v->keys.enc_key, V_ENC_KEY);
	HEX(v->keys.icb, V_ICB);
	HEX(v->keys.mac_key, V_MAC_KEY);
	HEX(v->plain, V_PLAIN);
	HEX(v->cipher, V_CIPHER);
	HEX(v->tag, V_MAC_TAG);
}

static void test_keys(const struct vec *v)
{
	uint8_t pub[ECIES_A_KEY_LEN], z[ECIES_A_KEY_LEN];

	ok(ecies_a_pubkey(v->hn_priv, pub) == 0, "pubkey returns 0");
	is_mem(pub, v->hn_pub, sizeof(pub), "HN public key from private");
	ecies_a_pubkey(v->eph_priv, pub);
	is_mem(pub, v->eph_pub, sizeof(pub), "ephemeral public key");

	ok(ecies_a_shared(v->eph_priv, v->hn_pub, z) == 0,
	   "UE shared secret returns 0");
	is_mem(z, v->shared, sizeof(z), "UE shared secret");
	memset(z, 0, sizeof(z));
	ecies_a_shared(v->hn_priv, v->eph_pub, z);
	is_mem(z, v->shared, sizeof(z), "HN shared secret");
}

static void test_kdf(const struct vec *v)
{
	struct ecies_a_keys k;

	ok(ecies_a_kdf(v->shared, v->eph_pub, &k) == 0, "kdf returns 0");
	is_mem(k.enc_key, v->keys.enc_key, sizeof(k.enc_key),
	       "KDF encryption key");
	is_mem(k.icb, v->keys.icb, sizeof(k.icb), "KDF ICB");
	is_mem(k.mac_key, v->keys.mac_key, sizeof(k.mac_key), "KDF MAC key");
}

static void test_ue_side(const struct vec *v)
{
	uint8_t eph_pub[ECIES_A_KEY_LEN], ct[PT_LEN], tag[ECIES_A_TAG_LEN];

	ok(ecies_a_encrypt(v->hn_pub, v->eph_priv, v->plain, PT_LEN, eph_pub,
			   ct, tag) == 0, "UE encrypt returns 0");
	is_mem(eph_pub, v->eph_pub, sizeof(eph_pub), "UE ephemeral public");
	is_mem(ct, v->cipher, sizeof(ct), "UE ciphertext");
	is_mem(tag, v->tag, sizeof(tag), "UE MAC tag");
}

static void test_hn_side(const struct vec *v)
{
	uint8_t pt[PT_LEN];

	memset(pt, 0, sizeof(pt));
	ok(ecies_a_decrypt(v->hn_priv, v->eph_pub, v->cipher, PT_LEN, v->tag,
			   pt) == 0, "HN decrypt verifies the tag");
	is_mem(pt, v->plain, sizeof(pt), "HN plaintext");
}

/* Wrong tag, ciphertext or ephemeral key: -EBADMSG, nothing written. */
static void test_hn_rejects(const struct vec *v)
{
	uint8_t pt[PT_LEN], ct[PT_LEN], tag[ECIES_A_TAG_LEN];
	uint8_t eph[ECIES_A_KEY_LEN];
	static const uint8_t untouched[PT_LEN] = { 0xee, 0xee, 0xee, 0xee,
						   0xee };
	int ret;

	memcpy(tag, v->tag, sizeof(tag));
	tag[ECIES_A_TAG_LEN - 1] ^= 0x01;
	memset(pt, 0xee, sizeof(pt));
	ret = ecies_a_decrypt(v->hn_priv, v->eph_pub, v->cipher, PT_LEN, tag,
			      pt);
	ok(ret == -EBADMSG, "flipped tag bit: -EBADMSG");
	is_mem(pt, untouched, sizeof(pt), "flipped tag bit: no plaintext");

	memcpy(ct, v->cipher, sizeof(ct));
	ct[0] ^= 0x80;
	ret = ecies_a_decrypt(v->hn_priv, v->eph_pub, ct, PT_LEN, v->tag, pt);
	ok(ret == -EBADMSG, "flipped ciphertext bit: -EBADMSG");

	ret = ecies_a_decrypt(v->hn_priv, v->eph_pub, v->cipher, PT_LEN - 1,
			      v->tag, pt);
	ok(ret == -EBADMSG, "truncated ciphertext: -EBADMSG");

	memcpy(eph, v->eph_pub, sizeof(eph));
	eph[3] ^= 0x04;
	ret = ecies_a_decrypt(v->hn_priv, eph, v->cipher, PT_LEN, v->tag, pt);
	ok(ret == -EBADMSG, "other ephemeral public key: -EBADMSG");

	ret = ecies_a_decrypt(v->eph_priv, v->eph_pub, v->cipher, PT_LEN,
			      v->tag, pt);
	ok(ret == -EBADMSG, "wrong HN private key: -EBADMSG");
	is_mem(pt, untouched, sizeof(pt), "rejected messages wrote nothing");
}

/* A low-order (all-zero) peer point gives a zero secret: refused. */
static void test_low_order(const struct vec *v)
{
	uint8_t zero[ECIES_A_KEY_LEN] = { 0 }, z[ECIES_A_KEY_LEN];
	uint8_t pt[PT_LEN];

	ok(ecies_a_shared(v->hn_priv, zero, z) == -EINVAL,
	   "all-zero peer public key refused");
	ok(ecies_a_decrypt(v->hn_priv, zero, v->cipher, PT_LEN, v->tag,
			   pt) == -EINVAL, "decrypt refuses a zero ephemeral key");
}

/* Fresh ephemeral key: round trip, and a new key each time. */
static void test_random_eph(const struct vec *v)
{
	uint8_t msg[40], ct[40], pt[40], tag[ECIES_A_TAG_LEN];
	uint8_t eph1[ECIES_A_KEY_LEN], eph2[ECIES_A_KEY_LEN];
	size_t i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7);
	ok(ecies_a_encrypt(v->hn_pub, NULL, msg, sizeof(msg), eph1, ct,
			   tag) == 0, "encrypt with a random ephemeral key");
	ok(ecies_a_decrypt(v->hn_priv, eph1, ct, sizeof(ct), tag, pt) == 0,
	   "HN decrypts a random-key message (40 octets, 3 CTR blocks)");
	is_mem(pt, msg, sizeof(pt), "random-key round trip");

	ecies_a_encrypt(v->hn_pub, NULL, msg, sizeof(msg), eph2, ct, tag);
	ok(memcmp(eph1, eph2, sizeof(eph1)),
	   "two encryptions use different ephemeral keys");

	ok(ecies_a_encrypt(v->hn_pub, NULL, NULL, 0, eph1, NULL, tag) == 0 &&
	   ecies_a_decrypt(v->hn_priv, eph1, NULL, 0, tag, NULL) == 0,
	   "empty plaintext round trip");
}

int main(void)
{
	struct vec v;

	load(&v);
	test_keys(&v);
	test_kdf(&v);
	test_ue_side(&v);
	test_hn_side(&v);
	test_hn_rejects(&v);
	test_low_order(&v);
	test_random_eph(&v);
	return tap_done();
}
