/*
 * mxtriage.h - the one public header of libmxtriage.
 *
 * The library turns mail log lines into events (one per delivery attempt per
 * recipient, one per SMTP command we rejected) and never prints or exits:
 * errors come back as return values with detail in struct mxt_error, and
 * everything the caller may want to show (events, unparsed lines, warnings)
 * arrives through callbacks.
 *
 * Ownership: strings inside an event are borrowed; they stay valid only
 * during the callback that receives them.
 *
 * Errors: every function that takes a `struct mxt_error *err` accepts
 * NULL there (the detail is then dropped; the return value still says
 * that it failed). When not NULL, err is filled on failure only.
 *
 * Names: everything this library exports starts with mxt_ (or MXT_ for
 * macros and enum values); tests/symbols.py checks the built library.
 */
#ifndef MXTRIAGE_H
#define MXTRIAGE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* The version of this header; mxt_version() is that of the library linked
 * in. Kept equal to the meson project version (tests/symbols.py). */
#define MXT_VERSION_MAJOR 0
#define MXT_VERSION_MINOR 1
#define MXT_VERSION_PATCH 0
#define MXT_VERSION "0.1.0"
const char *mxt_version(void); /* "0.1.0" */

/* Longest line handled whole; longer lines are cut here and counted. */
#define MXT_LINE_MAX 65536

/* Error detail, shaped like jansson's json_error_t. */
struct mxt_error {
	char source[256]; /* file name, or "<stdin>" */
	long line;        /* 1-based line, 0 when not about a line */
	long column;      /* 1-based column or byte offset, 0 when unknown */
	char text[256];
};

/* A borrowed byte slice; not NUL-terminated in general. */
struct mxt_str {
	const char *ptr;
	size_t len;
};

/* Enums end with _COUNT; each has one name table (mxt_*_name()). */
enum mxt_mta { MXT_MTA_POSTFIX, MXT_MTA_EXIM, MXT_MTA_COUNT };

enum mxt_direction { MXT_DIR_OUT, MXT_DIR_IN, MXT_DIR_COUNT };

enum mxt_status {
	MXT_STATUS_DELIVERED,
	MXT_STATUS_DEFERRED,
	MXT_STATUS_BOUNCED,
	MXT_STATUS_EXPIRED,
	MXT_STATUS_REJECTED,
	MXT_STATUS_COUNT
};

enum mxt_phase {
	MXT_PHASE_NONE, /* unknown / not applicable: printed as null */
	MXT_PHASE_CONNECT,
	MXT_PHASE_GREETING,
	MXT_PHASE_HELO,
	MXT_PHASE_STARTTLS,
	MXT_PHASE_MAIL,
	MXT_PHASE_RCPT,
	MXT_PHASE_DATA,
	MXT_PHASE_EOD,
	MXT_PHASE_COUNT
};

/* Causes of failures (SPEC section 3); the table in causes.c is indexed
 * by this enum. MXT_CAUSE_NONE is for events that are not failures. */
enum mxt_cause {
	MXT_CAUSE_NONE,
	MXT_CAUSE_GREYLISTING,
	MXT_CAUSE_RATE_LIMIT,
	MXT_CAUSE_SERVER_BUSY,
	MXT_CAUSE_DNS,
	MXT_CAUSE_ROUTING,
	MXT_CAUSE_AUTH,
	MXT_CAUSE_RELAY_DENIED,
	MXT_CAUSE_BLOCKLIST,
	MXT_CAUSE_SENDER_AUTH,
	MXT_CAUSE_TLS,
	MXT_CAUSE_POLICY,
	MXT_CAUSE_CONTENT,
	MXT_CAUSE_MAILBOX_FULL,
	MXT_CAUSE_UNKNOWN_USER,
	MXT_CAUSE_BAD_DOMAIN,
	MXT_CAUSE_SENDER_REJECTED,
	MXT_CAUSE_CLIENT_HOSTNAME,
	MXT_CAUSE_MESSAGE_SIZE,
	MXT_CAUSE_CONNECTION,
	MXT_CAUSE_SUSPENDED,
	MXT_CAUSE_EXPIRED,
	MXT_CAUSE_OTHER,
	MXT_CAUSE_COUNT
};

const char *mxt_mta_name(enum mxt_mta);
const char *mxt_direction_name(enum mxt_direction);
const char *mxt_status_name(enum mxt_status);
const char *mxt_phase_name(enum mxt_phase); /* NULL for MXT_PHASE_NONE */
/* Name -> enum value, or -1 when unknown. */
int mxt_status_lookup(const char *name);
int mxt_direction_lookup(const char *name);

/*
 * A point in time as logged: seconds since the epoch, the fraction as
 * logged (frac_digits 0 = none), and the offset from UTC that the line
 * carried (or the local zone's, for year-less traditional lines).
 */
struct mxt_time {
	int64_t sec;
	int32_t frac;       /* fraction as an integer of frac_digits digits */
	int8_t frac_digits; /* 0..9 */
	bool valid;
	int32_t utcoff; /* seconds east of UTC */
};

/* Formats t as ISO 8601 with its offset ("...Z" for UTC) into buf
 * (at least 40 bytes). Returns buf. */
char *mxt_time_format(const struct mxt_time *t, char *buf, size_t size);

/*
 * The reply of one MX host tried before the last in the same delivery
 * attempt (Postfix "QID: host X[ip] said: ...", "connect to X[ip]:25:
 * ...", Exim "ID H=X [ip]: ..."): see struct mxt_event.attempts. code 0
 * and dsn "" when the host sent none (refused, timed out, lost).
 */
struct mxt_attempt {
	struct mxt_str relay;
	struct mxt_str relay_ip;
	int relay_port;            /* 0 when not logged */
	int code;
	char dsn[16];
	enum mxt_phase phase;
	struct mxt_str text;       /* as logged, after the host */
};

/* At most this many earlier replies are kept per delivery attempt; more
 * are counted in struct mxt_stats.attempts_dropped. */
#define MXT_ATTEMPTS_MAX 10
/* Delivery attempts whose replies wait for their final line at once; at
 * the cap the oldest is forgotten, counted in attempts_overflow. */
#define MXT_ATTEMPTS_PENDING_MAX 10000

/* One delivery attempt for one recipient, or one rejected SMTP command. */
struct mxt_event {
	struct mxt_time time;
	enum mxt_mta mta;
	enum mxt_direction direction;
	enum mxt_status status;
	enum mxt_phase phase;
	struct mxt_str host;      /* logging host */
	struct mxt_str service;   /* smtp, lmtp, smtpd, postscreen, Exim transport... */
	struct mxt_str queue_id;  /* empty for NOQUEUE */
	struct mxt_str recipient; /* as logged, without <> */
	struct mxt_str domain;    /* lower-cased recipient domain */
	struct mxt_str sender;
	struct mxt_str sender_domain; /* lower-cased */
	struct mxt_str relay;     /* remote MX (out) or client name (in) */
	struct mxt_str relay_ip;
	int relay_port;           /* 0 when not logged */
	int code;                 /* 3-digit SMTP reply code, 0 when none */
	char dsn[16];             /* "X.Y.Z", "" when none */
	struct mxt_str text;      /* remote reply or local reason, as logged */
	double delay;             /* seconds */
	bool has_delay;
	/* True when this run read the message's first line (Postfix cleanup
	 * "message-id=", smtpd "client=", pickup "uid="; Exim "<="); false
	 * for a message met already in progress (its first lines were in
	 * an earlier input) and for events without a queue id. Summaries use
	 * it to join the two sides of a cut when they are merged. */
	bool msg_start_seen;
	enum mxt_cause cause;     /* MXT_CAUSE_NONE until classified */
	/* The rule that decided cause: its name, origin ("lib/classify.c",
	 * "lib/explain.c" for the code fallbacks, or the rules file) and
	 * line there; NULL name when none did (cause other, or a cause the
	 * status decides). Borrowed from the classifier. */
	const char *rule;
	const char *rule_origin;
	long rule_line;
	const char *provider;     /* "google", ...; NULL when unknown */
	/* a submission or smarthost service the event went through
	 * ("microsoft" for smtp.office365.com); NULL when none */
	const char *via;
	/* Where the event came from, for drill-down and error messages. */
	const char *source;
	long line_no;
	/* Schema mxtriage.event/1 (mxtriage(1), "Events"): filled by the
	 * pass. message_id is the Message-ID header as logged, without <>
	 * (Postfix cleanup "message-id=", Exim "<= ... id="), empty when not
	 * logged; instance the Postfix syslog name ("postfix",
	 * "postfix-out"), empty for Exim; event_id is stable across runs:
	 * see mxt_event_id_format. */
	struct mxt_str message_id;
	struct mxt_str instance;
	uint64_t event_id;
	/* A pass with classify_later (struct mxt_pass_config) leaves
	 * event_id, domain and sender_domain to the consumer's thread:
	 * unfinished is then set, with what mxt_event_finish needs beyond
	 * the event's own fields (the hash of the event's input, whether an
	 * id is wanted, the event's place among those of its line). */
	bool unfinished;
	bool id_wanted;
	unsigned id_seq;
	uint64_t id_base;
	/* and the part of the line the dialect left for then (a Postfix
	 * delivery's relay=, delay= and dsn= fields, up to its " status="
	 * and with it), NULL when none */
	struct mxt_str unread;
	/* The nearest earlier warning of the same process (host, program,
	 * pid) that may explain a failure of ours (cause other, or a cause
	 * on our side; see mxt_pass_link_wanted), normalised as the
	 * "Our side" section groups it; empty when none. Valid during the
	 * on_event call only. `mxtriage events` writes it as "warning". */
	struct mxt_str warning;
	/* The replies of the MX hosts tried before the one this event's
	 * reply came from, oldest first (nattempts 0: none logged), valid
	 * during the on_event call only; matters is the index of the reply
	 * that decides the cause (mxt_attempts_matter), -1 for the event's
	 * own reply. */
	const struct mxt_attempt *attempts;
	size_t nattempts;
	int matters;
};

