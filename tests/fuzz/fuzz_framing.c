/*
 * fuzz_framing.c - log lines through the header framings and the
 * container prefixes of lib/framing.c (mxt_syslog_parse), one clock for
 * the whole input so that Exim's foreground output ("LOG: MAIN", then the
 * entry indented) spans lines as it does in a container log.
 *
 * The input is split at newlines; each line is handed over in a buffer
 * of exactly its size plus a NUL, as the reader does.
 *
 * Checks: what a line is split into lies inside the line (or is one of
 * the framings' own constant names), and a line read on its own is read
 * the same (time, host, program, pid, message) when a container wraps
 * it: docker compose ("mail-1  | LINE"), kubectl --prefix ("[pod/mail-0/
 * postfix] LINE") and docker --timestamps ("2026-11-23T10:00:01.123456789Z
 * LINE"), each with a fresh clock on both sides; not a line from which a
 * wrapper could make the framing take a timestamp out (rejoin_may_apply).
 * And a traditional or Exim header read after other lines through the one
 * clock is read as it is alone (the times the clock keeps from the line
 * before).
 */
#include "fuzz.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"
#include "internal.h"
#include "mxtriage.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", FUZZ_TZ, 1);
	return 0;
}

/* The clock whose rejoined buffer may hold the parts (a line put together
 * again after a container tool wrote a timestamp into it). */
static const struct mxt_clock *parts_clock;

/* s lies in [line, line + len] (or in the line as put together again), or
 * is a constant of the framings. */
static void
check_str(struct mxt_str s, const char *line, size_t len, const char *what)
{
	if (s.len == 0)
		return;
	if (s.ptr == NULL)
		abort();
	if (s.ptr >= line && s.ptr + s.len <= line + len)
		return;
	/* rejoined holds the line less what was taken out: at most len
	 * bytes (NULs included, so not its strlen) */
	const char *r = parts_clock != NULL ? parts_clock->rejoined : NULL;
	if (r != NULL && s.ptr >= r && s.ptr + s.len <= r + len)
		return;
	if (s.len == MXT_LIT_LEN("exim") && memcmp(s.ptr, "exim", 4) == 0)
		return;
	fprintf(stderr, "%s (%zu bytes) lies outside the line\n", what, s.len);
	abort();
}

static void
check_parts(const struct mxt_logline *ll, const char *line, size_t len)
{
	if ((unsigned)ll->kind >= MXT_HDR_COUNT)
		abort();
	check_str(ll->host, line, len, "host");
	check_str(ll->program, line, len, "program");
	check_str(ll->pid, line, len, "pid");
	check_str(ll->msg, line, len, "message");
	fuzz_touch(ll->msg.ptr, ll->msg.len);
}

