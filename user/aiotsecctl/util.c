// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl: parsing of numbers, hex strings, MAC addresses and keyword
 * arguments.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "aiotsecctl.h"
#include "util.h"
#include "hex.h"

int parse_hex(const char *s, uint8_t *buf, size_t max)
{
	size_t len, i;
	int hi, lo;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	len = strlen(s);
	if (len % 2)
		return -EINVAL;
	if (len / 2 > max)
		return -ERANGE;
	for (i = 0; i < len / 2; i++) {
		hi = hex_digit((unsigned char)s[2 * i]);
		lo = hex_digit((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		buf[i] = hi << 4 | lo;
	}
	return len / 2;
}

int parse_mac(const char *s, uint8_t mac[MAC_LEN])
{
	int i, hi, lo;

	for (i = 0; i < MAC_LEN; i++) {
		hi = hex_digit((unsigned char)s[0]);
		lo = hi < 0 ? -1 : hex_digit((unsigned char)s[1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		mac[i] = hi << 4 | lo;
		s += 2;
		if (i < MAC_LEN - 1 && *s++ != ':')
			return -EINVAL;
	}
	return *s ? -EINVAL : 0;
}

void format_mac(const uint8_t mac[MAC_LEN], char buf[MAC_STR_LEN])
{
	snprintf(buf, MAC_STR_LEN, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void print_hex(const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		printf("%02x", buf[i]);
}

int parse_kw_args(const char *ctx, int argc, char **argv,
		  const struct kw_arg *kws)
{
	const struct kw_arg *k;

	for (; argc > 0; argc--, argv++) {
		for (k = kws; k->kw; k++)
			if (!strcmp(*argv, k->kw))
				break;
		if (!k->kw)
			return usage_error(ctx, "unknown argument \"%s\"", *argv);
		if (k->flag) {
			if (*k->flag)
				return usage_error(ctx, "\"%s\" given twice",
						   k->kw);
			*k->flag = true;
			continue;
		}
		if (*k->val)
			return usage_error(ctx, "\"%s\" given twice", k->kw);
		if (argc < 2)
			return usage_error(ctx, "\"%s\" needs a value", k->kw);
		argc--;
		argv++;
		*k->val = *argv;
	}
	return 0;
}

int arg_u64(const char *ctx, const char *kw, const char *s, uint64_t max,
	    uint64_t *v)
{
	int err = parse_u64(s, max, v);

	if (err == -ERANGE)
		return usage_error(ctx, "%s \"%s\" is too large (at most %llu)",
				   kw, s, (unsigned long long)max);
	if (err)
		return usage_error(ctx, "%s \"%s\" is not a number (decimal or 0x hex)",
				   kw, s);
	return 0;
}

int arg_u32(const char *ctx, const char *kw, const char *s, uint32_t *v)
{
	uint64_t n;
	int err = arg_u64(ctx, kw, s, UINT32_MAX, &n);

	if (!err)
		*v = n;
	return err;
}

int arg_u8_in(const char *ctx, const char *kw, const char *s,
	      const uint8_t *set, unsigned int n_set, const char *set_desc,
	      uint8_t *v)
{
	unsigned int i;
	uint64_t n;
	int err = parse_u64(s, UINT64_MAX, &n);

	for (i = 0; !err && i < n_set; i++) {
		if (n == set[i]) {
			*v = n;
			return 0;
		}
	}
	return usage_error(ctx, "%s \"%s\" is not %s", kw, s, set_desc);
}

int arg_mac(const char *ctx, const char *kw, const char *s,
	    uint8_t mac[MAC_LEN])
{
	if (parse_mac(s, mac))
		return usage_error(ctx, "%s \"%s\" is not a MAC address (xx:xx:xx:xx:xx:xx)",
				   kw, s);
	return 0;
}

int arg_enum(const char *ctx, const char *kw, const char *s,
	     const char *const *names, unsigned int n, uint8_t *v)
{
	char list[256] = "";
	size_t used = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!names[i])
			continue;
		if (!strcmp(s, names[i])) {
			*v = i;
			return 0;
		}
		used += snprintf(list + used, sizeof(list) - used, "%s%s",
				 used ? ", " : "", names[i]);
		if (used >= sizeof(list))
			break;
	}
	return usage_error(ctx, "unknown %s \"%s\" (one of: %s)", kw, s, list);
}

int arg_require(const char *ctx, const char *kw, const char *val)
{
	if (val)
		return 0;
	return usage_error(ctx, "missing \"%s\"", kw);
}