/*
 * Which reply matters (mxtriage(1), "Earlier MX replies"): of the
 * event's own reply and its attempts, the one of the highest rank by the
 * reply code the server sent -- 2 a permanent reply (5xx), 1 a temporary
 * one (4xx), 0 no reply (refused, timed out, lost connection, DNS; an
 * enhanced code without a reply code is the MTA's own) -- and among
 * equals the latest, the event's own last. A delivered event's own reply
 * always matters. Returns -1 for the event's own reply, else the index
 * into ev->attempts.
 */
int mxt_attempts_matter(const struct mxt_event *ev);
/* ev itself when its own reply matters; else *view, a copy of ev whose
 * relay, relay_ip, code, dsn, phase and text are those of the reply that
 * matters (valid as long as ev). */
const struct mxt_event *mxt_event_matters(const struct mxt_event *ev,
    struct mxt_event *view);

/* The event schema written by `mxtriage events`. */
#define MXT_EVENT_SCHEMA "mxtriage.event/1"
/* ev->event_id as 16 lower-case hex digits and a NUL (buf >= 17 bytes).
 * The id is FNV-1a 64 over the input's first line, a 0 byte, the host,
 * a 0 byte, the line number and the event's place among those of its line
 * (decimal, 0 byte between): the same log gives the same ids whatever
 * its file name, compression or the other inputs read with it. */
char *mxt_event_id_format(uint64_t id, char *buf);

/* Room for an event's lower-cased domains while it is handled. */
struct mxt_event_scratch {
	char domain[256];
	char sender_domain[256];
};
/*
 * Completes an unfinished event (ev->unfinished: handed by a pass with
 * classify_later) as the pass would have: what its dialect left unread
 * (ev->unread: a Postfix delivery's relay, delay, dsn and code), its
 * event_id, and its domain and sender_domain, lower-cased into sc (valid
 * while sc is not reused). Does nothing to a finished one.
 */
void mxt_event_finish(struct mxt_event *ev, struct mxt_event_scratch *sc);

/* ---- reader: bytes -> lines ------------------------------------------ */

struct mxt_reader;

/*
 * Opens path ("-" = standard input). Compressed input (gzip, bzip2, xz,
 * zstd, lz4) is recognised by its magic bytes, not the name. Returns NULL and fills err when it cannot open.
 */
struct mxt_reader *mxt_reader_open(const char *path, struct mxt_error *err);
/*
 * The same on an open file descriptor, read from where it stands (a file
 * opened by a follower, a pipe, a seeked file). The reader owns fd from
 * here on, also when it fails (fd is then closed). name is for messages
 * ("<stdin>", the path). Returns NULL and fills err when fd is a
 * directory.
 */
struct mxt_reader *mxt_reader_open_fd(int fd, const char *name,
    struct mxt_error *err);
/*
 * The systemd journal through sd-journal: where NULL is the machine's
 * journal, else a directory of journal files or one journal file. Each
 * entry is one line (see mxt_reader_next). With has_since, reading starts
 * with a seek to since; with has_until, it stops at the first entry after
 * until (seconds since the epoch). NULL and err when it cannot be opened.
 */
struct mxt_reader *mxt_reader_open_journal(const char *where, bool has_since,
    int64_t since, bool has_until, int64_t until, struct mxt_error *err);
void mxt_reader_close(struct mxt_reader *r); /* accepts NULL */

/*
 * Next line, without its line terminator (LF or CRLF). journald's forms
 * are found line by line: a `journalctl -o json` line, and a `journalctl
 * -o export` entry (its lines up to an empty line), become one RFC 5424
 * line "<22>1 TIME HOST IDENT PID - - MESSAGE", numbered (line_no) as
 * the entry's first line. The line is
 * NUL-terminated at len but may contain NUL bytes. Lines longer than
 * MXT_LINE_MAX are cut at it and *truncated is set; the rest of such a
 * line is skipped. Returns 1 with a line, 0 at the end of the input, -1
 * when the input could not be read completely (err says where).
 * The line stays valid until the next call.
 */
int mxt_reader_next(struct mxt_reader *r, const char **line, size_t *len,
    bool *truncated, struct mxt_error *err);
const char *mxt_reader_name(const struct mxt_reader *r);
long mxt_reader_line_no(const struct mxt_reader *r);
/* Modification time of the file, or 0 for a pipe. */
time_t mxt_reader_mtime(const struct mxt_reader *r);
bool mxt_reader_is_gzip(const struct mxt_reader *r);
/* The file descriptor read (for fstat and poll); owned by r. */
int mxt_reader_fd(const struct mxt_reader *r);
/*
 * Before the first mxt_reader_next: starts reading at byte offset of the
 * file (a plain file: where an earlier run stopped), numbering the lines
 * after line_no. Returns 0, or -1 with err set.
 */
int mxt_reader_seek(struct mxt_reader *r, long long offset, long line_no,
    struct mxt_error *err);
/*
 * Live input (a file that is still written, --follow, --state): the end
 * of the file is "no more for now": mxt_reader_next returns 0 and keeps a
 * partial last line until its newline arrives; a later call reads on.
 * Turned off again, the next end is the end (a partial line is then
 * returned as the last line). Plain input only.
 */
void mxt_reader_set_live(struct mxt_reader *r, bool live);
/*
 * Before the first mxt_reader_next: a compressed regular file that is
 * not live is decompressed on a thread of its own, a few blocks (1 MiB)
 * ahead of the lines read, for a caller with a core to spare. Lines,
 * numbers, offsets and errors are the same as without. Nothing changes
 * for other inputs.
 */
void mxt_reader_set_ahead(struct mxt_reader *r, bool on);
/* Whether r decompresses on a thread of its own (known from the first
 * mxt_reader_next on). */
bool mxt_reader_reads_ahead(const struct mxt_reader *r);
/*
 * wait(arg, fd) is called before each read(2) of an input that is not a
 * regular file (a pipe, a terminal), which may block: it may flush
 * output and wait for the descriptor itself. Returning non-zero ends the
 * input there, as its end (a partial line is dropped, not returned).
 */
void mxt_reader_set_wait(struct mxt_reader *r, int (*wait)(void *arg, int fd),
    void *arg);
/* "gzip", "bzip2", "xz", "zstd", "lz4" as recognised by the first bytes,
 * or NULL for plain text (or before the first line was asked for). */
const char *mxt_reader_compression(const struct mxt_reader *r);
/* The compressor whose magic the n first bytes at p begin with ("gzip",
 * "bzip2", "xz", "zstd", "lz4"), or NULL. */
const char *mxt_compression_of(const unsigned char *p, size_t n);
/* Bytes of the input's text (after decompression) up to the end of the
 * last line returned, its terminator included, counted from where the
 * reader started; for a plain file opened by mxt_reader_open, the file
 * offset at which the next line starts. */
long long mxt_reader_offset(const struct mxt_reader *r);

/* ---- the pass: lines -> events ----------------------------------------- */

struct mxt_stats {
	uint64_t lines;            /* lines read */
	uint64_t bytes;
	uint64_t lines_truncated;  /* cut at MXT_LINE_MAX */
	uint64_t lines_no_header;  /* no header we know */
	uint64_t lines_mta[MXT_MTA_COUNT]; /* lines recognised per MTA */
	uint64_t events[MXT_STATUS_COUNT];
	uint64_t unparsed;         /* mail lines that looked relevant, not understood */
	uint64_t probes;           /* address verification probes, not deliveries */
	uint64_t reject_warnings;  /* reject_warning: would-be rejections */
	uint64_t track_overflow;   /* messages dropped from correlation (cap) */
	/* earlier MX replies (struct mxt_attempt): deliveries whose waiting
	 * replies were forgotten at the cap of the store, and replies past
	 * MXT_ATTEMPTS_MAX of one delivery, not kept */
	uint64_t attempts_overflow;
	uint64_t attempts_dropped;
	uint64_t inputs_failed;
	struct mxt_time first, last; /* of recognised lines */
	/* the times of the first and the last recognised line as they
	 * come: they order the pieces of a log whose lines are a little
	 * out of time order (merge) */
	struct mxt_time first_line, last_line;
};

