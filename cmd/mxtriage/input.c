/*
 * input.c - the input side every log-reading subcommand shares: the
 * --year/--syslog-name/--mta/--host/--show-unparsed options, running the
 * pass over the files, and telling the user on stderr about anything that was not read
 * or not understood. Nothing is dropped in silence.
 *
 * Live input: before a pipe is read again (it may block), the command's
 * on_idle flushes what it wrote, so `tail -F log | mxtriage events` shows
 * each event as its line arrives while a pipe that keeps up pays no flush
 * per line; a signal ends the wait at once. --follow reads the files as
 * tail -F (lib/follow.c) until SIGINT or SIGTERM; --state continues where
 * the last run stopped (lib/state.c). On a terminal a progress line on
 * stderr says how far a long run is.
 */
#include "cli.h"
#include "parallel.h"

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
	case OPT_FOLLOW:
		in->follow = true;
		return 1;
	case OPT_INTERVAL: {
		errno = 0;
		double v = strtod(arg, &end);
		if (errno || end == arg || *end != '\0' || !(v >= 0.1) ||
		    v > 86400) {
			warnx("--interval: '%s' is not a number of seconds "
			    "(0.1 to 86400)", arg);
			return -1;
		}
		in->interval = v;
		return 1;
	}
	case OPT_STATE:
		if (*arg == '\0') {
			warnx("--state: the file name is empty");
			return -1;
		}
		in->state_path = arg;
		return 1;
	case OPT_QUIET:
		in->quiet = true;
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
	if (st->lines == 0 && st->inputs_failed < (uint64_t)ninputs &&
	    in->state_path == NULL) /* --state: nothing new is no news */
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
	if (st->attempts_overflow > 0 || st->attempts_dropped > 0)
		warnx("earlier MX replies not kept: %llu delivery attempts "
		    "forgotten at the cap of %d waiting, %llu replies past "
		    "%d per attempt",
		    (unsigned long long)st->attempts_overflow,
		    MXT_ATTEMPTS_PENDING_MAX,
		    (unsigned long long)st->attempts_dropped, MXT_ATTEMPTS_MAX);
}

bool
cli_jobs_debug(void)
{
	const char *dbg = getenv("MXTRIAGE_JOBS_DEBUG");
	return dbg != NULL && *dbg == '1';
}

