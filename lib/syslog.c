/*
 * syslog.c - the syslog framings: line -> {time, host, program, pid,
 * message}, and the clock that dates year-less lines.
 *
 * One hand-written scanner per header family, refusing foreign lines on
 * their first bytes (the registry in framing.c tries them in order),
 * because this runs on every line of the log (most of them not ours) and a
 * regex per line would dominate the run time. Recognised (a file may mix
 * them):
 *   traditional  "Nov 23 10:00:01 host prog[pid]: msg", optional "<PRI>",
 *                space-padded or unpadded day, Solaris "[ID n fac.pri]" tag
 *   RFC3339      "2026-11-23T10:00:01.123456+01:00 host prog[pid]: msg"
 *                (rsyslog; journalctl -o short-iso[-precise]: "+0100")
 *   RFC5424      "<22>1 2026-11-23T10:00:01.123Z host app procid msgid sd msg"
 *                (also what the reader makes of journald's JSON and export
 *                entries, journal.c)
 *   short-full   "Mon 2026-11-23 10:00:01 CET host prog[pid]: msg"
 *                (journalctl -o short-full; the zone is UTC/GMT, a
 *                numeric "+03" / "-0330", or an abbreviation taken as
 *                the local zone, where journalctl ran)
 *   short-unix   "1795440792.000001 host prog[pid]: msg" (journalctl -o
 *                short-unix: seconds since the epoch)
 * journalctl -o short-monotonic and short-delta carry only the time since
 * boot, no date: they are not read (nothing could place them in a window).
 * Exim's own format and syslog-wrapped Exim are in framing_exim.c.
 * Year-less traditional times are local time of the machine (TZ) in the
 * year that mxt_clock infers.
 */
#include "framing.h"

#include <stddef.h>
#include <stdlib.h>

void
mxt_clock_init(struct mxt_clock *c, int year, time_t reference)
{
	/* not the line buffer (64 KiB), which only rejoin writes before
	 * reading */
	memset(c, 0, offsetof(struct mxt_clock, rejoined));
	c->year = year;
	c->reference = reference ? reference : time(NULL);
	c->cache_key = -1;
	c->ucache_key = -1;
}

static int
month_of(const char *p)
{
	/* "Jan".."Dec" -> 1..12, 0 when not a month. The three bytes as
	 * one number, one switch: every line of the log comes here, most of
	 * them in the year's later months, which a loop reached last. */
	unsigned k = (unsigned)(unsigned char)p[0] << 16 |
	    (unsigned)(unsigned char)p[1] << 8 | (unsigned char)p[2];
#define M(a, b, c) ((unsigned)(a) << 16 | (unsigned)(b) << 8 | (unsigned)(c))
	switch (k) {
	case M('J', 'a', 'n'): return 1;
	case M('F', 'e', 'b'): return 2;
	case M('M', 'a', 'r'): return 3;
	case M('A', 'p', 'r'): return 4;
	case M('M', 'a', 'y'): return 5;
	case M('J', 'u', 'n'): return 6;
	case M('J', 'u', 'l'): return 7;
	case M('A', 'u', 'g'): return 8;
	case M('S', 'e', 'p'): return 9;
	case M('O', 'c', 't'): return 10;
	case M('N', 'o', 'v'): return 11;
	case M('D', 'e', 'c'): return 12;
	default: return 0;
	}
#undef M
}

