-- requires: etl/month_partitions.sql
CREATE OR REPLACE FUNCTION etl.analyze_partitions(
    p_schema text,
    p_table text,
    p_from timestamptz,
    p_to timestamptz
)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * ANALYZEs the monthly partitions of p_schema.p_table that hold p_from to p_to (or the
 * table itself when it is not partitioned): only the months a big load wrote, not the
 * whole history. Returns how many tables it analyzed.
 */
DECLARE
    v_name text;
    v_done integer := 0;
BEGIN
    IF p_from IS NULL OR p_to IS NULL THEN
        RETURN 0;
    END IF;
    IF NOT EXISTS (
        SELECT 1 FROM etl.partitioned_table AS t
        WHERE t.table_schema = p_schema AND t.table_name = p_table
    ) THEN
        EXECUTE format('ANALYZE %I.%I', p_schema, p_table);
        RETURN 1;
    END IF;
    FOR v_name IN
        SELECT m.partition_name FROM etl.month_partitions(p_table, p_from, p_to) AS m
    LOOP
        IF to_regclass(format('%I.%I', p_schema, v_name)) IS NOT NULL THEN
            EXECUTE format('ANALYZE %I.%I', p_schema, v_name);
            v_done := v_done + 1;
        END IF;
    END LOOP;
    RETURN v_done;
END;
$$;

COMMENT ON FUNCTION etl.analyze_partitions(text, text, timestamptz, timestamptz) IS
'ANALYZEs the monthly partitions that hold a time range (after a big load).';
