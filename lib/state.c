/*
 * state.c - the --state file: where each log file was left, and the
 * messages in flight, so that the next run (cron every few minutes)
 * reads only what is new and still knows the senders, clients and
 * deferred recipients of messages that began before it.
 *
 * One JSON document (jansson), versioned by its schema member:
 *   {"schema": "mxtriage.state/2", "version": "0.1.0",
 *    "inputs": [{"path", "dev", "ino", "offset", "line",
 *                "last_line_length", "last_line_fnv1a64"}],
 *    "messages": [see track_state.c],
 *    "dialects": {"exim": what the dialect saved (exim.c), ...},
 *    "totals": a summary (mxtriage.summary/2) or null,
 *    "prometheus": {"domains": [...], "other": {status: n} or null},
 *    "attempts": [earlier MX replies waiting for their final line, see
 *                 attempts.c; absent in states written before it: none],
 *    "links": [{"process": hex of the hash of host, program and pid,
 *               "lines_ago", "text"}: the warnings a failure of the next
 *              run may still be linked to (pass.c), oldest first; absent
 *              in states written before it: none]}
 *
 * The totals are the summary of every summary run since the state began,
 * each run's merged into them (mxt_summary_merge: what `mxtriage merge`
 * does with the runs' JSON, and the property test proves equal to one
 * run over the whole log), trimmed of what grows with every run and no
 * counter needs (mxt_summary_trim). They make -f prometheus with --state
 * write counters that never go down: a cron job reads only the new
 * lines, but its counters are those of everything read since the state
 * began, and they start over only when the state file is removed. The
 * domain series are kept once given (struct mxt_prom_carry).
 * An events run carries the totals on unchanged.
 *
 * Version 1 (no totals) is still read: positions and messages carry on,
 * and the totals start with the run that reads it (one counter reset at
 * the upgrade). Any other version is refused.
 * Written atomically (a temporary file beside it, fsync, rename), so a
 * run that dies leaves the previous state whole. Read strictly: a file
 * that is not JSON, not a state, of another schema version, or missing a
 * member is an error naming what is wrong -- a state silently ignored
 * would read the whole log again and count everything twice.
 */
#include "pass.h"
#include "state.h"
#include "summary.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCHEMA "mxtriage.state/2"
#define SCHEMA_1 "mxtriage.state/1"

struct mxt_state {
	struct mxt_position *pos;
	size_t npos;
	json_t *messages; /* owned */
	json_t *totals;   /* owned: the saved totals (a summary), or NULL */
	json_t *dialects; /* owned: {name: what the dialect saved}, or NULL */
	struct mxt_summary *total; /* the totals with this run's, or NULL */
	struct mxt_prom_carry carry;
	json_t *attempts; /* owned; NULL = none saved */
	json_t *links;    /* owned; NULL = none saved */
};

/* The statuses of the domain series, as (other) is saved. */
static const enum mxt_status other_status[] = {
	MXT_STATUS_DEFERRED, MXT_STATUS_BOUNCED, MXT_STATUS_EXPIRED,
};

static void
set_error(struct mxt_error *err, const char *source, long line, long column,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
set_error(struct mxt_error *err, const char *source, long line, long column,
    const char *fmt, ...)
{
	if (err == NULL)
		return;
	snprintf(err->source, sizeof err->source, "%s", source);
	err->line = line;
	err->column = column;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof err->text, fmt, ap);
	va_end(ap);
}

void
mxt_state_destroy(struct mxt_state *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->npos; i++)
		free((char *)s->pos[i].path);
	free(s->pos);
	json_decref(s->messages);
	json_decref(s->totals);
	json_decref(s->dialects);
	mxt_summary_destroy(s->total);
	mxt_prom_carry_finish(&s->carry);
	json_decref(s->attempts);
	json_decref(s->links);
	free(s);
}

