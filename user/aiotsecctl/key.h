/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aiotsecctl: reading keys from files, never from the command line.
 */
#ifndef AIOTSECCTL_KEY_H
#define AIOTSECCTL_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/aiotsec.h>

struct key {
	uint8_t octets[AIOTSEC_MAX_KEY_LEN];
	size_t len;
	bool raw;	/* the file held raw octets, not hex text */
};

/*
 * Read a key from @path ("-": standard input): raw octets, or hex text
 * with optional white space.  Warns when the file is accessible to group
 * or others.  Returns 0 or EXIT_FAIL after printing why.
 */
int key_read(const char *path, struct key *key);

/*
 * Check that @key has the length that @suite needs; 0 or EXIT_FAIL after
 * printing what was expected.
 */
int key_check_len(const char *path, const struct key *key, uint8_t suite);
/* The same for @want octets of @what ("K"), @note after the number. */
int key_check_octets(const char *path, const struct key *key, size_t want,
		     const char *what, const char *note);

/* Wipe the key. */
void key_wipe(struct key *key);

#endif /* AIOTSECCTL_KEY_H */
