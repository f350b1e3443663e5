/*
 * summary.c - events -> the report: failures grouped by the --by keys,
 * causes, retry outcomes of deferred recipients, and our rejections.
 *
 * Everything is counted as the events stream past; memory grows with the
 * number of groups, distinct recipients and messages, and recipients
 * still waiting for a retry, never with the length of the log. Events
 * outside the time window or the filters are not counted, but deferrals
 * and outcomes outside the window still feed the retry tracker, so a
 * message first deferred before --since and delivered inside the window
 * gets its true time to delivery.
 *
 * Attempts and messages are kept apart everywhere: a group counts events
 * (attempts) and, separately, distinct recipients and distinct queue ids.
 * Cached repeats (cause `suspended`: Postfix "delivery temporarily
 * suspended", Exim "retry time not reached") are counted apart from fresh
 * failures, so one outage does not look like thousands.
 */
#include "summary.h"

#include <fnmatch.h>
#include <stdlib.h>

static const char *const key_names[MXT_KEY_COUNT] = {
	[MXT_KEY_DOMAIN] = "domain",
	[MXT_KEY_CAUSE] = "cause",
	[MXT_KEY_CODE] = "code",
	[MXT_KEY_RELAY] = "relay",
	[MXT_KEY_SENDER] = "sender",
	[MXT_KEY_SENDER_DOMAIN] = "sender-domain",
	[MXT_KEY_HOST] = "host",
	[MXT_KEY_MTA] = "mta",
	[MXT_KEY_DIRECTION] = "direction",
	[MXT_KEY_PROVIDER] = "provider",
	[MXT_KEY_HOUR] = "hour",
	[MXT_KEY_DAY] = "day",
};

const char *
mxt_key_name(enum mxt_key k)
{
	return key_names[k];
}

static int
key_lookup_n(const char *name, size_t len)
{
	for (int i = 0; i < MXT_KEY_COUNT; i++)
		if (strlen(key_names[i]) == len &&
		    memcmp(key_names[i], name, len) == 0)
			return i;
	return -1;
}

int
mxt_key_lookup(const char *name)
{
	return key_lookup_n(name, strlen(name));
}

int
mxt_key_list_parse(const char *list, enum mxt_key out[MXT_MAX_KEYS],
    struct mxt_error *err)
{
	size_t n = 0;
	memset(err, 0, sizeof *err);
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");
		if (len > 0) {
			int k = key_lookup_n(p, len);
			if (k < 0) {
				char names[256] = "";
				for (int i = 0; i < MXT_KEY_COUNT; i++)
					snprintf(names + strlen(names),
					    sizeof names - strlen(names), "%s%s",
					    i ? ", " : "", key_names[i]);
				err->column = (long)(p - list) + 1;
				snprintf(err->text, sizeof err->text,
				    "'%.*s' is not a grouping key (%s)",
				    len > 64 ? 64 : (int)len, p, names);
				return -1;
			}
			if (n == MXT_MAX_KEYS) {
				err->column = (long)(p - list) + 1;
				snprintf(err->text, sizeof err->text,
				    "at most %d keys", MXT_MAX_KEYS);
				return -1;
			}
			out[n++] = (enum mxt_key)k;
		}
		p += len;
		if (*p == '\0')
			break;
	}
	if (n == 0) {
		/* a report grouped by nothing has one nameless group */
		snprintf(err->text, sizeof err->text, "no grouping key given");
		return -1;
	}
	return (int)n;
}

void
mxt_filter_init(struct mxt_filter *f)
{
	memset(f, 0, sizeof *f);
	f->any_cause = true;
	f->any_status = true;
	f->direction = -1;
}

bool
mxt_filter_in_window(const struct mxt_filter *f, const struct mxt_time *t)
{
	if (!t->valid)
		return !f->has_since && !f->has_until;
	if (f->has_since && t->sec < f->since)
		return false;
	if (f->has_until && t->sec >= f->until)
		return false;
	return true;
}

