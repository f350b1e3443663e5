/*
 * dialect.h - the seam between the pass and an MTA's log dialect.
 *
 * A dialect sees only itself: its own state (made by create), the line's
 * header and message (struct mxt_logline, from the framing registry) and
 * a narrow sink to hand results to. It never sees the pass, the clock,
 * the statistics or another dialect. The registry of dialects is one
 * table in dialects.c.
 *
 * Adding an MTA: one file (NAME.c defining `const struct mxt_dialect
 * mxt_dialect_NAME`), one row in dialects.c, one line in lib/meson.build
 * (and its enum mxt_mta value and name in mxtriage.h / names.c).
 */
#ifndef MXT_DIALECT_H
#define MXT_DIALECT_H

#include "internal.h"
#include "track.h"

/* Counters a dialect may bump: lines that are not events but are
 * counted (see struct mxt_stats). */
enum mxt_counter {
	MXT_COUNTER_PROBES,          /* address verification probes */
	MXT_COUNTER_REJECT_WARNINGS, /* reject_warning: would-be rejections */
	MXT_COUNTER_COUNT
};

/*
 * Where a dialect puts what it read. ctx is the owner's (the pass); the
 * functions are called with it. source and line_no name the line being
 * parsed (for a dialect's own bookkeeping, such as Exim's dedupe).
 */
struct mxt_sink {
	void *ctx;
	const char *source;
	long line_no;
	/* No input is read after source (mxt_pass_final_input): nothing
	 * later can be the other copy of a line kept for a twin. */
	bool final_input;
	/* The consumer finishes each event on its own thread (mxt_pass_config
	 * classify_later, mxt_event_finish): a dialect may leave in the
	 * event's unread what only the consumer reads, for its finish. */
	bool later;
	/* Completes ev (source, line, domains, msg_start_seen, cause) and
	 * hands it on. m is the message entry of ev's (host, queue id)
	 * when the dialect holds it, else NULL. */
	void (*emit)(void *ctx, struct mxt_event *ev, struct mxt_msg *m);
	/* The current line was not understood: reason says why. */
	void (*unparsed)(void *ctx, const char *reason);
	/* The message entry of (host, id): get (NULL when none), add
	 * (created when missing; NULL only for an id that is never
	 * tracked), start (add, for the message's first line: marks it
	 * start_seen and tells the consumer once), end (the MTA said the
	 * message left the queue: tells the consumer, drops the entry).
	 * The entry is valid until the next add, start or end. */
	struct mxt_msg *(*msg_get)(void *ctx, struct mxt_str host,
	    struct mxt_str id);
	struct mxt_msg *(*msg_add)(void *ctx, struct mxt_str host,
	    struct mxt_str id);
	struct mxt_msg *(*msg_start)(void *ctx, struct mxt_str host,
	    struct mxt_str id);
	void (*msg_end)(void *ctx, struct mxt_str host, struct mxt_str id);
	void (*count)(void *ctx, enum mxt_counter c);
	/* A line of the local MTA's own trouble (ourside.c). */
	void (*local)(void *ctx, const struct mxt_local *l);
	/* Earlier MX replies (attempts.h): a host's reply before the final
	 * line of its delivery attempt, kept under (host, tag), and the
	 * replies kept for ev's final line, set into ev before emit. */
	void (*attempt)(void *ctx, struct mxt_str host, struct mxt_str tag,
	    struct mxt_str qid, const struct mxt_time *t,
	    const struct mxt_attempt *a);
	void (*attempts_take)(void *ctx, struct mxt_str host,
	    struct mxt_str tag, struct mxt_event *ev);
	/* Whether attempts_take could give or note anything for an event
	 * of time t under (host, tag) (mxt_attempts_pending). */
	bool (*attempts_pending)(void *ctx, struct mxt_str host,
	    struct mxt_str tag, const struct mxt_time *t);
	/* A line that logs the size of a message (Postfix qmgr "size=",
	 * Exim "<= ... S="; r->kind MXT_RECEIVED): m is the message's entry
	 * (Postfix: the pass decides by its recv whether the line is told
	 * and as what), NULL for a line logged once per message (Exim). */
	void (*received)(void *ctx, struct mxt_received *r, struct mxt_msg *m);
};

