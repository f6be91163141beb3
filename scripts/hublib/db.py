"""Where the warehouse is, and connecting to it with errors a person can act on."""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from hublib.errors import HubError

ROOT = Path(__file__).resolve().parents[2]


def private_cluster():
    from hublib.cluster import Cluster

    return Cluster(ROOT / ".pgdata")


def warehouse_url(start: bool = True) -> str:
    """DATABASE_URL when set, else the private cluster's URL (started on demand)."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    cluster = private_cluster()
    if start:
        return cluster.up()
    if not cluster.initialized():
        raise HubError("the private cluster does not exist yet", "run scripts/hub db up")
    return cluster.url()


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


def describe(url: str) -> str:
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "DATABASE_URL"
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
        raise HubError(f"DATABASE_URL is not a valid connection string: {exc}") from exc
    conn.execute("SET timezone = 'UTC'")
    if not conn.autocommit:
        conn.commit()
    return conn
