/*
 * syslog_test.c - header parsing and year inference, one real line per
 * header format (sources in testdata/SOURCES).
 */
#include "internal.h"
#include "testutil.h"

#include <stdlib.h>

struct header_case {
	const char *name;
	const char *tz;
	int year;          /* --year, 0 = infer */
	const char *ref;   /* reference time (file mtime), ISO, UTC */
	const char *line;
	enum mxt_header_kind kind;
	const char *time;  /* as mxt_time_format prints it, "" = no time */
	const char *host, *program, *pid, *msg;
};

static const struct header_case cases[] = {
	{"traditional, padded day", "UTC", 0, "2024-04-01T00:00:00Z",
	    "Mar 24 13:58:01 5mail-gw01 postfix/smtp[25469]: 7EE668039: to=<admin@example.com>",
	    MXT_HDR_TRADITIONAL, "2024-03-24T13:58:01Z", "5mail-gw01",
	    "postfix/smtp", "25469", "7EE668039: to=<admin@example.com>"},
	{"traditional, unpadded day", "UTC", 2019, "2024-04-01T00:00:00Z",
	    "Mar 7 02:09:33 server postfix/smtpd[27246]: 1D8CC1CA0A7F: milter-reject: DATA",
	    MXT_HDR_TRADITIONAL, "2019-03-07T02:09:33Z", "server",
	    "postfix/smtpd", "27246", "1D8CC1CA0A7F: milter-reject: DATA"},
	{"traditional, space-padded single digit", "UTC", 2021, "2024-04-01T00:00:00Z",
	    "Jan  4 07:50:46 mailmaster postfix/policy-spf[9454]: : SPF permerror",
	    MXT_HDR_TRADITIONAL, "2021-01-04T07:50:46Z", "mailmaster",
	    "postfix/policy-spf", "9454", ": SPF permerror"},
	{"traditional with <PRI>", "UTC", 2021, "2024-04-01T00:00:00Z",
	    "<22>Jan  4 07:50:46 mailmaster postfix/policy-spf[9454]: : SPF permerror",
	    MXT_HDR_TRADITIONAL, "2021-01-04T07:50:46Z", "mailmaster",
	    "postfix/policy-spf", "9454", ": SPF permerror"},
	{"Solaris [ID n fac.pri] tag", "UTC", 2015, "2024-04-01T00:00:00Z",
	    "Jan 26 00:57:38 relay.cs.tcd.ie postfix/smtpd[9779]: [ID 197553 mail.info] 9F2183652: client=localhost[127.0.0.1]",
	    MXT_HDR_TRADITIONAL, "2015-01-26T00:57:38Z", "relay.cs.tcd.ie",
	    "postfix/smtpd", "9779", "9F2183652: client=localhost[127.0.0.1]"},
	{"traditional in local zone (TZ)", "Europe/Berlin", 2024, "2024-12-01T00:00:00Z",
	    "Mar 24 13:58:01 5mail-gw01 postfix/smtp[25469]: x",
	    MXT_HDR_TRADITIONAL, "2024-03-24T13:58:01+01:00", "5mail-gw01",
	    "postfix/smtp", "25469", "x"},
	{"traditional in local summer time", "Europe/Berlin", 2024, "2024-12-01T00:00:00Z",
	    "Jul  5 06:52:11 prd-mx1 postfix/smtp[22030]: x",
	    MXT_HDR_TRADITIONAL, "2024-07-05T06:52:11+02:00", "prd-mx1",
	    "postfix/smtp", "22030", "x"},
	{"RFC3339 with microseconds", "UTC", 0, "2024-04-01T00:00:00Z",
	    "2023-03-14T00:00:31.185246+01:00 mx postfix/smtpd[1]: connect from x",
	    MXT_HDR_RFC3339, "2023-03-14T00:00:31.185246+01:00", "mx",
	    "postfix/smtpd", "1", "connect from x"},
	{"RFC3339 +00:00 no fraction", "UTC", 0, "2024-04-01T00:00:00Z",
	    "2025-01-01T00:00:00+00:00 hostname postfix/qmgr[12345]: 123456789AB: removed",
	    MXT_HDR_RFC3339, "2025-01-01T00:00:00Z", "hostname",
	    "postfix/qmgr", "12345", "123456789AB: removed"},
	{"RFC3339 Z with milliseconds", "UTC", 0, "2024-04-01T00:00:00Z",
	    "2021-03-06T06:09:00.000Z mail postfix/smtp[9]: x",
	    MXT_HDR_RFC3339, "2021-03-06T06:09:00.000Z", "mail",
	    "postfix/smtp", "9", "x"},
	{"journalctl -o short-iso (+hhmm)", "UTC", 0, "2024-04-01T00:00:00Z",
	    "2026-11-23T10:00:01+0100 mx1 postfix/smtp[812]: x",
	    MXT_HDR_RFC3339, "2026-11-23T10:00:01+01:00", "mx1",
	    "postfix/smtp", "812", "x"},
	{"journalctl -o short-iso-precise", "UTC", 0, "2024-04-01T00:00:00Z",
	    "2026-11-23T10:00:01.123456-0500 mx1 postfix/smtp[812]: x",
	    MXT_HDR_RFC3339, "2026-11-23T10:00:01.123456-05:00", "mx1",
	    "postfix/smtp", "812", "x"},
	{"RFC5424", "UTC", 0, "2024-04-01T00:00:00Z",
	    "<22>1 2011-03-03T15:27:06.501740+01:00 debian507x64 postfix 2454 - -  daemon started -- version 2.5.5",
	    MXT_HDR_RFC5424, "2011-03-03T15:27:06.501740+01:00", "debian507x64",
	    "postfix", "2454", " daemon started -- version 2.5.5"},
	{"RFC5424 with structured data", "UTC", 0, "2024-04-01T00:00:00Z",
	    "<22>1 2026-11-23T10:00:01.123Z mx1 postfix/smtp 1234 - [meta x=\"a]b\"] 3F2A1C0D9: removed",
	    MXT_HDR_RFC5424, "2026-11-23T10:00:01.123Z", "mx1",
	    "postfix/smtp", "1234", "3F2A1C0D9: removed"},
	{"Exim main log", "UTC", 0, "2024-04-01T00:00:00Z",
	    "2017-07-30 18:51:05.712 [1234] 10HmaX-000000005vi-0000 <= CALLER@test.ex",
	    MXT_HDR_EXIM, "2017-07-30T18:51:05.712Z", "", "exim", "1234",
	    "10HmaX-000000005vi-0000 <= CALLER@test.ex"},
	{"Exim main log with log_timezone", "UTC", 0, "2024-04-01T00:00:00Z",
	    "2021-05-04 13:37:00 +0100 1leYqa-0005Sa-9h <= a@b.test",
	    MXT_HDR_EXIM, "2021-05-04T13:37:00+01:00", "", "exim", "",
	    "1leYqa-0005Sa-9h <= a@b.test"},
	{"Exim main log in local zone", "Europe/Berlin", 0, "2024-04-01T00:00:00Z",
	    "2021-05-04 13:37:00 1leYqa-0005Sa-9h Completed",
	    MXT_HDR_EXIM, "2021-05-04T13:37:00+02:00", "", "exim", "",
	    "1leYqa-0005Sa-9h Completed"},
	/* as docker-compose 1.29 (through podman) and podman 4.3 wrote them */
	{"docker-compose 1.x logs -t, Exim main log behind", "UTC", 0,
	    "2026-12-01T00:00:00Z",
	    "postfix_1  | 2026-12-01T00:18:01Z 2026-11-23 13:33:33 1xVUAn-00009Q-1F Completed",
	    MXT_HDR_EXIM, "2026-11-23T13:33:33Z", "", "exim", "",
	    "1xVUAn-00009Q-1F Completed"},
	{"podman logs -t, a piece's timestamp inside the line", "UTC", 2026,
	    "2026-12-01T00:00:00Z",
	    "2026-12-01T00:17:39.671619079Z Nov 23 13:33:35 mta-lab postfix/smtp[600]: 922EAA78360: (in repl2026-12-01T00:17:39.671619079Z y to RCPT TO command)",
	    MXT_HDR_TRADITIONAL, "2026-11-23T13:33:35Z", "mta-lab",
	    "postfix/smtp", "600", "922EAA78360: (in reply to RCPT TO command)"},
	{"docker-compose logs -t, a piece's timestamp inside the header", "UTC",
	    2026, "2026-12-01T00:00:00Z",
	    "postfix_1  | 2026-12-01T03:12:58Z Nov2026-12-01T03:12:58Z  23 13:34:28 mta-lab postfix/smtp[1639]: 4863AA784A9: removed",
	    MXT_HDR_TRADITIONAL, "2026-11-23T13:34:28Z", "mta-lab",
	    "postfix/smtp", "1639", "4863AA784A9: removed"},
	{"a time of another day inside the line stays", "UTC", 2026,
	    "2026-12-01T00:00:00Z",
	    "2026-12-01T00:17:39.671619079Z Nov 23 13:33:35 h postfix/smtp[6]: try after 2026-12-02T00:17:39.671619079Z please",
	    MXT_HDR_TRADITIONAL, "2026-11-23T13:33:35Z", "h",
	    "postfix/smtp", "6", "try after 2026-12-02T00:17:39.671619079Z please"},
	{"not a log line", "UTC", 0, "2024-04-01T00:00:00Z",
	    "# Unsupported or malformed", MXT_HDR_NONE, "", "", "", "", ""},
	{"template placeholder is not a date", "UTC", 0, "2024-04-01T00:00:00Z",
	    "%(day)s 11:06:54 server postfix/lmtp[31203]: x",
	    MXT_HDR_NONE, "", "", "", "", ""},
	{"bad month day", "UTC", 0, "2024-04-01T00:00:00Z",
	    "Mar 32 13:58:01 h postfix/smtp[1]: x", MXT_HDR_NONE, "", "", "",
	    "", ""},
	/* the clock and the date read whole (syslog.c): each field in
	 * range, each byte a digit */
	{"hour 24", "UTC", 0, "2024-04-01T00:00:00Z",
	    "Mar 24 24:00:00 h postfix/smtp[1]: x", MXT_HDR_NONE, "", "", "",
	    "", ""},
	{"minute 60", "UTC", 0, "2024-04-01T00:00:00Z",
	    "Mar 24 13:60:00 h postfix/smtp[1]: x", MXT_HDR_NONE, "", "", "",
	    "", ""},
	{"a slash in the clock", "UTC", 0, "2024-04-01T00:00:00Z",
	    "Mar 24 13:5/:01 h postfix/smtp[1]: x", MXT_HDR_NONE, "", "", "",
	    "", ""},
	{"month 13", "UTC", 0, "2024-04-01T00:00:00Z",
	    "2024-13-01T10:00:00Z h postfix/smtp[1]: x", MXT_HDR_NONE, "", "",
	    "", "", ""},
	{"day 00", "UTC", 0, "2024-04-01T00:00:00Z",
	    "2024-02-00T10:00:00Z h postfix/smtp[1]: x", MXT_HDR_NONE, "", "",
	    "", "", ""},
	{"a slash in the day", "UTC", 0, "2024-04-01T00:00:00Z",
	    "2024-02-1/T10:00:00Z h postfix/smtp[1]: x", MXT_HDR_NONE, "", "",
	    "", "", ""},
	{"a letter in the year", "UTC", 0, "2024-04-01T00:00:00Z",
	    "2O24-02-01T10:00:00Z h postfix/smtp[1]: x", MXT_HDR_NONE, "", "",
	    "", "", ""},
	{"last second of a leap year's last day", "UTC", 0,
	    "2025-01-01T00:00:00Z",
	    "2024-12-31T23:59:59Z h postfix/smtp[1]: x", MXT_HDR_RFC3339,
	    "2024-12-31T23:59:59Z", "h", "postfix/smtp", "1", "x"},
};

