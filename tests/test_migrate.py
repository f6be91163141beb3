"""Migrations: applied once each in order with checksums, edits refused, procedures re-applied
in dependency order, two migrates kept apart, and the roles."""

from __future__ import annotations

import shutil
import threading
import uuid

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from hublib.errors import HubError
from hublib.migrate import REQUIRES_RE, migrate, procedure_files, schema_files
from tests.conftest import ROOT


def catalog(wh) -> dict:
    """Definitions of every routine, view and column the hub owns."""
    routines = wh.all(
        "SELECT p.oid::regprocedure::text, md5(pg_get_functiondef(p.oid)) FROM pg_proc AS p "
        "JOIN pg_namespace AS n ON n.oid = p.pronamespace WHERE n.nspname IN ('etl', 'clean', 'dw', 'reporting') "
        "ORDER BY 1"
    )
    views = wh.all(
        "SELECT c.oid::regclass::text, md5(pg_get_viewdef(c.oid)) FROM pg_class AS c "
        "JOIN pg_namespace AS n ON n.oid = c.relnamespace WHERE c.relkind = 'v' AND n.nspname <> 'pg_catalog' "
        "AND n.nspname <> 'information_schema' ORDER BY 1"
    )
    columns = wh.all(
        "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema IN ('etl', 'staging', 'clean', 'dw', 'reporting') ORDER BY 1, 2, 3"
    )
    return {"routines": routines, "views": views, "columns": columns}


def test_every_schema_file_is_recorded_with_its_checksum(wh):
    recorded = dict(wh.all("SELECT filename, checksum FROM etl.schema_migration"))
    import hashlib

    expected = {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in schema_files(ROOT)}
    assert recorded == expected


def test_migrate_on_an_up_to_date_database_changes_nothing(wh):
    before = (catalog(wh), wh.snapshot())
    result = migrate(wh.url, ROOT, log=lambda _m: None)
    assert result.applied == []
    assert len(result.up_to_date) == len(schema_files(ROOT))
    assert (catalog(wh), wh.snapshot()) == before


def _copy_of_repo(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "schema", root / "schema")
    shutil.copytree(ROOT / "procedures", root / "procedures")
    return root


def test_an_edited_migration_is_refused(wh, tmp_path):
    root = _copy_of_repo(tmp_path)
    target = root / "schema" / "0003_create_etl_batch.sql"
    target.write_text(target.read_text() + "\n-- an innocent-looking edit\n")
    with pytest.raises(HubError, match=r"schema/0003_create_etl_batch\.sql was edited after it was applied"):
        migrate(wh.url, root, log=lambda _m: None)


def test_a_removed_migration_is_refused(wh, tmp_path):
    root = _copy_of_repo(tmp_path)
    (root / "schema" / "0006_create_etl_pipeline.sql").unlink()
    with pytest.raises(HubError, match="no longer in schema/"):
        migrate(wh.url, root, log=lambda _m: None)


def test_a_new_migration_is_applied_once_in_its_own_transaction(wh, tmp_path):
    root = _copy_of_repo(tmp_path)
    (root / "schema" / "9998_add_good.sql").write_text("CREATE TABLE etl.scratch_good (x integer);")
    (root / "schema" / "9999_add_broken.sql").write_text(
        "CREATE TABLE etl.scratch_broken (x integer);\nSELECT no_such_function();"
    )
    with pytest.raises(HubError, match=r"9999_add_broken\.sql failed"):
        migrate(wh.url, root, log=lambda _m: None)
    assert wh.scalar("SELECT to_regclass('etl.scratch_good') IS NOT NULL")
    assert wh.scalar("SELECT to_regclass('etl.scratch_broken') IS NULL")  # rolled back whole
    assert wh.scalar("SELECT count(*) FROM etl.schema_migration WHERE filename LIKE '999%%'") == 1
    assert wh.scalar("SELECT tableowner FROM pg_tables WHERE tablename = 'scratch_good'") == "hub_owner"


