/*
 * parallel.c - the report's pass on several threads (mxtriage --jobs N).
 *
 * The inputs, in reading order, are cut into pieces: a plain regular file
 * into byte ranges that start after a newline, anything that cannot be
 * entered in the middle (compressed) stays one piece. Standard input, a pipe
 * or a missing file among the inputs leave the run to one pass: it could
 * not read them again after a refusal (below).
 * Each piece gets a pass of its own (its own message tracker, dialect
 * state and classifier: nothing is shared between threads but the read-
 * only configuration) feeding a summary of its own; threads take the next
 * piece as they finish one. The summaries are then added in order with
 * mxt_summary_merge, which joins the messages whose lines fall on both
 * sides of a cut (open at the end of one piece, in progress at the start
 * of the next), resolves their retries and expands their expiries, as for
 * `mxtriage merge` -- in memory, no JSON between. The pieces' summaries
 * after the first are "ordered" (summary.h): they keep the order in which
 * reply texts first came and count the texts past the per-group cap by
 * name, so the merge names the same texts as one pass.
 *
 * What one pass tells while it reads is kept per piece and replayed in
 * reading order afterwards with the line numbers of the whole input:
 * unparsed lines, time running backwards (a piece keeps the staircase of
 * its falling minimum times, so that a jump relative to the pieces before
 * it is found without reading it again), read errors.
 *
 * A piece after a cut first reads the WARM_BYTES before it through
 * mxt_pass_warm_line (warm_up): nothing is counted, but the earlier MX
 * replies waiting at the cut, the Exim rejections whose twins may follow
 * it and the warnings a failure after it may be linked to are then what
 * one pass holds there. The first piece of an input after a plain file
 * reads the end of that file so (warm_from_prev; at most a sixteenth of
 * its own bytes, WARM_PREV_SHARE): one pass reads on across inputs, and
 * a rotated set is cut between its files.
 *
 * Some things a piece cannot know about the lines before its cut, and the
 * merge cannot repair. A piece notices each of them, and then the whole
 * run is refused (mxt_parallel_run returns NULL with the reason) and the
 * caller reads the inputs again with one pass, so the report never
 * depends on --jobs:
 *   - a rejection with a queue id but no client, of a message the piece
 *     met in progress (Postfix cleanup takes the client from smtpd's line);
 *   - Exim rejections in the last lines before a cut and the first after
 *     it (syslog_duplication twins may lie across the cut) when the warm
 *     lines are fewer than EXIM_DUP_WINDOW, or Exim rejections of the
 *     same second in two inputs (main log and reject log twins:
 *     exim_inputs_overlap);
 *   - an Exim message whose id comes back after the cut while the message
 *     before is still open;
 *   - a line as long as MXT_LINE_MAX in a piece cut out of a file (where a
 *     reader cuts such a line depends on its buffer);
 *   - a journal's entry (`journalctl -o export` or `-o json`) in a piece
 *     cut out of a file: the reader makes such lines into others (a file
 *     whose first line is one is not cut at all);
 *   - earlier MX replies (attempts.c) open at the end of a piece, the
 *     first of them before the warm lines of a later piece, whose key that
 *     piece meets (warm lines included) before their time is up (a line
 *     of that process or message), or their store's cap reached;
 *   - a cap of the summary or the tracker reached (what a cap refuses
 *     depends on the order of everything before);
 *   - a failure in the first lines of a piece that found no warning to
 *     link to (pass.h, struct mxt_link; warm lines included) while a
 *     piece before it ends with a warning of the same process close
 *     enough to the cut;
 *   - a read error inside a file cut into pieces.
 * Grouping by sender (--by sender, sender-domain) is refused up front:
 * the sender of a message is logged once, at its start.
 */
#include "parallel.h"
#include "inputs.h"
#include "journal.h"
#include "pass.h"
#include "summary.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Lines a syslog_duplication twin may lie behind (exim.c). */
#define EXIM_DUP_WINDOW 8
/* Steps of falling time kept per piece; more is refused. */
#define STAIRS_MAX 4096
/* Bytes read at a time from a piece of a file. */
#define READ_BLOCK (1u << 20)
/* Bytes before a cut read to warm a piece up (warm_up); the environment
 * variable MXTRIAGE_WARM_BYTES overrides it (tests: cuts whose warm
 * lines do not reach back far enough). */
#define WARM_BYTES (4 << 20)
/* At most this share of a piece's own bytes is read from the input
 * before it (warm_from_prev): a set of many small files is not read
 * twice. */
#define WARM_PREV_SHARE 16

/* The seconds of a piece's or an input's Exim rejections
 * (exim_inputs_overlap). */
struct sec_span {
	bool timed, untimed;       /* one with a time; one without */
	int64_t min, max;          /* of those with a time */
};

static void
sec_span_join(struct sec_span *x, const struct sec_span *y)
{
	x->untimed |= y->untimed;
	if (!y->timed)
		return;
	if (!x->timed || y->min < x->min)
		x->min = y->min;
	if (!x->timed || y->max > x->max)
		x->max = y->max;
	x->timed = true;
}

/* Whether two spans may hold the same second (a rejection without a
 * time may be of any). */
static bool
sec_span_meets(const struct sec_span *x, const struct sec_span *y)
{
	if ((!x->timed && !x->untimed) || (!y->timed && !y->untimed))
		return false;
	return x->untimed || y->untimed ||
	    (x->min <= y->max && y->min <= x->max);
}

/* A line whose time is below every earlier time of its piece. */
struct stair {
	long line;                 /* in the piece, from 1 */
	struct mxt_time t;
	struct mxt_time latest;    /* the latest time before it in the piece */
};

struct note {                      /* an unparsed line */
	long line;                 /* in the piece */
	char *reason;
	char *text;
	size_t len;
};

