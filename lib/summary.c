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

#include <assert.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdlib.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

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

static bool
provider_match(const struct mxt_filter *f, const char *provider)
{
	for (size_t i = 0; i < f->nproviders; i++)
		if (strcmp(f->providers[i], provider ? provider : "none") == 0)
			return true;
	return false;
}

/* s copied to o (a slice may be NULL for nothing: an absent value);
 * returns the end of the copy. */
static char *
slice_to(char *o, struct mxt_str s)
{
	if (s.len > 0)
		memcpy(o, s.ptr, s.len);
	return o + s.len;
}

/* A slice against a glob (NUL-terminated in a copy). */
static bool
glob_match(const char *glob, struct mxt_str s)
{
	char buf[256];
	/* a longer one is log text too, and the trace command of a report
	 * row grouped by it must select it */
	char *v = s.len < sizeof buf ? buf : xmalloc(s.len + 1);
	*slice_to(v, s) = '\0';
	bool match = fnmatch(glob, v, FNM_CASEFOLD) == 0;
	if (v != buf)
		free(v);
	return match;
}

/* By the reply that matters (an earlier MX's 554 over the last one's
 * time-out): the report's groups count that reply, so --code and --relay
 * select by it too, in the report, in events and in trace alike. */
bool
mxt_filter_match(const struct mxt_filter *f, const struct mxt_event *ev)
{
	struct mxt_event view;
	ev = mxt_event_matters(ev, &view);
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
	if (f->nproviders > 0 && !provider_match(f, ev->provider))
		return false;
	if (f->relay_glob != NULL && !glob_match(f->relay_glob, ev->relay) &&
	    !glob_match(f->relay_glob, ev->relay_ip))
		return false;
	return true;
}

struct mxt_summary *
mxt_summary_create(const struct mxt_summary_config *cfg)
{
	struct mxt_summary *s = xcalloc(1, sizeof *s);
	s->cfg = *cfg;
	mxt_strmap_init(&s->group_index, 0);
	mxt_strmap_init(&s->retries, 0);
	mxt_strmap_init(&s->flights, 0);
	mxt_strmap_init(&s->pending_msgs, 0);
	mxt_strmap_init(&s->clients, 0);
	mxt_strmap_init(&s->hosts, 0);
	for (int i = 0; i < MXT_CAUSE_COUNT; i++)
		mxt_strmap_init(&s->causes[i].domains, SUMMARY_DOMAINS_MAX);
	mxt_ourside_init(&s->ourside);
	mxt_rates_init(s);
	mxt_received_init(&s->recv);
	return s;
}

/*
 * A zeroed object of size bytes with copies of the n strings in[] after
 * it, in the same allocation, NUL-terminated; the char * at offset
 * field[i] of the object points at the copy of in[i]. Every message and
 * every deferred recipient has such an entry: one allocation, not one
 * per string. Freed with a single free().
 */
static void *
alloc_with_strings(size_t size, const struct mxt_str *in,
    const size_t *field, size_t n)
{
	size_t total = size;
	for (size_t i = 0; i < n; i++)
		total += in[i].len + 1;
	char *obj = xcalloc(1, total), *p = obj + size;
	for (size_t i = 0; i < n; i++) {
		if (in[i].len > 0)
			memcpy(p, in[i].ptr, in[i].len);
		memcpy(obj + field[i], &p, sizeof p);
		p += in[i].len + 1; /* past the NUL xcalloc wrote */
	}
	return obj;
}

struct retry *
mxt_retry_new(struct mxt_str host, struct mxt_str recipient,
    struct mxt_str domain, struct mxt_str queue_id)
{
	static const size_t field[] = {offsetof(struct retry, host),
	    offsetof(struct retry, recipient), offsetof(struct retry, domain),
	    offsetof(struct retry, queue_id)};
	const struct mxt_str in[] = {host, recipient, domain, queue_id};
	return alloc_with_strings(sizeof(struct retry), in, field, 4);
}

void
mxt_summary_free_retry(struct retry *r)
{
	free(r->text);
	free(r); /* its strings with it (mxt_retry_new) */
}

void
mxt_summary_free_flight(struct flight *f)
{
	for (size_t i = 0; i < f->ntouch; i++)
		free(f->touch[i].rcpt);
	for (size_t i = 0; i < f->nout; i++) {
		free(f->out[i].rcpt);
		free(f->out[i].sender);
		free(f->out[i].text);
	}
	free(f->touch);
	free(f->out);
	free(f); /* host and queue_id with it (mxt_flight_new) */
}

struct flight *
mxt_flight_new(struct mxt_str host, struct mxt_str qid)
{
	static const size_t field[] = {offsetof(struct flight, host),
	    offsetof(struct flight, queue_id)};
	const struct mxt_str in[] = {host, qid};
	return alloc_with_strings(sizeof(struct flight), in, field, 2);
}

