/*
 * reader.c - bytes -> lines, for files, standard input and gzip.
 *
 * Bytes come from read(2) on the file descriptor. The first bytes decide
 * the kind: the gzip magic (1f 8b) means gzip, anything else is plain
 * text, so rotated `mail.log.2.gz` files are recognised by content, not
 * by name. Plain bytes go straight into the line buffer; gzip bytes go
 * through zlib's inflate() into it. A line is returned as soon as its
 * newline has arrived, so a pipe (`tail -f | mxtriage events`) gets each
 * line when it is written, not when a buffer has filled.
 *
 * Why inflate() and not zlib's gzread(): on damage (a bad CRC trailer, a
 * truncated file, corrupt deflate data) gzread() returns an error for the
 * whole call and the bytes it had already decompressed into the caller's
 * buffer are lost -- up to the buffer's size of lines. With inflate() the
 * output before the damage is in hand: every complete line decompressed
 * before it is returned (as zcat writes them), then the error, which names
 * the last good line and the byte offset of the damage in the file.
 * Concatenated gzip members (`cat a.gz b.gz`) are followed; after the last
 * member, zero padding is ignored and other bytes are reported.
 *
 * Lines are cut out of one fixed buffer (no allocation per line); a line
 * longer than MXT_LINE_MAX is returned cut at that length and the rest of
 * it is skipped, so memory stays bounded whatever the input holds.
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

enum kind { KIND_UNKNOWN, KIND_PLAIN, KIND_GZIP };

struct mxt_reader {
	int fd;
	char name[256];
	time_t mtime;
	enum kind kind;
	bool eof;      /* no more bytes will reach buf */
	bool skipping; /* inside the rest of an over-long line */
	long line_no;
	long long text_total; /* bytes of text put into buf so far */
	char *buf; /* BUF_SIZE + 1, room for a terminating NUL */
	size_t start, end;

	/* gzip: compressed bytes and the decompressor */
	unsigned char *in; /* READ_CHUNK */
	z_stream zs;
	bool zs_ready;     /* inflateInit2 done */
	bool member_done;  /* between gzip members */
	bool in_eof;       /* read(2) said end of file */
	long long in_total; /* bytes read from the file so far */

	/* Damage found after some bytes were decompressed: the lines before
	 * it are returned first, then this error. */
	bool failed;
	char fail_text[160];
	long long fail_offset;
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

	if (fd < 0) {
		set_error(err, name, 0, 0, strerror(errno));
		return NULL;
	}
	return mxt_reader_open_fd(fd, name, err);
}

struct mxt_reader *
mxt_reader_open_fd(int fd, const char *name, struct mxt_error *err)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		memset(&st, 0, sizeof st);
	if (S_ISDIR(st.st_mode)) {
		set_error(err, name, 0, 0, "is a directory");
		close(fd);
		return NULL;
	}

	struct mxt_reader *r = xcalloc(1, sizeof *r);
	r->fd = fd;
	snprintf(r->name, sizeof r->name, "%s", name);
	r->mtime = S_ISREG(st.st_mode) ? st.st_mtime : 0;
	r->buf = xmalloc(BUF_SIZE + 1);
	return r;
}

void
mxt_reader_close(struct mxt_reader *r)
{
	if (r == NULL)
		return;
	if (r->zs_ready)
		inflateEnd(&r->zs);
	close(r->fd);
	free(r->in);
	free(r->buf);
	free(r);
}

const char *mxt_reader_name(const struct mxt_reader *r) { return r->name; }
long mxt_reader_line_no(const struct mxt_reader *r) { return r->line_no; }
time_t mxt_reader_mtime(const struct mxt_reader *r) { return r->mtime; }
bool mxt_reader_is_gzip(const struct mxt_reader *r) { return r->kind == KIND_GZIP; }

long long
mxt_reader_offset(const struct mxt_reader *r)
{
	return r->text_total - (long long)(r->end - r->start);
}

/* read(2), again after a signal. Returns bytes read, 0 at the end, -1. */
static ssize_t
read_some(int fd, void *p, size_t n)
{
	ssize_t got;
	do
		got = read(fd, p, n);
	while (got < 0 && errno == EINTR);
	return got;
}

/* Records damage found while decompressing; the error is returned once
 * the lines before it are used up. */
static void
fail(struct mxt_reader *r, const char *text, long long offset)
{
	r->failed = true;
	r->eof = true;
	snprintf(r->fail_text, sizeof r->fail_text, "%s", text);
	r->fail_offset = offset;
}

/* Byte offset in the file of the next compressed byte inflate() will
 * look at. */
static long long
in_offset(const struct mxt_reader *r)
{
	return r->in_total - (long long)r->zs.avail_in;
}

/* More compressed bytes after those left in r->in, kept in front.
 * Returns bytes read, 0 at the end of the file, -1 (errno) on error. */
static ssize_t
read_in(struct mxt_reader *r)
{
	if (r->zs.avail_in > 0 && r->zs.next_in != r->in)
		memmove(r->in, r->zs.next_in, r->zs.avail_in);
	r->zs.next_in = r->in;
	ssize_t got = read_some(r->fd, r->in + r->zs.avail_in,
	    READ_CHUNK - r->zs.avail_in);
	if (got == 0)
		r->in_eof = true;
	if (got > 0) {
		r->zs.avail_in += (uInt)got;
		r->in_total += got;
	}
	return got;
}

