// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the SQLite store (user/lib/store.c): schema and migration,
 * device add with its errors, CSV import (all or nothing), T-ID lookup
 * (current and previous) and rotation, SQN reservation that survives a
 * reopen, sessions and the batched audit trail.
 */
#define _GNU_SOURCE	/* memmem */

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <linux/aiotsec.h>

#include "tap.h"
#include "store.h"

static char dir[] = "/tmp/test_store.XXXXXX";
static char db[256], csv[256];

static const uint8_t K[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
static const uint8_t OPC[16] = { 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
				 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf };
/* a number as a string literal */
#define STR_(x) #x
#define STR(x) STR_(x)

static const uint8_t TID1[16] = { 0x11, [15] = 0x01 };
static const uint8_t TID2[16] = { 0x22, [15] = 0x02 };
static const uint8_t TID3[16] = { 0x33, [15] = 0x03 };

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static int count_cb(const struct store_device *d, void *arg)
{
	(void)d;
	(*(int *)arg)++;
	return 0;
}

/* counts the devices of a listing that came with a key */
static int keys_cb(const struct store_device *d, void *arg)
{
	static const uint8_t zero[AKA_KEY_LEN];

	if (memcmp(d->k, zero, AKA_KEY_LEN) || memcmp(d->opc, zero, AKA_KEY_LEN))
		(*(int *)arg)++;
	return 0;
}

static int count_devices(struct store *st)
{
	int n = 0;

	store_device_list(st, count_cb, &n);
	return n;
}

struct audit_seen {
	int n;
	struct store_audit_entry first, last;
};

static int audit_cb(const struct store_audit_entry *e, void *arg)
{
	struct audit_seen *a = arg;

	if (!a->n++)
		a->first = *e;
	a->last = *e;
	return 0;
}

/* Rows in the audit table, read with a separate connection. */
static int audit_rows_on_disk(void)
{
	sqlite3 *h;
	sqlite3_stmt *s;
	int n = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(h, "SELECT count(*) FROM audit", -1, &s, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(s) == SQLITE_ROW)
			n = sqlite3_column_int(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_close(h);
	return n;
}

/* Octet @off of the file at @path, or -1. */
static int read_header_byte(const char *path, long off)
{
	FILE *f = fopen(path, "rb");
	int c = -1;

	if (f && !fseek(f, off, SEEK_SET))
		c = fgetc(f);
	if (f)
		fclose(f);
	return c;
}

/*
 * store_discard() removes a store this connection created only while it
 * holds no device and its path is still that file.
 */
static void test_discard(const char *path)
{
	struct store_device_spec sp = {
		.pid = "keep-1", .k = K, .k_len = 16, .opc = OPC,
		.opc_len = 16, .profile = "inventory",
	};
	struct store *st, *other;
	char err[256], moved[320];
	struct stat sb;

	ok(store_open(path, &st, err, sizeof(err)) == 0 && store_created(st) &&
	   store_discard(st, path) == 0 && stat(path, &sb) && errno == ENOENT,
	   "discard: a store this connection made, empty: removed");
	if (store_open(path, &st, err, sizeof(err)) ||
	    store_open(path, &other, err, sizeof(err))) {
		ok(0, "discard: open two connections");
		return;
	}
	ok(store_device_add(other, &sp) == 0 && store_discard(st, path) == -EBUSY &&
	   stat(path, &sb) == 0,
	   "discard: a device another connection added: kept");
	ok(store_discard(other, path) == -EBUSY && stat(path, &sb) == 0,
	   "discard: a store this connection did not make: kept");
	unlink(path);
	snprintf(moved, sizeof(moved), "%s.moved", path);
	if (!store_open(path, &st, err, sizeof(err))) {
		rename(path, moved);
		write_file(path, "someone else's");
		ok(store_discard(st, path) == -EBUSY && stat(path, &sb) == 0 &&
		   sb.st_size == 14,
		   "discard: the path now another file: kept");
	}
	unlink(path);
	unlink(moved);
}

/*
 * An empty file is no store to open, and becomes one only where a store
 * may be created; another program's database never does.
 */
static void test_not_a_store(void)
{
	char path[300], err[256];
	struct store *st;
	struct stat sb;
	sqlite3 *h;

	snprintf(path, sizeof(path), "%s/other.db", dir);
	write_file(path, "");
	ok(store_open_existing(path, &st, err, sizeof(err)) == -EINVAL &&
	   strstr(err, "not an aiotsec store (empty)") &&
	   stat(path, &sb) == 0 && sb.st_size == 0,
	   "an empty file: no store to open, and left empty");
	sqlite3_open(path, &h);
	sqlite3_exec(h, "CREATE TABLE x (a)", NULL, NULL, NULL);
	sqlite3_close(h);
	ok(store_open(path, &st, err, sizeof(err)) == -EINVAL &&
	   strstr(err, "not an aiotsec store (a database of something else)"),
	   "another program's database: refused, even where a store may be created");
	unlink(path);
	write_file(path, "");
	ok(store_open(path, &st, err, sizeof(err)) == 0 &&
	   store_schema_version(st) == STORE_SCHEMA_VERSION,
	   "an empty file where a store may be created: made one");
	if (st)
		store_close(st);
	unlink(path);
	sqlite3_open(path, &h);
	sqlite3_exec(h, "CREATE TABLE meta (schema_version INTEGER, x TEXT);"
		     "INSERT INTO meta VALUES (0, 'theirs')", NULL, NULL, NULL);
	sqlite3_close(h);
	ok(store_open(path, &st, err, sizeof(err)) == -EINVAL &&
	   strstr(err, "a database of something else") &&
	   read_header_byte(path, 18) == 1,
	   "another program's table meta: refused, its file untouched (no WAL)");
	unlink(path);
	test_discard(path);
}

static void test_schema(void)
{
	char err[256];
	struct store *st;
	struct stat sb;
	int rc;

	rc = store_open(db, &st, err, sizeof(err));
	ok(rc == 0, "open creates a new database");
	if (rc) {
		printf("# %s\n", err);
		printf("Bail out! no store\n");
		exit(1);
	}
	ok(store_schema_version(st) == STORE_SCHEMA_VERSION,
	   "schema_version is current");
	ok(stat(db, &sb) == 0 && (sb.st_mode & 077) == 0,
	   "database file is private (0600)");
	ok(store_created(st) && !store_warning(st), "created, no warning");
	store_close(st);
	test_not_a_store();
	rc = store_open(db, &st, err, sizeof(err));
	ok(rc == 0 && store_schema_version(st) == STORE_SCHEMA_VERSION,
	   "reopen keeps the schema");
	ok(!store_created(st), "reopen: not created");
	store_close(st);
	chmod(db, 0640);
	rc = store_open(db, &st, err, sizeof(err));
	ok(rc == 0 && store_warning(st) &&
	   strstr(store_warning(st), "is accessible to group or others (mode 0640)"),
	   "a store the group can read: a warning");
	store_close(st);
	chmod(db, 0600);

	/* a newer schema is refused */
	{
		sqlite3 *h;

		sqlite3_open(db, &h);
		sqlite3_exec(h, "UPDATE meta SET schema_version = 99", NULL, NULL,
			     NULL);
		sqlite3_close(h);
		rc = store_open(db, &st, err, sizeof(err));
		ok(rc != 0 && strstr(err, "newer"), "a newer schema is refused");
		sqlite3_open(db, &h);
		sqlite3_exec(h, "UPDATE meta SET schema_version = "
			     STR(STORE_SCHEMA_VERSION), NULL, NULL, NULL);
		sqlite3_close(h);
	}

	/*
	 * a store of schema 1 (sessions without a link, devices without
	 * tid_confirmed) is upgraded
	 */
	{
		struct store_session s;
		struct store_device d;
		sqlite3 *h;

		sqlite3_open(db, &h);
		rc = sqlite3_exec(h, "ALTER TABLE sessions DROP COLUMN link;"
				  "ALTER TABLE devices DROP COLUMN tid_confirmed;"
				  "ALTER TABLE devices DROP COLUMN sqn_lease;"
				  "DROP INDEX audit_unauth;"
				  "INSERT INTO devices (pid, k, opc, amf, profile,"
				  " created) VALUES ('old-1', zeroblob(16),"
				  " zeroblob(16), zeroblob(2), 1, 0);"
				  "INSERT INTO sessions (sid, device, suite, created)"
				  " VALUES (77, last_insert_rowid(), 4, 0);"
				  "UPDATE meta SET schema_version = 1",
				  NULL, NULL, NULL);
		sqlite3_close(h);
		ok(rc == SQLITE_OK, "a schema 1 store made");
		rc = store_open(db, &st, err, sizeof(err));
		ok(rc == 0 && store_schema_version(st) == STORE_SCHEMA_VERSION &&
		   store_session_get(st, 77, &s) == 0 && !s.link[0] &&
		   store_device_by_pid(st, (const uint8_t *)"old-1", 5,
				       &d) == 0 && !d.tid_confirmed,
		   "schema 1 upgraded: its session kept, no link recorded, T-IDs unconfirmed");
		if (!rc) {
			store_device_del(st, "old-1");
			store_close(st);
		}
	}
}

static void test_add(struct store *st)
{
	struct store_device_spec sp = {
		.pid = "dev-1", .k = K, .k_len = 16, .opc = OPC, .opc_len = 16,
		.profile = "command", .tid = TID1, .tid_len = 16,
	};
	struct store_device d;
	int rc;

	ok(store_device_add(st, &sp) == 0, "add a device");
	{
		int with_keys = 0;

		ok(store_device_list(st, keys_cb, &with_keys) == 0 &&
		   !with_keys, "a listing reads no K or OPc");
	}
	rc = store_device_add(st, &sp);
	printf("# %s\n", store_errmsg(st));
	ok(rc == -EEXIST && strstr(store_errmsg(st), "dev-1"),
	   "duplicate PID: -EEXIST naming it");
	sp.pid = "dev-2";
	sp.k_len = 15;
	rc = store_device_add(st, &sp);
	ok(rc == -EINVAL && strstr(store_errmsg(st), "K must be"),
	   "bad key length refused");
	sp.k_len = 16;
	sp.opc_len = 8;
	ok(store_device_add(st, &sp) == -EINVAL, "bad OPc length refused");
	sp.opc_len = 16;
	sp.profile = "sensor";
	rc = store_device_add(st, &sp);
	ok(rc == -EINVAL && strstr(store_errmsg(st), "unknown profile"),
	   "unknown profile refused");
	sp.profile = "inventory";
	sp.tid = TID1;
	ok(store_device_add(st, &sp) == -EEXIST, "duplicate T-ID refused");
	sp.tid = NULL;
	sp.pid = "";
	ok(store_device_add(st, &sp) == -EINVAL, "empty PID refused");
	sp.pid = "dev-2";
	ok(store_device_add(st, &sp) == 0, "device without a T-ID");
	ok(count_devices(st) == 2, "two devices listed");

	ok(store_device_by_pid(st, (const uint8_t *)"dev-1", 5, &d) == 0 &&
	   d.profile == AIOTSEC_PROFILE_COMMAND && d.sqn == STORE_SQN_FIRST &&
	   !memcmp(d.k, K, 16) && !memcmp(d.opc, OPC, 16) &&
	   d.amf[0] == 0x80 && d.amf[1] == 0 && d.has_tid_current &&
	   !d.has_tid_previous && !d.disabled,
	   "device record read back");
	ok(store_device_by_pid(st, (const uint8_t *)"nope", 4, &d) == -ENOENT,
	   "unknown PID: -ENOENT");
	ok(store_device_del(st, "dev-2") == 0 && count_devices(st) == 1,
	   "delete a device");
	ok(store_device_del(st, "dev-2") == -ENOENT, "delete unknown: -ENOENT");
	ok(store_device_set_disabled(st, "dev-1", true) == 0 &&
	   store_device_by_pid(st, (const uint8_t *)"dev-1", 5, &d) == 0 &&
	   d.disabled, "disable a device");
	store_device_set_disabled(st, "dev-1", false);
}

static void test_import(struct store *st)
{
	struct store_device d;
	unsigned n = 99;
	int rc;

	write_file(csv,
		   "# pid,k,opc,profile,tid[,amf]\n"
		   "imp-1,000102030405060708090a0b0c0d0e0f,101112131415161718191a1b1c1d1e1f,inventory,aa000000000000000000000000000001\n"
		   "\n"
		   "imp-2,000102030405060708090a0b0c0d0e0f,101112131415161718191a1b1c1d1e1f,command,aa000000000000000000000000000002,b9b9  # comment\n"
		   "imp-3,000102030405060708090a0b0c0d0e,101112131415161718191a1b1c1d1e1f,command,\n");
	rc = store_device_import(st, csv, &n);
	ok(rc == -EINVAL && strstr(store_errmsg(st), "line 5") &&
	   strstr(store_errmsg(st), "K must be"),
	   "import with a bad line fails naming the line");
	printf("# %s\n", store_errmsg(st));
	ok(count_devices(st) == 1 && n == 0, "nothing imported (all or nothing)");

	write_file(csv,
		   "imp-1,000102030405060708090a0b0c0d0e0f,101112131415161718191a1b1c1d1e1f,inventory,aa000000000000000000000000000001\n"
		   "imp-1,000102030405060708090a0b0c0d0e0f,101112131415161718191a1b1c1d1e1f,inventory,aa000000000000000000000000000003\n");
	rc = store_device_import(st, csv, &n);
	ok(rc == -EEXIST && strstr(store_errmsg(st), "line 2"),
	   "duplicate PID in the file: line 2");
	ok(count_devices(st) == 1, "still nothing imported");

	write_file(csv,
		   "imp-1,000102030405060708090a0b0c0d0e0f,101112131415161718191a1b1c1d1e1f,inventory,aa000000000000000000000000000001\n"
		   "imp-2,000102030405060708090a0b0c0d0e0f,101112131415161718191a1b1c1d1e1f,command,0XAA000000000000000000000000000002,0xb9b9\n"
		   "imp-3,0x000102030405060708090a0b0c0d0e0f,101112131415161718191a1b1c1d1e1f,command,\n");
	rc = store_device_import(st, csv, &n);
	ok(rc == 0 && n == 3 && count_devices(st) == 4,
	   "import three devices (hex fields with or without 0x)");
	ok(store_device_by_pid(st, (const uint8_t *)"imp-2", 5, &d) == 0 &&
	   d.amf[0] == 0xb9 && d.amf[1] == 0xb9 && d.has_tid_current &&
	   d.tid_current[15] == 2, "imported AMF and T-ID");
	ok(store_device_by_pid(st, (const uint8_t *)"imp-3", 5, &d) == 0 &&
	   !d.has_tid_current, "imported device without T-ID");
	write_file(csv, "a,b\n");
	ok(store_device_import(st, csv, &n) == -EINVAL &&
	   strstr(store_errmsg(st), "line 1"), "too few fields: line 1");
	write_file(csv, "imp-7,000102030405060708090a0b0c0d0e0f,"
		   "101112131415161718191a1b1c1d1e1f,command,,1234,extra\n");
	ok(store_device_import(st, csv, &n) == -EINVAL &&
	   !strcmp(store_errmsg(st), "line 1: expected pid,k_hex,opc_hex,"
		   "profile,tid_hex[,amf_hex] (7 fields)"),
	   "too many fields: line 1, the count");
	write_file(csv, "imp-7,000102030405060708090a0b0c0d0e0f,"
		   "101112131415161718191a1b1c1d1e1f,command,,1234,x,y,z,w\n");
	ok(store_device_import(st, csv, &n) == -EINVAL &&
	   strstr(store_errmsg(st), "(10 fields)"),
	   "ten fields: all counted");
	{
		static const char nul[] =
			"imp-n,000102030405060708090a0b0c0d0e0f,"
			"101112131415161718191a1b1c1d1e1f,command,\n\0"
			"imp-m,garbage\n";
		FILE *f = fopen(csv, "w");

		fwrite(nul, 1, sizeof(nul) - 1, f);
		fclose(f);
	}
	ok(store_device_import(st, csv, &n) == -EINVAL && n == 0 &&
	   !strcmp(store_errmsg(st),
		   "a NUL octet at offset 81: not CSV or JSON text") &&
	   store_device_by_pid(st, (const uint8_t *)"imp-n", 5, &d) == -ENOENT,
	   "a NUL octet: nothing imported, not the lines before it either");
	write_file(csv, "imp-8,000102030405060708090a0b0c0d0e0f00010203,"
		   "101112131415161718191a1b1c1d1e1f,command,\n");
	ok(store_device_import(st, csv, &n) == -EINVAL &&
	   !strcmp(store_errmsg(st), "line 1: K must be 16 octets, not 20"),
	   "K far too long: its length, not \"not hex\"");
	write_file(csv, "imp-9,00010203040506070809xx0b0c0d0e0f,"
		   "101112131415161718191a1b1c1d1e1f,command,\n");
	ok(store_device_import(st, csv, &n) == -EINVAL &&
	   !strcmp(store_errmsg(st), "line 1: K is not hex"), "K not hex");
	ok(count_devices(st) == 4, "none of them imported");
	/* a byte order mark before the CSV and before the JSON */
	write_file(csv, "\xef\xbb\xbfimp-b1,000102030405060708090a0b0c0d0e0f,"
		   "101112131415161718191a1b1c1d1e1f,command,\n");
	ok(store_device_import(st, csv, &n) == 0 && n == 1 &&
	   store_device_by_pid(st, (const uint8_t *)"imp-b1", 6, &d) == 0,
	   "a UTF-8 byte order mark before CSV: skipped");
	write_file(csv, "\xef\xbb\xbf[{\"pid\":\"imp-b2\","
		   "\"k\":\"000102030405060708090a0b0c0d0e0f\","
		   "\"opc\":\"101112131415161718191a1b1c1d1e1f\","
		   "\"profile\":\"command\"}]");
	ok(store_device_import(st, csv, &n) == 0 && n == 1 &&
	   store_device_by_pid(st, (const uint8_t *)"imp-b2", 6, &d) == 0,
	   "a UTF-8 byte order mark before JSON: skipped");
	store_device_del(st, "imp-b1");
	store_device_del(st, "imp-b2");
}

#define JK "\"k\":\"000102030405060708090a0b0c0d0e0f\","
#define JOPC "\"opc\":\"101112131415161718191a1b1c1d1e1f\","

/* JSON import: the same devices as CSV, all or nothing, exact errors. */
static void test_import_json(struct store *st)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "[{\"pid\":\"j-1\"," JK JOPC "\"profile\":\"inventory\"},",
		  "not valid JSON" },
		{ "{\"pid\":\"j-1\"}", "not a JSON array of devices" },
		{ "[1]", "device 0: not an object" },
		{ "[{\"pid\":\"j-1\"," JK JOPC "\"profile\":\"inventory\","
		  "\"key\":\"x\"}]", "device 0: unknown member \"key\"" },
		{ "[{" JK JOPC "\"profile\":\"inventory\"}]",
		  "device 0: \"pid\" missing or not a string" },
		{ "[{\"pid\":\"j-1\",\"k\":7," JOPC "\"profile\":\"command\"}]",
		  "device 0: \"k\" missing or not a string" },
		{ "[{\"pid\":\"j-1\"," JK JOPC "\"profile\":\"command\","
		  "\"tid\":5}]", "device 0: \"tid\" not a string" },
		{ "[{\"pid\":\"j-1\"," JK JOPC "\"profile\":\"inventory\"},"
		  "{\"pid\":\"j-2\"," JK JOPC "\"profile\":\"lamp\"}]",
		  "device 1: unknown profile" },
		{ "[{\"pid\":\"j-1\"," JK JOPC "\"profile\":\"inventory\"},"
		  "{\"pid\":\"j-1\"," JK JOPC "\"profile\":\"inventory\"}]",
		  "device 1: a device with PID \"j-1\" exists" },
		{ "[{\"pid\":\"j-1\"," JK JOPC "\"profile\":\"inventory\","
		  "\"profile\":\"command\"}]",
		  "device 0: member \"profile\" given twice" },
		{ "[{\"pid\":\"j\\u0000x\"," JK JOPC "\"profile\":\"inventory\"}]",
		  "a string holds \\u0000 (NUL)" },
		{ "[{\"pid\":\"j-1\"," JK JOPC "\"profile\":\"inventory\","
		  "\"amf\":\"8000\\u0000\"}]", "a string holds \\u0000 (NUL)" },
	};
	struct store_device d;
	int before = count_devices(st), all = 1;
	unsigned n = 99;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(csv, bad[i].text);
		if (store_device_import(st, csv, &n) >= 0) {
			all = 0;
			printf("# case %zu: accepted\n", i);
		}
		if (!strstr(store_errmsg(st), bad[i].want) || n ||
		    count_devices(st) != before) {
			all = 0;
			printf("# case %zu: %s\n", i, store_errmsg(st));
		}
	}
	ok(all, "JSON: each bad file refused with its message, nothing imported");

	write_file(csv,
		   " [ {\"pid\":\"j-1\"," JK JOPC "\"profile\":\"inventory\","
		   "\"tid\":\"bb000000000000000000000000000001\"},\n"
		   "{\"pid\":\"j-2\"," JK JOPC "\"profile\":\"command\","
		   "\"tid\":null,\"amf\":\"c1c1\"} ]\n");
	n = 0;
	ok(store_device_import(st, csv, &n) == 0 && n == 2 &&
	   count_devices(st) == before + 2, "JSON: two devices imported");
	ok(store_device_by_pid(st, (const uint8_t *)"j-1", 3, &d) == 0 &&
	   d.profile == AIOTSEC_PROFILE_INVENTORY && d.has_tid_current &&
	   d.tid_current[0] == 0xbb && d.k[15] == 0x0f && d.opc[0] == 0x10,
	   "JSON: keys, profile and T-ID read back");
	ok(store_device_by_pid(st, (const uint8_t *)"j-2", 3, &d) == 0 &&
	   !d.has_tid_current && d.amf[0] == 0xc1,
	   "JSON: null T-ID, AMF read back");
	write_file(csv, "[]");
	ok(store_device_import(st, csv, &n) == 0 && n == 0,
	   "JSON: an empty array imports nothing");
}

