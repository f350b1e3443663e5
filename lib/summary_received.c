/*
 * summary_received.c - messages received and their bytes (struct
 * mxt_received), counted once per message, and what a merge needs to
 * count a message whose lines lie on both sides of a cut.
 *
 * Exim logs one "<=" line per message received, with S=: each is counted.
 * Postfix logs the size on qmgr's "from=<s>, size=N" line, again at every
 * retry; the pass tells only the first of a message, as received when the
 * message's first line (cleanup, smtpd, pickup) was read, else as "met":
 * received before the input began -- or before a cut. So a summary keeps,
 * beside its counts:
 *   due  the messages begun and not yet in the queue at the end (keys
 *        host\x1fqid), and
 *   met  the first size line of each message met in progress (value:
 *        bytes << 1 | in the window),
 * and a merge counts a later summary's met message when the earlier one
 * has it due. A met entry stays after its join, so that merging is
 * associative (the first of a key wins); a piece of one pass drops what
 * began before its cut (one pass did not meet those in progress). Both
 * lists are bounded (SUMMARY_RECEIVED_MAX each, as many as the pass
 * tracks; the rest counted in overflow, and a run with --jobs refused);
 * --state's totals forget the met list (nothing comes before them).
 * The summary (mxt_summary_received, summary.c) decides the window and
 * builds the keys; this file knows nothing of the summary.
 */
#include "summary_received.h"

#include <stdlib.h>

void
mxt_received_init(struct received *r)
{
	memset(r, 0, sizeof *r);
	mxt_strmap_init(&r->due, 0);
	mxt_strmap_init(&r->met, 0);
}

void
mxt_received_finish(struct received *r)
{
	mxt_strmap_finish(&r->due);
	mxt_strmap_finish(&r->met);
}

void
mxt_received_count(struct received *r, uint64_t bytes)
{
	r->messages++;
	r->bytes += bytes;
}

static uint64_t
met_value(uint64_t bytes, bool in_window)
{
	if (bytes > UINT64_MAX >> 1)
		bytes = UINT64_MAX >> 1;
	return bytes << 1 | (in_window ? 1u : 0u);
}

/* Puts key into m unless the cap is reached (then counted); the slot, or
 * NULL. added tells whether it is new. */
static struct mxt_strmap_slot *
put_capped(struct received *r, struct mxt_strmap *m, const char *key,
    size_t len, bool *added)
{
	struct mxt_strmap_slot *sl = mxt_strmap_get(m, key, len);
	*added = false;
	if (sl != NULL)
		return sl;
	if (m->count >= SUMMARY_RECEIVED_MAX) {
		r->overflow++;
		return NULL;
	}
	return mxt_strmap_put(m, key, len, added);
}

void
mxt_received_add_met(struct received *r, const char *key, size_t len,
    uint64_t bytes, bool in_window)
{
	bool added;
	struct mxt_strmap_slot *sl = put_capped(r, &r->met, key, len, &added);
	if (sl != NULL && added)
		sl->value = met_value(bytes, in_window);
}

void
mxt_received_add_due(struct received *r, const char *key, size_t len)
{
	bool added;
	put_capped(r, &r->due, key, len, &added);
}

void
mxt_received_merge(struct received *d, const struct received *s,
    const struct mxt_strmap *started)
{
	d->messages += s->messages;
	d->bytes += s->bytes;
	d->overflow += s->overflow;
	for (size_t i = 0; i < s->met.size; i++) {
		const struct mxt_strmap_slot *m = &s->met.slots[i];
		if (m->key == NULL)
			continue;
		struct mxt_strmap_slot *due = mxt_strmap_get(&d->due, m->key,
		    m->len);
		if (due != NULL) {
			/* begun before the cut, in the queue after it */
			if (m->value & 1)
				mxt_received_count(d, m->value >> 1);
			mxt_strmap_remove(&d->due, due);
		}
		const struct mxt_strmap_slot *st = started == NULL ? NULL :
		    mxt_strmap_get(started, m->key, m->len);
		if (st != NULL && st->value != 0)
			continue; /* one pass read its cleanup line */
		mxt_received_add_met(d, m->key, m->len, m->value >> 1,
		    m->value & 1);
	}
	for (size_t i = 0; i < s->due.size; i++) {
		const struct mxt_strmap_slot *m = &s->due.slots[i];
		if (m->key != NULL)
			mxt_received_add_due(d, m->key, m->len);
	}
}

void
mxt_received_trim(struct received *r)
{
	mxt_strmap_finish(&r->met);
	mxt_strmap_init(&r->met, 0);
}
