/*
 * input.c - the input side every log-reading subcommand shares: the
 * --year/--syslog-name/--mta/--host/--show-unparsed options, running the
 * pass over the files, and telling the user on stderr about anything that was not read
 * or not understood. Nothing is dropped in silence.
 */
#include "cli.h"

#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int
cli_input_option(struct cli_input *in, int opt, const char *arg)
{
	char *end;
	switch (opt) {
	case OPT_YEAR:
		errno = 0;
		long y = strtol(arg, &end, 10);
		if (errno || *end != '\0' || y < 1970 || y > 9999) {
			warnx("--year: '%s' is not a year (1970-9999)", arg);
			return -1;
		}
		in->year = (int)y;
		return 1;
	case OPT_SYSLOG_NAME:
		if (*arg == '\0' || strchr(arg, '/') != NULL) {
			warnx("--syslog-name: '%s' is not a syslog name "
			    "(like 'postfix' or 'postfix-out')", arg);
			return -1;
		}
		in->syslog_name = arg;
		return 1;
	case OPT_MTA:
		for (int m = 0; m < MXT_MTA_COUNT; m++)
			if (strcmp(arg, mxt_mta_name(m)) == 0) {
				in->mtas = 1u << m;
				return 1;
			}
		warnx("--mta: '%s' is not postfix or exim", arg);
		return -1;
	case OPT_HOST:
		/* a syslog host name is one token: no spaces, no controls */
		for (const char *c = arg; *c != '\0'; c++)
			if ((unsigned char)*c <= ' ' || *c == 0x7f) {
				warnx("--host: '%s' is not a host name", arg);
				return -1;
			}
		if (*arg == '\0') {
			warnx("--host: the host name is empty");
			return -1;
		}
		in->host = arg;
		return 1;
	case OPT_SHOW_UNPARSED:
		in->unparsed_path = arg ? arg : "-";
		return 1;
	case OPT_KEEP_ORDER:
		in->keep_order = true;
		return 1;
	case OPT_JOURNAL:
		in->journal = true;
		in->journal_path = arg;
		return 1;
	}
	return 0;
}

/* Writes the line through mxt_escape_terminal, so a listed line can
 * neither drive the terminal nor reorder what is shown. */
static void
put_escaped(FILE *fp, const char *s, size_t len)
{
	char *e = mxt_escape_terminal(s, len, MXT_ESCAPE_BACKSLASH);
	fputs(e, fp);
	free(e);
}

static void
on_unparsed(void *arg, const char *source, long line_no, const char *reason,
    const char *line, size_t len)
{
	struct cli_input *in = arg;
	if (in->unparsed_fp == NULL)
		return;
	fprintf(in->unparsed_fp, "%s:%ld: %s: ", source, line_no, reason);
	put_escaped(in->unparsed_fp, line, len);
	putc('\n', in->unparsed_fp);
}

/* A time of the window in the local zone, ISO 8601. */
static char *
local_time(int64_t sec, char *buf, size_t size)
{
	time_t t = (time_t)sec;
	struct tm tm;
	struct mxt_time mt = {.sec = sec, .valid = true};
	if (localtime_r(&t, &tm) != NULL)
		mt.utcoff = (int32_t)tm.tm_gmtoff;
	return mxt_time_format(&mt, buf, size);
}

/* A duration as "2d03h", "1h02m03s", "7m40s" or "45s". */
static char *
duration(int64_t s, char *buf, size_t size)
{
	if (s >= 86400)
		snprintf(buf, size, "%lldd%02lldh", (long long)(s / 86400),
		    (long long)(s / 3600 % 24));
	else if (s >= 3600)
		snprintf(buf, size, "%lldh%02lldm%02llds", (long long)(s / 3600),
		    (long long)(s / 60 % 60), (long long)(s % 60));
	else if (s >= 60)
		snprintf(buf, size, "%lldm%02llds", (long long)(s / 60),
		    (long long)(s % 60));
	else
		snprintf(buf, size, "%llds", (long long)s);
	return buf;
}

static void
on_time_jump(void *arg, const struct mxt_time_jump *j)
{
	const struct cli_input *in = arg;
	char t[48], latest[48], d[32];

	mxt_time_format(&j->time, t, sizeof t);
	mxt_time_format(&j->latest, latest, sizeof latest);
	duration(j->latest.sec - j->time.sec, d, sizeof d);
	if (!j->between_inputs)
		warnx("%s:%ld: time goes back %s, to %s after %s; the lines "
		    "are out of order (told once per input)", j->source,
		    j->line_no, d, t, latest);
	else if (in->warn_between)
		warnx("%s starts at %s, %s before the end of %s (%s): time "
		    "runs backwards between the inputs; give them oldest "
		    "first%s", j->source, t, d, j->latest_source, latest,
		    in->keep_order ? ", or leave out --keep-order" : "");
}

static void
on_input_problem(void *arg, const char *path, const char *text, bool failed)
{
	(void)arg;
	(void)failed;
	warnx("%s: %s", path, text);
}