struct piece {
	size_t input;
	const char *path;
	int64_t off, len;          /* len < 0: to the end of the input */
	int64_t bytes;             /* its bytes when planned (as stored) */
	bool range;                /* a byte range of a plain file */
	bool ahead;                /* decompressed on a thread of its own
	                            * (fewer pieces than threads) */
	bool continues;            /* not the first piece of its input */
	/* filled by the thread that reads it */
	struct mxt_summary *s;
	struct mxt_stats stats;
	struct mxt_input_span span; /* name unused */
	char name[256];            /* as the reader names the input */
	long lines;                /* lines read */
	uint64_t in_window;
	bool failed;
	struct mxt_error err;
	struct note *notes;
	size_t nnotes, notes_alloc;
	bool jumped;               /* time ran back inside the piece */
	long jump_line;
	struct mxt_time jump_time, jump_latest;
	struct stair *stairs;
	size_t nstairs;
	struct mxt_time local_latest;
	uint64_t recognised_seen;
	bool exim_rejections;
	struct sec_span exim_secs;
	long exim_first, exim_last; /* lines of the first and last Exim
	                             * rejection in the piece; 0 = none */
	/* messages begun in the piece and not ended (keys host\x1fqid; made
	 * from the tracker when the piece is read), and those ended before
	 * they began in it (struct mxt_merge_cut) */
	struct mxt_strmap started, ended;
	struct mxt_pass *pass;     /* while the piece is read */
	struct mxt_buf key;
	uint64_t *starts;          /* hashes of host\x1fid of the messages
	                            * begun (not after an end in the piece),
	                            * in the order begun (id_back scans them
	                            * once against the keys open at the cut) */
	size_t nstarts, starts_alloc;
	/* linking failures to warnings (pass.h, struct mxt_link): the
	 * failures of the first lines that found no warning, and the
	 * warnings kept at the end, oldest first (line = in the piece) */
	struct mxt_link *wants, *tail;
	size_t nwants, ntail;
	/* earlier MX replies (attempts.h): the keys the piece met without
	 * replies of its own (a line one pass would have given the replies
	 * of a piece before), and the keys whose replies a line after the
	 * piece could still take */
	struct mxt_strmap att_touched;
	bool att_over;
	struct mxt_attempts_key *att_open;
	size_t natt_open;
	const char *unsafe;        /* why the merge may differ; NULL = none */
	/* the lines before the cut read to warm up (warm_up): how many,
	 * and whether they reach back to the input's first; for the first
	 * piece of an input, they are the end of the input before when
	 * that is a plain file (prev_path; warm_prev: they were read) */
	long warm_lines;
	bool warm_whole;
	const char *prev_path;
	bool warm_prev;
	const struct mxt_parallel_config *cfg;
	atomic_bool *abandon;      /* a piece was refused: all stop */
};

/* What the replay tells of one input. */
struct told {
	long line;
	bool jump;
	struct mxt_time_jump j;
	const struct note *note;
};

struct input_result {
	struct mxt_input_span span;
	char name[256];
	struct mxt_time_jump jumps[2];
	size_t njumps;
	size_t first_piece, npieces;
	bool failed;
	struct mxt_error err;
};

struct mxt_parallel {
	const struct mxt_parallel_config *cfg;
	struct piece *pieces;
	size_t npieces;
	atomic_size_t next;
	atomic_bool abandon;
	struct input_result *inputs;
	struct mxt_input_span *spans;
	size_t ninputs;
	struct mxt_summary *merged;
	struct mxt_stats stats;
	uint64_t in_window;
};

struct worker {
	struct mxt_parallel *r;
	struct mxt_classifier *cls;
	pthread_t thread;
};

unsigned
mxt_parallel_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* ---- a piece's pass ---------------------------------------------------- */

static const char *caps_reached(const struct mxt_summary *s);

static void
unsafe(struct piece *g, const char *why)
{
	if (g->unsafe == NULL)
		g->unsafe = why;
	atomic_store_explicit(g->abandon, true, memory_order_relaxed);
}

static bool
exim_id(struct mxt_str id)
{
	/* 1rAbCd-0001Xy-AB or 1rAbCd-000000001Xy-ABCD */
	return (id.len == 16 || id.len == 23) && id.ptr[6] == '-';
}

static void
piece_event(void *arg, const struct mxt_event *ev)
{
	struct piece *g = arg;
	if (mxt_filter_in_window(&g->cfg->summary.filter, &ev->time))
		g->in_window++;
	if (ev->direction == MXT_DIR_IN && ev->queue_id.len > 0 &&
	    !ev->msg_start_seen && ev->relay.len == 0 &&
	    ev->relay_ip.len == 0 && (g->continues || g->input > 0))
		unsafe(g, "a rejection whose client an earlier piece names");
	if (ev->mta == MXT_MTA_EXIM && ev->status == MXT_STATUS_REJECTED) {
		sec_span_join(&g->exim_secs, &(struct sec_span){
		    .timed = ev->time.valid, .untimed = !ev->time.valid,
		    .min = ev->time.sec, .max = ev->time.sec});
		g->exim_rejections = true;
		if (g->exim_first == 0)
			g->exim_first = ev->line_no;
		g->exim_last = ev->line_no;
	}
	mxt_summary_add(g->s, ev);
}

static void
piece_local(void *arg, const struct mxt_local *l)
{
	struct piece *g = arg;
	mxt_summary_add_local(g->s, l);
}

/* What a piece's pass knows of warnings and of the failures that found
 * none, for check_links. */
static void
keep_links(struct piece *g, const struct mxt_pass *p)
{
	if (p->wants_full)
		unsafe(g, "many failures without a warning at a cut");
	if ((g->continues || g->input > 0) && p->nwants > 0) {
		g->wants = xcalloc(p->nwants, sizeof *g->wants);
		memcpy(g->wants, p->wants, p->nwants * sizeof *g->wants);
		g->nwants = p->nwants;
	}
	if (p->links_count > 0) {
		g->tail = xcalloc(p->links_count, sizeof *g->tail);
		for (size_t k = 0; k < p->links_count; k++)
			g->tail[k] = p->links[(p->links_head + MXT_LINK_WARNINGS -
			    p->links_count + k) % MXT_LINK_WARNINGS];
		g->ntail = p->links_count;
	}
}

/* A failure near the start of piece i that one pass might link to a
 * warning of the same process in a piece before it (pieces of the
 * inputs before count too: one pass reads on across inputs). */
static bool
links_cross(const struct mxt_parallel *r, size_t i)
{
	const struct piece *g = &r->pieces[i];
	for (size_t w = 0; w < g->nwants; w++) {
		uint64_t gap = g->wants[w].line; /* lines from the cut */
		for (size_t j = i; j-- > 0 && gap <= MXT_LINK_LINES;) {
			const struct piece *h = &r->pieces[j];
			for (size_t k = 0; k < h->ntail; k++)
				if (h->tail[k].proc == g->wants[w].proc &&
				    gap + (uint64_t)h->lines - h->tail[k].line <=
				    MXT_LINK_LINES)
					return true;
			gap += (uint64_t)h->lines;
		}
	}
	return false;
}

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ull;
	return h;
}

/* A 64-bit hash of (host, id); the key of a flight hashes the same. */
static uint64_t
key_hash(struct mxt_str host, struct mxt_str id)
{
	uint64_t h = fnv(1469598103934665603ull, host.ptr, host.len);
	h = fnv(h, "\x1f", 1);
	return fnv(h, id.ptr, id.len);
}

static void
piece_start(void *arg, struct mxt_str host, struct mxt_str qid)
{
	struct piece *g = arg;
	struct mxt_strmap_slot *e = NULL;
	if (g->ended.count > 0) {
		mxt_summary_key(&g->key, host, qid, NULL);
		e = mxt_strmap_get(&g->ended, g->key.p, g->key.len);
	}
	if (e != NULL)
		e->value = 2; /* begun again after it ended */
	else if (g->continues || g->input > 0) {
		/* an id that was open before the cut would end that message
		 * first (exim.c): checked against the pieces before */
		if (g->nstarts == g->starts_alloc) {
			g->starts_alloc = g->starts_alloc ? 2 * g->starts_alloc :
			    64;
			g->starts = xrealloc(g->starts,
			    g->starts_alloc * sizeof *g->starts);
		}
		g->starts[g->nstarts++] = key_hash(host, qid);
	}
	mxt_summary_message_start(g->s, host, qid);
}

