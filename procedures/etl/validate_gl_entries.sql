-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_gl_entries(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one gl_entries batch into clean.gl_entry. Every check
 * comes from the feed contract (etl.feed_column, applied by etl.validate_feed;
 * docs/feeds.md): this feed has no rule of its own.
 */
BEGIN
    CALL etl.validate_feed(
        p_batch_id, 'gl_entries'
    );
END;
$$;

COMMENT ON PROCEDURE etl.validate_gl_entries (bigint) IS
'Validates one staged gl_entries batch into clean.gl_entry and etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_gl_entries(bigint) TO hub_etl;
