/*
 * report_csv.c - the summary as CSV. CSV holds one table per file, so
 * --csv-table picks which: each table is one list of the JSON report,
 * named by its path there, one row per element and one column per
 * member, in the JSON's order and under the JSON's names:
 *
 *   groups                  the failure groups (the default)
 *   rates.total             one row: all outbound events counted
 *   rates.providers         rates per provider
 *   rates.domains           rates per recipient domain
 *   timeline.buckets        the timeline, empty buckets included; the
 *                           JSON object "causes" becomes one column per
 *                           cause, causes.<id>, every cause always
 *   our_side.complaints     the local MTA's warnings, errors, ...
 *   our_side.sasl_failures  SASL authentication failures by client
 *   our_side.rate_limited   connection limits enforced, by client
 *   our_side.anvil          anvil's maxima
 *
 * groups keeps the bytes it had before the other tables came (every
 * cell quoted, as libcsv writes it); in the others numbers are
 * unquoted, a rate is written as the JSON report writes it (jansson's
 * own formatting, so the two never differ), and null is an empty cell.
 * Cells are written with libcsv by mxt_csv_cell (events_out.c): invalid
 * UTF-8 and NUL repaired, formulas neutralised unless --csv-raw. The
 * lists are in report order and cut by --top (0, the CSV default: all);
 * the timeline never is.
 */
#include "summary_read.h"

#include <assert.h>
#include <jansson.h>
#include <stdlib.h>

static int
cell(FILE *fp, const char *v, bool first, bool raw)
{
	return mxt_csv_cell(fp, v, v ? strlen(v) : 0, first, raw);
}

static int
num(FILE *fp, uint64_t v)
{
	char buf[32];
	snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
	return cell(fp, buf, false, true);
}

/* --by hour (day): a row of zeros for each hour (day) without failures
 * between two groups, so the rows are a time series. */
static int
empty_rows(FILE *fp, const struct mxt_summary *s, const struct group *prev,
    const struct group *next)
{
	size_t n = mxt_summary_empty_keys(s, prev, next, NULL, 0);
	if (n == 0)
		return 0;
	char (*keys)[32] = xcalloc(n, sizeof *keys);
	mxt_summary_empty_keys(s, prev, next, keys, n);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		rc |= cell(fp, keys[i], true, true);
		for (int k = 0; k < 7; k++)
			rc |= num(fp, 0);
		for (int k = 0; k < 4; k++)
			rc |= cell(fp, NULL, false, true);
		rc |= fputs("\r\n", fp) == EOF;
	}
	free(keys);
	return rc;
}

static int
write_groups(const struct mxt_summary *s, const struct mxt_report_options *o,
    FILE *fp)
{
	static const char *const cols[] = {"events", "cached_repeats",
	    "deferred", "bounced", "expired", "recipients", "messages",
	    "first", "last", "top_reply", "top_text"};
	const struct mxt_summary_config *cfg = mxt_summary_header(s).cfg;
	int rc = 0;
	for (size_t k = 0; k < cfg->nby; k++)
		rc |= cell(fp, mxt_key_name(cfg->by[k]), k == 0, true);
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		rc |= cell(fp, cols[i], cfg->nby == 0 && i == 0, true);
	rc |= fputs("\r\n", fp) == EOF;

	size_t ng;
	struct mxt_group_row *v = mxt_summary_groups(s, &ng);
	for (size_t i = 0; i < ng && (!o->top || i < o->top); i++) {
		const struct mxt_group_row *g = &v[i];
		char first[64], last[64];
		if (i > 0)
			rc |= empty_rows(fp, s, v[i - 1].group, g->group);
		for (size_t k = 0; k < cfg->nby; k++)
			rc |= cell(fp, g->values[k], k == 0, o->csv_raw);
		rc |= num(fp, g->events);
		rc |= num(fp, g->repeats);
		for (int st = MXT_STATUS_DEFERRED; st <= MXT_STATUS_EXPIRED; st++)
			rc |= num(fp, g->by_status[st]);
		rc |= num(fp, g->recipients);
		rc |= num(fp, g->messages);
		rc |= cell(fp, mxt_time_format(&g->first, first, sizeof first),
		    false, true);
		rc |= cell(fp, mxt_time_format(&g->last, last, sizeof last),
		    false, true);
		const struct mxt_strmap_slot *code = mxt_strmap_top(g->codes);
		const struct mxt_strmap_slot *text = mxt_strmap_top(g->texts);
		rc |= cell(fp, code ? code->key : NULL, false, o->csv_raw);
		if (text) {
			size_t len = text->len;
			char *buf = xmalloc(3 * len + 1);
			len = mxt_utf8_sanitize(text->key, len, buf, 3 * len + 1);
			rc |= mxt_csv_cell(fp, buf, len, false, o->csv_raw);
			free(buf);
		} else {
			rc |= cell(fp, NULL, false, true);
		}
		rc |= fputs("\r\n", fp) == EOF;
	}
	free(v);
	return rc;
}

/* ---- the tables after groups: one row at a time through a cursor ---- */

