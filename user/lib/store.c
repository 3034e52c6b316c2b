// SPDX-License-Identifier: GPL-2.0
/*
 * The aiotsec store on SQLite: see store.h.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include <linux/aiotsec.h>

#include "store.h"
#include "hex.h"

struct store {
	sqlite3 *db;
	int64_t data_version;		/* of the last store_changed() */
	char errmsg[256];
	char warning[256];		/* of the open, "" if none */
	bool created;			/* the open created the file */
	dev_t created_dev;		/* ... this one */
	ino_t created_ino;
	unsigned n_audit;
	struct store_audit_entry audit[STORE_AUDIT_BATCH];
	void *sqn_blocks;		/* struct sqn_block, by device ID */
	int64_t sqn_lease;		/* this connection's, 0 before the first */
};

/*
 * SQNs this connection committed but has not handed out yet: [next, end),
 * end being what the store holds as the device's next SQN, with this
 * connection's lease token beside it.  Valid while the store holds both:
 * whoever else writes the SQN (another daemon's block, a resync, a SQN
 * set, a device deleted and added again with its ID) writes another
 * token or none, even where the SQN comes back to the same value.
 */
struct sqn_block {
	int64_t id;
	uint64_t next, end;
};

/*
 * Migrations: entry i brings the schema from version i to i + 1.  Only
 * ever append.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE devices ("
	"  id INTEGER PRIMARY KEY,"
	"  pid TEXT NOT NULL UNIQUE,"
	"  k BLOB NOT NULL CHECK (length(k) = 16),"
	"  opc BLOB NOT NULL CHECK (length(opc) = 16),"
	"  amf BLOB NOT NULL CHECK (length(amf) = 2),"
	"  profile INTEGER NOT NULL CHECK (profile IN (1, 2)),"
	"  sqn INTEGER NOT NULL DEFAULT 1,"
	"  tid_current BLOB UNIQUE CHECK (tid_current IS NULL OR length(tid_current) = 16),"
	"  tid_previous BLOB CHECK (tid_previous IS NULL OR length(tid_previous) = 16),"
	"  disabled INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX devices_tid_previous ON devices (tid_previous);"
	"CREATE TABLE sessions ("
	"  sid INTEGER PRIMARY KEY,"
	"  device INTEGER NOT NULL REFERENCES devices (id) ON DELETE CASCADE,"
	"  suite INTEGER NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX sessions_device ON sessions (device);"
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  time REAL NOT NULL,"
	"  device TEXT NOT NULL,"
	"  mode TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  cause TEXT NOT NULL);"
	"CREATE INDEX audit_time ON audit (time);",
	/* 1 -> 2: the link of a session (NULL: recorded before) */
	"ALTER TABLE sessions ADD COLUMN link TEXT;",
	/*
	 * 2 -> 3: the device confirmed its current T-ID (0 for those of an
	 * older store: their next assignment repeats it, then they confirm)
	 */
	"ALTER TABLE devices ADD COLUMN tid_confirmed INTEGER NOT NULL DEFAULT 0;",
	/*
	 * 3 -> 4: the lease token of the connection whose block of SQNs ends
	 * at sqn (NULL: nobody's); the audit rows pruned first, by age
	 */
	"ALTER TABLE devices ADD COLUMN sqn_lease INTEGER;"
	"CREATE INDEX audit_unauth ON audit (id) WHERE outcome IN"
	" ('reject', 'superseded', 'ignored', 'device-reject');",
};

#define N_MIGRATIONS	(sizeof(migrations) / sizeof(migrations[0]))
#define PID_SHOWN_LEN	(4 * 40 + 1)

static int st_err(struct store *st, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int st_err(struct store *st, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->errmsg, sizeof(st->errmsg), fmt, ap);
	va_end(ap);
	return err;
}

static int st_sqlerr(struct store *st, const char *what)
{
	return st_err(st, -EIO, "%s: %s", what, sqlite3_errmsg(st->db));
}

const char *store_errmsg(const struct store *st)
{
	return st ? st->errmsg : "no store";
}

static int exec(struct store *st, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		/* SQLite's reason first: a long statement would cut it off */
		st_err(st, -EIO, "%s (in \"%.40s%s\")", msg ? msg : "?", sql,
		       strlen(sql) > 40 ? "..." : "");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static sqlite3_stmt *prep(struct store *st, const char *sql)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		st_sqlerr(st, "prepare");
		return NULL;
	}
	return s;
}

static int64_t now_s(void)
{
	return time(NULL);
}

/*
 * Roll back the open transaction, if any, after an error: its own
 * failure does not replace the message of the error that caused it.
 */
static void rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Durable transactions: synchronous=FULL for their commit. */
static int begin_durable(struct store *st)
{
	return exec(st, "PRAGMA synchronous=FULL") ?:
	       exec(st, "BEGIN IMMEDIATE");
}

/*
 * Commit, or roll back after @err.  A rollback's own failure, or one with
 * no transaction open (BEGIN failed), does not replace the message of the
 * error that caused it.
 */
