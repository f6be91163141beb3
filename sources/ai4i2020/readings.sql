-- ai4i2020*.csv (UDI, Product ID, Type, Air temperature [K], Process temperature [K],
-- Rotational speed [rpm], Torque [Nm], Tool wear [min], Machine failure, TWF, HDF, PWF,
-- OSF, RNF) -> sensor_readings: one reading per process column (a record part each).
SELECT
    r.source_line,
    v.metric AS record_part,
    -- one machine (feeds/machines.csv)
    'AI4I-M1' AS machine_code,
    -- no time in the export: record UDI n at 2020-01-06T00:00:00Z + (n - 1) minutes, so
    -- that its order is kept and an hour holds 60 records; a UDI that is not a whole
    -- number passes through for the validation to reject as unparsable_timestamp
    CASE
        WHEN btrim(r.udi) ~ '^[0-9]{1,7}$'
            THEN to_char(
                timestamp '2020-01-06 00:00:00' + (btrim(r.udi)::integer - 1) * interval '1 minute',
                'YYYY-MM-DD"T"HH24:MI:SS"Z"'
            )
        ELSE r.udi
    END AS reading_ts,
    v.metric,
    -- temperatures come in kelvin (the unit is in the column name): stored in degrees
    -- Celsius (K - 273.15); the other units are kept. A value that is not a plain
    -- decimal passes through unchanged for the validation to reject.
    CASE
        WHEN v.kelvin AND btrim(v.value) ~ '^[+-]?[0-9]+(\.[0-9]+)?$'
            THEN (btrim(v.value)::numeric - 273.15)::text
        ELSE v.value
    END AS value,
    v.unit
FROM src_runs AS r
CROSS JOIN LATERAL (
    VALUES
    ('air_temperature', r."air temperature [k]", 'degC', TRUE),
    ('process_temperature', r."process temperature [k]", 'degC', TRUE),
    ('rotational_speed', r."rotational speed [rpm]", 'rpm', FALSE),
    ('torque', r."torque [nm]", 'Nm', FALSE),
    ('tool_wear', r."tool wear [min]", 'min', FALSE)
) AS v (metric, value, unit, kelvin)