/* The client rows of s (the map itself is the caller's). */
static void
free_clients(struct mxt_summary *s)
{
	for (size_t i = 0; i < s->clients.size; i++)
		if (s->clients.slots[i].key) {
			struct client_row *c = s->clients.slots[i].ptr;
			free(c->key);
			free(c->name);
			free(c);
		}
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
		mxt_strmap_finish(&g->codes);
		mxt_strmap_finish(&g->texts);
		mxt_tally_finish(&g->texts_over);
		mxt_strmap_finish(&g->warnings);
	}
	free(s->groups);
	mxt_ourside_finish(&s->ourside);
	for (size_t i = 0; i < s->retries.size; i++)
		if (s->retries.slots[i].key)
			mxt_summary_free_retry(s->retries.slots[i].ptr);
	for (size_t i = 0; i < s->flights.size; i++)
		if (s->flights.slots[i].key)
			mxt_summary_free_flight(s->flights.slots[i].ptr);
	free_clients(s);
	for (size_t i = 0; i < s->ninputs; i++)
		free(s->inputs[i].name);
	free(s->inputs);
	free(s->gaps);
	mxt_strmap_finish(&s->group_index);
	mxt_strmap_finish(&s->retries);
	mxt_strmap_finish(&s->flights);
	mxt_strmap_finish(&s->pending_msgs);
	mxt_strmap_finish(&s->clients);
	mxt_strmap_finish(&s->hosts);
	for (int i = 0; i < MXT_CAUSE_COUNT; i++)
		mxt_strmap_finish(&s->causes[i].domains);
	mxt_rates_finish(s);
	mxt_received_finish(&s->recv);
	free(s->keybuf.p);
	free(s);
}

void
mxt_summary_trim(struct mxt_summary *s)
{
	free_clients(s);
	mxt_strmap_finish(&s->clients);
	mxt_strmap_init(&s->clients, 0);
	for (size_t i = 0; i < s->ninputs; i++)
		free(s->inputs[i].name);
	free(s->inputs);
	s->inputs = NULL;
	s->ninputs = 0;
	free(s->gaps);
	s->gaps = NULL;
	s->ngaps = 0;
	for (int i = 0; i < MXT_CAUSE_COUNT; i++) {
		mxt_strmap_finish(&s->causes[i].domains);
		mxt_strmap_init(&s->causes[i].domains, 0);
	}
	mxt_received_trim(&s->recv);
}

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
 * The group of the key values vals: the map key is each value as a
 * 4-byte length and its bytes, built in a growable buffer, so any value
 * (addresses of any length, any bytes) gives a distinct, exact key and
 * nothing is cut. Returns the group's index, or UINT32_MAX when a new
 * group would pass SUMMARY_GROUPS_MAX.
 */
uint32_t
mxt_summary_group_index(struct mxt_summary *s, const char *const *vals,
    const size_t *lens)
{
	bool added;

	s->keybuf.len = 0;
	for (size_t k = 0; k < s->cfg.nby; k++) {
		uint32_t n32 = (uint32_t)lens[k];
		mxt_buf_append(&s->keybuf, &n32, sizeof n32);
		mxt_buf_append(&s->keybuf, vals[k], lens[k]);
	}
	const char *key = s->keybuf.p != NULL ? s->keybuf.p : "";
	struct mxt_strmap_slot *slot = mxt_strmap_get(&s->group_index, key,
	    s->keybuf.len);
	if (slot != NULL)
		return (uint32_t)(slot->value - 1);
	if (s->ngroups >= SUMMARY_GROUPS_MAX)
		return UINT32_MAX;
	slot = mxt_strmap_put(&s->group_index, key, s->keybuf.len, &added);
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
	mxt_strmap_init(&g->codes, GROUP_CODES_MAX);
	mxt_strmap_init(&g->texts, GROUP_TEXTS_MAX);
	mxt_strmap_init(&g->warnings, GROUP_WARNINGS_MAX);
	return (uint32_t)(s->ngroups - 1);
}

static uint32_t
group_of_event(struct mxt_summary *s, const struct mxt_event *ev)
{
	const char *vals[MXT_MAX_KEYS];
	size_t lens[MXT_MAX_KEYS];
	char tmp[MXT_MAX_KEYS][64];

	for (size_t k = 0; k < s->cfg.nby; k++)
		key_value(ev, s->cfg.by[k], tmp[k], &vals[k], &lens[k]);
	return mxt_summary_group_index(s, vals, lens);
}

/* ---- struct text_tally (summary.h) ---- */

static struct tally_slot *
tally_find(const struct text_tally *m, XXH128_hash_t h)
{
	size_t j = h.low64 & (m->size - 1);
	for (;;) {
		struct tally_slot *e = &m->slots[j];
		if (e->n == 0 || (e->lo == h.low64 && e->hi == h.high64))
			return e;
		j = (j + 1) & (m->size - 1);
	}
}

bool
mxt_tally_add(struct text_tally *m, const char *t, size_t len, bool add)
{
	XXH128_hash_t h = XXH3_128bits(t, len);
	struct tally_slot *e = m->size ? tally_find(m, h) : NULL;
	if (e != NULL && e->n != 0) {
		e->n++;
		return true;
	}
	if (!add)
		return false;
	if ((m->count + 1) * 4 > m->size * 3) {
		struct tally_slot *old = m->slots;
		size_t osize = m->size;
		m->size = osize ? 2 * osize : 16;
		assert((m->size & (m->size - 1)) == 0);
		m->slots = xcalloc(m->size, sizeof *m->slots);
		for (size_t i = 0; i < osize; i++)
			if (old[i].n != 0)
				*tally_find(m, (XXH128_hash_t){old[i].lo,
				    old[i].hi}) = old[i];
		free(old);
	}
	e = tally_find(m, h);
	*e = (struct tally_slot){.lo = h.low64, .hi = h.high64, .n = 1};
	m->count++;
	return true;
}

