/*
 * events_out.c - events as JSON lines or CSV, the output of `mxtriage
 * events`, in the event schema mxtriage.event/1 (mxtriage(1), "Events").
 *
 * Every field is present on every event; an absent value is null in JSON
 * and an empty unquoted cell in CSV, never "" (the null sender <> is
 * written as "<>"). Numbers are never in exponent form.
 *
 * Written by hand into one growing buffer, not with jansson or libcsv:
 * this is the hot path of `events` (one event per delivery line), and
 * building a json_t per event, or libcsv's quoting after a separate
 * UTF-8 repair pass, cost several times the parsing of the line. Each
 * value is scanned once: runs of plain bytes are copied, the rest
 * escaped (JSON), quotes doubled (CSV), invalid UTF-8 replaced by U+FFFD
 * byte by byte (as mxt_utf8_sanitize does). Log text is
 * attacker-controlled: the JSON is always valid UTF-8, and a CSV cell a
 * spreadsheet would run as a formula gets a leading apostrophe unless
 * csv_raw is set. The buffer goes out in whole blocks of 64 KiB written
 * straight to the output's descriptor, and all of it at each flush.
 */
#include "internal.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

/* Column order of both formats: the man page's table of the schema. */
enum field {
	F_SCHEMA,
	F_EVENT_ID,
	F_TIME,
	F_HOST,
	F_MTA,
	F_SERVICE,
	F_QUEUE_ID,
	F_DIRECTION,
	F_STATUS,
	F_RECIPIENT,
	F_DOMAIN,
	F_PROVIDER,
	F_VIA,
	F_SENDER,
	F_SENDER_DOMAIN,
	F_RELAY,
	F_RELAY_IP,
	F_CODE,
	F_DSN,
	F_PHASE,
	F_CAUSE,
	F_TEXT,
	F_DELAY,
	F_MESSAGE_ID,
	F_INSTANCE,
	F_SOURCE,
	F_LINE,
	F_ATTEMPTS,
	F_MATTERS,
	F_WARNING,
	F_COUNT
};

#define FIELD(id, name) [id] = {name, "\"" name "\":", MXT_LIT_LEN(name) + 3, \
	",\"" name "\":"}
/* KEY_ROOM bytes are always copied from sep_key, so the copy is one or
 * two moves of a known size (reserve leaves the room; the length says
 * how much of it counts). */
#define KEY_ROOM 32
_Static_assert(F_SCHEMA == 0, "first_key in write_jsonl is the schema's");
static const struct {
	const char *name;
	const char *json_key; /* "name": */
	size_t json_key_len;
	char sep_key[KEY_ROOM]; /* ,"name": (the comma before all but the
	                         * first) */
} fields[F_COUNT] = {
	FIELD(F_SCHEMA, "schema"),
	FIELD(F_EVENT_ID, "event_id"),
	FIELD(F_TIME, "time"),
	FIELD(F_HOST, "host"),
	FIELD(F_MTA, "mta"),
	FIELD(F_SERVICE, "service"),
	FIELD(F_QUEUE_ID, "queue_id"),
	FIELD(F_DIRECTION, "direction"),
	FIELD(F_STATUS, "status"),
	FIELD(F_RECIPIENT, "recipient"),
	FIELD(F_DOMAIN, "domain"),
	FIELD(F_PROVIDER, "provider"),
	FIELD(F_VIA, "via"),
	FIELD(F_SENDER, "sender"),
	FIELD(F_SENDER_DOMAIN, "sender_domain"),
	FIELD(F_RELAY, "relay"),
	FIELD(F_RELAY_IP, "relay_ip"),
	FIELD(F_CODE, "code"),
	FIELD(F_DSN, "dsn"),
	FIELD(F_PHASE, "phase"),
	FIELD(F_CAUSE, "cause"),
	FIELD(F_TEXT, "text"),
	FIELD(F_DELAY, "delay"),
	FIELD(F_MESSAGE_ID, "message_id"),
	FIELD(F_INSTANCE, "instance"),
	FIELD(F_SOURCE, "source"),
	FIELD(F_LINE, "line"),
	FIELD(F_ATTEMPTS, "attempts"),
	FIELD(F_MATTERS, "matters"),
	FIELD(F_WARNING, "warning"),
};
#undef FIELD

