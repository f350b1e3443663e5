/*
 * pass.h - the pass's own state (internal to pass.c and the modules that
 * record per-input facts for it). Dialects never include this: they get
 * a struct mxt_sink (dialect.h).
 */
#ifndef MXT_PASS_H
#define MXT_PASS_H

#include "dialect.h"
#include "track.h"

struct mxt_pass {
	struct mxt_pass_config cfg;
	struct mxt_stats stats;
	struct mxt_clock clock;
	struct mxt_track *track;
	struct mxt_str default_host; /* of lines without one; may be empty */
	/* the line being processed */
	const char *source;
	long line_no;
	const char *line;
	size_t line_len;
	/* scratch storage for lower-cased domains of the current event */
	char domain_buf[256];
	char sender_domain_buf[256];
	/* what the dialects write into; ctx is the pass */
	struct mxt_sink sink;
	/* per-dialect state, by registry row, owned by the dialect */
	void *dialect_state[MXT_MTA_COUNT];
	/* the inputs read, their spans (inputs.c) */
	struct mxt_spans *spans;
	/* event ids (mxt_event_id_format): FNV-1a state after the first
	 * line of the input being read and a 0 byte, the span it belongs
	 * to, the events of the current line so far, its program tag */
	uint64_t input_hash;
	size_t input_span;
	/* the identity of the next line's input when it does not begin at
	 * that line (a run continued from --state): its first line's hash,
	 * set by mxt_pass_input_identity for one line */
	uint64_t identity_next;
	bool identity_set;
	unsigned line_events;
	struct mxt_str program;
};

/* The next line is not its input's first: line (len bytes, without its
 * newline) is, so event ids stay those of a whole read of the input. */
void mxt_pass_input_identity(struct mxt_pass *p, const char *line,
    size_t len);

/* Messages in flight now, for tests. */
size_t mxt_pass_tracked(const struct mxt_pass *p);

#endif
