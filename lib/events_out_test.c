/*
 * events_out_test.c - how the event writer hands its blocks to the
 * output: after what the FILE already holds, in blocks whose bytes are
 * those of each event flushed on its own (into a FILE that has no
 * descriptor, open_memstream), and a failed write returned with errno.
 * The events are those of a real log (testdata/rotated), read three
 * times, so the output is several of the writer's 64 KiB blocks.
 */
#include "mxtriage.h"
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG TESTDATA "/rotated/mail.log"

struct writers {
	struct mxt_event_writer *w[2];
	int failed[2], errnum[2];
	long events;
	bool flush_each; /* w[1] is flushed after each event */
};

static void
on_event(void *arg, const struct mxt_event *ev)
{
	struct writers *ws = arg;
	ws->events++;
	for (int i = 0; i < 2; i++) {
		if (ws->w[i] == NULL || ws->failed[i])
			continue;
		errno = 0;
		if (mxt_event_writer_write(ws->w[i], ev) != 0 ||
		    (i == 1 && ws->flush_each &&
		    mxt_event_writer_flush(ws->w[i]) != 0)) {
			ws->failed[i] = 1;
			ws->errnum[i] = errno;
		}
	}
}

/* Writes the log's events (three reads) to the writers; returns the count. */
static long
write_events(struct writers *ws)
{
	struct mxt_pass_config cfg = {.on_event = on_event, .event_arg = ws};
	for (int round = 0; round < 3; round++) {
		struct mxt_pass *p = mxt_pass_create(&cfg);
		if (mxt_pass_read(p, LOG, NULL) != 0)
			test_ok(false, "read " LOG, "failed");
		mxt_pass_finish(p);
		mxt_pass_destroy(p);
	}
	for (int i = 0; i < 2; i++) {
		if (ws->w[i] == NULL || ws->failed[i])
			continue;
		errno = 0;
		if (mxt_event_writer_flush(ws->w[i]) != 0) {
			ws->failed[i] = 1;
			ws->errnum[i] = errno;
		}
	}
	return ws->events;
}

static char *
slurp(FILE *fp, size_t *len)
{
	rewind(fp);
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);
	size_t got;
	while (buf != NULL && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	*len = n;
	return buf;
}

/* A descriptor's output is what stdio held, then the blocks, in order;
 * the bytes equal those of the events flushed one by one (the writer's
 * buffer then never fills: nothing is carried from one block to the
 * next). */
static void
test_order(enum mxt_event_format fmt, const char *name)
{
	static const char before[] = "written before, still in stdio\n";
	FILE *file = tmpfile();
	char *mem = NULL;
	size_t mem_len = 0;
	FILE *ms = open_memstream(&mem, &mem_len);
	if (!test_ok(file != NULL && ms != NULL, name, "no tmpfile or memstream"))
		return;
	fputs(before, file); /* not flushed: the writer must send it first */
	struct writers ws = {{mxt_event_writer_create(file, fmt, false),
	    mxt_event_writer_create(ms, fmt, false)}, {0}, {0}, 0, true};
	long n = write_events(&ws);
	test_ok(!ws.failed[0] && !ws.failed[1], name, "a write failed: %s",
	    strerror(ws.errnum[0] ? ws.errnum[0] : ws.errnum[1]));
	fflush(file);
	fclose(ms);
	size_t len;
	char *got = slurp(file, &len);
	size_t pre = strlen(before);
	test_ok(n > 1000 && mem_len > 4 * 65536, name,
	    "%ld events, %zu bytes: want several blocks", n, mem_len);
	test_ok(got != NULL && len >= pre && memcmp(got, before, pre) == 0,
	    name, "the output does not start with what stdio held");
	test_int(name, "bytes after stdio's", (long long)(len - pre),
	    (long long)mem_len);
	test_ok(got != NULL && len - pre == mem_len &&
	    memcmp(got + pre, mem, mem_len) == 0, name,
	    "the blocks' bytes differ from the events flushed one by one");
	free(got);
	free(mem);
	fclose(file);
	mxt_event_writer_destroy(ws.w[0]);
	mxt_event_writer_destroy(ws.w[1]);
}

/* A full device: the failure is returned, with the device's errno. */
static void
test_full(void)
{
	FILE *full = fopen("/dev/full", "w");
	if (full == NULL) {
		printf("ok - # SKIP /dev/full: %s\n", strerror(errno));
		return;
	}
	struct writers ws = {{mxt_event_writer_create(full, MXT_EVFMT_JSONL,
	    false), NULL}, {0}, {0}, 0, false};
	write_events(&ws);
	test_ok(ws.failed[0], "/dev/full", "no write failed");
	test_int("/dev/full", "errno", ws.errnum[0], ENOSPC);
	mxt_event_writer_destroy(ws.w[0]);
	fclose(full);
}

int
main(void)
{
	test_order(MXT_EVFMT_JSONL, "JSON lines to a descriptor");
	test_order(MXT_EVFMT_CSV, "CSV to a descriptor");
	test_full();
	return test_done();
}
