/*
 * summary_rates_test.c - rates and timeline on events made here: the
 * rate definitions (cached repeats in no rate), providers adding up their
 * domains, empty hours across a day boundary and the DST changes, days
 * for a long span, a merge of two halves equal to the whole, and --by
 * hour in time order.
 */
#include "testutil.h"

#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct ev {
	const char *status, *cause, *rcpt, *provider;
	int64_t t;
	int32_t utcoff;
};

static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
	    .tm_hour = h, .tm_min = mi};
	return (int64_t)timegm(&tm);
}

static struct mxt_summary *
create(enum mxt_key key)
{
	struct mxt_summary_config cfg = {.by = {key}, .nby = 1};
	mxt_filter_init(&cfg.filter);
	return mxt_summary_create(&cfg);
}

static void
feed(struct mxt_summary *s, const struct ev *evs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct ev *e = &evs[i];
		struct mxt_event ev = test_event(e->status, e->cause, e->rcpt,
		    e->t);
		ev.provider = e->provider;
		ev.time.utcoff = e->utcoff;
		mxt_summary_add(s, &ev);
	}
}

static const struct rate_row *
row(const struct mxt_summary *s, bool provider, const char *key)
{
	const struct mxt_strmap_slot *sl = mxt_strmap_get(provider ?
	    &s->rate_providers : &s->rate_domains, key, strlen(key));
	return sl ? sl->ptr : NULL;
}

/* The label of a view bucket as mxtriage writes times. */
static const char *
label(const struct tl_bucket *b, char *buf, size_t size)
{
	struct mxt_time t = {.sec = b->start, .valid = true, .utcoff = b->utcoff};
	return mxt_time_format(&t, buf, size);
}

/* x.example (google): 3 delivered, 1 fresh deferral, 2 cached repeats
 * (deferred, suspended), 1 bounce; y.example (google): 1 delivered, 1
 * expired; z.example: 1 deferral only; one rejection (inbound). */
static const struct ev mix[] = {
	{"delivered", NULL, "a@x.example", "google", 3600, 0},
	{"delivered", NULL, "b@x.example", "google", 3601, 0},
	{"deferred", "greylisting", "c@x.example", "google", 3602, 0},
	{"deferred", "suspended", "c@x.example", "google", 3603, 0},
	{"deferred", "suspended", "d@x.example", "google", 3604, 0},
	{"delivered", NULL, "c@x.example", "google", 3605, 0},
	{"bounced", "unknown_user", "e@x.example", "google", 3606, 0},
	{"delivered", NULL, "a@y.example", "google", 3607, 0},
	{"expired", "greylisting", "b@y.example", "google", 3608, 0},
	{"deferred", "dns", "a@z.example", NULL, 3609, 0},
	{"rejected", "blocklist", "a@local.example", NULL, 3610, 0},
};
#define NMIX (sizeof mix / sizeof mix[0])

struct want_rate {
	const char *name;
	bool provider;
	const char *key;
	uint64_t attempts, delivered, deferred, bounced, expired, cached;
	double defer, bounce;
};

static const struct want_rate want_rates[] = {
	/* 5 attempts (the 2 repeats are none), 1 of them deferred; of 4
	 * final statuses 1 bounced */
	{.name = "domain x", .key = "x.example", .attempts = 5, .delivered = 3,
	    .deferred = 1, .bounced = 1, .cached = 2, .defer = 0.2,
	    .bounce = 0.25},
	/* an expiry is a failed final status */
	{.name = "domain y", .key = "y.example", .attempts = 2, .delivered = 1,
	    .expired = 1, .defer = 0, .bounce = 0.5},
	/* no final status: no bounce rate (0) */
	{.name = "domain z", .key = "z.example", .attempts = 1, .deferred = 1,
	    .defer = 1, .bounce = 0},
	{.name = "provider google adds x and y", .provider = true,
	    .key = "google", .attempts = 7, .delivered = 4, .deferred = 1,
	    .bounced = 1, .expired = 1, .cached = 2, .defer = 1.0 / 7,
	    .bounce = 2.0 / 6},
	{.name = "no provider", .provider = true, .key = "(other)",
	    .attempts = 1, .deferred = 1, .defer = 1},
};

