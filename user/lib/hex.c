// SPDX-License-Identifier: GPL-2.0
/*
 * Hexadecimal digits.
 */

#include <ctype.h>

#include "hex.h"

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}
