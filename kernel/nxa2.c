// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: 128-NIA2 and 128-NEA2 (3GPP TS 33.401 Annex B, TS 33.501
 * Annex D).  128-NEA2 is AES-CTR from the COUNT/BEARER/DIRECTION block,
 * one "ctr(aes)" request per frame.  128-NIA2 is AES-CMAC over that
 * 64-bit block and the message; it is computed as one "cbc(aes)"
 * encryption (zero IV) of a buffer whose last block is padded and masked
 * with the CMAC subkey (RFC 4493), so that the whole MAC costs one
 * request instead of one cipher call per block.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/algapi.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "nxa2.h"

void aiotsec_nxa2_iv(u8 out[AES_BLOCK_SIZE], u32 count, u8 bearer, u8 dir)
{
	put_unaligned_be32(count, out);
	out[4] = (bearer & 0x1f) << 3 | (dir & 1) << 2;
	memset(out + 5, 0, AES_BLOCK_SIZE - 5);
}

/* multiplication by x in GF(2^128), the CMAC subkey doubling */
static void nia2_dbl(u8 out[AES_BLOCK_SIZE], const u8 in[AES_BLOCK_SIZE])
{
	u8 msb = in[0] >> 7;
	int i;

	for (i = 0; i < AES_BLOCK_SIZE - 1; i++)
		out[i] = in[i] << 1 | in[i + 1] >> 7;
	out[AES_BLOCK_SIZE - 1] = in[AES_BLOCK_SIZE - 1] << 1 ^ (0x87 & -msb);
}

int aiotsec_nia2_subkey(struct crypto_skcipher *cbc, u8 k1[AES_BLOCK_SIZE])
{
	struct skcipher_request *req;
	u8 iv[AES_BLOCK_SIZE] = {};
	DECLARE_CRYPTO_WAIT(wait);
	struct scatterlist sg;
	u8 *l;
	int err;

	/* L = AES(K, 0): a one-block CBC encryption with a zero IV */
	l = kzalloc(AES_BLOCK_SIZE, GFP_KERNEL);
	req = skcipher_request_alloc(cbc, GFP_KERNEL);
	if (!l || !req) {
		err = -ENOMEM;
		goto out;
	}
	sg_init_one(&sg, l, AES_BLOCK_SIZE);
	skcipher_request_set_callback(req, CRYPTO_TFM_REQ_MAY_SLEEP |
				      CRYPTO_TFM_REQ_MAY_BACKLOG,
				      crypto_req_done, &wait);
	skcipher_request_set_crypt(req, &sg, &sg, AES_BLOCK_SIZE, iv);
	err = crypto_wait_req(crypto_skcipher_encrypt(req), &wait);
	if (!err)
		nia2_dbl(k1, l);
out:
	skcipher_request_free(req);
	kfree_sensitive(l);
	/* CBC left its last ciphertext block, L, in the IV */
	memzero_explicit(iv, sizeof(iv));
	return err;
}

void aiotsec_nia2_prepare(u8 *buf, const u8 k1[AES_BLOCK_SIZE], u32 count,
			  u8 bearer, u8 dir, const u8 *msg, unsigned int len)
{
	unsigned int n = 8 + len, size = aiotsec_nia2_buf_len(len);
	u8 *last = buf + size - AES_BLOCK_SIZE;
	u8 k2[AES_BLOCK_SIZE];

	aiotsec_nxa2_iv(buf, count, bearer, dir);	/* its first 8 octets */
	memcpy(buf + 8, msg, len);
	if (n == size) {
		crypto_xor(last, k1, AES_BLOCK_SIZE);
		return;
	}
	buf[n] = 0x80;
	memset(buf + n + 1, 0, size - n - 1);
	nia2_dbl(k2, k1);
	crypto_xor(last, k2, AES_BLOCK_SIZE);
	memzero_explicit(k2, sizeof(k2));
}
