-- requires: etl/apply_validated.sql
-- requires: etl/value_error.sql
-- requires: etl/value_missing.sql
-- requires: etl/has_utc_offset.sql
CREATE OR REPLACE PROCEDURE etl.validate_products(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one products batch into clean.product (one row per
 * product and updated_at). Checks: required values; standard_cost and list_price plain
 * decimals, not negative; currency_code in ISO 4217; updated_at an ISO 8601 timestamp
 * that carries a UTC offset (a product has no plant whose zone could place it).
 */
BEGIN
    DROP TABLE IF EXISTS pg_temp.validated;
    CREATE TEMP TABLE validated AS
    WITH src AS (
        SELECT
            s.file_line,
            nullif(btrim(s.product_sku), '') AS product_sku,
            nullif(btrim(s.product_name), '') AS product_name,
            nullif(btrim(s.product_family), '') AS product_family,
            nullif(btrim(s.unit_of_measure), '') AS unit_of_measure,
            nullif(btrim(s.standard_cost), '') AS standard_cost,
            nullif(btrim(s.list_price), '') AS list_price,
            upper(nullif(btrim(s.currency_code), '')) AS currency_code,
            nullif(btrim(s.updated_at), '') AS updated_at
        FROM staging.products AS s
        WHERE s.batch_id = p_batch_id
    ),

    checked AS MATERIALIZED (
        SELECT
            src.*,
            coalesce(
                etl.value_missing('product_sku', src.product_sku),
                etl.value_missing('product_name', src.product_name),
                etl.value_missing('product_family', src.product_family),
                etl.value_missing('unit_of_measure', src.unit_of_measure),
                etl.value_missing('standard_cost', src.standard_cost),
                etl.value_error('standard_cost', src.standard_cost, 'decimal'),
                etl.value_missing('list_price', src.list_price),
                etl.value_error('list_price', src.list_price, 'decimal'),
                etl.value_missing('currency_code', src.currency_code),
                CASE WHEN cur.currency_code IS NULL THEN ARRAY['unknown_currency', 'currency_code'] END,
                etl.value_missing('updated_at', src.updated_at),
                etl.value_error('updated_at', src.updated_at, 'timestamp'),
                CASE
                    WHEN NOT etl.has_utc_offset(src.updated_at)
                        THEN ARRAY['offset_required', 'updated_at']
                END
            ) AS err
        FROM src
        LEFT JOIN etl.currency AS cur
            ON src.currency_code = cur.currency_code
    ),

    typed AS (
        SELECT
            c.*,
            CASE WHEN c.err IS NULL THEN c.standard_cost::numeric END AS standard_cost_n,
            CASE WHEN c.err IS NULL THEN c.list_price::numeric END AS list_price_n
        FROM checked AS c
    ),

    judged AS (
        SELECT
            t.*,
            CASE
                WHEN t.err IS NOT NULL THEN t.err
                WHEN t.standard_cost_n < 0 THEN ARRAY['value_not_allowed', 'standard_cost']
                WHEN t.list_price_n < 0 THEN ARRAY['value_not_allowed', 'list_price']
            END AS reason
        FROM typed AS t
    )

    SELECT
        j.product_sku,
        CASE WHEN j.reason IS NULL THEN j.updated_at::timestamptz END AS updated_at,
        j.product_name,
        j.product_family,
        j.unit_of_measure,
        j.standard_cost_n AS standard_cost,
        j.list_price_n AS list_price,
        j.currency_code,
        p_batch_id AS batch_id,
        j.file_line,
        j.reason[1] AS check_reason,
        j.reason[2] AS check_column,
        CASE WHEN j.reason[1] = 'value_not_allowed' THEN 'must not be negative' END AS check_detail,
        TRUE AS check_keep
    FROM judged AS j;

    CALL etl.apply_validated(p_batch_id, 'products');
END;
$$;

COMMENT ON PROCEDURE etl.validate_products (bigint) IS
'Validates one staged products batch into clean.product; bad rows to etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_products(bigint) TO hub_etl;
