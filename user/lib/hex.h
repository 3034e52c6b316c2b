/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hexadecimal digits, shared by the programs that read keys and
 * identifiers as hex text.
 */
#ifndef AIOTSEC_USER_HEX_H
#define AIOTSEC_USER_HEX_H

/* The value of the hex digit @c (either case), or -1. */
int hex_digit(int c);

#endif
