CREATE OR REPLACE FUNCTION etl.parse_date(p_value text)
RETURNS date
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/*
 * A calendar date written YYYY-MM-DD, or NULL when the text is anything else
 * (2026-02-30, 2026-2-3, 'today', 'infinity'). Never raises. Inlined by the planner.
 */
SELECT CASE
    WHEN p_value ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
        AND substr(p_value, 1, 4) <> '0000'
        THEN CASE
            WHEN substr(p_value, 9, 2) <= '28'
                OR substr(p_value, 9, 2)::integer <= extract(
                    DAY FROM make_date(
                        substr(p_value, 1, 4)::integer, substr(p_value, 6, 2)::integer, 1
                    ) + INTERVAL '1 month - 1 day'
                )
                THEN p_value::date
        END
END;
$$;

COMMENT ON FUNCTION etl.parse_date(text) IS
'A YYYY-MM-DD date, or NULL when the text is not one (the feed grammar, not PostgreSQL''s).';