/* What a value is, which decides how it is written. */
enum vkind {
	V_NULL,
	V_TEXT, /* bytes from a log or a file: escaped and repaired */
	V_WORD, /* our own ASCII word (enum names, ids): written as it is */
	V_NUM,  /* a number, already formatted */
	V_ATTEMPTS, /* the earlier MX replies: an array (JSON), a count (CSV) */
};

struct value {
	enum vkind kind;
	const char *p;
	size_t n;
};

/* Once the buffer holds this much, its whole 64 KiB units go out (the
 * rest waits for the next event or mxt_event_writer_flush). */
#define FLUSH_AT 65536

struct mxt_event_writer {
	FILE *fp;
	enum mxt_event_format fmt;
	bool csv_raw;
	bool why; /* `events --why`: the deciding rule after the fields */
	bool header_done;
	char *buf; /* the events not yet handed to fp */
	size_t len, cap;
	/* the last time formatted: events of one second come together */
	struct mxt_time last_time;
	char time_text[48];
	size_t time_len;
	char id[17];
	/* the digits of the event's code, delay and line: values_of takes
	 * all three before any is written, so each has its own */
	char num[3][32];
};

struct mxt_event_writer *
mxt_event_writer_create(FILE *fp, enum mxt_event_format fmt, bool csv_raw)
{
	struct mxt_event_writer *w = xcalloc(1, sizeof *w);
	w->fp = fp;
	w->fmt = fmt;
	w->csv_raw = csv_raw;
	w->cap = 2 * FLUSH_AT;
	w->buf = xmalloc(w->cap);
	return w;
}

void
mxt_event_writer_destroy(struct mxt_event_writer *w)
{
	if (w == NULL)
		return;
	free(w->buf);
	free(w);
}

/*
 * The first n bytes of the buffer go out with write(2), after what fp
 * itself holds; the rest moves to the buffer's start. Through stdio,
 * whose buffer for a file or pipe is st_blksize (4 KiB), each block was
 * copied once more and cut in two writes; a write of whole 64 KiB units
 * at offsets of whole units costs the kernel least (writing 1.6 GB to a
 * file here: 0.48 s of system time in 64 KiB writes, 0.75 s through
 * stdio or in writes of 64-65 KiB). A FILE with no descriptor
 * (open_memstream) takes them by fwrite. On failure the buffer is
 * dropped: -1, errno set.
 */
static int
hand_out(struct mxt_event_writer *w, size_t n)
{
	int fd = fileno(w->fp);
	const char *p = w->buf;
	size_t left = n;
	if (fd < 0) {
		if (fwrite(p, 1, n, w->fp) != n)
			goto failed;
		left = 0;
	} else if (fflush(w->fp) != 0) {
		goto failed;
	}
	while (left > 0) {
		ssize_t got = write(fd, p, left);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = EIO;
			goto failed;
		}
		p += got;
		left -= (size_t)got;
	}
	w->len -= n;
	memmove(w->buf, w->buf + n, w->len);
	return 0;
failed:
	w->len = 0;
	return -1;
}

int
mxt_event_writer_flush(struct mxt_event_writer *w)
{
	return w->len > 0 ? hand_out(w, w->len) : 0;
}

/* Room for n more bytes; the buffer grows for one very long event. */
static inline char *
reserve(struct mxt_event_writer *w, size_t n)
{
	if (w->len + n > w->cap) {
		while (w->len + n > w->cap)
			w->cap *= 2;
		w->buf = xrealloc(w->buf, w->cap);
	}
	return w->buf + w->len;
}

static inline void
put(struct mxt_event_writer *w, const char *p, size_t n)
{
	memcpy(reserve(w, n), p, n);
	w->len += n;
}

/* Decimal digits of v into the end of buf; returns where they start. */
static char *
utoa(uint64_t v, char *end)
{
	do
		*--end = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return end;
}

