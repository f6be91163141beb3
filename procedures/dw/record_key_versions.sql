-- requires: dw/machine_versions_md5.sql
-- requires: dw/product_versions_md5.sql
CREATE OR REPLACE FUNCTION dw.record_key_versions(p_fact_name text, p_with_products boolean)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /* After a fact step: the fingerprints its rows are now keyed with. */
    INSERT INTO dw.fact_key_version AS v (fact_name, code_kind, code, versions_md5)
    SELECT p_fact_name, 'machine', m.machine_code, m.versions_md5 FROM dw.machine_versions_md5() AS m
    UNION ALL
    SELECT p_fact_name, 'product', p.product_sku, p.versions_md5
    FROM dw.product_versions_md5() AS p
    WHERE p_with_products
    ON CONFLICT (fact_name, code_kind, code) DO UPDATE
    SET versions_md5 = excluded.versions_md5
    WHERE v.versions_md5 <> excluded.versions_md5;
$$;

COMMENT ON FUNCTION dw.record_key_versions(text, boolean) IS
'Stores the dimension fingerprints a fact''s rows are keyed with (dw.fact_key_version).';