/* @cur and @prev (NULL: none) are the T-IDs of device @id, and only they */
static bool tids_are(struct store *st, int64_t id, const uint8_t *cur,
		     const uint8_t *prev)
{
	struct store_device d;

	if (store_device_by_id(st, id, &d) ||
	    !d.has_tid_current || memcmp(d.tid_current, cur, 16) ||
	    d.has_tid_previous != !!prev ||
	    (prev && memcmp(d.tid_previous, prev, 16)))
		return false;
	return true;
}

static void test_tid(struct store *st)
{
	static const uint8_t tid4[16] = { 0x44, [15] = 0x04 };
	static const uint8_t tid5[16] = { 0x55, [15] = 0x05 };
	static const uint8_t tid6[16] = { 0x66, [15] = 0x06 };
	struct store_device_spec suci = {
		.pid = "dev-suci", .k = K, .k_len = 16, .opc = OPC,
		.opc_len = 16, .profile = "inventory",
	};
	struct store_device d;
	uint8_t t[16];
	int64_t id;

	ok(store_device_by_tid(st, TID1, &d) == 0 && !strcmp(d.pid, "dev-1") &&
	   d.tid_confirmed, "T-ID lookup: current; a provisioned one confirmed");
	id = d.id;
	ok(store_device_by_tid(st, TID2, &d) == -ENOENT,
	   "unknown T-ID: -ENOENT");
	memcpy(t, TID2, 16);
	ok(store_tid_assign(st, id, t, TID1) == 0 && !memcmp(t, TID2, 16) &&
	   tids_are(st, id, TID2, TID1),
	   "a confirmed T-ID presented: a new one, the old one previous");
	ok(store_device_by_tid(st, TID1, &d) == 0 && d.id == id &&
	   !d.tid_confirmed, "T-ID lookup: previous; the new one unconfirmed");
	memcpy(t, TID3, 16);
	ok(store_tid_assign(st, id, t, TID2) == 0 && !memcmp(t, TID2, 16) &&
	   tids_are(st, id, TID2, TID1) &&
	   store_device_by_tid(st, TID3, &d) == -ENOENT,
	   "unconfirmed: the same T-ID again, neither dropped");
	ok(store_tid_confirm(st, id, TID2) == 0 &&
	   store_device_by_id(st, id, &d) == 0 && d.tid_confirmed,
	   "the current T-ID confirmed");
	/* not authenticated: it may hold the rotation back, drop nothing */
	memcpy(t, TID3, 16);
	ok(store_tid_assign(st, id, t, TID1) == 0 && !memcmp(t, TID2, 16) &&
	   tids_are(st, id, TID2, TID1),
	   "confirmed, the previous T-ID presented: the current one again");
	ok(store_tid_confirm(st, id, TID1) == 0 &&
	   store_device_by_id(st, id, &d) == 0 && !d.tid_confirmed &&
	   tids_are(st, id, TID2, TID1),
	   "the previous T-ID confirmed (the device went back): unconfirmed");
	memcpy(t, TID3, 16);
	ok(store_tid_assign(st, id, t, NULL) == 0 && !memcmp(t, TID2, 16) &&
	   tids_are(st, id, TID2, TID1),
	   "then no rotation, even after a SUCI");
	ok(store_tid_confirm(st, id, TID3) == -ENOENT,
	   "a T-ID not on record confirmed: -ENOENT");
	ok(store_tid_confirm(st, id, TID2) == 0, "the current one confirmed");
	memcpy(t, tid4, 16);
	ok(store_tid_assign(st, id, t, NULL) == 0 && !memcmp(t, tid4, 16) &&
	   tids_are(st, id, tid4, TID2),
	   "confirmed, a SUCI: a new one, the confirmed one previous");
	ok(store_tid_confirm(st, id, tid4) == 0, "confirmed again");
	/* a device with no T-ID (SUCI): its first one, kept until confirmed */
	ok(store_device_add(st, &suci) == 0 &&
	   store_device_by_pid(st, (const uint8_t *)"dev-suci", 8, &d) == 0,
	   "a device without a T-ID");
	memcpy(t, tid5, 16);
	ok(store_tid_assign(st, d.id, t, NULL) == 0 && !memcmp(t, tid5, 16) &&
	   store_device_by_id(st, d.id, &d) == 0 && d.has_tid_current &&
	   !d.has_tid_previous && !d.tid_confirmed,
	   "no T-ID yet: a new one, no previous");
	memcpy(t, tid6, 16);
	ok(store_tid_assign(st, d.id, t, NULL) == 0 && !memcmp(t, tid5, 16),
	   "no T-ID yet, the first unconfirmed: the same one again");
	ok(store_tid_assign(st, 424242, t, NULL) == -ENOENT,
	   "T-ID of no device");
	store_device_del(st, "dev-suci");
	{
		struct store_device_spec spec = {
			.pid = "dev-tid", .k = K, .k_len = 16, .opc = OPC,
			.opc_len = 16, .profile = "command", .tid = TID2,
			.tid_len = 16,
		};

		ok(store_device_add(st, &spec) == -EEXIST &&
		   !strcmp(store_errmsg(st),
			   "another device has this T-ID as its previous one") &&
		   store_device_by_tid(st, TID2, &d) == 0 && d.id == id,
		   "a new device with another's previous T-ID: refused");
	}
}

