-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_accounts(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one accounts batch into clean.account (one row per
 * account and updated_at). The per-column checks come from the feed contract
 * (etl.feed_column, applied by etl.validate_feed; docs/feeds.md). This feed's own rule:
 * a cost account has a cost category (one of material, labor, energy, maintenance,
 * depreciation, overhead), a revenue account none.
 */
BEGIN
    CALL etl.validate_feed(
        p_batch_id, 'accounts',
        p_rules => $rules$
            WHEN j.account_type = 'cost' AND j.cost_category IS NULL
                THEN ARRAY['required_value_missing', 'cost_category']
            WHEN j.account_type = 'cost'
                AND j.cost_category NOT IN (
                    'material', 'labor', 'energy', 'maintenance', 'depreciation', 'overhead'
                )
                THEN ARRAY['value_not_allowed', 'cost_category']
            WHEN j.account_type = 'revenue' AND j.cost_category IS NOT NULL
                THEN ARRAY[
                    'value_not_allowed', 'cost_category',
                    'a revenue account has no cost category; leave it empty'
                ]
        $rules$
    );
END;
$$;

COMMENT ON PROCEDURE etl.validate_accounts (bigint) IS
'Validates one staged accounts batch into clean.account and etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_accounts(bigint) TO hub_etl;
