/*
 * track.c - messages in flight, keyed by (logging host, Postfix queue id
 * or Exim message id), so that later lines of a message learn its sender
 * and client. The host is part of the key because a central syslog host
 * mixes the logs of many MTAs, and queue ids are unique per host only:
 * two hosts may use the same id at the same time.
 *
 * A chained hash table plus an age list. Entries leave when the MTA says
 * the message is gone (Postfix "removed", Exim "Completed"); an input that
 * never says so (a cut log, a crashed MTA) cannot make the table grow
 * without bound: at the cap the oldest entry is dropped and counted, and
 * the count is reported. Whoever created the table hears of each entry
 * that leaves it (on_drop), so that state it keeps per message can leave
 * with it.
 */
#include "track.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#define DEFAULT_CAP 200000
#define MIN_BUCKETS 256
#define MAX_BUCKETS (1u << 20)
/* Entries that left are kept for the next ones, up to this many: most
 * messages come and go within seconds, and a spare entry costs no call
 * to malloc or free. Bounded, so the table's memory still follows the
 * messages in flight. */
#define SPARE_MAX 64

struct mxt_track {
	struct mxt_msg **buckets;
	size_t nbuckets; /* power of two */
	size_t count, cap;
	struct mxt_msg *oldest, *newest;
	uint64_t *overflow;
	mxt_track_drop_fn *on_drop;
	void *drop_arg;
	struct mxt_msg *spare; /* entries to reuse, linked by hnext */
	size_t nspare;
};

/* FNV-1a over the host (short, and often a few bytes: XXH3 there cost
 * more), then XXH3 (inlined, as in strmap.c) over the id with that as its
 * seed: it reads an id in two or three words where FNV-1a took a multiply
 * a byte, on every line with a queue id (1.9% fewer instructions for the
 * Exim report with its 16-byte ids; the same for Postfix's shorter ones).
 * The whole key goes in, so many hosts with one id do not share a chain.
 * Only the buckets depend on it: entries are walked by age, never by
 * bucket. */
static uint32_t
hash_key(struct mxt_str host, struct mxt_str id)
{
	uint64_t h = 14695981039346656037ULL;
	for (size_t i = 0; i < host.len; i++)
		h = (h ^ (unsigned char)host.ptr[i]) * 1099511628211ULL;
	return (uint32_t)XXH3_64bits_withSeed(id.len > 0 ? id.ptr : "",
	    id.len, h);
}

static bool
trackable(struct mxt_str id)
{
	return id.len > 0 && id.len < sizeof(((struct mxt_msg *)0)->id);
}

struct mxt_track *
mxt_track_create(size_t cap, uint64_t *overflow_counter,
    mxt_track_drop_fn *on_drop, void *drop_arg)
{
	struct mxt_track *t = xcalloc(1, sizeof *t);
	t->cap = cap ? cap : DEFAULT_CAP;
	/* grown with the entries (grow_buckets), not sized for the cap: a
	 * few hundred messages are in flight on most logs, and a table of
	 * 2 MiB would cost a cache miss per look-up and the memory */
	t->nbuckets = MIN_BUCKETS;
	t->buckets = xcalloc(t->nbuckets, sizeof *t->buckets);
	t->overflow = overflow_counter;
	t->on_drop = on_drop;
	t->drop_arg = drop_arg;
	return t;
}

static bool
in_room(const struct mxt_msg *m, const char *p)
{
	return p >= m->room && p < m->room + sizeof m->room;
}

/* A string of m that lives outside its room is freed. */
static void
free_string(const struct mxt_msg *m, char *p)
{
	if (!in_room(m, p))
		free(p);
}

/* A copy of s[0..n), NUL-terminated, in m's room when it fits. */
static char *
keep_string(struct mxt_msg *m, const char *s, size_t n)
{
	if (n < sizeof m->room - m->room_used) {
		char *p = m->room + m->room_used;
		if (n > 0)
			memcpy(p, s, n);
		p[n] = '\0';
		m->room_used += (uint16_t)(n + 1);
		return p;
	}
	return xstrndup(s, n);
}

