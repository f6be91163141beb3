CREATE OR REPLACE PROCEDURE dw.load_fact_downtime_event()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
/*
 * Every event in clean.downtime_event, keyed to the machine version valid at its start
 * and to its reason. Upserts and writes only rows that changed.
 */
DECLARE
    v_rows bigint;
BEGIN
    INSERT INTO dw.fact_downtime_event AS f (
        event_id, machine_key, reason_key, machine_code, reason_code, start_ts, end_ts, duration_s,
        is_planned, batch_id
    )
    SELECT
        e.event_id,
        coalesce(m.machine_key, -1) AS machine_key,
        coalesce(r.reason_key, -1) AS reason_key,
        e.machine_code,
        e.reason_code,
        e.start_ts,
        e.end_ts,
        extract(EPOCH FROM e.end_ts - e.start_ts) AS duration_s,
        e.is_planned,
        e.batch_id
    FROM clean.downtime_event AS e
    LEFT JOIN dw.dim_machine AS m
        ON
            e.machine_code = m.machine_code
            AND e.start_ts >= m.valid_from
            AND e.start_ts < m.valid_to
    LEFT JOIN dw.dim_downtime_reason AS r
        ON e.reason_code = r.reason_code
    ON CONFLICT (event_id) DO UPDATE
    SET
        machine_key = excluded.machine_key,
        reason_key = excluded.reason_key,
        machine_code = excluded.machine_code,
        reason_code = excluded.reason_code,
        start_ts = excluded.start_ts,
        end_ts = excluded.end_ts,
        duration_s = excluded.duration_s,
        is_planned = excluded.is_planned,
        batch_id = excluded.batch_id
    WHERE f IS DISTINCT FROM excluded;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RAISE NOTICE 'dw.load_fact_downtime_event: % events written', v_rows;
END;
$$;

COMMENT ON PROCEDURE dw.load_fact_downtime_event () IS
'Upserts dw.fact_downtime_event from clean.downtime_event. Idempotent.';
