/*
 * summary_merge.c - two summaries added into one, exactly.
 *
 * Counts are sums. The distinct counts (messages per status, and per
 * group the messages and (message, recipient) pairs) are sums too, except
 * for a message whose lines fall on both sides of a cut: the earlier
 * summary keeps it as "open" at its end, the later one as "in progress"
 * (its first line was not read), and the join below takes away what was
 * counted twice. The same join resolves retries: a recipient still pending
 * at the end of the earlier summary and delivered, bounced or expired in
 * the later one is a retry outcome of the merge, with its delay measured
 * from its first deferral; a Postfix expiry that the later summary could
 * only report without recipients ("message expired") becomes one expiry
 * per recipient the earlier one had pending, classified like the pass
 * classifies it. Both sides of a cut are bounded by the messages in flight
 * at the cut, not by the log.
 */
#include "summary.h"

#include <stdlib.h>

static void
merge_stats(struct mxt_stats *d, const struct mxt_stats *s)
{
	d->lines += s->lines;
	d->bytes += s->bytes;
	d->lines_truncated += s->lines_truncated;
	d->lines_no_header += s->lines_no_header;
	for (int m = 0; m < MXT_MTA_COUNT; m++)
		d->lines_mta[m] += s->lines_mta[m];
	for (int k = 0; k < MXT_STATUS_COUNT; k++)
		d->events[k] += s->events[k];
	d->unparsed += s->unparsed;
	d->probes += s->probes;
	d->reject_warnings += s->reject_warnings;
	d->track_overflow += s->track_overflow;
	d->attempts_overflow += s->attempts_overflow;
	d->attempts_dropped += s->attempts_dropped;
	d->inputs_failed += s->inputs_failed;
	if (s->first.valid && (!d->first.valid || s->first.sec < d->first.sec))
		d->first = s->first;
	if (s->last.valid && (!d->last.valid || s->last.sec >= d->last.sec))
		d->last = s->last;
	/* merged in order: the first line is dst's, the last src's */
	if (!d->first_line.valid)
		d->first_line = s->first_line;
	if (s->last_line.valid)
		d->last_line = s->last_line;
}

static void
merge_histogram(struct mxt_strmap *d, const struct mxt_strmap *s,
    uint64_t *unnamed)
{
	bool added;
	for (size_t i = 0; i < s->size; i++) {
		const struct mxt_strmap_slot *sl = &s->slots[i];
		if (sl->key == NULL)
			continue;
		struct mxt_strmap_slot *x = mxt_strmap_put(d, sl->key, sl->len,
		    &added);
		if (x != NULL)
			x->value += sl->value;
		else if (unnamed != NULL)
			*unnamed += sl->value;
	}
}

static int
cmp_rank(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)(*(const struct mxt_strmap_slot *const *)a)->ptr;
	uintptr_t y = (uintptr_t)(*(const struct mxt_strmap_slot *const *)b)->ptr;
	return x < y ? -1 : x > y;
}

/*
 * The texts of g, a group of a piece of a parallel pass (s->ordered),
 * added to x as one pass would have counted them: x names the first
 * GROUP_TEXTS_MAX distinct texts of the input before g's and counts the
 * rest as unnamed, so g's named texts go in in the order they first came
 * (a new one is named while x has room), and its texts past its own cap
 * are counted under their name where x names them. Those never get a
 * name of their own in x: g named GROUP_TEXTS_MAX texts before them, and
 * x had room for fewer new ones.
 */
static void
merge_texts_ordered(struct group *x, const struct group *g)
{
	const struct mxt_strmap_slot **v = xcalloc(g->texts.count + 1,
	    sizeof *v);
	size_t n = 0;
	bool added;
	for (size_t i = 0; i < g->texts.size; i++)
		if (g->texts.slots[i].key != NULL)
			v[n++] = &g->texts.slots[i];
	qsort(v, n, sizeof *v, cmp_rank);
	for (size_t i = 0; i < n; i++) {
		struct mxt_strmap_slot *d = mxt_strmap_put(&x->texts, v[i]->key,
		    v[i]->len, &added);
		if (d != NULL)
			d->value += v[i]->value;
		else
			x->texts_unnamed += v[i]->value;
	}
	free(v);
	/* g's texts past its cap: those x names take their events, the
	 * rest are unnamed (texts_over keeps fingerprints, so it is asked
	 * for each of x's texts, never listed) */
	uint64_t over = 0;
	for (size_t i = 0; i < g->texts_over.size; i++)
		over += g->texts_over.slots[i].n;
	for (size_t i = 0; over > 0 && i < x->texts.size; i++) {
		struct mxt_strmap_slot *d = &x->texts.slots[i];
		if (d->key == NULL)
			continue;
		uint64_t k = mxt_tally_get(&g->texts_over, d->key, d->len);
		d->value += k;
		over -= k;
	}
	x->texts_unnamed += over;
}

