/*
 * summary_rates.c - rates and trend: per recipient domain and per
 * provider the outbound events by status, with a deferral rate and a
 * bounce rate; and a timeline of all counted events by hour.
 *
 * Definitions (mxtriage(1), "Rates and trend", says the same):
 *   attempts     = delivered + deferred + bounced + expired events, fresh
 *                  ones only: a cached repeat (cause suspended: Postfix
 *                  "delivery temporarily suspended", postfix/error, Exim
 *                  "retry time not reached") is no attempt and is counted
 *                  apart, so one outage does not inflate the rate;
 *   defer rate   = fresh deferrals / attempts: how often a delivery
 *                  attempt to the domain was put off;
 *   bounce rate  = (bounced + expired) / (delivered + bounced + expired):
 *                  of the recipients that reached a final status (each
 *                  has exactly one such event), the share that failed.
 * Everything here is a sum keyed by domain, provider or hour, so a merge
 * (other hosts, other days, the pieces of --jobs, --state runs) adds the
 * counts and is exact.
 *
 * The timeline keeps hours, not days, whatever the span: the view
 * (mxt_timeline_view) rolls them into local days when the span is long,
 * and a merged summary can still be shown by hour. An hour starts on the
 * hour of the event's own UTC offset (a zone of +05:30 has its hours at
 * :30 UTC); its label keeps that offset, so the two 02:00 hours of the
 * autumn DST change are two buckets with two labels. Hours are kept in a
 * sorted array with a hint: the log comes in time order, so nearly every
 * event finds its hour at the hint.
 */
#include "summary.h"

#include <assert.h>
#include <stdlib.h>
#include <time.h>

void
mxt_rates_init(struct mxt_summary *s)
{
	mxt_strmap_init(&s->rate_domains, SUMMARY_DOMAINS_MAX);
	mxt_strmap_init(&s->rate_providers, 0);
}

static void
free_rows(struct mxt_strmap *m)
{
	for (size_t i = 0; i < m->size; i++)
		if (m->slots[i].key)
			free(m->slots[i].ptr);
	mxt_strmap_finish(m);
}

void
mxt_rates_finish(struct mxt_summary *s)
{
	free_rows(&s->rate_domains);
	free_rows(&s->rate_providers);
	free(s->hours);
	s->hours = NULL;
	s->nhours = s->hours_alloc = 0;
}

/* The row of key in m, created empty; NULL when the cap refuses it. */
static struct rate_row *
row_of(struct mxt_strmap *m, const char *key, size_t len)
{
	bool added;
	struct mxt_strmap_slot *slot = mxt_strmap_put(m, key, len, &added);
	if (slot == NULL)
		return NULL;
	if (added)
		slot->ptr = xcalloc(1, sizeof(struct rate_row));
	return slot->ptr;
}

/* The start of the hour of sec on the clock of offset utcoff. */
static int64_t
hour_start(int64_t sec, int32_t utcoff)
{
	int64_t local = sec + utcoff;
	int64_t h = local >= 0 ? local / 3600 : -((-local + 3599) / 3600);
	return h * 3600 - utcoff;
}

/*
 * The bucket starting at start, created when missing (NULL at the cap).
 * Two offsets that give the same start (hosts in zones a whole number of
 * hours apart) share the bucket, labelled with the smaller offset: the
 * label then does not depend on which host came first.
 */
