/*
 * report_json.c - the summary as one JSON document, schema
 * "mxtriage.summary/2" (documented field by field in mxtriage(1)).
 *
 * The document is made to be merged (summary_load.c reads it back): it
 * holds sums, the histograms behind each "top" value, the delivery delays
 * in fixed buckets, the whole pending list, the domains behind each
 * cause's count, and "in_flight": the messages still open at the end of
 * the input and those met in progress, with what a merge needs to join
 * the two sides of a cut. With --top a list is cut, "complete" is false
 * and merge refuses the document.
 *
 * Built with jansson's stealing calls and freed once at the root; strings
 * from the log are repaired to valid UTF-8 first. Numbers are exact.
 */
#include "trace.h"

#include <jansson.h>
#include <stdlib.h>

/* Stand-ins for the lists written entry by entry (see stream_array): a
 * control character no log string keeps raw, so the mark is unique.
 * MARK is the value set in the document, MARK_DUMPED the member as
 * json_dumps writes it (the control character escaped), found there and
 * replaced by the list. */
#define MARK(name) "\001" name "\001"
#define MARK_DUMPED(key, name) "\"" key "\": \"\\u0001" name "\\u0001\""
#define PENDING_MARK MARK("pending")
#define FLIGHT_MARK MARK("in_flight")
#define RATES_MARK MARK("rate_domains")
#define DUE_MARK MARK("received_due")
#define MET_MARK MARK("received_met")
#define BUCKETS_MARK MARK("timeline_buckets")
#define HOURS_MARK MARK("timeline_hours")

static json_t *
jstrn(const char *s, size_t len)
{
	char *buf = xmalloc(3 * len + 1);
	size_t n = mxt_utf8_sanitize(s, len, buf, 3 * len + 1);
	json_t *j = json_stringn(buf, n);
	free(buf);
	return j;
}

/* A malloc'd trace command line, consumed, repaired to UTF-8. */
static json_t *
jcommand(char *cmd)
{
	json_t *j = jstrn(cmd, strlen(cmd));
	free(cmd);
	return j;
}

static json_t *
jstr(const char *s)
{
	return jstrn(s, strlen(s));
}

static json_t *
jtime(const struct mxt_time *t)
{
	char buf[64];
	return t->valid ? json_string(mxt_time_format(t, buf, sizeof buf)) :
	    json_null();
}

static json_t *
jsec(int64_t sec, int32_t utcoff)
{
	struct mxt_time t = {.sec = sec, .valid = true, .utcoff = utcoff};
	return jtime(&t);
}

static json_t *
jint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *
jcause(enum mxt_cause c)
{
	const char *id = mxt_cause_id(c);
	return json_string(id ? id : "unclassified");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of a map as a sorted JSON array of strings. */
static json_t *
key_list(const struct mxt_strmap *m)
{
	const char **v = xcalloc(m->count + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < m->size; i++)
		if (m->slots[i].key)
			v[n++] = m->slots[i].key;
	qsort(v, n, sizeof *v, cmp_str);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jstr(v[i]));
	free(v);
	return a;
}

/* A histogram map as an object, keys sorted (JSON_SORT_KEYS is not used
 * for the whole document: its order is the documented one). */
static json_t *
histogram(const struct mxt_strmap *m)
{
	size_t n;
	const struct mxt_strmap_slot **v = mxt_strmap_sorted(m, &n);
	json_t *o = json_object();
	for (size_t i = 0; i < n; i++) {
		if (v[i]->value == 0) /* taken back by a merge */
			continue;
		/* keys from the log: repaired like every other string */
		json_t *k = jstrn(v[i]->key, v[i]->len);
		json_object_set_new(o, json_string_value(k), jint(v[i]->value));
		json_decref(k);
	}
	free(v);
	return o;
}

