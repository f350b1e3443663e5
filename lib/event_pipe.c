/*
 * event_pipe.c - events handed to a thread of their own, in order.
 *
 * `events` spends about a third of its time writing (events_out.c: the
 * JSON or CSV text of each event), after the pass has made the event.
 * The pass cannot be cut into pieces as the report's is (parallel.c): an
 * event's sender, message id and earlier replies come from lines
 * anywhere before it, and events are written, not merged. So the pass
 * stays on the calling thread and the writing moves to a second one.
 *
 * The consumer may also classify the events there
 * (mxt_pass_config.classify_later): a tenth of the run, which evens the
 * two threads' shares.
 *
 * An event's strings point into the line being read, the message
 * tracker, the pass's scratch buffers and the earlier replies, all of
 * which the pass reuses for the next line (see struct mxt_event). Each
 * event is therefore copied whole, strings and earlier replies included,
 * into a batch; a full batch is handed over, and the worker calls fn for
 * its events in the order they were pushed. A few batches make a ring,
 * so the pass fills one while the worker empties another, and memory is
 * fixed (a batch grows only for one event larger than it).
 *
 * The borrowed pointers that stay valid for the run are not copied:
 * rule, rule_origin, provider and via belong to the classifier, which
 * outlives the pipe.
 *
 * The report on one stream (standard input, a pipe, a journal, a live
 * file, a run the threads of parallel.c refused) moves its summary the
 * same way (mxt_event_pipe_wire): the pass's callbacks for a message
 * that starts or ends, one received and our own trouble are records of
 * the batch too, copied and handed over in the order the pass told
 * them, so the summary sees what it would see on the pass's thread.
 */
#include "internal.h"

#include <pthread.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdlib.h>

/* A worker faster than the pass waits for each batch: a futex wake and
 * a context switch per batch handed over, which at 256 events and 128
 * KiB a batch (9,000 a gigabyte of Postfix log) took about a twentieth
 * of `events`' wall time. Batches of 1024 events and 512 KiB wake it a
 * quarter as often, for 3 MiB more. */
#define PIPE_BATCHES 4
#define BATCH_EVENTS 1024
#define BATCH_BYTES MXT_PIPE_BATCH_BYTES
/* an event carries at most MXT_ATTEMPTS_MAX earlier replies: an empty
 * batch always has room for them */
#define BATCH_ATTEMPTS (BATCH_EVENTS * 2)
_Static_assert(MXT_ATTEMPTS_MAX <= BATCH_ATTEMPTS,
    "a batch holds the earlier replies of one event");

/* What the pass told, in a batch: an event, or (mxt_event_pipe_wire)
 * another of its callbacks. */
enum record_kind { REC_EVENT, REC_START, REC_END, REC_RECEIVED, REC_LOCAL };

struct record {
	enum record_kind kind;
	union {
		struct mxt_event ev;
		struct {
			struct mxt_str host, id;
		} msg;
		struct mxt_received rcv;
		struct mxt_local loc;
	} u;
};

struct batch {
	struct record *rec;
	struct mxt_attempt *att;
	char *bytes;
	size_t nev, natt, used, size; /* nev: records */
};

struct mxt_event_pipe {
	mxt_event_pipe_fn *fn;     /* NULL: wired (to, cls) */
	void *arg;
	/* mxt_event_pipe_wire: the callbacks the records go to, and the
	 * classifier of the events */
	struct mxt_pass_config to;
	struct mxt_classifier *cls;
	struct batch b[PIPE_BATCHES];
	/* Batches are handed over in ring order: the worker's next is head,
	 * `ready` of them are handed over and not yet emptied, and the pass
	 * fills the one after them (fill = head + ready), which is free while
	 * ready < PIPE_BATCHES. */
	size_t head, ready, fill;
	bool closing;
	atomic_bool failed;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t to_worker, to_filler;
};

static void pipe_free(struct mxt_event_pipe *p);

/* One record to the consumer, on the worker's thread: an event to fn,
 * or, for a wired pipe (no fn), classified and to p->to like the rest. */