static struct tl_bucket *
hour_of(struct mxt_summary *s, int64_t start, int32_t utcoff)
{
	size_t lo = 0, hi = s->nhours;
	size_t h = s->hour_hint;
	if (h < s->nhours && s->hours[h].start == start) {
		lo = h;
	} else if (h < s->nhours && s->hours[h].start < start &&
	    (h + 1 == s->nhours || s->hours[h + 1].start > start)) {
		lo = h + 1; /* the common case: a new hour after the hint */
	} else {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (s->hours[mid].start < start)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	if (lo < s->nhours && s->hours[lo].start == start) {
		struct tl_bucket *b = &s->hours[lo];
		if (utcoff < b->utcoff)
			b->utcoff = utcoff;
		s->hour_hint = lo;
		return b;
	}
	if (s->nhours >= SUMMARY_HOURS_MAX)
		return NULL;
	if (s->nhours == s->hours_alloc) {
		s->hours_alloc = s->hours_alloc ? s->hours_alloc * 2 : 64;
		s->hours = xrealloc(s->hours, s->hours_alloc * sizeof *s->hours);
	}
	memmove(&s->hours[lo + 1], &s->hours[lo],
	    (s->nhours - lo) * sizeof *s->hours);
	s->nhours++;
	struct tl_bucket *b = &s->hours[lo];
	memset(b, 0, sizeof *b);
	b->start = start;
	b->utcoff = utcoff;
	s->hour_hint = lo;
	return b;
}

static void
add_row(struct rate_row *d, const struct rate_row *r)
{
	for (int k = 0; k < MXT_STATUS_COUNT; k++)
		d->n[k] += r->n[k];
	d->repeats += r->repeats;
}

void
mxt_rates_count(struct mxt_summary *s, const struct mxt_event *ev, int sign)
{
	assert(sign == 1 || sign == -1);
	uint64_t one = sign > 0 ? 1 : UINT64_MAX; /* adds -1 modulo 2^64 */
	bool repeat = mxt_cause_is_repeat(ev->cause) &&
	    ev->status != MXT_STATUS_REJECTED &&
	    ev->status != MXT_STATUS_DELIVERED;
	if (ev->direction == MXT_DIR_OUT && ev->status != MXT_STATUS_REJECTED) {
		struct rate_row one_row = {0};
		if (repeat)
			one_row.repeats = one;
		else
			one_row.n[ev->status] = one;
		add_row(&s->rate_total, &one_row);
		const char *dom = ev->domain.len ? ev->domain.ptr : "(none)";
		size_t dlen = ev->domain.len ? ev->domain.len : 6;
		struct rate_row *r = row_of(&s->rate_domains, dom, dlen);
		if (r != NULL)
			add_row(r, &one_row);
		else
			s->overflow_rates++;
		const char *p = ev->provider ? ev->provider : "(other)";
		r = row_of(&s->rate_providers, p, strlen(p));
		add_row(r, &one_row);
	}
	if (!ev->time.valid)
		return;
	struct tl_bucket *b = hour_of(s, hour_start(ev->time.sec,
	    ev->time.utcoff), ev->time.utcoff);
	if (b == NULL) {
		s->overflow_hours++;
		return;
	}
	if (repeat)
		b->repeats += one;
	else
		b->n[ev->status] += one;
	if (ev->status != MXT_STATUS_DELIVERED)
		b->causes[ev->cause] += one;
}

bool
mxt_bucket_empty(const struct tl_bucket *b)
{
	uint64_t any = b->repeats;
	for (int k = 0; k < MXT_STATUS_COUNT; k++)
		any |= b->n[k];
	return any == 0;
}

void
mxt_rates_add_row(struct mxt_summary *s, bool provider, const char *key,
    const struct rate_row *r)
{
	struct rate_row *d = row_of(provider ? &s->rate_providers :
	    &s->rate_domains, key, strlen(key));
	if (d == NULL) {
		s->overflow_rates += mxt_rate_attempts(r) + r->repeats;
		return;
	}
	add_row(d, r);
}

void
mxt_rates_add_hour(struct mxt_summary *s, const struct tl_bucket *src)
{
	struct tl_bucket *b = hour_of(s, src->start, src->utcoff);
	if (b == NULL) {
		for (int k = 0; k < MXT_STATUS_COUNT; k++)
			s->overflow_hours += src->n[k];
		s->overflow_hours += src->repeats;
		return;
	}
	for (int k = 0; k < MXT_STATUS_COUNT; k++)
		b->n[k] += src->n[k];
	b->repeats += src->repeats;
	for (int c = 0; c < MXT_CAUSE_COUNT; c++)
		b->causes[c] += src->causes[c];
}

/* Rows in key order: a capped map then fills in the same order whatever
 * the hash order of the source. */
static void
merge_rows(struct mxt_summary *d, const struct mxt_summary *s, bool provider)
{
	size_t n;
	struct rate_entry *v = mxt_rates_sorted(s, provider, &n);
	for (size_t i = 0; i < n; i++)
		mxt_rates_add_row(d, provider, v[i].key, v[i].row);
	free(v);
}

void
mxt_rates_merge(struct mxt_summary *d, const struct mxt_summary *s)
{
	add_row(&d->rate_total, &s->rate_total);
	d->overflow_rates += s->overflow_rates;
	d->overflow_hours += s->overflow_hours;
	merge_rows(d, s, false);
	merge_rows(d, s, true);
	for (size_t i = 0; i < s->nhours; i++)
		mxt_rates_add_hour(d, &s->hours[i]);
}

uint64_t
mxt_rate_attempts(const struct rate_row *r)
{
	return r->n[MXT_STATUS_DELIVERED] + r->n[MXT_STATUS_DEFERRED] +
	    r->n[MXT_STATUS_BOUNCED] + r->n[MXT_STATUS_EXPIRED];
}

double
mxt_rate_defer(const struct rate_row *r)
{
	uint64_t a = mxt_rate_attempts(r);
	return a ? (double)r->n[MXT_STATUS_DEFERRED] / (double)a : 0;
}

double
mxt_rate_bounce(const struct rate_row *r)
{
	uint64_t fail = r->n[MXT_STATUS_BOUNCED] + r->n[MXT_STATUS_EXPIRED];
	uint64_t fin = fail + r->n[MXT_STATUS_DELIVERED];
	return fin ? (double)fail / (double)fin : 0;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct rate_entry *x = a, *y = b;
	uint64_t ax = mxt_rate_attempts(x->row), ay = mxt_rate_attempts(y->row);
	if (ax != ay)
		return ax > ay ? -1 : 1;
	if (x->row->repeats != y->row->repeats)
		return x->row->repeats > y->row->repeats ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct rate_entry *
mxt_rates_sorted(const struct mxt_summary *s, bool provider, size_t *n)
{
	const struct mxt_strmap *m = provider ? &s->rate_providers :
	    &s->rate_domains;
	struct rate_entry *v = xcalloc(m->count + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < m->size; i++) {
		const struct rate_row *r = m->slots[i].ptr;
		/* a merge that replaces a recipient-less expiry may leave
		 * its row with nothing: as if it had never been */
		if (m->slots[i].key == NULL ||
		    mxt_rate_attempts(r) + r->repeats == 0)
			continue;
		v[*n].key = m->slots[i].key;
		v[*n].row = m->slots[i].ptr;
		(*n)++;
	}
	qsort(v, *n, sizeof *v, cmp_entry);
	return v;
}

/*
 * The offset to label an empty hour at start with, between the buckets
 * of offsets before and after: the local zone's (TZ) offset then when it
 * is one of the two (the log is in the local zone: its DST change falls
 * where it fell), else the offset before.
 */
static int32_t
empty_offset(int64_t start, int32_t before, int32_t after)
{
	struct tm tm;
	time_t t = (time_t)start;
	if (before != after && localtime_r(&t, &tm) != NULL &&
	    (tm.tm_gmtoff == before || tm.tm_gmtoff == after) &&
	    hour_start(start, (int32_t)tm.tm_gmtoff) == start)
		return (int32_t)tm.tm_gmtoff;
	return before;
}

static void
view_push(struct tl_bucket **v, size_t *n, size_t *alloc,
    const struct tl_bucket *b)
{
	if (*n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 64;
		*v = xrealloc(*v, *alloc * sizeof **v);
	}
	(*v)[(*n)++] = *b;
}

static void
add_bucket(struct tl_bucket *d, const struct tl_bucket *b)
{
	for (int k = 0; k < MXT_STATUS_COUNT; k++)
		d->n[k] += b->n[k];
	d->repeats += b->repeats;
	for (int c = 0; c < MXT_CAUSE_COUNT; c++)
		d->causes[c] += b->causes[c];
}

/* The local day (days since the epoch on the clock of the offset). */
static int64_t
day_of(int64_t sec, int32_t utcoff)
{
	int64_t local = sec + utcoff;
	return local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
}

struct tl_bucket *
mxt_timeline_view(const struct mxt_summary *s, size_t *n, bool *daily)
{
	struct tl_bucket *v = NULL;
	size_t alloc = 0;
	*n = 0;
	*daily = false;
	/* the first and last hours with events (an hour a merge took
	 * everything back from is as if it had never been) */
	const struct tl_bucket *f = NULL, *l = NULL;
	for (size_t i = 0; i < s->nhours; i++)
		if (!mxt_bucket_empty(&s->hours[i])) {
			if (f == NULL)
				f = &s->hours[i];
			l = &s->hours[i];
		}
	if (f == NULL)
		return xcalloc(1, sizeof *v);
	/* The span decides the unit before any empty bucket is made: log
	 * text chooses the years, and a span of centuries must not become
	 * a row per hour (or per day) in memory. */
	*daily = (l->start - f->start) / 3600 + 1 > TIMELINE_HOURLY_MAX;
	bool fill = !*daily || day_of(l->start, l->utcoff) -
	    day_of(f->start, f->utcoff) < TIMELINE_FILL_DAYS_MAX;
	const struct tl_bucket *a = NULL;
	int64_t last = 0;
	for (const struct tl_bucket *b = f; b <= l; b++) {
		if (mxt_bucket_empty(b))
			continue;
		if (!*daily) {
			/* every hour, the empty ones between included */
			for (int64_t t = a != NULL ? a->start + 3600 : 0;
			    a != NULL && t + 3600 <= b->start; t += 3600) {
				struct tl_bucket e = {.start = t};
				e.utcoff = empty_offset(t, a->utcoff, b->utcoff);
				view_push(&v, n, &alloc, &e);
			}
			view_push(&v, n, &alloc, b);
			a = b;
			continue;
		}
		/* local days, each labelled with the offset of its first
		 * hour; the empty days between are rows while the span is
		 * at most TIMELINE_FILL_DAYS_MAX days */
		int64_t d = day_of(b->start, b->utcoff);
		if (a != NULL && d == last) {
			add_bucket(&v[*n - 1], b);
			a = b;
			continue;
		}
		for (int64_t e = last + 1; a != NULL && fill && e < d; e++) {
			int32_t off = empty_offset(e * 86400 - a->utcoff,
			    a->utcoff, b->utcoff);
			struct tl_bucket x = {.start = e * 86400 - off,
			    .utcoff = off};
			view_push(&v, n, &alloc, &x);
		}
		struct tl_bucket x = *b;
		x.start = d * 86400 - b->utcoff;
		view_push(&v, n, &alloc, &x);
		last = d;
		a = b;
	}
	return v;
}

size_t
mxt_summary_empty_keys(const struct mxt_summary *s, const struct group *prev,
    const struct group *next, char (*out)[32], size_t max)
{
	bool hour = s->cfg.by[0] == MXT_KEY_HOUR;
	if (s->cfg.nby != 1 || (!hour && s->cfg.by[0] != MXT_KEY_DAY) ||
	    !prev->first.valid || !next->first.valid)
		return 0;
	int32_t off = prev->first.utcoff;
	int64_t step = hour ? 3600 : 86400;
	/* the key is the local time cut to the hour (day): whole steps on
	 * prev's clock, until next's key */
	int64_t a = hour ? hour_start(prev->last.sec, off) :
	    day_of(prev->last.sec, off) * 86400 - off;
	size_t n = 0;
	for (int64_t t = a + step; n < 100000; t += step) {
		char buf[64];
		struct mxt_time tm = {.sec = t, .valid = true, .utcoff = off};
		mxt_time_format(&tm, buf, sizeof buf);
		buf[hour ? 13 : 10] = '\0';
		if (strcmp(buf, next->values[0]) >= 0)
			break;
		if (n < max)
			snprintf(out[n], sizeof out[n], "%.31s", buf);
		n++;
	}
	return n;
}