static time_t
parse_ref(const char *iso)
{
	int y, mo, d, h, mi, s;
	sscanf(iso, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s);
	return (time_t)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + s);
}

static void
run_header_cases(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct header_case *c = &cases[i];
		struct mxt_clock clock;
		struct mxt_logline ll;
		char buf[64];

		setenv("TZ", c->tz, 1);
		tzset();
		mxt_clock_init(&clock, c->year, parse_ref(c->ref));
		bool ok = mxt_syslog_parse(&clock, c->line, strlen(c->line), &ll);
		test_int(c->name, "kind", ll.kind, c->kind);
		test_ok(ok == (c->kind != MXT_HDR_NONE), c->name,
		    "return value disagrees with kind");
		if (c->kind == MXT_HDR_NONE)
			continue;
		mxt_time_format(&ll.time, buf, sizeof buf);
		test_str(c->name, "time", buf, strlen(buf), c->time);
		test_str(c->name, "host", ll.host.ptr, ll.host.len, c->host);
		test_str(c->name, "program", ll.program.ptr, ll.program.len,
		    c->program);
		test_str(c->name, "pid", ll.pid.ptr, ll.pid.len, c->pid);
		test_str(c->name, "msg", ll.msg.ptr, ll.msg.len, c->msg);
	}
}

