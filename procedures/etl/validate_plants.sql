-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_plants(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one plants batch into clean.plant (one row per plant and
 * updated_at). Every check comes from the feed contract (etl.feed_column, applied by
 * etl.validate_feed; docs/feeds.md): this feed has no rule of its own.
 */
BEGIN
    CALL etl.validate_feed(
        p_batch_id, 'plants'
    );
END;
$$;

COMMENT ON PROCEDURE etl.validate_plants (bigint) IS
'Validates one staged plants batch into clean.plant and etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_plants(bigint) TO hub_etl;
