// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the authentication protocol logic (user/lib/aka.c) against
 * Documentation/protocol.rst: full one-way and mutual exchanges between a
 * simulated network and device, SQN freshness and resynchronisation, the
 * message codecs, key derivation, SUCI, and known answers from
 * /work/shared/vectors/milenage.txt (TS 35.208 test set 1) and
 * ecies-profile-a.txt (TS 33.501 Annex C.4.3).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <linux/aiotsec.h>

#include "tap.h"
#include "hex.h"
#include "aka.h"
#include "aiotframe.h"
#include "milenage.h"

/* MILENAGE, TS 35.208 test set 1 */
#define V_K	"465b5ce8b199b49faa5f0a2ee238a6bc"
#define V_RAND	"23553cbe9637a89d218ae64dae47bf35"
#define V_SQN	"ff9bb4d0b607"
#define V_AMF	"b9b9"
#define V_OPC	"cd63cb71954a9f4e48a5994e37a02baf"
#define V_F1	"4a9ffac354dfafb3"
#define V_F1S	"01cfaf9ec4e871e9"
#define V_F2	"a54211d5e3ba50bf"
#define V_F3	"b40ba9a3c58b2a05bbf0d987b21bf8cb"
#define V_F4	"f769bcd751044604127672711c6d3441"
#define V_F5	"aa689c648370"
#define V_F5S	"451e8beca43b"

/* ECIES profile A, TS 33.501 Annex C.4.3 */
#define V_HN_PRIV	"c53c22208b61860b06c62e5406a7b330" \
			"c2b577aa5558981510d128247d38bd1d"
#define V_HN_PUB	"5a8d38864820197c3394b92613b20b91" \
			"633cbd897119273bf8e4a6f4eec0a650"
#define V_EPH_PRIV	"c80949f13ebe61af4ebdbd293ea4f942" \
			"696b9e815d7e8f0096bbf6ed7de62256"
#define V_EPH_PUB	"b2e92f836055a255837debf850b52899" \
			"7ce0201cb82adfe4be1f587d07d8457d"
#define V_PLAIN		"00012080f6"
#define V_CIPHER	"cb02352410"
#define V_MAC_TAG	"cddd9e730ef3fa87"

static const uint8_t suites[] = {
	AIOTSEC_SUITE_NIA2_NEA2, AIOTSEC_SUITE_NIA2,
	AIOTSEC_SUITE_AES_CCM, AIOTSEC_SUITE_AES_GCM,
};

#define NSUITES		(sizeof(suites) / sizeof(suites[0]))
#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

static const char *suite_name(uint8_t suite)
{
	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
		return "nia2-nea2";
	case AIOTSEC_SUITE_NIA2:
		return "nia2";
	case AIOTSEC_SUITE_AES_CCM:
		return "aes-ccm";
	default:
		return "aes-gcm";
	}
}

static size_t suite_key_len(uint8_t suite)
{
	return suite == AIOTSEC_SUITE_NIA2_NEA2 ? 32 : 16;
}

/* A deterministic, seed-dependent pattern. */
static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 31 + i * 7 + 1);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static uint64_t be48(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | p[i];
	return v;
}

static void vec_cred(struct aka_cred *c)
{
	memset(c, 0, sizeof(*c));
	HEX(c->k, V_K);
	HEX(c->opc, V_OPC);
	HEX(c->amf, V_AMF);
	c->profile = AIOTSEC_PROFILE_COMMAND;
}

static void test_cred(struct aka_cred *c, uint8_t seed, uint8_t profile)
{
	memset(c, 0, sizeof(*c));
	fill(c->k, sizeof(c->k), seed);
	fill(c->opc, sizeof(c->opc), seed + 100);
	c->amf[0] = 0x80;	/* the separation bit, as a non-zero AMF */
	c->profile = profile;
}

