-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_machines(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one machines batch into clean.machine (one row per
 * machine and updated_at). The per-column checks come from the contract
 * (etl.feed_column, applied by etl.validate_feed): required values (manufacturer
 * optional), commissioned_on a date, status one of active, idle, retired (any case),
 * updated_at an ISO 8601 timestamp, a local one read in the zone of the row's plant
 * (pending as plant_unknown while that plant is unknown, retried on every load and run).
 * This feed has no rule of its own.
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