/* Seconds with at most three decimals and no trailing zeros, never in
 * exponent form: 0.2, 1234567, 12.345. */
static size_t
format_delay(double d, char *buf, size_t size)
{
	if (!(d >= 0 && d < 9e15)) /* negative, huge or NaN: not a delay */
		return (size_t)snprintf(buf, size, "%.3f", d >= 0 ? d : 0);
	uint64_t ms = (uint64_t)(d * 1000 + 0.5);
	char tmp[32], *end = tmp + sizeof tmp, *p = end;
	unsigned frac = (unsigned)(ms % 1000);
	int digits = 3;
	while (digits > 0 && frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	if (digits > 0) {
		for (int i = 0; i < digits; i++, frac /= 10)
			*--p = (char)('0' + frac % 10);
		*--p = '.';
	}
	p = utoa(ms / 1000, p);
	size_t n = (size_t)(end - p);
	memcpy(buf, p, n);
	buf[n] = '\0';
	return n;
}

/* Local seconds since the epoch -> the minute they fall in (floor). */
static int64_t
minute_of(int64_t local)
{
	return local >= 0 ? local / 60 : (local - 59) / 60;
}

/*
 * The event's time as mxt_time_format writes it, into w->time_text. The
 * events of a log come second by second: within the minute of the time
 * last written (whole seconds, the same offset) only the two digits of
 * the seconds change, so only they are written; mxt_time_format's
 * snprintf took a tenth of `events`.
 */
static void
format_time(struct mxt_event_writer *w, const struct mxt_time *t)
{
	const struct mxt_time *l = &w->last_time;
	int64_t local = t->sec + t->utcoff;
	if (w->time_len > 0 && l->valid && t->frac_digits == 0 &&
	    l->frac_digits == 0 && t->utcoff == l->utcoff &&
	    minute_of(local) == minute_of(l->sec + l->utcoff)) {
		/* "...THH:MM:SS...": the seconds 7 bytes after the 'T' */
		char *tp = memchr(w->time_text, 'T', w->time_len);
		if (tp != NULL &&
		    (size_t)(tp - w->time_text) + 9 <= w->time_len) {
			int sec = (int)(local - minute_of(local) * 60);
			tp[7] = (char)('0' + sec / 10);
			tp[8] = (char)('0' + sec % 10);
			w->last_time = *t;
			return;
		}
	}
	w->last_time = *t;
	mxt_time_format(t, w->time_text, sizeof w->time_text);
	w->time_len = strlen(w->time_text);
}

static inline void
text(struct value *v, struct mxt_str s)
{
	v->kind = s.len > 0 ? V_TEXT : V_NULL;
	v->p = s.ptr;
	v->n = s.len;
}

static inline void
word(struct value *v, const char *s)
{
	v->kind = s != NULL ? V_WORD : V_NULL;
	v->p = s;
	v->n = s != NULL ? strlen(s) : 0;
}

/*
 * Every field's value of ev, in column order. One call per event, not
 * one per field: a call per field (a big switch's prologue and its
 * dispatch, 30 times an event) was a third of the writer's time.
 */
static void
values_of(struct mxt_event_writer *w, const struct mxt_event *ev,
    struct value v[F_COUNT])
{
	char *num0_end = w->num[0] + sizeof w->num[0];
	v[F_SCHEMA] = (struct value){V_WORD, MXT_EVENT_SCHEMA,
	    MXT_LIT_LEN(MXT_EVENT_SCHEMA)};
	v[F_EVENT_ID] = (struct value){V_WORD,
	    mxt_event_id_format(ev->event_id, w->id), 16};
	v[F_TIME].kind = V_NULL;
	if (ev->time.valid) {
		if (memcmp(&ev->time, &w->last_time, sizeof ev->time) != 0)
			format_time(w, &ev->time);
		v[F_TIME] = (struct value){V_WORD, w->time_text, w->time_len};
	}
	text(&v[F_HOST], ev->host);
	word(&v[F_MTA], mxt_mta_name(ev->mta));
	text(&v[F_SERVICE], ev->service);
	text(&v[F_QUEUE_ID], ev->queue_id);
	word(&v[F_DIRECTION], mxt_direction_name(ev->direction));
	word(&v[F_STATUS], mxt_status_name(ev->status));
	text(&v[F_RECIPIENT], ev->recipient);
	text(&v[F_DOMAIN], ev->domain);
	/* provider names may come from a rules file: text, not a word */
	text(&v[F_PROVIDER], ev->provider != NULL ? mxt_str_make(ev->provider,
	    strlen(ev->provider)) : mxt_str_make("", 0));
	text(&v[F_VIA], ev->via != NULL ? mxt_str_make(ev->via,
	    strlen(ev->via)) : mxt_str_make("", 0));
	if (ev->sender.ptr != NULL && ev->sender.len == 0)
		word(&v[F_SENDER], "<>"); /* the null sender, not "unknown" */
	else
		text(&v[F_SENDER], ev->sender);
	text(&v[F_SENDER_DOMAIN], ev->sender_domain);
	text(&v[F_RELAY], ev->relay);
	text(&v[F_RELAY_IP], ev->relay_ip);
	v[F_CODE].kind = V_NULL;
	if (ev->code > 0) {
		char *p = utoa((uint64_t)ev->code, num0_end);
		v[F_CODE] = (struct value){V_NUM, p, (size_t)(num0_end - p)};
	}
	text(&v[F_DSN], mxt_str_make(ev->dsn, strnlen(ev->dsn,
	    sizeof ev->dsn)));
	word(&v[F_PHASE], mxt_phase_name(ev->phase));
	word(&v[F_CAUSE], mxt_cause_id(ev->cause));
	text(&v[F_TEXT], ev->text);
	v[F_DELAY].kind = V_NULL;
	if (ev->has_delay)
		v[F_DELAY] = (struct value){V_NUM, w->num[1],
		    format_delay(ev->delay, w->num[1], sizeof w->num[1])};
	text(&v[F_MESSAGE_ID], ev->message_id);
	text(&v[F_INSTANCE], ev->instance);
	text(&v[F_SOURCE], ev->source != NULL ? mxt_str_make(ev->source,
	    strlen(ev->source)) : mxt_str_make("", 0));
	v[F_LINE].kind = V_NULL;
	if (ev->line_no > 0) {
		char *end2 = w->num[2] + sizeof w->num[2];
		char *p = utoa((uint64_t)ev->line_no, end2);
		v[F_LINE] = (struct value){V_NUM, p, (size_t)(end2 - p)};
	}
	v[F_ATTEMPTS].kind = ev->nattempts > 0 ? V_ATTEMPTS : V_NULL;
	v[F_MATTERS].kind = V_NULL;
	if (ev->matters >= 0 && (size_t)ev->matters < ev->nattempts)
		text(&v[F_MATTERS], ev->attempts[ev->matters].text);
	/* the linked warning, as the report's our-side key */
	text(&v[F_WARNING], ev->warning);
}

/* ---- JSON -------------------------------------------------------------- */

/* Bytes copied as they are inside a JSON string: printable ASCII but for
 * '"' and '\\' (DEL too, as jansson does). */
static inline bool
json_plain(unsigned char c)
{
	return (unsigned char)(c - 0x20) < 0x60 && c != '"' && c != '\\';
}

/* Does one of the eight bytes of x need more than a copy inside a JSON
 * string (!json_plain): a byte below 0x20, a byte from 0x80, a '"', a
 * backslash (DEL is plain)? Eight bytes at a time, not one: most of what
 * `events` writes is plain ASCII (has_byte8, internal.h). */
static inline bool
json_special8(uint64_t x)
{
	return ((x - ONES8 * 0x20) & ~x & HIGHS8) | (x & HIGHS8) |
	    has_byte8(x, '"') | has_byte8(x, '\\');
}

/* Does one of the eight bytes of x need more than a copy in a quoted CSV
 * cell: a NUL, a '"' or a byte from 0x80? */
static inline bool
csv_special8(uint64_t x)
{
	return has_byte8(x, 0) | has_byte8(x, '"') | (x & HIGHS8);
}

#ifdef __SSE2__
/* json_special8 for sixteen bytes (SSE2, every x86-64): a signed compare
 * with 0x20 flags the control characters and, being negative, every byte
 * from 0x80, in one step. */
static inline bool
json_special16(__m128i x)
{
	__m128i m = _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
	    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
	return _mm_movemask_epi8(m) != 0;
}

/* csv_special8 for sixteen bytes: a byte's top bit is its movemask bit. */
static inline bool
csv_special16(__m128i x)
{
	__m128i m = _mm_or_si128(x, _mm_or_si128(
	    _mm_cmpeq_epi8(x, _mm_setzero_si128()),
	    _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))));
	return _mm_movemask_epi8(m) != 0;
}
#endif

