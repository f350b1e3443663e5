/*
 * timespec.c - times given on the command line: --since, --until, --day.
 *
 * The grammar is small and written out by hand, character by character,
 * so that exactly the forms of mxtriage(1) are accepted and nothing else:
 * sscanf(3) skips blanks, takes signs and reads digits across field
 * boundaries ("2026" as hour 20), and strptime(3) is just as lax.
 *
 *   now | today | yesterday
 *   COUNT UNIT                    a duration back from now, UNIT s m h d w
 *   H:MM[:SS]                     a time today (local)
 *   YYYY-MM-DD                    the start of that local day
 *   YYYY-MM-DD(T| )H:MM[:SS[.F]][ZONE]
 *                                 ZONE Z, +hh:mm or +hhmm (also -): the ISO
 *                                 times mxtriage prints; without a zone
 *                                 local. A fraction is read and dropped
 *                                 (the window counts whole seconds).
 *
 * Every date is checked against the calendar (2026-02-30 is refused, not
 * moved to March). Local times go through mktime(3) and back through
 * localtime_r(3): a time that does not exist in TZ (the hour skipped at
 * a DST change) is refused, a time that exists twice means its first
 * occurrence, and a bare date means the first second of that day (its
 * midnight, or the first existing time when a DST change skips midnight),
 * so a local calendar day is 23 or 25 hours long across a DST change, as a
 * person means it. All arithmetic on counts is checked for overflow.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#define FORMS "2026-11-23, '2026-11-23 10:30', 2026-11-23T10:30:00Z, " \
	"10:30, today, yesterday, now, or a duration such as 2h"

struct civil {
	int y, mo, d, h, mi, s;
};

static void
fail(struct mxt_error *err, const char *s, const char *why)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof *err);
	snprintf(err->text, sizeof err->text, "'%s': %s", s, why);
}

/* Reads exactly n digits at *p (n <= 4), advancing *p; false if fewer. */
static bool
fixed_digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!is_digit((*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int mo)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31};
	return mo == 2 && is_leap(y) ? 29 : days[mo - 1];
}

/* Checks the date part of c against the calendar; 0 or -1 with err. */
static int
check_date(const struct civil *c, const char *s, struct mxt_error *err)
{
	char why[128];
	if (c->y < 1970 || c->y > 9999) {
		fail(err, s, "the year is not within 1970-9999");
		return -1;
	}
	if (c->mo < 1 || c->mo > 12) {
		fail(err, s, "the month is not within 01-12");
		return -1;
	}
	if (c->d < 1 || c->d > days_in_month(c->y, c->mo)) {
		snprintf(why, sizeof why, "no such date: %04d-%02d has %d days",
		    c->y, c->mo, days_in_month(c->y, c->mo));
		fail(err, s, why);
		return -1;
	}
	return 0;
}

/* The next calendar day after c's date (time fields untouched). */
static void
next_day(struct civil *c)
{
	if (++c->d <= days_in_month(c->y, c->mo))
		return;
	c->d = 1;
	if (++c->mo <= 12)
		return;
	c->mo = 1;
	c->y++;
}

static void
previous_day(struct civil *c)
{
	if (--c->d >= 1)
		return;
	if (--c->mo < 1) {
		c->mo = 12;
		c->y--;
	}
	c->d = days_in_month(c->y, c->mo);
}

/*
 * The earliest instant whose local (TZ) time is exactly c, or -1 when c
 * does not exist in TZ. Both readings of an ambiguous time are tried with
 * tm_isdst 0 and 1 (and -1 for zones whose offsets change without DST),
 * each checked by converting back.
 */
static int
local_exact(const struct civil *c, int64_t *out)
{
	static const int isdst[] = {-1, 0, 1};
	bool found = false;
	for (size_t i = 0; i < sizeof isdst / sizeof isdst[0]; i++) {
		struct tm tm = {
			.tm_year = c->y - 1900, .tm_mon = c->mo - 1,
			.tm_mday = c->d, .tm_hour = c->h, .tm_min = c->mi,
			.tm_sec = c->s, .tm_isdst = isdst[i],
		};
		time_t t = mktime(&tm);
		struct tm back;
		if (localtime_r(&t, &back) == NULL)
			continue;
		if (back.tm_year != c->y - 1900 || back.tm_mon != c->mo - 1 ||
		    back.tm_mday != c->d || back.tm_hour != c->h ||
		    back.tm_min != c->mi || back.tm_sec != c->s)
			continue;
		if (!found || (int64_t)t < *out)
			*out = (int64_t)t;
		found = true;
	}
	return found ? 0 : -1;
}

