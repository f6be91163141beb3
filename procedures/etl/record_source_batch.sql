CREATE OR REPLACE PROCEDURE etl.record_source_batch(
    p_batch_id bigint,
    p_source_name text,
    p_mapping_name text,
    p_record_part text,
    p_source_file text,
    p_source_sha256 text,
    p_source_rows bigint,
    p_malformed_rows bigint,
    p_mapped_records bigint,
    p_covered_rows bigint,
    p_dropped jsonb
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Records where a closed, mapped batch came from (scripts/hub import) and proves that
 * the source file is accounted for: the batch read its mapped records plus the file's
 * malformed records, and every well-formed source row is either covered by a mapped
 * record or dropped by a named filter of the mapping. Raises (so the import of that
 * file rolls back) when either does not hold. Recording the same batch again is a no-op.
 */
DECLARE
    v_batch etl.batch%ROWTYPE;
    v_dropped bigint;
BEGIN
    SELECT b.* INTO v_batch
    FROM etl.batch AS b
    WHERE b.batch_id = p_batch_id;
    IF NOT FOUND OR v_batch.load_method IS DISTINCT FROM 'mapped' OR v_batch.status = 'loading' THEN
        RAISE EXCEPTION 'etl.record_source_batch: batch % is not a closed mapped batch', p_batch_id
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Register the batch with load method mapped and close it first.';
    END IF;
    IF p_dropped IS NULL OR jsonb_typeof(p_dropped) <> 'object' THEN
        RAISE EXCEPTION 'etl.record_source_batch: dropped must be a JSON object {filter: rows}'
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Pass ''{}'' when nothing was dropped.';
    END IF;
    SELECT coalesce(sum(d.value::bigint), 0) INTO v_dropped
    FROM jsonb_each_text(p_dropped) AS d;

    IF v_batch.records_read <> p_mapped_records + p_malformed_rows THEN
        RAISE EXCEPTION
            'etl.record_source_batch: batch % (%) read % records, not % mapped + % malformed',
            p_batch_id, v_batch.file_name, v_batch.records_read, p_mapped_records, p_malformed_rows
            USING ERRCODE = 'check_violation',
                HINT = 'A mapped record was lost on its way to staging: this is a bug, please report it.';
    END IF;
    IF p_source_rows <> p_covered_rows + v_dropped THEN
        RAISE EXCEPTION
            'etl.record_source_batch: % of source % (mapping %, part %): % rows <> % covered + % dropped',
            v_batch.file_name, p_source_name, p_mapping_name, p_record_part, p_source_rows,
            p_covered_rows, v_dropped
            USING ERRCODE = 'check_violation',
                HINT = 'The mapping loses source rows: make it map or drop (with a drop_reason) every row.';
    END IF;

    INSERT INTO etl.source_batch (
        batch_id, source_name, mapping_name, record_part, source_file, source_sha256, source_rows,
        malformed_rows, mapped_records, covered_rows, dropped, dropped_rows
    )
    VALUES (
        p_batch_id, p_source_name, p_mapping_name, coalesce(p_record_part, ''), p_source_file,
        p_source_sha256, p_source_rows, p_malformed_rows, p_mapped_records, p_covered_rows,
        p_dropped, v_dropped
    )
    ON CONFLICT (batch_id) DO NOTHING;
END;
$$;

COMMENT ON PROCEDURE etl.record_source_batch (
    bigint, text, text, text, text, text, bigint, bigint, bigint, bigint, jsonb
) IS
'Records the source, mapping and row accounting of a mapped batch; raises when a source '
'row or mapped record is unaccounted for.';

GRANT EXECUTE ON PROCEDURE etl.record_source_batch(
    bigint, text, text, text, text, text, bigint, bigint, bigint, bigint, jsonb
) TO hub_etl;
