-- ai4i2020*.csv -> downtime_events: a record with Machine failure = 1 is an unplanned
-- stop of its one-minute slot (see readings.sql for the time). The reason is its first
-- failure mode set, in the export's order TWF, HDF, PWF, OSF, RNF (all set modes are in
-- the description); 9 failures of the original set no mode: unspecified_failure.
-- Machine failure = 0 is no stop (dropped as no_failure, counted), even when a mode
-- flag is set (18 such records in the original, mostly RNF: the label is the truth).
SELECT
    r.source_line,
    'AI4I-F-' || btrim(r.udi) AS event_id,
    'AI4I-M1' AS machine_code,
    t.ts AS start_ts,
    CASE
        WHEN btrim(r.udi) ~ '^[0-9]{1,7}$'
            THEN to_char(
                TIMESTAMP '2020-01-06 00:01:00' + (btrim(r.udi)::integer - 1) * INTERVAL '1 minute',
                'YYYY-MM-DD"T"HH24:MI:SS"Z"'
            )
        ELSE r.udi
    END AS end_ts,
    CASE
        WHEN btrim(r.twf) = '1' THEN 'tool_wear_failure'
        WHEN btrim(r.hdf) = '1' THEN 'heat_dissipation_failure'
        WHEN btrim(r.pwf) = '1' THEN 'power_failure'
        WHEN btrim(r.osf) = '1' THEN 'overstrain_failure'
        WHEN btrim(r.rnf) = '1' THEN 'random_failure'
        ELSE 'unspecified_failure'
    END AS reason_code,
    'AI4I failure; modes set: ' || coalesce(
        nullif(
            concat_ws(
                ' ',
                CASE WHEN btrim(r.twf) = '1' THEN 'TWF' END,
                CASE WHEN btrim(r.hdf) = '1' THEN 'HDF' END,
                CASE WHEN btrim(r.pwf) = '1' THEN 'PWF' END,
                CASE WHEN btrim(r.osf) = '1' THEN 'OSF' END,
                CASE WHEN btrim(r.rnf) = '1' THEN 'RNF' END
            ),
            ''
        ),
        'none'
    ) AS reason_description,
    'false' AS is_planned,
    CASE WHEN btrim(r."machine failure") IS DISTINCT FROM '1' THEN 'no_failure' END AS drop_reason
FROM src_runs AS r
CROSS JOIN LATERAL (
    SELECT
        CASE
            WHEN btrim(r.udi) ~ '^[0-9]{1,7}$'
                THEN to_char(
                    TIMESTAMP '2020-01-06 00:00:00' + (btrim(r.udi)::integer - 1) * INTERVAL '1 minute',
                    'YYYY-MM-DD"T"HH24:MI:SS"Z"'
                )
            ELSE r.udi
        END AS ts
) AS t
