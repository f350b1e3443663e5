/*
 * summary_load.c - a JSON summary (schema mxtriage.summary/2, as
 * report_json.c writes it) read back into a struct mxt_summary, for
 * `mxtriage merge`. Every field a merge adds up is read; a document of
 * another schema, a cut one ("complete": false) or a malformed one is
 * refused with the file and the JSON path of the problem.
 */
#include "summary.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>

struct loader {
	const char *path;
	struct mxt_error *err;
	bool failed;
};

static void fail(struct loader *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;
	if (l->failed)
		return;
	l->failed = true;
	if (l->err == NULL)
		return;
	memset(l->err, 0, sizeof *l->err);
	snprintf(l->err->source, sizeof l->err->source, "%s", l->path);
	va_start(ap, fmt);
	vsnprintf(l->err->text, sizeof l->err->text, fmt, ap);
	va_end(ap);
}

static json_t *
member(struct loader *l, json_t *o, const char *key, json_type type,
    const char *where)
{
	json_t *v = json_object_get(o, key);
	if (v == NULL || json_typeof(v) != type) {
		fail(l, "%s.%s: missing or of the wrong type", where, key);
		return NULL;
	}
	return v;
}

static uint64_t
count(struct loader *l, json_t *o, const char *key, const char *where)
{
	json_t *v = member(l, o, key, JSON_INTEGER, where);
	if (v == NULL)
		return 0;
	if (json_integer_value(v) < 0) {
		fail(l, "%s.%s: negative count", where, key);
		return 0;
	}
	return (uint64_t)json_integer_value(v);
}

static const char *
string(struct loader *l, json_t *o, const char *key, const char *where)
{
	json_t *v = member(l, o, key, JSON_STRING, where);
	return v != NULL ? json_string_value(v) : "";
}

static int
digits(const char *p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DDTHH:MM:SS[.f](Z|+hh:mm|-hh:mm)", as mxt_time_format writes */
static bool
parse_time(const char *s, struct mxt_time *t)
{
	memset(t, 0, sizeof *t);
	size_t n = strlen(s);
	if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':')
		return false;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || se < 0 || se > 60)
		return false;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		int k = 0;
		int32_t f = 0;
		while (*p >= '0' && *p <= '9' && k < 9) {
			f = f * 10 + (*p++ - '0');
			k++;
		}
		t->frac = f;
		t->frac_digits = (int8_t)k;
	}
	int32_t off = 0;
	if (*p == 'Z') {
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh = digits(p + 1, 2), om = digits(p + 4, 2);
		if (oh < 0 || om < 0)
			return false;
		off = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p != '\0')
		return false;
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	t->sec = days * 86400 + h * 3600 + mi * 60 + se - off;
	t->utcoff = off;
	t->valid = true;
	return true;
}

static struct mxt_time
time_of(struct loader *l, json_t *o, const char *key, const char *where)
{
	struct mxt_time t = {0};
	json_t *v = json_object_get(o, key);
	if (v == NULL || json_is_null(v))
		return t;
	if (!json_is_string(v) || !parse_time(json_string_value(v), &t))
		fail(l, "%s.%s: not a time like 2026-11-23T10:00:01Z", where, key);
	return t;
}

static int
cause_of(struct loader *l, const char *id, const char *where)
{
	if (strcmp(id, "unclassified") == 0)
		return MXT_CAUSE_NONE;
	int c = mxt_cause_lookup(id);
	if (c < 0) {
		fail(l, "%s: unknown cause '%s'", where, id);
		return MXT_CAUSE_OTHER;
	}
	return c;
}

static void
load_histogram(struct loader *l, json_t *o, struct mxt_strmap *m,
    const char *where)
{
	const char *k;
	json_t *v;
	bool added;
	if (!json_is_object(o)) {
		fail(l, "%s: not an object", where);
		return;
	}
	json_object_foreach(o, k, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0) {
			fail(l, "%s: not a count", where);
			return;
		}
		struct mxt_strmap_slot *s = mxt_strmap_put(m, k, strlen(k), &added);
		if (s != NULL)
			s->value += (uint64_t)json_integer_value(v);
	}
}

