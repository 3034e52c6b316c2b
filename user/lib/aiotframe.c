// SPDX-License-Identifier: GPL-2.0
/*
 * Per-frame protection of AIoT frames on libcrypto; see aiotframe.h.
 *
 * Each key keeps its libcrypto contexts keyed once, and every frame only
 * sets a fresh IV (or restarts the CMAC), so no frame fetches an
 * algorithm or expands a key schedule:
 *   NEA2  AES-128-CTR, first counter block COUNT || BEARER || DIR || 0^90
 *   NIA2  AES-128-CMAC over COUNT || BEARER || DIR || 0^26 || message,
 *         truncated to 32 bits (messages here are whole octets)
 *   CCM   AES-128-CCM with a 12-octet nonce, i.e. L = 3
 *   GCM   AES-128-GCM with a 12-octet nonce
 *
 * The replay window is a ring of 64-bit words in the manner of RFC 6479:
 * the word of counter c is c / 64 modulo the ring size, and the words
 * between the old and the new top are cleared as the window slides.  The
 * ring has roundup_pow_of_two(ceil(W / 64) + 1) words: the top word and
 * at least ceil(W / 64) behind it, so every counter within W of the
 * newest keeps its bit until it falls out of the window.  (With
 * floor(W / 64) + 1, a W that is not a multiple of 64, such as 32,
 * would lose the bits of the previous word while they are still in the
 * window, and a replay there would pass.)
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <linux/aiotsec.h>

#include "aiotframe.h"

#define AES_BLOCK		16
#define AES_KEY_LEN		16
#define NXA2_BEARER		0
#define NXA2_PREFIX_LEN		8	/* COUNT || BEARER || DIR || 0^26 */
#define CCM_NONCE_L		3	/* 15 - AIOT_NONCE_LEN */
#define CCM_MAX_BODY		((1UL << (8 * CCM_NONCE_L)) - 1)
#define REPLAY_WORD_BITS	64

/* ---- suites ---------------------------------------------------------- */

int aiot_suite_key_len(uint8_t suite)
{
	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
		return 2 * AES_KEY_LEN;
	case AIOTSEC_SUITE_NIA2:
	case AIOTSEC_SUITE_AES_CCM:
	case AIOTSEC_SUITE_AES_GCM:
		return AES_KEY_LEN;
	}
	return -EINVAL;
}

int aiot_suite_tag_len(uint8_t suite, uint8_t tag_len)
{
	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
	case AIOTSEC_SUITE_NIA2:
		if (!tag_len || tag_len == AIOT_NIA2_TAG_LEN)
			return AIOT_NIA2_TAG_LEN;
		break;
	case AIOTSEC_SUITE_AES_CCM:
		if (tag_len == 4 || tag_len == 8 || tag_len == 16)
			return tag_len;
		break;
	case AIOTSEC_SUITE_AES_GCM:
		if (!tag_len || tag_len == AIOT_GCM_TAG_LEN)
			return AIOT_GCM_TAG_LEN;
		break;
	}
	return -EINVAL;
}

uint64_t aiot_suite_max_counter(uint8_t suite)
{
	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
	case AIOTSEC_SUITE_NIA2:
		return 1ULL << 32;
	default:
		return 1ULL << 63;
	}
}

static bool suite_is_aead(uint8_t suite)
{
	return suite == AIOTSEC_SUITE_AES_CCM || suite == AIOTSEC_SUITE_AES_GCM;
}

/* ---- keys ------------------------------------------------------------ */

static int key_ctr(struct aiot_key *k, const uint8_t *k_enc)
{
	k->enc = EVP_CIPHER_CTX_new();
	if (!k->enc)
		return -ENOMEM;
	if (EVP_EncryptInit_ex2(k->enc, EVP_aes_128_ctr(), k_enc, NULL,
				NULL) != 1)
		return -EIO;
	return 0;
}

static int key_cmac(struct aiot_key *k, const uint8_t *k_int)
{
	OSSL_PARAM params[] = {
		OSSL_PARAM_utf8_string(OSSL_MAC_PARAM_CIPHER,
				       (char *)"AES-128-CBC", 0),
		OSSL_PARAM_END,
	};
	EVP_MAC *mac;

	mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_CMAC, NULL);
	if (!mac)
		return -EIO;
	k->cmac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	if (!k->cmac)
		return -ENOMEM;
	if (EVP_MAC_init(k->cmac, k_int, AES_KEY_LEN, params) != 1)
		return -EIO;
	return 0;
}

