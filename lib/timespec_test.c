/*
 * timespec_test.c - every form --since/--until/--day accept, and the
 * near misses they refuse, in UTC and in Europe/Berlin (with both DST
 * days), plus a zone whose DST change skips midnight. Results are
 * compared as UTC ISO strings, errors by their whole text.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Reference "now" values (seconds since the epoch). */
#define NOW 1795437252        /* 2026-11-23T12:34:12Z, a Monday */
#define FALL_BACK 1730030400  /* 2024-10-27T12:00:00Z, Berlin 25 h day */
#define SPRING 1711886400     /* 2024-03-31T12:00:00Z, Berlin 23 h day */

enum fn { SINCE, DAY };

struct row {
	const char *name;
	const char *tz;
	enum fn fn;          /* mxt_time_parse or mxt_day_range */
	const char *in;
	time_t now;          /* 0 = NOW */
	const char *want;    /* UTC ISO; NULL when an error is wanted */
	const char *until;   /* DAY only: the end of the day */
	const char *err;     /* the whole error text */
};

#define UTC "UTC"
#define BER "Europe/Berlin"

static const struct row rows[] = {
	/* ---- the words -------------------------------------------------- */
	{.name = "now", .tz = UTC, .in = "now", .want = "2026-11-23T12:34:12Z"},
	{.name = "today", .tz = UTC, .in = "today",
	    .want = "2026-11-23T00:00:00Z"},
	{.name = "yesterday", .tz = UTC, .in = "yesterday",
	    .want = "2026-11-22T00:00:00Z"},
	{.name = "today berlin", .tz = BER, .in = "today",
	    .want = "2026-11-22T23:00:00Z"},
	{.name = "yesterday across new year", .tz = UTC, .in = "yesterday",
	    .now = 1767225600 /* 2026-01-01T00:00:00Z */,
	    .want = "2025-12-31T00:00:00Z"},
	{.name = "words are lower case", .tz = UTC, .in = "Today",
	    .err = "'Today': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "no trailing blank", .tz = UTC, .in = "now ",
	    .err = "'now ': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "old golden word", .tz = UTC, .in = "yesterday-ish",
	    .err = "'yesterday-ish': not a time (2026-11-23, '2026-11-23 "
	    "10:30', 2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "empty", .tz = UTC, .in = "",
	    .err = "'': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},

	/* ---- durations --------------------------------------------------- */
	{.name = "90s", .tz = UTC, .in = "90s", .want = "2026-11-23T12:32:42Z"},
	{.name = "30m", .tz = UTC, .in = "30m", .want = "2026-11-23T12:04:12Z"},
	{.name = "2h", .tz = UTC, .in = "2h", .want = "2026-11-23T10:34:12Z"},
	{.name = "1d", .tz = UTC, .in = "1d", .want = "2026-11-22T12:34:12Z"},
	{.name = "1w", .tz = UTC, .in = "1w", .want = "2026-11-16T12:34:12Z"},
	{.name = "0s is now", .tz = UTC, .in = "0s",
	    .want = "2026-11-23T12:34:12Z"},
	{.name = "leading zeros", .tz = UTC, .in = "007m",
	    .want = "2026-11-23T12:27:12Z"},
	{.name = "12h across fall back is 12 real hours", .tz = BER,
	    .in = "12h", .now = FALL_BACK, .want = "2024-10-27T00:00:00Z"},
	{.name = "unit unknown", .tz = UTC, .in = "2x",
	    .err = "'2x': unknown unit of a duration (use s, m, h, d or w)"},
	{.name = "unit upper case", .tz = UTC, .in = "2H",
	    .err = "'2H': unknown unit of a duration (use s, m, h, d or w)"},
	{.name = "overflow in the multiplication", .tz = UTC,
	    .in = "9223372036854775807w",
	    .err = "'9223372036854775807w': the duration is too large"},
	{.name = "overflow in the count", .tz = UTC,
	    .in = "99999999999999999999s",
	    .err = "'99999999999999999999s': the duration is too large"},
	{.name = "overflow in the subtraction", .tz = UTC,
	    .in = "9223372036854775807s", .now = -10,
	    .err = "'9223372036854775807s': the duration is too large"},
	{.name = "largest that fits", .tz = UTC, .in = "15250284452471w",
	    .now = 1, .want = NULL, .err = NULL},
	{.name = "no sign", .tz = UTC, .in = "+2h",
	    .err = "'+2h': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "no negative duration", .tz = UTC, .in = "-2h",
	    .err = "'-2h': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "no blank before the unit", .tz = UTC, .in = "2 h",
	    .err = "'2 h': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "no leading blank", .tz = UTC, .in = " 2h",
	    .err = "' 2h': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "no fraction", .tz = UTC, .in = "1.5h",
	    .err = "'1.5h': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "one unit only", .tz = UTC, .in = "2hm",
	    .err = "'2hm': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "bare number", .tz = UTC, .in = "10",
	    .err = "'10': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},

	/* ---- a time today ------------------------------------------------ */
	{.name = "10:30", .tz = UTC, .in = "10:30",
	    .want = "2026-11-23T10:30:00Z"},
	{.name = "10:30:15", .tz = UTC, .in = "10:30:15",
	    .want = "2026-11-23T10:30:15Z"},
	{.name = "one-digit hour", .tz = UTC, .in = "9:05",
	    .want = "2026-11-23T09:05:00Z"},
	{.name = "10:30 berlin", .tz = BER, .in = "10:30",
	    .want = "2026-11-23T09:30:00Z"},
	{.name = "10:30 on the spring day", .tz = BER, .in = "10:30",
	    .now = SPRING, .want = "2024-03-31T08:30:00Z"},
	{.name = "the skipped hour", .tz = BER, .in = "02:30", .now = SPRING,
	    .err = "'02:30': that local time does not exist in this time zone "
	    "(skipped by a daylight saving change)"},
	{.name = "the repeated hour means its first time", .tz = BER,
	    .in = "02:30", .now = FALL_BACK, .want = "2024-10-27T00:30:00Z"},
	{.name = "hour 24", .tz = UTC, .in = "24:00",
	    .err = "'24:00': the time is not within 00:00:00-23:59:59"},
	{.name = "minute 60", .tz = UTC, .in = "10:60",
	    .err = "'10:60': the time is not within 00:00:00-23:59:59"},
	{.name = "second 60", .tz = UTC, .in = "10:30:60",
	    .err = "'10:30:60': the time is not within 00:00:00-23:59:59"},
	{.name = "one-digit minute", .tz = UTC, .in = "10:5",
	    .err = "'10:5': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "three-digit hour", .tz = UTC, .in = "100:30",
	    .err = "'100:30': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "no zone on a time today", .tz = UTC, .in = "10:30Z",
	    .err = "'10:30Z': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},

	/* ---- a date ------------------------------------------------------ */
	{.name = "bare date is its midnight, not 20:00", .tz = UTC,
	    .in = "2026-11-23", .want = "2026-11-23T00:00:00Z"},
	{.name = "bare date berlin", .tz = BER, .in = "2026-11-23",
	    .want = "2026-11-22T23:00:00Z"},
	{.name = "bare date berlin summer", .tz = BER, .in = "2024-07-01",
	    .want = "2024-06-30T22:00:00Z"},
	{.name = "29 February of a leap year", .tz = UTC, .in = "2024-02-29",
	    .want = "2024-02-29T00:00:00Z"},
	{.name = "2000 was a leap year", .tz = UTC, .in = "2000-02-29",
	    .want = "2000-02-29T00:00:00Z"},
	{.name = "30 February", .tz = UTC, .in = "2026-02-30",
	    .err = "'2026-02-30': no such date: 2026-02 has 28 days"},
	{.name = "29 February of a common year", .tz = UTC, .in = "2023-02-29",
	    .err = "'2023-02-29': no such date: 2023-02 has 28 days"},
	{.name = "1900 was no leap year", .tz = BER, .in = "2100-02-29",
	    .err = "'2100-02-29': no such date: 2100-02 has 28 days"},
	{.name = "31 April", .tz = BER, .in = "2026-04-31",
	    .err = "'2026-04-31': no such date: 2026-04 has 30 days"},
	{.name = "day 0", .tz = UTC, .in = "2026-11-00",
	    .err = "'2026-11-00': no such date: 2026-11 has 30 days"},
	{.name = "month 13", .tz = UTC, .in = "2026-13-01",
	    .err = "'2026-13-01': the month is not within 01-12"},
	{.name = "month 0", .tz = UTC, .in = "2026-00-10",
	    .err = "'2026-00-10': the month is not within 01-12"},
	{.name = "before 1970", .tz = UTC, .in = "1969-12-31",
	    .err = "'1969-12-31': the year is not within 1970-9999"},
	{.name = "one-digit month", .tz = UTC, .in = "2026-1-05",
	    .err = "'2026-1-05': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "five-digit year", .tz = UTC, .in = "20260-11-23",
	    .err = "'20260-11-23': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "year alone", .tz = UTC, .in = "2026",
	    .err = "'2026': not a time (2026-11-23, '2026-11-23 10:30', "
	    "2026-11-23T10:30:00Z, 10:30, today, yesterday, now, or a "
	    "duration such as 2h)"},
	{.name = "text after the date", .tz = UTC, .in = "2026-11-23x",
	    .err = "'2026-11-23x': the time after the date is not HH:MM or "
	    "HH:MM:SS"},

	/* ---- a date and a time ------------------------------------------ */
	{.name = "T and minutes", .tz = UTC, .in = "2026-11-23T10:30",
	    .want = "2026-11-23T10:30:00Z"},
	{.name = "blank and minutes", .tz = UTC, .in = "2026-11-23 10:30",
	    .want = "2026-11-23T10:30:00Z"},
	{.name = "T and seconds", .tz = UTC, .in = "2026-11-23T10:30:59",
	    .want = "2026-11-23T10:30:59Z"},
	{.name = "local berlin", .tz = BER, .in = "2026-11-23T10:30:00",
	    .want = "2026-11-23T09:30:00Z"},
	{.name = "local berlin summer", .tz = BER, .in = "2024-07-01 10:30",
	    .want = "2024-07-01T08:30:00Z"},
	{.name = "skipped local time", .tz = BER, .in = "2024-03-31T02:30",
	    .err = "'2024-03-31T02:30': that local time does not exist in "
	    "this time zone (skipped by a daylight saving change)"},
	{.name = "first of a repeated local time", .tz = BER,
	    .in = "2024-10-27 02:30", .want = "2024-10-27T00:30:00Z"},
	{.name = "after the repeated hour", .tz = BER, .in = "2024-10-27 03:30",
	    .want = "2024-10-27T02:30:00Z"},
	{.name = "lower-case t", .tz = UTC, .in = "2026-11-23t10:30",
	    .err = "'2026-11-23t10:30': the time after the date is not HH:MM or "
	    "HH:MM:SS"},
	{.name = "hour without minutes", .tz = UTC, .in = "2026-11-23T10",
	    .err = "'2026-11-23T10': the time after the date is not HH:MM or "
	    "HH:MM:SS"},
	{.name = "two blanks", .tz = UTC, .in = "2026-11-23  10:30",
	    .err = "'2026-11-23  10:30': the time after the date is not HH:MM "
	    "or HH:MM:SS"},
	{.name = "date valid, time not", .tz = UTC, .in = "2026-11-23T25:00",
	    .err = "'2026-11-23T25:00': the time is not within "
	    "00:00:00-23:59:59"},
	{.name = "time valid, date not", .tz = UTC, .in = "2026-02-30T10:00Z",
	    .err = "'2026-02-30T10:00Z': no such date: 2026-02 has 28 days"},

	/* ---- the ISO times mxtriage prints -------------------------------- */
	{.name = "Z", .tz = UTC, .in = "2026-11-23T12:34:12Z",
	    .want = "2026-11-23T12:34:12Z"},
	{.name = "Z in berlin is still UTC", .tz = BER,
	    .in = "2026-11-23T12:34:12Z", .want = "2026-11-23T12:34:12Z"},
	{.name = "+01:00", .tz = UTC, .in = "2026-11-23T12:34:12+01:00",
	    .want = "2026-11-23T11:34:12Z"},
	{.name = "+0100", .tz = BER, .in = "2026-11-23T12:34:12+0100",
	    .want = "2026-11-23T11:34:12Z"},
	{.name = "-05:30", .tz = UTC, .in = "2026-11-23T12:34:12-05:30",
	    .want = "2026-11-23T18:04:12Z"},
	{.name = "zone across midnight", .tz = UTC,
	    .in = "2026-01-01T00:30:00+02:00", .want = "2025-12-31T22:30:00Z"},
	{.name = "fraction is dropped", .tz = UTC,
	    .in = "2026-11-23T10:00:01.123456+01:00",
	    .want = "2026-11-23T09:00:01Z"},
	{.name = "fraction without zone", .tz = BER,
	    .in = "2026-11-23T10:00:01.5", .want = "2026-11-23T09:00:01Z"},
	{.name = "zone without seconds", .tz = UTC, .in = "2026-11-23T10:30Z",
	    .want = "2026-11-23T10:30:00Z"},
	{.name = "the skipped hour exists with a zone", .tz = BER,
	    .in = "2024-03-31T02:30:00+01:00", .want = "2024-03-31T01:30:00Z"},
	{.name = "empty fraction", .tz = UTC, .in = "2026-11-23T10:30:00.Z",
	    .err = "'2026-11-23T10:30:00.Z': no digits after the decimal point"},
	{.name = "fraction of ten digits", .tz = UTC,
	    .in = "2026-11-23T10:30:00.1234567890Z",
	    .err = "'2026-11-23T10:30:00.1234567890Z': unexpected text after "
	    "the date and time"},
	{.name = "zone hours only", .tz = UTC, .in = "2026-11-23T10:30:00+01",
	    .err = "'2026-11-23T10:30:00+01': the zone is not Z, +hh:mm or "
	    "+hhmm"},
	{.name = "zone one-digit minutes", .tz = UTC,
	    .in = "2026-11-23T10:30:00+01:0",
	    .err = "'2026-11-23T10:30:00+01:0': the zone is not Z, +hh:mm or "
	    "+hhmm"},
	{.name = "zone hour 24", .tz = UTC, .in = "2026-11-23T10:30:00+24:00",
	    .err = "'2026-11-23T10:30:00+24:00': the zone is not Z, +hh:mm or "
	    "+hhmm"},
	{.name = "zone minute 60", .tz = UTC, .in = "2026-11-23T10:30:00+01:60",
	    .err = "'2026-11-23T10:30:00+01:60': the zone is not Z, +hh:mm or "
	    "+hhmm"},
	{.name = "lower-case z", .tz = UTC, .in = "2026-11-23T10:30:00z",
	    .err = "'2026-11-23T10:30:00z': unexpected text after the date and "
	    "time"},
	{.name = "text after the zone", .tz = UTC, .in = "2026-11-23T10:30:00Zx",
	    .err = "'2026-11-23T10:30:00Zx': unexpected text after the date and "
	    "time"},
	{.name = "blank before the zone", .tz = UTC, .in = "2026-11-23T10:30:00 Z",
	    .err = "'2026-11-23T10:30:00 Z': unexpected text after the date and "
	    "time"},

	/* ---- --day ----------------------------------------------------- */
	{.name = "day date", .tz = UTC, .fn = DAY, .in = "2026-11-23",
	    .want = "2026-11-23T00:00:00Z", .until = "2026-11-24T00:00:00Z"},
	{.name = "day today", .tz = UTC, .fn = DAY, .in = "today",
	    .want = "2026-11-23T00:00:00Z", .until = "2026-11-24T00:00:00Z"},
	{.name = "day yesterday", .tz = BER, .fn = DAY, .in = "yesterday",
	    .want = "2026-11-21T23:00:00Z", .until = "2026-11-22T23:00:00Z"},
	{.name = "day end of year", .tz = BER, .fn = DAY, .in = "2026-12-31",
	    .want = "2026-12-30T23:00:00Z", .until = "2026-12-31T23:00:00Z"},
	{.name = "day of 23 hours", .tz = BER, .fn = DAY, .in = "2024-03-31",
	    .want = "2024-03-30T23:00:00Z", .until = "2024-03-31T22:00:00Z"},
	{.name = "day of 25 hours", .tz = BER, .fn = DAY, .in = "2024-10-27",
	    .want = "2024-10-26T22:00:00Z", .until = "2024-10-27T23:00:00Z"},
	{.name = "day today, 25 hours", .tz = BER, .fn = DAY, .in = "today",
	    .now = FALL_BACK, .want = "2024-10-26T22:00:00Z",
	    .until = "2024-10-27T23:00:00Z"},
	{.name = "day yesterday of the spring day", .tz = BER, .fn = DAY,
	    .in = "yesterday", .now = SPRING + 86400,
	    .want = "2024-03-30T23:00:00Z", .until = "2024-03-31T22:00:00Z"},
	{.name = "day whose midnight is skipped starts at 01:00",
	    .tz = "America/Santiago", .fn = DAY, .in = "2022-09-11",
	    .want = "2022-09-11T04:00:00Z", .until = "2022-09-12T03:00:00Z"},
	{.name = "since a day whose midnight is skipped",
	    .tz = "America/Santiago", .in = "2022-09-11",
	    .want = "2022-09-11T04:00:00Z"},
	{.name = "day 30 February", .tz = BER, .fn = DAY, .in = "2026-02-30",
	    .err = "'2026-02-30': no such date: 2026-02 has 28 days"},
	{.name = "day with a time", .tz = UTC, .fn = DAY, .in = "2026-11-23T00:00",
	    .err = "'2026-11-23T00:00': not 'today', 'yesterday' or a date "
	    "YYYY-MM-DD"},
	{.name = "day now", .tz = UTC, .fn = DAY, .in = "now",
	    .err = "'now': not 'today', 'yesterday' or a date YYYY-MM-DD"},
	{.name = "day duration", .tz = UTC, .fn = DAY, .in = "1d",
	    .err = "'1d': not 'today', 'yesterday' or a date YYYY-MM-DD"},
	{.name = "day 20:00 is not a day", .tz = UTC, .fn = DAY, .in = "20:00",
	    .err = "'20:00': not 'today', 'yesterday' or a date YYYY-MM-DD"},
};

static void
set_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void
iso_utc(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (gmtime_r(&tt, &tm) == NULL)
		snprintf(buf, size, "(%lld)", (long long)t);
	else
		strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
check_row(const struct row *r)
{
	char name[256], got[64];
	snprintf(name, sizeof name, "%s [%s %s '%s']", r->name, r->tz,
	    r->fn == DAY ? "--day" : "--since", r->in);
	set_tz(r->tz);
	time_t now = r->now ? r->now : NOW;
	struct mxt_error e;
	memset(&e, 0, sizeof e);
	int64_t since = 0, until = 0;
	int rc = r->fn == DAY ? mxt_day_range(r->in, now, &since, &until, &e) :
	    mxt_time_parse(r->in, now, &since, &e);

	if (r->err != NULL) {
		if (test_int(name, "status", rc, -1))
			test_str(name, "error", e.text, strlen(e.text), r->err);
		return;
	}
	if (!test_ok(rc == 0, name, "got error '%s', want success", e.text))
		return;
	if (r->want == NULL)
		return; /* only "no error" (and no UB under UBSan) */
	iso_utc(since, got, sizeof got);
	test_str(name, "since", got, strlen(got), r->want);
	if (r->fn == DAY) {
		iso_utc(until, got, sizeof got);
		test_str(name, "until", got, strlen(got), r->until);
	}
}

int
main(void)
{
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		check_row(&rows[i]);
	return test_done();
}
