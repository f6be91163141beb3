CREATE OR REPLACE VIEW etl.machine_version_zone AS
/*
 * Every known version of every machine with its validity and the time zone of its plant
 * (the plant's latest version; NULL while the plant is unknown). The first version of a
 * machine is valid from 1900-01-01, so older events still find it.
 * Grain: one row per machine version.
 */
WITH plant_zone AS (
    SELECT DISTINCT ON (p.plant_code)
        p.plant_code,
        p.timezone
    FROM clean.plant AS p
    ORDER BY p.plant_code ASC, p.updated_at DESC
)

SELECT
    m.machine_code,
    m.plant_code,
    z.timezone,
    CASE
        WHEN lag(m.updated_at) OVER w IS NULL THEN timestamptz '1900-01-01 00:00:00+00'
        ELSE m.updated_at
    END AS valid_from,
    coalesce(lead(m.updated_at) OVER w, timestamptz '9999-12-31 00:00:00+00') AS valid_to
FROM clean.machine AS m
LEFT JOIN plant_zone AS z
    ON m.plant_code = z.plant_code
WINDOW w AS (PARTITION BY m.machine_code ORDER BY m.updated_at);

COMMENT ON VIEW etl.machine_version_zone IS
'Machine versions with validity [valid_from, valid_to) and their plant''s IANA zone '
'(NULL while the plant is unknown). Grain: one row per machine version.';
COMMENT ON COLUMN etl.machine_version_zone.machine_code IS 'Machine code (business key of dw.dim_machine).';
COMMENT ON COLUMN etl.machine_version_zone.plant_code IS 'Plant of the version.';
COMMENT ON COLUMN etl.machine_version_zone.timezone IS 'Plant time zone of the version.';
COMMENT ON COLUMN etl.machine_version_zone.valid_from IS 'Start of the version.';
COMMENT ON COLUMN etl.machine_version_zone.valid_to IS 'End of the version.';
