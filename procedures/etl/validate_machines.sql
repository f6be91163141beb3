-- requires: etl/apply_validated.sql
-- requires: etl/value_error.sql
-- requires: etl/value_missing.sql
-- requires: etl/has_utc_offset.sql
-- requires: etl/local_to_utc.sql
CREATE OR REPLACE PROCEDURE etl.validate_machines(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one machines batch into clean.machine (one row per machine
 * and updated_at). Checks: required values (manufacturer is optional); commissioned_on a
 * date; status one of active, idle, retired (any case); updated_at an ISO 8601 timestamp.
 * A local updated_at is read in the zone of the row's plant; while that plant is unknown
 * the row is pending (plant_unknown), and retried on every load and run.
 */
BEGIN
    DROP TABLE IF EXISTS pg_temp.validated;
    CREATE TEMP TABLE validated AS
    WITH plant_zone AS (
        SELECT DISTINCT ON (p.plant_code)
            p.plant_code,
            p.timezone
        FROM clean.plant AS p
        ORDER BY p.plant_code ASC, p.updated_at DESC
    ),

    src AS (
        SELECT
            s.file_line,
            nullif(btrim(s.machine_code), '') AS machine_code,
            nullif(btrim(s.machine_name), '') AS machine_name,
            nullif(btrim(s.plant_code), '') AS plant_code,
            nullif(btrim(s.line_code), '') AS line_code,
            nullif(btrim(s.machine_type), '') AS machine_type,
            nullif(btrim(s.manufacturer), '') AS manufacturer,
            nullif(btrim(s.commissioned_on), '') AS commissioned_on,
            lower(nullif(btrim(s.status), '')) AS status,
            nullif(btrim(s.updated_at), '') AS updated_at
        FROM staging.machines AS s
        WHERE s.batch_id = p_batch_id
    ),

    checked AS MATERIALIZED (
        SELECT
            src.*,
            coalesce(
                etl.value_missing('machine_code', src.machine_code),
                etl.value_missing('machine_name', src.machine_name),
                etl.value_missing('plant_code', src.plant_code),
                etl.value_missing('line_code', src.line_code),
                etl.value_missing('machine_type', src.machine_type),
                etl.value_missing('commissioned_on', src.commissioned_on),
                etl.value_error('commissioned_on', src.commissioned_on, 'date'),
                etl.value_missing('status', src.status),
                CASE
                    WHEN src.status NOT IN ('active', 'idle', 'retired')
                        THEN ARRAY['value_not_allowed', 'status']
                END,
                etl.value_missing('updated_at', src.updated_at),
                etl.value_error('updated_at', src.updated_at, 'timestamp')
            ) AS err
        FROM src
    ),

    placed AS MATERIALIZED (
        SELECT
            c.*,
            z.timezone,
            CASE
                WHEN c.err IS NOT NULL THEN NULL
                WHEN etl.has_utc_offset(c.updated_at) THEN c.updated_at::timestamptz
                ELSE etl.local_to_utc(c.updated_at::timestamp, z.timezone)
            END AS updated_at_ts
        FROM checked AS c
        LEFT JOIN plant_zone AS z
            ON c.plant_code = z.plant_code
    ),

    judged AS (
        SELECT
            p.*,
            CASE
                WHEN p.err IS NOT NULL THEN p.err
                WHEN p.updated_at_ts IS NULL AND p.timezone IS NULL
                    THEN ARRAY['plant_unknown', 'updated_at']
                WHEN p.updated_at_ts IS NULL THEN ARRAY['nonexistent_local_time', 'updated_at']
            END AS reason
        FROM placed AS p
    )

    SELECT
        j.machine_code,
        j.updated_at_ts AS updated_at,
        j.machine_name,
        j.plant_code,
        j.line_code,
        j.machine_type,
        j.manufacturer,
        CASE WHEN j.reason IS NULL THEN j.commissioned_on::date END AS commissioned_on,
        j.status,
        p_batch_id AS batch_id,
        j.file_line,
        j.reason[1] AS check_reason,
        j.reason[2] AS check_column,
        CASE j.reason[1]
            WHEN 'value_not_allowed' THEN 'one of active, idle, retired'
            WHEN 'plant_unknown' THEN format('plant %s is not known yet', j.plant_code)
            WHEN 'nonexistent_local_time' THEN j.timezone
        END AS check_detail,
        TRUE AS check_keep
    FROM judged AS j;

    CALL etl.apply_validated(p_batch_id, 'machines');
END;
$$;

COMMENT ON PROCEDURE etl.validate_machines (bigint) IS
'Validates one staged machines batch into clean.machine; bad rows to etl.rejected_row, '
'local times of unknown plants to etl.pending_record.';

GRANT EXECUTE ON PROCEDURE etl.validate_machines(bigint) TO hub_etl;
