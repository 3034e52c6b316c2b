/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-frame protection of AIoT air-interface frames, in userspace: the
 * twin of the kernel's kernel/crypto.c and kernel/replay.c, on libcrypto,
 * byte-exact with them.  The frame formats are in
 * Documentation/networking/aiotsec.rst.
 *
 * A protected frame is header || body || tag:
 *
 *   octet 0    version (2 bits) | type (3) | key phase (1) | C (1) | D (1)
 *   octets 1-4 session ID, big-endian
 *   then       the low 16 (C = 0) or 32 (C = 1) bits of the 64-bit
 *              counter, big-endian
 *   then       in the short form (version 1) only: the body length
 *
 * The short form is for frames that would be shorter than the Ethernet
 * minimum (with a 14-octet Ethernet header): a lower device pads those,
 * and the length tells the padding from the tag.  Version 0, the long
 * form, has no length: the tag is the end of the frame.
 *
 * Suites (c = the full 64-bit counter, dir = the D bit):
 *   nia2-nea2  key K_enc || K_int; body = 128-NEA2(K_enc, c, 0, dir),
 *              then MAC-I = 128-NIA2(K_int, c, 0, dir, header || body)
 *   nia2       key K_int; body in clear, MAC-I as above
 *   aes-ccm    AES-128-CCM, nonce SID || (dir << 63 | c), AAD = header,
 *              tag 4, 8 or 16
 *   aes-gcm    AES-128-GCM, same nonce and AAD, tag 16
 * The NIA2 suites need c < 2^32 and the AEAD suites c < 2^63.
 *
 * Every function returns 0 (or a length) on success and a negative errno
 * value on failure:
 *   -EINVAL     a bad argument from the caller
 *   -EPROTO     a malformed frame: version, type, length, direction
 *   -EOVERFLOW  the counter is past the limit of the suite
 *   -EBADMSG    the frame did not verify (bad MAC or tag)
 *   -EALREADY   replay: the counter was already received
 *   -ERANGE     replay: the counter is left of the window
 *   -EMSGSIZE   the output buffer is too small
 *   -ENOMEM, -EIO  libcrypto failures
 *
 * A struct aiot_key keeps libcrypto contexts that every frame reuses, so
 * one key must not be used by two threads at the same time.
 */
#ifndef AIOTSEC_USER_AIOTFRAME_H
#define AIOTSEC_USER_AIOTFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define AIOT_HDR_VERSION	0	/* the long form */
#define AIOT_HDR_VERSION_SHORT	1	/* the short form: a body length */
#define AIOT_HDR_MIN		7	/* 16-bit counter field */
#define AIOT_HDR_MAX		9	/* 32-bit counter field */
#define AIOT_HDR_ROOM		10	/* the largest: short, 32-bit field */
#define AIOT_ETH_HLEN		14
#define AIOT_ETH_ZLEN		60	/* the Ethernet minimum, without FCS */

/* octet 0 of the header */
#define AIOT_HDR_VER_SHIFT	6
#define AIOT_HDR_TYPE_SHIFT	3
#define AIOT_HDR_TYPE_MASK	0x07
#define AIOT_HDR_PHASE		0x04
#define AIOT_HDR_C32		0x02
#define AIOT_HDR_DOWN		0x01

#define AIOT_DIR_UPLINK		0	/* device to reader */
#define AIOT_DIR_DOWNLINK	1	/* reader to device */

#define AIOT_KEY_MAX		32
#define AIOT_TAG_MAX		16
#define AIOT_NONCE_LEN		12	/* AEAD: SID || dir << 63 | counter */
#define AIOT_NIA2_TAG_LEN	4
#define AIOT_GCM_TAG_LEN	16

#define AIOT_REPLAY_MIN		32
#define AIOT_REPLAY_MAX		8192

struct evp_cipher_ctx_st;
struct evp_mac_ctx_st;

/*
 * One key of one SA.  Filled by aiot_key_init(), released by
 * aiot_key_free(); the members are private to aiotframe.c.
 */
