-- 0010_add_exchange_rate_check.sql
-- The last step of the chain: a missing exchange rate fails the run, naming the currency
-- and date (the steps before it stay committed). The data-quality gate of the
-- orchestration slice will absorb this check.
INSERT INTO etl.pipeline_step (step_order, routine_schema, routine_name, description)
VALUES
(900, 'etl', 'check_exchange_rates', 'Fails the run when an amount needs an exchange rate that is missing.');
