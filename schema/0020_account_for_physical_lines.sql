-- 0020_account_for_physical_lines.sql
-- Every physical line of a file is accounted for, not only every record as a parser saw
-- it: a batch records the file's line count, its header and blank lines and the lines
-- its records continue on, and a CHECK proves
--     file_lines = header_lines + blank_lines + records_read + continuation_lines.
-- A record rejected as malformed covers its first line only (reading resumes on the
-- next line), so etl.rejected_row says how many lines each rejected record covers.
-- A file whose bytes cannot be records (binary, undeclared UTF-16, corrupt gzip) is a
-- rejected batch with a reason of its own; its lines are not counted (file_lines NULL).
-- The "already loaded" fingerprint is per feed and content: an empty file of one feed
-- is never another feed's.

INSERT INTO etl.reason (reason_code, description)
VALUES
(
    'unreadable_file',
    'The file''s bytes cannot be read as records (binary data, a corrupt or truncated gzip, '
    'a file named .gz that is not gzip); the whole file is rejected.'
),
(
    'malformed_header',
    'The header line is not one well-formed CSV record (a stray quote, say); the whole file '
    'is rejected.'
);

ALTER TABLE etl.batch
ADD COLUMN file_lines bigint,
ADD COLUMN header_lines smallint,
ADD COLUMN blank_lines bigint,
ADD COLUMN continuation_lines bigint,
ADD COLUMN reject_reason text,
ADD CONSTRAINT batch_reject_reason_fkey FOREIGN KEY (reject_reason)
REFERENCES etl.reason (reason_code),
ADD CONSTRAINT batch_line_counts_check CHECK (
    header_lines IN (0, 1) AND blank_lines >= 0 AND continuation_lines >= 0
),
ADD CONSTRAINT batch_lines_reconciled_check CHECK (
    status = 'loading'
    OR file_lines IS NULL
    OR file_lines = header_lines + blank_lines + records_read + continuation_lines
);

ALTER TABLE etl.batch DROP CONSTRAINT batch_sha256_key;
ALTER TABLE etl.batch ADD CONSTRAINT batch_feed_name_sha256_key UNIQUE (feed_name, sha256);

COMMENT ON COLUMN etl.batch.file_lines IS
'Physical lines of the file (a line ends at LF, CRLF or a lone CR; a last line without an '
'end counts). NULL for a file whose bytes are not text (reject_reason says why) and for '
'batches loaded before lines were counted.';
COMMENT ON COLUMN etl.batch.header_lines IS '1 when the file has a header line, 0 for an empty file.';
COMMENT ON COLUMN etl.batch.blank_lines IS 'Empty lines (they are not records).';
COMMENT ON COLUMN etl.batch.continuation_lines IS
'Lines after the first of records that span several lines (a quoted field holding a '
'newline). A malformed record never has any: it is rejected at its first line and reading '
'resumes on the next.';
COMMENT ON COLUMN etl.batch.reject_reason IS
'Why the whole file was rejected (missing_column, duplicate_column, malformed_header, '
'invalid_encoding, unreadable_file); NULL for a loaded file.';

ALTER TABLE etl.rejected_row
ADD COLUMN line_count integer NOT NULL DEFAULT 1,
ADD CONSTRAINT rejected_row_line_count_check CHECK (
    line_count >= 1 AND (reason_code <> 'malformed_record' OR line_count = 1)
);
COMMENT ON COLUMN etl.rejected_row.line_count IS
'Physical lines the record covers (more than 1 only for a well-formed record with a quoted '
'newline; a malformed record covers its first line only).';
