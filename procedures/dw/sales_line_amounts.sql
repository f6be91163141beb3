CREATE OR REPLACE VIEW dw.sales_line_amounts AS
/*
 * The one definition of a sales line's money, for the profitability views:
 * - revenue = quantity x unit_price x (1 - discount_pct / 100) (the fact's net_amount),
 *   converted at the invoice date;
 * - COGS = quantity x the standard cost of the product version the line joined (valid at
 *   the invoice date), converted at the invoice date; a credit note uses its own date.
 * A missing exchange rate leaves the amount NULL (never a silent 1:1).
 * Grain: one row per sales line.
 */
SELECT
    f.plant_code,
    p.timezone,
    date_trunc('month', f.invoice_date)::date AS month,
    f.product_sku,
    c.customer_country,
    f.customer_code,
    f.quantity,
    f.net_amount * fx.rate AS revenue,
    f.quantity * pr.standard_cost * fxp.rate AS cogs
FROM dw.fact_sales_line AS f
LEFT JOIN dw.dim_plant AS p
    ON f.plant_key = p.plant_key
LEFT JOIN dw.dim_customer AS c
    ON f.customer_key = c.customer_key
LEFT JOIN dw.dim_product AS pr
    ON f.product_key = pr.product_key
LEFT JOIN dw.fx_daily AS fx
    ON f.currency_code = fx.currency_code AND f.invoice_date = fx.rate_date
LEFT JOIN dw.fx_daily AS fxp
    ON pr.currency_code = fxp.currency_code AND f.invoice_date = fxp.rate_date;

COMMENT ON VIEW dw.sales_line_amounts IS
'Revenue and COGS of each sales line in the reporting currency (the rules of '
'reporting.profitability_monthly, written once). Grain: one row per sales line.';
COMMENT ON COLUMN dw.sales_line_amounts.plant_code IS 'Plant the line is attributed to.';
COMMENT ON COLUMN dw.sales_line_amounts.timezone IS 'IANA time zone of that plant.';
COMMENT ON COLUMN dw.sales_line_amounts.month IS 'First day of the invoice month.';
COMMENT ON COLUMN dw.sales_line_amounts.product_sku IS 'Product.';
COMMENT ON COLUMN dw.sales_line_amounts.customer_country IS
'Country of the customer version valid at the invoice date.';
COMMENT ON COLUMN dw.sales_line_amounts.customer_code IS 'Customer.';
COMMENT ON COLUMN dw.sales_line_amounts.quantity IS 'Quantity (negative for a credit note).';
COMMENT ON COLUMN dw.sales_line_amounts.revenue IS
'quantity x unit_price x (1 - discount_pct / 100), converted at the invoice date; NULL without a rate.';
COMMENT ON COLUMN dw.sales_line_amounts.cogs IS
'quantity x standard cost valid at the invoice date, converted at the invoice date; NULL without a rate.';
