// SPDX-License-Identifier: GPL-2.0
/*
 * Hexadecimal text and white space.
 */

#include <ctype.h>
#include <errno.h>
#include <string.h>

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

ssize_t hex_decode(const char *s, uint8_t *buf, size_t max)
{
	size_t n = strlen(s), i;
	int hi, lo;

	if (n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n / 2; i++) {
		hi = hex_digit((unsigned char)s[2 * i]);
		lo = hex_digit((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		buf[i] = (uint8_t)(hi << 4 | lo);
	}
	return (ssize_t)(n / 2);
}

int hex_parse(const char *s, uint8_t *out, size_t len)
{
	if (strlen(s) != 2 * len || hex_decode(s, out, len) < 0)
		return -EINVAL;
	return 0;
}

char *str_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}
