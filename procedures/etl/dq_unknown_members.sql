CREATE OR REPLACE FUNCTION etl.dq_unknown_members(p_target text, p_threshold numeric)
RETURNS TABLE (observed numeric, passed boolean, detail text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The largest share, over the fact tables, of rows keyed to an unknown (-1) member of
     * any dimension (an orphan row: its code matched no dimension row). p_target unused.
     */
    WITH per_fact AS (
        SELECT
            'fact_production_run' AS fact,
            count(*) AS total,
            count(*) FILTER (WHERE -1 IN (r.machine_key, r.product_key, r.shift_key, r.plant_key,
                r.production_date_key)) AS unknown
        FROM dw.fact_production_run AS r
        UNION ALL
        SELECT 'fact_downtime_event', count(*), count(*) FILTER (WHERE -1 IN (e.machine_key, e.reason_key))
        FROM dw.fact_downtime_event AS e
        UNION ALL
        SELECT 'fact_gl_entry', count(*),
            count(*) FILTER (WHERE -1 IN (g.plant_key, g.account_key, g.posting_date_key))
        FROM dw.fact_gl_entry AS g
        UNION ALL
        SELECT 'fact_sales_line', count(*),
            count(*) FILTER (WHERE -1 IN (s.plant_key, s.product_key, s.customer_key, s.invoice_date_key))
        FROM dw.fact_sales_line AS s
    ),

    shares AS (
        SELECT
            p.fact,
            p.unknown,
            p.total,
            CASE WHEN p.total = 0 THEN 0 ELSE round(p.unknown::numeric / p.total, 6) END AS share
        FROM per_fact AS p
    )

    SELECT
        max(s.share),
        max(s.share) <= p_threshold,
        coalesce(
            string_agg(format('%s: %s of %s rows', s.fact, s.unknown, s.total), '; ' ORDER BY s.fact)
            FILTER (WHERE s.unknown > 0),
            'no fact row has an unknown member'
        )
    FROM shares AS s;
$$;

COMMENT ON FUNCTION etl.dq_unknown_members(text, numeric) IS
'Check: the largest share of a fact table''s rows keyed to an unknown (-1) member.';