/*
 * A device deleted and added again gets the same ID: another connection
 * reserving for it brings the store's SQN to where this connection's
 * block of the old device ended, but with its own lease token.
 */
static void test_sqn_lease(struct store *st, struct store *other)
{
	struct store_device_spec sp = {
		.pid = "lease-1", .k = K, .k_len = 16, .opc = OPC,
		.opc_len = 16, .profile = "command",
	};
	struct store_device d;
	uint64_t a = 0, b = 0, c = 0;
	int64_t id;

	if (store_device_add(st, &sp) ||
	    store_device_by_pid(st, (const uint8_t *)"lease-1", 7, &d)) {
		ok(0, "SQN lease: add a device");
		return;
	}
	id = d.id;
	ok(store_sqn_reserve(st, id, &a) == 0 && a == STORE_SQN_FIRST &&
	   store_device_del(other, "lease-1") == 0 &&
	   store_device_add(other, &sp) == 0 &&
	   store_device_by_pid(other, (const uint8_t *)"lease-1", 7, &d) == 0 &&
	   d.id == id && store_sqn_reserve(other, id, &b) == 0 &&
	   b == STORE_SQN_FIRST &&
	   store_device_by_id(st, id, &d) == 0 &&
	   d.sqn == STORE_SQN_FIRST + STORE_SQN_BLOCK &&
	   store_sqn_reserve(st, id, &c) == 0 &&
	   c == STORE_SQN_FIRST + STORE_SQN_BLOCK,
	   "SQN lease: the block of a device deleted and added again is not used");
	store_device_del(st, "lease-1");
}

