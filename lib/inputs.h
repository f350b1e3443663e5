/*
 * inputs.h - what inputs.c shares with the pass and its unit test: the
 * spans the pass records per input, and the name rule of rotated logs.
 * Not public.
 */
#ifndef MXT_INPUTS_H
#define MXT_INPUTS_H

#include "internal.h"

/* The spans of a pass's inputs; zeroed storage is an empty list. */
struct mxt_spans {
	struct mxt_input_span *v;
	size_t n, cap;
	struct mxt_time latest; /* over all inputs read so far */
	size_t latest_input;    /* the input that holds latest */
	struct mxt_time prev_latest; /* latest when v[n - 1] began */
	size_t prev_latest_input;
};

void mxt_spans_finish(struct mxt_spans *s);
/* Starts a new input named name (copied). */
void mxt_spans_begin(struct mxt_spans *s, const char *name);
/* Makes sure the current input is source (a new one starts when the
 * name differs); for lines fed without mxt_pass_read. */
void mxt_spans_source(struct mxt_spans *s, const char *source);
/* Counts a line read (recognised or not) in the current input. */
static inline void
mxt_spans_line(struct mxt_spans *s)
{
	s->v[s->n - 1].lines++;
}
/* Counts a recognised line at line_no with time t. Returns true and
 * fills *j when time ran backwards in a way not told before for this
 * input (at most once per input and kind). */
bool mxt_spans_time(struct mxt_spans *s, const struct mxt_time *t,
    long line_no, struct mxt_time_jump *j);

/* What a file name in a directory is to mxtriage. */
enum mxt_log_name {
	MXT_NAME_OTHER,      /* not a mail log: skipped */
	MXT_NAME_LOG,        /* a mail log, plain or gzip */
	MXT_NAME_UNREADABLE, /* a mail log in a compression not read */
	MXT_NAME_COUNT
};

/* Classifies a file name (no directory part); *rotation gets its
 * rotation number (see struct mxt_input), *compression the name of an
 * unread compression ("lzma", "compress") or NULL. */
enum mxt_log_name mxt_log_name(const char *name, unsigned *rotation,
    const char **compression);

/* The rotation number of any path, by its last component. */
unsigned mxt_rotation_of(const char *path);

/* Sorts v[0..n) into reading order (the rule of mxtriage(1)); fixed
 * entries stay in place and split the rest into separately sorted runs. */
void mxt_inputs_sort(struct mxt_input *v, size_t n);

#endif
