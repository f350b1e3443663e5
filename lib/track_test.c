/*
 * track_test.c - the table of messages in flight: entries found again by
 * (host, id); their strings kept in the entry's room or apart when they
 * do not fit, through any number of replacements; an entry that left
 * and is taken again as a spare starts empty; the cap evicts the oldest.
 * Leaks and stray writes are the sanitizer build's and valgrind's to
 * find: every path here frees what it took.
 */
#include "track.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>

static struct mxt_str
str(const char *s)
{
	return mxt_str_make(s, strlen(s));
}

/* A string of n bytes: c repeated, with the length at the front. */
static char *
long_string(size_t n, char c)
{
	char *s = malloc(n + 1);
	memset(s, c, n);
	s[n] = '\0';
	char head[32];
	int k = snprintf(head, sizeof head, "%zu:", n);
	if (k > 0 && (size_t)k <= n)
		memcpy(s, head, (size_t)k);
	return s;
}

static void
test_strings(void)
{
	struct mxt_track *t = mxt_track_create(0, NULL, NULL, NULL);
	struct mxt_msg *m = mxt_track_add(t, str("mx1"), str("4ABC1"));
	test_ok(m != NULL, "add", "entry");
	mxt_msg_set(m, &m->sender, MXT_LIT("alice@example.org"));
	mxt_msg_set(m, &m->client_name, MXT_LIT("mail.example.org"));
	mxt_msg_set(m, &m->client_ip, MXT_LIT("192.0.2.7"));
	mxt_msg_set_message_id(m, MXT_LIT("<1234@example.org>"));
	m = mxt_track_get(t, str("mx1"), str("4ABC1"));
	test_ok(m != NULL, "get", "the same entry again");
	test_str("short strings", "host", m->host, strlen(m->host), "mx1");
	test_str("short strings", "sender", m->sender, strlen(m->sender),
	    "alice@example.org");
	test_str("short strings", "client_name", m->client_name,
	    strlen(m->client_name), "mail.example.org");
	test_str("short strings", "client_ip", m->client_ip,
	    strlen(m->client_ip), "192.0.2.7");
	test_str("short strings", "message_id", m->message_id,
	    strlen(m->message_id), "1234@example.org");
	test_ok(m->room_used > 0 && m->room_used <= MXT_MSG_ROOM,
	    "short strings: in the room", "room_used %u", m->room_used);

	/* replaced many times, with sizes on both sides of what is left of
	 * the room: each value read back whole, the others untouched */
	bool ok = true;
	for (size_t n = 0; n < 400 && ok; n += 7) {
		char *s = long_string(n, (char)('a' + n % 26));
		mxt_msg_set(m, &m->sender, s, n);
		ok = strlen(m->sender) == n && memcmp(m->sender, s, n) == 0 &&
		    strcmp(m->client_ip, "192.0.2.7") == 0 &&
		    strcmp(m->host, "mx1") == 0;
		free(s);
	}
	test_ok(ok, "replacements: each value whole", "sender %.40s",
	    m->sender);
	test_ok(m->room_used <= MXT_MSG_ROOM, "replacements: room not overrun",
	    "room_used %u", m->room_used);
	/* the null sender is "", not NULL */
	mxt_msg_set(m, &m->sender, "", 0);
	test_ok(m->sender != NULL && m->sender[0] == '\0', "null sender",
	    "\"%s\"", m->sender != NULL ? m->sender : "(NULL)");

	/* a Message-ID longer than the room, one over the limit */
	char *id = long_string(MXT_MESSAGE_ID_MAX, 'm');
	mxt_msg_set_message_id(m, id, MXT_MESSAGE_ID_MAX);
	test_ok(m->message_id != NULL &&
	    strlen(m->message_id) == MXT_MESSAGE_ID_MAX &&
	    memcmp(m->message_id, id, MXT_MESSAGE_ID_MAX) == 0,
	    "Message-ID beyond the room", "kept whole");
	free(id);
	id = long_string(MXT_MESSAGE_ID_MAX + 1, 'n');
	mxt_msg_set_message_id(m, id, MXT_MESSAGE_ID_MAX + 1);
	test_ok(m->message_id != NULL && m->message_id[0] == '2',
	    "Message-ID over the limit", "the one before kept");
	free(id);

	/* a host longer than the room: kept apart, found again */
	char *host = long_string(MXT_MSG_ROOM + 40, 'h');
	struct mxt_msg *h = mxt_track_add(t, str(host), str("4ABC1"));
	test_ok(h != NULL && h != m && strcmp(h->host, host) == 0 &&
	    h->host_len == strlen(host), "long host", "kept whole");
	mxt_msg_set(h, &h->sender, MXT_LIT("bob@example.net"));
	test_ok(mxt_track_get(t, str(host), str("4ABC1")) == h &&
	    strcmp(h->sender, "bob@example.net") == 0,
	    "long host: found again", "with its sender");
	free(host);

	/* the room's edge: a string one byte too long goes apart, one that
	 * fills the room exactly (with its NUL) stays in it, and after that
	 * even an empty one goes apart */
	struct mxt_msg *e = mxt_track_add(t, str("mx2"), str("EDGE"));
	size_t left = MXT_MSG_ROOM - e->room_used;
	char *s = long_string(left, 'x');
	mxt_msg_set(e, &e->sender, s, left);
	test_ok(e->room_used == MXT_MSG_ROOM - left &&
	    strlen(e->sender) == left,
	    "room edge: one byte too long", "room_used %u", e->room_used);
	mxt_msg_set(e, &e->client_name, s, left - 1);
	test_ok(e->room_used == MXT_MSG_ROOM &&
	    strlen(e->client_name) == left - 1 &&
	    e->client_name == e->room + MXT_MSG_ROOM - left,
	    "room edge: filled exactly", "room_used %u", e->room_used);
	mxt_msg_set(e, &e->client_ip, "", 0);
	test_ok(e->room_used == MXT_MSG_ROOM && e->client_ip != NULL &&
	    e->client_ip[0] == '\0' &&
	    (e->client_ip < e->room || e->client_ip >= e->room + MXT_MSG_ROOM),
	    "room edge: full", "room_used %u", e->room_used);
	free(s);
	mxt_track_destroy(t);
}

