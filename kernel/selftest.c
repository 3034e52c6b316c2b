// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: known-answer self-tests run at module load.  A failure
 * refuses the load: a module that computes the wrong MAC must not
 * protect anything.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/hash.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <asm/unaligned.h>

#include "aiotsec.h"
#include "nxa2.h"

/* TS 33.401 Annex C.2, 128-NIA2 test set 2 */
static const u8 nia2_key[16] = {
	0xd3, 0xc5, 0xd5, 0x92, 0x32, 0x7f, 0xb1, 0x1c,
	0x40, 0x35, 0xc6, 0x68, 0x0a, 0xf8, 0xc6, 0xd1,
};

static const u8 nia2_msg[8] = {
	0x48, 0x45, 0x83, 0xd5, 0xaf, 0xe0, 0x82, 0xae,
};

static const u8 nia2_mac[NIA2_MAC_LEN] = { 0xb9, 0x37, 0x87, 0xe6 };

#define NIA2_COUNT	0x398a59b4
#define NIA2_BEARER	0x1a
#define NIA2_DIR	1

/* TS 33.401 Annex C.1, 128-NEA2 test set 1: 253 bits */
static const u8 nea2_key[16] = {
	0xd3, 0xc5, 0xd5, 0x92, 0x32, 0x7f, 0xb1, 0x1c,
	0x40, 0x35, 0xc6, 0x68, 0x0a, 0xf8, 0xc6, 0xd1,
};

static const u8 nea2_plain[32] = {
	0x98, 0x1b, 0xa6, 0x82, 0x4c, 0x1b, 0xfb, 0x1a,
	0xb4, 0x85, 0x47, 0x20, 0x29, 0xb7, 0x1d, 0x80,
	0x8c, 0xe3, 0x3e, 0x2c, 0xc3, 0xc0, 0xb5, 0xfc,
	0x1f, 0x3d, 0xe8, 0xa6, 0xdc, 0x66, 0xb1, 0xf0,
};

static const u8 nea2_cipher[32] = {
	0xe9, 0xfe, 0xd8, 0xa6, 0x3d, 0x15, 0x53, 0x04,
	0xd7, 0x1d, 0xf2, 0x0b, 0xf3, 0xe8, 0x22, 0x14,
	0xb2, 0x0e, 0xd7, 0xda, 0xd2, 0xf2, 0x33, 0xdc,
	0x3c, 0x22, 0xd7, 0xbd, 0xee, 0xed, 0x8e, 0x78,
};

#define NEA2_BITS	253

/* Compare the leading @bits bits of @a and @b. */
static bool bits_equal(const u8 *a, const u8 *b, unsigned int bits)
{
	unsigned int full = bits / 8, rest = bits % 8;
	u8 mask = (u8)(0xff00 >> rest);

	if (memcmp(a, b, full))
		return false;
	return !rest || !((a[full] ^ b[full]) & mask);
}

/*
 * One frame through the data path's own machinery: the transforms of
 * @key, a per-frame context, the step program, and with @async the
 * completion path (the steps start where the FPU is unusable, so the
 * SIMD transforms hand them to cryptd).  @frame (header || body || tag)
 * goes through a heap copy: scatterlists must not point into the stack.
 */
static int st_crypt(struct aiotsec_key *key, u8 suite, u8 tag_len,
		    u8 bearer, u8 dir, u64 counter, u8 *frame,
		    unsigned int hdrlen, unsigned int bodylen, bool enc,
		    bool async)
{
	unsigned int len = hdrlen + bodylen + tag_len;
	struct aiotsec_crypt *c;
	u8 *buf;
	int err;

	buf = kmemdup(frame, len, GFP_KERNEL);
	c = aiotsec_crypt_alloc(GFP_KERNEL);
	if (!c || !buf) {
		if (c)
			aiotsec_crypt_free(c);
		kfree(buf);
		return -ENOMEM;
	}
	c->key = key;
	c->frame = buf;
	c->hdrlen = hdrlen;
	c->bodylen = bodylen;
	c->counter = counter;
	c->sid = 0x1234;
	c->suite = suite;
	c->tag_len = tag_len;
	c->dir = dir;
	c->bearer = bearer;
	err = aiotsec_crypt_wait(c, enc, async);
	aiotsec_crypt_free(c);
	memcpy(frame, buf, len);
	kfree(buf);
	return err;
}

