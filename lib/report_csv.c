/*
 * report_csv.c - the summary as CSV: a header line, then one row per
 * group in report order (all groups unless --top), written with libcsv.
 */
#include "summary.h"

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

int
mxt_report_csv(const struct mxt_summary *s, const struct mxt_report_options *o,
    FILE *fp)
{
	static const char *const cols[] = {"events", "cached_repeats",
	    "deferred", "bounced", "expired", "recipients", "messages",
	    "first", "last", "top_reply", "top_text"};
	int rc = 0;
	for (size_t k = 0; k < s->cfg.nby; k++)
		rc |= cell(fp, mxt_key_name(s->cfg.by[k]), k == 0, true);
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
		rc |= cell(fp, cols[i], s->cfg.nby == 0 && i == 0, true);
	rc |= fputs("\r\n", fp) == EOF;

	struct group **v = mxt_summary_sorted_groups(s);
	for (size_t i = 0; v[i] != NULL && (!o->top || i < o->top); i++) {
		const struct group *g = v[i];
		char first[64], last[64];
		if (i > 0)
			rc |= empty_rows(fp, s, v[i - 1], g);
		for (size_t k = 0; k < s->cfg.nby; k++)
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
		const struct mxt_strmap_slot *code = mxt_strmap_top(&g->codes);
		const struct mxt_strmap_slot *text = mxt_strmap_top(&g->texts);
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
	return rc ? -1 : 0;
}
