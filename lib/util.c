/*
 * util.c - allocation wrappers, byte-string helpers, UTF-8 repair and
 * time formatting shared by every module.
 *
 * Log lines are byte strings that may hold anything (NUL bytes, invalid
 * UTF-8), so the helpers here work on (pointer, length) pairs, never on
 * C strings from the log.
 */
#include "internal.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void
out_of_memory(size_t n)
{
	/* The library does not print on ordinary errors; running out of
	 * memory is not one (Postfix mymalloc does the same). */
	fprintf(stderr, "mxtriage: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		out_of_memory(n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (p == NULL)
		out_of_memory(n * size);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		out_of_memory(n);
	return q;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	if (n > 0) /* s may be NULL for an empty string */
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/*
 * How rarely a byte comes in log text, for anchor_of: punctuation other
 * than a space is rarest ("=" of " status=", ":" of " said: "); then the
 * letters, least frequent in English first (capitals rarer than small
 * ones), then digits (times, addresses and ids are full of them); a
 * space never anchors. Bytes not listed (controls, UTF-8) count as rare.
 */
static const unsigned char rarity[256] = {
	['e'] = 10, ['t'] = 11, ['a'] = 12, ['o'] = 13, ['i'] = 14,
	['n'] = 15, ['s'] = 16, ['h'] = 17, ['r'] = 18, ['d'] = 19,
	['l'] = 20, ['c'] = 21, ['u'] = 22, ['m'] = 23, ['w'] = 24,
	['f'] = 25, ['g'] = 26, ['y'] = 27, ['p'] = 28, ['b'] = 29,
	['v'] = 30, ['k'] = 31, ['j'] = 32, ['x'] = 33, ['q'] = 34,
	['z'] = 35,
	['E'] = 40, ['T'] = 41, ['A'] = 42, ['O'] = 43, ['I'] = 44,
	['N'] = 45, ['S'] = 46, ['H'] = 47, ['R'] = 48, ['D'] = 49,
	['L'] = 50, ['C'] = 51, ['U'] = 52, ['M'] = 53, ['W'] = 54,
	['F'] = 55, ['G'] = 56, ['Y'] = 57, ['P'] = 58, ['B'] = 59,
	['V'] = 60, ['K'] = 61, ['J'] = 62, ['X'] = 63, ['Q'] = 64,
	['Z'] = 65,
	['0'] = 5, ['1'] = 5, ['2'] = 5, ['3'] = 5, ['4'] = 5,
	['5'] = 5, ['6'] = 5, ['7'] = 5, ['8'] = 5, ['9'] = 5,
	[' '] = 1,
};

/* The rank of punctuation and of the bytes the table leaves out. */
#define RARE 255

static inline unsigned
rarity_of(unsigned char c)
{
	return rarity[c] != 0 ? rarity[c] : RARE;
}

/*
 * The byte of b that memchr looks for: the rarest (first of the rarest
 * when they tie). On a needle of words only (" authenticator failed
 * for ") the first letter that is not a space was as common a byte as a
 * line has, and memchr stopped at nearly every word.
 */
static size_t
anchor_of(const char *b, size_t n)
{
	size_t best = 0;
	unsigned r = 0;
	for (size_t k = 0; k < n; k++) {
		unsigned c = rarity_of((unsigned char)b[k]);
		if (c > r) {
			r = c;
			best = k;
			if (c == RARE)
				break;
		}
	}
	return best;
}

/*
 * anchor_of for a needle met before: the needles are nearly all literals
 * and table entries, searched for on every line, and anchor_of reads the
 * whole needle. The last anchors are kept by the needle's address and
 * length (per thread: --jobs). A stale entry (another needle at a freed
 * address) costs nothing but speed: any k < n finds the same leftmost
 * match, since the whole needle is compared around the byte found.
 */
static size_t
anchor_of_cached(const char *b, size_t n)
{
	static _Thread_local struct {
		const char *b;
		size_t n, k;
	} cache[64];
	uintptr_t a = (uintptr_t)b;
	size_t i = (size_t)((a ^ a >> 6 ^ n) & 63);
	if (cache[i].b == b && cache[i].n == n)
		return cache[i].k;
	size_t k = anchor_of(b, n);
	cache[i].b = b;
	cache[i].n = n;
	cache[i].k = k;
	return k;
}

/*
 * glibc's memmem sets up a table for every call, which costs more than the
 * search on the short lines and fields the dialects and rules search,
 * often many times per line: memchr for one byte of the needle (anchor_of)
 * and memcmp at each place it is found is several times quicker there.
 * Candidates come in order, so the first match is the leftmost.
 */
const char *
mxt_find_bytes(const char *p, const char *end, const char *b, size_t n)
{
	if (p >= end)
		return NULL;
	size_t len = (size_t)(end - p);
	if (n == 0)
		return p; /* as memmem */
	if (n > len)
		return NULL;
	size_t k = anchor_of_cached(b, n);
	/* the anchor of a match at start t lies at t + k, t <= end - n */
	const char *q = p + k, *last = end - n + k;
	while (q <= last) {
		q = memchr(q, b[k], (size_t)(last - q) + 1);
		if (q == NULL)
			return NULL;
		if (memcmp(q - k, b, n) == 0)
			return q - k;
		q++;
	}
	return NULL;
}

static inline int
ascii_lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

const char *
find_lit_ci(const char *p, const char *end, const char *lit)
{
	size_t n = strlen(lit);
	int first = ascii_lower((unsigned char)lit[0]);

	for (; p + n <= end; p++) {
		if (ascii_lower((unsigned char)*p) != first)
			continue;
		size_t i = 1;
		while (i < n && ascii_lower((unsigned char)p[i]) ==
		    ascii_lower((unsigned char)lit[i]))
			i++;
		if (i == n)
			return p;
	}
	return NULL;
}

/* is_ascii_alnum (internal.h) */
const unsigned char mxt_alnum_byte[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, ['A'] = 1, ['B'] = 1,
	['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
	['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
	['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
	['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1
};

/* The eight bytes of x with A-Z made a-z, all others as they are: of
 * each byte's low seven bits, adding 0x80 - 'A' sets the top bit from 'A'
 * up and adding 0x7f - 'Z' from past 'Z' (no carry crosses a byte), and a
 * byte from 0x80 is none. */
static inline uint64_t
lower8(uint64_t x)
{
	uint64_t low7 = x & ~HIGHS8;
	uint64_t from_a = low7 + ONES8 * (0x80 - 'A');
	uint64_t past_z = low7 + ONES8 * (0x7f - 'Z');
	uint64_t upper = (from_a ^ past_z) & ~x & HIGHS8;
	return x | upper >> 2;
}

size_t
lower_copy(char *dst, size_t size, const char *s, size_t n)
{
	if (n > size - 1)
		n = size - 1;
	size_t i = 0;
	/* a word at a time: domains and reply texts are lowered for every
	 * event, and the byte loop was a few percent of the report */
	for (uint64_t x; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		x = lower8(x);
		memcpy(dst + i, &x, 8);
	}
	for (; i < n; i++)
		dst[i] = (char)ascii_lower((unsigned char)s[i]);
	dst[n] = '\0';
	return n;
}

/*
 * Howard Hinnant's days_from_civil. Written out instead of calling
 * timegm(3) because it runs for every RFC3339 line and timegm goes through
 * glibc's full mktime normalisation each time; this is a few integer
 * operations and exact for every Gregorian date.
 */
int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

char *
mxt_time_format(const struct mxt_time *t, char *buf, size_t size)
{
	int64_t local = t->sec + t->utcoff;
	int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	int64_t rem = local - days * 86400;
	int y;
	unsigned mo, d;
	char frac[16] = "";
	char zone[16] = "Z";

	civil_from_days(days, &y, &mo, &d);
	if (t->frac_digits > 0)
		snprintf(frac, sizeof frac, ".%0*d", (int)t->frac_digits,
		    (int)t->frac);
	if (t->utcoff != 0) {
		int off = t->utcoff < 0 ? -t->utcoff : t->utcoff;
		snprintf(zone, sizeof zone, "%c%02d:%02d",
		    t->utcoff < 0 ? '-' : '+', off / 3600, off / 60 % 60);
	}
	snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02d%s%s", y, mo, d,
	    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), frac,
	    zone);
	return buf;
}

/*
 * Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0 when it is not valid.
 */
size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (n >= 2 && (s[1] & 0xC0) == 0x80) ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0;
		if (c == 0xED && s[1] > 0x9F)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;
		if (c == 0xF4 && s[1] > 0x8F)
			return 0;
		return 4;
	}
	return 0;
}

size_t
mxt_utf8_sanitize(const char *src, size_t len, char *dst, size_t size)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;

	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq(s + i, len - i);
		const char *put = (const char *)s + i;
		if (k == 0) {
			put = "\xEF\xBF\xBD"; /* U+FFFD */
			k = 3;
			i++;
		} else {
			i += k;
		}
		if (o + k > size - 1)
			break;
		memcpy(dst + o, put, k);
		o += k;
	}
	dst[o] = '\0';
	return o;
}

