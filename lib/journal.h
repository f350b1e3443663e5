/*
 * journal.h - journald entries -> log lines (journal.c). Internal: the
 * reader uses it for `journalctl -o json` and `-o export` streams found in
 * its input, and for the journal itself (sd-journal, --journal).
 */
#ifndef MXT_JOURNAL_H
#define MXT_JOURNAL_H

#include "internal.h"

/* The fields of one entry that make its line; the others are ignored. */
enum mxt_jfield {
	MXT_JF_MESSAGE,
	MXT_JF_IDENTIFIER, /* SYSLOG_IDENTIFIER */
	MXT_JF_COMM,       /* _COMM, when there is no identifier */
	MXT_JF_SYSLOG_PID,
	MXT_JF_PID,        /* _PID, when there is no SYSLOG_PID */
	MXT_JF_HOSTNAME,   /* _HOSTNAME */
	MXT_JF_REALTIME,   /* __REALTIME_TIMESTAMP, microseconds */
	MXT_JF_COUNT
};

/* One entry being collected: copies of its fields (MESSAGE up to
 * MXT_LINE_MAX bytes, the others up to 255), caller storage. */
struct mxt_jentry {
	char *v[MXT_JF_COUNT];
	size_t len[MXT_JF_COUNT];
	bool has[MXT_JF_COUNT];
	size_t nfields; /* fields seen, wanted or not */
};

void mxt_jentry_init(struct mxt_jentry *e);
void mxt_jentry_finish(struct mxt_jentry *e);
void mxt_jentry_clear(struct mxt_jentry *e); /* for the next entry */
/* Keeps the value of field name[0..nlen) when it is one of the above. */
void mxt_jentry_set(struct mxt_jentry *e, const char *name, size_t nlen,
    const char *val, size_t vlen);
/*
 * The entry as one RFC 5424 line, "<22>1 TIME HOST IDENT PID - - MSG"
 * (time in the local zone with microseconds, "-" for what is missing),
 * which the RFC 5424 framing reads; newlines in the message become
 * spaces, so an entry stays one line. Writes at most cap - 1 bytes and a
 * NUL into out (cap > 512); returns the length, 0 when the entry has no
 * MESSAGE.
 */
size_t mxt_jentry_line(const struct mxt_jentry *e, char *out, size_t cap);

/* A `journalctl -o json` (or json-seq) line -> e. False when the line is
 * not a JSON object with a MESSAGE. */
bool mxt_journal_json(const char *line, size_t len, struct mxt_jentry *e);

/* True for the first line of a `journalctl -o export` entry. Inline, the
 * first byte first: the reader asks it of every line it reads. */
static inline bool
mxt_journal_export_start(const char *line, size_t len)
{
	const char *end = line + len;
	return len > 0 && line[0] == '_' &&
	    (has_lit(line, end, "__CURSOR=") ||
	    has_lit(line, end, "__REALTIME_TIMESTAMP="));
}

/* The journal itself, through sd-journal. */
struct mxt_sdj;
/* where: NULL = the system's journal, a directory, or a journal file.
 * since/until (seconds since the epoch) when has_*: the reading starts
 * with a seek to since and stops after until. NULL and err on failure. */
struct mxt_sdj *mxt_sdj_open(const char *where, bool has_since,
    int64_t since, bool has_until, int64_t until, struct mxt_error *err);
/* The next entry's line into out (as mxt_jentry_line); 1, 0 at the end,
 * -1 on an error (err). */
int mxt_sdj_next(struct mxt_sdj *s, char *out, size_t cap, size_t *len,
    struct mxt_error *err);
void mxt_sdj_close(struct mxt_sdj *s); /* accepts NULL */

#endif
