// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: the cipher suites.  Each protects a frame laid out as
 * header || body || tag in one linear buffer, in place:
 *
 *   nia2-nea2  body ciphered with 128-NEA2 (K_enc), then a 4-octet MAC-I
 *              with 128-NIA2 (K_int) over header || ciphered body
 *   nia2       4-octet MAC-I with 128-NIA2 over header || body
 *   aes-ccm    AES-128-CCM, tag 4, 8 or 16, header as associated data
 *   aes-gcm    AES-128-GCM, tag 16, header as associated data
 *
 * NIA2/NEA2 use COUNT = counter (so counters stay below 2^32), BEARER = 0
 * and DIRECTION = the direction bit.  The AEAD nonce is
 * SID (32) || DIRECTION (1) || counter (63), so counters stay below 2^63.
 *
 * Transforms are synchronous (CRYPTO_ALG_ASYNC masked out): the fast
 * path runs in softirq or with bottom halves disabled and keeps each
 * AEAD request in a per-CPU scratch area, so no frame allocates.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/percpu.h>
#include <linux/scatterlist.h>
#include <asm/unaligned.h>

#include "aiotsec.h"
#include "nxa2.h"

#define AIOTSEC_AEAD_NONCE_LEN	12
#define AIOTSEC_REQ_SCRATCH	2048
#define NIA2_BEARER		0

struct aiotsec_scratch {
	u8 buf[AIOTSEC_REQ_SCRATCH] __aligned(CRYPTO_MINALIGN);
};

static struct aiotsec_scratch __percpu *aiotsec_scratch;

u64 aiotsec_suite_max_counter(u8 suite)
{
	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
	case AIOTSEC_SUITE_NIA2:
		return 1ULL << 32;
	default:
		return 1ULL << 63;
	}
}

void aiotsec_key_free_tfms(struct aiotsec_key *key)
{
	if (key->aead)
		crypto_free_aead(key->aead);
	if (key->cmac)
		crypto_free_shash(key->cmac);
	if (key->ctr)
		crypto_free_sync_skcipher(key->ctr);
	key->aead = NULL;
	key->cmac = NULL;
	key->ctr = NULL;
}

static int aiotsec_setkey_aead(struct aiotsec_key *key, const char *alg,
			       u8 tag_len, const u8 *k)
{
	struct crypto_aead *tfm;
	int err;

	tfm = crypto_alloc_aead(alg, 0, CRYPTO_ALG_ASYNC);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	key->aead = tfm;
	if (sizeof(struct aead_request) + crypto_aead_reqsize(tfm) >
	    AIOTSEC_REQ_SCRATCH) {
		pr_warn_once("%s needs a larger request area\n", alg);
		return -EOVERFLOW;
	}
	err = crypto_aead_setkey(tfm, k, 16);
	if (err)
		return err;
	return crypto_aead_setauthsize(tfm, tag_len);
}

