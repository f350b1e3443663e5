/*
 * testutil.c - see testutil.h.
 */
#include "testutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int test_failures;
static int test_count;

bool
test_ok(bool ok, const char *name, const char *fmt, ...)
{
	test_count++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", test_count, name);
	if (!ok) {
		va_list ap;
		test_failures++;
		printf("# ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
	return ok;
}

bool
test_str(const char *name, const char *field, const char *got,
    size_t got_len, const char *want)
{
	bool ok = strlen(want) == got_len &&
	    (got_len == 0 || memcmp(got, want, got_len) == 0);
	char label[512];
	snprintf(label, sizeof label, "%s: %s", name, field);
	return test_ok(ok, label, "got '%.*s', want '%s'", (int)got_len,
	    got ? got : "", want);
}

bool
test_int(const char *name, const char *field, long long got, long long want)
{
	char label[512];
	snprintf(label, sizeof label, "%s: %s", name, field);
	return test_ok(got == want, label, "got %lld, want %lld", got, want);
}

int
test_done(void)
{
	printf("1..%d\n", test_count);
	if (test_failures)
		printf("# %d of %d checks failed\n", test_failures, test_count);
	return test_failures ? 1 : 0;
}
