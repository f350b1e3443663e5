/*
 * rules_test.c - the rule engine and the rules-file loader: matching
 * conditions, user rules before built-in ones, and every error path of
 * the loader (bad JSON with line and column, unknown cause, pattern that
 * does not compile with the pcre2 offset, wrong types, unknown keys), and
 * rules at scale: 100,000 rules load in linear time, a cache hit names
 * the right rule beyond 65,536 rules, a pattern that hits the match limit
 * is bounded, counted and reported once, and JSON nested 100,000 deep is
 * an error, not a stack overflow. The big files are made at run time.
 */
#include "classify_internal.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The fallback rules the classifier builds from explain.c's table. */
static size_t
builtin_fallbacks(void)
{
	size_t n = 0;
	for (size_t i = 0; i < mxt_dsn_cause_count; i++)
		n += mxt_dsn_causes[i].fallback;
	for (size_t i = 0; i < mxt_reply_cause_count; i++)
		n += mxt_reply_causes[i].fallback;
	return n;
}

static char tmpdir[] = "/tmp/mxt-rules-test-XXXXXX";

static const char *
write_file(const char *name, const char *content)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "w");
	if (fp == NULL)
		return NULL;
	fputs(content, fp);
	fclose(fp);
	return path;
}

struct collected {
	int n;
	struct mxt_error e[16];
};

static void
collect(void *arg, const struct mxt_error *e)
{
	struct collected *c = arg;
	if (c->n < 16)
		c->e[c->n] = *e;
	c->n++;
}

/* ---- matching ---------------------------------------------------------- */

struct match_case {
	const char *name;
	const char *code, *dsn, *contains, *pattern;
	int dir;
	int ev_code;
	const char *ev_dsn;
	int ev_dir;
	const char *text;
	bool want;
};

static const struct match_case match_cases[] = {
	{"code exact", "550", NULL, NULL, NULL, -1, 550, "", 0, "x", true},
	{"code exact other", "550", NULL, NULL, NULL, -1, 551, "", 0, "x",
	    false},
	{"code class", "5xx", NULL, NULL, NULL, -1, 554, "", 0, "x", true},
	{"code class no code", "5xx", NULL, NULL, NULL, -1, 0, "", 0, "x",
	    false},
	{"code 45x", "45x", NULL, NULL, NULL, -1, 452, "", 0, "x", true},
	{"code none", "none", NULL, NULL, NULL, -1, 0, "", 0, "x", true},
	{"code none with code", "none", NULL, NULL, NULL, -1, 421, "", 0, "x",
	    false},
	{"dsn exact", NULL, "5.7.1", NULL, NULL, -1, 0, "5.7.1", 0, "x", true},
	{"dsn exact other", NULL, "5.7.1", NULL, NULL, -1, 0, "5.7.10", 0, "x",
	    false},
	{"dsn prefix", NULL, "4.7.*", NULL, NULL, -1, 0, "4.7.28", 0, "x",
	    true},
	{"dsn any class", NULL, "*.7.26", NULL, NULL, -1, 0, "5.7.26", 0, "x",
	    true},
	{"dsn range in", NULL, "4.7.500-699", NULL, NULL, -1, 0, "4.7.650", 0,
	    "x", true},
	{"dsn range out", NULL, "4.7.500-699", NULL, NULL, -1, 0, "4.7.1", 0,
	    "x", false},
	{"dsn none", NULL, "none", NULL, NULL, -1, 0, "", 0, "x", true},
	{"dsn missing", NULL, "5.7.1", NULL, NULL, -1, 0, "", 0, "x", false},
	{"direction", NULL, NULL, "x", NULL, MXT_DIR_IN, 0, "", MXT_DIR_OUT,
	    "x", false},
	{"contains any", NULL, NULL, "foo|greylisted", NULL, -1, 0, "", 0,
	    "450 4.2.0 GREYLISTED, see", true},
	{"contains none", NULL, NULL, "foo|bar", NULL, -1, 0, "", 0,
	    "nothing here", false},
	{"pattern caseless", NULL, NULL, NULL, "try again later$", -1, 0, "",
	    0, "4.7.1 Try Again Later", true},
	{"pattern and contains", NULL, NULL, "later", "^never", -1, 0, "", 0,
	    "try again later", false},
	{"invalid utf-8 text", NULL, NULL, NULL, "bad.user", -1, 0, "", 0,
	    "550 bad\xff" "user", true},
};

