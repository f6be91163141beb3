-- 0002_create_etl_reference.sql
-- Reference data the validation needs: settings, ISO 4217 currencies, ISO 3166-1 countries,
-- the reason codes of rejected rows, and the feed contract itself (feeds and their columns),
-- from which the staging tables are generated and the loader matches file headers.
CREATE TABLE etl.setting (
    setting_name text NOT NULL,
    setting_value text NOT NULL,
    description text NOT NULL,
    CONSTRAINT setting_pkey PRIMARY KEY (setting_name)
);
COMMENT ON TABLE etl.setting IS
'Run-time settings, changed with UPDATE, never by code edits. Grain: one row per setting.';

INSERT INTO etl.setting (setting_name, setting_value, description)
VALUES
(
    'reporting_currency', 'USD',
    'ISO 4217 code every money column of the reporting views is converted to.'
),
(
    'lock_wait_seconds', '600',
    'How long a load or run waits for another one to finish before it gives up.'
);

CREATE TABLE etl.currency (
    currency_code text NOT NULL,
    is_active boolean NOT NULL,
    CONSTRAINT currency_pkey PRIMARY KEY (currency_code),
    CONSTRAINT currency_currency_code_check CHECK (currency_code ~ '^[A-Z]{3}$')
);
COMMENT ON TABLE etl.currency IS
'ISO 4217 currency codes, including recently withdrawn ones (is_active false) so that '
'history still validates. Grain: one row per code.';

INSERT INTO etl.currency (currency_code, is_active)
VALUES
('AED', TRUE), ('AFN', TRUE), ('ALL', TRUE), ('AMD', TRUE), ('ANG', FALSE), ('AOA', TRUE),
('ARS', TRUE), ('AUD', TRUE), ('AWG', TRUE), ('AZN', TRUE), ('BAM', TRUE), ('BBD', TRUE),
('BDT', TRUE), ('BGN', FALSE), ('BHD', TRUE), ('BIF', TRUE), ('BMD', TRUE), ('BND', TRUE),
('BOB', TRUE), ('BOV', TRUE), ('BRL', TRUE), ('BSD', TRUE), ('BTN', TRUE), ('BWP', TRUE),
('BYN', TRUE), ('BZD', TRUE), ('CAD', TRUE), ('CDF', TRUE), ('CHE', TRUE), ('CHF', TRUE),
('CHW', TRUE), ('CLF', TRUE), ('CLP', TRUE), ('CNY', TRUE), ('COP', TRUE), ('COU', TRUE),
('CRC', TRUE), ('CUC', FALSE), ('CUP', TRUE), ('CVE', TRUE), ('CZK', TRUE), ('DJF', TRUE),
('DKK', TRUE), ('DOP', TRUE), ('DZD', TRUE), ('EGP', TRUE), ('ERN', TRUE), ('ETB', TRUE),
('EUR', TRUE), ('FJD', TRUE), ('FKP', TRUE), ('GBP', TRUE), ('GEL', TRUE), ('GHS', TRUE),
('GIP', TRUE), ('GMD', TRUE), ('GNF', TRUE), ('GTQ', TRUE), ('GYD', TRUE), ('HKD', TRUE),
('HNL', TRUE), ('HRK', FALSE), ('HTG', TRUE), ('HUF', TRUE), ('IDR', TRUE), ('ILS', TRUE),
('INR', TRUE), ('IQD', TRUE), ('IRR', TRUE), ('ISK', TRUE), ('JMD', TRUE), ('JOD', TRUE),
('JPY', TRUE), ('KES', TRUE), ('KGS', TRUE), ('KHR', TRUE), ('KMF', TRUE), ('KPW', TRUE),
('KRW', TRUE), ('KWD', TRUE), ('KYD', TRUE), ('KZT', TRUE), ('LAK', TRUE), ('LBP', TRUE),
('LKR', TRUE), ('LRD', TRUE), ('LSL', TRUE), ('LYD', TRUE), ('MAD', TRUE), ('MDL', TRUE),
('MGA', TRUE), ('MKD', TRUE), ('MMK', TRUE), ('MNT', TRUE), ('MOP', TRUE), ('MRU', TRUE),
('MUR', TRUE), ('MVR', TRUE), ('MWK', TRUE), ('MXN', TRUE), ('MXV', TRUE), ('MYR', TRUE),
('MZN', TRUE), ('NAD', TRUE), ('NGN', TRUE), ('NIO', TRUE), ('NOK', TRUE), ('NPR', TRUE),
('NZD', TRUE), ('OMR', TRUE), ('PAB', TRUE), ('PEN', TRUE), ('PGK', TRUE), ('PHP', TRUE),
('PKR', TRUE), ('PLN', TRUE), ('PYG', TRUE), ('QAR', TRUE), ('RON', TRUE), ('RSD', TRUE),
('RUB', TRUE), ('RWF', TRUE), ('SAR', TRUE), ('SBD', TRUE), ('SCR', TRUE), ('SDG', TRUE),
('SEK', TRUE), ('SGD', TRUE), ('SHP', TRUE), ('SLE', TRUE), ('SLL', FALSE), ('SOS', TRUE),
('SRD', TRUE), ('SSP', TRUE), ('STN', TRUE), ('SVC', TRUE), ('SYP', TRUE), ('SZL', TRUE),
('THB', TRUE), ('TJS', TRUE), ('TMT', TRUE), ('TND', TRUE), ('TOP', TRUE), ('TRY', TRUE),
('TTD', TRUE), ('TWD', TRUE), ('TZS', TRUE), ('UAH', TRUE), ('UGX', TRUE), ('USD', TRUE),
('USN', TRUE), ('UYI', TRUE), ('UYU', TRUE), ('UYW', TRUE), ('UZS', TRUE), ('VED', TRUE),
('VES', TRUE), ('VND', TRUE), ('VUV', TRUE), ('WST', TRUE), ('XAF', TRUE), ('XAG', TRUE),
('XAU', TRUE), ('XBA', TRUE), ('XBB', TRUE), ('XBC', TRUE), ('XBD', TRUE), ('XCD', TRUE),
('XCG', TRUE), ('XDR', TRUE), ('XOF', TRUE), ('XPD', TRUE), ('XPF', TRUE), ('XPT', TRUE),
('XSU', TRUE), ('XTS', TRUE), ('XUA', TRUE), ('XXX', TRUE), ('YER', TRUE), ('ZAR', TRUE),
('ZMW', TRUE), ('ZWG', TRUE), ('ZWL', FALSE);