/* Reads exactly n digits at *pp; -1 when they are not all digits. */
static int
digits(const char **pp, const char *end, int n)
{
	const char *p = *pp;
	int v = 0;
	if (end - p < n)
		return -1;
	for (int i = 0; i < n; i++) {
		if (!is_digit(p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	return v;
}

/* Are the n bytes at p all digits? */
static inline bool
all_digits(const char *p, int n)
{
	unsigned bad = 0;
	for (int i = 0; i < n; i++)
		bad |= (unsigned)(unsigned char)(p[i] - '0') > 9;
	return !bad;
}

/* The two digits at p as a number (all_digits said they are). */
static inline int
two(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/* "hh:mm:ss" */
static bool
clock_time(const char **pp, const char *end, int *h, int *mi, int *s)
{
	const char *p = *pp;
	/* every line has one: the whole shape at once when it is there,
	 * else digit by digit; the same checks after either */
	if (end - p >= 8 && p[2] == ':' && p[5] == ':' && all_digits(p, 2) &&
	    all_digits(p + 3, 2) && all_digits(p + 6, 2)) {
		*h = two(p);
		*mi = two(p + 3);
		*s = two(p + 6);
		p += 8;
	} else if ((*h = digits(&p, end, 2)) < 0 || p >= end || *p++ != ':' ||
	    (*mi = digits(&p, end, 2)) < 0 || p >= end || *p++ != ':' ||
	    (*s = digits(&p, end, 2)) < 0) {
		return false;
	}
	if (*h > 23 || *mi > 59 || *s > 60)
		return false;
	*pp = p;
	return true;
}

/* ".ddd..." -> frac and digit count (at most 9 kept). */
static void
fraction(const char **pp, const char *end, struct mxt_time *t)
{
	const char *p = *pp;
	if (p >= end || (*p != '.' && *p != ',') || p + 1 >= end ||
	    !is_digit(p[1]))
		return;
	p++;
	while (p < end && is_digit(*p)) {
		if (t->frac_digits < 9) {
			t->frac = t->frac * 10 + (*p - '0');
			t->frac_digits++;
		}
		p++;
	}
	*pp = p;
}

/* "Z", "+hh:mm", "+hhmm", "+hh" -> seconds east of UTC. */
static bool
zone(const char **pp, const char *end, int32_t *off)
{
	const char *p = *pp;
	if (p < end && (*p == 'Z' || *p == 'z')) {
		*off = 0;
		*pp = p + 1;
		return true;
	}
	if (p >= end || (*p != '+' && *p != '-'))
		return false;
	int sign = *p++ == '-' ? -1 : 1;
	int h = digits(&p, end, 2), m = 0;
	if (h < 0 || h > 23)
		return false;
	if (p < end && *p == ':')
		p++;
	if (p + 1 < end && is_digit(*p) && is_digit(p[1]))
		m = digits(&p, end, 2);
	if (m > 59)
		return false;
	*off = sign * (h * 3600 + m * 60);
	*pp = p;
	return true;
}

/* "YYYY-MM-DD" */
static bool
date(const char **pp, const char *end, int *y, int *mo, int *d)
{
	const char *p = *pp;
	if (end - p >= 10 && p[4] == '-' && p[7] == '-' && all_digits(p, 4) &&
	    all_digits(p + 5, 2) && all_digits(p + 8, 2)) {
		*y = two(p) * 100 + two(p + 2);
		*mo = two(p + 5);
		*d = two(p + 8);
		p += 10;
	} else if ((*y = digits(&p, end, 4)) < 0 || p >= end || *p++ != '-' ||
	    (*mo = digits(&p, end, 2)) < 0 || p >= end || *p++ != '-' ||
	    (*d = digits(&p, end, 2)) < 0) {
		return false;
	}
	if (*mo < 1 || *mo > 12 || *d < 1 || *d > 31)
		return false;
	*pp = p;
	return true;
}

static int64_t
utc_seconds(int y, int mo, int d, int h, int mi, int s)
{
	return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + s;
}

/*
 * Local wall time -> seconds since the epoch and the offset in force.
 * mktime(3) is the right tool (it knows the zone's rules and DST) but it
 * is slow, so its answer for the start of each hour is cached: lines
 * arrive in time order and share the hour.
 */
static void
local_seconds(struct mxt_clock *c, int y, int mo, int d, int h, int mi,
    int s, struct mxt_time *t)
{
	int64_t key = ((int64_t)y * 100 + mo) * 10000 + d * 100 + h;
	if (key != c->cache_key) {
		struct tm tm = {0};
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_isdst = -1;
		time_t base = mktime(&tm);
		c->cache_key = key;
		c->cache_base = base;
		c->cache_off = (int32_t)tm.tm_gmtoff;
	}
	t->sec = c->cache_base + mi * 60 + s;
	t->utcoff = c->cache_off;
	t->valid = true;
}

static int
reference_year(const struct mxt_clock *c)
{
	struct tm tm;
	time_t ref = c->reference;
	localtime_r(&ref, &tm);
	return tm.tm_year + 1900;
}

/* Whether a time of the year traditional_time chose first keeps it: not
 * more than a day after the log was written (or the year is fixed). */
static bool
keeps_year(const struct mxt_clock *c, const struct mxt_time *t)
{
	return c->year != 0 || t->sec <= (int64_t)c->reference + 86400;
}

/* Whether the year was put back (the time is of the year before). */
static bool
traditional_time(struct mxt_clock *c, int mo, int d, int h, int mi, int s,
    struct mxt_time *t)
{
	if (c->year) {
		local_seconds(c, c->year, mo, d, h, mi, s, t);
		return false;
	}
	if (c->ucache_key != (int64_t)c->reference) {
		/* ucache holds the inferred year of this reference */
		c->ucache_key = (int64_t)c->reference;
		c->ucache_base = reference_year(c);
	}
	int y = (int)c->ucache_base;
	local_seconds(c, y, mo, d, h, mi, s, t);
	/* A time more than a day after the log was written belongs to the
	 * previous year: December lines read in January. */
	if (keeps_year(c, t))
		return false;
	local_seconds(c, y - 1, mo, d, h, mi, s, t);
	return true;
}

/*
 * "host prog[pid]: msg" or "host prog: msg". The program tag ends at '['
 * or ':'; tags never hold spaces. Returns false when the shape differs.
 */
bool
mxt_framing_host_tag(const char *p, const char *end, struct mxt_logline *out)
{
	/* every line comes here: the scans go a word at a time */
	const char *h = p, *he = token_end(p, end);
	if (he == h || he >= end)
		return false;
	out->host = mxt_str_make(h, (size_t)(he - h));
	p = he + 1;
	const char *prog = p;
	p = scan_to3(p, end, '[', ':', ' ');
	if (p == prog || p >= end)
		return false;
	out->program = mxt_str_make(prog, (size_t)(p - prog));
	if (*p == '[') {
		const char *pid = ++p;
		p = scan_to3(p, end, ']', ']', ']');
		if (p >= end)
			return false;
		out->pid = mxt_str_make(pid, (size_t)(p - pid));
		p++;
	}
	if (p >= end || *p != ':')
		return false;
	p++;
	if (p < end && *p == ' ')
		p++;
	/* Solaris syslogd: "[ID 197553 mail.info] " message tags. */
	if (has_lit(p, end, "[ID ")) {
		const char *q = memchr(p, ']', (size_t)(end - p));
		if (q != NULL) {
			p = q + 1;
			if (p < end && *p == ' ')
				p++;
		}
	}
	out->msg = mxt_str_make(p, (size_t)(end - p));
	return true;
}

/* "Mmm dd hh:mm:ss[.frac]" at *pp, followed by a space; *pp moves to that
 * space. The bytes read for the line before (c->trad) followed by a space
 * read the same. */
static bool
trad_time(struct mxt_clock *c, const char **pp, const char *end,
    struct mxt_time *t)
{
	const char *p = *pp;
	if (mxt_time_memo_at(&c->trad, p, end)) {
		*t = c->trad.time;
		*pp = p + c->trad.len;
		return true;
	}
	/* the same minute: a time whose year was put back is not kept for
	 * that (c->trad.sec_at 0), and the time read near must not be past
	 * the day after the log either, or its year would have been (then
	 * the memo is dropped: it holds that time) */
	if (mxt_time_memo_near(&c->trad, p, end, t)) {
		if (keeps_year(c, t)) {
			*pp = p + c->trad.len;
			return true;
		}
		c->trad.len = 0;
	}
	int mo, d, h, mi, s;
	if (end - p < 15 || (mo = month_of(p)) == 0 || p[3] != ' ')
		return false;
	p += 4;
	if (*p == ' ')
		p++;
	if (p >= end || !is_digit(*p))
		return false;
	d = *p++ - '0';
	if (p < end && is_digit(*p))
		d = d * 10 + (*p++ - '0');
	if (d < 1 || d > 31 || p >= end || *p++ != ' ')
		return false;
	if (!clock_time(&p, end, &h, &mi, &s))
		return false;
	memset(t, 0, sizeof *t);
	fraction(&p, end, t);
	if (p >= end || *p != ' ')
		return false;
	bool back = traditional_time(c, mo, d, h, mi, s, t);
	mxt_time_memo_keep(&c->trad, *pp, (size_t)(p - *pp), t, false, !back);
	*pp = p;
	return true;
}

static bool
parse_traditional(struct mxt_clock *c, const char *p, const char *end,
    bool had_pri, struct mxt_logline *out)
{
	struct mxt_time t;
	if (!trad_time(c, &p, end, &t) ||
	    !mxt_framing_host_tag(skip_spaces(p, end), end, out))
		return false;
	out->time = t;
	out->kind = MXT_HDR_TRADITIONAL;
	return true;
}

/* ISO date, sep, time [fraction] [zone]. Without a zone the time is
 * local wall time, converted through `local` (NULL: zone required). */
bool
mxt_framing_iso_time(const char **pp, const char *end, char sep,
    struct mxt_clock *local, struct mxt_time *t, bool *had_zone)
{
	const char *p = *pp;
	int y, mo, d, h, mi, s;
	if (!date(&p, end, &y, &mo, &d) || p >= end || *p++ != sep ||
	    !clock_time(&p, end, &h, &mi, &s))
		return false;
	memset(t, 0, sizeof *t);
	fraction(&p, end, t);
	int32_t off = 0;
	const char *z = p;
	if (sep == ' ' && p < end && *p == ' ')
		z = p + 1; /* Exim's log_timezone: " +0100" */
	*had_zone = zone(&z, end, &off);
	if (*had_zone) {
		p = z;
		t->sec = utc_seconds(y, mo, d, h, mi, s) - off;
		t->utcoff = off;
		t->valid = true;
	} else if (local != NULL) {
		local_seconds(local, y, mo, d, h, mi, s, t);
	} else {
		return false;
	}
	*pp = p;
	return true;
}

static bool
parse_rfc3339(struct mxt_clock *c, const char *p, const char *end,
    bool had_pri, struct mxt_logline *out)
{
	bool had_zone;
	if (!mxt_framing_iso_time(&p, end, 'T', NULL, &out->time, &had_zone))
		return false;
	if (p >= end || *p != ' ')
		return false;
	if (!mxt_framing_host_tag(skip_spaces(p, end), end, out))
		return false;
	out->kind = MXT_HDR_RFC3339;
	return true;
}

/* "<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG" (RFC 5424 section 6). */
static bool
parse_rfc5424(struct mxt_clock *c, const char *p, const char *end,
    bool had_pri, struct mxt_logline *out)
{
	bool had_zone;
	if (!had_pri || (p = skip_lit(p, end, "1 ")) == NULL)
		return false;
	if (has_lit(p, end, "- ")) {
		p += 1;
		out->time.valid = false;
	} else if (!mxt_framing_iso_time(&p, end, 'T', NULL, &out->time, &had_zone)) {
		return false;
	}
	struct mxt_str f[4]; /* host app procid msgid */
	for (int i = 0; i < 4; i++) {
		if (p >= end || *p != ' ')
			return false;
		p++;
		const char *e = token_end(p, end);
		f[i] = mxt_str_make(p, (size_t)(e - p));
		if (f[i].len == 1 && f[i].ptr[0] == '-')
			f[i].len = 0;
		p = e;
	}
	if (p >= end || *p != ' ')
		return false;
	p++;
	/* structured data: "-" or one or more "[...]" */
	if (p < end && *p == '-') {
		p++;
	} else {
		while (p < end && *p == '[') {
			bool quoted = false;
			for (p++; p < end; p++) {
				if (*p == '\\' && p + 1 < end)
					p++;
				else if (*p == '"')
					quoted = !quoted;
				else if (*p == ']' && !quoted)
					break;
			}
			if (p >= end)
				return false;
			p++;
		}
	}
	if (p < end && *p == ' ')
		p++;
	if (has_lit(p, end, "\xEF\xBB\xBF"))
		p += 3; /* BOM */
	out->host = f[0];
	out->program = f[1];
	out->pid = f[2];
	out->msg = mxt_str_make(p, (size_t)(end - p));
	out->kind = MXT_HDR_RFC5424;
	return true;
}

/* The offset east of UTC that the local zone has at sec. */
static int32_t
local_offset(int64_t sec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	return localtime_r(&t, &tm) != NULL ? (int32_t)tm.tm_gmtoff : 0;
}

/* "Www YYYY-MM-DD HH:MM:SS[.frac] ZONE host prog[pid]: msg" */
static bool
parse_short_full(struct mxt_clock *c, const char *p, const char *end,
    bool had_pri, struct mxt_logline *out)
{
	static const char days[] = "MonTueWedThuFriSatSun";
	bool day = false, had_zone;
	if (end - p < 25 || p[3] != ' ' || !is_digit(p[4]))
		return false;
	for (int i = 0; i < 7 && !day; i++)
		day = memcmp(p, days + 3 * i, 3) == 0;
	if (!day)
		return false;
	p += 4;
	/* the time as wall time of the local zone, unless a zone says */
	struct mxt_time t;
	if (!mxt_framing_iso_time(&p, end, ' ', c, &t, &had_zone) ||
	    had_zone || p >= end || *p != ' ')
		return false;
	const char *z = ++p, *ze = token_end(p, end);
	if (ze == z || ze >= end)
		return false;
	int32_t off = 0;
	const char *zp = z;
	if (mxt_has_bytes(z, ze, MXT_LIT("UTC")) ||
	    mxt_has_bytes(z, ze, MXT_LIT("GMT"))) {
		if (ze - z != 3)
			return false;
		t.sec += t.utcoff;
		t.utcoff = 0;
	} else if (zone(&zp, ze, &off) && zp == ze) {
		t.sec += t.utcoff - off;
		t.utcoff = off;
	} else {
		for (const char *q = z; q < ze; q++)
			if (!(*q >= 'A' && *q <= 'Z') && !(*q >= 'a' &&
			    *q <= 'z'))
				return false;
	}
	if (!mxt_framing_host_tag(ze + 1, end, out))
		return false;
	out->time = t;
	out->kind = MXT_HDR_RFC3339;
	return true;
}

/* "SECONDS.FRACTION host prog[pid]: msg" */
static bool
parse_short_unix(struct mxt_clock *c, const char *p, const char *end,
    bool had_pri, struct mxt_logline *out)
{
	int64_t sec = 0;
	const char *q = p;
	while (q < end && is_digit(*q) && q - p < 12)
		sec = sec * 10 + (*q++ - '0');
	/* at least 9 digits (2001 on), and the fraction journalctl prints */
	if (q - p < 9 || q >= end || *q != '.')
		return false;
	struct mxt_time t = {0};
	fraction(&q, end, &t);
	if (t.frac_digits == 0 || q >= end || *q != ' ')
		return false;
	if (!mxt_framing_host_tag(q + 1, end, out))
		return false;
	t.sec = sec;
	t.valid = true;
	t.utcoff = local_offset(sec);
	out->time = t;
	out->kind = MXT_HDR_RFC3339;
	return true;
}

const struct mxt_framing mxt_framing_short_full = {"short-full",
    parse_short_full};
const struct mxt_framing mxt_framing_short_unix = {"short-unix",
    parse_short_unix};
const struct mxt_framing mxt_framing_rfc5424 = {"rfc5424", parse_rfc5424};
const struct mxt_framing mxt_framing_rfc3339 = {"rfc3339", parse_rfc3339};
const struct mxt_framing mxt_framing_traditional = {"traditional",
    parse_traditional};
