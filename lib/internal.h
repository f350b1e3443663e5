/*
 * internal.h - declarations shared inside lib/, never used by cmd/.
 */
#ifndef MXT_INTERNAL_H
#define MXT_INTERNAL_H

#include "mxtriage.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The library exports only mxt_ names (tests/symbols.py checks it): the
 * helpers every module calls keep their short names here. */
#define xmalloc mxt_xmalloc
#define xcalloc mxt_xcalloc
#define xrealloc mxt_xrealloc
#define xstrndup mxt_xstrndup
#define find_lit_ci mxt_find_lit_ci
#define lower_copy mxt_lower_copy
#define days_from_civil mxt_days_from_civil
#define utf8_seq mxt_utf8_seq

/* Allocation wrappers that never return NULL: they abort on exhaustion
 * (OpenSMTPD xmalloc), so callers need no error path for memory. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrndup(const char *s, size_t n);

static inline struct mxt_str
mxt_str_make(const char *p, size_t n)
{
	struct mxt_str s = {p, n};
	return s;
}

/*
 * Literals: their length comes from sizeof, never from counting by hand
 * or strlen at run time. ("" lit "") makes anything but a string literal
 * a compile error.
 */
#define MXT_LIT_LEN(lit) (sizeof("" lit "") - 1)
/* A literal and its length, for tables of words: {MXT_LIT("RCPT"), ...} */
#define MXT_LIT(lit) ("" lit ""), MXT_LIT_LEN(lit)

static inline bool
mxt_str_eq_bytes(struct mxt_str s, const char *b, size_t n)
{
	return s.len == n && (n == 0 || memcmp(s.ptr, b, n) == 0);
}
#define mxt_str_eq(s, lit) mxt_str_eq_bytes((s), "" lit "", MXT_LIT_LEN(lit))

/* True when [p, end) starts with the n bytes at b. */
static inline bool
mxt_has_bytes(const char *p, const char *end, const char *b, size_t n)
{
	return (size_t)(end - p) >= n && memcmp(p, b, n) == 0;
}
#define has_lit(p, end, lit) \
	mxt_has_bytes((p), (end), "" lit "", MXT_LIT_LEN(lit))
/* Past lit when [p, end) starts with it, else NULL. */
#define skip_lit(p, end, lit) \
	(has_lit((p), (end), lit) ? (p) + MXT_LIT_LEN(lit) : NULL)
/* A prefix that is not a literal (table entries): its length is counted. */
static inline bool
has_prefix(const char *p, const char *end, const char *s)
{
	return mxt_has_bytes(p, end, s, strlen(s));
}

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* 0-9, A-Z, a-z: a look-up, for the bytes of every line's first word
 * (Exim message ids), Postfix queue ids and Exim's field keys, where
 * three range tests were 3.6% of the instructions of the thread that
 * reads an Exim log (the table: 1.4% fewer for the whole report). */
extern const unsigned char mxt_alnum_byte[256];
static inline bool
is_ascii_alnum(char c)
{
	return mxt_alnum_byte[(unsigned char)c] != 0;
}

static inline const char *
skip_spaces(const char *p, const char *end)
{
	while (p < end && *p == ' ')
		p++;
	return p;
}

/* The decimal number at p (0 when none; UINT64_MAX when it overflows):
 * the sizes logged (Postfix "size=", Exim "S="). */
static inline uint64_t
mxt_parse_u64(const char *p, const char *end)
{
	uint64_t v = 0;
	for (; p < end && is_digit(*p); p++) {
		uint64_t d = (uint64_t)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return UINT64_MAX;
		v = v * 10 + d;
	}
	return v;
}

/*
 * Eight bytes at a time. has_byte8 is the "has a zero byte" test of
 * Hacker's Delight 6-1 on x ^ c: non-zero when a byte of x is c. A borrow
 * can flag a byte above a match too, never one below the first: the
 * lowest flagged byte is the first match (first_byte8: its place in
 * memory order), and a word without a match has no flag.
 */
#define ONES8 0x0101010101010101ULL
#define HIGHS8 (ONES8 * 0x80)