static void
load_header(struct loader *l, struct mxt_summary *s, json_t *h)
{
	struct mxt_stats *st = &s->stats;
	json_t *a = member(l, h, "inputs", JSON_ARRAY, "header");
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		struct mxt_time f = time_of(l, v, "first", "header.inputs");
		struct mxt_time t = time_of(l, v, "last", "header.inputs");
		json_t *n = json_object_get(v, "lines");
		mxt_summary_add_input(s, string(l, v, "name", "header.inputs"),
		    &f, &t, json_is_integer(n) ? (uint64_t)json_integer_value(n) : 0);
	}
	a = member(l, h, "hosts", JSON_ARRAY, "header");
	json_array_foreach(a, i, v) {
		bool added;
		if (json_is_string(v))
			mxt_strmap_put(&s->hosts, json_string_value(v),
			    json_string_length(v), &added);
	}
	json_t *span = member(l, h, "span", JSON_OBJECT, "header");
	st->first = time_of(l, span, "first", "header.span");
	st->last = time_of(l, span, "last", "header.span");
	st->first_line = time_of(l, span, "first_line", "header.span");
	st->last_line = time_of(l, span, "last_line", "header.span");
	json_t *lines = member(l, h, "lines", JSON_OBJECT, "header");
	st->lines = count(l, lines, "read", "header.lines");
	for (int m = 0; m < MXT_MTA_COUNT; m++)
		st->lines_mta[m] = count(l, lines, mxt_mta_name(m), "header.lines");
	st->unparsed = count(l, lines, "unparsed", "header.lines");
	st->lines_truncated = count(l, lines, "truncated", "header.lines");
	st->lines_no_header = count(l, lines, "without_header", "header.lines");
	st->probes = count(l, lines, "probes", "header.lines");
	st->reject_warnings = count(l, lines, "reject_warnings", "header.lines");
	json_t *ev = member(l, h, "events", JSON_OBJECT, "header");
	json_t *ms = member(l, h, "messages", JSON_OBJECT, "header");
	for (int k = 0; k < MXT_STATUS_COUNT; k++) {
		s->events[k] = count(l, ev, mxt_status_name(k), "header.events");
		st->events[k] = s->events[k];
		s->messages[k] = count(l, ms, mxt_status_name(k),
		    "header.messages");
	}
	s->repeats = count(l, ev, "cached_repeats", "header.events");
	json_t *ov = member(l, h, "overflow", JSON_OBJECT, "header");
	s->overflow_groups = count(l, ov, "groups", "header.overflow");
	s->overflow_retries = count(l, ov, "retries", "header.overflow");
	s->overflow_messages = count(l, ov, "messages", "header.overflow");
	s->overflow_domains = count(l, ov, "domains", "header.overflow");
	st->track_overflow = count(l, ov, "tracked_messages", "header.overflow");
	/* absent in documents written before the received totals */
	json_t *rv = json_object_get(h, "received");
	if (rv != NULL && (rv = member(l, h, "received", JSON_OBJECT,
	    "header")) != NULL) {
		s->recv.messages = count(l, rv, "messages", "header.received");
		s->recv.bytes = count(l, rv, "bytes", "header.received");
		s->recv.overflow = count(l, ov, "received", "header.overflow");
	}
	if (st->last.valid) {
		s->end = st->last.sec;
		s->end_utcoff = st->last.utcoff;
	}
}

