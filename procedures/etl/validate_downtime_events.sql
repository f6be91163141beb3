-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_downtime_events(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one downtime_events batch into clean.downtime_event. The
 * per-column checks come from the feed contract (etl.feed_column, applied by
 * etl.validate_feed; docs/feeds.md). This feed's own rule: end_ts not before start_ts
 * (end_before_start; equal is fine: zero minutes), once both are placed in time.
 */
BEGIN
    CALL etl.validate_feed(
        p_batch_id, 'downtime_events',
        p_placed_rules => $rules$
            WHEN j.end_ts_at < j.start_ts_at THEN ARRAY['end_before_start', 'end_ts']
        $rules$
    );
END;
$$;

COMMENT ON PROCEDURE etl.validate_downtime_events (bigint) IS
'Validates one staged downtime_events batch into clean.downtime_event, etl.rejected_row and etl.pending_record.';

GRANT EXECUTE ON PROCEDURE etl.validate_downtime_events(bigint) TO hub_etl;
