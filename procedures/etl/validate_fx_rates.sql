-- requires: etl/apply_validated.sql
-- requires: etl/value_error.sql
-- requires: etl/value_missing.sql
CREATE OR REPLACE PROCEDURE etl.validate_fx_rates(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one fx_rates batch into clean.fx_rate (one row per day
 * and currency pair: 1 from_currency = rate to_currency). Checks: required values;
 * rate_date a date; both currencies in ISO 4217 and different; rate a decimal > 0.
 */
BEGIN
    DROP TABLE IF EXISTS pg_temp.validated;
    CREATE TEMP TABLE validated AS
    WITH src AS (
        SELECT
            s.file_line,
            nullif(btrim(s.rate_date), '') AS rate_date,
            upper(nullif(btrim(s.from_currency), '')) AS from_currency,
            upper(nullif(btrim(s.to_currency), '')) AS to_currency,
            nullif(btrim(s.rate), '') AS rate
        FROM staging.fx_rates AS s
        WHERE s.batch_id = p_batch_id
    ),

    checked AS MATERIALIZED (
        SELECT
            src.*,
            coalesce(
                etl.value_missing('rate_date', src.rate_date),
                etl.value_error('rate_date', src.rate_date, 'date'),
                etl.value_missing('from_currency', src.from_currency),
                CASE WHEN cf.currency_code IS NULL THEN ARRAY['unknown_currency', 'from_currency'] END,
                etl.value_missing('to_currency', src.to_currency),
                CASE WHEN ct.currency_code IS NULL THEN ARRAY['unknown_currency', 'to_currency'] END,
                CASE
                    WHEN src.from_currency = src.to_currency
                        THEN ARRAY['value_not_allowed', 'to_currency']
                END,
                etl.value_missing('rate', src.rate),
                etl.value_error('rate', src.rate, 'decimal')
            ) AS err
        FROM src
        LEFT JOIN etl.currency AS cf
            ON src.from_currency = cf.currency_code
        LEFT JOIN etl.currency AS ct
            ON src.to_currency = ct.currency_code
    ),

    judged AS (
        SELECT
            c.*,
            CASE WHEN c.err IS NULL THEN c.rate::numeric END AS rate_n,
            CASE
                WHEN c.err IS NOT NULL THEN c.err
                WHEN c.rate::numeric <= 0 THEN ARRAY['value_not_allowed', 'rate']
            END AS reason
        FROM checked AS c
    )

    SELECT
        CASE WHEN j.reason IS NULL THEN j.rate_date::date END AS rate_date,
        j.from_currency,
        j.to_currency,
        j.rate_n AS rate,
        p_batch_id AS batch_id,
        j.file_line,
        j.reason[1] AS check_reason,
        j.reason[2] AS check_column,
        CASE
            WHEN j.reason[1] <> 'value_not_allowed' THEN NULL
            WHEN j.reason[2] = 'rate' THEN 'must be greater than 0'
            ELSE 'a rate converts between two different currencies'
        END AS check_detail,
        TRUE AS check_keep
    FROM judged AS j;

    CALL etl.apply_validated(p_batch_id, 'fx_rates');
END;
$$;

COMMENT ON PROCEDURE etl.validate_fx_rates (bigint) IS
'Validates one staged fx_rates batch into clean.fx_rate; bad rows to etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_fx_rates(bigint) TO hub_etl;