static void
test_spares(void)
{
	struct mxt_track *t = mxt_track_create(0, NULL, NULL, NULL);
	struct mxt_msg *m = mxt_track_add(t, str("mx1"), str("A1"));
	mxt_msg_set(m, &m->sender, MXT_LIT("alice@example.org"));
	mxt_msg_set(m, &m->client_ip, MXT_LIT("192.0.2.7"));
	mxt_msg_set_message_id(m, MXT_LIT("<1@example.org>"));
	mxt_msg_defer(m, MXT_LIT("r@example.com"), MXT_LIT("450 later"), 450,
	    "4.7.1");
	char *big = long_string(300, 's');
	mxt_msg_set(m, &m->client_name, big, 300);
	free(big);
	mxt_track_remove(t, m);
	test_ok(mxt_track_get(t, str("mx1"), str("A1")) == NULL, "removed",
	    "not found");
	test_int("removed", "count", (long long)mxt_track_count(t), 0);

	/* the next entry reuses the spare: it starts empty */
	struct mxt_msg *n = mxt_track_add(t, str("relay-b"), str("B2"));
	test_ok(n != NULL && n->sender == NULL && n->client_name == NULL &&
	    n->client_ip == NULL && n->message_id == NULL &&
	    n->pending == NULL && !n->start_seen && n->recv == MXT_RECV_NONE,
	    "spare reused: empty", "sender %p pending %p", (void *)n->sender,
	    (void *)n->pending);
	test_ok(strcmp(n->host, "relay-b") == 0 && n->id_len == 2 &&
	    memcmp(n->id, "B2", 2) == 0, "spare reused: its own key",
	    "host %s", n->host);
	test_ok(mxt_track_get(t, str("mx1"), str("A1")) == NULL &&
	    mxt_track_get(t, str("relay-b"), str("B2")) == n,
	    "spare reused: found by its key only", "get");

	/* many entries leave and come: more spares than kept, all freed */
	struct mxt_msg *list[200];
	char idb[16];
	for (int i = 0; i < 200; i++) {
		snprintf(idb, sizeof idb, "C%d", i);
		list[i] = mxt_track_add(t, str("mx1"), str(idb));
		mxt_msg_set(list[i], &list[i]->sender, idb, strlen(idb));
	}
	for (int i = 0; i < 200; i++)
		mxt_track_remove(t, list[i]);
	bool ok = true;
	for (int i = 0; i < 200 && ok; i++) {
		snprintf(idb, sizeof idb, "D%d", i);
		struct mxt_msg *d = mxt_track_add(t, str("mx1"), str(idb));
		ok = d != NULL && d->sender == NULL;
		mxt_msg_set(d, &d->sender, idb, strlen(idb));
	}
	test_ok(ok, "200 spares later: each entry starts empty", "sender");
	snprintf(idb, sizeof idb, "D%d", 117);
	m = mxt_track_get(t, str("mx1"), str(idb));
	test_ok(m != NULL && strcmp(m->sender, "D117") == 0,
	    "200 spares later: strings their own", "%s",
	    m != NULL ? m->sender : "(none)");
	test_int("200 spares later", "count", (long long)mxt_track_count(t),
	    201);
	mxt_track_destroy(t);
}