static int
hand_on(struct mxt_event_pipe *p, struct record *r)
{
	const struct mxt_pass_config *to = &p->to;
	switch (r->kind) {
	case REC_EVENT:
		if (p->fn != NULL)
			return p->fn(p->arg, &r->u.ev);
		if (p->cls != NULL)
			mxt_event_classify(p->cls, &r->u.ev);
		to->on_event(to->event_arg, &r->u.ev);
		break;
	case REC_START:
		to->on_message_start(to->event_arg, r->u.msg.host, r->u.msg.id);
		break;
	case REC_END:
		to->on_message_end(to->event_arg, r->u.msg.host, r->u.msg.id);
		break;
	case REC_RECEIVED:
		to->on_received(to->event_arg, &r->u.rcv);
		break;
	case REC_LOCAL:
		to->on_local(to->local_arg, &r->u.loc);
		break;
	}
	return 0;
}

static void *
worker_main(void *arg)
{
	struct mxt_event_pipe *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->ready == 0 && !p->closing)
			pthread_cond_wait(&p->to_worker, &p->mu);
		if (p->ready == 0)
			break;
		struct batch *b = &p->b[p->head];
		pthread_mutex_unlock(&p->mu);
		for (size_t i = 0; i < b->nev; i++)
			if (hand_on(p, &b->rec[i]) != 0)
				atomic_store(&p->failed, true);
		b->nev = b->natt = b->used = 0;
		pthread_mutex_lock(&p->mu);
		p->head = (p->head + 1) % PIPE_BATCHES;
		p->ready--;
		pthread_cond_signal(&p->to_filler);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* A pipe whose worker hands the records on (hand_on): events to fn(arg,
 * event), or with fn NULL to `to` classified by cls; the other records
 * to `to`. NULL when no thread could be started. */
static struct mxt_event_pipe *
pipe_start(mxt_event_pipe_fn *fn, void *arg,
    const struct mxt_pass_config *to, struct mxt_classifier *cls)
{
	struct mxt_event_pipe *p = xcalloc(1, sizeof *p);
	p->fn = fn;
	p->arg = arg;
	if (to != NULL)
		p->to = *to;
	p->cls = cls;
	for (size_t i = 0; i < PIPE_BATCHES; i++) {
		p->b[i].rec = xcalloc(BATCH_EVENTS, sizeof *p->b[i].rec);
		p->b[i].att = xcalloc(BATCH_ATTEMPTS, sizeof *p->b[i].att);
		p->b[i].bytes = xmalloc(BATCH_BYTES);
		p->b[i].size = BATCH_BYTES;
	}
	atomic_init(&p->failed, false);
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->to_worker, NULL);
	pthread_cond_init(&p->to_filler, NULL);
	if (pthread_create(&p->thread, NULL, worker_main, p) != 0) {
		pipe_free(p);
		return NULL;
	}
	return p;
}

struct mxt_event_pipe *
mxt_event_pipe_create(mxt_event_pipe_fn *fn, void *arg)
{
	return pipe_start(fn, arg, NULL, NULL);
}

/* The batch being filled goes to the worker (the caller holds no lock). */
static void
hand_over(struct mxt_event_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	p->ready++;
	p->fill = (p->fill + 1) % PIPE_BATCHES;
	pthread_cond_signal(&p->to_worker);
	pthread_mutex_unlock(&p->mu);
}

/* Waits until the batch to fill is free. */
static struct batch *
batch_to_fill(struct mxt_event_pipe *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->ready == PIPE_BATCHES)
		pthread_cond_wait(&p->to_filler, &p->mu);
	pthread_mutex_unlock(&p->mu);
	return &p->b[p->fill];
}

/* The strings of an event the pipe copies, by place: one list for the
 * room an event needs and for its copy. */
