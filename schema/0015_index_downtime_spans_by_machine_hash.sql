-- 0015_index_downtime_spans_by_machine_hash.sql
-- The GiST index that finds the stops overlapping a run (0011) keyed the machine by its
-- text code, through btree_gist: building it for a year of 200 machines (1 M stops) took
-- 45 s, and inserting row by row as long. Keyed by hashtext(machine_code), an integer, the
-- build takes 11 s; the queries add hashtext(r.machine_code) = hashtext(e.machine_code)
-- beside the code comparison to use it. dw.load_fact_downtime_event drops and rebuilds it
-- around bulk writes, with this definition.
DROP INDEX dw.fact_downtime_event_span_idx;
CREATE INDEX fact_downtime_event_span_idx
ON dw.fact_downtime_event USING gist (hashtext(machine_code), tstzrange(start_ts, end_ts));

-- The same for the runs, which the data-quality gate joins with themselves to find two runs
-- of one machine that overlap: by the btree on (machine_code, start_ts) that compared each
-- run with every earlier run of its machine (44 s for a year of 200 machines).
CREATE INDEX fact_production_run_span_idx
ON dw.fact_production_run USING gist (hashtext(machine_code), tstzrange(start_ts, end_ts));
