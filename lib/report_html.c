/*
 * report_html.c - the summary as one self-contained HTML page, for the
 * daily mail: the same sections as the table, with charts drawn as
 * inline SVG (failures by cause, by provider, and over time by cause).
 *
 * Made for mail clients: no script, no external asset (no link, no
 * image, no font, no URL at all), one small <style> and inline styles
 * for clients that drop it, and every chart's numbers also in a table
 * (clients that do not draw SVG still show them).
 *
 * Log text is attacker-controlled: every string from the log goes
 * through mxt_escape_terminal (controls, bidi controls and invalid UTF-8
 * made visible, as on a terminal) and then HTML escaping (& < > " '), in
 * element text, in attributes and inside SVG alike: a reply text cannot
 * open an element, leave an attribute or reorder the page.
 */
#include "report.h"
#include "trace.h"

#include <stdarg.h>
#include <stdlib.h>

struct html {
	FILE *fp;
	const struct mxt_report_options *o;
	const struct mxt_summary *s;
	int rc;
};

static void
put(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct html *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vfprintf(h->fp, fmt, ap) < 0)
		h->rc = -1;
	va_end(ap);
}

/* Text from the log (or any text) as HTML: escaped twice over (see the
 * top of the file). */
static void
text_n(struct html *h, const char *s, size_t len)
{
	char *e = mxt_escape_terminal(s ? s : "", s ? len : 0, 0);
	for (const char *p = e; *p; p++) {
		switch (*p) {
		case '&': put(h, "&amp;"); break;
		case '<': put(h, "&lt;"); break;
		case '>': put(h, "&gt;"); break;
		case '"': put(h, "&quot;"); break;
		case '\'': put(h, "&#39;"); break;
		default:
			if (putc(*p, h->fp) == EOF)
				h->rc = -1;
		}
	}
	free(e);
}

static void
text(struct html *h, const char *s)
{
	text_n(h, s, s ? strlen(s) : 0);
}

static void
num(struct html *h, uint64_t v)
{
	put(h, "%llu", (unsigned long long)v);
}

static const char *
cause_name(enum mxt_cause c)
{
	const char *id = mxt_cause_id(c);
	return id ? id : "unclassified";
}

/* ---- charts ---------------------------------------------------------- */

static bool in_shown(const int *shown, int n, int c);

struct bar {
	char *label; /* owned */
	uint64_t value;
};

static int
cmp_bar(const void *a, const void *b)
{
	const struct bar *x = a, *y = b;
	if (x->value != y->value)
		return x->value > y->value ? -1 : 1;
	return strcmp(x->label, y->label);
}

/* Adds value to the bar labelled label (linear: charts have few bars). */
static void
bar_add(struct bar **v, size_t *n, const char *label, uint64_t value)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].label, label) == 0) {
			(*v)[i].value += value;
			return;
		}
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[*n].label = xstrndup(label, strlen(label));
	(*v)[*n].value = value;
	(*n)++;
}

static void
bars_free(struct bar *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].label);
	free(v);
}

#define CHART_BARS 20

/* A horizontal bar chart (at most CHART_BARS bars, the rest summed in
 * "others"), then its numbers as a table. */
static void
bar_chart(struct html *h, const char *id, const char *title, struct bar *v,
    size_t n, const char *color)
{
	uint64_t max = 1, rest = 0;
	size_t shown = n < CHART_BARS ? n : CHART_BARS;
	for (size_t i = 0; i < n; i++) {
		if (i < shown && v[i].value > max)
			max = v[i].value;
		if (i >= shown)
			rest += v[i].value;
	}
	int rows = (int)shown + (rest > 0);
	put(h, "<h3 id=\"%s\">", id);
	text(h, title);
	put(h, "</h3>\n");
	if (n == 0) {
		put(h, "<p>none</p>\n");
		return;
	}
	put(h, "<svg class=\"chart\" width=\"640\" height=\"%d\" viewBox=\"0 0 640 "
	    "%d\" role=\"img\" aria-label=\"", 22 * rows + 4, 22 * rows + 4);
	text(h, title);
	put(h, "\">\n");
	for (int i = 0; i < rows; i++) {
		const char *label = i < (int)shown ? v[i].label : "others";
		uint64_t value = i < (int)shown ? v[i].value : rest;
		int w = (int)((double)value / (double)max * 360.0);
		if (w < 1 && value > 0)
			w = 1;
		if (w > 360)
			w = 360;
		int y = 22 * i;
		put(h, "<text x=\"196\" y=\"%d\" text-anchor=\"end\" "
		    "font-size=\"13\" font-family=\"sans-serif\">", y + 16);
		text(h, label);
		put(h, "</text><rect x=\"204\" y=\"%d\" width=\"%d\" height=\"16\" "
		    "fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"13\" "
		    "font-family=\"sans-serif\">%llu</text>\n", y + 4, w, color,
		    204 + w + 6, y + 16, (unsigned long long)value);
	}
	put(h, "</svg>\n<table class=\"data\"><tr><th>name</th><th>events</th>"
	    "</tr>\n");
	for (size_t i = 0; i < n; i++) {
		put(h, "<tr><td>");
		text(h, v[i].label);
		put(h, "</td><td class=\"n\">");
		num(h, v[i].value);
		put(h, "</td></tr>\n");
	}
	put(h, "</table>\n");
}