static json_t *
header(const struct mxt_summary *s, const struct mxt_report_options *o)
{
	const struct mxt_summary_header sh = mxt_summary_header(s);
	const struct mxt_stats *st = sh.stats;
	json_t *inputs = json_array();
	if (sh.ninputs > 0) {
		for (size_t i = 0; i < sh.ninputs; i++) {
			const struct mxt_summary_input si = mxt_summary_input(s, i);
			json_t *in = json_object();
			json_object_set_new(in, "name", jstr(si.name));
			json_object_set_new(in, "first", jtime(&si.first));
			json_object_set_new(in, "last", jtime(&si.last));
			json_object_set_new(in, "lines", jint(si.lines));
			json_array_append_new(inputs, in);
		}
	} else {
		for (size_t i = 0; i < o->ninputs; i++) {
			json_t *in = json_object();
			json_object_set_new(in, "name", jstr(o->inputs[i]));
			json_object_set_new(in, "first", json_null());
			json_object_set_new(in, "last", json_null());
			json_object_set_new(in, "lines", json_null());
			json_array_append_new(inputs, in);
		}
	}
	json_t *lines = json_object();
	json_object_set_new(lines, "read", jint(st->lines));
	for (int m = 0; m < MXT_MTA_COUNT; m++)
		json_object_set_new(lines, mxt_mta_name(m), jint(st->lines_mta[m]));
	json_object_set_new(lines, "unparsed", jint(st->unparsed));
	json_object_set_new(lines, "truncated", jint(st->lines_truncated));
	json_object_set_new(lines, "without_header", jint(st->lines_no_header));
	json_object_set_new(lines, "probes", jint(st->probes));
	json_object_set_new(lines, "reject_warnings", jint(st->reject_warnings));

	json_t *events = json_object(), *messages = json_object();
	for (int i = 0; i < MXT_STATUS_COUNT; i++) {
		json_object_set_new(events, mxt_status_name(i), jint(sh.events[i]));
		json_object_set_new(messages, mxt_status_name(i),
		    jint(sh.messages[i]));
	}
	json_object_set_new(events, "cached_repeats", jint(sh.repeats));

	json_t *span = json_object();
	json_object_set_new(span, "first", jtime(&st->first));
	json_object_set_new(span, "last", jtime(&st->last));
	json_object_set_new(span, "first_line", jtime(&st->first_line));
	json_object_set_new(span, "last_line", jtime(&st->last_line));
	json_t *window = json_object();
	char buf[64];
	const struct mxt_filter *f = &sh.cfg->filter;
	json_object_set_new(window, "since", f->has_since ?
	    json_string(mxt_local_time(f->since, buf, sizeof buf)) :
	    json_null());
	json_object_set_new(window, "until", f->has_until ?
	    json_string(mxt_local_time(f->until, buf, sizeof buf)) :
	    json_null());
	json_t *gaps = json_array();
	for (size_t i = 0; i < sh.ngaps; i++) {
		const struct mxt_summary_gap gap = mxt_summary_gap(s, i);
		json_t *g = json_object();
		json_object_set_new(g, "kind",
		    json_string(mxt_gap_kind_name(gap.kind)));
		json_object_set_new(g, "start", json_string(mxt_local_time(
		    gap.start, buf, sizeof buf)));
		json_object_set_new(g, "end", json_string(mxt_local_time(
		    gap.end, buf, sizeof buf)));
		json_array_append_new(gaps, g);
	}
	/* the parts of the window no input covers */
	json_object_set_new(window, "uncovered", gaps);
	json_t *overflow = json_object();
	json_object_set_new(overflow, "groups", jint(sh.overflow_groups));
	json_object_set_new(overflow, "retries", jint(sh.overflow_retries));
	json_object_set_new(overflow, "messages", jint(sh.overflow_messages));
	json_object_set_new(overflow, "domains", jint(sh.overflow_domains));
	json_object_set_new(overflow, "tracked_messages", jint(st->track_overflow));
	json_object_set_new(overflow, "received", jint(sh.overflow_received));
	json_t *received = json_object();
	json_object_set_new(received, "messages", jint(sh.recv_messages));
	json_object_set_new(received, "bytes", jint(sh.recv_bytes));

	json_t *h = json_object();
	json_object_set_new(h, "inputs", inputs);
	json_object_set_new(h, "hosts", key_list(sh.hosts));
	json_object_set_new(h, "span", span);
	json_object_set_new(h, "window", window);
	json_object_set_new(h, "lines", lines);
	json_object_set_new(h, "events", events);
	json_object_set_new(h, "messages", messages);
	json_object_set_new(h, "received", received);
	json_object_set_new(h, "overflow", overflow);
	return h;
}

