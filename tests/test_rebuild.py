"""`scripts/hub rebuild` / CALL etl.rebuild: after a business rule changes (here: a run's
production date becomes the plant-local date of its END instead of its start), a rebuild
gives every reporting view exactly what a fresh load of the same files gives under the new
rule; a second rebuild changes nothing; a range rebuild touches only its range."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo

from hublib.generate import generate
from tests.conftest import run_hub
from tests.helpers import Warehouse
from tests.test_operations import reporting_snapshot

RULE_OLD = "(r.start_ts AT TIME ZONE coalesce(pl.timezone, 'UTC'))::date AS production_date"
RULE_NEW = "(r.end_ts AT TIME ZONE coalesce(pl.timezone, 'UTC'))::date AS production_date"


def change_rule(conn: psycopg.Connection) -> None:
    """The new rule, as a migration would install it: the step procedure replaced."""
    src = conn.execute("SELECT pg_get_functiondef('dw.load_fact_production_run()'::regprocedure)").fetchone()[0]
    assert RULE_OLD in src
    conn.execute(src.replace(RULE_OLD, RULE_NEW))


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rebuild") / "data"
    generate(folder, seed=5, machines=3, days=12, sensor_interval=3600)
    return folder


@pytest.fixture
def fresh(warehouse_server, wh):
    """A second migrated database on the same server, for the fresh load."""
    name = "hub_fresh_load"
    wh.conn.execute(
        sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
            sql.Identifier(name), sql.Identifier(warehouse_server.template_dbname)
        )
    )
    info = wh.conn.info
    url = make_conninfo(host=info.host, port=info.port, user=info.user, password=info.password, dbname=name)
    yield url
    wh.conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_rebuild_after_a_rule_change_equals_a_fresh_load_and_is_idempotent(wh, hub_env, data, fresh):
    assert run_hub("run", str(data), env=hub_env).returncode == 0
    before = reporting_snapshot(wh)

    change_rule(wh.conn)
    proc = run_hub("rebuild", env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert "etl.run_step: run 2 step 50 dw.load_fact_production_run" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "rebuild: done"
    rebuilt = reporting_snapshot(wh)
    # the rule matters for these data (night shifts end the next day): otherwise this test proves nothing
    assert rebuilt["oee_daily"] != before["oee_daily"]
    assert wh.one("SELECT kind, state, rebuild_from, rebuild_to FROM etl.pipeline_run WHERE run_id = 2") == (
        "rebuild",
        "success",
        None,
        None,
    )
    assert wh.scalar("SELECT batches FROM reporting.pipeline_runs WHERE run_id = 2") == 0  # nothing loaded

    # a fresh load of the same files under the new rule (loaded and chained directly:
    # scripts/hub run would migrate, and so put the procedure of the checkout back)
    with psycopg.connect(fresh, autocommit=True) as conn:
        change_rule(conn)
        other = Warehouse(conn)
        other.load(data)
        conn.execute("CALL etl.run_pipeline()")
        assert other.one("SELECT kind, state FROM etl.pipeline_run") == ("run", "success")
        assert reporting_snapshot(other) == rebuilt
        facts = [t for t in wh.snapshot(schemas=("dw",)) if t.startswith(("dw.fact_", "dw.fx_daily"))]
        assert len(facts) >= 6
        mine, theirs = wh.snapshot(schemas=("dw",)), other.snapshot(schemas=("dw",))
        assert {t: theirs[t] for t in facts} == {t: mine[t] for t in facts}  # exactly, floats included

    # again: nothing changes, and no step writes a row of clean or dw
    tables = wh.snapshot(schemas=("clean", "dw"))
    wh.conn.execute("CALL etl.rebuild()")  # the same from psql
    assert wh.snapshot(schemas=("clean", "dw")) == tables
    assert reporting_snapshot(wh) == rebuilt
    assert wh.one("SELECT kind, state FROM etl.pipeline_run WHERE run_id = 3") == ("rebuild", "success")
    assert wh.scalar("SELECT sum(rows_written) FROM etl.pipeline_run_step WHERE run_id = 3") == 0


def test_a_range_rebuild_recomputes_only_its_range(wh, hub_env, data):
    assert run_hub("run", str(data), env=hub_env).returncode == 0
    first, last = wh.one("SELECT min(start_ts)::date, max(start_ts)::date FROM clean.production_run")
    change_rule(wh.conn)
    # the first four days (dates on the plant's clock; the batch is taken whole, so the
    # range decides which batches, and every run of those batches gets the new rule)
    cut = wh.scalar("SELECT %s::date + 3", (first,))
    proc = run_hub("rebuild", "--from", str(first), "--to", str(cut), env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert wh.one("SELECT rebuild_from, rebuild_to FROM etl.pipeline_run WHERE run_id = 2") == (first, cut)
    # every fact now follows the rule of the batch it came from: batches with a run in the
    # range follow the new rule (end date), the others still the old one (start date)
    mismatched = wh.all(
        """
        WITH touched AS (
            SELECT DISTINCT batch_id FROM clean.production_run
            WHERE start_ts >= (%(first)s::date - 1)::timestamp AT TIME ZONE 'UTC'
                AND start_ts < (%(cut)s::date + 2)::timestamp AT TIME ZONE 'UTC'
        )
        SELECT f.run_id FROM dw.fact_production_run AS f
        JOIN dw.dim_plant AS pl ON pl.plant_key = f.plant_key
        WHERE f.production_date <> (
            CASE WHEN f.batch_id IN (SELECT batch_id FROM touched) THEN f.end_ts ELSE f.start_ts END
            AT TIME ZONE pl.timezone
        )::date
        """,
        {"first": first, "cut": cut},
    )
    assert mismatched == []
    assert last > cut
    bad = run_hub("rebuild", "--from", "2026-03-05", "--to", "2026-03-01", env=hub_env)
    assert bad.returncode == 2 and bad.stderr.strip() == (
        "hub: --from 2026-03-05 is after --to 2026-03-01; give --from on or before --to"
    )