struct aiot_key {
	uint8_t suite;			/* enum aiotsec_suite */
	uint8_t tag_len;		/* octets */
	uint8_t key_len;		/* octets of @key */
	uint8_t key[AIOT_KEY_MAX];
	struct evp_cipher_ctx_st *enc;	/* NEA2 (CTR) or the AEAD, sealing */
	struct evp_cipher_ctx_st *dec;	/* the AEAD, opening */
	struct evp_mac_ctx_st *cmac;	/* NIA2: CMAC keyed with K_int */
};

/* A parsed security header. */
struct aiot_hdr {
	uint8_t type;		/* enum aiotsec_frame_type */
	uint8_t key_phase;	/* 0 or 1 */
	uint8_t ctr_bits;	/* 16 or 32: the counter field on air */
	uint8_t dir;		/* AIOT_DIR_UPLINK or AIOT_DIR_DOWNLINK */
	uint32_t sid;
	uint32_t ctr_low;	/* the counter field */
	uint8_t len;		/* the header's length, 7 to 10 */
	int16_t body_len;	/* short form: the body length; long: -1 */
};

/*
 * Receive state of one key: rx_next is the highest verified counter + 1
 * (0 before the first frame), and a bitmap of the last @window counters.
 * The bitmap is a ring of 64-bit words (RFC 6479); the word of counter c
 * is c / 64 modulo the ring size, roundup_pow_of_two(ceil(W / 64) + 1).
 */
struct aiot_replay {
	uint64_t rx_next;
	uint32_t window;	/* frames */
	uint32_t words;		/* ring size, a power of two */
	uint64_t *bitmap;
};

/* The tag length of a suite for @tag_len 0, or -EINVAL. */
int aiot_suite_tag_len(uint8_t suite, uint8_t tag_len);

/* The key length of a suite in octets, or -EINVAL. */
int aiot_suite_key_len(uint8_t suite);

/* The first counter a suite can no longer protect: 2^32 or 2^63. */
uint64_t aiot_suite_max_counter(uint8_t suite);

/*
 * Key a suite.  @key is K_enc || K_int (32 octets) for nia2-nea2 and 16
 * octets for the others.  @tag_len: 4 for the NIA2 suites, 4, 8 or 16 for
 * aes-ccm, 16 for aes-gcm; 0 picks the only value of the NIA2 suites and
 * aes-gcm.  On failure @k needs no aiot_key_free().
 */
int aiot_key_init(struct aiot_key *k, uint8_t suite, uint8_t tag_len,
		  const uint8_t *key, size_t key_len);

/* Free the contexts and wipe the key material; safe to call twice. */
void aiot_key_free(struct aiot_key *k);

/* The body length of an AUTH frame of @len octets whose header is @h. */
static inline size_t aiot_hdr_auth_len(const struct aiot_hdr *h, size_t len)
{
	return h->body_len >= 0 ? (size_t)h->body_len : len - h->len;
}

/*
 * Write the header of a frame with a body of @bodylen octets and a tag of
 * @tag_len (0 for AUTH) to @hdr (AIOT_HDR_ROOM octets of room) and return
 * its length: 7 or 9, or 8 or 10 in the short form, which frames below
 * the Ethernet minimum get.  Only the low @ctr_bits bits of @counter go
 * on air.  AUTH headers must have key phase 0, counter 0 and a 16-bit
 * counter field.
 */
int aiot_hdr_build(uint8_t *hdr, uint8_t type, int key_phase, int ctr_bits,
		   int dir, uint32_t sid, uint64_t counter, size_t bodylen,
		   size_t tag_len);

/*
 * As aiot_hdr_build(), in the form given: the short one carries
 * @bodylen (at most 255), the long one ignores it.
 */
int aiot_hdr_build_form(uint8_t *hdr, bool short_form, uint8_t type,
			int key_phase, int ctr_bits, int dir, uint32_t sid,
			uint64_t counter, size_t bodylen);

/*
 * Parse the header of @frame (@len octets) into @out and return its
 * length.  -EPROTO for a version other than 0 or 1, a type above CONTROL,
 * a frame shorter than its header or, in the short form, than its header
 * and body.  In the short form, what follows the body and the tag is the
 * lower device's padding.
 */