uint64_t
mxt_tally_get(const struct text_tally *m, const char *t, size_t len)
{
	return m->size ? tally_find(m, XXH3_128bits(t, len))->n : 0;
}

void
mxt_tally_finish(struct text_tally *m)
{
	free(m->slots);
	memset(m, 0, sizeof *m);
}

/* Adds v to a capped set; false when the cap refused it. */
static bool
set_add(struct mxt_strmap *m, struct mxt_str v)
{
	bool added;
	return v.len == 0 || mxt_strmap_put(m, v.ptr, v.len, &added) != NULL;
}

/* s equals the NUL-terminated a (v.ptr may be NULL when v is empty). */
static bool
str_is(const char *a, struct mxt_str v)
{
	return strlen(a) == v.len && (v.len == 0 || memcmp(a, v.ptr, v.len) == 0);
}

void
mxt_summary_key(struct mxt_buf *b, struct mxt_str host, struct mxt_str qid,
    const struct mxt_str *rcpt)
{
	size_t n = host.len + 1 + qid.len + (rcpt != NULL ? 1 + rcpt->len : 0);
	char *o = slice_to(mxt_buf_room(b, n), host);
	*o++ = '\x1f';
	o = slice_to(o, qid);
	if (rcpt != NULL) {
		*o++ = '\x1f';
		o = slice_to(o, *rcpt);
	}
	*o = '\0';
	b->len = n;
}

void
mxt_summary_key_aside(struct mxt_summary *s, struct mxt_buf *b)
{
	mxt_buf_printf(b, "\x1e%llu", (unsigned long long)++s->detached);
}

size_t
mxt_summary_key_base(const char *key, size_t len)
{
	const char *mark = memchr(key, '\x1e', len);
	return mark != NULL ? (size_t)(mark - key) : len;
}

/* The key of (host, queue id[, recipient]) in s->keybuf. */
static void
message_key(struct mxt_summary *s, struct mxt_str host, struct mxt_str qid,
    const struct mxt_str *rcpt)
{
	mxt_summary_key(&s->keybuf, host, qid, rcpt);
}

/* The flight of the message whose key, host \x1f qid, is the first mlen
 * bytes of s->keybuf (which may go on with a recipient). */
static struct flight *
flight_keyed(struct mxt_summary *s, struct mxt_str host, struct mxt_str qid,
    size_t mlen, bool create)
{
	bool added;
	const char *key = s->keybuf.p;
	if (create && s->flights.count >= SUMMARY_FLIGHTS_MAX &&
	    mxt_strmap_get(&s->flights, key, mlen) == NULL) {
		s->overflow_messages++;
		return NULL;
	}
	if (!create) {
		struct mxt_strmap_slot *slot = mxt_strmap_get(&s->flights, key,
		    mlen);
		return slot != NULL ? slot->ptr : NULL;
	}
	struct mxt_strmap_slot *slot = mxt_strmap_put(&s->flights, key, mlen,
	    &added);
	if (added) {
		slot->ptr = mxt_flight_new(host, qid);
	}
	return slot->ptr;
}

struct flight *
mxt_summary_flight(struct mxt_summary *s, struct mxt_str host,
    struct mxt_str qid, bool create)
{
	message_key(s, host, qid, NULL);
	return flight_keyed(s, host, qid, s->keybuf.len, create);
}

/* Records that message f failed in group gi for rcpt; true when the pair
 * and (*new_msg) the group are new for the message. */
bool
mxt_flight_touch(struct flight *f, uint32_t gi, const char *rcpt, size_t len,
    bool *new_msg)
{
	*new_msg = true;
	for (size_t i = 0; i < f->ntouch; i++) {
		if (f->touch[i].group != gi)
			continue;
		*new_msg = false;
		if (strlen(f->touch[i].rcpt) == len &&
		    (len == 0 || memcmp(f->touch[i].rcpt, rcpt, len) == 0))
			return false;
	}
	if (f->ntouch == f->touch_alloc) {
		f->touch_alloc = f->touch_alloc ? f->touch_alloc * 2 : 4;
		f->touch = xrealloc(f->touch, f->touch_alloc * sizeof *f->touch);
	}
	f->touch[f->ntouch].group = gi;
	f->touch[f->ntouch].rcpt = xstrndup(rcpt, len);
	f->ntouch++;
	return true;
}

struct outcome *
mxt_flight_outcome(struct flight *f)
{
	if (f->nout == f->out_alloc) {
		f->out_alloc = f->out_alloc ? f->out_alloc * 2 : 4;
		f->out = xrealloc(f->out, f->out_alloc * sizeof *f->out);
	}
	struct outcome *o = &f->out[f->nout++];
	memset(o, 0, sizeof *o);
	o->group = UINT32_MAX;
	o->first_deferred = -1;
	return o;
}

/*
 * The key of a group's code histogram: "451 4.7.1", "550", "none 4.4.1"
 * (no reply), "none". Written by hand, not with snprintf: it runs for every
 * failure. out has room for the longest (an int and a dsn of 15 bytes).
 */
