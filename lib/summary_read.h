/*
 * summary_read.h - what a writer may read of a summary (internal). The
 * report writers (report_*.c), --fail-on's metrics and any exporter
 * include this header and not summary.h: they get values (a header,
 * rows in report order, totals), never the summary's maps, flights or
 * retries, so the summary keeps its memory to itself and a new output
 * format needs this header alone. The build compiles the writers with
 * MXT_SUMMARY_READER defined, and summary.h refuses to be included then
 * (lib/meson.build; tests/read_api.py checks every writer is built so).
 *
 * Rows are small const views filled from the summary: their pointers
 * (strings, histograms) borrow the summary's memory and stay valid while
 * it lives and is not changed. Arrays a function returns are malloc'd
 * and the caller frees them with free(); nothing here keeps state
 * between calls (no global sort state).
 */
#ifndef MXT_SUMMARY_READ_H
#define MXT_SUMMARY_READ_H

#include "internal.h"
#include "ourside.h"

#include <stdio.h>

#define MXT_SUMMARY_SCHEMA "mxtriage.summary/2"

/* Handles the trace commands (trace.h) and mxt_summary_empty_keys take:
 * a writer passes them on, never looks inside. */
struct group;
struct retry;
struct flight;

/* ---- the header ---- */

/* Time from first deferral to delivery, in fixed buckets (upper bounds
 * in seconds; the last bucket is open): merged summaries add them. */
#define DELAY_BUCKETS 16
extern const int64_t mxt_delay_bounds[DELAY_BUCKETS - 1];

/*
 * Rates (summary_rates.c): the outbound events of one recipient domain or
 * provider. n[] counts fresh events by status (delivered, deferred,
 * bounced, expired; rejected stays 0); cached repeats (cause suspended)
 * are counted apart in repeats and in no rate.
 */
struct rate_row {
	uint64_t n[MXT_STATUS_COUNT];
	uint64_t repeats;
};

struct mxt_summary_header {
	const struct mxt_summary_config *cfg; /* --by keys, filters, window */
	const struct mxt_stats *stats;        /* lines, unparsed, span */
	uint64_t events[MXT_STATUS_COUNT];    /* counted, after filters */
	uint64_t messages[MXT_STATUS_COUNT];  /* distinct (host, queue id) */
	uint64_t repeats;                     /* of events: cached repeats */
	size_t ninputs;                       /* mxt_summary_input */
	size_t ngaps;                         /* mxt_summary_gap */
	size_t ngroups;                       /* groups with events */
	size_t groups_kept;                   /* empty ones too: the range
	                                       * of mxt_group_row.index */
	const struct mxt_strmap *hosts;       /* logging hosts (keys) */
	uint64_t recv_messages, recv_bytes;   /* received in the window */
	/* what a cap refused (summary.h tells which cap) */
	uint64_t overflow_groups, overflow_retries, overflow_messages,
	    overflow_domains, overflow_received, overflow_rates,
	    overflow_hours;
	const struct rate_row *rate_total;    /* all outbound events */
	int64_t end;                          /* last time seen */
	int32_t end_utcoff;
};
/* The header of s (a value; its pointers borrow s). */
struct mxt_summary_header mxt_summary_header(const struct mxt_summary *s);

/* An input and the span of its recognised lines. */
struct mxt_summary_input {
	const char *name;
	struct mxt_time first, last;
	uint64_t lines;
};
/* Input i (< header.ninputs), in the order given. */
struct mxt_summary_input mxt_summary_input(const struct mxt_summary *s,
    size_t i);

/* A part of the window with no input. */
struct mxt_summary_gap {
	int64_t start, end;
	enum mxt_gap_kind kind;
};
/* Gap i (< header.ngaps), in time order. */
struct mxt_summary_gap mxt_summary_gap(const struct mxt_summary *s, size_t i);

/* ---- groups ---- */

