-- Descriptions for every column of the tables of clean, dw and etl (views carry theirs in
-- their files under procedures/): `scripts/hub docs` writes docs/data-dictionary.md from them.

COMMENT ON COLUMN clean.account.account_code IS 'General-ledger account code (key).';
COMMENT ON COLUMN clean.account.updated_at IS
'When the source system last changed the record (from the feed); the latest wins.';
COMMENT ON COLUMN clean.account.account_name IS 'Account name.';
COMMENT ON COLUMN clean.account.account_type IS 'cost or revenue; only cost accounts feed the cost pools.';
COMMENT ON COLUMN clean.account.cost_category IS 'Grouping of cost accounts, e.g. labour, energy.';
COMMENT ON COLUMN clean.account.batch_id IS 'The load batch (etl.batch) the row came from.';
COMMENT ON COLUMN clean.account.file_line IS 'Physical line the record starts on in its file (the header is line 1).';

COMMENT ON COLUMN clean.downtime_event.event_id IS 'Event id from the source (key).';
COMMENT ON COLUMN clean.downtime_event.machine_code IS 'Machine that stopped.';
COMMENT ON COLUMN clean.downtime_event.start_ts IS
'Start, timestamptz (the feed''s offset, or the plant''s time zone when it has none).';
COMMENT ON COLUMN clean.downtime_event.end_ts IS 'End, timestamptz; after start_ts.';
COMMENT ON COLUMN clean.downtime_event.reason_code IS
'Downtime reason code as the source sent it (dw.dim_downtime_reason).';
COMMENT ON COLUMN clean.downtime_event.reason_description IS 'Free-text description of the reason from the source.';
COMMENT ON COLUMN clean.downtime_event.is_planned IS
'True for a planned stop (breaks, changeovers, maintenance), false for an unplanned one.';
COMMENT ON COLUMN clean.downtime_event.batch_id IS 'The load batch (etl.batch) the row came from.';
COMMENT ON COLUMN clean.downtime_event.file_line IS
'Physical line the record starts on in its file (the header is line 1).';

COMMENT ON COLUMN clean.fx_rate.rate_date IS 'Date the rate applies from.';
COMMENT ON COLUMN clean.fx_rate.from_currency IS 'Currency converted from (ISO 4217).';
COMMENT ON COLUMN clean.fx_rate.to_currency IS 'Currency converted to (ISO 4217).';
COMMENT ON COLUMN clean.fx_rate.rate IS 'Units of to_currency for one unit of from_currency.';
COMMENT ON COLUMN clean.fx_rate.batch_id IS 'The load batch (etl.batch) the row came from.';
COMMENT ON COLUMN clean.fx_rate.file_line IS 'Physical line the record starts on in its file (the header is line 1).';

COMMENT ON COLUMN clean.gl_entry.entry_id IS 'Journal entry id (key).';
COMMENT ON COLUMN clean.gl_entry.posting_date IS 'Posting date; its month is the cost pool''s month.';
COMMENT ON COLUMN clean.gl_entry.plant_code IS 'Plant whose cost pool the entry belongs to.';
COMMENT ON COLUMN clean.gl_entry.cost_center IS 'Cost center from the ledger.';
COMMENT ON COLUMN clean.gl_entry.account_code IS 'General-ledger account code (business key of dw.dim_account).';
COMMENT ON COLUMN clean.gl_entry.amount IS 'Amount in currency_code (positive = cost).';
COMMENT ON COLUMN clean.gl_entry.currency_code IS 'ISO 4217 currency code of the amounts in the row.';
COMMENT ON COLUMN clean.gl_entry.description IS 'Free-text posting text.';
COMMENT ON COLUMN clean.gl_entry.batch_id IS 'The load batch (etl.batch) the row came from.';
COMMENT ON COLUMN clean.gl_entry.file_line IS 'Physical line the record starts on in its file (the header is line 1).';

COMMENT ON COLUMN clean.machine.machine_code IS 'Machine code (key).';
COMMENT ON COLUMN clean.machine.updated_at IS
'When the source system last changed the record (from the feed); the latest wins.';
COMMENT ON COLUMN clean.machine.machine_name IS 'Machine name.';
COMMENT ON COLUMN clean.machine.plant_code IS 'Plant the machine stands in (a move makes a new dimension version).';
COMMENT ON COLUMN clean.machine.line_code IS 'Production line of the plant the machine stands in.';
COMMENT ON COLUMN clean.machine.machine_type IS 'Kind of machine, e.g. press, cnc.';
COMMENT ON COLUMN clean.machine.manufacturer IS 'Maker of the machine.';
COMMENT ON COLUMN clean.machine.commissioned_on IS 'Date the machine entered service.';
COMMENT ON COLUMN clean.machine.status IS 'active, idle or retired.';
COMMENT ON COLUMN clean.machine.batch_id IS 'The load batch (etl.batch) the row came from.';
COMMENT ON COLUMN clean.machine.file_line IS 'Physical line the record starts on in its file (the header is line 1).';

