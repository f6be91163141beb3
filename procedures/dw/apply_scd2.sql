CREATE OR REPLACE PROCEDURE dw.apply_scd2(p_dimension text, p_code_column text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Makes an SCD2 dimension equal to the history its caller computed in pg_temp.desired
 * (the dimension's columns but its surrogate key; one row per member version, valid_from
 * 1900-01-01 for a member's first version). A version is identified by (code, valid_from),
 * so a version that stays keeps its surrogate key, and an inferred member, valid from
 * 1900-01-01 like every first version, is completed in place when its master row arrives,
 * never duplicated. In order:
 *   1. versions no longer in the history go (a late row re-sequenced it);
 *   2. versions whose end, currency or attributes changed are updated;
 *   3. new versions are inserted.
 * The no-overlap and one-current constraints are deferred to the end of the transaction.
 * Unchanged history: nothing is written. The unknown member (key -1) is never touched.
 */
DECLARE
    v_key text;
    v_columns text;
    v_set text;
    v_differs text;
    v_deleted bigint;
    v_updated bigint;
    v_inserted bigint;
BEGIN
    v_key := regexp_replace(p_dimension, '^dim_', '') || '_key';
    SELECT
        string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum),
        string_agg(format('%1$I = x.%1$I', a.attname), ', ' ORDER BY a.attnum),
        string_agg(format('d.%1$I IS DISTINCT FROM x.%1$I', a.attname), ' OR ' ORDER BY a.attnum)
    INTO v_columns, v_set, v_differs
    FROM pg_catalog.pg_attribute AS a
    WHERE a.attrelid = format('dw.%I', p_dimension)::regclass
        AND a.attnum > 0
        AND NOT a.attisdropped
        AND a.attname <> v_key;

    EXECUTE format(
        'DELETE FROM dw.%1$I AS d WHERE d.%2$I <> -1 AND NOT EXISTS ('
        'SELECT 1 FROM pg_temp.desired AS x WHERE x.%3$I = d.%3$I AND x.valid_from = d.valid_from)',
        p_dimension, v_key, p_code_column
    );
    GET DIAGNOSTICS v_deleted = ROW_COUNT;

    EXECUTE format(
        'UPDATE dw.%1$I AS d SET %2$s FROM pg_temp.desired AS x '
        'WHERE x.%3$I = d.%3$I AND x.valid_from = d.valid_from AND (%4$s)',
        p_dimension, v_set, p_code_column, v_differs
    );
    GET DIAGNOSTICS v_updated = ROW_COUNT;

    EXECUTE format(
        'INSERT INTO dw.%1$I (%2$s) SELECT %2$s FROM pg_temp.desired AS x WHERE NOT EXISTS ('
        'SELECT 1 FROM dw.%1$I AS d WHERE d.%3$I = x.%3$I AND d.valid_from = x.valid_from)',
        p_dimension, v_columns, p_code_column
    );
    GET DIAGNOSTICS v_inserted = ROW_COUNT;

    DROP TABLE pg_temp.desired;
    RAISE NOTICE 'dw.%: % versions removed, % updated, % added', p_dimension, v_deleted, v_updated,
        v_inserted;
END;
$$;

COMMENT ON PROCEDURE dw.apply_scd2 (text, text) IS
'Makes an SCD2 dimension equal to the history in pg_temp.desired, keeping surrogate keys '
'of versions that stay; writes nothing when the history is unchanged.';
