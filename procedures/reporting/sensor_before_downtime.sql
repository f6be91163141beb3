CREATE OR REPLACE VIEW reporting.sensor_before_downtime AS
/*
 * For each unplanned stop, each metric of its machine in each of the three UTC hours
 * before the hour the stop began in, against the machine's trailing normal for that
 * metric: all readings of the 7 days before those three hours, pooled from the hourly
 * sums (mean = sum / n; sample variance = (sum of squares - n x mean^2) / (n - 1)).
 * normal_low and normal_high are mean -+ 3 standard deviations; z_score says how many
 * standard deviations the hour's mean lies from the normal mean.
 * The pooled sums are added in numeric, so the same facts give the same bits whatever
 * order the join returns the hours in (two SELECTs, two databases).
 */
WITH stops AS (
    SELECT
        e.event_id,
        e.machine_code,
        e.reason_code,
        e.start_ts,
        e.duration_s,
        date_trunc('hour', e.start_ts, 'UTC') AS stop_hour
    FROM dw.fact_downtime_event AS e
    WHERE NOT e.is_planned
),

before AS (
    SELECT
        s.event_id,
        s.machine_code,
        s.reason_code,
        s.start_ts,
        s.duration_s,
        s.stop_hour,
        f.metric,
        f.metric_key,
        f.machine_key,
        f.hour_start,
        extract(EPOCH FROM s.stop_hour - f.hour_start)::integer / 3600 AS hours_before,
        f.readings,
        f.avg_value,
        f.min_value,
        f.max_value
    FROM stops AS s
    INNER JOIN dw.fact_sensor_hourly AS f
        ON
            s.machine_code = f.machine_code
            AND f.hour_start >= s.stop_hour - interval '3 hours'
            AND s.stop_hour > f.hour_start
),

normal AS (
    SELECT
        b.event_id,
        b.metric,
        sum(f.readings) AS n,
        -- numeric: exact whatever the order the hours are summed in (see the header)
        sum(f.sum_value::numeric) AS total,
        sum(f.sum_squares::numeric) AS total_squares
    FROM (SELECT DISTINCT
        x.event_id,
        x.machine_code,
        x.metric,
        x.stop_hour
    FROM before AS x) AS b
    INNER JOIN dw.fact_sensor_hourly AS f
        ON
            b.machine_code = f.machine_code
            AND b.metric = f.metric
            AND f.hour_start >= b.stop_hour - interval '3 hours' - interval '7 days'
            AND f.hour_start < b.stop_hour - interval '3 hours'
    GROUP BY b.event_id, b.metric
),

stats AS (
    SELECT
        n.event_id,
        n.metric,
        n.n AS normal_readings,
        (n.total / n.n)::double precision AS normal_avg,
        CASE
            WHEN n.n > 1
                THEN
                    sqrt(greatest(0, (n.total_squares - n.total * n.total / n.n) / (n.n - 1)))::double precision
        END AS normal_stddev
    FROM normal AS n
)

SELECT
    m.plant_code,
    m.line_code,
    b.machine_code,
    b.event_id,
    b.reason_code,
    b.start_ts AS stop_start,
    b.duration_s / 60 AS stop_min,
    b.metric,
    dm.unit,
    b.hour_start,
    b.hours_before,
    b.readings,
    b.avg_value,
    b.min_value,
    b.max_value,
    s.normal_readings,
    s.normal_avg,
    s.normal_stddev,
    s.normal_avg - 3 * s.normal_stddev AS normal_low,
    s.normal_avg + 3 * s.normal_stddev AS normal_high,
    (b.avg_value - s.normal_avg) / nullif(s.normal_stddev, 0) AS z_score,
    coalesce(abs(b.avg_value - s.normal_avg) > 3 * s.normal_stddev, FALSE) AS is_outside_normal
FROM before AS b
LEFT JOIN stats AS s
    ON b.event_id = s.event_id AND b.metric = s.metric
LEFT JOIN dw.dim_machine AS m
    ON b.machine_key = m.machine_key
LEFT JOIN dw.dim_metric AS dm
    ON b.metric_key = dm.metric_key;

COMMENT ON VIEW reporting.sensor_before_downtime IS
'Each unplanned stop''s sensor hours before it against the machine''s trailing 7-day normal. '
'Grain: one row per unplanned stop, metric and hour (1 to 3 hours before the stop''s hour).';
COMMENT ON COLUMN reporting.sensor_before_downtime.plant_code IS 'Plant of the machine version valid in that hour.';
COMMENT ON COLUMN reporting.sensor_before_downtime.line_code IS 'Line of the machine version valid in that hour.';
COMMENT ON COLUMN reporting.sensor_before_downtime.machine_code IS 'Machine.';
COMMENT ON COLUMN reporting.sensor_before_downtime.event_id IS 'The unplanned stop.';
COMMENT ON COLUMN reporting.sensor_before_downtime.reason_code IS 'Its reason.';
COMMENT ON COLUMN reporting.sensor_before_downtime.stop_start IS 'When it began.';
COMMENT ON COLUMN reporting.sensor_before_downtime.stop_min IS 'How long it lasted, minutes (as reported).';
COMMENT ON COLUMN reporting.sensor_before_downtime.metric IS 'Metric.';
COMMENT ON COLUMN reporting.sensor_before_downtime.unit IS 'Unit of the metric.';
COMMENT ON COLUMN reporting.sensor_before_downtime.hour_start IS 'The UTC hour of readings.';
COMMENT ON COLUMN reporting.sensor_before_downtime.hours_before IS
'1 to 3: hours between hour_start and the start of the hour the stop began in.';
COMMENT ON COLUMN reporting.sensor_before_downtime.readings IS 'Readings in that hour.';
COMMENT ON COLUMN reporting.sensor_before_downtime.avg_value IS 'Their mean.';
COMMENT ON COLUMN reporting.sensor_before_downtime.min_value IS 'Their smallest.';
COMMENT ON COLUMN reporting.sensor_before_downtime.max_value IS 'Their largest.';
COMMENT ON COLUMN reporting.sensor_before_downtime.normal_readings IS
'Readings in the trailing normal: the 7 days before the three hours.';
COMMENT ON COLUMN reporting.sensor_before_downtime.normal_avg IS 'Mean of the trailing normal.';
COMMENT ON COLUMN reporting.sensor_before_downtime.normal_stddev IS 'Sample standard deviation of the trailing normal.';
COMMENT ON COLUMN reporting.sensor_before_downtime.normal_low IS 'normal_avg - 3 x normal_stddev.';
COMMENT ON COLUMN reporting.sensor_before_downtime.normal_high IS 'normal_avg + 3 x normal_stddev.';
COMMENT ON COLUMN reporting.sensor_before_downtime.z_score IS '(avg_value - normal_avg) / normal_stddev.';
COMMENT ON COLUMN reporting.sensor_before_downtime.is_outside_normal IS
'The hour''s mean lies outside normal_low to normal_high.';
