// SPDX-License-Identifier: GPL-2.0
/*
 * ECIES Profile A (TS 33.501 Annex C.3.2) on libcrypto: X25519 key
 * agreement, the X963KDF EVP_KDF, AES-128-CTR and HMAC-SHA-256.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "ecies.h"

#define ECIES_A_KDF_LEN		(ECIES_A_ENC_KEY_LEN + ECIES_A_ICB_LEN + \
				 ECIES_A_MAC_KEY_LEN)
#define HMAC_SHA256_LEN		32

static EVP_PKEY *x25519_priv(const uint8_t priv[ECIES_A_KEY_LEN])
{
	return EVP_PKEY_new_raw_private_key_ex(NULL, "X25519", NULL, priv,
					       ECIES_A_KEY_LEN);
}

static EVP_PKEY *x25519_pub(const uint8_t pub[ECIES_A_KEY_LEN])
{
	return EVP_PKEY_new_raw_public_key_ex(NULL, "X25519", NULL, pub,
					      ECIES_A_KEY_LEN);
}

int ecies_a_pubkey(const uint8_t priv[ECIES_A_KEY_LEN],
		   uint8_t pub[ECIES_A_KEY_LEN])
{
	size_t len = ECIES_A_KEY_LEN;
	EVP_PKEY *pk;
	int ret = 0;

	if (!priv || !pub)
		return -EINVAL;
	pk = x25519_priv(priv);
	if (!pk)
		return -ENOMEM;
	if (EVP_PKEY_get_raw_public_key(pk, pub, &len) != 1 ||
	    len != ECIES_A_KEY_LEN)
		ret = -EIO;
	EVP_PKEY_free(pk);
	return ret;
}

/* Constant-time test for an all-zero X25519 output (low-order peer). */
static int all_zero(const uint8_t *p, size_t len)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < len; i++)
		acc |= p[i];
	return acc == 0;
}

static int x25519_derive(EVP_PKEY *pk, EVP_PKEY *peer,
			 uint8_t shared[ECIES_A_KEY_LEN])
{
	size_t len = ECIES_A_KEY_LEN;
	EVP_PKEY_CTX *ctx;
	int ret = -EINVAL;

	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pk, NULL);
	if (!ctx)
		return -ENOMEM;
	if (EVP_PKEY_derive_init(ctx) != 1)
		ret = -EIO;
	else if (EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
		 EVP_PKEY_derive(ctx, shared, &len) == 1 &&
		 len == ECIES_A_KEY_LEN && !all_zero(shared, len))
		ret = 0;
	EVP_PKEY_CTX_free(ctx);
	if (ret)
		OPENSSL_cleanse(shared, ECIES_A_KEY_LEN);
	return ret;
}

int ecies_a_shared(const uint8_t priv[ECIES_A_KEY_LEN],
		   const uint8_t peer[ECIES_A_KEY_LEN],
		   uint8_t shared[ECIES_A_KEY_LEN])
{
	EVP_PKEY *pk, *pp;
	int ret = -ENOMEM;

	if (!priv || !peer || !shared)
		return -EINVAL;
	pk = x25519_priv(priv);
	pp = x25519_pub(peer);
	if (pk && pp)
		ret = x25519_derive(pk, pp, shared);
	EVP_PKEY_free(pk);
	EVP_PKEY_free(pp);
	return ret;
}

static int x963kdf_sha256(const uint8_t shared[ECIES_A_KEY_LEN],
			  const uint8_t eph_pub[ECIES_A_KEY_LEN],
			  uint8_t out[ECIES_A_KDF_LEN])
{
	char digest[] = "SHA256";
	/* OSSL_PARAM wants non-const pointers; the KDF only reads them. */
	OSSL_PARAM prm[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						 digest, 0),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						  (void *)shared,
						  ECIES_A_KEY_LEN),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
						  (void *)eph_pub,
						  ECIES_A_KEY_LEN),
		OSSL_PARAM_construct_end(),
	};
	EVP_KDF_CTX *ctx = NULL;
	EVP_KDF *kdf;
	int ret = -EIO;

	kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_X963KDF, NULL);
	if (kdf)
		ctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (!ctx)
		return -ENOMEM;
	if (EVP_KDF_derive(ctx, out, ECIES_A_KDF_LEN, prm) == 1)
		ret = 0;
	EVP_KDF_CTX_free(ctx);
	return ret;
}

int ecies_a_kdf(const uint8_t shared[ECIES_A_KEY_LEN],
		const uint8_t eph_pub[ECIES_A_KEY_LEN],
		struct ecies_a_keys *keys)
{
	uint8_t out[ECIES_A_KDF_LEN];
	int ret;

