CREATE OR REPLACE FUNCTION etl.local_to_utc(p_local timestamp, p_zone text)
RETURNS timestamptz
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/*
 * The instant at which the wall clock of p_zone shows p_local.
 * - In a daylight-saving gap (the clock jumps over it): NULL, the caller rejects the row
 *   as nonexistent_local_time.
 * - In a repeated hour (the clock goes back): the first occurrence.
 * How: t1 is PostgreSQL's reading; if it does not map back to p_local, p_local is in a
 * gap. t0 reads p_local with the offset in force 12 hours earlier; when t0 is earlier
 * than t1 and also maps back to p_local, p_local is ambiguous and t0 is its first
 * occurrence. Written as one expression so the planner inlines it.
 */
SELECT CASE
    WHEN p_local IS NULL OR p_zone IS NULL THEN NULL
    WHEN (p_local AT TIME ZONE p_zone) AT TIME ZONE p_zone <> p_local THEN NULL
    WHEN (
        (
            p_local
            - (
                ((p_local AT TIME ZONE p_zone) - INTERVAL '12 hours') AT TIME ZONE p_zone
                - ((p_local AT TIME ZONE p_zone) - INTERVAL '12 hours') AT TIME ZONE 'UTC'
            )
        ) AT TIME ZONE 'UTC'
    ) < (p_local AT TIME ZONE p_zone)
    AND (
        (
            p_local
            - (
                ((p_local AT TIME ZONE p_zone) - INTERVAL '12 hours') AT TIME ZONE p_zone
                - ((p_local AT TIME ZONE p_zone) - INTERVAL '12 hours') AT TIME ZONE 'UTC'
            )
        ) AT TIME ZONE 'UTC'
    ) AT TIME ZONE p_zone = p_local
        THEN (
            p_local
            - (
                ((p_local AT TIME ZONE p_zone) - INTERVAL '12 hours') AT TIME ZONE p_zone
                - ((p_local AT TIME ZONE p_zone) - INTERVAL '12 hours') AT TIME ZONE 'UTC'
            )
        ) AT TIME ZONE 'UTC'
    ELSE p_local AT TIME ZONE p_zone
END;
$$;

COMMENT ON FUNCTION etl.local_to_utc(timestamp, text) IS
'Instant of a wall-clock time in an IANA zone: NULL inside a daylight-saving gap, the first '
'occurrence inside a repeated hour.';
