/*
 * fuzz_rules.c - a rules file (JSON, see mxtriage(1) and lib/rules.c)
 * through `mxtriage rules --check`, and when it is valid, through the
 * classifier as `--rules FILE` uses it: loading, classifying events
 * (one of them with the file's own bytes as reply text, against the
 * user's patterns), providers, and `mxtriage rules` in both formats.
 *
 * Checks: every error names the file and a position inside it; the
 * checker and the classifier agree on whether the file is valid; the
 * JSON form of the rule table is valid JSON; the file's bytes as a reply
 * text, normalised (mxt_classify_normalise) into a buffer cut short at a
 * size the bytes choose, give the first bytes of the whole output, and
 * nothing is written past the size.
 */
#include "fuzz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtriage.h"

struct check {
	const char *path;
	size_t size;
	long lines; /* newlines in the file + 1 */
};

static void
on_error(void *arg, const struct mxt_error *e)
{
	const struct check *c = arg;
	if (memchr(e->text, '\0', sizeof e->text) == NULL ||
	    strcmp(e->source, c->path) != 0 || e->line < 0 ||
	    e->line > c->lines || e->column < 0 ||
	    (size_t)e->column > c->size + 1) {
		fprintf(stderr, "bad error position %ld:%ld (%ld lines, %zu "
		    "bytes): %s\n", e->line, e->column, c->lines, c->size,
		    e->text);
		abort();
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", FUZZ_TZ, 1);
	return 0;
}

static void
classify(struct mxt_classifier *c, enum mxt_direction dir,
    enum mxt_status st, int code, const char *dsn, const char *text,
    size_t len)
{
	struct mxt_event ev = {
		.direction = dir,
		.status = st,
		.code = code,
		.text = {text, len},
	};
	const char *rule;
	snprintf(ev.dsn, sizeof ev.dsn, "%s", dsn);
	enum mxt_cause cause = mxt_classify_rule(c, &ev, &rule);
	if ((unsigned)cause >= MXT_CAUSE_COUNT)
		abort();
	fuzz_touch(rule, strlen(rule));
	/* a second time from the cache: the same answer */
	const char *rule2;
	if (mxt_classify_rule(c, &ev, &rule2) != cause || strcmp(rule, rule2))
		abort();
}

/* The normalised text cut at a size its first byte chooses is the
 * whole one's start. */
static void
normalise_cut(const uint8_t *data, size_t size)
{
	static char whole[4096], cut[4096 + 16];
	size_t n = size < 2048 ? size : 2048;
	size_t len = mxt_classify_normalise((const char *)data, n, whole,
	    sizeof whole);
	if (len > n + n / 3 + 1 || whole[len] != '\0')
		abort();
	size_t room = n > 0 ? data[0] % (len + 2) + 1 : 1;
	memset(cut, '#', sizeof cut);
	size_t got = mxt_classify_normalise((const char *)data, n, cut, room);
	size_t want = len < room - 1 ? len : room - 1;
	if (got != want || cut[got] != '\0' || memcmp(cut, whole, got) != 0)
		abort();
	for (size_t k = room; k < sizeof cut; k++)
		if (cut[k] != '#')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	normalise_cut(data, size);
	struct check chk = {fuzz_file(0, data, size), size, 1};
	for (size_t i = 0; i < size; i++)
		chk.lines += data[i] == '\n';

	int errors = mxt_rules_check(chk.path, on_error, &chk);
	/* A valid file costs a classifier, whose built-in rules take tens of
	 * milliseconds to compile under the sanitizers: only one valid input
	 * in four (chosen by its bytes, so a crash replays) goes further. */
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 16777619u;
	if (errors == 0 && h % 4 != 0)
		return 0;
	struct mxt_error err;
	struct mxt_classifier *c = mxt_classifier_create(chk.path, &err);
	if ((errors == 0) != (c != NULL)) {
		fprintf(stderr, "rules --check found %d errors, the classifier "
		    "%s the file\n", errors, c ? "took" : "refused");
		abort();
	}
	if (c == NULL) {
		on_error(&chk, &err);
		return 0;
	}

	static const char greylist[] = "Greylisted, please try again later";
	static const char spamhaus[] = "Service unavailable; Client host "
	    "[192.0.2.1] blocked using zen.spamhaus.org";
	classify(c, MXT_DIR_OUT, MXT_STATUS_DEFERRED, 450, "4.7.1", greylist,
	    sizeof greylist - 1);
	classify(c, MXT_DIR_IN, MXT_STATUS_REJECTED, 554, "5.7.1", spamhaus,
	    sizeof spamhaus - 1);
	classify(c, MXT_DIR_OUT, MXT_STATUS_BOUNCED, 0, "", "", 0);
	classify(c, MXT_DIR_OUT, MXT_STATUS_DEFERRED, 421, "4.4.2",
	    (const char *)data, size < 2048 ? size : 2048);

	const struct {
		const char *domain, *relay;
	} prov[] = {
		{"example.com", "aspmx.l.google.com"},
		{"hotmail.co.uk", ""},
		{"acme-mx.net", "mx.acme-mx.net"},
	};
	for (size_t i = 0; i < sizeof prov / sizeof prov[0]; i++) {
		struct mxt_str d = {prov[i].domain, strlen(prov[i].domain)};
		struct mxt_str r = {prov[i].relay, strlen(prov[i].relay)};
		const char *name = mxt_provider_of(c, d, r);
		if (name != NULL)
			fuzz_touch(name, strlen(name));
	}

	struct mxt_rule_info ri;
	for (size_t i = 0; mxt_classifier_rule(c, i, &ri); i++) {
		fuzz_touch(ri.name, strlen(ri.name));
		if (ri.pattern != NULL)
			fuzz_touch(ri.pattern, strlen(ri.pattern));
		for (size_t k = 0; ri.contains && ri.contains[k]; k++)
			fuzz_touch(ri.contains[k], strlen(ri.contains[k]));
	}
	char *text = mxt_rules_format(c, false);
	char *json = mxt_rules_format(c, true);
	json_error_t je;
	json_t *root = json_loads(json, 0, &je);
	if (text == NULL || root == NULL) {
		fprintf(stderr, "rules -f json is not JSON: %s\n", je.text);
		abort();
	}
	json_decref(root);
	free(text);
	free(json);
	mxt_classifier_destroy(c);
	return 0;
}
