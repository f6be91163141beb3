-- requires: etl/parse_date.sql
CREATE OR REPLACE FUNCTION etl.is_timestamp(p_value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/*
 * ISO 8601 as the feeds write it: YYYY-MM-DD, T or a space, HH:MM, optional :SS and
 * fraction, optional offset Z, +HH, +HHMM or +HH:MM. Rejects 'yesterday', 'infinity',
 * 24:00, 2026-02-30 and everything else PostgreSQL would kindly guess at.
 */
SELECT coalesce(
    p_value ~ (
        '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]([01][0-9]|2[0-3]):[0-5][0-9]'
        || '(:[0-5][0-9](\.[0-9]{1,9})?)?([Zz]|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?$'
    )
    AND etl.parse_date(substr(p_value, 1, 10)) IS NOT NULL,
    FALSE
);
$$;

COMMENT ON FUNCTION etl.is_timestamp(text) IS
'True when the text is an ISO 8601 timestamp of the feed grammar (with or without offset).';
