/*
 * cmd_rules.c - `mxtriage rules [--rules FILE] [--check FILE]
 * [--format table|json]`: print the active classification rules and
 * providers in matching order, or validate a rules file and report every
 * error with its position. Thin: loading, checking and formatting live in
 * lib/rules.c and lib/classify.c.
 */
#include "cli.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: mxtriage rules [--rules FILE] [-f table|json]\n"
    "       mxtriage rules --check FILE\n"
    "\n"
    "Print the classification rules and the provider table in the order\n"
    "they are tried (first match wins; the rules of --rules FILE come\n"
    "before the built-in ones), or check a rules file.\n"
    "\n"
    "  --rules FILE             add the rules and providers of FILE (JSON)\n"
    "  --check FILE             validate FILE: list every error with its\n"
    "                           position; exit 0 when valid, 2 when not\n"
    "  -f, --format table|json  output format\n"
    "  -h, --help               show this help\n";

struct check_ctx {
	int errors;
};

static void
report_error(void *arg, const struct mxt_error *e)
{
	struct check_ctx *ctx = arg;
	ctx->errors++;
	/* Messages quote the file (keys, patterns, values): escaped like log
	 * text, so a rules file cannot drive the terminal either. */
	char *src = mxt_escape_terminal(e->source, strlen(e->source), 0);
	char *text = mxt_escape_terminal(e->text, strlen(e->text), 0);
	if (e->line > 0 && e->column > 0)
		fprintf(stderr, "%s:%ld:%ld: %s\n", src, e->line, e->column,
		    text);
	else if (e->line > 0)
		fprintf(stderr, "%s:%ld: %s\n", src, e->line, text);
	else
		fprintf(stderr, "%s: %s\n", src, text);
	free(src);
	free(text);
}

int
cmd_rules(int argc, char **argv)
{
	enum { OPT_RULES = OPT_FIRST_FREE, OPT_CHECK };
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"rules", required_argument, NULL, OPT_RULES},
		{"check", required_argument, NULL, OPT_CHECK},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *rules = NULL, *check = NULL;
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (cli_table_or_json("rules", optarg, &json) < 0)
				return MXT_EXIT_USAGE;
			break;
		case OPT_RULES:
			rules = optarg;
			break;
		case OPT_CHECK:
			check = optarg;
			break;
		case 'h':
			cli_print(usage_text);
			return cli_stdout_done();
		default:
			fputs(usage_text, stderr);
			return MXT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		warnx("rules: unexpected argument '%s' (a file to check goes "
		    "after --check)", argv[optind]);
		return MXT_EXIT_USAGE;
	}
	if (check != NULL) {
		if (rules != NULL) {
			warnx("rules: give either --check FILE or --rules FILE");
			return MXT_EXIT_USAGE;
		}
		struct check_ctx ctx = {0};
		int n = mxt_rules_check(check, report_error, &ctx);
		if (n != 0) {
			char *name = mxt_escape_terminal(check, strlen(check), 0);
			fprintf(stderr, "%s: %d error%s\n", name, n,
			    n == 1 ? "" : "s");
			free(name);
			return MXT_EXIT_USAGE;
		}
		printf("%s: valid\n", check);
		return cli_stdout_done();
	}
	struct mxt_classifier *cls = cli_classifier(rules);
	if (cls == NULL)
		return MXT_EXIT_USAGE;
	char *text = mxt_rules_format(cls, json);
	cli_print(text);
	free(text);
	mxt_classifier_destroy(cls);
	return cli_stdout_done();
}
