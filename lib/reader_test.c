/*
 * reader_test.c - bytes -> lines: terminators, NUL bytes, over-long lines,
 * a missing final newline, gzip by content, concatenated gzip members,
 * damaged gzip files (bad CRC or length trailer, truncated at many
 * points, corrupt data, trailing garbage) whose every line before the
 * damage must arrive, and a pipe whose lines arrive as they are written.
 * The files are made here at run time. The files that are read whole run
 * twice, decompressing in line and on a thread of its own
 * (mxt_reader_set_ahead), and read_compare also checks that both ways
 * give the same lines and the same end.
 */
#include "internal.h"
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bzlib.h>
#include <lz4frame.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

static char dir[] = "/tmp/mxt-reader-XXXXXX";

/* Whether the readers of the tests decompress on a thread of their own
 * (main runs the tests of whole files both ways). */
static bool use_ahead;

static struct mxt_reader *
open_reader(const char *path, struct mxt_error *err, bool ahead)
{
	struct mxt_reader *r = mxt_reader_open(path, err);
	if (r != NULL)
		mxt_reader_set_ahead(r, ahead);
	return r;
}

static const char *
write_file(const char *name, const char *data, size_t len, bool gzip)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (gzip) {
		gzFile gz = gzopen(path, "wb");
		gzwrite(gz, data, (unsigned)len);
		gzclose(gz);
	} else {
		FILE *fp = fopen(path, "wb");
		fwrite(data, 1, len, fp);
		fclose(fp);
	}
	return path;
}

struct got {
	int lines, truncated, rc;
	size_t lens[8];
	char first[64];
	struct mxt_error err;
};

static struct got
read_all(const char *path)
{
	struct got g = {0};
	struct mxt_reader *r = open_reader(path, &g.err, use_ahead);
	const char *line;
	size_t len;
	bool trunc;
	if (r == NULL) {
		g.rc = -2;
		return g;
	}
	while ((g.rc = mxt_reader_next(r, &line, &len, &trunc, &g.err)) > 0) {
		if (g.lines < 8)
			g.lens[g.lines] = len;
		if (g.lines == 0)
			snprintf(g.first, sizeof g.first, "%.*s",
			    (int)(len < 63 ? len : 63), line);
		g.lines++;
		g.truncated += trunc;
		if (line[len] != '\0')
			g.rc = -3; /* lines must be NUL-terminated */
	}
	mxt_reader_close(r);
	return g;
}

/* ---- damaged gzip ----------------------------------------------------- */

static char *
slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return NULL;
	fseek(fp, 0, SEEK_END);
	long size = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	char *p = malloc((size_t)size + 1);
	*n = fread(p, 1, (size_t)size, fp);
	fclose(fp);
	return p;
}

static void
spit(const char *path, const char *p, size_t n)
{
	FILE *fp = fopen(path, "wb");
	fwrite(p, 1, n, fp);
	fclose(fp);
}

/* The reference: how many bytes of text zlib decompresses from the
 * (damaged) gzip data z[0..n) before it stops -- what zcat writes. */
static size_t
inflate_prefix(const char *z, size_t n, char *out, size_t cap)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return 0;
	zs.next_in = (Bytef *)z;
	zs.avail_in = (uInt)n;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap;
	while (inflate(&zs, Z_NO_FLUSH) == Z_OK && zs.avail_in > 0)
		;
	size_t made = cap - zs.avail_out;
	inflateEnd(&zs);
	return made;
}

/* text[0..n) as gzip in memory, malloc'd with 64 bytes of room after
 * it; *zn its size. flush Z_FINISH: the whole member; Z_FULL_FLUSH: the
 * deflate data up to a byte boundary, no end and no trailer. */
