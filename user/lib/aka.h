/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The aiotsec authentication and key agreement protocol of
 * Documentation/protocol.rst, as pure logic: message codecs, the network
 * and device halves of one-way and mutual AKA on MILENAGE, SQN freshness
 * and AUTS resynchronisation, the key derivation and SUCI concealment.
 * Nothing here does I/O or keeps state between calls; the daemon and the
 * device simulator own their stores and timers.
 *
 * Every function returns 0 (or a length) on success and a negative errno
 * value on failure:
 *   -EINVAL     a bad argument from the caller (NULL, out-of-range value)
 *   -EPROTO     a message that does not parse (cause "malformed")
 *   -EBADMSG    a value that did not verify: RES, MAC-S, the SUCI tag
 *   -EMSGSIZE   the output buffer is too small
 *   -ENOMEM, -EIO  libcrypto failures
 *
 * Structures that hold secrets (struct aka_cred, aka_net_expect,
 * aka_dev_result, and the keys written by the derivation functions) must
 * be wiped by the caller with OPENSSL_cleanse() or explicit_bzero().
 */
#ifndef AIOTSEC_USER_AKA_H
#define AIOTSEC_USER_AKA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define AKA_VERSION		1

#define AKA_KEY_LEN		16	/* K, OPc, CK, IK */
#define AKA_RAND_LEN		16	/* RAND_n, RAND_d */
#define AKA_TID_LEN		16
#define AKA_AMF_LEN		2
#define AKA_AUTN_LEN		16	/* (SQN xor AK) || AMF || MAC-A */
#define AKA_RES_LEN		8	/* RES, XRES: MILENAGE f2 */
#define AKA_AUTS_LEN		14	/* (SQN_D xor AK*) || MAC-S */
#define AKA_PID_MAX		32	/* permanent identifier, octets */
#define AKA_HN_KEY_LEN		32	/* X25519 home network key */
#define AKA_SUCI_TAG_LEN	8
#define AKA_KAIOTF_LEN		16
#define AKA_SA_KEY_MAX		32	/* K_enc || K_int of nia2-nea2 */

#define AKA_SQN_MAX		((UINT64_C(1) << 48) - 1)
#define AKA_SQN_AHEAD_MAX	(UINT64_C(1) << 28)	/* freshness limit */

/* Longest message body: HELLO with a SUCI of a 32-octet PID. */
#define AKA_MSG_MAX		(2 + 1 + (1 + AKA_HN_KEY_LEN + 1 + \
				 AKA_PID_MAX + AKA_SUCI_TAG_LEN) + \
				 AKA_RAND_LEN + 1)
/* T-ID-ASSIGN, -CONFIRM: type, attempt ID, T-ID */
#define AKA_CTRL_LEN		(1 + 4 + AKA_TID_LEN)
#define AKA_CTRL_REKEY_LEN	(1 + 4)
/* Longest control body: AUTH with the longest message. */
#define AKA_CTRL_MAX		(1 + 4 + AKA_MSG_MAX)

/* KDF function codes (FC) of aiotsec; TS 33.501 uses them too (protocol.rst). */
#define AKA_FC_KAIOTF		0x70
#define AKA_FC_SA_KEY		0x71

/* Message types (octet 0 of an auth frame body). */
enum aka_msg_type {
	AKA_MSG_HELLO = 1,	/* device to network */
	AKA_MSG_CHALLENGE,	/* network to device */
	AKA_MSG_RESPONSE,	/* device to network */
	AKA_MSG_SYNC_FAILURE,	/* device to network */
	AKA_MSG_ACCEPT,		/* network to device */
	AKA_MSG_REJECT,		/* either way */
};

/* HELLO id-type */
enum aka_id_type {
	AKA_ID_TID = 1,
	AKA_ID_SUCI = 2,
};

/* HELLO capabilities; the other bits must be 0. */
#define AKA_CAP_MUTUAL		0x01
#define AKA_CAP_NIA2_NEA2	0x02
#define AKA_CAP_AES_CCM		0x04
#define AKA_CAP_AES_GCM		0x08
#define AKA_CAP_ALL		0x0f

/* CHALLENGE mode */
enum aka_mode {
	AKA_MODE_ONE_WAY = 1,
	AKA_MODE_MUTUAL = 2,
};

