// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the per-frame protection in user/lib/aiotframe.c: headers,
 * round trips of every suite and tag length, rejection of every single
 * bit flip, wrong keys, directions and sessions, counter limits, counter
 * recovery and the replay window.  The suites are also checked against
 * independent computations: nia2()/nea2() of user/lib/nxa2.c for the
 * NIA2 suites, a CCM built here on AES-ECB (RFC 3610, itself checked
 * against NIST SP 800-38C example 3) and one-shot libcrypto GCM.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <linux/aiotsec.h>

#include "tap.h"
#include "hex.h"
#include "aiotframe.h"
#include "nxa2.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* TS 33.401 Annex C 128-NIA2 / 128-NEA2 test set key */
#define K16	"d3c5d592327fb11c4035c6680af8c6d1"
#define K16B	"2bd6459f82c5b300952c49104881ff48"
#define SID	0x00001234u
#define FRAME_MAX	(AIOT_HDR_ROOM + 256 + AIOT_TAG_MAX)

struct cfg {
	uint8_t suite;
	uint8_t tag_len;
	const char *name;
};

static const struct cfg cfgs[] = {
	{ AIOTSEC_SUITE_NIA2_NEA2, 4, "nia2-nea2" },
	{ AIOTSEC_SUITE_NIA2, 4, "nia2" },
	{ AIOTSEC_SUITE_AES_CCM, 4, "aes-ccm/4" },
	{ AIOTSEC_SUITE_AES_CCM, 8, "aes-ccm/8" },
	{ AIOTSEC_SUITE_AES_CCM, 16, "aes-ccm/16" },
	{ AIOTSEC_SUITE_AES_GCM, 16, "aes-gcm" },
};

#define NCFG	ARRAY_SIZE(cfgs)

static char desc[160];

#define DESC(...)	(snprintf(desc, sizeof(desc), __VA_ARGS__), desc)

/* Key material of a suite: @a for K_enc (or the key), @b for K_int. */
static size_t key_bytes(uint8_t suite, const char *a, const char *b,
			uint8_t *key)
{
	unhex(a, key, 16);
	if (suite != AIOTSEC_SUITE_NIA2_NEA2)
		return 16;
	unhex(b, key + 16, 16);
	return 32;
}

static void key_or_bail(struct aiot_key *k, const struct cfg *c,
			const char *a, const char *b)
{
	uint8_t key[AIOT_KEY_MAX];
	size_t n = key_bytes(c->suite, a, b, key);

	if (aiot_key_init(k, c->suite, c->tag_len, key, n)) {
		printf("Bail out! aiot_key_init %s\n", c->name);
		exit(255);
	}
}

static void fill(uint8_t *p, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 29 + (i >> 3));
}

/*
 * Build the long form of header || body and seal it; returns the frame
 * length or < 0.  (The short form has tests of its own.)
 */
static int make_frame(const struct aiot_key *k, int bits, int dir,
		      uint64_t ctr, const uint8_t *body, size_t blen,
		      uint8_t *frame)
{
	int hl = aiot_hdr_build_form(frame, false, AIOTSEC_FT_COMMAND, 0,
				     bits, dir, SID, ctr, blen);
	int ret;

	if (hl < 0)
		return hl;
	memcpy(frame + hl, body, blen);
	ret = aiot_seal(k, SID, dir, ctr, frame, hl, blen);
	return ret ? ret : (int)(hl + blen + k->tag_len);
}

/* Fill the start of @arr from a hex string (the rest is left as it was). */
#define HEX_PART(arr, s)	unhex((s), (arr), strlen(s) / 2)

/* ---- keys and headers ------------------------------------------------ */

static void test_key_init(void)
{
	static const struct { uint8_t suite, tag; size_t klen; } bad[] = {
		{ AIOTSEC_SUITE_UNSPEC, 4, 16 },
		{ AIOTSEC_SUITE_MAX + 1, 4, 16 },
		{ AIOTSEC_SUITE_NIA2_NEA2, 4, 16 },
		{ AIOTSEC_SUITE_NIA2, 4, 32 },
		{ AIOTSEC_SUITE_NIA2, 8, 16 },
		{ AIOTSEC_SUITE_AES_CCM, 0, 16 },
		{ AIOTSEC_SUITE_AES_CCM, 6, 16 },
		{ AIOTSEC_SUITE_AES_CCM, 12, 16 },
		{ AIOTSEC_SUITE_AES_CCM, 8, 32 },
		{ AIOTSEC_SUITE_AES_GCM, 8, 16 },
		{ AIOTSEC_SUITE_AES_GCM, 16, 15 },
	};
	uint8_t key[AIOT_KEY_MAX] = { 1 };
	struct aiot_key k;
	int fails = 0;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		fails += aiot_key_init(&k, bad[i].suite, bad[i].tag, key,
				       bad[i].klen) != -EINVAL;
	ok(!fails, "aiot_key_init refuses bad suites, key and tag lengths");

	ok(!aiot_key_init(&k, AIOTSEC_SUITE_AES_GCM, 0, key, 16) &&
	   k.tag_len == 16, "aes-gcm tag length 0 means 16");
	aiot_key_free(&k);
	ok(!aiot_key_init(&k, AIOTSEC_SUITE_NIA2_NEA2, 0, key, 32) &&
	   k.tag_len == 4, "nia2-nea2 tag length 0 means 4");
	aiot_key_free(&k);
	aiot_key_free(&k);	/* twice is harmless */
	ok(k.key[0] == 0 && !k.enc && !k.cmac,
	   "aiot_key_free wipes the key");
}