static void
matching(void)
{
	pcre2_match_context *mctx = pcre2_match_context_create(NULL);
	for (size_t i = 0; i < sizeof match_cases / sizeof match_cases[0];
	    i++) {
		const struct match_case *tc = &match_cases[i];
		const char **contains = NULL;
		char *copy = NULL;
		if (tc->contains != NULL) {
			copy = strdup(tc->contains);
			contains = calloc(4, sizeof *contains);
			size_t k = 0;
			for (char *s = strtok(copy, "|"); s && k < 3;
			    s = strtok(NULL, "|"))
				contains[k++] = s;
		}
		struct rule r;
		char eb[256];
		int rc = rule_compile(&r, tc->name, MXT_CAUSE_POLICY, tc->dir,
		    tc->code, tc->dsn, contains, tc->pattern, mctx, eb,
		    sizeof eb);
		if (!test_ok(rc == 0, tc->name, "compile: %s", eb)) {
			rule_free(&r);
			free(copy);
			free(contains);
			continue;
		}
		char lower[256];
		struct rule_subject s = {.dir = tc->ev_dir, .code = tc->ev_code,
		    .text = tc->text, .len = strlen(tc->text)};
		s.has_dsn = tc->ev_dsn[0] && dsn_split(tc->ev_dsn, s.dsn);
		lower_copy(lower, sizeof lower, tc->text, s.len);
		s.lower = lower;
		bool got = rule_match(&r, &s, mctx) == 1;
		test_ok(got == tc->want, tc->name, "got %s, want %s",
		    got ? "match" : "no match", tc->want ? "match" : "no match");
		rule_free(&r);
		free(copy);
		free(contains);
	}
	pcre2_match_context_free(mctx);
}

