/*
 * report_table.c - the summary as aligned text for a person in a shell.
 *
 * Width-aware: columns are sized from their content and the terminal
 * width (o->width); when a table does not fit, optional columns are
 * dropped in a fixed order and then shrinkable ones are cut with an
 * ellipsis, so nothing wraps at 80 columns. The most frequent reply text
 * of each group goes on its own indented line, shortened to the width.
 * Every string from the log goes through mxt_escape_terminal first
 * (controls, C1 controls, bidi controls and invalid UTF-8 made visible):
 * a reply text can neither drive the terminal nor reorder the line. Numbers get thousands
 * separators. Colour only when o->color.
 */
#include "summary.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>

#define MAX_COLS 16

struct col {
	const char *title;
	bool right;      /* numbers */
	int drop;        /* 0 never; else dropped in increasing order */
	bool shrink;     /* may be cut with an ellipsis */
	int width;
	bool dropped;
};

struct table {
	struct col cols[MAX_COLS];
	int ncols;
	char **cells;    /* rows * ncols, escaped; NULL = blank */
	char **notes;    /* one optional indented line per row */
	size_t rows, alloc;
};

struct out {
	FILE *fp;
	const struct mxt_report_options *o;
	int rc;
};

static void
put(struct out *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vfprintf(w->fp, fmt, ap) < 0)
		w->rc = -1;
	va_end(ap);
}

static const char *
sgr(const struct out *w, const char *code)
{
	return w->o->color ? code : "";
}

/* A C string from the log as a cell: escaped for the terminal. */
static char *
text_cell(const char *s)
{
	return mxt_escape_terminal(s, strlen(s), 0);
}

/* Display columns of valid UTF-8: one per code point. */
static int
display_width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

/* Length of the \xNN or \uNNNN escape at p, else 0. */
static int
escape_len(const char *p)
{
	int n = p[0] != '\\' ? 0 : p[1] == 'x' ? 2 : p[1] == 'u' ? 4 : 0;
	for (int i = 0; i < n; i++)
		if (!isxdigit((unsigned char)p[2 + i]))
			return 0;
	return n ? n + 2 : 0;
}

/* Writes s cut to at most width columns, with an ellipsis when cut. */
static void
put_cut(struct out *w, const char *s, int width, bool pad_left, bool pad)
{
	int dw = display_width(s);
	if (dw <= width) {
		if (pad && pad_left)
			put(w, "%*s", width - dw, "");
		put(w, "%s", s);
		if (pad && !pad_left)
			put(w, "%*s", width - dw, "");
		return;
	}
	const char *ell = w->o->utf8 ? "\xE2\x80\xA6" : "...";
	int keep = width - (w->o->utf8 ? 1 : 3), cols = 0;
	if (keep < 0)
		keep = 0;
	const char *p = s;
	while (*p) {
		/* an escape of mxt_escape_terminal is cut whole or not at
		 * all: "\u0..." would look like a different escape */
		int n = escape_len(p), step = n ? n : 1;
		if (cols + step > keep)
			break;
		p += n ? (size_t)n : 1;
		while (!n && ((unsigned char)*p & 0xC0) == 0x80)
			p++;
		cols += step;
	}
	if (pad && pad_left)
		put(w, "%*s", keep - cols, "");
	put(w, "%.*s%s", (int)(p - s), s, width >= 3 ? ell : "");
	if (pad && !pad_left)
		put(w, "%*s", keep - cols, "");
}

static char *
thousands(uint64_t v)
{
	char raw[32], *out = xmalloc(48), *p = out;
	int n = snprintf(raw, sizeof raw, "%llu", (unsigned long long)v);
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			*p++ = ',';
		*p++ = raw[i];
	}
	*p = '\0';
	return out;
}

static void
table_col(struct table *t, const char *title, bool right, int drop, bool shrink)
{
	struct col *c = &t->cols[t->ncols++];
	memset(c, 0, sizeof *c);
	c->title = title;
	c->right = right;
	c->drop = drop;
	c->shrink = shrink;
}

