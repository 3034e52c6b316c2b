// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: the cipher suites.  Each protects a frame laid out as
 * header || body || tag in one linear buffer, in place:
 *
 *   nia2-nea2  body ciphered with 128-NEA2 (K_enc), then a 4-octet MAC-I
 *              with 128-NIA2 (K_int) over header || ciphered body
 *   nia2       4-octet MAC-I with 128-NIA2 over header || body
 *   aes-ccm    AES-128-CCM, tag 4, 8 or 16, header as associated data
 *   aes-gcm    AES-128-GCM, tag 16, header as associated data
 *
 * NIA2/NEA2 use COUNT = counter (so counters stay below 2^32), BEARER = 0
 * and DIRECTION = the direction bit.  The AEAD nonce is
 * SID (32) || DIRECTION (1) || counter (63), so counters stay below 2^63.
 *
 * Transforms may be asynchronous: "gcm(aes)" resolves to the AES-NI/
 * PCLMULQDQ implementation behind its SIMD wrapper, "ctr(aes)" and
 * "cbc(aes)" likewise, and the wrapper hands a request to cryptd when
 * the FPU cannot be used in the calling context.  So every frame gets an
 * aiotsec_crypt that lives until its work is done: a short program of
 * steps (one AEAD request; or CTR, then CMAC; or CMAC, check, then CTR),
 * resumed from the completion callback when a step went asynchronous.
 * In the usual case every step completes at once and the caller
 * finishes the frame itself.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/aead.h>
#include <crypto/algapi.h>
#include <crypto/skcipher.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <asm/unaligned.h>
#ifdef CONFIG_X86
#include <asm/fpu/api.h>
#endif

#include "aiotsec.h"
#include "nxa2.h"

/*
 * A frame's context: struct aiotsec_crypt, then the crypto API request
 * (at most AIOTSEC_REQ_MAX octets, key->req_len for a given key), then
 * the 128-NIA2 buffer in what is left (about 1.6 KiB with the AES-NI
 * transforms: every frame up to the largest body; larger messages get a
 * buffer of their own).  The objects are aligned to their own size, a
 * power of two, so that none spans two pages: the request, the IV and
 * the CMAC buffer a frame touches sit under one TLB entry.  An object
 * that straddled a page boundary made every frame that drew it markedly
 * slower under QEMU TCG, and the rate jumped with the object the slab
 * handed out.
 */
#define AIOTSEC_CRYPT_SIZE	2048
#define AIOTSEC_CTX_SIZE	(AIOTSEC_CRYPT_SIZE - sizeof(struct aiotsec_crypt))
#define AIOTSEC_REQ_MAX		1024

static struct kmem_cache *aiotsec_crypt_cache;

/*
 * One spare context per CPU, in front of the cache (aiotsec.h takes and
 * parks it).  A frame nearly always takes its context and gives it back
 * within one bottom-half section on one CPU, so the next frame there
 * gets the same, still warm object without a round trip through the
 * slab allocator.  Taking and parking are single this_cpu operations,
 * atomic on the CPU they run on whatever the context; a context freed on
 * another CPU (an asynchronous completion) is parked there, or goes back
 * to the cache when that CPU has a spare already.
 */
DEFINE_PER_CPU(struct aiotsec_crypt *, aiotsec_crypt_spare);

/*
 * Test knobs in debugfs (aiotsec/, created here, first), in a build with
 * CONFIG_AIOTSEC_DEBUG only (make AIOTSEC_DEBUG=1): force_async makes
 * every step of the data path start where the FPU is unusable, so that
 * the SIMD transforms take the asynchronous road through cryptd;
 * async_completions counts the steps that completed through the
 * callback.  netlink.c adds its own.
 */
static bool aiotsec_force_async;
static atomic_t aiotsec_async_completions;
struct dentry *aiotsec_debugfs;

enum {
	AIOTSEC_OP_END,
	AIOTSEC_OP_AEAD,
	AIOTSEC_OP_NEA2,
	AIOTSEC_OP_NIA2,
	AIOTSEC_OP_NIA2_PUT,
	AIOTSEC_OP_NIA2_CHECK,
};