static void
compile_errors(void)
{
	static const struct {
		const char *name, *code, *dsn, *pattern, *want;
	} cases[] = {
		{"bad code", "55", NULL, NULL, "is not a reply code"},
		{"bad code letter", "5a0", NULL, NULL, "is not a reply code"},
		{"bad dsn", NULL, "5.7", NULL, "is not an enhanced status code"},
		{"bad dsn class", NULL, "3.1.1", NULL,
		    "is not an enhanced status code"},
		{"bad range", NULL, "4.7.600-500", NULL,
		    "is not an enhanced status code"},
		{"bad pattern", NULL, NULL, "(unclosed",
		    "pattern does not compile at offset 9"},
		{"no condition", NULL, NULL, NULL, "rule has no condition"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rule r;
		char eb[256] = "";
		int rc = rule_compile(&r, cases[i].name, MXT_CAUSE_OTHER, -1,
		    cases[i].code, cases[i].dsn, NULL, cases[i].pattern, NULL,
		    eb, sizeof eb);
		test_ok(rc == -1 && strstr(eb, cases[i].want) != NULL,
		    cases[i].name, "got rc %d '%s', want -1 and '%s'", rc, eb,
		    cases[i].want);
		rule_free(&r);
	}
}

/* ---- the loader --------------------------------------------------------- */

static const struct {
	const char *name;
	const char *json;
	int nerrors;
	long line, column; /* of the first error; -1 = do not check */
	const char *want;  /* substring of the first error's text */
} load_cases[] = {
	{"valid", "{\"rules\": [{\"name\": \"a\", \"cause\": \"policy\", "
	    "\"contains\": \"x\"}], \"providers\": [{\"name\": \"acme\", "
	    "\"match\": [\"acme.example\", \"*.acme-mx.net\"]}], "
	    "\"comment\": \"ok\"}", 0, -1, -1, ""},
	{"bad json", "{\"rules\": [\n  {\"name\": \"a\",\n  }\n]}\n", 1, 3, 3,
	    "invalid JSON"},
	{"trailing garbage", "{\"rules\": []} x", 1, 1, -1, "invalid JSON"},
	{"duplicate key", "{\"rules\": [], \"rules\": []}", 1, 1, -1,
	    "invalid JSON"},
	{"empty file", "", 1, -1, -1, "invalid JSON"},
	{"top-level array", "[1, 2]", 1, 1, 1, "expected an object"},
	{"unknown top-level key", "{\"rulez\": []}", 1, 1, 1,
	    "unknown top-level key \"rulez\""},
	{"rules not array", "{\"rules\": {}}", 1, 1, 1,
	    "\"rules\" is an object, expected an array"},
	{"rule not object", "{\"rules\": [\n 7]}", 1, 2, 2,
	    "rules[0]: is an integer"},
	{"unknown cause", "{\"rules\": [\n\n  {\"name\": \"s\", \"cause\": "
	    "\"spam\", \"contains\": \"x\"}]}", 1, 3, 3,
	    "unknown cause \"spam\" (expected a cause id"},
	{"cause none", "{\"rules\": [{\"name\": \"s\", \"cause\": \"none\", "
	    "\"contains\": \"x\"}]}", 1, 1, 12, "unknown cause \"none\""},
	{"cause wrong type", "{\"rules\": [{\"name\": \"s\", \"cause\": 5, "
	    "\"contains\": \"x\"}]}", 1, -1, -1,
	    "\"cause\" is an integer, expected a cause id string"},
	{"missing cause", "{\"rules\": [{\"name\": \"s\", \"contains\": \"x\"}]}",
	    1, -1, -1, "missing \"cause\""},
	{"missing name", "{\"rules\": [{\"cause\": \"dns\", \"contains\": "
	    "\"x\"}]}", 1, -1, -1, "rules[0]: missing \"name\""},
	{"name wrong type", "{\"rules\": [{\"name\": [], \"cause\": \"dns\", "
	    "\"contains\": \"x\"}]}", 1, -1, -1, "\"name\" is an array"},
	{"duplicate name", "{\"rules\": [{\"name\": \"a\", \"cause\": \"dns\", "
	    "\"code\": \"4xx\"}, {\"name\": \"a\", \"cause\": \"dns\", "
	    "\"code\": \"5xx\"}]}", 1, -1, -1, "name used twice"},
	{"bad pattern", "{\"rules\": [\n{\"name\": \"p\", \"cause\": \"dns\", "
	    "\"pattern\": \"a(b\"}]}", 1, 2, 1,
	    "rules[0] \"p\": pattern does not compile at offset 3"},
	{"pattern wrong type", "{\"rules\": [{\"name\": \"p\", \"cause\": "
	    "\"dns\", \"pattern\": true}]}", 2, -1, -1,
	    "\"pattern\" is a boolean, expected a string"},
	{"contains wrong type", "{\"rules\": [{\"name\": \"c\", \"cause\": "
	    "\"dns\", \"contains\": 7}]}", 2, -1, -1,
	    "\"contains\" is an integer"},
	{"contains empty array", "{\"rules\": [{\"name\": \"c\", \"cause\": "
	    "\"dns\", \"contains\": []}]}", 2, -1, -1, "\"contains\" is an array"},
	{"code wrong type", "{\"rules\": [{\"name\": \"c\", \"cause\": "
	    "\"dns\", \"code\": 4.5}]}", 2, -1, -1, "\"code\" is a number"},
	{"code integer", "{\"rules\": [{\"name\": \"c\", \"cause\": \"dns\", "
	    "\"code\": 451}]}", 0, -1, -1, ""},
	{"bad code value", "{\"rules\": [{\"name\": \"c\", \"cause\": \"dns\", "
	    "\"code\": \"6xx\"}]}", 1, -1, -1, "is not a reply code"},
	{"bad dsn value", "{\"rules\": [{\"name\": \"c\", \"cause\": \"dns\", "
	    "\"dsn\": \"5.x\"}]}", 1, -1, -1, "is not an enhanced status code"},
	{"bad direction", "{\"rules\": [{\"name\": \"c\", \"cause\": \"dns\", "
	    "\"direction\": \"up\", \"code\": \"4xx\"}]}", 1, -1, -1,
	    "\"direction\" must be"},
	{"unknown rule key", "{\"rules\": [{\"name\": \"c\", \"cause\": \"dns\", "
	    "\"code\": \"4xx\", \"text\": \"x\"}]}", 1, -1, -1,
	    "unknown key \"text\""},
	{"no condition", "{\"rules\": [{\"name\": \"c\", \"cause\": \"dns\"}]}",
	    1, -1, -1, "rule has no condition"},
	{"provider bad match", "{\"providers\": [{\"name\": \"x\", \"match\": "
	    "\"ex*ample.com\"}]}", 1, 1, 16, "'*' is allowed only"},
	{"provider no match", "{\"providers\": [{\"name\": \"x\"}]}", 1, -1, -1,
	    "\"match\" must be"},
	{"provider upper case", "{\"providers\": [{\"name\": \"x\", \"match\": "
	    "\"Example.COM\"}]}", 1, -1, -1, "only lower-case"},
	{"several errors", "{\"rules\": [\n{\"name\": \"a\", \"cause\": "
	    "\"nope\", \"contains\": \"x\"},\n{\"name\": \"b\", \"cause\": "
	    "\"dns\", \"pattern\": \"(\"},\n{\"name\": \"c\", \"cause\": "
	    "\"dns\", \"code\": \"4xx\"}]}", 2, 2, 1, "unknown cause"},
};

static void
loader(void)
{
	for (size_t i = 0; i < sizeof load_cases / sizeof load_cases[0]; i++) {
		const char *path = write_file("rules.json", load_cases[i].json);
		struct collected got = {0};
		int n = mxt_rules_check(path, collect, &got);
		test_int(load_cases[i].name, "errors", n, load_cases[i].nerrors);
		if (load_cases[i].nerrors == 0 || got.n == 0)
			continue;
		const struct mxt_error *e = &got.e[0];
		test_ok(strstr(e->text, load_cases[i].want) != NULL,
		    load_cases[i].name, "got '%s', want it to contain '%s'",
		    e->text, load_cases[i].want);
		test_ok(strcmp(e->source, path) == 0, load_cases[i].name,
		    "got source '%s', want '%s'", e->source, path);
		if (load_cases[i].line >= 0)
			test_int(load_cases[i].name, "line", e->line,
			    load_cases[i].line);
		if (load_cases[i].column >= 0)
			test_int(load_cases[i].name, "column", e->column,
			    load_cases[i].column);
	}
	/* Every error is reported, in file order. */
	const char *path = write_file("rules.json",
	    load_cases[sizeof load_cases / sizeof load_cases[0] - 1].json);
	struct collected got = {0};
	mxt_rules_check(path, collect, &got);
	test_ok(got.n == 2 && got.e[1].line == 3 &&
	    strstr(got.e[1].text, "rules[1] \"b\": pattern does not compile at "
	    "offset 1") != NULL, "second error reported with its position",
	    "got %d errors, second '%s' at line %ld", got.n,
	    got.n > 1 ? got.e[1].text : "", got.n > 1 ? got.e[1].line : 0L);

	struct collected missing = {0};
	char nofile[600];
	snprintf(nofile, sizeof nofile, "%s/does-not-exist.json", tmpdir);
	test_int("missing file", "errors",
	    mxt_rules_check(nofile, collect, &missing), 1);
	test_ok(missing.n == 1 && strstr(missing.e[0].text, "cannot open") &&
	    strstr(missing.e[0].text, "No such file"), "missing file",
	    "got '%s'", missing.n ? missing.e[0].text : "");

	/* mxt_classifier_create fails with the first error. */
	path = write_file("bad.json", "{\"rules\": [\n {\"name\": \"x\", "
	    "\"cause\": \"dns\", \"pattern\": \"[\"}]}");
	struct mxt_error err;
	struct mxt_classifier *c = mxt_classifier_create(path, &err);
	test_ok(c == NULL && err.line == 2 && strstr(err.text, "offset 1"),
	    "create with a bad file", "got %p, line %ld, '%s'", (void *)c,
	    err.line, err.text);
	mxt_classifier_destroy(c);
}

static void
user_rules_first(void)
{
	const char *path = write_file("user.json",
	    "{\"rules\": [\n"
	    "  {\"name\": \"my-tss04\", \"cause\": \"blocklist\",\n"
	    "   \"direction\": \"out\", \"dsn\": \"4.7.0\",\n"
	    "   \"contains\": [\"[tss04]\"], \"comment\": \"local view\"},\n"
	    "  {\"name\": \"corp-filter\", \"cause\": \"content\",\n"
	    "   \"code\": \"5xx\", \"pattern\": \"CorpFilter says no\"}\n"
	    "],\n"
	    "\"providers\": [{\"name\": \"acme\", \"match\": \"acme-mx.net\"}]}\n");
	struct mxt_error err;
	struct mxt_classifier *c = mxt_classifier_create(path, &err);
	if (!test_ok(c != NULL, "user rules load", "%s:%ld: %s", err.source,
	    err.line, err.text))
		return;
	struct mxt_rule_info ri;
	mxt_classifier_rule(c, 0, &ri);
	test_ok(strcmp(ri.name, "my-tss04") == 0 && ri.line == 2 &&
	    ri.column == 3 && strcmp(ri.origin, path) == 0,
	    "user rule listed first with its position", "got %s at %ld:%ld",
	    ri.name, ri.line, ri.column);
	test_int("rule count", "n", (long long)mxt_classifier_rule_count(c),
	    (long long)(mxt_builtin_rule_count + builtin_fallbacks()) + 2);

	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.status = MXT_STATUS_DEFERRED;
	ev.direction = MXT_DIR_OUT;
	ev.code = 421;
	snprintf(ev.dsn, sizeof ev.dsn, "4.7.0");
	const char *t = "host mta5.am0.yahoodns.net[67.195.204.72] said: 421 "
	    "4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred";
	ev.text = mxt_str_make(t, strlen(t));
	const char *rule;
	test_str("user rule wins", "cause",
	    mxt_cause_id(mxt_classify_rule(c, &ev, &rule)), 9, "blocklist");
	test_str("user rule wins", "rule", rule, strlen(rule), "my-tss04");
	ev.direction = MXT_DIR_IN; /* user rule is out-only */
	test_str("built-in after user", "cause",
	    mxt_cause_id(mxt_classify(c, &ev)), 10, "rate_limit");
	ev.code = 550;
	ev.dsn[0] = '\0';
	t = "550 corpfilter SAYS NO";
	ev.text = mxt_str_make(t, strlen(t));
	test_str("user pattern caseless", "cause",
	    mxt_cause_id(mxt_classify(c, &ev)), 7, "content");
	const char *p = mxt_provider_of(c, mxt_str_make("example.org", 11),
	    mxt_str_make("mx1.acme-mx.net", 15));
	test_str("user provider", "provider", p, p ? strlen(p) : 0, "acme");
	mxt_classifier_destroy(c);
}

static void
format_output(void)
{
	struct mxt_error err;
	struct mxt_classifier *c = mxt_classifier_create(NULL, &err);
	char *t = mxt_rules_format(c, false);
	test_ok(strstr(t, "postfix-suspended") != NULL &&
	    strstr(t, "first match wins") != NULL, "rules table",
	    "table lacks the first rule or the order note");
	free(t);
	t = mxt_rules_format(c, true);
	test_ok(strstr(t, "\"schema\": \"mxtriage.rules/1\"") != NULL &&
	    strstr(t, "\"providers\"") != NULL, "rules json",
	    "json lacks schema or providers");
	free(t);
	mxt_classifier_destroy(c);
}

/* ---- rules at scale --------------------------------------------------- */

/* Writes a rules file of n rules named "r<i>", each deciding on the
 * literal "k<i>k" (fixed width, so no needle is a prefix of another). */
static const char *
write_many_rules(const char *name, size_t n)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *fp = fopen(path, "w");
	if (fp == NULL)
		return NULL;
	fputs("{\"rules\": [\n", fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "  {\"name\": \"r%06zu\", \"cause\": \"%s\", "
		    "\"contains\": \"k%06zuk\"}%s\n", i,
		    i % 2 ? "policy" : "content", i, i + 1 < n ? "," : "");
	fputs("]}\n", fp);
	fclose(fp);
	return path;
}

