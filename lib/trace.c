/*
 * trace.c - `mxtriage trace`: from a selection (queue id, Message-ID,
 * recipient, domain, provider, cause, status, time window...) to the
 * messages it touches and every raw log line of each, in time order, with
 * source:line (what exigrep and Postfix's collate.pl give by hand).
 *
 * Two passes over the same inputs, so memory does not grow with the log:
 *   1. the ordinary pass (framing, dialects, classifier) runs and every
 *      event is tested against the selection; the (host, queue id) keys
 *      of the messages with a matching event (or a matching Message-ID
 *      line, or the queue id asked for) are kept: a set of at most
 *      max_messages keys, the rest counted;
 *   2. the inputs are read again in the same order; a line whose key is
 *      in the set is kept in that message's "run" (the lines since the
 *      key's previous message ended), the same pass tells when a message
 *      starts and ends, and at its end the run is printed when one of its
 *      own events (or lines) matches -- a queue id that came back for
 *      another message is another run, and is printed only if it matches
 *      itself. Memory: the key set, plus the lines of the selected
 *      messages in flight (at most TRACE_LINES_MAX per message; more are
 *      counted, not kept).
 * Messages are printed when they leave the queue (Postfix "removed", Exim
 * "Completed"), as exigrep does; those still in the queue at the end of
 * the input follow, by their first line. A line is tied to a message by
 * the pass's own correlation (its events, its start and end) or, for
 * lines that are neither (qmgr "from=", cleanup, "host X said"), by the
 * id at the start of the message text, under the logging host: a central
 * log of several hosts that reuse ids stays exact. An event without a
 * queue id (NOQUEUE rejections) is a message of one line.
 *
 * The pass is driven from here line by line (not mxt_pass_read) so that
 * each callback is known to belong to the line just fed.
 */
#include "pass.h"
#include "summary.h"
#include "trace.h"

#include <fnmatch.h>
#include <jansson.h>
#include <stdlib.h>

#define TRACE_LINES_MAX 1000

struct tline {
	uint32_t src;
	long line_no;
	int64_t sec, nsec;  /* for the order in time; copied from the line
	                     * before when the line has none */
	uint64_t seq;       /* reading order: the tie-break */
	char *text;
	size_t len;
};

struct tevent {
	enum mxt_status status;
	enum mxt_cause cause;
	json_t *json; /* only for JSON output */
};

struct run {
	char *key;              /* host \x1f queue id */
	size_t keylen;
	enum mxt_mta mta;
	struct tline *lines;
	size_t n, alloc;
	uint64_t dropped;       /* lines past TRACE_LINES_MAX */
	struct tevent *ev;
	size_t nev, evalloc;
	bool ev_match, mid_match;
};

/* What the pass told during the line being fed. */
struct heard {
	struct mxt_buf key;     /* the key of the callbacks, if any */
	bool has_key;
	bool started, ended;    /* for that key */
	bool end_last;          /* the last of start/end was an end */
	struct tevent *ev;
	size_t nev, evalloc;
	bool ev_match;          /* an event of the line matched */
};

struct mxt_trace {
	const struct mxt_trace_config *cfg;
	const struct mxt_trace_input *inputs;
	size_t ninputs;
	FILE *out;
	struct mxt_trace_result *res;
	int pass_no;            /* 1 or 2 */
	struct mxt_strmap selected; /* keys from pass 1 */
	struct mxt_strmap runs;     /* key -> struct run * (pass 2) */
	struct heard h;
	/* the line being fed */
	uint32_t src;
	long line_no;
	const char *line;
	size_t len;
	struct mxt_logline ll;
	bool framed;
	uint64_t seq;
	int64_t last_sec, last_nsec;
	struct mxt_clock clock;
	struct mxt_buf buf;
	char *utf8;             /* UTF-8 repair for JSON */
	bool first_json;
	bool event_criteria;    /* the selection looks at events */
	bool *failed;           /* inputs pass 1 could not read */
	bool write_failed;
};

