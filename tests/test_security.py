"""The roles as real login roles (created the way docs/security.md says, connecting over TCP
with a password): what the reporting and ETL logins can do end to end, every escalation
path we know of closed, and the definer-rights routines against the reviewed list."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
import uuid

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from tests.conftest import ROOT, run_hub

RUN_VIEWS = {"pipeline_runs", "pipeline_run_steps", "data_quality_results"}
ENTRY_POINTS = {
    "etl.run_pipeline(bigint)",
    "etl.rebuild(date,date,bigint)",
    "etl.run_step(bigint,integer,integer,integer)",
    "etl.staging_partition_name(text,bigint,integer)",
}
PURE_FOR_VIEWS = {
    "dw.oee_ratios(numeric,numeric,numeric,numeric,numeric,numeric,numeric)",
    "dw.end_of_day(date,text)",
    "dw.multirange_seconds(tstzmultirange)",
}


class Login:
    def __init__(self, wh, role: str):
        self.name = f"{role.removeprefix('hub_')}_{uuid.uuid4().hex[:8]}"
        self.password = f"pw-{uuid.uuid4().hex}"
        # the recipe of docs/security.md
        wh.conn.execute(f"CREATE ROLE {self.name} LOGIN PASSWORD '{self.password}' IN ROLE {role}")
        info = wh.conn.info
        self.url = make_conninfo(
            host=info.host, port=info.port, user=self.name, password=self.password, dbname=info.dbname
        )

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(self.url, autocommit=True, **kwargs)

    def env(self, hub_env: dict[str, str]) -> dict[str, str]:
        return {**hub_env, "DATABASE_URL": self.url}


@pytest.fixture
def logins(wh):
    made = {"reporting": Login(wh, "hub_reporting"), "etl": Login(wh, "hub_etl")}
    yield made
    for login in made.values():
        wh.conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (login.name,))
        wh.conn.execute(f"DROP OWNED BY {login.name}")
        wh.conn.execute(f"DROP ROLE {login.name}")


def _views(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT viewname FROM pg_views WHERE schemaname = 'reporting' ORDER BY 1")]


def _business_views(conn) -> dict[str, list]:
    """Every reporting view but the run history (its ids and clocks differ by design)."""
    return {
        v: sorted(conn.execute(f"SELECT * FROM reporting.{v}").fetchall(), key=repr)
        for v in _views(conn)
        if v not in RUN_VIEWS
    }


def _refused(conn, statement: str) -> str:
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as info:
        conn.execute(statement)
    return str(info.value)


# -- the reporting login ------------------------------------------------------------------
def test_a_reporting_login_reads_every_reporting_view_and_exports(wh, logins, hub_env, tmp_path):
    wh.load(ROOT / "fixtures")
    wh.conn.execute("CALL etl.run_pipeline()")
    reader = logins["reporting"]
    views = _views(wh.conn)
    assert len(views) >= 10  # the catalog's list, so a new view is covered without an edit here
    with reader.connect() as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == reader.name
        for view in views:
            assert conn.execute(f"SELECT * FROM reporting.{view} LIMIT 1").fetchone() is not None, view
            got = conn.execute(f"SELECT count(*) FROM reporting.{view}").fetchone()[0]
            assert got == wh.scalar(f"SELECT count(*) FROM reporting.{view}"), view
        assert _business_views(conn) == _business_views(wh.conn)

    proc = run_hub("export", str(tmp_path / "out"), env=reader.env(hub_env))
    assert proc.returncode == 0, proc.stderr
    for view in views:
        with open(tmp_path / "out" / f"{view}.csv", newline="") as fh:
            assert len(list(csv.DictReader(fh))) == wh.scalar(f"SELECT count(*) FROM reporting.{view}"), view


def test_status_as_a_reporting_login_says_which_login_it_needs(logins, hub_env):
    reader = logins["reporting"]
    proc = run_hub("status", env=reader.env(hub_env))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert (
        f"PROBLEM    login {reader.name} may not read the etl schema: status needs the owner or an ETL login "
        "(a reporting login reads the run history in reporting.pipeline_runs)"
    ) in proc.stdout.splitlines()
    proc = run_hub("status", "--json", env=reader.env(hub_env))
    assert proc.returncode == 1 and len(json.loads(proc.stdout)["problems"]) == 1
    assert run_hub("status", env=logins["etl"].env(hub_env)).returncode == 0


def test_a_reporting_login_sees_nothing_else(wh, logins):
    with logins["reporting"].connect() as conn:
        for table in ("etl.batch", "etl.rejected_row", "staging.plants", "clean.production_run", "dw.dim_machine"):
            assert "permission denied for schema" in _refused(conn, f"SELECT * FROM {table} LIMIT 1")
        assert "permission denied" in _refused(conn, "CALL etl.run_pipeline()")
        _refused(conn, "SELECT etl.start_run('load')")
        _refused(conn, "SELECT * FROM dw.oee_machine_day")
        _refused(conn, "CREATE VIEW reporting.mine AS SELECT 1 AS x")


# -- the ETL login ------------------------------------------------------------------------
@pytest.fixture
def owner_twin(pg_cluster, warehouse_server):
    """A second freshly migrated database, where the owner does what the ETL login did."""
    name = f"hub_twin_{uuid.uuid4().hex[:8]}"
    admin_url = pg_cluster.url("postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{warehouse_server.template_dbname}"')
    yield pg_cluster.url(name)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_an_etl_login_loads_and_runs_with_the_owners_numbers(wh, logins, hub_env, owner_twin):
    etl = logins["etl"]
    load = run_hub("load", "fixtures", env=etl.env(hub_env))
    assert load.returncode == 0, load.stderr
    assert "load: 10 file(s) loaded, 0 already loaded; read 814 = accepted 808 + rejected 5 + pending 1" in load.stdout
    run = run_hub("run", env=etl.env(hub_env))
    assert run.returncode == 0, run.stderr
    with etl.connect() as conn:
        conn.execute("CALL etl.run_pipeline()")  # what a DBA types in psql
        runs = conn.execute("SELECT run_id, kind, state FROM reporting.pipeline_runs ORDER BY run_id").fetchall()
        assert runs == [(1, "load", "success"), (2, "run", "success"), (3, "run", "success")]
        started = conn.execute(
            "SELECT message FROM etl.pipeline_state_change WHERE message LIKE '%% run started by %%' ORDER BY 1"
        ).fetchall()
        by = f"started by {etl.name}"
        assert started == [(f"load run {by}",), (f"run run {by}",), (f"run run {by}",)]

    for args in (("load", "fixtures"), ("run",)):
        proc = run_hub(*args, env={**hub_env, "DATABASE_URL": owner_twin})
        assert proc.returncode == 0, proc.stderr
    with psycopg.connect(owner_twin, autocommit=True) as twin:
        twin.execute("CALL etl.run_pipeline()")
        expected = _business_views(twin)
    assert sum(len(rows) for rows in expected.values()) > 0
    assert _business_views(wh.conn) == expected
    assert wh.all("SELECT reason_code, count(*) FROM etl.rejected_row GROUP BY 1 ORDER BY 1") == [
        ("end_before_start", 1),
        ("good_exceeds_total", 1),
        ("nonexistent_local_time", 1),
        ("unknown_currency", 1),
        ("unparsable_timestamp", 1),
    ]


def test_an_etl_login_may_not_migrate(wh, logins, hub_env):
    proc = run_hub("migrate", env=logins["etl"].env(hub_env))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"hub: only the owner migrates, and login {logins['etl'].name} is neither")


def test_an_etl_login_reads_no_rows_and_changes_no_schema(wh, logins):
    with logins["etl"].connect() as conn:
        for table in ("clean.production_run", "dw.dim_machine", "dw.fact_production_run"):
            assert "permission denied for schema" in _refused(conn, f"SELECT * FROM {table} LIMIT 1")
        _refused(conn, "SELECT * FROM reporting.oee_daily LIMIT 1")
        for ddl in (
            "CREATE TABLE etl.mine (x integer)",
            "CREATE TABLE staging.mine (x integer)",
            "CREATE TABLE public.mine (x integer)",
            "CREATE FUNCTION etl.mine() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
            "ALTER TABLE etl.batch ADD COLUMN mine integer",
            "DROP TABLE etl.rejected_row",
        ):
            _refused(conn, ddl)


def test_an_etl_login_writes_no_etl_table_directly(wh, logins):
    etl = logins["etl"]
    wh.load(ROOT / "fixtures")
    with etl.connect() as conn:
        msg = _refused(
            conn,
            "INSERT INTO etl.rejected_row (batch_id, file_line, reason_code, message, raw_values) "
            "VALUES (1, 99999, 'duplicate_key', 'planted', '{}')",
        )
        assert "permission denied for table rejected_row" in msg
    writable = wh.all(
        "SELECT c.oid::regclass::text, p.priv FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p (priv) "
        "WHERE n.nspname IN ('etl', 'clean', 'dw', 'reporting', 'staging') AND c.relkind IN ('r', 'p', 'v', 'm') "
        "AND has_table_privilege(%s, c.oid, p.priv) ORDER BY 1, 2",
        (etl.name,),
    )
    # only the loader's append-only rejections (staging partitions exist only while loading)
    assert writable == [("staging.rejected_row", "INSERT")]


def test_internal_routines_are_not_executable_by_the_etl_login(wh, logins):
    with logins["etl"].connect() as conn:
        assert "permission denied for procedure apply_validated" in _refused(
            conn, "CALL etl.apply_validated(1, 'plants')"
        )
        _refused(conn, "SELECT etl.ensure_partitions('clean', 'sensor_reading', now(), now())")
        _refused(conn, "CALL etl.check_data_quality()")
        assert "permission denied for schema dw" in _refused(conn, "CALL dw.apply_scd2('clean.machine', 'x')")
        assert "permission denied for schema dw" in _refused(conn, "CALL dw.load_dim_small()")


def test_the_pg_temp_validated_trigger_never_runs_as_the_owner(wh, logins):
    """The exploit of issue 10: a temporary table named validated, handed to the owner with
    a statement trigger on it, then the definer routines that write pg_temp.validated."""
    etl = logins["etl"]
    with etl.connect() as conn:
        batch = conn.execute(
            "SELECT etl.register_batch('plants', 'plants.csv', '/x/plants.csv', 'sha-x', 1, "
            "'{}'::text[], '{}'::text[], 'copy')"
        ).fetchone()[0]
        conn.execute(
            "CREATE TEMP TABLE validated (plant_code text, check_reason text, check_column text, "
            "check_detail text, check_keep boolean, file_line bigint, batch_id bigint)"
        )
        conn.execute(f"GRANT ALL ON pg_temp.validated TO hub_owner, {etl.name}")
        conn.execute(
            "CREATE FUNCTION pg_temp.boom() RETURNS trigger LANGUAGE plpgsql AS "
            "$$BEGIN RAISE EXCEPTION 'trigger ran as %', current_user; END$$"
        )
        conn.execute(
            "CREATE TRIGGER boom BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON pg_temp.validated "
            "FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.boom()"
        )
        # the trap is armed: it fires for whoever writes the table
        with pytest.raises(psycopg.errors.RaiseException, match=f"trigger ran as {etl.name}"):
            conn.execute("DELETE FROM pg_temp.validated")
        for call in (f"CALL etl.apply_validated({batch}, 'plants')", f"CALL etl.validate_plants({batch})"):
            with pytest.raises(psycopg.Error) as info:
                conn.execute(call)
            assert "trigger ran as" not in str(info.value), call
            assert isinstance(info.value, psycopg.errors.InsufficientPrivilege), (call, info.value)
        # after dropping the trap, the same batch validates normally
        conn.execute("DROP TABLE pg_temp.validated")
        conn.execute(f"CALL etl.validate_plants({batch})")
        conn.execute(f"CALL etl.close_batch({batch}, 0)")
    assert wh.one("SELECT status, records_read FROM etl.batch WHERE batch_id = %s", (batch,)) == ("loaded", 0)


def test_the_steps_temporary_tables_cannot_be_planted_either(wh, logins):
    """The dimension steps build pg_temp.desired as the owner in the caller's session: one
    planted beforehand by the ETL login, with a trigger, stops the step instead."""
    wh.load(ROOT / "fixtures")
    etl = logins["etl"]
    with etl.connect() as conn:
        conn.execute("CREATE TEMP TABLE desired (machine_code text)")
        conn.execute("GRANT ALL ON pg_temp.desired TO hub_owner")
        conn.execute(
            "CREATE FUNCTION pg_temp.boom() RETURNS trigger LANGUAGE plpgsql AS "
            "$$BEGIN RAISE EXCEPTION 'trigger ran as %', current_user; END$$"
        )
        conn.execute(
            "CREATE TRIGGER boom BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON pg_temp.desired "
            "FOR EACH STATEMENT EXECUTE FUNCTION pg_temp.boom()"
        )
        with pytest.raises(psycopg.Error) as info:
            conn.execute("CALL etl.run_pipeline()")
        assert "trigger ran as" not in str(info.value)
        assert info.value.diag.message_primary == "must be owner of table desired"
    assert wh.one("SELECT state, failed_step FROM etl.pipeline_run WHERE run_id = 1") == (
        "failed",
        "30 dw.load_dim_machine",
    )


def test_a_temporary_type_cannot_hijack_a_definer_routine(wh, logins):
    """With search_path = '' the caller's temporary schema is still searched first for types:
    a pg_temp.text domain whose check calls the caller's function runs it as the owner. The
    probe shows the attack working against such a routine; the hub's routines resist it."""
    etl = logins["etl"]
    wh.conn.execute(
        "CREATE PROCEDURE etl.zz_probe() LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' "
        "AS $$DECLARE v text; BEGIN v := 'x'::text; END$$"
    )
    wh.conn.execute("ALTER PROCEDURE etl.zz_probe() OWNER TO hub_owner")
    wh.conn.execute(f"GRANT EXECUTE ON PROCEDURE etl.zz_probe() TO {etl.name}")
    with etl.connect() as conn:
        conn.execute(
            "CREATE FUNCTION pg_temp.spy(v pg_catalog.text) RETURNS boolean LANGUAGE plpgsql AS "
            "$$BEGIN RAISE EXCEPTION 'hijacked as %', current_user; END$$"
        )
        conn.execute("CREATE DOMAIN pg_temp.text AS pg_catalog.text CHECK (pg_temp.spy(VALUE))")
        with pytest.raises(psycopg.errors.RaiseException, match="hijacked as hub_owner"):
            conn.execute("CALL etl.zz_probe()")
        run_id = conn.execute("SELECT etl.start_run('load')").fetchone()[0]
        batch = conn.execute(
            "SELECT etl.register_batch('plants', 'p.csv', '/x/p.csv', 'sha-y', 1, "
            "'{}'::pg_catalog.text[], '{}'::pg_catalog.text[], 'copy')"
        ).fetchone()[0]
        conn.execute(f"CALL etl.validate_plants({batch})")
        conn.execute(f"CALL etl.close_batch({batch}, 0)")
        conn.execute("CALL etl.retry_pending()")
        conn.execute("SELECT etl.finish_run(%s, 'success')", (run_id,))
    assert wh.scalar("SELECT state FROM etl.pipeline_run WHERE run_id = %s", (run_id,)) == "success"