COMMENT ON COLUMN clean.plant.plant_code IS 'Plant code (key).';
COMMENT ON COLUMN clean.plant.updated_at IS
'When the source system last changed the record (from the feed); the latest wins.';
COMMENT ON COLUMN clean.plant.plant_name IS 'Plant name.';
COMMENT ON COLUMN clean.plant.country_code IS 'ISO 3166-1 alpha-2 country of the plant.';
COMMENT ON COLUMN clean.plant.currency_code IS 'Local currency of the plant (ISO 4217).';
COMMENT ON COLUMN clean.plant.timezone IS 'IANA time zone of the plant; production dates and months are plant-local.';
COMMENT ON COLUMN clean.plant.batch_id IS 'The load batch (etl.batch) the row came from.';
COMMENT ON COLUMN clean.plant.file_line IS 'Physical line the record starts on in its file (the header is line 1).';

COMMENT ON COLUMN clean.product.product_sku IS 'Product SKU (key).';
COMMENT ON COLUMN clean.product.updated_at IS
'When the source system last changed the record (from the feed); the latest wins.';
COMMENT ON COLUMN clean.product.product_name IS 'Product name.';
COMMENT ON COLUMN clean.product.product_family IS 'Product family for roll-ups.';
COMMENT ON COLUMN clean.product.unit_of_measure IS 'Unit the quantities count, e.g. pcs.';
COMMENT ON COLUMN clean.product.standard_cost IS 'Standard cost per unit in currency_code.';
COMMENT ON COLUMN clean.product.list_price IS 'List price per unit in currency_code.';
COMMENT ON COLUMN clean.product.currency_code IS 'ISO 4217 currency code of the amounts in the row.';
COMMENT ON COLUMN clean.product.batch_id IS 'The load batch (etl.batch) the row came from.';
COMMENT ON COLUMN clean.product.file_line IS 'Physical line the record starts on in its file (the header is line 1).';

COMMENT ON COLUMN clean.production_run.run_id IS 'Run id from the source (key).';
COMMENT ON COLUMN clean.production_run.machine_code IS 'Machine the run ran on.';
COMMENT ON COLUMN clean.production_run.product_sku IS 'Product made.';
COMMENT ON COLUMN clean.production_run.work_order IS 'Work order from the MES (optional).';
COMMENT ON COLUMN clean.production_run.shift_code IS 'Shift code from the MES.';
COMMENT ON COLUMN clean.production_run.start_ts IS
'Start, timestamptz (the feed''s offset, or the plant''s time zone when it has none).';
COMMENT ON COLUMN clean.production_run.end_ts IS 'End, timestamptz; after start_ts.';
COMMENT ON COLUMN clean.production_run.total_count IS 'Units made (good and scrap).';
COMMENT ON COLUMN clean.production_run.good_count IS 'Good units (at most total_count).';
COMMENT ON COLUMN clean.production_run.ideal_cycle_time_s IS 'Ideal seconds per unit of the product on this machine.';
COMMENT ON COLUMN clean.production_run.batch_id IS 'The load batch (etl.batch) the row came from.';
COMMENT ON COLUMN clean.production_run.file_line IS
'Physical line the record starts on in its file (the header is line 1).';

COMMENT ON COLUMN clean.sales_line.invoice_id IS 'Invoice id (key with line_no).';
COMMENT ON COLUMN clean.sales_line.line_no IS 'Line number within the invoice.';
COMMENT ON COLUMN clean.sales_line.invoice_date IS 'Invoice date; its month is the profitability month.';
COMMENT ON COLUMN clean.sales_line.customer_code IS 'Customer code (business key of dw.dim_customer).';
COMMENT ON COLUMN clean.sales_line.customer_name IS 'Customer name.';
COMMENT ON COLUMN clean.sales_line.customer_country IS 'Customer''s ISO 3166-1 alpha-2 country code.';
COMMENT ON COLUMN clean.sales_line.product_sku IS 'Product SKU (business key of dw.dim_product).';
COMMENT ON COLUMN clean.sales_line.plant_code IS 'Plant the sale is attributed to.';
COMMENT ON COLUMN clean.sales_line.quantity IS 'Units sold (negative on a credit note).';
COMMENT ON COLUMN clean.sales_line.unit_price IS 'Price per unit in currency_code.';
COMMENT ON COLUMN clean.sales_line.discount_pct IS 'Discount in percent (0-100).';
COMMENT ON COLUMN clean.sales_line.currency_code IS 'ISO 4217 currency code of the amounts in the row.';
COMMENT ON COLUMN clean.sales_line.batch_id IS 'The load batch (etl.batch) the row came from.';
COMMENT ON COLUMN clean.sales_line.file_line IS
'Physical line the record starts on in its file (the header is line 1).';