/*
 * A connection's block of SQNs (from @end on, the store holds @end): used
 * up before the next is written; kept over another connection's commits,
 * dropped when another connection moves the SQN.
 */
static void test_sqn_blocks(struct store *st, int64_t id, uint64_t end)
{
	struct store_device d;
	struct store *other;
	uint64_t c = 0, prev = 0;
	bool contiguous = true, written = false;
	char err[256];
	unsigned i;

	if (store_open(db, &other, err, sizeof(err))) {
		ok(0, "SQN blocks: open another connection");
		return;
	}
	/* the rest of the block from memory, then the next block */
	for (i = 0; i < 2 * STORE_SQN_BLOCK && c != end; i++) {
		if (store_sqn_reserve(st, id, &c) ||
		    (i && c != prev + 1))
			contiguous = false;
		if (c < end && (store_device_by_id(st, id, &d) || d.sqn != end))
			written = true;
		prev = c;
	}
	ok(contiguous && !written && c == end &&
	   store_device_by_id(st, id, &d) == 0 &&
	   d.sqn == end + STORE_SQN_BLOCK,
	   "SQN blocks: handed out in a row, the next block written at the end");

	/* another connection's commits leave the block alone... */
	store_device_set_disabled(other, "dev-1", true);
	store_device_set_disabled(other, "dev-1", false);
	ok(store_sqn_reserve(st, id, &c) == 0 && c == end + 1 &&
	   store_device_by_id(st, id, &d) == 0 &&
	   d.sqn == end + STORE_SQN_BLOCK,
	   "SQN blocks: another connection's commit: the block goes on");
	end += STORE_SQN_BLOCK;

	/* ...but one that reserves takes the next block, and this one too */
	ok(store_sqn_reserve(other, id, &c) == 0 && c == end &&
	   store_sqn_reserve(st, id, &c) == 0 && c == end + STORE_SQN_BLOCK,
	   "SQN blocks: another connection reserved: a block after its one");
	end += 2 * STORE_SQN_BLOCK;

	/* another connection sets the SQN back: this one follows */
	ok(store_sqn_set(other, id, end - 10) == 0 &&
	   store_sqn_reserve(st, id, &c) == 0 && c == end - 10,
	   "SQN blocks: a SQN set by another connection is taken");
	end = end - 10 + STORE_SQN_BLOCK;

	/*
	 * another connection's resync to a SQN_D inside the block, which
	 * leaves the store's SQN as it is (fresh): the block goes all the
	 * same, since SQNs of it are no longer
	 */
	ok(store_sqn_resync(other, id, c + 5) == 0 &&
	   store_sqn_reserve(st, id, &c) == 0 && c == end,
	   "SQN blocks: a resync by another connection drops the block");
	test_sqn_lease(st, other);
	store_close(other);
}

