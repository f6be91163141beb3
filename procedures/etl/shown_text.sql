CREATE OR REPLACE FUNCTION etl.shown_text(
    p_text text,
    p_quoted boolean
)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/*
 * A name from a file (a header column) fit for a message: characters that are not
 * printable (control characters, format and separator characters other than the space,
 * private use) written as escapes (\t, \x01, \u200b), the way the loader writes file
 * names. p_quoted: in quotes as well, '...' or "..." when the name holds a ' and no ",
 * with backslashes and the quote escaped. Unassigned code points are shown as they are.
 */
WITH mark AS (
    SELECT
        CASE
            WHEN NOT p_quoted THEN ''
            WHEN strpos(p_text, '''') > 0 AND strpos(p_text, '"') = 0 THEN '"'
            ELSE ''''
        END AS q
)

SELECT m.q || coalesce(string_agg(
    CASE
        WHEN p_quoted AND (c.ch = '\' OR c.ch = m.q) THEN '\' || c.ch
        WHEN c.ch = E'\t' THEN '\t'
        WHEN c.ch = E'\n' THEN '\n'
        WHEN c.ch = E'\r' THEN '\r'
        WHEN c.ch ~ (
            '[\x01-\x1f\x7f-\xa0\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u1680\u180e'
            || '\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ue000-\uf8ff\ufeff'
            || '\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3'
            || '\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\U000f0000-\U000ffffd'
            || '\U00100000-\U0010fffd]'
        ) THEN
            CASE
                WHEN ascii(c.ch) < 256 THEN '\x' || lpad(to_hex(ascii(c.ch)), 2, '0')
                WHEN ascii(c.ch) < 65536 THEN '\u' || lpad(to_hex(ascii(c.ch)), 4, '0')
                ELSE '\U' || lpad(to_hex(ascii(c.ch)), 8, '0')
            END
        ELSE c.ch
    END, '' ORDER BY c.n
), '') || m.q
FROM mark AS m
LEFT JOIN LATERAL regexp_split_to_table(p_text, '') WITH ORDINALITY AS c (ch, n) ON TRUE
GROUP BY m.q;
$$;

COMMENT ON FUNCTION etl.shown_text(text, boolean) IS
'A header name fit for a message: characters that are not printable escaped, optionally quoted.';
