-- The events of `mxtriage events` (schema mxtriage.event/1) as they are,
-- one JSON line each (JSONEachRow). Works with ClickHouse 18.16 (Debian
-- 12's clickhouse-server) and later.
--
--   clickhouse-client --multiquery < events.sql
--   mxtriage events /var/log/mail.log | clickhouse-client \
--     --input_format_skip_unknown_fields=1 \
--     --query 'INSERT INTO mxtriage_events FORMAT JSONEachRow'
--
-- Absent values are null in the events, so every field that may be
-- absent is Nullable. event_id is stable across runs: shipping the same
-- log twice leaves one row per event once the parts are merged
-- (ReplacingMergeTree); queries that must not count a re-shipped event
-- twice read the table with FINAL, as reports.sql does.
-- input_format_skip_unknown_fields=1 lets a later mxtriage that adds
-- fields (the schema only grows) load into this table unchanged.
CREATE TABLE IF NOT EXISTS mxtriage_events (
    schema String,
    event_id String,
    time String,                       -- ISO 8601 as logged, with offset
    ts DateTime MATERIALIZED parseDateTimeBestEffort(time),
    host String,
    mta String,
    service Nullable(String),
    queue_id Nullable(String),
    direction String,
    status String,
    recipient Nullable(String),
    domain Nullable(String),
    provider Nullable(String),
    via Nullable(String),
    sender Nullable(String),           -- '<>' for the null sender
    sender_domain Nullable(String),
    relay Nullable(String),
    relay_ip Nullable(String),
    code Nullable(UInt16),
    dsn Nullable(String),
    phase Nullable(String),
    cause Nullable(String),
    text Nullable(String),
    delay Nullable(Float64),
    message_id Nullable(String),
    instance Nullable(String),
    source Nullable(String),
    line Nullable(UInt64),
    -- the earlier MX reply that decided the cause (null: the event's own);
    -- the array "attempts" itself is skipped: ClickHouse 18.16 reads no
    -- JSON objects into columns
    matters Nullable(String),
    -- the warning of the same process linked to the failure, as the
    -- report's our_side.complaints key (null: none)
    warning Nullable(String)
) ENGINE = ReplacingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (host, event_id);
