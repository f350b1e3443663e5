/*
 * attempts.h - the replies of MX hosts tried before the last, waiting for
 * the final line of their delivery attempt (attempts.c). Internal to lib/;
 * dialects reach it only through their sink (dialect.h).
 */
#ifndef MXT_ATTEMPTS_H
#define MXT_ATTEMPTS_H

#include "internal.h"

#include <jansson.h>

/* Seconds a reply waits for its final line: more than any MTA's timeouts
 * of one delivery attempt allow (Postfix's five MX addresses of 30 s
 * connect and 300 s greeting time-outs, Exim's hosts_max_try of 5). */
#define MXT_ATTEMPTS_WAIT 3600
/* Bytes of a reply's text kept. */
#define MXT_ATTEMPT_TEXT_MAX 1024

struct mxt_attempts;

/* overflow and dropped (not NULL) count what the caps refuse. */
struct mxt_attempts *mxt_attempts_create(uint64_t *overflow,
    uint64_t *dropped);
void mxt_attempts_destroy(struct mxt_attempts *s); /* accepts NULL */

/*
 * Records reply a, logged at t, of the delivery attempt (host, tag): tag
 * names the process or message whose lines the final line shares
 * (Postfix "postfix/smtp[123]", Exim's message id); qid is the queue id
 * when the line had one (else empty); line_no is the line's number in
 * its input (mxt_attempts_cut tells the first of an attempt's replies).
 * Strings are copied. A reply for another queue id than the waiting
 * ones, or after those were taken, begins a new delivery attempt.
 */
void mxt_attempts_add(struct mxt_attempts *s, struct mxt_str host,
    struct mxt_str tag, struct mxt_str qid, const struct mxt_time *t,
    long line_no, const struct mxt_attempt *a);

/*
 * Sets ev->attempts and ev->nattempts from the replies waiting under
 * (host, tag) for ev->queue_id (those of another queue id are dropped),
 * leaving out the last when it is ev's own reply again (Postfix logs the
 * last connect failure and Exim the last host's error on their own line
 * as well). The replies stay for the other recipients of the same
 * attempt: status lines of the same queue id within a second of the first
 * that took them. Pointers are valid until the next add or take.
 */
void mxt_attempts_take(struct mxt_attempts *s, struct mxt_str host,
    struct mxt_str tag, struct mxt_event *ev);

/* Whether mxt_attempts_take could set or note anything for an event of
 * time t under (host, tag): replies wait there, or the store watches
 * (mxt_attempts_watch). When not, the take would leave ev as it is, so
 * the event's relay and code need not be known for it. */
bool mxt_attempts_pending(struct mxt_attempts *s, struct mxt_str host,
    struct mxt_str tag, const struct mxt_time *t);

/* Delivery attempts whose replies no final line took yet. */
size_t mxt_attempts_waiting(const struct mxt_attempts *s);


/*
 * For --jobs (parallel.c), whether a piece's replies reach the next
 * pieces: watch makes the store note each key it meets without an entry
 * (the key's first add or take in the piece: a line that one pass would
 * have given the replies of the piece before) during the first
 * MXT_ATTEMPTS_WAIT seconds of log time, at most MXT_ATTEMPTS_PENDING_MAX
 * keys (*over past that). cut hands them out (the caller owns *touched,
 * a map of keys, and *open) with the keys of the entries whose replies a
 * line after now could still take (waiting ones not older than
 * MXT_ATTEMPTS_WAIT, taken ones that other recipients may take within the
 * second), each with the log time until which a line may take them.
 */
struct mxt_attempts_key {
	char *key;
	size_t len;
	int64_t until;
	long first_line;  /* the line of its first reply (mxt_attempts_add) */
	char qid[40];  /* of its replies, "" when not known */
	bool taken;
};
/* Whether the first line of a later piece that met k.key (value and ptr
 * of its slot in that piece's touched map) would have changed k's replies
 * in one pass: a take of the same queue id, or an add to replies still
 * waiting. */
bool mxt_attempts_reached(const struct mxt_attempts_key *k,
    const struct mxt_strmap_slot *first);
/* Frees the qids kept in a touched map, then the map. */
void mxt_attempts_touched_finish(struct mxt_strmap *touched);
void mxt_attempts_watch(struct mxt_attempts *s);
/* While on, every key met is watched whatever its time (the lines read
 * before a piece's cut, parallel.c); off, the MXT_ATTEMPTS_WAIT seconds
 * of watching start at the next key met. The keys met stay. */
void mxt_attempts_warm(struct mxt_attempts *s, bool on);
void mxt_attempts_cut(struct mxt_attempts *s, const struct mxt_time *now,
    struct mxt_strmap *touched, bool *over, struct mxt_attempts_key **open,
    size_t *nopen);

/* The store as JSON (for --state), oldest first, and back. restore
 * returns -1 with why filled when list is not such a list. */
json_t *mxt_attempts_save(const struct mxt_attempts *s);
int mxt_attempts_restore(struct mxt_attempts *s, const json_t *list,
    char *why, size_t size);

/* track_state.c: a byte string as JSON (a string when it is UTF-8, else
 * {"hex": ...}) and back (NULL when v is neither; free the result). */
json_t *mxt_state_bytes(const char *s, size_t len);
char *mxt_state_bytes_of(const json_t *v, size_t *len);

#endif
