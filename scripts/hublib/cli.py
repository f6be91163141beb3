"""`scripts/hub`: the command line of the hub (see `scripts/hub --help`).

Built on argparse sub-commands: every command has `--help` with an example; a usage
mistake is one line on stderr and exit status 2. Commands either live here (a function
`cmd_<name>` plus its arguments in `_builtin_commands`) or in a module of their own,
registered by one line in MODULE_COMMANDS (see `_add_module_command`).
"""

# PYTHON_ARGCOMPLETE_OK
from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import psycopg

from hublib.db import ROOT
from hublib.errors import HubError

PROG = "scripts/hub"

DESCRIPTION = """\
The Manufacturing & Financial Analytics Hub: a PostgreSQL warehouse of production,
downtime, sensor, cost and sales data, its pipeline chain and its reporting views.

DATABASE_URL names the warehouse; unset, a private PostgreSQL cluster under .pgdata/ is
started on demand. --db NAME (or HUB_DB) picks another database on the same server: the
demo's is hub_demo.
"""

EPILOG = """\
examples:
  scripts/hub demo                          from nothing to numbers (database hub_demo)
  scripts/hub --db hub_demo export out/     the demo's reporting views for Tableau
  scripts/hub load fixtures                 load the hand-made fixtures, see the rejections
  scripts/hub status                        is the warehouse healthy?
  scripts/hub COMMAND --help                one command's options and an example

shell completion (bash or zsh), for this shell:
  eval "$(scripts/hub completion bash)"     (zsh: scripts/hub completion zsh)
"""


# Commands in modules of their own: name -> module. The module's docstring's first line is
# the command's help, the rest its description; it has `add_arguments(parser)` and
# `run(args) -> int`. One line each.
MODULE_COMMANDS: dict[str, str] = {
    "status": "hublib.status",
    "rebuild": "hublib.rebuild",
    "pause": "hublib.pause",
    "resume": "hublib.resume",
    "notify": "hublib.notify",
    "completion": "hublib.completion",
    "import": "hublib.sources",
    "psql": "hublib.psql",
    "dashboard": "hublib.dashboard",
    "docs": "hublib.docs",
}


def out(text: str = "") -> None:
    try:
        print(text, flush=True)
    except BrokenPipeError:
        _stdout_gone()


