/*
 * classify_test.c - runs the classification corpus (testdata/classify/,
 * format in its README) through the built-in rules: every record must get
 * its cause, and every built-in rule must decide at least one record.
 * Also checks the status shortcuts and the result cache.
 */
#include "classify_internal.h"
#include "testutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct mxt_event
make_event(enum mxt_status st, enum mxt_direction dir, int code,
    const char *dsn, const char *text)
{
	struct mxt_event ev;
	memset(&ev, 0, sizeof ev);
	ev.status = st;
	ev.direction = dir;
	ev.code = code;
	if (dsn != NULL)
		snprintf(ev.dsn, sizeof ev.dsn, "%s", dsn);
	ev.text = mxt_str_make(text, strlen(text));
	return ev;
}

/*
 * Classifies every record of the file (corpus.txt format) and fails on
 * each one that does not get its cause. With check_rules, also fails for
 * every built-in rule that decides no record, and checks precedence: a
 * record decided by a fallback (enhanced or reply code alone) must match
 * no wording rule.
 */
static const char *
rule_name(struct mxt_classifier *c, size_t i)
{
	struct mxt_rule_info ri;
	return mxt_classifier_rule(c, i, &ri) ? ri.name : "";
}

/* A record decided by a fallback rule (explain.c's table) must match no
 * wording rule: specific words always win over codes alone. */
static void
precedence(struct mxt_classifier *c, const struct mxt_event *ev,
    size_t decided, long lineno)
{
	struct mxt_rule_info ri;
	if (!mxt_classifier_rule(c, decided, &ri) ||
	    strcmp(ri.origin, "lib/explain.c") != 0)
		return;
	size_t w = mxt_classifier_first_wording(c, ev);
	char name[80];
	snprintf(name, sizeof name, "precedence, line %ld", lineno);
	test_ok(w == SIZE_MAX, name, "fallback %s decided, but wording rule "
	    "%s matches too", ri.name, w == SIZE_MAX ? "" : rule_name(c, w));
}

