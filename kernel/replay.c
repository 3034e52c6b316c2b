// SPDX-License-Identifier: GPL-2.0
/*
 * aiotsec: counter recovery and the replay window.
 *
 * Only the low 16 or 32 bits of the 64-bit counter go on air.  The
 * receiver rebuilds the full value as the one nearest to the next counter
 * it expects, as IPsec ESN and MACsec XPN do.  Replay protection is a
 * sliding bitmap in the manner of RFC 6479: a ring of machine words of
 * which the word ahead of the newest is cleared as the window slides, so
 * the window only ever moves forwards and never needs shifting.  The
 * window is checked before any cryptography and updated only after the
 * frame verified.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/compiler.h>
#include <linux/log2.h>
#include <linux/spinlock.h>

#include "aiotsec.h"

u64 aiotsec_counter_recover(u64 rx_next, u32 low, u8 bits)
{
	u64 span = 1ULL << bits;
	u64 mask = span - 1;
	u64 delta = ((u64)low - (rx_next & mask)) & mask;

	/* ahead of (or at) the expected counter by less than half a span */
	if (delta < span / 2)
		return rx_next + delta;
	/* otherwise behind it, unless that would go below zero */
	if (rx_next >= span - delta)
		return rx_next - (span - delta);
	return rx_next + delta;
}

/*
 * Ring size for a window of @bits frames: whole words that cover the
 * window, plus one for the word being filled, rounded up to a power of
 * two so that a counter maps to its bit with a mask.
 */
u32 aiotsec_window_words(u32 bits)
{
	return roundup_pow_of_two(DIV_ROUND_UP(bits, BITS_PER_LONG) + 1);
}

static bool aiotsec_window_test(const struct aiotsec_key *key, u64 ctr)
{
	u64 bit = ctr & (key->window_words * BITS_PER_LONG - 1);

	return test_bit(bit, key->window);
}

static enum aiotsec_replay aiotsec_window_classify(const struct aiotsec_key *key,
						   u64 next, u64 ctr)
{
	if (ctr >= next)
		return AIOTSEC_REPLAY_OK;
	if (next - ctr > key->window_bits)
		return AIOTSEC_REPLAY_OLD;
	if (aiotsec_window_test(key, ctr))
		return AIOTSEC_REPLAY_DUP;
	return AIOTSEC_REPLAY_OK;
}

/*
 * Cheap check before any cryptography; takes no lock.  Acquire: the
 * words cleared for a window that moved are seen cleared with its new
 * top (aiotsec_replay_update() releases it), so a fresh counter is not
 * taken for a duplicate.
 */
enum aiotsec_replay aiotsec_replay_check(struct aiotsec_key *key, u64 ctr)
{
	return aiotsec_window_classify(key,
				       atomic64_read_acquire(&key->rx_next),
				       ctr);
}

/*
 * Clear the ring's words for the counters' words @from to @to (none when
 * @from > @to).  A lockless reader may test a bit at any time: whole-word
 * stores.
 */
static void aiotsec_window_clear(struct aiotsec_key *key, u64 from, u64 to)
{
	unsigned long ring = key->window_words;
	u64 i;

	if (from > to)
		return;
	if (to - from >= ring) {
		from = 0;
		to = ring - 1;
	}
	for (i = from; i <= to; i++)
		WRITE_ONCE(key->window[i & (ring - 1)], 0);
}

/*
 * Record @ctr as received; call only after the frame verified.  Returns
 * AIOTSEC_REPLAY_TOP when @ctr was fresh and moved the window's top,
 * AIOTSEC_REPLAY_OK when it was fresh within the window (another CPU may
 * have accepted the same counter since aiotsec_replay_check()).
 */
enum aiotsec_replay aiotsec_replay_update(struct aiotsec_key *key, u64 ctr)
{
	u64 bit = ctr & (key->window_words * BITS_PER_LONG - 1);
	unsigned long *word = &key->window[BIT_WORD(bit)];
	enum aiotsec_replay ret;
	u64 next, top;

	spin_lock(&key->rx_lock);
	next = atomic64_read(&key->rx_next);
	ret = aiotsec_window_classify(key, next, ctr);
	if (ret != AIOTSEC_REPLAY_OK)
		goto out;

	if (ctr >= next) {
		/* slide: clear the words between the old and the new top */
		top = ctr / BITS_PER_LONG;
		if (!next)
			aiotsec_window_clear(key, 0, key->window_words - 1);
		else
			aiotsec_window_clear(key, (next - 1) / BITS_PER_LONG + 1,
					     top);
		atomic64_set_release(&key->rx_next, ctr + 1);
		ret = AIOTSEC_REPLAY_TOP;
	}
	WRITE_ONCE(*word, *word | BIT_MASK(bit));
out:
	spin_unlock(&key->rx_lock);
	return ret;
}