/* pos[internal group index] = position in the document, or UINT32_MAX */
static json_t *
groups(const struct mxt_summary *s, const struct mxt_report_options *o,
    uint32_t *pos)
{
	const struct mxt_summary_header sh = mxt_summary_header(s);
	json_t *a = json_array();
	size_t ng;
	struct mxt_group_row *v = mxt_summary_groups(s, &ng);
	for (size_t i = 0; i < sh.groups_kept; i++)
		pos[i] = UINT32_MAX;
	for (size_t i = 0; i < ng && (!o->top || i < o->top); i++) {
		const struct mxt_group_row *g = &v[i];
		pos[g->index] = (uint32_t)i;
		json_t *j = json_object(), *keys = json_object();
		for (size_t k = 0; k < sh.cfg->nby; k++)
			json_object_set_new(keys, mxt_key_name(sh.cfg->by[k]),
			    jstr(g->values[k]));
		json_object_set_new(j, "keys", keys);
		json_object_set_new(j, "events", jint(g->events));
		json_object_set_new(j, "cached_repeats", jint(g->repeats));
		for (int st = MXT_STATUS_DEFERRED; st <= MXT_STATUS_EXPIRED; st++)
			json_object_set_new(j, mxt_status_name(st),
			    jint(g->by_status[st]));
		json_object_set_new(j, "recipients", jint(g->recipients));
		json_object_set_new(j, "messages", jint(g->messages));
		json_object_set_new(j, "first", jtime(&g->first));
		json_object_set_new(j, "last", jtime(&g->last));
		const struct mxt_strmap_slot *code = mxt_strmap_top(g->codes);
		const struct mxt_strmap_slot *text = mxt_strmap_top(g->texts);
		json_object_set_new(j, "top_reply", code ? jstr(code->key) : json_null());
		json_object_set_new(j, "top_reply_events", jint(code ? code->value : 0));
		json_object_set_new(j, "top_text", text ?
		    jstrn(text->key, text->len) : json_null());
		json_object_set_new(j, "top_text_events", jint(text ? text->value : 0));
		json_object_set_new(j, "replies", histogram(g->codes));
		json_object_set_new(j, "texts", histogram(g->texts));
		json_object_set_new(j, "texts_unnamed", jint(g->texts_unnamed));
		/* the warnings of ours linked to its failures */
		const struct mxt_strmap_slot *warn = mxt_strmap_top(g->warnings);
		json_object_set_new(j, "warning", warn ?
		    jstrn(warn->key, warn->len) : json_null());
		json_object_set_new(j, "warnings", histogram(g->warnings));
		/* the command that lists the group's messages and lines */
		json_object_set_new(j, "trace",
		    jcommand(mxt_trace_command_group(s, g->group)));
		json_array_append_new(a, j);
	}
	free(v);
	return a;
}

static json_t *
causes(const struct mxt_summary *s)
{
	struct mxt_cause_row rows[MXT_CAUSE_COUNT];
	size_t n = mxt_summary_causes(s, rows);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		enum mxt_cause c = rows[i].cause;
		const struct mxt_cause_row *r = &rows[i];
		json_t *j = json_object();
		json_object_set_new(j, "cause", jcause(c));
		json_object_set_new(j, "title", json_string(mxt_cause_title(c) ?
		    mxt_cause_title(c) : ""));
		json_object_set_new(j, "kind", json_string(
		    mxt_cause_kind_name(mxt_cause_kind(c))));
		json_object_set_new(j, "side", json_string(
		    mxt_cause_side_name(mxt_cause_side(c))));
		json_object_set_new(j, "events", jint(r->events));
		json_object_set_new(j, "rejections", jint(r->rejections));
		json_object_set_new(j, "domains", jint(r->domains->count));
		const char *const *steps = mxt_cause_steps(c,
		    r->events >= r->rejections ? MXT_DIR_OUT : MXT_DIR_IN);
		json_object_set_new(j, "next_step", steps[0] ?
		    json_string(steps[0]) : json_null());
		json_object_set_new(j, "domain_list", key_list(r->domains));
		json_array_append_new(a, j);
	}
	return a;
}

/* ---- rates and trend (summary_rates.c) ---- */

static json_t *
rate_row(const char *name, const char *key, const struct rate_row *r)
{
	json_t *j = json_object();
	if (name != NULL)
		json_object_set_new(j, name, jstr(key));
	json_object_set_new(j, "attempts", jint(mxt_rate_attempts(r)));
	for (int st = MXT_STATUS_DELIVERED; st <= MXT_STATUS_EXPIRED; st++)
		json_object_set_new(j, mxt_status_name(st), jint(r->n[st]));
	json_object_set_new(j, "cached_repeats", jint(r->repeats));
	/* null when there is nothing to divide by */
	uint64_t fin = r->n[MXT_STATUS_DELIVERED] + r->n[MXT_STATUS_BOUNCED] +
	    r->n[MXT_STATUS_EXPIRED];
	json_object_set_new(j, "defer_rate", mxt_rate_attempts(r) ?
	    json_real(mxt_rate_defer(r)) : json_null());
	json_object_set_new(j, "bounce_rate", fin ?
	    json_real(mxt_rate_bounce(r)) : json_null());
	return j;
}