/*
 * The timeline by cause: one stacked bar per bucket (hour, or day past
 * 48 hours; the latest TL_BARS when there are more), a colour for each
 * of the TL_COLORS causes with most failures and one for the others,
 * counted as the Causes table counts them (fresh failures and
 * rejections; cached repeats and expiries are not causes of their own);
 * then its numbers as a table, one row per bucket with failures.
 */
#define TL_BARS 120
#define TL_COLORS 7

static void
bucket_label(const struct tl_bucket *b, bool daily, bool full, char *out,
    size_t size)
{
	char buf[64];
	struct mxt_time t = {.sec = b->start, .valid = true, .utcoff = b->utcoff};
	mxt_time_format(&t, buf, sizeof buf);
	if (full)
		snprintf(out, size, "%s", buf);
	else if (daily)
		snprintf(out, size, "%.5s", buf + 5);   /* 11-23 */
	else
		snprintf(out, size, "%.5s %.5s", buf + 5, buf + 11);
}

static bool
charted_cause(int c)
{
	return !mxt_cause_is_repeat((enum mxt_cause)c) && c != MXT_CAUSE_EXPIRED;
}

static void
timeline_chart(struct html *h)
{
	static const char *const colors[TL_COLORS + 1] = {"#c0392b", "#2471a3",
	    "#d68910", "#7d3c98", "#229954", "#17a589", "#884ea0", "#95a5a6"};
	size_t n;
	bool daily;
	struct tl_bucket *v = mxt_timeline_view(h->s, &n, &daily);
	size_t from = n > TL_BARS ? n - TL_BARS : 0;
	uint64_t total[MXT_CAUSE_COUNT] = {0}, max = 0;
	for (size_t i = from; i < n; i++) {
		uint64_t sum = 0;
		for (int c = 0; c < MXT_CAUSE_COUNT; c++)
			if (charted_cause(c)) {
				total[c] += v[i].causes[c];
				sum += v[i].causes[c];
			}
		if (sum > max)
			max = sum;
	}
	/* the causes with a colour of their own, most failures first */
	int shown[TL_COLORS], nshown = 0;
	bool others = false;
	bool taken[MXT_CAUSE_COUNT] = {0};
	for (;;) {
		int best = -1;
		for (int c = 0; c < MXT_CAUSE_COUNT; c++)
			if (!taken[c] && total[c] > 0 && charted_cause(c) &&
			    (best < 0 || total[c] > total[best]))
				best = c;
		if (best < 0)
			break;
		taken[best] = true;
		if (nshown < TL_COLORS)
			shown[nshown++] = best;
		else
			others = true;
	}
	put(h, "<h3 id=\"timeline\">Failures over time, by cause (%s", daily ?
	    "daily" : "hourly");
	if (from > 0)
		put(h, ", the last %zu of %zu %s", n - from, n, daily ? "days" :
		    "hours");
	put(h, ")</h3>\n");
	if (max == 0) {
		put(h, "<p>none</p>\n");
		free(v);
		return;
	}
	/* plot: 160 high, bars side by side in 600 wide, labels under,
	 * the legend under them */
	int bars = (int)(n - from), bw = 600 / bars;
	if (bw > 40)
		bw = 40;
	if (bw < 1)
		bw = 1;
	int legend = nshown + others;
	int height = 8 + 160 + 22 + 20 * legend;
	put(h, "<svg class=\"chart\" width=\"680\" height=\"%d\" viewBox=\"0 0 "
	    "680 %d\" role=\"img\" aria-label=\"Failures over time, by cause\">\n",
	    height, height);
	put(h, "<text x=\"52\" y=\"18\" text-anchor=\"end\" font-size=\"12\" "
	    "font-family=\"sans-serif\">%llu</text>\n", (unsigned long long)max);
	put(h, "<text x=\"52\" y=\"168\" text-anchor=\"end\" font-size=\"12\" "
	    "font-family=\"sans-serif\">0</text>\n");
	for (int i = 0; i < bars; i++) {
		const struct tl_bucket *b = &v[from + (size_t)i];
		int x = 60 + i * bw;
		uint64_t cum = 0;
		int y0 = 168;
		for (int k = 0; k <= nshown; k++) {
			uint64_t val = 0;
			if (k < nshown) {
				val = b->causes[shown[k]];
			} else {
				for (int c = 0; c < MXT_CAUSE_COUNT; c++)
					if (charted_cause(c) && !in_shown(shown,
					    nshown, c))
						val += b->causes[c];
			}
			if (val == 0)
				continue;
			cum += val;
			/* cumulative heights: no drift from rounding */
			int y1 = 168 - (int)((double)cum / (double)max * 160.0 + 0.5);
			if (y1 >= y0)
				y1 = y0 - 1; /* a failure is never invisible */
			put(h, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
			    "fill=\"%s\"/>\n", x, y1, bw > 2 ? bw - 1 : bw, y0 - y1,
			    colors[k < nshown ? k : TL_COLORS]);
			y0 = y1;
		}
	}
	put(h, "<rect x=\"60\" y=\"168\" width=\"%d\" height=\"1\" "
	    "fill=\"#555\"/>\n", bars * bw);
	char first[64], last[64];
	bucket_label(&v[from], daily, false, first, sizeof first);
	bucket_label(&v[n - 1], daily, false, last, sizeof last);
	put(h, "<text x=\"60\" y=\"184\" font-size=\"12\" "
	    "font-family=\"sans-serif\">%s</text>\n", first);
	if (bars > 1)
		put(h, "<text x=\"%d\" y=\"184\" text-anchor=\"end\" "
		    "font-size=\"12\" font-family=\"sans-serif\">%s</text>\n",
		    60 + bars * bw, last);
	for (int k = 0; k < legend; k++) {
		int y = 8 + 160 + 22 + 20 * k;
		put(h, "<rect x=\"60\" y=\"%d\" width=\"12\" height=\"12\" "
		    "fill=\"%s\"/><text x=\"78\" y=\"%d\" font-size=\"12\" "
		    "font-family=\"sans-serif\">", y, colors[k < nshown ? k :
		    TL_COLORS], y + 11);
		text(h, k < nshown ? cause_name((enum mxt_cause)shown[k]) :
		    "other causes");
		put(h, "</text>\n");
	}
	put(h, "</svg>\n<table class=\"data\" id=\"timeline-data\"><tr>"
	    "<th>time</th>");
	for (int k = 0; k < nshown; k++)
		put(h, "<th>%s</th>", cause_name((enum mxt_cause)shown[k]));
	if (others)
		put(h, "<th>other causes</th>");
	put(h, "<th>total</th></tr>\n");
	for (size_t i = from; i < n; i++) {
		uint64_t sum = 0, rest = 0;
		for (int c = 0; c < MXT_CAUSE_COUNT; c++)
			if (charted_cause(c)) {
				sum += v[i].causes[c];
				if (!in_shown(shown, nshown, c))
					rest += v[i].causes[c];
			}
		if (sum == 0)
			continue;
		char label[64];
		bucket_label(&v[i], daily, true, label, sizeof label);
		put(h, "<tr class=\"bucket\"><td>%s</td>", label);
		for (int k = 0; k < nshown; k++)
			put(h, "<td class=\"n\">%llu</td>",
			    (unsigned long long)v[i].causes[shown[k]]);
		if (others)
			put(h, "<td class=\"n\">%llu</td>", (unsigned long long)rest);
		put(h, "<td class=\"n\">%llu</td></tr>\n", (unsigned long long)sum);
	}
	put(h, "</table>\n");
	free(v);
}

