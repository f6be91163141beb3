-- requires: etl/apply_validated.sql
-- requires: etl/value_error.sql
-- requires: etl/value_missing.sql
-- requires: etl/has_utc_offset.sql
-- requires: etl/local_to_utc.sql
-- requires: etl/machine_zone.sql
-- requires: etl/machine_zone_at.sql
-- requires: etl/is_common_timestamp.sql
CREATE OR REPLACE PROCEDURE etl.validate_feed(
    p_batch_id bigint,
    p_feed_name text,
    p_rules text DEFAULT NULL,
    p_placed_rules text DEFAULT NULL
)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
/*
 * The validation of one staged batch, generated from the feed contract (etl.feed_column):
 * builds pg_temp.validated with one statement written here from the contract's rows, then
 * calls etl.apply_validated. Internal: only the etl.validate_<feed> procedures (running
 * as the owner) call it, and they pass their own cross-column rules:
 *   p_rules        CASE branches (WHEN ... THEN ARRAY[reason, column(, detail)]) tried
 *                  after the contract's checks and before local times are placed;
 *   p_placed_rules branches tried after local times are placed.
 * In those branches j.<column> is the trimmed (and case-folded) text, j.<column>_n the
 * number of a number column with a range or default, j.<column>_at the instant of a
 * timestamp; a value_not_allowed without a detail quotes the column's allowed_text.
 * The first failing check names the row's reason, in this order:
 *   1. column by column (etl.feed_column.ordinal): required_value_missing; the grammar
 *      of its type (etl.value_error), unknown_currency, a country or time zone that does
 *      not exist, a value not in allowed_values; offset_required (placed_by offset);
 *   2. column by column: the range min_value..max_value (range_reason);
 *   3. p_rules;
 *   4. a local time whose plant is unknown (plant_unknown, pending), then one that does
 *      not exist in its zone (nonexistent_local_time), timestamp by timestamp;
 *   5. p_placed_rules.
 */
DECLARE
    v_feed etl.feed%ROWTYPE;
    v_col record;
    v_src text := '';
    v_checks text := '';
    v_joins text := '';
    v_typed text := '';
    v_zoned text := '';
    v_placed text := '';
    v_ranges text := '';
    v_unknown text := '';
    v_gap text := '';
    v_out text := '';
    v_details text := '';
    v_zone_joins text := '';
    v_lookup integer := 0;
    v_numbered text[] := ARRAY[]::text[];
    v_sql text;
    v_orphan name;
    v_lean_src text := '';
    v_read text;
    v_lean_checks text := '';
    v_lean_typed text := '';
    v_lean boolean := TRUE;
    v_lean_sql text;
    v_lean_rows bigint := 0;
    v_staged bigint;
