"""`scripts/hub export DIR`: every reporting view to typed CSV, and all of them to one
Tableau `.hyper` extract (for Tableau Public, which cannot connect to PostgreSQL).

CSV: one file per view, `<view>.csv`, UTF-8 with a header, streamed with COPY of a SELECT
that formats every column in SQL (docs/tableau.md, "Export formats"): booleans `true` /
`false`, timestamps ISO 8601 in UTC with their offset, dates `YYYY-MM-DD`, numerics at the
scale of their kind (ratios 6 decimals, money 2 or 4, minutes 4, counts 0). A numeric
column without a kind stops the export naming it, so a new view column gets a decision.

Hyper: `hub.hyper`, one table per view in schema "reporting", bulk-loaded by Hyper itself
(`COPY ... FROM` the CSV files just written) through Tableau's Hyper API when it is
installed (requirements-hyper.txt; about 300 MB, so it is optional: `--install-hyper`
installs it into .venv). Hyper's log goes to a temporary folder removed afterwards.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import psycopg
from psycopg import sql

from hublib.errors import HubError

ROOT = Path(__file__).resolve().parents[2]

# Decimal places per kind of numeric column (docs/tableau.md lists them).
SCALES = {"ratio": 6, "money": 2, "unit_money": 4, "minutes": 4, "seconds": 3, "quantity": 4, "count": 0, "measure": 6}

# Numeric and double precision columns of the reporting views -> kind. Names ending in
# _min are minutes and in _pct are ratios without being listed.
NUMERIC_KINDS = {
    "availability": "ratio",
    "performance": "ratio",
    "quality": "ratio",
    "oee": "ratio",
    "good_ratio": "ratio",
    "share_of_month": "ratio",
    "cumulative_share": "ratio",
    "allocated_cost": "money",
    "revenue": "money",
    "cogs": "money",
    "gross_margin": "money",
    "cost_per_unit": "unit_money",
    "standard_cost_per_unit": "unit_money",
    "variance": "unit_money",
    "duration_s": "seconds",
    "units_sold": "quantity",
    "total_count": "count",
    "good_count": "count",
    "good_units": "count",
    "rows_loaded": "count",
    "rows_rejected": "count",
    "rows_pending": "count",
    "normal_readings": "count",
    "threshold": "measure",
    "observed": "measure",
    "avg_value": "measure",
    "min_value": "measure",
    "max_value": "measure",
    "stddev_value": "measure",
    "normal_avg": "measure",
    "normal_stddev": "measure",
    "normal_low": "measure",
    "normal_high": "measure",
    "z_score": "measure",
}


def numeric_kind(view: str, column: str) -> str:
    if column in NUMERIC_KINDS:
        return NUMERIC_KINDS[column]
    if column.endswith("_min"):
        return "minutes"
    if column.endswith("_pct"):
        return "ratio"
    raise HubError(
        f"export: reporting.{view}.{column} is numeric but has no export scale",
        "give it a kind in NUMERIC_KINDS (scripts/hublib/export.py) and docs/tableau.md",
    )


def reporting_views(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT viewname FROM pg_views WHERE schemaname = 'reporting' ORDER BY viewname"
    )]  # fmt: skip


def has_reporting_rows(conn: psycopg.Connection) -> bool:
    """True when a business view (not the run history) has a row: what an export is for."""
    views = [v for v in reporting_views(conn) if not v.startswith(("pipeline_", "data_quality_"))]
    return any(
        conn.execute(sql.SQL("SELECT EXISTS (SELECT FROM reporting.{})").format(sql.Identifier(v))).fetchone()[0]
        for v in views
    )


def view_columns(conn: psycopg.Connection, view: str) -> list[tuple[str, str]]:
    """(column, information_schema data_type) in column order."""
    return conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'reporting' AND table_name = %s ORDER BY ordinal_position",
        (view,),
    ).fetchall()


def _formatted(view: str, c: sql.Composable, column: str, pg_type: str) -> sql.Composable:
    """The SQL expression that writes column c in its export form (text or NULL)."""
    if pg_type == "boolean":
        return sql.SQL("CASE WHEN {c} THEN 'true' WHEN NOT {c} THEN 'false' END").format(c=c)
    if pg_type == "timestamp with time zone":
        # The session runs in UTC (export_csv), so TZH:TZM is +00:00; fractions only when present.
        return sql.SQL(
            "to_char({c}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            " || CASE WHEN date_trunc('second', {c}) <> {c} THEN to_char({c}, '.US') ELSE '' END"
            " || to_char({c}, 'TZH:TZM')"
        ).format(c=c)
    if pg_type == "timestamp without time zone":
        return sql.SQL("to_char({c}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US')").format(c=c)
    if pg_type == "date":
        return sql.SQL("to_char({c}, 'YYYY-MM-DD')").format(c=c)
    if pg_type in ("numeric", "double precision", "real"):
        scale = SCALES[numeric_kind(view, column)]
        return sql.SQL("round({c}::numeric, {s})::text").format(c=c, s=sql.Literal(scale))
    if pg_type == "ARRAY":
        return sql.SQL("array_to_string({c}, ', ')").format(c=c)
    if pg_type in ("text", "character varying", "bigint", "integer", "smallint"):
        return sql.SQL("{c}::text").format(c=c)
    raise HubError(f"export: reporting.{view}.{column} has type {pg_type}, which the export does not format")


def export_query(conn: psycopg.Connection, view: str) -> sql.Composed:
    columns = view_columns(conn, view)
    select = sql.SQL(", ").join(
        sql.SQL("{} AS {}").format(_formatted(view, sql.Identifier("v", c), c, t), sql.Identifier(c))
        for c, t in columns
    )
    # Rows in the order of the view's first four columns, compared as values (not as text).
    order = sql.SQL(", ").join(sql.SQL("v.{}").format(sql.Identifier(c)) for c, _t in columns[:4])
    return sql.SQL("SELECT {} FROM reporting.{} AS v ORDER BY {}").format(select, sql.Identifier(view), order)


def export_csv(conn: psycopg.Connection, out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SET LOCAL TIME ZONE 'UTC'")
        for view in reporting_views(conn):
            path = out / f"{view}.csv"
            query = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')")
            with open(path, "wb") as fh, cur.copy(query.format(export_query(conn, view))) as copy:
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


# PostgreSQL type (information_schema.columns.data_type) -> Hyper SQL type
HYPER_TYPES = {
    "text": "TEXT",
    "character varying": "TEXT",
    "bigint": "BIGINT",
    "integer": "INTEGER",
    "smallint": "SMALLINT",
    "numeric": "DOUBLE PRECISION",  # Tableau computes in doubles; the CSV holds the contract's scale
    "double precision": "DOUBLE PRECISION",
    "real": "DOUBLE PRECISION",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp with time zone": "TIMESTAMP WITH TIME ZONE",
    "timestamp without time zone": "TIMESTAMP",
    "ARRAY": "TEXT",  # e.g. pipeline_runs.notified_via: written "log, email"
}


def _hyper_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _hyper_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export_hyper(conn: psycopg.Connection, path: Path, csv_dir: Path) -> dict[str, int]:
    """Write every reporting view into one .hyper file, bulk-loaded by Hyper from the CSV
    files export_csv wrote into csv_dir; returns rows per table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tables = []
    for view in reporting_views(conn):
        columns = view_columns(conn, view)
        unknown = [f"{c} ({t})" for c, t in columns if t not in HYPER_TYPES]
        if unknown:
            raise HubError(f"reporting.{view}: no Hyper type for {', '.join(unknown)}")
        csv_path = csv_dir / f"{view}.csv"
        if not csv_path.is_file():
            raise HubError(f"export: {csv_path} is missing", "write the CSV files first (export_csv)")
        tables.append((view, columns, csv_path.resolve()))
    # Written under a temporary name and renamed when complete: a failed export leaves the
    # previous extract as it was.
    partial = path.with_name(f"{path.stem}.partial{path.suffix}")
    try:
        counts = _write_hyper(partial, tables)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def _write_hyper(path: Path, tables: list) -> dict[str, int]:
    from tableauhyperapi import Connection, CreateMode, HyperProcess, Telemetry

    counts = {}
    # hyperd writes its log into log_dir (the current folder otherwise): a temporary folder,
    # removed with everything in it once the process has stopped.
    with (
        tempfile.TemporaryDirectory(prefix="hub-hyper-log-") as log_dir,
        HyperProcess(telemetry=Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters={"log_dir": log_dir}) as hyper,
        Connection(hyper.endpoint, str(path), CreateMode.CREATE_AND_REPLACE) as target,
    ):
        target.execute_command('CREATE SCHEMA IF NOT EXISTS "reporting"')
        for view, columns, csv_path in tables:
            table = f'"reporting".{_hyper_ident(view)}'
            defs = ", ".join(f"{_hyper_ident(c)} {HYPER_TYPES[t]}" for c, t in columns)
            target.execute_command(f"CREATE TABLE {table} ({defs})")
            counts[view] = target.execute_command(
                f"COPY {table} FROM {_hyper_literal(str(csv_path))} "
                "WITH (FORMAT csv, HEADER true, NULL '', DELIMITER ',', ENCODING 'utf-8')"
            )
    return counts


def package_twbx(out_dir: Path) -> Path:
    """tableau/hub.twb and out_dir/hub.hyper as one packaged workbook, out_dir/hub.twbx: the
    workbook at the top, the extract at Data/Extracts/hub.hyper, where its data sources point."""
    from hublib.workbook import EXTRACT_PATH, WORKBOOK

    extract = out_dir / "hub.hyper"
    if not extract.is_file():
        raise HubError(
            f"--twbx needs the extract {extract}, which was not written",
            "add --install-hyper (the Hyper API writes it)",
        )
    if not WORKBOOK.is_file():
        raise HubError(f"the workbook {WORKBOOK} is missing", "restore it from the repository")
    target = out_dir / "hub.twbx"
    partial = target.with_suffix(".twbx.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(WORKBOOK, "hub.twb")
        z.write(extract, EXTRACT_PATH)
    partial.replace(target)
    return target
