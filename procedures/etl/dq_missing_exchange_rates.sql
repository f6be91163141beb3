CREATE OR REPLACE FUNCTION etl.dq_missing_exchange_rates(p_target text, p_threshold numeric)
RETURNS TABLE (observed numeric, passed boolean, detail text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Days on which an amount the reporting views convert (a GL entry, a sales line, the
     * standard cost of a product sold) needs a rate to the reporting currency that
     * dw.fx_daily does not have; the detail names each currency with its days. Those
     * amounts stay NULL in the views (never a silent 1:1). p_target: one currency or all.
     */
    WITH needed AS (
        SELECT g.currency_code, g.posting_date AS rate_date FROM dw.fact_gl_entry AS g
        UNION
        SELECT s.currency_code, s.invoice_date FROM dw.fact_sales_line AS s
        UNION
        SELECT p.currency_code, s.invoice_date
        FROM dw.fact_sales_line AS s
        INNER JOIN dw.dim_product AS p
            ON s.product_key = p.product_key
        WHERE p.currency_code IS NOT NULL
    ),

    missing AS (
        SELECT
            n.currency_code,
            min(n.rate_date) AS first_day,
            max(n.rate_date) AS last_day,
            count(*) AS days
        FROM needed AS n
        INNER JOIN dw.fx_daily AS f
            ON n.currency_code = f.currency_code AND n.rate_date = f.rate_date
        WHERE f.rate IS NULL AND (p_target IS NULL OR n.currency_code = p_target)
        GROUP BY n.currency_code
    )

    SELECT
        coalesce(sum(m.days), 0),
        coalesce(sum(m.days), 0) <= p_threshold,
        CASE WHEN count(*) = 0 THEN 'every amount has its exchange rate' ELSE
            format('%s day(s) need an exchange rate to %s that is missing: %s',
                sum(m.days),
                (SELECT s.setting_value FROM etl.setting AS s WHERE s.setting_name = 'reporting_currency'),
                string_agg(
                    format('%s on %s', m.currency_code,
                        CASE WHEN m.days = 1 THEN m.first_day::text
                            ELSE format('%s days from %s to %s', m.days, m.first_day, m.last_day) END),
                    '; ' ORDER BY m.currency_code
                ))
        END
    FROM missing AS m;
$$;

COMMENT ON FUNCTION etl.dq_missing_exchange_rates(text, numeric) IS
'Check: days on which a converted amount needs an exchange rate that is missing.';
