/*
 * journal.c - journald entries -> log lines.
 *
 * Three sources give journal entries: `journalctl -o json` (one JSON
 * object a line, read with jansson), `journalctl -o export` (fields a
 * line, entries separated by an empty line, binary fields with a length;
 * the reader cuts those, as they are a matter of bytes, and hands the
 * fields here), and the journal files themselves through libsystemd's
 * sd-journal (--journal). All three end the same way: the fields a mail
 * log line needs (MESSAGE, SYSLOG_IDENTIFIER or _COMM, SYSLOG_PID or
 * _PID, _HOSTNAME, __REALTIME_TIMESTAMP) become one RFC 5424 line, which
 * the ordinary framing reads, so the dialects, `--show-unparsed` and
 * drill-down see one kind of line whatever the source. RFC 5424 and not
 * the rsyslog form because its "-" says "no host" (the --host default then
 * applies) and its time carries the zone.
 */
#include "journal.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

#define SMALL_MAX 255

/* Field names, indexed by enum mxt_jfield. */
static const struct {
	const char *name;
	size_t len;
} jfields[MXT_JF_COUNT] = {
	[MXT_JF_MESSAGE] = {MXT_LIT("MESSAGE")},
	[MXT_JF_IDENTIFIER] = {MXT_LIT("SYSLOG_IDENTIFIER")},
	[MXT_JF_COMM] = {MXT_LIT("_COMM")},
	[MXT_JF_SYSLOG_PID] = {MXT_LIT("SYSLOG_PID")},
	[MXT_JF_PID] = {MXT_LIT("_PID")},
	[MXT_JF_HOSTNAME] = {MXT_LIT("_HOSTNAME")},
	[MXT_JF_REALTIME] = {MXT_LIT("__REALTIME_TIMESTAMP")},
};

void
mxt_jentry_init(struct mxt_jentry *e)
{
	memset(e, 0, sizeof *e);
	for (int i = 0; i < MXT_JF_COUNT; i++)
		e->v[i] = xmalloc(i == MXT_JF_MESSAGE ? MXT_LINE_MAX :
		    SMALL_MAX);
}

void
mxt_jentry_finish(struct mxt_jentry *e)
{
	for (int i = 0; i < MXT_JF_COUNT; i++)
		free(e->v[i]);
	memset(e, 0, sizeof *e);
}

void
mxt_jentry_clear(struct mxt_jentry *e)
{
	memset(e->has, 0, sizeof e->has);
	memset(e->len, 0, sizeof e->len);
	e->nfields = 0;
}

void
mxt_jentry_set(struct mxt_jentry *e, const char *name, size_t nlen,
    const char *val, size_t vlen)
{
	e->nfields++;
	for (int i = 0; i < MXT_JF_COUNT; i++)
		if (nlen == jfields[i].len && memcmp(name, jfields[i].name,
		    nlen) == 0) {
			size_t cap = i == MXT_JF_MESSAGE ? MXT_LINE_MAX :
			    SMALL_MAX;
			if (vlen > cap)
				vlen = cap;
			memcpy(e->v[i], val, vlen);
			e->len[i] = vlen;
			e->has[i] = true;
			return;
		}
}

/* A token of the header: "-" when empty; bytes that would end or break
 * the token (space, controls) as '_'. */
static size_t
put_token(char *out, size_t at, size_t cap, const char *v, size_t n,
    bool has)
{
	if (!has || n == 0) {
		if (at + 1 < cap)
			out[at++] = '-';
		return at;
	}
	for (size_t i = 0; i < n && at + 1 < cap; i++) {
		unsigned char c = (unsigned char)v[i];
		out[at++] = c <= ' ' || c == 0x7f ? '_' : (char)c;
	}
	return at;
}

