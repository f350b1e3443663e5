/*
 * trace_cmd.c - the `mxtriage trace` command line of a report row: a
 * group (its key values, the report's filters and window, the inputs) or
 * a pending recipient (its queue id and host). The JSON report carries
 * them, the table shows them with --show-ids: from "what fails" to the
 * queue ids and raw lines in one paste.
 *
 * Values come from the log, so each is made safe twice: glob characters
 * escaped for fnmatch, then the word quoted for a POSIX shell (single
 * quotes, a quote between them as \'), so no value can run anything.
 */
#include "summary.h"
#include "trace.h"

#include <stdlib.h>

/* Appends s as one shell word. */
static void
shell_word(struct mxt_buf *b, const char *s, size_t n)
{
	bool plain = n > 0;
	for (size_t i = 0; i < n && plain; i++) {
		char c = s[i];
		plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("@%+=:,./_-", c) != NULL;
	}
	if (plain && s[0] != '-') {
		mxt_buf_append(b, s, n);
		return;
	}
	/* runs of other bytes in single quotes, a quote as \' between
	 * them: no empty '' beside it (glibc's wordexp(3) splits the word
	 * at ''\''x', which a shell reads as one) */
	bool open = false;
	if (n == 0)
		mxt_buf_append(b, "''", 2);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'') {
			mxt_buf_append(b, open ? "'\\'" : "\\'", open ? 3 : 2);
			open = false;
			continue;
		}
		if (!open)
			mxt_buf_append(b, "'", 1);
		open = true;
		mxt_buf_append(b, &s[i], 1);
	}
	if (open)
		mxt_buf_append(b, "'", 1);
}

/* " --opt WORD"; glob: fnmatch's special characters escaped first. */
static void
option(struct mxt_buf *b, const char *opt, const char *prefix, const char *v,
    size_t n, bool glob)
{
	struct mxt_buf w = {0};
	mxt_buf_printf(b, " %s ", opt);
	mxt_buf_printf(&w, "%s", prefix);
	for (size_t i = 0; i < n; i++) {
		if (glob && strchr("*?[]\\", v[i]) != NULL)
			mxt_buf_append(&w, "\\", 1);
		mxt_buf_append(&w, &v[i], 1);
	}
	shell_word(b, w.p ? w.p : "", w.len);
	free(w.p);
}

static void
inputs(struct mxt_buf *b, const struct mxt_summary *s)
{
	for (size_t i = 0; i < s->ninputs; i++) {
		const char *name = s->inputs[i].name;
		if (strcmp(name, "<stdin>") == 0)
			continue; /* the user pipes it in again */
		mxt_buf_append(b, " ", 1);
		/* "--" is not needed: a name starting with '-' is quoted,
		 * and a quoted word is still an option to getopt, so such a
		 * name is written as ./NAME */
		if (name[0] == '-') {
			struct mxt_buf w = {0};
			mxt_buf_printf(&w, "./%s", name);
			shell_word(b, w.p, w.len);
			free(w.p);
		} else {
			shell_word(b, name, strlen(name));
		}
	}
}

static void
window(struct mxt_buf *b, const struct mxt_summary *s)
{
	char t[64];
	const struct mxt_filter *f = &s->cfg.filter;
	if (f->has_since) {
		mxt_local_time(f->since, t, sizeof t);
		option(b, "--since", "", t, strlen(t), false);
	}
	if (f->has_until) {
		mxt_local_time(f->until, t, sizeof t);
		option(b, "--until", "", t, strlen(t), false);
	}
}

static bool
has_key(const struct mxt_summary *s, enum mxt_key k)
{
	for (size_t i = 0; i < s->cfg.nby; i++)
		if (s->cfg.by[i] == k)
			return true;
	return false;
}