static const u8 aiotsec_prog_aead[] = {
	AIOTSEC_OP_AEAD, AIOTSEC_OP_END,
};

static const u8 aiotsec_prog_nxa2_seal[] = {
	AIOTSEC_OP_NEA2, AIOTSEC_OP_NIA2, AIOTSEC_OP_NIA2_PUT, AIOTSEC_OP_END,
};

/* the MAC first: a forged frame costs no deciphering */
static const u8 aiotsec_prog_nxa2_open[] = {
	AIOTSEC_OP_NIA2, AIOTSEC_OP_NIA2_CHECK, AIOTSEC_OP_NEA2, AIOTSEC_OP_END,
};

static const u8 aiotsec_prog_nia2_seal[] = {
	AIOTSEC_OP_NIA2, AIOTSEC_OP_NIA2_PUT, AIOTSEC_OP_END,
};

static const u8 aiotsec_prog_nia2_open[] = {
	AIOTSEC_OP_NIA2, AIOTSEC_OP_NIA2_CHECK, AIOTSEC_OP_END,
};

u64 aiotsec_suite_max_counter(u8 suite)
{
	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
	case AIOTSEC_SUITE_NIA2:
		return 1ULL << 32;
	default:
		return 1ULL << 63;
	}
}

void aiotsec_key_free_tfms(struct aiotsec_key *key)
{
	if (key->aead)
		crypto_free_aead(key->aead);
	if (key->ctr)
		crypto_free_skcipher(key->ctr);
	if (key->cbc)
		crypto_free_skcipher(key->cbc);
	key->aead = NULL;
	key->ctr = NULL;
	key->cbc = NULL;
	memzero_explicit(key->cmac_k1, sizeof(key->cmac_k1));
}

/* a request of @size octets for @key's transforms: room for it */
static int aiotsec_key_reqsize(struct aiotsec_key *key, unsigned int size,
			       const char *alg)
{
	if (size > AIOTSEC_REQ_MAX) {
		pr_warn_once("%s needs a larger request area (%u)\n", alg,
			     size);
		return -EOVERFLOW;
	}
	/* the CMAC buffer after it starts on a cache line of its own */
	key->req_len = max_t(u16, key->req_len, ALIGN(size, L1_CACHE_BYTES));
	return 0;
}

static int aiotsec_setkey_aead(struct aiotsec_key *key, const char *alg,
			       u8 tag_len, const u8 *k)
{
	struct crypto_aead *tfm;
	int err;

	tfm = crypto_alloc_aead(alg, 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	key->aead = tfm;
	err = aiotsec_key_reqsize(key, sizeof(struct aead_request) +
				  crypto_aead_reqsize(tfm), alg);
	return err ?: crypto_aead_setkey(tfm, k, 16) ?:
		      crypto_aead_setauthsize(tfm, tag_len);
}

static struct crypto_skcipher *aiotsec_alloc_skcipher(struct aiotsec_key *key,
						      const char *alg,
						      const u8 *k)
{
	struct crypto_skcipher *tfm;
	int err;

	tfm = crypto_alloc_skcipher(alg, 0, 0);
	if (IS_ERR(tfm))
		return tfm;
	err = aiotsec_key_reqsize(key, sizeof(struct skcipher_request) +
				  crypto_skcipher_reqsize(tfm), alg) ?:
	      crypto_skcipher_setkey(tfm, k, 16);
	if (err) {
		crypto_free_skcipher(tfm);
		return ERR_PTR(err);
	}
	return tfm;
}

static int aiotsec_setkey_nxa2(struct aiotsec_key *key, const u8 *k_enc,
			       const u8 *k_int)
{
	struct crypto_skcipher *tfm;

	if (k_enc) {
		tfm = aiotsec_alloc_skcipher(key, "ctr(aes)", k_enc);
		if (IS_ERR(tfm))
			return PTR_ERR(tfm);
		key->ctr = tfm;
	}
	tfm = aiotsec_alloc_skcipher(key, "cbc(aes)", k_int);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	key->cbc = tfm;
	return aiotsec_nia2_subkey(tfm, key->cmac_k1);
}

/*
 * Key the transforms of @key.  @k is K_enc || K_int (32 octets) for
 * nia2-nea2 and 16 octets for every other suite.  Process context.  On
 * error the caller frees what was allocated with aiotsec_key_free_tfms().
 */
int aiotsec_key_setkey(struct aiotsec_key *key, u8 suite, u8 tag_len,
		       const u8 *k, unsigned int klen)
{
	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
		if (klen != 32)
			return -EINVAL;
		return aiotsec_setkey_nxa2(key, k, k + 16);
	case AIOTSEC_SUITE_NIA2:
		if (klen != 16)
			return -EINVAL;
		return aiotsec_setkey_nxa2(key, NULL, k);
	case AIOTSEC_SUITE_AES_CCM:
		if (klen != 16)
			return -EINVAL;
		return aiotsec_setkey_aead(key, "ccm(aes)", tag_len, k);
	case AIOTSEC_SUITE_AES_GCM:
		if (klen != 16)
			return -EINVAL;
		return aiotsec_setkey_aead(key, "gcm(aes)", tag_len, k);
	}
	return -EINVAL;
}

