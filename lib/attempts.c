/*
 * attempts.c - the replies of MX hosts tried before the last one of a
 * delivery attempt, and which reply matters.
 *
 * When the first MX host of a domain fails temporarily, the MTA logs that
 * host's reply on a line of its own and tries the next; the final status
 * line names only the last host. Postfix (smtp_trouble.c, smtp_connect.c)
 * writes "QID: host X[ip] said: 4xx ... (in reply to CMD command)",
 * "QID: host X[ip] refused to talk to me: 554 ..." (a 5xx greeting is
 * skipped like a 4xx one, smtp_skip_5xx_greeting), "QID: lost connection
 * with X[ip] while ...", and "connect to X[ip]:25: Connection refused"
 * WITHOUT the queue id, for every address it could not connect to (the
 * last one's reason repeated in the status line). A permanent reply of a
 * host that is not the last ends the attempt there. Exim (transports/
 * smtp.c, write_logs) writes "ID H=X [ip]: message" or "ID H=X [ip]
 * Connection refused" for every host that deferred, the last one too.
 *
 * So the replies wait here, under a key that the final line shares with
 * them: the logging host and the process (Postfix: "postfix/smtp[pid]",
 * the process delivers one message at a time) or the message (Exim: its
 * id; the transport's subprocess logs the host lines, the delivery
 * process the final ones). A final line takes them (mxt_attempts_take);
 * the other recipients of the same attempt, logged right after it, take
 * them too, all but the replies to RCPT that name another recipient
 * (other_recipient). Memory is bounded: at most MXT_ATTEMPTS_MAX replies per
 * attempt, MXT_ATTEMPTS_PENDING_MAX attempts waiting (the oldest is
 * forgotten at the cap), MXT_ATTEMPT_TEXT_MAX bytes of text each, and a
 * reply that waited longer than MXT_ATTEMPTS_WAIT seconds of log time is
 * dropped: both caps are counted. The store is part of --state, so a run
 * continued after a cut between a reply and its final line gives the
 * event the replies one run would have given it.
 */
#include "attempts.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct entry {
	struct entry *older, *newer;  /* by the time of the last add */
	char *key;                    /* host \x1f tag */
	size_t klen;
	char qid[40];                 /* "" = not known (connect lines) */
	int64_t last;                 /* log time of the last reply added */
	long first_line;              /* line of the first of the replies */
	bool taken;                   /* a final line took the replies */
	int64_t taken_at;
	char taken_by[64];            /* its relay (address, else name) */
	size_t taken_n;               /* the replies it took (same_try) */
	size_t n;
	struct mxt_attempt v[MXT_ATTEMPTS_MAX];
	char *buf[MXT_ATTEMPTS_MAX];  /* owns the strings of v[i] */
};

struct mxt_attempts {
	struct mxt_strmap map;        /* key -> struct entry (ptr) */
	struct entry *oldest, *newest;
	uint64_t *overflow, *dropped;
	struct mxt_buf key;
	/* mxt_attempts_watch: keys met without an entry */
	bool watch, over, started, warming;
	int64_t watch_until;
	struct mxt_strmap touched;
	/* the replies a final line takes: its attempt's, less other
	 * recipients' replies to RCPT (other_recipient); e's strings */
	struct mxt_attempt view[MXT_ATTEMPTS_MAX];
};

struct mxt_attempts *
mxt_attempts_create(uint64_t *overflow, uint64_t *dropped)
{
	struct mxt_attempts *s = xcalloc(1, sizeof *s);
	mxt_strmap_init(&s->map, 0);
	mxt_strmap_init(&s->touched, 0);
	s->overflow = overflow;
	s->dropped = dropped;
	return s;
}

static void
clear_replies(struct entry *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->buf[i]);
	e->n = 0;
	e->taken = false;
}

static void
free_entry(struct entry *e)
{
	clear_replies(e);
	free(e->key);
	free(e);
}

void
mxt_attempts_destroy(struct mxt_attempts *s)
{
	if (s == NULL)
		return;
	struct entry *e, *next;
	for (e = s->oldest; e != NULL; e = next) {
		next = e->newer;
		free_entry(e);
	}
	mxt_strmap_finish(&s->map);
	mxt_attempts_touched_finish(&s->touched);
	free(s->key.p);
	free(s);
}

static void
unlink_age(struct mxt_attempts *s, struct entry *e)
{
	if (e->older)
		e->older->newer = e->newer;
	else
		s->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		s->newest = e->older;
	e->older = e->newer = NULL;
}

