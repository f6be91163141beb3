CREATE OR REPLACE PROCEDURE etl.set_source_watermark(
    p_source_name text,
    p_table_name text,
    p_watermark text,
    p_rows_pulled bigint
)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Records how far a pulled source table has been read, after its rows were imported.
 * A pull that brought no rows (p_watermark NULL) keeps the watermark. Setting the same
 * watermark again only updates the pull's time and count.
 */
BEGIN
    IF coalesce(btrim(p_source_name), '') = '' OR coalesce(btrim(p_table_name), '') = '' THEN
        RAISE EXCEPTION 'etl.set_source_watermark: source and table names are required'
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Pass the source folder name and the landing table of sources/<name>/source.toml.';
    END IF;
    IF p_rows_pulled IS NULL OR p_rows_pulled < 0 THEN
        RAISE EXCEPTION 'etl.set_source_watermark: rows pulled must be 0 or more (got %)', p_rows_pulled
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Pass the number of rows the pull read.';
    END IF;
    IF p_watermark IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO etl.source_watermark AS w (source_name, table_name, watermark, rows_pulled)
    VALUES (p_source_name, p_table_name, p_watermark, p_rows_pulled)
    ON CONFLICT (source_name, table_name) DO UPDATE
        SET
            watermark = excluded.watermark,
            rows_pulled = excluded.rows_pulled,
            pulled_at = clock_timestamp();
END;
$$;

COMMENT ON PROCEDURE etl.set_source_watermark (text, text, text, bigint) IS
'Records the watermark of a pulled source table after its rows were imported.';

GRANT EXECUTE ON PROCEDURE etl.set_source_watermark(text, text, text, bigint) TO hub_etl;
