/*
 * follow.c - plain log files read live, as `tail -F` reads them, and
 * continued where an earlier run stopped (--follow, --state).
 *
 * A tail is one file named on the command line. It holds a reader in
 * live mode (reader.c: the end of the file is "no more for now", a
 * partial last line waits for its newline), so every line handed to the
 * pass is whole and the reader's offset is always at a line boundary:
 * that offset, with the file's inode, is the position --state saves.
 *
 * Files are told apart by (device, inode), never by name, because
 * rotation renames them:
 *  - the name now names another file (logrotate's create, or a rename
 *    and a new file): the old file is read to its end, then the new one
 *    from its start;
 *  - the file is shorter than what was read (copytruncate): read again
 *    from its start;
 *  - a position saved by an earlier run names a file that is no longer
 *    at the name: the file is looked for by inode in the same directory
 *    (mail.log.1), its rest is read, then the new file from its start.
 * The line before a saved offset is checked (length and checksum), so a
 * file rewritten in place is read from its start, not from the middle
 * of a line. What cannot be continued is said (on_notice), not guessed.
 */
#include "pass.h"
#include "state.h"

#include <dirent.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

struct mxt_tail {
	char *path;              /* as given */
	struct mxt_tail_config cfg;
	struct mxt_reader *r;    /* NULL while path does not exist */
	uint64_t dev, ino;       /* of the file r reads */
	time_t ref;              /* reference time for year inference */
	bool rotated_first;      /* r reads the rotated file; path is next */
	/* r began after the file's first line: that line (cut as the
	 * reader cuts lines), for the event ids of the next line read */
	char *first_line;
	size_t first_len;
};

static void
set_error(struct mxt_error *err, const char *source, const char *text)
{
	if (err == NULL)
		return;
	snprintf(err->source, sizeof err->source, "%s", source);
	err->line = err->column = 0;
	snprintf(err->text, sizeof err->text, "%s", text);
}

static void
notice(const struct mxt_tail *t, bool lost, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
notice(const struct mxt_tail *t, bool lost, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (t->cfg.on_notice != NULL)
		t->cfg.on_notice(t->cfg.notice_arg, t->path, text, lost);
}

#define FNV64_INIT 14695981039346656037ull

int
mxt_last_line_sum(int fd, long long offset, long long *len, uint64_t *sum)
{
	enum { WINDOW = MXT_LINE_MAX + 2 };
	*len = 0;
	*sum = FNV64_INIT;
	if (offset == 0)
		return 0;
	long long from = offset > WINDOW ? offset - WINDOW : 0;
	size_t n = (size_t)(offset - from);
	char *buf = xmalloc(n);
	ssize_t got = pread(fd, buf, n, (off_t)from);
	if (got != (ssize_t)n || buf[n - 1] != '\n') {
		free(buf);
		return -1;
	}
	/* back to the newline before the last line, if it is in the window */
	size_t start = n - 1;
	while (start > 0 && buf[start - 1] != '\n')
		start--;
	uint64_t h = FNV64_INIT;
	for (size_t i = start; i < n; i++)
		h = (h ^ (unsigned char)buf[i]) * 1099511628211ull;
	*len = (long long)(n - start);
	*sum = h;
	free(buf);
	return 0;
}

/* The first line of the file at fd (at most offset bytes, the line cut
 * at MXT_LINE_MAX as the reader cuts it) into t. */
static void
read_first_line(int fd, long long offset, struct mxt_tail *t)
{
	size_t cap = offset < MXT_LINE_MAX ? (size_t)offset : MXT_LINE_MAX;
	char *buf = xmalloc(cap + 1);
	ssize_t n = pread(fd, buf, cap, 0);
	if (n < 0) {
		free(buf);
		return;
	}
	char *nl = memchr(buf, '\n', (size_t)n);
	t->first_line = buf;
	t->first_len = nl != NULL ? (size_t)(nl - buf) : (size_t)n;
	if (t->first_len > 0 && buf[t->first_len - 1] == '\r')
		t->first_len--;
}

/* Opens name (path, or the rotated file) live at offset; sets t's
 * reader, inode and reference time. Returns 0, or -1 with err set. */
static int
open_at(struct mxt_tail *t, const char *name, long long offset, long line_no,
    struct mxt_error *err)
{
	struct mxt_reader *r = mxt_reader_open(name, err);
	struct stat st;
	if (r == NULL)
		return -1;
	if (fstat(mxt_reader_fd(r), &st) != 0 || !S_ISREG(st.st_mode)) {
		set_error(err, name, "is not a regular file: only log files "
		    "can be followed and continued (read pipes without "
		    "--follow and --state)");
		mxt_reader_close(r);
		return -1;
	}
	/* compressed files are never written to: nothing to follow, and
	 * an offset in them is not one of their text */
	unsigned char magic[6];
	ssize_t got = pread(mxt_reader_fd(r), magic, sizeof magic, 0);
	const char *codec = got > 0 ? mxt_compression_of(magic, (size_t)got) :
	    NULL;
	if (codec != NULL) {
		char text[160];
		snprintf(text, sizeof text, "is compressed (%s): only plain log "
		    "files can be followed and continued", codec);
		set_error(err, name, text);
		mxt_reader_close(r);
		return -1;
	}
	if (offset > 0 && mxt_reader_seek(r, offset, line_no, err) < 0) {
		mxt_reader_close(r);
		return -1;
	}
	free(t->first_line);
	t->first_line = NULL;
	if (offset > 0)
		read_first_line(mxt_reader_fd(r), offset, t);
	mxt_reader_set_live(r, true);
	mxt_reader_close(t->r);
	t->r = r;
	t->dev = (uint64_t)st.st_dev;
	t->ino = (uint64_t)st.st_ino;
	t->ref = st.st_mtime;
	return 0;
}

/* True when the file at fd still ends its line at from's offset with
 * the same bytes. */
static bool
same_last_line(int fd, const struct mxt_position *from)
{
	long long len;
	uint64_t sum;
	return mxt_last_line_sum(fd, from->offset, &len, &sum) == 0 &&
	    len == from->last_len && sum == from->last_sum;
}

/* The file with from's inode in path's directory (a malloc'd path), or
 * NULL. */
static char *
find_rotated(const char *path, const struct mxt_position *from)
{
	char *copy = xstrndup(path, strlen(path));
	char *dir = dirname(copy), *found = NULL;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d != NULL && found == NULL && (e = readdir(d)) != NULL) {
		struct stat st;
		if (e->d_ino != (ino_t)from->ino ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    (uint64_t)st.st_dev != from->dev ||
		    (uint64_t)st.st_ino != from->ino || !S_ISREG(st.st_mode))
			continue;
		if (asprintf(&found, "%s/%s", dir, e->d_name) < 0)
			found = NULL;
	}
	if (d != NULL)
		closedir(d);
	free(copy);
	return found;
}