static void
piece_end(void *arg, struct mxt_str host, struct mxt_str qid)
{
	struct piece *g = arg;
	bool added;
	/* a piece's pass starts empty: an entry that saw its start was
	 * begun in the piece (the tracker drops it after this call) */
	const struct mxt_msg *m = g->pass->ending;
	if (m == NULL || !m->start_seen) {
		mxt_summary_key(&g->key, host, qid, NULL);
		if (mxt_strmap_get(&g->ended, g->key.p, g->key.len) == NULL)
			mxt_strmap_put(&g->ended, g->key.p, g->key.len,
			    &added)->value = 1;
	}
	mxt_summary_message_end(g->s, host, qid);
}

static void
piece_received(void *arg, const struct mxt_received *r)
{
	struct piece *g = arg;
	mxt_summary_received(g->s, r);
}

static void
piece_unparsed(void *arg, const char *source, long line_no,
    const char *reason, const char *line, size_t len)
{
	struct piece *g = arg;
	if (!g->cfg->keep_unparsed)
		return;
	if (g->nnotes == g->notes_alloc) {
		g->notes_alloc = g->notes_alloc ? 2 * g->notes_alloc : 16;
		g->notes = xrealloc(g->notes, g->notes_alloc * sizeof *g->notes);
	}
	struct note *n = &g->notes[g->nnotes++];
	n->line = line_no;
	n->reason = xstrndup(reason, strlen(reason));
	n->text = xmalloc(len + 1);
	memcpy(n->text, line, len);
	n->text[len] = '\0';
	n->len = len;
}

static void
piece_jump(void *arg, const struct mxt_time_jump *j)
{
	struct piece *g = arg;
	/* a piece's pass has one input: only jumps inside it */
	if (j->between_inputs || g->jumped)
		return;
	g->jumped = true;
	g->jump_line = j->line_no;
	g->jump_time = j->time;
	g->jump_latest = j->latest;
}

static void add_stair(struct piece *g, struct mxt_time t, long line_no);

/* After each line: the staircase of falling times (see struct stair). On
 * every line, so the usual one is told apart in line: no time read, or a
 * time not below the latest of the piece, which adds no stair (each
 * stair's time is at most the latest). */
static inline void
after_line(struct piece *g, struct mxt_pass *p, long line_no)
{
	const struct mxt_input_span *sp = &p->spans->v[p->spans->n - 1];
	if (sp->recognised == g->recognised_seen)
		return;
	g->recognised_seen = sp->recognised;
	const struct mxt_time *t = &p->stats.last_line;
	if ((g->nstairs > 0 || g->jumped) && g->local_latest.valid &&
	    t->sec >= g->local_latest.sec) {
		g->local_latest = *t;
		return;
	}
	add_stair(g, *t, line_no);
}

/* after_line's other lines: a stair when the time falls below every one
 * of the piece so far (the first time read is the first stair). */
static void
add_stair(struct piece *g, struct mxt_time t, long line_no)
{
	if (!g->jumped && (g->nstairs == 0 ||
	    t.sec < g->stairs[g->nstairs - 1].t.sec)) {
		if (g->nstairs == STAIRS_MAX) {
			unsafe(g, "time falling for many lines");
		} else {
			if (g->stairs == NULL)
				g->stairs = xcalloc(STAIRS_MAX, sizeof *g->stairs);
			g->stairs[g->nstairs++] = (struct stair){.line = line_no,
			    .t = t, .latest = g->local_latest};
		}
	}
	if (!g->local_latest.valid || t.sec >= g->local_latest.sec)
		g->local_latest = t;
}

/* Polled before each line: a signal, or a piece refused (the run will be
 * one pass's: the threads' work is lost, so stop it early; the caps are
 * looked at every few thousand lines). */
static bool
stopped(struct piece *g, long line_no)
{
	if ((line_no & 4095) == 0 && g->unsafe == NULL) {
		const char *c = caps_reached(g->s);
		if (c != NULL)
			unsafe(g, c);
	}
	return (g->cfg->pass.stop != NULL && *g->cfg->pass.stop) ||
	    atomic_load_explicit(g->abandon, memory_order_relaxed);
}

/* A whole input through the reader, as mxt_pass_read reads it. */
static void
read_whole(struct piece *g, struct mxt_pass *p)
{
	struct mxt_reader *rd = mxt_reader_open(g->path, &g->err);
	if (rd != NULL)
		mxt_reader_set_ahead(rd, g->ahead);
	snprintf(g->name, sizeof g->name, "%s", rd != NULL ? mxt_reader_name(rd) :
	    strcmp(g->path, "-") == 0 ? "<stdin>" : g->path);
	mxt_spans_begin(p->spans, g->name);
	if (rd == NULL) {
		p->stats.inputs_failed++;
		g->failed = true;
		return;
	}
	time_t ref = mxt_reader_mtime(rd);
	if (ref == 0)
		ref = time(NULL);
	const char *line;
	size_t len;
	bool truncated;
	int rc = 0;
	while (!stopped(g, mxt_reader_line_no(rd)) && (rc = mxt_reader_next(rd,
	    &line, &len, &truncated, &g->err)) > 0) {
		if (truncated)
			p->stats.lines_truncated++;
		long no = mxt_reader_line_no(rd);
		mxt_pass_line_in_span(p, g->name, no, ref, line, len);
		after_line(g, p, no);
	}
	g->lines = mxt_reader_line_no(rd);
	mxt_reader_close(rd);
	if (rc < 0) {
		p->stats.inputs_failed++;
		g->failed = true;
	}
}

/* pread(2), again after a signal; -1 on error. */
static ssize_t
pread_some(int fd, char *p, size_t n, int64_t off)
{
	ssize_t got;
	do
		got = pread(fd, p, n, (off_t)off);
	while (got < 0 && errno == EINTR);
	return got;
}

/* The start of the first line at or after off of fd, size when none
 * (below, with the cutting). */
static int64_t line_start(int fd, int64_t off, int64_t size);

/*
 * Lines of fd from pos, left bytes (left < 0: to the end), cut as
 * reader.c cuts them (LF or CRLF; the last line may lack its newline),
 * each handed to fn (false from it stops). A line of MXT_LINE_MAX bytes
 * or more stops with *why set (see the design comment), as a failed
 * read does. Returns the lines handed on.
 */
