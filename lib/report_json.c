/*
 * report_json.c - the summary as one JSON document, schema
 * "mxtriage.summary/1" (documented field by field in mxtriage(1)).
 * Built with jansson's stealing calls and freed once at the root; strings
 * from the log are repaired to valid UTF-8 first. Numbers are exact.
 */
#include "summary.h"

#include <jansson.h>
#include <stdlib.h>

static json_t *
jstr(const char *s)
{
	size_t len = strlen(s);
	char *buf = xmalloc(3 * len + 1);
	size_t n = mxt_utf8_sanitize(s, len, buf, 3 * len + 1);
	json_t *j = json_stringn(buf, n);
	free(buf);
	return j;
}

static json_t *
jtime(const struct mxt_time *t)
{
	char buf[64];
	return t->valid ? json_string(mxt_time_format(t, buf, sizeof buf)) :
	    json_null();
}

static json_t *
jint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *
header(const struct mxt_summary *s, const struct mxt_report_options *o)
{
	const struct mxt_stats *st = &s->stats;
	json_t *inputs = json_array();
	for (size_t i = 0; i < o->ninputs; i++)
		json_array_append_new(inputs, jstr(o->inputs[i]));
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
		json_object_set_new(events, mxt_status_name(i), jint(s->events[i]));
		json_object_set_new(messages, mxt_status_name(i),
		    jint(s->messages[i]));
	}
	json_object_set_new(events, "cached_repeats", jint(s->repeats));

	json_t *span = json_object();
	json_object_set_new(span, "first", jtime(&st->first));
	json_object_set_new(span, "last", jtime(&st->last));
	json_t *window = json_object();
	char buf[64];
	const struct mxt_filter *f = &s->cfg.filter;
	json_object_set_new(window, "since", f->has_since ?
	    json_string(mxt_local_time(f->since, buf, sizeof buf)) :
	    json_null());
	json_object_set_new(window, "until", f->has_until ?
	    json_string(mxt_local_time(f->until, buf, sizeof buf)) :
	    json_null());

	json_t *h = json_object();
	json_object_set_new(h, "inputs", inputs);
	json_object_set_new(h, "span", span);
	json_object_set_new(h, "window", window);
	json_object_set_new(h, "lines", lines);
	json_object_set_new(h, "events", events);
	json_object_set_new(h, "messages", messages);
	return h;
}

static json_t *
groups(const struct mxt_summary *s, const struct mxt_report_options *o)
{
	json_t *a = json_array();
	struct group **v = mxt_summary_sorted_groups(s);
	for (size_t i = 0; i < s->ngroups && (!o->top || i < o->top); i++) {
		const struct group *g = v[i];
		json_t *j = json_object(), *keys = json_object();
		for (size_t k = 0; k < s->cfg.nby; k++)
			json_object_set_new(keys, mxt_key_name(s->cfg.by[k]),
			    jstr(g->values[k]));
		json_object_set_new(j, "keys", keys);
		json_object_set_new(j, "events", jint(g->events));
		json_object_set_new(j, "cached_repeats", jint(g->repeats));
		for (int st = MXT_STATUS_DEFERRED; st <= MXT_STATUS_EXPIRED; st++)
			json_object_set_new(j, mxt_status_name(st),
			    jint(g->by_status[st]));
		json_object_set_new(j, "recipients", jint(g->recipients.count));
		json_object_set_new(j, "messages", jint(g->messages.count));
		json_object_set_new(j, "first", jtime(&g->first));
		json_object_set_new(j, "last", jtime(&g->last));
		const struct mxt_strmap_slot *code = mxt_strmap_top(&g->codes);
		const struct mxt_strmap_slot *text = mxt_strmap_top(&g->texts);
		json_object_set_new(j, "top_reply", code ? jstr(code->key) : json_null());
		json_object_set_new(j, "top_reply_events", jint(code ? code->value : 0));
		json_object_set_new(j, "top_text", text ? jstr(text->key) : json_null());
		json_object_set_new(j, "top_text_events", jint(text ? text->value : 0));
		json_array_append_new(a, j);
	}
	free(v);
	return a;
}

