/*
 * reader_test.c - bytes -> lines: terminators, NUL bytes, over-long lines,
 * a missing final newline, gzip by content, and a truncated gzip file.
 */
#include "internal.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

static char dir[] = "/tmp/mxt-reader-XXXXXX";

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
	struct mxt_reader *r = mxt_reader_open(path, &g.err);
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

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		return 99;

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
	if (truncate(gzpath, size / 2) != 0)
		return 99;
	g = read_all(gzpath);
	test_int("truncated gzip", "reports an error", g.rc, -1);
	test_ok(g.lines > 1000, "truncated gzip: lines before the cut arrive",
	    "got %d lines", g.lines);
	test_ok(g.err.line == g.lines, "truncated gzip: error names the line",
	    "got line %ld, want %d", g.err.line, g.lines);
	test_ok(strstr(g.err.text, "truncated") != NULL,
	    "truncated gzip: error says so", "got '%s'", g.err.text);

	g = read_all("/nonexistent/mail.log");
	test_int("missing file", "open fails", g.rc, -2);
	test_str("missing file", "error source", g.err.source,
	    strlen(g.err.source), "/nonexistent/mail.log");

	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 99;
	free(data);
	free(many);
	return test_done();
}
