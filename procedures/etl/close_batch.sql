-- requires: etl/staging_partition_name.sql
-- requires: etl/record_problem_message.sql
CREATE OR REPLACE PROCEDURE etl.close_batch(
    p_batch_id bigint,
    p_records_read bigint,
    p_status text DEFAULT 'loaded',
    p_message text DEFAULT NULL,
    p_load_method text DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Ends a batch: moves the loader's own rejections in (worded here, p_message being the
 * file's sentence when it is rejected whole), records how many records the loader read
 * (and how: copy or parsed, when the loader had to change its mind), recounts the
 * rejected and pending rows kept for it, proves read = accepted + rejected + pending (raising, so the
 * whole file rolls back, when it does not), and drops the staging partition.
 * Closing a batch that is already closed changes nothing.
 */
DECLARE
    v_batch etl.batch%ROWTYPE;
    v_rejected bigint;
    v_pending bigint;
BEGIN
    SELECT b.* INTO v_batch
    FROM etl.batch AS b
    WHERE b.batch_id = p_batch_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'etl.close_batch: batch % does not exist', p_batch_id
            USING ERRCODE = 'no_data_found';
    END IF;
    IF v_batch.status <> 'loading' THEN
        RAISE NOTICE 'etl.close_batch: batch % is already %', p_batch_id, v_batch.status;
        RETURN;
    END IF;

    -- The loader's own rejections of this batch (hub_etl may only append them there),
    -- worded here: a record of a file rejected whole (its reason is the batch's) takes the
    -- file's sentence, any other the sentence for what the reader saw (its detail).
    WITH moved AS (
        DELETE FROM staging.rejected_row AS r
        WHERE r.batch_id = p_batch_id
        RETURNING r.batch_id, r.file_line, r.reason_code, r.column_name, r.detail, r.raw_values, r.line_count
    )

    INSERT INTO etl.rejected_row (batch_id, file_line, reason_code, column_name, message, raw_values, line_count)
    SELECT
        m.batch_id, m.file_line, m.reason_code, m.column_name,
        CASE
            WHEN m.reason_code = v_batch.reject_reason THEN p_message
            ELSE etl.record_problem_message(m.reason_code, m.column_name, m.detail)
        END,
        m.raw_values, m.line_count
    FROM moved AS m;

    SELECT count(*) INTO v_rejected FROM etl.rejected_row AS r WHERE r.batch_id = p_batch_id;
    SELECT count(*) INTO v_pending FROM etl.pending_record AS p WHERE p.batch_id = p_batch_id;

    IF p_records_read <> v_batch.records_accepted + v_rejected + v_pending THEN
        RAISE EXCEPTION
            'etl.close_batch: batch % (%) does not reconcile: read % <> accepted % + rejected % + pending %',
            p_batch_id, v_batch.file_name, p_records_read, v_batch.records_accepted,
            v_rejected, v_pending
            USING ERRCODE = 'check_violation',
                HINT = 'A record was lost between the file and the warehouse: this is a bug, '
                'please report it with the file.';
    END IF;

    UPDATE etl.batch AS b
    SET
        records_read = p_records_read,
        records_rejected = v_rejected,
        records_pending = v_pending,
        status = p_status,
        message = p_message,
        load_method = coalesce(p_load_method, b.load_method),
        finished_at = clock_timestamp()
    WHERE b.batch_id = p_batch_id;

    EXECUTE format(
        'DROP TABLE IF EXISTS staging.%I', etl.staging_partition_name(v_batch.feed_name, p_batch_id)
    );
END;
$$;

COMMENT ON PROCEDURE etl.close_batch (bigint, bigint, text, text, text) IS
'Ends a batch: records read, proves reconciliation (raises otherwise), drops its staging.';

GRANT EXECUTE ON PROCEDURE etl.close_batch(bigint, bigint, text, text, text) TO hub_etl;
