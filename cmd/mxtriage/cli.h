/*
 * cli.h - what the subcommands of the mxtriage program share.
 */
#ifndef MXT_CLI_H
#define MXT_CLI_H

#include "mxtriage.h"

/* Exit statuses, documented in mxtriage(1). */
enum mxt_exit {
	MXT_EXIT_OK = 0,
	MXT_EXIT_ALERT = 1, /* a --fail-on condition held */
	MXT_EXIT_USAGE = 2,
	MXT_EXIT_INPUT = 3, /* an input could not be read completely */
	MXT_EXIT_WRITE = 4, /* an output could not be written */
	/* 128 + signal: stopped by SIGINT (130) or SIGTERM (143) */
	MXT_EXIT_SIGNAL = 128,
};

/* Options every log-reading subcommand takes. */
struct cli_input {
	int year;
	const char *syslog_name;
	unsigned mtas; /* --mta */
	const char *host; /* --host: of lines that name none */
	const char *unparsed_path; /* --show-unparsed[=FILE]; "-" = stderr */
	FILE *unparsed_fp;
	/* Input order and coverage (set before cli_run_pass). */
	bool keep_order;                 /* --keep-order */
	bool journal;                    /* --journal[=DIR|FILE] */
	const char *journal_path;        /* its DIR or FILE; NULL = the
	                                  * machine's journal */
	const struct mxt_filter *window; /* the report's; NULL = none */
	int64_t now;                     /* the end of an open window */
	bool warn_between;               /* the input being read was not
	                                  * put in order by mxtriage */
	bool *fixed;                     /* per input: stays where given
	                                  * (while threads' reports are told) */
	/* Filled by cli_run_pass, freed by cli_input_finish: the inputs read
	 * with their spans, and the parts of the window they do not cover. */
	struct mxt_input_span *spans;
	size_t nspans;
	struct mxt_gap *gaps;
	size_t ngaps;

	/* Live and incremental reading (input.c). */
	bool follow;            /* -F, --follow */
	double interval;        /* --interval, seconds; 0 = the default */
	const char *state_path; /* --state FILE */
	bool quiet;             /* --quiet: no progress line */
	/* Set by the command: called when the input has nothing new for
	 * now (a pipe waits, the followed files are at their end) -- flush
	 * what was written -- with refresh true once per --interval while
	 * following (refresh the report). st: the pass so far. The
	 * report's summary (fed on a thread of its own, see pipe) may be
	 * used only when refresh is true. */
	void (*on_idle)(void *idle_arg, const struct mxt_stats *st,
	    bool refresh);
	void *idle_arg;
	/* Private to input.c: the pass kept for cli_state_save, the
	 * positions reached, the command's event callback (behind the
	 * progress line's), the progress line. */
	struct mxt_pass *pass;
	struct mxt_state *state; /* --state as read (its totals, to save) */
	struct mxt_position *positions;
	size_t npositions;
	void (*event_cb)(void *arg, const struct mxt_event *ev);
	void *event_cb_arg;
	struct cli_progress *progress;
	/* the report on one pass from --jobs 2: the summary's callbacks on
	 * a thread of their own (mxt_event_pipe_wire); freed after the
	 * pass, whose callbacks push into it */
	struct mxt_event_pipe *pipe;
	/* The report on several threads (--jobs): set jobs > 1 and summary
	 * before cli_run_pass; when the threads made the report, merged is
	 * its summary (the caller owns it) and in_window counts its events
	 * in the window; NULL when one pass fed cfg's callbacks. */
	unsigned jobs;
	const struct mxt_summary_config *summary;
	const char *rules;            /* --rules, for each thread's classifier */
	struct mxt_summary *merged;
	uint64_t in_window;
};

/* getopt_long ids of the shared options (above the ASCII range). */
enum {
	OPT_YEAR = 256,
	OPT_SYSLOG_NAME,
	OPT_SHOW_UNPARSED,
	OPT_CSV_RAW,
	OPT_MTA,
	OPT_HOST,
	OPT_KEEP_ORDER,
	OPT_FOLLOW = 'F',
	OPT_INTERVAL = OPT_KEEP_ORDER + 1,
	OPT_STATE,
	OPT_QUIET,
	/* the filters (filter.c) */
	OPT_SINCE,
	OPT_UNTIL,
	OPT_DAY,
	OPT_DOMAIN,
	OPT_PROVIDER,
	OPT_RELAY,
	OPT_CODE,
	OPT_CAUSE,
	OPT_STATUS,
	OPT_DIRECTION,
	OPT_JOURNAL,
	OPT_FIRST_FREE,
};

