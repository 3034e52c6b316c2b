/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The network's store of aiotsec (Documentation/protocol.rst): device
 * credentials, SQN and T-IDs, sessions and the audit trail, in SQLite.
 *
 * The database runs in WAL mode with synchronous=NORMAL; the operations
 * whose result leaves the host in a frame (SQN reservation, SQN resync,
 * T-ID rotation) commit with synchronous=FULL, so they are on disk when
 * the call returns.  Audit entries are buffered in memory and written in
 * one transaction by store_audit_flush() (the daemon calls it every
 * 100 ms), or when STORE_AUDIT_BATCH entries are pending.
 *
 * Functions return 0 on success or a negative errno value:
 *   -EEXIST  duplicate PID          -ENOENT  no such device / session
 *   -EINVAL  bad input (key length, profile, hex, CSV line)
 *   -EIO     an SQLite failure      -ENOMEM
 * and leave a message in store_errmsg().  Keys are never put in messages.
 */
#ifndef AIOTSEC_USER_STORE_H
#define AIOTSEC_USER_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aka.h"

#define STORE_SCHEMA_VERSION	4
#define STORE_AUDIT_BATCH	256
#define STORE_DEFAULT_PATH	"/var/lib/aiotsec/aiotsec.db"
#define STORE_BUSY_MS		5000	/* a lock held by another process */
#define STORE_DEFAULT_AMF	0x8000	/* AMF separation bit, TS 33.102 */
#define STORE_SQN_FIRST		1	/* a new device has accepted none */
#define STORE_SQN_BLOCK		32	/* SQNs committed at a time */

struct store;

/* One device record. */
struct store_device {
	int64_t id;
	char pid[AKA_PID_MAX + 1];	/* NUL-terminated */
	uint8_t k[AKA_KEY_LEN];
	uint8_t opc[AKA_KEY_LEN];
	uint8_t amf[AKA_AMF_LEN];
	uint8_t profile;		/* enum aiotsec_profile */
	uint64_t sqn;			/* the next SQN to use */
	bool has_tid_current, has_tid_previous;
	uint8_t tid_current[AKA_TID_LEN];
	uint8_t tid_previous[AKA_TID_LEN];
	bool tid_confirmed;		/* the device confirmed tid_current */
	bool disabled;
	int64_t created;		/* unix time */
};

/* What store_device_add() takes; lengths are checked. */
struct store_device_spec {
	const char *pid;		/* 1 to AKA_PID_MAX octets, printable
					 * ASCII without spaces
					 */
	const uint8_t *k;
	size_t k_len;			/* must be AKA_KEY_LEN */
	const uint8_t *opc;
	size_t opc_len;			/* must be AKA_KEY_LEN */
	const char *profile;		/* "inventory" or "command" */
	const uint8_t *tid;		/* NULL: none yet (SUCI only) */
	size_t tid_len;			/* must be AKA_TID_LEN */
	const uint8_t *amf;		/* NULL: STORE_DEFAULT_AMF */
	size_t amf_len;			/* must be AKA_AMF_LEN */
};

struct store_session {
	uint32_t sid;
	int64_t device;
	uint8_t suite;
	int64_t created;
	char link[16];			/* IFNAMSIZ; "" if not recorded */
};

struct store_audit_entry {
	double time;			/* unix time, seconds */
	char device[96];		/* PID or an identity hint */
	char mode[16];			/* one-way, mutual, "" */
	char outcome[24];		/* accept, reject, tid-confirm, ... */
	char cause[24];			/* aka_cause_name() or "" */
};

/*
 * Open (creating if missing, mode 0600) and migrate the database at
 * @path.  On failure *@st is NULL and @err (if not NULL) holds why.
 */
int store_open(const char *path, struct store **st, char *err, size_t errlen);
/* The same, but a database that is not there is an error (-ENOENT). */
int store_open_existing(const char *path, struct store **st, char *err,
			size_t errlen);
/*
 * What the open found amiss but not fatal (a store that group or others
 * can access), for the program to print; NULL if nothing.
 */
const char *store_warning(const struct store *st);
/* Whether store_open() created the file. */
bool store_created(const struct store *st);
/*
 * Close @st and remove the store at @path (and its -wal and -shm files)
 * if this connection created it, it holds no device, and @path is still
 * that file; 0 when removed, else -EBUSY (only closed).
 */
int store_discard(struct store *st, const char *path);
/* Flush the audit buffer, checkpoint and close; NULL is allowed. */
void store_close(struct store *st);
const char *store_errmsg(const struct store *st);
int store_schema_version(struct store *st);

/* ---- devices ----------------------------------------------------- */

int store_device_add(struct store *st, const struct store_device_spec *spec);
int store_device_del(struct store *st, const char *pid);
/*
 * Calls @cb for every device by PID order, its K and OPc left zero (not
 * read); a nonzero return stops.
 */
int store_device_list(struct store *st,
		      int (*cb)(const struct store_device *d, void *arg),
		      void *arg);
/*
 * Import a CSV file: "pid,k_hex,opc_hex,profile,tid_hex[,amf_hex]" per
 * line (tid_hex may be empty), '#' comments and blank lines ignored; or,
 * when it starts with '[', a JSON array of objects with the string
 * members pid, k, opc, profile and optionally tid, amf (null: none).
 * All or nothing: the first bad line or element aborts the import and
 * the message names it ("line 3: ...", "device 2: ..." counting from 0);
 * a file that cannot be read, or holds a NUL octet, imports nothing.  The
 * messages do not repeat @path.
 * @count receives the number of devices added.
 */
