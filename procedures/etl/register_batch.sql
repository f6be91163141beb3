-- requires: etl/open_staging_partition.sql
CREATE OR REPLACE FUNCTION etl.register_batch(
    p_feed_name text,
    p_file_name text,
    p_file_path text,
    p_sha256 text,
    p_file_bytes bigint,
    p_header text[],
    p_unknown_columns text[],
    p_load_method text,
    p_split_line bigint DEFAULT NULL
)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Registers one file as a batch (status loading) and opens its staging partition (in two
 * halves split at p_split_line when the loader will COPY from two sessions).
 * The caller checks etl.batch.sha256 first: the same content loaded again is a no-op.
 * The batch belongs to the session's run (hub.run_id, set by etl.start_run), if any.
 */
DECLARE
    v_batch_id bigint;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM etl.feed AS f WHERE f.feed_name = p_feed_name) THEN
        RAISE EXCEPTION 'etl.register_batch: unknown feed %', p_feed_name
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Feeds are listed in etl.feed.';
    END IF;

    INSERT INTO etl.batch (
        feed_name, file_name, file_path, sha256, file_bytes, header_columns, unknown_columns,
        load_method, run_id
    )
    VALUES (
        p_feed_name, p_file_name, p_file_path, p_sha256, p_file_bytes,
        coalesce(p_header, '{}'), coalesce(p_unknown_columns, '{}'), p_load_method,
        -- the run this session opened with etl.start_run, if any
        nullif(current_setting('hub.run_id', TRUE), '')::bigint
    )
    RETURNING batch_id INTO v_batch_id;

    PERFORM etl.open_staging_partition(v_batch_id, p_split_line);
    RETURN v_batch_id;
END;
$$;

COMMENT ON FUNCTION etl.register_batch(text, text, text, text, bigint, text[], text[], text, bigint) IS
'Registers a file as a batch (status loading), opens its staging partition, returns its id.';

GRANT EXECUTE ON FUNCTION etl.register_batch(text, text, text, text, bigint, text[], text[], text, bigint) TO hub_etl;