static void test_sqn(void)
{
	struct store_device d;
	uint64_t a = 0, b = 0, c = 0;
	struct store *st;
	char err[256];
	int status, fds[2];
	pid_t pid;

	store_open(db, &st, err, sizeof(err));
	store_device_by_pid(st, (const uint8_t *)"dev-1", 5, &d);
	ok(store_sqn_reserve(st, d.id, &a) == 0 && a == STORE_SQN_FIRST,
	   "first SQN reserved");
	ok(store_sqn_reserve(st, d.id, &b) == 0 && b == a + 1,
	   "next SQN is one more");
	ok(store_device_by_id(st, d.id, &d) == 0 &&
	   d.sqn == a + STORE_SQN_BLOCK,
	   "the store holds the end of the block, written once");
	store_close(st);

	/* a process that reserves and is killed without closing */
	fflush(stdout);
	if (pipe(fds))
		return;
	pid = fork();
	if (pid == 0) {
		struct store *s2;
		uint64_t v = 0;

		if (!store_open(db, &s2, NULL, 0))
			store_sqn_reserve(s2, d.id, &v);
		if (write(fds[1], &v, sizeof(v)) != sizeof(v))
			_exit(1);
		kill(getpid(), SIGKILL);
	}
	close(fds[1]);
	if (read(fds[0], &c, sizeof(c)) != sizeof(c))
		c = 0;
	close(fds[0]);
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && c == a + STORE_SQN_BLOCK,
	   "another process reserved the SQN after the closed one's block");

	store_open(db, &st, err, sizeof(err));
	ok(store_sqn_reserve(st, d.id, &c) == 0 &&
	   c == a + 2 * STORE_SQN_BLOCK,
	   "after reopen, no SQN is reused: the killed one's block is skipped");
	test_sqn_blocks(st, d.id, a + 3 * STORE_SQN_BLOCK);
	ok(store_sqn_set(st, d.id, 1000) == 0 &&
	   store_sqn_reserve(st, d.id, &c) == 0 && c == 1000,
	   "set SQN after resync");
	ok(store_sqn_resync(st, d.id, 990) == 0 &&
	   store_sqn_reserve(st, d.id, &c) == 0 &&
	   c == 1000 + STORE_SQN_BLOCK,
	   "resync to a lower SQN_D: the store's next SQN, still fresh, stays");
	ok(store_sqn_resync(st, d.id, 5000) == 0 &&
	   store_sqn_reserve(st, d.id, &c) == 0 && c == 5001,
	   "resync past the next SQN: SQN_D + 1");
	ok(store_sqn_set(st, d.id, 6000 + AKA_SQN_AHEAD_MAX) == 0 &&
	   store_sqn_resync(st, d.id, 5999) == 0 &&
	   store_sqn_reserve(st, d.id, &c) == 0 && c == 6000,
	   "resync far behind the next SQN (never fresh): SQN_D + 1");
	ok(store_sqn_resync(st, d.id, AKA_SQN_MAX) == -ERANGE,
	   "resync to the last SQN: -ERANGE");
	ok(store_sqn_set(st, d.id, AKA_SQN_MAX + 1) == 0 &&
	   store_sqn_reserve(st, d.id, &c) == -ERANGE, "SQN exhausted: -ERANGE");
	ok(store_sqn_reserve(st, 424242, &c) == -ENOENT, "SQN of no device");
	store_close(st);
}

