// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of aiotsecd's rekey retries (user/aiotsecd/retry.c): the pause
 * after each failure in a row (doubling from --rekey-retry up to the
 * cap, less at most a quarter), none with retries off, the records due
 * and only those, a record forgotten by its own callback, the next due
 * time kept, and a rekey under way never due.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../../../user/aiotsecd/retry.c"

static uint64_t clock_ms = 1000000;

uint64_t now_ms(void)
{
	return clock_ms;
}

static struct daemon d;
static unsigned int calls;
static uint32_t called[4096];
static bool forget_in_callback;

static void again(struct daemon *dd, uint32_t ifindex, uint32_t sid)
{
	if (calls < sizeof(called) / sizeof(called[0]))
		called[calls] = sid;
	calls++;
	if (ifindex != 7)
		printf("#   sid %08x: ifindex %u\n", sid, ifindex);
	if (forget_in_callback)
		retry_forget(dd, sid);
	else
		retry_started(dd, sid);
}

static void test_pauses(void)
{
	uint64_t base = 30000, want = base, ms;
	unsigned int i, failures = 0;
	bool in_range = true, counted = true;

	d.rekey_retry_ms = base;
	for (i = 1; i <= 12; i++) {
		ms = retry_failed(&d, 7, 0x1234, &failures);
		if (ms > want || ms < want - want / 4 || ms == 0) {
			printf("#   failure %u: %llu ms, want %llu less a quarter\n",
			       i, (unsigned long long)ms,
			       (unsigned long long)want);
			in_range = false;
		}
		if (failures != i)
			counted = false;
		want = want * 2 > REKEY_RETRY_MAX_MS ? REKEY_RETRY_MAX_MS :
						       want * 2;
	}
	ok(in_range, "pauses: 30 s doubling to the 1 h cap, less a quarter at most");
	ok(counted, "failures in a row counted");
	ok(retry_failures(&d, 0x1234) == 12 && retry_pending(&d, 0x1234),
	   "retry_failures(), retry_pending()");
	retry_started(&d, 0x1234);
	ok(!retry_pending(&d, 0x1234) && retry_failures(&d, 0x1234) == 12,
	   "a rekey under way: not pending, the count kept");
	retry_forget(&d, 0x1234);
	ok(d.n_retry == 0 && !retry_failures(&d, 0x1234), "forgotten");

	/* a cap below --rekey-retry: the pause given, not more */
	d.rekey_retry_ms = REKEY_RETRY_MAX_MS;
	retry_failed(&d, 7, 0x99, &failures);
	ms = retry_failed(&d, 7, 0x99, &failures);
	ok(ms <= REKEY_RETRY_MAX_MS && ms >= REKEY_RETRY_MAX_MS * 3 / 4,
	   "--rekey-retry at the cap: no doubling past it");
	retry_forget(&d, 0x99);

	d.rekey_retry_ms = 0;
	failures = 77;
	ok(retry_failed(&d, 7, 0x55, &failures) == 0 && d.n_retry == 0 &&
	   failures == 77, "--rekey-retry 0: no pause, no record");
}

/* 2000 records, one due every ms from clock_ms + 1000 on */
static void test_due(void)
{
	unsigned int i, failures, n = 2000;
	uint64_t ms[2000], first = UINT64_MAX, later = UINT64_MAX;
	unsigned int due = 0;
	bool all_once = true;
	static unsigned char seen[2000];

	d.rekey_retry_ms = 2000;
	for (i = 0; i < n; i++) {
		ms[i] = retry_failed(&d, 7, 0x10000 + i * 0x9e37, &failures);
		if (ms[i] < first)
			first = ms[i];
		if (ms[i] <= 1750)
			due++;
		else if (ms[i] < later)
			later = ms[i];
	}
	ok(d.n_retry == n, "2000 records");
	/* pauses are 1.5 to 2 s: none due at 1.4 s */
	calls = 0;
	retry_run(&d, clock_ms + 1499, again);
	ok(calls == 0, "none due before its pause");
	ok(d.retry_next_ms == clock_ms + first && first >= 1500,
	   "the first due time kept");
	retry_run(&d, clock_ms + 1750, again);
	ok(calls == due && d.retry_next_ms == clock_ms + later,
	   "those due at 1.75 s; the first of the others next");
	retry_run(&d, clock_ms + 2000, again);
	for (i = 0; i < calls && i < n; i++) {
		unsigned int k = (called[i] - 0x10000) / 0x9e37;

		if (k >= n || seen[k]++)
			all_once = false;
	}
	ok(calls == n && all_once, "every record due by 2 s, once");
	ok(d.retry_next_ms == 0, "none left waiting");
	calls = 0;
	retry_run(&d, clock_ms + 100000, again);
	ok(calls == 0 && d.n_retry == n,
	   "records whose rekey runs: never due, kept");

	/* failed again; the callback forgets each record it is called for */
	for (i = 0; i < n; i++)
		retry_failed(&d, 7, 0x10000 + i * 0x9e37, &failures);
	calls = 0;
	forget_in_callback = true;
	retry_run(&d, clock_ms + 4000, again);
	forget_in_callback = false;
	ok(calls == n && d.n_retry == 0, "forgotten by the callback: all, safely");
	retry_cleanup(&d);
}

int main(void)
{
	test_pauses();
	test_due();
	retry_cleanup(&d);
	return tap_done();
}
