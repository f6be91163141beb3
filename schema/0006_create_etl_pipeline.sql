-- 0006_create_etl_pipeline.sql
-- The one ordered definition of the pipeline's steps, read by CALL etl.run_pipeline(),
-- by scripts/hub run and (later) by the Airflow DAG. Later slices add their steps here
-- with migrations that INSERT rows.
CREATE TABLE etl.pipeline_step (
    step_order integer NOT NULL,
    routine_schema text NOT NULL,
    routine_name text NOT NULL,
    description text NOT NULL,
    CONSTRAINT pipeline_step_pkey PRIMARY KEY (step_order),
    CONSTRAINT pipeline_step_routine_key UNIQUE (routine_schema, routine_name)
);
COMMENT ON TABLE etl.pipeline_step IS
'The ordered steps of a pipeline run; each is a procedure without arguments, run in its '
'own transaction. Grain: one row per step.';

INSERT INTO etl.pipeline_step (step_order, routine_schema, routine_name, description)
VALUES
(
    10, 'etl', 'retry_pending',
    'Validate again every record that was pending for want of its plant.'
);
