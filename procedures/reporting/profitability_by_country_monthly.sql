-- requires: dw/sales_line_amounts.sql
CREATE OR REPLACE VIEW reporting.profitability_by_country_monthly AS
/*
 * Revenue, cost of goods sold and margin per plant, product, customer country and month of
 * invoice date: the rules of reporting.profitability_monthly, split by the country of the
 * customer version valid at the invoice date. Summed over the countries, each plant,
 * product and month gives profitability_monthly's revenue, COGS and margin.
 * A missing exchange rate makes every amount that needs it NULL, totals included.
 */
WITH reporting_currency AS (
    SELECT s.setting_value AS currency_code
    FROM etl.setting AS s
    WHERE s.setting_name = 'reporting_currency'
),

monthly AS (
    SELECT
        l.month,
        l.plant_code,
        l.product_sku,
        l.customer_country,
        count(DISTINCT l.customer_code) AS customers,
        sum(l.quantity) AS units_sold,
        CASE WHEN bool_and(l.revenue IS NOT NULL) THEN sum(l.revenue) END AS revenue,
        CASE WHEN bool_and(l.cogs IS NOT NULL) THEN sum(l.cogs) END AS cogs
    FROM dw.sales_line_amounts AS l
    GROUP BY l.month, l.plant_code, l.product_sku, l.customer_country
)

SELECT
    m.month,
    m.plant_code,
    m.product_sku,
    m.customer_country,
    m.customers,
    m.units_sold,
    m.revenue,
    m.cogs,
    m.revenue - m.cogs AS gross_margin,
    (m.revenue - m.cogs) / nullif(m.revenue, 0) AS gross_margin_pct,
    rc.currency_code
FROM monthly AS m
CROSS JOIN reporting_currency AS rc;

GRANT SELECT ON reporting.profitability_by_country_monthly TO hub_reporting;

COMMENT ON VIEW reporting.profitability_by_country_monthly IS
'Revenue, COGS at standard cost and gross margin per plant, product, customer country and month of invoice date. '
'Grain: one row per plant, product, customer country and month with sales lines.';
COMMENT ON COLUMN reporting.profitability_by_country_monthly.month IS 'First day of the invoice month.';
COMMENT ON COLUMN reporting.profitability_by_country_monthly.plant_code IS 'Plant the sales lines are attributed to.';
COMMENT ON COLUMN reporting.profitability_by_country_monthly.product_sku IS 'Product.';
COMMENT ON COLUMN reporting.profitability_by_country_monthly.customer_country IS
'ISO 3166-1 alpha-2 country of the customer version valid at the invoice date.';
COMMENT ON COLUMN reporting.profitability_by_country_monthly.customers IS 'Distinct customers with sales lines.';
COMMENT ON COLUMN reporting.profitability_by_country_monthly.units_sold IS 'Sum of quantity (credit notes negative).';
COMMENT ON COLUMN reporting.profitability_by_country_monthly.revenue IS
'Sum of quantity x unit_price x (1 - discount_pct / 100), each converted at its invoice date.';
COMMENT ON COLUMN reporting.profitability_by_country_monthly.cogs IS
'Sum of quantity x standard cost valid at the invoice date, converted at the invoice date.';
COMMENT ON COLUMN reporting.profitability_by_country_monthly.gross_margin IS 'revenue - cogs.';
COMMENT ON COLUMN reporting.profitability_by_country_monthly.gross_margin_pct IS
'gross_margin / revenue (fraction); re-aggregate as sum(gross_margin) / sum(revenue).';
COMMENT ON COLUMN reporting.profitability_by_country_monthly.currency_code IS
'The reporting currency of the money columns.';
