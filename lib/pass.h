/*
 * pass.h - the pass's own state (internal to pass.c and the modules that
 * record per-input facts for it). Dialects never include this: they get
 * a struct mxt_sink (dialect.h).
 */
#ifndef MXT_PASS_H
#define MXT_PASS_H

#include "dialect.h"
#include "track.h"
#include "attempts.h"
#include "ourside.h"

/*
 * Linking a failure to the warning that explains it (ourside.c): the
 * last MXT_LINK_WARNINGS warnings of any process are kept in a ring with
 * the process (host, program, pid, hashed) and the line they were read
 * at (the pass's own count); a failure that wants a link
 * (mxt_ourside_wants_link) takes the newest one of its own process read
 * at most MXT_LINK_LINES lines before it. Memory is fixed.
 * A piece of a parallel pass reads the lines before its cut as warm
 * lines (mxt_pass_warm_line), whose warnings go into the ring; the
 * failures of its first MXT_LINK_LINES lines that found no warning are
 * kept as wants (at most MXT_LINK_WANTS_MAX, then wants_full), and
 * parallel.c refuses the run when a piece before holds a warning of the
 * same process close enough (struct mxt_link): one from before the warm
 * lines.
 */
#define MXT_LINK_WARNINGS 64
#define MXT_LINK_LINES 1000
#define MXT_LINK_WANTS_MAX 256
struct mxt_link {
	uint64_t proc;   /* hash of host, program, pid */
	uint64_t line;   /* p->stats.lines when read */
	size_t len;
	char text[MXT_OURSIDE_KEY_MAX]; /* mxt_ourside_key; unused in wants */
};

struct mxt_pass {
	struct mxt_pass_config cfg;
	struct mxt_stats stats;
	struct mxt_clock clock;
	struct mxt_track *track;
	/* during on_message_end: the tracker's entry of the message that
	 * ends (NULL when it has none), about to leave */
	const struct mxt_msg *ending;
	struct mxt_attempts *attempts; /* earlier MX replies waiting */
	struct mxt_str default_host; /* of lines without one; may be empty */
	/* the line being processed */
	const char *source;
	long line_no;
	const char *line;
	size_t line_len;
	/* scratch storage for lower-cased domains of the current event */
	struct mxt_event_scratch scratch;
	/* what the dialects write into; ctx is the pass */
	struct mxt_sink sink;
	/* the same for mxt_pass_warm_line: earlier MX replies only; its
	 * lines have a clock of their own (made on the first) */
	struct mxt_sink warm;
	struct mxt_clock *warm_clock;
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
	/* the current line's host and pid, and the warnings to link
	 * failures to (struct mxt_link) */
	struct mxt_str line_host, pid;
	struct mxt_link links[MXT_LINK_WARNINGS];
	size_t links_head, links_count;
	struct mxt_link *wants;     /* MXT_LINK_WANTS_MAX, on first use */
	size_t nwants;
	bool wants_full;
};

/* The ring's slot for the newest warning (the oldest is overwritten
 * when the ring is full); the caller fills it. */
struct mxt_link *mxt_pass_link_slot(struct mxt_pass *p);

/*
 * mxt_pass_line for a line of the input span begun for source already
 * (mxt_spans_begin: mxt_pass_read_reader, the pieces of parallel.c): the
 * name is not compared with the span's on every line.
 */
void mxt_pass_line_in_span(struct mxt_pass *p, const char *source,
    long line_no, time_t reference, const char *line, size_t len);

/*
 * For --jobs (parallel.c): a line before a piece's cut, read only so that
 * what the dialects and the pass keep for the next lines (earlier MX
 * replies waiting, Exim's rejections for their twins, the warnings to
 * link failures to) is what one pass has at the cut. Nothing is counted,
 * emitted, tracked or told; the clock is as before. line_no is the
 * line's place counted from the first line read (up to 0 before it).
 * Returns whether the line had a header the dialects read.
 */
bool mxt_pass_warm_line(struct mxt_pass *p, const char *source,
    long line_no, time_t reference, const char *line, size_t len);

/* The next line is not its input's first: line (len bytes, without its
 * newline) is, so event ids stay those of a whole read of the input. */
void mxt_pass_input_identity(struct mxt_pass *p, const char *line,
    size_t len);

/* Messages in flight now, for tests. */
size_t mxt_pass_tracked(const struct mxt_pass *p);

#endif