int aiot_hdr_parse(const uint8_t *frame, size_t len, struct aiot_hdr *out);

/*
 * Protect @frame = header (@hdrlen) || body (@bodylen) || room for the
 * tag (k->tag_len), in place: the body is ciphered (all suites but nia2)
 * and the tag written after it.
 */
int aiot_seal(const struct aiot_key *k, uint32_t sid, int dir,
	      uint64_t counter, uint8_t *frame, size_t hdrlen, size_t bodylen);

/*
 * Verify and decipher @frame = header || body (@bodylen) || tag, in
 * place.  -EBADMSG when the tag is wrong: the NIA2 suites then leave the
 * frame as it was, the AEAD suites wipe the body.
 */
int aiot_open(const struct aiot_key *k, uint32_t sid, int dir,
	      uint64_t counter, uint8_t *frame, size_t hdrlen, size_t bodylen);

/*
 * The full counter for the on-air @low (@bits 16 or 32 of it): the value
 * with those low bits nearest to @rx_next, never below zero.
 */
uint64_t aiot_counter_recover(uint64_t rx_next, uint32_t low,
			      unsigned int bits);

/* Allocate a window of @window frames (32 to 8192); all counters fresh. */
int aiot_replay_init(struct aiot_replay *r, uint32_t window);
void aiot_replay_free(struct aiot_replay *r);

/*
 * 0 when @counter may be accepted, -EALREADY when it was received,
 * -ERANGE when it is left of the window.  Call before the cryptography.
 */
int aiot_replay_check(const struct aiot_replay *r, uint64_t counter);

/*
 * Record @counter as received, sliding the window when it is ahead of
 * it.  Call only after the frame verified.  Returns as aiot_replay_check()
 * and records nothing unless that is 0.
 */
int aiot_replay_update(struct aiot_replay *r, uint64_t counter);

/*
 * Build a protected frame of @payload into @out: header, the protected
 * payload and the tag.  Returns the frame length, or -EMSGSIZE when
 * @outsz is too small.  @counter must be below the suite's limit.
 */
ssize_t aiot_frame_protect(const struct aiot_key *k, uint8_t type,
			   int key_phase, int ctr_bits, int dir, uint32_t sid,
			   uint64_t counter, const uint8_t *payload,
			   size_t len, uint8_t *out, size_t outsz);

/* The header form of aiot_frame_protect_form(). */
enum aiot_form {
	AIOT_FORM_AUTO,		/* the short one below the Ethernet minimum */
	AIOT_FORM_LONG,
	AIOT_FORM_SHORT,	/* the body at most 255 octets */
};

/* aiot_frame_protect() in the form given (examples, tests, tools). */
ssize_t aiot_frame_protect_form(const struct aiot_key *k,
				enum aiot_form form, uint8_t type,
				int key_phase, int ctr_bits, int dir,
				uint32_t sid, uint64_t counter,
				const uint8_t *payload, size_t len,
				uint8_t *out, size_t outsz);

/*
 * Verify @frame (@len octets) and copy the payload to @out, which may be
 * @frame + header length (in place) but must not otherwise overlap
 * @frame.  The caller picks @k by the SID and key phase of the header
 * (aiot_hdr_parse()); the SID is authenticated.  @dir is the
 * direction the receiver accepts (-1: either); a frame in the other one,
 * an AUTH frame, a frame too short for its tag or with a body longer
 * than AIOTSEC_MAX_PAYLOAD is -EPROTO (aiot_frame_protect() builds
 * those, for tests of receivers).  With
 * @replay the full counter is recovered from its rx_next, checked against
 * the window and recorded once the frame verified; without, the counter
 * is the on-air field.  @hdr (may be NULL) receives the header and
 * @counter (may be NULL) the full counter.  Returns the payload length.
 */
ssize_t aiot_frame_unprotect(const struct aiot_key *k, int dir,
			     struct aiot_replay *replay, const uint8_t *frame,
			     size_t len, struct aiot_hdr *hdr,
			     uint64_t *counter, uint8_t *out, size_t outsz);

#endif /* AIOTSEC_USER_AIOTFRAME_H */