static json_t *
causes(const struct mxt_summary *s)
{
	enum mxt_cause order[MXT_CAUSE_COUNT];
	size_t n = mxt_summary_sorted_causes(s, order);
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++) {
		enum mxt_cause c = order[i];
		const struct cause_row *r = &s->causes[c];
		json_t *j = json_object();
		const char *id = mxt_cause_id(c);
		json_object_set_new(j, "cause", json_string(id ? id : "unclassified"));
		json_object_set_new(j, "title", json_string(mxt_cause_title(c) ?
		    mxt_cause_title(c) : ""));
		json_object_set_new(j, "kind", json_string(
		    mxt_cause_kind_name(mxt_cause_kind(c))));
		json_object_set_new(j, "events", jint(r->events));
		json_object_set_new(j, "rejections", jint(r->rejections));
		json_object_set_new(j, "domains", jint(r->domains.count));
		const char *const *steps = mxt_cause_steps(c,
		    r->events >= r->rejections ? MXT_DIR_OUT : MXT_DIR_IN);
		json_object_set_new(j, "next_step", steps[0] ?
		    json_string(steps[0]) : json_null());
		json_array_append_new(a, j);
	}
	return a;
}

static json_t *
retries(const struct mxt_summary *s, const struct mxt_report_options *o)
{
	json_t *j = json_object();
	char buf[64];
	json_object_set_new(j, "deferred_recipients", jint(s->retry_total));
	json_object_set_new(j, "delivered_later", jint(s->retry_delivered));
	json_object_set_new(j, "bounced", jint(s->retry_bounced));
	json_object_set_new(j, "expired", jint(s->retry_expired));
	json_object_set_new(j, "pending", jint(mxt_summary_pending_count(s)));
	double med = mxt_summary_delay_percentile(s, 50);
	double p90 = mxt_summary_delay_percentile(s, 90);
	json_object_set_new(j, "delivery_delay_median",
	    med < 0 ? json_null() : json_integer((json_int_t)med));
	json_object_set_new(j, "delivery_delay_p90",
	    p90 < 0 ? json_null() : json_integer((json_int_t)p90));
	size_t n;
	struct retry **v = mxt_summary_sorted_pending(s, &n);
	json_t *a = json_array();
	for (size_t i = 0; i < n && (!o->top || i < o->top); i++) {
		const struct retry *r = v[i];
		json_t *p = json_object();
		const char *id = mxt_cause_id(r->cause);
		json_object_set_new(p, "recipient", jstr(r->recipient));
		json_object_set_new(p, "domain", jstr(r->domain));
		json_object_set_new(p, "queue_id", jstr(r->queue_id));
		json_object_set_new(p, "cause", json_string(id ? id : "unclassified"));
		json_object_set_new(p, "attempts", jint(r->attempts));
		json_object_set_new(p, "first_deferred", jtime(&r->first_time));
		json_object_set_new(p, "last_deferred", json_string(
		    mxt_summary_time(s, r->last_deferred, buf, sizeof buf)));
		json_object_set_new(p, "age", json_integer(s->end - r->first_deferred));
		json_array_append_new(a, p);
	}
	free(v);
	json_object_set_new(j, "pending_list", a);
	return j;
}

static json_t *
rejections(const struct mxt_summary *s, const struct mxt_report_options *o)
{
	json_t *j = json_object(), *a = json_array();
	size_t n;
	struct client_row **v = mxt_summary_sorted_clients(s, &n);
	json_object_set_new(j, "total", jint(s->events[MXT_STATUS_REJECTED]));
	for (size_t i = 0; i < n && (!o->top || i < o->top); i++) {
		json_t *c = json_object();
		const char *id = mxt_cause_id(v[i]->top_cause);
		json_object_set_new(c, "client", jstr(v[i]->key));
		json_object_set_new(c, "name", jstr(v[i]->name));
		json_object_set_new(c, "rejections", jint(v[i]->rejections));
		json_object_set_new(c, "top_cause", json_string(id ? id : "unclassified"));
		json_array_append_new(a, c);
	}
	free(v);
	json_object_set_new(j, "by_client", a);
	return j;
}

int
mxt_report_json(const struct mxt_summary *s, const struct mxt_report_options *o,
    FILE *fp)
{
	json_t *root = json_object();
	json_t *by = json_array();
	for (size_t k = 0; k < s->cfg.nby; k++)
		json_array_append_new(by, json_string(mxt_key_name(s->cfg.by[k])));
	json_object_set_new(root, "schema", json_string("mxtriage.summary/1"));
	json_object_set_new(root, "header", header(s, o));
	json_object_set_new(root, "by", by);
	json_object_set_new(root, "groups", groups(s, o));
	json_object_set_new(root, "causes", causes(s));
	json_object_set_new(root, "retries", retries(s, o));
	json_object_set_new(root, "rejections", rejections(s, o));
	int rc = json_dumpf(root, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (rc != 0 || putc('\n', fp) == EOF)
		return -1;
	return 0;
}