CREATE TABLE etl.country (
    country_code text NOT NULL,
    CONSTRAINT country_pkey PRIMARY KEY (country_code),
    CONSTRAINT country_country_code_check CHECK (country_code ~ '^[A-Z]{2}$')
);
COMMENT ON TABLE etl.country IS 'ISO 3166-1 alpha-2 country codes. Grain: one row per code.';

INSERT INTO etl.country (country_code)
VALUES
('AD'), ('AE'), ('AF'), ('AG'), ('AI'), ('AL'), ('AM'), ('AO'), ('AQ'), ('AR'), ('AS'), ('AT'),
('AU'), ('AW'), ('AX'), ('AZ'), ('BA'), ('BB'), ('BD'), ('BE'), ('BF'), ('BG'), ('BH'), ('BI'),
('BJ'), ('BL'), ('BM'), ('BN'), ('BO'), ('BQ'), ('BR'), ('BS'), ('BT'), ('BV'), ('BW'), ('BY'),
('BZ'), ('CA'), ('CC'), ('CD'), ('CF'), ('CG'), ('CH'), ('CI'), ('CK'), ('CL'), ('CM'), ('CN'),
('CO'), ('CR'), ('CU'), ('CV'), ('CW'), ('CX'), ('CY'), ('CZ'), ('DE'), ('DJ'), ('DK'), ('DM'),
('DO'), ('DZ'), ('EC'), ('EE'), ('EG'), ('EH'), ('ER'), ('ES'), ('ET'), ('FI'), ('FJ'), ('FK'),
('FM'), ('FO'), ('FR'), ('GA'), ('GB'), ('GD'), ('GE'), ('GF'), ('GG'), ('GH'), ('GI'), ('GL'),
('GM'), ('GN'), ('GP'), ('GQ'), ('GR'), ('GS'), ('GT'), ('GU'), ('GW'), ('GY'), ('HK'), ('HM'),
('HN'), ('HR'), ('HT'), ('HU'), ('ID'), ('IE'), ('IL'), ('IM'), ('IN'), ('IO'), ('IQ'), ('IR'),
('IS'), ('IT'), ('JE'), ('JM'), ('JO'), ('JP'), ('KE'), ('KG'), ('KH'), ('KI'), ('KM'), ('KN'),
('KP'), ('KR'), ('KW'), ('KY'), ('KZ'), ('LA'), ('LB'), ('LC'), ('LI'), ('LK'), ('LR'), ('LS'),
('LT'), ('LU'), ('LV'), ('LY'), ('MA'), ('MC'), ('MD'), ('ME'), ('MF'), ('MG'), ('MH'), ('MK'),
('ML'), ('MM'), ('MN'), ('MO'), ('MP'), ('MQ'), ('MR'), ('MS'), ('MT'), ('MU'), ('MV'), ('MW'),
('MX'), ('MY'), ('MZ'), ('NA'), ('NC'), ('NE'), ('NF'), ('NG'), ('NI'), ('NL'), ('NO'), ('NP'),
('NR'), ('NU'), ('NZ'), ('OM'), ('PA'), ('PE'), ('PF'), ('PG'), ('PH'), ('PK'), ('PL'), ('PM'),
('PN'), ('PR'), ('PS'), ('PT'), ('PW'), ('PY'), ('QA'), ('RE'), ('RO'), ('RS'), ('RU'), ('RW'),
('SA'), ('SB'), ('SC'), ('SD'), ('SE'), ('SG'), ('SH'), ('SI'), ('SJ'), ('SK'), ('SL'), ('SM'),
('SN'), ('SO'), ('SR'), ('SS'), ('ST'), ('SV'), ('SX'), ('SY'), ('SZ'), ('TC'), ('TD'), ('TF'),
('TG'), ('TH'), ('TJ'), ('TK'), ('TL'), ('TM'), ('TN'), ('TO'), ('TR'), ('TT'), ('TV'), ('TW'),
('TZ'), ('UA'), ('UG'), ('UM'), ('US'), ('UY'), ('UZ'), ('VA'), ('VC'), ('VE'), ('VG'), ('VI'),
('VN'), ('VU'), ('WF'), ('WS'), ('YE'), ('YT'), ('ZA'), ('ZM'), ('ZW');