static int commit_durable(struct store *st, int err)
{
	if (!err)
		err = exec(st, "COMMIT");
	if (err)
		rollback(st);
	sqlite3_exec(st->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	return err;
}

int store_schema_version(struct store *st)
{
	sqlite3_stmt *s = prep(st, "SELECT schema_version FROM meta");
	int v = -EIO;

	if (!s)
		return -EIO;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/*
 * Whether the database has our meta table (0 or 1: a table "meta" whose
 * one column is schema_version), and how many other objects it has in
 * @others; a negative errno.
 */
static int has_meta(struct store *st, int *others)
{
	sqlite3_stmt *s = prep(st, "SELECT count(*) FILTER (WHERE type = 'table'"
			       " AND name = 'meta'), count(*),"
			       " (SELECT group_concat(name) FROM"
			       "  pragma_table_info('meta')) FROM sqlite_master");
	const char *cols;
	int meta = -EIO;

	if (!s)
		return -EIO;
	if (sqlite3_step(s) == SQLITE_ROW) {
		meta = sqlite3_column_int(s, 0);
		*others = sqlite3_column_int(s, 1) - meta;
		cols = (const char *)sqlite3_column_text(s, 2);
		/* another program's table "meta" */
		if (meta && (!cols || strcmp(cols, "schema_version"))) {
			meta = 0;
			*others += 1;
		}
	} else {
		st_sqlerr(st, "schema");
	}
	sqlite3_finalize(s);
	return meta;
}

/*
 * A database without the meta table becomes a store only if it is empty
 * and the open may create one: checked before anything is written to it.
 */
static int check_store(struct store *st, bool create)
{
	int meta, others = 0;

	meta = has_meta(st, &others);
	if (meta < 0)
		return meta;
	if (!meta && (others || !create))
		return st_err(st, -EINVAL, others ?
			      "not an aiotsec store (a database of something else)" :
			      "not an aiotsec store (empty)");
	return 0;
}

static int migrate(struct store *st)
{
	sqlite3_stmt *s;
	int v, err;
	size_t i;

	err = exec(st, "BEGIN IMMEDIATE");
	if (err)
		return err;
	err = exec(st, "CREATE TABLE IF NOT EXISTS meta (schema_version INTEGER NOT NULL)");
	if (err)
		goto out;
	v = store_schema_version(st);
	if (v == -EIO) {
		/* an empty meta table: a new database */
		err = exec(st, "INSERT INTO meta (schema_version) VALUES (0)");
		if (err)
			goto out;
		v = 0;
	}
	if (v < 0 || (size_t)v > N_MIGRATIONS) {
		err = st_err(st, -EINVAL,
			     "schema version %d is newer than this program's %zu",
			     v, N_MIGRATIONS);
		goto out;
	}
	for (i = v; i < N_MIGRATIONS; i++) {
		err = exec(st, migrations[i]);
		if (err)
			goto out;
	}
	if ((size_t)v != N_MIGRATIONS) {
		s = prep(st, "UPDATE meta SET schema_version = ?");
		if (!s) {
			err = -EIO;
			goto out;
		}
		sqlite3_bind_int(s, 1, N_MIGRATIONS);
		if (sqlite3_step(s) != SQLITE_DONE)
			err = st_sqlerr(st, "schema version");
		sqlite3_finalize(s);
	}
out:
	if (!err)
		err = exec(st, "COMMIT");
	if (err)
		rollback(st);
	return err;
}

/* A store that others can read: a warning (its keys are everybody's). */
static void store_check_mode(struct store *st, const char *path, int fd)
{
	struct stat sb;

	if (fstat(fd, &sb) || !(sb.st_mode & (S_IRWXG | S_IRWXO)))
		return;
	snprintf(st->warning, sizeof(st->warning),
		 "store \"%.160s\" is accessible to group or others (mode %04o), and holds every device's K and OPc",
		 path, (unsigned int)(sb.st_mode & 07777));
}

static int store_open_at(const char *path, bool create, struct store **out,
			 char *errbuf, size_t errlen)
{
	struct store *st;
	int fd, err;

	*out = NULL;
	st = calloc(1, sizeof(*st));
	if (!st) {
		if (errbuf)
			snprintf(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	/* the file holds keys: create it private before SQLite does */
	fd = create ? open(path, O_RDWR | O_CLOEXEC | O_CREAT | O_EXCL, 0600) :
		      -1;
	if (fd >= 0) {
		struct stat sb;

		st->created = true;
		if (!fstat(fd, &sb)) {
			st->created_dev = sb.st_dev;
			st->created_ino = sb.st_ino;
		}
	}
	else if (!create || errno == EEXIST)
		fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		if (errbuf)
			snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		free(st);
		return err;
	}
	store_check_mode(st, path, fd);
	close(fd);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		err = st_sqlerr(st, path);
		goto fail;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	err = check_store(st, create) ?:
	      exec(st, "PRAGMA journal_mode=WAL") ?:
	      exec(st, "PRAGMA synchronous=NORMAL") ?:
	      exec(st, "PRAGMA foreign_keys=ON") ?:
	      /* a deleted device's K and OPc do not stay in free pages */
	      exec(st, "PRAGMA secure_delete=ON") ?:
	      migrate(st);
	if (err)
		goto fail;
	*out = st;
	return 0;
fail:
	if (errbuf)
		snprintf(errbuf, errlen, "%s: %s", path, st->errmsg);
	sqlite3_close(st->db);
	/* the file this open made, empty or with a schema it did not finish */
	if (st->created)
		unlink(path);
	free(st);
	return err;
}

int store_open(const char *path, struct store **st, char *err, size_t errlen)
{
	return store_open_at(path, true, st, err, errlen);
}

int store_open_existing(const char *path, struct store **st, char *err,
			size_t errlen)
{
	return store_open_at(path, false, st, err, errlen);
}

const char *store_warning(const struct store *st)
{
	return st && st->warning[0] ? st->warning : NULL;
}

bool store_created(const struct store *st)
{
	return st && st->created;
}

static int count_one(const struct store_device *d, void *arg)
{
	(void)d;
	(*(int *)arg)++;
	return 0;
}

int store_discard(struct store *st, const char *path)
{
	static const char *const ext[] = { "", "-wal", "-shm" };
	bool ours = false;
	char name[4096];
	struct stat sb;
	int n = 0;
	size_t i;

	if (st && st->created && !store_device_list(st, count_one, &n) && !n &&
	    !stat(path, &sb))
		ours = sb.st_dev == st->created_dev &&
		       sb.st_ino == st->created_ino;
	store_close(st);
	if (!ours)
		return -EBUSY;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (snprintf(name, sizeof(name), "%s%s", path, ext[i]) <
		    (int)sizeof(name))
			unlink(name);
	return 0;
}

/*
 * Copy the write-ahead log back and empty it, if that can be done at
 * once: waiting for readers would hold the writer lock meanwhile, and
 * keep aiotsecd from reserving SQNs.  Otherwise a later checkpoint does.
 */
static void checkpoint_now(struct store *st)
{
	sqlite3_busy_timeout(st->db, 0);
	sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
		     NULL);
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
}

void store_close(struct store *st)
{
	if (!st)
		return;
	store_audit_flush(st);
	checkpoint_now(st);
	tdestroy(st->sqn_blocks, free);
	sqlite3_close(st->db);
	explicit_bzero(st, sizeof(*st));
	free(st);
}

/* ---- devices ----------------------------------------------------- */

uint8_t store_profile_parse(const char *name)
{
	if (!strcmp(name, "inventory"))
		return AIOTSEC_PROFILE_INVENTORY;
	if (!strcmp(name, "command"))
		return AIOTSEC_PROFILE_COMMAND;
	return 0;
}

const char *store_profile_name(uint8_t profile)
{
	switch (profile) {
	case AIOTSEC_PROFILE_INVENTORY:
		return "inventory";
	case AIOTSEC_PROFILE_COMMAND:
		return "command";
	}
	return "unknown";
}

static bool pid_printable(const char *pid)
{
	for (; *pid; pid++)
		if (*pid < 0x21 || *pid > 0x7e)
			return false;
	return true;
}

static int device_insert(struct store *st, const struct store_device_spec *d)
{
	static const uint8_t amf_default[AKA_AMF_LEN] = {
		STORE_DEFAULT_AMF >> 8, STORE_DEFAULT_AMF & 0xff
	};
	sqlite3_stmt *s;
	uint8_t profile;
	size_t plen;
	int rc, err = 0;

	plen = d->pid ? strlen(d->pid) : 0;
	if (!plen || plen > AKA_PID_MAX)
		return st_err(st, -EINVAL, "PID must be 1 to %d octets",
			      AKA_PID_MAX);
	/* printed by aiotsecctl and in logs: nothing a terminal acts on */
	if (!pid_printable(d->pid))
		return st_err(st, -EINVAL,
			      "PID must be printable ASCII without spaces");
	if (d->k_len != AKA_KEY_LEN)
		return st_err(st, -EINVAL, "K must be %d octets, not %zu",
			      AKA_KEY_LEN, d->k_len);
	if (d->opc_len != AKA_KEY_LEN)
		return st_err(st, -EINVAL, "OPc must be %d octets, not %zu",
			      AKA_KEY_LEN, d->opc_len);
	profile = d->profile ? store_profile_parse(d->profile) : 0;
	if (!profile)
		return st_err(st, -EINVAL,
			      "unknown profile \"%s\" (inventory or command)",
			      d->profile ? d->profile : "");
	if (d->tid && d->tid_len != AKA_TID_LEN)
		return st_err(st, -EINVAL, "T-ID must be %d octets, not %zu",
			      AKA_TID_LEN, d->tid_len);
	if (d->amf && d->amf_len != AKA_AMF_LEN)
		return st_err(st, -EINVAL, "AMF must be %d octets, not %zu",
			      AKA_AMF_LEN, d->amf_len);
	/*
	 * The schema keeps current T-IDs unique; one that is another
	 * device's previous T-ID would take that device's place when it
	 * presents it (the current one is matched first)
	 */
	if (d->tid) {
		s = prep(st, "SELECT 1 FROM devices WHERE tid_previous = ?");
		if (!s)
			return -EIO;
		sqlite3_bind_blob(s, 1, d->tid, AKA_TID_LEN, SQLITE_STATIC);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc == SQLITE_ROW)
			return st_err(st, -EEXIST,
				      "another device has this T-ID as its previous one");
		if (rc != SQLITE_DONE)
			return st_sqlerr(st, "T-ID lookup");
	}

	/* a T-ID given here is the device's: confirmed */
	s = prep(st, "INSERT INTO devices (pid, k, opc, amf, profile, sqn,"
		 " tid_current, created, tid_confirmed)"
		 " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?7 IS NOT NULL)");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, d->pid, plen, SQLITE_STATIC);
	sqlite3_bind_blob(s, 2, d->k, AKA_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(s, 3, d->opc, AKA_KEY_LEN, SQLITE_STATIC);
	sqlite3_bind_blob(s, 4, d->amf ? d->amf : amf_default, AKA_AMF_LEN,
			  SQLITE_STATIC);
	sqlite3_bind_int(s, 5, profile);
	sqlite3_bind_int64(s, 6, STORE_SQN_FIRST);
	if (d->tid)
		sqlite3_bind_blob(s, 7, d->tid, AKA_TID_LEN, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, 7);
	sqlite3_bind_int64(s, 8, now_s());
	rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT) {
		struct store_device tmp;
		bool dup_pid;
		char m[128];

		snprintf(m, sizeof(m), "%s", sqlite3_errmsg(st->db));
		sqlite3_finalize(s);
		s = NULL;
		dup_pid = !store_device_by_pid(st, (const uint8_t *)d->pid,
					       plen, &tmp);
		explicit_bzero(&tmp, sizeof(tmp));
		if (dup_pid || strstr(m, "devices.pid"))
			err = st_err(st, -EEXIST, "a device with PID \"%s\" exists",
				     d->pid);
		else if (strstr(m, "tid_current"))
			err = st_err(st, -EEXIST, "another device has this T-ID");
		else
			err = st_err(st, -EINVAL, "%s", m);
	} else if (rc != SQLITE_DONE) {
		err = st_sqlerr(st, "insert device");
	}
	sqlite3_finalize(s);
	return err;
}