COMMENT ON COLUMN clean.sensor_reading.machine_code IS 'Machine the sensor is on.';
COMMENT ON COLUMN clean.sensor_reading.metric IS 'Sensor metric name, e.g. temperature, vibration.';
COMMENT ON COLUMN clean.sensor_reading.reading_ts IS 'Time of the reading (timestamptz).';
COMMENT ON COLUMN clean.sensor_reading.value IS 'Measured value, in unit.';
COMMENT ON COLUMN clean.sensor_reading.unit IS 'Unit of the metric''s values, e.g. degC, mm/s.';
COMMENT ON COLUMN clean.sensor_reading.batch_id IS 'The load batch (etl.batch) the row came from.';
COMMENT ON COLUMN clean.sensor_reading.file_line IS
'Physical line the record starts on in its file (the header is line 1).';

COMMENT ON COLUMN dw.dim_account.account_key IS 'Surrogate key of dw.dim_account.';
COMMENT ON COLUMN dw.dim_account.account_code IS 'General-ledger account code.';
COMMENT ON COLUMN dw.dim_account.account_name IS 'Account name.';
COMMENT ON COLUMN dw.dim_account.account_type IS 'cost or revenue (current value; type 1).';
COMMENT ON COLUMN dw.dim_account.cost_category IS 'Grouping of cost accounts.';
COMMENT ON COLUMN dw.dim_account.is_inferred IS
'True for a member created from a fact that arrived before its master record (a placeholder until the record comes).';

COMMENT ON COLUMN dw.dim_currency.currency_key IS 'Surrogate key.';
COMMENT ON COLUMN dw.dim_currency.currency_code IS 'ISO 4217 code.';
COMMENT ON COLUMN dw.dim_currency.is_active IS 'True for a currency the hub accepts.';

COMMENT ON COLUMN dw.dim_customer.customer_key IS 'Surrogate key of the version.';
COMMENT ON COLUMN dw.dim_customer.customer_code IS 'Customer code (business key of dw.dim_customer).';
COMMENT ON COLUMN dw.dim_customer.valid_from IS
'Start of the version''s validity (inclusive); the first version starts at 1900-01-01.';
COMMENT ON COLUMN dw.dim_customer.valid_to IS
'End of the version''s validity (exclusive); 9999-12-31 for the current version.';
COMMENT ON COLUMN dw.dim_customer.is_current IS 'True for the version valid now (valid_to = 9999-12-31).';
COMMENT ON COLUMN dw.dim_customer.is_inferred IS
'True for a member created from a fact that arrived before its master record (a placeholder until the record comes).';
COMMENT ON COLUMN dw.dim_customer.customer_country IS 'Customer''s ISO 3166-1 alpha-2 country code.';
COMMENT ON COLUMN dw.dim_customer.customer_name IS 'Customer name.';

COMMENT ON COLUMN dw.dim_date.date_key IS 'Surrogate key: the date as YYYYMMDD.';
COMMENT ON COLUMN dw.dim_date.calendar_date IS 'The date.';
COMMENT ON COLUMN dw.dim_date.iso_year IS 'ISO 8601 week-numbering year.';
COMMENT ON COLUMN dw.dim_date.iso_week IS 'ISO 8601 week number (1-53).';
COMMENT ON COLUMN dw.dim_date.day_of_week IS 'ISO day of week (1 = Monday).';
COMMENT ON COLUMN dw.dim_date.month_start IS 'First day of the month.';
COMMENT ON COLUMN dw.dim_date.month_number IS 'Month (1-12).';
COMMENT ON COLUMN dw.dim_date.quarter_number IS 'Quarter (1-4).';
COMMENT ON COLUMN dw.dim_date.calendar_year IS 'Calendar year.';

COMMENT ON COLUMN dw.dim_downtime_reason.reason_key IS 'Surrogate key.';
COMMENT ON COLUMN dw.dim_downtime_reason.reason_code IS 'Downtime reason code.';
COMMENT ON COLUMN dw.dim_downtime_reason.reason_description IS 'Latest description seen for the code.';

COMMENT ON COLUMN dw.dim_machine.machine_key IS 'Surrogate key of the version.';
COMMENT ON COLUMN dw.dim_machine.machine_code IS 'Machine code (business key of dw.dim_machine).';
COMMENT ON COLUMN dw.dim_machine.valid_from IS
'Start of the version''s validity (inclusive); the first version starts at 1900-01-01.';
COMMENT ON COLUMN dw.dim_machine.valid_to IS
'End of the version''s validity (exclusive); 9999-12-31 for the current version.';
COMMENT ON COLUMN dw.dim_machine.is_current IS 'True for the version valid now (valid_to = 9999-12-31).';
COMMENT ON COLUMN dw.dim_machine.is_inferred IS
'True for a member created from a fact that arrived before its master record (a placeholder until the record comes).';
COMMENT ON COLUMN dw.dim_machine.plant_code IS 'Plant of this version.';
COMMENT ON COLUMN dw.dim_machine.line_code IS 'Line of this version.';
COMMENT ON COLUMN dw.dim_machine.machine_type IS 'Kind of machine.';
COMMENT ON COLUMN dw.dim_machine.status IS 'active, idle or retired.';
COMMENT ON COLUMN dw.dim_machine.machine_name IS 'Machine name.';
COMMENT ON COLUMN dw.dim_machine.manufacturer IS 'Maker of the machine.';
COMMENT ON COLUMN dw.dim_machine.commissioned_on IS 'Date the machine entered service.';

