/*
 * summary.h - the aggregated report: summary.c and its companions
 * (summary_*.c) fill it, merge it and load it; the writers read it
 * through summary_read.h. Not public.
 */
#ifndef MXT_SUMMARY_H
#define MXT_SUMMARY_H

/* The writers read a summary through summary_read.h only (the build
 * defines MXT_SUMMARY_READER for them, lib/meson.build). */
#ifdef MXT_SUMMARY_READER
#error "summary.h is the summary's own header: a writer includes summary_read.h"
#endif

#include "internal.h"
#include "ourside.h"
#include "summary_read.h"
#include "summary_ourside.h"
#include "summary_received.h"

/* Distinct reply texts kept per group; more are counted, not named. */
#define GROUP_TEXTS_MAX 64
#define GROUP_CODES_MAX 32
#define GROUP_WARNINGS_MAX 8

/*
 * Caps: what the summary keeps grows with distinct keys, never with the
 * length of the log, and each kind of key has a cap so that a hostile or
 * broken log cannot take all memory. What a cap refuses is counted (the
 * header's "overflow", and a note on stderr), and the rest stays exact:
 *   groups           the events of further groups are counted in the
 *                    header and causes, not grouped;
 *   pending retries  further deferred recipients are not followed to
 *                    their outcome;
 *   messages         further messages in flight are counted as messages
 *                    of their own event by event;
 *   domains          further domains of a cause are not counted in its
 *                    "domains".
 */
#define SUMMARY_GROUPS_MAX MXT_SUMMARY_GROUPS_MAX
#define SUMMARY_RETRIES_MAX MXT_SUMMARY_RETRIES_MAX
#define SUMMARY_FLIGHTS_MAX MXT_SUMMARY_FLIGHTS_MAX
#define SUMMARY_DOMAINS_MAX MXT_SUMMARY_DOMAINS_MAX
/* Texts past the group caps a piece of a parallel pass keeps (all groups
 * together): memory stays bounded whatever the log holds. */
#define SUMMARY_TEXTS_OVER_MAX 262144

/*
 * Events by reply text, the text kept as its 128-bit XXH3 fingerprint
 * (24 bytes a text, where a map keeps the text itself): the texts a piece
 * of a parallel pass counts past a group's cap. The merge only asks it
 * how many events a text it names already had (no text past a piece's cap
 * is ever named by the merge, summary_merge.c), so the text itself is not
 * needed; two texts of one group would have to share all 128 bits to be
 * counted together.
 */
struct tally_slot {
	uint64_t lo, hi;
	uint64_t n;                /* events; 0 = empty slot */
};
struct text_tally {
	struct tally_slot *slots;  /* open addressing, power-of-two size */
	size_t size, count;
};
/* Adds one event of text [t, t + len); a new text only when add is true.
 * Returns false when the text is new and add is false. */
bool mxt_tally_add(struct text_tally *m, const char *t, size_t len,
    bool add);
/* Events counted for the text (0 = none). */
uint64_t mxt_tally_get(const struct text_tally *m, const char *t,
    size_t len);
void mxt_tally_finish(struct text_tally *m);

/* One group of outbound failures (deferred, bounced, expired). */
struct group {
	char *values[MXT_MAX_KEYS];
	uint64_t events;       /* fresh failures: attempts, not messages */
	uint64_t repeats;      /* cached repeats (cause suspended) */
	uint64_t by_status[MXT_STATUS_COUNT];
	/* distinct (message, recipient) pairs and distinct messages; kept
	 * as counts, made exact by the in-flight entries (struct flight) */
	uint64_t recipients, messages;
	struct mxt_strmap codes;  /* "451 4.7.1" -> events */
	struct mxt_strmap texts;  /* reply text -> events */
	uint64_t texts_unnamed;   /* events whose text did not fit */
	/* only in a piece of a parallel pass (mxt_summary.ordered): texts
	 * past the cap with their events, so that the merge of the pieces
	 * counts what one pass counts (parallel.c); by fingerprint */
	struct text_tally texts_over;
	struct mxt_time first, last;
	/* the warnings linked to its failures (struct mxt_event.warning):
	 * key -> events, at most GROUP_WARNINGS_MAX keys, the rest not named */
	struct mxt_strmap warnings;
};

