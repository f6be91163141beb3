-- 0040_feed_contract_drives_checks.sql
-- etl.feed_column becomes the whole per-column contract of a feed: besides type, header
-- presence and max_length it now says whether a value is required, how its case is folded,
-- its allowed values or range (with the reason and the sentence a rejection quotes), the
-- value an empty optional column stands for, and how a timestamp without UTC offset is
-- placed. etl.check_feed_columns generates every feed's per-column checks from it; the
-- etl.validate_<feed> procedures keep only their cross-column rules (docs/decisions.md).

ALTER TABLE etl.feed_column
ADD COLUMN is_required boolean NOT NULL DEFAULT TRUE,
ADD COLUMN fold_case text,
ADD COLUMN allowed_values text[],
ADD COLUMN min_value numeric,
ADD COLUMN min_exclusive boolean NOT NULL DEFAULT FALSE,
ADD COLUMN max_value numeric,
ADD COLUMN range_reason text NOT NULL DEFAULT 'value_not_allowed',
ADD COLUMN allowed_text text,
ADD COLUMN default_value text,
ADD COLUMN placed_by text;

COMMENT ON COLUMN etl.feed_column.is_required IS
'An empty value is rejected (required_value_missing). False for optional columns and for a '
'value whose need depends on another column (the feed''s own rule).';
COMMENT ON COLUMN etl.feed_column.fold_case IS
'lower or upper: the value is case-folded after trimming (codes, enums); NULL: kept as sent.';
COMMENT ON COLUMN etl.feed_column.allowed_values IS
'The only values allowed (after folding); another one is value_not_allowed. NULL: any.';
COMMENT ON COLUMN etl.feed_column.min_value IS
'Smallest value allowed (a number column); below it the row gets range_reason. NULL: none.';
COMMENT ON COLUMN etl.feed_column.min_exclusive IS
'True: min_value itself is not allowed either (greater than, not at least).';
COMMENT ON COLUMN etl.feed_column.max_value IS
'Largest value allowed (a number column); above it the row gets range_reason. NULL: none.';
COMMENT ON COLUMN etl.feed_column.range_reason IS
'Reason code of a value outside min_value..max_value (value_not_allowed, negative_count).';
COMMENT ON COLUMN etl.feed_column.allowed_text IS
'What a value_not_allowed rejection of this column says is expected (the message''s end).';
COMMENT ON COLUMN etl.feed_column.default_value IS
'The value an empty optional column stands for (discount_pct: 0); NULL: stays empty.';
COMMENT ON COLUMN etl.feed_column.placed_by IS
'Timestamps only: how a value without UTC offset is placed. offset: it must carry one '
'(offset_required); own_zone: in the row''s timezone column; plant: in the zone of the '
'row''s plant_code; machine: in the zone of the row''s machine_code at that time (both '
'pending as plant_unknown while that plant is not known).';

UPDATE etl.feed_column SET is_required = NOT is_optional;
-- whether an account needs a cost category depends on its type: etl.validate_accounts
UPDATE etl.feed_column SET is_required = FALSE
WHERE feed_name = 'accounts' AND column_name = 'cost_category';

UPDATE etl.feed_column SET fold_case = 'upper'
WHERE value_type IN ('currency', 'country');
UPDATE etl.feed_column SET fold_case = 'lower'
WHERE value_type IN ('enum', 'boolean');

UPDATE etl.feed_column AS c
SET
    allowed_values = v.allowed_values,
    allowed_text = v.allowed_text
FROM (
    VALUES
    ('machines', 'status', '{active,idle,retired}'::text[], 'one of active, idle, retired'),
    ('accounts', 'account_type', '{cost,revenue}', 'one of cost, revenue'),
    ('downtime_events', 'is_planned', '{true,false}', 'true or false'),
    ('plants', 'country_code', NULL, 'an ISO 3166-1 alpha-2 code such as DE'),
    ('sales_lines', 'customer_country', NULL, 'an ISO 3166-1 alpha-2 code such as DE'),
    ('plants', 'timezone', NULL, 'an IANA time zone such as Europe/Berlin'),
    -- the sentences of the feeds' own value_not_allowed rules (etl.validate_<feed>)
    (
        'accounts', 'cost_category', NULL,
        'one of material, labor, energy, maintenance, depreciation, overhead'
    ),
    ('fx_rates', 'to_currency', NULL, 'a rate converts between two different currencies'),
    ('sensor_readings', 'value', NULL, 'outside what a reading can hold (about 1e-323 to 1e308)')
) AS v (feed_name, column_name, allowed_values, allowed_text)
WHERE c.feed_name = v.feed_name AND c.column_name = v.column_name;

UPDATE etl.feed_column AS c
SET
    min_value = r.min_value,
    min_exclusive = r.min_exclusive,
    max_value = r.max_value,
    range_reason = r.range_reason,
    allowed_text = r.allowed_text
FROM (
    VALUES
    ('products', 'standard_cost', 0, FALSE, NULL::numeric, 'value_not_allowed', 'must not be negative'),
    ('products', 'list_price', 0, FALSE, NULL, 'value_not_allowed', 'must not be negative'),
    ('production_runs', 'total_count', 0, FALSE, NULL, 'negative_count', NULL),
    ('production_runs', 'good_count', 0, FALSE, NULL, 'negative_count', NULL),
    ('production_runs', 'ideal_cycle_time_s', 0, TRUE, NULL, 'value_not_allowed', 'must be greater than 0'),
    ('sales_lines', 'line_no', 1, FALSE, 2147483647, 'value_not_allowed', 'a line number from 1'),
    ('sales_lines', 'unit_price', 0, FALSE, NULL, 'value_not_allowed', 'must not be negative'),
    ('sales_lines', 'discount_pct', 0, FALSE, 100, 'value_not_allowed', 'a percentage from 0 to 100'),
    ('fx_rates', 'rate', 0, TRUE, NULL, 'value_not_allowed', 'must be greater than 0')
) AS r (feed_name, column_name, min_value, min_exclusive, max_value, range_reason, allowed_text)
WHERE c.feed_name = r.feed_name AND c.column_name = r.column_name;

UPDATE etl.feed_column SET default_value = '0'
WHERE feed_name = 'sales_lines' AND column_name = 'discount_pct';

UPDATE etl.feed_column
SET
    placed_by = CASE
        WHEN feed_name IN ('products', 'accounts') THEN 'offset'
        WHEN feed_name = 'plants' THEN 'own_zone'
        WHEN feed_name = 'machines' THEN 'plant'
        ELSE 'machine'
    END
WHERE value_type = 'timestamp';

ALTER TABLE etl.feed_column
ADD CONSTRAINT feed_column_fold_case_check CHECK (fold_case IN ('lower', 'upper')),
ADD CONSTRAINT feed_column_range_reason_fkey FOREIGN KEY (range_reason)
REFERENCES etl.reason (reason_code),
ADD CONSTRAINT feed_column_placed_by_check CHECK (
    (value_type = 'timestamp') = (placed_by IS NOT NULL)
    AND placed_by IN ('offset', 'own_zone', 'plant', 'machine')
),
ADD CONSTRAINT feed_column_range_check CHECK (
    (min_value IS NULL AND max_value IS NULL)
    OR value_type IN ('decimal', 'count', 'integer')
);