/* ---- the selection -------------------------------------------------- */

static bool
glob_match(const char *glob, struct mxt_str s)
{
	char tmp[1024];
	if (glob == NULL)
		return true;
	/* a longer value (a sender of a few KiB) is matched too: the row of
	 * a report that groups by it prints a trace command for it */
	char *v = s.len < sizeof tmp ? tmp : xmalloc(s.len + 1);
	if (s.len > 0) /* an absent field is {NULL, 0}: no memcpy from NULL */
		memcpy(v, s.ptr, s.len);
	v[s.len] = '\0';
	bool match = fnmatch(glob, v, FNM_CASEFOLD) == 0;
	if (v != tmp)
		free(v);
	return match;
}

/* want (an option's value, so without NUL bytes) against the slice as
 * far as its first NUL byte: a log text with a NUL in a host name is
 * selected by the part a command line can carry (the trace commands of
 * report rows hold that part) */
static bool
str_is(const char *want, struct mxt_str s)
{
	if (want == NULL)
		return true;
	const char *nul = s.len > 0 ? memchr(s.ptr, '\0', s.len) : NULL;
	if (nul != NULL)
		s.len = (size_t)(nul - s.ptr);
	return mxt_str_eq_bytes(s, want, strlen(want));
}

bool
mxt_trace_select_event(const struct mxt_trace_select *sel,
    const struct mxt_event *ev)
{
	/* as the report's groups: by the reply that matters (an earlier
	 * MX's), so that a group's trace command selects its messages */
	struct mxt_event view;
	ev = mxt_event_matters(ev, &view);
	if (sel->no_code && ev->code == 0) {
		/* "--code none,4xx": no code is one item of the code list */
		struct mxt_filter f = sel->filter;
		f.ncodes = 0;
		if (!mxt_filter_match(&f, ev))
			return false;
	} else if (sel->no_code && sel->filter.ncodes == 0) {
		return false;
	} else if (!mxt_filter_match(&sel->filter, ev)) {
		return false;
	}
	if (!str_is(sel->queue_id, ev->queue_id) ||
	    !str_is(sel->log_host, ev->host))
		return false;
	if (!glob_match(sel->recipient, ev->recipient) ||
	    !glob_match(sel->sender, ev->sender))
		return false;
	if (sel->when != NULL) {
		char t[64];
		mxt_time_format(&ev->time, t, sizeof t);
		if (!ev->time.valid || strncmp(t, sel->when,
		    strlen(sel->when)) != 0)
			return false;
	}
	return true;
}

static bool
has_event_criteria(const struct mxt_trace_select *sel)
{
	const struct mxt_filter *f = &sel->filter;
	return f->has_since || f->has_until || f->domain_glob ||
	    f->nproviders || f->relay_glob || f->ncodes || !f->any_cause ||
	    !f->any_status || f->direction >= 0 || sel->no_code ||
	    sel->log_host || sel->recipient || sel->sender || sel->when;
}

/* The Message-ID of the selection on this raw line: Postfix cleanup
 * "message-id=<ID>", Exim "<=" lines' "id=ID". */
static bool
line_has_message_id(const char *mid, const char *line, size_t len)
{
	const char *end = line + len, *p = line;
	size_t n = strlen(mid);
	while ((p = find_lit(p, end, "id=")) != NULL) {
		const char *v = p + 3;
		p = v;
		if (v - line >= 4 && v[-4] != ' ' && v[-4] != '-')
			continue;
		bool angle = v < end && *v == '<';
		v += angle;
		if (!mxt_has_bytes(v, end, mid, n))
			continue;
		v += n;
		if (angle ? v < end && *v == '>' : v == end || *v == ' ' ||
		    *v == ',')
			return true;
	}
	return false;
}

/* ---- output ---------------------------------------------------------- */

static void
out_bytes(struct mxt_trace *t, const char *s, size_t n)
{
	if (n > 0 && fwrite(s, 1, n, t->out) != n)
		t->write_failed = true;
}