static void aiotsec_crypt_done(struct crypto_async_request *areq, int err);

static int aiotsec_op_aead(struct aiotsec_crypt *c)
{
	struct aead_request *req = (struct aead_request *)c->ctx;
	unsigned int len = c->bodylen;
	u8 *iv = c->iv;

	if (c->suite == AIOTSEC_SUITE_AES_CCM) {
		/* RFC 3610 L = 3: flags octet L - 1, then a 12-octet nonce */
		*iv++ = 2;
		c->iv[13] = 0;
		c->iv[14] = 0;
		c->iv[15] = 0;
	}
	put_unaligned_be32(c->sid, iv);
	put_unaligned_be64(c->counter | (u64)c->dir << 63, iv + 4);

	aead_request_set_tfm(req, c->key->aead);
	aead_request_set_callback(req, 0, aiotsec_crypt_done, c);
	/*
	 * The tag in an entry of its own: the AEAD reads or writes it at
	 * an entry boundary, without building a scatterlist to reach it.
	 */
	sg_set_buf(&c->aead_sg[0], c->frame, c->hdrlen + len);
	sg_set_buf(&c->aead_sg[1], c->frame + c->hdrlen + len, c->tag_len);
	aead_request_set_ad(req, c->hdrlen);
	if (c->enc) {
		aead_request_set_crypt(req, c->aead_sg, c->aead_sg, len, c->iv);
		return crypto_aead_encrypt(req);
	}
	aead_request_set_crypt(req, c->aead_sg, c->aead_sg, len + c->tag_len,
			       c->iv);
	return crypto_aead_decrypt(req);
}

static int aiotsec_skcipher(struct aiotsec_crypt *c,
			    struct crypto_skcipher *tfm, u8 *buf,
			    unsigned int len)
{
	struct skcipher_request *req = (struct skcipher_request *)c->ctx;

	sg_set_buf(&c->sg, buf, len);
	skcipher_request_set_tfm(req, tfm);
	skcipher_request_set_callback(req, 0, aiotsec_crypt_done, c);
	skcipher_request_set_crypt(req, &c->sg, &c->sg, len, c->iv);
	return crypto_skcipher_encrypt(req);
}

/* 128-NEA2 on the body, in place */
static int aiotsec_op_nea2(struct aiotsec_crypt *c)
{
	if (!c->bodylen)
		return 0;
	aiotsec_nxa2_iv(c->iv, c->counter, c->bearer, c->dir);
	return aiotsec_skcipher(c, c->key->ctr, c->frame + c->hdrlen,
				c->bodylen);
}