static void test_hdr_build(void)
{
	uint8_t h[AIOT_HDR_ROOM], want[AIOT_HDR_ROOM];

	ok(aiot_hdr_build(h, AIOTSEC_FT_COMMAND, 0, 16, 1, 0x00001234,
			  0x10005, 64, 4) == 7, "16-bit header is 7 octets");
	HEX(want, "11000012340005000000");
	is_mem(h, want, 7, "COMMAND downlink counter 0x10005 (16 bits)");

	ok(aiot_hdr_build(h, AIOTSEC_FT_INVENTORY, 1, 32, 0, 0xa1b2c3d4,
			  0x100000002ULL, 64, 4) == 9,
	   "32-bit header is 9 octets");
	HEX(want, "0ea1b2c3d40000000200");
	is_mem(h, want, 9, "INVENTORY uplink phase 1 counter 2^32+2 (32 bits)");

	ok(aiot_hdr_build(h, AIOTSEC_FT_CONTROL, 1, 32, 1, 1, 0, 64, 16) == 9 &&
	   h[0] == 0x27, "CONTROL, phase 1, C, D: octet 0 is 0x27");

	ok(aiot_hdr_build(h, AIOTSEC_FT_COMMAND, 0, 16, 1, 0x00001234, 5, 9,
			  4) == 8, "a frame below the minimum: short form, 8");
	HEX(want, "51000012340005090000");
	is_mem(h, want, 8, "short form: version 1, the body length last");
	ok(aiot_hdr_build(h, AIOTSEC_FT_INVENTORY, 1, 32, 0, 0xa1b2c3d4, 2,
			  0, 16) == 10 && h[0] == 0x4e && h[9] == 0,
	   "short form with a 32-bit field: 10 octets, empty body");
	/* 14 + 7 + body + tag < 60: short; from 60 on, long */
	ok(aiot_hdr_build(h, AIOTSEC_FT_COMMAND, 0, 16, 1, 1, 5, 22, 16) == 8 &&
	   aiot_hdr_build(h, AIOTSEC_FT_COMMAND, 0, 16, 1, 1, 5, 23, 16) == 7 &&
	   aiot_hdr_build(h, AIOTSEC_FT_COMMAND, 0, 32, 1, 1, 5, 20, 16) == 10 &&
	   aiot_hdr_build(h, AIOTSEC_FT_COMMAND, 0, 32, 1, 1, 5, 21, 16) == 9 &&
	   aiot_hdr_build(h, AIOTSEC_FT_AUTH, 0, 16, 1, 1, 0, 38, 0) == 8 &&
	   aiot_hdr_build(h, AIOTSEC_FT_AUTH, 0, 16, 1, 1, 0, 39, 0) == 7,
	   "the short form exactly below the 60-octet Ethernet frame");

	ok(aiot_hdr_build(h, 5, 0, 16, 0, 1, 0, 64, 4) == -EINVAL &&
	   aiot_hdr_build(h, 1, 2, 16, 0, 1, 0, 64, 4) == -EINVAL &&
	   aiot_hdr_build(h, 1, 0, 24, 0, 1, 0, 64, 4) == -EINVAL &&
	   aiot_hdr_build(h, 1, 0, 16, 2, 1, 0, 64, 4) == -EINVAL &&
	   aiot_hdr_build(h, 1, 0, 16, 0, 1, 0, 64, 17) == -EINVAL &&
	   aiot_hdr_build(NULL, 1, 0, 16, 0, 1, 0, 64, 4) == -EINVAL &&
	   aiot_hdr_build_form(h, true, 1, 0, 16, 0, 1, 0, 256) == -EINVAL,
	   "aiot_hdr_build refuses bad type, phase, counter bits, direction, "
	   "tag and short-form length");
	ok(aiot_hdr_build(h, AIOTSEC_FT_AUTH, 1, 16, 0, 1, 0, 64, 0) == -EINVAL &&
	   aiot_hdr_build(h, AIOTSEC_FT_AUTH, 0, 16, 0, 1, 1, 64, 0) == -EINVAL &&
	   aiot_hdr_build(h, AIOTSEC_FT_AUTH, 0, 32, 0, 1, 0, 64, 0) == -EINVAL &&
	   aiot_hdr_build(h, AIOTSEC_FT_AUTH, 0, 16, 0, 1, 0, 64, 0) == 7,
	   "AUTH headers have key phase 0, counter 0, a 16-bit field");
}

static void test_hdr_parse(void)
{
	uint8_t f[AIOT_HDR_ROOM + 4];
	struct aiot_hdr h;
	int fails = 0;

	HEX_PART(f, "0ea1b2c3d4cafef00d");
	ok(aiot_hdr_parse(f, 9, &h) == 9 && h.type == AIOTSEC_FT_INVENTORY &&
	   h.key_phase == 1 && h.ctr_bits == 32 && h.dir == 0 &&
	   h.sid == 0xa1b2c3d4 && h.ctr_low == 0xcafef00d && h.len == 9,
	   "parse a 32-bit header");
	f[0] = 0x11;
	ok(aiot_hdr_parse(f, 7, &h) == 7 && h.type == AIOTSEC_FT_COMMAND &&
	   h.key_phase == 0 && h.ctr_bits == 16 && h.dir == 1 &&
	   h.ctr_low == 0xcafe && h.len == 7, "parse a 16-bit header");

	ok(aiot_hdr_parse(f, 6, &h) == -EPROTO, "6 octets are too short");
	f[0] = 0x13;
	ok(aiot_hdr_parse(f, 8, &h) == -EPROTO,
	   "8 octets are too short for a 32-bit header");
	for (unsigned int v = 2; v < 4; v++) {
		f[0] = (uint8_t)(v << 6 | 0x11);
		fails += aiot_hdr_parse(f, 9, &h) != -EPROTO;
	}
	ok(!fails, "versions 2 and 3 refused");
	HEX_PART(f, "5100001234000503aabbcc0000");
	ok(aiot_hdr_parse(f, 13, &h) == 8 && h.len == 8 && h.body_len == 3 &&
	   h.ctr_bits == 16 && h.ctr_low == 5 && h.type == AIOTSEC_FT_COMMAND &&
	   aiot_hdr_auth_len(&h, 13) == 3,
	   "short form: header of 8, its body length, padding after it");
	ok(aiot_hdr_parse(f, 10, &h) == -EPROTO &&
	   aiot_hdr_parse(f, 7, &h) == -EPROTO,
	   "short form: a frame shorter than its header and body is -EPROTO");
	HEX_PART(f, "53000012340000000500");
	ok(aiot_hdr_parse(f, 10, &h) == 10 && h.ctr_low == 5 &&
	   h.body_len == 0, "short form with a 32-bit field: 10 octets");
	f[0] = 0x11;
	ok(aiot_hdr_parse(f, 10, &h) == 7 && h.body_len == -1 &&
	   aiot_hdr_auth_len(&h, 10) == 3,
	   "long form: no body length, the rest of the frame");
	/* as the kernel reads it: C does not widen an AUTH header */
	HEX_PART(f, "42000000010000036162630000");
	ok(aiot_hdr_parse(f, 13, &h) == 8 && h.type == AIOTSEC_FT_AUTH &&
	   h.ctr_bits == 16 && h.body_len == 3 && aiot_hdr_auth_len(&h, 13) == 3,
	   "AUTH with C set: a 16-bit field, the short form's length at 7");
	fails = 0;
	for (unsigned int t = 5; t < 8; t++) {
		f[0] = (uint8_t)(t << 3);
		fails += aiot_hdr_parse(f, 9, &h) != -EPROTO;
	}
	ok(!fails, "types 5 to 7 refused");
	fails = 0;
	for (unsigned int t = 0; t < 5; t++) {
		f[0] = (uint8_t)(t << 3);
		fails += aiot_hdr_parse(f, 9, &h) != 7 || h.type != t;
	}
	ok(!fails, "types 0 to 4 accepted");
}