	if (!shared || !eph_pub || !keys)
		return -EINVAL;
	ret = x963kdf_sha256(shared, eph_pub, out);
	if (!ret) {
		memcpy(keys->enc_key, out, ECIES_A_ENC_KEY_LEN);
		memcpy(keys->icb, out + ECIES_A_ENC_KEY_LEN, ECIES_A_ICB_LEN);
		memcpy(keys->mac_key,
		       out + ECIES_A_ENC_KEY_LEN + ECIES_A_ICB_LEN,
		       ECIES_A_MAC_KEY_LEN);
	}
	OPENSSL_cleanse(out, sizeof(out));
	return ret;
}

/* Shared secret, then key block, for either side of the exchange. */
static int ecies_keys(const uint8_t *priv, const uint8_t *peer,
		      const uint8_t *eph_pub, struct ecies_a_keys *keys)
{
	uint8_t z[ECIES_A_KEY_LEN];
	int ret;

	ret = ecies_a_shared(priv, peer, z);
	if (!ret)
		ret = ecies_a_kdf(z, eph_pub, keys);
	OPENSSL_cleanse(z, sizeof(z));
	return ret;
}

static int ecies_ctr(const struct ecies_a_keys *keys, const uint8_t *in,
		     uint8_t *out, size_t len)
{
	const size_t max = INT_MAX & ~(size_t)15;
	EVP_CIPHER_CTX *ctx;
	int outl, ret = 0;

	if (!len)
		return 0;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_EncryptInit_ex2(ctx, EVP_aes_128_ctr(), keys->enc_key,
				keys->icb, NULL) != 1)
		ret = -EIO;
	while (!ret && len) {
		size_t n = len < max ? len : max;

		if (EVP_EncryptUpdate(ctx, out, &outl, in, (int)n) != 1 ||
		    (size_t)outl != n)
			ret = -EIO;
		in += n;
		out += n;
		len -= n;
	}
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/* HMAC-SHA-256(MAC key, ciphertext), first 8 octets. */
static int ecies_tag(const struct ecies_a_keys *keys, const uint8_t *cipher,
		     size_t len, uint8_t tag[ECIES_A_TAG_LEN])
{
	static const uint8_t none;
	uint8_t full[HMAC_SHA256_LEN];
	size_t outl;
	int ret = 0;

	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, keys->mac_key,
		       ECIES_A_MAC_KEY_LEN, len ? cipher : &none, len,
		       full, sizeof(full), &outl) ||
	    outl != HMAC_SHA256_LEN)
		ret = -EIO;
	else
		memcpy(tag, full, ECIES_A_TAG_LEN);
	OPENSSL_cleanse(full, sizeof(full));
	return ret;
}

int ecies_a_encrypt(const uint8_t hn_pub[ECIES_A_KEY_LEN],
		    const uint8_t *eph_priv, const uint8_t *plain,
		    size_t len, uint8_t eph_pub[ECIES_A_KEY_LEN],
		    uint8_t *cipher, uint8_t tag[ECIES_A_TAG_LEN])
{
	uint8_t eph[ECIES_A_KEY_LEN];
	struct ecies_a_keys keys;
	int ret = 0;

	if (!hn_pub || !eph_pub || !tag || (len && (!plain || !cipher)))
		return -EINVAL;
	if (eph_priv)
		memcpy(eph, eph_priv, sizeof(eph));
	else if (RAND_priv_bytes(eph, sizeof(eph)) != 1)
		return -EIO;

	ret = ecies_a_pubkey(eph, eph_pub);
	if (!ret)
		ret = ecies_keys(eph, hn_pub, eph_pub, &keys);
	if (!ret)
		ret = ecies_ctr(&keys, plain, cipher, len);
	if (!ret)
		ret = ecies_tag(&keys, cipher, len, tag);
	OPENSSL_cleanse(eph, sizeof(eph));
	OPENSSL_cleanse(&keys, sizeof(keys));
	return ret;
}

int ecies_a_decrypt(const uint8_t hn_priv[ECIES_A_KEY_LEN],
		    const uint8_t eph_pub[ECIES_A_KEY_LEN],
		    const uint8_t *cipher, size_t len,
		    const uint8_t tag[ECIES_A_TAG_LEN], uint8_t *plain)
{
	uint8_t want[ECIES_A_TAG_LEN];
	struct ecies_a_keys keys;
	int ret;

	if (!hn_priv || !eph_pub || !tag || (len && (!cipher || !plain)))
		return -EINVAL;

	ret = ecies_keys(hn_priv, eph_pub, eph_pub, &keys);
	if (!ret)
		ret = ecies_tag(&keys, cipher, len, want);
	if (!ret && CRYPTO_memcmp(want, tag, ECIES_A_TAG_LEN))
		ret = -EBADMSG;
	if (!ret)
		ret = ecies_ctr(&keys, cipher, plain, len);
	OPENSSL_cleanse(&keys, sizeof(keys));
	return ret;
}
