CREATE OR REPLACE FUNCTION etl.is_valid_day(p_value text)
RETURNS boolean
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/*
 * For text starting YYYY-MM-DD with a month 01-12 and a day 01-31 (the caller checked):
 * does that month have that day? 30 days hath September, April, June and November;
 * February 29 only in a leap year (divisible by 4, centuries only by 400).
 */
SELECT substr(p_value, 9, 2) <= CASE substr(p_value, 6, 2)
    WHEN '02' THEN CASE
        WHEN substr(p_value, 1, 4)::integer % 4 = 0
            AND (substr(p_value, 1, 4)::integer % 100 <> 0 OR substr(p_value, 1, 4)::integer % 400 = 0)
            THEN '29'
        ELSE '28'
    END
    WHEN '04' THEN '30'
    WHEN '06' THEN '30'
    WHEN '09' THEN '30'
    WHEN '11' THEN '30'
    ELSE '31'
END;
$$;

COMMENT ON FUNCTION etl.is_valid_day(text) IS
'For a YYYY-MM-DD text with month and day in range: true when that month has that day.';
