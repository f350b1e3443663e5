/*
 * track_state.c - the pass's messages in flight as JSON, and back: the
 * part of --state that later lines need (state.c writes the file).
 *
 * A message's later lines learn its sender and client from its first
 * ones, and an expiry names the recipients deferred before; when a run
 * stops in the middle of a message, the next run needs exactly that. So
 * every entry of the tracker (track.c) is written in age order, with its
 * host, id, sender, client and deferred recipients, and read back into
 * the tracker of the next run in the same order (the eviction order at
 * the cap stays the same).
 *
 * A restored message is not "started" in the new run (start_seen false):
 * its first line was in an earlier run, and the summary of the new run
 * must see it as a message met in progress, as it would in a piece of a
 * cut log, so that `mxtriage merge` joins it with the earlier summary.
 *
 * Log text is bytes, not UTF-8: a value that is not valid UTF-8 is
 * written as {"hex": "..."} so that it comes back byte for byte.
 *
 * Kept separate from track.c, which stays the hot path of the pass.
 */
#include "pass.h"
#include "state.h"
#include "attempts.h"

#include <jansson.h>
#include <stdlib.h>

static json_t *
bytes_value(const char *s, size_t len)
{
	json_t *v = json_stringn(s, len);
	if (v != NULL)
		return v;
	/* not valid UTF-8: hex, so that every byte comes back */
	static const char digits[] = "0123456789abcdef";
	char *hex = xmalloc(2 * len + 1);
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = digits[(unsigned char)s[i] >> 4];
		hex[2 * i + 1] = digits[(unsigned char)s[i] & 15];
	}
	hex[2 * len] = '\0';
	v = json_pack("{s:s}", "hex", hex);
	free(hex);
	return v;
}

static int
hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : -1;
}

/* The bytes of v (a string, or {"hex": ...}) in a malloc'd buffer with
 * a NUL after them, *len their number; NULL when v is neither. */
static char *
bytes_of(const json_t *v, size_t *len)
{
	if (json_is_string(v)) {
		*len = json_string_length(v);
		char *s = xmalloc(*len + 1);
		memcpy(s, json_string_value(v), *len);
		s[*len] = '\0';
		return s;
	}
	const char *hex = json_string_value(json_object_get(v, "hex"));
	if (hex == NULL || strlen(hex) % 2 != 0)
		return NULL;
	*len = strlen(hex) / 2;
	char *s = xmalloc(*len + 1);
	for (size_t i = 0; i < *len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(s);
			return NULL;
		}
		s[i] = (char)(hi << 4 | lo);
	}
	s[*len] = '\0';
	return s;
}

static void
put(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, bytes_value(s, strlen(s)));
}

json_t *
mxt_track_state_save(const struct mxt_pass *p)
{
	json_t *list = json_array();
	for (const struct mxt_msg *m = mxt_track_oldest(p->track); m != NULL;
	    m = m->newer) {
		json_t *o = json_object();
		json_object_set_new(o, "host", bytes_value(m->host,
		    m->host_len));
		json_object_set_new(o, "id", bytes_value(m->id,
		    m->id_len));
		put(o, "sender", m->sender);
		put(o, "client_name", m->client_name);
		put(o, "client_ip", m->client_ip);
		put(o, "message_id", m->message_id);
		json_t *pending = json_array();
		for (const struct mxt_pending_rcpt *r = m->pending; r != NULL;
		    r = r->next) {
			json_t *e = json_object();
			put(e, "recipient", r->addr);
			put(e, "text", r->text ? r->text : "");
			json_object_set_new(e, "code", json_integer(r->code));
			json_object_set_new(e, "dsn", json_string(r->dsn));
			json_array_append_new(pending, e);
		}
		json_object_set_new(o, "pending", pending);
		json_array_append_new(list, o);
	}
	return list;
}

/* Reads the optional field key of o into *field; false when it is there
 * but not bytes. */
static bool
restore_field(const json_t *o, const char *key, struct mxt_msg *m,
    char **field)
{
	const json_t *v = json_object_get(o, key);
	size_t len;
	if (v == NULL)
		return true;
	char *s = bytes_of(v, &len);
	if (s == NULL)
		return false;
	mxt_msg_set(m, field, s, len);
	free(s);
	return true;
}

int
mxt_track_state_restore(struct mxt_pass *p, const json_t *list,
    char *why, size_t size)
{
	size_t i;
	const json_t *o;
	if (!json_is_array(list)) {
		snprintf(why, size, "messages is not a list");
		return -1;
	}
	json_array_foreach(list, i, o) {
		size_t hlen, ilen;
		char *host = bytes_of(json_object_get(o, "host"), &hlen);
		char *id = bytes_of(json_object_get(o, "id"), &ilen);
		struct mxt_msg *m = NULL;
		if (host != NULL && id != NULL)
			m = mxt_track_add(p->track, mxt_str_make(host, hlen),
			    mxt_str_make(id, ilen));
		free(host);
		free(id);
		const json_t *pending = json_object_get(o, "pending");
		if (m == NULL || !restore_field(o, "sender", m, &m->sender) ||
		    !restore_field(o, "client_name", m, &m->client_name) ||
		    !restore_field(o, "client_ip", m, &m->client_ip) ||
		    !restore_field(o, "message_id", m, &m->message_id) ||
		    !json_is_array(pending)) {
			snprintf(why, size, "messages[%zu] is not a message "
			    "(host, id, sender, client, pending)", i);
			return -1;
		}
		size_t j;
		const json_t *e;
		json_array_foreach(pending, j, e) {
			size_t rlen, tlen;
			char *rcpt = bytes_of(json_object_get(e, "recipient"),
			    &rlen);
			char *text = bytes_of(json_object_get(e, "text"), &tlen);
			const json_t *code = json_object_get(e, "code");
			const char *dsn = json_string_value(json_object_get(e,
			    "dsn"));
			bool ok = rcpt != NULL && text != NULL &&
			    json_is_integer(code) && dsn != NULL &&
			    strlen(dsn) < sizeof m->pending->dsn;
			if (ok)
				mxt_msg_defer(m, rcpt, rlen, text, tlen,
				    (int)json_integer_value(code), dsn);
			free(rcpt);
			free(text);
			if (!ok) {
				snprintf(why, size, "messages[%zu].pending[%zu] "
				    "is not a deferred recipient", i, j);
				return -1;
			}
		}
	}
	return 0;
}

/* For the other parts of the state (attempts.c): the same byte strings. */
json_t *
mxt_state_bytes(const char *s, size_t len)
{
	return bytes_value(s, len);
}

char *
mxt_state_bytes_of(const json_t *v, size_t *len)
{
	return bytes_of(v, len);
}