static double
cpu_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
ignore_error(void *arg, const struct mxt_error *e)
{
	(void)arg;
	(void)e;
}

/* Loads path with mxt_rules_check; returns CPU seconds, or -1 on errors. */
static double
time_check(const char *path)
{
	double t0 = cpu_seconds();
	int n = mxt_rules_check(path, ignore_error, NULL);
	double t = cpu_seconds() - t0;
	return n == 0 ? t : -1;
}

/*
 * Loading is linear: 100,000 rules cost about ten times 10,000 (the old
 * duplicate-name check made it a hundred times, 10-16 s). CPU time and a
 * generous ratio keep the check steady on a busy or sanitized build.
 */
static void
many_rules_load_fast(void)
{
	const char *p = write_many_rules("small.json", 10000);
	double small = time_check(p);
	p = write_many_rules("big.json", 100000);
	double big = time_check(p);
	test_ok(small >= 0 && big >= 0, "100,000 rules are valid",
	    "errors while loading (%.3f s, %.3f s)", small, big);
	test_ok(big < 30 * (small > 0.001 ? small : 0.001),
	    "100,000 rules load in linear time",
	    "10,000 rules took %.3f s, 100,000 took %.3f s (CPU)", small, big);
	test_ok(big < 10, "100,000 rules load in seconds at most",
	    "took %.3f s (CPU)", big);
	printf("# 10,000 rules: %.3f s, 100,000 rules: %.3f s (CPU)\n",
	    small, big);

	/* A duplicate name far down the file is still found. */
	FILE *fp = fopen(p, "r+");
	if (fp != NULL) {
		fseek(fp, 0, SEEK_END);
		long end = ftell(fp);
		fseek(fp, end - 4, SEEK_SET); /* over "}\n]}\n": keep "}" */
		fputs(",\n  {\"name\": \"r000007\", \"cause\": \"dns\", "
		    "\"code\": \"4xx\"}\n]}\n", fp);
		fclose(fp);
		struct collected got = {0};
		int n = mxt_rules_check(p, collect, &got);
		test_ok(n == 1 && strstr(got.e[0].text, "rules[100000] "
		    "\"r000007\": name used twice") != NULL &&
		    got.e[0].line == 100002,
		    "duplicate name among 100,000 rules", "got %d errors, "
		    "first '%s' at line %ld", n, got.n ? got.e[0].text : "",
		    got.n ? got.e[0].line : 0L);
	}
}

