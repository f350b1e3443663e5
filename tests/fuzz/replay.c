/*
 * replay.c - runs a fuzz target over saved inputs, without libFuzzer:
 * the regression suite of the ordinary build (tests/meson.build). Each
 * argument is a file or a folder of files (taken in name order). A crash
 * or a failed check aborts, which fails the test; under the sanitizer
 * build, so do the sanitizers' findings. No input at all (an empty or
 * missing folder) is a skip, exit 77, so that it shows in the test
 * summary instead of passing; tests/meson.build registers a target's
 * regression test only when its folder exists.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int ran;

static void
replay_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	size_t cap = 4096, n = 0, got;
	uint8_t *buf = malloc(cap);
	while (buf != NULL && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (buf == NULL || ferror(fp)) {
		fprintf(stderr, "%s: cannot read\n", path);
		exit(1);
	}
	fclose(fp);
	/* exactly n bytes, so that reading past the input is caught */
	uint8_t *data = malloc(n ? n : 1);
	if (data == NULL)
		exit(1);
	memcpy(data, buf, n);
	free(buf);
	printf("%s (%zu bytes)\n", path, n);
	fflush(stdout);
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	ran++;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
replay(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		/* a target whose fuzzer never crashed has no folder yet */
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		if (errno == ENOENT)
			return;
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0;
	if (d == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		if (names == NULL || (names[n] = malloc(strlen(path) +
		    strlen(e->d_name) + 2)) == NULL)
			exit(1);
		sprintf(names[n++], "%s/%s", path, e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		replay_file(names[i]);
		free(names[i]);
	}
	free(names);
}

int
main(int argc, char **argv)
{
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++)
		replay(argv[i]);
	printf("%d inputs replayed\n", ran);
	return ran > 0 ? 0 : 77;
}