int store_device_add(struct store *st, const struct store_device_spec *spec)
{
	return device_insert(st, spec);
}

/*
 * @pid as it can be shown in a message: a non-printable octet as \xNN
 * (a PID given on a command line has not been checked), cut short if
 * long.
 */
static const char *pid_shown(const char *pid, char shown[PID_SHOWN_LEN])
{
	size_t n = 0;

	for (; *pid && n + 5 < PID_SHOWN_LEN; pid++) {
		unsigned char c = (unsigned char)*pid;

		if (c >= 0x20 && c < 0x7f && c != '\\')
			shown[n++] = (char)c;
		else
			n += (size_t)snprintf(shown + n, PID_SHOWN_LEN - n,
					      "\\x%02x", c);
	}
	shown[n] = '\0';
	return shown;
}

int store_device_del(struct store *st, const char *pid)
{
	sqlite3_stmt *s = prep(st, "DELETE FROM devices WHERE pid = ?");
	char shown[PID_SHOWN_LEN];
	int err = 0;

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, pid, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		err = st_sqlerr(st, "delete device");
	else if (!sqlite3_changes(st->db))
		err = st_err(st, -ENOENT, "no device with PID \"%s\"",
			     pid_shown(pid, shown));
	sqlite3_finalize(s);
	/*
	 * The write-ahead log still holds the pages with the keys: copy it
	 * back and empty it.  Best effort: a reader in the middle of a
	 * transaction (aiotsecd) defers it to a later checkpoint.
	 */
	if (!err)
		checkpoint_now(st);
	return err;
}

