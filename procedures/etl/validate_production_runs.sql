-- requires: etl/apply_validated.sql
-- requires: etl/value_error.sql
-- requires: etl/value_missing.sql
-- requires: etl/has_utc_offset.sql
-- requires: etl/local_to_utc.sql
-- requires: etl/machine_zone.sql
-- requires: etl/machine_zone_at.sql
CREATE OR REPLACE PROCEDURE etl.validate_production_runs(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one production_runs batch into clean.production_run.
 * Order of the checks (the first failing one names the row's reason):
 *   required values and grammar, column by column; negative_count; good_exceeds_total;
 *   ideal_cycle_time_s > 0 (value_not_allowed); a local time whose machine's plant is
 *   unknown -> pending (plant_unknown); nonexistent_local_time; end_before_start.
 * A local timestamp is placed with the zone of the machine version valid then.
 */
BEGIN
    DROP TABLE IF EXISTS pg_temp.validated;
    CREATE TEMP TABLE validated AS
    WITH src AS (
        SELECT
            s.file_line,
            nullif(btrim(s.run_id), '') AS run_id,
            nullif(btrim(s.machine_code), '') AS machine_code,
            nullif(btrim(s.product_sku), '') AS product_sku,
            nullif(btrim(s.work_order), '') AS work_order,
            nullif(btrim(s.shift_code), '') AS shift_code,
            nullif(btrim(s.start_ts), '') AS start_ts,
            nullif(btrim(s.end_ts), '') AS end_ts,
            nullif(btrim(s.total_count), '') AS total_count,
            nullif(btrim(s.good_count), '') AS good_count,
            nullif(btrim(s.ideal_cycle_time_s), '') AS ideal_cycle_time_s
        FROM staging.production_runs AS s
        WHERE s.batch_id = p_batch_id
    ),

    checked AS MATERIALIZED (
        SELECT
            src.*,
            coalesce(
                etl.value_missing('run_id', src.run_id),
                etl.value_missing('machine_code', src.machine_code),
                etl.value_missing('product_sku', src.product_sku),
                etl.value_missing('shift_code', src.shift_code),
                etl.value_missing('start_ts', src.start_ts),
                etl.value_error('start_ts', src.start_ts, 'timestamp'),
                etl.value_missing('end_ts', src.end_ts),
                etl.value_error('end_ts', src.end_ts, 'timestamp'),
                etl.value_missing('total_count', src.total_count),
                etl.value_error('total_count', src.total_count, 'count'),
                etl.value_missing('good_count', src.good_count),
                etl.value_error('good_count', src.good_count, 'count'),
                etl.value_missing('ideal_cycle_time_s', src.ideal_cycle_time_s),
                etl.value_error('ideal_cycle_time_s', src.ideal_cycle_time_s, 'decimal')
            ) AS err
        FROM src
    ),

    typed AS (
        SELECT
            c.file_line,
            c.err,
            c.run_id,
            c.machine_code,
            c.product_sku,
            c.work_order,
            c.shift_code,
            CASE WHEN c.err IS NULL THEN c.total_count::numeric::bigint END AS total_count,
            CASE WHEN c.err IS NULL THEN c.good_count::numeric::bigint END AS good_count,
            CASE WHEN c.err IS NULL THEN c.ideal_cycle_time_s::numeric END AS ideal_cycle_time_s,
            CASE
                WHEN c.err IS NULL AND etl.has_utc_offset(c.start_ts) THEN c.start_ts::timestamptz
            END AS start_utc,
            CASE
                WHEN c.err IS NULL AND NOT etl.has_utc_offset(c.start_ts) THEN c.start_ts::timestamp
            END AS start_local,
            CASE
                WHEN c.err IS NULL AND etl.has_utc_offset(c.end_ts) THEN c.end_ts::timestamptz
            END AS end_utc,
            CASE
                WHEN c.err IS NULL AND NOT etl.has_utc_offset(c.end_ts) THEN c.end_ts::timestamp
            END AS end_local
        FROM checked AS c
    ),

    zoned AS (
        SELECT
            t.*,
            CASE
                WHEN t.start_local IS NOT NULL
                    THEN coalesce(z.single_zone, etl.machine_zone_at(t.machine_code, t.start_local))
            END AS start_zone,
            CASE
                WHEN t.end_local IS NOT NULL
                    THEN coalesce(z.single_zone, etl.machine_zone_at(t.machine_code, t.end_local))
            END AS end_zone
        FROM typed AS t
        LEFT JOIN etl.machine_zone AS z
            ON t.machine_code = z.machine_code
    ),

    placed AS MATERIALIZED (
        SELECT
            zz.*,
            coalesce(zz.start_utc, etl.local_to_utc(zz.start_local, zz.start_zone)) AS start_at,
            coalesce(zz.end_utc, etl.local_to_utc(zz.end_local, zz.end_zone)) AS end_at
        FROM zoned AS zz
    ),

    judged AS (
        SELECT
            p.*,
            CASE
                WHEN p.err IS NOT NULL THEN p.err
                WHEN p.total_count < 0 THEN ARRAY['negative_count', 'total_count']
                WHEN p.good_count < 0 THEN ARRAY['negative_count', 'good_count']
                WHEN p.good_count > p.total_count THEN ARRAY['good_exceeds_total', 'good_count']
                WHEN p.ideal_cycle_time_s <= 0
                    THEN ARRAY['value_not_allowed', 'ideal_cycle_time_s']
                WHEN p.start_local IS NOT NULL AND p.start_zone IS NULL
                    THEN ARRAY['plant_unknown', 'start_ts']
                WHEN p.end_local IS NOT NULL AND p.end_zone IS NULL
                    THEN ARRAY['plant_unknown', 'end_ts']
                WHEN p.start_at IS NULL THEN ARRAY['nonexistent_local_time', 'start_ts']
                WHEN p.end_at IS NULL THEN ARRAY['nonexistent_local_time', 'end_ts']
                WHEN p.end_at < p.start_at THEN ARRAY['end_before_start', 'end_ts']
            END AS reason
        FROM placed AS p
    )

    SELECT
        j.run_id,
        j.machine_code,
        j.product_sku,
        j.work_order,
        j.shift_code,
        j.start_at AS start_ts,
        j.end_at AS end_ts,
        j.total_count,
        j.good_count,
        j.ideal_cycle_time_s,
        p_batch_id AS batch_id,
        j.file_line,
        j.reason[1] AS check_reason,
        j.reason[2] AS check_column,
        CASE j.reason[1]
            WHEN 'value_not_allowed' THEN 'must be greater than 0'
            WHEN 'plant_unknown' THEN format('the plant of machine %s is not known yet', j.machine_code)
            WHEN 'nonexistent_local_time' THEN CASE j.reason[2]
                WHEN 'start_ts' THEN j.start_zone ELSE j.end_zone
            END
        END AS check_detail,
        TRUE AS check_keep
    FROM judged AS j;

    CALL etl.apply_validated(p_batch_id, 'production_runs');
END;
$$;

COMMENT ON PROCEDURE etl.validate_production_runs (bigint) IS
'Validates one staged production_runs batch into clean.production_run; bad rows to '
'etl.rejected_row, unplaceable local times to etl.pending_record.';

GRANT EXECUTE ON PROCEDURE etl.validate_production_runs(bigint) TO hub_etl;
