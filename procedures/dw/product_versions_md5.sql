CREATE OR REPLACE FUNCTION dw.product_versions_md5()
RETURNS TABLE (product_sku text, versions_md5 text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /* One fingerprint per product of its versions' keys and validity. */
    SELECT
        p.product_sku,
        md5(string_agg(format('%s|%s|%s', p.product_key, p.valid_from, p.valid_to), ',' ORDER BY p.valid_from))
    FROM dw.dim_product AS p
    WHERE p.product_key <> -1
    GROUP BY p.product_sku;
$$;

COMMENT ON FUNCTION dw.product_versions_md5() IS
'Fingerprint per product of its versions (what keys its fact rows).';