static json_t *
json_text(struct mxt_trace *t, const char *s, size_t len)
{
	size_t n = mxt_utf8_sanitize(s ? s : "", s ? len : 0, t->utf8,
	    3 * MXT_LINE_MAX + 1);
	return json_stringn(t->utf8, n);
}

static json_t *
json_str_or_null(struct mxt_trace *t, struct mxt_str s)
{
	return s.len ? json_text(t, s.ptr, s.len) : json_null();
}

/* An event as JSON: the fields of `mxtriage events` that say what
 * happened, and where (source, line). */
static json_t *
event_json(struct mxt_trace *t, const struct mxt_event *ev)
{
	char tm[64];
	json_t *o = json_object();
	mxt_time_format(&ev->time, tm, sizeof tm);
	json_object_set_new(o, "time", ev->time.valid ? json_string(tm) :
	    json_null());
	json_object_set_new(o, "status", json_string(mxt_status_name(ev->status)));
	json_object_set_new(o, "direction",
	    json_string(mxt_direction_name(ev->direction)));
	json_object_set_new(o, "service", json_str_or_null(t, ev->service));
	json_object_set_new(o, "recipient", json_str_or_null(t, ev->recipient));
	json_object_set_new(o, "domain", json_str_or_null(t, ev->domain));
	json_object_set_new(o, "provider", ev->provider ?
	    json_string(ev->provider) : json_null());
	json_object_set_new(o, "sender", json_str_or_null(t, ev->sender));
	json_object_set_new(o, "relay", json_str_or_null(t, ev->relay));
	json_object_set_new(o, "relay_ip", json_str_or_null(t, ev->relay_ip));
	json_object_set_new(o, "code", ev->code ? json_integer(ev->code) :
	    json_null());
	json_object_set_new(o, "dsn", ev->dsn[0] ? json_string(ev->dsn) :
	    json_null());
	const char *cause = mxt_cause_id(ev->cause);
	json_object_set_new(o, "cause", cause ? json_string(cause) : json_null());
	json_object_set_new(o, "text", json_str_or_null(t, ev->text));
	json_object_set_new(o, "source", json_text(t, ev->source,
	    ev->source ? strlen(ev->source) : 0));
	json_object_set_new(o, "line", json_integer(ev->line_no));
	return o;
}

