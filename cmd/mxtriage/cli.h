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
};

/* Options every log-reading subcommand takes. */
struct cli_input {
	int year;
	const char *syslog_name;
	unsigned mtas; /* --mta */
	const char *unparsed_path; /* --show-unparsed[=FILE]; "-" = stderr */
	FILE *unparsed_fp;
};

/* getopt_long ids of the shared options (above the ASCII range). */
enum {
	OPT_YEAR = 256,
	OPT_SYSLOG_NAME,
	OPT_SHOW_UNPARSED,
	OPT_CSV_RAW,
	OPT_MTA,
	OPT_FIRST_FREE,
};

#define CLI_INPUT_LONGOPTS                                                  \
	{"year", required_argument, NULL, OPT_YEAR},                        \
	{"syslog-name", required_argument, NULL, OPT_SYSLOG_NAME},          \
	{"mta", required_argument, NULL, OPT_MTA},                          \
	{"show-unparsed", optional_argument, NULL, OPT_SHOW_UNPARSED}

/* Handles a shared option; returns 1 when it was one, 0 when not, -1 on a
 * bad value (message printed). */
int cli_input_option(struct cli_input *in, int opt, const char *arg);

/*
 * Runs the pass over files (none = stdin). Reports unreadable inputs with
 * warn(3)-style messages and the anomalies of the run on stderr. Returns
 * MXT_EXIT_OK or MXT_EXIT_INPUT.
 */
int cli_run_pass(struct cli_input *in, struct mxt_pass_config *cfg,
    char **files, int nfiles, struct mxt_stats *stats);

/* Reads the -f value of a command that prints table or json: sets *json
 * and returns 0, or prints a message naming the command and returns -1. */
int cli_table_or_json(const char *command, const char *value, bool *json);

/* The classifier with the built-in rules and those of rules_path (may be
 * NULL); prints the error and returns NULL when the file is not valid. */
struct mxt_classifier *cli_classifier(const char *rules_path);

/* Opens -o FILE for writing, or returns stdout for NULL/"-". Exits with
 * a message on failure. */
FILE *cli_open_output(const char *path);
/* Flushes and closes out; reports a write error. Returns 0 or -1. */
int cli_close_output(FILE *out, const char *path);

int cmd_events(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_rules(int argc, char **argv);

#endif
