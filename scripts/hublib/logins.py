"""Login roles for the hub's roles, from the environment (docker compose's init).

`python -m hublib.logins airflow-db` (as the superuser, DATABASE_URL set) makes sure that
Airflow's own metadata database `airflow` exists, owned by a login `airflow` with the
password AIRFLOW_DB_PASSWORD, so that Airflow's services never hold the superuser's.

`python -m hublib.logins` (as the owner, DATABASE_URL set) makes sure that
HUB_ETL_USER (a member of hub_etl, for Airflow) and HUB_REPORTING_USER (a member of
hub_reporting, for Tableau) exist as login roles with the passwords HUB_ETL_PASSWORD and
HUB_REPORTING_PASSWORD; a login whose password variable is empty is left out. Running it
again sets the passwords again (so changing one in .env and re-running init applies it).
The passwords travel in the SQL sent to the server, never on a command line.
"""

from __future__ import annotations

import os
import sys

import psycopg
from psycopg import sql

from hublib.errors import HubError

LOGINS = (
    ("HUB_ETL_USER", "HUB_ETL_PASSWORD", "hub_etl"),
    ("HUB_REPORTING_USER", "HUB_REPORTING_PASSWORD", "hub_reporting"),
)


def ensure_login(conn: psycopg.Connection, name: str, password: str, role: str) -> bool:
    """Creates (True) or updates (False) a login role that is a member of `role` only."""
    if role not in ("hub_etl", "hub_reporting"):
        raise HubError(f"{role} is not a role a login may be given here", "use hub_etl or hub_reporting")
    if not password:
        raise HubError(f"no password for login {name}", "set it in .env")
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None
    verb = "ALTER ROLE {} LOGIN PASSWORD {}" if exists else "CREATE ROLE {} LOGIN PASSWORD {}"
    conn.execute(sql.SQL(verb).format(sql.Identifier(name), sql.Literal(password)))
    conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(name)))
    return not exists


def ensure_airflow_database(conn: psycopg.Connection, password: str, name: str = "airflow") -> None:
    """Airflow's metadata database and its owner, a login that is in no hub role."""
    if not password:
        raise HubError("AIRFLOW_DB_PASSWORD is not set", "set it in .env")
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone() is not None
    verb = "ALTER ROLE {} LOGIN PASSWORD {}" if exists else "CREATE ROLE {} LOGIN PASSWORD {}"
    conn.execute(sql.SQL(verb).format(sql.Identifier(name), sql.Literal(password)))
    if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(name)))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    url = os.environ.get("DATABASE_URL")
    if not url:
        print("hub: DATABASE_URL is not set", file=sys.stderr)
        return 2
    with psycopg.connect(url, autocommit=True) as conn:
        if argv == ["airflow-db"]:
            ensure_airflow_database(conn, os.environ.get("AIRFLOW_DB_PASSWORD", ""))
            print("logins: airflow's metadata database and its login are ready")
            return 0
        for user_var, password_var, role in LOGINS:
            name, password = os.environ.get(user_var, ""), os.environ.get(password_var, "")
            if not name or not password:
                print(f"logins: {user_var}/{password_var} not set, no {role} login made")
                continue
            made = ensure_login(conn, name, password, role)
            print(f"logins: {name} ({role}) {'created' if made else 'password set'}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except HubError as exc:
        print(f"hub: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
