/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ECIES Profile A of TS 33.501 Annex C.3 (SUCI protection scheme 1):
 * X25519, ANSI X9.63 KDF with SHA-256 and SharedInfo1 = the ephemeral
 * public key, giving encryption key (16) || ICB (16) || MAC key (32);
 * AES-128-CTR; HMAC-SHA-256 over the ciphertext truncated to 8 octets.
 *
 * The scheme output is eph_pub || cipher || tag; these are kept as
 * separate buffers here.  All functions return 0 or a negative errno:
 * -EINVAL for a bad argument or an unusable X25519 key, -EBADMSG for a
 * MAC tag mismatch, -ENOMEM / -EIO for a libcrypto failure.
 */
#ifndef AIOTSEC_USER_ECIES_H
#define AIOTSEC_USER_ECIES_H

#include <stddef.h>
#include <stdint.h>

#define ECIES_A_KEY_LEN		32	/* X25519 private/public/shared */
#define ECIES_A_ENC_KEY_LEN	16
#define ECIES_A_ICB_LEN		16
#define ECIES_A_MAC_KEY_LEN	32
#define ECIES_A_TAG_LEN		8

struct ecies_a_keys {
	uint8_t enc_key[ECIES_A_ENC_KEY_LEN];
	uint8_t icb[ECIES_A_ICB_LEN];
	uint8_t mac_key[ECIES_A_MAC_KEY_LEN];
};

/* X25519 public key of @priv. */
int ecies_a_pubkey(const uint8_t priv[ECIES_A_KEY_LEN],
		   uint8_t pub[ECIES_A_KEY_LEN]);

/* X25519(priv, peer); fails with -EINVAL on an all-zero result. */
int ecies_a_shared(const uint8_t priv[ECIES_A_KEY_LEN],
		   const uint8_t peer[ECIES_A_KEY_LEN],
		   uint8_t shared[ECIES_A_KEY_LEN]);

/* X9.63 KDF of the shared secret, SharedInfo1 = ephemeral public key. */
int ecies_a_kdf(const uint8_t shared[ECIES_A_KEY_LEN],
		const uint8_t eph_pub[ECIES_A_KEY_LEN],
		struct ecies_a_keys *keys);

/*
 * UE side: conceal @len octets of @plain for the home network key
 * @hn_pub.  @eph_priv is the ephemeral private key; pass NULL to have a
 * fresh one generated.  Writes the ephemeral public key, @len octets of
 * ciphertext and the MAC tag.
 */
int ecies_a_encrypt(const uint8_t hn_pub[ECIES_A_KEY_LEN],
		    const uint8_t *eph_priv, const uint8_t *plain,
		    size_t len, uint8_t eph_pub[ECIES_A_KEY_LEN],
		    uint8_t *cipher, uint8_t tag[ECIES_A_TAG_LEN]);

/*
 * Home network side: verify @tag over @cipher and, only if it matches,
 * write @len octets of plaintext to @plain.  Returns -EBADMSG on a
 * mismatch, leaving @plain untouched.
 */
int ecies_a_decrypt(const uint8_t hn_priv[ECIES_A_KEY_LEN],
		    const uint8_t eph_pub[ECIES_A_KEY_LEN],
		    const uint8_t *cipher, size_t len,
		    const uint8_t tag[ECIES_A_TAG_LEN], uint8_t *plain);

#endif /* AIOTSEC_USER_ECIES_H */