/* gmap[i] = dst index of src group i (UINT32_MAX: over the cap). */
static uint32_t *
merge_groups(struct mxt_summary *d, const struct mxt_summary *s)
{
	uint32_t *gmap = xcalloc(s->ngroups + 1, sizeof *gmap);
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct group *g = &s->groups[i];
		const char *vals[MXT_MAX_KEYS];
		size_t lens[MXT_MAX_KEYS];
		for (size_t k = 0; k < s->cfg.nby; k++) {
			vals[k] = g->values[k];
			lens[k] = strlen(g->values[k]);
		}
		uint32_t gi = mxt_summary_group_index(d, vals, lens);
		gmap[i] = gi;
		if (gi == UINT32_MAX) {
			d->overflow_groups += g->events + g->repeats;
			continue;
		}
		struct group *x = &d->groups[gi];
		x->events += g->events;
		x->repeats += g->repeats;
		for (int k = 0; k < MXT_STATUS_COUNT; k++)
			x->by_status[k] += g->by_status[k];
		x->recipients += g->recipients;
		x->messages += g->messages;
		merge_histogram(&x->codes, &g->codes, NULL);
		merge_histogram(&x->warnings, &g->warnings, NULL);
		if (s->ordered) {
			merge_texts_ordered(x, g);
		} else {
			merge_histogram(&x->texts, &g->texts, &x->texts_unnamed);
			x->texts_unnamed += g->texts_unnamed;
		}
		if (g->first.valid && (!x->first.valid ||
		    g->first.sec < x->first.sec))
			x->first = g->first;
		if (g->last.valid && (!x->last.valid ||
		    g->last.sec >= x->last.sec))
			x->last = g->last;
	}
	return gmap;
}

static void
merge_clients(struct mxt_summary *d, const struct mxt_summary *s)
{
	bool added;
	for (size_t i = 0; i < s->clients.size; i++) {
		if (s->clients.slots[i].key == NULL)
			continue;
		const struct client_row *c = s->clients.slots[i].ptr;
		struct mxt_strmap_slot *slot = mxt_strmap_put(&d->clients,
		    c->key, strlen(c->key), &added);
		if (added) {
			struct client_row *n = xcalloc(1, sizeof *n);
			n->key = xstrndup(c->key, strlen(c->key));
			n->name = xstrndup(c->name, strlen(c->name));
			slot->ptr = n;
		}
		struct client_row *x = slot->ptr;
		/* one pass names a client by its first rejection */
		if (!s->ordered && x->name[0] == '\0' && c->name[0] != '\0') {
			free(x->name);
			x->name = xstrndup(c->name, strlen(c->name));
		}
		x->rejections += c->rejections;
		for (int k = 0; k < MXT_CAUSE_COUNT; k++)
			x->by_cause[k] += c->by_cause[k];
	}
}

static struct mxt_str
str_of(const char *s)
{
	return mxt_str_make(s, strlen(s));
}

static struct retry *
copy_retry(const struct retry *r)
{
	struct retry *x = mxt_retry_new(str_of(r->host), str_of(r->recipient),
	    str_of(r->domain), str_of(r->queue_id));
	char *host = x->host, *recipient = x->recipient, *domain = x->domain,
	    *queue_id = x->queue_id;
	*x = *r;
	x->host = host;
	x->recipient = recipient;
	x->domain = domain;
	x->queue_id = queue_id;
	x->text = r->text ? xstrndup(r->text, strlen(r->text)) : NULL;
	return x;
}