static int
cmp_line(const void *a, const void *b)
{
	const struct tline *x = a, *y = b;
	if (x->sec != y->sec)
		return x->sec < y->sec ? -1 : 1;
	if (x->nsec != y->nsec)
		return x->nsec < y->nsec ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The summary of a run's events: "1 delivered, 2 deferred (greylisting)". */
static void
run_outcome(const struct run *r, struct mxt_buf *b)
{
	bool any = false;
	for (int st = 0; st < MXT_STATUS_COUNT; st++) {
		uint64_t n = 0;
		bool causes[MXT_CAUSE_COUNT] = {0};
		for (size_t i = 0; i < r->nev; i++)
			if (r->ev[i].status == (enum mxt_status)st) {
				n++;
				causes[r->ev[i].cause] = true;
			}
		if (n == 0)
			continue;
		mxt_buf_printf(b, "%s%llu %s", any ? ", " : "",
		    (unsigned long long)n, mxt_status_name(st));
		bool first = true;
		for (int c = 1; c < MXT_CAUSE_COUNT; c++)
			if (causes[c]) {
				mxt_buf_printf(b, "%s%s", first ? " (" : ", ",
				    mxt_cause_id(c));
				first = false;
			}
		if (!first)
			mxt_buf_printf(b, ")");
		any = true;
	}
	if (!any)
		mxt_buf_printf(b, "no delivery or rejection logged");
}

static void
write_run(struct mxt_trace *t, struct run *r)
{
	const char *sep = memchr(r->key, '\x1f', r->keylen);
	size_t hostlen = sep ? (size_t)(sep - r->key) : 0;
	const char *qid = sep ? sep + 1 : r->key;
	size_t qidlen = r->keylen - (size_t)(qid - r->key);

	qsort(r->lines, r->n, sizeof *r->lines, cmp_line);
	t->res->messages++;
	t->res->lines += r->n;
	if (t->cfg->json) {
		json_t *o = json_object();
		json_object_set_new(o, "host", hostlen ? json_text(t, r->key,
		    hostlen) : json_null());
		json_object_set_new(o, "queue_id", qidlen ? json_text(t, qid,
		    qidlen) : json_null());
		json_object_set_new(o, "mta", json_string(mxt_mta_name(r->mta)));
		json_t *lines = json_array();
		for (size_t i = 0; i < r->n; i++) {
			const struct tline *l = &r->lines[i];
			json_t *lo = json_object();
			const char *name = t->inputs[l->src].name;
			json_object_set_new(lo, "source", json_text(t, name,
			    strlen(name)));
			json_object_set_new(lo, "line", json_integer(l->line_no));
			json_object_set_new(lo, "text", json_text(t, l->text,
			    l->len));
			json_array_append_new(lines, lo);
		}
		json_object_set_new(o, "lines", lines);
		json_object_set_new(o, "lines_not_kept",
		    json_integer((json_int_t)r->dropped));
		json_t *evs = json_array();
		for (size_t i = 0; i < r->nev; i++) {
			json_array_append_new(evs, r->ev[i].json);
			r->ev[i].json = NULL;
		}
		json_object_set_new(o, "events", evs);
		char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(o);
		if (s == NULL)
			abort();
		out_bytes(t, t->first_json ? "\n" : ",\n",
		    t->first_json ? 1 : 2);
		out_bytes(t, s, strlen(s));
		free(s);
		t->first_json = false;
		return;
	}
	t->buf.len = 0;
	if (t->buf.p)
		t->buf.p[0] = '\0';
	if (t->res->messages > 1)
		out_bytes(t, "\n", 1);
	mxt_buf_printf(&t->buf, "# ");
	if (hostlen) {
		mxt_buf_append(&t->buf, r->key, hostlen);
		mxt_buf_printf(&t->buf, " ");
	}
	if (qidlen)
		mxt_buf_append(&t->buf, qid, qidlen);
	else
		mxt_buf_printf(&t->buf, "NOQUEUE");
	mxt_buf_printf(&t->buf, " (%s): ", mxt_mta_name(r->mta));
	run_outcome(r, &t->buf);
	if (r->dropped)
		mxt_buf_printf(&t->buf, "; %llu more lines not kept (at most "
		    "%d a message)", (unsigned long long)r->dropped,
		    TRACE_LINES_MAX);
	char *e = mxt_escape_terminal(t->buf.p, t->buf.len, 0);
	out_bytes(t, e, strlen(e));
	out_bytes(t, "\n", 1);
	free(e);
	for (size_t i = 0; i < r->n; i++) {
		const struct tline *l = &r->lines[i];
		const char *name = t->inputs[l->src].name;
		char *en = mxt_escape_terminal(name, strlen(name), 0);
		char *el = mxt_escape_terminal(l->text, l->len, 0);
		if (fprintf(t->out, "%s:%ld: %s\n", en, l->line_no, el) < 0)
			t->write_failed = true;
		free(en);
		free(el);
	}
}

static void
run_free(struct run *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->lines[i].text);
	for (size_t i = 0; i < r->nev; i++)
		json_decref(r->ev[i].json);
	free(r->lines);
	free(r->ev);
	free(r->key);
	free(r);
}

/* A run is done: printed when it is selected, then forgotten. */
static void
run_close(struct mxt_trace *t, struct run *r)
{
	const struct mxt_trace_select *sel = &t->cfg->sel;
	bool match = (!t->event_criteria || r->ev_match) &&
	    (sel->message_id == NULL || r->mid_match);
	if (match && r->n > 0)
		write_run(t, r);
	run_free(r);
}

/* ---- the pass's callbacks ------------------------------------------- */

