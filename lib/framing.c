/*
 * framing.c - the registry of header framings (see framing.h) and the
 * one entry point, mxt_syslog_parse. A new header format is one parser
 * and one row here; the MTA dialects never see which framing a line had
 * beyond ll->kind.
 */
#include "framing.h"

/* Tried in order; each refuses a foreign line on its first bytes. The
 * host-first form goes last: it is tried on what no other framing read. */
static const struct mxt_framing *const framings[] = {
	&mxt_framing_rfc5424,
	&mxt_framing_rfc3339,
	&mxt_framing_exim,
	&mxt_framing_traditional,
	&mxt_framing_short_full,
	&mxt_framing_short_unix,
	&mxt_framing_exim_wrapped,
};

bool
mxt_syslog_parse(struct mxt_clock *c, const char *line, size_t len,
    struct mxt_logline *out)
{
	const char *p = line, *end = line + len;
	bool had_pri = false;

	if (p < end && *p == '<') {
		const char *q = p + 1;
		while (q < end && q < p + 5 && is_digit(*q))
			q++;
		if (q < end && *q == '>' && q > p + 1) {
			p = q + 1;
			had_pri = true;
		}
	}
	for (size_t i = 0; i < sizeof framings / sizeof framings[0]; i++) {
		memset(out, 0, sizeof *out);
		if (framings[i]->parse(c, p, end, had_pri, out)) {
			if (mxt_framing_is_exim(out->program))
				mxt_framing_exim_unwrap(c, out);
			return true;
		}
	}
	memset(out, 0, sizeof *out);
	return false;
}