CREATE TABLE etl.reason (
    reason_code text NOT NULL,
    description text NOT NULL,
    CONSTRAINT reason_pkey PRIMARY KEY (reason_code)
);
COMMENT ON TABLE etl.reason IS
'Why a row was rejected (or is pending); the codes are part of the feed contract. '
'Grain: one row per code.';

INSERT INTO etl.reason (reason_code, description)
VALUES
('unparsable_number', 'The value is not a plain decimal number (digits, optional sign, "." as separator).'),
('unparsable_date', 'The value is not a calendar date written YYYY-MM-DD.'),
('unparsable_timestamp', 'The value is not an ISO 8601 timestamp (YYYY-MM-DD[T ]HH:MM[:SS[.f]][Z|+HH:MM]).'),
('required_value_missing', 'A required value is empty.'),
('negative_count', 'A count is below zero.'),
('good_exceeds_total', 'good_count is larger than total_count.'),
('end_before_start', 'end_ts is earlier than start_ts.'),
('unknown_currency', 'The value is not an ISO 4217 currency code.'),
('value_not_allowed', 'The value is well-formed but outside the allowed set or range.'),
('duplicate_key', 'Another row of the same file has the same key with different values.'),
('malformed_record', 'The record has a different number of fields than the header, or broken quoting.'),
('missing_column', 'The file lacks a required column, so every record of it is rejected.'),
('nonexistent_local_time', 'A local time that does not exist in the plant''s time zone (daylight-saving gap).'),
('offset_required', 'A timestamp without UTC offset on a row that has no plant to place it.'),
('invalid_encoding', 'The record is not valid UTF-8.'),
('duplicate_column', 'The header names one column twice, so every record of the file is rejected.'),
('plant_unknown', 'Pending, not rejected: a local timestamp whose plant is not known yet.');

CREATE TABLE etl.feed (
    feed_name text NOT NULL,
    load_order integer NOT NULL,
    is_master_data boolean NOT NULL,
    clean_table text NOT NULL,
    key_columns text[] NOT NULL,
    time_column text,
    description text NOT NULL,
    CONSTRAINT feed_pkey PRIMARY KEY (feed_name),
    CONSTRAINT feed_load_order_key UNIQUE (load_order)
);
COMMENT ON TABLE etl.feed IS
'The input feeds: a file belongs to the feed its name starts with; feeds load in '
'load_order (master data first). With time_column set, the clean table has no unique index '
'and a batch replaces its keys within its own time range (for the large feeds). '
'Grain: one row per feed.';