/* b gets key[0, len) moved aside: a key of its own in d. */
static void
key_aside(struct mxt_summary *d, struct mxt_buf *b, const char *key,
    size_t len)
{
	b->len = 0;
	mxt_buf_append(b, key, len);
	mxt_summary_key_aside(d, b);
}

/* Takes dst's pending retry of (host, qid, rcpt) out of the map. */
static struct retry *
take_retry(struct mxt_summary *d, struct mxt_buf *kb, const char *host,
    const char *qid, const char *rcpt)
{
	struct mxt_str rs = str_of(rcpt);
	mxt_summary_key(kb, str_of(host), str_of(qid), &rs);
	struct mxt_strmap_slot *slot = mxt_strmap_get(&d->retries, kb->p,
	    kb->len);
	if (slot == NULL)
		return NULL;
	struct retry *r = slot->ptr;
	mxt_strmap_remove(&d->retries, slot);
	return r;
}

static bool
has_touch(const struct flight *f, uint32_t gi, const char *rcpt)
{
	for (size_t i = 0; i < f->ntouch; i++)
		if (f->touch[i].group == gi &&
		    (rcpt == NULL || strcmp(f->touch[i].rcpt, rcpt) == 0))
			return true;
	return false;
}

static void
drop_touch(struct flight *f, uint32_t gi, const char *rcpt)
{
	for (size_t i = 0; i < f->ntouch; i++)
		if (f->touch[i].group == gi &&
		    strcmp(f->touch[i].rcpt, rcpt) == 0) {
			free(f->touch[i].rcpt);
			f->touch[i] = f->touch[--f->ntouch];
			return;
		}
}

static void
keep_outcome(struct flight *f, const struct outcome *o, uint32_t group,
    int64_t first_deferred, uint64_t attempts)
{
	struct outcome *n = mxt_flight_outcome(f);
	*n = *o;
	n->rcpt = xstrndup(o->rcpt, strlen(o->rcpt));
	n->sender = o->sender ? xstrndup(o->sender, strlen(o->sender)) : NULL;
	n->text = o->text ? xstrndup(o->text, strlen(o->text)) : NULL;
	n->group = group;
	n->first_deferred = first_deferred;
	n->attempts = attempts;
	n->uncounted = false;
}

/* The rates and timeline of a recipient-less expiry, taken back: it was
 * counted with no domain and no provider (summary_rates.c). */
static void
rates_take_back(struct mxt_summary *d, const struct flight *D,
    const struct outcome *o)
{
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.time.sec = o->time;
	ev.time.utcoff = o->utcoff;
	ev.time.valid = true;
	ev.direction = MXT_DIR_OUT;
	ev.status = MXT_STATUS_EXPIRED;
	ev.cause = o->cause;
	ev.host = str_of(D->host);
	mxt_rates_count(d, &ev, -1);
}

/*
 * A Postfix expiry the later summary counted once, without recipients,
 * for a message the earlier summary still had recipients pending for:
 * one expiry per such recipient, as one pass over both inputs gives.
 */
