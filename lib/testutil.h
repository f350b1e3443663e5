/*
 * testutil.h - the tiny harness of the unit tests: TAP output, got/want
 * messages, a non-zero exit status when anything failed.
 */
#ifndef MXT_TESTUTIL_H
#define MXT_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

extern int test_failures;

/* Reports one check; returns ok. */
bool test_ok(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool test_str(const char *name, const char *field, const char *got,
    size_t got_len, const char *want);
bool test_int(const char *name, const char *field, long long got,
    long long want);
/* Prints the plan and returns the exit status. */
int test_done(void);

#endif
