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
 */
#include "summary.h"

#include <ctype.h>
#include <stdlib.h>

enum op { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE };

struct mxt_failon {
	char text[128];
	const struct mxt_metric *metric;
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

bool
mxt_failon_eval(const struct mxt_failon *f, const struct mxt_summary *s,
    char *why, size_t size)
{
	double v = mxt_metric_value(f->metric, s, f->arg);
	bool hold = false;
	switch (f->op) {
	case OP_GT: hold = v > f->value; break;
	case OP_GE: hold = v >= f->value; break;
	case OP_LT: hold = v < f->value; break;
	case OP_LE: hold = v <= f->value; break;
	case OP_EQ: hold = v == f->value; break;
	case OP_NE: hold = v != f->value; break;
	}
	if (f->metric->unit == MXT_UNIT_SECONDS) {
		char d[32];
		snprintf(why, size, "%s (oldest pending: %s)", f->text,
		    mxt_duration_format((int64_t)v, d, sizeof d));
	} else {
		snprintf(why, size, "%s (value %.10g)", f->text, v);
	}
	return hold;
}
