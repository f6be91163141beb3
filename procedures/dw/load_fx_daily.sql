CREATE OR REPLACE PROCEDURE dw.load_fx_daily()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Makes dw.fx_daily hold, for every currency the facts and products use and every day from
 * the first date a fact needs to the last day of the month of the last one, the rate to
 * the reporting currency (etl.setting reporting_currency): the latest fx_rates row on or
 * before that day, direct (currency -> reporting) or inverse (reporting -> currency, 1 /
 * rate); among them the latest date wins, the direct row on a tie; no third currency.
 * No such row: rate NULL, and every amount that needs it is NULL (never a silent 1:1).
 * Changing the reporting currency and running again re-rates everything.
 */
DECLARE
    v_reporting text;
    v_from date;
    v_to date;
    v_changed bigint;
    v_missing bigint;
BEGIN
    SELECT s.setting_value INTO v_reporting
    FROM etl.setting AS s
    WHERE s.setting_name = 'reporting_currency';
    IF NOT EXISTS (SELECT 1 FROM etl.currency AS c WHERE c.currency_code = v_reporting) THEN
        RAISE EXCEPTION 'dw.load_fx_daily: reporting_currency % is not an ISO 4217 code', v_reporting
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'UPDATE etl.setting SET setting_value = ''USD'' WHERE setting_name = ''reporting_currency''';
    END IF;

    SELECT min(d), (date_trunc('month', max(d)) + INTERVAL '1 month - 1 day')::date
    INTO v_from, v_to
    FROM (
        SELECT g.posting_date AS d FROM dw.fact_gl_entry AS g
        UNION ALL
        SELECT s.invoice_date FROM dw.fact_sales_line AS s
        UNION ALL
        SELECT r.production_date FROM dw.fact_production_run AS r
    ) AS needed;

    WITH currencies AS (
        SELECT g.currency_code FROM dw.fact_gl_entry AS g
        UNION
        SELECT s.currency_code FROM dw.fact_sales_line AS s
        UNION
        SELECT p.currency_code FROM dw.dim_product AS p WHERE p.currency_code IS NOT NULL
    ),

    wanted AS (
        SELECT
            c.currency_code,
            d.day::date AS rate_date,
            v_reporting AS reporting_currency,
            CASE WHEN c.currency_code = v_reporting THEN 1 ELSE r.rate END AS rate,
            CASE WHEN c.currency_code = v_reporting THEN d.day::date ELSE r.rate_date END AS source_date,
            CASE WHEN c.currency_code = v_reporting THEN FALSE ELSE r.is_inverse END AS is_inverse
        FROM currencies AS c
        CROSS JOIN generate_series(v_from, v_to, INTERVAL '1 day') AS d (day)
        LEFT JOIN LATERAL (
            SELECT
                x.rate,
                x.rate_date,
                x.is_inverse
            FROM (
                (
                    SELECT
                        f.rate,
                        f.rate_date,
                        FALSE AS is_inverse
                    FROM clean.fx_rate AS f
                    WHERE f.from_currency = c.currency_code AND f.to_currency = v_reporting AND f.rate_date <= d.day
                    ORDER BY f.rate_date DESC
                    LIMIT 1
                )
                UNION ALL
                (
                    SELECT
                        1 / f.rate AS rate,
                        f.rate_date,
                        TRUE AS is_inverse
                    FROM clean.fx_rate AS f
                    WHERE f.from_currency = v_reporting AND f.to_currency = c.currency_code AND f.rate_date <= d.day
                    ORDER BY f.rate_date DESC
                    LIMIT 1
                )
            ) AS x
            ORDER BY x.rate_date DESC, x.is_inverse ASC
            LIMIT 1
        ) AS r ON c.currency_code <> v_reporting
        WHERE v_from IS NOT NULL
    ),

    removed AS (
        -- Days no fact needs any more (a data-modifying CTE always runs to completion).
        DELETE FROM dw.fx_daily AS f
        WHERE NOT EXISTS (
            SELECT 1 FROM wanted AS w
            WHERE w.currency_code = f.currency_code AND w.rate_date = f.rate_date
        )
        RETURNING 1
    )

    INSERT INTO dw.fx_daily AS f (currency_code, rate_date, reporting_currency, rate, source_date, is_inverse)
    SELECT
        w.currency_code,
        w.rate_date,
        w.reporting_currency,
        w.rate,
        w.source_date,
        w.is_inverse
    FROM wanted AS w
    ON CONFLICT (currency_code, rate_date) DO UPDATE
    SET
        reporting_currency = excluded.reporting_currency,
        rate = excluded.rate,
        source_date = excluded.source_date,
        is_inverse = excluded.is_inverse
    WHERE (f.reporting_currency, f.rate, f.source_date, f.is_inverse)
    IS DISTINCT FROM (excluded.reporting_currency, excluded.rate, excluded.source_date, excluded.is_inverse);
    GET DIAGNOSTICS v_changed = ROW_COUNT;
    SELECT count(*) INTO v_missing FROM dw.fx_daily AS f WHERE f.rate IS NULL;
    RAISE NOTICE 'dw.load_fx_daily: % day rates written; % currency-days without a rate to %',
        v_changed, v_missing, v_reporting;
END;
$$;

COMMENT ON PROCEDURE dw.load_fx_daily () IS
'Rebuilds dw.fx_daily (rate of each needed currency to the reporting currency, per day). '
'Idempotent.';