/*
 * The plain bytes of p[i..n) copied to *o up to the first byte that needs
 * more (of JSON when json, else of CSV): sixteen at a time where SSE2 is
 * there, then eight, then the last one to seven bytes of a value of eight
 * or more in one load of its last eight. That load overlaps bytes copied
 * just before; when none of its eight needs more, those were copied as
 * they are and it is stored over them. Most values are a few words: a
 * byte loop over their ends was most of json_string's time. Returns the
 * new i, *o moved as far; the caller goes on a byte at a time.
 */
static inline size_t
copy_plain(const unsigned char *p, size_t i, size_t n, char **o, bool json)
{
	char *d = *o;
#ifdef __SSE2__
	for (__m128i x; i + 16 <= n; i += 16, d += 16) {
		x = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		if (json ? json_special16(x) : csv_special16(x))
			break;
		_mm_storeu_si128((__m128i *)(void *)d, x);
	}
#endif
	uint64_t x;
	for (; i + 8 <= n; i += 8, d += 8) {
		memcpy(&x, p + i, 8);
		if (json ? json_special8(x) : csv_special8(x))
			break;
		memcpy(d, &x, 8);
	}
	if (i < n && n - i < 8 && n >= 8) {
		memcpy(&x, p + n - 8, 8);
		if (!(json ? json_special8(x) : csv_special8(x))) {
			memcpy(d - (8 - (n - i)), &x, 8);
			d += n - i;
			i = n;
		}
	} else if (i == 0 && n >= 4 && n < 8) {
		/* four to seven: the first four and the last four bytes, as
		 * one word tested and stored as two halves */
		uint32_t a, b;
		memcpy(&a, p, 4);
		memcpy(&b, p + n - 4, 4);
		x = (uint64_t)a | (uint64_t)b << 32;
		if (!(json ? json_special8(x) : csv_special8(x))) {
			memcpy(d, &a, 4);
			memcpy(d + n - 4, &b, 4);
			d += n;
			i = n;
		}
	}
	*o = d;
	return i;
}

