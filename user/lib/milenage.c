// SPDX-License-Identifier: GPL-2.0
/*
 * MILENAGE (TS 35.206) on AES-128 from libcrypto.
 *
 *	TEMP = E_K(RAND xor OPc)
 *	IN1  = SQN || AMF || SQN || AMF
 *	OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc
 *	OUTi = E_K(rot(TEMP xor OPc, ri) xor ci) xor OPc	(i = 2..5)
 *
 *	f1 = OUT1[0..63]   f1* = OUT1[64..127]
 *	f5 = OUT2[0..47]   f2  = OUT2[64..127]
 *	f3 = OUT3          f4  = OUT4          f5* = OUT5[0..47]
 *
 * rot(x, r) rotates x left by r bits; the standard constants r1..r5 are
 * all multiples of 8, so the rotation is done on octets.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "milenage.h"

#define MIL_BLK		16

enum mil_out_idx { MIL_OUT1, MIL_OUT2, MIL_OUT3, MIL_OUT4, MIL_OUT5 };

/* Standard r_i (in octets) and c_i (only the last octet is non-zero). */
static const struct {
	unsigned int rot;
	uint8_t c;
} mil_const[] = {
	[MIL_OUT1] = { 64 / 8, 0x00 },
	[MIL_OUT2] = {  0 / 8, 0x01 },
	[MIL_OUT3] = { 32 / 8, 0x02 },
	[MIL_OUT4] = { 64 / 8, 0x04 },
	[MIL_OUT5] = { 96 / 8, 0x08 },
};