/* Classifies a deferral whose text holds "k<i>k" twice (the second time
 * from the cache) and checks the rule named both times. */
static void
check_named(struct mxt_classifier *c, size_t i)
{
	char text[64], name[32], label[96];
	snprintf(text, sizeof text, "451 4.7.1 k%06zuk here", i);
	snprintf(name, sizeof name, "r%06zu", i);
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.status = MXT_STATUS_DEFERRED;
	ev.direction = MXT_DIR_OUT;
	ev.code = 451;
	snprintf(ev.dsn, sizeof ev.dsn, "4.7.1");
	ev.text = mxt_str_make(text, strlen(text));
	const char *want_cause = i % 2 ? "policy" : "content";
	for (int pass = 0; pass < 2; pass++) {
		struct mxt_classify_stats before, after;
		mxt_classifier_stats(c, &before);
		const char *rule = "";
		const char *cause = mxt_cause_id(mxt_classify_rule(c, &ev,
		    &rule));
		mxt_classifier_stats(c, &after);
		snprintf(label, sizeof label, "rule %zu of 70,000, %s", i + 1,
		    pass ? "from the cache" : "first lookup");
		test_str(label, "rule", rule, strlen(rule), name);
		test_str(label, "cause", cause, strlen(cause), want_cause);
		test_int(label, "cache hits", (long long)(after.hits -
		    before.hits), pass);
	}
}

