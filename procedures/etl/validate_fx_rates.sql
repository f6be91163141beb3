-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_fx_rates(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one fx_rates batch into clean.fx_rate (one row per day
 * and currency pair: 1 from_currency = rate to_currency). The per-column checks come
 * from the feed contract (etl.feed_column, applied by etl.validate_feed; docs/feeds.md).
 * This feed's own rule: the two currencies differ.
 */
BEGIN
    CALL etl.validate_feed(
        p_batch_id, 'fx_rates',
        p_rules => $rules$
            WHEN j.from_currency = j.to_currency THEN ARRAY['value_not_allowed', 'to_currency']
        $rules$
    );
END;
$$;

COMMENT ON PROCEDURE etl.validate_fx_rates (bigint) IS
'Validates one staged fx_rates batch into clean.fx_rate and etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_fx_rates(bigint) TO hub_etl;
