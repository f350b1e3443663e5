/*
 * inputs.c - which inputs are read, in which order, what time each one
 * spans, and which part of the report's window none of them covers.
 *
 * The pass joins the lines of a message across inputs: a recipient
 * deferred in mail.log.1 and delivered in mail.log is one retry with an
 * outcome. That only works when the inputs are read oldest first, and
 * shells give rotated sets newest first (`mail.log mail.log.1
 * mail.log.10.gz mail.log.2.gz`). So the inputs are put in time order
 * before the pass: each regular file is opened once beforehand and its
 * first line with a log header gives its first time (through the same
 * reader and header parser as the pass, with the same year inference, so
 * gzip files and year-less lines are dated as the pass will date them).
 * Reading ahead cannot be done for standard input or a pipe: those stay
 * where they were given.
 *
 * During the pass, pass.c hands every recognised time to mxt_spans_time,
 * which keeps each input's span (lines, earliest and latest time) and
 * notices time running backwards. After it, mxt_coverage_gaps compares
 * the spans with the report's window. The library never prints: problems
 * and jumps go to the caller's callbacks, spans and gaps are data.
 */
#include "inputs.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

/* Lines read ahead of the pass to find an input's first time. */
#define PEEK_LINES 4096

/* ---- names of mail logs ------------------------------------------------ */

/*
 * The logs a directory stands for. A file is one of them when its name is
 * a base below, optionally followed by a rotation (".N", or "-DIGITS" as
 * logrotate's dateext writes), optionally followed by a compression
 * suffix (".gz", ".bz2", ".xz", ".zst", ".lz4"; ".lzma" and ".Z" are
 * named as not read). Not taken: mail.err, mail.warn, mail.info (subsets
 * of the whole mail log on Debian and SUSE: reading them too would count
 * lines twice), Exim's paniclog, and everything else.
 */
static const char *const log_bases[] = {
	"mail.log",       /* Debian, Ubuntu (rsyslog) */
	"maillog",        /* RHEL, Fedora, the BSDs */
	"mail",           /* SUSE */
	"postfix.log",    /* Postfix's own logging (maillog_file) */
	"mainlog",        /* Exim */
	"rejectlog",      /* Exim: its rejections are also in mainlog; the
	                   * Exim dialect counts each once */
	"exim_mainlog",   /* Exim on cPanel */
	"exim_rejectlog",
};

/* Suffixes of compressed rotated logs: those the reader reads (it knows
 * them by content; the suffix only says the file is a rotated log), and
 * those recognised but not read (no magic to know them by, or no
 * library in Debian worth a dependency for logs nobody writes so). */
static const struct {
	const char *suffix, *name;
	bool read;
} compressions[] = {
	{".gz", "gzip", true},
	{".bz2", "bzip2", true},
	{".xz", "xz", true},
	{".zst", "zstd", true},
	{".lz4", "lz4", true},
	{".lzma", "lzma", false},
	{".Z", "compress", false},
};

static bool
ends_with(const char *s, size_t len, const char *suffix, size_t *rest)
{
	size_t n = strlen(suffix);
	if (len < n || memcmp(s + len - n, suffix, n) != 0)
		return false;
	*rest = len - n;
	return true;
}

/* The rotation part at the end of name[0..len): ".N", or "-DIGITS" with
 * more "-DIGITS" after it (logrotate's dateext: -20261122). Sets *len to
 * the length before it and returns the rotation number (1 for a date);
 * returns 0 and leaves *len alone when there is none. */
static unsigned
strip_rotation(const char *name, size_t *len)
{
	size_t i = *len;
	while (i > 0 && is_digit(name[i - 1]))
		i--;
	if (i == *len || i < 2)
		return 0;
	if (name[i - 1] == '.') {
		unsigned long n = strtoul(name + i, NULL, 10);
		*len = i - 1;
		return n > 1000000 ? 1000000 : (unsigned)n;
	}
	/* dateext: back over "-DIGITS" groups */
	size_t start = 0;
	while (i >= 2 && name[i - 1] == '-' && is_digit(name[i])) {
		start = i - 1;
		i--;
		while (i > 0 && is_digit(name[i - 1]))
			i--;
	}
	if (start == 0)
		return 0;
	*len = start;
	return 1;
}