static void
run_file(struct mxt_classifier *c, const char *path, long min_records,
    bool check_rules)
{
	FILE *fp = fopen(path, "r");
	if (!test_ok(fp != NULL, "corpus: open", "cannot open %s", path))
		return;
	size_t nrules = mxt_classifier_rule_count(c);
	unsigned *used = calloc(nrules, sizeof *used);
	char line[MXT_LINE_MAX + 256];
	long lineno = 0, records = 0, bad = 0, other = 0;
	while (fgets(line, sizeof line, fp) != NULL) {
		lineno++;
		size_t n = strlen(line);
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		char *f[5], *p = line;
		int k;
		for (k = 0; k < 4; k++) {
			f[k] = p;
			p = strchr(p, '\t');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		if (k < 4) {
			test_ok(false, "corpus: record format",
			    "line %ld: fewer than five TAB-separated fields",
			    lineno);
			bad++;
			continue;
		}
		f[4] = p;
		int want = mxt_cause_lookup(f[0]);
		if (want < 0) {
			test_ok(false, "corpus: cause id", "line %ld: unknown "
			    "cause '%s'", lineno, f[0]);
			bad++;
			continue;
		}
		records++;
		/* "out:DOMAIN": the event's recipient domain (facts such as
		 * a next hop that is not the recipient domain need it) */
		char *domain = strchr(f[3], ':');
		if (domain != NULL)
			*domain++ = '\0';
		struct mxt_event ev = make_event(MXT_STATUS_DEFERRED,
		    strcmp(f[3], "in") == 0 ? MXT_DIR_IN : MXT_DIR_OUT,
		    strcmp(f[1], "-") == 0 ? 0 : atoi(f[1]),
		    strcmp(f[2], "-") == 0 ? NULL : f[2], f[4]);
		if (domain != NULL)
			ev.domain = mxt_str_make(domain, strlen(domain));
		const char *rule;
		size_t ri_index;
		enum mxt_cause got = mxt_classify_index(c, &ev, &ri_index);
		rule = ri_index < nrules ? rule_name(c, ri_index) : "";
		if (ri_index < nrules)
			precedence(c, &ev, ri_index, lineno);
		if (got == MXT_CAUSE_OTHER)
			other++;
		for (size_t i = 0; i < nrules; i++) {
			struct mxt_rule_info ri;
			mxt_classifier_rule(c, i, &ri);
			if (strcmp(ri.name, rule) == 0)
				used[i]++;
		}
		if ((int)got != want) {
			bad++;
			char name[80];
			snprintf(name, sizeof name, "corpus line %ld", lineno);
			test_ok(false, name, "got %s (rule %s), want %s: %.200s",
			    mxt_cause_id(got), rule[0] ? rule : "none", f[0],
			    f[4]);
		}
	}
	fclose(fp);
	char name[160];
	snprintf(name, sizeof name, "%s: every record gets its cause", path);
	test_ok(bad == 0, name, "%ld of %ld records wrong", bad, records);
	snprintf(name, sizeof name, "%s: at least %ld records", path,
	    min_records);
	test_ok(records >= min_records, name, "got %ld", records);
	printf("# %s: %ld records, %ld right (%.1f%%), %ld classified other "
	    "(%.1f%%)\n", path, records, records - bad, records ? 100.0 *
	    (double)(records - bad) / (double)records : 0.0, other, records ?
	    100.0 * (double)other / (double)records : 0.0);
	for (size_t i = 0; check_rules && i < nrules; i++) {
		struct mxt_rule_info ri;
		mxt_classifier_rule(c, i, &ri);
		/* fallbacks: checked code by code in rfc3463_walk */
		if (strcmp(ri.origin, "lib/explain.c") == 0)
			continue;
		char rname[120];
		snprintf(rname, sizeof rname, "rule %s has a corpus line",
		    ri.name);
		test_ok(used[i] > 0, rname, "got 0 records decided by rule %s, "
		    "want at least 1 (add a real line to testdata/classify/)",
		    ri.name);
	}
	free(used);
}

/*
 * RFC 3463 walk: for every registered enhanced code (explain's table)
 * in class 4 and 5, with a text no wording rule knows, the classifier's
 * cause must be the fallback of explain's code -> causes row (or, when
 * the row does not decide, what a provider code or nothing gives), and
 * explain's JSON must name the same cause and rule.
 */
static void
rfc3463_walk(struct mxt_classifier *c)
{
	static const char *const subjects[] = {"0", "1", "2", "3", "4", "5",
	    "6", "7"};
	int walked = 0;
	for (int cls = 4; cls <= 5; cls++) {
		for (size_t s = 0; s < 8; s++) {
			for (int det = 0; det <= 40; det++) {
				char dsn[16];
				snprintf(dsn, sizeof dsn, "%d.%s.%d", cls, subjects[s],
				    det);
				if (mxt_explain_dsn(dsn) == NULL)
					continue;
				walked++;
				struct mxt_event ev = make_event(MXT_STATUS_DEFERRED,
				    MXT_DIR_OUT, 0, dsn, "");
				size_t ri;
				enum mxt_cause got = mxt_classify_index(c, &ev, &ri);
				const struct mxt_code_causes *row =
				    mxt_explain_dsn_row(dsn);
				enum mxt_cause want = row && row->fallback ?
				    row->causes[0] : MXT_CAUSE_OTHER;
				char name[64];
				snprintf(name, sizeof name, "rfc 3463 %s", dsn);
				/* a provider code may decide before the fallback */
				struct mxt_rule_info info;
				bool provider = ri != SIZE_MAX &&
				    mxt_classifier_rule(c, ri, &info) &&
				    strcmp(info.origin, "lib/classify.c") == 0;
				if (!provider)
					test_str(name, "cause", mxt_cause_id(got),
					    strlen(mxt_cause_id(got)), mxt_cause_id(want));
				/* explain says the same, from the same table */
				struct mxt_explain_query q;
				memset(&q, 0, sizeof q);
				q.kind = MXT_EXPLAIN_DSN;
				snprintf(q.dsn, sizeof q.dsn, "%s", dsn);
				char *js = mxt_explain_format(&q, 1, true, NULL);
				json_error_t je;
				json_t *root = json_loads(js, 0, &je);
				const char *ec = json_string_value(json_object_get(
				    json_object_get(json_array_get(json_object_get(root,
				    "items"), 0), "decided"), "cause"));
				test_str(name, "explain's cause", ec ? ec : "",
				    ec ? strlen(ec) : 0, mxt_cause_id(got));
				json_decref(root);
				free(js);
			}
		}
	}
	test_ok(walked >= 80, "rfc 3463 walk", "walked %d codes", walked);
}

static void
status_shortcuts(struct mxt_classifier *c)
{
	struct mxt_event ev = make_event(MXT_STATUS_EXPIRED, MXT_DIR_OUT, 450,
	    "4.7.1", "Greylisted, see http://postgrey.schweikert.ch/");
	test_str("expired status", "cause", mxt_cause_id(mxt_classify(c, &ev)),
	    7, "expired");
	ev.status = MXT_STATUS_DELIVERED;
	test_int("delivered status", "cause", mxt_classify(c, &ev),
	    MXT_CAUSE_NONE);
	ev = make_event(MXT_STATUS_BOUNCED, MXT_DIR_OUT, 0, NULL, "");
	test_int("empty text", "cause", mxt_classify(c, &ev),
	    MXT_CAUSE_OTHER);
}

static void
cache(void)
{
	struct mxt_error err;
	struct mxt_classifier *c = mxt_classifier_create(NULL, &err);
	struct mxt_classify_stats st;
	struct mxt_event ev = make_event(MXT_STATUS_DEFERRED, MXT_DIR_OUT, 421,
	    "4.7.0", "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily "
	    "deferred due to unexpected volume or user complaints");
	for (int i = 0; i < 5; i++)
		mxt_classify(c, &ev);
	mxt_classifier_stats(c, &st);
	test_int("cache", "lookups", (long long)st.lookups, 5);
	test_int("cache", "hits", (long long)st.hits, 4);
	test_int("cache", "entries", (long long)st.entries, 1);
	/* Same text, other direction or code: a different key. */
	ev.direction = MXT_DIR_IN;
	test_int("cache key has direction", "cause", mxt_classify(c, &ev),
	    MXT_CAUSE_RATE_LIMIT);
	ev.code = 0;
	mxt_classify(c, &ev);
	mxt_classifier_stats(c, &st);
	test_int("cache key has code", "hits", (long long)st.hits, 4);
	/* Bounded: many distinct texts never grow it past the table. */
	char text[128];
	for (int i = 0; i < 3 * MXT_CLASSIFY_CACHE; i++) {
		snprintf(text, sizeof text, "550 5.1.1 <u%d@example.com>: "
		    "Recipient address rejected: User unknown", i);
		struct mxt_event e = make_event(MXT_STATUS_BOUNCED, MXT_DIR_OUT,
		    550, "5.1.1", text);
		if (mxt_classify(c, &e) != MXT_CAUSE_UNKNOWN_USER) {
			test_ok(false, "cache churn", "text %s misclassified",
			    text);
			break;
		}
	}
	mxt_classifier_stats(c, &st);
	test_ok(st.entries <= MXT_CLASSIFY_CACHE, "cache is bounded",
	    "got %llu entries, want at most %d",
	    (unsigned long long)st.entries, MXT_CLASSIFY_CACHE);
	/* A hit gives the same answer as a miss. */
	ev = make_event(MXT_STATUS_DEFERRED, MXT_DIR_OUT, 0, "4.4.1",
	    "connect to mx.example.com[192.0.2.9]:25: Connection refused");
	const char *r1, *r2;
	enum mxt_cause a = mxt_classify_rule(c, &ev, &r1);
	enum mxt_cause b = mxt_classify_rule(c, &ev, &r2);
	test_ok(a == b && strcmp(r1, r2) == 0 && a == MXT_CAUSE_CONNECTION,
	    "cache hit equals miss", "got %s/%s then %s/%s", mxt_cause_id(a),
	    r1, mxt_cause_id(b), r2);
	mxt_classifier_destroy(c);
}

/* What rules see (mxt_classify_normalise): each kind of value masked,
 * the words around it lowered, and the look-alikes it must leave. */
static void
normalise(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{"Greylisted, see http://postgrey.example/help/x.example.html.",
		    "greylisted, see %u."},
		{"<User.Name+tag@Example.COM>: Recipient address rejected",
		    "<%a>: recipient address rejected"},
		{"connect to mx1.example.net[2001:db8::1]:25: Connection refused",
		    "connect to %d[%i]:25: connection refused"},
		{"<postmaster>: bare local part, <a> short",
		    "<%a>: bare local part, <%a> short"},
		/* an Exim id has too few digits in a row to be masked */
		{"at 2024-11-01T10:00:00.123Z id 1rAbCd-0001Xy-AB queued as "
		    "4F2A1C0D9E12 session ABC123DEF4567",
		    "at %t id 1rabcd-0001xy-ab queued as %n session %n"},
		/* vendor codes stay; a number needs 4 digits, an id 10
		 * characters with 3 digits, and no '_' after it */
		{"TSS04 S3140 BL000001 rate 12345 over 999 from 192.0.2.10 "
		    "x_1234567", "tss04 s3140 bl000001 rate %n over 999 from %i "
		    "x_1234567"},
		/* a clock time reads as an IPv6 address; "::1" starts no
		 * word */
		{"user@[192.0.2.1] and user@localhost. and 10:00:00 ::1 "
		    "fe80::1%eth0", "%a and %a. and %i ::1 %i%eth0"},
		{"", ""},
	};
	char out[512];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t n = mxt_classify_normalise(cases[i].in,
		    strlen(cases[i].in), out, sizeof out);
		test_str("normalised text", cases[i].in, out, n, cases[i].want);
	}
	/* the output is cut at the size, always NUL-terminated */
	size_t n = mxt_classify_normalise("ABCDEFGH", 8, out, 5);
	test_str("normalised text cut at the size", "ABCDEFGH", out, n,
	    "abcd");
	/* "<a>" grows to "<%a>", the one mask longer than what it hides:
	 * 4/3 of the input; cut at every size, the output is the whole
	 * one's first bytes, NUL-terminated, and nothing is written past
	 * the size */
	static const char grow[] = "<a><B><c> <dd> X";
	static const char whole[] = "<%a><%a><%a> <%a> x";
	for (size_t size = 1; size <= sizeof whole + 1; size++) {
		char cut[64];
		memset(cut, '#', sizeof cut);
		n = mxt_classify_normalise(grow, sizeof grow - 1, cut, size);
		size_t want = size - 1 < sizeof whole - 1 ? size - 1 :
		    sizeof whole - 1;
		bool past = true;
		for (size_t k = size; k < sizeof cut; k++)
			past &= cut[k] == '#';
		test_ok(n == want && cut[n] == '\0' && memcmp(cut, whole, n)
		    == 0 && past, "normalised text grown, cut", "size %zu: "
		    "got %zu \"%.*s\"%s", size, n, (int)n, cut, past ? "" :
		    ", written past the size");
	}
}