/* json_string from p[i], the first byte that needs more than a copy, to
 * the end; returns the end of what it wrote at o. Out of line: most
 * values have no such byte, and the inline part is then only the copy. */
static __attribute__((noinline)) char *
json_rest(const unsigned char *p, size_t i, size_t n, char *o)
{
	static const char hex[] = "0123456789ABCDEF";
	while (i < n) {
		while (i < n && json_plain(p[i]))
			*o++ = (char)p[i++];
		if (i == n)
			break;
		unsigned char c = p[i];
		if (c >= 0x80) {
			size_t k = utf8_seq(p + i, n - i);
			if (k > 0) {
				memcpy(o, p + i, k);
				o += k;
				i += k;
			} else {
				memcpy(o, "\xEF\xBF\xBD", 3);
				o += 3;
				i++;
			}
		} else {
			*o++ = '\\';
			switch (c) {
			case '"': *o++ = '"'; break;
			case '\\': *o++ = '\\'; break;
			case '\b': *o++ = 'b'; break;
			case '\f': *o++ = 'f'; break;
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			default:
				memcpy(o, "u00", 3);
				o[3] = hex[c >> 4];
				o[4] = hex[c & 15];
				o += 5;
			}
			i++;
		}
		/* plain bytes stored as they are read, without a call to
		 * memcpy per run, up to the next byte that needs more */
		i = copy_plain(p, i, n, &o, true);
	}
	return o;
}

