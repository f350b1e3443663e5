/*
 * testutil.h - the tiny harness of the unit tests: TAP output, got/want
 * messages, a non-zero exit status when anything failed.
 */
#ifndef MXT_TESTUTIL_H
#define MXT_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "mxtriage.h"

extern int test_failures;

/* Reports one check; returns ok. */
bool test_ok(bool ok, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool test_str(const char *name, const char *field, const char *got,
    size_t got_len, const char *want);
bool test_int(const char *name, const char *field, long long got,
    long long want);
/* Keeps the last event of a pass (with copies of its strings) and counts
 * events and unparsed lines: the callbacks of the parser tests. */
struct test_capture {
	int events, unparsed;
	struct mxt_event last;
	const char *reason; /* of the last unparsed line */
	char text[4096], recipient[512], domain[256], sender[512];
	char relay[256], relay_ip[128], service[128], queue_id[64], host[128];
};
void test_capture_event(void *capture, const struct mxt_event *ev);
void test_capture_unparsed(void *capture, const char *source, long line_no,
    const char *reason, const char *line, size_t len);

/* The fields a parser test expects of an event; NULL time/host are not
 * checked (delay is checked by the tests that log it). */
struct test_want {
	const char *status; /* NULL = no event expected */
	const char *service, *queue_id, *direction, *recipient, *domain;
	const char *sender, *relay, *relay_ip;
	int port, code;
	const char *dsn, *phase, *text; /* text NULL = not checked */
	const char *time;   /* ISO form, NULL = not checked */
	const char *host;   /* NULL = not checked */
	double delay;       /* < 0: none logged */
};
/* Checks every field of ev that w names, one check each. */
void test_event_fields(const char *name, const struct mxt_event *ev,
    const struct test_want *w);

/* An event of host "mx" for the summary tests: status and cause by name
 * (cause NULL: none), the recipient and its domain, the time (UTC) and
 * a reply: 250 when delivered, else "450 try later". Strings are
 * borrowed. */
struct mxt_event test_event(const char *status, const char *cause,
    const char *rcpt, int64_t t);

/* Prints the plan and returns the exit status. */
int test_done(void);

#endif