static long
each_line(struct piece *g, int fd, int64_t pos, int64_t left, char *buf,
    bool (*fn)(void *arg, long no, char *line, size_t n), void *arg,
    const char **why)
{
	size_t start = 0, end = 0;
	bool eof = false;
	long no = 0;
	for (;;) {
		char *q = buf + start;
		size_t avail = end - start;
		char *nl = avail ? memchr(q, '\n', avail) : NULL;
		if (nl != NULL || (eof && avail > 0)) {
			size_t n = nl ? (size_t)(nl - q) : avail;
			start += nl ? n + 1 : avail;
			if (n > 0 && q[n - 1] == '\r')
				n--;
			if (n >= MXT_LINE_MAX - 1) {
				*why = "a line as long as the line cap";
				break;
			}
			q[n] = '\0';
			if (!fn(arg, no + 1, q, n))
				break;
			no++;
			continue;
		}
		if (eof)
			break;
		if (avail >= MXT_LINE_MAX) {
			*why = "a line as long as the line cap";
			break;
		}
		memmove(buf, q, avail);
		start = 0;
		end = avail;
		size_t room = READ_BLOCK;
		if (left >= 0 && (int64_t)room > left)
			room = (size_t)left;
		ssize_t got = room ? pread_some(fd, buf + end, room, pos) : 0;
		if (got < 0) {
			*why = "a piece of a file could not be read";
			break;
		}
		if (got == 0)
			eof = true;
		pos += got;
		end += (size_t)got;
		if (left >= 0)
			left -= got;
	}
	return no;
}

struct range_read {
	struct piece *g;
	struct mxt_pass *p;
	time_t ref;
	long base;   /* warm lines: numbered base + 1 .. 0 */
	const char *name; /* warm lines: their input's */
};

/* A line the reader makes into another (journal.h): an entry of
 * `journalctl -o export` is several lines, one of `-o json` one JSON
 * object; a piece reads raw lines and cannot do the same. */
static bool
journal_line(const char *p, size_t n)
{
	/* mxt_journal_json's own test before it parses: an object that
	 * names MESSAGE (after json-seq's record separator) */
	return (n > 1 && (p[0] == '{' || p[0] == 0x1e) &&
	    find_lit(p, p + n, "\"MESSAGE\"") != NULL) ||
	    mxt_journal_export_start(p, n);
}

static bool
range_line(void *arg, long no, char *line, size_t n)
{
	struct range_read *rr = arg;
	if (stopped(rr->g, no - 1))
		return false;
	if (journal_line(line, n)) {
		unsafe(rr->g, "journal entries in a file cut into pieces");
		return false;
	}
	mxt_pass_line_in_span(rr->p, rr->g->name, no, rr->ref, line, n);
	after_line(rr->g, rr->p, no);
	return true;
}

static bool
warm_line(void *arg, long no, char *line, size_t n)
{
	struct range_read *rr = arg;
	if (journal_line(line, n)) {
		unsafe(rr->g, "journal entries in a file cut into pieces");
		return false;
	}
	mxt_pass_warm_line(rr->p, rr->name, rr->base + no, rr->ref, line, n);
	return true;
}

/*
 * Before the cut of a piece that continues its input: the lines of the
 * WARM_BYTES before it go through mxt_pass_warm_line, so that the
 * earlier MX replies waiting at the cut and the Exim rejections whose
 * twins may follow it are those one pass has there; attempts_across_cuts
 * and check_pieces then need not refuse the replies and twins the warm
 * lines hold. They are numbered up to 0 before the piece's line 1. fd
 * is the file before the cut at end (the piece's own, or the input
 * before it, warm_prev), name and ref its name and time reference; with
 * share, at most 1/share of the piece's own bytes are read.
 */
static void
warm_up(struct piece *g, struct mxt_pass *p, int fd, int64_t end,
    int64_t share, const char *name, time_t ref, char *buf)
{
	int64_t warm = WARM_BYTES;
	const char *env = getenv("MXTRIAGE_WARM_BYTES");
	if (env != NULL && *env != '\0' && strtoll(env, NULL, 10) >= 0)
		warm = strtoll(env, NULL, 10);
	if (share > 0 && g->bytes / share < warm)
		warm = g->bytes / share;
	int64_t from = end > warm ? end - warm : 0;
	if (from > 0)
		from = line_start(fd, from, end);
	long n = 0;
	bool open_line = false; /* the last line has no newline yet */
	for (int64_t pos = from; pos < end;) {
		size_t room = READ_BLOCK;
		if ((int64_t)room > end - pos)
			room = (size_t)(end - pos);
		ssize_t got = pread_some(fd, buf, room, pos);
		if (got <= 0)
			return; /* no warm lines: the checks refuse as before */
		for (char *q = buf, *e = buf + got;
		    (q = memchr(q, '\n', (size_t)(e - q))) != NULL; q++)
			n++;
		open_line = buf[got - 1] != '\n';
		pos += got;
	}
	n += open_line; /* the end of an input: its last line as the reader
	                 * gives it */
	struct range_read rr = {g, p, ref, -n, name};
	const char *why = NULL;
	mxt_attempts_warm(p->attempts, true);
	long got = each_line(g, fd, from, end - from, buf, warm_line, &rr,
	    &why);
	mxt_attempts_warm(p->attempts, false);
	if (why == NULL && got == n) {
		g->warm_lines = n;
		g->warm_whole = from == 0;
	}
}

/* The first piece of an input after a plain file: the end of that file,
 * as warm lines (one pass reads on across inputs). */
static void
warm_from_prev(struct piece *g, struct mxt_pass *p, char *buf)
{
	int fd = open(g->prev_path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return; /* no warm lines: the checks refuse as before */
	}
	time_t ref = st.st_mtime ? st.st_mtime : time(NULL);
	g->warm_prev = true;
	warm_up(g, p, fd, (int64_t)st.st_size, WARM_PREV_SHARE, g->prev_path,
	    ref, buf);
	close(fd);
}

/* A byte range of a plain file (a piece cut out of it). */
static void
read_range(struct piece *g, struct mxt_pass *p, char *buf)
{
	snprintf(g->name, sizeof g->name, "%s", g->path);
	mxt_spans_begin(p->spans, g->name);
	int fd = open(g->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		unsafe(g, "a piece of a file could not be read");
		if (fd >= 0)
			close(fd);
		return;
	}
	time_t ref = S_ISREG(st.st_mode) && st.st_mtime ? st.st_mtime :
	    time(NULL);
	if (g->continues)
		warm_up(g, p, fd, g->off, 0, g->name, ref, buf);
	struct range_read rr = {g, p, ref, 0, NULL};
	const char *why = NULL;
	g->lines = each_line(g, fd, g->off, g->len, buf, range_line, &rr, &why);
	if (why != NULL)
		unsafe(g, why);
	close(fd);
}

/*
 * The messages the piece began and left open (the tracker's entries that
 * saw their start), value 1 for those whose cleanup line it read: a later
 * piece's first qmgr size line of one is not of a message met in
 * progress, as one pass sees it (summary_received.c).
 */
static void
keep_open(struct piece *g, struct mxt_pass *p)
{
	bool added;
	for (const struct mxt_msg *m = mxt_track_oldest(p->track); m != NULL;
	    m = m->newer) {
		if (!m->start_seen)
			continue;
		mxt_summary_key(&g->key, mxt_str_make(m->host, m->host_len),
		    mxt_str_make(m->id, m->id_len), NULL);
		mxt_strmap_put(&g->started, g->key.p, g->key.len,
		    &added)->value = m->recv != MXT_RECV_NONE;
	}
}

