-- PdM_failures.csv (datetime, machineID, failure = the component that failed) -> downtime_events.
-- A failure is an unplanned stop. The export gives no duration; its resolution is the
-- hour, so the stop is taken to last the hour it is logged in (start to start + 1 h).
SELECT
    f.source_line,
    -- several components can fail in the same hour: the component completes the key
    format(
        'AZ-F-%s-%s-%s', btrim(f.machineid), translate(btrim(f.datetime), '-: ', ''), btrim(f.failure)
    ) AS event_id,
    'AZ-' || lpad(btrim(f.machineid), 3, '0') AS machine_code,
    f.datetime AS start_ts,
    -- an unreadable datetime passes through unchanged for the validation to reject
    CASE
        WHEN btrim(f.datetime) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'
            THEN to_char(btrim(f.datetime)::timestamp + interval '1 hour', 'YYYY-MM-DD HH24:MI:SS')
        ELSE f.datetime
    END AS end_ts,
    'failure_' || btrim(f.failure) AS reason_code,
    'Azure failure of ' || btrim(f.failure) || ' (replaced)' AS reason_description,
    'false' AS is_planned
FROM src_failures AS f
