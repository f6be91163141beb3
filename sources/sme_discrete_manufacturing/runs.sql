-- company_A*.csv (ts, asset, items, status, status_time, power_avg, cycle_time, alarm,
-- product) -> production_runs. A run is a stretch of consecutive windows of one asset
-- making one product within one shift; it covers each of its windows (covers).
WITH readable AS (
    SELECT
        s.source_line,
        btrim(s.asset) AS asset,
        btrim(s.product) AS product,
        -- integers are written as floats ('4.0'): rounded to integers
        round(btrim(s.items)::numeric)::bigint AS items,
        round(btrim(s.status)::numeric)::integer AS status,
        -- ts carries +00:00; a stamp without offset would be read as UTC
        btrim(s.ts)::timestamptz AS ts
    FROM src_log AS s
    WHERE
        btrim(s.ts) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}([+-][0-9]{2}(:?[0-9]{2})?|Z)?$'
        AND btrim(s.asset) ~ '^[0-9]+$'
        AND btrim(s.product) ~ '^[0-9]+$'
        AND btrim(s.items) ~ '^[0-9]+(\.[0-9]*)?$'
        AND btrim(s.status) ~ '^[0-3](\.0*)?$'
),

windows AS (
    SELECT
        r.*,
        -- a row opens a window that ends at the asset's next row, at most 5 minutes on
        -- (the nominal step; a longer gap is time without data, not production)
        least(
            lead(r.ts) OVER (PARTITION BY r.asset ORDER BY r.ts, r.source_line),
            r.ts + interval '5 minutes'
        ) AS ts_end,
        -- shifts in plant time (Europe/Rome): S1 06-14, S2 14-22, S3 22-06
        date_trunc('day', (r.ts AT TIME ZONE 'Europe/Rome') - interval '6 hours') AS shift_day,
        floor(
            extract(HOUR FROM (r.ts AT TIME ZONE 'Europe/Rome') - interval '6 hours') / 8
        )::integer AS shift_block
    FROM readable AS r
),

producing AS (
    -- idle windows (status 0) are no run (dropped below)
    SELECT
        w.*,
        coalesce(w.ts_end, w.ts + interval '5 minutes') AS window_end,
        lag(w.product) OVER by_asset AS prev_product,
        lag(coalesce(w.ts_end, w.ts + interval '5 minutes')) OVER by_asset AS prev_end,
        lag(w.shift_day) OVER by_asset AS prev_day,
        lag(w.shift_block) OVER by_asset AS prev_block
    FROM windows AS w
    WHERE w.status <> 0
    WINDOW by_asset AS (PARTITION BY w.asset ORDER BY w.ts, w.source_line)
),

islands AS (
    SELECT
        p.*,
        -- a new run starts at another product, after a gap, or in another shift
        sum(
            CASE
                WHEN
                    p.prev_product IS NULL
                    OR p.product <> p.prev_product
                    OR p.prev_end < p.ts
                    OR p.shift_day <> p.prev_day
                    OR p.shift_block <> p.prev_block
                    THEN 1
                ELSE 0
            END
        ) OVER (PARTITION BY p.asset ORDER BY p.ts, p.source_line) AS island
    FROM producing AS p
),

ideal AS (
    -- the export has no ideal cycle time: per product, the 5th percentile of seconds per
    -- item over full 5-minute windows that made items (the pace the machine sustains at
    -- its best), from automatic production (status 2), or from manual production when
    -- the product was never made automatically
    SELECT
        w.product,
        round(
            coalesce(
                percentile_cont(0.05) WITHIN GROUP (ORDER BY extract(EPOCH FROM w.ts_end - w.ts) / w.items)
                FILTER (WHERE w.status = 2),
                percentile_cont(0.05) WITHIN GROUP (ORDER BY extract(EPOCH FROM w.ts_end - w.ts) / w.items)
            )::numeric,
            2
        ) AS ideal_cycle_time_s
    FROM windows AS w
    WHERE w.status IN (1, 2) AND w.items > 0 AND w.ts_end - w.ts = interval '5 minutes'
    GROUP BY w.product
),

runs AS (
    SELECT
        i.asset,
        i.product,
        i.island,
        min(i.source_line) AS source_line,
        count(*) AS covers,
        min(i.ts) AS start_ts,
        max(i.window_end) AS end_ts,
        sum(i.items) AS total_count,
        min(i.shift_block) AS shift_block
    FROM islands AS i
    GROUP BY i.asset, i.product, i.island
)

SELECT
    r.source_line,
    r.covers,
    NULL::text AS drop_reason,
    format('SME-A%s-%s', r.asset, to_char(r.start_ts AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS')) AS run_id,
    'SME-A' || r.asset AS machine_code,
    'SME-P' || lpad(r.product, 2, '0') AS product_sku,
    NULL AS work_order,
    (ARRAY['S1', 'S2', 'S3'])[r.shift_block + 1] AS shift_code,
    to_char(r.start_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS start_ts,
    to_char(r.end_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS end_ts,
    r.total_count::text AS total_count,
    -- the log records no scrap: every item counts as good
    r.total_count::text AS good_count,
    d.ideal_cycle_time_s::text AS ideal_cycle_time_s
FROM runs AS r
LEFT JOIN ideal AS d ON r.product = d.product

UNION ALL

-- idle windows: no production, no run
SELECT
    w.source_line,
    1 AS covers,
    'idle_window' AS drop_reason,
    NULL AS run_id,
    NULL AS machine_code,
    NULL AS product_sku,
    NULL AS work_order,
    NULL AS shift_code,
    NULL AS start_ts,
    NULL AS end_ts,
    NULL AS total_count,
    NULL AS good_count,
    NULL AS ideal_cycle_time_s
FROM windows AS w
WHERE w.status = 0

UNION ALL

-- a row whose ts, asset, product, items or status cannot be read places no window
SELECT
    s.source_line,
    1 AS covers,
    'unreadable_row' AS drop_reason,
    NULL AS run_id,
    NULL AS machine_code,
    NULL AS product_sku,
    NULL AS work_order,
    NULL AS shift_code,
    NULL AS start_ts,
    NULL AS end_ts,
    NULL AS total_count,
    NULL AS good_count,
    NULL AS ideal_cycle_time_s
FROM src_log AS s
WHERE s.source_line NOT IN (SELECT r.source_line FROM readable AS r)