static json_t *
rate_list(const struct mxt_summary *s, bool provider)
{
	size_t n;
	struct rate_entry *v = mxt_rates_sorted(s, provider, &n);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, rate_row(provider ? "provider" : "domain",
		    v[i].key, v[i].row));
	free(v);
	return a;
}

/* All rows, whatever --top: the lists are what a merge adds up. */
static json_t *
rates(const struct mxt_summary *s)
{
	json_t *j = json_object();
	json_object_set_new(j, "total", rate_row(NULL, NULL,
	    mxt_summary_header(s).rate_total));
	json_object_set_new(j, "providers", rate_list(s, true));
	/* streamed: one row per domain, up to the cap (see stream_array) */
	json_object_set_new(j, "domains", json_string(RATES_MARK));
	json_object_set_new(j, "overflow", jint(mxt_summary_header(s).overflow_rates));
	return j;
}

static json_t *
bucket(const struct tl_bucket *b)
{
	json_t *j = json_object(), *c = json_object();
	json_object_set_new(j, "start", jsec(b->start, b->utcoff));
	for (int st = 0; st < MXT_STATUS_COUNT; st++)
		json_object_set_new(j, mxt_status_name(st), jint(b->n[st]));
	json_object_set_new(j, "cached_repeats", jint(b->repeats));
	for (int k = 0; k < MXT_CAUSE_COUNT; k++) {
		const char *id = mxt_cause_id((enum mxt_cause)k);
		if (b->causes[k])
			json_object_set_new(c, id ? id : "unclassified",
			    jint(b->causes[k]));
	}
	json_object_set_new(j, "causes", c);
	return j;
}

/* "buckets" as the table shows them (empty ones included); "hours" the
 * hours with events, which a merge adds up. Both are written one bucket
 * at a time by mxt_report_json (next_bucket): up to 10,000 hours as one
 * jansson tree took megabytes, and made the report's memory grow with
 * the days the log covers. */
static json_t *
timeline(const struct mxt_summary *s, bool daily)
{
	json_t *j = json_object();
	json_object_set_new(j, "unit", json_string(daily ? "day" : "hour"));
	json_object_set_new(j, "buckets", json_string(BUCKETS_MARK));
	json_object_set_new(j, "hours", json_string(HOURS_MARK));
	json_object_set_new(j, "overflow", jint(mxt_summary_header(s).overflow_hours));
	return j;
}

static json_t *
delay(const struct mxt_summary *s, double p)
{
	bool open;
	int64_t v = mxt_summary_delay_percentile(s, p, &open);
	return v < 0 ? json_null() : json_integer((json_int_t)v);
}

static json_t *
retries(const struct mxt_summary *s, const struct mxt_report_options *o)
{
	const struct mxt_summary_retries rt = mxt_summary_retries(s);
	json_t *j = json_object();
	json_object_set_new(j, "deferred_recipients", jint(rt.deferred));
	json_object_set_new(j, "delivered_later", jint(rt.delivered));
	json_object_set_new(j, "bounced", jint(rt.bounced));
	json_object_set_new(j, "expired", jint(rt.expired));
	json_object_set_new(j, "pending", jint(rt.pending));
	json_object_set_new(j, "delivery_delay_median", delay(s, 50));
	json_object_set_new(j, "delivery_delay_p90", delay(s, 90));
	json_t *buckets = json_array();
	for (size_t b = 0; b < DELAY_BUCKETS; b++) {
		json_t *e = json_object();
		json_object_set_new(e, "le", b < DELAY_BUCKETS - 1 ?
		    json_integer(mxt_delay_bounds[b]) : json_null());
		json_object_set_new(e, "count", jint(rt.delays[b]));
		json_array_append_new(buckets, e);
	}
	json_object_set_new(j, "delay_buckets", buckets);
	/* written one entry at a time by mxt_report_json: a pending list
	 * of 500,000 as one jansson tree would take gigabytes */
	json_object_set_new(j, "pending_list", json_string(PENDING_MARK));
	return j;
}

