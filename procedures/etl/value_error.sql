-- requires: etl/parse_date.sql
-- requires: etl/is_timestamp.sql
CREATE OR REPLACE FUNCTION etl.value_error(p_column text, p_value text, p_type text)
RETURNS text[]
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
/*
 * {reason_code, column} when the non-empty value p_value does not follow the grammar of
 * p_type, else NULL. An empty (NULL) value passes: emptiness is etl.value_missing's job.
 * p_type is always a literal at the call site, so the planner inlines this and folds the
 * CASE down to the one test that applies.
 */
SELECT CASE
    WHEN p_value IS NULL THEN NULL
    WHEN p_type = 'decimal' THEN CASE
        -- 1000 characters keeps every cast to numeric safe (it stops at 16383 decimals).
        WHEN length(p_value) > 1000 OR p_value !~ '^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$'
            THEN ARRAY['unparsable_number', p_column]
    END
    WHEN p_type = 'count' THEN CASE
        WHEN p_value !~ '^[+-]?[0-9]{1,15}(\.0*)?$' THEN ARRAY['unparsable_number', p_column]
    END
    WHEN p_type = 'date' THEN CASE
        WHEN etl.parse_date(p_value) IS NULL THEN ARRAY['unparsable_date', p_column]
    END
    WHEN p_type = 'timestamp' THEN CASE
        WHEN NOT etl.is_timestamp(p_value) THEN ARRAY['unparsable_timestamp', p_column]
    END
    WHEN p_type = 'boolean' THEN CASE
        WHEN lower(p_value) NOT IN ('true', 'false') THEN ARRAY['value_not_allowed', p_column]
    END
END;
$$;

COMMENT ON FUNCTION etl.value_error(text, text, text) IS
'{reason_code, column} when a non-empty value breaks the grammar of its type '
'(decimal, count, date, timestamp, boolean), else NULL.';
