-- requires: etl/ensure_partitions.sql
CREATE OR REPLACE PROCEDURE etl.create_partitions_ahead()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * The chain's first step: for every table of etl.partitioned_table, the partitions of
 * the current UTC month and of months_ahead months after it, so that the next loads
 * never wait for one. (A load of older or later data makes its own months as well.)
 */
DECLARE
    v_table record;
    v_created integer;
BEGIN
    FOR v_table IN
        SELECT t.table_schema, t.table_name, t.months_ahead
        FROM etl.partitioned_table AS t
        ORDER BY t.table_schema, t.table_name
    LOOP
        v_created := etl.ensure_partitions(
            v_table.table_schema, v_table.table_name, clock_timestamp(),
            clock_timestamp() + make_interval(months => v_table.months_ahead)
        );
        IF v_created > 0 THEN
            RAISE NOTICE 'etl.create_partitions_ahead: % partition(s) of %.% created', v_created,
                v_table.table_schema, v_table.table_name;
        END IF;
    END LOOP;
END;
$$;

COMMENT ON PROCEDURE etl.create_partitions_ahead () IS
'Creates each partitioned table''s monthly partitions up to months_ahead months past now.';