/* Reads the groups in document order: group i gets index i. */
static void
load_groups(struct loader *l, struct mxt_summary *s, json_t *a)
{
	size_t i;
	json_t *g;
	json_array_foreach(a, i, g) {
		const char *vals[MXT_MAX_KEYS];
		size_t lens[MXT_MAX_KEYS];
		json_t *keys = member(l, g, "keys", JSON_OBJECT, "groups[]");
		if (keys == NULL)
			return;
		for (size_t k = 0; k < s->cfg.nby; k++) {
			vals[k] = string(l, keys, mxt_key_name(s->cfg.by[k]),
			    "groups[].keys");
			lens[k] = strlen(vals[k]);
		}
		uint32_t gi = mxt_summary_group_index(s, vals, lens);
		if (gi != i) {
			fail(l, "groups[%zu]: the same keys twice", i);
			return;
		}
		struct group *x = &s->groups[gi];
		x->events = count(l, g, "events", "groups[]");
		x->repeats = count(l, g, "cached_repeats", "groups[]");
		for (int st = MXT_STATUS_DEFERRED; st <= MXT_STATUS_EXPIRED; st++)
			x->by_status[st] = count(l, g, mxt_status_name(st),
			    "groups[]");
		x->recipients = count(l, g, "recipients", "groups[]");
		x->messages = count(l, g, "messages", "groups[]");
		x->first = time_of(l, g, "first", "groups[]");
		x->last = time_of(l, g, "last", "groups[]");
		load_histogram(l, json_object_get(g, "replies"), &x->codes,
		    "groups[].replies");
		load_histogram(l, json_object_get(g, "texts"), &x->texts,
		    "groups[].texts");
		x->texts_unnamed = count(l, g, "texts_unnamed", "groups[]");
		/* absent in documents written before the our-side section */
		json_t *w = json_object_get(g, "warnings");
		if (w != NULL)
			load_histogram(l, w, &x->warnings, "groups[].warnings");
	}
}

static void
load_local_clients(struct loader *l, struct ourside *o, struct mxt_strmap *m,
    json_t *a, const char *where)
{
	size_t i;
	json_t *c;
	json_array_foreach(a, i, c) {
		const char *key = string(l, c, "client", where);
		struct local_client *x = mxt_ourside_client(o, m, key,
		    strlen(key));
		if (x == NULL) {
			o->overflow += count(l, c, "count", where);
			continue;
		}
		x->count = count(l, c, "count", where);
		const char *name = string(l, c, "name", where);
		free(x->name);
		x->name = xstrndup(name, strlen(name));
		if (json_object_get(c, "max") != NULL)
			x->max = count(l, c, "max", where);
		x->first = time_of(l, c, "first", where);
		x->last = time_of(l, c, "last", where);
	}
}

static int
name_index(const char *name, const char *(*names)(int), int n)
{
	for (int i = 0; i < n; i++)
		if (names(i) != NULL && strcmp(name, names(i)) == 0)
			return i;
	return -1;
}

static const char *
level_name(int i)
{
	return mxt_local_level_name((enum mxt_local_level)i);
}

static const char *
topic_name(int i)
{
	return mxt_local_topic_name((enum mxt_local_topic)i);
}

static const char *
mta_name(int i)
{
	return mxt_mta_name((enum mxt_mta)i);
}