/* Causes of rejection (REJECT and the audit trail). */
enum aka_cause {
	AKA_CAUSE_UNKNOWN_IDENTITY = 1,
	AKA_CAUSE_BAD_SUCI,
	AKA_CAUSE_MAC_FAILURE,
	AKA_CAUSE_SYNC_FAILURE,
	AKA_CAUSE_BAD_RESPONSE,
	AKA_CAUSE_REPLAYED_RESPONSE,
	AKA_CAUSE_TIMEOUT,
	AKA_CAUSE_RATE_LIMITED,
	AKA_CAUSE_DISABLED,
	AKA_CAUSE_MALFORMED,
	AKA_CAUSE_MAX = AKA_CAUSE_MALFORMED
};

/* Control frame body types (protected CONTROL frames, no version). */
enum aka_ctrl_type {
	AKA_CTRL_TID_ASSIGN = 1,	/* network to device */
	AKA_CTRL_TID_CONFIRM = 2,	/* device to network */
	AKA_CTRL_REKEY = 3,		/* network to device: attempt ID */
	AKA_CTRL_AUTH = 4,		/* either way: attempt ID, message */
};

/*
 * Concealed permanent identifier, ECIES profile A.  On air: key_id (1),
 * eph_pub (32), len (1), cipher (len), tag (8); len is 1 to AKA_PID_MAX.
 */
struct aka_suci {
	uint8_t key_id;			/* selects the home network key */
	uint8_t eph_pub[AKA_HN_KEY_LEN];
	uint8_t len;			/* octets of @cipher used */
	uint8_t cipher[AKA_PID_MAX];
	uint8_t tag[AKA_SUCI_TAG_LEN];
};

struct aka_hello {
	uint8_t id_type;		/* enum aka_id_type */
	union {
		uint8_t tid[AKA_TID_LEN];	/* AKA_ID_TID */
		struct aka_suci suci;		/* AKA_ID_SUCI */
	};
	uint8_t rand_d[AKA_RAND_LEN];
	uint8_t caps;			/* AKA_CAP_* */
};

struct aka_challenge {
	uint8_t mode;			/* enum aka_mode */
	uint8_t rand_n[AKA_RAND_LEN];
	uint8_t autn[AKA_AUTN_LEN];	/* mutual only; zero otherwise */
};

struct aka_response {
	uint8_t res[AKA_RES_LEN];
};

struct aka_sync_failure {
	uint8_t auts[AKA_AUTS_LEN];
};

struct aka_accept {
	uint32_t sid;			/* session ID of the new SA, not 0 */
	uint8_t suite;			/* enum aiotsec_suite, 1 to 4 */
	uint8_t ctr_bits;		/* 16 or 32 */
};

struct aka_reject {
	uint8_t cause;			/* enum aka_cause */
};

/* One auth message body; the attempt ID travels in the frame header. */
struct aka_msg {
	uint8_t type;			/* enum aka_msg_type */
	union {
		struct aka_hello hello;
		struct aka_challenge challenge;
		struct aka_response response;
		struct aka_sync_failure sync_failure;
		struct aka_accept accept;
		struct aka_reject reject;
	};
};

/*
 * One control frame body.  T-ID-ASSIGN and T-ID-CONFIRM carry the ID of
 * the attempt whose ACCEPT the assignment follows and @tid; REKEY (a
 * rekey in the live SA, Documentation/protocol.rst) carries the attempt
 * ID the network chose; AUTH carries an attempt ID and one auth message
 * of that rekey.
 */
struct aka_ctrl {
	uint8_t type;			/* enum aka_ctrl_type */
	uint8_t tid[AKA_TID_LEN];	/* T-ID-ASSIGN, T-ID-CONFIRM */
	uint32_t attempt;		/* all types */
	struct aka_msg msg;		/* AUTH */
};

/* The long-term credentials of one device, on both sides. */
struct aka_cred {
	uint8_t k[AKA_KEY_LEN];
	uint8_t opc[AKA_KEY_LEN];
	uint8_t amf[AKA_AMF_LEN];	/* network: the AMF put in AUTN */
	uint8_t profile;		/* enum aiotsec_profile */
};

