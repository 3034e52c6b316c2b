// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecctl: reading keys from files.  A key file holds the key octets
 * raw, or as hex text (white space allowed anywhere, an optional 0x
 * prefix); a file with nothing but hex digits and white space is read as
 * hex.  Any other file of printable text is refused: a mistyped hex key
 * or a password is not taken for raw octets (a random key is all
 * printable once in millions).  Every buffer that held key material is
 * wiped.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aiotsecctl.h"
#include "key.h"
#include "names.h"
#include "util.h"

/* Longer than any key in hex with generous white space. */
#define KEY_FILE_MAX	1024

static const char *key_name(const char *path)
{
	return strcmp(path, "-") ? path : "standard input";
}

/* Read the whole of @fd into @buf; the length, or -1 with errno set. */
static ssize_t read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size) {
		n = read(fd, buf + len, size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		len += n;
	}
	return len;
}

static bool is_hex_text(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)buf[i]) &&
		    !isspace((unsigned char)buf[i]) &&
		    !((buf[i] | 0x20) == 'x' && i > 0 && buf[i - 1] == '0'))
			return false;
	return len > 0;
}

/* Decode hex text in @buf into @key; 0 or EXIT_FAIL. */
static int key_from_hex(const char *path, char *buf, size_t len,
			struct key *key)
{
	char digits[2 * AIOTSEC_MAX_KEY_LEN + 1];
	bool prefix = false;
	size_t n = 0, i;
	int ret;

	for (i = 0; i < len; i++) {
		if (isspace((unsigned char)buf[i]))
			continue;
		/* one 0x, before the digits */
		if (buf[i] == '0' && i + 1 < len && (buf[i + 1] | 0x20) == 'x' &&
		    !n && !prefix) {
			prefix = true;
			i++;
			continue;
		}
		if ((buf[i] | 0x20) == 'x' || n == sizeof(digits) - 1) {
			explicit_bzero(digits, sizeof(digits));
			return error("key file \"%s\": not a key (hex text of at most %d octets, or raw octets)",
				     key_name(path), AIOTSEC_MAX_KEY_LEN);
		}
		digits[n++] = buf[i];
	}
	if (!n)
		return error("key file \"%s\": no hex digits", key_name(path));
	digits[n] = '\0';
	ret = parse_hex(digits, key->octets, sizeof(key->octets));
	explicit_bzero(digits, sizeof(digits));
	if (ret < 0)
		return error("key file \"%s\": odd number of hex digits",
			     key_name(path));
	key->len = ret;
	return 0;
}

static bool is_text(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isprint((unsigned char)buf[i]) &&
		    !isspace((unsigned char)buf[i]))
			return false;
	return true;
}

static void key_check_mode(const char *path, int fd)
{
	struct stat st;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return;
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		fprintf(stderr, "Warning: key file \"%s\" is accessible to group or others (mode %04o)\n",
			path, (unsigned int)(st.st_mode & 07777));
}

int key_read(const char *path, struct key *key)
{
	char buf[KEY_FILE_MAX + 1];
	int fd, ret = 0;
	ssize_t len;

	key_wipe(key);
	if (!strcmp(path, "-")) {
		fd = STDIN_FILENO;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return error("key file \"%s\": %s", path,
				     strerror(errno));
		key_check_mode(path, fd);
	}
	len = read_all(fd, buf, sizeof(buf));
	if (len < 0)
		ret = error("key file \"%s\": %s", key_name(path),
			    strerror(errno));
	if (fd != STDIN_FILENO)
		close(fd);
	if (ret)
		goto out;

	if (len == 0) {
		ret = error("key file \"%s\" is empty", key_name(path));
	} else if (len > KEY_FILE_MAX) {
		ret = error("key file \"%s\" is too long to hold a key",
			    key_name(path));
	} else if (is_hex_text(buf, len)) {
		ret = key_from_hex(path, buf, len, key);
	} else if (is_text(buf, len)) {
		ret = error("key file \"%s\": text that is not hex (a raw key file holds the octets themselves)",
			    key_name(path));
	} else if ((size_t)len > sizeof(key->octets)) {
		ret = error("key file \"%s\": %zd octets, more than any suite's key (%d)",
			    key_name(path), len, AIOTSEC_MAX_KEY_LEN);
	} else {
		memcpy(key->octets, buf, len);
		key->len = len;
		key->raw = true;
	}
out:
	explicit_bzero(buf, sizeof(buf));
	if (ret)
		key_wipe(key);
	return ret;
}

int key_check_octets(const char *path, const struct key *key, size_t want,
		     const char *what, const char *note)
{
	if (key->len == want)
		return 0;
	return error("key file \"%s\": %zu octets, %s needs %zu%s%s",
		     key_name(path), key->len, what, want, note,
		     key->raw ? " (read as raw octets: the file is not hex text)" :
				"");
}

int key_check_len(const char *path, const struct key *key, uint8_t suite)
{
	char what[32];

	snprintf(what, sizeof(what), "suite %s",
		 name_of(suite_names, NAMES_N(suite_names), suite));
	return key_check_octets(path, key,
				suite == AIOTSEC_SUITE_NIA2_NEA2 ? 32 : 16, what,
				suite == AIOTSEC_SUITE_NIA2_NEA2 ?
				" (K_enc || K_int)" : "");
}

void key_wipe(struct key *key)
{
	explicit_bzero(key, sizeof(*key));
}
