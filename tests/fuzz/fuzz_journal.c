/*
 * fuzz_journal.c - journald's forms (lib/journal.c) on their own: a
 * `journalctl -o json` (or json-seq) line through mxt_journal_json, or a
 * stream of `-o export` entries, JSON lines and plain lines through the
 * reader, which cuts the export fields (text and binary) and hands them
 * to journal.c. The first byte of the input chooses (even: one JSON line,
 * odd: a stream); the rest is the line or the stream.
 *
 * Every entry is made into its line twice: into a buffer of the size the
 * reader gives (MXT_LINE_MAX + 1024) and into one of the smallest size
 * the contract of mxt_jentry_line allows (513 bytes).
 *
 * Checks: a line is NUL-terminated within its buffer and holds no line
 * break; the reader's lines are numbered in increasing order, never past
 * the input's lines; an entry's line is read back by the framing as RFC
 * 5424 (journal.c's design) with the entry's host, program, pid, time
 * and message (line breaks as spaces), as long as it was not cut.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "framing.h"
#include "journal.h"
#include "mxtriage.h"

#define BIG (MXT_LINE_MAX + 1024)
#define SMALL 513

static char *big, *small;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", FUZZ_TZ, 1);
	big = malloc(BIG);
	small = malloc(SMALL);
	if (big == NULL || small == NULL)
		abort();
	return 0;
}

static void
fail(const char *what, const char *line, size_t len)
{
	fprintf(stderr, "%s: \"%.*s\" (%zu bytes)\n", what,
	    len > 300 ? 300 : (int)len, line, len);
	abort();
}

/* A line as the reader or mxt_jentry_line gives it. */
static void
check_line(const char *line, size_t len, size_t cap)
{
	if (len >= cap || line[len] != '\0')
		fail("not NUL-terminated within its buffer", line, len);
	if (memchr(line, '\n', len) != NULL)
		fail("a line break inside a line", line, len);
	fuzz_touch(line, len + 1);
}

/* The token put_token writes for field f, as the framing reads it back
 * ("-" is RFC 5424's nothing). */
static bool
want_token(const struct mxt_jentry *e, int f, struct mxt_str got)
{
	if (!e->has[f] || e->len[f] == 0 ||
	    (e->len[f] == 1 && e->v[f][0] == '-'))
		return got.len == 0;
	if (got.len != e->len[f])
		return false;
	for (size_t i = 0; i < got.len; i++) {
		unsigned char c = (unsigned char)e->v[f][i];
		char w = c <= ' ' || c == 0x7f ? '_' : (char)c;
		if (got.ptr[i] != w)
			return false;
	}
	return true;
}

/* The entry's line, both sizes; the big one read back by the framing. */
static void
check_entry(const struct mxt_jentry *e)
{
	size_t n = mxt_jentry_line(e, small, SMALL);
	check_line(small, n, SMALL);
	n = mxt_jentry_line(e, big, BIG);
	check_line(big, n, BIG);
	if (!e->has[MXT_JF_MESSAGE]) {
		if (n != 0)
			fail("a line from an entry without MESSAGE", big, n);
		return;
	}

	struct mxt_clock c;
	struct mxt_logline ll;
	mxt_clock_init(&c, 2026, FUZZ_NOW);
	if (!mxt_syslog_parse(&c, big, n, &ll) || ll.kind != MXT_HDR_RFC5424)
		fail("an entry's line is not read as RFC 5424", big, n);
	int id = e->has[MXT_JF_IDENTIFIER] ? MXT_JF_IDENTIFIER : MXT_JF_COMM;
	int pid = e->has[MXT_JF_SYSLOG_PID] ? MXT_JF_SYSLOG_PID : MXT_JF_PID;
	/* an Exim program's message is unwrapped further: its own time and
	 * pid (framing_exim.c) */
	if (mxt_framing_is_exim(ll.program))
		return;
	if (!want_token(e, MXT_JF_HOSTNAME, ll.host) ||
	    !want_token(e, pid, ll.pid) || !want_token(e, id, ll.program))
		fail("host, program or pid read back differ", big, n);

	/* the time: microseconds as they were, when they make a time */
	const char *ts = e->v[MXT_JF_REALTIME];
	size_t tn = e->len[MXT_JF_REALTIME], i = 0;
	uint64_t us = 0;
	if (e->has[MXT_JF_REALTIME])
		for (; i < tn && i < 19 && ts[i] >= '0' && ts[i] <= '9'; i++)
			us = us * 10 + (uint64_t)(ts[i] - '0');
	if (ll.time.valid && (i == 0 || i != tn ||
	    ll.time.sec != (int64_t)(us / 1000000)))
		fail("time read back differs", big, n);

	/* the message: trailing line breaks dropped, the others spaces; the
	 * framing drops one byte-order mark in front */
	const char *m = e->v[MXT_JF_MESSAGE];
	size_t mn = e->len[MXT_JF_MESSAGE];
	while (mn > 0 && (m[mn - 1] == '\n' || m[mn - 1] == '\r'))
		mn--;
	if (mn >= 3 && memcmp(m, "\xEF\xBB\xBF", 3) == 0) {
		m += 3;
		mn -= 3;
	}
	bool same = ll.msg.len == mn;
	for (size_t k = 0; same && k < mn; k++)
		same = ll.msg.ptr[k] == (m[k] == '\n' || m[k] == '\r' ? ' ' :
		    m[k]);
	if (!same)
		fail("message read back differs", big, n);
}

static void
one_json_line(const uint8_t *data, size_t size)
{
	/* as the reader hands it over: exactly its bytes and a NUL */
	char *line = malloc(size + 1);
	if (line == NULL)
		abort();
	memcpy(line, data, size);
	line[size] = '\0';
	struct mxt_jentry e;
	mxt_jentry_init(&e);
	bool ok = mxt_journal_json(line, size, &e);
	if (ok != e.has[MXT_JF_MESSAGE])
		fail("mxt_journal_json's answer and MESSAGE disagree", line,
		    size);
	if (ok)
		check_entry(&e);
	(void)mxt_journal_export_start(line, size);
	mxt_jentry_finish(&e);
	free(line);
}

static void
stream(const uint8_t *data, size_t size)
{
	long lines = 1;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	struct mxt_error err;
	struct mxt_reader *r = mxt_reader_open(fuzz_file(0, data, size), &err);
	if (r == NULL)
		abort();
	const char *line;
	size_t len;
	bool truncated;
	long last = 0;
	while (mxt_reader_next(r, &line, &len, &truncated, &err) > 0) {
		check_line(line, len, BIG);
		long no = mxt_reader_line_no(r);
		if (no <= last || no > lines) {
			fprintf(stderr, "line number %ld after %ld (%ld lines "
			    "in the input)\n", no, last, lines);
			abort();
		}
		last = no;
	}
	mxt_reader_close(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] % 2 == 0)
		one_json_line(data + 1, size - 1);
	else
		stream(data + 1, size - 1);
	return 0;
}
