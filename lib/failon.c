/*
 * failon.c - --fail-on conditions for cron and monitoring.
 *
 * Grammar (one condition per --fail-on; the program exits 1 when any
 * holds):
 *   condition := metric op value
 *   metric    := delivered | deferred | bounced | expired | rejected
 *              | failures | unparsed | pending | pending_age
 *              | bounce_rate | defer_rate | cause:ID
 *   op        := ">" | ">=" | "<" | "<=" | "=" | "!="
 *   value     := number ["%"] (rates) | number [s|m|h|d] (pending_age)
 * Counts are events in the window after filters; failures = deferred +
 * bounced + expired without cached repeats; the rates are those of
 * summary_rates.c (defer_rate: fresh deferrals per 100 fresh attempts,
 * cached repeats in neither; bounce_rate: bounced and expired per 100
 * recipients that reached a final status); pending_age is the age of
 * the oldest recipient still deferred at the end of the input.
 *
 * Per group (any provider or domain for which every part holds fires,
 * and the explanation names it):
 *   group-condition := scope ":" part { "," part }
 *   scope           := "provider" | "domain"
 *                    | "provider=" NAME | "domain=" GLOB
 *   part            := gmetric op value
 *   gmetric         := attempts | events (the same) | delivered | deferred
 *                    | bounced | expired | cached | defer_rate | bounce_rate
 * e.g. provider:defer_rate>50%,attempts>=20 -- the rates and counts of
 * the group's row in "Rates by provider" / "Rates by domain".
 */
#include "summary_read.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdlib.h>

enum op { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE };

/* The metrics of one group's rate row, in one table. */
enum gmetric {
	GM_ATTEMPTS, GM_DELIVERED, GM_DEFERRED, GM_BOUNCED, GM_EXPIRED,
	GM_CACHED, GM_DEFER_RATE, GM_BOUNCE_RATE, GM_COUNT
};
static const struct {
	const char *name;
	bool rate;
} gmetrics[] = {
	[GM_ATTEMPTS] = {"attempts", false},
	[GM_DELIVERED] = {"delivered", false},
	[GM_DEFERRED] = {"deferred", false},
	[GM_BOUNCED] = {"bounced", false},
	[GM_EXPIRED] = {"expired", false},
	[GM_CACHED] = {"cached", false},
	[GM_DEFER_RATE] = {"defer_rate", true},
	[GM_BOUNCE_RATE] = {"bounce_rate", true},
};

#define FAILON_PARTS_MAX 8

enum scope { SCOPE_ALL, SCOPE_PROVIDER, SCOPE_DOMAIN };

struct part {
	enum gmetric metric;
	enum op op;
	double value;
};

struct mxt_failon {
	char text[128];
	const struct mxt_metric *metric;
	int arg;
	enum op op;
	double value;
	/* a per-group condition: scope != SCOPE_ALL */
	enum scope scope;
	char name[128];              /* provider=NAME, domain=GLOB; "" = any */
	struct part parts[FAILON_PARTS_MAX];
	size_t nparts;
};

static struct mxt_failon *
bad(struct mxt_error *err, const char *expr, const char *at, const char *why)
{
	memset(err, 0, sizeof *err);
	err->column = (long)(at - expr) + 1;
	snprintf(err->text, sizeof err->text, "%s", why);
	return NULL;
}

/* The comparison at *p (spaces before it skipped); false when none. */
static bool
parse_op(const char **pp, enum op *op)
{
	const char *p = *pp;
	while (isspace((unsigned char)*p))
		p++;
	if (p[0] == '>' && p[1] == '=')
		*op = OP_GE, p += 2;
	else if (p[0] == '<' && p[1] == '=')
		*op = OP_LE, p += 2;
	else if (p[0] == '!' && p[1] == '=')
		*op = OP_NE, p += 2;
	else if (p[0] == '=' && p[1] == '=')
		*op = OP_EQ, p += 2;
	else if (*p == '>')
		*op = OP_GT, p++;
	else if (*p == '<')
		*op = OP_LT, p++;
	else if (*p == '=')
		*op = OP_EQ, p++;
	else
		return false;
	*pp = p;
	return true;
}

static bool
compare(enum op op, double v, double value)
{
	switch (op) {
	case OP_GT: return v > value;
	case OP_GE: return v >= value;
	case OP_LT: return v < value;
	case OP_LE: return v <= value;
	case OP_EQ: return v == value;
	case OP_NE: return v != value;
	}
	return false;
}