static bool
in_shown(const int *shown, int n, int c)
{
	for (int i = 0; i < n; i++)
		if (shown[i] == c)
			return true;
	return false;
}

static void
charts(struct html *h)
{
	const struct mxt_summary *s = h->s;
	struct bar *v = NULL;
	size_t n = 0;

	/* causes: fresh outbound failures and rejections; repeats and
	 * expiries are not causes of their own (as in the table) */
	for (int c = 1; c < MXT_CAUSE_COUNT; c++) {
		const struct mxt_cause_row r = mxt_summary_cause(s,
		    (enum mxt_cause)c);
		uint64_t e = r.events + r.rejections;
		if (e > 0 && !mxt_cause_is_repeat(c) && c != MXT_CAUSE_EXPIRED)
			bar_add(&v, &n, cause_name(c), e);
	}
	qsort(v, n, sizeof *v, cmp_bar);
	bar_chart(h, "by-cause", "Failures by cause", v, n, "#c0392b");
	bars_free(v, n);

	/* providers: fresh failures (deferred, bounced, expired) of the
	 * rates, whatever --by is */
	v = NULL;
	n = 0;
	size_t nr;
	struct rate_entry *rv = mxt_rates_sorted(s, true, &nr);
	for (size_t i = 0; i < nr; i++) {
		const struct rate_row *r = rv[i].row;
		uint64_t f = r->n[MXT_STATUS_DEFERRED] +
		    r->n[MXT_STATUS_BOUNCED] + r->n[MXT_STATUS_EXPIRED];
		if (f > 0)
			bar_add(&v, &n, rv[i].key, f);
	}
	free(rv);
	qsort(v, n, sizeof *v, cmp_bar);
	bar_chart(h, "by-provider", "Failures by provider", v, n, "#2471a3");
	bars_free(v, n);

	timeline_chart(h);
}