int store_device_set_disabled(struct store *st, const char *pid, bool dis)
{
	sqlite3_stmt *s = prep(st, "UPDATE devices SET disabled = ? WHERE pid = ?");
	char shown[PID_SHOWN_LEN];
	int err = 0;

	if (!s)
		return -EIO;
	sqlite3_bind_int(s, 1, dis);
	sqlite3_bind_text(s, 2, pid, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		err = st_sqlerr(st, "update device");
	else if (!sqlite3_changes(st->db))
		err = st_err(st, -ENOENT, "no device with PID \"%s\"",
			     pid_shown(pid, shown));
	sqlite3_finalize(s);
	return err;
}

int store_changed(struct store *st, bool *changed)
{
	sqlite3_stmt *s = prep(st, "PRAGMA data_version");
	int64_t v;
	int err = 0;

	if (!s)
		return -EIO;
	if (sqlite3_step(s) != SQLITE_ROW) {
		err = st_sqlerr(st, "data_version");
	} else {
		v = sqlite3_column_int64(s, 0);
		*changed = st->data_version && v != st->data_version;
		st->data_version = v;
	}
	sqlite3_finalize(s);
	return err;
}

#define DEVICE_COLS "id, pid, k, opc, amf, profile, sqn, tid_current," \
		    " tid_previous, disabled, created, tid_confirmed"

static void blob_col(sqlite3_stmt *s, int col, uint8_t *dst, size_t len,
		     bool *present)
{
	const void *p = sqlite3_column_blob(s, col);
	bool ok = p && (size_t)sqlite3_column_bytes(s, col) == len;

	if (ok)
		memcpy(dst, p, len);
	else
		memset(dst, 0, len);
	if (present)
		*present = ok;
}

static void device_row(sqlite3_stmt *s, struct store_device *d)
{
	const unsigned char *pid;

	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(s, 0);
	pid = sqlite3_column_text(s, 1);
	if (pid)
		snprintf(d->pid, sizeof(d->pid), "%s", pid);
	blob_col(s, 2, d->k, AKA_KEY_LEN, NULL);
	blob_col(s, 3, d->opc, AKA_KEY_LEN, NULL);
	blob_col(s, 4, d->amf, AKA_AMF_LEN, NULL);
	d->profile = sqlite3_column_int(s, 5);
	d->sqn = sqlite3_column_int64(s, 6);
	blob_col(s, 7, d->tid_current, AKA_TID_LEN, &d->has_tid_current);
	blob_col(s, 8, d->tid_previous, AKA_TID_LEN, &d->has_tid_previous);
	d->disabled = sqlite3_column_int(s, 9);
	d->created = sqlite3_column_int64(s, 10);
	d->tid_confirmed = sqlite3_column_int(s, 11);
}

/* Step @s (bound) for one device row; -ENOENT when there is none. */
static int device_one(struct store *st, sqlite3_stmt *s,
		      struct store_device *d)
{
	int rc = sqlite3_step(s), err = 0;

	if (rc == SQLITE_ROW)
		device_row(s, d);
	else if (rc == SQLITE_DONE)
		err = st_err(st, -ENOENT, "no such device");
	else
		err = st_sqlerr(st, "device lookup");
	sqlite3_finalize(s);
	return err;
}

int store_device_list(struct store *st,
		      int (*cb)(const struct store_device *d, void *arg),
		      void *arg)
{
	/* K and OPc are not read: a listing shows neither */
	sqlite3_stmt *s = prep(st, "SELECT id, pid, NULL, NULL, amf, profile,"
			       " sqn, tid_current, tid_previous, disabled,"
			       " created, tid_confirmed FROM devices ORDER BY pid");
	struct store_device d;
	int rc, err = 0;

	if (!s)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		device_row(s, &d);
		err = cb(&d, arg);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = st_sqlerr(st, "device list");
	explicit_bzero(&d, sizeof(d));
	sqlite3_finalize(s);
	return err;
}

int store_device_by_id(struct store *st, int64_t id, struct store_device *d)
{
	sqlite3_stmt *s = prep(st, "SELECT " DEVICE_COLS " FROM devices WHERE id = ?");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	return device_one(st, s, d);
}

int store_device_by_pid(struct store *st, const uint8_t *pid, size_t len,
			struct store_device *d)
{
	sqlite3_stmt *s = prep(st, "SELECT " DEVICE_COLS " FROM devices WHERE pid = ?");

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, (const char *)pid, len, SQLITE_STATIC);
	return device_one(st, s, d);
}

int store_device_by_tid(struct store *st, const uint8_t tid[AKA_TID_LEN],
			struct store_device *d)
{
	sqlite3_stmt *s;
	int err;

	s = prep(st, "SELECT " DEVICE_COLS " FROM devices WHERE tid_current = ?");
	if (!s)
		return -EIO;
	sqlite3_bind_blob(s, 1, tid, AKA_TID_LEN, SQLITE_STATIC);
	err = device_one(st, s, d);
	if (err != -ENOENT)
		return err;
	s = prep(st, "SELECT " DEVICE_COLS " FROM devices WHERE tid_previous = ?");
	if (!s)
		return -EIO;
	sqlite3_bind_blob(s, 1, tid, AKA_TID_LEN, SQLITE_STATIC);
	return device_one(st, s, d);
}

/* ---- import ------------------------------------------------------ */

/*
 * Decode the hex field @what into @buf, which has room for @len octets
 * and one more: a value one octet too long is left for device_insert()
 * to name; a longer one is named here, as what it is.
 */
static ssize_t import_hex(struct store *st, const char *what, const char *hex,
			  uint8_t *buf, size_t len)
{
	size_t n, i;

	/* 0x, as aiotsecctl's --tid and --amf and key files take it */
	if (hex[0] == '0' && (hex[1] | 0x20) == 'x')
		hex += 2;
	n = strlen(hex);
	for (i = 0; i < n; i++)
		if (hex_digit((unsigned char)hex[i]) < 0)
			break;
	if (i < n || n % 2)
		return st_err(st, -EINVAL, "%s is not hex", what);
	if (n / 2 > len + 1)
		return st_err(st, -EINVAL, "%s must be %zu octets, not %zu",
			      what, len, n / 2);
	return hex_decode(hex, buf, len + 1);
}

/*
 * Insert one device from its text fields: PID, K, OPc (hex), profile,
 * T-ID (hex; NULL, empty or "-": none) and AMF (hex; NULL or empty:
 * the default).
 */
static int import_fields(struct store *st, const char *pid, const char *khex,
			 const char *opchex, const char *profile,
			 const char *tidhex, const char *amfhex)
{
	uint8_t k[AKA_KEY_LEN + 1], opc[AKA_KEY_LEN + 1], tid[AKA_TID_LEN + 1],
		amf[AKA_AMF_LEN + 1];
	struct store_device_spec spec = { .pid = pid, .profile = profile };
	ssize_t n;
	int err;

	n = import_hex(st, "K", khex, k, AKA_KEY_LEN);
	if (n < 0)
		return n;
	spec.k = k;
	spec.k_len = n;
	n = import_hex(st, "OPc", opchex, opc, AKA_KEY_LEN);
	if (n < 0) {
		err = n;
		goto out;
	}
	spec.opc = opc;
	spec.opc_len = n;
	/* no T-ID yet: the device presents a SUCI */
	if (tidhex && *tidhex && strcmp(tidhex, "-")) {
		n = import_hex(st, "T-ID", tidhex, tid, AKA_TID_LEN);
		if (n < 0) {
			err = n;
			goto out;
		}
		spec.tid = tid;
		spec.tid_len = n;
	}
	if (amfhex && *amfhex) {
		n = import_hex(st, "AMF", amfhex, amf, AKA_AMF_LEN);
		if (n < 0) {
			err = n;
			goto out;
		}
		spec.amf = amf;
		spec.amf_len = n;
	}
	err = device_insert(st, &spec);
out:
	explicit_bzero(k, sizeof(k));
	explicit_bzero(opc, sizeof(opc));
	return err;
}