struct mxt_classifier; /* below, with the classification API */
struct mxt_time_jump;  /* below, with the inputs */

/*
 * Our side (ourside.c): lines in which the local MTA tells of its own
 * trouble or of the limits it enforced, handed to the consumer beside
 * the events. The level says how bad: a note is an informational line
 * (postscreen's verdicts, anvil's statistics), the others are Postfix's
 * warning:/error:/fatal:/panic: and Exim's own complaints (error) and
 * its panic log (panic). The topic says what a record also counts for.
 */
enum mxt_local_level {
	MXT_LEVEL_NOTE,
	MXT_LEVEL_WARNING,
	MXT_LEVEL_ERROR,
	MXT_LEVEL_FATAL,
	MXT_LEVEL_PANIC,
	MXT_LEVEL_COUNT
};
enum mxt_local_topic {
	MXT_TOPIC_NONE,
	MXT_TOPIC_SASL,        /* authentication failed: by client */
	MXT_TOPIC_RATE,        /* a connection limit we enforced: by client */
	MXT_TOPIC_ANVIL,       /* anvil's statistics: the maxima */
	MXT_TOPIC_POSTSCREEN,  /* a postscreen verdict: by action */
	MXT_TOPIC_TLS,         /* a TLS failure of ours */
	MXT_TOPIC_PROTOCOL,    /* a client broke the SMTP protocol */
	MXT_TOPIC_DROPPED,     /* a client dropped the connection */
	MXT_TOPIC_COUNT
};
const char *mxt_local_level_name(enum mxt_local_level l);
const char *mxt_local_topic_name(enum mxt_local_topic t);

struct mxt_local {
	struct mxt_time time;
	enum mxt_mta mta;
	enum mxt_local_level level;
	enum mxt_local_topic topic;
	struct mxt_str host;
	struct mxt_str program;   /* "postfix/smtpd", "exim" */
	struct mxt_str pid;       /* may be empty */
	struct mxt_str text;      /* after "warning: " etc., as logged */
	struct mxt_str client;    /* name as logged (SASL, rate), or empty */
	struct mxt_str client_ip; /* address, or empty */
	/* postscreen: the action ("PREGREET", "DNSBL", ...); anvil: "rate"
	 * or "count"; else empty */
	struct mxt_str action;
	uint64_t value;           /* anvil: the maximum; rate: N exceeded */
	/* may explain a later failure of the same process (a warning,
	 * error, fatal or panic) */
	bool links;
};

/*
 * A message received, as the pass tells it (mxt_pass_config.on_received).
 * Postfix logs the size on qmgr's "from=<s>, size=N, nrcpt=M (queue
 * active)", again each time the message re-enters the active queue (every
 * retry), so the pass tells only the first of a message:
 *   MXT_RECEIVED      cleanup's "message-id=" line of the message (logged
 *                     once per message) was read, and this is its first
 *                     qmgr line: it was received in the input (Exim:
 *                     every "<=" line);
 *   MXT_RECEIVED_MET  the first qmgr line of a message met in progress:
 *                     received before the input began, or before the cut
 *                     of an input read in pieces -- a merge with the
 *                     summary before counts it when that summary saw
 *                     the message begin (its MXT_RECEIVED_DUE);
 *   (refused)         a message cleanup began and then refused: never
 *                     counted (MXT_RECEIVED_MET when met in progress);
 *   MXT_RECEIVED_DUE  a message begun and not yet in the queue when the
 *                     input ended (told by mxt_pass_finish; bytes 0).
 */
enum mxt_received_kind {
	MXT_RECEIVED,
	MXT_RECEIVED_MET,
	MXT_RECEIVED_DUE,
};

struct mxt_received {
	enum mxt_received_kind kind;
	enum mxt_mta mta;
	struct mxt_str host, id;   /* logging host, queue id / message id */
	struct mxt_time time;      /* of the line (DUE: invalid) */
	uint64_t bytes;            /* Postfix: the queue file's size */
	/* Postfix: the message was refused with its content (cleanup's
	 * header or body checks, a milter) before it entered the queue:
	 * not received; told so that a merge drops it from the due list */
	bool refused;
};

struct mxt_pass_config {
	int year;                 /* --year, 0 = infer */
	const char *syslog_name;  /* --syslog-name, NULL = any NAME/SERVICE */
	/* --mta: a bit (1u << enum mxt_mta) per MTA whose lines are read;
	 * 0 = all, recognised line by line. */
	unsigned mtas;
	size_t track_cap;         /* messages in flight, 0 = default */
	/* Fills cause and provider of each event when not NULL. */
	struct mxt_classifier *classifier;
	/* With classifier NULL: the consumer classifies the events itself
	 * with mxt_event_classify (`events --jobs`: on the thread that
	 * writes them), and the pass hands each failure with the warning it
	 * would be linked to if its cause wants one (ev->warning), which
	 * mxt_event_classify keeps or drops. The consumer also finishes each
	 * event first (mxt_event_finish: its id, domains and unread
	 * fields), which the event pipe does on its thread. */
	bool classify_later;
	/* mxt_pass_read decompresses a compressed file on a thread of its
	 * own (mxt_reader_set_ahead): for a caller with a core to spare. */
	bool read_ahead;
	/* Every event's event_id is left 0, not hashed from its input, host
	 * and line: for a caller that never reads it (the report). */
	bool no_event_ids;
	/* Receives each event, with event_arg. Required. */
	void (*on_event)(void *event_arg, const struct mxt_event *ev);
	void *event_arg;
	/* Told when a message leaves the MTA's queue (Postfix "removed",
	 * Exim "Completed"): state kept per message can go. Optional. */
	void (*on_message_end)(void *event_arg, struct mxt_str host,
	    struct mxt_str queue_id);
	/* Told when a message's first line is read (Postfix cleanup
	 * "message-id=", smtpd "client=", pickup "uid="; Exim "<="): an id
	 * that comes back names a new message. Optional. */
	void (*on_message_start)(void *event_arg, struct mxt_str host,
	    struct mxt_str queue_id);
	/* Told of what a message's size is logged with (struct
	 * mxt_received): Postfix's qmgr "from=<s>, size=N" the first time
	 * the message enters the active queue, Exim's "<= ... S=N".
	 * Optional. */
	void (*on_received)(void *event_arg, const struct mxt_received *r);
	/* The host of lines that name none (Exim's own main and reject
	 * logs, RFC 5424 "-"): events get it as host, and messages are
	 * tracked under it. NULL = none (host stays empty). */
	const char *default_host;
	/* Receives each unparsed line with a short reason. Optional. */
	void (*on_unparsed)(void *unparsed_arg, const char *source,
	    long line_no, const char *reason, const char *line, size_t len);
	void *unparsed_arg;
	/* When not NULL, mxt_pass_read stops before the next line once *stop
	 * is non-zero (set from a signal handler, or by a consumer whose
	 * output failed) and returns 0: the caller knows why it stopped. */
	volatile sig_atomic_t *stop;
	/* Told when time runs backwards (see "inputs" below), at most once
	 * per input and kind. Optional. */
	void (*on_time_jump)(void *time_jump_arg,
	    const struct mxt_time_jump *j);
	void *time_jump_arg;
	/* Called before a read(2) of an input that may block (a pipe): see
	 * mxt_reader_set_wait. Optional. */
	int (*on_wait)(void *wait_arg, int fd);
	void *wait_arg;
	/* Receives each record of the local MTA's own trouble (struct
	 * mxt_local, ourside.c), with local_arg. Optional. */
	void (*on_local)(void *local_arg, const struct mxt_local *l);
	void *local_arg;
};

struct mxt_pass;

struct mxt_pass *mxt_pass_create(const struct mxt_pass_config *cfg);
void mxt_pass_destroy(struct mxt_pass *p); /* accepts NULL */

/*
 * Reads one whole input through the pass. Returns 0 when it was read to
 * its end (or stopped by cfg->stop), -1 when it could not be opened or
 * read completely (err names the input and the position; what was read
 * before still counts).
 */
int mxt_pass_read(struct mxt_pass *p, const char *path, struct mxt_error *err);
/*
 * The same for a reader the caller opened (mxt_reader_open_fd, a
 * journal): reads r up to its end, an error or cfg->stop, and leaves r
 * open, so a follower can call it again when the file has grown: a
 * reader that returned lines before goes on in its input span. Returns 0 or -1 as mxt_pass_read.
 */
