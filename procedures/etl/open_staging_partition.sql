-- requires: etl/staging_partition_name.sql
CREATE OR REPLACE FUNCTION etl.open_staging_partition(p_batch_id bigint, p_split_line bigint DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Creates (when missing) the UNLOGGED staging partition of a batch and returns its
 * qualified name. Its batch_id defaults to the batch and its file_line to a sequence
 * starting at 2 (the header is line 1), so a plain COPY of a file whose records are one
 * line each numbers them for free.
 * With p_split_line, the partition is itself split by file_line into _1 (lines 2 to
 * p_split_line - 1) and _2 (from p_split_line), each numbering from its own first line,
 * so that two sessions can COPY the two halves of a file at once.
 * SECURITY DEFINER so that hub_etl, which may not create tables, can load: it gets
 * INSERT on the new tables only.
 */
DECLARE
    v_batch record;
    v_feed text;
    v_partition text;
    v_leaf record;
BEGIN
    SELECT b.feed_name, b.file_name, b.status INTO v_batch
    FROM etl.batch AS b
    WHERE b.batch_id = p_batch_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'etl.open_staging_partition: batch % does not exist', p_batch_id
            USING ERRCODE = 'no_data_found';
    END IF;
    -- A finished batch is history: nobody may stage rows for it again (etl.retry_pending
    -- marks a batch it validates again as loading for its own transaction).
    IF v_batch.status <> 'loading' THEN
        RAISE EXCEPTION 'etl.open_staging_partition: batch % (%) is %, not loading', p_batch_id,
            v_batch.file_name, v_batch.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                HINT = 'Register the file again with etl.register_batch.';
    END IF;
    v_feed := v_batch.feed_name;

    v_partition := etl.staging_partition_name(v_feed, p_batch_id);
    IF to_regclass(format('staging.%I', v_partition)) IS NOT NULL THEN
        RETURN format('staging.%I', v_partition);
    END IF;

    IF p_split_line IS NULL THEN
        EXECUTE format(
            'CREATE UNLOGGED TABLE staging.%I PARTITION OF staging.%I FOR VALUES IN (%s)',
            v_partition, v_feed, p_batch_id
        );
    ELSE
        EXECUTE format(
            'CREATE TABLE staging.%I PARTITION OF staging.%I FOR VALUES IN (%s) '
            'PARTITION BY RANGE (file_line)',
            v_partition, v_feed, p_batch_id
        );
    END IF;

    FOR v_leaf IN
        SELECT
            etl.staging_partition_name(v_feed, p_batch_id, CASE WHEN p_split_line IS NOT NULL THEN n END) AS name,
            CASE WHEN n = 1 THEN 2 ELSE p_split_line END AS first_line,
            CASE WHEN n = 1 THEN p_split_line END AS end_line
        FROM generate_series(1, CASE WHEN p_split_line IS NULL THEN 1 ELSE 2 END) AS n
    LOOP
        IF p_split_line IS NOT NULL THEN
            EXECUTE format(
                'CREATE UNLOGGED TABLE staging.%I PARTITION OF staging.%I FOR VALUES FROM (%s) TO (%s)',
                v_leaf.name, v_partition, v_leaf.first_line, coalesce(v_leaf.end_line::text, 'MAXVALUE')
            );
        END IF;
        EXECUTE format(
            'CREATE SEQUENCE staging.%I START %s CACHE 1000 OWNED BY staging.%I.file_line',
            v_leaf.name || '_line_seq', v_leaf.first_line, v_leaf.name
        );
        EXECUTE format(
            'ALTER TABLE staging.%I ALTER COLUMN batch_id SET DEFAULT %s, '
            'ALTER COLUMN file_line SET DEFAULT nextval(%L)',
            v_leaf.name, p_batch_id, format('staging.%I', v_leaf.name || '_line_seq')
        );
        EXECUTE format('GRANT INSERT, SELECT ON staging.%I TO hub_etl', v_leaf.name);
        EXECUTE format('GRANT USAGE ON staging.%I TO hub_etl', v_leaf.name || '_line_seq');
    END LOOP;
    RETURN format('staging.%I', v_partition);
END;
$$;

COMMENT ON FUNCTION etl.open_staging_partition(bigint, bigint) IS
'Creates the UNLOGGED staging partition of a batch (idempotent), split in two halves by '
'file_line when p_split_line is given; returns its name.';

GRANT EXECUTE ON FUNCTION etl.open_staging_partition(bigint, bigint) TO hub_etl;