/* Parse and insert one CSV line (comments and blanks removed). */
static int import_line(struct store *st, char *line)
{
	char *f[7], *p = line;
	int nf = 0;

	while (nf < 7) {
		f[nf++] = str_trim(strsep(&p, ","));
		if (!p)
			break;
	}
	if (p || nf < 5 || nf > 6) {
		/* the fields not split off yet: one more than their commas */
		while (p) {
			nf++;
			p = strchr(p, ',');
			if (p)
				p++;
		}
		return st_err(st, -EINVAL,
			      "expected pid,k_hex,opc_hex,profile,tid_hex[,amf_hex] (%d fields)",
			      nf);
	}
	return import_fields(st, f[0], f[1], f[2], f[3], f[4],
			     nf == 6 ? f[5] : NULL);
}

/* Prefix the error message with "@what @n: ". */
static int st_prefix(struct store *st, int err, const char *what, unsigned n)
{
	char msg[sizeof(st->errmsg)];

	memcpy(msg, st->errmsg, sizeof(msg));
	return st_err(st, err, "%s %u: %.200s", what, n, msg);
}

static int import_csv(struct store *st, char *text, unsigned *count)
{
	char *line, *next = text, *c, *t;
	unsigned lineno = 0;
	int err;

	while ((line = strsep(&next, "\n"))) {
		lineno++;
		c = strchr(line, '#');
		if (c)
			*c = '\0';
		t = str_trim(line);
		if (!*t)
			continue;
		err = import_line(st, t);
		if (err)
			return st_prefix(st, err, "line", lineno);
		(*count)++;
	}
	return 0;
}

/*
 * A JSON array of objects with the string members "pid", "k", "opc",
 * "profile", and optionally "tid" (or null) and "amf", parsed by SQLite's
 * JSON functions.
 */
static int import_json(struct store *st, const char *text, unsigned *count)
{
	static const char *const member[] = {
		"pid", "k", "opc", "profile", "tid", "amf"
	};
	sqlite3_stmt *s;
	const char *v[6];
	int rc, i, err = 0;

	s = prep(st,
		 "SELECT e.key, e.type,"
		 " (SELECT m.key FROM json_each(e.value) m WHERE e.type = 'object'"
		 "  AND m.key NOT IN ('pid', 'k', 'opc', 'profile', 'tid', 'amf')),"
		 " (SELECT min(m.key) FROM json_each(e.value) m"
		 "  WHERE e.type = 'object' GROUP BY m.key HAVING count(*) > 1),"
		 " json_type(e.value, '$.pid'), json_extract(e.value, '$.pid'),"
		 " json_type(e.value, '$.k'), json_extract(e.value, '$.k'),"
		 " json_type(e.value, '$.opc'), json_extract(e.value, '$.opc'),"
		 " json_type(e.value, '$.profile'), json_extract(e.value, '$.profile'),"
		 " json_type(e.value, '$.tid'), json_extract(e.value, '$.tid'),"
		 " json_type(e.value, '$.amf'), json_extract(e.value, '$.amf')"
		 " FROM json_each(?1) e");
	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	while (!err && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		int idx = sqlite3_column_int(s, 0);

		if (strcmp((const char *)sqlite3_column_text(s, 1), "object")) {
			err = st_err(st, -EINVAL, "device %d: not an object", idx);
			break;
		}
		if (sqlite3_column_type(s, 2) != SQLITE_NULL) {
			err = st_err(st, -EINVAL, "device %d: unknown member \"%.40s\"",
				     idx, sqlite3_column_text(s, 2));
			break;
		}
		/* SQLite would take one of them and say nothing */
		if (sqlite3_column_type(s, 3) != SQLITE_NULL) {
			err = st_err(st, -EINVAL, "device %d: member \"%.40s\" given twice",
				     idx, sqlite3_column_text(s, 3));
			break;
		}
		for (i = 0; i < 6; i++) {
			const char *type = (const char *)sqlite3_column_text(s, 4 + 2 * i);

			v[i] = NULL;
			if (type && !strcmp(type, "text"))
				v[i] = (const char *)sqlite3_column_text(s, 5 + 2 * i);
			else if (i < 4 || (type && strcmp(type, "null")))
				break;
		}
		if (i < 6) {
			err = st_err(st, -EINVAL, "device %d: \"%s\" %s", idx,
				     member[i], i < 4 ? "missing or not a string"
						      : "not a string");
			break;
		}
		err = import_fields(st, v[0], v[1], v[2], v[3], v[4], v[5]);
		if (err)
			st_prefix(st, err, "device", idx);
		else
			(*count)++;
	}
	if (!err && rc != SQLITE_DONE)
		err = st_sqlerr(st, "import");
	sqlite3_finalize(s);
	return err;
}

/* Whether a string of the JSON @text has the escape \u0000 (NUL). */
static bool json_has_nul(const char *text)
{
	for (; *text; text++) {
		if (*text != '\\')
			continue;
		if (!strncmp(text + 1, "u0000", 5))
			return true;
		if (!*++text)		/* the escaped character, skipped */
			break;
	}
	return false;
}

/* 0 when @text is a JSON array; the error names what it is instead. */
static int json_check_array(struct store *st, const char *text)
{
	sqlite3_stmt *s = prep(st, "SELECT json_valid(?1), json_type(?1)");
	int err = 0;

	if (!s)
		return -EIO;
	sqlite3_bind_text(s, 1, text, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW || !sqlite3_column_int(s, 0))
		err = st_err(st, -EINVAL, "not valid JSON");
	else if (strcmp((const char *)sqlite3_column_text(s, 1), "array"))
		err = st_err(st, -EINVAL, "not a JSON array of devices");
	/* SQLite would end the string there: "a\u0000b" would read as "a" */
	else if (json_has_nul(text))
		err = st_err(st, -EINVAL, "a string holds \\u0000 (NUL)");
	sqlite3_finalize(s);
	return err;
}

#define STORE_IMPORT_MAX	(64u << 20)	/* octets of an import file */

/*
 * Read all of @f (at most @max octets) into a NUL-terminated buffer of
 * *@cap octets, *@len of them read.
 */