static unsigned char *
gzip_text(const char *text, size_t n, int flush, size_t *zn)
{
	size_t cap = compressBound((uLong)n) + 128;
	unsigned char *z = malloc(cap);
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (z == NULL || deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	zs.next_in = (Bytef *)(uintptr_t)text;
	zs.avail_in = (uInt)n;
	zs.next_out = z;
	zs.avail_out = (uInt)(cap - 64);
	if (deflate(&zs, flush) != (flush == Z_FINISH ? Z_STREAM_END : Z_OK))
		abort();
	*zn = zs.total_out;
	deflateEnd(&zs);
	return z;
}

/* Reads path; checks every line it returns against the lines of
 * want[0..wn) in order. Returns the line count (-1 when a line differs);
 * *rc and *err get the end. */
static int
read_compare_as(const char *path, const char *want, size_t wn, int *rc,
    struct mxt_error *err, bool ahead, long long *offset)
{
	memset(err, 0, sizeof *err);
	struct mxt_reader *r = open_reader(path, err, ahead);
	if (r == NULL) {
		*rc = -2;
		return 0;
	}
	const char *line;
	size_t len, off = 0;
	bool trunc;
	int lines = 0, bad = 0;
	while ((*rc = mxt_reader_next(r, &line, &len, &trunc, err)) > 0) {
		const char *nl = off < wn ? memchr(want + off, '\n', wn - off) :
		    NULL;
		size_t wl = nl ? (size_t)(nl - (want + off)) : wn - off;
		if (off >= wn || wl != len || memcmp(want + off, line, len) != 0)
			bad = 1;
		off += wl + 1;
		lines++;
	}
	*offset = mxt_reader_offset(r);
	mxt_reader_close(r);
	return bad ? -1 : lines;
}

/* read_compare_as in line; the same read on a decoding thread must end
 * alike: lines, status, error (text, line, byte), offset. */
static int
read_compare(const char *path, const char *want, size_t wn, int *rc,
    struct mxt_error *err)
{
	long long off, off2;
	int rc2;
	struct mxt_error err2;
	int got = read_compare_as(path, want, wn, rc, err, false, &off);
	int got2 = read_compare_as(path, want, wn, &rc2, &err2, true, &off2);
	test_ok(got == got2 && *rc == rc2 && off == off2 &&
	    err->line == err2.line && err->column == err2.column &&
	    strcmp(err->text, err2.text) == 0, path,
	    "in line: %d lines, rc %d, offset %lld, '%s' line %ld byte %ld; "
	    "read ahead: %d lines, rc %d, offset %lld, '%s' line %ld byte %ld",
	    got, *rc, off, err->text, err->line, err->column, got2, rc2, off2,
	    err2.text, err2.line, err2.column);
	return got;
}

static int
count_lines(const char *p, size_t n)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		k += p[i] == '\n';
	return k;
}

/*
 * A gzip file whose only fault is its trailer (CRC or length), or that is
 * cut short at many points, or corrupt inside: every complete line that
 * zlib decompresses before the damage arrives, in order and intact, then
 * an error naming the last good line and a byte offset within the file.
 * Two sizes: one under the reader's 256 KiB chunk (all of it was lost
 * before) and one over several chunks.
 */