/* The air: encode, then decode as the peer does. */
static int wire(const struct aka_msg *m, struct aka_msg *out)
{
	uint8_t buf[AKA_MSG_MAX];
	ssize_t n;

	n = aka_msg_encode(m, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	return aka_msg_decode(buf, (size_t)n, out);
}

/* ---- MILENAGE known answers through the aka functions -------------- */

static void test_vectors_network(void)
{
	uint8_t want[AKA_AUTN_LEN], f5[6], sqn[6], x[16];
	struct aka_net_expect ex;
	struct aka_cred cred;
	struct aka_msg ch;
	uint8_t rnd[16];
	int i;

	vec_cred(&cred);
	HEX(rnd, V_RAND);
	HEX(sqn, V_SQN);
	HEX(f5, V_F5);
	for (i = 0; i < 6; i++)
		want[i] = sqn[i] ^ f5[i];
	memcpy(want + 6, cred.amf, 2);
	unhex(V_F1, want + 8, 8);

	ok(aka_net_challenge(&cred, be48(sqn), rnd, AKA_MODE_MUTUAL, &ch,
			     &ex) == 0, "vector: mutual challenge built");
	ok(ch.type == AKA_MSG_CHALLENGE && ch.challenge.mode ==
	   AKA_MODE_MUTUAL, "vector: CHALLENGE, mode mutual");
	is_mem(ch.challenge.rand_n, rnd, 16, "vector: RAND_n carried");
	is_mem(ch.challenge.autn, want, 16,
	       "vector: AUTN = (SQN xor f5) || AMF || f1");
	unhex(V_F2, x, 8);
	is_mem(ex.xres, x, 8, "vector: XRES = f2");
	HEX(x, V_F3);
	is_mem(ex.ck, x, 16, "vector: CK = f3");
	HEX(x, V_F4);
	is_mem(ex.ik, x, 16, "vector: IK = f4");
	ok(ex.sqn == be48(sqn) && ex.mode == AKA_MODE_MUTUAL,
	   "vector: expect records SQN and mode");

	memset(want, 0, sizeof(want));
	ok(aka_net_challenge(&cred, 0, rnd, AKA_MODE_ONE_WAY, &ch, &ex) == 0,
	   "vector: one-way challenge built");
	unhex(V_F2, x, 8);
	is_mem(ex.xres, x, 8, "vector: one-way XRES = f2");
	is_mem(ch.challenge.autn, want, 16, "vector: one-way has no AUTN");
	OPENSSL_cleanse(&ex, sizeof(ex));
}

static void test_vectors_device(void)
{
	uint8_t sqn[6], f5s[6], rnd[16], x[16], zero_amf[2] = { 0, 0 };
	uint8_t mac_s[8], f1s[8];
	struct aka_dev_state st = { 0 };
	struct aka_dev_result r;
	struct aka_net_expect ex;
	struct aka_cred cred;
	struct aka_msg ch;
	uint64_t sqn_d = 0;
	int i;

	vec_cred(&cred);
	HEX(rnd, V_RAND);
	HEX(sqn, V_SQN);
	HEX(f5s, V_F5S);
	HEX(f1s, V_F1S);
	aka_net_challenge(&cred, be48(sqn), rnd, AKA_MODE_MUTUAL, &ch, &ex);

	st.sqn_max = be48(sqn) - 1;
	ok(aka_dev_answer(&cred, &st, &ch, &r) == 0 &&
	   r.reply.type == AKA_MSG_RESPONSE,
	   "vector: device accepts AUTN, answers RESPONSE");
	unhex(V_F2, x, 8);
	is_mem(r.reply.response.res, x, 8, "vector: device RES = f2");
	HEX(x, V_F3);
	is_mem(r.ck, x, 16, "vector: device CK = f3");
	HEX(x, V_F4);
	is_mem(r.ik, x, 16, "vector: device IK = f4");
	ok(st.sqn_max == be48(sqn) && r.sqn == be48(sqn),
	   "vector: device's highest SQN is the test set's SQN");

	/* The same challenge again: SQN_D = the test set's SQN. */
	ok(aka_dev_answer(&cred, &st, &ch, &r) == 0 &&
	   r.reply.type == AKA_MSG_SYNC_FAILURE,
	   "vector: same challenge again gives SYNC_FAILURE");
	for (i = 0; i < 6; i++)
		x[i] = sqn[i] ^ f5s[i];
	is_mem(r.reply.sync_failure.auts, x, 6,
	       "vector: AUTS starts with SQN_D xor f5*");
	milenage_f1(cred.k, cred.opc, rnd, sqn, zero_amf, NULL, mac_s);
	is_mem(r.reply.sync_failure.auts + 6, mac_s, 8,
	       "vector: AUTS ends with f1*(SQN_D, AMF 0000)");
	ok(memcmp(mac_s, f1s, 8) != 0,
	   "vector: MAC-S with AMF 0000 is not the test set's f1* (AMF b9b9)");
	ok(aka_net_resync(&cred, rnd, r.reply.sync_failure.auts, &sqn_d) ==
	   0 && sqn_d == be48(sqn), "vector: network recovers SQN_D from AUTS");
	OPENSSL_cleanse(&ex, sizeof(ex));
	OPENSSL_cleanse(&r, sizeof(r));
}

/* ---- the simulated exchange ---------------------------------------- */

struct sim {
	/* configuration */
	struct aka_cred net_cred, dev_cred;
	uint8_t caps;			/* capabilities of the HELLO */
	uint8_t strip_caps;		/* cleared on the air */
	uint8_t net_caps;		/* as the network got them */
	uint8_t suite;
	uint32_t sid, attempt;
	uint8_t rand_n[AKA_RAND_LEN], rand_d[AKA_RAND_LEN];
	uint8_t tid[AKA_TID_LEN], new_tid[AKA_TID_LEN];
	uint64_t net_sqn;		/* network: next SQN */
	struct aka_dev_state dev;	/* device: highest SQN */
	/* outcome */
	uint8_t mode;
	int challenges, syncs;
	bool resync_refused;
	uint8_t net_cause, dev_cause;	/* REJECT sent, or 0 */
	bool accepted, tid_confirmed;
	int error;			/* an unexpected failure */
	uint8_t net_key[AKA_SA_KEY_MAX], dev_key[AKA_SA_KEY_MAX];
	size_t net_len, dev_len;
};

static void sim_init(struct sim *s, uint8_t profile, uint8_t caps,
		     uint8_t suite)
{
	memset(s, 0, sizeof(*s));
	test_cred(&s->net_cred, 1, profile);
	s->dev_cred = s->net_cred;
	s->caps = caps;
	s->suite = suite;
	s->sid = 0x5a5a0001;
	s->attempt = 0xc0ffee01;
	fill(s->rand_n, sizeof(s->rand_n), 2);
	fill(s->rand_d, sizeof(s->rand_d), 3);
	fill(s->tid, sizeof(s->tid), 4);
	fill(s->new_tid, sizeof(s->new_tid), 5);
	s->net_sqn = 33;
	s->dev.sqn_max = 32;
}

/* Both sides' SA keys after ACCEPT (the device uses the ACCEPT's). */
static void sim_keys(struct sim *s, const struct aka_net_expect *ex,
		     const struct aka_dev_result *dr,
		     const struct aka_accept *acc)
{
	uint8_t kn[AKA_KAIOTF_LEN], kd[AKA_KAIOTF_LEN];

	if (aka_derive_kaiotf(ex->ck, ex->ik, ex->rand_n, s->rand_d, s->sid,
			      s->attempt, s->net_caps, kn) ||
	    aka_derive_sa_key(kn, s->suite, s->net_key, &s->net_len) ||
	    aka_derive_kaiotf(dr->ck, dr->ik, s->rand_n, s->rand_d, acc->sid,
			      s->attempt, s->caps, kd) ||
	    aka_derive_sa_key(kd, acc->suite, s->dev_key, &s->dev_len))
		s->error = 1;
	OPENSSL_cleanse(kn, sizeof(kn));
	OPENSSL_cleanse(kd, sizeof(kd));
}

/* One control body over a protected CONTROL frame; 0 or -errno. */
static int sim_ctrl(const struct aka_ctrl *c, struct aka_ctrl *out,
		    const struct aiot_key *tx, const struct aiot_key *rx,
		    int dir, uint32_t sid)
{
	uint8_t body[AKA_CTRL_LEN], frame[64], plain[64];
	ssize_t n;

	n = aka_ctrl_encode(c, body, sizeof(body));
	if (n < 0)
		return (int)n;
	n = aiot_frame_protect(tx, AIOTSEC_FT_CONTROL, 0, 32, dir, sid, 0,
			       body, (size_t)n, frame, sizeof(frame));
	if (n < 0)
		return (int)n;
	n = aiot_frame_unprotect(rx, dir, NULL, frame, (size_t)n, NULL, NULL,
				 plain, sizeof(plain));
	if (n < 0)
		return (int)n;
	return aka_ctrl_decode(plain, (size_t)n, out);
}

/* T-ID-ASSIGN (downlink) and T-ID-CONFIRM (uplink) under the new SA. */
static void sim_tid(struct sim *s)
{
	uint8_t tag_len = s->suite == AIOTSEC_SUITE_AES_CCM ? 8 : 0;
	struct aiot_key nk, dk;
	struct aka_ctrl c, rx;

	if (aiot_key_init(&nk, s->suite, tag_len, s->net_key, s->net_len)) {
		s->error = 1;
		return;
	}
	if (aiot_key_init(&dk, s->suite, tag_len, s->dev_key, s->dev_len)) {
		aiot_key_free(&nk);
		s->error = 1;
		return;
	}
	memset(&c, 0, sizeof(c));
	c.type = AKA_CTRL_TID_ASSIGN;
	c.attempt = 0x5a5a0001;
	memcpy(c.tid, s->new_tid, AKA_TID_LEN);
	if (sim_ctrl(&c, &rx, &nk, &dk, AIOT_DIR_DOWNLINK, s->sid) == 0 &&
	    rx.type == AKA_CTRL_TID_ASSIGN) {
		c.type = AKA_CTRL_TID_CONFIRM;
		memcpy(c.tid, rx.tid, AKA_TID_LEN);
		if (sim_ctrl(&c, &rx, &dk, &nk, AIOT_DIR_UPLINK, s->sid) == 0 &&
		    rx.type == AKA_CTRL_TID_CONFIRM &&
		    !memcmp(rx.tid, s->new_tid, AKA_TID_LEN))
			s->tid_confirmed = true;
	}
	aiot_key_free(&nk);
	aiot_key_free(&dk);
}

/* Network: RES checked; ACCEPT, or REJECT bad-response. */
static void sim_accept(struct sim *s, const struct aka_net_expect *ex,
		       const struct aka_msg *resp,
		       const struct aka_dev_result *dr)
{
	struct aka_msg m = { .type = AKA_MSG_ACCEPT }, rx;

	if (aka_net_check_response(ex, resp->response.res)) {
		s->net_cause = AKA_CAUSE_BAD_RESPONSE;
		return;
	}
	m.accept.sid = s->sid;
	m.accept.suite = s->suite;
	m.accept.ctr_bits = 32;
	if (wire(&m, &rx) || rx.type != AKA_MSG_ACCEPT) {
		s->error = 1;
		return;
	}
	s->accepted = true;
	sim_keys(s, ex, dr, &rx.accept);
	if (!s->error)
		sim_tid(s);
}

/*
 * One round: CHALLENGE, the device's answer, the network's reaction.
 * Returns true when the network sends another CHALLENGE (after resync).
 */
static bool sim_round(struct sim *s)
{
	struct aka_net_expect ex;
	struct aka_dev_result dr;
	struct aka_msg ch, rx;
	uint64_t sqn_d;
	bool again = false;

	s->rand_n[0] ^= (uint8_t)s->challenges;	/* a fresh RAND_n */
	if (aka_net_challenge(&s->net_cred, s->net_sqn++, s->rand_n, s->mode,
			      &ch, &ex) || wire(&ch, &rx) ||
	    aka_dev_answer(&s->dev_cred, &s->dev, &rx, &dr) ||
	    wire(&dr.reply, &rx)) {
		s->error = 1;
		return false;
	}
	s->challenges++;
	switch (rx.type) {
	case AKA_MSG_REJECT:
		s->dev_cause = rx.reject.cause;
		break;
	case AKA_MSG_SYNC_FAILURE:
		s->syncs++;
		if (aka_net_resync(&s->net_cred, ex.rand_n,
				   rx.sync_failure.auts, &sqn_d)) {
			s->resync_refused = true;
			break;
		}
		s->net_sqn = sqn_d + 1;
		again = true;
		break;
	case AKA_MSG_RESPONSE:
		sim_accept(s, &ex, &rx, &dr);
		break;
	default:
		s->error = 1;
	}
	OPENSSL_cleanse(&ex, sizeof(ex));
	OPENSSL_cleanse(&dr, sizeof(dr));
	return again;
}

static void sim_run(struct sim *s)
{
	struct aka_msg hello = { .type = AKA_MSG_HELLO }, rx;

	hello.hello.id_type = AKA_ID_TID;
	memcpy(hello.hello.tid, s->tid, AKA_TID_LEN);
	memcpy(hello.hello.rand_d, s->rand_d, AKA_RAND_LEN);
	hello.hello.caps = s->caps;
	if (wire(&hello, &rx) || memcmp(rx.hello.tid, s->tid, AKA_TID_LEN)) {
		s->error = 1;
		return;
	}
	rx.hello.caps &= ~s->strip_caps;
	s->net_caps = rx.hello.caps;
	s->mode = aka_net_mode(s->net_cred.profile, rx.hello.caps);
	s->dev.require_mutual = s->caps & AKA_CAP_MUTUAL;
	/* the network never issues more than one resync per attempt */
	if (sim_round(s))
		sim_round(s);
}

static void test_exchanges(void)
{
	char d[128];
	struct sim s;
	size_t i;
	int m;

	for (m = 0; m < 2; m++) {
		for (i = 0; i < NSUITES; i++) {
			const char *mn = m ? "mutual" : "one-way";
			const char *sn = suite_name(suites[i]);

			if (m)
				sim_init(&s, AIOTSEC_PROFILE_COMMAND,
					 AKA_CAP_MUTUAL | AKA_CAP_ALL, suites[i]);
			else
				sim_init(&s, AIOTSEC_PROFILE_INVENTORY,
					 AKA_CAP_ALL & ~AKA_CAP_MUTUAL,
					 suites[i]);
			sim_run(&s);
			snprintf(d, sizeof(d), "%s %s: ACCEPT after one CHALLENGE",
				 mn, sn);
			ok(!s.error && s.accepted && s.challenges == 1 &&
			   s.mode == (m ? AKA_MODE_MUTUAL : AKA_MODE_ONE_WAY),
			   d);
			snprintf(d, sizeof(d), "%s %s: both sides' SA keys equal",
				 mn, sn);
			ok(s.net_len == s.dev_len && s.net_len ==
			   suite_key_len(suites[i]) &&
			   !memcmp(s.net_key, s.dev_key, s.net_len), d);
			snprintf(d, sizeof(d),
				 "%s %s: T-ID-ASSIGN/CONFIRM under the new SA",
				 mn, sn);
			ok(s.tid_confirmed, d);
			snprintf(d, sizeof(d), "%s %s: device SQN %s", mn, sn,
				 m ? "advanced" : "untouched");
			ok(s.dev.sqn_max == (m ? 33u : 32u), d);
			OPENSSL_cleanse(&s, sizeof(s));
		}
	}
}

/* Keys of one exchange with @change applied to the configuration. */
static void run_variant(uint8_t suite, int change, uint8_t *key,
			size_t *len, bool *good)
{
	struct sim s;

	sim_init(&s, AIOTSEC_PROFILE_COMMAND, AKA_CAP_ALL, suite);
	if (change == 1)
		s.rand_d[5] ^= 0x40;
	else if (change == 2)
		s.sid++;
	else if (change == 3)
		s.attempt ^= 0x80000000;
	sim_run(&s);
	*good = !s.error && s.accepted && s.tid_confirmed &&
		!memcmp(s.net_key, s.dev_key, s.net_len);
	memcpy(key, s.net_key, s.net_len);
	*len = s.net_len;
	OPENSSL_cleanse(&s, sizeof(s));
}

static void test_key_binding(void)
{
	static const char *const what[] = {
		NULL, "RAND_d", "SID", "attempt ID",
	};
	uint8_t base[AKA_SA_KEY_MAX], key[AKA_SA_KEY_MAX];
	size_t blen, len, i;
	bool good, bgood;
	char d[128];
	int c;

	for (i = 0; i < NSUITES; i++) {
		run_variant(suites[i], 0, base, &blen, &bgood);
		for (c = 1; c <= 3; c++) {
			run_variant(suites[i], c, key, &len, &good);
			snprintf(d, sizeof(d),
				 "%s: a different %s gives a different key",
				 suite_name(suites[i]), what[c]);
			ok(bgood && good && len == blen &&
			   memcmp(key, base, len) != 0, d);
		}
	}
}

static void test_wrong_key(void)
{
	struct sim s;

	sim_init(&s, AIOTSEC_PROFILE_COMMAND, AKA_CAP_ALL,
		 AIOTSEC_SUITE_AES_GCM);
	s.dev_cred.k[0] ^= 1;
	sim_run(&s);
	ok(!s.error && s.dev_cause == AKA_CAUSE_MAC_FAILURE && !s.accepted,
	   "mutual, wrong K: device REJECTs mac-failure");
	ok(s.dev.sqn_max == 32, "mutual, wrong K: device SQN untouched");

	sim_init(&s, AIOTSEC_PROFILE_COMMAND, AKA_CAP_ALL,
		 AIOTSEC_SUITE_AES_GCM);
	s.net_cred.opc[15] ^= 0x80;
	sim_run(&s);
	ok(!s.error && s.dev_cause == AKA_CAUSE_MAC_FAILURE && !s.accepted,
	   "mutual, wrong OPc: device REJECTs mac-failure");

	sim_init(&s, AIOTSEC_PROFILE_INVENTORY, AKA_CAP_AES_GCM,
		 AIOTSEC_SUITE_AES_GCM);
	s.dev_cred.k[15] ^= 0x10;
	sim_run(&s);
	ok(!s.error && s.net_cause == AKA_CAUSE_BAD_RESPONSE && !s.accepted,
	   "one-way, wrong K: network finds bad-response");
	OPENSSL_cleanse(&s, sizeof(s));
}

static void test_resync(void)
{
	struct sim s;

	sim_init(&s, AIOTSEC_PROFILE_COMMAND, AKA_CAP_ALL,
		 AIOTSEC_SUITE_NIA2_NEA2);
	s.net_sqn = 10;
	s.dev.sqn_max = 1000;
	sim_run(&s);
	ok(!s.error && s.syncs == 1 && s.challenges == 2 && s.accepted,
	   "stale SQN: SYNC_FAILURE, resync, second CHALLENGE accepted");
	ok(s.dev.sqn_max == 1001 && s.net_sqn == 1002,
	   "stale SQN: network resumed at SQN_D + 1");
	ok(s.tid_confirmed && !memcmp(s.net_key, s.dev_key, s.net_len),
	   "stale SQN: same keys after resync");

	sim_init(&s, AIOTSEC_PROFILE_COMMAND, AKA_CAP_ALL,
		 AIOTSEC_SUITE_AES_CCM);
	s.dev.sqn_max = 1000;
	s.net_sqn = 1000 + AKA_SQN_AHEAD_MAX + 1;
	sim_run(&s);
	ok(!s.error && s.syncs == 1 && s.challenges == 2 && s.accepted &&
	   s.dev.sqn_max == 1001,
	   "SQN 2^28 + 1 ahead: refused, resync, then accepted");

	sim_init(&s, AIOTSEC_PROFILE_COMMAND, AKA_CAP_ALL,
		 AIOTSEC_SUITE_AES_CCM);
	s.dev.sqn_max = 1000;
	s.net_sqn = 1000 + AKA_SQN_AHEAD_MAX;
	sim_run(&s);
	ok(!s.error && s.syncs == 0 && s.accepted &&
	   s.dev.sqn_max == 1000 + AKA_SQN_AHEAD_MAX,
	   "SQN exactly 2^28 ahead: accepted (skipped SQNs are fine)");

	sim_init(&s, AIOTSEC_PROFILE_COMMAND, AKA_CAP_ALL,
		 AIOTSEC_SUITE_AES_CCM);
	s.dev.sqn_max = 0;
	s.net_sqn = AKA_SQN_AHEAD_MAX + 1;
	sim_run(&s);
	ok(!s.error && s.syncs == 1 && s.accepted && s.dev.sqn_max == 1,
	   "fresh device (SQN 0): 2^28 + 1 refused, resync to 1");

	sim_init(&s, AIOTSEC_PROFILE_COMMAND, AKA_CAP_ALL,
		 AIOTSEC_SUITE_AES_CCM);
	s.dev.sqn_max = 1000;
	s.net_sqn = 1000;
	sim_run(&s);
	ok(!s.error && s.syncs == 1 && s.accepted && s.dev.sqn_max == 1001,
	   "SQN equal to the highest accepted: refused, resync");
	OPENSSL_cleanse(&s, sizeof(s));
}

/* A challenge of @sqn from a command-profile credential. */
static void mk_challenge(const struct aka_cred *c, uint64_t sqn, uint8_t seed,
			 struct aka_msg *ch, struct aka_net_expect *ex)
{
	uint8_t rnd[AKA_RAND_LEN];

	fill(rnd, sizeof(rnd), seed);
	if (aka_net_challenge(c, sqn, rnd, AKA_MODE_MUTUAL, ch, ex))
		memset(ch, 0, sizeof(*ch));
}

static void test_replay(void)
{
	struct aka_dev_state st = { .sqn_max = 5 };
	struct aka_net_expect ex, ex_old;
	struct aka_msg ch, ch_old;
	struct aka_dev_result r;
	struct aka_cred c;
	uint64_t sqn_d = 0;

	test_cred(&c, 9, AIOTSEC_PROFILE_COMMAND);
	mk_challenge(&c, 6, 1, &ch_old, &ex_old);
	mk_challenge(&c, 7, 2, &ch, &ex);
	ok(aka_dev_answer(&c, &st, &ch, &r) == 0 &&
	   r.reply.type == AKA_MSG_RESPONSE && st.sqn_max == 7,
	   "replay: first CHALLENGE (SQN 7) answered");
	ok(aka_net_check_response(&ex, r.reply.response.res) == 0,
	   "replay: network accepts the RES");
	ok(aka_dev_answer(&c, &st, &ch, &r) == 0 &&
	   r.reply.type == AKA_MSG_SYNC_FAILURE && st.sqn_max == 7,
	   "replay: the same CHALLENGE again is refused (SYNC_FAILURE)");
	ok(aka_net_resync(&c, ex.rand_n, r.reply.sync_failure.auts, &sqn_d) ==
	   0 && sqn_d == 7, "replay: its AUTS gives SQN_D = 7");
	ok(aka_dev_answer(&c, &st, &ch_old, &r) == 0 &&
	   r.reply.type == AKA_MSG_SYNC_FAILURE && st.sqn_max == 7,
	   "replay: an older, unused CHALLENGE (SQN 6) is refused");
	ok(all_zero(r.res, sizeof(r.res)) && all_zero(r.ck, sizeof(r.ck)) &&
	   all_zero(r.ik, sizeof(r.ik)),
	   "replay: no RES, CK or IK handed out with a SYNC_FAILURE");
	OPENSSL_cleanse(&ex, sizeof(ex));
	OPENSSL_cleanse(&ex_old, sizeof(ex_old));
}

static void test_tampered_auts(void)
{
	struct aka_dev_state st = { .sqn_max = 500 };
	uint8_t auts[AKA_AUTS_LEN], other[AKA_RAND_LEN];
	struct aka_net_expect ex;
	struct aka_dev_result r;
	struct aka_msg ch;
	struct aka_cred c;
	uint64_t sqn_d = 12345;
	int bit, refused = 0, untouched = 1;

	test_cred(&c, 11, AIOTSEC_PROFILE_COMMAND);
	mk_challenge(&c, 3, 3, &ch, &ex);
	aka_dev_answer(&c, &st, &ch, &r);
	ok(r.reply.type == AKA_MSG_SYNC_FAILURE,
	   "AUTS: stale SQN gives SYNC_FAILURE");
	for (bit = 0; bit < AKA_AUTS_LEN * 8; bit++) {
		memcpy(auts, r.reply.sync_failure.auts, sizeof(auts));
		auts[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		if (aka_net_resync(&c, ex.rand_n, auts, &sqn_d) == -EBADMSG)
			refused++;
		if (sqn_d != 12345)
			untouched = 0;
	}
	ok(refused == AKA_AUTS_LEN * 8 && untouched,
	   "AUTS: every single-bit change refused (-EBADMSG)");
	fill(other, sizeof(other), 77);
	ok(aka_net_resync(&c, other, r.reply.sync_failure.auts, &sqn_d) ==
	   -EBADMSG, "AUTS: refused for another RAND_n");
	c.k[3] ^= 4;
	ok(aka_net_resync(&c, ex.rand_n, r.reply.sync_failure.auts, &sqn_d) ==
	   -EBADMSG, "AUTS: refused under another K");
	c.k[3] ^= 4;
	ok(aka_net_resync(&c, ex.rand_n, r.reply.sync_failure.auts, &sqn_d) ==
	   0 && sqn_d == 500, "AUTS: the genuine one gives SQN_D = 500");
	OPENSSL_cleanse(&ex, sizeof(ex));
}

static void test_tampered_autn(void)
{
	struct aka_dev_state st = { .sqn_max = 40 };
	struct aka_net_expect ex;
	struct aka_dev_result r;
	struct aka_msg ch, bad;
	struct aka_cred c;
	int bit, rejected = 0;

	test_cred(&c, 13, AIOTSEC_PROFILE_COMMAND);
	mk_challenge(&c, 41, 4, &ch, &ex);
	for (bit = 0; bit < AKA_AUTN_LEN * 8; bit++) {
		bad = ch;
		bad.challenge.autn[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		if (aka_dev_answer(&c, &st, &bad, &r) == 0 &&
		    r.reply.type == AKA_MSG_REJECT &&
		    r.reply.reject.cause == AKA_CAUSE_MAC_FAILURE &&
		    st.sqn_max == 40 && all_zero(r.ck, sizeof(r.ck)) &&
		    all_zero(r.res, sizeof(r.res)))
			rejected++;
	}
	ok(rejected == AKA_AUTN_LEN * 8,
	   "AUTN: every single-bit change (SQN, AMF, MAC-A) is mac-failure");
	bad = ch;
	bad.challenge.rand_n[0] ^= 1;
	ok(aka_dev_answer(&c, &st, &bad, &r) == 0 &&
	   r.reply.type == AKA_MSG_REJECT && st.sqn_max == 40,
	   "AUTN: a changed RAND_n is mac-failure");
	ok(aka_dev_answer(&c, &st, &ch, &r) == 0 &&
	   r.reply.type == AKA_MSG_RESPONSE && st.sqn_max == 41,
	   "AUTN: the genuine one is still accepted");
	OPENSSL_cleanse(&ex, sizeof(ex));
	OPENSSL_cleanse(&r, sizeof(r));
}

static void test_downgrade(void)
{
	struct aka_dev_state st = { .sqn_max = 7 };
	uint8_t rnd[AKA_RAND_LEN];
	struct aka_net_expect ex;
	struct aka_dev_result r;
	struct aka_msg ch;
	struct aka_cred c;
	struct sim sim;

	fill(rnd, sizeof(rnd), 5);
	test_cred(&c, 15, AIOTSEC_PROFILE_COMMAND);
	aka_net_challenge(&c, 0, rnd, AKA_MODE_ONE_WAY, &ch, &ex);
	ok(aka_dev_answer(&c, &st, &ch, &r) == 0 &&
	   r.reply.type == AKA_MSG_REJECT &&
	   r.reply.reject.cause == AKA_CAUSE_MAC_FAILURE,
	   "command-profile device refuses a one-way CHALLENGE");
	c.profile = AIOTSEC_PROFILE_INVENTORY;
	st.require_mutual = true;
	ok(aka_dev_answer(&c, &st, &ch, &r) == 0 &&
	   r.reply.type == AKA_MSG_REJECT,
	   "device that asked for mutual refuses a one-way CHALLENGE");
	st.require_mutual = false;
	ok(aka_dev_answer(&c, &st, &ch, &r) == 0 &&
	   r.reply.type == AKA_MSG_RESPONSE && st.sqn_max == 7 && r.sqn == 0,
	   "inventory device answers one-way; its SQN untouched");
	ok(aka_net_check_response(&ex, r.reply.response.res) == 0,
	   "one-way RES checks");
	sim_init(&sim, AIOTSEC_PROFILE_COMMAND, AKA_CAP_ALL,
		 AIOTSEC_SUITE_NIA2_NEA2);
	sim.strip_caps = AKA_CAP_AES_GCM | AKA_CAP_AES_CCM;
	sim_run(&sim);
	ok(!sim.error && sim.accepted && sim.net_len == sim.dev_len &&
	   memcmp(sim.net_key, sim.dev_key, sim.net_len) != 0,
	   "capabilities bid down on the air: the two sides' keys differ");
	OPENSSL_cleanse(&sim, sizeof(sim));
	ok(aka_net_mode(AIOTSEC_PROFILE_INVENTORY, AKA_CAP_ALL &
			~AKA_CAP_MUTUAL) == AKA_MODE_ONE_WAY &&
	   aka_net_mode(AIOTSEC_PROFILE_INVENTORY, AKA_CAP_MUTUAL) ==
	   AKA_MODE_MUTUAL &&
	   aka_net_mode(AIOTSEC_PROFILE_COMMAND, 0) == AKA_MODE_MUTUAL,
	   "aka_net_mode: mutual for command or when asked");
	OPENSSL_cleanse(&ex, sizeof(ex));
	OPENSSL_cleanse(&r, sizeof(r));
}

static void test_check_response(void)
{
	struct aka_net_expect ex;
	uint8_t res[AKA_RES_LEN];
	int i, bad = 0;

	memset(&ex, 0, sizeof(ex));
	fill(ex.xres, sizeof(ex.xres), 6);
	memcpy(res, ex.xres, sizeof(res));
	ok(aka_net_check_response(&ex, res) == 0, "RES == XRES accepted");
	for (i = 0; i < AKA_RES_LEN * 8; i++) {
		res[i / 8] ^= (uint8_t)(1 << (i % 8));
		if (aka_net_check_response(&ex, res) == -EBADMSG)
			bad++;
		res[i / 8] ^= (uint8_t)(1 << (i % 8));
	}
	ok(bad == AKA_RES_LEN * 8, "every single-bit RES change: -EBADMSG");
}

/* ---- codecs ------------------------------------------------------- */

struct sample {
	const char *name;
	struct aka_msg m;
	size_t len;
};

static void mk_samples(struct sample *s, size_t *n)
{
	size_t i = 0;

	memset(s, 0, 10 * sizeof(*s));
	s[i].name = "HELLO (T-ID)";
	s[i].m.type = AKA_MSG_HELLO;
	s[i].m.hello.id_type = AKA_ID_TID;
	fill(s[i].m.hello.tid, AKA_TID_LEN, 20);
	fill(s[i].m.hello.rand_d, AKA_RAND_LEN, 21);
	s[i].m.hello.caps = AKA_CAP_ALL;
	s[i++].len = 36;

	s[i].name = "HELLO (SUCI, 1-octet PID)";
	s[i].m.type = AKA_MSG_HELLO;
	s[i].m.hello.id_type = AKA_ID_SUCI;
	s[i].m.hello.suci.key_id = 3;
	fill(s[i].m.hello.suci.eph_pub, AKA_HN_KEY_LEN, 22);
	s[i].m.hello.suci.len = 1;
	s[i].m.hello.suci.cipher[0] = 0xa5;
	fill(s[i].m.hello.suci.tag, AKA_SUCI_TAG_LEN, 23);
	fill(s[i].m.hello.rand_d, AKA_RAND_LEN, 24);
	s[i].m.hello.caps = AKA_CAP_AES_CCM;
	s[i++].len = 63;

	s[i] = s[i - 1];
	s[i].name = "HELLO (SUCI, 32-octet PID)";
	s[i].m.hello.suci.len = 32;
	fill(s[i].m.hello.suci.cipher, AKA_PID_MAX, 25);
	s[i++].len = AKA_MSG_MAX;

	s[i].name = "CHALLENGE (one-way)";
	s[i].m.type = AKA_MSG_CHALLENGE;
	s[i].m.challenge.mode = AKA_MODE_ONE_WAY;
	fill(s[i].m.challenge.rand_n, AKA_RAND_LEN, 26);
	s[i++].len = 19;

	s[i] = s[i - 1];
	s[i].name = "CHALLENGE (mutual)";
	s[i].m.challenge.mode = AKA_MODE_MUTUAL;
	fill(s[i].m.challenge.autn, AKA_AUTN_LEN, 27);
	s[i++].len = 35;

	s[i].name = "RESPONSE";
	s[i].m.type = AKA_MSG_RESPONSE;
	fill(s[i].m.response.res, AKA_RES_LEN, 28);
	s[i++].len = 10;

	s[i].name = "SYNC_FAILURE";
	s[i].m.type = AKA_MSG_SYNC_FAILURE;
	fill(s[i].m.sync_failure.auts, AKA_AUTS_LEN, 29);
	s[i++].len = 16;

	s[i].name = "ACCEPT";
	s[i].m.type = AKA_MSG_ACCEPT;
	s[i].m.accept.sid = 0xfedcba98;
	s[i].m.accept.suite = AIOTSEC_SUITE_AES_GCM;
	s[i].m.accept.ctr_bits = 16;
	s[i++].len = 8;

	s[i].name = "REJECT";
	s[i].m.type = AKA_MSG_REJECT;
	s[i].m.reject.cause = AKA_CAUSE_MALFORMED;
	s[i++].len = 3;
	*n = i;
}

static void test_codec_one(const struct sample *s)
{
	uint8_t buf[AKA_MSG_MAX + 1], again[AKA_MSG_MAX];
	int trunc_ok = 1, type_ok = 1, ver_ok = 1;
	struct aka_msg out;
	char d[128];
	ssize_t n;
	size_t l;
	int v;

	n = aka_msg_encode(&s->m, buf, sizeof(buf));
	snprintf(d, sizeof(d), "%s: encodes to %zu octets", s->name, s->len);
	ok(n == (ssize_t)s->len && buf[0] == s->m.type && buf[1] == 1, d);
	if (n != (ssize_t)s->len)
		return;
	snprintf(d, sizeof(d), "%s: decodes to the same message", s->name);
	ok(aka_msg_decode(buf, s->len, &out) == 0 &&
	   !memcmp(&out, &s->m, sizeof(out)), d);
	snprintf(d, sizeof(d), "%s: re-encodes to the same octets", s->name);
	ok(aka_msg_encode(&out, again, sizeof(again)) == n &&
	   !memcmp(again, buf, s->len), d);

	for (l = 0; l < s->len; l++)
		if (aka_msg_decode(buf, l, &out) != -EPROTO || out.type)
			trunc_ok = 0;
	buf[s->len] = 0;
	if (aka_msg_decode(buf, s->len + 1, &out) != -EPROTO)
		trunc_ok = 0;
	snprintf(d, sizeof(d),
		 "%s: all %zu truncations and a trailing octet refused",
		 s->name, s->len);
	ok(trunc_ok, d);

	for (v = 0; v < 256; v++) {
		buf[0] = (uint8_t)v;
		if (v != s->m.type && aka_msg_decode(buf, s->len, &out) !=
		    -EPROTO)
			type_ok = 0;
	}
	buf[0] = s->m.type;
	snprintf(d, sizeof(d), "%s: every other type (0-255) refused",
		 s->name);
	ok(type_ok, d);

	for (v = 0; v < 256; v++) {
		buf[1] = (uint8_t)v;
		if (v != 1 && aka_msg_decode(buf, s->len, &out) != -EPROTO)
			ver_ok = 0;
	}
	buf[1] = 1;
	snprintf(d, sizeof(d), "%s: every version but 1 refused", s->name);
	ok(ver_ok, d);

	snprintf(d, sizeof(d), "%s: encode into %zu octets is -EMSGSIZE",
		 s->name, s->len - 1);
	ok(aka_msg_encode(&s->m, again, s->len - 1) == -EMSGSIZE, d);
}

static void test_codec_layout(void)
{
	struct aka_msg m = { .type = AKA_MSG_ACCEPT };
	uint8_t buf[AKA_MSG_MAX], want[8];
	struct sample s[10];
	size_t n;

	m.accept.sid = 0x01020304;
	m.accept.suite = AIOTSEC_SUITE_AES_CCM;
	m.accept.ctr_bits = 32;
	HEX(want, "0501" "01020304" "03" "20");
	ok(aka_msg_encode(&m, buf, sizeof(buf)) == 8 && !memcmp(buf, want, 8),
	   "ACCEPT layout: type, version, SID big-endian, suite, ctr-bits");

	mk_samples(s, &n);
	/* HELLO (SUCI): id-type, key id, eph pub, len, cipher, tag, RAND_d */
	aka_msg_encode(&s[1].m, buf, sizeof(buf));
	ok(buf[2] == AKA_ID_SUCI && buf[3] == 3 &&
	   !memcmp(buf + 4, s[1].m.hello.suci.eph_pub, 32) && buf[36] == 1 &&
	   buf[37] == 0xa5 && !memcmp(buf + 38, s[1].m.hello.suci.tag, 8) &&
	   !memcmp(buf + 46, s[1].m.hello.rand_d, 16) &&
	   buf[62] == AKA_CAP_AES_CCM,
	   "HELLO (SUCI) layout as in the document");
	aka_msg_encode(&s[4].m, buf, sizeof(buf));
	ok(buf[2] == AKA_MODE_MUTUAL &&
	   !memcmp(buf + 3, s[4].m.challenge.rand_n, 16) &&
	   !memcmp(buf + 19, s[4].m.challenge.autn, 16),
	   "CHALLENGE (mutual) layout: mode, RAND_n, AUTN");
}

static void test_codec_suci_len(void)
{
	uint8_t buf[AKA_MSG_MAX + 8];
	struct aka_msg out;
	struct sample s[10];
	size_t n;
	ssize_t len;

	mk_samples(s, &n);
	len = aka_msg_encode(&s[1].m, buf, sizeof(buf));
	buf[36] = 2;	/* claims 2 octets of ciphered PID */
	ok(len == 63 && aka_msg_decode(buf, 63, &out) == -EPROTO,
	   "HELLO (SUCI): length octet beyond the body refused");
	memmove(buf + 38, buf + 37, 63 - 37);	/* with one octet more ... */
	buf[36] = 0;				/* ... but length 0 */
	ok(aka_msg_decode(buf, 63, &out) == -EPROTO,
	   "HELLO (SUCI): ciphered PID length 0 refused");
	len = aka_msg_encode(&s[2].m, buf, sizeof(buf));
	memmove(buf + 38 + 32, buf + 37 + 32, (size_t)len - 37 - 32);
	buf[36] = 33;
	ok(aka_msg_decode(buf, (size_t)len + 1, &out) == -EPROTO,
	   "HELLO (SUCI): ciphered PID length 33 refused");
}

/* The encoding of @m with octet @off set to @val must not decode. */
static void bad_field(const struct aka_msg *m, size_t off, uint8_t val,
		      int *dec_ok)
{
	uint8_t buf[AKA_MSG_MAX];
	struct aka_msg out;
	ssize_t n;

	n = aka_msg_encode(m, buf, sizeof(buf));
	if (n < 0) {
		*dec_ok = 0;
		return;
	}
	buf[off] = val;
	if (aka_msg_decode(buf, (size_t)n, &out) != -EPROTO || out.type)
		*dec_ok = 0;
}

static void test_codec_fields(void)
{
	int dec_ok = 1, v;
	struct aka_msg m;
	struct sample s[10];
	uint8_t buf[AKA_MSG_MAX];
	size_t n;

	mk_samples(s, &n);
	/* HELLO: id-type other than 1 or 2 */
	for (v = 0; v < 256; v++)
		if (v != AKA_ID_TID && v != AKA_ID_SUCI)
			bad_field(&s[0].m, 2, (uint8_t)v, &dec_ok);
	ok(dec_ok, "HELLO: every unknown id-type refused");
	dec_ok = 1;
	for (v = 0x10; v < 256; v += 0x10)
		bad_field(&s[0].m, 35, (uint8_t)(v | 0x0f), &dec_ok);
	ok(dec_ok, "HELLO: reserved capability bits refused");
	dec_ok = 1;
	for (v = 0; v < 256; v++)
		if (v != AKA_MODE_ONE_WAY && v != AKA_MODE_MUTUAL) {
			bad_field(&s[3].m, 2, (uint8_t)v, &dec_ok);
			bad_field(&s[4].m, 2, (uint8_t)v, &dec_ok);
		}
	ok(dec_ok, "CHALLENGE: every unknown mode refused");
	dec_ok = 1;
	bad_field(&s[3].m, 2, AKA_MODE_MUTUAL, &dec_ok);
	bad_field(&s[4].m, 2, AKA_MODE_ONE_WAY, &dec_ok);
	ok(dec_ok, "CHALLENGE: mode and length must agree");
	dec_ok = 1;
	m = s[7].m;
	m.accept.sid = 0;
	ok(aka_msg_encode(&m, buf, sizeof(buf)) == -EINVAL,
	   "ACCEPT: encoder refuses SID 0");
	aka_msg_encode(&s[7].m, buf, sizeof(buf));
	memset(buf + 2, 0, 4);
	ok(aka_msg_decode(buf, 8, &m) == -EPROTO, "ACCEPT: SID 0 refused");
	for (v = 0; v < 256; v++)
		if (v < AIOTSEC_SUITE_NIA2_NEA2 || v > AIOTSEC_SUITE_AES_GCM)
			bad_field(&s[7].m, 6, (uint8_t)v, &dec_ok);
	ok(dec_ok, "ACCEPT: every unknown suite refused");
	dec_ok = 1;
	for (v = 0; v < 256; v++)
		if (v != 16 && v != 32)
			bad_field(&s[7].m, 7, (uint8_t)v, &dec_ok);
	ok(dec_ok, "ACCEPT: ctr-bits other than 16 and 32 refused");
	dec_ok = 1;
	for (v = 0; v < 256; v++)
		if (v < 1 || v > AKA_CAUSE_MAX)
			bad_field(&s[8].m, 2, (uint8_t)v, &dec_ok);
	ok(dec_ok, "REJECT: every unknown cause refused");
}

/* Every field the decoder refuses, the encoder refuses too. */
static void test_codec_encode_invalid(void)
{
	struct sample s[10];
	uint8_t buf[AKA_MSG_MAX];
	struct aka_msg m;
	int all = 1;
	size_t n;

#define ENC_BAD(idx, stmt) do {						\
		m = s[idx].m;						\
		stmt;							\
		if (aka_msg_encode(&m, buf, sizeof(buf)) != -EINVAL)	\
			all = 0;					\
	} while (0)

	mk_samples(s, &n);
	ENC_BAD(0, m.type = 0);
	ENC_BAD(0, m.type = 7);
	ENC_BAD(0, m.hello.id_type = 3);
	ENC_BAD(0, m.hello.caps = 0x10);
	ENC_BAD(1, m.hello.suci.len = 0);
	ENC_BAD(1, m.hello.suci.len = 33);
	ENC_BAD(3, m.challenge.mode = 0);
	ENC_BAD(3, m.challenge.mode = 3);
	ENC_BAD(7, m.accept.suite = 0);
	ENC_BAD(7, m.accept.suite = 5);
	ENC_BAD(7, m.accept.ctr_bits = 24);
	ENC_BAD(8, m.reject.cause = 0);
	ENC_BAD(8, m.reject.cause = 11);
#undef ENC_BAD
	ok(all, "encoder refuses every out-of-range field (-EINVAL)");
	ok(aka_msg_encode(NULL, buf, sizeof(buf)) == -EINVAL &&
	   aka_msg_decode(buf, 3, NULL) == -EINVAL &&
	   aka_msg_decode(NULL, 0, &m) == -EPROTO,
	   "codec argument checks");
}

static void test_codec(void)
{
	struct sample s[10];
	size_t n, i;

	mk_samples(s, &n);
	for (i = 0; i < n; i++)
		test_codec_one(&s[i]);
	test_codec_layout();
	test_codec_suci_len();
	test_codec_fields();
	test_codec_encode_invalid();
}

static void test_ctrl(void)
{
	uint8_t buf[AKA_CTRL_LEN + 1];
	struct aka_ctrl c, out;
	int trunc_ok = 1, type_ok = 1, t;
	size_t l;

	for (t = AKA_CTRL_TID_ASSIGN; t <= AKA_CTRL_TID_CONFIRM; t++) {
		static const uint8_t att[4] = { 0x0a, 0x0b, 0x0c, 0x0d };

		c.type = (uint8_t)t;
		c.attempt = 0x0a0b0c0d;
		fill(c.tid, sizeof(c.tid), (uint8_t)(40 + t));
		ok(aka_ctrl_encode(&c, buf, sizeof(buf)) == AKA_CTRL_LEN &&
		   buf[0] == t && !memcmp(buf + 1, att, 4) &&
		   !memcmp(buf + 5, c.tid, AKA_TID_LEN) &&
		   aka_ctrl_decode(buf, AKA_CTRL_LEN, &out) == 0 &&
		   out.type == t && out.attempt == 0x0a0b0c0d &&
		   !memcmp(out.tid, c.tid, AKA_TID_LEN),
		   t == 1 ? "T-ID-ASSIGN: type || attempt ID || T-ID, round trip" :
			    "T-ID-CONFIRM: type || attempt ID || T-ID, round trip");
	}
	for (l = 0; l < AKA_CTRL_LEN; l++)
		if (aka_ctrl_decode(buf, l, &out) != -EPROTO)
			trunc_ok = 0;
	buf[AKA_CTRL_LEN] = 0;
	if (aka_ctrl_decode(buf, AKA_CTRL_LEN + 1, &out) != -EPROTO)
		trunc_ok = 0;
	ok(trunc_ok, "control: every truncation and a trailing octet refused");
	for (t = 0; t < 256; t++) {
		buf[0] = (uint8_t)t;
		if ((t == 1 || t == 2) !=
		    (aka_ctrl_decode(buf, AKA_CTRL_LEN, &out) == 0))
			type_ok = 0;
	}
	ok(type_ok, "control: 21 octets decode as types 1 and 2 only");
	buf[0] = AKA_CTRL_TID_CONFIRM;
	memset(buf + 1, 0, 4);
	c.type = AKA_CTRL_TID_ASSIGN;
	c.attempt = 0;
	ok(aka_ctrl_decode(buf, AKA_CTRL_LEN, &out) == -EPROTO &&
	   aka_ctrl_encode(&c, buf, sizeof(buf)) == -EINVAL,
	   "control: T-ID bodies of attempt ID 0 refused both ways");
	c.type = 5;
	ok(aka_ctrl_encode(&c, buf, sizeof(buf)) == -EINVAL,
	   "control: encoder refuses type 5");
	c.type = AKA_CTRL_TID_ASSIGN;
	c.attempt = 0x0a0b0c0d;
	ok(aka_ctrl_encode(&c, buf, AKA_CTRL_LEN - 1) == -EMSGSIZE,
	   "control: encode into 20 octets is -EMSGSIZE");
}

/* REKEY and AUTH: the control bodies of a rekey in the live SA. */
static void test_ctrl_rekey(void)
{
	static const uint8_t rekey[] = { 3, 0x12, 0x34, 0x56, 0x78 };
	uint8_t buf[AKA_CTRL_MAX + 1];
	struct aka_ctrl c, out;
	int trunc_ok = 1;
	ssize_t n;
	size_t l;

	memset(&c, 0, sizeof(c));
	c.type = AKA_CTRL_REKEY;
	c.attempt = 0x12345678;
	n = aka_ctrl_encode(&c, buf, sizeof(buf));
	ok(n == sizeof(rekey) && !memcmp(buf, rekey, sizeof(rekey)) &&
	   aka_ctrl_decode(buf, (size_t)n, &out) == 0 &&
	   out.type == AKA_CTRL_REKEY && out.attempt == 0x12345678,
	   "REKEY: type || attempt ID, round trip");
	ok(aka_ctrl_decode(buf, 4, &out) == -EPROTO &&
	   aka_ctrl_decode(buf, 6, &out) == -EPROTO,
	   "REKEY: 4 and 6 octets refused");
	c.attempt = 0;
	ok(aka_ctrl_encode(&c, buf, sizeof(buf)) == -EINVAL,
	   "REKEY: encoder refuses attempt ID 0");
	memset(buf + 1, 0, 4);
	ok(aka_ctrl_decode(buf, 5, &out) == -EPROTO,
	   "REKEY: decoder refuses attempt ID 0");

	memset(&c, 0, sizeof(c));
	c.type = AKA_CTRL_AUTH;
	c.attempt = 0xa1b2c3d4;
	c.msg.type = AKA_MSG_ACCEPT;
	c.msg.accept.sid = 0x01020304;
	c.msg.accept.suite = 4;
	c.msg.accept.ctr_bits = 32;
	n = aka_ctrl_encode(&c, buf, sizeof(buf));
	ok(n == 5 + 2 + 6 && buf[0] == 4 && buf[1] == 0xa1 && buf[4] == 0xd4 &&
	   buf[5] == AKA_MSG_ACCEPT && buf[6] == AKA_VERSION &&
	   aka_ctrl_decode(buf, (size_t)n, &out) == 0 &&
	   out.type == AKA_CTRL_AUTH && out.attempt == 0xa1b2c3d4 &&
	   out.msg.type == AKA_MSG_ACCEPT &&
	   out.msg.accept.sid == 0x01020304 && out.msg.accept.suite == 4,
	   "AUTH: type || attempt ID || ACCEPT, round trip");
	for (l = 0; l < (size_t)n; l++)
		if (aka_ctrl_decode(buf, l, &out) != -EPROTO)
			trunc_ok = 0;
	buf[n] = 0;
	if (aka_ctrl_decode(buf, (size_t)n + 1, &out) != -EPROTO)
		trunc_ok = 0;
	ok(trunc_ok, "AUTH: every truncation and a trailing octet refused");
	buf[5] = 99;
	ok(aka_ctrl_decode(buf, (size_t)n, &out) == -EPROTO &&
	   out.type == 0 && out.attempt == 0,
	   "AUTH: a malformed message inside is refused, output zeroed");
	ok(aka_ctrl_encode(&c, buf, 8) == -EMSGSIZE,
	   "AUTH: encode into too small a buffer is -EMSGSIZE");
	c.msg.type = 0;
	ok(aka_ctrl_encode(&c, buf, sizeof(buf)) == -EINVAL,
	   "AUTH: encoder refuses an invalid message");
}

static void test_cause_names(void)
{
	static const char *const want[] = {
		NULL, "unknown-identity", "bad-suci", "mac-failure",
		"sync-failure", "bad-response", "replayed-response",
		"timeout", "rate-limited", "disabled", "malformed",
	};
	int i, good = 1;

	for (i = 1; i < (int)ARRAY_LEN(want); i++) {
		const char *n = aka_cause_name((uint8_t)i);

		if (!n || strcmp(n, want[i]))
			good = 0;
	}
	ok(good, "cause names 1-10 as in the document");
	ok(!aka_cause_name(0) && !aka_cause_name(11) && !aka_cause_name(255),
	   "no name for causes 0, 11, 255");
}

/* ---- key derivation ----------------------------------------------- */

static void hmac(const uint8_t *key, size_t klen, const uint8_t *s,
		 size_t slen, uint8_t out[32])
{
	size_t outl = 0;

	EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, klen, s, slen, out,
		  32, &outl);
}

static void test_kdf_by_hand(void)
{
	uint8_t ck[16], ik[16], rn[16], rd[16], key[32], s[64], ref[32];
	uint8_t kaiotf[16], sa[AKA_SA_KEY_MAX], want[32];
	size_t len, i, p;
	char d[128];

	fill(ck, 16, 50);
	fill(ik, 16, 51);
	fill(rn, 16, 52);
	fill(rd, 16, 53);
	memcpy(key, ck, 16);
	memcpy(key + 16, ik, 16);
	p = 0;
	s[p++] = 0x70;
	memcpy(s + p, rn, 16);
	p += 16;
	s[p++] = 0;
	s[p++] = 16;
	memcpy(s + p, rd, 16);
	p += 16;
	s[p++] = 0;
	s[p++] = 16;
	memcpy(s + p, "\x12\x34\x56\x78\x00\x04\x9a\xbc\xde\xf0\x00\x04"
	       "\x0b\x00\x01", 15);
	p += 15;
	hmac(key, 32, s, p, ref);
	ok(aka_derive_kaiotf(ck, ik, rn, rd, 0x12345678, 0x9abcdef0, 0x0b,
			     kaiotf) == 0 && !memcmp(kaiotf, ref, 16),
	   "K_AIOTF = first 128 bits of HMAC(CK || IK, 0x70 || RAND_n || "
	   "0010 || RAND_d || 0010 || SID || 0004 || attempt || 0004 || "
	   "caps || 0001)");

	for (i = 0; i < NSUITES; i++) {
		uint8_t suite = suites[i];
		uint8_t kind = suite == AIOTSEC_SUITE_NIA2 ? 2 :
			       suite == AIOTSEC_SUITE_NIA2_NEA2 ? 1 : 3;

		memcpy(s, (uint8_t[]){ 0x71, kind, 0, 1, suite, 0, 1 }, 7);
		hmac(kaiotf, 16, s, 7, ref);
		memcpy(want, ref + 16, 16);
		if (suite == AIOTSEC_SUITE_NIA2_NEA2) {
			s[1] = 2;
			hmac(kaiotf, 16, s, 7, ref);
			memcpy(want + 16, ref + 16, 16);
		}
		snprintf(d, sizeof(d), "%s: SA key = %s, last 128 bits of "
			 "HMAC(K_AIOTF, 0x71 || P0 || 0001 || suite || 0001)",
			 suite_name(suite),
			 suite == AIOTSEC_SUITE_NIA2_NEA2 ? "K_enc || K_int" :
			 suite == AIOTSEC_SUITE_NIA2 ? "K_int" : "K_aead");
		ok(aka_derive_sa_key(kaiotf, suite, sa, &len) == 0 &&
		   len == suite_key_len(suite) && !memcmp(sa, want, len), d);
	}
	OPENSSL_cleanse(kaiotf, sizeof(kaiotf));
}

static void test_kdf_binding(void)
{
	uint8_t ck[16], ik[16], rn[16], rd[16], base[16], k[16];
	uint8_t keys[NSUITES][AKA_SA_KEY_MAX];
	size_t len, i, j;
	int diff = 1, all = 1;

	fill(ck, 16, 60);
	fill(ik, 16, 61);
	fill(rn, 16, 62);
	fill(rd, 16, 63);
	aka_derive_kaiotf(ck, ik, rn, rd, 1, 2, 0x0f, base);
#define DIFFERS(stmt, a, b, c, d_, e, f) DIFFERS_CAPS(stmt, a, b, c, d_, e, f, 0x0f)
#define DIFFERS_CAPS(stmt, a, b, c, d_, e, f, g) do {			\
		stmt;							\
		aka_derive_kaiotf(a, b, c, d_, e, f, g, k);		\
		if (!memcmp(k, base, 16))				\
			diff = 0;					\
		stmt;							\
	} while (0)
	DIFFERS(ck[0] ^= 1, ck, ik, rn, rd, 1, 2);
	DIFFERS(ik[15] ^= 1, ck, ik, rn, rd, 1, 2);
	DIFFERS(rn[7] ^= 1, ck, ik, rn, rd, 1, 2);
	DIFFERS(rd[8] ^= 1, ck, ik, rn, rd, 1, 2);
	DIFFERS((void)0, ck, ik, rn, rd, 3, 2);
	DIFFERS((void)0, ck, ik, rn, rd, 1, 0);
	DIFFERS((void)0, ck, ik, rd, rn, 1, 2);
	DIFFERS((void)0, ik, ck, rn, rd, 1, 2);
	DIFFERS((void)0, ck, ik, rn, rd, 2, 1);
	/* a HELLO bid down on the air: GCM and CCM cleared */
	DIFFERS_CAPS((void)0, ck, ik, rn, rd, 1, 2, 0x03);
#undef DIFFERS
#undef DIFFERS_CAPS
	ok(diff, "K_AIOTF depends on CK, IK, RAND_n, RAND_d, SID, attempt, "
	   "the capabilities and their order");

	for (i = 0; i < NSUITES; i++)
		aka_derive_sa_key(base, suites[i], keys[i], &len);
	for (i = 0; i < NSUITES; i++)
		for (j = i + 1; j < NSUITES; j++)
			if (!memcmp(keys[i], keys[j], 16))
				all = 0;
	ok(all, "the suite is bound: every suite's key differs");
	ok(memcmp(keys[0] + 16, keys[1], 16) != 0 &&
	   memcmp(keys[0], keys[0] + 16, 16) != 0,
	   "nia2-nea2 K_int differs from its K_enc and from nia2's K_int");

	ok(aka_derive_sa_key(base, 0, keys[0], &len) == -EINVAL &&
	   aka_derive_sa_key(base, 5, keys[0], &len) == -EINVAL,
	   "SA key: suites 0 and 5 refused");
	ok(aka_derive_kaiotf(ck, ik, rn, rd, 0, 2, 0, k) == -EINVAL,
	   "K_AIOTF: SID 0 refused");
	OPENSSL_cleanse(keys, sizeof(keys));
}

