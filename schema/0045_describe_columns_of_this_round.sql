-- 0045_describe_columns_of_this_round.sql
-- Column comments for the bookkeeping tables added in parallel this round (procedure
-- checksums, plausible date windows, pause, notification outbox, source imports and
-- watermarks), so that docs/data-dictionary.md describes every column a user reads.
COMMENT ON COLUMN etl.procedure_file.filename IS 'Path of the file under procedures/.';
COMMENT ON COLUMN etl.procedure_file.checksum IS
'sha256 of the file as last applied; migrate re-applies the file when it differs.';
COMMENT ON COLUMN etl.procedure_file.applied_at IS 'When the file was last applied.';

COMMENT ON COLUMN etl.plausible_window.feed_name IS 'Feed of the column (etl.feed).';
COMMENT ON COLUMN etl.plausible_window.column_name IS 'Date or timestamp column of the feed.';
COMMENT ON COLUMN etl.plausible_window.earliest IS
'First plausible date (inclusive); NULL takes etl.setting plausible_earliest_date.';
COMMENT ON COLUMN etl.plausible_window.days_ahead IS
'Days after the load''s UTC date still plausible (inclusive); NULL takes etl.setting '
'plausible_days_ahead.';

COMMENT ON COLUMN etl.hub_pause.is_paused IS 'Always true: the row exists only while paused.';
COMMENT ON COLUMN etl.hub_pause.paused_at IS 'When the hub was paused.';
COMMENT ON COLUMN etl.hub_pause.paused_by IS 'Database role that paused it (session_user).';
COMMENT ON COLUMN etl.hub_pause.reason IS 'Why, as given to scripts/hub pause --reason or etl.pause.';

COMMENT ON COLUMN etl.notification_outbox.run_id IS 'The ended run whose notification is due.';
COMMENT ON COLUMN etl.notification_outbox.queued_at IS 'When the run ended and its notification was queued.';
COMMENT ON COLUMN etl.notification_outbox.claimed_at IS
'When a process claimed it to send it (NULL: not sent yet).';
COMMENT ON COLUMN etl.notification_outbox.claimed_by IS 'Who claimed it: the command, DAG run or notify.';

COMMENT ON COLUMN etl.source_batch.batch_id IS 'The batch (etl.batch) made by the import.';
COMMENT ON COLUMN etl.source_batch.source_name IS 'Source folder under sources/.';
COMMENT ON COLUMN etl.source_batch.mapping_name IS 'Mapping of the source that made the batch.';
COMMENT ON COLUMN etl.source_batch.source_file IS 'The export file read (its name).';
COMMENT ON COLUMN etl.source_batch.source_sha256 IS 'sha256 of the export file''s content.';
COMMENT ON COLUMN etl.source_batch.source_rows IS 'Well-formed data rows of the export file.';
COMMENT ON COLUMN etl.source_batch.malformed_rows IS
'Rows of the export file rejected as malformed before mapping.';
COMMENT ON COLUMN etl.source_batch.mapped_records IS 'Feed records the mapping made for this batch.';
COMMENT ON COLUMN etl.source_batch.dropped_rows IS
'Source rows dropped by the mapping''s named filters (counted per filter in dropped).';
COMMENT ON COLUMN etl.source_batch.recorded_at IS 'When the accounting was recorded.';

COMMENT ON COLUMN etl.source_watermark.source_name IS 'Source folder under sources/.';
COMMENT ON COLUMN etl.source_watermark.table_name IS 'Landing table of the pulled source table.';
COMMENT ON COLUMN etl.source_watermark.watermark IS
'Largest watermark value of the last successful pull, as text in the source''s format.';
COMMENT ON COLUMN etl.source_watermark.rows_pulled IS 'Rows the last pull read.';
COMMENT ON COLUMN etl.source_watermark.pulled_at IS 'When the last pull finished.';
