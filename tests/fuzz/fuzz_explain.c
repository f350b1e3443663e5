/*
 * fuzz_explain.c - `mxtriage explain ARG...`: the input is the argument
 * list, arguments separated by NUL bytes (as in /proc/PID/cmdline),
 * parsed as the command does and, when valid, explained in both
 * formats. Each argument also goes through the lookups explain uses
 * (enhanced code, reply code, likely causes).
 *
 * Checks: the JSON form is valid JSON; a parse that fails says why.
 */
#include "fuzz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtriage.h"

#define MAX_ARGS 16

/* Made once: a classifier compiles every rule (milliseconds), and a
 * fresh one per input held the fuzzer to a few dozen inputs a second. */
static struct mxt_classifier *classifier;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	classifier = mxt_classifier_create(NULL, NULL);
	if (classifier == NULL)
		abort();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args[MAX_ARGS];
	int nargs = 0;
	for (size_t at = 0; at < size && nargs < MAX_ARGS;) {
		args[nargs] = fuzz_string(data + at, size - at);
		at += strlen(args[nargs]) + 1;
		nargs++;
	}

	for (int i = 0; i < nargs; i++) {
		const struct mxt_dsn_info *d = mxt_explain_dsn(args[i]);
		if (d != NULL)
			fuzz_touch(d->title, strlen(d->title));
		const struct mxt_reply_code_info *r =
		    mxt_explain_reply(atoi(args[i]));
		if (r != NULL)
			fuzz_touch(r->meaning, strlen(r->meaning));
		enum mxt_cause likely[8];
		size_t n = mxt_explain_likely_causes(atoi(args[i]), args[i],
		    likely, 8);
		for (size_t k = 0; k < n; k++)
			if ((unsigned)likely[k] >= MXT_CAUSE_COUNT)
				abort();
	}

	struct mxt_explain_query q[MAX_ARGS];
	struct mxt_error err;
	memset(&err, 0, sizeof err);
	int n = nargs ? mxt_explain_parse(args, nargs, q, (size_t)nargs,
	    classifier, &err) :
	    0;
	if (n < 0 && (err.text[0] == '\0' ||
	    memchr(err.text, '\0', sizeof err.text) == NULL))
		abort();
	if (n > nargs)
		abort();
	if (n > 0) {
		char *text = mxt_explain_format(q, (size_t)n, false,
		    classifier);
		char *json = mxt_explain_format(q, (size_t)n, true,
		    classifier);
		json_error_t je;
		json_t *root = json_loads(json, 0, &je);
		if (text == NULL || root == NULL) {
			fprintf(stderr, "explain -f json is not JSON: %s\n",
			    je.text);
			abort();
		}
		json_decref(root);
		free(text);
		free(json);
	}
	for (int i = 0; i < nargs; i++)
		free(args[i]);
	return 0;
}
