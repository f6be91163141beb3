-- 0035_create_source_imports.sql
-- Imports of real exports through the mappings in sources/ (scripts/hub import).
-- An imported file becomes one batch per target feed and record part (a wide telemetry
-- row unpivots into one record per metric: one part per metric), so that a batch still
-- holds at most one record per source line and its file_line is the source file's
-- physical line. etl.source_batch says, for every such batch, which source, mapping and
-- part it came from and how the source file's rows were accounted for.
ALTER TABLE etl.batch DROP CONSTRAINT batch_load_method_check;
ALTER TABLE etl.batch ADD CONSTRAINT batch_load_method_check CHECK (
    load_method IN ('copy', 'copy2', 'parsed', 'mapped')
);
COMMENT ON COLUMN etl.batch.load_method IS
'copy: streamed to the server as is; copy2: the same from two sessions at once (big plain '
'files without quotes); parsed: read record by record in Python because the file had '
'unknown columns, malformed records, or fields spanning lines; mapped: a real export read '
'through a mapping of sources/ (see etl.source_batch).';

CREATE TABLE etl.source_batch (
    batch_id bigint NOT NULL,
    source_name text NOT NULL,
    mapping_name text NOT NULL,
    record_part text NOT NULL,
    source_file text NOT NULL,
    source_sha256 text NOT NULL,
    source_rows bigint NOT NULL,
    malformed_rows bigint NOT NULL,
    mapped_records bigint NOT NULL,
    covered_rows bigint NOT NULL,
    dropped jsonb NOT NULL DEFAULT '{}',
    dropped_rows bigint NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT source_batch_pkey PRIMARY KEY (batch_id),
    CONSTRAINT source_batch_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES etl.batch (batch_id),
    CONSTRAINT source_batch_counts_check CHECK (
        source_rows >= 0 AND malformed_rows >= 0 AND mapped_records >= 0 AND dropped_rows >= 0
        AND covered_rows >= mapped_records
    ),
    -- every well-formed source row is covered by a mapped record or dropped by a named filter
    CONSTRAINT source_batch_accounted_check CHECK (source_rows = covered_rows + dropped_rows)
);
COMMENT ON TABLE etl.source_batch IS
'One batch made by importing a real export through a mapping of sources/: the source, the '
'mapping and its record part, and how the file''s rows were accounted for. source_rows '
'(well-formed records of the file) = covered_rows (folded into mapped records) + '
'dropped_rows (by the mapping''s named filters, counted per filter in dropped); '
'malformed_rows are rejected in the batch. Grain: one row per such batch.';
COMMENT ON COLUMN etl.source_batch.record_part IS
'Which part of the mapping''s output this batch holds (e.g. the metric of an unpivoted '
'telemetry row); empty when the mapping makes at most one record per source row.';
COMMENT ON COLUMN etl.source_batch.covered_rows IS
'Source rows folded into the mapped records (a record that aggregates several rows, such '
'as a production run made of 5-minute windows, covers each of them).';
COMMENT ON COLUMN etl.source_batch.dropped IS
'Rows dropped by each documented filter of the mapping: {"filter": rows}.';
