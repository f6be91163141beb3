-- PdM_machines.csv (machineID, model, age) -> machines.
SELECT
    m.source_line,
    -- 'AZ-001': the export's numeric id, zero-padded so that codes sort like the ids,
    -- prefixed so that they cannot collide with another source's machines
    'AZ-' || lpad(btrim(m.machineid), 3, '0') AS machine_code,
    'Azure PdM machine ' || btrim(m.machineid) AS machine_name,
    -- no plant or line in the export: one plant AZ (feeds/plants.csv), one line L1
    'AZ' AS plant_code,
    'L1' AS line_code,
    -- model1..model4 is the machine type
    btrim(m.model) AS machine_type,
    -- age = whole years in service when the data starts (2015-01-01): commissioned that
    -- many years before; a non-integer age passes through for the validation to reject
    CASE
        WHEN btrim(m.age) ~ '^[0-9]{1,3}$'
            THEN to_char(date '2015-01-01' - make_interval(years => btrim(m.age)::integer), 'YYYY-MM-DD')
        ELSE m.age
    END AS commissioned_on,
    -- every machine logs telemetry in 2015: active
    'active' AS status,
    -- one version per machine, as of the data's start (UTC)
    '2015-01-01T00:00:00Z' AS updated_at
FROM src_machines AS m
