// SPDX-License-Identifier: GPL-2.0
/*
 * TS 33.220 Annex B.2 KDF on the libcrypto EVP_MAC HMAC implementation.
 */
#include <errno.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "kdf.h"

static int kdf_check(const uint8_t *key, size_t keylen,
		     const struct kdf_param *params, size_t nparams,
		     const uint8_t *out)
{
	size_t i;

	if (!key || !keylen || !out || (nparams && !params))
		return -EINVAL;
	for (i = 0; i < nparams; i++)
		if (params[i].len > KDF_PARAM_MAX_LEN ||
		    (params[i].len && !params[i].p))
			return -EINVAL;
	return 0;
}

static EVP_MAC_CTX *hmac_sha256_new(const uint8_t *key, size_t keylen)
{
	char digest[] = "SHA256";
	OSSL_PARAM prm[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 digest, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;

	mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	if (!mac)
		return NULL;
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (ctx && EVP_MAC_init(ctx, key, keylen, prm) != 1) {
		EVP_MAC_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

/* FC || P0 || L0 || ... || Pn || Ln */
static int kdf_feed(EVP_MAC_CTX *ctx, uint8_t fc,
		    const struct kdf_param *params, size_t nparams)
{
	uint8_t l[2];
	size_t i;

	if (EVP_MAC_update(ctx, &fc, 1) != 1)
		return -EIO;
	for (i = 0; i < nparams; i++) {
		l[0] = (uint8_t)(params[i].len >> 8);
		l[1] = (uint8_t)params[i].len;
		if ((params[i].len &&
		     EVP_MAC_update(ctx, params[i].p, params[i].len) != 1) ||
		    EVP_MAC_update(ctx, l, sizeof(l)) != 1)
			return -EIO;
	}
	return 0;
}

int kdf_3gpp(const uint8_t *key, size_t keylen, uint8_t fc,
	     const struct kdf_param *params, size_t nparams,
	     uint8_t out[KDF_OUT_LEN])
{
	EVP_MAC_CTX *ctx;
	size_t outl;
	int ret;

	ret = kdf_check(key, keylen, params, nparams, out);
	if (ret)
		return ret;
	ctx = hmac_sha256_new(key, keylen);
	if (!ctx)
		return -ENOMEM;
	ret = kdf_feed(ctx, fc, params, nparams);
	if (!ret && (EVP_MAC_final(ctx, out, &outl, KDF_OUT_LEN) != 1 ||
		     outl != KDF_OUT_LEN))
		ret = -EIO;
	EVP_MAC_CTX_free(ctx);
	return ret;
}
