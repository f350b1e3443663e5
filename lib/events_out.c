/*
 * events_out.c - events as JSON lines (jansson's encoder) or CSV (libcsv's
 * writer), the output of `mxtriage events`.
 *
 * Log text is attacker-controlled: JSON strings are repaired to valid
 * UTF-8 before jansson sees them (it refuses invalid UTF-8), and CSV cells
 * that a spreadsheet would run as a formula get a leading apostrophe
 * unless csv_raw is set.
 */
#include "internal.h"

#include <csv.h>
#include <jansson.h>
#include <stdlib.h>

/* Column order of both formats: SPEC section 2. */
static const char *const fields[] = {
	"time", "host", "mta", "service", "queue_id", "direction", "status",
	"recipient", "domain", "provider", "sender", "sender_domain", "relay",
	"relay_ip", "code", "dsn", "phase", "cause", "text", "delay",
};
enum { F_CODE = 14, F_DELAY = 19 };
#define NFIELDS (sizeof fields / sizeof fields[0])

struct mxt_event_writer {
	FILE *fp;
	enum mxt_event_format fmt;
	bool csv_raw;
	bool header_done;
	char *buf; /* UTF-8 repair, 3 bytes out per byte in at worst */
	size_t bufsize;
	char *json; /* one encoded event: jansson's json_dumpf would call
		     * fwrite once per token, which dominated the run time */
	size_t jsonsize;
};

struct mxt_event_writer *
mxt_event_writer_create(FILE *fp, enum mxt_event_format fmt, bool csv_raw)
{
	struct mxt_event_writer *w = xcalloc(1, sizeof *w);
	w->fp = fp;
	w->fmt = fmt;
	w->csv_raw = csv_raw;
	w->bufsize = 3 * MXT_LINE_MAX + 1;
	w->buf = xmalloc(w->bufsize);
	return w;
}

void
mxt_event_writer_destroy(struct mxt_event_writer *w)
{
	if (w == NULL)
		return;
	free(w->buf);
	free(w->json);
	free(w);
}

/* The value of one column as text; NULL for null. Uses w->buf or tmp. */
static const char *
field_text(struct mxt_event_writer *w, const struct mxt_event *ev, size_t i,
    char *tmp, size_t tmpsize, size_t *len)
{
	struct mxt_str s = {NULL, 0};
	switch (i) {
	case 0:
		mxt_time_format(&ev->time, tmp, tmpsize);
		*len = strlen(tmp);
		return ev->time.valid ? tmp : NULL;
	case 1: s = ev->host; break;
	case 2: *len = strlen(mxt_mta_name(ev->mta)); return mxt_mta_name(ev->mta);
	case 3: s = ev->service; break;
	case 4: s = ev->queue_id; break;
	case 5:
		*len = strlen(mxt_direction_name(ev->direction));
		return mxt_direction_name(ev->direction);
	case 6:
		*len = strlen(mxt_status_name(ev->status));
		return mxt_status_name(ev->status);
	case 7: s = ev->recipient; break;
	case 8: s = ev->domain; break;
	case 9:
		if (ev->provider == NULL)
			return NULL;
		*len = strlen(ev->provider);
		return ev->provider;
	case 10: s = ev->sender; break;
	case 11: s = ev->sender_domain; break;
	case 12: s = ev->relay; break;
	case 13: s = ev->relay_ip; break;
	case F_CODE:
		if (ev->code == 0)
			return NULL;
		*len = (size_t)snprintf(tmp, tmpsize, "%d", ev->code);
		return tmp;
	case 15:
		if (ev->dsn[0] == '\0')
			return NULL;
		*len = strlen(ev->dsn);
		return ev->dsn;
	case 16: {
		const char *ph = mxt_phase_name(ev->phase);
		if (ph != NULL)
			*len = strlen(ph);
		return ph;
	}
	case 17: {
		/* delivered events have no cause: null, not a placeholder */
		const char *id = mxt_cause_id(ev->cause);
		if (id != NULL)
			*len = strlen(id);
		return id;
	}
	case 18: s = ev->text; break;
	case F_DELAY:
		if (!ev->has_delay)
			return NULL;
		*len = (size_t)snprintf(tmp, tmpsize, "%g", ev->delay);
		return tmp;
	}
	*len = mxt_utf8_sanitize(s.ptr ? s.ptr : "", s.len, w->buf, w->bufsize);
	return w->buf;
}

