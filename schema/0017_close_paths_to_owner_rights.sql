-- 0017_close_paths_to_owner_rights.sql
-- hub_etl executes only the routines meant for it (an allow-list: each such routine's file
-- grants EXECUTE; docs/security.md lists them) and writes no etl table directly.
--   - New etl routines are no longer executable by hub_etl by default; the grants that
--     0001's default privileges gave are taken back here and given again, routine by
--     routine, by the procedure files (applied after this file).
--   - Rejections the loader finds itself (malformed records, a whole file rejected) go to
--     staging.rejected_row, which hub_etl may only append to; etl.close_batch moves the
--     rows of its own batch (which must be loading) into etl.rejected_row.
--   - hub_etl reads the run history views (pipeline_runs, pipeline_run_steps,
--     data_quality_results) that load and run print; their files grant SELECT.
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA etl
REVOKE EXECUTE ON ROUTINES FROM hub_etl;
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA etl FROM hub_etl;

REVOKE INSERT ON etl.rejected_row FROM hub_etl;

CREATE TABLE staging.rejected_row (
    batch_id bigint NOT NULL,
    file_line bigint NOT NULL,
    reason_code text NOT NULL,
    column_name text,
    message text NOT NULL,
    raw_values jsonb NOT NULL
);
COMMENT ON TABLE staging.rejected_row IS
'Rejections found by the loader itself (malformed records, a whole file rejected) on their '
'way to etl.rejected_row: etl.close_batch moves the rows of the batch it closes. hub_etl '
'may only insert here. Grain: one row per rejected record, until its batch is closed.';
GRANT INSERT ON staging.rejected_row TO hub_etl;

GRANT USAGE ON SCHEMA reporting TO hub_etl;
