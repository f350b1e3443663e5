/*
 * pass.c - one pass over the inputs: lines -> header -> dialect -> events.
 *
 * The pass owns what no dialect may touch (statistics, the clock for year
 * inference, the message tracker) and hands each dialect only a sink
 * (dialect.h): emit, unparsed, the message entry of (host, id), a named
 * counter. The header framings (framing.c) and the dialects (dialects.c)
 * are registries of their own. Each line is offered to the dialects in
 * order; the first that claims it parses it. Nothing here allocates per
 * line.
 */
#include "pass.h"
#include "inputs.h"

#include <assert.h>
#include <stdlib.h>

#define dialects mxt_dialects

static void sink_emit(void *ctx, struct mxt_event *ev, struct mxt_msg *m);
static void sink_unparsed(void *ctx, const char *reason);
static struct mxt_msg *sink_msg_get(void *ctx, struct mxt_str host,
    struct mxt_str id);
static struct mxt_msg *sink_msg_add(void *ctx, struct mxt_str host,
    struct mxt_str id);
static struct mxt_msg *sink_msg_start(void *ctx, struct mxt_str host,
    struct mxt_str id);
static void sink_msg_end(void *ctx, struct mxt_str host, struct mxt_str id);
static void sink_count(void *ctx, enum mxt_counter c);
static void sink_local(void *ctx, const struct mxt_local *l);
static void sink_attempt(void *ctx, struct mxt_str host, struct mxt_str tag,
    struct mxt_str qid, const struct mxt_time *t, const struct mxt_attempt *a);
static void sink_attempts_take(void *ctx, struct mxt_str host,
    struct mxt_str tag, struct mxt_event *ev);
static bool sink_attempts_pending(void *ctx, struct mxt_str host,
    struct mxt_str tag, const struct mxt_time *t);
static void sink_received(void *ctx, struct mxt_received *r,
    struct mxt_msg *m);

/* The warm sink (mxt_pass_warm_line): all but the replies go nowhere. */
static void warm_emit(void *ctx, struct mxt_event *ev, struct mxt_msg *m) {}
static void warm_unparsed(void *ctx, const char *reason) {}
static struct mxt_msg *
warm_msg(void *ctx, struct mxt_str host, struct mxt_str id)
{
	return NULL;
}
static void warm_msg_end(void *ctx, struct mxt_str host, struct mxt_str id) {}
static void warm_count(void *ctx, enum mxt_counter c) {}
static void warm_local(void *ctx, const struct mxt_local *l);
static void
warm_received(void *ctx, struct mxt_received *r, struct mxt_msg *m)
{
}

struct mxt_pass *
mxt_pass_create(const struct mxt_pass_config *cfg)
{
	struct mxt_pass *p = xcalloc(1, sizeof *p);
	p->cfg = *cfg;
	if (cfg->default_host != NULL)
		p->default_host = mxt_str_make(cfg->default_host,
		    strlen(cfg->default_host));
	/* eviction at the cap is counted, not told: the message did not
	 * leave the queue (a summary keeps it open for a merge) */
	p->track = mxt_track_create(cfg->track_cap, &p->stats.track_overflow,
	    NULL, NULL);
	p->attempts = mxt_attempts_create(&p->stats.attempts_overflow,
	    &p->stats.attempts_dropped);
	p->spans = xcalloc(1, sizeof *p->spans);
	mxt_clock_init(&p->clock, cfg->year, 0);
	p->sink = (struct mxt_sink){.ctx = p, .emit = sink_emit,
	    .unparsed = sink_unparsed, .msg_get = sink_msg_get,
	    .msg_add = sink_msg_add, .msg_start = sink_msg_start,
	    .msg_end = sink_msg_end,
	    .count = sink_count, .local = sink_local, .attempt = sink_attempt,
	    .attempts_take = sink_attempts_take,
	    .attempts_pending = sink_attempts_pending,
	    .received = sink_received, .later = cfg->classify_later};
	p->warm = (struct mxt_sink){.ctx = p, .emit = warm_emit,
	    .unparsed = warm_unparsed, .msg_get = warm_msg,
	    .msg_add = warm_msg, .msg_start = warm_msg,
	    .msg_end = warm_msg_end, .count = warm_count, .local = warm_local,
	    .attempt = sink_attempt, .attempts_take = sink_attempts_take,
	    .attempts_pending = sink_attempts_pending,
	    .received = warm_received};
	struct mxt_dialect_options o = {.syslog_name = cfg->syslog_name};
	assert(mxt_dialect_count <= MXT_MTA_COUNT);
	for (size_t i = 0; i < mxt_dialect_count; i++)
		if (dialects[i]->create != NULL)
			p->dialect_state[i] = dialects[i]->create(&o);
	return p;
}