/* ---- round trips ----------------------------------------------------- */

static int roundtrip_one(const struct aiot_key *k, int bits, int dir,
			 uint64_t ctr, size_t blen)
{
	uint8_t body[256] = { 0 }, frame[FRAME_MAX];
	int n, hl = bits == 32 ? 9 : 7;

	fill(body, blen, (unsigned int)(ctr + blen));
	n = make_frame(k, bits, dir, ctr, body, blen, frame);
	if (n != (int)(hl + blen + k->tag_len))
		return 1;
	/* nia2 leaves the body in clear; every other suite ciphers it */
	if (blen >= 4 && (k->suite == AIOTSEC_SUITE_NIA2) !=
			 !memcmp(frame + hl, body, blen))
		return 1;
	if (aiot_open(k, SID, dir, ctr, frame, hl, blen))
		return 1;
	return memcmp(frame + hl, body, blen) != 0;
}

static void test_roundtrip(const struct cfg *c)
{
	static const size_t lens[] = { 0, 1, 9, 15, 16, 17, 33, 200 };
	const uint64_t ctrs[] = { 0, 5, 0xffff, 0x12345, 0xfffffffe,
				  aiot_suite_max_counter(c->suite) - 1 };
	struct aiot_key k;
	int fails = 0, n = 0;

	key_or_bail(&k, c, K16, K16B);
	for (size_t l = 0; l < ARRAY_SIZE(lens); l++)
		for (size_t i = 0; i < ARRAY_SIZE(ctrs); i++)
			for (int dir = 0; dir < 2; dir++, n += 2) {
				fails += roundtrip_one(&k, 16, dir, ctrs[i],
						       lens[l]);
				fails += roundtrip_one(&k, 32, dir, ctrs[i],
						       lens[l]);
			}
	ok(!fails, DESC("%s: %d round trips (body 0..200, both directions, "
			"16/32-bit field, counters up to the limit)",
			c->name, n));
	aiot_key_free(&k);
}

/*
 * The example frames of Documentation/networking/aiotsec.rst, byte for
 * byte (the kernel's self-tests check the same bytes): key K16 (twice for
 * nia2-nea2), SID 0x1234, body "READ 0001".
 */
static void test_doc_examples(void)
{
	static const struct {
		unsigned int cfg;	/* in cfgs[] */
		enum aiot_form form;
		uint8_t type;
		int dir, ctr_bits;
		uint64_t counter;
		const char *frame;
	} v[] = {
		{ 0, AIOT_FORM_LONG, AIOTSEC_FT_COMMAND, AIOT_DIR_DOWNLINK, 16, 5,
		  "11000012340005" "0a90f3053303ea4ce0" "68409525" },
		{ 1, AIOT_FORM_LONG, AIOTSEC_FT_COMMAND, AIOT_DIR_DOWNLINK, 16, 5,
		  "11000012340005" "524541442030303031" "1eb871ab" },
		{ 3, AIOT_FORM_LONG, AIOTSEC_FT_COMMAND, AIOT_DIR_DOWNLINK, 16, 5,
		  "11000012340005" "1fd7dd93ebf2ae9f51" "676c69376e53d10f" },
		{ 5, AIOT_FORM_LONG, AIOTSEC_FT_COMMAND, AIOT_DIR_DOWNLINK, 16, 5,
		  "11000012340005" "768357722260252793"
		  "783cec074c94bf8d604bf793cf62d94e" },
		{ 5, AIOT_FORM_LONG, AIOTSEC_FT_INVENTORY, AIOT_DIR_UPLINK, 32,
		  0x100000002ULL,
		  "0a0000123400000002" "d69c460355ed1946d7"
		  "450ed8b685059e59637b54f43d7f48a7" },
		{ 5, AIOT_FORM_SHORT, AIOTSEC_FT_COMMAND, AIOT_DIR_DOWNLINK, 16, 5,
		  "5100001234000509" "768357722260252793"
		  "aa1ac319bbe6cd4b2ca608d21810a3e2" },
	};
	static const uint8_t body[] = "READ 0001";
	uint8_t want[FRAME_MAX], got[FRAME_MAX];
	struct aiot_key k;
	ssize_t n;
	long wn;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		const struct cfg *c = &cfgs[v[i].cfg];

		key_or_bail(&k, c, K16, K16);
		wn = hex_decode(v[i].frame, want, sizeof(want));
		n = aiot_frame_protect_form(&k, v[i].form, v[i].type, 0,
					    v[i].ctr_bits, v[i].dir, SID,
					    v[i].counter, body,
					    sizeof(body) - 1, got, sizeof(got));
		ok(wn > 0 && n == wn && !memcmp(got, want, (size_t)n),
		   DESC("%s: the documentation's example frame %zu", c->name,
			i + 1));
		aiot_key_free(&k);
	}
}

