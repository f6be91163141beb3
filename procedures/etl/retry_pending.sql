-- requires: etl/open_staging_partition.sql
CREATE OR REPLACE PROCEDURE etl.retry_pending()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates every pending record again, feed by feed in load order (master data first,
 * so a plant that just arrived places the machines, which place the events), batch by
 * batch: the raw values go back into the batch's staging partition and through the same
 * etl.validate_<feed> as when they were first read. Those still unplaceable stay pending
 * (attempts + 1). Safe to call at any time; a no-op when nothing is pending.
 */
DECLARE
    v_batch record;
    v_partition text;
    v_before bigint;
    v_after bigint;
    v_status text;
BEGIN
    SELECT count(*) INTO v_before FROM etl.pending_record;
    IF v_before = 0 THEN
        RETURN;
    END IF;

    FOR v_batch IN
        SELECT DISTINCT
            p.batch_id,
            p.feed_name,
            f.load_order,
            b.status AS status_before
        FROM etl.pending_record AS p
        INNER JOIN etl.feed AS f
            ON p.feed_name = f.feed_name
        INNER JOIN etl.batch AS b
            ON p.batch_id = b.batch_id
        ORDER BY f.load_order, p.batch_id
    LOOP
        -- For this transaction only, the batch is loading again: etl.open_staging_partition
        -- and etl.validate_<feed> accept nothing else (no one else sees the change).
        v_status := v_batch.status_before;
        UPDATE etl.batch AS b SET status = 'loading'
        WHERE b.batch_id = v_batch.batch_id;
        v_partition := etl.open_staging_partition(v_batch.batch_id);
        EXECUTE format(
            'INSERT INTO %1$s SELECT r.* FROM etl.pending_record AS p, '
            'jsonb_populate_record(NULL::staging.%2$I, p.raw_values '
            '|| jsonb_build_object(''batch_id'', p.batch_id, ''file_line'', p.file_line)) AS r '
            'WHERE p.batch_id = $1',
            v_partition, v_batch.feed_name
        ) USING v_batch.batch_id;
        EXECUTE format('CALL etl.%I($1)', 'validate_' || v_batch.feed_name)
        USING v_batch.batch_id;
        EXECUTE format('DROP TABLE %s', v_partition);
        UPDATE etl.batch AS b SET status = v_status
        WHERE b.batch_id = v_batch.batch_id;
    END LOOP;

    SELECT count(*) INTO v_after FROM etl.pending_record;
    RAISE NOTICE 'etl.retry_pending: % pending before, % resolved, % still pending',
        v_before, v_before - v_after, v_after;
END;
$$;

COMMENT ON PROCEDURE etl.retry_pending () IS
'Validates every pending record again (master data first); run on every load and run.';

GRANT EXECUTE ON PROCEDURE etl.retry_pending() TO hub_etl;
