/*
 * cmd_summary.c - `mxtriage [summary]`: the report, the default command;
 * and `mxtriage merge`: the same report from saved JSON summaries added
 * up (the same output options; the filters were applied when they were
 * written).
 */
#include "cli.h"

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
    "  -f, --format FMT        table (default), json or csv\n"
    "      --by KEY[,KEY...]   group failures by: domain, cause, code, relay,\n"
    "                          sender, sender-domain, host, mta, direction,\n"
    "                          provider, hour, day (default domain,cause)\n"
    "      --since TIME        only events at or after TIME: 2026-11-23,\n"
    "                          '2026-11-23 10:30', 2026-11-23T10:30:00+01:00,\n"
    "                          10:30, today, yesterday, now, 2h (see mxtriage(1))\n"
    "      --until TIME        only events before TIME\n"
    "      --day DAY           one local calendar day: today, yesterday, YYYY-MM-DD\n"
    "      --domain GLOB       only recipient domains matching GLOB\n"
    "      --code LIST         only these reply codes (421,450 or 4xx)\n"
    "      --cause LIST        only these causes (greylisting,rate_limit,...)\n"
    "      --status LIST       only these statuses (deferred,bounced,...)\n"
    "      --direction DIR     out (our deliveries) or in (our rejections)\n"
    "      --top N             rows per section (table default 20; 0 = all)\n"
    "      --fail-on COND      exit 1 when COND holds, e.g. 'deferred>100',\n"
    "                          'bounce_rate>2%', 'cause:blocklist>0',\n"
    "                          'pending_age>4h' (repeatable)\n"
    "      --rules FILE        classification rules tried before the built-in ones\n"
    "      --color WHEN        auto (default), always or never\n"
    "      --csv-raw           keep cells starting with = + - @ as they are\n"
    "  -o, --output FILE       write to FILE instead of standard output\n"
    "      --year YYYY         year of traditional syslog lines\n"
    "      --syslog-name NAME  only Postfix lines logged as NAME/service\n"
    "      --mta MTA           only postfix or only exim lines (default: both,\n"
    "                          recognised line by line)\n"
    "      --show-unparsed[=FILE]  list mail lines not understood (stderr)\n"
    "      --keep-order        read the inputs in the order given\n"
    "      --journal[=DIR|FILE]  read the systemd journal (or the journal files\n"
    "                          in DIR, or FILE) first; no stdin without FILEs\n"
    "  -h, --help              show this help\n";

static const char merge_usage_text[] =
    "usage: mxtriage merge [OPTIONS] FILE.json...\n"
    "\n"
    "Add up JSON summaries written by 'mxtriage -f json' (schema\n"
    "mxtriage.summary/2: other hosts, other days, consecutive pieces of one\n"
    "log) and write the report of the whole. '-' reads one from standard input.\n"
    "\n"
    "  -f, --format FMT        table (default), json or csv\n"
    "      --top N             rows per section (table default 20; 0 = all)\n"
    "      --fail-on COND      exit 1 when COND holds (as for the report)\n"
    "      --rules FILE        rules for the expiries a merge completes\n"
    "      --color WHEN        auto (default), always or never\n"
    "      --csv-raw           keep cells starting with = + - @ as they are\n"
    "  -o, --output FILE       write to FILE instead of standard output\n"
    "  -h, --help              show this help\n";

enum {
	OPT_BY = OPT_FIRST_FREE, OPT_SINCE, OPT_UNTIL, OPT_DAY, OPT_DOMAIN,
	OPT_CODE, OPT_CAUSE, OPT_STATUS, OPT_DIRECTION, OPT_TOP, OPT_FAIL_ON,
	OPT_RULES, OPT_COLOR,
};

#define MAX_FAILON 16

struct summary_opts {
	struct mxt_summary_config cfg;
	enum mxt_report_format format;
	const char *output, *rules, *color;
	long top;
	bool csv_raw;
	const char *since, *until, *day;
	struct mxt_failon *failon[MAX_FAILON];
	size_t nfailon;
	bool merge;      /* `mxtriage merge` */
	bool filtered;   /* a filter or --by was given */
};

/* Splits a comma list and calls one(item) for each; false on the first
 * item one() refuses. */
static bool
each_item(const char *list, const char *opt, bool (*one)(struct summary_opts *,
    const char *, const char *), struct summary_opts *o)
{
	char *copy = strdup(list), *save = NULL;
	bool ok = copy != NULL;
	for (char *t = strtok_r(copy, ",", &save); ok && t;
	    t = strtok_r(NULL, ",", &save))
		ok = one(o, t, opt);
	free(copy);
	return ok;
}