static int
write_jsonl(struct mxt_event_writer *w, const struct mxt_event *ev)
{
	json_t *o = json_object();
	char tmp[64];
	for (size_t i = 0; i < NFIELDS; i++) {
		size_t len = 0;
		const char *v = field_text(w, ev, i, tmp, sizeof tmp, &len);
		json_t *j;
		if (v == NULL)
			j = json_null();
		else if (i == F_CODE)
			j = json_integer(ev->code);
		else if (i == F_DELAY)
			j = json_real(ev->delay);
		else
			j = json_stringn(v, len);
		json_object_set_new(o, fields[i], j);
	}
	size_t flags = JSON_PRESERVE_ORDER | JSON_COMPACT |
	    JSON_REAL_PRECISION(10);
	size_t n = json_dumpb(o, w->json, w->jsonsize, flags);
	if (n >= w->jsonsize) {
		w->jsonsize = n + 1024;
		w->json = xrealloc(w->json, w->jsonsize);
		n = json_dumpb(o, w->json, w->jsonsize, flags);
	}
	json_decref(o);
	if (n == 0)
		return -1;
	w->json[n++] = '\n';
	return fwrite(w->json, 1, n, w->fp) == n ? 0 : -1;
}

/* A cell a spreadsheet would evaluate: starts with = + - @ or a control
 * character it strips (tab, CR). */
static bool
is_formula(const char *v, size_t len)
{
	return len > 0 && (v[0] == '=' || v[0] == '+' || v[0] == '-' ||
	    v[0] == '@' || v[0] == '\t' || v[0] == '\r');
}

/* Whether a cell needs repair: a NUL byte or a byte >= 0x80 (which may be
 * invalid UTF-8); the common ASCII cell is written as it is. */
static bool
needs_repair(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (v[i] == '\0' || (unsigned char)v[i] >= 0x80)
			return true;
	return false;
}

/* v as valid UTF-8 without NUL bytes (each becomes U+FFFD, as invalid
 * UTF-8 does): spreadsheets and CSV readers cut or refuse cells at a NUL.
 * Returns a malloc'd copy and its length in *out_len. */
static char *
repaired(const char *v, size_t len, size_t *out_len)
{
	char *utf8 = xmalloc(3 * len + 1);
	size_t n = mxt_utf8_sanitize(v, len, utf8, 3 * len + 1);
	char *out = xmalloc(3 * n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (utf8[i] == '\0') {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
		} else {
			*o++ = utf8[i];
		}
	}
	free(utf8);
	*out_len = (size_t)(o - out);
	return out;
}

int
mxt_csv_cell(FILE *fp, const char *v, size_t len, bool first, bool raw)
{
	if (!first && putc(',', fp) == EOF)
		return -1;
	if (v == NULL)
		return 0;
	/* Every cell, group keys included, is repaired here: callers pass
	 * log text as it is. --csv-raw keeps formulas, never bad bytes. */
	char *fixed = NULL;
	if (needs_repair(v, len))
		v = fixed = repaired(v, len, &len);
	int rc;
	if (!raw && is_formula(v, len)) {
		/* csv_fwrite quotes one buffer: build "'" + value */
		char *cell = xmalloc(len + 2);
		cell[0] = '\'';
		memcpy(cell + 1, v, len);
		rc = csv_fwrite(fp, cell, len + 1);
		free(cell);
	} else {
		rc = csv_fwrite(fp, v, len);
	}
	free(fixed);
	return rc;
}

static int
write_cell(struct mxt_event_writer *w, const char *v, size_t len, bool first)
{
	return mxt_csv_cell(w->fp, v, len, first, w->csv_raw);
}

static int
write_csv(struct mxt_event_writer *w, const struct mxt_event *ev)
{
	char tmp[64];
	if (!w->header_done) {
		for (size_t i = 0; i < NFIELDS; i++)
			if (write_cell(w, fields[i], strlen(fields[i]), i == 0))
				return -1;
		if (fputs("\r\n", w->fp) == EOF)
			return -1;
		w->header_done = true;
	}
	for (size_t i = 0; i < NFIELDS; i++) {
		size_t len = 0;
		const char *v = field_text(w, ev, i, tmp, sizeof tmp, &len);
		if (write_cell(w, v, len, i == 0))
			return -1;
	}
	return fputs("\r\n", w->fp) == EOF ? -1 : 0;
}

int
mxt_event_writer_write(struct mxt_event_writer *w, const struct mxt_event *ev)
{
	return w->fmt == MXT_EVFMT_CSV ? write_csv(w, ev) : write_jsonl(w, ev);
}
