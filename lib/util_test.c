/*
 * util_test.c - mxt_escape_terminal, the one escaping of untrusted text
 * before a terminal: every class of byte and code point it must escape,
 * and those it must leave alone, compared byte for byte. mxt_find_bytes
 * against memmem: the leftmost match, whichever byte of the needle it
 * anchors on. lower_copy and scan_to3, a word at a time, against a byte
 * at a time.
 */
#include "internal.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

static const struct {
	const char *name;
	const char *in;
	size_t len; /* 0 = strlen(in) */
	unsigned flags;
	const char *want;
} cases[] = {
	{.name = "plain ASCII", .in = "550 5.1.1 user unknown",
	    .want = "550 5.1.1 user unknown"},
	{.name = "empty", .in = "", .want = ""},
	{.name = "ESC CSI", .in = "a\x1b[31mred", .want = "a\\x1b[31mred"},
	{.name = "OSC 52 with BEL", .in = "\x1b]52;c;SGVsbG8=\x07",
	    .want = "\\x1b]52;c;SGVsbG8=\\x07"},
	{.name = "OSC 8 with ST", .in = "\x1b]8;;http://x\x1b\\link",
	    .want = "\\x1b]8;;http://x\\x1b\\link"},
	{.name = "OSC 8 with ST, backslash escaped",
	    .in = "\x1b]8;;http://x\x1b\\link", .flags = MXT_ESCAPE_BACKSLASH,
	    .want = "\\x1b]8;;http://x\\x1b\\\\link"},
	{.name = "CR overwrite", .in = "ok\rEVIL", .want = "ok\\x0dEVIL"},
	{.name = "tab and newline", .in = "a\tb\nc", .want = "a\\x09b\\x0ac"},
	{.name = "DEL", .in = "a\x7f", .want = "a\\x7f"},
	{.name = "NUL inside", .in = "a\0b", .len = 3, .want = "a\\x00b"},
	{.name = "backslash kept", .in = "C:\\dir /\\btls\\b/",
	    .want = "C:\\dir /\\btls\\b/"},
	{.name = "backslash escaped", .in = "C:\\dir",
	    .flags = MXT_ESCAPE_BACKSLASH, .want = "C:\\\\dir"},
	{.name = "a literal \\x1b is not an ESC", .in = "\\x1b\x1b",
	    .flags = MXT_ESCAPE_BACKSLASH, .want = "\\\\x1b\\x1b"},
	{.name = "C1 CSI as UTF-8", .in = "a\xc2\x9b" "31mred",
	    .want = "a\\u009b31mred"},
	{.name = "C1 OSC as UTF-8", .in = "\xc2\x9d" "52;c;x\xc2\x9c",
	    .want = "\\u009d52;c;x\\u009c"},
	{.name = "first C1", .in = "\xc2\x80", .want = "\\u0080"},
	{.name = "last C1", .in = "\xc2\x9f", .want = "\\u009f"},
	{.name = "U+00A0 is printable", .in = "\xc2\xa0", .want = "\xc2\xa0"},
	{.name = "Latin-1 letter kept", .in = "M\xc3\xbcller",
	    .want = "M\xc3\xbcller"},
	{.name = "RLO", .in = "user\xe2\x80\xaegpj.exe",
	    .want = "user\\u202egpj.exe"},
	{.name = "LRE..RLO", .in = "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac"
	    "\xe2\x80\xad\xe2\x80\xae",
	    .want = "\\u202a\\u202b\\u202c\\u202d\\u202e"},
	{.name = "isolates", .in = "\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8"
	    "\xe2\x81\xa9", .want = "\\u2066\\u2067\\u2068\\u2069"},
	{.name = "U+2065 and U+206A are not bidi", .in = "\xe2\x81\xa5"
	    "\xe2\x81\xaa", .want = "\xe2\x81\xa5\xe2\x81\xaa"},
	{.name = "marks", .in = "\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c",
	    .want = "\\u200e\\u200f\\u061c"},
	{.name = "line and paragraph separators", .in = "\xe2\x80\xa8"
	    "\xe2\x80\xa9", .want = "\\u2028\\u2029"},
	{.name = "U+2029 neighbours kept", .in = "\xe2\x80\xa7\xe2\x80\xaf",
	    .want = "\xe2\x80\xa7\xe2\x80\xaf"},
	{.name = "CJK kept", .in = "\xe4\xb8\xad", .want = "\xe4\xb8\xad"},
	{.name = "emoji kept", .in = "\xf0\x9f\x93\xa7",
	    .want = "\xf0\x9f\x93\xa7"},
	{.name = "lone C1 byte is invalid UTF-8", .in = "\x9b" "31m",
	    .want = "\\x9b31m"},
	{.name = "overlong C1", .in = "\xe0\x82\x9b",
	    .want = "\\xe0\\x82\\x9b"},
	{.name = "overlong ESC", .in = "\xc0\x9b", .want = "\\xc0\\x9b"},
	{.name = "surrogate", .in = "\xed\xa0\x80",
	    .want = "\\xed\\xa0\\x80"},
	{.name = "cut sequence at the end", .in = "ab\xe2\x80",
	    .want = "ab\\xe2\\x80"},
	{.name = "cut C1 at the end", .in = "ab\xc2", .want = "ab\\xc2"},
	{.name = "above U+10FFFF", .in = "\xf4\x90\x80\x80",
	    .want = "\\xf4\\x90\\x80\\x80"},
	{.name = "Latin-1 byte", .in = "caf\xe9", .want = "caf\\xe9"},
};

