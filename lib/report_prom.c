/*
 * report_prom.c - the summary in the Prometheus text exposition format
 * (version 0.0.4), for node_exporter's textfile collector.
 *
 * The numbers come from the metrics table (metrics.c: name, type and help
 * of each series there) and from the summary's read paths (retry
 * outcomes, rejections by cause, groups); nothing is computed twice.
 * Names follow Prometheus' conventions: mxtriage_ prefix, _total on
 * counters, base units (seconds, ratios 0..1). Label cardinality is
 * bounded: statuses, causes and providers are fixed sets (providers:
 * those of the rules), and domains are written only for the --top N
 * domains with the most failures, the rest summed under
 * domain="(other)", so a flood of random domains cannot blow up the
 * monitoring. With --state the summary is the state's totals, and the
 * domain series are those the state keeps (struct mxt_prom_carry, chosen
 * here by mxt_prom_carry_update): a domain once written stays, so that
 * no counter goes down from run to run. Label values from the log are
 * repaired to UTF-8 and escaped (\\, \", \n).
 */
#include "summary_read.h"

#include <stdlib.h>

/* A label value as the format wants it: valid UTF-8, with \ " and
 * newline escaped. */
static void
label_value(FILE *fp, const char *v)
{
	size_t len = strlen(v);
	char *buf = xmalloc(3 * len + 1);
	size_t n = mxt_utf8_sanitize(v, len, buf, 3 * len + 1);
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\\' || buf[i] == '"')
			fputc('\\', fp), fputc(buf[i], fp);
		else if (buf[i] == '\n')
			fputs("\\n", fp);
		else
			fputc(buf[i], fp);
	}
	free(buf);
}

static void
header(FILE *fp, const char *name, const char *help, enum mxt_metric_kind k)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    k == MXT_METRIC_COUNTER ? "counter" : "gauge");
}

/* A sample value: integers as integers, other numbers with enough
 * digits to read back the same double. */
static void
value(FILE *fp, double v)
{
	if (v >= 0 && v < 9e15 && v == (double)(uint64_t)v)
		fprintf(fp, " %llu\n", (unsigned long long)v);
	else
		fprintf(fp, " %.17g\n", v);
}

/* One sample with up to two labels (NULL name = none). */
static void
sample(FILE *fp, const char *name, const char *l1, const char *v1,
    const char *l2, const char *v2, double v)
{
	fputs(name, fp);
	if (l1 != NULL) {
		fprintf(fp, "{%s=\"", l1);
		label_value(fp, v1);
		if (l2 != NULL) {
			fprintf(fp, "\",%s=\"", l2);
			label_value(fp, v2);
		}
		fputs("\"}", fp);
	}
	value(fp, v);
}

/* The rows of the metrics table, one family per prom_name. */
static void
table_metrics(const struct mxt_summary *s, FILE *fp)
{
	size_t n;
	const struct mxt_metric *t = mxt_metric_table(&n);
	for (size_t i = 0; i < n; i++) {
		const struct mxt_metric *m = &t[i];
		double scale = m->unit == MXT_UNIT_PERCENT ? 0.01 : 1;
		if (i == 0 || strcmp(t[i - 1].prom_name, m->prom_name) != 0)
			header(fp, m->prom_name, m->prom_help, m->kind);
		switch (m->arg) {
		case MXT_ARG_NONE:
			sample(fp, m->prom_name, NULL, NULL, NULL, NULL,
			    scale * mxt_metric_value(m, s, 0));
			break;
		case MXT_ARG_STATUS: {
			int st = mxt_status_lookup(m->name);
			sample(fp, m->prom_name, "status", m->name, NULL, NULL,
			    scale * mxt_metric_value(m, s, st));
			break;
		}
		case MXT_ARG_CAUSE:
			/* every cause, 0 included: a series that appears
			 * only when it is non-zero breaks rate() */
			for (int c = 1; c < MXT_CAUSE_COUNT; c++)
				sample(fp, m->prom_name, "cause",
				    mxt_cause_id((enum mxt_cause)c), NULL, NULL,
				    scale * mxt_metric_value(m, s, c));
			break;
		}
	}
}

