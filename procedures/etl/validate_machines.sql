-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_machines(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one machines batch into clean.machine (one row per
 * machine and updated_at). Every check comes from the feed contract (etl.feed_column,
 * applied by etl.validate_feed; docs/feeds.md): this feed has no rule of its own.
 */
BEGIN
    CALL etl.validate_feed(
        p_batch_id, 'machines'
    );
END;
$$;

COMMENT ON PROCEDURE etl.validate_machines (bigint) IS
'Validates one staged machines batch into clean.machine, etl.rejected_row and etl.pending_record.';

GRANT EXECUTE ON PROCEDURE etl.validate_machines(bigint) TO hub_etl;