def _stdout_gone() -> None:
    """The reader of stdout has gone (`scripts/hub run DIR | head -n 3`): the rest of the
    output goes to os.devnull and the work carries on, recorded as it would be otherwise."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


class _GuardedStdout:
    """sys.stdout, but a closed pipe sends the rest to os.devnull instead of raising
    BrokenPipeError (for the commands' own print calls too)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            _stdout_gone()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            _stdout_gone()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def guard_stdout() -> None:
    """Called by `python -m hublib` (the process's own stdout) before main()."""
    if not isinstance(sys.stdout, _GuardedStdout):
        sys.stdout = _GuardedStdout(sys.stdout)


class UsageError(HubError):
    """A mistake in the command line itself (exit status 2)."""


class HubParser(argparse.ArgumentParser):
    """argparse, but a usage mistake raises UsageError (one line on stderr, exit 2)
    instead of printing the whole usage block."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message}", f"see {self.prog} --help")


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32, width=92)


def _db_option(parser: argparse.ArgumentParser, *, default=None) -> None:
    parser.add_argument(
        "--db",
        metavar="NAME",
        default=default,
        help="database on the private cluster (or on DATABASE_URL's server); also HUB_DB. The demo's is hub_demo",
    )


def build_parser() -> HubParser:
    parser = HubParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=_formatter,
    )
    _db_option(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands", parser_class=HubParser)
    sub.required = True
    for name, (func, help_line, example, add) in _builtin_commands().items():
        p = sub.add_parser(
            name,
            help=help_line,
            description=help_line[0].upper() + help_line[1:] + ".",
            epilog=f"example:\n{textwrap.indent(example, '  ')}",
            formatter_class=_formatter,
        )
        _db_option(p, default=argparse.SUPPRESS)
        add(p)
        p.set_defaults(handler=func)
    for name, module_name in MODULE_COMMANDS.items():
        _add_module_command(sub, name, module_name)
    return parser


def _add_module_command(sub, name: str, module_name: str) -> None:
    """A command that lives in its own module: `add_arguments(parser)`, `run(args) -> int`,
    and a docstring whose first line is the help (the rest is the description, which
    should hold an example). A module that cannot be imported (or set up its arguments)
    breaks only its own command: it is listed, and says why it cannot start (exit 1)."""
    try:
        module = importlib.import_module(module_name)
        doc = (module.__doc__ or name).strip()
        help_line = doc.splitlines()[0].strip().rstrip(".")
        help_line = help_line[0].lower() + help_line[1:]
        p = argparse.ArgumentParser(prog=f"{PROG} {name}", add_help=False)  # a trial: add_parser cannot be undone
        module.add_arguments(p)
    except Exception as exc:  # any failure of one module must leave the other commands working
        _add_broken_command(sub, name, module_name, exc)
        return
    p = sub.add_parser(name, help=help_line, description=doc, formatter_class=_formatter)
    _db_option(p, default=argparse.SUPPRESS)
    module.add_arguments(p)
    p.set_defaults(handler=module.run)


def _add_broken_command(sub, name: str, module_name: str, exc: Exception) -> None:
    first = (str(exc).strip().splitlines() or [""])[0]
    why = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    what = f"command {name} cannot start: {why} (in {module_name})"
    p = sub.add_parser(name, help=what, description=what[0].upper() + what[1:] + ".", formatter_class=_formatter)
    _db_option(p, default=argparse.SUPPRESS)

    def cannot_start(args) -> int:
        raise HubError(what, exit_code=1)

    p.set_defaults(handler=cannot_start, any_arguments=True)  # it says why it cannot start, whatever followed


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        parser = build_parser()
        _complete(parser)
        if not argv or argv == ["help"]:
            parser.print_help()
            return 0
        _check_command(parser, argv)
        try:
            ns, extra = parser.parse_known_args(argv)
        except SystemExit as exc:  # --help, or argparse's own exit
            return int(exc.code or 0)
        # test's and psql's extra arguments are pytest's and psql's
        if extra and ns.command not in ("test", "psql") and not getattr(ns, "any_arguments", False):
            raise UsageError(
                f"{PROG} {ns.command}: unrecognized arguments: {' '.join(extra)}", f"see {PROG} {ns.command} --help"
            )
        ns.extra = extra
        if ns.command == "psql":
            ns.psql_args = extra
        if getattr(ns, "db", None):
            os.environ["HUB_DB"] = ns.db
        return ns.handler(ns) or 0
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
    except OSError as exc:  # a path the command cannot make, write or read (a file given for a folder, /proc/...)
        if os.environ.get("HUB_DEBUG") or exc.filename is None:
            raise
        where = f"{exc.filename} -> {exc.filename2}" if exc.filename2 is not None else str(exc.filename)
        print(f"hub: {where}: {exc.strerror or type(exc).__name__}", file=sys.stderr)
        return 2


def _complete(parser: argparse.ArgumentParser) -> None:
    """Shell completion (argcomplete): does nothing unless the shell asks."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    import argcomplete

    argcomplete.autocomplete(parser)


def _check_command(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """An unknown command says so in one line, naming --help (argparse would list choices)."""
    known = set(_builtin_commands()) | set(MODULE_COMMANDS)
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--db":
            i += 2
            continue
        if a.startswith("-"):
            i += 1
            continue
        if a not in known:
            raise UsageError(f"unknown command {a!r}", f"commands: {', '.join(sorted(known))} ({PROG} --help)")
        return
    # only options: argparse reports the missing command (or prints --help)


def _paths(paths: list[str]) -> list[Path]:
    """Files and folders of feed files, each of which must exist."""
    result = []
    for a in paths:
        p = Path(a)
        if not p.exists():
            raise HubError(f"{p} does not exist", "give a folder that holds feed files, or a feed file")
        result.append(p)
    return result


# -- db -----------------------------------------------------------------------------------
def cmd_db(args) -> int:
    from hublib.db import chosen_db, private_cluster, warehouse_url, without_password

    action = args.action
    no_password = args.no_password
    if no_password and action != "url":
        raise HubError("--no-password goes with db url only", "scripts/hub db url --no-password")
    if action == "env":
        out(_libpq_exports(warehouse_url(start=False)))
        return 0
    if os.environ.get("DATABASE_URL") and action != "url":
        raise HubError(
            "DATABASE_URL is set, so the private cluster is not in use",
            "unset DATABASE_URL to manage the private cluster",
        )
    if action == "url" and os.environ.get("DATABASE_URL"):
        url = warehouse_url()
        out(without_password(url) if no_password else url)
        return 0
    cluster = private_cluster()
    if action == "up":
        cluster.up()
        out(f"private PostgreSQL running, data in {cluster.data}")
        out(without_password(warehouse_url()))
    elif action == "down":
        out("stopped" if cluster.down() else "not running")
    else:
        if not cluster.initialized():
            raise HubError("the private cluster does not exist yet", "run scripts/hub db up", exit_code=1)
        if cluster.running_port() is None:
            raise HubError("the private cluster is not running", "start it with scripts/hub db up", exit_code=1)
        url = cluster.url(chosen_db()) if chosen_db() else cluster.url()
        out(without_password(url) if no_password else url)
        if cluster.base != (ROOT / ".pgdata"):
            print(f"(data directory: {cluster.data})", file=sys.stderr)
    return 0


def _libpq_exports(url: str) -> str:
    """`export PGHOST=... PGPASSWORD=...` lines for eval: psql, pg_dump and pg_restore then
    reach the warehouse with no password on their command line."""
    import shlex

    from psycopg.conninfo import conninfo_to_dict

    names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD", "dbname": "PGDATABASE"}
    info = conninfo_to_dict(url)
    return "\n".join(f"export {names[k]}={shlex.quote(str(v))}" for k, v in info.items() if k in names)


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "action",
        choices=("up", "down", "url", "env"),
        help="start, stop, print the URL, or print PG* export lines for eval (with --db: of NAME)",
    )
    p.add_argument(
        "--no-password", action="store_true", help="with url: leave the password out (for tools that read ~/.pgpass)"
    )


# -- migrate ------------------------------------------------------------------------------
def cmd_migrate(args) -> int:
    from hublib.db import warehouse_url

    do_migrate(warehouse_url(create=True))
    return 0


def do_migrate(url: str) -> None:
    from hublib.db import connect
    from hublib.migrate import migrate

    connect(url).close()  # a clear error when the server cannot be reached
    result = migrate(url, ROOT, log=lambda m: out(f"  {m}"))
    state = f"{len(result.applied)} applied" if result.applied else "up to date"
    out(
        f"migrate: schema {state} ({len(result.up_to_date)} already applied); "
        f"{result.routines} procedure file(s) applied"
    )


def require_current(url: str) -> None:
    """load and run never migrate: they stop when the database is behind the checkout."""
    from hublib.db import connect
    from hublib.migrate import require_current as check

    with connect(url, autocommit=True) as conn:
        check(conn, ROOT)


# -- load / run ---------------------------------------------------------------------------
def cmd_load(args) -> int:
    paths = _paths(args.paths)
    from hublib.db import warehouse_url

    url = warehouse_url()
    require_current(url)
    _named_files_are_feed_files(url, paths)
    inv = do_load(url, paths, follow_symlinks=args.follow_symlinks)
    # A file that could not be opened was left unregistered: exit 2 so that someone acts.
    return 2 if inv.load is not None and inv.load.needs_attention else 0


def _named_files_are_feed_files(url: str, paths: list[Path]) -> None:
    """A file named on the command line (not a folder) must be a feed file: a mistyped name
    is a usage mistake (exit 2), not an empty recorded run."""
    files = [p for p in paths if not p.is_dir()]
    if not files:
        return
    from hublib.db import connect
    from hublib.loader import feed_of, looks_like_feed, read_feeds, shown_name

    with connect(url, autocommit=True) as conn:
        feeds = read_feeds(conn)
    for p in files:
        if feed_of(p.name, feeds) is not None:
            continue
        like = looks_like_feed(p.name, feeds)
        why = (
            f"named like feed {like} but not .csv or .csv.gz"
            if like
            else "its name starts with no known feed (e.g. production_runs_2026-03-01.csv)"
        )
        raise HubError(f"{shown_name(str(p))} is no feed file: {why}", "name a feed file, or a folder of them")


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


def cmd_run(args) -> int:
    paths = _paths(args.paths)
    from hublib.db import warehouse_url

    url = warehouse_url()
    require_current(url)
    _named_files_are_feed_files(url, paths)
    inv = do_load(url, paths, chain=True, follow_symlinks=args.follow_symlinks)
    out(f"run: {inv.state}" if inv.state != "success" else "run: done")
    return 2 if inv.load is not None and inv.load.needs_attention else 0


def _follow_symlinks(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="load symbolic links whose target is outside the folder being loaded (skipped with a warning otherwise)",
    )


def _add_load(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="feed files, or folders of feed files (.csv, .csv.gz)")
    _follow_symlinks(p)


def _add_run(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="feed files or folders to load first (optional)")
    _follow_symlinks(p)


# -- test ---------------------------------------------------------------------------------
def cmd_test(args) -> int:
    venv_bin = Path(sys.executable).parent
    if not (venv_bin / "sqlfluff").exists():
        raise HubError(
            "the development tools are not installed in this venv",
            "run scripts/hub test through scripts/hub (it installs requirements-dev.txt first)",
        )
    python_dirs = [d for d in ("scripts", "tests", "dags") if (ROOT / d).is_dir()]
    steps = [
        ("sqlfluff", [str(venv_bin / "sqlfluff"), "lint", "--processes", "1", "schema", "procedures", "sources"]),
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
    env.pop("HUB_DB", None)
    return subprocess.run([sys.executable, "-m", "pytest", *args.extra], cwd=ROOT, env=env).returncode


def _add_test(p: argparse.ArgumentParser) -> None:
    p.usage = f"{PROG} test [-h] [PYTEST ARGS ...]"


def cmd_dev(args) -> int:
    import importlib.util

    missing = [m for m in ("airflow", "pytest", "sqlfluff") if importlib.util.find_spec(m) is None]
    if missing:
        raise HubError(
            f"not installed in this venv: {', '.join(missing)}",
            "run scripts/hub dev through scripts/hub (it installs requirements-dev.txt first)",
        )
    out(f"dev: Airflow, pytest, sqlfluff and ruff are installed in {Path(sys.executable).parent.parent}")
    out(f"  {Path(sys.executable).parent / 'airflow'} standalone   (see dags/README.md)")
    return 0


# -- generate -----------------------------------------------------------------------------
def cmd_generate(args) -> int:
    from hublib.generate import generate

    written = generate(
        Path(args.dir),
        seed=args.seed,
        machines=args.machines,
        days=args.days,
        start=args.start,
        sensor_interval=args.sensor_interval,
        force=args.force,
    )
    for name, rows in written.items():
        out(f"{name:40} {rows:>9,} rows")
    out(f"generate: {len(written)} files, {sum(written.values()):,} rows in {args.dir} (seed {args.seed})")
    return 0


def _iso_date(text: str):
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def _add_generate(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", metavar="DIR", help="folder to write the feed files into")
    p.add_argument("--seed", type=int, default=1, help="random seed: same seed, same bytes (default 1)")
    p.add_argument("--machines", type=int, default=12, metavar="N", help="machines (default 12)")
    p.add_argument("--days", type=int, default=56, metavar="N", help="days of production (default 56)")
    p.add_argument(
        "--start", type=_iso_date, default=_iso_date("2026-02-16"), metavar="DATE", help="first day (2026-02-16)"
    )
    p.add_argument(
        "--sensor-interval",
        type=int,
        default=900,
        metavar="SECONDS",
        help="seconds between sensor readings (default 900; 0 for no telemetry)",
    )
    p.add_argument(
        "--force", action="store_true", help="write into a folder that already holds feed files (refused otherwise)"
    )


# -- export -------------------------------------------------------------------------------
def cmd_export(args) -> int:
    from hublib.db import warehouse_url

    do_export(warehouse_url(), Path(args.dir), args.install_hyper)
    if args.twbx:
        from hublib.export import package_twbx

        out(f"  {package_twbx(Path(args.dir))}: the workbook tableau/hub.twb with the extract (open it in Tableau)")
    return 0


def do_export(url: str, out_dir: Path, install: bool = False) -> None:
    from hublib.db import connect
    from hublib.export import export_csv, export_hyper, has_reporting_rows, hyper_available, install_hyper
    from hublib.migrate import require_migrated
    from hublib.progress import task

    with connect(url, autocommit=True) as conn:
        # before any file is touched: an empty export must not replace a good one
        require_migrated(conn)
        if not has_reporting_rows(conn):
            raise HubError(
                f"the database {_dbname(url)} holds no reporting rows; nothing written to {out_dir}",
                "load and run first (scripts/hub run DIR), or give --db hub_demo for the demo's database",
            )
        with task("export: CSV of every reporting view", out):
            counts = export_csv(conn, out_dir)
        for view, n in counts.items():
            out(f"  {out_dir / (view + '.csv')}: {n:,} rows")
        if install and not hyper_available():
            with task("export: installing tableauhyperapi into .venv (about 300 MB)", out):
                install_hyper()
        if hyper_available():
            import time

            hyper = out_dir / "hub.hyper"
            started = time.monotonic()
            with task(f"export: writing {hyper}", out):
                tables = export_hyper(conn, hyper, out_dir)
            took = time.monotonic() - started
            out(f"  {hyper}: {len(tables)} tables, {sum(tables.values()):,} rows, {took:.1f} s (Hyper's COPY)")
        else:
            out("export: no .hyper extract (tableauhyperapi is not installed; add --install-hyper)")
    out(f"export: {len(counts)} views written to {out_dir}")


def _dbname(url: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return conninfo_to_dict(url).get("dbname", "?")
    except psycopg.ProgrammingError:
        return "?"


def _add_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("dir", metavar="DIR", help="folder for the CSV files and hub.hyper")
    p.add_argument(
        "--install-hyper", action="store_true", help="install Tableau's Hyper API (about 300 MB) to write hub.hyper"
    )
    p.add_argument(
        "--twbx", action="store_true", help="package the workbook tableau/hub.twb with the extract into DIR/hub.twbx"
    )


# -- demo ---------------------------------------------------------------------------------
def cmd_demo(args) -> int:
    if args.real:
        from hublib.realdemo import real_demo

        return real_demo(out, [args.real])
    from hublib.demo import demo

    return demo(out)


def _no_arguments(p: argparse.ArgumentParser) -> None:
    pass


def _add_demo(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--real",
        metavar="DIR",
        help="instead of generated data, import the public data sets found in DIR through sources/ (docs/sources.md)",
    )


def _builtin_commands() -> dict:
    """name -> (handler, help line, example, add_arguments), in the order --help lists them."""
    return {
        "demo": (
            cmd_demo,
            "from nothing to numbers: private database hub_demo, migrate, generate, load, run the chain, "
            "print an OEE / cost / margin summary, write the exports",
            "scripts/hub demo\nscripts/hub demo --real data/public    (the public data sets; docs/sources.md)",
            _add_demo,
        ),
        "test": (
            cmd_test,
            "sqlfluff and ruff, then the whole pytest suite on a disposable PostgreSQL (what CI runs)",
            "scripts/hub test tests/test_cli.py -x -q",
            _add_test,
        ),
        "dev": (
            cmd_dev,
            "install the development tools and Airflow (requirements-dev.txt) into .venv; scripts/hub test does it too",
            "scripts/hub dev",
            _no_arguments,
        ),
        "db": (
            cmd_db,
            "the private PostgreSQL cluster under .pgdata/: up, down, its URL, or PG* variables for psql and pg_dump",
            "scripts/hub db up\nscripts/hub --db hub_demo db url\n"
            'eval "$(scripts/hub --db hub_demo db env)" && pg_dump -Fc -f hub_demo.dump',
            _add_db,
        ),
        "migrate": (
            cmd_migrate,
            "apply schema/ (each file once) then procedures/; safe to repeat",
            "scripts/hub migrate\nscripts/hub --db hub_test migrate     (creates hub_test on the private cluster)",
            _no_arguments,
        ),
        "generate": (
            cmd_generate,
            "write a realistic, seeded set of feed files (telemetry included) into a folder without feed files",
            "scripts/hub generate out/data --seed 7 --machines 20 --days 90",
            _add_generate,
        ),
        "load": (
            cmd_load,
            "register, COPY and validate feed files (files or folders) as one recorded run; per-file counts",
            "scripts/hub load fixtures\nscripts/hub load inbox/production_runs_2026-03-02.csv",
            _add_load,
        ),
        "run": (
            cmd_run,
            "load the files or folders if given, then run the whole chain as one recorded run; "
            "exit 1 when a step or an error check fails",
            "scripts/hub run inbox",
            _add_run,
        ),
        "export": (
            cmd_export,
            "every reporting view to CSV, and to one Tableau .hyper extract",
            "scripts/hub --db hub_demo export out/exports --install-hyper --twbx",
            _add_export,
        ),
    }
