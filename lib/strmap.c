/*
 * strmap.c - string -> 64-bit value, open addressing with linear probing.
 *
 * The one map the aggregation needs: group index by key, distinct
 * recipients and messages, histograms of replies. Keys are copied into
 * the map's own storage. A map may have a cap on distinct keys: past it,
 * new keys are refused (and the caller counts them), so a hostile log with
 * endless distinct reply texts cannot grow a histogram without bound.
 *
 * Speed: every event looks up a handful of keys (the message, the group,
 * the reply code and text), so the hash is XXH3 from xxHash (Debian's
 * libxxhash-dev, inlined from its header): it reads 8 to 32 bytes at a
 * time where FNV-1a took one byte per multiply, and its low bits, which
 * pick the slot, are well mixed. The full 64-bit hash is kept in the slot,
 * so a probe compares keys only when the hashes agree. A new map starts
 * with MIN_SLOTS slots: most per-group histograms hold one to three keys,
 * and there may be tens of thousands of groups.
 */
#include "internal.h"

#include <assert.h>
#include <stdlib.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#define MIN_SLOTS 4

static uint64_t
hash_bytes(const char *s, size_t n)
{
	uint64_t h = XXH3_64bits(s, n);
	return h ? h : 1;
}

void
mxt_strmap_init(struct mxt_strmap *m, size_t cap)
{
	memset(m, 0, sizeof *m);
	m->cap = cap;
}

void
mxt_strmap_finish(struct mxt_strmap *m)
{
	for (size_t i = 0; i < m->size; i++)
		free(m->slots[i].key);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

static void
grow(struct mxt_strmap *m)
{
	size_t nsize = m->size ? m->size * 2 : MIN_SLOTS;
	assert((nsize & (nsize - 1)) == 0); /* a power of two: masks below */
	struct mxt_strmap_slot *old = m->slots;
	size_t osize = m->size;
	m->slots = xcalloc(nsize, sizeof *m->slots);
	m->size = nsize;
	for (size_t i = 0; i < osize; i++) {
		if (old[i].key == NULL)
			continue;
		size_t j = old[i].hash & (nsize - 1);
		while (m->slots[j].key != NULL)
			j = (j + 1) & (nsize - 1);
		m->slots[j] = old[i];
	}
	free(old);
}

static struct mxt_strmap_slot *
find(const struct mxt_strmap *m, const char *key, size_t len, uint64_t h)
{
	if (m->size == 0)
		return NULL;
	size_t j = h & (m->size - 1);
	for (;;) {
		struct mxt_strmap_slot *s = &m->slots[j];
		if (s->key == NULL)
			return s;
		if (s->hash == h && s->len == len && memcmp(s->key, key, len) == 0)
			return s;
		j = (j + 1) & (m->size - 1);
	}
}

struct mxt_strmap_slot *
mxt_strmap_get(const struct mxt_strmap *m, const char *key, size_t len)
{
	struct mxt_strmap_slot *s = find(m, key, len, hash_bytes(key, len));
	return s && s->key ? s : NULL;
}

struct mxt_strmap_slot *
mxt_strmap_put(struct mxt_strmap *m, const char *key, size_t len, bool *added)
{
	uint64_t h = hash_bytes(key, len);
	struct mxt_strmap_slot *s = find(m, key, len, h);
	*added = false;
	if (s && s->key)
		return s;
	if (m->cap && m->count >= m->cap)
		return NULL;
	if ((m->count + 1) * 4 > m->size * 3) {
		grow(m);
		s = find(m, key, len, h);
	}
	s->key = xstrndup(key, len);
	s->len = len;
	s->hash = h;
	s->value = 0;
	m->count++;
	*added = true;
	return s;
}

void
mxt_strmap_remove(struct mxt_strmap *m, struct mxt_strmap_slot *s)
{
	/* backward-shift deletion keeps probe chains intact */
	size_t i = (size_t)(s - m->slots), mask = m->size - 1;
	free(s->key);
	m->slots[i].key = NULL;
	m->count--;
	for (size_t j = (i + 1) & mask; m->slots[j].key != NULL;
	    j = (j + 1) & mask) {
		size_t home = m->slots[j].hash & mask;
		/* move j back to i when i lies cyclically in [home, j) */
		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->slots[i] = m->slots[j];
			m->slots[j].key = NULL;
			i = j;
		}
	}
}

static int
cmp_slot(const void *a, const void *b)
{
	const struct mxt_strmap_slot *x = *(const struct mxt_strmap_slot *const *)a;
	const struct mxt_strmap_slot *y = *(const struct mxt_strmap_slot *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);
	return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

const struct mxt_strmap_slot **
mxt_strmap_sorted(const struct mxt_strmap *m, size_t *n)
{
	const struct mxt_strmap_slot **v = xcalloc(m->count + 1, sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < m->size; i++)
		if (m->slots[i].key != NULL)
			v[k++] = &m->slots[i];
	qsort(v, k, sizeof *v, cmp_slot);
	*n = k;
	return v;
}