/* A non-negative integer member, or false. */
static bool
get_count(const json_t *o, const char *key, long long *out)
{
	const json_t *v = json_object_get(o, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = json_integer_value(v);
	return true;
}

static bool
load_position(const json_t *o, struct mxt_position *p)
{
	long long dev, ino, line, len;
	const char *path = json_string_value(json_object_get(o, "path"));
	const char *sum = json_string_value(json_object_get(o,
	    "last_line_fnv1a64"));
	char *end;
	if (path == NULL || sum == NULL || strlen(sum) != 16 ||
	    !get_count(o, "dev", &dev) || !get_count(o, "ino", &ino) ||
	    !get_count(o, "offset", &p->offset) ||
	    !get_count(o, "line", &line) ||
	    !get_count(o, "last_line_length", &len))
		return false;
	errno = 0;
	p->last_sum = strtoull(sum, &end, 16);
	if (errno != 0 || *end != '\0')
		return false;
	p->path = xstrndup(path, strlen(path));
	p->dev = (uint64_t)dev;
	p->ino = (uint64_t)ino;
	p->line_no = (long)line;
	p->last_len = len;
	return true;
}

/* The totals and the domain series of version 2: "totals" a summary
 * (checked when a summary run merges it) or null, "prometheus" the
 * domains given a series and what (other) carries. */
static int
load_totals(struct mxt_state *s, json_t *doc, const char *path,
    struct mxt_error *err)
{
	json_t *totals = json_object_get(doc, "totals");
	const json_t *prom = json_object_get(doc, "prometheus");
	const json_t *domains = json_object_get(prom, "domains");
	const json_t *other = json_object_get(prom, "other");
	if (totals == NULL || !(json_is_object(totals) || json_is_null(totals)) ||
	    !json_is_array(domains) ||
	    !(json_is_object(other) || json_is_null(other))) {
		set_error(err, path, 0, 0, "incomplete state (no \"totals\" "
		    "summary or \"prometheus\" domains); remove it to start "
		    "over");
		return -1;
	}
	if (json_is_object(totals))
		s->totals = json_incref(totals);
	json_t *dialects = json_object_get(doc, "dialects");
	if (!json_is_object(dialects)) {
		set_error(err, path, 0, 0, "incomplete state (no \"dialects\" "
		    "object); remove it to start over");
		return -1;
	}
	s->dialects = json_incref(dialects);
	struct mxt_prom_carry *c = &s->carry;
	c->domains = xcalloc(json_array_size(domains) + 1, sizeof *c->domains);
	size_t i;
	const json_t *d;
	json_array_foreach(domains, i, d) {
		const char *name = json_string_value(d);
		if (name == NULL || (c->ndomains > 0 &&
		    strcmp(c->domains[c->ndomains - 1], name) >= 0)) {
			set_error(err, path, 0, 0, "damaged state: "
			    "prometheus.domains[%zu] is not a domain in "
			    "order; remove it to start over", i);
			return -1;
		}
		c->domains[c->ndomains++] = xstrndup(name, strlen(name));
	}
	c->has_other = json_is_object(other);
	for (size_t k = 0; c->has_other && k < sizeof other_status /
	    sizeof other_status[0]; k++) {
		long long n;
		const char *st = mxt_status_name(other_status[k]);
		if (!get_count(other, st, &n)) {
			set_error(err, path, 0, 0, "damaged state: "
			    "prometheus.other.%s is not a count; remove it to "
			    "start over", st);
			return -1;
		}
		c->other[other_status[k]] = (uint64_t)n;
	}
	return 0;
}

struct mxt_state *
mxt_state_load(const char *path, struct mxt_error *err)
{
	struct mxt_state *s = xcalloc(1, sizeof *s);
	json_error_t je;
	struct stat st;
	json_t *doc = NULL;

	if (stat(path, &st) != 0 && errno == ENOENT) {
		s->messages = json_array(); /* the first run */
		return s;
	}
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		set_error(err, path, je.line, je.column, "not a state file "
		    "(not JSON: %s); remove it to start over", je.text);
		goto fail;
	}
	const char *schema = json_string_value(json_object_get(doc, "schema"));
	if (schema == NULL || strncmp(schema, "mxtriage.state/", 15) != 0) {
		set_error(err, path, 0, 0, "not an mxtriage state file (no "
		    "\"schema\": \"%s\"); give --state a file of its own", SCHEMA);
		goto fail;
	}
	/* version 1 (mxtriage 0.1) had no totals: its positions and
	 * messages are read, and the counters start with this run */
	bool v1 = strcmp(schema, SCHEMA_1) == 0;
	if (!v1 && strcmp(schema, SCHEMA) != 0) {
		set_error(err, path, 0, 0, "a state of another version (%.40s; "
		    "this mxtriage reads %s and %s); remove it to start over",
		    schema, SCHEMA, SCHEMA_1);
		goto fail;
	}
	if (!v1 && load_totals(s, doc, path, err) < 0)
		goto fail;
	const json_t *inputs = json_object_get(doc, "inputs");
	json_t *messages = json_object_get(doc, "messages");
	if (!json_is_array(inputs) || !json_is_array(messages)) {
		set_error(err, path, 0, 0, "incomplete state (no \"inputs\" or "
		    "\"messages\" list); remove it to start over");
		goto fail;
	}
	s->pos = xcalloc(json_array_size(inputs) + 1, sizeof *s->pos);
	size_t i;
	const json_t *o;
	json_array_foreach(inputs, i, o) {
		if (!load_position(o, &s->pos[s->npos])) {
			set_error(err, path, 0, 0, "damaged state: inputs[%zu] "
			    "is not a position (path, dev, ino, offset, line, "
			    "last_line_length, last_line_fnv1a64); remove it "
			    "to start over", i);
			goto fail;
		}
		s->npos++;
	}
	s->messages = json_incref(messages);
	json_t *attempts = json_object_get(doc, "attempts");
	if (attempts != NULL)
		s->attempts = json_incref(attempts);
	json_t *links = json_object_get(doc, "links");
	if (links != NULL)
		s->links = json_incref(links);
	json_decref(doc);
	return s;
fail:
	json_decref(doc);
	mxt_state_destroy(s);
	return NULL;
}

