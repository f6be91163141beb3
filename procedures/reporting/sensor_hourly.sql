CREATE OR REPLACE VIEW reporting.sensor_hourly AS
/*
 * Sensor readings per machine, metric and UTC hour (dw.fact_sensor_hourly). A filter on
 * hour_start prunes the monthly partitions of the fact.
 */
SELECT
    f.machine_code,
    f.metric,
    f.hour_start,
    f.readings,
    f.min_value,
    f.max_value,
    f.avg_value,
    f.stddev_value,
    dm.unit,
    m.plant_code,
    m.line_code
FROM dw.fact_sensor_hourly AS f
LEFT JOIN dw.dim_machine AS m
    ON f.machine_key = m.machine_key
LEFT JOIN dw.dim_metric AS dm
    ON f.metric_key = dm.metric_key;

COMMENT ON VIEW reporting.sensor_hourly IS
'Sensor readings per machine, metric and hour. Grain: one row per machine, metric and UTC hour with readings.';
COMMENT ON COLUMN reporting.sensor_hourly.machine_code IS 'Machine.';
COMMENT ON COLUMN reporting.sensor_hourly.metric IS 'Metric as sent (e.g. temperature, vibration, power).';
COMMENT ON COLUMN reporting.sensor_hourly.hour_start IS 'Start of the UTC hour (timestamptz).';
COMMENT ON COLUMN reporting.sensor_hourly.readings IS 'Number of readings in the hour.';
COMMENT ON COLUMN reporting.sensor_hourly.min_value IS 'Smallest reading.';
COMMENT ON COLUMN reporting.sensor_hourly.max_value IS 'Largest reading.';
COMMENT ON COLUMN reporting.sensor_hourly.avg_value IS 'Mean of the readings.';
COMMENT ON COLUMN reporting.sensor_hourly.stddev_value IS 'Sample standard deviation; NULL for a single reading.';
COMMENT ON COLUMN reporting.sensor_hourly.unit IS 'Unit of the metric (the latest one sent).';
COMMENT ON COLUMN reporting.sensor_hourly.plant_code IS 'Plant of the machine version valid at hour_start.';
COMMENT ON COLUMN reporting.sensor_hourly.line_code IS 'Line of the machine version valid at hour_start.';