static void
check_rates(const char *name, const struct mxt_summary *s)
{
	for (size_t i = 0; i < sizeof want_rates / sizeof want_rates[0]; i++) {
		const struct want_rate *w = &want_rates[i];
		char n[128];
		snprintf(n, sizeof n, "%s: %s", name, w->name);
		const struct rate_row *r = row(s, w->provider, w->key);
		if (!test_ok(r != NULL, n, "row %s exists", w->key))
			continue;
		test_int(n, "attempts", (long long)mxt_rate_attempts(r),
		    (long long)w->attempts);
		test_int(n, "delivered", (long long)r->n[MXT_STATUS_DELIVERED],
		    (long long)w->delivered);
		test_int(n, "deferred", (long long)r->n[MXT_STATUS_DEFERRED],
		    (long long)w->deferred);
		test_int(n, "bounced", (long long)r->n[MXT_STATUS_BOUNCED],
		    (long long)w->bounced);
		test_int(n, "expired", (long long)r->n[MXT_STATUS_EXPIRED],
		    (long long)w->expired);
		test_int(n, "cached", (long long)r->repeats, (long long)w->cached);
		test_ok(fabs(mxt_rate_defer(r) - w->defer) < 1e-12, n,
		    "defer rate: got %.6f, want %.6f", mxt_rate_defer(r), w->defer);
		test_ok(fabs(mxt_rate_bounce(r) - w->bounce) < 1e-12, n,
		    "bounce rate: got %.6f, want %.6f", mxt_rate_bounce(r),
		    w->bounce);
	}
	test_ok(row(s, false, "local.example") == NULL, name,
	    "a rejection has no rate row");
	test_int(name, "total attempts", (long long)mxt_rate_attempts(
	    &s->rate_total), 8);
	test_int(name, "total cached", (long long)s->rate_total.repeats, 2);
}

struct want_bucket {
	const char *start;   /* label */
	uint64_t delivered, deferred;
};

static void
check_view(const char *name, const struct mxt_summary *s, bool daily,
    const struct want_bucket *w, size_t nw)
{
	size_t n;
	bool d;
	struct tl_bucket *v = mxt_timeline_view(s, &n, &d);
	test_ok(d == daily, name, "daily: got %d, want %d", d, daily);
	test_int(name, "buckets", (long long)n, (long long)nw);
	for (size_t i = 0; i < n && i < nw; i++) {
		char buf[64], f[32];
		label(&v[i], buf, sizeof buf);
		snprintf(f, sizeof f, "bucket %zu start", i);
		test_str(name, f, buf, strlen(buf), w[i].start);
		snprintf(f, sizeof f, "bucket %zu delivered", i);
		test_int(name, f, (long long)v[i].n[MXT_STATUS_DELIVERED],
		    (long long)w[i].delivered);
		snprintf(f, sizeof f, "bucket %zu deferred", i);
		test_int(name, f, (long long)v[i].n[MXT_STATUS_DEFERRED],
		    (long long)w[i].deferred);
	}
	free(v);
}