/*
 * A failed look-up of a name that is not the recipient domain is a
 * routing failure (nexthop_facts), wherever its words fall in the text:
 * each of the three forms is put after 0 to 40 bytes of other words (the
 * scan goes eight bytes at a time, so every place in a word is met), in
 * a text that also has " for " and spaces four apart elsewhere. With the
 * recipient domain as the name, the same text is no routing failure.
 */
static void
nexthop_places(struct mxt_classifier *c)
{
	static const char *const forms[][2] = {
		{"Name service error for name=", " type=A: Host not found"},
		{"failed to lookup IP address for ", ""},
		{"host lookup for ", " did not complete (DNS timeout?)"},
	};
	static const char pad[] = "a b for c  d eeee for ffff gg hh ii jjjjjjj";
	char text[256];
	int bad = 0, cases = 0;
	for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
		for (int off = 0; off <= 40; off++) {
			for (int same = 0; same < 2; same++) {
				snprintf(text, sizeof text, "%.*s%s%s%s", off,
				    pad, forms[f][0], same ? "rcpt.example" :
				    "relay.example.net", forms[f][1]);
				struct mxt_event ev = make_event(
				    MXT_STATUS_DEFERRED, MXT_DIR_OUT, 0, "4.4.3",
				    text);
				ev.domain = mxt_str_make("rcpt.example", 12);
				const char *rule;
				mxt_classify_rule(c, &ev, &rule);
				bool routed = strcmp(rule,
				    "lookup-not-recipient-domain") == 0;
				cases++;
				if (routed == (same == 0))
					continue;
				if (bad++ < 5)
					test_ok(false, "next hop found",
					    "\"%s\" (domain rcpt.example): "
					    "rule %s", text, rule);
			}
		}
	}
	test_ok(bad == 0, "a next hop's failed look-up, at every place",
	    "%d of %d texts wrong", bad, cases);
}

