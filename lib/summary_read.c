/*
 * summary_read.c - the read API of a summary (summary_read.h): the one
 * place that turns the summary's memory (groups, maps of retries, clients
 * and complaints) into the values the writers print. Every function reads
 * only; rows borrow the summary's strings and histograms, and the arrays
 * are the caller's. The report order lives here and in summary.c's sort
 * functions, so that every writer shows the same rows in the same order.
 */
#include "summary.h"

#include <assert.h>
#include <stdlib.h>

struct mxt_summary_header
mxt_summary_header(const struct mxt_summary *s)
{
	struct mxt_summary_header h = {
		.cfg = &s->cfg,
		.stats = &s->stats,
		.repeats = s->repeats,
		.ninputs = s->ninputs,
		.ngaps = s->ngaps,
		.ngroups = mxt_summary_ngroups(s),
		.groups_kept = s->ngroups,
		.hosts = &s->hosts,
		.recv_messages = s->recv.messages,
		.recv_bytes = s->recv.bytes,
		.overflow_groups = s->overflow_groups,
		.overflow_retries = s->overflow_retries,
		.overflow_messages = s->overflow_messages,
		.overflow_domains = s->overflow_domains,
		.overflow_received = s->recv.overflow,
		.overflow_rates = s->overflow_rates,
		.overflow_hours = s->overflow_hours,
		.rate_total = &s->rate_total,
		.end = s->end,
		.end_utcoff = s->end_utcoff,
	};
	memcpy(h.events, s->events, sizeof h.events);
	memcpy(h.messages, s->messages, sizeof h.messages);
	return h;
}

struct mxt_summary_input
mxt_summary_input(const struct mxt_summary *s, size_t i)
{
	assert(i < s->ninputs);
	const struct input_span *in = &s->inputs[i];
	return (struct mxt_summary_input){.name = in->name, .first = in->first,
	    .last = in->last, .lines = in->lines};
}

struct mxt_summary_gap
mxt_summary_gap(const struct mxt_summary *s, size_t i)
{
	assert(i < s->ngaps);
	return (struct mxt_summary_gap){.start = s->gaps[i].start,
	    .end = s->gaps[i].end, .kind = s->gaps[i].kind};
}

struct mxt_group_row *
mxt_summary_groups(const struct mxt_summary *s, size_t *n)
{
	struct group **v = mxt_summary_sorted_groups(s);
	size_t k = 0;
	while (v[k] != NULL)
		k++;
	struct mxt_group_row *rows = xcalloc(k + 1, sizeof *rows);
	for (size_t i = 0; i < k; i++) {
		const struct group *g = v[i];
		struct mxt_group_row *r = &rows[i];
		r->group = g;
		r->index = (size_t)(g - s->groups);
		for (size_t j = 0; j < s->cfg.nby; j++)
			r->values[j] = g->values[j];
		r->events = g->events;
		r->repeats = g->repeats;
		memcpy(r->by_status, g->by_status, sizeof r->by_status);
		r->recipients = g->recipients;
		r->messages = g->messages;
		r->first = g->first;
		r->last = g->last;
		r->codes = &g->codes;
		r->texts = &g->texts;
		r->warnings = &g->warnings;
		r->texts_unnamed = g->texts_unnamed;
	}
	free(v);
	*n = k;
	return rows;
}

struct mxt_cause_row
mxt_summary_cause(const struct mxt_summary *s, enum mxt_cause c)
{
	assert(c >= 0 && c < MXT_CAUSE_COUNT);
	const struct cause_row *r = &s->causes[c];
	return (struct mxt_cause_row){.cause = c, .events = r->events,
	    .rejections = r->rejections, .domains = &r->domains};
}

size_t
mxt_summary_causes(const struct mxt_summary *s,
    struct mxt_cause_row out[MXT_CAUSE_COUNT])
{
	enum mxt_cause order[MXT_CAUSE_COUNT];
	size_t n = mxt_summary_sorted_causes(s, order);
	for (size_t i = 0; i < n; i++)
		out[i] = mxt_summary_cause(s, order[i]);
	return n;
}

struct mxt_summary_retries
mxt_summary_retries(const struct mxt_summary *s)
{
	struct mxt_summary_retries r = {
		.deferred = mxt_summary_deferred_recipients(s),
		.delivered = s->retry_delivered,
		.bounced = s->retry_bounced,
		.expired = s->retry_expired,
		.pending = mxt_summary_pending_count(s),
		.oldest_age = mxt_summary_oldest_pending_age(s),
		.ndelays = mxt_summary_delays_count(s),
	};
	memcpy(r.delays, s->delays, sizeof r.delays);
	return r;
}