/* A cache hit beyond 32,767 (int16_t) and 65,535 (uint16_t) rules names
 * the rule that decided, not one 65,536 places away or none. */
static void
many_rules_cache(void)
{
	const char *p = write_many_rules("70k.json", 70000);
	struct mxt_error err;
	struct mxt_classifier *c = mxt_classifier_create(p, &err);
	if (!test_ok(c != NULL, "70,000 rules load", "%s:%ld: %s",
	    err.source, err.line, err.text))
		return;
	test_int("70,000 rules", "count", (long long)
	    mxt_classifier_rule_count(c),
	    70000 + (long long)(mxt_builtin_rule_count + builtin_fallbacks()));
	static const size_t at[] = {5, 32767, 32768, 40001, 65535, 65536,
	    65541, 69999};
	for (size_t k = 0; k < sizeof at / sizeof at[0]; k++)
		check_named(c, at[k]);
	mxt_classifier_destroy(c);
}

struct warnings {
	int n;
	struct mxt_error first;
};

static void
collect_warning(void *arg, const struct mxt_error *e)
{
	struct warnings *w = arg;
	if (w->n++ == 0)
		w->first = *e;
}

/*
 * "(a+)+$" against a run of 'a' and a 'b' backtracks exponentially: the
 * match gives up at the limit, quickly; the text counts as not matching
 * the rule (the built-in rules decide), the hit is counted and the
 * warning names the rule and its place once, however many texts hit it.
 */
