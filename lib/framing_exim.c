/*
 * framing_exim.c - Exim's own header formats, apart from the Exim
 * dialect (exim.c reads the messages; this file only finds them):
 *   own log files  "2026-11-23 10:00:01[.mmm] [+0100] [[pid]] msg"
 *                  (main and reject log; program "exim", no host)
 *   host-first     "host exim[pid]: 2021-07-17 23:20:49 msg" (journal
 *                  exports without a syslog time)
 *   syslog-wrapped any syslog framing whose program is Exim's: the
 *                  message may start with Exim's own timestamp, which has
 *                  the year and zone and so replaces the year-less syslog
 *                  time; long entries are split "[1/3] ", "[2/3] " ...
 *                  (the continuations are reject log header dumps or cut
 *                  tails, never entries); a "[pid] " may be repeated
 *                  inside; and "2019-10-22 03:39:17 host exim[pid]: msg"
 *                  (an own-format time before a syslog tag) is seen in
 *                  real collections.
 */
#include "framing.h"

bool
mxt_framing_is_exim(struct mxt_str program)
{
	const char *s = program.ptr;
	if (!mxt_has_bytes(s, s + program.len, MXT_LIT("exim")))
		return false;
	for (size_t i = MXT_LIT_LEN("exim"); i < program.len; i++)
		if (!is_digit(s[i]))
			return false;
	return true;
}

/* A byte a zone (zone(), syslog.c) may start with. */
static inline bool
zone_start(char ch)
{
	return ch == 'Z' || ch == 'z' || ch == '+' || ch == '-';
}

/*
 * The time at *pp as mxt_framing_iso_time reads it with sep ' ' and the
 * clock c; *pp moves past it. The bytes read for the line before
 * (c->exim_own) give its time again when they are followed by a space
 * and, unless they held a zone, by no byte a zone may start with: then
 * every byte the reading looks at is the same (a fraction needs '.' or ','
 * where the space is, a zone one of "Zz+-" after it; a zone read is
 * followed by no ':' or digit).
 */
static bool
own_time(struct mxt_clock *c, const char **pp, const char *end,
    struct mxt_time *t)
{
	const char *p = *pp;
	struct mxt_time_memo *m = &c->exim_own;
	/* no zone may follow the bytes kept (both readings below need more
	 * than m->len bytes) */
	bool after = m->zone || (size_t)(end - p) <= m->len + 1 ||
	    !zone_start(p[m->len + 1]);
	if (after && mxt_time_memo_at(m, p, end)) {
		*t = m->time;
		*pp = p + m->len;
		return true;
	}
	/* the same minute (internal.h) */
	if (after && mxt_time_memo_near(m, p, end, t)) {
		*pp = p + m->len;
		return true;
	}
	bool had_zone;
	if (!mxt_framing_iso_time(&p, end, ' ', c, t, &had_zone))
		return false;
	if (p < end && *p == ' ')
		mxt_time_memo_keep(&c->exim_own, *pp, (size_t)(p - *pp), t,
		    had_zone, true);
	*pp = p;
	return true;
}

/* Exim's own log: "YYYY-MM-DD HH:MM:SS[.mmm] [+zone] [[pid]] msg".
 * Without log_timezone the time is the machine's local time. */
static bool
parse_own(struct mxt_clock *c, const char *p, const char *end,
    struct mxt_logline *out)
{
	if (!own_time(c, &p, end, &out->time))
		return false;
	if (p < end && *p == ' ')
		p++;
	if (p < end && *p == '[') {
		const char *q = p + 1;
		while (q < end && is_digit(*q))
			q++;
		if (q < end && *q == ']' && q > p + 1) {
			out->pid = mxt_str_make(p + 1, (size_t)(q - p - 1));
			p = q + 1;
			if (p < end && *p == ' ')
				p++;
		}
	}
	out->host = mxt_str_make("", 0);
	out->program = mxt_str_make(MXT_LIT("exim"));
	out->msg = mxt_str_make(p, (size_t)(end - p));
	out->kind = MXT_HDR_EXIM;
	return true;
}