struct mxt_pending_row *
mxt_summary_pending(const struct mxt_summary *s, bool all, size_t *n)
{
	struct retry **v = all ? mxt_summary_sorted_pending_all(s, n) :
	    mxt_summary_sorted_pending(s, n);
	struct mxt_pending_row *rows = xcalloc(*n + 1, sizeof *rows);
	for (size_t i = 0; i < *n; i++) {
		const struct retry *r = v[i];
		rows[i] = (struct mxt_pending_row){
			.retry = r,
			.host = r->host,
			.recipient = r->recipient,
			.domain = r->domain,
			.queue_id = r->queue_id,
			.cause = r->cause,
			.attempts = r->attempts,
			.first_deferred = r->first_deferred,
			.last_deferred = r->last_deferred,
			.age = s->end - r->first_deferred,
			.first_time = r->first_time,
			.in_window = r->in_window,
			.code = r->code,
			.dsn = r->dsn,
			.text = r->text ? r->text : "",
		};
	}
	free(v);
	return rows;
}

static int
cmp_client(const void *a, const void *b)
{
	const struct mxt_client_row *x = a, *y = b;
	if (x->rejections != y->rejections)
		return x->rejections > y->rejections ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct mxt_client_row *
mxt_summary_clients(const struct mxt_summary *s, size_t *n)
{
	struct mxt_client_row *v = xcalloc(s->clients.count + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < s->clients.size; i++) {
		const struct client_row *c = s->clients.slots[i].ptr;
		if (s->clients.slots[i].key == NULL)
			continue;
		enum mxt_cause top = MXT_CAUSE_NONE;
		for (int k = 0; k < MXT_CAUSE_COUNT; k++)
			if (c->by_cause[k] > c->by_cause[top])
				top = (enum mxt_cause)k;
		v[(*n)++] = (struct mxt_client_row){.key = c->key,
		    .name = c->name, .rejections = c->rejections,
		    .top_cause = top, .by_cause = c->by_cause};
	}
	qsort(v, *n, sizeof *v, cmp_client);
	return v;
}

struct mxt_summary_ourside
mxt_summary_ourside(const struct mxt_summary *s)
{
	const struct ourside *o = &s->ourside;
	struct mxt_summary_ourside v = {
		.by_level = o->by_level,
		.by_topic = o->by_topic,
		.postscreen = o->postscreen,
		.overflow = o->overflow,
		.total = mxt_ourside_total(o),
	};
	for (int i = 0; i < OURSIDE_ANVIL; i++) {
		v.anvil[i].value = o->anvil[i].value;
		v.anvil[i].client = o->anvil[i].client;
		v.anvil[i].time = o->anvil[i].time;
	}
	return v;
}

struct mxt_complaint_row *
mxt_summary_complaints(const struct mxt_summary *s, size_t *n)
{
	const struct mxt_strmap_slot **v =
	    mxt_ourside_sorted(&s->ourside.complaints, true, n);
	struct mxt_complaint_row *rows = xcalloc(*n + 1, sizeof *rows);
	for (size_t i = 0; i < *n; i++) {
		const struct complaint *c = v[i]->ptr;
		rows[i] = (struct mxt_complaint_row){.key = v[i]->key,
		    .len = v[i]->len, .mta = c->mta, .level = c->level,
		    .topic = c->topic, .count = c->count,
		    .explained = c->explained, .first = c->first,
		    .last = c->last, .program = c->program,
		    .example = c->example};
	}
	free(v);
	return rows;
}

struct mxt_local_client_row *
mxt_summary_local_clients(const struct mxt_summary *s,
    enum mxt_local_clients which, size_t *n)
{
	const struct mxt_strmap *m = which == MXT_LOCAL_SASL ?
	    &s->ourside.sasl : &s->ourside.rate;
	const struct mxt_strmap_slot **v = mxt_ourside_sorted(m, false, n);
	struct mxt_local_client_row *rows = xcalloc(*n + 1, sizeof *rows);
	for (size_t i = 0; i < *n; i++) {
		const struct local_client *c = v[i]->ptr;
		rows[i] = (struct mxt_local_client_row){.key = v[i]->key,
		    .len = v[i]->len, .name = c->name, .count = c->count,
		    .max = c->max, .first = c->first, .last = c->last};
	}
	free(v);
	return rows;
}

const struct tl_bucket *
mxt_timeline_hours(const struct mxt_summary *s, size_t *n)
{
	*n = s->nhours;
	return s->hours;
}

static int
cmp_flight(const void *a, const void *b)
{
	const struct flight *x = *(struct flight *const *)a;
	const struct flight *y = *(struct flight *const *)b;
	int c = strcmp(x->host, y->host);
	if (c == 0)
		c = strcmp(x->queue_id, y->queue_id);
	/* an id that came back: the superseded messages first */
	if (c == 0 && x->superseded != y->superseded)
		c = x->superseded ? -1 : 1;
	if (c == 0 && x->marks != y->marks)
		c = x->marks < y->marks ? -1 : 1;
	if (c == 0 && x->ntouch != y->ntouch)
		c = x->ntouch < y->ntouch ? -1 : 1;
	/* the rest of what a row shows, so that the order never depends on
	 * the map (a loaded document may hold flights that differ in no
	 * field above) */
	if (c == 0 && x->ended != y->ended)
		c = x->ended ? 1 : -1;
	if (c == 0 && x->in_progress != y->in_progress)
		c = x->in_progress ? 1 : -1;
	if (c == 0 && x->nout != y->nout)
		c = x->nout < y->nout ? -1 : 1;
	for (size_t k = 0; c == 0 && k < x->ntouch; k++) {
		const struct touch *p = &x->touch[k], *q = &y->touch[k];
		if (p->group != q->group)
			c = p->group < q->group ? -1 : 1;
		else
			c = strcmp(p->rcpt ? p->rcpt : "", q->rcpt ? q->rcpt : "");
	}
	for (size_t k = 0; c == 0 && k < x->nout; k++) {
		const struct outcome *p = &x->out[k], *q = &y->out[k];
		c = strcmp(p->rcpt ? p->rcpt : "", q->rcpt ? q->rcpt : "");
		if (c == 0 && p->status != q->status)
			c = p->status < q->status ? -1 : 1;
		if (c == 0 && p->time != q->time)
			c = p->time < q->time ? -1 : 1;
	}
	return c;
}

struct mxt_flight_row *
mxt_summary_flights(const struct mxt_summary *s, size_t *n)
{
	const struct flight **fv = xcalloc(s->flights.count + 1, sizeof *fv);
	size_t nf = 0;
	for (size_t i = 0; i < s->flights.size; i++) {
		const struct flight *f = s->flights.slots[i].ptr;
		/* one that ended and was read whole joins nothing */
		if (s->flights.slots[i].key && !(f->ended && !f->in_progress))
			fv[nf++] = f;
	}
	qsort(fv, nf, sizeof *fv, cmp_flight);
	struct mxt_flight_row *rows = xcalloc(nf + 1, sizeof *rows);
	for (size_t i = 0; i < nf; i++) {
		const struct flight *f = fv[i];
		rows[i] = (struct mxt_flight_row){.flight = f, .host = f->host,
		    .queue_id = f->queue_id, .open = !f->ended,
		    .in_progress = f->in_progress, .superseded = f->superseded,
		    .statuses = f->marks, .ntouch = f->ntouch,
		    .nout = f->nout};
	}
	free(fv);
	*n = nf;
	return rows;
}

struct mxt_flight_touch
mxt_flight_touch_at(const struct flight *f, size_t k)
{
	assert(k < f->ntouch);
	return (struct mxt_flight_touch){.group = f->touch[k].group,
	    .rcpt = f->touch[k].rcpt};
}

struct mxt_flight_outcome
mxt_flight_outcome_at(const struct flight *f, size_t k)
{
	assert(k < f->nout);
	const struct outcome *o = &f->out[k];
	return (struct mxt_flight_outcome){.rcpt = o->rcpt,
	    .status = o->status, .time = o->time,
	    .first_deferred = o->first_deferred, .attempts = o->attempts,
	    .utcoff = o->utcoff, .group = o->group == UINT32_MAX ? SIZE_MAX :
	    o->group, .cause = o->cause, .sender = o->sender,
	    .text = o->text};
}

struct mxt_received_row *
mxt_summary_received_list(const struct mxt_summary *s, bool met, size_t *n)
{
	const struct mxt_strmap_slot **v = mxt_strmap_sorted(met ?
	    &s->recv.met : &s->recv.due, n);
	struct mxt_received_row *rows = xcalloc(*n + 1, sizeof *rows);
	for (size_t i = 0; i < *n; i++)
		rows[i] = (struct mxt_received_row){.key = v[i]->key,
		    .len = v[i]->len, .bytes = met ? v[i]->value >> 1 : 0,
		    .in_window = met && (v[i]->value & 1)};
	free(v);
	return rows;
}
