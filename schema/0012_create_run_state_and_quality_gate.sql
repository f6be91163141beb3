-- 0012_create_run_state_and_quality_gate.sql
-- Run state (every invocation of a load, a run or a DAG run, and each step of it), the
-- data-quality gate (checks kept as data, results kept per run) and the notification
-- settings. The exchange-rate check of 0010 becomes one check of the gate.

CREATE TABLE etl.pipeline_run (
    run_id bigint GENERATED ALWAYS AS IDENTITY,
    kind text NOT NULL,
    state text NOT NULL DEFAULT 'running',
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    airflow_dag_id text,
    airflow_run_id text,
    started_by text NOT NULL DEFAULT session_user,
    holder_pid integer,
    failed_step text,
    error_message text,
    notified_at timestamptz,
    notified_via text[] NOT NULL DEFAULT '{}',
    CONSTRAINT pipeline_run_pkey PRIMARY KEY (run_id),
    CONSTRAINT pipeline_run_airflow_key UNIQUE (airflow_dag_id, airflow_run_id),
    CONSTRAINT pipeline_run_kind_check CHECK (kind IN ('load', 'run', 'dag')),
    CONSTRAINT pipeline_run_state_check CHECK (
        state IN ('pending', 'running', 'success', 'failed', 'retrying')
    ),
    CONSTRAINT pipeline_run_finished_check CHECK (
        (state IN ('success', 'failed')) = (finished_at IS NOT NULL)
    ),
    CONSTRAINT pipeline_run_airflow_check CHECK ((kind = 'dag') = (airflow_run_id IS NOT NULL))
);
COMMENT ON TABLE etl.pipeline_run IS
'One invocation: scripts/hub load (kind load), scripts/hub run or CALL etl.run_pipeline() '
'(run), one Airflow DAG run (dag). Written only by etl.start_run, etl.record_step and '
'etl.finish_run, each in a transaction of its own, so a failed step cannot erase it. '
'Grain: one row per invocation.';
COMMENT ON COLUMN etl.pipeline_run.state IS
'pending, running, success, failed, or retrying (a step failed and Airflow will try it '
'again). Airflow''s paused state is Airflow''s own and shows in Airflow.';
COMMENT ON COLUMN etl.pipeline_run.holder_pid IS
'The backend that holds the run (a CLI or psql session); NULL for a DAG run, whose tasks '
'are sessions of their own. A run whose holder session has ended is marked failed by the '
'next etl.start_run.';

CREATE TABLE etl.pipeline_run_step (
    run_id bigint NOT NULL,
    step_order integer NOT NULL,
    routine_schema text NOT NULL,
    routine_name text NOT NULL,
    state text NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    started_at timestamptz,
    finished_at timestamptz,
    rows_written bigint,
    message text,
    CONSTRAINT pipeline_run_step_pkey PRIMARY KEY (run_id, step_order),
    CONSTRAINT pipeline_run_step_run_id_fkey FOREIGN KEY (run_id) REFERENCES etl.pipeline_run (run_id),
    CONSTRAINT pipeline_run_step_state_check CHECK (
        state IN ('pending', 'running', 'success', 'failed', 'retrying')
    )
);
COMMENT ON TABLE etl.pipeline_run_step IS
'Each step of a run, as the run found etl.pipeline_step when it started. rows_written is '
'the rows the step inserted, updated or deleted in clean and dw. Grain: one row per run '
'and step.';

CREATE TABLE etl.pipeline_state_change (
    change_id bigint GENERATED ALWAYS AS IDENTITY,
    run_id bigint NOT NULL,
    step_order integer,
    state text NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    message text,
    CONSTRAINT pipeline_state_change_pkey PRIMARY KEY (change_id),
    CONSTRAINT pipeline_state_change_run_id_fkey FOREIGN KEY (run_id)
    REFERENCES etl.pipeline_run (run_id)
);
COMMENT ON TABLE etl.pipeline_state_change IS
'Every state a run or step went through, in order (step_order NULL for the run itself): '
'how a step that failed once and then succeeded shows retrying, then success. '
'Grain: one row per change.';
CREATE INDEX pipeline_state_change_run_id_idx ON etl.pipeline_state_change (run_id);

ALTER TABLE etl.batch ADD COLUMN run_id bigint;
ALTER TABLE etl.batch ADD CONSTRAINT batch_run_id_fkey FOREIGN KEY (run_id)
REFERENCES etl.pipeline_run (run_id);
COMMENT ON COLUMN etl.batch.run_id IS
'The invocation that registered the batch (etl.pipeline_run); NULL before run records.';
CREATE INDEX batch_run_id_idx ON etl.batch (run_id);

CREATE TABLE etl.dq_check (
    check_name text NOT NULL,
    check_function text NOT NULL,
    target text,
    severity text NOT NULL,
    threshold numeric NOT NULL,
    is_enabled boolean NOT NULL DEFAULT TRUE,
    description text NOT NULL,
    CONSTRAINT dq_check_pkey PRIMARY KEY (check_name),
    CONSTRAINT dq_check_severity_check CHECK (severity IN ('error', 'warning')),
    CONSTRAINT dq_check_function_check CHECK (check_function ~ '^etl\.dq_[a-z0-9_]+$')
);
COMMENT ON TABLE etl.dq_check IS
'The data-quality gate''s checks, as data: change severity, threshold or is_enabled with '
'UPDATE. check_function is an etl.dq_* function (p_target text, p_threshold numeric) '
'returning one row (observed, passed, detail). A failed error check fails the run; a '
'failed warning is recorded and notified. Grain: one row per check.';

