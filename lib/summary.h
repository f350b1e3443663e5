/*
 * summary.h - the aggregated report, shared by summary.c (which fills it)
 * and the report_*.c writers (which print it). Not public.
 */
#ifndef MXT_SUMMARY_H
#define MXT_SUMMARY_H

#include "internal.h"

/* Distinct reply texts kept per group; more are counted, not named. */
#define GROUP_TEXTS_MAX 64
#define GROUP_CODES_MAX 32

/* One group of outbound failures (deferred, bounced, expired). */
struct group {
	char *values[MXT_MAX_KEYS];
	uint64_t events;       /* fresh failures: attempts, not messages */
	uint64_t repeats;      /* cached repeats (cause suspended) */
	uint64_t by_status[MXT_STATUS_COUNT];
	struct mxt_strmap recipients, messages;
	struct mxt_strmap codes;  /* "451 4.7.1" -> events */
	struct mxt_strmap texts;  /* reply text -> events */
	uint64_t texts_unnamed;   /* events whose text did not fit */
	struct mxt_time first, last;
};

struct cause_row {
	uint64_t events;            /* outbound failures */
	uint64_t rejections;        /* inbound */
	struct mxt_strmap domains;  /* outbound domains affected */
};

/* A recipient deferred at least once: (queue id, recipient). */
struct retry {
	char *recipient, *domain, *queue_id;
	enum mxt_cause cause;      /* of the last deferral */
	uint64_t attempts;
	int64_t first_deferred, last_deferred;
	bool in_window;            /* any of its events fell in the window */
	struct mxt_time first_time;
};

struct client_row {
	uint64_t rejections;
	char *key;  /* address, or name when none was logged */
	char *name;
	enum mxt_cause top_cause;
	uint64_t by_cause[MXT_CAUSE_COUNT];
};

struct mxt_summary {
	struct mxt_summary_config cfg;
	struct mxt_stats stats;     /* from the pass */
	uint64_t events[MXT_STATUS_COUNT]; /* counted, after filters */
	uint64_t repeats;           /* of which cached repeats */
	uint64_t messages[MXT_STATUS_COUNT]; /* distinct, see first_of_message */
	struct mxt_strmap group_index; /* key -> index + 1 */
	struct group *groups;
	size_t ngroups, groups_alloc;
	struct cause_row causes[MXT_CAUSE_COUNT];
	struct mxt_strmap retries;  /* qid\\x1frcpt -> struct retry (ptr) */
	uint64_t retry_total, retry_delivered, retry_bounced, retry_expired;
	double *delays;             /* first deferral -> delivery, seconds;
				     * sorted by mxt_summary_finish */
	size_t ndelays, delays_alloc;
	struct mxt_strmap clients;  /* client ip -> struct client_row (ptr) */
	struct mxt_buf keybuf;      /* scratch: the group key being built */
	int64_t end;                /* last time seen: pending ages end here */
	int32_t end_utcoff;
};

/* Sorted views for the writers; malloc'd arrays the caller frees. */
struct group **mxt_summary_sorted_groups(const struct mxt_summary *s);
struct retry **mxt_summary_sorted_pending(const struct mxt_summary *s,
    size_t *n);
struct client_row **mxt_summary_sorted_clients(const struct mxt_summary *s,
    size_t *n);
/* Causes in report order (most events first); returns how many. */
size_t mxt_summary_sorted_causes(const struct mxt_summary *s,
    enum mxt_cause out[MXT_CAUSE_COUNT]);
/* The most frequent entry of a histogram (ties: smallest key). */
const struct mxt_strmap_slot *mxt_strmap_top(const struct mxt_strmap *m);
/* Percentile p (0..100) of the delivery delays; -1 when there are none. */
double mxt_summary_delay_percentile(const struct mxt_summary *s, double p);
uint64_t mxt_summary_pending_count(const struct mxt_summary *s);
/* Seconds since the oldest pending deferral, at the end of the input. */
int64_t mxt_summary_oldest_pending_age(const struct mxt_summary *s);
/* Formats seconds since the epoch in the offset of the input's end. */
char *mxt_summary_time(const struct mxt_summary *s, int64_t sec, char *buf,
    size_t size);
/* Formats seconds since the epoch in the local zone (TZ), with the
 * offset in force then: for the window given on the command line. */
char *mxt_local_time(int64_t sec, char *buf, size_t size);

/* The writers of report.c's registry, one file each. */
int mxt_report_table(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp);
int mxt_report_json(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp);
int mxt_report_csv(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp);

/* "3d4h", "12m", "45s" */
char *mxt_duration_format(int64_t seconds, char *buf, size_t size);

#endif
