/*
 * pass.c - one pass over the inputs: lines -> header -> dialect -> events.
 *
 * The pass owns the state shared by all dialects (statistics, the clock
 * for year inference, the message tracker) and the registry of dialects.
 * Each line is offered to the dialects in order; the first that claims it
 * parses it. Nothing here allocates per line.
 */
#include "internal.h"

#include <stdlib.h>

/* Registry of log dialects; the first whose claim() accepts a line wins. */
static const struct mxt_dialect *const dialects[] = {
	&mxt_dialect_postfix,
	&mxt_dialect_exim,
};

struct mxt_pass *
mxt_pass_create(const struct mxt_pass_config *cfg)
{
	struct mxt_pass *p = xcalloc(1, sizeof *p);
	p->cfg = *cfg;
	if (cfg->syslog_name != NULL)
		p->syslog_name_len = strlen(cfg->syslog_name);
	p->track = mxt_track_create(cfg->track_cap, &p->stats.track_overflow);
	mxt_clock_init(&p->clock, cfg->year, 0);
	return p;
}

void
mxt_pass_destroy(struct mxt_pass *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < sizeof dialects / sizeof dialects[0]; i++)
		if (dialects[i]->destroy != NULL)
			dialects[i]->destroy(p);
	mxt_track_destroy(p->track);
	free(p);
}

const struct mxt_stats *
mxt_pass_stats(const struct mxt_pass *p)
{
	return &p->stats;
}

/* Cheap test for lines that carry a delivery or rejection but have no
 * header we know: they are reported, not dropped in silence. */
static bool
looks_like_mail_event(const char *line, size_t len)
{
	const char *end = line + len;
	if (mxt_exim_dump_line(line, len))
		return false;
	return find_lit(line, end, "status=") != NULL ||
	    find_lit(line, end, "reject: ") != NULL;
}

void
mxt_pass_line(struct mxt_pass *p, const char *source, long line_no,
    time_t reference, const char *line, size_t len)
{
	struct mxt_logline ll;

	if (reference != p->clock.reference && reference != 0)
		mxt_clock_init(&p->clock, p->cfg.year, reference);
	p->source = source;
	p->line_no = line_no;
	p->line = line;
	p->line_len = len;
	p->stats.lines++;
	p->stats.bytes += len + 1;

	if (!mxt_syslog_parse(&p->clock, line, len, &ll)) {
		p->stats.lines_no_header++;
		if (looks_like_mail_event(line, len))
			mxt_pass_unparsed(p, "no log header mxtriage knows");
		return;
	}
	for (size_t i = 0; i < sizeof dialects / sizeof dialects[0]; i++) {
		const struct mxt_dialect *d = dialects[i];
		if (p->cfg.mtas && !(p->cfg.mtas & (1u << d->mta)))
			continue;
		if (d->claim(p, &ll)) {
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
			}
			d->parse(p, &ll);
			return;
		}
	}
}

int
mxt_pass_read(struct mxt_pass *p, const char *path, struct mxt_error *err)
{
	struct mxt_reader *r = mxt_reader_open(path, err);
	const char *line;
	size_t len;
	bool truncated;
	int rc = 0;

	if (r == NULL) {
		p->stats.inputs_failed++;
		return -1;
	}
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
		mxt_pass_line(p, mxt_reader_name(r), mxt_reader_line_no(r),
		    ref, line, len);
	}
	mxt_reader_close(r);
	if (rc < 0) {
		p->stats.inputs_failed++;
		return -1;
	}
	return 0;
}

void
mxt_pass_finish(struct mxt_pass *p)
{
	(void)p;
}

void
mxt_event_init(struct mxt_event *ev, const struct mxt_logline *ll,
    enum mxt_mta mta)
{
	memset(ev, 0, sizeof *ev);
	ev->time = ll->time;
	ev->host = ll->host;
	ev->mta = mta;
}

/* The domain of an address: after the last '@', lower-cased. */
static struct mxt_str
domain_of(struct mxt_str addr, char *buf, size_t size)
{
	const char *at = NULL;
	for (size_t i = addr.len; i > 0; i--)
		if (addr.ptr[i - 1] == '@') {
			at = addr.ptr + i;
			break;
		}
	if (at == NULL)
		return mxt_str_make("", 0);
	size_t n = lower_copy(buf, size, at,
	    (size_t)(addr.ptr + addr.len - at));
	return mxt_str_make(buf, n);
}