bool
mxt_filter_match(const struct mxt_filter *f, const struct mxt_event *ev)
{
	if (!mxt_filter_in_window(f, &ev->time))
		return false;
	if (f->direction >= 0 && (int)ev->direction != f->direction)
		return false;
	if (!f->any_status && !f->statuses[ev->status])
		return false;
	if (!f->any_cause && !f->causes[ev->cause])
		return false;
	if (f->ncodes > 0) {
		bool hit = false;
		for (size_t i = 0; i < f->ncodes && !hit; i++)
			hit = f->codes[i] < 10 ? ev->code / 100 == f->codes[i] :
			    ev->code == f->codes[i];
		if (!hit)
			return false;
	}
	if (f->domain_glob != NULL) {
		char dom[256];
		size_t n = ev->domain.len < sizeof dom - 1 ? ev->domain.len :
		    sizeof dom - 1;
		memcpy(dom, ev->domain.ptr, n);
		dom[n] = '\0';
		if (fnmatch(f->domain_glob, dom, FNM_CASEFOLD) != 0)
			return false;
	}
	return true;
}

struct mxt_summary *
mxt_summary_create(const struct mxt_summary_config *cfg)
{
	struct mxt_summary *s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	mxt_strmap_init(&s->group_index, 0);
	mxt_strmap_init(&s->retries, 0);
	mxt_strmap_init(&s->clients, 0);
	for (int i = 0; i < MXT_CAUSE_COUNT; i++)
		mxt_strmap_init(&s->causes[i].domains, 0);
	return s;
}

static void
free_retry(struct retry *r)
{
	free(r->recipient);
	free(r->domain);
	free(r->queue_id);
	free(r);
}

void
mxt_summary_destroy(struct mxt_summary *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->ngroups; i++) {
		struct group *g = &s->groups[i];
		for (size_t k = 0; k < s->cfg.nby; k++)
			free(g->values[k]);
		mxt_strmap_finish(&g->recipients);
		mxt_strmap_finish(&g->messages);
		mxt_strmap_finish(&g->codes);
		mxt_strmap_finish(&g->texts);
	}
	free(s->groups);
	for (size_t i = 0; i < s->retries.size; i++)
		if (s->retries.slots[i].key)
			free_retry(s->retries.slots[i].ptr);
	for (size_t i = 0; i < s->clients.size; i++)
		if (s->clients.slots[i].key) {
			struct client_row *c = s->clients.slots[i].ptr;
			free(c->key);
			free(c->name);
			free(c);
		}
	mxt_strmap_finish(&s->group_index);
	mxt_strmap_finish(&s->retries);
	mxt_strmap_finish(&s->clients);
	for (int i = 0; i < MXT_CAUSE_COUNT; i++)
		mxt_strmap_finish(&s->causes[i].domains);
	free(s->delays);
	free(s->keybuf.p);
	free(s);
}

/* Appends the value of key k for ev to buf at *n (bounded). */
/* The value of key k for ev: *v (len *len) points into ev or into tmp. */
static void
key_value(const struct mxt_event *ev, enum mxt_key k, char tmp[64],
    const char **v, size_t *len)
{
	struct mxt_str s = {NULL, 0};

	*v = NULL;
	switch (k) {
	case MXT_KEY_DOMAIN: s = ev->domain; *v = "(none)"; break;
	case MXT_KEY_CAUSE:
		*v = ev->cause == MXT_CAUSE_NONE ? "unclassified" :
		    mxt_cause_id(ev->cause);
		break;
	case MXT_KEY_CODE:
		if (ev->code) {
			snprintf(tmp, 64, "%d", ev->code);
			*v = tmp;
		} else {
			*v = "none";
		}
		break;
	case MXT_KEY_RELAY:
		s = ev->relay.len ? ev->relay : ev->relay_ip;
		*v = "(none)";
		break;
	case MXT_KEY_SENDER: s = ev->sender; *v = "<>"; break;
	case MXT_KEY_SENDER_DOMAIN: s = ev->sender_domain; *v = "(none)"; break;
	case MXT_KEY_HOST: s = ev->host; *v = "(none)"; break;
	case MXT_KEY_MTA: *v = mxt_mta_name(ev->mta); break;
	case MXT_KEY_DIRECTION: *v = mxt_direction_name(ev->direction); break;
	case MXT_KEY_PROVIDER: *v = ev->provider ? ev->provider : "(other)"; break;
	case MXT_KEY_HOUR:
	case MXT_KEY_DAY:
		mxt_time_format(&ev->time, tmp, 64);
		tmp[k == MXT_KEY_HOUR ? 13 : 10] = '\0';
		*v = tmp;
		break;
	case MXT_KEY_COUNT:
		break;
	}
	if (s.len > 0) {
		*v = s.ptr;
		*len = s.len;
	} else {
		*len = *v != NULL ? strlen(*v) : 0;
	}
}