static void
heard_key(struct mxt_trace *t, struct mxt_str host, struct mxt_str qid)
{
	if (t->h.has_key)
		return;
	mxt_summary_key(&t->h.key, host, qid, NULL);
	t->h.has_key = true;
}

static bool
heard_is(struct mxt_trace *t, struct mxt_str host, struct mxt_str qid)
{
	size_t n = t->h.key.len;
	/* an absent host or id is {NULL, 0}: no memcmp on NULL */
	return t->h.has_key && host.len + 1 + qid.len == n &&
	    (host.len == 0 || memcmp(t->h.key.p, host.ptr, host.len) == 0) &&
	    (qid.len == 0 || memcmp(t->h.key.p + host.len + 1, qid.ptr,
	    qid.len) == 0);
}

static bool
select_key(struct mxt_trace *t, const char *key, size_t len)
{
	bool added;
	if (mxt_strmap_get(&t->selected, key, len) != NULL)
		return true;
	if (mxt_strmap_put(&t->selected, key, len, &added) == NULL) {
		t->res->overflow_messages++;
		return false;
	}
	return true;
}

static void trace_line_alone(struct mxt_trace *t, const struct mxt_event *ev);

static void
on_event(void *arg, const struct mxt_event *ev)
{
	struct mxt_trace *t = arg;
	bool match = mxt_trace_select_event(&t->cfg->sel, ev);
	if (ev->queue_id.len == 0) {
		/* NOQUEUE: the line is the whole message */
		if (match && t->pass_no == 2 && t->cfg->sel.message_id == NULL)
			trace_line_alone(t, ev);
		return;
	}
	heard_key(t, ev->host, ev->queue_id);
	if (t->pass_no == 1) {
		if (match && t->cfg->sel.message_id == NULL) {
			mxt_summary_key(&t->buf, ev->host, ev->queue_id, NULL);
			select_key(t, t->buf.p, t->buf.len);
		}
		return;
	}
	if (!heard_is(t, ev->host, ev->queue_id))
		return;
	if (t->h.nev == t->h.evalloc) {
		t->h.evalloc = t->h.evalloc ? 2 * t->h.evalloc : 4;
		t->h.ev = xrealloc(t->h.ev, t->h.evalloc * sizeof *t->h.ev);
	}
	struct tevent *te = &t->h.ev[t->h.nev++];
	te->status = ev->status;
	te->cause = ev->cause;
	te->json = NULL;
	if (t->cfg->json) {
		te->json = event_json(t, ev);
		json_object_set_new(te->json, "mta",
		    json_string(mxt_mta_name(ev->mta)));
	}
	if (match)
		t->h.ev_match = true;
}

static void
on_message_start(void *arg, struct mxt_str host, struct mxt_str qid)
{
	struct mxt_trace *t = arg;
	heard_key(t, host, qid);
	if (heard_is(t, host, qid)) {
		t->h.started = true;
		t->h.end_last = false;
	}
}

static void
on_message_end(void *arg, struct mxt_str host, struct mxt_str qid)
{
	struct mxt_trace *t = arg;
	heard_key(t, host, qid);
	if (heard_is(t, host, qid)) {
		t->h.ended = true;
		t->h.end_last = true;
	}
}

/* ---- reading -------------------------------------------------------- */

/* Frames the current line (once): its time, host and message. */
static bool
frame(struct mxt_trace *t)
{
	if (!t->framed) {
		t->framed = true;
		if (!mxt_syslog_parse(&t->clock, t->line, t->len, &t->ll))
			t->ll.kind = MXT_HDR_NONE;
		else if (t->ll.host.len == 0 && t->cfg->pass.default_host)
			t->ll.host = mxt_str_make(t->cfg->pass.default_host,
			    strlen(t->cfg->pass.default_host));
	}
	return t->ll.kind != MXT_HDR_NONE;
}

/* The key of a line the pass said nothing about: the id that starts its
 * message ("3F2A1C0D9: ..." for Postfix, "1rAbCd-0001Xy-AB ..." for
 * Exim), under the logging host. */
