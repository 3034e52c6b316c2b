// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer and consistency tests for 128-NEA2 / 128-NIA2 (user/lib).
 * Vectors: /work/shared/vectors/nea2-nia2.txt (TS 33.401 Annex C).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>

#include "tap.h"
#include "hex.h"
#include "nxa2.h"

/* TS 33.401 Annex C.1, 128-NEA2 test set 1 */
#define NEA2_KEY	"d3c5d592327fb11c4035c6680af8c6d1"
#define NEA2_COUNT	0x398a59b4
#define NEA2_BEARER	0x15
#define NEA2_DIR	1
#define NEA2_NBITS	253
#define NEA2_PLAIN	"981ba6824c1bfb1ab485472029b71d80" \
			"8ce33e2cc3c0b5fc1f3de8a6dc66b1f0"
#define NEA2_CIPHER	"e9fed8a63d155304d71df20bf3e82214" \
			"b20ed7dad2f233dc3c22d7bdeeed8e78"

/* TS 33.401 Annex C.2, 128-NIA2 test set 2 */
#define NIA2_KEY	"d3c5d592327fb11c4035c6680af8c6d1"
#define NIA2_COUNT	0x398a59b4
#define NIA2_BEARER	0x1a
#define NIA2_DIR	1
#define NIA2_NBITS	64
#define NIA2_MSG	"484583d5afe082ae"
#define NIA2_MAC	"b93787e6"

/*
 * TS 33.401 Annex C.2, 128-NIA2 test set 1: not in shared/vectors, but
 * the one spec vector whose LENGTH (58) is not a multiple of 8, so it is
 * the only known answer for the bit-level CMAC padding.
 */
#define NIA2B_KEY	"2bd6459f82c5b300952c49104881ff48"
#define NIA2B_COUNT	0x38a6f056
#define NIA2B_BEARER	0x18
#define NIA2B_DIR	0
#define NIA2B_NBITS	58
#define NIA2B_MSG	"3332346263393840"
#define NIA2B_MAC	"118c6eb8"

#define NEA2_LEN	32

static uint8_t lead_mask(size_t nbits)
{
	return nbits % 8 ? (uint8_t)(0xff << (8 - nbits % 8)) : 0xff;
}

/* Compare only the leading @nbits bits, as the vectors README says. */
static void is_bits(const uint8_t *got, const uint8_t *want, size_t nbits,
		    const char *desc)
{
	uint8_t g[64], w[64];
	size_t n = (nbits + 7) / 8;

	memcpy(g, got, n);
	memcpy(w, want, n);
	g[n - 1] &= lead_mask(nbits);
	w[n - 1] &= lead_mask(nbits);
	is_mem(g, w, n, desc);
}

static int nea2_vec(const uint8_t *in, uint8_t *out, size_t nbits)
{
	uint8_t key[NXA2_KEY_LEN];

	HEX(key, NEA2_KEY);
	return nea2(key, NEA2_COUNT, NEA2_BEARER, NEA2_DIR, in, out, nbits);
}

static void test_nea2_vector(void)
{
	uint8_t pt[NEA2_LEN], ct[NEA2_LEN], out[NEA2_LEN];

	HEX(pt, NEA2_PLAIN);
	HEX(ct, NEA2_CIPHER);

	memset(out, 0xa5, sizeof(out));
	ok(nea2_vec(pt, out, NEA2_NBITS) == 0, "nea2 encrypt returns 0");
	is_bits(out, ct, NEA2_NBITS, "nea2 encrypt 253 bits = CIPHER");
	ok((out[NEA2_LEN - 1] & ~lead_mask(NEA2_NBITS)) == 0,
	   "nea2 clears the 3 unused trailing bits");

	memset(out, 0xa5, sizeof(out));
	ok(nea2_vec(ct, out, NEA2_NBITS) == 0, "nea2 decrypt returns 0");
	is_bits(out, pt, NEA2_NBITS, "nea2 decrypt 253 bits = PLAIN");

	memcpy(out, pt, sizeof(out));
	nea2_vec(out, out, NEA2_NBITS);
	is_bits(out, ct, NEA2_NBITS, "nea2 in place = CIPHER");
}

