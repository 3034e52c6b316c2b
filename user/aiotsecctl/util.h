/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aiotsecctl: parsing of numbers, hex strings, MAC addresses and keyword
 * arguments, and their conversion from the command line.
 */
#ifndef AIOTSECCTL_UTIL_H
#define AIOTSECCTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hex.h"	/* parse_u64() */

#define MAC_LEN		6
#define MAC_STR_LEN	18	/* "xx:xx:xx:xx:xx:xx" and NUL */

/*
 * Parse hex digits (an optional 0x prefix, no separators) into at most
 * @max octets.  Returns the number of octets, -EINVAL or -ERANGE.
 */
int parse_hex(const char *s, uint8_t *buf, size_t max);

/* Parse "xx:xx:xx:xx:xx:xx".  Returns 0 or -EINVAL. */
int parse_mac(const char *s, uint8_t mac[MAC_LEN]);

void format_mac(const uint8_t mac[MAC_LEN], char buf[MAC_STR_LEN]);

/* Write @len octets of @buf as lower-case hex to stdout. */
void print_hex(const uint8_t *buf, size_t len);

/*
 * A keyword of a command line: KEYWORD VALUE when @val is set (the value
 * is stored there), a lone KEYWORD when @flag is set.
 */
struct kw_arg {
	const char *kw;
	const char **val;
	bool *flag;
};

/*
 * Match "KEYWORD [VALUE]..." in @argv against the NULL-terminated table
 * @kws.  Unknown keywords, missing values and keywords given twice are
 * usage errors, reported with @ctx ("sa add").  Returns 0 or EXIT_USAGE.
 */
int parse_kw_args(const char *ctx, int argc, char **argv,
		  const struct kw_arg *kws);

/*
 * Convert the value @s of keyword @kw, reporting errors with @ctx.
 * Each returns 0 or EXIT_USAGE.
 */
int arg_u64(const char *ctx, const char *kw, const char *s, uint64_t max,
	    uint64_t *v);
int arg_u32(const char *ctx, const char *kw, const char *s, uint32_t *v);
/* A number that must be one of the @n_set in @set (@set_desc: "16 or 32") */
int arg_u8_in(const char *ctx, const char *kw, const char *s,
	      const uint8_t *set, unsigned int n_set, const char *set_desc,
	      uint8_t *v);
int arg_mac(const char *ctx, const char *kw, const char *s,
	    uint8_t mac[MAC_LEN]);
/* one of the @n names in @names, e.g. a suite; stores the index */
int arg_enum(const char *ctx, const char *kw, const char *s,
	     const char *const *names, unsigned int n, uint8_t *v);

/* Usage error when the required keyword @kw (value @val) is missing. */
int arg_require(const char *ctx, const char *kw, const char *val);

#endif /* AIOTSECCTL_UTIL_H */
