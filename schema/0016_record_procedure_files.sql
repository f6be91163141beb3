-- 0016_record_procedure_files.sql
-- Procedure files are recorded with their sha256 like schema files, so that a migrate
-- applies only the files that changed (a migrate with nothing new replaces nothing and
-- blocks no reader), and load and run can tell that a database is behind the checkout.
-- Its columns are those of etl.schema_migration (checksum is a keyword to sqlfluff).
CREATE TABLE etl.procedure_file (
    filename text PRIMARY KEY,
    checksum text NOT NULL,  -- noqa: RF04
    applied_at timestamptz NOT NULL DEFAULT clock_timestamp()
);

COMMENT ON TABLE etl.procedure_file IS
'Applied procedures/ files (path under procedures/) with their sha256. Grain: one row per file.';

-- load and run (as hub_etl) compare the database's migration state with the checkout.
GRANT SELECT ON etl.schema_migration, etl.procedure_file TO hub_etl;
