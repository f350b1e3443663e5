/*
 * framing.c - the registry of header framings (see framing.h) and the
 * one entry point, mxt_syslog_parse. A new header format is one parser
 * and one row here; the MTA dialects never see which framing a line had
 * beyond ll->kind.
 *
 * Container logs wrap the MTA's lines; the wrappers are taken off here,
 * per line, so one input may mix them (and plain lines):
 *   docker compose logs    "mailserver  | LINE", "mail-1  | LINE" (the
 *                          service name padded with spaces; colours, when
 *                          forced on, skipped)
 *   kubectl logs --prefix  "[pod/mail-0/postfix] LINE"
 *   docker logs -t         "2026-11-23T10:00:01.123456789Z LINE" (also
 *                          after the two above: compose logs -t, kubectl
 *                          --timestamps; docker-compose 1.x writes
 *                          "2026-11-23T10:00:01Z LINE"); taken off only
 *                          when LINE has a header of its own, or is
 *                          Exim's foreground output, which gets this
 *                          time; a timestamp podman wrote inside LINE
 *                          is taken out (rejoin)
 *   Exim's foreground output (exim -bd -v, the usual container command):
 *                          a line "LOG: MAIN" (or "LOG: <selector> MAIN
 *                          REJECT"...), then the entry indented by two
 *                          spaces, without time or message id; read as an
 *                          Exim main log line of kind MXT_HDR_EXIM_FG
 *                          with the container's timestamp when there is
 *                          one. Once the daemon runs, every line of it
 *                          starts with the writing process's pid ("%5d ",
 *                          Exim's debug_printf with debug_pid): "  804
 *                          LOG: MAIN", "  804   => ..."; the pid goes to
 *                          the line's pid. The debug line "  814
 *                          delivering ID" that a delivery process writes
 *                          first is passed on too (kind MXT_HDR_EXIM_FG,
 *                          the message "delivering ID"): the entries of
 *                          that process have no message id, and exim.c
 *                          takes it from there. (As Exim 4.96 writes it:
 *                          log.c's DEBUG(D_any|D_v) branch of log_write,
 *                          deliver.c's "delivering %s".)
 */
#include "framing.h"

/* Tried in order; each refuses a foreign line on its first bytes. The
 * first four read disjoint sets of lines (a month name; a date and a
 * space; a date and a 'T'; "<PRI>1 "), so their order is only for speed:
 * the common ones first, each line pays for the others' refusals (a
 * fifteenth of the report's time when traditional lines came fourth).
 * The host-first form goes last: it is tried on what no other framing
 * read. */
static const struct mxt_framing *const framings[] = {
	&mxt_framing_traditional,
	&mxt_framing_exim,
	&mxt_framing_rfc3339,
	&mxt_framing_rfc5424,
	&mxt_framing_short_full,
	&mxt_framing_short_unix,
	&mxt_framing_exim_wrapped,
};

/* ANSI colour sequences "ESC [ digits ; ... m" at p, skipped. */
static const char *
skip_colour(const char *p, const char *end)
{
	while (end - p >= 3 && p[0] == '\x1b' && p[1] == '[') {
		const char *q = p + 2;
		while (q < end && (is_digit(*q) || *q == ';'))
			q++;
		if (q >= end || *q != 'm')
			break;
		p = q + 1;
	}
	return p;
}

/* Past "[pod/NAME/CONTAINER] " (kubectl logs --prefix), or p. */
static const char *
skip_kubectl(const char *p, const char *end)
{
	if (!has_lit(p, end, "[pod/"))
		return p;
	const char *q = p + MXT_LIT_LEN("[pod/");
	while (q < end && *q != ']' && *q != ' ')
		q++;
	if (q + 1 >= end || *q != ']' || q[1] != ' ')
		return p;
	return q + 2;
}

/* Past "SERVICE  | " (docker compose logs), or p. */
static const char *
skip_compose(const char *p, const char *end)
{
	const char *q = p;
	while (q < end && ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
	    is_digit(*q) || *q == '_' || *q == '-' || *q == '.'))
		q++;
	if (q == p || q >= end || *q != ' ')
		return p;
	q = skip_spaces(q, end);
	if (q >= end || *q != '|')
		return p;
	q = skip_colour(q + 1, end);
	if (q < end && *q == ' ')
		q++;
	return q;
}