/* ---- SUCI ---------------------------------------------------------- */

static void test_suci(void)
{
	uint8_t hn_priv[32], hn_pub[32], eph_priv[32], x[32], pid[AKA_PID_MAX];
	uint8_t pid32[AKA_PID_MAX], plain[5], out[AKA_PID_MAX];
	struct aka_suci suci, bad, other;
	struct aka_msg hello, rx;
	size_t len;

	HEX(hn_priv, V_HN_PRIV);
	HEX(hn_pub, V_HN_PUB);
	HEX(eph_priv, V_EPH_PRIV);
	HEX(plain, V_PLAIN);

	ok(aka_suci_conceal(hn_pub, 7, plain, sizeof(plain), eph_priv,
			    &suci) == 0 && suci.key_id == 7 && suci.len == 5,
	   "SUCI: conceal the vector's PID");
	HEX(x, V_EPH_PUB);
	is_mem(suci.eph_pub, x, 32, "SUCI: ephemeral public key of the vector");
	unhex(V_CIPHER, x, 5);
	is_mem(suci.cipher, x, 5, "SUCI: ciphered PID of the vector");
	unhex(V_MAC_TAG, x, 8);
	is_mem(suci.tag, x, 8, "SUCI: MAC tag of the vector");

	len = sizeof(pid);
	ok(aka_suci_reveal(hn_priv, &suci, pid, &len) == 0 && len == 5 &&
	   !memcmp(pid, plain, 5), "SUCI: reveal gives the PID back");

	memset(&hello, 0, sizeof(hello));
	hello.type = AKA_MSG_HELLO;
	hello.hello.id_type = AKA_ID_SUCI;
	hello.hello.suci = suci;
	fill(hello.hello.rand_d, AKA_RAND_LEN, 70);
	len = sizeof(pid);
	ok(wire(&hello, &rx) == 0 && rx.hello.id_type == AKA_ID_SUCI &&
	   aka_suci_reveal(hn_priv, &rx.hello.suci, pid, &len) == 0 &&
	   len == 5 && !memcmp(pid, plain, 5),
	   "SUCI: through HELLO encode/decode, then revealed");

	bad = suci;
	bad.tag[7] ^= 1;
	len = sizeof(pid);
	ok(aka_suci_reveal(hn_priv, &bad, pid, &len) == -EBADMSG && len ==
	   sizeof(pid), "SUCI: tampered tag is -EBADMSG (bad-suci)");
	bad = suci;
	bad.cipher[0] ^= 0x80;
	ok(aka_suci_reveal(hn_priv, &bad, pid, &len) == -EBADMSG,
	   "SUCI: tampered cipher is -EBADMSG");
	bad = suci;
	bad.eph_pub[1] ^= 1;
	ok(aka_suci_reveal(hn_priv, &bad, pid, &len) == -EBADMSG,
	   "SUCI: tampered ephemeral key is -EBADMSG");
	bad = suci;
	memset(bad.eph_pub, 0, 32);
	ok(aka_suci_reveal(hn_priv, &bad, pid, &len) == -EBADMSG,
	   "SUCI: low-order ephemeral key is -EBADMSG");
	x[0] = hn_priv[0];
	hn_priv[0] ^= 0x40;
	ok(aka_suci_reveal(hn_priv, &suci, pid, &len) == -EBADMSG,
	   "SUCI: another home network key is -EBADMSG");
	hn_priv[0] = x[0];
	len = 4;
	ok(aka_suci_reveal(hn_priv, &suci, pid, &len) == -EMSGSIZE,
	   "SUCI: 4-octet PID buffer is -EMSGSIZE");

	fill(pid32, sizeof(pid32), 71);
	ok(aka_suci_conceal(hn_pub, 1, pid32, sizeof(pid32), NULL, &suci) ==
	   0 && aka_suci_conceal(hn_pub, 1, pid32, sizeof(pid32), NULL,
				 &other) == 0 &&
	   memcmp(suci.eph_pub, other.eph_pub, 32) != 0 &&
	   memcmp(suci.cipher, other.cipher, 32) != 0,
	   "SUCI: fresh ephemeral keys give unlinkable SUCIs");
	len = sizeof(out);
	ok(aka_suci_reveal(hn_priv, &other, out, &len) == 0 && len == 32 &&
	   !memcmp(out, pid32, 32), "SUCI: 32-octet PID round trip");
	ok(aka_suci_conceal(hn_pub, 1, pid32, 0, NULL, &suci) == -EINVAL &&
	   aka_suci_conceal(hn_pub, 1, pid32, 33, NULL, &suci) == -EINVAL,
	   "SUCI: PID of 0 or 33 octets refused");
}

