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

int parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	unsigned int base = 10;
	uint64_t n = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		d = hex_digit((unsigned char)*s);
		if (d < 0 || (unsigned int)d >= base)
			return -EINVAL;
		if (n > (UINT64_MAX - d) / base)
			return -ERANGE;
		n = n * base + d;
	}
	if (n > max)
		return -ERANGE;
	*v = n;
	return 0;
}