/* The registry's framings on [p, end), "<PRI>" first. */
static bool
parse_framed(struct mxt_clock *c, const char *p, const char *end,
    struct mxt_logline *out)
{
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

/* Past the pid Exim's debug output puts in front of each line ("%5d ":
 * spaces, digits, one space), *pid set; p and "" when there is none. */
static const char *
skip_debug_pid(const char *p, const char *end, struct mxt_str *pid)
{
	const char *q = p;
	*pid = mxt_str_make("", 0);
	while (q < end && *q == ' ')
		q++;
	const char *d = q;
	while (q < end && is_digit(*q))
		q++;
	if (q == d || q - d > 10 || q >= end || *q != ' ')
		return p;
	*pid = mxt_str_make(d, (size_t)(q - d));
	return q + 1;
}

static void
foreground_line(struct mxt_logline *out, const struct mxt_time *t,
    struct mxt_str pid, const char *p, const char *end)
{
	memset(out, 0, sizeof *out);
	out->kind = MXT_HDR_EXIM_FG;
	out->time = *t;
	out->host = mxt_str_make("", 0);
	out->program = mxt_str_make(MXT_LIT("exim"));
	out->pid = pid;
	out->msg = mxt_str_make(p, (size_t)(end - p));
}

/* Exim's foreground output: "LOG: ... MAIN|REJECT|PANIC" starts an
 * entry (nothing to read in it), "  message" is the entry; both may have
 * the process's pid in front, the same on both. */
static bool
exim_foreground(struct mxt_clock *c, const char *p, const char *end,
    const struct mxt_time *t, struct mxt_logline *out)
{
	bool pending = c->exim_fg;
	c->exim_fg = false;
	struct mxt_str pid;
	p = skip_debug_pid(p, end, &pid);
	if (has_lit(p, end, "LOG:") && (find_lit(p, end, " MAIN") != NULL ||
	    find_lit(p, end, " REJECT") != NULL)) {
		c->exim_fg = true;
		c->exim_fg_time = *t;
		snprintf(c->exim_fg_pid, sizeof c->exim_fg_pid, "%.*s",
		    (int)pid.len, pid.ptr);
		return false;
	}
	if (has_lit(p, end, "delivering ") && end - p > 26) {
		/* the id follows; exim.c checks it */
		foreground_line(out, t, pid, p, end);
		return true;
	}
	if (!pending || !has_lit(p, end, "  ") || end - p < 3 || p[2] == ' ' ||
	    strlen(c->exim_fg_pid) != pid.len ||
	    memcmp(c->exim_fg_pid, pid.ptr, pid.len) != 0)
		return false;
	foreground_line(out, t->valid ? t : &c->exim_fg_time, pid, p + 2, end);
	return true;
}

/* RFC 3339 in UTC and a space at p: past it, or NULL. */
static const char *
utc_time_end(const char *p, const char *end)
{
	if (end - p < 21 || p[4] != '-' || p[10] != 'T' || p[13] != ':')
		return NULL;
	const char *q = p + 19;
	if (q < end && *q == '.')
		for (q++; q < end && is_digit(*q); q++)
			;
	return end - q >= 2 && q[0] == 'Z' && q[1] == ' ' ? q + 2 : NULL;
}

/* A timestamp of a container tool in front of a line: RFC 3339 in UTC
 * with nine digits of fraction ("2026-11-23T10:00:01.123456789Z ", docker
 * and podman logs -t), unlike any syslog daemon's; or RFC 3339 in UTC
 * ("2026-12-01T00:18:01Z ", docker-compose 1.x logs -t) followed by a
 * date of its own, an Exim main log's "2026-11-23 13:33:33" or a
 * traditional syslog "Nov 23 13:33:33": a syslog daemon's RFC 3339 header
 * is followed by a host name. */
static bool
docker_time(const char *p, const char *end)
{
	if (end - p > 31 && p[4] == '-' && p[10] == 'T' && p[19] == '.' &&
	    p[29] == 'Z' && p[30] == ' ' && is_digit(p[28]))
		return true;
	const char *q = utc_time_end(p, end);
	if (q == NULL)
		return false;
	bool exim_date = end - q > 10 && is_digit(q[0]) && is_digit(q[3]) &&
	    q[4] == '-' && q[7] == '-' && q[10] == ' ';
	bool syslog_date = end - q > 7 && q[0] >= 'A' && q[0] <= 'Z' &&
	    q[3] == ' ' && (q[4] == ' ' || is_digit(q[4])) && is_digit(q[5]) &&
	    q[6] == ' ';
	return exim_date || syslog_date;
}

/*
 * podman (conmon) stores a container's output in pieces as its 8 KiB
 * reads cut it, and `podman logs -t` (docker-compose logs -t through its
 * API too) writes every piece with its own timestamp and no newline
 * between: "... (in repl2026-12-01T00:17:39.671619079Z y to RCPT TO
 * command)". When the line after the timestamp ts (the first n bytes at
 * p) holds a timestamp of the same form and day, the line is put
 * together without it into c->rejoined; *line, *end and *p then point
 * there. A reply text quoting such a time to the nanosecond, on the day
 * it was logged, would lose it too.
 */
static void
rejoin(struct mxt_clock *c, const char **line, const char **end,
    const char **p, size_t n)
{
	const char *ts = *p, *from = *p + n, *e = *end;
	size_t w = 0;
	bool found = false;
	for (const char *q = from; e - q >= (ptrdiff_t)n;) {
		const char *hit = memmem(q, (size_t)(e - q), ts, 11);
		if (hit == NULL || e - hit < (ptrdiff_t)n)
			break;
		bool same = utc_time_end(hit, hit + n) == hit + n;
		for (size_t i = 11; same && i < n; i++)
			same = is_digit(ts[i]) ? is_digit(hit[i]) : hit[i] == ts[i];
		if (!same) {
			q = hit + 1;
			continue;
		}
		if (!found) {
			w = (size_t)(from - *line);
			memcpy(c->rejoined, *line, w);
			found = true;
		}
		memcpy(c->rejoined + w, from, (size_t)(hit - from));
		w += (size_t)(hit - from);
		from = q = hit + n;
	}
	if (!found)
		return;
	memcpy(c->rejoined + w, from, (size_t)(e - from));
	w += (size_t)(e - from);
	c->rejoined[w] = '\0';
	*p = c->rejoined + (*p - *line);
	*line = c->rejoined;
	*end = c->rejoined + w;
}

bool
mxt_syslog_parse(struct mxt_clock *c, const char *line, size_t len,
    struct mxt_logline *out)
{
	const char *p = line, *end = line + len;
	struct mxt_time outer = {0};

