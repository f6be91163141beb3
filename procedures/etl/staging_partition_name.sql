CREATE OR REPLACE FUNCTION etl.staging_partition_name(
    p_feed_name text,
    p_batch_id bigint,
    p_half integer DEFAULT NULL
)
RETURNS text
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
AS $$
/*
 * The one naming rule of staging partitions: <feed>_b<batch_id> in schema staging, its two
 * halves (a file COPYed from two sessions) <feed>_b<batch_id>_1 and _2. Unqualified and
 * unquoted; callers quote it with format('staging.%I', ...). The loader asks for it too.
 */
SELECT p_feed_name || '_b' || p_batch_id || coalesce('_' || p_half, '');
$$;

COMMENT ON FUNCTION etl.staging_partition_name(text, bigint, integer) IS
'Name of the staging partition of a batch (or of one of its two halves), unqualified.';

GRANT EXECUTE ON FUNCTION etl.staging_partition_name(text, bigint, integer) TO hub_etl;