/* ---- sections --------------------------------------------------------- */

static void
header(struct html *h)
{
	const struct mxt_summary *s = h->s;
	const struct mxt_summary_header sh = mxt_summary_header(s);
	const struct mxt_stats *st = sh.stats;
	char a[64], b[64];
	put(h, "<table class=\"head\">\n<tr><th>Inputs</th><td>");
	size_t ninputs = sh.ninputs ? sh.ninputs : h->o->ninputs;
	for (size_t i = 0; i < ninputs; i++) {
		put(h, "%s", i ? ", " : "");
		text(h, sh.ninputs ? mxt_summary_input(s, i).name :
		    h->o->inputs[i]);
	}
	put(h, "</td></tr>\n");
	if (st->first.valid)
		put(h, "<tr><th>Span</th><td>%s .. %s</td></tr>\n",
		    mxt_time_format(&st->first, a, sizeof a),
		    mxt_time_format(&st->last, b, sizeof b));
	const struct mxt_filter *f = &sh.cfg->filter;
	if (f->has_since || f->has_until)
		put(h, "<tr><th>Window</th><td>%s .. %s</td></tr>\n",
		    f->has_since ? mxt_local_time(f->since, a, sizeof a) : "start",
		    f->has_until ? mxt_local_time(f->until, b, sizeof b) : "end");
	put(h, "<tr><th>Lines</th><td>%llu read", (unsigned long long)st->lines);
	for (int m = 0; m < MXT_MTA_COUNT; m++)
		put(h, ", %llu %s", (unsigned long long)st->lines_mta[m],
		    mxt_mta_name(m));
	put(h, ", %llu unparsed</td></tr>\n<tr><th>Events</th><td>",
	    (unsigned long long)st->unparsed);
	for (int i = 0; i < MXT_STATUS_COUNT; i++) {
		put(h, "%s<span class=\"%s\">%llu %s</span>", i ? ", " : "",
		    mxt_status_name(i), (unsigned long long)sh.events[i],
		    mxt_status_name(i));
		if (sh.events[i] && i != MXT_STATUS_REJECTED)
			put(h, " (%llu msg)", (unsigned long long)sh.messages[i]);
	}
	if (sh.repeats)
		put(h, "<br>%llu of these failures %s cached %s of an earlier "
		    "failure (suspended), not a fresh attempt",
		    (unsigned long long)sh.repeats, sh.repeats == 1 ? "is a" :
		    "are", sh.repeats == 1 ? "repeat" : "repeats");
	put(h, "</td></tr>\n</table>\n");
}

