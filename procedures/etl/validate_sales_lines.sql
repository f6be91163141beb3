-- requires: etl/apply_validated.sql
-- requires: etl/value_error.sql
-- requires: etl/value_missing.sql
CREATE OR REPLACE PROCEDURE etl.validate_sales_lines(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one sales_lines batch into clean.sales_line. Checks:
 * required values (customer_country and discount_pct optional); line_no a whole number
 * >= 1; invoice_date a date; customer_country ISO 3166-1 when given; quantity a signed
 * decimal (negative for a credit note); unit_price a decimal >= 0; discount_pct a decimal
 * from 0 to 100, 0 when empty; currency_code in ISO 4217.
 */
BEGIN
    DROP TABLE IF EXISTS pg_temp.validated;
    CREATE TEMP TABLE validated AS
    WITH src AS (
        SELECT
            s.file_line,
            nullif(btrim(s.invoice_id), '') AS invoice_id,
            nullif(btrim(s.line_no), '') AS line_no,
            nullif(btrim(s.invoice_date), '') AS invoice_date,
            nullif(btrim(s.customer_code), '') AS customer_code,
            nullif(btrim(s.customer_name), '') AS customer_name,
            upper(nullif(btrim(s.customer_country), '')) AS customer_country,
            nullif(btrim(s.product_sku), '') AS product_sku,
            nullif(btrim(s.plant_code), '') AS plant_code,
            nullif(btrim(s.quantity), '') AS quantity,
            nullif(btrim(s.unit_price), '') AS unit_price,
            nullif(btrim(s.discount_pct), '') AS discount_pct,
            upper(nullif(btrim(s.currency_code), '')) AS currency_code
        FROM staging.sales_lines AS s
        WHERE s.batch_id = p_batch_id
    ),

    checked AS MATERIALIZED (
        SELECT
            src.*,
            coalesce(
                etl.value_missing('invoice_id', src.invoice_id),
                etl.value_missing('line_no', src.line_no),
                etl.value_error('line_no', src.line_no, 'count'),
                etl.value_missing('invoice_date', src.invoice_date),
                etl.value_error('invoice_date', src.invoice_date, 'date'),
                etl.value_missing('customer_code', src.customer_code),
                etl.value_missing('customer_name', src.customer_name),
                CASE
                    WHEN src.customer_country IS NOT NULL AND ctry.country_code IS NULL
                        THEN ARRAY['value_not_allowed', 'customer_country']
                END,
                etl.value_missing('product_sku', src.product_sku),
                etl.value_missing('plant_code', src.plant_code),
                etl.value_missing('quantity', src.quantity),
                etl.value_error('quantity', src.quantity, 'decimal'),
                etl.value_missing('unit_price', src.unit_price),
                etl.value_error('unit_price', src.unit_price, 'decimal'),
                etl.value_error('discount_pct', src.discount_pct, 'decimal'),
                etl.value_missing('currency_code', src.currency_code),
                CASE WHEN cur.currency_code IS NULL THEN ARRAY['unknown_currency', 'currency_code'] END
            ) AS err
        FROM src
        LEFT JOIN etl.country AS ctry
            ON src.customer_country = ctry.country_code
        LEFT JOIN etl.currency AS cur
            ON src.currency_code = cur.currency_code
    ),

    typed AS (
        SELECT
            c.*,
            CASE WHEN c.err IS NULL THEN c.line_no::numeric END AS line_no_n,
            CASE WHEN c.err IS NULL THEN c.quantity::numeric END AS quantity_n,
            CASE WHEN c.err IS NULL THEN c.unit_price::numeric END AS unit_price_n,
            CASE WHEN c.err IS NULL THEN coalesce(c.discount_pct::numeric, 0) END AS discount_pct_n
        FROM checked AS c
    ),

    judged AS (
        SELECT
            t.*,
            CASE
                WHEN t.err IS NOT NULL THEN t.err
                WHEN t.line_no_n < 1 OR t.line_no_n > 2147483647
                    THEN ARRAY['value_not_allowed', 'line_no']
                WHEN t.unit_price_n < 0 THEN ARRAY['value_not_allowed', 'unit_price']
                WHEN t.discount_pct_n NOT BETWEEN 0 AND 100
                    THEN ARRAY['value_not_allowed', 'discount_pct']
            END AS reason
        FROM typed AS t
    )

    SELECT
        j.invoice_id,
        CASE WHEN j.reason IS NULL THEN j.line_no_n::integer END AS line_no,
        CASE WHEN j.reason IS NULL THEN j.invoice_date::date END AS invoice_date,
        j.customer_code,
        j.customer_name,
        j.customer_country,
        j.product_sku,
        j.plant_code,
        j.quantity_n AS quantity,
        j.unit_price_n AS unit_price,
        j.discount_pct_n AS discount_pct,
        j.currency_code,
        p_batch_id AS batch_id,
        j.file_line,
        j.reason[1] AS check_reason,
        j.reason[2] AS check_column,
        CASE
            WHEN j.reason[1] <> 'value_not_allowed' THEN NULL
            WHEN j.reason[2] = 'line_no' THEN 'a line number from 1'
            WHEN j.reason[2] = 'customer_country' THEN 'an ISO 3166-1 alpha-2 code such as DE'
            WHEN j.reason[2] = 'unit_price' THEN 'must not be negative'
            WHEN j.reason[2] = 'discount_pct' THEN 'a percentage from 0 to 100'
        END AS check_detail,
        TRUE AS check_keep
    FROM judged AS j;

    CALL etl.apply_validated(p_batch_id, 'sales_lines');
END;
$$;

COMMENT ON PROCEDURE etl.validate_sales_lines (bigint) IS
'Validates one staged sales_lines batch into clean.sales_line; bad rows to etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_sales_lines(bigint) TO hub_etl;
