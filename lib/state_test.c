/*
 * state_test.c - the --state file and live tails: messages in flight
 * saved and restored byte for byte (a sender that is not UTF-8, a NUL in
 * a reply text), so that the events after a restore are those of one
 * pass; positions saved, continued, found again by inode after a
 * rotation, and refused when the file changed; states that are not
 * states.
 */
#include "pass.h"
#include "state.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/mxt-state-XXXXXX";

/* Events as text lines, appended to a buffer. */
struct sink {
	char buf[16384];
	size_t len;
};

static void
on_event(void *arg, const struct mxt_event *ev)
{
	struct sink *k = arg;
	int n = snprintf(k->buf + k->len, sizeof k->buf - k->len,
	    "%s %.*s %.*s from=%.*s code=%d dsn=%s text=%zu\n",
	    mxt_status_name(ev->status), (int)ev->queue_id.len,
	    ev->queue_id.ptr, (int)ev->recipient.len, ev->recipient.ptr,
	    (int)ev->sender.len, ev->sender.ptr, ev->code, ev->dsn,
	    ev->text.len);
	if (n > 0 && (size_t)n < sizeof k->buf - k->len)
		k->len += (size_t)n;
}

static const char *const log_lines[] = {
	"Nov 23 10:00:01 mx postfix/qmgr[1]: AAAA1: from=<\xff\xfe"
	    "bad@x.example>, size=1, nrcpt=1 (queue active)",
	"Nov 23 10:00:02 mx postfix/smtp[2]: AAAA1: to=<a@y.example>, "
	    "relay=mx.y.example[192.0.2.1]:25, delay=1, delays=0/0/0/1, "
	    "dsn=4.7.1, status=deferred (host mx.y.example[192.0.2.1] said: "
	    "450 4.7.1 Try again (in reply to RCPT TO command))",
	/* the cut falls here */
	"Nov 23 10:05:02 mx postfix/smtp[2]: AAAA1: to=<a@y.example>, "
	    "relay=mx.y.example[192.0.2.1]:25, delay=300, delays=0/0/0/1, "
	    "dsn=2.0.0, status=sent (250 ok)",
	"Nov 23 10:05:03 mx postfix/qmgr[1]: AAAA1: removed",
};
#define NLINES (sizeof log_lines / sizeof log_lines[0])

static struct mxt_pass *
new_pass(struct sink *k)
{
	struct mxt_pass_config cfg = {.year = 2026, .on_event = on_event,
	    .event_arg = k};
	return mxt_pass_create(&cfg);
}

static void
feed(struct mxt_pass *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		mxt_pass_line(p, "t", (long)i + 1, 0, log_lines[i],
		    strlen(log_lines[i]));
}

static void
test_restore(void)
{
	struct sink whole = {0}, cut = {0};
	struct mxt_pass *p = new_pass(&whole);
	feed(p, 0, NLINES);
	mxt_pass_destroy(p);

	char path[512];
	snprintf(path, sizeof path, "%s/restore.state", dir);
	p = new_pass(&cut);
	feed(p, 0, 2);
	struct mxt_error e;
	test_int("save", "rc", mxt_state_save(path, p, NULL, NULL, 0, &e), 0);
	mxt_pass_destroy(p);

	struct mxt_state *s = mxt_state_load(path, &e);
	if (!test_ok(s != NULL, "load what was saved", "%s", s ? "" : e.text))
		return;
	p = new_pass(&cut);
	test_int("restore", "rc", mxt_state_restore(s, p, &e), 0);
	test_int("restore", "messages in flight",
	    (long long)mxt_pass_tracked(p), 1);
	feed(p, 2, NLINES);
	mxt_pass_destroy(p);
	mxt_state_destroy(s);
	test_str("events after a restore = one pass's (a sender that is "
	    "not UTF-8 kept byte for byte)", "events", cut.buf, cut.len,
	    whole.buf);
}

static const char *
write_file(const char *name, const char *data, const char *mode)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, mode);
	fputs(data, fp);
	fclose(fp);
	return path;
}

/* Lines of t read into a fresh pass; *sink gets the events. */
static long
tail_lines(struct mxt_tail *t, bool follow)
{
	struct sink k = {0};
	struct mxt_pass *p = new_pass(&k);
	struct mxt_error e;
	long n = mxt_tail_read(p, t, follow, &e);
	mxt_pass_destroy(p);
	return n;
}

static void
on_notice(void *arg, const char *path, const char *text, bool lost)
{
	(void)path;
	(void)text;
	if (lost)
		(*(int *)arg)++;
}