static void
read_piece(struct piece *g, struct mxt_classifier *cls, char *buf,
    bool base)
{
	struct mxt_pass_config pc = g->cfg->pass;
	pc.classifier = cls;
	pc.on_event = piece_event;
	pc.on_message_start = piece_start;
	pc.on_message_end = piece_end;
	pc.on_received = piece_received;
	pc.event_arg = g;
	pc.on_unparsed = piece_unparsed;
	pc.unparsed_arg = g;
	pc.on_time_jump = piece_jump;
	pc.time_jump_arg = g;
	pc.on_local = piece_local;
	pc.local_arg = g;
	g->s = mxt_summary_create(&g->cfg->summary);
	/* the first piece is the base the others are merged into, never
	 * merged itself: like one pass it counts texts past the caps as
	 * unnamed and keeps no uncounted outcomes (mxt_summary_settle), and
	 * saves the fingerprints and ranks only a merged piece needs */
	g->s->ordered = !base;
	struct mxt_pass *p = mxt_pass_create(&pc);
	g->pass = p;
	mxt_attempts_watch(p->attempts);
	/* a piece is its pass's only input, and Exim rejections in two
	 * inputs or on both sides of a cut refuse the run (below) */
	mxt_pass_final_input(p);
	/* the first piece of an input after a plain file */
	if (g->prev_path != NULL)
		warm_from_prev(g, p, buf);
	if (g->range)
		read_range(g, p, buf);
	else
		read_whole(g, p);
	mxt_pass_finish(p);
	keep_open(g, p);
	g->stats = *mxt_pass_stats(p);
	size_t n;
	const struct mxt_input_span *sp = mxt_pass_inputs(p, &n);
	if (n > 0) {
		g->span = sp[n - 1];
		g->span.name = NULL;
	}
	if (n > 1)
		unsafe(g, "a piece read as more than one input");
	if (g->failed && g->range)
		unsafe(g, "a read error inside a piece of a file");
	if (g->stats.track_overflow > 0)
		unsafe(g, "the tracker's cap");
	if (g->stats.attempts_overflow > 0)
		unsafe(g, "the cap of earlier MX replies waiting");
	mxt_attempts_cut(p->attempts, &g->stats.last_line, &g->att_touched,
	    &g->att_over, &g->att_open, &g->natt_open);
	if (g->s->texts_over_full)
		unsafe(g, "the cap of reply texts kept past the group caps");
	keep_links(g, p);
	g->pass = NULL;
	mxt_pass_destroy(p);
	mxt_summary_finish(g->s, &g->stats);
	/* the array grows with the messages of the piece and is held while
	 * the other pieces are read: give back the unused end */
	if (g->nstarts > 0 && g->nstarts < g->starts_alloc) {
		g->starts = xrealloc(g->starts, g->nstarts * sizeof *g->starts);
		g->starts_alloc = g->nstarts;
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct mxt_parallel *r = w->r;
	char *buf = xmalloc(READ_BLOCK + MXT_LINE_MAX + 1);
	for (;;) {
		size_t i = atomic_fetch_add(&r->next, 1);
		if (i >= r->npieces || atomic_load(&r->abandon))
			break;
		read_piece(&r->pieces[i], w->cls, buf, i == 0);
	}
	free(buf);
	return NULL;
}

/* ---- cutting the inputs into pieces ------------------------------------ */

struct plan_input {
	int64_t size;
	bool splittable;
};

/* A plain regular file can be entered anywhere: not compressed (gzip,
 * bzip2, xz, zstd, lz4, by magic bytes as the reader decides), not
 * standard input, not a pipe or a device. */
static struct plan_input
probe(const char *path)
{
	struct plan_input pi = {0, false};
	struct stat st;
	/* stat first: opening a named pipe would take a writer's data */
	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 ||
	    !S_ISREG(st.st_mode))
		return pi;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return pi;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		/* the reader's own test: any compressor it knows, by magic;
		 * and a journal's entries from the first line on are one
		 * pass's (journal_line; one further in refuses the run) */
		char m[16384];
		ssize_t got = pread_some(fd, m, sizeof m, 0);
		const char *nl = got > 0 ? memchr(m, '\n', (size_t)got) : NULL;
		size_t first = nl ? (size_t)(nl - m) : got > 0 ? (size_t)got : 0;
		pi.size = st.st_size;
		pi.splittable = got > 0 && mxt_compression_of(
		    (const unsigned char *)m, (size_t)got) == NULL &&
		    !journal_line(m, first);
	}
	close(fd);
	return pi;
}

/* The offset after the first newline at or after off; size when none. */
static int64_t
line_start(int fd, int64_t off, int64_t size)
{
	char b[4096];
	while (off < size) {
		ssize_t got = pread_some(fd, b, sizeof b, off);
		if (got <= 0)
			return size;
		char *nl = memchr(b, '\n', (size_t)got);
		if (nl != NULL)
			return off + (nl - b) + 1;
		off += got;
	}
	return size;
}

static void
add_piece(struct mxt_parallel *r, size_t *alloc, struct piece g)
{
	if (r->npieces == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 16;
		r->pieces = xrealloc(r->pieces, *alloc * sizeof *r->pieces);
	}
	g.cfg = r->cfg;
	g.abandon = &r->abandon;
	r->pieces[r->npieces++] = g;
}

static size_t
min_chunk(const struct mxt_parallel_config *cfg)
{
	const char *e = getenv("MXTRIAGE_MIN_CHUNK");
	if (e != NULL && *e != '\0' && strtoll(e, NULL, 10) > 0)
		return (size_t)strtoll(e, NULL, 10);
	return cfg->min_chunk ? cfg->min_chunk : MXT_PARALLEL_MIN_CHUNK;
}

/* Cuts the inputs into pieces: about one per thread for the bytes of the
 * plain files, none smaller than the minimum; one per other input. */
static void
plan(struct mxt_parallel *r, const char *const *paths, size_t n)
{
	struct plan_input *pi = xcalloc(n + 1, sizeof *pi);
	int64_t total = 0;
	size_t alloc = 0;
	for (size_t i = 0; i < n; i++) {
		pi[i] = probe(paths[i]);
		if (pi[i].splittable)
			total += pi[i].size;
	}
	int64_t chunk = (total + r->cfg->jobs - 1) / r->cfg->jobs;
	if (chunk < (int64_t)min_chunk(r->cfg))
		chunk = (int64_t)min_chunk(r->cfg);
	for (size_t i = 0; i < n; i++) {
		r->inputs[i].first_piece = r->npieces;
		/* the end of a plain file before warms the input's first
		 * piece up (warm_from_prev) */
		const char *prev = i > 0 && pi[i - 1].splittable ?
		    paths[i - 1] : NULL;
		int fd = -1;
		if (pi[i].splittable && pi[i].size > chunk)
			fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			add_piece(r, &alloc, (struct piece){.input = i,
			    .path = paths[i], .len = -1, .bytes = pi[i].size,
			    .prev_path = prev});
			r->inputs[i].npieces = 1;
			continue;
		}
		int64_t size = pi[i].size, k = (size + chunk - 1) / chunk;
		int64_t off = 0;
		for (int64_t c = 1; c <= k && off < size; c++) {
			int64_t next = c == k ? size :
			    line_start(fd, size / k * c, size);
			if (next <= off)
				continue;
			add_piece(r, &alloc, (struct piece){.input = i,
			    .path = paths[i], .off = off,
			    .len = c == k ? -1 : next - off, .bytes = next - off,
			    .range = true,
			    .continues = off > 0,
			    .prev_path = off == 0 ? prev : NULL});
			off = next;
		}
		close(fd);
		r->inputs[i].npieces = r->npieces - r->inputs[i].first_piece;
	}
	free(pi);
}