/* The first second of c's local day: midnight, or when a DST change skips
 * midnight the first time that exists. */
static int
day_start(struct civil c, int64_t *out)
{
	c.mi = c.s = 0;
	for (c.h = 0; c.h < 24; c.h++)
		if (local_exact(&c, out) == 0)
			return 0;
	return -1;
}

static void
today(time_t now, struct civil *c)
{
	struct tm tm;
	memset(c, 0, sizeof *c);
	if (localtime_r(&now, &tm) == NULL)
		return;
	c->y = tm.tm_year + 1900;
	c->mo = tm.tm_mon + 1;
	c->d = tm.tm_mday;
}

/* [start, next start) of the local day c; 0 or -1 with err. */
static int
day_bounds(struct civil c, const char *s, int64_t *since, int64_t *until,
    struct mxt_error *err)
{
	if (check_date(&c, s, err) < 0)
		return -1;
	if (day_start(c, since) < 0) {
		fail(err, s, "the day has no start in this time zone");
		return -1;
	}
	next_day(&c);
	if (until != NULL && day_start(c, until) < 0) {
		fail(err, s, "the next day has no start in this time zone");
		return -1;
	}
	return 0;
}

/* today | yesterday: sets *c to that date and returns true. */
static bool
named_day(const char *s, time_t now, struct civil *c)
{
	if (strcmp(s, "today") != 0 && strcmp(s, "yesterday") != 0)
		return false;
	today(now, c);
	if (s[0] == 'y')
		previous_day(c);
	return true;
}

/* Reads the character ch at *p, advancing *p; false if it is not there. */
static bool
literal(const char **p, char ch)
{
	if (**p != ch)
		return false;
	(*p)++;
	return true;
}

/* YYYY-MM-DD at *p, advancing *p; false when it is not that shape. */
static bool
scan_date(const char **p, struct civil *c)
{
	return fixed_digits(p, 4, &c->y) && literal(p, '-') &&
	    fixed_digits(p, 2, &c->mo) && literal(p, '-') &&
	    fixed_digits(p, 2, &c->d);
}

/* H:MM or HH:MM, then optionally :SS, at *p. */
static bool
scan_time(const char **p, struct civil *c)
{
	int n = is_digit((*p)[0]) && is_digit((*p)[1]) ? 2 : 1;
	if (!fixed_digits(p, n, &c->h) || !literal(p, ':') ||
	    !fixed_digits(p, 2, &c->mi))
		return false;
	c->s = 0;
	return !literal(p, ':') || fixed_digits(p, 2, &c->s);
}

static int
check_time(const struct civil *c, const char *s, struct mxt_error *err)
{
	if (c->h > 23 || c->mi > 59 || c->s > 59) {
		fail(err, s, "the time is not within 00:00:00-23:59:59");
		return -1;
	}
	return 0;
}

/* Z, +hh:mm, +hhmm or the same with '-' at *p: seconds east of UTC.
 * Returns 1 when a zone was read, 0 when there is none, -1 when bad. */
static int
scan_zone(const char **p, int *off)
{
	const char *q = *p;
	int h, m;
	if (*q == 'Z') {
		*off = 0;
		*p = q + 1;
		return 1;
	}
	if (*q != '+' && *q != '-')
		return 0;
	int sign = *q++ == '-' ? -1 : 1;
	if (!fixed_digits(&q, 2, &h))
		return -1;
	literal(&q, ':');
	if (!fixed_digits(&q, 2, &m) || h > 23 || m > 59)
		return -1;
	*off = sign * (h * 3600 + m * 60);
	*p = q;
	return 1;
}

