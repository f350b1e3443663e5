/*
 * fuzz_line.c - log lines through the whole pass, as `mxtriage` and
 * `mxtriage events` run it: header parsing, both MTA dialects, the
 * built-in classifier, three summaries that together group by every
 * --by key (one with filters), the three report formats, the two event
 * formats and --fail-on.
 *
 * The input is split at newlines; one line is the usual case, several
 * let the fuzzer join lines by queue id. Each line is handed over in a
 * buffer of exactly its size plus the NUL the reader guarantees, and
 * every string of every event is read to its end, so a parser that
 * returns a slice reaching outside the line is caught at once.
 *
 * Checks beyond the sanitizers: the summary's count per status equals
 * the events it was given, and `failures` (deferred + bounced + expired
 * without cached repeats) never exceeds deferred + bounced + expired.
 * The same lines also go through mxt_pass_warm_line, as a piece of
 * --jobs reads the lines before its cut, before the last of them is
 * read as usual: the dialects with a sink that keeps only earlier MX
 * replies, and nothing may come out of it.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtriage.h"
#include "pass.h"

static struct mxt_classifier *classifier;
static FILE *devnull;
/* made once: each holds a 200 KB buffer that would cost more to map per
 * input than the rest of the run (the CSV header is written once) */
static struct mxt_event_writer *jsonl, *csv;

static const enum mxt_key key_sets[3][MXT_MAX_KEYS] = {
	{MXT_KEY_DOMAIN, MXT_KEY_CAUSE, MXT_KEY_CODE, MXT_KEY_RELAY},
	{MXT_KEY_SENDER, MXT_KEY_SENDER_DOMAIN, MXT_KEY_HOST, MXT_KEY_MTA},
	{MXT_KEY_DIRECTION, MXT_KEY_PROVIDER, MXT_KEY_HOUR, MXT_KEY_DAY},
};

struct run {
	struct mxt_summary *sum[3];
	uint64_t events[MXT_STATUS_COUNT];
};

static void
touch_str(struct mxt_str s)
{
	if (s.len > 0 && s.ptr == NULL)
		abort();
	fuzz_touch(s.ptr, s.len);
}

static void
on_event(void *arg, const struct mxt_event *ev)
{
	struct run *r = arg;

	if ((unsigned)ev->status >= MXT_STATUS_COUNT ||
	    (unsigned)ev->mta >= MXT_MTA_COUNT ||
	    (unsigned)ev->direction >= MXT_DIR_COUNT ||
	    (unsigned)ev->phase >= MXT_PHASE_COUNT ||
	    (unsigned)ev->cause >= MXT_CAUSE_COUNT ||
	    memchr(ev->dsn, '\0', sizeof ev->dsn) == NULL)
		abort();
	touch_str(ev->host);
	touch_str(ev->service);
	touch_str(ev->queue_id);
	touch_str(ev->recipient);
	touch_str(ev->domain);
	touch_str(ev->sender);
	touch_str(ev->sender_domain);
	touch_str(ev->relay);
	touch_str(ev->relay_ip);
	touch_str(ev->text);
	if (ev->provider != NULL)
		fuzz_touch(ev->provider, strlen(ev->provider));

	r->events[ev->status]++;
	for (int i = 0; i < 3; i++)
		mxt_summary_add(r->sum[i], ev);
	mxt_event_writer_write(jsonl, ev);
	mxt_event_writer_write(csv, ev);
}

static void
on_message_end(void *arg, struct mxt_str host, struct mxt_str queue_id)
{
	struct run *r = arg;
	touch_str(host);
	touch_str(queue_id);
	for (int i = 0; i < 3; i++)
		mxt_summary_message_end(r->sum[i], host, queue_id);
}

static void
on_message_start(void *arg, struct mxt_str host, struct mxt_str queue_id)
{
	struct run *r = arg;
	touch_str(host);
	touch_str(queue_id);
	for (int i = 0; i < 3; i++)
		mxt_summary_message_start(r->sum[i], host, queue_id);
}

static void
on_unparsed(void *arg, const char *source, long line_no, const char *reason,
    const char *line, size_t len)
{
	fuzz_touch(reason, strlen(reason));
	fuzz_touch(line, len);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup(&classifier, &devnull);
	jsonl = mxt_event_writer_create(devnull, MXT_EVFMT_JSONL, false);
	csv = mxt_event_writer_create(devnull, MXT_EVFMT_CSV, false);
	return 0;
}