/* ---- putting the pieces together ---------------------------------------- */

/* The later of two times as a running maximum keeps it (ties: b). */
static struct mxt_time
later(struct mxt_time a, struct mxt_time b)
{
	return b.valid && (!a.valid || b.sec >= a.sec) ? b : a;
}

/*
 * The spans of the inputs and the time jumps one pass tells, from the
 * pieces' spans and staircases (see struct stair).
 */
static void
join_spans(struct mxt_parallel *r)
{
	struct mxt_time latest = {0};
	size_t latest_input = 0;
	for (size_t i = 0; i < r->ninputs; i++) {
		struct input_result *in = &r->inputs[i];
		struct mxt_input_span *sp = &in->span;
		struct mxt_time prev_latest = latest, M = {0};
		size_t prev_input = latest_input;
		long base = 0;
		for (size_t k = 0; k < in->npieces; k++) {
			struct piece *g = &r->pieces[in->first_piece + k];
			if (k == 0)
				snprintf(in->name, sizeof in->name, "%s", g->name);
			const struct mxt_input_span *gs = &g->span;
			if (sp->recognised == 0 && g->nstairs > 0 &&
			    prev_latest.valid && prev_latest.sec -
			    g->stairs[0].t.sec > MXT_TIME_SLACK) {
				sp->starts_back = true;
				in->jumps[in->njumps++] = (struct mxt_time_jump){
				    .line_no = base + g->stairs[0].line,
				    .between_inputs = true,
				    .time = g->stairs[0].t, .latest = prev_latest,
				    .latest_source = r->inputs[prev_input].name};
			}
			if (sp->back_line == 0) {
				long line = 0;
				struct mxt_time t = {0}, lt = {0};
				if (g->jumped) {
					line = g->jump_line;
					t = g->jump_time;
					lt = later(M, g->jump_latest);
				}
				for (size_t s = 0; M.valid && s < g->nstairs &&
				    (line == 0 || g->stairs[s].line < line); s++)
					if (M.sec - g->stairs[s].t.sec >
					    MXT_TIME_SLACK) {
						line = g->stairs[s].line;
						t = g->stairs[s].t;
						lt = later(M, g->stairs[s].latest);
						break;
					}
				if (line > 0) {
					sp->back_line = base + line;
					sp->back_seconds = lt.sec - t.sec;
					in->jumps[in->njumps++] =
					    (struct mxt_time_jump){
					    .line_no = base + line, .time = t,
					    .latest = lt, .latest_source = in->name};
				}
			}
			sp->lines += gs->lines;
			if (gs->recognised > 0) {
				if (sp->recognised == 0 ||
				    gs->first.sec < sp->first.sec)
					sp->first = gs->first;
				sp->last = sp->recognised == 0 ? gs->last :
				    later(sp->last, gs->last);
				M = later(M, gs->last);
			}
			sp->recognised += gs->recognised;
			base += g->lines;
			if (g->failed) {
				in->failed = true;
				in->err = g->err;
			}
		}
		sp->name = in->name;
		for (size_t k = 0; k < in->njumps; k++)
			in->jumps[k].source = in->name;
		if (sp->recognised > 0 && (!latest.valid ||
		    sp->last.sec >= latest.sec)) {
			latest = sp->last;
			latest_input = i;
		}
	}
	r->spans = xcalloc(r->ninputs + 1, sizeof *r->spans);
	for (size_t i = 0; i < r->ninputs; i++)
		r->spans[i] = r->inputs[i].span;
}

/*
 * A set of 64-bit key hashes (open addressing; a hash is stored with its
 * low bit set, so 0 marks an empty slot and two hashes that differ only
 * there match: a chance match only costs the threads' work).
 */
struct hash_set {
	uint64_t *v;
	size_t mask, n;
};

static void
hash_set_add(struct hash_set *hs, uint64_t h)
{
	if (2 * (hs->n + 1) > hs->mask + 1) {
		struct hash_set big = {xcalloc(hs->v ? 2 * (hs->mask + 1) : 64,
		    sizeof *big.v), hs->v ? 2 * hs->mask + 1 : 63, 0};
		for (size_t i = 0; hs->v != NULL && i <= hs->mask; i++)
			if (hs->v[i] != 0)
				hash_set_add(&big, hs->v[i]);
		free(hs->v);
		*hs = big;
	}
	h |= 1;
	size_t i = (size_t)(h >> 1) & hs->mask;
	while (hs->v[i] != 0 && hs->v[i] != h)
		i = (i + 1) & hs->mask;
	if (hs->v[i] == 0) {
		hs->v[i] = h;
		hs->n++;
	}
}

static bool
hash_set_has(const struct hash_set *hs, uint64_t h)
{
	if (hs->n == 0)
		return false;
	h |= 1;
	for (size_t i = (size_t)(h >> 1) & hs->mask; hs->v[i] != 0;
	    i = (i + 1) & hs->mask)
		if (hs->v[i] == h)
			return true;
	return false;
}

/* Was one of the keys of set begun in piece g? One scan of its starts
 * (the set, the messages open at the cut, is the small side). */
static bool
begun_any(const struct piece *g, const struct hash_set *set)
{
	for (size_t i = 0; set->n > 0 && i < g->nstarts; i++)
		if (hash_set_has(set, g->starts[i]))
			return true;
	return false;
}

/*
 * A message of piece g begun while its id was open before the cut, where
 * one pass acts on the entry it has and the merge cannot (see the design
 * comment): an Exim id open before (exim.c ends that message first); a
 * Postfix message that had events before the cut (one pass takes the
 * second start line, cleanup after smtpd, as no start at all); a message
 * met in progress before (one pass sets its entry aside as superseded);
 * a piece that set aside an entry of an id open before the cut. A hash
 * that matches by chance only costs the threads' work.
 */
