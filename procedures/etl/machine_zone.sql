-- requires: etl/machine_version_zone.sql
CREATE OR REPLACE VIEW etl.machine_zone AS
/*
 * Per machine, the one time zone all its versions share (single_zone), or NULL when its
 * versions sit in different zones or a plant is still unknown; then etl.machine_zone_at
 * decides per timestamp. Lets the validation place millions of local timestamps with one
 * hash join. Grain: one row per known machine.
 */
SELECT
    v.machine_code,
    CASE
        WHEN count(*) = count(v.timezone) AND count(DISTINCT v.timezone) = 1
            THEN min(v.timezone)
    END AS single_zone
FROM etl.machine_version_zone AS v
GROUP BY v.machine_code;

COMMENT ON VIEW etl.machine_zone IS
'The single IANA zone of a machine when all its versions share one known zone, else NULL. '
'Grain: one row per known machine.';
COMMENT ON COLUMN etl.machine_zone.machine_code IS 'Machine code (business key of dw.dim_machine).';
COMMENT ON COLUMN etl.machine_zone.single_zone IS
'The time zone when all of the machine''s versions share one; NULL otherwise.';
