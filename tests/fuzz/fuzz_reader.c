/*
 * fuzz_reader.c - a whole input through the reader, as a plain file and
 * gzip-compressed (two gzip members, as rotated logs joined with cat),
 * then through the pass the way `mxtriage FILE` reads it.
 *
 * The lines the reader returns are checked against lines cut out of the
 * input here, independently: one per newline (and one for a last line
 * without its newline), without the LF or CRLF, cut at MXT_LINE_MAX with
 * *truncated set exactly when the line was longer, NUL-terminated at
 * their length. The gzip copy must give the same lines; an input that
 * itself starts with gzip's magic is read as gzip (and is usually
 * corrupt), where only the sanitizers judge. So is an input with a line
 * that may be journald's (starting with '{', 0x1e or "__"): the reader
 * turns JSON and export entries into lines of their own.
 *
 * Every compressed read is also made decompressing on a thread of its own
 * (mxt_reader_set_ahead): the gzip copy must give the same lines, and an
 * input read as compressed must give the same lines and end (status,
 * error text, line and byte) as the read in line.
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mxtriage.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", FUZZ_TZ, 1);
	return 0;
}

/* Compresses data[0..size) as one gzip member appended to out at *n. */
static void
gzip_member(const uint8_t *data, size_t size, uint8_t *out, size_t cap,
    size_t *n)
{
	z_stream z = {0};
	if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)size;
	z.next_out = out + *n;
	z.avail_out = (uInt)(cap - *n);
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	*n += z.total_out;
	deflateEnd(&z);
}

/* Reads path with the reader and checks every line against data, and
 * that the reader saw gzip exactly when expected. */
static void
read_and_check(const char *path, const uint8_t *data, size_t size,
    bool gzip, bool ahead)
{
	struct mxt_error err;
	struct mxt_reader *r = mxt_reader_open(path, &err);
	if (r == NULL) {
		fprintf(stderr, "cannot open %s: %s\n", path, err.text);
		abort();
	}
	mxt_reader_set_ahead(r, ahead);
	const char *line;
	size_t len;
	bool truncated;
	int rc;
	size_t at = 0;
	long n = 0;
	while ((rc = mxt_reader_next(r, &line, &len, &truncated, &err)) > 0) {
		n++;
		if (at >= size) {
			fprintf(stderr, "line %ld: a line after the end\n", n);
			abort();
		}
		const uint8_t *nl = memchr(data + at, '\n', size - at);
		size_t want = nl ? (size_t)(nl - (data + at)) : size - at;
		if (want > 0 && data[at + want - 1] == '\r' &&
		    want - 1 <= MXT_LINE_MAX)
			want--;
		bool want_cut = want > MXT_LINE_MAX;
		if (want_cut)
			want = MXT_LINE_MAX;
		if (len != want || memcmp(line, data + at, len) != 0 ||
		    line[len] != '\0' || truncated != want_cut ||
		    mxt_reader_line_no(r) != n) {
			fprintf(stderr, "line %ld: got %zu bytes (cut %d), want "
			    "%zu (cut %d)\n", n, len, truncated, want, want_cut);
			abort();
		}
		at = nl ? (size_t)(nl - data) + 1 : size;
	}
	if (rc < 0 || at != size || mxt_reader_is_gzip(r) != gzip) {
		fprintf(stderr, "%s: rc %d, %zu of %zu bytes in lines, gzip %d: "
		    "%s\n", path, rc, at, size, mxt_reader_is_gzip(r),
		    rc < 0 ? err.text : "");
		abort();
	}
	mxt_reader_close(r);
}

/* What a read gave: its lines (FNV-1a over lengths and bytes), and how
 * it ended. */
struct digest {
	uint64_t hash;
	long lines;
	int rc;
	struct mxt_error err;
};

static struct digest
read_digest(const char *path, bool ahead)
{
	struct digest d = {.hash = 1469598103934665603ull};
	struct mxt_reader *r = mxt_reader_open(path, &d.err);
	if (r == NULL)
		abort();
	mxt_reader_set_ahead(r, ahead);
	const char *line;
	size_t len;
	bool truncated;
	while ((d.rc = mxt_reader_next(r, &line, &len, &truncated,
	    &d.err)) > 0) {
		fuzz_touch(line, len + 1);
		d.lines++;
		d.hash = (d.hash ^ len) * 1099511628211ull;
		for (size_t i = 0; i < len; i++)
			d.hash = (d.hash ^ (unsigned char)line[i]) *
			    1099511628211ull;
	}
	mxt_reader_close(r);
	return d;
}

static void
on_event(void *arg, const struct mxt_event *ev)
{
	fuzz_touch(ev->text.ptr, ev->text.len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *plain = fuzz_file(0, data, size);
	bool magic = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
	/* any compressor's first byte, or a journald line somewhere */
	if (size > 0 && (data[0] == 'B' || data[0] == 0xfd ||
	    data[0] == 0x28 || data[0] == 0x04 || (data[0] & 0xf0) == 0x50))
		magic = true;
	for (size_t i = 0; i < size && !magic; i++)
		if ((i == 0 || data[i - 1] == '\n') && (data[i] == '{' ||
		    data[i] == 0x1e || (data[i] == '_' && i + 1 < size &&
		    data[i + 1] == '_')))
			magic = true;

	if (!magic) {
		read_and_check(plain, data, size, false, false);

		size_t cap = 2 * compressBound((uLong)size) + 64, n = 0;
		uint8_t *gz = malloc(cap);
		if (gz == NULL)
			abort();
		gzip_member(data, size / 2, gz, cap, &n);
		gzip_member(data + size / 2, size - size / 2, gz, cap, &n);
		const char *gzpath = fuzz_file(1, gz, n);
		read_and_check(gzpath, data, size, true, false);
		read_and_check(gzpath, data, size, true, true);
		free(gz);
	} else {
		/* judged by the sanitizers, and the two ways of reading must
		 * agree: read to the end or an error */
		struct digest a = read_digest(plain, false);
		struct digest b = read_digest(plain, true);
		if (a.hash != b.hash || a.lines != b.lines || a.rc != b.rc ||
		    (a.rc < 0 && (strcmp(a.err.text, b.err.text) != 0 ||
		    a.err.line != b.err.line ||
		    a.err.column != b.err.column))) {
			fprintf(stderr, "in line: %ld lines, rc %d, '%s' line %ld "
			    "byte %ld; read ahead: %ld lines, rc %d, '%s' line "
			    "%ld byte %ld\n", a.lines, a.rc,
			    a.rc < 0 ? a.err.text : "", a.err.line,
			    a.err.column, b.lines, b.rc,
			    b.rc < 0 ? b.err.text : "", b.err.line,
			    b.err.column);
			abort();
		}
	}

	/* the whole path of `mxtriage FILE`, without a classifier */
	struct mxt_pass_config cfg = {.on_event = on_event, .track_cap = 8};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	struct mxt_error err;
	mxt_pass_read(p, plain, &err);
	mxt_pass_finish(p);
	mxt_pass_destroy(p);
	return 0;
}
