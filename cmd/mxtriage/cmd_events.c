/*
 * cmd_events.c - `mxtriage events`: one event per line, JSON lines or CSV.
 */
#include "cli.h"
#include "parallel.h"

#include <err.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: mxtriage events [OPTIONS] [FILE...]\n"
    "\n"
    "Print every delivery attempt and every rejection as one event per line.\n"
    "FILE may be compressed (gzip, bzip2, xz, zstd, lz4), or a directory (the\n"
    "mail logs in it); none or '-' reads standard input. Inputs are read\n"
    "oldest first.\n"
    "\n"
    "Events follow the schema mxtriage.event/1 (see mxtriage(1)).\n"
    "\n"
    "  -f, --format FMT        jsonl (default) or csv\n"
    CLI_FILTER_USAGE
    "      --csv-raw           keep cells starting with = + - @ as they are\n"
    "      --rules FILE        classification rules tried before the built-in ones\n"
    "      --why               also name the rule that decided each cause\n"
    "                          (rule, rule_origin FILE:LINE) after the fields\n"
    "  -o, --output FILE       write to FILE instead of standard output\n"
    "      --year YYYY         year of traditional syslog lines (default:\n"
    "                          from the file's modification time)\n"
    "      --syslog-name NAME  only Postfix lines logged as NAME/service\n"
    "      --mta MTA           only postfix or only exim lines (default: both,\n"
    "                          recognised line by line)\n"
    "      --host NAME         host of lines that name none (Exim's own logs;\n"
    "                          default: this system's host name)\n"
    "      --show-unparsed[=FILE]  list mail lines not understood (stderr)\n"
    "      --keep-order        read the inputs in the order given\n"
    "      --journal[=DIR|FILE]  read the systemd journal (or the journal files\n"
    "                          in DIR, or FILE) first; no stdin without FILEs\n"
    "  -F, --follow            follow the files as tail -F does (rotation,\n"
    "                          truncation) and print events as they come,\n"
    "                          until SIGINT or SIGTERM\n"
    "      --state FILE        continue where the run that saved FILE\n"
    "                          stopped, and save where this one stops\n"
    "      --interval SECS     (the report's refresh; events need none)\n"
    "      --quiet             no progress line on a terminal\n"
    "  -j, --jobs N            threads (default: the CPUs; 1 = one): from 2,\n"
    "                          the events are classified and written on a\n"
    "                          second thread; the output is the same\n"
    "  -h, --help              show this help\n";

struct events_ctx {
	struct mxt_event_writer *w;
	struct cli_output *out;
	const struct mxt_filter *filter;
	/* --jobs from 2: the thread that classifies, filters and writes
	 * the events (NULL: all is done here), with its classifier */
	struct mxt_event_pipe *pipe;
	struct mxt_classifier *cls;
};

/* Writes one whole event; -1 when writing failed (now or before). */
static int
write_event(struct events_ctx *c, const struct mxt_event *ev)
{
	if (c->out->error != 0)
		return -1;
	if (mxt_event_writer_write(c->w, ev) != 0) {
		cli_output_failed(c->out);
		return -1;
	}
	return 0;
}

/* The writing thread's part of an event (mxt_event_pipe_fn). */
static int
piped_event(void *arg, struct mxt_event *ev)
{
	struct events_ctx *c = arg;
	mxt_event_classify(c->cls, ev);
	if (!mxt_filter_match(c->filter, ev))
		return c->out->error != 0 ? -1 : 0;
	return write_event(c, ev);
}

/* The input has nothing new for now: what was written goes out, so a
 * live input's events arrive as their lines do. */
static void
on_idle(void *arg, const struct mxt_stats *st, bool refresh)
{
	struct events_ctx *c = arg;
	(void)st;
	(void)refresh;
	if (c->pipe != NULL)
		mxt_event_pipe_sync(c->pipe); /* the writer is ours again */
	if (c->out->error == 0 && (mxt_event_writer_flush(c->w) != 0 ||
	    fflush(c->out->fp) != 0)) {
		cli_output_failed(c->out);
		if (!cli_stop)
			cli_stop = CLI_STOP_WRITE;
	}
}

/* Writes one whole event, here or on the writing thread; when writing
 * fails, the pass is stopped: there is no point reading on. */
static void
on_event(void *arg, const struct mxt_event *ev)
{
	struct events_ctx *c = arg;
	bool failed;
	if (c->pipe != NULL) {
		mxt_event_pipe_push(c->pipe, ev);
		failed = mxt_event_pipe_failed(c->pipe);
	} else {
		if (!mxt_filter_match(c->filter, ev))
			return;
		failed = write_event(c, ev) != 0;
	}
	if (failed && !cli_stop)
		cli_stop = CLI_STOP_WRITE;
}

/* The host of lines that name none, when --host is not given: this
 * system (Exim's own logs are read where Exim runs); MXTRIAGE_HOSTNAME
 * fixes it for tests. Every event then has a host (schema
 * mxtriage.event/1). */
static const char *
local_host(char *buf, size_t size)
{
	const char *e = getenv("MXTRIAGE_HOSTNAME");
	if (e != NULL && *e != '\0')
		return e;
	if (gethostname(buf, size) != 0 || buf[0] == '\0')
		return NULL;
	buf[size - 1] = '\0';
	return buf;
}