/* store_changed() sees the commits of another connection only. */
static void test_changed(void)
{
	struct store *st, *other;
	bool c1 = true, c2 = true, c3 = false, c4 = true;
	char err[256];

	if (store_open(db, &st, err, sizeof(err)) ||
	    store_open(db, &other, err, sizeof(err))) {
		ok(0, "changed: open two connections");
		return;
	}
	ok(store_changed(st, &c1) == 0 && !c1,
	   "changed: the first call takes the reference");
	store_device_set_disabled(st, "dev-1", true);
	ok(store_changed(st, &c2) == 0 && !c2,
	   "changed: a commit of our own does not count");
	store_device_set_disabled(other, "dev-1", false);
	ok(store_changed(st, &c3) == 0 && c3,
	   "changed: another connection's commit counts");
	ok(store_changed(st, &c4) == 0 && !c4, "changed: once");
	store_close(other);
	store_close(st);
}

/*
 * A reader in the middle of a transaction (a slow "device list", another
 * process): the checkpoint of a close does not wait for it, since it
 * would hold the writer lock meanwhile (up to the 5 s busy timeout) and
 * keep aiotsecd from reserving SQNs.
 */
static void test_close_reader(void)
{
	int ready[2], done[2];
	struct timespec t0, t1;
	struct store *st;
	char err[256], c;
	pid_t pid;
	double s;

	if (pipe(ready) || pipe(done)) {
		ok(0, "close with a reader: pipes");
		return;
	}
	pid = fork();
	if (pid == 0) {
		sqlite3 *h;

		if (sqlite3_open(db, &h) != SQLITE_OK ||
		    sqlite3_exec(h, "BEGIN; SELECT count(*) FROM devices",
				 NULL, NULL, NULL) != SQLITE_OK)
			_exit(1);
		/* the snapshot is held until the parent is done */
		if (write(ready[1], "r", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(1);
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(h);
		_exit(0);
	}
	if (pid < 0 || read(ready[0], &c, 1) != 1 ||
	    store_open(db, &st, err, sizeof(err))) {
		ok(0, "close with a reader: the reader, the store");
		return;
	}
	/* a change, so that the log has pages past the reader's snapshot */
	store_device_set_disabled(st, "dev-1", true);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	store_close(st);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# close: %.3f s\n", s);
	ok(s < 2.0, "close with a reader in a transaction: not held up");
	if (write(done[1], "d", 1) != 1)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}

static void test_sessions(struct store *st)
{
	struct store_device d;
	struct store_session s;
	char msg[64];

	store_device_by_pid(st, (const uint8_t *)"dev-1", 5, &d);
	ok(store_session_add(st, 0x1234, d.id, AIOTSEC_SUITE_AES_GCM,
			     "aiot0") == 0, "add a session");
	ok(store_session_add(st, 0x1234, d.id, AIOTSEC_SUITE_AES_GCM,
			     "aiot1") == -EEXIST, "duplicate SID refused");
	ok(store_session_add(st, 0x5678, d.id, AIOTSEC_SUITE_AES_CCM,
			     NULL) == 0 &&
	   store_session_by_device(st, d.id, &s) == 0 && s.sid == 0x5678 &&
	   !s.link[0], "newest session of a device, no link recorded");
	ok(store_session_get(st, 0x1234, &s) == 0 && s.device == d.id &&
	   s.suite == AIOTSEC_SUITE_AES_GCM && !strcmp(s.link, "aiot0"),
	   "session by SID, with its link");
	ok(store_session_del(st, 0x1234) == 0 &&
	   store_session_get(st, 0x1234, &s) == -ENOENT, "delete a session");
	ok(store_session_del(st, 0x1234) == -ENOENT, "delete unknown session");
	ok(store_device_del(st, "dev-1") == 0 &&
	   store_session_get(st, 0x5678, &s) == -ENOENT,
	   "deleting a device deletes its sessions");
	snprintf(msg, sizeof(msg), "no device %lld", (long long)d.id);
	ok(store_session_add(st, 0x9abc, d.id, AIOTSEC_SUITE_AES_GCM, NULL) ==
	   -ENOENT && !strcmp(store_errmsg(st), msg) &&
	   store_session_get(st, 0x9abc, &s) == -ENOENT,
	   "no session for a deleted device");
}

/* Whether the file at @path holds the @len octets at @what. */
static bool file_holds(const char *path, const uint8_t *what, size_t len)
{
	static uint8_t buf[1 << 20];
	bool found = false;
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	found = n >= len && memmem(buf, n, what, len) != NULL;
	return found;
}

static void test_delete_wipes(struct store *st)
{
	static const uint8_t k[16] = "\x5e\xc7\x3e\x7b\x3e\xef\x01\x23"
				     "\x45\x67\x89\xab\xcd\xef\x5e\xc7";
	struct store_device_spec sp = {
		.pid = "doomed", .k = k, .k_len = 16, .opc = k, .opc_len = 16,
		.profile = "inventory",
	};
	char wal[300];

	snprintf(wal, sizeof(wal), "%s-wal", db);
	ok(store_device_add(st, &sp) == 0 &&
	   (file_holds(db, k, 16) || file_holds(wal, k, 16)),
	   "a new device's K is on disk");
	ok(store_device_del(st, "doomed") == 0 && !file_holds(db, k, 16) &&
	   !file_holds(wal, k, 16),
	   "a deleted device's K is neither in the database nor in its log");
}

static void test_audit(struct store *st)
{
	struct audit_seen a = {};
	int i, before = audit_rows_on_disk();

	ok(store_audit(st, "dev-1", "mutual", "accept", NULL) == 0 &&
	   store_audit_pending(st) == 1, "audit entry buffered");
	ok(audit_rows_on_disk() == before, "not yet on disk");
	ok(store_audit_flush(st) == 0 && store_audit_pending(st) == 0 &&
	   audit_rows_on_disk() == before + 1, "flush writes it");
	for (i = 0; i < STORE_AUDIT_BATCH; i++)
		store_audit(st, "tid:aa", "", "reject", "unknown-identity");
	ok(store_audit_pending(st) == 0 &&
	   audit_rows_on_disk() == before + 1 + STORE_AUDIT_BATCH,
	   "a full batch is flushed by itself");
	store_audit(st, "dev-9", "one-way", "reject", "bad-response");
	ok(store_audit_list(st, 2, audit_cb, &a) == 0 && a.n == 2 &&
	   !strcmp(a.last.device, "dev-9") &&
	   !strcmp(a.last.cause, "bad-response") &&
	   !strcmp(a.last.mode, "one-way"), "audit list (flushes first)");
	store_audit(st, "dev-10", "mutual", "accept", NULL);
	ok(store_audit_prune(st, 3, 1) == 1 &&
	   audit_rows_on_disk() == before + STORE_AUDIT_BATCH + 2,
	   "prune deletes at most as many as asked (flushes first)");
	ok(store_audit_prune(st, 3, 1000) == before + STORE_AUDIT_BATCH - 1 &&
	   audit_rows_on_disk() == 3, "prune keeps as many as asked");
	memset(&a, 0, sizeof(a));
	ok(store_audit_list(st, 10, audit_cb, &a) == 0 && a.n == 3 &&
	   !strcmp(a.last.device, "dev-10"), "prune keeps the newest");
	ok(store_audit_prune(st, 100, 1000) == 0 && audit_rows_on_disk() == 3,
	   "prune with room to spare deletes nothing");
	memset(&a, 0, sizeof(a));
	ok(store_audit_list(st, 10, audit_cb, &a) == 0 && a.n == 3 &&
	   !strcmp(a.first.device, "dev-1"),
	   "prune takes the rejections first: the older accept stays");
	memset(&a, 0, sizeof(a));
	ok(store_audit_prune(st, 2, 1000) == 1 &&
	   store_audit_list(st, 10, audit_cb, &a) == 0 && a.n == 2 &&
	   !strcmp(a.first.device, "dev-1") &&
	   !strcmp(a.last.device, "dev-10"),
	   "prune: the last rejection before the older accept");
	memset(&a, 0, sizeof(a));
	ok(store_audit_prune(st, 1, 1000) == 1 &&
	   store_audit_list(st, 10, audit_cb, &a) == 0 && a.n == 1 &&
	   !strcmp(a.last.device, "dev-10"),
	   "prune: then the oldest of the others");
}

int main(void)
{
	struct store *st;
	char err[256];

	if (!mkdtemp(dir)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	snprintf(db, sizeof(db), "%s/aiotsec.db", dir);
	snprintf(csv, sizeof(csv), "%s/devices.csv", dir);

	test_schema();
	if (store_open(db, &st, err, sizeof(err))) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	test_add(st);
	test_import(st);
	test_import_json(st);
	test_tid(st);
	store_close(st);
	test_sqn();
	test_changed();
	test_close_reader();
	store_open(db, &st, err, sizeof(err));
	test_sessions(st);
	test_delete_wipes(st);
	test_audit(st);
	store_close(st);

	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd))
			printf("# could not remove %s\n", dir);
	}
	return tap_done();
}