static inline uint64_t
has_byte8(uint64_t x, unsigned char c)
{
	uint64_t v = x ^ (ONES8 * c);
	return (v - ONES8) & ~v & HIGHS8;
}

/* The place (0-7) of the first byte in memory that mask (of has_byte8
 * tests, or-ed) flags; mask is not 0. */
static inline size_t
first_byte8(uint64_t mask)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (size_t)__builtin_clzll(mask) / 8;
#else
	return (size_t)__builtin_ctzll(mask) / 8;
#endif
}

/* The first byte of [p, end) that is a, b or c (give one twice for two),
 * or end: sixteen bytes at a time with SSE2 (every x86-64 has it: three
 * compares and a movemask per block, against some twenty instructions per
 * eight bytes for the word test; the fields of a line are mostly under 16
 * bytes, so one block finds them), then a word at a time while eight
 * bytes are left, then byte by byte. */
static inline const char *
scan_to3(const char *p, const char *end, unsigned char a, unsigned char b,
    unsigned char c)
{
#ifdef __SSE2__
	const __m128i va = _mm_set1_epi8((char)a), vb = _mm_set1_epi8((char)b),
	    vc = _mm_set1_epi8((char)c);
	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(x, va), _mm_cmpeq_epi8(x, vb)),
		    _mm_cmpeq_epi8(x, vc)));
		if (m != 0)
			return p + __builtin_ctz(m);
		p += 16;
	}
#endif
	while (end - p >= 8) {
		uint64_t x;
		memcpy(&x, p, 8);
		uint64_t m = has_byte8(x, a) | has_byte8(x, b) | has_byte8(x, c);
		if (m != 0)
			return p + first_byte8(m);
		p += 8;
	}
	while (p < end && (unsigned char)*p != a && (unsigned char)*p != b &&
	    (unsigned char)*p != c)
		p++;
	return p;
}

/* The first c in [p, end), or end: memchr(3) without its call, for the
 * short distances between the fields of a line (most are under 16
 * bytes, where the call and its setup cost more than the scan). */
static inline const char *
scan_to(const char *p, const char *end, unsigned char c)
{
	return scan_to3(p, end, c, c, c);
}

/* The end of the token at p: the next space, or end. */
static inline const char *
token_end(const char *p, const char *end)
{
	return scan_to3(p, end, ' ', ' ', ' ');
}

/* memmem over [p, end) for n bytes; NULL when absent. */
const char *mxt_find_bytes(const char *p, const char *end, const char *b,
    size_t n);
#define find_lit(p, end, lit) \
	mxt_find_bytes((p), (end), "" lit "", MXT_LIT_LEN(lit))
/* Past the first lit in [p, end), or NULL. */
#define find_after(p, end, lit) mxt_find_after((p), (end), "" lit "", \
	MXT_LIT_LEN(lit))
static inline const char *
mxt_find_after(const char *p, const char *end, const char *b, size_t n)
{
	const char *q = mxt_find_bytes(p, end, b, n);
	return q != NULL ? q + n : NULL;
}
/* The same for a string that is not a literal (table entries). */
static inline const char *
find_str(const char *p, const char *end, const char *s)
{
	return mxt_find_bytes(p, end, s, strlen(s));
}
/* Case-insensitive ASCII variant. */
const char *find_lit_ci(const char *p, const char *end, const char *lit);

/* Copies s into dst lower-cased (ASCII), cut at size - 1; returns length. */
size_t lower_copy(char *dst, size_t size, const char *s, size_t n);

/* A growable text buffer; p is malloc'd (NULL until the first write) and
 * NUL-terminated after each write; the owner frees p. */