/* s[0..n) as the inside of a JSON string: control characters escaped as
 * jansson does (\n, \u001B), invalid UTF-8 as U+FFFD per byte. */
static inline void
json_string(struct mxt_event_writer *w, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	/* at most 6 bytes out per byte in (\u00XX) */
	char *o = reserve(w, 6 * n + 2), *start = o;
	*o++ = '"';
	size_t i = copy_plain(p, 0, n, &o, true);
	if (i < n)
		o = json_rest(p, i, n, o);
	*o++ = '"';
	w->len += (size_t)(o - start);
}

/* ---- --why: the rule that decided the cause -------------------------- */

/* Not part of the schema's field table: only with --why, and always after
 * the schema's fields, so a consumer of mxtriage.event/1 sees the same
 * columns in the same places. The origin is "FILE:LINE" as `explain`
 * and `rules` print it. */
static const char *const why_names[] = {"rule", "rule_origin"};

static void csv_cell(struct mxt_event_writer *w, const char *s, size_t n,
    bool apostrophe);
static bool is_formula(const char *v, size_t len);

void
mxt_event_writer_set_why(struct mxt_event_writer *w, bool why)
{
	w->why = why;
}

static void
write_why(struct mxt_event_writer *w, const struct mxt_event *ev)
{
	char origin[512];
	int on = 0;
	if (ev->rule != NULL)
		on = snprintf(origin, sizeof origin, "%s:%ld",
		    ev->rule_origin != NULL ? ev->rule_origin : "",
		    ev->rule_line);
	size_t olen = on < 0 ? 0 : (size_t)on >= sizeof origin ?
	    sizeof origin - 1 : (size_t)on;
	const char *v[2] = {ev->rule, origin};
	size_t n[2] = {ev->rule != NULL ? strlen(ev->rule) : 0, olen};
	for (size_t i = 0; i < 2; i++) {
		put(w, ",", 1);
		if (w->fmt == MXT_EVFMT_JSONL) {
			put(w, "\"", 1);
			put(w, why_names[i], strlen(why_names[i]));
			put(w, "\":", 2);
			if (ev->rule == NULL)
				put(w, "null", 4);
			else
				json_string(w, v[i], n[i]);
		} else if (ev->rule != NULL) {
			csv_cell(w, v[i], n[i], !w->csv_raw &&
			    is_formula(v[i], n[i]));
		}
	}
}

#define put_lit(w, lit) put((w), "" lit "", MXT_LIT_LEN(lit))

/* "attempts": [{"relay":..,"relay_ip":..,"code":..,"dsn":..,"phase":..,
 * "text":..}, ...], absent values null as in the event itself. */
static void
json_attempts(struct mxt_event_writer *w, const struct mxt_event *ev)
{
	put(w, "[", 1);
	for (size_t i = 0; i < ev->nattempts; i++) {
		const struct mxt_attempt *a = &ev->attempts[i];
		const struct mxt_str strs[] = {a->relay, a->relay_ip};
		static const char *const keys[] = {"{\"relay\":",
		    ",\"relay_ip\":"};
		if (i > 0)
			put(w, ",", 1);
		for (size_t k = 0; k < 2; k++) {
			put(w, keys[k], strlen(keys[k]));
			if (strs[k].len > 0)
				json_string(w, strs[k].ptr, strs[k].len);
			else
				put(w, "null", 4);
		}
		put_lit(w, ",\"code\":");
		if (a->code > 0) {
			char digits[24], *e = digits + sizeof digits;
			char *p = utoa((uint64_t)a->code, e);
			put(w, p, (size_t)(e - p));
		} else {
			put(w, "null", 4);
		}
		put_lit(w, ",\"dsn\":");
		if (a->dsn[0] != '\0')
			json_string(w, a->dsn, strnlen(a->dsn, sizeof a->dsn));
		else
			put(w, "null", 4);
		put_lit(w, ",\"phase\":");
		const char *ph = mxt_phase_name(a->phase);
		if (ph != NULL) {
			put(w, "\"", 1);
			put(w, ph, strlen(ph));
			put(w, "\"", 1);
		} else {
			put(w, "null", 4);
		}
		put_lit(w, ",\"text\":");
		if (a->text.len > 0)
			json_string(w, a->text.ptr, a->text.len);
		else
			put(w, "null", 4);
		put(w, "}", 1);
	}
	put(w, "]", 1);
}

