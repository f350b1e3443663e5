/*
 * fuzz_by.c - a --by key list, parsed and, when valid, used: a summary
 * grouped by those keys over a small fixed log (with a sender and a
 * recipient domain near the longest a line can hold, so group keys
 * reach their limits), written in the three report formats.
 *
 * Checks: an error names a position inside the list and says why; a
 * valid list gives 1..MXT_MAX_KEYS known keys.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtriage.h"

static struct mxt_classifier *classifier;
static FILE *devnull;
static char *lines[4];
static size_t nlines;

static void
on_event(void *arg, const struct mxt_event *ev)
{
	mxt_summary_add(arg, ev);
}

/* Adds the line before + local@domain + after. */
static void
add_line(const char *before, const char *local, const char *domain,
    const char *after)
{
	size_t n = strlen(before) + strlen(local) + strlen(domain) +
	    strlen(after) + 2;
	lines[nlines] = malloc(n);
	if (lines[nlines] == NULL)
		abort();
	snprintf(lines[nlines++], n, "%s%s@%s%s", before, local, domain, after);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup(&classifier, &devnull);

	static char local[3000], domain[3000];
	memset(local, 's', sizeof local - 1);
	memset(domain, 'd', sizeof domain - 1);
	memcpy(domain + sizeof domain - 5, ".com", 5);
	add_line("Oct 22 04:05:40 mx postfix/qmgr[7]: ABCDE: from=<", local,
	    domain, ">, size=1200, nrcpt=1 (queue active)");
	add_line("Oct 22 04:05:42 mx postfix/smtp[8]: ABCDE: to=<", local,
	    domain, ">, relay=mx.example.net[192.0.2.2]:25, delay=2, "
	    "delays=0.1/0/1/0.9, dsn=4.7.1, status=deferred (host "
	    "mx.example.net[192.0.2.2] said: 450 4.7.1 Greylisted, try again "
	    "later (in reply to RCPT TO command))");
	add_line("Oct 22 06:00:00 mx postfix/smtpd[9]: NOQUEUE: reject: RCPT "
	    "from unknown[198.51.100.7]: 554 5.7.1 Service unavailable; Client "
	    "host [198.51.100.7] blocked using zen.spamhaus.org; from=<", local,
	    domain, "> to=<u@example.org> proto=ESMTP helo=<spam.example>");
	add_line("2026-10-22 07:00:00 1vABCD-000123-AB == ", local, domain,
	    " R=dnslookup T=remote_smtp defer (-53): retry time not reached "
	    "for any host");
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *list = fuzz_string(data, size);
	struct mxt_summary_config sc = {.nby = 0};
	struct mxt_error err;
	int n = mxt_key_list_parse(list, sc.by, &err);
	if (n < 0) {
		if (err.text[0] == '\0' || err.column < 0 ||
		    (size_t)err.column > strlen(list) + 1)
			abort();
		free(list);
		return 0;
	}
	if (n < 1 || n > MXT_MAX_KEYS)
		abort();
	sc.nby = (size_t)n;
	for (size_t k = 0; k < sc.nby; k++)
		if ((unsigned)sc.by[k] >= MXT_KEY_COUNT)
			abort();
	mxt_filter_init(&sc.filter);

	struct mxt_summary *s = mxt_summary_create(&sc);
	struct mxt_pass_config cfg = {
		.year = 2026,
		.classifier = classifier,
		.on_event = on_event,
		.event_arg = s,
		.track_cap = 8,
	};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	for (size_t i = 0; i < nlines; i++)
		mxt_pass_line(p, "fixed", (long)i + 1, FUZZ_NOW, lines[i],
		    strlen(lines[i]));
	mxt_pass_finish(p);
	mxt_summary_finish(s, mxt_pass_stats(p));
	static const char *const inputs[] = {"fixed"};
	for (int f = 0; f < MXT_REPORT_COUNT; f++) {
		struct mxt_report_options ro = {
			.format = (enum mxt_report_format)f,
			.width = 80,
			.inputs = inputs,
			.ninputs = 1,
		};
		mxt_report_write(s, &ro, devnull);
	}
	mxt_pass_destroy(p);
	mxt_summary_destroy(s);
	free(list);
	return 0;
}
