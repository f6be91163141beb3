-- requires: etl/month_partitions.sql
CREATE OR REPLACE FUNCTION etl.ensure_partitions(
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
 * Makes sure the monthly partitions of p_schema.p_table (listed in etl.partitioned_table)
 * cover every UTC month from p_from to p_to, both included; each is named
 * <table>_yYYYYmMM. Returns how many it created. Indexes of the parent (BRIN on time)
 * follow into each new partition. Safe to call for months that exist. Never waits for
 * readers of the parent (see below).
 */
DECLARE
    v_month timestamptz;
    v_name text;
    v_created integer := 0;
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM etl.partitioned_table AS t
        WHERE t.table_schema = p_schema AND t.table_name = p_table
    ) THEN
        RAISE EXCEPTION 'etl.ensure_partitions: %.% is not a monthly partitioned table', p_schema, p_table
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'The partitioned tables are listed in etl.partitioned_table.';
    END IF;
    IF p_from IS NULL OR p_to IS NULL OR p_from > p_to THEN
        RETURN 0;
    END IF;

    FOR v_month, v_name IN
        SELECT m.month_start, m.partition_name FROM etl.month_partitions(p_table, p_from, p_to) AS m
    LOOP
        CONTINUE WHEN to_regclass(format('%I.%I', p_schema, v_name)) IS NOT NULL;
        -- Made apart, then attached: ATTACH PARTITION takes SHARE UPDATE EXCLUSIVE on the
        -- parent, which readers of the reporting views do not wait for (CREATE TABLE ...
        -- PARTITION OF would take ACCESS EXCLUSIVE and queue every new reader behind them).
        EXECUTE format(
            'CREATE TABLE %I.%I (LIKE %I.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE '
            'INCLUDING COMPRESSION)',
            p_schema, v_name, p_schema, p_table
        );
        EXECUTE format(
            'ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
            p_schema, p_table, p_schema, v_name, v_month, v_month + interval '1 month'
        );
        EXECUTE format('COMMENT ON TABLE %I.%I IS %L', p_schema, v_name,
            format('%s.%s for the UTC month from %s.', p_schema, p_table, to_char(v_month AT TIME ZONE 'UTC', 'YYYY-MM')));
        v_created := v_created + 1;
    END LOOP;
    RETURN v_created;
END;
$$;

COMMENT ON FUNCTION etl.ensure_partitions(text, text, timestamptz, timestamptz) IS
'Creates the missing monthly partitions of a partitioned table between two instants.';
