"""The operator's commands: `status` (fresh, after a good run, after a failed run, server
down), the pause (a run while paused is recorded and changes nothing; resume and the next
run proceeds), and the notification outbox (a run started in psql is notified by the next
command)."""

from __future__ import annotations

import json
import os
import re
import shutil

import psycopg
import pytest

from tests.conftest import ROOT, run_hub
from tests.helpers import BERLIN, M1_IN_P1, feed_file
from tests.test_dag import Webhook

FIXTURES = ROOT / "fixtures"
SKU1 = "SKU1,Widget,widgets,pcs,1.20,3.00,EUR,2020-01-01T00:00:00Z"
# The run history views: every run adds to them by design.
RUN_HISTORY = {"pipeline_runs", "pipeline_run_steps", "data_quality_results"}


def reporting_snapshot(wh) -> dict[str, list]:
    """Every row of every reporting view except the run history, sorted; every float to
    12 significant digits, everything else as it is. The sensor views' means and
    deviations are doubles computed when the view is read, and the order in which
    PostgreSQL sums them follows the plan (a parallel aggregate or not), so two reads of
    identical facts may differ in the last bits; 12 digits is far below any difference
    that matters (the tests compare the tables underneath exactly)."""
    views = [
        v
        for (v,) in wh.all("SELECT viewname FROM pg_views WHERE schemaname = 'reporting' ORDER BY 1")
        if v not in RUN_HISTORY
    ]
    assert len(views) >= 7
    return {
        v: sorted(
            (
                tuple(float(f"{x:.12g}") if isinstance(x, float) else x for x in row)
                for row in wh.all(f'SELECT * FROM reporting."{v}"')
            ),
            key=repr,
        )
        for v in views
    }


def status(env) -> tuple[int, dict]:
    proc = run_hub("status", "--json", env=env)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout)


# -- status -------------------------------------------------------------------------------
def test_status_on_a_fresh_warehouse(hub_env):
    code, s = status(hub_env)
    assert code == 0
    assert s["healthy"] is True and s["problems"] == []
    assert s["cluster"]["kind"] == "DATABASE_URL" and s["cluster"]["reachable"] is True
    assert "password" not in s["cluster"]["url"] and hub_env["DATABASE_URL"] not in json.dumps(s)
    files = sorted(p.name for p in (ROOT / "schema").glob("[0-9]*.sql"))
    assert s["schema"] == {"applied": len(files), "in_checkout": len(files), "pending": [], "pending_procedures": []}
    assert s["runs"] == [] and s["pending_records"] == 0 and s["paused"] is None
    assert s["quality"] == {"run_id": None, "results": []}
    assert {f["feed"]: f["last_file"] for f in s["feeds"]}["production_runs"] is None
    text = run_hub("status", env=hub_env)
    assert text.returncode == 0 and text.stdout.splitlines()[-1] == "healthy"


def test_status_after_a_good_run(hub_env):
    assert run_hub("run", str(FIXTURES), env=hub_env).returncode == 0
    code, s = status(hub_env)
    assert code == 0 and s["healthy"] is True
    [last] = s["runs"]
    # the fixtures: 814 read = 808 accepted + 5 rejected + 1 pending (fixtures/README.md)
    assert (last["kind"], last["state"], last["rows_loaded"], last["rows_rejected"]) == ("run", "success", 808, 5)
    assert s["pending_records"] == 1
    feeds = {f["feed"]: f for f in s["feeds"]}
    assert feeds["production_runs"]["last_file"] == "production_runs_2026-03.csv"
    assert feeds["production_runs"]["fresh"] is True and feeds["production_runs"]["limit_h"] == 36
    assert s["quality"]["run_id"] == last["run_id"]
    assert len(s["quality"]["results"]) == 15 and all(r["passed"] for r in s["quality"]["results"])


def test_status_after_a_failed_run_exits_1(hub_env, tmp_path):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    feed_file(tmp_path, "products", SKU1)
    # two runs of M1 that overlap: the overlapping_runs error check fails the gate
    feed_file(
        tmp_path,
        "production_runs",
        "R1,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,100,95,1",
        "R2,M1,SKU1,,A,2026-03-02T07:00Z,2026-03-02T09:00Z,100,95,1",
    )
    assert run_hub("run", str(tmp_path), env=hub_env).returncode == 1
    code, s = status(hub_env)
    assert code == 1 and s["healthy"] is False
    assert s["runs"][0]["state"] == "failed" and s["runs"][0]["failed_step"] == "900 etl.check_data_quality"
    assert any(p.startswith("the last run (1, run) failed") for p in s["problems"])
    assert "error checks failed in run 1: overlapping_runs" in s["problems"]
    failed = [r["check_name"] for r in s["quality"]["results"] if not r["passed"] and r["severity"] == "error"]
    assert failed == ["overlapping_runs"]
    text = run_hub("status", env=hub_env)
    assert text.returncode == 1 and "PROBLEM    the last run (1, run) failed" in text.stdout


