-- 0022_code_length_limits.sql
-- Codes and ids end up in unique indexes (clean keys, dimension business keys), where a
-- value of a few kilobytes makes PostgreSQL refuse the whole file ("index row requires
-- N bytes"). A record whose code or id is longer than max_length is rejected on its own
-- instead (value_not_allowed, checked by etl.apply_validated), so one such value never
-- costs the rest of its file.

ALTER TABLE etl.feed_column
ADD COLUMN max_length integer,
ADD CONSTRAINT feed_column_max_length_check CHECK (max_length > 0);

COMMENT ON COLUMN etl.feed_column.max_length IS
'Longest value allowed, in characters (codes and ids, which are indexed); NULL: no limit.';

UPDATE etl.feed_column
SET max_length = 200
WHERE
    value_type = 'text'
    AND (
        column_name ~ '(_code|_id|_sku)$'
        OR column_name IN ('metric', 'unit', 'machine_type', 'product_family', 'unit_of_measure', 'work_order')
    );