/* The "our_side" section (summary_ourside.c). */
static void
load_our_side(struct loader *l, struct mxt_summary *s, json_t *j)
{
	struct ourside *o = &s->ourside;
	json_t *lv = member(l, j, "levels", JSON_OBJECT, "our_side");
	for (int i = 0; i < MXT_LEVEL_COUNT; i++)
		o->by_level[i] = count(l, lv, mxt_local_level_name(i),
		    "our_side.levels");
	json_t *tp = member(l, j, "topics", JSON_OBJECT, "our_side");
	for (int i = 1; i < MXT_TOPIC_COUNT; i++)
		o->by_topic[i] = count(l, tp, mxt_local_topic_name(i),
		    "our_side.topics");
	o->overflow = count(l, j, "overflow", "our_side");
	json_t *a = member(l, j, "complaints", JSON_ARRAY, "our_side");
	size_t i;
	json_t *c;
	json_array_foreach(a, i, c) {
		const char *w = "our_side.complaints[]";
		const char *key = string(l, c, "key", w);
		struct complaint *x = mxt_ourside_complaint(o, key, strlen(key));
		if (x == NULL) {
			o->overflow += count(l, c, "count", w);
			continue;
		}
		int m = name_index(string(l, c, "mta", w), mta_name,
		    MXT_MTA_COUNT);
		int lev = name_index(string(l, c, "level", w), level_name,
		    MXT_LEVEL_COUNT);
		json_t *t = json_object_get(c, "topic");
		int top = json_is_string(t) ? name_index(json_string_value(t),
		    topic_name, MXT_TOPIC_COUNT) : MXT_TOPIC_NONE;
		if (m < 0 || lev < 0 || top < 0) {
			fail(l, "%s: unknown mta, level or topic", w);
			return;
		}
		x->mta = (enum mxt_mta)m;
		x->level = (enum mxt_local_level)lev;
		x->topic = (enum mxt_local_topic)top;
		x->count = count(l, c, "count", w);
		x->explained = count(l, c, "explained", w);
		x->first = time_of(l, c, "first", w);
		x->last = time_of(l, c, "last", w);
		const char *p = string(l, c, "program", w);
		const char *e = string(l, c, "example", w);
		free(x->program);
		free(x->example);
		x->program = xstrndup(p, strlen(p));
		x->example = xstrndup(e, strlen(e));
	}
	if ((a = member(l, j, "sasl_failures", JSON_ARRAY, "our_side")))
		load_local_clients(l, o, &o->sasl, a, "our_side.sasl_failures[]");
	if ((a = member(l, j, "rate_limited", JSON_ARRAY, "our_side")))
		load_local_clients(l, o, &o->rate, a, "our_side.rate_limited[]");
	json_t *ps = member(l, j, "postscreen", JSON_OBJECT, "our_side");
	for (int k = 0; k < MXT_OURSIDE_ACTIONS; k++)
		o->postscreen[k] = count(l, ps, mxt_ourside_actions[k],
		    "our_side.postscreen");
	a = member(l, j, "anvil", JSON_ARRAY, "our_side");
	json_array_foreach(a, i, c) {
		const char *w = "our_side.anvil[]";
		const char *kind = string(l, c, "kind", w);
		for (int k = 0; k < OURSIDE_ANVIL; k++) {
			if (strcmp(kind, mxt_ourside_anvil_names[k]) != 0)
				continue;
			struct anvil_max *x = &o->anvil[k];
			const char *cl = string(l, c, "client", w);
			free(x->client);
			x->client = xstrndup(cl, strlen(cl));
			x->value = count(l, c, "max", w);
			x->time = time_of(l, c, "time", w);
		}
	}
}

static void
load_causes(struct loader *l, struct mxt_summary *s, json_t *a)
{
	size_t i, j;
	json_t *c, *d;
	json_array_foreach(a, i, c) {
		int k = cause_of(l, string(l, c, "cause", "causes[]"), "causes[]");
		struct cause_row *r = &s->causes[k];
		r->events = count(l, c, "events", "causes[]");
		r->rejections = count(l, c, "rejections", "causes[]");
		json_t *dl = member(l, c, "domain_list", JSON_ARRAY, "causes[]");
		json_array_foreach(dl, j, d) {
			bool added;
			if (json_is_string(d))
				mxt_strmap_put(&r->domains, json_string_value(d),
				    json_string_length(d), &added);
		}
	}
}