CREATE TABLE etl.dq_result (
    result_id bigint GENERATED ALWAYS AS IDENTITY,
    run_id bigint,
    check_name text NOT NULL,
    severity text NOT NULL,
    threshold numeric NOT NULL,
    observed numeric,
    passed boolean NOT NULL,
    detail text,
    checked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT dq_result_pkey PRIMARY KEY (result_id),
    CONSTRAINT dq_result_run_id_fkey FOREIGN KEY (run_id) REFERENCES etl.pipeline_run (run_id),
    CONSTRAINT dq_result_check_name_fkey FOREIGN KEY (check_name) REFERENCES etl.dq_check (check_name)
);
COMMENT ON TABLE etl.dq_result IS
'The outcome of each check each time the gate ran, with the severity and threshold it ran '
'with. run_id is NULL when the gate was called outside a run. Grain: one row per check per '
'gate run.';
CREATE INDEX dq_result_run_id_idx ON etl.dq_result (run_id);

INSERT INTO etl.dq_check (check_name, check_function, target, severity, threshold, description)
VALUES
(
    'batch_reconciliation', 'etl.dq_batch_reconciliation', NULL, 'error', 0,
    'Batches whose records read <> accepted + rejected + pending, or whose kept rows disagree.'
),
(
    'unknown_members', 'etl.dq_unknown_members', NULL, 'error', 0.01,
    'Largest share of a fact table''s rows keyed to an unknown (-1) dimension member.'
),
(
    'scd2_invariants', 'etl.dq_scd2_invariants', NULL, 'error', 0,
    'Machine, product and customer codes with overlapping versions or not exactly one current row.'
),
(
    'overlapping_runs', 'etl.dq_overlapping_runs', NULL, 'error', 0,
    'Pairs of production runs of one machine that overlap in time (OEE would count the time twice).'
),
(
    'performance_above_one', 'etl.dq_performance_above_one', NULL, 'warning', 0,
    'Machine-days whose performance is above 1: the ideal cycle time is too long or counts are wrong.'
),
(
    'missing_exchange_rates', 'etl.dq_missing_exchange_rates', NULL, 'error', 0,
    'Days on which an amount needs a rate to the reporting currency that is missing.'
),
(
    'freshness_production_runs', 'etl.dq_feed_freshness', 'production_runs', 'warning', 36,
    'Hours since the feed last delivered a file.'
),
(
    'freshness_downtime_events', 'etl.dq_feed_freshness', 'downtime_events', 'warning', 36,
    'Hours since the feed last delivered a file.'
),
(
    'freshness_sensor_readings', 'etl.dq_feed_freshness', 'sensor_readings', 'warning', 36,
    'Hours since the feed last delivered a file.'
),
(
    'freshness_gl_entries', 'etl.dq_feed_freshness', 'gl_entries', 'warning', 36,
    'Hours since the feed last delivered a file.'
),
(
    'freshness_sales_lines', 'etl.dq_feed_freshness', 'sales_lines', 'warning', 36,
    'Hours since the feed last delivered a file.'
),
(
    'freshness_fx_rates', 'etl.dq_feed_freshness', 'fx_rates', 'warning', 36,
    'Hours since the feed last delivered a file.'
),
(
    'volume_production_runs', 'etl.dq_daily_volume', 'production_runs', 'warning', 0.5,
    'Relative distance of the latest day''s runs from the median of the 28 days before it.'
),
(
    'volume_downtime_events', 'etl.dq_daily_volume', 'downtime_events', 'warning', 0.5,
    'Relative distance of the latest day''s stops from the median of the 28 days before it.'
),
(
    'volume_sensor_readings', 'etl.dq_daily_volume', 'sensor_readings', 'warning', 0.5,
    'Relative distance of the latest day''s readings from the median of the 28 days before it.'
);

INSERT INTO etl.setting (setting_name, setting_value, description)
VALUES
(
    'notify_on_success', 'true',
    'Send the success notification too (the failure one is always sent).'
),
(
    'notify_webhook_url', '',
    'Webhook for run notifications (JSON POST, Slack-compatible "text"). Empty: none. '
    'The environment variable HUB_WEBHOOK_URL wins; keep secret URLs there.'
),
(
    'notify_email_to', '',
    'Comma-separated recipients of run notifications. Empty: no e-mail. HUB_EMAIL_TO wins.'
),
(
    'notify_email_from', 'hub@localhost',
    'Sender of notification e-mails. HUB_EMAIL_FROM wins.'
),
(
    'notify_smtp_host', '',
    'SMTP server for notification e-mails (host or host:port). HUB_SMTP_HOST wins. The '
    'password only ever comes from HUB_SMTP_PASSWORD.'
);

-- The gate replaces the exchange-rate step of 0010.
DELETE FROM etl.pipeline_step
WHERE step_order = 900;
INSERT INTO etl.pipeline_step (step_order, routine_schema, routine_name, description)
VALUES
(
    900, 'etl', 'check_data_quality',
    'The data-quality gate: runs every enabled check of etl.dq_check; a failed error check fails the run.'
);
DROP PROCEDURE IF EXISTS etl.check_exchange_rates();

-- run_pipeline gains the run it belongs to (a new parameter is a new overload).
DROP PROCEDURE IF EXISTS etl.run_pipeline();