/* ---- arguments ----------------------------------------------------- */

static void test_args(void)
{
	struct aka_dev_state st = { 0 };
	uint8_t rnd[16] = { 0 }, auts[14] = { 0 };
	struct aka_net_expect ex;
	struct aka_dev_result r;
	struct aka_msg ch;
	struct aka_cred c;
	uint64_t sqn;

	test_cred(&c, 90, AIOTSEC_PROFILE_COMMAND);
	ok(aka_net_challenge(&c, AKA_SQN_MAX + 1, rnd, AKA_MODE_MUTUAL, &ch,
			     &ex) == -EINVAL &&
	   aka_net_challenge(&c, AKA_SQN_MAX, rnd, AKA_MODE_MUTUAL, &ch,
			     &ex) == 0,
	   "challenge: SQN up to 2^48 - 1");
	ok(aka_net_challenge(&c, 1, rnd, 0, &ch, &ex) == -EINVAL &&
	   aka_net_challenge(&c, 1, rnd, 3, &ch, &ex) == -EINVAL &&
	   aka_net_challenge(NULL, 1, rnd, 1, &ch, &ex) == -EINVAL &&
	   aka_net_challenge(&c, 1, NULL, 1, &ch, &ex) == -EINVAL,
	   "challenge: bad mode or NULL refused");
	ch.type = AKA_MSG_RESPONSE;
	ok(aka_dev_answer(&c, &st, &ch, &r) == -EINVAL,
	   "device: only a CHALLENGE is answered");
	aka_net_challenge(&c, 1, rnd, AKA_MODE_MUTUAL, &ch, &ex);
	st.sqn_max = AKA_SQN_MAX + 1;
	ok(aka_dev_answer(&c, &st, &ch, &r) == -EINVAL,
	   "device: state beyond 48 bits refused");
	ok(aka_net_resync(&c, rnd, auts, NULL) == -EINVAL &&
	   aka_net_check_response(NULL, auts) == -EINVAL,
	   "resync / check: NULL refused");
	st.sqn_max = AKA_SQN_MAX;
	aka_net_challenge(&c, AKA_SQN_MAX, rnd, AKA_MODE_MUTUAL, &ch, &ex);
	ok(aka_dev_answer(&c, &st, &ch, &r) == 0 &&
	   r.reply.type == AKA_MSG_SYNC_FAILURE &&
	   aka_net_resync(&c, rnd, r.reply.sync_failure.auts, &sqn) == 0 &&
	   sqn == AKA_SQN_MAX, "SQN_D of 2^48 - 1 survives AUTS");
	OPENSSL_cleanse(&ex, sizeof(ex));
}

int main(void)
{
	test_vectors_network();
	test_vectors_device();
	test_exchanges();
	test_key_binding();
	test_wrong_key();
	test_resync();
	test_replay();
	test_tampered_auts();
	test_tampered_autn();
	test_downgrade();
	test_check_response();
	test_codec();
	test_ctrl();
	test_ctrl_rekey();
	test_cause_names();
	test_kdf_by_hand();
	test_kdf_binding();
	test_suci();
	test_args();
	return tap_done();
}