struct mxt_group_row {
	const struct group *group;   /* handle: trace command, empty keys */
	size_t index;                /* place in the summary: stable, not
	                              * the report order */
	const char *values[MXT_MAX_KEYS]; /* header.cfg->nby key values */
	uint64_t events, repeats;    /* fresh failures; cached repeats */
	uint64_t by_status[MXT_STATUS_COUNT];
	uint64_t recipients, messages;
	struct mxt_time first, last;
	/* histograms, key -> events (slot value; 0 = taken back by a
	 * merge): reply codes, reply texts (texts_unnamed did not fit),
	 * the warnings linked to its failures */
	const struct mxt_strmap *codes, *texts, *warnings;
	uint64_t texts_unnamed;
};
/* The groups with events in report order (--sort); *n of them. */
struct mxt_group_row *mxt_summary_groups(const struct mxt_summary *s,
    size_t *n);
/* The most frequent entry of a histogram (ties: smallest key); NULL when
 * empty. */
const struct mxt_strmap_slot *mxt_strmap_top(const struct mxt_strmap *m);
/*
 * Grouped by hour (or day) alone, the groups come in time order; the
 * hours (days) with no failure between prev and next are rows too. Writes
 * the keys of those between them (as key_value writes them, in prev's
 * offset) to out, at most max of them, and returns how many there are.
 * 0 for other keys.
 */
size_t mxt_summary_empty_keys(const struct mxt_summary *s,
    const struct group *prev, const struct group *next, char (*out)[32],
    size_t max);

/* ---- causes ---- */

struct mxt_cause_row {
	enum mxt_cause cause;
	uint64_t events;             /* outbound failures */
	uint64_t rejections;         /* inbound */
	const struct mxt_strmap *domains; /* outbound domains affected */
};
/* Cause c, counted or not. */
struct mxt_cause_row mxt_summary_cause(const struct mxt_summary *s,
    enum mxt_cause c);
/* Causes with events in report order (most first); returns how many. */
size_t mxt_summary_causes(const struct mxt_summary *s,
    struct mxt_cause_row out[MXT_CAUSE_COUNT]);

/* ---- retries ---- */

struct mxt_summary_retries {
	uint64_t deferred;           /* recipients deferred at least once */
	uint64_t delivered, bounced, expired; /* later */
	uint64_t pending;            /* still deferred at the end */
	int64_t oldest_age;          /* seconds since the oldest pending */
	uint64_t delays[DELAY_BUCKETS]; /* first deferral to delivery */
	uint64_t ndelays;
};
struct mxt_summary_retries mxt_summary_retries(const struct mxt_summary *s);
/* The upper bound (seconds) of the delay bucket that holds percentile p
 * (0..100) of the delivery delays; -1 when there are none; for the open
 * last bucket, its lower bound. *open tells which. */
int64_t mxt_summary_delay_percentile(const struct mxt_summary *s, double p,
    bool *open);

/* A recipient still deferred at the end of the input. */
struct mxt_pending_row {
	const struct retry *retry;   /* handle: trace command */
	const char *host, *recipient, *domain, *queue_id;
	enum mxt_cause cause;        /* of the last deferral */
	uint64_t attempts;
	int64_t first_deferred, last_deferred;
	int64_t age;                 /* end - first_deferred */
	struct mxt_time first_time;
	bool in_window;              /* any of its events fell in it */
	int code;                    /* of the last deferral, 0 = none */
	const char *dsn;             /* "" = none */
	const char *text;            /* "" = none */
};
/* Pending recipients, oldest first; all: also those whose events all fell
 * outside the window (the JSON summary keeps them for a merge). */
struct mxt_pending_row *mxt_summary_pending(const struct mxt_summary *s,
    bool all, size_t *n);

/* ---- rejections by client ---- */

struct mxt_client_row {
	const char *key;             /* address, or name when none */
	const char *name;
	uint64_t rejections;
	enum mxt_cause top_cause;    /* most rejections (ties: lowest id) */
	const uint64_t *by_cause;    /* [MXT_CAUSE_COUNT] */
};
/* Clients rejected, most rejections first (ties: key). */
struct mxt_client_row *mxt_summary_clients(const struct mxt_summary *s,
    size_t *n);

