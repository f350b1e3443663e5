/*
 * cmd_trace.c - `mxtriage trace`: the messages a selection touches, with
 * every raw log line of each (lib/trace.c does the two passes). Here: the
 * options, the inputs in time order, standard input spooled to a
 * temporary file (the trace reads its inputs twice), the exit status.
 */
#include "cli.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: mxtriage trace [OPTIONS] [FILE...]\n"
    "\n"
    "Print the messages that match the selection with every log line of\n"
    "each (smtpd, cleanup, qmgr, smtp, bounce, removed; Exim <= ... Completed)\n"
    "from all inputs, in time order, as 'source:line: line'. FILE may be\n"
    "compressed, or a directory; none or '-' reads standard input. At least\n"
    "one selection option is needed; several must all hold.\n"
    "\n"
    "  -q, --queue-id ID       Postfix queue id or Exim message id\n"
    "      --message-id ID     the Message-ID header (with or without <>)\n"
    "      --recipient GLOB    recipient address\n"
    "      --sender GLOB       envelope sender ('' = the null sender)\n"
    "      --domain GLOB       recipient domain\n"
    "      --provider LIST     recipient's provider (google,microsoft; none)\n"
    "      --relay GLOB        remote host name or address\n"
    "      --cause LIST        causes (greylisting,rate_limit,...)\n"
    "      --code LIST         reply codes (421,450 or 4xx; none)\n"
    "      --status LIST       statuses (deferred,bounced,...)\n"
    "      --direction DIR     out (our deliveries) or in (our rejections)\n"
    "      --log-host NAME     the host that logged the line\n"
    "      --when PREFIX       event time starting with PREFIX (2026-11-23T13)\n"
    "      --since TIME        events at or after TIME (as for the report)\n"
    "      --until TIME        events before TIME\n"
    "      --day DAY           one local calendar day\n"
    "  -f, --format FMT        table (default) or json\n"
    "      --max N             follow at most N messages (default 100000)\n"
    "      --rules FILE        classification rules tried before the built-in ones\n"
    "  -o, --output FILE       write to FILE instead of standard output\n"
    "      --year YYYY         year of traditional syslog lines\n"
    "      --syslog-name NAME  only Postfix lines logged as NAME/service\n"
    "      --mta MTA           only postfix or only exim lines\n"
    "      --host NAME         host of lines that name none (Exim's own logs)\n"
    "      --keep-order        read the inputs in the order given\n"
    "  -h, --help              show this help\n";

/* trace's own options; --domain, --provider, --relay, --cause, --code,
 * --status, --direction, --since, --until and --day have the shared ids
 * of cli.h, parsed here into a selection (a provider of '' is none) */
enum {
	OPT_MESSAGE_ID = OPT_FIRST_FREE, OPT_RECIPIENT, OPT_SENDER,
	OPT_LOG_HOST, OPT_WHEN, OPT_MAX, OPT_RULES,
};

struct trace_opts {
	struct mxt_trace_config cfg;
	bool json;
	const char *output, *rules;
	struct cli_filter window; /* the report's filter options, into
	                           * cfg.sel.filter */
	bool selection; /* a selection option was given */
};

/* Takes "none" (events without a reply code) out of a --code list,
 * in place, for the filter's parser that knows reply codes only; true
 * when the rest still holds an item. */
static bool
take_code_none(char *list, bool *none)
{
	char *out = list, *save = NULL;
	for (char *t = strtok_r(list, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "none") == 0) {
			*none = true;
			continue;
		}
		if (out != list)
			*out++ = ',';
		memmove(out, t, strlen(t));
		out += strlen(t);
	}
	*out = '\0';
	return out != list;
}

