-- requires: dw/apply_scd2.sql
CREATE OR REPLACE PROCEDURE dw.load_dim_product()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Rebuilds the history of every product from all its versions in clean.product: a
 * version starts where family, standard cost, list price or currency changes (SCD2); name
 * and unit come from the latest version (type 1). Products that runs name before their
 * master data (runs and sales lines) get inferred members, completed in place later.
 */
BEGIN
    IF to_regclass('pg_temp.desired') IS NOT NULL THEN
        DROP TABLE pg_temp.desired;
    END IF;
    CREATE TEMP TABLE desired AS
    WITH versions AS (
        SELECT
            p.product_sku,
            p.updated_at,
            p.product_family,
            p.standard_cost,
            p.list_price,
            p.currency_code,
            (p.product_family, p.standard_cost, p.list_price, p.currency_code)
            IS DISTINCT FROM lag((p.product_family, p.standard_cost, p.list_price, p.currency_code)) OVER w AS starts
        FROM clean.product AS p
        WINDOW w AS (PARTITION BY p.product_sku ORDER BY p.updated_at)
    ),

    latest AS (
        SELECT DISTINCT ON (p.product_sku)
            p.product_sku,
            p.product_name,
            p.unit_of_measure
        FROM clean.product AS p
        ORDER BY p.product_sku ASC, p.updated_at DESC
    ),

    starts AS (
        SELECT
            v.product_sku,
            v.updated_at,
            v.product_family,
            v.standard_cost,
            v.list_price,
            v.currency_code,
            lag(v.updated_at) OVER w IS NULL AS is_first,
            lead(v.updated_at) OVER w AS next_start
        FROM versions AS v
        WHERE v.starts
        WINDOW w AS (PARTITION BY v.product_sku ORDER BY v.updated_at)
    ),

    named_by_facts AS (
        SELECT r.product_sku FROM clean.production_run AS r
        UNION
        SELECT s.product_sku FROM clean.sales_line AS s
    )

    SELECT
        s.product_sku,
        CASE WHEN s.is_first THEN TIMESTAMPTZ '1900-01-01 00:00:00+00' ELSE s.updated_at END AS valid_from,
        coalesce(s.next_start, TIMESTAMPTZ '9999-12-31 00:00:00+00') AS valid_to,
        s.next_start IS NULL AS is_current,
        FALSE AS is_inferred,
        s.product_family,
        s.standard_cost,
        s.list_price,
        s.currency_code,
        l.product_name,
        l.unit_of_measure
    FROM starts AS s
    INNER JOIN latest AS l
        ON s.product_sku = l.product_sku
    UNION ALL
    SELECT
        f.product_sku,
        TIMESTAMPTZ '1900-01-01 00:00:00+00' AS valid_from,
        TIMESTAMPTZ '9999-12-31 00:00:00+00' AS valid_to,
        TRUE AS is_current,
        TRUE AS is_inferred,
        NULL AS product_family,
        NULL::numeric AS standard_cost,
        NULL::numeric AS list_price,
        NULL AS currency_code,
        NULL AS product_name,
        NULL AS unit_of_measure
    FROM named_by_facts AS f
    WHERE NOT EXISTS (SELECT 1 FROM clean.product AS p WHERE p.product_sku = f.product_sku);

    CALL dw.apply_scd2('dim_product', 'product_sku');
END;
$$;

COMMENT ON PROCEDURE dw.load_dim_product () IS
'Rebuilds dw.dim_product (SCD2) from every version in clean.product; inferred members for '
'products the runs name before their master data. Idempotent.';