def test_status_when_the_server_is_down():
    env = dict(os.environ, DATABASE_URL="postgresql://hub:secret@127.0.0.1:1/hub")
    code, s = status(env)
    assert code == 1 and s["cluster"]["reachable"] is False
    assert s["cluster"]["url"] == "postgresql://hub@127.0.0.1:1/hub"
    assert s["problems"][0].startswith("cannot connect")


# -- pause --------------------------------------------------------------------------------
def test_a_paused_hub_records_runs_as_paused_and_changes_nothing(wh, hub_env, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    shutil.copytree(FIXTURES, first)
    feed_file(second, "plants", "P9,Porto,PT,EUR,Europe/Lisbon,2020-01-01T00:00:00Z")
    assert run_hub("run", str(first), env=hub_env).returncode == 0
    before = reporting_snapshot(wh)
    tables_before = wh.snapshot()

    proc = run_hub("pause", "--reason", "ERP cut-over", env=hub_env)
    assert proc.returncode == 0 and "the hub is paused" in proc.stdout
    # the command line: load and run
    for args in (("load", str(second)), ("run", str(second))):
        proc = run_hub(*args, env=hub_env)
        assert proc.returncode == 0, proc.stderr
        assert "paused: the hub is paused (by " in proc.stdout and ": ERP cut-over); nothing was done" in proc.stdout
    # psql
    wh.conn.execute("CALL etl.run_pipeline()")
    assert wh.all("SELECT run_id, kind, state FROM etl.pipeline_run WHERE run_id > 1 ORDER BY run_id") == [
        (2, "load", "paused"),
        (3, "run", "paused"),
        (4, "run", "paused"),
    ]
    assert wh.scalar("SELECT count(*) FROM etl.pipeline_run_step WHERE run_id > 1") == 0
    assert reporting_snapshot(wh) == before
    after = wh.snapshot()
    assert after.pop("etl.hub_pause") != tables_before.pop("etl.hub_pause")  # the pause itself
    assert after == tables_before  # not a batch registered, not a row anywhere
    code, s = status(hub_env)
    assert code == 0 and s["paused"]["reason"] == "ERP cut-over"
    assert s["paused"]["paused_by"] == wh.conn.info.user

    wh.conn.execute("CALL etl.pause('twice')")  # pausing again keeps the first pause's time
    assert wh.scalar("SELECT count(*) FROM etl.hub_pause") == 1
    assert run_hub("resume", env=hub_env).returncode == 0
    assert run_hub("resume", env=hub_env).stdout.strip() == "resume: the hub was not paused"
    proc = run_hub("run", str(second), env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert wh.one("SELECT kind, state, rows_loaded FROM reporting.pipeline_runs WHERE run_id = 5") == (
        "run",
        "success",
        1,
    )
    assert wh.scalar("SELECT count(*) FROM clean.plant WHERE plant_code = 'P9'") == 1


def test_pause_and_resume_are_safe_to_repeat(wh):
    wh.conn.execute("CALL etl.pause('a')")
    first = wh.one("SELECT paused_at, reason FROM etl.hub_pause")
    wh.conn.execute("CALL etl.pause()")
    assert wh.one("SELECT paused_at, reason FROM etl.hub_pause") == first  # same pause, reason kept
    wh.conn.execute("CALL etl.resume()")
    wh.conn.execute("CALL etl.resume()")
    assert wh.scalar("SELECT count(*) FROM etl.hub_pause") == 0


# -- the notification outbox --------------------------------------------------------------
@pytest.fixture
def webhook(monkeypatch):
    hook = Webhook()
    yield hook
    hook.close()


def test_a_run_started_in_psql_is_notified_by_the_next_command(wh, hub_env, tmp_path, webhook):
    hub_env["HUB_WEBHOOK_URL"] = webhook.url
    hub_env["HUB_LOG_DIR"] = str(tmp_path / "logs")
    wh.conn.execute("CALL etl.run_pipeline()")  # psql cannot send mail or call the webhook
    assert wh.one("SELECT state, notified_at FROM etl.pipeline_run WHERE run_id = 1") == ("success", None)
    assert wh.all("SELECT run_id FROM etl.notification_outbox WHERE claimed_at IS NULL") == [(1,)]
    assert status(hub_env)[1]["queued_notifications"] == 1

    feed_file(tmp_path / "in", "plants", BERLIN)
    proc = run_hub("load", str(tmp_path / "in"), env=hub_env)  # the next command sends it first
    assert proc.returncode == 0, proc.stderr
    assert "notified run 1 (queued, e.g. started from psql): log, webhook" in proc.stdout
    assert [b["run"]["run_id"] for b in webhook.bodies] == [1, 2]
    assert webhook.bodies[0]["text"].startswith("Hub run 1 (run) SUCCESS")
    assert wh.scalar("SELECT notified_via FROM etl.pipeline_run WHERE run_id = 1") == ["log", "webhook"]
    # nothing is left to send, and nothing goes out twice
    assert run_hub("notify", env=hub_env).stdout.strip() == "notify: 0 queued notification(s) sent"
    assert len(webhook.bodies) == 2


def test_scripts_hub_notify_sends_the_queue(wh, hub_env, tmp_path, webhook):
    hub_env["HUB_WEBHOOK_URL"] = webhook.url
    hub_env["HUB_LOG_DIR"] = str(tmp_path / "logs")
    wh.conn.execute("CALL etl.run_pipeline()")
    wh.conn.execute("CALL etl.run_pipeline()")
    proc = run_hub("notify", env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "notify: 2 queued notification(s) sent"
    assert [b["run"]["run_id"] for b in webhook.bodies] == [1, 2]
    # a claim is taken once: a second sender gets FALSE
    assert wh.scalar("SELECT etl.claim_notification(1)") is False
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        wh.conn.execute("SELECT etl.claim_notification(99)")


def test_a_big_files_load_reports_its_rate(wh, tmp_path, monkeypatch):
    """Progress of a load: for a big file (every file, with the threshold at 0) one line
    with rows and MB per second; the same rows as a plain load."""
    import hublib.pipeline

    monkeypatch.setattr(hublib.pipeline, "PROGRESS_BYTES", 0)
    feed_file(tmp_path, "plants", BERLIN)
    lines: list[str] = []
    with psycopg.connect(wh.url) as conn:
        result = hublib.pipeline.ProgressLoader(conn, log=lines.append, url=wh.url).load([tmp_path])
    assert [f.read for f in result.files] == [1]
    [rate] = [line for line in lines if line.startswith("  plants.csv: ")]
    assert re.fullmatch(r"  plants\.csv: [\d,]+ rows/s, [\d,]+\.\d MB/s", rate)


def test_status_of_a_private_cluster_not_created_or_stopped(tmp_path_factory, monkeypatch):
    """status never starts the private cluster: not created, or stopped, is unhealthy."""
    import hublib.db
    from hublib.cluster import Cluster
    from hublib.status import collect

    base = tmp_path_factory.mktemp("st")
    for folder in (base, base.parent, base.parent.parent):
        folder.chmod(0o755)
    cluster = Cluster(base / "pgdata")
    monkeypatch.setattr(hublib.db, "private_cluster", lambda: cluster)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("HUB_DB", raising=False)
    s = collect()
    assert s["healthy"] is False and s["cluster"]["initialized"] is False
    assert s["problems"] == ["the private cluster does not exist yet (scripts/hub db up, or scripts/hub demo)"]
    try:
        cluster.up()
        s = collect()
        assert s["cluster"]["running"] is True
        assert re.fullmatch(r"postgresql://postgres@127\.0\.0\.1:\d+/hub", s["cluster"]["url"])  # no password
        assert s["problems"] == ["the database is not migrated (scripts/hub migrate)"]
        cluster.down()
        s = collect()
        assert s["cluster"]["running"] is False
        assert s["problems"] == ["the private cluster is not running (scripts/hub db up)"]
    finally:
        cluster.destroy()


def test_every_end_of_a_run_queues_its_notification(wh):
    """Ended by its steps, by etl.finish_run, as paused, or abandoned: each is queued once."""
    import time

    wh.conn.execute("CALL etl.run_pipeline()")  # 1: its last step ends it (success)
    run_id = wh.scalar("SELECT etl.start_run('load')")  # 2: ended by finish_run
    wh.conn.execute("SELECT etl.finish_run(%s, 'failed', 'stopped by hand')", (run_id,))
    wh.conn.execute("CALL etl.pause('x')")
    wh.conn.execute("CALL etl.run_pipeline()")  # 3: paused
    wh.conn.execute("CALL etl.resume()")
    with psycopg.connect(wh.url, autocommit=True) as dead:  # 4: its session dies
        assert dead.execute("SELECT etl.start_run('load')").fetchone()[0] == 4
        pid = dead.info.backend_pid
    deadline = time.monotonic() + 10
    while wh.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)) and time.monotonic() < deadline:
        time.sleep(0.05)
    wh.conn.execute("CALL etl.run_pipeline()")  # 5: abandons 4 first
    assert wh.all("SELECT run_id, state FROM etl.pipeline_run ORDER BY 1") == [
        (1, "success"),
        (2, "failed"),
        (3, "paused"),
        (4, "failed"),
        (5, "success"),
    ]
    assert wh.all("SELECT run_id FROM etl.notification_outbox WHERE claimed_at IS NULL ORDER BY 1") == [
        (1,),
        (2,),
        (3,),
        (4,),
        (5,),
    ]
    wh.conn.execute("SELECT etl.finish_run(2, 'failed', 'again')")  # ending an ended run changes nothing
    assert wh.scalar("SELECT count(*) FROM etl.notification_outbox") == 5
