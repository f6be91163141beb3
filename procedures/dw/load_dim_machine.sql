-- requires: dw/apply_scd2.sql
CREATE OR REPLACE PROCEDURE dw.load_dim_machine()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Rebuilds the history of every machine from all its versions in clean.machine, whatever
 * order they arrived in: ordered by updated_at, a version starts where plant, line, type
 * or status changes (SCD2); name, manufacturer and commissioning date come from the latest
 * version (type 1). A machine that runs or stops name but master data has not described
 * yet gets an inferred member, completed in place when its rows arrive.
 */
BEGIN
    IF to_regclass('pg_temp.desired') IS NOT NULL THEN
        DROP TABLE pg_temp.desired;
    END IF;
    CREATE TEMP TABLE desired AS
    WITH versions AS (
        SELECT
            m.machine_code,
            m.updated_at,
            m.plant_code,
            m.line_code,
            m.machine_type,
            m.status,
            (m.plant_code, m.line_code, m.machine_type, m.status)
            IS DISTINCT FROM lag((m.plant_code, m.line_code, m.machine_type, m.status)) OVER w AS starts
        FROM clean.machine AS m
        WINDOW w AS (PARTITION BY m.machine_code ORDER BY m.updated_at)
    ),

    latest AS (
        SELECT DISTINCT ON (m.machine_code)
            m.machine_code,
            m.machine_name,
            m.manufacturer,
            m.commissioned_on
        FROM clean.machine AS m
        ORDER BY m.machine_code ASC, m.updated_at DESC
    ),

    starts AS (
        SELECT
            v.machine_code,
            v.updated_at,
            v.plant_code,
            v.line_code,
            v.machine_type,
            v.status,
            lag(v.updated_at) OVER w IS NULL AS is_first,
            lead(v.updated_at) OVER w AS next_start
        FROM versions AS v
        WHERE v.starts
        WINDOW w AS (PARTITION BY v.machine_code ORDER BY v.updated_at)
    ),

    named_by_facts AS (
        SELECT r.machine_code FROM clean.production_run AS r
        UNION
        SELECT e.machine_code FROM clean.downtime_event AS e
    )

    SELECT
        s.machine_code,
        CASE WHEN s.is_first THEN TIMESTAMPTZ '1900-01-01 00:00:00+00' ELSE s.updated_at END AS valid_from,
        coalesce(s.next_start, TIMESTAMPTZ '9999-12-31 00:00:00+00') AS valid_to,
        s.next_start IS NULL AS is_current,
        FALSE AS is_inferred,
        s.plant_code,
        s.line_code,
        s.machine_type,
        s.status,
        l.machine_name,
        l.manufacturer,
        l.commissioned_on
    FROM starts AS s
    INNER JOIN latest AS l
        ON s.machine_code = l.machine_code
    UNION ALL
    SELECT
        f.machine_code,
        TIMESTAMPTZ '1900-01-01 00:00:00+00' AS valid_from,
        TIMESTAMPTZ '9999-12-31 00:00:00+00' AS valid_to,
        TRUE AS is_current,
        TRUE AS is_inferred,
        NULL AS plant_code,
        NULL AS line_code,
        NULL AS machine_type,
        NULL AS status,
        NULL AS machine_name,
        NULL AS manufacturer,
        NULL::date AS commissioned_on
    FROM named_by_facts AS f
    WHERE NOT EXISTS (SELECT 1 FROM clean.machine AS m WHERE m.machine_code = f.machine_code);

    CALL dw.apply_scd2('dim_machine', 'machine_code');
END;
$$;

COMMENT ON PROCEDURE dw.load_dim_machine () IS
'Rebuilds dw.dim_machine (SCD2) from every version in clean.machine; inferred members for '
'machines the facts name before their master data. Idempotent.';
