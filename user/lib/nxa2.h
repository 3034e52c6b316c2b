/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 128-NEA2 (AES-CTR) and 128-NIA2 (AES-CMAC) per TS 33.401 Annex B.
 *
 * Message lengths are given in bits, as in the specification.  When a
 * length is not a multiple of 8, only the leading bits of the last octet
 * are significant: nea2() clears the unused trailing bits of its output
 * and nia2() ignores them in its input.
 */
#ifndef AIOTSEC_USER_NXA2_H
#define AIOTSEC_USER_NXA2_H

#include <stddef.h>
#include <stdint.h>

#define NXA2_KEY_LEN		16
#define NXA2_BEARER_MAX		0x1f	/* BEARER is a 5-bit field */
#define NIA2_MAC_LEN		4
#define AES_CMAC_LEN		16

/*
 * Encrypt or decrypt (the same operation) @nbits bits from @in to @out.
 * @in and @out may be the same buffer.  Returns 0, or -EINVAL on a bad
 * argument, -ENOMEM or -EIO on a libcrypto failure.
 */
int nea2(const uint8_t key[NXA2_KEY_LEN], uint32_t count, uint8_t bearer,
	 uint8_t dir, const uint8_t *in, uint8_t *out, size_t nbits);

/*
 * Compute the 32-bit MAC-I over the first @nbits bits of @msg.
 * Returns 0 or a negative errno value as nea2().
 */
int nia2(const uint8_t key[NXA2_KEY_LEN], uint32_t count, uint8_t bearer,
	 uint8_t dir, const uint8_t *msg, size_t nbits,
	 uint8_t mac[NIA2_MAC_LEN]);

/*
 * AES-128-CMAC (NIST SP 800-38B) of a bit string: the first @nbits bits
 * of @msg.  For whole octets this is the RFC 4493 AES-CMAC.
 */
int aes128_cmac(const uint8_t key[NXA2_KEY_LEN], const uint8_t *msg,
		size_t nbits, uint8_t tag[AES_CMAC_LEN]);

#endif /* AIOTSEC_USER_NXA2_H */
