-- 0001_create_roles_and_schemas.sql
-- Creates the three roles and the layers (schemas) of the warehouse.
--   hub_owner      owns every object; migrations run as this role.
--   hub_etl        loads files and executes the procedures; reads etl bookkeeping.
--   hub_reporting  reads the reporting schema and nothing else.
-- Roles are cluster-wide, so they are created only when missing. All three are NOLOGIN:
-- grant membership to login roles (GRANT hub_reporting TO tableau_user).
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'hub_owner') THEN
        CREATE ROLE hub_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'hub_etl') THEN
        CREATE ROLE hub_etl NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'hub_reporting') THEN
        CREATE ROLE hub_reporting NOLOGIN;
    END IF;
    IF NOT pg_catalog.pg_has_role(current_user, 'hub_owner', 'MEMBER') THEN
        EXECUTE format('GRANT hub_owner TO %I', current_user);
    END IF;
    EXECUTE format('GRANT CREATE, CONNECT ON DATABASE %I TO hub_owner', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO hub_etl, hub_reporting', current_database());
END;
$roles$;

ALTER SCHEMA etl OWNER TO hub_owner;
ALTER TABLE etl.schema_migration OWNER TO hub_owner;

CREATE SCHEMA staging AUTHORIZATION hub_owner;
CREATE SCHEMA clean AUTHORIZATION hub_owner;
CREATE SCHEMA dw AUTHORIZATION hub_owner;
CREATE SCHEMA reporting AUTHORIZATION hub_owner;

COMMENT ON SCHEMA etl IS
'Bookkeeping: batches (one per file), rejected and pending rows, settings, reference data, '
'migrations and the procedures.';
COMMENT ON SCHEMA staging IS
'Rows exactly as read from the feed files (all text), one table per feed, partitioned by '
'batch; written by the COPY loader only and emptied once a batch is validated.';
COMMENT ON SCHEMA clean IS
'Validated, typed rows of every feed (the persistent staging area): one row per natural '
'key, the latest batch winning; master data keeps every version by (code, updated_at).';
COMMENT ON SCHEMA dw IS 'The star schema: dim_* and fact_* tables, written by procedures only.';
COMMENT ON SCHEMA reporting IS 'The views BI tools read; the only schema hub_reporting sees.';

GRANT USAGE ON SCHEMA etl, staging TO hub_etl;
GRANT USAGE ON SCHEMA reporting TO hub_reporting;
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA reporting
GRANT SELECT ON TABLES TO hub_reporting;
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner REVOKE EXECUTE ON ROUTINES FROM public;
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA etl
GRANT EXECUTE ON ROUTINES TO hub_etl;
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA etl
GRANT SELECT ON TABLES TO hub_etl;