/* The body's bound: 1024 octets open, 1025 are malformed (-EPROTO). */
static void test_body_bound(const struct cfg *c)
{
	static uint8_t body[AIOTSEC_MAX_PAYLOAD + 1], frame[2048], out[2048];
	ssize_t fl, n1024, n1025;
	struct aiot_key k;

	key_or_bail(&k, c, K16, K16B);
	fill(body, sizeof(body), 7);
	fl = aiot_frame_protect(&k, AIOTSEC_FT_INVENTORY, 0, 32, 0, 9, 1,
				body, AIOTSEC_MAX_PAYLOAD, frame,
				sizeof(frame));
	n1024 = fl < 0 ? fl : aiot_frame_unprotect(&k, 0, NULL, frame,
						    (size_t)fl, NULL, NULL,
						    out, sizeof(out));
	fl = aiot_frame_protect(&k, AIOTSEC_FT_INVENTORY, 0, 32, 0, 9, 2,
				body, sizeof(body), frame, sizeof(frame));
	n1025 = fl < 0 ? fl : aiot_frame_unprotect(&k, 0, NULL, frame,
						    (size_t)fl, NULL, NULL,
						    out, sizeof(out));
	ok(n1024 == AIOTSEC_MAX_PAYLOAD && n1025 == -EPROTO,
	   DESC("%s: a 1024-octet body opens, 1025 octets are malformed",
		c->name));
	aiot_key_free(&k);
}

static void test_protect_unprotect(const struct cfg *c)
{
	const uint8_t msg[] = "READ 0001";
	uint8_t frame[FRAME_MAX], out[64];
	struct aiot_key k;
	struct aiot_hdr h;
	uint64_t ctr = 0;
	ssize_t n, m;

	key_or_bail(&k, c, K16, K16B);
	n = aiot_frame_protect(&k, AIOTSEC_FT_RESPONSE, 1, 32, 0, SID, 77,
			       msg, 9, frame, sizeof(frame));
	ok(n == 10 + 9 + c->tag_len && frame[0] >> 6 == 1 && frame[9] == 9,
	   DESC("%s: aiot_frame_protect length, short form", c->name));
	m = aiot_frame_unprotect(&k, 0, NULL, frame, (size_t)n, &h, &ctr,
				 out, sizeof(out));
	ok(m == 9 && !memcmp(out, msg, 9) && ctr == 77 &&
	   h.type == AIOTSEC_FT_RESPONSE && h.key_phase == 1 &&
	   h.sid == SID && h.dir == 0,
	   DESC("%s: aiot_frame_unprotect gives payload and header",
		c->name));
	ok(aiot_frame_unprotect(&k, 1, NULL, frame, (size_t)n, NULL, NULL,
				out, sizeof(out)) == -EPROTO,
	   DESC("%s: frame in the unexpected direction is -EPROTO",
		c->name));
	ok(aiot_frame_unprotect(&k, 0, NULL, frame, (size_t)n, NULL, NULL,
				out, 8) == -EMSGSIZE &&
	   aiot_frame_protect(&k, AIOTSEC_FT_RESPONSE, 0, 32, 0, SID, 77,
			      msg, 9, frame, (size_t)n - 1) == -EMSGSIZE,
	   DESC("%s: short output buffers are -EMSGSIZE", c->name));
	ok(aiot_frame_unprotect(&k, -1, NULL, frame, 10 + 9 + c->tag_len - 1,
				NULL, NULL, out, sizeof(out)) == -EPROTO,
	   DESC("%s: frame shorter than header + body + tag is -EPROTO",
		c->name));
	/* a lower device pads it to the Ethernet minimum */
	memset(frame + n, 0, 46 - (size_t)n);
	m = aiot_frame_unprotect(&k, 0, NULL, frame, 46, NULL, NULL, out,
				 sizeof(out));
	ok(m == 9 && !memcmp(out, msg, 9),
	   DESC("%s: short form padded to 60 octets opens", c->name));
	n = aiot_frame_protect_form(&k, AIOT_FORM_LONG, AIOTSEC_FT_RESPONSE, 0,
				    32, 0, SID, 78, msg, 9, frame,
				    sizeof(frame));
	ok(n == 9 + 9 + c->tag_len && frame[0] >> 6 == 0,
	   DESC("%s: the long form when asked for", c->name));
	memset(frame + n, 0, 46 - (size_t)n);
	ok(aiot_frame_unprotect(&k, 0, NULL, frame, 46, NULL, NULL, out,
				sizeof(out)) == -EBADMSG,
	   DESC("%s: long form padded: the padding is taken for the tag",
		c->name));

	/* in place: the payload already sits after the header room */
	memcpy(frame + 7, msg, 9);
	n = aiot_frame_protect(&k, AIOTSEC_FT_COMMAND, 0, 16, 1, SID, 3,
			       frame + 7, 9, frame, sizeof(frame));
	m = n < 0 ? n : aiot_frame_unprotect(&k, 1, NULL, frame, (size_t)n,
					     NULL, NULL, out, sizeof(out));
	ok(m == 9 && !memcmp(out, msg, 9),
	   DESC("%s: protect with the payload inside the output", c->name));
	aiot_key_free(&k);
}

static void test_auth_frames(void)
{
	const uint8_t msg[4] = { 0xde, 0xad, 0xbe, 0xef };
	uint8_t frame[64], want[12], out[8];
	struct aiot_key k;
	struct aiot_hdr h;
	ssize_t n;

	n = aiot_frame_protect(NULL, AIOTSEC_FT_AUTH, 0, 16, 0, SID, 0, msg,
			       4, frame, sizeof(frame));
	HEX(want, "4000001234" "0000" "04" "deadbeef");
	ok(n == 12, "AUTH frame: short header and payload, no tag");
	is_mem(frame, want, 12, "AUTH frame is unprotected");
	memset(frame + n, 0, 46 - (size_t)n);
	ok(aiot_hdr_parse(frame, 46, &h) == 8 &&
	   aiot_hdr_auth_len(&h, 46) == 4,
	   "AUTH frame padded to 60 octets: its payload length");
	key_or_bail(&k, &cfgs[1], K16, K16B);
	ok(aiot_frame_unprotect(&k, -1, NULL, frame, 12, NULL, NULL, out,
				sizeof(out)) == -EPROTO,
	   "aiot_frame_unprotect refuses AUTH frames");
	aiot_key_free(&k);
}

/* ---- rejection ------------------------------------------------------- */