/* Adds a row; takes ownership of the cells (malloc'd) and of note. */
static void
table_row(struct table *t, char **cells, char *note)
{
	if (t->rows == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 16;
		t->cells = xrealloc(t->cells, t->alloc * MAX_COLS * sizeof *t->cells);
		t->notes = xrealloc(t->notes, t->alloc * sizeof *t->notes);
	}
	memcpy(&t->cells[t->rows * MAX_COLS], cells, MAX_COLS * sizeof *cells);
	t->notes[t->rows] = note;
	t->rows++;
}

static int
table_total(const struct table *t)
{
	int total = 0, n = 0;
	for (int i = 0; i < t->ncols; i++)
		if (!t->cols[i].dropped) {
			total += t->cols[i].width;
			n++;
		}
	return total + (n > 0 ? 2 * (n - 1) : 0);
}

static void
table_layout(struct table *t, int width)
{
	for (int i = 0; i < t->ncols; i++) {
		struct col *c = &t->cols[i];
		c->width = display_width(c->title);
		for (size_t r = 0; r < t->rows; r++) {
			const char *cell = t->cells[r * MAX_COLS + i];
			if (cell && display_width(cell) > c->width)
				c->width = display_width(cell);
		}
	}
	for (int order = 1; table_total(t) > width && order < 10; order++)
		for (int i = 0; i < t->ncols; i++)
			if (t->cols[i].drop == order)
				t->cols[i].dropped = true;
	/* then cut the widest shrinkable column, a column at a time */
	while (table_total(t) > width) {
		struct col *widest = NULL;
		for (int i = 0; i < t->ncols; i++) {
			struct col *c = &t->cols[i];
			if (!c->dropped && c->shrink && c->width > 8 &&
			    (!widest || c->width > widest->width))
				widest = c;
		}
		if (widest == NULL)
			break;
		widest->width--;
	}
}

static void
table_print(struct out *w, struct table *t)
{
	int width = w->o->width > 20 ? w->o->width : 80;
	table_layout(t, width);
	bool first = true;
	put(w, "%s", sgr(w, "\033[1m"));
	for (int i = 0; i < t->ncols; i++) {
		struct col *c = &t->cols[i];
		if (c->dropped)
			continue;
		if (!first)
			put(w, "  ");
		put_cut(w, c->title, c->width, c->right, i < t->ncols - 1 || c->right);
		first = false;
	}
	put(w, "%s\n", sgr(w, "\033[0m"));
	for (size_t r = 0; r < t->rows; r++) {
		first = true;
		for (int i = 0; i < t->ncols; i++) {
			struct col *c = &t->cols[i];
			const char *cell = t->cells[r * MAX_COLS + i];
			if (c->dropped)
				continue;
			if (!first)
				put(w, "  ");
			put_cut(w, cell ? cell : "", c->width, c->right,
			    i < t->ncols - 1 || c->right);
			first = false;
		}
		put(w, "\n");
		if (t->notes[r]) {
			put(w, "    ");
			put_cut(w, t->notes[r], width - 4, false, false);
			put(w, "\n");
		}
	}
	for (size_t r = 0; r < t->rows; r++) {
		for (int i = 0; i < MAX_COLS; i++)
			free(t->cells[r * MAX_COLS + i]);
		free(t->notes[r]);
	}
	free(t->cells);
	free(t->notes);
}

static void
heading(struct out *w, const char *title, const char *detail)
{
	put(w, "\n%s%s%s", sgr(w, "\033[1;4m"), title, sgr(w, "\033[0m"));
	if (detail)
		put(w, "  %s", detail);
	put(w, "\n");
}

/* "11-23 10:40" in the event's own offset */
static char *
short_time(const struct mxt_time *t)
{
	char buf[64];
	if (!t->valid)
		return xstrndup("-", 1);
	mxt_time_format(t, buf, sizeof buf);
	char *s = xmalloc(16);
	snprintf(s, 16, "%.5s %.5s", buf + 5, buf + 11);
	return s;
}