enum mxt_log_name
mxt_log_name(const char *name, unsigned *rotation, const char **compression)
{
	size_t len = strlen(name), rest;

	*rotation = 0;
	*compression = NULL;
	for (size_t i = 0; i < sizeof compressions / sizeof compressions[0];
	    i++)
		if (ends_with(name, len, compressions[i].suffix, &rest)) {
			len = rest;
			if (!compressions[i].read)
				*compression = compressions[i].name;
			break;
		}
	unsigned rot = strip_rotation(name, &len);
	for (size_t i = 0; i < sizeof log_bases / sizeof log_bases[0]; i++)
		if (strlen(log_bases[i]) == len &&
		    memcmp(name, log_bases[i], len) == 0) {
			*rotation = rot;
			return *compression ? MXT_NAME_UNREADABLE : MXT_NAME_LOG;
		}
	*compression = NULL;
	return MXT_NAME_OTHER;
}

unsigned
mxt_rotation_of(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t len = strlen(base), rest;
	if (ends_with(base, len, ".gz", &rest))
		len = rest;
	return strip_rotation(base, &len);
}

/* ---- the order ----------------------------------------------------------- */

struct mxt_inputs {
	struct mxt_input *v;
	size_t n, cap;
	size_t failed;
};

static void
add_input(struct mxt_inputs *in, char *path, bool fixed)
{
	if (in->n == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 8;
		in->v = xrealloc(in->v, in->cap * sizeof *in->v);
	}
	in->v[in->n] = (struct mxt_input){
		.path = path,
		.fixed = fixed,
		.rotation = mxt_rotation_of(path),
		.given = in->n,
	};
	in->n++;
}

static void
problem(const struct mxt_inputs_config *cfg, const char *path,
    const char *text, bool failed)
{
	if (cfg->on_problem != NULL)
		cfg->on_problem(cfg->problem_arg, path, text, failed);
}

struct member {
	char *name;
	unsigned rotation;
};

/* Older rotations first: a higher number first, then by name (dateext
 * names sort by date). */