/* "provider:..." and the like: the scope's length (to the ':'), else 0. */
static size_t
group_scope(const char *p, enum scope *scope)
{
	static const struct {
		const char *word;
		enum scope scope;
	} words[] = {{"provider", SCOPE_PROVIDER}, {"domain", SCOPE_DOMAIN}};
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t n = strlen(words[i].word);
		if (strncmp(p, words[i].word, n) == 0 &&
		    (p[n] == ':' || p[n] == '=')) {
			*scope = words[i].scope;
			return n;
		}
	}
	return 0;
}

static struct mxt_failon *
parse_group(const char *expr, const char *p, size_t n, enum scope scope,
    struct mxt_error *err)
{
	struct mxt_failon f = {0};
	f.scope = scope;
	p += n;
	if (*p == '=') {
		const char *name = ++p;
		while (*p && *p != ':')
			p++;
		size_t len = (size_t)(p - name);
		if (len == 0 || len >= sizeof f.name)
			return bad(err, expr, name, "expected a name after '=' "
			    "(provider=microsoft, domain=*.example.com)");
		memcpy(f.name, name, len);
		if (*p != ':')
			return bad(err, expr, p, "expected ':' and the condition "
			    "after the group");
	}
	p++; /* the ':' */
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		const char *name = p;
		while (isalnum((unsigned char)*p) || *p == '_')
			p++;
		size_t len = (size_t)(p - name);
		int m = -1;
		for (int i = 0; i < GM_COUNT; i++)
			if (strlen(gmetrics[i].name) == len &&
			    strncmp(gmetrics[i].name, name, len) == 0)
				m = i;
		if (len == 6 && strncmp(name, "events", 6) == 0)
			m = GM_ATTEMPTS;
		if (m < 0)
			return bad(err, expr, name, "unknown group metric "
			    "(attempts, events, delivered, deferred, bounced, "
			    "expired, cached, defer_rate, bounce_rate)");
		if (f.nparts == FAILON_PARTS_MAX)
			return bad(err, expr, name, "at most 8 parts in a group "
			    "condition");
		struct part *pt = &f.parts[f.nparts++];
		pt->metric = (enum gmetric)m;
		const char *opat = p;
		if (!parse_op(&p, &pt->op)) {
			while (isspace((unsigned char)*opat))
				opat++;
			return bad(err, expr, opat,
			    "expected a comparison: > >= < <= = !=");
		}
		while (isspace((unsigned char)*p))
			p++;
		char *end;
		const char *numat = p;
		pt->value = strtod(p, &end);
		if (end == p || !(pt->value >= 0))
			return bad(err, expr, numat, "expected a number");
		p = end;
		if (*p == '%') {
			if (!gmetrics[m].rate)
				return bad(err, expr, p, "'%' goes with "
				    "bounce_rate and defer_rate only");
			p++;
		}
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		if (*p != ',')
			return bad(err, expr, p, "expected ',' and another part, "
			    "or the end");
		p++;
	}
	snprintf(f.text, sizeof f.text, "%s", expr);
	struct mxt_failon *r = xmalloc(sizeof *r);
	*r = f;
	return r;
}

