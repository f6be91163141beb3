-- 0050_loader_rejections_carry_facts.sql
-- The loader no longer words its own rejections (issue 12): it appends to
-- staging.rejected_row what it saw (the reason, the column and the facts only it can see,
-- such as the position of a NUL byte or the csv reader's error), and etl.close_batch words
-- each row as it moves it into etl.rejected_row (etl.record_problem_message, or the file's
-- sentence for a file rejected as a whole). Rows only live here inside a load's own
-- transaction, so nothing is lost by dropping the message column.
ALTER TABLE staging.rejected_row
DROP COLUMN message;

ALTER TABLE staging.rejected_row
ADD COLUMN detail jsonb;

COMMENT ON COLUMN staging.rejected_row.detail IS
'What the loader saw that makes the record a rejection (e.g. {"nul_at": 3} or {"csv_error": "..."}); '
'etl.close_batch words it with etl.record_problem_message. NULL for a record of a file rejected whole.';
