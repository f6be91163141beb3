CREATE OR REPLACE FUNCTION etl.has_utc_offset(p_value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/* For a text that etl.is_timestamp accepts: does it carry Z or an offset? */
SELECT right(p_value, 1) IN ('Z', 'z')
    OR strpos(substr(p_value, 11), '+') > 0
    OR strpos(substr(p_value, 11), '-') > 0;
$$;

COMMENT ON FUNCTION etl.has_utc_offset(text) IS
'For a valid feed timestamp: true when it carries a UTC offset (Z, +HH, +HHMM, +HH:MM).';