struct mxt_buf {
	char *p;
	size_t len, cap;
};
void mxt_buf_printf(struct mxt_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends n bytes of data (any bytes, NUL included). */
void mxt_buf_append(struct mxt_buf *b, const void *data, size_t n);
/* Empties b and makes room for n bytes and a NUL: returns b->p, to be
 * filled and b->len set by the caller (one check for a key built of
 * several slices, where appending each costs a call and a check). */
char *mxt_buf_room(struct mxt_buf *b, size_t n);

/* The JSON document root (a json_t, consumed) as indented text ending
 * in a newline; malloc'd, the caller frees it. */
struct json_t;
char *mxt_json_text(struct json_t *root);

/* Writes one CSV cell (quoted by libcsv; preceded by ',' unless first;
 * NULL = empty), repaired to valid UTF-8 with each NUL byte as U+FFFD.
 * Unless raw, a cell a spreadsheet would run as a formula gets a leading
 * apostrophe. Returns 0 or -1. */
int mxt_csv_cell(FILE *fp, const char *v, size_t len, bool first, bool raw);

/* Length of the valid UTF-8 sequence at s[0..n) (n >= 1; RFC 3629: no
 * overlongs, no surrogates, nothing above U+10FFFF), or 0 when the bytes
 * there are not valid UTF-8. */
size_t utf8_seq(const unsigned char *s, size_t n);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);

/* ---- framing: line -> header + message (framing.h has the registry) -- */

enum mxt_header_kind {
	MXT_HDR_NONE, /* not a log line we know */
	MXT_HDR_TRADITIONAL,
	MXT_HDR_RFC3339,
	MXT_HDR_RFC5424,
	MXT_HDR_EXIM, /* Exim's own log file */
	MXT_HDR_EXIM_FG, /* Exim's foreground output (-v): no message id */
	MXT_HDR_COUNT
};

struct mxt_logline {
	enum mxt_header_kind kind;
	struct mxt_time time;
	struct mxt_str host;
	struct mxt_str program; /* "postfix/smtp", "exim", ... */
	struct mxt_str pid;
	struct mxt_str msg;     /* the message after "prog[pid]: " */
};

/*
 * The bytes of the last time a framing read and what they gave. Most lines
 * share their second with the line before, and the same bytes read the
 * same (mxt_time_memo_at, mxt_time_memo_keep below). Many more share its
 * minute: bytes that differ only in the two digits of the seconds read
 * as the time kept moved by the difference (mxt_time_memo_near), since
 * every reading of "hh:mm:ss" is linear in ss within its minute (UTC and
 * an offset, and local time: syslog.c's local_seconds adds mi * 60 + s to
 * the start of the hour).
 */
struct mxt_time_memo {
	char text[40];
	size_t len;          /* 0 = none */
	bool zone;           /* a zone was among the bytes */
	/* where the seconds' two digits are in text; 0 = the near reading
	 * is not for these bytes (no "hh:mm:ss" found, or the caller said) */
	size_t sec_at;
	struct mxt_time time;
};

/* Whether [p, end) starts with the bytes of m followed by a space (the
 * reading may still look past that space: the caller says). */
static inline bool
mxt_time_memo_at(const struct mxt_time_memo *m, const char *p,
    const char *end)
{
	return m->len > 0 && (size_t)(end - p) > m->len && p[m->len] == ' ' &&
	    memcmp(p, m->text, m->len) == 0;
}

/* Whether [p, end) starts with the bytes of m but for other digits of the
 * seconds (at most 60, as clock_time takes them), followed by a space:
 * then *t is the time they read as, and m keeps them. */
static inline bool
mxt_time_memo_near(struct mxt_time_memo *m, const char *p, const char *end,
    struct mxt_time *t)
{
	size_t k = m->sec_at;
	if (k == 0 || (size_t)(end - p) <= m->len || p[m->len] != ' ' ||
	    memcmp(p, m->text, k) != 0 || !is_digit(p[k]) ||
	    !is_digit(p[k + 1]) ||
	    memcmp(p + k + 2, m->text + k + 2, m->len - k - 2) != 0)
		return false;
	int s = (p[k] - '0') * 10 + (p[k + 1] - '0');
	if (s > 60)
		return false;
	*t = m->time;
	t->sec += s - ((m->text[k] - '0') * 10 + (m->text[k + 1] - '0'));
	m->text[k] = p[k];
	m->text[k + 1] = p[k + 1];
	m->time = *t;
	return true;
}

/* Keeps the n bytes at p as the ones that read as t (zone: a zone was
 * among them; near: they may be read near, mxt_time_memo_near); a time
 * longer than the memo is not kept. The seconds are the two digits after
 * the second ':' of the first "hh:mm:ss" (a date before it has none). */