static char *read_all(FILE *f, size_t max, size_t *cap, size_t *len_out)
{
	size_t len = 0, n;
	char *buf = NULL, *p;

	*cap = 0;
	for (;;) {
		if (len + 1 >= *cap) {
			if (*cap >= max) {
				errno = EFBIG;
				break;
			}
			/* not realloc(): the old buffer is wiped, not left */
			p = malloc(*cap ? 2 * *cap : 65536);
			if (!p)
				break;
			if (buf) {
				memcpy(p, buf, len);
				explicit_bzero(buf, *cap);
				free(buf);
			}
			buf = p;
			*cap = *cap ? 2 * *cap : 65536;
		}
		n = fread(buf + len, 1, *cap - len - 1, f);
		len += n;
		if (n == 0) {
			if (ferror(f))
				break;
			buf[len] = '\0';
			*len_out = len;
			return buf;
		}
	}
	if (buf) {
		explicit_bzero(buf, *cap);
		free(buf);
	}
	return NULL;
}

int store_device_import(struct store *st, const char *path, unsigned *count)
{
	char msg[sizeof(st->errmsg) + 32];
	unsigned n = 0;
	size_t cap, len = 0;
	char *text, *body;
	FILE *f;
	int err;

	f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	if (!f)
		return st_err(st, -errno, "%s", strerror(errno));
	/* K and OPc go straight into read_all()'s buffer, which is wiped */
	setvbuf(f, NULL, _IONBF, 0);
	text = read_all(f, STORE_IMPORT_MAX, &cap, &len);
	err = text ? 0 : st_err(st, -errno, "%s", strerror(errno));
	if (f != stdin)
		fclose(f);
	/* the parsers would stop at it, and import only what precedes */
	if (!err && memchr(text, '\0', len))
		err = st_err(st, -EINVAL,
			      "a NUL octet at offset %zu: not CSV or JSON text",
			      (size_t)((char *)memchr(text, '\0', len) - text));
	if (!err)
		err = exec(st, "BEGIN IMMEDIATE");
	if (err)
		goto out;
	/* a UTF-8 byte order mark, as some editors write it, is no text */
	body = strncmp(text, "\xef\xbb\xbf", 3) ? text : text + 3;
	if (*str_trim(body) == '[' || *str_trim(body) == '{')
		err = json_check_array(st, str_trim(body)) ?:
		      import_json(st, str_trim(body), &n);
	else
		err = import_csv(st, body, &n);
	if (err) {
		rollback(st);
		snprintf(msg, sizeof(msg), "%s", st->errmsg);
		st_err(st, err, "%.*s", (int)sizeof(st->errmsg) - 1, msg);
	} else {
		err = exec(st, "COMMIT");
		if (err)
			rollback(st);
	}
out:
	if (text) {
		explicit_bzero(text, cap);
		free(text);
	}
	if (count)
		*count = err ? 0 : n;
	return err;
}

/* ---- SQN and T-ID ------------------------------------------------ */

static int update_one(struct store *st, sqlite3_stmt *s, const char *what)
{
	int err = 0;

	if (sqlite3_step(s) != SQLITE_DONE)
		err = st_sqlerr(st, what);
	else if (!sqlite3_changes(st->db))
		err = st_err(st, -ENOENT, "%s: no such device", what);
	sqlite3_finalize(s);
	return err;
}

/* The device's next SQN, inside a transaction. */
static int sqn_read(struct store *st, int64_t id, uint64_t *v)
{
	sqlite3_stmt *s = prep(st, "SELECT sqn FROM devices WHERE id = ?");
	int rc, err = 0;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	else if (rc == SQLITE_DONE)
		err = st_err(st, -ENOENT, "SQN: no such device");
	else
		err = st_sqlerr(st, "SQN");
	sqlite3_finalize(s);
	return err;
}

/* Write the next SQN, with this connection's lease token if @leased. */
static int sqn_write(struct store *st, int64_t id, uint64_t next, bool leased)
{
	sqlite3_stmt *s = prep(st, "UPDATE devices SET sqn = ?, sqn_lease = ?"
			       " WHERE id = ?");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, next);
	if (leased)
		sqlite3_bind_int64(s, 2, st->sqn_lease);
	else
		sqlite3_bind_null(s, 2);
	sqlite3_bind_int64(s, 3, id);
	return update_one(st, s, "SQN");
}

static int sqn_block_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct sqn_block *)a)->id;
	int64_t y = ((const struct sqn_block *)b)->id;

	return (x > y) - (x < y);
}

static struct sqn_block *sqn_block_find(struct store *st, int64_t id)
{
	struct sqn_block key = { .id = id }, **b;

	b = tfind(&key, &st->sqn_blocks, sqn_block_cmp);
	return b ? *b : NULL;
}

static void sqn_block_drop(struct store *st, int64_t id)
{
	struct sqn_block *b = sqn_block_find(st, id);

	if (b) {
		tdelete(b, &st->sqn_blocks, sqn_block_cmp);
		free(b);
	}
}

/* Remember [next, end) for @id; without memory, nothing (all is still safe). */
static void sqn_block_keep(struct store *st, int64_t id, uint64_t next,
			   uint64_t end)
{
	struct sqn_block *b = sqn_block_find(st, id), **slot;

	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return;
		b->id = id;
		slot = tsearch(b, &st->sqn_blocks, sqn_block_cmp);
		if (!slot || *slot != b) {
			free(b);
			return;
		}
	}
	b->next = next;
	b->end = end;
}

/*
 * The next SQN of @id's block, if it is still valid; else -ENOENT.  The
 * check and the hand-out are not one transaction: another daemon's
 * resync of the same device committed between them goes unseen by this
 * SQN (the device answers it with a SYNC_FAILURE), never by the next.
 */
static int sqn_from_block(struct store *st, int64_t id, uint64_t *sqn)
{
	struct sqn_block *b = sqn_block_find(st, id);
	bool valid = false;
	sqlite3_stmt *s;
	int rc;

	if (!b)
		return -ENOENT;
	s = prep(st, "SELECT sqn, sqn_lease FROM devices WHERE id = ?");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		valid = (uint64_t)sqlite3_column_int64(s, 0) == b->end &&
			sqlite3_column_int64(s, 1) == st->sqn_lease &&
			b->next < b->end;
	else if (rc != SQLITE_DONE)
		st_sqlerr(st, "SQN");
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -EIO;
	if (!valid) {
		sqn_block_drop(st, id);
		return -ENOENT;
	}
	*sqn = b->next++;
	return 0;
}

/* This connection's lease token, drawn at its first reservation. */
static bool sqn_lease_ready(struct store *st)
{
	uint64_t v;

	if (st->sqn_lease)
		return true;
	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		return false;
	st->sqn_lease = (int64_t)(v >> 1) | 1;
	return true;
}

