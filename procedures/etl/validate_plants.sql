-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_plants(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one plants batch into clean.plant (one row per plant and
 * updated_at). The per-column checks come from the contract (etl.feed_column, applied by
 * etl.validate_feed): required values, country_code in ISO 3166-1, currency_code in ISO
 * 4217, timezone an IANA zone PostgreSQL knows, updated_at an ISO 8601 timestamp (a
 * local one read in the row's own zone; nonexistent_local_time inside a DST gap). This
 * feed has no rule of its own.
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
