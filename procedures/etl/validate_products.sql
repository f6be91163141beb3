-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_products(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one products batch into clean.product (one row per
 * product and updated_at). Every check comes from the feed contract (etl.feed_column,
 * applied by etl.validate_feed; docs/feeds.md): this feed has no rule of its own.
 */
BEGIN
    CALL etl.validate_feed(
        p_batch_id, 'products'
    );
END;
$$;

COMMENT ON PROCEDURE etl.validate_products (bigint) IS
'Validates one staged products batch into clean.product and etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_products(bigint) TO hub_etl;
