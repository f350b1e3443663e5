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
	/* Filled by cli_run_pass, freed by cli_input_finish: the inputs read
	 * with their spans, and the parts of the window they do not cover. */
	struct mxt_input_span *spans;
	size_t nspans;
	struct mxt_gap *gaps;
	size_t ngaps;
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
	{"journal", optional_argument, NULL, OPT_JOURNAL}

/* Handles a shared option; returns 1 when it was one, 0 when not, -1 on a
 * bad value (message printed). */
int cli_input_option(struct cli_input *in, int opt, const char *arg);

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

/* The status that says more of a and b: a signal, then a write error, an
 * unreadable input, an alert, success. */
int cli_worst(int a, int b);

/* Reads the -f value of a command that prints table or json: sets *json
 * and returns 0, or prints a message naming the command and returns -1. */
int cli_table_or_json(const char *command, const char *value, bool *json);

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

#endif