def test_procedure_files_come_after_what_they_require():
    order = procedure_files(ROOT)
    assert order == procedure_files(ROOT)  # deterministic
    position = {p.relative_to(ROOT / "procedures").as_posix(): i for i, p in enumerate(order)}
    for p in order:
        for needed in REQUIRES_RE.findall(p.read_text()):
            assert position[needed] < position[p.relative_to(ROOT / "procedures").as_posix()], (p, needed)


def test_a_require_cycle_is_reported(tmp_path):
    root = tmp_path / "repo"
    (root / "procedures" / "etl").mkdir(parents=True)
    (root / "procedures" / "etl" / "a.sql").write_text("-- requires: etl/b.sql\nSELECT 1;")
    (root / "procedures" / "etl" / "b.sql").write_text("-- requires: etl/a.sql\nSELECT 1;")
    with pytest.raises(HubError, match="cycle"):
        procedure_files(root)


def test_two_migrates_at_once_apply_everything_once(pg_cluster):
    name = f"hub_race_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = pg_cluster.url(name)
    errors: list[BaseException] = []

    def run():
        try:
            migrate(url, ROOT, log=lambda _m: None)
        except BaseException as exc:  # collected, asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        with psycopg.connect(url) as conn:
            count = conn.execute("SELECT count(*) FROM etl.schema_migration").fetchone()[0]
        assert count == len(schema_files(ROOT))
    finally:
        with psycopg.connect(pg_cluster.url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def test_roles_own_and_see_what_they_should(wh):
    assert wh.all("SELECT rolname FROM pg_roles WHERE rolname LIKE 'hub\\_%%' ORDER BY 1") == [
        ("hub_etl",),
        ("hub_owner",),
        ("hub_reporting",),
    ]
    owners = wh.all("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname IN ('etl', 'staging', 'clean', 'dw')")
    assert owners == [("hub_owner",)]
    assert not wh.scalar("SELECT has_table_privilege('hub_reporting', 'etl.batch', 'SELECT')")
    assert not wh.scalar("SELECT has_schema_privilege('hub_reporting', 'clean', 'USAGE')")
    assert wh.scalar("SELECT has_schema_privilege('hub_reporting', 'reporting', 'USAGE')")
    register = "etl.register_batch(text, text, text, text, bigint, text[], text[], text, bigint)"
    assert wh.scalar("SELECT has_function_privilege('hub_etl', %s, 'EXECUTE')", (register,))
    assert wh.scalar("SELECT has_function_privilege('hub_etl', 'etl.validate_sensor_readings(bigint)', 'EXECUTE')")
    assert not wh.scalar(
        "SELECT has_function_privilege('hub_reporting', 'etl.validate_sensor_readings(bigint)', 'EXECUTE')"
    )
    assert not wh.scalar("SELECT has_table_privilege('hub_etl', 'clean.production_run', 'SELECT')")


def test_the_etl_role_can_load_without_owning_anything(wh, tmp_path, pg_cluster):
    """A login role that is only a member of hub_etl loads a folder end to end."""
    from tests.helpers import BERLIN, M1_IN_P1, Warehouse, feed_file

    login = f"loader_{uuid.uuid4().hex[:6]}"
    wh.conn.execute(f"CREATE ROLE {login} LOGIN PASSWORD 'pw' IN ROLE hub_etl")
    try:
        feed_file(tmp_path, "plants", BERLIN)
        feed_file(tmp_path, "machines", M1_IN_P1)
        feed_file(tmp_path, "production_runs", "R1,M1,SKU1,,A,2026-03-02 06:00,2026-03-02 07:00,1,1,1", "R2,M1,x")
        info = wh.conn.info
        url = make_conninfo(host=info.host, port=info.port, user=login, password="pw", dbname=info.dbname)
        with psycopg.connect(url, autocommit=True) as conn:
            result = Warehouse(conn).load(tmp_path)
        assert [(f.accepted, f.rejected) for f in result.files] == [(1, 0), (1, 0), (1, 1)]
        with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT * FROM clean.production_run")
    finally:
        wh.conn.execute(f"DROP OWNED BY {login}")
        wh.conn.execute(f"DROP ROLE {login}")
