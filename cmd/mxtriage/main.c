/*
 * main.c - the mxtriage program: picks the subcommand and hands over.
 * Parsing, classifying and formatting live in lib/; each subcommand's
 * options live in its cmd_*.c.
 */
#include "cli.h"

#include <err.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* Looked up by name; the table is the list --help prints. */
static const struct subcommand subcommands[] = {
	{"summary", cmd_summary, "the report (the default command)"},
	{"events", cmd_events, "one event per delivery attempt or rejection"},
	{"trace", cmd_trace, "the messages a selection touches, with all their log lines"},
	{"merge", cmd_merge, "add up saved JSON summaries (hosts, days, pieces)"},
	{"explain", cmd_explain, "what a reply code, enhanced code or cause means"},
	{"rules", cmd_rules, "print the classification rules, or check a file"},
};

static void
usage(FILE *fp)
{
	fputs("usage: mxtriage [COMMAND] [OPTIONS] [FILE...]\n"
	      "\n"
	      "Analyse Postfix and Exim mail logs: every delivery attempt and\n"
	      "every rejection, by recipient domain and cause.\n"
	      "\n"
	      "Commands:\n", fp);
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		fprintf(fp, "  %-10s %s\n", subcommands[i].name,
		    subcommands[i].summary);
	fputs("\n"
	      "Without a COMMAND, mxtriage prints the summary report.\n"
	      "\n"
	      "  -h, --help      show this help ('mxtriage COMMAND --help' for "
	      "a command)\n"
	      "  -V, --version   show the version\n"
	      "\n"
	      "See mxtriage(1).\n", fp);
}

int
main(int argc, char **argv)
{
	setlocale(LC_CTYPE, "");
	const char *name = argc > 1 ? argv[1] : "";
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0) {
		usage(stdout);
		return cli_stdout_done();
	}
	if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
		printf("mxtriage %s\n", MXT_VERSION);
		return cli_stdout_done();
	}
	for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
		if (strcmp(name, subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	/* No command: the report. A word that is neither an option nor a
	 * file is a mistyped command, not a log to read. */
	if (name[0] != '\0' && name[0] != '-' && strchr(name, '/') == NULL &&
	    strchr(name, '.') == NULL && access(name, F_OK) != 0) {
		warnx("'%s' is not a command or a file; try 'mxtriage --help'",
		    name);
		return MXT_EXIT_USAGE;
	}
	return cmd_summary(argc, argv);
}