static void
match_limit(void)
{
	const char *path = write_file("slow.json", "{\"rules\": [\n"
	    "  {\"name\": \"fine\", \"cause\": \"dns\", \"code\": \"599\"},\n"
	    "  {\"name\": \"slow\", \"cause\": \"policy\",\n"
	    "   \"pattern\": \"(a+)+$\"}\n]}\n");
	struct mxt_error err;
	struct mxt_classifier *c = mxt_classifier_create(path, &err);
	if (!test_ok(c != NULL, "slow pattern loads", "%s:%ld: %s",
	    err.source, err.line, err.text))
		return;
	struct warnings w = {0};
	mxt_classifier_set_warning(c, collect_warning, &w);
	size_t n = 30000;
	char *text = malloc(n + 64);
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.status = MXT_STATUS_DEFERRED;
	ev.direction = MXT_DIR_OUT;
	ev.source = "mail.log";
	double t0 = cpu_seconds();
	for (int k = 0; k < 3; k++) {
		int len = snprintf(text, 64, "450 greylisted %d ", k);
		memset(text + len, 'a', n);
		text[len + n] = 'b';
		ev.text = mxt_str_make(text, (size_t)len + n + 1);
		ev.line_no = 10 + k;
		const char *rule = "";
		const char *cause = mxt_cause_id(mxt_classify_rule(c, &ev,
		    &rule));
		test_str("text past the match limit", "decided by", rule,
		    strlen(rule), "greylisting");
		test_str("text past the match limit", "cause", cause,
		    strlen(cause), "greylisting");
	}
	double t = cpu_seconds() - t0;
	test_ok(t < 5, "match limit bounds the time", "3 texts took %.3f s", t);
	struct mxt_classify_stats st;
	mxt_classifier_stats(c, &st);
	test_int("match limit", "hits counted", (long long)st.limit_hits, 3);
	struct mxt_rule_info ri;
	mxt_classifier_rule(c, 1, &ri);
	test_int("match limit", "hits of the rule", (long long)ri.limit_hits,
	    3);
	mxt_classifier_rule(c, 0, &ri);
	test_int("match limit", "hits of another rule",
	    (long long)ri.limit_hits, 0);
	test_int("match limit", "warnings (once per rule)", w.n, 1);
	test_ok(strcmp(w.first.source, path) == 0 && w.first.line == 3 &&
	    w.first.column == 3, "match limit warning names the rule's place",
	    "got %s:%ld:%ld", w.first.source, w.first.line, w.first.column);
	test_ok(strstr(w.first.text, "rule \"slow\"") != NULL &&
	    strstr(w.first.text, "mail.log line 10") != NULL &&
	    strstr(w.first.text, "match limit") != NULL,
	    "match limit warning names the rule and the text's line",
	    "got '%s'", w.first.text);
	free(text);
	mxt_classifier_destroy(c);
}

/* JSON nested 100,000 deep, in the rules array and inside a rule: a
 * clean error with its position (jansson's depth limit), no crash. */
static void
deep_json(void)
{
	static const struct {
		const char *name, *head, *open, *close, *tail;
	} cases[] = {
		{"100,000 '[' alone", "", "[", "", ""},
		{"100,000 '[' closed", "", "[", "]", ""},
		{"100,000 '{\"a\":' in a rule", "{\"rules\": [{\"name\": \"d\", "
		    "\"cause\": \"dns\", \"code\": \"4xx\", \"comment\": ",
		    "{\"a\": ", "}", "}]}"},
	};
	size_t depth = 100000;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t no = strlen(cases[i].open), nc = strlen(cases[i].close);
		size_t cap = strlen(cases[i].head) + depth * (no + nc) +
		    strlen(cases[i].tail) + 1;
		char *doc = malloc(cap), *q = doc;
		q += sprintf(q, "%s", cases[i].head);
		for (size_t k = 0; k < depth; k++, q += no)
			memcpy(q, cases[i].open, no);
		for (size_t k = 0; k < depth; k++, q += nc)
			memcpy(q, cases[i].close, nc);
		sprintf(q, "%s", cases[i].tail);
		const char *path = write_file("deep.json", doc);
		free(doc);
		struct collected got = {0};
		int n = mxt_rules_check(path, collect, &got);
		test_ok(n == 1 && strstr(got.e[0].text, "invalid JSON") &&
		    strstr(got.e[0].text, "depth") && got.e[0].line == 1 &&
		    got.e[0].column > 0, cases[i].name,
		    "got %d errors, first '%s' at %ld:%ld", n,
		    got.n ? got.e[0].text : "", got.n ? got.e[0].line : 0L,
		    got.n ? got.e[0].column : 0L);
	}
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	matching();
	compile_errors();
	loader();
	user_rules_first();
	format_output();
	many_rules_load_fast();
	many_rules_cache();
	match_limit();
	deep_json();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return test_done();
}