def test_routines_for_the_etl_login_check_their_arguments(wh, logins):
    with logins["etl"].connect() as conn:

        def batch(feed: str, sha: str) -> int:
            return conn.execute(
                "SELECT etl.register_batch(%s, %s, '/x', %s, 1, '{}'::text[], '{}'::text[], 'copy')",
                (feed, f"{feed}.csv", sha),
            ).fetchone()[0]

        plants, machines = batch("plants", "sha-p"), batch("machines", "sha-m")
        cases = [
            (
                f"CALL etl.validate_plants({machines})",
                f"etl.validate_plants: batch {machines} (machines.csv) is of feed machines, not plants",
            ),
            ("CALL etl.validate_plants(999999)", "etl.validate_plants: batch 999999 does not exist"),
            ("SELECT etl.open_staging_partition(999999)", "etl.open_staging_partition: batch 999999 does not exist"),
            ("CALL etl.execute_step(999999, 10)", "etl.execute_step: run 999999 has no step 10"),
            (
                "SELECT etl.register_batch('nope', 'n.csv', '/x', 'sha-n', 1, '{}', '{}', 'copy')",
                "etl.register_batch: unknown feed nope",
            ),
        ]
        for statement, message in cases:
            with pytest.raises(psycopg.Error) as info:
                conn.execute(statement)
            assert info.value.diag.message_primary == message, statement
        conn.execute(f"CALL etl.validate_plants({plants})")
        conn.execute(f"CALL etl.close_batch({plants}, 0)")
        for statement, message in [
            (
                f"CALL etl.validate_plants({plants})",
                f"etl.validate_plants: batch {plants} (plants.csv) is loaded, not loading",
            ),
            (
                f"SELECT etl.open_staging_partition({plants})",
                f"etl.open_staging_partition: batch {plants} (plants.csv) is loaded, not loading",
            ),
        ]:
            with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as info:
                conn.execute(statement)
            assert info.value.diag.message_primary == message
        # a step is executed only while etl.run_step has it running
        run_id = conn.execute("SELECT etl.start_run('run')").fetchone()[0]
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState, match=r"step 10 of run \d+ is pending"):
            conn.execute(f"CALL etl.execute_step({run_id}, 10)")
        conn.execute("SELECT etl.finish_run(%s, 'failed', 'test')", (run_id,))


