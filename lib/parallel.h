/*
 * parallel.h - the report's pass on several threads (mxtriage --jobs N).
 * What cmd/ uses besides mxtriage.h; see parallel.c for the design.
 */
#ifndef MXT_PARALLEL_H
#define MXT_PARALLEL_H

#include "mxtriage.h"

/* Pieces smaller than this are not cut further (bytes); the environment
 * variable MXTRIAGE_MIN_CHUNK overrides it (tests cut logs into pieces of
 * a few lines that way). */
#define MXT_PARALLEL_MIN_CHUNK (4u << 20)

struct mxt_parallel_config {
	/* year, syslog_name, mtas, default_host, track_cap and stop as for
	 * one pass; classifier, the callbacks and their args are ignored */
	struct mxt_pass_config pass;
	struct mxt_summary_config summary;
	/* jobs classifiers, one per thread (a classifier keeps caches and
	 * scratch space: it is not shared between threads) */
	struct mxt_classifier **classifiers;
	unsigned jobs;        /* threads, >= 2 */
	size_t min_chunk;     /* 0 = MXT_PARALLEL_MIN_CHUNK */
	bool keep_unparsed;   /* keep unparsed lines for mxt_parallel_replay */
};

struct mxt_parallel;

/*
 * Reads paths[0..n) (in that order: the reading order of the inputs, as
 * mxt_inputs gives it) in pieces on cfg->jobs threads, and merges the
 * summaries of the pieces in order into the summary one pass gives.
 * Returns NULL, with *why naming the reason, when one pass must read the
 * inputs instead: too little input to share out, or a piece met something
 * the merge could not make exact (then nothing was told: read them again
 * with one pass). Never prints.
 */
struct mxt_parallel *mxt_parallel_run(const struct mxt_parallel_config *cfg,
    const char *const *paths, size_t n, const char **why);
void mxt_parallel_destroy(struct mxt_parallel *r); /* accepts NULL */

/* The merged summary, finished; the caller owns it from now on (a
 * second call returns NULL). */
struct mxt_summary *mxt_parallel_summary(struct mxt_parallel *r);
/* The statistics of the whole, as one pass counts them. */
const struct mxt_stats *mxt_parallel_stats(const struct mxt_parallel *r);
/* Events inside the summary's time window (to tell an empty window). */
uint64_t mxt_parallel_in_window(const struct mxt_parallel *r);
/* The span of each input, as mxt_pass_inputs gives them; valid until
 * mxt_parallel_destroy. */
const struct mxt_input_span *mxt_parallel_spans(const struct mxt_parallel *r,
    size_t *n);

/* What one pass tells while it reads, replayed in its order. */
struct mxt_parallel_replay {
	void *arg;
	/* before the first word of input i (0-based, reading order) */
	void (*input_begin)(void *arg, size_t i);
	/* as mxt_pass_config.on_unparsed (with cfg->keep_unparsed) */
	void (*on_unparsed)(void *arg, const char *source, long line_no,
	    const char *reason, const char *line, size_t len);
	/* as mxt_pass_config.on_time_jump */
	void (*on_time_jump)(void *arg, const struct mxt_time_jump *j);
	/* input i could not be read completely, as mxt_pass_read says */
	void (*on_error)(void *arg, size_t i, const struct mxt_error *e);
};
void mxt_parallel_replay(const struct mxt_parallel *r,
    const struct mxt_parallel_replay *cb);

/* Threads to use when --jobs is not given: the CPUs this process may
 * run on (at least 1). */
unsigned mxt_parallel_cpus(void);

#endif
