/*
 * summary_received.h - messages received and their bytes, as a summary
 * counts them (summary_received.c). The summary (summary.c) tells it what
 * the pass reports; it knows nothing of the summary. Not public.
 */
#ifndef MXT_SUMMARY_RECEIVED_H
#define MXT_SUMMARY_RECEIVED_H

#include "internal.h"

/* Entries of each list of messages received a merge may count: as many
 * as the pass tracks by default. */
#define SUMMARY_RECEIVED_MAX MXT_SUMMARY_RECEIVED_MAX

struct received {
	uint64_t messages, bytes;   /* counted in the window */
	struct mxt_strmap due;      /* host\x1fqid: begun, not queued */
	struct mxt_strmap met;      /* host\x1fqid -> bytes << 1 | window */
	uint64_t overflow;          /* entries past the cap of either */
};

void mxt_received_init(struct received *r);
void mxt_received_finish(struct received *r);
/* A message received in the window, its size bytes. */
void mxt_received_count(struct received *r, uint64_t bytes);
/* Entries (key host\x1fqid): the first size line of a message met in
 * progress, and a message begun and not yet in the queue. */
void mxt_received_add_met(struct received *r, const char *key, size_t len,
    uint64_t bytes, bool in_window);
void mxt_received_add_due(struct received *r, const char *key, size_t len);
/* Adds src's counts to dst's and counts the messages dst has due that src
 * met; started (may be NULL): the messages a piece of one pass began
 * before the cut, value 1 for those whose cleanup line it read: one pass
 * has no met entry of those. */
void mxt_received_merge(struct received *d, const struct received *s,
    const struct mxt_strmap *started);
/* Forgets the met list (--state's totals: nothing merges before them). */
void mxt_received_trim(struct received *r);

#endif
