CREATE OR REPLACE VIEW reporting.pipeline_run_steps AS
/*
 * Each step of each run with its state, attempts, timing and rows written.
 */
SELECT
    s.run_id,
    s.step_order,
    s.routine_schema || '.' || s.routine_name AS step,
    s.state,
    s.attempts,
    s.started_at,
    s.finished_at,
    round(extract(EPOCH FROM s.finished_at - s.started_at)::numeric, 3) AS duration_s,
    s.rows_written,
    s.message
FROM etl.pipeline_run_step AS s;

COMMENT ON VIEW reporting.pipeline_run_steps IS
'The steps of each run (etl.pipeline_run_step). Grain: one row per run and step.';
COMMENT ON COLUMN reporting.pipeline_run_steps.run_id IS 'Run id (reporting.pipeline_runs).';
COMMENT ON COLUMN reporting.pipeline_run_steps.step_order IS 'Order of the step in the chain.';
COMMENT ON COLUMN reporting.pipeline_run_steps.step IS 'The procedure: schema.routine.';
COMMENT ON COLUMN reporting.pipeline_run_steps.state IS 'pending, running, success, failed or retrying.';
COMMENT ON COLUMN reporting.pipeline_run_steps.attempts IS 'Attempts so far (Airflow retries count).';
COMMENT ON COLUMN reporting.pipeline_run_steps.started_at IS 'Start of the latest attempt.';
COMMENT ON COLUMN reporting.pipeline_run_steps.finished_at IS 'End of the latest attempt.';
COMMENT ON COLUMN reporting.pipeline_run_steps.duration_s IS 'Seconds the latest attempt took.';
COMMENT ON COLUMN reporting.pipeline_run_steps.rows_written IS 'Rows inserted, updated or deleted in clean and dw.';
COMMENT ON COLUMN reporting.pipeline_run_steps.message IS 'The error of a failed or retrying attempt.';

-- scripts/hub load and run (as hub_etl) print a run's outcome from this view.
GRANT SELECT ON reporting.pipeline_run_steps TO hub_etl;