/* One direction of use of the AEAD: cipher, nonce length, tag, key. */
static int key_aead_ctx(EVP_CIPHER_CTX **pctx, uint8_t suite,
			uint8_t tag_len, const uint8_t *key, int enc)
{
	const EVP_CIPHER *cipher = suite == AIOTSEC_SUITE_AES_CCM ?
				   EVP_aes_128_ccm() : EVP_aes_128_gcm();
	EVP_CIPHER_CTX *ctx;

	ctx = *pctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_CipherInit_ex2(ctx, cipher, NULL, NULL, enc, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, AIOT_NONCE_LEN,
				NULL) != 1)
		return -EIO;
	/* CCM fixes its tag length (M) before the key is set */
	if (suite == AIOTSEC_SUITE_AES_CCM &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, tag_len,
				NULL) != 1)
		return -EIO;
	if (EVP_CipherInit_ex2(ctx, NULL, key, NULL, enc, NULL) != 1)
		return -EIO;
	return 0;
}

static int key_setup(struct aiot_key *k)
{
	int ret;

	switch (k->suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
		ret = key_ctr(k, k->key);
		return ret ? ret : key_cmac(k, k->key + AES_KEY_LEN);
	case AIOTSEC_SUITE_NIA2:
		return key_cmac(k, k->key);
	default:
		ret = key_aead_ctx(&k->enc, k->suite, k->tag_len, k->key, 1);
		if (ret)
			return ret;
		return key_aead_ctx(&k->dec, k->suite, k->tag_len, k->key, 0);
	}
}

int aiot_key_init(struct aiot_key *k, uint8_t suite, uint8_t tag_len,
		  const uint8_t *key, size_t key_len)
{
	int klen = aiot_suite_key_len(suite);
	int tlen = aiot_suite_tag_len(suite, tag_len);
	int ret;

	if (!k)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	if (klen < 0 || tlen < 0 || !key || key_len != (size_t)klen)
		return -EINVAL;

	k->suite = suite;
	k->tag_len = (uint8_t)tlen;
	k->key_len = (uint8_t)klen;
	memcpy(k->key, key, key_len);
	ret = key_setup(k);
	if (ret)
		aiot_key_free(k);
	return ret;
}

void aiot_key_free(struct aiot_key *k)
{
	if (!k)
		return;
	EVP_CIPHER_CTX_free(k->enc);
	EVP_CIPHER_CTX_free(k->dec);
	EVP_MAC_CTX_free(k->cmac);
	OPENSSL_cleanse(k, sizeof(*k));
}

/* ---- header ---------------------------------------------------------- */

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)get_be16(p) << 16 | get_be16(p + 2);
}

/* A frame below the Ethernet minimum in the long form gets the short. */
static bool short_form_for(int ctr_bits, size_t bodylen, size_t tag_len)
{
	size_t len = ctr_bits == 32 ? AIOT_HDR_MAX : AIOT_HDR_MIN;

	return bodylen < AIOT_ETH_ZLEN &&
	       AIOT_ETH_HLEN + len + bodylen + tag_len < AIOT_ETH_ZLEN;
}

int aiot_hdr_build(uint8_t *hdr, uint8_t type, int key_phase, int ctr_bits,
		   int dir, uint32_t sid, uint64_t counter, size_t bodylen,
		   size_t tag_len)
{
	if (tag_len > AIOT_TAG_MAX)
		return -EINVAL;
	return aiot_hdr_build_form(hdr, short_form_for(ctr_bits, bodylen,
						       tag_len),
				   type, key_phase, ctr_bits, dir, sid,
				   counter, bodylen);
}