static const char *
cause_name(enum mxt_cause c)
{
	const char *id = mxt_cause_id(c);
	return id ? id : "unclassified";
}

static void
header(struct out *w, const struct mxt_summary *s)
{
	const struct mxt_report_options *o = w->o;
	const struct mxt_stats *st = &s->stats;
	char a[64], b[64];
	char *n;

	put(w, "%smxtriage report%s\n", sgr(w, "\033[1m"), sgr(w, "\033[0m"));
	/* the inputs as read (a directory's files, in reading order; the
	 * logs behind merged summaries), else as given */
	put(w, "Inputs:   ");
	size_t ninputs = s->ninputs ? s->ninputs : o->ninputs;
	for (size_t i = 0; i < ninputs; i++) {
		char *e = text_cell(s->ninputs ? s->inputs[i].name : o->inputs[i]);
		put(w, "%s%s", i ? ", " : "", e);
		free(e);
	}
	put(w, "\n");
	if (st->first.valid)
		put(w, "Span:     %s .. %s\n", mxt_time_format(&st->first, a,
		    sizeof a), mxt_time_format(&st->last, b, sizeof b));
	const struct mxt_filter *f = &s->cfg.filter;
	if (f->has_since || f->has_until)
		put(w, "Window:   %s .. %s\n",
		    f->has_since ? mxt_local_time(f->since, a, sizeof a) : "start",
		    f->has_until ? mxt_local_time(f->until, b, sizeof b) : "end");
	n = thousands(st->lines);
	put(w, "Lines:    %s read", n);
	free(n);
	for (int m = 0; m < MXT_MTA_COUNT; m++) {
		n = thousands(st->lines_mta[m]);
		put(w, ", %s %s", n, mxt_mta_name(m));
		free(n);
	}
	n = thousands(st->unparsed);
	put(w, ", %s%s unparsed%s\n", st->unparsed ? sgr(w, "\033[33m") : "",
	    n, st->unparsed ? sgr(w, "\033[0m") : "");
	free(n);
	put(w, "Events:  ");
	static const char *const colors[MXT_STATUS_COUNT] = {
		"\033[32m", "\033[33m", "\033[31m", "\033[31m", "\033[35m"};
	for (int i = 0; i < MXT_STATUS_COUNT; i++) {
		n = thousands(s->events[i]);
		char *m = thousands(s->messages[i]);
		put(w, "%s %s%s %s%s", i ? "," : "", s->events[i] ?
		    sgr(w, colors[i]) : "", n, mxt_status_name(i),
		    s->events[i] ? sgr(w, "\033[0m") : "");
		if (s->events[i] && i != MXT_STATUS_REJECTED)
			put(w, " (%s msg)", m);
		free(n);
		free(m);
	}
	put(w, "\n");
	if (s->repeats) {
		n = thousands(s->repeats);
		put(w, "          %s of these failures %s cached %s of an "
		    "earlier failure (suspended), not a fresh attempt\n", n,
		    s->repeats == 1 ? "is a" : "are", s->repeats == 1 ?
		    "repeat" : "repeats");
		free(n);
	}
}

