/*
 * summary_ourside.c - the summary's "Our side" section: the local MTA's
 * own trouble, counted from the pass's struct mxt_local records.
 *
 * Complaints (warning, error, fatal, panic) are grouped by their key
 * (mxt_ourside_key: level and normalised text), each with its count, the
 * first and last time, the failures linked to it, and an example: the
 * text and program of the earliest line (ties: the first read), so that
 * a merge of pieces keeps the example one pass keeps. SASL failures and
 * the connection limits we enforced are counted per client (address, or
 * name when none), postscreen's verdicts per action, anvil's statistics
 * as the largest value per kind with the first client to reach it.
 * Complaints are reported the worst level first, then by count.
 * The summary tells only the records inside its time window. The maps
 * have caps (ourside.h): what they refuse is counted in `overflow`,
 * never named.
 */
#include "summary_ourside.h"

#include <stdlib.h>

void
mxt_ourside_init(struct ourside *o)
{
	memset(o, 0, sizeof *o);
	mxt_strmap_init(&o->complaints, OURSIDE_COMPLAINTS_MAX);
	mxt_strmap_init(&o->sasl, OURSIDE_CLIENTS_MAX);
	mxt_strmap_init(&o->rate, OURSIDE_CLIENTS_MAX);
}

static void
free_clients(struct mxt_strmap *m)
{
	for (size_t i = 0; i < m->size; i++)
		if (m->slots[i].key != NULL) {
			struct local_client *c = m->slots[i].ptr;
			free(c->name);
			free(c);
		}
	mxt_strmap_finish(m);
}

void
mxt_ourside_finish(struct ourside *o)
{
	for (size_t i = 0; i < o->complaints.size; i++)
		if (o->complaints.slots[i].key != NULL) {
			struct complaint *c = o->complaints.slots[i].ptr;
			free(c->program);
			free(c->example);
			free(c);
		}
	mxt_strmap_finish(&o->complaints);
	free_clients(&o->sasl);
	free_clients(&o->rate);
	for (int i = 0; i < OURSIDE_ANVIL; i++)
		free(o->anvil[i].client);
}

struct complaint *
mxt_ourside_complaint(struct ourside *o, const char *key, size_t len)
{
	bool added;
	struct mxt_strmap_slot *sl = mxt_strmap_put(&o->complaints, key, len,
	    &added);
	if (sl == NULL)
		return NULL;
	if (added)
		sl->ptr = xcalloc(1, sizeof(struct complaint));
	return sl->ptr;
}

struct local_client *
mxt_ourside_client(struct ourside *o, struct mxt_strmap *m, const char *key,
    size_t len)
{
	bool added;
	(void)o;
	struct mxt_strmap_slot *sl = mxt_strmap_put(m, key, len, &added);
	if (sl == NULL)
		return NULL;
	if (added) {
		struct local_client *c = xcalloc(1, sizeof *c);
		c->name = xstrndup("", 0);
		sl->ptr = c;
	}
	return sl->ptr;
}

static void
span(struct mxt_time *first, struct mxt_time *last, const struct mxt_time *t)
{
	if (!t->valid)
		return;
	if (!first->valid || t->sec < first->sec)
		*first = *t;
	if (!last->valid || t->sec >= last->sec)
		*last = *t;
}

/* The earlier example wins; an equal time keeps the one there. */
static bool
earlier(const struct mxt_time *t, const struct mxt_time *first, bool none)
{
	return none || (t->valid && (!first->valid || t->sec < first->sec));
}

static void
add_client(struct ourside *o, struct mxt_strmap *m, const struct mxt_local *l)
{
	struct mxt_str key = l->client_ip.len ? l->client_ip : l->client;
	if (key.len == 0)
		key = mxt_str_make("(unknown)", 9);
	struct local_client *c = mxt_ourside_client(o, m, key.ptr, key.len);
	if (c == NULL) {
		o->overflow++;
		return;
	}
	c->count++;
	if (c->name[0] == '\0' && l->client.len > 0) {
		free(c->name);
		c->name = xstrndup(l->client.ptr, l->client.len);
	}
	if (l->value > c->max)
		c->max = l->value;
	span(&c->first, &c->last, &l->time);
}