/*
 * 128-NIA2 of @msg with test set 2's COUNT, BEARER and DIRECTION: the
 * MAC-I is @want, the frame verifies, and with one flipped bit it does not.
 */
static bool st_nia2(struct aiotsec_key *key, const u8 *msg, unsigned int len,
		    const u8 *want, bool async)
{
	bool ok = false;
	u8 *buf;

	buf = kmalloc(len + NIA2_MAC_LEN, GFP_KERNEL);
	if (!buf)
		return false;
	memcpy(buf, msg, len);
	if (st_crypt(key, AIOTSEC_SUITE_NIA2, NIA2_MAC_LEN, NIA2_BEARER,
		     NIA2_DIR, NIA2_COUNT, buf, 0, len, true, async) ||
	    memcmp(buf + len, want, NIA2_MAC_LEN))
		goto out;
	if (st_crypt(key, AIOTSEC_SUITE_NIA2, NIA2_MAC_LEN, NIA2_BEARER,
		     NIA2_DIR, NIA2_COUNT, buf, 0, len, false, async))
		goto out;
	buf[len - 1] ^= 1;
	ok = st_crypt(key, AIOTSEC_SUITE_NIA2, NIA2_MAC_LEN, NIA2_BEARER,
		      NIA2_DIR, NIA2_COUNT, buf, 0, len, false,
		      async) == -EBADMSG;
out:
	kfree(buf);
	return ok;
}

static bool selftest_nia2(void)
{
	struct aiotsec_key key = {};
	bool ok;

	ok = !aiotsec_key_setkey(&key, AIOTSEC_SUITE_NIA2, NIA2_MAC_LEN,
				 nia2_key, sizeof(nia2_key)) &&
	     st_nia2(&key, nia2_msg, sizeof(nia2_msg), nia2_mac, false) &&
	     st_nia2(&key, nia2_msg, sizeof(nia2_msg), nia2_mac, true);
	aiotsec_key_free_tfms(&key);
	if (!ok)
		pr_err("self-test: 128-NIA2 known answer failed\n");
	return ok;
}

/*
 * 128-NIA2 over a message longer than a whole 2 KiB frame context, so
 * that aiotsec_op_nia2() cannot use the buffer inside the context and
 * allocates c->mac_ext: no real frame is that long.  The MAC-I is checked
 * against the kernel's own "cmac(aes)" over the same input, itself
 * checked against test set 2 first.  Test set 2 ends on a whole block;
 * this length (8 + 2999 octets) does not, so the padded last block and
 * the second subkey are checked too.
 */
#define NIA2_LONG_LEN		2999

/*
 * The MAC-I of @msg by the shash "cmac(aes)": CMAC over COUNT (32) ||
 * BEARER (5) || DIRECTION (1) || 0 (26) || @msg, its first octets.
 */