static bool
add_code(struct summary_opts *o, const char *s, const char *opt)
{
	struct mxt_filter *f = &o->cfg.filter;
	int v = 0;
	if (strlen(s) == 3 && (s[0] == '2' || s[0] == '4' || s[0] == '5') &&
	    strcmp(s + 1, "xx") == 0)
		v = s[0] - '0';
	else if (strlen(s) == 3 && s[0] >= '2' && s[0] <= '5' &&
	    strspn(s, "0123456789") == 3)
		v = atoi(s);
	if (v == 0 || f->ncodes == sizeof f->codes / sizeof f->codes[0]) {
		warnx("%s: '%s' is not a reply code (like 421) or class (4xx)",
		    opt, s);
		return false;
	}
	f->codes[f->ncodes++] = v;
	return true;
}

static bool
add_cause(struct summary_opts *o, const char *s, const char *opt)
{
	int c = mxt_cause_lookup(s);
	if (c <= 0) {
		warnx("%s: '%s' is not a cause id (see mxtriage(1))", opt, s);
		return false;
	}
	o->cfg.filter.any_cause = false;
	o->cfg.filter.causes[c] = true;
	return true;
}

static bool
add_status(struct summary_opts *o, const char *s, const char *opt)
{
	int st = mxt_status_lookup(s);
	if (st < 0) {
		warnx("%s: '%s' is not a status (delivered, deferred, bounced, "
		    "expired, rejected)", opt, s);
		return false;
	}
	o->cfg.filter.any_status = false;
	o->cfg.filter.statuses[st] = true;
	return true;
}

/* MXTRIAGE_NOW (seconds since the epoch) fixes "now" for tests. */
static time_t
now(void)
{
	const char *e = getenv("MXTRIAGE_NOW");
	return e && *e ? (time_t)strtoll(e, NULL, 10) : time(NULL);
}

static bool
resolve_window(struct summary_opts *o)
{
	struct mxt_filter *f = &o->cfg.filter;
	struct mxt_error e;
	if (o->day && (o->since || o->until)) {
		warnx("--day cannot be combined with --since or --until");
		return false;
	}
	if (o->day) {
		if (mxt_day_range(o->day, now(), &f->since, &f->until, &e) < 0) {
			warnx("--day: %s", e.text);
			return false;
		}
		f->has_since = f->has_until = true;
	}
	if (o->since) {
		if (mxt_time_parse(o->since, now(), &f->since, &e) < 0) {
			warnx("--since: %s", e.text);
			return false;
		}
		f->has_since = true;
	}
	if (o->until) {
		if (mxt_time_parse(o->until, now(), &f->until, &e) < 0) {
			warnx("--until: %s", e.text);
			return false;
		}
		f->has_until = true;
	}
	if (f->has_since && f->has_until && f->until <= f->since) {
		warnx("--until must be later than --since");
		return false;
	}
	return true;
}

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
	if (o->day)
		snprintf(window, sizeof window, "--day %s", o->day);
	else
		snprintf(window, sizeof window, "%s%s%s%s%s",
		    o->since ? "--since " : "", o->since ? o->since : "",
		    o->since && o->until ? " " : "",
		    o->until ? "--until " : "", o->until ? o->until : "");
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
}

static void
on_message_end(void *arg, struct mxt_str host, struct mxt_str qid)
{
	mxt_summary_message_end(((struct summary_ctx *)arg)->s, host, qid);
}

