/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MILENAGE authentication and key generation functions, TS 35.206.
 *
 * All functions return 0, -EINVAL on a missing input, or -ENOMEM / -EIO
 * on a libcrypto failure.  Output pointers may be NULL when the caller
 * does not need that value.
 */
#ifndef AIOTSEC_USER_MILENAGE_H
#define AIOTSEC_USER_MILENAGE_H

#include <stdint.h>

#define MILENAGE_KEY_LEN	16	/* K, OP, OPc, CK, IK */
#define MILENAGE_RAND_LEN	16
#define MILENAGE_SQN_LEN	6
#define MILENAGE_AMF_LEN	2
#define MILENAGE_MAC_LEN	8	/* MAC-A (f1), MAC-S (f1*) */
#define MILENAGE_RES_LEN	8	/* RES (f2) */
#define MILENAGE_AK_LEN		6	/* AK (f5), AK* (f5*) */

/* OPc = E_K(OP) xor OP */
int milenage_opc(const uint8_t k[MILENAGE_KEY_LEN],
		 const uint8_t op[MILENAGE_KEY_LEN],
		 uint8_t opc[MILENAGE_KEY_LEN]);

/* f1 (network authentication, MAC-A) and f1* (resync, MAC-S). */
int milenage_f1(const uint8_t k[MILENAGE_KEY_LEN],
		const uint8_t opc[MILENAGE_KEY_LEN],
		const uint8_t rnd[MILENAGE_RAND_LEN],
		const uint8_t sqn[MILENAGE_SQN_LEN],
		const uint8_t amf[MILENAGE_AMF_LEN],
		uint8_t mac_a[MILENAGE_MAC_LEN],
		uint8_t mac_s[MILENAGE_MAC_LEN]);

/* f2 (RES), f3 (CK), f4 (IK), f5 (AK) and f5* (resync AK). */
int milenage_f2345(const uint8_t k[MILENAGE_KEY_LEN],
		   const uint8_t opc[MILENAGE_KEY_LEN],
		   const uint8_t rnd[MILENAGE_RAND_LEN],
		   uint8_t res[MILENAGE_RES_LEN],
		   uint8_t ck[MILENAGE_KEY_LEN],
		   uint8_t ik[MILENAGE_KEY_LEN],
		   uint8_t ak[MILENAGE_AK_LEN],
		   uint8_t ak_star[MILENAGE_AK_LEN]);

#endif /* AIOTSEC_USER_MILENAGE_H */
