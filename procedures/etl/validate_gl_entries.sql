-- requires: etl/apply_validated.sql
-- requires: etl/value_error.sql
-- requires: etl/value_missing.sql
CREATE OR REPLACE PROCEDURE etl.validate_gl_entries(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one gl_entries batch into clean.gl_entry. Checks:
 * required values (cost_center and description optional); posting_date a date; amount a
 * plain signed decimal; currency_code in ISO 4217 (whether a rate exists is the
 * data-quality gate's question, not this one's).
 */
BEGIN
    DROP TABLE IF EXISTS pg_temp.validated;
    CREATE TEMP TABLE validated AS
    WITH src AS (
        SELECT
            s.file_line,
            nullif(btrim(s.entry_id), '') AS entry_id,
            nullif(btrim(s.posting_date), '') AS posting_date,
            nullif(btrim(s.plant_code), '') AS plant_code,
            nullif(btrim(s.cost_center), '') AS cost_center,
            nullif(btrim(s.account_code), '') AS account_code,
            nullif(btrim(s.amount), '') AS amount,
            upper(nullif(btrim(s.currency_code), '')) AS currency_code,
            nullif(btrim(s.description), '') AS description
        FROM staging.gl_entries AS s
        WHERE s.batch_id = p_batch_id
    ),

    checked AS MATERIALIZED (
        SELECT
            src.*,
            coalesce(
                etl.value_missing('entry_id', src.entry_id),
                etl.value_missing('posting_date', src.posting_date),
                etl.value_error('posting_date', src.posting_date, 'date'),
                etl.value_missing('plant_code', src.plant_code),
                etl.value_missing('account_code', src.account_code),
                etl.value_missing('amount', src.amount),
                etl.value_error('amount', src.amount, 'decimal'),
                etl.value_missing('currency_code', src.currency_code),
                CASE WHEN cur.currency_code IS NULL THEN ARRAY['unknown_currency', 'currency_code'] END
            ) AS err
        FROM src
        LEFT JOIN etl.currency AS cur
            ON src.currency_code = cur.currency_code
    )

    SELECT
        c.entry_id,
        CASE WHEN c.err IS NULL THEN c.posting_date::date END AS posting_date,
        c.plant_code,
        c.cost_center,
        c.account_code,
        CASE WHEN c.err IS NULL THEN c.amount::numeric END AS amount,
        c.currency_code,
        c.description,
        p_batch_id AS batch_id,
        c.file_line,
        c.err[1] AS check_reason,
        c.err[2] AS check_column,
        NULL::text AS check_detail,
        TRUE AS check_keep
    FROM checked AS c;

    CALL etl.apply_validated(p_batch_id, 'gl_entries');
END;
$$;

COMMENT ON PROCEDURE etl.validate_gl_entries (bigint) IS
'Validates one staged gl_entries batch into clean.gl_entry; bad rows to etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_gl_entries(bigint) TO hub_etl;
