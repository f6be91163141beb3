-- requires: etl/is_valid_day.sql
CREATE OR REPLACE FUNCTION etl.is_timestamp(p_value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/*
 * ISO 8601 as the feeds write it: YYYY-MM-DD, T or a space, HH:MM, optional :SS and
 * fraction, optional offset Z, +HH, +HHMM or +HH:MM, its hours 00 to 15 (PostgreSQL
 * holds offsets up to 15:59; a cast of +16:00 would fail the whole batch, so such a value
 * is rejected here, alone). Rejects 'yesterday', 'infinity',
 * 24:00, 2026-02-30 and everything else PostgreSQL would kindly guess at. One regex (it
 * checks every field's range), then the month's length only for days 29 to 31.
 */
SELECT coalesce(
    p_value ~ (
        '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]'
        || '(:[0-5][0-9](\.[0-9]{1,9})?)?([Zz]|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)?$'
    )
    AND substr(p_value, 1, 4) <> '0000'
    AND (substr(p_value, 9, 2) <= '28' OR etl.is_valid_day(p_value)),
    FALSE
);
$$;

COMMENT ON FUNCTION etl.is_timestamp(text) IS
'True when the text is an ISO 8601 timestamp of the feed grammar (with or without offset).';