/* __REALTIME_TIMESTAMP (decimal microseconds) -> RFC 3339 local time. */
static size_t
put_time(char *out, size_t at, size_t cap, const char *v, size_t n, bool has)
{
	uint64_t us = 0;
	size_t i = 0;
	if (has)
		for (; i < n && i < 19 && is_digit(v[i]); i++)
			us = us * 10 + (uint64_t)(v[i] - '0');
	if (!has || i == 0 || i != n)
		return put_token(out, at, cap, NULL, 0, false);
	time_t sec = (time_t)(us / 1000000);
	struct tm tm;
	/* RFC 5424's FULL-DATE has four digits of year: a time past 9999
	 * (microseconds can reach year 586912) is no time */
	if (localtime_r(&sec, &tm) == NULL || tm.tm_year + 1900 > 9999)
		return put_token(out, at, cap, NULL, 0, false);
	long off = tm.tm_gmtoff;
	char sign = off < 0 ? '-' : '+';
	if (off < 0)
		off = -off;
	int k = snprintf(out + at, cap - at,
	    "%04d-%02d-%02dT%02d:%02d:%02d.%06u%c%02ld:%02ld",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (unsigned)(us % 1000000), sign, off / 3600,
	    off / 60 % 60);
	if (k < 0 || (size_t)k >= cap - at)
		return at;
	return at + (size_t)k;
}

size_t
mxt_jentry_line(const struct mxt_jentry *e, char *out, size_t cap)
{
	if (!e->has[MXT_JF_MESSAGE])
		return 0;
	size_t at = 0;
	memcpy(out, "<22>1 ", 6);
	at = 6;
	at = put_time(out, at, cap, e->v[MXT_JF_REALTIME],
	    e->len[MXT_JF_REALTIME], e->has[MXT_JF_REALTIME]);
	out[at++] = ' ';
	at = put_token(out, at, cap, e->v[MXT_JF_HOSTNAME],
	    e->len[MXT_JF_HOSTNAME], e->has[MXT_JF_HOSTNAME]);
	out[at++] = ' ';
	int id = e->has[MXT_JF_IDENTIFIER] ? MXT_JF_IDENTIFIER : MXT_JF_COMM;
	at = put_token(out, at, cap, e->v[id], e->len[id], e->has[id]);
	out[at++] = ' ';
	int pid = e->has[MXT_JF_SYSLOG_PID] ? MXT_JF_SYSLOG_PID : MXT_JF_PID;
	at = put_token(out, at, cap, e->v[pid], e->len[pid], e->has[pid]);
	memcpy(out + at, " - - ", 5);
	at += 5;
	const char *m = e->v[MXT_JF_MESSAGE];
	size_t n = e->len[MXT_JF_MESSAGE];
	/* journald keeps a message's trailing newline; syslog drops it */
	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == '\r'))
		n--;
	for (size_t i = 0; i < n && at + 1 < cap; i++)
		out[at++] = m[i] == '\n' || m[i] == '\r' ? ' ' : m[i];
	out[at] = '\0';
	return at;
}

/* ---- journalctl -o json ------------------------------------------------- */

/* A JSON field value: a string, an array of byte values (journalctl's
 * form for a value that is not UTF-8 text), or an array of those (a field
 * given more than once: the first is kept); null (a value too large for
 * journalctl) is left out. */
static void
json_value(struct mxt_jentry *e, const char *name, json_t *v, int depth)
{
	if (json_is_string(v)) {
		mxt_jentry_set(e, name, strlen(name), json_string_value(v),
		    json_string_length(v));
	} else if (json_is_array(v) && json_array_size(v) > 0) {
		json_t *first = json_array_get(v, 0);
		if (json_is_integer(first)) {
			size_t n = json_array_size(v);
			char *b = xmalloc(n ? n : 1);
			for (size_t i = 0; i < n; i++)
				b[i] = (char)json_integer_value(
				    json_array_get(v, i));
			mxt_jentry_set(e, name, strlen(name), b, n);
			free(b);
		} else if (depth == 0) {
			json_value(e, name, first, 1);
		}
	}
}

bool
mxt_journal_json(const char *line, size_t len, struct mxt_jentry *e)
{
	if (len > 0 && line[0] == 0x1e) { /* json-seq's record separator */
		line++;
		len--;
	}
	if (len < 2 || line[0] != '{' ||
	    find_lit(line, line + len, "\"MESSAGE\"") == NULL)
		return false;
	json_t *root = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		return false;
	}
	mxt_jentry_clear(e);
	for (int i = 0; i < MXT_JF_COUNT; i++) {
		json_t *v = json_object_get(root, jfields[i].name);
		if (v != NULL)
			json_value(e, jfields[i].name, v, 0);
	}
	json_decref(root);
	return e->has[MXT_JF_MESSAGE];
}