/* ---- our side (summary_ourside.c) ---- */

/* (OURSIDE_ANVIL, the caps and mxt_ourside_anvil_names: ourside.h) */

/* The largest value of an anvil statistic and the first to reach it. */
struct mxt_anvil_row {
	uint64_t value;
	const char *client;          /* NULL = none */
	struct mxt_time time;
};

struct mxt_summary_ourside {
	const uint64_t *by_level;    /* [MXT_LEVEL_COUNT] */
	const uint64_t *by_topic;    /* [MXT_TOPIC_COUNT] */
	const uint64_t *postscreen;  /* [MXT_OURSIDE_ACTIONS] */
	struct mxt_anvil_row anvil[OURSIDE_ANVIL];
	uint64_t overflow;           /* records past a cap */
	uint64_t total;              /* records counted (notes included) */
};
struct mxt_summary_ourside mxt_summary_ourside(const struct mxt_summary *s);

struct mxt_complaint_row {
	const char *key;             /* mxt_ourside_key; len bytes */
	size_t len;
	enum mxt_mta mta;
	enum mxt_local_level level;
	enum mxt_local_topic topic;
	uint64_t count;
	uint64_t explained;          /* failures it was linked to */
	struct mxt_time first, last;
	const char *program;         /* of the example; NULL = none */
	const char *example;         /* NULL = none */
};
/* Complaints, the worst level first, then most, then key. */
struct mxt_complaint_row *mxt_summary_complaints(const struct mxt_summary *s,
    size_t *n);

struct mxt_local_client_row {
	const char *key;             /* client address; len bytes */
	size_t len;
	const char *name;            /* as first logged; "" when none */
	uint64_t count;
	uint64_t max;                /* rate: the largest N exceeded */
	struct mxt_time first, last;
};
enum mxt_local_clients { MXT_LOCAL_SASL, MXT_LOCAL_RATE };
/* SASL failures or enforced connection limits by client, most first. */
struct mxt_local_client_row *mxt_summary_local_clients(
    const struct mxt_summary *s, enum mxt_local_clients which, size_t *n);

/* ---- rates and timeline (summary_rates.c) ---- */

/* Fresh outbound attempts: delivered + deferred + bounced + expired. */
uint64_t mxt_rate_attempts(const struct rate_row *r);
/* Deferral rate, 0..1: fresh deferrals / fresh attempts (0 when none). */
double mxt_rate_defer(const struct rate_row *r);
/* Bounce rate, 0..1: (bounced + expired) / (delivered + bounced +
 * expired), the recipients that reached a final status (0 when none). */
double mxt_rate_bounce(const struct rate_row *r);

struct rate_entry {
	const char *key;
	const struct rate_row *row;
};
/* Rows of domains or providers, most attempts first (ties: repeats,
 * then key); malloc'd, *n entries, the caller frees. */
struct rate_entry *mxt_rates_sorted(const struct mxt_summary *s,
    bool provider, size_t *n);

/* One hour of the timeline: its start (seconds since the epoch, on the
 * hour of the offset utcoff, the offset its label is written in), fresh
 * events by status, cached repeats, and failures and rejections by cause
 * (repeats included, as the Causes table counts them). */
struct tl_bucket {
	int64_t start;
	int32_t utcoff;
	uint64_t n[MXT_STATUS_COUNT];
	uint64_t repeats;
	uint64_t causes[MXT_CAUSE_COUNT];
};
/* No event in the bucket (a merge may take all back). */
bool mxt_bucket_empty(const struct tl_bucket *b);
/* The timeline as shown: every hour (or, past TIMELINE_HOURLY_MAX hours,
 * every local day) from the first to the last bucket, empty ones
 * included (past TIMELINE_FILL_DAYS_MAX days, days with events only), in
 * time order; *daily tells which. malloc'd, *n buckets. */
struct tl_bucket *mxt_timeline_view(const struct mxt_summary *s, size_t *n,
    bool *daily);
/* The hours as kept (for a merge), in time order, empty ones included
 * (mxt_bucket_empty); borrowed from s, *n of them. */
