/*
 * cmd_explain.c - `mxtriage explain CODE|DSN|CAUSE ...`: what reply codes,
 * enhanced status codes and causes mean, and what to do. Thin: parsing
 * the arguments and formatting live in lib/explain.c.
 */
#include "cli.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: mxtriage explain [-f table|json] CODE|DSN|CAUSE ...\n"
    "\n"
    "Explain SMTP reply codes (451), enhanced status codes (4.7.1, X.7.26),\n"
    "a reply code with its enhanced code (\"451 4.3.0\" or 451 4.3.0), and\n"
    "causes (greylisting): meaning, likely causes, next steps.\n"
    "\n"
    "  -f, --format table|json  output format (table: text for reading)\n"
    "  -h, --help               show this help\n"
    "\n"
    "Cause ids: greylisting rate_limit server_busy dns routing auth\n"
    "relay_denied blocklist sender_auth tls policy content mailbox_full\n"
    "unknown_user bad_domain sender_rejected client_hostname message_size\n"
    "connection suspended expired other\n";

int
cmd_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool json = false;
	int c;

	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			/* "text" is an older name of table */
			if (strcmp(optarg, "text") == 0)
				json = false;
			else if (cli_table_or_json("explain", optarg, &json) < 0)
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
	int nargs = argc - optind;
	if (nargs == 0) {
		warnx("explain: nothing to explain; give a reply code (451), an "
		    "enhanced status code (4.7.1) or a cause id (greylisting)");
		fputs(usage_text, stderr);
		return MXT_EXIT_USAGE;
	}
	struct mxt_explain_query *q = calloc((size_t)nargs, sizeof *q);
	if (q == NULL)
		err(MXT_EXIT_USAGE, "calloc");
	struct mxt_error e;
	memset(&e, 0, sizeof e);
	/* one classifier (the built-in rules) for parsing and explaining */
	struct mxt_classifier *cls = mxt_classifier_create(NULL, NULL);
	if (cls == NULL)
		errx(MXT_EXIT_USAGE, "explain: the built-in rules do not compile");
	int n = mxt_explain_parse(argv + optind, nargs, q, (size_t)nargs, cls,
	    &e);
	if (n < 0) {
		warnx("explain: %s", e.text);
		mxt_classifier_destroy(cls);
		free(q);
		return MXT_EXIT_USAGE;
	}
	char *text = mxt_explain_format(q, (size_t)n, json, cls);
	mxt_classifier_destroy(cls);
	cli_print(text);
	free(text);
	free(q);
	return cli_stdout_done();
}