/* Frees what m holds and keeps m itself as a spare (or frees it). */
static void
free_msg(struct mxt_track *t, struct mxt_msg *m)
{
	struct mxt_pending_rcpt *r, *next;
	for (r = m->pending; r != NULL; r = next) {
		next = r->next;
		free(r->text);
		free(r); /* and its addr */
	}
	free_string(m, m->host);
	free_string(m, m->sender);
	free_string(m, m->client_name);
	free_string(m, m->client_ip);
	free_string(m, m->message_id);
	if (t != NULL && t->nspare < SPARE_MAX) {
		m->hnext = t->spare;
		t->spare = m;
		t->nspare++;
	} else {
		free(m);
	}
}

void
mxt_track_destroy(struct mxt_track *t)
{
	if (t == NULL)
		return;
	struct mxt_msg *m, *next;
	for (m = t->oldest; m != NULL; m = next) {
		next = m->newer;
		free_msg(NULL, m);
	}
	for (m = t->spare; m != NULL; m = next) {
		next = m->hnext;
		free(m);
	}
	free(t->buckets);
	free(t);
}

static struct mxt_msg **
slot(struct mxt_track *t, uint32_t h, struct mxt_str host, struct mxt_str id)
{
	struct mxt_msg **pp = &t->buckets[h & (t->nbuckets - 1)];
	for (; *pp != NULL; pp = &(*pp)->hnext) {
		struct mxt_msg *m = *pp;
		if (m->hash == h && m->id_len == id.len &&
		    m->host_len == host.len &&
		    memcmp(m->id, id.ptr, id.len) == 0 &&
		    (host.len == 0 || memcmp(m->host, host.ptr, host.len) == 0))
			return pp;
	}
	return pp;
}

struct mxt_msg *
mxt_track_get(struct mxt_track *t, struct mxt_str host, struct mxt_str id)
{
	if (!trackable(id))
		return NULL;
	return *slot(t, hash_key(host, id), host, id);
}

/* Takes the entry at *pp out of the table, tells on_drop, frees it. */
static void
unlink_msg(struct mxt_track *t, struct mxt_msg **pp)
{
	struct mxt_msg *m = *pp;
	if (t->on_drop != NULL)
		t->on_drop(t->drop_arg, mxt_str_make(m->host, m->host_len),
		    mxt_str_make(m->id, m->id_len));
	*pp = m->hnext;
	if (m->older)
		m->older->newer = m->newer;
	else
		t->oldest = m->newer;
	if (m->newer)
		m->newer->older = m->older;
	else
		t->newest = m->older;
	t->count--;
	free_msg(t, m);
}

/* Doubles the buckets when the entries outnumber them: chains stay short
 * on average. */
