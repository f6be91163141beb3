"""The command line as a user meets it: one clear line on stderr for a mistake, never a
traceback; rejected rows are reported with exit status 0."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

import psycopg
import pytest

from hublib.cli import MODULE_COMMANDS, build_parser, main
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
    for command in ("demo", "test", "db", "migrate", "generate", "load", "run", "export", *MODULE_COMMANDS):
        assert f"\n    {command} " in proc.stdout or f"\n    {command}\n" in proc.stdout, command
    assert "scripts/hub --db hub_demo export out/" in proc.stdout
    assert 'eval "$(scripts/hub completion bash)"' in proc.stdout


def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(sub.choices)


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example(command, capsys):
    assert main([command, "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: scripts/hub {command} ")
    assert "--db NAME" in text  # the global option is accepted after the command too
    body = text.split("\n", 1)[1]  # past the usage line
    assert re.search(r"^examples?:$", body, re.M), f"no example: line in {body}"
    assert re.search(rf"^ +.*scripts/hub (--db \S+ )?{command}\b", body, re.M), f"no example in {body}"


@pytest.mark.parametrize("source", ["raise ImportError('no module named frob')", "def broken(:\n"])
def test_a_broken_command_module_breaks_only_its_command(source, tmp_path, monkeypatch, capsys):
    (tmp_path / "hub_broken_cmd.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(MODULE_COMMANDS, "broken", "hub_broken_cmd")
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"^    broken +command broken cannot start: ", text, re.M), text
    assert "\n    status " in text  # the others are listed as before
    assert main(["status", "--help"]) == 0 and "usage: scripts/hub status" in capsys.readouterr().out
    assert main(["completion", "bash"]) == 0 and "_python_argcomplete" in capsys.readouterr().out
    assert main(["broken", "--some", "args"]) == 1
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hub: command broken cannot start: "), captured.err
    assert ("ImportError: no module named frob" if "raise" in source else "SyntaxError: ") in lines[0]
    assert lines[0].endswith("(in hub_broken_cmd)")
    assert main(["broken", "--help"]) == 0 and "cannot start" in capsys.readouterr().out


def test_unknown_command():
    _one_line_error(run_hub("frobnicate"), "unknown command 'frobnicate'", "scripts/hub --help")
    assert run_hub("frobnicate").returncode == 2


def test_usage_mistakes_are_one_line_with_exit_2():
    for args, fragment in [
        (("load",), "scripts/hub load: the following arguments are required: PATH"),
        (("generate", "out", "--seed", "x"), "invalid int value: 'x'"),
        (("db", "sideways"), "invalid choice: 'sideways'"),
        (("export", "a", "b"), "unrecognized arguments: b"),
        (("migrate", "--frobnicate"), "unrecognized arguments: --frobnicate"),
    ]:
        proc = run_hub(*args)
        _one_line_error(proc, fragment)
        assert proc.returncode == 2


def test_missing_folder(hub_env, tmp_path):
    _one_line_error(run_hub("load", str(tmp_path / "nope"), env=hub_env), "does not exist")


def test_load_needs_a_folder(hub_env):
    _one_line_error(run_hub("load", env=hub_env), "scripts/hub load", "PATH", "scripts/hub load --help")


def test_load_takes_single_files(hub_env, tmp_path, wh):
    plants = feed_file(tmp_path, "plants", BERLIN)
    machines = feed_file(tmp_path, "machines", M1_IN_P1)
    feed_file(tmp_path, "products", "SKU1,Bracket,brackets,pcs,1.20,2.00,EUR,2020-01-01T00:00:00Z")
    proc = run_hub("load", str(plants), str(machines), env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert "load: 2 file(s) loaded, 0 already loaded; read 2 = accepted 2 + rejected 0 + pending 0" in proc.stdout
    assert wh.all("SELECT feed_name FROM etl.batch ORDER BY batch_id") == [("plants",), ("machines",)]
    assert wh.scalar("SELECT count(*) FROM clean.product") == 0  # the folder's other file stays out


def test_a_named_file_that_is_no_feed_file_is_a_usage_mistake(hub_env, tmp_path, wh):
    plants = feed_file(tmp_path, "plants", BERLIN)
    other = tmp_path / "notafeed.csv"
    other.write_text("a,b\n1,2\n")
    proc = run_hub("load", str(plants), str(other), env=hub_env)
    assert proc.returncode == 2
    _one_line_error(proc, f"hub: {other} is no feed file: its name starts with no known feed")
    txt = tmp_path / "production_runs.txt"
    txt.write_text("x\n")
    proc = run_hub("run", str(txt), env=hub_env)
    assert proc.returncode == 2
    _one_line_error(proc, f"hub: {txt} is no feed file: named like feed production_runs but not .csv or .csv.gz")
    # nothing was loaded, no run recorded
    assert wh.scalar("SELECT count(*) FROM etl.pipeline_run") == 0
    assert wh.scalar("SELECT count(*) FROM etl.batch") == 0


def test_db_option_and_hub_db_pick_the_database(hub_env, wh, tmp_path):
    """--db NAME (and HUB_DB) reach another database of the same server: load, run and
    export go there, and the default database is untouched."""
    wh.conn.execute("CREATE DATABASE hub_other")
    try:
        plants = feed_file(tmp_path, "plants", BERLIN)
        assert run_hub("--db", "hub_other", "migrate", env=hub_env).returncode == 0
        proc = run_hub("load", str(plants), "--db", "hub_other", env=hub_env)
        assert proc.returncode == 0, proc.stderr
        other = dict(hub_env, HUB_DB="hub_other")
        url = run_hub("db", "url", env=other).stdout.strip()
        with psycopg.connect(url) as conn:
            assert conn.info.dbname == "hub_other"
            assert conn.execute("SELECT count(*) FROM clean.plant").fetchone()[0] == 1
        assert wh.scalar("SELECT count(*) FROM clean.plant") == 0
        exported = run_hub("export", str(tmp_path / "x"), env=other)
        assert exported.returncode == 2, exported.stderr
        assert "the database hub_other holds no reporting rows" in exported.stderr  # plants only
        assert not (tmp_path / "x").exists()
    finally:
        wh.conn.execute("DROP DATABASE hub_other WITH (FORCE)")


def test_export_of_an_empty_database_names_the_demo_database_and_writes_nothing(hub_env, tmp_path):
    out = tmp_path / "x"
    out.mkdir()
    (out / "hub.hyper").write_bytes(b"the good extract of yesterday")
    (out / "oee_daily.csv").write_text("yesterday\n")
    proc = run_hub("export", str(out), "--twbx", env=hub_env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    _one_line_error(proc, "holds no reporting rows; nothing written", "--db hub_demo")
    # not a file touched
    assert sorted(p.name for p in out.iterdir()) == ["hub.hyper", "oee_daily.csv"]
    assert (out / "hub.hyper").read_bytes() == b"the good extract of yesterday"
    assert (out / "oee_daily.csv").read_text() == "yesterday\n"


def test_commands_on_a_database_never_migrated_say_so_in_one_line(wh, hub_env, tmp_path):
    """The default `hub` after the demo (which made hub_demo) is such a database."""
    wh.conn.execute("CREATE DATABASE hub_bare")
    try:
        bare = dict(hub_env, HUB_DB="hub_bare")
        out = tmp_path / "x"
        out.mkdir()
        (out / "hub.hyper").write_bytes(b"the good extract of yesterday")
        for args in (
            ("pause",),
            ("resume",),
            ("notify",),
            ("dashboard", str(tmp_path / "d.html")),
            ("docs", "--check"),
            ("docs", "--out", str(tmp_path / "dict.md")),
            ("export", str(out), "--twbx"),
        ):
            proc = run_hub(*args, env=bare)
            assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
            _one_line_error(proc, "the database hub_bare is not migrated", "scripts/hub migrate", "--db hub_demo")
        proc = run_hub("rebuild", env=bare)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        _one_line_error(proc, "the database is behind this checkout", "scripts/hub migrate")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["x"]
        assert [p.name for p in out.iterdir()] == ["hub.hyper"]
        assert (out / "hub.hyper").read_bytes() == b"the good extract of yesterday"
    finally:
        wh.conn.execute("DROP DATABASE hub_bare WITH (FORCE)")


@pytest.mark.parametrize(
    "args, path, why",
    [
        (["export", "{file}"], "{file}", "File exists"),
        (["export", "/proc/nope"], "/proc/nope", "No such file or directory"),
        (["dashboard", "/proc/nope.html"], "/proc/nope.html", "No such file or directory"),
        (["docs", "--out", "/proc/x.md"], "/proc/x.md", "No such file or directory"),
        (["generate", "{file}"], "{file}", "File exists"),
        (["generate", "/proc/zz"], "/proc/zz", "No such file or directory"),
    ],
)
def test_an_output_path_that_cannot_be_written_is_one_line_with_exit_2(wh, hub_env, tmp_path, args, path, why):
    if args[0] == "export":  # export refuses an empty warehouse before it opens any path
        wh.load(ROOT / "fixtures")
        wh.conn.execute("CALL etl.run_pipeline()")
    file = tmp_path / "notes.md"  # a file where the command wants a folder
    file.write_text("mine\n")
    proc = run_hub(*[a.format(file=file) for a in args], env=hub_env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    _one_line_error(proc, f"hub: {path.format(file=file)}: {why}")
    assert file.read_text() == "mine\n"


def test_unreachable_database(tmp_path):
    env = dict(os.environ, DATABASE_URL="postgresql://nobody@127.0.0.1:1/nowhere")
    _one_line_error(run_hub("migrate", env=env), "cannot connect to the warehouse at 127.0.0.1:1/nowhere")


def test_malformed_database_url():
    env = dict(os.environ, DATABASE_URL="this is not a url")
    _one_line_error(run_hub("migrate", env=env), "DATABASE_URL")


def test_any_db_name_makes_a_valid_private_cluster_url(tmp_path, hub_env):
    from psycopg.conninfo import conninfo_to_dict

    cluster = Cluster.__new__(Cluster)  # its files only, at tmp_path (no relocation, no server)
    cluster.base, cluster.data = tmp_path, tmp_path / "data"
    cluster.password_file.write_text("p@ss word\n")
    cluster.port_file.write_text("5999\n")
    info = conninfo_to_dict(cluster.url('x"; drop'))
    assert (info["dbname"], info["password"], info["port"]) == ('x"; drop', "p@ss word", "5999")
    # on DATABASE_URL's server too: the bad name is named, not DATABASE_URL
    proc = run_hub("--db", 'x"; drop', "status", env=hub_env)
    assert 'database "x"; drop" does not exist' in proc.stdout + proc.stderr
    assert "not a valid connection string" not in proc.stdout + proc.stderr


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
    # progress: each step's elapsed time (plain lines: the output is not a terminal)
    assert re.search(r"^  step 10 etl\.retry_pending: \d+\.\d s$", proc.stdout, re.M)
    assert re.search(r"^  step 900 etl\.check_data_quality: \d+\.\d s$", proc.stdout, re.M)
    assert "\x1b[" not in proc.stdout + proc.stderr  # no terminal codes in a pipe
    assert wh.scalar("SELECT count(*) FROM clean.plant") == 1
    # one run row covers the loads of `run DIR`
    assert wh.all("SELECT kind, state, batches, rows_loaded FROM reporting.pipeline_runs") == [("run", "success", 1, 1)]
    assert wh.all("SELECT DISTINCT state FROM reporting.pipeline_run_steps") == [("success",)]


def _with_stdout_closed(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """`scripts/hub ARGS | head -n 0`: stdout is a pipe whose reader has already gone."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        return subprocess.run(
            [sys.executable, "-m", "hublib", *args], stdout=write_end, stderr=subprocess.PIPE, text=True, env=env
        )
    finally:
        os.close(write_end)