static const size_t str_fields[] = {
	offsetof(struct mxt_event, host),
	offsetof(struct mxt_event, service),
	offsetof(struct mxt_event, queue_id),
	offsetof(struct mxt_event, recipient),
	offsetof(struct mxt_event, domain),
	offsetof(struct mxt_event, sender),
	offsetof(struct mxt_event, sender_domain),
	offsetof(struct mxt_event, relay),
	offsetof(struct mxt_event, relay_ip),
	offsetof(struct mxt_event, text),
	offsetof(struct mxt_event, message_id),
	offsetof(struct mxt_event, instance),
	offsetof(struct mxt_event, warning),
};
enum { NSTR_FIELDS = sizeof str_fields / sizeof str_fields[0] };

static size_t
str_bytes(struct mxt_str s)
{
	return s.ptr != NULL ? s.len : 0;
}

/* The bytes the strings of obj at the n offsets off take in a batch. */
static size_t
fields_bytes(const void *obj, const size_t *off, size_t n)
{
	size_t bytes = 0;
	for (size_t i = 0; i < n; i++)
		bytes += str_bytes(*(const struct mxt_str *)((const char *)obj +
		    off[i]));
	return bytes;
}

/* The bytes an event's strings take in a batch. */
static size_t
event_bytes(const struct mxt_event *ev)
{
	size_t n = ev->source != NULL ? strlen(ev->source) + 1 : 0;
	n += fields_bytes(ev, str_fields, NSTR_FIELDS);
	for (size_t i = 0; i < ev->nattempts; i++)
		n += str_bytes(ev->attempts[i].relay) +
		    str_bytes(ev->attempts[i].relay_ip) +
		    str_bytes(ev->attempts[i].text);
	return n;
}

/* s into the batch; a NULL string stays NULL and an empty one stays
 * empty but not NULL (the null sender <> is an empty, non-NULL one). */
static void
copy_str(struct batch *b, struct mxt_str *s)
{
	if (s->ptr == NULL)
		return;
	char *d = b->bytes + b->used;
	if (s->len > 0)
		memcpy(d, s->ptr, s->len);
	b->used += s->len;
	s->ptr = d;
}

/* The strings of obj at the n offsets off into the batch (copy_str). */
static void
copy_fields(struct batch *b, void *obj, const size_t *off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		copy_str(b, (struct mxt_str *)((char *)obj + off[i]));
}

/* The next record of the batch being filled, with room for need bytes
 * of strings and natt earlier replies: a full batch is handed over
 * first. */
static struct record *
next_record(struct mxt_event_pipe *p, size_t need, size_t natt,
    enum record_kind kind)
{
	struct batch *b = &p->b[p->fill];
	if (b->nev == BATCH_EVENTS || b->natt + natt > BATCH_ATTEMPTS ||
	    b->size - b->used < need) {
		if (b->nev > 0)
			hand_over(p);
		b = batch_to_fill(p);
		if (b->size < need) {
			/* one record larger than a batch: the batch grows */
			free(b->bytes);
			b->bytes = xmalloc(need);
			b->size = need;
		}
	}
	struct record *r = &b->rec[b->nev++];
	r->kind = kind;
	return r;
}

void
mxt_event_pipe_push(struct mxt_event_pipe *p, const struct mxt_event *ev)
{
	size_t need = event_bytes(ev), natt = ev->nattempts;
	struct mxt_event *d = &next_record(p, need, natt, REC_EVENT)->u.ev;
	struct batch *b = &p->b[p->fill];
	*d = *ev;
	copy_fields(b, d, str_fields, NSTR_FIELDS);
	if (ev->source != NULL) {
		size_t n = strlen(ev->source) + 1;
		memcpy(b->bytes + b->used, ev->source, n);
		d->source = b->bytes + b->used;
		b->used += n;
	}
	if (natt > 0) {
		struct mxt_attempt *a = &b->att[b->natt];
		memcpy(a, ev->attempts, natt * sizeof *a);
		for (size_t i = 0; i < natt; i++) {
			copy_str(b, &a[i].relay);
			copy_str(b, &a[i].relay_ip);
			copy_str(b, &a[i].text);
		}
		b->natt += natt;
		d->attempts = a;
	} else {
		d->attempts = NULL;
	}
}

/* ---- the pass's callbacks through the pipe (mxt_event_pipe_wire) -------- */

