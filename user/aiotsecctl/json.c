// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl: a tiny JSON writer.
 */
#include <stdarg.h>
#include <stdio.h>

#include "json.h"

#define JSON_MAX_DEPTH	16

/* per nesting level: has a value been written yet (a comma is due) */
static bool json_started[JSON_MAX_DEPTH];
static unsigned int json_depth;

/* Octets of the UTF-8 sequence at @s, or 0 where @s is not UTF-8. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned int cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		/* the terminating NUL is no continuation octet either */
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/*
 * A JSON string; an octet that is not UTF-8 (an interface name may hold
 * any) becomes U+FFFD, so that the document stays valid.
 */
static void json_put_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n;

	putchar('"');
	while (*s) {
		if (*s == '"' || *s == '\\') {
			printf("\\%c", *s++);
		} else if (*s < 0x20 || *s == 0x7f) {
			printf("\\u%04x", *s++);
		} else {
			n = utf8_len(s);
			if (n)
				fwrite(s, 1, n, stdout);
			else
				fputs("\\ufffd", stdout);
			s += n ? n : 1;
		}
	}
	putchar('"');
}

/* the comma and the key before a value */
static void json_value_begin(const char *key)
{
	if (json_started[json_depth])
		putchar(',');
	json_started[json_depth] = true;
	if (key) {
		json_put_string(key);
		putchar(':');
	}
}

static void json_push(char c)
{
	putchar(c);
	if (json_depth < JSON_MAX_DEPTH - 1)
		json_depth++;
	json_started[json_depth] = false;
}

static void json_pop(char c)
{
	putchar(c);
	if (json_depth)
		json_depth--;
}

void json_object_begin(const char *key)
{
	json_value_begin(key);
	json_push('{');
}

void json_object_end(void)
{
	json_pop('}');
}

void json_array_begin(const char *key)
{
	json_value_begin(key);
	json_push('[');
}

void json_array_end(void)
{
	json_pop(']');
}

void json_string(const char *key, const char *v)
{
	json_value_begin(key);
	json_put_string(v);
}

void json_stringf(const char *key, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_string(key, buf);
}

void json_u64(const char *key, uint64_t v)
{
	json_value_begin(key);
	printf("%llu", (unsigned long long)v);
}

void json_bool(const char *key, bool v)
{
	json_value_begin(key);
	fputs(v ? "true" : "false", stdout);
}

void json_null(const char *key)
{
	json_value_begin(key);
	fputs("null", stdout);
}

void json_hex(const char *key, const uint8_t *buf, size_t len)
{
	size_t i;

	json_value_begin(key);
	putchar('"');
	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
	putchar('"');
}

void json_end_document(void)
{
	putchar('\n');
	json_depth = 0;
	json_started[0] = false;
}