static void
groups(struct html *h)
{
	const struct mxt_summary *s = h->s;
	const struct mxt_summary_config *cfg = mxt_summary_header(s).cfg;
	put(h, "<h2 id=\"failures\">Failures by ");
	for (size_t k = 0; k < cfg->nby; k++)
		put(h, "%s%s", k ? ", " : "", mxt_key_name(cfg->by[k]));
	put(h, "</h2>\n<p class=\"note\">Outbound deferrals, bounces and "
	    "expiries. Events are attempts; cached repeats (suspended) are "
	    "counted apart.</p>\n");
	size_t ng;
	struct mxt_group_row *v = mxt_summary_groups(s, &ng);
	if (ng == 0) {
		free(v);
		put(h, "<p>none</p>\n");
		return;
	}
	put(h, "<table class=\"rows\">\n<tr>");
	for (size_t k = 0; k < cfg->nby; k++)
		put(h, "<th>%s</th>", mxt_key_name(cfg->by[k]));
	put(h, "<th>events</th><th>cached</th><th>rcpt</th><th>msgs</th>"
	    "<th>first</th><th>last</th><th>reply</th></tr>\n");
	size_t top = h->o->top;
	char a[64], b[64];
	for (size_t i = 0; i < ng && (!top || i < top); i++) {
		const struct mxt_group_row *g = &v[i];
		put(h, "<tr class=\"group\">");
		for (size_t k = 0; k < cfg->nby; k++) {
			put(h, "<td>");
			text(h, g->values[k]);
			put(h, "</td>");
		}
		put(h, "<td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
		    "<td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
		    "<td>%s</td><td>%s</td><td>",
		    (unsigned long long)g->events,
		    (unsigned long long)g->repeats,
		    (unsigned long long)g->recipients,
		    (unsigned long long)g->messages,
		    g->first.valid ? mxt_time_format(&g->first, a, sizeof a) : "",
		    g->last.valid ? mxt_time_format(&g->last, b, sizeof b) : "");
		const struct mxt_strmap_slot *code = mxt_strmap_top(g->codes);
		const struct mxt_strmap_slot *tx = mxt_strmap_top(g->texts);
		char *cell = mxt_reply_cell(code, tx);
		text(h, cell);
		free(cell);
		put(h, "</td></tr>\n<tr class=\"detail\"><td colspan=\"%zu\">",
		    cfg->nby + 7);
		if (tx != NULL && tx->len > 0) {
			const char *r = mxt_reply_start(tx->key);
			put(h, "<div class=\"reply\">");
			text_n(h, r, tx->len - (size_t)(r - tx->key));
			put(h, "</div>");
		}
		char *cmd = mxt_trace_command_group(s, g->group);
		put(h, "<code>");
		text(h, cmd);
		put(h, "</code></td></tr>\n");
		free(cmd);
	}
	put(h, "</table>\n");
	if (top && ng > top)
		put(h, "<p class=\"note\">top %zu of %zu groups</p>\n", top,
		    ng);
	free(v);
}

static void
causes(struct html *h)
{
	const struct mxt_summary *s = h->s;
	struct mxt_cause_row rows[MXT_CAUSE_COUNT];
	size_t n = mxt_summary_causes(s, rows);
	put(h, "<h2 id=\"causes\">Causes</h2>\n");
	put(h, "<table class=\"rows\">\n<tr><th>cause</th><th>kind</th>"
	    "<th>side</th><th>events</th><th>rejects</th><th>domains</th>"
	    "<th>first thing to do</th></tr>\n");
	for (size_t i = 0; i < n; i++) {
		enum mxt_cause c = rows[i].cause;
		if (mxt_cause_is_repeat(c) || c == MXT_CAUSE_EXPIRED)
			continue;
		const struct mxt_cause_row *r = &rows[i];
		const char *const *steps = mxt_cause_steps(c,
		    r->events >= r->rejections ? MXT_DIR_OUT : MXT_DIR_IN);
		/* is it us or them (causes.c): said of our deliveries; a
		 * rejection we issued is our own decision */
		put(h, "<tr class=\"cause\"><td>%s</td><td>%s</td><td>%s</td>"
		    "<td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
		    "<td class=\"n\">%zu</td><td>",
		    cause_name(c), mxt_cause_kind_name(mxt_cause_kind(c)),
		    r->events > 0 ? mxt_cause_side_name(mxt_cause_side(c)) : "-",
		    (unsigned long long)r->events,
		    (unsigned long long)r->rejections, r->domains->count);
		text(h, steps[0] ? steps[0] : "");
		put(h, "</td></tr>\n");
	}
	put(h, "</table>\n");
	for (size_t i = 0; i < n; i++) {
		enum mxt_cause c = rows[i].cause;
		const struct mxt_cause_row *r = &rows[i];
		if (r->events == 0)
			continue;
		if (mxt_cause_is_repeat(c))
			put(h, "<p class=\"note\">Also: %llu cached repeats of "
			    "earlier failures (%s), %zu domains: not fresh "
			    "attempts.</p>\n", (unsigned long long)r->events,
			    cause_name(c), r->domains->count);
		else if (c == MXT_CAUSE_EXPIRED)
			put(h, "<p class=\"note\">Also: %llu expiries (%s): the "
			    "queue gave up on these recipients, %zu domains; the "
			    "causes above are why.</p>\n",
			    (unsigned long long)r->events, cause_name(c),
			    r->domains->count);
	}
}

