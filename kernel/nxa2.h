/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _AIOTSEC_NXA2_H
#define _AIOTSEC_NXA2_H

#include <crypto/aes.h>
#include <crypto/hash.h>
#include <crypto/skcipher.h>

#define NIA2_MAC_LEN	4

/*
 * @tfm is a "cmac(aes)" transform keyed with the 128-bit integrity key.
 * @msg/@len is the message, a whole number of octets.
 */
int aiotsec_nia2(struct crypto_shash *tfm, u32 count, u8 bearer, u8 dir,
		 const u8 *msg, unsigned int len, u8 mac[NIA2_MAC_LEN]);

/*
 * @tfm is a "ctr(aes)" transform keyed with the 128-bit ciphering key.
 * Encrypts or decrypts @buf/@len in place.
 */
int aiotsec_nea2(struct crypto_sync_skcipher *tfm, u32 count, u8 bearer,
		 u8 dir, u8 *buf, unsigned int len);

#endif /* _AIOTSEC_NXA2_H */