static bool
same_str(struct mxt_str a, struct mxt_str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static bool
same_time(const struct mxt_time *a, const struct mxt_time *b)
{
	return a->valid == b->valid && (!a->valid || (a->sec == b->sec &&
	    a->utcoff == b->utcoff));
}

/* line alone and inside the wrapper prefix give the same parts. */
static void
wrapped(const char *prefix, const char *line, size_t len,
    const struct mxt_logline *want)
{
	size_t pn = strlen(prefix);
	char *w = malloc(pn + len + 1);
	if (w == NULL)
		abort();
	memcpy(w, prefix, pn);
	memcpy(w + pn, line, len);
	w[pn + len] = '\0';
	struct mxt_clock c;
	struct mxt_logline ll;
	mxt_clock_init(&c, 0, FUZZ_NOW);
	bool ok = mxt_syslog_parse(&c, w, pn + len, &ll);
	parts_clock = &c;
	if (ok)
		check_parts(&ll, w, pn + len);
	if (!ok || ll.kind != want->kind || !same_time(&ll.time, &want->time) ||
	    !same_str(ll.host, want->host) ||
	    !same_str(ll.program, want->program) ||
	    !same_str(ll.pid, want->pid) || !same_str(ll.msg, want->msg)) {
		fprintf(stderr, "\"%s\" + the line is read otherwise than the "
		    "line (parsed %d, kind %d/%d, message %zu/%zu bytes)\n",
		    prefix, ok, ll.kind, want->kind, ll.msg.len,
		    want->msg.len);
		abort();
	}
	free(w);
}

/* A line read after others through one clock is read as it is alone:
 * the time the clock keeps from the line before (syslog.c's traditional
 * time, framing_exim.c's own_time) gives the line's own reading. */
static void
same_alone(const char *line, size_t len, const struct mxt_logline *want)
{
	struct mxt_clock c;
	struct mxt_logline ll;
	mxt_clock_init(&c, 0, FUZZ_NOW);
	bool ok = mxt_syslog_parse(&c, line, len, &ll);
	if (!ok || ll.kind != want->kind || !same_time(&ll.time, &want->time) ||
	    ll.time.frac != want->time.frac ||
	    ll.time.frac_digits != want->time.frac_digits ||
	    !same_str(ll.host, want->host) ||
	    !same_str(ll.program, want->program) ||
	    !same_str(ll.pid, want->pid) || !same_str(ll.msg, want->msg)) {
		fprintf(stderr, "a line after others is read otherwise than "
		    "alone (parsed %d, kind %d/%d, time %lld/%lld)\n", ok,
		    ll.kind, want->kind, (long long)ll.time.sec,
		    (long long)want->time.sec);
		abort();
	}
}

/* "SERVICE  | " at the start: the line is itself wrapped. */
static bool
looks_compose(const char *p, size_t len)
{
	size_t i = 0;
	while (i < len && (strchr("_-.", p[i]) != NULL || (p[i] >= 'a' &&
	    p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= '0' &&
	    p[i] <= '9')) && p[i] != '\0')
		i++;
	if (i == 0 || i >= len || p[i] != ' ')
		return false;
	while (i < len && p[i] == ' ')
		i++;
	return i < len && p[i] == '|';
}

/* An RFC 3339 time with its zone and a space at the start: docker's
 * form, which the framing may take off a line of its own. */
static bool
starts_zoned_time(const char *p, size_t len)
{
	struct mxt_time t;
	bool had_zone;
	const char *q = p;
	return mxt_framing_iso_time(&q, p + len, 'T', NULL, &t, &had_zone) &&
	    q < p + len && *q == ' ';
}

/*
 * Whether a wrapper could make the framing take a timestamp out of the
 * line (framing.c's rejoin, for podman's pieces): the line holds the
 * docker prefix's day, or starts with a time whose day comes again later.
 * Such a line is read otherwise wrapped than alone, by design.
 */
static bool
rejoin_may_apply(const char *p, size_t len)
{
	if (memmem(p, len, "2026-11-23T", 11) != NULL)
		return true;
	return len > 22 && p[4] == '-' && p[10] == 'T' &&
	    memmem(p + 11, len - 11, p, 11) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mxt_clock clock;
	mxt_clock_init(&clock, 0, FUZZ_NOW);
	size_t nlines = 0;
	size_t at = 0, len;
	for (char *line; (line = fuzz_next_line(data, size, &at, &len));) {
		nlines++;

		struct mxt_logline ll;
		parts_clock = &clock;
		bool fg_before = clock.exim_fg;
		if (mxt_syslog_parse(&clock, line, len, &ll))
			check_parts(&ll, line, len);
		else if (ll.kind != MXT_HDR_NONE)
			abort();
		if (!fg_before && (ll.kind == MXT_HDR_TRADITIONAL ||
		    ll.kind == MXT_HDR_EXIM))
			same_alone(line, len, &ll);

		/* the wrappers, on a line that is read on its own as a
		 * plain line (not itself wrapped, not Exim's foreground
		 * output, which needs the line before); docker's prefix only
		 * on a line that does not start with a zoned time (two times
		 * in front of a line are read as far as the framing goes) */
		struct mxt_clock alone;
		mxt_clock_init(&alone, 0, FUZZ_NOW);
		if (nlines <= 4 && len > 0 && line[0] != '[' &&
		    !rejoin_may_apply(line, len) &&
		    line[0] != '\x1b' && !looks_compose(line, len) &&
		    mxt_syslog_parse(&alone, line, len, &ll) && !alone.exim_fg &&
		    ll.kind != MXT_HDR_EXIM_FG) {
			wrapped("mail-1  | ", line, len, &ll);
			wrapped("[pod/mail-0/postfix] ", line, len, &ll);
			if (!starts_zoned_time(line, len))
				wrapped("2026-11-23T10:00:01.123456789Z ", line,
				    len, &ll);
		}
		free(line);
	}
	return 0;
}