static bool
id_back(const struct piece *g, const struct mxt_strmap *alive,
    const struct mxt_summary *d)
{
	/* the keys whose start in g one pass would treat otherwise */
	struct hash_set open = {0};
	for (size_t x = 0; g->nstarts > 0 && x < alive->size; x++) {
		const struct mxt_strmap_slot *sl = &alive->slots[x];
		const char *us = sl->key ? memchr(sl->key, '\x1f', sl->len) : NULL;
		if (us == NULL)
			continue;
		struct mxt_str host = {sl->key, (size_t)(us - sl->key)};
		struct mxt_str id = {us + 1, sl->len - host.len - 1};
		if (exim_id(id) ||
		    mxt_strmap_get(&d->flights, sl->key, sl->len) != NULL)
			hash_set_add(&open, key_hash(host, id));
	}
	for (size_t x = 0; g->nstarts > 0 && x < d->flights.size; x++) {
		const struct mxt_strmap_slot *sl = &d->flights.slots[x];
		const struct flight *f = sl->ptr;
		if (sl->key == NULL || !f->in_progress || f->ended)
			continue;
		struct mxt_str host = {f->host, strlen(f->host)};
		struct mxt_str id = {f->queue_id, strlen(f->queue_id)};
		hash_set_add(&open, key_hash(host, id));
	}
	bool back = begun_any(g, &open);
	free(open.v);
	if (back)
		return true;
	const struct mxt_strmap *fl = &g->s->flights;
	for (size_t x = 0; x < fl->size; x++) {
		const struct mxt_strmap_slot *sl = &fl->slots[x];
		if (sl->key == NULL || !((const struct flight *)sl->ptr)->superseded)
			continue;
		size_t len = mxt_summary_key_base(sl->key, sl->len);
		if (mxt_strmap_get(alive, sl->key, len) != NULL ||
		    mxt_strmap_get(&d->flights, sl->key, len) != NULL)
			return true;
	}
	return false;
}

/* alive = alive without what piece g ended, with what it left open. */
static void
carry_alive(struct mxt_strmap *alive, const struct piece *g)
{
	bool added;
	for (size_t i = 0; i < g->ended.size; i++) {
		const struct mxt_strmap_slot *sl = &g->ended.slots[i];
		struct mxt_strmap_slot *a = sl->key == NULL ? NULL :
		    mxt_strmap_get(alive, sl->key, sl->len);
		if (a != NULL)
			mxt_strmap_remove(alive, a);
	}
	for (size_t i = 0; i < g->started.size; i++) {
		const struct mxt_strmap_slot *sl = &g->started.slots[i];
		if (sl->key != NULL)
			mxt_strmap_put(alive, sl->key, sl->len,
			    &added)->value = sl->value;
	}
}

/* A cap of the summary reached: what it refused depends on the order. */
static const char *
caps_reached(const struct mxt_summary *s)
{
	if (s->overflow_groups || s->overflow_retries ||
	    s->overflow_messages || s->overflow_domains ||
	    s->ngroups >= SUMMARY_GROUPS_MAX ||
	    s->retries.count >= SUMMARY_RETRIES_MAX ||
	    s->flights.count >= SUMMARY_FLIGHTS_MAX || s->recv.overflow)
		return "a cap of the summary";
	for (size_t i = 0; i < s->ngroups; i++) {
		if (s->groups[i].codes.count >= GROUP_CODES_MAX)
			return "the cap of reply codes per group";
		if (s->groups[i].warnings.count >= GROUP_WARNINGS_MAX)
			return "the cap of warnings per group";
	}
	if (mxt_ourside_capped(&s->ourside))
		return "a cap of the our-side section";
	for (int c = 0; c < MXT_CAUSE_COUNT; c++)
		if (s->causes[c].domains.count >= SUMMARY_DOMAINS_MAX)
			return "the cap of domains per cause";
	return NULL;
}

/*
 * Earlier MX replies still open at the end of a piece (mxt_attempts_cut)
 * are carried over the pieces after it until their time is up; a piece
 * that meets one of their keys without replies of its own would have had
 * them in one pass.
 */
static const char *
attempts_across_cuts(const struct mxt_parallel *r)
{
	struct carried {
		const struct mxt_attempts_key *k; /* borrowed */
		size_t input;
		long line;   /* of its first reply, counted in its input */
	} *carried = NULL;
	size_t n = 0, cap = 0;
	const char *why = NULL;
	long base = 0;       /* lines of the input before piece i */
	for (size_t i = 0; i < r->npieces && why == NULL; i++) {
		const struct piece *g = &r->pieces[i];
		/* the lines of the input of piece i - 1 up to its end */
		long before = i > 0 ? base + r->pieces[i - 1].lines : 0;
		base = g->continues ? before : 0;
		/* the input whose end g's warm lines are, and its lines
		 * before the cut */
		size_t warm_input = g->continues ? g->input : g->input - 1;
		bool warm = g->continues || (g->warm_prev && i > 0 &&
		    r->pieces[i - 1].input == warm_input);
		size_t keep = 0;
		for (size_t k = 0; k < n; k++) {
			const struct mxt_attempts_key *ck = carried[k].k;
			/* all its replies were among g's warm lines: g's
			 * store has them as one pass's has */
			if (warm && carried[k].input == warm_input &&
			    (g->warm_whole ||
			    carried[k].line > before - g->warm_lines))
				continue;
			const struct mxt_strmap_slot *first = mxt_strmap_get(
			    &g->att_touched, ck->key, ck->len);
			if (g->att_over || (first != NULL &&
			    mxt_attempts_reached(ck, first))) {
				why = "earlier MX replies on both sides of a cut";
				break;
			}
			if (first != NULL)
				continue; /* one pass would drop them there */
			if (g->stats.last_line.valid &&
			    g->stats.last_line.sec > ck->until)
				continue; /* time is up: no line takes them */
			carried[keep++] = carried[k];
		}
		n = why ? n : keep;
		for (size_t k = 0; why == NULL && k < g->natt_open; k++) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				carried = xrealloc(carried, cap * sizeof *carried);
			}
			carried[n++] = (struct carried){&g->att_open[k], g->input,
			    base + g->att_open[k].first_line};
		}
	}
	free(carried);
	return why;
}

/*
 * Exim's rejections are counted once when a copy of one came earlier
 * (exim.c): from another input (the main log and the reject log), only
 * one with the same time to the fraction, host, process and text. A
 * piece has no copies from the inputs before its own, so the inputs
 * whose rejections share a second (or have one without a time) are one
 * pass's; a rotated set of main logs has none (each file's seconds come
 * after the last one's).
 */
static bool
exim_inputs_overlap(const struct mxt_parallel *r)
{
	struct sec_span *sp = xcalloc(r->ninputs + 1, sizeof *sp);
	for (size_t i = 0; i < r->npieces; i++)
		sec_span_join(&sp[r->pieces[i].input], &r->pieces[i].exim_secs);
	bool overlap = false;
	for (size_t a = 0; a < r->ninputs && !overlap; a++)
		for (size_t b = a + 1; b < r->ninputs && !overlap; b++)
			overlap = sec_span_meets(&sp[a], &sp[b]);
	free(sp);
	return overlap;
}