/* From the summary's read paths: what the table has no row for. */
static void
summary_metrics(const struct mxt_summary *s, FILE *fp)
{
	const struct mxt_summary_header h = mxt_summary_header(s);
	const struct mxt_summary_retries rt = mxt_summary_retries(s);
	header(fp, "mxtriage_messages_total",
	    "Distinct messages with at least one event of the status.",
	    MXT_METRIC_COUNTER);
	for (int st = 0; st < MXT_STATUS_COUNT; st++)
		sample(fp, "mxtriage_messages_total", "status",
		    mxt_status_name((enum mxt_status)st), NULL, NULL,
		    (double)h.messages[st]);
	header(fp, "mxtriage_cached_repeats_total",
	    "Deferrals that repeat an earlier failure (cause suspended).",
	    MXT_METRIC_COUNTER);
	sample(fp, "mxtriage_cached_repeats_total", NULL, NULL, NULL, NULL,
	    (double)h.repeats);
	header(fp, "mxtriage_rejections_total",
	    "Rejections we issued, by cause (events).", MXT_METRIC_COUNTER);
	for (int c = 1; c < MXT_CAUSE_COUNT; c++)
		sample(fp, "mxtriage_rejections_total", "cause",
		    mxt_cause_id((enum mxt_cause)c), NULL, NULL,
		    (double)mxt_summary_cause(s, (enum mxt_cause)c).rejections);
	header(fp, "mxtriage_retry_outcomes_total",
	    "Deferred recipients by what became of them: delivered later, "
	    "bounced, expired.", MXT_METRIC_COUNTER);
	sample(fp, "mxtriage_retry_outcomes_total", "outcome", "delivered",
	    NULL, NULL, (double)rt.delivered);
	sample(fp, "mxtriage_retry_outcomes_total", "outcome", "bounced",
	    NULL, NULL, (double)rt.bounced);
	sample(fp, "mxtriage_retry_outcomes_total", "outcome", "expired",
	    NULL, NULL, (double)rt.expired);
	header(fp, "mxtriage_lines_total", "Log lines read.",
	    MXT_METRIC_COUNTER);
	sample(fp, "mxtriage_lines_total", NULL, NULL, NULL, NULL,
	    (double)h.stats->lines);
	if (h.stats->last.valid) {
		header(fp, "mxtriage_last_log_timestamp_seconds",
		    "Time of the latest mail log line read (seconds since the "
		    "epoch).", MXT_METRIC_GAUGE);
		sample(fp, "mxtriage_last_log_timestamp_seconds", NULL, NULL,
		    NULL, NULL, (double)h.stats->last.sec);
	}
}

/* Failures of groups summed by one --by key. */
struct tally {
	const char *key;
	uint64_t by_status[MXT_STATUS_COUNT];
	uint64_t total;
};