static void
groups(struct out *w, const struct mxt_summary *s)
{
	struct table t = {0};
	char title[256] = "Failures by ";
	for (size_t k = 0; k < s->cfg.nby; k++) {
		const char *name = mxt_key_name(s->cfg.by[k]);
		strcat(title, k ? ", " : "");
		strcat(title, name);
		char upper[32];
		size_t i = 0;
		for (; name[i] && i < sizeof upper - 1; i++)
			upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ?
			    name[i] - 32 : name[i]);
		upper[i] = '\0';
		table_col(&t, xstrndup(upper, i), false, 0, true);
	}
	heading(w, title, "(outbound deferrals, bounces, expiries)");
	if (mxt_summary_ngroups(s) == 0) {
		put(w, "none\n");
		for (int i = 0; i < t.ncols; i++)
			free((char *)t.cols[i].title);
		return;
	}
	/* at 80 columns LAST goes first, then RCPT */
	table_col(&t, "EVENTS", true, 0, false);
	table_col(&t, "CACHED", true, 3, false);
	table_col(&t, "RCPT", true, 2, false);
	table_col(&t, "MSGS", true, 0, false);
	table_col(&t, "FIRST", false, 4, false);
	table_col(&t, "LAST", false, 1, false);
	table_col(&t, "REPLY", false, 5, false);
	struct group **v = mxt_summary_sorted_groups(s);
	size_t top = w->o->top;
	for (size_t i = 0; v[i] != NULL && (!top || i < top); i++) {
		const struct group *g = v[i];
		char *cells[MAX_COLS] = {0};
		int c = 0;
		for (size_t k = 0; k < s->cfg.nby; k++)
			cells[c++] = text_cell(g->values[k]);
		cells[c++] = thousands(g->events);
		cells[c++] = thousands(g->repeats);
		cells[c++] = thousands(g->recipients);
		cells[c++] = thousands(g->messages);
		cells[c++] = short_time(&g->first);
		cells[c++] = short_time(&g->last);
		const struct mxt_strmap_slot *code = mxt_strmap_top(&g->codes);
		cells[c++] = code ?
		    mxt_escape_terminal(code->key, code->len, 0) : NULL;
		const struct mxt_strmap_slot *text = mxt_strmap_top(&g->texts);
		table_row(&t, cells, text && text->len ?
		    mxt_escape_terminal(text->key, text->len, 0) : NULL);
	}
	if (top && mxt_summary_ngroups(s) > top)
		put(w, "(top %zu of %zu groups)\n", top, mxt_summary_ngroups(s));
	free(v);
	table_print(w, &t);
	for (size_t k = 0; k < s->cfg.nby; k++)
		free((char *)t.cols[k].title);
}

static void
causes(struct out *w, const struct mxt_summary *s)
{
	enum mxt_cause order[MXT_CAUSE_COUNT];
	size_t n = mxt_summary_sorted_causes(s, order);
	heading(w, "Causes", "(what it means and the first thing to do)");
	if (n == 0) {
		put(w, "none\n");
		return;
	}
	struct table t = {0};
	table_col(&t, "CAUSE", false, 0, true);
	table_col(&t, "KIND", false, 2, false);
	table_col(&t, "EVENTS", true, 0, false);
	table_col(&t, "REJECTS", true, 0, false);
	table_col(&t, "DOMAINS", true, 1, false);
	for (size_t i = 0; i < n; i++) {
		const struct cause_row *r = &s->causes[order[i]];
		char *cells[MAX_COLS] = {0};
		cells[0] = xstrndup(cause_name(order[i]), strlen(cause_name(order[i])));
		const char *kind = mxt_cause_kind_name(mxt_cause_kind(order[i]));
		cells[1] = xstrndup(kind, strlen(kind));
		cells[2] = thousands(r->events);
		cells[3] = thousands(r->rejections);
		cells[4] = thousands(r->domains.count);
		const char *const *steps = mxt_cause_steps(order[i],
		    r->events >= r->rejections ? MXT_DIR_OUT : MXT_DIR_IN);
		char *note = NULL;
		if (steps[0]) {
			size_t len = strlen(steps[0]) + 8;
			note = xmalloc(len);
			snprintf(note, len, "-> %s", steps[0]);
		}
		table_row(&t, cells, note);
	}
	table_print(w, &t);
}