static bool
expand_expiry(struct mxt_summary *d, struct flight *D, const struct outcome *o,
    uint32_t gi, struct mxt_classifier *cls, bool exact)
{
	struct retry **pend = NULL;
	size_t n = 0;
	/* pending_msgs knows every message that may have pending retries:
	 * no scan of the whole pending map for one it does not name */
	struct mxt_buf kb0 = {0};
	mxt_summary_key(&kb0, str_of(D->host), str_of(D->queue_id), NULL);
	bool maybe = mxt_strmap_get(&d->pending_msgs, kb0.p, kb0.len) != NULL;
	free(kb0.p);
	for (size_t i = 0; maybe && i < d->retries.size; i++) {
		struct retry *r = d->retries.slots[i].ptr;
		const struct mxt_strmap_slot *sl = &d->retries.slots[i];
		/* not those moved aside: they are of an earlier message */
		if (sl->key && strcmp(r->host, D->host) == 0 &&
		    strcmp(r->queue_id, D->queue_id) == 0 &&
		    mxt_summary_key_base(sl->key, sl->len) == sl->len) {
			pend = xrealloc(pend, (n + 1) * sizeof *pend);
			pend[n++] = r;
		}
	}
	if (n == 0)
		return false;
	/* take back what the recipient-less expiry counted */
	d->stats.events[MXT_STATUS_EXPIRED]--;
	if (!o->uncounted)
		d->events[MXT_STATUS_EXPIRED]--;
	if (!o->uncounted)
		rates_take_back(d, D, o);
	if (!o->uncounted)
		d->causes[o->cause].events--;
	if (gi != UINT32_MAX && !o->uncounted) {
		struct group *g = &d->groups[gi];
		if (mxt_cause_is_repeat(o->cause))
			g->repeats--;
		else
			g->events--;
		g->by_status[MXT_STATUS_EXPIRED]--;
		struct mxt_strmap_slot *sl = mxt_strmap_get(&g->codes, "none", 4);
		if (sl != NULL && sl->value > 0)
			sl->value--;
		sl = mxt_strmap_get(&g->texts, o->text ? o->text : "",
		    o->text ? strlen(o->text) : 0);
		if (sl != NULL && sl->value > 0)
			sl->value--;
		else if (sl == NULL && g->texts_unnamed > 0)
			g->texts_unnamed--; /* counted past the cap */
		if (has_touch(D, gi, "")) {
			drop_touch(D, gi, "");
			g->recipients--;
			if (!has_touch(D, gi, NULL))
				g->messages--;
		}
	}
	struct mxt_buf kb = {0};
	for (size_t i = 0; i < n; i++) {
		struct retry *r = pend[i];
		struct mxt_event ev;
		memset(&ev, 0, sizeof ev);
		ev.time.sec = o->time;
		ev.time.utcoff = o->utcoff;
		ev.time.valid = true;
		ev.mta = MXT_MTA_POSTFIX;
		ev.direction = MXT_DIR_OUT;
		ev.status = MXT_STATUS_EXPIRED;
		ev.host = mxt_str_make(D->host, strlen(D->host));
		ev.service = mxt_str_make("qmgr", 4);
		ev.queue_id = mxt_str_make(D->queue_id, strlen(D->queue_id));
		ev.recipient = mxt_str_make(r->recipient, strlen(r->recipient));
		ev.domain = mxt_str_make(r->domain, strlen(r->domain));
		if (o->sender != NULL) {
			ev.sender = mxt_str_make(o->sender, strlen(o->sender));
			const char *at = strrchr(o->sender, '@');
			ev.sender_domain = at ? mxt_str_make(at + 1, strlen(at + 1)) :
			    mxt_str_make("", 0);
		}
		ev.code = r->code;
		memcpy(ev.dsn, r->dsn, sizeof ev.dsn);
		ev.text = mxt_str_make(r->text ? r->text : "",
		    r->text ? strlen(r->text) : 0);
		ev.relay = mxt_str_make("", 0);
		ev.cause = mxt_classify(cls, &ev);
		mxt_provider_roll(cls, &ev, &ev.provider, &ev.via);
		/* pieces of one pass: the filters decide, as for one pass */
		bool counted = !exact || mxt_filter_match(&d->cfg.filter, &ev);
		d->stats.events[MXT_STATUS_EXPIRED]++;
		if (counted) {
			d->events[MXT_STATUS_EXPIRED]++;
			uint8_t bit = (uint8_t)(1u << MXT_STATUS_EXPIRED);
			if (exact && !(D->marks & bit)) {
				D->marks |= bit;
				d->messages[MXT_STATUS_EXPIRED]++;
			}
			mxt_summary_count_failure(d, &ev, D);
			mxt_rates_count(d, &ev, 1);
		}
		if (counted || r->in_window)
			mxt_summary_resolve(d, MXT_STATUS_EXPIRED, 0);
		if (D->in_progress && (counted || r->in_window)) {
			struct outcome x = *o;
			x.rcpt = r->recipient;
			keep_outcome(D, &x, UINT32_MAX, r->first_deferred,
			    r->attempts);
		}
		struct retry *t = take_retry(d, &kb, r->host, r->queue_id,
		    r->recipient);
		mxt_summary_free_retry(t);
	}
	free(kb.p);
	free(pend);
	return true;
}