/*
 * The group of ev. The map key is the values of the --by keys, each as a
 * 4-byte length and its bytes, built in a growable buffer: any value
 * (addresses of any length, any bytes) gives a distinct, exact key, and
 * nothing is cut.
 */
static struct group *
group_for(struct mxt_summary *s, const struct mxt_event *ev)
{
	const char *vals[MXT_MAX_KEYS];
	size_t lens[MXT_MAX_KEYS];
	char tmp[MXT_MAX_KEYS][64];
	bool added;

	s->keybuf.len = 0;
	for (size_t k = 0; k < s->cfg.nby; k++) {
		key_value(ev, s->cfg.by[k], tmp[k], &vals[k], &lens[k]);
		uint32_t n32 = (uint32_t)lens[k];
		mxt_buf_append(&s->keybuf, &n32, sizeof n32);
		mxt_buf_append(&s->keybuf, vals[k], lens[k]);
	}
	struct mxt_strmap_slot *slot = mxt_strmap_put(&s->group_index,
	    s->keybuf.p != NULL ? s->keybuf.p : "", s->keybuf.len, &added);
	if (!added)
		return &s->groups[slot->value - 1];
	if (s->ngroups == s->groups_alloc) {
		s->groups_alloc = s->groups_alloc ? s->groups_alloc * 2 : 64;
		s->groups = xrealloc(s->groups,
		    s->groups_alloc * sizeof *s->groups);
	}
	struct group *g = &s->groups[s->ngroups++];
	memset(g, 0, sizeof *g);
	slot->value = s->ngroups;
	for (size_t k = 0; k < s->cfg.nby; k++)
		g->values[k] = xstrndup(vals[k], lens[k]);
	mxt_strmap_init(&g->recipients, 0);
	mxt_strmap_init(&g->messages, 0);
	mxt_strmap_init(&g->codes, GROUP_CODES_MAX);
	mxt_strmap_init(&g->texts, GROUP_TEXTS_MAX);
	return g;
}

static void
set_add(struct mxt_strmap *m, struct mxt_str v)
{
	bool added;
	if (v.len > 0)
		mxt_strmap_put(m, v.ptr, v.len, &added);
}

static void
count_failure(struct mxt_summary *s, const struct mxt_event *ev)
{
	struct group *g = group_for(s, ev);
	bool added;
	char code[40];

	if (mxt_cause_is_repeat(ev->cause))
		g->repeats++;
	else
		g->events++;
	g->by_status[ev->status]++;
	set_add(&g->recipients, ev->recipient);
	set_add(&g->messages, ev->queue_id);
	if (!g->first.valid || ev->time.sec < g->first.sec)
		g->first = ev->time;
	if (!g->last.valid || ev->time.sec >= g->last.sec)
		g->last = ev->time;
	char num[8] = "none";
	if (ev->code)
		snprintf(num, sizeof num, "%d", ev->code);
	int n = snprintf(code, sizeof code, "%s%s%s", num,
	    ev->dsn[0] ? " " : "", ev->dsn);
	struct mxt_strmap_slot *slot = mxt_strmap_put(&g->codes, code,
	    (size_t)n, &added);
	if (slot)
		slot->value++;
	slot = mxt_strmap_put(&g->texts, ev->text.ptr ? ev->text.ptr : "",
	    ev->text.len, &added);
	if (slot)
		slot->value++;
	else
		g->texts_unnamed++;

	struct cause_row *c = &s->causes[ev->cause];
	c->events++;
	set_add(&c->domains, ev->domain);
}

