-- 0025_pause_rebuild_kind_and_notification_outbox.sql
-- The sixth run state (paused: the hub can be paused; a run started meanwhile is recorded
-- as paused and does nothing), the rebuild kind of run (scripts/hub rebuild, CALL
-- etl.rebuild), and the notification outbox: every run that ends queues its notification,
-- which the process that ran it sends at once, or, for a run started from psql (which
-- cannot send mail), the next scripts/hub command, DAG run or scripts/hub notify.

ALTER TABLE etl.pipeline_run DROP CONSTRAINT pipeline_run_kind_check;
ALTER TABLE etl.pipeline_run ADD CONSTRAINT pipeline_run_kind_check CHECK (
    kind IN ('load', 'run', 'dag', 'rebuild')
);
ALTER TABLE etl.pipeline_run DROP CONSTRAINT pipeline_run_state_check;
ALTER TABLE etl.pipeline_run ADD CONSTRAINT pipeline_run_state_check CHECK (
    state IN ('pending', 'running', 'success', 'failed', 'retrying', 'paused')
);
ALTER TABLE etl.pipeline_run DROP CONSTRAINT pipeline_run_finished_check;
ALTER TABLE etl.pipeline_run ADD CONSTRAINT pipeline_run_finished_check CHECK (
    (state IN ('success', 'failed', 'paused')) = (finished_at IS NOT NULL)
);
ALTER TABLE etl.pipeline_run ADD COLUMN rebuild_from date;
ALTER TABLE etl.pipeline_run ADD COLUMN rebuild_to date;
COMMENT ON COLUMN etl.pipeline_run.state IS
'pending, running, success, failed, retrying (a step failed and Airflow will try it '
'again), or paused (started while the hub was paused: recorded, nothing done). Airflow''s '
'own DAG pause is Airflow''s and shows in Airflow.';
COMMENT ON COLUMN etl.pipeline_run.rebuild_from IS
'A rebuild''s first day (NULL: from the beginning); NULL for other kinds.';
COMMENT ON COLUMN etl.pipeline_run.rebuild_to IS
'A rebuild''s last day (NULL: to the end); NULL for other kinds.';

CREATE TABLE etl.hub_pause (
    is_paused boolean NOT NULL DEFAULT TRUE,
    paused_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    paused_by text NOT NULL DEFAULT session_user,
    reason text,
    CONSTRAINT hub_pause_pkey PRIMARY KEY (is_paused),
    CONSTRAINT hub_pause_is_paused_check CHECK (is_paused)
);
COMMENT ON TABLE etl.hub_pause IS
'The hub''s pause: one row while it is paused (who, when, why), none otherwise. Written '
'only by etl.pause and etl.resume. Grain: at most one row.';

CREATE TABLE etl.notification_outbox (
    run_id bigint NOT NULL,
    queued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    claimed_at timestamptz,
    claimed_by text,
    CONSTRAINT notification_outbox_pkey PRIMARY KEY (run_id),
    CONSTRAINT notification_outbox_run_id_fkey FOREIGN KEY (run_id)
    REFERENCES etl.pipeline_run (run_id)
);
COMMENT ON TABLE etl.notification_outbox IS
'A run''s notification, queued when the run ends (etl.finish_run; etl.start_run for a '
'paused run) and claimed by the one process that sends it (etl.claim_notification). Unclaimed rows are '
'runs nobody has notified yet, such as CALL etl.run_pipeline() from psql. Grain: one row '
'per run.';
CREATE INDEX notification_outbox_unclaimed_idx ON etl.notification_outbox (run_id)
WHERE claimed_at IS NULL;

-- What ended before this migration and was never notified is not queued: only new runs.