struct row {
	FILE *fp;
	bool raw;    /* --csv-raw */
	bool first;  /* the next cell is the first of its row */
	int rc;
};

static void
sep(struct row *r)
{
	if (!r->first && putc(',', r->fp) == EOF)
		r->rc = -1;
	r->first = false;
}

/* A string cell; log says it comes from the log (--csv-raw applies). */
static void
str_n(struct row *r, const char *v, size_t len, bool log)
{
	if (mxt_csv_cell(r->fp, v, len, r->first, log ? r->raw : true) != 0)
		r->rc = -1;
	r->first = false;
}

static void
str(struct row *r, const char *v, bool log)
{
	str_n(r, v, v ? strlen(v) : 0, log);
}

/* null: an empty cell */
static void
null(struct row *r)
{
	sep(r);
}

static void
unum(struct row *r, uint64_t v)
{
	sep(r);
	if (fprintf(r->fp, "%llu", (unsigned long long)v) < 0)
		r->rc = -1;
}

/* A rate as the JSON report writes it: jansson formats both. */
static void
real(struct row *r, double v)
{
	json_t *j = json_real(v);
	char *text = json_dumps(j, JSON_ENCODE_ANY);
	json_decref(j);
	sep(r);
	if (text == NULL || fputs(text, r->fp) == EOF)
		r->rc = -1;
	free(text);
}

static void
tm(struct row *r, const struct mxt_time *t)
{
	char buf[64];
	if (t->valid)
		str(r, mxt_time_format(t, buf, sizeof buf), false);
	else
		null(r);
}

static void
end(struct row *r)
{
	if (fputs("\r\n", r->fp) == EOF)
		r->rc = -1;
	r->first = true;
}

static void
head(struct row *r, const char *const *cols)
{
	for (; *cols != NULL; cols++)
		str(r, *cols, false);
	end(r);
}

/* ---- rates (summary_rates.c) ---- */

static void
rate_row(struct row *w, const char *key, const struct rate_row *r)
{
	if (key != NULL)
		str(w, key, true);
	unum(w, mxt_rate_attempts(r));
	for (int st = MXT_STATUS_DELIVERED; st <= MXT_STATUS_EXPIRED; st++)
		unum(w, r->n[st]);
	unum(w, r->repeats);
	uint64_t fin = r->n[MXT_STATUS_DELIVERED] + r->n[MXT_STATUS_BOUNCED] +
	    r->n[MXT_STATUS_EXPIRED];
	if (mxt_rate_attempts(r))
		real(w, mxt_rate_defer(r));
	else
		null(w);
	if (fin)
		real(w, mxt_rate_bounce(r));
	else
		null(w);
	end(w);
}

#define RATE_COLS "attempts", "delivered", "deferred", "bounced", "expired", \
	"cached_repeats", "defer_rate", "bounce_rate", NULL

static void
rates_total(struct row *w, const struct mxt_summary *s,
    const struct mxt_report_options *o)
{
	(void)o;
	head(w, (const char *const[]){RATE_COLS});
	rate_row(w, NULL, mxt_summary_header(s).rate_total);
}

static void
rates(struct row *w, const struct mxt_summary *s,
    const struct mxt_report_options *o, bool provider)
{
	head(w, provider ? (const char *const[]){"provider", RATE_COLS} :
	    (const char *const[]){"domain", RATE_COLS});
	size_t n;
	struct rate_entry *v = mxt_rates_sorted(s, provider, &n);
	for (size_t i = 0; i < n && (!o->top || i < o->top); i++)
		rate_row(w, v[i].key, v[i].row);
	free(v);
}

static void
rates_providers(struct row *w, const struct mxt_summary *s,
    const struct mxt_report_options *o)
{
	rates(w, s, o, true);
}

static void
rates_domains(struct row *w, const struct mxt_summary *s,
    const struct mxt_report_options *o)
{
	rates(w, s, o, false);
}

static const char *
cause_id(int k)
{
	const char *id = mxt_cause_id((enum mxt_cause)k);
	return id ? id : "unclassified";
}

static void
timeline(struct row *w, const struct mxt_summary *s,
    const struct mxt_report_options *o)
{
	(void)o;
	str(w, "start", false);
	for (int st = 0; st < MXT_STATUS_COUNT; st++)
		str(w, mxt_status_name(st), false);
	str(w, "cached_repeats", false);
	for (int k = 0; k < MXT_CAUSE_COUNT; k++) {
		char name[64];
		snprintf(name, sizeof name, "causes.%s", cause_id(k));
		str(w, name, false);
	}
	end(w);
	size_t n;
	bool daily;
	struct tl_bucket *v = mxt_timeline_view(s, &n, &daily);
	for (size_t i = 0; i < n; i++) {
		struct mxt_time t = {.sec = v[i].start, .valid = true,
		    .utcoff = v[i].utcoff};
		tm(w, &t);
		for (int st = 0; st < MXT_STATUS_COUNT; st++)
			unum(w, v[i].n[st]);
		unum(w, v[i].repeats);
		for (int k = 0; k < MXT_CAUSE_COUNT; k++)
			unum(w, v[i].causes[k]);
		end(w);
	}
	free(v);
}

