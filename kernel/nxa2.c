// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: 128-NIA2 and 128-NEA2 (3GPP TS 33.401 Annex B, TS 33.501
 * Annex D) on top of the kernel crypto API's cmac(aes) and ctr(aes).
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/hash.h>
#include <crypto/skcipher.h>
#include <linux/scatterlist.h>
#include <asm/unaligned.h>

#include "nxa2.h"

/*
 * Both algorithms start from the same 64-bit block:
 * COUNT (32) || BEARER (5) || DIRECTION (1) || 0 (26).
 */
static void nxa2_block(u8 out[8], u32 count, u8 bearer, u8 dir)
{
	put_unaligned_be32(count, out);
	out[4] = (bearer & 0x1f) << 3 | (dir & 1) << 2;
	out[5] = 0;
	out[6] = 0;
	out[7] = 0;
}

int aiotsec_nia2(struct crypto_shash *tfm, u32 count, u8 bearer, u8 dir,
		 const u8 *msg, unsigned int len, u8 mac[NIA2_MAC_LEN])
{
	SHASH_DESC_ON_STACK(desc, tfm);
	u8 full[AES_BLOCK_SIZE];
	u8 head[8];
	int err;

	nxa2_block(head, count, bearer, dir);
	desc->tfm = tfm;
	err = crypto_shash_init(desc) ?:
	      crypto_shash_update(desc, head, sizeof(head)) ?:
	      crypto_shash_finup(desc, msg, len, full);
	shash_desc_zero(desc);
	if (!err)
		memcpy(mac, full, NIA2_MAC_LEN);
	memzero_explicit(full, sizeof(full));
	return err;
}

int aiotsec_nea2(struct crypto_sync_skcipher *tfm, u32 count, u8 bearer,
		 u8 dir, u8 *buf, unsigned int len)
{
	SYNC_SKCIPHER_REQUEST_ON_STACK(req, tfm);
	struct scatterlist sg;
	u8 iv[AES_BLOCK_SIZE] = {};
	int err;

	if (!len)
		return 0;
	nxa2_block(iv, count, bearer, dir);
	sg_init_one(&sg, buf, len);
	skcipher_request_set_sync_tfm(req, tfm);
	skcipher_request_set_callback(req, 0, NULL, NULL);
	skcipher_request_set_crypt(req, &sg, &sg, len, iv);
	err = crypto_skcipher_encrypt(req);
	skcipher_request_zero(req);
	return err;
}