static const char *
check_pieces(struct mxt_parallel *r)
{
	for (size_t i = 0; i < r->npieces; i++) {
		const struct piece *g = &r->pieces[i];
		if (g->unsafe != NULL)
			return g->unsafe;
		const char *c = caps_reached(g->s);
		if (c != NULL)
			return c;
		if (links_cross(r, i))
			return "a warning before a cut may explain a failure after it";
		/* syslog_duplication twins on both sides of the cut, unless
		 * the warm lines before it held the first of them */
		const struct piece *h = g - 1;
		if (g->continues && !g->warm_whole &&
		    g->warm_lines < EXIM_DUP_WINDOW && g->exim_first > 0 &&
		    g->exim_first <= EXIM_DUP_WINDOW && h->exim_last > 0 &&
		    h->lines - h->exim_last < EXIM_DUP_WINDOW)
			return "Exim rejections on both sides of a cut";
	}
	if (exim_inputs_overlap(r))
		return "Exim rejections of the same second in two inputs";
	return attempts_across_cuts(r);
}

struct mxt_parallel *
mxt_parallel_run(const struct mxt_parallel_config *cfg,
    const char *const *paths, size_t n, const char **why)
{
	for (size_t k = 0; k < cfg->summary.nby; k++)
		if (cfg->summary.by[k] == MXT_KEY_SENDER ||
		    cfg->summary.by[k] == MXT_KEY_SENDER_DOMAIN) {
			*why = "grouped by sender";
			return NULL;
		}
	/* what one pass reads again after a refusal must still be there */
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 ||
		    !S_ISREG(st.st_mode)) {
			*why = "standard input, a pipe or a missing file";
			return NULL;
		}
	}
	struct mxt_parallel *r = xcalloc(1, sizeof *r);
	r->cfg = cfg;
	r->ninputs = n;
	r->inputs = xcalloc(n + 1, sizeof *r->inputs);
	plan(r, paths, n);
	if (r->npieces < 2 || cfg->jobs < 2) {
		*why = "one piece";
		mxt_parallel_destroy(r);
		return NULL;
	}
	unsigned nw = cfg->jobs < r->npieces ? cfg->jobs : (unsigned)r->npieces;
	/* a thread to spare: compressed inputs decompress on one more */
	for (size_t i = 0; i < r->npieces; i++)
		r->pieces[i].ahead = cfg->pass.read_ahead &&
		    r->npieces < cfg->jobs;
	struct worker *w = xcalloc(nw, sizeof *w);
	unsigned started = 0;
	for (unsigned t = 0; t < nw; t++) {
		w[t] = (struct worker){.r = r, .cls = cfg->classifiers[t]};
		/* thread 0 is this one */
		if (t > 0 && pthread_create(&w[t].thread, NULL, worker_main,
		    &w[t]) != 0)
			break;
		started++;
	}
	worker_main(&w[0]);
	for (unsigned t = 1; t < started; t++)
		pthread_join(w[t].thread, NULL);
	free(w);

	bool stop = cfg->pass.stop != NULL && *cfg->pass.stop;
	const char *bad = stop ? NULL : check_pieces(r);
	for (size_t i = 0; bad == NULL && i < r->npieces; i++)
		if (r->pieces[i].s == NULL) /* left when the run was given up */
			bad = "a piece refused";
	if (bad != NULL) {
		*why = bad;
		mxt_parallel_destroy(r);
		return NULL;
	}
	join_spans(r);
	struct mxt_summary *d = r->pieces[0].s;
	r->pieces[0].s = NULL;
	mxt_summary_settle(d);
	r->in_window = r->pieces[0].in_window;
	struct mxt_strmap alive;
	mxt_strmap_init(&alive, 0);
	carry_alive(&alive, &r->pieces[0]);
	for (size_t i = 1; i < r->npieces && bad == NULL; i++) {
		struct piece *g = &r->pieces[i];
		struct mxt_error e;
		struct mxt_merge_cut cut = {.started = &alive,
		    .ended = &g->ended};
		if (id_back(g, &alive, d))
			bad = "an id that comes back across a cut";
		mxt_summary_merge_cut(d, g->s, cfg->classifiers[0], &cut, &e);
		r->in_window += g->in_window;
		carry_alive(&alive, g);
		mxt_summary_destroy(g->s);
		g->s = NULL;
	}
	mxt_strmap_finish(&alive);
	d->merged = false;
	r->merged = d;
	r->stats = d->stats;
	if (bad == NULL && !stop)
		bad = caps_reached(d);
	if (bad != NULL) {
		*why = bad;
		mxt_parallel_destroy(r);
		return NULL;
	}
	return r;
}

void
mxt_parallel_destroy(struct mxt_parallel *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->npieces; i++) {
		struct piece *g = &r->pieces[i];
		mxt_summary_destroy(g->s);
		for (size_t k = 0; k < g->nnotes; k++) {
			free(g->notes[k].reason);
			free(g->notes[k].text);
		}
		free(g->notes);
		free(g->stairs);
		free(g->starts);
		free(g->wants);
		free(g->tail);
		for (size_t k = 0; k < g->natt_open; k++)
			free(g->att_open[k].key);
		free(g->att_open);
		mxt_attempts_touched_finish(&g->att_touched);
		mxt_strmap_finish(&g->started);
		mxt_strmap_finish(&g->ended);
		free(g->key.p);
	}
	free(r->pieces);
	free(r->inputs);
	free(r->spans);
	mxt_summary_destroy(r->merged);
	free(r);
}

struct mxt_summary *
mxt_parallel_summary(struct mxt_parallel *r)
{
	struct mxt_summary *s = r->merged;
	r->merged = NULL;
	return s;
}

const struct mxt_stats *
mxt_parallel_stats(const struct mxt_parallel *r)
{
	return &r->stats;
}

uint64_t
mxt_parallel_in_window(const struct mxt_parallel *r)
{
	return r->in_window;
}

const struct mxt_input_span *
mxt_parallel_spans(const struct mxt_parallel *r, size_t *n)
{
	*n = r->ninputs;
	return r->spans;
}

void
mxt_parallel_replay(const struct mxt_parallel *r,
    const struct mxt_parallel_replay *cb)
{
	for (size_t i = 0; i < r->ninputs; i++) {
		const struct input_result *in = &r->inputs[i];
		if (cb->input_begin != NULL)
			cb->input_begin(cb->arg, i);
		size_t nj = 0;
		long base = 0;
		for (size_t k = 0; k < in->npieces; k++) {
			const struct piece *g = &r->pieces[in->first_piece + k];
			for (size_t x = 0; x < g->nnotes; x++) {
				const struct note *n = &g->notes[x];
				/* a jump is told before the line's unparsed */
				while (nj < in->njumps &&
				    in->jumps[nj].line_no <= base + n->line)
					if (cb->on_time_jump != NULL)
						cb->on_time_jump(cb->arg,
						    &in->jumps[nj++]);
					else
						nj++;
				if (cb->on_unparsed != NULL)
					cb->on_unparsed(cb->arg, in->name,
					    base + n->line, n->reason, n->text,
					    n->len);
			}
			base += g->lines;
		}
		for (; nj < in->njumps; nj++)
			if (cb->on_time_jump != NULL)
				cb->on_time_jump(cb->arg, &in->jumps[nj]);
		if (in->failed && cb->on_error != NULL)
			cb->on_error(cb->arg, i, &in->err);
	}
}
