/*
 * reader.c - bytes -> lines, for files, standard input and gzip.
 *
 * zlib's gz* interface reads both: it looks at the first bytes for the gzip
 * magic and otherwise passes the bytes through unchanged, so rotated
 * `mail.log.2.gz` files are recognised by content, not by name, and
 * concatenated gzip members are followed. Lines are cut out of one
 * fixed buffer (no allocation per line); a line longer than MXT_LINE_MAX
 * is returned cut at that length and the rest of it is skipped, so memory
 * stays bounded whatever the input holds.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define READ_CHUNK (256 * 1024)
#define BUF_SIZE (MXT_LINE_MAX + READ_CHUNK)

struct mxt_reader {
	gzFile gz;
	int fd;
	char name[256];
	time_t mtime;
	bool is_gzip;
	bool eof;
	bool skipping; /* inside the rest of an over-long line */
	long line_no;
	char *buf; /* BUF_SIZE + 1, room for a terminating NUL */
	size_t start, end;
};

static void
set_error(struct mxt_error *err, const char *source, long line,
    long column, const char *text)
{
	if (err == NULL)
		return;
	snprintf(err->source, sizeof err->source, "%s", source);
	err->line = line;
	err->column = column;
	snprintf(err->text, sizeof err->text, "%s", text);
}

struct mxt_reader *
mxt_reader_open(const char *path, struct mxt_error *err)
{
	bool is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
	const char *name = is_stdin ? "<stdin>" : path;
	struct stat st;

	if (fd < 0) {
		set_error(err, name, 0, 0, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		set_error(err, name, 0, 0, "is a directory");
		close(fd);
		return NULL;
	}

	struct mxt_reader *r = xcalloc(1, sizeof *r);
	r->fd = fd;
	snprintf(r->name, sizeof r->name, "%s", name);
	r->mtime = S_ISREG(st.st_mode) ? st.st_mtime : 0;
	r->gz = gzdopen(fd, "rb");
	if (r->gz == NULL) {
		set_error(err, name, 0, 0, "cannot allocate decompressor");
		close(fd);
		free(r);
		return NULL;
	}
	gzbuffer(r->gz, READ_CHUNK);
	r->buf = xmalloc(BUF_SIZE + 1);
	return r;
}

void
mxt_reader_close(struct mxt_reader *r)
{
	if (r == NULL)
		return;
	gzclose(r->gz); /* closes fd too */
	free(r->buf);
	free(r);
}

const char *mxt_reader_name(const struct mxt_reader *r) { return r->name; }
long mxt_reader_line_no(const struct mxt_reader *r) { return r->line_no; }
time_t mxt_reader_mtime(const struct mxt_reader *r) { return r->mtime; }
bool mxt_reader_is_gzip(const struct mxt_reader *r) { return r->is_gzip; }

/* Reads more bytes after r->end. Returns bytes read, 0 at the end, -1 on
 * error (err filled). */
static int
fill(struct mxt_reader *r, struct mxt_error *err)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	size_t room = BUF_SIZE - r->end;
	if (room > READ_CHUNK)
		room = READ_CHUNK;
	int n = gzread(r->gz, r->buf + r->end, (unsigned)room);
	if (n > 0 && !r->is_gzip)
		r->is_gzip = !gzdirect(r->gz);
	if (n < 0) {
		int zerr;
		const char *msg = gzerror(r->gz, &zerr);
		char text[256];
		if (zerr == Z_ERRNO)
			msg = strerror(errno);
		snprintf(text, sizeof text, "%s%s",
		    r->is_gzip ? "gzip data is corrupt: " : "read error: ",
		    msg);
		set_error(err, r->name, r->line_no, (long)gzoffset(r->gz),
		    text);
		return -1;
	}
	if (n == 0) {
		int zerr;
		gzerror(r->gz, &zerr);
		if (zerr == Z_BUF_ERROR) {
				set_error(err, r->name, r->line_no,
			    (long)gzoffset(r->gz),
			    "gzip data ends early: the file is truncated");
			return -1;
		}
		r->eof = true;
	}
	r->end += (size_t)n;
	return n;
}

int
mxt_reader_next(struct mxt_reader *r, const char **line, size_t *len,
    bool *truncated, struct mxt_error *err)
{
	for (;;) {
		char *p = r->buf + r->start;
		size_t avail = r->end - r->start;
		char *nl = avail ? memchr(p, '\n', avail) : NULL;

		if (nl != NULL) {
			size_t n = (size_t)(nl - p);
			r->start += n + 1;
			if (r->skipping) {
				r->skipping = false;
				continue;
			}
			if (n > 0 && p[n - 1] == '\r')
				n--;
			*truncated = n > MXT_LINE_MAX;
			if (*truncated)
				n = MXT_LINE_MAX;
			p[n] = '\0';
			r->line_no++;
			*line = p;
			*len = n;
			return 1;
		}
		if (r->skipping) {
			r->start = r->end = 0;
		} else if (avail >= MXT_LINE_MAX) {
			/* Cut the line; the rest is skipped up to its end. */
			p[MXT_LINE_MAX] = '\0';
			r->start += MXT_LINE_MAX;
			r->skipping = true;
			r->line_no++;
			*line = p;
			*len = MXT_LINE_MAX;
			*truncated = true;
			return 1;
		}
		if (r->eof) {
			if (avail == 0 || r->skipping)
				return 0;
			/* last line without its newline */
			size_t n = avail;
			if (p[n - 1] == '\r')
				n--;
			p[n] = '\0';
			r->start = r->end;
			r->line_no++;
			*line = p;
			*len = n;
			*truncated = false;
			return 1;
		}
		if (fill(r, err) < 0)
			return -1;
	}
}
