/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aiotsecd: the network side of the aiotsec authentication protocol
 * (Documentation/protocol.rst) over one or more aiotsec reader links.  One
 * epoll loop; see main.c (loop, options), kern.c (generic netlink requests),
 * auth.c (the exchange, attempts, rate limits).
 */
#ifndef AIOTSECD_H
#define AIOTSECD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "aka.h"
#include "store.h"
#include "../aiotsecctl/nl.h"

#define ETH_ALEN_		6

#define ATTEMPT_LIFETIME_MS	30000	/* state of an open attempt */
#define ATTEMPT_MAX		65536	/* attempts kept at once */
#define DEFAULT_MAX_RATE	200	/* attempts per second in total */
/* frames and events sockets: bursts while the daemon is busy */
#define DEFAULT_RCVBUF		(4 << 20)
#define TICK_MS			100	/* audit flush and expiry period */
#define RETX_FIRST_MS		1000	/* network retransmissions: 1 s, */
#define RETX_MAX_MS		8000	/* doubling up to 8 s, */
#define RETX_TRIES		4	/* four times */
/* copies of one device message answered: each send of it, duplicated */
#define ANSWER_COPIES_MAX	(2 * (RETX_TRIES + 1))
#define STORE_CHECK_MS		1000	/* look for aiotsecctl's changes */
#define KERN_RECV_BATCH		64	/* notifications read per wakeup */
#define LINKS_MAX		16	/* --dev links served */
#define RECONCILE_RETRY_MS	10000	/* a link that could not be dumped */
#define LOST_NOTE_MS		10000	/* frames lost: logged at most then */
#define DEFAULT_AUDIT_KEEP	1000000	/* audit rows kept */
#define AUDIT_PRUNE_MS		60000	/* ... pruned this often, */
#define AUDIT_PRUNE_BATCH	10000	/* ... so many rows a tick at most */
#define OVER_RATE_MS		1000	/* over-rate rejects: one row per */
#define DEFAULT_REKEY_RETRY_MS	30000	/* a failed rekey: again after */
#define REKEY_RETRY_MAX_MS	3600000	/* ... doubling up to an hour */
#define RETRY_BUCKET_BITS	10
#define RETRY_BUCKETS		(1u << RETRY_BUCKET_BITS)

enum log_level { LOG_ERR_, LOG_WARN_, LOG_INFO_, LOG_DEBUG_ };

extern int log_level;
void logmsg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define log_err(...)	logmsg(LOG_ERR_, __VA_ARGS__)
#define log_warn(...)	logmsg(LOG_WARN_, __VA_ARGS__)
#define log_info(...)	logmsg(LOG_INFO_, __VA_ARGS__)
#define log_debug(...)	logmsg(LOG_DEBUG_, __VA_ARGS__)

enum attempt_state {
	ATT_REKEY_REQUESTED,	/* rekey: REKEY sent, waiting for HELLO */
	ATT_CHALLENGED,		/* CHALLENGE sent, waiting for RESPONSE */
	ATT_ACCEPTED,		/* SA installed, ACCEPT and T-ID sent */
	ATT_CONFIRMED,		/* T-ID-CONFIRM received: closed */
	ATT_REJECTED,		/* REJECT sent or received: closed */
};

struct attempt {
	uint32_t ifindex;		/* the link it runs on */
	uint32_t id;			/* attempt ID (header SID field) */
	struct attempt *hnext;		/* hash chain */
	struct attempt *prev, *next;	/* creation order, for expiry */
	uint64_t expires;		/* monotonic ms */
	uint8_t state;			/* enum attempt_state */
	uint8_t peer[ETH_ALEN_];
	int64_t device;			/* store id, 0: unidentified */
	char hint[64];			/* PID or identity hint for audit */
	bool resynced;			/* a second CHALLENGE was sent */
	bool unauth_noted;		/* an ignored REJECT or SYNC_FAILURE
					 * was audited: the next ones are not
					 */
	bool rekey;			/* in the live SA @sid (control frames) */
	bool rekey_after;		/* a soft expiry came meanwhile: rekey */
	bool rekey_ended;		/* rekey: its outcome was counted */
	uint8_t rekey_of;		/* rekey: the key phase it replaces */
	uint8_t ctr_bits;		/* rekey: the SA's */
	uint8_t ntx;			/* network retransmissions so far */
	/* copies answered again since the last new answer, by message type */
	uint8_t copies[AKA_MSG_REJECT + 1];
	uint64_t next_tx;		/* next one (monotonic ms), 0: none */
	struct aka_cred cred;
	struct aka_hello hello;
	struct aka_net_expect expect;
	uint8_t auts[AKA_AUTS_LEN];	/* the SYNC_FAILURE answered */
	uint8_t res[AKA_RES_LEN];	/* the RESPONSE accepted */
	uint32_t sid;			/* the session once accepted */
	uint8_t reply[AKA_CTRL_MAX];	/* last auth message (or, in a
					 * rekey, control body) sent */
	size_t reply_len;
	uint8_t ctrl[AKA_CTRL_LEN];	/* the T-ID-ASSIGN sent */
	size_t ctrl_len;
};