/* A haystack of few distinct bytes, so needles match often and in many
 * places, overlapping too (xorshift: the same bytes on every run). The
 * needles share one buffer: a needle of a length met before finds the
 * anchor of another needle in mxt_find_bytes's cache, which must still
 * give the leftmost match. */
static void
run_find_bytes(void)
{
	static const char alphabet[] = "aab ,=:Ff\x80";
	uint64_t x = 88172645463325252ull;
	char hay[256], needle[16];
	long wrong = 0, tried = 0;
	for (int round = 0; round < 20000; round++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t hn = x % sizeof hay, nn = 1 + (x >> 16) % sizeof needle;
		for (size_t i = 0; i < hn; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			hay[i] = alphabet[x % (sizeof alphabet - 1)];
		}
		/* half the needles are cut from the haystack: they match */
		size_t from = hn > nn ? (x >> 8) % (hn - nn + 1) : 0;
		for (size_t i = 0; i < nn; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			needle[i] = round % 2 && hn >= nn ? hay[from + i] :
			    alphabet[x % (sizeof alphabet - 1)];
		}
		const char *want = memmem(hay, hn, needle, nn);
		const char *got = mxt_find_bytes(hay, hay + hn, needle, nn);
		tried++;
		if (got != want && wrong++ < 5)
			test_ok(false, "mxt_find_bytes is memmem",
			    "needle \"%.*s\" in \"%.*s\": at %td, want %td",
			    (int)nn, needle, (int)hn, hay, got ? got - hay : -1,
			    want ? want - hay : -1);
	}
	test_ok(wrong == 0, "mxt_find_bytes is memmem", "%ld of %ld differ",
	    wrong, tried);
	/* one address, lengths 64 apart (the cache's slot is the same): the
	 * anchor of the longer needle lies past the shorter one */
	char two[80];
	memset(two, 'a', sizeof two);
	two[70] = 'Z';
	const char *hay2 = "aaaaaaaaaZ";
	test_ok(mxt_find_bytes(two, two + sizeof two, two, 71) == two,
	    "a needle of 71 bytes", "not found in itself");
	test_int("a needle of 7 bytes at the same address", "offset",
	    mxt_find_bytes(hay2, hay2 + strlen(hay2), two, 7) - hay2, 0);
	/* words only: the anchor is a rare letter, the match the leftmost */
	const char *line = "login authenticator failed for authenticator "
	    "failed for H=x";
	const char *w = " authenticator failed for ";
	test_int("words-only needle", "offset", mxt_find_bytes(line,
	    line + strlen(line), w, strlen(w)) - line, 5);
}

