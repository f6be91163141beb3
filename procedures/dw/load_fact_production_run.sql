-- requires: dw/changed_codes.sql
-- requires: dw/record_key_versions.sql
CREATE OR REPLACE PROCEDURE dw.load_fact_production_run()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * The runs of clean.production_run that need it, keyed to the machine and product
 * versions valid at their start and dated by the plant-local date of their start (the
 * zone of that machine version's plant). Incremental: only the runs of the batches stored
 * since the last run (etl.dirty_batch, which this step then marks processed) and the runs
 * of machines and products whose history changed since their rows were keyed
 * (dw.fact_key_version). Upserts and writes only rows that changed, so a restated run, a
 * re-sequenced history or a plant that became known re-keys exactly the rows concerned.
 */
DECLARE
    v_rows bigint;
    v_run_id bigint := nullif(current_setting('hub.run_id', TRUE), '')::bigint;
BEGIN
    WITH keyed AS (
        SELECT
            r.run_id,
            coalesce(m.machine_key, -1) AS machine_key,
            coalesce(p.product_key, -1) AS product_key,
            coalesce(s.shift_key, -1) AS shift_key,
            coalesce(pl.plant_key, -1) AS plant_key,
            (r.start_ts AT TIME ZONE coalesce(pl.timezone, 'UTC'))::date AS production_date,
            r.machine_code,
            r.product_sku,
            r.start_ts,
            r.end_ts,
            extract(EPOCH FROM r.end_ts - r.start_ts) AS scheduled_s,
            r.total_count,
            r.good_count,
            r.ideal_cycle_time_s,
            r.ideal_cycle_time_s * r.total_count AS ideal_output_s,
            r.ideal_cycle_time_s * r.good_count AS ideal_good_s,
            r.batch_id
        FROM clean.production_run AS r
        LEFT JOIN dw.dim_machine AS m
            ON
                r.machine_code = m.machine_code
                AND r.start_ts >= m.valid_from
                AND r.start_ts < m.valid_to
        LEFT JOIN dw.dim_product AS p
            ON
                r.product_sku = p.product_sku
                AND r.start_ts >= p.valid_from
                AND r.start_ts < p.valid_to
        LEFT JOIN dw.dim_shift AS s
            ON r.shift_code = s.shift_code
        LEFT JOIN dw.dim_plant AS pl
            ON m.plant_code = pl.plant_code
        WHERE
            r.batch_id IN (
                SELECT d.batch_id FROM etl.dirty_batch AS d
                WHERE d.feed_name = 'production_runs' AND d.processed_at IS NULL
            )
            OR r.machine_code IN (SELECT c.code FROM dw.changed_codes('fact_production_run', 'machine') AS c)
            OR r.product_sku IN (SELECT c.code FROM dw.changed_codes('fact_production_run', 'product') AS c)
    ),

    -- A restated run that moves to another day or machine leaves its old machine-day to
    -- the quality gate of this run (etl.dq_day_left); outside a run the gate checks all.
    days_left AS (
        INSERT INTO etl.dq_day_left (run_id, machine_code, production_date)
        SELECT DISTINCT
            v_run_id,
            f.machine_code,
            f.production_date
        FROM keyed AS k
        INNER JOIN dw.fact_production_run AS f
            ON k.run_id = f.run_id
        WHERE
            (f.machine_code, f.production_date) IS DISTINCT FROM (k.machine_code, k.production_date)
            AND v_run_id IS NOT NULL
        ON CONFLICT DO NOTHING
    )

    INSERT INTO dw.fact_production_run AS f (
        run_id, machine_key, product_key, shift_key, plant_key, production_date_key, machine_code,
        product_sku, production_date, start_ts, end_ts, scheduled_s, total_count, good_count,
        ideal_cycle_time_s, ideal_output_s, ideal_good_s, batch_id
    )
    SELECT
        k.run_id,
        k.machine_key,
        k.product_key,
        k.shift_key,
        k.plant_key,
        coalesce(d.date_key, -1) AS production_date_key,
        k.machine_code,
        k.product_sku,
        k.production_date,
        k.start_ts,
        k.end_ts,
        k.scheduled_s,
        k.total_count,
        k.good_count,
        k.ideal_cycle_time_s,
        k.ideal_output_s,
        k.ideal_good_s,
        k.batch_id
    FROM keyed AS k
    LEFT JOIN dw.dim_date AS d
        ON k.production_date = d.calendar_date
    ON CONFLICT (run_id) DO UPDATE
    SET
        machine_key = excluded.machine_key,
        product_key = excluded.product_key,
        shift_key = excluded.shift_key,
        plant_key = excluded.plant_key,
        production_date_key = excluded.production_date_key,
        machine_code = excluded.machine_code,
        product_sku = excluded.product_sku,
        production_date = excluded.production_date,
        start_ts = excluded.start_ts,
        end_ts = excluded.end_ts,
        scheduled_s = excluded.scheduled_s,
        total_count = excluded.total_count,
        good_count = excluded.good_count,
        ideal_cycle_time_s = excluded.ideal_cycle_time_s,
        ideal_output_s = excluded.ideal_output_s,
        ideal_good_s = excluded.ideal_good_s,
        batch_id = excluded.batch_id
    WHERE f IS DISTINCT FROM excluded;
    GET DIAGNOSTICS v_rows = ROW_COUNT;

    PERFORM dw.record_key_versions('fact_production_run', TRUE);
    UPDATE etl.dirty_batch AS d
    SET processed_at = clock_timestamp(), processed_run_id = v_run_id
    WHERE d.feed_name = 'production_runs' AND d.processed_at IS NULL;
    RAISE NOTICE 'dw.load_fact_production_run: % runs written', v_rows;
END;
$$;

COMMENT ON PROCEDURE dw.load_fact_production_run () IS
'Upserts dw.fact_production_run from clean.production_run, keyed to the versions valid at '
'each start. Idempotent.';
