/*
 * fuzz_failon.c - one --fail-on condition: parsed, and when valid,
 * evaluated against an empty summary and one of a small fixed log (a
 * delivery, a deferral still pending, a bounce, a rejection).
 *
 * Checks: an error names a position inside the condition (or just past
 * its end) and says why; the explanation of an evaluation is a
 * NUL-terminated string that starts with the condition (its first 100
 * bytes at least).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtriage.h"

static struct mxt_summary *empty, *some;

static const char *const log_lines[] = {
	"Oct 22 04:05:40 mx postfix/qmgr[7]: ABCDE: from=<a@example.org>, "
	    "size=1200, nrcpt=3 (queue active)",
	"Oct 22 04:05:41 mx postfix/smtp[8]: ABCDE: to=<u@example.com>, "
	    "relay=mx.example.com[192.0.2.1]:25, delay=1.2, "
	    "delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
	"Oct 22 04:05:42 mx postfix/smtp[8]: ABCDE: to=<v@example.net>, "
	    "relay=mx.example.net[192.0.2.2]:25, delay=2, delays=0.1/0/1/0.9, "
	    "dsn=4.7.1, status=deferred (host mx.example.net[192.0.2.2] said: "
	    "450 4.7.1 Greylisted, try again later (in reply to RCPT TO "
	    "command))",
	"Oct 22 04:05:43 mx postfix/smtp[8]: ABCDE: to=<w@example.info>, "
	    "relay=mx.example.info[192.0.2.3]:25, delay=2, delays=0.1/0/1/0.9, "
	    "dsn=5.1.1, status=bounced (host mx.example.info[192.0.2.3] said: "
	    "550 5.1.1 No such user (in reply to RCPT TO command))",
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

static struct mxt_summary *
summary_of(const char *const *lines, size_t n,
    struct mxt_classifier *classifier)
{
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
		.event_arg = s,
	};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	for (size_t i = 0; i < n; i++)
		mxt_pass_line(p, "fixed", (long)i + 1, FUZZ_NOW, lines[i],
		    strlen(lines[i]));
	mxt_pass_finish(p);
	mxt_summary_finish(s, mxt_pass_stats(p));
	mxt_pass_destroy(p);
	return s;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mxt_error err;
	setenv("TZ", FUZZ_TZ, 1);
	struct mxt_classifier *c = mxt_classifier_create(NULL, &err);
	if (c == NULL)
		abort();
	empty = summary_of(NULL, 0, c);
	some = summary_of(log_lines, sizeof log_lines / sizeof log_lines[0], c);
	mxt_classifier_destroy(c);
	return 0;
}

static void
eval(const struct mxt_failon *f, const struct mxt_summary *s,
    const char *expr)
{
	char why[256];
	memset(why, 'x', sizeof why);
	mxt_failon_eval(f, s, why, sizeof why);
	size_t n = strnlen(why, sizeof why);
	/* the condition's own text comes first (a long one may be cut) */
	size_t want = strnlen(expr, 100);
	if (n == 0 || n == sizeof why ||
	    strncmp(why, expr, want < n ? want : n) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *expr = fuzz_string(data, size);
	struct mxt_error err;
	struct mxt_failon *f = mxt_failon_parse(expr, &err);
	if (f == NULL) {
		if (err.column < 1 || (size_t)err.column > strlen(expr) + 1 ||
		    err.text[0] == '\0')
			abort();
	} else {
		eval(f, empty, expr);
		eval(f, some, expr);
		mxt_failon_destroy(f);
	}
	free(expr);
	return 0;
}