COMMENT ON COLUMN dw.dim_metric.metric_key IS 'Surrogate key.';
COMMENT ON COLUMN dw.dim_metric.metric IS 'Sensor metric name, e.g. temperature, vibration.';
COMMENT ON COLUMN dw.dim_metric.unit IS 'Unit of the metric''s values, e.g. degC, mm/s.';
COMMENT ON COLUMN dw.dim_metric.first_seen_at IS 'When the metric first arrived.';

COMMENT ON COLUMN dw.dim_plant.plant_key IS 'Surrogate key.';
COMMENT ON COLUMN dw.dim_plant.plant_code IS 'Plant code (business key of dw.dim_plant).';
COMMENT ON COLUMN dw.dim_plant.plant_name IS 'Plant name.';
COMMENT ON COLUMN dw.dim_plant.country_code IS 'ISO 3166-1 alpha-2 country.';
COMMENT ON COLUMN dw.dim_plant.currency_code IS 'Local currency (ISO 4217).';
COMMENT ON COLUMN dw.dim_plant.timezone IS 'IANA time zone; production dates and months are plant-local.';
COMMENT ON COLUMN dw.dim_plant.is_inferred IS
'True for a member created from a fact that arrived before its master record (a placeholder until the record comes).';

COMMENT ON COLUMN dw.dim_product.product_key IS 'Surrogate key of the version.';
COMMENT ON COLUMN dw.dim_product.product_sku IS 'Product SKU (business key of dw.dim_product).';
COMMENT ON COLUMN dw.dim_product.valid_from IS
'Start of the version''s validity (inclusive); the first version starts at 1900-01-01.';
COMMENT ON COLUMN dw.dim_product.valid_to IS
'End of the version''s validity (exclusive); 9999-12-31 for the current version.';
COMMENT ON COLUMN dw.dim_product.is_current IS 'True for the version valid now (valid_to = 9999-12-31).';
COMMENT ON COLUMN dw.dim_product.is_inferred IS
'True for a member created from a fact that arrived before its master record (a placeholder until the record comes).';
COMMENT ON COLUMN dw.dim_product.product_family IS 'Product family of this version.';
COMMENT ON COLUMN dw.dim_product.standard_cost IS 'Standard cost per unit of this version, in currency_code.';
COMMENT ON COLUMN dw.dim_product.list_price IS 'List price per unit of this version.';
COMMENT ON COLUMN dw.dim_product.currency_code IS 'ISO 4217 currency code of the amounts in the row.';
COMMENT ON COLUMN dw.dim_product.product_name IS 'Product name.';
COMMENT ON COLUMN dw.dim_product.unit_of_measure IS 'Unit the quantities count.';

COMMENT ON COLUMN dw.dim_shift.shift_key IS 'Surrogate key.';
COMMENT ON COLUMN dw.dim_shift.shift_code IS 'Shift code from the MES.';

COMMENT ON COLUMN dw.fact_downtime_event.event_id IS 'Event id (key).';
COMMENT ON COLUMN dw.fact_downtime_event.machine_key IS
'Surrogate key of the dw.dim_machine version valid at the event.';
COMMENT ON COLUMN dw.fact_downtime_event.reason_key IS 'Surrogate key of dw.dim_downtime_reason.';
COMMENT ON COLUMN dw.fact_downtime_event.machine_code IS 'Machine that stopped.';
COMMENT ON COLUMN dw.fact_downtime_event.reason_code IS
'Downtime reason code as the source sent it (dw.dim_downtime_reason).';
COMMENT ON COLUMN dw.fact_downtime_event.start_ts IS
'Start, timestamptz (the feed''s offset, or the plant''s time zone when it has none).';
COMMENT ON COLUMN dw.fact_downtime_event.end_ts IS 'End, timestamptz; after start_ts.';
COMMENT ON COLUMN dw.fact_downtime_event.duration_s IS
'end_ts - start_ts, seconds (the whole event, before clipping to runs).';
COMMENT ON COLUMN dw.fact_downtime_event.is_planned IS
'True for a planned stop (breaks, changeovers, maintenance), false for an unplanned one.';
COMMENT ON COLUMN dw.fact_downtime_event.batch_id IS 'The load batch (etl.batch) the row came from.';