static void test_nea2_bits(void)
{
	uint8_t pt[NEA2_LEN], ct[NEA2_LEN], out[NEA2_LEN];

	HEX(pt, NEA2_PLAIN);
	HEX(ct, NEA2_CIPHER);

	pt[NEA2_LEN - 1] |= 0x07;
	nea2_vec(pt, out, NEA2_NBITS);
	ok(out[NEA2_LEN - 1] == ct[NEA2_LEN - 1],
	   "nea2 ignores and clears garbage in unused input bits");

	nea2_vec(pt, out, 8 * NEA2_LEN);
	is_bits(out, ct, NEA2_NBITS,
		"nea2 over 256 bits starts with the 253-bit answer");

	nea2_vec(pt, out, 250);
	is_bits(out, ct, 250, "nea2 over 250 bits is a prefix");
	ok((out[NEA2_LEN - 1] & 0x3f) == 0, "nea2 250 bits: 6 bits cleared");
}

static void test_nea2_args(void)
{
	uint8_t key[NXA2_KEY_LEN] = { 0 }, buf[4] = { 0 };

	ok(nea2(key, 0, NXA2_BEARER_MAX + 1, 0, buf, buf, 8) == -EINVAL,
	   "nea2 rejects a bearer over 5 bits");
	ok(nea2(key, 0, 0, 2, buf, buf, 8) == -EINVAL,
	   "nea2 rejects direction 2");
	ok(nea2(NULL, 0, 0, 0, buf, buf, 8) == -EINVAL,
	   "nea2 rejects a NULL key");
	ok(nea2(key, 0, 0, 0, NULL, NULL, 0) == 0,
	   "nea2 accepts an empty message");
}

static int nia2_vec(const uint8_t *msg, size_t nbits, uint32_t count,
		    uint8_t bearer, uint8_t dir, uint8_t mac[NIA2_MAC_LEN])
{
	uint8_t key[NXA2_KEY_LEN];

	HEX(key, NIA2_KEY);
	return nia2(key, count, bearer, dir, msg, nbits, mac);
}

static void test_nia2_vector(void)
{
	uint8_t msg[8], want[NIA2_MAC_LEN], mac[NIA2_MAC_LEN];

	HEX(msg, NIA2_MSG);
	HEX(want, NIA2_MAC);
	ok(nia2_vec(msg, NIA2_NBITS, NIA2_COUNT, NIA2_BEARER, NIA2_DIR,
		    mac) == 0, "nia2 returns 0");
	is_mem(mac, want, sizeof(mac), "nia2 test set 2 MAC-I");
}

static void test_nia2_vector_58(void)
{
	uint8_t key[NXA2_KEY_LEN], msg[8], want[NIA2_MAC_LEN];
	uint8_t mac[NIA2_MAC_LEN];

	HEX(key, NIA2B_KEY);
	HEX(msg, NIA2B_MSG);
	HEX(want, NIA2B_MAC);
	nia2(key, NIA2B_COUNT, NIA2B_BEARER, NIA2B_DIR, msg, NIA2B_NBITS,
	     mac);
	is_mem(mac, want, sizeof(mac), "nia2 test set 1 MAC-I (58 bits)");
}

/* Does any change of input (one bit, or a header field) change MAC-I? */
static void test_nia2_flips(void)
{
	uint8_t msg[8], want[NIA2_MAC_LEN], mac[NIA2_MAC_LEN];
	int i, changed = 0;

	HEX(msg, NIA2_MSG);
	HEX(want, NIA2_MAC);
	for (i = 0; i < NIA2_NBITS; i++) {
		msg[i / 8] ^= 0x80 >> (i % 8);
		nia2_vec(msg, NIA2_NBITS, NIA2_COUNT, NIA2_BEARER, NIA2_DIR,
			 mac);
		changed += memcmp(mac, want, sizeof(mac)) != 0;
		msg[i / 8] ^= 0x80 >> (i % 8);
	}
	ok(changed == NIA2_NBITS, "nia2: every flipped message bit changes MAC");

	nia2_vec(msg, NIA2_NBITS, NIA2_COUNT ^ 1, NIA2_BEARER, NIA2_DIR, mac);
	ok(memcmp(mac, want, sizeof(mac)), "nia2: COUNT is authenticated");
	nia2_vec(msg, NIA2_NBITS, NIA2_COUNT, NIA2_BEARER ^ 1, NIA2_DIR, mac);
	ok(memcmp(mac, want, sizeof(mac)), "nia2: BEARER is authenticated");
	nia2_vec(msg, NIA2_NBITS, NIA2_COUNT, NIA2_BEARER, !NIA2_DIR, mac);
	ok(memcmp(mac, want, sizeof(mac)), "nia2: DIRECTION is authenticated");
}