/* Year inference at the year boundary: lines without a year take the year
 * of the reference time, unless that puts them more than a day after it. */
struct year_case {
	const char *name;
	const char *ref;
	const char *line;
	const char *want;
};

static const struct year_case year_cases[] = {
	{"December read in January is last year", "2027-01-02T08:00:00Z",
	    "Dec 31 23:59:59 h postfix/smtp[1]: x", "2026-12-31T23:59:59Z"},
	{"January read in January is this year", "2027-01-02T08:00:00Z",
	    "Jan  1 00:00:01 h postfix/smtp[1]: x", "2027-01-01T00:00:01Z"},
	{"a day of clock skew is tolerated", "2027-01-02T08:00:00Z",
	    "Jan  3 07:00:00 h postfix/smtp[1]: x", "2027-01-03T07:00:00Z"},
	{"more than a day ahead is last year", "2027-01-02T08:00:00Z",
	    "Jan  3 09:00:00 h postfix/smtp[1]: x", "2026-01-03T09:00:00Z"},
	{"same day in November", "2026-11-23T12:00:00Z",
	    "Nov 23 10:00:01 h postfix/smtp[1]: x", "2026-11-23T10:00:01Z"},
	{"leap day of the reference year", "2024-03-01T00:00:00Z",
	    "Feb 29 12:00:00 h postfix/smtp[1]: x", "2024-02-29T12:00:00Z"},
};

