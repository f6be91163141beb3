CREATE OR REPLACE FUNCTION dw.end_of_day(p_day date, p_zone text)
RETURNS timestamptz
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/*
 * The last instant of a day on a plant's wall clock (UTC when the zone is unknown): a
 * date-grained point-in-time lookup ("the standard cost valid at the invoice date") takes
 * the version valid then.
 */
SELECT ((p_day + 1)::timestamp AT TIME ZONE coalesce(p_zone, 'UTC')) - INTERVAL '1 microsecond';
$$;

COMMENT ON FUNCTION dw.end_of_day(date, text) IS
'Last instant of a date in an IANA zone (UTC when NULL), for point-in-time lookups by date.';

GRANT EXECUTE ON FUNCTION dw.end_of_day(date, text) TO hub_reporting;
