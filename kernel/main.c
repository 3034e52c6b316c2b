// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: network-side security for the 3GPP Ambient IoT air interface.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "aiotsec.h"

static int __init aiotsec_init(void)
{
	int err;

	err = aiotsec_crypto_init();
	if (err)
		return err;
	err = aiotsec_selftest();
	if (err)
		goto err_crypto;
	err = aiotsec_sa_init();
	if (err)
		goto err_crypto;
	/*
	 * The family first and gone last: a link notifies its multicast
	 * groups, whose numbers the family's registration assigns.
	 */
	err = aiotsec_genl_init();
	if (err)
		goto err_sa;
	err = aiotsec_device_init();
	if (err)
		goto err_genl;
	return 0;

err_genl:
	aiotsec_genl_exit();
err_sa:
	aiotsec_sa_exit();
err_crypto:
	aiotsec_crypto_exit();
	return err;
}

static void __exit aiotsec_exit(void)
{
	aiotsec_device_exit();
	aiotsec_genl_exit();
	aiotsec_sa_exit();
	aiotsec_crypto_exit();
}

module_init(aiotsec_init);
module_exit(aiotsec_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Network-side security for the 3GPP Ambient IoT air interface");
MODULE_AUTHOR("The aiotsec developers");
