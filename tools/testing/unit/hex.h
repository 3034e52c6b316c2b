/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hex helpers for the native unit tests: test vectors are written in the
 * sources as the hex strings of the specifications and decoded here.
 * A malformed vector is a bug in the test, so it aborts with a TAP
 * "Bail out!" line rather than failing a single check.
 */
#ifndef AIOTSEC_UNIT_HEX_H
#define AIOTSEC_UNIT_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode @s into at most @max octets.  Returns the number of octets, or
 * -1 if @s has an odd length, a non-hex character or does not fit.
 */
static inline long hex_decode(const char *s, uint8_t *out, size_t max)
{
	size_t len = strlen(s), i;

	if (len % 2 || len / 2 > max)
		return -1;
	for (i = 0; i < len / 2; i++) {
		int hi = hex_nibble(s[2 * i]);
		int lo = hex_nibble(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(len / 2);
}

/* Decode @s into exactly @len octets or bail out of the test program. */
static inline void unhex(const char *s, uint8_t *out, size_t len)
{
	if (hex_decode(s, out, len) != (long)len) {
		printf("Bail out! bad hex vector (want %zu octets): %s\n",
		       len, s);
		exit(255);
	}
}

/* Fill a fixed-size array from a hex string of exactly its size. */
#define HEX(arr, s)	unhex((s), (arr), sizeof(arr))

#endif /* AIOTSEC_UNIT_HEX_H */
