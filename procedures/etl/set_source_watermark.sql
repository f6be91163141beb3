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
 * The sources are defined in the source.toml files of sources/, not in the database, so
 * the call is checked against what the import did: it must come from a session inside a
 * running import run (hub.run_id of a load or dag run), and a watermark may only move when
 * that run registered batches of this source (etl.source_batch); a pull whose rows were
 * all imported before may only set the watermark it already has.
 */
DECLARE
    v_run_id bigint := nullif(current_setting('hub.run_id', TRUE), '')::bigint;
    v_stored text;
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
    IF v_run_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM etl.pipeline_run AS r
        WHERE r.run_id = v_run_id AND r.state = 'running' AND r.kind IN ('load', 'dag')
    ) THEN
        RAISE EXCEPTION 'etl.set_source_watermark: no import run is running in this session (hub.run_id %)',
            coalesce(v_run_id::text, 'not set')
            USING ERRCODE = 'object_not_in_prerequisite_state',
                HINT = 'Watermarks are set by scripts/hub import SOURCE --pull (or the DAG''s import task), '
                'after the pulled rows were imported.';
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM etl.source_batch AS sb
        INNER JOIN etl.batch AS b ON b.batch_id = sb.batch_id
        WHERE sb.source_name = p_source_name AND b.run_id = v_run_id
    ) THEN
        SELECT w.watermark INTO v_stored
        FROM etl.source_watermark AS w
        WHERE w.source_name = p_source_name AND w.table_name = p_table_name;
        IF v_stored IS DISTINCT FROM p_watermark THEN
            RAISE EXCEPTION 'etl.set_source_watermark: run % imported no batch of source % (table %), '
                'so its watermark cannot move to %', v_run_id, p_source_name, p_table_name, p_watermark
                USING ERRCODE = 'invalid_parameter_value',
                    HINT = 'A watermark moves only after the pulled rows of that source were imported in the same run.';
        END IF;
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