int mxt_pass_read_reader(struct mxt_pass *p, struct mxt_reader *r,
    struct mxt_error *err);

/*
 * Feeds one line (no terminator) from `source` at `line_no`, with the
 * reference time used for year inference. For tests and embedding.
 */
void mxt_pass_line(struct mxt_pass *p, const char *source, long line_no,
    time_t reference, const char *line, size_t len);

/*
 * No input is read after the current (or next) one: a dialect may then
 * forget what only a later input could need (Exim's rejection twins of
 * a main log and a reject log read one after the other). Not for a run
 * whose state is saved (--state) or that follows its inputs.
 */
void mxt_pass_final_input(struct mxt_pass *p);

/* Ends the input: emits what remains pending (nothing yet). */
void mxt_pass_finish(struct mxt_pass *p);

const struct mxt_stats *mxt_pass_stats(const struct mxt_pass *p);

/* ---- output of events --------------------------------------------------- */

enum mxt_event_format { MXT_EVFMT_JSONL, MXT_EVFMT_CSV, MXT_EVFMT_COUNT };

struct mxt_event_writer;

/* Writes events to fp in the given format; csv_raw keeps formulas as they
 * are. Returns NULL on allocation failure only. */
struct mxt_event_writer *mxt_event_writer_create(FILE *fp,
    enum mxt_event_format fmt, bool csv_raw);
/* Adds one event (a whole line). Events are collected in the writer and
 * written in blocks of 64 KiB (a block may end inside a line): call
 * mxt_event_writer_flush for the rest, before fp is closed and whenever
 * what was added must be out. Returns 0, or -1 when writing failed
 * (errno set). */
int mxt_event_writer_write(struct mxt_event_writer *w, const struct mxt_event *ev);
/* With why set, every event also names the rule that decided its cause
 * (`events --why`): JSON members "rule" and "rule_origin" ("FILE:LINE")
 * after the schema's fields, CSV columns of the same names at the end,
 * null/empty when no rule decided. Off by default: the schema
 * mxtriage.event/1 is then unchanged. Call before the first write. */
void mxt_event_writer_set_why(struct mxt_event_writer *w, bool why);
/* Hands all the events collected to fp: after what fp holds (fflush),
 * they are written to its descriptor, not through its buffer (by fwrite
 * when fp has no descriptor). Returns 0, or -1 (errno set). */
int mxt_event_writer_flush(struct mxt_event_writer *w);
/* Frees w without writing what it still holds. Accepts NULL. */
void mxt_event_writer_destroy(struct mxt_event_writer *w);
int mxt_event_format_lookup(const char *name);

/*
 * Events written on a thread of their own (`events --jobs`): push copies
 * the event whole (its strings and earlier replies, which the pass reuses
 * for the next line) and a worker thread calls fn with the copies, in
 * the order pushed (fn may change the copy: mxt_event_classify it).
 * fn returns nonzero when it failed (writing): later
 * events are still handed to it, and mxt_event_pipe_failed says so.
 * create returns NULL when no thread could be started (call fn
 * directly then). sync returns once fn has had every event pushed so
 * far: fn's state (the writer) may then be used by the caller until the
 * next push. destroy syncs, stops the thread and frees; accepts NULL.
 * An unfinished event (classify_later) is finished there first
 * (mxt_event_finish). Memory is fixed: four batches of 1 MiB holding at
 * most 8192 records each (a batch grows only for one event larger than
 * that).
 */
struct mxt_event_pipe;
typedef int mxt_event_pipe_fn(void *arg, struct mxt_event *ev);
struct mxt_event_pipe *mxt_event_pipe_create(mxt_event_pipe_fn *fn,
    void *arg);
void mxt_event_pipe_push(struct mxt_event_pipe *p,
    const struct mxt_event *ev);
/*
 * The same for the report on one stream: what cfg's callbacks are told
 * (on_event, on_message_start, on_message_end, on_received, on_local)
 * goes through a pipe to a thread of its own, and reaches them there in
 * the order the pass told it, copied; cfg's events are classified there
 * too (cfg->classifier moves to the pipe, and classify_later is set).
 * cfg is changed to push; make the pass with it after this call. The
 * callbacks' state (the summary) is the caller's again after sync or
 * destroy. NULL (cfg unchanged) when no thread could be started.
 */
struct mxt_event_pipe *mxt_event_pipe_wire(struct mxt_pass_config *cfg);
void mxt_event_pipe_sync(struct mxt_event_pipe *p);
bool mxt_event_pipe_failed(struct mxt_event_pipe *p);
void mxt_event_pipe_destroy(struct mxt_event_pipe *p);

/* ---- text helpers shared with the CLI ----------------------------------- */

/* Copies src into dst (size >= 1) replacing each invalid UTF-8 sequence by
 * U+FFFD; returns the length written (output is cut at size - 1). */
size_t mxt_utf8_sanitize(const char *src, size_t len, char *dst, size_t size);

/*
 * The one escaping of text from a log (or any untrusted file) before it is
 * shown on a terminal: the table report, --show-unparsed, rules and the
 * messages of rules --check. The result is valid UTF-8 that can neither
 * drive the terminal nor reorder the line: each byte of invalid UTF-8,
 * each C0 control and DEL becomes \xNN; C1 controls (U+0080..U+009F),
 * bidi controls (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069)
 * and U+2028/U+2029 become \uNNNN. With MXT_ESCAPE_BACKSLASH a backslash
 * becomes \\, so that the original bytes can be recovered exactly (for
 * --show-unparsed; a report keeps "\" readable in texts and patterns).
 * src may hold NUL bytes. Returns a malloc'd, NUL-terminated string the
 * caller frees; never NULL.
 */
#define MXT_ESCAPE_BACKSLASH 1u
char *mxt_escape_terminal(const char *src, size_t len, unsigned flags);

/* ---- summary: events -> groups, causes, retry outcomes ----------------- */

/* Grouping keys of --by. */
enum mxt_key {
	MXT_KEY_DOMAIN,
	MXT_KEY_CAUSE,
	MXT_KEY_CODE,
	MXT_KEY_RELAY,
	MXT_KEY_SENDER,
	MXT_KEY_SENDER_DOMAIN,
	MXT_KEY_HOST,
	MXT_KEY_MTA,
	MXT_KEY_DIRECTION,
	MXT_KEY_PROVIDER,
	MXT_KEY_HOUR,
	MXT_KEY_DAY,
	MXT_KEY_COUNT
};
#define MXT_MAX_KEYS 4
const char *mxt_key_name(enum mxt_key k);
int mxt_key_lookup(const char *name); /* -1 when unknown */
/*
 * Parses a --by list ("domain,cause"; empty items are skipped) into out.
 * Returns the number of keys, or -1 with err->text and err->column
 * (1-based position in list) for an unknown key, more than MXT_MAX_KEYS
 * keys, or none.
 */
int mxt_key_list_parse(const char *list, enum mxt_key out[MXT_MAX_KEYS],
    struct mxt_error *err);

/* Which events count. Times are seconds since the epoch, [since, until). */
struct mxt_filter {
	bool has_since, has_until;
	int64_t since, until;
	const char *domain_glob;   /* fnmatch(3), case-insensitive; NULL = any */
	int codes[32];             /* exact codes, or 4 / 5 for a class "4xx" */
	size_t ncodes;
	bool causes[MXT_CAUSE_COUNT];
	bool any_cause;            /* causes[] is ignored when true */
	bool statuses[MXT_STATUS_COUNT];
	bool any_status;
	int direction;             /* enum mxt_direction, or -1 = both */
	/* --provider: the recipient's provider is one of these names
	 * ("none" = no provider known); borrowed */
	const char *providers[16];
	size_t nproviders;
	/* --relay: fnmatch(3), case-insensitive, on the relay's name or
	 * address; NULL = any */
	const char *relay_glob;
};
void mxt_filter_init(struct mxt_filter *f); /* everything passes */
bool mxt_filter_in_window(const struct mxt_filter *f, const struct mxt_time *t);
/* whether ev passes f, judged by the reply that matters (mxt_event_matters) */
bool mxt_filter_match(const struct mxt_filter *f, const struct mxt_event *ev);

struct mxt_summary_config {
	enum mxt_key by[MXT_MAX_KEYS];
	size_t nby;
	struct mxt_filter filter;
};

struct mxt_summary;

struct mxt_summary *mxt_summary_create(const struct mxt_summary_config *cfg);
void mxt_summary_destroy(struct mxt_summary *s); /* accepts NULL */
/* Counts one event (events outside the filter still feed retry tracking). */
void mxt_summary_add(struct mxt_summary *s, const struct mxt_event *ev);
/* Ends the input: the pass statistics go into the header; pending retries
 * are aged against the last time seen. */