static void
link_newest(struct mxt_attempts *s, struct entry *e)
{
	e->older = s->newest;
	if (s->newest)
		s->newest->newer = e;
	else
		s->oldest = e;
	s->newest = e;
}

static void
drop(struct mxt_attempts *s, struct entry *e)
{
	struct mxt_strmap_slot *slot = mxt_strmap_get(&s->map, e->key, e->klen);
	assert(slot != NULL && slot->ptr == e);
	mxt_strmap_remove(&s->map, slot);
	unlink_age(s, e);
	free_entry(e);
}

static struct mxt_str
make_key(struct mxt_attempts *s, struct mxt_str host, struct mxt_str tag)
{
	s->key.len = 0;
	mxt_buf_append(&s->key, host.ptr, host.len);
	mxt_buf_append(&s->key, "\x1f", 1);
	mxt_buf_append(&s->key, tag.ptr, tag.len);
	return mxt_str_make(s->key.p, s->key.len);
}

/* Whether a key met at t without an entry would be watched (touch_key):
 * not once the horizon is past. Before the first timed key it still is
 * (touch_key sets the horizon). */
static bool
watching(const struct mxt_attempts *s, const struct mxt_time *t)
{
	/* warming (mxt_attempts_warm): every key, no horizon */
	return s->watch && (s->warming || !t->valid || !s->started ||
	    t->sec <= s->watch_until);
}

/* A key met without an entry while watched (mxt_attempts_watch): how
 * (value 1 take, 2 add) and for which queue id (ptr, malloc'd). */
static void
touch_key(struct mxt_attempts *s, struct mxt_str key, const struct mxt_time *t,
    int how, struct mxt_str qid)
{
	if (!s->watch)
		return;
	if (!s->warming && t->valid && !s->started) {
		s->started = true;
		s->watch_until = t->sec + MXT_ATTEMPTS_WAIT;
	}
	if (!watching(s, t))
		return;
	if (s->touched.count >= MXT_ATTEMPTS_PENDING_MAX) {
		s->over = true;
		return;
	}
	bool added;
	struct mxt_strmap_slot *slot = mxt_strmap_put(&s->touched, key.ptr,
	    key.len, &added);
	if (added) {
		slot->value = (uint64_t)how;
		slot->ptr = xstrndup(qid.ptr ? qid.ptr : "", qid.len);
	}
}

void
mxt_attempts_touched_finish(struct mxt_strmap *touched)
{
	for (size_t i = 0; i < touched->size; i++)
		if (touched->slots[i].key != NULL)
			free(touched->slots[i].ptr);
	mxt_strmap_finish(touched);
}

bool
mxt_attempts_reached(const struct mxt_attempts_key *k,
    const struct mxt_strmap_slot *first)
{
	const char *q = first->ptr;
	bool same = k->qid[0] == '\0' || q[0] == '\0' ||
	    strcmp(k->qid, q) == 0;
	if (first->value == 1) /* a take: the replies if of its queue id */
		return same;
	return !k->taken && same; /* an add: appended to waiting ones */
}

static bool
same_qid(const struct entry *e, struct mxt_str qid)
{
	return strlen(e->qid) == qid.len && memcmp(e->qid, qid.ptr, qid.len) == 0;
}

/* Copies a into slot i of e, its strings into one allocation. */
static void
put_reply(struct entry *e, size_t i, const struct mxt_attempt *a)
{
	size_t tl = a->text.len > MXT_ATTEMPT_TEXT_MAX ? MXT_ATTEMPT_TEXT_MAX :
	    a->text.len;
	char *b = xmalloc(a->relay.len + a->relay_ip.len + tl + 3);
	struct mxt_attempt *d = &e->v[i];
	*d = *a;
	size_t off = 0;
	const struct mxt_str parts[] = {a->relay, a->relay_ip,
	    mxt_str_make(a->text.ptr, tl)};
	struct mxt_str *out[] = {&d->relay, &d->relay_ip, &d->text};
	for (size_t k = 0; k < 3; k++) {
		if (parts[k].len > 0)
			memcpy(b + off, parts[k].ptr, parts[k].len);
		b[off + parts[k].len] = '\0';
		*out[k] = mxt_str_make(b + off, parts[k].len);
		off += parts[k].len + 1;
	}
	e->buf[i] = b;
}

