-- 0023_staging_rejected_row_line_count.sql
-- The loader's own rejections travel through staging.rejected_row (schema/0017) on their
-- way to etl.rejected_row, which counts the physical lines of each rejected record
-- (schema/0020): the staging table carries that count too, and etl.close_batch moves it.
ALTER TABLE staging.rejected_row
ADD COLUMN line_count integer NOT NULL DEFAULT 1;

COMMENT ON COLUMN staging.rejected_row.line_count IS
'Physical lines the rejected record covers, as in etl.rejected_row.line_count.';