/* What the network keeps of an open attempt to check the RESPONSE. */
struct aka_net_expect {
	uint8_t mode;			/* enum aka_mode */
	uint64_t sqn;			/* mutual: the SQN in AUTN */
	uint8_t rand_n[AKA_RAND_LEN];
	uint8_t xres[AKA_RES_LEN];
	uint8_t ck[AKA_KEY_LEN];
	uint8_t ik[AKA_KEY_LEN];
};

/* Device side state. */
struct aka_dev_state {
	uint64_t sqn_max;	/* highest SQN accepted; 0 before the first */
	/*
	 * Refuse a one-way CHALLENGE (set when the HELLO offered mutual
	 * authentication).  Devices of the command profile always refuse.
	 */
	bool require_mutual;
};

/* What the device answers to a CHALLENGE. */
struct aka_dev_result {
	/* RESPONSE, SYNC_FAILURE or REJECT (cause mac-failure) to send */
	struct aka_msg reply;
	/* only when reply.type is RESPONSE: */
	uint64_t sqn;			/* mutual: the SQN accepted, else 0 */
	uint8_t res[AKA_RES_LEN];
	uint8_t ck[AKA_KEY_LEN];
	uint8_t ik[AKA_KEY_LEN];
};

/* ---- messages ---------------------------------------------------- */

/*
 * Write the body of @m to @buf and return its length (at most
 * AKA_MSG_MAX).  -EINVAL when @m holds a value the decoder would refuse,
 * -EMSGSIZE when @size is too small.
 */
ssize_t aka_msg_encode(const struct aka_msg *m, uint8_t *buf, size_t size);

/*
 * Parse the @len octets of @buf into @m.  -EPROTO unless the body is
 * exactly one well-formed message of version 1: known type, exact length,
 * every enumerated field in range (id-type, SUCI length 1..32, reserved
 * capability bits 0, mode, SID not 0, suite, ctr-bits, cause).  @m is
 * zeroed on failure; unused fields (AUTN of a one-way CHALLENGE) are 0.
 */
int aka_msg_decode(const uint8_t *buf, size_t len, struct aka_msg *m);

/*
 * Control bodies, at most AKA_CTRL_MAX octets: type (1), then the
 * attempt ID (4, big-endian, never 0) and a T-ID (16) for T-ID-ASSIGN
 * and -CONFIRM, the attempt ID for REKEY, or the attempt ID and an auth
 * message body for AUTH.  The decoder is as strict as
 * aka_msg_decode(): exact length per type, known type, and a well-formed
 * message in AUTH.
 */
ssize_t aka_ctrl_encode(const struct aka_ctrl *c, uint8_t *buf, size_t size);
int aka_ctrl_decode(const uint8_t *buf, size_t len, struct aka_ctrl *c);

/* "unknown-identity" ... "malformed"; NULL for a value with no name. */
const char *aka_cause_name(uint8_t cause);

/* ---- network side ------------------------------------------------ */

/*
 * The mode to use: mutual for the command profile or a HELLO with
 * AKA_CAP_MUTUAL, one-way otherwise.
 */
uint8_t aka_net_mode(uint8_t profile, uint8_t caps);

/*
 * Build the CHALLENGE for @rand_n in @challenge and what the RESPONSE is
 * checked against in @expect.  Mutual: AUTN = (SQN xor AK) || AMF ||
 * MAC-A with @sqn (the next SQN, committed by the caller first, at most
 * AKA_SQN_MAX) and cred->amf; one-way ignores @sqn.
 */
int aka_net_challenge(const struct aka_cred *cred, uint64_t sqn,
		      const uint8_t rand_n[AKA_RAND_LEN], uint8_t mode,
		      struct aka_msg *challenge,
		      struct aka_net_expect *expect);

/* 0 when @res equals XRES (constant time), -EBADMSG otherwise. */
int aka_net_check_response(const struct aka_net_expect *expect,
			   const uint8_t res[AKA_RES_LEN]);

/*
 * Verify the AUTS of a SYNC_FAILURE answering the CHALLENGE of @rand_n:
 * SQN_D = first 6 octets xor f5*(K, RAND_n), MAC-S = f1*(K, SQN_D,
 * RAND_n, AMF = 0000).  Writes SQN_D (the caller sets its SQN to
 * SQN_D + 1, which aka_net_challenge() refuses past AKA_SQN_MAX).
 * -EBADMSG when MAC-S is wrong, and @sqn_d is not written.
 */
