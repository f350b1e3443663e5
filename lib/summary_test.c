/*
 * summary_test.c - the summary on events made here: the window, retry
 * outcomes, cached repeats, distinct messages, ids that come back, and
 * merging two summaries of consecutive pieces of one event stream.
 */
#include "testutil.h"

#include "summary.h"

#include <stdlib.h>
#include <string.h>

struct ev {
	const char *status, *cause, *qid, *rcpt;
	long t;
	bool start; /* msg_start_seen */
};

static struct mxt_event
make(const struct ev *e)
{
	struct mxt_event ev = test_event(e->status, e->cause, e->rcpt, e->t);
	ev.queue_id = mxt_str_make(e->qid, strlen(e->qid));
	ev.msg_start_seen = e->start;
	return ev;
}

/* Feeds evs[from, to) to s; "start" rows announce the message first. */
static void
feed(struct mxt_summary *s, const struct ev *evs, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		if (strcmp(evs[i].status, "start") == 0) {
			mxt_summary_message_start(s, mxt_str_make("mx", 2),
			    mxt_str_make(evs[i].qid, strlen(evs[i].qid)));
			continue;
		}
		if (strcmp(evs[i].status, "end") == 0) {
			mxt_summary_message_end(s, mxt_str_make("mx", 2),
			    mxt_str_make(evs[i].qid, strlen(evs[i].qid)));
			continue;
		}
		struct mxt_event ev = make(&evs[i]);
		mxt_summary_add(s, &ev);
	}
	struct mxt_stats st;
	memset(&st, 0, sizeof st);
	st.last.sec = evs[to - 1].t;
	st.last.valid = true;
	st.first.sec = evs[from].t;
	st.first.valid = true;
	st.first_line = st.first;
	mxt_summary_finish(s, &st);
}

static struct mxt_summary *
create(int64_t since)
{
	struct mxt_summary_config cfg = {.by = {MXT_KEY_DOMAIN}, .nby = 1};
	mxt_filter_init(&cfg.filter);
	if (since) {
		cfg.filter.has_since = true;
		cfg.filter.since = since;
	}
	return mxt_summary_create(&cfg);
}

/* One message Q1 to two recipients: a deferred twice (once a cached
 * repeat) then delivered; b deferred and still pending at the end. Q2
 * bounced. Q1 comes back (same id, new start) and is deferred again. */
static const struct ev stream[] = {
	{"start", NULL, "Q1", "", 0, true},
	{"deferred", "greylisting", "Q1", "a@x.example", 100, true},
	{"deferred", "greylisting", "Q1", "b@x.example", 100, true},
	{"deferred", "suspended", "Q1", "a@x.example", 200, true},
	{"start", NULL, "Q2", "", 250, true},
	{"bounced", "unknown_user", "Q2", "c@y.example", 300, true},
	{"end", NULL, "Q2", "", 301, true},
	{"delivered", NULL, "Q1", "a@x.example", 700, true},
	{"deferred", "greylisting", "Q1", "b@x.example", 800, true},
	{"start", NULL, "Q1", "", 900, true},
	{"deferred", "greylisting", "Q1", "b@x.example", 950, true},
};
#define NSTREAM (sizeof stream / sizeof stream[0])

static void
check(const char *name, const struct mxt_summary *s)
{
	test_int(name, "events deferred", (long long)s->events[MXT_STATUS_DEFERRED], 5);
	test_int(name, "cached repeats", (long long)s->repeats, 1);
	test_int(name, "messages deferred (Q1 twice: its id came back)",
	    (long long)s->messages[MXT_STATUS_DEFERRED], 2);
	test_int(name, "messages bounced", (long long)s->messages[MXT_STATUS_BOUNCED], 1);
	test_int(name, "delivered later", (long long)s->retry_delivered, 1);
	test_int(name, "pending (b of the first Q1 and of the second)",
	    (long long)mxt_summary_pending_count(s), 2);
	bool open;
	test_int(name, "delay bucket of 600 s (upper bound)",
	    (long long)mxt_summary_delay_percentile(s, 50, &open), 600);
	size_t ng = mxt_summary_ngroups(s);
	test_int(name, "groups", (long long)ng, 2);
	struct group **v = mxt_summary_sorted_groups(s);
	test_str(name, "first group", v[0]->values[0], strlen(v[0]->values[0]),
	    "x.example");
	test_int(name, "x.example events (repeat apart)", (long long)v[0]->events, 4);
	test_int(name, "x.example repeats", (long long)v[0]->repeats, 1);
	test_int(name, "x.example (message, recipient) pairs",
	    (long long)v[0]->recipients, 3);
	test_int(name, "x.example messages", (long long)v[0]->messages, 2);
	free(v);
}

