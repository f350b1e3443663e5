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
#include "report.h"
#include "smtp.h"
#include "trace.h"

#include <ctype.h>
#include <inttypes.h>
#include <locale.h>
#include <stdarg.h>
#include <stdlib.h>
#include <wchar.h>

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
	char **notes2;   /* a second one (the trace command), never cut */
	char **warns;    /* a warning of ours linked to the row, cut */
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

/*
 * The columns the code point at s takes on a terminal (wcwidth(3): 2 for
 * CJK and other wide characters, 0 for combining marks), and in *len the
 * bytes of its UTF-8 sequence. s is valid UTF-8 (mxt_escape_terminal made
 * it so). wcwidth answers for the locale's character set, which for the
 * C locale knows no character past ASCII: the widths come from the
 * C.UTF-8 locale (built into glibc) whatever the user's locale is, so
 * the columns line up the same under LC_ALL=C as in a UTF-8 terminal.
 */
static int
char_width(const char *s, size_t *len)
{
	static locale_t utf8;
	static bool tried;
	unsigned char c = (unsigned char)*s;
	if (c < 0x80) {
		*len = 1;
		return 1;
	}
	size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	uint32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
	size_t i = 1;
	for (; i < n && ((unsigned char)s[i] & 0xC0) == 0x80; i++)
		cp = cp << 6 | ((unsigned char)s[i] & 0x3F);
	*len = i;
	if (!tried) {
		tried = true;
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	int w = -1;
	if (utf8 != (locale_t)0) {
		locale_t old = uselocale(utf8);
		w = wcwidth((wchar_t)cp);
		uselocale(old);
	}
	return w < 0 ? 1 : w;
}

/* Display columns of valid UTF-8 (see char_width). */
static int
display_width(const char *s)
{
	int w = 0;
	size_t n;
	for (; *s; s += n)
		w += char_width(s, &n);
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
		int n = escape_len(p);
		size_t bytes = (size_t)n;
		int step = n ? n : char_width(p, &bytes);
		if (cols + step > keep)
			break;
		p += bytes;
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
		t->notes2 = xrealloc(t->notes2, t->alloc * sizeof *t->notes2);
		t->warns = xrealloc(t->warns, t->alloc * sizeof *t->warns);
	}
	t->notes2[t->rows] = NULL;
	t->warns[t->rows] = NULL;
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
		if (t->warns[r]) {
			put(w, "    ");
			put_cut(w, t->warns[r], width - 4, false, false);
			put(w, "\n");
		}
		if (t->notes2[r])
			put(w, "    %s\n", t->notes2[r]);
	}
	for (size_t r = 0; r < t->rows; r++) {
		for (int i = 0; i < MAX_COLS; i++)
			free(t->cells[r * MAX_COLS + i]);
		free(t->notes[r]);
		free(t->notes2[r]);
		free(t->warns[r]);
	}
	free(t->cells);
	free(t->notes);
	free(t->notes2);
	free(t->warns);
}

static void
heading(struct out *w, const char *title, const char *detail)
{
	int width = w->o->width > 20 ? w->o->width : 80;
	put(w, "\n%s", sgr(w, "\033[1;4m"));
	put_cut(w, title, width, false, false);
	put(w, "%s", sgr(w, "\033[0m"));
	/* the detail only where it fits: a heading never wraps */
	if (detail && display_width(title) + 2 + display_width(detail) <= width)
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

static int
width_of(const struct out *w)
{
	return w->o->width > 20 ? w->o->width : 80;
}

/*
 * Writes text (escaped already, or our own words) as a paragraph: the
 * first line after lead, the rest indented by indent columns, broken at
 * spaces so that no line is wider than the width (a word longer than a
 * line is cut with an ellipsis).
 */
static void
put_wrapped(struct out *w, const char *lead, int indent, const char *text)
{
	int width = width_of(w), col = display_width(lead);
	put(w, "%s", lead);
	const char *p = text;
	bool first = true;
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t n = sp ? (size_t)(sp - p) : strlen(p);
		char *word = xstrndup(p, n);
		int ww = display_width(word);
		if (!first && col + 1 + ww > width) {
			put(w, "\n%*s", indent, "");
			col = indent;
			first = true;
		}
		if (!first) {
			put(w, " ");
			col++;
		}
		if (col + ww > width) {
			put_cut(w, word, width - col, false, false);
			col = width;
		} else {
			put(w, "%s", word);
			col += ww;
		}
		free(word);
		first = false;
		p += n;
		while (*p == ' ')
			p++;
	}
	put(w, "\n");
}

/*
 * Where the remote server's own reply starts in a failure text: past
 * Postfix's "host NAME[IP] said: " and "host NAME[IP] refused to talk to
 * me: ", and Exim's "SMTP error from remote mail server after RCPT
 * TO:<addr>: " (any command): RELAY is a column, the reply is what one
 * acts on. Other texts (timeouts, DNS, TLS) are returned whole.
 */
