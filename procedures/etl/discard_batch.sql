-- requires: etl/staging_partition_name.sql
CREATE OR REPLACE PROCEDURE etl.discard_batch(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Removes every trace of a batch that never finished loading (status loading): a load
 * that failed after committing the registration (the two-session COPY needs the
 * partition committed), or one that crashed. Refuses a finished batch: those are history.
 * Rows it already put in clean would have a later status; a loading batch has none
 * (validation and closing happen in one transaction).
 */
DECLARE
    v_batch etl.batch%ROWTYPE;
BEGIN
    SELECT b.* INTO v_batch
    FROM etl.batch AS b
    WHERE b.batch_id = p_batch_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_batch.status <> 'loading' THEN
        RAISE EXCEPTION 'etl.discard_batch: batch % (%) is %, not loading', p_batch_id,
            v_batch.file_name, v_batch.status
            USING ERRCODE = 'object_in_use',
                HINT = 'Only a batch that never finished loading can be discarded.';
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS staging.%I', etl.staging_partition_name(v_batch.feed_name, p_batch_id));
    DELETE FROM etl.rejected_row AS r WHERE r.batch_id = p_batch_id;
    DELETE FROM staging.rejected_row AS r WHERE r.batch_id = p_batch_id;
    DELETE FROM etl.pending_record AS p WHERE p.batch_id = p_batch_id;
    DELETE FROM etl.batch AS b WHERE b.batch_id = p_batch_id;
    RAISE NOTICE 'etl.discard_batch: discarded unfinished batch % (%)', p_batch_id, v_batch.file_name;
END;
$$;

COMMENT ON PROCEDURE etl.discard_batch (bigint) IS
'Removes a batch that never finished loading (status loading) and its staging partition.';

GRANT EXECUTE ON PROCEDURE etl.discard_batch(bigint) TO hub_etl;
