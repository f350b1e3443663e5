/*
 * fuzz_trace.c - `mxtriage trace`: its selection (lib/trace.c) and the
 * trace commands the reports print for their rows (lib/trace_cmd.c).
 *
 * The input's first line is a selection, its values separated by tabs
 * (recipient, sender, relay, when, queue id, log host, Message-ID,
 * provider; an empty value is none); the other lines are a log.
 *
 * 1. mxt_trace_run on the log with that selection, as text and as JSON
 *    (at most four messages followed, so that the overflow is reached).
 *    Checks: the JSON is one valid document (a NUL byte of the log as
 *    \u0000, which JSON allows) of the trace schema whose
 *    messages are as many as the count it says and the result says; the
 *    text run counts the same.
 * 2. A summary of the log grouped by domain, sender, relay and host, and
 *    the trace command of each group (at most eight). Checks: the shell
 *    reads the command as words without running anything (wordexp(3)
 *    with WRDE_NOCMD: a command substitution is refused), starting with
 *    "mxtriage trace"; and the selection those words make (--domain,
 *    --sender, --relay, --log-host, --status, read here as cmd/ reads
 *    them) selects at least one event of the log: a row's command lists
 *    its messages.
 */
#include "fuzz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wordexp.h>

#include "mxtriage.h"
#include "summary.h"
#include "trace.h"

static struct mxt_classifier *classifier;
static FILE *devnull;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup(&classifier, &devnull);
	return 0;
}

/* ---- 1. the trace itself ---------------------------------------------- */

/* The selection of line [0, len): tab-separated values, copied into
 * vals[] (freed by the caller). */
static void
selection(const char *line, size_t len, char *vals[8],
    struct mxt_trace_select *sel)
{
	const char **field[8] = {&sel->recipient, &sel->sender,
	    &sel->filter.relay_glob, &sel->when, &sel->queue_id,
	    &sel->log_host, &sel->message_id, &sel->filter.providers[0]};
	mxt_filter_init(&sel->filter);
	sel->filter.providers[0] = NULL;
	size_t at = 0;
	for (int i = 0; i < 8; i++) {
		vals[i] = NULL;
		if (at > len)
			continue;
		const char *tab = memchr(line + at, '\t', len - at);
		size_t n = tab ? (size_t)(tab - (line + at)) : len - at;
		if (n > 0 && memchr(line + at, '\0', n) == NULL) {
			vals[i] = strndup(line + at, n);
			*field[i] = vals[i];
		}
		at += n + 1;
	}
	sel->filter.nproviders = sel->filter.providers[0] != NULL;
}

static char *
run_trace(const struct mxt_trace_config *cfg, const char *path,
    struct mxt_trace_result *res, size_t *size)
{
	struct mxt_trace_input in = {path, "fuzz"};
	char *out = NULL;
	FILE *fp = open_memstream(&out, size);
	if (fp == NULL || mxt_trace_run(cfg, &in, 1, fp, res) < 0)
		abort();
	fclose(fp);
	return out;
}

static void
trace(const char *log_path, const struct mxt_trace_select *sel)
{
	struct mxt_trace_config cfg = {
		.pass = {.year = 2026, .classifier = classifier},
		.sel = *sel,
		.max_messages = 4,
	};
	struct mxt_trace_result text, js;
	size_t n;
	free(run_trace(&cfg, log_path, &text, &n));
	cfg.json = true;
	char *doc = run_trace(&cfg, log_path, &js, &n);
	json_error_t je;
	json_t *root = json_loadb(doc, n, JSON_ALLOW_NUL, &je);
	if (root == NULL) {
		fprintf(stderr, "trace -f json is not JSON: %s (line %d)\n",
		    je.text, je.line);
		abort();
	}
	const char *schema = json_string_value(json_object_get(root,
	    "schema"));
	json_t *msgs = json_object_get(root, "messages");
	json_t *count = json_object_get(root, "count");
	if (schema == NULL || strcmp(schema, MXT_TRACE_SCHEMA) != 0 ||
	    !json_is_array(msgs) || !json_is_integer(count) ||
	    (uint64_t)json_integer_value(count) != js.messages ||
	    json_array_size(msgs) != js.messages) {
		fprintf(stderr, "trace -f json: not the schema, or the count "
		    "is not the messages (%llu)\n",
		    (unsigned long long)js.messages);
		abort();
	}
	if (text.messages != js.messages || text.lines != js.lines ||
	    text.selected != js.selected ||
	    text.overflow_messages != js.overflow_messages) {
		fprintf(stderr, "text and JSON traces differ: messages %llu/"
		    "%llu, lines %llu/%llu\n",
		    (unsigned long long)text.messages,
		    (unsigned long long)js.messages,
		    (unsigned long long)text.lines,
		    (unsigned long long)js.lines);
		abort();
	}
	json_decref(root);
	free(doc);
}

/* ---- 2. the trace commands of a summary's rows ------------------------ */

struct count {
	const struct mxt_trace_select *sel;
	struct mxt_summary *sum;
	uint64_t selected;
};

static void
on_event(void *arg, const struct mxt_event *ev)
{
	struct count *c = arg;
	if (c->sum != NULL)
		mxt_summary_add(c->sum, ev);
	if (c->sel != NULL && mxt_trace_select_event(c->sel, ev))
		c->selected++;
}

