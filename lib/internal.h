/*
 * internal.h - declarations shared inside lib/, never used by cmd/.
 */
#ifndef MXT_INTERNAL_H
#define MXT_INTERNAL_H

#include "mxtriage.h"

#include <string.h>

/* Allocation wrappers that never return NULL: they abort on exhaustion
 * (OpenSMTPD xmalloc), so callers need no error path for memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrndup(const char *s, size_t n);

static inline struct mxt_str
mxt_str_make(const char *p, size_t n)
{
	struct mxt_str s = {p, n};
	return s;
}

static inline bool
mxt_str_eq(struct mxt_str s, const char *lit)
{
	size_t n = strlen(lit);
	return s.len == n && memcmp(s.ptr, lit, n) == 0;
}

static inline bool
has_prefix(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline const char *
skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* The end of the token at p: the next space, or end. */
static inline const char *
token_end(const char *p, const char *end)
{
	while (p < end && *p != ' ')
		p++;
	return p;
}

/* memmem over [p, end) for a literal; NULL when absent. */
const char *find_lit(const char *p, const char *end, const char *lit);
/* Case-insensitive ASCII variant. */
const char *find_lit_ci(const char *p, const char *end, const char *lit);

/* Copies s into dst lower-cased (ASCII), cut at size - 1; returns length. */
size_t lower_copy(char *dst, size_t size, const char *s, size_t n);

/* A growable text buffer; p is malloc'd (NULL until the first write) and
 * NUL-terminated after each write; the owner frees p. */
