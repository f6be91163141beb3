-- requires: dw/apply_scd2.sql
CREATE OR REPLACE PROCEDURE dw.load_dim_finance()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Accounts (type 1: the latest version, and inferred members for accounts the GL names
 * before their master row), currencies (ISO 4217), and customers: SCD2 on country from the
 * sales lines in invoice-date order (a version starts at the first invoice date showing a
 * new country; lines without a country carry the last one on; when one day shows several,
 * the day's last line counts), type 1 on name (the latest).
 */
BEGIN
    WITH latest AS (
        SELECT DISTINCT ON (a.account_code)
            a.account_code,
            a.account_name,
            a.account_type,
            a.cost_category
        FROM clean.account AS a
        ORDER BY a.account_code ASC, a.updated_at DESC
    ),

    accounts AS (
        SELECT
            l.account_code,
            l.account_name,
            l.account_type,
            l.cost_category,
            FALSE AS is_inferred
        FROM latest AS l
        UNION ALL
        SELECT DISTINCT
            g.account_code,
            NULL AS account_name,
            NULL AS account_type,
            NULL AS cost_category,
            TRUE AS is_inferred
        FROM clean.gl_entry AS g
        WHERE NOT EXISTS (SELECT 1 FROM latest AS l WHERE l.account_code = g.account_code)
    )

    INSERT INTO dw.dim_account AS d (account_code, account_name, account_type, cost_category, is_inferred)
    SELECT
        a.account_code,
        a.account_name,
        a.account_type,
        a.cost_category,
        a.is_inferred
    FROM accounts AS a
    ON CONFLICT (account_code) DO UPDATE
    SET
        account_name = excluded.account_name,
        account_type = excluded.account_type,
        cost_category = excluded.cost_category,
        is_inferred = excluded.is_inferred
    WHERE (d.account_name, d.account_type, d.cost_category, d.is_inferred)
    IS DISTINCT FROM (excluded.account_name, excluded.account_type, excluded.cost_category, excluded.is_inferred);

    INSERT INTO dw.dim_currency AS d (currency_code, is_active)
    SELECT
        c.currency_code,
        c.is_active
    FROM etl.currency AS c
    ON CONFLICT (currency_code) DO UPDATE
    SET is_active = excluded.is_active
    WHERE d.is_active IS DISTINCT FROM excluded.is_active;

    IF to_regclass('pg_temp.desired') IS NOT NULL THEN
        DROP TABLE pg_temp.desired;
    END IF;
    CREATE TEMP TABLE desired AS
    WITH lines AS (
        SELECT
            s.customer_code,
            s.invoice_date,
            s.customer_name,
            s.customer_country,
            s.batch_id,
            s.file_line
        FROM clean.sales_line AS s
    ),

    day_country AS (
        -- One country per customer and day: the day's last line (a version is a day at least).
        SELECT DISTINCT ON (l.customer_code, l.invoice_date)
            l.customer_code,
            l.invoice_date,
            l.customer_country
        FROM lines AS l
        WHERE l.customer_country IS NOT NULL
        ORDER BY l.customer_code ASC, l.invoice_date ASC, l.batch_id DESC, l.file_line DESC
    ),

    countries AS (
        SELECT
            d.customer_code,
            d.invoice_date,
            d.customer_country,
            d.customer_country IS DISTINCT FROM lag(d.customer_country) OVER w AS starts
        FROM day_country AS d
        WINDOW w AS (PARTITION BY d.customer_code ORDER BY d.invoice_date)
    ),

    starts AS (
        SELECT
            c.customer_code,
            c.invoice_date,
            c.customer_country,
            lag(c.invoice_date) OVER w IS NULL AS is_first,
            lead(c.invoice_date) OVER w AS next_start
        FROM countries AS c
        WHERE c.starts
        WINDOW w AS (PARTITION BY c.customer_code ORDER BY c.invoice_date)
    ),

    latest AS (
        SELECT DISTINCT ON (l.customer_code)
            l.customer_code,
            l.customer_name
        FROM lines AS l
        ORDER BY l.customer_code ASC, l.invoice_date DESC, l.batch_id DESC, l.file_line DESC
    )

    SELECT
        n.customer_code,
        CASE
            WHEN s.is_first OR s.is_first IS NULL THEN TIMESTAMPTZ '1900-01-01 00:00:00+00'
            ELSE s.invoice_date::timestamp AT TIME ZONE 'UTC'
        END AS valid_from,
        coalesce(s.next_start::timestamp AT TIME ZONE 'UTC', TIMESTAMPTZ '9999-12-31 00:00:00+00') AS valid_to,
        s.next_start IS NULL AS is_current,
        FALSE AS is_inferred,
        s.customer_country,
        n.customer_name
    FROM latest AS n
    LEFT JOIN starts AS s
        ON n.customer_code = s.customer_code;

    CALL dw.apply_scd2('dim_customer', 'customer_code');
END;
$$;

COMMENT ON PROCEDURE dw.load_dim_finance () IS
'dim_account and dim_currency (type 1), dim_customer (SCD2 on country). Idempotent.';