static void
damaged_gzip(void)
{
	static const size_t sizes[] = {150000, 900000};
	for (size_t si = 0; si < 2; si++) {
		size_t cap = sizes[si] + 100, n = 0;
		char *text = malloc(cap);
		for (unsigned i = 0; n < sizes[si]; i++)
			n += (size_t)snprintf(text + n, cap - n,
			    "Nov 23 10:00:01 mx postfix/qmgr[1]: %08X: removed "
			    "%u\n", i * 2654435761u, i);
		int all = count_lines(text, n);
		char good[600], name[200];
		snprintf(good, sizeof good, "%s/good-%zu.gz", dir, si);
		{
			gzFile gz = gzopen(good, "wb");
			gzwrite(gz, text, (unsigned)n);
			gzclose(gz);
		}
		size_t zn = 0;
		char *z = slurp(good, &zn);
		if (z == NULL || zn < 100) {
			test_ok(false, "gzip made", "cannot read %s", good);
			return;
		}
		char *work = malloc(zn + 16), *out = malloc(n + 1);
		char path[600];
		snprintf(path, sizeof path, "%s/damaged.gz", dir);
		int rc;
		struct mxt_error err;

		/* the trailer: CRC (zn-8..zn-4), then length (zn-4..zn) */
		static const struct {
			const char *name;
			size_t from_end;
			const char *want;
		} trailer[] = {
			{"bad CRC", 8, "incorrect data check"},
			{"bad length", 3, "incorrect length check"},
		};
		for (size_t k = 0; k < 2; k++) {
			memcpy(work, z, zn);
			work[zn - trailer[k].from_end] ^= 0x5a;
			spit(path, work, zn);
			int got = read_compare(path, text, n, &rc, &err);
			snprintf(name, sizeof name, "%s (%zu bytes of text)",
			    trailer[k].name, n);
			test_int(name, "every line arrives", got, all);
			test_int(name, "then an error", rc, -1);
			test_int(name, "error names the last good line",
			    err.line, all);
			test_ok(err.column > (long)zn - 16 &&
			    err.column <= (long)zn, name,
			    "damage at byte %ld, want near the end (%zu)",
			    err.column, zn);
			test_ok(strstr(err.text, trailer[k].want) != NULL, name,
			    "got '%s'", err.text);
		}

		/* cut short at many points, from inside the header to one
		 * byte short of the end */
		size_t cuts[] = {1, 5, 10, 11, 100, zn / 7, zn / 3, zn / 2,
		    zn - 5000, zn - 9, zn - 8, zn - 4, zn - 1};
		for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
			size_t cut = cuts[k];
			spit(path, z, cut);
			size_t made = inflate_prefix(z, cut, out, n + 1);
			int want = count_lines(out, made);
			int got = read_compare(path, text, n, &rc, &err);
			snprintf(name, sizeof name, "gzip of %zu bytes cut at %zu",
			    zn, cut);
			if (cut == 1) {
				/* one byte is no gzip magic: plain text */
				got = read_compare(path, z, 1, &rc, &err);
				test_int(name, "read as a plain line", got, 1);
				test_int(name, "end", rc, 0);
				continue;
			}
#ifdef MXT_HAVE_ISAL
			/* ISA-L keeps the last symbol or two of a cut stream
			 * undecoded (it reads ahead for the longest code):
			 * the last line may be one whose newline is among
			 * them; never more, and the error names the line */
			test_ok(got == want || got == want - 1, name,
			    "lines before the cut: got %d, zlib gives %d", got,
			    want);
			test_int(name, "then an error", rc, -1);
			test_int(name, "error names the last good line",
			    err.line, got);
#else
			test_int(name, "lines before the cut", got, want);
			test_int(name, "then an error", rc, -1);
			test_int(name, "error names the last good line",
			    err.line, want);
#endif
			test_int(name, "error names the end of the file",
			    err.column, (long long)cut);
			test_ok(strstr(err.text, "truncated") != NULL, name,
			    "got '%s'", err.text);
		}

		/* corrupt deflate data in the middle: the lines before the
		 * corruption arrive, at least those of the first third */
		memcpy(work, z, zn);
		for (size_t i = zn / 2; i < zn / 2 + 64; i++)
			work[i] = (char)0xff;
		spit(path, work, zn);
		size_t made = inflate_prefix(work, zn, out, n + 1);
		int want = count_lines(out, made);
		/* inflate may write some garbage before it sees the damage:
		 * the reference is what zlib gives, not the original */
		int got = read_compare(path, out, made, &rc, &err);
		snprintf(name, sizeof name, "corrupt in the middle (%zu)", zn);
		test_ok(got == want && got >= all / 3, name,
		    "got %d lines, zlib gives %d of %d", got, want, all);
#ifdef MXT_HAVE_ISAL
		/* ISA-L may take the damaged bytes for data and find the
		 * damage only at the trailer's check: then at the end */
		long last = (long)zn;
#else
		long last = (long)zn - 1;
#endif
		test_ok(rc == -1 && strstr(err.text, "corrupt") != NULL &&
		    err.line == want && err.column > (long)zn / 2 &&
		    err.column <= last, name, "got rc %d, '%s' line %ld "
		    "byte %ld", rc, err.text, err.line, err.column);

		/* concatenated members, then zero padding: all, no error */
		memcpy(work, z, zn);
		char *cat = malloc(2 * zn + 1024);
		memcpy(cat, z, zn);
		memcpy(cat + zn, z, zn);
		memset(cat + 2 * zn, 0, 1024);
		spit(path, cat, 2 * zn + 1024);
		char *twice = malloc(2 * n);
		memcpy(twice, text, n);
		memcpy(twice + n, text, n);
		got = read_compare(path, twice, 2 * n, &rc, &err);
		test_int("two gzip members and zero padding", "lines", got,
		    2 * all);
		test_int("two gzip members and zero padding", "end", rc, 0);
		/* garbage after the data: every line, then the error */
		memcpy(cat + zn, "garbage\n", 8);
		spit(path, cat, zn + 8);
		got = read_compare(path, text, n, &rc, &err);
		test_int("trailing garbage", "lines", got, all);
		test_ok(rc == -1 && strstr(err.text, "not gzip") &&
		    err.column == (long)zn, "trailing garbage is reported",
		    "got rc %d, '%s' at byte %ld", rc, err.text, err.column);
		free(twice);
		free(cat);
		free(work);
		free(out);
		free(z);
		free(text);
	}
}

/*
 * A deflate block of the reserved type after P bytes of good text, at
 * many P: every complete line before it arrives, then the error, the
 * same read in line (whose room for text varies) and read ahead. The
 * decoder may hold text it decoded before the damage in a buffer of its
 * own when it meets it (ISA-L does: reader.c's gz_drain hands it out).
 */
static void
gzip_bad_block_after_text(void)
{
	size_t cap = 700000, n = 0;
	char *text = malloc(cap);
	for (unsigned i = 0; n < cap - 200; i++)
		n += (size_t)snprintf(text + n, cap - n, "%u %.*s\n", i,
		    (int)(i * 7919 % 150), "Nov 23 10:00:01 mx postfix/smtp"
		    "[123]: 4BC2D1F3A: to=<someone@example.org>, relay=mx.exa"
		    "mple.org[192.0.2.1]:25, delay=1.2, dsn=4.7.1, status=def"
		    "erred (host said: 450 4.7.1 try again later) xxxxxxxxxxx");
	char path[600];
	snprintf(path, sizeof path, "%s/badblock.gz", dir);
	int bad = 0, tried = 0;
	for (size_t at = 1000; at < n; at = at * 5 / 4 + 4099) {
		size_t zn;
		unsigned char *z = gzip_text(text, at, Z_FULL_FLUSH, &zn);
		z[zn++] = 0x06; /* BFINAL 0, BTYPE 3: reserved */
		memset(z + zn, 0, 16);
		zn += 16;
		spit(path, (const char *)z, zn);
		free(z);
		int rc;
		struct mxt_error err;
		int got = read_compare(path, text, at, &rc, &err);
		tried++;
		if (got != count_lines(text, at) || rc != -1 ||
		    strstr(err.text, "corrupt") == NULL) {
			bad++;
			printf("# bad block after %zu bytes: %d lines, want %d; "
			    "rc %d '%s'\n", at, got, count_lines(text, at), rc,
			    err.text);
		}
	}
	test_ok(bad == 0 && tried > 10, "a bad block after good text",
	    "%d of %d places wrong", bad, tried);
	free(text);
}