void
mxt_attempts_add(struct mxt_attempts *s, struct mxt_str host,
    struct mxt_str tag, struct mxt_str qid, const struct mxt_time *t,
    long line_no, const struct mxt_attempt *a)
{
	int64_t now = t->valid ? t->sec : 0;
	/* replies that waited too long will find no final line */
	while (s->oldest != NULL && t->valid &&
	    now - s->oldest->last > MXT_ATTEMPTS_WAIT)
		drop(s, s->oldest);
	struct mxt_str key = make_key(s, host, tag);
	bool added;
	struct mxt_strmap_slot *slot = mxt_strmap_get(&s->map, key.ptr, key.len);
	if (slot == NULL)
		touch_key(s, key, t, 2, qid);
	if (slot == NULL && s->map.count >= MXT_ATTEMPTS_PENDING_MAX) {
		drop(s, s->oldest);
		if (s->overflow)
			(*s->overflow)++;
	}
	if (slot == NULL) {
		slot = mxt_strmap_put(&s->map, key.ptr, key.len, &added);
		slot->ptr = NULL; /* a freed slot keeps its old payload */
	}
	struct entry *e = slot->ptr;
	if (e == NULL) {
		e = xcalloc(1, sizeof *e);
		e->key = xstrndup(key.ptr, key.len);
		e->klen = key.len;
		slot->ptr = e;
	} else {
		unlink_age(s, e);
		/* a new delivery attempt of this process or message */
		if (e->taken || (qid.len > 0 && e->qid[0] != '\0' &&
		    !same_qid(e, qid)))
			clear_replies(e);
	}
	link_newest(s, e);
	e->last = now;
	if (e->n == 0)
		e->first_line = line_no;
	if (qid.len > 0 && qid.len < sizeof e->qid) {
		memcpy(e->qid, qid.ptr, qid.len);
		e->qid[qid.len] = '\0';
	} else if (e->n == 0) {
		e->qid[0] = '\0';
	}
	if (e->n >= MXT_ATTEMPTS_MAX) {
		if (s->dropped)
			(*s->dropped)++;
		return;
	}
	put_reply(e, e->n++, a);
}

/* The last host's line is the event's own try again: Postfix repeats the
 * last connect failure's words in the status line; Exim logs the last
 * host's error on its H= line, in other words than the final line's
 * ("SMTP timeout after initial connection: Connection timed out" against
 * "Connection timed out: SMTP timeout after initial connection"). Without
 * a reply the words alone decide: when no host of the try let Exim in,
 * Exim's final line names on H= the last host it had a connection to,
 * not the one that refused (real Exim 4.96: "H=mx1 [ip1]: SMTP error ...
 * after initial connection: 554 ...", "H=mx2 [ip2] Connection refused",
 * then "== ... defer (111): Connection refused H=mx1 [ip1]"); Postfix's
 * words of a connect failure name the host, so they cannot match another
 * host's. */
static bool
same_try(const struct mxt_attempt *l, const struct mxt_event *ev)
{
	bool same_ip = ev->relay_ip.len > 0 && mxt_str_eq_bytes(l->relay_ip,
	    ev->relay_ip.ptr, ev->relay_ip.len);
	if (same_ip && l->code == ev->code)
		return true;
	return l->text.len == ev->text.len && (l->text.len == 0 ||
	    memcmp(l->text.ptr, ev->text.ptr, l->text.len) == 0) &&
	    (ev->relay_ip.len == 0 || same_ip ||
	    (l->code == 0 && ev->code == 0 && l->text.len > 0));
}

/* A reply to RCPT concerns one recipient. Postfix logs "QID: host X[ip]
 * said: 451 ... (in reply to RCPT TO command)" once for each refused
 * recipient, naming none but in the server's words ("451 4.7.1 <addr>:
 * Recipient address rejected"); Exim names it ("after RCPT TO:<addr>:").
 * True when a's first <...> holds an address other than rcpt. */
static bool
other_recipient(const struct mxt_attempt *a, struct mxt_str rcpt)
{
	if (a->phase != MXT_PHASE_RCPT || rcpt.len == 0)
		return false;
	const char *lt = memchr(a->text.ptr, '<', a->text.len);
	if (lt == NULL)
		return false;
	size_t rest = a->text.len - (size_t)(lt + 1 - a->text.ptr);
	const char *gt = memchr(lt + 1, '>', rest);
	if (gt == NULL)
		return false;
	size_t n = (size_t)(gt - (lt + 1));
	if (memchr(lt + 1, '@', n) == NULL)
		return false;
	return n != rcpt.len || strncasecmp(lt + 1, rcpt.ptr, n) != 0;
}

