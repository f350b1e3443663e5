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
    bool gzip)
{
	struct mxt_error err;
	struct mxt_reader *r = mxt_reader_open(path, &err);
	if (r == NULL) {
		fprintf(stderr, "cannot open %s: %s\n", path, err.text);
		abort();
	}
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
		read_and_check(plain, data, size, false);

		size_t cap = 2 * compressBound((uLong)size) + 64, n = 0;
		uint8_t *gz = malloc(cap);
		if (gz == NULL)
			abort();
		gzip_member(data, size / 2, gz, cap, &n);
		gzip_member(data + size / 2, size - size / 2, gz, cap, &n);
		read_and_check(fuzz_file(1, gz, n), data, size, true);
		free(gz);
	} else {
		/* judged by the sanitizers only: read to the end or an error */
		struct mxt_error err;
		struct mxt_reader *r = mxt_reader_open(plain, &err);
		const char *line;
		size_t len;
		bool truncated;
		if (r == NULL)
			abort();
		while (mxt_reader_next(r, &line, &len, &truncated, &err) > 0)
			fuzz_touch(line, len + 1);
		mxt_reader_close(r);
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
