CREATE OR REPLACE PROCEDURE etl.check_exchange_rates()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
/*
 * An error-severity check: every amount the reporting views convert needs a rate in
 * dw.fx_daily. Raises, naming each currency with its first and last missing day, when a
 * GL entry, sales line or standard cost needs a rate that is missing; the amounts that
 * need it stay NULL in the views (never a silent 1:1).
 */
DECLARE
    v_missing text;
    v_days bigint;
BEGIN
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
        WHERE f.rate IS NULL
        GROUP BY n.currency_code
    )

    SELECT
        string_agg(
            format('%s on %s', m.currency_code,
                CASE WHEN m.days = 1 THEN m.first_day::text
                    ELSE format('%s days from %s to %s', m.days, m.first_day, m.last_day) END),
            '; ' ORDER BY m.currency_code
        ),
        sum(m.days)
    INTO v_missing, v_days
    FROM missing AS m;

    IF v_missing IS NOT NULL THEN
        RAISE EXCEPTION 'etl.check_exchange_rates: % day(s) need an exchange rate to % that is missing: %',
            v_days, (SELECT s.setting_value FROM etl.setting AS s WHERE s.setting_name = 'reporting_currency'),
            v_missing
            USING ERRCODE = 'data_exception',
                HINT = 'Load fx_rates for those currencies and days (direct or inverse), then run again. '
                'Until then the amounts that need them are NULL in the reporting views.';
    END IF;
END;
$$;

COMMENT ON PROCEDURE etl.check_exchange_rates () IS
'Error-severity check: raises, naming currency and dates, when a needed exchange rate is missing.';