/* COUNT UNIT: sets *out to now minus the duration. 1 when s is a
 * duration, 0 when it is not one, -1 when it is one that is not valid. */
static int
duration(const char *s, time_t now, int64_t *out, struct mxt_error *err)
{
	static const struct {
		char unit;
		int64_t seconds;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400},
	    {'w', 604800}};
	const char *p = s;
	int64_t count = 0;
	bool too_big = false;

	if (!is_digit(*p))
		return 0;
	for (; is_digit(*p); p++)
		if (__builtin_mul_overflow(count, 10, &count) ||
		    __builtin_add_overflow(count, *p - '0', &count))
			too_big = true;
	if (p[0] == '\0' || p[1] != '\0' || is_digit(p[0]) ||
	    p[0] == '-' || p[0] == ':' || p[0] == '.')
		return 0;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (units[i].unit != p[0])
			continue;
		int64_t back;
		if (too_big || __builtin_mul_overflow(count, units[i].seconds,
		    &back) || __builtin_sub_overflow((int64_t)now, back, out)) {
			fail(err, s, "the duration is too large");
			return -1;
		}
		return 1;
	}
	fail(err, s, "unknown unit of a duration (use s, m, h, d or w)");
	return -1;
}

int
mxt_day_range(const char *day, time_t now, int64_t *since, int64_t *until,
    struct mxt_error *err)
{
	struct civil c = {0};
	if (!named_day(day, now, &c)) {
		const char *p = day;
		if (!scan_date(&p, &c) || *p != '\0') {
			fail(err, day, "not 'today', 'yesterday' or a date "
			    "YYYY-MM-DD");
			return -1;
		}
	}
	return day_bounds(c, day, since, until, err);
}

int
mxt_time_parse(const char *s, time_t now, int64_t *out, struct mxt_error *err)
{
	struct civil c = {0};
	const char *p = s;
	int r;

	if (strcmp(s, "now") == 0) {
		*out = (int64_t)now;
		return 0;
	}
	if (named_day(s, now, &c))
		return day_bounds(c, s, out, NULL, err);
	if ((r = duration(s, now, out, err)) != 0)
		return r < 0 ? -1 : 0;

	if (scan_time(&p, &c) && *p == '\0') {
		/* a time today */
		struct civil t = c;
		today(now, &c);
		c.h = t.h;
		c.mi = t.mi;
		c.s = t.s;
	} else {
		p = s;
		memset(&c, 0, sizeof c);
		if (!scan_date(&p, &c)) {
			fail(err, s, "not a time (" FORMS ")");
			return -1;
		}
		if (*p == '\0') {
			if (check_date(&c, s, err) < 0)
				return -1;
			return day_bounds(c, s, out, NULL, err);
		}
		if (!(literal(&p, 'T') || literal(&p, ' ')) ||
		    !scan_time(&p, &c)) {
			fail(err, s, "the time after the date is not HH:MM or "
			    "HH:MM:SS");
			return -1;
		}
		if (literal(&p, '.')) {
			/* a fraction of a second, as mxtriage prints it */
			const char *f = p;
			while (is_digit(*p) && p - f < 9)
				p++;
			if (p == f) {
				fail(err, s, "no digits after the decimal point");
				return -1;
			}
		}
		int off = 0;
		if ((r = scan_zone(&p, &off)) < 0 || *p != '\0') {
			fail(err, s, r < 0 ? "the zone is not Z, +hh:mm or +hhmm" :
			    "unexpected text after the date and time");
			return -1;
		}
		if (check_date(&c, s, err) < 0 || check_time(&c, s, err) < 0)
			return -1;
		if (r == 1) {
			*out = days_from_civil(c.y, (unsigned)c.mo,
			    (unsigned)c.d) * 86400 + c.h * 3600 + c.mi * 60 +
			    c.s - off;
			return 0;
		}
	}
	if (check_date(&c, s, err) < 0 || check_time(&c, s, err) < 0)
		return -1;
	if (local_exact(&c, out) < 0) {
		fail(err, s, "that local time does not exist in this time zone "
		    "(skipped by a daylight saving change)");
		return -1;
	}
	return 0;
}
