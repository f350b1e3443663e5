/*
 * metrics_test.c - the metrics table: every name looks up to itself with
 * the right argument, wrong names and cause ids are refused, and the
 * values of a summary built from known events are what --fail-on and the
 * man page say.
 */
#include "testutil.h"

#include <string.h>

static const struct {
	const char *name;
	const char *want;  /* table name, NULL = refused */
	int arg;
} lookups[] = {
	{"deferred", "deferred", MXT_STATUS_DEFERRED},
	{"rejected", "rejected", MXT_STATUS_REJECTED},
	{"failures", "failures", 0},
	{"pending_age", "pending_age", 0},
	{"cause:blocklist", "cause", MXT_CAUSE_BLOCKLIST},
	{"cause:nosuch", NULL, 0},
	{"cause", NULL, 0},
	{"cause:", NULL, 0},
	{"deferred:x", NULL, 0},
	{"defer", NULL, 0},
	{"", NULL, 0},
};

static struct mxt_event
event(enum mxt_status st, enum mxt_cause cause, const char *qid, long sec)
{
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.status = st;
	ev.cause = cause;
	ev.direction = st == MXT_STATUS_REJECTED ? MXT_DIR_IN : MXT_DIR_OUT;
	ev.host = (struct mxt_str){"mx", 2};
	ev.queue_id = (struct mxt_str){qid, strlen(qid)};
	ev.recipient = (struct mxt_str){"a@example.net", 13};
	ev.domain = (struct mxt_str){"example.net", 11};
	ev.time.sec = sec;
	ev.time.valid = true;
	return ev;
}

static double
value(const struct mxt_summary *s, const char *name)
{
	int arg;
	const struct mxt_metric *m = mxt_metric_lookup(name, &arg);
	return m ? mxt_metric_value(m, s, arg) : -1;
}

int
main(void)
{
	size_t n;
	const struct mxt_metric *table = mxt_metric_table(&n);
	for (size_t i = 0; i < n; i++) {
		int arg;
		char name[64];
		snprintf(name, sizeof name, "%s%s", table[i].name,
		    table[i].arg == MXT_ARG_CAUSE ? ":greylisting" : "");
		test_ok(mxt_metric_lookup(name, &arg) == &table[i], name,
		    "the table's own name looks up to its row");
		test_ok(table[i].help != NULL && table[i].help[0] != '\0',
		    name, "has a help text");
	}
	for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++) {
		int arg = -99;
		const struct mxt_metric *m = mxt_metric_lookup(lookups[i].name,
		    &arg);
		if (lookups[i].want == NULL) {
			test_ok(m == NULL, lookups[i].name, "refused, got %s",
			    m ? m->name : "NULL");
			continue;
		}
		test_str(lookups[i].name, "metric", m ? m->name : NULL,
		    m ? strlen(m->name) : 0, lookups[i].want);
		test_int(lookups[i].name, "arg", arg, lookups[i].arg);
	}

	/* 1 delivered, 3 deferred (one a cached repeat), 1 bounced, 1
	 * rejected as blocklist: failures 3; 4 fresh attempts (the repeat is
	 * none), 2 of them deferred (defer_rate 50, not 3 of 5 = 60 as
	 * with the repeat); 1 of the 2 final statuses bounced (bounce_rate
	 * 50) */
	struct mxt_summary_config cfg = {.by = {MXT_KEY_DOMAIN}, .nby = 1};
	mxt_filter_init(&cfg.filter);
	struct mxt_summary *s = mxt_summary_create(&cfg);
	struct mxt_event e[] = {
		event(MXT_STATUS_DEFERRED, MXT_CAUSE_GREYLISTING, "Q1", 100),
		event(MXT_STATUS_DEFERRED, MXT_CAUSE_SUSPENDED, "Q1", 200),
		event(MXT_STATUS_DELIVERED, MXT_CAUSE_NONE, "Q1", 400),
		event(MXT_STATUS_DEFERRED, MXT_CAUSE_CONNECTION, "Q2", 500),
		event(MXT_STATUS_BOUNCED, MXT_CAUSE_UNKNOWN_USER, "Q3", 600),
		event(MXT_STATUS_REJECTED, MXT_CAUSE_BLOCKLIST, "", 700),
	};
	for (size_t i = 0; i < sizeof e / sizeof e[0]; i++)
		mxt_summary_add(s, &e[i]);
	struct mxt_stats st;
	memset(&st, 0, sizeof st);
	st.unparsed = 2;
	st.last = e[5].time;
	mxt_summary_finish(s, &st);
	test_ok(value(s, "deferred") == 3, "deferred", "got %g", value(s, "deferred"));
	test_ok(value(s, "failures") == 3, "failures", "got %g", value(s, "failures"));
	test_ok(value(s, "unparsed") == 2, "unparsed", "got %g", value(s, "unparsed"));
	test_ok(value(s, "pending") == 1, "pending", "got %g", value(s, "pending"));
	test_ok(value(s, "pending_age") == 200, "pending_age", "got %g",
	    value(s, "pending_age"));
	test_ok(value(s, "bounce_rate") == 50, "bounce_rate", "got %g",
	    value(s, "bounce_rate"));
	test_ok(value(s, "defer_rate") == 50, "defer_rate", "got %g",
	    value(s, "defer_rate"));
	test_ok(value(s, "cause:blocklist") == 1, "cause:blocklist", "got %g",
	    value(s, "cause:blocklist"));
	test_ok(value(s, "cause:greylisting") == 1, "cause:greylisting",
	    "got %g", value(s, "cause:greylisting"));
	mxt_summary_destroy(s);
	return test_done();
}