/*
 * A gzip member whose trailer arrives a few bytes a read, from a pipe
 * (a writer that pauses): the CRC and the length are each taken over
 * several steps of the decoder, and a bad one is still told apart (ISA-L
 * reports both alike: the reader keeps the last bytes it took) and
 * placed as zlib places it.
 */
static void
gzip_trailer_in_pieces(void)
{
	char text[4000];
	size_t n = 0;
	for (int i = 0; n < 3500; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "line %d\n", i);
	size_t zn;
	unsigned char *z = gzip_text(text, n, Z_FINISH, &zn);
	unsigned char *work = malloc(zn);
	static const struct {
		const char *name;
		size_t from_end;
		const char *want;
		size_t offset_from_end; /* where the error is placed */
	} cases[] = {
		{"bad CRC, from a pipe in pieces", 8, "incorrect data check", 4},
		{"bad length, from a pipe in pieces", 2, "incorrect length check", 0},
		{"good trailer, from a pipe in pieces", 0, NULL, 0},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		memcpy(work, z, zn);
		if (cases[k].from_end > 0)
			work[zn - cases[k].from_end] ^= 0x21;
		int fds[2], saved = dup(STDIN_FILENO);
		if (pipe(fds) != 0 || saved < 0) {
			test_ok(false, cases[k].name, "cannot make a pipe");
			break;
		}
		pid_t child = fork();
		if (child == 0) {
			close(fds[0]);
			/* all but the last 20 bytes, then 3 at a time */
			size_t at = zn - 20;
			if (write(fds[1], work, at) != (ssize_t)at)
				_exit(1);
			while (at < zn) {
				usleep(20000);
				size_t piece = zn - at < 3 ? zn - at : 3;
				if (write(fds[1], work + at, piece) !=
				    (ssize_t)piece)
					_exit(1);
				at += piece;
			}
			_exit(0);
		}
		close(fds[1]);
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		struct got g = read_all("-");
		int status = 0;
		waitpid(child, &status, 0);
		dup2(saved, STDIN_FILENO);
		close(saved);
		test_int(cases[k].name, "every line", g.lines,
		    count_lines(text, n));
		if (cases[k].want == NULL) {
			test_int(cases[k].name, "end", g.rc, 0);
			continue;
		}
		test_int(cases[k].name, "then an error", g.rc, -1);
		test_ok(strstr(g.err.text, cases[k].want) != NULL,
		    cases[k].name, "got '%s', want '%s'", g.err.text,
		    cases[k].want);
		test_int(cases[k].name, "the error's byte", g.err.column,
		    (long long)(zn - cases[k].offset_from_end));
	}
	free(z);
	free(work);
}

/*
 * Plain bytes from a pipe: a line arrives as soon as its newline does,
 * while the writer keeps the pipe open (the old reader waited for 256 KiB
 * or the end). alarm() ends a reader that waits for ever: the test fails.
 */
static void
pipe_lines_arrive(void)
{
	int fds[2], saved = dup(STDIN_FILENO);
	if (pipe(fds) != 0 || saved < 0) {
		test_ok(false, "pipe", "cannot make a pipe");
		return;
	}
	/* the pipe grows to 1 MiB (fewer turns with its writer) where the
	 * system lets this process have such a pipe: asked of a pipe of
	 * the test's own first (pipe-max-size, and for a user who is not
	 * root the pages all their pipes may hold, pipe-user-pages-soft) */
	int probe[2];
	bool allowed = false;
	if (pipe(probe) == 0) {
		allowed = fcntl(probe[1], F_SETPIPE_SZ, 1024 * 1024) >=
		    1024 * 1024;
		close(probe[0]);
		close(probe[1]);
	}
	dup2(fds[0], STDIN_FILENO);
	close(fds[0]);
	struct mxt_error err;
	struct mxt_reader *r = mxt_reader_open("-", &err);
	if (allowed)
		test_int("pipe", "capacity", fcntl(fds[1], F_GETPIPE_SZ),
		    1024 * 1024);
	else
		printf("# skip: this process may not have a pipe of 1 MiB\n");
	const char *line;
	size_t len;
	bool trunc;
	static const char *const sent[] = {"first line", "second", "x"};
	alarm(20);
	for (size_t i = 0; i < 3; i++) {
		char buf[64];
		int n = snprintf(buf, sizeof buf, "%s\n", sent[i]);
		if (write(fds[1], buf, (size_t)n) != n)
			break;
		int rc = mxt_reader_next(r, &line, &len, &trunc, &err);
		test_ok(rc == 1 && len == strlen(sent[i]) &&
		    memcmp(line, sent[i], len) == 0,
		    "a pipe's line arrives before the writer closes it",
		    "line %zu: rc %d '%.*s'", i, rc, (int)(rc == 1 ? len : 0),
		    rc == 1 ? line : "");
	}
	close(fds[1]);
	test_int("pipe closed", "end", mxt_reader_next(r, &line, &len, &trunc,
	    &err), 0);
	alarm(0);
	mxt_reader_close(r);
	dup2(saved, STDIN_FILENO);
	close(saved);
}