/* Returns MXT_EXIT_OK, a usage error, or -1 - status after --help. */
static int
parse_options(int argc, char **argv, struct trace_opts *o,
    struct cli_input *in)
{
	static const struct option longopts[] = {
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"queue-id", required_argument, NULL, 'q'},
		{"message-id", required_argument, NULL, OPT_MESSAGE_ID},
		{"recipient", required_argument, NULL, OPT_RECIPIENT},
		{"sender", required_argument, NULL, OPT_SENDER},
		{"domain", required_argument, NULL, OPT_DOMAIN},
		{"provider", required_argument, NULL, OPT_PROVIDER},
		{"relay", required_argument, NULL, OPT_RELAY},
		{"cause", required_argument, NULL, OPT_CAUSE},
		{"code", required_argument, NULL, OPT_CODE},
		{"status", required_argument, NULL, OPT_STATUS},
		{"direction", required_argument, NULL, OPT_DIRECTION},
		{"log-host", required_argument, NULL, OPT_LOG_HOST},
		{"when", required_argument, NULL, OPT_WHEN},
		{"since", required_argument, NULL, OPT_SINCE},
		{"until", required_argument, NULL, OPT_UNTIL},
		{"day", required_argument, NULL, OPT_DAY},
		{"max", required_argument, NULL, OPT_MAX},
		{"rules", required_argument, NULL, OPT_RULES},
		{"year", required_argument, NULL, OPT_YEAR},
		{"syslog-name", required_argument, NULL, OPT_SYSLOG_NAME},
		{"mta", required_argument, NULL, OPT_MTA},
		{"host", required_argument, NULL, OPT_HOST},
		{"keep-order", no_argument, NULL, OPT_KEEP_ORDER},
		{NULL, 0, NULL, 0},
	};
	struct mxt_trace_select *sel = &o->cfg.sel;
	int c, r;
	char *end;

	while ((c = getopt_long(argc, argv, "f:o:hq:", longopts, NULL)) != -1) {
		if ((r = cli_input_option(in, c, optarg)) != 0) {
			if (r < 0)
				return MXT_EXIT_USAGE;
			continue;
		}
		if (c != 'f' && c != 'o' && c != 'h' && c != OPT_MAX &&
		    c != OPT_RULES && c != '?')
			o->selection = true;
		switch (c) {
		case 'f':
			if (cli_table_or_json("trace", optarg, &o->json) < 0)
				return MXT_EXIT_USAGE;
			break;
		case 'o': o->output = optarg; break;
		case 'h':
			cli_print(usage_text);
			return -1 - cli_stdout_done();
		case 'q': sel->queue_id = optarg; break;
		case OPT_MESSAGE_ID: {
			/* "<id>" as in the header, or the bare id */
			size_t n = strlen(optarg);
			if (n >= 2 && optarg[0] == '<' && optarg[n - 1] == '>') {
				optarg[n - 1] = '\0';
				optarg++;
			}
			if (*optarg == '\0') {
				warnx("--message-id: the id is empty");
				return MXT_EXIT_USAGE;
			}
			sel->message_id = optarg;
			break;
		}
		case OPT_RECIPIENT: sel->recipient = optarg; break;
		case OPT_SENDER: sel->sender = optarg; break;
		case OPT_CODE:
			/* the filter's codes, and "none" of the trace's own */
			if (!take_code_none(optarg, &sel->no_code))
				break;
			/* FALLTHROUGH */
		case OPT_DOMAIN:
		case OPT_PROVIDER:
		case OPT_RELAY:
		case OPT_CAUSE:
		case OPT_STATUS:
		case OPT_DIRECTION:
		case OPT_SINCE:
		case OPT_UNTIL:
		case OPT_DAY:
			if (cli_filter_option(&o->window, c, optarg) < 0)
				return MXT_EXIT_USAGE;
			break;
		case OPT_LOG_HOST: sel->log_host = optarg; break;
		case OPT_WHEN: sel->when = optarg; break;
		case OPT_MAX: {
			long v = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || v < 1 ||
			    v > 10 * MXT_TRACE_MESSAGES_MAX) {
				warnx("--max: '%s' is not a count of messages "
				    "(1-%d)", optarg, 10 * MXT_TRACE_MESSAGES_MAX);
				return MXT_EXIT_USAGE;
			}
			o->cfg.max_messages = (size_t)v;
			break;
		}
		case OPT_RULES: o->rules = optarg; break;
		default:
			fputs(usage_text, stderr);
			return MXT_EXIT_USAGE;
		}
	}
	if (!o->selection) {
		warnx("trace: say which messages: --queue-id, --message-id, "
		    "--recipient, --domain, --cause, --status, --since ... "
		    "(see 'mxtriage trace --help')");
		return MXT_EXIT_USAGE;
	}
	return cli_filter_window(&o->window) < 0 ? MXT_EXIT_USAGE : MXT_EXIT_OK;
}

static void
on_error(void *arg, const struct mxt_error *e)
{
	(void)arg;
	if (e->line > 0 || e->column > 0)
		warnx("%s: %s, after line %ld; the lines before it were read",
		    e->source, e->text, e->line);
	else
		warnx("%s: %s", e->source, e->text);
}

static void
on_input_problem(void *arg, const char *path, const char *text, bool failed)
{
	(void)arg;
	(void)failed;
	warnx("%s: %s", path, text);
}

/* Copies standard input (or a pipe) to a temporary file: the trace reads
 * each input twice. Returns the file's path (malloc'd) or NULL. */