COMMENT ON COLUMN dw.fact_gl_entry.entry_id IS 'Journal entry id (key).';
COMMENT ON COLUMN dw.fact_gl_entry.plant_key IS 'Surrogate key of dw.dim_plant.';
COMMENT ON COLUMN dw.fact_gl_entry.account_key IS 'Surrogate key of dw.dim_account.';
COMMENT ON COLUMN dw.fact_gl_entry.posting_date_key IS 'dw.dim_date key of posting_date.';
COMMENT ON COLUMN dw.fact_gl_entry.plant_code IS 'Plant code (business key of dw.dim_plant).';
COMMENT ON COLUMN dw.fact_gl_entry.account_code IS 'General-ledger account code (business key of dw.dim_account).';
COMMENT ON COLUMN dw.fact_gl_entry.posting_date IS 'Posting date.';
COMMENT ON COLUMN dw.fact_gl_entry.cost_center IS 'Cost center from the ledger.';
COMMENT ON COLUMN dw.fact_gl_entry.amount IS 'Amount in currency_code.';
COMMENT ON COLUMN dw.fact_gl_entry.currency_code IS 'ISO 4217 currency code of the amounts in the row.';
COMMENT ON COLUMN dw.fact_gl_entry.batch_id IS 'The load batch (etl.batch) the row came from.';

COMMENT ON COLUMN dw.fact_key_version.fact_name IS 'Fact whose dimension keys the fingerprint covers.';
COMMENT ON COLUMN dw.fact_key_version.code_kind IS 'Kind of business code (machine, product, ...).';
COMMENT ON COLUMN dw.fact_key_version.code IS 'The business code.';
COMMENT ON COLUMN dw.fact_key_version.versions_md5 IS
'Fingerprint of the code''s dimension versions when its facts were last keyed; a change re-keys them.';

COMMENT ON COLUMN dw.fact_production_run.run_id IS 'Run id (key).';
COMMENT ON COLUMN dw.fact_production_run.machine_key IS
'Surrogate key of the dw.dim_machine version valid at the event.';
COMMENT ON COLUMN dw.fact_production_run.product_key IS
'Surrogate key of the dw.dim_product version valid at the event.';
COMMENT ON COLUMN dw.fact_production_run.shift_key IS 'Surrogate key of dw.dim_shift.';
COMMENT ON COLUMN dw.fact_production_run.plant_key IS 'Surrogate key of dw.dim_plant.';
COMMENT ON COLUMN dw.fact_production_run.production_date_key IS 'dw.dim_date key of production_date.';
COMMENT ON COLUMN dw.fact_production_run.machine_code IS 'Machine code (business key of dw.dim_machine).';
COMMENT ON COLUMN dw.fact_production_run.product_sku IS 'Product SKU (business key of dw.dim_product).';
COMMENT ON COLUMN dw.fact_production_run.production_date IS
'Plant-local date of the run''s start (the production date all its downtime belongs to).';
COMMENT ON COLUMN dw.fact_production_run.start_ts IS
'Start, timestamptz (the feed''s offset, or the plant''s time zone when it has none).';
COMMENT ON COLUMN dw.fact_production_run.end_ts IS 'End, timestamptz; after start_ts.';
COMMENT ON COLUMN dw.fact_production_run.scheduled_s IS 'end_ts - start_ts, seconds.';
COMMENT ON COLUMN dw.fact_production_run.total_count IS 'Units made (good and scrap).';
COMMENT ON COLUMN dw.fact_production_run.good_count IS 'Good units (at most total_count).';
COMMENT ON COLUMN dw.fact_production_run.ideal_cycle_time_s IS 'Ideal seconds per unit of the product on this machine.';
COMMENT ON COLUMN dw.fact_production_run.ideal_output_s IS 'ideal_cycle_time_s x total_count, seconds.';
COMMENT ON COLUMN dw.fact_production_run.ideal_good_s IS 'ideal_cycle_time_s x good_count, seconds.';
COMMENT ON COLUMN dw.fact_production_run.batch_id IS 'The load batch (etl.batch) the row came from.';

COMMENT ON COLUMN dw.fact_sales_line.invoice_id IS 'Invoice id (key with line_no).';
COMMENT ON COLUMN dw.fact_sales_line.line_no IS 'Line within the invoice.';
COMMENT ON COLUMN dw.fact_sales_line.plant_key IS 'Surrogate key of dw.dim_plant.';
COMMENT ON COLUMN dw.fact_sales_line.product_key IS 'Surrogate key of the dw.dim_product version valid at the event.';
COMMENT ON COLUMN dw.fact_sales_line.customer_key IS
'Surrogate key of the dw.dim_customer version valid at the invoice date.';
COMMENT ON COLUMN dw.fact_sales_line.invoice_date_key IS 'dw.dim_date key of invoice_date.';
COMMENT ON COLUMN dw.fact_sales_line.plant_code IS 'Plant code (business key of dw.dim_plant).';
COMMENT ON COLUMN dw.fact_sales_line.product_sku IS 'Product SKU (business key of dw.dim_product).';
COMMENT ON COLUMN dw.fact_sales_line.customer_code IS 'Customer code (business key of dw.dim_customer).';
COMMENT ON COLUMN dw.fact_sales_line.invoice_date IS 'Invoice date.';
COMMENT ON COLUMN dw.fact_sales_line.quantity IS 'Units (negative on a credit note).';
COMMENT ON COLUMN dw.fact_sales_line.unit_price IS 'Price per unit in currency_code.';
COMMENT ON COLUMN dw.fact_sales_line.discount_pct IS 'Discount in percent (0-100).';
COMMENT ON COLUMN dw.fact_sales_line.net_amount IS
'quantity x unit_price x (1 - discount_pct / 100), in currency_code.';
COMMENT ON COLUMN dw.fact_sales_line.currency_code IS 'ISO 4217 currency code of the amounts in the row.';
COMMENT ON COLUMN dw.fact_sales_line.batch_id IS 'The load batch (etl.batch) the row came from.';

