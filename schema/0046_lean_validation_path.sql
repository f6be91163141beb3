-- The lean path of validation (issue 12, docs/performance.md): etl.validate_feed first
-- accepts the rows whose every value a cheap test proves good, then takes the full grammar
-- for the rest. The setting turns it off (the full grammar for every row); the batch
-- records how many of its rows the lean path accepted.

INSERT INTO etl.setting (setting_name, setting_value, description)
VALUES (
    'validation_path', 'lean',
    'lean: rows proven good by cheap tests skip the full grammar (same outcome, faster); '
    'full: every row takes the full grammar (etl.validate_feed).'
);

ALTER TABLE etl.batch
ADD COLUMN lean_rows bigint;

COMMENT ON COLUMN etl.batch.lean_rows IS
'Records of this batch that the lean path of validation proved good (cheap tests, no full '
'grammar; duplicates and plausible dates are checked after, as for every row); NULL when '
'none did (setting validation_path, a feed with lookups, local times, or a value of a '
'common shape that is no date, after which the whole batch took the full grammar).';
