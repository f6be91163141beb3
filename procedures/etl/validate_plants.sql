-- requires: etl/apply_validated.sql
-- requires: etl/value_error.sql
-- requires: etl/value_missing.sql
-- requires: etl/has_utc_offset.sql
-- requires: etl/local_to_utc.sql
CREATE OR REPLACE PROCEDURE etl.validate_plants(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one plants batch into clean.plant (one row per plant and
 * updated_at). Checks: required values; country_code in ISO 3166-1; currency_code in
 * ISO 4217; timezone an IANA zone PostgreSQL knows; updated_at an ISO 8601 timestamp,
 * a local one read in the row's own zone (nonexistent_local_time inside a DST gap).
 */
BEGIN
    DROP TABLE IF EXISTS pg_temp.validated;
    CREATE TEMP TABLE validated AS
    WITH zones AS (
        SELECT z.name FROM pg_catalog.pg_timezone_names AS z
    ),

    src AS (
        SELECT
            s.file_line,
            nullif(btrim(s.plant_code), '') AS plant_code,
            nullif(btrim(s.plant_name), '') AS plant_name,
            upper(nullif(btrim(s.country_code), '')) AS country_code,
            upper(nullif(btrim(s.currency_code), '')) AS currency_code,
            nullif(btrim(s.timezone), '') AS timezone,
            nullif(btrim(s.updated_at), '') AS updated_at
        FROM staging.plants AS s
        WHERE s.batch_id = p_batch_id
    ),

    checked AS MATERIALIZED (
        SELECT
            src.*,
            coalesce(
                etl.value_missing('plant_code', src.plant_code),
                etl.value_missing('plant_name', src.plant_name),
                etl.value_missing('country_code', src.country_code),
                CASE
                    WHEN ctry.country_code IS NULL THEN ARRAY['value_not_allowed', 'country_code']
                END,
                etl.value_missing('currency_code', src.currency_code),
                CASE WHEN cur.currency_code IS NULL THEN ARRAY['unknown_currency', 'currency_code'] END,
                etl.value_missing('timezone', src.timezone),
                CASE WHEN NOT EXISTS (
                        SELECT 1 FROM zones AS z WHERE z.name = src.timezone
                    ) THEN ARRAY['value_not_allowed', 'timezone']
                END,
                etl.value_missing('updated_at', src.updated_at),
                etl.value_error('updated_at', src.updated_at, 'timestamp')
            ) AS err
        FROM src
        LEFT JOIN etl.country AS ctry
            ON src.country_code = ctry.country_code
        LEFT JOIN etl.currency AS cur
            ON src.currency_code = cur.currency_code
    ),

    placed AS MATERIALIZED (
        SELECT
            c.*,
            CASE
                WHEN c.err IS NOT NULL THEN NULL
                WHEN etl.has_utc_offset(c.updated_at) THEN c.updated_at::timestamptz
                ELSE etl.local_to_utc(c.updated_at::timestamp, c.timezone)
            END AS updated_at_ts
        FROM checked AS c
    ),

    judged AS (
        SELECT
            p.*,
            CASE
                WHEN p.err IS NOT NULL THEN p.err
                WHEN p.updated_at_ts IS NULL THEN ARRAY['nonexistent_local_time', 'updated_at']
            END AS reason
        FROM placed AS p
    )

    SELECT
        j.plant_code,
        j.updated_at_ts AS updated_at,
        j.plant_name,
        j.country_code,
        j.currency_code,
        j.timezone,
        p_batch_id AS batch_id,
        j.file_line,
        j.reason[1] AS check_reason,
        j.reason[2] AS check_column,
        CASE
            WHEN j.reason[2] = 'country_code' THEN 'an ISO 3166-1 alpha-2 code such as DE'
            WHEN j.reason[2] = 'timezone' THEN 'an IANA time zone such as Europe/Berlin'
            WHEN j.reason[1] = 'nonexistent_local_time' THEN j.timezone
        END AS check_detail,
        TRUE AS check_keep
    FROM judged AS j;

    CALL etl.apply_validated(p_batch_id, 'plants');
END;
$$;

COMMENT ON PROCEDURE etl.validate_plants (bigint) IS
'Validates one staged plants batch into clean.plant; bad rows to etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_plants(bigint) TO hub_etl;
