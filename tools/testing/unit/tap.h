/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP producer for the native unit tests.  Each test program
 * includes this header, calls the check macros and returns tap_done().
 */
#ifndef AIOTSEC_TAP_H
#define AIOTSEC_TAP_H

#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <stddef.h>

static int tap_n, tap_failed;

static inline void tap_result(int pass, const char *desc)
{
	tap_n++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - %s\n", pass ? "" : "not ", tap_n, desc);
	fflush(stdout);
}

#define ok(cond, desc) tap_result(!!(cond), desc)

static inline void tap_hexdump(const char *tag, const uint8_t *p, size_t n)
{
	printf("#   %s: ", tag);
	for (size_t i = 0; i < n; i++)
		printf("%02x", p[i]);
	printf("\n");
}

/* Compare two buffers; on mismatch print both as TAP diagnostics. */
static inline void is_mem(const void *got, const void *want, size_t n,
			  const char *desc)
{
	int pass = memcmp(got, want, n) == 0;

	tap_result(pass, desc);
	if (!pass) {
		tap_hexdump("got ", got, n);
		tap_hexdump("want", want, n);
	}
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
