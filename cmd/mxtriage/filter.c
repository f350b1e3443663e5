/*
 * filter.c - the options that choose which events count, shared by the
 * report and `events`: --since/--until/--day, --domain, --provider,
 * --relay, --code, --cause, --status, --direction. The matching itself
 * is the library's (mxt_filter_match).
 */
#include "cli.h"

#include <err.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

time_t
cli_now(void)
{
	/* MXTRIAGE_NOW (seconds since the epoch) fixes "now" for tests */
	const char *e = getenv("MXTRIAGE_NOW");
	if (e == NULL || *e == '\0')
		return time(NULL);
	char *end;
	errno = 0;
	long long v = strtoll(e, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0)
		errx(MXT_EXIT_USAGE, "MXTRIAGE_NOW: '%s' is not a count of "
		    "seconds since the epoch", e);
	return (time_t)v;
}

static bool
add_code(struct mxt_filter *f, char *s, const char *opt)
{
	int v = 0;
	if (strlen(s) == 3 && (s[0] == '2' || s[0] == '4' || s[0] == '5') &&
	    strcmp(s + 1, "xx") == 0)
		v = s[0] - '0';
	else if (strlen(s) == 3 && s[0] >= '2' && s[0] <= '5' &&
	    strspn(s, "0123456789") == 3)
		v = atoi(s);
	if (v == 0 || f->ncodes == sizeof f->codes / sizeof f->codes[0]) {
		warnx("%s: '%s' is not a reply code (like 421) or class (4xx)",
		    opt, s);
		return false;
	}
	f->codes[f->ncodes++] = v;
	return true;
}

static bool
add_cause(struct mxt_filter *f, char *s, const char *opt)
{
	int c = mxt_cause_lookup(s);
	if (c <= 0) {
		warnx("%s: '%s' is not a cause id (see mxtriage(1))", opt, s);
		return false;
	}
	f->any_cause = false;
	f->causes[c] = true;
	return true;
}

static bool
add_status(struct mxt_filter *f, char *s, const char *opt)
{
	int st = mxt_status_lookup(s);
	if (st < 0) {
		warnx("%s: '%s' is not a status (delivered, deferred, bounced, "
		    "expired, rejected)", opt, s);
		return false;
	}
	f->any_status = false;
	f->statuses[st] = true;
	return true;
}

/* Provider names are not checked against the table: a rules file may
 * add providers, and a name that matches nothing selects nothing. */
static bool
add_provider(struct mxt_filter *f, char *s, const char *opt)
{
	if (f->nproviders == sizeof f->providers / sizeof f->providers[0]) {
		warnx("%s: at most %zu providers", opt,
		    sizeof f->providers / sizeof f->providers[0]);
		return false;
	}
	f->providers[f->nproviders++] = s;
	return true;
}

/* Splits the comma list arg in place (the argument strings live as long
 * as the program: the filter borrows them) and calls one for each item;
 * false on the first item refused. Empty items are skipped. */
static bool
each_item(char *arg, const char *opt, struct mxt_filter *f,
    bool (*one)(struct mxt_filter *, char *, const char *))
{
	char *save = NULL;
	bool any = false;
	for (char *t = strtok_r(arg, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save)) {
		if (!one(f, t, opt))
			return false;
		any = true;
	}
	if (!any)
		warnx("%s: the list is empty", opt);
	return any;
}

int
cli_filter_option(struct cli_filter *cf, int opt, char *arg)
{
	struct mxt_filter *f = cf->filter;
	bool ok = true;
	switch (opt) {
	case OPT_SINCE: cf->since = arg; break;
	case OPT_UNTIL: cf->until = arg; break;
	case OPT_DAY: cf->day = arg; break;
	case OPT_DOMAIN: f->domain_glob = arg; break;
	case OPT_RELAY: f->relay_glob = arg; break;
	case OPT_PROVIDER: ok = each_item(arg, "--provider", f, add_provider); break;
	case OPT_CODE: ok = each_item(arg, "--code", f, add_code); break;
	case OPT_CAUSE: ok = each_item(arg, "--cause", f, add_cause); break;
	case OPT_STATUS: ok = each_item(arg, "--status", f, add_status); break;
	case OPT_DIRECTION:
		if ((f->direction = mxt_direction_lookup(arg)) < 0) {
			warnx("--direction: '%s' is not in or out", arg);
			ok = false;
		}
		break;
	default:
		return 0;
	}
	return ok ? 1 : -1;
}

int
cli_filter_window(struct cli_filter *cf)
{
	struct mxt_filter *f = cf->filter;
	struct mxt_error e;
	time_t now = cli_now();
	if (cf->day && (cf->since || cf->until)) {
		warnx("--day cannot be combined with --since or --until");
		return -1;
	}
	if (cf->day) {
		if (mxt_day_range(cf->day, now, &f->since, &f->until, &e) < 0) {
			warnx("--day: %s", e.text);
			return -1;
		}
		f->has_since = f->has_until = true;
	}
	if (cf->since) {
		if (mxt_time_parse(cf->since, now, &f->since, &e) < 0) {
			warnx("--since: %s", e.text);
			return -1;
		}
		f->has_since = true;
	}
	if (cf->until) {
		if (mxt_time_parse(cf->until, now, &f->until, &e) < 0) {
			warnx("--until: %s", e.text);
			return -1;
		}
		f->has_until = true;
	}
	if (f->has_since && f->has_until && f->until <= f->since) {
		warnx("--until must be later than --since");
		return -1;
	}
	return 0;
}