static void
run_year_cases(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	for (size_t i = 0; i < sizeof year_cases / sizeof year_cases[0]; i++) {
		const struct year_case *c = &year_cases[i];
		struct mxt_clock clock;
		struct mxt_logline ll;
		char buf[64];
		mxt_clock_init(&clock, 0, parse_ref(c->ref));
		mxt_syslog_parse(&clock, c->line, strlen(c->line), &ll);
		mxt_time_format(&ll.time, buf, sizeof buf);
		test_str(c->name, "time", buf, strlen(buf), c->want);
	}
	/* --year wins over inference, even for a future date */
	struct mxt_clock clock;
	struct mxt_logline ll;
	char buf[64];
	mxt_clock_init(&clock, 2030, parse_ref("2027-01-02T08:00:00Z"));
	mxt_syslog_parse(&clock, "Dec 31 23:59:59 h p/s[1]: x", 27, &ll);
	mxt_time_format(&ll.time, buf, sizeof buf);
	test_str("--year is taken as given", "time", buf, strlen(buf),
	    "2030-12-31T23:59:59Z");
}

/* Lines read one after another through one clock, as a pass reads them:
 * a line that starts with the bytes of the time before takes that time
 * (parse_traditional's cache) only where its reading would be the same.
 * want NULL: no header. */