#define DSN_SIZE sizeof(((struct mxt_event *)0)->dsn)

static size_t
code_key(char *out, size_t size, int code, const char *dsn)
{
	char digits[24];
	size_t n = 0, nd = 0, dl = strnlen(dsn, DSN_SIZE);
	assert(size >= 7 + 1 + DSN_SIZE);
	if (code == 0) {
		memcpy(out, "none", 4);
		n = 4;
	} else {
		/* as %d: a reply code is 3 digits, but the field is an int */
		unsigned long long v = code < 0 ? -(unsigned long long)code :
		    (unsigned long long)code;
		do
			digits[nd++] = (char)('0' + v % 10);
		while ((v /= 10) != 0);
		if (code < 0)
			digits[nd++] = '-';
		/* at most 7 characters, as the snprintf into char[8] this
		 * replaces kept */
		for (size_t k = 0; k < 7 && nd > 0; k++)
			out[n++] = digits[--nd];
	}
	if (dl > 0) {
		out[n++] = ' ';
		memcpy(out + n, dsn, dl);
		n += dl;
	}
	out[n] = '\0';
	return n;
}

/* Counts one outbound failure in its group; returns the group index or
 * UINT32_MAX when it could not be grouped. */
uint32_t
mxt_summary_count_failure(struct mxt_summary *s, const struct mxt_event *ev,
    struct flight *f)
{
	bool added;
	char code[40];

	struct cause_row *c = &s->causes[ev->cause];
	c->events++;
	if (!set_add(&c->domains, ev->domain))
		s->overflow_domains++;

