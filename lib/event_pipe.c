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
 * two threads' shares. Such a pass also leaves each event's id and
 * domains, and most of a Postfix delivery's fields, to this thread
 * (mxt_event_finish, before fn or the classifier): the reading thread is
 * the slower one.
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
 * a context switch per batch handed over, which costs the pass far more
 * than the copies (at 1,024 records a batch, 2,600 a gigabyte of Postfix
 * log for the report on one stream, the wakes and the records' fixed
 * size made its two threads slower than one). A record is therefore only
 * its kind and where its object lies; the objects (an event and its
 * earlier replies, a message's host and id, ...) and their strings lie
 * one after another in the batch's bytes, so a batch is as full as its
 * bytes are. On the 1 GB Postfix bench log the report's two threads
 * switch 1,485 times instead of 5,244 and `events`' 1,388 instead of
 * 2,328, for about the same memory (4.5 MiB instead of 4.3). */
#define PIPE_BATCHES 4
#define PIPE_WAKE 2
_Static_assert(PIPE_WAKE <= PIPE_BATCHES, "a full ring wakes the worker");
#define BATCH_RECORDS MXT_PIPE_BATCH_RECORDS
#define BATCH_BYTES MXT_PIPE_BATCH_BYTES
/* objects in a batch's bytes start at this alignment */
#define OBJ_ALIGN _Alignof(max_align_t)
_Static_assert(sizeof(struct mxt_event) % _Alignof(struct mxt_attempt) == 0,
    "an event's earlier replies follow it in a batch");

/* What the pass told, in a batch: an event, or (mxt_event_pipe_wire)
 * another of its callbacks; obj is in the batch's bytes. */
enum record_kind { REC_EVENT, REC_START, REC_END, REC_RECEIVED, REC_LOCAL };

struct record {
	enum record_kind kind;
	void *obj;
};

/* host and id of a message that starts or ends (REC_START, REC_END) */
struct msg_rec {
	struct mxt_str host, id;
};

struct batch {
	struct record *rec;
	char *bytes;
	size_t nrec, used, size;
};

struct mxt_event_pipe {
	mxt_event_pipe_fn *fn;     /* NULL: wired (to, cls) */
	void *arg;
	/* mxt_event_pipe_wire: the callbacks the records go to, and the
	 * classifier of the events */
	struct mxt_pass_config to;
	struct mxt_classifier *cls;
	/* the domains of the event being handed on (mxt_event_finish) */
	struct mxt_event_scratch scratch;
	struct batch b[PIPE_BATCHES];
	/* Batches are handed over in ring order: the worker's next is head,
	 * `ready` of them are handed over and not yet emptied, and the pass
	 * fills the one after them (fill = head + ready), which is free while
	 * ready < PIPE_BATCHES. */
	size_t head, ready, fill;
	/* An idle worker is woken when PIPE_WAKE batches are ready, not one:
	 * then it empties them all before it sleeps again, and wakes half
	 * as often. draining (mxt_event_pipe_sync) wakes it for any. */
	bool draining;
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
	const struct msg_rec *m = r->obj;
	switch (r->kind) {
	case REC_EVENT:
		mxt_event_finish(r->obj, &p->scratch);
		if (p->fn != NULL)
			return p->fn(p->arg, r->obj);
		if (p->cls != NULL)
			mxt_event_classify(p->cls, r->obj);
		to->on_event(to->event_arg, r->obj);
		break;
	case REC_START:
		to->on_message_start(to->event_arg, m->host, m->id);
		break;
	case REC_END:
		to->on_message_end(to->event_arg, m->host, m->id);
		break;
	case REC_RECEIVED:
		to->on_received(to->event_arg, r->obj);
		break;
	case REC_LOCAL:
		to->on_local(to->local_arg, r->obj);
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
		/* idle: asleep until PIPE_WAKE batches wait, or sync or
		 * destroy wants the ones there now (struct mxt_event_pipe) */
		if (p->ready == 0)
			while ((p->ready == 0 || (p->ready < PIPE_WAKE &&
			    !p->draining)) && !p->closing)
				pthread_cond_wait(&p->to_worker, &p->mu);
		if (p->ready == 0)
			break;
		struct batch *b = &p->b[p->head];
		pthread_mutex_unlock(&p->mu);
		for (size_t i = 0; i < b->nrec; i++)
			if (hand_on(p, &b->rec[i]) != 0)
				atomic_store(&p->failed, true);
		b->nrec = b->used = 0;
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
		p->b[i].rec = xcalloc(BATCH_RECORDS, sizeof *p->b[i].rec);
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
	bool wake = p->ready >= PIPE_WAKE;
	pthread_mutex_unlock(&p->mu);
	/* after the unlock: a worker woken under the lock would wake only to
	 * wait for the mutex, and the unlock would have to wake it again */
	if (wake)
		pthread_cond_signal(&p->to_worker);
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
	offsetof(struct mxt_event, unread),
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

/* The object of the next record of the batch being filled, size bytes
 * in its bytes with room for strs bytes of strings after it: a full
 * batch is handed over first. */
static void *
next_record(struct mxt_event_pipe *p, size_t size, size_t strs,
    enum record_kind kind)
{
	size_t need = OBJ_ALIGN - 1 + size + strs;
	struct batch *b = &p->b[p->fill];
	if (b->nrec == BATCH_RECORDS || b->size - b->used < need) {
		if (b->nrec > 0)
			hand_over(p);
		b = batch_to_fill(p);
		if (b->size < need) {
			/* one record larger than a batch: the batch grows */
			free(b->bytes);
			b->bytes = xmalloc(need);
			b->size = need;
		}
	}
	/* within need: at most OBJ_ALIGN - 1 bytes of padding */
	b->used = (b->used + OBJ_ALIGN - 1) & ~(size_t)(OBJ_ALIGN - 1);
	struct record *r = &b->rec[b->nrec++];
	r->kind = kind;
	r->obj = b->bytes + b->used;
	b->used += size;
	return r->obj;
}

void
mxt_event_pipe_push(struct mxt_event_pipe *p, const struct mxt_event *ev)
{
	size_t natt = ev->nattempts;
	struct mxt_event *d = next_record(p, sizeof *d + natt *
	    sizeof *d->attempts, event_bytes(ev), REC_EVENT);
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
		struct mxt_attempt *a = (struct mxt_attempt *)(d + 1);
		memcpy(a, ev->attempts, natt * sizeof *a);
		for (size_t i = 0; i < natt; i++) {
			copy_str(b, &a[i].relay);
			copy_str(b, &a[i].relay_ip);
			copy_str(b, &a[i].text);
		}
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
	struct msg_rec *m = next_record(p, sizeof *m, str_bytes(host) +
	    str_bytes(id), kind);
	struct batch *b = &p->b[p->fill];
	m->host = host;
	m->id = id;
	copy_str(b, &m->host);
	copy_str(b, &m->id);
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
	struct mxt_received *r = next_record(p, sizeof *r,
	    str_bytes(rcv->host) + str_bytes(rcv->id), REC_RECEIVED);
	struct batch *b = &p->b[p->fill];
	*r = *rcv;
	copy_str(b, &r->host);
	copy_str(b, &r->id);
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
	struct mxt_local *r = next_record(p, sizeof *r,
	    fields_bytes(l, local_fields, N), REC_LOCAL);
	*r = *l;
	copy_fields(&p->b[p->fill], r, local_fields, N);
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
	if (p->b[p->fill].nrec > 0)
		hand_over(p);
	pthread_mutex_lock(&p->mu);
	p->draining = true;
	pthread_cond_signal(&p->to_worker);
	while (p->ready > 0)
		pthread_cond_wait(&p->to_filler, &p->mu);
	p->draining = false;
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
