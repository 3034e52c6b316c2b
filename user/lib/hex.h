/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hexadecimal text and white space, shared by the programs that read
 * keys and identifiers from files.
 */
#ifndef AIOTSEC_USER_HEX_H
#define AIOTSEC_USER_HEX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The value of the hex digit @c (either case), or -1. */
int hex_digit(int c);

/* Decode the hex string @s (an even number of digits) into at most @max
 * octets of @buf; the number of octets, or -1. */
ssize_t hex_decode(const char *s, uint8_t *buf, size_t max);

/* Exactly 2 * @len hex digits into @out: 0, or -EINVAL. */
int hex_parse(const char *s, uint8_t *out, size_t len);

/*
 * Parse an unsigned decimal or 0x-prefixed hexadecimal number no larger
 * than @max (no sign, no octal).  Returns 0, -EINVAL (not a number) or
 * -ERANGE (too large).
 */
int parse_u64(const char *s, uint64_t max, uint64_t *v);

/* @s without leading and trailing white space (cut in place). */
char *str_trim(char *s);

#endif