/* ---- the journal through sd-journal ------------------------------------- */

struct mxt_sdj {
	sd_journal *j;
	bool has_until;
	uint64_t until_us;
	bool at_entry; /* the current entry is the next one to give */
	struct mxt_jentry e;
	char name[256];
};

struct mxt_sdj *
mxt_sdj_open(const char *where, bool has_since, int64_t since, bool has_until,
    int64_t until, struct mxt_error *err)
{
	sd_journal *j = NULL;
	const char *name = where != NULL ? where : "the journal";
	struct stat st;
	int rc;

	if (where == NULL) {
		rc = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
	} else if (stat(where, &st) < 0) {
		rc = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		rc = sd_journal_open_directory(&j, where, 0);
	} else {
		const char *files[] = {where, NULL};
		rc = sd_journal_open_files(&j, files, 0);
	}
	if (rc < 0) {
		if (err != NULL) {
			snprintf(err->source, sizeof err->source, "%s", name);
			err->line = err->column = 0;
			snprintf(err->text, sizeof err->text, "cannot open the "
			    "journal: %s", strerror(-rc));
		}
		return NULL;
	}
	struct mxt_sdj *s = xcalloc(1, sizeof *s);
	s->j = j;
	snprintf(s->name, sizeof s->name, "%s", name);
	mxt_jentry_init(&s->e);
	/* From the last entry before since on: the input's span then starts
	 * before the window, so the report does not take the seek for a
	 * hole in the data. */
	if (has_since && since > 0 &&
	    sd_journal_seek_realtime_usec(j, (uint64_t)since * 1000000) >= 0) {
		if (sd_journal_previous(j) > 0)
			s->at_entry = true;
		else
			sd_journal_seek_realtime_usec(j, (uint64_t)since *
			    1000000);
	}
	s->has_until = has_until;
	s->until_us = has_until && until > 0 ? (uint64_t)until * 1000000 : 0;
	return s;
}

int
mxt_sdj_next(struct mxt_sdj *s, char *out, size_t cap, size_t *len,
    struct mxt_error *err)
{
	for (;;) {
		int rc = s->at_entry ? 1 : sd_journal_next(s->j);
		s->at_entry = false;
		if (rc == 0)
			return 0;
		if (rc < 0) {
			if (err != NULL) {
				snprintf(err->source, sizeof err->source, "%s",
				    s->name);
				err->line = err->column = 0;
				snprintf(err->text, sizeof err->text, "cannot "
				    "read the journal: %s", strerror(-rc));
			}
			return -1;
		}
		uint64_t us;
		if (sd_journal_get_realtime_usec(s->j, &us) < 0)
			continue;
		/* entries come in time order: none after `until` is wanted */
		if (s->has_until && us > s->until_us)
			return 0;
		mxt_jentry_clear(&s->e);
		char ts[24];
		int n = snprintf(ts, sizeof ts, "%llu", (unsigned long long)us);
		mxt_jentry_set(&s->e, MXT_LIT("__REALTIME_TIMESTAMP"), ts,
		    (size_t)n);
		for (int i = 0; i < MXT_JF_REALTIME; i++) {
			const void *d;
			size_t dn;
			if (sd_journal_get_data(s->j, jfields[i].name, &d,
			    &dn) < 0 || dn <= jfields[i].len)
				continue;
			mxt_jentry_set(&s->e, jfields[i].name, jfields[i].len,
			    (const char *)d + jfields[i].len + 1,
			    dn - jfields[i].len - 1);
		}
		*len = mxt_jentry_line(&s->e, out, cap);
		if (*len > 0)
			return 1;
	}
}

void
mxt_sdj_close(struct mxt_sdj *s)
{
	if (s == NULL)
		return;
	sd_journal_close(s->j);
	mxt_jentry_finish(&s->e);
	free(s);
}
