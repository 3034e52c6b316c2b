// SPDX-License-Identifier: GPL-2.0
/*
 * 128-NEA2 and 128-NIA2 (TS 33.401 Annex B.1.3 and B.2.3) on libcrypto.
 *
 * NEA2 is AES-128-CTR whose first counter block is
 *	T1 = COUNT(32) || BEARER(5) || DIRECTION(1) || 0^26 || 0^64
 * and NIA2 is AES-CMAC over
 *	COUNT(32) || BEARER(5) || DIRECTION(1) || 0^26 || MESSAGE
 * truncated to 32 bits.
 *
 * The spec increments only the low 64 bits of the counter block; that
 * half of T1 starts at zero and a message never needs 2^64 blocks, so
 * libcrypto's 128-bit increment gives the same keystream.
 *
 * libcrypto's CMAC only takes whole octets, but NIA2 must authenticate
 * exactly LENGTH bits, so the CMAC here is built directly on single-block
 * AES-ECB and pads the final block at the right bit position.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "nxa2.h"

#define AES_BLOCK	16
#define NXA2_HDR_LEN	8	/* COUNT || BEARER || DIRECTION || 0^26 */
#define CMAC_RB		0x87	/* R_128 of SP 800-38B, last octet */

/* Number of octets holding @nbits bits, without overflowing. */
static size_t bits_to_bytes(size_t nbits)
{
	return nbits / 8 + !!(nbits % 8);
}

/* Mask keeping the leading @bits (1..7) bits of an octet. */
static uint8_t lead_mask(unsigned int bits)
{
	return (uint8_t)(0xff << (8 - bits));
}

static int nxa2_check(const uint8_t *key, uint8_t bearer, uint8_t dir)
{
	if (!key || bearer > NXA2_BEARER_MAX || dir > 1)
		return -EINVAL;
	return 0;
}

/* COUNT || BEARER || DIRECTION || 0^26 || 0^64 */
static void nxa2_block(uint32_t count, uint8_t bearer, uint8_t dir,
		       uint8_t blk[AES_BLOCK])
{
	memset(blk, 0, AES_BLOCK);
	blk[0] = (uint8_t)(count >> 24);
	blk[1] = (uint8_t)(count >> 16);
	blk[2] = (uint8_t)(count >> 8);
	blk[3] = (uint8_t)count;
	blk[4] = (uint8_t)(bearer << 3 | dir << 2);
}

/* Run @len octets through an initialised stream cipher context. */
static int cipher_stream(EVP_CIPHER_CTX *ctx, const uint8_t *in,
			 uint8_t *out, size_t len)
{
	const size_t max = INT_MAX & ~(size_t)(AES_BLOCK - 1);
	int outl;

	while (len) {
		size_t n = len < max ? len : max;

		if (EVP_EncryptUpdate(ctx, out, &outl, in, (int)n) != 1 ||
		    (size_t)outl != n)
			return -EIO;
		in += n;
		out += n;
		len -= n;
	}
	return 0;
}

int nea2(const uint8_t key[NXA2_KEY_LEN], uint32_t count, uint8_t bearer,
	 uint8_t dir, const uint8_t *in, uint8_t *out, size_t nbits)
{
	size_t nbytes = bits_to_bytes(nbits);
	uint8_t t1[AES_BLOCK];
	EVP_CIPHER_CTX *ctx;
	int ret;

	ret = nxa2_check(key, bearer, dir);
	if (ret)
		return ret;
	if (!nbits)
		return 0;
	if (!in || !out)
		return -EINVAL;

	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	nxa2_block(count, bearer, dir, t1);
	ret = -EIO;
	if (EVP_EncryptInit_ex2(ctx, EVP_aes_128_ctr(), key, t1, NULL) == 1)
		ret = cipher_stream(ctx, in, out, nbytes);
	EVP_CIPHER_CTX_free(ctx);
	if (!ret && nbits % 8)
		out[nbytes - 1] &= lead_mask(nbits % 8);
	return ret;
}

/*
 * Streaming AES-CMAC over a bit string.  Whole octets go through
 * cmac_update(); the final partial octet, if any, goes to cmac_final().
 * The last complete block is held back in @buf until more data arrives,
 * because the final block is treated differently.
 */
struct cmac {
	EVP_CIPHER_CTX *ecb;
	uint8_t k1[AES_BLOCK];
	uint8_t k2[AES_BLOCK];
	uint8_t x[AES_BLOCK];	/* CBC chaining value */
	uint8_t buf[AES_BLOCK];	/* pending input */
	size_t len;		/* octets in buf */
};

static int aes_block(EVP_CIPHER_CTX *ecb, const uint8_t in[AES_BLOCK],
		     uint8_t out[AES_BLOCK])
{
	int outl;

	if (EVP_EncryptUpdate(ecb, out, &outl, in, AES_BLOCK) != 1 ||
	    outl != AES_BLOCK)
		return -EIO;
	return 0;
}