void mxt_summary_finish(struct mxt_summary *s, const struct mxt_stats *st);
/* The message (host, queue id) left the queue: what the summary kept for
 * it can go (wire it to mxt_pass_config.on_message_end). */
void mxt_summary_message_end(struct mxt_summary *s, struct mxt_str host,
    struct mxt_str queue_id);
/* A message's size line (mxt_pass_config.on_received): counted once per
 * message in the header's "received" (inside the window; the other
 * filters do not apply). */
void mxt_summary_received(struct mxt_summary *s, const struct mxt_received *r);
/* The message (host, queue id) starts (mxt_pass_config.on_message_start). */
void mxt_summary_message_start(struct mxt_summary *s, struct mxt_str host,
    struct mxt_str queue_id);
/* Counts one record of the local MTA's own trouble (the "Our side"
 * section; wire it to mxt_pass_config.on_local). */
void mxt_summary_add_local(struct mxt_summary *s, const struct mxt_local *l);
/* Points cfg's on_event, on_message_start, on_message_end, on_received and on_local
 * (and event_arg, local_arg) at s: the pass then feeds the summary. */
struct mxt_pass_config;
void mxt_summary_attach(struct mxt_summary *s, struct mxt_pass_config *cfg);
/* Records an input and the span of its lines, for the header. */
void mxt_summary_add_input(struct mxt_summary *s, const char *name,
    const struct mxt_time *first, const struct mxt_time *last,
    uint64_t lines);

/*
 * Merging: a summary written as JSON (schema mxtriage.summary/2) is read
 * back with mxt_summary_load and added to another with mxt_summary_merge.
 * src must cover a later or the same stretch of time as dst (or other
 * hosts): the messages still open at the end of dst are joined with those
 * src met in progress. c classifies the expiries a join expands (built-in
 * rules when NULL). src is left unchanged. Returns 0, or -1 with err set
 * (err may be NULL) when the two cannot be merged (other --by keys).
 */
struct mxt_classifier;
struct mxt_summary *mxt_summary_load(const char *path, struct mxt_error *err);
int mxt_summary_merge(struct mxt_summary *dst, const struct mxt_summary *src,
    struct mxt_classifier *c, struct mxt_error *err);
/* What the summary's caps refused (see summary.h): events not grouped,
 * deferred recipients not followed, events of messages not kept, cause
 * domains not counted; all 0 on an ordinary log. */
#define MXT_SUMMARY_GROUPS_MAX 50000
#define MXT_SUMMARY_RETRIES_MAX 500000
#define MXT_SUMMARY_FLIGHTS_MAX 500000
#define MXT_SUMMARY_DOMAINS_MAX 100000
#define MXT_SUMMARY_RECEIVED_MAX 200000
struct mxt_summary_overflow {
	uint64_t groups, retries, messages, domains;
	uint64_t received; /* messages met or due past their lists' cap */
};
void mxt_summary_overflow(const struct mxt_summary *s,
    struct mxt_summary_overflow *out);
/* The parts of the window no input covers (from mxt_coverage_gaps), for
 * the header; a merge works them out again from the inputs' spans. */
struct mxt_gap;
void mxt_summary_set_coverage(struct mxt_summary *s,
    const struct mxt_gap *gaps, size_t n);
/* The first time of the summary's span (0 when none), for ordering. */
int64_t mxt_summary_first_time(const struct mxt_summary *s);

enum mxt_report_format {
	MXT_REPORT_TABLE,
	MXT_REPORT_JSON,
	MXT_REPORT_CSV,
	MXT_REPORT_PROMETHEUS, /* text exposition format (node_exporter) */
	MXT_REPORT_HTML,       /* one self-contained page */
	MXT_REPORT_COUNT
};
int mxt_report_format_lookup(const char *name);

/* The tables of -f csv (one per file), each a list of the JSON report
 * named by its path there (report_csv.c, mxtriage(1)). */
enum mxt_csv_table {
	MXT_CSV_GROUPS,          /* the failure groups (the default) */
	MXT_CSV_RATES_TOTAL,
	MXT_CSV_RATES_PROVIDERS,
	MXT_CSV_RATES_DOMAINS,
	MXT_CSV_TIMELINE,
	MXT_CSV_COMPLAINTS,
	MXT_CSV_SASL_FAILURES,
	MXT_CSV_RATE_LIMITED,
	MXT_CSV_ANVIL,
	MXT_CSV_TABLE_COUNT
};
/* name ("rates.domains") -> table; -1 when there is none of that name. */
int mxt_report_csv_table_lookup(const char *name);
/* table -> name; NULL for bad values. */
const char *mxt_report_csv_table_name(enum mxt_csv_table t);

struct mxt_prom_carry;
struct mxt_report_options {
	enum mxt_report_format format;
	size_t top;          /* rows per section; 0 = all */
	int width;           /* table width in columns */
	bool color;          /* table: ANSI colour */
	bool utf8;           /* table: may print "…" */
	bool csv_raw;        /* csv: do not neutralise formulas */
	enum mxt_csv_table csv_table; /* csv: which table (0: groups) */
	bool show_ids;       /* table: each row's trace command */
	const char *const *inputs; /* names of the inputs, for the header */
	size_t ninputs;
	/* prometheus with --state: the domain series the state keeps
	 * (mxt_state_prom_carry); NULL = the --top N domains of s */
	const struct mxt_prom_carry *prom_carry;
};

/* Writes the report; returns 0, or -1 when writing failed (errno set). */
int mxt_report_write(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp);

/* ---- trace: from a selection to the messages and their raw lines ---- */

/*
 * What `mxtriage trace` looks for. A message is selected when one of its
 * events passes every event criterion given (filter and the fields
 * below), its queue id is queue_id (when given), and one of its lines
 * carries message_id (when given). Globs are fnmatch(3) patterns,
 * matched without regard to case; NULL means any.
 */
struct mxt_trace_select {
	struct mxt_filter filter; /* window, domain, provider, relay, codes,
	                           * causes, statuses, direction: the
	                           * report's own filter */
	bool no_code;             /* only events without a reply code */
	const char *queue_id;     /* Postfix queue id / Exim message id */
	const char *message_id;   /* Message-ID, without <> */
	const char *recipient, *sender; /* globs */
	const char *log_host;     /* the logging host, exactly */
	const char *when;         /* a prefix of the event's ISO 8601 time:
	                           * "2026-11-23T13" (an hour), "2026-11-23" */
};

/* True when ev passes every event criterion of sel. */
bool mxt_trace_select_event(const struct mxt_trace_select *sel,
    const struct mxt_event *ev);

/* One input of a trace: read twice from path, shown as name. */
struct mxt_trace_input {
	const char *path;
	const char *name;
};

#define MXT_TRACE_SCHEMA "mxtriage.trace/1"
/* Messages a trace follows at most (the rest are counted). */
#define MXT_TRACE_MESSAGES_MAX 100000

struct mxt_trace_config {
	/* year, syslog_name, mtas, default_host, classifier and stop are
	 * used; the callbacks are the trace's own */
	struct mxt_pass_config pass;
	struct mxt_trace_select sel;
	size_t max_messages;      /* 0 = MXT_TRACE_MESSAGES_MAX */
	bool json;                /* one JSON document (MXT_TRACE_SCHEMA) */
	/* An input that could not be read (completely): source names it.
	 * The others are still traced. Optional. */
	void (*on_error)(void *arg, const struct mxt_error *e);
	void *error_arg;
};

struct mxt_trace_result {
	uint64_t messages;          /* printed */
	uint64_t lines;             /* log lines printed */
	uint64_t selected;          /* (host, queue id) keys selected */
	uint64_t overflow_messages; /* selected past max_messages: not followed */
	uint64_t inputs_failed;
};

/*
 * Reads the inputs twice, in the order given (put them in time order
 * first: mxt_inputs_create), and writes each selected message with its
 * raw log lines in time order, as text ("# HOST ID (MTA): outcome", then
 * "source:line: raw line", escaped for a terminal) or JSON. Each input
 * must be readable twice (spool standard input to a file). Returns 0, or
 * -1 when writing to out failed; res gets the counts.
 */
int mxt_trace_run(const struct mxt_trace_config *cfg,
    const struct mxt_trace_input *inputs, size_t n, FILE *out,
    struct mxt_trace_result *res);

/* ---- --fail-on conditions --------------------------------------------- */

/*
 * The summary's numbers, one table (metrics.c): what --fail-on compares
 * and exporters write. A metric may take an argument: none, the status
 * its name is, or a cause id ("cause:blocklist").
 */
