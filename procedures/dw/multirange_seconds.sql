CREATE OR REPLACE FUNCTION dw.multirange_seconds(p_ranges tstzmultirange)
RETURNS numeric
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/* Total length in seconds of a set of time ranges (0 for NULL or empty). */
SELECT coalesce(sum(extract(EPOCH FROM upper(r) - lower(r))), 0)
FROM unnest(p_ranges) AS r;
$$;

COMMENT ON FUNCTION dw.multirange_seconds(tstzmultirange) IS
'Total length in seconds of a tstzmultirange (0 for NULL or empty).';

-- dw.oee_machine_day calls it: the reporting views need it for hub_reporting.
GRANT EXECUTE ON FUNCTION dw.multirange_seconds(tstzmultirange) TO hub_reporting;