def test_run_into_a_closed_pipe_finishes_its_work(hub_env, tmp_path, wh):
    feed_file(tmp_path, "plants", BERLIN)
    proc = _with_stdout_closed("run", str(tmp_path), env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Broken pipe" not in proc.stderr, proc.stderr
    # loaded, the chain ran, the run recorded as it would be with a reader
    assert wh.scalar("SELECT count(*) FROM clean.plant") == 1
    assert wh.all("SELECT kind, state, batches, rows_loaded FROM reporting.pipeline_runs") == [("run", "success", 1, 1)]
    assert wh.all("SELECT DISTINCT state FROM reporting.pipeline_run_steps") == [("success",)]
    # a command that only reads (and prints with print()) ends quietly too
    proc = _with_stdout_closed("status", env=hub_env)
    assert "Traceback" not in proc.stderr and "Broken pipe" not in proc.stderr, proc.stderr
    assert proc.returncode == run_hub("status", env=hub_env).returncode


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


def test_db_env_exports_the_connection_for_psql_and_pg_dump(hub_env, wh):
    proc = run_hub("db", "env", env=hub_env)
    assert proc.returncode == 0, proc.stderr
    exports = dict(line.removeprefix("export ").split("=", 1) for line in proc.stdout.splitlines())
    info = wh.conn.info
    assert exports["PGHOST"] == info.host and exports["PGPORT"] == str(info.port)
    assert exports["PGDATABASE"] == info.dbname and exports["PGUSER"] == info.user
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update({k: v.strip("'") for k, v in exports.items()})
    query = subprocess.run(["psql", "-Atc", "SELECT current_database()"], env=env, capture_output=True, text=True)
    assert query.returncode == 0, query.stderr
    assert query.stdout.strip() == info.dbname


def test_shell_completion_completes_commands_and_options():
    """What bash does on <TAB> (argcomplete's protocol: the line in COMP_LINE, answers on fd 8)."""
    for line, expected in [("scripts/hub lo", {"load"}), ("scripts/hub export out --in", {"--install-hyper"})]:
        env = dict(os.environ, _ARGCOMPLETE="1", COMP_LINE=line, COMP_POINT=str(len(line)), _ARGCOMPLETE_IFS="\n")
        env["PYTHONPATH"] = str(ROOT / "scripts")
        proc = subprocess.run(
            ["bash", "-c", '"$0" -m hublib 8>&1 9>/dev/null 1>/dev/null', sys.executable],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        assert {a.strip() for a in proc.stdout.split("\n") if a.strip()} == expected
    for shell in ("bash", "zsh"):
        code = run_hub("completion", shell)
        assert code.returncode == 0 and "_python_argcomplete" in code.stdout and "scripts/hub" in code.stdout