/* The logging hosts of events whose host lies in a buffer overwritten
 * for each (as the pass's line): one of a length already seen, one that
 * extends the one before, and a return to an earlier one. */
static void
hosts_seen(void)
{
	static const char *const hosts[] = {"mx1", "mx1", "mx2", "mx10",
	    "mx1", "", "mx2", "MX1"};
	struct mxt_summary *s = create(0);
	char line[16];
	for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
		struct mxt_event ev = test_event("delivered", NULL,
		    "a@b.example", 100 + (long)i);
		strcpy(line, hosts[i]);
		ev.host = mxt_str_make(line, strlen(line));
		mxt_summary_add(s, &ev);
		memset(line, 'Z', sizeof line);
	}
	test_int("hosts", "distinct", (long long)s->hosts.count, 4);
	static const char *const want[] = {"mx1", "mx2", "mx10", "MX1"};
	for (size_t i = 0; i < 4; i++)
		test_ok(mxt_strmap_get(&s->hosts, want[i], strlen(want[i])) !=
		    NULL, "hosts", "%s not kept", want[i]);
	mxt_summary_destroy(s);
}

int
main(void)
{
	hosts_seen();
	struct mxt_summary *whole = create(0);
	feed(whole, stream, 0, NSTREAM);
	check("whole", whole);

	/* window from t=500: only the delivery and the later deferrals are
	 * counted, but the delivery still gets its delay from t=100 */
	struct mxt_summary *win = create(500);
	feed(win, stream, 0, NSTREAM);
	test_int("window", "events deferred", (long long)win->events[MXT_STATUS_DEFERRED], 2);
	test_int("window", "delivered later", (long long)win->retry_delivered, 1);
	bool open;
	test_int("window", "delay measured from before the window",
	    (long long)mxt_summary_delay_percentile(win, 50, &open), 600);
	mxt_summary_destroy(win);

	/* every cut of the stream: the two halves merged equal the whole */
	for (size_t cut = 1; cut < NSTREAM; cut++) {
		struct mxt_summary *a = create(0), *b = create(0);
		struct ev tail[NSTREAM];
		memcpy(tail, stream, sizeof stream);
		/* the later half met Q1 and Q2 in progress unless it read
		 * their start */
		for (size_t i = cut; i < NSTREAM; i++) {
			bool started = false;
			for (size_t j = cut; j < i; j++)
				started |= strcmp(tail[j].status, "start") == 0 &&
				    strcmp(tail[j].qid, tail[i].qid) == 0;
			if (strcmp(tail[i].status, "start") != 0)
				tail[i].start = started;
		}
		feed(a, stream, 0, cut);
		feed(b, tail, cut, NSTREAM);
		char name[32];
		snprintf(name, sizeof name, "merge cut %zu", cut);
		test_ok(mxt_summary_merge(a, b, NULL, NULL) == 0, name, "merges");
		check(name, a);
		mxt_summary_destroy(a);
		mxt_summary_destroy(b);
	}

	/* other --by keys do not merge */
	struct mxt_summary_config cfg = {.by = {MXT_KEY_CAUSE}, .nby = 1};
	mxt_filter_init(&cfg.filter);
	struct mxt_summary *other = mxt_summary_create(&cfg);
	struct mxt_error e;
	test_ok(mxt_summary_merge(whole, other, NULL, &e) == -1, "other keys",
	    "refused");
	mxt_summary_destroy(other);
	mxt_summary_destroy(whole);
	return test_done();
}