bool
mxt_attempts_pending(struct mxt_attempts *s, struct mxt_str host,
    struct mxt_str tag, const struct mxt_time *t)
{
	if (watching(s, t))
		return true;
	if (s->map.count == 0)
		return false;
	struct mxt_str key = make_key(s, host, tag);
	return mxt_strmap_get(&s->map, key.ptr, key.len) != NULL;
}

void
mxt_attempts_take(struct mxt_attempts *s, struct mxt_str host,
    struct mxt_str tag, struct mxt_event *ev)
{
	ev->attempts = NULL;
	ev->nattempts = 0;
	/* no entry to find, and a key met would not be kept: a piece's
	 * pass (mxt_attempts_watch) past its horizon is one pass again */
	if (s->map.count == 0 && !watching(s, &ev->time))
		return;
	struct mxt_str key = make_key(s, host, tag);
	struct mxt_strmap_slot *slot = mxt_strmap_get(&s->map, key.ptr, key.len);
	if (slot == NULL) {
		touch_key(s, key, &ev->time, 1, ev->queue_id);
		return;
	}
	struct entry *e = slot->ptr;
	int64_t now = ev->time.valid ? ev->time.sec : 0;
	bool mine = e->qid[0] == '\0' || same_qid(e, ev->queue_id);
	/* the other recipients of the attempt: same message, same relay,
	 * logged right after (Exim logs the next domain's delivery of the
	 * same message in the same second, to another host) */
	struct mxt_str by = ev->relay_ip.len > 0 ? ev->relay_ip : ev->relay;
	if (by.len >= sizeof e->taken_by)
		by.len = sizeof e->taken_by - 1;
	if (!mine || (e->taken && (by.len == 0 ||
	    !same_qid(e, ev->queue_id) ||
	    now - e->taken_at > 1 || now < e->taken_at ||
	    strlen(e->taken_by) != by.len ||
	    (by.len > 0 && memcmp(e->taken_by, by.ptr, by.len) != 0))) ||
	    (!e->taken && now - e->last > MXT_ATTEMPTS_WAIT)) {
		drop(s, e);
		return;
	}
	/* the first final line decides for all recipients of the attempt */
	size_t n = e->taken_n;
	if (!e->taken) {
		e->taken = true;
		e->taken_at = now;
		if (by.len > 0)
			memcpy(e->taken_by, by.ptr, by.len);
		e->taken_by[by.len] = '\0';
		if (ev->queue_id.len > 0 && ev->queue_id.len < sizeof e->qid) {
			memcpy(e->qid, ev->queue_id.ptr, ev->queue_id.len);
			e->qid[ev->queue_id.len] = '\0';
		}
		n = e->n;
		if (n > 0 && same_try(&e->v[n - 1], ev))
			n--;
		e->taken_n = n;
	}
	/* the last host's own line, left out as the event's own try: when
	 * the final line names another host (Exim, same_try), the event's
	 * reply is that host's */
	if (n < e->n && e->v[n].code == 0 && ev->code == 0 &&
	    ev->relay_ip.len > 0 && e->v[n].relay_ip.len > 0 &&
	    !mxt_str_eq_bytes(e->v[n].relay_ip,
	    ev->relay_ip.ptr, ev->relay_ip.len)) {
		ev->relay = e->v[n].relay;
		ev->relay_ip = e->v[n].relay_ip;
		ev->relay_port = e->v[n].relay_port;
	}
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!other_recipient(&e->v[i], ev->recipient))
			s->view[k++] = e->v[i];
	if (k > 0) {
		ev->attempts = s->view;
		ev->nattempts = k;
	}
}

size_t
mxt_attempts_waiting(const struct mxt_attempts *s)
{
	size_t n = 0;
	for (const struct entry *e = s->oldest; e != NULL; e = e->newer)
		if (!e->taken && e->n > 0)
			n++;
	return n;
}

void
mxt_attempts_watch(struct mxt_attempts *s)
{
	s->watch = true;
}

void
mxt_attempts_warm(struct mxt_attempts *s, bool on)
{
	s->warming = on;
	s->started = false;
}

