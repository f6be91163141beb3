CREATE OR REPLACE PROCEDURE etl.record_batch_lines(
    p_batch_id bigint,
    p_file_lines bigint,
    p_header_lines integer,
    p_blank_lines bigint,
    p_continuation_lines bigint,
    p_reject_reason text DEFAULT NULL
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Records the shape of a batch's file before etl.close_batch ends it: its physical lines,
 * header and blank lines, the continuation lines of records spanning several lines, and,
 * for a file rejected as a whole, why. The CHECK batch_lines_reconciled_check then proves
 * file_lines = header + blank + records read + continuation lines when the batch closes.
 * p_file_lines NULL: the file's bytes are not text (p_reject_reason says why).
 * Recording the same shape again changes nothing.
 */
DECLARE
    v_status text;
BEGIN
    SELECT b.status INTO v_status
    FROM etl.batch AS b
    WHERE b.batch_id = p_batch_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'etl.record_batch_lines: batch % does not exist', p_batch_id
            USING ERRCODE = 'no_data_found',
                HINT = 'Register the file with etl.register_batch first.';
    END IF;
    IF v_status <> 'loading' THEN
        RAISE EXCEPTION 'etl.record_batch_lines: batch % is already %', p_batch_id, v_status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                HINT = 'A closed batch keeps the line counts it was closed with.';
    END IF;
    IF p_file_lines < 0 OR p_header_lines NOT IN (0, 1) OR p_blank_lines < 0 OR p_continuation_lines < 0 THEN
        RAISE EXCEPTION 'etl.record_batch_lines: impossible line counts % / % / % / % for batch %',
            p_file_lines, p_header_lines, p_blank_lines, p_continuation_lines, p_batch_id
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Counts are never negative; a file has 0 or 1 header line.';
    END IF;
    IF p_reject_reason IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM etl.reason AS r WHERE r.reason_code = p_reject_reason) THEN
        RAISE EXCEPTION 'etl.record_batch_lines: unknown reason %', p_reject_reason
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Reasons are listed in etl.reason.';
    END IF;

    UPDATE etl.batch AS b
    SET
        file_lines = p_file_lines,
        header_lines = p_header_lines,
        blank_lines = p_blank_lines,
        continuation_lines = p_continuation_lines,
        reject_reason = p_reject_reason
    WHERE b.batch_id = p_batch_id;
END;
$$;

COMMENT ON PROCEDURE etl.record_batch_lines (bigint, bigint, integer, bigint, bigint, text) IS
'Records a loading batch''s physical, header, blank and continuation lines (and a whole-file '
'reject reason) so that closing it proves every line is accounted for.';

GRANT EXECUTE ON PROCEDURE etl.record_batch_lines(bigint, bigint, integer, bigint, bigint, text) TO hub_etl;
