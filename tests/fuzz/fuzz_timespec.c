/*
 * fuzz_timespec.c - a --since/--until value and a --day value, parsed
 * with a fixed "now" in a zone with DST.
 *
 * Checks: a failure says why; a day is 23 to 25 hours long.
 */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mxtriage.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	setenv("TZ", FUZZ_TZ, 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	struct mxt_error err;
	int64_t t, since, until;

	memset(&err, 0, sizeof err);
	if (mxt_time_parse(s, FUZZ_NOW, &t, &err) < 0 && err.text[0] == '\0')
		abort();
	memset(&err, 0, sizeof err);
	if (mxt_day_range(s, FUZZ_NOW, &since, &until, &err) < 0) {
		if (err.text[0] == '\0')
			abort();
	} else if (until - since < 23 * 3600 || until - since > 25 * 3600) {
		fprintf(stderr, "--day '%s': [%lld, %lld) is not a day\n", s,
		    (long long)since, (long long)until);
		abort();
	}
	free(s);
	return 0;
}
