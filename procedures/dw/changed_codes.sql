-- requires: dw/machine_versions_md5.sql
-- requires: dw/product_versions_md5.sql
CREATE OR REPLACE FUNCTION dw.changed_codes(p_fact_name text, p_code_kind text)
RETURNS TABLE (code text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /* Machines or products whose dimension history changed since p_fact_name's rows of them were keyed. */
    SELECT f.code
    FROM (
        SELECT m.machine_code AS code, m.versions_md5 FROM dw.machine_versions_md5() AS m
        WHERE p_code_kind = 'machine'
        UNION ALL
        SELECT p.product_sku, p.versions_md5 FROM dw.product_versions_md5() AS p
        WHERE p_code_kind = 'product'
    ) AS f
    LEFT JOIN dw.fact_key_version AS v
        ON v.fact_name = p_fact_name AND v.code_kind = p_code_kind AND f.code = v.code
    WHERE v.versions_md5 IS DISTINCT FROM f.versions_md5;
$$;

COMMENT ON FUNCTION dw.changed_codes(text, text) IS
'Codes whose dimension fingerprint differs from the one a fact''s rows were keyed with.';