static bool
parse_exim(struct mxt_clock *c, const char *p, const char *end, bool had_pri,
    struct mxt_logline *out)
{
	/* a full "YYYY-MM-DD HH:MM:SS" first */
	if (end - p < 15 || !is_digit(*p))
		return false;
	return parse_own(c, p, end, out);
}

/*
 * Journal-style "host exim[pid]: 2021-07-17 23:20:49 msg": no syslog time,
 * so the line is taken only when the message starts with Exim's own
 * timestamp, which gives the time (kind MXT_HDR_EXIM, host and program
 * from the tag).
 */
static bool
parse_wrapped(struct mxt_clock *c, const char *p, const char *end,
    bool had_pri, struct mxt_logline *out)
{
	struct mxt_logline tag = {0}, inner = {0};
	if (!mxt_framing_host_tag(p, end, &tag) || tag.msg.len < 19 ||
	    !is_digit(tag.msg.ptr[0]) || tag.msg.ptr[10] != ' ' ||
	    !parse_own(c, tag.msg.ptr, end, &inner))
		return false;
	*out = inner;
	out->host = tag.host;
	out->program = tag.program;
	if (out->pid.len == 0)
		out->pid = tag.pid;
	return true;
}

const struct mxt_framing mxt_framing_exim = {"exim", parse_exim};
const struct mxt_framing mxt_framing_exim_wrapped = {"exim-wrapped",
    parse_wrapped};

/* "HOST exim[pid]: " at the start of a message. */
static const char *
host_tag_prefix(const char *s, const char *end, struct mxt_str *host)
{
	const char *he = token_end(s, end);
	if (he == s || he + 6 >= end || !has_lit(he + 1, end, "exim"))
		return NULL;
	const char *q = he + 1 + MXT_LIT_LEN("exim");
	while (q < end && is_digit(*q))
		q++;
	if (q >= end || *q != '[')
		return NULL;
	q++;
	const char *d = q;
	while (q < end && is_digit(*q))
		q++;
	if (q == d || !has_lit(q, end, "]: "))
		return NULL;
	*host = mxt_str_make(s, (size_t)(he - s));
	return q + MXT_LIT_LEN("]: ");
}

void
mxt_framing_exim_unwrap(struct mxt_clock *c, struct mxt_logline *ll)
{
	struct mxt_logline inner;
	const char *s = ll->msg.ptr, *end = s + ll->msg.len;
	const char *q;

	if (ll->kind != MXT_HDR_EXIM) {
		/* write_syslog splits long or multi-line entries into
		 * "[1/3] ", "[2/3] " ...: the continuations are reject log
		 * header dumps or cut tails, never entries */
		if (s < end && *s == '[' && (q = memchr(s, ']', (size_t)(end -
		    s))) != NULL && q - s < 12 && q + 1 < end && q[1] == ' ') {
			const char *sl = s + 1;
			while (sl < q && is_digit(*sl))
				sl++;
			if (sl > s + 1 && sl < q && (*sl == '/' || *sl == '\\')) {
				if (!(sl == s + 2 && s[1] == '1')) {
					ll->msg = mxt_str_make(end, 0);
					return;
				}
				s = q + 2;
			}
		}
		/* Exim's own timestamp inside: it has the year and zone */
		memset(&inner, 0, sizeof inner);
		if (end - s >= 19 && is_digit(*s) && s[4] == '-' &&
		    parse_own(c, s, end, &inner)) {
			if (inner.time.valid)
				ll->time = inner.time;
			if (inner.pid.len > 0)
				ll->pid = inner.pid;
			s = inner.msg.ptr;
		}
	} else if ((q = host_tag_prefix(s, end, &ll->host)) != NULL) {
		s = q;
	}
	/* "[pid] " when the pid is logged inside a syslog message */
	if (s < end && *s == '[' && (q = memchr(s, ']', (size_t)(end - s))) !=
	    NULL && q + 1 < end && q[1] == ' ') {
		const char *d = s + 1;
		while (d < q && is_digit(*d))
			d++;
		if (d == q && q > s + 1)
			s = q + 2;
	}
	ll->msg = mxt_str_make(s, (size_t)(end - s));
}