/* F (of src) continues D (of dst): take away what both counted. */
static void
join(struct mxt_summary *d, struct flight *D, const struct flight *F,
    const uint32_t *gmap, struct mxt_classifier *cls, bool exact)
{
	for (int k = 0; k < MXT_STATUS_COUNT; k++)
		if (D->marks & F->marks & (1u << k))
			d->messages[k]--;
	/* groups both touched, then pairs both touched */
	for (size_t i = 0; i < F->ntouch; i++) {
		uint32_t gi = gmap[F->touch[i].group];
		if (gi == UINT32_MAX)
			continue;
		bool first_of_group = true;
		for (size_t j = 0; j < i; j++)
			if (gmap[F->touch[j].group] == gi)
				first_of_group = false;
		if (first_of_group && has_touch(D, gi, NULL))
			d->groups[gi].messages--;
	}
	for (size_t i = 0; i < F->ntouch; i++) {
		uint32_t gi = gmap[F->touch[i].group];
		if (gi == UINT32_MAX)
			continue;
		bool new_msg;
		if (!mxt_flight_touch(D, gi, F->touch[i].rcpt,
		    strlen(F->touch[i].rcpt), &new_msg))
			d->groups[gi].recipients--;
	}
	D->marks |= F->marks;
	D->ended = F->ended;

	struct mxt_buf kb = {0};
	for (size_t i = 0; i < F->nout; i++) {
		const struct outcome *o = &F->out[i];
		uint32_t og = o->group == UINT32_MAX ? UINT32_MAX : gmap[o->group];
		if (o->rcpt[0] == '\0' && o->status == MXT_STATUS_EXPIRED &&
		    expand_expiry(d, D, o, og, cls, exact))
			continue;
		struct retry *r = take_retry(d, &kb, D->host, D->queue_id,
		    o->rcpt);
		if (r == NULL) {
			if (D->in_progress && !o->uncounted)
				keep_outcome(D, o, og, o->first_deferred,
				    o->attempts);
			continue;
		}
		/* one pass resolves it when it is counted or its deferral
		 * was (an uncounted outcome comes from a piece of one pass) */
		bool resolved = !o->uncounted || r->in_window;
		if (o->first_deferred >= 0 && !o->uncounted) {
			/* src counted it from its own first deferral */
			if (o->status == MXT_STATUS_DELIVERED) {
				int64_t a = o->time - o->first_deferred;
				int64_t b = o->time - r->first_deferred;
				mxt_summary_add_delay(d, a < 0 ? 0 : a, -1);
				mxt_summary_add_delay(d, b < 0 ? 0 : b, 1);
			}
		} else if (resolved) {
			mxt_summary_resolve(d, o->status,
			    o->time - r->first_deferred);
		}
		if (D->in_progress && resolved)
			keep_outcome(D, o, og, r->first_deferred,
			    r->attempts + o->attempts);
		mxt_summary_free_retry(r);
	}
	free(kb.p);
}

static struct flight *
copy_flight(const struct flight *F, const uint32_t *gmap)
{
	struct flight *n = mxt_flight_new(mxt_str_make(F->host,
	    strlen(F->host)), mxt_str_make(F->queue_id, strlen(F->queue_id)));
	n->marks = F->marks;
	n->in_progress = F->in_progress;
	n->ended = F->ended;
	n->superseded = F->superseded;
	for (size_t i = 0; i < F->ntouch; i++) {
		bool new_msg;
		if (gmap[F->touch[i].group] != UINT32_MAX)
			mxt_flight_touch(n, gmap[F->touch[i].group],
			    F->touch[i].rcpt, strlen(F->touch[i].rcpt), &new_msg);
	}
	for (size_t i = 0; i < F->nout; i++) {
		const struct outcome *o = &F->out[i];
		if (o->uncounted)
			continue;
		keep_outcome(n, o, o->group == UINT32_MAX ? UINT32_MAX :
		    gmap[o->group], o->first_deferred, o->attempts);
	}
	return n;
}

