-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_sales_lines(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one sales_lines batch into clean.sales_line. Every check
 * comes from the feed contract (etl.feed_column, applied by etl.validate_feed;
 * docs/feeds.md): this feed has no rule of its own.
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
