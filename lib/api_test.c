/*
 * api_test.c - promises of the public header that hold for every
 * function: err may be NULL (the failure still shows in the return
 * value), and the version the library reports is the header's.
 */
#include "mxtriage.h"
#include "testutil.h"

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
	return test_done();
}
