-- 0008_create_dw_facts.sql
-- The facts of the OEE slice: additive measures only (seconds, counts, ideal-output
-- seconds), each row keyed to the dimension versions valid at its start. The natural
-- keys stay beside the surrogate keys so that a re-sequenced history can re-key facts.
-- Not partitioned: runs and stops are thousands a day, not millions (sensors will be).
CREATE TABLE dw.fact_production_run (
    run_id text NOT NULL,
    machine_key bigint NOT NULL,
    product_key bigint NOT NULL,
    shift_key bigint NOT NULL,
    plant_key bigint NOT NULL,
    production_date_key integer NOT NULL,
    machine_code text NOT NULL,
    product_sku text NOT NULL,
    production_date date NOT NULL,
    start_ts timestamptz NOT NULL,
    end_ts timestamptz NOT NULL,
    scheduled_s numeric NOT NULL,
    total_count bigint NOT NULL,
    good_count bigint NOT NULL,
    ideal_cycle_time_s numeric NOT NULL,
    ideal_output_s numeric NOT NULL,
    ideal_good_s numeric NOT NULL,
    batch_id bigint NOT NULL,
    CONSTRAINT fact_production_run_pkey PRIMARY KEY (run_id)
);
COMMENT ON TABLE dw.fact_production_run IS
'One production run. production_date is the plant-local date of start_ts (UTC while the '
'plant is unknown); ideal_output_s = ideal_cycle_time_s x total_count, ideal_good_s = '
'ideal_cycle_time_s x good_count. Grain: one row per run_id.';

CREATE INDEX fact_production_run_machine_code_start_ts_idx
ON dw.fact_production_run (machine_code, start_ts);

CREATE TABLE dw.fact_downtime_event (
    event_id text NOT NULL,
    machine_key bigint NOT NULL,
    reason_key bigint NOT NULL,
    machine_code text NOT NULL,
    reason_code text NOT NULL,
    start_ts timestamptz NOT NULL,
    end_ts timestamptz NOT NULL,
    duration_s numeric NOT NULL,
    is_planned boolean NOT NULL,
    batch_id bigint NOT NULL,
    CONSTRAINT fact_downtime_event_pkey PRIMARY KEY (event_id)
);
COMMENT ON TABLE dw.fact_downtime_event IS
'One stop of one machine, as reported (not yet clipped to runs). Grain: one row per event_id.';

CREATE INDEX fact_downtime_event_machine_code_start_ts_idx
ON dw.fact_downtime_event (machine_code, start_ts);

INSERT INTO etl.pipeline_step (step_order, routine_schema, routine_name, description)
VALUES
(20, 'dw', 'load_dim_small', 'Plants, shifts and downtime reasons (type 1).'),
(30, 'dw', 'load_dim_machine', 'Machine history (SCD2) from every version in clean.'),
(40, 'dw', 'load_dim_product', 'Product history (SCD2) from every version in clean.'),
(50, 'dw', 'load_fact_production_run', 'Production runs keyed to the versions valid at their start.'),
(60, 'dw', 'load_fact_downtime_event', 'Downtime events keyed to the versions valid at their start.');
