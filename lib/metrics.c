/*
 * metrics.c - the one table of the summary's numbers: name, help text,
 * unit and how each is computed from the summary. --fail-on reads its
 * metrics from here, and so does `-f prometheus` (report_prom.c, with the
 * name, type and help each row gives it): a number has one definition.
 * FIRST MATCH WINS in lookups; "cause:ID" takes a cause id.
 */
#include "summary_read.h"

static uint64_t
ev(const struct mxt_summary *s, enum mxt_status st)
{
	return mxt_summary_header(s).events[st];
}

static double
m_status(const struct mxt_summary *s, int arg)
{
	return (double)ev(s, (enum mxt_status)arg);
}

static double
m_failures(const struct mxt_summary *s, int arg)
{
	(void)arg;
	/* repeats are failures too, so this cannot go below zero */
	return (double)(ev(s, MXT_STATUS_DEFERRED) + ev(s, MXT_STATUS_BOUNCED) +
	    ev(s, MXT_STATUS_EXPIRED) - mxt_summary_header(s).repeats);
}

static double
m_unparsed(const struct mxt_summary *s, int arg)
{
	(void)arg;
	return (double)mxt_summary_header(s).stats->unparsed;
}

static double
m_pending(const struct mxt_summary *s, int arg)
{
	(void)arg;
	return (double)mxt_summary_retries(s).pending;
}

static double
m_pending_age(const struct mxt_summary *s, int arg)
{
	(void)arg;
	return (double)mxt_summary_retries(s).oldest_age;
}

/* The rates as summary_rates.c defines them for every domain and
 * provider, over all outbound events: cached repeats in neither. */
static double
m_bounce_rate(const struct mxt_summary *s, int arg)
{
	(void)arg;
	return 100.0 * mxt_rate_bounce(mxt_summary_header(s).rate_total);
}

static double
m_defer_rate(const struct mxt_summary *s, int arg)
{
	(void)arg;
	return 100.0 * mxt_rate_defer(mxt_summary_header(s).rate_total);
}

/* Messages received, once each (summary_received.c), and their sizes. */
static double
m_received(const struct mxt_summary *s, int arg)
{
	(void)arg;
	return (double)mxt_summary_header(s).recv_messages;
}

static double
m_received_bytes(const struct mxt_summary *s, int arg)
{
	(void)arg;
	return (double)mxt_summary_header(s).recv_bytes;
}

static double
m_cause(const struct mxt_summary *s, int arg)
{
	const struct mxt_cause_row r = mxt_summary_cause(s, (enum mxt_cause)arg);
	return (double)(r.events + r.rejections);
}

#define EVENTS_TOTAL "mxtriage_events_total", MXT_METRIC_COUNTER, \
	"Delivery attempts and rejections, by status (events)."
static const struct mxt_metric metrics[] = {
	{"delivered", "outbound deliveries (events)", MXT_UNIT_COUNT,
	    MXT_ARG_STATUS, m_status, EVENTS_TOTAL},
	{"deferred", "outbound deferrals (events, cached repeats included)",
	    MXT_UNIT_COUNT, MXT_ARG_STATUS, m_status, EVENTS_TOTAL},
	{"bounced", "outbound bounces (events)", MXT_UNIT_COUNT,
	    MXT_ARG_STATUS, m_status, EVENTS_TOTAL},
	{"expired", "recipients given up after the queue lifetime",
	    MXT_UNIT_COUNT, MXT_ARG_STATUS, m_status, EVENTS_TOTAL},
	{"rejected", "rejections we issued (events)", MXT_UNIT_COUNT,
	    MXT_ARG_STATUS, m_status, EVENTS_TOTAL},
	{"failures", "deferrals, bounces and expiries without cached repeats",
	    MXT_UNIT_COUNT, MXT_ARG_NONE, m_failures,
	    "mxtriage_failures_total", MXT_METRIC_COUNTER,
	    "Deferrals, bounces and expiries that are not cached repeats."},
	{"unparsed", "mail log lines not understood", MXT_UNIT_COUNT,
	    MXT_ARG_NONE, m_unparsed, "mxtriage_unparsed_lines_total",
	    MXT_METRIC_COUNTER, "Mail log lines that were not understood."},
	{"pending", "recipients still deferred at the end of the input",
	    MXT_UNIT_COUNT, MXT_ARG_NONE, m_pending,
	    "mxtriage_pending_recipients", MXT_METRIC_GAUGE,
	    "Recipients still deferred at the end of the input."},
	{"pending_age", "age of the oldest recipient still deferred",
	    MXT_UNIT_SECONDS, MXT_ARG_NONE, m_pending_age,
	    "mxtriage_oldest_pending_age_seconds", MXT_METRIC_GAUGE,
	    "Age of the oldest recipient still deferred, at the end of the "
	    "input."},
	{"bounce_rate", "bounced and expired per 100 recipients that reached "
	    "a final status", MXT_UNIT_PERCENT,
	    MXT_ARG_NONE, m_bounce_rate, "mxtriage_bounce_ratio",
	    MXT_METRIC_GAUGE, "Bounced and expired recipients per recipient "
	    "that reached a final status (0 to 1)."},
	{"defer_rate", "deferrals per 100 outbound attempts, cached repeats "
	    "in neither", MXT_UNIT_PERCENT,
	    MXT_ARG_NONE, m_defer_rate, "mxtriage_defer_ratio",
	    MXT_METRIC_GAUGE, "Deferrals per outbound attempt, cached repeats "
	    "left out (0 to 1)."},
	{"received", "messages received (each once: Postfix's first qmgr "
	    "size line after cleanup, Exim's <= line)", MXT_UNIT_COUNT,
	    MXT_ARG_NONE, m_received, "mxtriage_received_messages_total",
	    MXT_METRIC_COUNTER, "Messages received, each counted once."},
	{"received_bytes", "bytes of the messages received (Postfix: the "
	    "queue file size)", MXT_UNIT_COUNT, MXT_ARG_NONE,
	    m_received_bytes, "mxtriage_received_bytes_total",
	    MXT_METRIC_COUNTER, "Sizes of the messages received, as logged "
	    "(Postfix: the queue file, Exim: S=)."},
	{"cause", "failures and rejections of one cause (cause:ID)",
	    MXT_UNIT_COUNT, MXT_ARG_CAUSE, m_cause,
	    "mxtriage_cause_events_total", MXT_METRIC_COUNTER,
	    "Failures and rejections, by cause (events)."},
};
#undef EVENTS_TOTAL

const struct mxt_metric *
mxt_metric_table(size_t *n)
{
	*n = sizeof metrics / sizeof metrics[0];
	return metrics;
}

const struct mxt_metric *
mxt_metric_lookup(const char *name, int *arg)
{
	const char *colon = strchr(name, ':');
	size_t nlen = colon ? (size_t)(colon - name) : strlen(name);
	for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++) {
		const struct mxt_metric *m = &metrics[i];
		if (strlen(m->name) != nlen || memcmp(m->name, name, nlen) != 0)
			continue;
		switch (m->arg) {
		case MXT_ARG_NONE:
			*arg = 0;
			return colon ? NULL : m;
		case MXT_ARG_STATUS:
			*arg = mxt_status_lookup(m->name);
			return colon ? NULL : m;
		case MXT_ARG_CAUSE:
			*arg = colon ? mxt_cause_lookup(colon + 1) : -1;
			return *arg > 0 ? m : NULL;
		}
	}
	return NULL;
}

double
mxt_metric_value(const struct mxt_metric *m, const struct mxt_summary *s,
    int arg)
{
	return m->value(s, arg);
}