static void
load_retries(struct loader *l, struct mxt_summary *s, json_t *r)
{
	s->retry_delivered = count(l, r, "delivered_later", "retries");
	s->retry_bounced = count(l, r, "bounced", "retries");
	s->retry_expired = count(l, r, "expired", "retries");
	s->retry_total = s->retry_delivered + s->retry_bounced +
	    s->retry_expired;
	json_t *b = member(l, r, "delay_buckets", JSON_ARRAY, "retries");
	if (b != NULL && json_array_size(b) != DELAY_BUCKETS) {
		fail(l, "retries.delay_buckets: %d buckets expected",
		    DELAY_BUCKETS);
		return;
	}
	for (size_t i = 0; b != NULL && i < DELAY_BUCKETS; i++)
		s->delays[i] = count(l, json_array_get(b, i), "count",
		    "retries.delay_buckets[]");
	json_t *a = member(l, r, "pending_list", JSON_ARRAY, "retries");
	size_t i;
	json_t *p;
	json_array_foreach(a, i, p) {
		bool added;
		const char *w = "retries.pending_list[]";
		const char *h = string(l, p, "host", w);
		const char *q = string(l, p, "queue_id", w);
		const char *rc = string(l, p, "recipient", w);
		const char *d = string(l, p, "domain", w);
		struct retry *x = mxt_retry_new(mxt_str_make(h, strlen(h)),
		    mxt_str_make(rc, strlen(rc)), mxt_str_make(d, strlen(d)),
		    mxt_str_make(q, strlen(q)));
		x->cause = cause_of(l, string(l, p, "cause", w), w);
		x->attempts = count(l, p, "attempts", w);
		x->first_time = time_of(l, p, "first_deferred", w);
		x->first_deferred = x->first_time.sec;
		x->last_deferred = time_of(l, p, "last_deferred", w).sec;
		x->in_window = json_is_true(json_object_get(p, "in_window"));
		json_t *code = json_object_get(p, "code");
		x->code = json_is_integer(code) ? (int)json_integer_value(code) : 0;
		json_t *dsn = json_object_get(p, "dsn");
		if (json_is_string(dsn))
			snprintf(x->dsn, sizeof x->dsn, "%s", json_string_value(dsn));
		const char *t = string(l, p, "text", w);
		x->text = xstrndup(t, strlen(t));
		struct mxt_str hs = mxt_str_make(h, strlen(h));
		struct mxt_str qs = mxt_str_make(q, strlen(q));
		struct mxt_str rs = mxt_str_make(rc, strlen(rc));
		struct mxt_buf key = {0};
		mxt_summary_key(&key, hs, qs, &rs);
		struct mxt_strmap_slot *slot = mxt_strmap_get(&s->retries, key.p,
		    key.len);
		if (slot != NULL) /* the id came back: the list is oldest first */
			mxt_summary_detach_pending(s, hs, qs);
		slot = mxt_strmap_put(&s->retries, key.p, key.len, &added);
		slot->ptr = x;
		mxt_summary_key(&key, hs, qs, NULL);
		mxt_strmap_put(&s->pending_msgs, key.p, key.len, &added);
		free(key.p);
	}
}

static void
load_clients(struct loader *l, struct mxt_summary *s, json_t *a)
{
	size_t i;
	json_t *c;
	json_array_foreach(a, i, c) {
		bool added;
		const char *w = "rejections.by_client[]";
		const char *key = string(l, c, "client", w);
		struct mxt_strmap_slot *slot = mxt_strmap_put(&s->clients, key,
		    strlen(key), &added);
		if (!added) {
			fail(l, "%s: client '%s' twice", w, key);
			return;
		}
		struct client_row *r = xcalloc(1, sizeof *r);
		r->key = xstrndup(key, strlen(key));
		const char *name = string(l, c, "name", w);
		r->name = xstrndup(name, strlen(name));
		r->rejections = count(l, c, "rejections", w);
		json_t *bc = member(l, c, "by_cause", JSON_OBJECT, w);
		const char *k;
		json_t *v;
		json_object_foreach(bc, k, v)
			r->by_cause[cause_of(l, k, w)] = json_is_integer(v) ?
			    (uint64_t)json_integer_value(v) : 0;
		slot->ptr = r;
	}
}

/* "received_in_flight" (summary_received.c): due and met messages. */
static void
load_received(struct loader *l, struct mxt_summary *s, json_t *o)
{
	static const char *const lists[] = {"due", "met"};
	struct mxt_buf kb = {0};
	for (int k = 0; k < 2; k++) {
		json_t *a = member(l, o, lists[k], JSON_ARRAY,
		    "received_in_flight");
		size_t i;
		json_t *e;
		if (a == NULL)
			continue;
		json_array_foreach(a, i, e) {
			const char *w = k ? "received_in_flight.met[]" :
			    "received_in_flight.due[]";
			const char *h = string(l, e, "host", w);
			const char *q = string(l, e, "queue_id", w);
			mxt_summary_key(&kb, mxt_str_make(h, strlen(h)),
			    mxt_str_make(q, strlen(q)), NULL);
			if (k == 0) {
				mxt_received_add_due(&s->recv, kb.p, kb.len);
				continue;
			}
			uint64_t b = count(l, e, "bytes", w);
			json_t *iw = json_object_get(e, "in_window");
			if (!json_is_boolean(iw))
				fail(l, "%s.in_window: missing or of the wrong "
				    "type", w);
			mxt_received_add_met(&s->recv, kb.p, kb.len, b,
			    json_is_true(iw));
		}
	}
	free(kb.p);
}