unsigned
cli_jobs(const char *value)
{
	char *end;
	long n = strtol(value, &end, 10);
	if (*value == '\0' || *end != '\0' || n < 1 || n > 256) {
		warnx("--jobs: '%s' is not a number of threads (1-256)", value);
		return 0;
	}
	return (unsigned)n;
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

/* ---- live input: waiting, following, the state ---------------------- */

#define DEFAULT_INTERVAL 10.0 /* seconds between refreshes */
#define FOLLOW_POLL_MS 200    /* how often followed files are looked at */

static double
monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double last_refresh; /* monotonic time of the last refresh */

/* Nothing new for now: the command flushes, and refreshes its report
 * once per interval. */
static void progress_draw(struct cli_progress *pg,
    const struct mxt_stats *st);

static void
idle(struct cli_input *in)
{
	if (in->pass == NULL)
		return; /* the threads of --jobs read plain files only */
	if (in->progress != NULL)
		progress_draw(in->progress, mxt_pass_stats(in->pass));
	if (in->on_idle == NULL)
		return;
	double now = monotonic(), every = in->interval > 0 ? in->interval :
	    DEFAULT_INTERVAL;
	bool refresh = now - last_refresh >= every;
	if (refresh)
		last_refresh = now;
	/* the summary is the caller's again for a refresh (not before each
	 * wait of a pipe: the two threads would take turns) */
	if (in->pipe != NULL && refresh)
		mxt_event_pipe_sync(in->pipe);
	in->on_idle(in->idle_arg, mxt_pass_stats(in->pass), refresh);
}

/* The pass's on_wait: before a pipe is read, flush when it has nothing
 * to read now, then wait for it (idle every interval) or for a signal,
 * which ends the input at once. */
static int
on_wait(void *arg, int fd)
{
	struct cli_input *in = arg;
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	if (poll(&pfd, 1, 0) > 0)
		return 0;
	idle(in);
	for (;;) {
		if (cli_stop)
			return 1;
		int r = poll(&pfd, 1, FOLLOW_POLL_MS * 5);
		if (r > 0 || (r < 0 && errno != EINTR))
			return 0;
		if (r == 0)
			idle(in);
	}
}

/* Sleeps ms milliseconds, or less when a signal comes. */
static void
nap(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000,
	    .tv_nsec = (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void
on_tail_notice(void *arg, const char *path, const char *text, bool lost)
{
	(void)arg;
	(void)lost;
	warnx("%s: %s", path, text);
}

/* The progress line (stderr is a terminal, not --quiet, not --follow):
 * bytes and lines read, MB/s and, when the inputs are plain files of a
 * known size, the time left. Drawn from the event callback at most four
 * times a second, after the first second; cleared at the end. */
struct cli_progress {
	double start, last;
	uint64_t total;   /* bytes of the inputs; 0 = unknown */
	unsigned calls;
	bool drawn;
};

static void
progress_draw(struct cli_progress *pg, const struct mxt_stats *st)
{
	double now = monotonic();
	if (now - pg->start < 1.0 || now - pg->last < 0.25)
		return;
	pg->last = now;
	double mb = (double)st->bytes / 1e6, rate = mb / (now - pg->start);
	char left[64] = "";
	if (pg->total > 0 && st->bytes <= pg->total && rate > 0) {
		double s = ((double)(pg->total - st->bytes) / 1e6) / rate;
		snprintf(left, sizeof left, " of %.1f MB, %d:%02d left",
		    (double)pg->total / 1e6, (int)s / 60, (int)s % 60);
	}
	fprintf(stderr, "\rmxtriage: %.1f MB%s, %llu lines, %.1f MB/s\033[K",
	    mb, left, (unsigned long long)st->lines, rate);
	fflush(stderr);
	pg->drawn = true;
}

/* Sits between the pass and the command's event callback. */
static void
progress_on_event(void *arg, const struct mxt_event *ev)
{
	struct cli_input *in = arg;
	if ((++in->progress->calls & 255) == 0)
		progress_draw(in->progress, mxt_pass_stats(in->pass));
	in->event_cb(in->event_cb_arg, ev);
}

/* Bytes of the inputs when every one is a plain regular file, else 0. */
static uint64_t
input_bytes(const struct mxt_inputs *list)
{
	uint64_t total = 0;
	for (size_t i = 0; i < mxt_inputs_count(list); i++) {
		const char *path = mxt_inputs_get(list, i)->path;
		struct stat st;
		unsigned char magic[2] = {0};
		FILE *fp;
		if (strcmp(path, "-") == 0 || stat(path, &st) != 0 ||
		    !S_ISREG(st.st_mode) || (fp = fopen(path, "rb")) == NULL)
			return 0;
		size_t got = fread(magic, 1, 2, fp);
		fclose(fp);
		if (got == 2 && magic[0] == 0x1f && magic[1] == 0x8b)
			return 0; /* compressed: its size is not what is read */
		total += (uint64_t)st.st_size;
	}
	return total;
}

/* --follow and --state read files by name: not directories, and --state
 * not standard input or pipes either (there is no offset to keep). */
static int
check_live_inputs(const struct cli_input *in, char **files, int nfiles)
{
	const char *opt = in->state_path ? "--state" : "--follow";
	for (int i = 0; i < nfiles; i++) {
		struct stat st;
		bool is_stdin = strcmp(files[i], "-") == 0;
		if (!is_stdin && stat(files[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			warnx("%s: %s is a directory; name the log files to "
			    "%s", opt, files[i], in->state_path ? "continue" :
			    "follow");
			return -1;
		}
		if (in->state_path && (is_stdin || (stat(files[i], &st) == 0 &&
		    !S_ISREG(st.st_mode)))) {
			warnx("--state: %s is not a file; --state continues log "
			    "files named on the command line", is_stdin ?
			    "standard input" : files[i]);
			return -1;
		}
	}
	if (in->state_path && nfiles == 0) {
		warnx("--state: name the log files to continue (standard "
		    "input has no place to continue from)");
		return -1;
	}
	return 0;
}

/* Reads the inputs as tails (--follow, --state): each regular file from
 * where the state says, pipes once through; with --follow, on until a
 * signal. Returns the status. */
static int
read_live(struct cli_input *in, struct mxt_pass *p,
    const struct mxt_inputs *list, const struct mxt_state *state)
{
	struct mxt_tail_config tcfg = {.on_notice = on_tail_notice,
	    .wait = in->follow};
	size_t n = mxt_inputs_count(list);
	struct mxt_tail **tails = calloc(n + 1, sizeof *tails);
	int status = MXT_EXIT_OK;
	if (tails == NULL)
		err(MXT_EXIT_INPUT, NULL);
	for (size_t i = 0; i < n && !cli_stop; i++) {
		const struct mxt_input *it = mxt_inputs_get(list, i);
		struct mxt_error e;
		if (it->fixed) {
			/* a pipe: read through, flushed as it waits */
			if (mxt_pass_read(p, it->path, &e) < 0) {
				warnx("%s: %s", e.source, e.text);
				status = MXT_EXIT_INPUT;
			}
			continue;
		}
		const struct mxt_position *from = state ?
		    mxt_state_position(state, it->path) : NULL;
		tails[i] = mxt_tail_open(it->path, from, &tcfg, &e);
		if (tails[i] == NULL || mxt_tail_read(p, tails[i], in->follow,
		    &e) < 0) {
			warnx("%s: %s", e.source, e.text);
			status = MXT_EXIT_INPUT;
			mxt_tail_close(tails[i]);
			tails[i] = NULL;
		}
	}
	while (in->follow && !cli_stop) {
		long got = 0;
		for (size_t i = 0; i < n && !cli_stop; i++) {
			struct mxt_error e;
			long k;
			if (tails[i] == NULL)
				continue;
			if ((k = mxt_tail_read(p, tails[i], true, &e)) < 0) {
				warnx("%s: %s", e.source, e.text);
				status = MXT_EXIT_INPUT;
				mxt_tail_close(tails[i]);
				tails[i] = NULL;
				continue;
			}
			got += k;
		}
		if (got == 0 && !cli_stop) {
			idle(in);
			nap(FOLLOW_POLL_MS);
		}
	}
	/* where each file was left, for the state */
	in->positions = calloc(n + 1, sizeof *in->positions);
	if (in->positions == NULL)
		err(MXT_EXIT_INPUT, NULL);
	for (size_t i = 0; i < n; i++) {
		struct mxt_position *pos = &in->positions[in->npositions];
		const struct mxt_position *old = state ? mxt_state_position(state,
		    mxt_inputs_get(list, i)->path) : NULL;
		if (tails[i] == NULL) {
			/* not read this time (an error was said): kept where
			 * it was, not read again from its start next time */
			if (old != NULL) {
				*pos = *old;
				if ((pos->path = strdup(old->path)) == NULL)
					err(MXT_EXIT_INPUT, NULL);
				in->npositions++;
			}
			continue;
		}
		if (mxt_tail_position(tails[i], pos) == 0) {
			pos->path = strdup(pos->path);
			if (pos->path == NULL)
				err(MXT_EXIT_INPUT, NULL);
			in->npositions++;
		}
		mxt_tail_close(tails[i]);
	}
	free(tails);
	return status;
}

int
cli_state_save(struct cli_input *in)
{
	struct mxt_error e;
	if (in->state_path == NULL || in->pass == NULL)
		return MXT_EXIT_OK;
	if (mxt_state_save(in->state_path, in->pass, in->state,
	    in->positions, in->npositions, &e) < 0) {
		warnx("%s: %s", e.source, e.text);
		return MXT_EXIT_WRITE;
	}
	return MXT_EXIT_OK;
}

/* mxt_parallel_replay: what one pass tells while it reads. */
static void
replay_begin(void *arg, size_t i)
{
	struct cli_input *in = arg;
	in->warn_between = in->keep_order || in->fixed[i] ||
	    (i > 0 && in->fixed[i - 1]);
}

static void
replay_error(void *arg, size_t i, const struct mxt_error *e)
{
	(void)arg;
	(void)i;
	if (e->line > 0 || e->column > 0)
		warnx("%s: %s, after line %ld (byte %ld of the file); the lines "
		    "before it were read", e->source, e->text, e->line,
		    e->column);
	else
		warnx("%s: %s", e->source, e->text);
}

/*
 * The report on in->jobs threads (lib/parallel.c), or NULL when one pass
 * must read the inputs (MXTRIAGE_JOBS_DEBUG=1 says why on stderr).
 */
static struct mxt_parallel *
run_parallel(struct cli_input *in, const struct mxt_pass_config *cfg,
    const struct mxt_inputs *list, int *status)
{
	size_t n = mxt_inputs_count(list);
	const char **paths = calloc(n + 1, sizeof *paths);
	struct mxt_classifier **cls = calloc(in->jobs, sizeof *cls);
	in->fixed = calloc(n + 1, sizeof *in->fixed);
	if (paths == NULL || cls == NULL || in->fixed == NULL)
		err(MXT_EXIT_INPUT, NULL);
	for (size_t i = 0; i < n; i++) {
		paths[i] = mxt_inputs_get(list, i)->path;
		in->fixed[i] = mxt_inputs_get(list, i)->fixed;
	}
	struct mxt_parallel_config pc = {
		.pass = *cfg,
		.summary = *in->summary,
		.classifiers = cls,
		.jobs = in->jobs,
		.keep_unparsed = in->unparsed_fp != NULL,
	};
	cls[0] = cfg->classifier;
	for (unsigned t = 1; t < in->jobs; t++)
		if ((cls[t] = cli_classifier(in->rules)) == NULL)
			err(MXT_EXIT_USAGE, "--rules");
	const char *why = NULL;
	struct mxt_parallel *r = mxt_parallel_run(&pc, paths, n, &why);
	if (cli_jobs_debug())
		fprintf(stderr, "mxtriage: jobs: %s\n", r != NULL ? "threads" :
		    why);
	for (unsigned t = 1; t < in->jobs; t++)
		mxt_classifier_destroy(cls[t]);
	free(cls);
	free(paths);
	if (r != NULL) {
		struct mxt_parallel_replay cb = {
			.arg = in,
			.input_begin = replay_begin,
			.on_unparsed = on_unparsed,
			.on_time_jump = on_time_jump,
			.on_error = replay_error,
		};
		mxt_parallel_replay(r, &cb);
		if (mxt_parallel_stats(r)->inputs_failed > 0)
			*status = MXT_EXIT_INPUT;
		in->merged = mxt_parallel_summary(r);
		in->in_window = mxt_parallel_in_window(r);
	}
	free(in->fixed);
	in->fixed = NULL;
	return r;
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
	cfg->on_wait = on_wait;
	cfg->wait_arg = in;
	bool live = in->follow || in->state_path != NULL;
	if (live && check_live_inputs(in, files, nfiles) < 0) {
		if (in->unparsed_path != NULL)
			cli_output_close(&unparsed, false);
		return MXT_EXIT_USAGE;
	}
	struct mxt_state *state = NULL;
	if (in->state_path != NULL) {
		struct mxt_error e;
		if ((state = mxt_state_load(in->state_path, &e)) == NULL) {
			if (e.line > 0)
				warnx("--state %s:%ld:%ld: %s", e.source, e.line,
				    e.column, e.text);
			else
				warnx("--state %s: %s", e.source, e.text);
			if (in->unparsed_path != NULL)
				cli_output_close(&unparsed, false);
			return MXT_EXIT_USAGE;
		}
	}
	struct cli_progress progress = {.start = monotonic()};
	bool show_progress = !in->quiet && !in->follow &&
	    isatty(STDERR_FILENO);

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
	struct mxt_parallel *par = NULL;
	/* more than one thread: one compressed input decompresses on a
	 * thread of its own (one pass; threads with cores to spare) */
	if (in->jobs > 1)
		cfg->read_ahead = true;
	if (in->jobs > 1 && in->summary != NULL && !live && !in->journal)
		par = run_parallel(in, cfg, list, &status);
	struct mxt_pass *p = NULL;
	if (par == NULL && in->jobs > 1 && in->summary != NULL) {
		/* one pass: the summary (and the classifier) on a second
		 * thread; its callbacks are the caller's again at each idle
		 * and at the end */
		in->pipe = mxt_event_pipe_wire(cfg);
		if (cli_jobs_debug())
			fprintf(stderr, "mxtriage: jobs: %s\n", in->pipe != NULL ?
			    "one pass, the summary on a thread of its own" :
			    "one pass, one thread");
	}
	if (par == NULL) {
		/* the progress line is drawn by one pass (not the threads') */
		if (show_progress) {
			progress.total = input_bytes(list);
			in->event_cb = cfg->on_event;
			in->event_cb_arg = cfg->event_arg;
			in->progress = &progress;
			cfg->on_event = progress_on_event;
			cfg->event_arg = in;
		}
		p = mxt_pass_create(cfg);
	}
	in->pass = p;
	if (state != NULL) {
		struct mxt_error e;
		if (mxt_state_restore(state, p, &e) < 0) {
			warnx("--state %s: %s", in->state_path, e.text);
			mxt_state_destroy(state);
			mxt_inputs_destroy(list);
			mxt_pass_destroy(p);
			in->pass = NULL;
			in->progress = NULL;
			if (in->unparsed_path != NULL)
				cli_output_close(&unparsed, false);
			return MXT_EXIT_USAGE;
		}
	}
	size_t njournal = 0;
	if (in->journal) {
		/* the journal seeks to the window; the report still cuts it */
		const struct mxt_filter *w = in->window;
		struct mxt_error e;
		struct mxt_reader *r = mxt_reader_open_journal(in->journal_path,
		    w != NULL && w->has_since, w != NULL ? w->since : 0,
		    w != NULL && w->has_until, w != NULL ? w->until : 0, &e);
		if (mxt_inputs_count(list) == 0 && !live)
			mxt_pass_final_input(p);
		if (r == NULL || mxt_pass_read_reader(p, r, &e) < 0) {
			warnx("%s: %s", e.source, e.text);
			status = MXT_EXIT_INPUT;
		}
		mxt_reader_close(r);
		njournal = 1;
	}
	if (live)
		status = cli_worst(status, read_live(in, p, list, state));
	in->state = state; /* its totals go on, for cli_state_save */
	for (size_t i = 0; p != NULL && i < mxt_inputs_count(list) &&
	    !cli_stop && !live; i++) {
		const struct mxt_input *it = mxt_inputs_get(list, i);
		struct mxt_error e;
		/* time running back between inputs is the order's fault only
		 * where mxtriage did not choose the order */
		in->warn_between = in->keep_order || it->fixed ||
		    (i > 0 && mxt_inputs_get(list, i - 1)->fixed);
		if (i + 1 == mxt_inputs_count(list))
			mxt_pass_final_input(p);
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
	if (p != NULL)
		mxt_pass_finish(p);
	if (in->pipe != NULL)
		mxt_event_pipe_sync(in->pipe);
	if (progress.drawn) {
		fputs("\r\033[K", stderr); /* the progress line goes */
		fflush(stderr);
	}

	size_t nspans;
	const struct mxt_input_span *spans = p != NULL ?
	    mxt_pass_inputs(p, &nspans) : mxt_parallel_spans(par, &nspans);
	const struct mxt_stats *st = p != NULL ? mxt_pass_stats(p) :
	    mxt_parallel_stats(par);
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
		report_anomalies(in, st, (int)ninputs);
	if (stats != NULL)
		*stats = *st;
	/* the pass is kept for cli_state_save */
	if (in->state_path == NULL) {
		mxt_pass_destroy(p);
		in->pass = NULL;
	}
	in->progress = NULL;
	mxt_parallel_destroy(par);
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
	mxt_pass_destroy(in->pass);
	in->pass = NULL;
	mxt_event_pipe_destroy(in->pipe);
	in->pipe = NULL;
	mxt_state_destroy(in->state);
	in->state = NULL;
	for (size_t i = 0; i < in->npositions; i++)
		free((char *)in->positions[i].path);
	free(in->positions);
	in->positions = NULL;
	in->npositions = 0;
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