/*
 * Code points that are valid UTF-8 but must not reach a terminal raw: C1
 * controls, which terminals that accept them as UTF-8 obey like their
 * ESC forms (U+009B is CSI, U+009D OSC, U+0090 DCS), and the characters
 * that reorder or break the displayed line (bidi overrides, embeddings,
 * isolates and marks, "Trojan Source"; line and paragraph separators).
 * Ordered by code point.
 */
static const struct {
	uint32_t lo, hi;
} unsafe_ranges[] = {
	{0x0080, 0x009F}, /* C1 controls */
	{0x061C, 0x061C}, /* ARABIC LETTER MARK */
	{0x200E, 0x200F}, /* LEFT-TO-RIGHT MARK, RIGHT-TO-LEFT MARK */
	{0x2028, 0x2029}, /* LINE SEPARATOR, PARAGRAPH SEPARATOR */
	{0x202A, 0x202E}, /* LRE RLE PDF LRO RLO */
	{0x2066, 0x2069}, /* LRI RLI FSI PDI */
};

static bool
unsafe_code_point(uint32_t c)
{
	for (size_t i = 0; i < sizeof unsafe_ranges / sizeof unsafe_ranges[0];
	    i++)
		if (c >= unsafe_ranges[i].lo && c <= unsafe_ranges[i].hi)
			return true;
	return false;
}

