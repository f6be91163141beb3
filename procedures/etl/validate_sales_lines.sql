-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_sales_lines(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one sales_lines batch into clean.sales_line. The per-
 * column checks come from the contract (etl.feed_column, applied by etl.validate_feed):
 * required values (customer_country and discount_pct optional), line_no a whole number
 * from 1, invoice_date a date, customer_country ISO 3166-1 when given, quantity a signed
 * decimal (negative for a credit note), unit_price a decimal >= 0, discount_pct a
 * decimal from 0 to 100 (0 when empty), currency_code in ISO 4217. This feed has no rule
 * of its own.
 */
BEGIN
    CALL etl.validate_feed(
        p_batch_id, 'sales_lines'
    );
END;
$$;

COMMENT ON PROCEDURE etl.validate_sales_lines (bigint) IS
'Validates one staged sales_lines batch into clean.sales_line and etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_sales_lines(bigint) TO hub_etl;