/*
 * Long, distinct texts: the keys the cache and the memo hold are bounded
 * in bytes (4 MiB each, CACHE_KEY_BYTES in classify.c), not only in
 * number, and the texts left out of them (a third of these) get the
 * same answers.
 */
static void
cache_bytes(void)
{
	struct mxt_classifier *c = mxt_classifier_create(NULL, NULL);
	struct mxt_classify_stats st;
	static const struct {
		const char *phrase;
		enum mxt_cause cause;
	} kinds[] = {
		{"mailbox is full", MXT_CAUSE_MAILBOX_FULL},
		{"user unknown", MXT_CAUSE_UNKNOWN_USER},
		{"greylisted", MXT_CAUSE_GREYLISTING},
	};
	enum { N = 3000, LEN = 1900 };
	char *text = malloc(LEN + 1);
	int wrong = -1;
	enum mxt_cause got = MXT_CAUSE_NONE;
	for (int i = 0; i < N && wrong < 0; i++) {
		/* words of letters only, so normalising keeps them: every
		 * text and its normalised key are distinct */
		int k = i % 3, n = snprintf(text, LEN + 1, "%s", kinds[k].phrase);
		unsigned x = (unsigned)i * 2654435761u + 1;
		while (n < LEN) {
			text[n++] = ' ';
			for (int w = 0; w < 6 && n < LEN; w++) {
				x = x * 1103515245u + 12345u;
				text[n++] = (char)('k' + (x >> 16) % 16);
			}
		}
		text[LEN] = '\0';
		struct mxt_event e = make_event(MXT_STATUS_DEFERRED, MXT_DIR_OUT,
		    450, "", text);
		if ((got = mxt_classify(c, &e)) != kinds[k].cause)
			wrong = i;
	}
	test_ok(wrong < 0, "long texts", "text %d: got %s, want %s", wrong,
	    mxt_cause_id(got), wrong < 0 ? "" :
	    mxt_cause_id(kinds[wrong % 3].cause));
	mxt_classifier_stats(c, &st);
	/* 4 MiB of keys of some 1,900 bytes: about 2,200 of them */
	test_ok(st.entries > 1000 && st.entries * LEN <= (4u << 20),
	    "cache keys bounded in bytes", "%llu entries of %d bytes",
	    (unsigned long long)st.entries, LEN);
	/* and the memo's keys too: the two hold at most 8 MiB (5.7 MB of
	 * texts were asked) */
	test_ok(st.key_bytes > (4u << 20) && st.key_bytes <= (8u << 20),
	    "memo keys bounded in bytes", "%llu bytes of keys",
	    (unsigned long long)st.key_bytes);
	free(text);
	mxt_classifier_destroy(c);
}

int
main(void)
{
	normalise();
	struct mxt_error err;
	struct mxt_classifier *c = mxt_classifier_create(NULL, &err);
	if (!test_ok(c != NULL, "built-in rules compile", "%s", err.text))
		return test_done();
	nexthop_places(c);
	run_file(c, TESTDATA "/classify/corpus.txt", 1000, true);
	run_file(c, TESTDATA "/classify/seeds.txt", 9, false);
	rfc3463_walk(c);
	status_shortcuts(c);
	mxt_classifier_destroy(c);
	cache();
	cache_bytes();
	return test_done();
}
