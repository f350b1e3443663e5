/*
 * fuzz_state.c - a --state file through its loader (lib/state.c) and, when
 * it loads, the messages it holds through the tracker (track_state.c): a
 * pass restored from it reads a small fixed log, its state is saved, and
 * the saved file is loaded and restored again.
 *
 * Checks: a refused file is told with a reason that names it; a loaded
 * state keeps what it says (the position of every input it lists can be
 * looked up); and saving is stable: the state saved after restoring a
 * saved state is the same file, byte for byte, positions included (what
 * --state writes, the next run reads back whole).
 */
#include "fuzz.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mxtriage.h"

static struct mxt_classifier *classifier;
static char dir[] = "/dev/shm/mxtriage-fuzz-state.XXXXXX";
static char saved[2][sizeof dir + 16];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_setup(&classifier, NULL);
	/* the state is written beside its file (a temporary one renamed):
	 * a directory of its own in memory, not on disk */
	if (mkdtemp(dir) == NULL && (strcpy(dir, "/tmp/mxtriage-fuzz-state."
	    "XXXXXX"), mkdtemp(dir) == NULL))
		abort();
	for (int i = 0; i < 2; i++)
		snprintf(saved[i], sizeof saved[i], "%s/state%d", dir, i);
	return 0;
}

static void
on_event(void *arg, const struct mxt_event *ev)
{
	fuzz_touch(ev->text.ptr, ev->text.len);
}

static struct mxt_pass *
pass_from(const struct mxt_state *st)
{
	struct mxt_pass_config cfg = {
		.year = 2026,
		.classifier = classifier,
		.on_event = on_event,
		.track_cap = 8,
	};
	struct mxt_pass *p = mxt_pass_create(&cfg);
	struct mxt_error err;
	if (mxt_state_restore(st, p, &err) < 0) {
		mxt_pass_destroy(p);
		return NULL;
	}
	return p;
}

/* The file's bytes, malloc'd; *n its size. */
static char *
slurp(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		abort();
	char *b = malloc(1 << 20);
	if (b == NULL)
		abort();
	*n = fread(b, 1, 1 << 20, fp);
	fclose(fp);
	return b;
}

/* The positions of the loaded state st, by the paths of its inputs. */
static size_t
positions(const struct mxt_state *st, const char *path,
    struct mxt_position *pos, size_t max)
{
	/* the paths, read from the file itself: the state keeps no list */
	json_t *doc = json_load_file(path, 0, NULL);
	size_t n = 0, i;
	json_t *o;
	json_array_foreach(json_object_get(doc, "inputs"), i, o) {
		const char *name = json_string_value(json_object_get(o, "path"));
		const struct mxt_position *p = mxt_state_position(st, name);
		if (name == NULL || p == NULL) {
			fprintf(stderr, "inputs[%zu]: no position\n", i);
			abort();
		}
		if (n < max) {
			pos[n] = *p;
			pos[n].path = strdup(p->path);
			n++;
		}
	}
	json_decref(doc);
	return n;
}

/* Saves p with the totals of st and pos to saved[k]. */
static void
save(int k, const struct mxt_pass *p, const struct mxt_state *st,
    const struct mxt_position *pos, size_t n)
{
	struct mxt_error err;
	if (mxt_state_save(saved[k], p, st, pos, n, &err) < 0) {
		fprintf(stderr, "cannot save: %s\n", err.text);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(0, data, size);
	struct mxt_error err;
	memset(&err, 0, sizeof err);
	struct mxt_state *st = mxt_state_load(path, &err);
	if (st == NULL) {
		if (err.text[0] == '\0' || strcmp(err.source, path) != 0)
			abort();
		return 0;
	}
	struct mxt_pass *p = pass_from(st);
	if (p == NULL) {
		mxt_state_destroy(st);
		return 0;
	}
	struct mxt_position pos[8];
	size_t npos = positions(st, path, pos, 8);
	for (size_t i = 0; i < fuzz_nlog_lines; i++)
		mxt_pass_line(p, "fixed", (long)i + 1, FUZZ_NOW,
		    fuzz_log_lines[i], strlen(fuzz_log_lines[i]));
	save(0, p, st, pos, npos);
	mxt_pass_destroy(p);
	mxt_state_destroy(st);

	/* saved[0] read back, restored and saved again: the same bytes */
	st = mxt_state_load(saved[0], &err);
	if (st == NULL) {
		fprintf(stderr, "the saved state does not load: %s\n",
		    err.text);
		abort();
	}
	p = pass_from(st);
	if (p == NULL) {
		fprintf(stderr, "the saved state does not restore\n");
		abort();
	}
	struct mxt_position pos2[8];
	size_t npos2 = positions(st, saved[0], pos2, 8);
	save(1, p, st, pos2, npos2);
	size_t n0, n1;
	char *b0 = slurp(saved[0], &n0), *b1 = slurp(saved[1], &n1);
	if (n0 != n1 || memcmp(b0, b1, n0) != 0) {
		fprintf(stderr, "saved again, the state differs:\n%.*s\n----\n"
		    "%.*s\n", (int)n0, b0, (int)n1, b1);
		abort();
	}
	free(b0);
	free(b1);
	for (size_t i = 0; i < npos; i++)
		free((char *)pos[i].path);
	for (size_t i = 0; i < npos2; i++)
		free((char *)pos2[i].path);
	mxt_pass_destroy(p);
	mxt_state_destroy(st);
	return 0;
}