static int
member_cmp(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	if (x->rotation != y->rotation)
		return x->rotation > y->rotation ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Adds the mail logs of directory dir, oldest rotation first. */
static void
expand_directory(struct mxt_inputs *in, const char *dir,
    const struct mxt_inputs_config *cfg)
{
	DIR *d = opendir(dir);
	struct member *m = NULL;
	size_t n = 0, cap = 0;
	size_t dlen = strlen(dir);
	const char *sep = dlen > 0 && dir[dlen - 1] == '/' ? "" : "/";
	struct dirent *de;

	if (d == NULL) {
		problem(cfg, dir, strerror(errno), true);
		in->failed++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		unsigned rot;
		const char *comp;
		struct stat st;
		enum mxt_log_name kind = mxt_log_name(de->d_name, &rot, &comp);
		if (kind == MXT_NAME_OTHER)
			continue;
		size_t plen = dlen + strlen(sep) + strlen(de->d_name) + 1;
		char *path = xmalloc(plen);
		snprintf(path, plen, "%s%s%s", dir, sep, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		if (kind == MXT_NAME_UNREADABLE) {
			char text[128];
			snprintf(text, sizeof text, "not read: %s-compressed "
			    "(mxtriage reads plain, gzip, bzip2, xz, zstd and lz4 "
			    "files)", comp);
			problem(cfg, path, text, false);
			free(path);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			m = xrealloc(m, cap * sizeof *m);
		}
		m[n++] = (struct member){path, rot};
	}
	closedir(d);
	if (n == 0) {
		problem(cfg, dir, "no mail log in this directory (looked for "
		    "mail.log, maillog, mail, postfix.log, mainlog, rejectlog, "
		    "exim_mainlog, exim_rejectlog and their rotations)", true);
		in->failed++;
		return;
	}
	qsort(m, n, sizeof *m, member_cmp);
	for (size_t i = 0; i < n; i++)
		add_input(in, m[i].name, false);
	free(m);
}

/* The time of the first line of path with a log header, dated as the
 * pass will date it; invalid when there is none in the first PEEK_LINES
 * lines or the file cannot be read (the pass reports that). */
static struct mxt_time
first_time(const char *path, int year)
{
	struct mxt_time none = {0};
	struct mxt_reader *r = mxt_reader_open(path, NULL);
	const char *line;
	size_t len;
	bool truncated;

	if (r == NULL)
		return none;
	time_t ref = mxt_reader_mtime(r);
	struct mxt_clock clock;
	mxt_clock_init(&clock, year, ref != 0 ? ref : time(NULL));
	for (int i = 0; i < PEEK_LINES &&
	    mxt_reader_next(r, &line, &len, &truncated, NULL) > 0; i++) {
		struct mxt_logline ll;
		if (mxt_syslog_parse(&clock, line, len, &ll) && ll.time.valid) {
			mxt_reader_close(r);
			return ll.time;
		}
	}
	mxt_reader_close(r);
	return none;
}

static int64_t
frac_ns(const struct mxt_time *t)
{
	int64_t v = t->frac;
	for (int i = t->frac_digits; i < 9; i++)
		v *= 10;
	return v;
}

/*
 * The reading order: inputs with a first time before those without;
 * among the first, the earlier first time first, then the higher
 * rotation number (mail.log.2 before mail.log.1 before mail.log), then
 * the name; inputs without a time keep the order given. The position
 * given breaks every remaining tie, so the order is total.
 */
static int
input_cmp(const void *a, const void *b)
{
	const struct mxt_input *x = a, *y = b;
	if (x->first.valid != y->first.valid)
		return x->first.valid ? -1 : 1;
	if (x->first.valid) {
		if (x->first.sec != y->first.sec)
			return x->first.sec < y->first.sec ? -1 : 1;
		int64_t fx = frac_ns(&x->first), fy = frac_ns(&y->first);
		if (fx != fy)
			return fx < fy ? -1 : 1;
		if (x->rotation != y->rotation)
			return x->rotation > y->rotation ? -1 : 1;
		int c = strcmp(x->path, y->path);
		if (c != 0)
			return c;
	}
	return x->given < y->given ? -1 : x->given > y->given;
}

void
mxt_inputs_sort(struct mxt_input *v, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++)
		if (i == n || v[i].fixed) {
			if (i > start)
				qsort(v + start, i - start, sizeof *v,
				    input_cmp);
			start = i + 1;
		}
}

struct mxt_inputs *
mxt_inputs_create(const char *const *paths, size_t n,
    const struct mxt_inputs_config *cfg)
{
	struct mxt_inputs *in = xcalloc(1, sizeof *in);

	for (size_t i = 0; i < n; i++) {
		struct stat st;
		const char *p = paths[i];
		bool known = strcmp(p, "-") != 0 && stat(p, &st) == 0;
		if (known && S_ISDIR(st.st_mode))
			expand_directory(in, p, cfg);
		else
			/* stdin and pipes are fixed; a file that cannot be
			 * stat'ed is kept: the pass says why it cannot be
			 * read, in its turn */
			add_input(in, xstrndup(p, strlen(p)),
			    strcmp(p, "-") == 0 ||
			    (known && !S_ISREG(st.st_mode)));
	}
	if (cfg->keep_order)
		return in;
	for (size_t i = 0; i < in->n; i++)
		if (!in->v[i].fixed)
			in->v[i].first = first_time(in->v[i].path, cfg->year);
	mxt_inputs_sort(in->v, in->n);
	return in;
}

void
mxt_inputs_destroy(struct mxt_inputs *in)
{
	if (in == NULL)
		return;
	for (size_t i = 0; i < in->n; i++)
		free((char *)in->v[i].path);
	free(in->v);
	free(in);
}

size_t
mxt_inputs_count(const struct mxt_inputs *in)
{
	return in->n;
}

const struct mxt_input *
mxt_inputs_get(const struct mxt_inputs *in, size_t i)
{
	assert(i < in->n);
	return &in->v[i];
}

size_t
mxt_inputs_failed(const struct mxt_inputs *in)
{
	return in->failed;
}

/* ---- spans, recorded by the pass ---------------------------------------- */

void
mxt_spans_finish(struct mxt_spans *s)
{
	for (size_t i = 0; i < s->n; i++)
		free((char *)s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof *s);
}

void
mxt_spans_begin(struct mxt_spans *s, const char *name)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 8;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	s->v[s->n] = (struct mxt_input_span){
		.name = xstrndup(name, strlen(name)),
	};
	s->n++;
	s->prev_latest = s->latest;
	s->prev_latest_input = s->latest_input;
}

void
mxt_spans_source(struct mxt_spans *s, const char *source)
{
	if (s->n == 0 || strcmp(source, s->v[s->n - 1].name) != 0)
		mxt_spans_begin(s, source);
}

bool
mxt_spans_time(struct mxt_spans *s, const struct mxt_time *t, long line_no,
    struct mxt_time_jump *j)
{
	struct mxt_input_span *sp = &s->v[s->n - 1];
	bool told = false;

	assert(t->valid);
	if (sp->recognised++ == 0) {
		sp->first = sp->last = *t;
		if (s->prev_latest.valid &&
		    s->prev_latest.sec - t->sec > MXT_TIME_SLACK) {
			sp->starts_back = true;
			*j = (struct mxt_time_jump){
				.source = sp->name,
				.line_no = line_no,
				.between_inputs = true,
				.time = *t,
				.latest = s->prev_latest,
				.latest_source = s->v[s->prev_latest_input].name,
			};
			told = true;
		}
	} else {
		if (sp->last.sec - t->sec > MXT_TIME_SLACK &&
		    sp->back_line == 0) {
			sp->back_line = line_no;
			sp->back_seconds = sp->last.sec - t->sec;
			*j = (struct mxt_time_jump){
				.source = sp->name,
				.line_no = line_no,
				.time = *t,
				.latest = sp->last,
				.latest_source = sp->name,
			};
			told = true;
		}
		if (t->sec < sp->first.sec)
			sp->first = *t;
		if (t->sec >= sp->last.sec)
			sp->last = *t;
	}
	if (!s->latest.valid || t->sec >= s->latest.sec) {
		s->latest = *t;
		s->latest_input = s->n - 1;
	}
	return told;
}

