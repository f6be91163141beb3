CREATE OR REPLACE FUNCTION etl.source_date(p_value text, p_style text)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/*
 * For source mappings: a date written in an export's own style, as the feed grammar's
 * YYYY-MM-DD. Styles: 'M/D/YYYY' (US, no zero padding needed), 'D/M/YYYY' and
 * 'D.M.YYYY' (day first), 'YYYY-MM-DD'. A value that does not match its style comes
 * back unchanged (trimmed), so that the feed's validation rejects it as
 * unparsable_date with its file and line instead of failing the whole import.
 * Only the digits are rearranged here; the validation checks the day exists.
 */
SELECT CASE
    WHEN p_style = 'M/D/YYYY' AND btrim(p_value) ~ '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$'
        THEN format(
            '%s-%s-%s',
            split_part(btrim(p_value), '/', 3),
            lpad(split_part(btrim(p_value), '/', 1), 2, '0'),
            lpad(split_part(btrim(p_value), '/', 2), 2, '0')
        )
    WHEN p_style = 'D/M/YYYY' AND btrim(p_value) ~ '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$'
        THEN format(
            '%s-%s-%s',
            split_part(btrim(p_value), '/', 3),
            lpad(split_part(btrim(p_value), '/', 2), 2, '0'),
            lpad(split_part(btrim(p_value), '/', 1), 2, '0')
        )
    WHEN p_style = 'D.M.YYYY' AND btrim(p_value) ~ '^[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{4}$'
        THEN format(
            '%s-%s-%s',
            split_part(btrim(p_value), '.', 3),
            lpad(split_part(btrim(p_value), '.', 2), 2, '0'),
            lpad(split_part(btrim(p_value), '.', 1), 2, '0')
        )
    ELSE btrim(p_value)
END;
$$;

COMMENT ON FUNCTION etl.source_date(text, text) IS
'A date in an export''s style (M/D/YYYY, D/M/YYYY, D.M.YYYY, YYYY-MM-DD) as YYYY-MM-DD; '
'unchanged when it does not match, for the validation to reject.';