static int mil_aes_new(const uint8_t k[MILENAGE_KEY_LEN],
		       EVP_CIPHER_CTX **ecb)
{
	*ecb = EVP_CIPHER_CTX_new();
	if (!*ecb)
		return -ENOMEM;
	if (EVP_EncryptInit_ex2(*ecb, EVP_aes_128_ecb(), k, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(*ecb, 0) != 1) {
		EVP_CIPHER_CTX_free(*ecb);
		*ecb = NULL;
		return -EIO;
	}
	return 0;
}

static int mil_aes(EVP_CIPHER_CTX *ecb, const uint8_t in[MIL_BLK],
		   uint8_t out[MIL_BLK])
{
	int outl;

	if (EVP_EncryptUpdate(ecb, out, &outl, in, MIL_BLK) != 1 ||
	    outl != MIL_BLK)
		return -EIO;
	return 0;
}

static void mil_xor(uint8_t *dst, const uint8_t *a, const uint8_t *b)
{
	int i;

	for (i = 0; i < MIL_BLK; i++)
		dst[i] = a[i] ^ b[i];
}

/* OUTi = E_K(x xor rot(y xor OPc, r_i) xor c_i) xor OPc; no x means 0. */
static int mil_out(EVP_CIPHER_CTX *ecb, const uint8_t opc[MIL_BLK],
		   const uint8_t *x, const uint8_t y[MIL_BLK],
		   enum mil_out_idx i, uint8_t out[MIL_BLK])
{
	uint8_t t[MIL_BLK];
	unsigned int j, s;
	int ret;

	for (j = 0; j < MIL_BLK; j++) {
		s = (j + mil_const[i].rot) % MIL_BLK;
		t[j] = (x ? x[j] : 0) ^ y[s] ^ opc[s];
	}
	t[MIL_BLK - 1] ^= mil_const[i].c;
	ret = mil_aes(ecb, t, out);
	mil_xor(out, out, opc);
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

/* TEMP = E_K(RAND xor OPc) */
static int mil_temp(EVP_CIPHER_CTX *ecb, const uint8_t opc[MIL_BLK],
		    const uint8_t rnd[MIL_BLK], uint8_t temp[MIL_BLK])
{
	uint8_t t[MIL_BLK];
	int ret;

	mil_xor(t, rnd, opc);
	ret = mil_aes(ecb, t, temp);
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

static void mil_copy(uint8_t *dst, const uint8_t *src, size_t len)
{
	if (dst)
		memcpy(dst, src, len);
}

int milenage_opc(const uint8_t k[MILENAGE_KEY_LEN],
		 const uint8_t op[MILENAGE_KEY_LEN],
		 uint8_t opc[MILENAGE_KEY_LEN])
{
	uint8_t t[MIL_BLK];
	EVP_CIPHER_CTX *ecb;
	int ret;

	if (!k || !op || !opc)
		return -EINVAL;
	ret = mil_aes_new(k, &ecb);
	if (ret)
		return ret;
	ret = mil_aes(ecb, op, t);
	EVP_CIPHER_CTX_free(ecb);
	if (!ret)
		mil_xor(opc, t, op);
	OPENSSL_cleanse(t, sizeof(t));
	return ret;
}

int milenage_f1(const uint8_t k[MILENAGE_KEY_LEN],
		const uint8_t opc[MILENAGE_KEY_LEN],
		const uint8_t rnd[MILENAGE_RAND_LEN],
		const uint8_t sqn[MILENAGE_SQN_LEN],
		const uint8_t amf[MILENAGE_AMF_LEN],
		uint8_t mac_a[MILENAGE_MAC_LEN],
		uint8_t mac_s[MILENAGE_MAC_LEN])
{
	uint8_t temp[MIL_BLK], in1[MIL_BLK], out[MIL_BLK];
	EVP_CIPHER_CTX *ecb;
	int ret;

	if (!k || !opc || !rnd || !sqn || !amf)
		return -EINVAL;
	ret = mil_aes_new(k, &ecb);
	if (ret)
		return ret;

	memcpy(in1, sqn, MILENAGE_SQN_LEN);
	memcpy(in1 + MILENAGE_SQN_LEN, amf, MILENAGE_AMF_LEN);
	memcpy(in1 + MIL_BLK / 2, in1, MIL_BLK / 2);
	ret = mil_temp(ecb, opc, rnd, temp);
	if (!ret)
		ret = mil_out(ecb, opc, temp, in1, MIL_OUT1, out);
	EVP_CIPHER_CTX_free(ecb);
	if (!ret) {
		mil_copy(mac_a, out, MILENAGE_MAC_LEN);
		mil_copy(mac_s, out + MIL_BLK / 2, MILENAGE_MAC_LEN);
	}
	OPENSSL_cleanse(temp, sizeof(temp));
	OPENSSL_cleanse(out, sizeof(out));
	return ret;
}

/* Compute OUTi from TEMP and hand out @len octets at @off, if wanted. */
static int mil_emit(EVP_CIPHER_CTX *ecb, const uint8_t opc[MIL_BLK],
		    const uint8_t temp[MIL_BLK], enum mil_out_idx i,
		    uint8_t *dst, size_t off, size_t len)
{
	uint8_t out[MIL_BLK];
	int ret;

	if (!dst)
		return 0;
	ret = mil_out(ecb, opc, NULL, temp, i, out);
	if (!ret)
		memcpy(dst, out + off, len);
	OPENSSL_cleanse(out, sizeof(out));
	return ret;
}

static int mil_f2345(EVP_CIPHER_CTX *ecb, const uint8_t opc[MIL_BLK],
		     const uint8_t temp[MIL_BLK], uint8_t *res, uint8_t *ck,
		     uint8_t *ik, uint8_t *ak, uint8_t *ak_star)
{
	int ret;

	ret = mil_emit(ecb, opc, temp, MIL_OUT2, res, 8, MILENAGE_RES_LEN);
	if (!ret)
		ret = mil_emit(ecb, opc, temp, MIL_OUT2, ak, 0,
			       MILENAGE_AK_LEN);
	if (!ret)
		ret = mil_emit(ecb, opc, temp, MIL_OUT3, ck, 0, MIL_BLK);
	if (!ret)
		ret = mil_emit(ecb, opc, temp, MIL_OUT4, ik, 0, MIL_BLK);
	if (!ret)
		ret = mil_emit(ecb, opc, temp, MIL_OUT5, ak_star, 0,
			       MILENAGE_AK_LEN);
	return ret;
}

int milenage_f2345(const uint8_t k[MILENAGE_KEY_LEN],
		   const uint8_t opc[MILENAGE_KEY_LEN],
		   const uint8_t rnd[MILENAGE_RAND_LEN],
		   uint8_t res[MILENAGE_RES_LEN],
		   uint8_t ck[MILENAGE_KEY_LEN],
		   uint8_t ik[MILENAGE_KEY_LEN],
		   uint8_t ak[MILENAGE_AK_LEN],
		   uint8_t ak_star[MILENAGE_AK_LEN])
{
	uint8_t temp[MIL_BLK];
	EVP_CIPHER_CTX *ecb;
	int ret;

	if (!k || !opc || !rnd)
		return -EINVAL;
	ret = mil_aes_new(k, &ecb);
	if (ret)
		return ret;
	ret = mil_temp(ecb, opc, rnd, temp);
	if (!ret)
		ret = mil_f2345(ecb, opc, temp, res, ck, ik, ak, ak_star);
	EVP_CIPHER_CTX_free(ecb);
	OPENSSL_cleanse(temp, sizeof(temp));
	return ret;
}