/* lower_copy lowers a word at a time: every byte value in every place of
 * a word and in the tail, against the byte at a time. */
static void
run_lower_copy(void)
{
	char in[20], out[21], want[21];
	long wrong = 0;
	for (int c = 0; c < 256; c++)
		for (size_t at = 0; at < sizeof in; at++) {
			memset(in, 'Q', sizeof in);
			in[at] = (char)c;
			size_t n = lower_copy(out, sizeof out, in, sizeof in);
			for (size_t i = 0; i < sizeof in; i++) {
				unsigned char b = (unsigned char)in[i];
				want[i] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
			}
			if (n != sizeof in || memcmp(out, want, sizeof in) != 0 ||
			    out[n] != '\0')
				wrong++;
		}
	test_ok(wrong == 0, "lower_copy lowers A-Z only", "%ld of %d differ",
	    wrong, 256 * (int)sizeof in);
	test_int("lower_copy cuts at the size", "length",
	    (long long)lower_copy(out, 5, "ABCDEFGH", 8), 4);
	test_str("lower_copy cuts at the size", "text", out, strlen(out),
	    "abcd");
}

/* scan_to3 finds the first of its bytes sixteen at a time (SSE2), then
 * a word at a time, then one at a time: the bytes sought, and every other
 * byte value, in every place of a block, of a word and of the tail, alone
 * and after another byte sought (the borrow of the word test flags bytes
 * above a match, never below it), against a byte at a time; also every
 * length up to two blocks and a word and a half, so each of the three
 * loops finds and passes over bytes. */
static void
run_scan_to3(void)
{
	static const unsigned char sets[][3] = {{' ', ' ', ' '},
	    {'[', ':', ' '}, {']', ']', ']'}, {0, 0x80, 0xff}};
	char in[44];
	long wrong = 0, tried = 0;
	for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
		const unsigned char *t = sets[k];
		for (int c = 0; c < 256; c++)
			for (size_t at = 0; at < sizeof in; at++)
				for (size_t at2 = at; at2 <= sizeof in; at2++)
					for (size_t len = at; len <= sizeof in;
					    len++) {
					memset(in, 'Q', sizeof in);
					in[at] = (char)c;
					if (at2 < sizeof in && at2 > at)
						in[at2] = (char)t[at2 % 3];
					const char *want = in;
					while (want < in + len &&
					    (unsigned char)*want != t[0] &&
					    (unsigned char)*want != t[1] &&
					    (unsigned char)*want != t[2])
						want++;
					tried++;
					if (scan_to3(in, in + len, t[0], t[1],
					    t[2]) != want)
						wrong++;
				}
	}
	test_ok(wrong == 0, "scan_to3 stops at the first byte sought",
	    "%ld of %ld differ", wrong, tried);
}

/* is_ascii_alnum against the three ranges, for every byte value (the
 * high half and the bytes next to each range included). */
static void
run_alnum(void)
{
	int wrong = 0, yes = 0;
	for (int c = 0; c < 256; c++) {
		bool want = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z');
		bool got = is_ascii_alnum((char)c);
		yes += got;
		if (got != want && wrong++ == 0)
			printf("# byte 0x%02x: got %d\n", c, got);
	}
	test_int("is_ascii_alnum", "bytes wrong", wrong, 0);
	test_int("is_ascii_alnum", "bytes that are", yes, 62);
}

int
main(void)
{
	run_alnum();
	run_find_bytes();
	run_lower_copy();
	run_scan_to3();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
		char *got = mxt_escape_terminal(cases[i].in, len,
		    cases[i].flags);
		test_str(cases[i].name, "escaped", got, strlen(got),
		    cases[i].want);
		free(got);
	}
	return test_done();
}