/* Decides plain or gzip from the first two bytes (fewer at a short end). */
static int
probe(struct mxt_reader *r, struct mxt_error *err)
{
	r->in = xmalloc(READ_CHUNK);
	while (r->zs.avail_in < 2 && !r->in_eof)
		if (read_in(r) < 0) {
			set_error(err, r->name, 0, 0, strerror(errno));
			return -1;
		}
	if (r->zs.avail_in >= 2 && r->in[0] == 0x1f && r->in[1] == 0x8b) {
		r->kind = KIND_GZIP;
		/* 16 + MAX_WBITS: a gzip wrapper, its CRC and length checked */
		if (inflateInit2(&r->zs, 16 + MAX_WBITS) != Z_OK) {
			set_error(err, r->name, 0, 0,
			    "cannot allocate the decompressor");
			return -1;
		}
		r->zs_ready = true;
		return 0;
	}
	/* Plain: what was read already is the first text. */
	r->kind = KIND_PLAIN;
	memcpy(r->buf + r->end, r->in, r->zs.avail_in);
	r->end += r->zs.avail_in;
	r->text_total += r->zs.avail_in;
	r->zs.avail_in = 0;
	free(r->in);
	r->in = NULL;
	if (r->in_eof)
		r->eof = true;
	return 0;
}

/* Plain: one read(2) into the free room of buf. */
static int
fill_plain(struct mxt_reader *r, size_t room, struct mxt_error *err)
{
	ssize_t got = read_some(r->fd, r->buf + r->end, room);
	if (got < 0) {
		char text[256];
		snprintf(text, sizeof text, "read error: %s", strerror(errno));
		set_error(err, r->name, r->line_no, 0, text);
		return -1;
	}
	if (got == 0)
		r->eof = true;
	r->end += (size_t)got;
	r->text_total += got;
	return 0;
}

/* After a gzip member: the next member, the end, or trailing bytes. */
static void
next_member(struct mxt_reader *r)
{
	for (;;) {
		while (r->zs.avail_in < 2 && !r->in_eof)
			if (read_in(r) < 0) {
				char text[160];
				snprintf(text, sizeof text, "read error: %s",
				    strerror(errno));
				fail(r, text, in_offset(r));
				return;
			}
		if (r->zs.avail_in >= 2 && r->zs.next_in[0] == 0x1f &&
		    r->zs.next_in[1] == 0x8b) {
			inflateReset(&r->zs);
			r->member_done = false;
			return;
		}
		/* Zero padding (tape blocks) is no data; anything else
		 * after the gzip data is not read and said so. */
		size_t zeros = 0;
		while (zeros < r->zs.avail_in && r->zs.next_in[zeros] == 0)
			zeros++;
		if (zeros < r->zs.avail_in) {
			fail(r, "bytes after the end of the gzip data are not "
			    "gzip; they were not read", in_offset(r) +
			    (long long)zeros);
			return;
		}
		r->zs.next_in += zeros;
		r->zs.avail_in = 0;
		if (r->in_eof) {
			r->eof = true;
			return;
		}
	}
}

/* gzip: inflate into the free room of buf until some text came out, the
 * input ended, or damage was found. */
static int
fill_gzip(struct mxt_reader *r, size_t room, struct mxt_error *err)
{
	size_t before = r->end;
	while (r->end == before && !r->eof) {
		if (r->member_done) {
			next_member(r);
			continue;
		}
		if (r->zs.avail_in == 0 && !r->in_eof && read_in(r) < 0) {
			char text[160];
			snprintf(text, sizeof text, "read error: %s",
			    strerror(errno));
			fail(r, text, in_offset(r));
			break;
		}
		if (r->zs.avail_in == 0 && r->in_eof) {
			fail(r, "gzip data ends early: the file is truncated",
			    r->in_total);
			break;
		}
		r->zs.next_out = (Bytef *)r->buf + r->end;
		r->zs.avail_out = (uInt)room;
		int rc = inflate(&r->zs, Z_NO_FLUSH);
		size_t made = room - r->zs.avail_out;
		r->end += made;
		r->text_total += (long long)made;
		room -= made;
		if (rc == Z_STREAM_END) {
			r->member_done = true;
		} else if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
			char text[160];
			snprintf(text, sizeof text, "gzip data is corrupt: %s",
			    r->zs.msg ? r->zs.msg : "invalid data");
			fail(r, text, in_offset(r));
		} else if (rc == Z_MEM_ERROR) {
			set_error(err, r->name, r->line_no, 0,
			    "out of memory while decompressing");
			return -1;
		}
		/* Z_OK and Z_BUF_ERROR: more input is needed (or room,
		 * which the caller makes by returning lines). */
		if (room == 0)
			break;
	}
	return 0;
}

/* Reads more bytes after r->end. Returns 0, or -1 on an error that ends
 * the input at once (err filled). Damage after some output is deferred
 * (r->failed) until the lines before it have been returned. */
static int
fill(struct mxt_reader *r, struct mxt_error *err)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->kind == KIND_UNKNOWN)
		return probe(r, err);
	size_t room = BUF_SIZE - r->end;
	if (room > READ_CHUNK)
		room = READ_CHUNK;
	if (r->kind == KIND_PLAIN)
		return fill_plain(r, room, err);
	return fill_gzip(r, room, err);
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
		if (r->failed) {
			/* Every complete line before the damage is out; a
			 * partial one may be cut anywhere, so it is left
			 * out and counted in the message. */
			char text[256];
			if (avail > 0 && !r->skipping)
				snprintf(text, sizeof text, "%s; a partial line "
				    "of %zu bytes was left out", r->fail_text,
				    avail);
			else
				snprintf(text, sizeof text, "%s", r->fail_text);
			set_error(err, r->name, r->line_no,
			    (long)r->fail_offset, text);
			r->start = r->end = 0;
			return -1;
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