const char *
mxt_reply_start(const char *text)
{
	const char *end = text + strlen(text), *p;
	if ((p = skip_lit(text, end, "host ")) != NULL) {
		const char *sp = token_end(p, end);
		const char *q;
		if ((q = skip_lit(sp, end, " said: ")) != NULL ||
		    (q = skip_lit(sp, end, " refused to talk to me: ")) != NULL)
			return q;
		return text;
	}
	if ((p = skip_lit(text, end, "SMTP error from remote mail server after "))
	    != NULL) {
		/* the command may hold ": " inside <addr>: the reply is the
		 * first ": " followed by a reply code */
		for (const char *q = p; (q = find_lit(q, end, ": ")) != NULL;
		    q += 2)
			if (mxt_smtp_reply_code(q + 2, end, NULL) != 0)
				return q + 2;
	}
	return text;
}

/*
 * The REPLY cell of a group: the code and enhanced code as the remote
 * server sent them (read from the reply text), and apart in parentheses
 * the DSN Postfix logged when it differs (Postfix turns a 554 at the
 * greeting into a 4.7.1 deferral); "none" when no reply came.
 */
char *
mxt_reply_cell(const struct mxt_strmap_slot *code,
    const struct mxt_strmap_slot *text)
{
	char dsn[MXT_DSN_SIZE] = "", logged[MXT_DSN_SIZE] = "";
	int rc = 0;
	if (text != NULL && text->len > 0) {
		const char *r = mxt_reply_start(text->key), *end = text->key +
		    text->len;
		rc = mxt_smtp_reply(r, end, dsn);
		/* a reply quoted inside our own words ("TLS is required, but
		 * host X refused to start TLS: 454 4.7.0 ...") */
		for (const char *q = r; rc == 0 &&
		    (q = find_lit(q, end, ": ")) != NULL; q += 2)
			rc = mxt_smtp_reply(q + 2, end, dsn);
	}
	int kc = 0;
	if (code != NULL) {
		/* the key is "CODE DSN", "CODE" or "none DSN" */
		const char *sp = strchr(code->key, ' ');
		if (sp != NULL)
			snprintf(logged, sizeof logged, "%s", sp + 1);
		kc = atoi(code->key);
	}
	char buf[64];
	if (code != NULL && rc != kc) {
		/* the top text is not of the top reply: the reply as
		 * counted, the DSN as logged */
		if (kc == 0)
			snprintf(buf, sizeof buf, "none%s%s%s", logged[0] ?
			    " (" : "", logged, logged[0] ? ")" : "");
		else
			snprintf(buf, sizeof buf, "%s", code->key);
		return xstrndup(buf, strlen(buf));
	}
	if (rc == 0)
		snprintf(buf, sizeof buf, "none");
	else
		snprintf(buf, sizeof buf, "%d%s%s", rc, dsn[0] ? " " : "", dsn);
	if (logged[0] && strcmp(logged, dsn) != 0) {
		size_t n = strlen(buf);
		snprintf(buf + n, sizeof buf - n, " (%s)", logged);
	}
	return xstrndup(buf, strlen(buf));
}

/* "512 bytes", "1.5 KiB", "56.7 MiB": powers of 1024, as eximstats
 * and pflogsumm count (the JSON report has the exact number). */
static char *
human_bytes(uint64_t v, char *buf, size_t size)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB",
	    "PiB", "EiB"};
	if (v < 1024) {
		snprintf(buf, size, "%" PRIu64 " %s", v, v == 1 ? "byte" :
		    "bytes");
		return buf;
	}
	double x = (double)v / 1024;
	size_t u = 0;
	while (x >= 1023.95 && u + 1 < sizeof units / sizeof units[0]) {
		x /= 1024;
		u++;
	}
	snprintf(buf, size, "%.1f %s", x, units[u]);
	return buf;
}

