/*
 * summary_ourside.h - the summary's "Our side" section (summary_ourside.c):
 * the local MTA's own trouble. Complaints (warnings, errors, fatal,
 * panic) grouped by mxt_ourside_key; SASL failures and enforced
 * connection limits by client; postscreen's verdicts by action; anvil's
 * maxima. Caps as for the groups: a complaint or client past
 * OURSIDE_COMPLAINTS_MAX / OURSIDE_CLIENTS_MAX (ourside.h) is counted in
 * by_level and in overflow, not named. The summary (summary.c) holds one
 * and tells it the records in its window; it knows nothing of the
 * summary. Not public.
 */
#ifndef MXT_SUMMARY_OURSIDE_H
#define MXT_SUMMARY_OURSIDE_H

#include "internal.h"
#include "ourside.h"

struct complaint {
	enum mxt_mta mta;
	enum mxt_local_level level;
	enum mxt_local_topic topic;
	uint64_t count;
	uint64_t explained;        /* failures it was linked to */
	struct mxt_time first, last;
	char *program;             /* of the example */
	char *example;             /* the earliest line's text (cut) */
};

struct local_client {
	char *name;                /* as first logged; "" when none */
	uint64_t count;
	uint64_t max;              /* rate: the largest N exceeded */
	struct mxt_time first, last;
};

struct anvil_max {
	uint64_t value;
	char *client;              /* the first to reach it; NULL = none */
	struct mxt_time time;
};

struct ourside {
	struct mxt_strmap complaints; /* key -> struct complaint */
	struct mxt_strmap sasl;       /* client -> struct local_client */
	struct mxt_strmap rate;       /* client -> struct local_client */
	uint64_t by_level[MXT_LEVEL_COUNT];
	uint64_t by_topic[MXT_TOPIC_COUNT];
	uint64_t postscreen[MXT_OURSIDE_ACTIONS];
	struct anvil_max anvil[OURSIDE_ANVIL];
	uint64_t overflow;            /* records past a cap */
};

void mxt_ourside_init(struct ourside *o);
void mxt_ourside_finish(struct ourside *o);
/* Counts a record of the pass (the summary decides the window). */
void mxt_ourside_add(struct ourside *o, const struct mxt_local *l);
/* A counted failure was linked to the complaint of key warning. */
void mxt_ourside_explained(struct ourside *o, enum mxt_mta mta,
    struct mxt_str warning);
/* Adds src's section to dst's (sums, maxima, the earlier example). */
void mxt_ourside_merge(struct ourside *d, const struct ourside *src);
/* Slots of the complaints (complaints true: the worst level first) or of
 * a client map in report order (most first, then key); a malloc'd array the caller frees, *n
 * entries. */
const struct mxt_strmap_slot **mxt_ourside_sorted(const struct mxt_strmap *m,
    bool complaints, size_t *n);
/* A complaint or client, as a loader or merge makes it (takes nothing). */
struct complaint *mxt_ourside_complaint(struct ourside *o, const char *key,
    size_t len);
struct local_client *mxt_ourside_client(struct ourside *o,
    struct mxt_strmap *m, const char *key, size_t len);
/* True when a cap of the section was reached (parallel.c refuses). */
bool mxt_ourside_capped(const struct ourside *o);
/* Records counted in the section (notes included). */
uint64_t mxt_ourside_total(const struct ourside *o);

#endif
