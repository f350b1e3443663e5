/*
 * cmd_summary.c - `mxtriage [summary]`: the report, the default command;
 * and `mxtriage merge`: the same report from saved JSON summaries added
 * up (the same output options; the filters were applied when they were
 * written).
 */
#include "cli.h"
#include "parallel.h"

#include <err.h>
#include <getopt.h>
#include <langinfo.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: mxtriage [summary] [OPTIONS] [FILE...]\n"
    "\n"
    "Report deliveries, deferrals, bounces and rejections by recipient domain\n"
    "and cause, with what to do, retry outcomes and the messages still stuck.\n"
    "FILE may be compressed (gzip, bzip2, xz, zstd, lz4), or a directory (the\n"
    "mail logs in it); none or '-' reads standard input. Inputs are read\n"
    "oldest first.\n"
    "\n"
    "  -f, --format FMT        table (default), json, csv, prometheus or\n"
    "                          html (one self-contained page, SVG charts)\n"
    "      --by KEY[,KEY...]   group failures by: domain, cause, code, relay,\n"
    "                          sender, sender-domain, host, mta, direction,\n"
    "                          provider, hour, day (default domain,cause)\n"
    CLI_FILTER_USAGE
    "      --top N             rows per section (table default 20; 0 = all);\n"
    "                          prometheus: domains with series of their own\n"
    "      --fail-on COND      exit 1 when COND holds, e.g. 'deferred>100',\n"
    "                          'bounce_rate>2%', 'cause:blocklist>0',\n"
    "                          'pending_age>4h' (repeatable)\n"
    "      --rules FILE        classification rules tried before the built-in ones\n"
    "      --color WHEN        auto (default), always or never\n"
    "      --csv-raw           keep cells starting with = + - @ as they are\n"
    "      --csv-table NAME    csv: the table to write, by its JSON path:\n"
    "                          groups (default), rates.total, rates.providers,\n"
    "                          rates.domains, timeline.buckets,\n"
    "                          our_side.complaints, our_side.sasl_failures,\n"
    "                          our_side.rate_limited, our_side.anvil\n"
    "      --show-ids          table: under each group and pending recipient,\n"
    "                          the 'mxtriage trace' command of its messages\n"
    "  -o, --output FILE       write to FILE instead of standard output\n"
    "      --year YYYY         year of traditional syslog lines\n"
    "      --syslog-name NAME  only Postfix lines logged as NAME/service\n"
    "      --mta MTA           only postfix or only exim lines (default: both,\n"
    "                          recognised line by line)\n"
    "      --show-unparsed[=FILE]  list mail lines not understood (stderr)\n"
    "      --keep-order        read the inputs in the order given\n"
    "      --journal[=DIR|FILE]  read the systemd journal (or the journal files\n"
    "                          in DIR, or FILE) first; no stdin without FILEs\n"
    "  -F, --follow            follow the files as tail -F does (rotation,\n"
    "                          truncation) until SIGINT or SIGTERM, then\n"
    "                          write the report of what was read\n"
    "      --interval SECS     with --follow: rewrite -o FILE (atomically) or\n"
    "                          redraw the terminal every SECS (default 10)\n"
    "      --state FILE        continue where the run that saved FILE\n"
    "                          stopped, and save where this one stops\n"
    "      --quiet             no progress line on a terminal\n"
    "  -j, --jobs N            threads reading the inputs (default: the\n"
    "                          CPUs; 1 = one); the report is the same\n"
    "  -h, --help              show this help\n";

static const char merge_usage_text[] =
    "usage: mxtriage merge [OPTIONS] FILE.json...\n"
    "\n"
    "Add up JSON summaries written by 'mxtriage -f json' (schema\n"
    "mxtriage.summary/2: other hosts, other days, consecutive pieces of one\n"
    "log) and write the report of the whole. '-' reads one from standard input.\n"
    "\n"
    "  -f, --format FMT        table (default), json, csv, prometheus or html\n"
    "      --top N             rows per section (table default 20; 0 = all)\n"
    "      --fail-on COND      exit 1 when COND holds (as for the report)\n"
    "      --rules FILE        rules for the expiries a merge completes\n"
    "      --color WHEN        auto (default), always or never\n"
    "      --csv-raw           keep cells starting with = + - @ as they are\n"
    "      --csv-table NAME    csv: the table to write (as for the report)\n"
    "      --show-ids          table: the trace command of each row\n"
    "  -o, --output FILE       write to FILE instead of standard output\n"
    "  -h, --help              show this help\n";

