/*
 * track.h - messages in flight, keyed by (logging host, Postfix queue id
 * or Exim message id). Internal to lib/; dialects reach it only through
 * their sink (dialect.h), never directly.
 */
#ifndef MXT_TRACK_H
#define MXT_TRACK_H

#include "internal.h"

struct mxt_track;

struct mxt_pending_rcpt {
	struct mxt_pending_rcpt *next;
	char *addr;  /* in its allocation, after it */
	char *text;  /* last deferral reason */
	int code;
	char dsn[16];
};

/* The entry's own room for its strings (host, sender, client name and
 * address, Message-ID): a message's strings fit in it on every ordinary
 * log, so an entry costs one allocation, not five. A string that does
 * not fit (a long Message-ID, the room used up by replacements) is
 * allocated apart. */
#define MXT_MSG_ROOM 160

struct mxt_msg {
	struct mxt_msg *hnext; /* hash chain */
	struct mxt_msg *older, *newer; /* age list, for eviction at the cap */
	uint32_t hash;
	uint8_t id_len;    /* of id, below its size (trackable) */
	char id[40];
	char *host;        /* the logging host, "" when none; NUL-terminated */
	size_t host_len;
	char *sender;      /* NULL = not seen; "" = null sender <> */
	char *client_name;
	char *client_ip;
	char *message_id;  /* Message-ID without <>, NULL = not logged */
	struct mxt_pending_rcpt *pending; /* deferred, not yet final */
	/* This run saw the first line of the message (Postfix cleanup
	 * message-id=, smtpd client=, pickup uid=; Exim <=); false for a
	 * message met in progress. See mxt_event.msg_start_seen. */
	bool start_seen;
	/* Its first qmgr "size=" line (struct mxt_received): MXT_RECV_DUE
	 * after cleanup's message-id= line, MXT_RECV_NONE when that was not
	 * read, MXT_RECV_DONE once told. Not saved with --state: a
	 * restored message is met in progress (track_state.c). */
	uint8_t recv;
	uint16_t room_used;     /* bytes of room taken */
	char room[MXT_MSG_ROOM]; /* last: entries are cleared up to it */
};
enum { MXT_RECV_NONE, MXT_RECV_DUE, MXT_RECV_DONE };

/*
 * Called with arg when an entry leaves the table: mxt_track_remove (the
 * MTA said the message is gone) or eviction at the cap. host and id are
 * valid during the call only.
 */
typedef void mxt_track_drop_fn(void *arg, struct mxt_str host,
    struct mxt_str id);

/* cap 0 = the default (200000). At the cap the oldest entry is dropped,
 * counted in *overflow_counter (may be NULL) and reported to on_drop
 * (may be NULL). */
struct mxt_track *mxt_track_create(size_t cap, uint64_t *overflow_counter,
    mxt_track_drop_fn *on_drop, void *drop_arg);
void mxt_track_destroy(struct mxt_track *t); /* accepts NULL; no on_drop */
/* The entry of (host, id), or NULL. An id that is empty or longer than
 * 39 bytes is never tracked (NULL). */
struct mxt_msg *mxt_track_get(struct mxt_track *t, struct mxt_str host,
    struct mxt_str id);
/* Finds or creates the entry (NULL only for an id that is never
 * tracked); a new entry may evict the oldest one (see create). The
 * pointer is valid until the next add or remove. */
struct mxt_msg *mxt_track_add(struct mxt_track *t, struct mxt_str host,
    struct mxt_str id);
/* Drops m, an entry of t (mxt_track_get) or NULL (nothing); on_drop is
 * called first. */
void mxt_track_remove(struct mxt_track *t, struct mxt_msg *m);
size_t mxt_track_count(const struct mxt_track *t);
/* The oldest entry (NULL when none); ->newer walks to the newest. For
 * saving the table (track_state.c). */
const struct mxt_msg *mxt_track_oldest(const struct mxt_track *t);

/* Message-IDs longer than this are not kept (a hostile log could make
 * every message in flight hold a line's worth). */
#define MXT_MESSAGE_ID_MAX 255
/* Sets m->message_id from the value logged ("<id>" or "id"); an empty or
 * too long one is not kept. */
void mxt_msg_set_message_id(struct mxt_msg *m, const char *s, size_t n);
/* Replaces *field, one of m's strings, by a copy of s[0..n) (no change
 * when equal); the copy goes into m's room when it fits. */
void mxt_msg_set(struct mxt_msg *m, char **field, const char *s, size_t n);
/* Records rcpt as deferred (or refreshes its reason). */
void mxt_msg_defer(struct mxt_msg *m, const char *rcpt, size_t rlen,
    const char *text, size_t tlen, int code, const char *dsn);
/* The recipient reached a final status: forget it. */
void mxt_msg_final(struct mxt_msg *m, const char *rcpt, size_t rlen);

#endif