static bool
line_key(struct mxt_trace *t)
{
	if (!frame(t))
		return false;
	const char *p = t->ll.msg.ptr, *end = p + t->ll.msg.len, *q = p;
	while (q < end && *q != ' ' && *q != ':' && q - p < 64)
		q++;
	if (q == p || q == end || q - p >= 64)
		return false;
	mxt_summary_key(&t->h.key, t->ll.host, mxt_str_make(p, (size_t)(q - p)),
	    NULL);
	t->h.has_key = true;
	return true;
}

static void
line_time(struct mxt_trace *t, int64_t *sec, int64_t *nsec)
{
	if (frame(t) && t->ll.time.valid) {
		int64_t ns = t->ll.time.frac;
		for (int d = t->ll.time.frac_digits; d < 9; d++)
			ns *= 10;
		t->last_sec = t->ll.time.sec;
		t->last_nsec = ns;
	}
	*sec = t->last_sec;
	*nsec = t->last_nsec;
}

static void
run_append(struct mxt_trace *t, struct run *r)
{
	if (r->n == TRACE_LINES_MAX) {
		r->dropped++;
		return;
	}
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? 2 * r->alloc : 16;
		r->lines = xrealloc(r->lines, r->alloc * sizeof *r->lines);
	}
	struct tline *l = &r->lines[r->n++];
	l->src = t->src;
	l->line_no = t->line_no;
	l->seq = t->seq;
	line_time(t, &l->sec, &l->nsec);
	l->text = xstrndup(t->line, t->len);
	l->len = t->len;
}

/* A NOQUEUE event that matches: its line, printed at once. */
static void
trace_line_alone(struct mxt_trace *t, const struct mxt_event *ev)
{
	struct run *r = xcalloc(1, sizeof *r);
	/* host \x1f and no queue id */
	mxt_summary_key(&t->buf, ev->host, mxt_str_make("", 0), NULL);
	r->key = xstrndup(t->buf.p, t->buf.len);
	r->keylen = t->buf.len;
	r->mta = ev->mta;
	run_append(t, r);
	r->ev = xcalloc(1, sizeof *r->ev);
	r->nev = 1;
	r->ev[0].status = ev->status;
	r->ev[0].cause = ev->cause;
	if (t->cfg->json)
		r->ev[0].json = event_json(t, ev);
	r->ev_match = true;
	write_run(t, r);
	run_free(r);
}

static struct run *
run_get(struct mxt_trace *t, bool create)
{
	struct mxt_strmap_slot *s = mxt_strmap_get(&t->runs, t->h.key.p,
	    t->h.key.len);
	if (s != NULL || !create)
		return s ? s->ptr : NULL;
	bool added;
	s = mxt_strmap_put(&t->runs, t->h.key.p, t->h.key.len, &added);
	struct run *r = xcalloc(1, sizeof *r);
	r->key = xstrndup(t->h.key.p, t->h.key.len);
	r->keylen = t->h.key.len;
	s->ptr = r;
	return r;
}

static void
run_forget(struct mxt_trace *t, struct run *r)
{
	struct mxt_strmap_slot *s = mxt_strmap_get(&t->runs, r->key, r->keylen);
	if (s != NULL)
		mxt_strmap_remove(&t->runs, s);
}

static void
heard_clear(struct mxt_trace *t)
{
	for (size_t i = 0; i < t->h.nev; i++)
		json_decref(t->h.ev[i].json);
	t->h.nev = 0;
	t->h.has_key = t->h.started = t->h.ended = t->h.end_last = false;
	t->h.ev_match = false;
	t->h.key.len = 0;
}