/* host and qid of a key host\x1fqid (a key of the maps, without a mark). */
static void
key_parts(const char *key, size_t len, struct mxt_str *host, struct mxt_str *qid)
{
	const char *us = memchr(key, '\x1f', len);
	size_t h = us ? (size_t)(us - key) : len;
	*host = mxt_str_make(key, h);
	*qid = us ? mxt_str_make(us + 1, len - h - 1) : mxt_str_make("", 0);
}

/*
 * The messages src's piece saw end before it saw them begin, and that
 * src has no entry of (no event after the cut): they end in dst as in
 * one pass (the entry of one open there goes).
 */
static void
end_at_cut(struct mxt_summary *d, const struct mxt_summary *s,
    const struct mxt_strmap *ended)
{
	for (size_t i = 0; ended != NULL && i < ended->size; i++) {
		const struct mxt_strmap_slot *sl = &ended->slots[i];
		if (sl->key == NULL ||
		    mxt_strmap_get(&s->flights, sl->key, sl->len) != NULL)
			continue;
		struct mxt_str host, qid;
		key_parts(sl->key, sl->len, &host, &qid);
		mxt_summary_message_end(d, host, qid);
	}
}

/* Those whose id began again in src's piece: dst's pending recipients of
 * the message before are another message's (as one pass detaches them). */
static void
detach_at_cut(struct mxt_summary *d, const struct mxt_strmap *ended)
{
	for (size_t i = 0; ended != NULL && i < ended->size; i++) {
		const struct mxt_strmap_slot *sl = &ended->slots[i];
		if (sl->key == NULL || sl->value != 2)
			continue;
		struct mxt_str host, qid;
		key_parts(sl->key, sl->len, &host, &qid);
		mxt_summary_detach_pending(d, host, qid);
	}
}

static void
merge_flights(struct mxt_summary *d, const struct mxt_summary *s,
    const uint32_t *gmap, struct mxt_classifier *cls, struct mxt_strmap *joined,
    const struct mxt_strmap *started)
{
	bool added;
	struct mxt_buf kb = {0};
	/* the messages src saw superseded by a new one with the same id
	 * first: they are the older */
	for (size_t i = 0; i < 2 * s->flights.size; i++) {
		const struct mxt_strmap_slot *sl =
		    &s->flights.slots[i % s->flights.size];
		if (sl->key == NULL || ((const struct flight *)sl->ptr)->superseded !=
		    (i < s->flights.size))
			continue;
		const struct flight *F = sl->ptr;
		/* a flight src moved aside when its id came back joins by
		 * the id; unjoined it keeps a key of its own in dst */
		size_t klen = mxt_summary_key_base(sl->key, sl->len);
		bool mark = klen != sl->len;
		struct mxt_strmap_slot *ds = mxt_strmap_get(&d->flights, sl->key,
		    klen);
		if (mark && (ds == NULL || !F->in_progress ||
		    ((struct flight *)ds->ptr)->ended)) {
			key_aside(d, &kb, sl->key, klen);
			ds = mxt_strmap_put(&d->flights, kb.p, kb.len, &added);
			ds->ptr = copy_flight(F, gmap);
			continue;
		}
		if (ds == NULL && F->in_progress && !mark && started != NULL &&
		    mxt_strmap_get(started, sl->key, klen) != NULL) {
			/* met in progress only because it began before the
			 * cut, without an event: one pass saw it begin */
			if (F->ended)
				continue;
			struct flight *n = copy_flight(F, gmap);
			n->in_progress = false;
			for (size_t k = 0; k < n->nout; k++) {
				free(n->out[k].rcpt);
				free(n->out[k].sender);
				free(n->out[k].text);
			}
			n->nout = 0;
			ds = mxt_strmap_put(&d->flights, sl->key, klen, &added);
			ds->ptr = n;
			continue;
		}
		if (ds == NULL) {
			ds = mxt_strmap_put(&d->flights, sl->key, klen, &added);
			ds->ptr = copy_flight(F, gmap);
			continue;
		}
		struct flight *D = ds->ptr;
		if (!D->ended && F->in_progress) {
			join(d, D, F, gmap, cls, s->ordered);
			mxt_strmap_put(joined, sl->key, klen, &added);
		} else if (!F->ended) {
			/* the same id again, a message of its own: what a
			 * later merge can join is the open one */
			mxt_summary_free_flight(D);
			ds->ptr = copy_flight(F, gmap);
		}
		if (D != ds->ptr)
			continue;
		if (D->ended && !D->in_progress) {
			mxt_summary_free_flight(D);
			mxt_strmap_remove(&d->flights, ds);
		} else if (D->ended && mark) {
			D->superseded = true;
			/* joined, and src saw the id come back: what is
			 * under the id from now on is the new message */
			mxt_strmap_remove(&d->flights, ds);
			key_aside(d, &kb, sl->key, klen);
			ds = mxt_strmap_put(&d->flights, kb.p, kb.len, &added);
			ds->ptr = D;
		}
	}
	free(kb.p);
}

