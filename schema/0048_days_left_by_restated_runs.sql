-- A run restated onto another day or machine leaves its old machine-day with the other
-- runs of that day, whose measures change: the quality gate checks the machine-days a run
-- touched, and those left behind are among them (found by a prober: a day left at a
-- performance of 1.5 went unchecked). dw.load_fact_production_run notes them here.

CREATE TABLE etl.dq_day_left (
    run_id bigint NOT NULL,
    machine_code text NOT NULL,
    production_date date NOT NULL,
    CONSTRAINT dq_day_left_pkey PRIMARY KEY (run_id, machine_code, production_date),
    CONSTRAINT dq_day_left_run_fkey FOREIGN KEY (run_id) REFERENCES etl.pipeline_run (run_id)
);

COMMENT ON TABLE etl.dq_day_left IS
'Machine-days that a pipeline run''s restated production runs left (moved to another day or '
'machine), which the quality gate checks with the days the run touched. Grain: one row per '
'pipeline run, machine and production date.';
COMMENT ON COLUMN etl.dq_day_left.run_id IS 'The pipeline run (etl.pipeline_run) that restated the runs.';
COMMENT ON COLUMN etl.dq_day_left.machine_code IS 'Machine of the day left.';
COMMENT ON COLUMN etl.dq_day_left.production_date IS 'Production date (plant-local) of the day left.';