/* 128-NIA2 over header || body into c->mac */
static int aiotsec_op_nia2(struct aiotsec_crypt *c)
{
	unsigned int msglen = c->hdrlen + c->bodylen;
	unsigned int len = aiotsec_nia2_buf_len(msglen);
	u8 *buf = c->ctx + c->key->req_len;

	if (len > AIOTSEC_CTX_SIZE - c->key->req_len) {
		c->mac_ext = kmalloc(len, GFP_ATOMIC);
		if (!c->mac_ext)
			return -ENOMEM;
		buf = c->mac_ext;
	}
	aiotsec_nia2_prepare(buf, c->key->cmac_k1, c->counter, c->bearer,
			     c->dir, c->frame, msglen);
	c->mac = buf + len - AES_BLOCK_SIZE;
	memset(c->iv, 0, sizeof(c->iv));
	return aiotsec_skcipher(c, c->key->cbc, buf, len);
}

static int aiotsec_crypt_resume(struct aiotsec_crypt *c, int err)
{
	u8 *tag;

	while (!err) {
		tag = c->frame + c->hdrlen + c->bodylen;
		switch (c->prog[c->pc++]) {
		case AIOTSEC_OP_END:
			return 0;
		case AIOTSEC_OP_AEAD:
			err = aiotsec_op_aead(c);
			break;
		case AIOTSEC_OP_NEA2:
			err = aiotsec_op_nea2(c);
			break;
		case AIOTSEC_OP_NIA2:
			err = aiotsec_op_nia2(c);
			break;
		case AIOTSEC_OP_NIA2_PUT:
			memcpy(tag, c->mac, NIA2_MAC_LEN);
			break;
		case AIOTSEC_OP_NIA2_CHECK:
			if (crypto_memneq(c->mac, tag, NIA2_MAC_LEN))
				err = -EBADMSG;
			break;
		}
	}
	/*
	 * No request may backlog: -EBUSY (like -ENOSPC from a full cryptd
	 * queue) means it was refused, and no callback will come.
	 */
	return err;
}

/* Run the remaining steps; with c->force_async where the FPU is unusable. */
static int aiotsec_crypt_steps(struct aiotsec_crypt *c, int err)
{
#ifdef CONFIG_X86
	if (unlikely(c->force_async) && irq_fpu_usable()) {
		kernel_fpu_begin();
		err = aiotsec_crypt_resume(c, err);
		kernel_fpu_end();
		return err;
	}
#endif
	return aiotsec_crypt_resume(c, err);
}

static void aiotsec_crypt_done(struct crypto_async_request *areq, int err)
{
	struct aiotsec_crypt *c = areq->data;

	if (IS_ENABLED(CONFIG_AIOTSEC_DEBUG))
		atomic_inc(&aiotsec_async_completions);
	err = aiotsec_crypt_steps(c, err);
	if (err != -EINPROGRESS)
		c->done(c, err);
}

static int __aiotsec_crypt_run(struct aiotsec_crypt *c, bool enc,
			       bool force_async)
{
	c->enc = enc;
	c->pc = 0;
	switch (c->suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
		c->prog = enc ? aiotsec_prog_nxa2_seal : aiotsec_prog_nxa2_open;
		break;
	case AIOTSEC_SUITE_NIA2:
		c->prog = enc ? aiotsec_prog_nia2_seal : aiotsec_prog_nia2_open;
		break;
	default:
		c->prog = aiotsec_prog_aead;
		break;
	}
	c->force_async = force_async;
	return aiotsec_crypt_steps(c, 0);
}

/*
 * Seal (@enc) or open @c: protect c->frame = header || body || room for
 * the tag in place, or verify and decipher it (-EBADMSG when the MAC is
 * wrong).  Returns the result, or -EINPROGRESS: c->done() will get it.
 * Runs with bottom halves disabled, or in process context.
 */
int aiotsec_crypt_run(struct aiotsec_crypt *c, bool enc)
{
	return __aiotsec_crypt_run(c, enc, IS_ENABLED(CONFIG_AIOTSEC_DEBUG) &&
					   READ_ONCE(aiotsec_force_async));
}

static void aiotsec_crypt_wake(struct aiotsec_crypt *c, int err)
{
	aiotsec_crypt_waiter_wake(c->data, err);
}

/*
 * aiotsec_crypt_run() and wait for the result (process context).  With
 * @force_async the steps are started where the FPU cannot be used, so
 * that the SIMD transforms pass them to cryptd and the completion path
 * runs: the self-tests use it.
 */