static void
header(struct out *w, const struct mxt_summary *s)
{
	const struct mxt_report_options *o = w->o;
	const struct mxt_summary_header h = mxt_summary_header(s);
	const struct mxt_stats *st = h.stats;
	char a[64], b[64];
	char *n;
	struct mxt_buf line = {0};

	put(w, "%smxtriage report%s\n", sgr(w, "\033[1m"), sgr(w, "\033[0m"));
	/* the inputs as read (a directory's files, in reading order; the
	 * logs behind merged summaries), else as given */
	size_t ninputs = h.ninputs ? h.ninputs : o->ninputs;
	for (size_t i = 0; i < ninputs; i++) {
		char *e = text_cell(h.ninputs ? mxt_summary_input(s, i).name :
		    o->inputs[i]);
		mxt_buf_printf(&line, "%s%s", e, i + 1 < ninputs ? "," : "");
		if (i + 1 < ninputs)
			mxt_buf_printf(&line, " ");
		free(e);
	}
	put_wrapped(w, "Inputs:   ", 10, line.p ? line.p : "");
	if (st->first.valid) {
		line.len = 0;
		mxt_buf_printf(&line, "%s .. %s", mxt_time_format(&st->first,
		    a, sizeof a), mxt_time_format(&st->last, b, sizeof b));
		put_wrapped(w, "Span:     ", 10, line.p);
	}
	const struct mxt_filter *f = &h.cfg->filter;
	if (f->has_since || f->has_until) {
		line.len = 0;
		mxt_buf_printf(&line, "%s .. %s", f->has_since ?
		    mxt_local_time(f->since, a, sizeof a) : "start",
		    f->has_until ? mxt_local_time(f->until, b, sizeof b) : "end");
		put_wrapped(w, "Window:   ", 10, line.p);
	}
	n = thousands(st->lines);
	line.len = 0;
	mxt_buf_printf(&line, "%s read", n);
	free(n);
	for (int m = 0; m < MXT_MTA_COUNT; m++) {
		n = thousands(st->lines_mta[m]);
		mxt_buf_printf(&line, ", %s %s", n, mxt_mta_name(m));
		free(n);
	}
	n = thousands(st->unparsed);
	mxt_buf_printf(&line, ", %s%s unparsed%s", st->unparsed ?
	    sgr(w, "\033[33m") : "", n, st->unparsed ? sgr(w, "\033[0m") : "");
	free(n);
	put_wrapped(w, "Lines:    ", 10, line.p);
	static const char *const colors[MXT_STATUS_COUNT] = {
		"\033[32m", "\033[33m", "\033[31m", "\033[31m", "\033[35m"};
	line.len = 0;
	for (int i = 0; i < MXT_STATUS_COUNT; i++) {
		n = thousands(h.events[i]);
		char *m = thousands(h.messages[i]);
		mxt_buf_printf(&line, "%s%s%s %s%s", i ? ", " : "",
		    h.events[i] ? sgr(w, colors[i]) : "", n,
		    mxt_status_name(i), h.events[i] ? sgr(w, "\033[0m") : "");
		if (h.events[i] && i != MXT_STATUS_REJECTED)
			mxt_buf_printf(&line, " (%s msg)", m);
		free(n);
		free(m);
	}
	put_wrapped(w, "Events:   ", 10, line.p);
	if (h.repeats) {
		n = thousands(h.repeats);
		line.len = 0;
		mxt_buf_printf(&line, "%s of these failures %s cached %s of an "
		    "earlier failure (suspended), not a fresh attempt", n,
		    h.repeats == 1 ? "is a" : "are", h.repeats == 1 ?
		    "repeat" : "repeats");
		put_wrapped(w, "          ", 10, line.p);
		free(n);
	}
	if (h.recv_messages) {
		/* messages received once each, their sizes as logged */
		n = thousands(h.recv_messages);
		line.len = 0;
		mxt_buf_printf(&line, "%s %s, %s", n, h.recv_messages == 1 ?
		    "message" : "messages", human_bytes(h.recv_bytes, a,
		    sizeof a));
		put_wrapped(w, "Received: ", 10, line.p);
		free(n);
	}
	free(line.p);
}

/* A group's trace command under it: always with --show-ids, else when
 * the width has room for it whole (a cut command cannot be pasted). */
static char *
trace_note(struct out *w, const struct mxt_summary *s, char *cmd)
{
	char *e = text_cell(cmd);
	free(cmd);
	if (w->o->show_ids || (w->o->width >= 132 &&
	    display_width(e) + 4 <= width_of(w)))
		return e;
	free(e);
	return NULL;
}

/* "! ours: KEY (N)": the warning of ours most often linked to the
 * group's failures (see "Our side"), or NULL. */
static char *
warning_note(const struct mxt_group_row *g)
{
	const struct mxt_strmap_slot *top = mxt_strmap_top(g->warnings);
	if (top == NULL)
		return NULL;
	char *key = mxt_escape_terminal(top->key, top->len, 0);
	struct mxt_buf b = {0};
	mxt_buf_printf(&b, "! after our %s (%llu)", key,
	    (unsigned long long)top->value);
	free(key);
	return b.p;
}

/* --by hour (day): the hours (days) without failures between two
 * groups, as rows of 0; a long quiet stretch as one row that says so. */
static void
empty_rows(struct table *t, const struct mxt_summary *s,
    const struct group *prev, const struct group *next)
{
	char keys[48][32];
	size_t n = mxt_summary_empty_keys(s, prev, next, keys, 48);
	for (size_t i = 0; i < n; i++) {
		char *cells[MAX_COLS] = {0};
		if (n > 48) {
			char buf[64];
			snprintf(buf, sizeof buf, "(%zu %s)", n,
			    mxt_summary_header(s).cfg->by[0] == MXT_KEY_HOUR ?
			    "hours" : "days");
			cells[0] = xstrndup(buf, strlen(buf));
			table_row(t, cells, NULL);
			return;
		}
		cells[0] = xstrndup(keys[i], strlen(keys[i]));
		for (int c = 1; c <= 4; c++)
			cells[c] = xstrndup("0", 1);
		for (int c = 5; c <= 7; c++)
			cells[c] = xstrndup("-", 1); /* FIRST, LAST, REPLY */
		table_row(t, cells, NULL);
	}
}