static int
cmp_tally(const void *a, const void *b)
{
	const struct tally *x = a, *y = b;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* The groups' failures by key k, most first (ties by name); *n gets how
 * many. malloc'd; keys are borrowed from the groups. */
static struct tally *
tally_by(const struct mxt_summary *s, size_t k, size_t *n)
{
	struct mxt_strmap index;
	size_t ng;
	struct mxt_group_row *gv = mxt_summary_groups(s, &ng);
	struct tally *v = xcalloc(ng + 1, sizeof *v);
	size_t count = 0;
	mxt_strmap_init(&index, 0);
	for (size_t i = 0; i < ng; i++) {
		const struct mxt_group_row *g = &gv[i];
		const char *key = g->values[k];
		bool added;
		struct mxt_strmap_slot *slot = mxt_strmap_put(&index, key,
		    strlen(key), &added);
		if (added) {
			slot->value = count;
			v[count++].key = key;
		}
		struct tally *t = &v[slot->value];
		for (int st = MXT_STATUS_DEFERRED; st <= MXT_STATUS_EXPIRED; st++) {
			t->by_status[st] += g->by_status[st];
			t->total += g->by_status[st];
		}
	}
	mxt_strmap_finish(&index);
	free(gv);
	qsort(v, count, sizeof *v, cmp_tally);
	*n = count;
	return v;
}

static void
failure_samples(FILE *fp, const char *name, const char *label,
    const char *key, const uint64_t by_status[MXT_STATUS_COUNT])
{
	for (int st = MXT_STATUS_DEFERRED; st <= MXT_STATUS_EXPIRED; st++)
		sample(fp, name, label, key, "status",
		    mxt_status_name((enum mxt_status)st),
		    (double)by_status[st]);
}

#define DOMAIN_HELP "Deferrals, bounces and expiries by recipient domain, " \
	"for the domains with the most (--top); the others summed as " \
	"domain=\"(other)\"."

static bool
carried(const struct mxt_prom_carry *c, const char *domain)
{
	size_t lo = 0, hi = c->ndomains;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(c->domains[mid], domain);
		if (d == 0)
			return true;
		if (d < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* With --state: the domains the state gave a series (in the order of
 * their failures), and the (other) it carried. */
static void
carried_domains(FILE *fp, const struct mxt_prom_carry *c,
    const struct tally *v, size_t n)
{
	const char *name = "mxtriage_domain_failures_total";
	header(fp, name, DOMAIN_HELP, MXT_METRIC_COUNTER);
	for (size_t i = 0; i < n; i++)
		if (carried(c, v[i].key))
			failure_samples(fp, name, "domain", v[i].key,
			    v[i].by_status);
	if (c->has_other)
		failure_samples(fp, name, "domain", "(other)", c->other);
}

/* The index of the domain key in s's --by keys, or -1. */
static int
domain_key(const struct mxt_summary *s)
{
	const struct mxt_summary_config *cfg = mxt_summary_header(s).cfg;
	for (size_t k = 0; k < cfg->nby; k++)
		if (cfg->by[k] == MXT_KEY_DOMAIN)
			return (int)k;
	return -1;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
mxt_prom_carry_update(struct mxt_prom_carry *c,
    const struct mxt_summary *total, const struct mxt_summary *run,
    size_t top)
{
	int k = domain_key(total);
	if (k < 0 || domain_key(run) != k)
		return;
	size_t n;
	struct tally *v = tally_by(total, (size_t)k, &n);
	size_t had = c->ndomains;
	c->domains = xrealloc(c->domains, (had + (top ? top : n) + 1) *
	    sizeof *c->domains);
	for (size_t i = 0; i < n && (top == 0 || i < top); i++) {
		bool known = false;
		for (size_t j = 0; j < had && !known; j++)
			known = strcmp(c->domains[j], v[i].key) == 0;
		if (!known)
			c->domains[c->ndomains++] = xstrndup(v[i].key,
			    strlen(v[i].key));
	}
	qsort(c->domains, c->ndomains, sizeof *c->domains, cmp_name);
	/* the rest: in the totals now, so (other) is written from now on */
	for (size_t i = 0; i < n; i++)
		if (!carried(c, v[i].key))
			c->has_other = true;
	free(v);
	v = tally_by(run, (size_t)k, &n);
	for (size_t i = 0; i < n; i++)
		if (!carried(c, v[i].key))
			for (int st = 0; st < MXT_STATUS_COUNT; st++)
				c->other[st] += v[i].by_status[st];
	free(v);
}

void
mxt_prom_carry_finish(struct mxt_prom_carry *c)
{
	for (size_t i = 0; i < c->ndomains; i++)
		free(c->domains[i]);
	free(c->domains);
	memset(c, 0, sizeof *c);
}

/* Per provider (all of them: a fixed set) and per domain (the top ones,
 * or with --state those of o->prom_carry) when they are --by keys. */
static void
group_metrics(const struct mxt_summary *s, size_t top,
    const struct mxt_prom_carry *carry, FILE *fp)
{
	const struct mxt_summary_config *cfg = mxt_summary_header(s).cfg;
	for (size_t k = 0; k < cfg->nby; k++) {
		enum mxt_key key = cfg->by[k];
		if (key != MXT_KEY_PROVIDER && key != MXT_KEY_DOMAIN)
			continue;
		size_t n;
		struct tally *v = tally_by(s, k, &n);
		if (key == MXT_KEY_PROVIDER) {
			const char *name = "mxtriage_provider_failures_total";
			header(fp, name, "Deferrals, bounces and expiries by the "
			    "recipient's provider (events, cached repeats "
			    "included).", MXT_METRIC_COUNTER);
			for (size_t i = 0; i < n; i++)
				failure_samples(fp, name, "provider", v[i].key,
				    v[i].by_status);
		} else if (carry != NULL) {
			carried_domains(fp, carry, v, n);
		} else {
			const char *name = "mxtriage_domain_failures_total";
			uint64_t rest[MXT_STATUS_COUNT] = {0};
			bool any_rest = false;
			header(fp, name, DOMAIN_HELP, MXT_METRIC_COUNTER);
			for (size_t i = 0; i < n; i++) {
				if (top == 0 || i < top) {
					failure_samples(fp, name, "domain",
					    v[i].key, v[i].by_status);
					continue;
				}
				any_rest = true;
				for (int st = 0; st < MXT_STATUS_COUNT; st++)
					rest[st] += v[i].by_status[st];
			}
			if (any_rest)
				failure_samples(fp, name, "domain", "(other)",
				    rest);
		}
		free(v);
	}
}

int
mxt_report_prom(const struct mxt_summary *s,
    const struct mxt_report_options *o, FILE *fp)
{
	table_metrics(s, fp);
	summary_metrics(s, fp);
	group_metrics(s, o->top, o->prom_carry, fp);
	return ferror(fp) ? -1 : 0;
}