void
mxt_ourside_add(struct ourside *o, const struct mxt_local *l)
{
	o->by_level[l->level]++;
	o->by_topic[l->topic]++;
	if (l->level != MXT_LEVEL_NOTE) {
		char key[MXT_OURSIDE_KEY_MAX];
		size_t n = mxt_ourside_key(l->level, l->text.ptr, l->text.len,
		    key, sizeof key);
		struct complaint *c = mxt_ourside_complaint(o, key, n);
		if (c == NULL) {
			o->overflow++;
		} else {
			if (c->count++ == 0) {
				c->mta = l->mta;
				c->level = l->level;
				c->topic = l->topic;
			}
			if (earlier(&l->time, &c->first, c->example == NULL)) {
				size_t len = l->text.len < OURSIDE_EXAMPLE_MAX ?
				    l->text.len : OURSIDE_EXAMPLE_MAX;
				free(c->example);
				free(c->program);
				c->example = xstrndup(l->text.ptr, len);
				c->program = xstrndup(l->program.ptr,
				    l->program.len);
			}
			span(&c->first, &c->last, &l->time);
		}
	}
	switch (l->topic) {
	case MXT_TOPIC_SASL:
		add_client(o, &o->sasl, l);
		break;
	case MXT_TOPIC_RATE:
		add_client(o, &o->rate, l);
		break;
	case MXT_TOPIC_POSTSCREEN: {
		int i = mxt_ourside_action_index(l->action);
		if (i >= 0)
			o->postscreen[i]++;
		break;
	}
	case MXT_TOPIC_ANVIL:
		for (int i = 0; i < OURSIDE_ANVIL; i++) {
			struct anvil_max *a = &o->anvil[i];
			if (l->action.len != strlen(mxt_ourside_anvil_names[i]) ||
			    memcmp(l->action.ptr, mxt_ourside_anvil_names[i],
			    l->action.len) != 0)
				continue;
			if (a->client == NULL || l->value > a->value) {
				free(a->client);
				a->value = l->value;
				a->client = xstrndup(l->client_ip.ptr,
				    l->client_ip.len);
				a->time = l->time;
			}
		}
		break;
	default:
		break;
	}
}

/* The failure's warning was read in an earlier --state run when this
 * summary has no complaint of its key: the count is kept all the same,
 * on a complaint of count 0 (its level from the key, "warning: ..."),
 * so that a merge with the earlier run's summary adds it to the
 * complaint there, as one run counts it. */
void
mxt_ourside_explained(struct ourside *o, enum mxt_mta mta,
    struct mxt_str warning)
{
	struct complaint *c = mxt_ourside_complaint(o, warning.ptr,
	    warning.len);
	if (c == NULL)
		return; /* past the cap: the complaint is not listed either */
	if (c->count == 0 && c->explained == 0) {
		c->mta = mta;
		for (int i = 0; i < MXT_LEVEL_COUNT; i++) {
			const char *name = mxt_local_level_name(i);
			size_t n = name ? strlen(name) : 0;
			if (n > 0 && warning.len > n && memcmp(warning.ptr, name,
			    n) == 0 && warning.ptr[n] == ':')
				c->level = (enum mxt_local_level)i;
		}
	}
	c->explained++;
}

static void
merge_clients(struct ourside *d, struct mxt_strmap *dm,
    const struct mxt_strmap *sm)
{
	for (size_t i = 0; i < sm->size; i++) {
		const struct mxt_strmap_slot *sl = &sm->slots[i];
		if (sl->key == NULL)
			continue;
		const struct local_client *c = sl->ptr;
		struct local_client *x = mxt_ourside_client(d, dm, sl->key,
		    sl->len);
		if (x == NULL) {
			d->overflow += c->count;
			continue;
		}
		x->count += c->count;
		if (x->name[0] == '\0' && c->name[0] != '\0') {
			free(x->name);
			x->name = xstrndup(c->name, strlen(c->name));
		}
		if (c->max > x->max)
			x->max = c->max;
		span(&x->first, &x->last, &c->first);
		span(&x->first, &x->last, &c->last);
	}
}