static void
push_event(void *arg, const struct mxt_event *ev)
{
	mxt_event_pipe_push(arg, ev);
}

static void
push_msg(struct mxt_event_pipe *p, enum record_kind kind,
    struct mxt_str host, struct mxt_str id)
{
	struct record *r = next_record(p, str_bytes(host) + str_bytes(id), 0,
	    kind);
	struct batch *b = &p->b[p->fill];
	r->u.msg.host = host;
	r->u.msg.id = id;
	copy_str(b, &r->u.msg.host);
	copy_str(b, &r->u.msg.id);
}

static void
push_start(void *arg, struct mxt_str host, struct mxt_str id)
{
	push_msg(arg, REC_START, host, id);
}

static void
push_end(void *arg, struct mxt_str host, struct mxt_str id)
{
	push_msg(arg, REC_END, host, id);
}

static void
push_received(void *arg, const struct mxt_received *rcv)
{
	struct mxt_event_pipe *p = arg;
	struct record *r = next_record(p, str_bytes(rcv->host) +
	    str_bytes(rcv->id), 0, REC_RECEIVED);
	struct batch *b = &p->b[p->fill];
	r->u.rcv = *rcv;
	copy_str(b, &r->u.rcv.host);
	copy_str(b, &r->u.rcv.id);
}

/* The strings of struct mxt_local, by place (as str_fields). */
static const size_t local_fields[] = {
	offsetof(struct mxt_local, host),
	offsetof(struct mxt_local, program),
	offsetof(struct mxt_local, pid),
	offsetof(struct mxt_local, text),
	offsetof(struct mxt_local, client),
	offsetof(struct mxt_local, client_ip),
	offsetof(struct mxt_local, action),
};

static void
push_local(void *arg, const struct mxt_local *l)
{
	struct mxt_event_pipe *p = arg;
	enum { N = sizeof local_fields / sizeof local_fields[0] };
	struct record *r = next_record(p, fields_bytes(l, local_fields, N), 0,
	    REC_LOCAL);
	r->u.loc = *l;
	copy_fields(&p->b[p->fill], &r->u.loc, local_fields, N);
}

struct mxt_event_pipe *
mxt_event_pipe_wire(struct mxt_pass_config *cfg)
{
	struct mxt_event_pipe *p = pipe_start(NULL, NULL, cfg, cfg->classifier);
	if (p == NULL)
		return NULL;
	if (cfg->classifier != NULL) {
		cfg->classifier = NULL;
		cfg->classify_later = true;
	}
	cfg->on_event = push_event;
	cfg->event_arg = p;
	if (cfg->on_message_start != NULL)
		cfg->on_message_start = push_start;
	if (cfg->on_message_end != NULL)
		cfg->on_message_end = push_end;
	if (cfg->on_received != NULL)
		cfg->on_received = push_received;
	if (cfg->on_local != NULL) {
		cfg->on_local = push_local;
		cfg->local_arg = p;
	}
	return p;
}

void
mxt_event_pipe_sync(struct mxt_event_pipe *p)
{
	if (p->b[p->fill].nev > 0)
		hand_over(p);
	pthread_mutex_lock(&p->mu);
	while (p->ready > 0)
		pthread_cond_wait(&p->to_filler, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

bool
mxt_event_pipe_failed(struct mxt_event_pipe *p)
{
	return atomic_load(&p->failed);
}

/* Frees p; its worker is not running. */
static void
pipe_free(struct mxt_event_pipe *p)
{
	for (size_t i = 0; i < PIPE_BATCHES; i++) {
		free(p->b[i].rec);
		free(p->b[i].att);
		free(p->b[i].bytes);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->to_worker);
	pthread_cond_destroy(&p->to_filler);
	free(p);
}

void
mxt_event_pipe_destroy(struct mxt_event_pipe *p)
{
	if (p == NULL)
		return;
	mxt_event_pipe_sync(p);
	pthread_mutex_lock(&p->mu);
	p->closing = true;
	pthread_cond_signal(&p->to_worker);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pipe_free(p);
}
