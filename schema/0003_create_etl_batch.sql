-- 0003_create_etl_batch.sql
-- One batch per loaded file, the rows it rejected and the rows it holds pending.
-- The reconciliation rule (records read = accepted + rejected + pending) is a CHECK
-- constraint, so no finished batch can be stored unbalanced.
CREATE TABLE etl.batch (
    batch_id bigint GENERATED ALWAYS AS IDENTITY,
    feed_name text NOT NULL,
    file_name text NOT NULL,
    file_path text NOT NULL,
    sha256 text NOT NULL,
    file_bytes bigint NOT NULL,
    header_columns text[] NOT NULL DEFAULT '{}',
    unknown_columns text[] NOT NULL DEFAULT '{}',
    load_method text,
    status text NOT NULL DEFAULT 'loading',
    message text,
    records_read bigint NOT NULL DEFAULT 0,
    records_accepted bigint NOT NULL DEFAULT 0,
    records_rejected bigint NOT NULL DEFAULT 0,
    records_pending bigint NOT NULL DEFAULT 0,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    CONSTRAINT batch_pkey PRIMARY KEY (batch_id),
    CONSTRAINT batch_sha256_key UNIQUE (sha256),
    CONSTRAINT batch_feed_name_fkey FOREIGN KEY (feed_name) REFERENCES etl.feed (feed_name),
    CONSTRAINT batch_status_check CHECK (status IN ('loading', 'loaded', 'rejected')),
    CONSTRAINT batch_load_method_check CHECK (load_method IN ('copy', 'copy2', 'parsed')),
    CONSTRAINT batch_counts_check CHECK (
        records_accepted >= 0 AND records_rejected >= 0 AND records_pending >= 0
    ),
    CONSTRAINT batch_reconciled_check CHECK (
        status = 'loading'
        OR records_read = records_accepted + records_rejected + records_pending
    )
);
COMMENT ON TABLE etl.batch IS
'One loaded file. status: loading (in progress), loaded, rejected (the whole file was '
'rejected, e.g. a missing column). records_read = accepted + rejected + pending always '
'holds once loaded. Grain: one row per distinct file content (sha256).';
COMMENT ON COLUMN etl.batch.load_method IS
'copy: streamed to the server as is; copy2: the same from two sessions at once (big plain '
'files without quotes); parsed: read record by record in Python because the file had '
'unknown columns, malformed records, or fields spanning lines.';
COMMENT ON COLUMN etl.batch.records_accepted IS
'Records stored in clean (identical duplicates within the file count each time).';

CREATE TABLE etl.rejected_row (
    rejected_row_id bigint GENERATED ALWAYS AS IDENTITY,
    batch_id bigint NOT NULL,
    file_line bigint NOT NULL,
    reason_code text NOT NULL,
    column_name text,
    message text NOT NULL,
    raw_values jsonb NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT rejected_row_pkey PRIMARY KEY (rejected_row_id),
    CONSTRAINT rejected_row_batch_id_file_line_key UNIQUE (batch_id, file_line),
    CONSTRAINT rejected_row_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES etl.batch (batch_id),
    CONSTRAINT rejected_row_reason_code_fkey FOREIGN KEY (reason_code)
    REFERENCES etl.reason (reason_code)
);
COMMENT ON TABLE etl.rejected_row IS
'Every record that was not accepted, with the physical line it starts on (header = line 1), '
'its raw values and why. Grain: one row per rejected record.';

CREATE TABLE etl.pending_record (
    batch_id bigint NOT NULL,
    file_line bigint NOT NULL,
    feed_name text NOT NULL,
    reason_code text NOT NULL,
    message text NOT NULL,
    raw_values jsonb NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_tried_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    attempts integer NOT NULL DEFAULT 1,
    CONSTRAINT pending_record_pkey PRIMARY KEY (batch_id, file_line),
    CONSTRAINT pending_record_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES etl.batch (batch_id),
    CONSTRAINT pending_record_reason_code_fkey FOREIGN KEY (reason_code)
    REFERENCES etl.reason (reason_code)
);
COMMENT ON TABLE etl.pending_record IS
'Records that cannot be placed in time yet (a local timestamp whose plant is unknown); '
'validated again by etl.retry_pending on every load and run. Grain: one row per record.';

GRANT INSERT ON etl.rejected_row TO hub_etl;
