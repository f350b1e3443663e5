/*
 * explain_test.c - reply code and enhanced code tables, argument parsing
 * and the text/JSON output of `mxtriage explain`.
 */
#include "internal.h"
#include "testutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static void
tables(void)
{
	static const int rfc5321[] = {211, 214, 220, 221, 250, 251, 252, 354,
	    421, 450, 451, 452, 455, 500, 501, 502, 503, 504, 550, 551, 552,
	    553, 554, 555};
	for (size_t i = 0; i < sizeof rfc5321 / sizeof rfc5321[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "reply %d", rfc5321[i]);
		test_ok(mxt_explain_reply(rfc5321[i]) != NULL, name,
		    "got no entry, want one");
	}
	test_ok(mxt_explain_reply(599) == NULL, "reply 599", "got an entry");
	test_ok(strcmp(mxt_explain_reply(556)->reference, "RFC 7504") == 0,
	    "reply 556 reference", "got %s", mxt_explain_reply(556)->reference);

	static const struct {
		const char *dsn, *want_title;
	} dsns[] = {
		{"5.1.1", "Bad destination mailbox address"},
		{"X.1.1", "Bad destination mailbox address"},
		{"4.2.2", "Mailbox full"},
		{"4.3.0", "Other or undefined mail system status"},
		{"4.4.7", "Delivery time expired"},
		{"5.5.3", "Too many recipients"},
		{"5.6.7", "Non-ASCII addresses not permitted"},
		{"4.7.1", "Delivery not authorized, message refused"},
		{"5.7.8", "Authentication credentials invalid"},
		{"5.7.23", "SPF validation failed"},
		{"5.7.26", "Multiple authentication checks failed"},
		{"4.7.28", "Mail flood detected"},
		{"5.7.30", "REQUIRETLS support required"},
		{"5.1.10", "Recipient address has null MX"},
	};
	for (size_t i = 0; i < sizeof dsns / sizeof dsns[0]; i++) {
		const struct mxt_dsn_info *d = mxt_explain_dsn(dsns[i].dsn);
		test_str(dsns[i].dsn, "title", d ? d->title : "",
		    d ? strlen(d->title) : 0, dsns[i].want_title);
	}
	test_ok(mxt_explain_dsn("5.7.999") == NULL, "unregistered dsn",
	    "got an entry");
	test_ok(mxt_explain_dsn("5.7") == NULL, "malformed dsn", "got an entry");
	test_ok(mxt_explain_dsn_class('4') != NULL &&
	    mxt_explain_dsn_class('3') == NULL, "dsn classes", "wrong");
	for (int s = 0; s <= 7; s++)
		test_ok(mxt_explain_dsn_subject(s) != NULL, "dsn subject",
		    "subject %d missing", s);

	enum mxt_cause lc[4];
	size_t n = mxt_explain_likely_causes(451, "4.7.1", lc, 4);
	test_ok(n >= 1 && lc[0] == MXT_CAUSE_POLICY, "likely 451 4.7.1",
	    "got %zu, first %s", n, n ? mxt_cause_id(lc[0]) : "-");
	n = mxt_explain_likely_causes(0, "5.7.26", lc, 4);
	test_ok(n == 1 && lc[0] == MXT_CAUSE_SENDER_AUTH, "likely 5.7.26",
	    "got %zu", n);
	n = mxt_explain_likely_causes(421, NULL, lc, 4);
	test_ok(n >= 1 && lc[0] == MXT_CAUSE_SERVER_BUSY, "likely 421",
	    "got %zu", n);
	n = mxt_explain_likely_causes(0, "4.4.9", lc, 1);
	test_ok(n == 1 && lc[0] == MXT_CAUSE_ROUTING, "likely by subject",
	    "got %zu", n);
}