int
cmd_events(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"csv-raw", no_argument, NULL, OPT_CSV_RAW},
		{"rules", required_argument, NULL, OPT_FIRST_FREE},
		{"why", no_argument, NULL, OPT_FIRST_FREE + 1},
		{"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		CLI_INPUT_LONGOPTS,
		CLI_FILTER_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct cli_input in = {0};
	struct mxt_filter filter;
	struct cli_filter window = {.filter = &filter};
	char hostname[256];
	enum mxt_event_format fmt = MXT_EVFMT_JSONL;
	const char *output = NULL, *rules = NULL;
	bool csv_raw = false, why = false;
	unsigned jobs = 0;
	int c, r;

	mxt_filter_init(&filter);
	while ((c = getopt_long(argc, argv, "f:o:hFj:", longopts, NULL)) != -1) {
		if ((r = cli_input_option(&in, c, optarg)) != 0 ||
		    (r = cli_filter_option(&window, c, optarg)) != 0) {
			if (r < 0)
				return MXT_EXIT_USAGE;
			continue;
		}
		switch (c) {
		case 'f':
			if ((r = mxt_event_format_lookup(optarg)) < 0) {
				warnx("--format: '%s' is not an events format "
				    "(jsonl, csv)", optarg);
				return MXT_EXIT_USAGE;
			}
			fmt = (enum mxt_event_format)r;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_CSV_RAW:
			csv_raw = true;
			break;
		case OPT_FIRST_FREE:
			rules = optarg;
			break;
		case OPT_FIRST_FREE + 1:
			why = true;
			break;
		case 'j':
			if ((jobs = cli_jobs(optarg)) == 0)
				return MXT_EXIT_USAGE;
			break;
		case 'h':
			cli_print(usage_text);
			return cli_stdout_done();
		default:
			fputs(usage_text, stderr);
			return MXT_EXIT_USAGE;
		}
	}

	if (cli_filter_window(&window) < 0)
		return MXT_EXIT_USAGE;
	if (in.host == NULL)
		in.host = local_host(hostname, sizeof hostname);
	char **files = argv + optind;
	int nfiles = argc - optind;
	if (cli_check_outputs(&in, output, files, nfiles) < 0)
		return MXT_EXIT_USAGE;
	struct mxt_classifier *cls = cli_classifier(rules);
	if (cls == NULL)
		return MXT_EXIT_USAGE;
	struct cli_output out;
	if (cli_output_open(&out, output, stdout) < 0) {
		mxt_classifier_destroy(cls);
		return MXT_EXIT_WRITE;
	}
	cli_signals_install();
	struct events_ctx ctx = {mxt_event_writer_create(out.fp, fmt, csv_raw),
	    &out, &filter, NULL, cls};
	mxt_event_writer_set_why(ctx.w, why);
	if (jobs == 0)
		jobs = mxt_parallel_cpus();
	if (jobs > 1)
		ctx.pipe = mxt_event_pipe_create(piped_event, &ctx);
	if (cli_jobs_debug())
		fprintf(stderr, "mxtriage: jobs: %s\n", ctx.pipe != NULL ?
		    "events written on a thread of their own" : "one thread");
	struct mxt_pass_config cfg = {
		.on_event = on_event,
		.event_arg = &ctx,
		.classifier = ctx.pipe != NULL ? NULL : cls,
		.classify_later = ctx.pipe != NULL,
		/* a third thread, when there is a core for it: on two, the
		 * decoder and the two others slow each other down */
		.read_ahead = jobs > 2,
	};
	in.on_idle = on_idle;
	in.idle_arg = &ctx;
	struct mxt_stats stats;
	in.window = &filter;
	in.now = cli_now();
	int status = cli_run_pass(&in, &cfg, files, nfiles, &stats);
	mxt_event_pipe_destroy(ctx.pipe); /* every event written */
	/* the events still held: whole lines, also after a signal */
	if (out.error == 0 && mxt_event_writer_flush(ctx.w) != 0)
		cli_output_failed(&out);
	mxt_event_writer_destroy(ctx.w);
	mxt_classifier_destroy(cls);

	/* Interrupted: the events written to standard output are whole
	 * lines and are flushed; -o FILE is left as it was -- unless the
	 * run was following, which only a signal ends. The state is saved
	 * only when the events it counts as read were kept. */
	int stopped = cli_stopped_status();
	bool via_temporary = out.tmp != NULL;
	bool keep = stopped == 0 || (in.follow && cli_stop != CLI_STOP_WRITE);
	int closed = cli_output_close(&out, keep);
	status = cli_worst(status, closed);
	if (closed == MXT_EXIT_OK && (keep || !via_temporary))
		status = cli_worst(status, cli_state_save(&in));
	cli_input_finish(&in);
	if (stopped && in.follow && keep) {
		status = cli_worst(status, stopped);
	} else if (stopped) {
		warnx("stopped by %s after %llu lines%s%s", cli_stop_name(),
		    (unsigned long long)stats.lines,
		    via_temporary ? "; left unchanged: " : "",
		    via_temporary ? output : "");
		status = cli_worst(status, stopped);
	}
	return status;
}