int aiot_hdr_build_form(uint8_t *hdr, bool short_form, uint8_t type,
			int key_phase, int ctr_bits, int dir, uint32_t sid,
			uint64_t counter, size_t bodylen)
{
	int len = ctr_bits == 32 ? AIOT_HDR_MAX : AIOT_HDR_MIN;

	if (!hdr || type > AIOTSEC_FT_MAX || (key_phase & ~1) || (dir & ~1) ||
	    (ctr_bits != 16 && ctr_bits != 32) ||
	    (short_form && bodylen > UINT8_MAX))
		return -EINVAL;
	/* AUTH: key phase 0, counter 0, in a 16-bit field */
	if (type == AIOTSEC_FT_AUTH && (key_phase || counter || ctr_bits != 16))
		return -EINVAL;

	hdr[0] = (uint8_t)((short_form ? AIOT_HDR_VERSION_SHORT :
					 AIOT_HDR_VERSION) << AIOT_HDR_VER_SHIFT |
			   type << AIOT_HDR_TYPE_SHIFT |
			   (key_phase ? AIOT_HDR_PHASE : 0) |
			   (ctr_bits == 32 ? AIOT_HDR_C32 : 0) |
			   (dir ? AIOT_HDR_DOWN : 0));
	put_be32(hdr + 1, sid);
	if (ctr_bits == 32)
		put_be32(hdr + 5, (uint32_t)counter);
	else
		put_be16(hdr + 5, (uint16_t)counter);
	if (short_form)
		hdr[len++] = (uint8_t)bodylen;
	return len;
}

int aiot_hdr_parse(const uint8_t *frame, size_t len, struct aiot_hdr *out)
{
	struct aiot_hdr h;

	if (!frame || !out)
		return -EINVAL;
	if (len < AIOT_HDR_MIN ||
	    (frame[0] >> AIOT_HDR_VER_SHIFT != AIOT_HDR_VERSION &&
	     frame[0] >> AIOT_HDR_VER_SHIFT != AIOT_HDR_VERSION_SHORT))
		return -EPROTO;

	h.type = frame[0] >> AIOT_HDR_TYPE_SHIFT & AIOT_HDR_TYPE_MASK;
	if (h.type > AIOTSEC_FT_MAX)
		return -EPROTO;
	h.key_phase = !!(frame[0] & AIOT_HDR_PHASE);
	h.dir = frame[0] & AIOT_HDR_DOWN;
	h.sid = get_be32(frame + 1);
	/* AUTH frames have a 16-bit counter field whatever C says */
	if ((frame[0] & AIOT_HDR_C32) && h.type != AIOTSEC_FT_AUTH) {
		if (len < AIOT_HDR_MAX)
			return -EPROTO;
		h.ctr_bits = 32;
		h.ctr_low = get_be32(frame + 5);
		h.len = AIOT_HDR_MAX;
	} else {
		h.ctr_bits = 16;
		h.ctr_low = get_be16(frame + 5);
		h.len = AIOT_HDR_MIN;
	}
	h.body_len = -1;
	if (frame[0] >> AIOT_HDR_VER_SHIFT == AIOT_HDR_VERSION_SHORT) {
		if (len < (size_t)h.len + 1 ||
		    len - h.len - 1 < frame[h.len])
			return -EPROTO;
		h.body_len = frame[h.len];
		h.len++;
	}
	*out = h;
	return h.len;
}

/* ---- NEA2 / NIA2 ----------------------------------------------------- */

/* COUNT || BEARER || DIRECTION || 0^26, and zeros to a whole block */
static void nxa2_block(uint8_t blk[AES_BLOCK], uint64_t counter, int dir)
{
	memset(blk, 0, AES_BLOCK);
	put_be32(blk, (uint32_t)counter);
	blk[4] = (uint8_t)(NXA2_BEARER << 3 | dir << 2);
}

/* @len octets from @in to @out (may be the same) through a keyed ctx */
static int cipher_update(EVP_CIPHER_CTX *ctx, const uint8_t *in,
			 uint8_t *out, size_t len)
{
	int outl;

	if (!len)
		return 0;
	if (EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1 ||
	    (size_t)outl != len)
		return -EIO;
	return 0;
}

static int nea2_crypt(const struct aiot_key *k, uint64_t counter, int dir,
		      const uint8_t *in, uint8_t *out, size_t len)
{
	uint8_t t1[AES_BLOCK];

	nxa2_block(t1, counter, dir);
	if (EVP_EncryptInit_ex2(k->enc, NULL, NULL, t1, NULL) != 1)
		return -EIO;
	return cipher_update(k->enc, in, out, len);
}

