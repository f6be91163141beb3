CREATE OR REPLACE FUNCTION etl.record_problem_message(
    p_reason_code text,
    p_column_name text,
    p_detail jsonb
)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/*
 * The sentence for a record the loader's reader rejects itself, from what it saw
 * (staging.rejected_row.detail); etl.close_batch calls it as it moves the rows in.
 *   malformed_record  csv_error (the csv reader's complaint: "end of data" is a quote
 *                     never closed), unclosed_within (a quote open for more lines than
 *                     that), or fields / header_fields (+ ran_to and line when a quoted
 *                     field ran on over the next lines)
 *   invalid_encoding  nul_at (a NUL byte at that character of p_column_name), else bytes
 *                     that are not UTF-8
 * A record of a source export (scripts/hub import) carries file and file_line, which
 * begin the sentence; a record standing for a page of an API that could not be read
 * carries page and page_error instead.
 */
SELECT CASE
    WHEN p_detail ? 'page' THEN
        format('page %s of the API could not be read (%s)', p_detail ->> 'page', p_detail ->> 'page_error')
    ELSE
        CASE
            WHEN p_detail ? 'file' THEN format('%s line %s: ', p_detail ->> 'file', p_detail ->> 'file_line')
            ELSE ''
        END
        || CASE
            WHEN p_reason_code = 'malformed_record' AND p_detail ? 'csv_error' THEN
                CASE
                    WHEN strpos(p_detail ->> 'csv_error', 'end of data') > 0
                        THEN 'a quoted field opened here is never closed (a stray quote?)'
                    ELSE 'broken quoting: ' || (p_detail ->> 'csv_error')
                END
            WHEN p_reason_code = 'malformed_record' AND p_detail ? 'unclosed_within' THEN
                format(
                    'a quoted field opened here is not closed within %s lines',
                    to_char((p_detail ->> 'unclosed_within')::bigint, 'FM999,999,999,990')
                )
            WHEN p_reason_code = 'malformed_record' AND p_detail ? 'fields' THEN
                format(
                    'the record has %s fields but the header has %s',
                    p_detail ->> 'fields', p_detail ->> 'header_fields'
                )
                || CASE
                    WHEN p_detail ? 'ran_to' THEN format(
                        ' (a quoted field ran on to line %s; only line %s is taken as this record)',
                        p_detail ->> 'ran_to', p_detail ->> 'line'
                    )
                    ELSE ''
                END
            WHEN p_reason_code = 'invalid_encoding' AND p_detail ? 'nul_at' THEN
                format('%s holds a NUL byte (at character %s)', p_column_name, p_detail ->> 'nul_at')
            WHEN p_reason_code = 'invalid_encoding' THEN
                format('%s holds bytes that are not valid UTF-8', p_column_name)
            ELSE p_reason_code
        END
END;
$$;

COMMENT ON FUNCTION etl.record_problem_message(text, text, jsonb) IS
'Human message for a record the loader''s reader rejected, from what it saw (staging.rejected_row.detail).';
