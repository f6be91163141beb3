CREATE OR REPLACE FUNCTION etl.dq_scd2_invariants(p_target text, p_threshold numeric)
RETURNS TABLE (observed numeric, passed boolean, detail text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Codes of the SCD2 dimensions (machine, product, customer) whose versions overlap or
     * that do not have exactly one current version (the unknown member -1 aside).
     * The exclusion constraints should make this impossible; the gate proves it per run.
     */
    WITH versions AS (
        SELECT 'machine' AS dim, m.machine_code AS code, m.valid_from, m.valid_to, m.is_current
        FROM dw.dim_machine AS m WHERE m.machine_key <> -1
        UNION ALL
        SELECT 'product', p.product_sku, p.valid_from, p.valid_to, p.is_current
        FROM dw.dim_product AS p WHERE p.product_key <> -1
        UNION ALL
        SELECT 'customer', c.customer_code, c.valid_from, c.valid_to, c.is_current
        FROM dw.dim_customer AS c WHERE c.customer_key <> -1
    ),

    ordered AS (
        SELECT
            v.dim,
            v.code,
            v.valid_from,
            v.is_current,
            lag(v.valid_to) OVER (PARTITION BY v.dim, v.code ORDER BY v.valid_from) AS previous_to
        FROM versions AS v
    ),

    bad AS (
        SELECT o.dim, o.code
        FROM ordered AS o
        GROUP BY o.dim, o.code
        HAVING
            count(*) FILTER (WHERE o.is_current) <> 1
            OR bool_or(o.previous_to > o.valid_from)
    )

    SELECT
        count(*)::numeric,
        count(*) <= p_threshold,
        CASE WHEN count(*) = 0 THEN 'every code has one current version and no overlap' ELSE
            format('%s code(s) break SCD2: %s', count(*),
                string_agg(format('%s %s', b.dim, b.code), ', ' ORDER BY b.dim, b.code))
        END
    FROM bad AS b
    WHERE p_target IS NULL OR b.dim = p_target;
$$;

COMMENT ON FUNCTION etl.dq_scd2_invariants(text, numeric) IS
'Check: SCD2 codes with overlapping versions or not exactly one current version.';