static void
parsing(void)
{
	static const struct {
		const char *name;
		char *args[3];
		int nargs;
		int want_n;
		enum mxt_explain_kind kind;
		int code;
		const char *dsn;
	} cases[] = {
		{"code", {"451"}, 1, 1, MXT_EXPLAIN_REPLY, 451, ""},
		{"dsn", {"4.7.1"}, 1, 1, MXT_EXPLAIN_DSN, 0, "4.7.1"},
		{"both in one", {"451 4.3.0"}, 1, 1, MXT_EXPLAIN_BOTH, 451,
		    "4.3.0"},
		{"both as two", {"451", "4.3.0"}, 2, 1, MXT_EXPLAIN_BOTH, 451,
		    "4.3.0"},
		{"cause", {"greylisting"}, 1, 1, MXT_EXPLAIN_CAUSE, 0, ""},
		{"X dsn", {"X.7.26"}, 1, 1, MXT_EXPLAIN_DSN, 0, "X.7.26"},
		{"two queries", {"550", "greylisting"}, 2, 2, MXT_EXPLAIN_REPLY,
		    550, ""},
		{"junk", {"hello"}, 1, -1, MXT_EXPLAIN_REPLY, 0, ""},
		{"bad dsn after code", {"451 4.x"}, 1, -1, MXT_EXPLAIN_REPLY, 0,
		    ""},
		{"six digits", {"451451"}, 1, -1, MXT_EXPLAIN_REPLY, 0, ""},
		{"none is not a cause here", {"none"}, 1, -1, MXT_EXPLAIN_REPLY,
		    0, ""},
	};
	/* one classifier for every case (the caller's), as the command
	 * gives it; the calls below make their own */
	struct mxt_classifier *c = mxt_classifier_create(NULL, NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mxt_explain_query q[4];
		struct mxt_error err;
		memset(&err, 0, sizeof err);
		int n = mxt_explain_parse(cases[i].args, cases[i].nargs, q, 4,
		    c, &err);
		test_int(cases[i].name, "queries", n, cases[i].want_n);
		if (n < 0) {
			test_ok(strstr(err.text, "is not a reply code") != NULL,
			    cases[i].name, "got message '%s'", err.text);
			continue;
		}
		test_int(cases[i].name, "kind", q[0].kind, cases[i].kind);
		test_int(cases[i].name, "code", q[0].code, cases[i].code);
		test_str(cases[i].name, "dsn", q[0].dsn, strlen(q[0].dsn),
		    cases[i].dsn);
	}
	mxt_classifier_destroy(c);
}

static void
output(void)
{
	char *args[] = {"451", "4.3.0", "greylisting", "5.7.26"};
	struct mxt_explain_query q[4];
	struct mxt_error err;
	int n = mxt_explain_parse(args, 4, q, 4, NULL, &err);
	test_int("output", "queries", n, 3);
	char *t = mxt_explain_format(q, (size_t)n, false, NULL);
	test_ok(strstr(t, "451:") && strstr(t, "4.3.0:") &&
	    strstr(t, "cause greylisting") && strstr(t, "SPF") &&
	    strstr(t, "likely causes: server_busy"), "text output",
	    "unexpected text:\n%s", t);
	free(t);
	t = mxt_explain_format(q, (size_t)n, true, NULL);
	json_error_t je;
	json_t *root = json_loads(t, 0, &je);
	test_ok(root != NULL, "json output parses", "%s", je.text);
	if (root != NULL) {
		json_t *items = json_object_get(root, "items");
		test_int("json", "items", (long long)json_array_size(items), 3);
		const char *id = json_string_value(json_object_get(
		    json_object_get(json_array_get(items, 1), "cause"), "id"));
		test_str("json", "cause id", id, id ? strlen(id) : 0,
		    "greylisting");
		const char *schema = json_string_value(json_object_get(root,
		    "schema"));
		test_str("json", "schema", schema, schema ? strlen(schema) : 0,
		    "mxtriage.explain/1");
		json_decref(root);
	}
	free(t);
}

static void
causes(void)
{
	for (int c = 1; c < MXT_CAUSE_COUNT; c++) {
		const char *id = mxt_cause_id((enum mxt_cause)c);
		test_ok(id != NULL && mxt_cause_lookup(id) == c, "cause id",
		    "cause %d: id %s does not look up", c, id ? id : "(null)");
		test_ok(mxt_cause_title((enum mxt_cause)c) != NULL &&
		    mxt_cause_explanation((enum mxt_cause)c) != NULL &&
		    mxt_cause_steps((enum mxt_cause)c, MXT_DIR_OUT)[0] != NULL,
		    id ? id : "?", "missing title, explanation or steps");
	}
	test_ok(mxt_cause_id(MXT_CAUSE_NONE) == NULL &&
	    mxt_cause_lookup("none") == MXT_CAUSE_NONE &&
	    mxt_cause_lookup("nonsense") == -1, "cause none", "wrong");
	test_ok(mxt_cause_is_repeat(MXT_CAUSE_SUSPENDED) &&
	    !mxt_cause_is_repeat(MXT_CAUSE_CONNECTION), "repeat flag", "wrong");
	test_str("kind", "greylisting",
	    mxt_cause_kind_name(mxt_cause_kind(MXT_CAUSE_GREYLISTING)), 9,
	    "temporary");
	test_str("kind", "unknown_user",
	    mxt_cause_kind_name(mxt_cause_kind(MXT_CAUSE_UNKNOWN_USER)), 9,
	    "permanent");
	/* The settings named in the SPEC are in the steps. */
	const char *const *st = mxt_cause_steps(MXT_CAUSE_RATE_LIMIT,
	    MXT_DIR_OUT);
	bool conc = false, delay = false, exim = false;
	for (size_t i = 0; st[i]; i++) {
		conc = conc || strstr(st[i], "smtp_destination_concurrency_limit");
		delay = delay || strstr(st[i], "smtp_destination_rate_delay");
		exim = exim || strstr(st[i], "remote_max_parallel");
	}
	test_ok(conc && delay && exim, "rate_limit steps name the settings",
	    "concurrency %d, delay %d, exim %d", conc, delay, exim);
}

int
main(void)
{
	tables();
	parsing();
	output();
	causes();
	return test_done();
}