enum {
	OPT_BY = OPT_FIRST_FREE, OPT_TOP, OPT_FAIL_ON, OPT_RULES, OPT_COLOR,
	OPT_SHOW_IDS, OPT_CSV_TABLE,
};

#define MAX_FAILON 16

struct summary_opts {
	struct mxt_summary_config cfg;
	enum mxt_report_format format;
	const char *output, *rules, *color;
	long top;
	bool csv_raw;
	int csv_table;   /* --csv-table (enum mxt_csv_table); -1 = not given */
	struct cli_filter window; /* the filter options */
	bool show_ids;   /* --show-ids */
	struct mxt_failon *failon[MAX_FAILON];
	size_t nfailon;
	bool by_given;   /* --by */
	long jobs;       /* --jobs; 0 = the CPUs */
	bool merge;      /* `mxtriage merge` */
	bool filtered;   /* a filter or --by was given */
};

static int
terminal_width(FILE *out)
{
	const char *c = getenv("COLUMNS");
	struct winsize ws;
	if (c && atoi(c) > 0)
		return atoi(c);
	if (out == stdout && isatty(STDOUT_FILENO) &&
	    ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

static bool
want_color(const char *when, FILE *out)
{
	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0)
		return false;
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	return out == stdout && isatty(STDOUT_FILENO) && !(nc && *nc) &&
	    !(term && strcmp(term, "dumb") == 0);
}

struct summary_ctx {
	struct mxt_summary *s;
	const struct mxt_filter *f;
	uint64_t events, in_window; /* to say when the window holds none */
	/* --follow: the report refreshed while following */
	const struct mxt_report_options *ro;
	const char *output;  /* -o FILE, or NULL */
	bool terminal;       /* standard output is a terminal */
	uint64_t refreshed_lines; /* lines read at the last refresh */
};

static void
on_event(void *arg, const struct mxt_event *ev)
{
	struct summary_ctx *c = arg;
	c->events++;
	if (mxt_filter_in_window(c->f, &ev->time))
		c->in_window++;
	mxt_summary_add(c->s, ev);
}

/* Says on stderr when the time window given holds no event: the report
 * of an empty window looks like a quiet day. */
static void
report_empty_window(const struct summary_opts *o, const struct summary_ctx *c)
{
	const struct mxt_filter *f = &o->cfg.filter;
	if (!(f->has_since || f->has_until) || c->in_window > 0)
		return;
	char window[512];
	const struct cli_filter *w = &o->window;
	if (w->day)
		snprintf(window, sizeof window, "--day %s", w->day);
	else
		snprintf(window, sizeof window, "%s%s%s%s%s",
		    w->since ? "--since " : "", w->since ? w->since : "",
		    w->since && w->until ? " " : "",
		    w->until ? "--until " : "", w->until ? w->until : "");
	warnx("no event in the window %s (%llu %s outside it)", window,
	    (unsigned long long)c->events, c->events == 1 ? "event lies" :
	    "events lie");
}

/* Says on stderr what the summary's caps left out (never on an ordinary
 * log): the report is exact about the rest. */
static void
report_overflow(const struct mxt_summary *s)
{
	struct mxt_summary_overflow ov;
	mxt_summary_overflow(s, &ov);
	if (ov.groups)
		warnx("note: %llu failures in groups past the cap of %d groups "
		    "are counted in the header and causes but not grouped",
		    (unsigned long long)ov.groups, MXT_SUMMARY_GROUPS_MAX);
	if (ov.retries)
		warnx("note: %llu deferred recipients past the cap of %d "
		    "pending were not followed to their outcome",
		    (unsigned long long)ov.retries, MXT_SUMMARY_RETRIES_MAX);
	if (ov.messages)
		warnx("note: %llu events of messages past the cap of %d in "
		    "flight were counted as messages of their own",
		    (unsigned long long)ov.messages, MXT_SUMMARY_FLIGHTS_MAX);
	if (ov.domains)
		warnx("note: %llu failures past the cap of %d domains per "
		    "cause are not in the causes' domain counts",
		    (unsigned long long)ov.domains, MXT_SUMMARY_DOMAINS_MAX);
	if (ov.received)
		warnx("note: %llu messages past the cap of %d met in progress "
		    "or not yet queued are left out of what a merge may add "
		    "to the received count", (unsigned long long)ov.received,
		    MXT_SUMMARY_RECEIVED_MAX);
}

/* --follow: once per --interval, when lines came since the last time,
 * the report of what was read so far replaces the last one: -o FILE is
 * written to a temporary file and renamed over it, a terminal is
 * cleared and redrawn. A pipe gets the final report only. */
static void
on_idle(void *arg, const struct mxt_stats *st, bool refresh)
{
	struct summary_ctx *c = arg;
	if (!refresh || c->ro == NULL || st->lines == c->refreshed_lines)
		return;
	c->refreshed_lines = st->lines;
	mxt_summary_finish(c->s, st);
	if (c->output != NULL) {
		struct cli_output o;
		if (cli_output_open(&o, c->output, stdout) < 0)
			return;
		if (mxt_report_write(c->s, c->ro, o.fp) != 0)
			cli_output_failed(&o);
		cli_output_close(&o, true);
	} else if (c->terminal) {
		fputs("\033[H\033[2J", stdout);
		mxt_report_write(c->s, c->ro, stdout);
		fflush(stdout);
	}
}

static void
on_message_end(void *arg, struct mxt_str host, struct mxt_str qid)
{
	mxt_summary_message_end(((struct summary_ctx *)arg)->s, host, qid);
}

static void
on_local(void *arg, const struct mxt_local *l)
{
	mxt_summary_add_local(((struct summary_ctx *)arg)->s, l);
}

static void
on_message_start(void *arg, struct mxt_str host, struct mxt_str qid)
{
	mxt_summary_message_start(((struct summary_ctx *)arg)->s, host, qid);
}

static void
on_received(void *arg, const struct mxt_received *r)
{
	mxt_summary_received(((struct summary_ctx *)arg)->s, r);
}

static int
parse_options(int argc, char **argv, struct summary_opts *o,
    struct cli_input *in)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"by", required_argument, NULL, OPT_BY},
		{"top", required_argument, NULL, OPT_TOP},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"rules", required_argument, NULL, OPT_RULES},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"csv-raw", no_argument, NULL, OPT_CSV_RAW},
		{"csv-table", required_argument, NULL, OPT_CSV_TABLE},
		{"jobs", required_argument, NULL, 'j'},
		{"show-ids", no_argument, NULL, OPT_SHOW_IDS},
		CLI_INPUT_LONGOPTS,
		CLI_FILTER_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	int c, r;
	char *end;

	while ((c = getopt_long(argc, argv, "f:o:hFj:", longopts, NULL)) != -1) {
		if ((r = cli_input_option(in, c, optarg)) != 0) {
			if (r < 0)
				return MXT_EXIT_USAGE;
			continue;
		}
		if ((r = cli_filter_option(&o->window, c, optarg)) != 0) {
			if (r < 0)
				return MXT_EXIT_USAGE;
			o->filtered = true;
			continue;
		}
		switch (c) {
		case 'f':
			if ((r = mxt_report_format_lookup(optarg)) < 0) {
				warnx("--format: '%s' is not a report format "
				    "(table, json, csv, prometheus, html)", optarg);
				return MXT_EXIT_USAGE;
			}
			o->format = (enum mxt_report_format)r;
			break;
		case 'o': o->output = optarg; break;
		case 'h':
			cli_print(o->merge ? merge_usage_text : usage_text);
			return -1 - cli_stdout_done();
		case OPT_BY: {
			struct mxt_error e;
			if ((r = mxt_key_list_parse(optarg, o->cfg.by, &e)) < 0) {
				warnx("--by: %s", e.text);
				return MXT_EXIT_USAGE;
			}
			o->cfg.nby = (size_t)r;
			o->by_given = true;
			break;
		}
		case OPT_TOP:
			o->top = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->top < 0) {
				warnx("--top: '%s' is not a count (0 = all)", optarg);
				return MXT_EXIT_USAGE;
			}
			break;
		case OPT_FAIL_ON: {
			struct mxt_error e;
			if (o->nfailon == MAX_FAILON) {
				warnx("--fail-on: at most %d conditions", MAX_FAILON);
				return MXT_EXIT_USAGE;
			}
			if ((o->failon[o->nfailon] = mxt_failon_parse(optarg, &e)) == NULL) {
				warnx("--fail-on: '%s': %s (at character %ld)",
				    optarg, e.text, e.column);
				return MXT_EXIT_USAGE;
			}
			o->nfailon++;
			break;
		}
		case OPT_RULES: o->rules = optarg; break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
			    strcmp(optarg, "never")) {
				warnx("--color: '%s' is not auto, always or never",
				    optarg);
				return MXT_EXIT_USAGE;
			}
			o->color = optarg;
			break;
		case OPT_CSV_RAW: o->csv_raw = true; break;
		case OPT_CSV_TABLE:
			if ((o->csv_table = mxt_report_csv_table_lookup(optarg)) < 0) {
				warnx("--csv-table: '%s' is not a table of the "
				    "report (groups, rates.total, rates.providers, "
				    "rates.domains, timeline.buckets, "
				    "our_side.complaints, our_side.sasl_failures, "
				    "our_side.rate_limited, our_side.anvil)", optarg);
				return MXT_EXIT_USAGE;
			}
			break;
		case 'j':
			if ((o->jobs = cli_jobs(optarg)) == 0)
				return MXT_EXIT_USAGE;
			break;
		case OPT_SHOW_IDS: o->show_ids = true; break;
		default:
			fputs(o->merge ? merge_usage_text : usage_text, stderr);
			return MXT_EXIT_USAGE;
		}
		if (c == OPT_BY || c == 'j' ||
		    (c >= OPT_YEAR && c < OPT_FIRST_FREE && c != OPT_CSV_RAW))
			o->filtered = true;
	}
	if (o->format == MXT_REPORT_PROMETHEUS && !o->by_given) {
		/* the series per provider and per domain come from the
		 * groups: group by those two unless told otherwise */
		o->cfg.by[0] = MXT_KEY_PROVIDER;
		o->cfg.by[1] = MXT_KEY_DOMAIN;
		o->cfg.nby = 2;
	}
	if (o->csv_table >= 0 && o->format != MXT_REPORT_CSV) {
		warnx("--csv-table: only with -f csv");
		return MXT_EXIT_USAGE;
	}
	if (o->merge && o->filtered) {
		warnx("merge: filters, --by and input options apply when the "
		    "summaries are written, not when they are merged");
		return MXT_EXIT_USAGE;
	}
	return cli_filter_window(&o->window) == 0 ? MXT_EXIT_OK :
	    MXT_EXIT_USAGE;
}

