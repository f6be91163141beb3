-- requires: etl/apply_validated.sql
-- requires: etl/value_error.sql
-- requires: etl/value_missing.sql
-- requires: etl/has_utc_offset.sql
-- requires: etl/local_to_utc.sql
-- requires: etl/machine_zone.sql
-- requires: etl/machine_zone_at.sql
CREATE OR REPLACE PROCEDURE etl.validate_sensor_readings(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one sensor_readings batch into clean.sensor_reading (one
 * row per machine, metric and instant). Checks: required values (unit optional);
 * reading_ts ISO 8601; value a plain decimal that a double precision can hold; a local
 * reading_ts whose machine's plant is
 * unknown -> pending; nonexistent_local_time. Built for files of millions of rows: one
 * pass, local times placed by a hash join on the machine's single zone.
 */
BEGIN
    DROP TABLE IF EXISTS pg_temp.validated;
    CREATE TEMP TABLE validated AS
    WITH src AS (
        SELECT
            s.file_line,
            nullif(btrim(s.machine_code), '') AS machine_code,
            nullif(btrim(s.reading_ts), '') AS reading_ts,
            nullif(btrim(s.metric), '') AS metric,
            nullif(btrim(s.value), '') AS value,
            nullif(btrim(s.unit), '') AS unit
        FROM staging.sensor_readings AS s
        WHERE s.batch_id = p_batch_id
    ),

    checked AS MATERIALIZED (
        SELECT
            src.*,
            coalesce(
                etl.value_missing('machine_code', src.machine_code),
                etl.value_missing('reading_ts', src.reading_ts),
                etl.value_error('reading_ts', src.reading_ts, 'timestamp'),
                etl.value_missing('metric', src.metric),
                etl.value_missing('value', src.value),
                etl.value_error('value', src.value, 'decimal')
            ) AS err
        FROM src
    ),

    typed AS (
        SELECT
            c.*,
            CASE
                WHEN c.err IS NULL AND etl.has_utc_offset(c.reading_ts) THEN c.reading_ts::timestamptz
            END AS reading_utc,
            CASE
                WHEN c.err IS NULL AND NOT etl.has_utc_offset(c.reading_ts) THEN c.reading_ts::timestamp
            END AS reading_local
        FROM checked AS c
    ),

    zoned AS (
        SELECT
            t.*,
            CASE
                WHEN t.reading_local IS NOT NULL
                    THEN coalesce(z.single_zone, etl.machine_zone_at(t.machine_code, t.reading_local))
            END AS reading_zone
        FROM typed AS t
        LEFT JOIN etl.machine_zone AS z
            ON t.machine_code = z.machine_code
    ),

    placed AS MATERIALIZED (
        SELECT
            zz.*,
            coalesce(zz.reading_utc, etl.local_to_utc(zz.reading_local, zz.reading_zone)) AS reading_at
        FROM zoned AS zz
    ),

    judged AS (
        SELECT
            p.*,
            CASE
                WHEN p.err IS NOT NULL THEN p.err
                -- A double precision holds about 4.9e-324 to 1.8e308: beyond, the cast
                -- would fail the whole batch, so such a value is rejected here.
                WHEN length(ltrim(split_part(p.value, '.', 1), '+-0')) > 308
                    THEN ARRAY['value_not_allowed', 'value']
                WHEN ltrim(split_part(p.value, '.', 1), '+-0') = ''
                    AND ltrim(split_part(p.value, '.', 2), '0') <> ''
                    AND length(split_part(p.value, '.', 2)) - length(ltrim(split_part(p.value, '.', 2), '0')) >= 323
                    THEN ARRAY['value_not_allowed', 'value']
                WHEN p.reading_local IS NOT NULL AND p.reading_zone IS NULL
                    THEN ARRAY['plant_unknown', 'reading_ts']
                WHEN p.reading_at IS NULL THEN ARRAY['nonexistent_local_time', 'reading_ts']
            END AS reason
        FROM placed AS p
    )

    SELECT
        j.machine_code,
        j.metric,
        j.reading_at AS reading_ts,
        CASE WHEN j.reason IS NULL THEN j.value::double precision END AS value,
        j.unit,
        p_batch_id AS batch_id,
        j.file_line,
        j.reason[1] AS check_reason,
        j.reason[2] AS check_column,
        CASE j.reason[1]
            WHEN 'value_not_allowed' THEN 'outside what a reading can hold (about 1e-323 to 1e308)'
            WHEN 'plant_unknown' THEN format('the plant of machine %s is not known yet', j.machine_code)
            WHEN 'nonexistent_local_time' THEN j.reading_zone
        END AS check_detail,
        TRUE AS check_keep
    FROM judged AS j;

    CALL etl.apply_validated(p_batch_id, 'sensor_readings');
END;
$$;

COMMENT ON PROCEDURE etl.validate_sensor_readings (bigint) IS
'Validates one staged sensor_readings batch into clean.sensor_reading; bad rows to '
'etl.rejected_row, unplaceable local times to etl.pending_record.';

GRANT EXECUTE ON PROCEDURE etl.validate_sensor_readings(bigint) TO hub_etl;