/* Tells which parts of the window no input covers. */
static void
report_gaps(const struct cli_input *in)
{
	/* an end cut at now is said as "now": the window goes on */
	bool cut_at_now = !in->window->has_until || in->window->until > in->now;
	for (size_t i = 0; i < in->ngaps; i++) {
		const struct mxt_gap *g = &in->gaps[i];
		char a[48], b[48], edge[48], edge2[48], why[640];
		local_time(g->start, a, sizeof a);
		if (cut_at_now && g->end == in->now)
			snprintf(b, sizeof b, "now");
		else
			local_time(g->end, b, sizeof b);
		switch (g->kind) {
		case MXT_GAP_BEFORE:
			snprintf(why, sizeof why, "the inputs start at %s, in %s",
			    local_time(g->hole_end, edge, sizeof edge), g->after);
			break;
		case MXT_GAP_BETWEEN:
			snprintf(why, sizeof why, "%s ends at %s, %s starts at %s",
			    g->before, local_time(g->hole_start, edge,
			    sizeof edge), g->after, local_time(g->hole_end,
			    edge2, sizeof edge2));
			break;
		case MXT_GAP_AFTER:
			snprintf(why, sizeof why, "the inputs end at %s, in %s",
			    local_time(g->hole_start, edge, sizeof edge),
			    g->before);
			break;
		default:
			snprintf(why, sizeof why, "no input has a mail log line");
			break;
		}
		warnx("no log data for %s .. %s of the window (%s)", a, b, why);
	}
}

static void
report_anomalies(const struct cli_input *in, const struct mxt_stats *st,
    int ninputs)
{
	uint64_t recognised = 0;
	for (int m = 0; m < MXT_MTA_COUNT; m++)
		recognised += st->lines_mta[m];
	/* An empty input gives an all-zero report that looks like a quiet
	 * day; say it (inputs that failed were named already). */
	if (st->lines == 0 && st->inputs_failed < (uint64_t)ninputs)
		warnx("no line was read: %s", ninputs == 1 ? "the input is empty" :
		    st->inputs_failed ? "the inputs that could be read are empty" :
		    "the inputs are empty");
	if (st->lines > 0 && recognised == 0)
		warnx("read %llu lines but none was a Postfix or Exim log "
		    "line; expected syslog lines like 'Nov 23 10:00:01 host "
		    "postfix/smtp[123]: ...' or Exim's main log",
		    (unsigned long long)st->lines);
	if (st->unparsed > 0 && in->unparsed_path == NULL)
		warnx("%llu mail log %s not understood; list %s with "
		    "--show-unparsed", (unsigned long long)st->unparsed,
		    st->unparsed == 1 ? "line was" : "lines were",
		    st->unparsed == 1 ? "it" : "them");
	if (st->lines_truncated > 0)
		warnx("%llu %s longer than %d bytes %s cut at that length",
		    (unsigned long long)st->lines_truncated,
		    st->lines_truncated == 1 ? "line" : "lines", MXT_LINE_MAX,
		    st->lines_truncated == 1 ? "was" : "were");
	if (st->track_overflow > 0)
		warnx("%llu messages in flight were forgotten at the tracking "
		    "cap; senders of their later lines are unknown",
		    (unsigned long long)st->track_overflow);
}

int
cli_table_or_json(const char *command, const char *value, bool *json)
{
	if (strcmp(value, "json") == 0 || strcmp(value, "table") == 0) {
		*json = value[0] == 'j';
		return 0;
	}
	warnx("--format: '%s' is not %s %s format (table, json)", value,
	    command[0] == 'e' ? "an" : "a", command);
	return -1;
}

/* A warning of the classifier (a pattern that gave up on a text). */
static void
on_classifier_warning(void *arg, const struct mxt_error *e)
{
	(void)arg;
	if (e->line > 0)
		warnx("%s:%ld:%ld: %s", e->source, e->line, e->column, e->text);
	else
		warnx("%s: %s", e->source, e->text);
}

struct mxt_classifier *
cli_classifier(const char *rules_path)
{
	struct mxt_error e;
	struct mxt_classifier *c = mxt_classifier_create(rules_path, &e);
	if (c != NULL)
		mxt_classifier_set_warning(c, on_classifier_warning, NULL);
	if (c == NULL) {
		/* the message may quote the file: escaped like log text */
		const char *name = e.source[0] ? e.source : rules_path;
		char *src = mxt_escape_terminal(name, strlen(name), 0);
		char *text = mxt_escape_terminal(e.text, strlen(e.text), 0);
		if (e.line > 0)
			warnx("%s:%ld:%ld: %s", src, e.line, e.column, text);
		else
			warnx("%s: %s", src, text);
		free(src);
		free(text);
	}
	return c;
}

int
cli_check_outputs(const struct cli_input *in, const char *output,
    char *const *files, int nfiles)
{
	if (cli_output_check("--output", output, files, nfiles) < 0 ||
	    cli_output_check("--show-unparsed", in->unparsed_path, files,
	    nfiles) < 0)
		return -1;
	return 0;
}

