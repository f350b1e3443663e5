/*
 * cmd_events.c - `mxtriage events`: one event per line, JSON lines or CSV.
 */
#include "cli.h"

#include <err.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: mxtriage events [OPTIONS] [FILE...]\n"
    "\n"
    "Print every delivery attempt and every rejection as one event per line.\n"
    "FILE may be gzip-compressed; none or '-' reads standard input.\n"
    "\n"
    "  -f, --format FMT        jsonl (default) or csv\n"
    "      --csv-raw           keep cells starting with = + - @ as they are\n"
    "      --rules FILE        classification rules tried before the built-in ones\n"
    "  -o, --output FILE       write to FILE instead of standard output\n"
    "      --year YYYY         year of traditional syslog lines (default:\n"
    "                          from the file's modification time)\n"
    "      --syslog-name NAME  only Postfix lines logged as NAME/service\n"
    "      --mta MTA           only postfix or only exim lines (default: both,\n"
    "                          recognised line by line)\n"
    "      --show-unparsed[=FILE]  list mail lines not understood (stderr)\n"
    "  -h, --help              show this help\n";

struct events_ctx {
	struct mxt_event_writer *w;
	bool write_failed;
};

static void
on_event(void *arg, const struct mxt_event *ev)
{
	struct events_ctx *c = arg;
	if (!c->write_failed && mxt_event_writer_write(c->w, ev) != 0)
		c->write_failed = true;
}

int
cmd_events(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"csv-raw", no_argument, NULL, OPT_CSV_RAW},
		{"rules", required_argument, NULL, OPT_FIRST_FREE},
		{"help", no_argument, NULL, 'h'},
		CLI_INPUT_LONGOPTS,
		{NULL, 0, NULL, 0},
	};
	struct cli_input in = {0};
	enum mxt_event_format fmt = MXT_EVFMT_JSONL;
	const char *output = NULL, *rules = NULL;
	bool csv_raw = false;
	int c, r;

	while ((c = getopt_long(argc, argv, "f:o:h", longopts, NULL)) != -1) {
		if ((r = cli_input_option(&in, c, optarg)) != 0) {
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
		case 'h':
			fputs(usage_text, stdout);
			return MXT_EXIT_OK;
		default:
			fputs(usage_text, stderr);
			return MXT_EXIT_USAGE;
		}
	}

	struct mxt_classifier *cls = cli_classifier(rules);
	if (cls == NULL)
		return MXT_EXIT_USAGE;
	FILE *out = cli_open_output(output);
	struct events_ctx ctx = {mxt_event_writer_create(out, fmt, csv_raw),
	    false};
	struct mxt_pass_config cfg = {
		.on_event = on_event,
		.event_arg = &ctx,
		.classifier = cls,
	};
	int status = cli_run_pass(&in, &cfg, argv + optind, argc - optind, NULL);
	mxt_event_writer_destroy(ctx.w);
	mxt_classifier_destroy(cls);
	if (cli_close_output(out, output) != 0 || ctx.write_failed)
		return status == MXT_EXIT_OK ? MXT_EXIT_INPUT : status;
	return status;
}
