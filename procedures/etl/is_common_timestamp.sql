CREATE OR REPLACE FUNCTION etl.is_common_timestamp(p_value text)
RETURNS boolean
LANGUAGE sql
STABLE
PARALLEL SAFE
AS $$
/*
 * The lean path of the timestamp grammar (docs/performance.md): true only for a value
 * etl.is_timestamp accepts and that carries its UTC offset, written in one of the two
 * shapes nearly every such file uses: YYYY-MM-DDTHH:MM:SSZ or YYYY-MM-DDTHH:MM:SS+HH:MM
 * (or -HH:MM). False means "not proven here", and the caller asks etl.is_timestamp (a
 * local time always does: placing it needs its zone). The proof is a round trip: a value of the
 * right shape is cast, and PostgreSQL's own rendering of the instant must give back the
 * same characters, which holds only for digits in range and a real calendar day (24:00,
 * 23:59:60, 2026-02-30 and 'Jan 5 2026' do not survive it). About a quarter of the regex's
 * cost. A value of the right shape that is no date at all (2026-13-01T...) makes the
 * cast raise, and etl.validate_feed then classifies the batch again by the full grammar.
 */
SELECT CASE
    WHEN (octet_length(p_value) = 20 AND p_value LIKE '____-__-__T__:__:__Z')
        OR (
            octet_length(p_value) = 25
            AND p_value LIKE '____-__-__T__:__:__%:__'
            AND substr(p_value, 20, 1) IN ('+', '-')
            AND substr(p_value, 21, 2) IN (
                '00', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11',
                '12', '13', '14', '15'
            )
            AND substr(p_value, 24, 1) IN ('0', '1', '2', '3', '4', '5')
            AND substr(p_value, 25, 1) IN ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')
        )
        THEN to_char(left(p_value, 19)::timestamp, 'YYYY-MM-DD"T"HH24:MI:SS') = left(p_value, 19)
    ELSE FALSE
END;
$$;

COMMENT ON FUNCTION etl.is_common_timestamp(text) IS
'True for a grammatical timestamp with an offset in a common shape (YYYY-MM-DDTHH:MM:SSZ '
'or +HH:MM), proven by a cast and round trip; false means "ask etl.is_timestamp". May raise '
'for a value of that shape that is no date (the caller falls back to the full grammar).';