char *
mxt_escape_terminal(const char *src, size_t len, unsigned flags)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	/* at worst 4 bytes out per byte in: "\xNN" for 1 byte; "\u0080" is
	 * 6 for 2, "\u202e" 6 for 3, "\\" 2 for 1 */
	char *out = xmalloc(4 * len + 1), *o = out;

	for (size_t i = 0; i < len;) {
		size_t k = utf8_seq(s + i, len - i);
		uint32_t c = s[i];
		if (k == 2)
			c = (uint32_t)(s[i] & 0x1F) << 6 | (s[i + 1] & 0x3F);
		else if (k == 3)
			c = (uint32_t)(s[i] & 0x0F) << 12 |
			    (uint32_t)(s[i + 1] & 0x3F) << 6 | (s[i + 2] & 0x3F);
		if (k == 0 || (k == 1 && (c < 0x20 || c == 0x7F))) {
			/* a byte of invalid UTF-8, a C0 control, DEL */
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hex[s[i] >> 4];
			*o++ = hex[s[i] & 0xF];
			i++;
		} else if (k == 1 && c == (uint32_t)'\\' &&
		    (flags & MXT_ESCAPE_BACKSLASH)) {
			*o++ = '\\';
			*o++ = '\\';
			i++;
		} else if (k > 1 && k < 4 && unsafe_code_point(c)) {
			*o++ = '\\';
			*o++ = 'u';
			for (int shift = 12; shift >= 0; shift -= 4)
				*o++ = hex[(c >> shift) & 0xF];
			i += k;
		} else {
			memcpy(o, s + i, k);
			o += k;
			i += k;
		}
	}
	*o = '\0';
	return out;
}

void
mxt_buf_printf(struct mxt_buf *b, const char *fmt, ...)
{
	va_list ap;
	for (;;) {
		va_start(ap, fmt);
		int n = vsnprintf(b->p ? b->p + b->len : NULL,
		    b->p ? b->cap - b->len : 0, fmt, ap);
		va_end(ap);
		if (n < 0)
			return;
		if (b->p != NULL && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		b->cap = (b->cap + (size_t)n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
}

char *
mxt_buf_room(struct mxt_buf *b, size_t n)
{
	b->len = 0;
	if (b->p == NULL || b->cap < n + 1) {
		b->cap = n + 1 < 64 ? 64 : 2 * (n + 1);
		free(b->p);
		b->p = xmalloc(b->cap);
	}
	return b->p;
}

void
mxt_buf_append(struct mxt_buf *b, const void *data, size_t n)
{
	if (b->p == NULL || b->cap - b->len < n + 1) {
		size_t want = b->len + n + 1;
		b->cap = want < 64 ? 64 : want * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	if (n > 0) /* data may be NULL for nothing (an absent slice) */
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

char *
mxt_json_text(json_t *root)
{
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (s == NULL)
		out_of_memory(0);
	size_t n = strlen(s);
	char *out = xmalloc(n + 2);
	memcpy(out, s, n);
	memcpy(out + n, "\n", 2);
	free(s);
	return out;
}
