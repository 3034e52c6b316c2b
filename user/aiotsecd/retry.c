// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsecd: rekeys tried again.
 *
 * The kernel reports a key's soft expiry once.  A rekey that ends without
 * its device moving to the new key (a timeout, a REJECT either way, a key
 * the kernel refused, an ACCEPT the device did not act on) would leave
 * the SA on that key until its hard limit, and the device to authenticate
 * again from the start then.  Such an SA is rekeyed again after --rekey-retry
 * seconds, twice as long after each failure in a row up to
 * REKEY_RETRY_MAX_MS, less up to a quarter of it at random: the SAs of a
 * reader that lost its air for a while do not all try again at once, and
 * a device that is gone costs a few frames an hour.
 *
 * A rekey that could not start for a passing reason (the store or the
 * kernel failed to answer, no memory) is tried again the same way.
 *
 * One record per such SA, hashed by session ID.  It goes when the SA's
 * device transmits with a new key, when rekey_start() finds no key to
 * rekey, or with the session.  Records are not kept across restarts: the
 * start-up reconciliation rekeys every SA past its soft limit.
 */
#include <stdlib.h>

#include <openssl/rand.h>

#include "aiotsecd.h"

struct retry {
	struct retry *next;
	uint32_t sid, ifindex;
	unsigned int failures;		/* in a row */
	uint64_t at;			/* monotonic ms, 0: a rekey runs */
};

static struct retry **retry_slot(struct daemon *d, uint32_t sid)
{
	struct retry **pp;

	pp = &d->retry_hash[(uint32_t)(sid * 2654435761u) >>
			    (32 - RETRY_BUCKET_BITS)];
	while (*pp && (*pp)->sid != sid)
		pp = &(*pp)->next;
	return pp;
}

/* The pause after @failures failures in a row, in ms. */
static uint64_t retry_delay(const struct daemon *d, unsigned int failures)
{
	uint64_t ms = d->rekey_retry_ms, cap = REKEY_RETRY_MAX_MS;
	uint32_t r = 0;

	if (cap < ms)
		cap = ms;
	while (--failures && ms < cap)
		ms *= 2;
	if (ms > cap)
		ms = cap;
	/* jitter only: without random octets, the full pause */
	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = 0;
	return ms - r % (ms / 4 + 1);
}

uint64_t retry_failed(struct daemon *d, uint32_t ifindex, uint32_t sid,
		      unsigned int *failures)
{
	struct retry **pp = retry_slot(d, sid), *r = *pp;
	uint64_t ms;

	if (!d->rekey_retry_ms)
		return 0;
	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return 0;
		r->sid = sid;
		*pp = r;
		d->n_retry++;
	}
	r->ifindex = ifindex;
	if (r->failures < UINT32_MAX)
		r->failures++;
	*failures = r->failures;
	ms = retry_delay(d, r->failures);
	r->at = now_ms() + ms;
	if (r->at < d->retry_next_ms || !d->retry_next_ms)
		d->retry_next_ms = r->at;
	return ms;
}

unsigned int retry_failures(struct daemon *d, uint32_t sid)
{
	struct retry *r = *retry_slot(d, sid);

	return r ? r->failures : 0;
}

bool retry_pending(struct daemon *d, uint32_t sid)
{
	struct retry *r = *retry_slot(d, sid);

	return r && r->at;
}

void retry_started(struct daemon *d, uint32_t sid)
{
	struct retry *r = *retry_slot(d, sid);

	if (r)
		r->at = 0;
}

void retry_forget(struct daemon *d, uint32_t sid)
{
	struct retry **pp = retry_slot(d, sid), *r = *pp;

	if (!r)
		return;
	*pp = r->next;
	free(r);
	d->n_retry--;
}

void retry_run(struct daemon *d, uint64_t now,
	       void (*again)(struct daemon *d, uint32_t ifindex, uint32_t sid))
{
	struct retry *r, *next;
	uint64_t first = 0;
	unsigned int b;

	if (!d->n_retry || !d->retry_next_ms || now < d->retry_next_ms)
		return;
	for (b = 0; b < RETRY_BUCKETS; b++) {
		for (r = d->retry_hash[b]; r; r = next) {
			/* @again may forget @r, and no other record */
			next = r->next;
			if (!r->at)
				continue;
			if (r->at > now) {
				if (!first || r->at < first)
					first = r->at;
				continue;
			}
			r->at = 0;
			again(d, r->ifindex, r->sid);
		}
	}
	d->retry_next_ms = first;
}

void retry_cleanup(struct daemon *d)
{
	struct retry *r;
	unsigned int b;

	for (b = 0; b < RETRY_BUCKETS; b++)
		while ((r = d->retry_hash[b])) {
			d->retry_hash[b] = r->next;
			free(r);
		}
	d->n_retry = 0;
}