#define CLI_INPUT_LONGOPTS                                                  \
	{"year", required_argument, NULL, OPT_YEAR},                        \
	{"syslog-name", required_argument, NULL, OPT_SYSLOG_NAME},          \
	{"mta", required_argument, NULL, OPT_MTA},                          \
	{"host", required_argument, NULL, OPT_HOST},                        \
	{"show-unparsed", optional_argument, NULL, OPT_SHOW_UNPARSED},      \
	{"keep-order", no_argument, NULL, OPT_KEEP_ORDER},                  \
	{"follow", no_argument, NULL, OPT_FOLLOW},                          \
	{"interval", required_argument, NULL, OPT_INTERVAL},                \
	{"state", required_argument, NULL, OPT_STATE},                      \
	{"quiet", no_argument, NULL, OPT_QUIET},                           \
	{"journal", optional_argument, NULL, OPT_JOURNAL}

/* Handles a shared option; returns 1 when it was one, 0 when not, -1 on a
 * bad value (message printed). */
int cli_input_option(struct cli_input *in, int opt, const char *arg);

/* ---- filter.c: which events count (the report and events) ----------- */

#define CLI_FILTER_LONGOPTS                                                 \
	{"since", required_argument, NULL, OPT_SINCE},                      \
	{"until", required_argument, NULL, OPT_UNTIL},                      \
	{"day", required_argument, NULL, OPT_DAY},                          \
	{"domain", required_argument, NULL, OPT_DOMAIN},                    \
	{"provider", required_argument, NULL, OPT_PROVIDER},                \
	{"relay", required_argument, NULL, OPT_RELAY},                      \
	{"code", required_argument, NULL, OPT_CODE},                        \
	{"cause", required_argument, NULL, OPT_CAUSE},                      \
	{"status", required_argument, NULL, OPT_STATUS},                    \
	{"direction", required_argument, NULL, OPT_DIRECTION}

/* The usage lines of the filters, the same in every command's --help. */
#define CLI_FILTER_USAGE                                                       \
    "      --since TIME        only events at or after TIME: 2026-11-23,\n"    \
    "                          '2026-11-23 10:30', 2026-11-23T10:30:00+01:00,\n" \
    "                          10:30, today, yesterday, now, 2h (see mxtriage(1))\n" \
    "      --until TIME        only events before TIME\n"                      \
    "      --day DAY           one local calendar day: today, yesterday, YYYY-MM-DD\n" \
    "      --domain GLOB       only recipient domains matching GLOB\n"         \
    "      --provider LIST     only these recipient providers (google,microsoft,\n" \
    "                          ...; none = no provider known)\n"                \
    "      --relay GLOB        only relays (remote MX or client) whose name or\n" \
    "                          address matches GLOB\n"                          \
    "      --code LIST         only these reply codes (421,450 or 4xx)\n"       \
    "      --cause LIST        only these causes (greylisting,rate_limit,...)\n" \
    "      --status LIST       only these statuses (deferred,bounced,...)\n"    \
    "      --direction DIR     out (our deliveries) or in (our rejections)\n"

/* Where the filter options go: the window's words are kept until
 * cli_filter_window turns them into times. */
struct cli_filter {
	struct mxt_filter *filter; /* borrows the option arguments */
	const char *since, *until, *day;
};
/* Handles a filter option (arg is split in place for lists): 1 when it
 * was one, 0 when not, -1 on a bad value (message printed). */
int cli_filter_option(struct cli_filter *cf, int opt, char *arg);
/* Resolves --since/--until/--day against now; -1 (message printed) when
 * they are not valid together. */
int cli_filter_window(struct cli_filter *cf);
/* Now, or MXTRIAGE_NOW (seconds since the epoch) for tests. */
time_t cli_now(void);

/* cli_output_check for -o output and --show-unparsed=FILE: -1 (message
 * printed) when either is one of the inputs. */
int cli_check_outputs(const struct cli_input *in, const char *output,
    char *const *files, int nfiles);