void
mxt_attempts_cut(struct mxt_attempts *s, const struct mxt_time *now,
    struct mxt_strmap *touched, bool *over, struct mxt_attempts_key **open,
    size_t *nopen)
{
	int64_t t = now->valid ? now->sec : 0;
	size_t n = 0, cap = 0;
	*open = NULL;
	for (const struct entry *e = s->oldest; e != NULL; e = e->newer) {
		if (e->taken ? t - e->taken_at > 1 :
		    e->n == 0 || t - e->last > MXT_ATTEMPTS_WAIT)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			*open = xrealloc(*open, cap * sizeof **open);
		}
		(*open)[n].key = xstrndup(e->key, e->klen);
		(*open)[n].len = e->klen;
		(*open)[n].until = e->taken ? e->taken_at + 1 :
		    e->last + MXT_ATTEMPTS_WAIT;
		(*open)[n].first_line = e->first_line;
		memcpy((*open)[n].qid, e->qid, sizeof e->qid);
		(*open)[n].taken = e->taken;
		n++;
	}
	*nopen = n;
	*touched = s->touched;
	*over = s->over;
	mxt_strmap_init(&s->touched, 0);
}

/* ---- which reply matters ---------------------------------------------- */

/* 2 permanent, 1 temporary, 0 no reply (see mxt_attempts_matter). The
 * reply code only: an enhanced code without one is the MTA's own
 * (Postfix's dsn=4.4.1 for a refused connection), no server's word. */
static int
code_rank(int code)
{
	if (code >= 500 && code < 600)
		return 2;
	if (code >= 400 && code < 500)
		return 1;
	return 0;
}

int
mxt_attempts_matter(const struct mxt_event *ev)
{
	if (ev->status == MXT_STATUS_DELIVERED || ev->nattempts == 0)
		return -1;
	/* the event's own reply first: an earlier one must outrank it */
	int best = -1, best_rank = code_rank(ev->code);
	for (size_t i = ev->nattempts; i-- > 0;) {
		int r = code_rank(ev->attempts[i].code);
		if (r > best_rank) {
			best = (int)i;
			best_rank = r;
		}
	}
	return best;
}

const struct mxt_event *
mxt_event_matters(const struct mxt_event *ev, struct mxt_event *view)
{
	if (ev->matters < 0 || (size_t)ev->matters >= ev->nattempts)
		return ev;
	const struct mxt_attempt *a = &ev->attempts[ev->matters];
	*view = *ev;
	view->relay = a->relay;
	view->relay_ip = a->relay_ip;
	view->relay_port = a->relay_port;
	view->code = a->code;
	memcpy(view->dsn, a->dsn, sizeof view->dsn);
	view->phase = a->phase;
	view->text = a->text;
	return view;
}

/* ---- --state ------------------------------------------------------------ */

json_t *
mxt_attempts_save(const struct mxt_attempts *s)
{
	json_t *list = json_array();
	for (const struct entry *e = s->oldest; e != NULL; e = e->newer) {
		json_t *replies = json_array();
		for (size_t i = 0; i < e->n; i++) {
			const struct mxt_attempt *a = &e->v[i];
			json_t *r = json_object();
			json_object_set_new(r, "relay", mxt_state_bytes(
			    a->relay.ptr, a->relay.len));
			json_object_set_new(r, "relay_ip", mxt_state_bytes(
			    a->relay_ip.ptr, a->relay_ip.len));
			json_object_set_new(r, "port", json_integer(a->relay_port));
			json_object_set_new(r, "code", json_integer(a->code));
			json_object_set_new(r, "dsn", json_string(a->dsn));
			json_object_set_new(r, "phase", json_integer(a->phase));
			json_object_set_new(r, "text", mxt_state_bytes(
			    a->text.ptr, a->text.len));
			json_array_append_new(replies, r);
		}
		json_t *o = json_object();
		json_object_set_new(o, "key", mxt_state_bytes(e->key, e->klen));
		json_object_set_new(o, "qid", mxt_state_bytes(e->qid,
		    strlen(e->qid)));
		json_object_set_new(o, "last", json_integer(e->last));
		json_object_set_new(o, "taken", json_boolean(e->taken));
		json_object_set_new(o, "taken_at", json_integer(e->taken_at));
		json_object_set_new(o, "taken_by", mxt_state_bytes(e->taken_by,
		    strlen(e->taken_by)));
		json_object_set_new(o, "taken_n", json_integer(
		    (json_int_t)e->taken_n));
		json_object_set_new(o, "replies", replies);
		json_array_append_new(list, o);
	}
	return list;
}