/* Live reading: a partial last line waits for its newline, the end is
 * "no more for now", offsets count the bytes of the lines returned, and
 * a later run starts where the offset says, numbering lines on. */
static void
test_live(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/live.log", dir);
	FILE *fp = fopen(path, "wb");
	fputs("one\ntw", fp);
	fflush(fp);

	struct mxt_error e;
	struct mxt_reader *r = mxt_reader_open(path, &e);
	const char *line;
	size_t len;
	bool trunc;
	mxt_reader_set_live(r, true);
	test_int("live", "first line", mxt_reader_next(r, &line, &len,
	    &trunc, &e), 1);
	test_int("live", "offset after it", mxt_reader_offset(r), 4);
	test_int("live: a partial line is held back", "rc",
	    mxt_reader_next(r, &line, &len, &trunc, &e), 0);
	test_int("live: again", "rc", mxt_reader_next(r, &line, &len, &trunc,
	    &e), 0);
	fputs("o\nthree", fp);
	fflush(fp);
	int rc = mxt_reader_next(r, &line, &len, &trunc, &e);
	test_int("live: the rest arrived", "rc", rc, 1);
	if (rc == 1)
		test_str("live: the rest arrived", "line", line, len, "two");
	test_int("live: the rest arrived", "line number",
	    mxt_reader_line_no(r), 2);
	test_int("live", "offset", mxt_reader_offset(r), 8);
	test_int("live: partial again", "rc", mxt_reader_next(r, &line, &len,
	    &trunc, &e), 0);
	mxt_reader_set_live(r, false);
	rc = mxt_reader_next(r, &line, &len, &trunc, &e);
	test_int("not live: the partial line is the last", "rc", rc, 1);
	if (rc == 1)
		test_str("not live: the partial line is the last", "line",
		    line, len, "three");
	test_int("not live", "end", mxt_reader_next(r, &line, &len, &trunc,
	    &e), 0);
	mxt_reader_close(r);
	fclose(fp);

	r = mxt_reader_open(path, &e);
	test_int("seek", "rc", mxt_reader_seek(r, 4, 1, &e), 0);
	rc = mxt_reader_next(r, &line, &len, &trunc, &e);
	if (test_int("seek: reads on at the offset", "rc", rc, 1))
		test_str("seek: reads on at the offset", "line", line, len,
		    "two");
	test_int("seek: numbers lines on", "line", mxt_reader_line_no(r), 2);
	test_int("seek: offset", "offset", mxt_reader_offset(r), 8);
	test_int("seek after reading", "rc", mxt_reader_seek(r, 0, 0, &e), -1);
	mxt_reader_close(r);
}

static int waits;
static int
stop_wait(void *arg, int fd)
{
	(void)fd;
	waits++;
	return *(int *)arg;
}

/* The wait hook is asked before a pipe is read; ending the input there
 * drops a partial line. */
static void
test_wait(void)
{
	int fds[2];
	if (pipe(fds) != 0)
		return;
	if (write(fds[1], "a\npartial", 9) != 9)
		return;
	int saved = dup(STDIN_FILENO);
	dup2(fds[0], STDIN_FILENO);
	close(fds[0]);
	struct mxt_error e;
	struct mxt_reader *r = mxt_reader_open("-", &e);
	dup2(saved, STDIN_FILENO);
	close(saved);
	int stop = 0;
	mxt_reader_set_wait(r, stop_wait, &stop);
	const char *line;
	size_t len;
	bool trunc;
	test_int("wait", "first line", mxt_reader_next(r, &line, &len, &trunc,
	    &e), 1);
	test_ok(waits > 0, "wait: asked before reading a pipe", "waits %d",
	    waits);
	stop = 1;
	test_int("wait: ended by the hook, no partial line", "rc",
	    mxt_reader_next(r, &line, &len, &trunc, &e), 0);
	mxt_reader_close(r);
	close(fds[1]);
}

/* One-shot compressors: text -> a whole file of that format, malloc'd;
 * *zn its size. The test then damages it. */
static char *
c_bzip2(const char *text, size_t n, size_t *zn)
{
	unsigned cap = (unsigned)(n + n / 100 + 700);
	char *z = malloc(cap);
	/* 100 kB blocks: a file of several blocks, each checked by its CRC */
	if (BZ2_bzBuffToBuffCompress(z, &cap, (char *)(uintptr_t)text,
	    (unsigned)n, 1, 0, 0) != BZ_OK)
		abort();
	*zn = cap;
	return z;
}