static inline void
mxt_time_memo_keep(struct mxt_time_memo *m, const char *p, size_t n,
    const struct mxt_time *t, bool zone, bool near)
{
	if (n > sizeof m->text)
		return;
	memcpy(m->text, p, n);
	m->len = n;
	m->zone = zone;
	m->time = *t;
	m->sec_at = 0;
	const char *c = near ? memchr(p, ':', n) : NULL;
	size_t i = c != NULL ? (size_t)(c - p) : 0;
	if (c != NULL && i >= 2 && i + 6 <= n && p[i + 3] == ':' &&
	    is_digit(p[i + 1]) && is_digit(p[i + 2]) && is_digit(p[i + 4]) &&
	    is_digit(p[i + 5]) && (i + 6 == n || !is_digit(p[i + 6])))
		m->sec_at = i + 4;
}

/*
 * Year inference for year-less traditional lines: the year is `year` when
 * fixed, otherwise the year of `reference` (file mtime or now), minus one
 * when the result would lie more than a day after `reference`.
 */
struct mxt_clock {
	int year;         /* 0 = infer */
	time_t reference; /* time the log was last written, or now */
	/* cache of local-time conversions, private */
	int64_t cache_key;
	int64_t cache_base;
	int32_t cache_off;
	int64_t ucache_key;
	int64_t ucache_base;
	/* The last traditional time read (syslog.c) and the last Exim own
	 * time (framing_exim.c): struct mxt_time_memo. */
	struct mxt_time_memo trad, exim_own;
	/* Exim's foreground output (-v): a "LOG: MAIN" line was just read,
	 * the next "  message" line is its entry (framing.c) */
	bool exim_fg;
	struct mxt_time exim_fg_time;
	char exim_fg_pid[12];  /* the pid in front of that "LOG:" line */
	/* a line whose container tool wrote a timestamp into it where it had
	 * split it, put together again (framing.c) */
	char rejoined[MXT_LINE_MAX + 1];
};

void mxt_clock_init(struct mxt_clock *c, int year, time_t reference);

/* Splits a line into header and message, with the first framing of the
 * registry (framing.c) that reads it; an Exim message wrapped in syslog
 * is unwrapped (framing_exim.c). Returns false when the line has no
 * header mxtriage knows (out->kind is then MXT_HDR_NONE). */
bool mxt_syslog_parse(struct mxt_clock *c, const char *line, size_t len,
    struct mxt_logline *out);

/* ---- strmap.c: string -> value, for aggregation ---------------------- */

/* The bytes a batch of the event pipe (event_pipe.c) starts with (its
 * records' objects and strings; a larger event grows its batch) and the
 * records it holds at most. Here so that the pipe's test can push events
 * larger than it and more records than it counts. */
#define MXT_PIPE_BATCH_BYTES (1024 * 1024)
#define MXT_PIPE_BATCH_RECORDS 8192

struct mxt_strmap_slot {
	char *key; /* NUL-terminated copy; NULL = empty slot */
	size_t len;
	uint64_t hash;
	uint64_t value;
	void *ptr; /* optional payload owned by the caller */
};

struct mxt_strmap {
	struct mxt_strmap_slot *slots;
	size_t size;  /* power of two */
	size_t count;
	size_t cap;   /* 0 = no cap on distinct keys */
};

void mxt_strmap_init(struct mxt_strmap *m, size_t cap);
void mxt_strmap_finish(struct mxt_strmap *m); /* frees keys, not ptr */
struct mxt_strmap_slot *mxt_strmap_get(const struct mxt_strmap *m,
    const char *key, size_t len);
/* Finds or adds key (*added tells); NULL when the cap refuses a new key.
 * Slot pointers are valid until the next put. */
struct mxt_strmap_slot *mxt_strmap_put(struct mxt_strmap *m, const char *key,
    size_t len, bool *added);
void mxt_strmap_remove(struct mxt_strmap *m, struct mxt_strmap_slot *s);
/* The slots in byte order of their keys (*n of them, NULL after the
 * last): a malloc'd array the caller frees. */
const struct mxt_strmap_slot **mxt_strmap_sorted(const struct mxt_strmap *m,
    size_t *n);

#endif
