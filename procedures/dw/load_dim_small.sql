CREATE OR REPLACE PROCEDURE dw.load_dim_small()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * The type 1 dimensions: plants (the latest version of each, and inferred members for
 * plants that machines, GL entries or sales lines name before their own rows arrive), shifts and downtime reasons
 * (as the runs and events stored since the last run name them; a reason's description
 * is the latest given, and a stop without one leaves it as it was).
 * Upserts that write only what changed.
 */
BEGIN
    WITH latest AS (
        SELECT DISTINCT ON (p.plant_code)
            p.plant_code,
            p.plant_name,
            p.country_code,
            p.currency_code,
            p.timezone
        FROM clean.plant AS p
        ORDER BY p.plant_code ASC, p.updated_at DESC
    ),

    plants AS (
        SELECT
            l.plant_code,
            l.plant_name,
            l.country_code,
            l.currency_code,
            l.timezone,
            FALSE AS is_inferred
        FROM latest AS l
        UNION ALL
        SELECT DISTINCT
            m.plant_code,
            NULL AS plant_name,
            NULL AS country_code,
            NULL AS currency_code,
            NULL AS timezone,
            TRUE AS is_inferred
        FROM (
            SELECT m.plant_code FROM clean.machine AS m
            UNION
            SELECT g.plant_code FROM clean.gl_entry AS g
            UNION
            SELECT s.plant_code FROM clean.sales_line AS s
        ) AS m
        WHERE NOT EXISTS (SELECT 1 FROM latest AS l WHERE l.plant_code = m.plant_code)
    )

    INSERT INTO dw.dim_plant AS d (plant_code, plant_name, country_code, currency_code, timezone, is_inferred)
    SELECT
        p.plant_code,
        p.plant_name,
        p.country_code,
        p.currency_code,
        p.timezone,
        p.is_inferred
    FROM plants AS p
    ON CONFLICT (plant_code) DO UPDATE
    SET
        plant_name = excluded.plant_name,
        country_code = excluded.country_code,
        currency_code = excluded.currency_code,
        timezone = excluded.timezone,
        is_inferred = excluded.is_inferred
    WHERE (d.plant_name, d.country_code, d.currency_code, d.timezone, d.is_inferred)
    IS DISTINCT FROM (
        excluded.plant_name, excluded.country_code, excluded.currency_code, excluded.timezone,
        excluded.is_inferred
    );

    -- Shifts and reasons as the runs and stops stored since the last run name them (the
    -- batches still waiting in etl.dirty_batch for their fact step).
    INSERT INTO dw.dim_shift (shift_code)
    SELECT DISTINCT r.shift_code
    FROM clean.production_run AS r
    WHERE r.batch_id IN (
        SELECT d.batch_id FROM etl.dirty_batch AS d
        WHERE d.feed_name = 'production_runs' AND d.processed_at IS NULL
    )
    ON CONFLICT (shift_code) DO NOTHING;

    WITH reasons AS (
        SELECT DISTINCT ON (e.reason_code)
            e.reason_code,
            e.reason_description
        FROM clean.downtime_event AS e
        WHERE e.batch_id IN (
            SELECT d.batch_id FROM etl.dirty_batch AS d
            WHERE d.feed_name = 'downtime_events' AND d.processed_at IS NULL
        )
        ORDER BY e.reason_code ASC, (e.reason_description IS NULL) ASC, e.batch_id DESC, e.file_line DESC
    )

    INSERT INTO dw.dim_downtime_reason AS d (reason_code, reason_description)
    SELECT
        r.reason_code,
        r.reason_description
    FROM reasons AS r
    ON CONFLICT (reason_code) DO UPDATE
    SET reason_description = coalesce(excluded.reason_description, d.reason_description)
    WHERE d.reason_description IS DISTINCT FROM coalesce(excluded.reason_description, d.reason_description);
END;
$$;

COMMENT ON PROCEDURE dw.load_dim_small () IS
'Type 1 dimensions: dim_plant, dim_shift, dim_downtime_reason. Idempotent.';