void
mxt_ourside_merge(struct ourside *d, const struct ourside *src)
{
	for (int i = 0; i < MXT_LEVEL_COUNT; i++)
		d->by_level[i] += src->by_level[i];
	for (int i = 0; i < MXT_TOPIC_COUNT; i++)
		d->by_topic[i] += src->by_topic[i];
	for (int i = 0; i < MXT_OURSIDE_ACTIONS; i++)
		d->postscreen[i] += src->postscreen[i];
	d->overflow += src->overflow;
	for (size_t i = 0; i < src->complaints.size; i++) {
		const struct mxt_strmap_slot *sl = &src->complaints.slots[i];
		if (sl->key == NULL)
			continue;
		const struct complaint *c = sl->ptr;
		struct complaint *x = mxt_ourside_complaint(d, sl->key, sl->len);
		if (x == NULL) {
			d->overflow += c->count;
			continue;
		}
		if (x->count == 0) {
			x->mta = c->mta;
			x->level = c->level;
			x->topic = c->topic;
		}
		x->count += c->count;
		x->explained += c->explained;
		if (c->example != NULL &&
		    earlier(&c->first, &x->first, x->example == NULL)) {
			free(x->example);
			free(x->program);
			x->example = xstrndup(c->example, strlen(c->example));
			x->program = xstrndup(c->program ? c->program : "",
			    c->program ? strlen(c->program) : 0);
		}
		span(&x->first, &x->last, &c->first);
		span(&x->first, &x->last, &c->last);
	}
	merge_clients(d, &d->sasl, &src->sasl);
	merge_clients(d, &d->rate, &src->rate);
	for (int i = 0; i < OURSIDE_ANVIL; i++) {
		const struct anvil_max *a = &src->anvil[i];
		struct anvil_max *x = &d->anvil[i];
		if (a->client != NULL && (x->client == NULL ||
		    a->value > x->value)) {
			free(x->client);
			x->value = a->value;
			x->client = xstrndup(a->client, strlen(a->client));
			x->time = a->time;
		}
	}
}

static uint64_t
slot_count(const struct mxt_strmap_slot *sl, bool complaint)
{
	return complaint ? ((const struct complaint *)sl->ptr)->count :
	    ((const struct local_client *)sl->ptr)->count;
}

static int
cmp_slot(const void *a, const void *b, void *arg)
{
	const struct mxt_strmap_slot *x = *(const struct mxt_strmap_slot *const *)a;
	const struct mxt_strmap_slot *y = *(const struct mxt_strmap_slot *const *)b;
	bool complaint = *(const bool *)arg;
	if (complaint) {
		/* the worst first: panic, fatal, error, warning */
		enum mxt_local_level lx = ((const struct complaint *)x->ptr)->level;
		enum mxt_local_level ly = ((const struct complaint *)y->ptr)->level;
		if (lx != ly)
			return lx > ly ? -1 : 1;
	}
	uint64_t cx = slot_count(x, complaint), cy = slot_count(y, complaint);
	if (cx != cy)
		return cx > cy ? -1 : 1;
	return strcmp(x->key, y->key);
}

const struct mxt_strmap_slot **
mxt_ourside_sorted(const struct mxt_strmap *m, bool complaints, size_t *n)
{
	const struct mxt_strmap_slot **v = xcalloc(m->count + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < m->size; i++)
		if (m->slots[i].key != NULL)
			v[k++] = &m->slots[i];
	qsort_r(v, k, sizeof *v, cmp_slot, &complaints);
	*n = k;
	return v;
}

bool
mxt_ourside_capped(const struct ourside *o)
{
	return o->overflow > 0 || o->complaints.count >= OURSIDE_COMPLAINTS_MAX ||
	    o->sasl.count >= OURSIDE_CLIENTS_MAX ||
	    o->rate.count >= OURSIDE_CLIENTS_MAX;
}

uint64_t
mxt_ourside_total(const struct ourside *o)
{
	uint64_t n = 0;
	for (int i = 0; i < MXT_LEVEL_COUNT; i++)
		n += o->by_level[i];
	return n;
}