/* The last attempt challenged for a device, from the air. */
struct open_ent {
	int64_t device;
	struct open_ent *next;
	uint32_t ifindex, attempt;
};

struct retry;				/* retry.c */

#define ATT_BUCKET_BITS	12
#define ATT_BUCKETS	(1u << ATT_BUCKET_BITS)
#define OPEN_BUCKETS	1024

struct daemon {
	/* options */
	const char *db_path;
	const char *devs[LINKS_MAX];	/* the links served */
	uint32_t ifindex[LINKS_MAX];	/* 0: the link is gone */
	unsigned n_links;
	uint8_t hn_key[AKA_HN_KEY_LEN];
	bool have_hn_key;
	int hn_key_id;			/* -1: any */
	uint8_t suite;			/* command profile */
	uint8_t ctr_bits;
	unsigned max_rate;
	uint64_t rekey_retry_ms;	/* first pause, 0: no retry */
	uint64_t soft_limit;		/* SA key limits, 0: the kernel's */
	uint64_t hard_limit;
	int rcvbuf;			/* frames and events sockets, octets */
	uint64_t audit_keep;		/* audit rows kept, 0: all */

	struct store *st;
	struct nl req;			/* requests */
	struct nl fr;			/* the "frames" group */
	struct nl ev;			/* the "events" group */
	struct mnl_socket *rt;		/* link notifications */
	int epfd, tfd, sfd;

	struct attempt *att_hash[ATT_BUCKETS];
	uint64_t att_seed;		/* odd: the multiplier of att_hash */
	struct attempt *att_head, *att_tail;
	unsigned n_att;

	struct open_ent *open_hash[OPEN_BUCKETS];
	struct retry *retry_hash[RETRY_BUCKETS];
	unsigned n_retry;
	uint64_t retry_next_ms;		/* the first one due, 0: none */
	double tokens;
	uint64_t tokens_ms;
	uint64_t last_prune_ms;
	uint64_t last_store_check_ms;
	uint64_t audit_prune_ms;	/* next audit pruning, 0: first tick */
	unsigned over_rate;		/* HELLOs over the global rate ... */
	uint64_t over_rate_ms;		/* ... since this time, not audited */
	bool events_lost;		/* an event was dropped */
	bool links_lost;		/* a link notification was dropped */
	bool links_changed;		/* links_recv(): reconcile */
	uint64_t lost_reconcile_ms;	/* ... reconciled no sooner */
	unsigned frames_lost;		/* overruns of the frames socket ... */
	uint64_t frames_lost_ms;	/* ... logged no sooner */
	uint64_t reconcile_retry_ms;	/* a link's dump or an SA's deletion
					 * failed: again then */
	bool sa_undeleted;		/* an SA the store forgot is left */
	bool reconcile_start;		/* ... as a start-time one */
};

uint64_t now_ms(void);

/* links.c: the links served */
/* Check and resolve the --dev names; @desc: what is served, for the log. */
int links_resolve(struct daemon *d, char *desc, size_t size);
/* The rtnetlink socket of link notifications, d->rt. */
int links_watch_open(struct daemon *d);
void links_watch_close(struct daemon *d);
/* Read link notifications, KERN_RECV_BATCH reads at most; reconcile if
 * a served link went or came. */
