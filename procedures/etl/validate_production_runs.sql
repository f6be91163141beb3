-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_production_runs(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one production_runs batch into clean.production_run. The
 * per-column checks come from the feed contract (etl.feed_column, applied by
 * etl.validate_feed; docs/feeds.md). This feed's own rules: good_count at most
 * total_count (good_exceeds_total), after the contract's checks; end_ts not before
 * start_ts (end_before_start), once both are placed in time.
 */
BEGIN
    CALL etl.validate_feed(
        p_batch_id, 'production_runs',
        p_rules => $rules$
            WHEN j.good_count_n > j.total_count_n THEN ARRAY['good_exceeds_total', 'good_count']
        $rules$,
        p_placed_rules => $rules$
            WHEN j.end_ts_at < j.start_ts_at THEN ARRAY['end_before_start', 'end_ts']
        $rules$
    );
END;
$$;

COMMENT ON PROCEDURE etl.validate_production_runs (bigint) IS
'Validates one staged production_runs batch into clean.production_run, etl.rejected_row and etl.pending_record.';

GRANT EXECUTE ON PROCEDURE etl.validate_production_runs(bigint) TO hub_etl;