/* src's pending recipients: new ones copied; one dst also had pending is
 * one recipient, deferred since dst's first deferral. */
static void
merge_pending(struct mxt_summary *d, const struct mxt_summary *s,
    const struct mxt_strmap *joined)
{
	bool added;
	struct mxt_buf kb = {0};
	for (size_t i = 0; i < s->retries.size; i++) {
		const struct mxt_strmap_slot *sl = &s->retries.slots[i];
		if (sl->key == NULL)
			continue;
		const struct retry *r = sl->ptr;
		size_t klen = mxt_summary_key_base(sl->key, sl->len);
		mxt_summary_key(&kb, str_of(r->host), str_of(r->queue_id), NULL);
		mxt_strmap_put(&d->pending_msgs, kb.p, kb.len, &added);
		struct mxt_strmap_slot *ds = mxt_strmap_get(&d->retries, sl->key,
		    sl->len);
		if (ds != NULL && klen == sl->len &&
		    mxt_strmap_get(joined, kb.p, kb.len) == NULL) {
			/* the same id, another message: dst's is detached */
			mxt_summary_detach_pending(d, str_of(r->host),
			    str_of(r->queue_id));
			mxt_summary_key(&kb, str_of(r->host), str_of(r->queue_id),
			    NULL);
			mxt_strmap_put(&d->pending_msgs, kb.p, kb.len, &added);
			ds = NULL;
		}
		if (ds == NULL) {
			if (klen != sl->len) {
				/* detached in src: a key of its own in dst (the
				 * stored key: a recipient may hold a NUL) */
				key_aside(d, &kb, sl->key, klen);
				ds = mxt_strmap_put(&d->retries, kb.p, kb.len,
				    &added);
			} else {
				ds = mxt_strmap_put(&d->retries, sl->key,
				    sl->len, &added);
			}
			ds->ptr = copy_retry(r);
			continue;
		}
		struct retry *x = ds->ptr;
		struct retry *n = copy_retry(r);
		n->first_deferred = x->first_deferred;
		n->first_time = x->first_time;
		n->attempts += x->attempts;
		n->in_window |= x->in_window;
		if (mxt_cause_is_repeat(n->cause) && !mxt_cause_is_repeat(x->cause))
			n->cause = x->cause;
		mxt_summary_free_retry(x);
		ds->ptr = n;
	}
	free(kb.p);
}

void
mxt_summary_settle(struct mxt_summary *s)
{
	for (size_t i = 0; i < s->flights.size; i++) {
		struct flight *f = s->flights.slots[i].ptr;
		if (s->flights.slots[i].key == NULL)
			continue;
		size_t n = 0;
		for (size_t k = 0; k < f->nout; k++) {
			if (!f->out[k].uncounted) {
				f->out[n++] = f->out[k];
				continue;
			}
			free(f->out[k].rcpt);
			free(f->out[k].sender);
			free(f->out[k].text);
		}
		f->nout = n;
	}
	s->ordered = false;
}

int
mxt_summary_merge(struct mxt_summary *d, const struct mxt_summary *s,
    struct mxt_classifier *cls, struct mxt_error *err)
{
	return mxt_summary_merge_cut(d, s, cls, NULL, err);
}