	/* the common case first: a line without a wrapper */
	if (len > 0 && *p != '[' && *p != '\x1b' && !c->exim_fg &&
	    !docker_time(p, end) && parse_framed(c, p, end, out))
		return true;
	bool fg = c->exim_fg;
	p = skip_colour(p, end);
	p = skip_kubectl(p, end);
	p = skip_compose(p, end);
	const char *ts_end = utc_time_end(p, end);
	if (ts_end != NULL)
		rejoin(c, &line, &end, &p, (size_t)(ts_end - p));
	/* a docker timestamp after the wrapper (compose logs -t, kubectl
	 * --prefix --timestamps) is taken off below, as on a bare line: read
	 * as a header here, an Exim main log line after it would become an
	 * RFC 3339 line with the Exim date as its host */
	if (p != line && !fg && !docker_time(p, end) &&
	    parse_framed(c, p, end, out))
		return true;
	/* docker's own timestamp in front of the line */
	const char *q = p;
	bool had_zone;
	if (mxt_framing_iso_time(&q, end, 'T', NULL, &outer, &had_zone) &&
	    q < end && *q == ' ') {
		if (!fg && parse_framed(c, q + 1, end, out))
			return true;
		q++;
	} else {
		q = p;
	}
	if (exim_foreground(c, q, end, &outer, out))
		return true;
	/* after a "LOG:" line, a line that is not its entry is itself */
	if (fg && (parse_framed(c, p, end, out) || (q != p &&
	    parse_framed(c, q, end, out))))
		return true;
	/* a line skipped above for its look, read as it is after all (after
	 * its wrapper, as a bare line would be) */
	if ((fg || docker_time(line, end)) && parse_framed(c, line, end, out))
		return true;
	if (p != line && !fg && docker_time(p, end) &&
	    parse_framed(c, p, end, out))
		return true;
	memset(out, 0, sizeof *out);
	return false;
}
