/*
 * state.h - what the --state file is made of, inside lib/: the pass's
 * messages in flight (track_state.c) and the check of the line before a
 * saved offset (follow.c, state.c).
 */
#ifndef MXT_STATE_H
#define MXT_STATE_H

#include "internal.h"

#include <jansson.h>

struct mxt_pass;

/* The tracker's entries, oldest first, as a JSON list (a new reference). */
json_t *mxt_track_state_save(const struct mxt_pass *p);
/* Adds the entries of list to p's tracker. Returns 0, or -1 with why
 * naming the first entry that is not one. */
int mxt_track_state_restore(struct mxt_pass *p, const json_t *list,
    char *why, size_t size);

/* The checksum of a saved position: the bytes of the line that ends at
 * offset (its newline included, at most MXT_LINE_MAX + 2 of them, taken
 * back from offset), read from fd. *len and *sum get their number and
 * FNV-1a (64 bits). Returns 0, or -1 when they cannot be read (the file
 * is shorter, a read error). offset 0 gives length 0. */
int mxt_last_line_sum(int fd, long long offset, long long *len,
    uint64_t *sum);

#endif
