CREATE OR REPLACE VIEW reporting.data_quality_results AS
/*
 * Each check's outcome each time the data-quality gate ran.
 */
SELECT
    d.run_id,
    d.check_name,
    d.severity,
    d.threshold,
    d.observed,
    d.passed,
    d.detail,
    d.checked_at
FROM etl.dq_result AS d;

COMMENT ON VIEW reporting.data_quality_results IS
'Outcomes of the data-quality gate (etl.dq_result). Grain: one row per check per gate run.';
COMMENT ON COLUMN reporting.data_quality_results.run_id IS 'Run id; NULL when the gate ran outside a run.';
COMMENT ON COLUMN reporting.data_quality_results.check_name IS 'The check (etl.dq_check).';
COMMENT ON COLUMN reporting.data_quality_results.severity IS 'error (fails the run) or warning.';
COMMENT ON COLUMN reporting.data_quality_results.threshold IS 'The threshold it ran with.';
COMMENT ON COLUMN reporting.data_quality_results.observed IS 'What it measured, in the unit of its threshold.';
COMMENT ON COLUMN reporting.data_quality_results.passed IS 'Whether the observed value was within the threshold.';
COMMENT ON COLUMN reporting.data_quality_results.detail IS 'What it found, in words.';
COMMENT ON COLUMN reporting.data_quality_results.checked_at IS 'When it ran.';

-- scripts/hub load and run (as hub_etl) print a run's outcome from this view.
GRANT SELECT ON reporting.data_quality_results TO hub_etl;