/* Flip each bit of @frame in turn; count the flips that still verify. */
static int flips_accepted(const struct aiot_key *k, const uint8_t *frame,
			  size_t n, int hl, int dir, uint64_t ctr, int *nflip)
{
	uint8_t f[FRAME_MAX], out[FRAME_MAX];
	size_t blen = n - hl - k->tag_len;
	int bad = 0;

	for (size_t bit = 0; bit < 8 * n; bit++, (*nflip)++) {
		memcpy(f, frame, n);
		f[bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
		/* the receiver with the sender's parameters */
		if (aiot_open(k, SID, dir, ctr, f, hl, blen) != -EBADMSG)
			bad++;
		/* and the receiver that parses the header itself */
		memcpy(f, frame, n);
		f[bit / 8] ^= (uint8_t)(0x80 >> bit % 8);
		if (aiot_frame_unprotect(k, -1, NULL, f, n, NULL, NULL, out,
					 sizeof(out)) >= 0)
			bad++;
	}
	return bad;
}

static void test_bitflips(const struct cfg *c)
{
	uint8_t body[9], frame[FRAME_MAX];
	struct aiot_key k;
	int bad = 0, nflip = 0, n;

	key_or_bail(&k, c, K16, K16B);
	memcpy(body, "READ 0001", 9);
	for (int bits = 16; bits <= 32; bits += 16) {
		int hl = bits == 32 ? 9 : 7;

		n = make_frame(&k, bits, 1, 5, body, 9, frame);
		bad += n < 0 ? 1 : flips_accepted(&k, frame, (size_t)n, hl, 1,
						   5, &nflip);
		n = make_frame(&k, bits, 0, 0x1234, body, 0, frame);
		bad += n < 0 ? 1 : flips_accepted(&k, frame, (size_t)n, hl, 0,
						   0x1234, &nflip);
	}
	ok(!bad, DESC("%s: all %d single-bit flips of header, body and tag "
		      "rejected", c->name, nflip));
	aiot_key_free(&k);
}

static void test_wrong_key(const struct cfg *c)
{
	uint8_t body[9] = "READ 0001", frame[FRAME_MAX], f[FRAME_MAX];
	struct aiot_key k, w;
	int n;

	key_or_bail(&k, c, K16, K16B);
	n = make_frame(&k, 16, 1, 5, body, 9, frame);

	key_or_bail(&w, c, K16B, K16);	/* both halves differ */
	memcpy(f, frame, (size_t)n);
	ok(aiot_open(&w, SID, 1, 5, f, 7, 9) == -EBADMSG,
	   DESC("%s: wrong key rejected", c->name));
	aiot_key_free(&w);
	if (c->suite == AIOTSEC_SUITE_NIA2_NEA2) {
		key_or_bail(&w, c, K16, K16);
		memcpy(f, frame, (size_t)n);
		ok(aiot_open(&w, SID, 1, 5, f, 7, 9) == -EBADMSG,
		   DESC("%s: wrong K_int rejected", c->name));
		aiot_key_free(&w);
	}

	memcpy(f, frame, (size_t)n);
	ok(aiot_open(&k, SID, 0, 5, f, 7, 9) == -EBADMSG,
	   DESC("%s: wrong direction rejected", c->name));
	memcpy(f, frame, (size_t)n);
	ok(aiot_open(&k, SID, 1, 6, f, 7, 9) == -EBADMSG &&
	   aiot_open(&k, SID, 1, 5 + (1ULL << 16), f, 7, 9) == -EBADMSG,
	   DESC("%s: wrong counter (also high bits only) rejected",
		c->name));
	if (c->suite == AIOTSEC_SUITE_AES_CCM ||
	    c->suite == AIOTSEC_SUITE_AES_GCM) {
		memcpy(f, frame, (size_t)n);
		ok(aiot_open(&k, SID + 1, 1, 5, f, 7, 9) == -EBADMSG,
		   DESC("%s: wrong SID in the nonce rejected", c->name));
		ok(memcmp(f + 7, frame + 7, 9) != 0 &&
		   !memcmp(f + 7, "\0\0\0\0\0\0\0\0\0", 9),
		   DESC("%s: a frame that failed has its body wiped",
			c->name));
	} else {
		ok(!memcmp(f, frame, (size_t)n),
		   DESC("%s: a frame that failed is left untouched", c->name));
	}
	memcpy(f, frame, (size_t)n);
	ok(aiot_open(&k, SID, 1, 5, f, 7, 9) == 0 && !memcmp(f + 7, body, 9),
	   DESC("%s: the key still works after the failures", c->name));
	aiot_key_free(&k);
}

static void test_counter_limits(const struct cfg *c)
{
	uint64_t max = aiot_suite_max_counter(c->suite);
	uint8_t frame[FRAME_MAX] = { 0 };
	struct aiot_key k;

	key_or_bail(&k, c, K16, K16B);
	ok(max == (c->suite <= AIOTSEC_SUITE_NIA2 ? 1ULL << 32 : 1ULL << 63),
	   DESC("%s: counter limit", c->name));
	ok(aiot_seal(&k, SID, 0, max, frame, 7, 4) == -EOVERFLOW &&
	   aiot_seal(&k, SID, 1, UINT64_MAX, frame, 7, 4) == -EOVERFLOW &&
	   aiot_open(&k, SID, 0, max, frame, 7, 4) == -EOVERFLOW,
	   DESC("%s: counter at the limit refused", c->name));
	ok(aiot_seal(&k, SID, 1, max - 1, frame, 7, 4) == 0 &&
	   aiot_open(&k, SID, 1, max - 1, frame, 7, 4) == 0,
	   DESC("%s: counter below the limit accepted", c->name));
	aiot_key_free(&k);
}

/* ---- independent computations ----------------------------------------- */

static int aes_ecb(const uint8_t *key, const uint8_t *in, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl = 0, ret = -1;

	if (ctx && EVP_EncryptInit_ex2(ctx, EVP_aes_128_ecb(), key, NULL,
				       NULL) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_EncryptUpdate(ctx, out, &outl, in, 16) == 1 && outl == 16)
		ret = 0;
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

/* CBC-MAC step over @n octets, zero-padded to whole blocks */
static void cbcmac(const uint8_t *key, uint8_t x[16], const uint8_t *p,
		   size_t n)
{
	for (size_t off = 0; off < n; off += 16) {
		for (size_t i = 0; i < 16 && off + i < n; i++)
			x[i] ^= p[off + i];
		aes_ecb(key, x, x);
	}
}

/* RFC 3610 / SP 800-38C CCM, 12-octet nonce (L = 3), AAD under 2^16 */
static void ccm_ref(const uint8_t *key, const uint8_t nonce[12],
		    const uint8_t *aad, size_t alen, const uint8_t *pt,
		    size_t plen, size_t m, uint8_t *ct, uint8_t *tag)
{
	uint8_t b[16] = { 0 }, x[16], a[272], s[16];

	b[0] = (uint8_t)((alen ? 0x40 : 0) | (m - 2) / 2 << 3 | 2);
	memcpy(b + 1, nonce, 12);
	b[13] = (uint8_t)(plen >> 16);
	b[14] = (uint8_t)(plen >> 8);
	b[15] = (uint8_t)plen;
	aes_ecb(key, b, x);
	a[0] = (uint8_t)(alen >> 8);
	a[1] = (uint8_t)alen;
	memcpy(a + 2, aad, alen);
	if (alen)
		cbcmac(key, x, a, alen + 2);
	cbcmac(key, x, pt, plen);

	memset(b, 0, 16);
	b[0] = 2;
	memcpy(b + 1, nonce, 12);
	aes_ecb(key, b, s);
	for (size_t i = 0; i < m; i++)
		tag[i] = x[i] ^ s[i];
	for (size_t off = 0; off < plen; off += 16) {
		uint32_t ctr = (uint32_t)(off / 16 + 1);

		b[13] = (uint8_t)(ctr >> 16);
		b[14] = (uint8_t)(ctr >> 8);
		b[15] = (uint8_t)ctr;
		aes_ecb(key, b, s);
		for (size_t i = 0; i < 16 && off + i < plen; i++)
			ct[off + i] = pt[off + i] ^ s[i];
	}
}

static int gcm_ref(const uint8_t *key, const uint8_t nonce[12],
		   const uint8_t *aad, size_t alen, const uint8_t *pt,
		   size_t plen, uint8_t *ct, uint8_t tag[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl, ret = -1;

	if (ctx && EVP_EncryptInit_ex2(ctx, EVP_aes_128_gcm(), key, nonce,
				       NULL) == 1 &&
	    EVP_EncryptUpdate(ctx, NULL, &outl, aad, (int)alen) == 1 &&
	    (!plen || EVP_EncryptUpdate(ctx, ct, &outl, pt, (int)plen) == 1) &&
	    EVP_EncryptFinal_ex(ctx, ct, &outl) == 1 &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) == 1)
		ret = 0;
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

static void test_ccm_ref_kat(void)
{
	uint8_t k[16], n[12], a[20], p[24], want[32], c[32];

	/* NIST SP 800-38C Appendix C, Example 3 */
	HEX(k, "404142434445464748494a4b4c4d4e4f");
	HEX(n, "101112131415161718191a1b");
	HEX(a, "000102030405060708090a0b0c0d0e0f10111213");
	HEX(p, "202122232425262728292a2b2c2d2e2f3031323334353637");
	HEX(want, "e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5"
		  "484392fbc1b09951");
	ccm_ref(k, n, a, 20, p, 24, 8, c, c + 24);
	is_mem(c, want, 32, "reference CCM: SP 800-38C example 3");
}

/* Expected frame from the reference computation of each suite. */
static int reference_frame(const struct cfg *c, const uint8_t *key,
			   int dir, uint64_t ctr, const uint8_t *hdr, int hl,
			   const uint8_t *body, size_t blen, uint8_t *want)
{
	uint8_t nonce[12];
	uint64_t n8 = ctr | (uint64_t)dir << 63;
	int ret = 0;

	memcpy(want, hdr, hl);
	memcpy(want + hl, body, blen);
	if (c->suite == AIOTSEC_SUITE_NIA2_NEA2)
		ret = nea2(key, (uint32_t)ctr, 0, (uint8_t)dir, body,
			   want + hl, 8 * blen);
	if (c->suite <= AIOTSEC_SUITE_NIA2)
		return ret ? ret : nia2(c->suite == AIOTSEC_SUITE_NIA2 ?
					key : key + 16, (uint32_t)ctr, 0,
					(uint8_t)dir, want, 8 * (hl + blen),
					want + hl + blen);
	nonce[0] = (uint8_t)(SID >> 24);
	nonce[1] = (uint8_t)(SID >> 16);
	nonce[2] = (uint8_t)(SID >> 8);
	nonce[3] = (uint8_t)SID;
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(n8 >> (56 - 8 * i));
	if (c->suite == AIOTSEC_SUITE_AES_CCM) {
		ccm_ref(key, nonce, hdr, hl, body, blen, c->tag_len, want + hl,
			want + hl + blen);
		return 0;
	}
	return gcm_ref(key, nonce, hdr, hl, body, blen, want + hl,
		       want + hl + blen);
}

/*
 * Many frames in a row through one key, of lengths that leave partial
 * blocks, so that a context not reset between frames would show.
 */
static void test_reference(const struct cfg *c)
{
	uint8_t key[AIOT_KEY_MAX], body[64], frame[FRAME_MAX],
		want[FRAME_MAX], hdr[AIOT_HDR_ROOM];
	struct aiot_key k;
	int fails = 0, nframes = 0;

	key_bytes(c->suite, K16, K16B, key);
	key_or_bail(&k, c, K16, K16B);
	for (size_t blen = 0; blen <= 40; blen += 3) {
		for (int dir = 0; dir < 2; dir++, nframes++) {
			uint64_t ctr = 0x398a59b4 + blen * 0x10001 + dir;
			int bits = blen % 2 ? 32 : 16, n;
			int hl = aiot_hdr_build_form(hdr, false,
						     AIOTSEC_FT_COMMAND, 0,
						     bits, dir, SID, ctr, 0);

			fill(body, blen, (unsigned int)blen);
			n = make_frame(&k, bits, dir, ctr, body, blen, frame);
			if (n != (int)(hl + blen + c->tag_len) ||
			    reference_frame(c, key, dir, ctr, hdr, hl, body,
					    blen, want) ||
			    memcmp(frame, want, (size_t)n))
				fails++;
		}
	}
	ok(!fails, DESC("%s: %d frames equal the independent computation "
			"(%s)", c->name, nframes,
			c->suite == AIOTSEC_SUITE_NIA2_NEA2 ?
			"nea2() keystream, nia2() over header||ciphertext" :
			c->suite == AIOTSEC_SUITE_NIA2 ?
			"nia2() over header||body" :
			c->suite == AIOTSEC_SUITE_AES_CCM ?
			"CCM on AES-ECB" : "one-shot libcrypto GCM"));
	aiot_key_free(&k);
}

/* ---- counter recovery ------------------------------------------------ */

static void test_recover(void)
{
	static const struct {
		uint64_t rx_next;
		uint32_t low;
		unsigned int bits;
		uint64_t want;
		const char *what;
	} v[] = {
		{ 0, 0, 16, 0, "rx_next 0, counter 0" },
		{ 0, 5, 16, 5, "rx_next 0, ahead" },
		{ 0, 0xffff, 16, 0xffff, "rx_next 0, never below zero (16)" },
		{ 0, 0xffffffff, 32, 0xffffffff,
		  "rx_next 0, never below zero (32)" },
		{ 3, 0xfffe, 16, 0xfffe, "rx_next 3, low far behind: ahead" },
		{ 0x1234, 0x1234, 16, 0x1234, "exactly rx_next" },
		{ 0xfffe, 0x0001, 16, 0x10001, "wrap forwards at 16 bits" },
		{ 0x3fffffffe, 0x0003, 16, 0x400000003,
		  "wrap forwards at 16 bits, high counter" },
		{ 0xfffffff0, 5, 32, 0x100000005, "wrap forwards at 32 bits" },
		{ 0x10005, 0xfffe, 16, 0xfffe,
		  "slightly behind across a wrap" },
		{ 0x10005, 0x0003, 16, 0x10003, "slightly behind" },
		{ 0x100000002, 0xffffffff, 32, 0xffffffff,
		  "behind across a 32-bit wrap" },
		{ 100, 100 + 0x7fff, 16, 100 + 0x7fff,
		  "jump of span/2 - 1 forwards" },
		{ 0x20000, 0x8000, 16, 0x18000, "span/2 away: behind" },
		{ 100, 100 + 0x8000, 16, 100 + 0x8000,
		  "span/2 away, cannot go behind: ahead" },
		{ 0x20000, 0x8001, 16, 0x18001, "span/2 - 1 behind" },
		{ 1ULL << 40, 0x7fffffff, 32, (1ULL << 40) + 0x7fffffff,
		  "large jump forwards at 32 bits" },
		{ (1ULL << 40) + 5, 0x80000005, 32,
		  (1ULL << 40) - 0x80000000 + 5,
		  "large jump backwards at 32 bits" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		uint64_t got = aiot_counter_recover(v[i].rx_next, v[i].low,
						    v[i].bits);

		ok(got == v[i].want, DESC("recover: %s", v[i].what));
		if (got != v[i].want)
			printf("#   got %#llx want %#llx\n",
			       (unsigned long long)got,
			       (unsigned long long)v[i].want);
	}
}

/* ---- replay window --------------------------------------------------- */

static void test_replay_basic(void)
{
	struct aiot_replay r;

	ok(aiot_replay_init(&r, 31) == -EINVAL &&
	   aiot_replay_init(&r, 8193) == -EINVAL, "window 31 and 8193 refused");
	aiot_replay_init(&r, 64);
	ok(aiot_replay_check(&r, 0) == 0 && aiot_replay_check(&r, 0) == 0 &&
	   r.rx_next == 0, "check does not record");
	ok(aiot_replay_update(&r, 0) == 0 && r.rx_next == 1 &&
	   aiot_replay_update(&r, 0) == -EALREADY &&
	   aiot_replay_check(&r, 0) == -EALREADY, "duplicate of 0");
	ok(aiot_replay_update(&r, 10) == 0 && r.rx_next == 11 &&
	   aiot_replay_update(&r, 5) == 0 && aiot_replay_update(&r, 9) == 0 &&
	   aiot_replay_update(&r, 7) == 0 && r.rx_next == 11,
	   "reorder within the window accepted, rx_next kept");
	ok(aiot_replay_check(&r, 5) == -EALREADY &&
	   aiot_replay_check(&r, 10) == -EALREADY &&
	   aiot_replay_check(&r, 6) == 0 && aiot_replay_check(&r, 8) == 0,
	   "duplicates found, gaps still fresh");
	ok(aiot_replay_update(&r, 73) == 0 && r.rx_next == 74 &&
	   aiot_replay_check(&r, 74 - 64) == -EALREADY &&
	   aiot_replay_check(&r, 74 - 65) == -ERANGE &&
	   aiot_replay_update(&r, 9) == -ERANGE,
	   "rx_next - c == W is in the window, W + 1 too old");
	ok(aiot_replay_update(&r, 10) == -EALREADY &&
	   aiot_replay_update(&r, 11) == 0 &&
	   aiot_replay_update(&r, 11) == -EALREADY,
	   "failed updates record nothing; oldest counters of the window");
	aiot_replay_free(&r);
}

/* Receive 0..n-1 in order; return how many were refused. */
static int replay_run(struct aiot_replay *r, uint64_t from, uint64_t to)
{
	int bad = 0;

	for (uint64_t c = from; c < to; c++)
		bad += aiot_replay_update(r, c) != 0;
	return bad;
}

static void test_replay_window(uint32_t w)
{
	struct aiot_replay r;
	int bad = 0;
	uint64_t top;

	aiot_replay_init(&r, w);
	bad = replay_run(&r, 0, 3 * w + 7);
	top = r.rx_next;
	for (uint64_t c = 0; c < top; c++)
		bad += aiot_replay_check(&r, c) !=
		       (top - c > w ? -ERANGE : -EALREADY);
	ok(!bad, DESC("W=%u: in order, then every counter old or duplicate",
		      w));

	/* every other counter only: the gaps stay fresh as it slides */
	aiot_replay_free(&r);
	aiot_replay_init(&r, w);
	bad = 0;
	for (uint64_t c = 0; c < 4 * w; c += 2)
		bad += aiot_replay_update(&r, c) != 0;
	for (uint64_t c = 4 * w - w; c < 4 * w; c++)
		bad += aiot_replay_check(&r, c) != (c % 2 ? 0 : -EALREADY);
	ok(!bad, DESC("W=%u: received and missing counters over the window",
		      w));

	/* a jump over more than the whole ring clears it */
	top = r.rx_next - 1;
	bad = aiot_replay_update(&r, top + 64ULL * r.words + 3) != 0;
	for (uint64_t c = r.rx_next - w; c < r.rx_next - 1; c++)
		bad += aiot_replay_check(&r, c) != 0;
	bad += aiot_replay_check(&r, r.rx_next - w - 1) != -ERANGE;
	ok(!bad, DESC("W=%u: slide by more than the ring clears it", w));
	aiot_replay_free(&r);
}

static void test_replay_edges(void)
{
	struct aiot_replay r;
	int bad = 0;

	/* a window that does not fill whole words: bits one word back */
	aiot_replay_init(&r, 32);
	bad += replay_run(&r, 40, 41) + replay_run(&r, 63, 65);
	ok(!bad && aiot_replay_check(&r, 40) == -EALREADY &&
	   aiot_replay_check(&r, 41) == 0 &&
	   aiot_replay_check(&r, 32) == -ERANGE,
	   "W=32: a duplicate in the previous word is still found");
	aiot_replay_free(&r);

	aiot_replay_init(&r, 96);
	bad = replay_run(&r, 60, 61) + replay_run(&r, 155, 156);
	ok(!bad && aiot_replay_check(&r, 60) == -EALREADY &&
	   aiot_replay_check(&r, 61) == 0 &&
	   aiot_replay_check(&r, 59) == -ERANGE,
	   "W=96: a duplicate two words back is still found");
	aiot_replay_free(&r);

	/* the words passed over by a slide are cleared, not only the top */
	aiot_replay_init(&r, 128);
	bad = replay_run(&r, 5, 6) + replay_run(&r, 70, 71) +
	      replay_run(&r, 200, 201) + replay_run(&r, 330, 331);
	ok(!bad && r.words == 4 && aiot_replay_check(&r, 5 + 256) == 0 &&
	   aiot_replay_check(&r, 70 + 256) == 0 &&
	   aiot_replay_check(&r, 330) == -EALREADY &&
	   aiot_replay_check(&r, 200) == -ERANGE,
	   "W=128: stale bits of reused ring words do not leak");
	aiot_replay_free(&r);

	aiot_replay_init(&r, 8192);
	bad = replay_run(&r, 6, 7) + replay_run(&r, 8000, 8001) +
	      replay_run(&r, 8197, 8198);
	ok(!bad && aiot_replay_check(&r, 6) == -EALREADY &&
	   aiot_replay_check(&r, 5) == -ERANGE &&
	   aiot_replay_check(&r, 7) == 0 && aiot_replay_check(&r, 8000) ==
					   -EALREADY,
	   "W=8192: the far end of the window");
	bad = replay_run(&r, 8198 + 100000, 8198 + 100001);
	ok(!bad && aiot_replay_check(&r, 8000) == -ERANGE &&
	   aiot_replay_check(&r, 8198 + 100000 - 8192 + 1) == 0,
	   "W=8192: a large jump");
	aiot_replay_free(&r);
}

/* Frames through aiot_frame_unprotect with counter recovery and replay. */
static void test_unprotect_replay(const struct cfg *c)
{
	uint8_t frames[8][FRAME_MAX], out[32], f[FRAME_MAX];
	const uint64_t base = 0xfffd;
	struct aiot_replay r;
	struct aiot_key k;
	ssize_t n[8];
	uint64_t ctr;
	int bad = 0;

	key_or_bail(&k, c, K16, K16B);
	aiot_replay_init(&r, 64);
	for (int i = 0; i < 8; i++)
		n[i] = aiot_frame_protect(&k, AIOTSEC_FT_INVENTORY, 0, 16, 0,
					  SID, base + i, (const uint8_t *)"inv",
					  3, frames[i], FRAME_MAX);
	r.rx_next = base - 10;	/* as if frames up to there verified */
	for (int i = 0; i < 6; i++)
		bad += aiot_frame_unprotect(&k, 0, &r, frames[i],
					    (size_t)n[i], NULL, &ctr, out,
					    sizeof(out)) != 3 ||
		       ctr != base + i;
	ok(!bad && r.rx_next == base + 6,
	   DESC("%s: counters recovered across the 16-bit wrap", c->name));
	ok(aiot_frame_unprotect(&k, 0, &r, frames[4], (size_t)n[4], NULL,
				NULL, out, sizeof(out)) == -EALREADY,
	   DESC("%s: replayed frame is -EALREADY", c->name));

	memcpy(f, frames[7], (size_t)n[7]);
	f[n[7] - 1] ^= 1;
	ok(aiot_frame_unprotect(&k, 0, &r, f, (size_t)n[7], NULL, NULL, out,
				sizeof(out)) == -EBADMSG &&
	   r.rx_next == base + 6,
	   DESC("%s: bad MAC does not move the window", c->name));
	ok(aiot_frame_unprotect(&k, 0, &r, frames[7], (size_t)n[7], NULL,
				&ctr, out, sizeof(out)) == 3 &&
	   ctr == base + 7 &&
	   aiot_frame_unprotect(&k, 0, &r, frames[6], (size_t)n[6], NULL,
				&ctr, out, sizeof(out)) == 3 &&
	   ctr == base + 6,
	   DESC("%s: out of order after a gap accepted", c->name));
	aiot_replay_free(&r);
	aiot_key_free(&k);
}

int main(void)
{
	test_key_init();
	test_hdr_build();
	test_hdr_parse();
	test_auth_frames();
	test_ccm_ref_kat();
	test_doc_examples();
	for (size_t i = 0; i < NCFG; i++) {
		test_roundtrip(&cfgs[i]);
		test_protect_unprotect(&cfgs[i]);
		test_body_bound(&cfgs[i]);
		test_bitflips(&cfgs[i]);
		test_wrong_key(&cfgs[i]);
		test_counter_limits(&cfgs[i]);
		test_reference(&cfgs[i]);
		test_unprotect_replay(&cfgs[i]);
	}
	test_recover();
	test_replay_basic();
	test_replay_window(32);
	test_replay_window(64);
	test_replay_window(512);
	test_replay_window(8192);
	test_replay_edges();
	return tap_done();
}