static void
retries(struct html *h)
{
	const struct mxt_summary *s = h->s;
	char a[32], b[32];
	put(h, "<h2 id=\"retries\">Retry outcome</h2>\n<p>");
	const struct mxt_summary_retries rt = mxt_summary_retries(s);
	uint64_t total = rt.deferred;
	if (total == 0) {
		put(h, "none</p>\n");
		return;
	}
	put(h, "%llu deferred: %llu delivered later", (unsigned long long)total,
	    (unsigned long long)rt.delivered);
	if (rt.ndelays > 0) {
		bool open50, open90;
		int64_t p50 = mxt_summary_delay_percentile(s, 50, &open50);
		int64_t p90 = mxt_summary_delay_percentile(s, 90, &open90);
		put(h, " (half within %s%s, 90%% within %s%s)",
		    open50 ? "more than " : "",
		    mxt_duration_format(p50, a, sizeof a),
		    open90 ? "more than " : "",
		    mxt_duration_format(p90, b, sizeof b));
	}
	put(h, ", %llu bounced, %llu expired, %llu still pending</p>\n",
	    (unsigned long long)rt.bounced,
	    (unsigned long long)rt.expired,
	    (unsigned long long)rt.pending);
	size_t n;
	struct mxt_pending_row *v = mxt_summary_pending(s, false, &n);
	if (n > 0) {
		put(h, "<h2 id=\"pending\">Pending</h2>\n<p class=\"note\">Still "
		    "deferred at the end, oldest first.</p>\n"
		    "<table class=\"rows\">\n<tr><th>age</th><th>domain</th>"
		    "<th>cause</th><th>tries</th><th>queue id</th>"
		    "<th>recipient</th></tr>\n");
		size_t top = h->o->top;
		for (size_t i = 0; i < n && (!top || i < top); i++) {
			mxt_duration_format(v[i].age, a,
			    sizeof a);
			put(h, "<tr><td class=\"n\">%s</td><td>", a);
			text(h, v[i].domain);
			put(h, "</td><td>%s</td><td class=\"n\">%llu</td><td>",
			    cause_name(v[i].cause),
			    (unsigned long long)v[i].attempts);
			text(h, v[i].queue_id);
			put(h, "</td><td>");
			text(h, v[i].recipient);
			put(h, "</td></tr>\n");
		}
		put(h, "</table>\n");
		if (top && n > top)
			put(h, "<p class=\"note\">oldest %zu of %zu</p>\n", top, n);
	}
	free(v);
}

static void
rejections(struct html *h)
{
	const struct mxt_summary *s = h->s;
	put(h, "<h2 id=\"rejections\">Rejections we issued</h2>\n");
	if (mxt_summary_header(s).events[MXT_STATUS_REJECTED] == 0) {
		put(h, "<p>none</p>\n");
		return;
	}
	size_t n;
	struct mxt_client_row *v = mxt_summary_clients(s, &n);
	put(h, "<table class=\"rows\">\n<tr><th>client</th><th>name</th>"
	    "<th>rejects</th><th>top cause</th></tr>\n");
	size_t top = h->o->top;
	for (size_t i = 0; i < n && (!top || i < top); i++) {
		put(h, "<tr><td>");
		text(h, v[i].key);
		put(h, "</td><td>");
		text(h, v[i].name);
		put(h, "</td><td class=\"n\">%llu</td><td>%s</td></tr>\n",
		    (unsigned long long)v[i].rejections,
		    cause_name(v[i].top_cause));
	}
	put(h, "</table>\n");
	free(v);
}

/* ---- rates and our side ----------------------------------------------- */

/* "58.4%", or "-" when the rate has nothing to divide by (null in JSON). */
static void
percent(struct html *h, double v, bool any)
{
	if (any)
		put(h, "<td class=\"n\">%.1f%%</td>", 100.0 * v);
	else
		put(h, "<td class=\"n\">-</td>");
}

