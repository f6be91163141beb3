-- requires: dw/end_of_day.sql
CREATE OR REPLACE PROCEDURE dw.load_fact_finance()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * GL entries and sales lines from clean, keyed to their dimensions. A sales line's product
 * and customer are the versions valid at the end of its invoice date (product: on the
 * plant's clock). Amounts stay in their own currency; the views convert them. Upserts that
 * write only rows that changed.
 */
DECLARE
    v_gl bigint;
    v_sales bigint;
BEGIN
    INSERT INTO dw.fact_gl_entry AS f (
        entry_id, plant_key, account_key, posting_date_key, plant_code, account_code, posting_date,
        cost_center, amount, currency_code, batch_id
    )
    SELECT
        g.entry_id,
        coalesce(p.plant_key, -1) AS plant_key,
        coalesce(a.account_key, -1) AS account_key,
        coalesce(d.date_key, -1) AS posting_date_key,
        g.plant_code,
        g.account_code,
        g.posting_date,
        g.cost_center,
        g.amount,
        g.currency_code,
        g.batch_id
    FROM clean.gl_entry AS g
    LEFT JOIN dw.dim_plant AS p
        ON g.plant_code = p.plant_code
    LEFT JOIN dw.dim_account AS a
        ON g.account_code = a.account_code
    LEFT JOIN dw.dim_date AS d
        ON g.posting_date = d.calendar_date
    ON CONFLICT (entry_id) DO UPDATE
    SET
        plant_key = excluded.plant_key,
        account_key = excluded.account_key,
        posting_date_key = excluded.posting_date_key,
        plant_code = excluded.plant_code,
        account_code = excluded.account_code,
        posting_date = excluded.posting_date,
        cost_center = excluded.cost_center,
        amount = excluded.amount,
        currency_code = excluded.currency_code,
        batch_id = excluded.batch_id
    WHERE f IS DISTINCT FROM excluded;
    GET DIAGNOSTICS v_gl = ROW_COUNT;

    INSERT INTO dw.fact_sales_line AS f (
        invoice_id, line_no, plant_key, product_key, customer_key, invoice_date_key, plant_code,
        product_sku, customer_code, invoice_date, quantity, unit_price, discount_pct, net_amount,
        currency_code, batch_id
    )
    SELECT
        s.invoice_id,
        s.line_no,
        coalesce(p.plant_key, -1) AS plant_key,
        coalesce(pr.product_key, -1) AS product_key,
        coalesce(c.customer_key, -1) AS customer_key,
        coalesce(d.date_key, -1) AS invoice_date_key,
        s.plant_code,
        s.product_sku,
        s.customer_code,
        s.invoice_date,
        s.quantity,
        s.unit_price,
        s.discount_pct,
        s.quantity * s.unit_price * (1 - s.discount_pct / 100) AS net_amount,
        s.currency_code,
        s.batch_id
    FROM clean.sales_line AS s
    LEFT JOIN dw.dim_plant AS p
        ON s.plant_code = p.plant_code
    LEFT JOIN dw.dim_product AS pr
        ON
            s.product_sku = pr.product_sku
            AND dw.end_of_day(s.invoice_date, p.timezone) >= pr.valid_from
            AND dw.end_of_day(s.invoice_date, p.timezone) < pr.valid_to
    LEFT JOIN dw.dim_customer AS c
        ON
            s.customer_code = c.customer_code
            AND dw.end_of_day(s.invoice_date, 'UTC') >= c.valid_from
            AND dw.end_of_day(s.invoice_date, 'UTC') < c.valid_to
    LEFT JOIN dw.dim_date AS d
        ON s.invoice_date = d.calendar_date
    ON CONFLICT (invoice_id, line_no) DO UPDATE
    SET
        plant_key = excluded.plant_key,
        product_key = excluded.product_key,
        customer_key = excluded.customer_key,
        invoice_date_key = excluded.invoice_date_key,
        plant_code = excluded.plant_code,
        product_sku = excluded.product_sku,
        customer_code = excluded.customer_code,
        invoice_date = excluded.invoice_date,
        quantity = excluded.quantity,
        unit_price = excluded.unit_price,
        discount_pct = excluded.discount_pct,
        net_amount = excluded.net_amount,
        currency_code = excluded.currency_code,
        batch_id = excluded.batch_id
    WHERE f IS DISTINCT FROM excluded;
    GET DIAGNOSTICS v_sales = ROW_COUNT;
    RAISE NOTICE 'dw.load_fact_finance: % GL entries and % sales lines written', v_gl, v_sales;
END;
$$;

COMMENT ON PROCEDURE dw.load_fact_finance () IS
'Upserts dw.fact_gl_entry and dw.fact_sales_line from clean. Idempotent.';