/* Multiply by x in GF(2^128), constant time. */
static void cmac_dbl(const uint8_t in[AES_BLOCK], uint8_t out[AES_BLOCK])
{
	uint8_t msb = in[0] >> 7;
	int i;

	for (i = 0; i < AES_BLOCK - 1; i++)
		out[i] = (uint8_t)(in[i] << 1 | in[i + 1] >> 7);
	out[AES_BLOCK - 1] = (uint8_t)(in[AES_BLOCK - 1] << 1) ^
			     (CMAC_RB & -msb);
}

static void cmac_free(struct cmac *c)
{
	EVP_CIPHER_CTX_free(c->ecb);
	OPENSSL_cleanse(c, sizeof(*c));
}

static int cmac_init(struct cmac *c, const uint8_t key[NXA2_KEY_LEN])
{
	uint8_t l[AES_BLOCK] = { 0 };
	int ret = -EIO;

	memset(c, 0, sizeof(*c));
	c->ecb = EVP_CIPHER_CTX_new();
	if (!c->ecb)
		return -ENOMEM;
	if (EVP_EncryptInit_ex2(c->ecb, EVP_aes_128_ecb(), key, NULL,
				NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c->ecb, 0) != 1)
		goto out;
	ret = aes_block(c->ecb, l, l);
	if (ret)
		goto out;
	cmac_dbl(l, c->k1);
	cmac_dbl(c->k1, c->k2);
out:
	OPENSSL_cleanse(l, sizeof(l));
	if (ret)
		cmac_free(c);
	return ret;
}

/* Fold the pending full block into the chaining value. */
static int cmac_absorb(struct cmac *c)
{
	int i;

	for (i = 0; i < AES_BLOCK; i++)
		c->x[i] ^= c->buf[i];
	c->len = 0;
	return aes_block(c->ecb, c->x, c->x);
}

static int cmac_update(struct cmac *c, const uint8_t *p, size_t len)
{
	int ret;

	while (len) {
		size_t n = AES_BLOCK - c->len;

		if (!n) {
			ret = cmac_absorb(c);
			if (ret)
				return ret;
			n = AES_BLOCK;
		}
		if (n > len)
			n = len;
		memcpy(c->buf + c->len, p, n);
		c->len += n;
		p += n;
		len -= n;
	}
	return 0;
}

/*
 * Finish with the leading @tailbits (0..7) bits of @tail, then pad:
 * a complete last block is XORed with K1, otherwise 1 || 0* is appended
 * right after the last message bit and the block is XORed with K2.
 */
static int cmac_final(struct cmac *c, uint8_t tail, unsigned int tailbits,
		      uint8_t tag[AES_CMAC_LEN])
{
	const uint8_t *k = c->k2;
	int i, ret;

	if (tailbits) {
		if (c->len == AES_BLOCK) {
			ret = cmac_absorb(c);
			if (ret)
				return ret;
		}
		c->buf[c->len++] = (tail & lead_mask(tailbits)) |
				   0x80 >> tailbits;
		memset(c->buf + c->len, 0, AES_BLOCK - c->len);
	} else if (c->len == AES_BLOCK) {
		k = c->k1;
	} else {
		c->buf[c->len] = 0x80;
		memset(c->buf + c->len + 1, 0, AES_BLOCK - c->len - 1);
	}
	for (i = 0; i < AES_BLOCK; i++)
		c->x[i] ^= c->buf[i] ^ k[i];
	return aes_block(c->ecb, c->x, tag);
}

/* Feed the first @nbits bits of @msg and produce the tag. */
static int cmac_bits(struct cmac *c, const uint8_t *msg, size_t nbits,
		     uint8_t tag[AES_CMAC_LEN])
{
	unsigned int tailbits = nbits % 8;
	int ret;

	ret = cmac_update(c, msg, nbits / 8);
	if (ret)
		return ret;
	return cmac_final(c, tailbits ? msg[nbits / 8] : 0, tailbits, tag);
}

int aes128_cmac(const uint8_t key[NXA2_KEY_LEN], const uint8_t *msg,
		size_t nbits, uint8_t tag[AES_CMAC_LEN])
{
	struct cmac c;
	int ret;

	if (!key || !tag || (nbits && !msg))
		return -EINVAL;
	ret = cmac_init(&c, key);
	if (ret)
		return ret;
	ret = cmac_bits(&c, msg, nbits, tag);
	cmac_free(&c);
	return ret;
}

int nia2(const uint8_t key[NXA2_KEY_LEN], uint32_t count, uint8_t bearer,
	 uint8_t dir, const uint8_t *msg, size_t nbits,
	 uint8_t mac[NIA2_MAC_LEN])
{
	uint8_t hdr[AES_BLOCK], tag[AES_CMAC_LEN];
	struct cmac c;
	int ret;

	ret = nxa2_check(key, bearer, dir);
	if (ret)
		return ret;
	if (!mac || (nbits && !msg))
		return -EINVAL;

	ret = cmac_init(&c, key);
	if (ret)
		return ret;
	nxa2_block(count, bearer, dir, hdr);
	ret = cmac_update(&c, hdr, NXA2_HDR_LEN);
	if (!ret)
		ret = cmac_bits(&c, msg, nbits, tag);
	cmac_free(&c);
	if (!ret)
		memcpy(mac, tag, NIA2_MAC_LEN);
	OPENSSL_cleanse(tag, sizeof(tag));
	return ret;
}
