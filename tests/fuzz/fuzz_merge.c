/*
 * fuzz_merge.c - `mxtriage merge`: a JSON summary (schema
 * mxtriage.summary/2) loaded, written back, and merged with a summary of
 * a small fixed log in both orders, each result written in the three
 * report formats.
 *
 * Checks: writing is a fixed point after one load (a summary loaded from
 * what mxtriage wrote writes the same bytes again); what was written
 * loads; a load error says why.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtriage.h"

static struct mxt_classifier *classifier;
static FILE *devnull;
static char *fixed_json;
static size_t fixed_len;

static const char *const log_lines[] = {
	"Oct 22 04:05:40 mx postfix/cleanup[6]: ABCDE: "
	    "message-id=<1@example.org>",
	"Oct 22 04:05:40 mx postfix/qmgr[7]: ABCDE: from=<a@example.org>, "
	    "size=1200, nrcpt=2 (queue active)",
	"Oct 22 04:05:41 mx postfix/smtp[8]: ABCDE: to=<u@example.com>, "
	    "relay=mx.example.com[192.0.2.1]:25, delay=1.2, "
	    "delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
	"Oct 22 04:05:42 mx postfix/smtp[8]: ABCDE: to=<v@example.net>, "
	    "relay=mx.example.net[192.0.2.2]:25, delay=2, delays=0.1/0/1/0.9, "
	    "dsn=4.7.1, status=deferred (host mx.example.net[192.0.2.2] said: "
	    "450 4.7.1 Greylisted, try again later (in reply to RCPT TO "
	    "command))",
	"Oct 22 06:00:00 mx postfix/smtpd[9]: NOQUEUE: reject: RCPT from "
	    "unknown[198.51.100.7]: 554 5.7.1 Service unavailable; Client host "
	    "[198.51.100.7] blocked using zen.spamhaus.org; "
	    "from=<x@spam.example> to=<u@example.org> proto=ESMTP "
	    "helo=<spam.example>",
};

static void
on_event(void *arg, const struct mxt_event *ev)
{
	mxt_summary_add(arg, ev);
}

static void
on_message_end(void *arg, struct mxt_str host, struct mxt_str queue_id)
{
	mxt_summary_message_end(arg, host, queue_id);
}

static void
on_message_start(void *arg, struct mxt_str host, struct mxt_str queue_id)
{
	mxt_summary_message_start(arg, host, queue_id);
}

/* s as the JSON report, malloc'd, in *len bytes. */
static char *
to_json(const struct mxt_summary *s, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	static const char *const inputs[] = {"fuzz"};
	struct mxt_report_options ro = {
		.format = MXT_REPORT_JSON,
		.inputs = inputs,
		.ninputs = 1,
	};
	if (fp == NULL || mxt_report_write(s, &ro, fp) != 0 || fclose(fp) != 0)
		abort();
	return buf;
}

static void
write_all(const struct mxt_summary *s)
{
	static const char *const inputs[] = {"fuzz"};
	for (int f = 0; f < MXT_REPORT_COUNT; f++) {
		struct mxt_report_options ro = {
			.format = (enum mxt_report_format)f,
			.width = 80,
			.inputs = inputs,
			.ninputs = 1,
		};
		mxt_report_write(s, &ro, devnull);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mxt_error err;
	setenv("TZ", FUZZ_TZ, 1);
	classifier = mxt_classifier_create(NULL, &err);
	devnull = fopen("/dev/null", "w");
	if (classifier == NULL || devnull == NULL)
		abort();
	struct mxt_summary_config sc = {
		.by = {MXT_KEY_DOMAIN, MXT_KEY_CAUSE},
		.nby = 2,
	};
	mxt_filter_init(&sc.filter);
	struct mxt_summary *s = mxt_summary_create(&sc);
	struct mxt_pass_config cfg = {
		.year = 2026,
		.classifier = classifier,
		.on_event = on_event,
		.on_message_end = on_message_end,
		.on_message_start = on_message_start,
		.event_arg = s,
		.track_cap = 8,
	};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	for (size_t i = 0; i < sizeof log_lines / sizeof log_lines[0]; i++)
		mxt_pass_line(p, "fixed", (long)i + 1, FUZZ_NOW, log_lines[i],
		    strlen(log_lines[i]));
	mxt_pass_finish(p);
	mxt_summary_finish(s, mxt_pass_stats(p));
	fixed_json = to_json(s, &fixed_len);
	mxt_pass_destroy(p);
	mxt_summary_destroy(s);
	return 0;
}

/* The summary of json[0..len), loaded through a file (slot). */
static struct mxt_summary *
load(int slot, const void *json, size_t len, struct mxt_error *err)
{
	return mxt_summary_load(fuzz_file(slot, json, len), err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mxt_error err;
	memset(&err, 0, sizeof err);
	struct mxt_summary *s = load(0, data, size, &err);
	if (s == NULL) {
		if (err.text[0] == '\0')
			abort();
		return 0;
	}

	size_t n1, n2;
	char *j1 = to_json(s, &n1);
	struct mxt_summary *s1 = load(1, j1, n1, &err);
	if (s1 == NULL) {
		fprintf(stderr, "what was written does not load: %s\n",
		    err.text);
		abort();
	}
	char *j2 = to_json(s1, &n2);
	if (n1 != n2 || memcmp(j1, j2, n1) != 0) {
		fprintf(stderr, "written, loaded and written again: %zu bytes, "
		    "then %zu, not the same\n", n1, n2);
		abort();
	}
	free(j1);
	free(j2);
	mxt_summary_destroy(s1);

	/* the fixed summary, then the input's; and the other way round */
	struct mxt_summary *d = load(2, fixed_json, fixed_len, &err);
	if (d == NULL)
		abort();
	if (mxt_summary_merge(d, s, classifier, &err) == 0)
		write_all(d);
	mxt_summary_destroy(d);
	d = load(2, fixed_json, fixed_len, &err);
	if (mxt_summary_merge(s, d, classifier, &err) == 0)
		write_all(s);
	mxt_summary_destroy(d);
	mxt_summary_destroy(s);
	return 0;
}
