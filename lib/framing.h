/*
 * framing.h - the registry of log header formats ("framings"), apart from
 * the MTA dialects: a framing turns the bytes before the message into
 * time, host, program and pid, whatever MTA wrote the message. Internal.
 */
#ifndef MXT_FRAMING_H
#define MXT_FRAMING_H

#include "internal.h"

/*
 * One header format. parse() reads [p, end) (after a "<PRI>" prefix, when
 * had_pri says there was one) and fills out; it returns false, cheaply on
 * the first bytes, when the line is not of its format. The registry in
 * framing.c tries them in order; the first that reads the line wins.
 */
struct mxt_framing {
	const char *name;
	bool (*parse)(struct mxt_clock *c, const char *p, const char *end,
	    bool had_pri, struct mxt_logline *out);
};

/* syslog.c */
extern const struct mxt_framing mxt_framing_rfc5424;
extern const struct mxt_framing mxt_framing_rfc3339;
extern const struct mxt_framing mxt_framing_traditional;
extern const struct mxt_framing mxt_framing_short_full;  /* journalctl */
extern const struct mxt_framing mxt_framing_short_unix;  /* journalctl */
/* framing_exim.c */
extern const struct mxt_framing mxt_framing_exim;         /* own log files */
extern const struct mxt_framing mxt_framing_exim_wrapped; /* host exim[pid]: DATE */

/* Scanners the framings share (syslog.c). */
/* "DATE<sep>TIME[.frac][ zone]" at *pp; without a zone the time is local
 * wall time through `local` (NULL: the zone is required). */
bool mxt_framing_iso_time(const char **pp, const char *end, char sep,
    struct mxt_clock *local, struct mxt_time *t, bool *had_zone);
/* "host prog[pid]: msg" at p: fills host, program, pid and msg. */
bool mxt_framing_host_tag(const char *p, const char *end,
    struct mxt_logline *out);

/* True for Exim's program names: "exim", "exim4", "exim" and digits
 * (framing_exim.c; the Exim dialect claims by it too). */
bool mxt_framing_is_exim(struct mxt_str program);
/* Exim's message inside a syslog line: its own timestamp (which has the
 * year and zone) replaces the syslog time, split-line markers "[1/3]" go
 * (continuations become empty messages), a "[pid] " and a "host
 * exim[pid]: " inside go (framing_exim.c). */
void mxt_framing_exim_unwrap(struct mxt_clock *c, struct mxt_logline *ll);

#endif
