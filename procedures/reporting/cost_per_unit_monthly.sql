-- requires: dw/end_of_day.sql
CREATE OR REPLACE VIEW reporting.cost_per_unit_monthly AS
/*
 * Cost per good unit per plant, product and month.
 * - cost pool: GL amounts of the plant-month on accounts whose current type is cost, each
 *   converted at its posting date; entries on accounts not known yet are held out;
 * - allocated cost = pool x the product's run minutes / all run minutes of the plant-month
 *   (runs by production date); runs without costs allocate 0; costs without runs stay
 *   unallocated (no row);
 * - cost per unit = allocated cost / good units (NULL when 0);
 * - standard cost per unit: the product version valid at the end of the month's last day
 *   on the plant's clock, converted at that day's rate; variance = cost per unit - standard.
 * A missing exchange rate makes every amount that needs it NULL, totals included.
 */
WITH reporting_currency AS (
    SELECT s.setting_value AS currency_code
    FROM etl.setting AS s
    WHERE s.setting_name = 'reporting_currency'
),

pool AS (
    SELECT
        g.plant_code,
        date_trunc('month', g.posting_date)::date AS month,
        CASE WHEN bool_and(fx.rate IS NOT NULL) THEN sum(g.amount * fx.rate) END AS cost_pool
    FROM dw.fact_gl_entry AS g
    INNER JOIN dw.dim_account AS a
        ON g.account_key = a.account_key
    LEFT JOIN dw.fx_daily AS fx
        ON g.currency_code = fx.currency_code AND g.posting_date = fx.rate_date
    WHERE a.account_type = 'cost'
    GROUP BY g.plant_code, date_trunc('month', g.posting_date)::date
),

run_minutes AS (
    SELECT
        p.plant_code,
        p.timezone,
        date_trunc('month', r.production_date)::date AS month,
        r.product_sku,
        sum(r.scheduled_s) / 60 AS run_min,
        sum(r.good_count) AS good_units
    FROM dw.fact_production_run AS r
    INNER JOIN dw.dim_plant AS p
        ON r.plant_key = p.plant_key
    GROUP BY p.plant_code, p.timezone, date_trunc('month', r.production_date)::date, r.product_sku
),

allocated AS (
    SELECT
        m.plant_code,
        m.timezone,
        m.month,
        m.product_sku,
        m.run_min,
        m.good_units,
        CASE
            WHEN pl.plant_code IS NULL THEN 0
            WHEN sum(m.run_min) OVER (PARTITION BY m.plant_code, m.month) = 0 THEN 0
            ELSE pl.cost_pool * m.run_min / sum(m.run_min) OVER (PARTITION BY m.plant_code, m.month)
        END AS allocated_cost
    FROM run_minutes AS m
    LEFT JOIN pool AS pl
        ON m.plant_code = pl.plant_code AND m.month = pl.month
),

standard AS (
    SELECT
        a.plant_code,
        a.month,
        a.product_sku,
        pr.standard_cost * fx.rate AS standard_cost_per_unit
    FROM allocated AS a
    LEFT JOIN dw.dim_product AS pr
        ON
            a.product_sku = pr.product_sku
            AND dw.end_of_day((a.month + interval '1 month - 1 day')::date, a.timezone) >= pr.valid_from
            AND dw.end_of_day((a.month + interval '1 month - 1 day')::date, a.timezone) < pr.valid_to
    LEFT JOIN dw.fx_daily AS fx
        ON pr.currency_code = fx.currency_code AND (a.month + interval '1 month - 1 day')::date = fx.rate_date
)

SELECT
    a.month,
    a.plant_code,
    a.product_sku,
    a.good_units,
    a.run_min,
    a.allocated_cost,
    a.allocated_cost / nullif(a.good_units, 0) AS cost_per_unit,
    s.standard_cost_per_unit,
    a.allocated_cost / nullif(a.good_units, 0) - s.standard_cost_per_unit AS variance,
    rc.currency_code
FROM allocated AS a
INNER JOIN standard AS s
    ON a.plant_code = s.plant_code AND a.month = s.month AND a.product_sku = s.product_sku
CROSS JOIN reporting_currency AS rc;

COMMENT ON VIEW reporting.cost_per_unit_monthly IS
'Cost per good unit per plant, product and plant-local month, from the plant-month''s cost '
'pool allocated by run minutes. Grain: one row per plant, product and month with run minutes.';
COMMENT ON COLUMN reporting.cost_per_unit_monthly.month IS 'First day of the production month.';
COMMENT ON COLUMN reporting.cost_per_unit_monthly.plant_code IS 'Plant.';
COMMENT ON COLUMN reporting.cost_per_unit_monthly.product_sku IS 'Product.';
COMMENT ON COLUMN reporting.cost_per_unit_monthly.good_units IS 'Good units made in the month.';
COMMENT ON COLUMN reporting.cost_per_unit_monthly.run_min IS 'Scheduled minutes of the product''s runs (the driver).';
COMMENT ON COLUMN reporting.cost_per_unit_monthly.allocated_cost IS
'Cost pool x run_min / all run minutes of the plant-month, reporting currency.';
COMMENT ON COLUMN reporting.cost_per_unit_monthly.cost_per_unit IS 'allocated_cost / good_units (NULL when 0).';
COMMENT ON COLUMN reporting.cost_per_unit_monthly.standard_cost_per_unit IS
'Standard cost valid at the end of the month''s last day, converted at that day''s rate.';
COMMENT ON COLUMN reporting.cost_per_unit_monthly.variance IS 'cost_per_unit - standard_cost_per_unit.';
COMMENT ON COLUMN reporting.cost_per_unit_monthly.currency_code IS 'The reporting currency of the money columns.';
