-- requires: etl/batch_reconciliation.sql
CREATE OR REPLACE FUNCTION etl.dq_batch_reconciliation(p_target text, p_threshold numeric)
RETURNS TABLE (observed numeric, passed boolean, detail text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /* Batches that do not reconcile (etl.batch_reconciliation); p_target is unused. */
    SELECT
        count(*)::numeric,
        count(*) <= p_threshold,
        CASE WHEN count(*) = 0 THEN 'every batch reconciles' ELSE
            format('%s batch(es) do not reconcile: %s', count(*),
                string_agg(format('batch %s (%s)', b.batch_id, b.file_name), ', ' ORDER BY b.batch_id))
        END
    FROM etl.batch_reconciliation AS b
    WHERE NOT b.is_reconciled;
$$;

COMMENT ON FUNCTION etl.dq_batch_reconciliation(text, numeric) IS
'Check: batches whose read, accepted, rejected and pending counts do not reconcile.';
