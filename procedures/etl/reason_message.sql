CREATE OR REPLACE FUNCTION etl.reason_message(
    p_reason_code text,
    p_column_name text,
    p_raw_values jsonb,
    p_detail text
)
RETURNS text
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
/*
 * The sentence a person reads for a rejected (or pending) row: which column, what value,
 * what was expected. p_detail carries what only the caller knows (a zone, other lines).
 */
SELECT CASE p_reason_code
    WHEN 'required_value_missing' THEN
        format('%s is empty but required', p_column_name)
    WHEN 'unparsable_number' THEN
        format(
            '%s %L is not a plain decimal number (digits, optional sign, "." as separator%s)',
            p_column_name, p_raw_values ->> p_column_name,
            CASE WHEN p_detail IS NOT NULL THEN '; ' || p_detail ELSE '' END
        )
    WHEN 'unparsable_date' THEN
        format('%s %L is not a date written YYYY-MM-DD', p_column_name, p_raw_values ->> p_column_name)
    WHEN 'unparsable_timestamp' THEN
        format(
            '%s %L is not an ISO 8601 timestamp (YYYY-MM-DDTHH:MM[:SS[.fff]] with optional Z or +HH:MM)',
            p_column_name, p_raw_values ->> p_column_name
        )
    WHEN 'negative_count' THEN
        format('%s %L is below zero', p_column_name, p_raw_values ->> p_column_name)
    WHEN 'good_exceeds_total' THEN
        format(
            'good_count %s is larger than total_count %s',
            p_raw_values ->> 'good_count', p_raw_values ->> 'total_count'
        )
    WHEN 'end_before_start' THEN
        format(
            'end_ts %L is before start_ts %L',
            p_raw_values ->> 'end_ts', p_raw_values ->> 'start_ts'
        )
    WHEN 'unknown_currency' THEN
        format('%s %L is not an ISO 4217 currency code', p_column_name, p_raw_values ->> p_column_name)
    WHEN 'value_not_allowed' THEN
        format(
            '%s %L is not allowed: %s', p_column_name,
            -- a value of megabytes is quoted by its start only
            CASE WHEN length(p_raw_values ->> p_column_name) > 200
                    THEN left(p_raw_values ->> p_column_name, 200) || '...'
                ELSE p_raw_values ->> p_column_name
            END,
            coalesce(p_detail, 'see the feed contract')
        )
    WHEN 'duplicate_key' THEN
        format(
            'another record of this file has the same key (%s) with different values%s',
            p_column_name, coalesce(' (lines ' || p_detail || ')', '')
        )
    WHEN 'nonexistent_local_time' THEN
        format(
            '%s %L does not exist in %s (the clock skips it for daylight saving); '
            'send it with a UTC offset',
            p_column_name, p_raw_values ->> p_column_name, p_detail
        )
    WHEN 'offset_required' THEN
        format(
            '%s %L has no UTC offset, and this row has no plant whose time zone could place '
            'it; add Z or +HH:MM',
            p_column_name, p_raw_values ->> p_column_name
        )
    WHEN 'plant_unknown' THEN
        format(
            '%s %L is a local time, but %s; kept pending until that master data arrives',
            p_column_name, p_raw_values ->> p_column_name, p_detail
        )
    ELSE coalesce(p_detail, p_reason_code)
END;
$$;

COMMENT ON FUNCTION etl.reason_message(text, text, jsonb, text) IS
'Human message for a reason code, naming the column and quoting the raw value.';
