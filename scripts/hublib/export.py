"""`scripts/hub export DIR`: every reporting view to CSV, and all of them to one Tableau
`.hyper` extract (for Tableau Public, which cannot connect to PostgreSQL).

CSV: one file per view, `<view>.csv`, UTF-8 with a header, streamed with COPY (memory stays
flat). Hyper: `hub.hyper`, one table per view in schema "reporting", written with Tableau's
Hyper API when it is installed (requirements-hyper.txt; about 300 MB, so it is optional:
`--install-hyper` installs it into .venv).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from hublib.errors import HubError

ROOT = Path(__file__).resolve().parents[2]


def reporting_views(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT viewname FROM pg_views WHERE schemaname = 'reporting' ORDER BY viewname"
    )]  # fmt: skip


def export_csv(conn: psycopg.Connection, out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for view in reporting_views(conn):
        path = out / f"{view}.csv"
        query = sql.SQL("COPY (SELECT * FROM reporting.{} ORDER BY 1, 2, 3) TO STDOUT WITH (FORMAT csv, HEADER true)")
        with open(path, "wb") as fh, conn.cursor() as cur:
            with cur.copy(query.format(sql.Identifier(view))) as copy:
                for block in copy:
                    fh.write(block)
            counts[view] = cur.rowcount  # COPY reports its rows: no second pass over the view
    return counts


def hyper_available() -> bool:
    try:
        import tableauhyperapi  # noqa: F401
    except ImportError:
        return False
    return True


def install_hyper() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "-r", str(ROOT / "requirements-hyper.txt")],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:]
        raise HubError(f"installing tableauhyperapi failed: {tail[0] if tail else 'no output'}")


# PostgreSQL type (information_schema.columns.data_type) -> Hyper type factory name
_HYPER_TYPES = {
    "text": "text",
    "character varying": "text",
    "bigint": "big_int",
    "integer": "int",
    "smallint": "small_int",
    "numeric": "double",  # Tableau computes in doubles; Hyper's NUMERIC stops at 38 digits
    "double precision": "double",
    "boolean": "bool",
    "date": "date",
    "timestamp with time zone": "timestamp_tz",
    "timestamp without time zone": "timestamp",
    "ARRAY": "text",  # e.g. pipeline_runs.notified_via: written "log, email"
}


def _hyper_value(value, pg_type: str):
    if value is None:
        return None
    if pg_type == "numeric":
        return float(value)
    if pg_type == "ARRAY":
        return ", ".join(str(v) for v in value)
    return value


def export_hyper(conn: psycopg.Connection, path: Path) -> dict[str, int]:
    """Write every reporting view into one .hyper file; returns rows per table."""
    from tableauhyperapi import (
        Connection,
        CreateMode,
        HyperProcess,
        Inserter,
        SchemaName,
        SqlType,
        TableDefinition,
        TableName,
        Telemetry,
    )

    path.parent.mkdir(parents=True, exist_ok=True)
    counts = {}
    log_dir = tempfile.mkdtemp(prefix="hub-hyper-log-")  # hyperd writes its log to the cwd otherwise
    with (
        HyperProcess(telemetry=Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters={"log_dir": log_dir}) as hyper,
        Connection(hyper.endpoint, str(path), CreateMode.CREATE_AND_REPLACE) as target,
    ):
        target.catalog.create_schema_if_not_exists(SchemaName("reporting"))
        for view in reporting_views(conn):
            columns = conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'reporting' AND table_name = %s ORDER BY ordinal_position",
                (view,),
            ).fetchall()
            unknown = [f"{c} ({t})" for c, t in columns if t not in _HYPER_TYPES]
            if unknown:
                raise HubError(f"reporting.{view}: no Hyper type for {', '.join(unknown)}")
            table = TableDefinition(
                TableName("reporting", view),
                [TableDefinition.Column(c, getattr(SqlType, _HYPER_TYPES[t])()) for c, t in columns],
            )
            target.catalog.create_table(table)
            n = 0
            # A server-side cursor streams the view: memory stays flat whatever its size.
            with Inserter(target, table) as inserter, conn.transaction(), conn.cursor(name=f"export_{view}") as cur:
                cur.execute(sql.SQL("SELECT * FROM reporting.{} ORDER BY 1, 2, 3").format(sql.Identifier(view)))
                for row in cur:
                    inserter.add_row([_hyper_value(v, t) for v, (_c, t) in zip(row, columns, strict=True)])
                    n += 1
                inserter.execute()
            counts[view] = n
    return counts