struct seq_case {
	const char *line;
	const char *want;
	const char *host;
};

static const struct seq_case seq_cases[] = {
	{"Nov 23 10:00:01 h1 postfix/smtp[1]: a", "2026-11-23T10:00:01Z", "h1"},
	{"Nov 23 10:00:01 h2 postfix/smtp[1]: b", "2026-11-23T10:00:01Z", "h2"},
	/* the same second, then a fraction: not the same bytes before ' ' */
	{"Nov 23 10:00:01.5 h2 p[1]: b", "2026-11-23T10:00:01.5Z", "h2"},
	{"Nov 23 10:00:01.250 h3 p[1]: c", "2026-11-23T10:00:01.250Z", "h3"},
	{"Nov 23 10:00:01.250 h4 p[1]: d", "2026-11-23T10:00:01.250Z", "h4"},
	{"Nov 23 10:00:01.25 h5 p[1]: e", "2026-11-23T10:00:01.25Z", "h5"},
	{"Nov 23 10:00:01 h6 p[1]: f", "2026-11-23T10:00:01Z", "h6"},
	/* the same bytes, then no space: not a traditional header */
	{"Nov 23 10:00:01x h7 p[1]: g", NULL, NULL},
	{"Nov 23 10:00:011 h7 p[1]: g", NULL, NULL},
	/* the same time, a host tag that is no tag: no header either */
	{"Nov 23 10:00:01 h8", NULL, NULL},
	{"Nov 23 10:00:01  h9 p[1]: i", "2026-11-23T10:00:01Z", "h9"},
	{"Nov 23 10:00:02 h10 p[1]: j", "2026-11-23T10:00:02Z", "h10"},
	{"Nov 23 10:00:0", NULL, NULL},
	{"Nov 23 10:00:02 h11 p[1]: k", "2026-11-23T10:00:02Z", "h11"},
	/* the same minute, other seconds (mxt_time_memo_near): the time
	 * before moved by them, as the whole reading gives it */
	{"Nov 23 10:00:59 h14 p[1]: n", "2026-11-23T10:00:59Z", "h14"},
	{"Nov 23 10:00:60 h15 p[1]: o", "2026-11-23T10:01:00Z", "h15"},
	{"Nov 23 10:00:61 h16 p[1]: p", NULL, NULL},
	{"Nov 23 10:00:07 h17 p[1]: q", "2026-11-23T10:00:07Z", "h17"},
	{"Nov 23 10:00:0a h18 p[1]: r", NULL, NULL},
	{"Nov 23 10:00:08x h18 p[1]: r", NULL, NULL},
	{"Nov 23 10:01:07 h19 p[1]: s", "2026-11-23T10:01:07Z", "h19"},
	{"Nov 23 10:01:05.5 h20 p[1]: t", "2026-11-23T10:01:05.5Z", "h20"},
	{"Nov 23 10:01:09.5 h21 p[1]: u", "2026-11-23T10:01:09.5Z", "h21"},
	{"Nov 23 10:01:09.25 h22 p[1]: v", "2026-11-23T10:01:09.25Z", "h22"},
	{"Nov 23 11:01:09 h23 p[1]: w", "2026-11-23T11:01:09Z", "h23"},
	{"Nov 24 11:01:10 h24 p[1]: x", "2026-11-24T11:01:10Z", "h24"},
	{"Dec 24 11:01:12 h25 p[1]: y", "2026-12-24T11:01:12Z", "h25"},
	{"Nov  3 10:00:02 h12 p[1]: l", "2026-11-03T10:00:02Z", "h12"},
	{"Nov 3 10:00:02 h13 p[1]: m", "2026-11-03T10:00:02Z", "h13"},
};