struct mxt_input_span *
mxt_input_spans_copy(const struct mxt_input_span *v, size_t n)
{
	size_t size = n * sizeof *v;
	for (size_t i = 0; i < n; i++)
		size += strlen(v[i].name) + 1;
	struct mxt_input_span *c = xmalloc(size ? size : 1);
	char *names = (char *)(c + n);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(v[i].name) + 1;
		c[i] = v[i];
		memcpy(names, v[i].name, len);
		c[i].name = names;
		names += len;
	}
	return c;
}

/* ---- coverage of the window ---------------------------------------------- */

static const char *const gap_kind_names[MXT_GAP_COUNT] = {
	[MXT_GAP_BEFORE] = "before",
	[MXT_GAP_BETWEEN] = "between",
	[MXT_GAP_AFTER] = "after",
	[MXT_GAP_NONE] = "none",
};

const char *
mxt_gap_kind_name(enum mxt_gap_kind k)
{
	return (unsigned)k < MXT_GAP_COUNT ? gap_kind_names[k] : NULL;
}

static int
span_cmp(const void *a, const void *b)
{
	const struct mxt_input_span *const *x = a, *const *y = b;
	if ((*x)->first.sec != (*y)->first.sec)
		return (*x)->first.sec < (*y)->first.sec ? -1 : 1;
	return (*x)->last.sec < (*y)->last.sec ? -1 :
	    (*x)->last.sec > (*y)->last.sec;
}

/* Appends [start, end) clipped to [lo, hi) when anything of it is left. */
static void
put_gap(struct mxt_gap *out, size_t max, size_t *count, int64_t start,
    int64_t end, int64_t lo, int64_t hi, enum mxt_gap_kind kind,
    const char *before, const char *after)
{
	int64_t hole_start = start, hole_end = end;
	if (start < lo)
		start = lo;
	if (end > hi)
		end = hi;
	if (start >= end)
		return;
	if (*count < max)
		out[*count] = (struct mxt_gap){
			.start = start,
			.end = end,
			.hole_start = hole_start,
			.hole_end = hole_end,
			.kind = kind,
			.before = before,
			.after = after,
		};
	(*count)++;
}

size_t
mxt_coverage_gaps(const struct mxt_input_span *spans, size_t n,
    const struct mxt_filter *f, int64_t now, struct mxt_gap *out, size_t max)
{
	size_t count = 0;

	if (!f->has_since && !f->has_until)
		return 0;
	int64_t hi = f->has_until && f->until < now ? f->until : now;
	int64_t lo = f->has_since ? f->since : INT64_MIN;
	if (lo >= hi)
		return 0;

	const struct mxt_input_span **v = xmalloc((n ? n : 1) * sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (spans[i].first.valid)
			v[k++] = &spans[i];
	if (k == 0) {
		/* an open start cannot be shown: there is no first time */
		if (f->has_since)
			put_gap(out, max, &count, INT64_MIN, INT64_MAX, lo, hi,
			    MXT_GAP_NONE, NULL, NULL);
		free(v);
		return count;
	}
	qsort(v, k, sizeof *v, span_cmp);

	if (f->has_since)
		put_gap(out, max, &count, INT64_MIN, v[0]->first.sec, lo, hi,
		    MXT_GAP_BEFORE, NULL, v[0]->name);
	const struct mxt_input_span *end_span = v[0];
	for (size_t i = 1; i < k; i++) {
		if (v[i]->first.sec - end_span->last.sec > MXT_COVERAGE_GRACE)
			put_gap(out, max, &count, end_span->last.sec,
			    v[i]->first.sec, lo, hi, MXT_GAP_BETWEEN,
			    end_span->name, v[i]->name);
		if (v[i]->last.sec >= end_span->last.sec)
			end_span = v[i];
	}
	if (hi - end_span->last.sec > MXT_COVERAGE_GRACE)
		put_gap(out, max, &count, end_span->last.sec, INT64_MAX, lo, hi,
		    MXT_GAP_AFTER, end_span->name, NULL);
	free(v);
	return count;
}