int aka_net_resync(const struct aka_cred *cred,
		   const uint8_t rand_n[AKA_RAND_LEN],
		   const uint8_t auts[AKA_AUTS_LEN], uint64_t *sqn_d);

/* ---- device side ------------------------------------------------- */

/*
 * Answer the decoded CHALLENGE @challenge.  Returns 0 with @result->reply
 * set to:
 *   RESPONSE      RES = f2, with RES, CK and IK in @result; for mutual
 *                 AKA the SQN of AUTN was accepted and @state->sqn_max
 *                 set to it (the caller commits @state before sending);
 *   SYNC_FAILURE  mutual, MAC-A right but SQN not fresh (not above
 *                 @state->sqn_max, or more than 2^28 above it): AUTS =
 *                 (SQN_D xor f5*) || f1*(SQN_D, AMF 0000), SQN_D =
 *                 @state->sqn_max;
 *   REJECT        cause mac-failure: MAC-A wrong, or a one-way CHALLENGE
 *                 that the device refuses (command profile, or
 *                 @state->require_mutual).
 * @state changes only with a RESPONSE to a mutual CHALLENGE.
 */
int aka_dev_answer(const struct aka_cred *cred, struct aka_dev_state *state,
		   const struct aka_msg *challenge,
		   struct aka_dev_result *result);

/* ---- keys -------------------------------------------------------- */

/*
 * K_AIOTF = first 128 bits of KDF(CK || IK, FC = 0x70, P0 = RAND_n,
 * P1 = RAND_d, P2 = SID (4 octets, big-endian, not 0), P3 = attempt ID
 * (4 octets, big-endian), P4 = the HELLO's capabilities (1 octet)).
 * Binding the capabilities makes a HELLO whose capabilities were changed
 * on the air (to bid the suite down) end in keys that do not match.
 */
int aka_derive_kaiotf(const uint8_t ck[AKA_KEY_LEN],
		      const uint8_t ik[AKA_KEY_LEN],
		      const uint8_t rand_n[AKA_RAND_LEN],
		      const uint8_t rand_d[AKA_RAND_LEN], uint32_t sid,
		      uint32_t attempt, uint8_t caps,
		      uint8_t out[AKA_KAIOTF_LEN]);

/*
 * The SA key of @suite (enum aiotsec_suite) from K_AIOTF, each part the
 * last 128 bits of KDF(K_AIOTF, FC = 0x71, P0 = 0x01 / 0x02 / 0x03 (one
 * octet), P1 = suite (one octet)): K_enc || K_int (32 octets) for
 * nia2-nea2, K_int (16) for nia2, K_aead (16) for aes-ccm and aes-gcm.
 * @out has room for AKA_SA_KEY_MAX octets; @len receives the length.
 */
int aka_derive_sa_key(const uint8_t kaiotf[AKA_KAIOTF_LEN], uint8_t suite,
		      uint8_t out[AKA_SA_KEY_MAX], size_t *len);

/* ---- SUCI -------------------------------------------------------- */

/*
 * Conceal the @pidlen (1 to AKA_PID_MAX) octets of @pid for the home
 * network key @hn_pub, numbered @key_id.  @eph_priv is the ephemeral
 * X25519 private key, NULL for a fresh random one.
 */
int aka_suci_conceal(const uint8_t hn_pub[AKA_HN_KEY_LEN], uint8_t key_id,
		     const uint8_t *pid, size_t pidlen,
		     const uint8_t *eph_priv, struct aka_suci *suci);

/*
 * De-conceal @suci with the private key the caller chose by its key_id.
 * *@pidlen is the room of @pid on input and the PID length on output.
 * -EBADMSG when the SUCI does not de-conceal (tag mismatch or unusable
 * ephemeral key: cause bad-suci), -EMSGSIZE when @pid is too small.
 */
int aka_suci_reveal(const uint8_t hn_priv[AKA_HN_KEY_LEN],
		    const struct aka_suci *suci, uint8_t *pid,
		    size_t *pidlen);

#endif /* AIOTSEC_USER_AKA_H */