int store_device_import(struct store *st, const char *path, unsigned *count);

int store_device_by_id(struct store *st, int64_t id, struct store_device *d);
int store_device_by_pid(struct store *st, const uint8_t *pid, size_t len,
			struct store_device *d);
/* Match @tid against the current, then the previous T-ID. */
int store_device_by_tid(struct store *st, const uint8_t tid[AKA_TID_LEN],
			struct store_device *d);
int store_device_set_disabled(struct store *st, const char *pid, bool dis);

/*
 * Whether another connection (aiotsecctl device ...) committed a change
 * since the previous call; the first call only takes the reference.
 */
int store_changed(struct store *st, bool *changed);

/*
 * Return the device's next SQN in @sqn, committed durably before it is
 * returned.  The SQNs are committed STORE_SQN_BLOCK at a time (the store
 * holds the first SQN past the block) and handed out from memory, so
 * that most calls write nothing; a block is dropped when the store no
 * longer holds its end with this connection's lease token beside it
 * (another connection reserved, set or resynchronised the SQN, or the
 * device was deleted and added again), and by a resync.  A process that stops skips the rest of its blocks, never reuses
 * a SQN.  -ERANGE past AKA_SQN_MAX.
 */
int store_sqn_reserve(struct store *st, int64_t id, uint64_t *sqn);
/* Set the next SQN, durably. */
int store_sqn_set(struct store *st, int64_t id, uint64_t next);
/*
 * After a resync to @sqn_d, the highest SQN the device accepted: keep the
 * next SQN if the device would take it as fresh (above @sqn_d, at most
 * AKA_SQN_AHEAD_MAX above), else set it to @sqn_d + 1; durably.  The
 * next SQN so never moves back below one already handed out while it is
 * still good.
 */
int store_sqn_resync(struct store *st, int64_t id, uint64_t sqn_d);

/*
 * The T-ID to assign device @id after an authentication, durably, in
 * @tid.  The device holds its current T-ID, or, if it has not confirmed
 * that one (its T-ID-ASSIGN or the confirmation was lost), perhaps the
 * previous one.  So a confirmed current T-ID becomes the previous one
 * and @tid, as given (random), the current one, unconfirmed; an
 * unconfirmed current T-ID is assigned again (copied to @tid) and
 * nothing is dropped.  The T-ID the device presented (@presented, NULL
 * for a SUCI) can only hold the rotation back: it is not authenticated,
 * so it never makes the network drop a T-ID, but a device that presents
 * another than its current one may hold that one, and gets the current
 * one again.
 */
int store_tid_assign(struct store *st, int64_t id, uint8_t tid[AKA_TID_LEN],
		     const uint8_t presented[AKA_TID_LEN]);
/*
 * The device @id confirmed @tid, in a frame of its SA: its current T-ID
 * is now confirmed if @tid is that one, unconfirmed if @tid is the
 * previous one (the device went back to it: the next assignment must
 * drop neither).  0, or -ENOENT if @tid is neither.
 */
int store_tid_confirm(struct store *st, int64_t id,
		      const uint8_t tid[AKA_TID_LEN]);

/* ---- sessions ---------------------------------------------------- */

/* A session of @device on the link named @link (NULL: not recorded). */
int store_session_add(struct store *st, uint32_t sid, int64_t device,
		      uint8_t suite, const char *link);
int store_session_del(struct store *st, uint32_t sid);
int store_session_get(struct store *st, uint32_t sid,
		      struct store_session *s);
/* The session of @device (the newest when several). -ENOENT: none. */
int store_session_by_device(struct store *st, int64_t device,
			    struct store_session *s);
int store_session_list(struct store *st,
		       int (*cb)(const struct store_session *s, void *arg),
		       void *arg);

/* ---- audit trail ------------------------------------------------- */

/*
 * Buffer one audit entry (NULL strings are stored empty); written by the
 * next flush, at the latest when STORE_AUDIT_BATCH entries are pending.
 */
int store_audit(struct store *st, const char *device, const char *mode,
		const char *outcome, const char *cause);
int store_audit_flush(struct store *st);
unsigned store_audit_pending(const struct store *st);
/*
 * The outcomes of audit entries that anybody on the air can cause (a
 * HELLO with a made-up or a seen identity, a wrong RESPONSE), as an SQL
 * list: pruned first.  The partial index audit_unauth (schema 4) lists
 * the same outcomes: a change to either needs a migration for both.
 */
#define STORE_AUDIT_UNAUTH \
	"('reject', 'superseded', 'ignored', 'device-reject')"
/*
 * Delete entries until @keep are left, at most @max of them (flushes
 * first): the oldest of the STORE_AUDIT_UNAUTH outcomes first, then the
 * oldest of the others, so that a flood of forged HELLOs does not push
 * the record of authentications out.  The number deleted, or a negative
 * errno.
 */
int store_audit_prune(struct store *st, uint64_t keep, unsigned max);
/* The newest @max entries, oldest first (flushes first). */
int store_audit_list(struct store *st, unsigned max,
		     int (*cb)(const struct store_audit_entry *e, void *arg),
		     void *arg);

/* Profile names <-> enum aiotsec_profile; 0 for an unknown name. */
uint8_t store_profile_parse(const char *name);
const char *store_profile_name(uint8_t profile);

#endif /* AIOTSEC_USER_STORE_H */