/* The lines of v read one after another through clock (made with year
 * and the zone tz): each is read as kind with its time and host, or (want
 * NULL) not as kind. */
static void
read_in_sequence(const char *title, const struct seq_case *v, size_t n,
    const char *tz, int year, const char *ref, enum mxt_header_kind kind,
    struct mxt_clock *clock)
{
	setenv("TZ", tz, 1);
	tzset();
	mxt_clock_init(clock, year, parse_ref(ref));
	for (size_t i = 0; i < n; i++) {
		const struct seq_case *c = &v[i];
		struct mxt_logline ll;
		char name[80], buf[64];
		snprintf(name, sizeof name, "%s, line %zu", title, i + 1);
		bool ok = mxt_syslog_parse(clock, c->line, strlen(c->line), &ll);
		if (c->want == NULL) {
			test_ok(!ok || ll.kind != kind, name,
			    "read as the header it is not");
			continue;
		}
		test_ok(ok && ll.kind == kind, name, "not read as its header");
		mxt_time_format(&ll.time, buf, sizeof buf);
		test_str(name, "time", buf, strlen(buf), c->want);
		test_str(name, "host", ll.host.ptr, ll.host.len, c->host);
	}
}

static void
run_seq_cases(void)
{
	struct mxt_clock clock;
	size_t n = sizeof seq_cases / sizeof seq_cases[0];
	read_in_sequence("in sequence", seq_cases, n, "UTC", 2026,
	    "2026-11-24T00:00:00Z", MXT_HDR_TRADITIONAL, &clock);
	/* a clock made again (another input, another --year) forgets the
	 * time before: the same bytes, another year */
	struct mxt_logline ll;
	char buf[64];
	const char *last = seq_cases[n - 1].line;
	mxt_clock_init(&clock, 2025, parse_ref("2026-11-24T00:00:00Z"));
	mxt_syslog_parse(&clock, last, strlen(last), &ll);
	mxt_time_format(&ll.time, buf, sizeof buf);
	test_str("in sequence, after the clock is made again", "time", buf,
	    strlen(buf), "2025-11-03T10:00:02Z");
}

/* Exim's own lines in sequence (framing_exim.c's own_time), the local
 * zone five hours west: a zone, a fraction or another zone after the
 * bytes of the time before gives another reading. */
