-- requires: dw/end_of_day.sql
-- requires: dw/sales_line_amounts.sql
CREATE OR REPLACE VIEW reporting.profitability_monthly AS
/*
 * Revenue, cost of goods sold and margin per plant, product and month of invoice date
 * (attributed to the sales line's plant); each line's amounts come from
 * dw.sales_line_amounts:
 * - revenue = quantity x unit_price x (1 - discount_pct / 100), converted at the invoice date;
 * - COGS = quantity x the standard cost valid at the invoice date (end of that day on the
 *   plant's clock), converted at the invoice date; a credit note (negative quantity) uses
 *   its own date;
 * - gross margin = revenue - COGS; gross_margin_pct = margin / revenue (NULL when 0);
 * - product_family: the version valid at the end of the month's last day;
 * - revenue_mom_pct / revenue_yoy_pct: growth against the previous month / the same month a
 *   year earlier, NULL when that month has no row or no revenue.
 * A missing exchange rate makes every amount that needs it NULL, totals included.
 */
WITH reporting_currency AS (
    SELECT s.setting_value AS currency_code
    FROM etl.setting AS s
    WHERE s.setting_name = 'reporting_currency'
),

monthly AS (
    SELECT
        l.plant_code,
        min(l.timezone) AS timezone,
        l.month,
        l.product_sku,
        sum(l.quantity) AS units_sold,
        CASE WHEN bool_and(l.revenue IS NOT NULL) THEN sum(l.revenue) END AS revenue,
        CASE WHEN bool_and(l.cogs IS NOT NULL) THEN sum(l.cogs) END AS cogs
    FROM dw.sales_line_amounts AS l
    GROUP BY l.plant_code, l.month, l.product_sku
)

SELECT
    m.month,
    m.plant_code,
    m.product_sku,
    fam.product_family,
    m.units_sold,
    m.revenue,
    m.cogs,
    m.revenue - m.cogs AS gross_margin,
    (m.revenue - m.cogs) / nullif(m.revenue, 0) AS gross_margin_pct,
    (m.revenue - prev.revenue) / nullif(prev.revenue, 0) AS revenue_mom_pct,
    (m.revenue - last_year.revenue) / nullif(last_year.revenue, 0) AS revenue_yoy_pct,
    rc.currency_code
FROM monthly AS m
LEFT JOIN monthly AS prev
    ON
        m.plant_code = prev.plant_code
        AND m.product_sku = prev.product_sku
        AND prev.month = (m.month - interval '1 month')::date
LEFT JOIN monthly AS last_year
    ON
        m.plant_code = last_year.plant_code
        AND m.product_sku = last_year.product_sku
        AND last_year.month = (m.month - interval '1 year')::date
LEFT JOIN dw.dim_product AS fam
    ON
        m.product_sku = fam.product_sku
        AND dw.end_of_day((m.month + interval '1 month - 1 day')::date, m.timezone) >= fam.valid_from
        AND dw.end_of_day((m.month + interval '1 month - 1 day')::date, m.timezone) < fam.valid_to
CROSS JOIN reporting_currency AS rc;

COMMENT ON VIEW reporting.profitability_monthly IS
'Revenue, COGS at standard cost and gross margin per plant, product and month of invoice '
'date, with month-over-month and year-over-year revenue growth. '
'Grain: one row per plant, product and month with sales lines.';
COMMENT ON COLUMN reporting.profitability_monthly.month IS 'First day of the invoice month.';
COMMENT ON COLUMN reporting.profitability_monthly.plant_code IS 'Plant the sales lines are attributed to.';
COMMENT ON COLUMN reporting.profitability_monthly.product_sku IS 'Product.';
COMMENT ON COLUMN reporting.profitability_monthly.product_family IS 'Family of the version valid at the month''s end.';
COMMENT ON COLUMN reporting.profitability_monthly.units_sold IS 'Sum of quantity (credit notes negative).';
COMMENT ON COLUMN reporting.profitability_monthly.revenue IS
'Sum of quantity x unit_price x (1 - discount_pct / 100), each converted at its invoice date.';
COMMENT ON COLUMN reporting.profitability_monthly.cogs IS
'Sum of quantity x standard cost valid at the invoice date, converted at the invoice date.';
COMMENT ON COLUMN reporting.profitability_monthly.gross_margin IS 'revenue - cogs.';
COMMENT ON COLUMN reporting.profitability_monthly.gross_margin_pct IS 'gross_margin / revenue (fraction).';
COMMENT ON COLUMN reporting.profitability_monthly.revenue_mom_pct IS
'Revenue growth against the previous month (fraction); NULL without that month or its revenue.';
COMMENT ON COLUMN reporting.profitability_monthly.revenue_yoy_pct IS
'Revenue growth against the same month a year earlier (fraction); NULL likewise.';
COMMENT ON COLUMN reporting.profitability_monthly.currency_code IS 'The reporting currency of the money columns.';