/*
 * Runs the pass over the journal (--journal, first, with the window's
 * since/until as a seek) and files (none = stdin, unless --journal),
 * directories expanded and in
 * time order unless --keep-order. Reports unreadable inputs with
 * warn(3)-style messages, time running backwards, the parts of the window
 * no input covers, and the anomalies of the run on stderr (an empty input
 * among them). Stops early when cli_stop is set. Writes
 * --show-unparsed=FILE through cli_output (check it against the inputs
 * first). Returns MXT_EXIT_OK, MXT_EXIT_INPUT or MXT_EXIT_WRITE.
 */
int cli_run_pass(struct cli_input *in, struct mxt_pass_config *cfg,
    char **files, int nfiles, struct mxt_stats *stats);
/* Frees what cli_run_pass left in in. */
void cli_input_finish(struct cli_input *in);
/*
 * With --state: writes where the run stopped and the messages in flight
 * to the state file (atomically). Call after the output was written and
 * kept -- the next run starts after what this one reported -- and not
 * when it was thrown away (the same lines are then read again). Returns
 * MXT_EXIT_OK, or MXT_EXIT_WRITE with a message.
 */
int cli_state_save(struct cli_input *in);

/* The status that says more of a and b: a signal, then a write error, an
 * unreadable input, an alert, success. */
int cli_worst(int a, int b);

/* Reads the -f value of a command that prints table or json: sets *json
 * and returns 0, or prints a message naming the command and returns -1. */
int cli_table_or_json(const char *command, const char *value, bool *json);

/* Reads the value of --jobs (1-256): returns it, or prints a message and
 * returns 0. */
unsigned cli_jobs(const char *value);
/* MXTRIAGE_JOBS_DEBUG=1: say on stderr which way the threads were used. */
bool cli_jobs_debug(void);

/* The classifier with the built-in rules and those of rules_path (may be
 * NULL); prints the error and returns NULL when the file is not valid. */
struct mxt_classifier *cli_classifier(const char *rules_path);

/* ---- output.c: where output goes and how a run ends ---------------- */

/* Set by the SIGINT/SIGTERM handler to the signal; polled by the pass
 * (mxt_pass_config.stop). A command whose output failed sets it to
 * CLI_STOP_WRITE so the pass stops reading too. */
extern volatile sig_atomic_t cli_stop;
#define CLI_STOP_WRITE (-1)
/* Installs the handlers that set cli_stop (once, by a log-reading
 * command). */
void cli_signals_install(void);
/* 128 + the signal when a signal stopped the run, else 0. */
int cli_stopped_status(void);
/* "SIGINT" or "SIGTERM": what set cli_stop, for messages. */
const char *cli_stop_name(void);

/* One output: standard output/error, or -o FILE via a temporary file. */
struct cli_output {
	FILE *fp;
	const char *name;   /* for messages: the path, or "standard output" */
	char *tmp;          /* temporary file renamed to target on success */
	char *target;       /* the file renamed over (symbolic links resolved) */
	int error;          /* errno of the first failed write, 0 = none */
};

/* Refuses (message naming option and path, returns -1) when path, the
 * output of option, is the same file as one of the inputs (standard input
 * when ninputs is 0); 0 when it is not. Call before opening anything. */
int cli_output_check(const char *option, const char *path,
    char *const *inputs, int ninputs);
/* Opens path for writing: std (stdout or stderr) for NULL or "-", a device
 * or pipe in place, a file through a temporary file beside it. Returns 0,
 * or -1 with a message naming path. */
int cli_output_open(struct cli_output *o, const char *path, FILE *std);
/* Records errno as the output's first write error. */
void cli_output_failed(struct cli_output *o);
/* Flushes and closes o. When keep and nothing failed, the temporary file
 * is renamed over the target; otherwise it is removed and the target is
 * left as it was. A write error is named on stderr. Returns MXT_EXIT_OK
 * or MXT_EXIT_WRITE; a closed pipe (EPIPE) ends the program as SIGPIPE. */
int cli_output_close(struct cli_output *o, bool keep);
/* Prints text on standard output, keeping the errno of a failure for
 * cli_stdout_done. */
void cli_print(const char *text);
/* cli_output_close for what was printed on standard output (help,
 * version, explain, rules). */
int cli_stdout_done(void);

int cmd_events(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_trace(int argc, char **argv);

#endif
