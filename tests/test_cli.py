"""The command line as a user meets it: one clear line on stderr for a mistake, never a
traceback; rejected rows are reported with exit status 0."""

from __future__ import annotations

import os
import subprocess

import psycopg
import pytest

from hublib.cluster import Cluster
from tests.conftest import ROOT, run_hub
from tests.helpers import BERLIN, M1_IN_P1, feed_file


def _one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("hub: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_help_lists_the_commands():
    proc = subprocess.run([str(ROOT / "scripts" / "hub"), "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for command in ("demo", "test", "db up|down|url", "migrate", "load DIR...", "run [DIR...]"):
        assert command in proc.stdout


def test_unknown_command():
    _one_line_error(run_hub("frobnicate"), "unknown command 'frobnicate'", "scripts/hub --help")


def test_missing_folder(hub_env, tmp_path):
    _one_line_error(run_hub("load", str(tmp_path / "nope"), env=hub_env), "does not exist")


def test_load_needs_a_folder(hub_env):
    _one_line_error(run_hub("load", env=hub_env), "usage: scripts/hub load DIR...")


def test_unreachable_database(tmp_path):
    env = dict(os.environ, DATABASE_URL="postgresql://nobody@127.0.0.1:1/nowhere")
    _one_line_error(run_hub("migrate", env=env), "cannot connect to the warehouse at 127.0.0.1:1/nowhere")


def test_malformed_database_url():
    env = dict(os.environ, DATABASE_URL="this is not a url")
    _one_line_error(run_hub("migrate", env=env), "DATABASE_URL")


def test_db_commands_refuse_when_database_url_is_set(hub_env):
    _one_line_error(run_hub("db", "up", env=hub_env), "DATABASE_URL is set")
    proc = run_hub("db", "url", env=hub_env)
    assert proc.returncode == 0 and proc.stdout.strip() == hub_env["DATABASE_URL"]


def test_load_reports_counts_and_rejections_with_status_zero(hub_env, tmp_path, wh):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    feed_file(
        tmp_path,
        "production_runs",
        "R1,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,100,95,1.5",
        "R2,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,100,101,1.5",
    )
    proc = run_hub("load", str(tmp_path), env=hub_env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    row = next(line for line in lines if line.startswith("production_runs "))
    assert row.split()[2:6] == ["2", "1", "1", "0"]  # read, accepted, rejected, pending
    assert "  line 3: good_exceeds_total: good_count 101 is larger than total_count 100" in lines
    assert any(
        line.startswith("load: 3 file(s) loaded, 0 already loaded; read 4 = accepted 3 + rejected 1") for line in lines
    )
    assert lines[-1] == "run 1: success; notified: log"
    again = run_hub("load", str(tmp_path), env=hub_env)
    assert again.returncode == 0
    assert "load: 0 file(s) loaded, 3 already loaded" in again.stdout
    # each load is one recorded run; the second one loaded nothing new
    assert wh.all("SELECT run_id, kind, state, batches, rows_loaded, rows_rejected FROM reporting.pipeline_runs") == [
        (1, "load", "success", 3, 3, 1),
        (2, "load", "success", 0, 0, 0),
    ]


def test_run_loads_and_calls_the_chain(hub_env, tmp_path, wh):
    feed_file(tmp_path, "plants", BERLIN)
    proc = run_hub("run", str(tmp_path), env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert "etl.run_step: run 1 step 10 etl.retry_pending (attempt 1)" in proc.stdout
    assert wh.scalar("SELECT count(*) FROM clean.plant") == 1
    # one run row covers the loads of `run DIR`
    assert wh.all("SELECT kind, state, batches, rows_loaded FROM reporting.pipeline_runs") == [("run", "success", 1, 1)]
    assert wh.all("SELECT DISTINCT state FROM reporting.pipeline_run_steps") == [("success",)]


def test_private_cluster_lifecycle(tmp_path_factory):
    base = tmp_path_factory.mktemp("pc")
    base.chmod(0o755)
    base.parent.chmod(0o755)
    base.parent.parent.chmod(0o755)
    cluster = Cluster(base / "pgdata")
    try:
        url = cluster.up()
        with psycopg.connect(url) as conn:
            settings = dict(
                conn.execute(
                    "SELECT name, setting FROM pg_settings WHERE name IN "
                    "('TimeZone', 'server_encoding', 'listen_addresses', 'lc_collate')"
                ).fetchall()
            )
        assert settings == {
            "TimeZone": "UTC",
            "server_encoding": "UTF8",
            "listen_addresses": "127.0.0.1",
            "lc_collate": "C",
        }
        port = cluster.running_port()
        assert cluster.up() == url  # already running: same URL
        assert cluster.down() is True
        assert cluster.running_port() is None
        assert cluster.down() is False
        assert cluster.up().endswith(f":{port}/hub")  # the same port when it is still free
    finally:
        cluster.destroy()


@pytest.mark.skipif(os.geteuid() != 0, reason="the relocation only happens for root")
def test_root_cluster_moves_where_postgres_can_reach(tmp_path):
    hidden = tmp_path / "private"
    hidden.mkdir(mode=0o700)
    cluster = Cluster(hidden / "deeper" / ".pgdata")
    assert str(cluster.base).startswith("/var/tmp/hub-pgdata-")