static void
load_flights(struct loader *l, struct mxt_summary *s, json_t *a)
{
	size_t i, j;
	json_t *e, *t;
	json_array_foreach(a, i, e) {
		const char *w = "in_flight[]";
		const char *h = string(l, e, "host", w);
		const char *q = string(l, e, "queue_id", w);
		struct flight *f;
		if (json_is_true(json_object_get(e, "superseded"))) {
			bool added;
			struct mxt_buf kb = {0};
			mxt_summary_key(&kb, mxt_str_make(h, strlen(h)),
			    mxt_str_make(q, strlen(q)), NULL);
			mxt_summary_key_aside(s, &kb);
			struct mxt_strmap_slot *slot = mxt_strmap_put(&s->flights,
			    kb.p, kb.len, &added);
			free(kb.p);
			f = mxt_flight_new(mxt_str_make(h, strlen(h)),
			    mxt_str_make(q, strlen(q)));
			f->superseded = true;
			slot->ptr = f;
		} else {
			f = mxt_summary_flight(s, mxt_str_make(h, strlen(h)),
			    mxt_str_make(q, strlen(q)), true);
		}
		if (f == NULL) {
			fail(l, "in_flight: more than %d messages",
			    SUMMARY_FLIGHTS_MAX);
			return;
		}
		f->ended = !json_is_true(json_object_get(e, "open"));
		f->in_progress = json_is_true(json_object_get(e, "in_progress"));
		json_t *st = member(l, e, "statuses", JSON_ARRAY, w);
		json_array_foreach(st, j, t) {
			int k = json_is_string(t) ?
			    mxt_status_lookup(json_string_value(t)) : -1;
			if (k < 0) {
				fail(l, "%s.statuses: unknown status", w);
				return;
			}
			f->marks |= (uint8_t)(1u << k);
		}
		json_t *tl = member(l, e, "touched", JSON_ARRAY, w);
		json_array_foreach(tl, j, t) {
			uint64_t g = count(l, t, "group", "in_flight[].touched[]");
			const char *r = string(l, t, "recipient",
			    "in_flight[].touched[]");
			bool new_msg;
			if (g >= s->ngroups) {
				fail(l, "in_flight[].touched[].group: no such group");
				return;
			}
			mxt_flight_touch(f, (uint32_t)g, r, strlen(r), &new_msg);
		}
		json_t *ol = member(l, e, "outcomes", JSON_ARRAY, w);
		json_array_foreach(ol, j, t) {
			const char *ow = "in_flight[].outcomes[]";
			struct outcome *o = mxt_flight_outcome(f);
			const char *r = string(l, t, "recipient", ow);
			o->rcpt = xstrndup(r, strlen(r));
			int k = mxt_status_lookup(string(l, t, "status", ow));
			o->status = k < 0 ? MXT_STATUS_DELIVERED : (enum mxt_status)k;
			struct mxt_time tt = time_of(l, t, "time", ow);
			o->time = tt.sec;
			o->utcoff = tt.utcoff;
			struct mxt_time fd = time_of(l, t, "first_deferred", ow);
			o->first_deferred = fd.valid ? fd.sec : -1;
			o->attempts = count(l, t, "attempts", ow);
			json_t *g = json_object_get(t, "group");
			if (json_is_integer(g) && json_integer_value(g) >= 0 &&
			    (size_t)json_integer_value(g) < s->ngroups)
				o->group = (uint32_t)json_integer_value(g);
			json_t *tx = json_object_get(t, "text");
			if (json_is_string(tx)) {
				o->text = xstrndup(json_string_value(tx),
				    json_string_length(tx));
				o->cause = cause_of(l, string(l, t, "cause", ow), ow);
			}
			json_t *snd = json_object_get(t, "sender");
			if (json_is_string(snd))
				o->sender = xstrndup(json_string_value(snd),
				    json_string_length(snd));
		}
	}
}

/* ---- rates and trend (summary_rates.c) ---- */