static char *
c_xz(const char *text, size_t n, size_t *zn)
{
	size_t cap = lzma_stream_buffer_bound(n), pos = 0;
	uint8_t *z = malloc(cap);
	if (lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, NULL,
	    (const uint8_t *)text, n, z, &pos, cap) != LZMA_OK)
		abort();
	*zn = pos;
	return (char *)z;
}

static char *
c_zstd(const char *text, size_t n, size_t *zn)
{
	size_t cap = ZSTD_compressBound(n);
	char *z = malloc(cap);
	ZSTD_CCtx *c = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
	*zn = ZSTD_compress2(c, z, cap, text, n);
	if (ZSTD_isError(*zn))
		abort();
	ZSTD_freeCCtx(c);
	return z;
}

static char *
c_lz4(const char *text, size_t n, size_t *zn)
{
	LZ4F_preferences_t pr = {0};
	pr.frameInfo.blockSizeID = LZ4F_max64KB;
	pr.frameInfo.contentChecksumFlag = LZ4F_contentChecksumEnabled;
	size_t cap = LZ4F_compressFrameBound(n, &pr);
	char *z = malloc(cap);
	*zn = LZ4F_compressFrame(z, cap, text, n, &pr);
	if (LZ4F_isError(*zn))
		abort();
	return z;
}

/*
 * bzip2, xz, zstd and lz4 files made here: recognised by content, read
 * whole; two members or frames one after the other and zero padding read
 * whole; cut short at many points: every line returned is the text's own
 * line, in order, then an error that says the file is truncated at its
 * end; bytes changed in the middle: an error that says the data is
 * corrupt, at a byte inside the file, after the lines before it (bzip2
 * and xz check each block before giving it out; zstd and lz4 check a
 * frame's checksum at its end, so their lines before it are what the
 * decoder made); garbage after the data named at its offset.
 */
static void
damaged_codecs(void)
{
	static const struct {
		const char *name;
		char *(*compress)(const char *, size_t, size_t *);
	} codecs[] = {
		{"bzip2", c_bzip2},
		{"xz", c_xz},
		{"zstd", c_zstd},
		{"lz4", c_lz4},
	};
	size_t cap = 700000, n = 0;
	char *text = malloc(cap + 100);
	/* lines that do not repeat, so the compressed data is long */
	for (unsigned i = 0; n < cap; i++)
		n += (size_t)snprintf(text + n, cap + 100 - n,
		    "Nov 23 10:00:01 mx postfix/qmgr[%u]: %08X: removed %u\n",
		    i % 977, i * 2654435761u, i * 40503u);
	int all = count_lines(text, n);
	char path[600], name[200];
	snprintf(path, sizeof path, "%s/damaged.z", dir);

	for (size_t c = 0; c < sizeof codecs / sizeof codecs[0]; c++) {
		const char *cn = codecs[c].name;
		size_t zn;
		char *z = codecs[c].compress(text, n, &zn);
		int rc;
		struct mxt_error err;

		spit(path, z, zn);
		snprintf(name, sizeof name, "%s whole", cn);
		test_int(name, "every line", read_compare(path, text, n, &rc,
		    &err), all);
		test_int(name, "end", rc, 0);
		struct mxt_reader *r = open_reader(path, NULL, use_ahead);
		const char *line;
		size_t len;
		bool trunc;
		mxt_reader_next(r, &line, &len, &trunc, NULL);
		const char *kind = mxt_reader_compression(r);
		test_str(name, "recognised by content", kind ? kind : "plain",
		    strlen(kind ? kind : "plain"), cn);
		mxt_reader_close(r);

		char *cat = malloc(2 * zn + 1024), *twice = malloc(2 * n);
		memcpy(cat, z, zn);
		memcpy(cat + zn, z, zn);
		memset(cat + 2 * zn, 0, 1024);
		spit(path, cat, 2 * zn + 1024);
		memcpy(twice, text, n);
		memcpy(twice + n, text, n);
		snprintf(name, sizeof name, "%s twice, then zero padding", cn);
		test_int(name, "every line", read_compare(path, twice, 2 * n,
		    &rc, &err), 2 * all);
		test_int(name, "end", rc, 0);

		memcpy(cat + zn, "garbage\n", 8);
		spit(path, cat, zn + 8);
		snprintf(name, sizeof name, "%s, then garbage", cn);
		test_int(name, "every line", read_compare(path, text, n, &rc,
		    &err), all);
		test_ok(rc == -1 && strstr(err.text, "they were not read") &&
		    err.column == (long)zn, name, "got rc %d, '%s' at byte %ld",
		    rc, err.text, err.column);

		size_t cuts[] = {7, 17, zn / 3, zn / 2, zn - 20, zn - 1};
		int lines_at_half = 0;
		for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
			spit(path, z, cuts[k]);
			snprintf(name, sizeof name, "%s of %zu bytes cut at %zu",
			    cn, zn, cuts[k]);
			/* read_compare fails a line that is not the text's */
			int got = read_compare(path, text, n, &rc, &err);
			if (cuts[k] == zn / 2)
				lines_at_half = got;
			test_ok(got <= all && rc == -1 && err.line == got &&
			    strstr(err.text, "truncated") != NULL &&
			    strstr(err.text, cn) == err.text &&
			    err.column == (long)cuts[k], name,
			    "got %d of %d lines, rc %d, '%s' line %ld byte %ld",
			    got, all, rc, err.text, err.line, err.column);
		}
		snprintf(name, sizeof name, "%s cut at half", cn);
		test_ok(lines_at_half > all / 4, name,
		    "only %d of %d lines before the cut", lines_at_half, all);

		memcpy(cat, z, zn);
		for (size_t i = zn / 2; i < zn / 2 + 16; i++)
			cat[i] ^= 0x5a;
		spit(path, cat, zn);
		snprintf(name, sizeof name, "%s corrupt in the middle", cn);
		int got = 0;
		r = open_reader(path, NULL, use_ahead);
		while ((rc = mxt_reader_next(r, &line, &len, &trunc, &err)) > 0)
			got++;
		mxt_reader_close(r);
		test_ok(rc == -1 && strstr(err.text, "corrupt") != NULL &&
		    err.line == got && got > all / 4 && err.column > 0 &&
		    err.column <= (long)zn, name, "got rc %d, '%s' line %ld "
		    "byte %ld", rc, err.text, err.line, err.column);
		free(cat);
		free(twice);
		free(z);
	}
	free(text);
}