/* MAC-I over @hdr || @body */
static int nia2_mac(const struct aiot_key *k, uint64_t counter, int dir,
		    const uint8_t *hdr, size_t hdrlen, const uint8_t *body,
		    size_t bodylen, uint8_t mac[AIOT_NIA2_TAG_LEN])
{
	uint8_t blk[AES_BLOCK], tag[AES_BLOCK];
	size_t taglen;
	int ret = -EIO;

	nxa2_block(blk, counter, dir);
	if (EVP_MAC_init(k->cmac, NULL, 0, NULL) == 1 &&
	    EVP_MAC_update(k->cmac, blk, NXA2_PREFIX_LEN) == 1 &&
	    EVP_MAC_update(k->cmac, hdr, hdrlen) == 1 &&
	    (!bodylen || EVP_MAC_update(k->cmac, body, bodylen) == 1) &&
	    EVP_MAC_final(k->cmac, tag, &taglen, sizeof(tag)) == 1 &&
	    taglen == AES_BLOCK) {
		memcpy(mac, tag, AIOT_NIA2_TAG_LEN);
		ret = 0;
	}
	OPENSSL_cleanse(tag, sizeof(tag));
	return ret;
}

static int nxa2_seal(const struct aiot_key *k, uint64_t counter, int dir,
		     const uint8_t *hdr, size_t hdrlen, const uint8_t *in,
		     uint8_t *out, size_t len, uint8_t *tag)
{
	int ret;

	if (k->suite == AIOTSEC_SUITE_NIA2_NEA2) {
		ret = nea2_crypt(k, counter, dir, in, out, len);
		if (ret)
			return ret;
	} else if (in != out && len) {
		memmove(out, in, len);
	}
	return nia2_mac(k, counter, dir, hdr, hdrlen, out, len, tag);
}

/* Verify before deciphering: on a bad MAC @out is not written. */
static int nxa2_open(const struct aiot_key *k, uint64_t counter, int dir,
		     const uint8_t *hdr, size_t hdrlen, const uint8_t *in,
		     uint8_t *out, size_t len, const uint8_t *tag)
{
	uint8_t mac[AIOT_NIA2_TAG_LEN];
	int ret;

	ret = nia2_mac(k, counter, dir, hdr, hdrlen, in, len, mac);
	if (ret)
		return ret;
	if (CRYPTO_memcmp(mac, tag, sizeof(mac)))
		return -EBADMSG;
	if (k->suite == AIOTSEC_SUITE_NIA2_NEA2)
		return nea2_crypt(k, counter, dir, in, out, len);
	if (in != out && len)
		memmove(out, in, len);
	return 0;
}

/* ---- AEAD ------------------------------------------------------------ */

/* SID || (dir << 63 | counter), big-endian */
static void aead_nonce(uint8_t nonce[AIOT_NONCE_LEN], uint32_t sid, int dir,
		       uint64_t counter)
{
	put_be32(nonce, sid);
	put_be64(nonce + 4, counter | (uint64_t)dir << 63);
}

/*
 * Start one AEAD operation: nonce, for CCM the message length (which
 * must precede the associated data), then the header as associated data.
 */
static int aead_start(const struct aiot_key *k, EVP_CIPHER_CTX *ctx,
		      uint32_t sid, int dir, uint64_t counter,
		      const uint8_t *hdr, size_t hdrlen, size_t len)
{
	uint8_t nonce[AIOT_NONCE_LEN];
	int outl;

	aead_nonce(nonce, sid, dir, counter);
	if (EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, -1, NULL) != 1)
		return -EIO;
	if (k->suite == AIOTSEC_SUITE_AES_CCM &&
	    EVP_CipherUpdate(ctx, NULL, &outl, NULL, (int)len) != 1)
		return -EIO;
	if (hdrlen && EVP_CipherUpdate(ctx, NULL, &outl, hdr,
				       (int)hdrlen) != 1)
		return -EIO;
	return 0;
}

/*
 * The payload.  CCM computes its tag in this step, so it must run even
 * for an empty body; libcrypto's CCM treats a NULL input as "final".
 */