/* What the key of the current line selects, in pass 1. */
static void
after_line_1(struct mxt_trace *t)
{
	const struct mxt_trace_select *sel = &t->cfg->sel;
	if (sel->message_id != NULL) {
		if (!line_has_message_id(sel->message_id, t->line, t->len))
			return;
		if (!t->h.has_key && !line_key(t))
			return;
	} else if (t->event_criteria || !t->h.has_key) {
		return; /* on_event chose */
	}
	/* a queue id asked for (alone or with a Message-ID) */
	const char *sep = memchr(t->h.key.p, '\x1f', t->h.key.len);
	const char *qid = sep ? sep + 1 : t->h.key.p;
	if (sel->queue_id != NULL && !mxt_str_eq_bytes(mxt_str_make(qid,
	    t->h.key.len - (size_t)(qid - t->h.key.p)), sel->queue_id,
	    strlen(sel->queue_id)))
		return;
	select_key(t, t->h.key.p, t->h.key.len);
}

/* The current line into its message's run, in pass 2. */
static void
after_line_2(struct mxt_trace *t, enum mxt_mta mta)
{
	if (!t->h.has_key && !line_key(t))
		return;
	if (mxt_strmap_get(&t->selected, t->h.key.p, t->h.key.len) == NULL)
		return;
	struct run *r = run_get(t, false);
	if (r != NULL && t->h.started && r->n > 0) {
		/* the id came back for a new message: the old one is done */
		run_forget(t, r);
		run_close(t, r);
		r = NULL;
	}
	if (r == NULL)
		r = run_get(t, true);
	r->mta = mta;
	run_append(t, r);
	for (size_t i = 0; i < t->h.nev; i++) {
		if (r->nev == r->evalloc) {
			r->evalloc = r->evalloc ? 2 * r->evalloc : 4;
			r->ev = xrealloc(r->ev, r->evalloc * sizeof *r->ev);
		}
		r->ev[r->nev++] = t->h.ev[i];
		t->h.ev[i].json = NULL;
	}
	t->h.nev = 0;
	if (t->h.ev_match)
		r->ev_match = true;
	if (t->cfg->sel.message_id != NULL &&
	    line_has_message_id(t->cfg->sel.message_id, t->line, t->len))
		r->mid_match = true;
	if (t->h.ended && t->h.end_last) {
		run_forget(t, r);
		run_close(t, r);
	}
}

static int
cmp_run_first(const void *a, const void *b)
{
	const struct run *x = *(struct run *const *)a, *y = *(struct run *const *)b;
	uint64_t sx = x->n ? x->lines[0].seq : 0, sy = y->n ? y->lines[0].seq : 0;
	return sx < sy ? -1 : sx > sy;
}

/* The messages still open at the end: by their first line. */
static void
close_open_runs(struct mxt_trace *t)
{
	struct run **v = xcalloc(t->runs.count + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < t->runs.size; i++)
		if (t->runs.slots[i].key != NULL)
			v[n++] = t->runs.slots[i].ptr;
	qsort(v, n, sizeof *v, cmp_run_first);
	for (size_t i = 0; i < n; i++)
		run_close(t, v[i]);
	free(v);
	mxt_strmap_finish(&t->runs);
	mxt_strmap_init(&t->runs, 0);
}

/* Which MTA the pass gave the current line (for the message's label). */
static enum mxt_mta
line_mta(struct mxt_pass *p, uint64_t before[MXT_MTA_COUNT])
{
	for (int m = 0; m < MXT_MTA_COUNT; m++)
		if (p->stats.lines_mta[m] != before[m])
			return (enum mxt_mta)m;
	return MXT_MTA_POSTFIX;
}