static void
rate_table(struct html *h, bool provider)
{
	const struct mxt_summary *s = h->s;
	size_t n, top = h->o->top;
	struct rate_entry *v = mxt_rates_sorted(s, provider, &n);
	put(h, "<h2 id=\"%s\">Rates by %s</h2>\n", provider ? "rates-providers" :
	    "rates-domains", provider ? "provider" : "domain");
	if (n == 0) {
		put(h, "<p>none</p>\n");
		free(v);
		return;
	}
	put(h, "<p class=\"note\">Outbound; rates of fresh attempts, cached "
	    "repeats counted apart. Deferral rate: deferred of all attempts; "
	    "bounce rate: bounced and expired of those that reached a final "
	    "status.</p>\n<table class=\"rows\">\n<tr><th>%s</th>"
	    "<th>attempts</th><th>delivered</th><th>deferred</th>"
	    "<th>bounced</th><th>expired</th><th>cached</th><th>defer %%</th>"
	    "<th>bounce %%</th></tr>\n", provider ? "provider" : "domain");
	for (size_t i = 0; i < n && (!top || i < top); i++) {
		const struct rate_row *r = v[i].row;
		put(h, "<tr class=\"%s\"><td>", provider ? "rate-provider" :
		    "rate-domain");
		text(h, v[i].key);
		put(h, "</td><td class=\"n\">%llu</td>",
		    (unsigned long long)mxt_rate_attempts(r));
		for (int st = MXT_STATUS_DELIVERED; st <= MXT_STATUS_EXPIRED; st++)
			put(h, "<td class=\"n\">%llu</td>",
			    (unsigned long long)r->n[st]);
		put(h, "<td class=\"n\">%llu</td>", (unsigned long long)r->repeats);
		percent(h, mxt_rate_defer(r), mxt_rate_attempts(r) > 0);
		percent(h, mxt_rate_bounce(r), r->n[MXT_STATUS_DELIVERED] +
		    r->n[MXT_STATUS_BOUNCED] + r->n[MXT_STATUS_EXPIRED] > 0);
		put(h, "</tr>\n");
	}
	put(h, "</table>\n");
	if (top && n > top)
		put(h, "<p class=\"note\">top %zu of %zu %s</p>\n", top, n,
		    provider ? "providers" : "domains");
	free(v);
}

static void
time_cell(struct html *h, const struct mxt_time *t)
{
	char buf[64];
	put(h, "<td>%s</td>", t->valid ? mxt_time_format(t, buf, sizeof buf) :
	    "");
}

/* A client table of "Our side" (SASL failures, limits enforced). */
static void
local_clients(struct html *h, enum mxt_local_clients which, const char *id,
    const char *title, bool with_max)
{
	size_t n, top = h->o->top;
	struct mxt_local_client_row *v = mxt_summary_local_clients(h->s, which,
	    &n);
	if (n == 0) {
		free(v);
		return;
	}
	put(h, "<h3 id=\"%s\">%s</h3>\n<table class=\"rows\">\n<tr>"
	    "<th>client</th><th>name</th><th>times</th>%s<th>first</th>"
	    "<th>last</th></tr>\n", id, title, with_max ? "<th>max</th>" : "");
	for (size_t i = 0; i < n && (!top || i < top); i++) {
		const struct mxt_local_client_row *c = &v[i];
		put(h, "<tr class=\"%s\"><td>", id);
		text_n(h, c->key, c->len);
		put(h, "</td><td>");
		text(h, c->name);
		put(h, "</td><td class=\"n\">%llu</td>", (unsigned long long)c->count);
		if (with_max)
			put(h, "<td class=\"n\">%llu</td>",
			    (unsigned long long)c->max);
		time_cell(h, &c->first);
		time_cell(h, &c->last);
		put(h, "</tr>\n");
	}
	put(h, "</table>\n");
	if (top && n > top)
		put(h, "<p class=\"note\">top %zu of %zu clients</p>\n", top, n);
	free(v);
}

/* The local MTA's own trouble (summary_ourside.c), as the table shows it:
 * complaints grouped, each with its example line and the failures it was
 * linked to, then SASL failures and the limits we enforced by client,
 * postscreen's verdicts and anvil's maxima. */