INSERT INTO etl.feed (
    feed_name, load_order, is_master_data, clean_table, key_columns, description
)
VALUES
('plants', 1, TRUE, 'plant', '{plant_code,updated_at}', 'Plants: master data change feed.'),
('machines', 2, TRUE, 'machine', '{machine_code,updated_at}', 'Machines: master data change feed.'),
('products', 3, TRUE, 'product', '{product_sku,updated_at}', 'Products: master data change feed.'),
('accounts', 4, TRUE, 'account', '{account_code,updated_at}', 'GL accounts: master data change feed.'),
('production_runs', 5, FALSE, 'production_run', '{run_id}', 'One production run of one product on one machine.'),
('downtime_events', 6, FALSE, 'downtime_event', '{event_id}', 'One stop of one machine.'),
('sensor_readings', 7, FALSE, 'sensor_reading', '{machine_code,metric,reading_ts}', 'One reading of one metric.'),
('gl_entries', 8, FALSE, 'gl_entry', '{entry_id}', 'One general-ledger posting.'),
('sales_lines', 9, FALSE, 'sales_line', '{invoice_id,line_no}', 'One invoice line (credit notes negative).'),
('fx_rates', 10, FALSE, 'fx_rate', '{rate_date,from_currency,to_currency}', 'One exchange rate of one day.');

CREATE TABLE etl.feed_column (
    feed_name text NOT NULL,
    column_name text NOT NULL,
    ordinal integer NOT NULL,
    is_optional boolean NOT NULL DEFAULT FALSE,
    value_type text NOT NULL,
    description text NOT NULL,
    CONSTRAINT feed_column_pkey PRIMARY KEY (feed_name, column_name),
    CONSTRAINT feed_column_feed_name_fkey FOREIGN KEY (feed_name) REFERENCES etl.feed (feed_name),
    CONSTRAINT feed_column_value_type_check CHECK (
        value_type IN (
            'text', 'decimal', 'count', 'integer', 'date', 'timestamp', 'boolean',
            'currency', 'country', 'time_zone', 'enum'
        )
    )
);
COMMENT ON TABLE etl.feed_column IS
'The columns of each feed. An optional column may be absent from the header; every other '
'one must be present or the file is rejected (missing_column). Grain: one row per column.';