/*
 * mxt_reader_open_fd on a file descriptor already moved on (a follower
 * continues where it stopped): lines start there, and mxt_reader_offset
 * tells where the next line starts, counted from the descriptor's start.
 */
static void
fd_and_offset(void)
{
	static const char text[] = "first\r\nsecond\nthird";
	const char *path = write_file("fd.log", text, sizeof text - 1, false);
	int fd = open(path, O_RDONLY);
	if (fd < 0 || lseek(fd, 7, SEEK_SET) != 7) {
		test_ok(false, "fd", "cannot open %s", path);
		return;
	}
	struct mxt_error err;
	struct mxt_reader *r = mxt_reader_open_fd(fd, "fd.log", &err);
	const char *line;
	size_t len;
	bool trunc;
	test_int("open_fd", "offset before any line", mxt_reader_offset(r), 0);
	int rc = mxt_reader_next(r, &line, &len, &trunc, &err);
	test_str("open_fd", "first line from the fd's position",
	    rc == 1 ? line : "", rc == 1 ? len : 0, "second");
	test_int("open_fd", "offset after 'second\\n'", mxt_reader_offset(r), 7);
	rc = mxt_reader_next(r, &line, &len, &trunc, &err);
	test_str("open_fd", "last line without newline", rc == 1 ? line : "",
	    rc == 1 ? len : 0, "third");
	test_int("open_fd", "offset at the end", mxt_reader_offset(r), 12);
	test_str("open_fd", "name", mxt_reader_name(r),
	    strlen(mxt_reader_name(r)), "fd.log");
	mxt_reader_close(r);

	fd = open(dir, O_RDONLY);
	test_ok(mxt_reader_open_fd(fd, "dir", &err) == NULL &&
	    strstr(err.text, "directory") != NULL && fcntl(fd, F_GETFD) < 0,
	    "open_fd refuses a directory and closes its fd", "got '%s'",
	    err.text);
}

static void whole_files(void);
static void read_ahead(void);

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 99;
	test_live();
	test_wait();
	use_ahead = false;
	whole_files();
	use_ahead = true;
	whole_files();
	read_ahead();
	pipe_lines_arrive();
	gzip_trailer_in_pieces();
	gzip_bad_block_after_text();
	fd_and_offset();

	struct got g = read_all("/nonexistent/mail.log");
	test_int("missing file", "open fails", g.rc, -2);
	test_str("missing file", "error source", g.err.source,
	    strlen(g.err.source), "/nonexistent/mail.log");

	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 99;
	return test_done();
}