struct cause_row {
	uint64_t events;            /* outbound failures */
	uint64_t rejections;        /* inbound */
	struct mxt_strmap domains;  /* outbound domains affected */
};

/* A recipient deferred at least once: (host, queue id, recipient). */
struct retry {
	/* in its allocation (mxt_retry_new); text is apart: it changes */
	char *host, *recipient, *domain, *queue_id;
	enum mxt_cause cause;      /* of the last deferral */
	uint64_t attempts;
	int64_t first_deferred, last_deferred;
	bool in_window;            /* any of its events fell in the window */
	struct mxt_time first_time;
	/* the last deferral, for an expiry that a later summary reports
	 * without its recipients (see struct flight) */
	int code;
	char dsn[16];
	char *text;
};

/* A group a message touched, with the recipient that failed there. */
struct touch {
	uint32_t group;
	char *rcpt;
};

/* A final outcome of a recipient of a message met in progress. */
struct outcome {
	char *rcpt;                /* "" for an expiry without recipients */
	enum mxt_status status;    /* delivered, bounced, expired */
	int64_t time;
	int64_t first_deferred;    /* in this summary; -1 = not deferred here */
	uint64_t attempts;         /* deferrals in this summary */
	/* for "": the expiry event as counted, so a merge can replace it
	 * by one expiry per recipient the earlier summary knows */
	uint32_t group;            /* UINT32_MAX = not grouped */
	enum mxt_cause cause;
	char *sender, *text;
	int32_t utcoff;
	/* in a piece of a parallel pass (mxt_summary.ordered) only: an
	 * outcome outside the filters and of no deferral in the window,
	 * kept so that the merge still takes the recipient off the pending
	 * list as one pass does (never written, never carried on) */
	bool uncounted;
};

/*
 * A message as the summary saw it, keyed by (host, queue id): which
 * statuses it was counted under (distinct messages per status), which
 * groups and (group, recipient) pairs it touched. An entry is dropped when
 * the message leaves the queue, so memory follows the messages in flight.
 * Two kinds are kept to the end, for merging summaries of consecutive
 * inputs: messages still open at the end of the input, and messages met
 * in progress (first line not read); merge joins the open ones of the
 * earlier summary with the in-progress ones of the later summary.
 */
struct flight {
	char *host, *queue_id;     /* in its allocation (mxt_flight_new) */
	uint8_t marks;             /* 1 << status counted */
	bool in_progress;          /* first line not read */
	bool ended;                /* left the queue */
	bool superseded;           /* its id came back: under a key of its own */
	struct touch *touch;
	size_t ntouch, touch_alloc;
	struct outcome *out;       /* only when in_progress */
	size_t nout, out_alloc;
};

struct client_row {
	uint64_t rejections;
	char *key;  /* address, or name when none was logged */
	char *name;
	uint64_t by_cause[MXT_CAUSE_COUNT];
};

/* An input and the span of its recognised lines. */
struct input_span {
	char *name;
	struct mxt_time first, last;
	uint64_t lines;
};

/* Hours the timeline keeps (over a year); events of further hours are
 * counted in overflow_hours. */
#define SUMMARY_HOURS_MAX 10000
/* The timeline is hourly up to this many hours, else daily. */
#define TIMELINE_HOURLY_MAX 48
/* Daily, the days with no event between two that have are rows while the
 * span is under this many days (ten years); past it only days with events
 * are (log text chooses the years: 1999 and 9999 must not make a row per
 * day in memory). */
#define TIMELINE_FILL_DAYS_MAX 3660