int links_recv(struct daemon *d);
/* The name of link @ifindex if the daemon serves it, else NULL. */
const char *link_name(const struct daemon *d, uint32_t ifindex);
/* link_name() for a log line: never NULL. */
const char *link_label(const struct daemon *d, uint32_t ifindex);
/* Whether the daemon serves the link named @name. */
bool link_served(const struct daemon *d, const char *name);
/* The ifindex of the served link @name, 0 if not served or gone. */
uint32_t link_ifindex(const struct daemon *d, const char *name);
/* The bit of the served link @name in a mask of links, 0 if not served. */
uint32_t link_bit(const struct daemon *d, const char *name);

/*
 * kern.c: requests on d->req, on the SAs and frames of link @ifindex;
 * negative errno on failure
 */
int kern_open(struct daemon *d);
void kern_close(struct daemon *d);
int kern_sa_new(struct daemon *d, uint32_t ifindex, uint32_t sid,
		uint8_t suite, uint8_t profile, const uint8_t *key,
		size_t keylen, const uint8_t peer[ETH_ALEN_]);
int kern_sa_del(struct daemon *d, uint32_t ifindex, uint32_t sid);
/* Install @key as the SA's next key (receive-only until the peer uses it). */
int kern_sa_set_key(struct daemon *d, uint32_t ifindex, uint32_t sid,
		    const uint8_t *key, size_t keylen);
int kern_frame_send(struct daemon *d, uint32_t ifindex, uint8_t type,
		    uint32_t sid, const uint8_t *payload, size_t len,
		    const uint8_t peer[ETH_ALEN_]);

/* What the daemon needs to know of a kernel SA. */
struct kern_sa {
	uint32_t sid;
	uint8_t suite, ctr_bits;
	uint8_t tx_phase;		/* the key phase that transmits */
	bool soft_expired;		/* that key reached its soft limit */
	bool hard_expired;		/* and its hard limit */
	bool valid;
};

int kern_sa_get(struct daemon *d, uint32_t ifindex, uint32_t sid,
		struct kern_sa *out);
/*
 * Calls @cb with every SA of the link; -EINTR, and no call, when the SAs
 * changed during the dump (some may have been missed).
 */
int kern_sa_dump(struct daemon *d, uint32_t ifindex,
		 void (*cb)(struct daemon *d, const struct kern_sa *sa,
			    void *arg), void *arg);
/*
 * Read the pending messages of netlink socket @fd, KERN_RECV_BATCH reads
 * at most, and pass each to @msg; *@overruns counts the reads that
 * found the receive buffer overrun.  0 or a negative errno.
 */
int notif_recv(struct daemon *d, int fd,
	       void (*msg)(struct daemon *d, const struct nlmsghdr *nlh),
	       unsigned *overruns);
/* notif_recv() of d->fr (@frames) or d->ev, dispatched to auth.c */
int kern_recv(struct daemon *d, bool frames);

/*
 * retry.c: SAs whose rekey failed, rekeyed again later.  retry_failed()
 * counts a failure of the SA @sid's rekey and returns the pause before
 * the next one (ms; 0: none, with *@failures unset); retry_failures():
 * the failures in a row so far; retry_pending(): a retry waits for its
 * time; retry_started(): a rekey of it runs; retry_forget(): it needs
 * none; retry_run(): calls @again for the SAs due.
 */
uint64_t retry_failed(struct daemon *d, uint32_t ifindex, uint32_t sid,
		      unsigned int *failures);
unsigned int retry_failures(struct daemon *d, uint32_t sid);
bool retry_pending(struct daemon *d, uint32_t sid);
void retry_started(struct daemon *d, uint32_t sid);
void retry_forget(struct daemon *d, uint32_t sid);
void retry_run(struct daemon *d, uint64_t now,
	       void (*again)(struct daemon *d, uint32_t ifindex, uint32_t sid));
void retry_cleanup(struct daemon *d);

/* auth.c */
void auth_frame(struct daemon *d, const struct nlattr **tb);
void auth_event(struct daemon *d, const struct nlattr **tb);
void auth_tick(struct daemon *d);
int auth_init(struct daemon *d);
void auth_reconcile(struct daemon *d, bool start);
void auth_cleanup(struct daemon *d);

#endif /* AIOTSECD_H */
