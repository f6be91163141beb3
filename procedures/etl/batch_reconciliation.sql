CREATE OR REPLACE VIEW etl.batch_reconciliation AS
/*
 * The proof that nothing was lost: for every batch, records read equals accepted plus
 * rejected plus pending, and the rejected and pending counts equal the rows actually
 * kept in etl.rejected_row and etl.pending_record; and every physical line is accounted
 * for: file lines = header + blank lines + records read + continuation lines, where the
 * rejected records' own continuation lines are part of the latter (a file whose bytes
 * are not text has no line count). Grain: one row per batch.
 */
WITH rejected AS (
    SELECT
        r.batch_id,
        count(*) AS rejected_rows,
        sum(r.line_count - 1) AS rejected_continuation_lines
    FROM etl.rejected_row AS r
    GROUP BY r.batch_id
),

pending AS (
    SELECT
        p.batch_id,
        count(*) AS pending_rows
    FROM etl.pending_record AS p
    GROUP BY p.batch_id
)

SELECT
    b.batch_id,
    b.feed_name,
    b.file_name,
    b.status,
    b.records_read,
    b.records_accepted,
    b.records_rejected,
    b.records_pending,
    coalesce(r.rejected_rows, 0) AS rejected_rows,
    coalesce(p.pending_rows, 0) AS pending_rows,
    b.status <> 'loading'
    AND b.records_read = b.records_accepted + b.records_rejected + b.records_pending
    AND b.records_rejected = coalesce(r.rejected_rows, 0)
    AND b.records_pending = coalesce(p.pending_rows, 0)
    AND (
        b.file_lines IS NULL
        OR (
            b.file_lines = b.header_lines + b.blank_lines + b.records_read + b.continuation_lines
            AND b.continuation_lines >= coalesce(r.rejected_continuation_lines, 0)
        )
    ) AS is_reconciled,
    b.file_lines,
    b.header_lines,
    b.blank_lines,
    b.continuation_lines,
    b.file_lines IS NULL
    OR b.file_lines = b.header_lines + b.blank_lines + b.records_read + b.continuation_lines AS lines_reconciled
FROM etl.batch AS b
LEFT JOIN rejected AS r
    ON b.batch_id = r.batch_id
LEFT JOIN pending AS p
    ON b.batch_id = p.batch_id;

COMMENT ON VIEW etl.batch_reconciliation IS
'Per batch: read = accepted + rejected + pending, the rejected/pending counts match the '
'rows kept, and file lines = header + blank + records read + continuation lines. '
'is_reconciled false means something was lost. Grain: one row per batch.';
COMMENT ON COLUMN etl.batch_reconciliation.batch_id IS 'The batch.';
COMMENT ON COLUMN etl.batch_reconciliation.feed_name IS 'Feed (etl.feed).';
COMMENT ON COLUMN etl.batch_reconciliation.file_name IS 'File name.';
COMMENT ON COLUMN etl.batch_reconciliation.status IS 'Batch status.';
COMMENT ON COLUMN etl.batch_reconciliation.records_read IS 'Records read.';
COMMENT ON COLUMN etl.batch_reconciliation.records_accepted IS 'Records accepted.';
COMMENT ON COLUMN etl.batch_reconciliation.records_rejected IS 'Records rejected.';
COMMENT ON COLUMN etl.batch_reconciliation.records_pending IS 'Records pending.';
COMMENT ON COLUMN etl.batch_reconciliation.rejected_rows IS 'Rows in etl.rejected_row for the batch.';
COMMENT ON COLUMN etl.batch_reconciliation.pending_rows IS 'Rows in etl.pending_record for the batch.';
COMMENT ON COLUMN etl.batch_reconciliation.is_reconciled IS
'True when read = accepted + rejected + pending, the row counts agree and every physical line is accounted for.';
COMMENT ON COLUMN etl.batch_reconciliation.file_lines IS
'Physical lines of the file (NULL when its bytes are not text).';
COMMENT ON COLUMN etl.batch_reconciliation.header_lines IS 'Header lines (1, or 0 for an empty file).';
COMMENT ON COLUMN etl.batch_reconciliation.blank_lines IS 'Blank lines outside any record.';
COMMENT ON COLUMN etl.batch_reconciliation.continuation_lines IS
'Lines after the first of multi-line records (accepted, rejected or pending).';
COMMENT ON COLUMN etl.batch_reconciliation.lines_reconciled IS
'True when file lines = header + blank + records read + continuation lines.';