static void
test_pending(void)
{
	struct mxt_track *t = mxt_track_create(0, NULL, NULL, NULL);
	struct mxt_msg *m = mxt_track_add(t, str("mx"), str("P1"));
	mxt_msg_defer(m, MXT_LIT("a@example.com"), MXT_LIT("450 first"), 450,
	    "4.7.1");
	mxt_msg_defer(m, MXT_LIT("b@example.com"), MXT_LIT("451 later"), 451,
	    "4.3.0");
	mxt_msg_defer(m, MXT_LIT("a@example.com"), MXT_LIT("421 again"), 421,
	    "4.4.2");
	struct mxt_pending_rcpt *r = m->pending;
	test_ok(r != NULL && strcmp(r->addr, "a@example.com") == 0 &&
	    strcmp(r->text, "421 again") == 0 && r->code == 421 &&
	    strcmp(r->dsn, "4.4.2") == 0 && r->next != NULL &&
	    strcmp(r->next->addr, "b@example.com") == 0 &&
	    r->next->next == NULL, "pending: in order, reason refreshed",
	    "%s", r != NULL ? r->addr : "(none)");
	mxt_msg_final(m, MXT_LIT("a@example.com"));
	r = m->pending;
	test_ok(r != NULL && strcmp(r->addr, "b@example.com") == 0 &&
	    strcmp(r->text, "451 later") == 0 && r->next == NULL,
	    "pending: the final one leaves", "%s",
	    r != NULL ? r->addr : "(none)");
	mxt_msg_final(m, MXT_LIT("c@example.com"));
	test_ok(m->pending == r, "pending: an unknown final changes nothing",
	    "list");
	/* the rest leaves with the entry (the sanitizers see it freed) */
	mxt_track_destroy(t);
}

static int drops;

static void
on_drop(void *arg, struct mxt_str host, struct mxt_str id)
{
	(void)arg;
	(void)host;
	(void)id;
	drops++;
}

static void
test_cap(void)
{
	uint64_t overflow = 0;
	struct mxt_track *t = mxt_track_create(2, &overflow, on_drop, NULL);
	struct mxt_msg *m = mxt_track_add(t, str("mx"), str("E1"));
	mxt_msg_set(m, &m->sender, MXT_LIT("first@example.org"));
	mxt_track_add(t, str("mx"), str("E2"));
	m = mxt_track_add(t, str("mx"), str("E3"));
	test_int("cap", "overflow", (long long)overflow, 1);
	test_int("cap", "drops", drops, 1);
	test_ok(mxt_track_get(t, str("mx"), str("E1")) == NULL &&
	    mxt_track_get(t, str("mx"), str("E2")) != NULL &&
	    mxt_track_get(t, str("mx"), str("E3")) == m,
	    "cap: the oldest left", "E1 gone");
	test_ok(m->sender == NULL, "cap: the new entry is empty", "sender");
	mxt_track_destroy(t);
}

int
main(void)
{
	test_strings();
	test_spares();
	test_pending();
	test_cap();
	return test_done();
}