static void
read_all(struct mxt_trace *t)
{
	struct mxt_pass_config pc = t->cfg->pass;
	pc.on_event = on_event;
	pc.on_message_start = on_message_start;
	pc.on_message_end = on_message_end;
	pc.event_arg = t;
	pc.on_unparsed = NULL;
	pc.on_time_jump = NULL;
	struct mxt_pass *p = mxt_pass_create(&pc);
	volatile sig_atomic_t *stop = t->cfg->pass.stop;

	t->seq = 0;
	t->last_sec = t->last_nsec = 0;
	for (size_t i = 0; i < t->ninputs && !(stop && *stop); i++) {
		struct mxt_error e = {0};
		if (t->pass_no == 2 && t->failed[i])
			continue; /* told once, in pass 1 */
		struct mxt_reader *rd = mxt_reader_open(t->inputs[i].path, &e);
		const char *line;
		size_t len;
		bool truncated;
		int rc = 0;
		if (rd != NULL) {
			time_t ref = mxt_reader_mtime(rd);
			if (ref == 0)
				ref = time(NULL);
			mxt_clock_init(&t->clock, pc.year, ref);
			t->src = (uint32_t)i;
			while (!(stop && *stop) && (rc = mxt_reader_next(rd,
			    &line, &len, &truncated, &e)) > 0) {
				uint64_t before[MXT_MTA_COUNT];
				memcpy(before, p->stats.lines_mta, sizeof before);
				t->line = line;
				t->len = len;
				t->line_no = mxt_reader_line_no(rd);
				t->framed = false;
				t->seq++;
				heard_clear(t);
				mxt_pass_line(p, t->inputs[i].name, t->line_no,
				    ref, line, len);
				if (t->pass_no == 1)
					after_line_1(t);
				else
					after_line_2(t, line_mta(p, before));
			}
			mxt_reader_close(rd);
		}
		if (rd == NULL || rc < 0) {
			/* the name the user knows, not a spool path */
			snprintf(e.source, sizeof e.source, "%s",
			    t->inputs[i].name);
			if (t->pass_no == 1) {
				t->res->inputs_failed++;
				t->failed[i] = true;
			} else if (rd != NULL) {
				continue; /* read as far as pass 1 did */
			} else {
				t->res->inputs_failed++; /* gone since */
			}
			if (t->cfg->on_error != NULL)
				t->cfg->on_error(t->cfg->error_arg, &e);
		}
	}
	heard_clear(t);
	mxt_pass_destroy(p);
}

int
mxt_trace_run(const struct mxt_trace_config *cfg,
    const struct mxt_trace_input *inputs, size_t n, FILE *out,
    struct mxt_trace_result *res)
{
	struct mxt_trace t = {.cfg = cfg, .inputs = inputs, .ninputs = n,
	    .out = out, .res = res, .first_json = true};
	memset(res, 0, sizeof *res);
	mxt_strmap_init(&t.selected, cfg->max_messages ? cfg->max_messages :
	    MXT_TRACE_MESSAGES_MAX);
	mxt_strmap_init(&t.runs, 0);
	t.utf8 = xmalloc(3 * MXT_LINE_MAX + 1);
	t.event_criteria = has_event_criteria(&cfg->sel);
	t.failed = xcalloc(n + 1, sizeof *t.failed);

	if (cfg->json)
		out_bytes(&t, "{\"schema\": \"" MXT_TRACE_SCHEMA "\", "
		    "\"messages\": [", sizeof "{\"schema\": \""
		    MXT_TRACE_SCHEMA "\", \"messages\": [" - 1);
	t.pass_no = 1;
	read_all(&t);
	res->selected = t.selected.count;
	t.pass_no = 2;
	if (!(cfg->pass.stop && *cfg->pass.stop))
		read_all(&t);
	close_open_runs(&t);
	if (cfg->json) {
		char tail[256];
		int k = snprintf(tail, sizeof tail, "%s], \"count\": %llu, "
		    "\"not_followed\": %llu}\n", t.first_json ? "" : "\n",
		    (unsigned long long)res->messages,
		    (unsigned long long)res->overflow_messages);
		out_bytes(&t, tail, (size_t)k);
	}
	heard_clear(&t);
	free(t.h.ev);
	free(t.h.key.p);
	free(t.buf.p);
	free(t.utf8);
	free(t.failed);
	mxt_strmap_finish(&t.selected);
	mxt_strmap_finish(&t.runs);
	if (fflush(out) != 0 || ferror(out))
		t.write_failed = true;
	return t.write_failed ? -1 : 0;
}