static json_t *
pending_entry(const struct mxt_summary *s, const struct mxt_pending_row *r)
{
	json_t *p = json_object();
	json_object_set_new(p, "host", jstr(r->host));
	json_object_set_new(p, "recipient", jstr(r->recipient));
	json_object_set_new(p, "domain", jstr(r->domain));
	json_object_set_new(p, "queue_id", jstr(r->queue_id));
	json_object_set_new(p, "cause", jcause(r->cause));
	json_object_set_new(p, "attempts", jint(r->attempts));
	json_object_set_new(p, "first_deferred", jtime(&r->first_time));
	json_object_set_new(p, "last_deferred",
	    jsec(r->last_deferred,
	    mxt_summary_header(s).end_utcoff));
	json_object_set_new(p, "age", json_integer(r->age));
	json_object_set_new(p, "in_window", json_boolean(r->in_window));
	json_object_set_new(p, "code", r->code ? json_integer(r->code) :
	    json_null());
	json_object_set_new(p, "dsn", r->dsn[0] ? json_string(r->dsn) :
	    json_null());
	json_object_set_new(p, "text", jstr(r->text));
	json_object_set_new(p, "trace",
	    jcommand(mxt_trace_command_pending(s, r->retry)));
	return p;
}


static json_t *
rejections(const struct mxt_summary *s, const struct mxt_report_options *o)
{
	json_t *j = json_object(), *a = json_array();
	size_t n;
	struct mxt_client_row *v = mxt_summary_clients(s, &n);
	json_object_set_new(j, "total", jint(mxt_summary_header(s).events[MXT_STATUS_REJECTED]));
	for (size_t i = 0; i < n && (!o->top || i < o->top); i++) {
		json_t *c = json_object(), *bc = json_object();
		json_object_set_new(c, "client", jstr(v[i].key));
		json_object_set_new(c, "name", jstr(v[i].name));
		json_object_set_new(c, "rejections", jint(v[i].rejections));
		json_object_set_new(c, "top_cause", jcause(v[i].top_cause));
		for (int k = 0; k < MXT_CAUSE_COUNT; k++)
			if (v[i].by_cause[k])
				json_object_set_new(bc, mxt_cause_id(k) ?
				    mxt_cause_id(k) : "unclassified",
				    jint(v[i].by_cause[k]));
		json_object_set_new(c, "by_cause", bc);
		json_array_append_new(a, c);
	}
	free(v);
	json_object_set_new(j, "by_client", a);
	return j;
}

/* A client map of the our-side section (SASL failures, limits). */
static json_t *
local_clients(const struct mxt_summary *s, enum mxt_local_clients which,
    const struct mxt_report_options *o, bool with_max)
{
	json_t *a = json_array();
	size_t n;
	struct mxt_local_client_row *v = mxt_summary_local_clients(s, which,
	    &n);
	for (size_t i = 0; i < n && (!o->top || i < o->top); i++) {
		const struct mxt_local_client_row *c = &v[i];
		json_t *j = json_object();
		json_object_set_new(j, "client", jstrn(c->key, c->len));
		json_object_set_new(j, "name", jstr(c->name));
		json_object_set_new(j, "count", jint(c->count));
		if (with_max)
			json_object_set_new(j, "max", jint(c->max));
		json_object_set_new(j, "first", jtime(&c->first));
		json_object_set_new(j, "last", jtime(&c->last));
		json_array_append_new(a, j);
	}
	free(v);
	return a;
}

