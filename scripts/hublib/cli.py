"""`scripts/hub`: the command line of the hub (see `scripts/hub --help`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg

from hublib.db import ROOT
from hublib.errors import HubError

USAGE = """\
scripts/hub <command> [options]

  demo                  from nothing to numbers: private database, migrate, load the
                        fixtures, print what was loaded
  test [PYTEST ARGS]    sqlfluff and ruff, then the whole pytest suite against a
                        disposable PostgreSQL (what CI runs)
  db up|down|url        the private PostgreSQL cluster under .pgdata/
  migrate               apply schema/ then procedures/ (safe to repeat)
  load DIR... [--follow-symlinks]
                        register, COPY and validate every feed file in the folders
  run [DIR...]          load the folders if given, then run the pipeline chain
  generate DIR [--seed N] [--machines N] [--days N] [--sensor-interval SECONDS]
                        write a realistic, seeded set of feed files (telemetry every
                        900 s by default; 0 for none)
  export DIR [--install-hyper]
                        every reporting view to CSV, and to one Tableau .hyper extract

DATABASE_URL names the warehouse; unset, a private cluster under .pgdata/ is used.
"""


def out(text: str = "") -> None:
    print(text, flush=True)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command, args = (argv[0], argv[1:]) if argv else (None, [])
    if command in (None, "-h", "--help", "help"):
        out(USAGE)
        return 0
    handler = COMMANDS.get(command)
    if handler is None and command in MODULE_COMMANDS:
        handler = _module_command(command, MODULE_COMMANDS[command])
    try:
        if handler is None:
            raise HubError(
                f"unknown command {command!r}",
                f"commands: {', '.join(COMMANDS)} (scripts/hub --help)",
            )
        return handler(args) or 0
    except HubError as exc:
        print(f"hub: {exc}", file=sys.stderr)
        return exc.exit_code
    except psycopg.Error as exc:
        if os.environ.get("HUB_DEBUG"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"hub: database error: {first} (set HUB_DEBUG=1 for the full trace)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("hub: interrupted", file=sys.stderr)
        return 130


def _expect_no_args(command: str, args: list[str]) -> None:
    if args:
        raise HubError(f"'{command}' takes no arguments (got {' '.join(args)})")


# -- db -----------------------------------------------------------------------------------
def cmd_db(args: list[str]) -> int:
    from hublib.db import private_cluster

    if len(args) != 1 or args[0] not in ("up", "down", "url"):
        raise HubError("usage: scripts/hub db up|down|url")
    if os.environ.get("DATABASE_URL") and args[0] != "url":
        raise HubError(
            "DATABASE_URL is set, so the private cluster is not in use",
            "unset DATABASE_URL to manage the private cluster",
        )
    if args[0] == "url" and os.environ.get("DATABASE_URL"):
        out(os.environ["DATABASE_URL"])
        return 0
    cluster = private_cluster()
    if args[0] == "up":
        url = cluster.up()
        out(f"private PostgreSQL running, data in {cluster.data}")
        out(url)
    elif args[0] == "down":
        out("stopped" if cluster.down() else "not running")
    else:
        if not cluster.initialized():
            raise HubError("the private cluster does not exist yet", "run scripts/hub db up")
        out(cluster.url())
        if cluster.base != (ROOT / ".pgdata"):
            print(f"(data directory: {cluster.data})", file=sys.stderr)
    return 0


# -- migrate ------------------------------------------------------------------------------
def cmd_migrate(args: list[str]) -> int:
    _expect_no_args("migrate", args)
    from hublib.db import warehouse_url

    do_migrate(warehouse_url())
    return 0


def do_migrate(url: str) -> None:
    from hublib.db import connect
    from hublib.migrate import migrate

    connect(url).close()  # a clear error when the server cannot be reached
    result = migrate(url, ROOT, log=lambda m: out(f"  {m}"))
    state = f"{len(result.applied)} applied" if result.applied else "up to date"
    out(
        f"migrate: schema {state} ({len(result.up_to_date)} already applied); "
        f"{result.routines} procedure files re-applied"
    )


# -- load / run ---------------------------------------------------------------------------
def _dirs(args: list[str], command: str) -> list[Path]:
    args = [a for a in args if a != "--follow-symlinks"]
    if any(a.startswith("-") for a in args):
        raise HubError(f"'{command}' takes folders (and --follow-symlinks) only (got {' '.join(args)})")
    return [Path(a) for a in args]


def cmd_load(args: list[str]) -> int:
    dirs = _dirs(args, "load")
    if not dirs:
        raise HubError("usage: scripts/hub load DIR...", "name at least one folder of feed files")
    from hublib.db import warehouse_url

    for d in dirs:
        if not d.is_dir():
            raise HubError(f"folder {d} does not exist", "give a folder that holds feed files")
    url = warehouse_url()
    do_migrate(url)
    inv = do_load(url, dirs, follow_symlinks="--follow-symlinks" in args)
    # A file that could not be opened was left unregistered: exit 2 so that someone acts.
    return 2 if inv.load is not None and inv.load.needs_attention else 0


def do_load(url: str, dirs: list[Path], *, chain: bool = False, follow_symlinks: bool = False):
    """One recorded invocation (kind load, or run when the chain follows)."""
    from hublib.pipeline import invoke
    from hublib.report import print_load

    return invoke(
        url,
        "run" if chain else "load",
        dirs,
        chain=chain,
        log=out,
        on_loaded=lambda r: print_load(r, out),
        follow_symlinks=follow_symlinks,
    )


def cmd_run(args: list[str]) -> int:
    dirs = _dirs(args, "run")
    from hublib.db import warehouse_url

    for d in dirs:
        if not d.is_dir():
            raise HubError(f"folder {d} does not exist", "give a folder that holds feed files")
    url = warehouse_url()
    do_migrate(url)
    inv = do_load(url, dirs, chain=True, follow_symlinks="--follow-symlinks" in args)
    out("run: done")
    return 2 if inv.load is not None and inv.load.needs_attention else 0


# -- test ---------------------------------------------------------------------------------
def cmd_test(args: list[str]) -> int:
    venv_bin = Path(sys.executable).parent
    python_dirs = [d for d in ("scripts", "tests", "dags") if (ROOT / d).is_dir()]
    steps = [
        ("sqlfluff", [str(venv_bin / "sqlfluff"), "lint", "--processes", "1", "schema", "procedures"]),
        ("ruff check", [str(venv_bin / "ruff"), "check", *python_dirs]),
        ("ruff format", [str(venv_bin / "ruff"), "format", "--check", *python_dirs]),
    ]
    for name, cmd in steps:
        out(f"== {name}")
        if subprocess.run(cmd, cwd=ROOT).returncode != 0:
            print(f"hub: {name} failed (see above)", file=sys.stderr)
            return 1
    out("== pytest")
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    return subprocess.run([sys.executable, "-m", "pytest", *args], cwd=ROOT, env=env).returncode


# -- generate -----------------------------------------------------------------------------
def cmd_generate(args: list[str]) -> int:
    import argparse
    from datetime import date

    from hublib.generate import generate

    parser = argparse.ArgumentParser(prog="scripts/hub generate", add_help=False, exit_on_error=False)
    parser.add_argument("dir")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--machines", type=int, default=12)
    parser.add_argument("--days", type=int, default=56)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2026, 2, 16))
    parser.add_argument("--sensor-interval", type=int, default=900)
    try:
        ns, extra = parser.parse_known_args(args)
    except (argparse.ArgumentError, SystemExit) as exc:
        raise HubError(
            f"usage: scripts/hub generate DIR [--seed N] [--machines N] [--days N] [--sensor-interval S] ({exc})"
        ) from exc
    if extra:
        raise HubError(f"scripts/hub generate: unknown option {extra[0]}")
    written = generate(
        Path(ns.dir),
        seed=ns.seed,
        machines=ns.machines,
        days=ns.days,
        start=ns.start,
        sensor_interval=ns.sensor_interval,
    )
    for name, rows in written.items():
        out(f"{name:40} {rows:>9,} rows")
    out(f"generate: {len(written)} files, {sum(written.values()):,} rows in {ns.dir} (seed {ns.seed})")
    return 0


# -- export -------------------------------------------------------------------------------
def cmd_export(args: list[str]) -> int:
    from hublib.db import warehouse_url

    install = "--install-hyper" in args
    rest = [a for a in args if a != "--install-hyper"]
    if len(rest) != 1 or rest[0].startswith("-"):
        raise HubError("usage: scripts/hub export DIR [--install-hyper]")
    out_dir = Path(rest[0])
    url = warehouse_url()
    do_export(url, out_dir, install)
    return 0


def do_export(url: str, out_dir: Path, install: bool = False) -> None:
    from hublib.db import connect
    from hublib.export import export_csv, export_hyper, hyper_available, install_hyper

    with connect(url, autocommit=True) as conn:
        counts = export_csv(conn, out_dir)
        for view, n in counts.items():
            out(f"  {out_dir / (view + '.csv')}: {n:,} rows")
        if install and not hyper_available():
            out("export: installing tableauhyperapi into .venv (about 300 MB) ...")
            install_hyper()
        if hyper_available():
            hyper = out_dir / "hub.hyper"
            tables = export_hyper(conn, hyper)
            out(f"  {hyper}: {len(tables)} tables, {sum(tables.values()):,} rows")
        else:
            out("export: no .hyper extract (tableauhyperapi is not installed; add --install-hyper)")
    out(f"export: {len(counts)} views written to {out_dir}")


# -- demo ---------------------------------------------------------------------------------
def cmd_demo(args: list[str]) -> int:
    _expect_no_args("demo", args)
    from hublib.demo import demo

    return demo(out)


def _module_command(name: str, module_name: str):
    """A command that lives in its own module: the module has `add_arguments(parser)` and
    `run(args) -> int`, and the first line of its docstring is the command's help."""

    def handler(args: list[str]) -> int:
        import argparse
        import importlib

        module = importlib.import_module(module_name)
        parser = argparse.ArgumentParser(prog=f"scripts/hub {name}", description=module.__doc__)
        module.add_arguments(parser)
        return module.run(parser.parse_args(args)) or 0

    return handler


# Commands in modules of their own (see _module_command): name -> module.
MODULE_COMMANDS: dict[str, str] = {}

COMMANDS = {
    "demo": cmd_demo,
    "test": cmd_test,
    "db": cmd_db,
    "migrate": cmd_migrate,
    "load": cmd_load,
    "run": cmd_run,
    "generate": cmd_generate,
    "export": cmd_export,
}