COMMENT ON COLUMN dw.fact_sensor_hourly.machine_code IS 'Machine code (business key of dw.dim_machine).';
COMMENT ON COLUMN dw.fact_sensor_hourly.metric IS 'Sensor metric name, e.g. temperature, vibration.';
COMMENT ON COLUMN dw.fact_sensor_hourly.hour_start IS 'Start of the UTC hour.';
COMMENT ON COLUMN dw.fact_sensor_hourly.machine_key IS
'Surrogate key of the dw.dim_machine version valid at the event.';
COMMENT ON COLUMN dw.fact_sensor_hourly.metric_key IS 'Surrogate key of dw.dim_metric.';
COMMENT ON COLUMN dw.fact_sensor_hourly.readings IS 'Number of readings in the hour.';
COMMENT ON COLUMN dw.fact_sensor_hourly.min_value IS 'Smallest reading.';
COMMENT ON COLUMN dw.fact_sensor_hourly.max_value IS 'Largest reading.';
COMMENT ON COLUMN dw.fact_sensor_hourly.avg_value IS 'Mean of the readings.';
COMMENT ON COLUMN dw.fact_sensor_hourly.stddev_value IS
'Sample standard deviation of the readings (NULL for one reading).';
COMMENT ON COLUMN dw.fact_sensor_hourly.sum_value IS 'Sum of the readings (for pooling hours).';
COMMENT ON COLUMN dw.fact_sensor_hourly.sum_squares IS 'Sum of the squared readings (for pooled variances).';

COMMENT ON COLUMN dw.fx_daily.currency_code IS 'Currency converted from.';
COMMENT ON COLUMN dw.fx_daily.rate_date IS 'Calendar date the rate is used on.';
COMMENT ON COLUMN dw.fx_daily.reporting_currency IS 'Currency converted to (the reporting_currency setting).';
COMMENT ON COLUMN dw.fx_daily.rate IS 'Units of reporting currency per unit of currency_code.';
COMMENT ON COLUMN dw.fx_daily.source_date IS
'Date of the fx_rates row the rate comes from (the latest on or before rate_date).';
COMMENT ON COLUMN dw.fx_daily.is_inverse IS 'True when the rate is 1 / an inverse row''s rate.';

COMMENT ON COLUMN etl.batch.batch_id IS 'Batch id (key): one file loaded once.';
COMMENT ON COLUMN etl.batch.feed_name IS 'Feed (etl.feed).';
COMMENT ON COLUMN etl.batch.file_name IS 'File name as found.';
COMMENT ON COLUMN etl.batch.file_path IS 'Path the file was read from.';
COMMENT ON COLUMN etl.batch.sha256 IS 'SHA-256 of the file''s bytes; the same content is never loaded twice.';
COMMENT ON COLUMN etl.batch.file_bytes IS 'File size in bytes.';
COMMENT ON COLUMN etl.batch.header_columns IS 'Columns of the file''s header, in order.';
COMMENT ON COLUMN etl.batch.unknown_columns IS 'Header columns the feed does not know (ignored, reported).';
COMMENT ON COLUMN etl.batch.status IS 'loading, loaded, or rejected (the whole file refused).';
COMMENT ON COLUMN etl.batch.message IS 'Human-readable detail.';
COMMENT ON COLUMN etl.batch.records_read IS 'Records read from the file (header excluded).';
COMMENT ON COLUMN etl.batch.records_rejected IS 'Records rejected (etl.rejected_row).';
COMMENT ON COLUMN etl.batch.records_pending IS 'Records parked until their master data arrives (etl.pending_record).';
COMMENT ON COLUMN etl.batch.started_at IS 'When the load started.';
COMMENT ON COLUMN etl.batch.finished_at IS 'When the load ended.';

COMMENT ON COLUMN etl.country.country_code IS 'ISO 3166-1 alpha-2 code the hub accepts.';

COMMENT ON COLUMN etl.currency.currency_code IS 'ISO 4217 code.';
COMMENT ON COLUMN etl.currency.is_active IS 'True for a currency the hub accepts.';