/* The local MTA's own trouble (summary_ourside.c). */
static json_t *
our_side(const struct mxt_summary *s, const struct mxt_report_options *o)
{
	const struct mxt_summary_ourside ours = mxt_summary_ourside(s);
	const struct mxt_summary_ourside *os = &ours;
	json_t *j = json_object(), *levels = json_object();
	json_t *topics = json_object(), *ps = json_object();
	for (int i = 0; i < MXT_LEVEL_COUNT; i++)
		json_object_set_new(levels, mxt_local_level_name(i),
		    jint(os->by_level[i]));
	for (int i = 1; i < MXT_TOPIC_COUNT; i++)
		json_object_set_new(topics, mxt_local_topic_name(i),
		    jint(os->by_topic[i]));
	json_object_set_new(j, "levels", levels);
	json_object_set_new(j, "topics", topics);
	json_object_set_new(j, "overflow", jint(os->overflow));
	json_t *a = json_array();
	size_t n;
	struct mxt_complaint_row *v = mxt_summary_complaints(s, &n);
	for (size_t i = 0; i < n && (!o->top || i < o->top); i++) {
		const struct mxt_complaint_row *c = &v[i];
		json_t *e = json_object();
		json_object_set_new(e, "key", jstrn(c->key, c->len));
		json_object_set_new(e, "mta", json_string(mxt_mta_name(c->mta)));
		json_object_set_new(e, "level",
		    json_string(mxt_local_level_name(c->level)));
		json_object_set_new(e, "topic", c->topic == MXT_TOPIC_NONE ?
		    json_null() : json_string(mxt_local_topic_name(c->topic)));
		json_object_set_new(e, "count", jint(c->count));
		json_object_set_new(e, "explained", jint(c->explained));
		json_object_set_new(e, "first", jtime(&c->first));
		json_object_set_new(e, "last", jtime(&c->last));
		json_object_set_new(e, "program", jstr(c->program ? c->program :
		    ""));
		json_object_set_new(e, "example", jstr(c->example ? c->example :
		    ""));
		json_array_append_new(a, e);
	}
	free(v);
	json_object_set_new(j, "complaints", a);
	json_object_set_new(j, "sasl_failures", local_clients(s, MXT_LOCAL_SASL, o,
	    false));
	json_object_set_new(j, "rate_limited", local_clients(s, MXT_LOCAL_RATE, o,
	    true));
	for (int i = 0; i < MXT_OURSIDE_ACTIONS; i++)
		json_object_set_new(ps, mxt_ourside_actions[i],
		    jint(os->postscreen[i]));
	json_object_set_new(j, "postscreen", ps);
	a = json_array();
	for (int i = 0; i < OURSIDE_ANVIL; i++) {
		const struct mxt_anvil_row *m = &os->anvil[i];
		if (m->client == NULL)
			continue;
		json_t *e = json_object();
		json_object_set_new(e, "kind",
		    json_string(mxt_ourside_anvil_names[i]));
		json_object_set_new(e, "max", jint(m->value));
		json_object_set_new(e, "client", jstr(m->client));
		json_object_set_new(e, "time", jtime(&m->time));
		json_array_append_new(a, e);
	}
	json_object_set_new(j, "anvil", a);
	return j;
}

/* A message a merge may join (open at the end, or met in progress), as
 * an entry of "in_flight"; NULL for one that is neither. */
static json_t *
flight_entry(const struct mxt_flight_row *f, const uint32_t *pos)
{
	json_t *j = json_object(), *st = json_array();
	json_object_set_new(j, "host", jstr(f->host));
	json_object_set_new(j, "queue_id", jstr(f->queue_id));
	json_object_set_new(j, "open", json_boolean(f->open));
	json_object_set_new(j, "in_progress", json_boolean(f->in_progress));
	json_object_set_new(j, "superseded", json_boolean(f->superseded));
	for (int k = 0; k < MXT_STATUS_COUNT; k++)
		if (f->statuses & (1u << k))
			json_array_append_new(st, json_string(mxt_status_name(k)));
	json_object_set_new(j, "statuses", st);
	json_t *t = json_array();
	for (size_t k = 0; k < f->ntouch; k++) {
		const struct mxt_flight_touch tc = mxt_flight_touch_at(f->flight,
		    k);
		if (pos[tc.group] == UINT32_MAX)
			continue;
		json_t *e = json_object();
		json_object_set_new(e, "group", jint(pos[tc.group]));
		json_object_set_new(e, "recipient", jstr(tc.rcpt));
		json_array_append_new(t, e);
	}
	json_object_set_new(j, "touched", t);
	json_t *out = json_array();
	for (size_t k = 0; k < f->nout; k++) {
		const struct mxt_flight_outcome oc = mxt_flight_outcome_at(
		    f->flight, k);
		const struct mxt_flight_outcome *o = &oc;
		json_t *e = json_object();
		json_object_set_new(e, "recipient", jstr(o->rcpt));
		json_object_set_new(e, "status",
		    json_string(mxt_status_name(o->status)));
		json_object_set_new(e, "time", jsec(o->time, o->utcoff));
		json_object_set_new(e, "first_deferred",
		    o->first_deferred < 0 ? json_null() :
		    jsec(o->first_deferred, o->utcoff));
		json_object_set_new(e, "attempts", jint(o->attempts));
		json_object_set_new(e, "group", o->group == SIZE_MAX ||
		    pos[o->group] == UINT32_MAX ? json_null() :
		    jint(pos[o->group]));
		json_object_set_new(e, "sender", o->sender ?
		    jstr(o->sender) : json_null());
		json_object_set_new(e, "cause", o->text ?
		    jcause(o->cause) : json_null());
		json_object_set_new(e, "text", o->text ?
		    jstr(o->text) : json_null());
		json_array_append_new(out, e);
	}
	json_object_set_new(j, "outcomes", out);
	return j;
}