static int aead_update(const struct aiot_key *k, EVP_CIPHER_CTX *ctx,
		       const uint8_t *in, uint8_t *out, size_t len)
{
	static const uint8_t none[1];
	uint8_t dummy[1];
	int outl;

	if (len)
		return EVP_CipherUpdate(ctx, out, &outl, in, (int)len) == 1 &&
		       (size_t)outl == len ? 0 : -EBADMSG;
	if (k->suite != AIOTSEC_SUITE_AES_CCM)
		return 0;
	return EVP_CipherUpdate(ctx, dummy, &outl, none, 0) == 1 ?
	       0 : -EBADMSG;
}

static int aead_seal(const struct aiot_key *k, uint32_t sid, int dir,
		     uint64_t counter, const uint8_t *hdr, size_t hdrlen,
		     const uint8_t *in, uint8_t *out, size_t len,
		     uint8_t *tag)
{
	uint8_t fin[AES_BLOCK];
	int ret, outl;

	ret = aead_start(k, k->enc, sid, dir, counter, hdr, hdrlen, len);
	if (ret)
		return ret;
	if (aead_update(k, k->enc, in, out, len) ||
	    EVP_EncryptFinal_ex(k->enc, fin, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(k->enc, EVP_CTRL_AEAD_GET_TAG, k->tag_len,
				tag) != 1)
		return -EIO;
	return 0;
}

static int aead_open(const struct aiot_key *k, uint32_t sid, int dir,
		     uint64_t counter, const uint8_t *hdr, size_t hdrlen,
		     const uint8_t *in, uint8_t *out, size_t len,
		     const uint8_t *tag)
{
	uint8_t fin[AES_BLOCK];
	int ret, outl;

	/* CCM checks the tag in the update, so it is set first */
	if (EVP_CIPHER_CTX_ctrl(k->dec, EVP_CTRL_AEAD_SET_TAG, k->tag_len,
				(void *)tag) != 1)
		return -EIO;
	ret = aead_start(k, k->dec, sid, dir, counter, hdr, hdrlen, len);
	if (ret)
		return ret;
	ret = aead_update(k, k->dec, in, out, len);
	if (!ret && EVP_DecryptFinal_ex(k->dec, fin, &outl) != 1)
		ret = -EBADMSG;
	if (ret && len)
		OPENSSL_cleanse(out, len);
	return ret;
}

/* ---- seal / open ----------------------------------------------------- */

static int crypt_check(const struct aiot_key *k, int dir, uint64_t counter,
		       size_t hdrlen, size_t len)
{
	if (!k || (dir & ~1) || !hdrlen || hdrlen > AIOT_HDR_ROOM)
		return -EINVAL;
	if (!k->cmac && !k->enc)
		return -EINVAL;		/* not keyed */
	if (counter >= aiot_suite_max_counter(k->suite))
		return -EOVERFLOW;
	if (len > INT_MAX ||
	    (k->suite == AIOTSEC_SUITE_AES_CCM && len > CCM_MAX_BODY))
		return -EMSGSIZE;
	return 0;
}

/*
 * The core of both directions: header @hdr, body @in to @out (the same
 * buffer or not overlapping), tag at @tag.
 */
static int frame_seal(const struct aiot_key *k, uint32_t sid, int dir,
		      uint64_t counter, const uint8_t *hdr, size_t hdrlen,
		      const uint8_t *in, uint8_t *out, size_t len,
		      uint8_t *tag)
{
	int ret = crypt_check(k, dir, counter, hdrlen, len);

	if (ret)
		return ret;
	if (suite_is_aead(k->suite))
		return aead_seal(k, sid, dir, counter, hdr, hdrlen, in, out,
				 len, tag);
	return nxa2_seal(k, counter, dir, hdr, hdrlen, in, out, len, tag);
}

static int frame_open(const struct aiot_key *k, uint32_t sid, int dir,
		      uint64_t counter, const uint8_t *hdr, size_t hdrlen,
		      const uint8_t *in, uint8_t *out, size_t len,
		      const uint8_t *tag)
{
	int ret = crypt_check(k, dir, counter, hdrlen, len);

	if (ret)
		return ret;
	if (suite_is_aead(k->suite))
		return aead_open(k, sid, dir, counter, hdr, hdrlen, in, out,
				 len, tag);
	return nxa2_open(k, counter, dir, hdr, hdrlen, in, out, len, tag);
}

int aiot_seal(const struct aiot_key *k, uint32_t sid, int dir,
	      uint64_t counter, uint8_t *frame, size_t hdrlen, size_t bodylen)
{
	uint8_t *body;

	if (!frame || hdrlen > AIOT_HDR_ROOM)
		return -EINVAL;
	body = frame + hdrlen;
	return frame_seal(k, sid, dir, counter, frame, hdrlen, body, body,
			  bodylen, body + bodylen);
}

int aiot_open(const struct aiot_key *k, uint32_t sid, int dir,
	      uint64_t counter, uint8_t *frame, size_t hdrlen, size_t bodylen)
{
	uint8_t *body;

	if (!frame || hdrlen > AIOT_HDR_ROOM)
		return -EINVAL;
	body = frame + hdrlen;
	return frame_open(k, sid, dir, counter, frame, hdrlen, body, body,
			  bodylen, body + bodylen);
}

/* ---- counter recovery and replay window ------------------------------ */

uint64_t aiot_counter_recover(uint64_t rx_next, uint32_t low,
			      unsigned int bits)
{
	uint64_t span, mask, delta;

	if (!bits || bits > 32)
		return low;
	span = 1ULL << bits;
	mask = span - 1;
	delta = ((uint64_t)low - (rx_next & mask)) & mask;

	/* ahead of (or at) the expected counter by less than half a span */
	if (delta < span / 2)
		return rx_next + delta;
	/* otherwise behind it, unless that would go below zero */
	if (rx_next >= span - delta)
		return rx_next - (span - delta);
	return rx_next + delta;
}

static uint32_t roundup_pow2(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

int aiot_replay_init(struct aiot_replay *r, uint32_t window)
{
	uint32_t words;

	if (!r)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	if (window < AIOT_REPLAY_MIN || window > AIOT_REPLAY_MAX)
		return -EINVAL;

	/* the top word plus enough whole words for @window counters */
	words = roundup_pow2((window + REPLAY_WORD_BITS - 1) /
			     REPLAY_WORD_BITS + 1);
	r->bitmap = calloc(words, sizeof(*r->bitmap));
	if (!r->bitmap)
		return -ENOMEM;
	r->window = window;
	r->words = words;
	return 0;
}

void aiot_replay_free(struct aiot_replay *r)
{
	if (!r)
		return;
	free(r->bitmap);
	memset(r, 0, sizeof(*r));
}

static uint64_t *replay_word(const struct aiot_replay *r, uint64_t counter)
{
	return &r->bitmap[(counter / REPLAY_WORD_BITS) & (r->words - 1)];
}

static uint64_t replay_bit(uint64_t counter)
{
	return 1ULL << (counter % REPLAY_WORD_BITS);
}

int aiot_replay_check(const struct aiot_replay *r, uint64_t counter)
{
	if (!r || !r->bitmap || counter == UINT64_MAX)
		return -EINVAL;
	if (counter >= r->rx_next)
		return 0;
	if (r->rx_next - counter > r->window)
		return -ERANGE;
	if (*replay_word(r, counter) & replay_bit(counter))
		return -EALREADY;
	return 0;
}

/* Move the top of the window to @counter (at or past rx_next). */
static void replay_slide(struct aiot_replay *r, uint64_t counter)
{
	uint64_t top = counter / REPLAY_WORD_BITS;
	uint64_t cur, i;

	if (!r->rx_next) {
		memset(r->bitmap, 0, r->words * sizeof(*r->bitmap));
	} else {
		cur = (r->rx_next - 1) / REPLAY_WORD_BITS;
		if (top - cur >= r->words)
			memset(r->bitmap, 0, r->words * sizeof(*r->bitmap));
		else
			for (i = cur + 1; i <= top; i++)
				r->bitmap[i & (r->words - 1)] = 0;
	}
	r->rx_next = counter + 1;
}

int aiot_replay_update(struct aiot_replay *r, uint64_t counter)
{
	int ret = aiot_replay_check(r, counter);

	if (ret)
		return ret;
	if (counter >= r->rx_next)
		replay_slide(r, counter);
	*replay_word(r, counter) |= replay_bit(counter);
	return 0;
}

/* ---- whole frames ---------------------------------------------------- */

ssize_t aiot_frame_protect(const struct aiot_key *k, uint8_t type,
			   int key_phase, int ctr_bits, int dir, uint32_t sid,
			   uint64_t counter, const uint8_t *payload,
			   size_t len, uint8_t *out, size_t outsz)
{
	return aiot_frame_protect_form(k, AIOT_FORM_AUTO, type, key_phase,
				       ctr_bits, dir, sid, counter, payload,
				       len, out, outsz);
}

ssize_t aiot_frame_protect_form(const struct aiot_key *k,
				enum aiot_form form, uint8_t type,
				int key_phase, int ctr_bits, int dir,
				uint32_t sid, uint64_t counter,
				const uint8_t *payload, size_t len,
				uint8_t *out, size_t outsz)
{
	uint8_t hdr[AIOT_HDR_ROOM];
	size_t hdrlen, tag_len = 0;
	bool short_form;
	int ret;

	if (!out || (len && !payload) || len > INT_MAX)
		return -EINVAL;
	if (type != AIOTSEC_FT_AUTH) {
		if (!k)
			return -EINVAL;
		tag_len = k->tag_len;
	}
	short_form = form == AIOT_FORM_SHORT ||
		     (form == AIOT_FORM_AUTO &&
		      short_form_for(ctr_bits, len, tag_len));
	ret = aiot_hdr_build_form(hdr, short_form, type, key_phase, ctr_bits,
				  dir, sid, counter, len);
	if (ret < 0)
		return ret;
	hdrlen = (size_t)ret;
	if (outsz < hdrlen || outsz - hdrlen < len ||
	    outsz - hdrlen - len < tag_len)
		return -EMSGSIZE;

	/* the payload may sit anywhere in @out: move it before the header */
	if (len)
		memmove(out + hdrlen, payload, len);
	memcpy(out, hdr, hdrlen);
	if (type != AIOTSEC_FT_AUTH) {
		ret = aiot_seal(k, sid, dir, counter, out, hdrlen, len);
		if (ret) {
			OPENSSL_cleanse(out, hdrlen + len);
			return ret;
		}
	}
	return (ssize_t)(hdrlen + len + tag_len);
}

/* Header, type, direction and length checks of a protected frame. */
static int unprotect_parse(const struct aiot_key *k, int dir,
			   const uint8_t *frame, size_t len,
			   struct aiot_hdr *h, size_t *bodylen)
{
	int ret;

	if (!k || dir < -1 || dir > 1)
		return -EINVAL;
	ret = aiot_hdr_parse(frame, len, h);
	if (ret < 0)
		return ret;
	if (h->type == AIOTSEC_FT_AUTH || (dir >= 0 && h->dir != dir) ||
	    len - h->len < k->tag_len)
		return -EPROTO;
	*bodylen = len - h->len - k->tag_len;
	/* the short form: what follows the tag is padding */
	if (h->body_len >= 0) {
		if ((size_t)h->body_len > *bodylen)
			return -EPROTO;
		*bodylen = (size_t)h->body_len;
	}
	/* the largest MTU, as the kernel's receive path */
	if (*bodylen > AIOTSEC_MAX_PAYLOAD)
		return -EPROTO;
	return 0;
}

ssize_t aiot_frame_unprotect(const struct aiot_key *k, int dir,
			     struct aiot_replay *replay, const uint8_t *frame,
			     size_t len, struct aiot_hdr *hdr,
			     uint64_t *counter, uint8_t *out, size_t outsz)
{
	struct aiot_hdr h;
	size_t bodylen;
	uint64_t ctr;
	int ret;

	ret = unprotect_parse(k, dir, frame, len, &h, &bodylen);
	if (ret)
		return ret;
	if (bodylen && !out)
		return -EINVAL;
	if (outsz < bodylen)
		return -EMSGSIZE;

	ctr = h.ctr_low;
	if (replay) {
		ctr = aiot_counter_recover(replay->rx_next, h.ctr_low,
					   h.ctr_bits);
		ret = aiot_replay_check(replay, ctr);
		if (ret)
			return ret;
	}
	ret = frame_open(k, h.sid, h.dir, ctr, frame, h.len, frame + h.len,
			 out, bodylen, frame + h.len + bodylen);
	if (ret)
		return ret;
	if (replay) {
		ret = aiot_replay_update(replay, ctr);
		if (ret) {
			OPENSSL_cleanse(out, bodylen);
			return ret;
		}
	}
	if (hdr)
		*hdr = h;
	if (counter)
		*counter = ctr;
	return (ssize_t)bodylen;
}
