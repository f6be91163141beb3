-- PdM_maint.csv (datetime, machineID, comp = the component replaced) -> downtime_events.
-- A replacement at the same hour, machine and component as a failure is the repair of
-- that failure: the failure's event (failures.sql) already holds that stop, so the row
-- is dropped by the filter repair_of_failure (counted). Every other replacement is
-- scheduled maintenance: a planned stop of the hour it is logged in.
SELECT
    m.source_line,
    format(
        'AZ-M-%s-%s-%s', btrim(m.machineid), translate(btrim(m.datetime), '-: ', ''), btrim(m.comp)
    ) AS event_id,
    'AZ-' || lpad(btrim(m.machineid), 3, '0') AS machine_code,
    m.datetime AS start_ts,
    CASE
        WHEN btrim(m.datetime) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$'
            THEN to_char(btrim(m.datetime)::timestamp + interval '1 hour', 'YYYY-MM-DD HH24:MI:SS')
        ELSE m.datetime
    END AS end_ts,
    'maint_' || btrim(m.comp) AS reason_code,
    'Azure scheduled replacement of ' || btrim(m.comp) AS reason_description,
    'true' AS is_planned,
    CASE
        WHEN EXISTS (
            SELECT 1
            FROM src_failures AS f
            WHERE
                btrim(f.datetime) = btrim(m.datetime)
                AND btrim(f.machineid) = btrim(m.machineid)
                AND btrim(f.failure) = btrim(m.comp)
        ) THEN 'repair_of_failure'
    END AS drop_reason
FROM src_maint AS m