static void
count_rejection(struct mxt_summary *s, const struct mxt_event *ev)
{
	struct mxt_str key = ev->relay_ip.len ? ev->relay_ip : ev->relay;
	bool added;

	s->causes[ev->cause].rejections++;
	if (key.len == 0)
		key = mxt_str_make("(unknown)", 9);
	struct mxt_strmap_slot *slot = mxt_strmap_put(&s->clients, key.ptr,
	    key.len, &added);
	if (added) {
		struct client_row *c = xcalloc(1, sizeof *c);
		c->key = xstrndup(key.ptr, key.len);
		c->name = xstrndup(ev->relay.ptr ? ev->relay.ptr : "",
		    ev->relay.len);
		slot->ptr = c;
	}
	struct client_row *c = slot->ptr;
	c->rejections++;
	c->by_cause[ev->cause]++;
}

/* Outbound retries: joined by (queue id, recipient). */
static void
track_retry(struct mxt_summary *s, const struct mxt_event *ev, bool counted)
{
	bool added;

	if (ev->direction != MXT_DIR_OUT || ev->queue_id.len == 0 ||
	    !ev->time.valid)
		return;
	/* queue ids hold no 0x1f: the key is exact for any recipient */
	s->keybuf.len = 0;
	mxt_buf_append(&s->keybuf, ev->queue_id.ptr, ev->queue_id.len);
	mxt_buf_append(&s->keybuf, "\x1f", 1);
	mxt_buf_append(&s->keybuf, ev->recipient.ptr != NULL ?
	    ev->recipient.ptr : "", ev->recipient.len);
	const char *key = s->keybuf.p;
	size_t n = s->keybuf.len;

	if (ev->status == MXT_STATUS_DEFERRED) {
		struct mxt_strmap_slot *slot = mxt_strmap_put(&s->retries, key,
		    n, &added);
		if (added) {
			struct retry *r = xcalloc(1, sizeof *r);
			r->recipient = xstrndup(ev->recipient.ptr, ev->recipient.len);
			r->domain = xstrndup(ev->domain.ptr, ev->domain.len);
			r->queue_id = xstrndup(ev->queue_id.ptr, ev->queue_id.len);
			r->first_deferred = ev->time.sec;
			r->first_time = ev->time;
			slot->ptr = r;
		}
		struct retry *r = slot->ptr;
		r->attempts++;
		r->last_deferred = ev->time.sec;
		if (!mxt_cause_is_repeat(ev->cause) || r->cause == MXT_CAUSE_NONE)
			r->cause = ev->cause;
		r->in_window |= counted;
		return;
	}
	struct mxt_strmap_slot *slot = mxt_strmap_get(&s->retries, key, n);
	if (slot == NULL)
		return; /* never deferred: not a retry */
	struct retry *r = slot->ptr;
	if (counted || r->in_window) {
		s->retry_total++;
		if (ev->status == MXT_STATUS_DELIVERED) {
			s->retry_delivered++;
			if (s->ndelays == s->delays_alloc) {
				s->delays_alloc = s->delays_alloc ?
				    s->delays_alloc * 2 : 256;
				s->delays = xrealloc(s->delays,
				    s->delays_alloc * sizeof *s->delays);
			}
			s->delays[s->ndelays++] =
			    (double)(ev->time.sec - r->first_deferred);
		} else if (ev->status == MXT_STATUS_BOUNCED) {
			s->retry_bounced++;
		} else {
			s->retry_expired++;
		}
	}
	free_retry(r);
	mxt_strmap_remove(&s->retries, slot);
}