static const struct seq_case exim_seq_cases[] = {
	{"2026-11-23 10:00:01 1abc-000001-AB <= a@b.test",
	    "2026-11-23T10:00:01-05:00", ""},
	{"2026-11-23 10:00:01 1abc-000002-AB <= a@b.test",
	    "2026-11-23T10:00:01-05:00", ""},
	{"2026-11-23 10:00:01 Z x", "2026-11-23T10:00:01Z", ""},
	{"2026-11-23 10:00:01 z x", "2026-11-23T10:00:01Z", ""},
	{"2026-11-23 10:00:01 x", "2026-11-23T10:00:01-05:00", ""},
	{"2026-11-23 10:00:01 +0100 [123] x", "2026-11-23T10:00:01+01:00", ""},
	{"2026-11-23 10:00:01 +0100 [124] x", "2026-11-23T10:00:01+01:00", ""},
	{"2026-11-23 10:00:01 +01 [124] x", "2026-11-23T10:00:01+01:00", ""},
	{"2026-11-23 10:00:01 +01:30 x", "2026-11-23T10:00:01+01:30", ""},
	{"2026-11-23 10:00:01 +01:30 x", "2026-11-23T10:00:01+01:30", ""},
	{"2026-11-23 10:00:01 x", "2026-11-23T10:00:01-05:00", ""},
	{"2026-11-23 10:00:01 -0200 x", "2026-11-23T10:00:01-02:00", ""},
	{"2026-11-23 10:00:01 x", "2026-11-23T10:00:01-05:00", ""},
	{"2026-11-23 10:00:01.5 x", "2026-11-23T10:00:01.5-05:00", ""},
	{"2026-11-23 10:00:01 ", "2026-11-23T10:00:01-05:00", ""},
	{"2026-11-23 10:00:01 ", "2026-11-23T10:00:01-05:00", ""},
	{"2026-11-23 10:00:01 +", "2026-11-23T10:00:01-05:00", ""},
	/* the same minute, other seconds (mxt_time_memo_near), local time
	 * and a zone; a zone or a fraction where the time before had none
	 * is read whole */
	{"2026-11-23 10:00:31 x", "2026-11-23T10:00:31-05:00", ""},
	{"2026-11-23 10:00:32 Z x", "2026-11-23T10:00:32Z", ""},
	{"2026-11-23 10:00:31 +0100 x", "2026-11-23T10:00:31+01:00", ""},
	{"2026-11-23 10:00:45 +0100 x", "2026-11-23T10:00:45+01:00", ""},
	{"2026-11-23 10:00:46 x", "2026-11-23T10:00:46-05:00", ""},
	{"2026-11-23 10:00:47.5 x", "2026-11-23T10:00:47.5-05:00", ""},
	{"2026-11-23 10:00:48.5 x", "2026-11-23T10:00:48.5-05:00", ""},
	{"2026-11-23 10:00:49.5 Z x", "2026-11-23T10:00:49.5Z", ""},
	{"2026-11-23 10:00:50.5 Z x", "2026-11-23T10:00:50.5Z", ""},
	{"2026-11-23 10:00:50.5 x", "2026-11-23T10:00:50.5-05:00", ""},
	{"2026-11-23 10:00:60 x", "2026-11-23T10:01:00-05:00", ""},
	{"2026-11-23 10:00:61 x", NULL, NULL},
	{"2026-11-24 10:00:02 x", "2026-11-24T10:00:02-05:00", ""},
};

/* A year put back within a minute: more than a day after the log was
 * written (2027-01-02 08:00 UTC), a time is of the year before, also
 * when the line before, a second earlier, was not. */
static const struct seq_case year_seq_cases[] = {
	{"Jan  3 08:00:00 h1 p[1]: a", "2027-01-03T08:00:00Z", "h1"},
	{"Jan  3 08:00:01 h2 p[1]: b", "2026-01-03T08:00:01Z", "h2"},
	{"Jan  3 08:00:02 h3 p[1]: c", "2026-01-03T08:00:02Z", "h3"},
	{"Jan  3 08:00:00 h4 p[1]: d", "2027-01-03T08:00:00Z", "h4"},
	{"Jan  3 07:59:59 h5 p[1]: e", "2027-01-03T07:59:59Z", "h5"},
	{"Jan  3 07:59:00 h6 p[1]: f", "2027-01-03T07:59:00Z", "h6"},
	{"Jan  3 08:00:03 h7 p[1]: g", "2026-01-03T08:00:03Z", "h7"},
};

static void
run_exim_seq_cases(void)
{
	struct mxt_clock clock;
	read_in_sequence("year put back in sequence", year_seq_cases,
	    sizeof year_seq_cases / sizeof year_seq_cases[0], "UTC", 0,
	    "2027-01-02T08:00:00Z", MXT_HDR_TRADITIONAL, &clock);
	read_in_sequence("Exim in sequence", exim_seq_cases,
	    sizeof exim_seq_cases / sizeof exim_seq_cases[0], "EST5", 0,
	    "2026-11-24T00:00:00Z", MXT_HDR_EXIM, &clock);
	setenv("TZ", "UTC", 1);
	tzset();
}

int
main(void)
{
	run_header_cases();
	run_year_cases();
	run_seq_cases();
	run_exim_seq_cases();
	return test_done();
}
