/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic 3GPP key derivation function, TS 33.220 Annex B.2:
 *
 *	derived key = HMAC-SHA-256(Key, S)
 *	S = FC || P0 || L0 || P1 || L1 || ... || Pn || Ln
 *
 * where Li is the length of Pi in octets as a 2-octet big-endian number.
 */
#ifndef AIOTSEC_USER_KDF_H
#define AIOTSEC_USER_KDF_H

#include <stddef.h>
#include <stdint.h>

#define KDF_OUT_LEN		32
#define KDF_PARAM_MAX_LEN	0xffff	/* Li is 16 bits */

struct kdf_param {
	const uint8_t *p;
	size_t len;
};

/*
 * Derive 32 octets into @out.  @params may be NULL when @nparams is 0.
 * Returns 0, -EINVAL (empty key, missing buffer or a parameter longer
 * than KDF_PARAM_MAX_LEN), or -ENOMEM / -EIO on a libcrypto failure.
 */
int kdf_3gpp(const uint8_t *key, size_t keylen, uint8_t fc,
	     const struct kdf_param *params, size_t nparams,
	     uint8_t out[KDF_OUT_LEN]);

#endif /* AIOTSEC_USER_KDF_H */