const struct tl_bucket *mxt_timeline_hours(const struct mxt_summary *s,
    size_t *n);

/* ---- what a merge needs (the JSON summary) ---- */

/*
 * A message a merge may join: open at the end of the input, or met in
 * progress (its first line not read). Its touches (group, recipient) and
 * final outcomes are read by index through the flight handle.
 */
struct mxt_flight_row {
	const struct flight *flight; /* handle for the two functions below */
	const char *host, *queue_id;
	bool open;                   /* not left the queue */
	bool in_progress;            /* first line not read */
	bool superseded;             /* its id came back */
	unsigned statuses;           /* 1 << status it was counted under */
	size_t ntouch, nout;
};
/* In key order (host, queue id; an id that came back: the superseded
 * first, then by statuses and touches). */
struct mxt_flight_row *mxt_summary_flights(const struct mxt_summary *s,
    size_t *n);

/* A group the message touched (mxt_group_row.index) and the recipient. */
struct mxt_flight_touch {
	size_t group;
	const char *rcpt;
};
struct mxt_flight_touch mxt_flight_touch_at(const struct flight *f,
    size_t k);

/* A final outcome of a recipient of a message met in progress. */
struct mxt_flight_outcome {
	const char *rcpt;            /* "" for an expiry without recipients */
	enum mxt_status status;      /* delivered, bounced, expired */
	int64_t time;
	int64_t first_deferred;      /* -1 = not deferred in this summary */
	uint64_t attempts;
	int32_t utcoff;
	size_t group;                /* SIZE_MAX = not grouped */
	enum mxt_cause cause;        /* with text only */
	const char *sender, *text;   /* NULL = none */
};
struct mxt_flight_outcome mxt_flight_outcome_at(const struct flight *f,
    size_t k);

/* Messages received whose count a merge may settle (summary_received.c),
 * by key host\x1fqid: due (begun, not queued: bytes 0) or met (the first
 * size line of one met in progress). In byte order of the keys. */
struct mxt_received_row {
	const char *key;
	size_t len;
	uint64_t bytes;
	bool in_window;
};
struct mxt_received_row *mxt_summary_received_list(
    const struct mxt_summary *s, bool met, size_t *n);

/* ---- formatting shared by the writers (summary.c) ---- */

/* Formats seconds since the epoch in the offset of the input's end. */
char *mxt_summary_time(const struct mxt_summary *s, int64_t sec, char *buf,
    size_t size);
/* Formats seconds since the epoch in the local zone (TZ), with the
 * offset in force then: for the window given on the command line. */
char *mxt_local_time(int64_t sec, char *buf, size_t size);
/* "3d4h", "12m", "45s" */
char *mxt_duration_format(int64_t seconds, char *buf, size_t size);

/*
 * --state's memory of the domain series of -f prometheus (report_prom.c).
 * A counter must never go down, so a domain once given a series keeps it,
 * and domain="(other)" adds up, run by run, the failures of the domains
 * that had no series of their own when they happened (a domain given a
 * series later takes its whole count with it; (other) keeps what it had).
 */
struct mxt_prom_carry {
	char **domains;            /* sorted (strcmp), malloc'd */
	size_t ndomains;
	uint64_t other[MXT_STATUS_COUNT];
	bool has_other;            /* (other) was written once: it stays */
};
/* Gives the --top N domains of total (all when top is 0) a series in c,
 * and adds to c's (other) the failures that run (the run just read,
 * already merged into total) counted for the domains without one. No-op
 * when domain is not a --by key. */
void mxt_prom_carry_update(struct mxt_prom_carry *c,
    const struct mxt_summary *total, const struct mxt_summary *run,
    size_t top);
void mxt_prom_carry_finish(struct mxt_prom_carry *c);

/* The writers of report.c's registry, one file each. */
int mxt_report_table(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp);
int mxt_report_json(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp);
int mxt_report_csv(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp);
int mxt_report_prom(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp);
int mxt_report_html(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp);

#endif