COMMENT ON COLUMN etl.dirty_batch.feed_name IS 'Feed (etl.feed).';
COMMENT ON COLUMN etl.dirty_batch.batch_id IS 'Stored batch not yet processed by the incremental steps.';
COMMENT ON COLUMN etl.dirty_batch.noted_at IS 'When it was noted.';
COMMENT ON COLUMN etl.dirty_batch.processed_at IS 'When an incremental step processed it; NULL until then.';
COMMENT ON COLUMN etl.dirty_batch.processed_run_id IS 'The run that processed it.';

COMMENT ON COLUMN etl.dirty_range.feed_name IS 'Feed (etl.feed).';
COMMENT ON COLUMN etl.dirty_range.batch_id IS 'Batch whose rows span the range.';
COMMENT ON COLUMN etl.dirty_range.from_ts IS 'Start of the time range to recompute.';
COMMENT ON COLUMN etl.dirty_range.to_ts IS 'End of the time range to recompute.';
COMMENT ON COLUMN etl.dirty_range.noted_at IS 'When it was noted.';

COMMENT ON COLUMN etl.dq_check.check_name IS 'Check name (key).';
COMMENT ON COLUMN etl.dq_check.check_function IS 'Function that measures it.';
COMMENT ON COLUMN etl.dq_check.target IS 'What it checks (table or view).';
COMMENT ON COLUMN etl.dq_check.severity IS 'error (fails the run at the gate) or warning (reported only).';
COMMENT ON COLUMN etl.dq_check.threshold IS 'The value the check compares against, in the check''s unit.';
COMMENT ON COLUMN etl.dq_check.is_enabled IS 'False to skip it.';
COMMENT ON COLUMN etl.dq_check.description IS 'What it is, in a sentence.';

COMMENT ON COLUMN etl.dq_result.result_id IS 'Result id (key).';
COMMENT ON COLUMN etl.dq_result.run_id IS 'The invocation (etl.pipeline_run).';
COMMENT ON COLUMN etl.dq_result.check_name IS 'Data-quality check (etl.dq_check).';
COMMENT ON COLUMN etl.dq_result.severity IS 'error (fails the run at the gate) or warning (reported only).';
COMMENT ON COLUMN etl.dq_result.threshold IS 'The value the check compares against, in the check''s unit.';
COMMENT ON COLUMN etl.dq_result.observed IS 'What the check measured, in the unit of its threshold.';
COMMENT ON COLUMN etl.dq_result.passed IS 'True when the check passed.';
COMMENT ON COLUMN etl.dq_result.detail IS 'What failed, with examples.';
COMMENT ON COLUMN etl.dq_result.checked_at IS 'When it ran.';

COMMENT ON COLUMN etl.feed.feed_name IS 'Feed (etl.feed).';
COMMENT ON COLUMN etl.feed.load_order IS 'Order feeds load in (master data first).';
COMMENT ON COLUMN etl.feed.is_master_data IS 'True for master data (plants, machines, products, accounts).';
COMMENT ON COLUMN etl.feed.clean_table IS 'Table in clean the feed loads into.';
COMMENT ON COLUMN etl.feed.key_columns IS 'Columns that identify a record.';
COMMENT ON COLUMN etl.feed.time_column IS 'Column that dates a record (for freshness and incremental steps).';
COMMENT ON COLUMN etl.feed.description IS 'What the feed carries.';

COMMENT ON COLUMN etl.feed_column.feed_name IS 'Feed (etl.feed).';
COMMENT ON COLUMN etl.feed_column.column_name IS 'Column name in the file''s header.';
COMMENT ON COLUMN etl.feed_column.ordinal IS 'Position in the documented header.';
COMMENT ON COLUMN etl.feed_column.is_optional IS 'True when the value may be empty.';
COMMENT ON COLUMN etl.feed_column.value_type IS 'Type the value must parse as.';
COMMENT ON COLUMN etl.feed_column.description IS 'What the column holds.';

COMMENT ON COLUMN etl.partitioned_table.table_schema IS 'Schema of the partitioned table.';
COMMENT ON COLUMN etl.partitioned_table.table_name IS 'Partitioned table.';
COMMENT ON COLUMN etl.partitioned_table.months_ahead IS 'Monthly partitions kept ready ahead of the data.';

COMMENT ON COLUMN etl.pending_record.batch_id IS 'Batch the record came from.';
COMMENT ON COLUMN etl.pending_record.file_line IS 'Line the record starts on in its file.';
COMMENT ON COLUMN etl.pending_record.feed_name IS 'Feed (etl.feed).';
COMMENT ON COLUMN etl.pending_record.reason_code IS 'Why it waits (etl.reason), e.g. an unknown machine.';
COMMENT ON COLUMN etl.pending_record.message IS 'What is missing.';
COMMENT ON COLUMN etl.pending_record.raw_values IS
'The record''s fields as read, by column name (JSON), so nothing is lost.';
COMMENT ON COLUMN etl.pending_record.first_seen_at IS 'When it was first parked.';
COMMENT ON COLUMN etl.pending_record.last_tried_at IS 'When it was last retried.';
COMMENT ON COLUMN etl.pending_record.attempts IS 'How many times it was tried.';

