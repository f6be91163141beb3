-- requires: etl/machine_version_zone.sql
-- requires: etl/local_to_utc.sql
CREATE OR REPLACE FUNCTION etl.machine_zone_at(p_machine_code text, p_local timestamp)
RETURNS text
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
/*
 * The time zone that places the local time p_local of machine p_machine_code: that of the
 * machine version valid at the resulting instant (a machine that moves plant takes its
 * new zone from that version on). NULL when the machine or that version's plant is not
 * known yet: the row is then kept pending.
 */
SELECT v.timezone
FROM etl.machine_version_zone AS v
WHERE v.machine_code = p_machine_code
ORDER BY
    coalesce(
        etl.local_to_utc(p_local, v.timezone), p_local AT TIME ZONE 'UTC'
    ) >= v.valid_from
    AND coalesce(
        etl.local_to_utc(p_local, v.timezone), p_local AT TIME ZONE 'UTC'
    ) < v.valid_to DESC,
    v.valid_from DESC
LIMIT 1;
$$;

COMMENT ON FUNCTION etl.machine_zone_at(text, timestamp) IS
'IANA zone of the machine version valid at a local time (NULL while unknown).';