static void
load_rate_row(struct loader *l, json_t *o, struct rate_row *r,
    const char *where)
{
	memset(r, 0, sizeof *r);
	for (int st = MXT_STATUS_DELIVERED; st <= MXT_STATUS_EXPIRED; st++)
		r->n[st] = count(l, o, mxt_status_name(st), where);
	r->repeats = count(l, o, "cached_repeats", where);
}

static void
load_rates(struct loader *l, struct mxt_summary *s, json_t *o)
{
	struct rate_row r;
	json_t *t = member(l, o, "total", JSON_OBJECT, "rates");
	if (t != NULL)
		load_rate_row(l, t, &s->rate_total, "rates.total");
	s->overflow_rates += count(l, o, "overflow", "rates");
	for (int p = 0; p < 2; p++) {
		const char *list = p ? "providers" : "domains";
		const char *name = p ? "provider" : "domain";
		char where[32];
		snprintf(where, sizeof where, "rates.%s", list);
		json_t *a = member(l, o, list, JSON_ARRAY, "rates");
		size_t i;
		json_t *v;
		json_array_foreach(a, i, v) {
			const char *key = string(l, v, name, where);
			load_rate_row(l, v, &r, where);
			if (l->failed)
				return;
			mxt_rates_add_row(s, p == 1, key, &r);
		}
	}
}

static void
load_timeline(struct loader *l, struct mxt_summary *s, json_t *o)
{
	s->overflow_hours += count(l, o, "overflow", "timeline");
	json_t *a = member(l, o, "hours", JSON_ARRAY, "timeline");
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		struct tl_bucket b;
		memset(&b, 0, sizeof b);
		struct mxt_time t = time_of(l, v, "start", "timeline.hours");
		if (!t.valid) {
			fail(l, "timeline.hours[%zu].start: not a time", i);
			return;
		}
		b.start = t.sec;
		b.utcoff = t.utcoff;
		for (int st = 0; st < MXT_STATUS_COUNT; st++)
			b.n[st] = count(l, v, mxt_status_name(st),
			    "timeline.hours");
		b.repeats = count(l, v, "cached_repeats", "timeline.hours");
		json_t *c = member(l, v, "causes", JSON_OBJECT,
		    "timeline.hours");
		const char *k;
		json_t *n;
		json_object_foreach(c, k, n) {
			if (!json_is_integer(n) || json_integer_value(n) < 0) {
				fail(l, "timeline.hours[%zu].causes.%s: not a "
				    "count", i, k);
				return;
			}
			b.causes[cause_of(l, k, "timeline.hours")] +=
			    (uint64_t)json_integer_value(n);
		}
		if (l->failed)
			return;
		mxt_rates_add_hour(s, &b);
	}
}

struct mxt_summary *
mxt_summary_load(const char *path, struct mxt_error *err)
{
	json_error_t je;
	json_t *root = strcmp(path, "-") == 0 ?
	    json_loadf(stdin, JSON_REJECT_DUPLICATES, &je) :
	    json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		if (err != NULL) {
			memset(err, 0, sizeof *err);
			snprintf(err->source, sizeof err->source, "%s", path);
			err->line = je.line > 0 ? je.line : 0;
			err->column = je.column > 0 ? je.column : 0;
			snprintf(err->text, sizeof err->text, "%s", je.text);
		}
		return NULL;
	}
	struct mxt_summary *s = mxt_summary_from_json(root, path, err);
	json_decref(root);
	return s;
}

