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

static void json_put_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
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
	fflush(stdout);
	json_depth = 0;
	json_started[0] = false;
}