int
mxt_summary_merge_cut(struct mxt_summary *d, const struct mxt_summary *s,
    struct mxt_classifier *cls, const struct mxt_merge_cut *cut,
    struct mxt_error *err)
{
	const struct mxt_strmap *started = cut ? cut->started : NULL;
	const struct mxt_strmap *ended = cut ? cut->ended : NULL;
	bool same = d->cfg.nby == s->cfg.nby;
	for (size_t k = 0; same && k < d->cfg.nby; k++)
		same = d->cfg.by[k] == s->cfg.by[k];
	if (!same) {
		if (err != NULL) {
			memset(err, 0, sizeof *err);
			snprintf(err->text, sizeof err->text, "grouped by other "
			    "--by keys: summaries merge only with the same keys");
		}
		return -1;
	}
	bool added;
	merge_stats(&d->stats, &s->stats);
	/* the pieces of one pass: the end is the last time, as one pass
	 * keeps it (later wins a tie, as for events) */
	if (s->ordered ? s->end >= d->end :
	    s->end > d->end || d->ngroups + d->retries.count == 0) {
		d->end = s->end;
		d->end_utcoff = s->end_utcoff;
	}
	for (size_t i = 0; i < s->ninputs; i++)
		mxt_summary_add_input(d, s->inputs[i].name, &s->inputs[i].first,
		    &s->inputs[i].last, s->inputs[i].lines);
	for (size_t i = 0; i < s->hosts.size; i++)
		if (s->hosts.slots[i].key)
			mxt_strmap_put(&d->hosts, s->hosts.slots[i].key,
			    s->hosts.slots[i].len, &added);
	for (int k = 0; k < MXT_STATUS_COUNT; k++) {
		d->events[k] += s->events[k];
		d->messages[k] += s->messages[k];
	}
	d->repeats += s->repeats;
	d->overflow_groups += s->overflow_groups;
	d->overflow_retries += s->overflow_retries;
	d->overflow_messages += s->overflow_messages;
	d->overflow_domains += s->overflow_domains;
	uint32_t *gmap = merge_groups(d, s);
	mxt_rates_merge(d, s);
	mxt_received_merge(&d->recv, &s->recv, started);
	for (int c = 0; c < MXT_CAUSE_COUNT; c++) {
		d->causes[c].events += s->causes[c].events;
		d->causes[c].rejections += s->causes[c].rejections;
		merge_histogram(&d->causes[c].domains, &s->causes[c].domains,
		    NULL);
	}
	merge_clients(d, s);
	mxt_ourside_merge(&d->ourside, &s->ourside);
	d->retry_total += s->retry_total;
	d->retry_delivered += s->retry_delivered;
	d->retry_bounced += s->retry_bounced;
	d->retry_expired += s->retry_expired;
	for (size_t b = 0; b < DELAY_BUCKETS; b++)
		d->delays[b] += s->delays[b];
	/* the window of the whole: only as wide as both say */
	struct mxt_filter *df = &d->cfg.filter;
	const struct mxt_filter *sf = &s->cfg.filter;
	df->has_since = df->has_since && sf->has_since;
	df->since = sf->since < df->since ? sf->since : df->since;
	df->has_until = df->has_until && sf->has_until;
	df->until = sf->until > df->until ? sf->until : df->until;
	struct mxt_strmap joined;
	mxt_strmap_init(&joined, 0);
	if (df->has_since || df->has_until) {
		/* the inputs of both, in order: what none of them covers */
		struct mxt_input_span *sp = xcalloc(d->ninputs + 1, sizeof *sp);
		for (size_t i = 0; i < d->ninputs; i++) {
			sp[i].name = d->inputs[i].name;
			sp[i].lines = d->inputs[i].lines;
			sp[i].recognised = d->inputs[i].first.valid ? 1 : 0;
			sp[i].first = d->inputs[i].first;
			sp[i].last = d->inputs[i].last;
		}
		struct mxt_gap g[64];
		size_t n = mxt_coverage_gaps(sp, d->ninputs, df, d->end, g, 64);
		mxt_summary_set_coverage(d, g, n < 64 ? n : 64);
		free(sp);
	} else {
		mxt_summary_set_coverage(d, NULL, 0);
	}
	end_at_cut(d, s, ended);
	merge_flights(d, s, gmap, cls, &joined, started);
	detach_at_cut(d, ended);
	merge_pending(d, s, &joined);
	mxt_strmap_finish(&joined);
	free(gmap);
	d->merged = true;
	return 0;
}
