-- 0004_create_staging_tables.sql
-- One text table per feed, generated from etl.feed_column so the two cannot disagree.
-- Each is list-partitioned by batch_id: the loader streams a file into its own UNLOGGED
-- partition (etl.open_staging_partition) and the partition is dropped once the batch is
-- validated, so staging holds only batches in flight.
DO $staging$
DECLARE
    v_feed record;
    v_columns text;
BEGIN
    FOR v_feed IN SELECT f.feed_name FROM etl.feed AS f ORDER BY f.load_order LOOP
        SELECT string_agg(format('%I text', c.column_name), ', ' ORDER BY c.ordinal)
        INTO v_columns
        FROM etl.feed_column AS c
        WHERE c.feed_name = v_feed.feed_name;

        EXECUTE format(
            'CREATE TABLE staging.%I (batch_id bigint NOT NULL, file_line bigint NOT NULL, %s) '
            'PARTITION BY LIST (batch_id)',
            v_feed.feed_name, v_columns
        );
        EXECUTE format(
            'COMMENT ON TABLE staging.%I IS %L',
            v_feed.feed_name,
            format(
                'Rows of %s files as read (text); file_line is the physical line the record '
                'starts on. Grain: one row per record of a batch in flight.',
                v_feed.feed_name
            )
        );
    END LOOP;
END;
$staging$;
