/*
 * timespec.c - times given on the command line: --since, --until, --day.
 *
 * Dates and times without a zone are local (TZ) and go through mktime(3)
 * with tm_isdst = -1, so a local calendar day is 23 or 25 hours long
 * across a DST change, as a person means it.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

static void
fail(struct mxt_error *err, const char *s, const char *why)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof *err);
	snprintf(err->text, sizeof err->text, "'%s': %s", s, why);
}

/* Local midnight of the day `days` away from the day of now. */
static int64_t
local_midnight(time_t now, int days)
{
	struct tm tm;
	localtime_r(&now, &tm);
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

int
mxt_day_range(const char *day, time_t now, int64_t *since, int64_t *until,
    struct mxt_error *err)
{
	int offset;
	if (strcmp(day, "today") == 0)
		offset = 0;
	else if (strcmp(day, "yesterday") == 0)
		offset = -1;
	else {
		int y, m, d;
		char end;
		if (sscanf(day, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3) {
			fail(err, day, "not 'today', 'yesterday' or a date YYYY-MM-DD");
			return -1;
		}
		struct tm tm = {0};
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d;
		tm.tm_isdst = -1;
		*since = (int64_t)mktime(&tm);
		tm.tm_mday++;
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		*until = (int64_t)mktime(&tm);
		return 0;
	}
	*since = local_midnight(now, offset);
	*until = local_midnight(now, offset + 1);
	return 0;
}

int
mxt_time_parse(const char *s, time_t now, int64_t *out, struct mxt_error *err)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	char unit;
	long long count;

	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
		int64_t until;
		return mxt_day_range(s, now, out, &until, err);
	}
	/* duration back from now: 90s, 30m, 2h, 1d, 1w */
	if (sscanf(s, "%lld%c%n", &count, &unit, &n) == 2 && s[n] == '\0' &&
	    count >= 0) {
		long mult = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ?
		    3600 : unit == 'd' ? 86400 : unit == 'w' ? 604800 : 0;
		if (mult == 0) {
			fail(err, s, "unknown unit (use s, m, h, d or w)");
			return -1;
		}
		*out = (int64_t)now - count * mult;
		return 0;
	}
	struct tm tm;
	localtime_r(&now, &tm);
	/* "10:30" or "10:30:15": today */
	n = 0;
	if ((sscanf(s, "%2d:%2d%n", &h, &mi, &n) == 2 && s[n] == '\0') ||
	    (sscanf(s, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) == 3 && s[n] == '\0')) {
		y = tm.tm_year + 1900;
		mo = tm.tm_mon + 1;
		d = tm.tm_mday;
	} else {
		n = 0;
		int k = sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n);
		if (k != 3) {
			fail(err, s, "not a time (2026-11-23, 2026-11-23T10:30, "
			    "10:30, today, yesterday, now, 2h)");
			return -1;
		}
		const char *p = s + n;
		if (*p == 'T' || *p == ' ') {
			int m2 = 0;
			if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m2) != 2) {
				fail(err, s, "the time after the date is not HH:MM");
				return -1;
			}
			p += 1 + m2;
			if (*p == ':') {
				int m3 = 0;
				if (sscanf(p + 1, "%2d%n", &sec, &m3) != 1) {
					fail(err, s, "seconds are not a number");
					return -1;
				}
				p += 1 + m3;
			}
		}
		if (*p != '\0') {
			fail(err, s, "unexpected text after the date and time");
			return -1;
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60 || h < 0 || mi < 0 || sec < 0) {
		fail(err, s, "date or time out of range");
		return -1;
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	*out = (int64_t)mktime(&tm);
	return 0;
}
