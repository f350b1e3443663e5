/*
 * api_test.c - promises of the public header that hold for every
 * function: err may be NULL (the failure still shows in the return
 * value), and the version the library reports is the header's.
 */
#include "mxtriage.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

static void
on_event(void *arg, const struct mxt_event *ev)
{
}

int
main(void)
{
	int64_t v, since, until;
	test_ok(strcmp(mxt_version(), MXT_VERSION) == 0, "mxt_version",
	    "got '%s', want '%s'", mxt_version(), MXT_VERSION);

	/* every function taking struct mxt_error *err, given NULL */
	test_ok(mxt_reader_open("/nonexistent/mxtriage", NULL) == NULL,
	    "reader_open(err NULL) fails cleanly", "opened");
	struct mxt_pass_config cfg = {.on_event = on_event};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	test_int("pass_read(err NULL)", "return",
	    mxt_pass_read(p, "/nonexistent/mxtriage", NULL), -1);
	mxt_pass_destroy(p);
	test_int("time_parse(err NULL)", "return",
	    mxt_time_parse("not a time", 0, &v, NULL), -1);
	test_int("day_range(err NULL)", "return",
	    mxt_day_range("someday", 0, &since, &until, NULL), -1);
	test_ok(mxt_classifier_create("/nonexistent/rules.json", NULL) == NULL,
	    "classifier_create(err NULL) fails cleanly", "created");
	char *args[] = {"notacode"};
	struct mxt_explain_query q[1];
	test_int("explain_parse(err NULL)", "return",
	    mxt_explain_parse(args, 1, q, 1, NULL, NULL), -1);

	/* an event id as sixteen lower-case hex digits, as printf gives
	 * them: the ends of the range, every digit at every place, and a
	 * random walk */
	uint64_t ids[2 + 16 * 16 + 2000], x = 0x9E3779B97F4A7C15ull;
	size_t n = 0;
	ids[n++] = 0;
	ids[n++] = UINT64_MAX;
	for (int d = 0; d < 16; d++)
		for (int at = 0; at < 16; at++)
			ids[n++] = (uint64_t)d << (4 * at);
	while (n < sizeof ids / sizeof ids[0]) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		ids[n++] = x;
	}
	size_t wrong = 0;
	for (size_t i = 0; i < n; i++) {
		char got[17], want[17];
		snprintf(want, sizeof want, "%016llx",
		    (unsigned long long)ids[i]);
		mxt_event_id_format(ids[i], got);
		if (strcmp(got, want) != 0 && wrong++ == 0)
			fprintf(stderr, "# %s for %s\n", got, want);
	}
	test_ok(wrong == 0, "event_id_format: sixteen hex digits",
	    "%zu of %zu wrong", wrong, n);
	return test_done();
}