BEGIN
    SELECT f.* INTO v_feed
    FROM etl.feed AS f
    WHERE f.feed_name = p_feed_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'etl.validate_feed: unknown feed %', p_feed_name
            USING ERRCODE = 'invalid_parameter_value',
                HINT = 'The feeds are the rows of etl.feed.';
    END IF;

    FOR v_col IN
        SELECT c.*
        FROM etl.feed_column AS c
        WHERE c.feed_name = p_feed_name
        ORDER BY c.ordinal
    LOOP
        -- the value as read: trimmed, empty as NULL, case-folded
        v_read := CASE v_col.fold_case
            WHEN 'lower' THEN format('lower(nullif(btrim(s.%I), %L))', v_col.column_name, '')
            WHEN 'upper' THEN format('upper(nullif(btrim(s.%I), %L))', v_col.column_name, '')
            ELSE format('nullif(btrim(s.%I), %L)', v_col.column_name, '')
        END;
        v_src := v_src || format(E',\n            %s AS %I', v_read, v_col.column_name);
        -- On the lean path a value that its test proves (a number, date or timestamp) is
        -- used as read: the test passes only values without spaces around them, so
        -- trimming would change nothing (and costs a call a reference).
        v_lean_src := v_lean_src || format(
            E',\n            %s AS %I',
            CASE WHEN v_col.value_type IN ('timestamp', 'decimal', 'count', 'integer', 'date')
                THEN format('s.%I', v_col.column_name) ELSE v_read END,
            v_col.column_name
        );

        -- 1. presence and grammar
        IF v_col.is_required THEN
            v_checks := v_checks || format(
                E',\n                etl.value_missing(%1$L, src.%1$I)', v_col.column_name
            );
            v_lean_checks := v_lean_checks || format(' AND j.%I IS NOT NULL', v_col.column_name);
        END IF;
        -- the lean path (docs/performance.md): a row passes when every value is proven
        -- good by a test cheaper than the full grammar; the others take the full grammar
        IF v_col.value_type = 'timestamp' THEN
            v_lean_checks := v_lean_checks || format(
                ' AND (j.%1$I IS NULL OR etl.is_common_timestamp(j.%1$I))',
                v_col.column_name
            );
            v_lean_typed := v_lean_typed || format(
                E',\n            s.%1$I::timestamptz AS %2$I', v_col.column_name, v_col.column_name || '_at'
            );
        ELSIF v_col.value_type IN ('decimal', 'count', 'integer', 'date') THEN
            v_lean_checks := v_lean_checks || format(
                ' AND etl.value_error(%1$L, j.%1$I, %2$L) IS NULL',
                v_col.column_name,
                CASE v_col.value_type WHEN 'integer' THEN 'count' ELSE v_col.value_type END
            );
        ELSIF v_col.value_type IN ('currency', 'country', 'time_zone') THEN
            v_lean := FALSE;  -- lookups: small feeds, the full path only
        END IF;
        IF v_col.allowed_values IS NOT NULL THEN
            v_lean_checks := v_lean_checks || format(
                ' AND (j.%1$I IS NULL OR j.%1$I = ANY (%2$L::text []))', v_col.column_name, v_col.allowed_values
            );
        END IF;
        IF v_col.value_type IN ('decimal', 'count', 'integer', 'date', 'timestamp') THEN
            v_checks := v_checks || format(
                E',\n                etl.value_error(%1$L, src.%1$I, %2$L)',
                v_col.column_name,
                CASE v_col.value_type WHEN 'integer' THEN 'count' ELSE v_col.value_type END
            );
        ELSIF v_col.value_type IN ('currency', 'country') THEN
            v_lookup := v_lookup + 1;
            v_joins := v_joins || format(
                E'\n        LEFT JOIN etl.%1$I AS l%2$s\n            ON src.%3$I = l%2$s.%4$I',
                v_col.value_type, v_lookup, v_col.column_name, v_col.value_type || '_code'
            );
            v_checks := v_checks || format(
                E',\n                CASE WHEN src.%1$I IS NOT NULL AND l%2$s.%3$I IS NULL '
                || 'THEN ARRAY[%4$L, %1$L, %5$L] END',
                v_col.column_name, v_lookup, v_col.value_type || '_code',
                CASE v_col.value_type WHEN 'currency' THEN 'unknown_currency' ELSE 'value_not_allowed' END,
                v_col.allowed_text
            );
        ELSIF v_col.value_type = 'time_zone' THEN
            v_checks := v_checks || format(
                E',\n                CASE WHEN src.%1$I IS NOT NULL AND NOT EXISTS ('
                || 'SELECT 1 FROM zones AS z WHERE z.name = src.%1$I) '
                'THEN ARRAY[%2$L, %1$L, %3$L] END',
                v_col.column_name, 'value_not_allowed', v_col.allowed_text
            );
        END IF;
        IF v_col.allowed_values IS NOT NULL THEN
            v_checks := v_checks || format(
                E',\n                CASE WHEN src.%1$I <> ALL (%2$L::text []) '
                || 'THEN ARRAY[%3$L, %1$L, %4$L] END',
                v_col.column_name, v_col.allowed_values, 'value_not_allowed', v_col.allowed_text
            );
        END IF;
        IF v_col.placed_by = 'offset' THEN
            v_checks := v_checks || format(
                E',\n                CASE WHEN NOT etl.has_utc_offset(src.%1$I) '
                || 'THEN ARRAY[%2$L, %1$L] END',
                v_col.column_name, 'offset_required'
            );
        END IF;

        IF v_col.allowed_text IS NOT NULL THEN
            v_details := v_details || format(' WHEN %L THEN %L', v_col.column_name, v_col.allowed_text);
        END IF;

        -- typed values and 2. ranges
        IF v_col.value_type IN ('count', 'integer')
            OR v_col.min_value IS NOT NULL
            OR v_col.max_value IS NOT NULL
            OR v_col.default_value IS NOT NULL
        THEN
            v_numbered := v_numbered || v_col.column_name::text;
            v_lean_typed := v_lean_typed || format(
                E',\n            %s::numeric AS %I',
                CASE WHEN v_col.default_value IS NULL THEN format('s.%I', v_col.column_name)
                    ELSE format('coalesce(s.%I, %L)', v_col.column_name, v_col.default_value) END,
                v_col.column_name || '_n'
            );
            v_typed := v_typed || format(
                E',\n            CASE WHEN c.err IS NULL THEN %s::numeric END AS %I',
                CASE WHEN v_col.default_value IS NULL THEN format('c.%I', v_col.column_name)
                    ELSE format('coalesce(c.%I, %L)', v_col.column_name, v_col.default_value) END,
                v_col.column_name || '_n'
            );
        END IF;
        IF v_col.min_value IS NOT NULL THEN
            v_ranges := v_ranges || format(
                E'\n                WHEN j.%1$I %2$s %3$s THEN ARRAY[%4$L, %5$L, %6$L]',
                v_col.column_name || '_n', CASE WHEN v_col.min_exclusive THEN '<=' ELSE '<' END,
                v_col.min_value, v_col.range_reason, v_col.column_name, v_col.allowed_text
            );
        END IF;
        IF v_col.max_value IS NOT NULL THEN
            v_ranges := v_ranges || format(
                E'\n                WHEN j.%1$I > %2$s THEN ARRAY[%3$L, %4$L, %5$L]',
                v_col.column_name || '_n', v_col.max_value, v_col.range_reason,
                v_col.column_name, v_col.allowed_text
            );
        END IF;

        -- 4. timestamps: an offset gives the instant, a local time is placed in its zone
        IF v_col.value_type = 'timestamp' THEN
            v_typed := v_typed || format(
                E',\n            CASE WHEN c.err IS NULL AND etl.has_utc_offset(c.%1$I) '
                || E'THEN c.%1$I::timestamptz END AS %2$I,'
                || E'\n            CASE WHEN c.err IS NULL AND NOT etl.has_utc_offset(c.%1$I) '
                || 'THEN c.%1$I::timestamp END AS %3$I',
                v_col.column_name, v_col.column_name || '_utc', v_col.column_name || '_local'
            );
            v_zoned := v_zoned || format(
                E',\n            CASE WHEN t.%1$I IS NOT NULL THEN %2$s END AS %3$I',
                v_col.column_name || '_local',
                CASE v_col.placed_by
                    WHEN 'own_zone' THEN 't.timezone'
                    WHEN 'plant' THEN 'pz.timezone'
                    WHEN 'machine' THEN format(
                        'coalesce(mz.single_zone, etl.machine_zone_at(t.machine_code, t.%I))',
                        v_col.column_name || '_local'
                    )
                    ELSE 'NULL::text'
                END,
                v_col.column_name || '_zone'
            );
            v_placed := v_placed || format(
                E',\n            coalesce(zz.%1$I, etl.local_to_utc(zz.%2$I, zz.%3$I)) AS %4$I',
                v_col.column_name || '_utc', v_col.column_name || '_local',
                v_col.column_name || '_zone', v_col.column_name || '_at'
            );
            IF v_col.placed_by IN ('plant', 'machine') THEN
                v_unknown := v_unknown || format(
                    E'\n                WHEN j.%1$I IS NOT NULL AND j.%2$I IS NULL '
                    || 'THEN ARRAY[%3$L, %4$L, %5$s]',
                    v_col.column_name || '_local', v_col.column_name || '_zone', 'plant_unknown',
                    v_col.column_name,
                    CASE v_col.placed_by
                        WHEN 'plant' THEN format('format(%L, j.plant_code)', 'plant %s is not known yet')
                        ELSE format('format(%L, j.machine_code)', 'the plant of machine %s is not known yet')
                    END
                );
                v_zone_joins := CASE v_col.placed_by
                    WHEN 'plant' THEN E'\n        LEFT JOIN plant_zone AS pz\n            ON t.plant_code = pz.plant_code'
                    ELSE E'\n        LEFT JOIN etl.machine_zone AS mz\n            ON t.machine_code = mz.machine_code'
                END;
            END IF;
            v_gap := v_gap || format(
                E'\n                WHEN j.%1$I IS NOT NULL AND j.%2$I IS NULL THEN ARRAY[%3$L, %4$L, j.%5$I]',
                v_col.column_name || '_local', v_col.column_name || '_at', 'nonexistent_local_time',
                v_col.column_name, v_col.column_name || '_zone'
            );
        END IF;
    END LOOP;

    -- what etl.apply_validated stores: the clean table's columns, typed, each of them a
    -- column of the contract
    SELECT a.attname INTO v_orphan
    FROM pg_catalog.pg_attribute AS a
    WHERE a.attrelid = format('clean.%I', v_feed.clean_table)::pg_catalog.regclass
        AND a.attnum > 0
        AND NOT a.attisdropped
        AND a.attname NOT IN ('batch_id', 'file_line')
        AND NOT EXISTS (
            SELECT 1
            FROM etl.feed_column AS c
            WHERE c.feed_name = p_feed_name AND c.column_name = a.attname
        )
    ORDER BY a.attnum
    LIMIT 1;
    IF v_orphan IS NOT NULL THEN
        RAISE EXCEPTION 'etl.validate_feed: clean.%.% has no row in etl.feed_column',
            v_feed.clean_table, v_orphan
            USING ERRCODE = 'invalid_table_definition',
                HINT = 'The migration that adds a column adds its row to the feed contract too.';
    END IF;
    SELECT string_agg(
        format(
            E',\n        %s AS %I',
            CASE
                WHEN c.value_type = 'timestamp' THEN format('j.%I', c.column_name || '_at')
                WHEN a.atttypid = 'pg_catalog.text'::pg_catalog.regtype THEN format('j.%I', c.column_name)
                WHEN c.column_name = ANY (v_numbered) AND a.atttypid = 'pg_catalog.numeric'::pg_catalog.regtype
                    THEN format('j.%I', c.column_name || '_n')
                ELSE format(
                    'CASE WHEN j.reason IS NULL THEN j.%I::%s END',
                    CASE WHEN c.column_name = ANY (v_numbered) THEN c.column_name || '_n' ELSE c.column_name END,
                    pg_catalog.format_type(a.atttypid, a.atttypmod)
                )
            END,
            a.attname
        ),
        '' ORDER BY a.attnum
    ) INTO v_out
    FROM pg_catalog.pg_attribute AS a
    INNER JOIN etl.feed_column AS c
        ON c.feed_name = p_feed_name AND c.column_name = a.attname
    WHERE a.attrelid = format('clean.%I', v_feed.clean_table)::pg_catalog.regclass
        AND a.attnum > 0
        AND NOT a.attisdropped;

    DROP TABLE IF EXISTS pg_temp.validated;
    v_lean := v_lean AND coalesce((
        SELECT st.setting_value <> 'full'
        FROM etl.setting AS st
        WHERE st.setting_name = 'validation_path'
    ), TRUE);
    IF v_lean THEN
        -- The lean path first: the rows whose every value passes a cheap test that implies
        -- the full grammar, typed by one cast each. A value of a common shape that is no
        -- date at all makes a cast raise: then the whole batch takes the full grammar.
        v_lean_sql := format(
            $sql$
CREATE TEMP TABLE validated AS
SELECT
    %3$s::bigint AS batch_id,
    j.file_line,
    NULL::text AS check_reason,
    NULL::text AS check_column,
    NULL::text AS check_detail,
    TRUE AS check_keep%6$s
FROM (
    SELECT
        s.file_line%1$s,
        NULL::text [] AS reason%4$s
    FROM staging.%2$I AS s
    WHERE s.batch_id = %3$s
) AS j
WHERE TRUE%5$s
    AND CASE
        WHEN FALSE THEN NULL::text []%7$s%8$s
        %9$s
    END IS NULL
            $sql$,
            v_lean_src, p_feed_name, p_batch_id, v_lean_typed, v_lean_checks, v_out, v_ranges,
            coalesce(p_rules, ''), coalesce(p_placed_rules, '')
        );
        BEGIN
            EXECUTE v_lean_sql;
            GET DIAGNOSTICS v_lean_rows = ROW_COUNT;
        EXCEPTION
            WHEN data_exception THEN
                v_lean := FALSE;
                v_lean_rows := 0;
        END;
    END IF;
    UPDATE etl.batch AS b
    SET lean_rows = CASE WHEN v_lean THEN coalesce(b.lean_rows, 0) + v_lean_rows ELSE b.lean_rows END
    WHERE b.batch_id = p_batch_id;
    IF v_lean THEN
        EXECUTE format('SELECT count(*) FROM staging.%I AS s WHERE s.batch_id = $1', p_feed_name)
        INTO v_staged USING p_batch_id;
    END IF;
    -- The full grammar: every row, or (after the lean path) the rows it did not prove good.
    IF NOT v_lean OR v_staged > v_lean_rows THEN
        v_sql := format(
            $sql$
%17$s
WITH zones AS (
    SELECT z.name FROM pg_catalog.pg_timezone_names AS z
),

plant_zone AS (
    SELECT DISTINCT ON (p.plant_code)
        p.plant_code,
        p.timezone
    FROM clean.plant AS p
    ORDER BY p.plant_code ASC, p.updated_at DESC
),

src AS (
    SELECT
        s.file_line%1$s
    FROM staging.%2$I AS s
    WHERE s.batch_id = %3$s%18$s
),

checked AS MATERIALIZED (
    SELECT
        src.*,
        coalesce(
            NULL::text []%4$s
        ) AS err
    FROM src%5$s
),

typed AS (
    SELECT
        c.*%6$s
    FROM checked AS c
),

zoned AS (
    SELECT
        t.*%7$s
    FROM typed AS t%8$s
),

placed AS MATERIALIZED (
    SELECT
        zz.*%9$s
    FROM zoned AS zz
),

judged AS (
    SELECT
        j.*,
        CASE
            WHEN j.err IS NOT NULL THEN j.err%10$s
            %11$s%12$s%13$s
            %14$s
        END AS reason
    FROM placed AS j
)

SELECT
    %3$s::bigint AS batch_id,
    j.file_line,
    j.reason[1] AS check_reason,
    j.reason[2] AS check_column,
    CASE
        WHEN j.reason[1] = 'value_not_allowed'
            THEN coalesce(j.reason[3], CASE j.reason[2]%16$s END)
        ELSE j.reason[3]
    END AS check_detail,
    TRUE AS check_keep%15$s
FROM judged AS j
            $sql$,
            v_src, p_feed_name, p_batch_id, v_checks, v_joins, v_typed, v_zoned, v_zone_joins,
            v_placed, v_ranges, coalesce(p_rules, ''), v_unknown, v_gap, coalesce(p_placed_rules, ''),
            v_out, coalesce(nullif(v_details, ''), ' WHEN NULL THEN NULL'),
            CASE WHEN v_lean THEN 'INSERT INTO pg_temp.validated' ELSE 'CREATE TEMP TABLE validated AS' END,
            CASE WHEN v_lean THEN E'\n        AND NOT EXISTS (SELECT 1 FROM pg_temp.validated AS l WHERE l.file_line = s.file_line)'
                ELSE '' END
        );

        EXECUTE v_sql;
    END IF;

    CALL etl.apply_validated(p_batch_id, p_feed_name);
END;
$$;

COMMENT ON PROCEDURE etl.validate_feed (bigint, text, text, text) IS
'Validates one staged batch with the checks generated from etl.feed_column plus the '
'calling etl.validate_<feed>''s own cross-column rules; internal.';