/* Aborts unless `metric op value` holds for s. */
static void
check(const struct mxt_summary *s, const char *metric, const char *op,
    uint64_t value)
{
	char expr[96], why[256];
	struct mxt_error err;
	snprintf(expr, sizeof expr, "%s%s%llu", metric, op,
	    (unsigned long long)value);
	struct mxt_failon *f = mxt_failon_parse(expr, &err);
	if (f == NULL)
		abort();
	if (!mxt_failon_eval(f, s, why, sizeof why)) {
		fprintf(stderr, "summary check failed: %s\n", why);
		abort();
	}
	mxt_failon_destroy(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = {0};
	for (int i = 0; i < 3; i++) {
		struct mxt_summary_config sc = {.nby = MXT_MAX_KEYS};
		memcpy(sc.by, key_sets[i], sizeof sc.by);
		mxt_filter_init(&sc.filter);
		if (i == 2) {
			/* a window, a domain glob and a code class */
			sc.filter.has_since = sc.filter.has_until = true;
			sc.filter.since = 1700000000;
			sc.filter.until = 1900000000;
			sc.filter.domain_glob = "*.[a-m]*";
			sc.filter.codes[sc.filter.ncodes++] = 4;
			sc.filter.codes[sc.filter.ncodes++] = 550;
		}
		r.sum[i] = mxt_summary_create(&sc);
	}

	struct mxt_pass_config cfg = {
		.classifier = classifier,
		.on_event = on_event,
		.event_arg = &r,
		.on_message_end = on_message_end,
		.on_message_start = on_message_start,
		.on_unparsed = on_unparsed,
		/* a small tracker: cheap to make, and it overflows (the
		 * default one is 2 MB of buckets per input) */
		.track_cap = 8,
	};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	long line_no = 0;
	size_t at = 0, len;
	for (char *line; (line = fuzz_next_line(data, size, &at, &len));) {
		mxt_pass_line(p, "fuzz", ++line_no, FUZZ_NOW, line, len);
		free(line);
	}
	mxt_pass_finish(p);

	static const char *const inputs[] = {"fuzz"};
	for (int i = 0; i < 3; i++) {
		mxt_summary_finish(r.sum[i], mxt_pass_stats(p));
		struct mxt_report_options ro = {
			.format = (enum mxt_report_format)i,
			.top = i == 0 ? 20 : 0,
			.width = 80,
			.color = true,
			.utf8 = true,
			.inputs = inputs,
			.ninputs = 1,
		};
		mxt_report_write(r.sum[i], &ro, devnull);
	}
	/* summary 0 has no filter: it counted every event */
	static const char *const status_metric[MXT_STATUS_COUNT] = {
		"delivered", "deferred", "bounced", "expired", "rejected",
	};
	for (int st = 0; st < MXT_STATUS_COUNT; st++)
		check(r.sum[0], status_metric[st], "=", r.events[st]);
	check(r.sum[0], "failures", "<=", r.events[MXT_STATUS_DEFERRED] +
	    r.events[MXT_STATUS_BOUNCED] + r.events[MXT_STATUS_EXPIRED]);

	mxt_pass_destroy(p);

	/* warm lines, then the last line read as usual: only that line's
	 * events may come out */
	struct run w = {0};
	cfg.event_arg = &w;
	struct mxt_summary_config wc = {.nby = 1, .by = {MXT_KEY_DOMAIN}};
	for (int i = 0; i < 3; i++)
		w.sum[i] = mxt_summary_create(&wc);
	p = mxt_pass_create(&cfg);
	line_no = 0;
	at = 0;
	char *last = NULL;
	size_t last_len = 0;
	for (char *line; (line = fuzz_next_line(data, size, &at, &len));) {
		mxt_pass_warm_line(p, "fuzz", ++line_no - 1000000, FUZZ_NOW,
		    line, len);
		free(last);
		last = line;
		last_len = len;
	}
	uint64_t warm_events = 0;
	for (int st = 0; st < MXT_STATUS_COUNT; st++)
		warm_events += w.events[st];
	if (warm_events != 0 || mxt_pass_stats(p)->lines != 0) {
		fprintf(stderr, "warm lines gave %llu events, %llu lines\n",
		    (unsigned long long)warm_events,
		    (unsigned long long)mxt_pass_stats(p)->lines);
		abort();
	}
	if (last != NULL)
		mxt_pass_line(p, "fuzz", 1, FUZZ_NOW, last, last_len);
	free(last);
	mxt_pass_finish(p);
	mxt_pass_destroy(p);
	for (int i = 0; i < 3; i++) {
		mxt_summary_destroy(w.sum[i]);
		mxt_summary_destroy(r.sum[i]);
	}
	return 0;
}