static void
on_message_end(void *arg, struct mxt_str host, struct mxt_str queue_id)
{
	struct count *c = arg;
	if (c->sum != NULL)
		mxt_summary_message_end(c->sum, host, queue_id);
}

static void
on_message_start(void *arg, struct mxt_str host, struct mxt_str queue_id)
{
	struct count *c = arg;
	if (c->sum != NULL)
		mxt_summary_message_start(c->sum, host, queue_id);
}

/* One pass over lines[0..n) with c's summary and selection. */
static struct mxt_pass *
pass_over(char **lines, const size_t *lens, size_t n, struct count *c)
{
	struct mxt_pass_config cfg = {
		.year = 2026,
		.classifier = classifier,
		.on_event = on_event,
		.on_message_end = on_message_end,
		.on_message_start = on_message_start,
		.event_arg = c,
		.track_cap = 8,
	};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	for (size_t i = 0; i < n; i++)
		mxt_pass_line(p, "fuzz", (long)i + 2, FUZZ_NOW, lines[i],
		    lens[i]);
	mxt_pass_finish(p);
	return p;
}

static void
bad_command(const char *cmd, const char *why)
{
	fprintf(stderr, "trace command: %s: %s\n", why, cmd);
	abort();
}

/* The selection of a trace command's words, as cmd/mxtriage reads them. */
static void
command_selection(const char *cmd, char **w, size_t n,
    struct mxt_trace_select *sel)
{
	memset(sel, 0, sizeof *sel);
	mxt_filter_init(&sel->filter);
	if (n < 2 || strcmp(w[0], "mxtriage") != 0 || strcmp(w[1], "trace"))
		bad_command(cmd, "not 'mxtriage trace'");
	for (size_t i = 2; i < n; i++) {
		const char *o = w[i];
		if (strncmp(o, "--", 2) != 0)
			continue; /* an input */
		if (i + 1 >= n)
			bad_command(cmd, "an option without its value");
		const char *v = w[++i];
		if (strcmp(o, "--domain") == 0) {
			sel->filter.domain_glob = v;
		} else if (strcmp(o, "--sender") == 0) {
			sel->sender = v;
		} else if (strcmp(o, "--relay") == 0) {
			sel->filter.relay_glob = v;
		} else if (strcmp(o, "--log-host") == 0) {
			sel->log_host = v;
		} else if (strcmp(o, "--status") == 0) {
			sel->filter.any_status = false;
			for (int st = 0; st < MXT_STATUS_COUNT; st++) {
				const char *name = mxt_status_name(st);
				const char *at = strstr(v, name);
				size_t k = strlen(name);
				sel->filter.statuses[st] = at != NULL &&
				    (at == v || at[-1] == ',') &&
				    (at[k] == '\0' || at[k] == ',');
			}
		} else {
			bad_command(cmd, "an option this target does not know");
		}
	}
}

static void
commands(char **lines, const size_t *lens, size_t n)
{
	struct mxt_summary_config sc = {
		.by = {MXT_KEY_DOMAIN, MXT_KEY_SENDER, MXT_KEY_RELAY,
		    MXT_KEY_HOST},
		.nby = 4,
	};
	mxt_filter_init(&sc.filter);
	struct count c = {.sum = mxt_summary_create(&sc)};
	struct mxt_pass *p = pass_over(lines, lens, n, &c);
	mxt_summary_finish(c.sum, mxt_pass_stats(p));
	mxt_pass_destroy(p);

	struct group **g = mxt_summary_sorted_groups(c.sum);
	size_t ng = mxt_summary_ngroups(c.sum);
	for (size_t i = 0; i < ng && i < 8; i++) {
		char *cmd = mxt_trace_command_group(c.sum, g[i]);
		wordexp_t we;
		int rc = wordexp(cmd, &we, WRDE_NOCMD | WRDE_UNDEF);
		if (rc != 0) {
			fprintf(stderr, "wordexp: %d\n", rc);
			bad_command(cmd, "not shell words without a command");
		}
		struct mxt_trace_select sel;
		command_selection(cmd, we.we_wordv, we.we_wordc, &sel);
		struct count sc2 = {.sel = &sel};
		mxt_pass_destroy(pass_over(lines, lens, n, &sc2));
		if (sc2.selected == 0)
			bad_command(cmd, "selects no event of its row");
		wordfree(&we);
		free(cmd);
	}
	free(g);
	mxt_summary_destroy(c.sum);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	if (nl == NULL)
		return 0;
	size_t first = (size_t)(nl - data);
	char *vals[8];
	struct mxt_trace_select sel = {0};
	selection((const char *)data, first, vals, &sel);
	const uint8_t *log = nl + 1;
	size_t logn = size - first - 1;

	trace(fuzz_file(1, log, logn), &sel);

	size_t n = 0;
	char **lines = malloc((logn + 1) * sizeof *lines);
	size_t *lens = malloc((logn + 1) * sizeof *lens);
	if (lines == NULL || lens == NULL)
		abort();
	for (size_t at = 0; (lines[n] = fuzz_next_line(log, logn, &at,
	    &lens[n])) != NULL; n++)
		;
	commands(lines, lens, n);
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	free(lens);
	for (int i = 0; i < 8; i++)
		free(vals[i]);
	return 0;
}
