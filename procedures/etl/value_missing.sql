CREATE OR REPLACE FUNCTION etl.value_missing(p_column text, p_value text)
RETURNS text[]
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/* {required_value_missing, column} when a required value is empty (NULL), else NULL. */
SELECT CASE WHEN p_value IS NULL THEN ARRAY['required_value_missing', p_column] END;
$$;

COMMENT ON FUNCTION etl.value_missing(text, text) IS
'{required_value_missing, column} for an empty required value, else NULL.';