static void
groups(struct out *w, const struct mxt_summary *s)
{
	const struct mxt_summary_header h = mxt_summary_header(s);
	struct table t = {0};
	char title[256] = "Failures by ";
	for (size_t k = 0; k < h.cfg->nby; k++) {
		const char *name = mxt_key_name(h.cfg->by[k]);
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
	if (h.ngroups == 0) {
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
	size_t ng;
	struct mxt_group_row *v = mxt_summary_groups(s, &ng);
	size_t top = w->o->top;
	bool only_repeats = false;
	for (size_t i = 0; i < ng && (!top || i < top); i++) {
		const struct mxt_group_row *g = &v[i];
		char *cells[MAX_COLS] = {0};
		int c = 0;
		if (i > 0)
			empty_rows(&t, s, v[i - 1].group, g->group);
		for (size_t k = 0; k < h.cfg->nby; k++)
			cells[c++] = text_cell(g->values[k]);
		if (g->events == 0 && g->repeats > 0) {
			/* cached repeats only: no fresh attempt to count;
			 * the number is shown as what it is */
			char *r = thousands(g->repeats);
			size_t len = strlen(r) + 3;
			cells[c] = xmalloc(len);
			snprintf(cells[c++], len, "(%s)", r);
			free(r);
			only_repeats = true;
		} else {
			cells[c++] = thousands(g->events);
		}
		cells[c++] = thousands(g->repeats);
		cells[c++] = thousands(g->recipients);
		cells[c++] = thousands(g->messages);
		cells[c++] = short_time(&g->first);
		cells[c++] = short_time(&g->last);
		const struct mxt_strmap_slot *code = mxt_strmap_top(g->codes);
		const struct mxt_strmap_slot *text = mxt_strmap_top(g->texts);
		cells[c++] = mxt_reply_cell(code, text);
		char *note = NULL;
		if (text && text->len) {
			const char *r = mxt_reply_start(text->key);
			note = mxt_escape_terminal(r, text->len -
			    (size_t)(r - text->key), 0);
		}
		table_row(&t, cells, note);
		t.warns[t.rows - 1] = warning_note(g);
		t.notes2[t.rows - 1] = trace_note(w, s,
		    mxt_trace_command_group(s, g->group));
	}
	if (top && ng > top)
		put(w, "(top %zu of %zu groups)\n", top, ng);
	free(v);
	table_print(w, &t);
	if (only_repeats)
		put_wrapped(w, "", 0, "(N): cached repeats of an earlier failure "
		    "only (suspended), no fresh attempt");
	for (size_t k = 0; k < h.cfg->nby; k++)
		free((char *)t.cols[k].title);
}

/* Causes that are not causes of their own: a repeat (suspended) follows
 * an earlier failure, an expiry ends a run of deferrals. They are listed
 * after the table, never ranked with the causes. */
static bool
aside_cause(enum mxt_cause c)
{
	return mxt_cause_is_repeat(c) || c == MXT_CAUSE_EXPIRED;
}

static void
causes(struct out *w, const struct mxt_summary *s)
{
	struct mxt_cause_row rows[MXT_CAUSE_COUNT];
	enum mxt_cause order[MXT_CAUSE_COUNT];
	size_t n = mxt_summary_causes(s, rows);
	for (size_t i = 0; i < n; i++)
		order[i] = rows[i].cause;
	heading(w, "Causes", "(what it means and the first thing to do)");
	size_t ranked = 0;
	for (size_t i = 0; i < n; i++)
		ranked += !aside_cause(order[i]);
	if (n == 0 || ranked == 0)
		put(w, "none\n");
	struct table t = {0};
	table_col(&t, "CAUSE", false, 0, true);
	table_col(&t, "KIND", false, 2, false);
	table_col(&t, "SIDE", false, 3, false);
	table_col(&t, "EVENTS", true, 0, false);
	table_col(&t, "REJECTS", true, 0, false);
	table_col(&t, "DOMAINS", true, 1, false);
	for (size_t i = 0; i < n; i++) {
		if (aside_cause(order[i]))
			continue;
		const struct mxt_cause_row *r = &rows[i];
		char *cells[MAX_COLS] = {0};
		cells[0] = xstrndup(cause_name(order[i]), strlen(cause_name(order[i])));
		const char *kind = mxt_cause_kind_name(mxt_cause_kind(order[i]));
		cells[1] = xstrndup(kind, strlen(kind));
		/* is it us or them (causes.c): said of our deliveries; a
		 * rejection we issued is our own decision */
		const char *side = r->events > 0 ?
		    mxt_cause_side_name(mxt_cause_side(order[i])) : "-";
		cells[2] = xstrndup(side, strlen(side));
		cells[3] = thousands(r->events);
		cells[4] = thousands(r->rejections);
		cells[5] = thousands(r->domains->count);
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
	if (ranked > 0)
		table_print(w, &t);
	else
		free(t.cells), free(t.notes), free(t.notes2), free(t.warns);
	for (size_t i = 0; i < n; i++) {
		enum mxt_cause c = order[i];
		const struct mxt_cause_row *r = &rows[i];
		if (!aside_cause(c) || r->events == 0)
			continue;
		char *ev = thousands(r->events), *dom = thousands(r->domains->count);
		struct mxt_buf b = {0};
		if (mxt_cause_is_repeat(c))
			mxt_buf_printf(&b, "%s cached %s of earlier failures "
			    "(%s), %s %s: not fresh attempts, the causes above "
			    "are what they repeat", ev, r->events == 1 ?
			    "repeat" : "repeats", cause_name(c), dom,
			    r->domains->count == 1 ? "domain" : "domains");
		else
			mxt_buf_printf(&b, "%s %s (%s): the queue gave up on "
			    "these recipients, %s %s; the causes above are why",
			    ev, r->events == 1 ? "expiry" : "expiries",
			    cause_name(c), dom, r->domains->count == 1 ?
			    "domain" : "domains");
		put_wrapped(w, "Also: ", 6, b.p);
		free(b.p);
		free(ev);
		free(dom);
	}
}

static void
retries(struct out *w, const struct mxt_summary *s)
{
	char a[32], b[32];
	heading(w, "Retry outcome", "(outbound recipients deferred at least once)");
	const struct mxt_summary_retries rt = mxt_summary_retries(s);
	uint64_t total = rt.deferred;
	if (total == 0) {
		put(w, "none\n");
		return;
	}
	char *tot = thousands(total), *del = thousands(rt.delivered);
	char *bou = thousands(rt.bounced), *exp = thousands(rt.expired);
	char *pen = thousands(rt.pending);
	struct mxt_buf line = {0};
	mxt_buf_printf(&line, "%s deferred: %s delivered later", tot, del);
	if (rt.ndelays > 0) {
		/* the delays are kept in fixed buckets: bounds, not values */
		bool open50, open90;
		int64_t p50 = mxt_summary_delay_percentile(s, 50, &open50);
		int64_t p90 = mxt_summary_delay_percentile(s, 90, &open90);
		mxt_buf_printf(&line, " (half within %s%s, 90%% within %s%s)",
		    open50 ? "more than " : "",
		    mxt_duration_format(p50, a, sizeof a),
		    open90 ? "more than " : "",
		    mxt_duration_format(p90, b, sizeof b));
	}
	mxt_buf_printf(&line, ", %s bounced, %s expired, %s%s still pending%s",
	    bou, exp, rt.pending ? sgr(w, "\033[33m") : "",
	    pen, rt.pending ? sgr(w, "\033[0m") : "");
	put_wrapped(w, "", 2, line.p);
	free(line.p);
	free(tot);
	free(del);
	free(bou);
	free(exp);
	free(pen);

	size_t n;
	struct mxt_pending_row *v = mxt_summary_pending(s, false, &n);
	if (n > 0) {
		heading(w, "Pending", "(still deferred at the end, oldest first)");
		/* what one acts on stays: the queue id (postqueue, exiqgrep)
		 * and the recipient; DOMAIN (in the recipient) goes first,
		 * then TRIES, then CAUSE (below 80
		 * columns) */
		struct table t = {0};
		table_col(&t, "AGE", true, 0, false);
		table_col(&t, "DOMAIN", false, 1, true);
		table_col(&t, "CAUSE", false, 3, true);
		table_col(&t, "TRIES", true, 2, false);
		table_col(&t, "QUEUE ID", false, 0, false);
		table_col(&t, "RECIPIENT", false, 0, true);
		size_t top = w->o->top;
		for (size_t i = 0; i < n && (!top || i < top); i++) {
			char *cells[MAX_COLS] = {0};
			mxt_duration_format(v[i].age, a, sizeof a);
			cells[0] = xstrndup(a, strlen(a));
			cells[1] = text_cell(v[i].domain);
			cells[2] = xstrndup(cause_name(v[i].cause),
			    strlen(cause_name(v[i].cause)));
			cells[3] = thousands(v[i].attempts);
			cells[4] = text_cell(v[i].queue_id);
			cells[5] = text_cell(v[i].recipient);
			table_row(&t, cells, NULL);
			if (w->o->show_ids)
				t.notes2[t.rows - 1] = trace_note(w, s,
				    mxt_trace_command_pending(s, v[i].retry));
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
	if (mxt_summary_header(s).events[MXT_STATUS_REJECTED] == 0) {
		put(w, "none\n");
		return;
	}
	struct mxt_client_row *v = mxt_summary_clients(s, &n);
	struct table t = {0};
	table_col(&t, "CLIENT", false, 0, true);
	table_col(&t, "NAME", false, 1, true);
	table_col(&t, "REJECTS", true, 0, false);
	table_col(&t, "TOP CAUSE", false, 0, true);
	size_t top = w->o->top;
	for (size_t i = 0; i < n && (!top || i < top); i++) {
		char *cells[MAX_COLS] = {0};
		cells[0] = text_cell(v[i].key);
		cells[1] = text_cell(v[i].name);
		cells[2] = thousands(v[i].rejections);
		cells[3] = xstrndup(cause_name(v[i].top_cause),
		    strlen(cause_name(v[i].top_cause)));
		table_row(&t, cells, NULL);
	}
	if (top && n > top)
		put(w, "(top %zu of %zu clients)\n", top, n);
	table_print(w, &t);
	free(v);
}

/* A client table of "Our side" (SASL failures, limits enforced). */
static void
local_clients(struct out *w, const struct mxt_summary *s,
    enum mxt_local_clients which, const char *title, const char *detail,
    bool with_max)
{
	size_t n;
	struct mxt_local_client_row *v = mxt_summary_local_clients(s, which,
	    &n);
	if (n == 0) {
		free(v);
		return;
	}
	heading(w, title, detail);
	struct table t = {0};
	table_col(&t, "CLIENT", false, 0, true);
	table_col(&t, "NAME", false, 2, true);
	table_col(&t, "TIMES", true, 0, false);
	if (with_max)
		table_col(&t, "MAX", true, 3, false);
	table_col(&t, "FIRST", false, 4, false);
	table_col(&t, "LAST", false, 1, false);
	size_t top = w->o->top;
	for (size_t i = 0; i < n && (!top || i < top); i++) {
		const struct mxt_local_client_row *c = &v[i];
		char *cells[MAX_COLS] = {0};
		int k = 0;
		cells[k++] = mxt_escape_terminal(c->key, c->len, 0);
		cells[k++] = text_cell(c->name);
		cells[k++] = thousands(c->count);
		if (with_max)
			cells[k++] = thousands(c->max);
		cells[k++] = short_time(&c->first);
		cells[k++] = short_time(&c->last);
		table_row(&t, cells, NULL);
	}
	if (top && n > top)
		put(w, "(top %zu of %zu clients)\n", top, n);
	table_print(w, &t);
	free(v);
}

/* The local MTA's own trouble (summary_ourside.c): complaints grouped,
 * the failures each was linked to, then SASL failures and the limits we
 * enforced by client, postscreen's verdicts and anvil's maxima. */
static void
our_side(struct out *w, const struct mxt_summary *s)
{
	const struct mxt_summary_ourside ours = mxt_summary_ourside(s);
	const struct mxt_summary_ourside *os = &ours;
	heading(w, "Our side", "(the local MTA's own warnings and limits)");
	if (os->total == 0) {
		put(w, "none\n");
		return;
	}
	size_t n;
	struct mxt_complaint_row *v = mxt_summary_complaints(s, &n);
	struct table t = {0};
	table_col(&t, "COUNT", true, 0, false);
	table_col(&t, "LEVEL", false, 3, false);
	table_col(&t, "PROCESS", false, 2, true);
	table_col(&t, "FIRST", false, 4, false);
	table_col(&t, "LAST", false, 1, false);
	table_col(&t, "LINKED", true, 0, false);
	size_t top = w->o->top;
	for (size_t i = 0; i < n && (!top || i < top); i++) {
		const struct mxt_complaint_row *c = &v[i];
		char *cells[MAX_COLS] = {0};
		cells[0] = thousands(c->count);
		const char *lv = mxt_local_level_name(c->level);
		cells[1] = xstrndup(lv, strlen(lv));
		cells[2] = text_cell(c->program ? c->program : "");
		cells[3] = short_time(&c->first);
		cells[4] = short_time(&c->last);
		cells[5] = thousands(c->explained);
		if (c->count == 0) {
			/* linked to by a failure of this --state run, logged
			 * in an earlier one: its key stands for the line */
			char *note = NULL;
			if (asprintf(&note, "(logged before this run) %.*s",
			    (int)c->len, c->key) < 0)
				note = NULL;
			table_row(&t, cells, text_cell(note ? note : ""));
			free(note);
		} else {
			table_row(&t, cells, text_cell(c->example ?
			    c->example : ""));
		}
	}
	if (top && n > top)
		put(w, "(top %zu of %zu complaints)\n", top, n);
	if (n > 0)
		table_print(w, &t);
	else
		free(t.cells), free(t.notes), free(t.notes2), free(t.warns);
	free(v);
	if (n > 0)
		put_wrapped(w, "", 0, "LINKED: later failures of the same "
		    "process (host, program, pid) it may explain");
	local_clients(w, s, MXT_LOCAL_SASL, "SASL authentication failures",
	    "(by client)", false);
	local_clients(w, s, MXT_LOCAL_RATE, "Connection limits we enforced",
	    "(anvil, by client)", true);
	struct mxt_buf b = {0};
	for (int i = 0; i < MXT_OURSIDE_ACTIONS; i++)
		if (os->postscreen[i] > 0) {
			char *c = thousands(os->postscreen[i]);
			mxt_buf_printf(&b, "%s%s %s", b.len ? ", " : "",
			    mxt_ourside_actions[i], c);
			free(c);
		}
	if (b.len > 0)
		put_wrapped(w, "postscreen: ", 2, b.p);
	b.len = 0;
	for (int i = 0; i < OURSIDE_ANVIL; i++) {
		const struct mxt_anvil_row *a = &os->anvil[i];
		if (a->client == NULL)
			continue;
		char *c = thousands(a->value), *ip = text_cell(a->client);
		mxt_buf_printf(&b, "%s%s %s (%s)", b.len ? ", " : "",
		    mxt_ourside_anvil_names[i], c, ip);
		free(c);
		free(ip);
	}
	if (b.len > 0)
		put_wrapped(w, "anvil maxima: ", 2, b.p);
	free(b.p);
	if (os->overflow > 0) {
		char *c = thousands(os->overflow);
		struct mxt_buf o = {0};
		mxt_buf_printf(&o, "%s lines past the caps (%d complaints, %d "
		    "clients) counted, not named", c, OURSIDE_COMPLAINTS_MAX,
		    OURSIDE_CLIENTS_MAX);
		put_wrapped(w, "note: ", 2, o.p);
		free(o.p);
		free(c);
	}
}

/* ---- rates and trend (summary_rates.c) ---- */

/* "58.4%", or "-" when the rate has no denominator. */
static char *
percent(double v, bool any)
{
	char buf[16];
	if (!any)
		snprintf(buf, sizeof buf, "-");
	else
		snprintf(buf, sizeof buf, "%.1f%%", 100.0 * v);
	return xstrndup(buf, strlen(buf));
}

/* The rates of domains or providers; at 80 columns the counts one can
 * do without go first (ATTEMPTS, the sum of the next four; then EXPIRED,
 * then CACHED; below 80 the other counts), the two rates stay. */
static void
rate_table(struct out *w, const struct mxt_summary *s, bool provider)
{
	size_t n;
	struct rate_entry *v = mxt_rates_sorted(s, provider, &n);
	char detail[64];
	size_t top = w->o->top;
	if (top && n > top)
		snprintf(detail, sizeof detail, "(outbound, top %zu of %zu)",
		    top, n);
	else
		snprintf(detail, sizeof detail, "(outbound)");
	heading(w, provider ? "Rates by provider" : "Rates by domain", detail);
	if (n == 0) {
		put(w, "none\n");
		free(v);
		return;
	}
	struct table t = {0};
	table_col(&t, provider ? "PROVIDER" : "DOMAIN", false, 0, true);
	table_col(&t, "ATTEMPTS", true, 1, false);
	table_col(&t, "DELIVERED", true, 6, false);
	table_col(&t, "DEFERRED", true, 5, false);
	table_col(&t, "BOUNCED", true, 4, false);
	table_col(&t, "EXPIRED", true, 2, false);
	table_col(&t, "CACHED", true, 3, false);
	table_col(&t, "DEFER%", true, 0, false);
	table_col(&t, "BOUNCE%", true, 0, false);
	for (size_t i = 0; i < n && (!top || i < top); i++) {
		const struct rate_row *r = v[i].row;
		char *cells[MAX_COLS] = {0};
		cells[0] = text_cell(v[i].key);
		cells[1] = thousands(mxt_rate_attempts(r));
		cells[2] = thousands(r->n[MXT_STATUS_DELIVERED]);
		cells[3] = thousands(r->n[MXT_STATUS_DEFERRED]);
		cells[4] = thousands(r->n[MXT_STATUS_BOUNCED]);
		cells[5] = thousands(r->n[MXT_STATUS_EXPIRED]);
		cells[6] = thousands(r->repeats);
		cells[7] = percent(mxt_rate_defer(r), mxt_rate_attempts(r) > 0);
		cells[8] = percent(mxt_rate_bounce(r),
		    r->n[MXT_STATUS_DELIVERED] + r->n[MXT_STATUS_BOUNCED] +
		    r->n[MXT_STATUS_EXPIRED] > 0);
		table_row(&t, cells, NULL);
	}
	free(v);
	table_print(w, &t);
}

/*
 * One sparkline cell per bucket: blank for none, else one of eight
 * levels of the row's peak (a bucket with any event is never blank).
 * Unicode block elements in a UTF-8 locale, ASCII otherwise.
 */
static void
put_spark(struct out *w, const uint64_t *vals, size_t n, uint64_t peak)
{
	static const char *const blocks[8] = {"\u2581", "\u2582", "\u2583",
	    "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"};
	static const char ascii[8] = {'.', ',', ':', '-', '=', '+', '*', '#'};
	while (n > 0 && vals[n - 1] == 0)
		n--; /* no blanks at the end of the line */
	for (size_t i = 0; i < n; i++) {
		if (vals[i] == 0) {
			put(w, " ");
			continue;
		}
		uint64_t lv = (vals[i] * 8 + peak - 1) / peak; /* 1..8 */
		if (w->o->utf8)
			put(w, "%s", blocks[lv - 1]);
		else
			put(w, "%c", ascii[lv - 1]);
	}
}

/* "13:00" for an hour, "11-23" for a day, in the bucket's own offset. */
static void
bucket_label(const struct tl_bucket *b, bool daily, char *out, size_t size)
{
	char buf[64];
	struct mxt_time t = {.sec = b->start, .valid = true, .utcoff = b->utcoff};
	mxt_time_format(&t, buf, sizeof buf);
	snprintf(out, size, "%.5s", daily ? buf + 5 : buf + 11);
}

/*
 * The timeline: one row per status with events, its total, its busiest
 * bucket and a sparkline of every bucket in time order (empty ones
 * blank), with the first and last bucket's labels under it. Buckets that
 * do not fit the width: the latest are shown, and the heading says so.
 */
static void
timeline(struct out *w, const struct mxt_summary *s)
{
	size_t n;
	bool daily;
	struct tl_bucket *v = mxt_timeline_view(s, &n, &daily);
	static const char *const rows[] = {"delivered", "deferred", "bounced",
	    "expired", "rejected", "cached"};
	enum { NROWS = sizeof rows / sizeof rows[0] };
	uint64_t total[NROWS] = {0}, peak[NROWS] = {0};
	for (size_t i = 0; i < n; i++)
		for (int r = 0; r < NROWS; r++) {
			uint64_t x = r < MXT_STATUS_COUNT ? v[i].n[r] : v[i].repeats;
			total[r] += x;
			if (x > peak[r])
				peak[r] = x;
		}
	int tw = 5, pw = 4; /* TOTAL, PEAK */
	for (int r = 0; r < NROWS; r++) {
		char *a = thousands(total[r]), *b = thousands(peak[r]);
		if ((int)strlen(a) > tw)
			tw = (int)strlen(a);
		if ((int)strlen(b) > pw)
			pw = (int)strlen(b);
		free(a);
		free(b);
	}
	int lead = 9 + 2 + tw + 2 + pw + 2;
	int room = width_of(w) - lead;
	size_t from = 0;
	if (room < 1)
		room = 1;
	if (n > (size_t)room)
		from = n - (size_t)room;
	char detail[96];
	const char *unit = daily ? "daily" : "hourly";
	if (from > 0)
		snprintf(detail, sizeof detail, "(%s, the last %zu of %zu %s)",
		    unit, n - from, n, daily ? "days" : "hours");
	else
		snprintf(detail, sizeof detail, "(%s, cached repeats apart)", unit);
	heading(w, "Timeline", detail);
	if (n == 0) {
		put(w, "none\n");
		free(v);
		return;
	}
	uint64_t *vals = xcalloc(n, sizeof *vals);
	put(w, "%s%-9s  %*s  %*s  %s%s\n", sgr(w, "\033[1m"), "STATUS", tw,
	    "TOTAL", pw, "PEAK", "TREND", sgr(w, "\033[0m"));
	for (int r = 0; r < NROWS; r++) {
		if (total[r] == 0)
			continue;
		for (size_t i = 0; i < n; i++)
			vals[i] = r < MXT_STATUS_COUNT ? v[i].n[r] : v[i].repeats;
		char *a = thousands(total[r]), *b = thousands(peak[r]);
		put(w, "%-9s  %*s  %*s", rows[r], tw, a, pw, b);
		bool shown = false;
		for (size_t i = from; i < n; i++)
			shown |= vals[i] > 0;
		if (shown) {
			put(w, "  ");
			put_spark(w, vals + from, n - from, peak[r]);
		}
		put(w, "\n");
		free(a);
		free(b);
	}
	/* the axis: the first bucket's label, the last one's at the end */
	char first[16], last[16];
	bucket_label(&v[from], daily, first, sizeof first);
	bucket_label(&v[n - 1], daily, last, sizeof last);
	int span = (int)(n - from);
	put(w, "%*s%s", lead, "", first);
	if (n - from > 1 && span >= (int)strlen(first) + 1 + (int)strlen(last))
		put(w, "%*s", span - (int)strlen(first), last);
	put(w, "\n");
	free(vals);
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
	our_side(&w, s);
	rate_table(&w, s, true);
	rate_table(&w, s, false);
	timeline(&w, s);
	return w.rc;
}