static void
on_message_start(void *arg, struct mxt_str host, struct mxt_str qid)
{
	mxt_summary_message_start(((struct summary_ctx *)arg)->s, host, qid);
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
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"day", required_argument, NULL, OPT_DAY},
		{"domain", required_argument, NULL, OPT_DOMAIN},
		{"code", required_argument, NULL, OPT_CODE},
		{"cause", required_argument, NULL, OPT_CAUSE},
		{"status", required_argument, NULL, OPT_STATUS},
		{"direction", required_argument, NULL, OPT_DIRECTION},
		{"top", required_argument, NULL, OPT_TOP},
		{"fail-on", required_argument, NULL, OPT_FAIL_ON},
		{"rules", required_argument, NULL, OPT_RULES},
		{"color", required_argument, NULL, OPT_COLOR},
		{"colour", required_argument, NULL, OPT_COLOR},
		{"csv-raw", no_argument, NULL, OPT_CSV_RAW},
		CLI_INPUT_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	int c, r;
	char *end;

	while ((c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
		if ((r = cli_input_option(in, c, optarg)) != 0) {
			if (r < 0)
				return MXT_EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'f':
			if ((r = mxt_report_format_lookup(optarg)) < 0) {
				warnx("--format: '%s' is not a report format "
				    "(table, json, csv)", optarg);
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
			break;
		}
		case OPT_SINCE: o->since = optarg; break;
		case OPT_UNTIL: o->until = optarg; break;
		case OPT_DAY: o->day = optarg; break;
		case OPT_DOMAIN: o->cfg.filter.domain_glob = optarg; break;
		case OPT_CODE:
			if (!each_item(optarg, "--code", add_code, o))
				return MXT_EXIT_USAGE;
			break;
		case OPT_CAUSE:
			if (!each_item(optarg, "--cause", add_cause, o))
				return MXT_EXIT_USAGE;
			break;
		case OPT_STATUS:
			if (!each_item(optarg, "--status", add_status, o))
				return MXT_EXIT_USAGE;
			break;
		case OPT_DIRECTION:
			if ((o->cfg.filter.direction = mxt_direction_lookup(optarg)) < 0) {
				warnx("--direction: '%s' is not in or out", optarg);
				return MXT_EXIT_USAGE;
			}
			break;
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
		default:
			fputs(o->merge ? merge_usage_text : usage_text, stderr);
			return MXT_EXIT_USAGE;
		}
		if (c == OPT_BY || c == OPT_SINCE || c == OPT_UNTIL ||
		    c == OPT_DAY || c == OPT_DOMAIN || c == OPT_CODE ||
		    c == OPT_CAUSE || c == OPT_STATUS || c == OPT_DIRECTION ||
		    (c >= OPT_YEAR && c < OPT_FIRST_FREE && c != OPT_CSV_RAW))
			o->filtered = true;
	}
	if (o->merge && o->filtered) {
		warnx("merge: filters, --by and input options apply when the "
		    "summaries are written, not when they are merged");
		return MXT_EXIT_USAGE;
	}
	return resolve_window(o) ? MXT_EXIT_OK : MXT_EXIT_USAGE;
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

static int
run(int argc, char **argv, bool merge)
{
	struct summary_opts o = {.top = -1, .color = "auto", .merge = merge};
	struct cli_input in = {0};
	int status;

	mxt_filter_init(&o.cfg.filter);
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
	struct summary_ctx ctx = {NULL, &o.cfg.filter, 0, 0};
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
			.event_arg = &ctx,
			.classifier = cls,
		};
		in.window = &o.cfg.filter;
		in.now = now();
		status = cli_run_pass(&in, &cfg, files, nfiles, &stats);
		mxt_summary_finish(s, &stats);
		for (size_t i = 0; i < in.nspans; i++)
			mxt_summary_add_input(s, in.spans[i].name,
			    &in.spans[i].first, &in.spans[i].last,
			    in.spans[i].lines);
		mxt_summary_set_coverage(s, in.gaps, in.ngaps);
	}
	if (cli_stop) {
		/* Interrupted while reading: a report of part of the input
		 * would pass for the whole; none is written. */
		warnx("stopped by %s after %llu lines; no report written",
		    cli_stop_name(), (unsigned long long)stats.lines);
		cli_output_close(&output, false);
		for (size_t i = 0; i < o.nfailon; i++)
			mxt_failon_destroy(o.failon[i]);
		mxt_summary_destroy(s);
		mxt_classifier_destroy(cls);
		cli_input_finish(&in);
		return cli_worst(status, cli_stopped_status());
	}
	if (!merge)
		report_empty_window(&o, &ctx);
	report_overflow(s);

	static const char *const stdin_name[] = {"-"};
	struct mxt_report_options ro = {
		.format = o.format,
		.top = o.top >= 0 ? (size_t)o.top :
		    o.format == MXT_REPORT_TABLE ? 20 : 0,
		.width = terminal_width(out),
		.color = o.format == MXT_REPORT_TABLE && want_color(o.color, out),
		.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0,
		.csv_raw = o.csv_raw,
		.inputs = optind < argc ? (const char *const *)argv + optind :
		    stdin_name,
		.ninputs = optind < argc ? (size_t)(argc - optind) : 1,
	};
	if (mxt_report_write(s, &ro, out) != 0)
		cli_output_failed(&output);
	/* A signal while the report was written: -o FILE is left as it
	 * was (what reached standard output cannot be taken back). */
	int stopped = cli_stopped_status();
	bool via_temporary = output.tmp != NULL;
	status = cli_worst(status, cli_output_close(&output, stopped == 0));
	if (stopped) {
		warnx("stopped by %s while writing the report%s%s",
		    cli_stop_name(), via_temporary ? "; left unchanged: " : "",
		    via_temporary ? o.output : "");
		status = cli_worst(status, stopped);
	}

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
