// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec authentication and key agreement (Documentation/protocol.rst):
 * message codecs, MILENAGE-based one-way and mutual AKA, resynchronisation,
 * key derivation and SUCI.  Pure logic on milenage.c, kdf.c and ecies.c.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>

#include <linux/aiotsec.h>

#include "aka.h"
#include "ecies.h"
#include "kdf.h"
#include "milenage.h"

#define AKA_SQN_LEN	MILENAGE_SQN_LEN
#define AKA_MAC_LEN	MILENAGE_MAC_LEN
#define AKA_AK_LEN	MILENAGE_AK_LEN

/* AUTN: (SQN xor AK) || AMF || MAC-A */
#define AUTN_SQN	0
#define AUTN_AMF	(AUTN_SQN + AKA_SQN_LEN)
#define AUTN_MAC	(AUTN_AMF + AKA_AMF_LEN)
/* AUTS: (SQN_D xor AK*) || MAC-S */
#define AUTS_SQN	0
#define AUTS_MAC	(AUTS_SQN + AKA_SQN_LEN)

/* ---- helpers ------------------------------------------------------ */

static void put_be48(uint8_t *p, uint64_t v)
{
	int i;

	for (i = AKA_SQN_LEN - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get_be48(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < AKA_SQN_LEN; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void xor_into(uint8_t *dst, const uint8_t *a, const uint8_t *b,
		     size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = a[i] ^ b[i];
}

/* ---- message validation ------------------------------------------- */

static bool suite_valid(uint8_t suite)
{
	return suite >= AIOTSEC_SUITE_NIA2_NEA2 && suite <= AIOTSEC_SUITE_MAX;
}

static bool hello_valid(const struct aka_hello *h)
{
	if (h->caps & ~AKA_CAP_ALL)
		return false;
	if (h->id_type == AKA_ID_TID)
		return true;
	return h->id_type == AKA_ID_SUCI && h->suci.len >= 1 &&
	       h->suci.len <= AKA_PID_MAX;
}

static bool msg_valid(const struct aka_msg *m)
{
	switch (m->type) {
	case AKA_MSG_HELLO:
		return hello_valid(&m->hello);
	case AKA_MSG_CHALLENGE:
		return m->challenge.mode == AKA_MODE_ONE_WAY ||
		       m->challenge.mode == AKA_MODE_MUTUAL;
	case AKA_MSG_RESPONSE:
	case AKA_MSG_SYNC_FAILURE:
		return true;
	case AKA_MSG_ACCEPT:
		return m->accept.sid != 0 && suite_valid(m->accept.suite) &&
		       (m->accept.ctr_bits == 16 || m->accept.ctr_bits == 32);
	case AKA_MSG_REJECT:
		return m->reject.cause >= 1 && m->reject.cause <= AKA_CAUSE_MAX;
	default:
		return false;
	}
}

/* ---- writer and reader -------------------------------------------- */

struct aka_wr {
	uint8_t *p;
	size_t off;
};

static void wr_mem(struct aka_wr *w, const void *src, size_t n)
{
	memcpy(w->p + w->off, src, n);
	w->off += n;
}

static void wr_u8(struct aka_wr *w, uint8_t v)
{
	w->p[w->off++] = v;
}

static void wr_be32(struct aka_wr *w, uint32_t v)
{
	put_be32(w->p + w->off, v);
	w->off += 4;
}

/* A reader that fails sticky once it runs past the end. */
struct aka_rd {
	const uint8_t *p;
	size_t len, off;
	bool bad;
};

static const uint8_t *rd_take(struct aka_rd *r, size_t n)
{
	const uint8_t *q;

	if (r->bad || r->len - r->off < n) {
		r->bad = true;
		return NULL;
	}
	q = r->p + r->off;
	r->off += n;
	return q;
}

static void rd_mem(struct aka_rd *r, void *dst, size_t n)
{
	const uint8_t *q = rd_take(r, n);

	if (q)
		memcpy(dst, q, n);
}

static uint8_t rd_u8(struct aka_rd *r)
{
	const uint8_t *q = rd_take(r, 1);

	return q ? *q : 0;
}

static uint32_t rd_be32(struct aka_rd *r)
{
	const uint8_t *q = rd_take(r, 4);

	return q ? get_be32(q) : 0;
}

/* ---- auth messages ------------------------------------------------ */

static size_t suci_len(const struct aka_suci *s)
{
	return 1 + AKA_HN_KEY_LEN + 1 + s->len + AKA_SUCI_TAG_LEN;
}

/* Body length of a valid message. */
static size_t msg_len(const struct aka_msg *m)
{
	const struct aka_hello *h = &m->hello;

	switch (m->type) {
	case AKA_MSG_HELLO:
		return 2 + 1 + (h->id_type == AKA_ID_TID ? AKA_TID_LEN :
				suci_len(&h->suci)) + AKA_RAND_LEN + 1;
	case AKA_MSG_CHALLENGE:
		return 2 + 1 + AKA_RAND_LEN +
		       (m->challenge.mode == AKA_MODE_MUTUAL ? AKA_AUTN_LEN : 0);
	case AKA_MSG_RESPONSE:
		return 2 + AKA_RES_LEN;
	case AKA_MSG_SYNC_FAILURE:
		return 2 + AKA_AUTS_LEN;
	case AKA_MSG_ACCEPT:
		return 2 + 4 + 1 + 1;
	default:	/* AKA_MSG_REJECT */
		return 2 + 1;
	}
}

static void wr_suci(struct aka_wr *w, const struct aka_suci *s)
{
	wr_u8(w, s->key_id);
	wr_mem(w, s->eph_pub, AKA_HN_KEY_LEN);
	wr_u8(w, s->len);
	wr_mem(w, s->cipher, s->len);
	wr_mem(w, s->tag, AKA_SUCI_TAG_LEN);
}

static void wr_hello(struct aka_wr *w, const struct aka_hello *h)
{
	wr_u8(w, h->id_type);
	if (h->id_type == AKA_ID_TID)
		wr_mem(w, h->tid, AKA_TID_LEN);
	else
		wr_suci(w, &h->suci);
	wr_mem(w, h->rand_d, AKA_RAND_LEN);
	wr_u8(w, h->caps);
}

static void wr_body(struct aka_wr *w, const struct aka_msg *m)
{
	switch (m->type) {
	case AKA_MSG_HELLO:
		wr_hello(w, &m->hello);
		break;
	case AKA_MSG_CHALLENGE:
		wr_u8(w, m->challenge.mode);
		wr_mem(w, m->challenge.rand_n, AKA_RAND_LEN);
		if (m->challenge.mode == AKA_MODE_MUTUAL)
			wr_mem(w, m->challenge.autn, AKA_AUTN_LEN);
		break;
	case AKA_MSG_RESPONSE:
		wr_mem(w, m->response.res, AKA_RES_LEN);
		break;
	case AKA_MSG_SYNC_FAILURE:
		wr_mem(w, m->sync_failure.auts, AKA_AUTS_LEN);
		break;
	case AKA_MSG_ACCEPT:
		wr_be32(w, m->accept.sid);
		wr_u8(w, m->accept.suite);
		wr_u8(w, m->accept.ctr_bits);
		break;
	default:	/* AKA_MSG_REJECT */
		wr_u8(w, m->reject.cause);
		break;
	}
}

ssize_t aka_msg_encode(const struct aka_msg *m, uint8_t *buf, size_t size)
{
	struct aka_wr w = { .p = buf };
	size_t len;

	if (!m || !buf || !msg_valid(m))
		return -EINVAL;
	len = msg_len(m);
	if (size < len)
		return -EMSGSIZE;
	wr_u8(&w, m->type);
	wr_u8(&w, AKA_VERSION);
	wr_body(&w, m);
	return (ssize_t)w.off;
}

static void rd_suci(struct aka_rd *r, struct aka_suci *s)
{
	s->key_id = rd_u8(r);
	rd_mem(r, s->eph_pub, AKA_HN_KEY_LEN);
	s->len = rd_u8(r);
	if (s->len < 1 || s->len > AKA_PID_MAX) {
		r->bad = true;
		return;
	}
	rd_mem(r, s->cipher, s->len);
	rd_mem(r, s->tag, AKA_SUCI_TAG_LEN);
}

static void rd_hello(struct aka_rd *r, struct aka_hello *h)
{
	h->id_type = rd_u8(r);
	if (h->id_type == AKA_ID_TID)
		rd_mem(r, h->tid, AKA_TID_LEN);
	else if (h->id_type == AKA_ID_SUCI)
		rd_suci(r, &h->suci);
	else
		r->bad = true;
	rd_mem(r, h->rand_d, AKA_RAND_LEN);
	h->caps = rd_u8(r);
}

static void rd_challenge(struct aka_rd *r, struct aka_challenge *c)
{
	c->mode = rd_u8(r);
	rd_mem(r, c->rand_n, AKA_RAND_LEN);
	if (c->mode == AKA_MODE_MUTUAL)
		rd_mem(r, c->autn, AKA_AUTN_LEN);
}

static void rd_body(struct aka_rd *r, struct aka_msg *m)
{
	switch (m->type) {
	case AKA_MSG_HELLO:
		rd_hello(r, &m->hello);
		break;
	case AKA_MSG_CHALLENGE:
		rd_challenge(r, &m->challenge);
		break;
	case AKA_MSG_RESPONSE:
		rd_mem(r, m->response.res, AKA_RES_LEN);
		break;
	case AKA_MSG_SYNC_FAILURE:
		rd_mem(r, m->sync_failure.auts, AKA_AUTS_LEN);
		break;
	case AKA_MSG_ACCEPT:
		m->accept.sid = rd_be32(r);
		m->accept.suite = rd_u8(r);
		m->accept.ctr_bits = rd_u8(r);
		break;
	case AKA_MSG_REJECT:
		m->reject.cause = rd_u8(r);
		break;
	default:
		r->bad = true;
		break;
	}
}

int aka_msg_decode(const uint8_t *buf, size_t len, struct aka_msg *m)
{
	struct aka_rd r = { .p = buf, .len = len };

	if (!m || (!buf && len))
		return -EINVAL;
	memset(m, 0, sizeof(*m));
	m->type = rd_u8(&r);
	if (rd_u8(&r) != AKA_VERSION)
		r.bad = true;
	if (!r.bad)
		rd_body(&r, m);
	if (r.bad || r.off != len || !msg_valid(m)) {
		memset(m, 0, sizeof(*m));
		return -EPROTO;
	}
	return 0;
}

/* ---- control bodies ----------------------------------------------- */

ssize_t aka_ctrl_encode(const struct aka_ctrl *c, uint8_t *buf, size_t size)
{
	ssize_t n;

	if (!c || !buf)
		return -EINVAL;
	switch (c->type) {
	case AKA_CTRL_TID_ASSIGN:
	case AKA_CTRL_TID_CONFIRM:
		if (!c->attempt)	/* no attempt has ID 0 */
			return -EINVAL;
		if (size < AKA_CTRL_LEN)
			return -EMSGSIZE;
		buf[0] = c->type;
		put_be32(buf + 1, c->attempt);
		memcpy(buf + 5, c->tid, AKA_TID_LEN);
		return AKA_CTRL_LEN;
	case AKA_CTRL_REKEY:
	case AKA_CTRL_AUTH:
		if (!c->attempt)
			return -EINVAL;
		if (size < AKA_CTRL_REKEY_LEN)
			return -EMSGSIZE;
		buf[0] = c->type;
		put_be32(buf + 1, c->attempt);
		if (c->type == AKA_CTRL_REKEY)
			return AKA_CTRL_REKEY_LEN;
		n = aka_msg_encode(&c->msg, buf + AKA_CTRL_REKEY_LEN,
				   size - AKA_CTRL_REKEY_LEN);
		return n < 0 ? n : n + AKA_CTRL_REKEY_LEN;
	}
	return -EINVAL;
}

int aka_ctrl_decode(const uint8_t *buf, size_t len, struct aka_ctrl *c)
{
	if (!c || (!buf && len))
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	if (!len)
		return -EPROTO;
	switch (buf[0]) {
	case AKA_CTRL_TID_ASSIGN:
	case AKA_CTRL_TID_CONFIRM:
		if (len != AKA_CTRL_LEN || !get_be32(buf + 1))
			return -EPROTO;
		c->attempt = get_be32(buf + 1);
		memcpy(c->tid, buf + 5, AKA_TID_LEN);
		break;
	case AKA_CTRL_REKEY:
	case AKA_CTRL_AUTH:
		if (len < AKA_CTRL_REKEY_LEN ||
		    (buf[0] == AKA_CTRL_REKEY && len != AKA_CTRL_REKEY_LEN))
			return -EPROTO;
		c->attempt = get_be32(buf + 1);
		if (!c->attempt)
			return -EPROTO;
		if (buf[0] == AKA_CTRL_AUTH &&
		    aka_msg_decode(buf + AKA_CTRL_REKEY_LEN,
				   len - AKA_CTRL_REKEY_LEN, &c->msg)) {
			c->attempt = 0;
			return -EPROTO;
		}
		break;
	default:
		return -EPROTO;
	}
	c->type = buf[0];
	return 0;
}

static const char *const aka_cause_names[] = {
	[AKA_CAUSE_UNKNOWN_IDENTITY]	= "unknown-identity",
	[AKA_CAUSE_BAD_SUCI]		= "bad-suci",
	[AKA_CAUSE_MAC_FAILURE]		= "mac-failure",
	[AKA_CAUSE_SYNC_FAILURE]	= "sync-failure",
	[AKA_CAUSE_BAD_RESPONSE]	= "bad-response",
	[AKA_CAUSE_REPLAYED_RESPONSE]	= "replayed-response",
	[AKA_CAUSE_TIMEOUT]		= "timeout",
	[AKA_CAUSE_RATE_LIMITED]	= "rate-limited",
	[AKA_CAUSE_DISABLED]		= "disabled",
	[AKA_CAUSE_MALFORMED]		= "malformed",
};

const char *aka_cause_name(uint8_t cause)
{
	if (cause >= sizeof(aka_cause_names) / sizeof(aka_cause_names[0]))
		return NULL;
	return aka_cause_names[cause];
}

/* ---- network side ------------------------------------------------- */

uint8_t aka_net_mode(uint8_t profile, uint8_t caps)
{
	if (profile == AIOTSEC_PROFILE_COMMAND || (caps & AKA_CAP_MUTUAL))
		return AKA_MODE_MUTUAL;
	return AKA_MODE_ONE_WAY;
}

/* AUTN = (SQN xor AK) || AMF || MAC-A */
static int net_autn(const struct aka_cred *cred, uint64_t sqn,
		    const uint8_t rand_n[AKA_RAND_LEN],
		    const uint8_t ak[AKA_AK_LEN], uint8_t autn[AKA_AUTN_LEN])
{
	uint8_t sqn_be[AKA_SQN_LEN];
	int ret;

	put_be48(sqn_be, sqn);
	ret = milenage_f1(cred->k, cred->opc, rand_n, sqn_be, cred->amf,
			  autn + AUTN_MAC, NULL);
	xor_into(autn + AUTN_SQN, sqn_be, ak, AKA_SQN_LEN);
	memcpy(autn + AUTN_AMF, cred->amf, AKA_AMF_LEN);
	OPENSSL_cleanse(sqn_be, sizeof(sqn_be));
	return ret;
}

static bool mode_valid(uint8_t mode)
{
	return mode == AKA_MODE_ONE_WAY || mode == AKA_MODE_MUTUAL;
}

int aka_net_challenge(const struct aka_cred *cred, uint64_t sqn,
		      const uint8_t rand_n[AKA_RAND_LEN], uint8_t mode,
		      struct aka_msg *challenge,
		      struct aka_net_expect *expect)
{
	uint8_t ak[AKA_AK_LEN], rnd[AKA_RAND_LEN];
	struct aka_challenge *c;
	int ret;

	if (!cred || !rand_n || !challenge || !expect || !mode_valid(mode) ||
	    (mode == AKA_MODE_MUTUAL && sqn > AKA_SQN_MAX))
		return -EINVAL;
	memcpy(rnd, rand_n, AKA_RAND_LEN);	/* may point into @challenge */
	rand_n = rnd;
	memset(challenge, 0, sizeof(*challenge));
	memset(expect, 0, sizeof(*expect));
	challenge->type = AKA_MSG_CHALLENGE;
	c = &challenge->challenge;
	c->mode = mode;
	memcpy(c->rand_n, rand_n, AKA_RAND_LEN);

	ret = milenage_f2345(cred->k, cred->opc, rand_n, expect->xres,
			     expect->ck, expect->ik, ak, NULL);
	if (!ret && mode == AKA_MODE_MUTUAL)
		ret = net_autn(cred, sqn, rand_n, ak, c->autn);
	OPENSSL_cleanse(ak, sizeof(ak));
	if (ret) {
		OPENSSL_cleanse(expect, sizeof(*expect));
		memset(challenge, 0, sizeof(*challenge));
		return ret;
	}
	expect->mode = mode;
	expect->sqn = mode == AKA_MODE_MUTUAL ? sqn : 0;
	memcpy(expect->rand_n, rand_n, AKA_RAND_LEN);
	return 0;
}

int aka_net_check_response(const struct aka_net_expect *expect,
			   const uint8_t res[AKA_RES_LEN])
{
	if (!expect || !res)
		return -EINVAL;
	return CRYPTO_memcmp(expect->xres, res, AKA_RES_LEN) ? -EBADMSG : 0;
}

static const uint8_t aka_amf_resync[AKA_AMF_LEN];	/* 0000 */

int aka_net_resync(const struct aka_cred *cred,
		   const uint8_t rand_n[AKA_RAND_LEN],
		   const uint8_t auts[AKA_AUTS_LEN], uint64_t *sqn_d)
{
	uint8_t ak_star[AKA_AK_LEN], sqn_be[AKA_SQN_LEN];
	uint8_t mac_s[AKA_MAC_LEN];
	int ret;

	if (!cred || !rand_n || !auts || !sqn_d)
		return -EINVAL;
	ret = milenage_f2345(cred->k, cred->opc, rand_n, NULL, NULL, NULL,
			     NULL, ak_star);
	if (!ret) {
		xor_into(sqn_be, auts + AUTS_SQN, ak_star, AKA_SQN_LEN);
		ret = milenage_f1(cred->k, cred->opc, rand_n, sqn_be,
				  aka_amf_resync, NULL, mac_s);
	}
	if (!ret && CRYPTO_memcmp(mac_s, auts + AUTS_MAC, AKA_MAC_LEN))
		ret = -EBADMSG;
	if (!ret)
		*sqn_d = get_be48(sqn_be);
	OPENSSL_cleanse(ak_star, sizeof(ak_star));
	OPENSSL_cleanse(sqn_be, sizeof(sqn_be));
	OPENSSL_cleanse(mac_s, sizeof(mac_s));
	return ret;
}

/* ---- device side -------------------------------------------------- */

static void dev_reject(struct aka_dev_result *r, uint8_t cause)
{
	OPENSSL_cleanse(r, sizeof(*r));
	r->reply.type = AKA_MSG_REJECT;
	r->reply.reject.cause = cause;
}

/* SQN > highest accepted and at most 2^28 above it. */
static bool sqn_fresh(uint64_t sqn, uint64_t sqn_max)
{
	return sqn > sqn_max && sqn - sqn_max <= AKA_SQN_AHEAD_MAX;
}

/* AUTS = (SQN_D xor AK*) || f1*(K, SQN_D, RAND_n, AMF = 0000) */
static int dev_sync_failure(const struct aka_cred *cred,
			    const struct aka_dev_state *state,
			    const uint8_t rand_n[AKA_RAND_LEN],
			    const uint8_t ak_star[AKA_AK_LEN],
			    struct aka_dev_result *r)
{
	uint8_t *auts = r->reply.sync_failure.auts;
	uint8_t sqn_be[AKA_SQN_LEN];
	int ret;

	OPENSSL_cleanse(r, sizeof(*r));
	r->reply.type = AKA_MSG_SYNC_FAILURE;
	put_be48(sqn_be, state->sqn_max);
	ret = milenage_f1(cred->k, cred->opc, rand_n, sqn_be, aka_amf_resync,
			  NULL, auts + AUTS_MAC);
	xor_into(auts + AUTS_SQN, sqn_be, ak_star, AKA_SQN_LEN);
	OPENSSL_cleanse(sqn_be, sizeof(sqn_be));
	return ret;
}

/*
 * Mutual: recover SQN from AUTN, check MAC-A, then freshness.  On entry
 * @r holds RES, CK, IK; returns with the reply set.
 */
static int dev_check_autn(const struct aka_cred *cred,
			  struct aka_dev_state *state,
			  const struct aka_challenge *c,
			  const uint8_t ak[AKA_AK_LEN],
			  const uint8_t ak_star[AKA_AK_LEN],
			  struct aka_dev_result *r)
{
	uint8_t sqn_be[AKA_SQN_LEN], mac_a[AKA_MAC_LEN];
	uint64_t sqn;
	int ret;

	xor_into(sqn_be, c->autn + AUTN_SQN, ak, AKA_SQN_LEN);
	ret = milenage_f1(cred->k, cred->opc, c->rand_n, sqn_be,
			  c->autn + AUTN_AMF, mac_a, NULL);
	sqn = get_be48(sqn_be);
	OPENSSL_cleanse(sqn_be, sizeof(sqn_be));
	if (ret)
		goto out;
	if (CRYPTO_memcmp(mac_a, c->autn + AUTN_MAC, AKA_MAC_LEN)) {
		dev_reject(r, AKA_CAUSE_MAC_FAILURE);
	} else if (!sqn_fresh(sqn, state->sqn_max)) {
		ret = dev_sync_failure(cred, state, c->rand_n, ak_star, r);
	} else {
		state->sqn_max = sqn;
		r->sqn = sqn;
	}
out:
	OPENSSL_cleanse(mac_a, sizeof(mac_a));
	return ret;
}

static bool dev_refuses_one_way(const struct aka_cred *cred,
				const struct aka_dev_state *state)
{
	return cred->profile == AIOTSEC_PROFILE_COMMAND ||
	       state->require_mutual;
}

int aka_dev_answer(const struct aka_cred *cred, struct aka_dev_state *state,
		   const struct aka_msg *challenge,
		   struct aka_dev_result *result)
{
	uint8_t ak[AKA_AK_LEN], ak_star[AKA_AK_LEN];
	const struct aka_challenge *c;
	int ret;

	if (!cred || !state || !challenge || !result ||
	    challenge->type != AKA_MSG_CHALLENGE ||
	    !mode_valid(challenge->challenge.mode) ||
	    state->sqn_max > AKA_SQN_MAX)
		return -EINVAL;
	c = &challenge->challenge;
	memset(result, 0, sizeof(*result));
	if (c->mode == AKA_MODE_ONE_WAY && dev_refuses_one_way(cred, state)) {
		dev_reject(result, AKA_CAUSE_MAC_FAILURE);
		return 0;
	}

	result->reply.type = AKA_MSG_RESPONSE;
	ret = milenage_f2345(cred->k, cred->opc, c->rand_n, result->res,
			     result->ck, result->ik, ak, ak_star);
	if (!ret && c->mode == AKA_MODE_MUTUAL)
		ret = dev_check_autn(cred, state, c, ak, ak_star, result);
	if (!ret && result->reply.type == AKA_MSG_RESPONSE)
		memcpy(result->reply.response.res, result->res, AKA_RES_LEN);
	OPENSSL_cleanse(ak, sizeof(ak));
	OPENSSL_cleanse(ak_star, sizeof(ak_star));
	if (ret)
		OPENSSL_cleanse(result, sizeof(*result));
	return ret;
}

/* ---- keys --------------------------------------------------------- */

int aka_derive_kaiotf(const uint8_t ck[AKA_KEY_LEN],
		      const uint8_t ik[AKA_KEY_LEN],
		      const uint8_t rand_n[AKA_RAND_LEN],
		      const uint8_t rand_d[AKA_RAND_LEN], uint32_t sid,
		      uint32_t attempt, uint8_t caps,
		      uint8_t out[AKA_KAIOTF_LEN])
{
	uint8_t key[2 * AKA_KEY_LEN], full[KDF_OUT_LEN];
	uint8_t sid_be[4], att_be[4];
	const struct kdf_param prm[] = {
		{ rand_n, AKA_RAND_LEN },
		{ rand_d, AKA_RAND_LEN },
		{ sid_be, sizeof(sid_be) },
		{ att_be, sizeof(att_be) },
		{ &caps, 1 },
	};
	int ret;

	if (!ck || !ik || !rand_n || !rand_d || !out || !sid)
		return -EINVAL;
	memcpy(key, ck, AKA_KEY_LEN);
	memcpy(key + AKA_KEY_LEN, ik, AKA_KEY_LEN);
	put_be32(sid_be, sid);
	put_be32(att_be, attempt);
	ret = kdf_3gpp(key, sizeof(key), AKA_FC_KAIOTF, prm,
		       sizeof(prm) / sizeof(prm[0]), full);
	if (!ret)
		memcpy(out, full, AKA_KAIOTF_LEN);	/* first 128 bits */
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(full, sizeof(full));
	return ret;
}

/* Algorithm distinguishers, P0 of the SA key derivation. */
enum aka_key_kind {
	AKA_KEY_ENC = 0x01,
	AKA_KEY_INT = 0x02,
	AKA_KEY_AEAD = 0x03,
};

/* Last 128 bits of KDF(K_AIOTF, 0x71, P0 = @kind, P1 = @suite). */
static int derive_part(const uint8_t kaiotf[AKA_KAIOTF_LEN], uint8_t kind,
		       uint8_t suite, uint8_t out[16])
{
	const struct kdf_param prm[] = {
		{ &kind, 1 },
		{ &suite, 1 },
	};
	uint8_t full[KDF_OUT_LEN];
	int ret;

	ret = kdf_3gpp(kaiotf, AKA_KAIOTF_LEN, AKA_FC_SA_KEY, prm, 2, full);
	if (!ret)
		memcpy(out, full + KDF_OUT_LEN - 16, 16);
	OPENSSL_cleanse(full, sizeof(full));
	return ret;
}

int aka_derive_sa_key(const uint8_t kaiotf[AKA_KAIOTF_LEN], uint8_t suite,
		      uint8_t out[AKA_SA_KEY_MAX], size_t *len)
{
	int ret;

	if (!kaiotf || !out || !len || !suite_valid(suite))
		return -EINVAL;
	switch (suite) {
	case AIOTSEC_SUITE_NIA2_NEA2:
		ret = derive_part(kaiotf, AKA_KEY_ENC, suite, out);
		if (!ret)
			ret = derive_part(kaiotf, AKA_KEY_INT, suite, out + 16);
		*len = 32;
		break;
	case AIOTSEC_SUITE_NIA2:
		ret = derive_part(kaiotf, AKA_KEY_INT, suite, out);
		*len = 16;
		break;
	default:	/* AES-CCM, AES-GCM */
		ret = derive_part(kaiotf, AKA_KEY_AEAD, suite, out);
		*len = 16;
		break;
	}
	if (ret) {
		OPENSSL_cleanse(out, AKA_SA_KEY_MAX);
		*len = 0;
	}
	return ret;
}

/* ---- SUCI --------------------------------------------------------- */

int aka_suci_conceal(const uint8_t hn_pub[AKA_HN_KEY_LEN], uint8_t key_id,
		     const uint8_t *pid, size_t pidlen,
		     const uint8_t *eph_priv, struct aka_suci *suci)
{
	int ret;

	if (!hn_pub || !pid || !suci || pidlen < 1 || pidlen > AKA_PID_MAX)
		return -EINVAL;
	memset(suci, 0, sizeof(*suci));
	ret = ecies_a_encrypt(hn_pub, eph_priv, pid, pidlen, suci->eph_pub,
			      suci->cipher, suci->tag);
	if (ret) {
		memset(suci, 0, sizeof(*suci));
		return ret;
	}
	suci->key_id = key_id;
	suci->len = (uint8_t)pidlen;
	return 0;
}

int aka_suci_reveal(const uint8_t hn_priv[AKA_HN_KEY_LEN],
		    const struct aka_suci *suci, uint8_t *pid,
		    size_t *pidlen)
{
	uint8_t plain[AKA_PID_MAX];
	int ret;

	if (!hn_priv || !suci || !pid || !pidlen || suci->len < 1 ||
	    suci->len > AKA_PID_MAX)
		return -EINVAL;
	if (*pidlen < suci->len)
		return -EMSGSIZE;
	ret = ecies_a_decrypt(hn_priv, suci->eph_pub, suci->cipher, suci->len,
			      suci->tag, plain);
	/* The arguments are valid: -EINVAL means an unusable eph_pub. */
	if (ret == -EINVAL)
		ret = -EBADMSG;
	if (!ret) {
		memcpy(pid, plain, suci->len);
		*pidlen = suci->len;
	}
	OPENSSL_cleanse(plain, sizeof(plain));
	return ret;
}