struct mxt_summary *
mxt_summary_from_json(json_t *root, const char *path, struct mxt_error *err)
{
	struct loader l = {path, err, false};
	json_t *schema = json_object_get(root, "schema");
	if (!json_is_string(schema) ||
	    strcmp(json_string_value(schema), MXT_SUMMARY_SCHEMA) != 0) {
		fail(&l, "schema is %s%s%s, not %s (write it again with this "
		    "version's 'mxtriage -f json')", json_is_string(schema) ? "'" : "",
		    json_is_string(schema) ? json_string_value(schema) : "missing",
		    json_is_string(schema) ? "'" : "", MXT_SUMMARY_SCHEMA);
		return NULL;
	}
	json_t *complete = json_object_get(root, "complete");
	if (json_is_false(complete)) {
		fail(&l, "the document was cut by --top (\"complete\": false); "
		    "write it without --top to merge it");
		return NULL;
	}
	if (!json_is_true(complete)) {
		fail(&l, "complete: not true (a damaged document)");
		return NULL;
	}
	struct mxt_summary_config cfg = {0};
	mxt_filter_init(&cfg.filter);
	json_t *by = json_object_get(root, "by");
	size_t i;
	json_t *v;
	if (!json_is_array(by) || json_array_size(by) == 0 ||
	    json_array_size(by) > MXT_MAX_KEYS)
		fail(&l, "by: not a list of 1 to %d keys", MXT_MAX_KEYS);
	json_array_foreach(by, i, v) {
		int k = json_is_string(v) ? mxt_key_lookup(json_string_value(v)) : -1;
		if (k < 0 || i >= MXT_MAX_KEYS) {
			fail(&l, "by[%zu]: not a --by key", i);
			break;
		}
		cfg.by[cfg.nby++] = (enum mxt_key)k;
	}
	struct mxt_summary *s = NULL;
	if (!l.failed) {
		s = mxt_summary_create(&cfg);
		json_t *w = json_object_get(json_object_get(root, "header"),
		    "window");
		struct mxt_time since = time_of(&l, w, "since", "header.window");
		struct mxt_time until = time_of(&l, w, "until", "header.window");
		s->cfg.filter.has_since = since.valid;
		s->cfg.filter.since = since.sec;
		s->cfg.filter.has_until = until.valid;
		s->cfg.filter.until = until.sec;
		json_t *un = json_object_get(w, "uncovered");
		size_t gi;
		json_t *g;
		json_array_foreach(un, gi, g) {
			s->gaps = xrealloc(s->gaps, (s->ngaps + 1) * sizeof *s->gaps);
			struct cover_gap *x = &s->gaps[s->ngaps++];
			x->start = time_of(&l, g, "start", "header.window.uncovered").sec;
			x->end = time_of(&l, g, "end", "header.window.uncovered").sec;
			const char *k = string(&l, g, "kind", "header.window.uncovered");
			x->kind = MXT_GAP_NONE;
			for (int t = 0; t < MXT_GAP_COUNT; t++)
				if (strcmp(k, mxt_gap_kind_name(t)) == 0)
					x->kind = (enum mxt_gap_kind)t;
		}
		json_t *h = member(&l, root, "header", JSON_OBJECT, "$");
		if (h != NULL)
			load_header(&l, s, h);
		json_t *a = member(&l, root, "groups", JSON_ARRAY, "$");
		if (a != NULL)
			load_groups(&l, s, a);
		if ((a = member(&l, root, "causes", JSON_ARRAY, "$")) != NULL)
			load_causes(&l, s, a);
		if ((a = member(&l, root, "retries", JSON_OBJECT, "$")) != NULL)
			load_retries(&l, s, a);
		json_t *rj = member(&l, root, "rejections", JSON_OBJECT, "$");
		if (rj != NULL && (a = member(&l, rj, "by_client", JSON_ARRAY,
		    "rejections")) != NULL)
			load_clients(&l, s, a);
		if ((a = member(&l, root, "in_flight", JSON_ARRAY, "$")) != NULL)
			load_flights(&l, s, a);
		if ((a = json_object_get(root, "received_in_flight")) != NULL &&
		    (a = member(&l, root, "received_in_flight", JSON_OBJECT,
		    "$")) != NULL)
			load_received(&l, s, a);
		/* absent in documents written before the our-side section */
		if ((a = json_object_get(root, "our_side")) != NULL &&
		    (a = member(&l, root, "our_side", JSON_OBJECT, "$")) != NULL)
			load_our_side(&l, s, a);
		if ((a = member(&l, root, "rates", JSON_OBJECT, "$")) != NULL)
			load_rates(&l, s, a);
		if ((a = member(&l, root, "timeline", JSON_OBJECT, "$")) != NULL)
			load_timeline(&l, s, a);
	}
	if (l.failed) {
		mxt_summary_destroy(s);
		return NULL;
	}
	s->merged = true;
	return s;
}
