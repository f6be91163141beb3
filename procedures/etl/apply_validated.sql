-- requires: etl/staging_partition_name.sql
-- requires: etl/reason_message.sql
-- requires: etl/ensure_partitions.sql
-- requires: etl/analyze_partitions.sql
CREATE OR REPLACE PROCEDURE etl.apply_validated(p_batch_id bigint, p_feed_name text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET work_mem = '256MB'
AS $$
/*
 * The half of every feed's validation that does not depend on the feed. The caller
 * (etl.validate_<feed>) has classified the batch's staged rows into pg_temp.validated:
 * the clean table's columns, typed, plus check_reason / check_column / check_detail
 * (NULL when the row is good; 'plant_unknown' when it must wait) and check_keep.
 * This procedure:
 *   0. rejects good rows whose codes are longer than etl.feed_column.max_length, or whose
 *      date or time columns lie outside their plausible window (etl.plausible_window,
 *      defaults in etl.setting), as value_not_allowed;
 *   1. finds duplicate keys among the good rows: conflicting ones are all rejected as
 *      duplicate_key; identical ones are all accepted and stored once;
 *   2. writes rejected rows (with raw values and a message) and pending rows;
 *   3. clears pending rows that this pass resolved (retries);
 *   4. stores the good rows in clean.<table>: a later batch restates a key, an older
 *      one (a retried pending row) never overwrites a newer one. Small feeds upsert on
 *      the table's primary key; a feed with a time_column (sensor readings) has no
 *      unique index and replaces its keys within the batch's time range instead;
 *   5. adds the counts to etl.batch and empties the batch's staging partition, so that
 *      calling the validation again is a no-op.
 */
DECLARE
    v_batch etl.batch%ROWTYPE;
    v_feed etl.feed%ROWTYPE;
    v_key text;
    v_key_label text;
    v_values text;
    v_columns text;
    v_updates text;
    v_accepted bigint;
    v_rejected bigint;
    v_pending bigint;
    v_stored bigint;
    v_partition text;
    v_key_c text;
    v_key_v text;
    v_from timestamptz;
    v_to timestamptz;
    v_limits text;
BEGIN
    -- The batch must exist, be loading and be of this feed (etl.retry_pending marks a
    -- batch it validates again as loading for its own transaction).
    SELECT b.* INTO v_batch
    FROM etl.batch AS b
    WHERE b.batch_id = p_batch_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'etl.validate_%: batch % does not exist', p_feed_name, p_batch_id
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Register the file with etl.register_batch first.';
    ELSIF v_batch.feed_name IS DISTINCT FROM p_feed_name THEN
        RAISE EXCEPTION 'etl.validate_%: batch % (%) is of feed %, not %', p_feed_name, p_batch_id,
            v_batch.file_name, v_batch.feed_name, p_feed_name
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'Call the etl.validate_<feed> of the batch''s own feed.';
    ELSIF v_batch.status <> 'loading' THEN
        RAISE EXCEPTION 'etl.validate_%: batch % (%) is %, not loading', p_feed_name, p_batch_id,
            v_batch.file_name, v_batch.status
            USING ERRCODE = 'object_not_in_prerequisite_state',
                HINT = 'Only a batch being loaded is validated; etl.retry_pending validates pending records again.';
    END IF;

    SELECT f.* INTO v_feed
    FROM etl.feed AS f
    WHERE f.feed_name = p_feed_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'etl.apply_validated: unknown feed %', p_feed_name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF to_regclass('pg_temp.validated') IS NULL THEN
        RAISE EXCEPTION 'etl.apply_validated: pg_temp.validated does not exist'
            USING ERRCODE = 'undefined_table',
                HINT = 'Call etl.validate_' || p_feed_name || ', which builds it.';
    END IF;

    SELECT
        string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum),
        string_agg(format('%1$I = excluded.%1$I', a.attname), ', ' ORDER BY a.attnum),
        string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) FILTER (
            WHERE a.attname <> ALL (v_feed.key_columns || ARRAY['batch_id', 'file_line']::name [])
        )
    INTO v_columns, v_updates, v_values
    FROM pg_catalog.pg_attribute AS a
    WHERE a.attrelid = format('clean.%I', v_feed.clean_table)::regclass
        AND a.attnum > 0
        AND NOT a.attisdropped;
    SELECT
        string_agg(format('%I', k), ', '),
        string_agg(k, ', '),
        string_agg(format('c.%I', k), ', '),
        string_agg(format('v.%I', k), ', ')
    INTO v_key, v_key_label, v_key_c, v_key_v
    FROM unnest(v_feed.key_columns) AS k;

    ANALYZE pg_temp.validated;

    -- 0. Codes too long to index, then plausible windows; the first column names the
    --    rejection. One statement (one pass over the batch) tries them all in that order.
    SELECT string_agg(w.branch, '' ORDER BY w.rank, w.ordinal, w.column_name) INTO v_limits
    FROM (
        SELECT
            1 AS rank,
            c.ordinal,
            c.column_name,
            format(
                E'\n            WHEN length(v.%1$I::text) > %2$s THEN ARRAY[%1$L, %3$L]',
                c.column_name, c.max_length, format('longer than %s characters', c.max_length)
            ) AS branch
        FROM etl.feed_column AS c
        INNER JOIN pg_catalog.pg_attribute AS a
            ON a.attrelid = 'pg_temp.validated'::regclass
            AND a.attname = c.column_name
            AND NOT a.attisdropped
        WHERE c.feed_name = p_feed_name AND c.max_length IS NOT NULL
        UNION ALL
        SELECT
            2,
            0,
            p.column_name,
            format(
                E'\n            WHEN v.%1$I < %3$s OR v.%1$I >= %4$s THEN ARRAY[%1$L, %2$L]',
                p.column_name,
                format('outside the plausible window %s to %s (etl.plausible_window)', p.earliest, p.latest),
                CASE WHEN p.is_date THEN format('%L::date', p.earliest)
                    ELSE format('(%L::timestamp AT TIME ZONE %L)', p.earliest, 'UTC') END,
                CASE WHEN p.is_date THEN format('%L::date', p.latest + 1)
                    ELSE format('(%L::timestamp AT TIME ZONE %L)', p.latest + 1, 'UTC') END
            )
        FROM (
            SELECT
                pw.column_name,
                a.atttypid = 'pg_catalog.date'::pg_catalog.regtype AS is_date,
                coalesce(pw.earliest, s_from.setting_value::date) AS earliest,
                (
                    (now() AT TIME ZONE 'UTC')::date
                    + coalesce(pw.days_ahead, s_ahead.setting_value::integer)
                ) AS latest
            FROM etl.plausible_window AS pw
            INNER JOIN pg_catalog.pg_attribute AS a
                ON a.attrelid = 'pg_temp.validated'::regclass
                AND a.attname = pw.column_name
                AND NOT a.attisdropped
            CROSS JOIN etl.setting AS s_from
            CROSS JOIN etl.setting AS s_ahead
            WHERE pw.feed_name = p_feed_name
                AND s_from.setting_name = 'plausible_earliest_date'
                AND s_ahead.setting_name = 'plausible_days_ahead'
        ) AS p
    ) AS w;
    IF v_limits IS NOT NULL THEN
        EXECUTE format(
            $sql$
            UPDATE pg_temp.validated AS v
            SET
                check_reason = 'value_not_allowed',
                check_column = (%1$s)[1],
                check_detail = (%1$s)[2]
            WHERE v.check_reason IS NULL AND (%1$s) IS NOT NULL
            $sql$,
            format(E'CASE%s\n        END', v_limits)
        );
    END IF;

    -- 1. Duplicate keys within the batch: a hash aggregate finds the few keys seen twice,
    --    the window functions then run over those rows only.
    EXECUTE format(
        $sql$
        WITH dup_key AS (
            SELECT %1$s
            FROM pg_temp.validated AS t
            WHERE t.check_reason IS NULL
            GROUP BY %1$s
            HAVING count(*) > 1
        ),
        dup AS (
            SELECT
                t.file_line,
                %1$s,
                count(*) OVER (PARTITION BY %1$s) AS n_key,
                count(*) OVER (PARTITION BY %1$s, %2$s) AS n_same,
                row_number() OVER (PARTITION BY %1$s, %2$s ORDER BY t.file_line) AS rn
            FROM pg_temp.validated AS t
            INNER JOIN dup_key USING (%1$s)
            WHERE t.check_reason IS NULL
        ),
        conflict AS (
            SELECT %1$s, string_agg(dup.file_line::text, ', ' ORDER BY dup.file_line) AS lines
            FROM dup
            WHERE dup.n_key > dup.n_same
            GROUP BY %1$s
        )
        UPDATE pg_temp.validated AS v
        SET
            check_reason = CASE WHEN d.n_key > d.n_same THEN 'duplicate_key' END,
            check_column = CASE WHEN d.n_key > d.n_same THEN %3$L END,
            check_detail = c.lines,
            check_keep = (d.n_key = d.n_same AND d.rn = 1)
        FROM dup AS d
        LEFT JOIN conflict AS c USING (%1$s)
        WHERE v.file_line = d.file_line
        $sql$,
        v_key, v_values, v_key_label
    );

    -- 2. Rejected and pending rows, with the raw values as read.
    v_partition := format('staging.%I', etl.staging_partition_name(p_feed_name, p_batch_id));
    IF EXISTS (SELECT 1 FROM pg_temp.validated AS t WHERE t.check_reason IS NOT NULL) THEN
        EXECUTE format(
            $sql$
            WITH bad AS (
                SELECT
                    v.file_line,
                    v.check_reason AS reason_code,
                    v.check_column AS column_name,
                    v.check_detail AS detail,
                    to_jsonb(s) - 'batch_id' - 'file_line' AS raw_values
                FROM pg_temp.validated AS v
                INNER JOIN %1$s AS s
                    ON v.file_line = s.file_line
                WHERE v.check_reason IS NOT NULL
            ),
            rejected AS (
                INSERT INTO etl.rejected_row (
                    batch_id, file_line, reason_code, column_name, message, raw_values
                )
                SELECT
                    $1, b.file_line, b.reason_code, b.column_name,
                    etl.reason_message(b.reason_code, b.column_name, b.raw_values, b.detail),
                    b.raw_values
                FROM bad AS b
                WHERE b.reason_code <> 'plant_unknown'
                RETURNING 1
            ),
            pending AS (
                INSERT INTO etl.pending_record (
                    batch_id, file_line, feed_name, reason_code, message, raw_values
                )
                SELECT
                    $1, b.file_line, $2, b.reason_code,
                    etl.reason_message(b.reason_code, b.column_name, b.raw_values, b.detail),
                    b.raw_values
                FROM bad AS b
                WHERE b.reason_code = 'plant_unknown'
                ON CONFLICT (batch_id, file_line) DO UPDATE
                SET
                    attempts = etl.pending_record.attempts + 1,
                    last_tried_at = clock_timestamp(),
                    message = excluded.message
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM rejected), (SELECT count(*) FROM pending)
            $sql$,
            v_partition
        ) INTO v_rejected, v_pending USING p_batch_id, p_feed_name;
    ELSE
        v_rejected := 0;
        v_pending := 0;
    END IF;

    -- 3. Pending rows of this batch that this pass accepted or rejected are resolved.
    IF EXISTS (SELECT 1 FROM etl.pending_record AS p WHERE p.batch_id = p_batch_id) THEN
        DELETE FROM etl.pending_record AS p
        USING pg_temp.validated AS v
        WHERE p.batch_id = p_batch_id
            AND p.file_line = v.file_line
            AND v.check_reason IS DISTINCT FROM 'plant_unknown';
    END IF;

    -- 4. Good rows into clean: the later batch wins, identical duplicates stored once.
    IF v_feed.time_column IS NULL THEN
        EXECUTE format(
            $sql$
            INSERT INTO clean.%1$I AS c (%2$s)
            SELECT %2$s
            FROM pg_temp.validated AS v
            WHERE v.check_reason IS NULL AND v.check_keep
            ON CONFLICT (%3$s) DO UPDATE
            SET %4$s
            WHERE c.batch_id <= excluded.batch_id
            $sql$,
            v_feed.clean_table, v_columns, v_key, v_updates
        );
        GET DIAGNOSTICS v_stored = ROW_COUNT;
        -- The incremental steps read the batches stored since they last ran.
        IF v_stored > 0 AND v_feed.notes_dirty_batches THEN
            INSERT INTO etl.dirty_batch (feed_name, batch_id)
            VALUES (p_feed_name, p_batch_id)
            ON CONFLICT (feed_name, batch_id) WHERE processed_at IS NULL DO NOTHING;
        END IF;
    ELSE
        -- A large feed has no unique index: its keys are replaced within the batch's own
        -- time range (which the BRIN index on the time column finds cheaply), then the
        -- rows are appended unless a newer batch already holds the key.
        EXECUTE format(
            'SELECT min(v.%1$I), max(v.%1$I) FROM pg_temp.validated AS v '
            'WHERE v.check_reason IS NULL AND v.check_keep',
            v_feed.time_column
        ) INTO v_from, v_to;
        -- A partitioned table gets the months of this batch first (old or future data).
        IF EXISTS (
            SELECT 1 FROM etl.partitioned_table AS t
            WHERE t.table_schema = 'clean' AND t.table_name = v_feed.clean_table
        ) THEN
            PERFORM etl.ensure_partitions('clean', v_feed.clean_table, v_from, v_to);
        END IF;
        EXECUTE format(
            $sql$
            DELETE FROM clean.%1$I AS c
            USING pg_temp.validated AS v
            WHERE v.check_reason IS NULL AND v.check_keep
                AND (%2$s) = (%3$s)
                AND c.batch_id <= v.batch_id
                AND c.%4$I BETWEEN $1 AND $2
            $sql$,
            v_feed.clean_table, v_key_c, v_key_v, v_feed.time_column
        ) USING v_from, v_to;
        EXECUTE format(
            $sql$
            INSERT INTO clean.%1$I (%2$s)
            SELECT %2$s
            FROM pg_temp.validated AS v
            WHERE v.check_reason IS NULL AND v.check_keep
                AND NOT EXISTS (
                    SELECT 1
                    FROM clean.%1$I AS c
                    WHERE (%3$s) = (%4$s)
                        AND c.batch_id > v.batch_id
                        AND c.%5$I BETWEEN $1 AND $2
                )
            $sql$,
            v_feed.clean_table, v_columns, v_key_c, v_key_v, v_feed.time_column
        ) USING v_from, v_to;
        GET DIAGNOSTICS v_stored = ROW_COUNT;
        -- The facts built from this feed recompute the hours of [v_from, v_to] next run.
        IF v_from IS NOT NULL THEN
            INSERT INTO etl.dirty_range (feed_name, batch_id, from_ts, to_ts)
            VALUES (p_feed_name, p_batch_id, v_from, v_to);
        END IF;
        -- Fresh statistics for the months a big batch wrote: planning the next steps on
        -- stale ones (say, an empty month) picks nested loops that run for minutes.
        IF v_stored >= 100000 THEN
            PERFORM etl.analyze_partitions('clean', v_feed.clean_table, v_from, v_to);
        END IF;
    END IF;

    -- 5. Counts, and the staging rows are done with.
    SELECT count(*) INTO v_accepted
    FROM pg_temp.validated AS v
    WHERE v.check_reason IS NULL;

    UPDATE etl.batch AS b
    SET
        records_accepted = b.records_accepted + v_accepted,
        records_rejected = (
            SELECT count(*) FROM etl.rejected_row AS r WHERE r.batch_id = p_batch_id
        ),
        records_pending = (
            SELECT count(*) FROM etl.pending_record AS p WHERE p.batch_id = p_batch_id
        )
    WHERE b.batch_id = p_batch_id;

    IF to_regclass(v_partition) IS NOT NULL THEN
        EXECUTE format('TRUNCATE %s', v_partition);
    END IF;
    DROP TABLE pg_temp.validated;

    RAISE NOTICE 'etl.validate_%: batch % accepted %, rejected %, pending %, stored %',
        p_feed_name, p_batch_id, v_accepted, v_rejected, v_pending, v_stored;
END;
$$;

COMMENT ON PROCEDURE etl.apply_validated (bigint, text) IS
'Feed-independent half of validation: duplicates, rejected and pending rows, upsert into '
'clean, batch counts. Called by every etl.validate_<feed>.';
