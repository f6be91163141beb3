CREATE OR REPLACE FUNCTION dw.machine_versions_md5()
RETURNS TABLE (machine_code text, versions_md5 text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * One fingerprint per machine of everything a fact row of it is keyed with: each
     * version's key and validity, and its plant's key and time zone (the production date).
     */
    SELECT
        m.machine_code,
        md5(string_agg(
            format('%s|%s|%s|%s|%s', m.machine_key, m.valid_from, m.valid_to, p.plant_key, p.timezone),
            ',' ORDER BY m.valid_from
        ))
    FROM dw.dim_machine AS m
    LEFT JOIN dw.dim_plant AS p
        ON m.plant_code = p.plant_code
    WHERE m.machine_key <> -1
    GROUP BY m.machine_code;
$$;

COMMENT ON FUNCTION dw.machine_versions_md5() IS
'Fingerprint per machine of its versions and their plants (what keys its fact rows).';
