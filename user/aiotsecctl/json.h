/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aiotsecctl: a tiny JSON writer to stdout, compact, one document per
 * line.  Inside an object every value has a key; inside an array (or at
 * the top) the key is NULL.
 */
#ifndef AIOTSECCTL_JSON_H
#define AIOTSECCTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void json_object_begin(const char *key);
void json_object_end(void);
void json_array_begin(const char *key);
void json_array_end(void);
void json_string(const char *key, const char *v);
void json_u64(const char *key, uint64_t v);
void json_bool(const char *key, bool v);
void json_null(const char *key);
/* a string of hex digits */
void json_hex(const char *key, const uint8_t *buf, size_t len);
/* a string with the printf-formatted text */
void json_stringf(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* end of a top-level document: a newline (monitor flushes each) */
void json_end_document(void);

#endif /* AIOTSECCTL_JSON_H */