enum mxt_metric_unit { MXT_UNIT_COUNT, MXT_UNIT_PERCENT, MXT_UNIT_SECONDS };
enum mxt_metric_arg { MXT_ARG_NONE, MXT_ARG_STATUS, MXT_ARG_CAUSE };
enum mxt_metric_kind { MXT_METRIC_COUNTER, MXT_METRIC_GAUGE };
struct mxt_metric {
	const char *name;
	const char *help;
	enum mxt_metric_unit unit;
	enum mxt_metric_arg arg;
	double (*value)(const struct mxt_summary *s, int arg);
	/* How `-f prometheus` writes it: the name (rows with an argument
	 * share one, the argument becomes the label "status" or "cause"),
	 * its type and HELP text. A percentage is written as a ratio
	 * (base units). */
	const char *prom_name;
	enum mxt_metric_kind kind;
	const char *prom_help;
};
/* The whole table, in documentation order. */
const struct mxt_metric *mxt_metric_table(size_t *n);
/* "deferred", "bounce_rate", "cause:ID"...; NULL when unknown (or a cause
 * id that does not exist); *arg gets the argument. */
const struct mxt_metric *mxt_metric_lookup(const char *name, int *arg);
double mxt_metric_value(const struct mxt_metric *m,
    const struct mxt_summary *s, int arg);

struct mxt_failon;

/*
 * Parses "METRIC OP VALUE" (see mxtriage(1)): deferred>100,
 * bounce_rate>2%, cause:blocklist>0, pending_age>4h; or a per-group
 * "SCOPE:PART[,PART...]": provider:defer_rate>50%,attempts>=20,
 * domain=*.example.com:bounce_rate>5% (it holds when every part holds for
 * one provider or domain of the rates). NULL with err->text
 * and err->column (1-based position in expr) when it is not valid.
 */
struct mxt_failon *mxt_failon_parse(const char *expr, struct mxt_error *err);
void mxt_failon_destroy(struct mxt_failon *f);
/* True when the condition holds; why gets "deferred=120 > 100". */
bool mxt_failon_eval(const struct mxt_failon *f, const struct mxt_summary *s,
    char *why, size_t size);

/* ---- times on the command line ------------------------------------------ */

/*
 * Parses a --since/--until value: "2026-11-23" (the start of that local
 * day), "2026-11-23T10:30[:00]", "2026-11-23 10:30", the same with a
 * fraction and a zone as mxtriage prints them ("2026-11-23T10:30:00Z",
 * "+01:00", "+0100"), "10:30" (today), "today", "yesterday", "now", or a
 * duration back from now ("2h", "30m", "1d", "90s", "1w"). Dates are
 * checked against the calendar; times without a zone are local (TZ) and
 * must exist there. Nothing else is accepted. Returns 0 or -1 with
 * err->text; never overflows.
 */
int mxt_time_parse(const char *s, time_t now, int64_t *out,
    struct mxt_error *err);
/* --day today|yesterday: the local calendar day, [start, next start),
 * 23 or 25 hours long across DST changes. */
int mxt_day_range(const char *day, time_t now, int64_t *since,
    int64_t *until, struct mxt_error *err);

/* ---- inputs: their order, their time spans, the window's coverage ---- */

/*
 * The order inputs are read in (inputs.c). Each path is a file, "-" for
 * standard input, or a directory, which stands for the mail logs in it
 * (mail.log, maillog, mail, postfix.log, mainlog, rejectlog,
 * exim_mainlog, exim_rejectlog, each also rotated: NAME.N, NAME-DATE,
 * either with .gz; other files are skipped). Unless keep_order, the
 * inputs are sorted by the time of their first log line; standard input
 * and other inputs that are not regular files (pipes) cannot be looked
 * at before they are read and stay where they were given: the inputs
 * before one are sorted among themselves, as are those after it. See
 * mxtriage(1), "Inputs and their order", for the whole rule.
 */
struct mxt_input {
	const char *path;      /* for mxt_pass_read */
	bool fixed;            /* read where given: stdin, a pipe */
	struct mxt_time first; /* of its first log line; valid = false if none */
	unsigned rotation;     /* N of NAME.N[.gz]; 1 for NAME-DATE; else 0 */
	size_t given;          /* position in the order given */
};

struct mxt_inputs_config {
	int year;        /* --year, 0 = infer (as the pass does) */
	bool keep_order; /* --keep-order: the order given */
	/* Told about a path that is not read: failed = true for an input
	 * that cannot be read (an unreadable or empty directory), false for
	 * a file skipped with a reason (a log compressed in a format mxtriage
	 * does not read). Optional. */
	void (*on_problem)(void *problem_arg, const char *path,
	    const char *text, bool failed);
	void *problem_arg;
};

struct mxt_inputs;

/* The inputs of paths[0..n) in reading order. Never NULL. */
struct mxt_inputs *mxt_inputs_create(const char *const *paths, size_t n,
    const struct mxt_inputs_config *cfg);
void mxt_inputs_destroy(struct mxt_inputs *in); /* accepts NULL */
size_t mxt_inputs_count(const struct mxt_inputs *in);
/* The i-th input to read (i < count); valid while in lives. */
const struct mxt_input *mxt_inputs_get(const struct mxt_inputs *in, size_t i);
/* How many paths could not be expanded (on_problem with failed). */
size_t mxt_inputs_failed(const struct mxt_inputs *in);

/* Time may go back this far (seconds) without a warning: lines of several
 * processes reach syslog slightly out of order. */
#define MXT_TIME_SLACK 300

/*
 * What the pass records of each input it reads, in reading order: an
 * input starts with each mxt_pass_read, or with mxt_pass_line when its
 * source changes.
 */
struct mxt_input_span {
	const char *name;     /* as the reader names it: the path, "<stdin>" */
	uint64_t lines;       /* lines read */
	uint64_t recognised;  /* lines of an MTA (these give the times) */
	struct mxt_time first, last; /* earliest and latest; valid = false
	                              * when no line was recognised */
	long back_line;       /* first line whose time is more than
	                       * MXT_TIME_SLACK before the latest time of
	                       * the input so far; 0 = none */
	int64_t back_seconds; /* by how much, at back_line */
	bool starts_back;     /* its first time is more than MXT_TIME_SLACK
	                       * before the latest of the inputs read before */
};

/* Time running backwards, as on_time_jump hears of it. */
struct mxt_time_jump {
	const char *source;  /* the input */
	long line_no;
	bool between_inputs; /* the first line of source, earlier than the
	                      * inputs read before it; else a line earlier
	                      * than one before it in source */
	struct mxt_time time;   /* of the line */
	struct mxt_time latest; /* the latest time before it */
	const char *latest_source; /* the input that logged latest */
};

/* The spans of the inputs read so far; *n gets their number. Valid until
 * the next call on p. */
const struct mxt_input_span *mxt_pass_inputs(const struct mxt_pass *p,
    size_t *n);
/* A copy of v[0..n) and their names in one malloc'd block: free() it. */
struct mxt_input_span *mxt_input_spans_copy(const struct mxt_input_span *v,
    size_t n);

/* Inputs further apart than this (seconds) leave a gap in the coverage. */
#define MXT_COVERAGE_GRACE 3600

enum mxt_gap_kind {
	MXT_GAP_BEFORE,  /* the window starts before the inputs */
	MXT_GAP_BETWEEN, /* between two inputs, longer than the grace */
	MXT_GAP_AFTER,   /* the inputs end before the window, by more than
	                  * the grace */
	MXT_GAP_NONE,    /* no input has a recognised line */
	MXT_GAP_COUNT
};
const char *mxt_gap_kind_name(enum mxt_gap_kind k); /* "before", ... */

/* A part of the window with no log data: [start, end), seconds. */
struct mxt_gap {
	int64_t start, end;
	/* the whole hole, before it was cut to the window: where the data
	 * stops and starts again (INT64_MIN before the first input,
	 * INT64_MAX after the last) */
	int64_t hole_start, hole_end;
	enum mxt_gap_kind kind;
	const char *before; /* the input that ends at start; NULL if none */
	const char *after;  /* the input that begins at end; NULL if none */
};

/*
 * The parts of the window of f (its since/until; an open or future end is
 * now) that the spans do not cover. The spans cover from the earliest to
 * the latest time of their inputs, joined where they are at most
 * MXT_COVERAGE_GRACE apart. Reported: the part of the window before the
 * earliest time (any length: a log starts where rotation cut it, the
 * lines before are in an older file), gaps between inputs longer than
 * the grace, and the part after the latest time when longer than the
 * grace (a quiet server also stops logging). Nothing when f has no
 * window. Writes at most max gaps, in time order, into out; returns how
 * many there are (at most n + 1). Names are borrowed from spans.
 */
size_t mxt_coverage_gaps(const struct mxt_input_span *spans, size_t n,
    const struct mxt_filter *f, int64_t now, struct mxt_gap *out,
    size_t max);

/* ---- live and incremental reading (follow.c, state.c) ------------------ */

