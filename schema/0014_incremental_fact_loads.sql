-- 0014_incremental_fact_loads.sql
-- Every step of the chain costs in proportion to what arrived, not to the history: the
-- loads note each batch of runs and stops they store (etl.dirty_batch); the dimension and
-- fact steps read only those batches plus the rows of machines and products whose
-- dimension history changed since their rows were keyed (dw.fact_key_version); the
-- data-quality gate checks the machine-days those batches touched.

ALTER TABLE etl.feed ADD COLUMN notes_dirty_batches boolean NOT NULL DEFAULT FALSE;
COMMENT ON COLUMN etl.feed.notes_dirty_batches IS
'The feed''s stored batches are noted in etl.dirty_batch for the incremental steps.';
UPDATE etl.feed SET notes_dirty_batches = TRUE
WHERE feed_name IN ('production_runs', 'downtime_events');

CREATE TABLE etl.dirty_batch (
    feed_name text NOT NULL,
    batch_id bigint NOT NULL,
    noted_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    processed_at timestamptz,
    processed_run_id bigint,
    CONSTRAINT dirty_batch_feed_name_fkey FOREIGN KEY (feed_name) REFERENCES etl.feed (feed_name),
    CONSTRAINT dirty_batch_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES etl.batch (batch_id)
);
COMMENT ON TABLE etl.dirty_batch IS
'A batch whose rows etl.apply_validated stored (first load or a pending retry), waiting for '
'the fact step of its feed (processed_at NULL), then kept with the run that processed it, '
'which the data-quality gate reads. Grain: one row per batch application.';
CREATE UNIQUE INDEX dirty_batch_open_key ON etl.dirty_batch (feed_name, batch_id)
WHERE processed_at IS NULL;
CREATE INDEX dirty_batch_processed_run_id_idx ON etl.dirty_batch (processed_run_id);

CREATE INDEX production_run_batch_id_idx ON clean.production_run (batch_id);
CREATE INDEX downtime_event_batch_id_idx ON clean.downtime_event (batch_id);
CREATE INDEX fact_production_run_batch_id_idx ON dw.fact_production_run (batch_id);
CREATE INDEX fact_downtime_event_batch_id_idx ON dw.fact_downtime_event (batch_id);
CREATE INDEX fact_production_run_production_date_idx ON dw.fact_production_run (production_date);

CREATE TABLE dw.fact_key_version (
    fact_name text NOT NULL,
    code_kind text NOT NULL,
    code text NOT NULL,
    versions_md5 text NOT NULL,
    CONSTRAINT fact_key_version_pkey PRIMARY KEY (fact_name, code_kind, code)
);
COMMENT ON TABLE dw.fact_key_version IS
'Fingerprint of the dimension history (machine versions with their plant''s key and zone, '
'product versions) each fact''s rows of a code were last keyed with: a changed fingerprint '
're-keys that code''s rows, and only those. Grain: one row per fact, kind and code.';

-- What was loaded before this migration is processed once more by the next run.
INSERT INTO etl.dirty_batch (feed_name, batch_id)
SELECT
    b.feed_name,
    b.batch_id
FROM etl.batch AS b
WHERE b.status = 'loaded' AND b.feed_name IN ('production_runs', 'downtime_events');
