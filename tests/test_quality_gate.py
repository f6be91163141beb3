"""The data-quality gate (checks kept as data, results per run), run records from every
entry point, exit codes, and two runs that must not interleave. Expected values are
worked out by hand in the comments."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ROOT, run_hub
from tests.helpers import BERLIN, M1_IN_P1, feed_file

SKU1 = "SKU1,Widget,widgets,pcs,1.20,3.00,EUR,2020-01-01T00:00:00Z"


def run(run_id: str, start: str, end: str, total: int = 100, good: int = 95, cycle: str = "1", machine="M1"):
    return f"{run_id},{machine},SKU1,,A,{start},{end},{total},{good},{cycle}"


def master(folder):
    feed_file(folder, "plants", BERLIN)
    feed_file(folder, "machines", M1_IN_P1)
    feed_file(folder, "products", SKU1)


def results(wh, run_id=None):
    return {
        name: (observed, passed)
        for name, observed, passed in wh.all(
            "SELECT check_name, observed, passed FROM etl.dq_result WHERE run_id IS NOT DISTINCT FROM %s",
            (run_id,),
        )
    }


def test_overlapping_runs_fail_the_gate_and_scripts_hub_run_exits_1(wh, hub_env, tmp_path):
    hub_env["HUB_LOG_DIR"] = str(tmp_path / "logs")
    master(tmp_path)
    # R1 [06:00, 08:00) and R2 [07:00, 09:00) overlap (07:00 < 08:00 and 06:00 < 09:00);
    # R3 [09:00, 10:00) only touches R2: one pair.
    feed_file(
        tmp_path,
        "production_runs",
        run("R1", "2026-03-02T06:00Z", "2026-03-02T08:00Z"),
        run("R2", "2026-03-02T07:00Z", "2026-03-02T09:00Z"),
        run("R3", "2026-03-02T09:00Z", "2026-03-02T10:00Z"),
    )
    proc = run_hub("run", str(tmp_path), env=hub_env)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "hub: run 1 failed: step 900 etl.check_data_quality failed: data-quality gate failed: overlapping_runs "
        "(error): 1 pair(s) of overlapping runs, first: R1 and R2 on M1; see SELECT * FROM reporting.pipeline_runs "
        "WHERE run_id = 1 (and reporting.pipeline_run_steps, reporting.data_quality_results)"
    ]
    state, failed_step, failed_checks, errors = wh.one(
        "SELECT state, failed_step, failed_checks, failed_error_checks FROM reporting.pipeline_runs"
    )
    assert (state, failed_step, errors) == ("failed", "900 etl.check_data_quality", 1)
    assert "overlapping_runs (error)" in failed_checks
    assert results(wh, 1)["overlapping_runs"] == (Decimal(1), False)
    # the steps before the gate stay committed: the runs are in the facts
    assert wh.scalar("SELECT count(*) FROM dw.fact_production_run") == 3
    assert wh.all("SELECT step_order, state FROM reporting.pipeline_run_steps WHERE state <> 'success'") == [
        (900, "failed")
    ]
    # the failure was notified: to the run's row and as one JSON line of the pipeline log
    assert wh.scalar("SELECT notified_via FROM reporting.pipeline_runs") == ["log"]
    log = [json.loads(line) for line in (Path(hub_env["HUB_LOG_DIR"]) / "etl_pipeline.log").read_text().splitlines()]
    [note] = [e for e in log if e["event"] == "run notification"]
    assert note["message"].startswith("Hub run 1 (run) FAILED")
    assert note["level"] == "error" and note["failed_step"] == "900 etl.check_data_quality"


def test_a_failed_error_check_keeps_failing_until_its_cause_is_gone(wh, hub_env, tmp_path):
    master(tmp_path / "1")
    # R1 [06:00, 08:00) and R2 [07:00, 09:00) overlap: one pair, the gate fails.
    feed_file(
        tmp_path / "1",
        "production_runs",
        run("R1", "2026-03-02T06:00Z", "2026-03-02T08:00Z"),
        run("R2", "2026-03-02T07:00Z", "2026-03-02T09:00Z"),
    )
    assert run_hub("run", str(tmp_path / "1"), env=hub_env).returncode == 1
    assert results(wh, 1)["overlapping_runs"] == (Decimal(1), False)
    # Run 2 loads nothing new: the pair is still in the facts, so the gate still fails
    # (it looks at the whole warehouse because the check's last result failed as an error).
    proc = run_hub("rebuild", "--to", "1980-01-01", env=hub_env)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "overlapping_runs (error): 1 pair(s) of overlapping runs, first: R1 and R2 on M1" in proc.stderr
    assert results(wh, 2)["overlapping_runs"] == (Decimal(1), False)
    assert wh.scalar("SELECT state FROM etl.pipeline_run WHERE run_id = 2") == "failed"
    # Run 3 restates R2 as [08:00, 09:00): it only touches R1 (08:00 = 08:00), no pair left.
    feed_file(tmp_path / "3", "production_runs", run("R2", "2026-03-02T08:00Z", "2026-03-02T09:00Z"))
    proc = run_hub("run", str(tmp_path / "3"), env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert results(wh, 3)["overlapping_runs"] == (Decimal(0), True)
    # Run 4, after a pass, is incremental again: it loads nothing of M1's runs and sees no pair.
    assert run_hub("rebuild", "--to", "1980-01-01", env=hub_env).returncode == 0
    assert results(wh, 4)["overlapping_runs"] == (Decimal(0), True)


def test_performance_above_one_is_a_warning_and_the_run_exits_0(wh, hub_env, tmp_path):
    master(tmp_path)
    # one hour = 3600 s of run time; 2000 units at an ideal 2 s = 4000 s of ideal output:
    # performance 4000 / 3600 = 1.111 > 1
    feed_file(tmp_path, "production_runs", run("R1", "2026-03-02T06:00Z", "2026-03-02T07:00Z", 2000, 2000, "2"))
    proc = run_hub("run", str(tmp_path), env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert "checks that did not pass: " in proc.stdout and "performance_above_one (warning)" in proc.stdout
    assert wh.one("SELECT state, failed_error_checks FROM reporting.pipeline_runs") == ("success", 0)
    assert results(wh, 1)["performance_above_one"] == (Decimal(1), False)
    detail = wh.scalar("SELECT detail FROM etl.dq_result WHERE check_name = 'performance_above_one'")
    assert detail.startswith("1 machine-day(s) with performance above 1, the highest 1.111")


def test_unknown_members_share_against_its_threshold(wh, tmp_path):
    master(tmp_path)
    # R2's machine M9 is unknown: it gets an inferred machine, but its plant stays unknown
    # (-1): 1 of 2 runs = 0.5 > 0.01 fails; with the threshold
    # raised to 0.6 by UPDATE (checks are data) the same data passes.
    feed_file(
        tmp_path,
        "production_runs",
        run("R1", "2026-03-02T06:00Z", "2026-03-02T07:00Z"),
        run("R2", "2026-03-02T08:00Z", "2026-03-02T09:00Z", machine="M9"),
    )
    wh.load(tmp_path)
    with pytest.raises(psycopg.errors.DataException, match=r"unknown_members \(error\): fact_production_run: 1 of 2"):
        wh.conn.execute("CALL etl.run_pipeline()")
    assert results(wh, 1)["unknown_members"] == (Decimal("0.5"), False)
    wh.conn.execute("UPDATE etl.dq_check SET threshold = 0.6 WHERE check_name = 'unknown_members'")
    wh.conn.execute("CALL etl.run_pipeline()")
    assert results(wh, 2)["unknown_members"] == (Decimal("0.5"), True)
    assert wh.all("SELECT run_id, kind, state FROM reporting.pipeline_runs ORDER BY 1") == [
        (1, "run", "failed"),
        (2, "run", "success"),
    ]


def test_freshness_and_batch_reconciliation_checks(wh, tmp_path):
    master(tmp_path)
    feed_file(tmp_path, "production_runs", run("R1", "2026-03-02T06:00Z", "2026-03-02T07:00Z"), "broken,row")
    wh.load(tmp_path)
    # production_runs delivered 50 hours ago: 50 > 36 (warning); downtime never delivered.
    wh.conn.execute(
        "UPDATE etl.batch SET finished_at = clock_timestamp() - interval '50 hours' WHERE feed_name = 'production_runs'"
    )
    # one kept rejected row lost: the batch no longer reconciles (1 read as rejected, 0 kept)
    wh.conn.execute("DELETE FROM etl.rejected_row WHERE batch_id = (SELECT max(batch_id) FROM etl.batch)")
    wh.conn.execute("CALL etl.check_data_quality()")  # outside a run: results under run_id NULL
    got = results(wh)
    assert got["freshness_production_runs"][1] is False
    assert Decimal("50.0") <= got["freshness_production_runs"][0] <= Decimal("50.1")
    assert got["freshness_downtime_events"] == (None, False)
    assert got["batch_reconciliation"] == (Decimal(1), False)


@pytest.mark.parametrize(
    ("last_day", "observed", "passed"), [(6, Decimal("2.0000"), False), (3, Decimal("0.5000"), True)]
)
def test_daily_volume_against_the_same_weekday_before(wh, tmp_path, last_day, observed, passed):
    master(tmp_path)
    # 2 runs a day from Sunday 2026-02-08 to Saturday 03-07; then `last_day` runs on Sunday
    # 03-08, the latest complete day (03-09, the newest, is still arriving). The normal is
    # the four Sundays before (02-08, 02-15, 02-22, 03-01): median 2.
    # |6 / 2 - 1| = 2.0 > 0.5 fails; |3 / 2 - 1| = 0.5 <= 0.5 passes.
    days = [date(2026, 2, 8) + timedelta(days=i) for i in range(28)]
    rows = [run(f"R{d:%m%d}_{i}", f"{d}T{10 + i}:00Z", f"{d}T{10 + i}:30Z") for d in days for i in range(2)]
    rows += [run(f"R0308_{i}", f"2026-03-08T{10 + i}:00Z", f"2026-03-08T{10 + i}:30Z") for i in range(last_day)]
    rows += [run("R0309_0", "2026-03-09T01:00Z", "2026-03-09T01:30Z")]
    feed_file(tmp_path, "production_runs", *rows)
    wh.load(tmp_path)
    got = wh.one("SELECT * FROM etl.dq_daily_volume('production_runs', 0.5)")
    assert got[:2] == (observed, passed)
    assert got[2] == (
        f"production_runs: {last_day} records on 2026-03-08 against a median of 2 over the 4 Sunday(s) before "
        "(limit +-50%)"
    )


def test_psql_runs_are_recorded_and_a_run_whose_session_died_is_abandoned(wh):
    wh.conn.execute("CALL etl.run_pipeline()")
    wh.conn.execute("CALL etl.run_pipeline()")
    assert wh.all("SELECT run_id, kind, state FROM reporting.pipeline_runs ORDER BY 1") == [
        (1, "run", "success"),
        (2, "run", "success"),
    ]
    steps = wh.scalar("SELECT count(*) FROM etl.pipeline_step")
    assert wh.scalar("SELECT count(*) FROM etl.pipeline_run_step WHERE run_id = 2 AND state = 'success'") == steps
    # A session opens a run and dies without ending it: the next run is not blocked by it.
    with psycopg.connect(wh.url, autocommit=True) as dead:
        assert dead.execute("SELECT etl.start_run('load')").fetchone()[0] == 3
        dead_pid = dead.info.backend_pid
    # the server ends the backend (and frees its locks) a moment after the client leaves
    deadline = time.monotonic() + 10
    while (
        wh.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (dead_pid,)) and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    wh.conn.execute("UPDATE etl.setting SET setting_value = '0' WHERE setting_name = 'lock_wait_seconds'")
    wh.conn.execute("CALL etl.run_pipeline()")
    assert wh.all("SELECT run_id, state, error_message FROM reporting.pipeline_runs WHERE run_id >= 3 ORDER BY 1") == [
        (3, "failed", "abandoned: the session that ran it ended before it finished"),
        (4, "success", None),
    ]


def _slow_chain(wh, seconds: float) -> None:
    """A step that takes a while, so that two runs started together overlap."""
    wh.conn.execute(f"CREATE PROCEDURE public.slow_step() LANGUAGE sql AS $$ SELECT pg_sleep({seconds}) $$")
    wh.conn.execute("INSERT INTO etl.pipeline_step VALUES (15, 'public', 'slow_step', 'takes a while')")


def _start_hub_run(env, folder) -> subprocess.Popen:
    full_env = dict(env)
    full_env["PYTHONPATH"] = str(ROOT / "scripts")
    return subprocess.Popen(
        [sys.executable, "-m", "hublib", "run", str(folder)],
        env=full_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_concurrent_runs_the_second_waits_and_the_warehouse_is_as_after_one(wh, hub_env, tmp_path):
    folder = ROOT / "fixtures"
    _slow_chain(wh, 3)
    first = _start_hub_run(hub_env, folder)
    time.sleep(1.0)  # the first has opened its run (migrate + start take well under a second)
    second = _start_hub_run(hub_env, folder)
    _out1, err1 = first.communicate(timeout=300)
    out2, err2 = second.communicate(timeout=300)
    assert first.returncode == 0, err1
    assert second.returncode == 0, err2
    assert "run 1 (run, started" in out2 and "is in progress; waiting up to 600 s" in out2
    runs = wh.all(
        "SELECT run_id, state, batches, rows_loaded, started_at, finished_at FROM reporting.pipeline_runs ORDER BY 1"
    )
    assert [(r[0], r[1], r[2], r[3]) for r in runs] == [(1, "success", 10, 808), (2, "success", 0, 0)]
    # never interleaved: the second run opened after the first had ended
    assert runs[1][4] > runs[0][5]
    # the same as after one run: a further run changes nothing but the run history
    wh.conn.execute("DELETE FROM etl.pipeline_step WHERE step_order = 15")
    before = wh.snapshot()
    wh.conn.execute("CALL etl.run_pipeline()")
    assert wh.snapshot() == before


def test_a_second_run_that_cannot_wait_fails_clearly_and_changes_nothing(wh, hub_env, tmp_path):
    _slow_chain(wh, 4)
    wh.conn.execute("UPDATE etl.setting SET setting_value = '1' WHERE setting_name = 'lock_wait_seconds'")
    first = _start_hub_run(hub_env, ROOT / "fixtures")
    time.sleep(1.5)
    proc = run_hub("run", str(ROOT / "fixtures"), env=hub_env)
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert proc.returncode == 2
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("hub: another run is still in progress after waiting 1 s: run 1 (run, running, started ")
    assert "SELECT * FROM reporting.pipeline_runs" in line
    assert wh.all("SELECT run_id, state, batches FROM reporting.pipeline_runs") == [(1, "success", 10)]


def test_scd2_invariants_check_sees_what_the_deferred_constraints_would_refuse(wh, tmp_path):
    master(tmp_path)
    wh.load(tmp_path)
    wh.conn.execute("CALL etl.run_pipeline()")
    assert wh.one("SELECT * FROM etl.dq_scd2_invariants(NULL, 0)") == (
        0,
        True,
        "every code has one current version and no overlap",
    )
    # Inside one transaction the deferred exclusion constraints have not fired yet: a second
    # current version of M1 overlapping the first (2026 onwards against 1900 onwards) is
    # seen by the check, which counts one code, and never reaches a commit.
    with psycopg.connect(wh.url) as conn:
        conn.execute(
            "INSERT INTO dw.dim_machine (machine_code, valid_from, valid_to, is_current) "
            "VALUES ('M1', '2026-01-01', '9999-12-31', TRUE)"
        )
        got = conn.execute("SELECT * FROM etl.dq_scd2_invariants(NULL, 0)").fetchone()
        conn.rollback()
    assert got == (1, False, "1 code(s) break SCD2: machine M1")


def test_a_day_of_overlapping_runs_above_one_is_still_reported(wh, tmp_path):
    """The check's cheap bound (scheduled time less every stop once) must not hide a day
    whose runs overlap, where each run counts the stops within it (found by a prober).
    Two runs of M1 over the same two hours, one unplanned stop of an hour inside both,
    4500 units at an ideal 1 s in each run:
      scheduled = 7200 + 7200 = 14400 s; downtime = 3600 + 3600 = 7200 s (clipped run by run);
      run time = 14400 - 7200 = 7200 s; ideal output = 4500 + 4500 = 9000 s;
      performance = 9000 / 7200 = 1.25 > 1.
    Taking the stop once, 14400 - 3600 = 10800 >= 9000 would have dropped the day."""
    master(tmp_path)
    feed_file(
        tmp_path,
        "production_runs",
        run("R1", "2026-03-02T06:00:00Z", "2026-03-02T08:00:00Z", 4500, 4500, "1"),
        run("R2", "2026-03-02T06:00:00Z", "2026-03-02T08:00:00Z", 4500, 4500, "1"),
    )
    feed_file(tmp_path, "downtime_events", "E1,M1,2026-03-02T06:30:00Z,2026-03-02T07:30:00Z,JAM,,false")
    wh.load(tmp_path)
    with pytest.raises(psycopg.errors.DataException, match="overlapping_runs"):
        wh.conn.execute("CALL etl.run_pipeline()")
    assert results(wh, 1)["overlapping_runs"][0] == Decimal(1)
    assert results(wh, 1)["performance_above_one"] == (Decimal(1), False)
    observed, _passed, detail = wh.one("SELECT * FROM etl.dq_performance_above_one(NULL, 0)")
    assert observed == Decimal(1)
    assert detail == "1 machine-day(s) with performance above 1, the highest 1.2500000000000000 on M1 2026-03-02"
