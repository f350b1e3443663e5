/*
 * inputs_test.c - names of rotated logs, the reading order (sorting rule,
 * directories, year inference of the first line, fixed stdin), the spans
 * and time jumps the pass records, and the coverage of a window.
 */
#include "inputs.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>
#include <zlib.h>

/* "2026-11-23T13:00:00" (UTC) -> seconds since the epoch. */
static int64_t
iso(const char *s)
{
	int y, mo, d, h, mi, se;
	if (sscanf(s, "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &se) != 6)
		abort();
	return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + se;
}

/* ---- names ----------------------------------------------------------------- */

struct name_case {
	const char *name;
	enum mxt_log_name kind;
	unsigned rotation;
	const char *compression; /* NULL = none */
};

static const struct name_case name_cases[] = {
	{.name = "mail.log", .kind = MXT_NAME_LOG},
	{.name = "mail.log.1", .kind = MXT_NAME_LOG, .rotation = 1},
	{.name = "mail.log.2.gz", .kind = MXT_NAME_LOG, .rotation = 2},
	{.name = "mail.log.10.gz", .kind = MXT_NAME_LOG, .rotation = 10},
	{.name = "mail.log.0", .kind = MXT_NAME_LOG, .rotation = 0},
	{.name = "mail.log.gz", .kind = MXT_NAME_LOG},
	{.name = "maillog", .kind = MXT_NAME_LOG},
	{.name = "maillog-20261122", .kind = MXT_NAME_LOG, .rotation = 1},
	{.name = "maillog-20261122.gz", .kind = MXT_NAME_LOG, .rotation = 1},
	{.name = "mail.log-2026-11-22", .kind = MXT_NAME_LOG, .rotation = 1},
	{.name = "mail", .kind = MXT_NAME_LOG},
	{.name = "postfix.log.1", .kind = MXT_NAME_LOG, .rotation = 1},
	{.name = "mainlog", .kind = MXT_NAME_LOG},
	{.name = "mainlog.3.gz", .kind = MXT_NAME_LOG, .rotation = 3},
	{.name = "rejectlog.1", .kind = MXT_NAME_LOG, .rotation = 1},
	{.name = "exim_mainlog", .kind = MXT_NAME_LOG},
	{.name = "exim_rejectlog-20261122", .kind = MXT_NAME_LOG, .rotation = 1},
	{.name = "maillog.0.bz2", .kind = MXT_NAME_LOG},
	{.name = "mail-20261122.xz", .kind = MXT_NAME_LOG, .rotation = 1},
	{.name = "mail.log.4.zst", .kind = MXT_NAME_LOG, .rotation = 4},
	{.name = "mainlog.2.lz4", .kind = MXT_NAME_LOG, .rotation = 2},
	{.name = "mail.log.3.lzma", .kind = MXT_NAME_UNREADABLE, .rotation = 3,
	    .compression = "lzma"},
	{.name = "maillog.1.Z", .kind = MXT_NAME_UNREADABLE, .rotation = 1,
	    .compression = "compress"},
	/* subsets of mail.log, other logs, near misses */
	{.name = "mail.err", .kind = MXT_NAME_OTHER},
	{.name = "mail.warn.1", .kind = MXT_NAME_OTHER},
	{.name = "mail.info", .kind = MXT_NAME_OTHER},
	{.name = "paniclog", .kind = MXT_NAME_OTHER},
	{.name = "syslog", .kind = MXT_NAME_OTHER},
	{.name = "mail.log.bak", .kind = MXT_NAME_OTHER},
	{.name = "mail.log.1.orig", .kind = MXT_NAME_OTHER},
	{.name = "mail.log.", .kind = MXT_NAME_OTHER},
	{.name = "mail.log-", .kind = MXT_NAME_OTHER},
	{.name = "old-mail.log", .kind = MXT_NAME_OTHER},
	{.name = "mail.log.1.txt.xz", .kind = MXT_NAME_OTHER},
	{.name = "mail.log.1.gz.gz", .kind = MXT_NAME_OTHER},
	{.name = "README", .kind = MXT_NAME_OTHER},
};

static void
test_names(void)
{
	for (size_t i = 0; i < sizeof name_cases / sizeof name_cases[0]; i++) {
		const struct name_case *c = &name_cases[i];
		unsigned rot = 99;
		const char *comp = "unset";
		enum mxt_log_name k = mxt_log_name(c->name, &rot, &comp);
		test_int(c->name, "kind", k, c->kind);
		test_int(c->name, "rotation", rot, c->rotation);
		test_ok(c->compression ? comp && strcmp(comp, c->compression) == 0 :
		    comp == NULL, c->name, "compression: got %s, want %s",
		    comp ? comp : "NULL", c->compression ? c->compression : "NULL");
	}
	test_int("rotation of a path", "dir/mail.log.7.gz",
	    mxt_rotation_of("/var/log/mail.log.7.gz"), 7);
	test_int("rotation of a path", "dir.3/mail.log",
	    mxt_rotation_of("/tmp/dir.3/mail.log"), 0);
	test_int("rotation of a path", "any name.2", mxt_rotation_of("x.2"), 2);
}

/* ---- sorting ------------------------------------------------------------- */

#define MAXIN 8

struct sort_in {
	const char *path;
	const char *first; /* ISO, NULL = no log line */
	bool fixed;
};

struct sort_case {
	const char *name;
	struct sort_in in[MAXIN];
	const char *want; /* paths in reading order, space-separated */
};

static const struct sort_case sort_cases[] = {
	{.name = "shell glob order of a rotated set",
	    .in = {{.path = "mail.log", .first = "2026-11-23T06:25:03"},
	     {.path = "mail.log.1", .first = "2026-11-22T06:25:02"},
	     {.path = "mail.log.10.gz", .first = "2026-11-13T06:25:01"},
	     {.path = "mail.log.2.gz", .first = "2026-11-21T06:25:04"}},
	    .want = "mail.log.10.gz mail.log.2.gz mail.log.1 mail.log"},
	{.name = "equal first times: higher rotation first, then name",
	    .in = {{.path = "b/mail.log", .first = "2026-11-23T06:25:03"},
	     {.path = "a/mail.log", .first = "2026-11-23T06:25:03"},
	     {.path = "mail.log.1", .first = "2026-11-23T06:25:03"}},
	    .want = "mail.log.1 a/mail.log b/mail.log"},
	{.name = "inputs without a log line last, in the order given",
	    .in = {{.path = "empty2"}, {.path = "mail.log", .first = "2026-11-23T06:25:03"},
	     {.path = "empty1"}, {.path = "mail.log.1", .first = "2026-11-22T06:25:03"}},
	    .want = "mail.log.1 mail.log empty2 empty1"},
	{.name = "stdin stays where given, each side sorted on its own",
	    .in = {{.path = "mail.log", .first = "2026-11-23T06:25:03"},
	     {.path = "mail.log.1", .first = "2026-11-22T06:25:03"},
	     {.path = "-", .fixed = true},
	     {.path = "new", .first = "2026-11-24T00:00:00"},
	     {.path = "old", .first = "2026-11-01T00:00:00"}},
	    .want = "mail.log.1 mail.log - old new"},
	{.name = "a pipe first",
	    .in = {{.path = "/dev/fd/63", .fixed = true}, {.path = "b", .first = "2026-11-23T00:00:00"},
	     {.path = "a", .first = "2026-11-22T00:00:00"}},
	    .want = "/dev/fd/63 a b"},
};

static void
test_sort(void)
{
	for (size_t i = 0; i < sizeof sort_cases / sizeof sort_cases[0]; i++) {
		const struct sort_case *c = &sort_cases[i];
		struct mxt_input v[MAXIN];
		size_t n = 0;
		for (; n < MAXIN && c->in[n].path != NULL; n++) {
			v[n] = (struct mxt_input){
				.path = c->in[n].path,
				.fixed = c->in[n].fixed,
				.rotation = mxt_rotation_of(c->in[n].path),
				.given = n,
			};
			if (c->in[n].first != NULL) {
				v[n].first.sec = iso(c->in[n].first);
				v[n].first.valid = true;
			}
		}
		mxt_inputs_sort(v, n);
		char got[512] = "";
		for (size_t k = 0; k < n; k++)
			snprintf(got + strlen(got), sizeof got - strlen(got),
			    "%s%s", k ? " " : "", v[k].path);
		test_str(c->name, "order", got, strlen(got), c->want);
	}
}

/* ---- directories and first lines on disk ------------------------------- */

static char dir[] = "/tmp/mxt-inputs-XXXXXX";

static void
write_file(const char *name, const char *data, bool gzip, const char *mtime)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (gzip) {
		gzFile gz = gzopen(path, "wb");
		gzwrite(gz, data, (unsigned)strlen(data));
		gzclose(gz);
	} else {
		FILE *fp = fopen(path, "wb");
		fputs(data, fp);
		fclose(fp);
	}
	struct utimbuf t = {(time_t)iso(mtime), (time_t)iso(mtime)};
	utime(path, &t);
}

struct problems {
	int failed, skipped;
	char last[512];
};

static void
on_problem(void *arg, const char *path, const char *text, bool failed)
{
	struct problems *p = arg;
	const char *base = strrchr(path, '/');
	*(failed ? &p->failed : &p->skipped) += 1;
	snprintf(p->last, sizeof p->last, "%s: %s", base ? base + 1 : path,
	    text);
}

static void
order_of(const char *const *paths, size_t n, bool keep, char *got,
    size_t size, struct problems *pr, int want_failed)
{
	struct mxt_inputs_config cfg = {.keep_order = keep,
	    .on_problem = on_problem, .problem_arg = pr};
	struct mxt_inputs *in = mxt_inputs_create(paths, n, &cfg);
	got[0] = '\0';
	for (size_t i = 0; i < mxt_inputs_count(in); i++) {
		const char *p = mxt_inputs_get(in, i)->path;
		if (strncmp(p, dir, strlen(dir)) == 0)
			p += strlen(dir) + 1;
		snprintf(got + strlen(got), size - strlen(got), "%s%s",
		    i ? " " : "", p);
	}
	test_int("problems", "failed inputs", (long long)mxt_inputs_failed(in),
	    want_failed);
	mxt_inputs_destroy(in);
}

static void
test_directories(void)
{
	char path[512], got[1024];
	struct problems pr = {0};

	if (mkdtemp(dir) == NULL)
		abort();
	/* a rotated set whose names sort the wrong way, compressed and not */
	write_file("mail.log", "Nov 23 06:25:03 mx postfix/qmgr[1]: A: removed\n",
	    false, "2026-11-23T10:00:00");
	write_file("mail.log.1", "Nov 22 06:25:02 mx postfix/qmgr[1]: B: removed\n",
	    false, "2026-11-23T06:25:02");
	write_file("mail.log.2.gz", "Nov 21 06:25:04 mx postfix/qmgr[1]: C: removed\n",
	    true, "2026-11-22T06:25:04");
	write_file("mail.log.10.gz", "Nov 13 06:25:01 mx postfix/qmgr[1]: D: removed\n",
	    true, "2026-11-14T06:25:01");
	/* skipped: a subset of mail.log, a note, an unread compression */
	write_file("mail.err", "Nov 23 07:00:00 mx postfix/smtp[1]: E: x\n",
	    false, "2026-11-23T10:00:00");
	write_file("NOTES", "not a log\n", false, "2026-11-23T10:00:00");
	write_file("mail.log.3.lzma", "\x5d\0\0\x80", false, "2026-11-20T00:00:00");
	snprintf(path, sizeof path, "%s/mail.log.4", dir);
	mkdir(path, 0700); /* a directory with a log's name: not a log */

	const char *const one[] = {dir};
	order_of(one, 1, false, got, sizeof got, &pr, 0);
	test_str("directory", "order", got, strlen(got),
	    "mail.log.10.gz mail.log.2.gz mail.log.1 mail.log");
	test_int("directory", "skipped files told", pr.skipped, 1);
	test_str("directory", "skipped file", pr.last, strlen(pr.last),
	    "mail.log.3.lzma: not read: lzma-compressed (mxtriage reads plain, "
	    "gzip, bzip2, xz, zstd and lz4 files)");

	/* --keep-order: a directory's logs still go oldest rotation first */
	memset(&pr, 0, sizeof pr);
	order_of(one, 1, true, got, sizeof got, &pr, 0);
	test_str("directory, --keep-order", "order", got, strlen(got),
	    "mail.log.10.gz mail.log.2.gz mail.log.1 mail.log");

	/* the shell's glob order, given as files */
	char p0[512], p1[512], p2[512], p3[512];
	snprintf(p0, sizeof p0, "%s/mail.log", dir);
	snprintf(p1, sizeof p1, "%s/mail.log.1", dir);
	snprintf(p2, sizeof p2, "%s/mail.log.10.gz", dir);
	snprintf(p3, sizeof p3, "%s/mail.log.2.gz", dir);
	const char *const glob[] = {p0, p1, p2, p3};
	memset(&pr, 0, sizeof pr);
	order_of(glob, 4, false, got, sizeof got, &pr, 0);
	test_str("glob order", "order", got, strlen(got),
	    "mail.log.10.gz mail.log.2.gz mail.log.1 mail.log");
	order_of(glob, 4, true, got, sizeof got, &pr, 0);
	test_str("glob order, --keep-order", "order", got, strlen(got),
	    "mail.log mail.log.1 mail.log.10.gz mail.log.2.gz");

	/* year inference as in the pass: the December file was last
	 * written in January, so its lines are of the year before */
	write_file("new", "Jan  1 00:10:00 mx postfix/qmgr[1]: F: removed\n",
	    false, "2027-01-01T00:20:00");
	write_file("old", "Dec 31 23:50:00 mx postfix/qmgr[1]: G: removed\n",
	    false, "2027-01-01T00:00:00");
	/* a log header only after lines without one */
	write_file("late", "garbage\nmore garbage\n"
	    "Dec 30 10:00:00 mx postfix/qmgr[1]: H: removed\n",
	    false, "2026-12-30T10:00:00");
	char q0[512], q1[512], q2[512];
	snprintf(q0, sizeof q0, "%s/new", dir);
	snprintf(q1, sizeof q1, "%s/old", dir);
	snprintf(q2, sizeof q2, "%s/late", dir);
	const char *const years[] = {q0, q1, q2};
	order_of(years, 3, false, got, sizeof got, &pr, 0);
	test_str("year of the first line from the file's mtime", "order", got,
	    strlen(got), "late old new");

	/* the year comes from each file's mtime, not from today: June of
	 * 2024 is before March of 2025 */
	write_file("jun", "Jun  1 10:00:00 mx postfix/qmgr[1]: I: removed\n",
	    false, "2024-06-02T00:00:00");
	write_file("mar", "Mar  1 10:00:00 mx postfix/qmgr[1]: J: removed\n",
	    false, "2025-03-02T00:00:00");
	snprintf(q0, sizeof q0, "%s/mar", dir);
	snprintf(q1, sizeof q1, "%s/jun", dir);
	order_of(years, 2, false, got, sizeof got, &pr, 0);
	test_str("year of each file from its own mtime", "order", got,
	    strlen(got), "jun mar");

	snprintf(q0, sizeof q0, "%s/new", dir);
	/* a missing file is kept (the pass reports it), last */
	char m0[512];
	snprintf(m0, sizeof m0, "%s/missing", dir);
	const char *const missing[] = {m0, q0};
	order_of(missing, 2, false, got, sizeof got, &pr, 0);
	test_str("missing file", "order", got, strlen(got), "new missing");

	/* a directory without logs is an input that failed */
	snprintf(path, sizeof path, "%s/mail.log.4", dir);
	const char *const empty[] = {path};
	memset(&pr, 0, sizeof pr);
	order_of(empty, 1, false, got, sizeof got, &pr, 1);
	test_int("directory without logs", "failures told", pr.failed, 1);
	test_str("directory without logs", "order", got, strlen(got), "");
	test_ok(strstr(pr.last, "mail.log.4: no mail log in this directory") ==
	    pr.last, "directory without logs: message", "got '%s'", pr.last);
}

/* ---- spans and time jumps ------------------------------------------------ */

struct jumps {
	int n;
	struct mxt_time_jump last;
	char source[64], latest_source[64];
};

static void
on_jump(void *arg, const struct mxt_time_jump *j)
{
	struct jumps *c = arg;
	c->n++;
	c->last = *j;
	snprintf(c->source, sizeof c->source, "%s", j->source);
	snprintf(c->latest_source, sizeof c->latest_source, "%s",
	    j->latest_source);
}

static void
on_event(void *arg, const struct mxt_event *ev)
{
	(void)arg;
	(void)ev;
}

static void
feed(struct mxt_pass *p, const char *source, const char *const *lines)
{
	for (long i = 0; lines[i] != NULL; i++)
		mxt_pass_line(p, source, i + 1, 0, lines[i], strlen(lines[i]));
}

static void
test_spans(void)
{
	struct jumps jc = {0};
	struct mxt_pass_config cfg = {.year = 2026, .on_event = on_event,
	    .on_time_jump = on_jump, .time_jump_arg = &jc};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	char buf[48];

	static const char *const a[] = {
		"Nov 23 10:00:00 mx postfix/qmgr[1]: A1: removed",
		"not a log line",
		"Nov 23 10:10:00 mx postfix/qmgr[1]: A2: removed",
		/* 4m59s back: within the slack */
		"Nov 23 10:05:01 mx postfix/qmgr[1]: A3: removed",
		/* 6m back: told */
		"Nov 23 10:04:00 mx postfix/qmgr[1]: A4: removed",
		/* 9m back: not told again for this input */
		"Nov 23 10:01:00 mx postfix/qmgr[1]: A5: removed",
		"Nov 23 10:20:00 mx kernel: not mail",
		NULL,
	};
	feed(p, "a", a);
	test_int("within an input", "jumps told", jc.n, 1);
	test_int("within an input", "line", jc.last.line_no, 5);
	test_ok(!jc.last.between_inputs, "within an input: kind",
	    "got between_inputs");
	test_str("within an input", "source", jc.source, strlen(jc.source), "a");
	mxt_time_format(&jc.last.latest, buf, sizeof buf);
	test_str("within an input", "latest", buf, strlen(buf),
	    "2026-11-23T10:10:00Z");

	/* the next input starts 7 minutes before the end of the first */
	static const char *const b[] = {
		"Nov 23 10:03:00 mx postfix/qmgr[1]: B1: removed",
		"Nov 23 10:30:00 mx postfix/qmgr[1]: B2: removed",
		NULL,
	};
	feed(p, "b", b);
	test_int("between inputs", "jumps told", jc.n, 2);
	test_ok(jc.last.between_inputs, "between inputs: kind", "got within");
	test_int("between inputs", "line", jc.last.line_no, 1);
	test_str("between inputs", "source", jc.source, strlen(jc.source), "b");
	test_str("between inputs", "latest source", jc.latest_source,
	    strlen(jc.latest_source), "a");

	/* 4 minutes back from b's end: within the slack */
	static const char *const c[] = {
		"Nov 23 10:26:00 mx postfix/qmgr[1]: C1: removed",
		NULL,
	};
	feed(p, "c", c);
	test_int("next input within the slack", "jumps told", jc.n, 2);

	size_t n;
	const struct mxt_input_span *s = mxt_pass_inputs(p, &n);
	test_int("spans", "inputs", (long long)n, 3);
	test_str("spans", "name 0", s[0].name, strlen(s[0].name), "a");
	test_int("spans", "a lines", (long long)s[0].lines, 7);
	test_int("spans", "a recognised", (long long)s[0].recognised, 5);
	mxt_time_format(&s[0].first, buf, sizeof buf);
	test_str("spans", "a first (earliest)", buf, strlen(buf),
	    "2026-11-23T10:00:00Z");
	mxt_time_format(&s[0].last, buf, sizeof buf);
	test_str("spans", "a last (latest)", buf, strlen(buf),
	    "2026-11-23T10:10:00Z");
	test_int("spans", "a back line", s[0].back_line, 5);
	test_int("spans", "a back seconds", s[0].back_seconds, 360);
	test_ok(!s[0].starts_back && s[1].starts_back && !s[2].starts_back,
	    "spans: starts_back", "got %d %d %d", s[0].starts_back,
	    s[1].starts_back, s[2].starts_back);
	test_int("spans", "b back line", s[1].back_line, 0);

	struct mxt_input_span *copy = mxt_input_spans_copy(s, n);
	mxt_pass_destroy(p);
	test_str("copied spans outlive the pass", "name 2", copy[2].name,
	    strlen(copy[2].name), "c");
	test_int("copied spans outlive the pass", "c lines",
	    (long long)copy[2].lines, 1);
	free(copy);

	/* an input read through mxt_pass_read that cannot be opened still
	 * has its span, empty */
	jc.n = 0;
	p = mxt_pass_create(&cfg);
	struct mxt_error e;
	char missing[600];
	snprintf(missing, sizeof missing, "%s/no-such-file", dir);
	test_int("unreadable input", "rc", mxt_pass_read(p, missing, &e), -1);
	s = mxt_pass_inputs(p, &n);
	test_int("unreadable input", "spans", (long long)n, 1);
	test_ok(n == 1 && !s[0].first.valid && s[0].lines == 0,
	    "unreadable input: empty span", "got a time or lines");
	mxt_pass_destroy(p);
}

/* ---- coverage ------------------------------------------------------------ */

#define MAXSPAN 4

struct cov_case {
	const char *name;
	const char *spans[MAXSPAN][2]; /* first, last; NULL first = no time */
	const char *since, *until;     /* NULL = open */
	const char *now;
	const char *want; /* "kind start end; ..." (times as HH:MM:SS of
	                   * 2026-11-22 when the date is that day, else ISO) */
};

/* The day 2026-11-22, asked for on the 24th. */
#define DAY .since = "2026-11-22T00:00:00", .until = "2026-11-23T00:00:00", \
	.now = "2026-11-24T00:00:00"

static const struct cov_case cov_cases[] = {
	{.name = "no window, nothing to say",
	    .spans = {{"2026-11-22T06:25:03", "2026-11-23T06:25:02"}},
	    .now = "2026-11-24T00:00:00", .want = ""},
	{.name = "a day fully covered",
	    .spans = {{"2026-11-21T06:25:03", "2026-11-22T06:25:02"},
	        {"2026-11-22T06:25:03", "2026-11-23T06:25:02"}},
	    DAY, .want = ""},
	{.name = "rotation at 06:25: yesterday only partly in mail.log.1",
	    .spans = {{"2026-11-22T06:25:03", "2026-11-23T06:25:02"},
	        {"2026-11-23T06:25:03", "2026-11-23T12:00:00"}},
	    DAY,
	    .want = "before 2026-11-22T00:00:00 2026-11-22T06:25:03 -> "
	    "mail.log.1"},
	{.name = "the start uncovered by seconds is told",
	    .spans = {{"2026-11-22T00:00:05", "2026-11-22T23:59:59"}},
	    DAY,
	    .want = "before 2026-11-22T00:00:00 2026-11-22T00:00:05 -> "
	    "mail.log.1"},
	{.name = "a quiet last hour is not a gap",
	    .spans = {{"2026-11-22T00:00:00", "2026-11-22T23:00:00"}},
	    DAY, .want = ""},
	{.name = "the end uncovered by more than an hour",
	    .spans = {{"2026-11-22T00:00:00", "2026-11-22T22:59:59"}},
	    DAY,
	    .want = "after 2026-11-22T22:59:59 2026-11-23T00:00:00 "
	    "mail.log.1 ->"},
	{.name = "a gap of more than an hour between inputs",
	    .spans = {{"2026-11-22T00:00:00", "2026-11-22T08:00:00"},
	        {"2026-11-22T12:00:00", "2026-11-23T01:00:00"}},
	    DAY,
	    .want = "between 2026-11-22T08:00:00 2026-11-22T12:00:00 "
	    "mail.log.1 -> mail.log"},
	{.name = "a gap of an hour between inputs is not",
	    .spans = {{"2026-11-22T00:00:00", "2026-11-22T08:00:00"},
	        {"2026-11-22T09:00:00", "2026-11-23T01:00:00"}},
	    DAY, .want = ""},
	{.name = "overlapping inputs, given in any order",
	    .spans = {{"2026-11-22T09:00:00", "2026-11-23T01:00:00"},
	        {"2026-11-22T00:00:00", "2026-11-22T10:00:00"},
	        {"2026-11-22T01:00:00", "2026-11-22T02:00:00"}},
	    DAY, .want = ""},
	{.name = "a gap between inputs after a long one that contains another",
	    .spans = {{"2026-11-22T00:00:00", "2026-11-22T10:00:00"},
	        {"2026-11-22T01:00:00", "2026-11-22T02:00:00"},
	        {"2026-11-22T12:00:00", "2026-11-23T02:00:00"}},
	    DAY,
	    .want = "between 2026-11-22T10:00:00 2026-11-22T12:00:00 "
	    "mail.log.1 -> third"},
	{.name = "a gap clipped to the window",
	    .spans = {{"2026-11-21T00:00:00", "2026-11-21T20:00:00"},
	        {"2026-11-22T03:00:00", "2026-11-23T01:00:00"}},
	    DAY,
	    .want = "between 2026-11-22T00:00:00 2026-11-22T03:00:00 "
	    "mail.log.1 -> mail.log"},
	{.name = "an open end is now; the future is not asked for",
	    .spans = {{"2026-11-22T00:00:00", "2026-11-22T10:00:00"}},
	    .since = "2026-11-22T06:00:00", .now = "2026-11-22T10:30:00",
	    .want = ""},
	{.name = "--since on an old file",
	    .spans = {{"2026-11-21T00:00:00", "2026-11-22T06:25:00"}},
	    .since = "2026-11-22T06:00:00", .now = "2026-11-22T14:00:00",
	    .want = "after 2026-11-22T06:25:00 2026-11-22T14:00:00 "
	    "mail.log.1 ->"},
	{.name = "--until only: no start to miss",
	    .spans = {{"2026-11-22T06:00:00", "2026-11-22T10:00:00"}},
	    .until = "2026-11-22T09:00:00", .now = "2026-11-24T00:00:00",
	    .want = ""},
	{.name = "the window before all the inputs",
	    .spans = {{"2026-11-23T06:00:00", "2026-11-23T10:00:00"}},
	    DAY,
	    .want = "before 2026-11-22T00:00:00 2026-11-23T00:00:00 -> "
	    "mail.log.1"},
	{.name = "the window after all the inputs",
	    .spans = {{"2026-11-21T06:00:00", "2026-11-21T10:00:00"}},
	    DAY,
	    .want = "after 2026-11-22T00:00:00 2026-11-23T00:00:00 "
	    "mail.log.1 ->"},
	{.name = "no input has a time",
	    .spans = {{NULL}},
	    DAY,
	    .want = "none 2026-11-22T00:00:00 2026-11-23T00:00:00 ->"},
	{.name = "a window in the future",
	    .spans = {{"2026-11-22T06:00:00", "2026-11-22T10:00:00"}},
	    .since = "2026-11-25T00:00:00", .until = "2026-11-26T00:00:00",
	    .now = "2026-11-24T00:00:00", .want = ""},
};


static void
test_coverage(void)
{
	static const char *const names[MAXSPAN] = {"mail.log.1", "mail.log",
	    "third", "fourth"};
	for (size_t i = 0; i < sizeof cov_cases / sizeof cov_cases[0]; i++) {
		const struct cov_case *c = &cov_cases[i];
		struct mxt_input_span spans[MAXSPAN] = {{0}};
		size_t n = 0;
		for (; n < MAXSPAN && (c->spans[n][0] || c->spans[n][1] ||
		    n == 0); n++) {
			spans[n].name = names[n];
			if (c->spans[n][0] == NULL)
				continue;
			spans[n].first = (struct mxt_time){
			    .sec = iso(c->spans[n][0]), .valid = true};
			spans[n].last = (struct mxt_time){
			    .sec = iso(c->spans[n][1]), .valid = true};
		}
		struct mxt_filter f;
		mxt_filter_init(&f);
		if (c->since) {
			f.has_since = true;
			f.since = iso(c->since);
		}
		if (c->until) {
			f.has_until = true;
			f.until = iso(c->until);
		}
		struct mxt_gap g[MAXSPAN + 1];
		size_t ng = mxt_coverage_gaps(spans, n, &f, iso(c->now), g,
		    MAXSPAN + 1);
		char got[1024] = "";
		for (size_t k = 0; k < ng && k <= MAXSPAN; k++) {
			struct mxt_time a = {.sec = g[k].start, .valid = true};
			struct mxt_time b = {.sec = g[k].end, .valid = true};
			char ta[48], tb[48];
			mxt_time_format(&a, ta, sizeof ta);
			mxt_time_format(&b, tb, sizeof tb);
			ta[19] = tb[19] = '\0'; /* drop the "Z" */
			snprintf(got + strlen(got), sizeof got - strlen(got),
			    "%s%s %s %s %s%s->%s%s", k ? "; " : "",
			    mxt_gap_kind_name(g[k].kind), ta, tb,
			    g[k].before ? g[k].before : "",
			    g[k].before ? " " : "",
			    g[k].after ? " " : "", g[k].after ? g[k].after : "");
		}
		test_str(c->name, "gaps", got, strlen(got), c->want);
	}

	/* the hole as it is, before it was cut to the window */
	struct mxt_input_span two[2] = {
	    {.name = "a", .first = {.sec = iso("2026-11-21T00:00:00"), .valid = true},
	     .last = {.sec = iso("2026-11-21T20:00:00"), .valid = true}},
	    {.name = "b", .first = {.sec = iso("2026-11-22T03:00:00"), .valid = true},
	     .last = {.sec = iso("2026-11-22T05:00:00"), .valid = true}}};
	struct mxt_filter w;
	mxt_filter_init(&w);
	w.has_since = w.has_until = true;
	w.since = iso("2026-11-22T00:00:00");
	w.until = iso("2026-11-23T00:00:00");
	struct mxt_gap hg[3];
	size_t nh = mxt_coverage_gaps(two, 2, &w, iso("2026-11-22T12:00:00"), hg, 3);
	test_int("holes", "gaps", (long long)nh, 2);
	test_ok(nh == 2 && hg[0].hole_start == iso("2026-11-21T20:00:00") &&
	    hg[0].hole_end == iso("2026-11-22T03:00:00") &&
	    hg[0].start == w.since, "holes: between, cut to the window",
	    "got %lld..%lld", (long long)hg[0].hole_start,
	    (long long)hg[0].hole_end);
	test_ok(nh == 2 && hg[1].hole_start == iso("2026-11-22T05:00:00") &&
	    hg[1].hole_end == INT64_MAX &&
	    hg[1].end == iso("2026-11-22T12:00:00"), "holes: after, to now",
	    "got %lld..%lld", (long long)hg[1].hole_start,
	    (long long)hg[1].hole_end);

	/* the count is returned when out is too small */
	struct mxt_input_span one = {.name = "x",
	    .first = {.sec = iso("2026-11-22T06:00:00"), .valid = true},
	    .last = {.sec = iso("2026-11-22T07:00:00"), .valid = true}};
	struct mxt_filter f;
	mxt_filter_init(&f);
	f.has_since = f.has_until = true;
	f.since = iso("2026-11-22T00:00:00");
	f.until = iso("2026-11-23T00:00:00");
	test_int("count without room", "gaps",
	    (long long)mxt_coverage_gaps(&one, 1, &f, iso("2026-11-24T00:00:00"),
	    NULL, 0), 2);
}

int
main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_names();
	test_sort();
	test_directories();
	test_spans();
	test_coverage();
	return test_done();
}
