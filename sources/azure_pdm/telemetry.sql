-- PdM_telemetry.csv (datetime, machineID, volt, rotate, pressure, vibration: hourly
-- averages) -> sensor_readings: the wide row unpivots into one reading per metric, each
-- metric a record part of its own (so each batch holds one record per source line).
SELECT
    t.source_line,
    'AZ-' || lpad(btrim(t.machineid), 3, '0') AS machine_code,
    -- no zone in the export: local time of plant AZ, whose zone is UTC (feeds/plants.csv)
    t.datetime AS reading_ts,
    v.metric,
    v.metric AS record_part,
    -- the values as written (12-15 significant digits; the validation parses them)
    v.value,
    -- the export does not state units: left empty rather than guessed
    NULL AS unit
FROM src_telemetry AS t
CROSS JOIN LATERAL (
    VALUES
    ('volt', t.volt),
    ('rotate', t.rotate),
    ('pressure', t.pressure),
    ('vibration', t.vibration)
) AS v (metric, value)
