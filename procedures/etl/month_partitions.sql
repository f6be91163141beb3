CREATE OR REPLACE FUNCTION etl.month_partitions(p_table text, p_from timestamptz, p_to timestamptz)
RETURNS TABLE (month_start timestamptz, partition_name text)
LANGUAGE sql
STABLE
AS $$
    /*
     * The UTC months from p_from's to p_to's, both included, with the name of the monthly
     * partition of p_table that holds each: <table>_yYYYYmMM (the one naming rule).
     */
    SELECT
        m.month_start,
        format('%s_y%sm%s', p_table,
            to_char(m.month_start AT TIME ZONE 'UTC', 'YYYY'), to_char(m.month_start AT TIME ZONE 'UTC', 'MM'))
    FROM generate_series(
        date_trunc('month', p_from, 'UTC'), date_trunc('month', p_to, 'UTC'), interval '1 month'
    ) AS m (month_start);
$$;

COMMENT ON FUNCTION etl.month_partitions(text, timestamptz, timestamptz) IS
'UTC months between two instants with the name of each month''s partition of a table.';