/*
 * Every event writes 30 keys and most of its values are short: a put
 * each (a room check and a call to memcpy for a few bytes) was most of
 * the writer's time. Keys, nulls, numbers and words go into room checked
 * once per field with copies of a known size; only log text goes through
 * json_string.
 */
static void
write_jsonl(struct mxt_event_writer *w, const struct mxt_event *ev)
{
	/* the first key with the event's opening brace, in room of its own
	 * size: sep_key + 1 would read past its array */
	static const char first_key[KEY_ROOM] = "{\"schema\":";
	struct value vals[F_COUNT];
	values_of(w, ev, vals);
	for (size_t i = 0; i < F_COUNT; i++) {
		const struct value v = vals[i];
		/* the key and a null, number or word after it (text and the
		 * attempts reserve their own room) */
		size_t short_n = v.kind == V_NUM || v.kind == V_WORD ? v.n : 0;
		char *o = reserve(w, KEY_ROOM + 4 + short_n + 2);
		memcpy(o, i == 0 ? first_key : fields[i].sep_key, KEY_ROOM);
		o += fields[i].json_key_len + 1;
		switch (v.kind) {
		case V_NULL:
			memcpy(o, "null", 4);
			o += 4;
			break;
		case V_NUM:
			memcpy(o, v.p, v.n);
			o += v.n;
			break;
		case V_WORD:
			*o++ = '"';
			memcpy(o, v.p, v.n);
			o += v.n;
			*o++ = '"';
			break;
		case V_TEXT:
			w->len = (size_t)(o - w->buf);
			json_string(w, v.p, v.n);
			continue;
		case V_ATTEMPTS:
			w->len = (size_t)(o - w->buf);
			json_attempts(w, ev);
			continue;
		}
		w->len = (size_t)(o - w->buf);
	}
	if (w->why)
		write_why(w, ev);
	put(w, "}\n", 2);
}

/* ---- CSV (RFC 4180, CRLF line ends) --------------------------------------- */

/* A cell a spreadsheet would evaluate: starts with = + - @ or a control
 * character it strips (tab, CR). */
static bool
is_formula(const char *v, size_t len)
{
	return len > 0 && (v[0] == '=' || v[0] == '+' || v[0] == '-' ||
	    v[0] == '@' || v[0] == '\t' || v[0] == '\r');
}

/* csv_cell from p[i], the first byte that needs more than a copy, to the
 * end; returns the end of what it wrote at o (out of line as json_rest). */
static __attribute__((noinline)) char *
csv_rest(const unsigned char *p, size_t i, size_t n, char *o)
{
	while (i < n) {
		while (i < n && p[i] < 0x80 && p[i] != '"' && p[i] != 0)
			*o++ = (char)p[i++];
		if (i == n)
			break;
		size_t k = p[i] == '"' ? 1 : p[i] == 0 ? 0 :
		    utf8_seq(p + i, n - i);
		if (p[i] == '"') {
			*o++ = '"';
			*o++ = '"';
			i++;
		} else if (k > 0) {
			memcpy(o, p + i, k);
			o += k;
			i += k;
		} else {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
		}
		i = copy_plain(p, i, n, &o, false);
	}
	return o;
}

/* A quoted cell: '"' doubled, invalid UTF-8 and NUL bytes (which CSV
 * readers cut cells at) as U+FFFD. */
static inline void
csv_cell(struct mxt_event_writer *w, const char *s, size_t n, bool apostrophe)
{
	const unsigned char *p = (const unsigned char *)s;
	char *o = reserve(w, 3 * n + 3), *start = o;
	*o++ = '"';
	if (apostrophe)
		*o++ = '\'';
	size_t i = copy_plain(p, 0, n, &o, false);
	if (i < n)
		o = csv_rest(p, i, n, o);
	*o++ = '"';
	w->len += (size_t)(o - start);
}