/* ---- our side (summary_ourside.c) ---- */

static void
complaints(struct row *w, const struct mxt_summary *s,
    const struct mxt_report_options *o)
{
	head(w, (const char *const[]){"key", "mta", "level", "topic", "count",
	    "explained", "first", "last", "program", "example", NULL});
	size_t n;
	struct mxt_complaint_row *v = mxt_summary_complaints(s, &n);
	for (size_t i = 0; i < n && (!o->top || i < o->top); i++) {
		const struct mxt_complaint_row *c = &v[i];
		str_n(w, c->key, c->len, true);
		str(w, mxt_mta_name(c->mta), false);
		str(w, mxt_local_level_name(c->level), false);
		if (c->topic == MXT_TOPIC_NONE)
			null(w);
		else
			str(w, mxt_local_topic_name(c->topic), false);
		unum(w, c->count);
		unum(w, c->explained);
		tm(w, &c->first);
		tm(w, &c->last);
		str(w, c->program ? c->program : "", true);
		str(w, c->example ? c->example : "", true);
		end(w);
	}
	free(v);
}

static void
clients(struct row *w, const struct mxt_summary *s,
    enum mxt_local_clients which, const struct mxt_report_options *o,
    bool with_max)
{
	head(w, with_max ? (const char *const[]){"client", "name", "count",
	    "max", "first", "last", NULL} : (const char *const[]){"client",
	    "name", "count", "first", "last", NULL});
	size_t n;
	struct mxt_local_client_row *v = mxt_summary_local_clients(s, which,
	    &n);
	for (size_t i = 0; i < n && (!o->top || i < o->top); i++) {
		const struct mxt_local_client_row *c = &v[i];
		str_n(w, c->key, c->len, true);
		str(w, c->name, true);
		unum(w, c->count);
		if (with_max)
			unum(w, c->max);
		tm(w, &c->first);
		tm(w, &c->last);
		end(w);
	}
	free(v);
}

static void
sasl_failures(struct row *w, const struct mxt_summary *s,
    const struct mxt_report_options *o)
{
	clients(w, s, MXT_LOCAL_SASL, o, false);
}

static void
rate_limited(struct row *w, const struct mxt_summary *s,
    const struct mxt_report_options *o)
{
	clients(w, s, MXT_LOCAL_RATE, o, true);
}

static void
anvil(struct row *w, const struct mxt_summary *s,
    const struct mxt_report_options *o)
{
	(void)o;
	head(w, (const char *const[]){"kind", "max", "client", "time", NULL});
	const struct mxt_summary_ourside os = mxt_summary_ourside(s);
	for (int i = 0; i < OURSIDE_ANVIL; i++) {
		const struct mxt_anvil_row *m = &os.anvil[i];
		if (m->client == NULL)
			continue;
		str(w, mxt_ourside_anvil_names[i], false);
		unum(w, m->value);
		str(w, m->client, true);
		tm(w, &m->time);
		end(w);
	}
}

/* The tables, by their JSON path; indexed by enum mxt_csv_table. */
static const struct {
	const char *name;
	void (*write)(struct row *, const struct mxt_summary *,
	    const struct mxt_report_options *);
} tables[MXT_CSV_TABLE_COUNT] = {
	[MXT_CSV_GROUPS] = {"groups", NULL}, /* write_groups */
	[MXT_CSV_RATES_TOTAL] = {"rates.total", rates_total},
	[MXT_CSV_RATES_PROVIDERS] = {"rates.providers", rates_providers},
	[MXT_CSV_RATES_DOMAINS] = {"rates.domains", rates_domains},
	[MXT_CSV_TIMELINE] = {"timeline.buckets", timeline},
	[MXT_CSV_COMPLAINTS] = {"our_side.complaints", complaints},
	[MXT_CSV_SASL_FAILURES] = {"our_side.sasl_failures", sasl_failures},
	[MXT_CSV_RATE_LIMITED] = {"our_side.rate_limited", rate_limited},
	[MXT_CSV_ANVIL] = {"our_side.anvil", anvil},
};

int
mxt_report_csv_table_lookup(const char *name)
{
	for (int i = 0; i < MXT_CSV_TABLE_COUNT; i++)
		if (strcmp(tables[i].name, name) == 0)
			return i;
	return -1;
}

const char *
mxt_report_csv_table_name(enum mxt_csv_table t)
{
	return (unsigned)t < MXT_CSV_TABLE_COUNT ? tables[t].name : NULL;
}

int
mxt_report_csv(const struct mxt_summary *s, const struct mxt_report_options *o,
    FILE *fp)
{
	assert((unsigned)o->csv_table < MXT_CSV_TABLE_COUNT);
	if (o->csv_table == MXT_CSV_GROUPS)
		return write_groups(s, o, fp) ? -1 : 0;
	struct row w = {.fp = fp, .raw = o->csv_raw, .first = true};
	tables[o->csv_table].write(&w, s, o);
	return w.rc ? -1 : 0;
}
