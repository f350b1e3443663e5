/*
 * state.c - the --state file: where each log file was left, and the
 * messages in flight, so that the next run (cron every few minutes)
 * reads only what is new and still knows the senders, clients and
 * deferred recipients of messages that began before it.
 *
 * One JSON document (jansson), versioned by its schema member:
 *   {"schema": "mxtriage.state/1", "version": "0.1.0",
 *    "inputs": [{"path", "dev", "ino", "offset", "line",
 *                "last_line_length", "last_line_fnv1a64"}],
 *    "messages": [see track_state.c],
 *    "attempts": [earlier MX replies waiting for their final line, see
 *                 attempts.c; absent in states written before it: none]}
 * Written atomically (a temporary file beside it, fsync, rename), so a
 * run that dies leaves the previous state whole. Read strictly: a file
 * that is not JSON, not a state, of another schema version, or missing a
 * member is an error naming what is wrong -- a state silently ignored
 * would read the whole log again and count everything twice.
 */
#include "pass.h"
#include "state.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define SCHEMA "mxtriage.state/1"

struct mxt_state {
	struct mxt_position *pos;
	size_t npos;
	json_t *messages; /* owned */
	json_t *attempts; /* owned; NULL = none saved */
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
	json_decref(s->attempts);
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
	if (strcmp(schema, SCHEMA) != 0) {
		set_error(err, path, 0, 0, "a state of another version (%.40s; "
		    "this mxtriage reads %s); remove it to start over", schema,
		    SCHEMA);
		goto fail;
	}
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
	if (s->attempts != NULL &&
	    mxt_attempts_restore(p->attempts, s->attempts, why, sizeof why) < 0) {
		set_error(err, "state", 0, 0, "damaged state: %s; remove it to "
		    "start over", why);
		return -1;
	}
	return 0;
}

int
mxt_state_save(const char *path, const struct mxt_pass *p,
    const struct mxt_position *pos, size_t n, struct mxt_error *err)
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
	json_t *doc = json_pack("{s:s, s:s, s:o, s:o, s:o}", "schema", SCHEMA,
	    "version", MXT_VERSION, "inputs", inputs, "messages",
	    mxt_track_state_save(p), "attempts", mxt_attempts_save(p->attempts));

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