INSERT INTO etl.feed_column (feed_name, column_name, ordinal, is_optional, value_type, description)
VALUES
('plants', 'plant_code', 1, FALSE, 'text', 'Plant identifier.'),
('plants', 'plant_name', 2, FALSE, 'text', 'Plant name.'),
('plants', 'country_code', 3, FALSE, 'country', 'ISO 3166-1 alpha-2 country.'),
('plants', 'currency_code', 4, FALSE, 'currency', 'ISO 4217 currency the plant books in.'),
('plants', 'timezone', 5, FALSE, 'time_zone', 'IANA time zone, e.g. Europe/Berlin.'),
('plants', 'updated_at', 6, FALSE, 'timestamp', 'When this version became true (naive: plant time).'),
('machines', 'machine_code', 1, FALSE, 'text', 'Machine identifier.'),
('machines', 'machine_name', 2, FALSE, 'text', 'Machine name.'),
('machines', 'plant_code', 3, FALSE, 'text', 'Plant the machine stands in.'),
('machines', 'line_code', 4, FALSE, 'text', 'Production line.'),
('machines', 'machine_type', 5, FALSE, 'text', 'Kind of machine.'),
('machines', 'manufacturer', 6, TRUE, 'text', 'Maker.'),
('machines', 'commissioned_on', 7, FALSE, 'date', 'Date it went into service.'),
('machines', 'status', 8, FALSE, 'enum', 'active, idle or retired.'),
('machines', 'updated_at', 9, FALSE, 'timestamp', 'When this version became true (naive: plant time).'),
('products', 'product_sku', 1, FALSE, 'text', 'Product identifier.'),
('products', 'product_name', 2, FALSE, 'text', 'Product name.'),
('products', 'product_family', 3, FALSE, 'text', 'Product family.'),
('products', 'unit_of_measure', 4, FALSE, 'text', 'Unit the counts are in.'),
('products', 'standard_cost', 5, FALSE, 'decimal', 'Standard cost of one unit (>= 0).'),
('products', 'list_price', 6, FALSE, 'decimal', 'List price of one unit (>= 0).'),
('products', 'currency_code', 7, FALSE, 'currency', 'Currency of cost and price.'),
('products', 'updated_at', 8, FALSE, 'timestamp', 'When this version became true (UTC offset required).'),
('accounts', 'account_code', 1, FALSE, 'text', 'GL account.'),
('accounts', 'account_name', 2, FALSE, 'text', 'Account name.'),
('accounts', 'account_type', 3, FALSE, 'enum', 'cost or revenue.'),
(
    'accounts',
    'cost_category',
    4,
    FALSE,
    'enum',
    'material, labor, energy, maintenance, depreciation, overhead; empty for revenue.'
),
('accounts', 'updated_at', 5, FALSE, 'timestamp', 'When this version became true (UTC offset required).'),
('production_runs', 'run_id', 1, FALSE, 'text', 'Run identifier.'),
('production_runs', 'machine_code', 2, FALSE, 'text', 'Machine that ran.'),
('production_runs', 'product_sku', 3, FALSE, 'text', 'Product made.'),
('production_runs', 'work_order', 4, TRUE, 'text', 'Work order.'),
('production_runs', 'shift_code', 5, FALSE, 'text', 'Shift.'),
('production_runs', 'start_ts', 6, FALSE, 'timestamp', 'Start (naive: plant time).'),
('production_runs', 'end_ts', 7, FALSE, 'timestamp', 'End (naive: plant time), not before start.'),
('production_runs', 'total_count', 8, FALSE, 'count', 'Units made.'),
('production_runs', 'good_count', 9, FALSE, 'count', 'Good units, at most total_count.'),
('production_runs', 'ideal_cycle_time_s', 10, FALSE, 'decimal', 'Ideal seconds per unit (> 0).'),
('downtime_events', 'event_id', 1, FALSE, 'text', 'Event identifier.'),
('downtime_events', 'machine_code', 2, FALSE, 'text', 'Machine that stopped.'),
('downtime_events', 'start_ts', 3, FALSE, 'timestamp', 'Start (naive: plant time).'),
('downtime_events', 'end_ts', 4, FALSE, 'timestamp', 'End (naive: plant time), not before start.'),
('downtime_events', 'reason_code', 5, FALSE, 'text', 'Downtime reason.'),
('downtime_events', 'reason_description', 6, TRUE, 'text', 'Reason in words.'),
('downtime_events', 'is_planned', 7, FALSE, 'boolean', 'true for planned stops.'),
('sensor_readings', 'machine_code', 1, FALSE, 'text', 'Machine measured.'),
('sensor_readings', 'reading_ts', 2, FALSE, 'timestamp', 'When (naive: plant time).'),
('sensor_readings', 'metric', 3, FALSE, 'text', 'What was measured.'),
('sensor_readings', 'value', 4, FALSE, 'decimal', 'The reading.'),
('sensor_readings', 'unit', 5, TRUE, 'text', 'Unit of the reading.'),
('gl_entries', 'entry_id', 1, FALSE, 'text', 'Entry identifier.'),
('gl_entries', 'posting_date', 2, FALSE, 'date', 'Posting date.'),
('gl_entries', 'plant_code', 3, FALSE, 'text', 'Plant booked to.'),
('gl_entries', 'cost_center', 4, TRUE, 'text', 'Cost center.'),
('gl_entries', 'account_code', 5, FALSE, 'text', 'GL account.'),
('gl_entries', 'amount', 6, FALSE, 'decimal', 'Signed amount.'),
('gl_entries', 'currency_code', 7, FALSE, 'currency', 'Currency of the amount.'),
('gl_entries', 'description', 8, TRUE, 'text', 'Text of the posting.'),
('sales_lines', 'invoice_id', 1, FALSE, 'text', 'Invoice.'),
('sales_lines', 'line_no', 2, FALSE, 'integer', 'Line of the invoice (>= 1).'),
('sales_lines', 'invoice_date', 3, FALSE, 'date', 'Invoice date.'),
('sales_lines', 'customer_code', 4, FALSE, 'text', 'Customer identifier.'),
('sales_lines', 'customer_name', 5, FALSE, 'text', 'Customer name.'),
('sales_lines', 'customer_country', 6, TRUE, 'country', 'ISO 3166-1 alpha-2.'),
('sales_lines', 'product_sku', 7, FALSE, 'text', 'Product sold.'),
('sales_lines', 'plant_code', 8, FALSE, 'text', 'Plant the sale is attributed to.'),
('sales_lines', 'quantity', 9, FALSE, 'decimal', 'Units (negative for a credit note).'),
('sales_lines', 'unit_price', 10, FALSE, 'decimal', 'Price of one unit (>= 0).'),
('sales_lines', 'discount_pct', 11, TRUE, 'decimal', 'Discount 0-100, default 0.'),
('sales_lines', 'currency_code', 12, FALSE, 'currency', 'Currency of the price.'),
('fx_rates', 'rate_date', 1, FALSE, 'date', 'Day of the rate.'),
('fx_rates', 'from_currency', 2, FALSE, 'currency', 'Currency converted from.'),
('fx_rates', 'to_currency', 3, FALSE, 'currency', 'Currency converted to.'),
('fx_rates', 'rate', 4, FALSE, 'decimal', '1 from_currency = rate to_currency (> 0).');

UPDATE etl.feed SET time_column = 'reading_ts'
WHERE feed_name = 'sensor_readings';