/* Non-octet lengths: unused bits are ignored, every used bit counts. */
static void test_nia2_bitlen(void)
{
	uint8_t msg[8], ref[NIA2_MAC_LEN], mac[NIA2_MAC_LEN];

	HEX(msg, NIA2_MSG);
	msg[7] &= 0xc0;
	nia2_vec(msg, 58, NIA2_COUNT, NIA2_BEARER, NIA2_DIR, ref);
	msg[7] |= 0x3f;
	nia2_vec(msg, 58, NIA2_COUNT, NIA2_BEARER, NIA2_DIR, mac);
	is_mem(mac, ref, sizeof(mac), "nia2 58 bits ignores unused bits");

	msg[7] &= 0xc0;
	nia2_vec(msg, 59, NIA2_COUNT, NIA2_BEARER, NIA2_DIR, mac);
	ok(memcmp(mac, ref, sizeof(mac)),
	   "nia2: appending a 0 bit (58 -> 59 bits) changes MAC");

	msg[7] ^= 0x40;
	nia2_vec(msg, 58, NIA2_COUNT, NIA2_BEARER, NIA2_DIR, mac);
	ok(memcmp(mac, ref, sizeof(mac)), "nia2: last used bit counts");

	nia2_vec(msg, 0, NIA2_COUNT, NIA2_BEARER, NIA2_DIR, mac);
	nia2_vec(NULL, 0, NIA2_COUNT, NIA2_BEARER, NIA2_DIR, ref);
	is_mem(mac, ref, sizeof(mac), "nia2 of an empty message works");
}

/* Octet-aligned bit CMAC must equal libcrypto's RFC 4493 CMAC. */
static int cmac_matches_libcrypto(const uint8_t *key, const uint8_t *msg,
				  size_t len)
{
	uint8_t mine[AES_CMAC_LEN], theirs[AES_CMAC_LEN];
	size_t outl = 0;

	if (aes128_cmac(key, msg, 8 * len, mine))
		return 0;
	if (!EVP_Q_mac(NULL, "CMAC", NULL, "AES-128-CBC", NULL, key,
		       NXA2_KEY_LEN, msg, len, theirs, sizeof(theirs), &outl))
		return 0;
	return outl == AES_CMAC_LEN && !memcmp(mine, theirs, outl);
}

static void test_cmac_octets(void)
{
	uint8_t key[NXA2_KEY_LEN], msg[100];
	size_t len, good = 0, total = 0;

	HEX(key, NIA2_KEY);
	for (len = 0; len < sizeof(msg); len++)
		msg[len] = (uint8_t)(len * 37 + 11);
	for (len = 0; len <= sizeof(msg); len++, total++)
		good += cmac_matches_libcrypto(key, msg, len);
	ok(good == total, "aes128_cmac = libcrypto CMAC for 0..100 octets");
}

/* nia2 is CMAC over the 64-bit header followed by the message bits. */
static void test_nia2_is_cmac(void)
{
	uint8_t key[NXA2_KEY_LEN], buf[16] = { 0 }, tag[AES_CMAC_LEN];
	uint8_t mac[NIA2_MAC_LEN];

	HEX(key, NIA2_KEY);
	buf[0] = NIA2_COUNT >> 24;
	buf[1] = NIA2_COUNT >> 16 & 0xff;
	buf[2] = NIA2_COUNT >> 8 & 0xff;
	buf[3] = NIA2_COUNT & 0xff;
	buf[4] = NIA2_BEARER << 3 | NIA2_DIR << 2;
	HEX(tag, "0123456789abcdef0123456789abcdef");
	memcpy(buf + 8, tag, 8);
	aes128_cmac(key, buf, 64 + 61, tag);
	nia2_vec(buf + 8, 61, NIA2_COUNT, NIA2_BEARER, NIA2_DIR, mac);
	is_mem(mac, tag, sizeof(mac), "nia2 = aes128_cmac(header||msg)");
}

static void test_nia2_args(void)
{
	uint8_t key[NXA2_KEY_LEN] = { 0 }, mac[NIA2_MAC_LEN];

	ok(nia2(key, 0, 32, 0, NULL, 0, mac) == -EINVAL,
	   "nia2 rejects a bearer over 5 bits");
	ok(nia2(key, 0, 0, 0, NULL, 8, mac) == -EINVAL,
	   "nia2 rejects a NULL message");
	ok(nia2(key, 0, 0, 0, key, 8, NULL) == -EINVAL,
	   "nia2 rejects a NULL MAC buffer");
}

int main(void)
{
	test_nea2_vector();
	test_nea2_bits();
	test_nea2_args();
	test_nia2_vector();
	test_nia2_vector_58();
	test_nia2_flips();
	test_nia2_bitlen();
	test_cmac_octets();
	test_nia2_is_cmac();
	test_nia2_args();
	return tap_done();
}
