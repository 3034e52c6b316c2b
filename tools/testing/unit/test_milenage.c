// SPDX-License-Identifier: GPL-2.0
/*
 * Known-answer tests for MILENAGE (user/lib/milenage.c).
 * Vectors: /work/shared/vectors/milenage.txt (TS 35.208 test set 1).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "hex.h"
#include "milenage.h"

#define V_K	"465b5ce8b199b49faa5f0a2ee238a6bc"
#define V_RAND	"23553cbe9637a89d218ae64dae47bf35"
#define V_SQN	"ff9bb4d0b607"
#define V_AMF	"b9b9"
#define V_OP	"cdc202d5123e20f62b6d676ac72cb318"
#define V_OPC	"cd63cb71954a9f4e48a5994e37a02baf"
#define V_F1	"4a9ffac354dfafb3"
#define V_F1S	"01cfaf9ec4e871e9"
#define V_F2	"a54211d5e3ba50bf"
#define V_F3	"b40ba9a3c58b2a05bbf0d987b21bf8cb"
#define V_F4	"f769bcd751044604127672711c6d3441"
#define V_F5	"aa689c648370"
#define V_F5S	"451e8beca43b"

struct mil_in {
	uint8_t k[MILENAGE_KEY_LEN];
	uint8_t op[MILENAGE_KEY_LEN];
	uint8_t opc[MILENAGE_KEY_LEN];
	uint8_t rnd[MILENAGE_RAND_LEN];
	uint8_t sqn[MILENAGE_SQN_LEN];
	uint8_t amf[MILENAGE_AMF_LEN];
};

static void load(struct mil_in *in)
{
	HEX(in->k, V_K);
	HEX(in->op, V_OP);
	HEX(in->opc, V_OPC);
	HEX(in->rnd, V_RAND);
	HEX(in->sqn, V_SQN);
	HEX(in->amf, V_AMF);
}

static void test_opc(const struct mil_in *in)
{
	uint8_t opc[MILENAGE_KEY_LEN], op[MILENAGE_KEY_LEN];

	ok(milenage_opc(in->k, in->op, opc) == 0, "milenage_opc returns 0");
	is_mem(opc, in->opc, sizeof(opc), "OPc from OP");

	memcpy(op, in->op, sizeof(op));
	milenage_opc(in->k, op, op);
	is_mem(op, in->opc, sizeof(op), "OPc from OP in place");
}

static void test_f1(const struct mil_in *in)
{
	uint8_t mac_a[MILENAGE_MAC_LEN], mac_s[MILENAGE_MAC_LEN];
	uint8_t want_a[MILENAGE_MAC_LEN], want_s[MILENAGE_MAC_LEN];

	HEX(want_a, V_F1);
	HEX(want_s, V_F1S);
	ok(milenage_f1(in->k, in->opc, in->rnd, in->sqn, in->amf, mac_a,
		       mac_s) == 0, "milenage_f1 returns 0");
	is_mem(mac_a, want_a, sizeof(mac_a), "f1 (MAC-A)");
	is_mem(mac_s, want_s, sizeof(mac_s), "f1* (MAC-S)");

	memset(mac_s, 0, sizeof(mac_s));
	milenage_f1(in->k, in->opc, in->rnd, in->sqn, in->amf, NULL, mac_s);
	is_mem(mac_s, want_s, sizeof(mac_s), "f1* alone (MAC-A not wanted)");
}

static void test_f2345(const struct mil_in *in)
{
	uint8_t res[MILENAGE_RES_LEN], ck[MILENAGE_KEY_LEN];
	uint8_t ik[MILENAGE_KEY_LEN], ak[MILENAGE_AK_LEN];
	uint8_t aks[MILENAGE_AK_LEN];
	uint8_t w_res[MILENAGE_RES_LEN], w_ck[MILENAGE_KEY_LEN];
	uint8_t w_ik[MILENAGE_KEY_LEN], w_ak[MILENAGE_AK_LEN];
	uint8_t w_aks[MILENAGE_AK_LEN];

	HEX(w_res, V_F2);
	HEX(w_ck, V_F3);
	HEX(w_ik, V_F4);
	HEX(w_ak, V_F5);
	HEX(w_aks, V_F5S);
	ok(milenage_f2345(in->k, in->opc, in->rnd, res, ck, ik, ak,
			  aks) == 0, "milenage_f2345 returns 0");
	is_mem(res, w_res, sizeof(res), "f2 (RES)");
	is_mem(ck, w_ck, sizeof(ck), "f3 (CK)");
	is_mem(ik, w_ik, sizeof(ik), "f4 (IK)");
	is_mem(ak, w_ak, sizeof(ak), "f5 (AK)");
	is_mem(aks, w_aks, sizeof(aks), "f5* (AK*)");

	memset(ak, 0, sizeof(ak));
	milenage_f2345(in->k, in->opc, in->rnd, NULL, NULL, NULL, ak, NULL);
	is_mem(ak, w_ak, sizeof(ak), "f5 alone (other outputs not wanted)");
}

/* MAC-A must depend on SQN, AMF, RAND and the key material. */
static void test_f1_negative(const struct mil_in *in)
{
	uint8_t want[MILENAGE_MAC_LEN], mac[MILENAGE_MAC_LEN];
	struct mil_in x = *in;

	HEX(want, V_F1);
	x.sqn[MILENAGE_SQN_LEN - 1] ^= 1;
	milenage_f1(x.k, x.opc, x.rnd, x.sqn, x.amf, mac, NULL);
	ok(memcmp(mac, want, sizeof(mac)), "f1: SQN off by one bit differs");

	x = *in;
	x.amf[0] ^= 0x80;
	milenage_f1(x.k, x.opc, x.rnd, x.sqn, x.amf, mac, NULL);
	ok(memcmp(mac, want, sizeof(mac)), "f1: flipped AMF bit differs");

	x = *in;
	x.rnd[7] ^= 0x10;
	milenage_f1(x.k, x.opc, x.rnd, x.sqn, x.amf, mac, NULL);
	ok(memcmp(mac, want, sizeof(mac)), "f1: flipped RAND bit differs");

	milenage_f1(in->k, in->op, in->rnd, in->sqn, in->amf, mac, NULL);
	ok(memcmp(mac, want, sizeof(mac)), "f1: OP used as OPc differs");
}

static void test_args(const struct mil_in *in)
{
	uint8_t mac[MILENAGE_MAC_LEN], res[MILENAGE_RES_LEN];
	uint8_t opc[MILENAGE_KEY_LEN];

	ok(milenage_f1(in->k, in->opc, in->rnd, NULL, in->amf, mac,
		       NULL) == -EINVAL, "f1 rejects a NULL SQN");
	ok(milenage_f2345(NULL, in->opc, in->rnd, res, NULL, NULL, NULL,
			  NULL) == -EINVAL, "f2345 rejects a NULL K");
	ok(milenage_opc(in->k, NULL, opc) == -EINVAL,
	   "opc rejects a NULL OP");
}

int main(void)
{
	struct mil_in in;

	load(&in);
	test_opc(&in);
	test_f1(&in);
	test_f2345(&in);
	test_f1_negative(&in);
	test_args(&in);
	return tap_done();
}
