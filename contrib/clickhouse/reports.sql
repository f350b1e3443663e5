-- The main numbers of mxtriage's report, from the events table of
-- events.sql (ClickHouse 18.16 and later). Each query is named by the
-- comment before it; tests/clickhouse.py runs them on the events of the
-- real-MTA fixtures and checks every number against `mxtriage -f json`
-- on the same log (add WHERE ts >= ... for a window, as --since does).

-- name: events_by_status
-- The header's events by status, and the cached repeats among them
-- (cause suspended: a consequence of an earlier failure).
SELECT status, count() AS events,
    countIf(ifNull(cause, '') = 'suspended') AS cached_repeats
FROM mxtriage_events FINAL
GROUP BY status
ORDER BY status;

-- name: failures_by_domain_cause
-- The report's groups (--by domain,cause): fresh failures apart from
-- cached repeats, by status, distinct recipients and messages.
SELECT
    ifNull(domain, '') AS domain,
    cause,
    countIf(cause != 'suspended') AS events,
    countIf(cause = 'suspended') AS cached_repeats,
    countIf(status = 'deferred') AS deferred,
    countIf(status = 'bounced') AS bounced,
    countIf(status = 'expired') AS expired,
    uniqExact(host, ifNull(queue_id, ''), ifNull(recipient, '')) AS recipients,
    uniqExact(host, ifNull(queue_id, '')) AS messages
FROM mxtriage_events FINAL
WHERE direction = 'out' AND status IN ('deferred', 'bounced', 'expired')
GROUP BY domain, cause
ORDER BY events + cached_repeats DESC, domain, cause;

-- name: causes
-- The report's causes: outbound failures, rejections we issued, and the
-- recipient domains affected.
SELECT
    cause,
    countIf(direction = 'out') AS events,
    countIf(direction = 'in') AS rejections,
    uniqExactIf(domain, direction = 'out' AND domain IS NOT NULL) AS domains
FROM mxtriage_events FINAL
WHERE cause IS NOT NULL
GROUP BY cause
ORDER BY events + rejections DESC, cause;

-- name: retry_outcomes
-- Recipients deferred at least once (per host, queue id and recipient)
-- and what became of them: delivered later, bounced, expired, or still
-- pending at the end of the log.
SELECT
    count() AS deferred_recipients,
    countIf(outcome = 'delivered') AS delivered_later,
    countIf(outcome = 'bounced') AS bounced,
    countIf(outcome = 'expired') AS expired,
    countIf(outcome = '') AS pending
FROM (
    SELECT
        host, queue_id, recipient,
        anyIf(status, status != 'deferred') AS outcome
    FROM mxtriage_events FINAL
    WHERE direction = 'out' AND queue_id IS NOT NULL
    GROUP BY host, queue_id, recipient
    HAVING countIf(status = 'deferred') > 0
);