struct mxt_buf {
	char *p;
	size_t len, cap;
};
void mxt_buf_printf(struct mxt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends n bytes of data (any bytes, NUL included). */
void mxt_buf_append(struct mxt_buf *b, const void *data, size_t n);

/* The JSON document root (a json_t, consumed) as indented text ending
 * in a newline; malloc'd, the caller frees it. */
struct json_t;
char *mxt_json_text(struct json_t *root);

/* Writes one CSV cell (quoted by libcsv; preceded by ',' unless first;
 * NULL = empty), repaired to valid UTF-8 with each NUL byte as U+FFFD.
 * Unless raw, a cell a spreadsheet would run as a formula gets a leading
 * apostrophe. Returns 0 or -1. */
int mxt_csv_cell(FILE *fp, const char *v, size_t len, bool first, bool raw);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

/* ---- strmap.c: string -> value, for aggregation ---------------------- */

struct mxt_strmap_slot {
	char *key; /* NUL-terminated copy; NULL = empty slot */
	size_t len;
	uint64_t hash;
	uint64_t value;
	void *ptr; /* optional payload owned by the caller */
};

struct mxt_strmap {
	struct mxt_strmap_slot *slots;
	size_t size;  /* power of two */
	size_t count;
	size_t cap;   /* 0 = no cap on distinct keys */
};

void mxt_strmap_init(struct mxt_strmap *m, size_t cap);
void mxt_strmap_finish(struct mxt_strmap *m); /* frees keys, not ptr */
struct mxt_strmap_slot *mxt_strmap_get(const struct mxt_strmap *m,
    const char *key, size_t len);
/* Finds or adds key (*added tells); NULL when the cap refuses a new key.
 * Slot pointers are valid until the next put. */
struct mxt_strmap_slot *mxt_strmap_put(struct mxt_strmap *m, const char *key,
    size_t len, bool *added);
void mxt_strmap_remove(struct mxt_strmap *m, struct mxt_strmap_slot *s);

/* ---- track.c: messages in flight, keyed by queue id / message id ------ */

struct mxt_track;

struct mxt_pending_rcpt {
	struct mxt_pending_rcpt *next;
	char *addr;
	char *text;  /* last deferral reason */
	int code;
	char dsn[16];
};

struct mxt_msg {
	struct mxt_msg *hnext; /* hash chain */
	struct mxt_msg *older, *newer; /* age list, for eviction at the cap */
	uint32_t hash;
	char id[40];
	char *sender;      /* NULL = not seen; "" = null sender <> */
	char *client_name;
	char *client_ip;
	struct mxt_pending_rcpt *pending; /* deferred, not yet final */
	bool start_seen; /* the message's first line was read, see
			  * mxt_event.msg_start_seen */
};

struct mxt_track *mxt_track_create(size_t cap, uint64_t *overflow_counter);
void mxt_track_destroy(struct mxt_track *t);
struct mxt_msg *mxt_track_get(struct mxt_track *t, const char *id, size_t len);
/* Finds or creates the entry; at the cap the oldest entry is dropped and
 * counted in *overflow_counter. */
struct mxt_msg *mxt_track_add(struct mxt_track *t, const char *id, size_t len);
void mxt_track_remove(struct mxt_track *t, const char *id, size_t len);
size_t mxt_track_count(const struct mxt_track *t);

void mxt_msg_set(char **field, const char *s, size_t n);
/* Records rcpt as deferred (or refreshes its reason). */
void mxt_msg_defer(struct mxt_msg *m, const char *rcpt, size_t rlen,
    const char *text, size_t tlen, int code, const char *dsn);
/* The recipient reached a final status: forget it. */
void mxt_msg_final(struct mxt_msg *m, const char *rcpt, size_t rlen);

/* ---- pass.c: the shared state every dialect writes into ---------------- */

struct mxt_pass {
	struct mxt_pass_config cfg;
	struct mxt_stats stats;
	struct mxt_clock clock;
	struct mxt_track *track;
	size_t syslog_name_len;
	/* the line being processed */
	const char *source;
	long line_no;
	const char *line;
	size_t line_len;
	/* scratch storage for lower-cased domains of the current event */
	char domain_buf[256];
	char sender_domain_buf[256];
	/* per-dialect state, owned by the dialect (freed by its destroy) */
	void *dialect_state[MXT_MTA_COUNT];
};

/*
 * A log dialect: decides whether a line is its own and turns it into
 * events. Registry in pass.c; first dialect whose claim() accepts wins.
 */
struct mxt_dialect {
	enum mxt_mta mta;
	/* Returns true when the line belongs to this MTA. */
	bool (*claim)(const struct mxt_pass *p, const struct mxt_logline *ll);
	void (*parse)(struct mxt_pass *p, const struct mxt_logline *ll);
	/* Frees p->dialect_state[mta]; NULL when the dialect keeps none. */
	void (*destroy)(struct mxt_pass *p);
};

extern const struct mxt_dialect mxt_dialect_postfix;
extern const struct mxt_dialect mxt_dialect_exim;

/* True for the lines Exim writes after a reject log entry (header dump,
 * indented continuations): they have no header and are never events. */
bool mxt_exim_dump_line(const char *line, size_t len);

/* Completes ev (host, source, line, domains) and hands it to the caller. */
void mxt_pass_emit(struct mxt_pass *p, struct mxt_event *ev);
/* The message id of the current line left the queue: tells the
 * consumer, then drops the tracker's entry. */
void mxt_pass_message_end(struct mxt_pass *p, const struct mxt_logline *ll,
    struct mxt_str id);
/* The message id of the current line starts here: marks the tracker's
 * entry (returned, NULL at a full table) and tells the consumer. */
struct mxt_msg *mxt_pass_message_start(struct mxt_pass *p,
    const struct mxt_logline *ll, struct mxt_str id);
/* Reports the current line as not understood. */
void mxt_pass_unparsed(struct mxt_pass *p, const char *reason);
/* Starts an event with the defaults of the current line. */
void mxt_event_init(struct mxt_event *ev, const struct mxt_logline *ll,
    enum mxt_mta mta);

/* Parses "name[ip]:port" or "name[ip]" at [p, end): fills relay fields. */
void mxt_parse_hostaddr(const char *p, const char *end, struct mxt_str *name,
    struct mxt_str *ip, int *port);
/* Finds "NNN X.Y.Z" (or "NNN-X.Y.Z") reply code at the start of [p, end). */
int mxt_parse_reply_code(const char *p, const char *end, char dsn[16]);
/* Checks s is a dsn "X.Y.Z" with X in 2,4,5; copies it into dsn[16]. */
bool mxt_parse_dsn(const char *p, const char *end, char dsn[16],
    const char **after);

#endif