static void
write_csv(struct mxt_event_writer *w, const struct mxt_event *ev)
{
	struct value vals[F_COUNT];
	if (!w->header_done) {
		for (size_t i = 0; i < F_COUNT; i++) {
			if (i > 0)
				put(w, ",", 1);
			csv_cell(w, fields[i].name, strlen(fields[i].name),
			    false);
		}
		for (size_t i = 0; w->why && i < 2; i++) {
			put(w, ",", 1);
			csv_cell(w, why_names[i], strlen(why_names[i]), false);
		}
		put(w, "\r\n", 2);
		w->header_done = true;
	}
	values_of(w, ev, vals);
	for (size_t i = 0; i < F_COUNT; i++) {
		const struct value v = vals[i];
		if (i > 0)
			put(w, ",", 1);
		switch (v.kind) {
		case V_NULL: break;
		case V_NUM: put(w, v.p, v.n); break;
		case V_WORD: {
			/* "<>" and ids: no formula, no quote to double */
			char *o = reserve(w, v.n + 2);
			*o++ = '"';
			memcpy(o, v.p, v.n);
			o[v.n] = '"';
			w->len += v.n + 2;
			break;
		}
		case V_TEXT:
			csv_cell(w, v.p, v.n, !w->csv_raw && is_formula(v.p, v.n));
			break;
		case V_ATTEMPTS: {
			/* flat: how many; the one that matters is "matters" */
			char digits[24], *e = digits + sizeof digits;
			char *p = utoa((uint64_t)ev->nattempts, e);
			put(w, p, (size_t)(e - p));
			break;
		}
		}
	}
	if (w->why)
		write_why(w, ev);
	put(w, "\r\n", 2);
}

int
mxt_event_writer_write(struct mxt_event_writer *w, const struct mxt_event *ev)
{
	if (w->fmt == MXT_EVFMT_CSV)
		write_csv(w, ev);
	else
		write_jsonl(w, ev);
	return w->len >= FLUSH_AT ? hand_out(w, w->len - w->len % FLUSH_AT) : 0;
}

/* ---- CSV cells of the summary report (report_csv.c), with libcsv ------ */

/* Whether a cell needs repair: a NUL byte or a byte >= 0x80 (which may be
 * invalid UTF-8); the common ASCII cell is written as it is. */
static bool
needs_repair(const char *v, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (v[i] == '\0' || (unsigned char)v[i] >= 0x80)
			return true;
	return false;
}

/* v as valid UTF-8 without NUL bytes (each becomes U+FFFD, as invalid
 * UTF-8 does): spreadsheets and CSV readers cut or refuse cells at a NUL.
 * Returns a malloc'd copy and its length in *out_len. */
static char *
repaired(const char *v, size_t len, size_t *out_len)
{
	char *utf8 = xmalloc(3 * len + 1);
	size_t n = mxt_utf8_sanitize(v, len, utf8, 3 * len + 1);
	char *out = xmalloc(3 * n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (utf8[i] == '\0') {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
		} else {
			*o++ = utf8[i];
		}
	}
	free(utf8);
	*out_len = (size_t)(o - out);
	return out;
}

int
mxt_csv_cell(FILE *fp, const char *v, size_t len, bool first, bool raw)
{
	if (!first && putc(',', fp) == EOF)
		return -1;
	if (v == NULL)
		return 0;
	/* Every cell, group keys included, is repaired here: callers pass
	 * log text as it is. --csv-raw keeps formulas, never bad bytes. */
	char *fixed = NULL;
	if (needs_repair(v, len))
		v = fixed = repaired(v, len, &len);
	int rc;
	if (!raw && is_formula(v, len)) {
		/* csv_fwrite quotes one buffer: build "'" + value */
		char *cell = xmalloc(len + 2);
		cell[0] = '\'';
		memcpy(cell + 1, v, len);
		rc = csv_fwrite(fp, cell, len + 1);
		free(cell);
	} else {
		rc = csv_fwrite(fp, v, len);
	}
	free(fixed);
	return rc;
}