struct loaded {
	struct mxt_summary *s;
	const char *path;
};

static int
cmp_loaded(const void *a, const void *b)
{
	const struct loaded *x = a, *y = b;
	int64_t tx = mxt_summary_first_time(x->s), ty = mxt_summary_first_time(y->s);
	if (tx != ty)
		return tx < ty ? -1 : 1;
	return strcmp(x->path, y->path);
}

/*
 * The summaries of files added up, in time order (by the first time of
 * each, then by name: the result does not depend on the order given).
 * A file that cannot be read or is not a complete summary/2 document is
 * reported and left out, and *status says so.
 */
static struct mxt_summary *
merge_files(char **files, int n, struct mxt_classifier *cls, int *status)
{
	struct loaded *v = calloc((size_t)n + 1, sizeof *v);
	size_t k = 0;
	if (v == NULL)
		err(MXT_EXIT_INPUT, "merge");
	for (int i = 0; i < n; i++) {
		struct mxt_error e;
		struct mxt_summary *s = mxt_summary_load(files[i], &e);
		if (s == NULL) {
			if (e.line > 0)
				warnx("%s:%ld:%ld: %s", files[i], e.line,
				    e.column, e.text);
			else
				warnx("%s: %s", files[i], e.text);
			*status = MXT_EXIT_INPUT;
			continue;
		}
		v[k].s = s;
		v[k++].path = files[i];
	}
	qsort(v, k, sizeof *v, cmp_loaded);
	struct mxt_summary *all = NULL;
	for (size_t i = 0; i < k; i++) {
		struct mxt_error e;
		if (all == NULL) {
			all = v[i].s;
			continue;
		}
		if (mxt_summary_merge(all, v[i].s, cls, &e) != 0) {
			warnx("%s: %s", v[i].path, e.text);
			*status = MXT_EXIT_INPUT;
		}
		mxt_summary_destroy(v[i].s);
	}
	free(v);
	return all;
}