static void
retries(struct out *w, const struct mxt_summary *s)
{
	char a[32], b[32];
	heading(w, "Retry outcome", "(outbound recipients deferred at least once)");
	uint64_t total = mxt_summary_deferred_recipients(s);
	if (total == 0) {
		put(w, "none\n");
		return;
	}
	char *tot = thousands(total), *del = thousands(s->retry_delivered);
	char *bou = thousands(s->retry_bounced), *exp = thousands(s->retry_expired);
	char *pen = thousands(mxt_summary_pending_count(s));
	put(w, "%s deferred: %s delivered later", tot, del);
	if (mxt_summary_delays_count(s) > 0) {
		/* the delays are kept in fixed buckets: bounds, not values */
		bool open50, open90;
		int64_t p50 = mxt_summary_delay_percentile(s, 50, &open50);
		int64_t p90 = mxt_summary_delay_percentile(s, 90, &open90);
		put(w, " (half within %s%s, 90%% within %s%s)",
		    open50 ? "more than " : "",
		    mxt_duration_format(p50, a, sizeof a),
		    open90 ? "more than " : "",
		    mxt_duration_format(p90, b, sizeof b));
	}
	put(w, ", %s bounced, %s expired, %s%s still pending%s\n", bou, exp,
	    mxt_summary_pending_count(s) ? sgr(w, "\033[33m") : "", pen,
	    mxt_summary_pending_count(s) ? sgr(w, "\033[0m") : "");
	free(tot);
	free(del);
	free(bou);
	free(exp);
	free(pen);

	size_t n;
	struct retry **v = mxt_summary_sorted_pending(s, &n);
	if (n > 0) {
		heading(w, "Pending", "(still deferred at the end of the input, oldest first)");
		struct table t = {0};
		table_col(&t, "AGE", true, 0, false);
		table_col(&t, "DOMAIN", false, 0, true);
		table_col(&t, "CAUSE", false, 0, true);
		table_col(&t, "TRIES", true, 2, false);
		table_col(&t, "QUEUE ID", false, 1, false);
		table_col(&t, "RECIPIENT", false, 3, true);
		size_t top = w->o->top;
		for (size_t i = 0; i < n && (!top || i < top); i++) {
			char *cells[MAX_COLS] = {0};
			mxt_duration_format(s->end - v[i]->first_deferred, a, sizeof a);
			cells[0] = xstrndup(a, strlen(a));
			cells[1] = text_cell(v[i]->domain);
			cells[2] = xstrndup(cause_name(v[i]->cause),
			    strlen(cause_name(v[i]->cause)));
			cells[3] = thousands(v[i]->attempts);
			cells[4] = text_cell(v[i]->queue_id);
			cells[5] = text_cell(v[i]->recipient);
			table_row(&t, cells, NULL);
		}
		if (top && n > top)
			put(w, "(oldest %zu of %zu)\n", top, n);
		table_print(w, &t);
	}
	free(v);
}

static void
rejections(struct out *w, const struct mxt_summary *s)
{
	size_t n;
	heading(w, "Rejections we issued", "(inbound, by client)");
	if (s->events[MXT_STATUS_REJECTED] == 0) {
		put(w, "none\n");
		return;
	}
	struct client_row **v = mxt_summary_sorted_clients(s, &n);
	struct table t = {0};
	table_col(&t, "CLIENT", false, 0, true);
	table_col(&t, "NAME", false, 1, true);
	table_col(&t, "REJECTS", true, 0, false);
	table_col(&t, "TOP CAUSE", false, 0, true);
	size_t top = w->o->top;
	for (size_t i = 0; i < n && (!top || i < top); i++) {
		char *cells[MAX_COLS] = {0};
		cells[0] = text_cell(v[i]->key);
		cells[1] = text_cell(v[i]->name);
		cells[2] = thousands(v[i]->rejections);
		cells[3] = xstrndup(cause_name(v[i]->top_cause),
		    strlen(cause_name(v[i]->top_cause)));
		table_row(&t, cells, NULL);
	}
	if (top && n > top)
		put(w, "(top %zu of %zu clients)\n", top, n);
	table_print(w, &t);
	free(v);
}

int
mxt_report_table(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp)
{
	struct out w = {fp, o, 0};
	header(&w, s);
	groups(&w, s);
	causes(&w, s);
	retries(&w, s);
	rejections(&w, s);
	return w.rc;
}
