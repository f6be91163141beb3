"""psql on the warehouse, the password passed in a private password file, never in argv.

`scripts/hub psql [-d DB] [psql args...]`: every argument but `-d/--db` goes to psql as
it is (`scripts/hub psql -c 'select 1'`, `scripts/hub psql -At -f query.sql`). The
connection is DATABASE_URL's, or the private cluster's (started on demand); `-d` names
another database on the same server. psql gets the connection without the password on
its command line (process lists are public on a host) and the password through
PGPASSFILE, a file readable by the invoking user only, removed when psql ends.

example:
  scripts/hub --db hub_demo psql -c 'SELECT * FROM reporting.oee_monthly'
  scripts/hub psql -d hub_demo -At -f query.sql
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile

from psycopg.conninfo import conninfo_to_dict, make_conninfo

from hublib.errors import HubError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # -d is --db (the command line's global option) under psql's own spelling; every other
    # argument (-c, -At, -f ...) is psql's and reaches it unchanged, in order.
    parser.add_argument(
        "-d", dest="db", metavar="DB", default=argparse.SUPPRESS, help="another database on the same server (as --db)"
    )
    parser.epilog = "Every other argument goes to psql unchanged."


def _passfile_line(info: dict[str, str]) -> str:
    def esc(value: str) -> str:
        return value.replace("\\", "\\\\").replace(":", "\\:")

    return f"*:*:*:*:{esc(info['password'])}\n"


def find_psql() -> str:
    found = shutil.which("psql")
    if found:
        return found
    from hublib.cluster import find_pg_bin

    candidate = find_pg_bin() / "psql"
    if candidate.exists():
        return str(candidate)
    raise HubError("psql not found", "install the PostgreSQL client (Debian: apt-get install postgresql-client)")


def psql_command(url: str, db: str | None, args: list[str]) -> tuple[list[str], str | None]:
    """(psql's argv, without the password; the password file's content, or None)."""
    try:
        info = {k: v for k, v in conninfo_to_dict(url).items() if v is not None}
    except Exception as exc:
        raise HubError(f"DATABASE_URL is not a valid connection string: {exc}") from exc
    password = info.pop("password", None)
    if db:
        info["dbname"] = db
    argv = [find_psql(), make_conninfo(**info), *args]
    return argv, _passfile_line({"password": password}) if password else None


def run(args: argparse.Namespace) -> int:
    from hublib.db import warehouse_url

    argv, passfile = psql_command(warehouse_url(), getattr(args, "db", None), list(getattr(args, "psql_args", [])))
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="hub-psql-") as tmp:
        if passfile:
            path = os.path.join(tmp, "pgpass")
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(passfile)
            env["PGPASSFILE"] = path
            env.pop("PGPASSWORD", None)
        try:
            return subprocess.run(argv, env=env).returncode
        except KeyboardInterrupt:
            return 130