int store_sqn_reserve(struct store *st, int64_t id, uint64_t *sqn)
{
	uint64_t v = 0, end = 0;
	bool leased;
	int err;

	err = sqn_from_block(st, id, sqn);
	if (err != -ENOENT)
		return err;
	/* without a lease token, one SQN at a time */
	leased = sqn_lease_ready(st);
	err = begin_durable(st);
	if (err)
		return commit_durable(st, err);
	err = sqn_read(st, id, &v);
	if (!err && (v < 1 || v > AKA_SQN_MAX))
		err = st_err(st, -ERANGE, "SQN exhausted");
	if (!err) {
		end = v + (leased ? STORE_SQN_BLOCK : 1);
		if (end > AKA_SQN_MAX + 1)
			end = AKA_SQN_MAX + 1;
		err = sqn_write(st, id, end, leased);
	}
	err = commit_durable(st, err);
	if (err)
		return err;
	if (leased)
		sqn_block_keep(st, id, v + 1, end);
	*sqn = v;
	return 0;
}

int store_sqn_set(struct store *st, int64_t id, uint64_t next)
{
	int err;

	if (next < 1 || next > AKA_SQN_MAX + 1)
		return st_err(st, -ERANGE, "SQN out of range");
	/* no lease token: every block of the device ends at its next use */
	err = begin_durable(st);
	if (err)
		return commit_durable(st, err);
	return commit_durable(st, sqn_write(st, id, next, false));
}

int store_sqn_resync(struct store *st, int64_t id, uint64_t sqn_d)
{
	uint64_t v = 0;
	int err;

	/* every block of the device goes, this connection's and the others' */
	sqn_block_drop(st, id);
	if (sqn_d >= AKA_SQN_MAX)
		return st_err(st, -ERANGE, "SQN out of range");
	err = begin_durable(st);
	if (err)
		return commit_durable(st, err);
	err = sqn_read(st, id, &v);
	/* a next SQN the device takes as fresh stays: it never goes back */
	if (!err && !(v > sqn_d && v - sqn_d <= AKA_SQN_AHEAD_MAX))
		v = sqn_d + 1;
	if (!err)
		err = sqn_write(st, id, v, false);
	return commit_durable(st, err);
}

int store_tid_assign(struct store *st, int64_t id, uint8_t tid[AKA_TID_LEN],
		     const uint8_t presented[AKA_TID_LEN])
{
	bool has_current = false;
	uint8_t current[AKA_TID_LEN];
	sqlite3_stmt *s;
	int err, rc;

	err = begin_durable(st);
	if (err)
		return commit_durable(st, err);
	s = prep(st, "SELECT tid_current, tid_confirmed FROM devices"
		 " WHERE id = ?");
	if (!s)
		return commit_durable(st, -EIO);
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		blob_col(s, 0, current, AKA_TID_LEN, &has_current);
		/*
		 * unconfirmed: the device holds it or the previous one; the
		 * previous one presented: the device may have gone back to
		 * it (a stale T-ID-ASSIGN replayed to it)
		 */
		if (has_current && (!sqlite3_column_int(s, 1) ||
				    (presented &&
				     memcmp(presented, current, AKA_TID_LEN)))) {
			memcpy(tid, current, AKA_TID_LEN);
			sqlite3_finalize(s);
			return commit_durable(st, 0);
		}
	} else {
		err = rc == SQLITE_DONE ?
		      st_err(st, -ENOENT, "no device %lld", (long long)id) :
		      st_sqlerr(st, "T-ID");
	}
	sqlite3_finalize(s);
	if (err)
		return commit_durable(st, err);
	s = prep(st, "UPDATE devices SET tid_previous ="
		 " coalesce(tid_current, tid_previous),"
		 " tid_current = ?1, tid_confirmed = 0 WHERE id = ?2");
	if (!s)
		return commit_durable(st, -EIO);
	sqlite3_bind_blob(s, 1, tid, AKA_TID_LEN, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, id);
	return commit_durable(st, update_one(st, s, "T-ID"));
}

int store_tid_confirm(struct store *st, int64_t id,
		      const uint8_t tid[AKA_TID_LEN])
{
	/* the previous T-ID confirmed: the device went back to it */
	sqlite3_stmt *s = prep(st, "UPDATE devices SET tid_confirmed ="
			       " coalesce(tid_current = ?2, 0) WHERE id = ?1"
			       " AND ?2 IN (tid_current, tid_previous)");
	int err = 0;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_blob(s, 2, tid, AKA_TID_LEN, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		err = st_sqlerr(st, "T-ID confirmation");
	else if (!sqlite3_changes(st->db))
		err = st_err(st, -ENOENT, "not one of the device's T-IDs");
	sqlite3_finalize(s);
	return err;
}

/* ---- sessions ---------------------------------------------------- */

int store_session_add(struct store *st, uint32_t sid, int64_t device,
		      uint8_t suite, const char *link)
{
	sqlite3_stmt *s = prep(st, "INSERT INTO sessions (sid, device, suite,"
			       " created, link) VALUES (?, ?, ?, ?, ?)");
	int rc, err = 0;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, sid);
	sqlite3_bind_int64(s, 2, device);
	sqlite3_bind_int(s, 3, suite);
	sqlite3_bind_int64(s, 4, now_s());
	sqlite3_bind_text(s, 5, link, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(st->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
		err = st_err(st, -ENOENT, "no device %lld", (long long)device);
	else if (rc == SQLITE_CONSTRAINT)
		err = st_err(st, -EEXIST, "session 0x%08x exists", sid);
	else if (rc != SQLITE_DONE)
		err = st_sqlerr(st, "insert session");
	sqlite3_finalize(s);
	return err;
}

int store_session_del(struct store *st, uint32_t sid)
{
	sqlite3_stmt *s = prep(st, "DELETE FROM sessions WHERE sid = ?");
	int err = 0;

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, sid);
	if (sqlite3_step(s) != SQLITE_DONE)
		err = st_sqlerr(st, "delete session");
	else if (!sqlite3_changes(st->db))
		err = st_err(st, -ENOENT, "no session 0x%08x", sid);
	sqlite3_finalize(s);
	return err;
}

#define SESSION_COLS	"sid, device, suite, created, link"

/* A row of SESSION_COLS. */
static void session_row(sqlite3_stmt *s, struct store_session *out)
{
	out->sid = sqlite3_column_int64(s, 0);
	out->device = sqlite3_column_int64(s, 1);
	out->suite = sqlite3_column_int(s, 2);
	out->created = sqlite3_column_int64(s, 3);
	snprintf(out->link, sizeof(out->link), "%s",
		 (const char *)sqlite3_column_text(s, 4) ?: "");
}

static int session_one(struct store *st, sqlite3_stmt *s,
		       struct store_session *out)
{
	int rc = sqlite3_step(s), err = 0;

	if (rc == SQLITE_ROW) {
		session_row(s, out);
	} else if (rc == SQLITE_DONE) {
		err = st_err(st, -ENOENT, "no such session");
	} else {
		err = st_sqlerr(st, "session lookup");
	}
	sqlite3_finalize(s);
	return err;
}

int store_session_get(struct store *st, uint32_t sid,
		      struct store_session *out)
{
	sqlite3_stmt *s = prep(st, "SELECT " SESSION_COLS
			       " FROM sessions WHERE sid = ?");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, sid);
	return session_one(st, s, out);
}