struct mxt_summary {
	struct mxt_summary_config cfg;
	struct mxt_stats stats;     /* from the pass (sums when merged) */
	uint64_t events[MXT_STATUS_COUNT]; /* counted, after filters */
	uint64_t repeats;           /* of which cached repeats */
	uint64_t messages[MXT_STATUS_COUNT]; /* distinct (host, queue id) */
	struct mxt_strmap group_index; /* key -> index + 1 */
	struct group *groups;
	size_t ngroups, groups_alloc;
	uint64_t overflow_groups;   /* events not grouped: cap reached */
	uint64_t overflow_retries;  /* deferred recipients not followed */
	uint64_t overflow_messages; /* events of messages not kept in flight */
	uint64_t overflow_domains;  /* cause domains not counted */
	struct cause_row causes[MXT_CAUSE_COUNT];
	struct mxt_strmap retries;  /* host\x1fqid\x1frcpt -> struct retry */
	uint64_t retry_total, retry_delivered, retry_bounced, retry_expired;
	uint64_t delays[DELAY_BUCKETS];
	struct mxt_strmap flights;  /* host\x1fqid -> struct flight */
	/* host\x1fqid of messages that may have pending retries; every
	 * retry not moved aside has its message here. value: how many of
	 * them mxt_summary_add's events left pending (the entry leaves with
	 * the last); 0 = not counted (loaded or merged), never removed by an
	 * outcome. Code that adds a retry other than through
	 * mxt_summary_add must leave the entry's value at 0. */
	struct mxt_strmap pending_msgs;
	uint64_t detached;          /* pending of an id that came back */
	struct mxt_strmap clients;  /* client ip -> struct client_row (ptr) */
	struct mxt_strmap hosts;    /* logging hosts seen */
	/* the key in hosts of the last event's host: most events have the
	 * host of the one before, which is then not hashed again */
	const char *last_host;
	size_t last_host_len;
	struct input_span *inputs;
	size_t ninputs;
	struct cover_gap {          /* parts of the window with no input */
		int64_t start, end;
		enum mxt_gap_kind kind;
	} *gaps;
	size_t ngaps;
	bool merged;                /* made by mxt_summary_merge */
	/* A piece of a parallel pass (parallel.c), merged in order into the
	 * pieces before it: each named text's slot ptr holds its rank of
	 * first occurrence in its group, and texts past the cap are kept in
	 * the group's texts_over, so the merge names exactly the texts one
	 * pass over the whole input names. */
	bool ordered;
	/* texts kept past the caps of the groups in texts_over, all groups
	 * together: at SUMMARY_TEXTS_OVER_MAX no more are kept, and
	 * texts_over_full says the piece cannot be merged exactly */
	size_t texts_over;
	bool texts_over_full;
	struct ourside ourside;     /* the local MTA's own trouble */
	/* rates and timeline (summary_rates.c) */
	struct rate_row rate_total; /* all outbound events counted */
	struct mxt_strmap rate_domains;   /* domain -> struct rate_row */
	struct mxt_strmap rate_providers; /* provider -> struct rate_row */
	uint64_t overflow_rates;    /* events of domains past the cap */
	struct tl_bucket *hours;    /* in time order */
	size_t nhours, hours_alloc, hour_hint;
	uint64_t overflow_hours;    /* events of hours past the cap */
	/* messages received (summary_received.c): counted in the window,
	 * and the messages a merge may count at a cut */
	struct received recv;
	struct mxt_buf keybuf;      /* scratch: the key being built */
	int64_t end;                /* last time seen: pending ages end here */
	int32_t end_utcoff;
};

/* Reply texts kept per pending recipient (as track.c keeps them). */
#define RETRY_TEXT_MAX 1024

/* ---- inside the summary modules (summary.c, summary_merge.c, ...) ---- */
uint32_t mxt_summary_group_index(struct mxt_summary *s,
    const char *const *vals, const size_t *lens);
struct flight *mxt_summary_flight(struct mxt_summary *s, struct mxt_str host,
    struct mxt_str qid, bool create);
bool mxt_flight_touch(struct flight *f, uint32_t gi, const char *rcpt,
    size_t len, bool *new_msg);
struct outcome *mxt_flight_outcome(struct flight *f);
/* A new, empty entry of (host, qid): one allocation with its strings. */
struct flight *mxt_flight_new(struct mxt_str host, struct mxt_str qid);
uint32_t mxt_summary_count_failure(struct mxt_summary *s,
    const struct mxt_event *ev, struct flight *f);
void mxt_summary_add_delay(struct mxt_summary *s, int64_t sec, int64_t n);
void mxt_summary_resolve(struct mxt_summary *s, enum mxt_status st,
    int64_t delay);
/* A new entry of a deferred recipient: one allocation with its strings. */
struct retry *mxt_retry_new(struct mxt_str host, struct mxt_str recipient,
    struct mxt_str domain, struct mxt_str queue_id);