static char *
spool(const char *path)
{
	const char *dir = getenv("TMPDIR");
	char *tmp = NULL;
	if (asprintf(&tmp, "%s/mxtriage-trace.XXXXXX", dir && *dir ? dir :
	    "/tmp") < 0)
		return NULL;
	int fd = mkstemp(tmp);
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	FILE *out = fd >= 0 ? fdopen(fd, "wb") : NULL;
	char buf[65536];
	size_t n;
	bool ok = in != NULL && out != NULL;
	while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in != NULL && ferror(in))
		ok = false;
	if (out != NULL && fclose(out) != 0)
		ok = false;
	else if (out == NULL && fd >= 0)
		close(fd);
	if (in != NULL && in != stdin)
		fclose(in);
	if (!ok) {
		warn("%s: cannot keep a copy to read twice (in %s)",
		    strcmp(path, "-") == 0 ? "<stdin>" : path,
		    dir && *dir ? dir : "/tmp");
		if (fd >= 0)
			unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

int
cmd_trace(int argc, char **argv)
{
	struct trace_opts o = {0};
	struct cli_input in = {0};
	static char *stdin_only[] = {"-"};
	int status;

	mxt_filter_init(&o.cfg.sel.filter);
	o.window.filter = &o.cfg.sel.filter;
	if ((status = parse_options(argc, argv, &o, &in)) != MXT_EXIT_OK)
		return status < 0 ? -1 - status : status;
	char **files = argv + optind;
	int nfiles = argc - optind;
	if (cli_output_check("--output", o.output, files, nfiles) < 0)
		return MXT_EXIT_USAGE;
	struct mxt_classifier *cls = cli_classifier(o.rules);
	if (cls == NULL)
		return MXT_EXIT_USAGE;
	if (nfiles == 0) {
		files = stdin_only;
		nfiles = 1;
	}
	struct mxt_inputs_config icfg = {
		.year = in.year,
		.keep_order = in.keep_order,
		.on_problem = on_input_problem,
	};
	struct mxt_inputs *list = mxt_inputs_create((const char *const *)files,
	    (size_t)nfiles, &icfg);
	status = mxt_inputs_failed(list) > 0 ? MXT_EXIT_INPUT : MXT_EXIT_OK;
	size_t n = mxt_inputs_count(list);
	struct mxt_trace_input *inputs = calloc(n + 1, sizeof *inputs);
	char **spooled = calloc(n + 1, sizeof *spooled);
	if (inputs == NULL || spooled == NULL)
		err(MXT_EXIT_INPUT, NULL);
	size_t k = 0;
	cli_signals_install();
	for (size_t i = 0; i < n; i++) {
		const struct mxt_input *it = mxt_inputs_get(list, i);
		inputs[k].path = inputs[k].name = it->path;
		if (strcmp(it->path, "-") == 0)
			inputs[k].name = "<stdin>";
		if (it->fixed) {
			if ((spooled[i] = spool(it->path)) == NULL) {
				status = MXT_EXIT_INPUT;
				continue;
			}
			inputs[k].path = spooled[i];
		}
		k++;
	}

	struct cli_output output;
	int rc = -1;
	struct mxt_trace_result res = {0};
	if (cli_output_open(&output, o.output, stdout) == 0) {
		o.cfg.json = o.json;
		o.cfg.pass.year = in.year;
		o.cfg.pass.syslog_name = in.syslog_name;
		o.cfg.pass.mtas = in.mtas;
		o.cfg.pass.default_host = in.host;
		o.cfg.pass.classifier = cls;
		o.cfg.pass.stop = &cli_stop;
		o.cfg.on_error = on_error;
		rc = mxt_trace_run(&o.cfg, inputs, k, output.fp, &res);
		if (rc != 0)
			cli_output_failed(&output);
		if (res.inputs_failed)
			status = MXT_EXIT_INPUT;
		int stopped = cli_stopped_status();
		status = cli_worst(status, cli_output_close(&output,
		    stopped == 0));
		status = cli_worst(status, stopped);
	} else {
		status = MXT_EXIT_WRITE;
	}
	for (size_t i = 0; i < n; i++)
		if (spooled[i] != NULL) {
			unlink(spooled[i]);
			free(spooled[i]);
		}
	free(spooled);
	free(inputs);
	mxt_inputs_destroy(list);
	mxt_classifier_destroy(cls);
	if (rc == 0 && !cli_stop) {
		if (res.overflow_messages)
			warnx("note: %llu more messages matched past --max %zu; "
			    "they were not followed: narrow the selection "
			    "(--since, --queue-id, ...)",
			    (unsigned long long)res.overflow_messages,
			    o.cfg.max_messages ? o.cfg.max_messages :
			    (size_t)MXT_TRACE_MESSAGES_MAX);
		if (res.messages == 0)
			warnx("no message matched the selection");
	}
	return status;
}
