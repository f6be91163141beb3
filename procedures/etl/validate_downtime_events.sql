-- requires: etl/apply_validated.sql
-- requires: etl/value_error.sql
-- requires: etl/value_missing.sql
-- requires: etl/has_utc_offset.sql
-- requires: etl/local_to_utc.sql
-- requires: etl/machine_zone.sql
-- requires: etl/machine_zone_at.sql
CREATE OR REPLACE PROCEDURE etl.validate_downtime_events(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one downtime_events batch into clean.downtime_event.
 * Checks: required values (reason_description optional); start_ts and end_ts ISO 8601;
 * is_planned true or false in any case; a local time whose machine's plant is unknown
 * -> pending; nonexistent_local_time; end_before_start (equal is fine: zero minutes).
 */
BEGIN
    DROP TABLE IF EXISTS pg_temp.validated;
    CREATE TEMP TABLE validated AS
    WITH src AS (
        SELECT
            s.file_line,
            nullif(btrim(s.event_id), '') AS event_id,
            nullif(btrim(s.machine_code), '') AS machine_code,
            nullif(btrim(s.start_ts), '') AS start_ts,
            nullif(btrim(s.end_ts), '') AS end_ts,
            nullif(btrim(s.reason_code), '') AS reason_code,
            nullif(btrim(s.reason_description), '') AS reason_description,
            lower(nullif(btrim(s.is_planned), '')) AS is_planned
        FROM staging.downtime_events AS s
        WHERE s.batch_id = p_batch_id
    ),

    checked AS MATERIALIZED (
        SELECT
            src.*,
            coalesce(
                etl.value_missing('event_id', src.event_id),
                etl.value_missing('machine_code', src.machine_code),
                etl.value_missing('start_ts', src.start_ts),
                etl.value_error('start_ts', src.start_ts, 'timestamp'),
                etl.value_missing('end_ts', src.end_ts),
                etl.value_error('end_ts', src.end_ts, 'timestamp'),
                etl.value_missing('reason_code', src.reason_code),
                etl.value_missing('is_planned', src.is_planned),
                etl.value_error('is_planned', src.is_planned, 'boolean')
            ) AS err
        FROM src
    ),

    typed AS (
        SELECT
            c.*,
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
        j.event_id,
        j.machine_code,
        j.start_at AS start_ts,
        j.end_at AS end_ts,
        j.reason_code,
        j.reason_description,
        CASE WHEN j.reason IS NULL THEN j.is_planned::boolean END AS is_planned,
        p_batch_id AS batch_id,
        j.file_line,
        j.reason[1] AS check_reason,
        j.reason[2] AS check_column,
        CASE j.reason[1]
            WHEN 'value_not_allowed' THEN 'true or false'
            WHEN 'plant_unknown' THEN format('the plant of machine %s is not known yet', j.machine_code)
            WHEN 'nonexistent_local_time' THEN CASE j.reason[2]
                WHEN 'start_ts' THEN j.start_zone ELSE j.end_zone
            END
        END AS check_detail,
        TRUE AS check_keep
    FROM judged AS j;

    CALL etl.apply_validated(p_batch_id, 'downtime_events');
END;
$$;

COMMENT ON PROCEDURE etl.validate_downtime_events (bigint) IS
'Validates one staged downtime_events batch into clean.downtime_event; bad rows to '
'etl.rejected_row, unplaceable local times to etl.pending_record.';

GRANT EXECUTE ON PROCEDURE etl.validate_downtime_events(bigint) TO hub_etl;