static int aiotsec_setkey_cmac(struct aiotsec_key *key, const u8 *k)
{
	struct crypto_shash *tfm;

	tfm = crypto_alloc_shash("cmac(aes)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	key->cmac = tfm;
	return crypto_shash_setkey(tfm, k, 16);
}

static int aiotsec_setkey_ctr(struct aiotsec_key *key, const u8 *k)
{
	struct crypto_sync_skcipher *tfm;

	tfm = crypto_alloc_sync_skcipher("ctr(aes)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	key->ctr = tfm;
	return crypto_sync_skcipher_setkey(tfm, k, 16);
}

/*
 * Key the transforms of @key.  @k is K_enc || K_int (32 octets) for
 * nia2-nea2 and 16 octets for every other suite.  On error the caller
 * frees what was allocated with aiotsec_key_free_tfms().
 */
int aiotsec_key_setkey(struct aiotsec_key *key, u8 suite, u8 tag_len,
		       const u8 *k, unsigned int klen)
{
	int err;

	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
		if (klen != 32)
			return -EINVAL;
		err = aiotsec_setkey_ctr(key, k);
		return err ?: aiotsec_setkey_cmac(key, k + 16);
	case AIOTSEC_SUITE_NIA2:
		if (klen != 16)
			return -EINVAL;
		return aiotsec_setkey_cmac(key, k);
	case AIOTSEC_SUITE_AES_CCM:
		if (klen != 16)
			return -EINVAL;
		return aiotsec_setkey_aead(key, "ccm(aes)", tag_len, k);
	case AIOTSEC_SUITE_AES_GCM:
		if (klen != 16)
			return -EINVAL;
		return aiotsec_setkey_aead(key, "gcm(aes)", tag_len, k);
	}
	return -EINVAL;
}

static void aiotsec_aead_nonce(u8 *nonce, u32 sid, u8 dir, u64 counter)
{
	put_unaligned_be32(sid, nonce);
	put_unaligned_be64(counter | (u64)dir << 63, nonce + 4);
}

static int aiotsec_aead_crypt(const struct aiotsec_key *key, u8 suite,
			      u8 tag_len, u32 sid, u8 dir, u64 counter,
			      u8 *frame, unsigned int hdrlen,
			      unsigned int bodylen, bool enc)
{
	struct aead_request *req;
	struct scatterlist sg;
	u8 iv[16] = {};
	int err;

	if (suite == AIOTSEC_SUITE_AES_CCM) {
		/* RFC 3610 L = 3: flags octet L - 1, then a 12-octet nonce */
		iv[0] = 2;
		aiotsec_aead_nonce(iv + 1, sid, dir, counter);
	} else {
		aiotsec_aead_nonce(iv, sid, dir, counter);
	}

	req = (struct aead_request *)this_cpu_ptr(aiotsec_scratch)->buf;
	aead_request_set_tfm(req, key->aead);
	aead_request_set_callback(req, 0, NULL, NULL);
	sg_init_one(&sg, frame, hdrlen + bodylen + tag_len);
	aead_request_set_ad(req, hdrlen);
	if (enc) {
		aead_request_set_crypt(req, &sg, &sg, bodylen, iv);
		err = crypto_aead_encrypt(req);
	} else {
		aead_request_set_crypt(req, &sg, &sg, bodylen + tag_len, iv);
		err = crypto_aead_decrypt(req);
	}
	memzero_explicit(req, sizeof(*req) + crypto_aead_reqsize(key->aead));
	return err;
}

/*
 * Protect @frame = header (@hdrlen) || body (@bodylen) || room for the
 * tag, in place.  Must run with bottom halves disabled.
 */
int aiotsec_seal(const struct aiotsec_key *key, u8 suite, u8 tag_len,
		 u32 sid, u8 dir, u64 counter, u8 *frame, unsigned int hdrlen,
		 unsigned int bodylen)
{
	int err;

	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
		err = aiotsec_nea2(key->ctr, counter, NIA2_BEARER, dir,
				   frame + hdrlen, bodylen);
		if (err)
			return err;
		fallthrough;
	case AIOTSEC_SUITE_NIA2:
		return aiotsec_nia2(key->cmac, counter, NIA2_BEARER, dir, frame,
				    hdrlen + bodylen, frame + hdrlen + bodylen);
	default:
		return aiotsec_aead_crypt(key, suite, tag_len, sid, dir,
					  counter, frame, hdrlen, bodylen,
					  true);
	}
}

/*
 * Verify and decrypt @frame in place; -EBADMSG when the MAC is wrong.
 * Must run with bottom halves disabled.
 */
int aiotsec_open(const struct aiotsec_key *key, u8 suite, u8 tag_len,
		 u32 sid, u8 dir, u64 counter, u8 *frame, unsigned int hdrlen,
		 unsigned int bodylen)
{
	u8 mac[NIA2_MAC_LEN];
	int err;

	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
	case AIOTSEC_SUITE_NIA2:
		err = aiotsec_nia2(key->cmac, counter, NIA2_BEARER, dir, frame,
				   hdrlen + bodylen, mac);
		if (err)
			return err;
		if (crypto_memneq(mac, frame + hdrlen + bodylen, sizeof(mac)))
			return -EBADMSG;
		if (suite == AIOTSEC_SUITE_NIA2)
			return 0;
		return aiotsec_nea2(key->ctr, counter, NIA2_BEARER, dir,
				    frame + hdrlen, bodylen);
	default:
		return aiotsec_aead_crypt(key, suite, tag_len, sid, dir,
					  counter, frame, hdrlen, bodylen,
					  false);
	}
}

int __init aiotsec_crypto_init(void)
{
	aiotsec_scratch = alloc_percpu(struct aiotsec_scratch);
	return aiotsec_scratch ? 0 : -ENOMEM;
}

void aiotsec_crypto_exit(void)
{
	free_percpu(aiotsec_scratch);
}