/*
 * Where the reading of a plain log file stopped, for --state: the file
 * (device and inode: it may have been renamed by rotation since), the
 * byte offset after the last whole line read, the lines before it, and
 * the length and checksum of that last line (checked before reading on:
 * a file rewritten in place is not continued in the middle).
 */
struct mxt_position {
	const char *path;   /* the file as named on the command line */
	uint64_t dev, ino;
	long long offset;
	long line_no;
	long long last_len; /* the last line's bytes, newline included */
	uint64_t last_sum;  /* their FNV-1a, 64 bits */
};

/* One plain log file read live: tail -F's rules. */
struct mxt_tail;

struct mxt_tail_config {
	/* A path that does not exist is waited for (--follow); else it is
	 * an error, unless the rotated file a position names is found. */
	bool wait;
	/* Told, with the path as given, when the file was rotated or
	 * truncated, or when what a position names cannot be continued
	 * (lost = true when lines may have been missed). Optional. */
	void (*on_notice)(void *notice_arg, const char *path,
	    const char *text, bool lost);
	void *notice_arg;
};

/*
 * Opens path for live reading, from its start, or from where `from` (may
 * be NULL) says an earlier run stopped: when path is still that file
 * (same inode, long enough, the same last line) reading goes on at the
 * offset; when it is another file (rotation), the old one is looked for
 * by inode in path's directory and its rest is read first; when neither
 * can be continued, path is read from its start and on_notice says why.
 * A file that does not exist (yet) is waited for with cfg->wait, else it
 * is an error. Returns NULL with err
 * set when path cannot be read (or is not a plain file: compressed, a
 * directory, a pipe).
 */
struct mxt_tail *mxt_tail_open(const char *path, const struct mxt_position *from,
    const struct mxt_tail_config *cfg, struct mxt_error *err);
void mxt_tail_close(struct mxt_tail *t); /* accepts NULL */
/*
 * Reads every whole line the file has now into the pass (a partial last
 * line waits for its newline), stopping early when the pass's stop flag
 * is set. With follow, a file renamed away (rotation) or replaced is read
 * to its end and the new file at path is read from its start, and a file
 * that became shorter than what was read (copytruncate) is read again
 * from its start. Returns the number of lines read, or -1 with err set
 * on a read error (the lines before it count).
 */
long mxt_tail_read(struct mxt_pass *p, struct mxt_tail *t, bool follow,
    struct mxt_error *err);
/* Where reading stands now (path borrowed from t). Returns 0, or -1 when
 * the checksum of the last line cannot be read. */
int mxt_tail_position(const struct mxt_tail *t, struct mxt_position *out);

/*
 * The --state file: one JSON document, {"schema": "mxtriage.state/2",
 * "inputs": [positions], "messages": [the pass's messages in flight],
 * "dialects": what each MTA's dialect keeps for the next run (Exim: the
 * rejections whose other copy was not read yet), "totals": the summary
 * of all summary runs so far, "prometheus": the domain series given}. mxt_state_load reads it (a file that does not
 * exist is an empty state: the first run; a mxtriage.state/1 file has
 * no totals: they start empty); a file that is not JSON, not a state, of
 * another version, or incomplete is an error (NULL, err names the file,
 * where and what), never ignored.
 */
struct mxt_state;
struct mxt_state *mxt_state_load(const char *path, struct mxt_error *err);
void mxt_state_destroy(struct mxt_state *s); /* accepts NULL */
/* The saved position of path, or NULL (not read before). */
const struct mxt_position *mxt_state_position(const struct mxt_state *s,
    const char *path);
/* Puts the saved messages in flight into p's tracker (before its first
 * line). Returns 0, or -1 with err set when they are not valid. */
int mxt_state_restore(const struct mxt_state *s, struct mxt_pass *p,
    struct mxt_error *err);
/*
 * Merges run (this run's summary, finished) into the totals of st, and
 * gives the --top N domains of the totals (all when top is 0) a
 * prometheus series for good. c classifies what the merge expands
 * (built-in rules when NULL). Call once per run. Returns 0, or -1 with
 * err set (the saved totals are damaged, or were grouped by other --by
 * keys); st is then unchanged for mxt_state_save.
 */
int mxt_state_add_totals(struct mxt_state *st,
    const struct mxt_summary *run, size_t top, struct mxt_classifier *c,
    struct mxt_error *err);
/* The totals after mxt_state_add_totals (the report -f prometheus
 * writes), else NULL. Borrowed from st. */
const struct mxt_summary *mxt_state_totals(const struct mxt_state *st);
/* The domain series for mxt_report_options.prom_carry. Borrowed. */
const struct mxt_prom_carry *mxt_state_prom_carry(const struct mxt_state *st);
/*
 * Writes the state of p, the totals of st (NULL: none) and the
 * positions pos[0..n) to path, atomically: a temporary file beside it,
 * flushed to disk, renamed over it. Returns 0, or -1 with err set (the
 * old state is then left as it was).
 */
int mxt_state_save(const char *path, const struct mxt_pass *p,
    const struct mxt_state *st, const struct mxt_position *pos, size_t n,
    struct mxt_error *err);

/* ---- classification (causes.c, rules.c, classify.c, explain.c) -------- */
/* (filled in by the classification work; keep this marker) */

/*
 * Causes. Each cause carries a stable id (the SPEC's), a title, whether
 * it is temporary, permanent or either, a one-paragraph explanation and
 * next steps, separately for "we are the sender" (out) and "we rejected
 * a client" (in). All strings are static; nothing is ever freed.
 */
enum mxt_cause_kind {
	MXT_KIND_TEMPORARY,
	MXT_KIND_PERMANENT,
	MXT_KIND_EITHER,
	MXT_KIND_COUNT
};

const char *mxt_cause_kind_name(enum mxt_cause_kind k); /* "temporary"... */
/*
 * Whose side a cause is usually on, for "is it us or them?": them (the
 * receiver's state or choice: greylisting, a full mailbox), us (our
 * setup or reputation: SPF/DKIM, our address on a blocklist, our PTR),
 * either (it depends on the reply). One column of the cause table.
 */
enum mxt_cause_side {
	MXT_SIDE_THEM,
	MXT_SIDE_US,
	MXT_SIDE_EITHER,
	MXT_SIDE_COUNT
};
const char *mxt_cause_side_name(enum mxt_cause_side s); /* "them"... */
enum mxt_cause_side mxt_cause_side(enum mxt_cause c);
/* The id ("greylisting", ...); NULL for MXT_CAUSE_NONE and bad values. */
const char *mxt_cause_id(enum mxt_cause c);
/* id -> cause; "none" gives MXT_CAUSE_NONE; -1 when unknown. */
int mxt_cause_lookup(const char *id);
const char *mxt_cause_title(enum mxt_cause c);
enum mxt_cause_kind mxt_cause_kind(enum mxt_cause c);
const char *mxt_cause_explanation(enum mxt_cause c);
/* Next steps, most useful first, as a NULL-terminated array (never NULL;
 * empty for MXT_CAUSE_NONE). */
const char *const *mxt_cause_steps(enum mxt_cause c, enum mxt_direction dir);
/* True for causes that repeat an earlier failure (suspended): reports
 * show them apart and never count them as fresh failures. */
bool mxt_cause_is_repeat(enum mxt_cause c);

/*
 * The classifier: an ordered rule table (the user's rules from a JSON
 * file first, then the built-in ones; first match wins), a cache of
 * results keyed by (direction, code, dsn, text), and the provider table
 * (user entries first). Not thread-safe: one per thread.
 */
struct mxt_classifier;

/*
 * Builds a classifier with the built-in rules and providers, plus those
 * of the JSON file rules_path when it is not NULL. Returns NULL and fills
 * err (file, line, column, text of the first error) when the file cannot
 * be read or is invalid; mxt_rules_check() lists every error.
 */
struct mxt_classifier *mxt_classifier_create(const char *rules_path,
    struct mxt_error *err);
void mxt_classifier_destroy(struct mxt_classifier *c); /* accepts NULL */

/*
 * The cause of ev: MXT_CAUSE_NONE for delivered events, MXT_CAUSE_EXPIRED
 * for expired ones, else the cause of the first rule that matches ev's
 * direction, code, dsn and text, MXT_CAUSE_OTHER when none does.
 */
enum mxt_cause mxt_classify(struct mxt_classifier *c,
    const struct mxt_event *ev);
/* Same, and *rule gets the name of the rule that decided ("" when none;
 * valid while c lives). */
enum mxt_cause mxt_classify_rule(struct mxt_classifier *c,
    const struct mxt_event *ev, const char **rule);
/* Same, and *index gets the index of the rule that decided (for
 * mxt_classifier_rule: name, origin, line), or SIZE_MAX when none did. */
enum mxt_cause mxt_classify_index(struct mxt_classifier *c,
    const struct mxt_event *ev, size_t *index);