int store_session_by_device(struct store *st, int64_t device,
			    struct store_session *out)
{
	sqlite3_stmt *s = prep(st, "SELECT " SESSION_COLS
			       " FROM sessions WHERE device = ?"
			       " ORDER BY created DESC, rowid DESC LIMIT 1");

	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, device);
	return session_one(st, s, out);
}

int store_session_list(struct store *st,
		       int (*cb)(const struct store_session *s, void *arg),
		       void *arg)
{
	sqlite3_stmt *s = prep(st, "SELECT " SESSION_COLS
			       " FROM sessions ORDER BY sid");
	struct store_session ss;
	int rc, err = 0;

	if (!s)
		return -EIO;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		session_row(s, &ss);
		err = cb(&ss, arg);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = st_sqlerr(st, "session list");
	sqlite3_finalize(s);
	return err;
}

/* ---- audit ------------------------------------------------------- */

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int store_audit(struct store *st, const char *device, const char *mode,
		const char *outcome, const char *cause)
{
	struct store_audit_entry *e;
	int err = 0;

	if (st->n_audit == STORE_AUDIT_BATCH) {
		err = store_audit_flush(st);
		if (err && st->n_audit == STORE_AUDIT_BATCH)
			return err;	/* the entry is lost */
	}
	e = &st->audit[st->n_audit++];
	e->time = now_real();
	snprintf(e->device, sizeof(e->device), "%s", device ? device : "");
	snprintf(e->mode, sizeof(e->mode), "%s", mode ? mode : "");
	snprintf(e->outcome, sizeof(e->outcome), "%s", outcome ? outcome : "");
	snprintf(e->cause, sizeof(e->cause), "%s", cause ? cause : "");
	if (st->n_audit == STORE_AUDIT_BATCH)
		err = store_audit_flush(st);
	return err;
}

unsigned store_audit_pending(const struct store *st)
{
	return st->n_audit;
}

int store_audit_flush(struct store *st)
{
	sqlite3_stmt *s;
	unsigned i;
	int err;

	if (!st->n_audit)
		return 0;
	err = exec(st, "BEGIN IMMEDIATE");
	if (err)
		return err;
	s = prep(st, "INSERT INTO audit (time, device, mode, outcome, cause)"
		 " VALUES (?, ?, ?, ?, ?)");
	if (!s) {
		rollback(st);
		return -EIO;
	}
	for (i = 0; i < st->n_audit && !err; i++) {
		const struct store_audit_entry *e = &st->audit[i];

		sqlite3_reset(s);
		sqlite3_bind_double(s, 1, e->time);
		sqlite3_bind_text(s, 2, e->device, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, e->mode, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, e->outcome, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, e->cause, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			err = st_sqlerr(st, "audit");
	}
	sqlite3_finalize(s);
	if (!err)
		err = exec(st, "COMMIT");
	if (err) {
		rollback(st);
		return err;
	}
	st->n_audit = 0;
	return 0;
}

/* Delete the oldest @n rows matching @where; the number, or -errno. */
static int audit_delete_oldest(struct store *st, const char *where, int64_t n)
{
	char sql[256];
	sqlite3_stmt *s;
	int err;

	snprintf(sql, sizeof(sql), "DELETE FROM audit WHERE id IN (SELECT id"
		 " FROM audit%s ORDER BY id LIMIT ?)", where);
	s = prep(st, sql);
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, n);
	if (sqlite3_step(s) != SQLITE_DONE)
		err = st_sqlerr(st, "audit prune");
	else
		err = sqlite3_changes(st->db);
	sqlite3_finalize(s);
	return err;
}

int store_audit_prune(struct store *st, uint64_t keep, unsigned max)
{
	sqlite3_stmt *s;
	int64_t over = 0;
	int err, n;

	err = store_audit_flush(st);
	if (err)
		return err;
	s = prep(st, "SELECT count(*) FROM audit");
	if (!s)
		return -EIO;
	if (sqlite3_step(s) == SQLITE_ROW)
		over = sqlite3_column_int64(s, 0);
	else
		err = st_sqlerr(st, "audit count");
	sqlite3_finalize(s);
	if (err)
		return err;
	if (keep >= (uint64_t)over)
		return 0;
	over -= (int64_t)keep;
	if (over > max)
		over = max;
	/* what anybody on the air can cause goes first */
	n = audit_delete_oldest(st, " WHERE outcome IN " STORE_AUDIT_UNAUTH,
				over);
	if (n < 0 || n == over)
		return n;
	err = audit_delete_oldest(st, "", over - n);
	return err < 0 ? err : n + err;
}

int store_audit_list(struct store *st, unsigned max,
		     int (*cb)(const struct store_audit_entry *e, void *arg),
		     void *arg)
{
	struct store_audit_entry e;
	sqlite3_stmt *s;
	int rc, err;

	err = store_audit_flush(st);
	if (err)
		return err;
	s = prep(st, "SELECT time, device, mode, outcome, cause FROM"
		 " (SELECT * FROM audit ORDER BY id DESC LIMIT ?) ORDER BY id");
	if (!s)
		return -EIO;
	sqlite3_bind_int64(s, 1, max);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&e, 0, sizeof(e));
		e.time = sqlite3_column_double(s, 0);
		snprintf(e.device, sizeof(e.device), "%s",
			 (const char *)sqlite3_column_text(s, 1) ?: "");
		snprintf(e.mode, sizeof(e.mode), "%s",
			 (const char *)sqlite3_column_text(s, 2) ?: "");
		snprintf(e.outcome, sizeof(e.outcome), "%s",
			 (const char *)sqlite3_column_text(s, 3) ?: "");
		snprintf(e.cause, sizeof(e.cause), "%s",
			 (const char *)sqlite3_column_text(s, 4) ?: "");
		err = cb(&e, arg);
		if (err)
			break;
	}
	if (!err && rc != SQLITE_DONE)
		err = st_sqlerr(st, "audit list");
	sqlite3_finalize(s);
	return err;
}
