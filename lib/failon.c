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
 * bounced + expired without cached repeats; rates are per cent of
 * outbound attempts (delivered + deferred + bounced + expired);
 * pending_age is the age of the oldest recipient still deferred at the
 * end of the input.
 */
#include "summary.h"

#include <ctype.h>
#include <stdlib.h>

enum metric {
	M_STATUS, /* + status */
	M_FAILURES,
	M_UNPARSED,
	M_PENDING,
	M_PENDING_AGE,
	M_BOUNCE_RATE,
	M_DEFER_RATE,
	M_CAUSE, /* + cause */
};

enum op { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE };

struct mxt_failon {
	char text[128];
	enum metric metric;
	int arg;
	enum op op;
	double value;
};

static struct mxt_failon *
bad(struct mxt_error *err, const char *expr, const char *at, const char *why)
{
	memset(err, 0, sizeof *err);
	err->column = (long)(at - expr) + 1;
	snprintf(err->text, sizeof err->text, "%s", why);
	return NULL;
}

struct mxt_failon *
mxt_failon_parse(const char *expr, struct mxt_error *err)
{
	struct mxt_failon f = {0};
	const char *p = expr;
	while (isspace((unsigned char)*p))
		p++;
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
	int st;
	if ((st = mxt_status_lookup(metric)) >= 0) {
		f.metric = M_STATUS;
		f.arg = st;
	} else if (strcmp(metric, "failures") == 0) {
		f.metric = M_FAILURES;
	} else if (strcmp(metric, "unparsed") == 0) {
		f.metric = M_UNPARSED;
	} else if (strcmp(metric, "pending") == 0) {
		f.metric = M_PENDING;
	} else if (strcmp(metric, "pending_age") == 0) {
		f.metric = M_PENDING_AGE;
	} else if (strcmp(metric, "bounce_rate") == 0) {
		f.metric = M_BOUNCE_RATE;
	} else if (strcmp(metric, "defer_rate") == 0) {
		f.metric = M_DEFER_RATE;
	} else if (strncmp(metric, "cause:", 6) == 0) {
		int c = mxt_cause_lookup(metric + 6);
		if (c <= 0)
			return bad(err, expr, name + 6, "unknown cause id "
			    "(see 'mxtriage explain' or mxtriage(1))");
		f.metric = M_CAUSE;
		f.arg = c;
	} else {
		return bad(err, expr, name, "unknown metric (delivered, "
		    "deferred, bounced, expired, rejected, failures, unparsed, "
		    "pending, pending_age, bounce_rate, defer_rate, cause:ID)");
	}
	while (isspace((unsigned char)*p))
		p++;
	const char *opat = p;
	if (p[0] == '>' && p[1] == '=')
		f.op = OP_GE, p += 2;
	else if (p[0] == '<' && p[1] == '=')
		f.op = OP_LE, p += 2;
	else if (p[0] == '!' && p[1] == '=')
		f.op = OP_NE, p += 2;
	else if (p[0] == '=' && p[1] == '=')
		f.op = OP_EQ, p += 2;
	else if (*p == '>')
		f.op = OP_GT, p++;
	else if (*p == '<')
		f.op = OP_LT, p++;
	else if (*p == '=')
		f.op = OP_EQ, p++;
	else
		return bad(err, expr, opat, "expected a comparison: > >= < <= = !=");
	while (isspace((unsigned char)*p))
		p++;
	char *end;
	const char *numat = p;
	f.value = strtod(p, &end);
	if (end == p || f.value < 0)
		return bad(err, expr, numat, "expected a number");
	p = end;
	bool rate = f.metric == M_BOUNCE_RATE || f.metric == M_DEFER_RATE;
	if (*p == '%') {
		if (!rate)
			return bad(err, expr, p, "'%' goes with bounce_rate and "
			    "defer_rate only");
		p++;
	} else if (f.metric == M_PENDING_AGE && *p && strchr("smhd", *p)) {
		f.value *= *p == 's' ? 1 : *p == 'm' ? 60 : *p == 'h' ? 3600 :
		    86400;
		p++;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		return bad(err, expr, p, f.metric == M_PENDING_AGE ?
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

bool
mxt_failon_eval(const struct mxt_failon *f, const struct mxt_summary *s,
    char *why, size_t size)
{
	const uint64_t *e = s->events;
	double attempts = (double)(e[MXT_STATUS_DELIVERED] +
	    e[MXT_STATUS_DEFERRED] + e[MXT_STATUS_BOUNCED] + e[MXT_STATUS_EXPIRED]);
	double v = 0;
	switch (f->metric) {
	case M_STATUS: v = (double)e[f->arg]; break;
	case M_FAILURES:
		v = (double)(e[MXT_STATUS_DEFERRED] + e[MXT_STATUS_BOUNCED] +
		    e[MXT_STATUS_EXPIRED] - s->repeats);
		break;
	case M_UNPARSED: v = (double)s->stats.unparsed; break;
	case M_PENDING: v = (double)mxt_summary_pending_count(s); break;
	case M_PENDING_AGE: v = (double)mxt_summary_oldest_pending_age(s); break;
	case M_BOUNCE_RATE:
		v = attempts ? 100.0 * (double)e[MXT_STATUS_BOUNCED] / attempts : 0;
		break;
	case M_DEFER_RATE:
		v = attempts ? 100.0 * (double)e[MXT_STATUS_DEFERRED] / attempts : 0;
		break;
	case M_CAUSE:
		v = (double)(s->causes[f->arg].events + s->causes[f->arg].rejections);
		break;
	}
	bool hold = false;
	switch (f->op) {
	case OP_GT: hold = v > f->value; break;
	case OP_GE: hold = v >= f->value; break;
	case OP_LT: hold = v < f->value; break;
	case OP_LE: hold = v <= f->value; break;
	case OP_EQ: hold = v == f->value; break;
	case OP_NE: hold = v != f->value; break;
	}
	if (f->metric == M_PENDING_AGE) {
		char d[32];
		snprintf(why, size, "%s (oldest pending: %s)", f->text,
		    mxt_duration_format((int64_t)v, d, sizeof d));
	} else {
		snprintf(why, size, "%s (value %.10g)", f->text, v);
	}
	return hold;
}