const struct mxt_position *
mxt_state_position(const struct mxt_state *s, const char *path)
{
	for (size_t i = 0; i < s->npos; i++)
		if (strcmp(s->pos[i].path, path) == 0)
			return &s->pos[i];
	return NULL;
}

/* ---- the warnings a failure may be linked to (pass.c) ---------------- */

/* The pass's ring of warnings still within MXT_LINK_LINES lines, oldest
 * first, each with how many lines ago it was read: a warning logged just
 * before the cut explains a failure just after it, as in one run. */
static json_t *
links_save(const struct mxt_pass *p)
{
	json_t *list = json_array();
	for (size_t k = p->links_count; k-- > 0;) {
		const struct mxt_link *w = &p->links[(p->links_head +
		    MXT_LINK_WARNINGS - 1 - k) % MXT_LINK_WARNINGS];
		uint64_t ago = p->stats.lines - w->line;
		if (ago > MXT_LINK_LINES)
			continue;
		char proc[17];
		snprintf(proc, sizeof proc, "%016llx", (unsigned long long)w->proc);
		json_array_append_new(list, json_pack("{s:s, s:I, s:o}",
		    "process", proc, "lines_ago", (json_int_t)ago, "text",
		    mxt_state_bytes(w->text, w->len)));
	}
	return list;
}

/* Puts the saved warnings back into the ring of a pass that has read no
 * line yet: their line numbers fall before its first (modulo 2^64, as
 * the distance is taken). */
static int
links_restore(struct mxt_pass *p, const json_t *list, char *why,
    size_t size)
{
	size_t i;
	const json_t *o;
	if (!json_is_array(list) || json_array_size(list) > MXT_LINK_WARNINGS) {
		snprintf(why, size, "links is not a list of at most %d warnings",
		    MXT_LINK_WARNINGS);
		return -1;
	}
	json_array_foreach(list, i, o) {
		const char *proc = json_string_value(json_object_get(o,
		    "process"));
		const json_t *ago = json_object_get(o, "lines_ago");
		size_t len = 0;
		char *text = mxt_state_bytes_of(json_object_get(o, "text"), &len);
		char *end = NULL;
		unsigned long long h = proc != NULL && strlen(proc) == 16 ?
		    strtoull(proc, &end, 16) : 0;
		if (end == NULL || *end != '\0' || !json_is_integer(ago) ||
		    json_integer_value(ago) < 0 ||
		    json_integer_value(ago) > MXT_LINK_LINES || text == NULL ||
		    len >= sizeof p->links[0].text) {
			free(text);
			snprintf(why, size, "links[%zu] is not a warning "
			    "(process, lines_ago, text)", i);
			return -1;
		}
		struct mxt_link *w = mxt_pass_link_slot(p);
		w->proc = (uint64_t)h;
		w->line = p->stats.lines - (uint64_t)json_integer_value(ago);
		w->len = len;
		memcpy(w->text, text, len);
		free(text);
	}
	return 0;
}

