"""Safe beside users: load and run never migrate, a migrate with nothing new blocks no
reader, a run with new data goes through while BI sessions hold open transactions, and a
run whose backend was killed mid-step is closed as abandoned, step by step."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import psycopg
import pytest

from hublib.generate import generate
from tests.conftest import ROOT, run_hub

BEHIND = "hub: the database is behind this checkout ({}); run scripts/hub migrate as the warehouse's owner first"


def _views(wh) -> list[str]:
    return [r[0] for r in wh.all("SELECT viewname FROM pg_views WHERE schemaname = 'reporting' ORDER BY 1")]


# -- no migration behind the user's back ----------------------------------------------------
def test_load_and_run_stop_when_the_database_is_behind(wh, hub_env):
    wh.conn.execute("DELETE FROM etl.procedure_file WHERE filename = 'reporting/oee_daily.sql'")
    # a change the checkout does not know: a migrate would replace it, load and run must not
    wh.conn.execute("COMMENT ON VIEW reporting.oee_daily IS 'left alone'")
    for args in (
        ("load", "fixtures"),
        ("run",),
        ("run", "fixtures"),
        ("rebuild",),
        ("rebuild", "--from", "2026-03-01"),
    ):
        proc = run_hub(*args, env=hub_env)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.splitlines() == [BEHIND.format("1 procedure file(s) not applied")], args
    assert wh.scalar("SELECT count(*) FROM etl.batch") == 0
    assert wh.scalar("SELECT count(*) FROM etl.pipeline_run") == 0
    assert wh.scalar("SELECT obj_description('reporting.oee_daily'::regclass)") == "left alone"
    # status makes the same check and names the file
    proc = run_hub("status", "--json", env=hub_env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    s = json.loads(proc.stdout)
    assert s["healthy"] is False and s["schema"]["pending"] == []
    assert s["schema"]["pending_procedures"] == ["reporting/oee_daily.sql"]
    assert s["problems"] == [
        "the database is behind this checkout (1 procedure file(s) not applied; load, run, import and rebuild "
        "refuse to start): scripts/hub migrate"
    ]
    proc = run_hub("status", env=hub_env)
    assert proc.returncode == 1
    assert (
        "procedures 1 file(s) new or changed since the last migrate: reporting/oee_daily.sql (scripts/hub migrate)"
        in proc.stdout.splitlines()
    )

    wh.conn.execute("DELETE FROM etl.schema_migration WHERE filename LIKE '0017%%'")
    proc = run_hub("load", "fixtures", env=hub_env)
    assert proc.stderr.splitlines() == [
        BEHIND.format("1 schema file(s) from 0017_close_paths_to_owner_rights.sql and 1 procedure file(s) not applied")
    ]


def test_migrate_applies_only_the_procedure_files_that_changed(wh, hub_env):
    wh.conn.execute("DELETE FROM etl.procedure_file WHERE filename = 'reporting/oee_daily.sql'")
    wh.conn.execute("COMMENT ON VIEW reporting.oee_daily IS 'replaced by the next migrate'")
    wh.conn.execute("COMMENT ON VIEW reporting.oee_monthly IS 'left alone: its file did not change'")
    proc = run_hub("migrate", env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert "1 procedure file(s) applied" in proc.stdout
    assert wh.scalar("SELECT obj_description('reporting.oee_daily'::regclass)") != "replaced by the next migrate"
    assert wh.scalar("SELECT obj_description('reporting.oee_monthly'::regclass)") == (
        "left alone: its file did not change"
    )
    again = run_hub("migrate", env=hub_env)
    assert "0 procedure file(s) applied" in again.stdout


def test_a_migrate_with_nothing_new_does_not_wait_for_readers(wh, hub_env):
    with psycopg.connect(wh.url) as reader:
        for view in _views(wh):
            reader.execute(f"SELECT * FROM reporting.{view} LIMIT 1")  # transaction left open
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "hublib", "migrate"],
            env={**hub_env, "PYTHONPATH": str(ROOT / "scripts")},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        took = time.monotonic() - started
        reader.rollback()
    assert proc.returncode == 0, proc.stderr
    assert "0 procedure file(s) applied" in proc.stdout
    assert took < 10, took  # the old migrate re-created every view and waited for this reader


# -- a run beside readers -----------------------------------------------------------------
class Reader(threading.Thread):
    """A BI session: an open transaction that has read some reporting views, then reads one
    every 0.2 s until told to stop, each statement timed."""

    def __init__(self, url: str, views: list[str]):
        super().__init__(daemon=True)
        self.conn = psycopg.connect(url)
        self.views = views
        for view in views:
            self.conn.execute(f"SELECT count(*) FROM reporting.{view}")
        self.stop = threading.Event()
        self.slowest = 0.0
        self.statements = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                for view in self.views:
                    started = time.monotonic()
                    self.conn.execute(f"SELECT count(*) FROM reporting.{view}")
                    self.slowest = max(self.slowest, time.monotonic() - started)
                    self.statements += 1
                time.sleep(0.2)
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            self.conn.rollback()
            self.conn.close()


def test_a_run_with_new_data_goes_through_beside_open_reader_transactions(wh, hub_env, tmp_path):
    wh.load(ROOT / "fixtures")
    wh.conn.execute("CALL etl.run_pipeline()")
    views = _views(wh)
    # new data: other months (new partitions), new machines and products, telemetry
    generate(tmp_path / "new", seed=11, machines=4, days=20, sensor_interval=3600)
    readers = [Reader(wh.url, views[i::3]) for i in range(3)]
    for r in readers:
        r.start()
    try:
        started = time.monotonic()
        proc = subprocess.run(
            [sys.executable, "-m", "hublib", "run", str(tmp_path / "new")],
            env={**hub_env, "PYTHONPATH": str(ROOT / "scripts")},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        took = time.monotonic() - started
    finally:
        for r in readers:
            r.stop.set()
        for r in readers:
            r.join(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert wh.scalar("SELECT state FROM reporting.pipeline_runs ORDER BY run_id DESC LIMIT 1") == "success"
    for r in readers:
        assert r.error is None, r.error
        assert r.statements >= len(r.views), r.statements
        assert r.slowest < 1.0, (r.views, r.slowest)
    assert took < 240
    # the new data arrived (the readers' snapshots did not hide it from anyone else)
    assert wh.scalar("SELECT count(DISTINCT machine_code) FROM reporting.oee_daily") > 6


# -- abandoned runs -----------------------------------------------------------------------
def _slow_step(wh, seconds: float) -> None:
    wh.conn.execute(f"CREATE PROCEDURE public.slow_step() LANGUAGE sql AS $$ SELECT pg_sleep({seconds}) $$")
    wh.conn.execute("INSERT INTO etl.pipeline_step VALUES (15, 'public', 'slow_step', 'takes a while')")


def test_a_run_killed_mid_step_is_closed_as_abandoned_with_its_steps(wh):
    _slow_step(wh, 60)
    steps = [r[0] for r in wh.all("SELECT step_order FROM etl.pipeline_step ORDER BY 1")]
    victim = psycopg.connect(wh.url, autocommit=True)
    pid = victim.info.backend_pid
    outcome: list[BaseException | None] = []

    def run_and_die() -> None:
        try:
            victim.execute("CALL etl.run_pipeline()")
            outcome.append(None)
        except psycopg.Error as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run_and_die)
    thread.start()
    deadline = time.monotonic() + 30
    while wh.one("SELECT state FROM etl.pipeline_run_step WHERE run_id = 1 AND step_order = 15") != ("running",):
        assert time.monotonic() < deadline, "the slow step never started"
        time.sleep(0.1)
    assert wh.scalar("SELECT pg_terminate_backend(%s)", (pid,))
    thread.join(timeout=30)
    assert isinstance(outcome[0], psycopg.OperationalError)  # its connection was cut
    victim.close()
    while wh.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)):
        time.sleep(0.05)

    wh.conn.execute("DELETE FROM etl.pipeline_step WHERE step_order = 15")
    before = wh.scalar("SELECT clock_timestamp()")
    wh.conn.execute("CALL etl.run_pipeline()")
    reason = "abandoned: the session that ran it ended before it finished"
    run = wh.one("SELECT state, error_message, finished_at FROM etl.pipeline_run WHERE run_id = 1")
    assert run[:2] == ("failed", reason)
    assert run[2] >= before  # finished_at: when it was noticed
    got = wh.all("SELECT step_order, state, message FROM etl.pipeline_run_step WHERE run_id = 1 ORDER BY 1")
    done = [s for s in steps if s < 15]
    assert got == [(s, "success", None) for s in done] + [(s, "failed", reason) for s in steps if s >= 15]
    assert wh.scalar(
        "SELECT count(*) FROM etl.pipeline_run_step WHERE run_id = 1 AND state = 'failed' AND finished_at >= %s",
        (before,),
    ) == len(steps) - len(done)
    changes = wh.all(
        "SELECT step_order, state FROM etl.pipeline_state_change WHERE run_id = 1 AND message = %s ORDER BY 1",
        (reason,),
    )
    assert changes == [(s, "failed") for s in steps if s >= 15] + [(None, "failed")]
    assert wh.one("SELECT state FROM etl.pipeline_run WHERE run_id = 2") == ("success",)


def test_a_run_lock_held_in_an_open_transaction_gives_the_documented_message(wh):
    wh.conn.execute("UPDATE etl.setting SET setting_value = '1' WHERE setting_name = 'lock_wait_seconds'")
    with psycopg.connect(wh.url) as other:
        other.execute("SELECT etl.start_run('load')")  # not committed: its run is invisible
        pid = other.info.backend_pid
        with pytest.raises(psycopg.errors.LockNotAvailable) as info:
            wh.conn.execute("CALL etl.run_pipeline()")
        other.rollback()
    assert info.value.diag.message_primary == (
        f"another run is still in progress after waiting 1 s: a run that session {pid} is opening "
        "(it has not committed yet)"
    )
    assert "etl.finish_run" in info.value.diag.message_hint