static void
our_side(struct html *h)
{
	const struct mxt_summary_ourside ours = mxt_summary_ourside(h->s);
	const struct mxt_summary_ourside *os = &ours;
	put(h, "<h2 id=\"our-side\">Our side</h2>\n<p class=\"note\">The local "
	    "MTA's own warnings and errors, and the limits it enforced.</p>\n");
	if (os->total == 0) {
		put(h, "<p>none</p>\n");
		return;
	}
	size_t n, top = h->o->top;
	struct mxt_complaint_row *v = mxt_summary_complaints(h->s, &n);
	if (n > 0) {
		put(h, "<table class=\"rows\">\n<tr><th>count</th><th>level</th>"
		    "<th>process</th><th>first</th><th>last</th>"
		    "<th>linked</th></tr>\n");
		for (size_t i = 0; i < n && (!top || i < top); i++) {
			const struct mxt_complaint_row *c = &v[i];
			put(h, "<tr class=\"complaint\"><td class=\"n\">%llu</td>"
			    "<td>%s</td><td>", (unsigned long long)c->count,
			    mxt_local_level_name(c->level));
			text(h, c->program ? c->program : "");
			put(h, "</td>");
			time_cell(h, &c->first);
			time_cell(h, &c->last);
			put(h, "<td class=\"n\">%llu</td></tr>\n<tr class=\"detail\">"
			    "<td colspan=\"6\"><div class=\"reply\">",
			    (unsigned long long)c->explained);
			text(h, c->example ? c->example : "");
			put(h, "</div></td></tr>\n");
		}
		put(h, "</table>\n<p class=\"note\">linked: later failures of "
		    "the same process (host, program, pid) it may explain.</p>\n");
		if (top && n > top)
			put(h, "<p class=\"note\">top %zu of %zu complaints</p>\n",
			    top, n);
	}
	free(v);
	local_clients(h, MXT_LOCAL_SASL, "sasl-failures",
	    "SASL authentication failures, by client", false);
	local_clients(h, MXT_LOCAL_RATE, "rate-limited",
	    "Connection limits we enforced (anvil), by client", true);
	bool any = false;
	for (int i = 0; i < MXT_OURSIDE_ACTIONS; i++)
		if (os->postscreen[i] > 0) {
			put(h, "%s%s %llu", any ? ", " : "<p>postscreen: ",
			    mxt_ourside_actions[i],
			    (unsigned long long)os->postscreen[i]);
			any = true;
		}
	if (any)
		put(h, "</p>\n");
	any = false;
	for (int i = 0; i < OURSIDE_ANVIL; i++) {
		const struct mxt_anvil_row *a = &os->anvil[i];
		if (a->client == NULL)
			continue;
		put(h, "%s%s %llu (", any ? ", " : "<p>anvil maxima: ",
		    mxt_ourside_anvil_names[i], (unsigned long long)a->value);
		text(h, a->client);
		put(h, ")");
		any = true;
	}
	if (any)
		put(h, "</p>\n");
	if (os->overflow > 0)
		put(h, "<p class=\"note\">%llu lines past the caps (%d complaints, "
		    "%d clients) counted, not named</p>\n",
		    (unsigned long long)os->overflow, OURSIDE_COMPLAINTS_MAX,
		    OURSIDE_CLIENTS_MAX);
}

int
mxt_report_html(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp)
{
	struct html h = {fp, o, s, 0};
	put(&h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<meta name=\"generator\" content=\"mxtriage %s\">\n"
	    "<title>mxtriage report</title>\n<style>\n"
	    "body{font-family:sans-serif;font-size:14px;color:#222;"
	    "max-width:1100px}\n"
	    "table{border-collapse:collapse;margin:6px 0}\n"
	    "th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;"
	    "vertical-align:top}\n"
	    "td.n{text-align:right}\n"
	    "tr.detail td{border-top:none;color:#555;font-size:12px}\n"
	    "code{font-size:11px;color:#555;word-break:break-all}\n"
	    ".note{color:#555}\n.deferred{color:#b9770e}\n"
	    ".bounced,.expired{color:#c0392b}\n"
	    "</style>\n</head>\n<body>\n<h1>mxtriage report</h1>\n",
	    mxt_version());
	header(&h);
	put(&h, "<h2 id=\"charts\">Charts</h2>\n");
	charts(&h);
	groups(&h);
	causes(&h);
	retries(&h);
	rejections(&h);
	our_side(&h);
	rate_table(&h, true);
	rate_table(&h, false);
	put(&h, "</body>\n</html>\n");
	return h.rc;
}
