CREATE OR REPLACE FUNCTION etl.open_staging_partition(p_batch_id bigint)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
/*
 * Creates (when missing) the UNLOGGED staging partition of a batch and returns its
 * qualified name. Its batch_id defaults to the batch and its file_line to a sequence
 * starting at 2 (the header is line 1), so a plain COPY of a file whose records are one
 * line each numbers them for free. SECURITY DEFINER so that hub_etl, which may not
 * create tables, can load: it gets INSERT on the new partition only.
 */
DECLARE
    v_feed text;
    v_partition text;
BEGIN
    SELECT b.feed_name INTO v_feed
    FROM etl.batch AS b
    WHERE b.batch_id = p_batch_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'etl.open_staging_partition: batch % does not exist', p_batch_id
            USING ERRCODE = 'no_data_found';
    END IF;

    v_partition := format('%s_b%s', v_feed, p_batch_id);
    IF to_regclass(format('staging.%I', v_partition)) IS NULL THEN
        EXECUTE format(
            'CREATE UNLOGGED TABLE staging.%I PARTITION OF staging.%I FOR VALUES IN (%s)',
            v_partition, v_feed, p_batch_id
        );
        EXECUTE format(
            'CREATE SEQUENCE staging.%I START 2 CACHE 1000 OWNED BY staging.%I.file_line',
            v_partition || '_line_seq', v_partition
        );
        EXECUTE format(
            'ALTER TABLE staging.%I ALTER COLUMN batch_id SET DEFAULT %s, '
            'ALTER COLUMN file_line SET DEFAULT nextval(%L)',
            v_partition, p_batch_id, format('staging.%I', v_partition || '_line_seq')
        );
        EXECUTE format('GRANT INSERT, SELECT ON staging.%I TO hub_etl', v_partition);
        EXECUTE format('GRANT USAGE ON staging.%I TO hub_etl', v_partition || '_line_seq');
    END IF;
    RETURN format('staging.%I', v_partition);
END;
$$;

COMMENT ON FUNCTION etl.open_staging_partition(bigint) IS
'Creates the UNLOGGED staging partition of a batch (idempotent) and returns its name.';