struct mxt_failon *
mxt_failon_parse(const char *expr, struct mxt_error *err)
{
	struct mxt_failon f = {0};
	const char *p = expr;
	while (isspace((unsigned char)*p))
		p++;
	enum scope scope;
	size_t sn = group_scope(p, &scope);
	if (sn > 0)
		return parse_group(expr, p, sn, scope, err);
	const char *name = p;
	while (isalnum((unsigned char)*p) || *p == '_' || *p == ':' || *p == '-')
		p++;
	size_t nlen = (size_t)(p - name);
	char metric[64];
	if (nlen == 0 || nlen >= sizeof metric)
		return bad(err, expr, name, "expected a metric such as "
		    "deferred, bounce_rate, pending_age or cause:ID");
	memcpy(metric, name, nlen);
	metric[nlen] = '\0';
	if ((f.metric = mxt_metric_lookup(metric, &f.arg)) == NULL) {
		if (strncmp(metric, "cause:", 6) == 0)
			return bad(err, expr, name + 6, "unknown cause id "
			    "(see 'mxtriage explain' or mxtriage(1))");
		return bad(err, expr, name, "unknown metric (delivered, "
		    "deferred, bounced, expired, rejected, failures, unparsed, "
		    "pending, pending_age, bounce_rate, defer_rate, cause:ID)");
	}
	while (isspace((unsigned char)*p))
		p++;
	const char *opat = p;
	if (!parse_op(&p, &f.op))
		return bad(err, expr, opat, "expected a comparison: > >= < <= = !=");
	while (isspace((unsigned char)*p))
		p++;
	char *end;
	const char *numat = p;
	f.value = strtod(p, &end);
	if (end == p || f.value < 0)
		return bad(err, expr, numat, "expected a number");
	p = end;
	bool rate = f.metric->unit == MXT_UNIT_PERCENT;
	bool duration = f.metric->unit == MXT_UNIT_SECONDS;
	if (*p == '%') {
		if (!rate)
			return bad(err, expr, p, "'%' goes with bounce_rate and "
			    "defer_rate only");
		p++;
	} else if (duration && *p && strchr("smhd", *p)) {
		f.value *= *p == 's' ? 1 : *p == 'm' ? 60 : *p == 'h' ? 3600 :
		    86400;
		p++;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		return bad(err, expr, p, duration ?
		    "unexpected text (a duration takes s, m, h or d)" :
		    "unexpected text after the value");
	snprintf(f.text, sizeof f.text, "%s", expr);
	struct mxt_failon *r = xmalloc(sizeof *r);
	*r = f;
	return r;
}

void
mxt_failon_destroy(struct mxt_failon *f)
{
	free(f);
}

static double
gvalue(enum gmetric m, const struct rate_row *r)
{
	switch (m) {
	case GM_ATTEMPTS: return (double)mxt_rate_attempts(r);
	case GM_DELIVERED: return (double)r->n[MXT_STATUS_DELIVERED];
	case GM_DEFERRED: return (double)r->n[MXT_STATUS_DEFERRED];
	case GM_BOUNCED: return (double)r->n[MXT_STATUS_BOUNCED];
	case GM_EXPIRED: return (double)r->n[MXT_STATUS_EXPIRED];
	case GM_CACHED: return (double)r->repeats;
	case GM_DEFER_RATE: return 100.0 * mxt_rate_defer(r);
	case GM_BOUNCE_RATE: return 100.0 * mxt_rate_bounce(r);
	case GM_COUNT: break;
	}
	return 0;
}

/* Every part holds for the group's row. */
static bool
group_holds(const struct mxt_failon *f, const struct rate_entry *e)
{
	if (f->name[0] != '\0' && (f->scope == SCOPE_PROVIDER ?
	    strcmp(f->name, e->key) != 0 :
	    fnmatch(f->name, e->key, FNM_CASEFOLD) != 0))
		return false;
	for (size_t i = 0; i < f->nparts; i++)
		if (!compare(f->parts[i].op, gvalue(f->parts[i].metric, e->row),
		    f->parts[i].value))
			return false;
	return true;
}

/* The groups for which it holds, in report order: the first is named
 * with its values, the others counted. */
static bool
eval_group(const struct mxt_failon *f, const struct mxt_summary *s,
    char *why, size_t size)
{
	size_t n, hits = 0;
	struct rate_entry *v = mxt_rates_sorted(s, f->scope == SCOPE_PROVIDER,
	    &n);
	const struct rate_entry *first = NULL;
	for (size_t i = 0; i < n; i++)
		if (group_holds(f, &v[i]) && hits++ == 0)
			first = &v[i];
	struct mxt_buf b = {0};
	mxt_buf_printf(&b, "%s", f->text);
	if (first != NULL) {
		mxt_buf_printf(&b, " (%s %s:", f->scope == SCOPE_PROVIDER ?
		    "provider" : "domain", first->key);
		for (size_t i = 0; i < f->nparts; i++) {
			enum gmetric m = f->parts[i].metric;
			mxt_buf_printf(&b, "%s %s %.10g%s", i ? "," : "",
			    gmetrics[m].name, gvalue(m, first->row),
			    gmetrics[m].rate ? "%" : "");
		}
		if (hits > 1)
			mxt_buf_printf(&b, "; and %zu more", hits - 1);
		mxt_buf_printf(&b, ")");
	} else {
		mxt_buf_printf(&b, " (no %s)", f->scope == SCOPE_PROVIDER ?
		    "provider" : "domain");
	}
	snprintf(why, size, "%s", b.p);
	free(b.p);
	free(v);
	return hits > 0;
}

bool
mxt_failon_eval(const struct mxt_failon *f, const struct mxt_summary *s,
    char *why, size_t size)
{
	if (f->scope != SCOPE_ALL)
		return eval_group(f, s, why, size);
	double v = mxt_metric_value(f->metric, s, f->arg);
	bool hold = compare(f->op, v, f->value);
	if (f->metric->unit == MXT_UNIT_SECONDS) {
		char d[32];
		snprintf(why, size, "%s (oldest pending: %s)", f->text,
		    mxt_duration_format((int64_t)v, d, sizeof d));
	} else {
		snprintf(why, size, "%s (value %.10g)", f->text, v);
	}
	return hold;
}