void
mxt_pass_emit(struct mxt_pass *p, struct mxt_event *ev)
{
	ev->source = p->source;
	ev->line_no = p->line_no;
	if (ev->domain.ptr == NULL)
		ev->domain = domain_of(ev->recipient, p->domain_buf,
		    sizeof p->domain_buf);
	ev->sender_domain = domain_of(ev->sender, p->sender_domain_buf,
	    sizeof p->sender_domain_buf);
	if (ev->queue_id.len > 0) {
		/* also for a message whose first lines were not in the log */
		struct mxt_msg *m = mxt_track_add(p->track, ev->queue_id.ptr,
		    ev->queue_id.len);
		ev->msg_start_seen = m != NULL && m->start_seen;
	}
	if (p->cfg.classifier != NULL) {
		ev->cause = mxt_classify(p->cfg.classifier, ev);
		ev->provider = mxt_provider_of(p->cfg.classifier, ev->domain,
		    ev->relay);
	}
	p->stats.events[ev->status]++;
	p->cfg.on_event(p->cfg.event_arg, ev);
}

void
mxt_pass_message_end(struct mxt_pass *p, const struct mxt_logline *ll,
    struct mxt_str id)
{
	if (p->cfg.on_message_end != NULL)
		p->cfg.on_message_end(p->cfg.event_arg, ll->host, id);
	mxt_track_remove(p->track, id.ptr, id.len);
}

struct mxt_msg *
mxt_pass_message_start(struct mxt_pass *p, const struct mxt_logline *ll,
    struct mxt_str id)
{
	struct mxt_msg *m = mxt_track_add(p->track, id.ptr, id.len);
	if (m != NULL && !m->start_seen) {
		m->start_seen = true;
		if (p->cfg.on_message_start != NULL)
			p->cfg.on_message_start(p->cfg.event_arg, ll->host, id);
	}
	return m;
}

void
mxt_pass_unparsed(struct mxt_pass *p, const char *reason)
{
	p->stats.unparsed++;
	if (p->cfg.on_unparsed)
		p->cfg.on_unparsed(p->cfg.unparsed_arg, p->source, p->line_no, reason,
		    p->line, p->line_len);
}

void
mxt_parse_hostaddr(const char *p, const char *end, struct mxt_str *name,
    struct mxt_str *ip, int *port)
{
	const char *lb = memchr(p, '[', (size_t)(end - p));
	*port = 0;
	if (lb == NULL) {
		*name = mxt_str_make(p, (size_t)(end - p));
		*ip = mxt_str_make("", 0);
		return;
	}
	const char *rb = memchr(lb, ']', (size_t)(end - lb));
	if (rb == NULL)
		rb = end;
	*name = mxt_str_make(p, (size_t)(lb - p));
	*ip = mxt_str_make(lb + 1, (size_t)(rb - lb - 1));
	if (rb + 1 < end && rb[1] == ':') {
		int v = 0;
		const char *q = rb + 2;
		while (q < end && *q >= '0' && *q <= '9' && v < 100000)
			v = v * 10 + (*q++ - '0');
		if (v > 0 && v < 65536)
			*port = v;
	}
}

bool
mxt_parse_dsn(const char *p, const char *end, char dsn[16], const char **after)
{
	const char *q = p;
	if (q >= end || (*q != '2' && *q != '4' && *q != '5'))
		return false;
	q++;
	for (int part = 0; part < 2; part++) {
		if (q >= end || *q != '.')
			return false;
		q++;
		const char *s = q;
		while (q < end && *q >= '0' && *q <= '9' && q - s < 3)
			q++;
		if (q == s)
			return false;
	}
	if (q < end && *q >= '0' && *q <= '9')
		return false;
	size_t n = (size_t)(q - p);
	memcpy(dsn, p, n);
	dsn[n] = '\0';
	if (after)
		*after = q;
	return true;
}

int
mxt_parse_reply_code(const char *p, const char *end, char dsn[16])
{
	if (end - p < 3 || p[0] < '2' || p[0] > '5' || p[1] < '0' ||
	    p[1] > '9' || p[2] < '0' || p[2] > '9')
		return 0;
	if (end - p > 3 && p[3] != ' ' && p[3] != '-')
		return 0;
	int code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
	if (dsn != NULL && end - p > 4)
		mxt_parse_dsn(p + 4, end, dsn, NULL);
	return code;
}