int
main(void)
{
	struct mxt_summary *s = create(MXT_KEY_DOMAIN);
	feed(s, mix, NMIX);
	check_rates("one pass", s);
	/* repeats apart in the timeline too; causes of failures counted */
	test_int("timeline", "hours", (long long)s->nhours, 1);
	test_int("timeline", "cached", (long long)s->hours[0].repeats, 2);
	test_int("timeline", "deferred (fresh)",
	    (long long)s->hours[0].n[MXT_STATUS_DEFERRED], 2);
	test_int("timeline", "rejected", (long long)s->hours[0].n[
	    MXT_STATUS_REJECTED], 1);
	test_int("timeline", "cause suspended",
	    (long long)s->hours[0].causes[mxt_cause_lookup("suspended")], 2);
	test_int("timeline", "cause greylisting",
	    (long long)s->hours[0].causes[mxt_cause_lookup("greylisting")], 2);

	/* every cut: the halves merged give the same rates */
	for (size_t cut = 1; cut < NMIX; cut++) {
		struct mxt_summary *a = create(MXT_KEY_DOMAIN);
		struct mxt_summary *b = create(MXT_KEY_DOMAIN);
		feed(a, mix, cut);
		feed(b, mix + cut, NMIX - cut);
		char name[32];
		snprintf(name, sizeof name, "merge cut %zu", cut);
		test_ok(mxt_summary_merge(a, b, NULL, NULL) == 0, name, "merges");
		check_rates(name, a);
		test_int(name, "hours", (long long)a->nhours, 1);
		test_int(name, "cached in the hour",
		    (long long)a->hours[0].repeats, 2);
		mxt_summary_destroy(a);
		mxt_summary_destroy(b);
	}
	mxt_summary_destroy(s);

	/* across midnight: the empty hours between are there, in order */
	const struct ev night[] = {
		{"delivered", NULL, "a@x.example", NULL,
		    utc(2026, 11, 23, 22, 30), 0},
		{"deferred", "dns", "b@x.example", NULL,
		    utc(2026, 11, 24, 1, 10), 0},
		{"delivered", NULL, "c@x.example", NULL,
		    utc(2026, 11, 23, 22, 59), 0},
	};
	const struct want_bucket want_night[] = {
		{"2026-11-23T22:00:00Z", 2, 0},
		{"2026-11-23T23:00:00Z", 0, 0},
		{"2026-11-24T00:00:00Z", 0, 0},
		{"2026-11-24T01:00:00Z", 0, 1},
	};
	s = create(MXT_KEY_DOMAIN);
	feed(s, night, 3);
	check_view("day boundary", s, false, want_night, 4);
	mxt_summary_destroy(s);

	/* the spring DST change in Berlin: the empty hours are labelled on
	 * the local clock (02:00 does not exist) */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	const struct ev spring[] = {
		{"delivered", NULL, "a@x.example", NULL,
		    utc(2026, 3, 28, 23, 30), 3600},
		{"deferred", "dns", "b@x.example", NULL,
		    utc(2026, 3, 29, 2, 30), 7200},
	};
	const struct want_bucket want_spring[] = {
		{"2026-03-29T00:00:00+01:00", 1, 0},
		{"2026-03-29T01:00:00+01:00", 0, 0},
		{"2026-03-29T03:00:00+02:00", 0, 0},
		{"2026-03-29T04:00:00+02:00", 0, 1},
	};
	s = create(MXT_KEY_DOMAIN);
	feed(s, spring, 2);
	check_view("DST spring", s, false, want_spring, 4);
	mxt_summary_destroy(s);

	/* autumn: 02:00 twice, two buckets with two labels */
	const struct ev autumn[] = {
		{"delivered", NULL, "a@x.example", NULL,
		    utc(2026, 10, 24, 23, 30), 7200},
		{"delivered", NULL, "b@x.example", NULL,
		    utc(2026, 10, 25, 0, 30), 7200},
		{"deferred", "dns", "c@x.example", NULL,
		    utc(2026, 10, 25, 1, 30), 3600},
		{"deferred", "dns", "d@x.example", NULL,
		    utc(2026, 10, 25, 3, 30), 3600},
	};
	const struct want_bucket want_autumn[] = {
		{"2026-10-25T01:00:00+02:00", 1, 0},
		{"2026-10-25T02:00:00+02:00", 1, 0},
		{"2026-10-25T02:00:00+01:00", 0, 1},
		{"2026-10-25T03:00:00+01:00", 0, 0},
		{"2026-10-25T04:00:00+01:00", 0, 1},
	};
	s = create(MXT_KEY_DOMAIN);
	feed(s, autumn, 4);
	check_view("DST autumn", s, false, want_autumn, 5);
	mxt_summary_destroy(s);

	/* a long span: local days, the empty ones included; the day of the
	 * autumn change has 25 hours and one bucket */
	const struct ev days[] = {
		{"delivered", NULL, "a@x.example", NULL,
		    utc(2026, 10, 23, 22, 30), 7200},
		{"delivered", NULL, "b@x.example", NULL,
		    utc(2026, 10, 25, 0, 30), 7200},
		{"deferred", "dns", "c@x.example", NULL,
		    utc(2026, 10, 25, 22, 30), 3600},
		{"deferred", "dns", "d@x.example", NULL,
		    utc(2026, 10, 27, 10, 0), 3600},
	};
	const struct want_bucket want_days[] = {
		{"2026-10-24T00:00:00+02:00", 1, 0},
		{"2026-10-25T00:00:00+02:00", 1, 1},
		{"2026-10-26T00:00:00+01:00", 0, 0},
		{"2026-10-27T00:00:00+01:00", 0, 1},
	};
	s = create(MXT_KEY_DOMAIN);
	feed(s, days, 4);
	check_view("days", s, true, want_days, 4);
	mxt_summary_destroy(s);
	setenv("TZ", "UTC", 1);
	tzset();

	/* --by hour: time order, not most events first */
	s = create(MXT_KEY_HOUR);
	const struct ev hours[] = {
		{"deferred", "dns", "a@x.example", NULL, utc(2026, 11, 23, 12, 0), 0},
		{"deferred", "dns", "b@x.example", NULL, utc(2026, 11, 23, 10, 0), 0},
		{"deferred", "dns", "c@x.example", NULL, utc(2026, 11, 23, 12, 5), 0},
	};
	feed(s, hours, 3);
	struct group **g = mxt_summary_sorted_groups(s);
	test_str("by hour", "first", g[0]->values[0], strlen(g[0]->values[0]),
	    "2026-11-23T10");
	test_str("by hour", "second", g[1]->values[0], strlen(g[1]->values[0]),
	    "2026-11-23T12");
	free(g);
	mxt_summary_destroy(s);
	return test_done();
}
