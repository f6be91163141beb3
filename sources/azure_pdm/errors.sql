-- PdM_errors.csv (datetime, machineID, errorID) -> downtime_events.
-- Azure's errors are non-breaking: the machine keeps running. Each becomes an unplanned
-- event of zero minutes (end_ts = start_ts), so it is counted as an event with its
-- reason but adds no downtime.
SELECT
    e.source_line,
    -- (datetime, machineID) repeats when several errors fall in one hour: the error code
    -- completes the key
    format(
        'AZ-E-%s-%s-%s', btrim(e.machineid), translate(btrim(e.datetime), '-: ', ''), btrim(e.errorid)
    ) AS event_id,
    'AZ-' || lpad(btrim(e.machineid), 3, '0') AS machine_code,
    e.datetime AS start_ts,
    e.datetime AS end_ts,
    btrim(e.errorid) AS reason_code,
    'Azure error ' || btrim(e.errorid) || ' (machine kept running)' AS reason_description,
    'false' AS is_planned
FROM src_errors AS e