/* Files read whole (use_ahead: decompressing on a thread of its own). */
static void
whole_files(void)
{
	struct got g = read_all(write_file("crlf", "ab\r\ncd\r\n", 8, false));
	test_int("CRLF", "lines", g.lines, 2);
	test_int("CRLF", "first length without CR", (long long)g.lens[0], 2);
	test_int("CRLF", "end", g.rc, 0);

	g = read_all(write_file("nonl", "one\ntwo", 7, false));
	test_int("missing final newline", "lines", g.lines, 2);
	test_int("missing final newline", "last length", (long long)g.lens[1], 3);

	g = read_all(write_file("nul", "a\0b\nc\n", 6, false));
	test_int("NUL byte kept inside the line", "first length",
	    (long long)g.lens[0], 3);
	test_int("NUL byte", "lines", g.lines, 2);

	size_t big = 3 * MXT_LINE_MAX + 10;
	char *data = malloc(big + 20);
	memset(data, 'x', big);
	memcpy(data + big, "\nshort\n", 7);
	g = read_all(write_file("long", data, big + 7, false));
	test_int("over-long line", "lines", g.lines, 2);
	test_int("over-long line", "truncated", g.truncated, 1);
	test_int("over-long line", "cut at the cap", (long long)g.lens[0],
	    MXT_LINE_MAX);
	test_int("line after an over-long line", "length",
	    (long long)g.lens[1], 5);

	/* an over-long last line without newline */
	g = read_all(write_file("longnonl", data, big, false));
	test_int("over-long last line", "lines", g.lines, 1);
	test_int("over-long last line", "truncated", g.truncated, 1);

	const char *text = "Nov 23 10:00:01 mx postfix/qmgr[1]: AAAAA1: removed\nsecond\n";
	g = read_all(write_file("plain.log", text, strlen(text), false));
	struct got gz = read_all(write_file("rotated.log.2", text, strlen(text),
	    true));
	test_int("gzip recognised by content, not name", "lines", gz.lines,
	    g.lines);
	test_str("gzip gives the same bytes", "first line", gz.first,
	    strlen(gz.first), g.first);

	/* truncated gzip: the lines before the cut arrive, then an error
	 * that names the position */
	char *many = malloc(200000);
	size_t n = 0;
	for (int i = 0; n < 190000; i++)
		n += (size_t)snprintf(many + n, 200000 - n, "line %d %x\n", i,
		    i * 2654435761u);
	const char *gzpath = write_file("cut.gz", many, n, true);
	FILE *fp = fopen(gzpath, "r+b");
	fseek(fp, 0, SEEK_END);
	long size = ftell(fp);
	fclose(fp);
	if (truncate(gzpath, size / 2) != 0) {
		test_ok(false, "truncated gzip", "cannot truncate %s", gzpath);
		return;
	}
	g = read_all(gzpath);
	test_int("truncated gzip", "reports an error", g.rc, -1);
	test_ok(g.lines > 1000, "truncated gzip: lines before the cut arrive",
	    "got %d lines", g.lines);
	test_ok(g.err.line == g.lines, "truncated gzip: error names the line",
	    "got line %ld, want %d", g.err.line, g.lines);
	test_ok(strstr(g.err.text, "truncated") != NULL,
	    "truncated gzip: error says so", "got '%s'", g.err.text);

	damaged_gzip();
	damaged_codecs();
	free(data);
	free(many);
}

/*
 * Read-ahead itself: the thread is used for a compressed regular file
 * only (not plain text, not a live file); a reader closed early, with the
 * thread ahead and waiting for room, ends it; the lines are those read
 * in line.
 */
static void
read_ahead(void)
{
	char *text = malloc(3000000);
	size_t n = 0;
	for (unsigned i = 0; n < 2900000; i++)
		n += (size_t)snprintf(text + n, 3000000 - n,
		    "Nov 23 10:00:01 mx postfix/qmgr[%u]: %08X: removed\n",
		    i % 977, i * 2654435761u);
	char gz[600], plain[600];
	snprintf(gz, sizeof gz, "%s", write_file("ahead.gz", text, n, true));
	snprintf(plain, sizeof plain, "%s", write_file("ahead.log", text, n,
	    false));
	struct mxt_error err;
	const char *line;
	size_t len;
	bool trunc;

	struct mxt_reader *r = open_reader(gz, &err, true);
	test_int("read-ahead", "first line", mxt_reader_next(r, &line, &len,
	    &trunc, &err), 1);
	test_ok(mxt_reader_reads_ahead(r), "read-ahead", "a gzip file is not "
	    "decompressed on a thread of its own");
	mxt_reader_close(r); /* the thread is ahead, waiting: it must end */

	r = open_reader(gz, &err, false);
	mxt_reader_next(r, &line, &len, &trunc, &err);
	test_ok(!mxt_reader_reads_ahead(r), "read-ahead", "not asked for, "
	    "yet used");
	mxt_reader_close(r);

	r = open_reader(plain, &err, true);
	mxt_reader_next(r, &line, &len, &trunc, &err);
	test_ok(!mxt_reader_reads_ahead(r), "read-ahead", "used for plain "
	    "text");
	mxt_reader_close(r);

	r = open_reader(gz, &err, true);
	mxt_reader_set_live(r, true);
	mxt_reader_next(r, &line, &len, &trunc, &err);
	test_ok(!mxt_reader_reads_ahead(r), "read-ahead", "used for a live "
	    "file");
	mxt_reader_close(r);

	int rc;
	test_int("read-ahead", "every line, in order", read_compare(gz, text,
	    n, &rc, &err), count_lines(text, n));
	test_int("read-ahead", "end", rc, 0);
	free(text);
}