/* The host and queue id of a key host\x1fqid, into j. */
static void
key_members(json_t *j, const char *key, size_t len)
{
	const char *us = memchr(key, '\x1f', len);
	size_t h = us ? (size_t)(us - key) : len;
	json_object_set_new(j, "host", jstrn(key, h));
	json_object_set_new(j, "queue_id", us ? jstrn(us + 1, len - h - 1) :
	    jstrn("", 0));
}

/*
 * Writes one big array entry by entry, laid out as jansson lays out the
 * document (JSON_INDENT(2)): the array stands at column indent. Entries
 * are built and freed one at a time, so memory does not grow with the
 * array. Returns 0 or -1.
 */
struct entries {
	size_t n, i;
	json_t *(*next)(struct entries *);
	const struct mxt_summary *s;
	const uint32_t *pos;
	size_t top;
	const struct mxt_pending_row *pending;
	const struct mxt_flight_row *flights;
	const struct mxt_received_row *received;
	bool met;
	const struct rate_entry *rates;
	const struct tl_bucket *buckets;
	bool skip_empty;           /* of buckets: "hours" keeps those with events */
};

static json_t *
next_pending(struct entries *e)
{
	if (e->i >= e->n || (e->top && e->i >= e->top))
		return NULL;
	return pending_entry(e->s, &e->pending[e->i++]);
}

static json_t *
next_flight(struct entries *e)
{
	if (e->i >= e->n)
		return NULL;
	return flight_entry(&e->flights[e->i++], e->pos);
}

/* What a merge needs to count the messages received across a cut
 * (summary_received.c), by key: the messages begun and not yet in the
 * queue ("due"), and the first size line of those met in progress
 * ("met"). */
static json_t *
next_received(struct entries *e)
{
	if (e->i >= e->n)
		return NULL;
	const struct mxt_received_row *r = &e->received[e->i++];
	json_t *j = json_object();
	key_members(j, r->key, r->len);
	if (e->met) {
		json_object_set_new(j, "bytes", jint(r->bytes));
		json_object_set_new(j, "in_window", json_boolean(r->in_window));
	}
	return j;
}

static json_t *
next_bucket(struct entries *e)
{
	while (e->skip_empty && e->i < e->n &&
	    mxt_bucket_empty(&e->buckets[e->i]))
		e->i++;
	if (e->i >= e->n)
		return NULL;
	return bucket(&e->buckets[e->i++]);
}

static json_t *
next_rate_domain(struct entries *e)
{
	if (e->i >= e->n)
		return NULL;
	const struct rate_entry *r = &e->rates[e->i++];
	return rate_row("domain", r->key, r->row);
}

static int
stream_array(FILE *fp, struct entries *e, size_t indent)
{
	json_t *j = e->next(e);
	if (j == NULL)
		return fputs("[]", fp) == EOF ? -1 : 0;
	int rc = fputs("[", fp) == EOF;
	for (bool first = true; j != NULL; j = e->next(e), first = false) {
		char *text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(j);
		if (text == NULL)
			return -1;
		rc |= fprintf(fp, "%s\n%*s", first ? "" : ",", (int)indent + 2,
		    "") < 0;
		for (const char *p = text; *p; p++) {
			rc |= putc(*p, fp) == EOF;
			if (*p == '\n')
				rc |= fprintf(fp, "%*s", (int)indent + 2, "") < 0;
		}
		free(text);
	}
	rc |= fprintf(fp, "\n%*s]", (int)indent, "") < 0;
	return rc ? -1 : 0;
}

