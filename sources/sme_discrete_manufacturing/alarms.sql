-- company_A*.csv -> downtime_events: a stretch of consecutive alarm windows (status 3)
-- of one asset is one unplanned stop, from its first window's start to its last
-- window's end; it covers each of its windows. Every other row is no stop (dropped as
-- not_an_alarm, counted).
WITH readable AS (
    SELECT
        s.source_line,
        btrim(s.asset) AS asset,
        round(btrim(s.status)::numeric)::integer AS status,
        btrim(s.ts)::timestamptz AS ts
    FROM src_log AS s
    WHERE
        btrim(s.ts) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}([+-][0-9]{2}(:?[0-9]{2})?|Z)?$'
        AND btrim(s.asset) ~ '^[0-9]+$'
        AND btrim(s.status) ~ '^[0-3](\.0*)?$'
),

windows AS (
    SELECT
        r.*,
        -- as in runs.sql: a window ends at the asset's next row, at most 5 minutes on
        coalesce(
            least(lead(r.ts) OVER (PARTITION BY r.asset ORDER BY r.ts, r.source_line), r.ts + interval '5 minutes'),
            r.ts + interval '5 minutes'
        ) AS window_end,
        lag(r.status) OVER (PARTITION BY r.asset ORDER BY r.ts, r.source_line) AS prev_status
    FROM readable AS r
),

alarm AS (
    SELECT
        w.*,
        lag(w.window_end) OVER (PARTITION BY w.asset ORDER BY w.ts, w.source_line) AS prev_end
    FROM windows AS w
    WHERE w.status = 3
),

islands AS (
    SELECT
        a.*,
        -- a new stop after a window that was no alarm, or after a gap
        sum(
            CASE
                WHEN a.prev_status IS DISTINCT FROM 3 OR a.prev_end IS NULL OR a.prev_end < a.ts THEN 1
                ELSE 0
            END
        ) OVER (PARTITION BY a.asset ORDER BY a.ts, a.source_line) AS island
    FROM alarm AS a
),

stops AS (
    SELECT
        i.asset,
        min(i.source_line) AS source_line,
        count(*) AS covers,
        min(i.ts) AS start_ts,
        max(i.window_end) AS end_ts
    FROM islands AS i
    GROUP BY i.asset, i.island
)

SELECT
    s.source_line,
    s.covers,
    NULL::text AS drop_reason,
    format('SME-A%s-ALARM-%s', s.asset, to_char(s.start_ts AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS')) AS event_id,
    'SME-A' || s.asset AS machine_code,
    to_char(s.start_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS start_ts,
    to_char(s.end_ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS end_ts,
    -- the log says only "alarm/interrupted", with no cause
    'alarm' AS reason_code,
    'Alarm or interruption (machine state 3)' AS reason_description,
    'false' AS is_planned
FROM stops AS s

UNION ALL

-- every other window is no stop
SELECT
    w.source_line,
    1 AS covers,
    'not_an_alarm' AS drop_reason,
    NULL AS event_id,
    NULL AS machine_code,
    NULL AS start_ts,
    NULL AS end_ts,
    NULL AS reason_code,
    NULL AS reason_description,
    NULL AS is_planned
FROM windows AS w
WHERE w.status <> 3

UNION ALL

-- as in runs.sql
SELECT
    s.source_line,
    1 AS covers,
    'unreadable_row' AS drop_reason,
    NULL AS event_id,
    NULL AS machine_code,
    NULL AS start_ts,
    NULL AS end_ts,
    NULL AS reason_code,
    NULL AS reason_description,
    NULL AS is_planned
FROM src_log AS s
WHERE s.source_line NOT IN (SELECT r.source_line FROM readable AS r)