int
mxt_state_restore(const struct mxt_state *s, struct mxt_pass *p,
    struct mxt_error *err)
{
	char why[200];
	if (mxt_track_state_restore(p, s->messages, why, sizeof why) < 0) {
		set_error(err, "state", 0, 0, "damaged state: %s; remove it to "
		    "start over", why);
		return -1;
	}
	for (size_t i = 0; s->dialects != NULL && i < mxt_dialect_count; i++) {
		const struct mxt_dialect *d = mxt_dialects[i];
		const json_t *v = json_object_get(s->dialects, d->name);
		if (v == NULL)
			continue;
		if (!json_is_string(v) || d->restore == NULL ||
		    p->dialect_state[i] == NULL ||
		    d->restore(p->dialect_state[i], json_string_value(v)) < 0) {
			set_error(err, "state", 0, 0, "damaged state: "
			    "dialects.%s is not what it saved; remove it to "
			    "start over", d->name);
			return -1;
		}
	}
	if ((s->attempts != NULL &&
	    mxt_attempts_restore(p->attempts, s->attempts, why, sizeof why) <
	    0) || (s->links != NULL &&
	    links_restore(p, s->links, why, sizeof why) < 0)) {
		set_error(err, "state", 0, 0, "damaged state: %s; remove it to "
		    "start over", why);
		return -1;
	}
	return 0;
}

/* What each dialect keeps for the next run (Exim: the rejections not yet
 * matched by their other copy, see exim.c). */
static json_t *
dialects_value(const struct mxt_pass *p)
{
	json_t *o = json_object();
	for (size_t i = 0; i < mxt_dialect_count; i++) {
		const struct mxt_dialect *d = mxt_dialects[i];
		if (d->save == NULL || p->dialect_state[i] == NULL)
			continue;
		char *text = d->save(p->dialect_state[i]);
		if (text != NULL)
			json_object_set_new(o, d->name, json_string(text));
		free(text);
	}
	return o;
}

/* The --by keys of s as the option takes them, in buf. */
static const char *
by_keys(const struct mxt_summary *s, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t k = 0; k < s->cfg.nby; k++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
		    k ? "," : "", mxt_key_name(s->cfg.by[k]));
	return buf;
}

int
mxt_state_add_totals(struct mxt_state *st, const struct mxt_summary *run,
    size_t top, struct mxt_classifier *c, struct mxt_error *err)
{
	struct mxt_error e = {0};
	if (st->total == NULL && st->totals != NULL) {
		st->total = mxt_summary_from_json(st->totals, "totals", &e);
		if (st->total == NULL) {
			set_error(err, "state", 0, 0, "damaged state: totals: "
			    "%s; remove it to start over (a counter reset)",
			    e.text);
			return -1;
		}
	}
	if (st->total == NULL) {
		struct mxt_summary_config cfg = {0};
		mxt_filter_init(&cfg.filter);
		cfg.nby = run->cfg.nby;
		memcpy(cfg.by, run->cfg.by, sizeof cfg.by);
		st->total = mxt_summary_create(&cfg);
	}
	if (mxt_summary_merge(st->total, run, c, &e) != 0) {
		char kept[200], now[200];
		set_error(err, "state", 0, 0, "the totals kept there are "
		    "grouped by --by %s, this run's --by %s: give every run "
		    "of one state file the same --by, or remove it to start "
		    "over (a counter reset)", by_keys(st->total, kept,
		    sizeof kept), by_keys(run, now, sizeof now));
		return -1;
	}
	mxt_summary_trim(st->total);
	mxt_prom_carry_update(&st->carry, st->total, run, top);
	return 0;
}

const struct mxt_summary *
mxt_state_totals(const struct mxt_state *st)
{
	return st->total;
}

const struct mxt_prom_carry *
mxt_state_prom_carry(const struct mxt_state *st)
{
	return &st->carry;
}

/* The totals as the state keeps them: the merged ones of this run, else
 * those read (an events run carries them on), else null. */