static inline void
mxt_sink_emit(struct mxt_sink *k, struct mxt_event *ev, struct mxt_msg *m)
{
	k->emit(k->ctx, ev, m);
}
static inline void
mxt_sink_unparsed(struct mxt_sink *k, const char *reason)
{
	k->unparsed(k->ctx, reason);
}
static inline struct mxt_msg *
mxt_sink_msg_get(struct mxt_sink *k, struct mxt_str host, struct mxt_str id)
{
	return k->msg_get(k->ctx, host, id);
}
static inline struct mxt_msg *
mxt_sink_msg_add(struct mxt_sink *k, struct mxt_str host, struct mxt_str id)
{
	return k->msg_add(k->ctx, host, id);
}
static inline struct mxt_msg *
mxt_sink_msg_start(struct mxt_sink *k, struct mxt_str host, struct mxt_str id)
{
	return k->msg_start(k->ctx, host, id);
}
static inline void
mxt_sink_msg_end(struct mxt_sink *k, struct mxt_str host, struct mxt_str id)
{
	k->msg_end(k->ctx, host, id);
}
static inline void
mxt_sink_count(struct mxt_sink *k, enum mxt_counter c)
{
	k->count(k->ctx, c);
}

static inline void
mxt_sink_local(struct mxt_sink *k, const struct mxt_local *l)
{
	k->local(k->ctx, l);
}
static inline void
mxt_sink_attempt(struct mxt_sink *k, struct mxt_str host, struct mxt_str tag,
    struct mxt_str qid, const struct mxt_time *t, const struct mxt_attempt *a)
{
	k->attempt(k->ctx, host, tag, qid, t, a);
}
static inline void
mxt_sink_attempts_take(struct mxt_sink *k, struct mxt_str host,
    struct mxt_str tag, struct mxt_event *ev)
{
	k->attempts_take(k->ctx, host, tag, ev);
}

static inline bool
mxt_sink_attempts_pending(struct mxt_sink *k, struct mxt_str host,
    struct mxt_str tag, const struct mxt_time *t)
{
	return k->attempts_pending(k->ctx, host, tag, t);
}

static inline void
mxt_sink_received(struct mxt_sink *k, struct mxt_received *r,
    struct mxt_msg *m)
{
	k->received(k->ctx, r, m);
}

/* What a dialect may be configured with. */
struct mxt_dialect_options {
	const char *syslog_name; /* --syslog-name, NULL = any */
};

struct mxt_dialect {
	const char *name;
	enum mxt_mta mta;
	/* Its state (NULL allowed when it keeps none); create may be NULL. */
	void *(*create)(const struct mxt_dialect_options *o);
	void (*destroy)(void *state); /* accepts NULL; may be NULL */
	/* True when the line belongs to this MTA. */
	bool (*claim)(void *state, const struct mxt_logline *ll);
	/* Turns a claimed line into events, unparsed reports and counts. */
	void (*parse)(void *state, struct mxt_sink *sink,
	    const struct mxt_logline *ll);
	/* True for lines without a header that belong to this MTA and are
	 * never events (Exim's reject log header dumps). May be NULL. */
	bool (*headerless)(const char *line, size_t len);
	/* What of its state the next run of --state needs (state.c keeps
	 * it as a string): save returns it malloc'd, NUL-terminated (NULL
	 * when there is nothing), restore reads it back into a new state
	 * (0, or -1 when it is not one). Both may be NULL. */
	char *(*save)(const void *state);
	int (*restore)(void *state, const char *text);
	/* Reads what parse left in ev->unread (struct mxt_sink.later) into
	 * ev and empties unread; called by mxt_event_finish on the
	 * consumer's thread, with the dialect's state nowhere near. May be
	 * NULL when parse never leaves anything. */
	void (*finish)(struct mxt_event *ev);
};

/* The registry (dialects.c): the first dialect that claims a line wins. */
extern const struct mxt_dialect *const mxt_dialects[];
extern const size_t mxt_dialect_count;

/* Starts an event with the defaults of the line. */
static inline void
mxt_event_init(struct mxt_event *ev, const struct mxt_logline *ll,
    enum mxt_mta mta)
{
	memset(ev, 0, sizeof *ev);
	ev->time = ll->time;
	ev->host = ll->host;
	ev->mta = mta;
	ev->matters = -1;
}

#endif
