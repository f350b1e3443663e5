/*
 * fuzz_failon.c - one --fail-on condition: parsed, and when valid,
 * evaluated against an empty summary and one of a small fixed log (a
 * delivery, a deferral still pending, a bounce, a rejection).
 *
 * Checks: an error names a position inside the condition (or just past
 * its end) and says why; the explanation of an evaluation is a
 * NUL-terminated string that starts with the condition (its first 100
 * bytes at least).
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtriage.h"

static struct mxt_summary *empty, *some;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mxt_classifier *c;
	fuzz_setup(&c, NULL);
	empty = fuzz_summary_of(NULL, 0, c, 0);
	some = fuzz_summary_of(fuzz_log_lines, fuzz_nlog_lines, c, 0);
	mxt_classifier_destroy(c);
	return 0;
}

static void
eval(const struct mxt_failon *f, const struct mxt_summary *s,
    const char *expr)
{
	char why[256];
	memset(why, 'x', sizeof why);
	mxt_failon_eval(f, s, why, sizeof why);
	size_t n = strnlen(why, sizeof why);
	/* the condition's own text comes first (a long one may be cut) */
	size_t want = strnlen(expr, 100);
	if (n == 0 || n == sizeof why ||
	    strncmp(why, expr, want < n ? want : n) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *expr = fuzz_string(data, size);
	struct mxt_error err;
	struct mxt_failon *f = mxt_failon_parse(expr, &err);
	if (f == NULL) {
		if (err.column < 1 || (size_t)err.column > strlen(expr) + 1 ||
		    err.text[0] == '\0')
			abort();
	} else {
		eval(f, empty, expr);
		eval(f, some, expr);
		mxt_failon_destroy(f);
	}
	free(expr);
	return 0;
}