COMMENT ON COLUMN etl.pipeline_run.run_id IS 'Run id (key): one invocation (load, run or dag).';
COMMENT ON COLUMN etl.pipeline_run.kind IS 'load, run or dag.';
COMMENT ON COLUMN etl.pipeline_run.started_at IS 'When the invocation started.';
COMMENT ON COLUMN etl.pipeline_run.finished_at IS 'When it ended.';
COMMENT ON COLUMN etl.pipeline_run.airflow_dag_id IS 'Airflow DAG id (dag runs).';
COMMENT ON COLUMN etl.pipeline_run.airflow_run_id IS 'Airflow run id (dag runs).';
COMMENT ON COLUMN etl.pipeline_run.started_by IS 'Database role that started it.';
COMMENT ON COLUMN etl.pipeline_run.failed_step IS 'Step that failed, if any.';
COMMENT ON COLUMN etl.pipeline_run.error_message IS 'The failing step''s error.';
COMMENT ON COLUMN etl.pipeline_run.notified_at IS 'When the end of the run was notified.';
COMMENT ON COLUMN etl.pipeline_run.notified_via IS 'Channels notified (log, email, webhook).';

COMMENT ON COLUMN etl.pipeline_run_step.run_id IS 'The run.';
COMMENT ON COLUMN etl.pipeline_run_step.step_order IS 'Position of the step in the chain (etl.pipeline_step).';
COMMENT ON COLUMN etl.pipeline_run_step.routine_schema IS 'Schema of the step''s procedure.';
COMMENT ON COLUMN etl.pipeline_run_step.routine_name IS 'Name of the step''s procedure.';
COMMENT ON COLUMN etl.pipeline_run_step.state IS 'pending, running, success, failed or retrying.';
COMMENT ON COLUMN etl.pipeline_run_step.attempts IS 'Attempts so far (Airflow retries).';
COMMENT ON COLUMN etl.pipeline_run_step.started_at IS 'When the latest attempt started.';
COMMENT ON COLUMN etl.pipeline_run_step.finished_at IS 'When it ended.';
COMMENT ON COLUMN etl.pipeline_run_step.rows_written IS 'Rows the step wrote.';
COMMENT ON COLUMN etl.pipeline_run_step.message IS 'The step''s last message or error.';

COMMENT ON COLUMN etl.pipeline_state_change.change_id IS 'Change id (key).';
COMMENT ON COLUMN etl.pipeline_state_change.run_id IS 'The run.';
COMMENT ON COLUMN etl.pipeline_state_change.step_order IS 'The step; NULL for the run itself.';
COMMENT ON COLUMN etl.pipeline_state_change.state IS 'The new state.';
COMMENT ON COLUMN etl.pipeline_state_change.changed_at IS 'When it changed.';
COMMENT ON COLUMN etl.pipeline_state_change.message IS 'Why.';

COMMENT ON COLUMN etl.pipeline_step.step_order IS 'Position of the step in the chain (etl.pipeline_step).';
COMMENT ON COLUMN etl.pipeline_step.routine_schema IS 'Schema of the step''s procedure.';
COMMENT ON COLUMN etl.pipeline_step.routine_name IS 'Name of the step''s procedure.';
COMMENT ON COLUMN etl.pipeline_step.description IS 'What the step does.';

COMMENT ON COLUMN etl.reason.reason_code IS 'Reason code (key) for rejected and pending records.';
COMMENT ON COLUMN etl.reason.description IS 'What it means and what to do.';

COMMENT ON COLUMN etl.rejected_row.rejected_row_id IS 'Id (key).';
COMMENT ON COLUMN etl.rejected_row.batch_id IS 'Batch the record came from.';
COMMENT ON COLUMN etl.rejected_row.file_line IS 'Physical line the record starts on in its file (header = line 1).';
COMMENT ON COLUMN etl.rejected_row.reason_code IS 'Why (etl.reason).';
COMMENT ON COLUMN etl.rejected_row.column_name IS 'The offending column, when one is to blame.';
COMMENT ON COLUMN etl.rejected_row.message IS 'The value and what was expected.';
COMMENT ON COLUMN etl.rejected_row.raw_values IS
'The record''s fields as read, by column name (JSON), so nothing is lost.';
COMMENT ON COLUMN etl.rejected_row.rejected_at IS 'When it was rejected.';

COMMENT ON COLUMN etl.schema_migration.filename IS 'Migration file under schema/ (key).';
COMMENT ON COLUMN etl.schema_migration.checksum IS 'SHA-256 of the file as applied.';
COMMENT ON COLUMN etl.schema_migration.applied_at IS 'When it was applied.';

COMMENT ON COLUMN etl.setting.setting_name IS 'Setting (key), e.g. reporting_currency.';
COMMENT ON COLUMN etl.setting.setting_value IS 'Its value, as text.';
COMMENT ON COLUMN etl.setting.description IS 'What it controls.';