void
mxt_summary_add(struct mxt_summary *s, const struct mxt_event *ev)
{
	bool counted = mxt_filter_match(&s->cfg.filter, ev);

	if (ev->time.valid && ev->time.sec >= s->end) {
		s->end = ev->time.sec;
		s->end_utcoff = ev->time.utcoff;
	}
	track_retry(s, ev, counted);
	if (!counted)
		return;
	s->events[ev->status]++;
	/* a repeat is a failure that repeats an earlier one: only failures
	 * count, so failures - repeats can never go below zero */
	if (mxt_cause_is_repeat(ev->cause) &&
	    ev->status != MXT_STATUS_REJECTED &&
	    ev->status != MXT_STATUS_DELIVERED)
		s->repeats++;
	uint8_t bit = (uint8_t)(1u << ev->status);
	if (ev->message_marks != NULL && !(*ev->message_marks & bit)) {
		*ev->message_marks |= bit;
		s->messages[ev->status]++;
	}
	if (ev->status == MXT_STATUS_REJECTED)
		count_rejection(s, ev);
	else if (ev->status != MXT_STATUS_DELIVERED)
		count_failure(s, ev);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

void
mxt_summary_finish(struct mxt_summary *s, const struct mxt_stats *st)
{
	s->stats = *st;
	if (st->last.valid && st->last.sec > s->end) {
		s->end = st->last.sec;
		s->end_utcoff = st->last.utcoff;
	}
	for (size_t i = 0; i < s->retries.size; i++) {
		struct retry *r = s->retries.slots[i].ptr;
		if (s->retries.slots[i].key && r->in_window)
			s->retry_total++;
	}
	if (s->ndelays > 0) /* qsort must not see a NULL array */
		qsort(s->delays, s->ndelays, sizeof *s->delays, cmp_double);
}

uint64_t
mxt_summary_pending_count(const struct mxt_summary *s)
{
	return s->retry_total - s->retry_delivered - s->retry_bounced -
	    s->retry_expired;
}

double
mxt_summary_delay_percentile(const struct mxt_summary *s, double p)
{
	if (s->ndelays == 0)
		return -1;
	/* s->delays was sorted by mxt_summary_finish */
	size_t rank = (size_t)((p / 100.0) * (double)s->ndelays + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > s->ndelays)
		rank = s->ndelays;
	return s->delays[rank - 1];
}

/* Sorting: most events first, then by key values: output is deterministic. */
static size_t sort_nby;

static int
cmp_group(const void *a, const void *b)
{
	const struct group *x = *(struct group *const *)a;
	const struct group *y = *(struct group *const *)b;
	if (x->events != y->events)
		return x->events > y->events ? -1 : 1;
	if (x->repeats != y->repeats)
		return x->repeats > y->repeats ? -1 : 1;
	for (size_t k = 0; k < sort_nby; k++) {
		int c = strcmp(x->values[k], y->values[k]);
		if (c)
			return c;
	}
	return 0;
}

struct group **
mxt_summary_sorted_groups(const struct mxt_summary *s)
{
	struct group **v = xcalloc(s->ngroups + 1, sizeof *v);
	for (size_t i = 0; i < s->ngroups; i++)
		v[i] = &s->groups[i];
	sort_nby = s->cfg.nby;
	qsort(v, s->ngroups, sizeof *v, cmp_group);
	return v;
}

static int
cmp_pending(const void *a, const void *b)
{
	const struct retry *x = *(struct retry *const *)a;
	const struct retry *y = *(struct retry *const *)b;
	if (x->first_deferred != y->first_deferred)
		return x->first_deferred < y->first_deferred ? -1 : 1;
	int c = strcmp(x->queue_id, y->queue_id);
	return c ? c : strcmp(x->recipient, y->recipient);
}

struct retry **
mxt_summary_sorted_pending(const struct mxt_summary *s, size_t *n)
{
	struct retry **v = xcalloc(s->retries.count + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < s->retries.size; i++) {
		struct retry *r = s->retries.slots[i].ptr;
		if (s->retries.slots[i].key && r->in_window)
			v[(*n)++] = r;
	}
	qsort(v, *n, sizeof *v, cmp_pending);
	return v;
}

int64_t
mxt_summary_oldest_pending_age(const struct mxt_summary *s)
{
	int64_t oldest = -1;
	for (size_t i = 0; i < s->retries.size; i++) {
		struct retry *r = s->retries.slots[i].ptr;
		if (s->retries.slots[i].key && r->in_window &&
		    (oldest < 0 || r->first_deferred < oldest))
			oldest = r->first_deferred;
	}
	return oldest < 0 ? 0 : s->end - oldest;
}

static int
cmp_client(const void *a, const void *b)
{
	const struct client_row *x = *(struct client_row *const *)a;
	const struct client_row *y = *(struct client_row *const *)b;
	if (x->rejections != y->rejections)
		return x->rejections > y->rejections ? -1 : 1;
	return strcmp(x->key, y->key);
}

struct client_row **
mxt_summary_sorted_clients(const struct mxt_summary *s, size_t *n)
{
	struct client_row **v = xcalloc(s->clients.count + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < s->clients.size; i++) {
		struct client_row *c = s->clients.slots[i].ptr;
		if (s->clients.slots[i].key == NULL)
			continue;
		enum mxt_cause top = MXT_CAUSE_NONE;
		for (int k = 0; k < MXT_CAUSE_COUNT; k++)
			if (c->by_cause[k] > c->by_cause[top])
				top = (enum mxt_cause)k;
		c->top_cause = top;
		v[(*n)++] = c;
	}
	qsort(v, *n, sizeof *v, cmp_client);
	return v;
}

size_t
mxt_summary_sorted_causes(const struct mxt_summary *s,
    enum mxt_cause out[MXT_CAUSE_COUNT])
{
	size_t n = 0;
	for (int c = 0; c < MXT_CAUSE_COUNT; c++)
		if (s->causes[c].events + s->causes[c].rejections > 0)
			out[n++] = (enum mxt_cause)c;
	/* insertion sort: at most MXT_CAUSE_COUNT entries */
	for (size_t i = 1; i < n; i++) {
		enum mxt_cause v = out[i];
		uint64_t tv = s->causes[v].events + s->causes[v].rejections;
		size_t j = i;
		while (j > 0) {
			enum mxt_cause u = out[j - 1];
			uint64_t tu = s->causes[u].events + s->causes[u].rejections;
			if (tu > tv || (tu == tv && u < v))
				break;
			out[j] = u;
			j--;
		}
		out[j] = v;
	}
	return n;
}

const struct mxt_strmap_slot *
mxt_strmap_top(const struct mxt_strmap *m)
{
	const struct mxt_strmap_slot *best = NULL;
	for (size_t i = 0; i < m->size; i++) {
		const struct mxt_strmap_slot *sl = &m->slots[i];
		if (sl->key == NULL)
			continue;
		if (best == NULL || sl->value > best->value ||
		    (sl->value == best->value && strcmp(sl->key, best->key) < 0))
			best = sl;
	}
	return best;
}

char *
mxt_summary_time(const struct mxt_summary *s, int64_t sec, char *buf,
    size_t size)
{
	struct mxt_time t = {.sec = sec, .valid = true, .utcoff = s->end_utcoff};
	return mxt_time_format(&t, buf, size);
}

char *
mxt_local_time(int64_t sec, char *buf, size_t size)
{
	struct tm tm;
	time_t tt = (time_t)sec;
	localtime_r(&tt, &tm);
	struct mxt_time t = {.sec = sec, .valid = true,
	    .utcoff = (int32_t)tm.tm_gmtoff};
	return mxt_time_format(&t, buf, size);
}

char *
mxt_duration_format(int64_t sec, char *buf, size_t size)
{
	if (sec < 0)
		sec = 0;
	if (sec >= 86400)
		snprintf(buf, size, "%lldd%lldh", (long long)(sec / 86400),
		    (long long)(sec % 86400 / 3600));
	else if (sec >= 3600)
		snprintf(buf, size, "%lldh%lldm", (long long)(sec / 3600),
		    (long long)(sec % 3600 / 60));
	else if (sec >= 60)
		snprintf(buf, size, "%lldm%llds", (long long)(sec / 60),
		    (long long)(sec % 60));
	else
		snprintf(buf, size, "%llds", (long long)sec);
	return buf;
}
