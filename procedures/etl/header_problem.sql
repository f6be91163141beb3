-- requires: etl/shown_text.sql
CREATE OR REPLACE FUNCTION etl.header_problem(
    p_feed_name text,
    p_file text,
    p_header text[],
    p_header_error text
)
RETURNS TABLE (reason_code text, column_name text, message text, unknown_columns text[])
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * The header rules of a feed file, decided from the feed contract (etl.feed_column) and
 * worded here. The loader gives what it parsed: p_header, the header's names trimmed and
 * in lower case (NULL: the file is empty, no header line), and p_header_error, the csv
 * reader's complaint when the header line is not one well-formed record. p_file is the
 * file's name as reports show it. One row: the first rule that fails, in this order,
 * rejects the whole file (every record kept as a rejected row with the same sentence):
 *   no header line                     missing_column (none of the feed's columns)
 *   the header line is not one record  malformed_header
 *   a required column is absent        missing_column, naming the first in contract order
 *   a name appears twice               duplicate_column, naming the first in name order
 * When none fails, reason_code is NULL and message notes the unknown columns, if any
 * (they are ignored). unknown_columns: the header's names that are not the feed's.
 */
DECLARE
    v_missing text[];
    v_duplicate text;
    v_unknown text[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM etl.feed AS f WHERE f.feed_name = p_feed_name) THEN
        RAISE EXCEPTION 'etl.header_problem: unknown feed %', p_feed_name
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Feeds are listed in etl.feed.';
    END IF;

    IF p_header IS NULL THEN
        RETURN QUERY SELECT
            'missing_column'::text, NULL::text, format('%s is empty: no header row, no records', p_file),
            '{}'::text[];
        RETURN;
    END IF;
    IF p_header_error IS NOT NULL THEN
        RETURN QUERY SELECT
            'malformed_header'::text, NULL::text,
            format(
                '%s: the header line is not one well-formed CSV record (%s: a stray quote?), '
                'so every record of the file is rejected',
                p_file, p_header_error
            ),
            '{}'::text[];
        RETURN;
    END IF;

    SELECT coalesce(array_agg(h.name ORDER BY h.n), '{}') INTO v_unknown
    FROM unnest(p_header) WITH ORDINALITY AS h (name, n)
    WHERE NOT EXISTS (
        SELECT 1 FROM etl.feed_column AS c
        WHERE c.feed_name = p_feed_name AND c.column_name = h.name
    );
    SELECT array_agg(c.column_name ORDER BY c.ordinal) INTO v_missing
    FROM etl.feed_column AS c
    WHERE c.feed_name = p_feed_name AND NOT c.is_optional AND c.column_name <> ALL(p_header);
    SELECT h.name INTO v_duplicate
    FROM unnest(p_header) AS h (name)
    GROUP BY h.name
    HAVING count(*) > 1
    ORDER BY h.name COLLATE "C"
    LIMIT 1;

    IF v_missing IS NOT NULL THEN
        RETURN QUERY SELECT
            'missing_column'::text, v_missing[1],
            format(
                '%s: required column%s %s missing from the header, so every record of the file is rejected',
                p_file,
                CASE WHEN cardinality(v_missing) > 1 THEN 's' ELSE '' END,
                (SELECT string_agg(etl.shown_text(m.name, TRUE), ', ' ORDER BY m.n)
                    FROM unnest(v_missing) WITH ORDINALITY AS m (name, n))
            ),
            v_unknown;
    ELSIF v_duplicate IS NOT NULL THEN
        RETURN QUERY SELECT
            'duplicate_column'::text, v_duplicate,
            format(
                '%s: the header names %s more than once, so every record of the file is rejected',
                p_file, etl.shown_text(v_duplicate, TRUE)
            ),
            v_unknown;
    ELSE
        RETURN QUERY SELECT
            NULL::text, NULL::text,
            CASE WHEN cardinality(v_unknown) > 0 THEN
                'unknown columns ignored: ' || (
                    SELECT string_agg(coalesce(nullif(etl.shown_text(u.name, FALSE), ''), '(empty)'), ', ' ORDER BY u.n)
                    FROM unnest(v_unknown) WITH ORDINALITY AS u (name, n)
                )
            END,
            v_unknown;
    END IF;
END;
$$;

COMMENT ON FUNCTION etl.header_problem(text, text, text[], text) IS
'Decides and words the header rules of a feed file from the feed contract: the first fault '
'(reason, column, message) or none, and the unknown columns.';

GRANT EXECUTE ON FUNCTION etl.header_problem(text, text, text[], text) TO hub_etl;
