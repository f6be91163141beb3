-- 0036_create_source_watermark.sql
-- How far each pulled table of a source (a query on another database, an HTTP API) has
-- been read: the largest value of its watermark column seen by the last successful pull.
-- The next pull asks for rows from that value on (inclusive: rows that share the last
-- value and arrived after it are not missed; the ones already read come again and change
-- nothing). Written only through etl.set_source_watermark.
CREATE TABLE etl.source_watermark (
    source_name text NOT NULL,
    table_name text NOT NULL,
    watermark text NOT NULL,
    rows_pulled bigint NOT NULL,
    pulled_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT source_watermark_pkey PRIMARY KEY (source_name, table_name),
    CONSTRAINT source_watermark_rows_pulled_check CHECK (rows_pulled >= 0)
);
COMMENT ON TABLE etl.source_watermark IS
'The watermark of each pulled source table (scripts/hub import SOURCE --pull): the largest '
'watermark value of the last successful pull, as text in the source''s own format. Grain: '
'one row per source and landing table.';