static int nia2_ref_mac(const u8 *msg, unsigned int len,
			u8 mac[NIA2_MAC_LEN])
{
	struct crypto_shash *tfm;
	u8 *in, *out;
	int err;

	tfm = crypto_alloc_shash("cmac(aes)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	in = kzalloc(8 + len, GFP_KERNEL);
	out = kmalloc(AES_BLOCK_SIZE, GFP_KERNEL);
	if (!in || !out) {
		err = -ENOMEM;
		goto out;
	}
	put_unaligned_be32(NIA2_COUNT, in);
	in[4] = NIA2_BEARER << 3 | NIA2_DIR << 2;
	memcpy(in + 8, msg, len);
	err = crypto_shash_setkey(tfm, nia2_key, sizeof(nia2_key)) ?:
	      crypto_shash_tfm_digest(tfm, in, 8 + len, out);
	if (!err)
		memcpy(mac, out, NIA2_MAC_LEN);
out:
	kfree(out);
	kfree(in);
	crypto_free_shash(tfm);
	return err;
}

static bool selftest_nia2_long(void)
{
	struct aiotsec_key key = {};
	u8 want[NIA2_MAC_LEN];
	bool ok = false;
	unsigned int i;
	u8 *msg;
	int err;

	msg = kmalloc(NIA2_LONG_LEN, GFP_KERNEL);
	if (!msg)
		goto out;
	err = nia2_ref_mac(nia2_msg, sizeof(nia2_msg), want);
	if (!err && memcmp(want, nia2_mac, NIA2_MAC_LEN))
		err = -EBADMSG;
	for (i = 0; i < NIA2_LONG_LEN; i++)
		msg[i] = (u8)(i * 31 + (i >> 8) + 7);
	err = err ?: nia2_ref_mac(msg, NIA2_LONG_LEN, want);
	if (err) {
		pr_err("self-test: cmac(aes) reference for 128-NIA2 failed: %d\n",
		       err);
		goto out;
	}
	ok = !aiotsec_key_setkey(&key, AIOTSEC_SUITE_NIA2, NIA2_MAC_LEN,
				 nia2_key, sizeof(nia2_key)) &&
	     st_nia2(&key, msg, NIA2_LONG_LEN, want, false) &&
	     st_nia2(&key, msg, NIA2_LONG_LEN, want, true);
out:
	aiotsec_key_free_tfms(&key);
	kfree(msg);
	if (!ok)
		pr_err("self-test: 128-NIA2 over %u octets (separate CMAC buffer) failed\n",
		       NIA2_LONG_LEN);
	return ok;
}

static bool selftest_nea2_one(struct aiotsec_key *key, bool async)
{
	u8 buf[sizeof(nea2_plain) + NIA2_MAC_LEN];

	/* nia2-nea2 with K_enc = K_int: NEA2 is checked, NIA2 round-trips */
	memcpy(buf, nea2_plain, sizeof(nea2_plain));
	if (st_crypt(key, AIOTSEC_SUITE_NIA2_NEA2, NIA2_MAC_LEN, 0x15, 1,
		     0x398a59b4, buf, 0, sizeof(nea2_plain), true, async) ||
	    !bits_equal(buf, nea2_cipher, NEA2_BITS))
		return false;
	if (st_crypt(key, AIOTSEC_SUITE_NIA2_NEA2, NIA2_MAC_LEN, 0x15, 1,
		     0x398a59b4, buf, 0, sizeof(nea2_plain), false, async))
		return false;
	return bits_equal(buf, nea2_plain, NEA2_BITS);
}

static bool selftest_nea2(void)
{
	struct aiotsec_key key = {};
	u8 k[32];
	bool ok;

	memcpy(k, nea2_key, 16);
	memcpy(k + 16, nea2_key, 16);
	ok = !aiotsec_key_setkey(&key, AIOTSEC_SUITE_NIA2_NEA2, NIA2_MAC_LEN,
				 k, sizeof(k)) &&
	     selftest_nea2_one(&key, false) && selftest_nea2_one(&key, true);
	aiotsec_key_free_tfms(&key);
	if (!ok)
		pr_err("self-test: 128-NEA2 known answer failed\n");
	return ok;
}

struct recover_case {
	u64 rx_next;
	u32 low;
	u8 bits;
	u64 want;
};

static const struct recover_case recover_cases[] = {
	{ 0, 0, 16, 0 },
	{ 0, 5, 16, 5 },
	{ 0, 0xfff0, 16, 0xfff0 },		/* nothing below zero */
	{ 0x10000, 0xfffe, 16, 0xfffe },	/* just behind */
	{ 0xfff0, 0x0003, 16, 0x10003 },	/* wraps forwards */
	{ 0x123450000ULL, 0x0001, 16, 0x123450001ULL },
	{ 0x123450005ULL, 0xfffb, 16, 0x12344fffbULL },
	{ 0xfffffff0ULL, 0x00000002, 32, 0x100000002ULL },
	{ 0x100000002ULL, 0xffffffffU, 32, 0xffffffffULL },
	{ 0x700000000ULL, 0x7fffffffU, 32, 0x77fffffffULL },
};

static bool selftest_counter_recover(void)
{
	unsigned int i;
	u64 got;

	for (i = 0; i < ARRAY_SIZE(recover_cases); i++) {
		const struct recover_case *c = &recover_cases[i];

		got = aiotsec_counter_recover(c->rx_next, c->low, c->bits);
		if (got != c->want) {
			pr_err("self-test: counter recovery %u: %llx, want %llx\n",
			       i, got, c->want);
			return false;
		}
	}
	return true;
}

struct replay_step {
	u64 ctr;
	enum aiotsec_replay want;
};

/*
 * window of 64: sliding, reordering, duplicates, too old, big jumps; a
 * fresh counter that moves the top is TOP, one within the window OK
 */
static const struct replay_step replay_steps[] = {
	{ 0, AIOTSEC_REPLAY_TOP },
	{ 0, AIOTSEC_REPLAY_DUP },
	{ 2, AIOTSEC_REPLAY_TOP },
	{ 1, AIOTSEC_REPLAY_OK },
	{ 1, AIOTSEC_REPLAY_DUP },
	{ 0, AIOTSEC_REPLAY_DUP },	/* 2 slid within its word */
	{ 64, AIOTSEC_REPLAY_TOP },
	{ 0, AIOTSEC_REPLAY_OLD },
	{ 3, AIOTSEC_REPLAY_OK },
	{ 65, AIOTSEC_REPLAY_TOP },
	{ 1, AIOTSEC_REPLAY_OLD },
	{ 200, AIOTSEC_REPLAY_TOP },
	{ 137, AIOTSEC_REPLAY_OK },
	{ 136, AIOTSEC_REPLAY_OLD },
	{ 199, AIOTSEC_REPLAY_OK },
	{ 199, AIOTSEC_REPLAY_DUP },
	{ 266, AIOTSEC_REPLAY_TOP },
	{ 265, AIOTSEC_REPLAY_OK },	/* 137's bit: cleared by one word */
	{ 394, AIOTSEC_REPLAY_TOP },
	{ 393, AIOTSEC_REPLAY_OK },	/* 265's: cleared by a two-word slide */
	{ 100000, AIOTSEC_REPLAY_TOP },
	{ 99977, AIOTSEC_REPLAY_OK },	/* 393's: cleared by a long jump */
	{ 99937, AIOTSEC_REPLAY_OK },
	{ 99937, AIOTSEC_REPLAY_DUP },
	{ 200, AIOTSEC_REPLAY_OLD },
	{ 100000, AIOTSEC_REPLAY_DUP },
};

/* window of 32, not a whole word: the ring must still cover it */
static const struct replay_step replay_steps_32[] = {
	{ 40, AIOTSEC_REPLAY_TOP },
	{ 63, AIOTSEC_REPLAY_TOP },
	{ 64, AIOTSEC_REPLAY_TOP },
	{ 40, AIOTSEC_REPLAY_DUP },
	{ 33, AIOTSEC_REPLAY_OK },
	{ 32, AIOTSEC_REPLAY_OLD },
	{ 130, AIOTSEC_REPLAY_TOP },
	{ 99, AIOTSEC_REPLAY_OK },
	{ 98, AIOTSEC_REPLAY_OLD },
};

static bool selftest_replay_steps(u32 window, const struct replay_step *steps,
				  unsigned int n)
{
	u32 words = aiotsec_window_words(window);
	struct aiotsec_key *key;
	enum aiotsec_replay got;
	unsigned int i;
	bool ok = true;

	key = kzalloc(struct_size(key, window, words), GFP_KERNEL);
	if (!key)
		return false;
	spin_lock_init(&key->rx_lock);
	key->window_bits = window;
	key->window_words = words;

	for (i = 0; i < n && ok; i++) {
		const struct replay_step *st = &steps[i];

		got = aiotsec_replay_check(key, st->ctr);
		if (got == AIOTSEC_REPLAY_OK)
			got = aiotsec_replay_update(key, st->ctr);
		if (got != st->want) {
			pr_err("self-test: replay window %u step %u (counter %llu): %d, want %d\n",
			       window, i, st->ctr, got, st->want);
			ok = false;
		}
	}
	kfree(key);
	return ok;
}

static bool selftest_replay(void)
{
	return selftest_replay_steps(64, replay_steps,
				     ARRAY_SIZE(replay_steps)) &&
	       selftest_replay_steps(32, replay_steps_32,
				     ARRAY_SIZE(replay_steps_32));
}

/*
 * Whole frames from Documentation/networking/aiotsec.rst, computed by the
 * userspace implementation on OpenSSL: SID 0x1234, body "READ 0001", all
 * with the key of the 128-NIA2 test set above (nia2-nea2: it twice, as
 * K_enc || K_int).
 */
struct frame_kat {
	u8 suite;
	u8 tag_len;
	u8 dir;
	u64 counter;
	u8 hdr_len;
	u8 frame_len;
	u8 frame[40];
};

static const struct frame_kat frame_kats[] = {
	{
		.suite = AIOTSEC_SUITE_NIA2_NEA2,
		.tag_len = 4,
		.dir = 1,
		.counter = 0x5ULL,
		.hdr_len = 7,
		.frame_len = 20,
		.frame = {
			0x11, 0x00, 0x00, 0x12, 0x34, 0x00, 0x05, 0x0a,
			0x90, 0xf3, 0x05, 0x33, 0x03, 0xea, 0x4c, 0xe0,
			0x68, 0x40, 0x95, 0x25,
		},
	},
	{
		.suite = AIOTSEC_SUITE_NIA2,
		.tag_len = 4,
		.dir = 1,
		.counter = 0x5ULL,
		.hdr_len = 7,
		.frame_len = 20,
		.frame = {
			0x11, 0x00, 0x00, 0x12, 0x34, 0x00, 0x05, 0x52,
			0x45, 0x41, 0x44, 0x20, 0x30, 0x30, 0x30, 0x31,
			0x1e, 0xb8, 0x71, 0xab,
		},
	},
	{
		.suite = AIOTSEC_SUITE_AES_CCM,
		.tag_len = 8,
		.dir = 1,
		.counter = 0x5ULL,
		.hdr_len = 7,
		.frame_len = 24,
		.frame = {
			0x11, 0x00, 0x00, 0x12, 0x34, 0x00, 0x05, 0x1f,
			0xd7, 0xdd, 0x93, 0xeb, 0xf2, 0xae, 0x9f, 0x51,
			0x67, 0x6c, 0x69, 0x37, 0x6e, 0x53, 0xd1, 0x0f,
		},
	},
	{
		.suite = AIOTSEC_SUITE_AES_GCM,
		.tag_len = 16,
		.dir = 1,
		.counter = 0x5ULL,
		.hdr_len = 7,
		.frame_len = 32,
		.frame = {
			0x11, 0x00, 0x00, 0x12, 0x34, 0x00, 0x05, 0x76,
			0x83, 0x57, 0x72, 0x22, 0x60, 0x25, 0x27, 0x93,
			0x78, 0x3c, 0xec, 0x07, 0x4c, 0x94, 0xbf, 0x8d,
			0x60, 0x4b, 0xf7, 0x93, 0xcf, 0x62, 0xd9, 0x4e,
		},
	},
	{
		.suite = AIOTSEC_SUITE_AES_GCM,
		.tag_len = 16,
		.dir = 0,
		.counter = 0x100000002ULL,
		.hdr_len = 9,
		.frame_len = 34,
		.frame = {
			0x0a, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00,
			0x02, 0xd6, 0x9c, 0x46, 0x03, 0x55, 0xed, 0x19,
			0x46, 0xd7, 0x45, 0x0e, 0xd8, 0xb6, 0x85, 0x05,
			0x9e, 0x59, 0x63, 0x7b, 0x54, 0xf4, 0x3d, 0x7f,
			0x48, 0xa7,
		},
	},
	{
		/* the short form: the body length is associated data too */
		.suite = AIOTSEC_SUITE_AES_GCM,
		.tag_len = 16,
		.dir = 1,
		.counter = 0x5ULL,
		.hdr_len = 8,
		.frame_len = 33,
		.frame = {
			0x51, 0x00, 0x00, 0x12, 0x34, 0x00, 0x05, 0x09,
			0x76, 0x83, 0x57, 0x72, 0x22, 0x60, 0x25, 0x27,
			0x93, 0xaa, 0x1a, 0xc3, 0x19, 0xbb, 0xe6, 0xcd,
			0x4b, 0x2c, 0xa6, 0x08, 0xd2, 0x18, 0x10, 0xa3,
			0xe2,
		},
	},
};

static const u8 kat_body[] = "READ 0001";

static int kat_crypt(struct aiotsec_key *key, const struct frame_kat *kat,
		     u8 *buf, unsigned int bodylen, bool enc, bool async)
{
	return st_crypt(key, kat->suite, kat->tag_len, 0, kat->dir,
			kat->counter, buf, kat->hdr_len, bodylen, enc, async);
}

static bool selftest_frame_kat_one(struct aiotsec_key *key,
				   const struct frame_kat *kat, bool async)
{
	unsigned int bodylen = sizeof(kat_body) - 1;
	u8 buf[40];

	memcpy(buf, kat->frame, kat->hdr_len);
	memcpy(buf + kat->hdr_len, kat_body, bodylen);
	if (kat_crypt(key, kat, buf, bodylen, true, async) ||
	    memcmp(buf, kat->frame, kat->frame_len))
		return false;
	if (kat_crypt(key, kat, buf, bodylen, false, async) ||
	    memcmp(buf + kat->hdr_len, kat_body, bodylen))
		return false;

	/* a flipped bit in the tag or in the header is refused */
	memcpy(buf, kat->frame, kat->frame_len);
	buf[kat->frame_len - 1] ^= 0x80;
	if (kat_crypt(key, kat, buf, bodylen, false, async) != -EBADMSG)
		return false;
	memcpy(buf, kat->frame, kat->frame_len);
	buf[0] ^= 0x04;
	return kat_crypt(key, kat, buf, bodylen, false, async) == -EBADMSG;
}

static bool selftest_frame_kat(const struct frame_kat *kat)
{
	bool both = kat->suite == AIOTSEC_SUITE_NIA2_NEA2;
	struct aiotsec_key key = {};
	u8 k[32];
	bool ok = false;
	int err;

	memcpy(k, nia2_key, 16);
	memcpy(k + 16, nia2_key, 16);
	err = aiotsec_key_setkey(&key, kat->suite, kat->tag_len, k,
				 both ? 32 : 16);
	if (err) {
		pr_err("self-test: suite %u unavailable: %d\n", kat->suite, err);
		goto out;
	}
	ok = selftest_frame_kat_one(&key, kat, false) &&
	     selftest_frame_kat_one(&key, kat, true);
out:
	aiotsec_key_free_tfms(&key);
	if (!ok)
		pr_err("self-test: frame known answer failed (suite %u)\n",
		       kat->suite);
	return ok;
}

static bool selftest_frames(void)
{
	unsigned int i;
	bool ok = true;

	for (i = 0; i < ARRAY_SIZE(frame_kats); i++)
		ok &= selftest_frame_kat(&frame_kats[i]);
	return ok;
}

static bool (* const selftests[])(void) = {
	selftest_nia2,
	selftest_nia2_long,
	selftest_nea2,
	selftest_counter_recover,
	selftest_replay,
	selftest_frames,
};

int __init aiotsec_selftest(void)
{
	bool ok = true;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(selftests); i++)
		ok &= selftests[i]();

	if (!ok) {
		pr_err("self-tests: FAIL\n");
		return -ENOTRECOVERABLE;
	}
	pr_info("self-tests: pass\n");
	return 0;
}