char *
mxt_trace_command_group(const struct mxt_summary *s, const struct group *g)
{
	struct mxt_buf b = {0};
	const struct mxt_filter *f = &s->cfg.filter;
	mxt_buf_printf(&b, "mxtriage trace");
	for (size_t k = 0; k < s->cfg.nby; k++) {
		const char *v = g->values[k];
		size_t n = strlen(v);
		switch (s->cfg.by[k]) {
		case MXT_KEY_DOMAIN:
			option(&b, "--domain", "", v, strcmp(v, "(none)") ? n :
			    0, true);
			break;
		case MXT_KEY_CAUSE:
			if (mxt_cause_lookup(v) > 0)
				option(&b, "--cause", "", v, n, false);
			break;
		case MXT_KEY_CODE:
			option(&b, "--code", "", v, n, false);
			break;
		case MXT_KEY_RELAY:
			option(&b, "--relay", "", v, strcmp(v, "(none)") ? n :
			    0, true);
			break;
		case MXT_KEY_SENDER:
			option(&b, "--sender", "", v, strcmp(v, "<>") ? n : 0,
			    true);
			break;
		case MXT_KEY_SENDER_DOMAIN:
			if (strcmp(v, "(none)") == 0)
				option(&b, "--sender", "", "", 0, false);
			else
				option(&b, "--sender", "*@", v, n, true);
			break;
		case MXT_KEY_HOST:
			option(&b, "--log-host", "", v, strcmp(v, "(none)") ?
			    n : 0, false);
			break;
		case MXT_KEY_MTA:
			option(&b, "--mta", "", v, n, false);
			break;
		case MXT_KEY_DIRECTION:
			option(&b, "--direction", "", v, n, false);
			break;
		case MXT_KEY_PROVIDER:
			/* "(other)": no known provider, which the filter's
			 * provider list calls "none" */
			if (strcmp(v, "(other)") == 0)
				option(&b, "--provider", "", "none", 4, false);
			else
				option(&b, "--provider", "", v, n, false);
			break;
		case MXT_KEY_HOUR:
		case MXT_KEY_DAY:
			option(&b, "--when", "", v, n, false);
			break;
		case MXT_KEY_COUNT:
			break;
		}
	}
	/* the report's own filters, where no key says more */
	if (f->domain_glob && !has_key(s, MXT_KEY_DOMAIN))
		option(&b, "--domain", "", f->domain_glob,
		    strlen(f->domain_glob), false);
	if (!f->any_cause && !has_key(s, MXT_KEY_CAUSE)) {
		struct mxt_buf l = {0};
		for (int c = 1; c < MXT_CAUSE_COUNT; c++)
			if (f->causes[c])
				mxt_buf_printf(&l, "%s%s", l.len ? "," : "",
				    mxt_cause_id(c));
		option(&b, "--cause", "", l.p ? l.p : "", l.len, false);
		free(l.p);
	}
	if (f->ncodes > 0 && !has_key(s, MXT_KEY_CODE)) {
		struct mxt_buf l = {0};
		for (size_t i = 0; i < f->ncodes; i++)
			mxt_buf_printf(&l, f->codes[i] < 10 ? "%s%dxx" : "%s%d",
			    l.len ? "," : "", f->codes[i]);
		option(&b, "--code", "", l.p, l.len, false);
		free(l.p);
	}
	/* a group holds deferrals, bounces and expiries (all outbound) */
	struct mxt_buf l = {0};
	static const enum mxt_status failed[] = {MXT_STATUS_DEFERRED,
	    MXT_STATUS_BOUNCED, MXT_STATUS_EXPIRED};
	for (size_t i = 0; i < sizeof failed / sizeof failed[0]; i++)
		if (f->any_status || f->statuses[failed[i]])
			mxt_buf_printf(&l, "%s%s", l.len ? "," : "",
			    mxt_status_name(failed[i]));
	option(&b, "--status", "", l.p ? l.p : "", l.len, false);
	free(l.p);
	window(&b, s);
	inputs(&b, s);
	return b.p;
}

char *
mxt_trace_command_pending(const struct mxt_summary *s, const struct retry *r)
{
	struct mxt_buf b = {0};
	mxt_buf_printf(&b, "mxtriage trace");
	/* the queue id alone: the host of a log that names none comes
	 * from --host, which the summary does not keep; an id on two hosts
	 * gives two messages, each labelled with its host */
	option(&b, "--queue-id", "", r->queue_id, strlen(r->queue_id), false);
	inputs(&b, s);
	return b.p;
}