int
mxt_report_json(const struct mxt_summary *s, const struct mxt_report_options *o,
    FILE *fp)
{
	const struct mxt_summary_header sh = mxt_summary_header(s);
	json_t *root = json_object();
	json_t *by = json_array();
	for (size_t k = 0; k < sh.cfg->nby; k++)
		json_array_append_new(by,
		    json_string(mxt_key_name(sh.cfg->by[k])));
	uint32_t *pos = xcalloc(sh.groups_kept + 1, sizeof *pos);
	json_t *gen = json_object();
	json_object_set_new(gen, "name", json_string("mxtriage"));
	json_object_set_new(gen, "version", json_string(MXT_VERSION));
	json_object_set_new(root, "schema", json_string(MXT_SUMMARY_SCHEMA));
	json_object_set_new(root, "generator", gen);
	json_object_set_new(root, "complete", json_boolean(o->top == 0));
	json_object_set_new(root, "header", header(s, o));
	json_object_set_new(root, "by", by);
	json_object_set_new(root, "groups", groups(s, o, pos));
	json_object_set_new(root, "causes", causes(s));
	json_object_set_new(root, "retries", retries(s, o));
	json_object_set_new(root, "rejections", rejections(s, o));
	json_object_set_new(root, "our_side", our_side(s, o));
	json_object_set_new(root, "rates", rates(s));
	size_t nb, nh;
	bool daily;
	struct tl_bucket *bv = mxt_timeline_view(s, &nb, &daily);
	const struct tl_bucket *hv = mxt_timeline_hours(s, &nh);
	json_object_set_new(root, "timeline", timeline(s, daily));
	json_object_set_new(root, "in_flight", json_string(FLIGHT_MARK));
	json_t *rif = json_object();
	json_object_set_new(rif, "due", json_string(DUE_MARK));
	json_object_set_new(rif, "met", json_string(MET_MARK));
	json_object_set_new(root, "received_in_flight", rif);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL) {
		free(bv);
		free(pos);
		return -1;
	}

	size_t n;
	struct mxt_pending_row *pv = mxt_summary_pending(s, true, &n);
	struct entries pending = {.n = n, .next = next_pending, .s = s,
	    .pos = pos, .top = o->top, .pending = pv};
	size_t nf;
	struct mxt_flight_row *fv = mxt_summary_flights(s, &nf);
	struct entries flights = {.n = nf, .next = next_flight, .s = s,
	    .pos = pos, .flights = fv};
	size_t nr;
	struct rate_entry *rv = mxt_rates_sorted(s, false, &nr);
	struct entries rdomains = {.n = nr, .next = next_rate_domain, .s = s,
	    .pos = pos, .rates = rv};
	size_t ndue, nmet;
	struct mxt_received_row *duev = mxt_summary_received_list(s, false,
	    &ndue);
	struct mxt_received_row *metv = mxt_summary_received_list(s, true,
	    &nmet);
	struct entries rdue = {.n = ndue, .next = next_received, .s = s,
	    .pos = pos, .received = duev};
	struct entries rmet = {.n = nmet, .next = next_received, .s = s,
	    .pos = pos, .received = metv, .met = true};
	struct entries tbuckets = {.n = nb, .next = next_bucket, .buckets = bv};
	struct entries thours = {.n = nh, .next = next_bucket, .buckets = hv,
	    .skip_empty = true};

	/* the lists that grow with the input replace their marks, in the
	 * order of the document; key and value with unescaped quotes: no
	 * string from the log can hold this sequence (its quotes are
	 * escaped) */
#define LIST(key, name, list) {"\"" key "\": ", MARK_DUMPED(key, name), list}
	const struct {
		const char *key, *mark;
		struct entries *list;
	} lists[] = {
		LIST("pending_list", "pending", &pending),
		LIST("domains", "rate_domains", &rdomains),
		LIST("buckets", "timeline_buckets", &tbuckets),
		LIST("hours", "timeline_hours", &thours),
		LIST("in_flight", "in_flight", &flights),
		LIST("due", "received_due", &rdue),
		LIST("met", "received_met", &rmet),
	};
#undef LIST
	int rc = 0;
	const char *p = text;
	for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
		const char *key = lists[k].key, *mark = lists[k].mark;
		const char *m = strstr(p, mark);
		if (m == NULL) { /* cannot be: the marks were set above */
			rc = -1;
			break;
		}
		const char *bol = m;
		while (bol > text && bol[-1] != '\n')
			bol--;
		m += strlen(key);
		rc |= fwrite(p, 1, (size_t)(m - p), fp) != (size_t)(m - p);
		rc |= stream_array(fp, lists[k].list, strspn(bol, " "));
		p = m + strlen(mark) - strlen(key);
	}
	rc |= fputs(p, fp) == EOF || putc('\n', fp) == EOF;
	free(text);
	free(pv);
	free(fv);
	free(rv);
	free(duev);
	free(metv);
	free(bv);
	free(pos);
	return rc ? -1 : 0;
}