	uint32_t gi = group_of_event(s, ev);
	if (gi == UINT32_MAX) {
		s->overflow_groups++;
		return gi;
	}
	struct group *g = &s->groups[gi];
	if (mxt_cause_is_repeat(ev->cause))
		g->repeats++;
	else
		g->events++;
	g->by_status[ev->status]++;
	if (f != NULL) {
		bool new_msg;
		if (mxt_flight_touch(f, gi, ev->recipient.ptr, ev->recipient.len,
		    &new_msg))
			g->recipients++;
		if (new_msg)
			g->messages++;
	} else {
		/* no queue id: every event is a message of its own */
		g->recipients++;
		g->messages++;
	}
	if (!g->first.valid || ev->time.sec < g->first.sec)
		g->first = ev->time;
	if (!g->last.valid || ev->time.sec >= g->last.sec)
		g->last = ev->time;
	size_t n = code_key(code, sizeof code, ev->code, ev->dsn);
	struct mxt_strmap_slot *slot = mxt_strmap_put(&g->codes, code, n,
	    &added);
	if (slot)
		slot->value++;
	slot = mxt_strmap_put(&g->texts, ev->text.ptr ? ev->text.ptr : "",
	    ev->text.len, &added);
	if (slot && added && s->ordered)
		slot->ptr = (void *)(uintptr_t)g->texts.count;
	if (slot)
		slot->value++;
	else
		g->texts_unnamed++;
	if (slot == NULL && s->ordered) {
		const char *t = ev->text.ptr ? ev->text.ptr : "";
		size_t before = g->texts_over.count;
		if (!mxt_tally_add(&g->texts_over, t, ev->text.len,
		    s->texts_over < SUMMARY_TEXTS_OVER_MAX))
			s->texts_over_full = true;
		s->texts_over += g->texts_over.count - before;
	}
	return gi;
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

const int64_t mxt_delay_bounds[DELAY_BUCKETS - 1] = {
	60, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400,
	172800, 259200, 432000, 604800,
};

void
mxt_summary_add_delay(struct mxt_summary *s, int64_t sec, int64_t n)
{
	size_t b = 0;
	while (b < DELAY_BUCKETS - 1 && sec > mxt_delay_bounds[b])
		b++;
	s->delays[b] = (uint64_t)((int64_t)s->delays[b] + n);
}

/* A recipient reached a final status after deferrals: counted. */
void
mxt_summary_resolve(struct mxt_summary *s, enum mxt_status st, int64_t delay)
{
	s->retry_total++;
	if (st == MXT_STATUS_DELIVERED) {
		s->retry_delivered++;
		/* a clock that went backwards is no negative delay */
		mxt_summary_add_delay(s, delay < 0 ? 0 : delay, 1);
	} else if (st == MXT_STATUS_BOUNCED) {
		s->retry_bounced++;
	} else {
		s->retry_expired++;
	}
}

/*
 * A pending recipient of the message of pending_msgs entry pm reached its
 * outcome. The entry counts them when this summary's events made it, and
 * leaves with the last one, so the map holds only messages with recipients
 * pending and a miss there is quick. An entry of 0 came from a saved or
 * merged summary, whose count is unknown: it stays ("may have pending").
 */
static void
unpend(struct mxt_summary *s, struct mxt_strmap_slot *pm)
{
	if (pm->value == 0)
		return;
	if (--pm->value == 0)
		mxt_strmap_remove(&s->pending_msgs, pm);
}

/* Outbound retries: joined by (host, queue id, recipient), whose key the
 * caller left in s->keybuf. Returns the retry record of a recipient
 * deferred before (removed from the map when the event is final: the
 * caller frees it), else NULL. */
static struct retry *
track_retry(struct mxt_summary *s, const struct mxt_event *ev, bool counted)
{
	bool added;

	const char *key = s->keybuf.p;
	size_t n = s->keybuf.len;
	/* the message's own key, host \x1f qid, is the start of the key */
	size_t mlen = ev->host.len + 1 + ev->queue_id.len;

	if (ev->status != MXT_STATUS_DEFERRED) {
		/* Most outbound events are of messages never deferred: one
		 * look-up in the small map of messages with pending
		 * recipients settles it. */
		struct mxt_strmap_slot *pm = mxt_strmap_get(&s->pending_msgs,
		    key, mlen);
		if (pm == NULL)
			return NULL;
		struct mxt_strmap_slot *slot = mxt_strmap_get(&s->retries,
		    key, n);
		if (slot == NULL)
			return NULL; /* never deferred: not a retry */
		struct retry *r = slot->ptr;
		if (counted || r->in_window)
			mxt_summary_resolve(s, ev->status,
			    ev->time.sec - r->first_deferred);
		mxt_strmap_remove(&s->retries, slot);
		unpend(s, pm);
		return r;
	}
	{
		if (s->retries.count >= SUMMARY_RETRIES_MAX &&
		    mxt_strmap_get(&s->retries, key, n) == NULL) {
			s->overflow_retries++;
			return NULL;
		}
		struct mxt_strmap_slot *slot = mxt_strmap_put(&s->retries, key,
		    n, &added);
		if (added) {
			struct mxt_strmap_slot *pm = mxt_strmap_put(
			    &s->pending_msgs, key, mlen, &added);
			/* counts the recipients this summary's events left
			 * pending; 0 (a loaded or merged entry) = unknown */
			if (added)
				pm->value = 1;
			else if (pm->value > 0)
				pm->value++;
			struct retry *r = mxt_retry_new(ev->host, ev->recipient,
			    ev->domain, ev->queue_id);
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
		/* as the tracker keeps it for an expiry (track.c) */
		r->code = ev->code;
		memcpy(r->dsn, ev->dsn, sizeof r->dsn);
		size_t tl = ev->text.len > RETRY_TEXT_MAX ? RETRY_TEXT_MAX :
		    ev->text.len;
		/* the same reason again, mostly: kept */
		if (r->text == NULL ||
		    !str_is(r->text, mxt_str_make(ev->text.ptr, tl))) {
			free(r->text);
			r->text = xstrndup(ev->text.ptr, tl);
		}
		return NULL;
	}
}

void
mxt_summary_add(struct mxt_summary *s, const struct mxt_event *ev)
{
	/* groups count the reply that matters (an earlier MX's 554 over the
	 * last one's time-out): its relay, code, text as well as its cause */
	struct mxt_event view;
	ev = mxt_event_matters(ev, &view);
	bool counted = mxt_filter_match(&s->cfg.filter, ev);
	bool added;

	if (ev->time.valid && ev->time.sec >= s->end) {
		s->end = ev->time.sec;
		s->end_utcoff = ev->time.utcoff;
	}
	if (ev->host.len > 0 && !(ev->host.len == s->last_host_len &&
	    memcmp(ev->host.ptr, s->last_host, ev->host.len) == 0)) {
		struct mxt_strmap_slot *h = mxt_strmap_put(&s->hosts,
		    ev->host.ptr, ev->host.len, &added);
		/* the map's own copy, which lives as long as the map */
		s->last_host = h->key;
		s->last_host_len = h->len;
	}
	bool retry = ev->direction == MXT_DIR_OUT && ev->queue_id.len > 0 &&
	    ev->time.valid;
	struct flight *f = NULL;
	if (ev->queue_id.len > 0) {
		/* the message's key starts the recipient's retry key: built
		 * once for both (track_retry reads it from s->keybuf) */
		message_key(s, ev->host, ev->queue_id, retry ? &ev->recipient :
		    NULL);
		f = flight_keyed(s, ev->host, ev->queue_id, ev->host.len + 1 +
		    ev->queue_id.len, true);
		if (f != NULL && f->marks == 0 && f->ntouch == 0 && f->nout == 0 &&
		    !ev->msg_start_seen)
			f->in_progress = true;
	}
	struct retry *r = NULL;
	if (retry)
		r = track_retry(s, ev, counted);
	uint32_t gi = UINT32_MAX;
	if (counted) {
		s->events[ev->status]++;
		/* a repeat is a failure that repeats an earlier one: only
		 * failures count, so failures - repeats never goes below 0 */
		if (mxt_cause_is_repeat(ev->cause) &&
		    ev->status != MXT_STATUS_REJECTED &&
		    ev->status != MXT_STATUS_DELIVERED)
			s->repeats++;
		uint8_t bit = (uint8_t)(1u << ev->status);
		if (f != NULL && !(f->marks & bit)) {
			f->marks |= bit;
			s->messages[ev->status]++;
		} else if (f == NULL && ev->queue_id.len > 0) {
			s->messages[ev->status]++; /* past the cap */
		}
		mxt_rates_count(s, ev, 1);
		if (ev->status == MXT_STATUS_REJECTED)
			count_rejection(s, ev);
		else if (ev->status != MXT_STATUS_DELIVERED)
			gi = mxt_summary_count_failure(s, ev, f);
		if (ev->warning.len > 0) {
			/* a warning of ours that may explain it */
			mxt_ourside_explained(&s->ourside, ev->mta, ev->warning);
			struct mxt_strmap_slot *w = gi == UINT32_MAX ? NULL :
			    mxt_strmap_put(&s->groups[gi].warnings,
			    ev->warning.ptr, ev->warning.len, &added);
			if (w != NULL)
				w->value++;
		}
	}
	/* a final outcome of a message met in progress: a merge with the
	 * summary before this one may join it to a deferral there */
	bool resolved = counted || (r != NULL && r->in_window);
	if (f != NULL && f->in_progress && ev->direction == MXT_DIR_OUT &&
	    ev->status != MXT_STATUS_DEFERRED && ev->time.valid &&
	    (resolved || s->ordered)) {
		struct outcome *o = mxt_flight_outcome(f);
		o->uncounted = !resolved;
		o->rcpt = xstrndup(ev->recipient.ptr, ev->recipient.len);
		o->status = ev->status;
		o->time = ev->time.sec;
		o->utcoff = ev->time.utcoff;
		if (r != NULL) {
			o->first_deferred = r->first_deferred;
			o->attempts = r->attempts;
		}
		if (ev->recipient.len == 0) {
			o->group = gi;
			o->cause = ev->cause;
			o->sender = xstrndup(ev->sender.ptr, ev->sender.len);
			o->text = xstrndup(ev->text.ptr, ev->text.len);
		}
	}
	if (r != NULL)
		mxt_summary_free_retry(r);
}

void
mxt_summary_message_end(struct mxt_summary *s, struct mxt_str host,
    struct mxt_str qid)
{
	message_key(s, host, qid, NULL);
	struct mxt_strmap_slot *slot = mxt_strmap_get(&s->flights, s->keybuf.p,
	    s->keybuf.len);
	if (slot == NULL)
		return;
	struct flight *f = slot->ptr;
	if (f->in_progress) {
		/* kept: a merge joins it to the summary before */
		f->ended = true;
		return;
	}
	mxt_summary_free_flight(f);
	mxt_strmap_remove(&s->flights, slot);
}

static void detach_pending_keyed(struct mxt_summary *s, struct mxt_str host,
    struct mxt_str qid);

void
mxt_summary_message_start(struct mxt_summary *s, struct mxt_str host,
    struct mxt_str qid)
{
	/* an entry still here is of an earlier message with the same id */
	message_key(s, host, qid, NULL);
	struct mxt_strmap_slot *slot = mxt_strmap_get(&s->flights, s->keybuf.p,
	    s->keybuf.len);
	if (slot != NULL) {
		struct flight *f = slot->ptr;
		mxt_strmap_remove(&s->flights, slot);
		if (f->in_progress) {
			/* met in progress: a merge still joins it to the
			 * summary before, so it moves to a key of its own */
			bool added;
			f->ended = true;
			f->superseded = true;
			mxt_summary_key_aside(s, &s->keybuf);
			slot = mxt_strmap_put(&s->flights, s->keybuf.p,
			    s->keybuf.len, &added);
			slot->ptr = f;
			/* the message's key again, for its pending */
			message_key(s, host, qid, NULL);
		} else {
			mxt_summary_free_flight(f);
		}
	}
	detach_pending_keyed(s, host, qid);
}

/*
 * Recipients still pending of an earlier message with this id: a later
 * event of the new message must not resolve them, so they move to a key
 * of their own (they stay pending: nothing more is known of them). A
 * count per message keeps this from scanning the pending map at every
 * message start.
 */
void
mxt_summary_detach_pending(struct mxt_summary *s, struct mxt_str host,
    struct mxt_str qid)
{
	message_key(s, host, qid, NULL);
	detach_pending_keyed(s, host, qid);
}

/* The same with the message's key in s->keybuf (mxt_summary_message_start
 * has built it: every message start comes here). */
static void
detach_pending_keyed(struct mxt_summary *s, struct mxt_str host,
    struct mxt_str qid)
{
	bool added;
	struct mxt_strmap_slot *slot = mxt_strmap_get(&s->pending_msgs,
	    s->keybuf.p, s->keybuf.len);
	if (slot == NULL)
		return;
	mxt_strmap_remove(&s->pending_msgs, slot);
	struct mxt_str *v = NULL; /* copies of the keys to move */
	size_t n = 0;
	for (size_t i = 0; i < s->retries.size; i++) {
		struct retry *r = s->retries.slots[i].ptr;
		if (s->retries.slots[i].key == NULL ||
		    !str_is(r->host, host) || !str_is(r->queue_id, qid) ||
		    mxt_summary_key_base(s->retries.slots[i].key,
		    s->retries.slots[i].len) != s->retries.slots[i].len)
			continue;
		v = xrealloc(v, (n + 1) * sizeof *v);
		v[n].len = s->retries.slots[i].len;
		v[n].ptr = xstrndup(s->retries.slots[i].key, v[n].len);
		n++;
	}
	/* Moved by the key as stored, not one rebuilt from the strings of
	 * the record: a recipient with a NUL byte would give another key,
	 * leave the record under both and free it twice. By key, because
	 * a removal moves other entries of the map. */
	for (size_t i = 0; i < n; i++) {
		slot = mxt_strmap_get(&s->retries, v[i].ptr, v[i].len);
		assert(slot != NULL); /* found by the scan above */
		struct retry *r = slot->ptr;
		mxt_strmap_remove(&s->retries, slot);
		s->keybuf.len = 0;
		mxt_buf_append(&s->keybuf, v[i].ptr, v[i].len);
		mxt_summary_key_aside(s, &s->keybuf);
		slot = mxt_strmap_put(&s->retries, s->keybuf.p, s->keybuf.len,
		    &added);
		slot->ptr = r;
		free((char *)v[i].ptr);
	}
	free(v);
}

void
mxt_summary_finish(struct mxt_summary *s, const struct mxt_stats *st)
{
	s->stats = *st;
	if (st->last.valid && st->last.sec > s->end) {
		s->end = st->last.sec;
		s->end_utcoff = st->last.utcoff;
	}
}

size_t
mxt_summary_ngroups(const struct mxt_summary *s)
{
	size_t n = 0;
	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].events + s->groups[i].repeats > 0)
			n++;
	return n;
}

