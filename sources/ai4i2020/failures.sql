-- ai4i2020*.csv -> downtime_events: a record with Machine failure = 1 is an unplanned
-- stop of its one-minute slot (see readings.sql for the time). The reason is its first
-- failure mode set, in the export's order TWF, HDF, PWF, OSF, RNF (all set modes are in
-- the description); 9 failures of the original set no mode: unspecified_failure.
-- Machine failure = 0 is no stop (dropped as no_failure, counted), even when a mode
-- flag is set (18 such records in the original, mostly RNF: the label is the truth).
WITH timed AS (
    SELECT
        r.*,
        -- as in readings.sql: UDI n at 2020-01-06T00:00:00Z + (n - 1) minutes; a UDI that
        -- is not a whole number passes through for the validation to reject
        CASE
            WHEN btrim(r.udi) ~ '^[0-9]{1,7}$'
                THEN timestamp '2020-01-06 00:00:00' + (btrim(r.udi)::integer - 1) * interval '1 minute'
        END AS slot
    FROM src_runs AS r
)

SELECT
    t.source_line,
    'AI4I-F-' || btrim(t.udi) AS event_id,
    'AI4I-M1' AS machine_code,
    coalesce(to_char(t.slot, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), t.udi) AS start_ts,
    coalesce(to_char(t.slot + interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), t.udi) AS end_ts,
    CASE
        WHEN btrim(t.twf) = '1' THEN 'tool_wear_failure'
        WHEN btrim(t.hdf) = '1' THEN 'heat_dissipation_failure'
        WHEN btrim(t.pwf) = '1' THEN 'power_failure'
        WHEN btrim(t.osf) = '1' THEN 'overstrain_failure'
        WHEN btrim(t.rnf) = '1' THEN 'random_failure'
        ELSE 'unspecified_failure'
    END AS reason_code,
    'AI4I failure; modes set: ' || coalesce(
        nullif(
            concat_ws(
                ' ',
                CASE WHEN btrim(t.twf) = '1' THEN 'TWF' END,
                CASE WHEN btrim(t.hdf) = '1' THEN 'HDF' END,
                CASE WHEN btrim(t.pwf) = '1' THEN 'PWF' END,
                CASE WHEN btrim(t.osf) = '1' THEN 'OSF' END,
                CASE WHEN btrim(t.rnf) = '1' THEN 'RNF' END
            ),
            ''
        ),
        'none'
    ) AS reason_description,
    'false' AS is_planned,
    CASE WHEN coalesce(btrim(t."machine failure"), '') <> '1' THEN 'no_failure' END AS drop_reason
FROM timed AS t