/* Opens path from its start; a path that does not exist yet is waited
 * for (no reader) when wait, or after a rotated file. */
static int
open_path(struct mxt_tail *t, bool wait, struct mxt_error *err)
{
	struct stat st;
	if (stat(t->path, &st) != 0 && errno == ENOENT && wait) {
		mxt_reader_close(t->r);
		t->r = NULL;
		return 0;
	}
	return open_at(t, t->path, 0, 0, err);
}

/* Continues from a saved position (see mxt_tail_open). */
static int
resume(struct mxt_tail *t, const struct mxt_position *from,
    struct mxt_error *err)
{
	struct stat st;
	bool exists = stat(t->path, &st) == 0;
	if (exists && (uint64_t)st.st_dev == from->dev &&
	    (uint64_t)st.st_ino == from->ino) {
		if (open_at(t, t->path, 0, 0, err) < 0)
			return -1;
		if (st.st_size < from->offset) {
			notice(t, true, "shorter than where the last run "
			    "stopped (truncated, by copytruncate?): read from "
			    "its start");
			return 0;
		}
		if (!same_last_line(mxt_reader_fd(t->r), from)) {
			notice(t, true, "not the file the last run read (the "
			    "line before where it stopped differs): read from "
			    "its start");
			return 0;
		}
		return open_at(t, t->path, from->offset, from->line_no, err);
	}
	char *rotated = find_rotated(t->path, from);
	if (rotated != NULL) {
		int rc = open_at(t, rotated, 0, 0, err);
		if (rc == 0 && same_last_line(mxt_reader_fd(t->r), from)) {
			rc = open_at(t, rotated, from->offset, from->line_no,
			    err);
			t->rotated_first = rc == 0;
			free(rotated);
			return rc;
		}
		free(rotated);
		if (rc < 0)
			return -1;
	}
	notice(t, true, "the file the last run read (inode %llu) is not in "
	    "its directory any more (rotated and compressed, or removed): the "
	    "lines written to it after the last run are not read",
	    (unsigned long long)from->ino);
	return open_path(t, t->cfg.wait, err);
}