uint64_t
mxt_summary_pending_count(const struct mxt_summary *s)
{
	uint64_t n = 0;
	for (size_t i = 0; i < s->retries.size; i++) {
		const struct retry *r = s->retries.slots[i].ptr;
		if (s->retries.slots[i].key && r->in_window)
			n++;
	}
	return n;
}

/* Recipients deferred at least once: resolved plus still pending. */
uint64_t
mxt_summary_deferred_recipients(const struct mxt_summary *s)
{
	return s->retry_total + mxt_summary_pending_count(s);
}

uint64_t
mxt_summary_delays_count(const struct mxt_summary *s)
{
	uint64_t n = 0;
	for (size_t b = 0; b < DELAY_BUCKETS; b++)
		n += s->delays[b];
	return n;
}

int64_t
mxt_summary_delay_percentile(const struct mxt_summary *s, double p,
    bool *open)
{
	uint64_t n = mxt_summary_delays_count(s);
	*open = false;
	if (n == 0)
		return -1;
	uint64_t rank = (uint64_t)((p / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	uint64_t seen = 0;
	for (size_t b = 0; b < DELAY_BUCKETS; b++) {
		seen += s->delays[b];
		if (seen >= rank) {
			if (b == DELAY_BUCKETS - 1) {
				*open = true;
				return mxt_delay_bounds[b - 1];
			}
			return mxt_delay_bounds[b];
		}
	}
	return -1;
}

/* Sorting: most events first, then by key values: output is deterministic.
 * Grouped first by hour or day: in time order by the hour and day keys
 * (the value is the local time, which sorts as text), then as usual. */
static int
cmp_group(const void *a, const void *b, void *arg)
{
	const struct group *x = *(struct group *const *)a;
	const struct group *y = *(struct group *const *)b;
	const struct mxt_summary_config *cfg = arg;
	size_t nby = cfg->nby;
	for (size_t k = 0; k < nby && (cfg->by[0] == MXT_KEY_HOUR ||
	    cfg->by[0] == MXT_KEY_DAY); k++) {
		if (cfg->by[k] != MXT_KEY_HOUR && cfg->by[k] != MXT_KEY_DAY)
			continue;
		int c = strcmp(x->values[k], y->values[k]);
		if (c)
			return c;
	}
	if (x->events != y->events)
		return x->events > y->events ? -1 : 1;
	if (x->repeats != y->repeats)
		return x->repeats > y->repeats ? -1 : 1;
	for (size_t k = 0; k < nby; k++) {
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
	size_t n = 0;
	/* a merge that expands an expiry may leave a group with nothing */
	for (size_t i = 0; i < s->ngroups; i++)
		if (s->groups[i].events + s->groups[i].repeats > 0)
			v[n++] = &s->groups[i];
	qsort_r(v, n, sizeof *v, cmp_group, (void *)&s->cfg);
	return v;
}

static int
cmp_pending(const void *a, const void *b)
{
	const struct retry *x = *(struct retry *const *)a;
	const struct retry *y = *(struct retry *const *)b;
	if (x->first_deferred != y->first_deferred)
		return x->first_deferred < y->first_deferred ? -1 : 1;
	int c = strcmp(x->host, y->host);
	if (c == 0)
		c = strcmp(x->queue_id, y->queue_id);
	if (c == 0)
		c = strcmp(x->recipient, y->recipient);
	/* the same recipient of an id that came back: oldest last deferral
	 * first, then the rest, so that the order never depends on memory */
	if (c == 0 && x->last_deferred != y->last_deferred)
		c = x->last_deferred < y->last_deferred ? -1 : 1;
	if (c == 0 && x->attempts != y->attempts)
		c = x->attempts < y->attempts ? -1 : 1;
	if (c == 0)
		c = strcmp(x->text ? x->text : "", y->text ? y->text : "");
	/* the rest of what a row shows: two rows a loaded document made
	 * differ in no other way (written, loaded and written again must
	 * give the same bytes) */
	if (c == 0)
		c = strcmp(x->domain ? x->domain : "",
		    y->domain ? y->domain : "");
	if (c == 0 && x->cause != y->cause)
		c = x->cause < y->cause ? -1 : 1;
	if (c == 0 && x->code != y->code)
		c = x->code < y->code ? -1 : 1;
	if (c == 0)
		c = strcmp(x->dsn, y->dsn);
	if (c == 0 && x->in_window != y->in_window)
		c = x->in_window ? -1 : 1;
	return c;
}

static struct retry **
sorted_pending(const struct mxt_summary *s, size_t *n, bool all)
{
	struct retry **v = xcalloc(s->retries.count + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < s->retries.size; i++) {
		struct retry *r = s->retries.slots[i].ptr;
		if (s->retries.slots[i].key && (all || r->in_window))
			v[(*n)++] = r;
	}
	qsort(v, *n, sizeof *v, cmp_pending);
	return v;
}

struct retry **
mxt_summary_sorted_pending(const struct mxt_summary *s, size_t *n)
{
	return sorted_pending(s, n, false);
}

struct retry **
mxt_summary_sorted_pending_all(const struct mxt_summary *s, size_t *n)
{
	return sorted_pending(s, n, true);
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
		/* a count of 0 (taken back by a merge, or loaded as 0) is
		 * not written in the histogram: no top either */
		if (sl->key == NULL || sl->value == 0)
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

void
mxt_summary_add_input(struct mxt_summary *s, const char *name,
    const struct mxt_time *first, const struct mxt_time *last, uint64_t lines)
{
	s->inputs = xrealloc(s->inputs, (s->ninputs + 1) * sizeof *s->inputs);
	struct input_span *in = &s->inputs[s->ninputs++];
	in->name = xstrndup(name, strlen(name));
	in->first = *first;
	in->last = *last;
	in->lines = lines;
}

int64_t
mxt_summary_first_time(const struct mxt_summary *s)
{
	/* the first line as it came, not the earliest time: a log's pieces
	 * keep their order even where its lines are a little out of order */
	if (s->stats.first_line.valid)
		return s->stats.first_line.sec;
	return s->stats.first.valid ? s->stats.first.sec : 0;
}

/* Our side (summary_ourside.c): the records in the window. */
void
mxt_summary_add_local(struct mxt_summary *s, const struct mxt_local *l)
{
	if (mxt_filter_in_window(&s->cfg.filter, &l->time))
		mxt_ourside_add(&s->ourside, l);
}

/* Messages received (summary_received.c): a message's first size line
 * is counted in the window; the messages a merge may count at a cut are
 * kept by key. */
void
mxt_summary_received(struct mxt_summary *s, const struct mxt_received *r)
{
	bool in_window = r->kind != MXT_RECEIVED_DUE && !r->refused &&
	    mxt_filter_in_window(&s->cfg.filter, &r->time);
	switch (r->kind) {
	case MXT_RECEIVED:
		if (in_window)
			mxt_received_count(&s->recv, r->bytes);
		return;
	case MXT_RECEIVED_MET:
		mxt_summary_key(&s->keybuf, r->host, r->id, NULL);
		mxt_received_add_met(&s->recv, s->keybuf.p, s->keybuf.len,
		    r->bytes, in_window);
		return;
	case MXT_RECEIVED_DUE:
		mxt_summary_key(&s->keybuf, r->host, r->id, NULL);
		mxt_received_add_due(&s->recv, s->keybuf.p, s->keybuf.len);
		return;
	}
}

void
mxt_summary_overflow(const struct mxt_summary *s,
    struct mxt_summary_overflow *out)
{
	out->groups = s->overflow_groups;
	out->retries = s->overflow_retries;
	out->messages = s->overflow_messages;
	out->domains = s->overflow_domains;
	out->received = s->recv.overflow;
}

void
mxt_summary_set_coverage(struct mxt_summary *s, const struct mxt_gap *gaps,
    size_t n)
{
	free(s->gaps);
	s->gaps = n ? xcalloc(n, sizeof *s->gaps) : NULL;
	for (size_t i = 0; i < n; i++) {
		s->gaps[i].start = gaps[i].start;
		s->gaps[i].end = gaps[i].end;
		s->gaps[i].kind = gaps[i].kind;
	}
	s->ngaps = n;
}

static void
attached_event(void *arg, const struct mxt_event *ev)
{
	mxt_summary_add(arg, ev);
}

static void
attached_local(void *arg, const struct mxt_local *l)
{
	mxt_summary_add_local(arg, l);
}

static void
attached_start(void *arg, struct mxt_str host, struct mxt_str qid)
{
	mxt_summary_message_start(arg, host, qid);
}

static void
attached_end(void *arg, struct mxt_str host, struct mxt_str qid)
{
	mxt_summary_message_end(arg, host, qid);
}

static void
attached_received(void *arg, const struct mxt_received *r)
{
	mxt_summary_received(arg, r);
}

void
mxt_summary_attach(struct mxt_summary *s, struct mxt_pass_config *cfg)
{
	cfg->on_event = attached_event;
	cfg->on_message_start = attached_start;
	cfg->on_message_end = attached_end;
	cfg->on_received = attached_received;
	cfg->event_arg = s;
	cfg->on_local = attached_local;
	cfg->local_arg = s;
}