void mxt_summary_free_retry(struct retry *r);
void mxt_summary_free_flight(struct flight *f);
uint64_t mxt_summary_deferred_recipients(const struct mxt_summary *s);
/*
 * Keys of the maps of messages and recipients: host \x1f queue id, and
 * \x1f recipient for a recipient (in b, from its start). An entry moved
 * aside because its id came back has \x1e and a number unique in s
 * appended (mxt_summary_key_aside); mxt_summary_key_base gives the length
 * of a key without that mark.
 */
void mxt_summary_key(struct mxt_buf *b, struct mxt_str host, struct mxt_str qid,
    const struct mxt_str *rcpt);
void mxt_summary_key_aside(struct mxt_summary *s, struct mxt_buf *b);
size_t mxt_summary_key_base(const char *key, size_t len);
void mxt_summary_detach_pending(struct mxt_summary *s, struct mxt_str host,
    struct mxt_str qid);

/*
 * What a piece of one pass (parallel.c) knows of the messages at its cut,
 * for mxt_summary_merge_cut. Keys are mxt_summary_key(host, qid, NULL).
 * started: messages whose first line came before the cut and that had not
 * ended there (begun in an earlier piece); ended: messages the piece saw
 * leave the queue before it saw them begin, value 2 when the same id
 * began again later in the piece. Either may be NULL.
 */
struct mxt_merge_cut {
	const struct mxt_strmap *started;
	const struct mxt_strmap *ended;
};
/* mxt_summary_merge of the next piece of one pass (src->ordered). */
int mxt_summary_merge_cut(struct mxt_summary *dst,
    const struct mxt_summary *src, struct mxt_classifier *c,
    const struct mxt_merge_cut *cut, struct mxt_error *err);

/* The first piece of one pass as the base of the merge of the others:
 * no longer ordered, no uncounted outcomes. */
void mxt_summary_settle(struct mxt_summary *s);

/*
 * Forgets what grows with every run kept in --state's totals and that no
 * counter needs: the clients rejected, the inputs and their spans, the
 * domains of each cause. What remains is bounded by the groups, hosts and
 * messages in flight, and merges on as before.
 */
void mxt_summary_trim(struct mxt_summary *s);

/* Groups with events (what the writers show). */
size_t mxt_summary_ngroups(const struct mxt_summary *s);
/* Sorted views for the writers; malloc'd arrays the caller frees. */
struct group **mxt_summary_sorted_groups(const struct mxt_summary *s);
struct retry **mxt_summary_sorted_pending(const struct mxt_summary *s,
    size_t *n);
/* Also those whose events all fell outside the window (a merge needs them). */
struct retry **mxt_summary_sorted_pending_all(const struct mxt_summary *s,
    size_t *n);

/* mxt_summary_load of a document already parsed (root is borrowed);
 * path names it in errors. */
struct json_t;
struct mxt_summary *mxt_summary_from_json(struct json_t *root,
    const char *path, struct mxt_error *err);
/* Causes in report order (most events first); returns how many. */
size_t mxt_summary_sorted_causes(const struct mxt_summary *s,
    enum mxt_cause out[MXT_CAUSE_COUNT]);
uint64_t mxt_summary_delays_count(const struct mxt_summary *s);
uint64_t mxt_summary_pending_count(const struct mxt_summary *s);
/* Seconds since the oldest pending deferral, at the end of the input. */
int64_t mxt_summary_oldest_pending_age(const struct mxt_summary *s);


/* ---- rates and timeline (summary_rates.c) ---- */
void mxt_rates_init(struct mxt_summary *s);
void mxt_rates_finish(struct mxt_summary *s);
/* Counts ev (counted: inside the window and filters) in the rates and the
 * timeline, sign +1; -1 takes back what an earlier call counted (a merge
 * that replaces a recipient-less expiry). */
void mxt_rates_count(struct mxt_summary *s, const struct mxt_event *ev,
    int sign);
void mxt_rates_merge(struct mxt_summary *d, const struct mxt_summary *s);
/* Adds one row of a loaded summary (domain or provider; key NUL-ended). */
void mxt_rates_add_row(struct mxt_summary *s, bool provider, const char *key,
    const struct rate_row *r);
/* Adds one hour of a loaded summary. */
void mxt_rates_add_hour(struct mxt_summary *s, const struct tl_bucket *b);


#endif
