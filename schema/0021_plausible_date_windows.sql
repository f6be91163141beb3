-- 0021_plausible_date_windows.sql
-- Each date or time column of the event and posting feeds (and commissioned_on of the
-- machines) has a plausible window: a value outside it is rejected as value_not_allowed
-- with the window in the message, so that one open-ended "9999-12-31" never grows a
-- derived calendar (dw.fx_daily, dim_date, partitions) by millions of days.
-- The defaults live in etl.setting; etl.plausible_window lists the columns checked and
-- may override the defaults per column. The business keys of master data (updated_at)
-- keep their own rules and have no window.

INSERT INTO etl.setting (setting_name, setting_value, description)
VALUES
(
    'plausible_earliest_date', '1990-01-01',
    'Default earliest plausible date or time of an event or posting (etl.plausible_window).'
),
(
    'plausible_days_ahead', '366',
    'Default: how many days after the load a date or time may lie (etl.plausible_window).'
);

CREATE TABLE etl.plausible_window (
    feed_name text NOT NULL,
    column_name text NOT NULL,
    earliest date,
    days_ahead integer,
    CONSTRAINT plausible_window_pkey PRIMARY KEY (feed_name, column_name),
    CONSTRAINT plausible_window_feed_name_fkey FOREIGN KEY (feed_name)
    REFERENCES etl.feed (feed_name),
    CONSTRAINT plausible_window_days_ahead_check CHECK (days_ahead >= 0)
);
COMMENT ON TABLE etl.plausible_window IS
'Date and time columns checked against a plausible window by etl.apply_validated: from '
'earliest to days_ahead days after the load (NULL: the defaults plausible_earliest_date and '
'plausible_days_ahead in etl.setting). Grain: one row per feed and column.';

INSERT INTO etl.plausible_window (feed_name, column_name, earliest, days_ahead)
VALUES
('production_runs', 'start_ts', NULL, NULL),
('production_runs', 'end_ts', NULL, NULL),
('downtime_events', 'start_ts', NULL, NULL),
('downtime_events', 'end_ts', NULL, NULL),
('sensor_readings', 'reading_ts', NULL, NULL),
('gl_entries', 'posting_date', NULL, NULL),
('sales_lines', 'invoice_date', NULL, NULL),
('fx_rates', 'rate_date', NULL, NULL),
('machines', 'commissioned_on', '1900-01-01', NULL);