# -- the catalog --------------------------------------------------------------------------
def _reviewed() -> dict[str, str]:
    """routine -> executable by, from the table in docs/security.md."""
    text = (ROOT / "docs" / "security.md").read_text()
    section = text.split("## Definer-rights routines", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+\.[a-z_0-9]+\([^`]*\))` \| ([a-z_, -]+) \|", section, re.MULTILINE)
    return {routine: who.strip() for routine, who in rows}


def test_every_definer_routine_is_pinned_and_reviewed(wh):
    rows = wh.all(
        "SELECT p.oid::regprocedure::text, p.proconfig, "
        "has_function_privilege('hub_etl', p.oid, 'EXECUTE'), "
        "has_function_privilege('hub_reporting', p.oid, 'EXECUTE') "
        "FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace "
        "WHERE p.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
    )
    assert len(rows) >= 40
    unpinned = [r[0] for r in rows if "search_path=pg_catalog, pg_temp" not in (r[1] or [])]
    assert unpinned == []
    found = {
        routine: ", ".join(who for who, may in (("hub_etl", etl), ("hub_reporting", rep)) if may) or "-"
        for routine, _config, etl, rep in rows
    }
    assert found == _reviewed()


def test_what_each_role_may_execute_is_what_the_docs_say(wh):
    executable = wh.all(
        "SELECT r.rolname, p.oid::regprocedure::text FROM pg_proc AS p "
        "JOIN pg_namespace AS n ON n.oid = p.pronamespace CROSS JOIN pg_roles AS r "
        "WHERE r.rolname IN ('hub_etl', 'hub_reporting') "
        "AND n.nspname IN ('etl', 'staging', 'clean', 'dw', 'reporting') "
        "AND has_function_privilege(r.rolname, p.oid, 'EXECUTE') ORDER BY 1, 2"
    )
    reviewed = _reviewed()
    expected = sorted(
        [("hub_etl", r) for r, who in reviewed.items() if "hub_etl" in who]
        + [("hub_etl", r) for r in ENTRY_POINTS]
        + [("hub_reporting", r) for r, who in reviewed.items() if "hub_reporting" in who]
        + [("hub_reporting", r) for r in PURE_FOR_VIEWS]
    )
    assert executable == expected
    # and the ETL role has no way into dw or clean by name
    assert not wh.scalar("SELECT has_schema_privilege('hub_etl', 'dw', 'USAGE')")
    assert not wh.scalar("SELECT has_schema_privilege('hub_etl', 'clean', 'USAGE')")
    assert not wh.scalar("SELECT has_schema_privilege('hub_reporting', 'dw', 'USAGE')")


def test_the_docs_show_the_login_recipes_the_tests_use():
    recipe = re.compile(r"CREATE ROLE \w+ LOGIN PASSWORD '[^']*' IN ROLE hub_(etl|reporting);")
    for doc in ("docs/security.md", "docs/tableau.md", "README.md"):
        assert recipe.search((ROOT / doc).read_text()), doc


def test_the_compose_init_makes_working_logins_from_the_environment(wh, hub_env):
    """What docker-compose's airflow-init runs after migrating (python -m hublib.logins)."""
    suffix = uuid.uuid4().hex[:8]
    names = {"etl": f"airflow_{suffix}", "reporting": f"tableau_{suffix}"}
    env = {
        **hub_env,
        "HUB_ETL_USER": names["etl"],
        "HUB_ETL_PASSWORD": "etl-secret",
        "HUB_REPORTING_USER": names["reporting"],
        "HUB_REPORTING_PASSWORD": "reporting-secret",
    }
    info = wh.conn.info

    def url(name: str, password: str) -> str:
        return make_conninfo(host=info.host, port=info.port, user=name, password=password, dbname=info.dbname)

    try:
        for expected in ("created", "password set"):  # a second init changes nothing but the passwords
            proc = subprocess.run(
                [sys.executable, "-m", "hublib.logins"], env=env, capture_output=True, text=True, cwd=ROOT
            )
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout.splitlines() == [
                f"logins: {names['etl']} (hub_etl) {expected}",
                f"logins: {names['reporting']} (hub_reporting) {expected}",
            ]
        with psycopg.connect(url(names["etl"], "etl-secret"), autocommit=True) as conn:
            assert conn.execute("SELECT pg_has_role('hub_etl', 'MEMBER')").fetchone()[0]
            assert not conn.execute("SELECT pg_has_role('hub_owner', 'MEMBER')").fetchone()[0]
            run_id = conn.execute("SELECT etl.start_run('load')").fetchone()[0]
            conn.execute("SELECT etl.finish_run(%s, 'success')", (run_id,))
        with psycopg.connect(url(names["reporting"], "reporting-secret")) as conn:
            assert conn.execute("SELECT count(*) FROM reporting.oee_daily").fetchone()[0] == 0
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT etl.start_run('load')")
    finally:
        for name in names.values():
            wh.conn.execute(f"DROP ROLE IF EXISTS {name}")


def test_the_compose_init_gives_airflow_a_metadata_database_of_its_own(wh, hub_env, pg_cluster):
    """python -m hublib.logins airflow-db, as airflow-init runs it before `airflow db migrate`."""
    suffix = uuid.uuid4().hex[:8]
    name = f"airflow_meta_{suffix}"
    from hublib.logins import ensure_airflow_database

    try:
        with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as admin:
            for _ in range(2):  # a second init only sets the password again
                ensure_airflow_database(admin, "meta-secret", name)
        info = wh.conn.info
        url = make_conninfo(host=info.host, port=info.port, user=name, password="meta-secret", dbname=name)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE airflow_owns_this (x integer)")  # Airflow migrates its own schema
            assert (
                conn.execute(
                    "SELECT pg_has_role('hub_etl', 'MEMBER') OR pg_has_role('hub_owner', 'MEMBER')"
                ).fetchone()[0]
                is False
            )
        proc = subprocess.run(
            [sys.executable, "-m", "hublib.logins", "airflow-db"],
            env={**hub_env, "DATABASE_URL": pg_cluster.url("postgres"), "AIRFLOW_DB_PASSWORD": ""},
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert proc.returncode != 0 and "AIRFLOW_DB_PASSWORD is not set" in proc.stderr
    finally:
        with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def test_the_loaders_own_rejections_reach_etl_as_an_etl_login(wh, logins, tmp_path):
    """Malformed records and a whole file rejected: the loader appends them to
    staging.rejected_row (all hub_etl may write), etl.close_batch moves them in."""
    from tests.helpers import BERLIN, HEADERS, M1_IN_P1, Warehouse, feed_file

    run = "R{n},M1,SKU1,,A,2026-03-02 06:00,2026-03-02 07:00,1,1,1"
    feed_file(tmp_path / "a", "plants", BERLIN)
    feed_file(tmp_path / "a", "machines", M1_IN_P1)
    feed_file(tmp_path / "a", "production_runs", run.format(n=1), run.format(n=2) + ",extra", "R3,M1")
    header = HEADERS["sales_lines"].replace(",quantity", "")
    feed_file(tmp_path / "a", "sales_lines", "a,b", "c,d", header=header)
    with logins["etl"].connect() as conn:
        result = Warehouse(conn).load(tmp_path / "a")
    got = {f.path.name: (f.status, f.read, f.accepted, f.rejected) for f in result.files}
    assert got["production_runs.csv"] == ("loaded", 3, 1, 2)
    assert got["sales_lines.csv"] == ("rejected", 2, 0, 2)
    assert wh.all("SELECT reason_code, count(*) FROM etl.rejected_row GROUP BY 1 ORDER BY 1") == [
        ("malformed_record", 2),
        ("missing_column", 2),
    ]
    assert wh.scalar("SELECT count(*) FROM staging.rejected_row") == 0
    assert wh.scalar("SELECT bool_and(is_reconciled) FROM etl.batch_reconciliation")
