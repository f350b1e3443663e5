/*
 * trace.h - the trace command lines the reports print (trace_cmd.c in
 * trace.c's family): from a group or a pending recipient of a summary to
 * the `mxtriage trace` invocation that lists its messages. Internal.
 */
#ifndef MXT_TRACE_H
#define MXT_TRACE_H

#include "summary_read.h"

/* The trace command of group g of s (its key values, the window, the
 * inputs): malloc'd, shell-quoted; the caller frees. */
char *mxt_trace_command_group(const struct mxt_summary *s,
    const struct group *g);
/* The trace command of a pending recipient. */
char *mxt_trace_command_pending(const struct mxt_summary *s,
    const struct retry *r);

#endif