static int run(int argc, char **argv, bool merge);

int
cmd_summary(int argc, char **argv)
{
	return run(argc, argv, false);
}

int
cmd_merge(int argc, char **argv)
{
	return run(argc, argv, true);
}

/* A run that ends before its report: the output is not kept (its
 * temporary file goes), and what the run holds is freed. */
static void
abandon(struct cli_output *output, struct summary_opts *o,
    struct mxt_summary *s, struct mxt_classifier *cls, struct cli_input *in)
{
	cli_output_close(output, false);
	for (size_t i = 0; i < o->nfailon; i++)
		mxt_failon_destroy(o->failon[i]);
	mxt_summary_destroy(s);
	mxt_classifier_destroy(cls);
	cli_input_finish(in);
}

static int
run(int argc, char **argv, bool merge)
{
	struct summary_opts o = {.top = -1, .color = "auto", .merge = merge,
	    .csv_table = -1};
	struct cli_input in = {0};
	int status;

	mxt_filter_init(&o.cfg.filter);
	o.window.filter = &o.cfg.filter;
	o.cfg.by[0] = MXT_KEY_DOMAIN;
	o.cfg.by[1] = MXT_KEY_CAUSE;
	o.cfg.nby = 2;
	if ((status = parse_options(argc, argv, &o, &in)) != MXT_EXIT_OK) {
		for (size_t i = 0; i < o.nfailon; i++)
			mxt_failon_destroy(o.failon[i]);
		/* -1 - status: --help was printed */
		return status < 0 ? -1 - status : status;
	}
	char **files = argv + optind;
	int nfiles = argc - optind;
	if (cli_check_outputs(&in, o.output, files, nfiles) < 0) {
		for (size_t i = 0; i < o.nfailon; i++)
			mxt_failon_destroy(o.failon[i]);
		return MXT_EXIT_USAGE;
	}
	struct mxt_classifier *cls = cli_classifier(o.rules);
	if (cls == NULL)
		return MXT_EXIT_USAGE;
	if (merge && optind == argc) {
		warnx("merge: name the JSON summaries to add up "
		    "(see 'mxtriage merge --help')");
		mxt_classifier_destroy(cls);
		return MXT_EXIT_USAGE;
	}
	if (optind == argc && isatty(STDIN_FILENO))
		warnx("reading the log from standard input (a terminal); give "
		    "a FILE or pipe a log in, or see 'mxtriage --help'");

	struct cli_output output;
	if (cli_output_open(&output, o.output, stdout) < 0) {
		mxt_classifier_destroy(cls);
		for (size_t i = 0; i < o.nfailon; i++)
			mxt_failon_destroy(o.failon[i]);
		return MXT_EXIT_WRITE;
	}
	FILE *out = output.fp;
	cli_signals_install();
	static const char *const stdin_name[] = {"-"};
	struct mxt_report_options ro = {
		.format = o.format,
		.top = o.top >= 0 ? (size_t)o.top :
		    o.format == MXT_REPORT_TABLE ||
		    o.format == MXT_REPORT_PROMETHEUS ||
		    o.format == MXT_REPORT_HTML ? 20 : 0,
		.width = terminal_width(out),
		.color = o.format == MXT_REPORT_TABLE && want_color(o.color, out),
		.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0,
		.csv_raw = o.csv_raw,
		.csv_table = o.csv_table > 0 ? (enum mxt_csv_table)o.csv_table :
		    MXT_CSV_GROUPS,
		.show_ids = o.show_ids,
		.inputs = optind < argc ? (const char *const *)argv + optind :
		    stdin_name,
		.ninputs = optind < argc ? (size_t)(argc - optind) : 1,
	};
	struct summary_ctx ctx = {.f = &o.cfg.filter};
	struct mxt_summary *s;
	struct mxt_stats stats = {0};
	if (merge) {
		s = merge_files(files, nfiles, cls, &status);
		if (s == NULL) {
			warnx("merge: no summary could be read");
			cli_output_close(&output, false);
			for (size_t i = 0; i < o.nfailon; i++)
				mxt_failon_destroy(o.failon[i]);
			mxt_classifier_destroy(cls);
			return MXT_EXIT_INPUT;
		}
	} else {
		s = ctx.s = mxt_summary_create(&o.cfg);
		struct mxt_pass_config cfg = {
			.on_event = on_event,
			.on_message_end = on_message_end,
			.on_message_start = on_message_start,
			.on_received = on_received,
			.event_arg = &ctx,
			.on_local = on_local,
			.local_arg = &ctx,
			.classifier = cls,
			.no_event_ids = true, /* no report shows them */
		};
		in.window = &o.cfg.filter;
		in.now = cli_now();
		if (in.follow) {
			ctx.ro = &ro;
			ctx.output = output.tmp != NULL ? o.output : NULL;
			ctx.terminal = out == stdout && isatty(STDOUT_FILENO);
			in.on_idle = on_idle;
			in.idle_arg = &ctx;
		}
		in.jobs = o.jobs > 0 ? (unsigned)o.jobs : mxt_parallel_cpus();
		in.summary = &o.cfg;
		in.rules = o.rules;
		status = cli_run_pass(&in, &cfg, files, nfiles, &stats);
		if (in.merged != NULL) {
			/* the threads' pieces, merged: the same summary */
			mxt_summary_destroy(s);
			s = ctx.s = in.merged;
			ctx.in_window = in.in_window;
			for (int k = 0; k < MXT_STATUS_COUNT; k++)
				ctx.events += stats.events[k];
		}
		mxt_summary_finish(s, &stats);
		for (size_t i = 0; i < in.nspans; i++)
			mxt_summary_add_input(s, in.spans[i].name,
			    &in.spans[i].first, &in.spans[i].last,
			    in.spans[i].lines);
		mxt_summary_set_coverage(s, in.gaps, in.ngaps);
	}
	/* --follow ends with a signal: the report of what was read is
	 * written, then the exit status says how it ended. */
	int follow_stop = in.follow && cli_stop != CLI_STOP_WRITE ?
	    cli_stopped_status() : 0;
	if (follow_stop)
		cli_stop = 0;
	if (cli_stop) {
		/* Interrupted while reading: a report of part of the input
		 * would pass for the whole; none is written. */
		warnx("stopped by %s after %llu lines; no report written",
		    cli_stop_name(), (unsigned long long)stats.lines);
		abandon(&output, &o, s, cls, &in);
		return cli_worst(status, cli_stopped_status());
	}
	if (!merge)
		report_empty_window(&o, &ctx);
	report_overflow(s);

	/* --state keeps the totals of every run; -f prometheus writes
	 * them, so that its counters never go down from run to run */
	const struct mxt_summary *shown = s;
	if (!merge && in.state != NULL) {
		struct mxt_error e;
		if (mxt_state_add_totals(in.state, s, ro.top, cls, &e) < 0) {
			warnx("--state %s: %s", in.state_path, e.text);
			abandon(&output, &o, s, cls, &in);
			return MXT_EXIT_USAGE;
		}
		if (o.format == MXT_REPORT_PROMETHEUS) {
			shown = mxt_state_totals(in.state);
			ro.prom_carry = mxt_state_prom_carry(in.state);
		}
	}

	if (mxt_report_write(shown, &ro, out) != 0)
		cli_output_failed(&output);
	/* A signal while the report was written: -o FILE is left as it
	 * was (what reached standard output cannot be taken back). */
	int stopped = cli_stopped_status();
	bool via_temporary = output.tmp != NULL;
	int closed = cli_output_close(&output, stopped == 0);
	status = cli_worst(status, closed);
	if (stopped) {
		warnx("stopped by %s while writing the report%s%s",
		    cli_stop_name(), via_temporary ? "; left unchanged: " : "",
		    via_temporary ? o.output : "");
		status = cli_worst(status, stopped);
	} else if (closed == MXT_EXIT_OK) {
		/* the next run starts after what this report counted */
		status = cli_worst(status, cli_state_save(&in));
	}
	status = cli_worst(status, follow_stop);

	for (size_t i = 0; i < o.nfailon; i++) {
		char why[256];
		if (mxt_failon_eval(o.failon[i], s, why, sizeof why)) {
			warnx("alert: %s", why);
			status = cli_worst(status, MXT_EXIT_ALERT);
		}
		mxt_failon_destroy(o.failon[i]);
	}
	mxt_summary_destroy(s);
	mxt_classifier_destroy(cls);
	cli_input_finish(&in);
	return status;
}
