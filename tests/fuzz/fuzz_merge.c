/*
 * fuzz_merge.c - `mxtriage merge`: a JSON summary (schema
 * mxtriage.summary/2) loaded, written back, and merged with a summary of
 * a small fixed log in both orders, each result written in the three
 * report formats.
 *
 * Checks: writing is a fixed point after one load (a summary loaded from
 * what mxtriage wrote writes the same bytes again); what was written
 * loads; a load error says why.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtriage.h"

static struct mxt_classifier *classifier;
static FILE *devnull;
static char *fixed_json;
static size_t fixed_len;

/* s as the JSON report, malloc'd, in *len bytes. */
static char *
to_json(const struct mxt_summary *s, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	static const char *const inputs[] = {"fuzz"};
	struct mxt_report_options ro = {
		.format = MXT_REPORT_JSON,
		.inputs = inputs,
		.ninputs = 1,
	};
	if (fp == NULL || mxt_report_write(s, &ro, fp) != 0 || fclose(fp) != 0)
		abort();
	return buf;
}

static void
write_all(const struct mxt_summary *s)
{
	static const char *const inputs[] = {"fuzz"};
	for (int f = 0; f < MXT_REPORT_COUNT; f++) {
		struct mxt_report_options ro = {
			.format = (enum mxt_report_format)f,
			.width = 80,
			.inputs = inputs,
			.ninputs = 1,
		};
		mxt_report_write(s, &ro, devnull);
	}
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup(&classifier, &devnull);
	struct mxt_summary *s = fuzz_summary_of(fuzz_log_lines,
	    fuzz_nlog_lines, classifier, 8);
	fixed_json = to_json(s, &fixed_len);
	mxt_summary_destroy(s);
	return 0;
}

/* The summary of json[0..len), loaded through a file (slot). */
static struct mxt_summary *
load(int slot, const void *json, size_t len, struct mxt_error *err)
{
	return mxt_summary_load(fuzz_file(slot, json, len), err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mxt_error err;
	memset(&err, 0, sizeof err);
	struct mxt_summary *s = load(0, data, size, &err);
	if (s == NULL) {
		if (err.text[0] == '\0')
			abort();
		return 0;
	}

	size_t n1, n2;
	char *j1 = to_json(s, &n1);
	struct mxt_summary *s1 = load(1, j1, n1, &err);
	if (s1 == NULL) {
		fprintf(stderr, "what was written does not load: %s\n",
		    err.text);
		abort();
	}
	char *j2 = to_json(s1, &n2);
	if (n1 != n2 || memcmp(j1, j2, n1) != 0) {
		fprintf(stderr, "written, loaded and written again: %zu bytes, "
		    "then %zu, not the same\n", n1, n2);
		abort();
	}
	free(j1);
	free(j2);
	mxt_summary_destroy(s1);

	/* the fixed summary, then the input's; and the other way round */
	struct mxt_summary *d = load(2, fixed_json, fixed_len, &err);
	if (d == NULL)
		abort();
	if (mxt_summary_merge(d, s, classifier, &err) == 0)
		write_all(d);
	mxt_summary_destroy(d);
	d = load(2, fixed_json, fixed_len, &err);
	if (mxt_summary_merge(s, d, classifier, &err) == 0)
		write_all(s);
	mxt_summary_destroy(d);
	mxt_summary_destroy(s);
	return 0;
}