void
mxt_pass_destroy(struct mxt_pass *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < mxt_dialect_count; i++)
		if (dialects[i]->destroy != NULL)
			dialects[i]->destroy(p->dialect_state[i]);
	mxt_track_destroy(p->track);
	mxt_attempts_destroy(p->attempts);
	mxt_spans_finish(p->spans);
	free(p->spans);
	free(p->wants);
	free(p->warm_clock);
	free(p);
}

const struct mxt_stats *
mxt_pass_stats(const struct mxt_pass *p)
{
	return &p->stats;
}

const struct mxt_input_span *
mxt_pass_inputs(const struct mxt_pass *p, size_t *n)
{
	*n = p->spans->n;
	return p->spans->v;
}

/* FNV-1a 64 (public domain, http://www.isthe.com/chongo/tech/comp/fnv/):
 * the event id is written down in the man page, so it must stay this
 * function whatever hash the rest of the library uses. */
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static uint64_t
fnv1a(uint64_t h, const void *data, size_t n)
{
	const unsigned char *b = data;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

/* fnv1a over the decimal digits of v (no snprintf per event) */
static uint64_t
fnv1a_decimal(uint64_t h, uint64_t v)
{
	char digits[20];
	size_t n = 0;
	do
		digits[sizeof digits - ++n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return fnv1a(h, digits + sizeof digits - n, n);
}

char *
mxt_event_id_format(uint64_t id, char *buf)
{
	/* every event of `events` has one: eight nibbles spread to the
	 * bytes of a word, then '0'-'9' or 'a'-'f' for all eight at once,
	 * not a digit at a time */
	for (int half = 0; half < 2; half++) {
		uint64_t x = (uint32_t)(id >> (32 - 32 * half));
		x = (x | x << 16) & 0x0000FFFF0000FFFFull;
		x = (x | x << 8) & 0x00FF00FF00FF00FFull;
		x = (x | x << 4) & 0x0F0F0F0F0F0F0F0Full;
		/* 0x27 more for each nibble from 10: 'a' - '0' - 10 */
		uint64_t letters = ((x + 0x0606060606060606ull) >> 4) &
		    0x0101010101010101ull;
		x += 0x3030303030303030ull + letters * 0x27;
		/* the first nibble is in the highest byte: the text starts
		 * with it */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		x = __builtin_bswap64(x);
		memcpy(buf + 8 * half, &x, 8);
#else
		for (int i = 0; i < 8; i++)
			buf[8 * half + i] = (char)(x >> (56 - 8 * i));
#endif
	}
	buf[16] = '\0';
	return buf;
}

void
mxt_pass_input_identity(struct mxt_pass *p, const char *line, size_t len)
{
	p->identity_next = fnv1a(fnv1a(FNV_OFFSET, line, len), "", 1);
	p->identity_set = true;
}

/* host, line number and the event's place in its line, after the input's
 * identity (struct mxt_pass.input_hash) */
static uint64_t
event_id(uint64_t input_hash, struct mxt_str host, long line_no,
    unsigned seq)
{
	uint64_t h = fnv1a(input_hash, host.ptr, host.len);
	h = fnv1a(h, "", 1);
	h = fnv1a_decimal(h, (uint64_t)(line_no > 0 ? line_no : 0));
	h = fnv1a(h, "", 1);
	return fnv1a_decimal(h, seq);
}

/* Cheap test for lines that carry a delivery or rejection but have no
 * header we know: they are reported, not dropped in silence. */
static bool
looks_like_mail_event(const char *line, size_t len)
{
	const char *end = line + len;
	for (size_t i = 0; i < mxt_dialect_count; i++)
		if (dialects[i]->headerless != NULL &&
		    dialects[i]->headerless(line, len))
			return false;
	return find_lit(line, end, "status=") != NULL ||
	    find_lit(line, end, "reject: ") != NULL;
}

void
mxt_pass_line(struct mxt_pass *p, const char *source, long line_no,
    time_t reference, const char *line, size_t len)
{
	mxt_spans_source(p->spans, source);
	mxt_pass_line_in_span(p, source, line_no, reference, line, len);
}

void
mxt_pass_line_in_span(struct mxt_pass *p, const char *source, long line_no,
    time_t reference, const char *line, size_t len)
{
	struct mxt_logline ll;

	if (reference != p->clock.reference && reference != 0)
		mxt_clock_init(&p->clock, p->cfg.year, reference);
	p->source = source;
	p->line_no = line_no;
	p->line = line;
	p->line_len = len;
	p->sink.source = source;
	p->sink.line_no = line_no;
	p->stats.lines++;
	p->stats.bytes += len + 1;
	mxt_spans_line(p->spans);
	p->line_events = 0;
	if (p->input_span != p->spans->n) {
		/* the first line of an input: its identity for event ids */
		p->input_span = p->spans->n;
		p->input_hash = p->identity_set ? p->identity_next :
		    fnv1a(fnv1a(FNV_OFFSET, line, len), "", 1);
	}
	p->identity_set = false;

	if (!mxt_syslog_parse(&p->clock, line, len, &ll)) {
		p->stats.lines_no_header++;
		if (looks_like_mail_event(line, len))
			sink_unparsed(p, "no log header mxtriage knows");
		return;
	}
	if (ll.host.len == 0)
		ll.host = p->default_host;
	p->program = ll.program;
	p->line_host = ll.host;
	p->pid = ll.pid;
	for (size_t i = 0; i < mxt_dialect_count; i++) {
		const struct mxt_dialect *d = dialects[i];
		if (p->cfg.mtas && !(p->cfg.mtas & (1u << d->mta)))
			continue;
		if (d->claim(p->dialect_state[i], &ll)) {
			p->stats.lines_mta[d->mta]++;
			if (ll.time.valid) {
				if (!p->stats.first.valid ||
				    ll.time.sec < p->stats.first.sec)
					p->stats.first = ll.time;
				if (!p->stats.last.valid ||
				    ll.time.sec >= p->stats.last.sec)
					p->stats.last = ll.time;
				if (!p->stats.first_line.valid)
					p->stats.first_line = ll.time;
				p->stats.last_line = ll.time;
				struct mxt_time_jump j;
				if (mxt_spans_time(p->spans, &ll.time, line_no,
				    &j) && p->cfg.on_time_jump != NULL)
					p->cfg.on_time_jump(
					    p->cfg.time_jump_arg, &j);
			}
			d->parse(p->dialect_state[i], &p->sink, &ll);
			return;
		}
	}
}

void
mxt_pass_final_input(struct mxt_pass *p)
{
	p->sink.final_input = true;
}

bool
mxt_pass_warm_line(struct mxt_pass *p, const char *source, long line_no,
    time_t reference, const char *line, size_t len)
{
	struct mxt_logline ll;
	/* a clock keeps state across lines (Exim's foreground output,
	 * container tools' split lines): the warm lines leave the pass's
	 * clock as it was */
	if (p->warm_clock == NULL) {
		p->warm_clock = xcalloc(1, sizeof *p->warm_clock);
		mxt_clock_init(p->warm_clock, p->cfg.year, reference);
	} else if (reference != p->warm_clock->reference && reference != 0) {
		mxt_clock_init(p->warm_clock, p->cfg.year, reference);
	}
	if (!mxt_syslog_parse(p->warm_clock, line, len, &ll))
		return false;
	if (ll.host.len == 0)
		ll.host = p->default_host;
	p->line_no = line_no;
	/* the process of a warning (line_process); the next line read
	 * sets them again */
	p->program = ll.program;
	p->line_host = ll.host;
	p->pid = ll.pid;
	p->warm.source = source;
	p->warm.line_no = line_no;
	p->warm.final_input = p->sink.final_input;
	for (size_t i = 0; i < mxt_dialect_count; i++) {
		const struct mxt_dialect *d = dialects[i];
		if (p->cfg.mtas && !(p->cfg.mtas & (1u << d->mta)))
			continue;
		if (d->claim(p->dialect_state[i], &ll)) {
			d->parse(p->dialect_state[i], &p->warm, &ll);
			return true;
		}
	}
	return true;
}

int
mxt_pass_read(struct mxt_pass *p, const char *path, struct mxt_error *err)
{
	struct mxt_reader *r = mxt_reader_open(path, err);

	if (r == NULL) {
		mxt_spans_begin(p->spans, strcmp(path, "-") == 0 ? "<stdin>" :
		    path);
		p->stats.inputs_failed++;
		return -1;
	}
	mxt_reader_set_ahead(r, p->cfg.read_ahead);
	int rc = mxt_pass_read_reader(p, r, err);
	mxt_reader_close(r);
	return rc;
}

int
mxt_pass_read_reader(struct mxt_pass *p, struct mxt_reader *r,
    struct mxt_error *err)
{
	const char *line;
	size_t len;
	bool truncated;
	int rc = 0;

	/* a reader read again (a follower) goes on in its span */
	if (mxt_reader_line_no(r) == 0)
		mxt_spans_begin(p->spans, mxt_reader_name(r));
	else
		mxt_spans_source(p->spans, mxt_reader_name(r));
	if (p->cfg.on_wait != NULL)
		mxt_reader_set_wait(r, p->cfg.on_wait, p->cfg.wait_arg);
	time_t ref = mxt_reader_mtime(r);
	if (ref == 0)
		ref = time(NULL);
	/* The stop flag is polled once per line: a signal handler only sets
	 * it, and the line being parsed is finished first, so every event
	 * handed out is whole. */
	while (!(p->cfg.stop != NULL && *p->cfg.stop) &&
	    (rc = mxt_reader_next(r, &line, &len, &truncated, err)) > 0) {
		if (truncated)
			p->stats.lines_truncated++;
		mxt_pass_line_in_span(p, mxt_reader_name(r),
		    mxt_reader_line_no(r), ref, line, len);
	}
	if (rc < 0) {
		p->stats.inputs_failed++;
		return -1;
	}
	return 0;
}

void
mxt_pass_finish(struct mxt_pass *p)
{
	/* the messages begun and not yet in the queue: a merge with the
	 * summary after this one counts them there (struct mxt_received) */
	if (p->cfg.on_received == NULL)
		return;
	for (const struct mxt_msg *m = mxt_track_oldest(p->track); m != NULL;
	    m = m->newer) {
		if (m->recv != MXT_RECV_DUE)
			continue;
		struct mxt_received r = {.kind = MXT_RECEIVED_DUE,
		    .mta = MXT_MTA_POSTFIX,
		    .host = mxt_str_make(m->host, m->host_len),
		    .id = mxt_str_make(m->id, m->id_len)};
		p->cfg.on_received(p->cfg.event_arg, &r);
	}
}

/* The domain of an address: after the last '@', lower-cased. */
static struct mxt_str
domain_of(struct mxt_str addr, char *buf, size_t size)
{
	/* the last '@' (memrchr: a word at a time, where a loop read the
	 * domain backwards a byte at a time for every event) */
	const char *at = addr.len > 0 ? memrchr(addr.ptr, '@', addr.len) :
	    NULL;
	if (at == NULL)
		return mxt_str_make("", 0);
	at++;
	size_t n = lower_copy(buf, size, at,
	    (size_t)(addr.ptr + addr.len - at));
	return mxt_str_make(buf, n);
}

/* The event's domain (unless a dialect set one) and sender's domain. */
static void
set_domains(struct mxt_event *ev, struct mxt_event_scratch *sc)
{
	if (ev->domain.ptr == NULL)
		ev->domain = domain_of(ev->recipient, sc->domain,
		    sizeof sc->domain);
	ev->sender_domain = domain_of(ev->sender, sc->sender_domain,
	    sizeof sc->sender_domain);
}

void
mxt_event_finish(struct mxt_event *ev, struct mxt_event_scratch *sc)
{
	if (!ev->unfinished)
		return;
	if (ev->unread.ptr != NULL)
		for (size_t i = 0; i < mxt_dialect_count; i++)
			if (dialects[i]->mta == ev->mta)
				dialects[i]->finish(ev);
	if (ev->id_wanted)
		ev->event_id = event_id(ev->id_base, ev->host, ev->line_no,
		    ev->id_seq);
	set_domains(ev, sc);
	ev->unfinished = false;
}

/* ---- linking failures to warnings (struct mxt_link) ----------------- */

/* The process of the current line: host, program and pid, hashed. */
static uint64_t
line_process(const struct mxt_pass *p)
{
	uint64_t h = fnv1a(FNV_OFFSET, p->line_host.ptr, p->line_host.len);
	h = fnv1a(h, "", 1);
	h = fnv1a(h, p->program.ptr, p->program.len);
	h = fnv1a(h, "", 1);
	return fnv1a(h, p->pid.ptr, p->pid.len);
}

/* Sets ev->warning to the newest warning of process proc (the line's,
 * line_process) within MXT_LINK_LINES lines and returns true; false when
 * there is none. */
static bool
find_link(struct mxt_pass *p, uint64_t proc, struct mxt_event *ev)
{
	for (size_t k = 0; k < p->links_count; k++) {
		size_t i = (p->links_head + MXT_LINK_WARNINGS - 1 - k) %
		    MXT_LINK_WARNINGS;
		const struct mxt_link *w = &p->links[i];
		if (p->stats.lines - w->line > MXT_LINK_LINES)
			break; /* older ones are older still */
		if (w->proc == proc) {
			ev->warning = mxt_str_make(w->text, w->len);
			return true;
		}
	}
	return false;
}

/* find_link; when there is none, in the first MXT_LINK_LINES lines,
 * keeps a want for parallel.c. */
static void
link_warning(struct mxt_pass *p, struct mxt_event *ev)
{
	if (p->pid.len == 0)
		return; /* no process to tell apart */
	uint64_t proc = line_process(p);
	if (find_link(p, proc, ev) || p->stats.lines > MXT_LINK_LINES)
		return;
	if (p->nwants == MXT_LINK_WANTS_MAX) {
		p->wants_full = true;
		return;
	}
	if (p->wants == NULL)
		p->wants = xcalloc(MXT_LINK_WANTS_MAX, sizeof *p->wants);
	p->wants[p->nwants++] = (struct mxt_link){.proc = proc,
	    .line = p->stats.lines};
}

struct mxt_link *
mxt_pass_link_slot(struct mxt_pass *p)
{
	struct mxt_link *w = &p->links[p->links_head];
	p->links_head = (p->links_head + 1) % MXT_LINK_WARNINGS;
	if (p->links_count < MXT_LINK_WARNINGS)
		p->links_count++;
	return w;
}

/* A warning failures may be linked to goes into the ring as read at
 * line (the pass's count; for a warm line its number, up to 0 before the
 * first line read: the distance is taken modulo 2^64, as for links
 * restored from --state). */
static void
keep_link(struct mxt_pass *p, const struct mxt_local *l, uint64_t line)
{
	if (!l->links || p->pid.len == 0)
		return;
	struct mxt_link *w = mxt_pass_link_slot(p);
	w->proc = line_process(p);
	w->line = line;
	w->len = mxt_ourside_key(l->level, l->text.ptr, l->text.len, w->text,
	    sizeof w->text);
}

static void
sink_local(void *ctx, const struct mxt_local *l)
{
	struct mxt_pass *p = ctx;
	keep_link(p, l, p->stats.lines);
	if (p->cfg.on_local != NULL)
		p->cfg.on_local(p->cfg.local_arg, l);
}

/* A warm line's warning: into the ring, nothing else of it. */
static void
warm_local(void *ctx, const struct mxt_local *l)
{
	struct mxt_pass *p = ctx;
	keep_link(p, l, (uint64_t)p->line_no);
}

/* ---- the sink the dialects write into (dialect.h) ------------------- */

void
mxt_event_classify(struct mxt_classifier *c, struct mxt_event *ev)
{
	size_t ri;
	struct mxt_rule_info info;
	struct mxt_event view;
	ev->cause = mxt_classify_index(c, mxt_event_matters(ev, &view), &ri);
	if (ri != SIZE_MAX && mxt_classifier_rule(c, ri, &info)) {
		ev->rule = info.name;
		ev->rule_origin = info.origin;
		ev->rule_line = info.line;
	}
	mxt_provider_roll(c, ev, &ev->provider, &ev->via);
	if (!mxt_ourside_wants_link(ev))
		ev->warning = mxt_str_make("", 0);
}

static void
sink_emit(void *ctx, struct mxt_event *ev, struct mxt_msg *m)
{
	struct mxt_pass *p = ctx;
	ev->source = p->source;
	ev->line_no = p->line_no;
	unsigned seq = p->line_events++;
	if (p->cfg.classify_later) {
		/* the id and the domains on the consumer's thread
		 * (mxt_event_finish): the reading thread is the slower one */
		ev->unfinished = true;
		ev->id_wanted = !p->cfg.no_event_ids;
		ev->id_base = p->input_hash;
		ev->id_seq = seq;
		ev->event_id = 0;
	} else {
		ev->unfinished = false;
		ev->event_id = p->cfg.no_event_ids ? 0 :
		    event_id(p->input_hash, ev->host, p->line_no, seq);
	}
	if (ev->mta == MXT_MTA_POSTFIX) {
		/* "postfix-out/smtp": the instance is the syslog name */
		const char *slash = memchr(p->program.ptr, '/', p->program.len);
		ev->instance = mxt_str_make(p->program.ptr, slash ?
		    (size_t)(slash - p->program.ptr) : p->program.len);
	}
	if (!ev->unfinished)
		set_domains(ev, &p->scratch);
	if (ev->queue_id.len > 0) {
		/* Every message with an event has an entry, also one whose
		 * first lines were not in the log: so on_message_end reaches
		 * the consumer for each message it met. A dialect that holds
		 * the entry hands it over (no second lookup). */
		if (m == NULL)
			m = mxt_track_add(p->track, ev->host, ev->queue_id);
		ev->msg_start_seen = m != NULL && m->start_seen;
		if (m != NULL && m->message_id != NULL)
			ev->message_id = mxt_str_make(m->message_id,
			    strlen(m->message_id));
	}
	/* the cause is that of the reply that matters (attempts.c) */
	ev->matters = mxt_attempts_matter(ev);
	ev->warning = mxt_str_make("", 0);
	if (p->cfg.classifier != NULL) {
		mxt_event_classify(p->cfg.classifier, ev);
		if (mxt_ourside_wants_link(ev))
			link_warning(p, ev);
	} else if (p->cfg.classify_later && p->pid.len > 0 &&
	    ev->status != MXT_STATUS_DELIVERED &&
	    ev->status != MXT_STATUS_EXPIRED) {
		/* the warning the event links to if its cause wants one
		 * (mxt_event_classify decides); no wants: this pass is
		 * never a piece of parallel.c */
		find_link(p, line_process(p), ev);
	}
	p->stats.events[ev->status]++;
	p->cfg.on_event(p->cfg.event_arg, ev);
}

static void
sink_unparsed(void *ctx, const char *reason)
{
	struct mxt_pass *p = ctx;
	p->stats.unparsed++;
	if (p->cfg.on_unparsed)
		p->cfg.on_unparsed(p->cfg.unparsed_arg, p->source, p->line_no, reason,
		    p->line, p->line_len);
}

static struct mxt_msg *
sink_msg_get(void *ctx, struct mxt_str host, struct mxt_str id)
{
	struct mxt_pass *p = ctx;
	return mxt_track_get(p->track, host, id);
}

static struct mxt_msg *
sink_msg_add(void *ctx, struct mxt_str host, struct mxt_str id)
{
	struct mxt_pass *p = ctx;
	return mxt_track_add(p->track, host, id);
}

static struct mxt_msg *
sink_msg_start(void *ctx, struct mxt_str host, struct mxt_str id)
{
	struct mxt_pass *p = ctx;
	struct mxt_msg *m = mxt_track_add(p->track, host, id);
	if (m != NULL && !m->start_seen) {
		m->start_seen = true;
		if (p->cfg.on_message_start != NULL)
			p->cfg.on_message_start(p->cfg.event_arg, host, id);
	}
	return m;
}

static void
sink_msg_end(void *ctx, struct mxt_str host, struct mxt_str id)
{
	struct mxt_pass *p = ctx;
	struct mxt_msg *m = mxt_track_get(p->track, host, id);
	p->ending = m;
	if (p->cfg.on_message_end != NULL)
		p->cfg.on_message_end(p->cfg.event_arg, host, id);
	p->ending = NULL;
	mxt_track_remove(p->track, m);
}

static void
sink_count(void *ctx, enum mxt_counter c)
{
	struct mxt_pass *p = ctx;
	switch (c) {
	case MXT_COUNTER_PROBES:
		p->stats.probes++;
		break;
	case MXT_COUNTER_REJECT_WARNINGS:
		p->stats.reject_warnings++;
		break;
	case MXT_COUNTER_COUNT:
		assert(!"not a counter");
	}
}

static void
sink_attempt(void *ctx, struct mxt_str host, struct mxt_str tag,
    struct mxt_str qid, const struct mxt_time *t, const struct mxt_attempt *a)
{
	struct mxt_pass *p = ctx;
	mxt_attempts_add(p->attempts, host, tag, qid, t, p->line_no, a);
}

static void
sink_attempts_take(void *ctx, struct mxt_str host, struct mxt_str tag,
    struct mxt_event *ev)
{
	struct mxt_pass *p = ctx;
	mxt_attempts_take(p->attempts, host, tag, ev);
}

static bool
sink_attempts_pending(void *ctx, struct mxt_str host, struct mxt_str tag,
    const struct mxt_time *t)
{
	struct mxt_pass *p = ctx;
	return mxt_attempts_pending(p->attempts, host, tag, t);
}

/*
 * Postfix logs a message's size each time it enters the active queue:
 * only the first is told, as received when cleanup's message-id= line
 * was read, else as met in progress; a refusal (r->refused) ends the
 * message's count too. Exim's lines (m NULL) are logged once: told as
 * they are.
 */
static void
sink_received(void *ctx, struct mxt_received *r, struct mxt_msg *m)
{
	struct mxt_pass *p = ctx;
	if (m != NULL) {
		if (m->recv == MXT_RECV_DONE)
			return;
		r->kind = m->recv == MXT_RECV_DUE ? MXT_RECEIVED :
		    MXT_RECEIVED_MET;
		m->recv = MXT_RECV_DONE;
		if (r->refused && r->kind == MXT_RECEIVED)
			return; /* begun here, refused here: nothing to tell */
	}
	if (p->cfg.on_received != NULL)
		p->cfg.on_received(p->cfg.event_arg, r);
}

size_t
mxt_pass_tracked(const struct mxt_pass *p)
{
	return mxt_track_count(p->track);
}