struct mxt_tail *
mxt_tail_open(const char *path, const struct mxt_position *from,
    const struct mxt_tail_config *cfg, struct mxt_error *err)
{
	struct mxt_tail *t = xcalloc(1, sizeof *t);
	t->path = xstrndup(path, strlen(path));
	if (cfg != NULL)
		t->cfg = *cfg;
	int rc = from != NULL && from->offset > 0 ? resume(t, from, err) :
	    open_path(t, t->cfg.wait, err);
	if (rc < 0) {
		mxt_tail_close(t);
		return NULL;
	}
	if (t->r == NULL && !t->rotated_first)
		notice(t, false, "does not exist (yet): waiting for it");
	return t;
}

void
mxt_tail_close(struct mxt_tail *t)
{
	if (t == NULL)
		return;
	mxt_reader_close(t->r);
	free(t->first_line);
	free(t->path);
	free(t);
}

/* Every whole line r has now, into the pass. Returns lines, or -1. */
static long
drain(struct mxt_pass *p, struct mxt_tail *t, struct mxt_error *err)
{
	const char *line;
	size_t len;
	bool truncated;
	long n = 0;
	int rc = 0;
	while (!(p->cfg.stop != NULL && *p->cfg.stop) &&
	    (rc = mxt_reader_next(t->r, &line, &len, &truncated, err)) > 0) {
		if (truncated)
			p->stats.lines_truncated++;
		if (t->first_line != NULL) {
			mxt_pass_input_identity(p, t->first_line, t->first_len);
			free(t->first_line);
			t->first_line = NULL;
		}
		mxt_pass_line(p, mxt_reader_name(t->r),
		    mxt_reader_line_no(t->r), t->ref, line, len);
		n++;
	}
	if (rc < 0) {
		p->stats.inputs_failed++;
		return -1;
	}
	return n;
}

/* The file being read is done with (rotated away): its last line, even
 * without a newline, then the file at path from its start. */
static long
switch_file(struct mxt_pass *p, struct mxt_tail *t, struct mxt_error *err)
{
	mxt_reader_set_live(t->r, false);
	long n = drain(p, t, err);
	if (n < 0 || (p->cfg.stop != NULL && *p->cfg.stop))
		return n;
	t->rotated_first = false;
	/* the new file may not be there yet: it comes, or the next run
	 * reads it */
	if (open_path(t, true, err) < 0)
		return -1;
	return n;
}

long
mxt_tail_read(struct mxt_pass *p, struct mxt_tail *t, bool follow,
    struct mxt_error *err)
{
	long total = 0;
	for (int round = 0; round < 8; round++) {
		if (t->r == NULL && open_path(t, true, err) < 0)
			return -1;
		if (t->r == NULL)
			return total; /* not there yet */
		long n = drain(p, t, err);
		if (n < 0)
			return -1;
		total += n;
		if (p->cfg.stop != NULL && *p->cfg.stop)
			return total;
		if (t->rotated_first) {
			/* the rest of the rotated file is read: now path */
			if ((n = switch_file(p, t, err)) < 0)
				return -1;
			total += n;
			continue;
		}
		if (!follow)
			return total;
		struct stat st, cur;
		if (stat(t->path, &st) != 0)
			return total; /* renamed away, the new one not yet there */
		if ((uint64_t)st.st_dev != t->dev || (uint64_t)st.st_ino != t->ino) {
			notice(t, false, "rotated: the new file is read from "
			    "its start");
			if ((n = switch_file(p, t, err)) < 0)
				return -1;
			total += n;
			continue;
		}
		off_t pos = lseek(mxt_reader_fd(t->r), 0, SEEK_CUR);
		if (fstat(mxt_reader_fd(t->r), &cur) == 0 && pos >= 0 &&
		    cur.st_size < pos) {
			notice(t, false, "truncated: read again from its start");
			if (open_at(t, t->path, 0, 0, err) < 0)
				return -1;
			continue;
		}
		return total;
	}
	return total;
}

int
mxt_tail_position(const struct mxt_tail *t, struct mxt_position *out)
{
	memset(out, 0, sizeof *out);
	out->path = t->path;
	if (t->r == NULL)
		return 0; /* nothing read: from the start next time */
	out->dev = t->dev;
	out->ino = t->ino;
	out->offset = mxt_reader_offset(t->r);
	out->line_no = mxt_reader_line_no(t->r);
	return mxt_last_line_sum(mxt_reader_fd(t->r), out->offset,
	    &out->last_len, &out->last_sum);
}
