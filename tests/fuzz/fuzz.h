/*
 * fuzz.h - what the fuzz targets share.
 *
 * Each fuzz_*.c defines libFuzzer's two entry points and nothing else
 * that is exported, so the same file links either with libFuzzer
 * (clang, -Dfuzz=true: tests/fuzz/meson.build) or with replay.c, a
 * main() that feeds it the files of testdata/fuzz-regress/<target>/ in
 * the ordinary test suite (any compiler). A target calls abort() when
 * one of its own checks fails, so a wrong answer is a crash too.
 */
#ifndef MXT_FUZZ_H
#define MXT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* libFuzzer calls Initialize once, then TestOneInput for every input;
 * the targets must not keep state from one input to the next that would
 * make a crash depend on the inputs before it. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads every byte of p[0..n), so that a borrowed slice that reaches
 * outside its buffer is an AddressSanitizer report here, at the consumer,
 * even when nothing else would read it. */
void fuzz_touch(const void *p, size_t n);

/* data as a NUL-terminated string (cut at its first NUL byte), malloc'd
 * to its exact size so that an over-read is caught. */
char *fuzz_string(const uint8_t *data, size_t size);

/* The line of data[*at..size) up to its '\n' (without it), malloc'd to
 * its exact size plus a NUL (NUL bytes inside kept, *len its length), so
 * that an over-read is caught; *at moves past the '\n'. NULL at the end. */
char *fuzz_next_line(const uint8_t *data, size_t size, size_t *at,
    size_t *len);

/*
 * A file holding data[0..size), for the APIs that read a path: one
 * memory file (memfd) per slot (0..3), rewritten on every call. Returns
 * its name (/proc/self/fd/N), valid until the next call with the slot.
 * Aborts when the memory file cannot be made.
 */
const char *fuzz_file(int slot, const void *data, size_t size);

struct mxt_classifier;
struct mxt_summary;

/* Sets TZ to FUZZ_TZ and makes the built-in classifier and, when devnull
 * is not NULL, a stream to /dev/null for the writers; aborts on failure. */
void fuzz_setup(struct mxt_classifier **classifier, FILE **devnull);

/* A small fixed Postfix log: a message to three recipients (delivered,
 * deferred and still pending, bounced) and a rejection. */
extern const char *const fuzz_log_lines[];
extern const size_t fuzz_nlog_lines;

/* The summary (by domain, cause) of lines[0..n) read by one pass with
 * classifier; track_cap as in mxt_pass_config (0 = default). */
struct mxt_summary *fuzz_summary_of(const char *const *lines, size_t n,
    struct mxt_classifier *classifier, size_t track_cap);

/* A fixed time zone with DST rules (no tzdata needed), so that local
 * time behaves as in a real deployment and every run is the same. */
#define FUZZ_TZ "CET-1CEST,M3.5.0,M10.5.0/3"
/* "now" of the targets that need one: 2026-09-21T12:26:40Z. */
#define FUZZ_NOW 1790000000

#endif
