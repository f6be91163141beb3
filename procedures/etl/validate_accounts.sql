-- requires: etl/apply_validated.sql
-- requires: etl/value_error.sql
-- requires: etl/value_missing.sql
-- requires: etl/has_utc_offset.sql
CREATE OR REPLACE PROCEDURE etl.validate_accounts(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one accounts batch into clean.account (one row per
 * account and updated_at). Checks: required values; account_type cost or revenue;
 * cost_category one of material, labor, energy, maintenance, depreciation, overhead for
 * a cost account and empty for a revenue account; updated_at an ISO 8601 timestamp with
 * a UTC offset (an account has no plant whose zone could place it).
 */
BEGIN
    DROP TABLE IF EXISTS pg_temp.validated;
    CREATE TEMP TABLE validated AS
    WITH src AS (
        SELECT
            s.file_line,
            nullif(btrim(s.account_code), '') AS account_code,
            nullif(btrim(s.account_name), '') AS account_name,
            lower(nullif(btrim(s.account_type), '')) AS account_type,
            lower(nullif(btrim(s.cost_category), '')) AS cost_category,
            nullif(btrim(s.updated_at), '') AS updated_at
        FROM staging.accounts AS s
        WHERE s.batch_id = p_batch_id
    ),

    checked AS MATERIALIZED (
        SELECT
            src.*,
            coalesce(
                etl.value_missing('account_code', src.account_code),
                etl.value_missing('account_name', src.account_name),
                etl.value_missing('account_type', src.account_type),
                CASE
                    WHEN src.account_type NOT IN ('cost', 'revenue')
                        THEN ARRAY['value_not_allowed', 'account_type']
                END,
                CASE
                    WHEN src.account_type = 'cost' AND src.cost_category IS NULL
                        THEN ARRAY['required_value_missing', 'cost_category']
                    WHEN src.account_type = 'cost'
                        AND src.cost_category NOT IN (
                            'material', 'labor', 'energy', 'maintenance', 'depreciation', 'overhead'
                        )
                        THEN ARRAY['value_not_allowed', 'cost_category']
                    WHEN src.account_type = 'revenue' AND src.cost_category IS NOT NULL
                        THEN ARRAY['value_not_allowed', 'cost_category']
                END,
                etl.value_missing('updated_at', src.updated_at),
                etl.value_error('updated_at', src.updated_at, 'timestamp'),
                CASE
                    WHEN NOT etl.has_utc_offset(src.updated_at)
                        THEN ARRAY['offset_required', 'updated_at']
                END
            ) AS err
        FROM src
    )

    SELECT
        c.account_code,
        CASE WHEN c.err IS NULL THEN c.updated_at::timestamptz END AS updated_at,
        c.account_name,
        c.account_type,
        c.cost_category,
        p_batch_id AS batch_id,
        c.file_line,
        c.err[1] AS check_reason,
        c.err[2] AS check_column,
        CASE
            WHEN c.err[2] = 'account_type' THEN 'one of cost, revenue'
            WHEN c.err[2] = 'cost_category' AND c.account_type = 'revenue'
                THEN 'a revenue account has no cost category; leave it empty'
            WHEN c.err[2] = 'cost_category'
                THEN 'one of material, labor, energy, maintenance, depreciation, overhead'
        END AS check_detail,
        TRUE AS check_keep
    FROM checked AS c;

    CALL etl.apply_validated(p_batch_id, 'accounts');
END;
$$;

COMMENT ON PROCEDURE etl.validate_accounts (bigint) IS
'Validates one staged accounts batch into clean.account; bad rows to etl.rejected_row.';

GRANT EXECUTE ON PROCEDURE etl.validate_accounts(bigint) TO hub_etl;