static void
grow_buckets(struct mxt_track *t)
{
	size_t n = t->nbuckets * 2;
	assert((n & (n - 1)) == 0);
	struct mxt_msg **b = xcalloc(n, sizeof *b);
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct mxt_msg *m, *next;
		for (m = t->buckets[i]; m != NULL; m = next) {
			next = m->hnext;
			m->hnext = b[m->hash & (n - 1)];
			b[m->hash & (n - 1)] = m;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
}

struct mxt_msg *
mxt_track_add(struct mxt_track *t, struct mxt_str host, struct mxt_str id)
{
	if (!trackable(id))
		return NULL;
	uint32_t h = hash_key(host, id);
	struct mxt_msg **pp = slot(t, h, host, id);
	if (*pp != NULL)
		return *pp;
	if (t->count >= t->cap) {
		mxt_track_remove(t, t->oldest); /* found by address */
		if (t->overflow)
			(*t->overflow)++;
		pp = slot(t, h, host, id); /* the chain may have changed */
	} else if (t->count >= t->nbuckets && t->nbuckets < MAX_BUCKETS) {
		grow_buckets(t);
		pp = slot(t, h, host, id);
	}
	struct mxt_msg *m = t->spare;
	if (m != NULL) {
		t->spare = m->hnext;
		t->nspare--;
	} else {
		m = xmalloc(sizeof *m);
	}
	/* the room's bytes are written before they are read */
	memset(m, 0, offsetof(struct mxt_msg, room));
	memcpy(m->id, id.ptr, id.len);
	m->id_len = (uint8_t)id.len;
	m->host = keep_string(m, host.ptr, host.len);
	m->host_len = host.len;
	m->hash = h;
	*pp = m;
	m->older = t->newest;
	if (t->newest)
		t->newest->newer = m;
	else
		t->oldest = m;
	t->newest = m;
	t->count++;
	return m;
}

void
mxt_track_remove(struct mxt_track *t, struct mxt_msg *m)
{
	if (m == NULL)
		return;
	/* its own chain holds it: a walk by address, no key compared */
	struct mxt_msg **pp = &t->buckets[m->hash & (t->nbuckets - 1)];
	while (*pp != m) {
		assert(*pp != NULL);
		pp = &(*pp)->hnext;
	}
	unlink_msg(t, pp);
}

size_t
mxt_track_count(const struct mxt_track *t)
{
	return t->count;
}

const struct mxt_msg *
mxt_track_oldest(const struct mxt_track *t)
{
	return t->oldest;
}

/* Does the string field (NULL: none) hold the n bytes at s? */
static bool
holds(const char *field, const char *s, size_t n)
{
	return field != NULL &&
	    mxt_str_eq_bytes(mxt_str_make(field, strlen(field)), s, n);
}

/* *field replaced by a malloc'd copy of s[0..n), unless equal. */
static void
replace_copy(char **field, const char *s, size_t n)
{
	if (holds(*field, s, n))
		return;
	free(*field);
	*field = xstrndup(s, n);
}

void
mxt_msg_set(struct mxt_msg *m, char **field, const char *s, size_t n)
{
	if (holds(*field, s, n))
		return;
	free_string(m, *field); /* NULL: nothing */
	*field = keep_string(m, s, n);
}

void
mxt_msg_set_message_id(struct mxt_msg *m, const char *s, size_t n)
{
	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	if (n == 0 || n > MXT_MESSAGE_ID_MAX)
		return;
	mxt_msg_set(m, &m->message_id, s, n);
}

/* Bounds the reasons kept per recipient: only the expiry event uses it. */
#define PENDING_TEXT_MAX 1024
#define PENDING_RCPT_MAX 1000

void
mxt_msg_defer(struct mxt_msg *m, const char *rcpt, size_t rlen,
    const char *text, size_t tlen, int code, const char *dsn)
{
	struct mxt_pending_rcpt *r, **tail = &m->pending;
	size_t n = 0;

	for (r = m->pending; r != NULL; tail = &r->next, r = r->next, n++)
		if (strlen(r->addr) == rlen && memcmp(r->addr, rcpt, rlen) == 0)
			break;
	if (r == NULL) {
		/* kept in the order first deferred */
		if (n >= PENDING_RCPT_MAX)
			return;
		r = xcalloc(1, sizeof *r + rlen + 1);
		r->addr = (char *)(r + 1);
		if (rlen > 0)
			memcpy(r->addr, rcpt, rlen);
		*tail = r;
	}
	if (tlen > PENDING_TEXT_MAX)
		tlen = PENDING_TEXT_MAX;
	replace_copy(&r->text, text, tlen);
	r->code = code;
	snprintf(r->dsn, sizeof r->dsn, "%s", dsn);
}

void
mxt_msg_final(struct mxt_msg *m, const char *rcpt, size_t rlen)
{
	struct mxt_pending_rcpt **pp;
	for (pp = &m->pending; *pp != NULL; pp = &(*pp)->next) {
		struct mxt_pending_rcpt *r = *pp;
		if (strlen(r->addr) == rlen && memcmp(r->addr, rcpt, rlen) == 0) {
			*pp = r->next;
			free(r->text);
			free(r); /* and its addr */
			return;
		}
	}
}