int
cli_run_pass(struct cli_input *in, struct mxt_pass_config *cfg, char **files,
    int nfiles, struct mxt_stats *stats)
{
	static char *stdin_only[] = {"-"};
	struct cli_output unparsed = {0};
	int status = MXT_EXIT_OK;

	if (in->unparsed_path != NULL) {
		if (cli_output_open(&unparsed, in->unparsed_path, stderr) < 0)
			return MXT_EXIT_WRITE;
		in->unparsed_fp = unparsed.fp;
	}
	cfg->year = in->year;
	cfg->syslog_name = in->syslog_name;
	cfg->mtas = in->mtas;
	cfg->default_host = in->host;
	cfg->on_unparsed = on_unparsed;
	cfg->unparsed_arg = in;
	cfg->stop = &cli_stop;
	cfg->on_time_jump = on_time_jump;
	cfg->time_jump_arg = in;
	struct mxt_pass *p = mxt_pass_create(cfg);

	size_t njournal = 0;
	if (in->journal) {
		/* the journal seeks to the window; the report still cuts it */
		const struct mxt_filter *w = in->window;
		struct mxt_error e;
		struct mxt_reader *r = mxt_reader_open_journal(in->journal_path,
		    w != NULL && w->has_since, w != NULL ? w->since : 0,
		    w != NULL && w->has_until, w != NULL ? w->until : 0, &e);
		if (r == NULL || mxt_pass_read_reader(p, r, &e) < 0) {
			warnx("%s: %s", e.source, e.text);
			status = MXT_EXIT_INPUT;
		}
		mxt_reader_close(r);
		njournal = 1;
	}
	if (nfiles == 0 && in->journal) {
		files = NULL; /* the journal alone */
	} else if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	struct mxt_inputs_config icfg = {
		.year = in->year,
		.keep_order = in->keep_order,
		.on_problem = on_input_problem,
	};
	struct mxt_inputs *list = mxt_inputs_create((const char *const *)files,
	    (size_t)nfiles, &icfg);
	if (mxt_inputs_failed(list) > 0)
		status = MXT_EXIT_INPUT;
	for (size_t i = 0; i < mxt_inputs_count(list) && !cli_stop; i++) {
		const struct mxt_input *it = mxt_inputs_get(list, i);
		struct mxt_error e;
		/* time running back between inputs is the order's fault only
		 * where mxtriage did not choose the order */
		in->warn_between = in->keep_order || it->fixed ||
		    (i > 0 && mxt_inputs_get(list, i - 1)->fixed);
		if (mxt_pass_read(p, it->path, &e) < 0) {
			if (e.line > 0 || e.column > 0)
				warnx("%s: %s, after line %ld (byte %ld of the "
				    "file); the lines before it were read",
				    e.source, e.text, e.line, e.column);
			else
				warnx("%s: %s", e.source, e.text);
			status = MXT_EXIT_INPUT;
		}
	}
	size_t ninputs = mxt_inputs_count(list) + njournal;
	mxt_inputs_destroy(list);
	mxt_pass_finish(p);

	size_t nspans;
	const struct mxt_input_span *spans = mxt_pass_inputs(p, &nspans);
	in->spans = mxt_input_spans_copy(spans, nspans);
	in->nspans = nspans;
	/* A run stopped early says so itself; its counts are partial. */
	if (in->window != NULL && !cli_stop) {
		in->ngaps = mxt_coverage_gaps(in->spans, nspans, in->window,
		    in->now, NULL, 0);
		in->gaps = calloc(in->ngaps ? in->ngaps : 1, sizeof *in->gaps);
		if (in->gaps == NULL)
			err(MXT_EXIT_INPUT, NULL);
		mxt_coverage_gaps(in->spans, nspans, in->window, in->now,
		    in->gaps, in->ngaps);
		report_gaps(in);
	}
	if (!cli_stop)
		report_anomalies(in, mxt_pass_stats(p), (int)ninputs);
	if (stats != NULL)
		*stats = *mxt_pass_stats(p);
	mxt_pass_destroy(p);
	if (in->unparsed_path != NULL) {
		in->unparsed_fp = NULL;
		status = cli_worst(status, cli_output_close(&unparsed,
		    cli_stopped_status() == 0));
	}
	return status;
}

void
cli_input_finish(struct cli_input *in)
{
	free(in->spans);
	free(in->gaps);
	in->spans = NULL;
	in->gaps = NULL;
	in->nspans = in->ngaps = 0;
}

int
cli_worst(int a, int b)
{
	/* a signal, then a write error, an unreadable input, an alert */
	static const int order[] = {MXT_EXIT_OK, MXT_EXIT_ALERT,
	    MXT_EXIT_INPUT, MXT_EXIT_WRITE};
	int ra = a >= MXT_EXIT_SIGNAL ? 9 : 0, rb = b >= MXT_EXIT_SIGNAL ? 9 : 0;
	for (int i = 0; i < 4; i++) {
		if (order[i] == a)
			ra = i;
		if (order[i] == b)
			rb = i;
	}
	return ra >= rb ? a : b;
}