/* One saved reply into slot i of e; false when r is not one. */
static bool
restore_reply(struct entry *e, size_t i, const json_t *r)
{
	size_t rl, il, tl;
	char *relay = mxt_state_bytes_of(json_object_get(r, "relay"), &rl);
	char *ip = mxt_state_bytes_of(json_object_get(r, "relay_ip"), &il);
	char *text = mxt_state_bytes_of(json_object_get(r, "text"), &tl);
	const char *dsn = json_string_value(json_object_get(r, "dsn"));
	const json_t *port = json_object_get(r, "port");
	const json_t *code = json_object_get(r, "code");
	const json_t *phase = json_object_get(r, "phase");
	bool ok = relay && ip && text && dsn && strlen(dsn) < 16 &&
	    json_is_integer(port) && json_is_integer(code) &&
	    json_is_integer(phase) && json_integer_value(phase) >= 0 &&
	    json_integer_value(phase) < MXT_PHASE_COUNT;
	if (ok) {
		struct mxt_attempt a = {
			.relay = mxt_str_make(relay, rl),
			.relay_ip = mxt_str_make(ip, il),
			.relay_port = (int)json_integer_value(port),
			.code = (int)json_integer_value(code),
			.phase = (enum mxt_phase)json_integer_value(phase),
			.text = mxt_str_make(text, tl),
		};
		memcpy(a.dsn, dsn, strlen(dsn) + 1);
		put_reply(e, i, &a);
	}
	free(relay);
	free(ip);
	free(text);
	return ok;
}

int
mxt_attempts_restore(struct mxt_attempts *s, const json_t *list, char *why,
    size_t size)
{
	size_t i;
	const json_t *o;
	if (!json_is_array(list)) {
		snprintf(why, size, "attempts is not a list");
		return -1;
	}
	json_array_foreach(list, i, o) {
		size_t klen, qlen;
		char *key = mxt_state_bytes_of(json_object_get(o, "key"), &klen);
		char *qid = mxt_state_bytes_of(json_object_get(o, "qid"), &qlen);
		const json_t *replies = json_object_get(o, "replies");
		const json_t *last = json_object_get(o, "last");
		const json_t *taken_at = json_object_get(o, "taken_at");
		const json_t *taken = json_object_get(o, "taken");
		const json_t *taken_n = json_object_get(o, "taken_n");
		size_t blen = 0;
		char *by = mxt_state_bytes_of(json_object_get(o, "taken_by"),
		    &blen);
		bool added = false;
		struct mxt_strmap_slot *slot = NULL;
		if (key != NULL && qid != NULL && qlen < 40 && by != NULL &&
		    blen < sizeof ((struct entry *)0)->taken_by &&
		    json_is_array(replies) &&
		    json_array_size(replies) <= MXT_ATTEMPTS_MAX &&
		    json_is_integer(last) && json_is_integer(taken_at) &&
		    json_is_boolean(taken) && json_is_integer(taken_n) &&
		    json_integer_value(taken_n) >= 0 &&
		    (size_t)json_integer_value(taken_n) <=
		    json_array_size(replies) &&
		    s->map.count < MXT_ATTEMPTS_PENDING_MAX)
			slot = mxt_strmap_put(&s->map, key, klen, &added);
		if (slot == NULL || !added) {
			free(key);
			free(qid);
			free(by);
			snprintf(why, size, "attempts[%zu] is not a delivery "
			    "attempt (key, qid, last, taken, taken_by, "
			    "taken_n, replies)", i);
			return -1;
		}
		struct entry *e = xcalloc(1, sizeof *e);
		e->key = key;
		e->klen = klen;
		memcpy(e->qid, qid, qlen + 1);
		free(qid);
		memcpy(e->taken_by, by, blen + 1);
		free(by);
		e->last = json_integer_value(last);
		e->taken = json_is_true(taken);
		e->taken_at = json_integer_value(taken_at);
		e->taken_n = (size_t)json_integer_value(taken_n);
		slot->ptr = e;
		link_newest(s, e);
		size_t j;
		const json_t *r;
		json_array_foreach(replies, j, r) {
			if (!restore_reply(e, j, r)) {
				snprintf(why, size, "attempts[%zu].replies[%zu] "
				    "is not a reply", i, j);
				return -1;
			}
			e->n = j + 1;
		}
	}
	return 0;
}
