CREATE OR REPLACE FUNCTION etl.file_problem(
    p_file text,
    p_facts jsonb
)
RETURNS TABLE (reason_code text, fault text, message text)
LANGUAGE sql
IMMUTABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Why the bytes of a file cannot be CSV records, decided and worded from what the loader
 * saw in its first bytes (p_facts; the loader reads the file, the rules are here), or no
 * row when nothing is wrong. p_file is the file's name as reports show it. The first rule
 * that holds wins:
 *   bom              a UTF-16/32 byte-order mark (its name)            invalid_encoding
 *   no_line_end_kib  no line end in the first N KiB                    unreadable_file
 *   nul_at/nul_count a NUL byte in the header line (UTF-16/32 when it
 *                    is among the first three bytes or there are more
 *                    than two, else binary)                            invalid_encoding
 *   not_utf8_byte/at the header line is not UTF-8: binary data when
 *                    control_byte or png is there too                  unreadable_file
 *                                                                      else invalid_encoding
 *   control_byte     a control byte (not a tab) in the header line     unreadable_file
 *   gzip             not_gzip (starts_with), truncated or corrupt
 *                    (content_bytes, error)                            unreadable_file
 * p_facts ->> 'encoding' (Python's name of the codec a source export is read with,
 * scripts/hub import), when given and not utf-8, leaves out the rules about UTF-8.
 * fault is "<file>: <what>", message the batch's: fault + ", so the file is rejected".
 */
WITH facts AS (
    SELECT
        p_facts AS f,
        coalesce(p_facts ->> 'encoding', 'utf-8') IN ('utf-8', 'utf-8-sig') AS utf8
),

fault AS (
    SELECT
        CASE
            WHEN x.f ? 'bom' THEN 'invalid_encoding'
            WHEN x.f ? 'no_line_end_kib' THEN 'unreadable_file'
            WHEN x.f ? 'nul_at' THEN 'invalid_encoding'
            WHEN x.f ? 'not_utf8_byte' AND (x.f ? 'control_byte' OR x.f ? 'png') THEN 'unreadable_file'
            WHEN x.f ? 'not_utf8_byte' THEN 'invalid_encoding'
            WHEN x.f ? 'control_byte' THEN 'unreadable_file'
            WHEN x.f ? 'gzip' THEN 'unreadable_file'
        END AS reason,
        CASE
            WHEN x.f ? 'bom' THEN format(
                'the file starts with a %s byte-order mark; feeds are UTF-8 (convert it, e.g. with iconv)',
                x.f ->> 'bom'
            )
            WHEN x.f ? 'no_line_end_kib' THEN format(
                'no line end in the first %s KiB: there is no header line', x.f ->> 'no_line_end_kib'
            )
            WHEN x.f ? 'nul_at' THEN format(
                'NUL byte at byte %s of the header line (%s?); feeds are UTF-8',
                x.f ->> 'nul_at',
                CASE
                    WHEN (x.f ->> 'nul_at')::bigint <= 3 OR (x.f ->> 'nul_count')::bigint > 2
                        THEN 'UTF-16 or UTF-32 without a byte-order mark'
                    ELSE 'binary'
                END
            )
            WHEN x.f ? 'not_utf8_byte' AND (x.f ? 'control_byte' OR x.f ? 'png') THEN format(
                'binary data, not text (byte 0x%s at byte %s)',
                lpad(to_hex((x.f ->> 'not_utf8_byte')::integer), 2, '0'), x.f ->> 'not_utf8_at'
            )
            WHEN x.f ? 'not_utf8_byte' THEN format(
                'the header line is not UTF-8 (byte 0x%s at byte %s); feeds are UTF-8',
                lpad(to_hex((x.f ->> 'not_utf8_byte')::integer), 2, '0'), x.f ->> 'not_utf8_at'
            )
            WHEN x.f ? 'control_byte' THEN format(
                'binary data, not text (control byte 0x%s in the header line)',
                lpad(to_hex((x.f ->> 'control_byte')::integer), 2, '0')
            )
            WHEN x.f ->> 'gzip' = 'not_gzip' THEN format(
                'named .gz but not gzip data (it starts with %s)', x.f ->> 'starts_with'
            )
            WHEN x.f ->> 'gzip' = 'truncated' THEN format(
                'the gzip data ends early (a truncated file) after %s bytes of content',
                to_char((x.f ->> 'content_bytes')::bigint, 'FM999,999,999,999,999,990')
            )
            WHEN x.f ? 'gzip' THEN format(
                'corrupt gzip data after %s bytes of content (%s)',
                to_char((x.f ->> 'content_bytes')::bigint, 'FM999,999,999,999,999,990'), x.f ->> 'error'
            )
        END AS what,
        x.utf8
    FROM facts AS x
)

SELECT
    t.reason AS reason_code,
    p_file || ': ' || t.what AS fault,
    p_file || ': ' || t.what || ', so the file is rejected' AS message
FROM fault AS t
WHERE t.reason IS NOT NULL AND (t.utf8 OR t.reason <> 'invalid_encoding');
$$;

COMMENT ON FUNCTION etl.file_problem(text, jsonb) IS
'Decides and words why a file''s bytes cannot be records, from what the loader saw (no row: nothing).';

GRANT EXECUTE ON FUNCTION etl.file_problem(text, jsonb) TO hub_etl;