int aiotsec_crypt_wait(struct aiotsec_crypt *c, bool enc, bool force_async)
{
	struct aiotsec_crypt_waiter w;
	int err;

	init_completion(&w.done);
	c->done = aiotsec_crypt_wake;
	c->data = &w;
	local_bh_disable();
	err = __aiotsec_crypt_run(c, enc, force_async);
	local_bh_enable();
	if (err != -EINPROGRESS)
		return err;
	wait_for_completion(&w.done);
	return w.err;
}

static void aiotsec_crypt_ctor(void *obj)
{
	struct aiotsec_crypt *c = obj;

	memset(c, 0, sizeof(*c));
	/* marked as the last entries: a frame only points them at its buffer */
	sg_init_table(&c->sg, 1);
	sg_init_table(c->aead_sg, 2);
}

/*
 * A frame's context from the cache, when this CPU has no spare.  The
 * cache has a constructor, so its objects are recycled without being
 * cleared on every allocation (init_on_alloc), and so are the spares:
 * they hold request state, an IV and a copy of frame octets that the skb
 * holds too, never a key (the block that mixed in the CMAC subkey is
 * wiped when the context is freed), and every field is set before it is
 * read.
 */
struct aiotsec_crypt *__aiotsec_crypt_alloc(gfp_t gfp)
{
	return kmem_cache_alloc(aiotsec_crypt_cache, gfp);
}

/*
 * aiotsec_crypt_free() for a context with a CMAC buffer, or when this
 * CPU has a spare already.  It leaves c->mac and c->mac_ext NULL, as the
 * constructor does: aiotsec_crypt_alloc() relies on it.
 */
void __aiotsec_crypt_free(struct aiotsec_crypt *c)
{
	/*
	 * The last block of a 128-NIA2 buffer had the CMAC subkey mixed in;
	 * if its CBC request failed, nothing overwrote it.
	 */
	if (c->mac)
		memzero_explicit(c->mac, AES_BLOCK_SIZE);
	if (unlikely(c->mac_ext))
		kfree_sensitive(c->mac_ext);
	c->mac = NULL;
	c->mac_ext = NULL;
	if (!AIOTSEC_CRYPT_SPARE ||
	    this_cpu_cmpxchg(aiotsec_crypt_spare, NULL, c))
		kmem_cache_free(aiotsec_crypt_cache, c);
}

int __init aiotsec_crypto_init(void)
{
	BUILD_BUG_ON(!is_power_of_2(AIOTSEC_CRYPT_SIZE));
	BUILD_BUG_ON(PAGE_SIZE < AIOTSEC_CRYPT_SIZE);
	/* every request, and the largest frame's CMAC buffer after it */
	BUILD_BUG_ON(AIOTSEC_CTX_SIZE < AIOTSEC_REQ_MAX);
	aiotsec_crypt_cache = kmem_cache_create("aiotsec_crypt",
						AIOTSEC_CRYPT_SIZE,
						AIOTSEC_CRYPT_SIZE, 0,
						aiotsec_crypt_ctor);
	if (!aiotsec_crypt_cache)
		return -ENOMEM;
	if (!IS_ENABLED(CONFIG_AIOTSEC_DEBUG))
		return 0;
	aiotsec_debugfs = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_bool("force_async", 0600, aiotsec_debugfs,
			    &aiotsec_force_async);
	debugfs_create_atomic_t("async_completions", 0400, aiotsec_debugfs,
				&aiotsec_async_completions);
	return 0;
}

void aiotsec_crypto_exit(void)
{
	struct aiotsec_crypt *c;
	int cpu;

	debugfs_remove_recursive(aiotsec_debugfs);
	for_each_possible_cpu(cpu) {
		c = per_cpu(aiotsec_crypt_spare, cpu);
		if (c)
			kmem_cache_free(aiotsec_crypt_cache, c);
		per_cpu(aiotsec_crypt_spare, cpu) = NULL;
	}
	kmem_cache_destroy(aiotsec_crypt_cache);
}
