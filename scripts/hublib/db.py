"""Where the warehouse is, and connecting to it with errors a person can act on."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from hublib.errors import HubError

ROOT = Path(__file__).resolve().parents[2]


def private_cluster():
    from hublib.cluster import Cluster

    return Cluster(ROOT / ".pgdata")


def chosen_db() -> str | None:
    """The database named by `--db NAME` (which sets HUB_DB) or HUB_DB, if any."""
    return os.environ.get("HUB_DB") or None


def with_dbname(url: str, dbname: str) -> str:
    """The same server and login as `url`, another database."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError as exc:
        raise HubError(f"DATABASE_URL is not a valid connection string: {exc}") from exc
    info["dbname"] = dbname
    return make_conninfo(**info)


def warehouse_url(start: bool = True, create: bool = False) -> str:
    """DATABASE_URL when set, else the private cluster's URL (started on demand); the
    database is HUB_DB (`--db NAME`) when given. On the private cluster a named database
    must exist unless `create` (migrate creates it)."""
    name = chosen_db()
    url = os.environ.get("DATABASE_URL")
    if url:
        return with_dbname(url, name) if name else url
    cluster = private_cluster()
    if start:
        cluster.up()
    elif not cluster.initialized():
        raise HubError("the private cluster does not exist yet", "run scripts/hub db up")
    if not name:
        return cluster.url()
    if start:
        _ensure_private_database(cluster, name, create)
    return cluster.url(name)


def _ensure_private_database(cluster, name: str, create: bool) -> None:
    with psycopg.connect(cluster.url("postgres"), autocommit=True, connect_timeout=10) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return
        if not create:
            raise HubError(
                f"database {name!r} does not exist on the private cluster",
                f"create and migrate it with scripts/hub --db {name} migrate (the demo's is hub_demo)",
            )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def without_password(url: str) -> str:
    """The same connection without its password (for tools that read it from ~/.pgpass)."""
    from urllib.parse import urlsplit, urlunsplit

    if "://" in url:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        netloc = parts.netloc.rsplit("@", 1)
        user = netloc[0].split(":", 1)[0]
        return urlunsplit(parts._replace(netloc=f"{user}@{netloc[1]}"))
    try:
        info = {k: v for k, v in conninfo_to_dict(url).items() if k != "password"}
    except psycopg.ProgrammingError:
        return url
    return make_conninfo(**info)


def _whose_url() -> str:
    """What made the connection string: DATABASE_URL, or the private cluster and --db."""
    if os.environ.get("DATABASE_URL"):
        return "DATABASE_URL" + (f" with --db {chosen_db()!r}" if chosen_db() else "")
    return f"the private cluster's URL for --db {chosen_db()!r}" if chosen_db() else "the private cluster's URL"


def describe(url: str) -> str:
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "DATABASE_URL" if os.environ.get("DATABASE_URL") else "(not a valid connection string)"
    return f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"


def connect(url: str, **kwargs) -> psycopg.Connection:
    try:
        conn = psycopg.connect(url, connect_timeout=10, **kwargs)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer"
        raise HubError(
            f"cannot connect to the warehouse at {describe(url)}: {first}",
            "check DATABASE_URL (or unset it to use the private cluster) and that the server runs",
        ) from exc
    except psycopg.ProgrammingError as exc:
        raise HubError(f"{_whose_url()} is not a valid connection string: {exc}") from exc
    conn.execute("SET timezone = 'UTC'")
    if not conn.autocommit:
        conn.commit()
    return conn
