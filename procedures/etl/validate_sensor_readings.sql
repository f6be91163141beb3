-- requires: etl/validate_feed.sql
CREATE OR REPLACE PROCEDURE etl.validate_sensor_readings(p_batch_id bigint)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * Validates the staged rows of one sensor_readings batch into clean.sensor_reading (one
 * row per machine, metric and instant). The per-column checks come from the feed
 * contract (etl.feed_column, applied by etl.validate_feed; docs/feeds.md). This feed's
 * own rule: the value fits a double precision.
 */
BEGIN
    CALL etl.validate_feed(
        p_batch_id, 'sensor_readings',
        -- A double precision holds about 4.9e-324 to 1.8e308: beyond, the cast would fail
        -- the whole batch, so such a value is rejected here. Either bound needs more than
        -- 308 characters, which the first test sees cheaply.
        p_rules => $rules$
            WHEN length(j.value) > 308
                AND (
                    length(ltrim(split_part(j.value, '.', 1), '+-0')) > 308
                    OR (
                        ltrim(split_part(j.value, '.', 1), '+-0') = ''
                        AND ltrim(split_part(j.value, '.', 2), '0') <> ''
                        AND length(split_part(j.value, '.', 2))
                        - length(ltrim(split_part(j.value, '.', 2), '0')) >= 323
                    )
                )
                THEN ARRAY['value_not_allowed', 'value']
        $rules$
    );
END;
$$;

COMMENT ON PROCEDURE etl.validate_sensor_readings (bigint) IS
'Validates one staged sensor_readings batch into clean.sensor_reading, etl.rejected_row and etl.pending_record.';

GRANT EXECUTE ON PROCEDURE etl.validate_sensor_readings(bigint) TO hub_etl;
