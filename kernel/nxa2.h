/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AIOTSEC_NXA2_H
#define _AIOTSEC_NXA2_H

#include <crypto/aes.h>
#include <crypto/skcipher.h>

#define NIA2_MAC_LEN	4

/* COUNT (32) || BEARER (5) || DIRECTION (1) || 0 (26), then 64 zero bits */
void aiotsec_nxa2_iv(u8 out[AES_BLOCK_SIZE], u32 count, u8 bearer, u8 dir);

/*
 * The CMAC subkey K1 of the key of @cbc, a "cbc(aes)" transform.
 * Process context.
 */
int aiotsec_nia2_subkey(struct crypto_skcipher *cbc, u8 k1[AES_BLOCK_SIZE]);

/* Length of the CBC input for a @len-octet message. */
static inline unsigned int aiotsec_nia2_buf_len(unsigned int len)
{
	return round_up(8 + len, AES_BLOCK_SIZE);
}

/*
 * Lay out the 128-NIA2 input (the 64-bit COUNT/BEARER/DIRECTION block,
 * then @msg) in @buf, padded and with the last block masked with the
 * CMAC subkey, so that the last block of its CBC encryption under K_int
 * with a zero IV is the CMAC, whose first NIA2_MAC_LEN octets are the
 * MAC-I.  @buf holds aiotsec_nia2_buf_len(@len) octets.
 */
void aiotsec_nia2_prepare(u8 *buf, const u8 k1[AES_BLOCK_SIZE], u32 count,
			  u8 bearer, u8 dir, const u8 *msg, unsigned int len);

#endif /* _AIOTSEC_NXA2_H */