static void
test_positions(void)
{
	struct mxt_error e;
	const char *path = write_file("live.log", "one\ntwo\nthr", "w");
	char log[512];
	snprintf(log, sizeof log, "%s", path);
	struct mxt_tail *t = mxt_tail_open(log, NULL, NULL, &e);
	test_int("tail: whole lines only", "lines", tail_lines(t, false), 2);
	struct mxt_position pos;
	test_int("position", "rc", mxt_tail_position(t, &pos), 0);
	test_int("position", "offset", pos.offset, 8);
	test_int("position", "line", pos.line_no, 2);
	test_int("position", "last line length", pos.last_len, 4);
	struct mxt_position saved = pos;
	saved.path = log;
	mxt_tail_close(t);

	write_file("live.log", "ee\nfour\n", "a");
	t = mxt_tail_open(log, &saved, NULL, &e);
	test_int("continued: the rest of the line and the next", "lines",
	    tail_lines(t, false), 2);
	mxt_tail_close(t);

	/* rotation: renamed, a new file; the old one is found by inode */
	char rotated[600];
	snprintf(rotated, sizeof rotated, "%s.1", log);
	rename(log, rotated);
	write_file("live.log", "new1\nnew2\nnew3\n", "w");
	t = mxt_tail_open(log, &saved, NULL, &e);
	test_int("rotated: the old file's rest, then the new file", "lines",
	    tail_lines(t, false), 5);
	mxt_tail_close(t);

	/* the rotated file removed (or compressed): said, and the file at
	 * the name read from its start */
	unlink(rotated);
	write_file("live.log", "xxxxxxx\nyyy\n", "w");
	int lost = 0;
	struct mxt_tail_config cfg = {.on_notice = on_notice,
	    .notice_arg = &lost};
	t = mxt_tail_open(log, &saved, &cfg, &e);
	test_int("rotated file gone: from the start", "lines",
	    tail_lines(t, false), 2);
	test_int("rotated file gone: said, as lines lost", "notices", lost, 1);
	mxt_tail_close(t);

	/* rewritten in place, same inode, other bytes before the offset */
	test_int("position", "rc", mxt_tail_position(t = mxt_tail_open(log,
	    NULL, NULL, &e), &pos), 0);
	mxt_tail_close(t);
	struct mxt_position same = saved;
	same.path = log;
	struct stat st;
	stat(log, &st);
	same.dev = (uint64_t)st.st_dev;
	same.ino = (uint64_t)st.st_ino;
	same.offset = 8; /* "xxxxxxx\n" is 8 bytes, but not the saved line */
	lost = 0;
	t = mxt_tail_open(log, &same, &cfg, &e);
	test_int("same inode, other last line: from the start", "lines",
	    tail_lines(t, false), 2);
	test_int("same inode, other last line: said", "notices", lost, 1);
	mxt_tail_close(t);

	const char *gz = write_file("c.gz", "\x1f\x8b\x08", "w");
	t = mxt_tail_open(gz, NULL, NULL, &e);
	test_ok(t == NULL && strstr(e.text, "compressed") != NULL,
	    "a compressed file is refused", "%s", t ? "opened" : e.text);
	mxt_tail_close(t);
}

static void
test_bad_states(void)
{
	static const struct {
		const char *name, *data, *want;
	} cases[] = {
		{.name = "empty file", .data = "", .want = "not JSON"},
		{.name = "a list", .data = "[]", .want = "not an mxtriage state"},
		{.name = "newer schema", .data = "{\"schema\": "
		    "\"mxtriage.state/3\"}", .want = "another version"},
		{.name = "version 2 without totals", .data = "{\"schema\": "
		    "\"mxtriage.state/2\", \"messages\": [], \"inputs\": []}",
		    .want = "incomplete state"},
		{.name = "version 2 without dialects", .data = "{\"schema\": "
		    "\"mxtriage.state/2\", \"messages\": [], \"inputs\": [], "
		    "\"totals\": null, \"prometheus\": {\"domains\": [], "
		    "\"other\": null}}", .want = "no \"dialects\""},
		{.name = "offset negative", .data = "{\"schema\": "
		    "\"mxtriage.state/1\", \"messages\": [], \"inputs\": "
		    "[{\"path\": \"a\", \"dev\": 1, \"ino\": 2, \"offset\": -1, "
		    "\"line\": 0, \"last_line_length\": 0, "
		    "\"last_line_fnv1a64\": \"0000000000000000\"}]}",
		    .want = "inputs[0] is not a position"},
		{.name = "bad checksum", .data = "{\"schema\": "
		    "\"mxtriage.state/1\", \"messages\": [], \"inputs\": "
		    "[{\"path\": \"a\", \"dev\": 1, \"ino\": 2, \"offset\": 1, "
		    "\"line\": 0, \"last_line_length\": 0, "
		    "\"last_line_fnv1a64\": \"zz\"}]}",
		    .want = "inputs[0] is not a position"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *path = write_file("bad.state", cases[i].data, "w");
		struct mxt_error e = {0};
		struct mxt_state *s = mxt_state_load(path, &e);
		test_ok(s == NULL && strstr(e.text, cases[i].want) != NULL,
		    cases[i].name, "got %s, want an error with \"%s\"",
		    s ? "a state" : e.text, cases[i].want);
		mxt_state_destroy(s);
	}
	char missing[512];
	snprintf(missing, sizeof missing, "%s/none.state", dir);
	struct mxt_state *s = mxt_state_load(missing, NULL);
	test_ok(s != NULL && mxt_state_position(s, "x") == NULL,
	    "a state file that does not exist: the first run", "%s",
	    s ? "" : "refused");
	mxt_state_destroy(s);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 99;
	test_restore();
	test_positions();
	test_bad_states();
	return test_done();
}