static json_t *
totals_value(const struct mxt_state *st)
{
	if (st == NULL)
		return json_null();
	if (st->total == NULL)
		return st->totals ? json_incref(st->totals) : json_null();
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct mxt_report_options o = {.format = MXT_REPORT_JSON};
	json_t *v = NULL;
	if (fp != NULL) {
		int rc = mxt_report_json(st->total, &o, fp);
		if (fclose(fp) == 0 && rc == 0)
			v = json_loadb(buf, len, 0, NULL);
	}
	free(buf);
	return v;
}

/* A domain as JSON: log bytes repaired to UTF-8 as the summary's JSON
 * repairs them, so that the names match the totals' when read back. */
static json_t *
utf8_value(const char *v)
{
	size_t len = strlen(v);
	char *buf = xmalloc(3 * len + 1);
	size_t n = mxt_utf8_sanitize(v, len, buf, 3 * len + 1);
	json_t *j = json_stringn(buf, n);
	free(buf);
	return j != NULL ? j : json_string("");
}

static json_t *
prom_value(const struct mxt_state *st)
{
	json_t *domains = json_array();
	json_t *other = json_null();
	if (st != NULL) {
		const struct mxt_prom_carry *c = &st->carry;
		for (size_t i = 0; i < c->ndomains; i++)
			json_array_append_new(domains, utf8_value(c->domains[i]));
		if (c->has_other) {
			other = json_object();
			for (size_t k = 0; k < sizeof other_status /
			    sizeof other_status[0]; k++)
				json_object_set_new(other,
				    mxt_status_name(other_status[k]),
				    json_integer((json_int_t)
				    c->other[other_status[k]]));
		}
	}
	return json_pack("{s:o, s:o}", "domains", domains, "other", other);
}

int
mxt_state_save(const char *path, const struct mxt_pass *p,
    const struct mxt_state *st, const struct mxt_position *pos, size_t n,
    struct mxt_error *err)
{
	json_t *inputs = json_array();
	for (size_t i = 0; i < n; i++) {
		char sum[17];
		snprintf(sum, sizeof sum, "%016llx",
		    (unsigned long long)pos[i].last_sum);
		json_array_append_new(inputs, json_pack(
		    "{s:s, s:I, s:I, s:I, s:I, s:I, s:s}",
		    "path", pos[i].path,
		    "dev", (json_int_t)pos[i].dev,
		    "ino", (json_int_t)pos[i].ino,
		    "offset", (json_int_t)pos[i].offset,
		    "line", (json_int_t)pos[i].line_no,
		    "last_line_length", (json_int_t)pos[i].last_len,
		    "last_line_fnv1a64", sum));
	}
	json_t *totals = totals_value(st);
	if (totals == NULL) {
		json_decref(inputs);
		set_error(err, path, 0, 0, "cannot write the state: the "
		    "totals could not be written");
		return -1;
	}
	json_t *doc = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "schema",
	    SCHEMA, "version", MXT_VERSION, "inputs", inputs, "messages",
	    mxt_track_state_save(p), "dialects", dialects_value(p), "totals",
	    totals, "prometheus", prom_value(st), "attempts",
	    mxt_attempts_save(p->attempts));
	json_object_set_new(doc, "links", links_save(p));

	char *dir = xstrndup(path, strlen(path)), *tmp = NULL;
	int fd = -1, rc = -1;
	if (asprintf(&tmp, "%s/.mxtriage-state.XXXXXX", dirname(dir)) < 0)
		tmp = NULL;
	if (tmp == NULL || (fd = mkstemp(tmp)) < 0) {
		set_error(err, path, 0, 0, "cannot write the state: %s",
		    strerror(errno));
		goto out;
	}
	if (json_dumpfd(doc, fd, JSON_INDENT(1)) != 0 || write(fd, "\n", 1) != 1 ||
	    fsync(fd) != 0) {
		set_error(err, path, 0, 0, "cannot write the state: %s",
		    errno ? strerror(errno) : "write error");
		goto out;
	}
	int closed = close(fd);
	fd = -1;
	if (closed != 0 || rename(tmp, path) != 0) {
		set_error(err, path, 0, 0, "cannot write the state: %s",
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (rc != 0 && tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(dir);
	json_decref(doc);
	return rc;
}