/*
 * The text rules match on: text lower-cased, with e-mail addresses
 * (and <bare-local-parts>) replaced by "%a", host and domain names by
 * "%d", IPv4 and IPv6 addresses (and times of day) by "%i", URLs by
 * "%u", ISO 8601 dates and times by "%t", numbers of four or more digits
 * and long letter-digit ids by "%n". So a mailbox called
 * dmarc@ or a host called spam.example decides nothing, and the texts of
 * one deferral for many recipients are one cache entry. Writes at most
 * size - 1 bytes and a NUL into out; returns the length written.
 */
size_t mxt_classify_normalise(const char *text, size_t len, char *out,
    size_t size);

/*
 * The provider ("google", "microsoft", ...) that hosts the recipient
 * domain, judged first by the relay (MX host name: a custom domain with
 * Google's MX is google), then by the domain itself. NULL when unknown.
 * The string lives as long as c.
 */
const char *mxt_provider_of(struct mxt_classifier *c, struct mxt_str domain,
    struct mxt_str relay);
/*
 * The provider roll-up of ev (man page, "Providers"): *provider the
 * recipient's mailbox provider (from the relay when it is a provider's
 * inbound MX, else from the recipient domain; NULL for inbound events),
 * *via a submission or smarthost service the relay belongs to (NULL when
 * none). Strings live as long as c.
 */
void mxt_provider_roll(struct mxt_classifier *c, const struct mxt_event *ev,
    const char **provider, const char **via);
/* What the pass does with its classifier (mxt_pass_config): ev's cause
 * and rule (of the reply that matters, mxt_event_matters), provider and
 * via; ev->warning is kept only when the cause wants one
 * (mxt_pass_config.classify_later). */
void mxt_event_classify(struct mxt_classifier *c, struct mxt_event *ev);

/*
 * Warnings of the classifier reach the caller through on_warning (NULL =
 * none): today one kind, a rule whose pattern gave up on a reply text
 * (it hit the match, depth or heap limit that bounds every match). That
 * text counts as not matching the rule, the next rules are tried, and
 * the hit is counted (mxt_classify_stats.limit_hits, and per rule in
 * mxt_rule_info.limit_hits); on_warning is called the first time for
 * each rule only. e->source, line and column are the rule's place in its
 * rules file ("builtin", 0, 0 for built-in rules); e->text names the rule
 * and the log line of the text.
 */
void mxt_classifier_set_warning(struct mxt_classifier *c,
    void (*on_warning)(void *arg, const struct mxt_error *e), void *arg);

/* Cache counters, for tests and --verbose output. */
struct mxt_classify_stats {
	uint64_t lookups;
	uint64_t hits;
	uint64_t entries; /* now in the cache, at most MXT_CLASSIFY_CACHE */
	uint64_t key_bytes; /* of the keys the cache and its raw memo hold
	                     * (at most 4 MiB each) */
	uint64_t limit_hits; /* patterns that gave up on a text (see above) */
};
#define MXT_CLASSIFY_CACHE 8192
void mxt_classifier_stats(const struct mxt_classifier *c,
    struct mxt_classify_stats *out);

/* One rule as `mxtriage rules` shows it. Strings are borrowed from c;
 * NULL fields are conditions the rule does not have. */
struct mxt_rule_info {
	const char *name;
	enum mxt_cause cause;
	const char *origin;   /* "builtin" or the rules file */
	long line, column;    /* in the rules file; 0 for built-in rules */
	int direction;        /* enum mxt_direction, or -1 = either */
	const char *code;     /* "550", "5xx", "45x", "none" */
	const char *dsn;      /* "5.7.1", "5.7.*", "*.7.26" */
	const char *const *contains; /* NULL-terminated, lower case */
	const char *pattern;  /* pcre2, caseless */
	uint64_t limit_hits;  /* texts the pattern gave up on, so far */
};
size_t mxt_classifier_rule_count(const struct mxt_classifier *c);
/* Fills out for rule i (0-based, in matching order); false past the end. */
bool mxt_classifier_rule(const struct mxt_classifier *c, size_t i,
    struct mxt_rule_info *out);

struct mxt_provider_info {
	const char *name;
	const char *match;  /* "google.com" (and subdomains), "hotmail.*" */
	const char *origin; /* "builtin" or the rules file */
};
size_t mxt_classifier_provider_count(const struct mxt_classifier *c);
bool mxt_classifier_provider(const struct mxt_classifier *c, size_t i,
    struct mxt_provider_info *out);

/*
 * Validates the rules file at path and reports every error found through
 * on_error (source, line, column, text), in file order. Returns the
 * number of errors (0 = valid).
 */
int mxt_rules_check(const char *path,
    void (*on_error)(void *arg, const struct mxt_error *e), void *arg);

/* The active rule and provider tables of c, in matching order, as an
 * aligned text table or a JSON document ({"schema": "mxtriage.rules/1",
 * "rules": [...], "providers": [...]}). malloc'd; the caller frees. */
char *mxt_rules_format(const struct mxt_classifier *c, bool json);

/*
 * explain: the meaning of reply codes (RFC 5321 and extensions) and of
 * enhanced status codes (RFC 3463 classes, subjects and details plus the
 * IANA registry's additions).
 */
struct mxt_reply_code_info {
	int code;
	const char *meaning;
	const char *reference; /* "RFC 5321", ... */
};
struct mxt_dsn_info {
	const char *code;    /* "X.7.26": class left as X */
	const char *title;
	const char *meaning;
	const char *reference;
};
/* NULL when the code is not registered. */
const struct mxt_reply_code_info *mxt_explain_reply(int code);
/* The subject-and-detail entry of "4.7.1" / "X.7.1" (NULL when unknown). */
const struct mxt_dsn_info *mxt_explain_dsn(const char *dsn);
/* Class ('2', '4', '5') and subject (0..7) texts; NULL when invalid. */
const char *mxt_explain_dsn_class(char cls);
const char *mxt_explain_dsn_subject(int subject);
/* The causes a reply code and/or enhanced code (either may be 0 / NULL)
 * usually point to: writes at most n into out, returns how many. */
size_t mxt_explain_likely_causes(int code, const char *dsn,
    enum mxt_cause *out, size_t n);
/*
 * One row of the code -> causes table that explain shows and the
 * classifier's fallback rules are built from (one table, so the two
 * cannot disagree). code is "X.7.1", "X.7" (a whole subject) or "421";
 * when fallback is set, causes[0] is the cause of a reply whose words no
 * rule recognises. line is the row's line in lib/explain.c.
 */
struct mxt_code_causes {
	int line;
	const char *code;
	bool fallback;
	enum mxt_cause causes[4]; /* ends at the first MXT_CAUSE_NONE */
};
/* The row for an enhanced code (its detail, else its subject) or a reply
 * code; NULL when there is none. */
const struct mxt_code_causes *mxt_explain_dsn_row(const char *dsn);
const struct mxt_code_causes *mxt_explain_reply_row(int code);

enum mxt_explain_kind {
	MXT_EXPLAIN_REPLY, /* "451" */
	MXT_EXPLAIN_DSN,   /* "4.7.1" */
	MXT_EXPLAIN_BOTH,  /* "451 4.3.0" (one argument or two) */
	MXT_EXPLAIN_CAUSE, /* "greylisting" */
	MXT_EXPLAIN_TEXT,  /* a whole reply text or a vendor code ("S3140") */
	MXT_EXPLAIN_COUNT
};

/* One thing to explain. */
struct mxt_explain_query {
	enum mxt_explain_kind kind;
	int code;      /* 0 when none */
	char dsn[16];  /* "" when none */
	enum mxt_cause cause;
	const char *text; /* MXT_EXPLAIN_TEXT: the argument (borrowed) */
};

/*
 * Parses explain arguments into queries: a reply code followed by a dsn
 * ("451" "4.3.0", or "451 4.3.0" as one argument) makes one query. Returns
 * the number of queries (at most max), or -1 with err->text naming the
 * argument that is none of code, dsn or cause id. c is the built-in
 * classifier (mxt_classifier_create(NULL, NULL)) that decides whether
 * words are a reply text; NULL makes one for the call (a few ms: give
 * one when calling often).
 */
int mxt_explain_parse(char *const *args, int nargs,
    struct mxt_explain_query *out, size_t max, struct mxt_classifier *c,
    struct mxt_error *err);

/*
 * Formats the explanations of q[0..n) as text for a terminal, or as one
 * JSON document ({"schema": "mxtriage.explain/1", "items": [...]}).
 * c decides as in mxt_explain_parse (NULL: one is made for the call).
 * Returns a malloc'd NUL-terminated string the caller frees.
 */
char *mxt_explain_format(const struct mxt_explain_query *q, size_t n,
    bool json, struct mxt_classifier *c);

#endif
