"""`scripts/hub psql` keeps the password out of every process's argv; `db url` says when the
private cluster is not running, and can leave the password out."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from psycopg.conninfo import conninfo_to_dict

from hublib.cluster import Cluster
from tests.conftest import ROOT, run_hub


def _cmdlines() -> list[bytes]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found.append((entry / "cmdline").read_bytes())
            except OSError:
                continue
    return found


def test_psql_runs_a_statement(wh, hub_env):
    proc = run_hub("psql", "-At", "-c", "SELECT current_database(), 6 * 7", env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{wh.conn.info.dbname}|42"
    other = run_hub("psql", "-d", "postgres", "-At", "-c", "SELECT current_database()", env=hub_env)
    assert other.stdout.strip() == "postgres", other.stderr
    # the command line's global --db, before the command, picks the database as -d does
    glob = run_hub("--db", "postgres", "psql", "-At", "-c", "SELECT current_database()", env=hub_env)
    assert glob.stdout.strip() == "postgres", glob.stderr
    failed = run_hub("psql", "-c", "SELECT no_such_column", env=hub_env)
    assert failed.returncode != 0
    assert "no_such_column" in failed.stderr


def test_the_password_is_in_no_process_argv(wh, hub_env):
    password = conninfo_to_dict(wh.url)["password"]
    assert password
    env = {**hub_env, "PYTHONPATH": str(ROOT / "scripts")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hublib", "psql", "-At", "-c", "SELECT pg_sleep(3), 'slept'"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen_psql, leaked = False, []
    deadline = time.monotonic() + 10
    while proc.poll() is None and time.monotonic() < deadline:
        for cmdline in _cmdlines():
            if b"psql" in cmdline and b"pg_sleep(3)" in cmdline:
                seen_psql = True
            if password.encode() in cmdline:
                leaked.append(cmdline)
        time.sleep(0.05)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out.strip() == "|slept"
    assert seen_psql, "never saw the psql process while it ran"
    assert leaked == []


def test_db_url_says_when_the_cluster_is_not_running(monkeypatch, capsys, pg_cluster):
    import hublib.db as db
    from hublib import cli

    monkeypatch.delenv("DATABASE_URL", raising=False)
    stopped = Cluster(Path(tempfile.mkdtemp(prefix="hub-test-url-", dir="/tmp")), disposable=True)
    try:
        stopped.init()  # made, never started
        monkeypatch.setattr(db, "private_cluster", lambda: stopped)
        assert cli.main(["db", "url"]) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err == "hub: the private cluster is not running; start it with scripts/hub db up\n"
    finally:
        stopped.destroy()

    monkeypatch.setattr(db, "private_cluster", lambda: pg_cluster)
    assert cli.main(["db", "url"]) == 0
    assert capsys.readouterr().out.strip() == pg_cluster.url()
    assert cli.main(["db", "url", "--no-password"]) == 0
    printed = capsys.readouterr().out.strip()
    assert conninfo_to_dict(printed).get("password") is None
    assert printed == pg_cluster.url().replace(":" + conninfo_to_dict(pg_cluster.url())["password"] + "@", "@")


def test_db_url_without_password(hub_env, wh):
    proc = run_hub("db", "url", "--no-password", env=hub_env)
    assert proc.returncode == 0
    assert conninfo_to_dict(wh.url)["password"] not in proc.stdout
    assert conninfo_to_dict(proc.stdout.strip()).get("password") is None


@pytest.mark.parametrize(
    "url,expected",
    [
        ("postgresql://u:secret@h:5/db", "postgresql://u@h:5/db"),
        ("postgresql://u@h:5/db", "postgresql://u@h:5/db"),
    ],
)
def test_without_password(url, expected):
    from hublib.db import without_password

    assert without_password(url) == expected
